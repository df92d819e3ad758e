//! What this pallet offers the token pallet and the oracle.

use crate::*;
use frame_support::{traits::Get, weights::Weight};
use hashrate_primitives::{OnPeriodFinal, PeriodOutcome, SeriesObligations, SettlementLimits};
use sp_runtime::DispatchError;

/// Brings an account's record up to date before its balance changes, and the series'
/// time-weighted supply before the supply changes.
///
/// The token pallet's benchmarks run the balance hook in its cheapest case (no settled
/// period to read, no period to record), so the weight it returns is what reading and
/// recording periods adds ([`Pallet::folding_weight`]). The supply hook is charged whole,
/// at its worst case (rare: mints and burns); that also covers a burn that removes the
/// holder's record.
impl<T: Config> OnTokenBalanceChange<T::AccountId> for Pallet<T> {
	fn before_balance_change(
		series: SeriesId,
		who: &T::AccountId,
		new_balance: hashrate_primitives::TokenBalance,
	) -> Result<Weight, DispatchError> {
		let (folded, walked) = Self::update_before_change(series, who, new_balance)?;
		Ok(Self::folding_weight(folded, walked))
	}

	/// Folding and recording as many periods as a record keeps
	/// ([`Config::MaxUnsettledPeriods`]; more fail with `SettlementBacklog`).
	fn max_weight() -> Weight {
		let max = T::MaxUnsettledPeriods::get();
		Self::folding_weight(max, max)
	}

	fn before_supply_change(series: SeriesId) -> Result<Weight, DispatchError> {
		Self::update_before_supply_change(series)?;
		Ok(T::WeightInfo::before_supply_change())
	}

	fn max_supply_weight() -> Weight {
		T::WeightInfo::before_supply_change()
	}
}

impl<T: Config> SeriesObligations for Pallet<T> {
	/// A series this pallet never saw has no tokens and owes nothing.
	fn is_settled(series: SeriesId) -> bool {
		SeriesYields::<T>::get(series).is_none_or(|state| state.next > state.economics.last_period)
	}

	fn debt(facility: FacilityId) -> PayoutBalance {
		FacilityDebt::<T>::get(facility)
	}
}

/// Fixes what a facility's final period is for its series: output, network data, deadline
/// and how the final hashrate is shared.
impl<T: Config> OnPeriodFinal for Pallet<T> {
	fn on_period_final(facility: FacilityId, period: PeriodIndex, outcome: &PeriodOutcome) {
		Self::fix_final_period(facility, period, outcome);
	}

	fn weight() -> Weight {
		T::WeightInfo::on_period_final(T::MaxFacilitySeries::get())
	}
}

/// The oracle asks before its windows or period length change.
impl<T: Config> SettlementLimits for Pallet<T> {
	fn backlog_fits(finality_horizon: u64, period_length: u64) -> bool {
		Self::backlog_fits_window(finality_horizon, period_length, Rules::<T>::get().payment_window)
	}
}
