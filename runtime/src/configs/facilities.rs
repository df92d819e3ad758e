//! The registry of mining facilities.

use crate::*;
use frame_support::{
	parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU32},
};
use frame_system::EnsureRoot;
use hashrate_primitives::Efficiency;

use super::monetary::TreasuryAccount;

/// Deposit every facility posts: 1,000 HASH.
pub const FACILITY_DEPOSIT_BASE: Balance = 1_000 * UNIT;
/// Deposit per TH/s of declared capacity: 0.1 HASH (a 100 PH/s facility posts 11,000 HASH).
pub const FACILITY_DEPOSIT_PER_TERAHASH: Balance = 100 * MILLI_UNIT;

parameter_types! {
	/// No ASIC of 2025-2026 does better than about 9.5 J/TH; 9 J/TH leaves room for the
	/// next generation and refuses the implausible.
	pub const MinPlausibleEfficiency: Efficiency = Efficiency(9_000);
}

impl pallet_facilities::Config for Runtime {
	type Time = Timestamp;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	/// Sudo today; a council origin later.
	type GovernanceOrigin = EnsureRoot<AccountId>;
	/// Slashed deposits go to the treasury account.
	type OnSlash = ResolveTo<TreasuryAccount, Balances>;
	type DepositBase = frame_support::traits::ConstU128<FACILITY_DEPOSIT_BASE>;
	type DepositPerTerahash = frame_support::traits::ConstU128<FACILITY_DEPOSIT_PER_TERAHASH>;
	type MinPlausibleEfficiency = MinPlausibleEfficiency;
	type MaxReporters = ConstU32<8>;
	type MaxFleetRows = ConstU32<16>;
	/// A removed payout script stays its facility's for 30 days: pools pay within days, and a
	/// proof of a payout mined before the removal has that long to arrive.
	type ScriptRetention = frame_support::traits::ConstU64<{ 30 * 86_400 }>;
	/// An attestor may not be offered a facility's operatorship.
	type Attestors = PowOracle;
	type WeightInfo = pallet_facilities::weights::SubstrateWeight<Runtime>;
}
