//! [`WithBitcoin`]: the benchmarked weights plus what reading the Bitcoin relay costs.
//!
//! The calls that may fix a period's network data ask the relay twice (whether it covers the
//! period, then its data); the benchmarks run without relayed headers, so the runtime wraps
//! its generated weights in [`WithBitcoin`] with the relay's own bound.

use crate::WeightInfo;
use core::marker::PhantomData;
use hashrate_primitives::BitcoinNetworkSource;
use polkadot_sdk::frame_support::weights::Weight;

/// `W`'s weights, plus two reads of `B`'s network data where a period may be fixed.
pub struct WithBitcoin<W, B>(PhantomData<(W, B)>);

impl<W: WeightInfo, B: BitcoinNetworkSource> WithBitcoin<W, B> {
	fn relay() -> Weight {
		B::network_data_weight().saturating_mul(2)
	}
}

impl<W: WeightInfo, B: BitcoinNetworkSource> WeightInfo for WithBitcoin<W, B> {
	fn set_period_length() -> Weight {
		W::set_period_length()
	}
	fn set_timing() -> Weight {
		W::set_timing()
	}
	fn add_feeder() -> Weight {
		W::add_feeder()
	}
	fn remove_feeder() -> Weight {
		W::remove_feeder()
	}
	fn feed_network_data() -> Weight {
		W::feed_network_data().saturating_add(Self::relay())
	}
	fn fix_network_data() -> Weight {
		W::fix_network_data().saturating_add(Self::relay())
	}
	fn set_network_data() -> Weight {
		W::set_network_data()
	}
	fn set_strike_rules() -> Weight {
		W::set_strike_rules()
	}
	fn add_attestor() -> Weight {
		W::add_attestor()
	}
	fn remove_attestor() -> Weight {
		W::remove_attestor()
	}
	fn report() -> Weight {
		W::report().saturating_add(Self::relay())
	}
	fn attest() -> Weight {
		W::attest().saturating_add(Self::relay())
	}
	fn report_stored() -> Weight {
		W::report_stored().saturating_add(Self::relay())
	}
	fn attest_stored() -> Weight {
		W::attest_stored().saturating_add(Self::relay())
	}
	fn close() -> Weight {
		W::close().saturating_add(Self::relay())
	}
	fn close_to_governance() -> Weight {
		W::close_to_governance().saturating_add(Self::relay())
	}
	fn force_finalize() -> Weight {
		W::force_finalize().saturating_add(Self::relay())
	}
	fn make_final() -> Weight {
		W::make_final()
	}
	fn dispute() -> Weight {
		W::dispute()
	}
	fn resolve_dispute() -> Weight {
		W::resolve_dispute()
	}
	fn correct_by_proofs() -> Weight {
		W::correct_by_proofs()
	}
}
