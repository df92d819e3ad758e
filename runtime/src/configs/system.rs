//! frame-system: block limits, account type, and the weights of blocks, extrinsics, their
//! transaction extensions and the database, all measured on this runtime
//! ([`crate::weights`]).

use crate::*;
use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	weights::{constants::WEIGHT_REF_TIME_PER_SECOND, Weight},
};
use frame_system::limits::{BlockLength, BlockWeights};
use sp_runtime::Perbill;
use weights::{
	block_weights::BlockExecutionWeight, extrinsic_weights::ExtrinsicBaseWeight,
	paritydb_weights::constants::ParityDbWeight,
};

/// Share of a block that normal (user) extrinsics may fill; the rest is kept for
/// operational ones.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

/// Compute per block: 2 s of the 6 s slot.
const MAXIMUM_BLOCK_WEIGHT: Weight =
	Weight::from_parts(2u64.saturating_mul(WEIGHT_REF_TIME_PER_SECOND), u64::MAX);

/// Share of a block kept on average for `on_initialize` work.
const AVERAGE_ON_INITIALIZE_RATIO: Perbill = Perbill::from_percent(10);

/// The block author's and the treasury's accounts, which the fees of a block's transactions
/// credit: read and written once per block, so the block pays for them, not each transaction
/// (the fee benchmark does not count them, see `apis.rs`).
const FEE_RECIPIENTS_WRITE: Weight = Weight::from_parts(
	ParityDbWeight::get()
		.read
		.saturating_mul(2)
		.saturating_add(ParityDbWeight::get().write.saturating_mul(2)),
	0,
);

/// Largest block, in bytes.
const MAX_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;

parameter_types! {
	/// Block hashes kept for mortal transactions (about 4 hours at 6 s).
	pub const BlockHashCount: BlockNumber = 2400;
	/// The runtime version.
	pub const Version: RuntimeVersion = VERSION;
	/// 2 s of compute in a 6 s block, of which normal extrinsics may fill
	/// [`NORMAL_DISPATCH_RATIO`] and operational ones the rest; the base costs of a block and
	/// of an extrinsic are this runtime's own (`benchmark overhead`), the block's with the
	/// fee recipients' accounts ([`FEE_RECIPIENTS_WRITE`]).
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::builder()
		.base_block(BlockExecutionWeight::get().saturating_add(FEE_RECIPIENTS_WRITE))
		.for_class(DispatchClass::all(), |weights| {
			weights.base_extrinsic = ExtrinsicBaseWeight::get();
		})
		.for_class(DispatchClass::Normal, |weights| {
			weights.max_total = Some(NORMAL_DISPATCH_RATIO * MAXIMUM_BLOCK_WEIGHT);
		})
		.for_class(DispatchClass::Operational, |weights| {
			weights.max_total = Some(MAXIMUM_BLOCK_WEIGHT);
			weights.reserved =
				Some(MAXIMUM_BLOCK_WEIGHT.saturating_sub(NORMAL_DISPATCH_RATIO * MAXIMUM_BLOCK_WEIGHT));
		})
		.avg_block_initialization(AVERAGE_ON_INITIALIZE_RATIO)
		.build_or_panic();
	/// 5 MiB blocks, of which normal extrinsics may fill [`NORMAL_DISPATCH_RATIO`].
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(MAX_BLOCK_LENGTH)
		.modify_max_length_for_class(DispatchClass::Normal, |max| *max = NORMAL_DISPATCH_RATIO * *max)
		.build();
	/// The SS58 prefix of this chain's addresses.
	pub const SS58Prefix: u16 = SS58_PREFIX;
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	/// The node stores state in ParityDB (it is built without RocksDB), so reads and writes
	/// are charged at ParityDB's costs measured on this machine (`benchmark storage`).
	type DbWeight = ParityDbWeight;
	type SystemWeightInfo = weights::frame_system::WeightInfo<Runtime>;
	/// The checks every signed transaction passes (nonce, weight, era, ...), benchmarked on
	/// this runtime rather than priced at the defaults' RocksDB rates.
	type ExtensionsWeightInfo = weights::frame_system_extensions::WeightInfo<Runtime>;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = frame_support::traits::ConstU32<16>;
}
