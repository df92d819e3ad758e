//! Settlement that never freezes or strands (issue 17): deadlines fixed at finality, later
//! overdue periods defaulted with the one they waited for, periods paid ahead, every final
//! period priced from what was fixed when it became final, a short period's hashrate shared
//! by the facility's series, defaulted periods counted per facility in a window, and a
//! backlog bound every configuration must respect.

use crate::{mock::*, tests::*, Error as E, *};
use frame_support::{assert_noop, assert_ok};
use hashrate_primitives::{
	FacilityStatus, Hashrate, SeriesEconomics, SeriesObligations, SuspensionReason,
};
use polkadot_sdk::sp_core::U256;
use sp_runtime::{traits::BadOrigin, BuildStorage};

/// Records `period`'s obligation as any first touch would, and returns it.
fn touch(period: PeriodIndex) -> PeriodYield {
	let mut state = SeriesYields::<Test>::get(SERIES).unwrap();
	let record = RealYield::obligation(SERIES, &mut state, period).unwrap();
	SeriesYields::<Test>::insert(SERIES, state);
	record
}

fn defaulted_periods() -> Vec<PeriodIndex> {
	events()
		.into_iter()
		.filter_map(|e| match e {
			Event::PeriodDefaulted { period, .. } => Some(period),
			_ => None,
		})
		.collect()
}

fn next_unsettled(series: SeriesId) -> PeriodIndex {
	SeriesYields::<Test>::get(series).unwrap().next
}

mod deadlines {
	use super::*;

	#[test]
	fn are_fixed_at_finality_and_never_move() {
		run(|| {
			alice_holds_100();
			set_now(start(next(next(FIRST))) + 1);
			// Both periods final now: both deadlines are now + the payment window.
			finalize(FIRST, PH100, 1_000_000);
			finalize(next(FIRST), PH100, 1_000_000);
			let final_at = RealYield::now();
			let deadline = final_at + rules().payment_window;
			// The first is paid late in its window; the second's deadline stays.
			set_now(deadline - 10);
			assert_ok!(RealYield::deposit(signed(OPERATOR), SERIES, FIRST, 1_000_000));
			assert_eq!((record(FIRST).final_at, record(FIRST).deadline), (final_at, deadline));
			assert_eq!(touch(next(FIRST)).deadline, deadline);
			// A change of the payment window does not move a deadline already fixed.
			assert_ok!(RealYield::set_rules(
				RuntimeOrigin::root(),
				YieldRules { payment_window: 4 * PERIOD, ..rules() }
			));
			set_now(deadline + 1);
			assert_ok!(RealYield::trigger_default(signed(BOB), SERIES));
			assert_eq!(record(next(FIRST)).status, PeriodStatus::Defaulted);
		});
	}

	/// A facility that pays every period in full at the last second of its deadline — never
	/// late, never defaulted — keeps the series' backlog within the finality horizon plus the
	/// payment window, however long it goes on; holders can always move their tokens.
	#[test]
	fn paying_every_period_at_its_deadline_never_builds_a_backlog() {
		run(|| {
			let last = PeriodIndex(FIRST.0 + 59);
			create_series(SERIES, FIRST, last, 0);
			assert_ok!(mint(SERIES, ALICE, 100));
			// Periods become final one period after they end (well inside the horizon).
			let final_time = |p: PeriodIndex| start(next(next(p))) + 1;
			let mut to_finalize = FIRST;
			let stop = PeriodIndex(FIRST.0 + 50);
			let mut most_behind = 0;
			while next_unsettled(SERIES) <= stop {
				let due = next_unsettled(SERIES);
				let pay_at = if to_finalize > due { Some(touch(due).deadline) } else { None };
				match pay_at {
					Some(at) if to_finalize > last || final_time(to_finalize) > at => {
						set_now(at);
						let owed = record(due).outstanding();
						assert_ok!(RealYield::deposit(signed(OPERATOR), SERIES, due, owed));
					},
					_ => {
						set_now(final_time(to_finalize).max(RealYield::now()));
						finalize(to_finalize, PH100, 1_000_000);
						to_finalize = next(to_finalize);
						// A holder moves tokens every period: never refused.
						assert_ok!(move_tokens(SERIES, ALICE, BOB, 1));
						let behind = TestOracle::current_period().0 - next_unsettled(SERIES).0;
						most_behind = most_behind.max(behind);
					},
				}
			}
			assert!(defaulted_periods().is_empty());
			// Final one period after its end, two periods to pay: at most four behind.
			assert!(most_behind <= 4, "{most_behind} periods behind");
		});
	}

	/// A silent facility: every period defaults at its own deadline; one call defaults every
	/// period already past its deadline (up to the cascade bound), oldest first.
	#[test]
	fn overdue_periods_default_with_the_one_they_waited_for() {
		run(|| {
			alice_holds_100();
			add_collateral(SERIES, 10_000_000);
			// Periods FIRST..FIRST+5 final as they end, never paid.
			let mut period = FIRST;
			for _ in 0..6 {
				set_now(start(next(period)) + 1);
				finalize_defaulted(period);
				period = next(period);
			}
			// The first five deadlines have passed, the sixth has not.
			set_now(start(next(PeriodIndex(FIRST.0 + 4))) + 1 + rules().payment_window + 1);
			assert_ok!(RealYield::trigger_default(signed(BOB), SERIES));
			assert_eq!(
				defaulted_periods(),
				(0..5).map(|k| PeriodIndex(FIRST.0 + k)).collect::<Vec<_>>()
			);
			assert_eq!(next_unsettled(SERIES), PeriodIndex(FIRST.0 + 5));
			assert_eq!(record(PeriodIndex(FIRST.0 + 5)).status, PeriodStatus::Open);
		});
	}

	#[test]
	fn a_cascade_stops_at_its_bound_and_the_rest_waits_for_the_next_call() {
		run(|| {
			let last = PeriodIndex(FIRST.0 + MAX_CASCADE + 3);
			create_series(SERIES, FIRST, last, 0);
			assert_ok!(mint(SERIES, ALICE, 100));
			let mut period = FIRST;
			while period <= last {
				set_now(start(next(period)) + 1);
				finalize_defaulted(period);
				period = next(period);
			}
			set_now(RealYield::now() + rules().payment_window + 1);
			assert_ok!(RealYield::trigger_default(signed(BOB), SERIES));
			assert_eq!(defaulted_periods().len() as u32, 1 + MAX_CASCADE);
			assert_ok!(RealYield::trigger_default(signed(BOB), SERIES));
			assert!(RealYield::is_settled(SERIES));
		});
	}

	#[test]
	fn a_period_paid_ahead_settles_when_its_turn_comes() {
		run(|| {
			alice_holds_100();
			// The second period is final before the first (say, the first is disputed).
			set_now(start(next(next(FIRST))) + 1);
			finalize(next(FIRST), PH100, 1_000_000);
			assert_noop!(
				RealYield::deposit(signed(OPERATOR), SERIES, FIRST, 1),
				E::<Test>::PeriodNotFinal
			);
			assert_ok!(RealYield::deposit(signed(OPERATOR), SERIES, next(FIRST), 1_000_000));
			assert_eq!(record(next(FIRST)).status, PeriodStatus::Open);
			assert_noop!(
				RealYield::deposit(signed(OPERATOR), SERIES, next(FIRST), 1),
				E::<Test>::Overpayment
			);
			// Long after the second's deadline the first becomes final and is paid: both settle,
			// the second paid, not defaulted.
			set_now(RealYield::now() + 3 * rules().payment_window);
			finalize(FIRST, PH100, 1_000_000);
			assert_ok!(RealYield::deposit(signed(OPERATOR), SERIES, FIRST, 1_000_000));
			assert_eq!(record(next(FIRST)).status, PeriodStatus::Paid);
			assert_eq!(next_unsettled(SERIES), next(next(FIRST)));
			assert_eq!(claimable(ALICE), 2 * 980_000);
		});
	}
}

mod obligations {
	use super::*;

	/// What prices a period is fixed when it becomes final: the oracle pruning its network
	/// data later changes nothing (there is no `NoNetworkData` any more).
	#[test]
	fn every_final_period_has_an_obligation() {
		run(|| {
			alice_holds_100();
			set_now(start(next(FIRST)) + 1);
			finalize_defaulted(FIRST);
			let fixed = FinalPeriods::<Test>::get(FACILITY, FIRST).expect("fixed at finality");
			assert_eq!((fixed.network, fixed.pending), (network(), 1));
			world(|w| w.network.clear());
			assert_eq!(touch(FIRST).owed, expected(PH100));
			// Recorded by the only series: nothing kept any more.
			assert!(FinalPeriods::<Test>::get(FACILITY, FIRST).is_none());
		});
	}

	#[test]
	fn a_period_no_series_held_keeps_nothing() {
		run(|| {
			set_now(start(next(FIRST)) + 1);
			finalize(FIRST, PH100, 1_000_000);
			assert_eq!(FinalPeriods::<Test>::iter().count(), 0);
		});
	}
}

mod shortfalls {
	use super::*;

	fn series_with(series: SeriesId, decimals: u8, hashrate_per_token: u128) {
		create_series(series, FIRST, LAST, 0);
		world(|w| {
			let book = w.books.get_mut(&series).unwrap();
			book.economics = SeriesEconomics {
				decimals,
				hashrate_per_token: Hashrate(hashrate_per_token),
				..book.economics
			};
		});
	}

	/// Series A tokenized 100 PH/s, B 50 PH/s (in tokens of 0.01 PH/s with two decimals); the
	/// facility delivered 90 PH/s and mined 900,000 sats. They share the 90 PH/s 2:1 — 60 and
	/// 30 — and with them the sats; each owes the network rate for the rest. Without sharing
	/// both would claim 900,000 · min(T, H) / H: 1,400,000 sats of 900,000 mined.
	#[test]
	fn series_of_one_facility_share_a_short_period_pro_rata() {
		run(|| {
			let (a, b) = (SeriesId(0), SeriesId(1));
			series_with(a, 0, HASHRATE_PER_TOKEN);
			series_with(b, 2, HASHRATE_PER_TOKEN);
			assert_ok!(mint(a, ALICE, 100));
			assert_ok!(mint(b, BOB, 5_000));
			set_now(start(next(FIRST)) + 1);
			finalize(FIRST, 90 * HASHRATE_PER_TOKEN, 900_000);
			let owed = |series| {
				let mut state = SeriesYields::<Test>::get(series).unwrap();
				let record = RealYield::obligation(series, &mut state, FIRST).unwrap();
				SeriesYields::<Test>::insert(series, state);
				record
			};
			let (ra, rb) = (owed(a), owed(b));
			assert_eq!((ra.delivered, rb.delivered), (600_000, 300_000));
			assert_eq!(ra.undelivered, expected(40 * HASHRATE_PER_TOKEN));
			assert_eq!(rb.undelivered, expected(20 * HASHRATE_PER_TOKEN));
			assert!(ra.delivered + rb.delivered <= 900_000);
			assert!(FinalPeriods::<Test>::get(FACILITY, FIRST).is_none());
		});
	}

	#[test]
	fn series_that_fit_the_final_hashrate_each_get_all_they_tokenized() {
		run(|| {
			let (a, b) = (SeriesId(0), SeriesId(1));
			series_with(a, 0, HASHRATE_PER_TOKEN);
			series_with(b, 0, HASHRATE_PER_TOKEN);
			assert_ok!(mint(a, ALICE, 60));
			assert_ok!(mint(b, BOB, 30));
			set_now(start(next(FIRST)) + 1);
			finalize(FIRST, 120 * HASHRATE_PER_TOKEN, 1_200_000);
			for (series, sats) in [(a, 600_000), (b, 300_000)] {
				let mut state = SeriesYields::<Test>::get(series).unwrap();
				let record = RealYield::obligation(series, &mut state, FIRST).unwrap();
				assert_eq!((record.delivered, record.undelivered), (sats, 0));
			}
		});
	}
}

mod defaults {
	use super::*;

	fn default_period(series: SeriesId, period: PeriodIndex) {
		let now = RealYield::now().max(start(next(period)) + 1);
		set_now(now);
		if world(|w| !w.finals.contains_key(&(FACILITY, period))) {
			finalize_defaulted(period);
		}
		set_now(now + rules().payment_window + 1);
		assert_ok!(RealYield::trigger_default(signed(BOB), series));
	}

	#[test]
	fn a_period_counts_once_however_many_series_defaulted() {
		run(|| {
			let (a, b) = (SeriesId(0), SeriesId(1));
			create_series(a, FIRST, LAST, 0);
			create_series(b, FIRST, LAST, 0);
			assert_ok!(mint(a, ALICE, 10));
			assert_ok!(mint(b, BOB, 10));
			default_period(a, FIRST);
			default_period(b, FIRST);
			assert_eq!(FacilityDefaults::<Test>::get(FACILITY).to_vec(), vec![FIRST]);
			assert_eq!(RealYield::series_report(a).unwrap().facility_defaults, 1);
			assert!(world(|w| w.suspensions.is_empty()));
		});
	}

	/// Three defaulted periods within the window suspend; spread wider they do not.
	#[test]
	fn suspension_counts_defaulted_periods_within_the_window() {
		run(|| {
			let window = 4;
			assert_ok!(RealYield::set_rules(
				RuntimeOrigin::root(),
				YieldRules { default_window: window, ..rules() }
			));
			create_series(SERIES, FIRST, PeriodIndex(FIRST.0 + 20), 0);
			assert_ok!(mint(SERIES, ALICE, 10));
			// Defaults at FIRST, FIRST+4, FIRST+8 (paid in between): never three in 4 periods.
			let mut period = FIRST;
			for k in 0..9u32 {
				if k % 4 == 0 {
					default_period(SERIES, period);
				} else {
					pay_period(period, 10 * HASHRATE_PER_TOKEN, 100_000);
				}
				period = next(period);
			}
			assert!(world(|w| w.suspensions.is_empty()));
			assert_eq!(FacilityDefaults::<Test>::get(FACILITY).len(), 1);
			// Two more in a row: three within four periods.
			default_period(SERIES, period);
			default_period(SERIES, next(period));
			has_event(Event::FacilitySuspended { facility: FACILITY, defaults: 3 });
			assert_eq!(
				world(|w| w.suspensions.clone()),
				vec![(FACILITY, SuspensionReason::PaymentDefaults)]
			);
			assert_eq!(world(|w| w.statuses[&FACILITY]), FacilityStatus::Suspended);
		});
	}
}

mod backlog_bound {
	use super::*;

	#[test]
	fn fits_when_the_horizon_and_window_leave_room() {
		run(|| {
			// 3,000 s to finality + 1,200 s to pay = 7 periods of 600 s, + 2 = 9 <= 12.
			assert!(RealYield::backlog_fits_window(FINALITY_HORIZON, PERIOD, 2 * PERIOD));
			assert!(RealYield::backlog_fits_window(FINALITY_HORIZON, PERIOD, 5 * PERIOD));
			assert!(!RealYield::backlog_fits_window(FINALITY_HORIZON, PERIOD, 5 * PERIOD + 1));
			assert!(!RealYield::backlog_fits_window(FINALITY_HORIZON, 0, 0));
			// What the oracle asks uses the payment window in force.
			use hashrate_primitives::SettlementLimits;
			assert!(<RealYield as SettlementLimits>::backlog_fits(FINALITY_HORIZON, PERIOD));
			assert!(!<RealYield as SettlementLimits>::backlog_fits(FINALITY_HORIZON, 300));
		});
	}

	#[test]
	#[should_panic(expected = "settlement backlog longer than MaxUnsettledPeriods")]
	fn genesis_refuses_a_window_that_does_not_fit() {
		UnsettledKept::set(MAX_UNSETTLED);
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		crate::GenesisConfig::<Test> {
			rules: YieldRules { payment_window: 30 * PERIOD, ..rules() },
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
	}
}

mod migration {
	use super::*;
	use crate::migrations::v2::{self, YieldRulesV1};
	use frame_support::traits::{
		fungible::Mutate, GetStorageVersion, OnRuntimeUpgrade, StorageVersion,
	};
	use polkadot_sdk::sp_core::U256;

	/// State written with the v1 types: rules of three fields, a `FinalizedAt` entry for a
	/// period the series has yet to record and one for a period it recorded, a default count.
	#[test]
	fn v1_state_becomes_v2() {
		run(|| {
			alice_holds_100();
			// FIRST: recorded already; next(FIRST): final under v1, not recorded.
			set_now(start(next(next(FIRST))) + 1);
			finalize(FIRST, PH100, 1_000_000);
			finalize(next(FIRST), PH100, 1_000_000);
			touch(FIRST);
			FinalPeriods::<Test>::remove(FACILITY, next(FIRST));
			let final_at = RealYield::now() - 100;
			v2::FinalizedAt::<Test>::insert(FACILITY, FIRST, final_at);
			v2::FinalizedAt::<Test>::insert(FACILITY, next(FIRST), final_at);
			v2::DefaultCount::<Test>::insert(FACILITY, 2);
			let old = YieldRulesV1 {
				payment_window: 3 * PERIOD,
				defaults_before_suspension: 4,
				fee_per_mill: 15,
			};
			frame_support::storage::unhashed::put(&Rules::<Test>::hashed_key(), &old);
			// Records in their v1 form; the series with 5,000 sats of repayments waiting.
			let v2_period = PeriodYields::<Test>::get(SERIES, FIRST).unwrap();
			let v1_period = v2::PeriodYieldV1 {
				output: v2_period.output,
				start: v2_period.start,
				end: v2_period.end,
				supply_seconds: v2_period.supply_seconds,
				tokenized: v2_period.tokenized,
				delivered: v2_period.delivered,
				undelivered: v2_period.undelivered,
				cost: v2_period.cost,
				fee: v2_period.fee,
				owed: v2_period.owed,
				paid: v2_period.paid,
				drawn: v2_period.drawn,
				debt: v2_period.debt,
				fee_taken: v2_period.fee_taken,
				credited: 0,
				final_at: v2_period.final_at,
				deadline: v2_period.deadline,
				status: v2_period.status,
				rate: v2_period.rate,
				index_at_start: v2_period.index_at_start,
			};
			frame_support::storage::unhashed::put(
				&PeriodYields::<Test>::hashed_key_for(SERIES, FIRST),
				&v1_period,
			);
			let state = SeriesYields::<Test>::get(SERIES).unwrap();
			let v1_series = v2::SeriesYieldV1 {
				economics: state.economics,
				term_start: state.term_start,
				next: state.next,
				frontier: state.frontier,
				last_settled_at: state.last_settled_at,
				index: state.index,
				carry: state.carry,
				advance: state.advance,
				credit: 5_000,
				supply: state.supply.clone(),
				deposited: state.deposited + 5_000,
				drawn: state.drawn,
				fees: state.fees,
				distributed: state.distributed,
				claimed: state.claimed,
				debt: state.debt,
				hashrate_seconds: state.hashrate_seconds,
			};
			frame_support::storage::unhashed::put(
				&SeriesYields::<Test>::hashed_key_for(SERIES),
				&v1_series,
			);
			assert_ok!(<Test as Config>::PayoutAsset::transfer(
				&OPERATOR,
				&RealYield::pot_account(),
				5_000,
				frame_support::traits::tokens::Preservation::Preserve
			));
			let holder = HolderYields::<Test>::get(ALICE, SERIES).unwrap();
			frame_support::storage::unhashed::put(
				&HolderYields::<Test>::hashed_key_for(ALICE, SERIES),
				&v2::HolderYieldV1 { accrual: holder.accrual.clone(), earned: holder.earned },
			);
			SeriesHolders::<Test>::remove(SERIES);
			StorageVersion::new(1).put::<RealYield>();

			v2::MigrateV1ToV2::<Test>::on_runtime_upgrade();

			assert_eq!(RealYield::on_chain_storage_version(), StorageVersion::new(2));
			assert_eq!(
				Rules::<Test>::get(),
				YieldRules {
					payment_window: 3 * PERIOD,
					defaults_before_suspension: 4,
					default_window: YieldRules::default().default_window,
					fee_per_mill: 15,
				}
			);
			assert_eq!(v2::FinalizedAt::<Test>::iter().count(), 0);
			assert_eq!(v2::DefaultCount::<Test>::iter().count(), 0);
			// The unrecorded period keeps the time it became final: its deadline follows.
			let fixed = FinalPeriods::<Test>::get(FACILITY, next(FIRST)).unwrap();
			assert_eq!((fixed.at, fixed.deadline), (final_at, final_at + 3 * PERIOD));
			assert!(FinalPeriods::<Test>::get(FACILITY, FIRST).is_none());
			assert_eq!(touch(next(FIRST)).deadline, final_at + 3 * PERIOD);
			// Records translated: no debt shares; the waiting repayment joins the carry.
			assert_eq!(PeriodYields::<Test>::get(SERIES, FIRST), Some(v2_period));
			let migrated = SeriesYields::<Test>::get(SERIES).unwrap();
			assert_eq!((migrated.repaid, migrated.debt_book), (5_000, DebtBook::new()));
			assert_eq!(migrated.carry, state.carry + U256::from(5_000u32) * index_scale());
			assert_eq!(HolderYields::<Test>::get(ALICE, SERIES), Some(holder));
			assert_eq!(SeriesHolders::<Test>::get(SERIES).records, 1);
			RealYield::do_try_state().unwrap();
			// Run again: nothing changes.
			let rules = Rules::<Test>::get();
			v2::MigrateV1ToV2::<Test>::on_runtime_upgrade();
			assert_eq!(Rules::<Test>::get(), rules);
		});
	}
}

mod debt {
	use super::*;

	fn obligations() -> u32 {
		world(|w| w.obligations.get(&FACILITY).copied().unwrap_or_default())
	}

	/// Defaults `period` with no collateral: all the holders' share becomes debt.
	fn default_unpaid(period: PeriodIndex) {
		set_now(RealYield::now().max(start(next(period)) + 1));
		finalize(period, PH100, 1_000_000);
		set_now(RealYield::now() + rules().payment_window + 1);
		assert_ok!(RealYield::trigger_default(signed(BOB), SERIES));
	}

	/// Alice held through a default and sold afterwards to an affiliate of the facility; the
	/// repayment is Alice's, and the affiliate's buying does not clear the debt.
	#[test]
	fn is_repaid_to_those_who_were_shorted_not_to_later_buyers() {
		run(|| {
			alice_holds_100();
			default_unpaid(FIRST);
			assert_eq!(RealYield::debt(FACILITY), 980_000);
			assert_eq!(obligations(), 1);
			// Alice sells everything to Carol (say, the facility's affiliate).
			assert_ok!(move_tokens(SERIES, ALICE, CAROL, 100));
			assert_ok!(RealYield::repay_debt(signed(OPERATOR), SERIES, 490_000));
			assert_eq!((claimable(ALICE), claimable(CAROL)), (490_000, 0));
			assert_eq!(RealYield::debt(FACILITY), 490_000);
			assert_eq!(obligations(), 1);
			assert_ok!(RealYield::repay_debt(signed(OPERATOR), SERIES, 490_000));
			assert_eq!((claimable(ALICE), claimable(CAROL)), (980_000, 0));
			assert_eq!((RealYield::debt(FACILITY), obligations()), (0, 0));
		});
	}

	/// Two holders shorted in proportion to their token-seconds, one period each: Alice held
	/// the first period alone (100 tokens), Alice and Bob the second (25 and 75).
	/// Repayments go pro rata to what is still unpaid, across periods.
	#[test]
	fn repayments_go_pro_rata_to_what_is_still_unpaid() {
		run(|| {
			alice_holds_100();
			// Bob buys 75 just before the second period.
			set_now(start(next(FIRST)) - 1);
			assert_ok!(move_tokens(SERIES, ALICE, BOB, 75));
			set_now(start(next(FIRST)));
			default_unpaid(FIRST);
			// 980,000 owed, nearly all to Alice (Bob held 75 tokens for one second of 600:
			// 1,225 sats); 90 % repaid.
			assert_ok!(RealYield::repay_debt(signed(OPERATOR), SERIES, 882_000));
			assert_eq!((claimable(ALICE), claimable(BOB)), (880_897, 1_102));
			// The second period defaults too: 980,000 more debt, 245,000 of it Alice's and
			// 735,000 Bob's.
			default_unpaid(next(FIRST));
			// Unpaid: 98,000 of the first + 980,000 = 1,078,000. Repay half of it: half of
			// each holder's unpaid.
			assert_ok!(RealYield::repay_debt(signed(OPERATOR), SERIES, 539_000));
			// Alice: 978,775 x 0.9 + (97,877.5 + 245,000) / 2 = 1,052,336.25;
			// Bob: 1,225 x 0.9 + (122.5 + 735,000) / 2 = 368,663.75.
			let alice_first = 980_000 - 1_225;
			assert_eq!((claimable(ALICE), claimable(BOB)), (1_052_336, 368_663));
			// The rest: everyone whole.
			assert_ok!(RealYield::repay_debt(signed(OPERATOR), SERIES, 539_000));
			assert_eq!(claimable(ALICE), alice_first + 245_000);
			assert_eq!(claimable(BOB), 1_225 + 735_000);
			assert_eq!(RealYield::series_report(SERIES).unwrap().debt, 0);
		});
	}

	/// After the whole debt is repaid a new epoch starts: later debt is shared afresh, and
	/// holders of the earlier one keep what they were repaid.
	#[test]
	fn a_new_epoch_after_the_whole_debt_is_repaid() {
		run(|| {
			alice_holds_100();
			// Bob holds the second period.
			set_now(start(next(FIRST)));
			assert_ok!(move_tokens(SERIES, ALICE, BOB, 100));
			default_unpaid(FIRST);
			assert_ok!(RealYield::repay_debt(signed(OPERATOR), SERIES, 980_000));
			assert_eq!(SeriesYields::<Test>::get(SERIES).unwrap().debt_book.epoch, 1);
			default_unpaid(next(FIRST));
			assert_ok!(RealYield::repay_debt(signed(OPERATOR), SERIES, 490_000));
			assert_eq!((claimable(ALICE), claimable(BOB)), (980_000, 490_000));
			assert_eq!(RealYield::period_report(SERIES, FIRST).unwrap().debt_unpaid, 0);
			assert_eq!(RealYield::period_report(SERIES, next(FIRST)).unwrap().debt_unpaid, 490_000);
		});
	}

	/// Repaying all but a sat, three times over, would leave a debt share worth less than
	/// 10^-21 of one: such a partial repayment is refused; the whole debt is accepted.
	#[test]
	fn a_repayment_that_would_divide_shares_too_finely_must_be_whole() {
		run(|| {
			create_series(SERIES, FIRST, LAST, 0);
			assert_ok!(mint(SERIES, ALICE, 10_000));
			let mut period = FIRST;
			let mut refused = false;
			for _ in 0..4 {
				set_now(RealYield::now().max(start(next(period)) + 1));
				finalize_defaulted(period);
				set_now(RealYield::now() + rules().payment_window + 1);
				assert_ok!(RealYield::trigger_default(signed(BOB), SERIES));
				let debt = SeriesYields::<Test>::get(SERIES).unwrap().debt;
				match RealYield::repay_debt(signed(OPERATOR), SERIES, debt - 1) {
					Ok(()) => {},
					Err(e) => {
						assert_eq!(e, E::<Test>::RepayInFull.into());
						refused = true;
						assert_ok!(RealYield::repay_debt(signed(OPERATOR), SERIES, debt));
						break;
					},
				}
				period = next(period);
			}
			assert!(refused, "the share value never reached its minimum");
			assert_eq!(RealYield::debt(FACILITY), 0);
		});
	}

	#[test]
	fn repay_debt_errors() {
		run(|| {
			assert_noop!(
				RealYield::repay_debt(signed(OPERATOR), SERIES, 1),
				E::<Test>::UnknownSeries
			);
			alice_holds_100();
			assert_noop!(RealYield::repay_debt(signed(OPERATOR), SERIES, 1), E::<Test>::NoDebt);
			default_unpaid(FIRST);
			assert_noop!(RealYield::repay_debt(signed(OPERATOR), SERIES, 0), E::<Test>::ZeroAmount);
			assert_noop!(
				RealYield::repay_debt(signed(OPERATOR), SERIES, 980_001),
				E::<Test>::Overpayment
			);
			assert_noop!(
				RealYield::repay_debt(signed(NOBODY), SERIES, 1_000),
				E::<Test>::InsufficientBalance
			);
		});
	}

	#[test]
	fn write_off_voids_holders_shares_and_releases_the_facility() {
		run(|| {
			create_series(SERIES, FIRST, FIRST, 0);
			assert_ok!(mint(SERIES, ALICE, 100));
			assert_noop!(RealYield::write_off_debt(signed(ALICE), SERIES), BadOrigin);
			assert_noop!(
				RealYield::write_off_debt(RuntimeOrigin::root(), SeriesId(9)),
				E::<Test>::UnknownSeries
			);
			assert_noop!(
				RealYield::write_off_debt(RuntimeOrigin::root(), SERIES),
				E::<Test>::NoDebt
			);
			default_unpaid(FIRST);
			assert_ok!(RealYield::repay_debt(signed(OPERATOR), SERIES, 490_000));
			let unpaid = SeriesYields::<Test>::get(SERIES).unwrap().debt_book.unpaid;
			assert_ok!(RealYield::write_off_debt(RuntimeOrigin::root(), SERIES));
			has_event(Event::DebtWrittenOff { series: SERIES, amount: 490_000, voided: unpaid });
			assert_eq!((RealYield::debt(FACILITY), obligations()), (0, 0));
			assert_eq!(claimable(ALICE), 490_000);
			assert_noop!(RealYield::repay_debt(signed(OPERATOR), SERIES, 1), E::<Test>::NoDebt);
			// Nothing more to come: Alice claims and, holding nothing, her record could go.
			assert_ok!(RealYield::claim(signed(ALICE), SERIES));
			assert_eq!(HolderYields::<Test>::get(ALICE, SERIES).unwrap().debt.unpaid, U256::zero());
		});
	}

	/// Debt from before holders held shares (a chain upgraded from v1) goes out with the
	/// next settlement, as it did then; with every period settled it cannot be repaid (only
	/// written off).
	#[test]
	fn v1_debt_goes_with_the_next_settlement_and_needs_one() {
		run(|| {
			create_series(SERIES, FIRST, next(FIRST), 0);
			assert_ok!(mint(SERIES, ALICE, 100));
			pay_period(FIRST, PH100, 1_000_000);
			// What a v1 default left: sats owed, no shares.
			SeriesYields::<Test>::mutate(SERIES, |state| state.as_mut().unwrap().debt = 50_000);
			FacilityDebt::<Test>::insert(FACILITY, 50_000);
			world(|w| w.obligations.insert(FACILITY, 1));
			assert_ok!(RealYield::repay_debt(signed(OPERATOR), SERIES, 20_000));
			let before = claimable(ALICE);
			pay_period(next(FIRST), PH100, 1_000_000);
			assert_eq!(claimable(ALICE), before + 980_000 + 20_000);
			assert_noop!(
				RealYield::repay_debt(signed(OPERATOR), SERIES, 30_000),
				E::<Test>::NoPeriodToCredit
			);
			assert_ok!(RealYield::write_off_debt(RuntimeOrigin::root(), SERIES));
			assert_eq!(RealYield::debt(FACILITY), 0);
		});
	}

	#[test]
	fn write_off_waits_for_every_period_to_settle() {
		run(|| {
			alice_holds_100();
			default_unpaid(FIRST);
			assert_noop!(
				RealYield::write_off_debt(RuntimeOrigin::root(), SERIES),
				E::<Test>::PeriodsUnsettled
			);
		});
	}
}

mod records {
	use super::*;

	fn records() -> usize {
		HolderYields::<Test>::iter().count()
	}

	/// Tokens passed along nine accounts before the term: only the last keeps a record.
	#[test]
	fn accounts_tokens_only_passed_through_keep_no_record() {
		run(|| {
			create_series(SERIES, FIRST, LAST, 0);
			let chain: Vec<AccountId> = (200..209).collect();
			assert_ok!(mint(SERIES, chain[0], 100));
			for pair in chain.windows(2) {
				assert_ok!(move_tokens(SERIES, pair[0], pair[1], 100));
			}
			assert_eq!(records(), 1);
			assert!(HolderYields::<Test>::get(chain[8], SERIES).is_some());
			assert_eq!(SeriesHolders::<Test>::get(SERIES).records, 1);
			has_event(Event::HolderRecordRemoved { who: chain[0], series: SERIES });
		});
	}

	/// Passed along inside a period, the accounts held for some seconds: their records stay
	/// until the period settles and they claim; one whose share is below a sat is removed by
	/// its claim, the rest joining the next distribution.
	#[test]
	fn records_go_once_settled_and_claimed() {
		run(|| {
			alice_holds_100();
			set_now(start(FIRST) + 100);
			assert_ok!(move_tokens(SERIES, ALICE, BOB, 100));
			set_now(start(FIRST) + 101);
			// Bob held 100 tokens for one second: 1,000,000 x 100 / 60,000 = 1,633 sats.
			assert_ok!(move_tokens(SERIES, BOB, CAROL, 100));
			assert_eq!(records(), 3);
			pay_period(FIRST, PH100, 1_000_000);
			assert_ok!(RealYield::claim(signed(BOB), SERIES));
			assert!(HolderYields::<Test>::get(BOB, SERIES).is_none());
			assert_eq!(records(), 2);
		});
	}

	#[test]
	fn a_record_owed_debt_stays_until_repaid() {
		run(|| {
			create_series(SERIES, FIRST, FIRST, 0);
			assert_ok!(mint(SERIES, ALICE, 100));
			set_now(start(next(FIRST)) + 1);
			finalize(FIRST, PH100, 1_000_000);
			set_now(RealYield::now() + rules().payment_window + 1);
			assert_ok!(RealYield::trigger_default(signed(BOB), SERIES));
			assert_ok!(burn(SERIES, ALICE, 100));
			// No balance, nothing unsettled, nothing to claim, but owed debt.
			assert_noop!(RealYield::claim(signed(ALICE), SERIES), E::<Test>::NothingToClaim);
			assert!(HolderYields::<Test>::get(ALICE, SERIES).is_some());
			assert_ok!(RealYield::repay_debt(signed(OPERATOR), SERIES, 980_000));
			assert_ok!(RealYield::claim(signed(ALICE), SERIES));
			assert!(HolderYields::<Test>::get(ALICE, SERIES).is_none());
		});
	}

	#[test]
	fn a_finished_series_is_pruned() {
		run(|| {
			create_series(SERIES, FIRST, next(FIRST), 0);
			assert_ok!(mint(SERIES, ALICE, 100));
			assert_noop!(
				RealYield::prune_series(signed(BOB), SeriesId(9)),
				E::<Test>::UnknownSeries
			);
			pay_period(FIRST, PH100, 1_000_000);
			pay_period(next(FIRST), PH100, 1_000_000);
			assert_noop!(RealYield::prune_series(signed(BOB), SERIES), E::<Test>::SeriesLive);
			assert_ok!(burn(SERIES, ALICE, 100));
			assert_ok!(RealYield::claim(signed(ALICE), SERIES));
			let info = RealYield::prune_series(signed(BOB), SERIES).unwrap();
			assert_eq!(info.pays_fee, frame_support::dispatch::Pays::No);
			has_event(Event::SeriesPruned { series: SERIES });
			assert_eq!(PeriodYields::<Test>::iter_prefix(SERIES).count(), 0);
			assert!(SeriesYields::<Test>::get(SERIES).is_none());
			assert!(RealYield::is_settled(SERIES));
		});
	}
}
