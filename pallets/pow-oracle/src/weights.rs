//! Weights for `pallet_pow_oracle`: PROVISIONAL until `scripts/benchmark.sh` measures them.

#![allow(missing_docs)]

use core::marker::PhantomData;
use polkadot_sdk::frame_support::{
	traits::Get,
	weights::{constants::ParityDbWeight, Weight},
};
use polkadot_sdk::frame_system;

/// Weight functions needed for `pallet_pow_oracle`.
pub trait WeightInfo {
	fn set_period_length() -> Weight;
	fn add_feeder() -> Weight;
	fn remove_feeder() -> Weight;
	fn feed_network_data() -> Weight;
	fn add_attestor() -> Weight;
	fn remove_attestor() -> Weight;
	fn report() -> Weight;
	fn attest() -> Weight;
	fn close() -> Weight;
	fn force_finalize() -> Weight;
	fn make_final() -> Weight;
	fn dispute() -> Weight;
	fn resolve_dispute() -> Weight;
	fn set_timing() -> Weight;
}

/// Weights for the runtime.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn set_period_length() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads_writes(10, 10))
	}
	fn add_feeder() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads_writes(10, 10))
	}
	fn remove_feeder() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads_writes(10, 10))
	}
	fn feed_network_data() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads_writes(10, 10))
	}
	fn add_attestor() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads_writes(10, 10))
	}
	fn remove_attestor() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads_writes(10, 10))
	}
	fn report() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads_writes(10, 10))
	}
	fn attest() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads_writes(10, 10))
	}
	fn close() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads_writes(10, 10))
	}
	fn force_finalize() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads_writes(10, 10))
	}
	fn make_final() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads_writes(10, 10))
	}
	fn dispute() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads_writes(10, 10))
	}
	fn resolve_dispute() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads_writes(10, 10))
	}
	fn set_timing() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads_writes(10, 10))
	}
}

impl WeightInfo for () {
	fn set_period_length() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads_writes(10, 10))
	}
	fn add_feeder() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads_writes(10, 10))
	}
	fn remove_feeder() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads_writes(10, 10))
	}
	fn feed_network_data() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads_writes(10, 10))
	}
	fn add_attestor() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads_writes(10, 10))
	}
	fn remove_attestor() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads_writes(10, 10))
	}
	fn report() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads_writes(10, 10))
	}
	fn attest() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads_writes(10, 10))
	}
	fn close() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads_writes(10, 10))
	}
	fn force_finalize() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads_writes(10, 10))
	}
	fn make_final() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads_writes(10, 10))
	}
	fn dispute() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads_writes(10, 10))
	}
	fn resolve_dispute() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads_writes(10, 10))
	}
	fn set_timing() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(ParityDbWeight::get().reads_writes(10, 10))
	}
}
