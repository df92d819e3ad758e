//! Block production (Aura), finality (GRANDPA), time and block authorship.

use crate::*;
use frame_support::traits::{ConstBool, ConstU32, ConstU64, FindAuthor};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::ConsensusEngineId;

/// Most validators a network may have (Aura and GRANDPA authority lists).
pub const MAX_AUTHORITIES: u32 = 32;

impl pallet_timestamp::Config for Runtime {
	/// Milliseconds since the unix epoch.
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = pallet_timestamp::weights::SubstrateWeight<Runtime>;
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

/// The account of the block author: the account whose public key is the Aura authority that
/// sealed the block (its slot's author). On this chain a validator's Aura key is its
/// account key until validator sessions map them (see the validators issue).
pub struct AuraAuthorAccount;

impl FindAuthor<AccountId> for AuraAuthorAccount {
	fn find_author<'a, I>(digests: I) -> Option<AccountId>
	where
		I: 'a + IntoIterator<Item = (ConsensusEngineId, &'a [u8])>,
	{
		let index = <Aura as FindAuthor<u32>>::find_author(digests)?;
		let authorities = pallet_aura::Authorities::<Runtime>::get();
		let authority = authorities.get(index as usize)?;
		let raw: [u8; 32] = AsRef::<[u8]>::as_ref(authority).try_into().ok()?;
		Some(AccountId::new(raw))
	}
}

impl pallet_authorship::Config for Runtime {
	type FindAuthor = AuraAuthorAccount;
	type EventHandler = ();
}
