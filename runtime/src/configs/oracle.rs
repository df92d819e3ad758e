//! The proof-of-work oracle: periods, network data, reports, attestations, disputes.

use crate::*;
use frame_support::{
	parameter_types,
	traits::{ConstU128, ConstU16, ConstU32},
	PalletId,
};
use frame_system::EnsureRoot;
use sp_runtime::Permill;

use super::monetary::TreasuryAccount;

/// Fee a facility pays with its first report of a period, shared by the attestors within
/// tolerance: 5 HASH.
pub const ATTESTATION_FEE: Balance = 5 * UNIT;
/// Bond held from each attestor: 10,000 HASH.
pub const ATTESTOR_BOND: Balance = 10_000 * UNIT;
/// Deposit an attestor posts to dispute an output: 1,000 HASH.
pub const DISPUTE_DEPOSIT: Balance = 1_000 * UNIT;
/// Slashed from a facility's registration deposit for a report a correction shows false.
pub const FRAUD_SLASH: Balance = 5_000 * UNIT;
/// Slashed from an attestor's bond for a submission a correction shows false.
pub const ATTESTOR_SLASH: Balance = 2_500 * UNIT;

parameter_types! {
	pub const OraclePalletId: PalletId = PalletId(*b"hr/oracl");
	/// Average hashrate may exceed the declared capacity by 5 %: pool-side hashrate is an
	/// estimate from shares and machines run slightly above nameplate.
	pub const HashrateTolerance: Permill = Permill::from_percent(5);
	/// Energy may be 10 % below nameplate efficiency x hashrate: tuned fleets and meter
	/// accuracy; anything lower means the hashrate was not really there.
	pub const EnergyTolerance: Permill = Permill::from_percent(10);
	/// Bitcoin earned may differ from the network expectation by 20 %: FPPS pays the
	/// expectation less fees, but fee revenue per block and the difficulty within a period
	/// move; PPLNS luck over a day stays mostly within this.
	pub const PoolLuckTolerance: Permill = Permill::from_percent(20);
	/// Attestors within 2 % of the median share the fee: independent pool-API readings
	/// of the same period agree far closer than that.
	pub const AttestationTolerance: Permill = Permill::from_percent(2);
	/// A facility report more than 5 % from the median is flagged.
	pub const ReportTolerance: Permill = Permill::from_percent(5);
	/// The reference network data a chain upgraded from oracle storage v1 starts from when
	/// its recent feeds give none: late 2025 (difficulty 149.3 T, 3.158 BTC per block).
	pub const InitialNetwork: hashrate_primitives::NetworkData = hashrate_primitives::NetworkData {
		difficulty: hashrate_primitives::Difficulty(149_301_205_959_699),
		reward_per_block: hashrate_primitives::Sats(315_800_000),
	};
}

impl pallet_pow_oracle::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Time = Timestamp;
	type Facilities = Facilities;
	/// Bitcoin's own headers and coinbases come before feeds.
	type Bitcoin = BtcRelay;
	/// The token pallet takes each facility's backing from its final periods; the yield
	/// pallet notes when each became final (payment deadlines count from it).
	type OnPeriodFinal = (HashrateTokens, RealYield);
	/// The yield pallet's records must keep every period that can wait for settlement.
	type SettlementLimits = RealYield;
	/// Payouts proven on Bitcoin: proven mode's floor and corrections by proofs.
	type Payouts = PayoutProofs;
	/// A week of UTC days: pools pay daily or every few days, so a payout lands within the
	/// week whose physics bound it must fit.
	type ProvenSumPeriods = ConstU32<7>;
	type GovernanceOrigin = EnsureRoot<AccountId>;
	type PalletId = OraclePalletId;
	type TreasuryAccount = TreasuryAccount;
	type AttestationFee = ConstU128<ATTESTATION_FEE>;
	type AttestorBond = ConstU128<ATTESTOR_BOND>;
	/// Three feeds at least: the median of two would be the lower one, set by one feeder.
	type MinFeeds = ConstU32<3>;
	/// Network data of the last 400 periods (over a year of UTC days) stays readable; the
	/// yield pallet settles periods long before that.
	type NetworkHistory = ConstU32<400>;
	/// Outputs of the last 400 periods stay (backing averages over at most 366, settlement
	/// needs far fewer); older ones are pruned as new ones finalize.
	type OutputHistory = ConstU32<400>;
	type MaxFeeders = ConstU32<7>;
	type MaxAttestors = ConstU32<15>;
	type MaxConsecutiveMisses = ConstU32<3>;
	type HashrateTolerance = HashrateTolerance;
	type EnergyTolerance = EnergyTolerance;
	type PoolLuckTolerance = PoolLuckTolerance;
	/// Pools charge 0-4 %.
	type MaxPoolFee = ConstU16<40>;
	type AttestationTolerance = AttestationTolerance;
	type ReportTolerance = ReportTolerance;
	type DisputeDeposit = ConstU128<DISPUTE_DEPOSIT>;
	type FraudSlash = ConstU128<FRAUD_SLASH>;
	type AttestorSlash = ConstU128<ATTESTOR_SLASH>;
	type WeightInfo = pallet_pow_oracle::bitcoin_weights::WithBitcoin<
		pallet_pow_oracle::weights::SubstrateWeight<Runtime>,
		BtcRelay,
	>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkClock;
}

/// Sets `pallet-timestamp`'s clock for the oracle's benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct BenchmarkClock;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_pow_oracle::BenchmarkHelper for BenchmarkClock {
	fn set_now(secs: u64) {
		pallet_timestamp::Now::<Runtime>::put(secs.saturating_mul(1_000));
	}
}
