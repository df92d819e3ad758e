//! Real yield: what series owe per period, deposits, defaults from collateral, debt, and
//! holders' time-weighted claims.

use crate::*;
use frame_support::{parameter_types, traits::ConstU32, PalletId};
use frame_system::EnsureRoot;

use super::{assets::PayoutAsset, monetary::TreasuryAccount};

parameter_types! {
	pub const YieldPalletId: PalletId = PalletId(*b"hr/yield");
}

impl pallet_real_yield::Config for Runtime {
	/// The BTC payout asset of `pallet-assets`, seen as one fungible.
	type PayoutAsset = frame_support::traits::fungible::ItemOf<Assets, PayoutAsset, AccountId>;
	type Time = Timestamp;
	type Series = HashrateTokens;
	type Collateral = HashrateTokens;
	type Oracle = PowOracle;
	type Facilities = Facilities;
	type GovernanceOrigin = EnsureRoot<AccountId>;
	type PalletId = YieldPalletId;
	/// Protocol fees go to the treasury.
	type FeeDestination = TreasuryAccount;
	/// With daily periods a period settles within about two weeks of its end (report window,
	/// challenge, a week to pay): 32 leaves room; a series lagging further must be settled
	/// (anyone can push it) before its balances change again.
	type MaxUnsettledPeriods = ConstU32<32>;
	type MaxFacilitySeries = <Runtime as pallet_hashrate_tokens::Config>::MaxSeriesPerFacility;
	type MaxClaimBatch = ConstU32<16>;
	type WeightInfo = pallet_real_yield::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = YieldBenchmarkHelper;
}

/// Series, holders and final periods for the yield benchmarks, written straight into the
/// token pallet's and the oracle's storage (benchmark setup only; the yield pallet itself
/// sees them only through its traits). Series belong to the development preset's facility 0.
#[cfg(feature = "runtime-benchmarks")]
pub struct YieldBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_real_yield::BenchmarkHelper<AccountId> for YieldBenchmarkHelper {
	fn set_now(secs: u64) {
		<super::tokens::TokensBenchmarkHelper as pallet_hashrate_tokens::BenchmarkHelper<
			AccountId,
		>>::set_now(secs);
	}

	fn issued_series(
		holders: u32,
		periods: u32,
	) -> (hashrate_primitives::SeriesId, alloc::vec::Vec<AccountId>) {
		use hashrate_primitives::{
			FacilityId, Hashrate, OnTokenBalanceChange, PeriodIndex, PowOracle as _, Sats,
			SeriesStatus,
		};
		use pallet_hashrate_tokens::{SeriesName, SeriesRecord, SeriesTerms, Symbol};
		/// Tokens of 1 PH/s each holder gets: enough for the transfers a benchmark makes and
		/// for yields above the payout asset's minimum balance.
		const UNITS: u128 = 1_000;
		let series = pallet_hashrate_tokens::NextSeriesId::<Runtime>::get();
		pallet_hashrate_tokens::NextSeriesId::<Runtime>::put(
			series.next().expect("benchmarks create few series"),
		);
		let first = PeriodIndex(PowOracle::current_period().0 + 1);
		let terms = SeriesTerms {
			name: SeriesName::truncate_from(b"Benchmark".to_vec()),
			symbol: Symbol::truncate_from(b"BENCH".to_vec()),
			decimals: 0,
			hashrate_per_token: Hashrate::from_ths(1_000).expect("small"),
			first_period: first,
			last_period: PeriodIndex(first.0 + periods.max(1) - 1),
			cost_per_th_day: Sats(0),
			supply_cap: u128::from(u64::MAX),
			min_balance: 1,
		};
		pallet_hashrate_tokens::Series::<Runtime>::insert(
			series,
			SeriesRecord {
				facility: FacilityId(0),
				terms,
				status: SeriesStatus::Issued,
				supply: 0,
				reserved: 0,
				collateral: 0,
			},
		);
		// The yield pallet finds a facility's series through the token pallet's list; a full
		// list (many benchmark series) drops its oldest.
		pallet_hashrate_tokens::FacilitySeries::<Runtime>::mutate(FacilityId(0), |list| {
			if list.is_full() {
				list.remove(0);
			}
			let _ = list.try_push(series);
		});
		let accounts: alloc::vec::Vec<AccountId> =
			(0..holders).map(|i| frame_benchmarking::account("holder", i, 0)).collect();
		for who in &accounts {
			RealYield::before_supply_change(series).expect("hook accepts a mint");
			RealYield::before_balance_change(series, who, UNITS).expect("hook accepts a mint");
			pallet_hashrate_tokens::Holdings::<Runtime>::insert(who, series, UNITS);
			pallet_hashrate_tokens::Series::<Runtime>::mutate(series, |record| {
				if let Some(record) = record {
					record.supply += UNITS;
				}
			});
		}
		(series, accounts)
	}

	fn transfer(
		series: hashrate_primitives::SeriesId,
		from: &AccountId,
		to: &AccountId,
		units: u128,
	) {
		HashrateTokens::transfer(RuntimeOrigin::signed(from.clone()), series, to.clone(), units)
			.expect("benchmark transfer");
	}

	fn finalize(
		series: hashrate_primitives::SeriesId,
		period: hashrate_primitives::PeriodIndex,
		hashrate_ths: u128,
		sats: u64,
	) {
		use hashrate_primitives::{Hashrate, PeriodOutput, Sats};
		let output = PeriodOutput {
			hashrate: Hashrate(hashrate_ths.saturating_mul(1_000)),
			sats: Sats(sats),
			uptime: 1_000,
			..Default::default()
		};
		finalize_with(
			series,
			period,
			output,
			pallet_pow_oracle::OutputSource::GovernanceFromReport,
		);
	}

	fn finalize_defaulted(
		series: hashrate_primitives::SeriesId,
		period: hashrate_primitives::PeriodIndex,
	) {
		finalize_with(
			series,
			period,
			Default::default(),
			pallet_pow_oracle::OutputSource::Defaulted,
		);
	}

	fn add_collateral(series: hashrate_primitives::SeriesId, amount: u128) {
		Self::fund_payout(&HashrateTokens::collateral_account(), amount);
		pallet_hashrate_tokens::Series::<Runtime>::mutate(series, |record| {
			if let Some(record) = record {
				record.collateral += amount;
			}
		});
	}

	fn fund_payout(who: &AccountId, amount: u128) {
		<super::tokens::TokensBenchmarkHelper as pallet_hashrate_tokens::BenchmarkHelper<
			AccountId,
		>>::fund_payout(who, amount);
	}
}

/// The oracle's record of `series`' facility's `period`, final, with network data, announced.
#[cfg(feature = "runtime-benchmarks")]
fn finalize_with(
	series: hashrate_primitives::SeriesId,
	period: hashrate_primitives::PeriodIndex,
	output: hashrate_primitives::PeriodOutput,
	source: pallet_pow_oracle::OutputSource,
) {
	use hashrate_primitives::{OnPeriodFinal, PeriodOutcome};
	let facility = pallet_hashrate_tokens::Series::<Runtime>::get(series)
		.expect("benchmark series exists")
		.facility;
	super::tokens::write_final_output(facility, period, output, source);
	let outcome = match source {
		pallet_pow_oracle::OutputSource::Defaulted => PeriodOutcome::DefaultedByFacility,
		_ => PeriodOutcome::Final(output),
	};
	RealYield::on_period_final(facility, period, &outcome);
}
