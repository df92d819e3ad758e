//! The chain closes offerings by itself: the due queue, drained in `on_idle` (see the crate
//! docs, "Primary offering").

use crate::*;
use frame_support::{storage::with_storage_layer, traits::Get, weights::Weight};
use hashrate_primitives::due::{drain, entry_weight, DueQueue as Queue, Processed, RETRY_AFTER};

/// [`DueQueue`] as a due queue.
pub(crate) struct OfferingQueue<T>(core::marker::PhantomData<T>);

impl<T: Config> Queue for OfferingQueue<T> {
	type Item = SeriesId;

	/// Removing entries already visited and queueing later ones while iterating is what the
	/// drain does: the iterator reads the next key after the last one it returned.
	type Iter = frame_support::storage::KeyPrefixIterator<(DueAt, SeriesId)>;

	fn iter() -> Self::Iter {
		DueQueue::<T>::iter_keys()
	}

	fn insert(at: DueAt, series: &SeriesId) {
		DueQueue::<T>::insert(at, series, ());
	}

	fn remove(at: DueAt, series: &SeriesId) {
		DueQueue::<T>::remove(at, series);
	}
}

impl<T: Config> Pallet<T> {
	/// Queues `series`' offering to be closed at unix second `at`.
	pub(crate) fn queue_close(at: u64, series: SeriesId) {
		DueQueue::<T>::insert(DueAt(at), series, ());
	}

	/// Weight of closing an offering with `subscribers` subscribers: what `close_offering`
	/// is weighed at for them.
	pub fn close_offering_weight(subscribers: u32) -> Weight {
		T::WeightInfo::close_offering(subscribers)
			.saturating_add(T::OnBalanceChange::max_weight().saturating_mul(u64::from(subscribers)))
			.saturating_add(T::OnBalanceChange::max_supply_weight())
	}

	/// Closes the offerings due by now, oldest first, within `remaining`; returns the weight
	/// used and the entries processed.
	pub(crate) fn close_due_offerings(remaining: Weight) -> (Weight, u32) {
		let db = T::DbWeight::get();
		drain::<OfferingQueue<T>>(
			Self::now(),
			remaining,
			entry_weight(db.reads(1), db.writes(1)),
			|series| {
				let subscribers = Offerings::<T>::get(series).map_or(0, |o| o.subscribers);
				Self::close_offering_weight(subscribers).saturating_add(db.reads(1))
			},
			|series| {
				let subscribers = Offerings::<T>::get(series).map_or(0, |o| o.subscribers);
				let worst = Self::close_offering_weight(subscribers).saturating_add(db.reads(1));
				match with_storage_layer(|| Self::do_close_offering(*series)) {
					Ok(post) => (
						Processed::Done,
						post.actual_weight.unwrap_or(worst).saturating_add(db.reads(1)),
					),
					Err(_) => (Self::retry_close(*series), worst),
				}
			},
		)
	}

	/// When to try again a close that failed: its close time if it has not come (a stale
	/// entry), the end of its close grace if the facility may still mend what stops the mint,
	/// otherwise after [`RETRY_AFTER`] (a failure that may pass: a balance hook's error);
	/// never once it is not open any more.
	fn retry_close(series: SeriesId) -> Processed {
		let Some(offering) = Offerings::<T>::get(series).filter(|o| o.state == OfferingState::Open)
		else {
			return Processed::Done;
		};
		let now = Self::now();
		let closes = offering.terms.closes;
		if now < closes {
			return Processed::Later(closes);
		}
		let grace_ends = closes.saturating_add(Rules::<T>::get().close_grace);
		if now < grace_ends {
			Processed::Later(grace_ends)
		} else {
			Processed::Later(now.saturating_add(RETRY_AFTER))
		}
	}
}
