//! # Proof-of-work oracle
//!
//! Turns a facility's claim "we hashed X TH/s, burned Y kWh and earned Z sats in period P"
//! into a finalized, cross-checked output that the token and yield pallets can trust.
//!
//! ## Periods
//!
//! Periods are defined by the chain's clock (`Config::Time`, unix seconds): a [`Schedule`]
//! numbers them from a start index and start time with a fixed length. Genesis sets one
//! schedule starting at unix second 0, so with a length of 86,400 s periods are UTC days.
//! [`Pallet::set_period_length`] changes the length from the next period boundary on
//! (a new schedule starting there), so past periods never renumber. Period `n`'s report
//! window opens when it ends and closes `Timing::report_window` seconds later ([`Timings`], set at
//! genesis and by [`Pallet::set_timing`]).
//!
//! ## Network data
//!
//! A governance-managed set of feeders [submits](Pallet::feed_network_data) bitcoin's
//! difficulty and average reward per block for a period after it ended, within its feed
//! window (the first half of its report window). Each feed is bounded by [`LastFixed`], the
//! value fixed last from feeds or by governance (genesis sets the first): difficulty within
//! x4 or /4 per retarget possible since ([`retargets_between`]), reward within half and four
//! times ([`check_feed`]). A feeder's first feed of a period is free; a replacement pays.
//!
//! Bitcoin itself comes first: when the header relay ([`Config::Bitcoin`]) covers a period —
//! a confirmed header after its end relayed before its feed window closes — the period takes
//! the relay's difficulty (time-weighted over the period), and, once every sampled coinbase
//! is proven, its reward per block (subsidy plus average fees); the reward falls back to the
//! feeds otherwise ([`NetworkSource::Bitcoin`], [`NetworkSource::BitcoinDifficulty`]).
//!
//! Each period's data is **fixed once**, when the relay covers it with proven fees, or every
//! feeder has fed (by that feed; only while the relay is not live — a live relay gets the
//! whole feed window), or its feed window closes (by `on_initialize`, in period order, at
//! most [`MAX_FIXED_PER_BLOCK`] a block, or by the call that needs it). Precedence: the
//! relay, then the median of at least [`Config::MinFeeds`] (>= 3) feeds (the lower middle for
//! an even count), then the last fixed value carried over. Governance
//! [sets](Pallet::set_network_data) a period's value until an output used it. Submissions
//! for a period not fixed yet are checked against [`LastFixed`]; finalizing waits for the
//! fixed value.
//!
//! ## Reports, attestations, finalization
//!
//! A facility's operator or reporter key [reports](Pallet::report) a period's
//! [`PeriodOutput`] once its period ended and before its window closes (amendable until
//! then), paying [`Config::AttestationFee`] into the pallet's pot with the first submission.
//! Bonded attestors [attest](Pallet::attest) their own observations of the same period (never
//! of a facility whose operator or reporter key they are: only eligible attestors count; the
//! first attestation is free, amendments pay).
//! Every submission passes the physics checks of [`check_output`]:
//! - hashrate > 0 and at most the registered capacity plus [`Config::HashrateTolerance`];
//! - energy at least `hashrate x fleet efficiency x period` (`physics::energy_burned`) minus
//!   [`Config::EnergyTolerance`], and at most `power capacity x period`;
//! - uptime in 1..=1000 per-mill, pool fee at most [`Config::MaxPoolFee`];
//! - sats within [`Config::PoolLuckTolerance`] of
//!   `hashrate x seconds / (difficulty x 2^32) x reward per block x (1 - pool fee)`.
//!
//! A facility-period is **finalized**, once its network data is fixed, when the facility
//! reported and every eligible attestor has attested, or at window close (anyone may
//! [close](Pallet::close) it) if more than half of them have. The output is the attestation
//! with the median sats (the lower middle for an even count), taken whole; sats that fail
//! the physics check against the fixed data are clamped to the bound (flagged). Attestors within [`Config::AttestationTolerance`] of the
//! median share the attestation fee (the rounding remainder, or all of it when nobody is
//! within tolerance, goes to the treasury); the others get a strike. A report further than
//! [`Config::ReportTolerance`] from the median is flagged; the median stands.
//!
//! Failing closed: no report by window close and the period is **defaulted by the facility**
//! (final at once; when [`Config::MaxConsecutiveMisses`] periods in a row are missed —
//! decided from the periods' outcomes, whatever order they are closed in — the facility is
//! suspended through [`FacilityControl::suspend`]). A report without quorum extends the
//! window once by `Timing::quorum_extension`; still short, it waits for governance to
//! [finalize](Pallet::force_finalize) it from the report (flagged unverified) or from the
//! network expectation, and the absent attestors get a strike; after the resolution window
//! it finalizes itself from the report with sats at most the expectation (flagged).
//!
//! A finalized output becomes **final** after `Timing::challenge_window`
//! ([`Pallet::make_final`]); only final outputs leave this pallet, through [`PowOracle`] and
//! the [`Config::OnPeriodFinal`] hook.
//!
//! ## Proven mode and proofs as evidence
//!
//! Bitcoin payouts proven to a facility's approved scripts ([`Config::Payouts`]) count
//! towards its output. In **proven mode** (the facility's payout settings, approved by
//! governance) a period's final sats are `max(attested, floor)` where the floor is what the
//! period's proofs count after a running sum over [`Config::ProvenSumPeriods`] periods
//! ([`proven_floor`]): a lumpy payout counts in the period it is attributed to, once, within
//! the window's physics bound. The floor is applied when the output becomes final, which in
//! proven mode is never before the period's proofs close (its report window's end); a dispute
//! is resolved only after that too. A proven-mode period without a report but with proofs is
//! finalized from the proofs ([`OutputSource::ProvenWithoutReport`]); with neither, it
//! defaults. In **attested mode**, [`Pallet::correct_by_proofs`] corrects an output whose
//! proofs exceed it beyond [`Config::AttestationTolerance`] — no vote, no slashing. Final
//! outputs that rest on proofs leave as [`PeriodOutcome::Proven`] and keep their basis in
//! [`ProofBases`] ([`Pallet::output_basis`]).
//!
//! ## The chain drives itself
//!
//! Nobody has to call `close` or `make_final`: `on_idle` does, with the weight a block left
//! (each step weighed as the call). A **close sweep** walks every facility id of each period
//! once its report window closed ([`CloseCursor`]: period, next facility id — one cursor,
//! not one entry per facility), closing what is open: finalizing, extending, handing to
//! governance or defaulting. What becomes due later — a round's extended window, its wait
//! for governance, an output's challenge window or dispute deadline — goes into the
//! [`DueQueue`] keyed by time ([`hashrate_primitives::due`]) and is taken oldest first.
//! The calls stay as fallbacks for anyone in a hurry; what they handled first is dropped
//! from the queue.

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod bitcoin_weights;
mod due;
#[cfg(test)]
mod due_tests;
mod functions;
mod impl_traits;
pub mod migrations;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod proven_tests;
pub mod runtime_api;
#[cfg(test)]
mod soundness_tests;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use hashrate_primitives::{
	due::DueAt, BitcoinNetworkSource, FacilityControl, FacilityId, NetworkData, OnPeriodFinal,
	PerMill, PeriodIndex, PeriodOutput, PowOracle, ProvenPayouts, RelayedNetworkData, Sats,
	SettlementLimits,
};
use polkadot_sdk::{
	frame_support::{self, traits::fungible},
	frame_system, sp_runtime,
};

/// Balance of the native token.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// A facility-period's open round as stored.
pub type RoundOf<T> =
	Round<<T as frame_system::Config>::AccountId, BalanceOf<T>, <T as Config>::MaxAttestors>;

/// Most period schedules kept (the current one, a pending one and a few past ones).
pub const MAX_SCHEDULES: u32 = 8;

/// Most periods whose network data a block's `on_initialize` fixes (a chain that stood still
/// for many periods catches up this many per block; calls wait for it with
/// `NetworkDataNotFixed`).
pub const MAX_FIXED_PER_BLOCK: u32 = 16;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Mutate, MutateHold},
			tokens::{Precision, Preservation},
			UnixTime,
		},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::{
		traits::{AccountIdConversion, Saturating},
		Permill,
	};

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(3);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the pallet.
	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config {
		/// The native token: attestation fees and attestor bonds.
		type Currency: fungible::Mutate<Self::AccountId>
			+ fungible::MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// The chain's clock.
		type Time: UnixTime;
		/// The facility registry.
		type Facilities: FacilityControl<Self::AccountId, BalanceOf<Self>>;
		/// Network data from Bitcoin itself (the header relay), preferred over feeds.
		type Bitcoin: BitcoinNetworkSource;
		/// Told when a facility's period becomes final or defaulted (by `close`, `make_final`
		/// and `resolve_dispute`, whose weights include its [`OnPeriodFinal::weight`]).
		type OnPeriodFinal: OnPeriodFinal;
		/// Whether the windows and period length leave a settlement backlog the pallet paying
		/// holders can keep: `set_timing` and `set_period_length` refuse what does not fit.
		type SettlementLimits: SettlementLimits;
		/// Bitcoin payouts proven to facilities' approved scripts, per period, and each
		/// facility's payout settings (lag, proven mode).
		type Payouts: ProvenPayouts;
		/// Periods of a proven-mode running sum ([`proven_floor`]): the period decided and
		/// the ones before it (at least 1, at most [`Config::OutputHistory`] and
		/// [`Config::NetworkHistory`]).
		#[pallet::constant]
		type ProvenSumPeriods: Get<u32>;
		/// Manages feeders and attestors, sets the period length, finalizes without quorum.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Derives the pot account that holds unpaid attestation fees.
		#[pallet::constant]
		type PalletId: Get<PalletId>;
		/// Receives fee remainders and fees nobody earned.
		#[pallet::constant]
		type TreasuryAccount: Get<Self::AccountId>;
		/// Fee a facility pays with its first report of a period.
		#[pallet::constant]
		type AttestationFee: Get<BalanceOf<Self>>;
		/// Bond held from each attestor.
		#[pallet::constant]
		type AttestorBond: Get<BalanceOf<Self>>;
		/// Feeds needed for a period's network data to be their median (at least 3); with
		/// fewer, the last fixed value carries over.
		#[pallet::constant]
		type MinFeeds: Get<u32>;
		/// How many periods of finalized outputs are kept per facility (older ones are pruned
		/// as newer ones finalize; calls on them fail with `PeriodTooOld`): at least
		/// [`Config::MaxConsecutiveMisses`], and as long as anything settles or averages over
		/// them.
		#[pallet::constant]
		type OutputHistory: Get<u32>;
		/// How many periods' fixed network data are kept (older ones are pruned as new
		/// periods are fixed): at least as long as anything settles against them.
		#[pallet::constant]
		type NetworkHistory: Get<u32>;
		/// Most feeders.
		#[pallet::constant]
		type MaxFeeders: Get<u32>;
		/// Most attestors.
		#[pallet::constant]
		type MaxAttestors: Get<u32>;
		/// Defaults in a row after which a facility is suspended.
		#[pallet::constant]
		type MaxConsecutiveMisses: Get<u32>;
		/// How far hashrate may exceed registered capacity.
		#[pallet::constant]
		type HashrateTolerance: Get<Permill>;
		/// How far energy may fall short of what the hashrate needs.
		#[pallet::constant]
		type EnergyTolerance: Get<Permill>;
		/// How far bitcoin earned may differ from the network expectation.
		#[pallet::constant]
		type PoolLuckTolerance: Get<Permill>;
		/// Highest pool fee accepted, per-mill.
		#[pallet::constant]
		type MaxPoolFee: Get<PerMill>;
		/// How close to the median an attestor must be to share the fee.
		#[pallet::constant]
		type AttestationTolerance: Get<Permill>;
		/// How close to the median a facility's report must be not to be flagged.
		#[pallet::constant]
		type ReportTolerance: Get<Permill>;
		/// Deposit an attestor posts to dispute a finalized output.
		#[pallet::constant]
		type DisputeDeposit: Get<BalanceOf<Self>>;
		/// Slashed from a facility's registration deposit when a correction shows its report
		/// was false.
		#[pallet::constant]
		type FraudSlash: Get<BalanceOf<Self>>;
		/// Slashed from the bond of an attestor whose submission a correction shows false;
		/// the attestor also leaves the set.
		#[pallet::constant]
		type AttestorSlash: Get<BalanceOf<Self>>;
		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
		/// Sets the clock for benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper;
	}

	/// What benchmarks need from the runtime.
	#[cfg(feature = "runtime-benchmarks")]
	pub trait BenchmarkHelper {
		/// Sets the chain's clock to unix second `secs`.
		fn set_now(secs: u64);
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// An attestor's bond.
		#[codec(index = 0)]
		AttestorBond,
		/// A disputer's deposit.
		#[codec(index = 1)]
		DisputeDeposit,
	}

	/// Period schedules, oldest first; the last may start in the future.
	#[pallet::storage]
	pub type Schedules<T: Config> =
		StorageValue<_, BoundedVec<Schedule, ConstU32<MAX_SCHEDULES>>, ValueQuery>;

	/// Accounts that feed network data.
	#[pallet::storage]
	pub type Feeders<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxFeeders>, ValueQuery>;

	/// Bonded attestors.
	#[pallet::storage]
	pub type Attestors<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxAttestors>, ValueQuery>;

	/// Network data feeds of periods whose data is not fixed yet, one per feeder.
	#[pallet::storage]
	pub type Feeds<T: Config> = StorageMap<
		_,
		Twox64Concat,
		PeriodIndex,
		BoundedVec<(T::AccountId, NetworkData), T::MaxFeeders>,
		ValueQuery,
	>;

	/// Each period's network data, fixed once when its feed window closes (the last
	/// [`Config::NetworkHistory`] periods).
	#[pallet::storage]
	pub type Network<T: Config> = StorageMap<_, Twox64Concat, PeriodIndex, FixedNetwork>;

	/// The network data fixed last from feeds or by governance; genesis sets the first.
	#[pallet::storage]
	pub type LastFixed<T: Config> = StorageValue<_, LastFixedNetwork, OptionQuery>;

	/// The block hook's cursor: periods before it are fixed (or ended their feed window
	/// before the chain's first block, which sets it).
	#[pallet::storage]
	pub type NextToFix<T: Config> = StorageValue<_, PeriodIndex, OptionQuery>;

	/// Open rounds: reported or attested facility-periods not finalized yet.
	#[pallet::storage]
	pub type Rounds<T: Config> =
		StorageDoubleMap<_, Twox64Concat, FacilityId, Twox64Concat, PeriodIndex, RoundOf<T>>;

	/// Finalized (and final) outputs.
	#[pallet::storage]
	pub type Outputs<T: Config> =
		StorageDoubleMap<_, Twox64Concat, FacilityId, Twox64Concat, PeriodIndex, OutputRecord>;

	/// The attestations a finalized output was taken from, kept as evidence until it is
	/// final (the `Attested` events keep them after).
	#[pallet::storage]
	pub type Submissions<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		FacilityId,
		Twox64Concat,
		PeriodIndex,
		BoundedVec<(T::AccountId, PeriodOutput), T::MaxAttestors>,
		ValueQuery,
	>;

	/// Window lengths.
	#[pallet::storage]
	pub type Timings<T: Config> = StorageValue<_, Timing, ValueQuery>;

	/// Unix second of the chain's first block: no facility owes a period that started
	/// before it (genesis facilities are approved at time zero).
	#[pallet::storage]
	pub type ChainStart<T: Config> = StorageValue<_, u64, OptionQuery>;

	/// Open disputes of finalized outputs.
	#[pallet::storage]
	pub type Disputes<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		FacilityId,
		Twox64Concat,
		PeriodIndex,
		Dispute<T::AccountId, BalanceOf<T>>,
	>;

	/// Attestation fees paid and not yet distributed (the pot account's balance).
	#[pallet::storage]
	pub type FeePot<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	/// The periods of each attestor's recent strikes (submissions outside tolerance, missed
	/// quorums) within the strike window, oldest first.
	#[pallet::storage]
	pub type Strikes<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<PeriodIndex, ConstU32<MAX_STRIKES>>,
		ValueQuery,
	>;

	/// When strikes remove an attestor (governance sets them).
	#[pallet::storage]
	pub type StrikeRule<T: Config> = StorageValue<_, StrikeRules, ValueQuery>;

	/// What the chain does by itself and when: rounds to close after their extension or
	/// their wait for governance, outputs to make final. Drained oldest first by `on_idle`.
	#[pallet::storage]
	pub type DueQueue<T: Config> =
		StorageDoubleMap<_, Identity, DueAt, Twox64Concat, OracleDue, ()>;

	/// The close sweep: the next period whose report window the chain closes, and the next
	/// facility id in it. Every facility-period before it was closed (or needed nothing);
	/// set at the chain's first block to the first period every facility owes.
	#[pallet::storage]
	pub type CloseCursor<T: Config> = StorageValue<_, (PeriodIndex, FacilityId), OptionQuery>;

	/// What a final output's sats rested on, for periods in proven mode and outputs corrected
	/// by proofs; pruned with the output.
	#[pallet::storage]
	pub type ProofBases<T: Config> =
		StorageDoubleMap<_, Twox64Concat, FacilityId, Twox64Concat, PeriodIndex, ProofBasis>;

	/// Events of this pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Window lengths changed.
		TimingSet {
			/// The new lengths.
			timing: Timing,
		},
		/// Periods are `length` seconds long from period `from` (starting at `start_time`).
		PeriodLengthSet {
			/// First period of the new length.
			from: PeriodIndex,
			/// Its start, unix seconds.
			start_time: u64,
			/// The new length in seconds.
			length: u64,
		},
		/// A feeder was added.
		FeederAdded {
			/// The feeder.
			feeder: T::AccountId,
		},
		/// A feeder was removed.
		FeederRemoved {
			/// The feeder.
			feeder: T::AccountId,
		},
		/// A feeder submitted network data for a period.
		NetworkDataFed {
			/// The period.
			period: PeriodIndex,
			/// The feeder.
			feeder: T::AccountId,
			/// The values.
			data: NetworkData,
		},
		/// A period's network data was fixed: from the feeds, or the last fixed value when
		/// too few arrived.
		NetworkDataFixed {
			/// The period.
			period: PeriodIndex,
			/// The values.
			data: NetworkData,
			/// Where they came from.
			source: NetworkSource,
		},
		/// Governance set a period's network data (before any output used it).
		NetworkDataSet {
			/// The period.
			period: PeriodIndex,
			/// The values.
			data: NetworkData,
		},
		/// The median attestation's sats failed the physics check against the period's
		/// fixed network data and were clamped to the bound.
		SatsClamped {
			/// The facility.
			facility: FacilityId,
			/// The period.
			period: PeriodIndex,
			/// The median attestation's sats.
			attested: hashrate_primitives::Sats,
			/// The sats finalized.
			finalized: hashrate_primitives::Sats,
		},
		/// An attestor joined; its bond is held.
		AttestorAdded {
			/// The attestor.
			attestor: T::AccountId,
			/// Bond held.
			bond: BalanceOf<T>,
		},
		/// An attestor left; its bond was released.
		AttestorRemoved {
			/// The attestor.
			attestor: T::AccountId,
		},
		/// A facility reported (or amended its report of) a period.
		Reported {
			/// The facility.
			facility: FacilityId,
			/// The period.
			period: PeriodIndex,
			/// Who submitted it.
			submitter: T::AccountId,
			/// Whether it replaced an earlier report.
			amended: bool,
		},
		/// An attestor submitted (or amended) its values for a facility-period.
		Attested {
			/// The facility.
			facility: FacilityId,
			/// The period.
			period: PeriodIndex,
			/// The attestor.
			attestor: T::AccountId,
		},
		/// A facility-period was finalized; it may be disputed until `challenge_ends`.
		Finalized {
			/// The facility.
			facility: FacilityId,
			/// The period.
			period: PeriodIndex,
			/// The finalized values.
			output: PeriodOutput,
			/// Where they came from.
			source: OutputSource,
			/// End of the challenge window, unix seconds.
			challenge_ends: u64,
		},
		/// An attestor was paid its share of the attestation fee.
		AttestorPaid {
			/// The attestor.
			attestor: T::AccountId,
			/// The share.
			amount: BalanceOf<T>,
		},
		/// An attestor got a strike (outside tolerance, or absent from a short quorum).
		AttestorStruck {
			/// The attestor.
			attestor: T::AccountId,
			/// Its strikes within the strike window now.
			strikes: u32,
		},
		/// An attestor reached the strike limit: removed (part of its bond slashed, see
		/// `AttestorSlashed`), or kept because the set is at its minimum size.
		StrikeLimitReached {
			/// The attestor.
			attestor: T::AccountId,
			/// Whether it was removed.
			removed: bool,
		},
		/// The strike rules changed.
		StrikeRulesSet {
			/// The new rules.
			rules: StrikeRules,
		},
		/// The facility's report deviates from the finalized values beyond tolerance.
		ReportDeviates {
			/// The facility.
			facility: FacilityId,
			/// The period.
			period: PeriodIndex,
			/// What it reported.
			reported: PeriodOutput,
		},
		/// Too few attestations at window close: the window was extended once.
		WindowExtended {
			/// The facility.
			facility: FacilityId,
			/// The period.
			period: PeriodIndex,
			/// New close, unix seconds.
			closes_at: u64,
		},
		/// Still short of quorum after the extension: governance must finalize.
		AwaitingGovernance {
			/// The facility.
			facility: FacilityId,
			/// The period.
			period: PeriodIndex,
		},
		/// No report by window close: the period is defaulted by the facility (final).
		Defaulted {
			/// The facility.
			facility: FacilityId,
			/// The period.
			period: PeriodIndex,
			/// Defaults in a row now.
			consecutive: u32,
		},
		/// A finalized output was disputed: frozen until resolved.
		Disputed {
			/// The facility.
			facility: FacilityId,
			/// The period.
			period: PeriodIndex,
			/// The disputing attestor, `None` for governance.
			disputer: Option<T::AccountId>,
			/// Deadline for governance, unix seconds.
			resolve_by: u64,
		},
		/// A dispute was rejected (or expired): the values stand; the deposit went to the
		/// treasury.
		DisputeUpheld {
			/// The facility.
			facility: FacilityId,
			/// The period.
			period: PeriodIndex,
		},
		/// A dispute corrected the output; the disputer's deposit was returned.
		DisputeCorrected {
			/// The facility.
			facility: FacilityId,
			/// The period.
			period: PeriodIndex,
			/// The corrected values.
			output: PeriodOutput,
		},
		/// A correction showed the facility's report false: its deposit was slashed.
		FacilitySlashed {
			/// The facility.
			facility: FacilityId,
			/// Amount taken.
			amount: BalanceOf<T>,
		},
		/// A correction showed an attestor's submission false: its bond was slashed and it
		/// left the set.
		AttestorSlashed {
			/// The attestor.
			attestor: T::AccountId,
			/// Amount taken.
			amount: BalanceOf<T>,
		},
		/// A finalized output passed its challenge window and is final.
		MadeFinal {
			/// The facility.
			facility: FacilityId,
			/// The period.
			period: PeriodIndex,
		},
		/// Proven mode: proofs showed more than was attested; the output counts the proofs.
		RaisedToProofs {
			/// The facility.
			facility: FacilityId,
			/// The period.
			period: PeriodIndex,
			/// Sats attested (or set by governance).
			attested: Sats,
			/// Sats the output counts now: the proofs after the running sum.
			proven: Sats,
		},
		/// Attested mode: proofs showed more than was attested, beyond tolerance; the output
		/// was corrected to them (no slashing).
		CorrectedByProofs {
			/// The facility.
			facility: FacilityId,
			/// The period.
			period: PeriodIndex,
			/// Sats attested.
			attested: Sats,
			/// Sats the output counts now: the proofs after the running sum.
			proven: Sats,
		},
	}

	/// Errors of this pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// Period length must be at least one second.
		ZeroPeriodLength,
		/// The report window must be at least two seconds (its first half is the feed
		/// window).
		ZeroReportWindow,
		/// The clock is before the first schedule, or a period cannot be numbered.
		NoSchedule,
		/// Too many schedule changes are still needed for open windows.
		TooManyScheduleChanges,
		/// The account is a feeder already.
		AlreadyFeeder,
		/// The account is not a feeder.
		NotFeeder,
		/// The feeder set is full.
		TooManyFeeders,
		/// The account is an attestor already.
		AlreadyAttestor,
		/// The account is not an attestor.
		NotAttestor,
		/// The attestor set is full.
		TooManyAttestors,
		/// The account cannot hold the attestor bond.
		BondNotAffordable,
		/// Difficulty and reward per block must be non-zero.
		InvalidNetworkData,
		/// The period has not ended.
		PeriodNotEnded,
		/// The feed's difficulty is beyond x4 or /4 of the last fixed difficulty per retarget
		/// possible since.
		DifficultyOutOfBounds,
		/// The feed's reward per block is below half or above four times the last fixed one.
		RewardOutOfBounds,
		/// The period's network data is fixed already.
		NetworkDataFixed,
		/// The period's network data is not fixed yet (its feed window is open, or earlier
		/// periods are still being fixed).
		NetworkDataNotFixed,
		/// An output of the period was finalized against its network data: it stays.
		NetworkDataInUse,
		/// Strike rules need a window and a limit of at most `MAX_STRIKES`.
		InvalidStrikeRules,
		/// The period is older than the outputs kept ([`Config::OutputHistory`]).
		PeriodTooOld,
		/// The signer is the facility's operator or one of its reporter keys: a facility does
		/// not attest or dispute itself.
		OwnFacility,
		/// The period's report window has closed.
		WindowClosed,
		/// The period's report window is still open.
		WindowOpen,
		/// No facility has this id.
		UnknownFacility,
		/// The facility is not in a status that reports (pending, retired or rejected).
		FacilityNotReporting,
		/// The signer is neither the facility's operator nor one of its reporter keys.
		NotReporter,
		/// The reporter cannot pay the attestation fee.
		FeeNotAffordable,
		/// Zero hashrate: a facility that did not hash does not report.
		ZeroHashrate,
		/// Uptime is zero or above 1000 per-mill.
		InvalidUptime,
		/// Pool fee above the accepted maximum.
		InvalidPoolFee,
		/// Hashrate above registered capacity plus tolerance.
		HashrateAboveCapacity,
		/// Energy below what the hashrate needs at the fleet's efficiency, minus tolerance.
		EnergyTooLow,
		/// Energy above power capacity x period length.
		EnergyAboveCapacity,
		/// Bitcoin earned outside the network expectation +/- pool-luck tolerance.
		SatsImplausible,
		/// A value does not fit its type.
		Overflow,
		/// The facility-period is already finalized.
		AlreadyFinalized,
		/// The period started before the facility was approved (or before the chain's first
		/// block): the facility does not owe it.
		NotOwed,
		/// The facility-period is not waiting for governance.
		NotAwaitingGovernance,
		/// The facility-period waits for governance; closing again changes nothing.
		AwaitingGovernance,
		/// The facility-period is not finalized.
		NotFinalized,
		/// The output is final already.
		AlreadyFinal,
		/// The challenge window is still open.
		ChallengeWindowOpen,
		/// The challenge window has passed.
		ChallengeWindowClosed,
		/// The output is disputed already.
		AlreadyDisputed,
		/// The output is not disputed.
		NotDisputed,
		/// The dispute waits for governance until its deadline.
		DisputeOpen,
		/// The disputer cannot hold the dispute deposit.
		DepositNotAffordable,
		/// With these windows or this period length, more periods could wait for settlement
		/// than holders' records keep (see [`SettlementLimits`]).
		BacklogTooLong,
		/// Payouts of the period may still be proven (until its report window closes).
		ProofWindowOpen,
		/// The facility is in proven mode for the period: proofs count by themselves.
		InProvenMode,
		/// The proofs do not show more than was attested beyond the attestation tolerance.
		NotBeyondTolerance,
	}

	impl<T: Config> From<Implausible> for Error<T> {
		fn from(implausible: Implausible) -> Self {
			match implausible {
				Implausible::ZeroHashrate => Error::ZeroHashrate,
				Implausible::InvalidUptime => Error::InvalidUptime,
				Implausible::InvalidPoolFee => Error::InvalidPoolFee,
				Implausible::HashrateAboveCapacity => Error::HashrateAboveCapacity,
				Implausible::EnergyTooLow => Error::EnergyTooLow,
				Implausible::EnergyAboveCapacity => Error::EnergyAboveCapacity,
				Implausible::SatsImplausible => Error::SatsImplausible,
				Implausible::Overflow => Error::Overflow,
			}
		}
	}

	/// Where governance takes a quorum-less output from.
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
	pub enum FinalizeFrom {
		/// The facility's report, flagged unverified.
		Report,
		/// The network expectation of the reported hashrate.
		NetworkExpectation,
	}

	/// Initial periods, feeders and attestors.
	#[pallet::genesis_config]
	pub struct GenesisConfig<T: Config> {
		/// Period length in seconds (periods are numbered from unix second 0).
		pub period_length: u64,
		/// Window lengths.
		pub timing: Timing,
		/// Feeders.
		pub feeders: alloc::vec::Vec<T::AccountId>,
		/// Attestors; each must be endowed for the bond.
		pub attestors: alloc::vec::Vec<T::AccountId>,
		/// When strikes remove an attestor.
		pub strike_rules: StrikeRules,
		/// The network data the first feeds are bounded by (and that periods without enough
		/// feeds take until feeds are fixed).
		pub network: NetworkData,
	}

	impl<T: Config> Default for GenesisConfig<T> {
		/// Production periods: UTC days, no feeders or attestors, late-2025 network data
		/// (difficulty 149.3 T, 3.158 BTC per block): a real chain's spec sets current values.
		fn default() -> Self {
			Self {
				period_length: 86_400,
				timing: Timing::default(),
				feeders: Default::default(),
				attestors: Default::default(),
				strike_rules: StrikeRules::default(),
				network: NetworkData {
					difficulty: hashrate_primitives::Difficulty(149_301_205_959_699),
					reward_per_block: hashrate_primitives::Sats(315_800_000),
				},
			}
		}
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			assert!(self.period_length > 0, "pow-oracle genesis: period_length must be > 0");
			assert!(
				self.timing.report_window >= 2,
				"pow-oracle genesis: report_window must be >= 2 s (its first half takes feeds)"
			);
			assert!(
				!self.network.difficulty.is_zero() && !self.network.reward_per_block.is_zero(),
				"pow-oracle genesis: network data must be non-zero"
			);
			assert!(self.strike_rules.is_valid(), "pow-oracle genesis: invalid strike rules");
			StrikeRule::<T>::put(self.strike_rules);
			Timings::<T>::put(self.timing);
			LastFixed::<T>::put(LastFixedNetwork { period: None, end: 0, data: self.network });
			let first =
				Schedule { start_index: PeriodIndex(0), start_time: 0, length: self.period_length };
			Schedules::<T>::put(BoundedVec::truncate_from(alloc::vec![first]));
			for feeder in &self.feeders {
				if let Err(e) = Pallet::<T>::do_add_feeder(feeder.clone()) {
					panic!("pow-oracle genesis: feeder {feeder:?}: {e:?}");
				}
			}
			for attestor in &self.attestors {
				if let Err(e) = Pallet::<T>::do_add_attestor(attestor.clone()) {
					panic!("pow-oracle genesis: attestor {attestor:?}: {e:?}");
				}
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Fixes the network data of periods whose feed window closed (by the previous
		/// block's time, the clock of this block is not set yet), oldest first, at most
		/// [`MAX_FIXED_PER_BLOCK`].
		fn on_initialize(_: BlockNumberFor<T>) -> Weight {
			// Nothing to fix before the first block set the cursor (the clock reads zero
			// then).
			if !NextToFix::<T>::exists() {
				return T::DbWeight::get().reads_writes(2, 2);
			}
			let fixed = Self::fix_due(Self::now(), MAX_FIXED_PER_BLOCK);
			// `on_finalize` reads `ChainStart` (and writes it and `NextToFix` once); the
			// period after the last fixed one asks the relay whether it covers it.
			T::DbWeight::get()
				.reads_writes(1, 2)
				.saturating_add(T::WeightInfo::fix_network_data().saturating_mul(fixed.into()))
				.saturating_add(T::Bitcoin::network_data_weight())
				.saturating_add(T::DbWeight::get().reads(2))
		}

		fn on_finalize(_: BlockNumberFor<T>) {
			if !ChainStart::<T>::exists() {
				let now = Self::now();
				if now > 0 {
					ChainStart::<T>::put(now);
					if let Some(first) = Self::first_unfixed(now) {
						NextToFix::<T>::put(first);
					}
					if let Some(first) = Self::first_starting_at_or_after(now) {
						CloseCursor::<T>::put((first, FacilityId(0)));
					}
				}
			}
		}

		/// Drives the lifecycle with the weight the block left: the due queue (rounds to
		/// close after their extension or governance wait, outputs to make final), oldest
		/// first, then the close sweep (every facility's period once its report window
		/// closed: finalized, extended, handed to governance or defaulted).
		fn on_idle(_: BlockNumberFor<T>, remaining: Weight) -> Weight {
			let now = Self::now();
			let (queue, _) = Self::drain_due(now, remaining);
			let (sweep, _) = Self::sweep_closes(now, remaining.saturating_sub(queue));
			queue.saturating_add(sweep)
		}

		fn integrity_test() {
			assert!(T::MaxAttestors::get() >= 1, "at least one attestor must fit");
			assert!(T::MinFeeds::get() >= 3, "one feeder must not set the network: MinFeeds >= 3");
			assert!(T::NetworkHistory::get() >= 2, "keep at least two periods of network data");
			assert!(
				T::OutputHistory::get() >= T::MaxConsecutiveMisses::get(),
				"outputs of the periods suspension counts back over are kept"
			);
			let sum = T::ProvenSumPeriods::get();
			assert!(
				sum >= 1 && sum <= T::OutputHistory::get() && sum <= T::NetworkHistory::get(),
				"a proven-mode running sum covers kept outputs and network data"
			);
			assert!(T::MinFeeds::get() <= T::MaxFeeders::get(), "MinFeeds must be reachable");
			assert!(T::MaxPoolFee::get() <= 1_000, "MaxPoolFee is per-mill");
			// Fee shares are paid out of the pot account, which must never be left holding
			// less than the existential deposit: each share must be at least that much.
			let least_share =
				T::AttestationFee::get() / BalanceOf::<T>::from(T::MaxAttestors::get());
			assert!(
				least_share >= <T::Currency as fungible::Inspect<T::AccountId>>::minimum_balance(),
				"AttestationFee / MaxAttestors must be at least the existential deposit"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::view_functions]
	impl<T: Config> Pallet<T> {
		/// Unix seconds `[start, end)` of `period`.
		pub fn period_bounds(period: PeriodIndex) -> Option<(u64, u64)> {
			Self::bounds(period).ok()
		}

		/// `period`'s fixed network data and where it came from, once fixed.
		pub fn fixed_network_data(period: PeriodIndex) -> Option<FixedNetwork> {
			Network::<T>::get(period)
		}

		/// What the Bitcoin relay derives for `period` now: `None` until it covers the period
		/// (a confirmed header after its end); `fees` once every sampled coinbase is proven.
		pub fn bitcoin_network_data(period: PeriodIndex) -> Option<RelayedNetworkData> {
			let (start, end) = Self::bounds(period).ok()?;
			T::Bitcoin::network_data(start, end)
		}

		/// The reference network data feeds are bounded by.
		pub fn last_fixed() -> Option<LastFixedNetwork> {
			LastFixed::<T>::get()
		}

		/// What the chain's physics checks say of `output` as `facility`'s `period`: every
		/// bound, the network expectation and the verdict — what `report` and `attest` check
		/// (against the period's fixed network data, or the last fixed value before).
		pub fn check_output(
			facility: FacilityId,
			period: PeriodIndex,
			output: PeriodOutput,
		) -> Result<PhysicsVerdict, OracleQueryError> {
			Self::verdict(facility, period, &output)
		}

		/// What `facility`'s `period` output rests on: proofs of Bitcoin payouts, attestation,
		/// or both — kept once final; before that, what proofs show so far (the floor
		/// applies when the output becomes final). `None` while the period has no output, or
		/// when it defaulted.
		pub fn output_basis(facility: FacilityId, period: PeriodIndex) -> Option<OutputBasis> {
			Self::basis_of(facility, period)
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Set the period length from the next period boundary on. A change not yet in force
		/// is replaced.
		///
		/// - Origin: [`Config::GovernanceOrigin`].
		/// - Errors: `ZeroPeriodLength`, `NoSchedule`, `TooManyScheduleChanges`.
		/// - Events: `PeriodLengthSet`.
		#[pallet::call_index(0)]
		pub fn set_period_length(origin: OriginFor<T>, length: u64) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_set_period_length(length)
		}

		/// Set the window lengths. Open windows follow the new lengths from now on.
		///
		/// - Origin: [`Config::GovernanceOrigin`].
		/// - Errors: `ZeroReportWindow`, `BacklogTooLong`.
		/// - Events: `TimingSet`.
		#[pallet::call_index(13)]
		pub fn set_timing(origin: OriginFor<T>, timing: Timing) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(timing.report_window >= 2, Error::<T>::ZeroReportWindow);
			ensure!(
				T::SettlementLimits::backlog_fits(
					finality_horizon(&timing),
					Self::shortest_period_length_of(None)
				),
				Error::<T>::BacklogTooLong
			);
			Timings::<T>::put(timing);
			Self::deposit_event(Event::TimingSet { timing });
			Ok(())
		}

		/// Add a network-data feeder.
		///
		/// - Origin: [`Config::GovernanceOrigin`].
		/// - Errors: `AlreadyFeeder`, `TooManyFeeders`.
		/// - Events: `FeederAdded`.
		#[pallet::call_index(1)]
		pub fn add_feeder(origin: OriginFor<T>, feeder: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_add_feeder(feeder)
		}

		/// Remove a feeder. Its feeds already submitted stay.
		///
		/// - Origin: [`Config::GovernanceOrigin`].
		/// - Errors: `NotFeeder`.
		/// - Events: `FeederRemoved`.
		#[pallet::call_index(2)]
		pub fn remove_feeder(origin: OriginFor<T>, feeder: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Feeders::<T>::try_mutate(|feeders| {
				let position =
					feeders.iter().position(|f| *f == feeder).ok_or(Error::<T>::NotFeeder)?;
				feeders.remove(position);
				Ok::<_, DispatchError>(())
			})?;
			Self::deposit_event(Event::FeederRemoved { feeder });
			Ok(())
		}

		/// Feed bitcoin's difficulty and average reward per block for `period`, after it ended
		/// and until its feed window closes (the first half of its report window, or sooner
		/// when every feeder has fed); replaces the feeder's earlier feed. The feed must lie
		/// within bounds of the last fixed data ([`check_feed`]). The first feed of a feeder
		/// for a period is free; a replacement pays the normal fee. The feed that completes
		/// the set fixes the period's data (see [`Pallet::fix_network_data`]).
		///
		/// - Origin: signed by a feeder.
		/// - Errors: `NotFeeder`, `InvalidNetworkData`, `NoSchedule`, `PeriodNotEnded`,
		///   `NetworkDataFixed`, `WindowClosed`, `DifficultyOutOfBounds`, `RewardOutOfBounds`.
		/// - Events: `NetworkDataFed`, and `NetworkDataFixed` when it completes the set.
		#[pallet::call_index(3)]
		pub fn feed_network_data(
			origin: OriginFor<T>,
			period: PeriodIndex,
			data: NetworkData,
		) -> DispatchResultWithPostInfo {
			let feeder = ensure_signed(origin)?;
			let replaced = Self::do_feed(feeder, period, data)?;
			Ok(if replaced { Pays::Yes } else { Pays::No }.into())
		}

		/// Set `period`'s network data, before any output of the period was finalized or
		/// defaulted against it: fixes it now if its feed window is open (the feeds are
		/// dropped) or replaces the fixed value. The newest value set becomes the reference
		/// for feeds.
		///
		/// - Origin: [`Config::GovernanceOrigin`].
		/// - Errors: `InvalidNetworkData`, `NoSchedule`, `NetworkDataInUse`.
		/// - Events: `NetworkDataSet`.
		#[pallet::call_index(14)]
		pub fn set_network_data(
			origin: OriginFor<T>,
			period: PeriodIndex,
			data: NetworkData,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_set_network_data(period, data)
		}

		/// Set when strikes remove an attestor.
		///
		/// - Origin: [`Config::GovernanceOrigin`].
		/// - Errors: `InvalidStrikeRules`.
		/// - Events: `StrikeRulesSet`.
		#[pallet::call_index(15)]
		pub fn set_strike_rules(origin: OriginFor<T>, rules: StrikeRules) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(rules.is_valid(), Error::<T>::InvalidStrikeRules);
			StrikeRule::<T>::put(rules);
			Self::deposit_event(Event::StrikeRulesSet { rules });
			Ok(())
		}

		/// Add an attestor; [`Config::AttestorBond`] is held from it.
		///
		/// - Origin: [`Config::GovernanceOrigin`].
		/// - Errors: `AlreadyAttestor`, `TooManyAttestors`, `BondNotAffordable`.
		/// - Events: `AttestorAdded`.
		#[pallet::call_index(4)]
		pub fn add_attestor(origin: OriginFor<T>, attestor: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_add_attestor(attestor)
		}

		/// Remove an attestor and release its bond. Its submissions to open rounds stay.
		///
		/// - Origin: [`Config::GovernanceOrigin`].
		/// - Errors: `NotAttestor`.
		/// - Events: `AttestorRemoved`.
		#[pallet::call_index(5)]
		pub fn remove_attestor(origin: OriginFor<T>, attestor: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Attestors::<T>::try_mutate(|attestors| {
				let position =
					attestors.iter().position(|a| *a == attestor).ok_or(Error::<T>::NotAttestor)?;
				attestors.remove(position);
				Ok::<_, DispatchError>(())
			})?;
			Strikes::<T>::remove(&attestor);
			T::Currency::release(
				&HoldReason::AttestorBond.into(),
				&attestor,
				T::AttestorBond::get(),
				Precision::BestEffort,
			)?;
			Self::deposit_event(Event::AttestorRemoved { attestor });
			Ok(())
		}

		/// Report (or amend) `facility`'s output of `period`. The first report of a period pays
		/// [`Config::AttestationFee`] into the pot.
		///
		/// - Origin: signed by the facility's operator or a reporter key.
		/// - Errors: `UnknownFacility`, `FacilityNotReporting`, `NotReporter`, `NoSchedule`,
		///   `PeriodNotEnded`, `WindowClosed`, `AlreadyFinalized`, the physics checks
		///   (`ZeroHashrate`, `InvalidUptime`, `InvalidPoolFee`, `HashrateAboveCapacity`,
		///   `EnergyTooLow`, `EnergyAboveCapacity`, `SatsImplausible`, `Overflow`),
		///   `FeeNotAffordable`.
		/// - Events: `Reported`, and `Finalized` (+ payouts) if every attestor has attested.
		///
		/// Weighed for a report that completes the round and finalizes it; one that only
		/// stores the round is charged [`WeightInfo::report_stored`].
		#[pallet::call_index(6)]
		pub fn report(
			origin: OriginFor<T>,
			facility: FacilityId,
			period: PeriodIndex,
			output: PeriodOutput,
		) -> DispatchResultWithPostInfo {
			let submitter = ensure_signed(origin)?;
			let finalized = Self::do_report(submitter, facility, period, output)?;
			Ok((!finalized).then(T::WeightInfo::report_stored).into())
		}

		/// Attest (or amend) an independent observation of `facility`'s `period`. The first
		/// attestation of an attestor for a facility-period is free; an amendment pays the
		/// normal fee. The facility's operator and reporter keys may not attest it.
		///
		/// - Origin: signed by an attestor.
		/// - Errors: `NotAttestor`, `UnknownFacility`, `FacilityNotReporting`, `OwnFacility`,
		///   `NoSchedule`, `PeriodNotEnded`, `WindowClosed`, `AlreadyFinalized`, the physics
		///   checks.
		/// - Events: `Attested`, and `Finalized` (+ payouts) if this completes the set of
		///   eligible attestors and the period's network data is fixed.
		///
		/// Weighed for the attestation that completes the round and finalizes it; one that
		/// only stores the round is charged [`WeightInfo::attest_stored`].
		#[pallet::call_index(7)]
		pub fn attest(
			origin: OriginFor<T>,
			facility: FacilityId,
			period: PeriodIndex,
			output: PeriodOutput,
		) -> DispatchResultWithPostInfo {
			let attestor = ensure_signed(origin)?;
			let (amended, finalized) = Self::do_attest(attestor, facility, period, output)?;
			Ok(frame_support::dispatch::PostDispatchInfo {
				actual_weight: (!finalized).then(T::WeightInfo::attest_stored),
				pays_fee: if amended { Pays::Yes } else { Pays::No },
			})
		}

		/// Close `facility`'s `period`: once its network data is fixed, finalize a complete
		/// round (reported, every eligible attestor attested) at once; after its window,
		/// finalize with a majority of the eligible attestors; without a report, default it (in
		/// proven mode with payouts proven for the period, finalize it from the proofs);
		/// short of quorum, extend the window once, then hand it to governance; a round that
		/// waited for governance longer than the resolution window finalizes from its report
		/// with sats at most the network expectation. Anyone may call it; the chain closes
		/// every facility-period by itself in `on_idle` (this is the fallback).
		///
		/// - Origin: signed (anyone).
		/// - Errors: `UnknownFacility`, `FacilityNotReporting` (no report and the facility does
		///   not report), `NoSchedule`, `WindowOpen`, `AlreadyFinalized`, `AwaitingGovernance`,
		///   `NetworkDataNotFixed`, `NotOwed`.
		/// - Events: `Finalized` (+ payouts), `Defaulted`, `WindowExtended` or
		///   `AwaitingGovernance` (+ strikes).
		#[pallet::call_index(8)]
		#[pallet::weight(Pallet::<T>::close_weight())]
		pub fn close(
			origin: OriginFor<T>,
			facility: FacilityId,
			period: PeriodIndex,
		) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_close(facility, period)
		}

		/// Finalize a period that waits for governance (reported, no quorum after the
		/// extension), from the report or from the network expectation of its hashrate. The
		/// attestation fee goes to the treasury.
		///
		/// - Origin: [`Config::GovernanceOrigin`].
		/// - Errors: `NotAwaitingGovernance`, `Overflow`, `NoSchedule`.
		/// - Events: `Finalized`.
		#[pallet::call_index(9)]
		pub fn force_finalize(
			origin: OriginFor<T>,
			facility: FacilityId,
			period: PeriodIndex,
			from: FinalizeFrom,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_force_finalize(facility, period, from)
		}

		/// Make a finalized output final once its challenge window passed, or a disputed one
		/// whose resolution deadline passed (the dispute is upheld); tells
		/// [`Config::OnPeriodFinal`]. Anyone may call it; the chain does it by itself in
		/// `on_idle` (this is the fallback).
		///
		/// In proven mode the output's sats become `max(attested, floor)` first
		/// ([`proven_floor`]); its challenge window never ends before its proofs close.
		///
		/// - Origin: signed (anyone).
		/// - Errors: `NotFinalized`, `AlreadyFinal`, `ChallengeWindowOpen`, `DisputeOpen`.
		/// - Events: `DisputeUpheld` (expired dispute), `RaisedToProofs` (proven mode),
		///   `MadeFinal`.
		#[pallet::call_index(10)]
		#[pallet::weight(Pallet::<T>::make_final_weight())]
		pub fn make_final(
			origin: OriginFor<T>,
			facility: FacilityId,
			period: PeriodIndex,
		) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_make_final(facility, period)
		}

		/// Dispute a finalized output within its challenge window: it is frozen until
		/// governance resolves it. An attestor posts [`Config::DisputeDeposit`]; governance
		/// disputes without one.
		///
		/// - Origin: signed by an attestor that is not the facility's operator or reporter
		///   key, or [`Config::GovernanceOrigin`].
		/// - Errors: `NotAttestor`, `OwnFacility`, `NotFinalized`, `AlreadyFinal`, `AlreadyDisputed`,
		///   `ChallengeWindowClosed`, `DepositNotAffordable`.
		/// - Events: `Disputed`.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::dispute().saturating_add(T::Payouts::read_weight()))]
		pub fn dispute(
			origin: OriginFor<T>,
			facility: FacilityId,
			period: PeriodIndex,
		) -> DispatchResult {
			let disputer = match T::GovernanceOrigin::try_origin(origin) {
				Ok(_) => None,
				Err(origin) => {
					let who = ensure_signed(origin)?;
					ensure!(Attestors::<T>::get().contains(&who), Error::<T>::NotAttestor);
					ensure!(Self::is_eligible(facility, &who), Error::<T>::OwnFacility);
					Some(who)
				},
			};
			Self::do_dispute(facility, period, disputer)
		}

		/// Resolve a dispute: `None` upholds the output (the disputer's deposit goes to the
		/// treasury); `Some(values)` corrects it (the deposit is returned, the facility's
		/// registration deposit is slashed by [`Config::FraudSlash`] if its report was beyond
		/// [`Config::ReportTolerance`] of the correction, and attestors beyond
		/// [`Config::AttestationTolerance`] lose [`Config::AttestorSlash`] of their bond and
		/// leave the set). The output is final either way.
		///
		/// In proven mode, only once the period's proofs closed; the floor of the proofs then
		/// applies to the values that stand.
		///
		/// - Origin: [`Config::GovernanceOrigin`].
		/// - Errors: `NotDisputed`, `ProofWindowOpen`, `NoSchedule`, the physics checks of the
		///   corrected values.
		/// - Events: `DisputeUpheld` or `DisputeCorrected` (+ `FacilitySlashed`,
		///   `AttestorSlashed`, `AttestorRemoved`), `RaisedToProofs`, `MadeFinal`.
		#[pallet::call_index(12)]
		#[pallet::weight(
			T::WeightInfo::resolve_dispute()
				.saturating_add(T::OnPeriodFinal::weight())
				.saturating_add(Pallet::<T>::proven_floor_weight())
		)]
		pub fn resolve_dispute(
			origin: OriginFor<T>,
			facility: FacilityId,
			period: PeriodIndex,
			correction: Option<PeriodOutput>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_resolve_dispute(facility, period, correction)
		}

		/// Correct a finalized (or disputed) output of a facility in attested mode to what
		/// Bitcoin shows: when the payouts proven to its approved scripts and attributed to
		/// the period — after the running sum over [`Config::ProvenSumPeriods`], so a payout
		/// an earlier period already counted does not count twice, within the physics bound
		/// of the window — exceed the output's sats beyond [`Config::AttestationTolerance`].
		/// No vote and no slashing (proofs showing less than attested prove nothing). The
		/// output is final at once. Allowed once the period's payouts can no longer be proven
		/// (its report window closed) and within its challenge window; a disputed output is
		/// governance's to decide (the proofs are its evidence). Free when it corrects.
		///
		/// - Origin: signed (anyone).
		/// - Errors: `NotFinalized`, `AlreadyFinal`, `DisputeOpen`, `InProvenMode`,
		///   `NoSchedule`, `ProofWindowOpen`, `NotBeyondTolerance`.
		/// - Events: `CorrectedByProofs`, `MadeFinal`.
		#[pallet::call_index(16)]
		#[pallet::weight(
			T::WeightInfo::correct_by_proofs()
				.saturating_add(Pallet::<T>::proven_floor_weight())
				.saturating_add(T::OnPeriodFinal::weight())
		)]
		pub fn correct_by_proofs(
			origin: OriginFor<T>,
			facility: FacilityId,
			period: PeriodIndex,
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			Self::do_correct_by_proofs(facility, period)?;
			Ok(Pays::No.into())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The account holding unpaid attestation fees.
		pub fn pot_account() -> T::AccountId {
			T::PalletId::get().into_account_truncating()
		}

		/// Unix seconds now.
		pub fn now() -> u64 {
			T::Time::now().as_secs()
		}

		pub(crate) fn pay_from_pot(to: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
			if amount.is_zero() {
				return Ok(());
			}
			T::Currency::transfer(&Self::pot_account(), to, amount, Preservation::Expendable)?;
			FeePot::<T>::mutate(|pot| *pot = pot.saturating_sub(amount));
			Ok(())
		}

		pub(crate) fn hold_bond(who: &T::AccountId) -> DispatchResult {
			T::Currency::hold(&HoldReason::AttestorBond.into(), who, T::AttestorBond::get())
				.map_err(|_| Error::<T>::BondNotAffordable.into())
		}
	}
}
