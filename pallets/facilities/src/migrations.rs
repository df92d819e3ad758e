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
