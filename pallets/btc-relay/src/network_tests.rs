//! Tests of transactions, Merkle proofs, coinbase proofs and the network data derived from
//! the relay: real mainnet data (block 830,000's coinbase and proofs, the header file's
//! epochs) and regtest blocks mined here.

use crate::{
	bitcoin::*,
	mock::*,
	transaction::{parent_hash, subsidy, MerkleBlock, ParseError, ProofError, Transaction},
	*,
};
use frame_support::{assert_noop, assert_ok, traits::ConstU32, BoundedVec};
use hashrate_primitives::{BitcoinChain, BitcoinNetworkSource, Difficulty, NetworkData, Sats};
use polkadot_sdk::sp_runtime;

const COINBASE_830000: &[u8] = include_bytes!("../../../testdata/bitcoin/coinbase-830000.tx");
const TX_830000_1: &[u8] = include_bytes!("../../../testdata/bitcoin/tx-830000-1.tx");
const PROOF_830000_0: &[u8] = include_bytes!("../../../testdata/bitcoin/txoutproof-830000-0.bin");
const PROOF_830000_1: &[u8] = include_bytes!("../../../testdata/bitcoin/txoutproof-830000-1.bin");

/// A hash from the byte order block explorers print.
fn from_display(hex: &str) -> H256 {
	let mut bytes = [0u8; 32];
	for (i, byte) in bytes.iter_mut().enumerate() {
		*byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
	}
	bytes.reverse();
	H256(bytes)
}

fn header_at(height: u32) -> RawHeader {
	mainnet_headers()[(height - FIRST_HEIGHT) as usize]
}

fn time_of(height: u32) -> u64 {
	u64::from(Header::parse(&header_at(height)).time)
}

fn relay_up_to(height: u32) {
	let headers = mainnet_headers();
	let from = (CHECKPOINT_HEIGHT - FIRST_HEIGHT) as usize + 1;
	let to = (height - FIRST_HEIGHT) as usize;
	for chunk in headers[from..=to].chunks(MAX_BATCH as usize) {
		assert_ok!(BtcRelay::submit_headers(
			RuntimeOrigin::signed(1),
			BoundedVec::try_from(chunk.to_vec()).unwrap()
		));
	}
}

fn prove(tx: &[u8], proof: &[u8]) -> sp_runtime::DispatchResult {
	BtcRelay::prove_coinbase(
		RuntimeOrigin::signed(1),
		BoundedVec::<u8, ConstU32<16_384>>::try_from(tx.to_vec()).unwrap(),
		BoundedVec::<u8, ConstU32<4_096>>::try_from(proof.to_vec()).unwrap(),
	)
}

/// A coinbase-shaped transaction: one null-prevout input whose script carries `tag`
/// (`script` bytes in all), one output of `value` to `OP_TRUE`.
fn coinbase(tag: u32, value: u64, script: usize) -> Vec<u8> {
	let mut tx = Vec::new();
	tx.extend_from_slice(&1u32.to_le_bytes());
	tx.push(1);
	tx.extend_from_slice(&[0u8; 32]);
	tx.extend_from_slice(&u32::MAX.to_le_bytes());
	tx.push(script as u8);
	let mut sig = tag.to_le_bytes().to_vec();
	sig.resize(script, 0xaa);
	tx.extend_from_slice(&sig);
	tx.extend_from_slice(&u32::MAX.to_le_bytes());
	tx.push(1);
	tx.extend_from_slice(&value.to_le_bytes());
	tx.extend_from_slice(&[1, 0x51]);
	tx.extend_from_slice(&0u32.to_le_bytes());
	tx
}

/// A `merkleblock` proving the only transaction of a block.
fn single_proof(header: &RawHeader, txid: H256) -> Vec<u8> {
	let mut proof = header.to_vec();
	proof.extend_from_slice(&1u32.to_le_bytes());
	proof.push(1);
	proof.extend_from_slice(txid.as_bytes());
	proof.extend_from_slice(&[1, 0x01]);
	proof
}

mod transactions {
	use super::*;

	#[test]
	fn parses_the_real_coinbase_of_830000() {
		let tx = Transaction::parse(COINBASE_830000).unwrap();
		assert_eq!(
			tx.txid,
			from_display("1aca4f116105295f434574629379132ae14306392444230737cabb3919100354")
		);
		assert!(tx.is_coinbase());
		let values: Vec<u64> = tx.outputs.iter().map(|out| out.value).filter(|v| *v > 0).collect();
		assert_eq!(values, vec![546, 648_267_494]);
		assert_eq!(tx.output_total(), 648_268_040);
		assert_eq!(tx.output_total() - subsidy(830_000), 23_268_040);
		assert!(tx.stripped_size < COINBASE_830000.len(), "the witness is not in the txid");
	}

	#[test]
	fn parses_a_real_segwit_transaction() {
		let tx = Transaction::parse(TX_830000_1).unwrap();
		assert_eq!(
			tx.txid,
			from_display("2bc71c20dfffddd8ceff89f7ab53650dd60e67cb9c6d06811167f4e7047f6fc9")
		);
		assert!(!tx.is_coinbase());
	}

	#[test]
	fn refuses_malformed_bytes_by_name() {
		let good = coinbase(1, 5, 8);
		assert!(Transaction::parse(&good).is_ok());
		assert_eq!(Transaction::parse(&good[..good.len() - 1]), Err(ParseError::Truncated));
		let mut long = good.clone();
		long.push(0);
		assert_eq!(Transaction::parse(&long), Err(ParseError::TrailingBytes));
		// One input written as 0xfd 0x01 0x00: not the shortest form.
		let mut wide = good[..4].to_vec();
		wide.extend_from_slice(&[0xfd, 1, 0]);
		wide.extend_from_slice(&good[5..]);
		assert_eq!(Transaction::parse(&wide), Err(ParseError::NonCanonicalLength));
		// A witness marker with flag 2.
		let mut flagged = good[..4].to_vec();
		flagged.extend_from_slice(&[0, 2]);
		flagged.extend_from_slice(&good[4..]);
		assert_eq!(Transaction::parse(&flagged), Err(ParseError::BadWitnessFlag));
		// A count larger than the bytes left allocates nothing and fails.
		let mut huge = good[..4].to_vec();
		huge.extend_from_slice(&[0xfe, 0xff, 0xff, 0xff, 0x7f]);
		assert_eq!(Transaction::parse(&huge), Err(ParseError::Truncated));
		let rich = coinbase(1, transaction::MAX_MONEY + 1, 8);
		assert_eq!(Transaction::parse(&rich), Err(ParseError::ValueOutOfRange));
	}

	#[test]
	fn subsidy_halves_every_210000_blocks() {
		assert_eq!(subsidy(0), 5_000_000_000);
		assert_eq!(subsidy(209_999), 5_000_000_000);
		assert_eq!(subsidy(210_000), 2_500_000_000);
		assert_eq!(subsidy(830_000), 625_000_000);
		assert_eq!(subsidy(840_000), 312_500_000);
		assert_eq!(subsidy(63 * 210_000), 0, "50 BTC >> 63 rounds to nothing");
		assert_eq!(subsidy(64 * 210_000), 0);
		assert_eq!(subsidy(u32::MAX), 0);
	}
}

mod merkle_proofs {
	use super::*;

	#[test]
	fn the_real_proofs_of_830000_prove_their_transactions() {
		let coinbase = MerkleBlock::parse(PROOF_830000_0).unwrap();
		assert_eq!(coinbase.header, header_at(830_000));
		assert_eq!(coinbase.total, 1_851);
		assert_eq!(coinbase.matches, vec![(Transaction::parse(COINBASE_830000).unwrap().txid, 0)]);
		let second = MerkleBlock::parse(PROOF_830000_1).unwrap();
		assert_eq!(second.matches, vec![(Transaction::parse(TX_830000_1).unwrap().txid, 1)]);
	}

	#[test]
	fn a_forged_branch_is_refused() {
		// The first hash after the matched leaf is a sibling on the branch.
		for at in [80 + 4 + 1 + 32 + 5, PROOF_830000_0.len() - 40] {
			let mut forged = PROOF_830000_0.to_vec();
			forged[at] ^= 1;
			assert_eq!(MerkleBlock::parse(&forged), Err(ProofError::RootMismatch), "{at}");
		}
		// The count is not committed to: one that keeps the tree's height proves the same
		// (what the 64-byte rule is for); one that changes it does not.
		let mut recounted = PROOF_830000_0.to_vec();
		recounted[80..84].copy_from_slice(&1_850u32.to_le_bytes());
		assert!(MerkleBlock::parse(&recounted).is_ok());
		recounted[80..84].copy_from_slice(&1_000u32.to_le_bytes());
		assert!(MerkleBlock::parse(&recounted).is_err());
	}

	#[test]
	fn malformed_proofs_are_refused_by_name() {
		let proof = PROOF_830000_0;
		assert_eq!(
			MerkleBlock::parse(&proof[..proof.len() - 1]),
			Err(ProofError::Malformed(ParseError::Truncated))
		);
		let mut long = proof.to_vec();
		long.push(0);
		assert_eq!(
			MerkleBlock::parse(&long),
			Err(ProofError::Malformed(ParseError::TrailingBytes))
		);
		let mut none = proof.to_vec();
		none[80..84].copy_from_slice(&0u32.to_le_bytes());
		assert_eq!(MerkleBlock::parse(&none), Err(ProofError::BadTransactionCount));
		// An extra flag byte is left unused.
		let header = header_at(830_000);
		let txid = H256::repeat_byte(7);
		let mut extra = single_proof(&header, txid);
		let flags = extra.len() - 2;
		extra[flags] = 2;
		extra.push(0);
		assert_eq!(MerkleBlock::parse(&extra), Err(ProofError::BadTraversal));
	}

	/// CVE-2012-2459: a tree whose two leaves are equal hashes as the one-leaf tree
	/// duplicated; Core refuses equal siblings.
	#[test]
	fn duplicated_siblings_are_refused() {
		let leaf = H256::repeat_byte(9);
		let mut header = header_at(830_000);
		header[36..68].copy_from_slice(parent_hash(&leaf, &leaf).as_bytes());
		let mut proof = header.to_vec();
		proof.extend_from_slice(&2u32.to_le_bytes());
		proof.push(2);
		proof.extend_from_slice(leaf.as_bytes());
		proof.extend_from_slice(leaf.as_bytes());
		// Root: parent of a match; left leaf: a match; right leaf: given.
		proof.extend_from_slice(&[1, 0b011]);
		assert_eq!(MerkleBlock::parse(&proof), Err(ProofError::DuplicateSibling));
	}
}

mod prove_coinbase {
	use super::*;

	#[test]
	fn proves_the_real_coinbase_of_830000_and_its_fees() {
		mainnet(|| {
			relay_up_to(830_000);
			assert_ok!(prove(COINBASE_830000, PROOF_830000_0));
			let block = double_sha256(&header_at(830_000));
			assert_eq!(CoinbaseFees::<Test>::get(830_000), Some((block, 23_268_040)));
			System::assert_last_event(
				Event::CoinbaseProven {
					height: 830_000,
					block,
					claimed: 648_268_040,
					fees: 23_268_040,
				}
				.into(),
			);
			assert_noop!(prove(COINBASE_830000, PROOF_830000_0), Error::<Test>::AlreadyProven);
		});
	}

	#[test]
	fn fails_for_a_transaction_that_is_not_the_coinbase() {
		mainnet(|| {
			relay_up_to(830_000);
			assert_noop!(prove(TX_830000_1, PROOF_830000_1), Error::<Test>::NotCoinbase);
			assert_noop!(prove(TX_830000_1, PROOF_830000_0), Error::<Test>::TransactionNotProven);
			assert_noop!(
				prove(COINBASE_830000, PROOF_830000_1),
				Error::<Test>::TransactionNotProven
			);
		});
	}

	#[test]
	fn fails_for_a_block_outside_the_main_chain() {
		mainnet(|| {
			relay_up_to(829_999);
			assert_noop!(
				prove(COINBASE_830000, PROOF_830000_0),
				Error::<Test>::BlockNotInMainChain
			);
		});
	}

	#[test]
	fn fails_for_a_forged_or_malformed_proof_or_transaction() {
		mainnet(|| {
			relay_up_to(830_000);
			let mut forged = PROOF_830000_0.to_vec();
			forged[80 + 4 + 1 + 32 + 5] ^= 1;
			assert_noop!(prove(COINBASE_830000, &forged), Error::<Test>::MerkleRootMismatch);
			let proof = PROOF_830000_0;
			assert_noop!(
				prove(COINBASE_830000, &proof[..proof.len() - 1]),
				Error::<Test>::MalformedProof
			);
			assert_noop!(
				prove(&COINBASE_830000[1..], PROOF_830000_0),
				Error::<Test>::MalformedTransaction
			);
		});
	}

	#[test]
	fn fails_for_duplicated_siblings_and_64_byte_transactions() {
		regtest(|genesis| {
			// A block of two equal leaves (as CVE-2012-2459 forges it).
			let tx = coinbase(1, subsidy(1), 8);
			let txid = Transaction::parse(&tx).unwrap().txid;
			let header = mine_with_root(genesis, T0 + 60, parent_hash(&txid, &txid));
			// A block whose one transaction is 64 bytes (it could be an inner node).
			let short = coinbase(2, subsidy(2), 3);
			assert_eq!(short.len(), 64);
			let short_id = Transaction::parse(&short).unwrap().txid;
			let second = mine_with_root(double_sha256(&header), T0 + 120, short_id);
			assert_ok!(BtcRelay::submit_headers(
				RuntimeOrigin::signed(1),
				BoundedVec::try_from(vec![header, second]).unwrap()
			));
			let mut twice = header.to_vec();
			twice.extend_from_slice(&2u32.to_le_bytes());
			twice.push(2);
			twice.extend_from_slice(txid.as_bytes());
			twice.extend_from_slice(txid.as_bytes());
			twice.extend_from_slice(&[1, 0b011]);
			assert_noop!(prove(&tx, &twice), Error::<Test>::DuplicatedSibling);
			assert_noop!(
				prove(&short, &single_proof(&second, short_id)),
				Error::<Test>::SixtyFourByteTransaction
			);
		});
	}

	#[test]
	fn fails_for_an_unsigned_origin() {
		mainnet(|| {
			assert_noop!(
				BtcRelay::prove_coinbase(
					RuntimeOrigin::none(),
					BoundedVec::try_from(COINBASE_830000.to_vec()).unwrap(),
					BoundedVec::try_from(PROOF_830000_0.to_vec()).unwrap(),
				),
				sp_runtime::DispatchError::BadOrigin
			);
		});
	}
}

mod network_data {
	use super::*;

	/// 2024-01-10 UTC: inside the epoch that starts at 824,544.
	const JAN_10: (u64, u64) = (1_704_844_800, 1_704_931_200);
	/// 2024-01-20 UTC: the retarget at 826,560 (14:32 UTC) falls inside.
	const JAN_20: (u64, u64) = (1_705_708_800, 1_705_795_200);

	/// `first - 1` is the last block at or before `start` and `last` the last before `end`
	/// (what the binary search over times promises).
	fn assert_bounds(data: &RelayedNetworkData, (start, end): (u64, u64)) {
		assert!(time_of(data.first_height - 1) <= start && time_of(data.first_height) > start);
		assert!(time_of(data.last_height) < end && time_of(data.last_height + 1) >= end);
	}

	#[test]
	fn a_day_inside_an_epoch_has_the_epochs_difficulty_and_subsidy() {
		mainnet(|| {
			relay_up_to(830_592);
			let data = BtcRelay::network_data_between(JAN_10.0, JAN_10.1).unwrap();
			assert_bounds(&data, JAN_10);
			assert_eq!(data.difficulty, Difficulty::from_compact_bits(0x1703_d869).unwrap());
			// The published figure: 73,197,634,206,448.
			assert_eq!(data.difficulty.get() / 1_000_000_000, 73_197);
			assert_eq!(data.subsidy, Sats::from(625_000_000));
			assert_eq!(data.fees, None, "no coinbase proven");
			let blocks = data.last_height - data.first_height + 1;
			assert!((120..=180).contains(&blocks), "{blocks}");
			// Every 24th block from an offset below 24.
			let sample = BtcRelay::fee_sample(JAN_10.0, JAN_10.1).unwrap().blocks;
			assert_eq!(sample.len() as u32, data.sampled);
			let offset = sample[0].0 - data.first_height;
			assert!(offset < FEE_STEP);
			for (i, (height, hash, proven)) in sample.iter().enumerate() {
				assert_eq!(*height, data.first_height + offset + FEE_STEP * i as u32);
				assert_eq!(*hash, double_sha256(&header_at(*height)));
				assert!(!proven);
			}
			assert!(sample.last().unwrap().0 + FEE_STEP > data.last_height);
		});
	}

	/// Across a retarget the difficulty is the time-weighted harmonic mean of the two; both
	/// epochs' difficulties are the published ones (README of the header file).
	#[test]
	fn a_day_across_a_retarget_weighs_both_difficulties_harmonically() {
		mainnet(|| {
			relay_up_to(830_592);
			let data = BtcRelay::network_data_between(JAN_20.0, JAN_20.1).unwrap();
			assert_bounds(&data, JAN_20);
			let before = Difficulty::from_compact_bits(0x1703_d869).unwrap().get() as f64;
			let after = Difficulty::from_compact_bits(0x1704_005a).unwrap().get() as f64;
			assert_eq!((after / 1e9) as u64, 70_343, "7.0344e13 published");
			let switch = time_of(826_559);
			let (t1, t2) = ((switch - JAN_20.0) as f64, (JAN_20.1 - switch) as f64);
			let harmonic = 86_400.0 / (t1 / before + t2 / after);
			let got = data.difficulty.get() as f64;
			assert!((got - harmonic).abs() / harmonic < 1e-12, "{got} vs {harmonic}");
			assert!(got < before && got > after);
		});
	}

	#[test]
	fn a_span_is_covered_once_its_next_block_has_its_confirmations() {
		let last = mainnet_last_of(JAN_10);
		mainnet(|| {
			relay_up_to(last + CONFIRMATIONS - 1);
			assert_eq!(BtcRelay::network_data_between(JAN_10.0, JAN_10.1), None);
			assert_eq!(BtcRelay::fee_sample(JAN_10.0, JAN_10.1), None);
			relay_up_to(last + CONFIRMATIONS);
			assert!(BtcRelay::network_data_between(JAN_10.0, JAN_10.1).is_some());
		});
	}

	fn mainnet_last_of(span: (u64, u64)) -> u32 {
		let mut last = 0;
		mainnet(|| {
			relay_up_to(830_592);
			last = BtcRelay::network_data_between(span.0, span.1).unwrap().last_height;
		});
		last
	}

	#[test]
	fn a_span_before_the_checkpoint_or_empty_is_not_covered() {
		mainnet(|| {
			relay_up_to(830_592);
			let checkpoint = time_of(CHECKPOINT_HEIGHT);
			assert_eq!(BtcRelay::network_data_between(checkpoint - 1, checkpoint + 600), None);
			assert_eq!(BtcRelay::network_data_between(JAN_10.0, JAN_10.0), None);
			assert!(BtcRelay::network_data_between(checkpoint, checkpoint + 600).is_some());
			// A span after the tip.
			let tip = time_of(830_592);
			assert_eq!(BtcRelay::network_data_between(tip, tip + 600), None);
		});
	}

	/// A span of one block, 830,000: its proven coinbase is the whole sample, and the reward
	/// per block is its subsidy and fees.
	#[test]
	fn fees_come_from_the_proven_coinbase_of_830000() {
		mainnet(|| {
			relay_up_to(830_592);
			let span = (time_of(829_999), time_of(830_000) + 1);
			let data = BtcRelay::network_data_between(span.0, span.1).unwrap();
			assert_eq!((data.first_height, data.last_height), (830_000, 830_000));
			assert_eq!((data.sampled, data.proven, data.fees), (1, 0, None));
			assert_eq!(data.network_data(), None);
			assert_ok!(prove(COINBASE_830000, PROOF_830000_0));
			let data = <BtcRelay as BitcoinNetworkSource>::network_data(span.0, span.1).unwrap();
			assert_eq!((data.sampled, data.proven), (1, 1));
			assert_eq!(data.fees, Some(Sats::from(23_268_040)));
			assert_eq!(
				data.network_data(),
				Some(NetworkData {
					difficulty: Difficulty::from_compact_bits(0x1703_ba5d).unwrap(),
					reward_per_block: Sats::from(648_268_040),
				})
			);
		});
	}

	/// Regtest blocks mined here, each with its own coinbase paying `subsidy + fee`: the
	/// sample's fees are the proven ones' median, a block outside the sample changes
	/// nothing, and a long span's sample stays within `MaxFeeSample`.
	#[test]
	fn fees_average_the_sampled_coinbases_only() {
		regtest(|genesis| {
			let fee = |height: u32| 1_000 * u64::from(height) + 7;
			let mut prev = genesis;
			let mut blocks = Vec::new();
			for height in 1..=600u32 {
				let tx = coinbase(height, subsidy(height) + fee(height), 8);
				let txid = Transaction::parse(&tx).unwrap().txid;
				let header = mine_with_root(prev, T0 + 60 * height, txid);
				prev = double_sha256(&header);
				blocks.push((header, tx, txid));
			}
			for chunk in blocks.chunks(MAX_BATCH as usize) {
				let headers: Vec<RawHeader> = chunk.iter().map(|(h, _, _)| *h).collect();
				assert_ok!(BtcRelay::submit_headers(
					RuntimeOrigin::signed(1),
					BoundedVec::try_from(headers).unwrap()
				));
			}
			let block = |height: u32| &blocks[height as usize - 1];
			// Blocks 11..=58 (48 blocks, two samples at a step of 24).
			let span = (u64::from(T0 + 600), u64::from(T0 + 60 * 58 + 30));
			let data = BtcRelay::network_data_between(span.0, span.1).unwrap();
			assert_eq!((data.first_height, data.last_height, data.sampled), (11, 58, 2));
			assert_eq!(data.difficulty, Difficulty::from(1), "regtest rounds up to 1");
			assert_eq!(data.subsidy, Sats::from(5_000_000_000));
			let sample = BtcRelay::fee_sample(span.0, span.1).unwrap().blocks;
			let outside = (11..=58).find(|h| sample.iter().all(|(s, _, _)| s != h)).unwrap();
			let (header, tx, txid) = block(outside);
			assert_ok!(prove(tx, &single_proof(header, *txid)));
			assert_eq!(BtcRelay::network_data_between(span.0, span.1).unwrap().proven, 0);
			for (height, _, _) in &sample {
				let (header, tx, txid) = block(*height);
				assert_ok!(prove(tx, &single_proof(header, *txid)));
			}
			let data = BtcRelay::network_data_between(span.0, span.1).unwrap();
			// The median of two: the lower.
			let expected = fee(sample[0].0).min(fee(sample[1].0));
			assert_eq!(data.fees, Some(Sats::from(expected)));
			// 500 blocks: the step grows to ceil(500 / 16) = 32, at most 16 samples.
			let long = (u64::from(T0 + 30), u64::from(T0 + 60 * 500 + 30));
			let data = BtcRelay::network_data_between(long.0, long.1).unwrap();
			assert_eq!((data.first_height, data.last_height), (1, 500));
			assert!(data.sampled <= MAX_SAMPLE && data.sampled >= 15, "{}", data.sampled);
		});
	}

	#[test]
	fn the_chain_trait_reports_membership_height_confirmations_time_and_difficulty() {
		mainnet(|| {
			relay_up_to(830_000);
			let hash = double_sha256(&header_at(829_990));
			let block = <BtcRelay as BitcoinChain>::main_chain_block(&hash).unwrap();
			assert_eq!(block.height, 829_990);
			assert_eq!(block.confirmations, 11);
			assert_eq!(u64::from(block.time), time_of(829_990));
			assert_eq!(block.difficulty, Difficulty::from_compact_bits(0x1703_ba5d).unwrap());
			assert_eq!(<BtcRelay as BitcoinChain>::block_at(829_990), Some(block));
			assert_eq!(<BtcRelay as BitcoinChain>::tip().unwrap().height, 830_000);
			assert_eq!(<BtcRelay as BitcoinChain>::main_chain_block(&H256::repeat_byte(1)), None);
			assert_eq!(<BtcRelay as BitcoinChain>::block_at(830_001), None);
			// Live while the tip is at most three hours old by the chain's clock.
			let tip = time_of(830_000);
			Now::set(tip + LIVE_WITHIN);
			assert!(<BtcRelay as BitcoinNetworkSource>::is_active());
			Now::set(tip + LIVE_WITHIN + 1);
			assert!(!<BtcRelay as BitcoinNetworkSource>::is_active());
		});
	}
}
