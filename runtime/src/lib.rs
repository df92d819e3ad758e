//! The Hashrate Chain runtime.
//!
//! A solochain runtime on polkadot-sdk stable2609: Aura block production, GRANDPA finality,
//! a governance-managed validator set rotated by sessions ([`configs::validators`]),
//! balances, transaction payment with fees shared between the block author and the
//! treasury account (see [`configs::monetary`]), sudo and utility. The domain pallets
//! (facilities, proof-of-work oracle, hashrate tokens, real yield) are added on top of it.

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime`/`impl_runtime_apis` need a higher limit.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

use alloc::vec::Vec;

pub mod apis;
pub mod configs;
pub mod genesis_config_presets;
#[cfg(feature = "runtime-benchmarks")]
mod session_benchmarks;
pub mod weights;

pub use polkadot_sdk::*;

use sp_runtime::{generic, impl_opaque_keys, traits::BlakeTwo256, MultiAddress};
use sp_version::{runtime_version, RuntimeVersion};

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

pub use hashrate_primitives::{AccountId, Balance, BlockNumber, Hash, Nonce, Signature};

/// Opaque types, for the node: it needs to know blocks and headers, not the calls inside.
pub mod opaque {
	use super::*;
	use sp_runtime::traits::Hash as HashT;

	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as HashT>::Output;

	impl_opaque_keys! {
		/// The keys a validator registers: Aura for blocks, GRANDPA for finality.
		pub struct SessionKeys {
			/// Block production key.
			pub aura: Aura,
			/// Finality voting key.
			pub grandpa: Grandpa,
		}
	}
}

/// Declares [`VERSION`] with the given `spec_version` (a literal: `#[runtime_version]` reads
/// it from the tokens).
macro_rules! declare_version {
	($spec_version:tt) => {
		/// The runtime version. `spec_version` goes up with every runtime upgrade,
		/// `transaction_version` whenever call indices or extrinsic formats change.
		#[runtime_version]
		pub const VERSION: RuntimeVersion = RuntimeVersion {
			spec_name: alloc::borrow::Cow::Borrowed("hashrate"),
			impl_name: alloc::borrow::Cow::Borrowed("hashrate-node"),
			authoring_version: 1,
			spec_version: $spec_version,
			impl_version: 1,
			apis: apis::RUNTIME_API_VERSIONS,
			transaction_version: 1,
			system_version: 1,
		};
	};
}

#[cfg(not(feature = "upgrade-test"))]
declare_version!(100);

// With feature `upgrade-test`: one `spec_version` later, the code the network tests upgrade
// to with `sudo(system.set_code)` (built by `runtime/upgrade-test`, never deployed). Bump
// both together.
#[cfg(feature = "upgrade-test")]
declare_version!(101);

/// Target block time of real (Aura) networks. Development chains may seal faster, see the
/// node's `--sealing` flag.
pub const MILLI_SECS_PER_BLOCK: u64 = 6000;

/// Aura slot length. It cannot change once a chain has started: block production would stop.
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;

/// Blocks per minute, hour and day at the target block time.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
/// Blocks per hour.
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks per day.
pub const DAYS: BlockNumber = HOURS * 24;

/// The native token: symbol, decimals and units (see `README.md`, "Chain properties").
pub const TOKEN_SYMBOL: &str = "HASH";
/// Decimal places of the native token.
pub const TOKEN_DECIMALS: u8 = 12;
/// One whole token in plancks (the smallest unit).
pub const UNIT: Balance = 1_000_000_000_000;
/// A thousandth of a token.
pub const MILLI_UNIT: Balance = 1_000_000_000;
/// A millionth of a token.
pub const MICRO_UNIT: Balance = 1_000_000;
/// The smallest balance an account may hold; below it the account is reaped.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;
/// The SS58 address prefix of Hashrate Chain accounts (see `README.md`, "Chain properties").
pub const SS58_PREFIX: u16 = 2140;

/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// A block signed with a justification.
pub type SignedBlock = generic::SignedBlock<Block>;
/// Block id type as expected by this runtime.
pub type BlockId = generic::BlockId<Block>;

/// The transaction extensions, in the order of the stable2609 templates, so that unmodified
/// polkadot-js, PAPI and subxt clients can sign.
pub type TxExtension = (
	frame_system::AuthorizeCall<Runtime>,
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;

/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// The migrations [`Executive`] runs on a runtime upgrade (a new `spec_version`), before the
/// pallets' own `on_runtime_upgrade` hooks: one entry per storage change, each a
/// `VersionedMigration` from a pallet's storage version to the next, removed once every
/// chain has run it. Each brings a pallet's storage to its in-code `StorageVersion`, which
/// the runtime tests check on the genesis state and after an upgrade, and which
/// try-runtime's `on-runtime-upgrade` checks on a live chain's state (feature `try-runtime`:
/// a pallet whose on-chain version differs fails the upgrade).
///
/// - `PowOracle` 1 -> 2: network data fixed once per period (issue 16).
/// - `RealYield` 1 -> 2: deadlines fixed at finality, debt held as holders' shares, holder
///   records counted, defaults counted per period in a window (issue 17).
/// - `Facilities` 1 -> 2, `PowOracle` 2 -> 3, `HashrateTokens` 1 -> 2, `RealYield` 2 -> 3: the
///   chain drives its own lifecycle; what was due under the old code is queued (issue 18).
/// - `Facilities` 2 -> 3: payout addresses leave the profile and become proposals of their
///   output scripts, for governance to approve (issue 22).
pub type Migrations = (
	pallet_pow_oracle::migrations::v2::MigrateV1ToV2<Runtime, configs::oracle::InitialNetwork>,
	pallet_real_yield::migrations::v2::MigrateV1ToV2<Runtime>,
	pallet_facilities::migrations::v2::MigrateV1ToV2<Runtime>,
	pallet_pow_oracle::migrations::v3::MigrateV2ToV3<Runtime>,
	pallet_hashrate_tokens::migrations::v2::MigrateV1ToV2<Runtime>,
	pallet_real_yield::migrations::v3::MigrateV2ToV3<Runtime>,
	pallet_facilities::migrations::v3::MigrateV2ToV3<Runtime>,
);

/// Executive: dispatches to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Authorship = pallet_authorship;

	#[runtime::pallet_index(5)]
	pub type ValidatorSet = pallet_validator_set;

	#[runtime::pallet_index(6)]
	pub type Session = pallet_session;

	#[runtime::pallet_index(10)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(11)]
	pub type TransactionPayment = pallet_transaction_payment;

	#[runtime::pallet_index(12)]
	pub type Assets = pallet_assets;

	#[runtime::pallet_index(20)]
	pub type Sudo = pallet_sudo;

	#[runtime::pallet_index(21)]
	pub type Utility = pallet_utility;

	// Domain pallets.
	#[runtime::pallet_index(30)]
	pub type Facilities = pallet_facilities;

	#[runtime::pallet_index(31)]
	pub type PowOracle = pallet_pow_oracle;

	#[runtime::pallet_index(32)]
	pub type HashrateTokens = pallet_hashrate_tokens;

	#[runtime::pallet_index(33)]
	pub type RealYield = pallet_real_yield;

	#[runtime::pallet_index(34)]
	pub type BtcRelay = pallet_btc_relay;

	#[runtime::pallet_index(35)]
	pub type PayoutProofs = pallet_payout_proofs;
}

#[cfg(test)]
mod tests;
