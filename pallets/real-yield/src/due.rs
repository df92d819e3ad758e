//! The chain moves series on by itself: the due queue, drained in `on_idle` (see the crate
//! docs, "Paying, defaulting, debt").

use crate::*;
use frame_support::{
	ensure,
	storage::with_storage_layer,
	traits::{Get, UnixTime},
	weights::Weight,
};
use hashrate_primitives::due::{drain, entry_weight, DueQueue as Queue, Processed, RETRY_AFTER};
use sp_runtime::{traits::Zero, DispatchError};

/// [`DueQueue`] as a due queue.
pub(crate) struct SeriesQueue<T>(core::marker::PhantomData<T>);

impl<T: Config> Queue for SeriesQueue<T> {
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
	/// Queues `series` to be moved on at unix second `at`.
	pub(crate) fn queue(at: u64, series: SeriesId) {
		DueQueue::<T>::insert(DueAt(at), series, ());
	}

	/// Weight of moving one series on: its next period settled or defaulted, and a full
	/// cascade after it.
	pub fn advance_weight() -> Weight {
		T::WeightInfo::settle()
			.max(T::WeightInfo::trigger_default())
			.saturating_add(Self::cascade_weight(MAX_CASCADE))
	}

	/// Moves the series due by now on, oldest first, within `remaining`; returns the weight
	/// used and the entries processed.
	pub(crate) fn advance_due(remaining: Weight) -> (Weight, u32) {
		let db = T::DbWeight::get();
		let now = T::Time::now().as_secs();
		drain::<SeriesQueue<T>>(
			now,
			remaining,
			entry_weight(db.reads(1), db.writes(1)),
			|_| Self::advance_weight(),
			|series| match with_storage_layer(|| Self::do_advance(*series)) {
				Ok(0) => (Processed::Done, T::WeightInfo::settle()),
				// A cascade stopped by its bound queued the series again for now.
				Ok(settled) => (
					Processed::Done,
					T::WeightInfo::settle()
						.max(T::WeightInfo::trigger_default())
						.saturating_add(Self::cascade_weight(settled.saturating_sub(1))),
				),
				// Not final yet (its finality queues it), settled already, or unknown.
				Err(error) if Self::nothing_to_advance(&error) => {
					(Processed::Done, T::WeightInfo::settle())
				},
				// Failed half-way (a collateral transfer, an overflow), rolled back: tried
				// again after a while.
				Err(_) => {
					(Processed::Later(now.saturating_add(RETRY_AFTER)), Self::advance_weight())
				},
			},
		)
	}

	/// Whether moving a series on failed because there is nothing to do yet or any more.
	fn nothing_to_advance(error: &DispatchError) -> bool {
		[
			Error::<T>::UnknownSeries,
			Error::<T>::NothingToSettle,
			Error::<T>::AlreadySettled,
			Error::<T>::PeriodNotFinal,
		]
		.into_iter()
		.any(|nothing| *error == nothing.into())
	}

	/// Settles `series`' next period if it is paid in full or owes nothing, defaults it if its
	/// deadline passed, and goes on with the periods after it as the calls do. Returns how
	/// many periods settled (0: its time has not come; its obligation is recorded).
	pub(crate) fn do_advance(series: SeriesId) -> Result<u32, DispatchError> {
		let mut state = SeriesYields::<T>::get(series).ok_or(Error::<T>::UnknownSeries)?;
		ensure!(state.next <= state.economics.last_period, Error::<T>::NothingToSettle);
		let period = state.next;
		let record = Self::obligation(series, &mut state, period)?;
		if record.outstanding().is_zero() {
			Self::settle_period(series, &mut state, record, PeriodStatus::Paid)?;
		} else if Self::now() > record.deadline {
			Self::default_period(series, &mut state, record)?;
		} else {
			// The obligation was recorded on first touch: keep the accrual it moved.
			SeriesYields::<T>::insert(series, state);
			return Ok(0);
		}
		let cascaded = Self::cascade(series, &mut state);
		SeriesYields::<T>::insert(series, state);
		Ok(cascaded.saturating_add(1))
	}
}
