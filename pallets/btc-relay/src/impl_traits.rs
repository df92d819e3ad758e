//! The relay as other pallets see it: [`BitcoinChain`] and [`BitcoinNetworkSource`].

use super::*;
use hashrate_primitives::{BitcoinBlock, BitcoinChain, BitcoinNetworkSource, Difficulty};
use polkadot_sdk::frame_support::{self as frame_support, weights::Weight};

/// A relay whose tip is this recent (seconds, by the chain's clock) is live: Bitcoin finds a
/// block more than three hours after the last about once in 65 million blocks, so a tip
/// this old means the relayers stopped.
pub const LIVE_WITHIN: u64 = 3 * 60 * 60;

impl<T: Config> Pallet<T> {
	fn block(hash: H256, header: &StoredHeader, tip: &Tip) -> BitcoinBlock {
		BitcoinBlock {
			hash,
			height: header.height,
			time: header.time,
			difficulty: Difficulty::from_compact_bits(header.bits).unwrap_or_default(),
			merkle_root: header.merkle_root,
			confirmations: tip.height.saturating_sub(header.height).saturating_add(1),
		}
	}
}

impl<T: Config> BitcoinChain for Pallet<T> {
	fn tip() -> Option<BitcoinBlock> {
		let tip = Best::<T>::get()?;
		Headers::<T>::get(tip.hash).map(|header| Self::block(tip.hash, &header, &tip))
	}

	fn block_at(height: u32) -> Option<BitcoinBlock> {
		let tip = Best::<T>::get()?;
		let hash = MainChain::<T>::get(height)?;
		Headers::<T>::get(hash).map(|header| Self::block(hash, &header, &tip))
	}

	fn main_chain_block(hash: &H256) -> Option<BitcoinBlock> {
		let tip = Best::<T>::get()?;
		let header = Headers::<T>::get(hash)?;
		Self::on_main_chain(header.height, hash).then(|| Self::block(*hash, &header, &tip))
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_block(root: H256, confirmations: u32) -> ([u8; 80], BitcoinBlock) {
		let (raw, hash) = crate::benchmarking::block_with_root::<T>(root, confirmations);
		let block = Self::main_chain_block(&hash).unwrap_or(BitcoinBlock {
			hash,
			height: 0,
			time: 0,
			difficulty: Difficulty(1),
			merkle_root: root,
			confirmations: 0,
		});
		(raw, block)
	}
}

impl<T: Config> BitcoinNetworkSource for Pallet<T> {
	/// Live: the best tip's time so far (`nTimeMax`: a miner's early timestamp does not pull
	/// it back) is within [`LIVE_WITHIN`] of the chain's clock.
	fn is_active() -> bool {
		let now = <T::Time as frame_support::traits::UnixTime>::now().as_secs();
		Best::<T>::get()
			.and_then(|tip| Headers::<T>::get(tip.hash))
			.is_some_and(|tip| u64::from(tip.time_max).saturating_add(LIVE_WITHIN) >= now)
	}

	fn network_data(start: u64, end: u64) -> Option<RelayedNetworkData> {
		Self::derive(start, end)
	}

	fn network_data_weight() -> Weight {
		T::WeightInfo::network_data(T::MaxFeeSample::get())
	}
}
