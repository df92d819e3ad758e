//! Benchmarks at the bounds: the largest transaction (`l` bytes of P2WPKH inputs, each a
//! self-transfer candidate to compare), every credited output paying an owned script, the
//! largest `gettxoutproof` (a 124-leaf tree, every leaf matched: about 4 KB, deeper work than
//! any 15-level branch) and a witness proof (the coinbase and two branches, whose bytes the
//! weight adds to `l`).

use super::*;
use crate::functions::{CreditQueue, ProvenQueue};
use alloc::{vec, vec::Vec};
use frame_support::{
	traits::{EnsureOrigin, Get},
	weights::Weight,
};
use hashrate_primitives::{
	bitcoin::transaction::{
		benchmarking::{full_merkle_block, push_length},
		branch_root, double_sha256, merkle_branch, Transaction, WITNESS_COMMITMENT_PREFIX,
	},
	due::{DueAt, DueQueue},
	FacilityInspect,
};
use polkadot_sdk::{frame_benchmarking::v2::*, frame_system::RawOrigin};

/// Leaves of the benchmark block, all matched by its proof: the most a proof of
/// [`MAX_PROOF_SIZE`] holds (80 + 4 + 1 + 124 x 32 hashes + 1 + 31 flag bytes = 4,085 bytes;
/// 125 leaves take 4,118), so the most hashes read and inner nodes hashed.
const LEAVES: u32 = 124;

/// The P2WSH script of credited output `i`.
fn paid_script(i: u32) -> Vec<u8> {
	let mut script = vec![0x00, 0x20];
	script.extend_from_slice(&i.to_le_bytes());
	script.resize(34, 0xa7);
	script
}

/// A segwit transaction of about `size` bytes: [`MAX_CREDITED_OUTPUTS`] outputs paying
/// [`paid_script`]s, and as many inputs as fit, each showing four candidate spent scripts
/// (a 33-byte push in its script: P2PKH and P2SH; a 33-byte last witness item of two: P2WPKH
/// and P2WSH), the most owner lookups per byte.
fn payout_transaction(size: u32) -> Vec<u8> {
	const INPUT: u32 = 75 + 37;
	let fixed = 4 + 2 + 3 + 3 + MAX_CREDITED_OUTPUTS * 43 + 4;
	let inputs = (size.saturating_sub(fixed) / INPUT).max(1);
	let mut tx = vec![2, 0, 0, 0, 0, 1];
	push_length(&mut tx, inputs as usize);
	for i in 0..inputs {
		let mut prevout = [0x3cu8; 32];
		prevout[..4].copy_from_slice(&i.to_le_bytes());
		tx.extend_from_slice(&prevout);
		tx.extend_from_slice(&0u32.to_le_bytes());
		tx.push(34);
		tx.push(33);
		tx.extend_from_slice(&key(i, 0x03));
		tx.extend_from_slice(&u32::MAX.to_le_bytes());
	}
	push_length(&mut tx, MAX_CREDITED_OUTPUTS as usize);
	for i in 0..MAX_CREDITED_OUTPUTS {
		tx.extend_from_slice(&(100_000u64 + u64::from(i)).to_le_bytes());
		tx.push(34);
		tx.extend_from_slice(&paid_script(i));
	}
	for i in 0..inputs {
		tx.extend_from_slice(&[2, 1, 0x30, 33]);
		tx.extend_from_slice(&key(i, 0x02));
	}
	tx.extend_from_slice(&0u32.to_le_bytes());
	tx
}

/// A 33-byte key of its own per input.
fn key(i: u32, prefix: u8) -> [u8; 33] {
	let mut key = [prefix; 33];
	key[1..5].copy_from_slice(&i.to_le_bytes());
	key
}

/// A segwit coinbase committing to `witness_root` (BIP 141, a zero reserved value).
fn coinbase(witness_root: H256) -> Vec<u8> {
	let mut both = [0u8; 64];
	both[..32].copy_from_slice(witness_root.as_bytes());
	let commitment = double_sha256(&both);
	let mut tx = vec![2, 0, 0, 0, 0, 1, 1];
	tx.extend_from_slice(&[0u8; 32]);
	tx.extend_from_slice(&u32::MAX.to_le_bytes());
	tx.extend_from_slice(&[4, 3, 0x40, 0x0d, 0x03]);
	tx.extend_from_slice(&u32::MAX.to_le_bytes());
	tx.push(2);
	tx.extend_from_slice(&312_500_000u64.to_le_bytes());
	tx.push(22);
	tx.extend_from_slice(&[0x00, 0x14]);
	tx.extend_from_slice(&[0x5au8; 20]);
	tx.extend_from_slice(&0u64.to_le_bytes());
	tx.push(38);
	tx.extend_from_slice(&WITNESS_COMMITMENT_PREFIX);
	tx.extend_from_slice(commitment.as_bytes());
	tx.extend_from_slice(&[1, 32]);
	tx.extend_from_slice(&[0u8; 32]);
	tx.extend_from_slice(&0u32.to_le_bytes());
	tx
}

/// A block of [`LEAVES`] transactions, a coinbase first and `raw` second: a `merkleblock`
/// matching every leaf (its header zeroed, to be filled in once the block is mined), the
/// witness proof of `raw`, and the block's Merkle root.
fn full_proof(raw: &[u8]) -> Result<(Vec<u8>, WitnessProof, H256), BenchmarkError> {
	let tx = Transaction::parse(raw).map_err(|_| BenchmarkError::Stop("tx"))?;
	let filler = |i: u32| H256::repeat_byte(i as u8);
	let wtxids: Vec<H256> = (0..LEAVES)
		.map(|i| match i {
			0 => H256::zero(),
			1 => tx.wtxid(),
			_ => filler(i),
		})
		.collect();
	let witness_branch = merkle_branch(&wtxids, 1);
	let witness_root = branch_root(tx.wtxid(), &witness_branch, 1)
		.map_err(|_| BenchmarkError::Stop("witness root"))?;
	let coinbase = coinbase(witness_root);
	let coinbase_txid =
		Transaction::parse(&coinbase).map_err(|_| BenchmarkError::Stop("coinbase"))?.txid;
	let txids: Vec<H256> = (0..LEAVES)
		.map(|i| match i {
			0 => coinbase_txid,
			1 => tx.txid,
			_ => filler(i),
		})
		.collect();
	let (body, root) = full_merkle_block(&txids);
	let mut proof = vec![0u8; 80];
	proof.extend_from_slice(&body);
	let witness = WitnessProof {
		coinbase: BoundedVec::try_from(coinbase).map_err(|_| BenchmarkError::Stop("coinbase"))?,
		coinbase_branch: BoundedVec::try_from(merkle_branch(&txids, 0))
			.map_err(|_| BenchmarkError::Stop("branch"))?,
		witness_branch: BoundedVec::try_from(witness_branch)
			.map_err(|_| BenchmarkError::Stop("branch"))?,
	};
	Ok((proof, witness, root))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// The largest transaction for its size `l`, every credited output paying an owned
	/// script (two facilities of eight scripts each), the largest proof.
	#[benchmark]
	fn prove_payout(
		l: Linear<400, { T::MaxTransactionSize::get() }>,
	) -> Result<(), BenchmarkError> {
		let raw = payout_transaction(l);
		let (mut proof, witness, root) = full_proof(&raw)?;
		let (header, block) = T::Chain::benchmark_block(root, T::MinConfirmations::get().max(1));
		proof[..80].copy_from_slice(&header);
		let paid_in =
			T::Oracle::period_at(u64::from(block.time)).ok_or(BenchmarkError::Stop("no period"))?;
		// Every output pays a facility of its own: the most sums written.
		for i in 0..MAX_CREDITED_OUTPUTS {
			let facility = FacilityId(i);
			T::Scripts::benchmark_own_script(facility, &paid_script(i));
			// Lag 0: the block is in the first period.
			Settings::<T>::insert(
				facility,
				BoundedVec::truncate_from(vec![SettingsFrom {
					from: PeriodIndex(0),
					settings: PayoutSettings { lag: 0, proven_mode: true, shift: 0 },
				}]),
			);
		}
		let outputs: BoundedVec<u32, ConstU32<MAX_CREDITED_OUTPUTS>> =
			BoundedVec::truncate_from((0..MAX_CREDITED_OUTPUTS).collect());
		let transaction = BoundedVec::try_from(raw).map_err(|_| BenchmarkError::Stop("size"))?;
		let proof = PayoutProof::TxOutProof(
			BoundedVec::try_from(proof).map_err(|_| BenchmarkError::Stop("proof"))?,
		);
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), block.hash, transaction, proof, Some(witness), outputs);
		assert!(ProvenSats::<T>::get(FacilityId(0), paid_in).is_some_and(|sum| sum.sats.0 > 0));
		Ok(())
	}

	#[benchmark]
	fn request_payout_settings() -> Result<(), BenchmarkError> {
		// Every chain benchmarks on the development preset, which registers facility 0.
		let facility = FacilityId(0);
		let operator =
			T::Facilities::operator(facility).ok_or(BenchmarkError::Stop("facility 0"))?;
		// The longest lag the periods and windows allow.
		let settings = (0..=T::MaxLag::get())
			.rev()
			.map(|lag| PayoutSettings { lag, proven_mode: true, shift: 0 })
			.find(|settings| Pallet::<T>::check_settings(settings).is_ok())
			.ok_or(BenchmarkError::Stop("no lag fits"))?;
		#[extrinsic_call]
		_(RawOrigin::Signed(operator), facility, settings);
		assert_eq!(SettingsRequests::<T>::get(facility), Some(settings));
		Ok(())
	}

	/// A history one short of full (the check whether a full one's oldest entry may go reads
	/// the oracle's schedules and timings: the call's weight adds those two reads).
	#[benchmark]
	fn approve_payout_settings() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let facility = FacilityId(0);
		let settings = PayoutSettings { lag: 0, proven_mode: true, shift: 0 };
		Settings::<T>::insert(
			facility,
			BoundedVec::truncate_from(
				(0..MAX_SETTINGS_HISTORY - 1)
					.map(|i| SettingsFrom { from: PeriodIndex(i), settings })
					.collect::<Vec<_>>(),
			),
		);
		SettingsRequests::<T>::insert(facility, settings);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, facility);
		assert!(SettingsRequests::<T>::get(facility).is_none());
		Ok(())
	}

	#[benchmark]
	fn reject_payout_settings() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let facility = FacilityId(0);
		SettingsRequests::<T>::insert(
			facility,
			PayoutSettings { lag: 1, proven_mode: true, shift: 0 },
		);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, facility);
		assert!(SettingsRequests::<T>::get(facility).is_none());
		Ok(())
	}

	/// One credit pruned by `on_idle`.
	#[benchmark]
	fn prune_credit() {
		let output = (H256::repeat_byte(9), 0u32);
		let credit =
			Credit { facility: FacilityId(0), period: PeriodIndex(0), sats: Sats(1), height: 0 };
		// A relay tip to prune against.
		T::Chain::benchmark_block(H256::zero(), 1);
		Credits::<T>::insert(output, credit);
		CreditQueue::<T>::insert(DueAt(0), &output);
		ProvenSats::<T>::insert(
			credit.facility,
			credit.period,
			ProvenSum { sats: Sats(1), pruned: Sats(0) },
		);
		#[block]
		{
			Pallet::<T>::prune_credits(Weight::MAX);
		}
		assert!(Credits::<T>::get(output).is_none());
		assert_eq!(
			ProvenSats::<T>::get(credit.facility, credit.period).map(|sum| sum.pruned),
			Some(Sats(1))
		);
	}

	/// One proven sum pruned by `on_idle`.
	#[benchmark]
	fn prune_proven() {
		let key = (FacilityId(0), PeriodIndex(0));
		ProvenSats::<T>::insert(key.0, key.1, ProvenSum { sats: Sats(1), pruned: Sats(0) });
		ProvenQueue::<T>::insert(DueAt(0), &key);
		#[block]
		{
			Pallet::<T>::prune_proven(Weight::MAX);
		}
		assert!(ProvenSats::<T>::get(key.0, key.1).is_none());
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
