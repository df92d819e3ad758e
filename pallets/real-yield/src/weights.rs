//! Weights for `pallet_real_yield`. Replaced by `scripts/benchmark.sh pallet_real_yield`.

#![allow(missing_docs)]

use core::marker::PhantomData;
use polkadot_sdk::frame_support::{
	traits::Get,
	weights::{constants::ParityDbWeight, Weight},
};
use polkadot_sdk::frame_system;

/// Weight functions needed for `pallet_real_yield`.
pub trait WeightInfo {
	fn deposit() -> Weight;
	fn settle() -> Weight;
	fn trigger_default() -> Weight;
	fn claim(e: u32) -> Weight;
	fn claim_many(n: u32) -> Weight;
	fn repay_debt() -> Weight;
	fn set_rules() -> Weight;
	fn before_balance_change() -> Weight;
	fn on_period_final() -> Weight;
}

/// Weights measured on the reference machine, with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn deposit() -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_add(T::DbWeight::get().reads_writes(10, 6))
	}
	fn settle() -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_add(T::DbWeight::get().reads_writes(10, 6))
	}
	fn trigger_default() -> Weight {
		Weight::from_parts(150_000_000, 10_000)
			.saturating_add(T::DbWeight::get().reads_writes(14, 10))
	}
	fn claim(e: u32) -> Weight {
		Weight::from_parts(60_000_000, 10_000)
			.saturating_add(Weight::from_parts(5_000_000, 500).saturating_mul(e.into()))
			.saturating_add(T::DbWeight::get().reads_writes(8, 5))
			.saturating_add(T::DbWeight::get().reads(e.into()))
	}
	fn claim_many(n: u32) -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(Weight::from_parts(60_000_000, 5_000).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads_writes(4, 2))
			.saturating_add(T::DbWeight::get().reads_writes(4, 2).saturating_mul(n.into()))
	}
	fn repay_debt() -> Weight {
		Weight::from_parts(60_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(4, 4))
	}
	fn set_rules() -> Weight {
		Weight::from_parts(10_000_000, 0).saturating_add(T::DbWeight::get().writes(1))
	}
	fn before_balance_change() -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_add(T::DbWeight::get().reads_writes(10, 2))
	}
	fn on_period_final() -> Weight {
		Weight::from_parts(5_000_000, 0).saturating_add(T::DbWeight::get().reads_writes(2, 1))
	}
}

impl WeightInfo for () {
	fn deposit() -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_add(ParityDbWeight::get().reads_writes(10, 6))
	}
	fn settle() -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_add(ParityDbWeight::get().reads_writes(10, 6))
	}
	fn trigger_default() -> Weight {
		Weight::from_parts(150_000_000, 10_000)
			.saturating_add(ParityDbWeight::get().reads_writes(14, 10))
	}
	fn claim(e: u32) -> Weight {
		Weight::from_parts(60_000_000, 10_000)
			.saturating_add(Weight::from_parts(5_000_000, 500).saturating_mul(e.into()))
			.saturating_add(ParityDbWeight::get().reads_writes(8, 5))
			.saturating_add(ParityDbWeight::get().reads(e.into()))
	}
	fn claim_many(n: u32) -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(Weight::from_parts(60_000_000, 5_000).saturating_mul(n.into()))
	}
	fn repay_debt() -> Weight {
		Weight::from_parts(60_000_000, 10_000)
			.saturating_add(ParityDbWeight::get().reads_writes(4, 4))
	}
	fn set_rules() -> Weight {
		Weight::from_parts(10_000_000, 0).saturating_add(ParityDbWeight::get().writes(1))
	}
	fn before_balance_change() -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_add(ParityDbWeight::get().reads_writes(10, 2))
	}
	fn on_period_final() -> Weight {
		Weight::from_parts(5_000_000, 0).saturating_add(ParityDbWeight::get().reads_writes(2, 1))
	}
}
