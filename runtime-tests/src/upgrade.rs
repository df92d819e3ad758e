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
	)
}

/// The storage version each domain pallet's code declares. Raising one needs a migration in
/// [`Migrations`] that brings existing chains' storage to it, and an edit here.
const DECLARED: [(&str, u16); 5] = [
	("ValidatorSet", 1),
	("Facilities", 1),
	("PowOracle", 1),
	("HashrateTokens", 1),
	("RealYield", 1),
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
