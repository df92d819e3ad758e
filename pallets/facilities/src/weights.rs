//! Weights for `pallet_facilities`: PROVISIONAL, replaced by `scripts/benchmark.sh` output.

#![allow(missing_docs)]

use core::marker::PhantomData;
use polkadot_sdk::frame_support::{
	traits::Get,
	weights::{constants::ParityDbWeight, Weight},
};
use polkadot_sdk::frame_system;

/// Weight functions needed for `pallet_facilities`.
pub trait WeightInfo {
	fn register() -> Weight;
	fn approve() -> Weight;
	fn reject() -> Weight;
	fn suspend() -> Weight;
	fn resume() -> Weight;
	fn retire() -> Weight;
	fn complete_retirement() -> Weight;
	fn propose_site_change() -> Weight;
	fn approve_site_change() -> Weight;
	fn reject_site_change() -> Weight;
	fn cancel_site_change() -> Weight;
	fn update_profile() -> Weight;
	fn add_reporter() -> Weight;
	fn remove_reporter() -> Weight;
	fn offer_operatorship() -> Weight;
	fn accept_operatorship() -> Weight;
	fn slash_deposit() -> Weight;
}

/// Weights measured on the reference machine.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn register() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(6, 6))
	}
	fn approve() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(6, 6))
	}
	fn reject() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(6, 6))
	}
	fn suspend() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(6, 6))
	}
	fn resume() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(6, 6))
	}
	fn retire() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(6, 6))
	}
	fn complete_retirement() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(6, 6))
	}
	fn propose_site_change() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(6, 6))
	}
	fn approve_site_change() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(6, 6))
	}
	fn reject_site_change() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(6, 6))
	}
	fn cancel_site_change() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(6, 6))
	}
	fn update_profile() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(6, 6))
	}
	fn add_reporter() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(6, 6))
	}
	fn remove_reporter() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(6, 6))
	}
	fn offer_operatorship() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(6, 6))
	}
	fn accept_operatorship() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(6, 6))
	}
	fn slash_deposit() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(6, 6))
	}
}

impl WeightInfo for () {
	fn register() -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(ParityDbWeight::get().reads_writes(6, 6))
	}
	fn approve() -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(ParityDbWeight::get().reads_writes(6, 6))
	}
	fn reject() -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(ParityDbWeight::get().reads_writes(6, 6))
	}
	fn suspend() -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(ParityDbWeight::get().reads_writes(6, 6))
	}
	fn resume() -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(ParityDbWeight::get().reads_writes(6, 6))
	}
	fn retire() -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(ParityDbWeight::get().reads_writes(6, 6))
	}
	fn complete_retirement() -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(ParityDbWeight::get().reads_writes(6, 6))
	}
	fn propose_site_change() -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(ParityDbWeight::get().reads_writes(6, 6))
	}
	fn approve_site_change() -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(ParityDbWeight::get().reads_writes(6, 6))
	}
	fn reject_site_change() -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(ParityDbWeight::get().reads_writes(6, 6))
	}
	fn cancel_site_change() -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(ParityDbWeight::get().reads_writes(6, 6))
	}
	fn update_profile() -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(ParityDbWeight::get().reads_writes(6, 6))
	}
	fn add_reporter() -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(ParityDbWeight::get().reads_writes(6, 6))
	}
	fn remove_reporter() -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(ParityDbWeight::get().reads_writes(6, 6))
	}
	fn offer_operatorship() -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(ParityDbWeight::get().reads_writes(6, 6))
	}
	fn accept_operatorship() -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(ParityDbWeight::get().reads_writes(6, 6))
	}
	fn slash_deposit() -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(ParityDbWeight::get().reads_writes(6, 6))
	}
}
