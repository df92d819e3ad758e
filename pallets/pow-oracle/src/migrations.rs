//! Storage migrations of the oracle.

use crate::*;
use frame_support::{
	migrations::VersionedMigration,
	pallet_prelude::*,
	traits::{Get, UncheckedOnRuntimeUpgrade},
};
use sp_runtime::traits::Saturating as _;

/// v1 -> v2: network data is fixed once per period ([`Network`], [`LastFixed`],
/// [`NextToFix`]); suspension counts misses from the periods' outcomes (the
/// `ConsecutiveMisses` counter goes); strikes are kept per period within a window
/// ([`Strikes`] changes from a count to periods: v1's counts are dropped).
pub mod v2 {
	use super::*;

	/// The v1 counter of defaults in a row per facility.
	#[frame_support::storage_alias]
	pub(crate) type ConsecutiveMisses<T: Config> =
		StorageMap<Pallet<T>, Twox64Concat, FacilityId, u32, ValueQuery>;

	/// How many periods back from the current one the migration looks for v1 feeds to take
	/// the reference value from.
	pub const LOOKBACK: u32 = 16;
	/// Most stale feed entries (periods whose window closed under v1) the migration removes;
	/// a chain with more would need a multi-block migration (`do_try_state` would show
	/// the rest).
	pub const MAX_STALE_FEEDS: u32 = 10_000;

	/// Sets the last fixed network data (the v1 median, then needing two feeds, of the newest
	/// period of the last [`LOOKBACK`] with at least two, else `Initial`), starts fixing at
	/// the oldest period whose report window may still be open, removes feeds of periods
	/// before it, clears `ConsecutiveMisses`, the v1 strike counts and the v1 submissions (at
	/// most [`MAX_STALE_FEEDS`] entries each of feeds and submissions). Periods whose windows closed under v1 keep
	/// no network data.
	pub struct UncheckedMigrateV1ToV2<T, Initial>(core::marker::PhantomData<(T, Initial)>);

	impl<T: Config, Initial: Get<NetworkData>> UncheckedOnRuntimeUpgrade
		for UncheckedMigrateV1ToV2<T, Initial>
	{
		fn on_runtime_upgrade() -> Weight {
			let mut reads: u64 = 3;
			let mut writes: u64 = 2;
			let now = Pallet::<T>::now();
			let timing = Timings::<T>::get();
			let current = Pallet::<T>::period_at(now).unwrap_or_default();
			let open_since =
				now.saturating_sub(timing.report_window.saturating_add(timing.quorum_extension));
			let first_open = Pallet::<T>::period_at(open_since).unwrap_or(current);
			let mut reference = None;
			for back in 0..LOOKBACK {
				let Some(period) = current.0.checked_sub(back) else { break };
				reads += 1;
				let feeds = Feeds::<T>::get(PeriodIndex(period));
				// v1 needed two feeds for a median.
				let data = if feeds.len() >= 2 {
					median_network(feeds.iter().map(|(_, d)| d))
				} else {
					None
				};
				if let Some(data) = data {
					reference = Some((PeriodIndex(period), data));
					break;
				}
			}
			let last = match reference {
				Some((period, data)) => LastFixedNetwork {
					period: Some(period),
					end: Pallet::<T>::bounds(period).map(|(_, end)| end).unwrap_or_default(),
					data,
				},
				None => LastFixedNetwork { period: None, end: 0, data: Initial::get() },
			};
			LastFixed::<T>::put(last);
			NextToFix::<T>::put(first_open);
			let scanned: alloc::vec::Vec<PeriodIndex> =
				Feeds::<T>::iter_keys().take(MAX_STALE_FEEDS as usize).collect();
			reads = reads.saturating_add(scanned.len() as u64);
			let stale: alloc::vec::Vec<PeriodIndex> =
				scanned.into_iter().filter(|period| *period < first_open).collect();
			for period in &stale {
				Feeds::<T>::remove(period);
			}
			writes = writes.saturating_add(stale.len() as u64);
			// v1 kept every output's attestations forever (v2 keeps them until final; the
			// `Attested` events keep them after).
			let submissions = Submissions::<T>::iter_keys().take(MAX_STALE_FEEDS as usize).count();
			let _ = Submissions::<T>::clear(MAX_STALE_FEEDS, None);
			reads = reads.saturating_add(submissions as u64);
			writes = writes.saturating_add(submissions as u64);
			// v1 counted strikes forever; v2 keeps the periods of those in the window.
			let strikes = Strikes::<T>::iter_keys().count() as u64;
			let _ = Strikes::<T>::clear(u32::MAX, None);
			reads = reads.saturating_add(strikes);
			writes = writes.saturating_add(strikes);
			// Counted by iterating (one entry per facility that missed lately): what `clear`
			// reports counts only keys of the committed backend.
			let misses = ConsecutiveMisses::<T>::iter_keys().count() as u64;
			let _ = ConsecutiveMisses::<T>::clear(u32::MAX, None);
			reads = reads.saturating_add(misses);
			writes = writes.saturating_add(misses);
			T::DbWeight::get().reads_writes(reads, writes)
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(_: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			ensure!(LastFixed::<T>::get().is_some(), "no last fixed network data");
			ensure!(NextToFix::<T>::get().is_some(), "no period to fix next");
			Ok(())
		}
	}

	/// [`UncheckedMigrateV1ToV2`] run once, from storage version 1 to 2.
	pub type MigrateV1ToV2<T, Initial> = VersionedMigration<
		1,
		2,
		UncheckedMigrateV1ToV2<T, Initial>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// v2 -> v3: the chain drives the oracle by itself ([`DueQueue`], [`CloseCursor`]). Queues
/// every output not final yet (at the end of its challenge window or its dispute deadline) and
/// every round extended for quorum or waiting for governance (when its window or wait ends);
/// the close sweep starts at the first period every facility owes (or the oldest whose
/// outputs are kept): periods nobody closed under v2 are closed too.
pub mod v3 {
	use super::*;

	/// Queues what v2 left due (one pass over the outputs and rounds kept: single-block).
	pub struct UncheckedMigrateV2ToV3<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateV2ToV3<T> {
		fn on_runtime_upgrade() -> Weight {
			let (mut reads, mut writes) = (4u64, 1u64);
			if !CloseCursor::<T>::exists() {
				if let Some(cursor) = Pallet::<T>::initial_cursor(Pallet::<T>::now()) {
					CloseCursor::<T>::put(cursor);
				}
			}
			for (facility, period, record) in Outputs::<T>::iter() {
				reads.saturating_inc();
				if record.status.due().is_some() {
					Pallet::<T>::queue_make_final(facility, period, &record.status);
					writes.saturating_inc();
				}
			}
			for (facility, period, round) in Rounds::<T>::iter() {
				reads.saturating_inc();
				if round.extended || round.awaiting_governance {
					if let Some(at) = Pallet::<T>::round_due(period, &round) {
						Pallet::<T>::queue_close(facility, period, at);
						writes.saturating_inc();
					}
				}
			}
			T::DbWeight::get().reads_writes(reads, writes)
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(_: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			ensure!(
				CloseCursor::<T>::exists() || !ChainStart::<T>::exists(),
				"a started chain without a close sweep"
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
}
