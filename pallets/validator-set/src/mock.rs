//! A test runtime: system, balances, the session pallet with [`UintAuthorityId`] keys and
//! sessions of [`SESSION_LENGTH`] blocks, and this pallet as its session manager; governance
//! is root.

use crate as pallet_validator_set;
use crate::*;
use frame_support::{
	derive_impl,
	traits::{ConstU32, ConstU64, Hooks},
};
use polkadot_sdk::{pallet_balances, pallet_session, sp_io};
use sp_runtime::{testing::UintAuthorityId, traits::ConvertInto, BuildStorage};

pub type AccountId = u64;
pub type Balance = u64;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		ValidatorSet: pallet_validator_set,
		Session: pallet_session,
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

/// Blocks per session in the genesis of [`new_test_ext`].
pub const SESSION_LENGTH: u64 = 5;
/// Genesis validators.
pub const GENESIS: [AccountId; 3] = [1, 2, 3];
/// Accounts with session keys that are not validators.
pub const CANDIDATES: [AccountId; 2] = [4, 5];
/// An endowed account without session keys.
pub const NO_KEYS: AccountId = 6;
/// Deposit the session pallet holds for keys set by `set_keys`.
pub const KEY_DEPOSIT: Balance = 10;
pub const MIN_VALIDATORS: u32 = 2;
pub const MAX_VALIDATORS: u32 = 5;

impl pallet_session::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = PeriodicSessions<Test>;
	type NextSessionRotation = PeriodicSessions<Test>;
	type SessionManager = ValidatorSet;
	type SessionHandler = pallet_session::TestSessionHandler;
	type Keys = UintAuthorityId;
	type DisablingStrategy = ();
	type WeightInfo = ();
	type Currency = Balances;
	type KeyDeposit = ConstU64<KEY_DEPOSIT>;
}

impl Config for Test {
	type GovernanceOrigin = frame_system::EnsureRoot<AccountId>;
	type KeysRegistration = Session;
	type CurrentSet = Session;
	type MinValidators = ConstU32<MIN_VALIDATORS>;
	type MaxValidators = ConstU32<MAX_VALIDATORS>;
	type DefaultSessionLength = ConstU64<100>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockKeys;
}

/// Registers keys straight in the session pallet (as its genesis does).
#[cfg(feature = "runtime-benchmarks")]
pub struct MockKeys;
#[cfg(feature = "runtime-benchmarks")]
impl BenchmarkHelper<AccountId> for MockKeys {
	fn register_keys(who: &AccountId, seed: u32) {
		let _ = Balances::force_set_balance(frame_system::RawOrigin::Root.into(), *who, 1_000);
		frame_support::assert_ok!(Session::set_keys(
			RuntimeOrigin::signed(*who),
			UintAuthorityId(1_000 + u64::from(seed)),
			Vec::new()
		));
	}
}

fn keys(who: AccountId) -> (AccountId, AccountId, UintAuthorityId) {
	(who, who, UintAuthorityId(who))
}

/// Genesis validators 1, 2, 3 (from session keys), candidates 4 and 5 with keys, 6 without;
/// everyone endowed with 1,000; sessions of [`SESSION_LENGTH`] blocks.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=6).map(|who| (who, 1_000)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_validator_set::GenesisConfig::<Test> { session_length: Some(SESSION_LENGTH) }
		.assimilate_storage(&mut storage)
		.unwrap();
	pallet_session::GenesisConfig::<Test> {
		keys: GENESIS.into_iter().map(keys).collect(),
		non_authority_keys: CANDIDATES.into_iter().map(keys).collect(),
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs `test` on [`new_test_ext`], then checks the pallet's invariants.
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		ValidatorSet::do_try_state().expect("invariants hold after the test");
	});
}

/// Produces blocks up to `n`, running the pallets' hooks.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		ValidatorSet::on_initialize(next);
		Session::on_initialize(next);
	}
}

/// The session pallet's current validators.
pub fn session_validators() -> Vec<AccountId> {
	pallet_session::Validators::<Test>::get()
}
