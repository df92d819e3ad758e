//! Records of series, offerings, subscriptions, approvals and backing.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use hashrate_primitives::{
	FacilityId, Hashrate, PayoutBalance, PerMill, PeriodIndex, Sats, SeriesEconomics, SeriesStatus,
	TokenBalance,
};
use polkadot_sdk::frame_support::{traits::ConstU32, BoundedVec};
use scale_info::TypeInfo;

/// Longest series name, in bytes (UTF-8).
pub const MAX_NAME_LEN: u32 = 64;
/// Longest ticker symbol, in bytes (ASCII).
pub const MAX_SYMBOL_LEN: u32 = 12;
/// Most decimals a series may have (`10^18` units per token).
pub const MAX_DECIMALS: u8 = 18;
/// Most periods [`IssuanceRules::backing_periods`] may average over.
pub const MAX_BACKING_PERIODS: u32 = 60;
/// Most periods of expected output [`IssuanceRules::collateral_periods`] may require.
pub const MAX_COLLATERAL_PERIODS: u32 = 366;
/// Most periods back from the current one searched for the latest network data.
pub const NETWORK_DATA_LOOKBACK: u32 = 8;
/// Seconds in a day: cost terms are per TH/s per day.
pub const SECONDS_PER_DAY: u64 = 86_400;

/// A series name: non-empty UTF-8.
pub type SeriesName = BoundedVec<u8, ConstU32<MAX_NAME_LEN>>;
/// A ticker symbol: 1 to [`MAX_SYMBOL_LEN`] upper-case ASCII letters or digits.
pub type Symbol = BoundedVec<u8, ConstU32<MAX_SYMBOL_LEN>>;

/// What a facility states when it creates a series; fixed once tokens exist.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct SeriesTerms {
	/// Name, e.g. "Nordic Hydro 2027".
	pub name: SeriesName,
	/// Ticker, e.g. "NHH27".
	pub symbol: Symbol,
	/// Decimals: one token is `10^decimals` units.
	pub decimals: u8,
	/// Hashrate one whole token is a claim on.
	pub hashrate_per_token: Hashrate,
	/// First period of the term; it must start after the offering closes.
	pub first_period: PeriodIndex,
	/// Last period of the term (inclusive).
	pub last_period: PeriodIndex,
	/// Costs deducted from holders' gross output, sats per TH/s per day.
	pub cost_per_th_day: Sats,
	/// Most units that may ever exist.
	pub supply_cap: TokenBalance,
	/// Smallest non-zero balance an account may hold, in units: creating a holder record
	/// costs at least this much of the token, so dust accounts cannot bloat storage.
	pub min_balance: TokenBalance,
}

/// A series as stored.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct SeriesRecord {
	/// The facility whose hashrate backs it.
	pub facility: FacilityId,
	/// Its terms.
	pub terms: SeriesTerms,
	/// Where it is in its life.
	pub status: SeriesStatus,
	/// Units minted and not burned.
	pub supply: TokenBalance,
	/// Units subscribed in its open offering, not minted yet: their backing is reserved.
	pub reserved: TokenBalance,
	/// Payout-asset collateral locked for it.
	pub collateral: PayoutBalance,
}

impl SeriesRecord {
	/// What the yield pallet needs of the series.
	pub fn economics(&self) -> SeriesEconomics {
		SeriesEconomics {
			facility: self.facility,
			hashrate_per_token: self.terms.hashrate_per_token,
			decimals: self.terms.decimals,
			first_period: self.terms.first_period,
			last_period: self.terms.last_period,
			cost_per_th_day: self.terms.cost_per_th_day,
		}
	}
}

/// What a facility states when it opens an offering.
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
pub struct OfferingTerms {
	/// Price of one whole token in the payout asset (sats).
	pub price: PayoutBalance,
	/// Unix second at which subscriptions stop.
	pub closes: u64,
	/// Least units that must be sold for the offering to succeed.
	pub soft_cap: TokenBalance,
	/// Most units that may be sold.
	pub hard_cap: TokenBalance,
	/// Least units one subscriber may hold in the offering (at least the series' minimum
	/// balance).
	pub min_subscription: TokenBalance,
}

/// How an offering stands.
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
pub enum OfferingState {
	/// Taking subscriptions (until `closes`, or the hard cap), then waiting to be closed.
	Open,
	/// Soft cap met: tokens minted; the proceeds wait for the facility.
	Succeeded,
	/// Soft cap missed (or the facility could not issue): subscribers take their payments
	/// back.
	Failed,
}

/// A series' primary offering as stored.
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
pub struct Offering {
	/// What the facility stated.
	pub terms: OfferingTerms,
	/// How it stands.
	pub state: OfferingState,
	/// Units subscribed.
	pub sold: TokenBalance,
	/// Payments held in escrow for it: open subscriptions, or unwithdrawn proceeds.
	pub escrowed: PayoutBalance,
	/// Subscriptions stored (not minted or refunded yet).
	pub subscribers: u32,
}

/// One buyer's subscription.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct Subscription {
	/// Units subscribed.
	pub amount: TokenBalance,
	/// What was paid into escrow for them.
	pub paid: PayoutBalance,
}

/// An allowance `owner` gave `spender`, with the native deposit held for its record.
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
pub struct Approval<Balance> {
	/// Units `spender` may still move.
	pub amount: TokenBalance,
	/// Native deposit held from `owner`.
	pub deposit: Balance,
}

/// What a facility's final outputs support, as of the latest final period the oracle
/// announced for it.
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
pub struct Backing {
	/// Average final hashrate over the [`IssuanceRules::backing_periods`] periods up to and
	/// including `as_of` (a defaulted period counts as zero).
	pub average: Hashrate,
	/// The last period of that average.
	pub as_of: PeriodIndex,
	/// Whether the facility had more tokenized than the average allows when it was taken.
	pub short: bool,
}

/// How issuance is bounded; set at genesis and by governance.
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
pub struct IssuanceRules {
	/// k: final periods the backing averages over (1..=[`MAX_BACKING_PERIODS`]).
	pub backing_periods: u32,
	/// Most of the average final hashrate that may be tokenized, per-mill (1..=1000).
	pub max_tokenization: PerMill,
	/// Periods of expected owed output the collateral must cover before an offering
	/// closes (0..=[`MAX_COLLATERAL_PERIODS`]).
	pub collateral_periods: u32,
	/// How many periods the backing's last period may lag the current period (final
	/// outputs arrive days after a period ends); older backing does not count.
	pub max_backing_age: u32,
	/// Seconds after an offering's close time during which a close that cannot mint
	/// (collateral short, facility not able to issue) is refused, so the facility can
	/// mend it; after that the offering fails and subscribers are refunded.
	pub close_grace: u64,
}

impl IssuanceRules {
	/// Production rules for UTC-day periods: a 30-day average, 80 % of it tokenizable,
	/// 30 days of expected output as collateral, backing at most 14 days old (reports
	/// arrive within 2-3 days, the challenge window is 3 days, a dispute up to 7 more),
	/// two days to mend a close.
	pub const fn production() -> Self {
		Self {
			backing_periods: 30,
			max_tokenization: 800,
			collateral_periods: 30,
			max_backing_age: 14,
			close_grace: 2 * SECONDS_PER_DAY,
		}
	}
}

impl Default for IssuanceRules {
	fn default() -> Self {
		Self::production()
	}
}
