//! What the payout proofs tell the oracle: sats proven paid to a facility's approved
//! scripts, attributed to a period, and the facility's payout settings (lag, proven mode).
//! `pallet-payout-proofs` implements it.

use crate::{FacilityId, PeriodIndex, Sats};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::sp_runtime::Weight;
use scale_info::TypeInfo;

/// How a facility's payouts are attributed and used.
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
pub struct PayoutSettings {
	/// Periods between earning and payout: a payout in a block of time `t` is attributed to
	/// period `period_at(t + shift) - lag` (pools pay day d's earnings during day d + 1:
	/// lag 1).
	pub lag: u32,
	/// Whether a period's final sats are at least what proofs show (governance-approved).
	pub proven_mode: bool,
	/// Seconds added to a payout's block time before its period is found, less than a period
	/// (the payout hour): chosen so the pool's payout time, shifted, falls mid-period, where
	/// block times running an hour or two behind or ahead cannot carry a payout across a
	/// period boundary. A pool paying at 01:00 UTC with daily periods: 43,200 (12 h).
	pub shift: u32,
}

impl Default for PayoutSettings {
	/// Lag 1 (a pool pays a day's earnings the next day), attested mode, no shift.
	fn default() -> Self {
		Self { lag: 1, proven_mode: false, shift: 0 }
	}
}

/// Proven payouts, per facility and period.
pub trait ProvenPayouts {
	/// Sats proven paid to the facility's scripts and attributed to `period`.
	fn proven(facility: FacilityId, period: PeriodIndex) -> Sats;
	/// The settings in force for `period`.
	fn settings(facility: FacilityId, period: PeriodIndex) -> PayoutSettings;
	/// Weight of one [`Self::proven`] or [`Self::settings`] call.
	fn read_weight() -> Weight;
	/// Record `sats` more proven for `facility`'s `period`, for other pallets' benchmarks.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_prove(facility: FacilityId, period: PeriodIndex, sats: Sats);
}

/// No proofs: nothing proven, default settings.
impl ProvenPayouts for () {
	fn proven(_: FacilityId, _: PeriodIndex) -> Sats {
		Sats(0)
	}
	fn settings(_: FacilityId, _: PeriodIndex) -> PayoutSettings {
		PayoutSettings::default()
	}
	fn read_weight() -> Weight {
		Weight::zero()
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_prove(_: FacilityId, _: PeriodIndex, _: Sats) {}
}
