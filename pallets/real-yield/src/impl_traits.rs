//! What this pallet offers the token pallet and the oracle.

use crate::*;
use frame_support::{traits::Get, weights::Weight};
use hashrate_primitives::{OnPeriodFinal, PeriodOutcome, SeriesObligations, SettlementLimits};
use sp_runtime::DispatchError;

/// Brings an account's record up to date before its balance changes, and the series'
/// time-weighted supply before the supply changes.
impl<T: Config> OnTokenBalanceChange<T::AccountId> for Pallet<T> {
	fn before_balance_change(
		series: SeriesId,
		who: &T::AccountId,
		new_balance: hashrate_primitives::TokenBalance,
	) -> Result<Weight, DispatchError> {
		let folded = Self::update_before_change(series, who, new_balance)?;
		Ok(T::WeightInfo::before_balance_change(folded))
	}

	fn max_weight() -> Weight {
		T::WeightInfo::before_balance_change(T::MaxUnsettledPeriods::get())
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
