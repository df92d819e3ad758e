//! What other pallets may know about and do to a registered facility.
//!
//! `pallet-facilities` implements both traits; the runtime hands them to the pallets that need
//! them (the oracle checks reports against a facility's capacity and reporter keys, the token
//! pallet counts a live series as an obligation, the yield pallet suspends and slashes).

use crate::{Efficiency, FacilityId, Hashrate, Power};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::sp_runtime::{DispatchError, DispatchResult};
use scale_info::TypeInfo;

/// Where a facility is in its lifecycle.
///
/// ```text
/// Pending ──approve──> Active <──suspend / resume──> Suspended
///    │                   │                              │
///    └─reject─> Rejected └──────────retire──> Retiring ─┴─(obligations = 0)─> Retired
/// ```
/// (`Pending` may also retire: the operator withdraws the application.)
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum FacilityStatus {
	/// Registered with its deposit held, waiting for approval.
	Pending,
	/// Approved: may issue token series and open offerings.
	Active,
	/// Stopped from new issuance and offerings; still reports and still owes what it owes.
	Suspended,
	/// The operator is leaving: no new series or offerings; still reports and owes; retires
	/// once its last obligation is released.
	Retiring,
	/// Gone: deposit released, reporter keys removed. Kept as a record.
	Retired,
	/// Not approved: deposit released. Kept as a record.
	Rejected,
}

impl FacilityStatus {
	/// Every status, for iteration in checks.
	pub const ALL: [FacilityStatus; 6] = [
		FacilityStatus::Pending,
		FacilityStatus::Active,
		FacilityStatus::Suspended,
		FacilityStatus::Retiring,
		FacilityStatus::Retired,
		FacilityStatus::Rejected,
	];

	/// Whether the facility's output is still reported and attested: active, suspended
	/// (obligations continue) and retiring (until its last obligation ends) facilities are.
	pub fn reports(self) -> bool {
		matches!(self, Self::Active | Self::Suspended | Self::Retiring)
	}

	/// Whether the facility may take on new obligations (issue series, open offerings).
	pub fn may_issue(self) -> bool {
		matches!(self, Self::Active)
	}

	/// Whether the facility's deposit is still held (every status but the two final ones).
	pub fn holds_deposit(self) -> bool {
		!matches!(self, Self::Retired | Self::Rejected)
	}
}

/// Why a facility was suspended.
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
pub enum SuspensionReason {
	/// Decided by governance (investigation, audit finding, operator request).
	Governance,
	/// Reports did not arrive for periods it owed.
	MissedReports,
	/// Too many periods were not paid to holders by their deadline.
	PaymentDefaults,
	/// Reported output failed cross-checks (attestors or physics) beyond tolerance.
	Fraud,
	/// Owes holders more than its collateral covered.
	UnpaidDebt,
}

/// Read access to registered facilities.
pub trait FacilityInspect<AccountId, Balance> {
	/// The facility's status, `None` if it was never registered.
	fn status(facility: FacilityId) -> Option<FacilityStatus>;
	/// The facility's operator (its cold key).
	fn operator(facility: FacilityId) -> Option<AccountId>;
	/// Whether `who` is one of the facility's reporter (hot) keys. The operator is not a
	/// reporter key; see [`Self::may_report`].
	fn is_reporter(facility: FacilityId, who: &AccountId) -> bool;
	/// Whether `who` may submit reports for the facility: its operator or a reporter key,
	/// while the facility's status [reports](FacilityStatus::reports).
	fn may_report(facility: FacilityId, who: &AccountId) -> bool;
	/// Declared (approved) hashrate capacity.
	fn hashrate_capacity(facility: FacilityId) -> Option<Hashrate>;
	/// Hashrate-weighted efficiency of the approved fleet.
	fn fleet_efficiency(facility: FacilityId) -> Option<Efficiency>;
	/// Approved power capacity.
	fn power_capacity(facility: FacilityId) -> Option<Power>;
	/// Native-token deposit currently held for the facility.
	fn deposit(facility: FacilityId) -> Option<Balance>;
	/// Number of live obligations (token series, unsettled periods) other pallets recorded.
	fn obligations(facility: FacilityId) -> Option<u32>;
	/// Unix second at which the facility was approved (`None` before approval): it owes
	/// reports for the periods that start from then on.
	fn active_since(facility: FacilityId) -> Option<u64>;
	/// The id the next registered facility gets: facilities are numbered from zero, so every
	/// id below it was issued (the oracle walks them to close each period).
	fn next_facility_id() -> FacilityId;
}

/// What other pallets may do to a facility.
pub trait FacilityControl<AccountId, Balance>: FacilityInspect<AccountId, Balance> {
	/// Suspend an active facility for `reason`. Already suspended: `Ok`, nothing changes.
	/// Errors for an unknown facility or any other status.
	fn suspend(facility: FacilityId, reason: SuspensionReason) -> DispatchResult;
	/// Slash up to `amount` of the facility's deposit to the treasury; returns what was
	/// actually slashed (at most the deposit held).
	fn slash_deposit(facility: FacilityId, amount: Balance) -> Result<Balance, DispatchError>;
	/// Record one more obligation (a live series, an unsettled period). Allowed while the
	/// facility is active, suspended or retiring; errors otherwise.
	fn add_obligation(facility: FacilityId) -> DispatchResult;
	/// Release one obligation recorded with [`Self::add_obligation`]; errors if none is left.
	fn release_obligation(facility: FacilityId) -> DispatchResult;

	/// Register and approve a facility operated by `operator` (who must be funded for the
	/// deposit) with a realistic profile, for other pallets' benchmarks.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_active_facility(operator: AccountId) -> Result<FacilityId, DispatchError>;
}

/// Whose payout script an output script is, from when and until when.
///
/// A script pays a facility from its approval by governance until the operator removes it (or
/// the facility retires or is rejected); after removal it stays the facility's for a
/// retention time, so payouts mined while it was approved can still be proven, and nobody
/// else can claim it meanwhile.
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
pub struct ScriptOwnership {
	/// The facility it pays.
	pub facility: FacilityId,
	/// Unix second of its approval (0: approved at genesis).
	pub approved_at: u64,
	/// Unix second of its removal, if removed (payouts mined from then on are not the
	/// facility's).
	pub removed_at: Option<u64>,
}

impl ScriptOwnership {
	/// Whether a payout in a block of unix time `time` paid the facility: at or after approval
	/// and before removal.
	pub fn covers(&self, time: u64) -> bool {
		time >= self.approved_at && self.removed_at.is_none_or(|removed| time < removed)
	}
}

/// The facilities' approved Bitcoin payout scripts, as other pallets see them.
pub trait PayoutScriptsInspect {
	/// Who owns `script` (an output script), if any facility does.
	fn owner(script: &[u8]) -> Option<ScriptOwnership>;
	/// Whether the facility owns (approved, or removed and retained) a script whose spends
	/// show it only in their witness (P2WPKH, P2WSH).
	fn owns_witness_script(facility: FacilityId) -> bool;
	/// Register a facility owning `script` from unix second 0, for other pallets' benchmarks.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_own_script(facility: FacilityId, script: &[u8]);
}

/// No facility owns any script.
impl PayoutScriptsInspect for () {
	fn owner(_: &[u8]) -> Option<ScriptOwnership> {
		None
	}
	fn owns_witness_script(_: FacilityId) -> bool {
		false
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_own_script(_: FacilityId, _: &[u8]) {}
}
