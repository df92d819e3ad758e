//! A block driver for runtime-level tests: the real runtime, in `TestExternalities`, with
//! every block built the way the node authors one.
//!
//! Each block is initialised through [`Executive::initialize_block`] with an Aura pre-digest
//! for its slot (so `on_runtime_upgrade` when the version changed, and every `on_initialize`,
//! run), gets the timestamp inherent of exactly that slot (Aura's `on_timestamp_set` checks
//! the two agree), applies signed extrinsics through [`Executive::apply_extrinsic`] (the
//! transaction extensions: signature, nonce, weight, fees, metadata hash), each in a storage
//! transaction rolled back when it is invalid as the node's block builder does, and is
//! finalised through [`Executive::finalize_block`] (`on_poll`, `on_idle` with the weight the
//! block left, `on_finalize`). A transaction is first validated the way the transaction pool
//! does ([`Executive::validate_transaction`], its state changes discarded). The block is then
//! imported as every other node imports it: [`Executive::execute_block`] on a copy of the
//! state before it, which checks the built header's digest and roots.
//!
//! Not modelled: the wasm executor (the runtime runs natively here; the end-to-end and
//! network tests run the wasm), the pool's ordering by priority (a block takes the
//! transactions in the order given), a transaction that does not fit a block waiting for the
//! next (it is reported `Rejected`).
//!
//! At genesis and after every block the invariants of every domain pallet (`do_try_state`),
//! of native balances (accounts add up to the issuance) and of the payout asset (its supply
//! is what its accounts hold) are checked, with feature `try-runtime` every pallet's
//! `try_state` too: a test that moves the chain checks them block by block without asking.

use codec::Encode;
use frame_support::genesis_builder_helper::build_state;
use hashrate_runtime::{configs::assets::PAYOUT_ASSET_ID, *};
use serde_json::Value;
use sp_consensus_aura::{Slot, AURA_ENGINE_ID};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	generic::Era,
	traits::{ExtrinsicLike as _, Header as _},
	transaction_validity::{TransactionSource, TransactionValidityError},
	Digest, DigestItem, DispatchError,
};

/// The chain time of the first block: 2026-12-01 00:00:00 UTC, a whole number of slots and
/// of the development preset's 30-second periods.
pub const GENESIS_TIME_MS: u64 = 1_796_083_200_000;

/// Why a submitted transaction had no effect.
#[derive(Debug, PartialEq, Eq)]
pub enum Failure {
	/// The transaction pool would refuse it (bad signature or nonce, fees not affordable, a
	/// call the runtime does not accept from outside).
	Rejected(TransactionValidityError),
	/// It was included in a block and its call failed (the fee is paid, nothing else
	/// changed).
	Failed(DispatchError),
}

impl Failure {
	/// The pallet error's name (`"NotOperator"`), for assertions; `None` for other failures.
	pub fn name(&self) -> Option<&'static str> {
		match self {
			Failure::Failed(DispatchError::Module(error)) => error.message,
			_ => None,
		}
	}
}

/// What one block did with one submitted transaction.
pub type Outcome = Result<Vec<RuntimeEvent>, Failure>;

/// Merges `patch` into `base` the way chain specs are: objects key by key, anything else
/// replaces.
fn merge(base: &mut Value, patch: Value) {
	match (base, patch) {
		(Value::Object(base), Value::Object(patch)) => {
			for (key, value) in patch {
				merge(base.entry(key).or_insert(Value::Null), value);
			}
		},
		(base, patch) => *base = patch,
	}
}

/// The JSON genesis config of a preset: its patch over the default config, merged the way
/// chain specs are (objects key by key, anything else replaces).
pub fn preset_json(preset: &str) -> Vec<u8> {
	let patch = genesis_config_presets::get_preset(&preset.into()).expect("preset exists");
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("serializes");
	merge(&mut config, serde_json::from_slice(&patch).expect("preset is JSON"));
	serde_json::to_vec(&config).expect("serializes")
}

/// [`preset_json`] with `patch` merged into it (objects key by key, anything else replaces):
/// a preset with other timings or rules.
pub fn preset_json_patched(preset: &str, patch: Value) -> Vec<u8> {
	let mut config: Value = serde_json::from_slice(&preset_json(preset)).expect("JSON");
	merge(&mut config, patch);
	serde_json::to_vec(&config).expect("serializes")
}

/// Externalities holding the genesis state of a preset.
pub fn preset_ext(preset: &str) -> sp_io::TestExternalities {
	let json = preset_json(preset);
	let mut ext = sp_io::TestExternalities::default();
	ext.execute_with(|| build_state::<RuntimeGenesisConfig>(json).expect("preset builds"));
	ext
}

/// The transaction extensions of a signed transaction with `nonce`, as a wallet fills them:
/// immortal, no tip, no metadata hash.
pub fn extensions(nonce: Nonce) -> TxExtension {
	(
		frame_system::AuthorizeCall::<Runtime>::new(),
		frame_system::CheckNonZeroSender::<Runtime>::new(),
		frame_system::CheckSpecVersion::<Runtime>::new(),
		frame_system::CheckTxVersion::<Runtime>::new(),
		frame_system::CheckGenesis::<Runtime>::new(),
		frame_system::CheckEra::<Runtime>::from(Era::Immortal),
		frame_system::CheckNonce::<Runtime>::from(nonce),
		frame_system::CheckWeight::<Runtime>::new(),
		pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
		frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
		frame_system::WeightReclaim::<Runtime>::new(),
	)
}

/// Who signs: a development key or any sr25519 key pair (a simulation's many holders).
#[derive(Clone)]
pub struct Signer(sp_core::sr25519::Pair);

impl Signer {
	/// The key pair of a secret URI (`//holder/7`).
	pub fn from_uri(uri: &str) -> Self {
		use sp_core::Pair as _;
		Self(sp_core::sr25519::Pair::from_string(uri, None).expect("a valid secret URI"))
	}

	/// The account it signs for.
	pub fn account(&self) -> AccountId {
		use sp_core::Pair as _;
		self.0.public().into()
	}
}

impl From<Sr25519Keyring> for Signer {
	fn from(key: Sr25519Keyring) -> Self {
		Self(key.pair())
	}
}

/// `call` signed by `signer` with `nonce`. Reads the genesis hash and versions the signed
/// payload commits to, so it runs inside the chain's externalities.
pub fn sign(signer: impl Into<Signer>, nonce: Nonce, call: RuntimeCall) -> UncheckedExtrinsic {
	use sp_core::Pair as _;
	let signer = signer.into();
	let extensions = extensions(nonce);
	let payload =
		SignedPayload::new(call.clone(), extensions.clone()).expect("the implicit data exists");
	let signature = payload.using_encoded(|bytes| signer.0.sign(bytes));
	UncheckedExtrinsic::new_signed(
		call,
		Address::Id(signer.account()),
		Signature::Sr25519(signature),
		extensions,
	)
}

/// The real runtime, driven block by block.
pub struct Chain {
	ext: sp_io::TestExternalities,
	/// Hash of the last block's header (block 0: the genesis hash the runtime knows).
	parent: Hash,
	/// The last block's number.
	number: BlockNumber,
	/// The slot of the last block.
	slot: u64,
	/// Where in its slot each block's timestamp falls, milliseconds (an Aura author stamps
	/// its block with its clock, some time into the slot).
	time_in_slot_ms: u64,
	/// Whether each block, once built, is also imported: executed by
	/// `Executive::execute_block` on the state before it, as every other node does.
	import: bool,
}

impl Chain {
	/// A chain at the genesis state of `preset`; no block built yet. Blocks are stamped at
	/// the start of their slot and imported after they are built.
	pub fn new(preset: &str) -> Self {
		Self::with_genesis(preset_json(preset))
	}

	/// A chain at the genesis state of a JSON genesis config (a preset's, patched: see
	/// [`preset_json_patched`]).
	pub fn with_genesis(json: Vec<u8>) -> Self {
		let mut ext = sp_io::TestExternalities::default();
		ext.execute_with(|| build_state::<RuntimeGenesisConfig>(json).expect("genesis builds"));
		let parent = ext.execute_with(|| {
			check_invariants(0);
			frame_system::BlockHash::<Runtime>::get(0)
		});
		Self {
			ext,
			parent,
			number: 0,
			slot: GENESIS_TIME_MS / SLOT_DURATION - 1,
			time_in_slot_ms: 0,
			import: true,
		}
	}

	/// Stamps every later block `ms` milliseconds into its slot.
	pub fn with_time_in_slot(mut self, ms: u64) -> Self {
		assert!(ms < SLOT_DURATION, "{ms} ms is not within a {SLOT_DURATION} ms slot");
		self.time_in_slot_ms = ms;
		self
	}

	/// Skips importing each block after building it (it costs a copy of the state per block):
	/// for long simulations whose blocks other tests already import.
	pub fn without_import(mut self) -> Self {
		self.import = false;
		self
	}

	/// The development preset's chain.
	pub fn development() -> Self {
		Self::new(sp_genesis_builder::DEV_RUNTIME_PRESET)
	}

	/// Runs `f` on the chain's state as of the last block; whatever `f` changes is discarded
	/// (tests change state through blocks).
	pub fn read<R>(&mut self, f: impl FnOnce() -> R) -> R {
		self.ext.execute_with(|| {
			sp_io::storage::start_transaction();
			let result = f();
			sp_io::storage::rollback_transaction();
			result
		})
	}

	/// Runs `f` on the chain's state and keeps what it changes: for setting up conditions no
	/// extrinsic can create (an older runtime version on record, say).
	pub fn alter<R>(&mut self, f: impl FnOnce() -> R) -> R {
		self.ext.execute_with(f)
	}

	/// The last block's number.
	pub fn number(&self) -> BlockNumber {
		self.number
	}

	/// Chain time of the last block, unix seconds (genesis: 0).
	pub fn now(&mut self) -> u64 {
		self.read(|| pallet_timestamp::Now::<Runtime>::get() / 1_000)
	}

	/// Builds the block at the next slot with the given transactions, in order, and returns
	/// what each did.
	pub fn block(&mut self, transactions: Vec<UncheckedExtrinsic>) -> Vec<Outcome> {
		self.block_at_slot(self.slot + 1, transactions)
	}

	/// Builds a block at `slot` (later than the last block's; the slots between stay empty,
	/// as when their authors were offline), then imports it; returns what each transaction
	/// did.
	///
	/// Building: `initialize_block` with the slot's Aura pre-digest, the timestamp inherent,
	/// each transaction through `apply_extrinsic` in a storage transaction that is rolled back
	/// (and the transaction left out) when it is invalid, `finalize_block`. Importing:
	/// `execute_block` of the resulting block on the state before it, which checks the
	/// digest, the extrinsics root and the state root against the built header.
	pub fn block_at_slot(
		&mut self,
		slot: u64,
		transactions: Vec<UncheckedExtrinsic>,
	) -> Vec<Outcome> {
		assert!(slot > self.slot, "slot {slot} is not after the last block's {}", self.slot);
		for transaction in &transactions {
			assert!(!transaction.is_bare(), "a transaction, not an inherent: {transaction:?}");
		}
		let number = self.number + 1;
		let parent = self.parent;
		let now = slot * SLOT_DURATION + self.time_in_slot_ms;
		let before = self.import.then(|| self.ext.as_backend());
		let (header, extrinsics, outcomes) = self.ext.execute_with(|| {
			let digest = Digest {
				logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, Slot::from(slot).encode())],
			};
			let header =
				Header::new(number, Default::default(), Default::default(), parent, digest);
			assert_eq!(
				Executive::initialize_block(&header),
				sp_runtime::ExtrinsicInclusionMode::AllExtrinsics,
				"block {number} takes transactions"
			);
			let timestamp =
				UncheckedExtrinsic::new_bare(RuntimeCall::Timestamp(pallet_timestamp::Call::set {
					now,
				}));
			Executive::apply_extrinsic(timestamp.clone())
				.expect("the timestamp inherent is valid")
				.expect("the timestamp inherent applies");
			let mut extrinsics = vec![timestamp];
			// Per transaction: its index among the block's extrinsics and its result, or why
			// it was left out.
			let mut included = Vec::new();
			for transaction in transactions {
				sp_io::storage::start_transaction();
				match Executive::apply_extrinsic(transaction.clone()) {
					Ok(result) => {
						sp_io::storage::commit_transaction();
						included.push(Ok((extrinsics.len() as u32, result)));
						extrinsics.push(transaction);
					},
					Err(invalid) => {
						sp_io::storage::rollback_transaction();
						included.push(Err(Failure::Rejected(invalid)));
					},
				}
			}
			let header = Executive::finalize_block();
			let events = frame_system::Pallet::<Runtime>::read_events_no_consensus()
				.map(|record| *record)
				.collect::<Vec<_>>();
			let outcomes = included
				.into_iter()
				.map(|entry| {
					let (index, result) = entry?;
					let events = events
						.iter()
						.filter(|record| record.phase == frame_system::Phase::ApplyExtrinsic(index))
						.map(|record| record.event.clone())
						.collect::<Vec<_>>();
					result.map(|()| events).map_err(Failure::Failed)
				})
				.collect::<Vec<_>>();
			// The checks only read: whatever they write is discarded.
			sp_io::storage::start_transaction();
			check_invariants(number);
			sp_io::storage::rollback_transaction();
			(header, extrinsics, outcomes)
		});
		if let Some(backend) = before {
			let mut importer = sp_io::TestExternalities::default();
			importer.backend = backend;
			let block = Block { header: header.clone(), extrinsics };
			importer.execute_with(|| Executive::execute_block(block.into()));
		}
		self.parent = header.hash();
		self.number = number;
		self.slot = slot;
		outcomes
	}

	/// Builds empty blocks, one per slot, until chain time reaches `time` (unix seconds).
	pub fn advance_to(&mut self, time: u64) {
		while self.now() < time {
			self.block(Vec::new());
		}
	}

	/// Builds empty blocks, one per slot, for `seconds` of chain time.
	pub fn advance(&mut self, seconds: u64) {
		let until = self.now() + seconds;
		self.advance_to(until);
	}

	/// Signs `call` by `signer`, checks it the way the transaction pool does, and includes
	/// it alone in the next block; returns the events it emitted, or why it had no effect.
	pub fn submit(&mut self, signer: impl Into<Signer>, call: impl Into<RuntimeCall>) -> Outcome {
		self.submit_all(vec![(signer.into(), call.into())]).pop().expect("one outcome")
	}

	/// Signs each call (nonces counted per signer), checks each the way the transaction
	/// pool does, and includes those it accepts, in order, in the next block.
	pub fn submit_all<S: Into<Signer>>(&mut self, calls: Vec<(S, RuntimeCall)>) -> Vec<Outcome> {
		self.submit_all_at_slot(self.slot + 1, calls)
	}

	/// [`Self::submit_all`] in a block at `slot` (later than the last block's).
	pub fn submit_all_at_slot<S: Into<Signer>>(
		&mut self,
		slot: u64,
		calls: Vec<(S, RuntimeCall)>,
	) -> Vec<Outcome> {
		let parent = self.parent;
		// The next nonce to sign with, per signer.
		let mut next_nonce = std::collections::BTreeMap::new();
		let checked = self.read(|| {
			calls
				.into_iter()
				.map(|(signer, call)| {
					let signer: Signer = signer.into();
					let account = signer.account();
					let nonce = *next_nonce.entry(account.clone()).or_insert_with(|| {
						frame_system::Pallet::<Runtime>::account_nonce(account.clone())
					});
					let transaction = sign(signer, nonce, call);
					// The pool validates against the best block's state; a later transaction
					// of a signer already in the batch is valid too (`CheckNonce` makes it
					// require the earlier one's tag).
					sp_io::storage::start_transaction();
					let validity = Executive::validate_transaction(
						TransactionSource::External,
						transaction.clone(),
						parent,
					);
					sp_io::storage::rollback_transaction();
					match validity {
						Ok(_) => {
							next_nonce.insert(account, nonce + 1);
							Ok(transaction)
						},
						Err(invalid) => Err(Failure::Rejected(invalid)),
					}
				})
				.collect::<Vec<_>>()
		});
		let accepted = checked.iter().filter_map(|c| c.as_ref().ok().cloned()).collect();
		let mut included = self.block_at_slot(slot, accepted).into_iter();
		checked
			.into_iter()
			.map(|c| match c {
				Ok(_) => included.next().expect("one outcome per included transaction"),
				Err(failure) => Err(failure),
			})
			.collect()
	}

	/// Dispatches `call` as governance (root) through `sudo`, signed by the development
	/// sudo key, Alice; returns the events, or the call's error.
	pub fn sudo(&mut self, call: impl Into<RuntimeCall>) -> Outcome {
		let call = Box::new(call.into());
		let events = self.submit(Sr25519Keyring::Alice, pallet_sudo::Call::sudo { call })?;
		for event in &events {
			if let RuntimeEvent::Sudo(pallet_sudo::Event::Sudid { sudo_result: Err(error) }) = event
			{
				return Err(Failure::Failed(*error));
			}
		}
		Ok(events)
	}
}

/// Every invariant the runtime's pallets state, checked at genesis and after each block; with
/// feature `try-runtime` every pallet's `try_state` hook as well (balances, assets, session,
/// aura, grandpa included).
fn check_invariants(number: BlockNumber) {
	#[cfg(feature = "try-runtime")]
	{
		use frame_support::traits::{TryState, TryStateSelect};
		if let Err(error) =
			<AllPalletsWithSystem as TryState<BlockNumber>>::try_state(number, TryStateSelect::All)
		{
			panic!("block {number}: a pallet's try_state fails: {error:?}");
		}
	}
	type Check = fn() -> Result<(), sp_runtime::TryRuntimeError>;
	let checks: [(&str, Check); 5] = [
		("facilities", Facilities::do_try_state),
		("pow-oracle", PowOracle::do_try_state),
		("hashrate-tokens", HashrateTokens::do_try_state),
		("real-yield", RealYield::do_try_state),
		("validator-set", ValidatorSet::do_try_state),
	];
	for (pallet, check) in checks {
		if let Err(error) = check() {
			panic!("block {number}: an invariant of {pallet} fails: {error:?}");
		}
	}
	// No native token appears or vanishes outside what the balances pallet accounts for.
	let issuance = pallet_balances::TotalIssuance::<Runtime>::get();
	let accounts: Balance = frame_system::Account::<Runtime>::iter_values()
		.map(|account| account.data.free + account.data.reserved)
		.sum();
	assert_eq!(accounts, issuance, "block {number}: native balances do not add up to the issuance");
	// The payout asset is the chain's bitcoin: what exists is what accounts hold.
	let supply = pallet_assets::Asset::<Runtime>::get(PAYOUT_ASSET_ID)
		.map(|details| details.supply)
		.unwrap_or_default();
	let held: Balance = pallet_assets::Account::<Runtime>::iter_prefix(PAYOUT_ASSET_ID)
		.map(|(_, account)| account.balance)
		.sum();
	assert_eq!(held, supply, "block {number}: payout-asset accounts do not add up to the supply");
}
