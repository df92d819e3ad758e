//! A test runtime: system, balances and this pallet; governance is root.

use crate as pallet_facilities;
use crate::*;
use frame_support::{
	derive_impl, parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU32, ConstU64},
};
use hashrate_primitives::{Hashrate, Power};
use polkadot_sdk::{pallet_balances, sp_core::H256, sp_io, sp_keystore};
use sp_runtime::BuildStorage;

pub type AccountId = u64;
pub type Balance = u64;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Facilities: pallet_facilities,
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
	type ExistentialDeposit = ConstU64<1>;
	type RuntimeHoldReason = RuntimeHoldReason;
}

pub const TREASURY: AccountId = 999;
/// How long a removed payout script stays its facility's: 30 days.
pub const SCRIPT_RETENTION: u64 = 30 * 86_400;
/// Operators and others, endowed with [`ENDOWMENT`].
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
pub const DAVE: AccountId = 4;
/// Endowed with too little for any deposit.
pub const POOR: AccountId = 5;
pub const ENDOWMENT: Balance = 1_000_000;
pub const DEPOSIT_BASE: Balance = 1_000;
/// Per TH/s of declared capacity.
pub const DEPOSIT_PER_TH: Balance = 1;

parameter_types! {
	pub const Treasury: AccountId = TREASURY;
	pub MinPlausibleEfficiency: Efficiency = Efficiency(9_000);
}

std::thread_local! {
	/// The mock clock, unix seconds.
	pub static NOW: core::cell::Cell<u64> = const { core::cell::Cell::new(1_764_000_000) };
}

/// A clock the tests set through [`NOW`].
pub struct MockTime;
impl frame_support::traits::UnixTime for MockTime {
	fn now() -> core::time::Duration {
		core::time::Duration::from_secs(NOW.with(|now| now.get()))
	}
}

impl Config for Test {
	type Time = MockTime;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type GovernanceOrigin = frame_system::EnsureRoot<AccountId>;
	type OnSlash = ResolveTo<Treasury, Balances>;
	type DepositBase = ConstU64<DEPOSIT_BASE>;
	type DepositPerTerahash = ConstU64<DEPOSIT_PER_TH>;
	type MinPlausibleEfficiency = MinPlausibleEfficiency;
	type MaxReporters = ConstU32<3>;
	type MaxFleetRows = ConstU32<4>;
	type ScriptRetention = ConstU64<SCRIPT_RETENTION>;
	type Attestors = MockAttestors;
	type WeightInfo = ();
}

/// An account in the oracle's attestor set.
pub const ATTESTOR: AccountId = 77;

/// [`ATTESTOR`] is the only attestor.
pub struct MockAttestors;
impl hashrate_primitives::AttestorInspect<AccountId> for MockAttestors {
	fn is_attestor(who: &AccountId) -> bool {
		*who == ATTESTOR
	}
}

fn bytes<const N: u32>(text: &str) -> frame_support::BoundedVec<u8, ConstU32<N>> {
	text.as_bytes().to_vec().try_into().expect("test text fits its bound")
}

/// A fleet row of `units` machines of `ths` TH/s at `j_per_th` J/TH.
pub fn row(model: &str, units: u32, ths: u128, j_per_th: u32) -> FleetRow {
	FleetRow {
		model: bytes(model),
		units,
		hashrate_per_unit: Hashrate::from_ths(ths).unwrap(),
		efficiency: Efficiency::from_j_per_th(j_per_th).unwrap(),
	}
}

/// 500 Antminer S21 Pro (234 TH/s, 15 J/TH) = 117 PH/s drawing 1,755 kW; declared
/// 115 PH/s on a 2,000 kW site in Vestland, Norway.
pub fn site() -> SiteSpec {
	SiteSpec {
		location: Location { country: *b"NO", region: Some(bytes("46")) },
		power_capacity: Power(2_000),
		hashrate_capacity: Hashrate::from_ths(115_000).unwrap(),
		fleet: vec![row("Antminer S21 Pro", 500, 234, 15)].try_into().unwrap(),
	}
}

/// Deposit [`site`] requires: base + 115,000 TH/s x 1.
pub const SITE_DEPOSIT: Balance = DEPOSIT_BASE + 115_000 * DEPOSIT_PER_TH;

pub fn profile() -> Profile {
	Profile {
		name: bytes("Nordic Hydro Hashing"),
		energy_mix: vec![
			EnergyShare { source: EnergySource::Hydro, per_mill: 950 },
			EnergyShare { source: EnergySource::Wind, per_mill: 50 },
		]
		.try_into()
		.unwrap(),
		pool: PoolAccount { pool: bytes("Foundry USA"), worker: bytes("nordichydro.001") },
		documents: Documents {
			hash: H256::repeat_byte(0xab),
			uri: bytes("ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"),
		},
	}
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![
			(ALICE, ENDOWMENT),
			(BOB, ENDOWMENT),
			(CHARLIE, ENDOWMENT),
			(DAVE, ENDOWMENT),
			(POOR, 100),
			(TREASURY, 1),
		],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	// Benchmarks sign with keys of their own (the benchmark CLI registers a keystore too).
	ext.register_extension(sp_keystore::KeystoreExt::new(
		sp_keystore::testing::MemoryKeystore::new(),
	));
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs `test` and then checks the pallet's invariants.
pub fn run(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Facilities::do_try_state().expect("invariants hold after the test");
	});
}
