//! What the hashrate-token pallet tells and offers other pallets, and what it asks of them.
//!
//! `pallet-hashrate-tokens` implements [`SeriesInspect`] (a series' facility, hashrate per
//! token, decimals, cost terms, term, supply and balances) and [`SeriesCollateral`] (the
//! yield pallet draws on a series' collateral to pay holders for defaulted or unpaid
//! periods). It calls an [`OnTokenBalanceChange`] hook before every balance change, so the
//! yield pallet can bring the old balances up to date first, and asks [`SeriesObligations`]
//! whether a series' periods are settled and whether a facility owes holders money.

use crate::{FacilityId, Hashrate, PeriodIndex, Sats, SeriesId};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::sp_runtime::{DispatchError, Weight};
use scale_info::TypeInfo;

/// An amount of a hashrate-token series, in its smallest unit (`10^-decimals` of a token).
pub type TokenBalance = u128;
/// An amount of the payout asset (the BTC-pegged asset yield, offerings and collateral are
/// paid in), in its smallest unit: one satoshi.
pub type PayoutBalance = u128;

/// Where a series is in its life.
///
/// ```text
/// Created ──open_offering──> Offering ──close: soft cap met──> Issued ──last period ends──> (matured)
///    ^                          │                                 │
///    └──close: failed (refunds)─┘                  supply 0, settled └──close_series──> Closed
/// ```
/// `Created` series may be cancelled; cancelling and closing remove the series. Whether an issued series is matured follows from the
/// clock (its last period has ended), see [`SeriesInspect::is_matured`].
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
pub enum SeriesStatus {
	/// Terms set, nothing sold: terms may change, an offering may open.
	Created,
	/// Its primary offering is open (or closed and waiting to be settled).
	Offering,
	/// Tokens were minted: the terms are fixed.
	Issued,
	/// Matured with no supply left and every period settled. Closing removes the series'
	/// records (storage follows live series), so only records written before that rule carry
	/// this status.
	Closed,
}

/// The economic terms of a series, as the yield pallet needs them.
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
	serde::Serialize,
	serde::Deserialize,
)]
pub struct SeriesEconomics {
	/// The facility whose hashrate backs the series.
	pub facility: FacilityId,
	/// Hashrate one whole token (`10^decimals` units) is a claim on.
	pub hashrate_per_token: Hashrate,
	/// Decimals of the token.
	pub decimals: u8,
	/// First period of the term.
	pub first_period: PeriodIndex,
	/// Last period of the term (inclusive).
	pub last_period: PeriodIndex,
	/// Costs deducted from holders' gross output: sats per TH/s per day (a day = 86,400 s,
	/// so a change of period length does not distort them).
	pub cost_per_th_day: Sats,
}

/// Read access to hashrate-token series.
pub trait SeriesInspect<AccountId> {
	/// The series' status, `None` if it never existed.
	fn status(series: SeriesId) -> Option<SeriesStatus>;
	/// Its facility, hashrate per token, decimals, term and cost terms.
	fn economics(series: SeriesId) -> Option<SeriesEconomics>;
	/// Tokens in existence, in units.
	fn supply(series: SeriesId) -> TokenBalance;
	/// `who`'s balance, in units.
	fn balance(series: SeriesId, who: &AccountId) -> TokenBalance;
	/// Whether the series' last period has ended (it no longer accrues).
	fn is_matured(series: SeriesId) -> bool;
	/// `facility`'s series that are not closed (at most the token pallet's bound per
	/// facility).
	fn facility_series(facility: FacilityId) -> alloc::vec::Vec<SeriesId>;
}

/// Access to a series' collateral, for the pallet that pays holders.
pub trait SeriesCollateral<AccountId> {
	/// Payout-asset collateral locked for `series`.
	fn collateral(series: SeriesId) -> PayoutBalance;
	/// Move up to `amount` of `series`' collateral to `to`; returns what was moved (at most
	/// the collateral held). Errors if the transfer itself fails.
	fn draw_collateral(
		series: SeriesId,
		amount: PayoutBalance,
		to: &AccountId,
	) -> Result<PayoutBalance, DispatchError>;
}

/// Told before every change of a series balance (mint, burn, transfer), once per account
/// whose balance changes, while the old balance is still in storage, with the balance it is
/// about to become; and once before the series' supply changes (mint, burn), while the old
/// supply is still in storage, before the per-account calls. A transfer does not change the
/// supply.
///
/// Weights: the calling pallet's benchmarks run in the runtime, with its implementation of
/// this trait, in the implementation's cheapest case (nothing to catch up on); the weights
/// here are what a call costs beyond that case, so a benchmarked call adds them and nothing
/// is counted twice.
pub trait OnTokenBalanceChange<AccountId> {
	/// Bring `who`'s records for `series` up to date; `new_balance` is the balance it will
	/// hold (a record with nothing left can go). An error fails the balance change.
	/// Returns the weight used beyond the cheapest case, at most [`Self::max_weight`].
	fn before_balance_change(
		series: SeriesId,
		who: &AccountId,
		new_balance: TokenBalance,
	) -> Result<Weight, DispatchError>;
	/// Upper bound of what one [`Self::before_balance_change`] call returns; the calling
	/// pallet includes it in its calls' declared weights.
	fn max_weight() -> Weight;
	/// Bring `series`' supply records up to date. An error fails the change.
	/// Returns the weight used beyond the cheapest case (an implementation may return more:
	/// its whole cost), at most [`Self::max_supply_weight`].
	fn before_supply_change(series: SeriesId) -> Result<Weight, DispatchError>;
	/// Upper bound of what one [`Self::before_supply_change`] call returns.
	fn max_supply_weight() -> Weight;
}

impl<AccountId> OnTokenBalanceChange<AccountId> for () {
	fn before_balance_change(
		_: SeriesId,
		_: &AccountId,
		_: TokenBalance,
	) -> Result<Weight, DispatchError> {
		Ok(Weight::zero())
	}
	fn max_weight() -> Weight {
		Weight::zero()
	}
	fn before_supply_change(_: SeriesId) -> Result<Weight, DispatchError> {
		Ok(Weight::zero())
	}
	fn max_supply_weight() -> Weight {
		Weight::zero()
	}
}

/// What the pallet that pays holders knows about what a series and a facility still owe.
pub trait SeriesObligations {
	/// Whether every period of `series` up to its last one is settled (paid in full, or
	/// defaulted and drawn). Collateral is released and a series closed only then.
	fn is_settled(series: SeriesId) -> bool;
	/// Unpaid debt `facility` owes holders (what collateral did not cover). A facility in
	/// debt cannot issue.
	fn debt(facility: FacilityId) -> PayoutBalance;
}

/// No pallet pays holders yet: nothing is owed, so every series is settled and no facility
/// is in debt. The yield pallet replaces this in the runtime.
impl SeriesObligations for () {
	fn is_settled(_: SeriesId) -> bool {
		true
	}
	fn debt(_: FacilityId) -> PayoutBalance {
		0
	}
}
