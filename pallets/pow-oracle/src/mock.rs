//! A test runtime: system, timestamp, balances, the real facility registry and this pallet.

use crate as pallet_pow_oracle;
use crate::*;
use frame_support::{
	assert_ok, derive_impl, parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU32, ConstU64},
	PalletId,
};
use hashrate_primitives::{Difficulty, Efficiency, Energy, Hashrate, Power, Sats};
use pallet_facilities::{
	Documents, EnergyShare, EnergySource, FleetRow, Location, PoolAccount, Profile, SiteSpec,
};
use polkadot_sdk::{pallet_balances, pallet_timestamp, sp_core::H256, sp_io};
use sp_runtime::{BuildStorage, Permill, Weight};

pub type AccountId = u64;
pub type Balance = u64;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Balances: pallet_balances,
		Facilities: pallet_facilities,
		Oracle: pallet_pow_oracle,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	/// Above 1, so paying fee shares out of the pot must mind the existential deposit.
	type ExistentialDeposit = ConstU64<10>;
	type RuntimeHoldReason = RuntimeHoldReason;
}

impl pallet_timestamp::Config for Test {
	type Moment = u64;
	type OnTimestampSet = ();
	type MinimumPeriod = ConstU64<1>;
	type WeightInfo = ();
}

pub const TREASURY: AccountId = 999;
pub const OPERATOR: AccountId = 1;
pub const REPORTER: AccountId = 2;
pub const STRANGER: AccountId = 3;
pub const FEEDERS: [AccountId; 3] = [11, 12, 13];
pub const ATTESTORS: [AccountId; 3] = [21, 22, 23];
/// An account that could become the fourth attestor.
pub const SPARE_ATTESTOR: AccountId = 24;
pub const POOR: AccountId = 5;
pub const ENDOWMENT: Balance = 10_000_000;
/// Not divisible by 2 or 3 attestors: the remainder goes to the treasury.
pub const FEE: Balance = 301;
pub const BOND: Balance = 10_000;
pub const PERIOD: u64 = 600;
pub const WINDOW: u64 = 300;
pub const EXTENSION: u64 = 120;
pub const CHALLENGE: u64 = 200;
pub const RESOLUTION: u64 = 1_000;
pub const DISPUTE_DEPOSIT: Balance = 5_000;
pub const FRAUD_SLASH: Balance = 50_000;
pub const ATTESTOR_SLASH: Balance = 4_000;
pub const FACILITY: FacilityId = FacilityId(0);
/// Periods of outputs kept per facility.
pub const OUTPUT_HISTORY: u32 = 20;
/// Periods of fixed network data kept.
pub const NETWORK_HISTORY: u32 = 50;

parameter_types! {
	pub const Treasury: AccountId = TREASURY;
	pub const FacilitiesMinEfficiency: Efficiency = Efficiency(9_000);
	pub const OraclePalletId: PalletId = PalletId(*b"hr/oracl");
	pub const HashrateTolerance: Permill = Permill::from_percent(5);
	pub const EnergyTolerance: Permill = Permill::from_percent(10);
	pub const PoolLuckTolerance: Permill = Permill::from_percent(20);
	pub const AttestationTolerance: Permill = Permill::from_percent(2);
	pub const ReportTolerance: Permill = Permill::from_percent(5);
	/// Most periods a settlement backlog may span (the yield pallet's records in the runtime).
	pub static MaxBacklogPeriods: u64 = 10_000;
	/// Whether the mock relay is live.
	pub static RelayLive: bool = false;
	/// What the mock relay derives, per span `[start, end)`.
	pub static Relayed: Vec<((u64, u64), hashrate_primitives::RelayedNetworkData)> = Vec::new();
}

/// Settlement limits of a yield pallet keeping [`MaxBacklogPeriods`] periods.
pub struct MockSettlementLimits;
impl hashrate_primitives::SettlementLimits for MockSettlementLimits {
	fn backlog_fits(finality_horizon: u64, period_length: u64) -> bool {
		finality_horizon.div_ceil(period_length.max(1)).saturating_add(2)
			<= MaxBacklogPeriods::get()
	}
}

impl pallet_facilities::Config for Test {
	type Time = Timestamp;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type GovernanceOrigin = frame_system::EnsureRoot<AccountId>;
	type OnSlash = ResolveTo<Treasury, Balances>;
	type DepositBase = ConstU64<1_000>;
	type DepositPerTerahash = ConstU64<1>;
	type MinPlausibleEfficiency = FacilitiesMinEfficiency;
	type MaxReporters = ConstU32<3>;
	type MaxFleetRows = ConstU32<4>;
	type Attestors = Oracle;
	type ScriptRetention = frame_support::traits::ConstU64<{ 30 * 86_400 }>;
	type WeightInfo = ();
}

impl Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Time = Timestamp;
	type Facilities = Facilities;
	type Bitcoin = MockRelay;
	type OnPeriodFinal = RecordFinal;
	type SettlementLimits = MockSettlementLimits;
	type Payouts = MockPayouts;
	type ProvenSumPeriods = ConstU32<PROVEN_SUM_PERIODS>;
	type GovernanceOrigin = frame_system::EnsureRoot<AccountId>;
	type PalletId = OraclePalletId;
	type TreasuryAccount = Treasury;
	type AttestationFee = ConstU64<FEE>;
	type AttestorBond = ConstU64<BOND>;
	type MinFeeds = ConstU32<3>;
	type NetworkHistory = ConstU32<NETWORK_HISTORY>;
	type OutputHistory = ConstU32<OUTPUT_HISTORY>;
	type MaxFeeders = ConstU32<3>;
	type MaxAttestors = ConstU32<4>;
	type MaxConsecutiveMisses = ConstU32<3>;
	type HashrateTolerance = HashrateTolerance;
	type EnergyTolerance = EnergyTolerance;
	type PoolLuckTolerance = PoolLuckTolerance;
	type MaxPoolFee = frame_support::traits::ConstU16<50>;
	type AttestationTolerance = AttestationTolerance;
	type ReportTolerance = ReportTolerance;
	type DisputeDeposit = ConstU64<DISPUTE_DEPOSIT>;
	type FraudSlash = ConstU64<FRAUD_SLASH>;
	type AttestorSlash = ConstU64<ATTESTOR_SLASH>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockClock;
}

/// Sets the mock's timestamp.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockClock;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper for MockClock {
	fn set_now(secs: u64) {
		set_now(secs);
	}
}

/// Periods of the mock's proven-mode running sum.
pub const PROVEN_SUM_PERIODS: u32 = 3;

std::thread_local! {
	/// Proven sats per facility and period.
	pub static PROVEN: core::cell::RefCell<std::collections::BTreeMap<(FacilityId, PeriodIndex), u64>> =
		const { core::cell::RefCell::new(std::collections::BTreeMap::new()) };
	/// The first period of each facility in proven mode.
	pub static PROVEN_MODE_FROM: core::cell::RefCell<std::collections::BTreeMap<FacilityId, PeriodIndex>> =
		const { core::cell::RefCell::new(std::collections::BTreeMap::new()) };
}

/// Payout proofs as the tests set them: [`prove`], [`proven_mode_from`].
pub struct MockPayouts;
impl hashrate_primitives::ProvenPayouts for MockPayouts {
	fn proven(facility: FacilityId, period: PeriodIndex) -> Sats {
		Sats(PROVEN.with(|p| p.borrow().get(&(facility, period)).copied().unwrap_or(0)))
	}
	fn settings(facility: FacilityId, period: PeriodIndex) -> hashrate_primitives::PayoutSettings {
		let proven_mode = PROVEN_MODE_FROM
			.with(|m| m.borrow().get(&facility).is_some_and(|from| period >= *from));
		hashrate_primitives::PayoutSettings { lag: 1, proven_mode, shift: 0 }
	}
	fn read_weight() -> Weight {
		Weight::from_parts(1_000, 0)
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_prove(facility: FacilityId, period: PeriodIndex, sats: Sats) {
		prove(facility, period, sats.get());
	}
}

/// `sats` more proven paid to `facility` and attributed to `period`.
pub fn prove(facility: FacilityId, period: PeriodIndex, sats: u64) {
	PROVEN.with(|p| *p.borrow_mut().entry((facility, period)).or_default() += sats);
}

/// `facility` is in proven mode from `period` on.
pub fn proven_mode_from(facility: FacilityId, period: PeriodIndex) {
	PROVEN_MODE_FROM.with(|m| m.borrow_mut().insert(facility, period));
}

std::thread_local! {
	/// What the oracle announced as final, in order.
	pub static FINAL: core::cell::RefCell<Vec<(FacilityId, PeriodIndex, hashrate_primitives::PeriodOutcome)>> =
		const { core::cell::RefCell::new(Vec::new()) };
}

/// Records the hook's calls in [`FINAL`].
pub struct RecordFinal;
impl OnPeriodFinal for RecordFinal {
	fn on_period_final(
		facility: FacilityId,
		period: PeriodIndex,
		outcome: &hashrate_primitives::PeriodOutcome,
	) {
		FINAL.with(|f| f.borrow_mut().push((facility, period, *outcome)));
	}
	fn weight() -> Weight {
		Weight::zero()
	}
}

pub fn announced() -> Vec<(FacilityId, PeriodIndex, hashrate_primitives::PeriodOutcome)> {
	FINAL.with(|f| f.borrow().clone())
}

fn bytes<const N: u32>(text: &str) -> frame_support::BoundedVec<u8, ConstU32<N>> {
	frame_support::BoundedVec::truncate_from(text.as_bytes().to_vec())
}

/// 500 Antminer S21 Pro (234 TH/s, 15 J/TH), 115 PH/s declared on 2,000 kW.
pub fn site() -> SiteSpec {
	SiteSpec {
		location: Location { country: *b"NO", region: None },
		power_capacity: Power(2_000),
		hashrate_capacity: Hashrate::from_ths(115_000).unwrap(),
		fleet: vec![FleetRow {
			model: bytes("Antminer S21 Pro"),
			units: 500,
			hashrate_per_unit: Hashrate::from_ths(234).unwrap(),
			efficiency: Efficiency::from_j_per_th(15).unwrap(),
		}]
		.try_into()
		.unwrap(),
	}
}

pub fn profile() -> Profile {
	Profile {
		name: bytes("Nordic Hydro Hashing"),
		energy_mix: vec![EnergyShare { source: EnergySource::Hydro, per_mill: 1_000 }]
			.try_into()
			.unwrap(),
		pool: PoolAccount { pool: bytes("Foundry USA"), worker: bytes("nordic") },
		documents: Documents { hash: H256::repeat_byte(1), uri: bytes("ipfs://docs") },
	}
}

/// Late-2025-like network data: difficulty 1.493 x 10^14, 3.158 BTC per block.
pub fn network() -> NetworkData {
	NetworkData { difficulty: Difficulty(149_301_205_959_699), reward_per_block: Sats(315_800_000) }
}

/// 110 PH/s for a 600 s period at 98 % uptime, 2 % pool fee: 290 kWh (the fleet needs at
/// least 275 kWh, the site delivers at most 333), and the network expectation of
/// 32,503 sat gross, 31,852 sat after the pool fee.
pub fn output() -> PeriodOutput {
	PeriodOutput {
		hashrate: Hashrate::from_ths(110_000).unwrap(),
		sats: Sats(31_852),
		energy: Energy(290),
		uptime: 980,
		pool_fee: 20,
		evidence: H256::repeat_byte(0xee),
	}
}

/// Unix second at which the tests start: 2025-11-24 16:00 UTC, the start of a period.
pub const T0: u64 = 1_764_000_000;
/// The period that starts at [`T0`].
pub const P0: PeriodIndex = PeriodIndex((T0 / PERIOD) as u32);

pub fn set_now(secs: u64) {
	Timestamp::set_timestamp(secs * 1_000);
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut balances = vec![(OPERATOR, ENDOWMENT), (REPORTER, ENDOWMENT), (STRANGER, ENDOWMENT)];
	balances.extend(FEEDERS.iter().chain(&ATTESTORS).map(|a| (*a, ENDOWMENT)));
	balances.extend([(SPARE_ATTESTOR, ENDOWMENT), (POOR, 10), (TREASURY, 10)]);
	pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	pallet_pow_oracle::GenesisConfig::<Test> {
		period_length: PERIOD,
		timing: Timing {
			report_window: WINDOW,
			quorum_extension: EXTENSION,
			challenge_window: CHALLENGE,
			resolution_window: RESOLUTION,
		},
		feeders: FEEDERS.to_vec(),
		attestors: ATTESTORS.to_vec(),
		network: network(),
		strike_rules: StrikeRules::default(),
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		// The chain started ten periods before the tests' first period.
		ChainStart::<Test>::put(T0 - 10 * PERIOD);
		// Network data is fixed from the tests' first period on.
		NextToFix::<Test>::put(P0);
		// The facility is approved at T0: the chain closes periods from P0 on.
		CloseCursor::<Test>::put((P0, FacilityId(0)));
		set_now(T0);
		FINAL.with(|f| f.borrow_mut().clear());
		PROVEN.with(|p| p.borrow_mut().clear());
		PROVEN_MODE_FROM.with(|m| m.borrow_mut().clear());
		assert_ok!(Facilities::register(RuntimeOrigin::signed(OPERATOR), site(), profile()));
		assert_ok!(Facilities::approve(RuntimeOrigin::root(), FACILITY));
		assert_ok!(Facilities::add_reporter(RuntimeOrigin::signed(OPERATOR), FACILITY, REPORTER));
		assert_ok!(Facilities::accept_reporter(RuntimeOrigin::signed(REPORTER), FACILITY));
	});
	ext
}

/// Runs `test`, then checks both pallets' invariants.
pub fn run(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Oracle::do_try_state().expect("oracle invariants hold");
		pallet_facilities::Pallet::<Test>::do_try_state().expect("facility invariants hold");
	});
}

/// A Bitcoin relay whose coverage the tests set ([`RelayLive`], [`Relayed`]).
pub struct MockRelay;
impl hashrate_primitives::BitcoinNetworkSource for MockRelay {
	fn is_active() -> bool {
		RelayLive::get()
	}
	fn network_data(start: u64, end: u64) -> Option<hashrate_primitives::RelayedNetworkData> {
		Relayed::get().into_iter().find(|(span, _)| *span == (start, end)).map(|(_, data)| data)
	}
	fn network_data_weight() -> Weight {
		Weight::from_parts(1_000, 0)
	}
}

/// The mock relay covers `period` with `data`.
pub fn relay_covers(period: PeriodIndex, data: hashrate_primitives::RelayedNetworkData) {
	let start = u64::from(period.0) * PERIOD;
	Relayed::mutate(|spans| spans.push(((start, start + PERIOD), data)));
}
