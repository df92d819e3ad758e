//! # Hashrate tokens
//!
//! A hashrate token is a claim on the output of a fixed amount of one facility's hashrate
//! for a term. This pallet issues and keeps those tokens, makes sure none exists without
//! attested hashrate behind it, and holds the collateral that pays holders when the facility
//! fails them. It knows nothing of yield: the yield pallet reads series through
//! [`SeriesInspect`], draws collateral through [`SeriesCollateral`] and is told before every
//! balance change through [`Config::OnBalanceChange`].
//!
//! ## Series
//!
//! An active facility's operator [creates](Pallet::create_series) a series: name, symbol,
//! decimals, hashrate per token, the term (first and last period), cost terms (sats per TH/s
//! per day, deducted from holders' gross output) and a supply cap. Terms may change
//! ([`Pallet::update_terms`]) only while nothing is sold. A series is **live** from its
//! first through its last period, then **matured**. Each series not closed is one
//! obligation of its facility ([`FacilityControl::add_obligation`]), so a facility cannot
//! retire while it has series.
//!
//! ## Backing
//!
//! The hashrate of a series is `units x hashrate per token / 10^decimals`, rounded up. The
//! **tokenized** hashrate of a facility is the sum over its series that are offered or
//! issued and not matured, of their minted plus reserved units. Whenever the oracle announces
//! a final (or defaulted) period `p` of a facility ([`OnPeriodFinal`]), this pallet takes its
//! [`Backing`]: the average final hashrate of periods `p - k + 1 ..= p`
//! ([`PowOracle::average_final_hashrate`], a default counting as zero), `k` =
//! [`IssuanceRules::backing_periods`]. A subscription, which reserves backing, is accepted
//! only while
//!
//! ```text
//! tokenized + hashrate(subscribed units) <= average x max_tokenization
//! ```
//!
//! and the backing is fresh (`p` at most [`IssuanceRules::max_backing_age`] periods
//! behind), the facility is active and owes holders nothing ([`SeriesObligations::debt`]).
//! A facility with fewer than `k` final periods has no backing and cannot issue. When an
//! announced period leaves a facility with more tokenized than its backing allows,
//! `BackingShortfall` is emitted and offerings cannot close successfully until a later
//! period restores it (`BackingRestored`).
//!
//! ## Collateral
//!
//! The operator locks payout-asset collateral per series ([`Pallet::add_collateral`]) in
//! the pallet's collateral account. Before an offering closes successfully the collateral
//! must cover [`IssuanceRules::collateral_periods`] periods of expected owed output of the
//! hashrate sold: `physics::expected_sats(hashrate, period length, difficulty, reward)` from
//! the latest network data, minus the series' costs for that hashrate and period, at least
//! zero. The yield pallet draws on it for defaulted or unpaid periods; what is left is
//! released to the operator once the series is matured and every period settled.
//!
//! ## Primary offering
//!
//! The operator [opens](Pallet::open_offering) an offering: price per token, close time
//! (at or before the start of the first period), soft and hard cap, least subscription.
//! Buyers [subscribe](Pallet::subscribe) by paying `ceil(units x price / 10^decimals)` into
//! the escrow account; the facility's operator and reporter keys cannot. Nothing is minted
//! while the offering is open. At [close](Pallet::close_offering) (after its close time, or
//! once the hard cap is sold): soft cap met and the facility able to issue (active, no
//! debt, no backing shortfall, collateral enough) → the tokens are minted to every
//! subscriber and the operator [withdraws](Pallet::withdraw_proceeds) the proceeds; soft cap
//! missed → every subscriber takes the payment back ([`Pallet::refund`]) and nothing is
//! minted. A close that met the soft cap but cannot mint is refused with a named error for
//! [`IssuanceRules::close_grace`] seconds so the facility can mend it; after that the
//! offering fails. At most [`Config::MaxSubscribers`] subscribers per offering keep the mint
//! at close bounded. Nobody has to close an offering: the chain does it by itself in
//! `on_idle` at its close time or once it is sold out ([`DueQueue`]), and again at the end of
//! the close grace when a close was refused within it; the call is the fallback.
//!
//! ## Holding
//!
//! [`Pallet::transfer`], [`Pallet::approve_transfer`] and [`Pallet::transfer_from`] move
//! tokens; an account's balance is zero or at least the series' minimum balance (so a holder
//! record costs tokens), and an approval record holds [`Config::ApprovalDeposit`] of the
//! native token. Before every balance change (mint, burn, transfer) each affected account is
//! passed to [`Config::OnBalanceChange`] while its old balance is still stored; an error
//! there fails the change. [`fungibles::Inspect`] and the `positions` view function expose
//! balances.
//!
//! ## Maturity
//!
//! After its last period a series stops counting against its facility's backing. Holders may
//! [burn](Pallet::burn) matured tokens. [`Pallet::close_series`] closes a matured series
//! whose supply is zero and whose periods are all settled; its obligation is released and
//! its records are removed (the yield pallet keeps what holders have not claimed yet, and
//! prunes its own records once nothing is left to claim).
//!
//! Payout-asset accounts of this pallet (escrow, collateral) transfer with
//! `Preservation::Preserve` and must hold the asset's minimum balance from genesis, so they
//! are never reaped.

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod due;
mod functions;
mod impl_traits;
pub mod migrations;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use hashrate_primitives::{
	due::DueAt, FacilityControl, FacilityId, OnPeriodFinal, OnTokenBalanceChange, PayoutBalance,
	PowOracle, SeriesCollateral, SeriesId, SeriesInspect, SeriesObligations, SeriesStatus,
	TokenBalance,
};
use polkadot_sdk::{
	frame_support::{self, traits::fungible, traits::fungibles},
	frame_system, sp_runtime,
};

/// Balance of the native token (approval deposits).
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		dispatch::DispatchResultWithPostInfo, pallet_prelude::*, traits::UnixTime, PalletId,
	};
	use frame_system::pallet_prelude::*;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the pallet.
	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config {
		/// The native token: approval deposits.
		type Currency: fungible::Mutate<Self::AccountId>
			+ fungible::MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// The payout asset (BTC-pegged, one unit = one sat): offering payments, proceeds,
		/// collateral.
		type PayoutAsset: fungible::Mutate<Self::AccountId, Balance = PayoutBalance>;
		/// The chain's clock.
		type Time: UnixTime;
		/// The facility registry.
		type Facilities: FacilityControl<Self::AccountId, BalanceOf<Self>>;
		/// Periods, network data and final outputs.
		type Oracle: PowOracle;
		/// What series and facilities still owe holders (the yield pallet).
		type Obligations: SeriesObligations;
		/// Told before every balance change (the yield pallet). This pallet's benchmarks run
		/// in the runtime with it, each balance hook in its cheapest case (nothing to catch
		/// up on); calls add the weights it returns (what it costs beyond that) and declare
		/// its maxima.
		type OnBalanceChange: OnTokenBalanceChange<Self::AccountId>;
		/// Sets the issuance rules.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Derives the escrow and collateral accounts.
		#[pallet::constant]
		type PalletId: Get<PalletId>;
		/// Native deposit held for each approval record.
		#[pallet::constant]
		type ApprovalDeposit: Get<BalanceOf<Self>>;
		/// Most series (not closed) per facility.
		#[pallet::constant]
		type MaxSeriesPerFacility: Get<u32>;
		/// Most subscribers per offering: the mint at close touches each.
		#[pallet::constant]
		type MaxSubscribers: Get<u32>;
		/// Longest term, in periods.
		#[pallet::constant]
		type MaxTermPeriods: Get<u32>;
		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
		/// What benchmarks need from the runtime.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// What benchmarks need from the runtime.
	#[cfg(feature = "runtime-benchmarks")]
	pub trait BenchmarkHelper<AccountId> {
		/// Sets the chain's clock to unix second `secs`.
		fn set_now(secs: u64);
		/// Makes `facility`'s periods before `before` final at `hashrate_ths` TH/s and
		/// gives those periods network data.
		fn finalize_periods(
			facility: FacilityId,
			before: hashrate_primitives::PeriodIndex,
			count: u32,
			hashrate_ths: u128,
		);
		/// Gives `who` `amount` of the payout asset (and the pallet accounts their minimum).
		fn fund_payout(who: &AccountId, amount: PayoutBalance);
		/// Makes every period of `series` settled in the pallet that pays holders.
		fn settle_periods(series: SeriesId);
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit of an approval record.
		#[codec(index = 0)]
		ApprovalDeposit,
	}

	/// The id the next series gets.
	#[pallet::storage]
	pub type NextSeriesId<T: Config> = StorageValue<_, SeriesId, ValueQuery>;

	/// Series by id.
	#[pallet::storage]
	pub type Series<T: Config> = StorageMap<_, Twox64Concat, SeriesId, SeriesRecord>;

	/// Each facility's series that are not closed (created, offered, issued, matured).
	#[pallet::storage]
	pub type FacilitySeries<T: Config> = StorageMap<
		_,
		Twox64Concat,
		FacilityId,
		BoundedVec<SeriesId, T::MaxSeriesPerFacility>,
		ValueQuery,
	>;

	/// Primary offerings, from opening until their escrow is empty.
	#[pallet::storage]
	pub type Offerings<T: Config> = StorageMap<_, Twox64Concat, SeriesId, Offering>;

	/// Subscriptions of open or failed offerings.
	#[pallet::storage]
	pub type Subscriptions<T: Config> =
		StorageDoubleMap<_, Twox64Concat, SeriesId, Blake2_128Concat, T::AccountId, Subscription>;

	/// Token balances: holder, series -> units (never zero, never below the series' minimum).
	#[pallet::storage]
	pub type Holdings<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		SeriesId,
		TokenBalance,
		ValueQuery,
	>;

	/// Allowances: (series, owner, spender) -> units and the deposit held for the record.
	#[pallet::storage]
	pub type Approvals<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Twox64Concat, SeriesId>,
			NMapKey<Blake2_128Concat, T::AccountId>,
			NMapKey<Blake2_128Concat, T::AccountId>,
		),
		Approval<BalanceOf<T>>,
	>;

	/// Each facility's backing, as of the latest final period announced for it.
	#[pallet::storage]
	pub type Backings<T: Config> = StorageMap<_, Twox64Concat, FacilityId, Backing>;

	/// The most hashrate each facility could tokenize when its backing was last reserved.
	#[pallet::storage]
	pub type LastMintLimit<T: Config> =
		StorageMap<_, Twox64Concat, FacilityId, hashrate_primitives::Hashrate>;

	/// How issuance is bounded.
	#[pallet::storage]
	pub type Rules<T: Config> = StorageValue<_, IssuanceRules, ValueQuery>;

	/// Offerings the chain closes by itself, and when: at the close time, once sold out, and
	/// at the end of the close grace of a close refused within it. Drained oldest first by
	/// `on_idle`; [`Pallet::close_offering`] is the fallback.
	#[pallet::storage]
	pub type DueQueue<T: Config> = StorageDoubleMap<_, Identity, DueAt, Twox64Concat, SeriesId, ()>;

	/// Events of this pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Issuance rules changed.
		RulesSet {
			/// The new rules.
			rules: IssuanceRules,
		},
		/// A facility created a series.
		SeriesCreated {
			/// The series.
			series: SeriesId,
			/// Its facility.
			facility: FacilityId,
			/// Its terms.
			terms: SeriesTerms,
		},
		/// A series' terms changed (before anything was sold).
		TermsUpdated {
			/// The series.
			series: SeriesId,
			/// The new terms.
			terms: SeriesTerms,
		},
		/// A series that sold nothing was cancelled; its collateral went back.
		SeriesCancelled {
			/// The series.
			series: SeriesId,
		},
		/// Collateral was locked for a series.
		CollateralAdded {
			/// The series.
			series: SeriesId,
			/// Amount added.
			amount: PayoutBalance,
			/// Collateral now.
			total: PayoutBalance,
		},
		/// Collateral was drawn to pay holders.
		CollateralDrawn {
			/// The series.
			series: SeriesId,
			/// Amount drawn.
			amount: PayoutBalance,
			/// Where it went.
			to: T::AccountId,
		},
		/// Collateral went back to the operator.
		CollateralReleased {
			/// The series.
			series: SeriesId,
			/// Amount released.
			amount: PayoutBalance,
		},
		/// An offering opened.
		OfferingOpened {
			/// The series.
			series: SeriesId,
			/// Its terms.
			terms: OfferingTerms,
		},
		/// A buyer subscribed; the payment is in escrow and the backing reserved.
		Subscribed {
			/// The series.
			series: SeriesId,
			/// The buyer.
			who: T::AccountId,
			/// Units subscribed now.
			amount: TokenBalance,
			/// Paid for them.
			paid: PayoutBalance,
		},
		/// An offering met its soft cap and its tokens were minted.
		OfferingSucceeded {
			/// The series.
			series: SeriesId,
			/// Units minted.
			sold: TokenBalance,
			/// Proceeds waiting for the facility.
			proceeds: PayoutBalance,
		},
		/// An offering failed; subscribers take their payments back.
		OfferingFailed {
			/// The series.
			series: SeriesId,
			/// Units that had been subscribed.
			sold: TokenBalance,
			/// Why.
			reason: FailureReason,
		},
		/// A subscriber of a failed offering was refunded.
		Refunded {
			/// The series.
			series: SeriesId,
			/// The subscriber.
			who: T::AccountId,
			/// Amount paid back.
			amount: PayoutBalance,
		},
		/// The operator withdrew an offering's proceeds.
		ProceedsWithdrawn {
			/// The series.
			series: SeriesId,
			/// Amount.
			amount: PayoutBalance,
		},
		/// Tokens were minted.
		Minted {
			/// The series.
			series: SeriesId,
			/// The holder.
			who: T::AccountId,
			/// Units.
			amount: TokenBalance,
		},
		/// Tokens were burned.
		Burned {
			/// The series.
			series: SeriesId,
			/// The holder.
			who: T::AccountId,
			/// Units.
			amount: TokenBalance,
		},
		/// Tokens moved.
		Transferred {
			/// The series.
			series: SeriesId,
			/// From.
			from: T::AccountId,
			/// To.
			to: T::AccountId,
			/// Units.
			amount: TokenBalance,
		},
		/// An allowance was set (zero removes it).
		Approved {
			/// The series.
			series: SeriesId,
			/// The owner.
			owner: T::AccountId,
			/// The spender.
			spender: T::AccountId,
			/// Units the spender may move.
			amount: TokenBalance,
		},
		/// A final period left a facility with more tokenized than its backing allows:
		/// offerings cannot close successfully and nothing new can be subscribed.
		BackingShortfall {
			/// The facility.
			facility: FacilityId,
			/// The period announced.
			period: hashrate_primitives::PeriodIndex,
			/// Hashrate tokenized.
			tokenized: hashrate_primitives::Hashrate,
			/// Most that may be tokenized now.
			limit: hashrate_primitives::Hashrate,
		},
		/// A final period restored a facility's backing.
		BackingRestored {
			/// The facility.
			facility: FacilityId,
			/// The period announced.
			period: hashrate_primitives::PeriodIndex,
			/// Most that may be tokenized now.
			limit: hashrate_primitives::Hashrate,
		},
		/// A matured series with no supply and every period settled was closed.
		SeriesClosed {
			/// The series.
			series: SeriesId,
		},
	}

	/// Why an offering failed.
	#[derive(
		Clone,
		Copy,
		PartialEq,
		Eq,
		Debug,
		Encode,
		Decode,
		DecodeWithMemTracking,
		MaxEncodedLen,
		TypeInfo,
	)]
	pub enum FailureReason {
		/// Fewer units than the soft cap were subscribed.
		SoftCapMissed,
		/// The soft cap was met but the facility could not issue by the end of the close
		/// grace (not active, in debt, backing short or collateral short).
		CannotIssue,
		/// Nobody closed the offering before the series' term started: buyers would pay for
		/// periods that owe them nothing (a period owes only for supply held during it).
		TermStarted,
	}

	/// Errors of this pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// No facility has this id.
		UnknownFacility,
		/// No series has this id.
		UnknownSeries,
		/// The signer is not the facility's operator.
		NotOperator,
		/// The facility is not active: it may not issue.
		FacilityNotActive,
		/// The facility owes holders money it did not pay: it may not issue.
		FacilityInDebt,
		/// The facility has as many series as allowed.
		TooManySeries,
		/// The series id space is exhausted.
		SeriesIdsExhausted,
		/// Hashrate per token must be non-zero.
		ZeroHashratePerToken,
		/// More decimals than allowed.
		TooManyDecimals,
		/// The name is empty or not UTF-8.
		InvalidName,
		/// The symbol is empty or not upper-case ASCII letters and digits.
		InvalidSymbol,
		/// The last period is before the first.
		EmptyTerm,
		/// The first period has already started.
		TermInPast,
		/// The term is longer than allowed.
		TermTooLong,
		/// Supply cap and minimum balance must be non-zero, the minimum at most the cap.
		InvalidSupplyCap,
		/// The series' terms are fixed: something was sold or minted.
		TermsLocked,
		/// The series is not in a status that allows this.
		WrongStatus,
		/// The offering's refunds or proceeds are still pending.
		OfferingPending,
		/// Price must be non-zero.
		ZeroPrice,
		/// Amount must be non-zero.
		ZeroAmount,
		/// The close time is not in the future.
		CloseInPast,
		/// The term starts before the offering closes.
		TermStartsBeforeOfferingEnds,
		/// Soft cap must be non-zero and at most the hard cap; the least subscription at
		/// least the minimum balance and at most the hard cap.
		InvalidCaps,
		/// More than the hard cap or the supply cap.
		CapExceeded,
		/// No open offering for the series.
		OfferingNotOpen,
		/// The offering's close time has passed.
		OfferingClosed,
		/// The offering is still taking subscriptions.
		OfferingStillOpen,
		/// The offering did not fail: nothing to refund.
		OfferingNotFailed,
		/// The offering did not succeed, or its proceeds were withdrawn.
		NoProceeds,
		/// The facility's operator and reporter keys cannot subscribe to its offerings.
		SubscriberIsFacility,
		/// The offering has as many subscribers as allowed.
		TooManySubscribers,
		/// No subscription for this account.
		NoSubscription,
		/// Below the least subscription or the series' minimum balance.
		BelowMinimum,
		/// No fresh backing: fewer final periods than required, or too old.
		NoBacking,
		/// More hashrate would be tokenized than the facility's backing allows.
		BackingExceeded,
		/// The collateral does not cover the required periods of expected output.
		CollateralShort,
		/// No network data in the latest periods: the collateral requirement is unknown.
		NoNetworkData,
		/// Not enough of the payout asset.
		InsufficientBalance,
		/// Not enough tokens.
		InsufficientTokens,
		/// The allowance is smaller than the amount.
		InsufficientAllowance,
		/// The owner cannot hold the approval deposit.
		DepositNotAffordable,
		/// The series has not matured.
		NotMatured,
		/// Not every period of the series is settled.
		PeriodsUnsettled,
		/// Tokens of the series still exist.
		SupplyOutstanding,
		/// No collateral to release.
		NoCollateral,
		/// The rules are out of range.
		InvalidRules,
		/// A value does not fit its type.
		Overflow,
	}

	/// Initial issuance rules.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The rules.
		pub rules: IssuanceRules,
		#[serde(skip)]
		#[allow(missing_docs)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			assert!(Pallet::<T>::rules_valid(&self.rules), "hashrate-tokens: invalid rules");
			Rules::<T>::put(self.rules);
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Closes the offerings due (close time passed, or sold out), oldest first, with the
		/// weight the block left (each weighed as `close_offering` for its subscribers).
		fn on_idle(_: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Self::close_due_offerings(remaining).0
		}

		fn integrity_test() {
			assert!(
				Pallet::<T>::escrow_account() != Pallet::<T>::collateral_account(),
				"escrow and collateral accounts must differ: the account id is too short"
			);
			assert!(T::MaxSeriesPerFacility::get() > 0 && T::MaxSubscribers::get() > 0);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::view_functions]
	impl<T: Config> Pallet<T> {
		/// Every series `who` holds, with its facility, the units held and the hashrate they
		/// are a claim on.
		pub fn positions(who: T::AccountId) -> alloc::vec::Vec<Position> {
			Self::positions_of(&who)
		}

		/// What backs `facility`'s tokens: its backing, tokenized hashrate and limit.
		pub fn backing(facility: FacilityId) -> BackingView {
			Self::backing_view(facility)
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Create a series of `facility`'s hashrate.
		///
		/// - Origin: signed by the facility's operator.
		/// - Errors: `UnknownFacility`, `NotOperator`, `FacilityNotActive`, `FacilityInDebt`,
		///   `TooManySeries`, `SeriesIdsExhausted`, term errors (`ZeroHashratePerToken`,
		///   `TooManyDecimals`, `InvalidName`, `InvalidSymbol`, `EmptyTerm`, `TermInPast`,
		///   `TermTooLong`, `InvalidSupplyCap`, `Overflow`).
		/// - Events: `SeriesCreated`.
		#[pallet::call_index(0)]
		pub fn create_series(
			origin: OriginFor<T>,
			facility: FacilityId,
			terms: SeriesTerms,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_create_series(who, facility, terms).map(|_| ())
		}

		/// Change a series' terms while nothing is sold (status `Created`).
		///
		/// - Origin: signed by the facility's operator.
		/// - Errors: `UnknownSeries`, `NotOperator`, `TermsLocked`, term errors.
		/// - Events: `TermsUpdated`.
		#[pallet::call_index(1)]
		pub fn update_terms(
			origin: OriginFor<T>,
			series: SeriesId,
			terms: SeriesTerms,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_update_terms(who, series, terms)
		}

		/// Cancel a series that sold nothing; its collateral goes back to the operator and
		/// the facility's obligation is released.
		///
		/// - Origin: signed by the facility's operator.
		/// - Errors: `UnknownSeries`, `NotOperator`, `WrongStatus` (not `Created`),
		///   `OfferingPending` (refunds of a failed offering are pending).
		/// - Events: `CollateralReleased` (if any), `SeriesCancelled`.
		#[pallet::call_index(2)]
		pub fn cancel_series(origin: OriginFor<T>, series: SeriesId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_cancel_series(who, series)
		}

		/// Lock `amount` of the payout asset as the series' collateral.
		///
		/// - Origin: signed by the facility's operator.
		/// - Errors: `UnknownSeries`, `NotOperator`, `WrongStatus` (closed), `ZeroAmount`,
		///   `InsufficientBalance`, `Overflow`.
		/// - Events: `CollateralAdded`.
		#[pallet::call_index(3)]
		pub fn add_collateral(
			origin: OriginFor<T>,
			series: SeriesId,
			amount: PayoutBalance,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_add_collateral(who, series, amount)
		}

		/// Open the series' primary offering.
		///
		/// - Origin: signed by the facility's operator.
		/// - Errors: `UnknownSeries`, `NotOperator`, `WrongStatus` (not `Created`),
		///   `OfferingPending`, `FacilityNotActive`, `FacilityInDebt`, `ZeroPrice`,
		///   `CloseInPast`, `TermStartsBeforeOfferingEnds`, `InvalidCaps`, `CapExceeded`.
		/// - Events: `OfferingOpened`.
		#[pallet::call_index(4)]
		pub fn open_offering(
			origin: OriginFor<T>,
			series: SeriesId,
			terms: OfferingTerms,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_open_offering(who, series, terms)
		}

		/// Subscribe `amount` units of an open offering, paying
		/// `ceil(amount x price / 10^decimals)` into escrow. The backing for them is reserved.
		///
		/// - Origin: signed by anyone but the facility's operator and reporter keys.
		/// - Errors: `ZeroAmount`, `OfferingNotOpen`, `OfferingClosed`,
		///   `SubscriberIsFacility`, `BelowMinimum`, `CapExceeded`, `TooManySubscribers`,
		///   `FacilityNotActive`, `FacilityInDebt`, `NoBacking`, `BackingExceeded`,
		///   `InsufficientBalance`, `Overflow`.
		/// - Events: `Subscribed`.
		#[pallet::call_index(5)]
		pub fn subscribe(
			origin: OriginFor<T>,
			series: SeriesId,
			amount: TokenBalance,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_subscribe(who, series, amount)
		}

		/// Close an offering after its close time (or once its hard cap is sold). Soft cap
		/// met and the facility able to issue: mints every subscription. Soft cap missed, or
		/// unable to issue after the close grace: the offering fails and subscribers take
		/// their payments back with [`Pallet::refund`]. Anyone may call it; the chain does it by
		/// itself in `on_idle` (this is the fallback).
		///
		/// - Origin: signed (anyone).
		/// - Errors: `OfferingNotOpen`, `OfferingStillOpen`; within the close grace:
		///   `FacilityNotActive`, `FacilityInDebt`, `BackingExceeded`, `NoNetworkData`,
		///   `CollateralShort`; an error of [`Config::OnBalanceChange`]; `Overflow`.
		/// - Events: `Minted` per subscriber and `OfferingSucceeded`, or `OfferingFailed`.
		#[pallet::call_index(6)]
		#[pallet::weight(
			T::WeightInfo::close_offering(T::MaxSubscribers::get())
				.saturating_add(T::OnBalanceChange::max_weight()
					.saturating_mul(T::MaxSubscribers::get().into()))
				.saturating_add(T::OnBalanceChange::max_supply_weight())
		)]
		pub fn close_offering(
			origin: OriginFor<T>,
			series: SeriesId,
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			Self::do_close_offering(series)
		}

		/// Pay a subscriber of a failed offering back. Anyone may call it for anyone.
		///
		/// - Origin: signed (anyone).
		/// - Errors: `OfferingNotFailed`, `NoSubscription`, `InsufficientBalance` (escrow
		///   short: cannot happen while the invariants hold).
		/// - Events: `Refunded`.
		#[pallet::call_index(7)]
		pub fn refund(origin: OriginFor<T>, series: SeriesId, who: T::AccountId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_refund(series, who)
		}

		/// Withdraw a successful offering's proceeds to the operator.
		///
		/// - Origin: signed by the facility's operator.
		/// - Errors: `UnknownSeries`, `NotOperator`, `NoProceeds`, `InsufficientBalance`.
		/// - Events: `ProceedsWithdrawn`.
		#[pallet::call_index(8)]
		pub fn withdraw_proceeds(origin: OriginFor<T>, series: SeriesId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw_proceeds(who, series)
		}

		/// Move `amount` units to `to`.
		///
		/// - Origin: signed by the holder.
		/// - Errors: `ZeroAmount`, `UnknownSeries`, `WrongStatus` (not issued),
		///   `InsufficientTokens`, `BelowMinimum`, an error of [`Config::OnBalanceChange`],
		///   `Overflow`.
		/// - Events: `Transferred`.
		#[pallet::call_index(9)]
		#[pallet::weight(
			T::WeightInfo::transfer()
				.saturating_add(T::OnBalanceChange::max_weight().saturating_mul(2))
		)]
		pub fn transfer(
			origin: OriginFor<T>,
			series: SeriesId,
			to: T::AccountId,
			amount: TokenBalance,
		) -> DispatchResultWithPostInfo {
			let from = ensure_signed(origin)?;
			Self::do_transfer(series, from, to, amount)
		}

		/// Let `spender` move up to `amount` of the signer's units (replacing an earlier
		/// allowance; zero removes it and releases its deposit). A new record holds
		/// [`Config::ApprovalDeposit`].
		///
		/// - Origin: signed by the owner.
		/// - Errors: `UnknownSeries`, `DepositNotAffordable`.
		/// - Events: `Approved`.
		#[pallet::call_index(10)]
		pub fn approve_transfer(
			origin: OriginFor<T>,
			series: SeriesId,
			spender: T::AccountId,
			amount: TokenBalance,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_approve(series, owner, spender, amount)
		}

		/// Move `amount` of `owner`'s units to `to` within the signer's allowance.
		///
		/// - Origin: signed by the spender.
		/// - Errors: `ZeroAmount`, `InsufficientAllowance`, and those of [`Pallet::transfer`].
		/// - Events: `Transferred`, `Approved` (the allowance left).
		#[pallet::call_index(11)]
		#[pallet::weight(
			T::WeightInfo::transfer_from()
				.saturating_add(T::OnBalanceChange::max_weight().saturating_mul(2))
		)]
		pub fn transfer_from(
			origin: OriginFor<T>,
			series: SeriesId,
			owner: T::AccountId,
			to: T::AccountId,
			amount: TokenBalance,
		) -> DispatchResultWithPostInfo {
			let spender = ensure_signed(origin)?;
			Self::do_transfer_from(series, spender, owner, to, amount)
		}

		/// Burn `amount` of the signer's units of a matured series (yield is paid per
		/// period: burning pays nothing and loses nothing).
		///
		/// - Origin: signed by the holder.
		/// - Errors: `ZeroAmount`, `UnknownSeries`, `NotMatured`, `InsufficientTokens`,
		///   `BelowMinimum`, an error of [`Config::OnBalanceChange`].
		/// - Events: `Burned`.
		#[pallet::call_index(12)]
		#[pallet::weight(
			T::WeightInfo::burn()
				.saturating_add(T::OnBalanceChange::max_weight())
				.saturating_add(T::OnBalanceChange::max_supply_weight())
		)]
		pub fn burn(
			origin: OriginFor<T>,
			series: SeriesId,
			amount: TokenBalance,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Self::do_burn(series, who, amount)
		}

		/// Release a matured series' collateral to the operator once every period is
		/// settled.
		///
		/// - Origin: signed by the facility's operator.
		/// - Errors: `UnknownSeries`, `NotOperator`, `NotMatured`, `PeriodsUnsettled`,
		///   `NoCollateral`, `InsufficientBalance`.
		/// - Events: `CollateralReleased`.
		#[pallet::call_index(13)]
		pub fn release_collateral(origin: OriginFor<T>, series: SeriesId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_release_collateral(who, series)
		}

		/// Close a matured series whose supply is zero and whose periods are all settled:
		/// remaining collateral and unwithdrawn proceeds go to the operator, the facility's
		/// obligation is released and the series' records are removed. Anyone may call it.
		///
		/// - Origin: signed (anyone).
		/// - Errors: `UnknownSeries`, `WrongStatus` (not issued), `NotMatured`,
		///   `SupplyOutstanding`, `PeriodsUnsettled`, `InsufficientBalance`.
		/// - Events: `CollateralReleased`, `ProceedsWithdrawn` (if any), `SeriesClosed`.
		#[pallet::call_index(14)]
		pub fn close_series(origin: OriginFor<T>, series: SeriesId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_close_series(series)
		}

		/// Set the issuance rules.
		///
		/// - Origin: [`Config::GovernanceOrigin`].
		/// - Errors: `InvalidRules`.
		/// - Events: `RulesSet`.
		#[pallet::call_index(15)]
		pub fn set_rules(origin: OriginFor<T>, rules: IssuanceRules) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(Self::rules_valid(&rules), Error::<T>::InvalidRules);
			Rules::<T>::put(rules);
			Self::deposit_event(Event::RulesSet { rules });
			Ok(())
		}
	}
}

/// One series an account holds.
#[derive(Clone, PartialEq, Eq, Debug, codec::Encode, codec::Decode, scale_info::TypeInfo)]
pub struct Position {
	/// The series.
	pub series: SeriesId,
	/// Its facility.
	pub facility: FacilityId,
	/// Units held.
	pub balance: TokenBalance,
	/// Hashrate they are a claim on (rounded down).
	pub hashrate: hashrate_primitives::Hashrate,
	/// Whether the series has matured.
	pub matured: bool,
}

/// What backs a facility's tokens.
#[derive(
	Clone, PartialEq, Eq, Debug, Default, codec::Encode, codec::Decode, scale_info::TypeInfo,
)]
pub struct BackingView {
	/// Average final hashrate and its last period, if the facility has backing.
	pub backing: Option<(hashrate_primitives::Hashrate, hashrate_primitives::PeriodIndex)>,
	/// Whether that backing is fresh enough to issue against.
	pub fresh: bool,
	/// Hashrate of its offered and live series.
	pub tokenized: hashrate_primitives::Hashrate,
	/// Most that may be tokenized (zero without fresh backing).
	pub limit: hashrate_primitives::Hashrate,
	/// Payout-asset collateral locked over all its series.
	pub collateral: PayoutBalance,
}
