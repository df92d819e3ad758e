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

/// Every pallet's on-chain storage version is its in-code one; a pallet without a declared
/// version has none on chain (nothing a migration would start from).
fn assert_storage_versions_current() {
	let versions = storage_versions();
	let names: Vec<_> = versions.iter().map(|(name, ..)| *name).collect();
	let runtime: Vec<_> = AllPalletsWithSystem::infos().into_iter().map(|info| info.name).collect();
	assert_eq!(names, runtime, "the list above names every pallet of the runtime, in order");
	for (name, on_chain, in_code) in versions {
		assert_eq!(on_chain, in_code.unwrap_or_default(), "{name}'s storage version");
	}
	for domain in ["Facilities", "PowOracle", "HashrateTokens", "RealYield", "ValidatorSet"] {
		let declared = storage_versions().into_iter().find(|(name, ..)| *name == domain);
		assert!(declared.is_some_and(|(.., v)| v.is_some()), "{domain} declares its version");
	}
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
	// The chain's state as the previous runtime left it: its version is one lower.
	chain.alter(|| {
		let previous =
			sp_version::RuntimeVersion { spec_version: VERSION.spec_version - 1, ..VERSION };
		frame_system::LastRuntimeUpgrade::<Runtime>::put(
			frame_system::LastRuntimeUpgradeInfo::from(previous),
		);
	});
	// The next block upgrades: `Executive` runs `Migrations` and the pallets' upgrade hooks
	// in `initialize_block`, then records the new version.
	chain.block(Vec::new());
	assert_eq!(chain.number(), 2);
	assert_eq!(chain.read(last_upgrade), current);
	chain.read(assert_storage_versions_current);
	// Blocks go on after the upgrade.
	chain.advance(60);
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
