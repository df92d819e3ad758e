//! A test runtime: system, timestamp, balances, `pallet-assets` with the payout asset, and
//! this pallet. The token ledger (balances, supply, collateral), the oracle and the facility
//! registry are test doubles driven by the tests; the ledger tells this pallet before every
//! balance change, as the token pallet does (the real wiring is tested end to end).

use crate as pallet_real_yield;
use crate::*;
use core::cell::RefCell;
use frame_support::{
	assert_ok, derive_impl, parameter_types,
	traits::{
		fungible::{ItemOf, Mutate},
		tokens::Preservation,
		AsEnsureOriginWithArg, ConstU128, ConstU32, ConstU64,
	},
	PalletId,
};
use frame_system::{EnsureRoot, EnsureSigned};
use hashrate_primitives::{
	Difficulty, FacilityInspect, FacilityStatus, Hashrate, NetworkData, OnPeriodFinal,
	PeriodOutcome, PeriodOutput, Power, Sats, SeriesEconomics, SeriesStatus, SuspensionReason,
	TokenBalance,
};
use polkadot_sdk::{pallet_assets, pallet_balances, pallet_timestamp, sp_io};
use sp_runtime::{BuildStorage, DispatchError, DispatchResult};
use std::collections::BTreeMap;

/// Wide enough for the pot (`modl hr/yield`) not to collide with test accounts.
pub type AccountId = u128;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Balances: pallet_balances,
		Assets: pallet_assets,
		RealYield: pallet_real_yield,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<u128>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = u128;
	type AccountStore = System;
	type ExistentialDeposit = ConstU128<10>;
}

impl pallet_timestamp::Config for Test {
	type Moment = u64;
	type OnTimestampSet = ();
	type MinimumPeriod = ConstU64<1>;
	type WeightInfo = ();
}

#[derive_impl(pallet_assets::config_preludes::TestDefaultConfig)]
impl pallet_assets::Config for Test {
	type Balance = u128;
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
/// Where the test ledger keeps collateral.
pub const COLLATERAL: AccountId = 7;
pub const ALICE: AccountId = 11;
pub const BOB: AccountId = 12;
pub const CAROL: AccountId = 13;
pub const DAVE: AccountId = 14;
pub const HOLDERS: [AccountId; 4] = [ALICE, BOB, CAROL, DAVE];
/// Holds no payout asset.
pub const NOBODY: AccountId = 20;
pub const ISSUER: AccountId = 100;
pub const PAYOUT: u32 = 1;
/// The payout asset's minimum balance, sats.
pub const PAYOUT_MIN: u128 = 1_000;
/// Payout asset the operator and holders start with: 10 BTC.
pub const SATS: u128 = 1_000_000_000;
pub const PERIOD: u64 = 600;
pub const FACILITY: FacilityId = FacilityId(0);
pub const SERIES: SeriesId = SeriesId(0);
/// The sample series' term: periods 10..=19.
pub const FIRST: PeriodIndex = PeriodIndex(10);
pub const LAST: PeriodIndex = PeriodIndex(19);
/// Chain time when tests start: the middle of period 8.
pub const T0: u64 = 8 * PERIOD + PERIOD / 2;
/// One token = 1 PH/s (10^6 milli-TH/s); no decimals.
pub const HASHRATE_PER_TOKEN: u128 = 1_000_000;
pub const DIFFICULTY: u128 = 149_301_205_959_699;
pub const REWARD: u64 = 315_800_000;
pub const MAX_UNSETTLED: u32 = 12;
/// The oracle's longest time from a period's end to its finality: five periods.
pub const FINALITY_HORIZON: u64 = 5 * PERIOD;

/// The test chain's payment rules: two periods to pay (five periods to finality, two to pay
/// and two more: nine of the twelve periods a record keeps).
pub fn rules() -> YieldRules {
	YieldRules { payment_window: 2 * PERIOD, ..YieldRules::default() }
}

parameter_types! {
	/// [`MAX_UNSETTLED`] in tests; a production-sized record (production rules, a week to
	/// pay in 600-s periods) for the generated test that builds the default genesis.
	pub static UnsettledKept: u32 = 1_024;
	pub const Treasury: AccountId = TREASURY;
	pub const YieldPalletId: PalletId = PalletId(*b"hr/yield");
	pub const PayoutAssetId: u32 = PAYOUT;
}

impl Config for Test {
	type PayoutAsset = ItemOf<Assets, PayoutAssetId, AccountId>;
	type Time = Timestamp;
	type Series = Ledger;
	type Collateral = Ledger;
	type Oracle = TestOracle;
	type Facilities = TestFacilities;
	type GovernanceOrigin = EnsureRoot<AccountId>;
	type PalletId = YieldPalletId;
	type FeeDestination = Treasury;
	type MaxUnsettledPeriods = UnsettledKept;
	type MaxFacilitySeries = ConstU32<4>;
	type MaxClaimBatch = ConstU32<4>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockHelper;
}

/// A series in the test ledger.
#[derive(Clone, Debug)]
pub struct Book {
	pub economics: SeriesEconomics,
	pub supply: TokenBalance,
	pub balances: BTreeMap<AccountId, TokenBalance>,
	pub collateral: PayoutBalance,
}

/// What the test ledger, oracle and registry hold.
#[derive(Default)]
pub struct World {
	pub books: BTreeMap<SeriesId, Book>,
	pub finals: BTreeMap<(FacilityId, PeriodIndex), PeriodOutcome>,
	pub network: BTreeMap<PeriodIndex, NetworkData>,
	pub statuses: BTreeMap<FacilityId, FacilityStatus>,
	pub suspensions: Vec<(FacilityId, SuspensionReason)>,
	/// Obligations recorded with the registry (the debt's, here).
	pub obligations: BTreeMap<FacilityId, u32>,
}

std::thread_local! {
	pub static WORLD: RefCell<World> = RefCell::new(World::default());
}

pub fn world<R>(f: impl FnOnce(&mut World) -> R) -> R {
	WORLD.with(|w| f(&mut w.borrow_mut()))
}

/// The token ledger: balances change only through [`mint`], [`move_tokens`] and [`burn`],
/// which call the hook first, as the token pallet does.
pub struct Ledger;
impl SeriesInspect<AccountId> for Ledger {
	fn status(series: SeriesId) -> Option<SeriesStatus> {
		world(|w| w.books.get(&series).map(|_| SeriesStatus::Issued))
	}
	fn economics(series: SeriesId) -> Option<SeriesEconomics> {
		world(|w| w.books.get(&series).map(|b| b.economics))
	}
	fn supply(series: SeriesId) -> TokenBalance {
		world(|w| w.books.get(&series).map_or(0, |b| b.supply))
	}
	fn balance(series: SeriesId, who: &AccountId) -> TokenBalance {
		world(|w| {
			w.books.get(&series).and_then(|b| b.balances.get(who).copied()).unwrap_or_default()
		})
	}
	fn is_matured(series: SeriesId) -> bool {
		world(|w| w.books.get(&series).map(|b| b.economics.last_period))
			.is_some_and(|last| TestOracle::current_period() > last)
	}
	/// The newest first: benchmarks (whose setups are not rolled back in the test ledger)
	/// need the series they just created within the bound.
	fn facility_series(facility: FacilityId) -> Vec<SeriesId> {
		world(|w| {
			w.books
				.iter()
				.rev()
				.filter(|(_, b)| b.economics.facility == facility)
				.map(|(s, _)| *s)
				.collect()
		})
	}
}

impl SeriesCollateral<AccountId> for Ledger {
	fn collateral(series: SeriesId) -> PayoutBalance {
		world(|w| w.books.get(&series).map_or(0, |b| b.collateral))
	}
	fn draw_collateral(
		series: SeriesId,
		amount: PayoutBalance,
		to: &AccountId,
	) -> Result<PayoutBalance, DispatchError> {
		let drawn = Self::collateral(series).min(amount);
		if drawn > 0 {
			<Test as Config>::PayoutAsset::transfer(
				&COLLATERAL,
				to,
				drawn,
				Preservation::Preserve,
			)?;
			world(|w| w.books.get_mut(&series).expect("series exists").collateral -= drawn);
		}
		Ok(drawn)
	}
}

/// A series of the sample facility: 1 PH/s per token, no decimals, `first..=last`.
pub fn create_series(series: SeriesId, first: PeriodIndex, last: PeriodIndex, cost: u64) {
	let economics = SeriesEconomics {
		facility: FACILITY,
		hashrate_per_token: Hashrate(HASHRATE_PER_TOKEN),
		decimals: 0,
		first_period: first,
		last_period: last,
		cost_per_th_day: Sats(cost),
	};
	world(|w| {
		w.books
			.insert(series, Book { economics, supply: 0, balances: BTreeMap::new(), collateral: 0 })
	});
}

pub fn mint(series: SeriesId, who: AccountId, units: TokenBalance) -> DispatchResult {
	RealYield::before_supply_change(series)?;
	RealYield::before_balance_change(series, &who, Ledger::balance(series, &who) + units)?;
	world(|w| {
		let book = w.books.get_mut(&series).expect("series exists");
		book.supply += units;
		*book.balances.entry(who).or_default() += units;
	});
	Ok(())
}

pub fn move_tokens(
	series: SeriesId,
	from: AccountId,
	to: AccountId,
	units: TokenBalance,
) -> DispatchResult {
	let from_after = Ledger::balance(series, &from).saturating_sub(units);
	let to_after = Ledger::balance(series, &to) + units;
	RealYield::before_balance_change(series, &from, from_after)?;
	RealYield::before_balance_change(series, &to, to_after)?;
	world(|w| {
		let book = w.books.get_mut(&series).expect("series exists");
		let balance = book.balances.entry(from).or_default();
		assert!(*balance >= units, "test moves more than held");
		*balance -= units;
		*book.balances.entry(to).or_default() += units;
	});
	Ok(())
}

pub fn burn(series: SeriesId, who: AccountId, units: TokenBalance) -> DispatchResult {
	RealYield::before_supply_change(series)?;
	RealYield::before_balance_change(series, &who, Ledger::balance(series, &who) - units)?;
	world(|w| {
		let book = w.books.get_mut(&series).expect("series exists");
		book.supply -= units;
		*book.balances.get_mut(&who).expect("holder") -= units;
	});
	Ok(())
}

/// Moves `amount` of the operator's payout asset into the series' collateral.
pub fn add_collateral(series: SeriesId, amount: PayoutBalance) {
	assert_ok!(<Test as Config>::PayoutAsset::transfer(
		&OPERATOR,
		&COLLATERAL,
		amount,
		Preservation::Preserve
	));
	world(|w| w.books.get_mut(&series).expect("series exists").collateral += amount);
}

/// Periods of [`PERIOD`] seconds from unix second 0, like the oracle's genesis schedule.
pub struct TestOracle;
impl PowOracle for TestOracle {
	fn current_period() -> PeriodIndex {
		PeriodIndex((RealYield::now() / PERIOD) as u32)
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
	fn average_final_hashrate(_: FacilityId, _: PeriodIndex, _: u32) -> Option<Hashrate> {
		None
	}
	fn finality_horizon() -> u64 {
		FINALITY_HORIZON
	}
	fn shortest_period_length() -> u64 {
		PERIOD
	}
}

pub fn network() -> NetworkData {
	NetworkData { difficulty: Difficulty(DIFFICULTY), reward_per_block: Sats(REWARD) }
}

/// The oracle makes the facility's `period` final (hashrate in milli-TH/s) and announces it.
pub fn finalize(period: PeriodIndex, hashrate: u128, sats: u64) {
	let output = PeriodOutput {
		hashrate: Hashrate(hashrate),
		sats: Sats(sats),
		uptime: 1_000,
		..Default::default()
	};
	announce(period, PeriodOutcome::Final(output));
}

/// The oracle makes the facility's `period` final in proven mode: `sats` final, of which
/// `proven` shown by Bitcoin payouts.
pub fn finalize_proven(period: PeriodIndex, hashrate: u128, sats: u64, proven: u64) {
	let output = PeriodOutput {
		hashrate: Hashrate(hashrate),
		sats: Sats(sats),
		uptime: 1_000,
		..Default::default()
	};
	announce(period, PeriodOutcome::Proven { output, proven: Sats(proven) });
}

/// The oracle defaults the facility's `period` (no report) and announces it.
pub fn finalize_defaulted(period: PeriodIndex) {
	announce(period, PeriodOutcome::DefaultedByFacility);
}

fn announce(period: PeriodIndex, outcome: PeriodOutcome) {
	world(|w| {
		w.finals.insert((FACILITY, period), outcome);
		w.network.insert(period, network());
	});
	<RealYield as OnPeriodFinal>::on_period_final(FACILITY, period, &outcome);
}

pub struct TestFacilities;
impl FacilityInspect<AccountId, u128> for TestFacilities {
	fn status(facility: FacilityId) -> Option<FacilityStatus> {
		world(|w| w.statuses.get(&facility).copied())
	}
	fn operator(_: FacilityId) -> Option<AccountId> {
		Some(OPERATOR)
	}
	fn is_reporter(_: FacilityId, _: &AccountId) -> bool {
		false
	}
	fn may_report(_: FacilityId, who: &AccountId) -> bool {
		*who == OPERATOR
	}
	fn hashrate_capacity(_: FacilityId) -> Option<Hashrate> {
		None
	}
	fn fleet_efficiency(_: FacilityId) -> Option<hashrate_primitives::Efficiency> {
		None
	}
	fn power_capacity(_: FacilityId) -> Option<Power> {
		None
	}
	fn deposit(_: FacilityId) -> Option<u128> {
		None
	}
	fn obligations(_: FacilityId) -> Option<u32> {
		None
	}
	fn active_since(_: FacilityId) -> Option<u64> {
		None
	}
	fn next_facility_id() -> FacilityId {
		world(|w| FacilityId(w.statuses.keys().last().map_or(0, |last| last.0.saturating_add(1))))
	}
}
impl FacilityControl<AccountId, u128> for TestFacilities {
	fn suspend(facility: FacilityId, reason: SuspensionReason) -> DispatchResult {
		world(|w| {
			w.statuses.insert(facility, FacilityStatus::Suspended);
			w.suspensions.push((facility, reason));
		});
		Ok(())
	}
	fn slash_deposit(_: FacilityId, _: u128) -> Result<u128, DispatchError> {
		Ok(0)
	}
	fn add_obligation(facility: FacilityId) -> DispatchResult {
		world(|w| *w.obligations.entry(facility).or_default() += 1);
		Ok(())
	}
	fn release_obligation(facility: FacilityId) -> DispatchResult {
		world(|w| {
			let count = w.obligations.entry(facility).or_default();
			if *count == 0 {
				return Err(DispatchError::Other("no obligation to release"));
			}
			*count -= 1;
			Ok(())
		})
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_active_facility(_: AccountId) -> Result<FacilityId, DispatchError> {
		Ok(FACILITY)
	}
}

/// Benchmarks drive the same test doubles.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockHelper;
#[cfg(feature = "runtime-benchmarks")]
impl BenchmarkHelper<AccountId> for MockHelper {
	fn set_now(secs: u64) {
		set_now(secs);
	}
	fn issued_series(holders: u32, periods: u32) -> (SeriesId, Vec<AccountId>) {
		let first = PeriodIndex(TestOracle::current_period().0 + 1);
		let last = PeriodIndex(first.0 + periods - 1);
		let series = SeriesId(world(|w| w.books.len() as u32) + 100);
		create_series(series, first, last, 0);
		let accounts: Vec<AccountId> = (0..holders).map(|i| 10_000 + u128::from(i)).collect();
		for who in &accounts {
			assert_ok!(mint(series, *who, 100));
		}
		(series, accounts)
	}
	fn transfer(series: SeriesId, from: &AccountId, to: &AccountId, units: u128) {
		assert_ok!(move_tokens(series, *from, *to, units));
	}
	fn finalize(series: SeriesId, period: PeriodIndex, hashrate_ths: u128, sats: u64) {
		let _ = series;
		finalize(period, hashrate_ths * 1_000, sats);
	}
	fn finalize_defaulted(_: SeriesId, period: PeriodIndex) {
		finalize_defaulted(period);
	}
	fn add_collateral(series: SeriesId, amount: PayoutBalance) {
		add_collateral(series, amount);
	}
	fn fund_payout(who: &AccountId, amount: PayoutBalance) {
		assert_ok!(Assets::mint(RuntimeOrigin::signed(ISSUER), PAYOUT, *who, amount));
	}
}

pub fn set_now(secs: u64) {
	pallet_timestamp::Now::<Test>::put(secs * 1_000);
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	UnsettledKept::set(MAX_UNSETTLED);
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut balances = vec![(OPERATOR, 1_000_000), (ISSUER, 1_000_000), (TREASURY, 1_000)];
	balances.extend(HOLDERS.iter().map(|a| (*a, 1_000_000)));
	pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut accounts = vec![
		(PAYOUT, OPERATOR, SATS),
		(PAYOUT, COLLATERAL, PAYOUT_MIN),
		(PAYOUT, TREASURY, PAYOUT_MIN),
		(PAYOUT, RealYield::pot_account(), PAYOUT_MIN),
	];
	accounts.extend(HOLDERS.iter().map(|a| (PAYOUT, *a, SATS)));
	pallet_assets::GenesisConfig::<Test> {
		assets: vec![(PAYOUT, ISSUER, true, PAYOUT_MIN)],
		metadata: vec![(PAYOUT, b"Bitcoin".to_vec(), b"BTC".to_vec(), 8)],
		accounts,
		next_asset_id: None,
		reserves: vec![],
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_real_yield::GenesisConfig::<Test> { rules: rules(), ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		set_now(T0);
		WORLD.with(|w| *w.borrow_mut() = World::default());
		world(|w| w.statuses.insert(FACILITY, FacilityStatus::Active));
	});
	ext
}

/// Runs `test` in a fresh externality, then checks the pallet's invariants.
pub fn run(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		RealYield::do_try_state().expect("invariants hold");
	});
}
