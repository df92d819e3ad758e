//! Unit tests: every call's success and errors, the obligation formula, time-weighted
//! distribution to the satoshi, defaults, debt, the storage cost of a deposit, and a property
//! test against an exact big-integer reference.

use crate::{mock::*, Error as E, *};
use codec::Encode;
use frame_support::{assert_noop, assert_ok, BoundedVec};
use hashrate_primitives::{physics, FacilityStatus, Hashrate, SeriesObligations, SuspensionReason};
use polkadot_sdk::sp_core::U256;
use polkadot_sdk::sp_io;
use sp_runtime::DispatchError::BadOrigin;

pub(crate) fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

pub(crate) fn payout(who: AccountId) -> u128 {
	Assets::balance(PAYOUT, who)
}

pub(crate) fn start(period: PeriodIndex) -> u64 {
	u64::from(period.0) * PERIOD
}

pub(crate) fn next(period: PeriodIndex) -> PeriodIndex {
	PeriodIndex(period.0 + 1)
}

/// 100 PH/s in milli-TH/s.
pub(crate) const PH100: u128 = 100 * HASHRATE_PER_TOKEN;

/// The sample series (no costs) with Alice holding 100 tokens (100 PH/s) from before the term.
pub(crate) fn alice_holds_100() {
	create_series(SERIES, FIRST, LAST, 0);
	assert_ok!(mint(SERIES, ALICE, 100));
}

pub(crate) fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::RealYield(event) => Some(event),
			_ => None,
		})
		.collect()
}

pub(crate) fn has_event(event: Event<Test>) {
	assert!(events().contains(&event), "missing {event:?} in {:?}", events());
}

pub(crate) fn record(period: PeriodIndex) -> PeriodYield {
	PeriodYields::<Test>::get(SERIES, period).expect("period recorded")
}

pub(crate) fn claimable(who: AccountId) -> u128 {
	RealYield::earned_now(&who, SERIES).map_or(0, |earned| (earned / index_scale()).as_u128())
}

pub(crate) fn expected(hashrate: u128) -> u128 {
	let sats =
		physics::expected_sats(Hashrate(hashrate), PERIOD, network().difficulty, Sats(REWARD))
			.unwrap();
	u128::from(sats.get())
}

use hashrate_primitives::Sats;

/// Ends period `p`, makes it final at `hashrate` / `sats` and pays it in full.
pub(crate) fn pay_period(period: PeriodIndex, hashrate: u128, sats: u64) {
	set_now(start(next(period)).max(RealYield::now()) + 1);
	finalize(period, hashrate, sats);
	let owed = {
		let mut state = SeriesYields::<Test>::get(SERIES).unwrap();
		let owed = RealYield::obligation(SERIES, &mut state, period).unwrap().owed;
		SeriesYields::<Test>::insert(SERIES, state);
		owed
	};
	if owed == 0 {
		assert_ok!(RealYield::settle(signed(OPERATOR), SERIES));
	} else {
		assert_ok!(RealYield::deposit(signed(OPERATOR), SERIES, period, owed));
	}
}

#[test]
fn holders_share_a_period_by_tokens_times_seconds_to_the_sat() {
	run(|| {
		alice_holds_100();
		// A quarter into the first period Alice sends Bob half. A transfer leaves the series'
		// record as it is.
		set_now(start(FIRST) + 150);
		let series_before = SeriesYields::<Test>::get(SERIES).encode();
		assert_ok!(move_tokens(SERIES, ALICE, BOB, 50));
		assert_eq!(SeriesYields::<Test>::get(SERIES).encode(), series_before);
		set_now(start(next(FIRST)) + 10);
		finalize(FIRST, PH100, 1_000_000);

		let treasury = payout(TREASURY);
		assert_ok!(RealYield::deposit(signed(OPERATOR), SERIES, FIRST, 1_000_000));
		let r = record(FIRST);
		assert_eq!(r.tokenized, Hashrate(PH100));
		assert_eq!(r.supply_seconds, U256::from(100u64 * PERIOD));
		assert_eq!(
			(r.delivered, r.undelivered, r.cost, r.owed, r.fee),
			(1_000_000, 0, 0, 1_000_000, 20_000)
		);
		assert_eq!(r.status, PeriodStatus::Paid);
		has_event(Event::PeriodSettled {
			series: SERIES,
			period: FIRST,
			status: PeriodStatus::Paid,
			distributed: 980_000,
			fee: 20_000,
		});
		has_event(Event::FeesPaid { amount: 20_000 });
		assert_eq!(payout(TREASURY), treasury + 20_000);

		// Alice: 100 x 150 s + 50 x 450 s = 37,500 of 60,000 unit-seconds; Bob 22,500.
		assert_eq!(claimable(ALICE), 612_500);
		assert_eq!(claimable(BOB), 367_500);
		let (alice, bob) = (payout(ALICE), payout(BOB));
		assert_ok!(RealYield::claim(signed(ALICE), SERIES));
		assert_ok!(RealYield::claim(signed(BOB), SERIES));
		assert_eq!(payout(ALICE), alice + 612_500);
		assert_eq!(payout(BOB), bob + 367_500);
		has_event(Event::Claimed { who: ALICE, series: SERIES, amount: 612_500 });
		assert_noop!(RealYield::claim(signed(ALICE), SERIES), E::<Test>::NothingToClaim);
	});
}

#[test]
fn buying_just_before_the_end_earns_only_the_seconds_held() {
	run(|| {
		alice_holds_100();
		set_now(start(FIRST) + PERIOD - 10);
		assert_ok!(mint(SERIES, BOB, 100));
		pay_period(FIRST, PH100, 1_000_000);
		// Supply-seconds 100 x 600 + 100 x 10 = 61,000: T rounds up to 101.67 PH/s, so the
		// facility under-delivered; holders get 980,000 + 98 % of the undelivered value.
		let r = record(FIRST);
		assert_eq!(r.supply_seconds, U256::from(61_000u64));
		assert_eq!(r.tokenized, Hashrate(101_666_667));
		let holders = r.owed - r.fee;
		assert_eq!(claimable(BOB), holders * 1_000 / 61_000);
		assert_eq!(claimable(ALICE), holders * 60_000 / 61_000);
		// A deposit after the period does not pay anyone who bought after it.
		set_now(RealYield::now() + 5);
		assert_ok!(mint(SERIES, CAROL, 100));
		assert_eq!(claimable(CAROL), 0);
	});
}

#[test]
fn under_delivery_is_owed_at_the_network_rate() {
	run(|| {
		alice_holds_100();
		// 60 PH/s delivered of 100 tokenized: S plus 40 PH/s at the network's rate.
		pay_period(FIRST, 60 * HASHRATE_PER_TOKEN, 600_000);
		let r = record(FIRST);
		assert_eq!(r.delivered, 600_000);
		assert_eq!(r.undelivered, expected(40 * HASHRATE_PER_TOKEN));
		assert!(r.undelivered > 0);
		assert_eq!(r.owed, 600_000 + r.undelivered);
		assert_eq!(r.paid, r.owed);
	});
}

#[test]
fn over_delivery_pays_the_tokenized_share_rounded_up() {
	run(|| {
		alice_holds_100();
		// 200 PH/s mined 2,000,001 sats; 100 PH/s tokenized: ceil(1,000,000.5).
		pay_period(FIRST, 2 * PH100, 2_000_001);
		assert_eq!(record(FIRST).delivered, 1_000_001);
		assert_eq!(record(FIRST).undelivered, 0);
	});
}

#[test]
fn a_proven_period_settles_like_a_reported_one_and_shows_the_proven_part() {
	run(|| {
		alice_holds_100();
		set_now(start(next(FIRST)) + 1);
		// 60 PH/s delivered of 100 tokenized; 600,000 sat final, 550,000 of them proven.
		finalize_proven(FIRST, 60 * HASHRATE_PER_TOKEN, 600_000, 550_000);
		let owed = 600_000 + expected(40 * HASHRATE_PER_TOKEN);
		assert_ok!(RealYield::deposit(signed(OPERATOR), SERIES, FIRST, owed));
		let r = record(FIRST);
		assert_eq!(
			r.output,
			FinalOutput::Proven {
				hashrate: Hashrate(60 * HASHRATE_PER_TOKEN),
				sats: 600_000,
				proven: 550_000
			}
		);
		assert_eq!((r.delivered, r.undelivered), (600_000, expected(40 * HASHRATE_PER_TOKEN)));
		assert_eq!(r.paid, owed);
		let report = RealYield::period_report(SERIES, FIRST).unwrap();
		assert_eq!(report.output, r.output);
	});
}

#[test]
fn an_unreported_period_owes_the_network_expectation() {
	run(|| {
		alice_holds_100();
		set_now(start(next(FIRST)) + 1);
		finalize_defaulted(FIRST);
		assert_ok!(RealYield::deposit(signed(OPERATOR), SERIES, FIRST, 1));
		let r = record(FIRST);
		assert_eq!(r.output, FinalOutput::Defaulted);
		assert_eq!((r.delivered, r.undelivered), (0, expected(PH100)));
		assert_eq!(r.owed, expected(PH100));
	});
}

#[test]
fn costs_are_deducted_and_floored_at_zero() {
	run(|| {
		create_series(SERIES, FIRST, LAST, 100);
		assert_ok!(mint(SERIES, ALICE, 100));
		// 100 sats per TH/s per day x 100,000 TH/s x 600/86,400 days = 69,444.4 -> 69,444.
		pay_period(FIRST, PH100, 1_000_000);
		let r = record(FIRST);
		assert_eq!((r.cost, r.owed, r.fee), (69_444, 930_556, 18_611));
		assert_eq!(claimable(ALICE), 930_556 - 18_611);
		// Output below costs: nothing owed; the period settles without a deposit.
		set_now(start(next(next(FIRST))) + 1);
		finalize(next(FIRST), PH100, 50_000);
		assert_noop!(
			RealYield::deposit(signed(OPERATOR), SERIES, next(FIRST), 1),
			E::<Test>::Overpayment
		);
		assert_ok!(RealYield::settle(signed(BOB), SERIES));
		assert_eq!(record(next(FIRST)).owed, 0);
		assert_eq!(record(next(FIRST)).status, PeriodStatus::Paid);
	});
}

#[test]
fn deposit_errors() {
	run(|| {
		alice_holds_100();
		assert_noop!(RealYield::deposit(signed(OPERATOR), SERIES, FIRST, 0), E::<Test>::ZeroAmount);
		assert_noop!(
			RealYield::deposit(signed(OPERATOR), SeriesId(9), FIRST, 1),
			E::<Test>::UnknownSeries
		);
		assert_noop!(
			RealYield::deposit(signed(OPERATOR), SERIES, PeriodIndex(9), 1),
			E::<Test>::PeriodOutOfTerm
		);
		assert_noop!(
			RealYield::deposit(signed(OPERATOR), SERIES, next(LAST), 1),
			E::<Test>::PeriodOutOfTerm
		);
		// Not ended / not final yet.
		assert_noop!(
			RealYield::deposit(signed(OPERATOR), SERIES, next(FIRST), 1),
			E::<Test>::PeriodNotFinal
		);
		assert_noop!(
			RealYield::deposit(signed(OPERATOR), SERIES, FIRST, 1),
			E::<Test>::PeriodNotFinal
		);
		set_now(start(next(FIRST)) + 1);
		assert_noop!(
			RealYield::deposit(signed(OPERATOR), SERIES, FIRST, 1),
			E::<Test>::PeriodNotFinal
		);
		finalize(FIRST, PH100, 1_000_000);
		assert_noop!(
			RealYield::deposit(signed(OPERATOR), SERIES, FIRST, 1_000_001),
			E::<Test>::Overpayment
		);
		assert_noop!(
			RealYield::deposit(signed(NOBODY), SERIES, FIRST, 1_000),
			E::<Test>::InsufficientBalance
		);
		// Partial, then the rest.
		assert_ok!(RealYield::deposit(signed(BOB), SERIES, FIRST, 400_000));
		has_event(Event::Deposited {
			series: SERIES,
			period: FIRST,
			from: BOB,
			amount: 400_000,
			outstanding: 600_000,
		});
		assert_eq!(record(FIRST).status, PeriodStatus::Open);
		assert_noop!(RealYield::settle(signed(BOB), SERIES), E::<Test>::NotPaidInFull);
		assert_ok!(RealYield::deposit(signed(OPERATOR), SERIES, FIRST, 600_000));
		assert_eq!(record(FIRST).status, PeriodStatus::Paid);
		assert_noop!(
			RealYield::deposit(signed(OPERATOR), SERIES, FIRST, 1),
			E::<Test>::AlreadySettled
		);
	});
}

#[test]
fn settle_errors() {
	run(|| {
		assert_noop!(RealYield::settle(signed(BOB), SERIES), E::<Test>::UnknownSeries);
		create_series(SERIES, FIRST, FIRST, 0);
		assert_ok!(mint(SERIES, ALICE, 100));
		assert_noop!(RealYield::settle(signed(BOB), SERIES), E::<Test>::PeriodNotFinal);
		pay_period(FIRST, PH100, 1_000_000);
		assert!(RealYield::is_settled(SERIES));
		assert_noop!(RealYield::settle(signed(BOB), SERIES), E::<Test>::NothingToSettle);
		assert_noop!(RealYield::trigger_default(signed(BOB), SERIES), E::<Test>::NothingToSettle);
	});
}

#[test]
fn a_period_nobody_held_owes_nothing_and_settles() {
	run(|| {
		create_series(SERIES, FIRST, LAST, 0);
		// Tokens minted only after the first period.
		set_now(start(next(FIRST)) + 5);
		assert_ok!(mint(SERIES, ALICE, 100));
		finalize(FIRST, PH100, 1_000_000);
		assert_ok!(RealYield::settle(signed(BOB), SERIES));
		let r = record(FIRST);
		assert_eq!((r.supply_seconds, r.tokenized, r.owed), (U256::zero(), Hashrate(0), 0));
		assert!(!RealYield::is_settled(SERIES));
		assert_eq!(SeriesYields::<Test>::get(SERIES).unwrap().next, next(FIRST));
	});
}

#[test]
fn a_repayment_reaches_the_holder_it_shorted_after_it_left() {
	run(|| {
		let rules = YieldRules { payment_window: 60, ..YieldRules::default() };
		assert_ok!(RealYield::set_rules(RuntimeOrigin::root(), rules));
		alice_holds_100();
		// Alice sells out as the first period ends: nobody holds during the second.
		set_now(start(next(FIRST)));
		assert_ok!(burn(SERIES, ALICE, 100));
		finalize(FIRST, PH100, 1_000_000);
		set_now(RealYield::now() + 61);
		assert_ok!(RealYield::trigger_default(signed(BOB), SERIES));
		assert_eq!(RealYield::debt(FACILITY), 980_000);
		assert_eq!(claimable(ALICE), 0);
		// Nobody holds during the second period; Bob buys in the third. The repayment is
		// Alice's: she held the defaulted period, though she holds nothing now.
		set_now(start(next(next(FIRST))) + 1);
		finalize(next(FIRST), PH100, 1_000_000);
		assert_ok!(RealYield::settle(signed(BOB), SERIES));
		assert_ok!(mint(SERIES, BOB, 10));
		assert_ok!(RealYield::repay_debt(signed(OPERATOR), SERIES, 980_000));
		assert_eq!(claimable(ALICE), 980_000);
		pay_period(next(next(FIRST)), 10 * HASHRATE_PER_TOKEN, 100_000);
		let third = record(next(next(FIRST)));
		assert_eq!(claimable(BOB), third.owed - third.fee);
		assert_eq!(claimable(ALICE), 980_000);
		let report = RealYield::series_report(SERIES).unwrap();
		assert_eq!((report.repaid, report.carried, report.debt), (980_000, 0, 0));
		// Alice claims and, holding nothing, owed nothing, her record goes.
		assert_ok!(RealYield::claim(signed(ALICE), SERIES));
		assert!(HolderYields::<Test>::get(ALICE, SERIES).is_none());
	});
}

#[test]
fn a_default_draws_collateral_and_leaves_the_rest_as_debt() {
	run(|| {
		alice_holds_100();
		add_collateral(SERIES, 500_000);
		set_now(start(next(FIRST)) + 1);
		finalize(FIRST, PH100, 1_000_000);
		assert_ok!(RealYield::deposit(signed(OPERATOR), SERIES, FIRST, 300_000));
		let deadline = record(FIRST).deadline;
		assert_eq!(deadline, RealYield::now() + rules().payment_window);
		assert_noop!(
			RealYield::trigger_default(signed(BOB), SERIES),
			E::<Test>::DeadlineNotReached
		);
		set_now(deadline);
		assert_noop!(
			RealYield::trigger_default(signed(BOB), SERIES),
			E::<Test>::DeadlineNotReached
		);
		set_now(deadline + 1);
		let pot = payout(RealYield::pot_account());
		assert_ok!(RealYield::trigger_default(signed(BOB), SERIES));
		// Shortfall 700,000: 500,000 from collateral; holders were owed 980,000 and got
		// 800,000, so 180,000 is debt; the fee is forgone.
		has_event(Event::PeriodDefaulted {
			series: SERIES,
			period: FIRST,
			shortfall: 700_000,
			drawn: 500_000,
			debt: 180_000,
		});
		assert_eq!(payout(RealYield::pot_account()), pot + 500_000);
		let r = record(FIRST);
		assert_eq!(
			(r.status, r.drawn, r.debt, r.fee_taken),
			(PeriodStatus::Defaulted, 500_000, 180_000, 0)
		);
		assert_eq!(claimable(ALICE), 800_000);
		assert_eq!(RealYield::debt(FACILITY), 180_000);
		assert_eq!(FacilityDefaults::<Test>::get(FACILITY).to_vec(), vec![FIRST]);
		assert_eq!(Ledger::collateral(SERIES), 0);

		// Repaying: named errors, then the repayment goes to the holder it shorted.
		assert_noop!(RealYield::repay_debt(signed(OPERATOR), SERIES, 0), E::<Test>::ZeroAmount);
		assert_noop!(
			RealYield::repay_debt(signed(OPERATOR), SeriesId(9), 1),
			E::<Test>::UnknownSeries
		);
		assert_noop!(
			RealYield::repay_debt(signed(OPERATOR), SERIES, 180_001),
			E::<Test>::Overpayment
		);
		assert_noop!(
			RealYield::repay_debt(signed(NOBODY), SERIES, 1_000),
			E::<Test>::InsufficientBalance
		);
		assert_ok!(RealYield::repay_debt(signed(OPERATOR), SERIES, 180_000));
		has_event(Event::DebtRepaid { series: SERIES, from: OPERATOR, amount: 180_000, debt: 0 });
		assert_eq!(RealYield::debt(FACILITY), 0);
		assert_noop!(RealYield::repay_debt(signed(OPERATOR), SERIES, 1), E::<Test>::NoDebt);
		assert_eq!(claimable(ALICE), 800_000 + 180_000);
		pay_period(next(FIRST), PH100, 1_000_000);
		assert_eq!(claimable(ALICE), 800_000 + 180_000 + 980_000);
	});
}

#[test]
fn debt_of_a_fully_settled_series_is_repaid_to_its_holders() {
	run(|| {
		create_series(SERIES, FIRST, FIRST, 0);
		assert_ok!(mint(SERIES, ALICE, 100));
		set_now(start(next(FIRST)) + 1);
		finalize(FIRST, PH100, 1_000_000);
		set_now(RealYield::now() + rules().payment_window + 1);
		assert_ok!(RealYield::trigger_default(signed(BOB), SERIES));
		assert_eq!(RealYield::debt(FACILITY), 980_000);
		assert!(RealYield::is_settled(SERIES));
		assert_ok!(RealYield::repay_debt(signed(OPERATOR), SERIES, 980_000));
		assert_eq!(claimable(ALICE), 980_000);
		assert_eq!(RealYield::debt(FACILITY), 0);
	});
}

#[test]
fn trigger_default_errors_and_suspension_at_the_limit() {
	run(|| {
		assert_noop!(RealYield::trigger_default(signed(BOB), SERIES), E::<Test>::UnknownSeries);
		alice_holds_100();
		assert_noop!(RealYield::trigger_default(signed(BOB), SERIES), E::<Test>::PeriodNotFinal);
		let window = rules().payment_window;
		// Three defaults in a row suspend the facility.
		let mut period = FIRST;
		for defaults in 1..=3u32 {
			set_now(start(next(period)).max(RealYield::now()) + 1);
			finalize(period, PH100, 1_000_000);
			set_now(RealYield::now() + window + 1);
			assert_ok!(RealYield::trigger_default(signed(BOB), SERIES));
			assert_eq!(FacilityDefaults::<Test>::get(FACILITY).len() as u32, defaults);
			period = next(period);
		}
		has_event(Event::FacilitySuspended { facility: FACILITY, defaults: 3 });
		assert_eq!(
			world(|w| w.suspensions.clone()),
			vec![(FACILITY, SuspensionReason::PaymentDefaults)]
		);
		assert_eq!(world(|w| w.statuses[&FACILITY]), FacilityStatus::Suspended);
		// A period that owes nothing (delivered in full, mined nothing) cannot be defaulted.
		set_now(start(next(period)).max(RealYield::now()) + 1);
		finalize(period, PH100, 0);
		set_now(RealYield::now() + window + 1);
		assert_noop!(RealYield::trigger_default(signed(BOB), SERIES), E::<Test>::PaidInFull);
		assert_ok!(RealYield::settle(signed(BOB), SERIES));
	});
}

#[test]
fn claims_below_the_asset_minimum_stay_claimable() {
	run(|| {
		alice_holds_100();
		set_now(start(FIRST) + 599);
		// NOBODY holds no payout asset: 1 token for 1 second earns less than the minimum.
		assert_ok!(mint(SERIES, NOBODY, 1));
		pay_period(FIRST, PH100, 1_000_000);
		let small = claimable(NOBODY);
		assert!(small > 0 && small < PAYOUT_MIN, "{small}");
		assert_noop!(RealYield::claim(signed(NOBODY), SERIES), E::<Test>::ClaimBelowMinimum);
		// More periods later it can be paid.
		for period in [next(FIRST), next(next(FIRST))] {
			pay_period(period, PH100, 1_000_000);
		}
		assert!(claimable(NOBODY) >= PAYOUT_MIN);
		assert_ok!(RealYield::claim(signed(NOBODY), SERIES));
		assert_eq!(claimable(NOBODY), 0);
	});
}

#[test]
fn a_claim_is_charged_for_the_periods_it_folds() {
	run(|| {
		alice_holds_100();
		set_now(start(FIRST) + 300);
		assert_ok!(move_tokens(SERIES, ALICE, BOB, 10));
		pay_period(FIRST, PH100, 1_000_000);
		let info = RealYield::claim(signed(ALICE), SERIES).unwrap();
		assert_eq!(info.actual_weight, Some(<() as crate::WeightInfo>::claim(1)));
		pay_period(next(FIRST), PH100, 1_000_000);
		let info = RealYield::claim(signed(ALICE), SERIES).unwrap();
		assert_eq!(info.actual_weight, Some(<() as crate::WeightInfo>::claim(0)));
		let list: BoundedVec<SeriesId, _> = vec![SERIES].try_into().unwrap();
		pay_period(PeriodIndex(FIRST.0 + 2), PH100, 1_000_000);
		let info = RealYield::claim_many(signed(BOB), list).unwrap();
		// Bob had nothing before he received tokens: his record holds no period, the index
		// covers his holding since.
		assert_eq!(info.actual_weight, Some(RealYield::claim_many_weight(1, 0)));
	});
}

#[test]
fn the_balance_hook_is_charged_for_the_periods_it_folds() {
	use hashrate_primitives::OnTokenBalanceChange;
	run(|| {
		alice_holds_100();
		set_now(start(FIRST) + 300);
		assert_ok!(move_tokens(SERIES, ALICE, BOB, 10));
		pay_period(FIRST, PH100, 1_000_000);
		let weight = |who| {
			<RealYield as OnTokenBalanceChange<AccountId>>::before_balance_change(
				SERIES,
				&who,
				Ledger::balance(SERIES, &who),
			)
		};
		// Charged beyond a change with nothing to read or record (in the token pallet's
		// benchmarks): the settled periods read (Alice's record holds one, and she catches
		// up from the period her record stopped in: counted as one more), and those walked
		// from the settled frontier to now (each recorded).
		let folding = |e, w| {
			<() as crate::WeightInfo>::before_balance_change(e, w)
				.saturating_sub(<() as crate::WeightInfo>::before_balance_change(0, 0))
		};
		let recorded = |who| {
			HolderYields::<Test>::get(who, SERIES).map_or(0, |h| h.accrual.unsettled.len() as u32)
		};
		assert!(folding(1, 0).ref_time() > 0 && folding(0, 1).ref_time() > 0);
		let alice = weight(ALICE);
		assert!(recorded(ALICE) >= 1);
		assert_eq!(alice, Ok(folding(2, recorded(ALICE))));
		// Bob's record holds nothing, but he held tokens in the settled period since his
		// last update: catching up reads its record, like a fold.
		let bob = weight(BOB);
		assert_eq!(bob, Ok(folding(1, recorded(BOB))));
		// Nothing left to read or record at once after.
		assert_eq!(weight(BOB), Ok(frame_support::weights::Weight::zero()));
		assert_eq!(
			<RealYield as OnTokenBalanceChange<AccountId>>::before_supply_change(SERIES),
			Ok(<() as crate::WeightInfo>::before_supply_change())
		);
		// Declared for a record full of periods to fold and to record.
		assert_eq!(
			<RealYield as OnTokenBalanceChange<AccountId>>::max_weight(),
			folding(MAX_UNSETTLED, MAX_UNSETTLED)
		);
	});
}

#[test]
fn claim_many_pays_several_series_in_one_transfer() {
	run(|| {
		alice_holds_100();
		create_series(SeriesId(1), FIRST, LAST, 0);
		assert_ok!(mint(SeriesId(1), ALICE, 100));
		set_now(start(next(FIRST)) + 1);
		finalize(FIRST, 2 * PH100, 2_000_000);
		assert_ok!(RealYield::deposit(signed(OPERATOR), SERIES, FIRST, 1_000_000));
		assert_ok!(RealYield::deposit(signed(OPERATOR), SeriesId(1), FIRST, 1_000_000));
		let list = |v: Vec<u32>| -> BoundedVec<SeriesId, _> {
			v.into_iter().map(SeriesId).collect::<Vec<_>>().try_into().unwrap()
		};
		assert_noop!(
			RealYield::claim_many(signed(ALICE), list(vec![0, 1, 0])),
			E::<Test>::DuplicateSeries
		);
		assert_noop!(
			RealYield::claim_many(signed(BOB), list(vec![0, 1])),
			E::<Test>::NothingToClaim
		);
		let before = payout(ALICE);
		assert_ok!(RealYield::claim_many(signed(ALICE), list(vec![0, 1, 5])));
		assert_eq!(payout(ALICE), before + 2 * 980_000);
		has_event(Event::Claimed { who: ALICE, series: SeriesId(1), amount: 980_000 });
		assert_noop!(
			RealYield::claim_many(signed(ALICE), list(vec![0, 1])),
			E::<Test>::NothingToClaim
		);
	});
}

#[test]
fn a_holder_who_sold_everything_keeps_and_then_clears_its_record() {
	run(|| {
		alice_holds_100();
		set_now(start(FIRST) + 300);
		assert_ok!(move_tokens(SERIES, ALICE, BOB, 100));
		pay_period(FIRST, PH100, 1_000_000);
		assert_eq!(claimable(ALICE), 490_000);
		assert!(HolderYields::<Test>::contains_key(ALICE, SERIES));
		assert_ok!(RealYield::claim(signed(ALICE), SERIES));
		assert!(!HolderYields::<Test>::contains_key(ALICE, SERIES));
		// Bob keeps earning without touching anything.
		pay_period(next(FIRST), PH100, 1_000_000);
		assert_eq!(claimable(BOB), 490_000 + 980_000);
	});
}

#[test]
fn burned_tokens_stop_earning() {
	run(|| {
		alice_holds_100();
		assert_ok!(mint(SERIES, BOB, 100));
		set_now(start(FIRST) + 300);
		assert_ok!(burn(SERIES, BOB, 100));
		pay_period(FIRST, 2 * PH100, 2_000_000);
		// Supply-seconds 100 x 600 + 100 x 300: T = 150 PH/s.
		assert_eq!(record(FIRST).tokenized, Hashrate(150 * HASHRATE_PER_TOKEN));
		let holders = record(FIRST).owed - record(FIRST).fee;
		assert_eq!(claimable(ALICE), holders * 2 / 3);
		assert_eq!(claimable(BOB), holders / 3);
	});
}

#[test]
fn rounding_favours_the_pot_and_the_remainder_is_carried() {
	run(|| {
		create_series(SERIES, FIRST, LAST, 0);
		for who in [ALICE, BOB, CAROL] {
			assert_ok!(mint(SERIES, who, 1));
		}
		// 1,000 sats owed, 980 to three equal holders: 326.67 each.
		pay_period(FIRST, 3 * HASHRATE_PER_TOKEN, 1_000);
		for who in [ALICE, BOB, CAROL] {
			assert_eq!(claimable(who), 326);
		}
		let state = SeriesYields::<Test>::get(SERIES).unwrap();
		assert_eq!(state.distributed, 980);
		// The fraction of each holder's share stays with the holder (10^-36 sat precision),
		// so the third sat of the remainder is paid out over the next periods, not lost.
		pay_period(next(FIRST), 3 * HASHRATE_PER_TOKEN, 1_000);
		for who in [ALICE, BOB, CAROL] {
			assert_eq!(claimable(who), 653);
		}
		pay_period(PeriodIndex(FIRST.0 + 2), 3 * HASHRATE_PER_TOKEN, 1_000);
		for who in [ALICE, BOB, CAROL] {
			assert_eq!(claimable(who), 980);
		}
	});
}

#[test]
fn a_settlement_backlog_blocks_balance_changes_until_settled() {
	run(|| {
		create_series(SERIES, FIRST, PeriodIndex(FIRST.0 + 20), 0);
		assert_ok!(mint(SERIES, ALICE, 100));
		// Alice moves tokens every period, nothing settles: her record fills.
		for k in 0..MAX_UNSETTLED {
			set_now(start(PeriodIndex(FIRST.0 + k)) + 10);
			assert_ok!(move_tokens(SERIES, ALICE, BOB, 1));
		}
		set_now(start(PeriodIndex(FIRST.0 + MAX_UNSETTLED)) + 10);
		assert_noop!(move_tokens(SERIES, ALICE, BOB, 1), E::<Test>::SettlementBacklog);
		// Settling the oldest period makes room.
		finalize(FIRST, PH100, 1_000_000);
		assert_ok!(RealYield::deposit(signed(OPERATOR), SERIES, FIRST, 1_000_000));
		assert_ok!(move_tokens(SERIES, ALICE, BOB, 1));
	});
}

#[test]
fn set_rules_is_governance_only_and_checked() {
	run(|| {
		let rules = YieldRules {
			payment_window: 60,
			defaults_before_suspension: 2,
			default_window: 10,
			fee_per_mill: 0,
		};
		assert_noop!(RealYield::set_rules(signed(ALICE), rules), BadOrigin);
		for bad in [
			YieldRules { payment_window: 0, ..rules },
			YieldRules { defaults_before_suspension: 0, ..rules },
			YieldRules { defaults_before_suspension: MAX_DEFAULTS_TRACKED + 1, ..rules },
			YieldRules { default_window: 0, ..rules },
			YieldRules { fee_per_mill: MAX_FEE_PER_MILL + 1, ..rules },
		] {
			assert_noop!(RealYield::set_rules(RuntimeOrigin::root(), bad), E::<Test>::InvalidRules);
		}
		// The oracle's finality horizon (3,000 s in the mock) plus the payment window, in
		// 600-s periods, plus 2, must fit the 12 periods a record keeps: 10 + 2 fits, 11 + 2
		// does not.
		assert_ok!(RealYield::set_rules(
			RuntimeOrigin::root(),
			YieldRules { payment_window: 5 * PERIOD, ..rules }
		));
		assert_noop!(
			RealYield::set_rules(
				RuntimeOrigin::root(),
				YieldRules { payment_window: 5 * PERIOD + 1, ..rules }
			),
			E::<Test>::BacklogTooLong
		);
		assert_ok!(RealYield::set_rules(RuntimeOrigin::root(), rules));
		assert_eq!(Rules::<Test>::get(), rules);
		has_event(Event::RulesSet { rules });
		// No fee: holders get everything.
		alice_holds_100();
		pay_period(FIRST, PH100, 1_000_000);
		assert_eq!(claimable(ALICE), 1_000_000);
	});
}

#[test]
fn views_report_yield_periods_and_backing() {
	run(|| {
		alice_holds_100();
		add_collateral(SERIES, 50_000);
		assert!(RealYield::series_report(SERIES).unwrap().attested.is_none());
		pay_period(FIRST, 120 * HASHRATE_PER_TOKEN, 1_200_000);
		assert_eq!(
			RealYield::pending_yield(ALICE),
			vec![PendingYield { series: SERIES, balance: 100, claimable: 980_000 }]
		);
		let period = RealYield::period_report(SERIES, FIRST).unwrap();
		assert_eq!(
			(period.owed, period.distributed, period.status),
			(1_000_000, 980_000, PeriodStatus::Paid)
		);
		// 980,000 sats over 100,000 TH/s for 600 s = 1,411.2 sats per TH/s per day.
		assert_eq!(period.millisats_per_th_day, 1_411_200);
		let series = RealYield::series_report(SERIES).unwrap();
		assert_eq!(series.tokenized, Hashrate(PH100));
		assert_eq!(series.attested, Some(Hashrate(120 * HASHRATE_PER_TOKEN)));
		assert_eq!(series.collateral, 50_000);
		assert_eq!(
			(series.deposited, series.fees, series.distributed),
			(1_000_000, 20_000, 980_000)
		);
		assert_eq!(series.millisats_per_th_day, 1_411_200);
		assert_eq!(series.next_period, next(FIRST));
		assert_eq!((series.claimed, series.carried, series.debt), (0, 0, 0));
		assert!(RealYield::period_report(SERIES, next(FIRST)).is_none());
	});
}

/// Keys changed by `f` and keys it read (those its storage proof can prove), counted per
/// storage prefix (pallet + item: the first 32 bytes of a key).
fn storage_footprint(
	ext: &mut sp_io::TestExternalities,
	f: impl FnOnce(),
) -> (std::collections::BTreeMap<Vec<u8>, usize>, std::collections::BTreeMap<Vec<u8>, usize>) {
	use polkadot_sdk::sp_state_machine::{Backend, TrieBackendBuilder};
	ext.commit_all().unwrap();
	let before: std::collections::BTreeMap<Vec<u8>, Vec<u8>> =
		ext.as_backend().pairs(Default::default()).unwrap().map(|p| p.unwrap()).collect();
	let root = *ext.as_backend().root();
	let (_, proof) = ext.execute_and_prove(f);
	let db = proof.into_memory_db::<sp_runtime::traits::BlakeTwo256>();
	let proved = TrieBackendBuilder::new(db, root).build();
	let mut reads = std::collections::BTreeMap::new();
	for key in before.keys() {
		if matches!(proved.storage(key), Ok(Some(_))) {
			*reads.entry(key[..32.min(key.len())].to_vec()).or_insert(0) += 1;
		}
	}
	ext.commit_all().unwrap();
	let after: std::collections::BTreeMap<Vec<u8>, Vec<u8>> =
		ext.as_backend().pairs(Default::default()).unwrap().map(|p| p.unwrap()).collect();
	let mut writes = std::collections::BTreeMap::new();
	for key in before.keys().chain(after.keys()) {
		if before.get(key) != after.get(key) {
			*writes.entry(key[..32.min(key.len())].to_vec()).or_insert(0) += 1;
		}
	}
	(reads, writes)
}

#[test]
fn a_deposit_reads_and_writes_the_same_storage_whatever_the_number_of_holders() {
	let footprint = |holders: u128| {
		let mut ext = new_test_ext();
		ext.execute_with(|| {
			create_series(SERIES, FIRST, LAST, 0);
			for i in 0..holders {
				assert_ok!(mint(SERIES, 1_000 + i, 10));
			}
			set_now(start(FIRST) + 300);
			// Half the holders trade inside the period.
			for i in 0..holders / 2 {
				assert_ok!(move_tokens(SERIES, 1_000 + i, 1_000 + holders + i, 5));
			}
			set_now(start(next(FIRST)) + 1);
			finalize(FIRST, 10 * holders * HASHRATE_PER_TOKEN, 1_000_000);
		});
		let world_snapshot = WORLD.with(|w| w.borrow().books.clone());
		let result = storage_footprint(&mut ext, || {
			WORLD.with(|w| w.borrow_mut().books = world_snapshot);
			assert_ok!(RealYield::deposit(signed(OPERATOR), SERIES, FIRST, 1_000_000));
		});
		ext.execute_with(|| {
			assert_eq!(record(FIRST).status, PeriodStatus::Paid);
			RealYield::do_try_state().unwrap();
		});
		result
	};
	let (reads_few, writes_few) = footprint(2);
	let (reads_many, writes_many) = footprint(400);
	assert_eq!(reads_few, reads_many, "reads depend on the number of holders");
	assert_eq!(writes_few, writes_many, "writes depend on the number of holders");
	let total = |m: &std::collections::BTreeMap<Vec<u8>, usize>| m.values().sum::<usize>();
	assert!(
		total(&reads_many) <= 16 && total(&writes_many) <= 12,
		"{reads_many:?} {writes_many:?}"
	);
	let holder_prefix = frame_support::storage::storage_prefix(b"RealYield", b"HolderYields");
	assert!(
		!reads_many.contains_key(&holder_prefix[..])
			&& !writes_many.contains_key(&holder_prefix[..])
	);
}

mod properties {
	//! Random holders, transfers inside periods, deposits, defaults and claims, checked
	//! against an exact big-integer reference of each holder's time-weighted share.
	use super::*;
	use num_bigint::BigUint;
	use proptest::prelude::*;
	use std::collections::BTreeMap;

	#[derive(Clone, Debug)]
	enum Op {
		/// Let seconds pass (bounded so the period under way stays unsettled at most a few).
		Wait(u64),
		/// Move a share (per-mill of the sender's balance) between two holders.
		Move { from: usize, to: usize, per_mill: u16 },
		/// Mint to a holder.
		Mint { to: usize, units: u128 },
		/// Make the next period final (if ended) and pay it in full or partly and default.
		Settle { sats: u64, hashrate_per_mill: u16, paid_per_mill: u16, collateral: u128 },
		/// A holder claims.
		Claim(usize),
		/// The facility repays a share (per-mill, at least a sat) of the series' debt.
		Repay(u16),
	}

	fn op() -> impl Strategy<Value = Op> {
		prop_oneof![
			3 => (1u64..900).prop_map(Op::Wait),
			3 => (0usize..4, 0usize..4, 1u16..=1000).prop_map(|(from, to, per_mill)| Op::Move { from, to, per_mill }),
			1 => (0usize..4, 1u128..1_000).prop_map(|(to, units)| Op::Mint { to, units }),
			3 => (0u64..50_000_000, 0u16..=1500, prop_oneof![3 => Just(1000u16), 1 => 0u16..1000], 0u128..3_000_000)
				.prop_map(|(sats, hashrate_per_mill, paid_per_mill, collateral)| Op::Settle { sats, hashrate_per_mill, paid_per_mill, collateral }),
			2 => (0usize..4).prop_map(Op::Claim),
			2 => (1u16..=1000).prop_map(Op::Repay),
		]
	}

	/// The reference: each holder's balance over time, and exact shares.
	#[derive(Default)]
	struct Reference {
		/// (time, balance from then on) per holder.
		history: BTreeMap<AccountId, Vec<(u64, u128)>>,
		/// Per settled period: (start, end, holders' amount distributed with it).
		settled: Vec<(u64, u64, u128)>,
		claimed: BTreeMap<AccountId, u128>,
		/// Defaults leaving debt and repayments, in order.
		debt_events: Vec<DebtEvent>,
	}

	enum DebtEvent {
		/// A period `[start, end)` defaulted leaving `debt` sats.
		Default { start: u64, end: u64, debt: u128 },
		/// `amount` sats repaid.
		Repay(u128),
	}

	/// An exact fraction, kept reduced.
	#[derive(Clone)]
	struct Frac {
		num: BigUint,
		den: BigUint,
	}

	impl Frac {
		/// Reduced by the greatest common divisor (Euclid), so repeated products stay small.
		fn new(num: BigUint, den: BigUint) -> Self {
			let (mut a, mut b) = (num.clone(), den.clone());
			while b != BigUint::from(0u32) {
				let r = &a % &b;
				a = b;
				b = r;
			}
			if a <= BigUint::from(1u32) {
				return Frac { num, den };
			}
			Frac { num: num / &a, den: den / &a }
		}
		fn zero() -> Self {
			Frac::new(BigUint::from(0u32), BigUint::from(1u32))
		}
		fn add(&self, other: &Frac) -> Frac {
			Frac::new(&self.num * &other.den + &other.num * &self.den, &self.den * &other.den)
		}
		fn mul(&self, other: &Frac) -> Frac {
			Frac::new(&self.num * &other.num, &self.den * &other.den)
		}
		fn floor(&self) -> BigUint {
			&self.num / &self.den
		}
		fn is_zero(&self) -> bool {
			self.num == BigUint::from(0u32)
		}
	}

	impl Reference {
		fn set(&mut self, who: AccountId, at: u64, balance: u128) {
			self.history.entry(who).or_default().push((at, balance));
		}
		fn seconds_held(&self, who: AccountId, from: u64, to: u64) -> BigUint {
			let mut total = BigUint::from(0u32);
			let Some(history) = self.history.get(&who) else { return total };
			for (i, &(at, balance)) in history.iter().enumerate() {
				let until = history.get(i + 1).map_or(u64::MAX, |next| next.0);
				let (a, b) = (at.max(from), until.min(to));
				if b > a {
					total += BigUint::from(balance) * BigUint::from(b - a);
				}
			}
			total
		}
		/// Exact entitlement of `who` as (numerator, denominator) summed over periods, and
		/// the number of settled periods.
		fn entitlement_floor(&self, who: AccountId) -> BigUint {
			// Sum of fractions with a common denominator.
			let mut num = BigUint::from(0u32);
			let mut den = BigUint::from(1u32);
			for &(start, end, amount) in &self.settled {
				let mine = self.seconds_held(who, start, end);
				let all: BigUint =
					self.history.keys().map(|h| self.seconds_held(*h, start, end)).sum();
				if all == BigUint::from(0u32) {
					continue;
				}
				let term = mine * BigUint::from(amount);
				num = num * &all + term * &den;
				den *= all;
			}
			num / den
		}

		/// What `who` is owed of repayments, exactly: each repayment goes to every unpaid
		/// debt alike, pro rata to what is unpaid; a period's debt is its holders' in
		/// proportion to their seconds held in it. Returns (repaid to `who`, all repaid).
		fn repaid_exact(&self, who: AccountId) -> (Frac, Frac) {
			// Unpaid debt per lot: (holder, unpaid), and repaid to `who`.
			let mut lots: Vec<(AccountId, Frac)> = Vec::new();
			let mut mine = Frac::zero();
			let mut all = Frac::zero();
			for event in &self.debt_events {
				match *event {
					DebtEvent::Default { start, end, debt } => {
						let total: BigUint =
							self.history.keys().map(|h| self.seconds_held(*h, start, end)).sum();
						for holder in self.history.keys() {
							let held = self.seconds_held(*holder, start, end);
							if held != BigUint::from(0u32) {
								lots.push((
									*holder,
									Frac::new(held * BigUint::from(debt), total.clone()),
								));
							}
						}
					},
					DebtEvent::Repay(amount) => {
						let unpaid = lots.iter().fold(Frac::zero(), |acc, (_, f)| acc.add(f));
						if unpaid.is_zero() {
							continue;
						}
						// a = min(amount, unpaid); each lot repaid lot x a / unpaid.
						let amount = Frac::new(BigUint::from(amount), BigUint::from(1u32));
						let a = if &amount.num * &unpaid.den >= &unpaid.num * &amount.den {
							unpaid.clone()
						} else {
							amount
						};
						let ratio = Frac::new(&a.num * &unpaid.den, &a.den * &unpaid.num);
						let keep = Frac::new(&ratio.den - &ratio.num, ratio.den.clone());
						for (holder, lot) in lots.iter_mut() {
							let repaid = lot.mul(&ratio);
							if *holder == who {
								mine = mine.add(&repaid);
							}
							all = all.add(&repaid);
							*lot = lot.mul(&keep);
						}
					},
				}
			}
			(mine, all)
		}
	}

	proptest! {
		#![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
		#[test]
		fn distribution_matches_the_exact_reference(ops in proptest::collection::vec(op(), 1..60)) {
			new_test_ext().execute_with(|| {
				let holders = HOLDERS;
				let mut reference = Reference::default();
				create_series(SERIES, FIRST, PeriodIndex(FIRST.0 + 30), 0);
				assert_ok!(mint(SERIES, ALICE, 100));
				reference.set(ALICE, RealYield::now(), 100);
				set_now(start(FIRST));
				for op in ops {
					match op {
						Op::Wait(seconds) => set_now(RealYield::now() + seconds),
						Op::Move { from, to, per_mill } => {
							let (from, to) = (holders[from], holders[to]);
							let held = Ledger::balance(SERIES, &from);
							let units = held * u128::from(per_mill) / 1000;
							if units == 0 || from == to { continue; }
							if move_tokens(SERIES, from, to, units).is_err() { continue; }
							// Record removal: a sender left with nothing has no record.
							if let Some(holder) = HolderYields::<Test>::get(from, SERIES) {
								assert!(!RealYield::holder_is_empty(&holder, held - units), "an empty record of {from} stayed");
							}
							let now = RealYield::now();
							reference.set(from, now, held - units);
							reference.set(to, now, Ledger::balance(SERIES, &to));
						},
						Op::Mint { to, units } => {
							let to = holders[to];
							if mint(SERIES, to, units).is_err() { continue; }
							reference.set(to, RealYield::now(), Ledger::balance(SERIES, &to));
						},
						Op::Settle { sats, hashrate_per_mill, paid_per_mill, collateral } => {
							let state = SeriesYields::<Test>::get(SERIES).unwrap();
							let period = state.next;
							if period > state.economics.last_period { continue; }
							if RealYield::now() < start(next(period)) { continue; }
							let supply = Ledger::supply(SERIES);
							let hashrate = supply * HASHRATE_PER_TOKEN * u128::from(hashrate_per_mill) / 1000;
							finalize(period, hashrate, sats);
							let mut state = state;
							let owed = RealYield::obligation(SERIES, &mut state, period).unwrap().owed;
							SeriesYields::<Test>::insert(SERIES, state);
							let paid = owed * u128::from(paid_per_mill) / 1000;
							if paid > 0 {
								assert_ok!(RealYield::deposit(signed(OPERATOR), SERIES, period, paid));
							}
							if paid < owed {
								if collateral > 0 { add_collateral(SERIES, collateral); }
								set_now(RealYield::now() + rules().payment_window + 1);
								assert_ok!(RealYield::trigger_default(signed(BOB), SERIES));
							} else if owed == 0 {
								assert_ok!(RealYield::settle(signed(BOB), SERIES));
							}
							let r = record(period);
							assert!(r.status != PeriodStatus::Open);
							// Deadline independence: fixed at finality, whatever came before.
							assert_eq!(r.deadline, r.final_at + rules().payment_window);
							// The pallet's supply-seconds equal the reference's.
							let all: BigUint = reference.history.keys()
								.map(|h| reference.seconds_held(*h, r.start, r.end)).sum();
							assert_eq!(all, BigUint::from_bytes_be(&r.supply_seconds.to_big_endian()));
							let distributed = r.paid + r.drawn - r.fee_taken;
							reference.settled.push((r.start, r.end, distributed));
							if r.debt > 0 {
								reference.debt_events.push(DebtEvent::Default { start: r.start, end: r.end, debt: r.debt });
							}
						},
						Op::Repay(per_mill) => {
							let debt = SeriesYields::<Test>::get(SERIES).unwrap().debt;
							let amount = (debt * u128::from(per_mill) / 1000).max(1);
							if debt == 0 { continue; }
							match RealYield::repay_debt(signed(OPERATOR), SERIES, amount) {
								Ok(()) => reference.debt_events.push(DebtEvent::Repay(amount)),
								Err(e) => assert_eq!(e, E::<Test>::RepayInFull.into()),
							}
						},
						Op::Claim(who) => {
							let who = holders[who];
							let before = payout(who);
							if RealYield::claim(signed(who), SERIES).is_ok() {
								*reference.claimed.entry(who).or_default() += payout(who) - before;
							}
							// Record removal: a claimed record with nothing left is gone.
							if let Some(mut holder) = HolderYields::<Test>::get(who, SERIES) {
								let state = SeriesYields::<Test>::get(SERIES).unwrap();
								let balance = Ledger::balance(SERIES, &who);
								RealYield::settle_holder(SERIES, &state, &mut holder, balance).unwrap();
								assert!(!RealYield::holder_is_empty(&holder, balance), "an empty record of {who} stayed");
							}
						},
					}
					RealYield::do_try_state().expect("invariants hold");
				}
				// Every holder within one sat per settled period and per repayment of the
				// exact share of distributions and repayments (pro rata to what each is still
				// owed), and never above it by more than the carried fractions.
				let periods = reference.settled.len() as u128;
				let repayments = reference.debt_events.iter().filter(|e| matches!(e, DebtEvent::Repay(_))).count() as u128;
				let mut total = 0u128;
				for who in holders {
					let got = reference.claimed.get(&who).copied().unwrap_or_default() + claimable(who);
					total += got;
					let (repaid, _) = reference.repaid_exact(who);
					let exact = reference.entitlement_floor(who) + repaid.floor();
					let got_big = BigUint::from(got);
					let diff = if got_big > exact { &got_big - &exact } else { &exact - &got_big };
					assert!(diff <= BigUint::from((periods + repayments).max(1)), "holder {who}: got {got}, exact {exact}, periods {periods}, repayments {repayments}");
				}
				let distributed: u128 = reference.settled.iter().map(|s| s.2).sum();
				let repaid_total: u128 = reference.debt_events.iter().map(|e| match e { DebtEvent::Repay(a) => *a, _ => 0 }).sum();
				assert!(total <= distributed + repaid_total, "paid {total} of {distributed} + {repaid_total}");
			});
		}
	}
}
