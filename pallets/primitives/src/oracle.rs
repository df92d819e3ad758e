//! What the proof-of-work oracle tells other pallets: periods, network data and each
//! facility's final output per period.
//!
//! `pallet-pow-oracle` implements [`PowOracle`] and calls an [`OnPeriodFinal`] hook (the token
//! and yield pallets) whenever a facility's period becomes final or defaulted.

use crate::{Difficulty, Energy, FacilityId, Hashrate, PeriodIndex, Sats};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::{sp_core::H256, sp_runtime::Weight};
use scale_info::TypeInfo;

/// Per-mill: parts of 1000.
pub type PerMill = u16;

/// Bitcoin network data of one period.
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
	serde::Serialize,
	serde::Deserialize,
)]
pub struct NetworkData {
	/// Difficulty in force during the period.
	pub difficulty: Difficulty,
	/// Average reward per block (subsidy + fees) during the period.
	pub reward_per_block: Sats,
}

/// What a facility produced in one period, as reported, attested or finalized.
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
pub struct PeriodOutput {
	/// Average hashrate over the period.
	pub hashrate: Hashrate,
	/// Bitcoin earned (after the pool's fee).
	pub sats: Sats,
	/// Energy used.
	pub energy: Energy,
	/// Share of the period the fleet was hashing, per-mill.
	pub uptime: PerMill,
	/// The pool's fee, per-mill.
	pub pool_fee: PerMill,
	/// Hash of the evidence (pool statement, meter readings).
	pub evidence: H256,
}

/// How a facility's period ended, once final.
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
pub enum PeriodOutcome {
	/// Output cross-checked by attestors (or set by governance) and past its challenge window.
	Final(PeriodOutput),
	/// The facility did not report by the window's close: it owes the network expectation.
	DefaultedByFacility,
	/// Final output whose sats count Bitcoin payouts proven to the facility's scripts:
	/// proven mode (`max(attested, proven)`), or corrected to the proofs.
	Proven {
		/// The final values.
		output: PeriodOutput,
		/// Of `output.sats`, what the proofs show (the rest rests on attestation).
		proven: Sats,
	},
}

impl PeriodOutcome {
	/// The final output, `None` for a defaulted period.
	pub fn output(&self) -> Option<&PeriodOutput> {
		match self {
			PeriodOutcome::Final(output) | PeriodOutcome::Proven { output, .. } => Some(output),
			PeriodOutcome::DefaultedByFacility => None,
		}
	}
}

/// Read access to periods, network data and final outputs.
pub trait PowOracle {
	/// The period the chain's clock is in now.
	fn current_period() -> PeriodIndex;
	/// Unix seconds `[start, end)` of `period`, `None` if it cannot be computed.
	fn period_bounds(period: PeriodIndex) -> Option<(u64, u64)>;
	/// The period unix second `time` falls in, `None` before the first period.
	fn period_at(time: u64) -> Option<PeriodIndex>;
	/// Until when (unix seconds, exclusive) payouts attributed to `period` may be proven: the
	/// close of its report window (without a quorum extension), when its output is decided.
	fn proof_deadline(period: PeriodIndex) -> Option<u64>;
	/// Network data of `period`: fixed once its report window closed.
	fn network_data(period: PeriodIndex) -> Option<NetworkData>;
	/// How `facility`'s `period` ended, once final.
	fn final_outcome(facility: FacilityId, period: PeriodIndex) -> Option<PeriodOutcome>;
	/// Average final hashrate of `facility` over the `k` periods before `before`, a defaulted
	/// period counting as zero; `None` unless all `k` are final.
	fn average_final_hashrate(
		facility: FacilityId,
		before: PeriodIndex,
		k: u32,
	) -> Option<Hashrate>;
	/// The longest a period can take, from its end, to become final under the current
	/// windows: reporting with the quorum extension, a round awaiting governance until it
	/// expires, the challenge window and a dispute's resolution window.
	fn finality_horizon() -> u64;
	/// The shortest period length in force or scheduled, seconds.
	fn shortest_period_length() -> u64;
}

/// Whether a settlement backlog fits what the pallet paying holders can keep: asked before
/// the oracle's windows or period length change (`pallet-real-yield` implements it).
pub trait SettlementLimits {
	/// Whether periods that take up to `finality_horizon` seconds after their end to become
	/// final, with periods of `period_length` seconds, leave a backlog of unsettled periods
	/// every holder's and series' record can keep.
	fn backlog_fits(finality_horizon: u64, period_length: u64) -> bool;
}

/// Nothing settles periods: every configuration fits.
impl SettlementLimits for () {
	fn backlog_fits(_: u64, _: u64) -> bool {
		true
	}
}

/// Who attests facilities' output: the facility registry refuses to hand a facility to an
/// attestor (`pallet-pow-oracle` implements it).
pub trait AttestorInspect<AccountId> {
	/// Whether `who` is in the attestor set.
	fn is_attestor(who: &AccountId) -> bool;
}

/// Nobody attests.
impl<AccountId> AttestorInspect<AccountId> for () {
	fn is_attestor(_: &AccountId) -> bool {
		false
	}
}

/// Told when a facility's period becomes final or defaulted.
pub trait OnPeriodFinal {
	/// `facility`'s `period` is now final with `outcome`.
	fn on_period_final(facility: FacilityId, period: PeriodIndex, outcome: &PeriodOutcome);
	/// Upper bound of one [`Self::on_period_final`] call; the oracle includes it in the
	/// weights of the calls that make periods final.
	fn weight() -> Weight;
}

impl OnPeriodFinal for () {
	fn on_period_final(_: FacilityId, _: PeriodIndex, _: &PeriodOutcome) {}
	fn weight() -> Weight {
		Weight::zero()
	}
}

/// Both hooks, in order: the oracle tells the token pallet (backing) and the yield pallet
/// (payment deadlines).
impl<A: OnPeriodFinal, B: OnPeriodFinal> OnPeriodFinal for (A, B) {
	fn on_period_final(facility: FacilityId, period: PeriodIndex, outcome: &PeriodOutcome) {
		A::on_period_final(facility, period, outcome);
		B::on_period_final(facility, period, outcome);
	}
	fn weight() -> Weight {
		A::weight().saturating_add(B::weight())
	}
}
