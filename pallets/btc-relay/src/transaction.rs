//! Bitcoin transactions and Merkle proofs: shared with the payout proofs, in
//! `hashrate_primitives::bitcoin::transaction`.

pub use hashrate_primitives::bitcoin::transaction::*;
