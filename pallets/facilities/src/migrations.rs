//! Storage migrations of the facilities registry.

use crate::*;
use frame_support::{
	migrations::VersionedMigration,
	pallet_prelude::*,
	traits::{Get, UncheckedOnRuntimeUpgrade, UnixTime},
};
use sp_runtime::traits::Saturating as _;

/// v1 -> v2: the chain completes retirements by itself ([`RetirementsDue`]): every retiring
/// facility whose obligations were all released is queued now.
pub mod v2 {
	use super::*;

	/// Queues the retirements v1 left waiting for `complete_retirement` (one pass over the
	/// facilities: single-block).
	pub struct UncheckedMigrateV1ToV2<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateV1ToV2<T> {
		fn on_runtime_upgrade() -> Weight {
			let now = DueAt(T::Time::now().as_secs());
			let (mut reads, mut writes) = (1u64, 0u64);
			for (facility, record) in Facilities::<T>::iter() {
				reads.saturating_inc();
				if record.status == FacilityStatus::Retiring && record.obligations == 0 {
					RetirementsDue::<T>::insert(now, facility, ());
					writes.saturating_inc();
				}
			}
			T::DbWeight::get().reads_writes(reads, writes)
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(_: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			Pallet::<T>::do_try_state()
		}
	}

	/// [`UncheckedMigrateV1ToV2`] run once, from storage version 1 to 2.
	pub type MigrateV1ToV2<T> = VersionedMigration<
		1,
		2,
		UncheckedMigrateV1ToV2<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// v2 -> v3: payout addresses leave the profile. Each facility's addresses become proposals of
/// their output scripts (parsed for the chain's network), for governance to approve: an
/// address typed freely before is not trusted as owned. Addresses that do not parse, repeat,
/// or whose script a facility registered earlier listed too are dropped (logged). Retired and rejected
/// facilities keep no scripts.
pub mod v3 {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::traits::ConstU32;

	/// The v2 profile, with its addresses.
	#[derive(Decode)]
	pub struct OldProfile {
		name: Name,
		energy_mix: EnergyMix,
		pool: PoolAccount,
		payout_addresses: BoundedVec<BtcAddress, ConstU32<MAX_PAYOUT_SCRIPTS>>,
		documents: Documents,
	}

	/// The v2 facility record.
	#[derive(Decode)]
	pub struct OldFacility<AccountId, Balance, BlockNumber, MaxReporters: Get<u32>> {
		operator: AccountId,
		status: FacilityStatus,
		suspension: Option<hashrate_primitives::SuspensionReason>,
		site: SiteSpec,
		fleet: FleetTotals,
		profile: OldProfile,
		reporters: BoundedVec<AccountId, MaxReporters>,
		deposit: Balance,
		obligations: u32,
		registered_at: BlockNumber,
		active_since: Option<u64>,
	}

	type OldFacilityOf<T> = OldFacility<
		<T as frame_system::Config>::AccountId,
		BalanceOf<T>,
		frame_system::pallet_prelude::BlockNumberFor<T>,
		<T as Config>::MaxReporters,
	>;

	/// Moves the addresses out of every profile into proposals (one pass over the
	/// facilities: single-block).
	pub struct UncheckedMigrateV2ToV3<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateV2ToV3<T> {
		fn on_runtime_upgrade() -> Weight {
			let network = BitcoinNetwork::<T>::get();
			let mut addresses: Vec<(FacilityId, Vec<BtcAddress>)> = Vec::new();
			let (mut reads, mut writes) = (1u64, 0u64);
			Facilities::<T>::translate::<OldFacilityOf<T>, _>(|id, old| {
				reads.saturating_inc();
				writes.saturating_inc();
				if old.status.holds_deposit() {
					addresses.push((id, old.profile.payout_addresses.into_inner()));
				}
				Some(Facility {
					operator: old.operator,
					status: old.status,
					suspension: old.suspension,
					site: old.site,
					fleet: old.fleet,
					profile: Profile {
						name: old.profile.name,
						energy_mix: old.profile.energy_mix,
						pool: old.profile.pool,
						documents: old.profile.documents,
					},
					reporters: old.reporters,
					deposit: old.deposit,
					obligations: old.obligations,
					registered_at: old.registered_at,
					active_since: old.active_since,
				})
			});
			// The lowest id (the earliest registration) keeps a script two facilities listed.
			addresses.sort_by_key(|(facility, _)| *facility);
			for (facility, list) in addresses {
				let mut set = PayoutScriptSet::default();
				for address in list {
					reads.saturating_inc();
					let proposal = match hashrate_primitives::parse_address(&address, network) {
						Ok((kind, script)) => ProposedScript { script, kind, key_signed: false },
						Err(error) => {
							log::warn!(
								target: "runtime::facilities",
								"facility {}: payout address dropped ({error:?})",
								facility.0
							);
							continue;
						},
					};
					let taken = ScriptOwners::<T>::contains_key(&proposal.script)
						|| PayoutScripts::<T>::iter_values()
							.any(|other| other.contains(&proposal.script));
					if set.contains(&proposal.script) || taken {
						log::warn!(
							target: "runtime::facilities",
							"facility {}: payout address dropped (listed twice or taken)",
							facility.0
						);
						continue;
					}
					let _ = set.proposed.try_push(proposal);
				}
				if !set.is_empty() {
					PayoutScripts::<T>::insert(facility, set);
					writes.saturating_inc();
				}
			}
			T::DbWeight::get().reads_writes(reads, writes)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			Ok((Facilities::<T>::iter_keys().count() as u32).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let before = u32::decode(&mut &state[..]).map_err(|_| "pre-upgrade state")?;
			ensure!(
				Facilities::<T>::iter_keys().count() as u32 == before,
				"facilities lost in the migration"
			);
			Pallet::<T>::do_try_state()
		}
	}

	/// [`UncheckedMigrateV2ToV3`] run once, from storage version 2 to 3.
	pub type MigrateV2ToV3<T> = VersionedMigration<
		2,
		3,
		UncheckedMigrateV2ToV3<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;

	#[cfg(test)]
	mod tests {
		use super::*;
		use crate::mock::{profile, run, site, Test, ALICE, BOB};
		use codec::Encode;
		use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};

		#[derive(Encode)]
		struct V2Profile {
			name: Name,
			energy_mix: EnergyMix,
			pool: PoolAccount,
			payout_addresses: BoundedVec<BtcAddress, ConstU32<MAX_PAYOUT_SCRIPTS>>,
			documents: Documents,
		}

		fn address(text: &str) -> BtcAddress {
			BtcAddress::truncate_from(text.as_bytes().to_vec())
		}

		/// Writes facility `id`'s record as v2 stored it, with `addresses` in its profile.
		fn store_as_v2(id: FacilityId, addresses: &[&str]) {
			let record = Facilities::<Test>::get(id).unwrap();
			let profile = V2Profile {
				name: record.profile.name.clone(),
				energy_mix: record.profile.energy_mix.clone(),
				pool: record.profile.pool.clone(),
				payout_addresses: BoundedVec::truncate_from(
					addresses.iter().map(|a| address(a)).collect(),
				),
				documents: record.profile.documents.clone(),
			};
			let mut raw =
				(&record.operator, record.status, record.suspension, &record.site, record.fleet)
					.encode();
			raw.extend(profile.encode());
			raw.extend(
				(
					&record.reporters,
					record.deposit,
					record.obligations,
					record.registered_at,
					record.active_since,
				)
					.encode(),
			);
			frame_support::storage::unhashed::put_raw(
				&Facilities::<Test>::hashed_key_for(id),
				&raw,
			);
		}

		#[test]
		fn addresses_become_proposals_and_the_records_decode() {
			run(|| {
				let a = Pallet::<Test>::do_register(ALICE, site(), profile()).unwrap();
				let b = Pallet::<Test>::do_register(BOB, site(), profile()).unwrap();
				let before_a = Facilities::<Test>::get(a).unwrap();
				store_as_v2(
					a,
					&[
						"38XnPvu9PmonFU9WouPXUjYbW91wa5MerL",
						"not-an-address",
						"bc1qxhmdufsvnuaaaer4ynz88fspdsxq2h9e9cetdj",
						"38XnPvu9PmonFU9WouPXUjYbW91wa5MerL",
					],
				);
				// Bob listed AntPool's address too: Alice's facility came first.
				store_as_v2(b, &["38XnPvu9PmonFU9WouPXUjYbW91wa5MerL"]);
				StorageVersion::new(2).put::<Pallet<Test>>();

				MigrateV2ToV3::<Test>::on_runtime_upgrade();

				assert_eq!(Facilities::<Test>::get(a).unwrap(), before_a);
				let proposed: Vec<ScriptKind> =
					PayoutScripts::<Test>::get(a).proposed.iter().map(|p| p.kind).collect();
				assert_eq!(proposed, [ScriptKind::P2sh, ScriptKind::P2wpkh]);
				assert!(PayoutScripts::<Test>::get(a).approved.is_empty());
				assert!(!PayoutScripts::<Test>::contains_key(b));
				assert_eq!(Pallet::<Test>::on_chain_storage_version(), StorageVersion::new(3));
			});
		}
	}
}
