//! Hashrate tokens: series, backing, collateral, primary offerings, holding.

use crate::*;
use frame_support::{
	parameter_types,
	traits::{fungible::ItemOf, ConstU128, ConstU32},
	PalletId,
};
use frame_system::EnsureRoot;

use super::assets::PayoutAsset;

parameter_types! {
	pub const TokensPalletId: PalletId = PalletId(*b"hr/token");
}

impl pallet_hashrate_tokens::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	/// The BTC payout asset of `pallet-assets`, seen as one fungible.
	type PayoutAsset = ItemOf<Assets, PayoutAsset, AccountId>;
	type Time = Timestamp;
	type Facilities = Facilities;
	type Oracle = PowOracle;
	/// The yield pallet records settlement and debt.
	type Obligations = RealYield;
	/// The yield pallet brings holders' time-weighted records up to date before every
	/// balance change.
	type OnBalanceChange = RealYield;
	type GovernanceOrigin = EnsureRoot<AccountId>;
	type PalletId = TokensPalletId;
	/// An allowance record holds 0.1 HASH.
	type ApprovalDeposit = ConstU128<{ UNIT / 10 }>;
	/// Each live series is read when a facility's tokenized hashrate is summed.
	type MaxSeriesPerFacility = ConstU32<16>;
	/// The mint at close touches each subscriber (about 0.1 ms each).
	type MaxSubscribers = ConstU32<512>;
	/// Ten years of UTC days.
	type MaxTermPeriods = ConstU32<3_660>;
	type WeightInfo = pallet_hashrate_tokens::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TokensBenchmarkHelper;
}

/// Drives the clock, the oracle's records and the payout asset for the token benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct TokensBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_hashrate_tokens::BenchmarkHelper<AccountId> for TokensBenchmarkHelper {
	fn set_now(secs: u64) {
		pallet_timestamp::Now::<Runtime>::put(secs.saturating_mul(1_000));
	}

	fn finalize_periods(
		facility: hashrate_primitives::FacilityId,
		before: hashrate_primitives::PeriodIndex,
		count: u32,
		hashrate_ths: u128,
	) {
		use hashrate_primitives::{Hashrate, PeriodIndex, PeriodOutput};
		for index in before.0.saturating_sub(count)..before.0 {
			let output = PeriodOutput {
				hashrate: Hashrate(hashrate_ths.saturating_mul(1_000)),
				uptime: 1_000,
				..Default::default()
			};
			write_final_output(
				facility,
				PeriodIndex(index),
				output,
				pallet_pow_oracle::OutputSource::GovernanceFromReport,
			);
		}
	}

	fn fund_payout(who: &AccountId, amount: hashrate_primitives::PayoutBalance) {
		use frame_support::traits::fungibles::Mutate;
		let _ =
			<Assets as Mutate<AccountId>>::mint_into(configs::assets::PAYOUT_ASSET_ID, who, amount);
	}

	/// Benchmark setup: moves the yield pallet's settled frontier past the series' term.
	fn settle_periods(series: hashrate_primitives::SeriesId) {
		pallet_real_yield::SeriesYields::<Runtime>::mutate(series, |state| {
			if let Some(state) = state {
				let last = state.economics.last_period;
				state.next = last.next().unwrap_or(last);
				state.frontier = PowOracle::period_bounds(last).map_or(state.frontier, |b| b.1);
			}
		});
	}
}

/// Benchmark setup: the oracle's record of `facility`'s `period`, final from `source`, with
/// late-2025 network data fixed for it (not announced to the hooks).
#[cfg(feature = "runtime-benchmarks")]
pub fn write_final_output(
	facility: hashrate_primitives::FacilityId,
	period: hashrate_primitives::PeriodIndex,
	output: hashrate_primitives::PeriodOutput,
	source: pallet_pow_oracle::OutputSource,
) {
	use hashrate_primitives::{NetworkData, Sats};
	use pallet_pow_oracle::{OutputRecord, OutputStatus};
	let network = NetworkData {
		difficulty: hashrate_primitives::Difficulty(149_301_205_959_699),
		reward_per_block: Sats(315_800_000),
	};
	pallet_pow_oracle::Outputs::<Runtime>::insert(
		facility,
		period,
		OutputRecord { output, source, status: OutputStatus::Final, report: None },
	);
	pallet_pow_oracle::Network::<Runtime>::insert(
		period,
		pallet_pow_oracle::FixedNetwork {
			data: network,
			source: pallet_pow_oracle::NetworkSource::Feeds { feeds: 3 },
			used: true,
		},
	);
}
