//! Storage migrations of the token pallet.

use crate::*;
use frame_support::{
	migrations::VersionedMigration,
	pallet_prelude::*,
	traits::{Get, UncheckedOnRuntimeUpgrade},
};
use sp_runtime::traits::Saturating as _;

/// v1 -> v2: the chain closes offerings by itself ([`DueQueue`]): every open offering is
/// queued at its close time.
pub mod v2 {
	use super::*;

	/// Queues the open offerings v1 left to `close_offering` (one pass over the offerings:
	/// single-block).
	pub struct UncheckedMigrateV1ToV2<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateV1ToV2<T> {
		fn on_runtime_upgrade() -> Weight {
			let (mut reads, mut writes) = (1u64, 0u64);
			for (series, offering) in Offerings::<T>::iter() {
				reads.saturating_inc();
				if offering.state == OfferingState::Open {
					Pallet::<T>::queue_close(offering.terms.closes, series);
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
