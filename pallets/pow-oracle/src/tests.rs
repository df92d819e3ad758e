//! Unit tests of every call and error, the physics checks, the median, and the trait. Every
//! test ends with both pallets' `do_try_state` (see `mock::run`).

use crate::mock::{Facilities, Oracle};
use crate::{mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	dispatch::{Pays, PostDispatchInfo},
	traits::fungible::{Inspect, InspectHold},
};
use hashrate_primitives::{
	Difficulty, Energy, FacilityInspect, FacilityStatus, Hashrate, PeriodOutcome, Sats,
	SuspensionReason,
};
use polkadot_sdk::sp_runtime::traits::BadOrigin;

type E = Error<Test>;

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

fn event(event: Event<Test>) {
	System::assert_has_event(event.into());
}

fn last(event: Event<Test>) {
	System::assert_last_event(event.into());
}

/// Puts back the genesis schedule after a test removed it to provoke `NoSchedule`.
fn restore_schedule() {
	Schedules::<Test>::put(frame_support::BoundedVec::truncate_from(vec![Schedule {
		start_index: PeriodIndex(0),
		start_time: 0,
		length: PERIOD,
	}]));
}

fn end_of(period: PeriodIndex) -> u64 {
	Oracle::bounds(period).unwrap().1
}

/// Moves the clock into `period`'s report window; every feeder has fed [`network`], so the
/// period's network data is fixed.
fn in_window(period: PeriodIndex) {
	set_now(end_of(period) + 10);
	feed(period);
}

/// Moves the clock past `period`'s report window.
fn after_window(period: PeriodIndex) {
	set_now(end_of(period) + WINDOW);
}

/// Every feeder feeds [`network`] for `period` (unless its data is fixed already).
fn feed(period: PeriodIndex) {
	if Network::<Test>::contains_key(period) {
		return;
	}
	for feeder in FEEDERS {
		assert_ok!(Oracle::feed_network_data(signed(feeder), period, network()));
	}
	assert_eq!(Oracle::network_data(period), Some(network()));
}

fn report(period: PeriodIndex) {
	assert_ok!(Oracle::report(signed(REPORTER), FACILITY, period, output()));
}

fn attest(attestor: AccountId, period: PeriodIndex, output: PeriodOutput) {
	assert_ok!(Oracle::attest(signed(attestor), FACILITY, period, output));
}

fn with_hashrate(ths: u128) -> PeriodOutput {
	PeriodOutput { hashrate: Hashrate::from_ths(ths).unwrap(), ..output() }
}

fn finalize_with_all(period: PeriodIndex) {
	in_window(period);
	report(period);
	for attestor in ATTESTORS {
		attest(attestor, period, output());
	}
	assert!(Outputs::<Test>::contains_key(FACILITY, period));
}

// --- periods ---

#[test]
fn periods_are_numbered_from_the_unix_epoch() {
	run(|| {
		assert_eq!(Oracle::current_period(), P0);
		assert_eq!(Oracle::period_bounds(P0), Some((T0, T0 + PERIOD)));
		set_now(T0 + PERIOD - 1);
		assert_eq!(Oracle::current_period(), P0);
		set_now(T0 + PERIOD);
		assert_eq!(Oracle::current_period(), P0.next().unwrap());
	});
}

#[test]
fn a_new_period_length_starts_at_the_next_boundary() {
	run(|| {
		set_now(T0 + 100);
		assert_ok!(Oracle::set_period_length(root(), 300));
		let p1 = P0.next().unwrap();
		last(Event::PeriodLengthSet { from: p1, start_time: T0 + PERIOD, length: 300 });
		// The current and past periods keep their bounds.
		assert_eq!(Oracle::period_bounds(P0), Some((T0, T0 + PERIOD)));
		assert_eq!(
			Oracle::period_bounds(PeriodIndex(P0.0 - 5)),
			Some((T0 - 5 * PERIOD, T0 - 4 * PERIOD))
		);
		assert_eq!(Oracle::period_bounds(p1), Some((T0 + 600, T0 + 900)));
		assert_eq!(Oracle::period_bounds(PeriodIndex(P0.0 + 2)), Some((T0 + 900, T0 + 1200)));
		assert_eq!(Oracle::current_period(), P0);
		set_now(T0 + 950);
		assert_eq!(Oracle::current_period(), PeriodIndex(P0.0 + 2));
	});
}

#[test]
fn a_pending_period_length_change_is_replaced() {
	run(|| {
		assert_ok!(Oracle::set_period_length(root(), 300));
		assert_ok!(Oracle::set_period_length(root(), 900));
		assert_eq!(Schedules::<Test>::get().len(), 2);
		assert_eq!(Oracle::period_bounds(PeriodIndex(P0.0 + 2)), Some((T0 + 1500, T0 + 2400)));
	});
}

#[test]
fn set_period_length_errors() {
	run(|| {
		assert_noop!(Oracle::set_period_length(signed(OPERATOR), 300), BadOrigin);
		assert_noop!(Oracle::set_period_length(root(), 0), E::ZeroPeriodLength);
		// One-second periods changed every second fill the schedule list while the oldest
		// schedule's windows are still open.
		for _ in 0..(MAX_SCHEDULES - 1) {
			assert_ok!(Oracle::set_period_length(root(), 1));
			let next_start = Schedules::<Test>::get().last().unwrap().start_time;
			set_now(next_start);
		}
		assert_noop!(Oracle::set_period_length(root(), PERIOD), E::TooManyScheduleChanges);
		// Once the oldest schedule's periods have all closed, it makes room.
		set_now(Oracle::now() + 10 * PERIOD);
		assert_ok!(Oracle::set_period_length(root(), PERIOD));
		assert_eq!(Schedules::<Test>::get().len() as u32, MAX_SCHEDULES);
		// Before the first schedule nothing can be numbered.
		Schedules::<Test>::kill();
		assert_noop!(Oracle::set_period_length(root(), PERIOD), E::NoSchedule);
		restore_schedule();
	});
}

#[test]
fn shorter_periods_must_leave_a_backlog_that_fits() {
	run(|| {
		// 300 + 120 + 1,000 + 200 + 1,000 = 2,620 s of windows: in 600-s periods 5 (+ 2), in
		// 300-s periods 9 (+ 2).
		assert_eq!(<Oracle as hashrate_primitives::PowOracle>::finality_horizon(), 2_620);
		MaxBacklogPeriods::set(10);
		assert_noop!(Oracle::set_period_length(root(), 300), E::BacklogTooLong);
		assert_ok!(Oracle::set_period_length(root(), 400));
		// The pending change counts until it is replaced.
		assert_eq!(<Oracle as hashrate_primitives::PowOracle>::shortest_period_length(), 400);
		assert_ok!(Oracle::set_period_length(root(), 900));
		assert_eq!(<Oracle as hashrate_primitives::PowOracle>::shortest_period_length(), PERIOD);
	});
}

#[test]
fn integrity_test_passes() {
	use frame_support::traits::Hooks;
	run(<Oracle as Hooks<u64>>::integrity_test);
}

#[test]
fn set_timing_changes_the_windows() {
	run(|| {
		let timing = Timing {
			report_window: 60,
			quorum_extension: 0,
			challenge_window: 0,
			resolution_window: 5,
		};
		assert_noop!(Oracle::set_timing(signed(OPERATOR), timing), BadOrigin);
		assert_noop!(
			Oracle::set_timing(root(), Timing { report_window: 0, ..timing }),
			E::ZeroReportWindow
		);
		assert_ok!(Oracle::set_timing(root(), timing));
		last(Event::TimingSet { timing });
		// 60 + 0 + 5 + 0 + 5 = 70 s: one 600-s period, + 2.
		assert_eq!(<Oracle as hashrate_primitives::PowOracle>::finality_horizon(), 70);
		MaxBacklogPeriods::set(2);
		assert_noop!(Oracle::set_timing(root(), timing), E::BacklogTooLong);
		MaxBacklogPeriods::set(3);
		assert_ok!(Oracle::set_timing(root(), timing));
		set_now(end_of(P0) + 60);
		assert_noop!(Oracle::report(signed(REPORTER), FACILITY, P0, output()), E::WindowClosed);
	});
}

// --- feeders and network data ---

#[test]
fn add_and_remove_feeders() {
	run(|| {
		assert_ok!(Oracle::remove_feeder(root(), FEEDERS[2]));
		last(Event::FeederRemoved { feeder: FEEDERS[2] });
		assert_ok!(Oracle::add_feeder(root(), STRANGER));
		last(Event::FeederAdded { feeder: STRANGER });
		assert_eq!(Feeders::<Test>::get().to_vec(), vec![FEEDERS[0], FEEDERS[1], STRANGER]);
	});
}

#[test]
fn feeder_management_errors() {
	run(|| {
		assert_noop!(Oracle::add_feeder(signed(STRANGER), STRANGER), BadOrigin);
		assert_noop!(Oracle::remove_feeder(signed(STRANGER), FEEDERS[0]), BadOrigin);
		assert_noop!(Oracle::add_feeder(root(), FEEDERS[0]), E::AlreadyFeeder);
		assert_noop!(Oracle::add_feeder(root(), STRANGER), E::TooManyFeeders);
		assert_noop!(Oracle::remove_feeder(root(), STRANGER), E::NotFeeder);
	});
}

#[test]
fn network_data_is_the_median_of_enough_feeds() {
	run(|| {
		let data =
			|d: u128, r: u64| NetworkData { difficulty: Difficulty(d), reward_per_block: Sats(r) };
		let d = network().difficulty.0;
		let r = network().reward_per_block.0;
		set_now(end_of(P0) + 1);
		let result = Oracle::feed_network_data(signed(FEEDERS[0]), P0, data(d * 3, r));
		assert_eq!(result, Ok(PostDispatchInfo { actual_weight: None, pays_fee: Pays::No }));
		last(Event::NetworkDataFed { period: P0, feeder: FEEDERS[0], data: data(d * 3, r) });
		assert_ok!(Oracle::feed_network_data(signed(FEEDERS[1]), P0, data(d, r * 3)));
		// Two feeds are not enough (MinFeeds = 3), and the window is open: nothing fixed.
		assert_eq!(Oracle::network_data(P0), None);
		// A feeder replaces its own feed, paying for it.
		let replaced = Oracle::feed_network_data(signed(FEEDERS[1]), P0, data(d, r * 2));
		assert_eq!(replaced.map(|info| info.pays_fee), Ok(Pays::Yes));
		assert_eq!(Feeds::<Test>::get(P0).len(), 2);
		// The third feed completes the set: the median of each metric, fixed at once.
		assert_ok!(Oracle::feed_network_data(signed(FEEDERS[2]), P0, data(d * 2, r / 2)));
		let fixed = data(d * 2, r);
		assert_eq!(Oracle::network_data(P0), Some(fixed));
		event(Event::NetworkDataFixed {
			period: P0,
			data: fixed,
			source: NetworkSource::Feeds { feeds: 3 },
		});
		assert_eq!(
			LastFixed::<Test>::get(),
			Some(LastFixedNetwork { period: Some(P0), end: end_of(P0), data: fixed })
		);
		// The block hook's cursor passes it later.
		assert_eq!(NextToFix::<Test>::get(), Some(P0));
		assert!(Feeds::<Test>::get(P0).is_empty());
		assert_noop!(
			Oracle::feed_network_data(signed(FEEDERS[0]), P0, network()),
			E::NetworkDataFixed
		);
	});
}

#[test]
fn the_block_hook_fixes_closed_feed_windows_in_order() {
	run(|| {
		use frame_support::traits::Hooks;
		let p1 = P0.next().unwrap();
		let p2 = p1.next().unwrap();
		set_now(end_of(p1) + 1);
		for feeder in FEEDERS {
			assert_ok!(Oracle::feed_network_data(signed(feeder), p1, network()));
		}
		// p1's set is complete: fixed at once, ahead of P0 whose window is open.
		assert_eq!(Oracle::network_data(p1), Some(network()));
		assert_eq!(Oracle::network_data(P0), None);
		// The first half of the report window: P0 (no feeds) takes the last fixed value;
		// the cursor passes p1; p2 has not ended its window.
		set_now(end_of(p1) + WINDOW / 2);
		Oracle::on_initialize(2);
		event(Event::NetworkDataFixed {
			period: P0,
			data: network(),
			source: NetworkSource::LastFixed,
		});
		assert_eq!(Network::<Test>::get(P0).map(|n| n.source), Some(NetworkSource::LastFixed));
		assert_eq!(Oracle::network_data(p1), Some(network()));
		assert_eq!(NextToFix::<Test>::get(), Some(p2));
		// At most MAX_FIXED_PER_BLOCK per block.
		set_now(end_of(PeriodIndex(p2.0 + 40)) + WINDOW);
		Oracle::on_initialize(3);
		assert_eq!(NextToFix::<Test>::get(), Some(PeriodIndex(p2.0 + MAX_FIXED_PER_BLOCK)));
		// Catching up stops at the first open window; history beyond NetworkHistory periods
		// is pruned as new periods are fixed.
		set_now(end_of(PeriodIndex(p2.0 + 60)) + WINDOW / 2);
		for block in 4..10 {
			Oracle::on_initialize(block);
		}
		let next = NextToFix::<Test>::get().unwrap();
		assert_eq!(next, PeriodIndex(p2.0 + 61));
		let oldest_kept = PeriodIndex(next.0 - NETWORK_HISTORY);
		assert!(!Network::<Test>::contains_key(PeriodIndex(oldest_kept.0 - 1)));
		assert!(!Network::<Test>::contains_key(P0));
		assert!((oldest_kept.0..next.0).all(|p| Network::<Test>::contains_key(PeriodIndex(p))));
	});
}

#[test]
fn governance_sets_network_data_until_it_is_used() {
	run(|| {
		let other = NetworkData { difficulty: Difficulty(network().difficulty.0 / 2), ..network() };
		set_now(end_of(P0) + 1);
		assert_ok!(Oracle::feed_network_data(signed(FEEDERS[0]), P0, network()));
		// Before the window closes: fixed now, the feeds dropped.
		assert_ok!(Oracle::set_network_data(root(), P0, other));
		last(Event::NetworkDataSet { period: P0, data: other });
		assert_eq!(Oracle::network_data(P0), Some(other));
		assert!(Feeds::<Test>::get(P0).is_empty());
		assert_eq!(
			LastFixed::<Test>::get(),
			Some(LastFixedNetwork { period: Some(P0), end: end_of(P0), data: other })
		);
		// The cursor passes it without changing it.
		set_now(end_of(P0) + WINDOW);
		assert_eq!(Oracle::fix_due(Oracle::now(), 1), 1);
		assert_eq!(Oracle::network_data(P0), Some(other));
		// Replaced while unused; then an output is finalized against it.
		assert_ok!(Oracle::set_network_data(root(), P0, network()));
		assert_ok!(Oracle::close(signed(STRANGER), FACILITY, P0));
		assert!(Network::<Test>::get(P0).unwrap().used);
		assert_noop!(Oracle::set_network_data(root(), P0, other), E::NetworkDataInUse);
		assert_noop!(Oracle::set_network_data(signed(FEEDERS[0]), P0, other), BadOrigin);
		let zero = NetworkData { difficulty: Difficulty(0), ..network() };
		assert_noop!(Oracle::set_network_data(root(), P0, zero), E::InvalidNetworkData);
		Schedules::<Test>::kill();
		assert_noop!(Oracle::set_network_data(root(), P0, network()), E::NoSchedule);
		restore_schedule();
	});
}

#[test]
fn feeds_are_bounded_by_the_last_fixed_data() {
	run(|| {
		let d = network().difficulty.0;
		let r = network().reward_per_block.0;
		let feed = |period, d: u128, r: u64| {
			Oracle::feed_network_data(
				signed(FEEDERS[0]),
				period,
				NetworkData { difficulty: Difficulty(d), reward_per_block: Sats(r) },
			)
		};
		set_now(end_of(P0) + 1);
		// One retarget possible: x4 and /4.
		assert_ok!(feed(P0, d * 4, r));
		assert_ok!(feed(P0, d / 4, r));
		assert_noop!(feed(P0, d * 4 + 4, r), E::DifficultyOutOfBounds);
		assert_noop!(feed(P0, d / 4 - 1, r), E::DifficultyOutOfBounds);
		assert_noop!(feed(P0, 1, r), E::DifficultyOutOfBounds);
		// Reward within half and four times.
		assert_ok!(feed(P0, d, r / 2));
		assert_ok!(feed(P0, d, r * 4));
		assert_noop!(feed(P0, d, r / 2 - 1), E::RewardOutOfBounds);
		assert_noop!(feed(P0, d, r * 4 + 1), E::RewardOutOfBounds);
		// Three weeks (>= 6 epochs of 3.5 days) after the last fixed data: x4^7 allowed.
		let later = PeriodIndex(P0.0 + (21 * 86_400 / PERIOD) as u32);
		// (The periods between taken as fixed from the last fixed value.)
		Feeds::<Test>::remove(P0);
		NextToFix::<Test>::put(later);
		set_now(end_of(later) + 1);
		assert_ok!(feed(later, d * 4u128.pow(7), r));
		assert_noop!(feed(later, d * 4u128.pow(7) + 1, r), E::DifficultyOutOfBounds);
	});
}

#[test]
fn feed_network_data_errors() {
	run(|| {
		assert_noop!(Oracle::feed_network_data(signed(STRANGER), P0, network()), E::NotFeeder);
		let zero_difficulty = NetworkData { difficulty: Difficulty(0), ..network() };
		let zero_reward = NetworkData { reward_per_block: Sats(0), ..network() };
		for bad in [zero_difficulty, zero_reward] {
			assert_noop!(
				Oracle::feed_network_data(signed(FEEDERS[0]), P0, bad),
				E::InvalidNetworkData
			);
		}
		assert_noop!(
			Oracle::feed_network_data(signed(FEEDERS[0]), P0, network()),
			E::PeriodNotEnded
		);
		// The first half of the report window takes feeds.
		set_now(end_of(P0) + WINDOW / 2);
		assert_noop!(Oracle::feed_network_data(signed(FEEDERS[0]), P0, network()), E::WindowClosed);
		// A period before the next to fix (before the chain's fixing started).
		let before = PeriodIndex(P0.0 - 1);
		set_now(end_of(before) + 1);
		assert_noop!(
			Oracle::feed_network_data(signed(FEEDERS[0]), before, network()),
			E::WindowClosed
		);
		set_now(end_of(P0) + 1);
		Schedules::<Test>::kill();
		assert_noop!(Oracle::feed_network_data(signed(FEEDERS[0]), P0, network()), E::NoSchedule);
		restore_schedule();
	});
}

// --- attestors ---

#[test]
fn add_and_remove_attestors_hold_and_release_the_bond() {
	run(|| {
		assert_eq!(
			Balances::balance_on_hold(&HoldReason::AttestorBond.into(), &ATTESTORS[0]),
			BOND
		);
		assert_ok!(Oracle::add_attestor(root(), SPARE_ATTESTOR));
		last(Event::AttestorAdded { attestor: SPARE_ATTESTOR, bond: BOND });
		assert_eq!(
			Balances::balance_on_hold(&HoldReason::AttestorBond.into(), &SPARE_ATTESTOR),
			BOND
		);
		assert_ok!(Oracle::remove_attestor(root(), SPARE_ATTESTOR));
		last(Event::AttestorRemoved { attestor: SPARE_ATTESTOR });
		assert_eq!(Balances::balance_on_hold(&HoldReason::AttestorBond.into(), &SPARE_ATTESTOR), 0);
		assert_eq!(Balances::balance(&SPARE_ATTESTOR), ENDOWMENT);
	});
}

#[test]
fn attestor_management_errors() {
	run(|| {
		assert_noop!(Oracle::add_attestor(signed(STRANGER), STRANGER), BadOrigin);
		assert_noop!(Oracle::remove_attestor(signed(STRANGER), ATTESTORS[0]), BadOrigin);
		assert_noop!(Oracle::add_attestor(root(), ATTESTORS[0]), E::AlreadyAttestor);
		assert_noop!(Oracle::add_attestor(root(), POOR), E::BondNotAffordable);
		assert_noop!(Oracle::remove_attestor(root(), STRANGER), E::NotAttestor);
		assert_ok!(Oracle::add_attestor(root(), SPARE_ATTESTOR));
		assert_noop!(Oracle::add_attestor(root(), STRANGER), E::TooManyAttestors);
	});
}

// --- reports ---

#[test]
fn report_pays_the_fee_once_and_is_amendable() {
	run(|| {
		in_window(P0);
		let before = Balances::balance(&REPORTER);
		report(P0);
		last(Event::Reported {
			facility: FACILITY,
			period: P0,
			submitter: REPORTER,
			amended: false,
		});
		assert_eq!(Balances::balance(&REPORTER), before - FEE);
		assert_eq!(FeePot::<Test>::get(), FEE);
		assert_eq!(Balances::balance(&Oracle::pot_account()), FEE);
		// The operator amends it: no second fee.
		let amended = with_hashrate(111_000);
		assert_ok!(Oracle::report(signed(OPERATOR), FACILITY, P0, amended));
		last(Event::Reported {
			facility: FACILITY,
			period: P0,
			submitter: OPERATOR,
			amended: true,
		});
		assert_eq!(FeePot::<Test>::get(), FEE);
		let round = Rounds::<Test>::get(FACILITY, P0).unwrap();
		assert_eq!(round.report.unwrap().output, amended);
	});
}

#[test]
fn a_suspended_facility_still_reports() {
	run(|| {
		assert_ok!(Facilities::suspend(root(), FACILITY, SuspensionReason::Governance));
		in_window(P0);
		report(P0);
	});
}

#[test]
fn report_errors_on_who_and_when() {
	run(|| {
		assert_noop!(
			Oracle::report(signed(REPORTER), FacilityId(9), P0, output()),
			E::UnknownFacility
		);
		// A pending facility does not report yet.
		assert_ok!(Facilities::register(signed(STRANGER), site(), profile()));
		in_window(P0);
		assert_noop!(
			Oracle::report(signed(STRANGER), FacilityId(1), P0, output()),
			E::FacilityNotReporting
		);
		assert_noop!(Oracle::report(signed(STRANGER), FACILITY, P0, output()), E::NotReporter);
		// Whatever the values and the period, a stranger learns it may not report.
		let absurd = PeriodOutput { hashrate: Hashrate::ZERO, ..output() };
		assert_noop!(
			Oracle::report(signed(STRANGER), FACILITY, P0.next().unwrap(), absurd),
			E::NotReporter
		);
		let current = Oracle::current_period();
		assert_noop!(
			Oracle::report(signed(REPORTER), FACILITY, current, output()),
			E::PeriodNotEnded
		);
		after_window(P0);
		assert_noop!(Oracle::report(signed(REPORTER), FACILITY, P0, output()), E::WindowClosed);
		let p1 = P0.next().unwrap();
		finalize_with_all(p1);
		assert_noop!(Oracle::report(signed(REPORTER), FACILITY, p1, output()), E::AlreadyFinalized);
		// The fee must be payable.
		assert_ok!(Facilities::add_reporter(signed(OPERATOR), FACILITY, POOR));
		assert_ok!(Facilities::accept_reporter(signed(POOR), FACILITY));
		let p2 = p1.next().unwrap();
		in_window(p2);
		assert_noop!(Oracle::report(signed(POOR), FACILITY, p2, output()), E::FeeNotAffordable);
		Schedules::<Test>::kill();
		assert_noop!(Oracle::report(signed(REPORTER), FACILITY, p2, output()), E::NoSchedule);
		restore_schedule();
	});
}

#[test]
fn report_errors_on_physics() {
	run(|| {
		in_window(P0);
		assert_eq!(Network::<Test>::get(P0).map(|n| n.data), Some(network()));
		let refuse = |bad: PeriodOutput, error: E| {
			assert_noop!(Oracle::report(signed(REPORTER), FACILITY, P0, bad), error);
		};
		refuse(PeriodOutput { hashrate: Hashrate::ZERO, ..output() }, E::ZeroHashrate);
		refuse(PeriodOutput { uptime: 0, ..output() }, E::InvalidUptime);
		refuse(PeriodOutput { uptime: 1_001, ..output() }, E::InvalidUptime);
		refuse(PeriodOutput { pool_fee: 51, ..output() }, E::InvalidPoolFee);
		// Capacity 115 PH/s + 5 % = 120.75 PH/s.
		assert_ok!(Oracle::report(
			signed(REPORTER),
			FACILITY,
			P0,
			PeriodOutput { energy: Energy(320), ..with_hashrate(120_750) }
		));
		refuse(
			PeriodOutput { energy: Energy(320), ..with_hashrate(120_751) },
			E::HashrateAboveCapacity,
		);
		// 110 PH/s at 15 J/TH for 600 s needs 275 kWh; 10 % less is 247.5 (tolerances round
		// in the submitter's favour: 247).
		refuse(PeriodOutput { energy: Energy(246), ..output() }, E::EnergyTooLow);
		assert_ok!(Oracle::report(
			signed(REPORTER),
			FACILITY,
			P0,
			PeriodOutput { energy: Energy(247), ..output() }
		));
		// 2,000 kW for 600 s delivers 333 kWh.
		refuse(PeriodOutput { energy: Energy(334), ..output() }, E::EnergyAboveCapacity);
		// 31,852 sat +/- 20 % (the period's fixed data; before it is fixed, the last fixed).
		refuse(PeriodOutput { sats: Sats(90_000), ..output() }, E::SatsImplausible);
		refuse(PeriodOutput { sats: Sats(25_480), ..output() }, E::SatsImplausible);
		refuse(PeriodOutput { sats: Sats(38_224), ..output() }, E::SatsImplausible);
		assert_ok!(Oracle::report(
			signed(REPORTER),
			FACILITY,
			P0,
			PeriodOutput { sats: Sats(25_482), ..output() }
		));
		assert_ok!(Oracle::report(
			signed(REPORTER),
			FACILITY,
			P0,
			PeriodOutput { sats: Sats(38_222), ..output() }
		));
	});
}

// --- attestations and finalization ---

#[test]
fn attest_is_free_and_amendable() {
	run(|| {
		in_window(P0);
		let result = Oracle::attest(signed(ATTESTORS[0]), FACILITY, P0, output());
		assert_eq!(result.map(|info| info.pays_fee), Ok(Pays::No));
		last(Event::Attested { facility: FACILITY, period: P0, attestor: ATTESTORS[0] });
		attest(ATTESTORS[0], P0, with_hashrate(109_000));
		let round = Rounds::<Test>::get(FACILITY, P0).unwrap();
		assert_eq!(round.attestations.to_vec(), vec![(ATTESTORS[0], with_hashrate(109_000))]);
		assert!(round.report.is_none());
	});
}

#[test]
fn attest_errors() {
	run(|| {
		in_window(P0);
		assert_noop!(Oracle::attest(signed(STRANGER), FACILITY, P0, output()), E::NotAttestor);
		assert_noop!(
			Oracle::attest(signed(ATTESTORS[0]), FacilityId(9), P0, output()),
			E::UnknownFacility
		);
		assert_noop!(
			Oracle::attest(signed(ATTESTORS[0]), FACILITY, Oracle::current_period(), output()),
			E::PeriodNotEnded
		);
		assert_noop!(
			Oracle::attest(signed(ATTESTORS[0]), FACILITY, P0, with_hashrate(130_000)),
			E::HashrateAboveCapacity
		);
		after_window(P0);
		assert_noop!(Oracle::attest(signed(ATTESTORS[0]), FACILITY, P0, output()), E::WindowClosed);
		let p1 = P0.next().unwrap();
		finalize_with_all(p1);
		assert_noop!(
			Oracle::attest(signed(ATTESTORS[0]), FACILITY, p1, output()),
			E::AlreadyFinalized
		);
		assert_ok!(Facilities::retire(signed(OPERATOR), FACILITY));
		let p2 = p1.next().unwrap();
		in_window(p2);
		assert_noop!(
			Oracle::attest(signed(ATTESTORS[0]), FACILITY, p2, output()),
			E::FacilityNotReporting
		);
	});
}

#[test]
fn report_and_attest_are_charged_the_finalizing_path_only_when_they_finalize() {
	use crate::WeightInfo;
	run(|| {
		in_window(P0);
		// Stored rounds: charged the storing path.
		let stored = Oracle::report(signed(REPORTER), FACILITY, P0, output());
		assert_eq!(stored.map(|info| info.actual_weight), Ok(Some(<()>::report_stored())));
		let stored = Oracle::attest(signed(ATTESTORS[0]), FACILITY, P0, output());
		assert_eq!(
			stored,
			Ok(PostDispatchInfo { actual_weight: Some(<()>::attest_stored()), pays_fee: Pays::No })
		);
		attest(ATTESTORS[1], P0, output());
		// The last attestation finalizes: charged as declared.
		let finalizing = Oracle::attest(signed(ATTESTORS[2]), FACILITY, P0, output());
		assert_eq!(finalizing, Ok(PostDispatchInfo { actual_weight: None, pays_fee: Pays::No }));
		assert!(Outputs::<Test>::contains_key(FACILITY, P0));

		// A report completing a round finalizes it; an amended attestation pays.
		let p1 = PeriodIndex(P0.0 + 1);
		set_now(end_of(p1) + 10);
		feed(p1);
		for attestor in ATTESTORS {
			attest(attestor, p1, output());
		}
		let amended = Oracle::attest(signed(ATTESTORS[0]), FACILITY, p1, output());
		assert_eq!(amended.map(|info| info.pays_fee), Ok(Pays::Yes));
		let finalizing = Oracle::report(signed(REPORTER), FACILITY, p1, output());
		assert_eq!(finalizing.map(|info| info.actual_weight), Ok(None));
		assert!(Outputs::<Test>::contains_key(FACILITY, p1));
	});
}

#[test]
fn the_whole_set_finalizes_at_the_median_and_shares_the_fee() {
	run(|| {
		in_window(P0);
		feed(P0);
		report(P0);
		let treasury = Balances::balance(&TREASURY);
		attest(ATTESTORS[0], P0, with_hashrate(109_000));
		attest(ATTESTORS[1], P0, with_hashrate(110_000));
		// 104 PH/s is 5.5 % below the median: no share, a strike.
		attest(ATTESTORS[2], P0, PeriodOutput { sats: Sats(30_500), ..with_hashrate(104_000) });
		let record = Outputs::<Test>::get(FACILITY, P0).expect("finalized");
		let median = PeriodOutput { hashrate: Hashrate::from_ths(109_000).unwrap(), ..output() };
		assert_eq!(record.output, median);
		assert_eq!(record.source, OutputSource::Attested { attestors: 3, of: 3 });
		assert_eq!(
			record.status,
			OutputStatus::Finalized { challenge_ends: Oracle::now() + CHALLENGE }
		);
		event(Event::AttestorPaid { attestor: ATTESTORS[0], amount: 150 });
		event(Event::AttestorPaid { attestor: ATTESTORS[1], amount: 150 });
		event(Event::AttestorStruck { attestor: ATTESTORS[2], strikes: 1 });
		assert_eq!(Balances::balance(&ATTESTORS[0]), ENDOWMENT - BOND + 150);
		assert_eq!(Balances::balance(&TREASURY), treasury + 1);
		assert_eq!(FeePot::<Test>::get(), 0);
		assert_eq!(Strikes::<Test>::get(ATTESTORS[2]).len(), 1);
		assert!(Rounds::<Test>::get(FACILITY, P0).is_none());
		assert_eq!(Submissions::<Test>::get(FACILITY, P0).len(), 3);
		// The report (110 PH/s) is within 5 % of the median: not flagged.
		assert!(!System::events()
			.iter()
			.any(|r| matches!(r.event, RuntimeEvent::Oracle(Event::ReportDeviates { .. }))));
		// Not final yet: nothing leaves the pallet during the challenge window.
		assert_eq!(Oracle::final_outcome(FACILITY, P0), None);
	});
}

#[test]
fn a_report_far_from_the_median_is_flagged_and_the_median_stands() {
	run(|| {
		in_window(P0);
		report(P0);
		for attestor in ATTESTORS {
			attest(attestor, P0, PeriodOutput { energy: Energy(280), ..with_hashrate(100_000) });
		}
		event(Event::ReportDeviates { facility: FACILITY, period: P0, reported: output() });
		assert_eq!(
			Outputs::<Test>::get(FACILITY, P0).unwrap().output.hashrate,
			Hashrate::from_ths(100_000).unwrap()
		);
	});
}

#[test]
fn finalization_waits_for_the_report() {
	run(|| {
		in_window(P0);
		for attestor in ATTESTORS {
			attest(attestor, P0, output());
		}
		assert!(!Outputs::<Test>::contains_key(FACILITY, P0));
		report(P0);
		assert!(Outputs::<Test>::contains_key(FACILITY, P0));
		// 301 / 3 = 100 each, 1 to the treasury.
		event(Event::AttestorPaid { attestor: ATTESTORS[2], amount: 100 });
	});
}

#[test]
fn when_nobody_is_within_tolerance_the_fee_goes_to_the_treasury() {
	run(|| {
		// Submitted while the last fixed data (difficulty 149.3 T) was the reference...
		set_now(end_of(P0) + 10);
		report(P0);
		for attestor in ATTESTORS {
			attest(attestor, P0, output());
		}
		assert!(Rounds::<Test>::contains_key(FACILITY, P0), "waits for the network data");
		assert_noop!(Oracle::close(signed(STRANGER), FACILITY, P0), E::NetworkDataNotFixed);
		// ...then the feeds fix a 30 % higher difficulty: 31,852 sat is 30 % above the
		// expectation of 24,502; the output is clamped to +20 % (29,402), 7.7 % from every
		// attestation.
		let harder =
			NetworkData { difficulty: Difficulty(network().difficulty.0 * 13 / 10), ..network() };
		for feeder in FEEDERS {
			assert_ok!(Oracle::feed_network_data(signed(feeder), P0, harder));
		}
		let treasury = Balances::balance(&TREASURY);
		assert_ok!(Oracle::close(signed(STRANGER), FACILITY, P0));
		let record = Outputs::<Test>::get(FACILITY, P0).unwrap();
		assert_eq!(record.source, OutputSource::AttestedClamped { attestors: 3, of: 3 });
		assert_eq!(record.output, PeriodOutput { sats: Sats(29_402), ..output() });
		event(Event::SatsClamped {
			facility: FACILITY,
			period: P0,
			attested: Sats(31_852),
			finalized: Sats(29_402),
		});
		assert_eq!(Balances::balance(&TREASURY), treasury + FEE);
		for attestor in ATTESTORS {
			assert_eq!(Strikes::<Test>::get(attestor).len(), 1);
		}
	});
}

// --- closing windows ---

#[test]
fn close_with_a_majority_finalizes() {
	run(|| {
		in_window(P0);
		report(P0);
		attest(ATTESTORS[0], P0, output());
		attest(ATTESTORS[1], P0, output());
		assert_noop!(Oracle::close(signed(STRANGER), FACILITY, P0), E::WindowOpen);
		after_window(P0);
		assert_ok!(Oracle::close(signed(STRANGER), FACILITY, P0));
		let record = Outputs::<Test>::get(FACILITY, P0).unwrap();
		assert_eq!(record.source, OutputSource::Attested { attestors: 2, of: 3 });
		assert_eq!(record.output, output());
		assert_noop!(Oracle::close(signed(STRANGER), FACILITY, P0), E::AlreadyFinalized);
	});
}

#[test]
fn no_report_defaults_and_repeated_defaults_suspend() {
	run(|| {
		let mut period = P0;
		for miss in 1..=3u32 {
			in_window(period);
			// Attestations without a report do not save the period.
			attest(ATTESTORS[0], period, output());
			after_window(period);
			assert_ok!(Oracle::close(signed(STRANGER), FACILITY, period));
			event(Event::Defaulted { facility: FACILITY, period, consecutive: miss });
			assert_eq!(
				Oracle::final_outcome(FACILITY, period),
				Some(PeriodOutcome::DefaultedByFacility)
			);
			period = period.next().unwrap();
		}
		assert_eq!(announced().len(), 3);
		assert_eq!(announced()[0], (FACILITY, P0, PeriodOutcome::DefaultedByFacility));
		assert_eq!(Facilities::status(FACILITY), Some(FacilityStatus::Suspended));
		// A finalized report resets the count.
		finalize_with_all(period);
		assert_eq!(Oracle::misses_in_a_row(FACILITY, period.next().unwrap()), 1);
	});
}

#[test]
fn only_periods_since_approval_and_chain_start_are_owed() {
	run(|| {
		// The facility was approved at T0: the period before is not owed.
		let before = PeriodIndex(P0.0 - 1);
		after_window(P0);
		assert_noop!(Oracle::close(signed(STRANGER), FACILITY, before), E::NotOwed);
		assert_ok!(Oracle::close(signed(STRANGER), FACILITY, P0));
		// A facility approved at genesis (time zero) owes nothing before the chain started.
		ChainStart::<Test>::put(end_of(P0) + 1);
		let p1 = P0.next().unwrap();
		after_window(p1);
		assert_noop!(Oracle::close(signed(STRANGER), FACILITY, p1), E::NotOwed);
	});
}

#[test]
fn the_chain_start_is_recorded_once() {
	use frame_support::traits::Hooks;
	run(|| {
		ChainStart::<Test>::kill();
		NextToFix::<Test>::kill();
		// Block 1: the clock is not set during `on_initialize`; nothing to fix yet.
		set_now(0);
		<Oracle as Hooks<u64>>::on_initialize(1);
		set_now(T0);
		<Oracle as Hooks<u64>>::on_finalize(1);
		assert_eq!(ChainStart::<Test>::get(), Some(T0));
		// Fixing starts at the oldest period whose feed window is open (the one before
		// P0: its window is the first half of its report window, after P0's start).
		assert_eq!(NextToFix::<Test>::get(), Some(PeriodIndex(P0.0 - 1)));
		// The chain closes periods from the first that starts in its first block.
		assert_eq!(CloseCursor::<Test>::get(), Some((P0, FacilityId(0))));
		set_now(T0 + 100);
		<Oracle as Hooks<u64>>::on_finalize(2);
		assert_eq!(ChainStart::<Test>::get(), Some(T0));
		assert_eq!(NextToFix::<Test>::get(), Some(PeriodIndex(P0.0 - 1)));
		NextToFix::<Test>::put(P0);
	});
}

#[test]
fn short_quorum_extends_once_then_waits_for_governance() {
	run(|| {
		in_window(P0);
		report(P0);
		attest(ATTESTORS[0], P0, output());
		after_window(P0);
		assert_ok!(Oracle::close(signed(STRANGER), FACILITY, P0));
		let closes_at = end_of(P0) + WINDOW + EXTENSION;
		last(Event::WindowExtended { facility: FACILITY, period: P0, closes_at });
		// Still open during the extension.
		assert_noop!(Oracle::close(signed(STRANGER), FACILITY, P0), E::WindowOpen);
		attest(ATTESTORS[0], P0, with_hashrate(109_500));
		set_now(closes_at);
		assert_ok!(Oracle::close(signed(STRANGER), FACILITY, P0));
		last(Event::AwaitingGovernance { facility: FACILITY, period: P0 });
		event(Event::AttestorStruck { attestor: ATTESTORS[1], strikes: 1 });
		event(Event::AttestorStruck { attestor: ATTESTORS[2], strikes: 1 });
		assert_eq!(Strikes::<Test>::get(ATTESTORS[0]).len(), 0);
		assert_noop!(Oracle::close(signed(STRANGER), FACILITY, P0), E::AwaitingGovernance);
		assert_noop!(Oracle::attest(signed(ATTESTORS[1]), FACILITY, P0, output()), E::WindowClosed);
		assert_noop!(Oracle::report(signed(REPORTER), FACILITY, P0, output()), E::WindowClosed);
	});
}

#[test]
fn close_errors() {
	run(|| {
		assert_noop!(Oracle::close(RuntimeOrigin::none(), FACILITY, P0), BadOrigin);
		assert_noop!(Oracle::close(signed(STRANGER), FacilityId(9), P0), E::UnknownFacility);
		in_window(P0);
		assert_noop!(Oracle::close(signed(STRANGER), FACILITY, P0), E::WindowOpen);
		assert_ok!(Facilities::retire(signed(OPERATOR), FACILITY));
		after_window(P0);
		assert_noop!(Oracle::close(signed(STRANGER), FACILITY, P0), E::FacilityNotReporting);
		Schedules::<Test>::kill();
		assert_noop!(Oracle::close(signed(STRANGER), FACILITY, P0), E::NoSchedule);
		restore_schedule();
	});
}

fn awaiting_governance(period: PeriodIndex) {
	in_window(period);
	report(period);
	after_window(period);
	assert_ok!(Oracle::close(signed(STRANGER), FACILITY, period));
	set_now(end_of(period) + WINDOW + EXTENSION);
	assert_ok!(Oracle::close(signed(STRANGER), FACILITY, period));
}

#[test]
fn governance_finalizes_from_the_report_or_the_network_expectation() {
	run(|| {
		awaiting_governance(P0);
		let treasury = Balances::balance(&TREASURY);
		assert_ok!(Oracle::force_finalize(root(), FACILITY, P0, FinalizeFrom::Report));
		let record = Outputs::<Test>::get(FACILITY, P0).unwrap();
		assert_eq!((record.output, record.source), (output(), OutputSource::GovernanceFromReport));
		assert_eq!(Balances::balance(&TREASURY), treasury + FEE);

		let p1 = P0.next().unwrap();
		in_window(p1);
		feed(p1);
		let claimed = PeriodOutput { sats: Sats(36_000), ..output() };
		assert_ok!(Oracle::report(signed(REPORTER), FACILITY, p1, claimed));
		after_window(p1);
		assert_ok!(Oracle::close(signed(STRANGER), FACILITY, p1));
		set_now(end_of(p1) + WINDOW + EXTENSION);
		assert_ok!(Oracle::close(signed(STRANGER), FACILITY, p1));
		assert_ok!(Oracle::force_finalize(root(), FACILITY, p1, FinalizeFrom::NetworkExpectation));
		let record = Outputs::<Test>::get(FACILITY, p1).unwrap();
		assert_eq!(record.output, PeriodOutput { sats: Sats(31_852), ..claimed });
		assert_eq!(record.source, OutputSource::GovernanceFromNetwork);
	});
}

#[test]
fn force_finalize_errors() {
	run(|| {
		assert_noop!(
			Oracle::force_finalize(signed(STRANGER), FACILITY, P0, FinalizeFrom::Report),
			BadOrigin
		);
		assert_noop!(
			Oracle::force_finalize(root(), FACILITY, P0, FinalizeFrom::Report),
			E::NotAwaitingGovernance
		);
		// Waiting for governance, then decided: no longer waiting.
		awaiting_governance(P0);
		assert_ok!(Oracle::force_finalize(root(), FACILITY, P0, FinalizeFrom::Report));
		assert_noop!(
			Oracle::force_finalize(root(), FACILITY, P0, FinalizeFrom::Report),
			E::NotAwaitingGovernance
		);
	});
}

#[test]
fn make_final_after_the_challenge_window_tells_the_hook() {
	run(|| {
		finalize_with_all(P0);
		assert_noop!(Oracle::make_final(signed(STRANGER), FACILITY, P0), E::ChallengeWindowOpen);
		set_now(Oracle::now() + CHALLENGE);
		assert_ok!(Oracle::make_final(signed(STRANGER), FACILITY, P0));
		last(Event::MadeFinal { facility: FACILITY, period: P0 });
		assert_eq!(Oracle::final_outcome(FACILITY, P0), Some(PeriodOutcome::Final(output())));
		assert_eq!(announced(), vec![(FACILITY, P0, PeriodOutcome::Final(output()))]);
		assert_noop!(Oracle::make_final(signed(STRANGER), FACILITY, P0), E::AlreadyFinal);
		assert_noop!(
			Oracle::make_final(signed(STRANGER), FACILITY, P0.next().unwrap()),
			E::NotFinalized
		);
		assert_noop!(Oracle::make_final(RuntimeOrigin::none(), FACILITY, P0), BadOrigin);
	});
}

// --- disputes ---

fn held_dispute(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::DisputeDeposit.into(), &who)
}

#[test]
fn an_upheld_dispute_pays_the_deposit_to_the_treasury() {
	run(|| {
		finalize_with_all(P0);
		assert_ok!(Oracle::dispute(signed(ATTESTORS[0]), FACILITY, P0));
		let resolve_by = Oracle::now() + RESOLUTION;
		last(Event::Disputed {
			facility: FACILITY,
			period: P0,
			disputer: Some(ATTESTORS[0]),
			resolve_by,
		});
		assert_eq!(held_dispute(ATTESTORS[0]), DISPUTE_DEPOSIT);
		// Frozen: not final even after the challenge window.
		set_now(Oracle::now() + CHALLENGE);
		assert_noop!(Oracle::make_final(signed(STRANGER), FACILITY, P0), E::DisputeOpen);
		assert_eq!(Oracle::final_outcome(FACILITY, P0), None);
		let treasury = Balances::balance(&TREASURY);
		assert_ok!(Oracle::resolve_dispute(root(), FACILITY, P0, None));
		event(Event::DisputeUpheld { facility: FACILITY, period: P0 });
		last(Event::MadeFinal { facility: FACILITY, period: P0 });
		assert_eq!(Balances::balance(&TREASURY), treasury + DISPUTE_DEPOSIT);
		assert_eq!(held_dispute(ATTESTORS[0]), 0);
		assert_eq!(Oracle::final_outcome(FACILITY, P0), Some(PeriodOutcome::Final(output())));
		assert_eq!(announced(), vec![(FACILITY, P0, PeriodOutcome::Final(output()))]);
	});
}

#[test]
fn an_unresolved_dispute_stands_at_its_deadline() {
	run(|| {
		finalize_with_all(P0);
		// Governance disputes without a deposit.
		assert_ok!(Oracle::dispute(root(), FACILITY, P0));
		event(Event::Disputed {
			facility: FACILITY,
			period: P0,
			disputer: None,
			resolve_by: Oracle::now() + RESOLUTION,
		});
		set_now(Oracle::now() + RESOLUTION);
		assert_ok!(Oracle::make_final(signed(STRANGER), FACILITY, P0));
		event(Event::DisputeUpheld { facility: FACILITY, period: P0 });
		assert_eq!(Oracle::final_outcome(FACILITY, P0), Some(PeriodOutcome::Final(output())));
	});
}

#[test]
fn a_correction_slashes_the_facility_and_the_attestors_that_were_wrong() {
	run(|| {
		// The facility and two attestors claim 110 PH/s; the truth is 100 PH/s.
		in_window(P0);
		report(P0);
		attest(ATTESTORS[0], P0, output());
		attest(ATTESTORS[1], P0, output());
		let truth = PeriodOutput { energy: Energy(255), ..with_hashrate(100_000) };
		attest(ATTESTORS[2], P0, truth);
		assert_eq!(Outputs::<Test>::get(FACILITY, P0).unwrap().output, output());
		assert_ok!(Oracle::dispute(signed(ATTESTORS[2]), FACILITY, P0));
		let facility_deposit = Facilities::deposit(FACILITY).unwrap();
		let treasury = Balances::balance(&TREASURY);
		assert_ok!(Oracle::resolve_dispute(root(), FACILITY, P0, Some(truth)));
		let corrected = PeriodOutput { evidence: output().evidence, ..truth };
		event(Event::DisputeCorrected { facility: FACILITY, period: P0, output: corrected });
		event(Event::FacilitySlashed { facility: FACILITY, amount: FRAUD_SLASH });
		event(Event::AttestorSlashed { attestor: ATTESTORS[0], amount: ATTESTOR_SLASH });
		event(Event::AttestorSlashed { attestor: ATTESTORS[1], amount: ATTESTOR_SLASH });
		event(Event::AttestorRemoved { attestor: ATTESTORS[0] });
		assert_eq!(Facilities::deposit(FACILITY), Some(facility_deposit - FRAUD_SLASH));
		assert_eq!(Attestors::<Test>::get().to_vec(), vec![ATTESTORS[2]]);
		assert_eq!(Balances::balance_on_hold(&HoldReason::AttestorBond.into(), &ATTESTORS[0]), 0);
		// It had earned half the fee (two within tolerance of the wrong median).
		assert_eq!(Balances::total_balance(&ATTESTORS[0]), ENDOWMENT + 150 - ATTESTOR_SLASH);
		assert_eq!(Balances::balance(&TREASURY), treasury + FRAUD_SLASH + 2 * ATTESTOR_SLASH);
		// The disputer's deposit came back.
		assert_eq!(held_dispute(ATTESTORS[2]), 0);
		assert_eq!(Oracle::final_outcome(FACILITY, P0), Some(PeriodOutcome::Final(corrected)));
	});
}

#[test]
fn dispute_errors() {
	run(|| {
		assert_noop!(Oracle::dispute(signed(ATTESTORS[0]), FACILITY, P0), E::NotFinalized);
		finalize_with_all(P0);
		assert_noop!(Oracle::dispute(signed(STRANGER), FACILITY, P0), E::NotAttestor);
		assert_noop!(Oracle::dispute(RuntimeOrigin::none(), FACILITY, P0), BadOrigin);
		assert_ok!(Balances::force_set_balance(root(), ATTESTORS[1], 100));
		assert_noop!(Oracle::dispute(signed(ATTESTORS[1]), FACILITY, P0), E::DepositNotAffordable);
		assert_ok!(Oracle::dispute(signed(ATTESTORS[0]), FACILITY, P0));
		assert_noop!(Oracle::dispute(signed(ATTESTORS[2]), FACILITY, P0), E::AlreadyDisputed);
		let p1 = P0.next().unwrap();
		finalize_with_all(p1);
		set_now(Oracle::now() + CHALLENGE);
		assert_noop!(Oracle::dispute(signed(ATTESTORS[2]), FACILITY, p1), E::ChallengeWindowClosed);
		assert_ok!(Oracle::make_final(signed(STRANGER), FACILITY, p1));
		assert_noop!(Oracle::dispute(signed(ATTESTORS[2]), FACILITY, p1), E::AlreadyFinal);
		assert_ok!(Oracle::resolve_dispute(root(), FACILITY, P0, None));
	});
}

#[test]
fn resolve_dispute_errors() {
	run(|| {
		finalize_with_all(P0);
		assert_noop!(Oracle::resolve_dispute(signed(ATTESTORS[0]), FACILITY, P0, None), BadOrigin);
		assert_noop!(Oracle::resolve_dispute(root(), FACILITY, P0, None), E::NotDisputed);
		assert_noop!(
			Oracle::resolve_dispute(root(), FACILITY, P0.next().unwrap(), None),
			E::NotDisputed
		);
		assert_ok!(Oracle::dispute(signed(ATTESTORS[0]), FACILITY, P0));
		let zero = PeriodOutput { hashrate: Hashrate::ZERO, ..output() };
		assert_noop!(Oracle::resolve_dispute(root(), FACILITY, P0, Some(zero)), E::ZeroHashrate);
		assert_ok!(Oracle::resolve_dispute(root(), FACILITY, P0, None));
	});
}

// --- the trait ---

#[test]
fn average_final_hashrate_counts_defaults_as_zero() {
	run(|| {
		let p1 = P0.next().unwrap();
		let p2 = p1.next().unwrap();
		finalize_with_all(P0);
		set_now(Oracle::now() + CHALLENGE);
		assert_ok!(Oracle::make_final(signed(STRANGER), FACILITY, P0));
		after_window(p1);
		assert_ok!(Oracle::close(signed(STRANGER), FACILITY, p1));
		assert_eq!(
			Oracle::average_final_hashrate(FACILITY, p2, 2),
			Some(Hashrate::from_ths(55_000).unwrap())
		);
		assert_eq!(Oracle::average_final_hashrate(FACILITY, p2, 1), Some(Hashrate::ZERO));
		// A period that is not final makes the average unknown.
		assert_eq!(Oracle::average_final_hashrate(FACILITY, p2, 3), None);
		assert_eq!(Oracle::average_final_hashrate(FACILITY, p2, 0), None);
		assert_eq!(Oracle::average_final_hashrate(FACILITY, p2, 10_000), None);
	});
}

// --- real data ---

/// Difficulty of a real mainnet header's `nBits` (height 830,592, April 2024, subsidy
/// 6.25 BTC) drives the expectation: 100 PH/s for a day earns about 0.1538 BTC there.
#[test]
fn expectation_from_a_real_mainnet_header() {
	let headers: &[u8] =
		include_bytes!("../../../testdata/bitcoin/mainnet-headers-822528-830592.bin");
	let last = &headers[headers.len() - 80..];
	let bits = u32::from_le_bytes(last[72..76].try_into().unwrap());
	let difficulty = Difficulty::from_compact_bits(bits).unwrap();
	assert!((81_700_000_000_000..81_800_000_000_000).contains(&difficulty.get()), "{difficulty:?}");
	let network = NetworkData { difficulty, reward_per_block: Sats(625_000_000) };
	let expected =
		expected_net_sats(Hashrate::from_ths(100_000).unwrap(), 86_400, &network, 0).unwrap();
	// 1e17 x 86,400 / (8.1725e13 x 2^32) x 6.25e8 = 1.538e7 sat.
	assert!((15_300_000..15_450_000).contains(&expected.get()), "{expected:?}");
}

// --- properties ---

mod properties {
	use super::*;
	use proptest::prelude::*;

	proptest! {
		/// The median is the reference one: sort, take the lower middle.
		#[test]
		fn median_is_the_lower_middle(values in proptest::collection::vec(0u64..1_000, 1..20)) {
			let mut reference = values.clone();
			reference.sort();
			let expected = reference[(reference.len() - 1) / 2];
			let mut values = values;
			prop_assert_eq!(median(&mut values), Some(expected));
			// At least half the values are <= and at least half >= the median.
			let below = reference.iter().filter(|v| **v <= expected).count();
			let above = reference.iter().filter(|v| **v >= expected).count();
			prop_assert!(below * 2 >= reference.len() && above * 2 >= reference.len());
		}

		/// `check_output` agrees with a plain u128 reference of the formulas in `docs/domain.md`.
		#[test]
		fn physics_checks_match_a_reference(
			capacity_ths in 1u128..1_000_000,
			hashrate_ths in 1u128..1_100_000,
			j_per_th in 9u32..40,
			kw_headroom in 0u64..3_000,
			seconds in 1u64..172_800,
			energy_percent in 80u128..125,
			sats_percent in 70u128..130,
			pool_fee in 0u16..60,
			difficulty in 10u128.pow(12)..10u128.pow(15),
			reward in 100_000_000u64..700_000_000,
		) {
			let capacity = Capacity {
				hashrate: Hashrate::from_ths(capacity_ths).unwrap(),
				efficiency: hashrate_primitives::Efficiency::from_j_per_th(j_per_th).unwrap(),
				power: hashrate_primitives::Power(
					u64::try_from(capacity_ths * u128::from(j_per_th) / 1_000).unwrap() + kw_headroom,
				),
			};
			// Energy and sats around what physics and the network predict, so that every
			// branch (and success) is exercised.
			let h = hashrate_ths * 1_000; // milli-TH/s
			let needed = h * u128::from(j_per_th) * 1_000 * u128::from(seconds) / 3_600_000_000_000;
			let gross = h * 1_000_000_000 * u128::from(seconds) * u128::from(reward) / (difficulty << 32);
			let net = gross * u128::from(1_000 - pool_fee.min(1_000)) / 1_000;
			let energy = u64::try_from(needed * energy_percent / 100).unwrap();
			let sats = u64::try_from(net * sats_percent / 100).unwrap();
			let output = PeriodOutput {
				hashrate: Hashrate::from_ths(hashrate_ths).unwrap(),
				sats: Sats(sats),
				energy: Energy(energy),
				uptime: 1_000,
				pool_fee,
				evidence: Default::default(),
			};
			let tolerances = Tolerances {
				hashrate_over_capacity: sp_runtime::Permill::from_percent(5),
				energy_under_physics: sp_runtime::Permill::from_percent(10),
				pool_luck: sp_runtime::Permill::from_percent(20),
				max_pool_fee: 50,
			};
			let network = NetworkData { difficulty: Difficulty(difficulty), reward_per_block: Sats(reward) };

			// Reference, step by step, in u128 with ceilings done by hand.
			let reference = (|| {
				if pool_fee > 50 { return Err(Implausible::InvalidPoolFee) }
				let cap = capacity_ths * 1_000;
				if h > cap + (cap * 5).div_ceil(100) { return Err(Implausible::HashrateAboveCapacity) }
				if u128::from(energy) < needed - (needed * 10).div_ceil(100) { return Err(Implausible::EnergyTooLow) }
				let most = u128::from(capacity.power.get()) * u128::from(seconds) / 3_600;
				if u128::from(energy) > most { return Err(Implausible::EnergyAboveCapacity) }
				let luck = (net * 20).div_ceil(100);
				let s = u128::from(sats);
				if s < net - luck || s > net + luck { return Err(Implausible::SatsImplausible) }
				Ok(())
			})();
			prop_assert_eq!(check_output(&output, &capacity, seconds, Some(&network), &tolerances), reference);
		}
	}
}

/// Network data from the Bitcoin relay, ahead of feeds and carried values.
mod bitcoin_relay {
	use super::*;
	use frame_support::traits::Hooks;
	use hashrate_primitives::RelayedNetworkData;

	fn relayed(fees: Option<u64>) -> RelayedNetworkData {
		RelayedNetworkData {
			difficulty: Difficulty(network().difficulty.0 * 2),
			subsidy: Sats(network().reward_per_block.0 / 2),
			fees: fees.map(Sats),
			first_height: 830_000,
			last_height: 830_143,
			sampled: 6,
			proven: if fees.is_some() { 6 } else { 0 },
		}
	}

	#[test]
	fn a_covered_period_with_proven_fees_is_fixed_from_bitcoin_at_once() {
		run(|| {
			RelayLive::set(true);
			let bitcoin = relayed(Some(1_000));
			relay_covers(P0, bitcoin);
			set_now(end_of(P0) + 1);
			assert_eq!(Oracle::bitcoin_network_data(P0), Some(bitcoin));
			Oracle::on_initialize(2);
			let data = bitcoin.network_data().unwrap();
			assert_eq!(data.reward_per_block, Sats(network().reward_per_block.0 / 2 + 1_000));
			assert_eq!(Oracle::network_data(P0), Some(data));
			event(Event::NetworkDataFixed {
				period: P0,
				data,
				source: NetworkSource::Bitcoin { sampled: 6 },
			});
			assert_eq!(
				LastFixed::<Test>::get(),
				Some(LastFixedNetwork { period: Some(P0), end: end_of(P0), data })
			);
			assert_noop!(
				Oracle::feed_network_data(signed(FEEDERS[0]), P0, network()),
				E::NetworkDataFixed
			);
		});
	}

	/// Without every sampled coinbase proven, the relay's difficulty stands and the reward
	/// comes from the feeds; a live relay keeps the feed window open after every feeder fed.
	#[test]
	fn unproven_fees_take_the_feeds_reward_at_the_windows_close() {
		run(|| {
			RelayLive::set(true);
			relay_covers(P0, relayed(None));
			set_now(end_of(P0) + 1);
			let fed = NetworkData {
				reward_per_block: Sats(network().reward_per_block.0 * 2),
				..network()
			};
			for feeder in FEEDERS {
				assert_ok!(Oracle::feed_network_data(signed(feeder), P0, fed));
			}
			Oracle::on_initialize(2);
			assert_eq!(Oracle::network_data(P0), None, "the relay may still prove the fees");
			set_now(end_of(P0) + WINDOW / 2);
			Oracle::on_initialize(3);
			let data = NetworkData {
				difficulty: relayed(None).difficulty,
				reward_per_block: fed.reward_per_block,
			};
			assert_eq!(Oracle::network_data(P0), Some(data));
			event(Event::NetworkDataFixed {
				period: P0,
				data,
				source: NetworkSource::BitcoinDifficulty { feeds: 3 },
			});
		});
	}

	#[test]
	fn unproven_fees_without_feeds_carry_the_last_reward() {
		run(|| {
			RelayLive::set(true);
			relay_covers(P0, relayed(None));
			set_now(end_of(P0) + WINDOW / 2);
			Oracle::on_initialize(2);
			let data = NetworkData {
				difficulty: relayed(None).difficulty,
				reward_per_block: network().reward_per_block,
			};
			assert_eq!(Oracle::network_data(P0), Some(data));
			event(Event::NetworkDataFixed {
				period: P0,
				data,
				source: NetworkSource::BitcoinDifficulty { feeds: 0 },
			});
		});
	}

	/// A relay that is not live does not hold the window open, and still comes first when
	/// it covers the period by the time it is fixed.
	#[test]
	fn a_relay_that_is_not_live_leaves_complete_feeds_in_charge_of_timing() {
		run(|| {
			let p1 = P0.next().unwrap();
			relay_covers(p1, relayed(Some(5)));
			set_now(end_of(P0) + 1);
			for feeder in FEEDERS {
				assert_ok!(Oracle::feed_network_data(signed(feeder), P0, network()));
			}
			set_now(end_of(p1) + 1);
			assert_eq!(
				Network::<Test>::get(P0).map(|fixed| fixed.source),
				Some(NetworkSource::Feeds { feeds: 3 })
			);
			for feeder in FEEDERS {
				assert_ok!(Oracle::feed_network_data(signed(feeder), p1, network()));
			}
			assert_eq!(
				Network::<Test>::get(p1).map(|fixed| fixed.source),
				Some(NetworkSource::Bitcoin { sampled: 6 })
			);
		});
	}
}
