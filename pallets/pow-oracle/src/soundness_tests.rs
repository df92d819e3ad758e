//! The oracle's soundness rules (what becomes final is true), one module per rule. Each test
//! reproduces a way in which a facility, one feeder or a griefer could decide what becomes
//! final; every test ends with both pallets' `do_try_state` (see `mock::run`).

use crate::mock::{Facilities, Oracle};
use crate::{mock::*, *};
use frame_support::{assert_ok, dispatch::Pays, traits::Hooks};
use hashrate_primitives::{Difficulty, Energy, FacilityInspect, FacilityStatus, Hashrate, Sats};

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn end_of(period: PeriodIndex) -> u64 {
	Oracle::bounds(period).unwrap().1
}

fn next(period: PeriodIndex, n: u32) -> PeriodIndex {
	PeriodIndex(period.0 + n)
}

/// Moves the clock to `secs` in a new block and runs the pallet's block hooks.
fn advance_to(secs: u64) {
	let block = System::block_number() + 1;
	System::set_block_number(block);
	set_now(secs);
	Oracle::on_initialize(block);
	Oracle::on_finalize(block);
}

fn data(difficulty: u128, reward: u64) -> NetworkData {
	NetworkData { difficulty: Difficulty(difficulty), reward_per_block: Sats(reward) }
}

fn feed_by(feeders: &[AccountId], period: PeriodIndex, data: NetworkData) {
	for feeder in feeders {
		assert_ok!(Oracle::feed_network_data(signed(*feeder), period, data));
	}
}

/// Rule 1: every period's network data is fixed once, from the feeds or else the last fixed
/// value, and never moves after.
mod network_data_is_fixed_once {
	use super::*;

	#[test]
	fn a_period_short_of_feeds_takes_the_last_fixed_value() {
		run(|| {
			let p1 = next(P0, 1);
			advance_to(end_of(P0) + 1);
			feed_by(&FEEDERS, P0, network());
			advance_to(end_of(p1) + 1);
			// One feed only for the next period: short of the quorum.
			feed_by(&FEEDERS[..1], p1, data(network().difficulty.0 * 2, 300_000_000));
			advance_to(end_of(p1) + WINDOW + EXTENSION);
			assert_eq!(Oracle::network_data(P0), Some(network()));
			assert_eq!(Oracle::network_data(p1), Some(network()));
		});
	}

	#[test]
	fn fixed_data_does_not_move() {
		run(|| {
			advance_to(end_of(P0) + 1);
			feed_by(&FEEDERS, P0, network());
			let fixed = Oracle::network_data(P0);
			assert_eq!(fixed, Some(network()));
			// Two feeders try to move it afterwards.
			let moved = data(network().difficulty.0 * 3 / 2, network().reward_per_block.0);
			for feeder in &FEEDERS[..2] {
				let _ = Oracle::feed_network_data(signed(*feeder), P0, moved);
			}
			advance_to(end_of(P0) + WINDOW);
			assert_eq!(Oracle::network_data(P0), fixed);
		});
	}
}

/// Rule 2: one feeder cannot set the network: at least three feeds, each within bounds of
/// the last fixed value.
mod one_feeder_cannot_set_the_network {
	use super::*;

	#[test]
	fn a_feed_of_difficulty_one_does_not_become_the_difficulty() {
		run(|| {
			advance_to(end_of(P0) + 1);
			feed_by(&FEEDERS[..1], P0, network());
			let _ = Oracle::feed_network_data(signed(FEEDERS[1]), P0, data(1, 315_800_000));
			advance_to(end_of(P0) + WINDOW);
			assert_eq!(Oracle::network_data(P0).map(|d| d.difficulty), Some(network().difficulty));
		});
	}

	#[test]
	fn feeds_far_above_the_last_reward_are_refused() {
		run(|| {
			advance_to(end_of(P0) + 1);
			for feeder in FEEDERS {
				let _ = Oracle::feed_network_data(
					signed(feeder),
					P0,
					data(network().difficulty.0, network().reward_per_block.0 * 10),
				);
			}
			advance_to(end_of(P0) + WINDOW);
			assert_eq!(
				Oracle::network_data(P0).map(|d| d.reward_per_block),
				Some(network().reward_per_block)
			);
		});
	}
}

/// Rule 3: a facility cannot attest itself; only eligible attestors count.
mod a_facility_cannot_attest_itself {
	use super::*;

	#[test]
	fn the_operator_and_reporter_are_refused() {
		run(|| {
			advance_to(end_of(P0) + 1);
			feed_by(&FEEDERS, P0, network());
			let low = PeriodOutput { sats: Sats(output().sats.0 * 81 / 100), ..output() };
			for key in [OPERATOR, REPORTER] {
				assert_ok!(Oracle::add_attestor(RuntimeOrigin::root(), key));
				assert!(Oracle::attest(signed(key), FACILITY, P0, low).is_err(), "{key} attested");
				assert_ok!(Oracle::remove_attestor(RuntimeOrigin::root(), key));
			}
		});
	}

	#[test]
	fn attest_and_dispute_refuse_the_facilitys_own_keys() {
		run(|| {
			use frame_support::assert_noop;
			assert_ok!(Oracle::add_attestor(RuntimeOrigin::root(), OPERATOR));
			advance_to(end_of(P0) + 1);
			feed_by(&FEEDERS, P0, network());
			assert_noop!(
				Oracle::attest(signed(OPERATOR), FACILITY, P0, output()),
				Error::<Test>::OwnFacility
			);
			assert_ok!(Oracle::report(signed(REPORTER), FACILITY, P0, output()));
			for attestor in ATTESTORS {
				assert_ok!(Oracle::attest(signed(attestor), FACILITY, P0, output()));
			}
			assert_noop!(
				Oracle::dispute(signed(OPERATOR), FACILITY, P0),
				Error::<Test>::OwnFacility
			);
			// Another attestor may dispute.
			assert_ok!(Oracle::dispute(signed(ATTESTORS[0]), FACILITY, P0));
		});
	}

	#[test]
	fn the_eligible_attestors_complete_the_set() {
		run(|| {
			assert_ok!(Oracle::add_attestor(RuntimeOrigin::root(), OPERATOR));
			advance_to(end_of(P0) + 1);
			feed_by(&FEEDERS, P0, network());
			assert_ok!(Oracle::report(signed(REPORTER), FACILITY, P0, output()));
			for attestor in ATTESTORS {
				assert_ok!(Oracle::attest(signed(attestor), FACILITY, P0, output()));
			}
			assert!(Outputs::<Test>::contains_key(FACILITY, P0), "all eligible attestors attested");
		});
	}
}

/// Rule 4: the final output is one whole attestation, plausible against the fixed data.
mod the_final_output_is_a_plausible_whole {
	use super::*;

	/// Each attestation is within 20 % of its own expectation; the metric-wise median (110
	/// PH/s from B, no pool fee from A and C, B's sats) would be 23 % under.
	#[test]
	fn the_median_attestation_is_taken_whole() {
		run(|| {
			advance_to(end_of(P0) + 1);
			feed_by(&FEEDERS, P0, network());
			let at = |ths: u128, pool_fee: u16, luck: u64| {
				let hashrate = Hashrate::from_ths(ths).unwrap();
				let expected = expected_net_sats(hashrate, PERIOD, &network(), pool_fee).unwrap();
				PeriodOutput {
					hashrate,
					sats: Sats(expected.0 * luck / 100),
					energy: Energy(300),
					pool_fee,
					..output()
				}
			};
			let a = at(120_000, 0, 81);
			let b = at(110_000, 50, 81);
			let c = at(100_000, 0, 81);
			assert_ok!(Oracle::report(signed(REPORTER), FACILITY, P0, b));
			for (attestor, attestation) in ATTESTORS.into_iter().zip([a, b, c]) {
				assert_ok!(Oracle::attest(signed(attestor), FACILITY, P0, attestation));
			}
			let record = Outputs::<Test>::get(FACILITY, P0).expect("finalized");
			assert!([a, b, c].contains(&record.output), "not a whole attestation");
		});
	}
}

/// Rule 5: suspension counts misses in a row, whatever order `close` is called in.
mod suspension_counts_consecutive_periods {
	use super::*;

	#[test]
	fn misses_not_in_a_row_do_not_suspend_in_any_close_order() {
		run(|| {
			let periods: Vec<PeriodIndex> = (0..5).map(|i| next(P0, i)).collect();
			for (i, period) in periods.iter().enumerate() {
				advance_to(end_of(*period) + 1);
				feed_by(&FEEDERS, *period, network());
				if i % 2 == 1 {
					// Reported, and a majority attests: final only at close.
					assert_ok!(Oracle::report(signed(REPORTER), FACILITY, *period, output()));
					for attestor in &ATTESTORS[..2] {
						assert_ok!(Oracle::attest(signed(*attestor), FACILITY, *period, output()));
					}
				}
			}
			advance_to(end_of(periods[4]) + WINDOW + EXTENSION);
			for i in [0, 2, 4, 1, 3] {
				assert_ok!(Oracle::close(signed(STRANGER), FACILITY, periods[i]));
			}
			assert_eq!(Facilities::status(FACILITY), Some(FacilityStatus::Active));
		});
	}
}

/// Rule 7: the first submission is free; amendments pay.
mod amendments_pay {
	use super::*;

	#[test]
	fn an_amended_attestation_and_feed_pay_a_fee() {
		run(|| {
			advance_to(end_of(P0) + 1);
			let first = Oracle::attest(signed(ATTESTORS[0]), FACILITY, P0, output()).unwrap();
			assert_eq!(first.pays_fee, Pays::No);
			let again = Oracle::attest(signed(ATTESTORS[0]), FACILITY, P0, output()).unwrap();
			assert_eq!(again.pays_fee, Pays::Yes);
			let first = Oracle::feed_network_data(signed(FEEDERS[0]), P0, network()).unwrap();
			assert_eq!(first.pays_fee, Pays::No);
			let again = Oracle::feed_network_data(signed(FEEDERS[0]), P0, network()).unwrap();
			assert_eq!(again.pays_fee, Pays::Yes);
		});
	}
}

/// Rule 8: evidence and feeds go once nothing needs them.
mod storage_follows_live_state {
	use super::*;

	#[test]
	fn feeds_go_once_fixed_and_submissions_once_final() {
		run(|| {
			advance_to(end_of(P0) + 1);
			feed_by(&FEEDERS, P0, network());
			assert_ok!(Oracle::report(signed(REPORTER), FACILITY, P0, output()));
			for attestor in ATTESTORS {
				assert_ok!(Oracle::attest(signed(attestor), FACILITY, P0, output()));
			}
			advance_to(end_of(P0) + WINDOW + CHALLENGE);
			assert_ok!(Oracle::make_final(signed(STRANGER), FACILITY, P0));
			assert!(Feeds::<Test>::get(P0).is_empty(), "feeds kept after fixing");
			assert!(Submissions::<Test>::get(FACILITY, P0).is_empty(), "evidence kept when final");
		});
	}
}

/// Rules 1, 2, 3 and 5 as properties over arbitrary inputs.
mod properties {
	use super::*;
	use proptest::prelude::*;

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(48))]

		/// Two honest feeders agree; whatever the third feeds (accepted or refused), the
		/// period's data is the honest value; with one honest feed only, it is the last
		/// fixed value. Either way it is fixed once and never moves.
		#[test]
		fn one_feeder_never_sets_the_network(
			difficulty in 1u128..=u128::from(u64::MAX) * 1_000,
			reward in 1u64..=u64::MAX / 2,
			honest_feeds in 1usize..=2,
		) {
			run(|| {
				let honest = NetworkData {
					difficulty: Difficulty(network().difficulty.0 * 3 / 2),
					reward_per_block: Sats(network().reward_per_block.0 * 3 / 2),
				};
				advance_to(end_of(P0) + 1);
				feed_by(&FEEDERS[..honest_feeds], P0, honest);
				let third = FEEDERS[honest_feeds];
				let accepted =
					Oracle::feed_network_data(signed(third), P0, data(difficulty, reward)).is_ok();
				advance_to(end_of(P0) + WINDOW / 2);
				let fixed = Oracle::network_data(P0).expect("fixed by the window's close");
				let expected = if honest_feeds == 2 && accepted { honest } else { network() };
				assert_eq!(fixed, expected);
				let _ = Oracle::feed_network_data(signed(FEEDERS[0]), P0, data(difficulty, reward));
				advance_to(end_of(P0) + WINDOW);
				assert_eq!(Oracle::network_data(P0), Some(fixed));
			});
		}

		/// Whatever the facility's operator and reporter (also attestors) submit, they are
		/// refused, and the final output is one of the eligible attestations.
		#[test]
		fn a_facility_never_attests_itself(
			lucks in proptest::collection::vec(81u64..=119, 3),
			own_luck in 50u64..=150,
		) {
			run(|| {
				assert_ok!(Oracle::add_attestor(RuntimeOrigin::root(), OPERATOR));
				advance_to(end_of(P0) + 1);
				feed_by(&FEEDERS, P0, network());
				let with = |luck: u64| PeriodOutput { sats: Sats(output().sats.0 * luck / 100), ..output() };
				assert!(Oracle::attest(signed(OPERATOR), FACILITY, P0, with(own_luck)).is_err());
				assert_ok!(Oracle::report(signed(REPORTER), FACILITY, P0, with(own_luck.clamp(81, 119))));
				let attested: Vec<PeriodOutput> = lucks.iter().map(|l| with(*l)).collect();
				for (attestor, attestation) in ATTESTORS.into_iter().zip(attested.iter()) {
					assert_ok!(Oracle::attest(signed(attestor), FACILITY, P0, *attestation));
				}
				let record = Outputs::<Test>::get(FACILITY, P0).expect("the eligible set finalizes");
				assert_eq!(record.source, OutputSource::Attested { attestors: 3, of: 3 });
				let mut sats: Vec<_> = attested.iter().map(|o| o.sats).collect();
				sats.sort();
				assert_eq!(record.output.sats, sats[1]);
				assert!(attested.contains(&record.output));
			});
		}

		/// Over six periods, each missed or reported, closed in any order: the facility is
		/// suspended exactly when three misses are in a row.
		#[test]
		fn suspension_follows_runs_of_misses_in_any_close_order(
			missed in proptest::collection::vec(any::<bool>(), 6),
			order in Just((0..6usize).collect::<Vec<_>>()).prop_shuffle(),
		) {
			run(|| {
				let periods: Vec<PeriodIndex> = (0..6).map(|i| next(P0, i)).collect();
				for (period, missed) in periods.iter().zip(&missed) {
					advance_to(end_of(*period) + 1);
					feed_by(&FEEDERS, *period, network());
					if !missed {
						assert_ok!(Oracle::report(signed(REPORTER), FACILITY, *period, output()));
						for attestor in &ATTESTORS[..2] {
							assert_ok!(Oracle::attest(signed(*attestor), FACILITY, *period, output()));
						}
					}
				}
				advance_to(end_of(periods[5]) + WINDOW + EXTENSION);
				for i in &order {
					assert_ok!(Oracle::close(signed(STRANGER), FACILITY, periods[*i]));
				}
				let run_of_three = missed.windows(3).any(|w| w.iter().all(|m| *m));
				let suspended = Facilities::status(FACILITY) == Some(FacilityStatus::Suspended);
				assert_eq!(suspended, run_of_three, "missed {missed:?}, closed in order {order:?}");
			});
		}
	}
}

/// Rule 6: strikes count in a window; at the limit an attestor is removed and slashed, never
/// taking the set below its minimum.
mod strikes_mean_something {
	use super::*;
	use frame_support::{assert_noop, traits::fungible::InspectHold};
	use sp_runtime::Perbill;

	fn strike_in(period: PeriodIndex) {
		// ATTESTORS[2] is 5.5 % off the median: a strike.
		advance_to(end_of(period) + 1);
		feed_by(&FEEDERS, period, network());
		assert_ok!(Oracle::report(signed(REPORTER), FACILITY, period, output()));
		assert_ok!(Oracle::attest(signed(ATTESTORS[0]), FACILITY, period, output()));
		assert_ok!(Oracle::attest(signed(ATTESTORS[1]), FACILITY, period, output()));
		let off = PeriodOutput {
			hashrate: Hashrate::from_ths(104_000).unwrap(),
			sats: Sats(30_500),
			..output()
		};
		assert_ok!(Oracle::attest(signed(ATTESTORS[2]), FACILITY, period, off));
	}

	fn rules(limit: u32, window: u32, min_attestors: u32) -> StrikeRules {
		StrikeRules { limit, window, slash: Perbill::from_percent(10), min_attestors }
	}

	#[test]
	fn strikes_outside_the_window_are_forgotten() {
		run(|| {
			assert_ok!(Oracle::set_strike_rules(RuntimeOrigin::root(), rules(3, 4, 2)));
			// Strikes in P0, P0+2, P0+5: never three within 4 periods.
			for n in [0, 2, 5] {
				strike_in(next(P0, n));
			}
			assert_eq!(Strikes::<Test>::get(ATTESTORS[2]).to_vec(), vec![next(P0, 2), next(P0, 5)]);
			assert!(Attestors::<Test>::get().contains(&ATTESTORS[2]));
		});
	}

	#[test]
	fn the_limit_removes_and_slashes() {
		run(|| {
			assert_ok!(Oracle::set_strike_rules(RuntimeOrigin::root(), rules(3, 10, 2)));
			let treasury = Balances::free_balance(TREASURY);
			for n in 0..3 {
				strike_in(next(P0, n));
			}
			System::assert_has_event(
				Event::<Test>::StrikeLimitReached { attestor: ATTESTORS[2], removed: true }.into(),
			);
			System::assert_has_event(
				Event::<Test>::AttestorSlashed { attestor: ATTESTORS[2], amount: BOND / 10 }.into(),
			);
			assert!(!Attestors::<Test>::get().contains(&ATTESTORS[2]));
			assert!(Strikes::<Test>::get(ATTESTORS[2]).is_empty());
			// The slash, and each period's fee remainder (301 = 2 x 150 + 1).
			assert_eq!(Balances::free_balance(TREASURY), treasury + BOND / 10 + 3);
			assert_eq!(
				Balances::balance_on_hold(&HoldReason::AttestorBond.into(), &ATTESTORS[2]),
				0
			);
			assert_eq!(Balances::free_balance(ATTESTORS[2]), ENDOWMENT - BOND / 10);
		});
	}

	#[test]
	fn the_set_never_falls_below_its_minimum() {
		run(|| {
			assert_ok!(Oracle::set_strike_rules(RuntimeOrigin::root(), rules(2, 10, 3)));
			for n in 0..3 {
				strike_in(next(P0, n));
			}
			System::assert_has_event(
				Event::<Test>::StrikeLimitReached { attestor: ATTESTORS[2], removed: false }.into(),
			);
			assert_eq!(Attestors::<Test>::get().len(), 3);
			assert_eq!(
				Balances::balance_on_hold(&HoldReason::AttestorBond.into(), &ATTESTORS[2]),
				BOND
			);
		});
	}

	#[test]
	fn set_strike_rules_errors() {
		run(|| {
			assert_noop!(
				Oracle::set_strike_rules(signed(STRANGER), rules(3, 10, 2)),
				sp_runtime::traits::BadOrigin
			);
			assert_noop!(
				Oracle::set_strike_rules(RuntimeOrigin::root(), rules(MAX_STRIKES + 1, 10, 2)),
				Error::<Test>::InvalidStrikeRules
			);
			assert_noop!(
				Oracle::set_strike_rules(RuntimeOrigin::root(), rules(3, 0, 2)),
				Error::<Test>::InvalidStrikeRules
			);
			assert_ok!(Oracle::set_strike_rules(RuntimeOrigin::root(), rules(0, 1, 0)));
			System::assert_last_event(
				Event::<Test>::StrikeRulesSet { rules: rules(0, 1, 0) }.into(),
			);
		});
	}
}

/// Rule 8: outputs past the history go as newer ones finalize; a period that old cannot be
/// closed again.
mod outputs_follow_live_state {
	use super::*;
	use frame_support::assert_noop;

	#[test]
	fn old_outputs_are_pruned_and_never_decided_twice() {
		run(|| {
			// Nothing reported for OUTPUT_HISTORY + 1 periods: each closed as a default (the
			// facility is suspended after three; it still owes its reports).
			for n in 0..=OUTPUT_HISTORY {
				let period = next(P0, n);
				advance_to(end_of(period) + WINDOW);
				assert_ok!(Oracle::close(signed(STRANGER), FACILITY, period));
			}
			assert!(!Outputs::<Test>::contains_key(FACILITY, P0));
			assert!(Outputs::<Test>::contains_key(FACILITY, next(P0, 1)));
			assert_noop!(
				Oracle::close(signed(STRANGER), FACILITY, P0),
				Error::<Test>::PeriodTooOld
			);
			assert_noop!(
				Oracle::report(signed(REPORTER), FACILITY, P0, output()),
				Error::<Test>::PeriodTooOld
			);
			assert_eq!(Outputs::<Test>::iter_prefix(FACILITY).count() as u32, OUTPUT_HISTORY);
		});
	}
}

/// Rule 9: the oracle answers what tools and wallets need, without re-implementing its rules.
mod the_oracle_can_be_asked {
	use super::*;

	#[test]
	fn check_output_gives_the_bounds_and_the_verdict() {
		run(|| {
			advance_to(end_of(P0) + 1);
			// Not fixed yet: judged against the last fixed data.
			let verdict = Oracle::check_output(FACILITY, P0, output()).unwrap();
			assert_eq!(verdict.network, Some(network()));
			assert!(!verdict.network_fixed);
			assert_eq!(verdict.seconds, PERIOD);
			assert_eq!(verdict.expected_sats, Some(Sats(31_852)));
			assert_eq!(
				(verdict.min_sats, verdict.max_sats),
				(Some(Sats(25_481)), Some(Sats(38_223)))
			);
			assert_eq!(verdict.max_hashrate, Hashrate::from_ths(120_750).unwrap());
			assert_eq!(
				(verdict.min_energy, verdict.max_energy),
				(Some(Energy(247)), Some(Energy(333)))
			);
			assert_eq!(verdict.verdict, Ok(()));
			let greedy = PeriodOutput { sats: Sats(38_224), ..output() };
			assert_eq!(
				Oracle::check_output(FACILITY, P0, greedy).unwrap().verdict,
				Err(Implausible::SatsImplausible)
			);
			// The verdict is what `report` does.
			assert!(Oracle::report(signed(REPORTER), FACILITY, P0, greedy).is_err());
			feed_by(&FEEDERS, P0, network());
			let verdict = Oracle::check_output(FACILITY, P0, output()).unwrap();
			assert!(verdict.network_fixed);
			assert_eq!(Oracle::fixed_network_data(P0).map(|n| n.data), Some(network()));
			assert_eq!(Oracle::period_bounds(P0), Some((T0, T0 + PERIOD)));
			assert_eq!(Oracle::last_fixed().map(|l| l.period), Some(Some(P0)));
			assert_eq!(
				Oracle::check_output(FacilityId(9), P0, output()),
				Err(OracleQueryError::UnknownFacility)
			);
		});
	}
}

/// Found in review: what one attestor, an empty set or a late removal could still do.
mod review_findings {
	use super::*;
	use frame_support::assert_noop;

	/// An attestor places its sats between the honest ones and moves another metric (15 %
	/// less hashrate, still plausible): the median-sats attestation is its own, but it is
	/// not consistent with the others, so the final output is the honest attestation nearest
	/// in sats; the honest attestors are paid, the outlier struck.
	#[test]
	fn one_attestor_cannot_pick_the_output_by_placing_its_sats() {
		run(|| {
			advance_to(end_of(P0) + 1);
			feed_by(&FEEDERS, P0, network());
			assert_ok!(Oracle::report(signed(REPORTER), FACILITY, P0, output()));
			let honest_low = PeriodOutput { sats: Sats(31_800), ..output() };
			let honest_high = PeriodOutput { sats: Sats(31_900), ..output() };
			let liar = PeriodOutput {
				hashrate: Hashrate::from_ths(95_000).unwrap(),
				sats: Sats(31_850),
				energy: Energy(300),
				..output()
			};
			assert_ok!(Oracle::attest(signed(ATTESTORS[0]), FACILITY, P0, honest_low));
			assert_ok!(Oracle::attest(signed(ATTESTORS[1]), FACILITY, P0, liar));
			assert_ok!(Oracle::attest(signed(ATTESTORS[2]), FACILITY, P0, honest_high));
			// Both honest ones are 50 sat away: the lower.
			let record = Outputs::<Test>::get(FACILITY, P0).unwrap();
			assert_eq!(record.output, honest_low);
			assert!(Strikes::<Test>::get(ATTESTORS[0]).is_empty());
			assert!(Strikes::<Test>::get(ATTESTORS[2]).is_empty());
			assert_eq!(Strikes::<Test>::get(ATTESTORS[1]).len(), 1);
		});
	}

	/// With nobody eligible to attest, a report is not "complete": it takes the extension
	/// and governance path instead of failing.
	#[test]
	fn a_facility_without_eligible_attestors_goes_to_governance() {
		run(|| {
			for attestor in ATTESTORS {
				assert_ok!(Oracle::remove_attestor(RuntimeOrigin::root(), attestor));
			}
			advance_to(end_of(P0) + 1);
			feed_by(&FEEDERS, P0, network());
			assert_ok!(Oracle::report(signed(REPORTER), FACILITY, P0, output()));
			advance_to(end_of(P0) + WINDOW);
			assert_ok!(Oracle::close(signed(STRANGER), FACILITY, P0));
			advance_to(end_of(P0) + WINDOW + EXTENSION);
			assert_ok!(Oracle::close(signed(STRANGER), FACILITY, P0));
			assert!(Rounds::<Test>::get(FACILITY, P0).is_some_and(|r| r.awaiting_governance));
			// Nobody decides: after the resolution window it finalizes itself, flagged.
			advance_to(end_of(P0) + WINDOW + EXTENSION + RESOLUTION);
			assert_ok!(Oracle::close(signed(STRANGER), FACILITY, P0));
			let record = Outputs::<Test>::get(FACILITY, P0).unwrap();
			assert_eq!(record.source, OutputSource::ExpiredFromReport);
			assert_eq!(record.output.sats, output().sats.min(Sats(31_852)));
		});
	}

	/// An attestor removed after attesting is not counted.
	#[test]
	fn a_removed_attestors_attestation_does_not_count() {
		run(|| {
			advance_to(end_of(P0) + 1);
			feed_by(&FEEDERS, P0, network());
			let odd = PeriodOutput { sats: Sats(27_000), ..output() };
			assert_ok!(Oracle::attest(signed(ATTESTORS[0]), FACILITY, P0, odd));
			assert_ok!(Oracle::remove_attestor(RuntimeOrigin::root(), ATTESTORS[0]));
			assert_ok!(Oracle::report(signed(REPORTER), FACILITY, P0, output()));
			assert_ok!(Oracle::attest(signed(ATTESTORS[1]), FACILITY, P0, output()));
			assert_ok!(Oracle::attest(signed(ATTESTORS[2]), FACILITY, P0, output()));
			let record = Outputs::<Test>::get(FACILITY, P0).unwrap();
			assert_eq!(record.output, output());
			assert_eq!(record.source, OutputSource::Attested { attestors: 2, of: 2 });
		});
	}

	/// Strikes of different facilities' rounds arrive out of period order: kept sorted.
	#[test]
	fn strikes_stay_in_period_order() {
		run(|| {
			assert_ok!(Oracle::set_strike_rules(
				RuntimeOrigin::root(),
				StrikeRules { limit: 0, ..StrikeRules::default() }
			));
			let p1 = next(P0, 1);
			// P0 waits (short quorum) while p1 is finalized with ATTESTORS[2] off.
			advance_to(end_of(P0) + 1);
			feed_by(&FEEDERS, P0, network());
			assert_ok!(Oracle::report(signed(REPORTER), FACILITY, P0, output()));
			assert_ok!(Oracle::attest(signed(ATTESTORS[0]), FACILITY, P0, output()));
			advance_to(end_of(p1) + 1);
			feed_by(&FEEDERS, p1, network());
			assert_ok!(Oracle::report(signed(REPORTER), FACILITY, p1, output()));
			let off = PeriodOutput { sats: Sats(30_000), ..output() };
			assert_ok!(Oracle::attest(signed(ATTESTORS[0]), FACILITY, p1, output()));
			assert_ok!(Oracle::attest(signed(ATTESTORS[1]), FACILITY, p1, output()));
			assert_ok!(Oracle::attest(signed(ATTESTORS[2]), FACILITY, p1, off));
			// P0 goes to governance: ATTESTORS[2] absent, struck for P0 after p1.
			advance_to(end_of(P0) + WINDOW);
			assert_ok!(Oracle::close(signed(STRANGER), FACILITY, P0));
			advance_to(end_of(P0) + WINDOW + EXTENSION);
			assert_ok!(Oracle::close(signed(STRANGER), FACILITY, P0));
			assert_eq!(Strikes::<Test>::get(ATTESTORS[2]).to_vec(), vec![P0, p1]);
		});
	}

	/// The reward bound widens with time, so a reference fixed on a fee-spike day does not
	/// lock honest feeds out for good.
	#[test]
	fn the_reward_bound_widens_with_time() {
		run(|| {
			let r = network().reward_per_block.0;
			let feed = |period| {
				Oracle::feed_network_data(
					signed(FEEDERS[0]),
					period,
					data(network().difficulty.0, r / 3),
				)
			};
			advance_to(end_of(P0) + 1);
			assert_noop!(feed(P0), Error::<Test>::RewardOutOfBounds);
			// Two possible retargets later: down to a quarter.
			let later = PeriodIndex(P0.0 + (4 * 86_400 / PERIOD) as u32);
			NextToFix::<Test>::put(later);
			advance_to(end_of(later) + 1);
			assert_ok!(feed(later));
		});
	}

	/// Attestations of a period the facility does not owe leave a round `close` removes.
	#[test]
	fn close_removes_attestations_of_a_period_not_owed() {
		run(|| {
			let before = PeriodIndex(P0.0 - 1);
			advance_to(end_of(before) + 1);
			assert_ok!(Oracle::attest(signed(ATTESTORS[0]), FACILITY, before, output()));
			advance_to(end_of(before) + WINDOW);
			assert_ok!(Oracle::close(signed(STRANGER), FACILITY, before));
			assert!(!Rounds::<Test>::contains_key(FACILITY, before));
			assert_noop!(Oracle::close(signed(STRANGER), FACILITY, before), Error::<Test>::NotOwed);
		});
	}

	/// Governance sets only ended periods: a later one would move the reference ahead.
	#[test]
	fn governance_cannot_set_a_period_that_has_not_ended() {
		run(|| {
			assert_noop!(
				Oracle::set_network_data(RuntimeOrigin::root(), P0, network()),
				Error::<Test>::PeriodNotEnded
			);
		});
	}
}
