//! Obligations, settlement, the index and holders' accrual.

use crate::*;
use alloc::vec::Vec;
use frame_support::{
	defensive, ensure,
	storage::with_storage_layer,
	traits::{
		fungible::{Inspect, Mutate},
		tokens::{DepositConsequence, Fortitude, Preservation, Provenance},
		Get, UnixTime,
	},
};
use hashrate_primitives::{
	physics, FacilityInspect, Hashrate, PeriodOutcome, SeriesEconomics, SuspensionReason,
};
use polkadot_sdk::sp_core::{U256, U512};
use sp_runtime::{
	traits::{AccountIdConversion, Zero},
	DispatchError, DispatchResult,
};

/// Seconds in a day: cost terms and yield figures are per TH/s per day.
pub const SECONDS_PER_DAY: u64 = 86_400;

type AccrualOf<T> = Accrual<<T as Config>::MaxUnsettledPeriods>;
/// A series' record in this pallet's runtime.
pub type SeriesYieldOf<T> = SeriesYield<<T as Config>::MaxUnsettledPeriods>;
/// A holder's record in this pallet's runtime.
pub type HolderYieldOf<T> = HolderYield<<T as Config>::MaxUnsettledPeriods>;

fn to_u128(value: U256) -> Option<u128> {
	u128::try_from(value).ok()
}

/// `floor(a x b / c)` through 512 bits; `None` when `c` is zero or the result exceeds 256 bits.
pub(crate) fn mul_div_floor_256(a: U256, b: U256, c: U256) -> Option<U256> {
	if c.is_zero() {
		return None;
	}
	let product = a.full_mul(b);
	U256::try_from(product / U512::from(c)).ok()
}

/// `ceil(a x b / c)` through 512 bits; `None` when `c` is zero or the result exceeds 256 bits.
pub(crate) fn mul_div_ceil_256(a: U256, b: U256, c: U256) -> Option<U256> {
	if c.is_zero() {
		return None;
	}
	let (quotient, remainder) = a.full_mul(b).div_mod(U512::from(c));
	let rounded = if remainder.is_zero() { quotient } else { quotient.checked_add(U512::one())? };
	U256::try_from(rounded).ok()
}

/// `ceil(a x b / c)` in 256 bits; `None` when `c` is zero or the result exceeds `u128`.
fn mul_div_ceil(a: u128, b: u128, c: U256) -> Option<u128> {
	if c.is_zero() {
		return None;
	}
	let (quotient, remainder) = U256::from(a).checked_mul(U256::from(b))?.div_mod(c);
	let rounded = if remainder.is_zero() { quotient } else { quotient.checked_add(U256::one())? };
	to_u128(rounded)
}

impl<T: Config> Pallet<T> {
	/// The chain's clock, unix seconds.
	pub fn now() -> u64 {
		T::Time::now().as_secs()
	}

	/// The account holding deposits, drawn collateral and unclaimed yield.
	pub fn pot_account() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	pub(crate) fn rules_valid(rules: &YieldRules) -> bool {
		rules.payment_window > 0
			&& (1..=MAX_DEFAULTS_TRACKED).contains(&rules.defaults_before_suspension)
			&& rules.default_window > 0
			&& rules.fee_per_mill <= MAX_FEE_PER_MILL
	}

	/// Whether periods final up to `finality_horizon` seconds after their end, `period_length`
	/// long, paid within `payment_window`, leave a backlog records can keep: the periods a
	/// deadline can lie behind a period's end, plus the period being held and the one being
	/// settled.
	pub fn backlog_fits_window(
		finality_horizon: u64,
		period_length: u64,
		payment_window: u64,
	) -> bool {
		Self::backlog_periods(finality_horizon, period_length, payment_window)
			.is_some_and(|periods| periods <= u64::from(T::MaxUnsettledPeriods::get()))
	}

	/// The periods [`Self::backlog_fits_window`] counts; `None` for periods of no length.
	fn backlog_periods(
		finality_horizon: u64,
		period_length: u64,
		payment_window: u64,
	) -> Option<u64> {
		if period_length == 0 {
			return None;
		}
		let periods = finality_horizon.saturating_add(payment_window).div_ceil(period_length);
		Some(periods.saturating_add(2))
	}

	/// What folding `folded` settled periods into a record and walking `walked` periods to
	/// record adds to a balance change, over a change with neither (the case the token
	/// pallet's benchmarks include).
	pub fn folding_weight(folded: u32, walked: u32) -> frame_support::weights::Weight {
		T::WeightInfo::before_balance_change(folded, walked)
			.saturating_sub(T::WeightInfo::before_balance_change(0, 0))
	}

	/// [`Self::backlog_fits_window`] for the oracle's windows and period lengths and `rules`.
	pub(crate) fn backlog_fits_with(rules: &YieldRules) -> bool {
		Self::backlog_fits_window(
			T::Oracle::finality_horizon(),
			T::Oracle::shortest_period_length(),
			rules.payment_window,
		)
	}

	fn bounds(period: PeriodIndex) -> Result<(u64, u64), DispatchError> {
		T::Oracle::period_bounds(period).ok_or_else(|| Error::<T>::NoPeriodBounds.into())
	}

	fn next_period(period: PeriodIndex) -> Result<PeriodIndex, DispatchError> {
		period.0.checked_add(1).map(PeriodIndex).ok_or_else(|| Error::<T>::Overflow.into())
	}

	/// An accrual starting now, clamped to the term.
	fn fresh_accrual(economics: &SeriesEconomics) -> Result<AccrualOf<T>, DispatchError> {
		let now = Self::now();
		let (term_start, _) = Self::bounds(economics.first_period)?;
		let (_, term_end) = Self::bounds(economics.last_period)?;
		let (period, at) = if now <= term_start {
			(economics.first_period, term_start)
		} else if now >= term_end {
			(Self::next_period(economics.last_period)?, term_end)
		} else {
			(T::Oracle::current_period(), now)
		};
		Ok(Accrual { period, at, unsettled: Default::default() })
	}

	/// The series' record, or a new one for a series seen for the first time.
	pub(crate) fn series_or_new(series: SeriesId) -> Result<SeriesYieldOf<T>, DispatchError> {
		if let Some(state) = SeriesYields::<T>::get(series) {
			return Ok(state);
		}
		let economics = T::Series::economics(series).ok_or(Error::<T>::UnknownSeries)?;
		let (term_start, _) = Self::bounds(economics.first_period)?;
		Ok(SeriesYield {
			economics,
			term_start,
			next: economics.first_period,
			frontier: term_start,
			last_settled_at: Self::now(),
			index: U256::zero(),
			carry: U256::zero(),
			advance: U256::zero(),
			repaid: 0,
			carried_in: U256::zero(),
			debt_book: DebtBook::new(),
			supply: Self::fresh_accrual(&economics)?,
			deposited: 0,
			drawn: 0,
			fees: 0,
			distributed: 0,
			claimed: 0,
			debt: 0,
			hashrate_seconds: 0,
		})
	}

	/// Accounts `balance` held from `accrual.at` until `until` (period `until_period`) in
	/// per-period unit-seconds. Periods before `accrual.period` must be settled already;
	/// stops at the end of the term. Returns how many periods it walked.
	pub(crate) fn advance(
		accrual: &mut AccrualOf<T>,
		balance: u128,
		until: u64,
		until_period: PeriodIndex,
		last: PeriodIndex,
	) -> Result<u32, DispatchError> {
		if balance == 0 {
			// Nothing to record: jump (keeps the walk bounded however long the gap).
			if until > accrual.at && accrual.period <= last {
				if until_period > last {
					accrual.period = Self::next_period(last)?;
					accrual.at = Self::bounds(last)?.1;
				} else if until_period > accrual.period {
					accrual.period = until_period;
					accrual.at = until.max(Self::bounds(until_period)?.0);
				} else {
					accrual.at = until;
				}
			}
			return Ok(0);
		}
		let mut walked = 0u32;
		// Each turn records one period or stops, and records are bounded: at most
		// `MaxUnsettledPeriods + 1` turns before `SettlementBacklog`.
		while accrual.period <= last && accrual.at < until {
			walked = walked.saturating_add(1);
			let (start, end) = Self::bounds(accrual.period)?;
			let from = accrual.at.max(start);
			let to = end.min(until);
			if to > from {
				let seconds = U256::from(to - from);
				let amount =
					U256::from(balance).checked_mul(seconds).ok_or(Error::<T>::Overflow)?;
				match accrual.unsettled.last_mut() {
					Some((period, total)) if *period == accrual.period => {
						*total = total.checked_add(amount).ok_or(Error::<T>::Overflow)?;
					},
					_ => accrual
						.unsettled
						.try_push((accrual.period, amount))
						.map_err(|_| Error::<T>::SettlementBacklog)?,
				}
			}
			if to == end {
				accrual.period = Self::next_period(accrual.period)?;
				accrual.at = end;
			} else {
				accrual.at = to;
			}
		}
		Ok(walked)
	}

	/// Brings `holder` (holding `balance` since its last update) up to the series' settled
	/// frontier: folds unit-seconds of periods settled since, and earns `balance x (index
	/// at the frontier - index at its checkpoint)` for settled time not yet counted; the same
	/// for the debt it was shorted and what has been repaid of it. Reads only; the caller
	/// stores the result. Returns how many unsettled periods it folded.
	pub(crate) fn settle_holder(
		series: SeriesId,
		state: &SeriesYieldOf<T>,
		holder: &mut HolderYieldOf<T>,
		balance: u128,
	) -> Result<u32, DispatchError> {
		let book = &state.debt_book;
		Self::credit_holder_debt(book, holder)?;
		let mut folded = 0u32;
		while let Some(&(period, amount)) = holder.accrual.unsettled.first() {
			if period >= state.next {
				break;
			}
			holder.accrual.unsettled.remove(0);
			folded = folded.saturating_add(1);
			let Some(record) = PeriodYields::<T>::get(series, period) else {
				defensive!("a settled period has a record");
				continue;
			};
			let earned = amount.checked_mul(record.rate).ok_or(Error::<T>::Overflow)?;
			holder.earned = holder.earned.checked_add(earned).ok_or(Error::<T>::Overflow)?;
			if !record.debt_rates.face.is_zero() {
				let part = record.debt_rates.times(amount);
				Self::add_holder_debt(book, holder, record.debt_epoch, part)?;
			}
		}
		if holder.accrual.period < state.next {
			if balance > 0 {
				let (from, mut debt_from) =
					match PeriodYields::<T>::get(series, holder.accrual.period) {
						Some(record) => {
							(record.index_at(holder.accrual.at), record.debt_at(holder.accrual.at))
						},
						None => {
							defensive!("a settled period has a record");
							(state.index, book.indexes)
						},
					};
				let units = U256::from(balance);
				let earned = units
					.checked_mul(state.index.saturating_sub(from))
					.ok_or(Error::<T>::Overflow)?;
				holder.earned = holder.earned.checked_add(earned).ok_or(Error::<T>::Overflow)?;
				if holder.accrual.at < book.epoch_start {
					// Debt of earlier epochs: repaid in full.
					let repaid = units
						.checked_mul(book.epoch_indexes.face.saturating_sub(debt_from.face))
						.ok_or(Error::<T>::Overflow)?;
					holder.earned =
						holder.earned.checked_add(repaid).ok_or(Error::<T>::Overflow)?;
					debt_from = book.epoch_indexes;
				}
				let part = book.indexes.since(&debt_from).times(units);
				if !part.face.is_zero() {
					Self::add_holder_debt(book, holder, book.epoch, part)?;
				}
			}
			holder.accrual.period = state.next;
			holder.accrual.at = state.frontier;
		}
		Ok(folded)
	}

	/// Credits `holder` what was repaid of its debt shares since it was last brought up to
	/// date: all its unpaid face if their epoch ended (repaid in full), else its shares x the
	/// rise of repaid-per-share. Voids what is left when the debt was written off.
	fn credit_holder_debt(book: &DebtBook, holder: &mut HolderYieldOf<T>) -> DispatchResult {
		let debt = &mut holder.debt;
		let repaid = if debt.epoch < book.epoch {
			debt.shares = U256::zero();
			debt.epoch = book.epoch;
			core::mem::take(&mut debt.unpaid)
		} else {
			let rise = book.repaid_per_share.saturating_sub(debt.repaid_checkpoint);
			let repaid = mul_div_floor_256(debt.shares, rise, share_one())
				.ok_or(Error::<T>::Overflow)?
				.min(debt.unpaid);
			debt.unpaid = debt.unpaid.saturating_sub(repaid);
			repaid
		};
		debt.repaid_checkpoint = book.repaid_per_share;
		if book.written_off || debt.unpaid.is_zero() {
			debt.shares = U256::zero();
			debt.unpaid = U256::zero();
		}
		holder.earned = holder.earned.checked_add(repaid).ok_or(Error::<T>::Overflow)?;
		Ok(())
	}

	/// Adds debt `part` (face, shares, issued-repaid) issued in `epoch` to `holder`, already
	/// credited up to now: what was repaid of it since it was issued is earned, the rest
	/// joins the holder's unpaid face (unless written off).
	fn add_holder_debt(
		book: &DebtBook,
		holder: &mut HolderYieldOf<T>,
		epoch: u32,
		part: DebtIndexes,
	) -> DispatchResult {
		let repaid = if epoch < book.epoch {
			part.face
		} else {
			mul_div_floor_256(part.shares, book.repaid_per_share, share_one())
				.ok_or(Error::<T>::Overflow)?
				.saturating_sub(part.issued_repaid)
				.min(part.face)
		};
		holder.earned = holder.earned.checked_add(repaid).ok_or(Error::<T>::Overflow)?;
		if epoch == book.epoch && !book.written_off {
			let debt = &mut holder.debt;
			debt.shares = debt.shares.checked_add(part.shares).ok_or(Error::<T>::Overflow)?;
			debt.unpaid = debt
				.unpaid
				.checked_add(part.face.saturating_sub(repaid))
				.ok_or(Error::<T>::Overflow)?;
		}
		Ok(())
	}

	/// Whether `holder` (holding `balance`, brought up to date) has nothing held, owed or
	/// claimable left: no balance, no unsettled time, no unpaid debt, less than a sat earned.
	pub(crate) fn holder_is_empty(holder: &HolderYieldOf<T>, balance: u128) -> bool {
		balance == 0
			&& holder.accrual.unsettled.is_empty()
			&& holder.debt.unpaid.is_zero()
			&& holder.earned < index_scale()
	}

	/// Brings the series' time-weighted supply up to now, before the supply changes (the
	/// [`OnTokenBalanceChange`] supply hook: mint and burn only).
	pub(crate) fn update_before_supply_change(series: SeriesId) -> DispatchResult {
		let mut state = Self::series_or_new(series)?;
		let last = state.economics.last_period;
		let supply = T::Series::supply(series);
		Self::advance(&mut state.supply, supply, Self::now(), T::Oracle::current_period(), last)?;
		SeriesYields::<T>::insert(series, state);
		Ok(())
	}

	/// Brings `who`'s record up to now, before `who`'s balance changes (the
	/// [`OnTokenBalanceChange`] balance hook). The series' record is only read (written once,
	/// when the series is first seen): a transfer leaves the supply as it is. Returns how many
	/// settled periods it read (those the record held, and the one it caught up from) and how
	/// many periods it walked to record.
	pub(crate) fn update_before_change(
		series: SeriesId,
		who: &T::AccountId,
		new_balance: u128,
	) -> Result<(u32, u32), DispatchError> {
		let (state, new) = match SeriesYields::<T>::get(series) {
			Some(state) => (state, false),
			None => (Self::series_or_new(series)?, true),
		};
		let now = Self::now();
		let current = T::Oracle::current_period();
		let last = state.economics.last_period;

		let balance = T::Series::balance(series, who);
		let (mut holder, existed) = match HolderYields::<T>::get(who, series) {
			Some(holder) => (holder, true),
			None => (
				HolderYield {
					accrual: Self::fresh_accrual(&state.economics)?,
					earned: U256::zero(),
					debt: HolderDebt {
						epoch: state.debt_book.epoch,
						repaid_checkpoint: state.debt_book.repaid_per_share,
						..Default::default()
					},
				},
				false,
			),
		};
		// Catching up on settled time the record does not hold reads that period's record, as
		// a fold does.
		let catches_up = balance > 0 && holder.accrual.period < state.next;
		let folded = Self::settle_holder(series, &state, &mut holder, balance)?
			.saturating_add(u32::from(catches_up));
		let walked = Self::advance(&mut holder.accrual, balance, now, current, last)?;
		if Self::holder_is_empty(&holder, new_balance) {
			if existed {
				Self::remove_holder(series, who, holder.earned);
			}
		} else {
			HolderYields::<T>::insert(who, series, holder);
			if !existed {
				SeriesHolders::<T>::mutate(series, |count| {
					count.records = count.records.saturating_add(1)
				});
			}
		}
		if new {
			SeriesYields::<T>::insert(series, state);
		}
		Ok((folded, walked))
	}

	/// Removes `who`'s record of `series`, left with nothing but `rest` (below a sat), which
	/// joins the series' next distribution.
	fn remove_holder(series: SeriesId, who: &T::AccountId, rest: U256) {
		HolderYields::<T>::remove(who, series);
		SeriesHolders::<T>::mutate(series, |count| {
			count.records = count.records.saturating_sub(1);
			count.rest = count.rest.saturating_add(rest);
		});
		Self::deposit_event(Event::HolderRecordRemoved { who: who.clone(), series });
	}

	/// Unit-seconds of `series`' supply (`supply` now) in `period` (`[start, end)`, ended), read
	/// from its record without changing it: what its accrual recorded for the period plus what
	/// the supply held since it was last brought up to date.
	fn supply_seconds_in(
		state: &SeriesYieldOf<T>,
		supply: u128,
		period: PeriodIndex,
		start: u64,
		end: u64,
	) -> U256 {
		let accrual = &state.supply;
		let recorded = accrual
			.unsettled
			.iter()
			.find(|(p, _)| *p == period)
			.map(|(_, amount)| *amount)
			.unwrap_or_default();
		if accrual.period > period {
			return recorded;
		}
		let from = accrual.at.max(start);
		let since = U256::from(supply).saturating_mul(U256::from(end.saturating_sub(from)));
		recorded.saturating_add(since)
	}

	/// `supply_seconds` of a series with `economics` as a weight comparable across the
	/// facility's series: unit-seconds x hashrate per token x `10^(WEIGHT_DECIMALS -
	/// decimals)` (its tokenized hashrate x period length x `10^WEIGHT_DECIMALS`).
	fn tokenized_weight(economics: &SeriesEconomics, supply_seconds: U256) -> U256 {
		let scale = U256::exp10(usize::from(WEIGHT_DECIMALS.saturating_sub(economics.decimals)));
		supply_seconds
			.saturating_mul(U256::from(economics.hashrate_per_token.get()))
			.saturating_mul(scale)
	}

	/// Fixes what `facility`'s `period` is for its series, once, when the oracle makes it
	/// final (`outcome`): output, network data, deadline and the series' tokenized weight
	/// summed. `None` when no series of the facility has an obligation to record for it.
	pub(crate) fn fix_final_period(
		facility: FacilityId,
		period: PeriodIndex,
		outcome: &PeriodOutcome,
	) -> Option<FinalPeriod> {
		Self::fix_final_period_at(facility, period, outcome, Self::now())
	}

	/// [`Self::fix_final_period`] for a period that became final at unix second `at`.
	pub(crate) fn fix_final_period_at(
		facility: FacilityId,
		period: PeriodIndex,
		outcome: &PeriodOutcome,
		at: u64,
	) -> Option<FinalPeriod> {
		if let Some(fixed) = FinalPeriods::<T>::get(facility, period) {
			return Some(fixed);
		}
		let (start, end) = T::Oracle::period_bounds(period)?;
		let mut tokenized_weight = U256::zero();
		let mut pending = 0u32;
		let mut series_due = Vec::new();
		// The token pallet keeps at most `MaxFacilitySeries` per facility (the runtime sets the
		// same bound); more would not be read.
		let bound = usize::try_from(T::MaxFacilitySeries::get()).unwrap_or(usize::MAX);
		for series in T::Series::facility_series(facility).into_iter().take(bound) {
			// A series never minted owes nothing; a settled or recorded period is done.
			let Some(state) = SeriesYields::<T>::get(series) else { continue };
			let economics = state.economics;
			if period < economics.first_period
				|| period > economics.last_period
				|| period < state.next
				|| PeriodYields::<T>::contains_key(series, period)
			{
				continue;
			}
			let supply_seconds =
				Self::supply_seconds_in(&state, T::Series::supply(series), period, start, end);
			tokenized_weight =
				tokenized_weight.saturating_add(Self::tokenized_weight(&economics, supply_seconds));
			pending = pending.saturating_add(1);
			series_due.push(series);
		}
		if pending == 0 {
			return None;
		}
		// The oracle fixes every period's network data before the period can become final;
		// periods made final before it did (an upgraded chain) take the nearest earlier value,
		// as the oracle carries its last fixed value over.
		let network = (0..=NETWORK_LOOKBACK)
			.find_map(|back| {
				period.0.checked_sub(back).and_then(|p| T::Oracle::network_data(PeriodIndex(p)))
			})
			.unwrap_or_else(|| {
				defensive!("the oracle fixes network data before a period becomes final");
				Default::default()
			});
		let output = match outcome {
			PeriodOutcome::Final(output) => FinalOutput::Reported {
				hashrate: output.hashrate,
				sats: u128::from(output.sats.get()),
			},
			PeriodOutcome::Proven { output, proven } => FinalOutput::Proven {
				hashrate: output.hashrate,
				sats: u128::from(output.sats.get()),
				proven: u128::from(proven.get()),
			},
			PeriodOutcome::DefaultedByFacility => FinalOutput::Defaulted,
		};
		let deadline = at.saturating_add(Rules::<T>::get().payment_window);
		let fixed = FinalPeriod { at, deadline, output, network, tokenized_weight, pending };
		FinalPeriods::<T>::insert(facility, period, fixed);
		// The chain moves each series on by itself: now (a period owing nothing or paid
		// ahead settles) and at the deadline (unpaid, it defaults).
		for series in series_due {
			Self::queue(at, series);
			// Defaulting needs the deadline passed: the second after it.
			Self::queue(deadline.saturating_add(1), series);
		}
		Some(fixed)
	}

	/// The obligation of `series`' `period` (the next unsettled period or a later one),
	/// computed and stored on first touch from what was fixed when the period became final.
	/// Moves the period's supply-seconds out of the series' accrual (the caller stores
	/// `state`).
	pub(crate) fn obligation(
		series: SeriesId,
		state: &mut SeriesYieldOf<T>,
		period: PeriodIndex,
	) -> Result<PeriodYield, DispatchError> {
		ensure!(period <= state.economics.last_period, Error::<T>::NothingToSettle);
		ensure!(period >= state.next, Error::<T>::AlreadySettled);
		if let Some(record) = PeriodYields::<T>::get(series, period) {
			return Ok(record);
		}
		let economics = state.economics;
		let facility = economics.facility;
		let (start, end) = Self::bounds(period)?;
		ensure!(Self::now() >= end, Error::<T>::PeriodNotFinal);
		let fixed = match FinalPeriods::<T>::get(facility, period) {
			Some(fixed) => fixed,
			None => {
				// Final before this pallet saw it (a hook that did not run): fixed now.
				let outcome =
					T::Oracle::final_outcome(facility, period).ok_or(Error::<T>::PeriodNotFinal)?;
				Self::fix_final_period(facility, period, &outcome)
					.ok_or(Error::<T>::PeriodNotFinal)?
			},
		};

		Self::advance(
			&mut state.supply,
			T::Series::supply(series),
			end,
			Self::next_period(period)?,
			economics.last_period,
		)?;
		let supply_seconds = match state.supply.unsettled.iter().position(|(p, _)| *p == period) {
			Some(index) => state.supply.unsettled.remove(index).1,
			None => U256::zero(),
		};

		let length = end.saturating_sub(start);
		// T = supply-seconds x hashrate per token / (10^decimals x length), rounded up.
		let divisor = U256::exp10(usize::from(economics.decimals))
			.checked_mul(U256::from(length))
			.ok_or(Error::<T>::Overflow)?;
		let tokenized = if supply_seconds.is_zero() || divisor.is_zero() {
			0
		} else {
			let (quotient, remainder) = supply_seconds
				.checked_mul(U256::from(economics.hashrate_per_token.get()))
				.ok_or(Error::<T>::Overflow)?
				.div_mod(divisor);
			let rounded =
				if remainder.is_zero() { quotient } else { quotient.saturating_add(U256::one()) };
			to_u128(rounded).ok_or(Error::<T>::Overflow)?
		};

		let network = fixed.network;
		let expected = |hashrate: u128| -> Result<PayoutBalance, DispatchError> {
			if hashrate == 0 {
				return Ok(0);
			}
			let sats = physics::expected_sats(
				Hashrate(hashrate),
				length,
				network.difficulty,
				network.reward_per_block,
			)
			.ok_or(Error::<T>::Overflow)?;
			Ok(u128::from(sats.get()))
		};
		let (delivered, undelivered) = match fixed.output.hashrate_and_sats() {
			Some((hashrate, sats)) => {
				let hashrate = hashrate.get();
				// The series' share of the final hashrate: all of it, unless the facility's
				// series together tokenized more, then pro rata to their tokenized weight.
				let capacity = U256::from(hashrate)
					.saturating_mul(U256::exp10(usize::from(WEIGHT_DECIMALS)))
					.saturating_mul(U256::from(length));
				let share = if fixed.tokenized_weight > capacity {
					let weight = Self::tokenized_weight(&economics, supply_seconds);
					to_u128(
						U256::from(hashrate).checked_mul(weight).ok_or(Error::<T>::Overflow)?
							/ fixed.tokenized_weight,
					)
					.ok_or(Error::<T>::Overflow)?
				} else {
					hashrate
				};
				let delivered_hashrate = tokenized.min(share);
				let delivered = if hashrate == 0 {
					0
				} else {
					mul_div_ceil(sats, delivered_hashrate, U256::from(hashrate))
						.ok_or(Error::<T>::Overflow)?
				};
				(delivered, expected(tokenized.saturating_sub(delivered_hashrate))?)
			},
			None => (0, expected(tokenized)?),
		};
		// Costs: sats per TH/s per day x T (milli) x seconds / (1000 x 86,400), rounded down.
		let cost = to_u128(
			U256::from(economics.cost_per_th_day.get())
				.saturating_mul(U256::from(tokenized))
				.saturating_mul(U256::from(length))
				/ U256::from(1_000u64 * SECONDS_PER_DAY),
		)
		.ok_or(Error::<T>::Overflow)?;
		let gross = delivered.checked_add(undelivered).ok_or(Error::<T>::Overflow)?;
		let owed = gross.saturating_sub(cost);
		let rules = Rules::<T>::get();
		let fee =
			owed.checked_mul(u128::from(rules.fee_per_mill)).ok_or(Error::<T>::Overflow)? / 1_000;

		let record = PeriodYield {
			output: fixed.output,
			start,
			end,
			supply_seconds,
			tokenized: Hashrate(tokenized),
			delivered,
			undelivered,
			cost,
			fee,
			owed,
			paid: 0,
			drawn: 0,
			debt: 0,
			fee_taken: 0,
			final_at: fixed.at,
			deadline: fixed.deadline,
			status: PeriodStatus::Open,
			rate: U256::zero(),
			index_at_start: U256::zero(),
			debt_rates: DebtIndexes::default(),
			debt_epoch: 0,
			debt_at_start: DebtIndexes::default(),
		};
		PeriodYields::<T>::insert(series, period, record);
		match fixed.pending.checked_sub(1) {
			Some(pending) if pending > 0 => {
				FinalPeriods::<T>::insert(facility, period, FinalPeriod { pending, ..fixed })
			},
			_ => FinalPeriods::<T>::remove(facility, period),
		}
		Self::deposit_event(Event::ObligationRecorded {
			series,
			period,
			tokenized: Hashrate(tokenized),
			owed,
			fee,
			deadline: fixed.deadline,
		});
		Ok(record)
	}

	/// Settles `series`' next period (`record`): holders first, then the fee; fixes its rate
	/// and moves the index and the frontier on. O(1) whatever the number of holders.
	pub(crate) fn settle_period(
		series: SeriesId,
		state: &mut SeriesYieldOf<T>,
		mut record: PeriodYield,
		status: PeriodStatus,
	) -> DispatchResult {
		let period = state.next;
		let collected = record.paid.checked_add(record.drawn).ok_or(Error::<T>::Overflow)?;
		let holders_part = collected.min(record.holders_owed());
		let fee_taken = collected.saturating_sub(holders_part);
		let distributable = holders_part;
		// Rests of holder records removed since the last settlement join this distribution.
		let rests = SeriesHolders::<T>::mutate(series, |count| core::mem::take(&mut count.rest));
		state.carry = state.carry.saturating_add(rests);

		let scale = index_scale();
		let gross = U256::from(distributable)
			.checked_mul(scale)
			.and_then(|scaled| scaled.checked_add(state.carry))
			.ok_or(Error::<T>::Overflow)?;
		// Take back what earlier rates paid in advance.
		let (available, mut advance) = if gross >= state.advance {
			(gross - state.advance, U256::zero())
		} else {
			(U256::zero(), state.advance - gross)
		};
		let supply_seconds = record.supply_seconds;
		let (rate, carry) = if supply_seconds.is_zero() {
			(U256::zero(), available)
		} else if supply_seconds < scale {
			// Rounded up by less than 10^-36 sat per unit-second: a holder whose exact share
			// is a whole number of sats gets exactly it. The advance (< supply-seconds x
			// 10^-36 sat, below one sat in total) comes out of the next distribution, and
			// claims round down, so no whole sat leaves the pot that was not distributed.
			let (quotient, remainder) = available.div_mod(supply_seconds);
			if remainder.is_zero() {
				(quotient, U256::zero())
			} else {
				advance = advance.saturating_add(supply_seconds - remainder);
				(quotient.saturating_add(U256::one()), U256::zero())
			}
		} else {
			available.div_mod(supply_seconds)
		};
		let length = record.end.saturating_sub(record.start);
		record.rate = rate;
		record.index_at_start = state.index;
		record.fee_taken = fee_taken;
		record.status = status;
		record.debt_at_start = state.debt_book.indexes;
		state.debt_book.indexes =
			state.debt_book.indexes.plus(&record.debt_rates, U256::from(length));

		state.index = rate
			.checked_mul(U256::from(length))
			.and_then(|growth| state.index.checked_add(growth))
			.ok_or(Error::<T>::Overflow)?;
		state.carry = carry;
		state.advance = advance;
		state.next = Self::next_period(period)?;
		state.frontier = record.end;
		state.last_settled_at = Self::now();
		state.fees = state.fees.checked_add(fee_taken).ok_or(Error::<T>::Overflow)?;
		state.distributed =
			state.distributed.checked_add(distributable).ok_or(Error::<T>::Overflow)?;
		state.hashrate_seconds = state
			.hashrate_seconds
			.saturating_add(record.tokenized.get().saturating_mul(u128::from(length)));
		PeriodYields::<T>::insert(series, period, record);

		UnpaidFees::<T>::try_mutate(|fees| -> DispatchResult {
			*fees = fees.checked_add(fee_taken).ok_or(Error::<T>::Overflow)?;
			Ok(())
		})?;
		Self::deposit_event(Event::PeriodSettled {
			series,
			period,
			status,
			distributed: distributable,
			fee: fee_taken,
		});
		Self::pay_fees();
		Ok(())
	}

	/// Pays the fees taken to the treasury when it can receive them; otherwise they wait.
	fn pay_fees() {
		let fees = UnpaidFees::<T>::get();
		if fees.is_zero() {
			return;
		}
		let destination = T::FeeDestination::get();
		if T::PayoutAsset::can_deposit(&destination, fees, Provenance::Extant)
			!= DepositConsequence::Success
		{
			return;
		}
		let paid = with_storage_layer(|| {
			T::PayoutAsset::transfer(
				&Self::pot_account(),
				&destination,
				fees,
				Preservation::Preserve,
			)
		});
		if paid.is_ok() {
			UnpaidFees::<T>::kill();
			Self::deposit_event(Event::FeesPaid { amount: fees });
		}
	}

	fn ensure_can_pay(who: &T::AccountId, amount: PayoutBalance) -> DispatchResult {
		let spendable =
			T::PayoutAsset::reducible_balance(who, Preservation::Expendable, Fortitude::Polite);
		ensure!(spendable >= amount, Error::<T>::InsufficientBalance);
		Ok(())
	}

	pub(crate) fn do_deposit(
		who: &T::AccountId,
		series: SeriesId,
		period: PeriodIndex,
		amount: PayoutBalance,
	) -> Result<u32, DispatchError> {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut state = SeriesYields::<T>::get(series).ok_or(Error::<T>::UnknownSeries)?;
		ensure!(
			period >= state.economics.first_period && period <= state.economics.last_period,
			Error::<T>::PeriodOutOfTerm
		);
		ensure!(period >= state.next, Error::<T>::AlreadySettled);
		let mut record = Self::obligation(series, &mut state, period)?;
		ensure!(amount <= record.outstanding(), Error::<T>::Overpayment);
		Self::ensure_can_pay(who, amount)?;
		T::PayoutAsset::transfer(who, &Self::pot_account(), amount, Preservation::Expendable)?;
		record.paid = record.paid.checked_add(amount).ok_or(Error::<T>::Overflow)?;
		state.deposited = state.deposited.checked_add(amount).ok_or(Error::<T>::Overflow)?;
		Self::deposit_event(Event::Deposited {
			series,
			period,
			from: who.clone(),
			amount,
			outstanding: record.outstanding(),
		});
		let mut cascaded = 0;
		if period == state.next && record.outstanding().is_zero() {
			Self::settle_period(series, &mut state, record, PeriodStatus::Paid)?;
			cascaded = Self::cascade(series, &mut state);
		} else {
			PeriodYields::<T>::insert(series, period, record);
		}
		SeriesYields::<T>::insert(series, state);
		Ok(cascaded)
	}

	pub(crate) fn do_settle(series: SeriesId) -> Result<u32, DispatchError> {
		let mut state = SeriesYields::<T>::get(series).ok_or(Error::<T>::UnknownSeries)?;
		let period = state.next;
		let record = Self::obligation(series, &mut state, period)?;
		ensure!(record.outstanding().is_zero(), Error::<T>::NotPaidInFull);
		Self::settle_period(series, &mut state, record, PeriodStatus::Paid)?;
		let cascaded = Self::cascade(series, &mut state);
		SeriesYields::<T>::insert(series, state);
		Ok(cascaded)
	}

	pub(crate) fn do_trigger_default(series: SeriesId) -> Result<u32, DispatchError> {
		let mut state = SeriesYields::<T>::get(series).ok_or(Error::<T>::UnknownSeries)?;
		let period = state.next;
		let record = Self::obligation(series, &mut state, period)?;
		ensure!(!record.outstanding().is_zero(), Error::<T>::PaidInFull);
		ensure!(Self::now() > record.deadline, Error::<T>::DeadlineNotReached);
		Self::default_period(series, &mut state, record)?;
		let cascaded = Self::cascade(series, &mut state);
		SeriesYields::<T>::insert(series, state);
		Ok(cascaded)
	}

	/// Weight of settling or defaulting `periods` periods after the one a call was made for.
	pub(crate) fn cascade_weight(periods: u32) -> frame_support::weights::Weight {
		T::WeightInfo::settle()
			.max(T::WeightInfo::trigger_default())
			.saturating_mul(u64::from(periods))
	}

	/// After a settlement: settles the series' following periods while they are paid in full
	/// and defaults them while their deadline has passed, oldest first, at most
	/// [`MAX_CASCADE`]; stops at the first period that is not final, still has time, or fails
	/// (that one is left as it was). Returns how many periods it settled. Stopped by its
	/// bound, it queues the series for now: the chain goes on with the rest by itself.
	pub(crate) fn cascade(series: SeriesId, state: &mut SeriesYieldOf<T>) -> u32 {
		let mut settled = 0;
		while settled < MAX_CASCADE && state.next <= state.economics.last_period {
			let mut next_state = state.clone();
			let step = with_storage_layer(|| -> Result<bool, DispatchError> {
				let period = next_state.next;
				let record = Self::obligation(series, &mut next_state, period)?;
				if record.outstanding().is_zero() {
					Self::settle_period(series, &mut next_state, record, PeriodStatus::Paid)?;
				} else if Self::now() > record.deadline {
					Self::default_period(series, &mut next_state, record)?;
				} else {
					return Ok(false);
				}
				Ok(true)
			});
			match step {
				Ok(true) => {
					*state = next_state;
					settled += 1;
				},
				Ok(false) => {
					// The obligation may have been recorded: keep the accrual it moved.
					*state = next_state;
					break;
				},
				Err(_) => break,
			}
		}
		if settled == MAX_CASCADE && state.next <= state.economics.last_period {
			Self::queue(Self::now(), series);
		}
		settled
	}

	/// Defaults `series`' next period (`record`, not paid in full, past its deadline): draws
	/// the shortfall from collateral, records the rest as debt, counts the defaulted period
	/// against the facility and settles the period.
	pub(crate) fn default_period(
		series: SeriesId,
		state: &mut SeriesYieldOf<T>,
		mut record: PeriodYield,
	) -> DispatchResult {
		let shortfall = record.outstanding();
		let drawn = T::Collateral::draw_collateral(series, shortfall, &Self::pot_account())?;
		let collected = record.paid.checked_add(drawn).ok_or(Error::<T>::Overflow)?;
		let debt = record.holders_owed().saturating_sub(collected);
		record.drawn = drawn;
		record.debt = debt;
		state.drawn = state.drawn.checked_add(drawn).ok_or(Error::<T>::Overflow)?;
		state.debt = state.debt.checked_add(debt).ok_or(Error::<T>::Overflow)?;
		Self::issue_debt(state, &mut record, debt)?;
		let facility = state.economics.facility;
		if !debt.is_zero() {
			Self::add_facility_debt(facility, debt)?;
		}
		let period = state.next;
		Self::deposit_event(Event::PeriodDefaulted { series, period, shortfall, drawn, debt });
		let defaults = Self::count_default(facility, period);
		if defaults >= Rules::<T>::get().defaults_before_suspension
			&& T::Facilities::status(facility) == Some(hashrate_primitives::FacilityStatus::Active)
		{
			T::Facilities::suspend(facility, SuspensionReason::PaymentDefaults)?;
			Self::deposit_event(Event::FacilitySuspended { facility, defaults });
		}
		Self::settle_period(series, state, record, PeriodStatus::Defaulted)
	}

	/// Records that `facility` defaulted in `period` (once per period, whichever of its series
	/// defaulted) and returns its defaulted periods within the default window ending at the
	/// newest one.
	pub(crate) fn count_default(facility: FacilityId, period: PeriodIndex) -> u32 {
		let window = Rules::<T>::get().default_window;
		FacilityDefaults::<T>::mutate(facility, |periods| {
			if let Err(index) = periods.binary_search(&period) {
				if periods.is_full() && index > 0 {
					// The oldest goes: the list holds at least as many as any limit.
					periods.remove(0);
					let _ = periods.try_insert(index - 1, period);
				} else {
					let _ = periods.try_insert(index, period);
				}
			}
			if let Some(newest) = periods.last().copied() {
				periods.retain(|p| p.0.saturating_add(window) > newest.0);
			}
			u32::try_from(periods.len()).unwrap_or(u32::MAX)
		})
	}

	/// Weight of claiming from `series` series, folding `folded` periods in all: the
	/// benchmarked claim of one period per series plus what folding costs per period.
	pub(crate) fn claim_many_weight(series: u32, folded: u32) -> frame_support::weights::Weight {
		let max = T::MaxUnsettledPeriods::get().max(1);
		let per_period = T::WeightInfo::claim(max)
			.saturating_sub(T::WeightInfo::claim(0))
			.checked_div(u64::from(max))
			.unwrap_or_default();
		T::WeightInfo::claim_many(series).saturating_add(per_period.saturating_mul(folded.into()))
	}

	/// Pays `who` its settled yield in each of `list`; returns how many unsettled periods
	/// were folded on the way.
	pub(crate) fn do_claim(who: &T::AccountId, list: &[SeriesId]) -> Result<u32, DispatchError> {
		let scale = index_scale();
		let mut total: PayoutBalance = 0;
		let mut folded = 0u32;
		let mut removed = false;
		for &series in list {
			let Some(mut state) = SeriesYields::<T>::get(series) else { continue };
			let Some(mut holder) = HolderYields::<T>::get(who, series) else { continue };
			let balance = T::Series::balance(series, who);
			folded =
				folded.saturating_add(Self::settle_holder(series, &state, &mut holder, balance)?);
			let amount = to_u128(holder.earned / scale).ok_or(Error::<T>::Overflow)?;
			if !amount.is_zero() {
				holder.earned =
					holder.earned.saturating_sub(U256::from(amount).saturating_mul(scale));
				state.claimed = state.claimed.checked_add(amount).ok_or(Error::<T>::Overflow)?;
				total = total.checked_add(amount).ok_or(Error::<T>::Overflow)?;
				SeriesYields::<T>::insert(series, state);
				Self::deposit_event(Event::Claimed { who: who.clone(), series, amount });
			}
			if Self::holder_is_empty(&holder, balance) {
				// Nothing left to earn: the sub-satoshi rest goes to the series' next
				// distribution and the record goes.
				Self::remove_holder(series, who, holder.earned);
				removed = true;
			} else if !amount.is_zero() {
				HolderYields::<T>::insert(who, series, holder);
			}
		}
		ensure!(!total.is_zero() || removed, Error::<T>::NothingToClaim);
		if total.is_zero() {
			return Ok(folded);
		}
		match T::PayoutAsset::can_deposit(who, total, Provenance::Extant) {
			DepositConsequence::Success => {},
			DepositConsequence::BelowMinimum => return Err(Error::<T>::ClaimBelowMinimum.into()),
			other => other.into_result()?,
		}
		T::PayoutAsset::transfer(&Self::pot_account(), who, total, Preservation::Preserve)?;
		Ok(folded)
	}

	/// Issues `debt` sats of the series' next period (`record`, defaulting) to the holders it
	/// shorted, as face per unit-second held and debt shares at the current share value.
	fn issue_debt(
		state: &mut SeriesYieldOf<T>,
		record: &mut PeriodYield,
		debt: PayoutBalance,
	) -> DispatchResult {
		let supply_seconds = record.supply_seconds;
		if debt.is_zero() || supply_seconds.is_zero() {
			return Ok(());
		}
		let book = &mut state.debt_book;
		// Rounded up (by less than `10^-36` sat per unit-second) below `10^36` unit-seconds, as
		// the yield rate is: a holder whose exact share is a whole number of sats gets exactly
		// it once repaid, and the face exceeds the debt by less than a sat (repaying the whole
		// debt repays all of it). Larger periods round down (the excess could reach a sat).
		let (quotient, remainder) = U256::from(debt)
			.checked_mul(index_scale())
			.ok_or(Error::<T>::Overflow)?
			.div_mod(supply_seconds);
		let face = if remainder.is_zero() || supply_seconds >= index_scale() {
			quotient
		} else {
			quotient.saturating_add(U256::one())
		};
		let shares =
			mul_div_floor_256(face, share_one(), book.share_value).ok_or(Error::<T>::Overflow)?;
		let issued_repaid = mul_div_ceil_256(shares, book.repaid_per_share, share_one())
			.ok_or(Error::<T>::Overflow)?;
		record.debt_rates = DebtIndexes { face, shares, issued_repaid };
		record.debt_epoch = book.epoch;
		let total = record.debt_rates.times(supply_seconds);
		book.unpaid = book.unpaid.checked_add(total.face).ok_or(Error::<T>::Overflow)?;
		book.shares = book.shares.checked_add(total.shares).ok_or(Error::<T>::Overflow)?;
		Ok(())
	}

	fn add_facility_debt(facility: FacilityId, debt: PayoutBalance) -> DispatchResult {
		let before = FacilityDebt::<T>::get(facility);
		let after = before.checked_add(debt).ok_or(Error::<T>::Overflow)?;
		FacilityDebt::<T>::insert(facility, after);
		if before.is_zero() {
			// A facility owing holders cannot complete its retirement.
			if T::Facilities::add_obligation(facility).is_err() {
				defensive!("a facility with series can take obligations");
			}
		}
		Ok(())
	}

	fn reduce_facility_debt(facility: FacilityId, amount: PayoutBalance) {
		let before = FacilityDebt::<T>::get(facility);
		let after = before.saturating_sub(amount);
		if after.is_zero() {
			FacilityDebt::<T>::remove(facility);
			if !before.is_zero() && T::Facilities::release_obligation(facility).is_err() {
				defensive!("the debt's obligation was recorded");
			}
		} else {
			FacilityDebt::<T>::insert(facility, after);
		}
	}

	/// Applies a repayment of `amount` sats to `book` (settled frontier `frontier`): every
	/// unpaid face is repaid the same fraction (`whole`: the series' whole debt, all of it).
	/// Returns what it did not need (below a sat of
	/// face rounding, or all of it when no face is unpaid), `10^-36` sat.
	pub(crate) fn apply_repayment(
		book: &mut DebtBook,
		amount: PayoutBalance,
		whole: bool,
		frontier: u64,
	) -> Result<U256, DispatchError> {
		let offered = U256::from(amount).checked_mul(index_scale()).ok_or(Error::<T>::Overflow)?;
		if book.unpaid.is_zero() || book.written_off {
			return Ok(offered);
		}
		// The whole debt repays every face (which, rounded up, may exceed it by a fraction).
		let applied = if whole { book.unpaid } else { offered.min(book.unpaid) };
		let left = book.unpaid - applied;
		if left.is_zero() {
			// Every face issued so far is repaid: a new epoch.
			*book = DebtBook {
				epoch: book.epoch.saturating_add(1),
				epoch_start: frontier,
				epoch_indexes: book.indexes,
				indexes: book.indexes,
				applied: book.applied.saturating_add(applied),
				over_credit: book.over_credit,
				..DebtBook::new()
			};
		} else {
			// Rounded down, as a yield rate is rounded up: a holder whose exact share is a
			// whole number of sats gets exactly it. What that credits beyond the repayment
			// (under one `10^-36` sat per `share_one` shares) is bounded in `over_credit`; it
			// comes out of the face still unpaid, which the epoch's end pays exactly.
			let value = mul_div_floor_256(book.share_value, left, book.unpaid)
				.ok_or(Error::<T>::Overflow)?;
			ensure!(value >= share_value_min(), Error::<T>::RepayInFull);
			book.repaid_per_share = book
				.repaid_per_share
				.checked_add(book.share_value.saturating_sub(value))
				.ok_or(Error::<T>::Overflow)?;
			book.over_credit = book
				.over_credit
				.saturating_add(book.shares / share_one())
				.saturating_add(U256::one());
			book.share_value = value;
			book.unpaid = left;
			book.applied = book.applied.saturating_add(applied);
		}
		Ok(offered.saturating_sub(applied))
	}

	pub(crate) fn do_repay_debt(
		who: &T::AccountId,
		series: SeriesId,
		amount: PayoutBalance,
	) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut state = SeriesYields::<T>::get(series).ok_or(Error::<T>::UnknownSeries)?;
		ensure!(!state.debt.is_zero(), Error::<T>::NoDebt);
		ensure!(amount <= state.debt, Error::<T>::Overpayment);
		// Debt left from before holders held debt shares (storage v1) is distributed with the
		// next settlement, as then: there must be one.
		ensure!(
			!state.debt_book.unpaid.is_zero() || state.next <= state.economics.last_period,
			Error::<T>::NoPeriodToCredit
		);
		Self::ensure_can_pay(who, amount)?;
		let frontier = state.frontier;
		let whole = amount == state.debt;
		let rest = Self::apply_repayment(&mut state.debt_book, amount, whole, frontier)?;
		T::PayoutAsset::transfer(who, &Self::pot_account(), amount, Preservation::Expendable)?;
		state.debt = state.debt.saturating_sub(amount);
		state.repaid = state.repaid.checked_add(amount).ok_or(Error::<T>::Overflow)?;
		state.deposited = state.deposited.checked_add(amount).ok_or(Error::<T>::Overflow)?;
		// What no unpaid face needed joins the next distribution.
		state.carry = state.carry.saturating_add(rest);
		state.carried_in = state.carried_in.saturating_add(rest);
		Self::reduce_facility_debt(state.economics.facility, amount);
		let debt = state.debt;
		SeriesYields::<T>::insert(series, state);
		Self::deposit_event(Event::DebtRepaid { series, from: who.clone(), amount, debt });
		Ok(())
	}

	pub(crate) fn do_write_off_debt(series: SeriesId) -> DispatchResult {
		let mut state = SeriesYields::<T>::get(series).ok_or(Error::<T>::UnknownSeries)?;
		ensure!(!state.debt.is_zero(), Error::<T>::NoDebt);
		ensure!(state.next > state.economics.last_period, Error::<T>::PeriodsUnsettled);
		let amount = core::mem::take(&mut state.debt);
		let voided = core::mem::take(&mut state.debt_book.unpaid);
		state.debt_book.written_off = true;
		Self::reduce_facility_debt(state.economics.facility, amount);
		SeriesYields::<T>::insert(series, state);
		Self::deposit_event(Event::DebtWrittenOff { series, amount, voided });
		Ok(())
	}

	/// Whether `series`' records can go: every period settled, no holder record left, no
	/// debt owed to or by anyone.
	pub(crate) fn is_finished(state: &SeriesYieldOf<T>, series: SeriesId) -> bool {
		state.next > state.economics.last_period
			&& SeriesHolders::<T>::get(series).records == 0
			&& state.debt.is_zero()
			&& state.debt_book.unpaid.is_zero()
	}

	/// Removes up to `limit` period records of a finished series, then the series' own
	/// record; returns how many records went.
	pub(crate) fn do_prune_series(series: SeriesId, limit: u32) -> Result<u32, DispatchError> {
		let state = SeriesYields::<T>::get(series).ok_or(Error::<T>::UnknownSeries)?;
		ensure!(Self::is_finished(&state, series), Error::<T>::SeriesLive);
		// Keys counted by iterating (what `clear_prefix` reports depends on what is committed).
		let periods: Vec<PeriodIndex> =
			PeriodYields::<T>::iter_key_prefix(series).take(limit as usize).collect();
		let mut removed = u32::try_from(periods.len()).unwrap_or(u32::MAX);
		for period in periods {
			PeriodYields::<T>::remove(series, period);
		}
		if removed < limit {
			// What rounding left undistributed after the last settlement (rests of removed
			// records, the carry) belongs to no holder any more: whole sats go to the
			// treasury with the fees.
			let left = state
				.carry
				.saturating_add(SeriesHolders::<T>::get(series).rest)
				.checked_div(index_scale())
				.and_then(to_u128)
				.unwrap_or_default();
			if !left.is_zero() {
				UnpaidFees::<T>::mutate(|fees| *fees = fees.saturating_add(left));
				Self::pay_fees();
			}
			SeriesYields::<T>::remove(series);
			SeriesHolders::<T>::remove(series);
			removed = removed.saturating_add(1);
			Self::deposit_event(Event::SeriesPruned { series });
		}
		Ok(removed)
	}

	/// Settled yield `who` could claim from `series` now, in `10^-36` sat.
	pub fn earned_now(who: &T::AccountId, series: SeriesId) -> Option<U256> {
		let state = SeriesYields::<T>::get(series)?;
		let mut holder = HolderYields::<T>::get(who, series)?;
		let balance = T::Series::balance(series, who);
		Self::settle_holder(series, &state, &mut holder, balance).ok()?;
		Some(holder.earned)
	}

	pub(crate) fn pending_of(who: &T::AccountId) -> Vec<PendingYield> {
		HolderYields::<T>::iter_key_prefix(who)
			.map(|series| PendingYield {
				series,
				balance: T::Series::balance(series, who),
				claimable: Self::earned_now(who, series)
					.and_then(|earned| to_u128(earned / index_scale()))
					.unwrap_or_default(),
			})
			.collect()
	}

	/// Milli-sats per TH/s per day of `sats` over `hashrate_seconds` (milli-TH/s x s).
	fn millisats_per_th_day(sats: PayoutBalance, hashrate_seconds: U256) -> u128 {
		if hashrate_seconds.is_zero() {
			return 0;
		}
		// sats / (TH/s x days) = sats x 1000 x 86,400 / (milli-TH/s x s); x 1000 for milli-sats.
		let numerator = U256::from(sats)
			.saturating_mul(U256::from(1_000_000u64))
			.saturating_mul(U256::from(SECONDS_PER_DAY));
		to_u128(numerator / hashrate_seconds).unwrap_or(u128::MAX)
	}

	pub(crate) fn period_report_of(series: SeriesId, period: PeriodIndex) -> Option<PeriodReport> {
		let record = PeriodYields::<T>::get(series, period)?;
		let distributed = if record.status == PeriodStatus::Open {
			0
		} else {
			record.paid.saturating_add(record.drawn).saturating_sub(record.fee_taken)
		};
		let debt_unpaid = SeriesYields::<T>::get(series)
			.map(|state| {
				let book = state.debt_book;
				if record.debt_epoch < book.epoch || book.written_off {
					return 0;
				}
				let shares = record.debt_rates.shares.saturating_mul(record.supply_seconds);
				mul_div_floor_256(shares, book.share_value, share_one())
					.and_then(|face| to_u128(face / index_scale()))
					.unwrap_or_default()
			})
			.unwrap_or_default();
		let hashrate_seconds = U256::from(record.tokenized.get())
			.saturating_mul(U256::from(record.end.saturating_sub(record.start)));
		Some(PeriodReport {
			period,
			output: record.output,
			tokenized: record.tokenized,
			delivered: record.delivered,
			undelivered: record.undelivered,
			cost: record.cost,
			fee: record.fee,
			owed: record.owed,
			paid: record.paid,
			drawn: record.drawn,
			debt: record.debt,
			debt_unpaid,
			distributed,
			deadline: record.deadline,
			status: record.status,
			millisats_per_th_day: Self::millisats_per_th_day(distributed, hashrate_seconds),
		})
	}

	pub(crate) fn series_report_of(series: SeriesId) -> Option<SeriesReport> {
		let state = SeriesYields::<T>::get(series)?;
		let economics = state.economics;
		let supply = T::Series::supply(series);
		let tokenized = mul_div_ceil(
			supply,
			economics.hashrate_per_token.get(),
			U256::exp10(usize::from(economics.decimals)),
		)
		.unwrap_or(u128::MAX);
		let attested = state
			.next
			.0
			.checked_sub(1)
			.filter(|last_settled| *last_settled >= economics.first_period.0)
			.and_then(|last_settled| PeriodYields::<T>::get(series, PeriodIndex(last_settled)))
			.map(|record| record.output.hashrate_and_sats().map_or(Hashrate(0), |(h, _)| h));
		Some(SeriesReport {
			series,
			economics,
			supply,
			tokenized: Hashrate(tokenized),
			attested,
			collateral: T::Collateral::collateral(series),
			next_period: state.next,
			deposited: state.deposited,
			drawn: state.drawn,
			fees: state.fees,
			distributed: state.distributed,
			claimed: state.claimed,
			carried: to_u128(state.carry / index_scale()).unwrap_or(u128::MAX),
			debt: state.debt,
			debt_written_off: state.debt_book.written_off,
			repaid: state.repaid,
			facility_debt: FacilityDebt::<T>::get(economics.facility),
			facility_defaults: u32::try_from(FacilityDefaults::<T>::get(economics.facility).len())
				.unwrap_or(u32::MAX),
			millisats_per_th_day: Self::millisats_per_th_day(
				state.distributed,
				U256::from(state.hashrate_seconds),
			),
		})
	}

	/// Invariants, checked after every unit test and by `try-runtime`:
	///
	/// - for every series: what holders can claim now (summed over every holder record,
	///   each brought up to the settled frontier), plus what they claimed, plus the carry and
	///   the rests of removed records, is at least everything distributed from periods (plus
	///   the rounding advance and what was put into the carry from outside) and exceeds it by
	///   at most the debt face repaid so far — no satoshi is created or lost, and repayments
	///   credit no more than came in (equality exactly when no debt was repaid);
	/// - distributed + deposits on unsettled periods + repaid + fees == deposited + drawn:
	///   every sat that came in is distributed, waiting, repaid debt or a fee;
	/// - periods before `next` are settled (paid in full, or defaulted with drawn + debt
	///   covering the shortfall), no period from `next` on is, and every unsettled
	///   unit-seconds record is for a period from `next` on and within the term;
	/// - an unsettled period's deposits never exceed what it owes; only a defaulted period
	///   carries debt rates;
	/// - the debt book: a share is worth between the minimum and one, no face is unpaid once
	///   no sats are owed, and a written-off series owes and is owed nothing;
	/// - the holder count is the number of holder records, and no holder's debt is of a
	///   later epoch than its series';
	/// - each facility's debt is the sum of its series' debts;
	/// - a final period kept for series still to record it counts at least one;
	/// - a facility's defaulted periods are sorted and distinct;
	/// - the rules are valid and the longest legal backlog fits the records;
	/// - the pot holds at least everything not claimed and the fees not paid out yet;
	/// - nothing due is forgotten: a series whose next period is final (recorded for it, or
	///   fixed for its facility) is in the due queue.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::BTreeMap;
		let scale = index_scale();
		let mut earned: BTreeMap<SeriesId, U256> = BTreeMap::new();
		let mut records: BTreeMap<SeriesId, u32> = BTreeMap::new();
		for (who, series, holder) in HolderYields::<T>::iter() {
			let amount = Self::earned_now(&who, series).ok_or("holder record without series")?;
			let entry = earned.entry(series).or_default();
			*entry = entry.checked_add(amount).ok_or("earned overflows")?;
			*records.entry(series).or_default() += 1;
			let book = SeriesYields::<T>::get(series).ok_or("holder record without series")?;
			ensure!(holder.debt.epoch <= book.debt_book.epoch, "holder debt from a later epoch");
		}
		let mut debts: BTreeMap<FacilityId, PayoutBalance> = BTreeMap::new();
		let mut owed_to_pot: PayoutBalance = UnpaidFees::<T>::get();
		let queued: alloc::collections::BTreeSet<SeriesId> =
			DueQueue::<T>::iter_keys().map(|(_, series)| series).collect();
		for (series, state) in SeriesYields::<T>::iter() {
			if state.next <= state.economics.last_period
				&& (PeriodYields::<T>::contains_key(series, state.next)
					|| FinalPeriods::<T>::contains_key(state.economics.facility, state.next))
			{
				ensure!(queued.contains(&series), "a series with a final period is not queued");
			}
			let count = SeriesHolders::<T>::get(series);
			ensure!(
				records.get(&series).copied().unwrap_or_default() == count.records,
				"holder count"
			);
			let claimed_scaled = U256::from(state.claimed) * scale;
			let left = earned.get(&series).copied().unwrap_or_default();
			let held = left + claimed_scaled + state.carry + count.rest;
			let distributed =
				U256::from(state.distributed) * scale + state.advance + state.carried_in;
			ensure!(held >= distributed, "claimable + claimed + carry < distributed");
			ensure!(
				held <= distributed + state.debt_book.applied + state.debt_book.over_credit,
				"debt credits beyond what was repaid"
			);
			ensure!(state.advance < scale, "advance of a sat or more");
			let book = &state.debt_book;
			ensure!(
				book.share_value >= share_value_min() && book.share_value <= share_one(),
				"share value out of range"
			);
			ensure!(state.debt > 0 || book.unpaid.is_zero(), "unpaid face without debt");
			if book.written_off {
				ensure!(state.debt == 0 && book.unpaid.is_zero(), "written-off debt still owed");
			}
			let mut waiting: PayoutBalance = 0;
			for (period, record) in PeriodYields::<T>::iter_prefix(series) {
				ensure!(
					record.debt_rates.face.is_zero() || record.status == PeriodStatus::Defaulted,
					"debt rates of a period not defaulted"
				);
				if period < state.next {
					ensure!(record.status != PeriodStatus::Open, "settled period open");
					ensure!(
						record.paid + record.drawn + record.debt >= record.holders_owed()
							|| record.status == PeriodStatus::Paid,
						"defaulted period not covered"
					);
				} else {
					ensure!(period <= state.economics.last_period, "record beyond the term");
					ensure!(record.status == PeriodStatus::Open, "unsettled period closed");
					ensure!(record.paid <= record.owed, "unsettled period paid beyond owed");
					waiting += record.paid;
				}
			}
			ensure!(
				state.distributed + waiting + state.repaid + state.fees
					== state.deposited + state.drawn,
				"distributed + waiting + repaid + fees != deposited + drawn"
			);
			let first = state.economics.first_period;
			let last = state.economics.last_period;
			ensure!(
				state
					.supply
					.unsettled
					.iter()
					.all(|(period, _)| *period >= state.next && *period <= last),
				"series supply recorded for a settled or out-of-term period"
			);
			ensure!(state.next >= first, "next before the term");
			*debts.entry(state.economics.facility).or_default() += state.debt;
			owed_to_pot += state.deposited + state.drawn - state.claimed - state.fees;
		}
		for (series, count) in SeriesHolders::<T>::iter() {
			ensure!(
				SeriesYields::<T>::contains_key(series) || count.records == 0,
				"holders of an unknown series"
			);
		}
		for (_, _, fixed) in FinalPeriods::<T>::iter() {
			ensure!(fixed.pending > 0, "final period kept for no series");
		}
		for (_, periods) in FacilityDefaults::<T>::iter() {
			ensure!(periods.windows(2).all(|w| w[0] < w[1]), "defaults not sorted");
		}
		ensure!(Self::rules_valid(&Rules::<T>::get()), "invalid rules");
		ensure!(Self::backlog_fits_with(&Rules::<T>::get()), "backlog longer than records keep");
		for (facility, debt) in FacilityDebt::<T>::iter() {
			ensure!(debts.get(&facility).copied().unwrap_or_default() == debt, "facility debt");
		}
		for (facility, debt) in debts {
			ensure!(FacilityDebt::<T>::get(facility) == debt, "facility debt");
		}
		ensure!(
			T::PayoutAsset::balance(&Self::pot_account()) >= owed_to_pot,
			"pot holds less than it owes"
		);
		Ok(())
	}
}
