//! Records of obligations, series and holders, and the fixed-point index they share.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use hashrate_primitives::{
	Hashrate, PayoutBalance, PerMill, PeriodIndex, SeriesEconomics, TokenBalance,
};
use polkadot_sdk::{
	frame_support::{
		traits::Get, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
	},
	sp_core::U256,
};
use scale_info::TypeInfo;

/// Fixed-point scale of the yield index: an index unit is `10^-36` sat per unit-second
/// of a token. With 256-bit arithmetic the flooring of one period's rate costs the whole
/// series less than `supply-seconds / 10^36` sat, far below a satoshi for any real series.
pub fn index_scale() -> U256 {
	U256::exp10(36)
}

/// Unit-seconds: a token balance (in units) held for a number of seconds.
pub type TokenSeconds = U256;

/// How a period of a series settled, if it did.
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
pub enum PeriodStatus {
	/// Owed, not paid in full yet.
	Open,
	/// Paid in full and distributed.
	Paid,
	/// Not paid in full by its deadline: the shortfall was drawn from collateral and what
	/// collateral did not cover became the facility's debt.
	Defaulted,
}

/// What the oracle finalized for the facility's period.
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
pub enum FinalOutput {
	/// Attested output: average hashrate and sats earned.
	Reported {
		/// Final average hashrate `H`.
		hashrate: Hashrate,
		/// Final sats `S`.
		sats: PayoutBalance,
	},
	/// The facility did not report: it owes the network expectation of its tokenized hashrate.
	Defaulted,
	/// Output whose sats count Bitcoin payouts proven to the facility's approved scripts
	/// (proven mode, or corrected to the proofs); settles as [`FinalOutput::Reported`].
	Proven {
		/// Final average hashrate `H`.
		hashrate: Hashrate,
		/// Final sats `S`.
		sats: PayoutBalance,
		/// Of `S`, the sats proven on Bitcoin (the rest rests on attestation).
		proven: PayoutBalance,
	},
}

impl FinalOutput {
	/// Final hashrate and sats, `None` when defaulted.
	pub fn hashrate_and_sats(&self) -> Option<(Hashrate, PayoutBalance)> {
		match *self {
			FinalOutput::Reported { hashrate, sats }
			| FinalOutput::Proven { hashrate, sats, .. } => Some((hashrate, sats)),
			FinalOutput::Defaulted => None,
		}
	}
}

/// A series' obligation for one period: inputs, result, payments and settlement.
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
pub struct PeriodYield {
	/// The final output of the facility's period.
	pub output: FinalOutput,
	/// Unix seconds `[start, end)` of the period.
	pub start: u64,
	/// End of the period (exclusive).
	pub end: u64,
	/// Time-weighted supply over the period, unit-seconds.
	pub supply_seconds: TokenSeconds,
	/// Tokenized hashrate `T`: the time-weighted supply's hashrate, rounded up.
	pub tokenized: Hashrate,
	/// Sats for the hashrate delivered: `S x min(T, H) / H`, rounded up.
	pub delivered: PayoutBalance,
	/// Sats the network would have paid for the hashrate not delivered, `(T - D) x E`.
	pub undelivered: PayoutBalance,
	/// Cost terms deducted: per TH/s per day x T x period days, rounded down.
	pub cost: PayoutBalance,
	/// Protocol fee on what is owed, rounded down.
	pub fee: PayoutBalance,
	/// Owed in total: `max(0, delivered + undelivered - cost)`; holders get `owed - fee`.
	pub owed: PayoutBalance,
	/// Deposited against it.
	pub paid: PayoutBalance,
	/// Drawn from collateral at default.
	pub drawn: PayoutBalance,
	/// Left as the facility's debt at default.
	pub debt: PayoutBalance,
	/// Protocol fee actually taken (less than `fee` when a default left a shortfall).
	pub fee_taken: PayoutBalance,
	/// When the oracle made the period final.
	pub final_at: u64,
	/// After this unix second anyone may default the period if it is not paid.
	pub deadline: u64,
	/// Where it stands.
	pub status: PeriodStatus,
	/// Yield per unit-second, scaled by [`index_scale`] (set at settlement).
	pub rate: U256,
	/// The series' cumulative index at the period's start (set at settlement).
	pub index_at_start: U256,
	/// The period's debt per unit-second held in it, as holders' face (set when it
	/// defaulted leaving debt; else zero).
	pub debt_rates: DebtIndexes,
	/// The debt epoch it defaulted in.
	pub debt_epoch: u32,
	/// The series' debt indexes at the period's start (set at settlement).
	pub debt_at_start: DebtIndexes,
}

impl PeriodYield {
	/// What holders are owed: the obligation net of the protocol fee.
	pub fn holders_owed(&self) -> PayoutBalance {
		self.owed.saturating_sub(self.fee)
	}
	/// Still to pay before the period is paid in full.
	pub fn outstanding(&self) -> PayoutBalance {
		self.owed.saturating_sub(self.paid)
	}
	/// The index at unix second `at` inside the period (clamped to it).
	pub fn index_at(&self, at: u64) -> U256 {
		let elapsed = at.clamp(self.start, self.end).saturating_sub(self.start);
		self.index_at_start.saturating_add(self.rate.saturating_mul(U256::from(elapsed)))
	}
	/// The debt indexes at unix second `at` inside the period (clamped to it).
	pub fn debt_at(&self, at: u64) -> DebtIndexes {
		let elapsed = U256::from(at.clamp(self.start, self.end).saturating_sub(self.start));
		self.debt_at_start.plus(&self.debt_rates, elapsed)
	}
}

/// Cumulative debt per unit-second held, over settled time: the face of debt (what holders
/// were shorted, `10^-36` sat), the debt shares it was issued as, and those shares times the
/// repaid-per-share figure at issue (face units, rounded up). A holder holding `b` units
/// over `[t0, t1)` of settled time was shorted `b x (face(t1) - face(t0))`.
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
pub struct DebtIndexes {
	/// Face, `10^-36` sat.
	pub face: U256,
	/// Debt shares.
	pub shares: U256,
	/// Shares x repaid-per-share at issue / [`share_one`], rounded up.
	pub issued_repaid: U256,
}

impl DebtIndexes {
	/// `self + rates x seconds`, saturating.
	pub fn plus(&self, rates: &DebtIndexes, seconds: U256) -> DebtIndexes {
		DebtIndexes {
			face: self.face.saturating_add(rates.face.saturating_mul(seconds)),
			shares: self.shares.saturating_add(rates.shares.saturating_mul(seconds)),
			issued_repaid: self
				.issued_repaid
				.saturating_add(rates.issued_repaid.saturating_mul(seconds)),
		}
	}
	/// `self - earlier`, saturating.
	pub fn since(&self, earlier: &DebtIndexes) -> DebtIndexes {
		DebtIndexes {
			face: self.face.saturating_sub(earlier.face),
			shares: self.shares.saturating_sub(earlier.shares),
			issued_repaid: self.issued_repaid.saturating_sub(earlier.issued_repaid),
		}
	}
	/// `self x units`, saturating.
	pub fn times(&self, units: U256) -> DebtIndexes {
		DebtIndexes {
			face: self.face.saturating_mul(units),
			shares: self.shares.saturating_mul(units),
			issued_repaid: self.issued_repaid.saturating_mul(units),
		}
	}
}

/// The value of a debt share at the start of a debt epoch: shares are issued at the
/// current value, so `shares x value / share_one` is the unpaid face they stand for.
pub fn share_one() -> U256 {
	U256::exp10(36)
}

/// The lowest a share's value may fall through partial repayments (`10^-21` of
/// [`share_one`]): a repayment that would take it lower must pay the whole debt, which keeps
/// share counts within 256 bits.
pub fn share_value_min() -> U256 {
	U256::exp10(15)
}

/// A series' unpaid debt to its holders, shared pro rata to what each was shorted.
///
/// Repayments go to every unpaid face alike, in proportion to what is still unpaid
/// (Liquity's stability-pool product, without its scale factor): the share value `P` falls
/// to `P x (U - a) / U` when `a` of the unpaid `U` is repaid, and the repaid-per-share `Q`
/// rises by the fall. A share issued when the figure was `Q0` has been repaid
/// `(Q - Q0) / share_one` face. When the unpaid debt reaches zero every face issued so far is
/// repaid in full and a new epoch starts (`P` back to one, `Q` to zero).
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
pub struct DebtBook {
	/// Starts at 0; rises each time the unpaid debt is repaid in full.
	pub epoch: u32,
	/// `P`: the unpaid face one share stands for, times [`share_one`].
	pub share_value: U256,
	/// `Q`: repaid face per share since the epoch started, times [`share_one`].
	pub repaid_per_share: U256,
	/// Shares issued in the epoch.
	pub shares: U256,
	/// Unpaid face, `10^-36` sat.
	pub unpaid: U256,
	/// The indexes at the settled frontier.
	pub indexes: DebtIndexes,
	/// Where the epoch started: the settled frontier then (unix seconds) and the indexes there;
	/// every face before it has been repaid in full.
	pub epoch_start: u64,
	/// The indexes at [`Self::epoch_start`].
	pub epoch_indexes: DebtIndexes,
	/// Governance wrote the debt off: the unpaid face is void.
	pub written_off: bool,
	/// Face repaid so far (`10^-36` sat): what holders' debt credits add up to once an
	/// epoch ends.
	pub applied: U256,
	/// A bound on what partial repayments credited beyond themselves by rounding the share
	/// value down (`10^-36` sat; far below a sat), taken from face still unpaid.
	pub over_credit: U256,
}

impl DebtBook {
	/// No debt yet: a share worth one, nothing repaid.
	pub fn new() -> Self {
		Self { share_value: share_one(), ..Default::default() }
	}
}

/// A series' holder records, and the sub-satoshi rests of records removed since its last
/// settlement (they join that settlement's distribution).
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
pub struct HolderCount {
	/// Holder records of the series.
	pub records: u32,
	/// Rests of removed records, `10^-36` sat.
	pub rest: U256,
}

/// A holder's part of its series' debt.
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
pub struct HolderDebt {
	/// The debt epoch of its shares.
	pub epoch: u32,
	/// Its debt shares.
	pub shares: U256,
	/// Repaid-per-share up to which its shares have been credited.
	pub repaid_checkpoint: U256,
	/// Unpaid face, `10^-36` sat.
	pub unpaid: U256,
}

/// Unit-seconds accumulated since the settled frontier, period by period: the series' supply
/// or one holder's balance. `period` and `at` mark how far it is accounted; the amount held
/// since then is the current balance (every change is announced before it happens).
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(MaxUnsettled))]
#[codec(mel_bound())]
pub struct Accrual<MaxUnsettled: Get<u32>> {
	/// The period `at` falls in (`last + 1` once the term is over).
	pub period: PeriodIndex,
	/// Unix second up to which the balance is accounted.
	pub at: u64,
	/// Unit-seconds in periods not settled yet, oldest first.
	pub unsettled: BoundedVec<(PeriodIndex, TokenSeconds), MaxUnsettled>,
}

/// A series as this pallet keeps it.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(MaxUnsettled))]
#[codec(mel_bound())]
pub struct SeriesYield<MaxUnsettled: Get<u32>> {
	/// Facility, hashrate per token, decimals, term, costs (fixed once tokens exist).
	pub economics: SeriesEconomics,
	/// Start of the term (start of the first period), unix seconds.
	pub term_start: u64,
	/// The first period not settled (`last + 1` when all are).
	pub next: PeriodIndex,
	/// Start of `next` (end of the term when all are settled): settled time ends here.
	pub frontier: u64,
	/// When the period before `next` settled (or the series was first seen). Deadlines do not
	/// count from it: each is fixed when its period becomes final.
	pub last_settled_at: u64,
	/// Cumulative yield per unit-second up to the start of `next`, scaled by
	/// [`index_scale`].
	pub index: U256,
	/// Scaled remainder of past distributions not paid out, carried into the next one
	/// (only after a period nobody held, or for series beyond `10^36` unit-seconds).
	pub carry: U256,
	/// Scaled amount rates paid in advance by rounding up (below one sat), taken back from
	/// the next distribution.
	pub advance: U256,
	/// Debt repayments received, sats (distributed to the holders shorted, not with
	/// settlements).
	pub repaid: PayoutBalance,
	/// Scaled amounts put into the carry from outside a period's distribution (a repayment's
	/// rest below the unpaid face, v1 repayments waiting at the upgrade).
	pub carried_in: U256,
	/// The series' unpaid debt to its holders and the indexes that share it.
	pub debt_book: DebtBook,
	/// Time-weighted supply of the periods not settled.
	pub supply: Accrual<MaxUnsettled>,
	/// Deposited against its periods and debt.
	pub deposited: PayoutBalance,
	/// Drawn from its collateral.
	pub drawn: PayoutBalance,
	/// Protocol fees taken from it.
	pub fees: PayoutBalance,
	/// Distributed to holders (claimable or claimed).
	pub distributed: PayoutBalance,
	/// Claimed by holders.
	pub claimed: PayoutBalance,
	/// Unpaid debt (shortfalls collateral did not cover), less repayments.
	pub debt: PayoutBalance,
	/// Tokenized hashrate x seconds over the settled periods (milli-TH/s x s): the
	/// denominator of the series' yield per TH/s per day.
	pub hashrate_seconds: u128,
}

/// One holder's standing in one series.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(MaxUnsettled))]
#[codec(mel_bound())]
pub struct HolderYield<MaxUnsettled: Get<u32>> {
	/// The holder's unit-seconds not settled yet.
	pub accrual: Accrual<MaxUnsettled>,
	/// Settled yield and debt repaid to it, not claimed, scaled by [`index_scale`].
	pub earned: U256,
	/// Its part of the series' unpaid debt.
	pub debt: HolderDebt,
}

/// Rules of payment, set by governance.
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
pub struct YieldRules {
	/// Seconds a facility has to pay a period in full, counted from when the period became
	/// final (fixed then: a later change of this rule does not move it).
	pub payment_window: u64,
	/// Defaulted periods within [`Self::default_window`] after which the facility is
	/// suspended (at most [`MAX_DEFAULTS_TRACKED`]).
	pub defaults_before_suspension: u32,
	/// The window, in periods, over which a facility's defaulted periods count: the newest
	/// defaulted period and the `default_window - 1` before it.
	pub default_window: u32,
	/// Protocol fee on what is owed, per-mill, to the treasury.
	pub fee_per_mill: PerMill,
}

impl Default for YieldRules {
	/// Production: a week to pay; suspended at the third defaulted period within 30 periods
	/// (a month of daily periods); 2 % fee.
	fn default() -> Self {
		Self {
			payment_window: 7 * 86_400,
			defaults_before_suspension: 3,
			default_window: 30,
			fee_per_mill: 20,
		}
	}
}

impl YieldRules {
	/// Rules for development chains: a minute to pay.
	pub fn development() -> Self {
		Self { payment_window: 60, ..Self::default() }
	}
}

/// Most defaulted periods of one facility kept to count defaults in a window; governance
/// cannot set a suspension limit above it.
pub const MAX_DEFAULTS_TRACKED: u32 = 32;

/// Most periods one call settles after the one it was made for (paid in full, or defaulted
/// because their deadlines passed while they waited for it); the rest wait for the next call.
pub const MAX_CASCADE: u32 = 8;

/// How many periods back a period final without network data of its own looks for the
/// nearest fixed value (periods made final before the oracle fixed every period's data).
pub const NETWORK_LOOKBACK: u32 = 16;

/// Most records one [`crate::Pallet::prune_series`] call removes.
pub const MAX_PRUNE: u32 = 64;

/// Decimals the tokenized weights of a facility's series are compared at (the token pallet's
/// most: `10^18` units per token).
pub const WEIGHT_DECIMALS: u8 = 18;

/// What a facility's period became, fixed when it became final, for every series of the
/// facility that held hashrate tokens in it; kept until each has recorded its obligation.
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
pub struct FinalPeriod {
	/// When the oracle made the period final (unix seconds).
	pub at: u64,
	/// The series' payment deadline: `at` + the payment window then in force.
	pub deadline: u64,
	/// The final output.
	pub output: FinalOutput,
	/// The period's network data, which prices hashrate not delivered.
	pub network: hashrate_primitives::NetworkData,
	/// The facility's series' tokenized hashrate over the period, summed, in
	/// unit-seconds x hashrate per token x `10^(WEIGHT_DECIMALS - decimals)`: when it exceeds
	/// the final hashrate, that hashrate is shared pro rata.
	pub tokenized_weight: U256,
	/// Series that have not recorded their obligation for the period yet.
	pub pending: u32,
}

/// The highest protocol fee governance may set, per-mill.
pub const MAX_FEE_PER_MILL: PerMill = 500;

/// An account's yield in one series, for clients.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct PendingYield {
	/// The series.
	pub series: hashrate_primitives::SeriesId,
	/// Units held now.
	pub balance: TokenBalance,
	/// Settled yield that can be claimed now, sats.
	pub claimable: PayoutBalance,
}

/// A series' record for clients: what backs it, what it paid, what it owes.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct SeriesReport {
	/// The series.
	pub series: hashrate_primitives::SeriesId,
	/// Its economics.
	pub economics: SeriesEconomics,
	/// Units in existence.
	pub supply: TokenBalance,
	/// Hashrate the supply is a claim on, rounded up.
	pub tokenized: Hashrate,
	/// The facility's final hashrate in the latest settled period (`None` before one).
	pub attested: Option<Hashrate>,
	/// Collateral locked.
	pub collateral: PayoutBalance,
	/// The first period not settled.
	pub next_period: PeriodIndex,
	/// Deposited, drawn, fees, distributed, claimed.
	pub deposited: PayoutBalance,
	/// Drawn from collateral.
	pub drawn: PayoutBalance,
	/// Protocol fees taken.
	pub fees: PayoutBalance,
	/// Distributed to holders.
	pub distributed: PayoutBalance,
	/// Claimed by holders.
	pub claimed: PayoutBalance,
	/// Carried to the next distribution, whole sats (yield of periods nobody held,
	/// sub-satoshi rests of holders who left).
	pub carried: PayoutBalance,
	/// The series' unpaid debt.
	pub debt: PayoutBalance,
	/// Governance wrote the series' debt off.
	pub debt_written_off: bool,
	/// Repaid of its debt so far.
	pub repaid: PayoutBalance,
	/// The facility's unpaid debt over all its series.
	pub facility_debt: PayoutBalance,
	/// The facility's defaulted periods within the default window.
	pub facility_defaults: u32,
	/// Yield distributed over the settled periods, in milli-sats per TH/s per day.
	pub millisats_per_th_day: u128,
}

/// A series' period for clients: the obligation, its inputs and how it settled.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct PeriodReport {
	/// The period.
	pub period: PeriodIndex,
	/// Final output.
	pub output: FinalOutput,
	/// Tokenized hashrate `T`.
	pub tokenized: Hashrate,
	/// Sats for the hashrate delivered.
	pub delivered: PayoutBalance,
	/// Sats owed for hashrate not delivered.
	pub undelivered: PayoutBalance,
	/// Costs deducted.
	pub cost: PayoutBalance,
	/// Protocol fee due.
	pub fee: PayoutBalance,
	/// Owed in total.
	pub owed: PayoutBalance,
	/// Deposited.
	pub paid: PayoutBalance,
	/// Drawn from collateral.
	pub drawn: PayoutBalance,
	/// Left as debt.
	pub debt: PayoutBalance,
	/// Of that debt, what is still unpaid to the period's holders (repayments go to every
	/// unpaid debt of the series alike), sats rounded down.
	pub debt_unpaid: PayoutBalance,
	/// Distributed to holders (after fee).
	pub distributed: PayoutBalance,
	/// Deadline, unix seconds.
	pub deadline: u64,
	/// Where it stands.
	pub status: PeriodStatus,
	/// Holders' yield in milli-sats per TH/s per day (0 until settled).
	pub millisats_per_th_day: u128,
}
