//! Unit tests of every call and error, the backing hook, the traits, and property tests of
//! the offering and holding arithmetic. Every test ends with the invariants of this pallet and
//! the facilities' (see `mock::run`).

use crate::mock::{Assets, Facilities, Tokens};
use crate::{mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::InspectHold,
		fungibles::Inspect as _,
		tokens::{DepositConsequence, Fortitude, Preservation, Provenance, WithdrawConsequence},
	},
};
use hashrate_primitives::{
	FacilityInspect, Hashrate, PeriodIndex, PeriodOutcome, Sats, SeriesCollateral, SeriesInspect,
	SuspensionReason,
};
use polkadot_sdk::sp_runtime::{traits::BadOrigin, DispatchError};

type E = Error<Test>;
const SERIES: SeriesId = SeriesId(0);

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn event(event: Event<Test>) {
	System::assert_has_event(event.into());
}

fn held(who: AccountId) -> TokenBalance {
	Holdings::<Test>::get(who, SERIES)
}

fn btc(who: AccountId) -> Balance {
	Assets::balance(PAYOUT, who)
}

/// Records `facility`'s three periods before [`P0`] final at `ths` TH/s and announces the
/// last of them, as the oracle's hook does.
fn backed(ths: u128) {
	for back in 1..=3 {
		finalize(FACILITY, PeriodIndex(P0.0 - back), ths);
	}
	announce(PeriodIndex(P0.0 - 1));
}

fn announce(period: PeriodIndex) {
	let outcome = world(|w| w.finals.get(&(FACILITY, period)).copied())
		.unwrap_or(PeriodOutcome::DefaultedByFacility);
	<Tokens as OnPeriodFinal>::on_period_final(FACILITY, period, &outcome);
}

fn with_network() {
	world(|w| w.network.insert(P0, network()));
}

/// 1 TH/s per token, 2 decimals, periods P0+10 ..= P0+19, 10 sats per TH/s per day, at most
/// 100,000 tokens, at least one token per holder.
fn terms() -> SeriesTerms {
	SeriesTerms {
		name: SeriesName::truncate_from(b"Nordic Hydro 2026".to_vec()),
		symbol: Symbol::truncate_from(b"NHH26".to_vec()),
		decimals: 2,
		hashrate_per_token: Hashrate::from_ths(1).unwrap(),
		first_period: PeriodIndex(P0.0 + 10),
		last_period: PeriodIndex(P0.0 + 19),
		cost_per_th_day: Sats(10),
		supply_cap: 10_000_000,
		min_balance: 100,
	}
}

/// 50,000 sats a token, closes after 5 periods (the term starts after 10), soft cap 1,000
/// tokens, hard cap 50,000 tokens.
fn offering_terms() -> OfferingTerms {
	OfferingTerms {
		price: 50_000,
		closes: T0 + 5 * PERIOD,
		soft_cap: 100_000,
		hard_cap: 5_000_000,
		min_subscription: 100,
	}
}

fn create() -> SeriesId {
	let series = NextSeriesId::<Test>::get();
	assert_ok!(Tokens::create_series(signed(OPERATOR), FACILITY, terms()));
	series
}

fn open() {
	assert_ok!(Tokens::open_offering(signed(OPERATOR), SERIES, offering_terms()));
}

/// A backed facility (100 PH/s), a series with an open offering and network data.
fn offered() {
	backed(100_000);
	with_network();
	create();
	open();
}

fn subscribe(who: AccountId, units: TokenBalance) {
	assert_ok!(Tokens::subscribe(signed(who), SERIES, units));
}

fn after_close() {
	set_now(offering_terms().closes);
}

/// Alice 6,000 tokens, Bob 4,000 tokens minted, enough collateral.
fn issued() {
	offered();
	subscribe(ALICE, 600_000);
	subscribe(BOB, 400_000);
	assert_ok!(Tokens::add_collateral(signed(OPERATOR), SERIES, 1_000_000));
	after_close();
	assert_ok!(Tokens::close_offering(signed(CAROL), SERIES));
}

fn matured() {
	set_now(T0 + 20 * PERIOD);
}

fn record() -> SeriesRecord {
	Series::<Test>::get(SERIES).unwrap()
}

// --- set_rules ---

#[test]
fn set_rules_by_governance() {
	run(|| {
		let rules = IssuanceRules { backing_periods: 7, ..rules() };
		assert_ok!(Tokens::set_rules(RuntimeOrigin::root(), rules));
		assert_eq!(Rules::<Test>::get(), rules);
		event(Event::RulesSet { rules });
	});
}

#[test]
fn set_rules_errors() {
	run(|| {
		assert_noop!(Tokens::set_rules(signed(OPERATOR), rules()), BadOrigin);
		for bad in [
			IssuanceRules { backing_periods: 0, ..rules() },
			IssuanceRules { backing_periods: MAX_BACKING_PERIODS + 1, ..rules() },
			IssuanceRules { max_tokenization: 0, ..rules() },
			IssuanceRules { max_tokenization: 1001, ..rules() },
			IssuanceRules { collateral_periods: MAX_COLLATERAL_PERIODS + 1, ..rules() },
			IssuanceRules { max_backing_age: 0, ..rules() },
		] {
			assert_noop!(Tokens::set_rules(RuntimeOrigin::root(), bad), E::InvalidRules);
		}
		assert!(Tokens::rules_valid(&IssuanceRules::production()));
	});
}

// --- create_series / update_terms / cancel_series ---

#[test]
fn create_series_records_an_obligation() {
	run(|| {
		assert_eq!(create(), SERIES);
		let stored = record();
		assert_eq!(
			(stored.facility, stored.status, stored.supply),
			(FACILITY, SeriesStatus::Created, 0)
		);
		assert_eq!(FacilitySeries::<Test>::get(FACILITY).into_inner(), vec![SERIES]);
		assert_eq!(Facilities::obligations(FACILITY), Some(1));
		assert_eq!(NextSeriesId::<Test>::get(), SeriesId(1));
		event(Event::SeriesCreated { series: SERIES, facility: FACILITY, terms: terms() });
	});
}

#[test]
fn create_series_errors() {
	run(|| {
		let create = |who, facility, terms| Tokens::create_series(signed(who), facility, terms);
		assert_noop!(create(OPERATOR, FacilityId(9), terms()), E::UnknownFacility);
		assert_noop!(create(BOB, FACILITY, terms()), E::NotOperator);
		world(|w| w.debt.insert(FACILITY, 1));
		assert_noop!(create(OPERATOR, FACILITY, terms()), E::FacilityInDebt);
		world(|w| w.debt.clear());
		let bad = |f: fn(&mut SeriesTerms)| {
			let mut t = terms();
			f(&mut t);
			t
		};
		assert_noop!(
			create(OPERATOR, FACILITY, bad(|t| t.hashrate_per_token = Hashrate::ZERO)),
			E::ZeroHashratePerToken
		);
		assert_noop!(create(OPERATOR, FACILITY, bad(|t| t.decimals = 19)), E::TooManyDecimals);
		assert_noop!(create(OPERATOR, FACILITY, bad(|t| t.name.clear())), E::InvalidName);
		assert_noop!(
			create(
				OPERATOR,
				FACILITY,
				bad(|t| t.name = SeriesName::truncate_from(vec![0xff, 0xfe]))
			),
			E::InvalidName
		);
		assert_noop!(
			create(OPERATOR, FACILITY, bad(|t| t.symbol = Symbol::truncate_from(b"nhh".to_vec()))),
			E::InvalidSymbol
		);
		assert_noop!(create(OPERATOR, FACILITY, bad(|t| t.symbol.clear())), E::InvalidSymbol);
		assert_noop!(
			create(OPERATOR, FACILITY, bad(|t| t.last_period = PeriodIndex(P0.0 + 9))),
			E::EmptyTerm
		);
		assert_noop!(create(OPERATOR, FACILITY, bad(|t| t.first_period = P0)), E::TermInPast);
		assert_noop!(
			create(OPERATOR, FACILITY, bad(|t| t.last_period = PeriodIndex(P0.0 + 1010))),
			E::TermTooLong
		);
		assert_noop!(create(OPERATOR, FACILITY, bad(|t| t.supply_cap = 0)), E::InvalidSupplyCap);
		assert_noop!(create(OPERATOR, FACILITY, bad(|t| t.min_balance = 0)), E::InvalidSupplyCap);
		assert_noop!(
			create(OPERATOR, FACILITY, bad(|t| t.min_balance = t.supply_cap + 1)),
			E::InvalidSupplyCap
		);
		assert_noop!(
			create(
				OPERATOR,
				FACILITY,
				bad(|t| {
					t.decimals = 0;
					t.supply_cap = u128::MAX;
					t.hashrate_per_token = Hashrate(u128::MAX);
				})
			),
			E::Overflow
		);
		NextSeriesId::<Test>::put(SeriesId(u32::MAX));
		assert_noop!(create(OPERATOR, FACILITY, terms()), E::SeriesIdsExhausted);
		NextSeriesId::<Test>::put(SeriesId(0));
		for _ in 0..3 {
			assert_ok!(create(OPERATOR, FACILITY, terms()));
		}
		assert_noop!(create(OPERATOR, FACILITY, terms()), E::TooManySeries);
		assert_ok!(Facilities::suspend(
			RuntimeOrigin::root(),
			FACILITY,
			SuspensionReason::Governance
		));
		assert_noop!(create(OPERATOR, FACILITY, terms()), E::FacilityNotActive);
	});
}

#[test]
fn update_terms_until_something_is_sold() {
	run(|| {
		create();
		let new = SeriesTerms { cost_per_th_day: Sats(12), ..terms() };
		assert_ok!(Tokens::update_terms(signed(OPERATOR), SERIES, new.clone()));
		assert_eq!(record().terms, new);
		event(Event::TermsUpdated { series: SERIES, terms: new });
		assert_noop!(
			Tokens::update_terms(signed(OPERATOR), SeriesId(7), terms()),
			E::UnknownSeries
		);
		assert_noop!(Tokens::update_terms(signed(BOB), SERIES, terms()), E::NotOperator);
		let empty = SeriesTerms { last_period: P0, ..terms() };
		assert_noop!(Tokens::update_terms(signed(OPERATOR), SERIES, empty), E::EmptyTerm);
		backed(100_000);
		open();
		assert_noop!(Tokens::update_terms(signed(OPERATOR), SERIES, terms()), E::TermsLocked);
	});
}

#[test]
fn cancel_series_returns_collateral_and_releases_the_obligation() {
	run(|| {
		create();
		assert_ok!(Tokens::add_collateral(signed(OPERATOR), SERIES, 5_000));
		let before = btc(OPERATOR);
		assert_ok!(Tokens::cancel_series(signed(OPERATOR), SERIES));
		assert_eq!(btc(OPERATOR), before + 5_000);
		assert!(Series::<Test>::get(SERIES).is_none());
		assert!(FacilitySeries::<Test>::get(FACILITY).is_empty());
		assert_eq!(Facilities::obligations(FACILITY), Some(0));
		event(Event::CollateralReleased { series: SERIES, amount: 5_000 });
		event(Event::SeriesCancelled { series: SERIES });
	});
}

#[test]
fn cancel_series_errors() {
	run(|| {
		assert_noop!(Tokens::cancel_series(signed(OPERATOR), SERIES), E::UnknownSeries);
		offered();
		assert_noop!(Tokens::cancel_series(signed(BOB), SERIES), E::NotOperator);
		assert_noop!(Tokens::cancel_series(signed(OPERATOR), SERIES), E::WrongStatus);
		subscribe(ALICE, 500);
		after_close();
		assert_ok!(Tokens::close_offering(signed(ALICE), SERIES));
		assert_noop!(Tokens::cancel_series(signed(OPERATOR), SERIES), E::OfferingPending);
		assert_ok!(Tokens::refund(signed(ALICE), SERIES, ALICE));
		assert_ok!(Tokens::cancel_series(signed(OPERATOR), SERIES));
	});
}

// --- collateral ---

#[test]
fn add_collateral_locks_the_payout_asset() {
	run(|| {
		create();
		assert_ok!(Tokens::add_collateral(signed(OPERATOR), SERIES, 7_000));
		assert_ok!(Tokens::add_collateral(signed(OPERATOR), SERIES, 3_000));
		assert_eq!(record().collateral, 10_000);
		assert_eq!(btc(Tokens::collateral_account()), PAYOUT_MIN + 10_000);
		assert_eq!(btc(OPERATOR), SATS - 10_000);
		event(Event::CollateralAdded { series: SERIES, amount: 3_000, total: 10_000 });
		assert_eq!(<Tokens as SeriesCollateral<AccountId>>::collateral(SERIES), 10_000);
	});
}

#[test]
fn add_collateral_errors() {
	run(|| {
		assert_noop!(Tokens::add_collateral(signed(OPERATOR), SERIES, 1), E::UnknownSeries);
		create();
		assert_noop!(Tokens::add_collateral(signed(BOB), SERIES, 1), E::NotOperator);
		assert_noop!(Tokens::add_collateral(signed(OPERATOR), SERIES, 0), E::ZeroAmount);
		assert_noop!(
			Tokens::add_collateral(signed(OPERATOR), SERIES, SATS + 1),
			E::InsufficientBalance
		);
		// A recorded collateral at the top of the range cannot grow.
		Series::<Test>::mutate(SERIES, |r| r.as_mut().unwrap().collateral = u128::MAX);
		assert_noop!(Tokens::add_collateral(signed(OPERATOR), SERIES, 1), E::Overflow);
		Series::<Test>::mutate(SERIES, |r| r.as_mut().unwrap().collateral = 0);
		Series::<Test>::mutate(SERIES, |r| r.as_mut().unwrap().status = SeriesStatus::Closed);
		assert_noop!(Tokens::add_collateral(signed(OPERATOR), SERIES, 1), E::WrongStatus);
		Series::<Test>::mutate(SERIES, |r| r.as_mut().unwrap().status = SeriesStatus::Created);
	});
}

#[test]
fn required_collateral_follows_the_network_expectation_less_costs() {
	run(|| {
		create();
		with_network();
		// 10,000 tokens = 10 PH/s for 600 s: 10^16 x 600 / (1.493e14 x 2^32) x 3.158 BTC
		// = 2,954 sat expected; costs 10 sat x 10,000 TH/s x 600 / 86,400 = 694; x 2 periods.
		let required = Tokens::required_collateral(&record(), 1_000_000).unwrap();
		let expected = hashrate_primitives::physics::expected_sats(
			Hashrate::from_ths(10_000).unwrap(),
			PERIOD,
			network().difficulty,
			network().reward_per_block,
		)
		.unwrap();
		assert_eq!(expected, Sats(2_954));
		assert_eq!(required, 2 * (2_954 - 694));
		// Costs above the expectation: nothing is owed, nothing required.
		Series::<Test>::mutate(SERIES, |r| r.as_mut().unwrap().terms.cost_per_th_day = Sats(1_000));
		assert_eq!(Tokens::required_collateral(&record(), 1_000_000).unwrap(), 0);
		// Without network data in the last periods the requirement is unknown.
		world(|w| w.network.clear());
		assert_noop!(Tokens::required_collateral(&record(), 1_000_000), E::NoNetworkData);
		Series::<Test>::mutate(SERIES, |r| r.as_mut().unwrap().terms.cost_per_th_day = Sats(10));
	});
}

#[test]
fn draw_collateral_pays_at_most_what_is_held() {
	run(|| {
		create();
		assert_ok!(Tokens::add_collateral(signed(OPERATOR), SERIES, 5_000));
		assert_eq!(Tokens::draw_collateral(SERIES, 3_000, &CAROL), Ok(3_000));
		event(Event::CollateralDrawn { series: SERIES, amount: 3_000, to: CAROL });
		assert_eq!(Tokens::draw_collateral(SERIES, 9_000, &CAROL), Ok(2_000));
		assert_eq!(Tokens::draw_collateral(SERIES, 9_000, &CAROL), Ok(0));
		assert_eq!(btc(CAROL), SATS + 5_000);
		assert_eq!(record().collateral, 0);
		assert_eq!(Tokens::draw_collateral(SeriesId(5), 1, &CAROL), Err(E::UnknownSeries.into()));
	});
}

#[test]
fn release_collateral_after_maturity_once_settled() {
	run(|| {
		issued();
		assert_noop!(Tokens::release_collateral(signed(OPERATOR), SeriesId(4)), E::UnknownSeries);
		assert_noop!(Tokens::release_collateral(signed(BOB), SERIES), E::NotOperator);
		assert_noop!(Tokens::release_collateral(signed(OPERATOR), SERIES), E::NotMatured);
		matured();
		world(|w| w.unsettled.insert(SERIES));
		assert_noop!(Tokens::release_collateral(signed(OPERATOR), SERIES), E::PeriodsUnsettled);
		world(|w| w.unsettled.clear());
		let before = btc(OPERATOR);
		assert_ok!(Tokens::release_collateral(signed(OPERATOR), SERIES));
		assert_eq!(btc(OPERATOR), before + 1_000_000);
		event(Event::CollateralReleased { series: SERIES, amount: 1_000_000 });
		assert_noop!(Tokens::release_collateral(signed(OPERATOR), SERIES), E::NoCollateral);
	});
}

// --- offering ---

#[test]
fn open_offering_sets_the_series_offered() {
	run(|| {
		offered();
		assert_eq!(record().status, SeriesStatus::Offering);
		let offering = Offerings::<Test>::get(SERIES).unwrap();
		assert_eq!((offering.state, offering.sold, offering.escrowed), (OfferingState::Open, 0, 0));
		event(Event::OfferingOpened { series: SERIES, terms: offering_terms() });
	});
}

#[test]
fn open_offering_errors() {
	run(|| {
		let open = |who, t| Tokens::open_offering(signed(who), SERIES, t);
		assert_noop!(open(OPERATOR, offering_terms()), E::UnknownSeries);
		create();
		assert_noop!(open(BOB, offering_terms()), E::NotOperator);
		let bad = |f: fn(&mut OfferingTerms)| {
			let mut t = offering_terms();
			f(&mut t);
			t
		};
		assert_noop!(open(OPERATOR, bad(|t| t.price = 0)), E::ZeroPrice);
		assert_noop!(open(OPERATOR, bad(|t| t.closes = T0)), E::CloseInPast);
		assert_noop!(
			open(OPERATOR, bad(|t| t.closes = T0 + 10 * PERIOD + 1)),
			E::TermStartsBeforeOfferingEnds
		);
		assert_noop!(open(OPERATOR, bad(|t| t.soft_cap = 0)), E::InvalidCaps);
		assert_noop!(open(OPERATOR, bad(|t| t.soft_cap = t.hard_cap + 1)), E::InvalidCaps);
		assert_noop!(open(OPERATOR, bad(|t| t.min_subscription = 99)), E::InvalidCaps);
		assert_noop!(open(OPERATOR, bad(|t| t.min_subscription = t.hard_cap + 1)), E::InvalidCaps);
		assert_noop!(open(OPERATOR, bad(|t| t.hard_cap = 10_000_001)), E::CapExceeded);
		world(|w| w.debt.insert(FACILITY, 1));
		assert_noop!(open(OPERATOR, offering_terms()), E::FacilityInDebt);
		world(|w| w.debt.clear());
		assert_ok!(Facilities::suspend(
			RuntimeOrigin::root(),
			FACILITY,
			SuspensionReason::Governance
		));
		assert_noop!(open(OPERATOR, offering_terms()), E::FacilityNotActive);
		assert_ok!(Facilities::resume(RuntimeOrigin::root(), FACILITY));
		assert_ok!(open(OPERATOR, offering_terms()));
		assert_noop!(open(OPERATOR, offering_terms()), E::WrongStatus);
		// A failed offering with refunds pending blocks a new one.
		backed(100_000);
		subscribe(ALICE, 500);
		after_close();
		assert_ok!(Tokens::close_offering(signed(ALICE), SERIES));
		assert_noop!(open(OPERATOR, offering_terms()), E::OfferingPending);
	});
}

#[test]
fn subscribe_pays_into_escrow_and_reserves_backing() {
	run(|| {
		offered();
		// 1,000.01 tokens at 50,000 sat: 50,000,500 sat exactly.
		subscribe(ALICE, 100_001);
		// 1.01 tokens: 50,500 sat; three units more cost 1,500.
		subscribe(BOB, 101);
		subscribe(BOB, 3);
		assert_eq!(btc(ALICE), SATS - 50_000_500);
		assert_eq!(btc(BOB), SATS - 52_000);
		assert_eq!(btc(Tokens::escrow_account()), PAYOUT_MIN + 50_052_500);
		let offering = Offerings::<Test>::get(SERIES).unwrap();
		assert_eq!(
			(offering.sold, offering.escrowed, offering.subscribers),
			(100_105, 50_052_500, 2)
		);
		assert_eq!(record().reserved, 100_105);
		assert_eq!(
			Subscriptions::<Test>::get(SERIES, BOB),
			Some(Subscription { amount: 104, paid: 52_000 })
		);
		// Nothing is minted during the offering.
		assert_eq!(Tokens::supply(SERIES), 0);
		assert_eq!(held(ALICE), 0);
		// 1,001.05 TH/s reserved, rounded up to whole milli-TH/s.
		assert_eq!(Tokens::tokenized(FACILITY).ok(), Some(Hashrate(1_001_050)));
		assert_eq!(LastMintLimit::<Test>::get(FACILITY), Some(Hashrate::from_ths(80_000).unwrap()));
		event(Event::Subscribed { series: SERIES, who: BOB, amount: 3, paid: 1_500 });
	});
}

#[test]
fn subscription_cost_rounds_up_by_less_than_a_sat() {
	run(|| {
		offered();
		Offerings::<Test>::mutate(SERIES, |o| o.as_mut().unwrap().terms.price = 333);
		// 1.01 tokens at 333 sat: 336.33 → 337.
		subscribe(ALICE, 101);
		assert_eq!(Subscriptions::<Test>::get(SERIES, ALICE).unwrap().paid, 337);
	});
}

#[test]
fn subscribe_errors() {
	run(|| {
		let sub = |who, units| Tokens::subscribe(signed(who), SERIES, units);
		assert_noop!(sub(ALICE, 0), E::ZeroAmount);
		assert_noop!(sub(ALICE, 100), E::OfferingNotOpen);
		create();
		open();
		// 10 sats a token, so a buyer can afford 40,000.
		Offerings::<Test>::mutate(SERIES, |o| o.as_mut().unwrap().terms.price = 1_000);
		// No final periods yet.
		assert_noop!(sub(ALICE, 100), E::NoBacking);
		backed(50_000);
		with_network();
		assert_noop!(sub(OPERATOR, 100), E::SubscriberIsFacility);
		assert_noop!(sub(REPORTER, 100), E::SubscriberIsFacility);
		assert_noop!(sub(ALICE, 99), E::BelowMinimum);
		// 40 PH/s may be tokenized: 40,000 tokens.
		assert_noop!(sub(ALICE, 4_000_001), E::BackingExceeded);
		assert_ok!(sub(ALICE, 4_000_000));
		assert_noop!(sub(BOB, 100), E::BackingExceeded);
		assert_noop!(sub(BOB, 1_000_001), E::CapExceeded);
		assert_noop!(sub(BROKE, 100), E::BackingExceeded);
		backed(100_000);
		assert_noop!(sub(BROKE, 100), E::InsufficientBalance);
		for buyer in [BOB, CAROL, BUYERS[3]] {
			assert_ok!(sub(buyer, 100));
		}
		assert_noop!(sub(POOR, 100), E::TooManySubscribers);
		// An existing subscriber may add.
		assert_ok!(sub(BOB, 100));
		world(|w| w.debt.insert(FACILITY, 1));
		assert_noop!(sub(BOB, 100), E::FacilityInDebt);
		world(|w| w.debt.clear());
		assert_ok!(Facilities::suspend(
			RuntimeOrigin::root(),
			FACILITY,
			SuspensionReason::Governance
		));
		assert_noop!(sub(BOB, 100), E::FacilityNotActive);
		assert_ok!(Facilities::resume(RuntimeOrigin::root(), FACILITY));
		// A price whose cost does not fit.
		Offerings::<Test>::mutate(SERIES, |o| o.as_mut().unwrap().terms.price = u128::MAX);
		assert_noop!(sub(BOB, 200), E::Overflow);
		Offerings::<Test>::mutate(SERIES, |o| o.as_mut().unwrap().terms.price = 1_000);
		set_now(T0 + 5 * PERIOD);
		assert_noop!(sub(BOB, 100), E::OfferingClosed);
		set_now(T0 + 4 * PERIOD);
		assert_ok!(sub(BOB, 100));
		// Backing older than eight periods does not count.
		Backings::<Test>::mutate(FACILITY, |b| b.as_mut().unwrap().as_of = PeriodIndex(P0.0 - 5));
		assert_noop!(sub(BOB, 100), E::NoBacking);
	});
}

#[test]
fn close_mints_every_subscription() {
	run(|| {
		offered();
		subscribe(ALICE, 600_000);
		subscribe(BOB, 400_000);
		assert_ok!(Tokens::add_collateral(signed(OPERATOR), SERIES, 4_520));
		assert_noop!(Tokens::close_offering(signed(CAROL), SERIES), E::OfferingStillOpen);
		after_close();
		world(|w| w.changes.clear());
		let info = Tokens::close_offering(signed(CAROL), SERIES).unwrap();
		// One supply hook, one balance hook per holder.
		assert_eq!(
			info.actual_weight,
			Some(
				<() as WeightInfo>::close_offering(2).saturating_add(HOOK_WEIGHT.saturating_mul(3))
			)
		);
		assert_eq!(world(|w| w.supply_changes.clone()), vec![(SERIES, 0)]);
		assert_eq!(held(ALICE), 600_000);
		assert_eq!(held(BOB), 400_000);
		assert_eq!(Tokens::supply(SERIES), 1_000_000);
		let stored = record();
		assert_eq!((stored.status, stored.reserved), (SeriesStatus::Issued, 0));
		// The hook saw both holders before their balances changed, and what they would be.
		let mut changes = world(|w| w.changes.clone());
		changes.sort();
		assert_eq!(changes, vec![(SERIES, ALICE, 0, 600_000), (SERIES, BOB, 0, 400_000)]);
		event(Event::Minted { series: SERIES, who: ALICE, amount: 600_000 });
		event(Event::OfferingSucceeded { series: SERIES, sold: 1_000_000, proceeds: 500_000_000 });
		assert_eq!(Subscriptions::<Test>::iter_prefix(SERIES).count(), 0);
		// Matured series stop counting; live ones count their supply.
		assert_eq!(Tokens::tokenized(FACILITY).ok(), Some(Hashrate::from_ths(10_000).unwrap()));
		matured();
		assert_eq!(Tokens::tokenized(FACILITY).ok(), Some(Hashrate::ZERO));
	});
}

#[test]
fn close_at_the_hard_cap_before_the_close_time() {
	run(|| {
		offered();
		Offerings::<Test>::mutate(SERIES, |o| o.as_mut().unwrap().terms.hard_cap = 200_000);
		subscribe(ALICE, 200_000);
		assert_ok!(Tokens::add_collateral(signed(OPERATOR), SERIES, 10_000));
		assert_ok!(Tokens::close_offering(signed(ALICE), SERIES));
		assert_eq!(Tokens::supply(SERIES), 200_000);
	});
}

#[test]
fn soft_cap_missed_refunds_everyone() {
	run(|| {
		offered();
		subscribe(ALICE, 60_000);
		subscribe(BOB, 100);
		after_close();
		assert_ok!(Tokens::close_offering(signed(CAROL), SERIES));
		event(Event::OfferingFailed {
			series: SERIES,
			sold: 60_100,
			reason: FailureReason::SoftCapMissed,
		});
		assert_eq!(Tokens::supply(SERIES), 0);
		assert_eq!((record().status, record().reserved), (SeriesStatus::Created, 0));
		assert_eq!(Tokens::tokenized(FACILITY).ok(), Some(Hashrate::ZERO));
		assert_noop!(Tokens::refund(signed(CAROL), SERIES, CAROL), E::NoSubscription);
		// Anyone may push a refund; it goes to the subscriber.
		assert_ok!(Tokens::refund(signed(CAROL), SERIES, ALICE));
		assert_eq!(btc(ALICE), SATS);
		event(Event::Refunded { series: SERIES, who: ALICE, amount: 30_000_000 });
		assert_ok!(Tokens::refund(signed(BOB), SERIES, BOB));
		assert_eq!(btc(BOB), SATS);
		assert!(Offerings::<Test>::get(SERIES).is_none());
		assert_eq!(btc(Tokens::escrow_account()), PAYOUT_MIN);
		assert_noop!(Tokens::refund(signed(BOB), SERIES, BOB), E::OfferingNotFailed);
		// The series may be offered again.
		set_now(T0);
		open();
	});
}

#[test]
fn an_offering_without_subscribers_fails_and_is_removed() {
	run(|| {
		offered();
		after_close();
		assert_ok!(Tokens::close_offering(signed(CAROL), SERIES));
		assert!(Offerings::<Test>::get(SERIES).is_none());
	});
}

#[test]
fn close_errors_within_the_grace_then_fails() {
	run(|| {
		assert_noop!(Tokens::close_offering(signed(CAROL), SERIES), E::OfferingNotOpen);
		offered();
		subscribe(ALICE, 1_000_000);
		after_close();
		// 2 periods of 10 PH/s net of costs: 4,520 sat.
		assert_ok!(Tokens::add_collateral(signed(OPERATOR), SERIES, 4_519));
		assert_noop!(Tokens::close_offering(signed(CAROL), SERIES), E::CollateralShort);
		world(|w| w.network.clear());
		assert_noop!(Tokens::close_offering(signed(CAROL), SERIES), E::NoNetworkData);
		with_network();
		// Backing more than eight periods old does not count.
		Backings::<Test>::mutate(FACILITY, |b| b.as_mut().unwrap().as_of = PeriodIndex(P0.0 - 4));
		assert_noop!(Tokens::close_offering(signed(CAROL), SERIES), E::NoBacking);
		Backings::<Test>::mutate(FACILITY, |b| b.as_mut().unwrap().as_of = PeriodIndex(P0.0 - 1));
		world(|w| w.debt.insert(FACILITY, 1));
		assert_noop!(Tokens::close_offering(signed(CAROL), SERIES), E::FacilityInDebt);
		world(|w| w.debt.clear());
		assert_ok!(Facilities::suspend(
			RuntimeOrigin::root(),
			FACILITY,
			SuspensionReason::Governance
		));
		assert_noop!(Tokens::close_offering(signed(CAROL), SERIES), E::FacilityNotActive);
		assert_ok!(Facilities::resume(RuntimeOrigin::root(), FACILITY));
		// Three final periods at 10 PH/s leave the facility short: 10 PH/s x 80 % = 8 PH/s.
		finalize(FACILITY, P0, 10_000);
		finalize(FACILITY, PeriodIndex(P0.0 + 1), 10_000);
		finalize(FACILITY, PeriodIndex(P0.0 + 2), 10_000);
		announce(PeriodIndex(P0.0 + 2));
		assert_noop!(Tokens::close_offering(signed(CAROL), SERIES), E::BackingExceeded);
		// The grace passes: the offering fails and Alice is refunded.
		set_now(offering_terms().closes + rules().close_grace);
		assert_ok!(Tokens::close_offering(signed(CAROL), SERIES));
		event(Event::OfferingFailed {
			series: SERIES,
			sold: 1_000_000,
			reason: FailureReason::CannotIssue,
		});
		assert_ok!(Tokens::refund(signed(ALICE), SERIES, ALICE));
		assert_eq!(btc(ALICE), SATS);
	});
}

#[test]
fn an_offering_closed_after_its_term_started_fails() {
	for late in [0, PERIOD / 2, 20 * PERIOD] {
		run(|| {
			offered();
			subscribe(ALICE, 1_000_000);
			assert_ok!(Tokens::add_collateral(signed(OPERATOR), SERIES, 10_000));
			// The term's first second (or later, up to after maturity).
			let (term_start, _) =
				<TestOracle as hashrate_primitives::PowOracle>::period_bounds(terms().first_period)
					.unwrap();
			set_now(term_start + late);
			assert_ok!(Tokens::close_offering(signed(CAROL), SERIES));
			event(Event::OfferingFailed {
				series: SERIES,
				sold: 1_000_000,
				reason: FailureReason::TermStarted,
			});
			assert_eq!(record().supply, 0);
			assert_ok!(Tokens::refund(signed(ALICE), SERIES, ALICE));
			assert_eq!(btc(ALICE), SATS);
		});
	}
}

#[test]
fn an_offering_closed_just_before_its_term_succeeds() {
	run(|| {
		offered();
		subscribe(ALICE, 1_000_000);
		assert_ok!(Tokens::add_collateral(signed(OPERATOR), SERIES, 1_000_000));
		let (term_start, _) =
			<TestOracle as hashrate_primitives::PowOracle>::period_bounds(terms().first_period)
				.unwrap();
		set_now(term_start - 1);
		// Backing as fresh as it was when the offering closed.
		let current = PeriodIndex(terms().first_period.0 - 1);
		for back in 1..=3 {
			finalize(FACILITY, PeriodIndex(current.0 - back), 100_000);
		}
		announce(PeriodIndex(current.0 - 1));
		world(|w| {
			for back in 0..=3 {
				w.network.insert(PeriodIndex(current.0 - back), network());
			}
		});
		assert_ok!(Tokens::close_offering(signed(CAROL), SERIES));
		assert_eq!(record().supply, 1_000_000);
	});
}

#[test]
fn a_failing_hook_fails_the_mint() {
	run(|| {
		offered();
		subscribe(ALICE, 1_000_000);
		assert_ok!(Tokens::add_collateral(signed(OPERATOR), SERIES, 10_000));
		after_close();
		world(|w| w.hook_fails = true);
		assert_noop!(
			Tokens::close_offering(signed(CAROL), SERIES),
			DispatchError::Other("yield records unavailable")
		);
		world(|w| w.hook_fails = false);
		assert_ok!(Tokens::close_offering(signed(CAROL), SERIES));
	});
}

#[test]
fn withdraw_proceeds_pays_the_operator_once() {
	run(|| {
		issued();
		assert_noop!(Tokens::withdraw_proceeds(signed(OPERATOR), SeriesId(3)), E::UnknownSeries);
		assert_noop!(Tokens::withdraw_proceeds(signed(ALICE), SERIES), E::NotOperator);
		let before = btc(OPERATOR);
		assert_ok!(Tokens::withdraw_proceeds(signed(OPERATOR), SERIES));
		assert_eq!(btc(OPERATOR), before + 500_000_000);
		assert_eq!(btc(Tokens::escrow_account()), PAYOUT_MIN);
		event(Event::ProceedsWithdrawn { series: SERIES, amount: 500_000_000 });
		assert_noop!(Tokens::withdraw_proceeds(signed(OPERATOR), SERIES), E::NoProceeds);
	});
}

// --- holding ---

#[test]
fn transfer_moves_tokens_after_the_hook() {
	run(|| {
		issued();
		world(|w| w.changes.clear());
		world(|w| w.supply_changes.clear());
		let info = Tokens::transfer(signed(ALICE), SERIES, CAROL, 100_000).unwrap();
		assert_eq!(
			info.actual_weight,
			Some(<() as WeightInfo>::transfer().saturating_add(HOOK_WEIGHT.saturating_mul(2)))
		);
		assert_eq!(
			world(|w| w.changes.clone()),
			vec![(SERIES, ALICE, 600_000, 500_000), (SERIES, CAROL, 0, 100_000)]
		);
		assert!(world(|w| w.supply_changes.is_empty()), "a transfer keeps the supply");
		assert_eq!(held(ALICE), 500_000);
		assert_eq!(held(CAROL), 100_000);
		event(Event::Transferred { series: SERIES, from: ALICE, to: CAROL, amount: 100_000 });
		// All of it: the record goes.
		assert_ok!(Tokens::transfer(signed(CAROL), SERIES, BOB, 100_000));
		assert!(!Holdings::<Test>::contains_key(CAROL, SERIES));
		// To oneself: nothing changes.
		assert_ok!(Tokens::transfer(signed(BOB), SERIES, BOB, 100));
		assert_eq!(held(BOB), 500_000);
	});
}

#[test]
fn transfer_errors() {
	run(|| {
		let t = |from, to, units| Tokens::transfer(signed(from), SERIES, to, units);
		assert_noop!(t(ALICE, BOB, 0), E::ZeroAmount);
		assert_noop!(t(ALICE, BOB, 1), E::UnknownSeries);
		offered();
		assert_noop!(t(ALICE, BOB, 1), E::WrongStatus);
		subscribe_and_issue();
		assert_noop!(t(ALICE, CAROL, 600_001), E::InsufficientTokens);
		// Leaving 99 units (below one token) or sending them to a new holder is refused.
		assert_noop!(t(ALICE, CAROL, 599_901), E::BelowMinimum);
		assert_noop!(t(ALICE, CAROL, 99), E::BelowMinimum);
		// To an existing holder a small amount is fine.
		assert_ok!(t(ALICE, BOB, 99));
		world(|w| w.hook_fails = true);
		assert_noop!(t(ALICE, BOB, 100), DispatchError::Other("yield records unavailable"));
		world(|w| w.hook_fails = false);
	});
}

/// Alice and Bob subscribe 6,000 and 4,000 tokens in an offered series whose close time has
/// passed; the operator posts collateral and the offering closes.
fn subscribe_and_issue() {
	Offerings::<Test>::mutate(SERIES, |o| o.as_mut().unwrap().terms.closes = Tokens::now() + 1);
	subscribe(ALICE, 600_000);
	subscribe(BOB, 400_000);
	assert_ok!(Tokens::add_collateral(signed(OPERATOR), SERIES, 1_000_000));
	set_now(Tokens::now() + 1);
	assert_ok!(Tokens::close_offering(signed(CAROL), SERIES));
}

#[test]
fn approvals_hold_a_deposit_and_allow_transfer_from() {
	run(|| {
		issued();
		let deposit = || Balances::balance_on_hold(&HoldReason::ApprovalDeposit.into(), &ALICE);
		assert_ok!(Tokens::approve_transfer(signed(ALICE), SERIES, CAROL, 300_000));
		assert_eq!(deposit(), APPROVAL_DEPOSIT);
		event(Event::Approved { series: SERIES, owner: ALICE, spender: CAROL, amount: 300_000 });
		// Changing it holds nothing more.
		assert_ok!(Tokens::approve_transfer(signed(ALICE), SERIES, CAROL, 250_000));
		assert_eq!(deposit(), APPROVAL_DEPOSIT);
		assert_ok!(Tokens::transfer_from(signed(CAROL), SERIES, ALICE, BOB, 50_000));
		assert_eq!(held(BOB), 450_000);
		assert_eq!(Approvals::<Test>::get((SERIES, ALICE, CAROL)).unwrap().amount, 200_000);
		event(Event::Approved { series: SERIES, owner: ALICE, spender: CAROL, amount: 200_000 });
		// Using it up releases the deposit.
		assert_ok!(Tokens::transfer_from(signed(CAROL), SERIES, ALICE, CAROL, 200_000));
		assert_eq!(held(CAROL), 200_000);
		assert!(Approvals::<Test>::get((SERIES, ALICE, CAROL)).is_none());
		assert_eq!(deposit(), 0);
		// Zero removes an allowance and releases its deposit; zero without one is a no-op.
		assert_ok!(Tokens::approve_transfer(signed(ALICE), SERIES, BOB, 100));
		assert_ok!(Tokens::approve_transfer(signed(ALICE), SERIES, BOB, 0));
		assert_eq!(deposit(), 0);
		assert_ok!(Tokens::approve_transfer(signed(ALICE), SERIES, BOB, 0));
	});
}

#[test]
fn approval_errors() {
	run(|| {
		assert_noop!(Tokens::approve_transfer(signed(ALICE), SERIES, BOB, 1), E::UnknownSeries);
		issued();
		assert_noop!(
			Tokens::approve_transfer(signed(POOR), SERIES, BOB, 1),
			E::DepositNotAffordable
		);
		let tf = |units| Tokens::transfer_from(signed(CAROL), SERIES, ALICE, BOB, units);
		assert_noop!(tf(0), E::ZeroAmount);
		assert_noop!(tf(100), E::InsufficientAllowance);
		assert_ok!(Tokens::approve_transfer(signed(ALICE), SERIES, CAROL, 1_000));
		assert_noop!(tf(1_001), E::InsufficientAllowance);
		assert_ok!(Tokens::approve_transfer(signed(ALICE), SERIES, CAROL, 700_000));
		assert_noop!(tf(600_001), E::InsufficientTokens);
		assert_noop!(tf(599_950), E::BelowMinimum);
	});
}

#[test]
fn burn_after_maturity() {
	run(|| {
		issued();
		assert_noop!(Tokens::burn(signed(ALICE), SERIES, 100), E::NotMatured);
		matured();
		assert_noop!(Tokens::burn(signed(ALICE), SERIES, 0), E::ZeroAmount);
		assert_noop!(Tokens::burn(signed(ALICE), SeriesId(6), 100), E::UnknownSeries);
		assert_noop!(Tokens::burn(signed(ALICE), SERIES, 600_001), E::InsufficientTokens);
		assert_noop!(Tokens::burn(signed(ALICE), SERIES, 599_901), E::BelowMinimum);
		world(|w| w.hook_fails = true);
		assert_noop!(
			Tokens::burn(signed(ALICE), SERIES, 100),
			DispatchError::Other("yield records unavailable")
		);
		world(|w| w.hook_fails = false);
		world(|w| w.changes.clear());
		world(|w| w.supply_changes.clear());
		assert_ok!(Tokens::burn(signed(ALICE), SERIES, 600_000));
		assert_eq!(world(|w| w.changes.clone()), vec![(SERIES, ALICE, 600_000, 0)]);
		assert_eq!(world(|w| w.supply_changes.clone()), vec![(SERIES, 1_000_000)]);
		assert_eq!(Tokens::supply(SERIES), 400_000);
		assert_eq!(held(ALICE), 0);
		event(Event::Burned { series: SERIES, who: ALICE, amount: 600_000 });
		// Matured tokens still move.
		assert_ok!(Tokens::transfer(signed(BOB), SERIES, CAROL, 100_000));
	});
}

#[test]
fn close_series_errors_before_issue() {
	run(|| {
		assert_noop!(Tokens::close_series(signed(CAROL), SERIES), E::UnknownSeries);
		create();
		assert_noop!(Tokens::close_series(signed(CAROL), SERIES), E::WrongStatus);
	});
}

#[test]
fn close_series_pays_what_is_left_and_releases_the_obligation() {
	run(|| {
		issued();
		assert_noop!(Tokens::close_series(signed(CAROL), SERIES), E::NotMatured);
		matured();
		assert_noop!(Tokens::close_series(signed(CAROL), SERIES), E::SupplyOutstanding);
		assert_ok!(Tokens::burn(signed(ALICE), SERIES, 600_000));
		assert_ok!(Tokens::burn(signed(BOB), SERIES, 400_000));
		world(|w| w.unsettled.insert(SERIES));
		assert_noop!(Tokens::close_series(signed(CAROL), SERIES), E::PeriodsUnsettled);
		world(|w| w.unsettled.clear());
		let before = btc(OPERATOR);
		assert_ok!(Tokens::close_series(signed(CAROL), SERIES));
		// Collateral and the unwithdrawn proceeds go to the operator.
		assert_eq!(btc(OPERATOR), before + 1_000_000 + 500_000_000);
		// Nothing of the closed series is left.
		assert!(Series::<Test>::get(SERIES).is_none());
		assert!(Offerings::<Test>::get(SERIES).is_none());
		assert!(FacilitySeries::<Test>::get(FACILITY).is_empty());
		assert_eq!(Facilities::obligations(FACILITY), Some(0));
		event(Event::SeriesClosed { series: SERIES });
		assert_noop!(Tokens::close_series(signed(CAROL), SERIES), E::UnknownSeries);
		// The facility may retire now.
		assert_ok!(Facilities::retire(signed(OPERATOR), FACILITY));
	});
}

// --- backing hook ---

#[test]
fn final_periods_set_the_backing_and_flag_shortfalls() {
	run(|| {
		// Fewer than three final periods: no backing.
		finalize(FACILITY, PeriodIndex(P0.0 - 1), 100_000);
		announce(PeriodIndex(P0.0 - 1));
		assert!(Backings::<Test>::get(FACILITY).is_none());
		// Three, one defaulted: (100 + 100 + 0) / 3 PH/s.
		finalize(FACILITY, PeriodIndex(P0.0 - 2), 100_000);
		world(|w| {
			w.finals.insert((FACILITY, PeriodIndex(P0.0 - 3)), PeriodOutcome::DefaultedByFacility)
		});
		announce(PeriodIndex(P0.0 - 1));
		let backing = Backings::<Test>::get(FACILITY).unwrap();
		assert_eq!(backing.average, Hashrate(66_666_666));
		assert!(!backing.short);
		with_network();
		create();
		open();
		// 53,333 TH/s may be tokenized; 10,000 are.
		subscribe(ALICE, 1_000_000);
		// An older period changes nothing.
		announce(PeriodIndex(P0.0 - 2));
		assert_eq!(Backings::<Test>::get(FACILITY).unwrap().as_of, PeriodIndex(P0.0 - 1));
		// Periods at zero: (100 + 100 + 0) / 3 and (100 + 0 + 0) / 3 PH/s x 80 % still cover
		// 10 PH/s; three in a row do not.
		for period in [P0.0, P0.0 + 1] {
			finalize(FACILITY, PeriodIndex(period), 0);
			announce(PeriodIndex(period));
			assert!(!Backings::<Test>::get(FACILITY).unwrap().short);
		}
		finalize(FACILITY, PeriodIndex(P0.0 + 2), 0);
		announce(PeriodIndex(P0.0 + 2));
		assert!(Backings::<Test>::get(FACILITY).unwrap().short);
		event(Event::BackingShortfall {
			facility: FACILITY,
			period: PeriodIndex(P0.0 + 2),
			tokenized: Hashrate::from_ths(10_000).unwrap(),
			limit: Hashrate::ZERO,
		});
		assert_noop!(Tokens::subscribe(signed(BOB), SERIES, 100), E::BackingExceeded);
		for period in P0.0 + 3..=P0.0 + 5 {
			finalize(FACILITY, PeriodIndex(period), 110_000);
		}
		announce(PeriodIndex(P0.0 + 5));
		event(Event::BackingRestored {
			facility: FACILITY,
			period: PeriodIndex(P0.0 + 5),
			limit: Hashrate::from_ths(88_000).unwrap(),
		});
		assert!(!Backings::<Test>::get(FACILITY).unwrap().short);
	});
}

// --- traits and views ---

#[test]
fn fungibles_inspect_and_series_inspect() {
	run(|| {
		issued();
		assert_eq!(Tokens::total_issuance(SERIES), 1_000_000);
		assert_eq!(Tokens::minimum_balance(SERIES), 100);
		assert_eq!(
			<Tokens as frame_support::traits::fungibles::Inspect<_>>::balance(SERIES, &ALICE),
			600_000
		);
		assert_eq!(Tokens::total_balance(SERIES, &ALICE), 600_000);
		assert_eq!(
			Tokens::reducible_balance(SERIES, &ALICE, Preservation::Preserve, Fortitude::Polite),
			599_900
		);
		assert_eq!(
			Tokens::reducible_balance(SERIES, &ALICE, Preservation::Expendable, Fortitude::Polite),
			600_000
		);
		assert_eq!(
			Tokens::can_deposit(SERIES, &CAROL, 99, Provenance::Extant),
			DepositConsequence::BelowMinimum
		);
		assert_eq!(
			Tokens::can_deposit(SERIES, &CAROL, 100, Provenance::Extant),
			DepositConsequence::Success
		);
		assert_eq!(
			Tokens::can_deposit(SeriesId(9), &CAROL, 100, Provenance::Extant),
			DepositConsequence::UnknownAsset
		);
		assert_eq!(
			Tokens::can_deposit(SERIES, &ALICE, u128::MAX, Provenance::Extant),
			DepositConsequence::Overflow
		);
		assert_eq!(Tokens::can_withdraw(SERIES, &ALICE, 600_001), WithdrawConsequence::BalanceLow);
		assert_eq!(Tokens::can_withdraw(SERIES, &ALICE, 599_950), WithdrawConsequence::BalanceLow);
		assert_eq!(Tokens::can_withdraw(SERIES, &ALICE, 600_000), WithdrawConsequence::Success);
		assert_eq!(Tokens::can_withdraw(SeriesId(9), &ALICE, 1), WithdrawConsequence::UnknownAsset);
		assert!(Tokens::asset_exists(SERIES) && !Tokens::asset_exists(SeriesId(9)));
		assert_eq!(
			<Tokens as SeriesInspect<AccountId>>::status(SERIES),
			Some(SeriesStatus::Issued)
		);
		let economics = <Tokens as SeriesInspect<AccountId>>::economics(SERIES).unwrap();
		assert_eq!(economics.cost_per_th_day, Sats(10));
		assert_eq!(economics.first_period, PeriodIndex(P0.0 + 10));
		assert!(!<Tokens as SeriesInspect<AccountId>>::is_matured(SERIES));
		matured();
		assert!(<Tokens as SeriesInspect<AccountId>>::is_matured(SERIES));
	});
}

#[test]
fn positions_and_backing_views() {
	run(|| {
		issued();
		assert_ok!(Tokens::transfer(signed(ALICE), SERIES, CAROL, 150));
		assert_eq!(
			Tokens::positions(CAROL),
			vec![Position {
				series: SERIES,
				facility: FACILITY,
				balance: 150,
				hashrate: Hashrate(1_500),
				matured: false,
			}]
		);
		assert!(Tokens::positions(BROKE).is_empty());
		let view = Tokens::backing(FACILITY);
		assert_eq!(
			view.backing,
			Some((Hashrate::from_ths(100_000).unwrap(), PeriodIndex(P0.0 - 1)))
		);
		assert!(view.fresh);
		assert_eq!(view.tokenized, Hashrate::from_ths(10_000).unwrap());
		assert_eq!(view.limit, Hashrate::from_ths(80_000).unwrap());
		assert_eq!(view.collateral, 1_000_000);
		set_now(T0 + 10 * PERIOD);
		let stale = Tokens::backing(FACILITY);
		assert!(!stale.fresh);
		assert_eq!(stale.limit, Hashrate::ZERO);
	});
}

// --- properties ---

mod properties {
	use super::*;
	use proptest::prelude::*;

	#[derive(Clone, Debug)]
	enum Op {
		Subscribe(usize, u128),
		Close,
		Transfer(usize, usize, u128),
		Refund(usize),
		Burn(usize, u128),
		Withdraw,
		Mature,
	}

	fn op() -> impl Strategy<Value = Op> {
		prop_oneof![
			4 => (0..4usize, 1..300_000u128).prop_map(|(a, u)| Op::Subscribe(a, u)),
			1 => Just(Op::Close),
			4 => (0..4usize, 0..4usize, 1..400_000u128).prop_map(|(a, b, u)| Op::Transfer(a, b, u)),
			1 => (0..4usize).prop_map(Op::Refund),
			2 => (0..4usize, 1..400_000u128).prop_map(|(a, u)| Op::Burn(a, u)),
			1 => Just(Op::Withdraw),
			1 => Just(Op::Mature),
		]
	}

	/// All payout-asset balances the offering can touch.
	fn payout_total() -> Balance {
		BUYERS.iter().map(|b| btc(*b)).sum::<Balance>()
			+ btc(OPERATOR)
			+ btc(Tokens::escrow_account())
			+ btc(Tokens::collateral_account())
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(96))]

		/// Random subscribe, close, transfer, refund, burn and withdraw sequences keep every
		/// invariant after each step, never create or lose payout asset, mint exactly what
		/// was subscribed and paid, and never let a balance fall below the minimum.
		#[test]
		fn offerings_and_holding_conserve_supply_and_payments(
			soft_cap in 100u128..1_000_000,
			price in 1u128..100_000,
			ops in proptest::collection::vec(op(), 1..40),
		) {
			new_test_ext().execute_with(|| {
				offered();
				Offerings::<Test>::mutate(SERIES, |o| {
					let o = o.as_mut().unwrap();
					o.terms.soft_cap = soft_cap;
					o.terms.price = price;
				});
				assert_ok!(Tokens::add_collateral(signed(OPERATOR), SERIES, 100_000));
				let total = payout_total();
				let mut subscribed: Balance = 0;
				let mut paid: Balance = 0;
				for op in ops {
					let _ = match op {
						Op::Subscribe(a, units) => {
							let before = btc(BUYERS[a]);
							let result = Tokens::subscribe(signed(BUYERS[a]), SERIES, units);
							if result.is_ok() {
								subscribed += units;
								let cost = before - btc(BUYERS[a]);
								// Within one sat of the exact price, never below it.
								prop_assert!(cost * 100 >= units * price);
								prop_assert!(cost * 100 < units * price + 100);
								paid += cost;
							}
							result.map(|_| ())
						},
						Op::Close => {
							// The clock never goes back.
							if Tokens::now() < offering_terms().closes {
								after_close();
							}
							Tokens::close_offering(signed(CAROL), SERIES).map(|_| ()).map_err(|e| e.error)
						},
						Op::Transfer(a, b, units) =>
							Tokens::transfer(signed(BUYERS[a]), SERIES, BUYERS[b], units).map(|_| ()).map_err(|e| e.error),
						Op::Refund(a) => Tokens::refund(signed(CAROL), SERIES, BUYERS[a]),
						Op::Burn(a, units) =>
							Tokens::burn(signed(BUYERS[a]), SERIES, units).map(|_| ()).map_err(|e| e.error),
						Op::Withdraw => Tokens::withdraw_proceeds(signed(OPERATOR), SERIES),
						Op::Mature => {
							matured();
							Ok(())
						},
					};
					Tokens::do_try_state().map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
					prop_assert_eq!(payout_total(), total);
					for buyer in BUYERS {
						let balance = held(buyer);
						prop_assert!(balance == 0 || balance >= 100);
					}
				}
				let record = record();
				match Offerings::<Test>::get(SERIES).map(|o| o.state) {
					// Minted: everything subscribed exists (less what was burned after
					// maturity), and what was paid is the proceeds (or with the operator).
					_ if record.status == SeriesStatus::Issued => {
						let burned = subscribed - record.supply;
						prop_assert!(burned == 0 || Tokens::matured(&record));
						prop_assert_eq!(btc(OPERATOR) + btc(Tokens::escrow_account()),
							SATS - 100_000 + paid + PAYOUT_MIN);
					},
					// Failed or open: nothing minted, every payment in escrow or refunded.
					_ => {
						prop_assert_eq!(record.supply, 0);
						let refunded: Balance = BUYERS.iter().map(|b| btc(*b)).sum::<Balance>()
							+ paid - 4 * SATS;
						prop_assert_eq!(btc(Tokens::escrow_account()) - PAYOUT_MIN, paid - refunded);
					},
				}
				Ok(())
			})?;
		}

		/// Hashrate of units rounds up for backing and down for display, within one
		/// milli-TH/s of the exact fraction; subscription cost rounds up by less than a sat.
		#[test]
		fn hashrate_and_cost_rounding(
			units in 0u128..u64::MAX as u128,
			per_token in 1u128..1_000_000_000,
			decimals in 0u8..=18,
			price in 0u128..1_000_000_000_000,
		) {
			use polkadot_sdk::sp_core::U256;
			let t = SeriesTerms { decimals, hashrate_per_token: Hashrate(per_token), ..terms() };
			let unit = U256::from(10u128.pow(decimals.into()));
			let up = Tokens::hashrate_of(&t, units, true).unwrap().get();
			let down = Tokens::hashrate_of(&t, units, false).unwrap().get();
			let exact = U256::from(units) * U256::from(per_token);
			prop_assert!(U256::from(down) * unit <= exact);
			prop_assert!(U256::from(up) * unit >= exact);
			prop_assert!(up - down <= 1);
			let cost = Tokens::cost_of(&t, units, price).unwrap();
			let exact = U256::from(units) * U256::from(price);
			prop_assert!(U256::from(cost) * unit >= exact);
			prop_assert!(U256::from(cost) * unit < exact + unit);
		}
	}
}

/// The chain closes offerings by itself in `on_idle` (issue 18); `close_offering` is the
/// fallback.
mod offerings_due {
	use super::*;
	use frame_support::{
		traits::{Get, Hooks},
		weights::Weight,
	};

	fn idle_with(remaining: Weight) -> Weight {
		<Tokens as Hooks<u64>>::on_idle(1, remaining)
	}

	fn idle() -> Weight {
		idle_with(Weight::MAX)
	}

	fn queued() -> Vec<(u64, SeriesId)> {
		DueQueue::<Test>::iter_keys().map(|(at, series)| (at.0, series)).collect()
	}

	fn closed_events() -> usize {
		System::events()
			.iter()
			.filter(|r| {
				matches!(
					r.event,
					RuntimeEvent::Tokens(
						Event::OfferingSucceeded { .. } | Event::OfferingFailed { .. }
					)
				)
			})
			.count()
	}

	#[test]
	fn an_offering_closes_at_its_close_time_without_anyone_calling() {
		run(|| {
			offered();
			subscribe(ALICE, 600_000);
			subscribe(BOB, 400_000);
			assert_ok!(Tokens::add_collateral(signed(OPERATOR), SERIES, 4_520));
			let closes = offering_terms().closes;
			assert_eq!(queued(), vec![(closes, SERIES)]);
			set_now(closes - 1);
			idle();
			assert_eq!(record().status, SeriesStatus::Offering);
			set_now(closes);
			let used = idle();
			assert!(used.all_gte(<() as WeightInfo>::close_offering(2)), "{used:?}");
			event(Event::OfferingSucceeded {
				series: SERIES,
				sold: 1_000_000,
				proceeds: 500_000_000,
			});
			assert_eq!((held(ALICE), held(BOB)), (600_000, 400_000));
			assert!(queued().is_empty());
		});
	}

	#[test]
	fn a_sold_out_offering_closes_in_the_next_block() {
		run(|| {
			offered();
			Offerings::<Test>::mutate(SERIES, |o| o.as_mut().unwrap().terms.hard_cap = 200_000);
			assert_ok!(Tokens::add_collateral(signed(OPERATOR), SERIES, 10_000));
			subscribe(ALICE, 200_000);
			idle();
			assert_eq!(Tokens::supply(SERIES), 200_000);
		});
	}

	#[test]
	fn a_missed_soft_cap_fails_by_itself_and_refunds_stay_open() {
		run(|| {
			offered();
			subscribe(ALICE, 60_000);
			after_close();
			idle();
			event(Event::OfferingFailed {
				series: SERIES,
				sold: 60_000,
				reason: FailureReason::SoftCapMissed,
			});
			assert_ok!(Tokens::refund(signed(CAROL), SERIES, ALICE));
			assert_eq!(btc(ALICE), SATS);
		});
	}

	#[test]
	fn a_close_refused_within_the_grace_is_tried_again_when_it_ends() {
		run(|| {
			offered();
			subscribe(ALICE, 1_000_000);
			// 4,520 sat needed.
			assert_ok!(Tokens::add_collateral(signed(OPERATOR), SERIES, 4_519));
			after_close();
			idle();
			assert_eq!(record().status, SeriesStatus::Offering);
			let grace_ends = offering_terms().closes + rules().close_grace;
			assert_eq!(queued(), vec![(grace_ends, SERIES)]);
			set_now(grace_ends);
			idle();
			event(Event::OfferingFailed {
				series: SERIES,
				sold: 1_000_000,
				reason: FailureReason::CannotIssue,
			});
			assert!(queued().is_empty());
		});
	}

	#[test]
	fn an_offering_the_fallback_closed_is_dropped() {
		run(|| {
			issued();
			assert_eq!(closed_events(), 1);
			idle();
			assert_eq!(closed_events(), 1);
			assert!(queued().is_empty());
		});
	}

	#[test]
	fn an_offering_waits_for_a_block_with_weight_for_its_subscribers() {
		run(|| {
			offered();
			subscribe(ALICE, 600_000);
			subscribe(BOB, 400_000);
			assert_ok!(Tokens::add_collateral(signed(OPERATOR), SERIES, 4_520));
			after_close();
			let db: frame_support::weights::RuntimeDbWeight =
				<Test as frame_system::Config>::DbWeight::get();
			let one = hashrate_primitives::due::entry_weight(db.reads(1), db.writes(1))
				.saturating_add(Tokens::close_offering_weight(2))
				.saturating_add(db.reads(1));
			idle_with(one.saturating_sub(Weight::from_parts(1, 0)));
			assert_eq!(record().status, SeriesStatus::Offering);
			idle_with(one);
			assert_eq!(record().status, SeriesStatus::Issued);
		});
	}
}

#[test]
fn a_chain_upgraded_from_v1_queues_its_open_offerings() {
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	run(|| {
		offered();
		let due: Vec<_> = DueQueue::<Test>::iter_keys().collect();
		let _ = DueQueue::<Test>::clear(u32::MAX, None);
		StorageVersion::new(1).put::<Tokens>();
		crate::migrations::v2::MigrateV1ToV2::<Test>::on_runtime_upgrade();
		assert_eq!(DueQueue::<Test>::iter_keys().collect::<Vec<_>>(), due);
		assert_eq!(due.len(), 1);
		assert_eq!(Tokens::on_chain_storage_version(), StorageVersion::new(2));
	});
}
