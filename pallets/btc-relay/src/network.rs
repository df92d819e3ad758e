//! Network data from the relayed main chain: a span's difficulty, subsidy and fees.
//!
//! For unix seconds `[start, end)`:
//! - `h(t)` is the last main-chain height whose time so far — the largest of its own and its
//!   ancestors' times, Core's `nTimeMax`, monotone although header times are not — is at most
//!   `t`, found by binary search. The span's blocks are `h(start) + 1 ..= h(end - 1)`; spans
//!   that meet share no block and leave none out.
//! - **Covered** once the main chain reaches `h(end - 1) + NetworkConfirmations` (the first
//!   block after the span and its confirmations) and a header at or before `start` is kept.
//! - **Difficulty**: at time `t` the difficulty in force is that of block `h(t) + 1`, the one
//!   being mined; it changes when the block before a retarget height is mined. The span's
//!   difficulty is the time-weighted harmonic mean, `T / sum(t_i / D_i)` = `T x target(1) /
//!   sum(t_i x target_i)`, rounded down: a hashrate's expected blocks over the span are exactly
//!   those at that one difficulty, and a span shorter than a block still has one. On regtest it
//!   rounds to 0 and is taken as 1.
//! - **Subsidy**: the average of the span's blocks' subsidies (or the subsidy of the block
//!   being mined when none was mined), rounded down.
//! - **Fees**: every `step`-th block of the span from an offset `r` (`step` =
//!   `FeeSampleStep`, more when the span has more than `MaxFeeSample` such blocks), where `r`
//!   is the hash of the span's last confirming block modulo `step`: known only after the span,
//!   so nobody picks the blocks. Once every sampled coinbase is proven, fees are their median
//!   (the lower middle for an even count); otherwise `None` and the oracle's fallback applies.
//!   The median, not the mean: a miner may pay itself any fee in its own blocks (it gets it
//!   back in its coinbase), which moves the median only if it mined most of the sample.
//!   A coinbase larger than `MaxTransactionSize` cannot be proven: its miner can deny the
//!   period a fee sample, and the reward then falls back to the feeds (the difficulty still
//!   comes from Bitcoin).

use super::*;
use crate::transaction::{subsidy, MerkleBlock, ParseError, ProofError, Transaction};
use frame_support::ensure;
use hashrate_primitives::{Difficulty, Sats};
use polkadot_sdk::sp_core::U512;
use polkadot_sdk::sp_runtime::DispatchResult;

/// A span's fee sample.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct FeeSample {
	/// The sampled main-chain blocks: height, hash, and whether the coinbase is proven.
	pub blocks: Vec<(u32, H256, bool)>,
}

/// The span's blocks and the quantities the data is made of.
pub(crate) struct Span {
	/// `h(start)`.
	pub before: u32,
	/// `h(end - 1)`, at least `before`.
	pub last: u32,
}

impl<T: Config> Pallet<T> {
	/// The largest time up to the main-chain header at `height` (`nTimeMax`).
	fn time_at(height: u32) -> Option<u32> {
		Self::main_header(height).map(|header| header.time_max)
	}

	/// The main-chain header at `height`.
	pub(crate) fn main_header(height: u32) -> Option<StoredHeader> {
		MainChain::<T>::get(height).and_then(Headers::<T>::get)
	}

	/// `h(t)`: the last kept main-chain height whose largest time so far is at most `t`
	/// (binary search over a monotone sequence, as Core's `FindEarliestAtLeast`), or `None`
	/// when the oldest kept header is after `t`.
	fn height_at(t: u64, kept_from: u32, tip: u32) -> Option<u32> {
		if u64::from(Self::time_at(kept_from)?) > t {
			return None;
		}
		let (mut low, mut high) = (kept_from, tip);
		while low < high {
			let mid = low + (high - low).div_ceil(2);
			if u64::from(Self::time_at(mid)?) <= t {
				low = mid;
			} else {
				high = mid - 1;
			}
		}
		Some(low)
	}

	/// The span of `[start, end)` once covered.
	pub(crate) fn span(start: u64, end: u64) -> Option<Span> {
		if end <= start {
			return None;
		}
		let tip = Best::<T>::get()?;
		let kept_from = KeptFrom::<T>::get();
		let before = Self::height_at(start, kept_from, tip.height)?;
		let last = Self::height_at(end - 1, kept_from, tip.height)?.max(before);
		let confirmed = last.checked_add(T::NetworkConfirmations::get().max(1))?;
		(tip.height >= confirmed).then_some(Span { before, last })
	}

	/// The span's time-weighted harmonic difficulty (see the module docs).
	fn span_difficulty(span: &Span, start: u64, end: u64) -> Option<Difficulty> {
		let target_of = |height: u32| -> Option<U256> {
			target_from_compact(Self::main_header(height)?.bits).ok()
		};
		let mining = span.before.checked_add(1)?;
		let mut target = target_of(mining)?;
		let mut from = start;
		// Seconds x target: a regtest target (2^255) times a day overflows 256 bits.
		let mut sum = U512::zero();
		// Retarget heights after the block being mined at `start`, up to the first after the
		// span: at most two within the kept headers.
		let mut retarget =
			(mining / RETARGET_INTERVAL).checked_add(1)?.checked_mul(RETARGET_INTERVAL)?;
		while retarget <= span.last.checked_add(1)? {
			let switch = u64::from(Self::time_at(retarget - 1)?).clamp(from, end);
			sum = sum.checked_add(U512::from(switch - from).checked_mul(U512::from(target))?)?;
			from = switch;
			target = target_of(retarget)?;
			retarget = retarget.checked_add(RETARGET_INTERVAL)?;
		}
		sum = sum.checked_add(U512::from(end - from).checked_mul(U512::from(target))?)?;
		let one = U512::from(target_from_compact(Difficulty::MAX_TARGET_BITS).ok()?);
		let difficulty = U512::from(end - start).checked_mul(one)?.checked_div(sum)?;
		let difficulty = U256::try_from(difficulty).ok()?;
		u128::try_from(difficulty).ok().map(|d| Difficulty::from(d.max(1)))
	}

	/// The average subsidy of the span's blocks (of the block being mined when none was).
	fn span_subsidy(span: &Span) -> Sats {
		let (first, last) = Self::span_blocks(span);
		let count = u64::from(last - first) + 1;
		// Subsidies change at multiples of 210,000: sum per halving era.
		let mut sum = 0u64;
		let mut from = first;
		while from <= last {
			let era_end = (from / 210_000).saturating_add(1).saturating_mul(210_000);
			let to = last.min(era_end.saturating_sub(1));
			sum = sum.saturating_add(subsidy(from).saturating_mul(u64::from(to - from) + 1));
			match to.checked_add(1) {
				Some(next) => from = next,
				None => break,
			}
		}
		Sats::from(sum / count)
	}

	/// First and last height of the span's blocks: those mined in it, or the one being mined
	/// when none was.
	fn span_blocks(span: &Span) -> (u32, u32) {
		let first = span.before.saturating_add(1);
		(first, span.last.max(first))
	}

	/// The span and its fee sample, once covered.
	pub(crate) fn sample(start: u64, end: u64) -> Option<(Span, FeeSample)> {
		let span = Self::span(start, end)?;
		let (first, last) = Self::span_blocks(&span);
		let len = last - first + 1;
		let step = T::FeeSampleStep::get()
			.max(1)
			.max(len.div_ceil(T::MaxFeeSample::get().max(1)))
			.min(len);
		let confirming = span.last.checked_add(T::NetworkConfirmations::get().max(1))?;
		let seed = MainChain::<T>::get(confirming)?;
		let mut low = [0u8; 8];
		low.copy_from_slice(&seed.as_bytes()[..8]);
		let offset = (u64::from_le_bytes(low) % u64::from(step)) as u32;
		let mut blocks = Vec::new();
		let mut height = first.checked_add(offset)?;
		while height <= last {
			let hash = MainChain::<T>::get(height)?;
			let proven = CoinbaseFees::<T>::get(height).is_some_and(|(block, _)| block == hash);
			blocks.push((height, hash, proven));
			height = height.checked_add(step)?;
		}
		Some((span, FeeSample { blocks }))
	}

	/// The network data of `[start, end)` (see the module docs).
	pub(crate) fn derive(start: u64, end: u64) -> Option<RelayedNetworkData> {
		let (span, sample) = Self::sample(start, end)?;
		let difficulty = Self::span_difficulty(&span, start, end)?;
		let subsidy = Self::span_subsidy(&span);
		let sampled = u32::try_from(sample.blocks.len()).ok()?;
		let mut paid: Vec<u64> = sample
			.blocks
			.iter()
			.filter_map(|(height, hash, _)| {
				CoinbaseFees::<T>::get(height)
					.filter(|(block, _)| block == hash)
					.map(|(_, fees)| fees)
			})
			.collect();
		let proven = u32::try_from(paid.len()).ok()?;
		paid.sort_unstable();
		let median = paid.get(paid.len().saturating_sub(1) / 2).copied();
		let fees = median.filter(|_| proven == sampled).map(Sats::from);
		let (first_height, last_height) = Self::span_blocks(&span);
		Some(RelayedNetworkData {
			difficulty,
			subsidy,
			fees,
			first_height,
			last_height,
			sampled,
			proven,
		})
	}

	/// See [`Pallet::prove_coinbase`].
	pub(crate) fn do_prove_coinbase(transaction: &[u8], proof: &[u8]) -> DispatchResult {
		let block = MerkleBlock::parse(proof).map_err(|error| match error {
			ProofError::DuplicateSibling => Error::<T>::DuplicatedSibling,
			ProofError::RootMismatch => Error::<T>::MerkleRootMismatch,
			_ => Error::<T>::MalformedProof,
		})?;
		let hash = double_sha256(&block.header);
		let header = Headers::<T>::get(hash)
			.filter(|header| Self::on_main_chain(header.height, &hash))
			.ok_or(Error::<T>::BlockNotInMainChain)?;
		let tx = Transaction::parse(transaction).map_err(|error| match error {
			ParseError::Truncated
			| ParseError::TrailingBytes
			| ParseError::NonCanonicalLength
			| ParseError::BadWitnessFlag
			| ParseError::Empty
			| ParseError::ValueOutOfRange => Error::<T>::MalformedTransaction,
		})?;
		ensure!(tx.stripped_size != 64, Error::<T>::SixtyFourByteTransaction);
		let index = block
			.matches
			.iter()
			.find(|(txid, _)| *txid == tx.txid)
			.map(|(_, index)| *index)
			.ok_or(Error::<T>::TransactionNotProven)?;
		ensure!(index == 0 && tx.is_coinbase(), Error::<T>::NotCoinbase);
		ensure!(
			CoinbaseFees::<T>::get(header.height).is_none_or(|(proven, _)| proven != hash),
			Error::<T>::AlreadyProven
		);
		let claimed = tx.output_total();
		let fees = claimed.saturating_sub(subsidy(header.height));
		CoinbaseFees::<T>::insert(header.height, (hash, fees));
		Self::deposit_event(Event::CoinbaseProven {
			height: header.height,
			block: hash,
			claimed,
			fees,
		});
		Ok(())
	}
}
