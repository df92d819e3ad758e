//! The chain drives the oracle by itself: the close sweep and the due queue in `on_idle`,
//! nobody calling `close` or `make_final`. Every test ends with `do_try_state` (which checks
//! the queue against the state).

use crate::mock::{Facilities, Oracle};
use crate::{mock::*, *};
use frame_support::{
	assert_ok,
	traits::{Get, Hooks},
	weights::Weight,
};
use hashrate_primitives::PeriodOutcome;

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn end_of(period: PeriodIndex) -> u64 {
	Oracle::bounds(period).unwrap().1
}

fn next(period: PeriodIndex) -> PeriodIndex {
	period.next().unwrap()
}

/// A block's idle time with `remaining` weight left.
fn idle_with(remaining: Weight) -> Weight {
	<Oracle as Hooks<u64>>::on_idle(1, remaining)
}

fn idle() -> Weight {
	idle_with(Weight::MAX)
}

/// What the hook was told of `period` (later periods go by silent and default).
fn announced_of(period: PeriodIndex) -> Vec<(FacilityId, PeriodIndex, PeriodOutcome)> {
	announced().into_iter().filter(|(_, p, _)| *p == period).collect()
}

fn queued() -> Vec<(u64, OracleDue)> {
	DueQueue::<Test>::iter_keys().map(|(at, item)| (at.0, item)).collect()
}

fn has_event(event: Event<Test>) -> bool {
	System::events().iter().any(|record| record.event == event.clone().into())
}

fn feed_all(period: PeriodIndex) {
	for feeder in FEEDERS {
		assert_ok!(Oracle::feed_network_data(signed(feeder), period, network()));
	}
}

/// Reports `period` and has `attestors` attest it, inside its window.
fn submit(period: PeriodIndex, attestors: &[AccountId]) {
	set_now(end_of(period) + 10);
	feed_all(period);
	assert_ok!(Oracle::report(signed(REPORTER), FACILITY, period, output()));
	for attestor in attestors {
		assert_ok!(Oracle::attest(signed(*attestor), FACILITY, period, output()));
	}
}

mod close_sweep {
	use super::*;

	#[test]
	fn a_silent_period_defaults_when_its_window_closes() {
		run(|| {
			set_now(end_of(P0) + WINDOW - 1);
			idle();
			assert!(Outputs::<Test>::get(FACILITY, P0).is_none());
			assert_eq!(CloseCursor::<Test>::get(), Some((P0, FACILITY)));

			set_now(end_of(P0) + WINDOW);
			idle();
			assert!(has_event(Event::Defaulted { facility: FACILITY, period: P0, consecutive: 1 }));
			assert_eq!(announced(), vec![(FACILITY, P0, PeriodOutcome::DefaultedByFacility)]);
			// Every facility of P0 passed; P1's window is still open.
			assert_eq!(CloseCursor::<Test>::get(), Some((next(P0), FacilityId(0))));
		});
	}

	#[test]
	fn a_majority_round_is_finalized_and_made_final_without_anyone_calling() {
		run(|| {
			submit(P0, &ATTESTORS[..2]);
			assert!(Outputs::<Test>::get(FACILITY, P0).is_none(), "two of three: not complete");
			set_now(end_of(P0) + WINDOW);
			idle();
			let challenge_ends = end_of(P0) + WINDOW + CHALLENGE;
			assert_eq!(
				Outputs::<Test>::get(FACILITY, P0).unwrap().status,
				OutputStatus::Finalized { challenge_ends }
			);
			assert_eq!(
				queued(),
				vec![(challenge_ends, OracleDue::MakeFinal { facility: FACILITY, period: P0 })]
			);
			assert!(announced().is_empty());

			set_now(challenge_ends - 1);
			idle();
			assert!(announced().is_empty());
			set_now(challenge_ends);
			idle();
			assert!(has_event(Event::MadeFinal { facility: FACILITY, period: P0 }));
			assert_eq!(announced(), vec![(FACILITY, P0, PeriodOutcome::Final(output()))]);
			assert!(queued().is_empty());
		});
	}

	#[test]
	fn a_complete_round_is_made_final_after_its_challenge_window() {
		run(|| {
			submit(P0, &ATTESTORS);
			let challenge_ends = end_of(P0) + 10 + CHALLENGE;
			assert_eq!(
				queued(),
				vec![(challenge_ends, OracleDue::MakeFinal { facility: FACILITY, period: P0 })]
			);
			set_now(challenge_ends);
			idle();
			assert_eq!(Oracle::final_outcome(FACILITY, P0), Some(PeriodOutcome::Final(output())));
			// The window closing later finds it decided.
			set_now(end_of(P0) + WINDOW);
			idle();
			assert_eq!(announced().len(), 1);
			assert_eq!(CloseCursor::<Test>::get(), Some((next(P0), FacilityId(0))));
		});
	}

	#[test]
	fn periods_a_quiet_chain_left_behind_are_closed_in_order() {
		run(|| {
			let p2 = next(next(P0));
			set_now(end_of(p2) + WINDOW);
			idle();
			let defaulted: Vec<PeriodIndex> = announced().iter().map(|(_, p, _)| *p).collect();
			assert_eq!(defaulted, vec![P0, next(P0), p2]);
			// Three misses in a row suspend the facility (reporting goes on).
			assert!(has_event(Event::Defaulted { facility: FACILITY, period: p2, consecutive: 3 }));
		});
	}

	#[test]
	fn a_block_without_weight_for_a_close_leaves_the_cursor() {
		run(|| {
			set_now(end_of(P0) + WINDOW);
			let short = Oracle::close_weight().saturating_sub(Weight::from_parts(1, 0));
			assert!(idle_with(short).all_lte(short));
			assert!(announced().is_empty());
			assert_eq!(CloseCursor::<Test>::get(), Some((P0, FACILITY)));
			idle();
			assert_eq!(announced().len(), 1);
		});
	}

	#[test]
	fn facilities_that_do_not_report_are_passed_at_the_cost_of_their_reads() {
		run(|| {
			// Facility 1 is registered and never approved.
			assert_ok!(Facilities::register(signed(STRANGER), site(), profile()));
			set_now(end_of(P0) + WINDOW);
			let used = idle();
			let db: frame_support::weights::RuntimeDbWeight =
				<Test as frame_system::Config>::DbWeight::get();
			// One close (facility 0), facility 1 passed with its reads, the cursor's reads and
			// write, and the queue's empty head.
			assert!(
				used.all_lte(Oracle::close_weight().saturating_add(db.reads_writes(12, 4))),
				"{used:?}"
			);
			assert_eq!(announced().len(), 1);
			assert_eq!(CloseCursor::<Test>::get(), Some((next(P0), FacilityId(0))));
		});
	}

	#[test]
	fn a_chain_without_a_cursor_sweeps_from_the_first_period_owed() {
		run(|| {
			CloseCursor::<Test>::kill();
			let p3 = PeriodIndex(P0.0 + 3);
			set_now(end_of(p3) + WINDOW);
			idle();
			// The chain started ten periods before P0 and the facility was approved at P0:
			// the periods before P0 are not owed, P0..=P3 went by silent and default.
			let defaulted: Vec<PeriodIndex> = announced().iter().map(|(_, p, _)| *p).collect();
			assert_eq!(defaulted, (P0.0..=p3.0).map(PeriodIndex).collect::<Vec<_>>());
			assert_eq!(CloseCursor::<Test>::get(), Some((next(p3), FacilityId(0))));
		});
	}

	#[test]
	fn a_round_opened_behind_the_sweep_is_queued_to_be_closed() {
		run(|| {
			// P0 was passed with nothing to close (the facility not approved yet), then a
			// longer window reopens it and the facility reports.
			set_now(end_of(P0) + WINDOW);
			CloseCursor::<Test>::put((next(P0), FacilityId(0)));
			let mut timing = Timings::<Test>::get();
			timing.report_window = WINDOW + 200;
			assert_ok!(Oracle::set_timing(RuntimeOrigin::root(), timing));
			assert_ok!(Oracle::report(signed(REPORTER), FACILITY, P0, output()));
			let closes = end_of(P0) + WINDOW + 200;
			assert_eq!(
				queued(),
				vec![(closes, OracleDue::Close { facility: FACILITY, period: P0 })]
			);
			set_now(closes);
			idle();
			assert!(has_event(Event::WindowExtended {
				facility: FACILITY,
				period: P0,
				closes_at: closes + EXTENSION
			}));
		});
	}
}

mod due_queue {
	use super::*;

	#[test]
	fn a_short_quorum_is_extended_then_handed_to_governance_then_expires() {
		run(|| {
			submit(P0, &ATTESTORS[..1]);
			set_now(end_of(P0) + WINDOW);
			idle();
			let closes_at = end_of(P0) + WINDOW + EXTENSION;
			assert!(has_event(Event::WindowExtended { facility: FACILITY, period: P0, closes_at }));
			assert_eq!(
				queued(),
				vec![(closes_at, OracleDue::Close { facility: FACILITY, period: P0 })]
			);

			set_now(closes_at);
			idle();
			assert!(has_event(Event::AwaitingGovernance { facility: FACILITY, period: P0 }));
			let expires = closes_at + RESOLUTION;
			assert_eq!(
				queued(),
				vec![(expires, OracleDue::Close { facility: FACILITY, period: P0 })]
			);

			set_now(expires);
			idle();
			let record = Outputs::<Test>::get(FACILITY, P0).unwrap();
			assert_eq!(record.source, OutputSource::ExpiredFromReport);
			let challenge_ends = expires + CHALLENGE;
			assert_eq!(
				queued(),
				vec![(challenge_ends, OracleDue::MakeFinal { facility: FACILITY, period: P0 })]
			);
			set_now(challenge_ends);
			idle();
			assert_eq!(announced_of(P0).len(), 1);
			assert!(queued().is_empty());
		});
	}

	#[test]
	fn a_round_finalized_during_its_extension_leaves_nothing_due() {
		run(|| {
			submit(P0, &ATTESTORS[..1]);
			set_now(end_of(P0) + WINDOW);
			idle();
			// The two missing attestors attest during the extension: complete, finalized.
			for attestor in &ATTESTORS[1..] {
				assert_ok!(Oracle::attest(signed(*attestor), FACILITY, P0, output()));
			}
			let now = Oracle::now();
			set_now(end_of(P0) + WINDOW + EXTENSION);
			idle();
			// The stale close went; the output is made final at the end of its window.
			assert_eq!(
				queued(),
				vec![(now + CHALLENGE, OracleDue::MakeFinal { facility: FACILITY, period: P0 })]
			);
		});
	}

	#[test]
	fn a_disputed_output_is_made_final_at_its_deadline() {
		run(|| {
			submit(P0, &ATTESTORS);
			let challenge_ends = Oracle::now() + CHALLENGE;
			assert_ok!(Oracle::dispute(signed(ATTESTORS[0]), FACILITY, P0));
			let resolve_by = Oracle::now() + RESOLUTION;
			assert_eq!(
				queued(),
				vec![(resolve_by, OracleDue::MakeFinal { facility: FACILITY, period: P0 })]
			);
			set_now(challenge_ends);
			idle();
			assert!(announced_of(P0).is_empty(), "frozen while disputed");
			set_now(resolve_by);
			idle();
			assert!(has_event(Event::DisputeUpheld { facility: FACILITY, period: P0 }));
			assert_eq!(announced_of(P0), vec![(FACILITY, P0, PeriodOutcome::Final(output()))]);
			assert!(!queued().iter().any(|(_, item)| matches!(
				item,
				OracleDue::MakeFinal { period, .. } if *period == P0
			)));
		});
	}

	#[test]
	fn the_fallback_calls_take_their_entries_with_them() {
		run(|| {
			submit(P0, &ATTESTORS);
			set_now(Oracle::now() + CHALLENGE);
			assert_ok!(Oracle::make_final(signed(STRANGER), FACILITY, P0));
			assert!(queued().is_empty());

			let p1 = next(P0);
			submit(p1, &ATTESTORS);
			assert_ok!(Oracle::dispute(signed(ATTESTORS[0]), FACILITY, p1));
			assert_ok!(Oracle::resolve_dispute(RuntimeOrigin::root(), FACILITY, p1, None));
			assert!(queued().is_empty());
			idle();
			assert_eq!(announced().len(), 2, "each made final once");
		});
	}

	#[test]
	fn lengthened_windows_put_a_close_back_until_it_is_due() {
		run(|| {
			submit(P0, &ATTESTORS[..1]);
			set_now(end_of(P0) + WINDOW);
			idle();
			let closes_at = end_of(P0) + WINDOW + EXTENSION;
			let mut timing = Timings::<Test>::get();
			timing.quorum_extension = EXTENSION + 100;
			assert_ok!(Oracle::set_timing(RuntimeOrigin::root(), timing));
			set_now(closes_at);
			idle();
			assert_eq!(
				queued(),
				vec![(closes_at + 100, OracleDue::Close { facility: FACILITY, period: P0 })]
			);
			assert!(Rounds::<Test>::get(FACILITY, P0).is_some_and(|r| !r.awaiting_governance));
		});
	}

	#[test]
	fn items_wait_for_a_block_with_weight_for_them() {
		run(|| {
			submit(P0, &ATTESTORS);
			set_now(Oracle::now() + CHALLENGE);
			let db: frame_support::weights::RuntimeDbWeight =
				<Test as frame_system::Config>::DbWeight::get();
			let one = Oracle::make_final_weight()
				.saturating_add(hashrate_primitives::due::entry_weight(db.reads(1), db.writes(1)));
			idle_with(one.saturating_sub(Weight::from_parts(1, 0)));
			assert!(announced().is_empty());
			idle_with(one);
			assert_eq!(announced_of(P0).len(), 1);
		});
	}
}

#[test]
fn an_attested_period_of_a_facility_retired_since_goes_without_a_decision() {
	run(|| {
		set_now(end_of(P0) + 10);
		feed_all(P0);
		assert_ok!(Oracle::attest(signed(ATTESTORS[0]), FACILITY, P0, output()));
		// No series, no obligations: retiring retires at once.
		assert_ok!(Facilities::retire(signed(OPERATOR), FACILITY));
		set_now(end_of(P0) + WINDOW);
		idle();
		assert!(Rounds::<Test>::get(FACILITY, P0).is_none());
		assert!(Outputs::<Test>::get(FACILITY, P0).is_none());
		assert!(announced().is_empty());
	});
}

#[test]
fn a_chain_upgraded_from_v2_queues_what_was_due() {
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	run(|| {
		submit(P0, &ATTESTORS);
		let p1 = next(P0);
		submit(p1, &ATTESTORS[..1]);
		set_now(end_of(p1) + WINDOW);
		assert_ok!(Oracle::close(signed(STRANGER), FACILITY, p1));
		let due = queued();
		assert_eq!(due.len(), 2, "{due:?}");
		let _ = DueQueue::<Test>::clear(u32::MAX, None);
		StorageVersion::new(2).put::<Oracle>();
		crate::migrations::v3::MigrateV2ToV3::<Test>::on_runtime_upgrade();
		assert_eq!(queued(), due);
		assert_eq!(Oracle::on_chain_storage_version(), StorageVersion::new(3));
		// The cursor stays where it was; a chain without one gets one.
		assert_eq!(CloseCursor::<Test>::get(), Some((P0, FacilityId(0))));
		CloseCursor::<Test>::kill();
		StorageVersion::new(2).put::<Oracle>();
		crate::migrations::v3::MigrateV2ToV3::<Test>::on_runtime_upgrade();
		assert_eq!(CloseCursor::<Test>::get(), Some((PeriodIndex(P0.0 - 10), FacilityId(0))));
	});
}
