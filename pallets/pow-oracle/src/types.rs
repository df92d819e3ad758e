//! Periods, plausibility checks and the median: the pallet's pure logic.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use hashrate_primitives::{
	physics, Efficiency, Energy, Hashrate, NetworkData, PerMill, PeriodIndex, PeriodOutput, Power,
	Sats,
};
use polkadot_sdk::{
	frame_support::{
		traits::Get, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
	},
	sp_core::U256,
	sp_runtime::Permill,
};
use scale_info::TypeInfo;

/// From `start_index` on, periods are `length` seconds long and period `start_index` starts
/// at unix second `start_time`.
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
pub struct Schedule {
	/// First period this schedule numbers.
	pub start_index: PeriodIndex,
	/// Unix second at which that period starts.
	pub start_time: u64,
	/// Period length in seconds (non-zero).
	pub length: u64,
}

impl Schedule {
	/// The period containing unix second `now`, if `now` is at or after this schedule's start.
	pub fn period_at(&self, now: u64) -> Option<PeriodIndex> {
		let elapsed = now.checked_sub(self.start_time)?;
		let offset = u32::try_from(elapsed.checked_div(self.length)?).ok()?;
		self.start_index.0.checked_add(offset).map(PeriodIndex)
	}

	/// `[start, end)` of `period`, if this schedule numbers it.
	pub fn bounds(&self, period: PeriodIndex) -> Option<(u64, u64)> {
		let offset = u64::from(period.0.checked_sub(self.start_index.0)?);
		let start = self.start_time.checked_add(offset.checked_mul(self.length)?)?;
		Some((start, start.checked_add(self.length)?))
	}
}

/// The schedule in force at `now` among `schedules` (sorted by start).
pub fn schedule_at(schedules: &[Schedule], now: u64) -> Option<&Schedule> {
	schedules.iter().rev().find(|s| s.start_time <= now)
}

/// The schedule that numbers `period` among `schedules` (sorted by start).
pub fn schedule_of(schedules: &[Schedule], period: PeriodIndex) -> Option<&Schedule> {
	schedules.iter().rev().find(|s| s.start_index <= period)
}

/// How long the windows around a period are, in seconds. Chain configuration (genesis,
/// governance), so development chains can run minute-long periods with short windows.
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
pub struct Timing {
	/// After a period ends, how long it may be reported and attested.
	pub report_window: u64,
	/// How much longer, once, when a report lacks attestor quorum.
	pub quorum_extension: u64,
	/// After finalization, how long the output may be disputed.
	pub challenge_window: u64,
	/// After a dispute, how long governance has to resolve it.
	pub resolution_window: u64,
}

impl Default for Timing {
	/// Production, with UTC-day periods: pool statements arrive within two days; one more
	/// day for a short quorum; three days to dispute; a week to resolve.
	fn default() -> Self {
		Self {
			report_window: 2 * 86_400,
			quorum_extension: 86_400,
			challenge_window: 3 * 86_400,
			resolution_window: 7 * 86_400,
		}
	}
}

/// Tolerances of the plausibility checks.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Tolerances {
	/// Hashrate may exceed registered capacity by this much.
	pub hashrate_over_capacity: Permill,
	/// Energy may fall short of hashrate x fleet efficiency x time by this much.
	pub energy_under_physics: Permill,
	/// Bitcoin earned may differ from the network expectation by this much (pool luck).
	pub pool_luck: Permill,
	/// Highest pool fee accepted, per-mill.
	pub max_pool_fee: PerMill,
}

/// What a facility's registration says it can do.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Capacity {
	/// Declared hashrate capacity.
	pub hashrate: Hashrate,
	/// Fleet efficiency.
	pub efficiency: Efficiency,
	/// Power capacity.
	pub power: Power,
}

/// Why an output is implausible.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Implausible {
	/// Zero hashrate: a facility that did not hash does not report (and defaults).
	ZeroHashrate,
	/// Uptime is zero or above 1000 per-mill.
	InvalidUptime,
	/// Pool fee above the accepted maximum.
	InvalidPoolFee,
	/// Hashrate above capacity plus tolerance.
	HashrateAboveCapacity,
	/// Less energy than the hashrate needs at fleet efficiency, minus tolerance.
	EnergyTooLow,
	/// More energy than the power capacity delivers in the period.
	EnergyAboveCapacity,
	/// Bitcoin earned outside the network expectation plus or minus pool luck.
	SatsImplausible,
	/// An intermediate does not fit.
	Overflow,
}

fn plus(value: u128, tolerance: Permill) -> u128 {
	value.saturating_add(tolerance.mul_ceil(value))
}

fn minus(value: u128, tolerance: Permill) -> u128 {
	value.saturating_sub(tolerance.mul_ceil(value))
}

/// Expected sats after the pool's fee: `expected_sats(...) x (1000 - pool_fee) / 1000`.
pub fn expected_net_sats(
	hashrate: Hashrate,
	seconds: u64,
	network: &NetworkData,
	pool_fee: PerMill,
) -> Option<Sats> {
	let gross =
		physics::expected_sats(hashrate, seconds, network.difficulty, network.reward_per_block)?;
	let kept = u64::from(1_000u16.checked_sub(pool_fee)?);
	let net = U256::from(gross.get()).checked_mul(U256::from(kept))? / U256::from(1_000u64);
	u64::try_from(net).ok().map(Sats)
}

/// Checks `output` of a `seconds`-long period against physics: see the module docs.
pub fn check_output(
	output: &PeriodOutput,
	capacity: &Capacity,
	seconds: u64,
	network: Option<&NetworkData>,
	tolerances: &Tolerances,
) -> Result<(), Implausible> {
	if output.hashrate.is_zero() {
		return Err(Implausible::ZeroHashrate);
	}
	if output.uptime == 0 || output.uptime > 1_000 {
		return Err(Implausible::InvalidUptime);
	}
	if output.pool_fee > tolerances.max_pool_fee {
		return Err(Implausible::InvalidPoolFee);
	}
	if output.hashrate.get() > plus(capacity.hashrate.get(), tolerances.hashrate_over_capacity) {
		return Err(Implausible::HashrateAboveCapacity);
	}
	let needed = physics::energy_burned(output.hashrate, capacity.efficiency, seconds)
		.ok_or(Implausible::Overflow)?;
	let least = minus(u128::from(needed.get()), tolerances.energy_under_physics);
	if u128::from(output.energy.get()) < least {
		return Err(Implausible::EnergyTooLow);
	}
	let most = physics::energy_at_power(capacity.power, seconds).ok_or(Implausible::Overflow)?;
	if output.energy > most {
		return Err(Implausible::EnergyAboveCapacity);
	}
	if let Some(network) = network {
		let expected = expected_net_sats(output.hashrate, seconds, network, output.pool_fee)
			.ok_or(Implausible::Overflow)?;
		let expected = u128::from(expected.get());
		let sats = u128::from(output.sats.get());
		if sats < minus(expected, tolerances.pool_luck)
			|| sats > plus(expected, tolerances.pool_luck)
		{
			return Err(Implausible::SatsImplausible);
		}
	}
	Ok(())
}

/// The median of `values`: the middle one, and for an even count the lower of the two middle
/// ones (a fixed rule: never an average that nobody submitted). `None` when empty.
pub fn median<V: Ord + Copy>(values: &mut [V]) -> Option<V> {
	if values.is_empty() {
		return None;
	}
	values.sort_unstable();
	values.get((values.len() - 1) / 2).copied()
}

/// The metric-wise median of `outputs`; the evidence is taken from `evidence`.
pub fn median_output(
	outputs: &[PeriodOutput],
	evidence: polkadot_sdk::sp_core::H256,
) -> Option<PeriodOutput> {
	let pick = |f: &dyn Fn(&PeriodOutput) -> u128| {
		let mut values: alloc::vec::Vec<u128> = outputs.iter().map(f).collect();
		median(&mut values)
	};
	Some(PeriodOutput {
		hashrate: Hashrate(pick(&|o| o.hashrate.get())?),
		sats: Sats(u64::try_from(pick(&|o| u128::from(o.sats.get()))?).ok()?),
		energy: Energy(u64::try_from(pick(&|o| u128::from(o.energy.get()))?).ok()?),
		uptime: PerMill::try_from(pick(&|o| u128::from(o.uptime))?).ok()?,
		pool_fee: PerMill::try_from(pick(&|o| u128::from(o.pool_fee))?).ok()?,
		evidence,
	})
}

/// Whether `value` is within `tolerance` of `reference` (relative to `reference`).
pub fn within(value: u128, reference: u128, tolerance: Permill) -> bool {
	value.abs_diff(reference) <= tolerance.mul_ceil(reference)
}

/// Whether every metric of `output` is within `tolerance` of `reference`'s (uptime and pool
/// fee compare in per-mill points against `tolerance` of 1000).
pub fn output_within(output: &PeriodOutput, reference: &PeriodOutput, tolerance: Permill) -> bool {
	let points = tolerance.mul_ceil(1_000u32);
	within(output.hashrate.get(), reference.hashrate.get(), tolerance)
		&& within(u128::from(output.sats.get()), u128::from(reference.sats.get()), tolerance)
		&& within(u128::from(output.energy.get()), u128::from(reference.energy.get()), tolerance)
		&& u32::from(output.uptime.abs_diff(reference.uptime)) <= points
		&& u32::from(output.pool_fee.abs_diff(reference.pool_fee)) <= points
}

/// A facility's report of one period.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct Report<AccountId, Balance> {
	/// Who submitted it (operator or reporter key) and paid the fee.
	pub submitter: AccountId,
	/// The values.
	pub output: PeriodOutput,
	/// Attestation fee paid into the pot with the first submission.
	pub fee: Balance,
}

/// A facility-period whose report window is open (or extended, or awaiting governance).
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
#[scale_info(skip_type_params(MaxAttestors))]
#[codec(mel_bound(AccountId: MaxEncodedLen, Balance: MaxEncodedLen))]
pub struct Round<
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxAttestors: Get<u32>,
> {
	/// The facility's report, if any.
	pub report: Option<Report<AccountId, Balance>>,
	/// Attestors' submissions, one each.
	pub attestations: BoundedVec<(AccountId, PeriodOutput), MaxAttestors>,
	/// The window was extended once for lack of quorum.
	pub extended: bool,
	/// Still short of quorum after the extension: governance finalizes it.
	pub awaiting_governance: bool,
}

impl<
		AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
		Balance: Clone + PartialEq + Eq + core::fmt::Debug,
		MaxAttestors: Get<u32>,
	> Default for Round<AccountId, Balance, MaxAttestors>
{
	fn default() -> Self {
		Self {
			report: None,
			attestations: Default::default(),
			extended: false,
			awaiting_governance: false,
		}
	}
}

/// Where a finalized output is.
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
pub enum OutputStatus {
	/// Finalized; may be disputed until unix second `challenge_ends`.
	Finalized {
		/// End of the challenge window.
		challenge_ends: u64,
	},
	/// Disputed: frozen until governance resolves it, or until unix second `resolve_by`
	/// (then it stands as finalized).
	Disputed {
		/// Resolution deadline.
		resolve_by: u64,
	},
	/// Past its challenge window (or resolved): other pallets may use it.
	Final,
}

/// An open dispute.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct Dispute<AccountId, Balance> {
	/// The attestor who disputed and its deposit; `None` when governance disputed.
	pub disputer: Option<(AccountId, Balance)>,
}

/// How an output was finalized.
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
pub enum OutputSource {
	/// Median of the attestors' submissions.
	Attested {
		/// How many attestors submitted.
		attestors: u32,
		/// How many attestors the set had at finalization.
		of: u32,
	},
	/// Governance, from the facility's report, without quorum: unverified.
	GovernanceFromReport,
	/// Governance, from the network expectation of the reported hashrate.
	GovernanceFromNetwork,
	/// The facility did not report by the window's close.
	Defaulted,
}

/// A facility-period's finalized output.
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
pub struct OutputRecord {
	/// The values (zero for a defaulted period).
	pub output: PeriodOutput,
	/// Where they came from.
	pub source: OutputSource,
	/// Challenge state.
	pub status: OutputStatus,
	/// The facility's own report, kept to judge it if the output is corrected.
	pub report: Option<PeriodOutput>,
}
