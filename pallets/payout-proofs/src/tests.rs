//! Unit tests on real mainnet data: the coinbase of block 830,000 paying AntPool, transactions
//! of blocks 825,229 / 825,254 / 825,936 with their Merkle branches, and every refusal by name.
//! Every test ends with `do_try_state` (see `mock::run`).

use crate::mock::*;
use crate::*;
use frame_support::{assert_noop, assert_ok, dispatch::Pays, traits::Hooks, weights::Weight};
use hashrate_primitives::{due::DueAt, ProvenPayouts};
use polkadot_sdk::sp_runtime::traits::BadOrigin;

type E = Error<Test>;

const COINBASE_830000: &[u8] = include_bytes!("../../../testdata/bitcoin/coinbase-830000.tx");
const PROOF_830000_0: &[u8] = include_bytes!("../../../testdata/bitcoin/txoutproof-830000-0.bin");
const TX_830000_1: &[u8] = include_bytes!("../../../testdata/bitcoin/tx-830000-1.tx");
const PROOF_830000_1: &[u8] = include_bytes!("../../../testdata/bitcoin/txoutproof-830000-1.bin");
const TX_825229: &[u8] = include_bytes!("../../../testdata/bitcoin/tx-825229-930.tx");
const TX_825254: &[u8] = include_bytes!("../../../testdata/bitcoin/tx-825254-2049.tx");
const TX_825936: &[u8] = include_bytes!("../../../testdata/bitcoin/tx-825936-2275.tx");
const BRANCHES: &str = include_str!("../../../testdata/bitcoin/merkle-branches.txt");
const TX_830000_100: &[u8] = include_bytes!("../../../testdata/bitcoin/tx-830000-100.tx");
const PROOF_830000_100: &[u8] =
	include_bytes!("../../../testdata/bitcoin/txoutproof-830000-100.bin");
const TX_830000_104: &[u8] = include_bytes!("../../../testdata/bitcoin/tx-830000-104.tx");
const TX_830000_105: &[u8] = include_bytes!("../../../testdata/bitcoin/tx-830000-105.tx");
const WITNESS_PROOFS_830000: &str =
	include_str!("../../../testdata/bitcoin/witness-proofs-830000.txt");

/// AntPool's P2SH script (`38XnPvu9PmonFU9WouPXUjYbW91wa5MerL`), paid 648,267,494 sat by
/// output 1 of the coinbase of block 830,000.
const ANTPOOL: &str = "a9144b09d828dfc8baaba5d04ee77397e04b1050cc7387";
const ANTPOOL_SATS: u64 = 648_267_494;
/// The P2TR script output 1 of 825,936 / 2,275 pays 534,750 sat; its inputs are taproot
/// key-path spends.
const TAPROOT_825936: &str = "5120b87be26d45435dcf999a5614f87153ba9f12b3ad7d6f7eb89c7096ba55d94a55";
/// The P2WPKH script output 1 of 825,254 / 2,049 pays 133,518 sat: change back to the key
/// its input 1 spends from.
const CHANGE_825254: &str = "001412c625feb11e662805f4923b289a15d6be803ed7";
/// The P2SH script output 1 of 825,229 / 930 pays: change back to the P2SH-P2WPKH script
/// its input 1 spends from.
const CHANGE_825229: &str = "a9147677a8e87a0b9fdaffcf2837bbfddd82adc7bcbd87";
/// The P2WPKH script transactions 104 and 105 of block 830,000 spend from (their one input's
/// witness key) and pay their change to: 614,580,800 sat (104 / 0), 287,608,597 (105 / 1).
const WALLET_830000: &str = "0014192e80ed2c7c412bdc2a6c8f371d15cb90f3c85b";
/// The P2SH script 104 / 1 pays 200,000 sat.
const PAID_BY_104: &str = "a914b6454c6ded196fef36cb06f9f6823ce62e1386f787";
/// The P2SH script 105 / 0 pays 549,799 sat.
const PAID_BY_105: &str = "a914c78b20ee10e13d6accc5fa1dfc426d28a0a277f087";
/// The P2WPKH script 100 / 1 pays 1,002,479 sat (both its inputs are P2WPKH spends).
const PAID_BY_100: &str = "0014c1e8edbdd8cf660ca5bb1f7022034432ed46beba";
/// A P2WPKH script nobody pays here.
const OTHER_P2WPKH: &str = "00141111111111111111111111111111111111111111";

fn hex(s: &str) -> Vec<u8> {
	(0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn bytes<const N: u32>(b: &[u8]) -> BoundedVec<u8, ConstU32<N>> {
	BoundedVec::try_from(b.to_vec()).unwrap()
}

fn outputs(vouts: &[u32]) -> BoundedVec<u32, ConstU32<MAX_CREDITED_OUTPUTS>> {
	BoundedVec::try_from(vouts.to_vec()).unwrap()
}

fn txoutproof(raw: &[u8]) -> PayoutProof {
	PayoutProof::TxOutProof(bytes(raw))
}

/// The branch proof of the transaction of `height` in `merkle-branches.txt`.
fn branch(height: u32) -> PayoutProof {
	let line = BRANCHES
		.lines()
		.find(|line| line.starts_with(&format!("{height} ")))
		.expect("a branch of that height");
	let fields: Vec<&str> = line.split_whitespace().collect();
	let siblings: Vec<H256> = fields[3].split(',').map(|s| H256::from_slice(&hex(s))).collect();
	PayoutProof::Branch {
		branch: BoundedVec::try_from(siblings).unwrap(),
		index: fields[1].parse().unwrap(),
	}
}

fn prove(
	height: u32,
	tx: &[u8],
	proof: PayoutProof,
	vouts: &[u32],
) -> frame_support::dispatch::DispatchResultWithPostInfo {
	prove_with(height, tx, proof, None, vouts)
}

fn prove_with(
	height: u32,
	tx: &[u8],
	proof: PayoutProof,
	witness: Option<WitnessProof>,
	vouts: &[u32],
) -> frame_support::dispatch::DispatchResultWithPostInfo {
	PayoutProofs::prove_payout(
		RuntimeOrigin::signed(1),
		MockChain::hash_at(height),
		bytes(tx),
		proof,
		witness,
		outputs(vouts),
	)
}

/// The fields of `name`'s line in `witness-proofs-830000.txt`.
fn witness_line(name: &str) -> Vec<&'static str> {
	WITNESS_PROOFS_830000
		.lines()
		.find(|line| line.starts_with(&format!("{name} ")))
		.expect("a line of that name")
		.split_whitespace()
		.collect()
}

fn hashes(field: &str) -> BoundedVec<H256, ConstU32<MAX_BRANCH_DEPTH>> {
	BoundedVec::try_from(field.split(',').map(|s| H256::from_slice(&hex(s))).collect::<Vec<_>>())
		.unwrap()
}

/// The branch proof of transaction `index` of block 830,000.
fn branch_830000(index: u32) -> PayoutProof {
	PayoutProof::Branch { branch: hashes(witness_line(&index.to_string())[2]), index }
}

/// The witness proof of transaction `index` of block 830,000: its coinbase and branches.
fn witness_830000(index: u32) -> WitnessProof {
	WitnessProof {
		coinbase: bytes(COINBASE_830000),
		coinbase_branch: hashes(witness_line("coinbase")[2]),
		witness_branch: hashes(witness_line(&index.to_string())[3]),
	}
}

/// `raw` without its witness: version, the body between the BIP 144 marker and flag and
/// the witnesses, lock time.
fn strip_witness(raw: &[u8]) -> Vec<u8> {
	let tx = hashrate_primitives::bitcoin::transaction::Transaction::parse(raw).unwrap();
	let body = &raw[6..6 + tx.stripped_size - 8];
	[&raw[..4], body, &raw[raw.len() - 4..]].concat()
}

/// The period a block's time is in.
fn period_of(height: u32) -> PeriodIndex {
	PeriodIndex((MockChain::time_at(height) / PERIOD) as u32)
}

/// The clock an hour after block `height`, the relay's tip ten blocks above it.
fn at(height: u32) {
	set_now(MockChain::time_at(height) + 3_600);
	set_tip(height + 10);
}

/// Records a credit of `sats` for output `vout` of `txid` as a proof would.
fn credit_directly(
	txid: H256,
	vout: u32,
	facility: u32,
	period: PeriodIndex,
	sats: u64,
	height: u32,
) {
	let credit = Credit { facility: FacilityId(facility), period, sats: Sats(sats), height };
	Credits::<Test>::insert((txid, vout), credit);
	CreditExpiry::<Test>::insert(DueAt(u64::from(height + CREDIT_RETENTION)), (txid, vout), ());
	let mut sum = ProvenSats::<Test>::get(FacilityId(facility), period).unwrap_or_default();
	if sum.sats == Sats(0) {
		ProvenExpiry::<Test>::insert(
			DueAt(u64::from(period.0 + PROVEN_HISTORY)),
			(FacilityId(facility), period),
			(),
		);
	}
	sum.sats = Sats(sum.sats.0 + sats);
	ProvenSats::<Test>::insert(FacilityId(facility), period, sum);
}

fn last(event: Event<Test>) {
	System::assert_last_event(event.into());
}

mod prove_payout {
	use super::*;

	#[test]
	fn the_coinbase_of_830000_credits_antpools_facility_at_no_fee() {
		run(|| {
			own(0, &hex(ANTPOOL), 0, None);
			at(830_000);
			let info = prove(830_000, COINBASE_830000, txoutproof(PROOF_830000_0), &[1]).unwrap();
			assert_eq!(info.pays_fee, Pays::No);
			// A coinbase spends nothing: no input reads.
			let weight = PayoutProofs::prove_weight(COINBASE_830000.len() as u32, None, 0);
			assert_eq!(info.actual_weight, Some(weight));
			// A coinbase pays for its own block: no lag.
			let period = period_of(830_000);
			assert_eq!(PayoutProofs::proven_payouts(FacilityId(0), period), Sats(ANTPOOL_SATS));
			assert_eq!(
				<PayoutProofs as ProvenPayouts>::proven(FacilityId(0), period),
				Sats(ANTPOOL_SATS)
			);
			let txid =
				hashrate_primitives::bitcoin::transaction::Transaction::parse(COINBASE_830000)
					.unwrap()
					.txid;
			let credit = Credit {
				facility: FacilityId(0),
				period,
				sats: Sats(ANTPOOL_SATS),
				height: 830_000,
			};
			assert_eq!(PayoutProofs::credit(txid, 1), Some(credit));
			last(Event::PayoutProven {
				facility: FacilityId(0),
				period,
				txid,
				vout: 1,
				sats: Sats(ANTPOOL_SATS),
				height: 830_000,
			});
		});
	}

	#[test]
	fn a_branch_proves_a_payout_attributed_a_lag_before() {
		run(|| {
			own(2, &hex(TAPROOT_825936), 0, None);
			at(825_936);
			assert_ok!(prove(825_936, TX_825936, branch(825_936), &[1]));
			// Paid during period q: day q - 1's earnings (lag 1, the default).
			let earned = PeriodIndex(period_of(825_936).0 - 1);
			assert_eq!(PayoutProofs::proven_payouts(FacilityId(2), earned), Sats(534_750));
			assert_eq!(PayoutProofs::proven_payouts(FacilityId(2), period_of(825_936)), Sats(0));
		});
	}

	#[test]
	fn payouts_add_up_per_period_and_one_proof_pays_several_facilities() {
		run(|| {
			// Output 0 of each of the three transactions pays the same taproot script.
			let shared = "51207e875ae46c9f2d28d8d302cfa8c045bfc94df9277dbdf2d7a1fcdba129731899";
			own(1, &hex(shared), 0, None);
			own(2, &hex(TAPROOT_825936), 0, None);
			at(825_254);
			// 546 sat: credited, but too little to refund the fee.
			let info = prove(825_229, TX_825229, branch(825_229), &[0]).unwrap();
			assert_eq!(info.pays_fee, Pays::Yes);
			assert_ok!(prove(825_254, TX_825254, branch(825_254), &[0]));
			let earned = PeriodIndex(period_of(825_229).0 - 1);
			assert_eq!(period_of(825_229), period_of(825_254));
			assert_eq!(PayoutProofs::proven_payouts(FacilityId(1), earned), Sats(1_092));
			at(825_936);
			assert_ok!(prove(825_936, TX_825936, branch(825_936), &[0, 1]));
			let earned = PeriodIndex(period_of(825_936).0 - 1);
			assert_eq!(PayoutProofs::proven_payouts(FacilityId(1), earned), Sats(546));
			assert_eq!(PayoutProofs::proven_payouts(FacilityId(2), earned), Sats(534_750));
		});
	}

	#[test]
	fn an_output_counts_once_ever() {
		run(|| {
			own(2, &hex(TAPROOT_825936), 0, None);
			at(825_936);
			assert_ok!(prove(825_936, TX_825936, branch(825_936), &[1]));
			assert_noop!(prove(825_936, TX_825936, branch(825_936), &[1]), E::AlreadyCredited);
		});
	}

	#[test]
	fn a_transaction_paying_no_facility_credits_nothing() {
		run(|| {
			own(0, &hex(ANTPOOL), 0, None);
			at(830_000);
			// Transaction 1 of block 830,000, proven against the same header.
			assert_noop!(
				prove(830_000, TX_830000_1, txoutproof(PROOF_830000_1), &[0]),
				E::NotAPayoutScript
			);
			assert_noop!(
				prove(830_000, TX_830000_1, txoutproof(PROOF_830000_1), &[2]),
				E::NotAPayoutScript
			);
			// Transactions 10, 100, 1,000 and 1,850 (the last) with their proofs: each proof
			// checks (else another error), no output pays AntPool's facility.
			let others: [(&[u8], &[u8]); 4] = [
				(
					include_bytes!("../../../testdata/bitcoin/tx-830000-10.tx"),
					include_bytes!("../../../testdata/bitcoin/txoutproof-830000-10.bin"),
				),
				(
					include_bytes!("../../../testdata/bitcoin/tx-830000-100.tx"),
					include_bytes!("../../../testdata/bitcoin/txoutproof-830000-100.bin"),
				),
				(
					include_bytes!("../../../testdata/bitcoin/tx-830000-1000.tx"),
					include_bytes!("../../../testdata/bitcoin/txoutproof-830000-1000.bin"),
				),
				(
					include_bytes!("../../../testdata/bitcoin/tx-830000-1850.tx"),
					include_bytes!("../../../testdata/bitcoin/txoutproof-830000-1850.bin"),
				),
			];
			let mut refused = 0;
			for (tx, proof) in others {
				let outputs = hashrate_primitives::bitcoin::transaction::Transaction::parse(tx)
					.unwrap()
					.outputs;
				for (vout, output) in outputs.iter().enumerate() {
					let dust = output.value < 546;
					let error = if dust { E::DustOutput } else { E::NotAPayoutScript };
					assert_noop!(prove(830_000, tx, txoutproof(proof), &[vout as u32]), error);
					refused += usize::from(!dust);
				}
				let past = outputs.len() as u32;
				assert_noop!(prove(830_000, tx, txoutproof(proof), &[past]), E::NoSuchOutput);
			}
			assert!(refused >= 4, "each transaction has an output above dust");
		});
	}

	#[test]
	fn a_script_counts_only_between_approval_and_removal() {
		run(|| {
			let time = MockChain::time_at(830_000);
			at(830_000);
			own(0, &hex(ANTPOOL), time + 1, None);
			assert_noop!(
				prove(830_000, COINBASE_830000, txoutproof(PROOF_830000_0), &[1]),
				E::NotAPayoutScript
			);
			own(0, &hex(ANTPOOL), 0, Some(time));
			assert_noop!(
				prove(830_000, COINBASE_830000, txoutproof(PROOF_830000_0), &[1]),
				E::NotAPayoutScript
			);
			// Removed after the block: a payout mined before still counts.
			own(0, &hex(ANTPOOL), 0, Some(time + 1));
			assert_ok!(prove(830_000, COINBASE_830000, txoutproof(PROOF_830000_0), &[1]));
		});
	}

	#[test]
	fn self_transfers_credit_nothing() {
		run(|| {
			// Change to the P2WPKH key 830,000 / 104 spends from, its witness proven.
			own(0, &hex(WALLET_830000), 0, None);
			at(830_000);
			assert_noop!(
				prove_with(
					830_000,
					TX_830000_104,
					branch_830000(104),
					Some(witness_830000(104)),
					&[0]
				),
				E::SelfTransfer
			);
			// Change to the P2SH-P2WPKH script 825,229 / 930 spends from: its script shows it.
			own(1, &hex(CHANGE_825229), 0, None);
			at(825_229);
			assert_noop!(prove(825_229, TX_825229, branch(825_229), &[1]), E::SelfTransfer);
			// Change to the P2WPKH key 825,254 / 2,049 spends from: without the block's
			// witness commitment (not in the data set) it cannot be told from a payout.
			own(2, &hex(CHANGE_825254), 0, None);
			at(825_254);
			assert_noop!(prove(825_254, TX_825254, branch(825_254), &[1]), E::WitnessProofNeeded);
		});
	}

	#[test]
	fn spending_a_credited_output_is_no_income_whoever_was_credited() {
		// 825,936 / 2,275 spends an output credited before (as if proven earlier), to facility
		// 2 itself or to facility 1: moving credited coins on is not income, and to another
		// facility its sats would count twice.
		for credited in [2, 1] {
			run(|| {
				own(2, &hex(TAPROOT_825936), 0, None);
				at(825_936);
				let spent =
					hashrate_primitives::bitcoin::transaction::Transaction::parse(TX_825936)
						.unwrap()
						.inputs[1]
						.prevout;
				let period = period_of(825_900);
				credit_directly(spent.txid, spent.vout, credited, period, 60_000, 825_900);
				assert_noop!(prove(825_936, TX_825936, branch(825_936), &[1]), E::SelfTransfer);
			});
		}
	}

	#[test]
	fn a_self_transfer_out_of_a_removed_script_is_still_one() {
		run(|| {
			// The key 830,000 / 104 spends from was facility 0's and is retained after its
			// removal; the transaction pays another script the facility owns now.
			let time = MockChain::time_at(830_000);
			own(0, &hex(WALLET_830000), 0, Some(time - 10));
			own(0, &hex(PAID_BY_104), 0, None);
			at(830_000);
			// A retained witness script: the witness must be proven...
			assert_noop!(
				prove(830_000, TX_830000_104, branch_830000(104), &[1]),
				E::WitnessProofNeeded
			);
			// ...and it shows the facility spending.
			assert_noop!(
				prove_with(
					830_000,
					TX_830000_104,
					branch_830000(104),
					Some(witness_830000(104)),
					&[1]
				),
				E::SelfTransfer
			);
		});
	}

	#[test]
	fn dust_is_not_credited() {
		run(|| {
			// Output 2 of the coinbase is its 0-sat witness commitment.
			own(
				0,
				&hex(
					"6a24aa21a9ed600220b4bd0f1c5b0fc50b2fab9acb53afe3c160b036b26eed89fc573718ca24",
				),
				0,
				None,
			);
			at(830_000);
			assert_noop!(
				prove(830_000, COINBASE_830000, txoutproof(PROOF_830000_0), &[2]),
				E::DustOutput
			);
		});
	}

	#[test]
	fn a_taproot_key_path_spend_shows_no_script() {
		run(|| {
			// 825,936 / 2,275 spends two taproot inputs by key path: whether they were the
			// facility's cannot be seen, so the payout counts (a documented limit).
			own(2, &hex(TAPROOT_825936), 0, None);
			at(825_936);
			assert_ok!(prove(825_936, TX_825936, branch(825_936), &[1]));
		});
	}

	#[test]
	fn the_block_must_be_on_the_main_chain_and_kept() {
		run(|| {
			own(0, &hex(ANTPOOL), 0, None);
			at(830_000);
			let stale = H256::repeat_byte(0x5e);
			assert_noop!(
				PayoutProofs::prove_payout(
					RuntimeOrigin::signed(1),
					stale,
					bytes(COINBASE_830000),
					txoutproof(PROOF_830000_0),
					None,
					outputs(&[1]),
				),
				E::BlockNotInMainChain
			);
			// Not yet relayed.
			set_tip(829_999);
			assert_noop!(
				prove(830_000, COINBASE_830000, txoutproof(PROOF_830000_0), &[1]),
				E::BlockNotInMainChain
			);
			// Forgotten by the relay.
			set_tip(830_000 + KEPT_HEIGHTS);
			assert_noop!(
				prove(830_000, COINBASE_830000, txoutproof(PROOF_830000_0), &[1]),
				E::BlockNotInMainChain
			);
		});
	}

	#[test]
	fn too_few_confirmations() {
		run(|| {
			own(0, &hex(ANTPOOL), 0, None);
			at(830_000);
			set_tip(830_000 + MIN_CONFIRMATIONS - 2);
			assert_noop!(
				prove(830_000, COINBASE_830000, txoutproof(PROOF_830000_0), &[1]),
				E::TooFewConfirmations
			);
			set_tip(830_000 + MIN_CONFIRMATIONS - 1);
			assert_ok!(prove(830_000, COINBASE_830000, txoutproof(PROOF_830000_0), &[1]));
		});
	}

	#[test]
	fn a_block_as_deep_as_credits_are_kept_is_too_old() {
		run(|| {
			own(0, &hex(ANTPOOL), 0, None);
			at(830_000);
			set_tip(830_000 + CREDIT_RETENTION - 1);
			assert_noop!(
				prove(830_000, COINBASE_830000, txoutproof(PROOF_830000_0), &[1]),
				E::BlockTooOld
			);
			set_tip(830_000 + CREDIT_RETENTION - 2);
			assert_ok!(prove(830_000, COINBASE_830000, txoutproof(PROOF_830000_0), &[1]));
		});
	}

	#[test]
	fn forged_and_malformed_proofs_are_refused_by_name() {
		run(|| {
			own(2, &hex(TAPROOT_825936), 0, None);
			own(0, &hex(ANTPOOL), 0, None);
			at(825_936);
			// A forged branch: one sibling changed.
			let PayoutProof::Branch { mut branch, index } = branch(825_936) else { unreachable!() };
			branch[3] = H256::repeat_byte(7);
			let forged = PayoutProof::Branch { branch: branch.clone(), index };
			assert_noop!(prove(825_936, TX_825936, forged, &[1]), E::MerkleRootMismatch);
			// The right index, the wrong depth; an index beyond the branch's leaves.
			let too_far = PayoutProof::Branch { branch: branch.clone(), index: 1 << 12 };
			assert_noop!(prove(825_936, TX_825936, too_far, &[1]), E::MalformedProof);
			// A right node equal to its left sibling: a duplicated subtree.
			let txid = hashrate_primitives::bitcoin::transaction::Transaction::parse(TX_825936)
				.unwrap()
				.txid;
			let mut duplicated = branch.clone();
			duplicated[0] = txid;
			let duplicated = PayoutProof::Branch { branch: duplicated, index: 1 };
			assert_noop!(prove(825_936, TX_825936, duplicated, &[1]), E::DuplicatedSibling);
			// The proof of another block, or of another transaction.
			at(830_000);
			assert_noop!(
				prove(829_999, COINBASE_830000, txoutproof(PROOF_830000_0), &[1]),
				E::ProofOfAnotherBlock
			);
			assert_noop!(
				prove(830_000, COINBASE_830000, txoutproof(PROOF_830000_1), &[1]),
				E::TransactionNotProven
			);
			assert_noop!(
				prove(830_000, COINBASE_830000, txoutproof(&PROOF_830000_0[..100]), &[1]),
				E::MalformedProof
			);
			assert_noop!(
				prove(830_000, &COINBASE_830000[..200], txoutproof(PROOF_830000_0), &[1]),
				E::MalformedTransaction
			);
		});
	}

	#[test]
	fn a_64_byte_transaction_is_refused() {
		run(|| {
			at(830_000);
			// Version, one input with an empty script, one output of a 4-byte script, lock time:
			// 64 bytes, the size of an inner Merkle node.
			let mut tx = vec![2, 0, 0, 0, 1];
			tx.extend([0x11; 32]);
			tx.extend([0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 1]);
			tx.extend(1_000u64.to_le_bytes());
			tx.extend([4, 0x51, 0x51, 0x51, 0x51, 0, 0, 0, 0]);
			assert_eq!(tx.len(), 64);
			assert_noop!(
				prove(830_000, &tx, txoutproof(PROOF_830000_0), &[0]),
				E::SixtyFourByteTransaction
			);
		});
	}

	#[test]
	fn output_list_errors() {
		run(|| {
			own(0, &hex(ANTPOOL), 0, None);
			at(830_000);
			let coinbase =
				|vouts: &[u32]| prove(830_000, COINBASE_830000, txoutproof(PROOF_830000_0), vouts);
			assert_noop!(coinbase(&[]), E::NoOutputs);
			assert_noop!(coinbase(&[1, 1]), E::NoOutputs);
			assert_noop!(coinbase(&[5]), E::NoSuchOutput);
			// One output of the list pays no facility: nothing is credited.
			assert_noop!(coinbase(&[1, 0]), E::NotAPayoutScript);
		});
	}

	#[test]
	fn proofs_close_with_their_periods_report_window() {
		run(|| {
			own(0, &hex(ANTPOOL), 0, None);
			let deadline = (u64::from(period_of(830_000).0) + 1) * PERIOD + REPORT_WINDOW;
			set_now(deadline);
			assert_noop!(
				prove(830_000, COINBASE_830000, txoutproof(PROOF_830000_0), &[1]),
				E::ProofWindowClosed
			);
			set_now(deadline - 1);
			assert_ok!(prove(830_000, COINBASE_830000, txoutproof(PROOF_830000_0), &[1]));
		});
	}

	#[test]
	fn no_period_before_the_first() {
		run(|| {
			own(0, &hex(ANTPOOL), 0, None);
			at(830_000);
			world(|w| w.periods_start = MockChain::time_at(830_000) + 1);
			assert_noop!(
				prove(830_000, COINBASE_830000, txoutproof(PROOF_830000_0), &[1]),
				E::NoPeriod
			);
		});
	}

	#[test]
	fn a_sum_that_would_overflow_is_refused() {
		run(|| {
			own(0, &hex(ANTPOOL), 0, None);
			at(830_000);
			let period = period_of(830_000);
			let full = Sats(u64::MAX - 1);
			ProvenSats::<Test>::insert(
				FacilityId(0),
				period,
				ProvenSum { sats: full, pruned: full },
			);
			ProvenExpiry::<Test>::insert(
				DueAt(u64::from(period.0 + PROVEN_HISTORY)),
				(FacilityId(0), period),
				(),
			);
			assert_noop!(
				prove(830_000, COINBASE_830000, txoutproof(PROOF_830000_0), &[1]),
				E::Overflow
			);
		});
	}

	#[test]
	fn unsigned_is_refused() {
		run(|| {
			assert_noop!(
				PayoutProofs::prove_payout(
					RuntimeOrigin::none(),
					MockChain::hash_at(830_000),
					bytes(COINBASE_830000),
					txoutproof(PROOF_830000_0),
					None,
					outputs(&[1]),
				),
				BadOrigin
			);
		});
	}
}

/// The witness commitment (BIP 141) where an input spends by witness only: block 830,000's
/// coinbase, its branch and the transactions' witness branches.
mod witness_proofs {
	use super::*;
	use hashrate_primitives::bitcoin::transaction::{parent_hash, Transaction};

	#[test]
	fn a_payout_spent_by_witness_credits_with_the_witness_proven() {
		run(|| {
			// Facility 1 owns a P2WPKH script; both inputs of 100 spend by witness only.
			own(1, &hex(PAID_BY_100), 0, None);
			at(830_000);
			let proof = || txoutproof(PROOF_830000_100);
			assert_noop!(prove(830_000, TX_830000_100, proof(), &[1]), E::WitnessProofNeeded);
			// With `gettxoutproof` the depth (11 levels over 1,851 transactions) is its count's.
			assert_ok!(prove_with(
				830_000,
				TX_830000_100,
				proof(),
				Some(witness_830000(100)),
				&[1]
			));
			let earned = PeriodIndex(period_of(830_000).0 - 1);
			assert_eq!(PayoutProofs::proven_payouts(FacilityId(1), earned), Sats(1_002_479));
		});
	}

	#[test]
	fn a_facility_without_witness_scripts_needs_no_witness_proof() {
		run(|| {
			// The spender's key is facility 0's; facility 1, paid, owns only a P2SH script:
			// no spend of its could hide in a witness.
			own(0, &hex(WALLET_830000), 0, None);
			own(1, &hex(PAID_BY_104), 0, None);
			at(830_000);
			assert_ok!(prove(830_000, TX_830000_104, branch_830000(104), &[1]));
			let earned = PeriodIndex(period_of(830_000).0 - 1);
			assert_eq!(PayoutProofs::proven_payouts(FacilityId(1), earned), Sats(200_000));
		});
	}

	#[test]
	fn one_witness_script_of_a_paid_facility_needs_it() {
		run(|| {
			own(1, &hex(PAID_BY_105), 0, None);
			own(1, &hex(OTHER_P2WPKH), 0, None);
			at(830_000);
			assert_noop!(
				prove(830_000, TX_830000_105, branch_830000(105), &[0]),
				E::WitnessProofNeeded
			);
			assert_ok!(prove_with(
				830_000,
				TX_830000_105,
				branch_830000(105),
				Some(witness_830000(105)),
				&[0]
			));
		});
	}

	#[test]
	fn a_stripped_or_made_up_witness_is_refused() {
		run(|| {
			own(0, &hex(WALLET_830000), 0, None);
			at(830_000);
			// The same txid, so the Merkle proof holds: the witness is what is missing.
			let stripped = strip_witness(TX_830000_104);
			assert_noop!(
				prove(830_000, &stripped, branch_830000(104), &[0]),
				E::WitnessProofNeeded
			);
			assert_noop!(
				prove_with(830_000, &stripped, branch_830000(104), Some(witness_830000(104)), &[0]),
				E::WitnessMismatch
			);
			// Another key in the witness (the last item, before the lock time).
			let mut made_up = TX_830000_104.to_vec();
			let key = made_up.len() - 4 - 33;
			made_up[key + 5] ^= 1;
			assert_noop!(
				prove_with(830_000, &made_up, branch_830000(104), Some(witness_830000(104)), &[0]),
				E::WitnessMismatch
			);
		});
	}

	#[test]
	fn errors() {
		run(|| {
			own(1, &hex(PAID_BY_104), 0, None);
			at(830_000);
			let prove_104 = |witness: WitnessProof| {
				prove_with(830_000, TX_830000_104, branch_830000(104), Some(witness), &[1])
			};
			let good = witness_830000(104);
			// Not a coinbase, not a transaction.
			let not_coinbase = WitnessProof { coinbase: bytes(TX_830000_1), ..good.clone() };
			assert_noop!(prove_104(not_coinbase), E::MalformedWitnessProof);
			let garbage = WitnessProof { coinbase: bytes(&[1, 2, 3]), ..good.clone() };
			assert_noop!(prove_104(garbage), E::MalformedWitnessProof);
			// Branches not as deep as the block's tree.
			let mut short = good.clone();
			short.witness_branch.pop();
			assert_noop!(prove_104(short), E::MalformedWitnessProof);
			let mut long = good.clone();
			long.coinbase_branch.try_push(H256::repeat_byte(7)).unwrap();
			assert_noop!(prove_104(long), E::MalformedWitnessProof);
			// A coinbase without the commitment's tag; with another commitment (so another
			// txid); a wrong sibling in its branch.
			let tag = COINBASE_830000
				.windows(6)
				.position(|w| w == [0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed])
				.unwrap();
			let mut untagged = COINBASE_830000.to_vec();
			untagged[tag + 2] = 0xab;
			assert_noop!(
				prove_104(WitnessProof { coinbase: bytes(&untagged), ..good.clone() }),
				E::NoWitnessCommitment
			);
			let mut recommitted = COINBASE_830000.to_vec();
			recommitted[tag + 6] ^= 1;
			assert_noop!(
				prove_104(WitnessProof { coinbase: bytes(&recommitted), ..good.clone() }),
				E::CoinbaseNotInBlock
			);
			let mut forged = good.clone();
			forged.coinbase_branch[0] = H256::repeat_byte(9);
			assert_noop!(prove_104(forged), E::CoinbaseNotInBlock);
			// A wrong sibling in the witness branch; a right node equal to its sibling
			// (104 is a right child at level 3).
			let mut wrong = good.clone();
			wrong.witness_branch[0] = H256::repeat_byte(9);
			assert_noop!(prove_104(wrong), E::WitnessMismatch);
			let mut duplicated = good.clone();
			let mut node = Transaction::parse(TX_830000_104).unwrap().wtxid();
			for sibling in &duplicated.witness_branch[..3] {
				node = parent_hash(&node, sibling);
			}
			duplicated.witness_branch[3] = node;
			assert_noop!(prove_104(duplicated), E::DuplicatedSibling);
			// The right proof.
			assert_ok!(prove_104(good));
		});
	}

	#[test]
	fn a_coinbase_spends_nothing_so_its_witness_proof_is_not_checked() {
		run(|| {
			own(0, &hex(ANTPOOL), 0, None);
			at(830_000);
			// Another transaction's witness proof (for index 104), which proves nothing here.
			let proof = txoutproof(PROOF_830000_0);
			let witness = Some(witness_830000(104));
			assert_ok!(prove_with(830_000, COINBASE_830000, proof, witness, &[1]));
		});
	}

	#[test]
	fn the_weight_counts_input_reads_and_the_witness_proofs_bytes() {
		run(|| {
			own(1, &hex(PAID_BY_100), 0, None);
			at(830_000);
			let witness = witness_830000(100);
			let info = prove_with(
				830_000,
				TX_830000_100,
				txoutproof(PROOF_830000_100),
				Some(witness.clone()),
				&[1],
			)
			.unwrap();
			// One paid facility; two inputs, each a credit read and the two scripts its
			// witness may show (the last item as a P2WPKH key and as a P2WSH script).
			let len = TX_830000_100.len() as u32;
			let expected = PayoutProofs::prove_weight(len, Some(&witness), 1 + 2 * 3);
			assert_eq!(info.actual_weight, Some(expected));
			let declared = PayoutProofs::prove_weight(
				len,
				Some(&witness),
				PayoutProofs::most_input_reads(len),
			);
			assert!(declared.all_gte(expected) && declared.ref_time() > expected.ref_time());
			assert_eq!(witness.hashed_len(), (COINBASE_830000.len() + 2 * 11 * 64) as u32);
		});
	}
}

mod settings {
	use super::*;

	fn lag(lag: u32, proven_mode: bool) -> PayoutSettings {
		PayoutSettings { lag, proven_mode, shift: 0 }
	}

	fn shifted(lag: u32, shift: u32) -> PayoutSettings {
		PayoutSettings { lag, proven_mode: true, shift }
	}

	/// Facility 2's operator requests `settings` and governance approves them.
	fn approve(settings: PayoutSettings) {
		assert_ok!(PayoutProofs::request_payout_settings(
			RuntimeOrigin::signed(operator_of(2)),
			FacilityId(2),
			settings
		));
		assert_ok!(PayoutProofs::approve_payout_settings(RuntimeOrigin::root(), FacilityId(2)));
	}

	#[test]
	fn the_shift_moves_the_period_boundary() {
		run(|| {
			// Block 825,936 was mined `into_day` seconds into its UTC day: shifted by the rest
			// of that day, its payout counts as paid the next day (earning its own day, lag 1);
			// one second less keeps it in its own day (earning the day before).
			let time = MockChain::time_at(825_936);
			let into_day = (time % PERIOD) as u32;
			assert!(into_day > 0);
			let paid_in = period_of(825_936);
			let deadline = |period: PeriodIndex| (u64::from(period.0) + 1) * PERIOD + REPORT_WINDOW;
			set_now(time - 2 * PERIOD);
			approve(shifted(1, PERIOD as u32 - into_day - 1));
			let before = PeriodIndex(paid_in.0 - 1);
			assert_eq!(
				PayoutProofs::payout_period(FacilityId(2), time),
				Some((before, deadline(before)))
			);
			// A later approval for the same next period replaces it.
			approve(shifted(1, PERIOD as u32 - into_day));
			assert_eq!(
				PayoutProofs::payout_period(FacilityId(2), time),
				Some((paid_in, deadline(paid_in)))
			);
			assert_eq!(
				PayoutProofs::payout_period(FacilityId(2), time - 1),
				Some((before, deadline(before)))
			);
			own(2, &hex(TAPROOT_825936), 0, None);
			at(825_936);
			assert_ok!(prove(825_936, TX_825936, branch(825_936), &[1]));
			assert_eq!(PayoutProofs::proven_payouts(FacilityId(2), paid_in), Sats(534_750));
			assert_eq!(PayoutProofs::proven_payouts(FacilityId(2), before), Sats(0));
		});
	}

	#[test]
	fn the_settings_of_the_blocks_own_period_decide() {
		run(|| {
			let time = MockChain::time_at(825_936);
			let paid_in = period_of(825_936);
			let deadline = |period: u32| (u64::from(period) + 1) * PERIOD + REPORT_WINDOW;
			// Approved during the block's period: in force from the next one.
			set_now(time);
			approve(shifted(1, PERIOD as u32 - 1));
			assert_eq!(
				PayoutProofs::payout_period(FacilityId(2), time),
				Some((PeriodIndex(paid_in.0 - 1), deadline(paid_in.0 - 1))),
				"the block's own period keeps the defaults: no shift"
			);
			let next_start = (u64::from(paid_in.0) + 1) * PERIOD;
			assert_eq!(
				PayoutProofs::payout_period(FacilityId(2), next_start),
				Some((paid_in, deadline(paid_in.0)))
			);
			assert_eq!(
				PayoutProofs::payout_period(FacilityId(2), next_start + 1),
				Some((PeriodIndex(paid_in.0 + 1), deadline(paid_in.0 + 1))),
				"shifted past the next boundary, a period later"
			);
		});
	}

	#[test]
	fn a_shift_longer_than_a_period_moves_a_payout_one_period_at_most() {
		run(|| {
			// As if governance shortened the periods below an approved shift (stored as
			// approved, three periods long).
			let settings = PayoutSettings { lag: 0, proven_mode: true, shift: 3 * PERIOD as u32 };
			Settings::<Test>::insert(
				FacilityId(2),
				BoundedVec::truncate_from(vec![SettingsFrom { from: PeriodIndex(0), settings }]),
			);
			let time = MockChain::time_at(825_936);
			let next = PeriodIndex(period_of(825_936).0 + 1);
			assert_eq!(
				PayoutProofs::payout_period(FacilityId(2), time).map(|(p, _)| p),
				Some(next)
			);
		});
	}

	#[test]
	fn a_shift_of_lag_0_attributes_the_block_before_a_period_to_it() {
		run(|| {
			let time = MockChain::time_at(825_936);
			let into_day = (time % PERIOD) as u32;
			set_now(time - 2 * PERIOD);
			approve(shifted(0, PERIOD as u32 - into_day));
			let next = PeriodIndex(period_of(825_936).0 + 1);
			own(2, &hex(TAPROOT_825936), 0, None);
			at(825_936);
			assert_ok!(prove(825_936, TX_825936, branch(825_936), &[1]));
			assert_eq!(PayoutProofs::proven_payouts(FacilityId(2), next), Sats(534_750));
		});
	}

	#[test]
	fn request_approve_and_the_lag_moves_attribution() {
		run(|| {
			set_now(MockChain::time_at(825_900) - 2 * PERIOD);
			assert_ok!(PayoutProofs::request_payout_settings(
				RuntimeOrigin::signed(operator_of(2)),
				FacilityId(2),
				lag(0, true)
			));
			last(Event::SettingsRequested { facility: FacilityId(2), settings: lag(0, true) });
			assert_ok!(PayoutProofs::approve_payout_settings(RuntimeOrigin::root(), FacilityId(2)));
			let from = PeriodIndex(<MockOracle as PowOracle>::current_period().0 + 1);
			last(Event::SettingsApproved { facility: FacilityId(2), settings: lag(0, true), from });
			assert_eq!(
				PayoutProofs::payout_settings(FacilityId(2)),
				SettingsView {
					approved: vec![SettingsFrom { from, settings: lag(0, true) }],
					requested: None
				}
			);
			// Not yet in force in the current period, in force from the next.
			assert_eq!(
				PayoutProofs::settings(FacilityId(2), PeriodIndex(from.0 - 1)),
				lag(1, false)
			);
			assert_eq!(PayoutProofs::settings(FacilityId(2), from), lag(0, true));
			own(2, &hex(TAPROOT_825936), 0, None);
			at(825_936);
			assert_ok!(prove(825_936, TX_825936, branch(825_936), &[1]));
			let earned = period_of(825_936);
			assert_eq!(PayoutProofs::proven_payouts(FacilityId(2), earned), Sats(534_750));
			assert_eq!(
				PayoutProofs::payout_period(FacilityId(2), MockChain::time_at(825_936)),
				Some((earned, (u64::from(earned.0) + 1) * PERIOD + REPORT_WINDOW))
			);
		});
	}

	#[test]
	fn history_keeps_the_last_approvals() {
		run(|| {
			let change = |day: u64, settings| {
				set_now(day * PERIOD);
				assert_ok!(PayoutProofs::request_payout_settings(
					RuntimeOrigin::signed(operator_of(0)),
					FacilityId(0),
					settings
				));
				PayoutProofs::approve_payout_settings(RuntimeOrigin::root(), FacilityId(0))
			};
			for day in 0..4 {
				assert_ok!(change(day, lag((day % 2) as u32, day % 2 == 0)));
			}
			// Full: the oldest entry is needed until every period up to the second's first is
			// final (a shifted payout of the block before it may pay for it; the second applies
			// from period 2: final at its end + the horizon).
			let horizon = <MockOracle as PowOracle>::finality_horizon();
			set_now(4 * PERIOD);
			assert_ok!(PayoutProofs::request_payout_settings(
				RuntimeOrigin::signed(operator_of(0)),
				FacilityId(0),
				lag(1, true)
			));
			assert_noop!(
				PayoutProofs::approve_payout_settings(RuntimeOrigin::root(), FacilityId(0)),
				E::TooManySettingsChanges
			);
			let final_at = 3 * PERIOD + horizon;
			set_now(final_at - 1);
			assert_noop!(
				PayoutProofs::approve_payout_settings(RuntimeOrigin::root(), FacilityId(0)),
				E::TooManySettingsChanges
			);
			set_now(final_at);
			assert_ok!(PayoutProofs::approve_payout_settings(RuntimeOrigin::root(), FacilityId(0)));
			let approved = PayoutProofs::payout_settings(FacilityId(0)).approved;
			assert_eq!(approved.len(), MAX_SETTINGS_HISTORY as usize);
			assert_eq!(approved[0].from, PeriodIndex(2));
			// Two approvals for the same next period: the later one stands.
			assert_ok!(change(final_at / PERIOD, lag(0, false)));
			let approved = PayoutProofs::payout_settings(FacilityId(0)).approved;
			assert_eq!(approved.len(), MAX_SETTINGS_HISTORY as usize);
			assert_eq!(approved.last().unwrap().settings, lag(0, false));
		});
	}

	#[test]
	fn request_errors() {
		run(|| {
			let request = |who, facility, settings| {
				PayoutProofs::request_payout_settings(
					RuntimeOrigin::signed(who),
					FacilityId(facility),
					settings,
				)
			};
			assert_noop!(
				PayoutProofs::request_payout_settings(
					RuntimeOrigin::none(),
					FacilityId(0),
					lag(1, true)
				),
				BadOrigin
			);
			assert_noop!(request(operator_of(0), 9, lag(1, true)), E::UnknownFacility);
			assert_noop!(request(operator_of(1), 0, lag(1, true)), E::NotOperator);
			assert_noop!(request(operator_of(0), 0, lag(MAX_LAG + 1, true)), E::LagTooLong);
			// Daily periods, proofs closing two days after a period: a payout two periods
			// late could not be proven in time.
			assert_noop!(request(operator_of(0), 0, lag(2, true)), E::LagTooLong);
			assert_ok!(request(operator_of(0), 0, lag(1, true)));
			// The shift is less than a period.
			assert_noop!(request(operator_of(0), 0, shifted(1, PERIOD as u32)), E::ShiftTooLong);
			assert_ok!(request(operator_of(0), 0, shifted(1, PERIOD as u32 - 1)));
			// Lag 2 fits once the shift moves the last payout twice the confirmations' time
			// (6 blocks: 2 h) before its proofs close.
			let margin = MIN_CONFIRMATIONS * 1_200;
			assert_noop!(request(operator_of(0), 0, shifted(2, margin - 1)), E::LagTooLong);
			assert_ok!(request(operator_of(0), 0, shifted(2, margin)));
			assert_eq!(
				PayoutProofs::payout_settings(FacilityId(0)).requested,
				Some(shifted(2, margin))
			);
		});
	}

	#[test]
	fn approve_and_reject_errors() {
		run(|| {
			assert_noop!(
				PayoutProofs::approve_payout_settings(
					RuntimeOrigin::signed(operator_of(0)),
					FacilityId(0)
				),
				BadOrigin
			);
			assert_noop!(
				PayoutProofs::approve_payout_settings(RuntimeOrigin::root(), FacilityId(0)),
				E::NoSettingsRequest
			);
			assert_noop!(
				PayoutProofs::reject_payout_settings(
					RuntimeOrigin::signed(operator_of(0)),
					FacilityId(0)
				),
				BadOrigin
			);
			assert_noop!(
				PayoutProofs::reject_payout_settings(RuntimeOrigin::root(), FacilityId(0)),
				E::NoSettingsRequest
			);
			assert_ok!(PayoutProofs::request_payout_settings(
				RuntimeOrigin::signed(operator_of(0)),
				FacilityId(0),
				lag(1, true)
			));
			assert_ok!(PayoutProofs::reject_payout_settings(RuntimeOrigin::root(), FacilityId(0)));
			last(Event::SettingsRejected { facility: FacilityId(0) });
			assert_eq!(PayoutProofs::payout_settings(FacilityId(0)), SettingsView::default());
		});
	}
}

mod pruning {
	use super::*;

	fn idle(weight: Weight) {
		<PayoutProofs as Hooks<u64>>::on_idle(1, weight);
	}

	#[test]
	fn a_credit_goes_when_the_relay_forgets_its_block_and_a_sum_after_its_history() {
		run(|| {
			own(2, &hex(TAPROOT_825936), 0, None);
			set_tip(825_936 + 10);
			at(825_936);
			assert_ok!(prove(825_936, TX_825936, branch(825_936), &[1]));
			let txid = hashrate_primitives::bitcoin::transaction::Transaction::parse(TX_825936)
				.unwrap()
				.txid;
			set_tip(825_936 + CREDIT_RETENTION - 1);
			idle(Weight::MAX);
			assert!(PayoutProofs::credit(txid, 1).is_some());
			set_tip(825_936 + CREDIT_RETENTION);
			idle(Weight::zero());
			assert!(PayoutProofs::credit(txid, 1).is_some());
			idle(Weight::MAX);
			assert_eq!(PayoutProofs::credit(txid, 1), None);
			// The relay still keeps the block, but it is too deep: the output cannot be
			// proven again.
			assert_noop!(prove(825_936, TX_825936, branch(825_936), &[1]), E::BlockTooOld);
			let earned = PeriodIndex(period_of(825_936).0 - 1);
			assert_eq!(PayoutProofs::proven_payouts(FacilityId(2), earned), Sats(534_750));
			set_now((u64::from(earned.0) + u64::from(PROVEN_HISTORY)) * PERIOD - 1);
			idle(Weight::MAX);
			assert_eq!(PayoutProofs::proven_payouts(FacilityId(2), earned), Sats(534_750));
			set_now((u64::from(earned.0) + u64::from(PROVEN_HISTORY)) * PERIOD);
			idle(Weight::MAX);
			assert_eq!(PayoutProofs::proven_payouts(FacilityId(2), earned), Sats(0));
		});
	}
}
