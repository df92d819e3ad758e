//! Unit tests on real mainnet data: the coinbase of block 830,000 paying AntPool, transactions
//! of blocks 825,229 / 825,254 / 825,936 with their Merkle branches, and every refusal by name.
//! Every test ends with `do_try_state` (see `mock::run`).

use crate::mock::*;
use crate::*;
use frame_support::{
	assert_noop, assert_ok,
	dispatch::{Pays, PostDispatchInfo},
	traits::Hooks,
	weights::Weight,
};
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
	PayoutProofs::prove_payout(
		RuntimeOrigin::signed(1),
		MockChain::hash_at(height),
		bytes(tx),
		proof,
		outputs(vouts),
	)
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
			assert_eq!(info, PostDispatchInfo { actual_weight: None, pays_fee: Pays::No });
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
			// Change to the P2WPKH key the transaction spends from.
			own(0, &hex(CHANGE_825254), 0, None);
			at(825_254);
			assert_noop!(prove(825_254, TX_825254, branch(825_254), &[1]), E::SelfTransfer);
			// Change to the P2SH-P2WPKH script it spends from.
			own(1, &hex(CHANGE_825229), 0, None);
			assert_noop!(prove(825_229, TX_825229, branch(825_229), &[1]), E::SelfTransfer);
		});
	}

	#[test]
	fn spending_a_credited_output_is_a_self_transfer() {
		run(|| {
			// 825,936 / 2,275 spends an output that was credited to facility 2 before (as if
			// proven earlier): moving credited coins on is not income.
			own(2, &hex(TAPROOT_825936), 0, None);
			at(825_936);
			let spent = hashrate_primitives::bitcoin::transaction::Transaction::parse(TX_825936)
				.unwrap()
				.inputs[1]
				.prevout;
			credit_directly(spent.txid, spent.vout, 2, period_of(825_900), 60_000, 825_900);
			assert_noop!(prove(825_936, TX_825936, branch(825_936), &[1]), E::SelfTransfer);
		});
	}

	#[test]
	fn a_self_transfer_out_of_a_removed_script_is_still_one() {
		run(|| {
			// The change key of 825,254 was the facility's and is retained after removal.
			let time = MockChain::time_at(825_254);
			own(0, &hex(CHANGE_825254), 0, Some(time - 10));
			// The payout goes to another script the facility owns now.
			own(
				0,
				&hex("51207e875ae46c9f2d28d8d302cfa8c045bfc94df9277dbdf2d7a1fcdba129731899"),
				0,
				None,
			);
			at(825_254);
			assert_noop!(prove(825_254, TX_825254, branch(825_254), &[0]), E::SelfTransfer);
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
					outputs(&[1]),
				),
				BadOrigin
			);
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
