//! The weights this runtime charges for the FRAME pallets it configures, its blocks and its
//! extrinsics, and its database accesses — all measured on one machine, the one that measured
//! the domain pallets' weights (`pallets/*/src/weights.rs`; the machine is named in each file
//! and in `README.md`, "Weights"). Regenerate with `scripts/benchmark.sh` (a pallet's name,
//! `overhead` or `storage`).

pub mod block_weights;
pub mod extrinsic_weights;
pub mod frame_system;
pub mod frame_system_extensions;
pub mod pallet_assets;
pub mod pallet_balances;
pub mod pallet_session;
pub mod pallet_sudo;
pub mod pallet_timestamp;
pub mod pallet_transaction_payment;
pub mod pallet_utility;
pub mod paritydb_weights;
