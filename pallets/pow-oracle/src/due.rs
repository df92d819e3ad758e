//! The chain drives the oracle's lifecycle: the close sweep and the due queue, drained in
//! `on_idle` (see the crate docs, "The chain drives itself").

use crate::*;
use frame_support::{storage::with_storage_layer, traits::Get, weights::Weight};
use hashrate_primitives::{
	due::{drain, entry_weight, DueAt, Processed, RETRY_AFTER},
	FacilityInspect,
};
use sp_runtime::DispatchError;

/// [`DueQueue`] as a due queue.
pub(crate) struct OracleQueue<T>(core::marker::PhantomData<T>);

impl<T: Config> hashrate_primitives::due::DueQueue for OracleQueue<T> {
	type Item = OracleDue;

	/// Removing entries already visited and queueing later ones while iterating is what the
	/// drain does: the iterator reads the next key after the last one it returned.
	type Iter = frame_support::storage::KeyPrefixIterator<(DueAt, OracleDue)>;

	fn iter() -> Self::Iter {
		DueQueue::<T>::iter_keys()
	}

	fn insert(at: DueAt, item: &OracleDue) {
		DueQueue::<T>::insert(at, item, ());
	}

	fn remove(at: DueAt, item: &OracleDue) {
		DueQueue::<T>::remove(at, item);
	}
}

impl<T: Config> Pallet<T> {
	/// The first period that starts at or after unix second `time`.
	pub(crate) fn first_starting_at_or_after(time: u64) -> Option<PeriodIndex> {
		let period = Self::period_at(time)?;
		let (start, _) = Self::bounds(period).ok()?;
		if start >= time {
			Some(period)
		} else {
			period.next()
		}
	}

	/// Weight of closing one facility-period: what the `close` call is weighed at.
	pub fn close_weight() -> Weight {
		T::WeightInfo::close()
			.saturating_add(T::OnPeriodFinal::weight())
			.max(T::WeightInfo::close_to_governance())
			.saturating_add(Self::proven_floor_weight())
			// Counting misses back: each period's settings and proofs.
			.saturating_add(
				T::Payouts::read_weight()
					.saturating_mul(2)
					.saturating_mul(u64::from(T::MaxConsecutiveMisses::get())),
			)
	}

	/// Weight of making one output final: what `make_final` is weighed at, or upholding an
	/// expired dispute.
	pub fn make_final_weight() -> Weight {
		T::WeightInfo::make_final()
			.max(T::WeightInfo::resolve_dispute())
			.saturating_add(T::OnPeriodFinal::weight())
			.saturating_add(Self::proven_floor_weight())
	}

	/// When the chain next closes `facility`'s `period` whose round is `round`: at the
	/// (extended) window's close, or when its wait for governance expires.
	pub(crate) fn round_due(period: PeriodIndex, round: &RoundOf<T>) -> Option<u64> {
		let (_, end) = Self::bounds(period).ok()?;
		let close = Self::window_close(end, round.extended);
		Some(if round.awaiting_governance {
			close.saturating_add(Timings::<T>::get().resolution_window)
		} else {
			close
		})
	}

	/// Queues `facility`'s `period` to be closed at `at`.
	pub(crate) fn queue_close(facility: FacilityId, period: PeriodIndex, at: u64) {
		DueQueue::<T>::insert(DueAt(at), OracleDue::Close { facility, period }, ());
	}

	/// Queues `facility`'s `period` to be made final when `status` says.
	pub(crate) fn queue_make_final(
		facility: FacilityId,
		period: PeriodIndex,
		status: &OutputStatus,
	) {
		if let Some(at) = status.due() {
			DueQueue::<T>::insert(DueAt(at), OracleDue::MakeFinal { facility, period }, ());
		}
	}

	/// Takes `facility`'s `period` out of the queue of outputs to make final (its status was
	/// `status`).
	pub(crate) fn unqueue_make_final(
		facility: FacilityId,
		period: PeriodIndex,
		status: &OutputStatus,
	) {
		if let Some(at) = status.due() {
			DueQueue::<T>::remove(DueAt(at), OracleDue::MakeFinal { facility, period });
		}
	}

	/// Processes the queue's entries due at `now`, oldest first, within `remaining`; returns
	/// the weight used and the entries processed.
	pub(crate) fn drain_due(now: u64, remaining: Weight) -> (Weight, u32) {
		let db = T::DbWeight::get();
		drain::<OracleQueue<T>>(
			now,
			remaining,
			entry_weight(db.reads(1), db.writes(1)),
			|item| match item {
				OracleDue::Close { .. } => Self::close_weight(),
				OracleDue::MakeFinal { .. } => Self::make_final_weight(),
			},
			|item| match *item {
				OracleDue::Close { facility, period } => {
					(Self::close_due(facility, period), Self::close_weight())
				},
				OracleDue::MakeFinal { facility, period } => {
					(Self::make_final_due(facility, period), Self::make_final_weight())
				},
			},
		)
	}

	/// Closes a queued round; not due yet (the windows were lengthened since it was queued),
	/// it is queued again for when it is; failed for a reason that may pass, it is tried
	/// again after [`RETRY_AFTER`].
	fn close_due(facility: FacilityId, period: PeriodIndex) -> Processed {
		match with_storage_layer(|| Self::do_close(facility, period)) {
			// Closed (a new entry is queued if it was extended or handed to governance).
			Ok(()) => Processed::Done,
			Err(error)
				if error == Error::<T>::WindowOpen.into()
					|| error == Error::<T>::AwaitingGovernance.into() =>
			{
				Rounds::<T>::get(facility, period)
					.and_then(|round| Self::round_due(period, &round))
					.map_or(Processed::Done, Processed::Later)
			},
			// Finalized by an attestation or a fallback call, or nothing to decide.
			Err(error) if Self::nothing_to_close(&error) => Processed::Done,
			Err(_) => Processed::Later(Self::now().saturating_add(RETRY_AFTER)),
		}
	}

	/// Makes a queued output final; not due yet, queued again for when it is; failed for a
	/// reason that may pass, tried again after [`RETRY_AFTER`].
	fn make_final_due(facility: FacilityId, period: PeriodIndex) -> Processed {
		match with_storage_layer(|| Self::do_make_final(facility, period)) {
			Ok(()) => Processed::Done,
			Err(error)
				if error == Error::<T>::ChallengeWindowOpen.into()
					|| error == Error::<T>::DisputeOpen.into() =>
			{
				Outputs::<T>::get(facility, period)
					.and_then(|record| record.status.due())
					.map_or(Processed::Done, Processed::Later)
			},
			// Made final by a fallback call or a resolution, or pruned.
			Err(error)
				if error == Error::<T>::AlreadyFinal.into()
					|| error == Error::<T>::NotFinalized.into() =>
			{
				Processed::Done
			},
			Err(_) => Processed::Later(Self::now().saturating_add(RETRY_AFTER)),
		}
	}

	/// Whether a close failed because there is nothing (left) to decide.
	fn nothing_to_close(error: &DispatchError) -> bool {
		[
			Error::<T>::AlreadyFinalized,
			Error::<T>::NotOwed,
			Error::<T>::PeriodTooOld,
			Error::<T>::UnknownFacility,
			Error::<T>::FacilityNotReporting,
		]
		.into_iter()
		.any(|nothing| *error == nothing.into())
	}

	/// Whether `facility`'s `period` is behind the close sweep (a round opened there — its
	/// window reopened by longer windows, or a period before the chain's first whole one —
	/// is queued to be closed instead).
	pub(crate) fn behind_sweep(facility: FacilityId, period: PeriodIndex) -> bool {
		CloseCursor::<T>::get().is_some_and(|cursor| (period, facility) < cursor)
	}

	/// Where the close sweep starts on a chain that has no cursor: the first period that
	/// starts at or after the chain's first block (every facility's first owed period), or
	/// the oldest period whose outputs are still kept, if later.
	pub(crate) fn initial_cursor(now: u64) -> Option<(PeriodIndex, FacilityId)> {
		let first = Self::first_starting_at_or_after(ChainStart::<T>::get()?)?;
		let current = Self::period_at(now)?;
		let oldest_kept = current.0.saturating_sub(T::OutputHistory::get()).saturating_add(1);
		Some((first.max(PeriodIndex(oldest_kept)), FacilityId(0)))
	}

	/// The close sweep: from [`CloseCursor`], closes each facility's period whose report
	/// window has closed by `now`, facility by facility and period by period, while
	/// `remaining` covers a close. A facility-period already finalized, with a round the
	/// queue owns (extended or waiting for governance), or of a facility that does not
	/// report and has no round is passed at the cost of its reads. Stops (and retries next
	/// block) at a facility-period whose close must wait. Returns the weight used and the
	/// facility-periods passed.
	pub(crate) fn sweep_closes(now: u64, remaining: Weight) -> (Weight, u32) {
		let db = T::DbWeight::get();
		// The cursor, the facility count, the timing and the schedules.
		let mut used = db.reads(4);
		if !remaining.all_gte(used.saturating_add(db.writes(1))) {
			return (Weight::zero(), 0);
		}
		// Set in the chain's first block, or by the migration of an upgraded chain; a chain
		// without one starts where every facility's first owed period is.
		let Some((mut period, mut facility)) =
			CloseCursor::<T>::get().or_else(|| Self::initial_cursor(now))
		else {
			return (used, 0);
		};
		let start = (period, facility);
		let end_id = T::Facilities::next_facility_id();
		let mut passed = 0u32;
		while let Ok((_, end)) = Self::bounds(period) {
			if now < Self::window_close(end, false) {
				break;
			}
			if facility >= end_id {
				// A period with every facility passed (or none registered): the next one.
				let Some(next) = period.next() else { break };
				if !remaining.all_gte(used.saturating_add(db.reads(1)).saturating_add(db.writes(1)))
				{
					break;
				}
				used = used.saturating_add(db.reads(1));
				period = next;
				facility = FacilityId(0);
				continue;
			}
			if !remaining
				.all_gte(used.saturating_add(Self::close_weight()).saturating_add(db.writes(1)))
			{
				break;
			}
			match Self::sweep_one(facility, period) {
				Some(weight) => used = used.saturating_add(weight),
				None => {
					used = used.saturating_add(Self::close_weight());
					break;
				},
			}
			passed = passed.saturating_add(1);
			let Some(next) = facility.next() else { break };
			facility = next;
		}
		if (period, facility) != start || !CloseCursor::<T>::exists() {
			CloseCursor::<T>::put((period, facility));
			used = used.saturating_add(db.writes(1));
		}
		(used, passed)
	}

	/// Closes `facility`'s `period` for the sweep; returns the weight used, or `None` when the
	/// close must wait (the sweep stops there).
	fn sweep_one(facility: FacilityId, period: PeriodIndex) -> Option<Weight> {
		let db = T::DbWeight::get();
		if Outputs::<T>::contains_key(facility, period) {
			return Some(db.reads(1));
		}
		match Rounds::<T>::get(facility, period) {
			// The queue closes it when its extension or governance wait ends.
			Some(round) if round.extended || round.awaiting_governance => return Some(db.reads(2)),
			Some(_) => {},
			None => {
				if !T::Facilities::status(facility).is_some_and(|status| status.reports()) {
					// Nothing reported, nothing owed (pending, retired, rejected, unknown).
					return Some(db.reads(3));
				}
			},
		}
		match with_storage_layer(|| Self::do_close(facility, period)) {
			Err(error) if Self::must_wait(&error) => None,
			Err(error) if !Self::nothing_to_close(&error) => {
				// Failed for a reason that may pass: the queue tries it again.
				Self::queue_close(facility, period, Self::now().saturating_add(RETRY_AFTER));
				Some(Self::close_weight())
			},
			// Closed, or nothing to decide (not owed, too old).
			_ => Some(Self::close_weight()),
		}
	}

	/// Whether a close failed only because it is early: the sweep retries it.
	fn must_wait(error: &DispatchError) -> bool {
		*error == Error::<T>::WindowOpen.into() || *error == Error::<T>::NetworkDataNotFixed.into()
	}
}
