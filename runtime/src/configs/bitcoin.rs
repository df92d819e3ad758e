//! The Bitcoin header relay: Bitcoin's best chain, checked by Bitcoin's own rules, and the
//! network data the oracle takes from it.

use crate::*;
use frame_support::traits::{ConstU32, ConstU64};
use frame_system::EnsureRoot;

/// Most headers in one batch: a day (144) and more fit a block (see the benchmark figures
/// in the README).
pub const MAX_HEADERS_PER_BATCH: u32 = 200;
/// Deepest reorganisation followed: Bitcoin's deepest since 2013 took one or two blocks;
/// 24 (four hours) leaves a wide margin. Deeper, governance resets the checkpoint.
pub const MAX_REORG_DEPTH: u32 = 24;

impl pallet_btc_relay::Config for Runtime {
	type Time = Timestamp;
	type GovernanceOrigin = EnsureRoot<AccountId>;
	type MaxHeadersPerBatch = ConstU32<MAX_HEADERS_PER_BATCH>;
	type MaxReorgDepth = ConstU32<MAX_REORG_DEPTH>;
	/// An epoch (the retarget rule), the reorganisation depth, a batch, and room for the
	/// periods the oracle is still fixing (a day and its feed window): 2,400 heights, about
	/// 16.7 days of Bitcoin.
	type KeepHeaders = ConstU32<2_400>;
	/// Six confirmations of the first block after a period, as exchanges wait.
	type NetworkConfirmations = ConstU32<6>;
	/// One block in 24: six coinbases a day.
	type FeeSampleStep = ConstU32<24>;
	type MaxFeeSample = ConstU32<16>;
	/// Coinbases are a few hundred bytes; pools paying many miners from the coinbase reach a
	/// few kilobytes. A larger coinbase cannot be proven (its miner denies the period a fee
	/// sample; the reward falls back to the feeds): 64 KiB leaves that costly.
	type MaxTransactionSize = ConstU32<65_536>;
	/// A `gettxoutproof` of one transaction in the largest block is about 600 bytes.
	type MaxProofSize = ConstU32<4_096>;
	type WeightInfo = pallet_btc_relay::weights::SubstrateWeight<Runtime>;
}

/// Payout proofs: facilities' bitcoin income, proven against the relayed chain.
impl pallet_payout_proofs::Config for Runtime {
	type Chain = BtcRelay;
	type Scripts = Facilities;
	type Facilities = Facilities;
	type Oracle = PowOracle;
	type Time = Timestamp;
	type GovernanceOrigin = EnsureRoot<AccountId>;
	/// One more than the deepest reorganisation the relay follows: no reorganisation the
	/// chain would follow can take a credited payout back. About four hours of Bitcoin, well
	/// inside the day a lag-1 payout has before its period's proofs close.
	type MinConfirmations = ConstU32<{ MAX_REORG_DEPTH + 1 }>;
	/// Bitcoin Core's dust limit for the most expensive standard output (P2PKH).
	type MinCreditSats = ConstU64<546>;
	/// 0.001 BTC: a real payout's proof is free; dust pays its fee.
	type FreeProofSats = ConstU64<100_000>;
	/// An upper bound; the report window bounds the lag further (a payout of the lagged
	/// period must still be provable before the period's proofs close): with daily periods
	/// and a two-day window, lag 0 or 1.
	type MaxLag = ConstU32<7>;
	/// Pool payouts to many miners reach tens of kilobytes: 64 KiB, as the relay's coinbases.
	type MaxTransactionSize = ConstU32<65_536>;
	/// As long as the relay keeps headers (`KeepHeaders`): a credit outlives every proof of
	/// its output.
	type CreditRetention = ConstU32<2_400>;
	/// As long as the oracle keeps outputs (`OutputHistory`, 400 periods).
	type ProvenHistory = ConstU32<400>;
	type WeightInfo = pallet_payout_proofs::weights::SubstrateWeight<Runtime>;
}
