//! Transactions per block by weight: what a 6 s block admits of each kind of transaction a
//! holder sends, from this runtime's weights (base extrinsic + transaction extensions + the
//! call), against the normal class's maximum. No clock involved: these are the figures the
//! weights promise (printed with `--nocapture`); `scripts/bench-throughput.sh` measures what a
//! real node then authors and how long it takes.

use crate::driver::extensions;
use frame_support::{
	dispatch::{DispatchClass, GetDispatchInfo},
	weights::Weight,
};
use hashrate_runtime::{configs::assets::PAYOUT_ASSET_ID, *};
use sp_keyring::Sr25519Keyring;
use sp_runtime::MultiAddress;

/// The stable2609 solochain template's balance transfers per block on the machine that
/// measured this runtime's weights (issue 19).
const TEMPLATE_TRANSFERS_PER_BLOCK: u64 = 1_974;

/// What a signed `call` weighs in a block: the base extrinsic, its transaction extensions and
/// the call's declared weight.
fn signed_weight(call: RuntimeCall) -> Weight {
	let base = <Runtime as frame_system::Config>::BlockWeights::get()
		.get(DispatchClass::Normal)
		.base_extrinsic;
	let signature =
		sp_runtime::MultiSignature::Sr25519(sp_core::sr25519::Signature::from_raw([0; 64]));
	let xt = UncheckedExtrinsic::new_signed(
		call,
		MultiAddress::Id(Sr25519Keyring::Bob.to_account_id()),
		signature,
		extensions(0),
	);
	base.saturating_add(xt.get_dispatch_info().total_weight())
}

#[test]
fn a_block_holds_twice_the_templates_balance_transfers_by_weight() {
	let normal = <Runtime as frame_system::Config>::BlockWeights::get()
		.get(DispatchClass::Normal)
		.max_total
		.expect("normal has a maximum");
	let to = MultiAddress::Id(Sr25519Keyring::Ferdie.to_account_id());
	let kinds = [
		(
			"balance transfer",
			RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
				dest: to.clone(),
				value: UNIT,
			}),
		),
		(
			"payout-asset transfer",
			RuntimeCall::Assets(pallet_assets::Call::transfer_keep_alive {
				id: PAYOUT_ASSET_ID.into(),
				target: to.clone(),
				amount: 1_000,
			}),
		),
		(
			"hashrate-token transfer",
			RuntimeCall::HashrateTokens(pallet_hashrate_tokens::Call::transfer {
				series: hashrate_primitives::SeriesId(0),
				to: Sr25519Keyring::Ferdie.to_account_id(),
				amount: 1,
			}),
		),
		(
			"claim",
			RuntimeCall::RealYield(pallet_real_yield::Call::claim {
				series: hashrate_primitives::SeriesId(0),
			}),
		),
	];
	println!("normal class: {} ms per block", normal.ref_time() / 1_000_000_000);
	println!("| transaction | declared weight (µs) | per block |");
	let mut per_block = Vec::new();
	for (what, call) in kinds {
		let each = signed_weight(call);
		let count = normal.ref_time() / each.ref_time();
		println!("| {what} | {} | {count} |", each.ref_time() / 1_000_000);
		per_block.push(count);
	}
	assert!(
		per_block[0] >= 2 * TEMPLATE_TRANSFERS_PER_BLOCK,
		"{} balance transfers per block by weight, fewer than twice the template's {}",
		per_block[0],
		TEMPLATE_TRANSFERS_PER_BLOCK
	);
}
