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
use sp_runtime::BuildStorage;

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
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};

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
			// Run again: nothing changes.
			let rules = Rules::<Test>::get();
			v2::MigrateV1ToV2::<Test>::on_runtime_upgrade();
			assert_eq!(Rules::<Test>::get(), rules);
		});
	}
}
