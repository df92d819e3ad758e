//! # Real yield
//!
//! Pays hashrate-token holders their share of the bitcoin a facility actually mined, out of
//! the payout asset the facility deposits (or its collateral, when it does not pay) — never
//! out of new tokens. Every satoshi a holder claims traces back to a series, a period, the
//! oracle's final output of that period and a deposit or collateral draw that paid it.
//!
//! ## What is owed
//!
//! For each period `p` of a series' term, once the oracle has made the facility's period
//! final or defaulted ([`PowOracle::final_outcome`]):
//!
//! - `T` = the series' time-weighted supply over `p` x hashrate per token (rounded up);
//!   final hashrate `H` and sats `S`; `E` = what the network paid per hashrate in `p`
//!   ([`physics::expected_sats`](hashrate_primitives::physics::expected_sats) over the
//!   period's length and network data);
//! - delivered `D = min(T, H)`; owed gross = `S x D / H` (rounded up, 0 when `H = 0`)
//!   `+ (T - D) x E`: the facility, not the holders, carries downtime and under-delivery. A
//!   period the facility did not report owes `T x E`;
//! - minus the series' costs (sats per TH/s per day x `T` x period days, rounded down), at
//!   least zero: that is **owed**; the protocol fee ([`YieldRules::fee_per_mill`] of owed,
//!   rounded down) goes to the treasury, the rest to holders.
//!
//! The obligation, its inputs and the result are stored per series and period
//! ([`PeriodYields`]) the first time the period is touched.
//!
//! When a facility's period becomes final, what the period is for every series of the
//! facility is fixed at once ([`FinalPeriods`]): its final output, its network data, when it
//! became final and so the **deadline** ([`YieldRules::payment_window`] later: it never
//! moves), and the series' tokenized hashrate summed. When the series together tokenized
//! more than the final hashrate `H`, `H` is shared among them pro rata to their tokenized
//! hashrate — each series' `D` is its share, not `min(T, H)`, so no two series claim the same
//! hashes.
//!
//! ## Paying, defaulting, debt
//!
//! Anyone [deposits](Pallet::deposit) the payout asset against any final period of a series
//! not settled yet, up to what is still owed (paying later periods ahead is allowed). Periods
//! of a series settle in order: the next unsettled period settles as soon as it is paid in
//! full ([`Pallet::settle`] settles one owing nothing). Not paid in full by its deadline,
//! anyone may [default](Pallet::trigger_default) it: the shortfall is drawn from the series'
//! collateral ([`SeriesCollateral`]); what collateral does not cover becomes the facility's
//! **debt**, visible to holders and [repayable](Pallet::repay_debt) (a facility in debt
//! cannot issue new series, nor complete its retirement). Each call that settles a period goes on (up to [`MAX_CASCADE`]
//! periods) with the periods after it: paid in full, they settle; past their deadline, they
//! default — so a period that waited for an earlier one is never given more time, and the
//! backlog of unsettled periods is bounded by the oracle's finality horizon plus the payment
//! window (the windows, the period length and these rules are refused when that backlog
//! would not fit [`Config::MaxUnsettledPeriods`]).
//!
//! Nobody has to call [`Pallet::settle`] or [`Pallet::trigger_default`]: a period becoming
//! final queues its series in [`DueQueue`] for that moment and for its deadline, and
//! `on_idle` moves each series on when its time comes (settling what is paid or owes
//! nothing, defaulting what is past its deadline, with the same cascade). The calls stay as
//! fallbacks for anyone in a hurry. A facility whose defaulted periods reach
//! [`YieldRules::defaults_before_suspension`] within [`YieldRules::default_window`] periods
//! (a period counts once however many of its series defaulted) is suspended. The protocol's
//! fee is taken only from what was collected, after holders are whole.
//!
//! ## Debt goes back to those it shorted
//!
//! A defaulted period's debt is what its holders were shorted, in proportion to their
//! token-seconds in it: at default the debt per unit-second joins a second cumulative index
//! ([`DebtIndexes`]), which holders fold exactly as they fold earnings — so a holder who sold
//! keeps its claim. Repayments ([`Pallet::repay_debt`], any time, also after the term) go to
//! every unpaid debt of the series alike, pro rata to what is still unpaid, through the
//! product-and-sum scheme of Liquity's stability pool ([`DebtBook`]): debt is held as shares
//! whose value falls as it is repaid, and a repaid-per-share figure rises by the fall — O(1)
//! per repayment whatever the number of holders. When the whole debt is repaid every share
//! is paid in full and a new epoch starts. Governance may [write the debt
//! off](Pallet::write_off_debt) once every period is settled: the facility is released and
//! holders' unpaid shares are void. Repaid debt is claimed with earnings.
//!
//! ## Records go when empty
//!
//! A holder record with nothing held, no unsettled time, no unpaid debt and less than a sat
//! to claim is removed — by the balance hook (told the balance about to be) or by a claim;
//! its rest joins the series' next distribution. A finished series (every period settled, no
//! holder record, no debt) can be [pruned](Pallet::prune_series), period records first.
//!
//! ## Distribution: a cumulative index over time-weighted holdings
//!
//! The yield of period `p` belongs to whoever held the series during `p`, in proportion to
//! units x seconds held within `p`. This is the reward-per-token accumulator (as in
//! Synthetix `StakingRewards` and `pallet-asset-rewards`), with the rate of each period
//! fixed only when the period settles:
//!
//! ```text
//! rate(p)   = ceil((holders' yield of p x 10^36 - advance) / supply-seconds(p))
//! advance'  = rate(p) x supply-seconds(p) - (holders' yield of p x 10^36 - advance)
//! index(t)  = sum of rate(q) x seconds of q up to t, over settled periods q
//! ```
//!
//! A holder whose balance `b` did not change over `[t0, t1)` of settled time earned
//! `b x (index(t1) - index(t0))`; summed over holders this is exactly `rate(p) x
//! supply-seconds(p)` per period, so settling a period is O(1) whatever the number of
//! holders. Time not settled yet is kept per holder as unit-seconds per period (at most
//! [`Config::MaxUnsettledPeriods`] of them) and folded in with that period's rate once it
//! settles. The token pallet calls [`OnTokenBalanceChange::before_balance_change`] before
//! every mint, burn and transfer, so each holder's record is brought up to date while its
//! old balance still stands; nothing needs to be staked or locked. The series keeps the same
//! record of its supply, brought up to date by
//! [`OnTokenBalanceChange::before_supply_change`] before mints and burns only (a transfer
//! writes nothing of the series).
//!
//! Earnings are kept at `10^-36` sat precision and floored only when claimed, so rounding
//! favours the pot: the sats claimed never exceed the sats distributed. A rate is rounded
//! up by less than `10^-36` sat per unit-second, so a holder whose exact share is a whole
//! number of sats gets exactly that (with a floored rate a sole holder of a 1,000,000-sat
//! period would see 999,999 and a fraction); the advance (below one sat in total) is taken
//! back from the next distribution — never lost, never paid twice. After a period nobody
//! held, its yield is carried into the next one. Holders [claim](Pallet::claim) settled
//! yield any time (claims never expire); a claim below the payout asset's minimum for a new
//! account stays claimable.
//!
//! The pallet's pot account transfers with `Preservation::Preserve` and must hold the
//! asset's minimum balance from genesis, so it is never reaped.

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod due;
#[cfg(test)]
mod due_tests;
mod functions;
mod impl_traits;
pub mod migrations;
#[cfg(test)]
mod mock;
pub mod runtime_api;
#[cfg(test)]
mod settlement_tests;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use hashrate_primitives::{
	due::DueAt, Balance, FacilityControl, FacilityId, OnTokenBalanceChange, PayoutBalance,
	PeriodIndex, PowOracle, SeriesCollateral, SeriesId, SeriesInspect,
};
use polkadot_sdk::{
	frame_support::{self, traits::fungible},
	frame_system, sp_runtime,
};

/// Holders the `deposit` weight is taken at. A deposit reads and writes the same 14 and 7
/// storage items whatever the number of holders (unit test; benchmark run at 12,000
/// holders); the benchmark's small time slope in holders comes from its in-memory trie
/// growing, so the weight is taken at the top of the benchmarked range.
pub const DEPOSIT_WEIGHT_HOLDERS: u32 = 1_000;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		dispatch::{DispatchResultWithPostInfo, Pays, PostDispatchInfo},
		pallet_prelude::*,
		traits::UnixTime,
		PalletId,
	};
	use frame_system::pallet_prelude::*;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(3);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the pallet.
	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config {
		/// The payout asset (BTC-pegged, one unit = one sat).
		type PayoutAsset: fungible::Mutate<Self::AccountId, Balance = PayoutBalance>;
		/// The chain's clock.
		type Time: UnixTime;
		/// Hashrate-token series: economics, supply, balances.
		type Series: SeriesInspect<Self::AccountId>;
		/// Series' collateral, drawn at default.
		type Collateral: SeriesCollateral<Self::AccountId>;
		/// Periods, network data and final outputs.
		type Oracle: PowOracle;
		/// The facility registry: suspends facilities that keep defaulting.
		type Facilities: FacilityControl<Self::AccountId, Balance>;
		/// Sets the payment rules.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Derives the pot account.
		#[pallet::constant]
		type PalletId: Get<PalletId>;
		/// Where protocol fees go.
		type FeeDestination: Get<Self::AccountId>;
		/// Most unsettled periods a holder's or a series' record keeps; a balance change
		/// that would need more fails until the backlog is settled. Must cover the longest
		/// legal backlog: the oracle's finality horizon plus the payment window, in periods,
		/// plus two (checked by genesis, `set_rules`, the oracle's window and period-length
		/// changes, and `try_state`).
		#[pallet::constant]
		type MaxUnsettledPeriods: Get<u32>;
		/// Most series one facility has (the token pallet's bound): a period becoming final
		/// reads each of them.
		#[pallet::constant]
		type MaxFacilitySeries: Get<u32>;
		/// Most series one [`Pallet::claim_many`] call claims.
		#[pallet::constant]
		type MaxClaimBatch: Get<u32>;
		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
		/// What benchmarks need from the runtime.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// What benchmarks need from the runtime: a live series with holders and a final period.
	#[cfg(feature = "runtime-benchmarks")]
	pub trait BenchmarkHelper<AccountId> {
		/// Sets the chain's clock to unix second `secs`.
		fn set_now(secs: u64);
		/// An issued series with `holders` holders, whose term starts after the current
		/// period and spans `periods` periods; mints go through the balance-change hook.
		/// Returns the series and its holders.
		fn issued_series(holders: u32, periods: u32) -> (SeriesId, alloc::vec::Vec<AccountId>);
		/// Moves `units` of `series` from `from` to `to`, telling the hook first.
		fn transfer(series: SeriesId, from: &AccountId, to: &AccountId, units: u128);
		/// Makes the series' facility's `period` final at `hashrate_ths` TH/s and `sats`,
		/// with network data.
		fn finalize(series: SeriesId, period: PeriodIndex, hashrate_ths: u128, sats: u64);
		/// Makes the series' facility's `period` defaulted (no report), with network data.
		fn finalize_defaulted(series: SeriesId, period: PeriodIndex);
		/// Locks `amount` of collateral for `series`.
		fn add_collateral(series: SeriesId, amount: PayoutBalance);
		/// Gives `who` `amount` of the payout asset (and the pot its minimum).
		fn fund_payout(who: &AccountId, amount: PayoutBalance);
	}

	/// Payment rules.
	#[pallet::storage]
	pub type Rules<T: Config> = StorageValue<_, YieldRules, ValueQuery>;

	/// Series this pallet has seen (from their first mint on).
	#[pallet::storage]
	pub type SeriesYields<T: Config> =
		StorageMap<_, Twox64Concat, SeriesId, SeriesYield<T::MaxUnsettledPeriods>>;

	/// Obligations, payments and settlement per series and period.
	#[pallet::storage]
	pub type PeriodYields<T: Config> =
		StorageDoubleMap<_, Twox64Concat, SeriesId, Twox64Concat, PeriodIndex, PeriodYield>;

	/// Holders' records: account, series -> unsettled unit-seconds and earned yield.
	#[pallet::storage]
	pub type HolderYields<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		SeriesId,
		HolderYield<T::MaxUnsettledPeriods>,
	>;

	/// Facilities' final periods not yet recorded by every series that held tokens in them:
	/// output, network data, deadline and the series' tokenized hashrate, fixed when the
	/// oracle made the period final.
	#[pallet::storage]
	pub type FinalPeriods<T: Config> =
		StorageDoubleMap<_, Twox64Concat, FacilityId, Twox64Concat, PeriodIndex, FinalPeriod>;

	/// Each facility's unpaid debt to holders, over all its series.
	#[pallet::storage]
	pub type FacilityDebt<T: Config> =
		StorageMap<_, Twox64Concat, FacilityId, PayoutBalance, ValueQuery>;

	/// Each facility's defaulted periods within the default window, oldest first (a period
	/// counts once however many of its series defaulted).
	#[pallet::storage]
	pub type FacilityDefaults<T: Config> = StorageMap<
		_,
		Twox64Concat,
		FacilityId,
		BoundedVec<PeriodIndex, ConstU32<MAX_DEFAULTS_TRACKED>>,
		ValueQuery,
	>;

	/// Protocol fees taken but not yet paid to the treasury (paid at the next settlement
	/// the treasury can receive them).
	#[pallet::storage]
	pub type UnpaidFees<T: Config> = StorageValue<_, PayoutBalance, ValueQuery>;

	/// Each series' holder records and the rests of records removed (written when a record is
	/// created or removed, so a transfer between holders leaves the series' record alone).
	#[pallet::storage]
	pub type SeriesHolders<T: Config> =
		StorageMap<_, Twox64Concat, SeriesId, HolderCount, ValueQuery>;

	/// Series to move on by themselves, and when: each period that becomes final queues its
	/// series at that moment (settled at once if it owes nothing or was paid ahead) and at
	/// its deadline (defaulted if still unpaid). Drained oldest first by `on_idle`.
	#[pallet::storage]
	pub type DueQueue<T: Config> = StorageDoubleMap<_, Identity, DueAt, Twox64Concat, SeriesId, ()>;

	/// Events of this pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A period's obligation was computed and recorded.
		ObligationRecorded {
			/// The series.
			series: SeriesId,
			/// The period.
			period: PeriodIndex,
			/// Tokenized hashrate `T`, milli-TH/s.
			tokenized: hashrate_primitives::Hashrate,
			/// Owed in total (holders + fee).
			owed: PayoutBalance,
			/// Of which the protocol fee.
			fee: PayoutBalance,
			/// After this unix second the period may be defaulted.
			deadline: u64,
		},
		/// Payout asset was deposited against a period.
		Deposited {
			/// The series.
			series: SeriesId,
			/// The period.
			period: PeriodIndex,
			/// Who paid.
			from: T::AccountId,
			/// Sats deposited.
			amount: PayoutBalance,
			/// Still owed after it.
			outstanding: PayoutBalance,
		},
		/// A period settled: its holders' yield is claimable.
		PeriodSettled {
			/// The series.
			series: SeriesId,
			/// The period.
			period: PeriodIndex,
			/// Paid in full or defaulted.
			status: PeriodStatus,
			/// Distributed to holders (after fee, with repayments).
			distributed: PayoutBalance,
			/// Protocol fee taken.
			fee: PayoutBalance,
		},
		/// A period was not paid by its deadline.
		PeriodDefaulted {
			/// The series.
			series: SeriesId,
			/// The period.
			period: PeriodIndex,
			/// Owed but not deposited.
			shortfall: PayoutBalance,
			/// Drawn from the series' collateral.
			drawn: PayoutBalance,
			/// Left as the facility's debt.
			debt: PayoutBalance,
		},
		/// A facility reached the defaults limit and was suspended.
		FacilitySuspended {
			/// The facility.
			facility: FacilityId,
			/// Its defaulted periods within the default window.
			defaults: u32,
		},
		/// Debt was repaid: every holder it shorted is credited pro rata to what is unpaid.
		DebtRepaid {
			/// The series.
			series: SeriesId,
			/// Who paid.
			from: T::AccountId,
			/// Sats repaid.
			amount: PayoutBalance,
			/// The series' debt left.
			debt: PayoutBalance,
		},
		/// Governance wrote a series' debt off: the facility owes it no more, and holders'
		/// unpaid debt is void.
		DebtWrittenOff {
			/// The series.
			series: SeriesId,
			/// Sats written off.
			amount: PayoutBalance,
			/// Holders' unpaid face voided, `10^-36` sat.
			voided: polkadot_sdk::sp_core::U256,
		},
		/// A holder record with nothing held, owed or claimable left was removed; its rest
		/// below a sat joins the series' next distribution.
		HolderRecordRemoved {
			/// The holder.
			who: T::AccountId,
			/// The series.
			series: SeriesId,
		},
		/// A finished series' records were all removed.
		SeriesPruned {
			/// The series.
			series: SeriesId,
		},
		/// A holder claimed yield.
		Claimed {
			/// The holder.
			who: T::AccountId,
			/// The series.
			series: SeriesId,
			/// Sats paid out.
			amount: PayoutBalance,
		},
		/// Protocol fees were paid to the treasury.
		FeesPaid {
			/// Sats paid.
			amount: PayoutBalance,
		},
		/// Payment rules changed.
		RulesSet {
			/// The new rules.
			rules: YieldRules,
		},
	}

	/// Errors of this pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// No series with this id has tokens (or it never existed).
		UnknownSeries,
		/// Every period of the series is settled.
		NothingToSettle,
		/// The period is outside the series' term.
		PeriodOutOfTerm,
		/// The period is settled already.
		AlreadySettled,
		/// The oracle has not made the facility's period final or defaulted yet.
		PeriodNotFinal,
		/// The amount is zero.
		ZeroAmount,
		/// More than is owed.
		Overpayment,
		/// The payer does not hold that much of the payout asset.
		InsufficientBalance,
		/// The period is not paid in full: deposit the rest, or default it after its deadline.
		NotPaidInFull,
		/// The period is paid in full: settle it instead.
		PaidInFull,
		/// The period's payment deadline has not passed.
		DeadlineNotReached,
		/// No settled yield to claim.
		NothingToClaim,
		/// The claim is below the payout asset's minimum balance for a new account; it stays
		/// claimable.
		ClaimBelowMinimum,
		/// A series appears twice in one claim.
		DuplicateSeries,
		/// The series has no debt.
		NoDebt,
		/// Debt left from before holders held debt shares (a chain upgraded from storage v1)
		/// goes out with the series' next settlement, and every period is settled: governance
		/// may write it off.
		NoPeriodToCredit,
		/// A partial repayment this close to the whole debt would leave debt shares too
		/// finely divided: repay the series' whole debt.
		RepayInFull,
		/// Periods of the series are not settled yet.
		PeriodsUnsettled,
		/// The series has holders, unsettled periods or debt: its records stay.
		SeriesLive,
		/// More periods are unsettled than a record keeps: settle the series' backlog first.
		SettlementBacklog,
		/// The oracle gives no bounds for a period.
		NoPeriodBounds,
		/// The rules are out of range.
		InvalidRules,
		/// With this payment window more periods could wait for settlement than records keep
		/// ([`Config::MaxUnsettledPeriods`]), given the oracle's windows and period length.
		BacklogTooLong,
		/// A value does not fit its type.
		Overflow,
	}

	/// Initial payment rules.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The rules.
		pub rules: YieldRules,
		#[serde(skip)]
		#[allow(missing_docs)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			assert!(Pallet::<T>::rules_valid(&self.rules), "real-yield: invalid rules");
			assert!(
				Pallet::<T>::backlog_fits_with(&self.rules),
				"real-yield: the oracle's windows and the payment window leave a settlement \
				 backlog longer than MaxUnsettledPeriods"
			);
			Rules::<T>::put(self.rules);
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Moves the series whose time came on, oldest first, with the weight the block left:
		/// settles what is paid in full or owes nothing, defaults what is past its deadline
		/// (each weighed as `settle` or `trigger_default` with a full cascade).
		fn on_idle(_: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Self::advance_due(remaining).0
		}

		fn integrity_test() {
			assert!(
				T::MaxUnsettledPeriods::get() > 0
					&& T::MaxClaimBatch::get() > 0
					&& T::MaxFacilitySeries::get() > 0
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::view_functions]
	impl<T: Config> Pallet<T> {
		/// `who`'s yield in every series it has a record in: claimable now, and periods held
		/// that are not settled yet.
		pub fn pending_yield(who: T::AccountId) -> alloc::vec::Vec<PendingYield> {
			Self::pending_of(&who)
		}

		/// A series' period: obligation, inputs, payments, settlement.
		pub fn period_report(series: SeriesId, period: PeriodIndex) -> Option<PeriodReport> {
			Self::period_report_of(series, period)
		}

		/// What backs a series and what it paid and owes.
		pub fn series_report(series: SeriesId) -> Option<SeriesReport> {
			Self::series_report_of(series)
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Deposit `amount` of the payout asset against `series`' `period`: the next unsettled
		/// period or any later final one (paid ahead, it settles when its turn comes). Paying
		/// the next period in full settles it and the periods after it as far as they are
		/// paid or past their deadline (at most [`MAX_CASCADE`]).
		///
		/// Weighed for a full cascade; the actual weight counts the periods settled after it.
		///
		/// - Origin: signed, anyone (usually the facility's operator).
		/// - Errors: `UnknownSeries`, `PeriodOutOfTerm`, `AlreadySettled`, `PeriodNotFinal`,
		///   `NoPeriodBounds`, `SettlementBacklog`, `ZeroAmount`, `Overpayment`,
		///   `InsufficientBalance`, `Overflow`.
		/// - Events: `ObligationRecorded` (first touch), `Deposited`; when it completes the
		///   next period's payment `PeriodSettled`, `FeesPaid`, and for the periods after it
		///   `PeriodSettled` or `PeriodDefaulted` (+ `FacilitySuspended`).
		#[pallet::call_index(0)]
		#[pallet::weight(
			T::WeightInfo::deposit(DEPOSIT_WEIGHT_HOLDERS).saturating_add(Pallet::<T>::cascade_weight(MAX_CASCADE))
		)]
		pub fn deposit(
			origin: OriginFor<T>,
			series: SeriesId,
			period: PeriodIndex,
			amount: PayoutBalance,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let cascaded = Self::do_deposit(&who, series, period, amount)?;
			Ok(Some(
				T::WeightInfo::deposit(DEPOSIT_WEIGHT_HOLDERS)
					.saturating_add(Self::cascade_weight(cascaded)),
			)
			.into())
		}

		/// Settle `series`' next period when it is paid in full (or owes nothing), and the
		/// periods after it as far as they are paid or past their deadline (at most
		/// [`MAX_CASCADE`]). The chain does it by itself in `on_idle` when the period becomes
		/// final (this is the fallback).
		///
		/// - Origin: signed, anyone.
		/// - Errors: `UnknownSeries`, `NothingToSettle`, `PeriodNotFinal`, `NoPeriodBounds`,
		///   `SettlementBacklog`, `NotPaidInFull`, `Overflow`.
		/// - Events: `ObligationRecorded` (first touch), `PeriodSettled`, `FeesPaid`, and for
		///   the periods after it `PeriodSettled` or `PeriodDefaulted` (+ `FacilitySuspended`).
		#[pallet::call_index(1)]
		#[pallet::weight(
			T::WeightInfo::settle().saturating_add(Pallet::<T>::cascade_weight(MAX_CASCADE))
		)]
		pub fn settle(origin: OriginFor<T>, series: SeriesId) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			let cascaded = Self::do_settle(series)?;
			Ok(Some(T::WeightInfo::settle().saturating_add(Self::cascade_weight(cascaded))).into())
		}

		/// Default `series`' next period after its deadline: draw the shortfall from the
		/// series' collateral, record what it does not cover as the facility's debt, count the
		/// defaulted period (suspending the facility at the limit) and settle the period; then
		/// the periods after it as far as they are paid or past their deadline (at most
		/// [`MAX_CASCADE`]). The chain does it by itself in `on_idle` at the deadline (this is
		/// the fallback).
		///
		/// - Origin: signed, anyone.
		/// - Errors: `UnknownSeries`, `NothingToSettle`, `PeriodNotFinal`, `NoPeriodBounds`,
		///   `SettlementBacklog`, `PaidInFull`, `DeadlineNotReached`, `Overflow`, errors of
		///   the collateral transfer.
		/// - Events: `ObligationRecorded` (first touch), `PeriodDefaulted`,
		///   `FacilitySuspended` at the limit, `PeriodSettled`, `FeesPaid`, and the same for
		///   the periods after it.
		#[pallet::call_index(2)]
		#[pallet::weight(
			T::WeightInfo::trigger_default().saturating_add(Pallet::<T>::cascade_weight(MAX_CASCADE))
		)]
		pub fn trigger_default(
			origin: OriginFor<T>,
			series: SeriesId,
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			let cascaded = Self::do_trigger_default(series)?;
			Ok(Some(
				T::WeightInfo::trigger_default().saturating_add(Self::cascade_weight(cascaded)),
			)
			.into())
		}

		/// Claim the caller's settled yield in `series`.
		///
		/// Weighed for a holder record full of settled periods to fold; the actual weight
		/// counts the periods folded.
		///
		/// - Origin: signed by the holder.
		/// - Errors: `NothingToClaim`, `ClaimBelowMinimum`, `Overflow`.
		/// - Events: `Claimed`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::claim(T::MaxUnsettledPeriods::get()))]
		pub fn claim(origin: OriginFor<T>, series: SeriesId) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let folded = Self::do_claim(&who, &[series])?;
			Ok(Some(T::WeightInfo::claim(folded)).into())
		}

		/// Claim the caller's settled yield in each of `series` (at most
		/// [`Config::MaxClaimBatch`]), paid out in one transfer. Series with nothing settled
		/// are skipped. Weighed for full holder records; the actual weight counts the
		/// periods folded.
		///
		/// - Origin: signed by the holder.
		/// - Errors: `DuplicateSeries`, `NothingToClaim` (nothing in any), `ClaimBelowMinimum`,
		///   `Overflow`.
		/// - Events: `Claimed` per series paid.
		#[pallet::call_index(4)]
		#[pallet::weight(Pallet::<T>::claim_many_weight(
			series.len() as u32,
			(series.len() as u32).saturating_mul(T::MaxUnsettledPeriods::get()),
		))]
		pub fn claim_many(
			origin: OriginFor<T>,
			series: BoundedVec<SeriesId, T::MaxClaimBatch>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let mut seen = alloc::collections::BTreeSet::new();
			ensure!(series.iter().all(|s| seen.insert(*s)), Error::<T>::DuplicateSeries);
			let folded = Self::do_claim(&who, &series)?;
			Ok(Some(Self::claim_many_weight(series.len() as u32, folded)).into())
		}

		/// Repay `amount` of `series`' debt, at any time (also after the term): it goes to the
		/// holders of the defaulted periods, pro rata to what each is still owed (token-seconds
		/// held in those periods), whether or not they still hold. Paying the whole debt
		/// releases the facility's debt obligation.
		///
		/// - Origin: signed, anyone (usually the facility's operator).
		/// - Errors: `UnknownSeries`, `ZeroAmount`, `NoDebt`, `Overpayment`, `RepayInFull`,
		///   `NoPeriodToCredit` (v1 debt of a settled series), `InsufficientBalance`,
		///   `Overflow`.
		/// - Events: `DebtRepaid`.
		#[pallet::call_index(5)]
		pub fn repay_debt(
			origin: OriginFor<T>,
			series: SeriesId,
			amount: PayoutBalance,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_repay_debt(&who, series, amount)
		}

		/// Set the payment rules.
		///
		/// - Origin: [`Config::GovernanceOrigin`].
		/// - Errors: `BadOrigin`, `InvalidRules` (zero payment window or default window, a
		///   defaults limit of zero or above [`MAX_DEFAULTS_TRACKED`], fee above
		///   [`MAX_FEE_PER_MILL`]), `BacklogTooLong`.
		/// - Events: `RulesSet`.
		#[pallet::call_index(6)]
		pub fn set_rules(origin: OriginFor<T>, rules: YieldRules) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(Self::rules_valid(&rules), Error::<T>::InvalidRules);
			ensure!(Self::backlog_fits_with(&rules), Error::<T>::BacklogTooLong);
			Rules::<T>::put(rules);
			Self::deposit_event(Event::RulesSet { rules });
			Ok(())
		}

		/// Write `series`' debt off: the facility owes it no more (its debt obligation is
		/// released, so it may retire) and what holders are still owed of it is void. Only
		/// once every period of the series is settled (no later default can add debt).
		///
		/// - Origin: [`Config::GovernanceOrigin`].
		/// - Errors: `BadOrigin`, `UnknownSeries`, `NoDebt`, `PeriodsUnsettled`.
		/// - Events: `DebtWrittenOff`.
		#[pallet::call_index(7)]
		pub fn write_off_debt(origin: OriginFor<T>, series: SeriesId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_write_off_debt(series)
		}

		/// Remove a finished series' records — every period settled, no holder record left,
		/// no debt — up to [`MAX_PRUNE`] period records per call, then the series' own record
		/// (whole sats rounding left undistributed go to the treasury). Free when it removes
		/// something.
		///
		/// - Origin: signed, anyone.
		/// - Errors: `UnknownSeries`, `SeriesLive`.
		/// - Events: `SeriesPruned` once the last record went.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::prune_series(MAX_PRUNE))]
		pub fn prune_series(origin: OriginFor<T>, series: SeriesId) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			let removed = Self::do_prune_series(series, MAX_PRUNE)?;
			Ok(PostDispatchInfo {
				actual_weight: Some(T::WeightInfo::prune_series(removed)),
				pays_fee: if removed > 0 { Pays::No } else { Pays::Yes },
			})
		}
	}
}
