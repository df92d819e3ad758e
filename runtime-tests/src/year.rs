//! A year of the chain on the real runtime (issue 18, part 2).
//!
//! The development preset's accounts, with production timings and rules (UTC-day periods, two
//! days to report, three to dispute, a week to pay, a 2 % fee; issuance rules of production
//! but for a week's backing average and collateral, so that the short variant has room), and
//! twelve facilities that behave each its own way ([`Behaviour`]), five attestors (one of them
//! drifting), three feeders and `holders` holders who subscribe, trade, transfer and claim at
//! random times. Blocks come only when something happens — a few a day, the timestamp jumping
//! between them — and nobody calls the permissionless lifecycle calls except where the chain
//! cannot act for holders (burning matured tokens, closing and pruning a finished series).
//!
//! Alongside the chain the test keeps its own books ([`Books`]), driven by the chain's events
//! and by what the test itself submitted: every holder's unit-seconds per period, and from
//! them, with exact big integers, what each holder is owed — the obligation of every period
//! recomputed from its inputs (token-seconds, final output, network data, costs, fee) and
//! compared with the pallet's record, each distribution and each debt repayment shared out
//! exactly. After every block the invariants of every pallet hold and nothing due is left
//! waiting; after every period the books are compared with the chain ([`Sim::check_day`]).
//!
//! CI runs [`sixty_simulated_days`] (60 periods, 200 holders) with the workspace's tests; the
//! full year (365 periods, 1,000 holders) is `scripts/simulate-year.sh`. `SIM_SEED=<n>` reruns
//! a seed; a failing run prints its own.

use crate::driver::{preset_json, Chain, Outcome, Signer};
use codec::Compact;
use hashrate_primitives::{
	physics, Difficulty, Efficiency, Energy, FacilityId, Hashrate, NetworkData, PeriodIndex,
	PeriodOutcome, PeriodOutput, Power, Sats, SeriesId, SeriesInspect as _,
};
use hashrate_runtime::{configs::assets::PAYOUT_ASSET_ID, *};
use num_bigint::BigUint;
use num_traits::{ToPrimitive, Zero};
use pallet_facilities::{
	Documents, EnergyShare, EnergySource, FleetRow, GenesisFacility, Location, PoolAccount,
	Profile, SiteSpec,
};
use pallet_hashrate_tokens::{IssuanceRules, OfferingTerms, SeriesTerms};
use pallet_real_yield::{PeriodStatus, YieldRules};
use serde_json::{json, Value};
use sp_core::H256;
use sp_keyring::Sr25519Keyring;
use sp_runtime::BoundedVec;
use std::collections::{BTreeMap, BTreeSet};

/// Seconds in a period (a UTC day).
const DAY: u64 = 86_400;
/// One bitcoin in sats.
const BTC: u128 = 100_000_000;
/// Fleet efficiency of every simulated facility, milli-J/TH.
const EFFICIENCY: u32 = 17_500;
/// Day of the first offerings: a week of final outputs behind them.
const FIRST_OFFERINGS: u32 = 11;
/// Units per whole token of every simulated series.
const TOKEN: u128 = 1_000_000;
/// Price of a whole token (1 TH/s for the term), sats.
const PRICE: u128 = 8_000;
/// Token-index scale of the reference (as the pallet's, but kept in big integers).
fn scale() -> BigUint {
	BigUint::from(10u32).pow(36)
}

/// How a simulated facility behaves.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Behaviour {
	/// Reports on time, pays as soon as a period is final.
	Honest,
	/// Reports on time, pays each period on the last day before its deadline.
	PaysAtDeadline,
	/// Silent for two stretches (2 and 5 days): defaulted from collateral, suspended at the
	/// third miss in a row, resumed by governance.
	SilentStretches,
	/// Pays 70 % of what each period owes from its sixteenth day: each period defaults, the
	/// collateral runs out and the rest becomes debt.
	PartialPayer,
	/// Over-reports one period, with three attestors reading its falsified statement; an
	/// honest attestor disputes and governance corrects the output.
	OverReporter,
	/// Issues a short series, retires, and is retired by the chain once its holders burned.
	Retires,
	/// Stops paying for twelve periods (collateral covers seven, five become debt), repays
	/// the debt in two instalments later and is resumed.
	DebtThenRepays,
	/// Every ninth day runs at 40 %: the hashrate not delivered is owed at the network rate.
	Outages,
	/// Reports each period on the day after it ended, late in its window.
	LateReporter,
	/// Opens an offering nobody wants: it fails and subscribers take their money back.
	FailedOffering,
	/// Reports, never issues.
	NoSeries,
	/// Honest, with a second series issued mid-year.
	TwoSeries,
}

const BEHAVIOURS: [Behaviour; 12] = [
	Behaviour::Honest,
	Behaviour::PaysAtDeadline,
	Behaviour::SilentStretches,
	Behaviour::PartialPayer,
	Behaviour::OverReporter,
	Behaviour::Retires,
	Behaviour::DebtThenRepays,
	Behaviour::Outages,
	Behaviour::LateReporter,
	Behaviour::FailedOffering,
	Behaviour::NoSeries,
	Behaviour::TwoSeries,
];

/// A seeded SplitMix64: the whole run follows from the seed.
struct Rng(u64);

impl Rng {
	fn next(&mut self) -> u64 {
		self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
		let mut z = self.0;
		z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
		z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
		z ^ (z >> 31)
	}
	/// Uniform in `0..n` (n > 0).
	fn below(&mut self, n: u64) -> u64 {
		self.next() % n
	}
	/// Uniform in `lo..=hi`.
	fn between(&mut self, lo: u64, hi: u64) -> u64 {
		lo + self.below(hi - lo + 1)
	}
}

/// What a run simulates.
#[derive(Clone, Copy, Debug)]
pub struct Scenario {
	/// Daily periods simulated.
	pub periods: u32,
	/// Holder accounts.
	pub holders: u32,
	/// The RNG seed.
	pub seed: u64,
}

/// A simulated facility.
struct Facility {
	behaviour: Behaviour,
	/// Declared capacity, TH/s.
	declared_ths: u128,
	/// What it runs at on a normal day, milli-TH/s.
	running: u128,
	operator: Signer,
	reporter: Signer,
}

/// One holder's part of a series in the test's books.
#[derive(Default)]
struct HolderBook {
	balance: u128,
	/// Unix second up to which its unit-seconds are counted.
	since: u64,
	/// Unit-seconds per period not yet settled.
	seconds: BTreeMap<u32, u128>,
	/// Exact share of every distribution and repayment, 10^-36 sat (floored per step).
	entitled: BigUint,
	/// Exact unpaid debt owed to it, 10^-36 sat.
	unpaid: BigUint,
	/// Claimed, sats.
	claimed: u128,
	/// Settled periods it held tokens in.
	periods: u32,
}

/// A series in the test's books.
struct SeriesBook {
	facility: usize,
	hashrate_per_token: u128,
	decimals: u8,
	first: u32,
	last: u32,
	cost_per_th_day: u64,
	holders: BTreeMap<AccountId, HolderBook>,
	supply: u128,
	collateral: u128,
	/// Distributions of periods nobody held, waiting for the next (10^-36 sat).
	carry: BigUint,
	issued: bool,
	failed: bool,
	closed: bool,
	pruned: bool,
	deposited: u128,
	drawn: u128,
	repaid: u128,
	claimed: u128,
	distributed: u128,
	fees: u128,
	debt: u128,
	/// The first period not settled.
	next: u32,
	/// When its last period settled.
	last_settled_at: u64,
	/// Supply-seconds of each settled period (a sibling series' obligation weighs them).
	settled_seconds: BTreeMap<u32, u128>,
	/// Subscribers of its offering (refunds).
	subscribers: BTreeSet<AccountId>,
}

/// Totals over the run, for the table.
#[derive(Default, Debug)]
struct Totals {
	deposited: u128,
	drawn: u128,
	debt: u128,
	repaid: u128,
	fees: u128,
	claimed: u128,
	defaults: u32,
	oracle_defaults: u32,
	suspensions: u32,
	strikes: u32,
	attestors_removed: u32,
	disputes_corrected: u32,
	settled: u32,
	offerings_succeeded: u32,
	offerings_failed: u32,
	transfers: u32,
	sales: u32,
	claims: u32,
	retirements: u32,
	blocks: u32,
	transactions: u32,
	/// Lifecycle steps the chain took by itself (in `on_idle`), in all and at most in a block.
	idle_items: u32,
	idle_items_max: u32,
	/// Largest difference between a holder's claimable + claimed and its exact share, sats.
	max_share_error: u128,
	/// Largest dust of a series: what rounding keeps below a sat per holder record, sats.
	max_dust: u128,
	/// Series-periods whose facility delivered less than was tokenized (the rest owed at the
	/// network rate), and those whose final hashrate its series shared pro rata.
	undelivered: u32,
	shared: u32,
	/// Periods whose network data was carried over (nobody fed).
	carried_network: u32,
	/// Blocks of a session change (full: they carry nothing).
	session_blocks: u32,
	/// Holder records removed with nothing left in them (their rest below a sat forfeited
	/// to the next distribution).
	records_removed: u32,
}

struct Sim {
	chain: Chain,
	rng: Rng,
	scenario: Scenario,
	first_period: u32,
	facilities: Vec<Facility>,
	holders: Vec<Signer>,
	holder_index: BTreeMap<AccountId, usize>,
	attestors: Vec<(Signer, bool)>,
	/// True network data per day and what the chain fixed (the reference's view).
	network: Vec<NetworkData>,
	fed: Vec<bool>,
	/// What the test expects each facility-period to be final as (`None`: defaulted).
	expected_final: BTreeMap<(usize, u32), Option<PeriodOutput>>,
	/// The output each facility-period truly had, for attestors.
	true_output: BTreeMap<(usize, u32), PeriodOutput>,
	series: BTreeMap<SeriesId, SeriesBook>,
	/// What the test's own deposits paid per series and period.
	ledger: BTreeMap<(SeriesId, u32), u128>,
	/// When the oracle made each facility-period final (its `MadeFinal` or `Defaulted`).
	final_at: BTreeMap<(usize, u32), u64>,
	/// The yield pallet's pot balance after the last block.
	pot: u128,
	/// Network data as the oracle fixed it, each value checked when fixed: what the feeders
	/// fed, or for a period nobody fed, the value fixed last before it (its documented rule:
	/// the reference only moves forward).
	fixed_network: BTreeMap<u32, NetworkData>,
	/// The value fixed last and its period (`None`: genesis).
	last_fixed: (Option<u32>, NetworkData),
	totals: Totals,
	/// Chain time of the last block, unix seconds.
	now: u64,
}

fn facility_account(kind: &str, f: usize) -> Signer {
	Signer::from_uri(&format!("//sim/{kind}/{f}"))
}

fn text<const N: u32>(text: &str) -> BoundedVec<u8, frame_support::traits::ConstU32<N>> {
	BoundedVec::truncate_from(text.as_bytes().to_vec())
}

/// `facility`'s `period` of the test schedule: unix seconds of its start.
fn period_start(period: u32) -> u64 {
	u64::from(period) * DAY
}

impl Sim {
	fn new(scenario: Scenario) -> Self {
		let mut rng = Rng(scenario.seed);
		let facilities: Vec<Facility> = BEHAVIOURS
			.iter()
			.enumerate()
			.map(|(f, &behaviour)| {
				// Those whose hashrate falls short of what they tokenized (outages) are small, so
				// that their offerings sell out and a bad day delivers less than was sold.
				let declared_ths = match behaviour {
					Behaviour::Outages | Behaviour::TwoSeries => {
						u128::from(rng.between(3, 4)) * 1_000
					},
					_ => u128::from(rng.between(30, 120)) * 1_000,
				};
				Facility {
					behaviour,
					declared_ths,
					running: declared_ths * 850,
					operator: facility_account("operator", f),
					reporter: facility_account("reporter", f),
				}
			})
			.collect();
		let holders: Vec<Signer> =
			(0..scenario.holders).map(|i| Signer::from_uri(&format!("//sim/holder/{i}"))).collect();
		let holder_index = holders.iter().enumerate().map(|(i, h)| (h.account(), i)).collect();
		let attestors = [
			Sr25519Keyring::AliceStash,
			Sr25519Keyring::BobStash,
			Sr25519Keyring::CharlieStash,
			Sr25519Keyring::DaveStash,
			Sr25519Keyring::EveStash,
		]
		.map(|k| (Signer::from(k), true))
		.to_vec();
		// Network data: +3 % difficulty every 14 days, fees varying day by day.
		let mut difficulty: u128 = 149_301_205_959_699;
		let network = (0..scenario.periods + 2)
			.map(|day| {
				if day > 0 && day % 14 == 0 {
					difficulty = difficulty * 103 / 100;
				}
				NetworkData {
					difficulty: Difficulty(difficulty),
					reward_per_block: Sats(312_500_000 + rng.between(0, 15_000_000)),
				}
			})
			.collect::<Vec<_>>();
		let genesis = Self::genesis(&facilities, &holders);
		let mut chain = Chain::with_genesis(genesis).without_import();
		let start = crate::driver::GENESIS_TIME_MS / 1_000;
		let first_period = u32::try_from(start / DAY).expect("fits");
		// The first block at the start of the first day: every facility owes every day from it.
		chain.block_at_slot(start * 1_000 / SLOT_DURATION, Vec::new());
		let fed = vec![true; network.len()];
		let pot = chain.read(|| {
			pallet_assets::Pallet::<Runtime>::balance(PAYOUT_ASSET_ID, RealYield::pot_account())
		});
		let genesis_network = chain
			.read(pallet_pow_oracle::LastFixed::<Runtime>::get)
			.expect("genesis sets the network data")
			.data;
		Self {
			chain,
			rng,
			scenario,
			first_period,
			facilities,
			holders,
			holder_index,
			attestors,
			network,
			fed,
			expected_final: BTreeMap::new(),
			true_output: BTreeMap::new(),
			series: BTreeMap::new(),
			ledger: BTreeMap::new(),
			final_at: BTreeMap::new(),
			pot,
			fixed_network: BTreeMap::new(),
			last_fixed: (None, genesis_network),
			totals: Totals::default(),
			now: start,
		}
	}

	/// The development preset with the simulation's facilities, accounts, attestors and the
	/// production timings and rules.
	fn genesis(facilities: &[Facility], holders: &[Signer]) -> Vec<u8> {
		let mut config: Value =
			serde_json::from_slice(&preset_json(sp_genesis_builder::DEV_RUNTIME_PRESET))
				.expect("JSON");
		let account = |a: &AccountId| serde_json::to_value(a).expect("serializes");
		let balances = config["balances"]["balances"].as_array_mut().expect("a list");
		for f in facilities {
			balances.push(json!([account(&f.operator.account()), 1_000_000 * UNIT]));
			balances.push(json!([account(&f.reporter.account()), 10_000 * UNIT]));
		}
		for h in holders {
			balances.push(json!([account(&h.account()), 1_000 * UNIT]));
		}
		let assets = config["assets"]["accounts"].as_array_mut().expect("a list");
		for f in facilities {
			assets.push(json!([PAYOUT_ASSET_ID, account(&f.operator.account()), 100 * BTC]));
		}
		for h in holders {
			assets.push(json!([PAYOUT_ASSET_ID, account(&h.account()), 5_000_000u64]));
		}
		let genesis_facilities: Vec<GenesisFacility<AccountId>> = facilities
			.iter()
			.enumerate()
			.map(|(f, facility)| {
				// 200 TH/s machines, 2 % more nameplate than declared, 10 % power headroom.
				let units =
					u32::try_from((facility.declared_ths * 102 / 100).div_ceil(200)).expect("fits");
				let power = u64::try_from(
					(facility.declared_ths * u128::from(EFFICIENCY)).div_ceil(1_000_000),
				)
				.expect("fits") * 11
					/ 10;
				GenesisFacility {
					operator: facility.operator.account(),
					site: SiteSpec {
						location: Location { country: *b"NO", region: None },
						power_capacity: Power(power),
						hashrate_capacity: Hashrate(facility.declared_ths * Hashrate::MILLI_PER_TH),
						fleet: BoundedVec::truncate_from(vec![FleetRow {
							model: text("Antminer S21"),
							units,
							hashrate_per_unit: Hashrate(200 * Hashrate::MILLI_PER_TH),
							efficiency: Efficiency(EFFICIENCY),
						}]),
					},
					profile: Profile {
						name: text(&format!("Simulated facility {f} ({:?})", facility.behaviour)),
						energy_mix: BoundedVec::truncate_from(vec![EnergyShare {
							source: EnergySource::Hydro,
							per_mill: 1_000,
						}]),
						pool: PoolAccount { pool: text("Foundry USA"), worker: text("sim") },
						documents: Documents {
							hash: H256::repeat_byte(f as u8),
							uri: text("ipfs://simulated"),
						},
					},
					reporters: vec![facility.reporter.account()],
					payout_addresses: vec![],
					active: true,
				}
			})
			.collect();
		config["facilities"]["facilities"] =
			serde_json::to_value(genesis_facilities).expect("serializes");
		let oracle = &mut config["powOracle"];
		oracle["periodLength"] = json!(DAY);
		oracle["timing"] =
			serde_json::to_value(pallet_pow_oracle::Timing::default()).expect("serializes");
		oracle["attestors"] = json!([
			Sr25519Keyring::AliceStash,
			Sr25519Keyring::BobStash,
			Sr25519Keyring::CharlieStash,
			Sr25519Keyring::DaveStash,
			Sr25519Keyring::EveStash,
		]
		.map(|k| account(&k.to_account_id())));
		config["realYield"]["rules"] =
			serde_json::to_value(YieldRules::default()).expect("serializes");
		config["hashrateTokens"]["rules"] = serde_json::to_value(IssuanceRules {
			backing_periods: 7,
			collateral_periods: 7,
			..IssuanceRules::production()
		})
		.expect("serializes");
		serde_json::to_vec(&config).expect("serializes")
	}

	fn day_of(&self, period: u32) -> u32 {
		period - self.first_period
	}

	/// What facility `f` truly did on `day`: its hashrate (with noise and outages), the sats
	/// its pool paid for it (network expectation, 2 % pool fee, luck within 5 %), the energy.
	fn output_of(&mut self, f: usize, day: u32) -> PeriodOutput {
		let facility = &self.facilities[f];
		let outage = match facility.behaviour {
			Behaviour::Outages => day % 9 == 8,
			Behaviour::TwoSeries => day % 11 == 10,
			_ => false,
		};
		let mut hashrate = facility.running * u128::from(self.rng.between(985, 1_015)) / 1_000;
		if outage {
			hashrate = hashrate * 250 / 1_000;
		}
		let network = self.network[day as usize];
		let gross = physics::expected_sats(
			Hashrate(hashrate),
			DAY,
			network.difficulty,
			network.reward_per_block,
		)
		.expect("fits")
		.get();
		let luck = self.rng.between(950, 1_050);
		let sats = u64::try_from(u128::from(gross) * 980 / 1_000 * u128::from(luck) / 1_000)
			.expect("fits");
		// milli-TH/s x milli-J/TH x s / (10^6 x 3.6 x 10^6) = kWh, rounded up.
		let energy =
			(hashrate * u128::from(EFFICIENCY) * u128::from(DAY)).div_ceil(3_600_000_000_000);
		PeriodOutput {
			hashrate: Hashrate(hashrate),
			sats: Sats(sats),
			energy: Energy(u64::try_from(energy).expect("fits")),
			uptime: if outage { 250 } else { 1_000 },
			pool_fee: 20,
			evidence: H256::repeat_byte(f as u8 + 1),
		}
	}

	/// Builds a block at unix second `time` (the next free slot at or after it) with `calls`;
	/// applies its events to the books and checks what must hold after every block. Returns
	/// each call's outcome.
	fn block(&mut self, time: u64, calls: Vec<(Signer, RuntimeCall)>) -> Vec<Outcome> {
		let time = time.max(self.now + SLOT_DURATION / 1_000);
		let slot = time * 1_000 / SLOT_DURATION;
		self.totals.transactions += calls.len() as u32;
		let before = self.queued();
		let mut slot = slot;
		let next = self.chain.number() + 1;
		let rotates = self.chain.read(|| {
			<<Runtime as pallet_session::Config>::ShouldEndSession as pallet_session::ShouldEndSession<
				BlockNumber,
			>>::should_end_session(next)
		});
		if rotates {
			// A session change takes the whole block (pallet-session's `on_initialize` claims
			// the block's weight): no transaction, no idle work. The next block follows one
			// slot later, as on a live chain.
			self.chain.block_at_slot(slot, Vec::new());
			self.now = self.chain.now();
			self.totals.blocks += 1;
			self.totals.session_blocks += 1;
			self.apply_events();
			slot += 1;
		}
		let outcomes = self.chain.submit_all_at_slot(slot, calls);
		self.now = self.chain.now();
		self.totals.blocks += 1;
		self.apply_events();
		self.check_nothing_due_waits(&before);
		outcomes
	}

	/// Like [`Self::block`], and every call must succeed.
	fn block_ok(&mut self, time: u64, calls: Vec<(Signer, RuntimeCall)>, what: &str) {
		let described: Vec<String> = calls.iter().map(|(_, c)| format!("{c:?}")).collect();
		for (i, outcome) in self.block(time, calls).into_iter().enumerate() {
			if let Err(failure) = outcome {
				panic!("{what}: {} failed: {failure:?}", described[i]);
			}
		}
	}

	/// Every entry of the four due queues: (queue, due time, encoded key).
	fn queued(&mut self) -> BTreeSet<(&'static str, u64, Vec<u8>)> {
		use codec::Encode;
		self.chain.read(|| {
			let mut entries = BTreeSet::new();
			for (at, item) in pallet_pow_oracle::DueQueue::<Runtime>::iter_keys() {
				entries.insert(("oracle", at.0, item.encode()));
			}
			for (at, item) in pallet_real_yield::DueQueue::<Runtime>::iter_keys() {
				entries.insert(("yield", at.0, item.encode()));
			}
			for (at, item) in pallet_hashrate_tokens::DueQueue::<Runtime>::iter_keys() {
				entries.insert(("tokens", at.0, item.encode()));
			}
			for (at, item) in pallet_facilities::RetirementsDue::<Runtime>::iter_keys() {
				entries.insert(("retirements", at.0, item.encode()));
			}
			entries
		})
	}

	/// After every block: nothing that was due by the block's time waits in any queue — the
	/// chain's `on_idle` took it (blocks here are far from full: the bound of part 1 is
	/// "at once"). An item queued within the block for its own time (a period made final
	/// after the pallet that moves its series had its turn) is taken by the next block.
	fn check_nothing_due_waits(&mut self, before: &BTreeSet<(&'static str, u64, Vec<u8>)>) {
		let now = self.now;
		for entry in self.queued() {
			let (queue, at, _) = &entry;
			if *at > now || (*at == now && !before.contains(&entry)) {
				continue;
			}
			let (weight, idle) = self.chain.read(|| {
				(
					frame_system::BlockWeight::<Runtime>::get(),
					frame_system::Pallet::<Runtime>::read_events_no_consensus()
						.filter(|r| r.phase == frame_system::Phase::Finalization)
						.map(|r| format!("{:?}", r.event))
						.collect::<Vec<_>>(),
				)
			});
			panic!(
				"{queue} queue: an item due at {at} still waits at {now} (block {}, key {:?}); \
				 block weight {weight:?}; on_idle did {idle:#?}",
				self.chain.number(),
				entry.2
			);
		}
		let cursor = self.chain.read(pallet_pow_oracle::CloseCursor::<Runtime>::get);
		if let Some((period, _)) = cursor {
			let closes =
				period_start(period.0 + 1) + pallet_pow_oracle::Timing::default().report_window;
			assert!(closes > now, "the close sweep of period {} is behind at {now}", period.0);
		}
	}

	/// Applies the last block's events to the books, checking each against them.
	fn apply_events(&mut self) {
		let events: Vec<_> = self.chain.read(|| {
			frame_system::Pallet::<Runtime>::read_events_no_consensus().map(|r| *r).collect()
		});
		let now = self.now;
		let mut idle = 0u32;
		let mut minted_for = BTreeSet::new();
		let mut drawn_events: BTreeMap<SeriesId, u128> = BTreeMap::new();
		// What the pot received and paid, by the yield pallet's events.
		let (mut pot_in, mut pot_out) = (0u128, 0u128);
		let mut drawn_defaults: BTreeMap<SeriesId, u128> = BTreeMap::new();
		for record in events {
			let in_idle = record.phase == frame_system::Phase::Finalization;
			match record.event {
				RuntimeEvent::HashrateTokens(event) => {
					use pallet_hashrate_tokens::Event as E;
					match event {
						E::SeriesCreated { series, facility, terms } => {
							self.series.insert(
								series,
								SeriesBook {
									facility: facility.0 as usize,
									hashrate_per_token: terms.hashrate_per_token.get(),
									decimals: terms.decimals,
									first: terms.first_period.0,
									last: terms.last_period.0,
									cost_per_th_day: terms.cost_per_th_day.get(),
									holders: BTreeMap::new(),
									supply: 0,
									collateral: 0,
									carry: BigUint::zero(),
									issued: false,
									failed: false,
									closed: false,
									pruned: false,
									deposited: 0,
									drawn: 0,
									repaid: 0,
									claimed: 0,
									distributed: 0,
									fees: 0,
									debt: 0,
									next: terms.first_period.0,
									last_settled_at: 0,
									settled_seconds: BTreeMap::new(),
									subscribers: BTreeSet::new(),
								},
							);
						},
						E::CollateralAdded { series, amount, total } => {
							let book = self.series.get_mut(&series).expect("known");
							book.collateral += amount;
							assert_eq!(book.collateral, total, "collateral of {series:?}");
						},
						E::CollateralDrawn { series, amount, .. } => {
							*drawn_events.entry(series).or_default() += amount;
						},
						E::CollateralReleased { series, amount } => {
							let book = self.series.get_mut(&series).expect("known");
							book.collateral -= amount;
						},
						E::Subscribed { series, who, .. } => {
							self.series.get_mut(&series).expect("known").subscribers.insert(who);
						},
						E::Minted { series, who, amount } => {
							self.change_balance(series, &who, amount, true, now);
							self.series.get_mut(&series).expect("known").supply += amount;
							minted_for.insert(series);
						},
						E::Burned { series, who, amount } => {
							self.change_balance(series, &who, amount, false, now);
							self.series.get_mut(&series).expect("known").supply -= amount;
						},
						E::Transferred { series, from, to, amount } => {
							self.change_balance(series, &from, amount, false, now);
							self.change_balance(series, &to, amount, true, now);
						},
						E::OfferingSucceeded { series, .. } => {
							self.series.get_mut(&series).expect("known").issued = true;
							self.totals.offerings_succeeded += 1;
							idle += u32::from(in_idle);
						},
						E::OfferingFailed { series, .. } => {
							self.series.get_mut(&series).expect("known").failed = true;
							self.totals.offerings_failed += 1;
							idle += u32::from(in_idle);
						},
						E::SeriesClosed { series } | E::SeriesCancelled { series } => {
							self.series.get_mut(&series).expect("known").closed = true;
						},
						_ => {},
					}
				},
				RuntimeEvent::RealYield(event) => {
					use pallet_real_yield::Event as E;
					match event {
						E::Deposited { series, amount, .. } => {
							pot_in += amount;
							self.series.get_mut(&series).expect("known").deposited += amount;
							self.totals.deposited += amount;
						},
						E::PeriodDefaulted { series, drawn, debt, shortfall, .. } => {
							let book = self.series.get_mut(&series).expect("known");
							assert_eq!(
								drawn,
								shortfall.min(book.collateral),
								"{series:?}: a default draws the shortfall, as far as collateral goes"
							);
							book.collateral -= drawn;
							book.drawn += drawn;
							pot_in += drawn;
							book.debt += debt;
							if drawn > 0 {
								*drawn_defaults.entry(series).or_default() += drawn;
							}
							self.totals.drawn += drawn;
							self.totals.debt += debt;
							self.totals.defaults += 1;
						},
						E::PeriodSettled { series, period, status, distributed, fee } => {
							self.settle(series, period.0, status, distributed, fee);
							idle += u32::from(in_idle);
						},
						E::DebtRepaid { series, amount, debt, .. } => {
							pot_in += amount;
							self.repay(series, amount, debt)
						},
						E::FeesPaid { amount } => pot_out += amount,
						E::Claimed { who, series, amount } => {
							let book = self.series.get_mut(&series).expect("known");
							book.claimed += amount;
							book.holders.get_mut(&who).expect("a holder claims").claimed += amount;
							pot_out += amount;
							self.totals.claimed += amount;
						},
						E::HolderRecordRemoved { who, series } => {
							// Its rest below a sat joins the next distribution: the holder keeps
							// what it claimed.
							let holder = self
								.series
								.get_mut(&series)
								.expect("known")
								.holders
								.get_mut(&who)
								.expect("a holder had the record");
							let kept = big(holder.claimed) * scale();
							assert!(
								holder.entitled < &kept + scale() * 2u32,
								"{series:?}: {who}'s record went with a sat or more in it"
							);
							holder.entitled = kept;
							self.totals.records_removed += 1;
						},
						E::SeriesPruned { series } => {
							self.series.get_mut(&series).expect("known").pruned = true;
						},
						_ => {},
					}
				},
				RuntimeEvent::PowOracle(event) => {
					use pallet_pow_oracle::Event as E;
					match event {
						E::Finalized { .. } => idle += u32::from(in_idle),
						E::MadeFinal { facility, period } => {
							self.final_at.insert((facility.0 as usize, period.0), now);
							idle += u32::from(in_idle);
						},
						E::Defaulted { facility, period, .. } => {
							self.final_at.insert((facility.0 as usize, period.0), now);
							self.totals.oracle_defaults += 1;
							idle += u32::from(in_idle);
						},
						E::AttestorStruck { .. } => self.totals.strikes += 1,
						E::AttestorRemoved { attestor } => {
							self.totals.attestors_removed += 1;
							for (signer, active) in &mut self.attestors {
								if signer.account() == attestor {
									*active = false;
								}
							}
						},
						E::AttestorAdded { attestor, .. } => {
							for (signer, active) in &mut self.attestors {
								if signer.account() == attestor {
									*active = true;
								}
							}
						},
						E::DisputeCorrected { .. } => self.totals.disputes_corrected += 1,
						E::NetworkDataFixed { period, data, source } => {
							// The day before the first block: nobody fed it; it carries genesis'.
							let fed = period.0 >= self.first_period
								&& self.fed[(period.0 - self.first_period) as usize];
							let day = period.0.saturating_sub(self.first_period) as usize;
							match source {
								pallet_pow_oracle::NetworkSource::Feeds { .. } => {
									assert!(fed, "period {period:?} fixed from feeds");
									assert_eq!(data, self.network[day], "{period:?}: the median");
									if self.last_fixed.0.is_none_or(|last| last <= period.0) {
										self.last_fixed = (Some(period.0), data);
									}
								},
								pallet_pow_oracle::NetworkSource::LastFixed => {
									assert!(!fed, "period {period:?} carried over");
									assert_eq!(data, self.last_fixed.1, "{period:?}: carried over");
									self.totals.carried_network +=
										u32::from(period.0 >= self.first_period);
								},
								other => panic!("{period:?} fixed by {other:?}"),
							}
							assert!(
								self.fixed_network.insert(period.0, data).is_none(),
								"fixed once"
							);
						},
						_ => {},
					}
				},
				RuntimeEvent::Facilities(event) => {
					use pallet_facilities::Event as E;
					match event {
						E::Suspended { .. } => self.totals.suspensions += 1,
						E::Retired { .. } => {
							self.totals.retirements += 1;
							idle += u32::from(in_idle);
						},
						_ => {},
					}
				},
				_ => {},
			}
		}
		// Collateral leaves a series only at a default, drawn to the pot.
		assert_eq!(drawn_events, drawn_defaults, "collateral drawn outside a default at {now}");
		// The pot's real balance (the assets pallet's) moved exactly as the yield pallet says.
		let pot = self.chain.read(|| {
			pallet_assets::Pallet::<Runtime>::balance(PAYOUT_ASSET_ID, RealYield::pot_account())
		});
		assert_eq!(pot + pot_out, self.pot + pot_in, "the pot's balance at {now}");
		self.pot = pot;
		for series in minted_for {
			self.check_mint_within_backing(series);
		}
		self.totals.idle_items += idle;
		self.totals.idle_items_max = self.totals.idle_items_max.max(idle);
	}

	/// Counts `who`'s unit-seconds in `series` up to `now`, then changes its balance.
	fn change_balance(
		&mut self,
		series: SeriesId,
		who: &AccountId,
		amount: u128,
		up: bool,
		now: u64,
	) {
		let book = self.series.get_mut(&series).expect("known");
		let (first, last) = (book.first, book.last);
		let holder = book.holders.entry(who.clone()).or_default();
		accrue(holder, now, first, last);
		if up {
			holder.balance += amount;
		} else {
			holder.balance -= amount;
		}
	}

	/// After a mint: the facility's tokenized hashrate is at most its average final hashrate
	/// over the backing periods x 80 %, recomputed from the oracle's final outcomes.
	fn check_mint_within_backing(&mut self, series: SeriesId) {
		let facility = self.series[&series].facility;
		let tokenized: u128 = self
			.series
			.values()
			.filter(|s| {
				s.facility == facility && !s.failed && !s.closed && s.last >= self.current_period()
			})
			.map(|s| (s.supply * s.hashrate_per_token).div_ceil(10u128.pow(u32::from(s.decimals))))
			.sum();
		let (as_of, outcomes) = self.chain.read(|| {
			let backing =
				pallet_hashrate_tokens::Backings::<Runtime>::get(FacilityId(facility as u32))
					.expect("a facility that minted has backing");
			let outcomes: Vec<_> = (0..7)
				.map(|back| {
					<PowOracle as hashrate_primitives::PowOracle>::final_outcome(
						FacilityId(facility as u32),
						PeriodIndex(backing.as_of.0 - back),
					)
				})
				.collect();
			(backing.as_of, outcomes)
		});
		let sum: u128 = outcomes
			.iter()
			.map(|o| match o {
				Some(PeriodOutcome::Final(output) | PeriodOutcome::Proven { output, .. }) => {
					output.hashrate.get()
				},
				Some(PeriodOutcome::DefaultedByFacility) => 0,
				None => panic!("backing as of {as_of:?} rests on a period not final"),
			})
			.sum();
		let limit = sum / 7 * 800 / 1_000;
		assert!(
			tokenized <= limit,
			"facility {facility}: {tokenized} milli-TH/s tokenized over a limit of {limit}"
		);
	}

	fn current_period(&self) -> u32 {
		u32::try_from(self.now / DAY).expect("fits")
	}

	/// A period of `series` settled: the obligation recomputed from its inputs must match the
	/// pallet's record, and what was distributed is shared out exactly by unit-seconds.
	fn settle(
		&mut self,
		series: SeriesId,
		period: u32,
		status: PeriodStatus,
		distributed: u128,
		fee: u128,
	) {
		let now = self.now;
		let record = self
			.chain
			.read(|| pallet_real_yield::PeriodYields::<Runtime>::get(series, PeriodIndex(period)))
			.expect("a settled period has a record");
		let facility = self.series[&series].facility;
		let outcome = self.chain.read(|| {
			<PowOracle as hashrate_primitives::PowOracle>::final_outcome(
				FacilityId(facility as u32),
				PeriodIndex(period),
			)
		});
		// No satoshi without a final output or a default behind it.
		let expected = self.expected_final.get(&(facility, period)).copied();
		match (&outcome, expected) {
			(Some(PeriodOutcome::Final(output)), Some(Some(reported))) => {
				assert_eq!(*output, reported, "facility {facility} period {period}: final output")
			},
			(Some(PeriodOutcome::DefaultedByFacility), Some(None) | None) => {},
			other => panic!("facility {facility} period {period} settled with {other:?}"),
		}
		let book = self.series.get_mut(&series).expect("known");
		assert_eq!(book.next, period, "{series:?} settles in order");
		book.next = period + 1;
		let (first, last) = (book.first, book.last);
		for holder in book.holders.values_mut() {
			accrue(holder, now, first, last);
		}
		let supply_seconds: u128 =
			book.holders.values().map(|h| h.seconds.get(&period).copied().unwrap_or(0)).sum();
		assert_eq!(
			record.supply_seconds,
			sp_core::U256::from(supply_seconds),
			"{series:?} period {period}: supply-seconds"
		);
		// The obligation, from its inputs.
		let reference = self.reference_obligation(series, period, supply_seconds, outcome);
		assert_eq!(
			(record.tokenized.get(), record.delivered, record.undelivered, record.cost, record.owed, record.fee),
			reference,
			"{series:?} period {period}: (tokenized, delivered, undelivered, cost, owed, fee) against the reference"
		);
		// What the facility paid is what the test deposited; a period settles as paid exactly
		// when that is all it owes; a default draws what collateral has of the rest and leaves
		// the remainder as debt; its deadline is a week after the oracle made it final, and the
		// chain took it within a block of its deadline.
		let paid = self.ledger.get(&(series, period)).copied().unwrap_or(0);
		assert_eq!(record.paid, paid, "{series:?} period {period}: paid");
		assert_eq!(
			status == PeriodStatus::Paid,
			paid == record.owed,
			"{series:?} period {period}: {status:?} with {paid} of {} paid",
			record.owed
		);
		let holders_owed = record.owed - record.fee;
		let made_final = self.final_at[&(facility, period)];
		assert_eq!(record.final_at, made_final, "{series:?} period {period}: final at");
		assert_eq!(record.deadline, made_final + 7 * DAY, "{series:?} period {period}: deadline");
		let book = self.series.get_mut(&series).expect("known");
		// Due at its deadline, or when the period before it settled, whichever is later.
		let due = record.deadline.max(book.last_settled_at);
		book.last_settled_at = now;
		if status == PeriodStatus::Defaulted {
			assert!(
				now > record.deadline,
				"{series:?} period {period}: defaulted before its deadline"
			);
			assert!(
				now - due <= 12 * 3_600,
				"{series:?} period {period}: defaulted {} s after it was due",
				now - due
			);
			assert_eq!(
				record.debt,
				holders_owed - (paid + record.drawn).min(holders_owed),
				"{series:?} period {period}: debt"
			);
		}
		if record.undelivered > 0
			&& matches!(record.output, pallet_real_yield::FinalOutput::Reported { .. })
		{
			self.totals.undelivered += 1;
		}
		let expected_distribution = match status {
			PeriodStatus::Paid => holders_owed,
			_ => (record.paid + record.drawn).min(holders_owed),
		};
		assert_eq!(distributed, expected_distribution, "{series:?} period {period}: distributed");
		assert_eq!(
			fee,
			record.paid + record.drawn - expected_distribution,
			"{series:?} period {period}: the fee comes after holders"
		);
		let book = self.series.get_mut(&series).expect("known");
		book.distributed += distributed;
		book.fees += fee;
		self.totals.fees += fee;
		self.totals.settled += 1;
		book.settled_seconds.insert(period, supply_seconds);
		let pool = BigUint::from(distributed) * scale() + std::mem::take(&mut book.carry);
		if supply_seconds == 0 {
			book.carry = pool;
			return;
		}
		for holder in book.holders.values_mut() {
			let seconds = holder.seconds.remove(&period).unwrap_or(0);
			if seconds == 0 || supply_seconds == 0 {
				continue;
			}
			holder.periods += 1;
			holder.entitled += &pool * seconds / supply_seconds;
			if record.debt > 0 {
				holder.unpaid += BigUint::from(record.debt) * scale() * seconds / supply_seconds;
			}
		}
	}

	/// The obligation of `series`' `period` computed here, in big integers, from the period's
	/// inputs with the pallet's documented rounding: (tokenized, delivered, undelivered, cost,
	/// owed, fee).
	fn reference_obligation(
		&mut self,
		series: SeriesId,
		period: u32,
		supply_seconds: u128,
		outcome: Option<PeriodOutcome>,
	) -> (u128, u128, u128, u128, u128, u128) {
		let length = big(DAY);
		let book = &self.series[&series];
		let unit = big(10u32).pow(u32::from(book.decimals));
		// T = ceil(supply-seconds x hashrate per token / (10^decimals x length)).
		let tokenized =
			ceil_div(big(supply_seconds) * big(book.hashrate_per_token), &unit * &length);
		let day = self.day_of(period) as usize;
		let network = self.network_as_fixed(day);
		// E(h) = floor(h x 10^9 hashes x length x reward / (difficulty x 2^32)).
		let expected = |h: &BigUint| -> BigUint {
			h * big(1_000_000_000u64) * &length * big(network.reward_per_block.get())
				/ (big(network.difficulty.get()) << 32)
		};
		let mut shared = false;
		let (delivered, undelivered) = match outcome.expect("settled periods are final") {
			PeriodOutcome::Final(output) | PeriodOutcome::Proven { output, .. } => {
				let h = big(output.hashrate.get());
				// The facility's series share `h` pro rata to their tokenized weight when they
				// tokenized more than it.
				let facility = book.facility;
				let weight = |s: &SeriesBook, seconds: u128| {
					big(seconds)
						* big(s.hashrate_per_token)
						* big(10u32).pow(u32::from(18 - s.decimals))
				};
				let now = self.now;
				let mut total_weight = BigUint::zero();
				for (id, sibling) in self.series.iter_mut() {
					if sibling.facility != facility
						|| period < sibling.first
						|| period > sibling.last
						|| sibling.failed
					{
						continue;
					}
					let (first, last) = (sibling.first, sibling.last);
					for holder in sibling.holders.values_mut() {
						accrue(holder, now, first, last);
					}
					let seconds: u128 = if *id == series {
						supply_seconds
					} else if let Some(seconds) = sibling.settled_seconds.get(&period) {
						*seconds
					} else {
						sibling
							.holders
							.values()
							.map(|h| h.seconds.get(&period).copied().unwrap_or(0))
							.sum()
					};
					total_weight += weight(sibling, seconds);
				}
				let book = &self.series[&series];
				let capacity = &h * big(10u32).pow(18) * &length;
				let share = if total_weight > capacity {
					shared = true;
					&h * weight(book, supply_seconds) / &total_weight
				} else {
					h.clone()
				};
				let delivered_hashrate = (&tokenized).min(&share).clone();
				let delivered = if h.is_zero() {
					BigUint::zero()
				} else {
					ceil_div(big(output.sats.get()) * &delivered_hashrate, h.clone())
				};
				(delivered, expected(&(&tokenized - &delivered_hashrate)))
			},
			PeriodOutcome::DefaultedByFacility => (BigUint::zero(), expected(&tokenized)),
		};
		let book = &self.series[&series];
		let cost = big(book.cost_per_th_day) * &tokenized * &length / big(86_400_000u64);
		let gross = &delivered + &undelivered;
		let owed = if gross > cost { gross - &cost } else { BigUint::zero() };
		let fee = &owed * big(20u32) / big(1_000u32);
		self.totals.shared += u32::from(shared);
		let n = |v: BigUint| v.to_u128().expect("fits");
		(n(tokenized), n(delivered), n(undelivered), n(cost), n(owed), n(fee))
	}

	/// The network data the chain prices `day` at: what the feeders fed, or, for a day nobody
	/// fed, the last value fixed before it.
	fn network_as_fixed(&self, day: usize) -> NetworkData {
		self.fixed_network[&(self.first_period + day as u32)]
	}

	/// A repayment of `amount` left `debt`: every holder's unpaid debt is repaid the same
	/// fraction (all of it when the debt is gone).
	fn repay(&mut self, series: SeriesId, amount: u128, debt: u128) {
		let book = self.series.get_mut(&series).expect("known");
		book.deposited += amount;
		book.repaid += amount;
		book.debt -= amount;
		assert_eq!(book.debt, debt, "{series:?}: debt after a repayment");
		self.totals.deposited += amount;
		self.totals.repaid += amount;
		let unpaid: BigUint = book.holders.values().map(|h| h.unpaid.clone()).sum();
		if unpaid.is_zero() {
			return;
		}
		let offered = BigUint::from(amount) * scale();
		for holder in book.holders.values_mut() {
			let credit = if debt == 0 || offered >= unpaid {
				holder.unpaid.clone()
			} else {
				&offered * &holder.unpaid / &unpaid
			};
			holder.unpaid -= &credit;
			holder.entitled += credit;
		}
	}

	/// After each day: every series' money adds up to the satoshi, every holder's claimable
	/// is its exact share, storage holds only what is live.
	fn check_day(&mut self) {
		let ids: Vec<SeriesId> = self.series.keys().copied().collect();
		for series in ids {
			let book = &self.series[&series];
			if !book.issued || book.pruned {
				continue;
			}
			let holders: Vec<AccountId> = book.holders.keys().cloned().collect();
			let (state, count, waiting, claimables, records) = self.chain.read(|| {
				let state = pallet_real_yield::SeriesYields::<Runtime>::get(series)
					.expect("an issued series has a record");
				let count = pallet_real_yield::SeriesHolders::<Runtime>::get(series);
				let waiting: u128 = pallet_real_yield::PeriodYields::<Runtime>::iter_prefix(series)
					.filter(|(p, _)| *p >= state.next)
					.map(|(_, r)| r.paid)
					.sum();
				let claimables: Vec<u128> = holders
					.iter()
					.map(|who| {
						let earned = RealYield::earned_now(who, series);
						let record =
							pallet_real_yield::HolderYields::<Runtime>::contains_key(who, series);
						assert_eq!(record, earned.is_some(), "{series:?}: {who}'s record reads");
						earned.map_or(0, |e| (e / pallet_real_yield::index_scale()).as_u128())
					})
					.collect();
				let records = holders
					.iter()
					.filter(|who| {
						pallet_real_yield::HolderYields::<Runtime>::contains_key(*who, series)
					})
					.count() as u128;
				(state, count, waiting, claimables, records)
			});
			let book = &self.series[&series];
			// The books and the pallet agree on every flow.
			assert_eq!(
				(
					state.deposited,
					state.drawn,
					state.claimed,
					state.fees,
					state.debt,
					state.repaid,
					state.distributed
				),
				(
					book.deposited,
					book.drawn,
					book.claimed,
					book.fees,
					book.debt,
					book.repaid,
					book.distributed
				),
				"{series:?}: (deposited, drawn, claimed, fees, debt, repaid, distributed)"
			);
			// deposited (repayments included) + drawn == claimed + floored claimables + dust +
			// fees + carried + waiting, with dust below a sat per holder record (+ the carry's
			// and the advance's fractions).
			let claimable: u128 = claimables.iter().sum();
			let carried = (state.carry / pallet_real_yield::index_scale()).as_u128();
			let inflow = state.deposited + state.drawn;
			let accounted = state.claimed + claimable + state.fees + carried + waiting;
			assert!(
				inflow >= accounted,
				"{series:?}: {inflow} paid in, {accounted} accounted for: more than was paid in"
			);
			let dust = inflow - accounted;
			// Below a sat per record floored, the carry's and the advance's fractions, and the
			// rests of removed records waiting for the next settlement.
			let rests = (count.rest / pallet_real_yield::index_scale()).as_u128() + 1;
			assert!(
				dust <= records + 2 + rests,
				"{series:?}: dust of {dust} sats over {records} holder records"
			);
			self.totals.max_dust = self.totals.max_dust.max(dust);
			// The sum paid never exceeds what was distributed (and repaid).
			assert!(state.claimed <= state.distributed + state.repaid);
			// Each holder: claimed + claimable within a sat per settled period of its exact share.
			for (i, who) in holders.iter().enumerate() {
				let holder = &book.holders[who];
				let got = BigUint::from(claimables[i] + holder.claimed) * scale();
				let exact = &holder.entitled;
				// Never a whole sat short of its exact share (what a claim floors); above it by
				// at most a sat per period (the sub-satoshi rests of records removed, shared with
				// the next distribution; rates rounded up by less than 10^-36 sat).
				let (error, short) =
					if &got >= exact { (&got - exact, false) } else { (exact - &got, true) };
				let error_sats = (error / scale()).to_u128().expect("fits");
				assert!(
					if short {
						error_sats == 0
					} else {
						error_sats <= u128::from(holder.periods) + 1
					},
					"{series:?}: holder {who} has {} claimed + claimable, exactly {} (x 10^-36)",
					claimables[i] + holder.claimed,
					holder.entitled
				);
				self.totals.max_share_error = self.totals.max_share_error.max(error_sats);
			}
		}
	}
}

/// Counts `holder`'s unit-seconds up to `now`, period by period, within the term
/// `[first, last]`.
fn accrue(holder: &mut HolderBook, now: u64, first: u32, last: u32) {
	let from = holder.since.max(period_start(first));
	let to = now.min(period_start(last + 1));
	if holder.balance > 0 {
		let mut t = from;
		while t < to {
			let period = u32::try_from(t / DAY).expect("fits");
			let end = period_start(period + 1).min(to);
			*holder.seconds.entry(period).or_default() += holder.balance * u128::from(end - t);
			t = end;
		}
	}
	holder.since = holder.since.max(now);
}

fn big(value: impl Into<u128>) -> BigUint {
	BigUint::from(value.into())
}

fn ceil_div(a: BigUint, b: BigUint) -> BigUint {
	(a + &b - 1u32) / b
}

/// What a block of the daily schedule is for.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Slot {
	/// Feeds, prompt reports and attestations of the period that just ended.
	Oracle,
	/// Series and offerings opened (offering days).
	Offerings,
	/// A batch of subscriptions (offering days).
	Subscriptions(u32),
	/// Disputes, resolutions, resumptions, retirement.
	Governance,
	/// Facilities pay what their periods owe, repay debt, withdraw proceeds.
	Deposits,
	/// Late reports; holders of a finished series claim and burn; refunds.
	Evening,
	/// Holders trade, transfer and claim.
	Holders,
}

fn call<C: Into<RuntimeCall>>(signer: impl Into<Signer>, call: C) -> (Signer, RuntimeCall) {
	(signer.into(), call.into())
}

fn sudo(inner: impl Into<RuntimeCall>) -> (Signer, RuntimeCall) {
	call(Sr25519Keyring::Alice, pallet_sudo::Call::sudo { call: Box::new(inner.into()) })
}

impl Sim {
	fn n(&self) -> u32 {
		self.scenario.periods
	}
	/// Round-two offerings open on this day.
	fn second_round(&self) -> u32 {
		self.n() / 2
	}
	/// The last period of the main series (their settlement completes within the run).
	fn main_term_end(&self) -> u32 {
		self.n() - 14
	}
	fn silent(&self, f: usize, day: u32) -> bool {
		let n = self.n();
		self.facilities[f].behaviour == Behaviour::SilentStretches
			&& ((n / 4..n / 4 + 2).contains(&day) || (n / 2 + 5..n / 2 + 10).contains(&day))
	}
	fn over_report_day(&self) -> u32 {
		FIRST_OFFERINGS + 6
	}
	fn unpaid_stretch(&self) -> std::ops::Range<u32> {
		FIRST_OFFERINGS + 5..FIRST_OFFERINGS + 17
	}
	fn missing_network_day(&self) -> u32 {
		let day = self.n() / 3 + 1;
		if day.is_multiple_of(14) {
			day + 1
		} else {
			day
		}
	}
	fn status(&mut self, f: usize) -> Option<hashrate_primitives::FacilityStatus> {
		self.chain.read(|| {
			<Facilities as hashrate_primitives::FacilityInspect<_, _>>::status(FacilityId(f as u32))
		})
	}

	/// Runs the scenario day by day.
	fn run(&mut self) {
		for day in 0..self.n() {
			let end = period_start(self.first_period + day + 1);
			let mut schedule = vec![
				(end + 600, Slot::Oracle),
				(end + 6 * 3_600, Slot::Governance),
				(end + 12 * 3_600, Slot::Deposits),
				(end + 18 * 3_600, Slot::Evening),
			];
			if day == FIRST_OFFERINGS || day == self.second_round() {
				schedule.push((end + 2 * 3_600, Slot::Offerings));
				for batch in 0..30 {
					schedule.push((
						end + 2 * 3_600 + 600 * (batch + 1),
						Slot::Subscriptions(batch as u32),
					));
				}
			}
			for _ in 0..3 {
				schedule.push((end + self.rng.between(700, DAY - 700), Slot::Holders));
			}
			schedule.sort();
			for (time, slot) in schedule {
				match slot {
					Slot::Oracle => self.oracle_block(time, day),
					Slot::Offerings => self.offerings_block(time, day),
					Slot::Subscriptions(batch) => self.subscriptions_block(time, day, batch),
					Slot::Governance => self.governance_block(time, day),
					Slot::Deposits => self.deposits_block(time, day),
					Slot::Evening => self.evening_block(time, day),
					Slot::Holders => self.holders_block(time),
				}
			}
			self.check_day();
		}
	}

	/// What attestor `a` observes of facility `f`'s output: the truth, but for the drifting
	/// attestor (its sats drift up 0.2 % a day) and, on the over-report day, the three that
	/// read the facility's falsified statement.
	fn observation(
		&self,
		a: usize,
		f: usize,
		day: u32,
		truth: PeriodOutput,
		reported: PeriodOutput,
	) -> PeriodOutput {
		if a == 3 {
			let sats = u128::from(truth.sats.get()) * u128::from(1_000 + 2 * day) / 1_000;
			return PeriodOutput { sats: Sats(u64::try_from(sats).expect("fits")), ..truth };
		}
		if self.facilities[f].behaviour == Behaviour::OverReporter
			&& day == self.over_report_day()
			&& a < 3
		{
			return reported;
		}
		truth
	}

	fn report_calls(&mut self, f: usize, day: u32) -> Vec<(Signer, RuntimeCall)> {
		let period = PeriodIndex(self.first_period + day);
		if self.silent(f, day) {
			self.expected_final.insert((f, period.0), None);
			return Vec::new();
		}
		let truth = self.output_of(f, day);
		let reported = if self.facilities[f].behaviour == Behaviour::OverReporter
			&& day == self.over_report_day()
		{
			let inflate = |v: u128| v * 112 / 100;
			PeriodOutput {
				hashrate: Hashrate(inflate(truth.hashrate.get())),
				sats: Sats(u64::try_from(inflate(u128::from(truth.sats.get()))).expect("fits")),
				energy: Energy(
					u64::try_from(inflate(u128::from(truth.energy.get()))).expect("fits"),
				),
				..truth
			}
		} else {
			truth
		};
		self.true_output.insert((f, period.0), truth);
		self.expected_final.insert((f, period.0), Some(truth));
		let facility = FacilityId(f as u32);
		let mut calls = vec![call(
			self.facilities[f].reporter.clone(),
			pallet_pow_oracle::Call::report { facility, period, output: reported },
		)];
		for a in 0..self.attestors.len() {
			if !self.attestors[a].1 {
				continue;
			}
			let output = self.observation(a, f, day, truth, reported);
			calls.push(call(
				self.attestors[a].0.clone(),
				pallet_pow_oracle::Call::attest { facility, period, output },
			));
		}
		calls
	}

	fn reports(&mut self, f: usize) -> bool {
		self.status(f).is_some_and(|s| s.reports())
	}

	fn oracle_block(&mut self, time: u64, day: u32) {
		let period = PeriodIndex(self.first_period + day);
		let mut calls = Vec::new();
		if day == self.missing_network_day() {
			self.fed[day as usize] = false;
		} else {
			for feeder in [Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie] {
				calls.push(call(
					feeder,
					pallet_pow_oracle::Call::feed_network_data {
						period,
						data: self.network[day as usize],
					},
				));
			}
		}
		for f in 0..self.facilities.len() {
			if self.facilities[f].behaviour == Behaviour::LateReporter || !self.reports(f) {
				continue;
			}
			calls.extend(self.report_calls(f, day));
		}
		self.oracle_calls(time, calls);
	}

	/// Submits feeds, reports and attestations: each succeeds, but for the drifting attestor's
	/// once its strikes removed it (the removal may come within the block).
	fn oracle_calls(&mut self, time: u64, calls: Vec<(Signer, RuntimeCall)>) {
		let drifting = Sr25519Keyring::DaveStash.to_account_id();
		let described: Vec<_> =
			calls.iter().map(|(s, c)| (s.account(), format!("{c:?}"))).collect();
		for (i, outcome) in self.block(time, calls).into_iter().enumerate() {
			match outcome {
				Ok(_) => {},
				Err(failure)
					if described[i].0 == drifting && failure.name() == Some("NotAttestor") => {},
				Err(failure) => panic!("{} failed: {failure:?}", described[i].1),
			}
		}
	}

	fn evening_block(&mut self, time: u64, day: u32) {
		let mut calls = Vec::new();
		for f in 0..self.facilities.len() {
			if self.facilities[f].behaviour == Behaviour::LateReporter && day > 0 && self.reports(f)
			{
				calls.extend(self.report_calls(f, day - 1));
			}
		}
		// Holders of a series whose every period settled claim what is left and burn; a
		// failed offering's subscribers take their money back.
		let mut next_block = Vec::new();
		let finished: Vec<SeriesId> = self
			.series
			.iter()
			.filter(|(_, s)| {
				s.issued
					&& !s.closed && s.next > s.last
					&& self.facilities[s.facility].behaviour == Behaviour::Retires
			})
			.map(|(id, _)| *id)
			.collect();
		for series in finished {
			let accounts: Vec<AccountId> = self.series[&series].holders.keys().cloned().collect();
			for who in accounts {
				let balance = self.series[&series].holders[&who].balance;
				let claimable = self.claimable(&who, series);
				let record = self.chain.read(|| {
					pallet_real_yield::HolderYields::<Runtime>::contains_key(&who, series)
				});
				let signer = self.signer_of(&who);
				// A claim pays what is left and removes a record with nothing else in it.
				if claimable > 0 || (record && balance == 0) {
					calls.push(call(signer.clone(), pallet_real_yield::Call::claim { series }));
				}
				if balance > 0 {
					calls.push(call(
						signer,
						pallet_hashrate_tokens::Call::burn { series, amount: balance },
					));
				}
			}
			next_block.push(call(
				self.holders[0].clone(),
				pallet_hashrate_tokens::Call::close_series { series },
			));
		}
		let failed: Vec<SeriesId> = self
			.series
			.iter()
			.filter(|(_, s)| s.failed && !s.subscribers.is_empty())
			.map(|(id, _)| *id)
			.collect();
		let mut cancel = Vec::new();
		for series in failed {
			let subscribers =
				std::mem::take(&mut self.series.get_mut(&series).expect("known").subscribers);
			for who in subscribers {
				calls.push(call(
					self.holders[0].clone(),
					pallet_hashrate_tokens::Call::refund { series, who },
				));
			}
			// Refunded, the facility cancels the series (its collateral comes back).
			let operator = self.facilities[self.series[&series].facility].operator.clone();
			cancel.push(call(operator, pallet_hashrate_tokens::Call::cancel_series { series }));
		}
		let (reports, others): (Vec<_>, Vec<_>) =
			calls.into_iter().partition(|(_, c)| matches!(c, RuntimeCall::PowOracle(_)));
		self.oracle_calls(time, reports);
		self.block_ok(time + 30, others, "burns, refunds");
		if !cancel.is_empty() {
			self.block_ok(time + 45, cancel, "cancelling a failed series");
		}
		if !next_block.is_empty() {
			self.block_ok(time + 60, next_block, "closing finished series");
		}
		// A closed series' records are pruned, at most `MAX_PRUNE` a call, until none is left.
		{
			let closed: Vec<SeriesId> = self
				.series
				.iter()
				.filter(|(_, s)| s.closed && s.issued && !s.pruned)
				.map(|(id, _)| *id)
				.collect();
			let prune = closed
				.into_iter()
				.map(|series| {
					call(self.holders[0].clone(), pallet_real_yield::Call::prune_series { series })
				})
				.collect();
			let prune: Vec<_> = prune;
			if !prune.is_empty() {
				self.block_ok(time + 120, prune, "pruning closed series");
			}
		}
	}

	fn signer_of(&self, who: &AccountId) -> Signer {
		self.holders[self.holder_index[who]].clone()
	}

	fn claimable(&mut self, who: &AccountId, series: SeriesId) -> u128 {
		self.chain.read(|| {
			RealYield::earned_now(who, series)
				.map(|e| (e / pallet_real_yield::index_scale()).as_u128())
				.unwrap_or(0)
		})
	}

	/// An offering day: each facility that issues creates a series (hard cap a share of the
	/// room its backing leaves, soft cap 10 tokens — all of it for the offering that is to
	/// fail), locks a week of the hard cap's expected owed output and a fifth more as
	/// collateral, and opens the offering until the day before the term starts.
	fn offerings_block(&mut self, time: u64, day: u32) {
		let first = self.first_period + day + 3;
		let mut plans = Vec::new();
		for f in 0..self.facilities.len() {
			let behaviour = self.facilities[f].behaviour;
			let second = day == self.second_round();
			let issues = if second {
				matches!(behaviour, Behaviour::TwoSeries | Behaviour::Honest)
			} else {
				behaviour != Behaviour::NoSeries
			};
			if !issues || self.status(f) != Some(hashrate_primitives::FacilityStatus::Active) {
				continue;
			}
			let view = self.chain.read(|| HashrateTokens::backing(FacilityId(f as u32)));
			let room = view.limit.get().saturating_sub(view.tokenized.get());
			let mut hard_cap = room * if second { 4 } else { 6 } / 10 / 1_000;
			if matches!(behaviour, Behaviour::DebtThenRepays | Behaviour::PartialPayer) {
				// Sized to sell out: its collateral, a week of the hard cap's output and a
				// fifth more, runs out within the periods it does not pay in full.
				hard_cap = hard_cap.min(u128::from(self.scenario.holders) * 3);
			}
			if hard_cap < 100 {
				continue;
			}
			let last = if behaviour == Behaviour::Retires {
				first + self.n() / 4
			} else {
				self.first_period + self.main_term_end()
			};
			let soft_cap = if behaviour == Behaviour::FailedOffering { hard_cap } else { 10 };
			let cost = if f % 3 == 0 { 10 } else { 0 };
			plans.push((f, hard_cap, soft_cap, last, cost));
		}
		let calls = plans
			.iter()
			.map(|&(f, hard_cap, _, last, cost)| {
				let symbol = format!("SIM{f}D{day}");
				call(
					self.facilities[f].operator.clone(),
					pallet_hashrate_tokens::Call::create_series {
						facility: FacilityId(f as u32),
						terms: SeriesTerms {
							name: BoundedVec::truncate_from(
								format!("Simulated {f} day {day}").into_bytes(),
							),
							symbol: BoundedVec::truncate_from(symbol.into_bytes()),
							decimals: 6,
							hashrate_per_token: Hashrate(Hashrate::MILLI_PER_TH),
							first_period: PeriodIndex(first),
							last_period: PeriodIndex(last),
							cost_per_th_day: Sats(cost),
							supply_cap: hard_cap * TOKEN,
							min_balance: TOKEN,
						},
					},
				)
			})
			.collect();
		self.block_ok(time, calls, "series created");
		let network = self.network[day as usize];
		let mut calls = Vec::new();
		for (f, hard_cap, soft_cap, _, cost) in plans {
			let series = *self
				.series
				.iter()
				.find(|(_, s)| s.facility == f && s.first == first)
				.expect("created")
				.0;
			// A week of expected owed output of the hard cap, and a fifth more.
			let hashrate = Hashrate(hard_cap * Hashrate::MILLI_PER_TH);
			let expected = u128::from(
				physics::expected_sats(hashrate, DAY, network.difficulty, network.reward_per_block)
					.expect("fits")
					.get(),
			);
			let owed = expected - u128::from(cost) * hard_cap;
			let collateral = owed * 7 * 12 / 10;
			let operator = self.facilities[f].operator.clone();
			calls.push(call(
				operator.clone(),
				pallet_hashrate_tokens::Call::add_collateral { series, amount: collateral },
			));
			calls.push(call(
				operator,
				pallet_hashrate_tokens::Call::open_offering {
					series,
					terms: OfferingTerms {
						price: PRICE,
						closes: period_start(first - 1),
						soft_cap: soft_cap * TOKEN,
						hard_cap: hard_cap * TOKEN,
						min_subscription: TOKEN,
					},
				},
			));
		}
		self.block_ok(time + 60, calls, "collateral and offerings");
	}

	/// The offerings opened today (their series start three days later) and their facilities'
	/// behaviours.
	fn open_offerings(&mut self, day: u32) -> Vec<(SeriesId, Behaviour)> {
		let first = self.first_period + day + 3;
		self.series
			.iter()
			.filter(|(_, s)| s.first == first)
			.map(|(id, s)| (*id, self.facilities[s.facility].behaviour))
			.collect()
	}

	fn subscriptions_block(&mut self, time: u64, day: u32, batch: u32) {
		let offerings = self.open_offerings(day);
		if offerings.is_empty() {
			return;
		}
		let holders = self.holders.len() as u32;
		let per_batch = holders.div_ceil(30);
		let from = batch * per_batch;
		let to = (from + per_batch).min(holders);
		let second = day == self.second_round();
		let mut calls = Vec::new();
		for i in from..to {
			if second && self.rng.below(10) >= 3 {
				continue;
			}
			let picks = if second { 1 } else { 1 + self.rng.below(2) };
			let mut chosen = BTreeSet::new();
			for _ in 0..picks {
				let candidates: Vec<_> =
					offerings.iter().filter(|(_, b)| *b != Behaviour::FailedOffering).collect();
				let (series, _) = candidates[self.rng.below(candidates.len() as u64) as usize];
				chosen.insert(*series);
			}
			// The failed offering gets a handful of subscribers, far from its soft cap.
			if i < 5 {
				if let Some((series, _)) =
					offerings.iter().find(|(_, b)| *b == Behaviour::FailedOffering)
				{
					chosen.insert(*series);
				}
			}
			let who = self.holders[i as usize].account();
			let mut spendable = self
				.chain
				.read(|| pallet_assets::Pallet::<Runtime>::balance(PAYOUT_ASSET_ID, &who));
			for series in chosen {
				let amount = self.rng.between(5, 60) as u128 * TOKEN;
				// A holder spends what it has, keeping something for fees of the asset.
				let cost = amount / TOKEN * PRICE;
				if spendable < cost + 10_000 {
					continue;
				}
				spendable -= cost;
				calls.push(call(
					self.holders[i as usize].clone(),
					pallet_hashrate_tokens::Call::subscribe { series, amount },
				));
			}
		}
		// Each subscription goes through, unless its offering sold out before it.
		let described: Vec<_> = calls.iter().map(|(_, c)| format!("{c:?}")).collect();
		for (i, outcome) in self.block(time, calls).into_iter().enumerate() {
			match outcome {
				Ok(_) => {},
				Err(failure)
					if matches!(
						failure.name(),
						Some("CapExceeded" | "OfferingClosed" | "OfferingNotOpen")
					) => {},
				Err(failure) => panic!("subscriptions: {} failed: {failure:?}", described[i]),
			}
		}
	}

	fn governance_block(&mut self, time: u64, day: u32) {
		let mut calls = Vec::new();
		let n = self.n();
		for f in 0..self.facilities.len() {
			let behaviour = self.facilities[f].behaviour;
			let facility = FacilityId(f as u32);
			match behaviour {
				Behaviour::OverReporter if day == self.over_report_day() => {
					let period = PeriodIndex(self.first_period + day);
					let truth = self.true_output[&(f, period.0)];
					calls.push(call(
						Sr25519Keyring::EveStash,
						pallet_pow_oracle::Call::dispute { facility, period },
					));
					calls.push(sudo(pallet_pow_oracle::Call::resolve_dispute {
						facility,
						period,
						correction: Some(truth),
					}));
				},
				Behaviour::SilentStretches
					if day == n / 2 + 13
						&& self.status(f)
							== Some(hashrate_primitives::FacilityStatus::Suspended) =>
				{
					calls.push(sudo(pallet_facilities::Call::resume { facility }));
				},
				Behaviour::Retires if day == FIRST_OFFERINGS + 8 => {
					calls.push(call(
						self.facilities[f].operator.clone(),
						pallet_facilities::Call::retire { facility },
					));
				},
				_ => {},
			}
		}
		if calls.is_empty() {
			return;
		}
		self.block_ok(time, calls, "governance");
		// Attestors the correction removed are appointed again (with a new bond).
		let removed: Vec<AccountId> =
			self.attestors.iter().filter(|(_, a)| !a).map(|(s, _)| s.account()).collect();
		if day == self.over_report_day() && !removed.is_empty() {
			let calls = removed
				.into_iter()
				.filter(|a| *a != Sr25519Keyring::DaveStash.to_account_id())
				.map(|attestor| sudo(pallet_pow_oracle::Call::add_attestor { attestor }))
				.collect();
			self.block_ok(time + 60, calls, "attestors appointed again");
		}
	}

	fn deposits_block(&mut self, time: u64, day: u32) {
		let now = time;
		let ids: Vec<SeriesId> =
			self.series.iter().filter(|(_, s)| s.issued && !s.closed).map(|(id, _)| *id).collect();
		let mut calls = Vec::new();
		for series in ids {
			let (f, next, last) = {
				let s = &self.series[&series];
				(s.facility, s.next, s.last)
			};
			let behaviour = self.facilities[f].behaviour;
			let operator = self.facilities[f].operator.clone();
			let records: Vec<_> = self.chain.read(|| {
				(next..=last)
					.filter_map(|p| {
						pallet_real_yield::PeriodYields::<Runtime>::get(series, PeriodIndex(p))
							.map(|r| (p, r))
					})
					.collect()
			});
			for (period, record) in records {
				if record.status != PeriodStatus::Open || record.owed == record.paid {
					continue;
				}
				let pday = self.day_of(period);
				let target = match behaviour {
					_ if self.expected_final.get(&(f, period)) == Some(&None) => 0,
					Behaviour::PaysAtDeadline => {
						if record.deadline > now && record.deadline - now < DAY {
							record.owed
						} else {
							0
						}
					},
					Behaviour::PartialPayer if pday >= 16 => record.owed * 7 / 10,
					Behaviour::DebtThenRepays if self.unpaid_stretch().contains(&pday) => 0,
					_ => record.owed,
				};
				if target > record.paid && record.deadline >= now {
					*self.ledger.entry((series, period)).or_default() += target - record.paid;
					calls.push(call(
						operator.clone(),
						pallet_real_yield::Call::deposit {
							series,
							period: PeriodIndex(period),
							amount: target - record.paid,
						},
					));
				}
			}
			// The facility in debt repays it in two instalments late in the run.
			let debt = self.series[&series].debt;
			if behaviour == Behaviour::DebtThenRepays && debt > 0 {
				if day == self.n() - 20 {
					calls.push(call(
						operator.clone(),
						pallet_real_yield::Call::repay_debt { series, amount: debt * 4 / 10 },
					));
				} else if day == self.n() - 17 {
					calls.push(call(
						operator.clone(),
						pallet_real_yield::Call::repay_debt { series, amount: debt },
					));
				}
			}
			if day == FIRST_OFFERINGS + 3 || day == self.second_round() + 3 {
				let proceeds = self.chain.read(|| {
					pallet_hashrate_tokens::Offerings::<Runtime>::get(series).is_some_and(|o| {
						o.escrowed > 0
							&& o.state == pallet_hashrate_tokens::OfferingState::Succeeded
					})
				});
				if proceeds {
					calls.push(call(
						operator,
						pallet_hashrate_tokens::Call::withdraw_proceeds { series },
					));
				}
			}
		}
		self.block_ok(time, calls, "deposits");
		if day == self.n() - 17 {
			for f in 0..self.facilities.len() {
				if self.facilities[f].behaviour == Behaviour::DebtThenRepays
					&& self.status(f) == Some(hashrate_primitives::FacilityStatus::Suspended)
				{
					self.block_ok(
						time + 60,
						vec![sudo(pallet_facilities::Call::resume {
							facility: FacilityId(f as u32),
						})],
						"resuming the facility that repaid",
					);
				}
			}
		}
	}

	/// Holders act: sell (tokens one way, bitcoin the other), give, claim.
	fn holders_block(&mut self, time: u64) {
		let current = self.current_period();
		let live: Vec<SeriesId> = self
			.series
			.iter()
			.filter(|(_, s)| s.issued && !s.closed && s.last >= current)
			.map(|(id, _)| *id)
			.collect();
		if live.is_empty() {
			return;
		}
		let actions = (self.holders.len() / 40).max(3);
		let mut calls = Vec::new();
		let mut touched = BTreeSet::new();
		for _ in 0..actions {
			let i = self.rng.below(self.holders.len() as u64) as usize;
			let who = self.holders[i].account();
			if !touched.insert(who.clone()) {
				continue;
			}
			let roll = self.rng.below(100);
			if roll < 60 {
				// One of the live series it holds.
				let held: Vec<(SeriesId, u128)> = live
					.iter()
					.map(|s| (*s, self.series[s].holders.get(&who).map_or(0, |h| h.balance)))
					.filter(|(_, balance)| *balance >= TOKEN)
					.collect();
				if held.is_empty() {
					continue;
				}
				let (series, balance) = held[self.rng.below(held.len() as u64) as usize];
				let tokens = balance / TOKEN;
				let amount = if tokens >= 2 && self.rng.below(2) == 0 {
					tokens / 2 * TOKEN
				} else {
					balance
				};
				let j = self.rng.below(self.holders.len() as u64) as usize;
				let to = self.holders[j].account();
				if to == who || !touched.insert(to.clone()) {
					continue;
				}
				calls.push(call(
					self.holders[i].clone(),
					pallet_hashrate_tokens::Call::transfer { series, to: to.clone(), amount },
				));
				let price = amount / TOKEN * PRICE * 9 / 10;
				let buyer = self.holders[j].account();
				let can_pay = self
					.chain
					.read(|| pallet_assets::Pallet::<Runtime>::balance(PAYOUT_ASSET_ID, &buyer))
					>= price + 10_000;
				if roll < 35 && can_pay {
					// A sale: the buyer pays in the payout asset.
					calls.push(call(
						self.holders[j].clone(),
						pallet_assets::Call::transfer_keep_alive {
							id: Compact(PAYOUT_ASSET_ID),
							target: who.clone().into(),
							amount: price,
						},
					));
					self.totals.sales += 1;
				} else {
					self.totals.transfers += 1;
				}
			} else {
				// Some claim whenever they look, some now and then, some never.
				let often = i % 10 < 3;
				let never = i % 10 == 9;
				if never || (!often && self.rng.below(5) != 0) {
					continue;
				}
				let pending = self.chain.read(|| RealYield::pending_yield(who.clone()));
				for yield_ in pending {
					if yield_.claimable > 0 {
						calls.push(call(
							self.holders[i].clone(),
							pallet_real_yield::Call::claim { series: yield_.series },
						));
						self.totals.claims += 1;
					}
				}
			}
		}
		// Every transfer goes through: no holder is refused for a settlement backlog.
		self.block_ok(time, calls, "holders' transfers, sales and claims");
	}

	/// At the end: nothing of a series that is no longer live is left in any pallet, every
	/// holder record holds something, and every behaviour happened.
	fn check_end(&mut self) {
		assert!(
			self.series.values().any(|s| s.pruned),
			"the retiring facility's series was closed and pruned"
		);
		// Pruned, or cancelled after its offering failed.
		let gone: Vec<SeriesId> = self
			.series
			.iter()
			.filter(|(_, s)| s.pruned || (s.closed && !s.issued))
			.map(|(id, _)| *id)
			.collect();
		for series in gone {
			let left = self.chain.read(|| {
				let mut left = Vec::new();
				if pallet_real_yield::SeriesYields::<Runtime>::contains_key(series) {
					left.push("SeriesYields");
				}
				if pallet_real_yield::PeriodYields::<Runtime>::iter_prefix(series).next().is_some()
				{
					left.push("PeriodYields");
				}
				if pallet_real_yield::SeriesHolders::<Runtime>::contains_key(series) {
					left.push("SeriesHolders");
				}
				if pallet_real_yield::HolderYields::<Runtime>::iter_keys().any(|(_, s)| s == series)
				{
					left.push("HolderYields");
				}
				if pallet_real_yield::DueQueue::<Runtime>::iter_keys().any(|(_, s)| s == series) {
					left.push("yield DueQueue");
				}
				if pallet_hashrate_tokens::Series::<Runtime>::contains_key(series) {
					left.push("Series");
				}
				if pallet_hashrate_tokens::Offerings::<Runtime>::contains_key(series) {
					left.push("Offerings");
				}
				if pallet_hashrate_tokens::Subscriptions::<Runtime>::iter_prefix(series)
					.next()
					.is_some()
				{
					left.push("Subscriptions");
				}
				if pallet_hashrate_tokens::Holdings::<Runtime>::iter_keys()
					.any(|(_, s)| s == series)
				{
					left.push("Holdings");
				}
				if pallet_hashrate_tokens::FacilitySeries::<Runtime>::iter_values()
					.any(|l| l.contains(&series))
				{
					left.push("FacilitySeries");
				}
				if pallet_hashrate_tokens::DueQueue::<Runtime>::iter_keys()
					.any(|(_, s)| s == series)
				{
					left.push("tokens DueQueue");
				}
				left
			});
			assert!(left.is_empty(), "{series:?} is closed and pruned, yet {left:?} still hold it");
		}
		// Every holder record is live: tokens, unsettled time, unpaid debt or a sat to claim.
		let empty = self.chain.read(|| {
			pallet_real_yield::HolderYields::<Runtime>::iter()
				.filter(|(who, series, record)| {
					HashrateTokens::balance(*series, who) == 0
						&& record.accrual.unsettled.is_empty()
						&& record.debt.unpaid.is_zero()
						&& RealYield::earned_now(who, *series)
							.is_some_and(|e| e < pallet_real_yield::index_scale())
				})
				.count()
		});
		assert_eq!(empty, 0, "holder records with nothing in them");
		let t = &self.totals;
		assert!(t.offerings_succeeded >= 2 && t.offerings_failed >= 1, "{t:?}");
		assert!(t.suspensions >= 2 && t.retirements == 1 && t.disputes_corrected == 1, "{t:?}");
		assert!(t.attestors_removed >= 1 && t.debt > 0 && t.repaid > 0 && t.drawn > 0, "{t:?}");
		assert!(t.undelivered > 0 && t.shared > 0 && t.carried_network == 1, "{t:?}");
		let f6_debt: u128 = self
			.series
			.values()
			.filter(|s| self.facilities[s.facility].behaviour == Behaviour::DebtThenRepays)
			.map(|s| s.debt)
			.sum();
		assert_eq!(f6_debt, 0, "the facility that went into debt repaid all of it");
	}

	/// Storage keys of each domain pallet, for the table.
	fn storage_keys(&mut self) -> Vec<(&'static str, usize)> {
		self.chain.read(|| {
			["Facilities", "PowOracle", "HashrateTokens", "RealYield"]
				.into_iter()
				.map(|pallet| {
					let prefix = sp_io::hashing::twox_128(pallet.as_bytes()).to_vec();
					let mut count = 0;
					let mut key = prefix.clone();
					while let Some(next) = sp_io::storage::next_key(&key) {
						if !next.starts_with(&prefix) {
							break;
						}
						count += 1;
						key = next;
					}
					(pallet, count)
				})
				.collect()
		})
	}

	/// The totals table.
	fn print_totals(&mut self, elapsed: std::time::Duration) {
		let unclaimed: u128 = self
			.series
			.keys()
			.copied()
			.collect::<Vec<_>>()
			.into_iter()
			.map(|series| {
				let holders: Vec<AccountId> =
					self.series[&series].holders.keys().cloned().collect();
				holders.iter().map(|who| self.claimable(who, series)).sum::<u128>()
			})
			.sum();
		let keys = self.storage_keys();
		let t = &self.totals;
		let debt_left: u128 = self.series.values().map(|s| s.debt).sum();
		println!(
			"simulated {} periods, {} holders, seed {} in {:.1?}",
			self.scenario.periods, self.scenario.holders, self.scenario.seed, elapsed
		);
		println!("| what | figure |\n|---|---|");
		for (what, figure) in [
			(
				"blocks (of which session changes, full)",
				format!("{} ({})", t.blocks, t.session_blocks),
			),
			("transactions", t.transactions.to_string()),
			(
				"offerings succeeded / failed",
				format!("{} / {}", t.offerings_succeeded, t.offerings_failed),
			),
			("series-periods settled", t.settled.to_string()),
			("deposited, sats (repayments included)", t.deposited.to_string()),
			("drawn from collateral, sats", t.drawn.to_string()),
			("debt incurred, sats", t.debt.to_string()),
			("debt repaid, sats", t.repaid.to_string()),
			("debt left, sats", debt_left.to_string()),
			("protocol fees, sats", t.fees.to_string()),
			("claimed, sats", t.claimed.to_string()),
			("unclaimed (claimable), sats", unclaimed.to_string()),
			("largest dust of a series, sats", t.max_dust.to_string()),
			("largest holder error vs exact share, sats", t.max_share_error.to_string()),
			("defaulted series-periods (yield)", t.defaults.to_string()),
			("defaulted facility-periods (oracle)", t.oracle_defaults.to_string()),
			("suspensions", t.suspensions.to_string()),
			("attestor strikes / removals", format!("{} / {}", t.strikes, t.attestors_removed)),
			("disputes corrected", t.disputes_corrected.to_string()),
			("retirements", t.retirements.to_string()),
			("sales / transfers / claims", format!("{} / {} / {}", t.sales, t.transfers, t.claims)),
			("holder records removed (emptied)", t.records_removed.to_string()),
			("periods whose network data was carried over", t.carried_network.to_string()),
			(
				"series-periods with hashrate undelivered / shared among series",
				format!("{} / {}", t.undelivered, t.shared),
			),
			(
				"lifecycle steps on_idle took, all / most in a block",
				format!("{} / {}", t.idle_items, t.idle_items_max),
			),
		] {
			println!("| {what} | {figure} |");
		}
		for (pallet, keys) in keys {
			let (what, figure) = (format!("storage keys of {pallet} at the end"), keys.to_string());
			println!("| {what} | {figure} |");
		}
	}
}

/// Runs `scenario`; a failure names the seed to rerun.
fn simulate(scenario: Scenario) {
	let started = std::time::Instant::now();
	let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
		let mut sim = Sim::new(scenario);
		sim.run();
		sim.check_end();
		sim.print_totals(started.elapsed());
	}));
	if let Err(panic) = result {
		eprintln!(
			"the simulation failed with seed {}: rerun it with SIM_SEED={} (periods {}, holders {})",
			scenario.seed, scenario.seed, scenario.periods, scenario.holders
		);
		std::panic::resume_unwind(panic);
	}
}

fn seed(default: u64) -> u64 {
	std::env::var("SIM_SEED").ok().map_or(default, |s| s.parse().expect("SIM_SEED is a number"))
}

/// Sixty days, 200 holders: every behaviour of the year, in CI.
#[test]
fn sixty_simulated_days() {
	simulate(Scenario { periods: 60, holders: 200, seed: seed(18) });
}

/// The year: 365 days, 1,000 holders. `scripts/simulate-year.sh` runs it.
#[test]
#[ignore = "the full year takes minutes: scripts/simulate-year.sh"]
fn a_simulated_year() {
	simulate(Scenario { periods: 365, holders: 1_000, seed: seed(2_027) });
}
