//! The payout asset: one BTC-pegged `pallet-assets` asset in which yield, offering payments
//! and collateral are paid (8 decimals, so one unit is one satoshi).

use crate::*;
use frame_support::{
	parameter_types,
	traits::{AsEnsureOriginWithArg, ConstU128, ConstU32},
};
use frame_system::{EnsureRoot, EnsureSigned};

/// Id of the BTC payout asset.
pub const PAYOUT_ASSET_ID: u32 = 1;
/// Decimals of the payout asset: one unit is one satoshi.
pub const PAYOUT_ASSET_DECIMALS: u8 = 8;
/// Smallest balance of the payout asset an account may hold: 1,000 sat. Below bitcoin's own
/// dust limit for most outputs, so nothing a holder could withdraw is ever reaped, and large
/// enough that accounts cannot be spammed into existence for nothing.
pub const PAYOUT_ASSET_MIN_BALANCE: Balance = 1_000;

parameter_types! {
	/// The payout asset, for the pallets that pay in it.
	pub const PayoutAsset: u32 = PAYOUT_ASSET_ID;
}

impl pallet_assets::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// Amounts of an asset in its smallest unit (sats for the payout asset).
	type Balance = Balance;
	type RemoveItemsLimit = ConstU32<1_000>;
	type AssetId = u32;
	type AssetIdParameter = codec::Compact<u32>;
	type ReserveData = ();
	type Currency = Balances;
	/// Anyone may create an asset for a deposit; the payout asset is created at genesis or by
	/// governance with `force_create`.
	type CreateOrigin = AsEnsureOriginWithArg<EnsureSigned<AccountId>>;
	type ForceOrigin = EnsureRoot<AccountId>;
	type AssetDeposit = ConstU128<{ 100 * UNIT }>;
	type AssetAccountDeposit = ConstU128<{ UNIT / 100 }>;
	type MetadataDepositBase = ConstU128<{ UNIT }>;
	type MetadataDepositPerByte = ConstU128<{ UNIT / 100 }>;
	type ApprovalDeposit = ConstU128<{ UNIT / 100 }>;
	type StringLimit = ConstU32<50>;
	type Freezer = ();
	type Holder = ();
	type Extra = ();
	type CallbackHandle = ();
	type AssetIdAllocator = ();
	type WeightInfo = weights::pallet_assets::WeightInfo<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
}
