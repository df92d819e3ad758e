//! The pallet's logic: checking a proof, attributing and crediting it, pruning.

use crate::*;
use alloc::vec::Vec;
use frame_support::{
	ensure,
	traits::{Get, UnixTime},
	weights::Weight,
};
use hashrate_primitives::{
	bitcoin::transaction::{
		branch_root, double_sha256, spent_script_candidates, tree_depth, BranchError, MerkleBlock,
		ProofError, Transaction, WitnessCommitment,
	},
	due::{drain, entry_weight, DueAt, DueQueue, Processed},
	ProvenPayouts,
};
use sp_runtime::DispatchError;

/// [`CreditExpiry`] as a due queue, keyed by relay height.
pub(crate) struct CreditQueue<T>(core::marker::PhantomData<T>);

impl<T: Config> DueQueue for CreditQueue<T> {
	type Item = (H256, u32);
	type Iter = frame_support::storage::KeyPrefixIterator<(DueAt, (H256, u32))>;

	fn iter() -> Self::Iter {
		CreditExpiry::<T>::iter_keys()
	}

	fn insert(at: DueAt, output: &(H256, u32)) {
		CreditExpiry::<T>::insert(at, output, ());
	}

	fn remove(at: DueAt, output: &(H256, u32)) {
		CreditExpiry::<T>::remove(at, output);
	}
}

/// [`ProvenExpiry`] as a due queue, keyed by period.
pub(crate) struct ProvenQueue<T>(core::marker::PhantomData<T>);

impl<T: Config> DueQueue for ProvenQueue<T> {
	type Item = (FacilityId, PeriodIndex);
	type Iter = frame_support::storage::KeyPrefixIterator<(DueAt, (FacilityId, PeriodIndex))>;

	fn iter() -> Self::Iter {
		ProvenExpiry::<T>::iter_keys()
	}

	fn insert(at: DueAt, key: &(FacilityId, PeriodIndex)) {
		ProvenExpiry::<T>::insert(at, key, ());
	}

	fn remove(at: DueAt, key: &(FacilityId, PeriodIndex)) {
		ProvenExpiry::<T>::remove(at, key);
	}
}

impl<T: Config> Pallet<T> {
	/// The settings in force for `period`.
	pub fn settings_for(facility: FacilityId, period: PeriodIndex) -> PayoutSettings {
		Settings::<T>::get(facility)
			.iter()
			.rev()
			.find(|entry| entry.from <= period)
			.map(|entry| entry.settings)
			.unwrap_or_default()
	}

	/// Whether `settings` can apply under the periods and windows in force now: the shift is
	/// less than the shortest period the oracle has or has scheduled (`ShiftTooLong`), and a
	/// payout with the lag and shift can still be proven before its period's report window
	/// closes (`LagTooLong`): the lagged period's deadline is at least a margin after the last
	/// moment a payout attributed to it can be made (the end of the period it is paid in, less
	/// the shift). The margin is the time of twice the required confirmations at Bitcoin's ten
	/// minutes a block, at most one period (a development chain's periods are seconds long).
	pub(crate) fn check_settings(settings: &PayoutSettings) -> Result<(), Error<T>> {
		ensure!(settings.lag <= T::MaxLag::get(), Error::<T>::LagTooLong);
		let shift = u64::from(settings.shift);
		ensure!(shift < T::Oracle::shortest_period_length(), Error::<T>::ShiftTooLong);
		let earned = T::Oracle::current_period();
		let paid_in = PeriodIndex(earned.0.saturating_add(settings.lag));
		match (T::Oracle::proof_deadline(earned), T::Oracle::period_bounds(paid_in)) {
			(Some(deadline), Some((paid_start, paid_end))) => {
				let margin = u64::from(T::MinConfirmations::get())
					.saturating_mul(2 * 600)
					.min(paid_end.saturating_sub(paid_start));
				let last_payout = paid_end.saturating_sub(shift);
				ensure!(deadline >= last_payout.saturating_add(margin), Error::<T>::LagTooLong);
				Ok(())
			},
			_ => Err(Error::<T>::NoPeriod),
		}
	}

	/// Whether a full history's oldest entry is needed no more: the oldest entry attributes
	/// payouts of blocks before the second entry's first period `f`, to periods up to `f`
	/// (lag 0, a shift pushing a block's time into the next period), so every period up to
	/// `f` is final (its end plus the oracle's finality horizon has passed).
	pub(crate) fn oldest_settings_unneeded(history: &[SettingsFrom]) -> bool {
		let Some(second) = history.get(1) else { return true };
		T::Oracle::period_bounds(second.from).is_some_and(|(_, end)| {
			end.saturating_add(T::Oracle::finality_horizon()) <= T::Time::now().as_secs()
		})
	}

	/// The period a (non-coinbase) payout in a block of unix time `time` is attributed to:
	/// `period_at(time + shift) - lag`, with the settings in force in the block's own period;
	/// the shift moves a payout at most into the next period (should governance shorten the
	/// periods below an approved shift).
	pub(crate) fn attributed_period(facility: FacilityId, time: u64) -> Option<PeriodIndex> {
		let own = T::Oracle::period_at(time)?;
		let settings = Self::settings_for(facility, own);
		let shifted = T::Oracle::period_at(time.checked_add(u64::from(settings.shift))?)?
			.min(PeriodIndex(own.0.saturating_add(1)));
		shifted.0.checked_sub(settings.lag).map(PeriodIndex)
	}

	/// Reads an input may cost: its spent output's credit, and the owner of each script it
	/// may show (at most four: a key or redeem script in its script, a key or witness script
	/// in its witness).
	pub(crate) const READS_PER_INPUT: u32 = 5;

	/// The most input reads a transaction of `len` bytes can cost (an input takes at least
	/// 41 bytes), with whether each paid facility owns a witness script.
	pub fn most_input_reads(len: u32) -> u32 {
		(len / 41).saturating_mul(Self::READS_PER_INPUT).saturating_add(MAX_CREDITED_OUTPUTS)
	}

	/// The weight of a proof: the benchmark over the bytes hashed — the transaction's and
	/// the witness proof's (its coinbase is parsed and hashed as a transaction is, its branch
	/// nodes are 64 bytes each) — and `input_reads` more reads.
	pub fn prove_weight(len: u32, witness: Option<&WitnessProof>, input_reads: u32) -> Weight {
		let hashed = len.saturating_add(witness.map_or(0, WitnessProof::hashed_len));
		T::WeightInfo::prove_payout(hashed)
			.saturating_add(T::DbWeight::get().reads(u64::from(input_reads)))
	}

	/// Checks a witness proof: the coinbase is transaction 0 of the block and commits to a
	/// witness root that `tx`'s witness id at `index` leads to, both branches `depth` deep.
	fn check_witness(
		tx: &Transaction,
		index: u32,
		depth: u32,
		merkle_root: H256,
		proof: &WitnessProof,
	) -> Result<(), Error<T>> {
		let coinbase =
			Transaction::parse(&proof.coinbase).map_err(|_| Error::<T>::MalformedWitnessProof)?;
		ensure!(coinbase.is_coinbase(), Error::<T>::MalformedWitnessProof);
		ensure!(
			proof.coinbase_branch.len() == depth as usize
				&& proof.witness_branch.len() == depth as usize,
			Error::<T>::MalformedWitnessProof
		);
		let commitment = WitnessCommitment::of(&coinbase).ok_or(Error::<T>::NoWitnessCommitment)?;
		let root = branch_root(coinbase.txid, &proof.coinbase_branch, 0)
			.map_err(|_| Error::<T>::MalformedWitnessProof)?;
		ensure!(root == merkle_root, Error::<T>::CoinbaseNotInBlock);
		let witness_root =
			branch_root(tx.wtxid(), &proof.witness_branch, index).map_err(|error| match error {
				BranchError::BadIndex => Error::<T>::MalformedWitnessProof,
				BranchError::DuplicateSibling => Error::<T>::DuplicatedSibling,
			})?;
		ensure!(commitment.commits(&witness_root), Error::<T>::WitnessMismatch);
		Ok(())
	}

	/// See [`Pallet::prove_payout`]; returns the sats credited and the input reads made.
	pub(crate) fn do_prove_payout(
		block_hash: H256,
		raw: &[u8],
		proof: &PayoutProof,
		witness: Option<&WitnessProof>,
		outputs: &[u32],
	) -> Result<(u64, u32), DispatchError> {
		let block =
			T::Chain::main_chain_block(&block_hash).ok_or(Error::<T>::BlockNotInMainChain)?;
		let tx = Transaction::parse(raw).map_err(|_| Error::<T>::MalformedTransaction)?;
		ensure!(tx.stripped_size != 64, Error::<T>::SixtyFourByteTransaction);
		// The transaction's index in the block and the depth of the block's tree.
		let (index, depth) = match proof {
			PayoutProof::TxOutProof(bytes) => {
				let merkle = MerkleBlock::parse(bytes).map_err(|error| match error {
					ProofError::DuplicateSibling => Error::<T>::DuplicatedSibling,
					ProofError::RootMismatch => Error::<T>::MerkleRootMismatch,
					_ => Error::<T>::MalformedProof,
				})?;
				ensure!(
					double_sha256(&merkle.header) == block_hash,
					Error::<T>::ProofOfAnotherBlock
				);
				let (_, index) = merkle
					.matches
					.iter()
					.find(|(txid, _)| *txid == tx.txid)
					.ok_or(Error::<T>::TransactionNotProven)?;
				(*index, tree_depth(merkle.total))
			},
			PayoutProof::Branch { branch, index } => {
				let root = branch_root(tx.txid, branch, *index).map_err(|error| match error {
					BranchError::BadIndex => Error::<T>::MalformedProof,
					BranchError::DuplicateSibling => Error::<T>::DuplicatedSibling,
				})?;
				ensure!(root == block.merkle_root, Error::<T>::MerkleRootMismatch);
				(*index, branch.len() as u32)
			},
		};
		ensure!(block.confirmations >= T::MinConfirmations::get(), Error::<T>::TooFewConfirmations);
		ensure!(block.confirmations < T::CreditRetention::get(), Error::<T>::BlockTooOld);
		ensure!(!outputs.is_empty(), Error::<T>::NoOutputs);
		let time = u64::from(block.time);
		let now = T::Time::now().as_secs();
		let coinbase = tx.is_coinbase();
		// The outputs first: whom each pays, for which period.
		let mut credits: Vec<(u32, Credit)> = Vec::with_capacity(outputs.len());
		let mut paid: Vec<FacilityId> = Vec::new();
		let mut total = 0u64;
		for (i, &vout) in outputs.iter().enumerate() {
			ensure!(!outputs[..i].contains(&vout), Error::<T>::NoOutputs);
			let output = tx.outputs.get(vout as usize).ok_or(Error::<T>::NoSuchOutput)?;
			ensure!(output.value >= T::MinCreditSats::get(), Error::<T>::DustOutput);
			ensure!(!Credits::<T>::contains_key((tx.txid, vout)), Error::<T>::AlreadyCredited);
			let owner = T::Scripts::owner(output.script_pubkey)
				.filter(|owner| owner.covers(time))
				.ok_or(Error::<T>::NotAPayoutScript)?;
			let facility = owner.facility;
			// A coinbase pays for its own block: no lag.
			let period = if coinbase {
				T::Oracle::period_at(time)
			} else {
				Self::attributed_period(facility, time)
			}
			.ok_or(Error::<T>::NoPeriod)?;
			let deadline = T::Oracle::proof_deadline(period).ok_or(Error::<T>::NoPeriod)?;
			ensure!(now < deadline, Error::<T>::ProofWindowClosed);
			total = total.checked_add(output.value).ok_or(Error::<T>::Overflow)?;
			if !paid.contains(&facility) {
				paid.push(facility);
			}
			credits.push((
				vout,
				Credit { facility, period, sats: Sats(output.value), height: block.height },
			));
		}
		// Then the inputs: is a paid facility moving its own coins? (A coinbase spends
		// nothing.) Scripts an input shows only in its witness count once the witness is
		// proven.
		let mut reads = 0u32;
		if !coinbase {
			if let Some(witness) = witness {
				Self::check_witness(&tx, index, depth, block.merkle_root, witness)?;
			} else if tx.spends_by_witness_only()
				&& paid.iter().any(|facility| T::Scripts::owns_witness_script(*facility))
			{
				return Err(Error::<T>::WitnessProofNeeded.into());
			}
			reads = reads.saturating_add(paid.len() as u32);
			for input in &tx.inputs {
				reads = reads.saturating_add(1);
				// Credited coins moved on are never new income, whoever receives them.
				ensure!(
					!Credits::<T>::contains_key((input.prevout.txid, input.prevout.vout)),
					Error::<T>::SelfTransfer
				);
				for script in spent_script_candidates(input) {
					reads = reads.saturating_add(1);
					if let Some(owner) = T::Scripts::owner(&script) {
						ensure!(!paid.contains(&owner.facility), Error::<T>::SelfTransfer);
					}
				}
			}
		}
		// Sums first (the only step that can fail), then the writes.
		let mut sums: Vec<((FacilityId, PeriodIndex), ProvenSum, bool)> = Vec::new();
		for (_, credit) in &credits {
			let key = (credit.facility, credit.period);
			let entry = match sums.iter_mut().find(|(k, ..)| *k == key) {
				Some(entry) => entry,
				None => {
					let stored = ProvenSats::<T>::get(key.0, key.1);
					sums.push((key, stored.unwrap_or_default(), stored.is_none()));
					sums.last_mut().ok_or(Error::<T>::Overflow)?
				},
			};
			entry.1.sats = entry.1.sats.checked_add(credit.sats).ok_or(Error::<T>::Overflow)?;
		}
		for ((facility, period), sum, new) in sums {
			if new {
				let prune_at = period.0.saturating_add(T::ProvenHistory::get());
				ProvenExpiry::<T>::insert(DueAt(u64::from(prune_at)), (facility, period), ());
			}
			ProvenSats::<T>::insert(facility, period, sum);
		}
		for (vout, credit) in credits {
			Credits::<T>::insert((tx.txid, vout), credit);
			let expiry = block.height.saturating_add(T::CreditRetention::get());
			CreditExpiry::<T>::insert(DueAt(u64::from(expiry)), (tx.txid, vout), ());
			Self::deposit_event(Event::PayoutProven {
				facility: credit.facility,
				period: credit.period,
				txid: tx.txid,
				vout,
				sats: credit.sats,
				height: credit.height,
			});
		}
		Ok((total, reads))
	}

	/// Prunes credits whose block is too deep to be proven again (by relay height); their
	/// sats stay in their period's sum, recorded as pruned.
	pub(crate) fn prune_credits(remaining: Weight) -> (Weight, u32) {
		let db = T::DbWeight::get();
		if !remaining.all_gte(db.reads(1)) {
			return (Weight::zero(), 0);
		}
		let Some(tip) = T::Chain::tip() else { return (db.reads(1), 0) };
		let (used, count) = drain::<CreditQueue<T>>(
			u64::from(tip.height),
			remaining.saturating_sub(db.reads(1)),
			entry_weight(db.reads(1), db.writes(1)),
			|_| T::WeightInfo::prune_credit(),
			|output| {
				if let Some(credit) = Credits::<T>::take(output) {
					ProvenSats::<T>::mutate(credit.facility, credit.period, |sum| {
						if let Some(sum) = sum {
							sum.pruned = sum.pruned.saturating_add(credit.sats);
						}
					});
				}
				(Processed::Done, T::WeightInfo::prune_credit())
			},
		);
		(used.saturating_add(db.reads(1)), count)
	}

	/// Prunes proven sums older than their history (by period).
	pub(crate) fn prune_proven(remaining: Weight) -> (Weight, u32) {
		let db = T::DbWeight::get();
		if !remaining.all_gte(db.reads(1)) {
			return (Weight::zero(), 0);
		}
		let current = T::Oracle::current_period();
		let (used, count) = drain::<ProvenQueue<T>>(
			u64::from(current.0),
			remaining.saturating_sub(db.reads(1)),
			entry_weight(db.reads(1), db.writes(1)),
			|_| T::WeightInfo::prune_proven(),
			|(facility, period)| {
				ProvenSats::<T>::remove(facility, period);
				(Processed::Done, T::WeightInfo::prune_proven())
			},
		);
		(used.saturating_add(db.reads(1)), count)
	}

	/// Invariants, checked after every test and by try-runtime:
	/// - **Every credit is counted once, and every count is credits.** For each facility and
	///   period, the proven sum equals the sats of its credits still kept plus those of its
	///   credits pruned (recorded in the sum); a credit's period has a sum unless that sum's
	///   history is past.
	/// - **Every credit and every sum is queued for pruning**, at its block height plus the
	///   retention and its period plus the history; every queue entry names a stored item.
	/// - **Settings are ordered and bounded**: strictly increasing first periods, every lag
	///   at most `MaxLag`.
	#[cfg(any(feature = "try-runtime", feature = "std", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		let mut kept: BTreeMap<(FacilityId, PeriodIndex), u64> = BTreeMap::new();
		for ((txid, vout), credit) in Credits::<T>::iter() {
			let sum = kept.entry((credit.facility, credit.period)).or_default();
			*sum = sum.saturating_add(credit.sats.0);
			let expiry = DueAt(u64::from(credit.height.saturating_add(T::CreditRetention::get())));
			ensure!(
				CreditExpiry::<T>::contains_key(expiry, (txid, vout)),
				"a credit is not queued for pruning"
			);
		}
		for (_, output) in CreditExpiry::<T>::iter_keys() {
			ensure!(Credits::<T>::contains_key(output), "a pruning entry without its credit");
		}
		for (facility, period, sum) in ProvenSats::<T>::iter() {
			ensure!(sum.sats.0 > 0, "an empty proven sum is stored");
			let credited = kept.remove(&(facility, period)).unwrap_or(0);
			ensure!(
				sum.sats.0 == credited.saturating_add(sum.pruned.0),
				"a proven sum differs from its credits kept and pruned"
			);
			let expiry = DueAt(u64::from(period.0.saturating_add(T::ProvenHistory::get())));
			ensure!(
				ProvenExpiry::<T>::contains_key(expiry, (facility, period)),
				"a proven sum is not queued for pruning"
			);
		}
		let current = T::Oracle::current_period().0;
		for ((_, period), _) in kept {
			ensure!(
				period.0.saturating_add(T::ProvenHistory::get()) <= current,
				"credits of a period without a proven sum"
			);
		}
		for (_, (facility, period)) in ProvenExpiry::<T>::iter_keys() {
			ensure!(
				ProvenSats::<T>::contains_key(facility, period),
				"a pruning entry without its proven sum"
			);
		}
		for (_, history) in Settings::<T>::iter() {
			for (i, entry) in history.iter().enumerate() {
				ensure!(entry.settings.lag <= T::MaxLag::get(), "a lag above MaxLag");
				if let Some(before) = i.checked_sub(1).and_then(|b| history.get(b)) {
					ensure!(before.from < entry.from, "settings out of order");
				}
			}
		}
		Ok(())
	}
}

impl<T: Config> ProvenPayouts for Pallet<T> {
	fn proven(facility: FacilityId, period: PeriodIndex) -> Sats {
		ProvenSats::<T>::get(facility, period).map_or(Sats(0), |sum| sum.sats)
	}

	fn settings(facility: FacilityId, period: PeriodIndex) -> PayoutSettings {
		Self::settings_for(facility, period)
	}

	fn read_weight() -> Weight {
		T::DbWeight::get().reads(1)
	}

	/// Counted as pruned, so the sum stays the credits kept plus the pruned ones.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_prove(facility: FacilityId, period: PeriodIndex, sats: Sats) {
		ProvenSats::<T>::mutate(facility, period, |sum| {
			let sum = sum.get_or_insert_with(Default::default);
			sum.sats = Sats(sum.sats.get().saturating_add(sats.get()));
			sum.pruned = Sats(sum.pruned.get().saturating_add(sats.get()));
		});
	}
}
