//! The whole lifecycle on the real runtime, block by block ([`super::driver`]): a facility
//! registers and governance approves it; its output is fed, reported, attested and made
//! final; its operator issues a series and sells it; the series' first period is reported
//! and made final, the operator pays exactly what it owes and both holders claim their
//! time-weighted shares — every amount checked to the satoshi against the formulas of
//! `docs/domain.md`, computed here independently of the pallets.

use crate::driver::{Chain, Failure};
use hashrate_primitives::{
	Difficulty, Energy, FacilityId, Hashrate, NetworkData, PayoutBalance, PeriodIndex,
	PeriodOutput, Sats, SeriesId,
};
use hashrate_runtime::{
	configs::{assets::PAYOUT_ASSET_ID, monetary::TreasuryAccount},
	genesis_config_presets::demo_facilities,
	*,
};
use sp_core::H256;
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Ferdie, One, Two};
use sp_runtime::DispatchError;

/// The development preset's period length, seconds.
const PERIOD: u64 = 30;
/// Network data fed for every period: difficulty and reward per block of spring 2024.
const DIFFICULTY: u128 = 149_301_205_959_699;
const REWARD: u64 = 315_800_000;
/// What the new facility reports and attestors observe, TH/s.
const REPORTED_THS: u128 = 110_000;
/// Hashrate per token: 100 TH/s.
const HASHRATE_PER_TOKEN_THS: u128 = 100;
/// Price of a token, sats.
const PRICE: PayoutBalance = 1_000;
/// Collateral the operator locks, sats.
const COLLATERAL: PayoutBalance = 1_000_000;
/// The development protocol fee, per-mill.
const FEE_PER_MILL: u128 = 20;
/// One bitcoin in sats.
const BTC: PayoutBalance = 100_000_000;

/// The new facility's operator and reporter key (not endowed by the preset).
const OPERATOR: Sr25519Keyring = One;
const REPORTER: Sr25519Keyring = Two;

/// Sats a facility of `ths` TH/s earns in a 30 s period at [`DIFFICULTY`] and [`REWARD`]:
/// `hashes / (difficulty x 2^32) x reward`, less a 2 % pool fee, rounded down.
fn expected_sats(ths: u128) -> u128 {
	let hashes = ths * 1_000_000_000_000 * u128::from(PERIOD);
	let gross = hashes * u128::from(REWARD) / (DIFFICULTY << 32);
	gross * 980 / 1_000
}

/// The output report and attestations state for a period of `ths` TH/s.
fn output(ths: u128) -> PeriodOutput {
	PeriodOutput {
		hashrate: Hashrate(ths * Hashrate::MILLI_PER_TH),
		sats: Sats(u64::try_from(expected_sats(ths)).expect("fits")),
		// 110 PH/s at 15 J/TH for 30 s: 13.75 kWh.
		energy: Energy(14),
		uptime: 980,
		pool_fee: 20,
		evidence: H256::repeat_byte(0x42),
	}
}

fn btc(chain: &mut Chain, who: Sr25519Keyring) -> PayoutBalance {
	chain.read(|| Assets::balance(PAYOUT_ASSET_ID, who.to_account_id()))
}

/// Unit-seconds of a balance history `[(from, units)]` within `[start, end)`.
fn held(history: &[(u64, u128)], start: u64, end: u64) -> u128 {
	history
		.iter()
		.enumerate()
		.map(|(i, &(from, units))| {
			let until = history.get(i + 1).map_or(u64::MAX, |next| next.0);
			let (a, b) = (from.max(start), until.min(end));
			units * u128::from(b.saturating_sub(a))
		})
		.sum()
}

fn keyring(account: &AccountId) -> Sr25519Keyring {
	Sr25519Keyring::from_account_id(account).expect("a development key")
}

/// Feeds `period`'s network data from every feeder, the reporter reports, every attestor
/// attests (which finalizes it), and once its challenge window passed anyone makes it
/// final. Returns the events of `make_final`.
fn make_final(chain: &mut Chain, facility: FacilityId, period: PeriodIndex) -> Vec<RuntimeEvent> {
	let data = NetworkData { difficulty: Difficulty(DIFFICULTY), reward_per_block: Sats(REWARD) };
	let feeders = chain.read(pallet_pow_oracle::Feeders::<Runtime>::get);
	let feeds = feeders
		.iter()
		.map(|feeder| {
			let call = pallet_pow_oracle::Call::feed_network_data { period, data };
			(keyring(feeder), call.into())
		})
		.collect();
	for outcome in chain.submit_all(feeds) {
		outcome.expect("the feeder feeds");
	}
	let report = pallet_pow_oracle::Call::report { facility, period, output: output(REPORTED_THS) };
	chain.submit(REPORTER, report).expect("the reporter reports");
	let attestors = chain.read(pallet_pow_oracle::Attestors::<Runtime>::get);
	let attestations = attestors
		.iter()
		.map(|attestor| {
			let call =
				pallet_pow_oracle::Call::attest { facility, period, output: output(REPORTED_THS) };
			(keyring(attestor), call.into())
		})
		.collect();
	let outcomes = chain.submit_all(attestations);
	for outcome in &outcomes {
		outcome.as_ref().expect("the attestor attests");
	}
	let finalized = outcomes.last().expect("attestors").as_ref().expect("attested");
	assert!(
		finalized.iter().any(|e| matches!(
			e,
			RuntimeEvent::PowOracle(pallet_pow_oracle::Event::Finalized { .. })
		)),
		"the last attestation finalizes the period"
	);
	// Each attempt is a block, six seconds later: the window closes within a few.
	let challenge_window = chain.read(pallet_pow_oracle::Timings::<Runtime>::get).challenge_window;
	for _ in 0..=challenge_window.div_ceil(6) {
		match chain.submit(Ferdie, pallet_pow_oracle::Call::make_final { facility, period }) {
			Ok(events) => return events,
			Err(failure) if failure.name() == Some("ChallengeWindowOpen") => continue,
			Err(failure) => panic!("make_final: {failure:?}"),
		}
	}
	panic!("the challenge window of period {period:?} did not close");
}

fn series_of(events: &[RuntimeEvent]) -> SeriesId {
	events
		.iter()
		.find_map(|e| match e {
			RuntimeEvent::HashrateTokens(pallet_hashrate_tokens::Event::SeriesCreated {
				series,
				..
			}) => Some(*series),
			_ => None,
		})
		.expect("SeriesCreated")
}

#[test]
fn a_facility_registers_reports_issues_a_series_pays_and_holders_claim_to_the_satoshi() {
	lifecycle(Chain::development());
}

/// The same with every block stamped 2.345 s into its slot, as an Aura author's clock would:
/// period ends then fall between blocks.
#[test]
fn the_lifecycle_holds_with_blocks_stamped_mid_slot() {
	lifecycle(Chain::development().with_time_in_slot(2_345));
}

fn lifecycle(mut chain: Chain) {
	// Governance funds the new operator and its reporter key and gives the operator bitcoin
	// (the payout asset's issuer is the sudo key).
	let fund = |who: Sr25519Keyring, value: Balance| -> RuntimeCall {
		pallet_balances::Call::transfer_keep_alive { dest: who.to_account_id().into(), value }
			.into()
	};
	let mint = pallet_assets::Call::mint {
		id: PAYOUT_ASSET_ID.into(),
		beneficiary: OPERATOR.to_account_id().into(),
		amount: 10 * BTC,
	};
	for outcome in chain.submit_all(vec![
		(Alice, fund(OPERATOR, 50_000 * UNIT)),
		(Alice, fund(REPORTER, 100 * UNIT)),
		(Alice, mint.into()),
	]) {
		outcome.expect("funded");
	}

	// 1. The facility registers (a copy of demo facility 0's site), governance approves it
	//    and the operator adds its reporter key.
	let demo = demo_facilities().remove(0);
	let mut profile = demo.profile.clone();
	profile.name = b"Fjord Hydro Hashing".to_vec().try_into().expect("short");
	let registered = chain
		.submit(OPERATOR, pallet_facilities::Call::register { site: demo.site, profile })
		.expect("registered");
	let facility = registered
		.iter()
		.find_map(|e| match e {
			RuntimeEvent::Facilities(pallet_facilities::Event::Registered { facility, .. }) => {
				Some(*facility)
			},
			_ => None,
		})
		.expect("Registered");
	assert_eq!(facility, FacilityId(2), "after the two demo facilities");
	assert_eq!(
		chain.submit(REPORTER, pallet_facilities::Call::approve { facility }),
		Err(Failure::Failed(DispatchError::BadOrigin)),
		"only governance approves"
	);
	chain.sudo(pallet_facilities::Call::approve { facility }).expect("approved");
	chain
		.submit(
			OPERATOR,
			pallet_facilities::Call::add_reporter {
				facility,
				reporter: REPORTER.to_account_id().into(),
			},
		)
		.expect("reporter key offered");
	chain
		.submit(REPORTER, pallet_facilities::Call::accept_reporter { facility })
		.expect("the key accepts: a reporter key");

	// 2. Its first whole period active is reported, attested and made final: the backing
	//    of a series.
	let backing = PeriodIndex(u32::try_from(chain.now().div_ceil(PERIOD)).expect("fits"));
	chain.advance_to((u64::from(backing.0) + 1) * PERIOD);
	let made_final = make_final(&mut chain, facility, backing);
	assert!(made_final.iter().any(|e| matches!(
		e,
		RuntimeEvent::PowOracle(pallet_pow_oracle::Event::MadeFinal { facility: f, period, .. })
			if *f == facility && *period == backing
	)));

	// 3. The operator creates a series of 100 TH/s tokens whose term starts after the
	//    offering, opens the offering, Bob buys 300 and Ferdie 200, the operator locks
	//    collateral; at its close time the chain closes it and the tokens are minted.
	let closes = chain.now() + 60;
	// The term starts a period after the close: an offering closed once its term started
	// fails.
	let first_period = PeriodIndex(u32::try_from(closes.div_ceil(PERIOD) + 1).expect("fits"));
	let terms = pallet_hashrate_tokens::SeriesTerms {
		name: b"Fjord Hydro Yield".to_vec().try_into().expect("short"),
		symbol: b"FHY".to_vec().try_into().expect("short"),
		decimals: 0,
		hashrate_per_token: Hashrate(HASHRATE_PER_TOKEN_THS * Hashrate::MILLI_PER_TH),
		first_period,
		last_period: PeriodIndex(first_period.0 + 9),
		cost_per_th_day: Sats(0),
		supply_cap: 1_000,
		min_balance: 1,
	};
	let created = chain
		.submit(OPERATOR, pallet_hashrate_tokens::Call::create_series { facility, terms })
		.expect("series created");
	let series = series_of(&created);
	let offering = pallet_hashrate_tokens::OfferingTerms {
		price: PRICE,
		closes,
		soft_cap: 100,
		hard_cap: 1_000,
		min_subscription: 1,
	};
	chain
		.submit(OPERATOR, pallet_hashrate_tokens::Call::open_offering { series, terms: offering })
		.expect("offering opened");
	let subscribe = |amount| pallet_hashrate_tokens::Call::subscribe { series, amount }.into();
	let (bob_btc, ferdie_btc) = (btc(&mut chain, Bob), btc(&mut chain, Ferdie));
	for outcome in chain.submit_all(vec![
		(Bob, subscribe(300)),
		(Ferdie, subscribe(200)),
		(
			OPERATOR,
			pallet_hashrate_tokens::Call::add_collateral { series, amount: COLLATERAL }.into(),
		),
	]) {
		outcome.expect("subscribed and collateral locked");
	}
	assert_eq!(btc(&mut chain, Bob), bob_btc - 300 * PRICE);
	assert_eq!(btc(&mut chain, Ferdie), ferdie_btc - 200 * PRICE);
	assert_eq!(
		chain
			.submit(Alice, pallet_hashrate_tokens::Call::close_offering { series })
			.map_err(|f| f.name()),
		Err(Some("OfferingStillOpen"))
	);
	// Nobody closes it: the first block past its close time does, in its idle time.
	chain.advance_to(closes);
	let minted_at = chain.now();
	let holdings = |who: Sr25519Keyring| {
		pallet_hashrate_tokens::Holdings::<Runtime>::get(who.to_account_id(), series)
	};
	assert_eq!(chain.read(|| (holdings(Bob), holdings(Ferdie))), (300, 200));
	assert_eq!(
		chain
			.submit(Alice, pallet_hashrate_tokens::Call::close_offering { series })
			.map_err(|f| f.name()),
		Err(Some("OfferingNotOpen")),
		"the fallback finds it closed"
	);

	// 4. Inside the first period of the term Bob sends Ferdie 100.
	let start = u64::from(first_period.0) * PERIOD;
	let end = start + PERIOD;
	chain.advance_to(start);
	chain
		.submit(
			Bob,
			pallet_hashrate_tokens::Call::transfer {
				series,
				to: Ferdie.to_account_id(),
				amount: 100,
			},
		)
		.expect("transfer");
	let moved_at = chain.now();
	assert!(moved_at > start && moved_at < end);

	// 5. The period ends, is reported, attested and made final; what it owes follows from
	//    the holders' unit-seconds.
	chain.advance_to(end);
	make_final(&mut chain, facility, first_period);
	let bob_seconds = held(&[(minted_at, 300), (moved_at, 200)], start, end);
	let ferdie_seconds = held(&[(minted_at, 200), (moved_at, 300)], start, end);
	let supply_seconds = bob_seconds + ferdie_seconds;
	assert_eq!(supply_seconds, 500 * u128::from(end - minted_at.max(start)));
	// Tokenized hashrate: ceil(unit-seconds x hashrate per token / period); the share of the
	// facility's net output it delivered: ceil(sats x tokenized / hashrate).
	let tokenized = (supply_seconds * HASHRATE_PER_TOKEN_THS * 1_000).div_ceil(u128::from(PERIOD));
	let reported = REPORTED_THS * 1_000;
	let owed = (expected_sats(REPORTED_THS) * tokenized).div_ceil(reported);
	let fee = owed * FEE_PER_MILL / 1_000;
	let holders = owed - fee;

	// 6. Overpaying is refused; exactly what is owed settles the period.
	let deposit =
		|amount| pallet_real_yield::Call::deposit { series, period: first_period, amount };
	assert_eq!(
		chain.submit(OPERATOR, deposit(owed + 1)).map_err(|f| f.name()),
		Err(Some("Overpayment"))
	);
	let treasury_btc = chain.read(|| Assets::balance(PAYOUT_ASSET_ID, TreasuryAccount::get()));
	let operator_btc = btc(&mut chain, OPERATOR);
	let settled = chain.submit(OPERATOR, deposit(owed)).expect("deposit");
	assert!(settled.iter().any(|e| matches!(
		e,
		RuntimeEvent::RealYield(pallet_real_yield::Event::PeriodSettled {
			series: s, period, distributed, fee: f, ..
		}) if *s == series && *period == first_period && *distributed == holders && *f == fee
	)));
	assert_eq!(btc(&mut chain, OPERATOR), operator_btc - owed);
	// (The yield pallet records a period's obligation when it is first paid or settled.)
	let report = chain
		.read(|| RealYield::period_report(series, first_period))
		.expect("a report of a settled period");
	assert_eq!(
		(report.tokenized, report.owed, report.fee, report.paid, report.distributed),
		(Hashrate(tokenized), owed, fee, owed, holders)
	);
	assert_eq!(
		chain.read(|| Assets::balance(PAYOUT_ASSET_ID, TreasuryAccount::get())),
		treasury_btc + fee
	);

	// 7. Both holders claim their time-weighted shares, to the satoshi; a second claim has
	//    nothing left.
	let bob_share = holders * bob_seconds / supply_seconds;
	let ferdie_share = holders * ferdie_seconds / supply_seconds;
	let (bob_before, ferdie_before) = (btc(&mut chain, Bob), btc(&mut chain, Ferdie));
	for outcome in chain.submit_all(vec![
		(Bob, pallet_real_yield::Call::claim { series }.into()),
		(Ferdie, pallet_real_yield::Call::claim { series }.into()),
	]) {
		outcome.expect("claimed");
	}
	assert_eq!(btc(&mut chain, Bob), bob_before + bob_share);
	assert_eq!(btc(&mut chain, Ferdie), ferdie_before + ferdie_share);
	assert_eq!(
		chain.submit(Bob, pallet_real_yield::Call::claim { series }).map_err(|f| f.name()),
		Err(Some("NothingToClaim"))
	);
}
