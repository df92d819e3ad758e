//! Benchmarks of every call and of the derivation other pallets call, each in its worst case,
//! on a regtest relay started here (regtest headers are mined in a few hashes; a header costs
//! the same two SHA-256 and storage whatever its target): a batch extending the tip, a batch
//! that reorganises the main chain `MaxReorgDepth` deep, the largest coinbase with the
//! largest proof, a span whose fee sample is full.

use super::*;
use crate::bitcoin::{hash_as_number, target_from_compact};
use frame_support::{traits::EnsureOrigin, BoundedVec};
use hashrate_primitives::bitcoin::transaction::benchmarking::{full_merkle_block, push_length};
use polkadot_sdk::{frame_benchmarking::v2::*, frame_system::RawOrigin};

/// Regtest's easiest target.
const EASY: u32 = 0x207f_ffff;
/// Time of the benchmark genesis: far enough from zero for the median-time rule, early
/// enough for the two-hour rule with the clock at zero.
const T0: u32 = 1_000;

/// A hash whose last eight bytes are `n` (big-endian).
fn numbered(n: u64) -> H256 {
	let mut bytes = [0u8; 32];
	bytes[24..].copy_from_slice(&n.to_be_bytes());
	H256(bytes)
}

fn mine(prev: H256, time: u32, root: H256) -> RawHeader {
	let mut raw = [0u8; 80];
	raw[0..4].copy_from_slice(&0x2000_0000u32.to_le_bytes());
	raw[4..36].copy_from_slice(prev.as_bytes());
	raw[36..68].copy_from_slice(root.as_bytes());
	raw[68..72].copy_from_slice(&time.to_le_bytes());
	raw[72..76].copy_from_slice(&EASY.to_le_bytes());
	let target = target_from_compact(EASY).unwrap_or_default();
	for nonce in 0u32..u32::MAX {
		raw[76..80].copy_from_slice(&nonce.to_le_bytes());
		if hash_as_number(&double_sha256(&raw)) <= target {
			break;
		}
	}
	raw
}

/// A regtest relay at a mined genesis; returns its hash.
fn start<T: Config>() -> H256 {
	let genesis = mine(H256::zero(), T0, H256::zero());
	let checkpoint = Checkpoint {
		header: genesis.to_vec(),
		height: 0,
		epoch_start_time: T0,
		times: (T0 - 10..=T0).collect(),
	};
	BitcoinNetwork::<T>::put(Network::Regtest);
	Pallet::<T>::start_from(Network::Regtest, &checkpoint).expect("a valid checkpoint");
	double_sha256(&genesis)
}

/// `n` headers on `prev` (at `time`), a second apart; `salt` tells branches apart.
fn chain(prev: H256, time: u32, n: u32, salt: u8) -> Vec<RawHeader> {
	let (mut prev, mut headers) = (prev, Vec::new());
	for i in 1..=n {
		let mut root = [salt; 32];
		root[..4].copy_from_slice(&i.to_le_bytes());
		let raw = mine(prev, time + i, H256(root));
		prev = double_sha256(&raw);
		headers.push(raw);
	}
	headers
}

/// A regtest relay whose main chain holds a block with Merkle root `root` and
/// `confirmations` (itself included), for other pallets' benchmarks: its header and hash.
pub(crate) fn block_with_root<T: Config>(root: H256, confirmations: u32) -> (RawHeader, H256) {
	let genesis = start::<T>();
	let block = mine(genesis, T0 + 1, root);
	let hash = double_sha256(&block);
	let mut headers = alloc::vec![block];
	headers.extend(chain(hash, T0 + 1, confirmations.saturating_sub(1), 9));
	relay::<T>(headers);
	(block, hash)
}

fn batch<T: Config>(headers: Vec<RawHeader>) -> BoundedVec<RawHeader, T::MaxHeadersPerBatch> {
	BoundedVec::try_from(headers).expect("within the batch bound")
}

fn relay<T: Config>(headers: Vec<RawHeader>) {
	let who: T::AccountId = whitelisted_caller();
	let max = T::MaxHeadersPerBatch::get() as usize;
	for chunk in headers.chunks(max) {
		Pallet::<T>::submit_headers(
			RawOrigin::Signed(who.clone()).into(),
			batch::<T>(chunk.to_vec()),
		)
		.expect("valid headers");
	}
}

/// A coinbase of about `size` bytes: one null-prevout input, outputs of 10 bytes each.
fn coinbase(size: u32) -> Vec<u8> {
	let outputs = (size.saturating_sub(62) / 10).clamp(1, 7_000);
	let mut tx = Vec::new();
	tx.extend_from_slice(&1u32.to_le_bytes());
	tx.push(1);
	tx.extend_from_slice(&[0u8; 32]);
	tx.extend_from_slice(&u32::MAX.to_le_bytes());
	tx.extend_from_slice(&[4, 1, 2, 3, 4]);
	tx.extend_from_slice(&u32::MAX.to_le_bytes());
	push_length(&mut tx, outputs as usize);
	for _ in 0..outputs {
		tx.extend_from_slice(&1_000u64.to_le_bytes());
		tx.extend_from_slice(&[1, 0x51]);
	}
	tx.extend_from_slice(&0u32.to_le_bytes());
	tx
}

/// A block of `leaves` transactions (the first `txid`) and a `merkleblock` matching every
/// one: the largest proof for its size (every inner node hashed).
fn full_proof(txid: H256, leaves: u32, header_for: impl FnOnce(H256) -> RawHeader) -> Vec<u8> {
	let hashes: Vec<H256> = (0..leaves)
		.map(|i| {
			if i == 0 {
				txid
			} else {
				H256::repeat_byte((i % 250) as u8 + 1) ^ numbered(i.into())
			}
		})
		.collect();
	let (body, root) = full_merkle_block(&hashes);
	let mut proof = header_for(root).to_vec();
	proof.extend_from_slice(&body);
	proof
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// `n` new headers extending the tip.
	#[benchmark]
	fn submit_headers(n: Linear<1, { T::MaxHeadersPerBatch::get() }>) {
		let genesis = start::<T>();
		let headers = chain(genesis, T0, n, 1);
		let who: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		submit_headers(RawOrigin::Signed(who), batch::<T>(headers));
		assert_eq!(Best::<T>::get().map(|tip| tip.height), Some(n));
	}

	/// A branch forking `MaxReorgDepth` below the tip, one header heavier: the index of
	/// `MaxReorgDepth` heights moves.
	#[benchmark]
	fn reorganize() {
		let genesis = start::<T>();
		let depth = T::MaxReorgDepth::get();
		let main = chain(genesis, T0, depth, 1);
		relay::<T>(main);
		let branch = chain(genesis, T0, depth + 1, 2);
		let (last, before) = branch.split_last().expect("not empty");
		relay::<T>(before.to_vec());
		let who: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		submit_headers(RawOrigin::Signed(who), batch::<T>(alloc::vec![*last]));
		assert_eq!(Best::<T>::get().map(|tip| tip.hash), Some(double_sha256(last)));
	}

	#[benchmark]
	fn set_checkpoint() -> Result<(), BenchmarkError> {
		start::<T>();
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let header = mine(H256::repeat_byte(3), T0, H256::zero());
		let times: [u32; 11] = core::array::from_fn(|i| T0 - 10 + i as u32);
		#[extrinsic_call]
		set_checkpoint(origin as T::RuntimeOrigin, header, 7, T0, times);
		assert!(PendingCheckpoint::<T>::exists());
		Ok(())
	}

	/// The largest coinbase (`t` bytes) with a proof of `p` bytes matching every leaf.
	#[benchmark]
	fn prove_coinbase(
		t: Linear<100, { T::MaxTransactionSize::get() }>,
		p: Linear<200, { T::MaxProofSize::get() }>,
	) {
		let genesis = start::<T>();
		let tx = coinbase(t);
		let txid = transaction::Transaction::parse(&tx).expect("a coinbase").txid;
		let leaves = (p.saturating_sub(90) / 33).max(2);
		let mut header = [0u8; 80];
		let proof = full_proof(txid, leaves, |root| {
			header = mine(genesis, T0 + 1, root);
			header
		});
		relay::<T>(alloc::vec![header]);
		let who: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		prove_coinbase(
			RawOrigin::Signed(who),
			BoundedVec::try_from(tx).expect("within the bound"),
			BoundedVec::try_from(proof).expect("within the bound"),
		);
		assert!(CoinbaseFees::<T>::contains_key(1));
	}

	/// Deriving a span's data with `s` sampled coinbases, all proven, across a retarget
	/// height, with the main chain `KeepHeaders` long for the searches.
	#[benchmark]
	fn network_data(s: Linear<1, { T::MaxFeeSample::get() }>) {
		start::<T>();
		let step = T::FeeSampleStep::get().max(1);
		let kept = T::KeepHeaders::get();
		// Headers straight into storage (their checks are `submit_headers`' benchmark).
		let mut prev = H256::zero();
		for height in 1..=kept {
			let hash = numbered(u64::from(height) + 1);
			let header = StoredHeader {
				height,
				prev,
				merkle_root: H256::zero(),
				time: T0 + 600 * height,
				time_max: T0 + 600 * height,
				bits: EASY,
				chain_work: U256::from(height + 1),
			};
			Headers::<T>::insert(hash, header);
			MainChain::<T>::insert(height, hash);
			CoinbaseFees::<T>::insert(height, (hash, 1_000));
			prev = hash;
		}
		Best::<T>::put(Tip { hash: prev, height: kept, chain_work: U256::from(kept + 1) });
		let start = u64::from(T0 + 600 * (2_016 - s * step / 2));
		let end = start + 600 * u64::from(s * step) + 1;
		let data;
		#[block]
		{
			data = Pallet::<T>::derive(start, end);
		}
		let data = data.expect("covered");
		assert!(data.fees.is_some() && data.sampled >= s);
	}

	/// Pruning one height with two side headers.
	#[benchmark]
	fn prune_height() {
		let genesis = start::<T>();
		let keep = T::KeepHeaders::get();
		let main = chain(genesis, T0, 2, 1);
		let side = chain(genesis, T0, 1, 2);
		let side2 = chain(genesis, T0, 1, 3);
		relay::<T>(main);
		relay::<T>(side);
		relay::<T>(side2);
		// Move the tip far enough above height 1 that it is pruned.
		Best::<T>::mutate(|tip| {
			if let Some(tip) = tip {
				tip.height = keep + 2;
			}
		});
		KeptFrom::<T>::put(1);
		let weight = T::DbWeight::get().reads(2).saturating_add(
			T::DbWeight::get().reads_writes(3, 4).saturating_add(T::WeightInfo::prune_height()),
		);
		#[block]
		{
			Pallet::<T>::prune(weight.saturating_add(T::DbWeight::get().writes(1)));
		}
		assert_eq!(KeptFrom::<T>::get(), 2);
	}

	impl_benchmark_test_suite!(
		Pallet,
		crate::mock::new_test_ext(Network::Mainnet, None),
		crate::mock::Test
	);
}
