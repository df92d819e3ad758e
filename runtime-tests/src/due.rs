//! The chain drives itself: how much of the lifecycle a block does in its idle time when its
//! transactions fill the normal class, from this runtime's weights (no clock involved: the
//! figures are what the weights promise, printed with `--nocapture`).

use frame_support::{
	dispatch::DispatchClass,
	traits::Get,
	weights::{RuntimeDbWeight, Weight},
};
use hashrate_runtime::*;
use pallet_facilities::WeightInfo as _;
use pallet_pow_oracle::WeightInfo as _;

/// What `on_idle` has when the normal class is full: the block's maximum, less the normal
/// class's maximum, the block's base weight and the hooks' worst `on_initialize` (the oracle
/// fixing [`pallet_pow_oracle::MAX_FIXED_PER_BLOCK`] periods, the facilities' first-block
/// approval times).
fn idle_in_a_full_block() -> Weight {
	let limits = <Runtime as frame_system::Config>::BlockWeights::get();
	let normal = limits.get(DispatchClass::Normal).max_total.expect("normal has a maximum");
	let db: RuntimeDbWeight = <Runtime as frame_system::Config>::DbWeight::get();
	let oracle_hook = <Runtime as pallet_pow_oracle::Config>::WeightInfo::fix_network_data()
		.saturating_mul(u64::from(pallet_pow_oracle::MAX_FIXED_PER_BLOCK))
		.saturating_add(db.reads_writes(5, 2));
	limits
		.max_block
		.saturating_sub(normal)
		.saturating_sub(limits.base_block)
		.saturating_sub(oracle_hook)
		.saturating_sub(db.reads_writes(3, 3))
}

#[test]
fn a_block_full_of_transactions_still_works_through_due_items() {
	let db: RuntimeDbWeight = <Runtime as frame_system::Config>::DbWeight::get();
	let entry = hashrate_primitives::due::entry_weight(db.reads(1), db.writes(1));
	let idle = idle_in_a_full_block();
	let max_subscribers = <Runtime as pallet_hashrate_tokens::Config>::MaxSubscribers::get();
	let items = [
		("oracle: close a facility-period", PowOracle::close_weight()),
		("oracle: make an output final", PowOracle::make_final_weight()),
		("yield: move a series on (a period and a full cascade of 8)", RealYield::advance_weight()),
		(
			"tokens: close an offering of 512 subscribers",
			HashrateTokens::close_offering_weight(max_subscribers),
		),
		(
			"facilities: complete a retirement",
			<Runtime as pallet_facilities::Config>::WeightInfo::complete_retirement(),
		),
	];
	println!(
		"idle time of a block full of user transactions: {} ms",
		idle.ref_time() / 1_000_000_000
	);
	println!("| item | weight (ms) | per full block |");
	let mut fewest = u64::MAX;
	for (what, weight) in items {
		let each = weight.saturating_add(entry);
		let per_block = idle.ref_time() / each.ref_time();
		fewest = fewest.min(if what.starts_with("tokens") { u64::MAX } else { per_block });
		println!("| {what} | {:.2} | {per_block} |", each.ref_time() as f64 / 1_000_000_000.0);
		// Every kind of item fits a full block, proof size included.
		assert!(idle.all_gte(each), "{what} does not fit the idle time of a full block");
	}
	// The bound the README names: at least 50 of the heaviest per-period items (a series
	// moved on with a full cascade) per block even when every block is full.
	assert!(fewest >= 50, "only {fewest} items per full block");
}
