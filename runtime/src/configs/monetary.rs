//! The native token, transaction fees and where fees go.
//!
//! # Fee split
//! Every transaction pays a fee (weight fee + length fee, scaled by the congestion
//! multiplier) and an optional tip. [`DealWithFees`] splits them so that block producers are
//! paid for their work and the chain keeps a treasury:
//! - the fee: [`AUTHOR_FEE_PERCENT`] % to the block author, the rest to [`TreasuryAccount`];
//! - the tip: all of it to the block author (tips buy priority, which only the author grants).
//!
//! A share that cannot be credited (no author known, or a credit below the existential deposit
//! to an account that does not exist yet) is burned, never lost into an account nobody owns.
//! The treasury account is endowed with the existential deposit at genesis so its share is
//! always credited.

use crate::*;
use frame_support::{
	parameter_types,
	traits::{
		fungible::{Balanced, Credit},
		tokens::imbalance::ResolveTo,
		ConstU32, Imbalance, OnUnbalanced, VariantCountOf,
	},
	weights::{ConstantMultiplier, IdentityFee},
	PalletId,
};
use pallet_transaction_payment::{FungibleAdapter, Multiplier, TargetedFeeAdjustment};
use sp_runtime::{
	traits::{AccountIdConversion, Bounded},
	FixedPointNumber, Perquintill,
};

/// Percent of each transaction fee that goes to the block author; the rest goes to the
/// treasury account. Tips go to the author in full.
pub const AUTHOR_FEE_PERCENT: u32 = 50;
/// Percent of each transaction fee that goes to the treasury account.
pub const TREASURY_FEE_PERCENT: u32 = 100 - AUTHOR_FEE_PERCENT;

/// Fee per byte of an extrinsic.
pub const TRANSACTION_BYTE_FEE: Balance = MICRO_UNIT;

parameter_types! {
	/// Id from which the treasury account is derived.
	pub const TreasuryPalletId: PalletId = PalletId(*b"hr/trsry");
	/// The treasury account: receives its share of fees (and, with the domain pallets,
	/// slashed facility deposits).
	pub TreasuryAccount: AccountId = TreasuryPalletId::get().into_account_truncating();
	/// Fee per byte of an extrinsic.
	pub const TransactionByteFee: Balance = TRANSACTION_BYTE_FEE;
	/// Blocks are considered congested above a quarter full; fees rise from there.
	pub const TargetBlockFullness: Perquintill = Perquintill::from_percent(25);
	/// How fast the fee multiplier follows congestion (the value Polkadot uses).
	pub AdjustmentVariable: Multiplier = Multiplier::saturating_from_rational(75, 1_000_000);
	/// Fees never drop below their base.
	pub MinimumMultiplier: Multiplier = Multiplier::saturating_from_integer(1);
	/// No upper bound on the multiplier.
	pub MaximumMultiplier: Multiplier = Bounded::max_value();
}

impl pallet_balances::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type WeightInfo = weights::pallet_balances::WeightInfo<Runtime>;
	type Balance = Balance;
	/// Dust of reaped accounts is burned.
	type DustRemoval = ();
	type ExistentialDeposit = frame_support::traits::ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type ReserveIdentifier = [u8; 8];
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxLocks = ConstU32<50>;
	/// Reserves are not used on this chain: pallets hold funds with named holds.
	type MaxReserves = ConstU32<0>;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type DoneSlashHandler = ();
}

/// Credits the block author of the current block; burns the credit if there is none or it
/// cannot be credited.
pub struct ToBlockAuthor;

impl OnUnbalanced<Credit<AccountId, Balances>> for ToBlockAuthor {
	fn on_nonzero_unbalanced(credit: Credit<AccountId, Balances>) {
		if let Some(author) = Authorship::author() {
			// On failure the credit comes back and is dropped here, which burns it.
			let _ = Balances::resolve(&author, credit);
		}
	}
}

/// Splits fees and tips between the block author and the treasury, see the module docs.
pub struct DealWithFees;

impl OnUnbalanced<Credit<AccountId, Balances>> for DealWithFees {
	fn on_unbalanceds(mut fees_then_tips: impl Iterator<Item = Credit<AccountId, Balances>>) {
		if let Some(fees) = fees_then_tips.next() {
			let (mut to_author, to_treasury) =
				fees.ration(AUTHOR_FEE_PERCENT, TREASURY_FEE_PERCENT);
			if let Some(tips) = fees_then_tips.next() {
				to_author.subsume(tips);
			}
			ResolveTo::<TreasuryAccount, Balances>::on_unbalanced(to_treasury);
			ToBlockAuthor::on_unbalanced(to_author);
		}
	}
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OnChargeTransaction = FungibleAdapter<Balances, DealWithFees>;
	type WeightToFee = IdentityFee<Balance>;
	type LengthToFee = ConstantMultiplier<Balance, TransactionByteFee>;
	type FeeMultiplierUpdate = TargetedFeeAdjustment<
		Self,
		TargetBlockFullness,
		AdjustmentVariable,
		MinimumMultiplier,
		MaximumMultiplier,
	>;
	type OperationalFeeMultiplier = frame_support::traits::ConstU8<5>;
	type WeightInfo = weights::pallet_transaction_payment::WeightInfo<Runtime>;
}
