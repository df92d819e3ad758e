//! Benchmarks of every call and of the oracle hook, each in its worst case: a facility with
//! as many series as allowed (the tokenized sum reads each), full-length names, new holder
//! records, the most subscribers an offering may have.

use super::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	Get,
};
use hashrate_primitives::{Hashrate, PeriodIndex, Sats};
use polkadot_sdk::{
	frame_benchmarking::v2::*, frame_system::RawOrigin, sp_runtime::traits::Saturating,
};

const SEED: u32 = 0;
/// A clock in the 2020s, the start of a period whatever the length.
const NOW: u64 = 1_764_000_000;
/// Final hashrate of the benchmark facility: 10 EH/s, so backing never limits.
const BACKING_THS: u128 = 10_000_000;
/// Units each benchmark subscriber subscribes: 1,000 tokens of 1 TH/s.
const UNITS: TokenBalance = 100_000;
/// Payout asset each funded account gets: 100 BTC.
const SATS: PayoutBalance = 10_000_000_000;

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, SEED);
	let amount = T::Currency::minimum_balance().saturating_mul(1_000_000_000u32.into());
	T::Currency::set_balance(&who, amount);
	T::BenchmarkHelper::fund_payout(&who, SATS);
	who
}

fn terms<T: Config>() -> SeriesTerms {
	let first = PeriodIndex(T::Oracle::current_period().0 + 10);
	SeriesTerms {
		name: SeriesName::truncate_from(alloc::vec![b'N'; MAX_NAME_LEN as usize]),
		symbol: Symbol::truncate_from(alloc::vec![b'H'; MAX_SYMBOL_LEN as usize]),
		decimals: 2,
		hashrate_per_token: Hashrate::from_ths(1).unwrap(),
		first_period: first,
		last_period: PeriodIndex(first.0 + 9),
		cost_per_th_day: Sats(10),
		supply_cap: 1_000_000_000_000,
		min_balance: 100,
	}
}

fn offering_terms<T: Config>() -> OfferingTerms {
	let (start, _) = T::Oracle::period_bounds(terms::<T>().first_period).unwrap();
	OfferingTerms {
		price: 50_000,
		// The last second before the term: an offering closed once the term started fails.
		closes: start - 1,
		soft_cap: 100,
		hard_cap: 1_000_000_000_000,
		min_subscription: 100,
	}
}

/// An active facility with `k` final periods at [`BACKING_THS`] before the current one (and
/// network data), its backing taken, and as many offered series as allowed but one.
struct Setup<T: Config> {
	operator: T::AccountId,
	facility: FacilityId,
}

/// Sets the clock to `secs` and gives `facility` fresh backing: the periods before the
/// current one final at [`BACKING_THS`], announced.
fn at_time_with_backing<T: Config>(secs: u64, facility: FacilityId) {
	T::BenchmarkHelper::set_now(secs);
	let current = T::Oracle::current_period();
	T::BenchmarkHelper::finalize_periods(facility, current, MAX_BACKING_PERIODS, BACKING_THS);
	Pallet::<T>::note_period_final(facility, PeriodIndex(current.0 - 1));
	assert!(Pallet::<T>::fresh_backing(facility).is_some());
}

fn setup<T: Config>() -> Setup<T> {
	let operator = funded::<T>("operator", 0);
	let facility = T::Facilities::benchmark_active_facility(operator.clone()).unwrap();
	at_time_with_backing::<T>(NOW, facility);
	for _ in 1..T::MaxSeriesPerFacility::get() {
		let series =
			Pallet::<T>::do_create_series(operator.clone(), facility, terms::<T>()).unwrap();
		Pallet::<T>::do_open_offering(operator.clone(), series, offering_terms::<T>()).unwrap();
	}
	Setup { operator, facility }
}

/// A created series of `s`.
fn created<T: Config>(s: &Setup<T>) -> SeriesId {
	Pallet::<T>::do_create_series(s.operator.clone(), s.facility, terms::<T>()).unwrap()
}

/// A series with an open offering and `n` subscribers of [`UNITS`] each.
fn subscribed<T: Config>(s: &Setup<T>, n: u32) -> (SeriesId, alloc::vec::Vec<T::AccountId>) {
	let series = created(s);
	Pallet::<T>::do_open_offering(s.operator.clone(), series, offering_terms::<T>()).unwrap();
	let buyers: alloc::vec::Vec<_> = (0..n).map(|i| funded::<T>("buyer", i)).collect();
	for buyer in &buyers {
		Pallet::<T>::do_subscribe(buyer.clone(), series, UNITS).unwrap();
	}
	(series, buyers)
}

/// A series with `n` holders of [`UNITS`] each (closed offering, proceeds not withdrawn).
fn issued<T: Config>(s: &Setup<T>, n: u32) -> (SeriesId, alloc::vec::Vec<T::AccountId>) {
	let (series, buyers) = subscribed(s, n);
	Pallet::<T>::do_add_collateral(s.operator.clone(), series, SATS / 10).unwrap();
	at_time_with_backing::<T>(offering_terms::<T>().closes, s.facility);
	Pallet::<T>::do_close_offering(series).unwrap();
	(series, buyers)
}

/// Moves the clock past `series`' last period.
fn mature<T: Config>(series: SeriesId) {
	let last = Series::<T>::get(series).unwrap().terms.last_period;
	let (_, end) = T::Oracle::period_bounds(last).unwrap();
	T::BenchmarkHelper::set_now(end);
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn create_series() {
		let s = setup::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(s.operator.clone()), s.facility, terms::<T>());
		assert_eq!(
			FacilitySeries::<T>::get(s.facility).len() as u32,
			T::MaxSeriesPerFacility::get()
		);
	}

	#[benchmark]
	fn update_terms() {
		let s = setup::<T>();
		let series = created(&s);
		let new = SeriesTerms { cost_per_th_day: Sats(11), ..terms::<T>() };
		#[extrinsic_call]
		_(RawOrigin::Signed(s.operator.clone()), series, new);
		assert_eq!(Series::<T>::get(series).unwrap().terms.cost_per_th_day, Sats(11));
	}

	#[benchmark]
	fn cancel_series() {
		let s = setup::<T>();
		let series = created(&s);
		Pallet::<T>::do_add_collateral(s.operator.clone(), series, 1_000_000).unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(s.operator.clone()), series);
		assert!(Series::<T>::get(series).is_none());
	}

	#[benchmark]
	fn add_collateral() {
		let s = setup::<T>();
		let series = created(&s);
		#[extrinsic_call]
		_(RawOrigin::Signed(s.operator.clone()), series, 1_000_000);
		assert_eq!(Series::<T>::get(series).unwrap().collateral, 1_000_000);
	}

	#[benchmark]
	fn open_offering() {
		let s = setup::<T>();
		let series = created(&s);
		#[extrinsic_call]
		_(RawOrigin::Signed(s.operator.clone()), series, offering_terms::<T>());
		assert!(Offerings::<T>::contains_key(series));
	}

	#[benchmark]
	fn subscribe() {
		let s = setup::<T>();
		let (series, _) = subscribed(&s, 1);
		let buyer = funded::<T>("new buyer", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(buyer.clone()), series, UNITS);
		assert_eq!(Offerings::<T>::get(series).unwrap().sold, 2 * UNITS);
	}

	#[benchmark]
	fn close_offering(n: Linear<0, { T::MaxSubscribers::get() }>) {
		let s = setup::<T>();
		let (series, buyers) = subscribed(&s, n);
		Pallet::<T>::do_add_collateral(s.operator.clone(), series, SATS / 10).unwrap();
		at_time_with_backing::<T>(offering_terms::<T>().closes, s.facility);
		#[extrinsic_call]
		_(RawOrigin::Signed(s.operator.clone()), series);
		let supply = Series::<T>::get(series).unwrap().supply;
		assert_eq!(supply, UNITS * TokenBalance::from(n));
		assert_eq!(buyers.len() as u32, n);
	}

	#[benchmark]
	fn refund() {
		let s = setup::<T>();
		// Two subscribers under a soft cap of three: the offering fails and is kept.
		let (series, buyers) = subscribed(&s, 2);
		Offerings::<T>::mutate(series, |o| {
			if let Some(o) = o.as_mut() {
				o.terms.soft_cap = 3 * UNITS;
			}
		});
		T::BenchmarkHelper::set_now(offering_terms::<T>().closes);
		Pallet::<T>::do_close_offering(series).unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(s.operator.clone()), series, buyers[0].clone());
		assert_eq!(Offerings::<T>::get(series).unwrap().subscribers, 1);
	}

	#[benchmark]
	fn withdraw_proceeds() {
		let s = setup::<T>();
		let (series, _) = issued(&s, 1);
		#[extrinsic_call]
		_(RawOrigin::Signed(s.operator.clone()), series);
		assert!(Offerings::<T>::get(series).is_none());
	}

	#[benchmark]
	fn transfer() {
		let s = setup::<T>();
		let (series, buyers) = issued(&s, 1);
		let to: T::AccountId = account("new holder", 0, SEED);
		#[extrinsic_call]
		_(RawOrigin::Signed(buyers[0].clone()), series, to.clone(), UNITS / 2);
		assert_eq!(Holdings::<T>::get(&to, series), UNITS / 2);
	}

	#[benchmark]
	fn approve_transfer() {
		let s = setup::<T>();
		let (series, buyers) = issued(&s, 1);
		let spender: T::AccountId = account("spender", 0, SEED);
		#[extrinsic_call]
		_(RawOrigin::Signed(buyers[0].clone()), series, spender.clone(), UNITS);
		assert!(Approvals::<T>::contains_key((series, buyers[0].clone(), spender)));
	}

	#[benchmark]
	fn transfer_from() {
		let s = setup::<T>();
		let (series, buyers) = issued(&s, 1);
		let spender = funded::<T>("spender", 0);
		let to: T::AccountId = account("new holder", 0, SEED);
		Pallet::<T>::do_approve(series, buyers[0].clone(), spender.clone(), UNITS / 2).unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(spender.clone()), series, buyers[0].clone(), to.clone(), UNITS / 2);
		assert!(!Approvals::<T>::contains_key((series, buyers[0].clone(), spender)));
	}

	#[benchmark]
	fn burn() {
		let s = setup::<T>();
		let (series, buyers) = issued(&s, 1);
		mature::<T>(series);
		#[extrinsic_call]
		_(RawOrigin::Signed(buyers[0].clone()), series, UNITS / 2);
		assert_eq!(Series::<T>::get(series).unwrap().supply, UNITS / 2);
	}

	#[benchmark]
	fn release_collateral() {
		let s = setup::<T>();
		let (series, _) = issued(&s, 1);
		mature::<T>(series);
		T::BenchmarkHelper::settle_periods(series);
		#[extrinsic_call]
		_(RawOrigin::Signed(s.operator.clone()), series);
		assert_eq!(Series::<T>::get(series).unwrap().collateral, 0);
	}

	#[benchmark]
	fn close_series() {
		let s = setup::<T>();
		let (series, buyers) = issued(&s, 1);
		mature::<T>(series);
		T::BenchmarkHelper::settle_periods(series);
		Pallet::<T>::do_burn(series, buyers[0].clone(), UNITS).unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(s.operator.clone()), series);
		assert!(Series::<T>::get(series).is_none());
	}

	#[benchmark]
	fn set_rules() {
		let rules = IssuanceRules { backing_periods: 7, ..IssuanceRules::production() };
		#[extrinsic_call]
		_(RawOrigin::Root, rules);
		assert_eq!(Rules::<T>::get(), rules);
	}

	/// The oracle hook: an average over the most periods allowed, a facility with as many
	/// live series as allowed, and a shortfall to report.
	#[benchmark]
	fn on_period_final() {
		let s = setup::<T>();
		Rules::<T>::mutate(|rules| rules.backing_periods = MAX_BACKING_PERIODS);
		let (series, _) = subscribed(&s, 1);
		let current = T::Oracle::current_period();
		// Periods at a tenth of a TH/s: the facility is short.
		T::BenchmarkHelper::finalize_periods(
			s.facility,
			PeriodIndex(current.0 + 1),
			MAX_BACKING_PERIODS,
			0,
		);
		#[block]
		{
			Pallet::<T>::note_period_final(s.facility, current);
		}
		assert!(Backings::<T>::get(s.facility).unwrap().short);
		assert!(Series::<T>::get(series).unwrap().reserved > 0);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
