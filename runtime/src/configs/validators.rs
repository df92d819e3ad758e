//! The validator set: the session pallet rotates Aura and GRANDPA keys at session boundaries
//! and takes the set governance manages in `pallet-validator-set` (see its module docs for
//! when a change validates, and `README.md`, "Running a validator", for joining).

use crate::*;
use frame_support::{parameter_types, traits::ConstU32};
use sp_runtime::traits::ConvertInto;

/// Fewest validators a governance removal may leave: with two, either one going offline
/// stalls finality until it returns, so a removal never makes the chain more fragile than
/// that.
pub const MIN_VALIDATORS: u32 = 2;

parameter_types! {
	/// Blocks per session on a chain whose genesis sets none: one hour.
	pub const DefaultSessionLength: BlockNumber = HOURS;
	/// Held from an account while it has session keys registered (the key record's storage).
	pub const SessionKeyDeposit: Balance = UNIT;
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// Validators are identified by their account.
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = pallet_validator_set::PeriodicSessions<Runtime>;
	type NextSessionRotation = pallet_validator_set::PeriodicSessions<Runtime>;
	type SessionManager = ValidatorSet;
	type SessionHandler =
		<opaque::SessionKeys as sp_runtime::traits::OpaqueKeys>::KeyTypeIdProviders;
	type Keys = opaque::SessionKeys;
	/// No slashing or offence reporting on this chain (yet): nobody is disabled.
	type DisablingStrategy = ();
	type WeightInfo = weights::pallet_session::WeightInfo<Runtime>;
	type Currency = Balances;
	type KeyDeposit = SessionKeyDeposit;
}

impl pallet_validator_set::Config for Runtime {
	type GovernanceOrigin = frame_system::EnsureRoot<AccountId>;
	type KeysRegistration = Session;
	type CurrentSet = Session;
	type MinValidators = ConstU32<MIN_VALIDATORS>;
	type MaxValidators = ConstU32<{ configs::consensus::MAX_AUTHORITIES }>;
	type DefaultSessionLength = DefaultSessionLength;
	type WeightInfo = pallet_validator_set::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkKeys;
}

/// Registers distinct (not secret-backed) session keys straight in the session pallet's
/// storage, as its genesis does: benchmarks have no keystore to prove ownership with.
#[cfg(feature = "runtime-benchmarks")]
pub struct BenchmarkKeys;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_validator_set::BenchmarkHelper<AccountId> for BenchmarkKeys {
	fn register_keys(who: &AccountId, seed: u32) {
		use sp_core::{ed25519, sr25519};
		let mut raw = [0u8; 32];
		raw[..4].copy_from_slice(&seed.to_le_bytes());
		let keys = opaque::SessionKeys {
			aura: sr25519::Public::from_raw(raw).into(),
			grandpa: ed25519::Public::from_raw(raw).into(),
		};
		pallet_session::NextKeys::<Runtime>::insert(who, keys);
	}
}
