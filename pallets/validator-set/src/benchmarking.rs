//! Benchmarks of both calls in their worst case: the set one short of full (adding) or full
//! (removing its last member), so the membership scan reads every entry.

use super::*;
use alloc::vec::Vec;
use frame_support::traits::{EnsureOrigin, Get};
use polkadot_sdk::frame_benchmarking::v2::*;

const SEED: u32 = 0;

/// Fills the set with `size` fresh validators that have session keys.
fn fill_set<T: Config>(size: u32) -> Vec<T::AccountId> {
	let members: Vec<T::AccountId> = (0..size)
		.map(|i| {
			let who: T::AccountId = account("validator", i, SEED);
			T::BenchmarkHelper::register_keys(&who, i);
			who
		})
		.collect();
	Validators::<T>::put(BoundedVec::truncate_from(members.clone()));
	members
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn add_validator() -> Result<(), BenchmarkError> {
		let max = T::MaxValidators::get();
		fill_set::<T>(max.saturating_sub(1));
		let who: T::AccountId = account("candidate", 0, SEED);
		T::BenchmarkHelper::register_keys(&who, max);
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert_eq!(Validators::<T>::get().last(), Some(&who));
		assert!(SetChanged::<T>::get());
		Ok(())
	}

	#[benchmark]
	fn remove_validator() -> Result<(), BenchmarkError> {
		let max = T::MaxValidators::get();
		let members = fill_set::<T>(max.max(T::MinValidators::get().saturating_add(1)));
		let who = members.last().cloned().ok_or(BenchmarkError::Weightless)?;
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert!(!Validators::<T>::get().contains(&who));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
