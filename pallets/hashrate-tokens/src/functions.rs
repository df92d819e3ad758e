//! The calls' logic, the backing and collateral arithmetic, and the invariants.

use crate::*;
use alloc::vec::Vec;
use frame_support::{
	dispatch::DispatchResultWithPostInfo,
	ensure,
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate, MutateHold},
		tokens::{Precision, Preservation},
		UnixTime,
	},
};
use hashrate_primitives::FacilityInspect;
use hashrate_primitives::{physics, Hashrate, NetworkData, PerMill, PeriodIndex};
use polkadot_sdk::sp_core::U256;
use sp_runtime::traits::{AccountIdConversion, Saturating, Zero};

impl<T: Config> Pallet<T> {
	/// The chain's clock, unix seconds.
	pub fn now() -> u64 {
		T::Time::now().as_secs()
	}

	/// The account that holds subscription payments and proceeds.
	pub fn escrow_account() -> T::AccountId {
		T::PalletId::get().into_sub_account_truncating(*b"escrow")
	}

	/// The account that holds every series' collateral.
	pub fn collateral_account() -> T::AccountId {
		T::PalletId::get().into_sub_account_truncating(*b"collateral")
	}

	/// Whether `rules` are within range.
	pub fn rules_valid(rules: &IssuanceRules) -> bool {
		(1..=MAX_BACKING_PERIODS).contains(&rules.backing_periods)
			&& (1..=1000).contains(&rules.max_tokenization)
			&& rules.collateral_periods <= MAX_COLLATERAL_PERIODS
			&& rules.max_backing_age >= 1
	}

	/// `10^decimals`; `decimals` is at most [`MAX_DECIMALS`], so it fits.
	fn unit(decimals: u8) -> u128 {
		10u128.saturating_pow(u32::from(decimals))
	}

	/// Hashrate `units` of a series with `terms` are a claim on: `units x hashrate per token /
	/// 10^decimals`, rounded **up** when `round_up` (what backing must cover) or down (what a
	/// holder is shown). `None` if it does not fit.
	pub fn hashrate_of(
		terms: &SeriesTerms,
		units: TokenBalance,
		round_up: bool,
	) -> Option<Hashrate> {
		let product = U256::from(units).checked_mul(U256::from(terms.hashrate_per_token.get()))?;
		let (quotient, remainder) = product.div_mod(U256::from(Self::unit(terms.decimals)));
		let rounded = if round_up && !remainder.is_zero() {
			quotient.checked_add(U256::one())?
		} else {
			quotient
		};
		u128::try_from(rounded).ok().map(Hashrate)
	}

	/// Price of `units` at `price` per whole token, rounded **up** (the buyer pays at most
	/// one sat more than the exact fraction; it is recorded and refunded in full).
	pub fn cost_of(
		terms: &SeriesTerms,
		units: TokenBalance,
		price: PayoutBalance,
	) -> Option<PayoutBalance> {
		let product = U256::from(units).checked_mul(U256::from(price))?;
		let (quotient, remainder) = product.div_mod(U256::from(Self::unit(terms.decimals)));
		let rounded =
			if remainder.is_zero() { quotient } else { quotient.checked_add(U256::one())? };
		u128::try_from(rounded).ok()
	}

	/// Whether `record`'s last period has ended.
	pub fn matured(record: &SeriesRecord) -> bool {
		T::Oracle::current_period() > record.terms.last_period
	}

	/// Whether `record` counts against its facility's backing: offered or issued, not matured.
	fn counts(record: &SeriesRecord) -> bool {
		matches!(record.status, SeriesStatus::Offering | SeriesStatus::Issued)
			&& !Self::matured(record)
	}

	/// Hashrate `record` counts for: its minted plus reserved units, rounded up.
	fn committed_hashrate(record: &SeriesRecord) -> Result<Hashrate, Error<T>> {
		let units = record.supply.checked_add(record.reserved).ok_or(Error::<T>::Overflow)?;
		Self::hashrate_of(&record.terms, units, true).ok_or(Error::<T>::Overflow)
	}

	/// Hashrate `facility` has tokenized: the sum over its offered and live series.
	pub fn tokenized(facility: FacilityId) -> Result<Hashrate, Error<T>> {
		let mut total = Hashrate::ZERO;
		for series in FacilitySeries::<T>::get(facility) {
			let Some(record) = Series::<T>::get(series) else { continue };
			if Self::counts(&record) {
				total = total
					.checked_add(Self::committed_hashrate(&record)?)
					.ok_or(Error::<T>::Overflow)?;
			}
		}
		Ok(total)
	}

	/// Most that may be tokenized against `average`.
	pub fn limit_of(average: Hashrate, max_tokenization: PerMill) -> Hashrate {
		let limit = U256::from(average.get()).saturating_mul(U256::from(max_tokenization))
			/ U256::from(1000u32);
		// At most `average`, which is a u128.
		Hashrate(u128::try_from(limit).unwrap_or(u128::MAX))
	}

	/// `facility`'s backing if it is fresh enough to issue against.
	pub fn fresh_backing(facility: FacilityId) -> Option<Backing> {
		let backing = Backings::<T>::get(facility)?;
		let age = T::Oracle::current_period().0.saturating_sub(backing.as_of.0);
		(age <= Rules::<T>::get().max_backing_age).then_some(backing)
	}

	/// The facility's operator.
	fn operator_of(facility: FacilityId) -> Result<T::AccountId, Error<T>> {
		T::Facilities::operator(facility).ok_or(Error::<T>::UnknownFacility)
	}

	/// The series and its operator, who must be `who`.
	fn operated_series(
		who: &T::AccountId,
		series: SeriesId,
	) -> Result<SeriesRecord, DispatchError> {
		let record = Series::<T>::get(series).ok_or(Error::<T>::UnknownSeries)?;
		ensure!(Self::operator_of(record.facility)? == *who, Error::<T>::NotOperator);
		Ok(record)
	}

	/// `facility` may take on new obligations: active and not in debt.
	fn ensure_may_issue(facility: FacilityId) -> DispatchResult {
		let status = T::Facilities::status(facility).ok_or(Error::<T>::UnknownFacility)?;
		ensure!(status.may_issue(), Error::<T>::FacilityNotActive);
		ensure!(T::Obligations::debt(facility).is_zero(), Error::<T>::FacilityInDebt);
		Ok(())
	}

	/// Checks a series' terms.
	fn check_terms(terms: &SeriesTerms) -> DispatchResult {
		ensure!(!terms.hashrate_per_token.is_zero(), Error::<T>::ZeroHashratePerToken);
		ensure!(terms.decimals <= MAX_DECIMALS, Error::<T>::TooManyDecimals);
		ensure!(
			!terms.name.is_empty() && core::str::from_utf8(&terms.name).is_ok(),
			Error::<T>::InvalidName
		);
		ensure!(
			!terms.symbol.is_empty()
				&& terms.symbol.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()),
			Error::<T>::InvalidSymbol
		);
		ensure!(terms.last_period >= terms.first_period, Error::<T>::EmptyTerm);
		ensure!(terms.first_period > T::Oracle::current_period(), Error::<T>::TermInPast);
		let length = terms.last_period.0.saturating_sub(terms.first_period.0).saturating_add(1);
		ensure!(length <= T::MaxTermPeriods::get(), Error::<T>::TermTooLong);
		ensure!(
			terms.supply_cap > 0 && terms.min_balance > 0 && terms.min_balance <= terms.supply_cap,
			Error::<T>::InvalidSupplyCap
		);
		// The whole cap's hashrate must be computable.
		Self::hashrate_of(terms, terms.supply_cap, true).ok_or(Error::<T>::Overflow)?;
		Ok(())
	}

	/// Moves `amount` of the payout asset from a pallet account, keeping it alive.
	fn pay_out(from: &T::AccountId, to: &T::AccountId, amount: PayoutBalance) -> DispatchResult {
		if amount.is_zero() {
			return Ok(());
		}
		T::PayoutAsset::transfer(from, to, amount, Preservation::Preserve)
			.map(|_| ())
			.map_err(|_| Error::<T>::InsufficientBalance.into())
	}

	/// Moves `amount` of the payout asset from a user into a pallet account.
	fn pay_in(from: &T::AccountId, to: &T::AccountId, amount: PayoutBalance) -> DispatchResult {
		T::PayoutAsset::transfer(from, to, amount, Preservation::Expendable)
			.map(|_| ())
			.map_err(|_| Error::<T>::InsufficientBalance.into())
	}

	pub(crate) fn do_create_series(
		who: T::AccountId,
		facility: FacilityId,
		terms: SeriesTerms,
	) -> Result<SeriesId, DispatchError> {
		ensure!(Self::operator_of(facility)? == who, Error::<T>::NotOperator);
		Self::ensure_may_issue(facility)?;
		Self::check_terms(&terms)?;
		let series = NextSeriesId::<T>::get();
		let next = series.next().ok_or(Error::<T>::SeriesIdsExhausted)?;
		FacilitySeries::<T>::try_mutate(facility, |list| list.try_push(series))
			.map_err(|_| Error::<T>::TooManySeries)?;
		T::Facilities::add_obligation(facility)?;
		NextSeriesId::<T>::put(next);
		Series::<T>::insert(
			series,
			SeriesRecord {
				facility,
				terms: terms.clone(),
				status: SeriesStatus::Created,
				supply: 0,
				reserved: 0,
				collateral: 0,
			},
		);
		Self::deposit_event(Event::SeriesCreated { series, facility, terms });
		Ok(series)
	}

	pub(crate) fn do_update_terms(
		who: T::AccountId,
		series: SeriesId,
		terms: SeriesTerms,
	) -> DispatchResult {
		let mut record = Self::operated_series(&who, series)?;
		ensure!(record.status == SeriesStatus::Created, Error::<T>::TermsLocked);
		Self::check_terms(&terms)?;
		record.terms = terms.clone();
		Series::<T>::insert(series, record);
		Self::deposit_event(Event::TermsUpdated { series, terms });
		Ok(())
	}

	pub(crate) fn do_cancel_series(who: T::AccountId, series: SeriesId) -> DispatchResult {
		let record = Self::operated_series(&who, series)?;
		ensure!(record.status == SeriesStatus::Created, Error::<T>::WrongStatus);
		ensure!(!Offerings::<T>::contains_key(series), Error::<T>::OfferingPending);
		Self::release_all_collateral(series, &record, &who)?;
		FacilitySeries::<T>::mutate(record.facility, |list| list.retain(|s| *s != series));
		T::Facilities::release_obligation(record.facility)?;
		Series::<T>::remove(series);
		Self::deposit_event(Event::SeriesCancelled { series });
		Ok(())
	}

	/// Pays all of `record`'s collateral to `operator` (the record is written by the caller
	/// or removed).
	fn release_all_collateral(
		series: SeriesId,
		record: &SeriesRecord,
		operator: &T::AccountId,
	) -> DispatchResult {
		if record.collateral.is_zero() {
			return Ok(());
		}
		Self::pay_out(&Self::collateral_account(), operator, record.collateral)?;
		Self::deposit_event(Event::CollateralReleased { series, amount: record.collateral });
		Ok(())
	}

	pub(crate) fn do_add_collateral(
		who: T::AccountId,
		series: SeriesId,
		amount: PayoutBalance,
	) -> DispatchResult {
		let mut record = Self::operated_series(&who, series)?;
		ensure!(record.status != SeriesStatus::Closed, Error::<T>::WrongStatus);
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let total = record.collateral.checked_add(amount).ok_or(Error::<T>::Overflow)?;
		Self::pay_in(&who, &Self::collateral_account(), amount)?;
		record.collateral = total;
		Series::<T>::insert(series, record);
		Self::deposit_event(Event::CollateralAdded { series, amount, total });
		Ok(())
	}

	pub(crate) fn do_open_offering(
		who: T::AccountId,
		series: SeriesId,
		terms: OfferingTerms,
	) -> DispatchResult {
		let mut record = Self::operated_series(&who, series)?;
		ensure!(record.status == SeriesStatus::Created, Error::<T>::WrongStatus);
		ensure!(!Offerings::<T>::contains_key(series), Error::<T>::OfferingPending);
		Self::ensure_may_issue(record.facility)?;
		ensure!(!terms.price.is_zero(), Error::<T>::ZeroPrice);
		ensure!(terms.closes > Self::now(), Error::<T>::CloseInPast);
		let (term_start, _) = T::Oracle::period_bounds(record.terms.first_period)
			.ok_or(Error::<T>::TermStartsBeforeOfferingEnds)?;
		ensure!(term_start >= terms.closes, Error::<T>::TermStartsBeforeOfferingEnds);
		ensure!(
			terms.soft_cap > 0
				&& terms.soft_cap <= terms.hard_cap
				&& terms.min_subscription >= record.terms.min_balance
				&& terms.min_subscription <= terms.hard_cap,
			Error::<T>::InvalidCaps
		);
		let room = record.terms.supply_cap.saturating_sub(record.supply);
		ensure!(terms.hard_cap <= room, Error::<T>::CapExceeded);
		record.status = SeriesStatus::Offering;
		Series::<T>::insert(series, record);
		Offerings::<T>::insert(
			series,
			Offering { terms, state: OfferingState::Open, sold: 0, escrowed: 0, subscribers: 0 },
		);
		// The chain closes it by itself at its close time.
		Self::queue_close(terms.closes, series);
		Self::deposit_event(Event::OfferingOpened { series, terms });
		Ok(())
	}

	/// Checks that `record` may reserve (or keep) `extra` more units against its facility's
	/// backing; returns the limit checked against.
	fn check_backing(
		record: &SeriesRecord,
		extra: TokenBalance,
	) -> Result<Hashrate, DispatchError> {
		let backing = Self::fresh_backing(record.facility).ok_or(Error::<T>::NoBacking)?;
		let limit = Self::limit_of(backing.average, Rules::<T>::get().max_tokenization);
		let tokenized = Self::tokenized(record.facility)?;
		// What the facility's other series count for.
		let others = if Self::counts(record) {
			tokenized.saturating_sub(Self::committed_hashrate(record)?)
		} else {
			tokenized
		};
		let units = record
			.supply
			.checked_add(record.reserved)
			.and_then(|u| u.checked_add(extra))
			.ok_or(Error::<T>::Overflow)?;
		let after = Self::hashrate_of(&record.terms, units, true).ok_or(Error::<T>::Overflow)?;
		let total = others.checked_add(after).ok_or(Error::<T>::Overflow)?;
		ensure!(total <= limit, Error::<T>::BackingExceeded);
		Ok(limit)
	}

	pub(crate) fn do_subscribe(
		who: T::AccountId,
		series: SeriesId,
		amount: TokenBalance,
	) -> DispatchResult {
		ensure!(amount > 0, Error::<T>::ZeroAmount);
		let mut offering = Offerings::<T>::get(series)
			.filter(|o| o.state == OfferingState::Open)
			.ok_or(Error::<T>::OfferingNotOpen)?;
		ensure!(Self::now() < offering.terms.closes, Error::<T>::OfferingClosed);
		let mut record = Series::<T>::get(series).ok_or(Error::<T>::UnknownSeries)?;
		let facility = record.facility;
		ensure!(
			Self::operator_of(facility)? != who && !T::Facilities::is_reporter(facility, &who),
			Error::<T>::SubscriberIsFacility
		);
		let existing = Subscriptions::<T>::get(series, &who);
		let mut subscription = existing.unwrap_or_default();
		subscription.amount =
			subscription.amount.checked_add(amount).ok_or(Error::<T>::Overflow)?;
		ensure!(subscription.amount >= offering.terms.min_subscription, Error::<T>::BelowMinimum);
		let sold = offering.sold.checked_add(amount).ok_or(Error::<T>::Overflow)?;
		ensure!(sold <= offering.terms.hard_cap, Error::<T>::CapExceeded);
		if existing.is_none() {
			ensure!(
				offering.subscribers < T::MaxSubscribers::get(),
				Error::<T>::TooManySubscribers
			);
			offering.subscribers = offering.subscribers.saturating_add(1);
		}
		Self::ensure_may_issue(facility)?;
		let limit = Self::check_backing(&record, amount)?;
		let paid = Self::cost_of(&record.terms, amount, offering.terms.price)
			.ok_or(Error::<T>::Overflow)?;
		subscription.paid = subscription.paid.checked_add(paid).ok_or(Error::<T>::Overflow)?;
		offering.escrowed = offering.escrowed.checked_add(paid).ok_or(Error::<T>::Overflow)?;
		Self::pay_in(&who, &Self::escrow_account(), paid)?;
		offering.sold = sold;
		record.reserved = sold;
		if sold == offering.terms.hard_cap {
			// Sold out: it may close now.
			Self::queue_close(Self::now(), series);
		}
		Subscriptions::<T>::insert(series, &who, subscription);
		Offerings::<T>::insert(series, offering);
		Series::<T>::insert(series, record);
		LastMintLimit::<T>::insert(facility, limit);
		Self::deposit_event(Event::Subscribed { series, who, amount, paid });
		Ok(())
	}

	/// Payout-asset collateral `record` needs before `units` of it are minted:
	/// [`IssuanceRules::collateral_periods`] x (expected sats of their hashrate in one
	/// period at the latest network data, minus the series' costs for it), at least zero.
	pub fn required_collateral(
		record: &SeriesRecord,
		units: TokenBalance,
	) -> Result<PayoutBalance, DispatchError> {
		let periods = Rules::<T>::get().collateral_periods;
		if periods == 0 {
			return Ok(0);
		}
		let hashrate = Self::hashrate_of(&record.terms, units, true).ok_or(Error::<T>::Overflow)?;
		let (start, end) =
			T::Oracle::period_bounds(record.terms.first_period).ok_or(Error::<T>::Overflow)?;
		let seconds = end.saturating_sub(start);
		let data = Self::latest_network_data().ok_or(Error::<T>::NoNetworkData)?;
		let expected =
			physics::expected_sats(hashrate, seconds, data.difficulty, data.reward_per_block)
				.ok_or(Error::<T>::Overflow)?;
		// Costs rounded down, so the requirement errs on the holders' side.
		let cost = U256::from(record.terms.cost_per_th_day.get())
			.saturating_mul(U256::from(hashrate.get()))
			.saturating_mul(U256::from(seconds))
			/ U256::from(Hashrate::MILLI_PER_TH * u128::from(SECONDS_PER_DAY));
		let net = U256::from(expected.get()).saturating_sub(cost);
		let required = net.saturating_mul(U256::from(periods));
		u128::try_from(required).map_err(|_| Error::<T>::Overflow.into())
	}

	/// Network data of the current period or, failing that, of the nearest of the
	/// [`NETWORK_DATA_LOOKBACK`] periods before it.
	pub fn latest_network_data() -> Option<NetworkData> {
		let current = T::Oracle::current_period().0;
		(0..=NETWORK_DATA_LOOKBACK)
			.filter_map(|back| current.checked_sub(back))
			.find_map(|period| T::Oracle::network_data(PeriodIndex(period)))
	}

	/// Checks that the facility may mint `record`'s reserved units now.
	fn check_can_mint(record: &SeriesRecord) -> DispatchResult {
		Self::ensure_may_issue(record.facility)?;
		Self::check_backing(record, 0)?;
		let required = Self::required_collateral(record, record.reserved)?;
		ensure!(record.collateral >= required, Error::<T>::CollateralShort);
		Ok(())
	}

	pub(crate) fn do_close_offering(series: SeriesId) -> DispatchResultWithPostInfo {
		let mut offering = Offerings::<T>::get(series)
			.filter(|o| o.state == OfferingState::Open)
			.ok_or(Error::<T>::OfferingNotOpen)?;
		let mut record = Series::<T>::get(series).ok_or(Error::<T>::UnknownSeries)?;
		let now = Self::now();
		ensure!(
			now >= offering.terms.closes || offering.sold >= offering.terms.hard_cap,
			Error::<T>::OfferingStillOpen
		);
		let failure = if offering.sold < offering.terms.soft_cap {
			Some(FailureReason::SoftCapMissed)
		} else if T::Oracle::period_bounds(record.terms.first_period)
			.is_none_or(|(term_start, _)| now >= term_start)
		{
			// Nobody closed it before the term started: buyers paid for the whole term.
			Some(FailureReason::TermStarted)
		} else {
			match Self::check_can_mint(&record) {
				Ok(()) => None,
				Err(error) => {
					let grace_ends =
						offering.terms.closes.saturating_add(Rules::<T>::get().close_grace);
					ensure!(now >= grace_ends, error);
					Some(FailureReason::CannotIssue)
				},
			}
		};
		if let Some(reason) = failure {
			record.status = SeriesStatus::Created;
			record.reserved = 0;
			Series::<T>::insert(series, record);
			Self::deposit_event(Event::OfferingFailed { series, sold: offering.sold, reason });
			if offering.subscribers == 0 {
				Offerings::<T>::remove(series);
			} else {
				offering.state = OfferingState::Failed;
				Offerings::<T>::insert(series, offering);
			}
			return Ok(Some(T::WeightInfo::close_offering(0)).into());
		}
		let mut weight = T::WeightInfo::close_offering(offering.subscribers);
		weight.saturating_accrue(T::OnBalanceChange::before_supply_change(series)?);
		let mut minted = 0u32;
		for (who, subscription) in Subscriptions::<T>::drain_prefix(series) {
			let after = Holdings::<T>::get(&who, series)
				.checked_add(subscription.amount)
				.ok_or(Error::<T>::Overflow)?;
			weight
				.saturating_accrue(T::OnBalanceChange::before_balance_change(series, &who, after)?);
			Holdings::<T>::insert(&who, series, after);
			minted = minted.saturating_add(1);
			Self::deposit_event(Event::Minted { series, who, amount: subscription.amount });
		}
		debug_assert_eq!(minted, offering.subscribers);
		record.supply = record.supply.checked_add(offering.sold).ok_or(Error::<T>::Overflow)?;
		record.reserved = 0;
		record.status = SeriesStatus::Issued;
		Series::<T>::insert(series, record);
		offering.state = OfferingState::Succeeded;
		offering.subscribers = 0;
		Self::deposit_event(Event::OfferingSucceeded {
			series,
			sold: offering.sold,
			proceeds: offering.escrowed,
		});
		if offering.escrowed.is_zero() {
			Offerings::<T>::remove(series);
		} else {
			Offerings::<T>::insert(series, offering);
		}
		Ok(Some(weight).into())
	}

	pub(crate) fn do_refund(series: SeriesId, who: T::AccountId) -> DispatchResult {
		let mut offering = Offerings::<T>::get(series)
			.filter(|o| o.state == OfferingState::Failed)
			.ok_or(Error::<T>::OfferingNotFailed)?;
		let subscription =
			Subscriptions::<T>::take(series, &who).ok_or(Error::<T>::NoSubscription)?;
		Self::pay_out(&Self::escrow_account(), &who, subscription.paid)?;
		offering.escrowed = offering.escrowed.saturating_sub(subscription.paid);
		offering.subscribers = offering.subscribers.saturating_sub(1);
		if offering.subscribers == 0 {
			Offerings::<T>::remove(series);
		} else {
			Offerings::<T>::insert(series, offering);
		}
		Self::deposit_event(Event::Refunded { series, who, amount: subscription.paid });
		Ok(())
	}

	pub(crate) fn do_withdraw_proceeds(who: T::AccountId, series: SeriesId) -> DispatchResult {
		Self::operated_series(&who, series)?;
		Self::pay_proceeds(series, &who)?.ok_or(Error::<T>::NoProceeds)?;
		Ok(())
	}

	/// Pays a successful offering's proceeds to `operator` and removes the offering;
	/// `None` if there were none.
	fn pay_proceeds(
		series: SeriesId,
		operator: &T::AccountId,
	) -> Result<Option<PayoutBalance>, DispatchError> {
		let Some(offering) =
			Offerings::<T>::get(series).filter(|o| o.state == OfferingState::Succeeded)
		else {
			return Ok(None);
		};
		Self::pay_out(&Self::escrow_account(), operator, offering.escrowed)?;
		Offerings::<T>::remove(series);
		Self::deposit_event(Event::ProceedsWithdrawn { series, amount: offering.escrowed });
		Ok(Some(offering.escrowed))
	}

	/// Checks and moves `amount` units from `from` to `to`, telling the hook first; returns
	/// the weight the hook used.
	pub(crate) fn move_tokens(
		series: SeriesId,
		from: &T::AccountId,
		to: &T::AccountId,
		amount: TokenBalance,
	) -> Result<Weight, DispatchError> {
		ensure!(amount > 0, Error::<T>::ZeroAmount);
		let record = Series::<T>::get(series).ok_or(Error::<T>::UnknownSeries)?;
		ensure!(record.status == SeriesStatus::Issued, Error::<T>::WrongStatus);
		let from_balance = Holdings::<T>::get(from, series);
		let from_after = from_balance.checked_sub(amount).ok_or(Error::<T>::InsufficientTokens)?;
		if from == to {
			Self::deposit_event(Event::Transferred {
				series,
				from: from.clone(),
				to: to.clone(),
				amount,
			});
			return Ok(Weight::zero());
		}
		let min = record.terms.min_balance;
		ensure!(from_after == 0 || from_after >= min, Error::<T>::BelowMinimum);
		let to_after =
			Holdings::<T>::get(to, series).checked_add(amount).ok_or(Error::<T>::Overflow)?;
		ensure!(to_after >= min, Error::<T>::BelowMinimum);
		let mut weight = T::OnBalanceChange::before_balance_change(series, from, from_after)?;
		weight.saturating_accrue(T::OnBalanceChange::before_balance_change(series, to, to_after)?);
		Self::set_balance(from, series, from_after);
		Self::set_balance(to, series, to_after);
		Self::deposit_event(Event::Transferred {
			series,
			from: from.clone(),
			to: to.clone(),
			amount,
		});
		Ok(weight)
	}

	/// Stores a balance, removing the record at zero.
	fn set_balance(who: &T::AccountId, series: SeriesId, balance: TokenBalance) {
		if balance == 0 {
			Holdings::<T>::remove(who, series);
		} else {
			Holdings::<T>::insert(who, series, balance);
		}
	}

	pub(crate) fn do_transfer(
		series: SeriesId,
		from: T::AccountId,
		to: T::AccountId,
		amount: TokenBalance,
	) -> DispatchResultWithPostInfo {
		let hook = Self::move_tokens(series, &from, &to, amount)?;
		Ok(Some(T::WeightInfo::transfer().saturating_add(hook)).into())
	}

	pub(crate) fn do_approve(
		series: SeriesId,
		owner: T::AccountId,
		spender: T::AccountId,
		amount: TokenBalance,
	) -> DispatchResult {
		ensure!(Series::<T>::contains_key(series), Error::<T>::UnknownSeries);
		match (Approvals::<T>::get((series, &owner, &spender)), amount) {
			(None, 0) => {},
			(Some(approval), 0) => {
				Self::release_approval_deposit(&owner, approval.deposit);
				Approvals::<T>::remove((series, &owner, &spender));
			},
			(None, _) => {
				let deposit = T::ApprovalDeposit::get();
				T::Currency::hold(&HoldReason::ApprovalDeposit.into(), &owner, deposit)
					.map_err(|_| Error::<T>::DepositNotAffordable)?;
				Approvals::<T>::insert((series, &owner, &spender), Approval { amount, deposit });
			},
			(Some(approval), _) => {
				Approvals::<T>::insert((series, &owner, &spender), Approval { amount, ..approval })
			},
		}
		Self::deposit_event(Event::Approved { series, owner, spender, amount });
		Ok(())
	}

	fn release_approval_deposit(owner: &T::AccountId, deposit: BalanceOf<T>) {
		// The deposit was held by `do_approve` and only released here: the hold covers it.
		let _ = T::Currency::release(
			&HoldReason::ApprovalDeposit.into(),
			owner,
			deposit,
			Precision::BestEffort,
		);
	}

	pub(crate) fn do_transfer_from(
		series: SeriesId,
		spender: T::AccountId,
		owner: T::AccountId,
		to: T::AccountId,
		amount: TokenBalance,
	) -> DispatchResultWithPostInfo {
		ensure!(amount > 0, Error::<T>::ZeroAmount);
		let mut approval = Approvals::<T>::get((series, &owner, &spender))
			.ok_or(Error::<T>::InsufficientAllowance)?;
		approval.amount =
			approval.amount.checked_sub(amount).ok_or(Error::<T>::InsufficientAllowance)?;
		let hook = Self::move_tokens(series, &owner, &to, amount)?;
		if approval.amount == 0 {
			Self::release_approval_deposit(&owner, approval.deposit);
			Approvals::<T>::remove((series, &owner, &spender));
		} else {
			Approvals::<T>::insert((series, &owner, &spender), approval);
		}
		Self::deposit_event(Event::Approved { series, owner, spender, amount: approval.amount });
		Ok(Some(T::WeightInfo::transfer_from().saturating_add(hook)).into())
	}

	pub(crate) fn do_burn(
		series: SeriesId,
		who: T::AccountId,
		amount: TokenBalance,
	) -> DispatchResultWithPostInfo {
		ensure!(amount > 0, Error::<T>::ZeroAmount);
		let mut record = Series::<T>::get(series).ok_or(Error::<T>::UnknownSeries)?;
		ensure!(
			record.status == SeriesStatus::Issued && Self::matured(&record),
			Error::<T>::NotMatured
		);
		let after = Holdings::<T>::get(&who, series)
			.checked_sub(amount)
			.ok_or(Error::<T>::InsufficientTokens)?;
		ensure!(after == 0 || after >= record.terms.min_balance, Error::<T>::BelowMinimum);
		let hook = T::OnBalanceChange::before_supply_change(series)?
			.saturating_add(T::OnBalanceChange::before_balance_change(series, &who, after)?);
		Self::set_balance(&who, series, after);
		// The holder's balance was part of the supply.
		record.supply = record.supply.saturating_sub(amount);
		Series::<T>::insert(series, record);
		Self::deposit_event(Event::Burned { series, who, amount });
		Ok(Some(T::WeightInfo::burn().saturating_add(hook)).into())
	}

	pub(crate) fn do_release_collateral(who: T::AccountId, series: SeriesId) -> DispatchResult {
		let mut record = Self::operated_series(&who, series)?;
		ensure!(
			record.status == SeriesStatus::Issued && Self::matured(&record),
			Error::<T>::NotMatured
		);
		ensure!(T::Obligations::is_settled(series), Error::<T>::PeriodsUnsettled);
		ensure!(!record.collateral.is_zero(), Error::<T>::NoCollateral);
		Self::release_all_collateral(series, &record, &who)?;
		record.collateral = 0;
		Series::<T>::insert(series, record);
		Ok(())
	}

	pub(crate) fn do_close_series(series: SeriesId) -> DispatchResult {
		let record = Series::<T>::get(series).ok_or(Error::<T>::UnknownSeries)?;
		ensure!(record.status == SeriesStatus::Issued, Error::<T>::WrongStatus);
		ensure!(Self::matured(&record), Error::<T>::NotMatured);
		ensure!(record.supply == 0, Error::<T>::SupplyOutstanding);
		ensure!(T::Obligations::is_settled(series), Error::<T>::PeriodsUnsettled);
		let operator = Self::operator_of(record.facility)?;
		Self::release_all_collateral(series, &record, &operator)?;
		Self::pay_proceeds(series, &operator)?;
		FacilitySeries::<T>::mutate(record.facility, |list| list.retain(|s| *s != series));
		T::Facilities::release_obligation(record.facility)?;
		// Nothing of a closed series stays: storage follows live series, not history (the
		// yield pallet keeps holders' unclaimed yield until they claim it).
		Series::<T>::remove(series);
		Offerings::<T>::remove(series);
		Self::deposit_event(Event::SeriesClosed { series });
		Ok(())
	}

	/// The oracle announced `facility`'s `period` final: take the backing of the `k` periods
	/// ending there (if all are final and `period` is not older than the backing held) and
	/// say whether the facility is now short.
	pub(crate) fn note_period_final(facility: FacilityId, period: PeriodIndex) {
		let previous = Backings::<T>::get(facility);
		if previous.is_some_and(|b| period < b.as_of) {
			return;
		}
		let rules = Rules::<T>::get();
		let Some(before) = period.next() else { return };
		let Some(average) =
			T::Oracle::average_final_hashrate(facility, before, rules.backing_periods)
		else {
			return;
		};
		let limit = Self::limit_of(average, rules.max_tokenization);
		// A tokenized hashrate that does not fit is certainly above the limit.
		let tokenized = Self::tokenized(facility).unwrap_or(Hashrate(u128::MAX));
		let short = tokenized > limit;
		let was_short = previous.is_some_and(|b| b.short);
		Backings::<T>::insert(facility, Backing { average, as_of: period, short });
		if short && !was_short {
			Self::deposit_event(Event::BackingShortfall { facility, period, tokenized, limit });
		} else if !short && was_short {
			Self::deposit_event(Event::BackingRestored { facility, period, limit });
		}
	}

	/// Moves up to `amount` of `series`' collateral to `to`.
	pub(crate) fn do_draw_collateral(
		series: SeriesId,
		amount: PayoutBalance,
		to: &T::AccountId,
	) -> Result<PayoutBalance, DispatchError> {
		let mut record = Series::<T>::get(series).ok_or(Error::<T>::UnknownSeries)?;
		let drawn = amount.min(record.collateral);
		if drawn.is_zero() {
			return Ok(0);
		}
		Self::pay_out(&Self::collateral_account(), to, drawn)?;
		record.collateral = record.collateral.saturating_sub(drawn);
		Series::<T>::insert(series, record);
		Self::deposit_event(Event::CollateralDrawn { series, amount: drawn, to: to.clone() });
		Ok(drawn)
	}

	/// Every series `who` holds.
	pub fn positions_of(who: &T::AccountId) -> Vec<Position> {
		Holdings::<T>::iter_prefix(who)
			.filter_map(|(series, balance)| {
				let record = Series::<T>::get(series)?;
				Some(Position {
					series,
					facility: record.facility,
					balance,
					hashrate: Self::hashrate_of(&record.terms, balance, false)
						.unwrap_or(Hashrate(u128::MAX)),
					matured: Self::matured(&record),
				})
			})
			.collect()
	}

	/// What backs `facility`'s tokens.
	pub fn backing_view(facility: FacilityId) -> BackingView {
		let backing = Backings::<T>::get(facility);
		let fresh = Self::fresh_backing(facility).is_some();
		let limit = match (backing, fresh) {
			(Some(b), true) => Self::limit_of(b.average, Rules::<T>::get().max_tokenization),
			_ => Hashrate::ZERO,
		};
		let collateral = FacilitySeries::<T>::get(facility)
			.into_iter()
			.filter_map(Series::<T>::get)
			.fold(0u128, |sum, record| sum.saturating_add(record.collateral));
		BackingView {
			backing: backing.map(|b| (b.average, b.as_of)),
			fresh,
			tokenized: Self::tokenized(facility).unwrap_or(Hashrate(u128::MAX)),
			limit,
			collateral,
		}
	}

	/// The pallet's invariants:
	///
	/// - every series' supply equals the sum of its holders' balances and is at most its
	///   cap; every stored balance is at least the series' minimum balance; only issued
	///   series have holders;
	/// - `reserved` is non-zero only while an offering is open and equals the units it sold;
	///   an open or failed offering's stored subscriptions add up to its sold units (open),
	///   its escrowed payments and its subscriber count; a succeeded one has none left;
	/// - the escrow account holds exactly the offerings' escrowed payments and the
	///   collateral account exactly the series' collateral, each plus the asset's minimum
	///   balance it keeps to stay alive;
	/// - each facility's series list holds exactly its series that are not closed, and its
	///   tokenized hashrate is at most the limit recorded at its last reservation;
	/// - series ids are below `NextSeriesId`;
	/// - the approval deposit every account holds equals the deposits of its approval
	///   records, and no stored allowance is zero;
	/// - nothing due is forgotten: every open offering is in the due queue.
	#[cfg(any(feature = "try-runtime", feature = "std", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		use frame_support::traits::fungible::InspectHold;

		let mut supply: BTreeMap<SeriesId, TokenBalance> = BTreeMap::new();
		for (_, series, balance) in Holdings::<T>::iter() {
			let record = Series::<T>::get(series).ok_or("a balance of an unknown series")?;
			ensure!(record.status == SeriesStatus::Issued, "holders of a series not issued");
			ensure!(balance >= record.terms.min_balance, "a balance below the minimum");
			let sum = supply.entry(series).or_default();
			*sum = sum.checked_add(balance).ok_or("supply overflows")?;
		}
		let mut per_facility: BTreeMap<FacilityId, Vec<SeriesId>> = BTreeMap::new();
		let mut collateral: PayoutBalance = 0;
		for (series, record) in Series::<T>::iter() {
			ensure!(series < NextSeriesId::<T>::get(), "a series id at or above NextSeriesId");
			ensure!(
				supply.get(&series).copied().unwrap_or_default() == record.supply,
				"supply differs from the sum of balances"
			);
			ensure!(record.supply <= record.terms.supply_cap, "supply above its cap");
			collateral = collateral.saturating_add(record.collateral);
			if record.status != SeriesStatus::Closed {
				per_facility.entry(record.facility).or_default().push(series);
			}
			let offering = Offerings::<T>::get(series);
			if record.status == SeriesStatus::Offering {
				let offering = offering.ok_or("an offered series without offering")?;
				ensure!(offering.state == OfferingState::Open, "offered series, offering not open");
				ensure!(record.reserved == offering.sold, "reserved differs from units sold");
			} else {
				ensure!(record.reserved == 0, "reserved units without an open offering");
			}
		}
		let mut escrowed: PayoutBalance = 0;
		let queued: alloc::collections::BTreeSet<SeriesId> =
			DueQueue::<T>::iter_keys().map(|(_, series)| series).collect();
		for (series, offering) in Offerings::<T>::iter() {
			if offering.state == OfferingState::Open {
				ensure!(queued.contains(&series), "an open offering the chain will never close");
			}
			escrowed = escrowed.saturating_add(offering.escrowed);
			let (mut units, mut paid, mut count) = (0u128, 0u128, 0u32);
			for (_, subscription) in Subscriptions::<T>::iter_prefix(series) {
				units = units.saturating_add(subscription.amount);
				paid = paid.saturating_add(subscription.paid);
				count = count.saturating_add(1);
			}
			ensure!(count == offering.subscribers, "subscriber count differs");
			match offering.state {
				OfferingState::Open => {
					ensure!(units == offering.sold, "subscriptions differ from units sold");
					ensure!(paid == offering.escrowed, "subscriptions differ from escrow");
				},
				OfferingState::Failed => {
					ensure!(paid == offering.escrowed, "refunds differ from escrow");
					ensure!(count > 0, "a failed offering with nothing to refund is kept");
				},
				OfferingState::Succeeded => {
					ensure!(count == 0, "subscriptions left after a mint");
					ensure!(offering.escrowed > 0, "a succeeded offering without proceeds is kept");
				},
			}
		}
		for (series, _) in Subscriptions::<T>::iter_keys() {
			ensure!(Offerings::<T>::contains_key(series), "a subscription without offering");
		}
		let seed = T::PayoutAsset::minimum_balance();
		ensure!(
			T::PayoutAsset::balance(&Self::escrow_account()) == escrowed.saturating_add(seed),
			"escrow balance differs from the escrowed payments"
		);
		ensure!(
			T::PayoutAsset::balance(&Self::collateral_account()) == collateral.saturating_add(seed),
			"collateral account balance differs from the recorded collateral"
		);
		for (facility, list) in FacilitySeries::<T>::iter() {
			let mut listed = list.into_inner();
			listed.sort();
			let mut expected = per_facility.remove(&facility).unwrap_or_default();
			expected.sort();
			ensure!(listed == expected, "a facility's series list differs from its series");
			let tokenized = Self::tokenized(facility).map_err(|_| "tokenized overflows")?;
			if !tokenized.is_zero() {
				let limit = LastMintLimit::<T>::get(facility).ok_or("tokenized without a limit")?;
				ensure!(tokenized <= limit, "tokenized above the limit at the last reservation");
			}
		}
		ensure!(per_facility.is_empty(), "series missing from their facility's list");
		let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for ((_, owner, _), approval) in Approvals::<T>::iter() {
			ensure!(approval.amount > 0, "a zero allowance is stored");
			let sum = deposits.entry(owner).or_default();
			*sum = sum.saturating_add(approval.deposit);
		}
		for account in frame_system::Account::<T>::iter_keys() {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::ApprovalDeposit.into(), &account)
					== deposits.remove(&account).unwrap_or_default(),
				"approval deposits held differ from the records"
			);
		}
		ensure!(
			deposits.is_empty(),
			"an approval deposit recorded for an account that does not exist"
		);
		Ok(())
	}
}
