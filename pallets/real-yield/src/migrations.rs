//! Storage migrations of the yield pallet.

use crate::*;
use frame_support::{
	migrations::VersionedMigration,
	pallet_prelude::*,
	traits::{Get, UncheckedOnRuntimeUpgrade},
};
use hashrate_primitives::PerMill;
use sp_runtime::traits::Saturating as _;

/// v1 -> v2: deadlines are fixed when a period becomes final, with what prices it
/// ([`FinalPeriods`] replaces `FinalizedAt`); defaults are counted per facility and period in
/// a window ([`FacilityDefaults`] replaces `DefaultCount`, [`YieldRules`] gains
/// `default_window`); debt is held as shares of the holders it shorted (period, series and
/// holder records gain their debt fields; repayments no longer wait for a settlement);
/// holder records are counted ([`SeriesHolders`]).
pub mod v2 {
	use super::*;
	use hashrate_primitives::{Hashrate, SeriesEconomics};
	use polkadot_sdk::sp_core::U256;

	/// v1 period record.
	#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
	pub struct PeriodYieldV1 {
		/// Final output.
		pub output: FinalOutput,
		/// Start.
		pub start: u64,
		/// End.
		pub end: u64,
		/// Supply-seconds.
		pub supply_seconds: U256,
		/// `T`.
		pub tokenized: Hashrate,
		/// Delivered.
		pub delivered: PayoutBalance,
		/// Undelivered.
		pub undelivered: PayoutBalance,
		/// Cost.
		pub cost: PayoutBalance,
		/// Fee.
		pub fee: PayoutBalance,
		/// Owed.
		pub owed: PayoutBalance,
		/// Paid.
		pub paid: PayoutBalance,
		/// Drawn.
		pub drawn: PayoutBalance,
		/// Debt.
		pub debt: PayoutBalance,
		/// Fee taken.
		pub fee_taken: PayoutBalance,
		/// Repayments distributed with it.
		pub credited: PayoutBalance,
		/// Final at.
		pub final_at: u64,
		/// Deadline.
		pub deadline: u64,
		/// Status.
		pub status: PeriodStatus,
		/// Rate.
		pub rate: U256,
		/// Index at start.
		pub index_at_start: U256,
	}

	/// v1 series record.
	#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
	pub struct SeriesYieldV1<Accrual> {
		/// Economics.
		pub economics: SeriesEconomics,
		/// Term start.
		pub term_start: u64,
		/// Next unsettled.
		pub next: PeriodIndex,
		/// Frontier.
		pub frontier: u64,
		/// Last settled at.
		pub last_settled_at: u64,
		/// Index.
		pub index: U256,
		/// Carry.
		pub carry: U256,
		/// Advance.
		pub advance: U256,
		/// Repayments waiting for the next settlement.
		pub credit: PayoutBalance,
		/// Supply accrual.
		pub supply: Accrual,
		/// Deposited.
		pub deposited: PayoutBalance,
		/// Drawn.
		pub drawn: PayoutBalance,
		/// Fees.
		pub fees: PayoutBalance,
		/// Distributed.
		pub distributed: PayoutBalance,
		/// Claimed.
		pub claimed: PayoutBalance,
		/// Debt.
		pub debt: PayoutBalance,
		/// Hashrate-seconds.
		pub hashrate_seconds: u128,
	}

	/// v1 holder record.
	#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
	pub struct HolderYieldV1<Accrual> {
		/// Accrual.
		pub accrual: Accrual,
		/// Earned.
		pub earned: U256,
	}

	/// Turns a v1 period record into v2: no debt shares (v1 debt had none).
	pub fn period_v2(old: PeriodYieldV1) -> PeriodYield {
		PeriodYield {
			output: old.output,
			start: old.start,
			end: old.end,
			supply_seconds: old.supply_seconds,
			tokenized: old.tokenized,
			delivered: old.delivered,
			undelivered: old.undelivered,
			cost: old.cost,
			fee: old.fee,
			owed: old.owed,
			paid: old.paid,
			drawn: old.drawn,
			debt: old.debt,
			fee_taken: old.fee_taken,
			final_at: old.final_at,
			deadline: old.deadline,
			status: old.status,
			rate: old.rate,
			index_at_start: old.index_at_start,
			debt_rates: DebtIndexes::default(),
			debt_epoch: 0,
			debt_at_start: DebtIndexes::default(),
		}
	}

	/// Turns a v1 series record into v2. Repayments v1 held for the next settlement join the
	/// carry (its next distribution, as v1 would have done); debt v1 left has no holders'
	/// shares, so its repayments will join the carry too.
	pub fn series_v2<S: Get<u32>>(old: SeriesYieldV1<Accrual<S>>) -> SeriesYield<S> {
		let waiting = U256::from(old.credit).saturating_mul(index_scale());
		SeriesYield {
			economics: old.economics,
			term_start: old.term_start,
			next: old.next,
			frontier: old.frontier,
			last_settled_at: old.last_settled_at,
			index: old.index,
			carry: old.carry.saturating_add(waiting),
			advance: old.advance,
			repaid: old.credit,
			carried_in: waiting,
			debt_book: DebtBook::new(),
			supply: old.supply,
			deposited: old.deposited,
			drawn: old.drawn,
			fees: old.fees,
			distributed: old.distributed,
			claimed: old.claimed,
			debt: old.debt,
			hashrate_seconds: old.hashrate_seconds,
		}
	}

	/// v1 payment rules.
	#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
	pub struct YieldRulesV1 {
		/// Seconds to pay.
		pub payment_window: u64,
		/// Defaults before suspension.
		pub defaults_before_suspension: u32,
		/// Protocol fee, per-mill.
		pub fee_per_mill: PerMill,
	}

	/// v1: when each facility's period became final.
	#[frame_support::storage_alias]
	pub(crate) type FinalizedAt<T: Config> =
		StorageDoubleMap<Pallet<T>, Twox64Concat, FacilityId, Twox64Concat, PeriodIndex, u64>;

	/// v1: each facility's defaults so far.
	#[frame_support::storage_alias]
	pub(crate) type DefaultCount<T: Config> =
		StorageMap<Pallet<T>, Twox64Concat, FacilityId, u32, ValueQuery>;

	/// Most v1 entries of each map the migration handles in its one block; a chain with more
	/// would need a multi-block migration (`do_try_state` would not see the rest, which only
	/// cost storage).
	pub const MAX_ENTRIES: u32 = 10_000;

	/// Translates period, series and holder records (see [`period_v2`], [`series_v2`];
	/// holders get no debt shares) and counts each series' holder records; adds the default
	/// window to the rules (the production default, 30 periods); turns each
	/// `FinalizedAt` entry a series still has to record into a [`FinalPeriods`] entry fixed
	/// at that time (output and network data from the oracle, deadline = then + payment
	/// window) and drops the rest (v1 never removed them); drops `DefaultCount` (v1 counted
	/// per series and never forgot: counting starts afresh, per period, in a window).
	pub struct UncheckedMigrateV1ToV2<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateV1ToV2<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut reads: u64 = 1;
			let mut writes: u64 = 1;
			let old =
				frame_support::storage::unhashed::get::<YieldRulesV1>(&Rules::<T>::hashed_key());
			let rules = match old {
				Some(old) => YieldRules {
					payment_window: old.payment_window,
					defaults_before_suspension: old
						.defaults_before_suspension
						.clamp(1, MAX_DEFAULTS_TRACKED),
					default_window: YieldRules::default().default_window,
					fee_per_mill: old.fee_per_mill,
				},
				None => YieldRules::default(),
			};
			Rules::<T>::put(rules);

			PeriodYields::<T>::translate::<PeriodYieldV1, _>(|_, _, old| {
				reads += 1;
				writes += 1;
				Some(period_v2(old))
			});
			SeriesYields::<T>::translate::<SeriesYieldV1<Accrual<T::MaxUnsettledPeriods>>, _>(
				|_, old| {
					reads += 1;
					writes += 1;
					Some(series_v2(old))
				},
			);
			let mut counts: alloc::collections::BTreeMap<SeriesId, u32> = Default::default();
			HolderYields::<T>::translate::<HolderYieldV1<Accrual<T::MaxUnsettledPeriods>>, _>(
				|_, series, old| {
					reads += 1;
					writes += 1;
					*counts.entry(series).or_default() += 1;
					Some(HolderYield {
						accrual: old.accrual,
						earned: old.earned,
						debt: Default::default(),
					})
				},
			);
			for (series, records) in counts {
				writes += 1;
				SeriesHolders::<T>::insert(series, HolderCount { records, rest: U256::zero() });
			}

			let finalized: alloc::vec::Vec<(FacilityId, PeriodIndex, u64)> =
				FinalizedAt::<T>::iter().take(MAX_ENTRIES as usize).collect();
			for (facility, period, at) in finalized {
				reads = reads.saturating_add(3);
				FinalizedAt::<T>::remove(facility, period);
				writes = writes.saturating_add(1);
				if let Some(outcome) = T::Oracle::final_outcome(facility, period) {
					// Reads each of the facility's series; writes one entry if any is pending.
					reads = reads.saturating_add(u64::from(T::MaxFacilitySeries::get()) * 2);
					if Pallet::<T>::fix_final_period_at(facility, period, &outcome, at).is_some() {
						writes = writes.saturating_add(1);
					}
				}
			}
			// Counted by iterating: what `clear` reports counts only keys of the committed
			// backend.
			let defaults = DefaultCount::<T>::iter_keys().take(MAX_ENTRIES as usize).count();
			let _ = DefaultCount::<T>::clear(MAX_ENTRIES, None);
			reads = reads.saturating_add(defaults as u64);
			writes = writes.saturating_add(defaults as u64);
			T::DbWeight::get().reads_writes(reads, writes)
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(_: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			ensure!(FinalizedAt::<T>::iter().next().is_none(), "FinalizedAt left");
			ensure!(DefaultCount::<T>::iter().next().is_none(), "DefaultCount left");
			Pallet::<T>::do_try_state()
		}
	}

	/// [`UncheckedMigrateV1ToV2`] run once, from storage version 1 to 2.
	pub type MigrateV1ToV2<T> = VersionedMigration<
		1,
		2,
		UncheckedMigrateV1ToV2<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// v2 -> v3: the chain moves series on by itself ([`DueQueue`]). Queues every series that has
/// an unsettled period of its term now (settled at once if paid or owing nothing), and at the
/// second after the deadline of each of its final periods not settled (defaulted then if
/// unpaid).
pub mod v3 {
	use super::*;

	/// Queues what v2 left to `settle` and `trigger_default` (one pass over the series, the
	/// final periods and the period records: single-block).
	pub struct UncheckedMigrateV2ToV3<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateV2ToV3<T> {
		fn on_runtime_upgrade() -> Weight {
			let now = Pallet::<T>::now();
			let (mut reads, mut writes) = (1u64, 0u64);
			let mut live = alloc::collections::BTreeMap::new();
			for (series, state) in SeriesYields::<T>::iter() {
				reads.saturating_inc();
				if state.next <= state.economics.last_period {
					Pallet::<T>::queue(now, series);
					writes.saturating_inc();
					live.insert(series, state);
				}
			}
			// Final periods no series recorded yet: each pending series at the deadline.
			for (facility, period, fixed) in FinalPeriods::<T>::iter() {
				reads.saturating_inc();
				for (series, state) in live.iter() {
					reads.saturating_inc();
					let economics = &state.economics;
					if economics.facility == facility
						&& period >= state.next
						&& period <= economics.last_period
						&& !PeriodYields::<T>::contains_key(series, period)
					{
						Pallet::<T>::queue(fixed.deadline.saturating_add(1), *series);
						writes.saturating_inc();
					}
				}
			}
			// Recorded and not settled: at the deadline.
			for (series, period, record) in PeriodYields::<T>::iter() {
				reads.saturating_inc();
				if live.get(&series).is_some_and(|state| period >= state.next) {
					Pallet::<T>::queue(record.deadline.saturating_add(1), series);
					writes.saturating_inc();
				}
			}
			T::DbWeight::get().reads_writes(reads, writes)
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(_: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			Pallet::<T>::do_try_state()
		}
	}

	/// [`UncheckedMigrateV2ToV3`] run once, from storage version 2 to 3.
	pub type MigrateV2ToV3<T> = VersionedMigration<
		2,
		3,
		UncheckedMigrateV2ToV3<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
