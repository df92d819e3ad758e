//! What the Bitcoin header relay tells other pallets: Bitcoin's main chain (membership,
//! height, confirmations, time, difficulty) and the network data it derives for a span of
//! time. `pallet-btc-relay` implements both traits.

pub mod address;
pub mod ownership;
pub mod transaction;

pub use address::{
	parse_address, AddressError, AddressNetwork, OutputScript, ScriptKind, MAX_SCRIPT_LEN,
};

use crate::{Difficulty, NetworkData, Sats};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::{sp_core::H256, sp_runtime::Weight};
use scale_info::TypeInfo;

/// A block on the relay's main chain.
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
)]
pub struct BitcoinBlock {
	/// Its hash, internal byte order.
	pub hash: H256,
	/// Its height.
	pub height: u32,
	/// Its time as its miner stated it, unix seconds.
	pub time: u32,
	/// Its difficulty.
	pub difficulty: Difficulty,
	/// Its transactions' Merkle root, internal byte order.
	pub merkle_root: H256,
	/// Main-chain blocks on top of it, itself included (the tip has one).
	pub confirmations: u32,
}

/// Read access to Bitcoin's main chain as relayed.
pub trait BitcoinChain {
	/// The main chain's tip.
	fn tip() -> Option<BitcoinBlock>;
	/// The main-chain block at `height`, while kept.
	fn block_at(height: u32) -> Option<BitcoinBlock>;
	/// The block `hash` if it is on the main chain (and kept).
	fn main_chain_block(hash: &H256) -> Option<BitcoinBlock>;
	/// Make the main chain hold a block with Merkle root `root` and `confirmations` (itself
	/// included), for other pallets' benchmarks: its header and the block.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_block(root: H256, confirmations: u32) -> ([u8; 80], BitcoinBlock);
}

/// No relay: Bitcoin is unknown.
impl BitcoinChain for () {
	fn tip() -> Option<BitcoinBlock> {
		None
	}
	fn block_at(_: u32) -> Option<BitcoinBlock> {
		None
	}
	fn main_chain_block(_: &H256) -> Option<BitcoinBlock> {
		None
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_block(root: H256, confirmations: u32) -> ([u8; 80], BitcoinBlock) {
		let block = BitcoinBlock {
			hash: H256::zero(),
			height: 0,
			time: 0,
			difficulty: Difficulty(1),
			merkle_root: root,
			confirmations,
		};
		([0; 80], block)
	}
}

/// The network data the relay derives for a span of time.
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
)]
pub struct RelayedNetworkData {
	/// Difficulty in force over the span, time-weighted harmonically: the span's seconds over
	/// the sum of each stretch's seconds divided by its difficulty, so that the expected
	/// blocks of a hashrate over the span are exactly those of this one difficulty.
	pub difficulty: Difficulty,
	/// Average subsidy per block of the blocks mined in the span.
	pub subsidy: Sats,
	/// Median fees per block of the span's fee sample (the lower middle for an even count),
	/// once every sampled coinbase is proven.
	pub fees: Option<Sats>,
	/// First block of the span (the first mined after its start, or the one being mined
	/// when no block was).
	pub first_height: u32,
	/// Last block mined in the span.
	pub last_height: u32,
	/// Blocks in the fee sample.
	pub sampled: u32,
	/// Of which proven.
	pub proven: u32,
}

impl RelayedNetworkData {
	/// Difficulty and reward per block (subsidy + fees), when the fees are proven.
	pub fn network_data(&self) -> Option<NetworkData> {
		let fees = self.fees?;
		Some(NetworkData {
			difficulty: self.difficulty,
			reward_per_block: self.subsidy.checked_add(fees)?,
		})
	}
}

/// Network data from relayed Bitcoin headers and proven coinbases.
pub trait BitcoinNetworkSource {
	/// Whether the relay is live (relayers keep its tip current): then the oracle gives it
	/// each period's whole feed window.
	fn is_active() -> bool;
	/// What the relay derives for unix seconds `[start, end)`, once the span is covered: a
	/// main-chain header after `end` is confirmed and the headers since before `start` are
	/// kept.
	fn network_data(start: u64, end: u64) -> Option<RelayedNetworkData>;
	/// Upper bound of one [`Self::network_data`] call.
	fn network_data_weight() -> Weight;
}

/// No relay: never covered.
impl BitcoinNetworkSource for () {
	fn is_active() -> bool {
		false
	}
	fn network_data(_: u64, _: u64) -> Option<RelayedNetworkData> {
		None
	}
	fn network_data_weight() -> Weight {
		Weight::zero()
	}
}
