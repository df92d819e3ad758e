//! Storage versions and runtime upgrades: every pallet's storage is at its in-code version
//! from genesis on, and a runtime upgrade (a new `spec_version`) runs [`Migrations`] and
//! leaves it there.

use crate::driver::Chain;
use frame_support::traits::{
	GetStorageVersion, NoStorageVersionSet, PalletInfoAccess, PalletsInfoAccess, StorageVersion,
};
use hashrate_runtime::*;

/// A pallet's in-code storage version, if it declares one.
trait Declared {
	fn declared(self) -> Option<StorageVersion>;
}

impl Declared for StorageVersion {
	fn declared(self) -> Option<StorageVersion> {
		Some(self)
	}
}

impl Declared for NoStorageVersionSet {
	fn declared(self) -> Option<StorageVersion> {
		None
	}
}

/// (name, on-chain version, in-code version if declared) of every pallet of the runtime.
fn storage_versions() -> Vec<(&'static str, StorageVersion, Option<StorageVersion>)> {
	macro_rules! versions {
		($($pallet:ty),* $(,)?) => {
			vec![$((
				<$pallet as PalletInfoAccess>::name(),
				<$pallet as GetStorageVersion>::on_chain_storage_version(),
				<$pallet as GetStorageVersion>::in_code_storage_version().declared(),
			)),*]
		};
	}
	versions!(
		System,
		Timestamp,
		Aura,
		Grandpa,
		Authorship,
		ValidatorSet,
		Session,
		Balances,
		TransactionPayment,
		Assets,
		Sudo,
		Utility,
		Facilities,
		PowOracle,
		HashrateTokens,
		RealYield,
		BtcRelay,
		PayoutProofs,
	)
}

/// The storage version each domain pallet's code declares. Raising one needs a migration in
/// [`Migrations`] that brings existing chains' storage to it, and an edit here.
const DECLARED: [(&str, u16); 7] = [
	("ValidatorSet", 1),
	("Facilities", 3),
	("PowOracle", 3),
	("HashrateTokens", 2),
	("RealYield", 3),
	("BtcRelay", 1),
	("PayoutProofs", 1),
];

/// Whether every pallet's on-chain storage version is its in-code one (a pallet without a
/// declared version has none on chain: nothing a migration would start from); names the
/// pallets whose storage is not.
fn storage_versions_current() -> Result<(), String> {
	let versions = storage_versions();
	let names: Vec<_> = versions.iter().map(|(name, ..)| *name).collect();
	let runtime: Vec<_> = AllPalletsWithSystem::infos().into_iter().map(|info| info.name).collect();
	assert_eq!(names, runtime, "the list above names every pallet of the runtime, in order");
	let behind: Vec<_> = versions
		.iter()
		.filter(|(_, on_chain, in_code)| *on_chain != in_code.unwrap_or_default())
		.map(|(name, on_chain, in_code)| {
			format!("{name}: {on_chain:?} on chain, {in_code:?} in code")
		})
		.collect();
	if behind.is_empty() {
		Ok(())
	} else {
		Err(behind.join("; "))
	}
}

fn assert_storage_versions_current() {
	storage_versions_current().expect("every storage version is current");
	for (domain, version) in DECLARED {
		let declared = storage_versions().into_iter().find(|(name, ..)| *name == domain);
		assert_eq!(
			declared.and_then(|(.., in_code)| in_code),
			Some(StorageVersion::new(version)),
			"{domain}'s declared storage version"
		);
	}
}

/// Records `spec_version - 1` as the version that last ran, as the previous runtime left it:
/// the next block takes `Executive`'s upgrade path.
fn record_previous_version(chain: &mut Chain) {
	chain.alter(|| {
		let previous =
			sp_version::RuntimeVersion { spec_version: VERSION.spec_version - 1, ..VERSION };
		frame_system::LastRuntimeUpgrade::<Runtime>::put(
			frame_system::LastRuntimeUpgradeInfo::from(previous),
		);
	});
}

#[test]
fn every_pallet_starts_at_its_in_code_storage_version() {
	for preset in
		[sp_genesis_builder::DEV_RUNTIME_PRESET, sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET]
	{
		Chain::new(preset).read(assert_storage_versions_current);
	}
}

#[test]
fn an_upgrade_runs_the_migrations_and_every_storage_version_stays_current() {
	let mut chain = Chain::development();
	chain.block(Vec::new());
	let last_upgrade = || {
		frame_system::LastRuntimeUpgrade::<Runtime>::get()
			.map(|info| (info.spec_name.into_owned(), u32::from(info.spec_version)))
	};
	let current = Some((VERSION.spec_name.to_string(), VERSION.spec_version));
	assert_eq!(chain.read(last_upgrade), current, "genesis records the runtime's version");
	record_previous_version(&mut chain);
	// The next block upgrades: `Executive` runs `Migrations` and the pallets' upgrade hooks
	// in `initialize_block`, then records the new version.
	chain.block(Vec::new());
	assert_eq!(chain.number(), 2);
	assert_eq!(chain.read(last_upgrade), current);
	chain.read(assert_storage_versions_current);
	// Blocks go on after the upgrade.
	chain.advance(60);
}

/// A chain whose storage of a pallet lags its code (a version bump shipped without its
/// migration) is caught by the check above after the upgrade, and by try-runtime.
#[test]
fn storage_behind_its_code_is_caught_by_the_check_and_by_try_runtime() {
	let mut chain = Chain::development();
	chain.block(Vec::new());
	chain.alter(|| StorageVersion::new(0).put::<Facilities>());
	record_previous_version(&mut chain);
	chain.block(Vec::new());
	let error = chain.read(storage_versions_current).expect_err("Facilities lags");
	assert!(error.starts_with("Facilities: StorageVersion(0) on chain"), "{error}");
	#[cfg(feature = "try-runtime")]
	chain.read(|| {
		let error = Executive::try_runtime_upgrade(frame_try_runtime::UpgradeCheckSelect::All)
			.expect_err("try-runtime catches it");
		assert!(format!("{error:?}").contains("storage version"), "{error:?}");
	});
}

/// What try-runtime-cli's `on-runtime-upgrade` runs against a live chain's state: the
/// migrations with every pre- and post-upgrade check, each pallet's storage version among
/// them, and every pallet's `try_state`.
#[cfg(feature = "try-runtime")]
#[test]
fn try_runtime_upgrade_checks_pass() {
	let mut chain = Chain::development();
	chain.advance(60);
	chain.read(|| {
		Executive::try_runtime_upgrade(frame_try_runtime::UpgradeCheckSelect::All)
			.expect("the upgrade checks pass");
	});
}

/// A chain whose oracle storage is v1 (feeds kept per period, no fixed network data, a
/// counter of defaults in a row, strike counts) upgrades to v2: the reference value is the v1 median of its
/// newest fed period, fixing starts at the oldest period whose window may be open, the
/// counter goes, and the chain goes on with every invariant holding after each block.
#[test]
fn the_oracle_migrates_from_v1() {
	use codec::Encode;
	use hashrate_primitives::{Difficulty, FacilityId, NetworkData, PeriodIndex, Sats};
	use pallet_pow_oracle::{Feeds, LastFixed, LastFixedNetwork, NextToFix};
	use sp_keyring::Sr25519Keyring::{Alice, Bob};
	let mut chain = Chain::development();
	chain.advance(90);
	let data =
		|d: u128| NetworkData { difficulty: Difficulty(d), reward_per_block: Sats(312_500_000) };
	let misses_key = {
		let mut key = sp_io::hashing::twox_128(b"PowOracle").to_vec();
		key.extend(sp_io::hashing::twox_128(b"ConsecutiveMisses"));
		let id = FacilityId(0).encode();
		key.extend(sp_io::hashing::twox_64(&id));
		key.extend(id);
		key
	};
	// v1 kept a strike count per account (a `u32`); v2 keeps periods.
	let strikes_key = {
		let mut key = sp_io::hashing::twox_128(b"PowOracle").to_vec();
		key.extend(sp_io::hashing::twox_128(b"Strikes"));
		let who = Alice.to_account_id().encode();
		key.extend(sp_io::hashing::blake2_128(&who));
		key.extend(who);
		key
	};
	let fed = chain.alter(|| {
		// The state v1 left: two feeds of the last ended period, nothing fixed.
		StorageVersion::new(1).put::<PowOracle>();
		LastFixed::<Runtime>::kill();
		NextToFix::<Runtime>::kill();
		let _ = pallet_pow_oracle::Network::<Runtime>::clear(u32::MAX, None);
		let fed =
			PeriodIndex(<PowOracle as hashrate_primitives::PowOracle>::current_period().0 - 1);
		Feeds::<Runtime>::insert(
			fed,
			frame_support::BoundedVec::truncate_from(vec![
				(Alice.to_account_id(), data(90_000_000_000_000)),
				(Bob.to_account_id(), data(80_000_000_000_000)),
			]),
		);
		frame_support::storage::unhashed::put(&misses_key, &2u32);
		frame_support::storage::unhashed::put(&strikes_key, &7u32);
		fed
	});
	record_previous_version(&mut chain);
	chain.block(Vec::new());
	chain.read(|| {
		assert_storage_versions_current();
		// v1's median of two feeds was the lower one.
		assert_eq!(
			LastFixed::<Runtime>::get(),
			Some(LastFixedNetwork {
				period: Some(fed),
				end: (u64::from(fed.0) + 1) * 30,
				data: data(80_000_000_000_000)
			})
		);
		assert!(NextToFix::<Runtime>::get().is_some_and(|next| next <= fed));
		assert!(!frame_support::storage::unhashed::exists(&misses_key));
		assert!(!frame_support::storage::unhashed::exists(&strikes_key));
	});
	// The hook fixes the open periods in order; the fed one falls back to the reference
	// (two feeds are below v2's three).
	chain.advance(120);
	chain.read(|| {
		assert_eq!(
			pallet_pow_oracle::Network::<Runtime>::get(fed).map(|n| n.data),
			Some(data(80_000_000_000_000))
		);
	});
}

/// A chain whose yield storage is v1 (rules without a default window, a `FinalizedAt` entry
/// per final period, a default count per facility) upgrades to v2: the rules gain the
/// window, the v1 maps go, and blocks go on with every invariant holding.
#[test]
fn the_yield_pallet_migrates_from_v1() {
	use codec::Encode;
	use hashrate_primitives::{FacilityId, PeriodIndex};
	use pallet_real_yield::migrations::v2::YieldRulesV1;
	let mut chain = Chain::development();
	chain.advance(10);
	let map_key = |item: &[u8], key: Vec<u8>| {
		let mut full = sp_io::hashing::twox_128(b"RealYield").to_vec();
		full.extend(sp_io::hashing::twox_128(item));
		full.extend(key);
		full
	};
	let facility = FacilityId(0).encode();
	let mut finalized_key = sp_io::hashing::twox_64(&facility).to_vec();
	finalized_key.extend(facility.clone());
	let period = PeriodIndex(3).encode();
	finalized_key.extend(sp_io::hashing::twox_64(&period));
	finalized_key.extend(period);
	let finalized_key = map_key(b"FinalizedAt", finalized_key);
	let mut count_key = sp_io::hashing::twox_64(&facility).to_vec();
	count_key.extend(facility);
	let count_key = map_key(b"DefaultCount", count_key);
	chain.alter(|| {
		StorageVersion::new(1).put::<RealYield>();
		let old =
			YieldRulesV1 { payment_window: 60, defaults_before_suspension: 3, fee_per_mill: 20 };
		frame_support::storage::unhashed::put(
			&pallet_real_yield::Rules::<Runtime>::hashed_key(),
			&old,
		);
		frame_support::storage::unhashed::put(&finalized_key, &1_764_000_000u64);
		frame_support::storage::unhashed::put(&count_key, &2u32);
	});
	record_previous_version(&mut chain);
	chain.block(Vec::new());
	chain.read(|| {
		assert_storage_versions_current();
		assert_eq!(
			pallet_real_yield::Rules::<Runtime>::get(),
			pallet_real_yield::YieldRules::development()
		);
		assert!(!frame_support::storage::unhashed::exists(&finalized_key));
		assert!(!frame_support::storage::unhashed::exists(&count_key));
	});
	chain.advance(30);
}
