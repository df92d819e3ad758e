//! Weights for `pallet_hashrate_tokens`. Provisional until `scripts/benchmark.sh
//! pallet_hashrate_tokens` regenerates this file from the benchmarks.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use polkadot_sdk::frame_support::{traits::Get, weights::{Weight, constants::ParityDbWeight}};
use polkadot_sdk::frame_system;
use core::marker::PhantomData;

/// Weight functions needed for `pallet_hashrate_tokens`.
pub trait WeightInfo {
	fn create_series() -> Weight;
	fn update_terms() -> Weight;
	fn cancel_series() -> Weight;
	fn add_collateral() -> Weight;
	fn open_offering() -> Weight;
	fn subscribe() -> Weight;
	fn close_offering(n: u32) -> Weight;
	fn refund() -> Weight;
	fn withdraw_proceeds() -> Weight;
	fn transfer() -> Weight;
	fn approve_transfer() -> Weight;
	fn transfer_from() -> Weight;
	fn burn() -> Weight;
	fn release_collateral() -> Weight;
	fn close_series() -> Weight;
	fn set_rules() -> Weight;
	fn on_period_final() -> Weight;
}

/// Weights for `pallet_hashrate_tokens` with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn create_series() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads(20_u64))
			.saturating_add(T::DbWeight::get().writes(20_u64))
	}
	fn update_terms() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads(20_u64))
			.saturating_add(T::DbWeight::get().writes(20_u64))
	}
	fn cancel_series() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads(20_u64))
			.saturating_add(T::DbWeight::get().writes(20_u64))
	}
	fn add_collateral() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads(20_u64))
			.saturating_add(T::DbWeight::get().writes(20_u64))
	}
	fn open_offering() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads(20_u64))
			.saturating_add(T::DbWeight::get().writes(20_u64))
	}
	fn subscribe() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads(20_u64))
			.saturating_add(T::DbWeight::get().writes(20_u64))
	}
	fn close_offering(n: u32) -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(Weight::from_parts(50_000_000, 3_000).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(20_u64))
			.saturating_add(T::DbWeight::get().writes(20_u64))
			.saturating_add(T::DbWeight::get().reads(2_u64.saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(2_u64.saturating_mul(n.into())))
	}
	fn refund() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads(20_u64))
			.saturating_add(T::DbWeight::get().writes(20_u64))
	}
	fn withdraw_proceeds() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads(20_u64))
			.saturating_add(T::DbWeight::get().writes(20_u64))
	}
	fn transfer() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads(20_u64))
			.saturating_add(T::DbWeight::get().writes(20_u64))
	}
	fn approve_transfer() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads(20_u64))
			.saturating_add(T::DbWeight::get().writes(20_u64))
	}
	fn transfer_from() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads(20_u64))
			.saturating_add(T::DbWeight::get().writes(20_u64))
	}
	fn burn() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads(20_u64))
			.saturating_add(T::DbWeight::get().writes(20_u64))
	}
	fn release_collateral() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads(20_u64))
			.saturating_add(T::DbWeight::get().writes(20_u64))
	}
	fn close_series() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads(20_u64))
			.saturating_add(T::DbWeight::get().writes(20_u64))
	}
	fn set_rules() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads(20_u64))
			.saturating_add(T::DbWeight::get().writes(20_u64))
	}
	fn on_period_final() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads(20_u64))
			.saturating_add(T::DbWeight::get().writes(20_u64))
	}
}

// For tests.
impl WeightInfo for () {
	fn create_series() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads(20_u64))
			.saturating_add(ParityDbWeight::get().writes(20_u64))
	}
	fn update_terms() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads(20_u64))
			.saturating_add(ParityDbWeight::get().writes(20_u64))
	}
	fn cancel_series() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads(20_u64))
			.saturating_add(ParityDbWeight::get().writes(20_u64))
	}
	fn add_collateral() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads(20_u64))
			.saturating_add(ParityDbWeight::get().writes(20_u64))
	}
	fn open_offering() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads(20_u64))
			.saturating_add(ParityDbWeight::get().writes(20_u64))
	}
	fn subscribe() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads(20_u64))
			.saturating_add(ParityDbWeight::get().writes(20_u64))
	}
	fn close_offering(n: u32) -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(Weight::from_parts(50_000_000, 3_000).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(20_u64))
			.saturating_add(ParityDbWeight::get().writes(20_u64))
			.saturating_add(ParityDbWeight::get().reads(2_u64.saturating_mul(n.into())))
			.saturating_add(ParityDbWeight::get().writes(2_u64.saturating_mul(n.into())))
	}
	fn refund() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads(20_u64))
			.saturating_add(ParityDbWeight::get().writes(20_u64))
	}
	fn withdraw_proceeds() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads(20_u64))
			.saturating_add(ParityDbWeight::get().writes(20_u64))
	}
	fn transfer() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads(20_u64))
			.saturating_add(ParityDbWeight::get().writes(20_u64))
	}
	fn approve_transfer() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads(20_u64))
			.saturating_add(ParityDbWeight::get().writes(20_u64))
	}
	fn transfer_from() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads(20_u64))
			.saturating_add(ParityDbWeight::get().writes(20_u64))
	}
	fn burn() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads(20_u64))
			.saturating_add(ParityDbWeight::get().writes(20_u64))
	}
	fn release_collateral() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads(20_u64))
			.saturating_add(ParityDbWeight::get().writes(20_u64))
	}
	fn close_series() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads(20_u64))
			.saturating_add(ParityDbWeight::get().writes(20_u64))
	}
	fn set_rules() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads(20_u64))
			.saturating_add(ParityDbWeight::get().writes(20_u64))
	}
	fn on_period_final() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads(20_u64))
			.saturating_add(ParityDbWeight::get().writes(20_u64))
	}
}
