//! A test runtime: system, timestamp, balances, `pallet-assets` with the payout asset, the
//! real facility registry and this pallet. The oracle, the yield pallet's settlement and debt
//! records and its balance-change hook are test doubles driven by the tests (the oracle's own
//! behaviour is tested in its pallet and end to end).

use crate as pallet_hashrate_tokens;
use crate::*;
use core::cell::RefCell;
use frame_support::{
	assert_ok, derive_impl, parameter_types,
	traits::{
		fungible::ItemOf, tokens::imbalance::ResolveTo, AsEnsureOriginWithArg, ConstU128, ConstU32,
		ConstU64,
	},
	PalletId,
};
use frame_system::{EnsureRoot, EnsureSigned};
use hashrate_primitives::{
	Difficulty, Efficiency, Hashrate, NetworkData, PeriodIndex, PeriodOutcome, PeriodOutput, Power,
	Sats,
};
use pallet_facilities::{
	Documents, EnergyShare, EnergySource, FleetRow, Location, PoolAccount, Profile, SiteSpec,
};
use polkadot_sdk::{pallet_assets, pallet_balances, pallet_timestamp, sp_core::H256, sp_io};
use sp_runtime::{BuildStorage, DispatchError, Weight};
use std::collections::{BTreeMap, BTreeSet};

/// Wide enough for the pallet's two sub-accounts to differ (`modl hr/token` + `escr` / `coll`).
pub type AccountId = u128;
pub type Balance = u128;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Balances: pallet_balances,
		Assets: pallet_assets,
		Facilities: pallet_facilities,
		Tokens: pallet_hashrate_tokens,
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
	type ExistentialDeposit = ConstU128<10>;
	type RuntimeHoldReason = RuntimeHoldReason;
}

impl pallet_timestamp::Config for Test {
	type Moment = u64;
	type OnTimestampSet = ();
	type MinimumPeriod = ConstU64<1>;
	type WeightInfo = ();
}

#[derive_impl(pallet_assets::config_preludes::TestDefaultConfig)]
impl pallet_assets::Config for Test {
	type Balance = Balance;
	type AssetId = u32;
	type AssetIdParameter = u32;
	type Currency = Balances;
	type CreateOrigin = AsEnsureOriginWithArg<EnsureSigned<AccountId>>;
	type ForceOrigin = EnsureRoot<AccountId>;
	type Freezer = ();
	type Holder = ();
}

pub const TREASURY: AccountId = 999;
pub const OPERATOR: AccountId = 1;
pub const REPORTER: AccountId = 2;
pub const BUYERS: [AccountId; 4] = [11, 12, 13, 14];
pub const ALICE: AccountId = BUYERS[0];
pub const BOB: AccountId = BUYERS[1];
pub const CAROL: AccountId = BUYERS[2];
/// Holds native tokens but none of the payout asset.
pub const BROKE: AccountId = 5;
/// Holds the payout asset but no native tokens beyond the existential deposit.
pub const POOR: AccountId = 6;
pub const ISSUER: AccountId = 100;
pub const ENDOWMENT: Balance = 10_000_000;
pub const PAYOUT: u32 = 1;
/// The payout asset's minimum balance, sats.
pub const PAYOUT_MIN: Balance = 1_000;
/// Payout asset each buyer and the operator start with: 10 BTC.
pub const SATS: Balance = 1_000_000_000;
pub const APPROVAL_DEPOSIT: Balance = 100;
pub const PERIOD: u64 = 600;
pub const FACILITY: FacilityId = FacilityId(0);

parameter_types! {
	pub const Treasury: AccountId = TREASURY;
	pub const FacilitiesMinEfficiency: Efficiency = Efficiency(9_000);
	pub const TokensPalletId: PalletId = PalletId(*b"hr/token");
	pub const PayoutAssetId: u32 = PAYOUT;
}

impl pallet_facilities::Config for Test {
	type Time = Timestamp;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type GovernanceOrigin = EnsureRoot<AccountId>;
	type OnSlash = ResolveTo<Treasury, Balances>;
	type DepositBase = ConstU128<1_000>;
	type DepositPerTerahash = ConstU128<1>;
	type MinPlausibleEfficiency = FacilitiesMinEfficiency;
	type MaxReporters = ConstU32<3>;
	type MaxFleetRows = ConstU32<4>;
	type Attestors = ();
	type ScriptRetention = frame_support::traits::ConstU64<{ 30 * 86_400 }>;
	type WeightInfo = ();
}

impl Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type PayoutAsset = ItemOf<Assets, PayoutAssetId, AccountId>;
	type Time = Timestamp;
	type Facilities = Facilities;
	type Oracle = TestOracle;
	type Obligations = TestObligations;
	type OnBalanceChange = RecordChanges;
	type GovernanceOrigin = EnsureRoot<AccountId>;
	type PalletId = TokensPalletId;
	type ApprovalDeposit = ConstU128<APPROVAL_DEPOSIT>;
	type MaxSeriesPerFacility = ConstU32<3>;
	type MaxSubscribers = ConstU32<4>;
	type MaxTermPeriods = ConstU32<1_000>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockHelper;
}

/// What the test oracle, the test settlement records and the hook hold.
#[derive(Default)]
pub struct World {
	pub finals: BTreeMap<(FacilityId, PeriodIndex), PeriodOutcome>,
	pub network: BTreeMap<PeriodIndex, NetworkData>,
	pub unsettled: BTreeSet<SeriesId>,
	pub debt: BTreeMap<FacilityId, PayoutBalance>,
	/// (series, account, balance before, balance after) per balance hook.
	pub changes: Vec<(SeriesId, AccountId, TokenBalance, TokenBalance)>,
	/// Series whose supply was about to change, with the supply they still had.
	pub supply_changes: Vec<(SeriesId, TokenBalance)>,
	pub hook_fails: bool,
}

std::thread_local! {
	pub static WORLD: RefCell<World> = RefCell::new(World::default());
}

pub fn world<R>(f: impl FnOnce(&mut World) -> R) -> R {
	WORLD.with(|w| f(&mut w.borrow_mut()))
}

/// Periods of [`PERIOD`] seconds from unix second 0, like the oracle's genesis schedule.
pub struct TestOracle;
impl PowOracle for TestOracle {
	fn current_period() -> PeriodIndex {
		PeriodIndex((Tokens::now() / PERIOD) as u32)
	}
	fn period_bounds(period: PeriodIndex) -> Option<(u64, u64)> {
		let start = u64::from(period.0).checked_mul(PERIOD)?;
		Some((start, start.checked_add(PERIOD)?))
	}
	fn period_at(time: u64) -> Option<PeriodIndex> {
		Some(PeriodIndex((time / PERIOD) as u32))
	}
	fn proof_deadline(period: PeriodIndex) -> Option<u64> {
		Some(Self::period_bounds(period)?.1)
	}
	fn network_data(period: PeriodIndex) -> Option<NetworkData> {
		world(|w| w.network.get(&period).copied())
	}
	fn final_outcome(facility: FacilityId, period: PeriodIndex) -> Option<PeriodOutcome> {
		world(|w| w.finals.get(&(facility, period)).copied())
	}
	fn average_final_hashrate(
		facility: FacilityId,
		before: PeriodIndex,
		k: u32,
	) -> Option<Hashrate> {
		let first = before.0.checked_sub(k)?;
		let mut total = 0u128;
		for index in first..before.0 {
			total += Self::final_outcome(facility, PeriodIndex(index))?
				.output()
				.map_or(0, |output| output.hashrate.get());
		}
		Some(Hashrate(total / u128::from(k)))
	}
	fn finality_horizon() -> u64 {
		0
	}
	fn shortest_period_length() -> u64 {
		PERIOD
	}
}

pub struct TestObligations;
impl SeriesObligations for TestObligations {
	fn is_settled(series: SeriesId) -> bool {
		world(|w| !w.unsettled.contains(&series))
	}
	fn debt(facility: FacilityId) -> PayoutBalance {
		world(|w| w.debt.get(&facility).copied().unwrap_or_default())
	}
}

/// Records each account passed to the hook with the balance it still had and the one it is
/// about to have.
pub struct RecordChanges;
pub const HOOK_WEIGHT: Weight = Weight::from_parts(1_000, 10);
impl OnTokenBalanceChange<AccountId> for RecordChanges {
	fn before_balance_change(
		series: SeriesId,
		who: &AccountId,
		new_balance: TokenBalance,
	) -> Result<Weight, DispatchError> {
		if world(|w| w.hook_fails) {
			return Err(DispatchError::Other("yield records unavailable"));
		}
		let balance = Holdings::<Test>::get(who, series);
		world(|w| w.changes.push((series, *who, balance, new_balance)));
		Ok(HOOK_WEIGHT)
	}
	fn max_weight() -> Weight {
		HOOK_WEIGHT
	}
	fn before_supply_change(series: SeriesId) -> Result<Weight, DispatchError> {
		if world(|w| w.hook_fails) {
			return Err(DispatchError::Other("yield records unavailable"));
		}
		let supply = Series::<Test>::get(series).map_or(0, |record| record.supply);
		world(|w| w.supply_changes.push((series, supply)));
		Ok(HOOK_WEIGHT)
	}
	fn max_supply_weight() -> Weight {
		HOOK_WEIGHT
	}
}

#[cfg(feature = "runtime-benchmarks")]
pub struct MockHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for MockHelper {
	fn set_now(secs: u64) {
		set_now(secs);
	}
	fn finalize_periods(facility: FacilityId, before: PeriodIndex, count: u32, hashrate_ths: u128) {
		for index in before.0.saturating_sub(count)..before.0 {
			finalize(facility, PeriodIndex(index), hashrate_ths);
			world(|w| w.network.insert(PeriodIndex(index), network()));
		}
	}
	fn fund_payout(who: &AccountId, amount: PayoutBalance) {
		assert_ok!(Assets::mint(RuntimeOrigin::signed(ISSUER), PAYOUT, *who, amount));
	}
	fn settle_periods(series: SeriesId) {
		world(|w| w.unsettled.remove(&series));
	}
}

/// Late-2025-like network data: difficulty 1.493 x 10^14, 3.158 BTC per block.
pub fn network() -> NetworkData {
	NetworkData { difficulty: Difficulty(149_301_205_959_699), reward_per_block: Sats(315_800_000) }
}

/// Records `facility`'s `period` as final at `ths` TH/s (without telling the pallet).
pub fn finalize(facility: FacilityId, period: PeriodIndex, ths: u128) {
	let output = PeriodOutput {
		hashrate: Hashrate::from_ths(ths).unwrap(),
		sats: Sats(0),
		energy: hashrate_primitives::Energy(0),
		uptime: 1000,
		pool_fee: 20,
		evidence: H256::zero(),
	};
	world(|w| w.finals.insert((facility, period), PeriodOutcome::Final(output)));
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

/// Unix second at which the tests start: 2025-11-24 16:00 UTC, the start of a period.
pub const T0: u64 = 1_764_000_000;
/// The period that starts at [`T0`].
pub const P0: PeriodIndex = PeriodIndex((T0 / PERIOD) as u32);

pub fn set_now(secs: u64) {
	Timestamp::set_timestamp(secs * 1_000);
}

/// Rules of the tests: a 3-period average, 80 % tokenizable, 2 periods of collateral,
/// backing at most 8 periods old, 100 s of close grace.
pub fn rules() -> IssuanceRules {
	IssuanceRules {
		backing_periods: 3,
		max_tokenization: 800,
		collateral_periods: 2,
		max_backing_age: 8,
		close_grace: 100,
	}
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut balances = vec![(OPERATOR, ENDOWMENT), (REPORTER, ENDOWMENT), (BROKE, ENDOWMENT)];
	balances.extend(BUYERS.iter().map(|a| (*a, ENDOWMENT)));
	balances.extend([(POOR, 10), (TREASURY, 10), (ISSUER, ENDOWMENT)]);
	pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut accounts = vec![
		(PAYOUT, OPERATOR, SATS),
		(PAYOUT, REPORTER, SATS),
		(PAYOUT, POOR, SATS),
		(PAYOUT, Tokens::escrow_account(), PAYOUT_MIN),
		(PAYOUT, Tokens::collateral_account(), PAYOUT_MIN),
	];
	accounts.extend(BUYERS.iter().map(|a| (PAYOUT, *a, SATS)));
	pallet_assets::GenesisConfig::<Test> {
		assets: vec![(PAYOUT, ISSUER, true, PAYOUT_MIN)],
		metadata: vec![(PAYOUT, b"Bitcoin".to_vec(), b"BTC".to_vec(), 8)],
		accounts,
		next_asset_id: None,
		reserves: vec![],
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_hashrate_tokens::GenesisConfig::<Test> { rules: rules(), ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		set_now(T0);
		WORLD.with(|w| *w.borrow_mut() = World::default());
		assert_ok!(Facilities::register(RuntimeOrigin::signed(OPERATOR), site(), profile()));
		assert_ok!(Facilities::approve(RuntimeOrigin::root(), FACILITY));
		assert_ok!(Facilities::add_reporter(RuntimeOrigin::signed(OPERATOR), FACILITY, REPORTER));
		assert_ok!(Facilities::accept_reporter(RuntimeOrigin::signed(REPORTER), FACILITY));
	});
	ext
}

/// Runs `test`, then checks this pallet's and the facilities' invariants.
pub fn run(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Tokens::do_try_state().expect("token invariants hold");
		pallet_facilities::Pallet::<Test>::do_try_state().expect("facility invariants hold");
	});
}
