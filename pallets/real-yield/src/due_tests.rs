//! The chain moves series on by itself (issue 18): a period owing nothing settles when it
//! becomes final, an unpaid one defaults the second after its deadline, a long backlog is
//! worked through block by block, and what a fallback call did first is dropped. Nobody calls
//! `settle` or `trigger_default` here.

use crate::{mock::*, tests::*, *};
use frame_support::{
	assert_ok,
	traits::{Get, Hooks},
	weights::Weight,
};
use polkadot_sdk::sp_core::U256;

fn idle_with(remaining: Weight) -> Weight {
	<RealYield as Hooks<u64>>::on_idle(1, remaining)
}

fn idle() -> Weight {
	idle_with(Weight::MAX)
}

fn queued() -> Vec<(u64, SeriesId)> {
	DueQueue::<Test>::iter_keys().map(|(at, series)| (at.0, series)).collect()
}

fn next_unsettled() -> PeriodIndex {
	SeriesYields::<Test>::get(SERIES).unwrap().next
}

/// Weight of one queue entry holding one series.
fn one_item() -> Weight {
	let db: frame_support::weights::RuntimeDbWeight =
		<Test as frame_system::Config>::DbWeight::get();
	hashrate_primitives::due::entry_weight(db.reads(1), db.writes(1))
		.saturating_add(RealYield::advance_weight())
}

#[test]
fn a_period_owing_nothing_settles_when_it_becomes_final() {
	run(|| {
		create_series(SERIES, FIRST, LAST, 0);
		// Nobody held the first period: it owes nothing.
		set_now(start(next(FIRST)) + 5);
		assert_ok!(mint(SERIES, ALICE, 100));
		finalize(FIRST, PH100, 1_000_000);
		let at = RealYield::now();
		let deadline = at + rules().payment_window;
		assert_eq!(queued(), vec![(at, SERIES), (deadline + 1, SERIES)]);
		idle();
		let r = record(FIRST);
		assert_eq!((r.owed, r.status), (0, PeriodStatus::Paid));
		assert_eq!(next_unsettled(), next(FIRST));
		// The deadline's entry finds it settled and goes.
		set_now(deadline + 1);
		System::reset_events();
		idle();
		assert!(events().is_empty());
		assert!(queued().is_empty());
	});
}

#[test]
fn an_unpaid_period_defaults_the_second_after_its_deadline() {
	run(|| {
		alice_holds_100();
		add_collateral(SERIES, 10_000_000);
		set_now(start(next(FIRST)) + 1);
		finalize(FIRST, PH100, 1_000_000);
		let deadline = RealYield::now() + rules().payment_window;
		// At finality it owes: recorded, not settled.
		idle();
		assert_eq!(record(FIRST).status, PeriodStatus::Open);
		set_now(deadline);
		idle();
		assert_eq!(record(FIRST).status, PeriodStatus::Open);
		set_now(deadline + 1);
		idle();
		let r = record(FIRST);
		assert_eq!((r.status, r.drawn, r.debt), (PeriodStatus::Defaulted, 1_000_000, 0));
		has_event(Event::PeriodSettled {
			series: SERIES,
			period: FIRST,
			status: PeriodStatus::Defaulted,
			distributed: r.holders_owed(),
			fee: r.fee,
		});
		assert!(claimable(ALICE) > 0);
		assert!(queued().is_empty());
	});
}

#[test]
fn a_period_paid_ahead_settles_when_the_one_before_it_does() {
	run(|| {
		alice_holds_100();
		add_collateral(SERIES, 10_000_000);
		set_now(start(next(next(FIRST))) + 1);
		finalize(next(FIRST), PH100, 1_000_000);
		assert_ok!(RealYield::deposit(signed(OPERATOR), SERIES, next(FIRST), 1_000_000));
		// FIRST final later, never paid: at its deadline both go, one defaulted, one paid.
		set_now(RealYield::now() + PERIOD);
		finalize(FIRST, PH100, 1_000_000);
		set_now(RealYield::now() + rules().payment_window + 1);
		idle();
		assert_eq!(record(FIRST).status, PeriodStatus::Defaulted);
		assert_eq!(record(next(FIRST)).status, PeriodStatus::Paid);
		assert_eq!(next_unsettled(), PeriodIndex(FIRST.0 + 2));
	});
}

#[test]
fn a_long_backlog_is_worked_through_block_by_block() {
	run(|| {
		alice_holds_100();
		add_collateral(SERIES, 100_000_000);
		// Ten periods final one after another, the facility silent; everyone's deadline
		// passed before any block had weight to spare.
		let mut period = FIRST;
		for _ in 0..10 {
			set_now(start(next(period)) + 1);
			finalize_defaulted(period);
			period = next(period);
		}
		set_now(RealYield::now() + rules().payment_window + 1);
		// Weight for one entry: its period and a full cascade (1 + 8), then the series is
		// queued again for the rest.
		idle_with(one_item());
		assert_eq!(next_unsettled(), PeriodIndex(FIRST.0 + 1 + MAX_CASCADE));
		assert!(queued().iter().any(|(at, s)| *s == SERIES && *at <= RealYield::now()));
		idle();
		assert_eq!(next_unsettled(), PeriodIndex(FIRST.0 + 10));
		assert!(
			events().iter().filter(|e| matches!(e, Event::PeriodDefaulted { .. })).count() == 10
		);
	});
}

#[test]
fn a_block_without_weight_for_an_entry_leaves_it() {
	run(|| {
		alice_holds_100();
		add_collateral(SERIES, 10_000_000);
		set_now(start(next(FIRST)) + 1);
		finalize(FIRST, PH100, 1_000_000);
		set_now(RealYield::now() + rules().payment_window + 1);
		let short = one_item().saturating_sub(Weight::from_parts(1, 0));
		assert!(idle_with(short).all_lte(short));
		assert!(PeriodYields::<Test>::get(SERIES, FIRST).is_none(), "not even touched");
		idle_with(one_item());
		assert_eq!(record(FIRST).status, PeriodStatus::Defaulted);
	});
}

#[test]
fn what_a_fallback_call_settled_is_dropped() {
	run(|| {
		alice_holds_100();
		set_now(start(next(FIRST)) + 1);
		finalize(FIRST, PH100, 1_000_000);
		let deadline = RealYield::now() + rules().payment_window;
		let owed = {
			let mut state = SeriesYields::<Test>::get(SERIES).unwrap();
			let owed = RealYield::obligation(SERIES, &mut state, FIRST).unwrap().owed;
			SeriesYields::<Test>::insert(SERIES, state);
			owed
		};
		assert_ok!(RealYield::deposit(signed(OPERATOR), SERIES, FIRST, owed));
		set_now(deadline + 1);
		System::reset_events();
		idle();
		assert!(events().is_empty(), "{:?}", events());
		assert!(queued().is_empty());
		assert_eq!(record(FIRST).status, PeriodStatus::Paid);
		assert_eq!(record(FIRST).supply_seconds, U256::from(100u64 * PERIOD));
	});
}

#[test]
fn a_chain_upgraded_from_v2_queues_what_was_due() {
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	run(|| {
		alice_holds_100();
		set_now(start(next(next(FIRST))) + 1);
		finalize(FIRST, PH100, 1_000_000);
		finalize(next(FIRST), PH100, 1_000_000);
		// One recorded, one only fixed for the facility.
		let mut state = SeriesYields::<Test>::get(SERIES).unwrap();
		RealYield::obligation(SERIES, &mut state, FIRST).unwrap();
		SeriesYields::<Test>::insert(SERIES, state);
		let due = queued();
		let _ = DueQueue::<Test>::clear(u32::MAX, None);
		StorageVersion::new(2).put::<RealYield>();
		crate::migrations::v3::MigrateV2ToV3::<Test>::on_runtime_upgrade();
		assert_eq!(queued(), due);
		assert_eq!(RealYield::on_chain_storage_version(), StorageVersion::new(3));
	});
}
