//! # Payout proofs
//!
//! A facility's bitcoin arrives in Bitcoin transactions: a pool's payout, or a coinbase for
//! solo mining and coinbase-paying pools. This pallet lets anyone prove such a payout against
//! the header relay's main chain, and credits the facility whose governance-approved payout
//! script it pays (`pallet-facilities`), attributed to a period. The oracle reads the proven
//! sats ([`ProvenPayouts`]): in proven mode a period's final sats are at least what Bitcoin
//! shows the facility received; in attested mode proofs are evidence against an attested
//! output that is too low.
//!
//! ## Proving a payout
//!
//! [`Pallet::prove_payout`] takes the block's hash, the raw transaction (with or without
//! witness; its id is the double SHA-256 of the serialization without witness), a Merkle
//! proof — Bitcoin Core's `gettxoutproof` bytes, or a branch and index — a witness proof when
//! one is needed, and the indices of the outputs to credit. It checks, in this order, each
//! with its own error:
//! 1. the block is on the relay's main chain and still kept (`BlockNotInMainChain`);
//! 2. the transaction parses (`MalformedTransaction`) and is not 64 bytes without witness
//!    (`SixtyFourByteTransaction`: it could pass for an inner Merkle node);
//! 3. the proof parses and proves the transaction in that block (`MalformedProof`,
//!    `ProofOfAnotherBlock`, `TransactionNotProven`, `MerkleRootMismatch`), with no
//!    duplicated sibling (`DuplicatedSibling`, CVE-2012-2459);
//! 4. the block has at least [`Config::MinConfirmations`] — more than the deepest
//!    reorganisation the relay follows, so no credit is ever reversed — and fewer than
//!    [`Config::CreditRetention`] (`TooFewConfirmations`, `BlockTooOld`);
//! 5. every listed output exists (`NoSuchOutput`), pays at least [`Config::MinCreditSats`]
//!    (`DustOutput`) and was never credited (`AlreadyCredited`: an output counts once, ever;
//!    its credit is kept until the block is too old to be proven);
//! 6. it pays a script some facility owned at the block's time (`NotAPayoutScript`), and its
//!    period's proofs are still open (`ProofWindowClosed`, see below);
//! 7. the witness is proven where it matters (below), and the transaction is not a facility
//!    moving its own coins (`SelfTransfer`): no input spends an output credited before (to
//!    any facility: credited coins moved on are never new income, whoever receives them), nor
//!    shows a script a facility it pays owns or retains. Inputs show the scripts they spend
//!    through their keys and scripts (P2PKH, P2SH, nested and native P2WPKH and P2WSH); a
//!    taproot spend shows none, so only the first rule catches a self-transfer out of a P2TR
//!    script (its coins must have been credited).
//!
//! **The witness is proven when it matters.** A txid does not commit to the witness, and a
//! native segwit input (an empty script) shows the P2WPKH key or P2WSH script it spends only
//! in its witness: stripped or replaced, a facility's change would pass for a payout. So when
//! an input spends by witness only and a facility the proof pays owns (or retains) a P2WPKH
//! or P2WSH script, the proof must carry the block's witness commitment ([`WitnessProof`],
//! BIP 141): the coinbase with its Merkle branch, and the transaction's branch in the tree of
//! witness ids, at the same index and depth as its txid's (`WitnessProofNeeded`,
//! `MalformedWitnessProof`, `NoWitnessCommitment`, `CoinbaseNotInBlock`, `WitnessMismatch`;
//! `DuplicatedSibling` for a right node equal to its sibling in the witness branch too).
//! A witness proof, when given, is always checked (but for a coinbase, which spends
//! nothing). A facility without such scripts cannot be shown spending by a witness anyway
//! (P2PKH and P2SH spends, nested segwit included, show their script; taproot shows none), so
//! its payouts need no witness proof.
//!
//! A proof that credits at least [`Config::FreeProofSats`] in all pays no fee (the fee is
//! refunded); any other pays it, so dust cannot buy free transactions.
//!
//! Still trusted: a block's transactions are proven by their Merkle path; a transaction of
//! exactly 64 bytes is refused, so an inner node cannot pass for a transaction, but the
//! converse forgery (a made-up leaf below a real 64-byte transaction, which needs a miner to
//! mine a non-standard 64-byte transaction and a large search) stays open until Bitcoin
//! forbids 64-byte transactions (BIP-54).
//!
//! ## Attribution
//!
//! A payout in a block of time `t` (the time its miner stated, as the relay keeps it) is
//! attributed to period `period_at(t + shift) - lag`, with the facility's settings in force
//! in the block's own period `period_at(t)`: a pool pays day d's earnings during day d + 1
//! (lag 1, the default). The **shift** (the payout hour, seconds, less than a period; 0 by
//! default) moves the boundary away from the pool's payout time: a block's time may trail or
//! lead real time by an hour or two, so a pool paying just after midnight would see some
//! payouts land in the day before with no shift; with a shift of half a day its payouts fall
//! mid-period, hours from any boundary. The lag is the facility's setting, at most
//! [`Config::MaxLag`] periods and only as long as a payout of the lagged period can still be
//! proven before that period's report window closes: the last payout attributed to period
//! `p` is made just before `end(p + lag) - shift`, and it needs twice its confirmations'
//! time before the deadline (with daily periods and a two-day window: lag 0 or 1, or 2 with
//! a shift of at least that margin, so pools paying weekly do not fit). A coinbase paid to
//! the facility's own script (solo mining) has lag 0 and no shift. The attribution is a
//! rule, not a measurement: a payout schedule that does not follow it moves sats between
//! periods, which is why the oracle's physics bound applies to a running sum in proven mode.
//!
//! Proofs for a period are accepted until its report window closes
//! ([`PowOracle::proof_deadline`]): the oracle decides the period's output then, and nothing
//! credited later could change it. A credited payout is never reversed: the confirmations
//! required make a reorganisation past it as unlikely as Bitcoin's own finality.
//!
//! ## Settings
//!
//! The operator [requests](Pallet::request_payout_settings) a lag, a shift and whether the
//! facility is in proven mode; governance [approves](Pallet::approve_payout_settings) or
//! [rejects](Pallet::reject_payout_settings) it, like a site change. Approved settings apply
//! from the next period on; the last [`MAX_SETTINGS_HISTORY`] approvals are kept, and an
//! approval that would drop settings a period not yet final still needs is refused
//! (`TooManySettingsChanges`), so the settings of every open period are known. A lag or shift
//! change attributes some payouts of one period twice or none: the oracle's running sum in
//! proven mode absorbs it, and governance approves each change.
//!
//! ## Storage stays bounded
//!
//! A credit is kept until its block is [`Config::CreditRetention`] heights deep (no proof of
//! a block that deep is accepted); a period's proven sum for [`Config::ProvenHistory`]
//! periods (it records the sats of its credits pruned since). `on_idle` prunes both, oldest
//! first.

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod functions;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

pub use pallet::*;
pub use weights::WeightInfo;

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use hashrate_primitives::{
	bitcoin::transaction::MAX_BRANCH_DEPTH, BitcoinChain, FacilityId, PayoutScriptsInspect,
	PayoutSettings, PeriodIndex, PowOracle, Sats,
};
use polkadot_sdk::{
	frame_support::{self, pallet_prelude::ConstU32, BoundedVec},
	frame_system,
	sp_core::H256,
	sp_runtime,
};
use scale_info::TypeInfo;

/// Longest `gettxoutproof` accepted: a block header, a count and the partial tree. A proof
/// of one transaction in the largest block takes about 600 bytes.
pub const MAX_PROOF_SIZE: u32 = 4_096;
/// Most outputs one proof credits.
pub const MAX_CREDITED_OUTPUTS: u32 = 16;
/// Longest coinbase a witness proof carries (with its witness). Pools' coinbases take a few
/// hundred bytes; one paying many miners directly, a few kilobytes.
pub const MAX_COINBASE_SIZE: u32 = 32_768;
/// Settings approvals kept per facility.
pub const MAX_SETTINGS_HISTORY: u32 = 4;

/// How a transaction is shown to be in its block.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub enum PayoutProof {
	/// Bitcoin Core's `gettxoutproof` output (a `merkleblock`: header and partial tree).
	TxOutProof(BoundedVec<u8, ConstU32<MAX_PROOF_SIZE>>),
	/// The Merkle branch from the transaction up (siblings, leaf level first) and its index
	/// in the block.
	Branch {
		/// Sibling hashes, internal byte order.
		branch: BoundedVec<H256, ConstU32<MAX_BRANCH_DEPTH>>,
		/// The transaction's position in the block.
		index: u32,
	},
}

/// A block's commitment to its transactions' witnesses (BIP 141), proving a transaction's
/// witness, which its txid does not commit to.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct WitnessProof {
	/// The block's coinbase transaction, serialized with its witness (the witness reserved
	/// value).
	pub coinbase: BoundedVec<u8, ConstU32<MAX_COINBASE_SIZE>>,
	/// The coinbase's Merkle branch (it is transaction 0), siblings from the leaf up.
	pub coinbase_branch: BoundedVec<H256, ConstU32<MAX_BRANCH_DEPTH>>,
	/// The transaction's branch in the block's tree of witness ids (the coinbase's taken as
	/// zero), at the transaction's index.
	pub witness_branch: BoundedVec<H256, ConstU32<MAX_BRANCH_DEPTH>>,
}

impl WitnessProof {
	/// Bytes its check hashes: the coinbase and both branches' nodes.
	pub fn hashed_len(&self) -> u32 {
		let nodes = self.coinbase_branch.len().saturating_add(self.witness_branch.len());
		(self.coinbase.len().saturating_add(nodes.saturating_mul(64))) as u32
	}
}

/// An output credited to a facility.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	serde::Serialize,
	serde::Deserialize,
)]
pub struct Credit {
	/// The facility paid.
	pub facility: FacilityId,
	/// The period it is attributed to.
	pub period: PeriodIndex,
	/// Sats paid.
	pub sats: Sats,
	/// Height of the block.
	pub height: u32,
}

/// A period's proven sats.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	serde::Serialize,
	serde::Deserialize,
)]
pub struct ProvenSum {
	/// Sats of every credit attributed to the period.
	pub sats: Sats,
	/// Of those, the sats of credits pruned since (their block is too deep to prove again).
	pub pruned: Sats,
}

/// Settings in force from a period on.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	serde::Serialize,
	serde::Deserialize,
)]
pub struct SettingsFrom {
	/// First period they apply to.
	pub from: PeriodIndex,
	/// The settings.
	pub settings: PayoutSettings,
}

/// A facility's settings: those approved (oldest first) and a request waiting.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	serde::Serialize,
	serde::Deserialize,
)]
pub struct SettingsView {
	/// Approved settings, oldest first.
	pub approved: alloc::vec::Vec<SettingsFrom>,
	/// A request waiting for governance.
	pub requested: Option<PayoutSettings>,
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{dispatch::PostDispatchInfo, pallet_prelude::*};
	use frame_system::pallet_prelude::*;
	use hashrate_primitives::{due::DueAt, FacilityInspect};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the pallet.
	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config {
		/// Bitcoin's main chain as relayed.
		type Chain: BitcoinChain;
		/// Who owns which payout script.
		type Scripts: PayoutScriptsInspect;
		/// Facilities' operators (they request settings). The balance type is the deposit's,
		/// unused here.
		type Facilities: FacilityInspect<Self::AccountId, u128>;
		/// Periods: a block time's period and when a period's proofs close.
		type Oracle: PowOracle;
		/// The chain's clock.
		type Time: frame_support::traits::UnixTime;
		/// Approves and rejects settings: sudo today, a council later.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Confirmations a payout's block needs (itself included): more than the deepest
		/// reorganisation the relay follows.
		#[pallet::constant]
		type MinConfirmations: Get<u32>;
		/// Smallest output credited, sats (Bitcoin's dust limit).
		#[pallet::constant]
		type MinCreditSats: Get<u64>;
		/// Sats a proof must credit in all for its fee to be refunded.
		#[pallet::constant]
		type FreeProofSats: Get<u64>;
		/// Longest lag a facility may set, in periods.
		#[pallet::constant]
		type MaxLag: Get<u32>;
		/// Longest transaction accepted, bytes with witness.
		#[pallet::constant]
		type MaxTransactionSize: Get<u32>;
		/// Bitcoin heights a credit is kept after its block; blocks that deep are not accepted,
		/// so a pruned credit cannot be proven again.
		#[pallet::constant]
		type CreditRetention: Get<u32>;
		/// Periods a period's proven sum is kept after it.
		#[pallet::constant]
		type ProvenHistory: Get<u32>;
		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// Credited outputs, by (txid, output index).
	#[pallet::storage]
	pub type Credits<T: Config> = StorageMap<_, Blake2_128Concat, (H256, u32), Credit>;

	/// Credits to prune, by the relay height from which their block may be forgotten.
	#[pallet::storage]
	pub type CreditExpiry<T: Config> =
		StorageDoubleMap<_, Identity, DueAt, Blake2_128Concat, (H256, u32), ()>;

	/// Sats proven paid to a facility, by the period they are attributed to.
	#[pallet::storage]
	pub type ProvenSats<T: Config> =
		StorageDoubleMap<_, Twox64Concat, FacilityId, Twox64Concat, PeriodIndex, ProvenSum>;

	/// Proven sums to prune, by the period from which they go.
	#[pallet::storage]
	pub type ProvenExpiry<T: Config> =
		StorageDoubleMap<_, Identity, DueAt, Twox64Concat, (FacilityId, PeriodIndex), ()>;

	/// Each facility's approved settings, oldest first (none: the default, lag 1, attested
	/// mode).
	#[pallet::storage]
	pub type Settings<T: Config> = StorageMap<
		_,
		Twox64Concat,
		FacilityId,
		BoundedVec<SettingsFrom, ConstU32<MAX_SETTINGS_HISTORY>>,
		ValueQuery,
	>;

	/// Settings requested by operators, waiting for governance.
	#[pallet::storage]
	pub type SettingsRequests<T: Config> = StorageMap<_, Twox64Concat, FacilityId, PayoutSettings>;

	/// Events of this pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An output paying a facility was proven and credited.
		PayoutProven {
			/// The facility paid.
			facility: FacilityId,
			/// The period it is attributed to.
			period: PeriodIndex,
			/// The transaction's id, internal byte order.
			txid: H256,
			/// The output's index.
			vout: u32,
			/// Sats paid.
			sats: Sats,
			/// Height of the block.
			height: u32,
		},
		/// An operator requested settings.
		SettingsRequested {
			/// The facility.
			facility: FacilityId,
			/// The settings.
			settings: PayoutSettings,
		},
		/// Governance approved settings, in force from period `from`.
		SettingsApproved {
			/// The facility.
			facility: FacilityId,
			/// The settings.
			settings: PayoutSettings,
			/// First period they apply to.
			from: PeriodIndex,
		},
		/// Governance rejected a settings request.
		SettingsRejected {
			/// The facility.
			facility: FacilityId,
		},
	}

	/// Errors of this pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The block is not on the relay's main chain, or no longer kept.
		BlockNotInMainChain,
		/// The transaction does not parse.
		MalformedTransaction,
		/// The transaction is 64 bytes without witness: it could pass for a Merkle node.
		SixtyFourByteTransaction,
		/// The proof does not parse, or the branch is deeper than a block's tree or its index
		/// beyond its leaves.
		MalformedProof,
		/// The `gettxoutproof` is of another block than the one named.
		ProofOfAnotherBlock,
		/// The proof does not include the transaction.
		TransactionNotProven,
		/// The proof's root is not the block's Merkle root.
		MerkleRootMismatch,
		/// Two sibling nodes of the proof are equal (a duplicated subtree).
		DuplicatedSibling,
		/// The block has fewer confirmations than `MinConfirmations`.
		TooFewConfirmations,
		/// The block is `CreditRetention` deep or deeper: its credits may be pruned.
		BlockTooOld,
		/// A listed output pays less than `MinCreditSats`.
		DustOutput,
		/// No output was listed, or one twice.
		NoOutputs,
		/// A listed output index is beyond the transaction's outputs.
		NoSuchOutput,
		/// A listed output was credited already.
		AlreadyCredited,
		/// A listed output pays no script a facility owned at the block's time.
		NotAPayoutScript,
		/// The transaction moves credited or a paid facility's own coins: an input spends a
		/// credited output, or from a script a paid facility owns.
		SelfTransfer,
		/// An input spends by witness only and a paid facility owns a P2WPKH or P2WSH script:
		/// the proof must carry the block's witness commitment.
		WitnessProofNeeded,
		/// The witness proof's coinbase does not parse or is not a coinbase, or a branch is not
		/// as deep as the block's tree.
		MalformedWitnessProof,
		/// The coinbase carries no witness commitment (or not one 32-byte reserved value).
		NoWitnessCommitment,
		/// The coinbase's branch does not lead to the block's Merkle root.
		CoinbaseNotInBlock,
		/// The transaction's witness is not the one the block committed to (stripped or
		/// altered), or its witness branch is wrong.
		WitnessMismatch,
		/// The payout falls before the first period its lag allows, or the oracle has no
		/// periods yet.
		NoPeriod,
		/// The report window of the period the payout is attributed to has closed.
		ProofWindowClosed,
		/// A sum does not fit its type.
		Overflow,
		/// No facility has this id.
		UnknownFacility,
		/// Only the facility's operator may do this.
		NotOperator,
		/// The lag is longer than `MaxLag`, or than a payout could still be proven before its
		/// period's report window closes.
		LagTooLong,
		/// The shift is not shorter than the current period.
		ShiftTooLong,
		/// No settings request waits for this facility.
		NoSettingsRequest,
		/// The settings history is full and its oldest entry is still needed by a period not
		/// yet final.
		TooManySettingsChanges,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Prunes credits whose block the relay may have forgotten, then proven sums past
		/// their history, oldest first, as far as the weight left allows.
		fn on_idle(_: BlockNumberFor<T>, remaining: Weight) -> Weight {
			let used = Self::prune_credits(remaining).0;
			used.saturating_add(Self::prune_proven(remaining.saturating_sub(used)).0)
		}

		fn integrity_test() {
			assert!(T::MinConfirmations::get() >= 1, "a block has at least one confirmation");
			assert!(
				T::MinConfirmations::get() < T::CreditRetention::get(),
				"a credit must outlive the confirmations its proof needs"
			);
			assert!(
				T::MaxTransactionSize::get() >= 1_000,
				"MaxTransactionSize must allow a pool payout"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Prove that a Bitcoin transaction pays facilities and credit the listed outputs
		/// (see the module docs for the checks and the attribution rule).
		///
		/// `witness` is the block's witness commitment, needed when an input spends by witness
		/// only and a facility paid owns a P2WPKH or P2WSH script (module docs).
		///
		/// - Origin: signed (anyone). The fee is refunded when the proof credits at least
		///   `FreeProofSats`.
		/// - Errors: `BlockNotInMainChain`, `MalformedTransaction`, `SixtyFourByteTransaction`,
		///   `MalformedProof`, `ProofOfAnotherBlock`, `TransactionNotProven`,
		///   `MerkleRootMismatch`, `DuplicatedSibling`, `TooFewConfirmations`, `BlockTooOld`,
		///   `NoOutputs`, `NoSuchOutput`, `DustOutput`, `AlreadyCredited`, `NotAPayoutScript`,
		///   `NoPeriod`, `ProofWindowClosed`, `WitnessProofNeeded`, `MalformedWitnessProof`,
		///   `NoWitnessCommitment`, `CoinbaseNotInBlock`, `WitnessMismatch`, `SelfTransfer`,
		///   `Overflow`.
		/// - Events: `PayoutProven` per output.
		/// - Weight: the benchmark over the bytes hashed (the transaction's, and the witness
		///   proof's), plus a read per paid facility, per input and per script an input may
		///   show (at most four), declared for the most inputs the bytes can hold and charged
		///   as counted.
		#[pallet::call_index(0)]
		#[pallet::weight(Pallet::<T>::prove_weight(
			transaction.len() as u32,
			witness.as_ref(),
			Pallet::<T>::most_input_reads(transaction.len() as u32),
		))]
		pub fn prove_payout(
			origin: OriginFor<T>,
			block: H256,
			transaction: BoundedVec<u8, T::MaxTransactionSize>,
			proof: PayoutProof,
			witness: Option<WitnessProof>,
			outputs: BoundedVec<u32, ConstU32<MAX_CREDITED_OUTPUTS>>,
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			let (credited, reads) =
				Self::do_prove_payout(block, &transaction, &proof, witness.as_ref(), &outputs)?;
			let pays_fee = if credited >= T::FreeProofSats::get() { Pays::No } else { Pays::Yes };
			let weight = Self::prove_weight(transaction.len() as u32, witness.as_ref(), reads);
			Ok(PostDispatchInfo { actual_weight: Some(weight), pays_fee })
		}

		/// Request settings for a facility: a lag, a shift (the payout hour) and whether it is
		/// in proven mode. Replaces a waiting request.
		///
		/// - Origin: signed by the facility's operator.
		/// - Errors: `UnknownFacility`, `NotOperator`, `LagTooLong`, `ShiftTooLong`,
		///   `NoPeriod` (no period schedule yet).
		/// - Events: `SettingsRequested`.
		#[pallet::call_index(1)]
		pub fn request_payout_settings(
			origin: OriginFor<T>,
			facility: FacilityId,
			settings: PayoutSettings,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let operator = T::Facilities::operator(facility).ok_or(Error::<T>::UnknownFacility)?;
			ensure!(operator == who, Error::<T>::NotOperator);
			Self::check_settings(&settings)?;
			SettingsRequests::<T>::insert(facility, settings);
			Self::deposit_event(Event::SettingsRequested { facility, settings });
			Ok(())
		}

		/// Approve a facility's waiting settings request: in force from the next period.
		///
		/// - Origin: [`Config::GovernanceOrigin`].
		/// - Errors: `NoSettingsRequest`, `LagTooLong` / `ShiftTooLong` (the bound, the periods
		///   or the report window changed since), `NoPeriod`, `TooManySettingsChanges`.
		/// - Events: `SettingsApproved`.
		#[pallet::call_index(2)]
		#[pallet::weight(
			T::WeightInfo::approve_payout_settings().saturating_add(T::DbWeight::get().reads(2))
		)]
		pub fn approve_payout_settings(
			origin: OriginFor<T>,
			facility: FacilityId,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let settings =
				SettingsRequests::<T>::get(facility).ok_or(Error::<T>::NoSettingsRequest)?;
			Self::check_settings(&settings)?;
			let from = PeriodIndex(T::Oracle::current_period().0.saturating_add(1));
			let mut history = Settings::<T>::get(facility);
			// A later approval for the same first period replaces the earlier one.
			if history.last().is_some_and(|last| last.from == from) {
				history.pop();
			}
			if history.is_full() {
				ensure!(
					Self::oldest_settings_unneeded(&history),
					Error::<T>::TooManySettingsChanges
				);
				history.remove(0);
			}
			history
				.try_push(SettingsFrom { from, settings })
				.map_err(|_| Error::<T>::TooManySettingsChanges)?;
			Settings::<T>::insert(facility, history);
			SettingsRequests::<T>::remove(facility);
			Self::deposit_event(Event::SettingsApproved { facility, settings, from });
			Ok(())
		}

		/// Reject a facility's waiting settings request.
		///
		/// - Origin: [`Config::GovernanceOrigin`].
		/// - Errors: `NoSettingsRequest`.
		/// - Events: `SettingsRejected`.
		#[pallet::call_index(3)]
		pub fn reject_payout_settings(
			origin: OriginFor<T>,
			facility: FacilityId,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			SettingsRequests::<T>::take(facility).ok_or(Error::<T>::NoSettingsRequest)?;
			Self::deposit_event(Event::SettingsRejected { facility });
			Ok(())
		}
	}

	#[pallet::view_functions]
	impl<T: Config> Pallet<T> {
		/// Sats proven paid to the facility and attributed to `period`.
		pub fn proven_payouts(facility: FacilityId, period: PeriodIndex) -> Sats {
			ProvenSats::<T>::get(facility, period).map_or(Sats(0), |sum| sum.sats)
		}

		/// The credit of output `vout` of transaction `txid` (internal byte order), if any.
		pub fn credit(txid: H256, vout: u32) -> Option<Credit> {
			Credits::<T>::get((txid, vout))
		}

		/// The period a payout to the facility in a block of unix time `time` is attributed
		/// to, and until when its proofs are accepted (`None` before the first period the lag
		/// allows).
		pub fn payout_period(facility: FacilityId, time: u64) -> Option<(PeriodIndex, u64)> {
			let period = Self::attributed_period(facility, time)?;
			Some((period, T::Oracle::proof_deadline(period)?))
		}

		/// The facility's settings: approved ones (oldest first) and a waiting request.
		pub fn payout_settings(facility: FacilityId) -> SettingsView {
			SettingsView {
				approved: Settings::<T>::get(facility).into_inner(),
				requested: SettingsRequests::<T>::get(facility),
			}
		}
	}
}
