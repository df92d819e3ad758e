//! Storage migrations of the yield pallet.

use crate::*;
use frame_support::{
	migrations::VersionedMigration,
	pallet_prelude::*,
	traits::{Get, UncheckedOnRuntimeUpgrade},
};
use hashrate_primitives::PerMill;

/// v1 -> v2: deadlines are fixed when a period becomes final, with what prices it
/// ([`FinalPeriods`] replaces `FinalizedAt`); defaults are counted per facility and period in
/// a window ([`FacilityDefaults`] replaces `DefaultCount`, [`YieldRules`] gains
/// `default_window`).
pub mod v2 {
	use super::*;

	/// v1 payment rules.
	#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
	pub struct YieldRulesV1 {
		/// Seconds to pay.
		pub payment_window: u64,
		/// Defaults before suspension.
		pub defaults_before_suspension: u32,
		/// Protocol fee, per-mill.
		pub fee_per_mill: PerMill,
	}

	/// v1: when each facility's period became final.
	#[frame_support::storage_alias]
	pub(crate) type FinalizedAt<T: Config> =
		StorageDoubleMap<Pallet<T>, Twox64Concat, FacilityId, Twox64Concat, PeriodIndex, u64>;

	/// v1: each facility's defaults so far.
	#[frame_support::storage_alias]
	pub(crate) type DefaultCount<T: Config> =
		StorageMap<Pallet<T>, Twox64Concat, FacilityId, u32, ValueQuery>;

	/// Most v1 entries of each map the migration handles in its one block; a chain with more
	/// would need a multi-block migration (`do_try_state` would not see the rest, which only
	/// cost storage).
	pub const MAX_ENTRIES: u32 = 10_000;

	/// Adds the default window to the rules (the production default, 30 periods); turns each
	/// `FinalizedAt` entry a series still has to record into a [`FinalPeriods`] entry fixed
	/// at that time (output and network data from the oracle, deadline = then + payment
	/// window) and drops the rest (v1 never removed them); drops `DefaultCount` (v1 counted
	/// per series and never forgot: counting starts afresh, per period, in a window).
	pub struct UncheckedMigrateV1ToV2<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateV1ToV2<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut reads: u64 = 1;
			let mut writes: u64 = 1;
			let old =
				frame_support::storage::unhashed::get::<YieldRulesV1>(&Rules::<T>::hashed_key());
			let rules = match old {
				Some(old) => YieldRules {
					payment_window: old.payment_window,
					defaults_before_suspension: old
						.defaults_before_suspension
						.clamp(1, MAX_DEFAULTS_TRACKED),
					default_window: YieldRules::default().default_window,
					fee_per_mill: old.fee_per_mill,
				},
				None => YieldRules::default(),
			};
			Rules::<T>::put(rules);

			let finalized: alloc::vec::Vec<(FacilityId, PeriodIndex, u64)> =
				FinalizedAt::<T>::iter().take(MAX_ENTRIES as usize).collect();
			for (facility, period, at) in finalized {
				reads = reads.saturating_add(3);
				FinalizedAt::<T>::remove(facility, period);
				writes = writes.saturating_add(1);
				if let Some(outcome) = T::Oracle::final_outcome(facility, period) {
					// Reads each of the facility's series; writes one entry if any is pending.
					reads = reads.saturating_add(u64::from(T::MaxFacilitySeries::get()) * 2);
					if Pallet::<T>::fix_final_period_at(facility, period, &outcome, at).is_some() {
						writes = writes.saturating_add(1);
					}
				}
			}
			// Counted by iterating: what `clear` reports counts only keys of the committed
			// backend.
			let defaults = DefaultCount::<T>::iter_keys().take(MAX_ENTRIES as usize).count();
			let _ = DefaultCount::<T>::clear(MAX_ENTRIES, None);
			reads = reads.saturating_add(defaults as u64);
			writes = writes.saturating_add(defaults as u64);
			T::DbWeight::get().reads_writes(reads, writes)
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(_: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			ensure!(FinalizedAt::<T>::iter().next().is_none(), "FinalizedAt left");
			ensure!(DefaultCount::<T>::iter().next().is_none(), "DefaultCount left");
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
