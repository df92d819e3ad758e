//! Proven mode and corrections by proofs: the running-sum floor against an exact reference,
//! the hashrate proofs imply, and the oracle's calls with proofs (the mock's
//! [`MockPayouts`]). Every test ends with both pallets' `do_try_state` (see `mock::run`).

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, dispatch::Pays, traits::fungible::InspectHold};
use hashrate_primitives::{FacilityInspect, PeriodOutcome, Sats};
use polkadot_sdk::sp_runtime::traits::BadOrigin;

type E = Error<Test>;

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn event(event: Event<Test>) {
	System::assert_has_event(event.into());
}

fn no_event(matches: impl Fn(&Event<Test>) -> bool) {
	assert!(!System::events().iter().any(|r| match &r.event {
		RuntimeEvent::Oracle(e) => matches(e),
		_ => false,
	}));
}

fn end_of(period: PeriodIndex) -> u64 {
	Oracle::bounds(period).unwrap().1
}

fn feed(period: PeriodIndex) {
	if Network::<Test>::contains_key(period) {
		return;
	}
	for feeder in FEEDERS {
		assert_ok!(Oracle::feed_network_data(signed(feeder), period, network()));
	}
}

/// Reported and attested by everyone with [`output`] in its window: finalized.
fn finalize(period: PeriodIndex) {
	set_now(end_of(period) + 10);
	feed(period);
	assert_ok!(Oracle::report(signed(REPORTER), FACILITY, period, output()));
	for attestor in ATTESTORS {
		assert_ok!(Oracle::attest(signed(attestor), FACILITY, period, output()));
	}
	assert!(Outputs::<Test>::contains_key(FACILITY, period));
}

/// When the period's proofs close: its report window's end.
fn proofs_close(period: PeriodIndex) -> u64 {
	end_of(period) + WINDOW
}

fn tolerances() -> Tolerances {
	Tolerances {
		hashrate_over_capacity: HashrateTolerance::get(),
		energy_under_physics: EnergyTolerance::get(),
		pool_luck: PoolLuckTolerance::get(),
		max_pool_fee: 50,
	}
}

fn capacity() -> Capacity {
	Capacity {
		hashrate: Facilities::hashrate_capacity(FACILITY).unwrap(),
		efficiency: Facilities::fleet_efficiency(FACILITY).unwrap(),
		power: Facilities::power_capacity(FACILITY).unwrap(),
	}
}

/// The physics bound of one mock period: 115 PH/s + 5 % for 600 s, no pool fee, + 20 % luck.
fn bound() -> u64 {
	max_sats(&capacity(), PERIOD, &network(), &tolerances()).unwrap() as u64
}

fn p(offset: u32) -> PeriodIndex {
	PeriodIndex(P0.0 + offset)
}

const ATTESTED: u64 = 31_852;

mod floor {
	use super::*;
	use proptest::prelude::*;

	fn period(proven: u64, counted: u64, bound: u128) -> SumPeriod {
		SumPeriod { proven, counted, bound }
	}

	/// The largest `x <= now.proven` that keeps the window's counted sats within what was
	/// proven and within physics (or adds nothing), found by search.
	fn reference(now: &SumPeriod, earlier: &[SumPeriod]) -> u64 {
		let proven: u128 =
			earlier.iter().map(|p| u128::from(p.proven)).sum::<u128>() + u128::from(now.proven);
		let bound: u128 = earlier.iter().map(|p| p.bound).sum::<u128>() + now.bound;
		let counted: u128 = earlier.iter().map(|p| u128::from(p.counted)).sum();
		(0..=now.proven)
			.rev()
			.find(|x| {
				*x == 0 || (counted + u128::from(*x) <= proven && counted + u128::from(*x) <= bound)
			})
			.unwrap()
	}

	#[test]
	fn a_payout_landing_a_period_late_counts_once() {
		// Day 1 attested 100 and paid nothing; day 2's payout carries both days (200).
		let earlier = [period(0, 100, 150)];
		assert_eq!(proven_floor(&period(200, 0, 150), &earlier), 100);
		// Paid on time: each day counts its own payout.
		let earlier = [period(100, 100, 150)];
		assert_eq!(proven_floor(&period(100, 0, 150), &earlier), 100);
		// Attestors saw less than was paid on day 1: day 2 counts what is left.
		let earlier = [period(130, 100, 150)];
		assert_eq!(proven_floor(&period(100, 0, 150), &earlier), 100);
	}

	#[test]
	fn the_physics_bound_holds_for_the_window() {
		// A lucky payout above one period's bound counts while the window has room.
		assert_eq!(proven_floor(&period(250, 0, 150), &[period(0, 0, 150)]), 250);
		assert_eq!(proven_floor(&period(400, 0, 150), &[period(0, 0, 150)]), 300);
		// What earlier periods counted uses the room up.
		assert_eq!(proven_floor(&period(400, 0, 150), &[period(400, 250, 150)]), 50);
		assert_eq!(proven_floor(&period(400, 0, 150), &[period(400, 300, 150)]), 0);
	}

	#[test]
	fn nothing_proven_counts_nothing() {
		assert_eq!(proven_floor(&period(0, 0, 150), &[period(500, 0, 150)]), 0);
		assert_eq!(proven_floor(&period(0, 0, 0), &[]), 0);
	}

	proptest! {
		#[test]
		fn is_the_largest_floor_the_window_allows(
			now in (0u64..300, 0u128..300),
			earlier in proptest::collection::vec((0u64..300, 0u64..300, 0u128..300), 0..6),
		) {
			let now = period(now.0, 0, now.1);
			let earlier: Vec<SumPeriod> =
				earlier.into_iter().map(|(p, c, b)| period(p, c, b)).collect();
			prop_assert_eq!(proven_floor(&now, &earlier), reference(&now, &earlier));
		}

		#[test]
		fn never_counts_more_than_the_period_proved(
			now in (any::<u64>(), any::<u128>()),
			earlier in proptest::collection::vec(
				(any::<u64>(), any::<u64>(), any::<u128>()), 0..7),
		) {
			let now = period(now.0, 0, now.1);
			let earlier: Vec<SumPeriod> =
				earlier.into_iter().map(|(p, c, b)| period(p, c, b)).collect();
			let floor = proven_floor(&now, &earlier);
			prop_assert!(floor <= now.proven);
			let proven: u128 = earlier.iter().map(|p| u128::from(p.proven)).sum::<u128>()
				+ u128::from(now.proven);
			let counted: u128 = earlier.iter().map(|p| u128::from(p.counted)).sum();
			prop_assert!(floor == 0 || counted + u128::from(floor) <= proven);
		}

		#[test]
		fn the_implied_hashrate_never_expects_more_than_was_proven(
			sats in 0u64..10_000_000,
			ths in 1u128..1_000_000,
		) {
			let capacity = hashrate_primitives::Hashrate::from_ths(ths).unwrap();
			let implied = implied_hashrate(sats, capacity, PERIOD, &network());
			prop_assert!(implied <= capacity);
			let expected = expected_net_sats(implied, PERIOD, &network(), 0).unwrap().get();
			prop_assert!(expected <= sats || implied == capacity);
		}
	}
}

mod proven_mode {
	use super::*;

	#[test]
	fn proofs_above_the_attestation_raise_the_final_sats() {
		run(|| {
			proven_mode_from(FACILITY, P0);
			prove(FACILITY, P0, 40_000);
			finalize(P0);
			// Not final before every payout of the period could be proven.
			let record = Outputs::<Test>::get(FACILITY, P0).unwrap();
			assert_eq!(record.status, OutputStatus::Finalized { challenge_ends: proofs_close(P0) });
			let basis = Oracle::output_basis(FACILITY, P0).unwrap();
			assert_eq!(
				basis,
				OutputBasis {
					proven_mode: true,
					attested: Sats(ATTESTED),
					proven: Sats(40_000),
					floor: Sats(40_000),
					sats: Sats(40_000),
					corrected_by_proofs: false,
					is_final: false,
				}
			);
			set_now(end_of(P0) + 10 + CHALLENGE);
			assert_noop!(
				Oracle::make_final(signed(STRANGER), FACILITY, P0),
				E::ChallengeWindowOpen
			);
			// A late proof, before the window closes, still counts.
			prove(FACILITY, P0, 1_000);
			set_now(proofs_close(P0));
			assert_ok!(Oracle::make_final(signed(STRANGER), FACILITY, P0));
			event(Event::RaisedToProofs {
				facility: FACILITY,
				period: P0,
				attested: Sats(ATTESTED),
				proven: Sats(41_000),
			});
			let output = PeriodOutput { sats: Sats(41_000), ..output() };
			let outcome = PeriodOutcome::Proven { output, proven: Sats(41_000) };
			assert_eq!(Oracle::final_outcome(FACILITY, P0), Some(outcome));
			assert_eq!(announced(), vec![(FACILITY, P0, outcome)]);
			assert_eq!(
				ProofBases::<Test>::get(FACILITY, P0),
				Some(ProofBasis {
					proven_mode: true,
					attested: Sats(ATTESTED),
					proven: Sats(41_000),
					floor: Sats(41_000),
					corrected: false
				})
			);
			let basis = Oracle::output_basis(FACILITY, P0).unwrap();
			assert!(basis.is_final && basis.sats == Sats(41_000));
		});
	}

	#[test]
	fn proofs_below_the_attestation_leave_it() {
		run(|| {
			proven_mode_from(FACILITY, P0);
			prove(FACILITY, P0, 20_000);
			finalize(P0);
			set_now(proofs_close(P0));
			assert_ok!(Oracle::make_final(signed(STRANGER), FACILITY, P0));
			no_event(|e| matches!(e, Event::RaisedToProofs { .. }));
			let outcome = PeriodOutcome::Proven { output: output(), proven: Sats(20_000) };
			assert_eq!(Oracle::final_outcome(FACILITY, P0), Some(outcome));
		});
	}

	#[test]
	fn a_late_payout_is_not_counted_twice() {
		run(|| {
			proven_mode_from(FACILITY, P0);
			// The pool paid nothing for P0; P1's payout covers both days.
			finalize(P0);
			set_now(proofs_close(P0));
			assert_ok!(Oracle::make_final(signed(STRANGER), FACILITY, P0));
			prove(FACILITY, p(1), 2 * ATTESTED);
			finalize(p(1));
			set_now(proofs_close(p(1)));
			assert_ok!(Oracle::make_final(signed(STRANGER), FACILITY, p(1)));
			// P0 counted its attestation: P1 counts the rest of the payout, its own day.
			let basis = ProofBases::<Test>::get(FACILITY, p(1)).unwrap();
			assert_eq!(basis.floor, Sats(ATTESTED));
			assert_eq!(Outputs::<Test>::get(FACILITY, p(1)).unwrap().output.sats, Sats(ATTESTED));
		});
	}

	#[test]
	fn a_payout_beyond_physics_counts_up_to_the_windows_bound() {
		run(|| {
			proven_mode_from(FACILITY, P0);
			prove(FACILITY, P0, 1_000_000);
			finalize(P0);
			set_now(proofs_close(P0));
			assert_ok!(Oracle::make_final(signed(STRANGER), FACILITY, P0));
			// The periods before P0 have no network data here: no room of theirs.
			let record = Outputs::<Test>::get(FACILITY, P0).unwrap();
			assert_eq!(record.output.sats, Sats(bound()));
			assert!(bound() > ATTESTED && bound() < 50_000);
		});
	}

	#[test]
	fn proofs_without_a_report_finalize_from_the_proofs() {
		run(|| {
			proven_mode_from(FACILITY, P0);
			set_now(end_of(P0) + 10);
			feed(P0);
			prove(FACILITY, P0, 30_000);
			set_now(proofs_close(P0));
			assert_ok!(Oracle::close(signed(STRANGER), FACILITY, P0));
			let hashrate = implied_hashrate(30_000, capacity().hashrate, PERIOD, &network());
			assert!(hashrate < capacity().hashrate && hashrate.get() > 0);
			let output = PeriodOutput { hashrate, sats: Sats(30_000), ..Default::default() };
			event(Event::Finalized {
				facility: FACILITY,
				period: P0,
				output,
				source: OutputSource::ProvenWithoutReport,
				challenge_ends: proofs_close(P0) + CHALLENGE,
			});
			no_event(|e| matches!(e, Event::Defaulted { .. }));
			// Not a miss.
			assert_eq!(Oracle::misses_in_a_row(FACILITY, p(1)), 1);
			set_now(proofs_close(P0) + CHALLENGE);
			assert_ok!(Oracle::make_final(signed(STRANGER), FACILITY, P0));
			let outcome = PeriodOutcome::Proven { output, proven: Sats(30_000) };
			assert_eq!(Oracle::final_outcome(FACILITY, P0), Some(outcome));
			let basis = Oracle::output_basis(FACILITY, P0).unwrap();
			assert_eq!(
				(basis.attested, basis.floor, basis.sats),
				(Sats(0), Sats(30_000), Sats(30_000))
			);
		});
	}

	#[test]
	fn neither_proof_nor_report_defaults() {
		run(|| {
			proven_mode_from(FACILITY, P0);
			set_now(end_of(P0) + 10);
			feed(P0);
			set_now(proofs_close(P0));
			assert_ok!(Oracle::close(signed(STRANGER), FACILITY, P0));
			event(Event::Defaulted { facility: FACILITY, period: P0, consecutive: 1 });
			assert_eq!(Oracle::output_basis(FACILITY, P0), None);
		});
	}

	#[test]
	fn attested_mode_pays_on_the_attestation() {
		run(|| {
			prove(FACILITY, P0, 40_000);
			finalize(P0);
			set_now(end_of(P0) + 10 + CHALLENGE);
			assert_ok!(Oracle::make_final(signed(STRANGER), FACILITY, P0));
			assert_eq!(Oracle::final_outcome(FACILITY, P0), Some(PeriodOutcome::Final(output())));
			assert_eq!(ProofBases::<Test>::get(FACILITY, P0), None);
			let basis = Oracle::output_basis(FACILITY, P0).unwrap();
			assert_eq!(
				(basis.proven_mode, basis.proven, basis.sats),
				(false, Sats(40_000), Sats(ATTESTED))
			);
		});
	}

	#[test]
	fn a_dispute_waits_for_the_proofs_even_with_a_short_resolution_window() {
		run(|| {
			let timing = Timings::<Test>::get();
			assert_ok!(Oracle::set_timing(
				RuntimeOrigin::root(),
				Timing { resolution_window: 100, ..timing }
			));
			proven_mode_from(FACILITY, P0);
			finalize(P0);
			assert_ok!(Oracle::dispute(signed(ATTESTORS[0]), FACILITY, P0));
			let status = Outputs::<Test>::get(FACILITY, P0).unwrap().status;
			assert_eq!(status, OutputStatus::Disputed { resolve_by: proofs_close(P0) });
			set_now(end_of(P0) + 10 + 100);
			assert_noop!(Oracle::make_final(signed(STRANGER), FACILITY, P0), E::DisputeOpen);
			set_now(proofs_close(P0));
			assert_ok!(Oracle::make_final(signed(STRANGER), FACILITY, P0));
		});
	}

	#[test]
	fn a_governance_correction_of_an_output_from_proofs_stands_as_attested() {
		run(|| {
			proven_mode_from(FACILITY, P0);
			set_now(end_of(P0) + 10);
			feed(P0);
			prove(FACILITY, P0, 20_000);
			set_now(proofs_close(P0));
			assert_ok!(Oracle::close(signed(STRANGER), FACILITY, P0));
			assert_ok!(Oracle::dispute(RuntimeOrigin::root(), FACILITY, P0));
			assert_ok!(Oracle::resolve_dispute(
				RuntimeOrigin::root(),
				FACILITY,
				P0,
				Some(output())
			));
			let record = Outputs::<Test>::get(FACILITY, P0).unwrap();
			assert_eq!(record.source, OutputSource::GovernanceCorrection);
			assert_eq!(record.output.sats, Sats(ATTESTED));
			let basis = Oracle::output_basis(FACILITY, P0).unwrap();
			assert_eq!((basis.attested, basis.floor), (Sats(ATTESTED), Sats(20_000)));
		});
	}

	#[test]
	fn an_open_earlier_period_counts_its_report() {
		run(|| {
			proven_mode_from(FACILITY, P0);
			// P0 is reported, not attested: its round stays open.
			set_now(end_of(P0) + 10);
			feed(P0);
			assert_ok!(Oracle::report(signed(REPORTER), FACILITY, P0, output()));
			prove(FACILITY, p(1), 2 * ATTESTED);
			finalize(p(1));
			set_now(proofs_close(p(1)));
			assert_ok!(Oracle::make_final(signed(STRANGER), FACILITY, p(1)));
			assert_eq!(ProofBases::<Test>::get(FACILITY, p(1)).unwrap().floor, Sats(ATTESTED));
		});
	}

	#[test]
	fn proofs_of_a_period_not_closed_yet_are_not_a_miss() {
		run(|| {
			proven_mode_from(FACILITY, P0);
			prove(FACILITY, P0, 20_000);
			set_now(proofs_close(p(1)));
			// P1 will default; P0, not closed yet, will be finalized from its proofs.
			assert_eq!(Oracle::misses_in_a_row(FACILITY, p(1)), 1);
			assert_eq!(Oracle::misses_in_a_row(FACILITY, p(2)), 2);
		});
	}

	#[test]
	fn a_dispute_is_resolved_after_the_proofs_and_keeps_the_floor() {
		run(|| {
			proven_mode_from(FACILITY, P0);
			finalize(P0);
			assert_ok!(Oracle::dispute(signed(ATTESTORS[0]), FACILITY, P0));
			let resolve_by = (end_of(P0) + 10 + RESOLUTION).max(proofs_close(P0));
			event(Event::Disputed {
				facility: FACILITY,
				period: P0,
				disputer: Some(ATTESTORS[0]),
				resolve_by,
			});
			// Within tolerance of the report and the attestations: nobody is slashed.
			let truth = PeriodOutput { sats: Sats(31_500), ..output() };
			assert_noop!(
				Oracle::resolve_dispute(RuntimeOrigin::root(), FACILITY, P0, Some(truth)),
				E::ProofWindowOpen
			);
			prove(FACILITY, P0, 35_000);
			set_now(proofs_close(P0));
			assert_ok!(Oracle::resolve_dispute(RuntimeOrigin::root(), FACILITY, P0, Some(truth)));
			let output = PeriodOutput { evidence: output().evidence, sats: Sats(35_000), ..truth };
			assert_eq!(
				Oracle::final_outcome(FACILITY, P0),
				Some(PeriodOutcome::Proven { output, proven: Sats(35_000) })
			);
		});
	}
}

mod correct_by_proofs {
	use super::*;

	#[test]
	fn works() {
		run(|| {
			finalize(P0);
			prove(FACILITY, P0, 40_000);
			set_now(proofs_close(P0));
			let info = Oracle::correct_by_proofs(signed(STRANGER), FACILITY, P0).unwrap();
			assert_eq!(info.pays_fee, Pays::No);
			event(Event::CorrectedByProofs {
				facility: FACILITY,
				period: P0,
				attested: Sats(ATTESTED),
				proven: Sats(40_000),
			});
			event(Event::MadeFinal { facility: FACILITY, period: P0 });
			let output = PeriodOutput { sats: Sats(40_000), ..output() };
			let outcome = PeriodOutcome::Proven { output, proven: Sats(40_000) };
			assert_eq!(Oracle::final_outcome(FACILITY, P0), Some(outcome));
			assert_eq!(announced(), vec![(FACILITY, P0, outcome)]);
			let basis = Oracle::output_basis(FACILITY, P0).unwrap();
			assert!(basis.corrected_by_proofs && !basis.proven_mode && basis.is_final);
			// Nobody was slashed.
			no_event(|e| {
				matches!(e, Event::FacilitySlashed { .. } | Event::AttestorSlashed { .. })
			});
		});
	}

	#[test]
	fn proofs_below_the_attestation_are_not_evidence() {
		run(|| {
			finalize(P0);
			// A fraction of what attestors saw was proven (a pool paying elsewhere, a payout
			// not yet proven): nothing is corrected, down or up; the output stays as attested.
			prove(FACILITY, P0, ATTESTED / 10);
			set_now(proofs_close(P0));
			assert_noop!(
				Oracle::correct_by_proofs(signed(STRANGER), FACILITY, P0),
				E::NotBeyondTolerance
			);
			let basis = Oracle::output_basis(FACILITY, P0).unwrap();
			assert_eq!(
				(basis.attested, basis.proven, basis.sats),
				(Sats(ATTESTED), Sats(ATTESTED / 10), Sats(ATTESTED))
			);
			assert!(!basis.corrected_by_proofs);
			no_event(|e| matches!(e, Event::CorrectedByProofs { .. }));
		});
	}

	#[test]
	fn is_refused_while_disputed() {
		run(|| {
			finalize(P0);
			assert_ok!(Oracle::dispute(signed(ATTESTORS[0]), FACILITY, P0));
			prove(FACILITY, P0, 40_000);
			set_now(proofs_close(P0));
			// Governance decides every value of a disputed output; proofs are its evidence.
			assert_noop!(Oracle::correct_by_proofs(signed(STRANGER), FACILITY, P0), E::DisputeOpen);
			assert_eq!(
				Balances::balance_on_hold(&HoldReason::DisputeDeposit.into(), &ATTESTORS[0]),
				DISPUTE_DEPOSIT
			);
		});
	}

	#[test]
	fn errors() {
		run(|| {
			assert_noop!(
				Oracle::correct_by_proofs(signed(STRANGER), FACILITY, P0),
				E::NotFinalized
			);
			finalize(P0);
			assert_noop!(Oracle::correct_by_proofs(RuntimeOrigin::none(), FACILITY, P0), BadOrigin);
			prove(FACILITY, P0, 32_000);
			assert_noop!(
				Oracle::correct_by_proofs(signed(STRANGER), FACILITY, P0),
				E::ProofWindowOpen
			);
			set_now(proofs_close(P0));
			// 32,000 is within 2 % of 31,852: not evidence.
			assert_noop!(
				Oracle::correct_by_proofs(signed(STRANGER), FACILITY, P0),
				E::NotBeyondTolerance
			);
			let schedules = Schedules::<Test>::take();
			assert_noop!(Oracle::correct_by_proofs(signed(STRANGER), FACILITY, P0), E::NoSchedule);
			Schedules::<Test>::put(schedules);
			prove(FACILITY, P0, 8_000);
			assert_ok!(Oracle::correct_by_proofs(signed(STRANGER), FACILITY, P0));
			assert_noop!(
				Oracle::correct_by_proofs(signed(STRANGER), FACILITY, P0),
				E::AlreadyFinal
			);
			// Proven mode counts proofs by itself.
			proven_mode_from(FACILITY, p(1));
			finalize(p(1));
			prove(FACILITY, p(1), 40_000);
			set_now(proofs_close(p(1)));
			assert_noop!(
				Oracle::correct_by_proofs(signed(STRANGER), FACILITY, p(1)),
				E::InProvenMode
			);
		});
	}
}
