//! Towards the simulated year (issue 18, part 2): the real runtime at production timings
//! (UTC-day periods, two days to report, three to dispute, a week to pay), blocks only at the
//! moments something happens, the chain left to drive itself in between.

use crate::driver::{preset_json_patched, Chain};
use hashrate_primitives::{
	physics, Difficulty, Energy, FacilityId, Hashrate, NetworkData, PeriodIndex, PeriodOutput, Sats,
};
use hashrate_runtime::*;
use serde_json::json;
use sp_core::H256;
use sp_keyring::Sr25519Keyring::{
	self, Alice, AliceStash, Bob, BobStash, Charlie, CharlieStash, Eve,
};

/// Seconds in a period (a UTC day).
const DAY: u64 = 86_400;
/// Network data fed every day: difficulty and reward per block of late 2025.
const NETWORK: NetworkData = NetworkData {
	difficulty: Difficulty(149_301_205_959_699),
	reward_per_block: Sats(315_800_000),
};

/// The development preset (its demo facilities, feeders, attestors and balances) with the
/// production timings and rules.
fn production_chain() -> Chain {
	let patch = json!({
		"powOracle": {
			"periodLength": DAY,
			"timing": serde_json::to_value(pallet_pow_oracle::Timing::default()).unwrap(),
		},
		"realYield": {
			"rules": serde_json::to_value(pallet_real_yield::YieldRules::default()).unwrap(),
		},
		"hashrateTokens": {
			"rules": serde_json::to_value(pallet_hashrate_tokens::IssuanceRules::default()).unwrap(),
		},
	});
	Chain::with_genesis(preset_json_patched(sp_genesis_builder::DEV_RUNTIME_PRESET, patch))
		.without_import()
}

/// A day of `ths` TH/s at 15 J/TH and a 2 % pool fee: what the facility reports and its
/// attestors observe.
fn day_output(ths: u128) -> PeriodOutput {
	let hashrate = Hashrate(ths * Hashrate::MILLI_PER_TH);
	let gross = physics::expected_sats(hashrate, DAY, NETWORK.difficulty, NETWORK.reward_per_block)
		.expect("fits");
	PeriodOutput {
		hashrate,
		sats: Sats(gross.get() * 980 / 1_000),
		// ths x 15 J/TH x 24 h, in kWh.
		energy: Energy(u64::try_from(ths * 15 * 24 / 1_000).expect("fits")),
		uptime: 1_000,
		pool_fee: 20,
		evidence: H256::repeat_byte(0x42),
	}
}

/// Builds a block at unix second `time` (its slot) with `calls`; each must succeed.
fn block_at(chain: &mut Chain, time: u64, calls: Vec<(Sr25519Keyring, RuntimeCall)>) {
	let slot = time * 1_000 / SLOT_DURATION;
	let transactions = chain.read(|| {
		let mut nonces = std::collections::BTreeMap::new();
		calls
			.into_iter()
			.map(|(signer, call)| {
				let nonce = nonces.entry(signer).or_insert_with(|| {
					frame_system::Pallet::<Runtime>::account_nonce(signer.to_account_id())
				});
				let transaction = crate::driver::sign(signer, *nonce, call);
				*nonce += 1;
				transaction
			})
			.collect::<Vec<_>>()
	});
	for outcome in chain.block_at_slot(slot, transactions) {
		outcome.expect("the transaction succeeds");
	}
}

/// A week at production timings: demo facility 0 reports every day (Eve), the feeders feed
/// and the three attestors attest, in one block ten minutes after each day ends; demo
/// facility 1 stays silent. Between them only empty blocks every six hours. Nobody calls
/// `close` or `make_final`: the chain makes facility 0's days final three days after they
/// were finalized, and defaults facility 1's days two days after they end (suspending it at
/// the third).
#[test]
fn a_week_at_production_timings_runs_itself() {
	let mut chain = production_chain();
	// The first block at the start of a UTC day: the demo facilities owe every day from it.
	let start = crate::driver::GENESIS_TIME_MS / 1_000;
	block_at(&mut chain, start, Vec::new());
	let first = PeriodIndex(u32::try_from(start / DAY).expect("fits"));
	let output = day_output(110_000);
	for day in 0..10u32 {
		let period = PeriodIndex(first.0 + day);
		let end = (u64::from(period.0) + 1) * DAY;
		let mut calls: Vec<(Sr25519Keyring, RuntimeCall)> = [Alice, Bob, Charlie]
			.into_iter()
			.map(|feeder| {
				(
					feeder,
					pallet_pow_oracle::Call::feed_network_data { period, data: NETWORK }.into(),
				)
			})
			.collect();
		if day < 7 {
			calls.push((
				Eve,
				pallet_pow_oracle::Call::report { facility: FacilityId(0), period, output }.into(),
			));
			for attestor in [AliceStash, BobStash, CharlieStash] {
				calls.push((
					attestor,
					pallet_pow_oracle::Call::attest { facility: FacilityId(0), period, output }
						.into(),
				));
			}
		}
		block_at(&mut chain, end + 600, calls);
		for quarter in 1..4 {
			block_at(&mut chain, end + 600 + quarter * DAY / 4, Vec::new());
		}
	}
	let outcome = |facility: u32, day: u32| chain_outcome(facility, PeriodIndex(first.0 + day));
	let outcomes: Vec<_> = (0..7).map(|day| chain.read(|| outcome(0, day))).collect();
	assert!(
		outcomes.iter().all(|o| matches!(o, Some(hashrate_primitives::PeriodOutcome::Final(_)))),
		"facility 0's reported days are final: {outcomes:?}"
	);
	let silent: Vec<_> = (0..7).map(|day| chain.read(|| outcome(1, day))).collect();
	assert!(
		silent
			.iter()
			.all(|o| matches!(o, Some(hashrate_primitives::PeriodOutcome::DefaultedByFacility))),
		"facility 1's silent days defaulted: {silent:?}"
	);
	assert_eq!(
		chain.read(|| <Facilities as hashrate_primitives::FacilityInspect<_, _>>::status(
			FacilityId(1)
		)),
		Some(hashrate_primitives::FacilityStatus::Suspended)
	);
}

fn chain_outcome(facility: u32, period: PeriodIndex) -> Option<hashrate_primitives::PeriodOutcome> {
	<PowOracle as hashrate_primitives::PowOracle>::final_outcome(FacilityId(facility), period)
}
