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
	sp_runtime::{Perbill, Permill},
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

/// The longest a period can take under `timing`, from its end, to become final: reported
/// and attested through the quorum extension, then awaiting governance until the round
/// expires (a resolution window), finalized with a challenge window, disputed and left to its
/// resolution window.
pub fn finality_horizon(timing: &Timing) -> u64 {
	timing
		.report_window
		.saturating_add(timing.quorum_extension)
		.saturating_add(timing.resolution_window)
		.saturating_add(timing.challenge_window)
		.saturating_add(timing.resolution_window)
}

/// Where a period's fixed network data came from.
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
pub enum NetworkSource {
	/// The median of `feeds` feeds.
	Feeds {
		/// How many feeds there were.
		feeds: u32,
	},
	/// Too few feeds by the feed window's close: the last fixed value carried over.
	LastFixed,
	/// Set by governance.
	Governance,
	/// Bitcoin itself, from the header relay: the difficulty in force over the period and
	/// the subsidy plus the average fees of `sampled` proven coinbases.
	Bitcoin {
		/// Coinbases in the fee sample.
		sampled: u32,
	},
	/// The relay's difficulty; the reward per block from the median of `feeds` feeds, or the
	/// last fixed value's when `feeds` is 0, as not every sampled coinbase was proven.
	BitcoinDifficulty {
		/// How many feeds there were (0: the last fixed reward carried over).
		feeds: u32,
	},
}

/// A period's network data, fixed once.
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
pub struct FixedNetwork {
	/// The values every check and obligation of the period uses.
	pub data: NetworkData,
	/// Where they came from.
	pub source: NetworkSource,
	/// An output of the period was finalized or defaulted against them: governance may no
	/// longer change them.
	pub used: bool,
}

/// The network data fixed last from feeds or by governance (a carried-over value does not
/// count): the reference every new feed is bounded by.
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
pub struct LastFixedNetwork {
	/// The period it was fixed for; `None` for the genesis value.
	pub period: Option<PeriodIndex>,
	/// That period's end, unix seconds (0 for the genesis value, whose reference time is the
	/// chain's first block): kept so the bounds never depend on a pruned schedule.
	pub end: u64,
	/// The values.
	pub data: NetworkData,
}

/// Bitcoin retargets every 2,016 blocks and by at most x4 or /4. An epoch takes 2,016 x 600 s
/// at the target block time and a quarter of that (302,400 s, 3.5 days) when hashrate
/// quadrupled: no more than one retarget can happen per this many seconds.
pub const SHORTEST_EPOCH_SECS: u64 = 2_016 * 600 / 4;

/// Most retargets a difficulty bound allows for (4^16 = 2^32: beyond any plausible gap).
pub const MAX_RETARGETS: u64 = 16;

/// How many retargets can fall between the end of the last fixed period (`since`, unix
/// seconds) and the end of the fed period (`until`): one at any moment, plus one per
/// [`SHORTEST_EPOCH_SECS`] elapsed.
pub fn retargets_between(since: u64, until: u64) -> u64 {
	until
		.saturating_sub(since)
		.checked_div(SHORTEST_EPOCH_SECS)
		.unwrap_or(0)
		.saturating_add(1)
		.min(MAX_RETARGETS)
}

/// Why a feed is out of bounds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FeedOutOfBounds {
	/// Difficulty beyond x4 or /4 per possible retarget of the last fixed difficulty.
	Difficulty,
	/// Reward per block below half or above four times the last fixed one.
	Reward,
}

/// Checks a feed against the last fixed data, `retargets` possible retargets later (`k`):
/// the difficulty within `last / 4^k ..= last x 4^k`, the reward per block within
/// `last / 2^k ..= last x 4^k` — `[1/2, 4x]` within one epoch (fees have exceeded the
/// subsidy, 20 Apr 2024, block 840,000; a halving at most halves the subsidy), wider as time
/// passes, so a reference fixed on an unusual day never locks honest feeds out for good.
pub fn check_feed(
	feed: &NetworkData,
	last: &NetworkData,
	retargets: u64,
) -> Result<(), FeedOutOfBounds> {
	let factor = 4u128.saturating_pow(u32::try_from(retargets).unwrap_or(u32::MAX));
	let difficulty = feed.difficulty.0;
	let lowest = last.difficulty.0 / factor;
	let highest = last.difficulty.0.saturating_mul(factor);
	if difficulty < lowest || difficulty > highest {
		return Err(FeedOutOfBounds::Difficulty);
	}
	let reward = u128::from(feed.reward_per_block.0);
	let last_reward = u128::from(last.reward_per_block.0);
	let halvings = 2u128.saturating_pow(u32::try_from(retargets).unwrap_or(u32::MAX));
	if reward.saturating_mul(halvings) < last_reward || reward > last_reward.saturating_mul(factor)
	{
		return Err(FeedOutOfBounds::Reward);
	}
	Ok(())
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
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
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

/// The network data of a set of feeds: the median difficulty and the median reward per block,
/// each on its own (lower middle for an even count). `None` when there are no feeds.
pub fn median_network<'a>(
	feeds: impl Iterator<Item = &'a NetworkData> + Clone,
) -> Option<NetworkData> {
	let mut difficulties: alloc::vec::Vec<_> = feeds.clone().map(|d| d.difficulty).collect();
	let mut rewards: alloc::vec::Vec<_> = feeds.map(|d| d.reward_per_block).collect();
	Some(NetworkData {
		difficulty: median(&mut difficulties)?,
		reward_per_block: median(&mut rewards)?,
	})
}

/// What the physics checks say of an output: every bound, the expectation and the verdict
/// (the oracle's `check_output` view function).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct PhysicsVerdict {
	/// The period's length in seconds.
	pub seconds: u64,
	/// The network data the sats bound uses: the period's fixed data, or the last fixed
	/// value while the period is not fixed.
	pub network: Option<NetworkData>,
	/// Whether `network` is the period's fixed data.
	pub network_fixed: bool,
	/// Highest hashrate accepted: capacity plus tolerance.
	pub max_hashrate: Hashrate,
	/// Least energy the output's hashrate needs, less tolerance.
	pub min_energy: Option<Energy>,
	/// Most energy the site delivers in the period.
	pub max_energy: Option<Energy>,
	/// The network expectation of the output's hashrate after its pool fee.
	pub expected_sats: Option<Sats>,
	/// Lowest sats accepted (expectation less pool luck).
	pub min_sats: Option<Sats>,
	/// Highest sats accepted (expectation plus pool luck).
	pub max_sats: Option<Sats>,
	/// Highest pool fee accepted, per-mill.
	pub max_pool_fee: PerMill,
	/// `Ok` when every check passes, else the first that fails (in [`check_output`]'s order).
	pub verdict: Result<(), Implausible>,
}

/// Every bound [`check_output`] applies to `output`, and its verdict.
pub fn physics_verdict(
	output: &PeriodOutput,
	capacity: &Capacity,
	seconds: u64,
	network: Option<&NetworkData>,
	network_fixed: bool,
	tolerances: &Tolerances,
) -> PhysicsVerdict {
	let to_energy = |v: u128| u64::try_from(v).ok().map(Energy);
	let min_energy = physics::energy_burned(output.hashrate, capacity.efficiency, seconds)
		.and_then(|needed| {
			to_energy(minus(u128::from(needed.get()), tolerances.energy_under_physics))
		});
	let max_energy = physics::energy_at_power(capacity.power, seconds);
	let expected_sats =
		network.and_then(|n| expected_net_sats(output.hashrate, seconds, n, output.pool_fee));
	let to_sats = |v: u128| u64::try_from(v).ok().map(Sats);
	PhysicsVerdict {
		seconds,
		network: network.copied(),
		network_fixed,
		max_hashrate: Hashrate(plus(capacity.hashrate.get(), tolerances.hashrate_over_capacity)),
		min_energy,
		max_energy,
		expected_sats,
		min_sats: expected_sats
			.and_then(|e| to_sats(minus(u128::from(e.get()), tolerances.pool_luck))),
		max_sats: expected_sats
			.and_then(|e| to_sats(plus(u128::from(e.get()), tolerances.pool_luck))),
		max_pool_fee: tolerances.max_pool_fee,
		verdict: check_output(output, capacity, seconds, network, tolerances),
	}
}

/// Why the oracle cannot judge an output ([`PhysicsVerdict`]'s query).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum OracleQueryError {
	/// No facility has this id.
	UnknownFacility,
	/// The facility does not report (pending, retired or rejected).
	FacilityNotReporting,
	/// The period cannot be numbered.
	NoSchedule,
}

/// Most strikes kept per attestor (the limit of [`StrikeRules`] is at most this).
pub const MAX_STRIKES: u32 = 32;

/// When strikes remove an attestor.
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
pub struct StrikeRules {
	/// Strikes within `window` periods that remove an attestor (0: never).
	pub limit: u32,
	/// How many periods a strike counts for.
	pub window: u32,
	/// Share of the attestor bond slashed to the treasury on removal.
	pub slash: Perbill,
	/// A removal never takes the attestor set below this size.
	pub min_attestors: u32,
}

impl Default for StrikeRules {
	/// Five strikes within 30 periods (a month of UTC days) remove an attestor and cost a
	/// tenth of its bond; at least three attestors stay.
	fn default() -> Self {
		Self { limit: 5, window: 30, slash: Perbill::from_percent(10), min_attestors: 3 }
	}
}

impl StrikeRules {
	/// Whether the rules can be applied: a limit that fits the strikes kept, a window.
	pub fn is_valid(&self) -> bool {
		self.limit <= MAX_STRIKES && self.window > 0
	}
}

/// The final output of a set of attestations: the one with the median sats (lower middle),
/// taken whole — if it is within `tolerance` of the metric-wise median (the lower middle of
/// each metric, which one attestor alone cannot move); otherwise the attestation within
/// `tolerance` of it nearest in sats, so an attestor placing its sats in the middle cannot
/// bring its other metrics along. `None` when empty.
pub fn median_attestation(outputs: &[PeriodOutput], tolerance: Permill) -> Option<PeriodOutput> {
	let pick = |f: &dyn Fn(&PeriodOutput) -> u128| {
		let mut values: alloc::vec::Vec<u128> = outputs.iter().map(f).collect();
		median(&mut values)
	};
	let reference = PeriodOutput {
		hashrate: Hashrate(pick(&|o| o.hashrate.get())?),
		sats: Sats(u64::try_from(pick(&|o| u128::from(o.sats.get()))?).ok()?),
		energy: Energy(u64::try_from(pick(&|o| u128::from(o.energy.get()))?).ok()?),
		uptime: PerMill::try_from(pick(&|o| u128::from(o.uptime))?).ok()?,
		pool_fee: PerMill::try_from(pick(&|o| u128::from(o.pool_fee))?).ok()?,
		evidence: Default::default(),
	};
	let median = median_by_sats(outputs).and_then(|i| outputs.get(i)).copied()?;
	if output_within(&median, &reference, tolerance) {
		return Some(median);
	}
	// The median-sats attestation disagrees with the others in another metric: the
	// consistent attestation nearest to it in sats (the lower on a tie), if any.
	outputs
		.iter()
		.filter(|o| output_within(o, &reference, tolerance))
		.min_by_key(|o| (o.sats.get().abs_diff(median.sats.get()), o.sats))
		.copied()
		.or(Some(median))
}

/// Index of the output with the median sats among `outputs` (the lower middle one for an even
/// count; equal sats keep submission order). `None` when empty.
pub fn median_by_sats(outputs: &[PeriodOutput]) -> Option<usize> {
	let mut order: alloc::vec::Vec<usize> = (0..outputs.len()).collect();
	order.sort_by_key(|i| outputs.get(*i).map(|o| o.sats));
	order.get(outputs.len().checked_sub(1)? / 2).copied()
}

/// `output` with its sats moved into the pool-luck band of the network expectation
/// ([`check_output`]'s sats bound), and whether they had to move.
pub fn clamp_sats(
	output: &PeriodOutput,
	seconds: u64,
	network: &NetworkData,
	pool_luck: Permill,
) -> Option<(PeriodOutput, bool)> {
	let expected =
		u128::from(expected_net_sats(output.hashrate, seconds, network, output.pool_fee)?.get());
	let (low, high) = (minus(expected, pool_luck), plus(expected, pool_luck));
	let sats = u128::from(output.sats.get());
	let clamped = sats.clamp(low, high);
	let sats = Sats(u64::try_from(clamped).ok()?);
	Some((PeriodOutput { sats, ..*output }, clamped != u128::from(output.sats.get())))
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

impl OutputStatus {
	/// When the chain makes an output in this status final by itself (its due-queue entry):
	/// the end of the challenge window, or the resolution deadline of a dispute.
	pub fn due(&self) -> Option<u64> {
		match self {
			OutputStatus::Finalized { challenge_ends } => Some(*challenge_ends),
			OutputStatus::Disputed { resolve_by } => Some(*resolve_by),
			OutputStatus::Final => None,
		}
	}
}

/// What the chain does by itself when its time comes (the pallet's due queue).
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
pub enum OracleDue {
	/// Close a round whose extended window closed, or whose wait for governance expired.
	Close {
		/// The facility.
		facility: hashrate_primitives::FacilityId,
		/// The period.
		period: PeriodIndex,
	},
	/// Make a finalized output final (challenge window passed, or dispute deadline passed).
	MakeFinal {
		/// The facility.
		facility: hashrate_primitives::FacilityId,
		/// The period.
		period: PeriodIndex,
	},
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
	/// The attestation with the median sats, taken whole.
	Attested {
		/// How many eligible attestors submitted.
		attestors: u32,
		/// How many attestors were eligible at finalization.
		of: u32,
	},
	/// Governance, from the facility's report, without quorum: unverified.
	GovernanceFromReport,
	/// Governance, from the network expectation of the reported hashrate.
	GovernanceFromNetwork,
	/// The facility did not report by the window's close.
	Defaulted,
	/// The median attestation, whose sats failed the physics check against the period's
	/// fixed network data: clamped to the nearest bound (flagged).
	AttestedClamped {
		/// How many eligible attestors submitted.
		attestors: u32,
		/// How many attestors were eligible at finalization.
		of: u32,
	},
	/// Reported, without quorum, and governance did not decide within the resolution
	/// window: the report with sats at most the network expectation (flagged unverified).
	ExpiredFromReport,
	/// Proven mode, not reported by the window's close, but payouts were proven for the
	/// period: the proven sats (after the running sum), with the hashrate whose network
	/// expectation they are (at most the registered capacity); no energy, uptime or pool fee.
	ProvenWithoutReport,
	/// An output finalized from proofs alone ([`OutputSource::ProvenWithoutReport`]) that
	/// governance corrected on a dispute: its values stand as attested.
	GovernanceCorrection,
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

/// One period of a proven-mode running sum ([`proven_floor`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct SumPeriod {
	/// Sats proven paid and attributed to the period.
	pub proven: u64,
	/// Sats the period's output counts now (finalized or final; 0 while it has none). Unused
	/// for the period being decided.
	pub counted: u64,
	/// The most sats the period's physics allow: the network expectation of the registered
	/// capacity plus tolerance, without pool fee, plus pool luck.
	pub bound: u128,
}

/// The proven sats a period's output counts at least (its floor), from the running sum over
/// `earlier` periods (oldest first, at most `Config::ProvenSumPeriods - 1`) and the period
/// `now` itself:
///
/// `floor = min(proven_now, Σ proven - Σ counted_earlier, Σ bound - Σ counted_earlier)`
/// (each difference at least 0), sums over the window including `now`.
///
/// A single period's payouts are lumpy (a pool pays two days at once, luck): the window lets
/// a payout carry over to the period it landed in, while what earlier periods already counted
/// is not counted twice, and the physics bound holds for the window, not for each period.
/// The floor is the largest value that is at most the period's own proofs and keeps the
/// window's counted sats within both what was proven and what physics allow (unless
/// attestation alone already counted more).
pub fn proven_floor(now: &SumPeriod, earlier: &[SumPeriod]) -> u64 {
	let proven = earlier.iter().fold(u128::from(now.proven), |sum, p| sum + u128::from(p.proven));
	let bound = earlier.iter().fold(now.bound, |sum, p| sum.saturating_add(p.bound));
	let counted = earlier.iter().fold(0u128, |sum, p| sum + u128::from(p.counted));
	let floor = u128::from(now.proven)
		.min(proven.saturating_sub(counted))
		.min(bound.saturating_sub(counted));
	// At most `now.proven`, a u64.
	u64::try_from(floor).unwrap_or(now.proven)
}

/// The most sats a `seconds`-long period of a facility with `capacity` can earn under
/// `network`: the network expectation of its hashrate capacity plus tolerance, without pool
/// fee, plus pool luck — [`check_output`]'s sats bound at its highest.
pub fn max_sats(
	capacity: &Capacity,
	seconds: u64,
	network: &NetworkData,
	tolerances: &Tolerances,
) -> Option<u128> {
	let hashrate = Hashrate(plus(capacity.hashrate.get(), tolerances.hashrate_over_capacity));
	let expected = expected_net_sats(hashrate, seconds, network, 0)?;
	Some(plus(u128::from(expected.get()), tolerances.pool_luck))
}

/// The hashrate whose network expectation over `seconds` (without pool fee) is `sats`, at
/// most `capacity` — what a period finalized from proofs alone ([`OutputSource::ProvenWithoutReport`])
/// records as its hashrate. Rounded down.
pub fn implied_hashrate(
	sats: u64,
	capacity: Hashrate,
	seconds: u64,
	network: &NetworkData,
) -> Hashrate {
	let Some(at_capacity) = expected_net_sats(capacity, seconds, network, 0) else {
		return capacity;
	};
	if at_capacity.get() == 0 || sats >= at_capacity.get() {
		return capacity;
	}
	let implied =
		U256::from(capacity.get()).saturating_mul(U256::from(sats)) / U256::from(at_capacity.get());
	// Less than `capacity` (sats < at_capacity).
	Hashrate(u128::try_from(implied).unwrap_or(capacity.get()))
}

/// What a facility-period's final sats rest on: proofs of Bitcoin payouts, attestation, or
/// both (the oracle's `output_basis` view function; the yield pallet's period reports carry
/// the proven part).
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
#[serde(rename_all = "camelCase")]
pub struct OutputBasis {
	/// The facility was in proven mode for the period.
	pub proven_mode: bool,
	/// Sats attested (or set by governance); 0 for a period finalized from proofs alone.
	pub attested: Sats,
	/// Sats proven paid to the facility's scripts and attributed to the period.
	pub proven: Sats,
	/// Of those, what the running sum counts ([`proven_floor`]).
	pub floor: Sats,
	/// The output's sats: `max(attested, floor)` in proven mode or after a correction by
	/// proofs, else `attested`.
	pub sats: Sats,
	/// In attested mode: the output was corrected to the proofs ([`crate::Pallet::correct_by_proofs`]).
	pub corrected_by_proofs: bool,
	/// Final: no proof, dispute or correction changes it any more.
	pub is_final: bool,
}

/// What a proven-mode or proof-corrected period's final sats rested on, kept with its output.
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
pub struct ProofBasis {
	/// The facility was in proven mode for the period (else: corrected by proofs).
	pub proven_mode: bool,
	/// Sats attested (or set by governance) before proofs raised them.
	pub attested: Sats,
	/// Sats proven and attributed to the period.
	pub proven: Sats,
	/// What the running sum counted of them.
	pub floor: Sats,
	/// In attested mode, corrected by `correct_by_proofs`.
	pub corrected: bool,
}
