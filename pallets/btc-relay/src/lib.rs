//! # Bitcoin header relay
//!
//! Bitcoin proves its own difficulty: each 80-byte header carries its target (`nBits`) and the
//! proof of work that meets it, and links to its parent. This pallet follows Bitcoin's best
//! chain from relayed headers, checking each one as a Bitcoin node does
//! ([`bitcoin`]: Bitcoin Core's rules), so other pallets know Bitcoin's heights, times and
//! difficulty without trusting anyone who reports them.
//!
//! ## Relaying
//!
//! Anyone [submits](Pallet::submit_headers) a bounded batch of raw headers. Each new header is
//! checked in this order, each check with its own error, and an invalid header fails the whole
//! batch (nothing of it is kept):
//! 1. its parent is known ([`Error::UnknownParent`]);
//! 2. its `nBits` is what Bitcoin's rules require at its height — the parent's, or at a
//!    retarget height the parent epoch's timespan (2,015 intervals, as Core counts them)
//!    clamped to x4 / ÷4 and encoded exactly as Core does ([`Error::BadDifficultyBits`]);
//! 3. its time is above the median of the 11 headers before it ([`Error::TimeTooOld`]);
//! 4. its time is at most two hours past the chain's own clock ([`Error::TimeTooNew`]);
//! 5. its version is one the network still accepts — on mainnet at least 4, as Core requires
//!    since BIP 65 ([`Error::BadVersion`]);
//! 6. its double-SHA-256 is at or below its target ([`Error::InsufficientWork`]).
//!
//! Headers already known are skipped (and charged: hashing and looking them up is work).
//!
//! ## The best chain
//!
//! The best chain is the one with the most cumulative work; at equal work the tip seen first
//! stays. A heavier branch reorganises the main-chain index, at most
//! [`Config::MaxReorgDepth`] headers deep ([`Error::ReorgTooDeep`] beyond: a branch forking
//! deeper is refused; governance may reset the checkpoint after a deeper reorganisation).
//!
//! ## Checkpoint and storage
//!
//! Genesis starts the relay at a checkpoint: a header, its height, the first timestamp of its
//! difficulty epoch (for the next retarget) and the 11 timestamps ending at it (for the
//! median-time rule). Main-chain headers more than [`Config::KeepHeaders`] below the tip are
//! pruned in `on_idle` (at least an epoch and the reorganisation depth are kept: what the
//! retarget and median-time rules need), with the side branches at their heights.
//!
//! ## Fees
//!
//! A batch that moves the best tip forward is free ([`Pays::No`]) on a network that retargets
//! (mainnet), so keeping the relay current costs nothing while spam (known headers, side
//! branches) pays; on regtest, where anyone mines headers at will, every batch pays.

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod bitcoin;
pub mod impl_traits;
#[cfg(test)]
mod mock;
mod network;
#[cfg(test)]
mod network_tests;
#[cfg(test)]
mod tests;
pub mod transaction;
pub mod weights;

pub use impl_traits::LIVE_WITHIN;
pub use network::FeeSample;
pub use pallet::*;
pub use weights::WeightInfo;

use alloc::{collections::BTreeMap, vec::Vec};
use bitcoin::{
	double_sha256, hash_as_number, median_time_past, required_bits, target_from_compact, work,
	Header, Network, RawHeader, MAX_FUTURE_BLOCK_TIME, MEDIAN_TIME_SPAN, RETARGET_INTERVAL,
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use hashrate_primitives::RelayedNetworkData;
use polkadot_sdk::{
	frame_support::{
		self,
		dispatch::{Pays, PostDispatchInfo},
		traits::Get,
	},
	frame_system,
	sp_core::{H256, U256},
};
use scale_info::TypeInfo;

/// A header the relay keeps: what the rules and other pallets need of it.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct StoredHeader {
	/// Its height.
	pub height: u32,
	/// Its parent's hash.
	pub prev: H256,
	/// Its transactions' Merkle root (for inclusion proofs).
	pub merkle_root: H256,
	/// Its time, unix seconds.
	pub time: u32,
	/// The largest time of it and its ancestors (Core's `nTimeMax`): monotone along a chain,
	/// what searches by time use.
	pub time_max: u32,
	/// Its compact target.
	pub bits: u32,
	/// The work of the chain up to and including it, counted from the checkpoint.
	pub chain_work: U256,
}

/// The best chain's tip.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct Tip {
	/// Its hash.
	pub hash: H256,
	/// Its height.
	pub height: u32,
	/// Its chain's work from the checkpoint.
	pub chain_work: U256,
}

/// Where the relay starts: a header and what the rules need of the chain before it.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	serde::Serialize,
	serde::Deserialize,
)]
pub struct Checkpoint {
	/// The raw 80-byte header.
	pub header: Vec<u8>,
	/// Its height.
	pub height: u32,
	/// The time of the first header of its difficulty epoch (height `height - height % 2016`).
	pub epoch_start_time: u32,
	/// The times of the 11 headers ending at it, oldest first.
	pub times: Vec<u32>,
}

/// [`Checkpoint`] as stored: bounded.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct StoredCheckpoint {
	/// Its hash.
	pub hash: H256,
	/// Its height.
	pub height: u32,
	/// The time of its epoch's first header.
	pub epoch_start_time: u32,
	/// The times of the 11 headers ending at it, oldest first.
	pub times: [u32; MEDIAN_TIME_SPAN],
}

/// Why a checkpoint cannot start the relay.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CheckpointError {
	/// The header is not 80 bytes.
	HeaderSize,
	/// Not 11 times.
	Times,
	/// The last time is not the header's.
	TimeMismatch,
	/// The header's target is invalid or above the network's limit.
	Target,
	/// At a retarget height the epoch starts with the header: its time must be the epoch's.
	EpochStart,
}

impl Checkpoint {
	/// The header, its stored form and the stored checkpoint, once checked.
	pub fn verify(
		&self,
		network: Network,
	) -> Result<(H256, StoredHeader, StoredCheckpoint), CheckpointError> {
		let raw: RawHeader =
			self.header.as_slice().try_into().map_err(|_| CheckpointError::HeaderSize)?;
		let times: [u32; MEDIAN_TIME_SPAN] =
			self.times.as_slice().try_into().map_err(|_| CheckpointError::Times)?;
		let header = Header::parse(&raw);
		if times[MEDIAN_TIME_SPAN - 1] != header.time {
			return Err(CheckpointError::TimeMismatch);
		}
		if self.height.is_multiple_of(RETARGET_INTERVAL) && self.epoch_start_time != header.time {
			return Err(CheckpointError::EpochStart);
		}
		let target = target_from_compact(header.bits).map_err(|_| CheckpointError::Target)?;
		if target > network.pow_limit() {
			return Err(CheckpointError::Target);
		}
		let hash = double_sha256(&raw);
		let stored = StoredHeader {
			height: self.height,
			prev: header.prev,
			merkle_root: header.merkle_root,
			time: header.time,
			time_max: times.iter().copied().max().unwrap_or(header.time),
			bits: header.bits,
			chain_work: work(target),
		};
		let checkpoint = StoredCheckpoint {
			hash,
			height: self.height,
			epoch_start_time: self.epoch_start_time,
			times,
		};
		Ok((hash, stored, checkpoint))
	}
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{pallet_prelude::*, traits::UnixTime};
	use frame_system::pallet_prelude::*;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the pallet.
	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config {
		/// The chain's clock (headers more than two hours ahead of it are refused).
		type Time: UnixTime;
		/// Resets the checkpoint.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Most headers in one batch.
		#[pallet::constant]
		type MaxHeadersPerBatch: Get<u32>;
		/// Deepest reorganisation of the main chain the relay follows.
		#[pallet::constant]
		type MaxReorgDepth: Get<u32>;
		/// Main-chain headers kept below the tip (older ones are pruned): at least an epoch
		/// plus the reorganisation depth and a batch.
		#[pallet::constant]
		type KeepHeaders: Get<u32>;
		/// Main-chain blocks, itself included, on top of the first block after a span before
		/// the relay derives the span's network data.
		#[pallet::constant]
		type NetworkConfirmations: Get<u32>;
		/// A span's fee sample takes every this many blocks (more when the span has more than
		/// `MaxFeeSample` of them).
		#[pallet::constant]
		type FeeSampleStep: Get<u32>;
		/// Most coinbases in a span's fee sample.
		#[pallet::constant]
		type MaxFeeSample: Get<u32>;
		/// Largest coinbase transaction a proof may carry, bytes.
		#[pallet::constant]
		type MaxTransactionSize: Get<u32>;
		/// Largest Merkle proof (`gettxoutproof` bytes).
		#[pallet::constant]
		type MaxProofSize: Get<u32>;
		/// Weights of the calls.
		type WeightInfo: WeightInfo;
	}

	/// The Bitcoin network followed.
	#[pallet::storage]
	pub type BitcoinNetwork<T: Config> = StorageValue<_, Network, ValueQuery, MainnetDefault>;

	/// The default network: mainnet.
	pub struct MainnetDefault;
	impl Get<Network> for MainnetDefault {
		fn get() -> Network {
			Network::Mainnet
		}
	}

	/// Known headers, main chain and side branches, by hash (internal byte order).
	#[pallet::storage]
	pub type Headers<T: Config> = StorageMap<_, Blake2_128Concat, H256, StoredHeader>;

	/// The main chain: the hash at each height from the oldest kept to the tip.
	#[pallet::storage]
	pub type MainChain<T: Config> = StorageMap<_, Twox64Concat, u32, H256>;

	/// Side-branch headers by height, so pruning finds them.
	#[pallet::storage]
	pub type SideHeaders<T: Config> =
		StorageDoubleMap<_, Twox64Concat, u32, Blake2_128Concat, H256, ()>;

	/// The best chain's tip.
	#[pallet::storage]
	pub type Best<T: Config> = StorageValue<_, Tip, OptionQuery>;

	/// The checkpoint the relay started from.
	#[pallet::storage]
	pub type StartedFrom<T: Config> = StorageValue<_, StoredCheckpoint, OptionQuery>;

	/// The lowest height whose headers are still kept: pruning's cursor.
	#[pallet::storage]
	pub type KeptFrom<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Proven coinbases by height: the block's hash and its fees (outputs minus the
	/// subsidy). Pruned with the headers; an entry whose hash is no longer the main chain's
	/// at its height counts for nothing.
	#[pallet::storage]
	pub type CoinbaseFees<T: Config> = StorageMap<_, Twox64Concat, u32, (H256, u64)>;

	/// A checkpoint governance set, waiting for the old relay's headers to be cleared
	/// (`on_idle`); the relay starts from it once they are.
	#[pallet::storage]
	pub type PendingCheckpoint<T: Config> =
		StorageValue<_, (H256, StoredHeader, StoredCheckpoint), OptionQuery>;

	/// Events of this pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A batch added `added` headers (and skipped the known ones); the best tip is `best`
		/// at `height`.
		HeadersRelayed {
			/// New headers.
			added: u32,
			/// The best tip after the batch.
			best: H256,
			/// Its height.
			height: u32,
		},
		/// Governance set a new checkpoint; the relay stops until the old headers are cleared.
		CheckpointSet {
			/// The checkpoint header's hash.
			hash: H256,
			/// Its height.
			height: u32,
		},
		/// The relay (re)started from a checkpoint.
		RelayStarted {
			/// The checkpoint header's hash.
			hash: H256,
			/// Its height.
			height: u32,
		},
		/// A main-chain block's coinbase was proven.
		CoinbaseProven {
			/// The block's height.
			height: u32,
			/// Its hash.
			block: H256,
			/// The coinbase's outputs.
			claimed: u64,
			/// Of which fees (the rest is the subsidy).
			fees: u64,
		},
		/// A heavier branch replaced the main chain's last `depth` headers.
		Reorganized {
			/// The old tip.
			from: H256,
			/// The new tip.
			to: H256,
			/// Main-chain headers replaced.
			depth: u32,
		},
	}

	/// Errors of this pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// A header's parent is not known.
		UnknownParent,
		/// A header's `nBits` is not what Bitcoin's rules require at its height.
		BadDifficultyBits,
		/// A header's time is not above the median of the 11 before it.
		TimeTooOld,
		/// A header's time is more than two hours past the chain's clock.
		TimeTooNew,
		/// A header's version is below what the network requires (mainnet: 4, BIP 65).
		BadVersion,
		/// A header's hash is above its target.
		InsufficientWork,
		/// A header forks from the main chain deeper than the reorganisation bound.
		ReorgTooDeep,
		/// A batch would reorganise the main chain twice (one batch, one reorganisation).
		SecondReorganization,
		/// The times the rules need (an ancestor, an epoch's first header) are not kept.
		AncestorMissing,
		/// The relay has no checkpoint.
		NoCheckpoint,
		/// The checkpoint is malformed (size, times, target).
		InvalidCheckpoint,
		/// An empty batch.
		EmptyBatch,
		/// The proof is not a `merkleblock` as Bitcoin Core's `gettxoutproof` writes it, or its
		/// flag bits and hashes do not rebuild a tree.
		MalformedProof,
		/// Two sibling nodes of the proof are equal (CVE-2012-2459).
		DuplicatedSibling,
		/// The proof's tree does not hash to its header's Merkle root.
		MerkleRootMismatch,
		/// The proof's block is not on the relay's main chain (or no longer kept).
		BlockNotInMainChain,
		/// The transaction does not parse.
		MalformedTransaction,
		/// The transaction is 64 bytes without witness: it could be an inner Merkle node.
		SixtyFourByteTransaction,
		/// The proof does not prove the transaction.
		TransactionNotProven,
		/// The transaction is not its block's coinbase (index 0, one null-prevout input).
		NotCoinbase,
		/// That block's coinbase is proven already.
		AlreadyProven,
		/// Cumulative work overflows 256 bits.
		Overflow,
	}

	/// Genesis: the network and the checkpoint.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The Bitcoin network.
		pub network: Option<Network>,
		/// Where the relay starts; without one it relays nothing until governance sets one.
		pub checkpoint: Option<Checkpoint>,
		#[serde(skip)]
		#[allow(missing_docs)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let network = self.network.unwrap_or(Network::Mainnet);
			BitcoinNetwork::<T>::put(network);
			if let Some(checkpoint) = &self.checkpoint {
				let started = Pallet::<T>::start_from(network, checkpoint);
				assert!(started.is_ok(), "invalid btc-relay checkpoint: {started:?}");
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_idle(_: BlockNumberFor<T>, remaining: Weight) -> Weight {
			if PendingCheckpoint::<T>::exists() {
				Self::clear_for_checkpoint(remaining)
			} else {
				Self::prune(remaining)
			}
		}

		fn integrity_test() {
			assert!(
				T::MaxReorgDepth::get().saturating_add(T::MaxHeadersPerBatch::get())
					< RETARGET_INTERVAL,
				"a branch must fork after the first header of the epoch before a retarget"
			);
			assert!(
				T::KeepHeaders::get()
					>= RETARGET_INTERVAL
						.saturating_add(T::MaxReorgDepth::get())
						.saturating_add(T::MaxHeadersPerBatch::get()),
				"KeepHeaders must cover an epoch, the reorganisation depth and a batch"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(
			_: BlockNumberFor<T>,
		) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Relay a batch of raw Bitcoin headers, oldest first (see the crate docs for the
		/// checks, in order). Known headers are skipped.
		///
		/// - Origin: signed (anyone).
		/// - Errors: `EmptyBatch`, `NoCheckpoint`, `UnknownParent`, `BadDifficultyBits`,
		///   `TimeTooOld`, `TimeTooNew`, `InsufficientWork`, `ReorgTooDeep`,
		///   `AncestorMissing`, `Overflow`.
		/// - Events: `HeadersRelayed`, `Reorganized` when a heavier branch takes over.
		/// - Fee: none when the batch moves the best tip forward on a retargeting network.
		#[pallet::call_index(0)]
		#[pallet::weight(
			T::WeightInfo::submit_headers(headers.len() as u32)
				.saturating_add(T::WeightInfo::reorganize())
		)]
		pub fn submit_headers(
			origin: OriginFor<T>,
			headers: BoundedVec<RawHeader, T::MaxHeadersPerBatch>,
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			ensure!(!headers.is_empty(), Error::<T>::EmptyBatch);
			let before = Best::<T>::get().ok_or(Error::<T>::NoCheckpoint)?;
			let (added, reorganized) = Self::relay(&headers)?;
			let after = Best::<T>::get().ok_or(Error::<T>::NoCheckpoint)?;
			Self::deposit_event(Event::HeadersRelayed {
				added,
				best: after.hash,
				height: after.height,
			});
			let moved = after.chain_work > before.chain_work;
			let free = moved && BitcoinNetwork::<T>::get().retargets();
			Ok(PostDispatchInfo {
				// Known headers are hashed and looked up too: charged, not refunded.
				actual_weight: Some(
					T::WeightInfo::submit_headers(headers.len() as u32).saturating_add(
						if reorganized { T::WeightInfo::reorganize() } else { Weight::zero() },
					),
				),
				pays_fee: if free { Pays::No } else { Pays::Yes },
			})
		}

		/// Restart the relay from a new checkpoint, after a reorganisation deeper than the
		/// bound or to move the relay's start. The relay stops at once; `on_idle` clears the
		/// old headers over the next blocks and then starts from the checkpoint.
		///
		/// - Origin: `GovernanceOrigin`.
		/// - Errors: `InvalidCheckpoint` (a target above the network's limit, or times that do
		///   not end at the header's).
		/// - Events: `CheckpointSet`; `RelayStarted` once the relay starts.
		#[pallet::call_index(1)]
		pub fn set_checkpoint(
			origin: OriginFor<T>,
			header: RawHeader,
			height: u32,
			epoch_start_time: u32,
			times: [u32; MEDIAN_TIME_SPAN],
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let checkpoint = Checkpoint {
				header: header.to_vec(),
				height,
				epoch_start_time,
				times: times.to_vec(),
			};
			let (hash, stored, started) = checkpoint
				.verify(BitcoinNetwork::<T>::get())
				.map_err(|_| Error::<T>::InvalidCheckpoint)?;
			Best::<T>::kill();
			StartedFrom::<T>::kill();
			PendingCheckpoint::<T>::put((hash, stored, started));
			Self::deposit_event(Event::CheckpointSet { hash, height });
			Ok(())
		}

		/// Prove a main-chain block's coinbase: its outputs minus the block's subsidy are the
		/// block's fees, which a span's fee sample averages. `proof` is Bitcoin Core's
		/// `gettxoutproof` output for the coinbase. Checks, in order: the proof rebuilds a tree
		/// without equal siblings that hashes to its header's root; the header is on the main
		/// chain; the transaction parses, is not 64 bytes without witness, is proven by the
		/// proof at index 0 and has one null-prevout input; it is not proven already.
		///
		/// - Origin: signed (anyone); pays the normal fee.
		/// - Errors: `MalformedProof`, `DuplicatedSibling`, `MerkleRootMismatch`,
		///   `BlockNotInMainChain`, `MalformedTransaction`, `SixtyFourByteTransaction`,
		///   `TransactionNotProven`, `NotCoinbase`, `AlreadyProven`.
		/// - Events: `CoinbaseProven`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::prove_coinbase(
			transaction.len() as u32,
			proof.len() as u32
		))]
		pub fn prove_coinbase(
			origin: OriginFor<T>,
			transaction: BoundedVec<u8, T::MaxTransactionSize>,
			proof: BoundedVec<u8, T::MaxProofSize>,
		) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_prove_coinbase(&transaction, &proof)
		}
	}

	#[pallet::view_functions]
	impl<T: Config> Pallet<T> {
		/// The main chain's tip.
		pub fn best_tip() -> Option<Tip> {
			Best::<T>::get()
		}

		/// The network data the relay derives for unix seconds `[start, end)`, once covered
		/// (the fees once every sampled coinbase is proven).
		pub fn network_data_between(start: u64, end: u64) -> Option<RelayedNetworkData> {
			Self::derive(start, end)
		}

		/// The blocks whose coinbases make `[start, end)`'s fee sample, once the span is
		/// covered, with whether each is proven.
		pub fn fee_sample(start: u64, end: u64) -> Option<FeeSample> {
			Self::sample(start, end).map(|(_, sample)| sample)
		}
	}

	impl<T: Config> Pallet<T> {
		/// Starts the relay at `checkpoint`, now (genesis).
		pub(crate) fn start_from(
			network: Network,
			checkpoint: &Checkpoint,
		) -> Result<(), CheckpointError> {
			let (hash, header, stored) = checkpoint.verify(network)?;
			Self::start(hash, header, stored);
			Ok(())
		}

		fn start(hash: H256, header: StoredHeader, checkpoint: StoredCheckpoint) {
			Headers::<T>::insert(hash, header);
			MainChain::<T>::insert(header.height, hash);
			Best::<T>::put(Tip { hash, height: header.height, chain_work: header.chain_work });
			KeptFrom::<T>::put(header.height);
			StartedFrom::<T>::put(checkpoint);
		}

		/// Clears the old relay's headers within `remaining`; starts the pending checkpoint
		/// once none is left. One `clear` per map and block (a second in the same block would
		/// count the keys already removed again).
		fn clear_for_checkpoint(remaining: Weight) -> Weight {
			let db = T::DbWeight::get();
			let base = db.reads_writes(5, 6);
			let per_key = db.writes(1).saturating_add(db.reads(1));
			let Some(room) = remaining.checked_sub(&base) else { return Weight::zero() };
			let keys = room.ref_time().checked_div(per_key.ref_time().max(1)).unwrap_or(0);
			let limit = u32::try_from(keys).unwrap_or(u32::MAX).min(1_000);
			if limit == 0 {
				return Weight::zero();
			}
			let headers = Headers::<T>::clear(limit, None);
			let left = limit.saturating_sub(headers.unique);
			let main = MainChain::<T>::clear(left, None);
			let left = left.saturating_sub(main.unique);
			let side = SideHeaders::<T>::clear(left, None);
			let left = left.saturating_sub(side.unique);
			let fees = CoinbaseFees::<T>::clear(left, None);
			let cleared = headers.maybe_cursor.is_none()
				&& main.maybe_cursor.is_none()
				&& side.maybe_cursor.is_none()
				&& fees.maybe_cursor.is_none();
			let removed = headers
				.loops
				.saturating_add(main.loops)
				.saturating_add(side.loops)
				.saturating_add(fees.loops);
			if cleared {
				if let Some((hash, header, checkpoint)) = PendingCheckpoint::<T>::take() {
					Self::start(hash, header, checkpoint);
					Self::deposit_event(Event::RelayStarted { hash, height: header.height });
				}
			}
			base.saturating_add(per_key.saturating_mul(u64::from(removed)))
		}

		/// Checks and stores `raw` headers in order; returns how many were new and whether the
		/// main chain reorganised.
		fn relay(raw: &[RawHeader]) -> Result<(u32, bool), DispatchError> {
			let network = BitcoinNetwork::<T>::get();
			let checkpoint = StartedFrom::<T>::get().ok_or(Error::<T>::NoCheckpoint)?;
			let now = T::Time::now().as_secs();
			// Headers read or written in this batch: a batch in order finds each parent and
			// the times before it here.
			let mut seen: BTreeMap<H256, StoredHeader> = BTreeMap::new();
			let mut added = 0u32;
			let mut reorganized = false;
			for raw in raw {
				let hash = double_sha256(raw);
				if seen.contains_key(&hash) || Headers::<T>::contains_key(hash) {
					continue;
				}
				let header = Header::parse(raw);
				let parent = Self::header(&seen, &header.prev).ok_or(Error::<T>::UnknownParent)?;
				let height = parent.height.checked_add(1).ok_or(Error::<T>::Overflow)?;
				let best = Best::<T>::get().ok_or(Error::<T>::NoCheckpoint)?;
				// A branch may fork at most `MaxReorgDepth` below the tip.
				if header.prev != best.hash {
					let fork = Self::fork_height(&seen, header.prev, &parent)?;
					ensure!(
						best.height.saturating_sub(fork) <= T::MaxReorgDepth::get(),
						Error::<T>::ReorgTooDeep
					);
				}
				// 1. nBits as required.
				let first_time = if network.retargets() && height.is_multiple_of(RETARGET_INTERVAL)
				{
					Self::epoch_start_time(&checkpoint, height)?
				} else {
					0
				};
				let required = required_bits(network, height, parent.bits, parent.time, first_time)
					.map_err(|_| Error::<T>::BadDifficultyBits)?;
				ensure!(header.bits == required, Error::<T>::BadDifficultyBits);
				// 2. Above the median time past.
				let times = Self::times_ending_at(&seen, &checkpoint, header.prev, &parent)?;
				ensure!(header.time > median_time_past(&times), Error::<T>::TimeTooOld);
				// 3. Not too far ahead.
				ensure!(
					u64::from(header.time) <= now.saturating_add(MAX_FUTURE_BLOCK_TIME),
					Error::<T>::TimeTooNew
				);
				// 4. A version the network still accepts.
				ensure!(header.version >= network.min_version(), Error::<T>::BadVersion);
				// 5. Proof of work.
				let target = target_from_compact(header.bits)
					.ok()
					.filter(|target| *target <= network.pow_limit())
					.ok_or(Error::<T>::BadDifficultyBits)?;
				ensure!(hash_as_number(&hash) <= target, Error::<T>::InsufficientWork);

				let chain_work =
					parent.chain_work.checked_add(work(target)).ok_or(Error::<T>::Overflow)?;
				let stored = StoredHeader {
					height,
					prev: header.prev,
					merkle_root: header.merkle_root,
					time: header.time,
					time_max: header.time.max(parent.time_max),
					bits: header.bits,
					chain_work,
				};
				Headers::<T>::insert(hash, stored);
				seen.insert(hash, stored);
				added = added.saturating_add(1);
				if chain_work <= best.chain_work {
					// Lighter or as heavy: a side branch (the first-seen tip stays).
					SideHeaders::<T>::insert(height, hash, ());
				} else if header.prev == best.hash {
					MainChain::<T>::insert(height, hash);
					Best::<T>::put(Tip { hash, height, chain_work });
				} else {
					ensure!(!reorganized, Error::<T>::SecondReorganization);
					Self::reorganize(&seen, best, hash, stored)?;
					reorganized = true;
				}
			}
			Ok((added, reorganized))
		}

		/// A header from this batch or from storage.
		fn header(seen: &BTreeMap<H256, StoredHeader>, hash: &H256) -> Option<StoredHeader> {
			seen.get(hash).copied().or_else(|| Headers::<T>::get(hash))
		}

		/// Whether `hash` at `height` is on the main chain.
		pub(crate) fn on_main_chain(height: u32, hash: &H256) -> bool {
			MainChain::<T>::get(height).as_ref() == Some(hash)
		}

		/// The height where the branch ending at `hash` (`header`) meets the main chain,
		/// walking back at most `MaxReorgDepth` + a batch.
		fn fork_height(
			seen: &BTreeMap<H256, StoredHeader>,
			mut hash: H256,
			header: &StoredHeader,
		) -> Result<u32, DispatchError> {
			let mut header = *header;
			let steps = T::MaxReorgDepth::get().saturating_add(T::MaxHeadersPerBatch::get());
			for _ in 0..=steps {
				if Self::on_main_chain(header.height, &hash) {
					return Ok(header.height);
				}
				hash = header.prev;
				header = Self::header(seen, &hash).ok_or(Error::<T>::ReorgTooDeep)?;
			}
			Err(Error::<T>::ReorgTooDeep.into())
		}

		/// The time of the first header of the epoch before the retarget at `height`: the
		/// main chain's header at `height - 2016` (branches fork above it), or the
		/// checkpoint's epoch start.
		fn epoch_start_time(
			checkpoint: &StoredCheckpoint,
			height: u32,
		) -> Result<u32, DispatchError> {
			let first = height.saturating_sub(RETARGET_INTERVAL);
			if first == checkpoint.height.saturating_sub(checkpoint.height % RETARGET_INTERVAL)
				&& first <= checkpoint.height
			{
				return Ok(checkpoint.epoch_start_time);
			}
			MainChain::<T>::get(first)
				.and_then(Headers::<T>::get)
				.map(|header| header.time)
				.ok_or_else(|| Error::<T>::AncestorMissing.into())
		}

		/// The times of the (up to) 11 headers ending at `hash` (`header`), oldest first;
		/// below the checkpoint, its stored times.
		fn times_ending_at(
			seen: &BTreeMap<H256, StoredHeader>,
			checkpoint: &StoredCheckpoint,
			mut hash: H256,
			header: &StoredHeader,
		) -> Result<Vec<u32>, DispatchError> {
			let mut header = *header;
			let mut times = Vec::with_capacity(MEDIAN_TIME_SPAN);
			while times.len() < MEDIAN_TIME_SPAN {
				if hash == checkpoint.hash {
					let missing = MEDIAN_TIME_SPAN - times.len();
					times.extend(checkpoint.times.iter().rev().take(missing));
					break;
				}
				times.push(header.time);
				if times.len() == MEDIAN_TIME_SPAN {
					break;
				}
				hash = header.prev;
				header = Self::header(seen, &hash).ok_or(Error::<T>::AncestorMissing)?;
			}
			times.reverse();
			Ok(times)
		}

		/// Makes the branch ending at `hash` (`header`, heavier than `old`) the main chain.
		fn reorganize(
			seen: &BTreeMap<H256, StoredHeader>,
			old: Tip,
			hash: H256,
			header: StoredHeader,
		) -> DispatchResult {
			let mut branch = Vec::new();
			let (mut cursor, mut at) = (hash, header);
			let steps = T::MaxReorgDepth::get().saturating_add(T::MaxHeadersPerBatch::get());
			while !Self::on_main_chain(at.height, &cursor) {
				ensure!(branch.len() as u32 <= steps, Error::<T>::ReorgTooDeep);
				branch.push((at.height, cursor));
				cursor = at.prev;
				at = Self::header(seen, &cursor).ok_or(Error::<T>::ReorgTooDeep)?;
			}
			let fork = at.height;
			let depth = old.height.saturating_sub(fork);
			ensure!(depth <= T::MaxReorgDepth::get(), Error::<T>::ReorgTooDeep);
			for height in fork.saturating_add(1)..=old.height {
				if let Some(demoted) = MainChain::<T>::take(height) {
					SideHeaders::<T>::insert(height, demoted, ());
				}
			}
			for (height, promoted) in branch {
				SideHeaders::<T>::remove(height, promoted);
				MainChain::<T>::insert(height, promoted);
			}
			Best::<T>::put(Tip { hash, height: header.height, chain_work: header.chain_work });
			Self::deposit_event(Event::Reorganized { from: old.hash, to: hash, depth });
			Ok(())
		}

		/// Prunes heights more than `KeepHeaders` below the tip, oldest first, within
		/// `remaining`.
		pub(crate) fn prune(remaining: Weight) -> Weight {
			let db = T::DbWeight::get();
			let check = db.reads(2);
			if remaining.any_lt(check) {
				return Weight::zero();
			}
			let mut used = check;
			let Some(best) = Best::<T>::get() else { return used };
			let keep_from = best.height.saturating_sub(T::KeepHeaders::get());
			let mut cursor = KeptFrom::<T>::get();
			// A height: its main-chain header and up to a few side headers.
			let per_height = db.reads_writes(3, 4).saturating_add(T::WeightInfo::prune_height());
			let last_write = db.writes(1);
			while cursor < keep_from
				&& used.saturating_add(per_height).saturating_add(last_write).all_lte(remaining)
			{
				if let Some(hash) = MainChain::<T>::take(cursor) {
					Headers::<T>::remove(hash);
				}
				CoinbaseFees::<T>::remove(cursor);
				for (side, ()) in SideHeaders::<T>::drain_prefix(cursor).take(2) {
					Headers::<T>::remove(side);
				}
				if SideHeaders::<T>::iter_prefix(cursor).next().is_none() {
					cursor = cursor.saturating_add(1);
				}
				used = used.saturating_add(per_height);
			}
			KeptFrom::<T>::put(cursor);
			used.saturating_add(last_write)
		}

		/// The invariants:
		/// - the best tip is on the main chain, and the main chain links back from it by
		///   `prev` at consecutive heights down to the oldest kept height;
		/// - every main-chain header is stored at its height, and no side header is on the
		///   main chain;
		/// - cumulative work grows along the main chain;
		/// - no proven coinbase is below the oldest kept height.
		#[cfg(any(test, feature = "try-runtime"))]
		pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			let Some(best) = Best::<T>::get() else { return Ok(()) };
			ensure!(Self::on_main_chain(best.height, &best.hash), "tip not on the main chain");
			let kept_from = KeptFrom::<T>::get();
			let mut hash = best.hash;
			let mut height = best.height;
			loop {
				let header = Headers::<T>::get(hash).ok_or("main-chain header missing")?;
				ensure!(header.height == height, "main-chain header at a wrong height");
				ensure!(MainChain::<T>::get(height) == Some(hash), "main chain index broken");
				if height <= kept_from {
					break;
				}
				let parent = Headers::<T>::get(header.prev).ok_or("main-chain parent missing")?;
				ensure!(parent.chain_work < header.chain_work, "work does not grow");
				hash = header.prev;
				height = height.saturating_sub(1);
			}
			for (height, side, ()) in SideHeaders::<T>::iter() {
				ensure!(!Self::on_main_chain(height, &side), "a side header on the main chain");
				ensure!(Headers::<T>::contains_key(side), "side header missing");
			}
			ensure!(MainChain::<T>::get(best.height.saturating_add(1)).is_none(), "index past tip");
			for (height, _) in CoinbaseFees::<T>::iter() {
				ensure!(height >= kept_from, "a proven coinbase below the kept heights");
			}
			Ok(())
		}
	}
}
