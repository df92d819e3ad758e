//! Due queues: how the chain drives its own lifecycle.
//!
//! A pallet that owns items which become due at a time — a report window to close, an output
//! to make final, a period to default, an offering to close, a retirement to complete —
//! keeps them in a map keyed by ([`DueAt`], item) and drains it in `on_idle`, oldest first,
//! with [`drain`] (pallet-fast-unstake's pattern: bounded work in the weight a block left).
//! The permissionless calls that do the same stay as fallbacks; an item they handled first is
//! dropped when its time comes.
//!
//! [`DueAt`] encodes as big-endian bytes, so under an `Identity` hasher the map's keys sort by
//! time and its first key is the earliest item: finding the head costs one read however long
//! the queue is. The keys are written by the chain only (times it computes, items that exist),
//! so the unhashed prefix cannot be steered to unbalance the trie.

use codec::{Decode, Encode, EncodeLike, Error, Input, MaxEncodedLen, Output};
use polkadot_sdk::sp_runtime::Weight;
use scale_info::{build::Fields, Path, Type, TypeInfo};

/// A unix second as a storage key that sorts by time (big-endian encoding).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Default)]
pub struct DueAt(pub u64);

impl Encode for DueAt {
	fn size_hint(&self) -> usize {
		8
	}

	fn encode_to<W: Output + ?Sized>(&self, dest: &mut W) {
		dest.write(&self.0.to_be_bytes());
	}
}

impl EncodeLike for DueAt {}

impl Decode for DueAt {
	fn decode<I: Input>(input: &mut I) -> Result<Self, Error> {
		let mut bytes = [0u8; 8];
		input.read(&mut bytes)?;
		Ok(Self(u64::from_be_bytes(bytes)))
	}
}

impl MaxEncodedLen for DueAt {
	fn max_encoded_len() -> usize {
		8
	}
}

impl TypeInfo for DueAt {
	type Identity = Self;

	fn type_info() -> Type {
		Type::builder()
			.path(Path::new("DueAt", module_path!()))
			.docs(&["A unix second, big-endian (keys sort by time)."])
			.composite(Fields::unnamed().field(|f| f.ty::<[u8; 8]>().type_name("[u8; 8]")))
	}
}

/// A pallet's due queue: its storage map of (time, item) keys.
pub trait DueQueue {
	/// What becomes due.
	type Item;
	/// The map's keys, earliest first (a storage prefix iterator: each step reads the next
	/// key after the previous one, so removing entries behind it costs nothing more).
	type Iter: Iterator<Item = (DueAt, Self::Item)>;
	/// Iterates the entries from the earliest.
	fn iter() -> Self::Iter;
	/// Adds an entry (an entry already there stays one).
	fn insert(at: DueAt, item: &Self::Item);
	/// Removes an entry, if there.
	fn remove(at: DueAt, item: &Self::Item);
}

/// What became of a due item.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Processed {
	/// Done, or no longer anything to do (a fallback call handled it): the entry goes.
	Done,
	/// Not due yet after all (rules changed since it was queued, or the item waits for
	/// something else, or failed for a reason that may pass): queued again at this unix
	/// second (at least the next second).
	Later(u64),
}

/// How long an item that failed for a reason that may pass (an arithmetic or transfer error)
/// waits before it is tried again, seconds.
pub const RETRY_AFTER: u64 = 600;

/// Items whose worst case does not fit the weight left that a drain steps over to reach
/// lighter ones behind them (they stay queued; a heavy item does not hold up the rest).
pub const MAX_SKIPPED: u32 = 4;

/// Weight of one queue entry: reading it, removing it, queueing it again.
pub fn entry_weight(read: Weight, write: Weight) -> Weight {
	read.saturating_add(write.saturating_mul(2))
}

/// Processes `Q`'s entries due at `now`, oldest first, while `remaining` covers an entry's
/// [`entry_weight`] plus the item's worst case (`worst`); an item that does not fit is
/// stepped over (at most [`MAX_SKIPPED`] of them). `process` runs the item (inside a storage
/// layer of its own if it can fail half-way) and returns what became of it and the weight it
/// used. One iteration over the map serves the whole drain. Returns the weight used (every
/// entry read charged, the one that ended the drain included) and how many items were
/// processed.
pub fn drain<Q: DueQueue>(
	now: u64,
	remaining: Weight,
	entry: Weight,
	worst: impl Fn(&Q::Item) -> Weight,
	mut process: impl FnMut(&Q::Item) -> (Processed, Weight),
) -> (Weight, u32) {
	let mut used = Weight::zero();
	let mut processed = 0u32;
	let mut skipped = 0u32;
	let mut entries = Q::iter();
	loop {
		if !remaining.all_gte(used.saturating_add(entry)) {
			break;
		}
		used = used.saturating_add(entry);
		let Some((at, item)) = entries.next() else { break };
		if at.0 > now {
			break;
		}
		if !remaining.all_gte(used.saturating_add(worst(&item))) {
			skipped = skipped.saturating_add(1);
			if skipped > MAX_SKIPPED {
				break;
			}
			continue;
		}
		Q::remove(at, &item);
		let (outcome, weight) = process(&item);
		used = used.saturating_add(weight);
		processed = processed.saturating_add(1);
		if let Processed::Later(time) = outcome {
			Q::insert(DueAt(time.max(now.saturating_add(1))), &item);
		}
	}
	(used, processed)
}

#[cfg(test)]
mod tests {
	use super::*;
	use core::cell::RefCell;
	use std::collections::BTreeSet;

	std::thread_local! {
		static QUEUE: RefCell<BTreeSet<(DueAt, u32)>> = const { RefCell::new(BTreeSet::new()) };
	}

	struct Queue;
	impl DueQueue for Queue {
		type Item = u32;
		type Iter = std::vec::IntoIter<(DueAt, u32)>;
		fn iter() -> Self::Iter {
			QUEUE.with(|q| q.borrow().iter().copied().collect::<Vec<_>>().into_iter())
		}
		fn insert(at: DueAt, item: &u32) {
			QUEUE.with(|q| q.borrow_mut().insert((at, *item)));
		}
		fn remove(at: DueAt, item: &u32) {
			QUEUE.with(|q| q.borrow_mut().remove(&(at, *item)));
		}
	}

	fn head() -> Option<(DueAt, u32)> {
		Queue::iter().next()
	}

	fn w(ref_time: u64) -> Weight {
		Weight::from_parts(ref_time, 0)
	}

	#[test]
	fn keys_sort_by_time() {
		let times = [0u64, 1, 255, 256, 65_535, 1 << 40, u64::MAX];
		let encoded: Vec<Vec<u8>> = times.iter().map(|t| DueAt(*t).encode()).collect();
		let mut sorted = encoded.clone();
		sorted.sort();
		assert_eq!(encoded, sorted);
		for t in times {
			assert_eq!(DueAt::decode(&mut &DueAt(t).encode()[..]).unwrap(), DueAt(t));
			assert_eq!(DueAt(t).encode().len(), DueAt::max_encoded_len());
		}
		assert!(DueAt::decode(&mut &[1u8, 2, 3][..]).is_err());
	}

	#[test]
	fn drains_what_is_due_oldest_first_within_the_weight() {
		QUEUE.with(|q| q.borrow_mut().clear());
		for (at, item) in [(30, 3), (10, 1), (20, 2), (40, 4)] {
			Queue::insert(DueAt(at), &item);
		}
		let mut seen = Vec::new();
		// Entry 1 + item 10 each: 11 per item; 25 fits two items, then the third is read and
		// stepped over (it does not fit) and the fourth read is not due.
		let (used, count) = drain::<Queue>(
			35,
			w(25),
			w(1),
			|_| w(10),
			|item| {
				seen.push(*item);
				(Processed::Done, w(10))
			},
		);
		assert_eq!((seen.clone(), count, used), (vec![1, 2], 2, w(24)));
		// Next block: item 3 is due, item 4 is not.
		let (used, count) = drain::<Queue>(
			35,
			w(100),
			w(1),
			|_| w(10),
			|item| {
				seen.push(*item);
				(Processed::Done, w(4))
			},
		);
		assert_eq!((seen, count, used), (vec![1, 2, 3], 1, w(6)));
		assert_eq!(head(), Some((DueAt(40), 4)));
	}

	#[test]
	fn an_item_not_due_yet_is_queued_again_after_now() {
		QUEUE.with(|q| q.borrow_mut().clear());
		Queue::insert(DueAt(5), &7);
		let (_, count) =
			drain::<Queue>(10, w(1_000), w(1), |_| w(1), |_| (Processed::Later(3), w(1)));
		// Queued at or before now it would loop; it goes to the next second instead.
		assert_eq!(count, 1);
		assert_eq!(head(), Some((DueAt(11), 7)));
		let (_, count) =
			drain::<Queue>(10, w(1_000), w(1), |_| w(1), |_| (Processed::Later(50), w(1)));
		assert_eq!(count, 0);
		assert_eq!(head(), Some((DueAt(11), 7)));
	}

	#[test]
	fn a_heavy_item_is_stepped_over_for_lighter_ones() {
		QUEUE.with(|q| q.borrow_mut().clear());
		Queue::insert(DueAt(1), &9);
		Queue::insert(DueAt(2), &1);
		let worst = |item: &u32| w(u64::from(*item) * 10);
		let mut seen = Vec::new();
		drain::<Queue>(10, w(20), w(1), worst, |item| {
			seen.push(*item);
			(Processed::Done, w(10))
		});
		assert_eq!(seen, vec![1]);
		assert_eq!(head(), Some((DueAt(1), 9)));
		// At most MAX_SKIPPED heavy items are stepped over.
		QUEUE.with(|q| q.borrow_mut().clear());
		for i in 0..=MAX_SKIPPED {
			Queue::insert(DueAt(u64::from(i)), &9);
		}
		Queue::insert(DueAt(9), &1);
		let mut seen = Vec::new();
		drain::<Queue>(
			10,
			w(1_000),
			w(1),
			|item| w(u64::from(*item) * 1_000),
			|item| {
				seen.push(*item);
				(Processed::Done, w(1))
			},
		);
		assert!(seen.is_empty());
	}

	#[test]
	fn an_empty_queue_costs_one_head_read() {
		QUEUE.with(|q| q.borrow_mut().clear());
		assert_eq!(drain::<Queue>(10, w(100), w(3), |_| w(1), |_| unreachable!()), (w(3), 0));
		assert_eq!(drain::<Queue>(10, w(2), w(3), |_| w(1), |_| unreachable!()), (w(0), 0));
	}
}
