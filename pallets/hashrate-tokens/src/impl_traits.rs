//! What other pallets see of this one: [`SeriesInspect`], [`SeriesCollateral`], the
//! [`OnPeriodFinal`] subscription and [`fungibles::Inspect`].

use crate::*;
use frame_support::traits::tokens::{
	DepositConsequence, Fortitude, Preservation, Provenance, WithdrawConsequence,
};
use hashrate_primitives::{PeriodIndex, PeriodOutcome, SeriesEconomics};
use sp_runtime::{DispatchError, Weight};

impl<T: Config> OnPeriodFinal for Pallet<T> {
	fn on_period_final(facility: FacilityId, period: PeriodIndex, _: &PeriodOutcome) {
		Self::note_period_final(facility, period);
	}

	fn weight() -> Weight {
		T::WeightInfo::on_period_final()
	}
}

impl<T: Config> SeriesInspect<T::AccountId> for Pallet<T> {
	fn status(series: SeriesId) -> Option<SeriesStatus> {
		Series::<T>::get(series).map(|record| record.status)
	}

	fn economics(series: SeriesId) -> Option<SeriesEconomics> {
		Series::<T>::get(series).map(|record| record.economics())
	}

	fn supply(series: SeriesId) -> TokenBalance {
		Series::<T>::get(series).map_or(0, |record| record.supply)
	}

	fn balance(series: SeriesId, who: &T::AccountId) -> TokenBalance {
		Holdings::<T>::get(who, series)
	}

	fn is_matured(series: SeriesId) -> bool {
		Series::<T>::get(series).is_some_and(|record| Self::matured(&record))
	}

	fn facility_series(facility: FacilityId) -> alloc::vec::Vec<SeriesId> {
		FacilitySeries::<T>::get(facility).into_inner()
	}
}

impl<T: Config> SeriesCollateral<T::AccountId> for Pallet<T> {
	fn collateral(series: SeriesId) -> PayoutBalance {
		Series::<T>::get(series).map_or(0, |record| record.collateral)
	}

	fn draw_collateral(
		series: SeriesId,
		amount: PayoutBalance,
		to: &T::AccountId,
	) -> Result<PayoutBalance, DispatchError> {
		Self::do_draw_collateral(series, amount, to)
	}
}

/// Series as fungible assets (read only: balances change through this pallet's calls, which
/// tell the yield pallet first).
impl<T: Config> fungibles::Inspect<T::AccountId> for Pallet<T> {
	type AssetId = SeriesId;
	type Balance = TokenBalance;

	fn total_issuance(series: SeriesId) -> TokenBalance {
		Series::<T>::get(series).map_or(0, |record| record.supply)
	}

	fn minimum_balance(series: SeriesId) -> TokenBalance {
		Series::<T>::get(series).map_or(0, |record| record.terms.min_balance)
	}

	fn total_balance(series: SeriesId, who: &T::AccountId) -> TokenBalance {
		Holdings::<T>::get(who, series)
	}

	fn balance(series: SeriesId, who: &T::AccountId) -> TokenBalance {
		Holdings::<T>::get(who, series)
	}

	fn reducible_balance(
		series: SeriesId,
		who: &T::AccountId,
		preservation: Preservation,
		_: Fortitude,
	) -> TokenBalance {
		let balance = Holdings::<T>::get(who, series);
		match preservation {
			Preservation::Expendable => balance,
			Preservation::Protect | Preservation::Preserve => {
				balance.saturating_sub(Self::minimum_balance(series))
			},
		}
	}

	fn can_deposit(
		series: SeriesId,
		who: &T::AccountId,
		amount: TokenBalance,
		_: Provenance,
	) -> DepositConsequence {
		let Some(record) = Series::<T>::get(series) else {
			return DepositConsequence::UnknownAsset;
		};
		if amount == 0 {
			return DepositConsequence::Success;
		}
		let Some(after) = Holdings::<T>::get(who, series).checked_add(amount) else {
			return DepositConsequence::Overflow;
		};
		if record.supply.checked_add(amount).is_none() {
			return DepositConsequence::Overflow;
		}
		if after < record.terms.min_balance {
			return DepositConsequence::BelowMinimum;
		}
		DepositConsequence::Success
	}

	fn can_withdraw(
		series: SeriesId,
		who: &T::AccountId,
		amount: TokenBalance,
	) -> WithdrawConsequence<TokenBalance> {
		let Some(record) = Series::<T>::get(series) else {
			return WithdrawConsequence::UnknownAsset;
		};
		let Some(after) = Holdings::<T>::get(who, series).checked_sub(amount) else {
			return WithdrawConsequence::BalanceLow;
		};
		// A balance may not be left between zero and the minimum: such a withdrawal is refused.
		if after != 0 && after < record.terms.min_balance {
			return WithdrawConsequence::BalanceLow;
		}
		WithdrawConsequence::Success
	}

	fn asset_exists(series: SeriesId) -> bool {
		Series::<T>::contains_key(series)
	}
}
