//! Benchmarks of every call and of the two hooks, each in its worst case: the first touch
//! of a period (its obligation computed and stored), a settlement paying the fee out, a
//! default that draws collateral, leaves debt and suspends the facility, a holder whose
//! record is full of periods to fold. `deposit` also takes the number of holders, to show
//! its cost does not depend on it.

use super::*;
use frame_support::{
	storage::{with_transaction, TransactionOutcome},
	traits::{EnsureOrigin, Get},
	BoundedVec,
};
use hashrate_primitives::{PeriodIndex, SeriesId};
use polkadot_sdk::{frame_benchmarking::v2::*, frame_system::RawOrigin};

const SEED: u32 = 0;
/// A clock in the 2020s.
const NOW: u64 = 1_764_000_000;
/// Payout asset each funded account gets: 100 BTC.
const SATS: PayoutBalance = 10_000_000_000;

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, SEED);
	T::BenchmarkHelper::fund_payout(&who, SATS);
	who
}

fn bounds<T: Config>(period: PeriodIndex) -> (u64, u64) {
	T::Oracle::period_bounds(period).expect("benchmark periods have bounds")
}

fn next(period: PeriodIndex) -> PeriodIndex {
	PeriodIndex(period.0 + 1)
}

/// An issued series of `holders` holders over `periods` periods starting after now.
fn series_with<T: Config>(holders: u32, periods: u32) -> (SeriesId, alloc::vec::Vec<T::AccountId>) {
	T::BenchmarkHelper::set_now(NOW);
	T::BenchmarkHelper::issued_series(holders, periods)
}

fn first_period<T: Config>(series: SeriesId) -> PeriodIndex {
	SeriesYields::<T>::get(series).expect("series seen at mint").next
}

/// What `series`' next period owes, without keeping the record.
fn owed<T: Config>(series: SeriesId) -> PayoutBalance {
	with_transaction(|| {
		let mut state = SeriesYields::<T>::get(series).expect("series seen");
		let period = state.next;
		let owed = Pallet::<T>::obligation(series, &mut state, period).map(|record| record.owed);
		TransactionOutcome::Rollback(Ok::<_, sp_runtime::DispatchError>(owed))
	})
	.and_then(|owed| owed)
	.expect("obligation computes")
}

/// Ends `period`, makes it final with an output that owes something, and pays it in full.
fn pay<T: Config>(series: SeriesId, period: PeriodIndex, payer: &T::AccountId) {
	T::BenchmarkHelper::set_now(bounds::<T>(period).1 + 1);
	T::BenchmarkHelper::finalize(series, period, 1_000, 1_000_000);
	let owed = owed::<T>(series);
	Pallet::<T>::do_deposit(payer, series, period, owed).expect("deposit settles");
}

/// Ends `period` as defaulted (unreported, no collateral) and defaults it after its deadline:
/// its holders are left debt.
fn default_with_debt<T: Config>(series: SeriesId, period: PeriodIndex) {
	T::BenchmarkHelper::set_now(bounds::<T>(period).1 + 1);
	T::BenchmarkHelper::finalize_defaulted(series, period);
	let deadline = {
		let mut state = SeriesYields::<T>::get(series).expect("series seen");
		let record = Pallet::<T>::obligation(series, &mut state, period).expect("final");
		SeriesYields::<T>::insert(series, state);
		record.deadline
	};
	T::BenchmarkHelper::set_now(deadline + 1);
	Pallet::<T>::do_trigger_default(series).expect("defaults");
}

/// A holder that moved tokens in each of `periods` periods, all of them (at least one)
/// then defaulted leaving debt, after part of an earlier debt was repaid: its record holds
/// that many periods to fold, each adding debt shares.
fn busy_holder<T: Config>(periods: u32, later: u32) -> (SeriesId, T::AccountId, PeriodIndex) {
	let settled = periods.max(1);
	let (series, holders) = series_with::<T>(2, 2 * settled + 2 + later);
	let (holder, other) = (holders[0].clone(), holders[1].clone());
	let first = first_period::<T>(series);
	for k in 0..periods {
		T::BenchmarkHelper::set_now(bounds::<T>(PeriodIndex(first.0 + k)).0 + 10);
		T::BenchmarkHelper::transfer(series, &holder, &other, 1);
	}
	for k in 0..settled {
		default_with_debt::<T>(series, PeriodIndex(first.0 + k));
		if k == 0 {
			// A partial repayment: the repaid-per-share figure is not zero.
			let payer = funded::<T>("payer", 0);
			let debt = SeriesYields::<T>::get(series).unwrap().debt;
			Pallet::<T>::do_repay_debt(&payer, series, debt / 2).expect("repays");
		}
	}
	(series, holder, PeriodIndex(first.0 + settled))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// A deposit that completes the payment of a period touched for the first time, with
	/// `h` holders (half of them traded inside the period).
	#[benchmark]
	fn deposit(h: Linear<1, DEPOSIT_WEIGHT_HOLDERS>) {
		let (series, holders) = series_with::<T>(h, 2);
		let first = first_period::<T>(series);
		T::BenchmarkHelper::set_now(bounds::<T>(first).0 + 100);
		for pair in holders.chunks(2) {
			if let [from, to] = pair {
				T::BenchmarkHelper::transfer(series, from, to, 1);
			}
		}
		T::BenchmarkHelper::set_now(bounds::<T>(first).1 + 1);
		T::BenchmarkHelper::finalize(series, first, 1_000, 1_000_000);
		let owed = owed::<T>(series);
		let payer = funded::<T>("payer", 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(payer), series, first, owed);

		assert_eq!(SeriesYields::<T>::get(series).unwrap().next, next(first));
	}

	/// Settles a period that owes nothing (delivered in full, nothing mined).
	#[benchmark]
	fn settle() {
		let (series, _) = series_with::<T>(2, 2);
		let first = first_period::<T>(series);
		T::BenchmarkHelper::set_now(bounds::<T>(first).1 + 1);
		// Far more hashrate than tokenized, nothing mined: nothing owed.
		T::BenchmarkHelper::finalize(series, first, 1_000_000_000, 0);
		let caller = funded::<T>("caller", 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), series);

		assert_eq!(SeriesYields::<T>::get(series).unwrap().next, next(first));
	}

	/// Defaults an unreported period the facility partly paid: collateral covers some, the
	/// rest is debt, and it is the facility's last allowed default (suspension).
	#[benchmark]
	fn trigger_default() {
		let (series, _) = series_with::<T>(2, 2);
		let first = first_period::<T>(series);
		T::BenchmarkHelper::set_now(bounds::<T>(first).1 + 1);
		T::BenchmarkHelper::finalize_defaulted(series, first);
		let owed = owed::<T>(series);
		assert!(owed > 4, "a defaulted period owes the network expectation");
		let payer = funded::<T>("payer", 0);
		Pallet::<T>::do_deposit(&payer, series, first, owed / 4).unwrap();
		T::BenchmarkHelper::add_collateral(series, owed / 4);
		let facility = SeriesYields::<T>::get(series).unwrap().economics.facility;
		// The limit less one defaulted periods just before: this one suspends.
		let limit = Rules::<T>::get().defaults_before_suspension;
		let earlier: alloc::vec::Vec<PeriodIndex> =
			(1..limit).rev().map(|back| PeriodIndex(first.0 - back)).collect();
		FacilityDefaults::<T>::insert(facility, BoundedVec::truncate_from(earlier));
		let deadline = PeriodYields::<T>::get(series, first).unwrap().deadline;
		T::BenchmarkHelper::set_now(deadline + 1);

		#[extrinsic_call]
		_(RawOrigin::Signed(payer), series);

		assert!(FacilityDebt::<T>::get(facility) > 0);
	}

	/// A claim that folds `e` settled periods of the holder's record (and the settled time
	/// since, through the index).
	#[benchmark]
	fn claim(e: Linear<0, { T::MaxUnsettledPeriods::get() }>) {
		let (series, holder, _) = busy_holder::<T>(e, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(holder.clone()), series);

		assert!(HolderYields::<T>::get(&holder, series).unwrap().accrual.unsettled.is_empty());
	}

	/// Claims from `n` series, one settled period each, in one transfer.
	#[benchmark]
	fn claim_many(n: Linear<1, { T::MaxClaimBatch::get() }>) {
		let payer = funded::<T>("payer", 0);
		let mut list = alloc::vec::Vec::new();
		let mut holder = None;
		for _ in 0..n {
			let (series, holders) = series_with::<T>(1, 1);
			let first = first_period::<T>(series);
			pay::<T>(series, first, &payer);
			holder = Some(holders[0].clone());
			list.push(series);
		}
		let holder = holder.expect("n >= 1");
		// Each series' only holder is the same benchmark account.
		let list: BoundedVec<SeriesId, T::MaxClaimBatch> = list.try_into().unwrap();

		#[extrinsic_call]
		_(RawOrigin::Signed(holder), list);
	}

	/// Repays debt (a default without collateral left it).
	#[benchmark]
	fn repay_debt() {
		let (series, _) = series_with::<T>(2, 3);
		let first = first_period::<T>(series);
		T::BenchmarkHelper::set_now(bounds::<T>(first).1 + 1);
		T::BenchmarkHelper::finalize_defaulted(series, first);
		let deadline = {
			let mut state = SeriesYields::<T>::get(series).unwrap();
			let record = Pallet::<T>::obligation(series, &mut state, first).unwrap();
			SeriesYields::<T>::insert(series, state);
			record.deadline
		};
		T::BenchmarkHelper::set_now(deadline + 1);
		Pallet::<T>::do_trigger_default(series).unwrap();
		let debt = SeriesYields::<T>::get(series).unwrap().debt;
		assert!(debt > 0);
		let payer = funded::<T>("payer", 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(payer), series, debt);

		assert_eq!(SeriesYields::<T>::get(series).unwrap().debt, 0);
	}

	/// Writes off the debt of a series whose every period settled.
	#[benchmark]
	fn write_off_debt() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let (series, _) = series_with::<T>(2, 1);
		let first = first_period::<T>(series);
		default_with_debt::<T>(series, first);
		assert!(SeriesYields::<T>::get(series).unwrap().debt > 0);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, series);

		assert_eq!(SeriesYields::<T>::get(series).unwrap().debt, 0);
		Ok(())
	}

	/// Removes `n` period records of a finished series (and, when they were the last, the
	/// series' record).
	#[benchmark]
	fn prune_series(n: Linear<1, MAX_PRUNE>) {
		let (series, holders) = series_with::<T>(1, n);
		let first = first_period::<T>(series);
		let payer = funded::<T>("payer", 0);
		for k in 0..n {
			pay::<T>(series, PeriodIndex(first.0 + k), &payer);
		}
		// Its holder left (records removed as the balance hook and claims remove them).
		HolderYields::<T>::remove(&holders[0], series);
		SeriesHolders::<T>::remove(series);
		let caller = funded::<T>("caller", 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), series);

		assert!(PeriodYields::<T>::iter_prefix(series).next().is_none());
	}

	#[benchmark]
	fn set_rules() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let rules = YieldRules::development();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, rules);

		assert_eq!(Rules::<T>::get(), rules);
		Ok(())
	}

	/// The balance hook for a holder whose record holds `e` settled periods to fold (a read
	/// each), `w` periods after them (each recorded).
	#[benchmark]
	fn before_balance_change(
		e: Linear<0, { T::MaxUnsettledPeriods::get() }>,
		w: Linear<0, { T::MaxUnsettledPeriods::get() }>,
	) {
		let (series, holder, after) = busy_holder::<T>(e, w);
		// The settled periods end where `after` starts: the record walks from there.
		let now = match w {
			0 => bounds::<T>(after).0,
			_ => bounds::<T>(PeriodIndex(after.0 + w - 1)).0 + 10,
		};
		T::BenchmarkHelper::set_now(now);

		#[block]
		{
			<Pallet<T> as OnTokenBalanceChange<T::AccountId>>::before_balance_change(
				series,
				&holder,
				T::Series::balance(series, &holder),
			)
			.unwrap();
		}

		assert_eq!(
			HolderYields::<T>::get(&holder, series).unwrap().accrual.unsettled.len() as u32,
			w
		);
	}

	/// The supply hook of a series none of whose periods settled, as many periods into its
	/// term as a record keeps.
	#[benchmark]
	fn before_supply_change() {
		let max = T::MaxUnsettledPeriods::get();
		let (series, _) = series_with::<T>(2, max + 2);
		let first = first_period::<T>(series);
		T::BenchmarkHelper::set_now(bounds::<T>(PeriodIndex(first.0 + max - 1)).0 + 10);

		#[block]
		{
			<Pallet<T> as OnTokenBalanceChange<T::AccountId>>::before_supply_change(series)
				.unwrap();
		}

		assert_eq!(SeriesYields::<T>::get(series).unwrap().supply.unsettled.len() as u32, max);
	}

	/// A facility's period becomes final with `s` of its series holding tokens in it: each
	/// series' supply over the period is read and their tokenized weights summed.
	#[benchmark]
	fn on_period_final(s: Linear<1, { T::MaxFacilitySeries::get() }>) {
		T::BenchmarkHelper::set_now(NOW);
		let mut series = alloc::vec::Vec::new();
		for _ in 0..s {
			series.push(T::BenchmarkHelper::issued_series(1, 2).0);
		}
		let period = first_period::<T>(series[0]);
		let facility = SeriesYields::<T>::get(series[0]).unwrap().economics.facility;
		T::BenchmarkHelper::set_now(bounds::<T>(period).1 + 1);
		T::BenchmarkHelper::finalize_defaulted(series[0], period);
		FinalPeriods::<T>::remove(facility, period);

		#[block]
		{
			<Pallet<T> as hashrate_primitives::OnPeriodFinal>::on_period_final(
				facility,
				period,
				&hashrate_primitives::PeriodOutcome::DefaultedByFacility,
			);
		}
		assert_eq!(FinalPeriods::<T>::get(facility, period).map(|f| f.pending), Some(s));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
