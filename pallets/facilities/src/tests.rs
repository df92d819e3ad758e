//! Unit tests: every call's success and every error it can return, the traits other pallets
//! use, genesis, and property tests of the deposit accounting. Every test ends with
//! `do_try_state` (see `mock::run`).

use crate::mock::Facilities;
use crate::{mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Inspect, InspectHold, Mutate},
		Hooks,
	},
	BoundedVec,
};
use hashrate_primitives::{Hashrate, Power};
use polkadot_sdk::{
	pallet_balances, sp_io,
	sp_runtime::{traits::BadOrigin, BuildStorage, DispatchError},
};

type E = Error<Test>;

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::FacilityDeposit.into(), &who)
}

fn record(facility: FacilityId) -> FacilityOf<Test> {
	Facilities::facility(facility).expect("facility exists")
}

fn event(event: Event<Test>) {
	System::assert_has_event(event.into());
}

fn last(event: Event<Test>) {
	System::assert_last_event(event.into());
}

/// Registers [`site`] and [`profile`] for `who`.
fn register(who: AccountId) -> FacilityId {
	let id = NextFacilityId::<Test>::get();
	assert_ok!(Facilities::register(signed(who), site(), profile()));
	id
}

/// Registers and approves.
fn active(who: AccountId) -> FacilityId {
	let id = register(who);
	assert_ok!(Facilities::approve(root(), id));
	id
}

/// `operator` offers `key` the role of reporter key of `facility` and the key accepts.
fn add_key(operator: AccountId, facility: FacilityId, key: AccountId) {
	assert_ok!(Facilities::add_reporter(signed(operator), facility, key));
	assert_ok!(Facilities::accept_reporter(signed(key), facility));
}

fn text<const N: u32>(text: &str) -> BoundedVec<u8, frame_support::traits::ConstU32<N>> {
	BoundedVec::truncate_from(text.as_bytes().to_vec())
}

/// [`site`] at `ths` TH/s declared capacity with fleet and power to match (15 J/TH).
fn site_of(ths: u128) -> SiteSpec {
	let units = u32::try_from(ths.div_ceil(200)).unwrap();
	SiteSpec {
		power_capacity: Power(u64::try_from(ths * 15 / 1000 + 1).unwrap()),
		hashrate_capacity: Hashrate::from_ths(ths).unwrap(),
		fleet: vec![row("Antminer S21 XP", units, 200, 15)].try_into().unwrap(),
		..site()
	}
}

const F0: FacilityId = FacilityId(0);
const NOBODY: FacilityId = FacilityId(7);

// --- register ---

#[test]
fn register_holds_the_deposit_and_records_the_facility() {
	run(|| {
		let before = Balances::balance(&ALICE);
		assert_ok!(Facilities::register(signed(ALICE), site(), profile()));
		last(Event::Registered { facility: F0, operator: ALICE, deposit: SITE_DEPOSIT });
		let facility = record(F0);
		assert_eq!(facility.operator, ALICE);
		assert_eq!(facility.status, FacilityStatus::Pending);
		assert_eq!(facility.deposit, SITE_DEPOSIT);
		assert_eq!(facility.registered_at, 1);
		assert_eq!(facility.fleet.hashrate, Hashrate::from_ths(117_000).unwrap());
		assert_eq!(facility.fleet.efficiency, Efficiency::from_j_per_th(15).unwrap());
		assert_eq!(held(ALICE), SITE_DEPOSIT);
		assert_eq!(Balances::balance(&ALICE), before - SITE_DEPOSIT);
		assert_eq!(NextFacilityId::<Test>::get(), FacilityId(1));
		assert_eq!(StatusCount::<Test>::get(FacilityStatus::Pending), 1);
		// A second facility of the same operator holds on top.
		register(ALICE);
		assert_eq!(held(ALICE), 2 * SITE_DEPOSIT);
	});
}

#[test]
fn deposit_scales_with_capacity_rounding_up_to_whole_terahash() {
	run(|| {
		let mut site = site();
		site.hashrate_capacity = Hashrate(100_000_001); // 100,000.001 TH/s
		assert_eq!(Facilities::required_deposit(&site), Ok(DEPOSIT_BASE + 100_001));
		site.hashrate_capacity = Hashrate(1);
		assert_eq!(Facilities::required_deposit(&site), Ok(DEPOSIT_BASE + 1));
	});
}

#[test]
fn register_needs_a_signed_origin() {
	run(|| {
		assert_noop!(Facilities::register(root(), site(), profile()), BadOrigin);
		assert_noop!(Facilities::register(RuntimeOrigin::none(), site(), profile()), BadOrigin);
	});
}

fn assert_site_refused(site: SiteSpec, error: E) {
	assert_noop!(Facilities::register(signed(ALICE), site, profile()), error);
}

#[test]
fn register_refuses_a_bad_location() {
	run(|| {
		let mut bad = site();
		bad.location.country = *b"XX";
		assert_site_refused(bad.clone(), E::InvalidCountryCode);
		bad.location.country = *b"no";
		assert_site_refused(bad, E::InvalidCountryCode);
		for region in ["", "tx", "T-X"] {
			let mut bad = site();
			bad.location.region = Some(text(region));
			assert_site_refused(bad, E::InvalidRegionCode);
		}
		let mut no_region = site();
		no_region.location.region = None;
		assert_ok!(Facilities::register(signed(ALICE), no_region, profile()));
	});
}

#[test]
fn register_refuses_zero_capacities_and_empty_or_oversized_fleets() {
	run(|| {
		let mut bad = site();
		bad.hashrate_capacity = Hashrate::ZERO;
		assert_site_refused(bad, E::ZeroCapacity);
		let mut bad = site();
		bad.power_capacity = Power::ZERO;
		assert_site_refused(bad, E::ZeroCapacity);
		let mut bad = site();
		bad.fleet = Default::default();
		assert_site_refused(bad, E::EmptyFleet);
		let mut bad = site();
		bad.fleet = (0..5)
			.map(|_| row("Antminer S21", 100, 200, 17))
			.collect::<Vec<_>>()
			.try_into()
			.unwrap();
		assert_site_refused(bad, E::TooManyFleetRows);
	});
}

#[test]
fn register_refuses_bad_fleet_rows() {
	run(|| {
		for bad_row in [
			row("", 500, 234, 15),
			row("Antminer S21 Pro", 0, 234, 15),
			row("Antminer S21 Pro", 500, 0, 15),
		] {
			let mut bad = site();
			bad.fleet = vec![bad_row].try_into().unwrap();
			assert_site_refused(bad, E::InvalidFleetRow);
		}
		// 8 J/TH is better than the 9 J/TH the mock allows.
		let mut bad = site();
		bad.fleet = vec![row("Miracle Miner", 500, 234, 8)].try_into().unwrap();
		assert_site_refused(bad, E::ImplausibleEfficiency);
	});
}

#[test]
fn register_refuses_capacity_the_fleet_or_the_power_cannot_deliver() {
	run(|| {
		// The fleet hashes 117 PH/s.
		let mut bad = site();
		bad.hashrate_capacity = Hashrate::from_ths(117_001).unwrap();
		assert_site_refused(bad, E::CapacityExceedsFleet);
		// 115 PH/s at 15 J/TH draws 1,725 kW.
		let mut bad = site();
		bad.power_capacity = Power(1_724);
		assert_site_refused(bad, E::InsufficientPowerCapacity);
		let mut exact = site();
		exact.power_capacity = Power(1_725);
		assert_ok!(Facilities::register(signed(ALICE), exact, profile()));
		// Mixed fleets use the hashrate-weighted efficiency: 100 x 200 TH/s at 15 J/TH and
		// 100 x 100 TH/s at 30 J/TH = 30 PH/s drawing 600 kW, i.e. 20 J/TH.
		let mixed = SiteSpec {
			power_capacity: Power(600),
			hashrate_capacity: Hashrate::from_ths(30_000).unwrap(),
			fleet: vec![row("Antminer S21 XP", 100, 200, 15), row("Antminer S19", 100, 100, 30)]
				.try_into()
				.unwrap(),
			..site()
		};
		assert_ok!(Facilities::register(signed(BOB), mixed.clone(), profile()));
		assert_eq!(record(FacilityId(1)).fleet.efficiency, Efficiency::from_j_per_th(20).unwrap());
		let mut short = mixed;
		short.power_capacity = Power(599);
		assert_site_refused(short, E::InsufficientPowerCapacity);
	});
}

#[test]
fn register_refuses_overflowing_values() {
	run(|| {
		let mut bad = site();
		bad.fleet = vec![FleetRow {
			model: text("Overflow"),
			units: u32::MAX,
			hashrate_per_unit: Hashrate(u128::MAX),
			efficiency: Efficiency(15_000),
		}]
		.try_into()
		.unwrap();
		assert_site_refused(bad, E::Overflow);
		// A capacity whose deposit does not fit the balance type.
		let huge = Hashrate(1u128 << 90);
		let bad = SiteSpec {
			power_capacity: Power(u64::MAX),
			hashrate_capacity: huge,
			fleet: vec![FleetRow {
				model: text("Huge"),
				units: 1,
				hashrate_per_unit: huge,
				efficiency: Efficiency(9_000),
			}]
			.try_into()
			.unwrap(),
			..site()
		};
		assert_site_refused(bad, E::Overflow);
	});
}

fn assert_profile_refused(profile: Profile, error: E) {
	assert_noop!(Facilities::register(signed(ALICE), site(), profile), error);
}

#[test]
fn register_refuses_a_bad_profile() {
	run(|| {
		for name in [&b""[..], b"   ", b"\xff\xfe", b"Line\nbreak"] {
			let mut bad = profile();
			bad.name = name.to_vec().try_into().unwrap();
			assert_profile_refused(bad, E::InvalidName);
		}
		let mut bad = profile();
		bad.energy_mix[1].per_mill = 0;
		bad.energy_mix[0].per_mill = 1_000;
		assert_profile_refused(bad, E::InvalidEnergyShare);
		let mut bad = profile();
		bad.energy_mix[1].source = EnergySource::Hydro;
		assert_profile_refused(bad, E::InvalidEnergyShare);
		let mut bad = profile();
		bad.energy_mix[1].per_mill = 49;
		assert_profile_refused(bad, E::EnergyMixNotWhole);
		let mut bad = profile();
		bad.energy_mix = Default::default();
		assert_profile_refused(bad, E::EnergyMixNotWhole);
		let mut bad = profile();
		bad.documents.uri = text("https://example.com/audit report.pdf");
		assert_profile_refused(bad, E::InvalidDocumentsUri);
	});
}

#[test]
fn register_refuses_an_unaffordable_deposit() {
	run(|| {
		assert_noop!(
			Facilities::register(signed(POOR), site(), profile()),
			E::DepositNotAffordable
		);
	});
}

#[test]
fn register_refuses_when_ids_are_exhausted() {
	run(|| {
		NextFacilityId::<Test>::put(FacilityId(u32::MAX));
		assert_noop!(
			Facilities::register(signed(ALICE), site(), profile()),
			E::FacilityIdsExhausted
		);
		NextFacilityId::<Test>::put(FacilityId(0));
	});
}

// --- approve / reject ---

#[test]
fn approve_activates_a_pending_facility() {
	run(|| {
		register(ALICE);
		assert_eq!(Facilities::active_since(F0), None);
		NOW.with(|now| now.set(1_764_000_123));
		assert_ok!(Facilities::approve(root(), F0));
		last(Event::Approved { facility: F0 });
		assert_eq!(Facilities::status(F0), Some(FacilityStatus::Active));
		assert_eq!(Facilities::active_since(F0), Some(1_764_000_123));
		assert_eq!(StatusCount::<Test>::get(FacilityStatus::Pending), 0);
		assert_eq!(StatusCount::<Test>::get(FacilityStatus::Active), 1);
	});
}

#[test]
fn approve_errors() {
	run(|| {
		register(ALICE);
		assert_noop!(Facilities::approve(signed(ALICE), F0), BadOrigin);
		assert_noop!(Facilities::approve(root(), NOBODY), E::UnknownFacility);
		assert_ok!(Facilities::approve(root(), F0));
		assert_noop!(Facilities::approve(root(), F0), E::WrongStatus);
	});
}

#[test]
fn reject_releases_the_deposit_and_clears_keys_and_offers() {
	run(|| {
		register(ALICE);
		add_key(ALICE, F0, BOB);
		assert_ok!(Facilities::offer_operatorship(signed(ALICE), F0, Some(CHARLIE)));
		let before = Balances::balance(&ALICE);
		assert_ok!(Facilities::reject(root(), F0));
		last(Event::Rejected { facility: F0, released: SITE_DEPOSIT });
		event(Event::ReporterRemoved { facility: F0, reporter: BOB });
		assert_eq!(Facilities::status(F0), Some(FacilityStatus::Rejected));
		assert_eq!(Balances::balance(&ALICE), before + SITE_DEPOSIT);
		assert_eq!(held(ALICE), 0);
		assert_eq!(ReporterOf::<Test>::get(BOB), None);
		assert!(!OperatorshipOffers::<Test>::contains_key(F0));
		assert_eq!(record(F0).deposit, 0);
	});
}

#[test]
fn reject_errors() {
	run(|| {
		active(ALICE);
		assert_noop!(Facilities::reject(signed(ALICE), F0), BadOrigin);
		assert_noop!(Facilities::reject(root(), NOBODY), E::UnknownFacility);
		assert_noop!(Facilities::reject(root(), F0), E::WrongStatus);
	});
}

// --- suspend / resume ---

#[test]
fn suspend_and_resume() {
	run(|| {
		active(ALICE);
		assert_ok!(Facilities::suspend(root(), F0, SuspensionReason::Fraud));
		last(Event::Suspended { facility: F0, reason: SuspensionReason::Fraud });
		assert_eq!(record(F0).status, FacilityStatus::Suspended);
		assert_eq!(record(F0).suspension, Some(SuspensionReason::Fraud));
		// A suspended facility still reports.
		assert!(Facilities::may_report(F0, &ALICE));
		assert_ok!(Facilities::resume(root(), F0));
		last(Event::Resumed { facility: F0 });
		assert_eq!(record(F0).status, FacilityStatus::Active);
		assert_eq!(record(F0).suspension, None);
	});
}

#[test]
fn suspend_errors() {
	run(|| {
		register(ALICE);
		assert_noop!(
			Facilities::suspend(signed(ALICE), F0, SuspensionReason::Governance),
			BadOrigin
		);
		assert_noop!(
			Facilities::suspend(root(), NOBODY, SuspensionReason::Governance),
			E::UnknownFacility
		);
		assert_noop!(Facilities::suspend(root(), F0, SuspensionReason::Governance), E::WrongStatus);
		assert_ok!(Facilities::approve(root(), F0));
		assert_ok!(Facilities::suspend(root(), F0, SuspensionReason::Governance));
		assert_noop!(Facilities::suspend(root(), F0, SuspensionReason::Fraud), E::WrongStatus);
	});
}

#[test]
fn resume_errors() {
	run(|| {
		active(ALICE);
		assert_noop!(Facilities::resume(signed(ALICE), F0), BadOrigin);
		assert_noop!(Facilities::resume(root(), NOBODY), E::UnknownFacility);
		assert_noop!(Facilities::resume(root(), F0), E::WrongStatus);
	});
}

// --- retire / complete_retirement ---

#[test]
fn retire_without_obligations_retires_at_once() {
	run(|| {
		active(ALICE);
		add_key(ALICE, F0, BOB);
		let before = Balances::balance(&ALICE);
		assert_ok!(Facilities::retire(signed(ALICE), F0));
		event(Event::RetirementStarted { facility: F0 });
		event(Event::ReporterRemoved { facility: F0, reporter: BOB });
		last(Event::Retired { facility: F0, released: SITE_DEPOSIT });
		assert_eq!(record(F0).status, FacilityStatus::Retired);
		assert_eq!(Balances::balance(&ALICE), before + SITE_DEPOSIT);
		assert!(!Facilities::may_report(F0, &ALICE));
		assert!(!Facilities::is_reporter(F0, &BOB));
	});
}

#[test]
fn a_pending_facility_may_withdraw() {
	run(|| {
		register(ALICE);
		assert_ok!(Facilities::retire(signed(ALICE), F0));
		assert_eq!(record(F0).status, FacilityStatus::Retired);
		assert_eq!(held(ALICE), 0);
	});
}

#[test]
fn retire_with_obligations_waits_for_them() {
	run(|| {
		active(ALICE);
		assert_ok!(Facilities::add_obligation(F0));
		assert_ok!(Facilities::add_obligation(F0));
		assert_ok!(Facilities::retire(signed(ALICE), F0));
		last(Event::RetirementStarted { facility: F0 });
		assert_eq!(record(F0).status, FacilityStatus::Retiring);
		assert_eq!(held(ALICE), SITE_DEPOSIT);
		// Still reports and still owes: a period of a live series may add an obligation.
		assert!(Facilities::may_report(F0, &ALICE));
		assert!(!FacilityStatus::Retiring.may_issue());
		assert_ok!(Facilities::add_obligation(F0));
		assert_ok!(Facilities::release_obligation(F0));
		assert_noop!(Facilities::complete_retirement(signed(BOB), F0), E::LiveObligations);
		assert_ok!(Facilities::release_obligation(F0));
		assert_noop!(Facilities::complete_retirement(signed(BOB), F0), E::LiveObligations);
		assert_ok!(Facilities::release_obligation(F0));
		// Anyone may complete it; the deposit goes to the operator.
		assert_ok!(Facilities::complete_retirement(signed(BOB), F0));
		last(Event::Retired { facility: F0, released: SITE_DEPOSIT });
		assert_eq!(held(ALICE), 0);
		assert_eq!(record(F0).status, FacilityStatus::Retired);
	});
}

#[test]
fn retire_errors() {
	run(|| {
		active(ALICE);
		assert_noop!(Facilities::retire(root(), F0), BadOrigin);
		assert_noop!(Facilities::retire(signed(ALICE), NOBODY), E::UnknownFacility);
		assert_noop!(Facilities::retire(signed(BOB), F0), E::NotOperator);
		assert_ok!(Facilities::suspend(root(), F0, SuspensionReason::Fraud));
		assert_noop!(Facilities::retire(signed(ALICE), F0), E::WrongStatus);
		assert_ok!(Facilities::resume(root(), F0));
		assert_ok!(Facilities::add_obligation(F0));
		assert_ok!(Facilities::retire(signed(ALICE), F0));
		assert_noop!(Facilities::retire(signed(ALICE), F0), E::WrongStatus);
		assert_ok!(Facilities::release_obligation(F0));
	});
}

#[test]
fn complete_retirement_errors() {
	run(|| {
		active(ALICE);
		assert_noop!(Facilities::complete_retirement(root(), F0), BadOrigin);
		assert_noop!(Facilities::complete_retirement(signed(BOB), NOBODY), E::UnknownFacility);
		assert_noop!(Facilities::complete_retirement(signed(BOB), F0), E::WrongStatus);
	});
}

/// The chain completes retirements by itself in `on_idle`; `complete_retirement` is the
/// fallback.
mod retirements_due {
	use super::*;
	use frame_support::{traits::Get, weights::Weight};

	fn idle(remaining: Weight) -> Weight {
		<Facilities as Hooks<u64>>::on_idle(1, remaining)
	}

	fn queued() -> Vec<(u64, FacilityId)> {
		RetirementsDue::<Test>::iter_keys().map(|(at, facility)| (at.0, facility)).collect()
	}

	fn one_item() -> Weight {
		let db: frame_support::weights::RuntimeDbWeight =
			<Test as frame_system::Config>::DbWeight::get();
		hashrate_primitives::due::entry_weight(db.reads(1), db.writes(1))
			.saturating_add(<() as WeightInfo>::complete_retirement())
	}

	#[test]
	fn the_chain_retires_a_facility_once_its_last_obligation_goes() {
		run(|| {
			let operator_before = Balances::balance(&ALICE);
			active(ALICE);
			add_key(ALICE, F0, BOB);
			assert_ok!(Facilities::add_obligation(F0));
			assert_ok!(Facilities::retire(signed(ALICE), F0));
			// Nothing is due while an obligation is live.
			assert!(queued().is_empty());
			idle(Weight::MAX);
			assert_eq!(record(F0).status, FacilityStatus::Retiring);

			let now = NOW.with(|now| now.get());
			assert_ok!(Facilities::release_obligation(F0));
			assert_eq!(queued(), vec![(now, F0)]);
			let used = idle(Weight::MAX);
			assert!(used.all_gte(one_item()), "weighed as complete_retirement: {used:?}");
			event(Event::ReporterRemoved { facility: F0, reporter: BOB });
			event(Event::Retired { facility: F0, released: SITE_DEPOSIT });
			assert_eq!(record(F0).status, FacilityStatus::Retired);
			assert_eq!(held(ALICE), 0);
			assert_eq!(Balances::balance(&ALICE), operator_before);
			assert!(queued().is_empty());
		});
	}

	#[test]
	fn a_retirement_waits_for_a_block_with_weight_left() {
		run(|| {
			active(ALICE);
			assert_ok!(Facilities::add_obligation(F0));
			assert_ok!(Facilities::retire(signed(ALICE), F0));
			assert_ok!(Facilities::release_obligation(F0));
			let short = one_item().saturating_sub(Weight::from_parts(1, 0));
			assert!(idle(short).all_lte(short));
			assert_eq!(record(F0).status, FacilityStatus::Retiring);
			assert_eq!(queued().len(), 1);
			idle(one_item());
			assert_eq!(record(F0).status, FacilityStatus::Retired);
		});
	}

	#[test]
	fn oldest_first() {
		run(|| {
			active(ALICE);
			active(BOB);
			let f1 = FacilityId(1);
			for facility in [F0, f1] {
				assert_ok!(Facilities::add_obligation(facility));
			}
			assert_ok!(Facilities::retire(signed(ALICE), F0));
			assert_ok!(Facilities::retire(signed(BOB), f1));
			assert_ok!(Facilities::release_obligation(f1));
			NOW.with(|now| now.set(now.get() + 10));
			assert_ok!(Facilities::release_obligation(F0));
			// Room for one: the facility whose obligations went first retires first.
			idle(one_item());
			assert_eq!(
				(record(f1).status, record(F0).status),
				(FacilityStatus::Retired, FacilityStatus::Retiring)
			);
			idle(one_item());
			assert_eq!(record(F0).status, FacilityStatus::Retired);
		});
	}

	#[test]
	fn an_entry_the_fallback_handled_is_dropped() {
		run(|| {
			active(ALICE);
			assert_ok!(Facilities::add_obligation(F0));
			assert_ok!(Facilities::retire(signed(ALICE), F0));
			assert_ok!(Facilities::release_obligation(F0));
			assert_ok!(Facilities::complete_retirement(signed(BOB), F0));
			System::reset_events();
			idle(Weight::MAX);
			assert!(queued().is_empty());
			assert!(System::events().is_empty(), "retired once");
			assert_eq!(record(F0).status, FacilityStatus::Retired);
		});
	}

	#[test]
	fn a_chain_upgraded_from_v1_queues_its_waiting_retirements() {
		use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
		run(|| {
			active(ALICE);
			assert_ok!(Facilities::add_obligation(F0));
			assert_ok!(Facilities::retire(signed(ALICE), F0));
			assert_ok!(Facilities::release_obligation(F0));
			let due = queued();
			let _ = RetirementsDue::<Test>::clear(u32::MAX, None);
			StorageVersion::new(1).put::<Facilities>();
			crate::migrations::v2::MigrateV1ToV2::<Test>::on_runtime_upgrade();
			assert_eq!(queued(), due);
			assert_eq!(due.len(), 1);
			assert_eq!(Facilities::on_chain_storage_version(), StorageVersion::new(2));
		});
	}

	#[test]
	fn an_obligation_taken_again_waits_for_its_release() {
		run(|| {
			active(ALICE);
			assert_ok!(Facilities::add_obligation(F0));
			assert_ok!(Facilities::retire(signed(ALICE), F0));
			assert_ok!(Facilities::release_obligation(F0));
			// A retiring facility may still take one (a period of a live series defaults).
			assert_ok!(Facilities::add_obligation(F0));
			idle(Weight::MAX);
			assert_eq!(record(F0).status, FacilityStatus::Retiring);
			assert!(queued().is_empty());
			assert_ok!(Facilities::release_obligation(F0));
			idle(Weight::MAX);
			assert_eq!(record(F0).status, FacilityStatus::Retired);
		});
	}
}

// --- site changes ---

#[test]
fn a_pending_facility_changes_its_site_at_once() {
	run(|| {
		register(ALICE);
		assert_ok!(Facilities::propose_site_change(signed(ALICE), F0, site_of(200_000)));
		let deposit = DEPOSIT_BASE + 200_000 * DEPOSIT_PER_TH;
		last(Event::SiteUpdated { facility: F0, deposit });
		assert_eq!(held(ALICE), deposit);
		assert_eq!(record(F0).site, site_of(200_000));
		// Smaller: the excess is released.
		assert_ok!(Facilities::propose_site_change(signed(ALICE), F0, site_of(50_000)));
		assert_eq!(held(ALICE), DEPOSIT_BASE + 50_000 * DEPOSIT_PER_TH);
		assert_eq!(record(F0).deposit, held(ALICE));
		assert!(!PendingSiteChanges::<Test>::contains_key(F0));
	});
}

#[test]
fn an_active_facility_changes_its_site_only_after_approval() {
	run(|| {
		active(ALICE);
		assert_ok!(Facilities::propose_site_change(signed(ALICE), F0, site_of(200_000)));
		let extra = 85_000 * DEPOSIT_PER_TH;
		last(Event::SiteChangeProposed { facility: F0, extra_deposit: extra });
		// Nothing changes for other pallets until approval, but the extra deposit is held.
		assert_eq!(Facilities::hashrate_capacity(F0), Some(Hashrate::from_ths(115_000).unwrap()));
		assert_eq!(held(ALICE), SITE_DEPOSIT + extra);
		// A new proposal replaces the old one and its extra deposit.
		assert_ok!(Facilities::propose_site_change(signed(ALICE), F0, site_of(150_000)));
		assert_eq!(held(ALICE), SITE_DEPOSIT + 35_000 * DEPOSIT_PER_TH);
		assert_ok!(Facilities::approve_site_change(root(), F0));
		last(Event::SiteChangeApproved { facility: F0, released: 0 });
		assert_eq!(Facilities::hashrate_capacity(F0), Some(Hashrate::from_ths(150_000).unwrap()));
		assert_eq!(Facilities::power_capacity(F0), Some(site_of(150_000).power_capacity));
		assert_eq!(record(F0).deposit, DEPOSIT_BASE + 150_000 * DEPOSIT_PER_TH);
	});
}

#[test]
fn approving_a_smaller_site_releases_the_excess_deposit() {
	run(|| {
		active(ALICE);
		assert_ok!(Facilities::propose_site_change(signed(ALICE), F0, site_of(15_000)));
		last(Event::SiteChangeProposed { facility: F0, extra_deposit: 0 });
		assert_eq!(held(ALICE), SITE_DEPOSIT);
		assert_ok!(Facilities::approve_site_change(root(), F0));
		last(Event::SiteChangeApproved { facility: F0, released: 100_000 * DEPOSIT_PER_TH });
		assert_eq!(held(ALICE), DEPOSIT_BASE + 15_000 * DEPOSIT_PER_TH);
	});
}

#[test]
fn rejecting_or_cancelling_a_site_change_releases_its_extra_deposit() {
	run(|| {
		active(ALICE);
		assert_ok!(Facilities::propose_site_change(signed(ALICE), F0, site_of(200_000)));
		assert_ok!(Facilities::reject_site_change(root(), F0));
		last(Event::SiteChangeRejected { facility: F0, released: 85_000 * DEPOSIT_PER_TH });
		assert_eq!(held(ALICE), SITE_DEPOSIT);
		assert_eq!(record(F0).site, site());
		assert_ok!(Facilities::propose_site_change(signed(ALICE), F0, site_of(120_000)));
		assert_ok!(Facilities::cancel_site_change(signed(ALICE), F0));
		last(Event::SiteChangeCancelled { facility: F0, released: 5_000 * DEPOSIT_PER_TH });
		assert_eq!(held(ALICE), SITE_DEPOSIT);
		assert!(!PendingSiteChanges::<Test>::contains_key(F0));
	});
}

#[test]
fn a_suspended_facility_may_propose_a_site_change() {
	run(|| {
		active(ALICE);
		assert_ok!(Facilities::suspend(root(), F0, SuspensionReason::Governance));
		assert_ok!(Facilities::propose_site_change(signed(ALICE), F0, site_of(100_000)));
		assert!(PendingSiteChanges::<Test>::contains_key(F0));
	});
}

#[test]
fn propose_site_change_errors() {
	run(|| {
		active(ALICE);
		assert_noop!(Facilities::propose_site_change(root(), F0, site()), BadOrigin);
		assert_noop!(
			Facilities::propose_site_change(signed(ALICE), NOBODY, site()),
			E::UnknownFacility
		);
		assert_noop!(Facilities::propose_site_change(signed(BOB), F0, site()), E::NotOperator);
		let mut bad = site();
		bad.power_capacity = Power(1);
		assert_noop!(
			Facilities::propose_site_change(signed(ALICE), F0, bad),
			E::InsufficientPowerCapacity
		);
		// POOR cannot pay the extra deposit of a bigger site: give it a small facility first.
		let small = site_of(1);
		let required = Facilities::required_deposit(&small).unwrap();
		let _ = Balances::mint_into(&POOR, required);
		assert_ok!(Facilities::register(signed(POOR), small, profile()));
		assert_ok!(Facilities::approve(root(), FacilityId(1)));
		assert_noop!(
			Facilities::propose_site_change(signed(POOR), FacilityId(1), site_of(200_000)),
			E::DepositNotAffordable
		);
		assert_ok!(Facilities::add_obligation(F0));
		assert_ok!(Facilities::retire(signed(ALICE), F0));
		assert_noop!(Facilities::propose_site_change(signed(ALICE), F0, site()), E::WrongStatus);
		assert_ok!(Facilities::release_obligation(F0));
	});
}

#[test]
fn approve_and_reject_site_change_errors() {
	run(|| {
		active(ALICE);
		assert_ok!(Facilities::propose_site_change(signed(ALICE), F0, site_of(100_000)));
		assert_noop!(Facilities::approve_site_change(signed(ALICE), F0), BadOrigin);
		assert_noop!(Facilities::reject_site_change(signed(ALICE), F0), BadOrigin);
		assert_noop!(Facilities::approve_site_change(root(), NOBODY), E::UnknownFacility);
		assert_noop!(Facilities::reject_site_change(root(), NOBODY), E::UnknownFacility);
		assert_ok!(Facilities::approve_site_change(root(), F0));
		assert_noop!(Facilities::approve_site_change(root(), F0), E::NoSiteChange);
		assert_noop!(Facilities::reject_site_change(root(), F0), E::NoSiteChange);
	});
}

#[test]
fn cancel_site_change_errors() {
	run(|| {
		active(ALICE);
		assert_noop!(Facilities::cancel_site_change(root(), F0), BadOrigin);
		assert_noop!(Facilities::cancel_site_change(signed(ALICE), NOBODY), E::UnknownFacility);
		assert_ok!(Facilities::propose_site_change(signed(ALICE), F0, site_of(100_000)));
		assert_noop!(Facilities::cancel_site_change(signed(BOB), F0), E::NotOperator);
		assert_ok!(Facilities::cancel_site_change(signed(ALICE), F0));
		assert_noop!(Facilities::cancel_site_change(signed(ALICE), F0), E::NoSiteChange);
	});
}

// --- profile ---

#[test]
fn update_profile_applies_at_once() {
	run(|| {
		active(ALICE);
		let mut new = profile();
		new.name = text("Nordic Hydro Hashing II");
		new.pool.pool = text("Braiins Pool");
		assert_ok!(Facilities::update_profile(signed(ALICE), F0, new.clone()));
		last(Event::ProfileUpdated { facility: F0 });
		assert_eq!(record(F0).profile, new);
	});
}

#[test]
fn update_profile_errors() {
	run(|| {
		active(ALICE);
		assert_noop!(Facilities::update_profile(root(), F0, profile()), BadOrigin);
		assert_noop!(
			Facilities::update_profile(signed(ALICE), NOBODY, profile()),
			E::UnknownFacility
		);
		assert_noop!(Facilities::update_profile(signed(BOB), F0, profile()), E::NotOperator);
		let mut bad = profile();
		bad.energy_mix[0].per_mill = 900;
		assert_noop!(Facilities::update_profile(signed(ALICE), F0, bad), E::EnergyMixNotWhole);
		assert_ok!(Facilities::retire(signed(ALICE), F0));
		assert_noop!(Facilities::update_profile(signed(ALICE), F0, profile()), E::WrongStatus);
	});
}

// --- reporter keys ---

#[test]
fn add_and_remove_reporters() {
	run(|| {
		active(ALICE);
		add_key(ALICE, F0, BOB);
		last(Event::ReporterAdded { facility: F0, reporter: BOB });
		assert!(Facilities::is_reporter(F0, &BOB));
		assert!(Facilities::may_report(F0, &BOB));
		assert!(Facilities::may_report(F0, &ALICE));
		assert!(!Facilities::is_reporter(F0, &ALICE));
		assert!(!Facilities::may_report(F0, &CHARLIE));
		assert_ok!(Facilities::remove_reporter(signed(ALICE), F0, BOB));
		last(Event::ReporterRemoved { facility: F0, reporter: BOB });
		assert!(!Facilities::is_reporter(F0, &BOB));
		assert_eq!(ReporterOf::<Test>::get(BOB), None);
		// A pending facility may set up its keys before approval (it reports only once active).
		register(CHARLIE);
		add_key(CHARLIE, FacilityId(1), DAVE);
		assert!(!Facilities::may_report(FacilityId(1), &DAVE));
	});
}

#[test]
fn add_reporter_errors() {
	run(|| {
		active(ALICE);
		active(CHARLIE);
		assert_noop!(Facilities::add_reporter(root(), F0, BOB), BadOrigin);
		assert_noop!(Facilities::add_reporter(signed(ALICE), NOBODY, BOB), E::UnknownFacility);
		assert_noop!(Facilities::add_reporter(signed(BOB), F0, BOB), E::NotOperator);
		assert_noop!(Facilities::add_reporter(signed(ALICE), F0, ALICE), E::ReporterIsOperator);
		assert_ok!(Facilities::add_reporter(signed(ALICE), F0, BOB));
		// Offered twice, or a key already.
		assert_noop!(Facilities::add_reporter(signed(ALICE), F0, BOB), E::DuplicateReporter);
		assert_ok!(Facilities::accept_reporter(signed(BOB), F0));
		assert_noop!(Facilities::add_reporter(signed(ALICE), F0, BOB), E::DuplicateReporter);
		assert_noop!(
			Facilities::add_reporter(signed(CHARLIE), FacilityId(1), BOB),
			E::ReporterInUse
		);
		add_key(ALICE, F0, 10);
		add_key(ALICE, F0, 11);
		assert_noop!(Facilities::add_reporter(signed(ALICE), F0, 12), E::TooManyReporters);
		// Open offers are bounded too.
		for key in [20, 21, 22] {
			assert_ok!(Facilities::add_reporter(signed(CHARLIE), FacilityId(1), key));
		}
		assert_noop!(
			Facilities::add_reporter(signed(CHARLIE), FacilityId(1), 23),
			E::TooManyReporters
		);
		assert_ok!(Facilities::retire(signed(CHARLIE), FacilityId(1)));
		assert_noop!(Facilities::add_reporter(signed(CHARLIE), FacilityId(1), 13), E::WrongStatus);
	});
}

mod reporter_keys_accept {
	use super::*;

	#[test]
	fn a_key_reports_only_once_it_accepts() {
		run(|| {
			active(ALICE);
			assert_ok!(Facilities::add_reporter(signed(ALICE), F0, BOB));
			last(Event::ReporterOffered { facility: F0, reporter: BOB });
			assert!(!Facilities::is_reporter(F0, &BOB));
			assert_eq!(ReporterOffers::<Test>::get(F0).to_vec(), vec![BOB]);
			assert_ok!(Facilities::accept_reporter(signed(BOB), F0));
			last(Event::ReporterAdded { facility: F0, reporter: BOB });
			assert!(Facilities::is_reporter(F0, &BOB));
			assert!(!ReporterOffers::<Test>::contains_key(F0));
		});
	}

	#[test]
	fn an_offer_is_withdrawn_or_goes_with_retirement() {
		run(|| {
			active(ALICE);
			assert_ok!(Facilities::add_reporter(signed(ALICE), F0, BOB));
			assert_ok!(Facilities::remove_reporter(signed(ALICE), F0, BOB));
			last(Event::ReporterOfferWithdrawn { facility: F0, reporter: BOB });
			assert_noop!(Facilities::accept_reporter(signed(BOB), F0), E::NoReporterOffer);
			assert_ok!(Facilities::add_reporter(signed(ALICE), F0, BOB));
			// Without obligations it retires at once.
			assert_ok!(Facilities::retire(signed(ALICE), F0));
			assert!(!ReporterOffers::<Test>::contains_key(F0));
			assert_noop!(Facilities::accept_reporter(signed(BOB), F0), E::NoReporterOffer);
		});
	}

	#[test]
	fn accept_reporter_errors() {
		run(|| {
			active(ALICE);
			active(CHARLIE);
			assert_noop!(Facilities::accept_reporter(root(), F0), BadOrigin);
			assert_noop!(Facilities::accept_reporter(signed(BOB), NOBODY), E::UnknownFacility);
			assert_noop!(Facilities::accept_reporter(signed(BOB), F0), E::NoReporterOffer);
			// Offered by two facilities: the first accepted takes it.
			assert_ok!(Facilities::add_reporter(signed(ALICE), F0, BOB));
			assert_ok!(Facilities::add_reporter(signed(CHARLIE), FacilityId(1), BOB));
			assert_ok!(Facilities::accept_reporter(signed(BOB), FacilityId(1)));
			assert_noop!(Facilities::accept_reporter(signed(BOB), F0), E::ReporterInUse);
			// The slots filled since the offer.
			assert_ok!(Facilities::add_reporter(signed(ALICE), F0, 30));
			add_key(ALICE, F0, 10);
			add_key(ALICE, F0, 11);
			add_key(ALICE, F0, 12);
			assert_noop!(Facilities::accept_reporter(signed(30), F0), E::TooManyReporters);
		});
	}
}

mod attestors_do_not_operate {
	use super::*;

	#[test]
	fn operatorship_is_not_offered_to_an_attestor() {
		run(|| {
			active(ALICE);
			assert_noop!(
				Facilities::offer_operatorship(signed(ALICE), F0, Some(ATTESTOR)),
				E::OfferedToAttestor
			);
		});
	}

	#[test]
	fn an_offeree_that_became_an_attestor_cannot_accept() {
		run(|| {
			active(ALICE);
			// Offered while not an attestor (written directly: the mock's set is fixed).
			OperatorshipOffers::<Test>::insert(F0, ATTESTOR);
			assert_noop!(
				Facilities::accept_operatorship(signed(ATTESTOR), F0),
				E::OfferedToAttestor
			);
		});
	}
}

#[test]
fn remove_reporter_errors() {
	run(|| {
		active(ALICE);
		add_key(ALICE, F0, BOB);
		assert_noop!(Facilities::remove_reporter(root(), F0, BOB), BadOrigin);
		assert_noop!(Facilities::remove_reporter(signed(ALICE), NOBODY, BOB), E::UnknownFacility);
		assert_noop!(Facilities::remove_reporter(signed(BOB), F0, BOB), E::NotOperator);
		assert_noop!(Facilities::remove_reporter(signed(ALICE), F0, CHARLIE), E::NotAReporter);
		assert_ok!(Facilities::retire(signed(ALICE), F0));
		assert_noop!(Facilities::remove_reporter(signed(ALICE), F0, BOB), E::WrongStatus);
	});
}

// --- operatorship ---

#[test]
fn operatorship_moves_in_two_steps_with_the_deposit() {
	run(|| {
		active(ALICE);
		add_key(ALICE, F0, BOB);
		assert_ok!(Facilities::offer_operatorship(signed(ALICE), F0, Some(BOB)));
		last(Event::OperatorshipOffered { facility: F0, to: BOB });
		// Nothing moved yet.
		assert_eq!(Facilities::operator(F0), Some(ALICE));
		let (alice, bob) = (Balances::balance(&ALICE), Balances::balance(&BOB));
		assert_ok!(Facilities::accept_operatorship(signed(BOB), F0));
		last(Event::OperatorshipTransferred {
			facility: F0,
			from: ALICE,
			to: BOB,
			deposit: SITE_DEPOSIT,
		});
		event(Event::ReporterRemoved { facility: F0, reporter: BOB });
		assert_eq!(Facilities::operator(F0), Some(BOB));
		assert_eq!(Balances::balance(&ALICE), alice + SITE_DEPOSIT);
		assert_eq!(Balances::balance(&BOB), bob - SITE_DEPOSIT);
		assert_eq!((held(ALICE), held(BOB)), (0, SITE_DEPOSIT));
		assert!(!Facilities::is_reporter(F0, &BOB));
		assert!(!OperatorshipOffers::<Test>::contains_key(F0));
		// The old operator lost its rights.
		assert_noop!(Facilities::retire(signed(ALICE), F0), E::NotOperator);
	});
}

#[test]
fn an_offer_can_be_replaced_or_withdrawn() {
	run(|| {
		active(ALICE);
		assert_ok!(Facilities::offer_operatorship(signed(ALICE), F0, Some(BOB)));
		assert_ok!(Facilities::offer_operatorship(signed(ALICE), F0, Some(CHARLIE)));
		assert_noop!(Facilities::accept_operatorship(signed(BOB), F0), E::NoOperatorshipOffer);
		assert_ok!(Facilities::offer_operatorship(signed(ALICE), F0, None));
		last(Event::OperatorshipOfferWithdrawn { facility: F0 });
		assert_noop!(Facilities::accept_operatorship(signed(CHARLIE), F0), E::NoOperatorshipOffer);
	});
}

#[test]
fn offer_operatorship_errors() {
	run(|| {
		active(ALICE);
		assert_noop!(Facilities::offer_operatorship(root(), F0, Some(BOB)), BadOrigin);
		assert_noop!(
			Facilities::offer_operatorship(signed(ALICE), NOBODY, Some(BOB)),
			E::UnknownFacility
		);
		assert_noop!(Facilities::offer_operatorship(signed(BOB), F0, Some(BOB)), E::NotOperator);
		assert_noop!(
			Facilities::offer_operatorship(signed(ALICE), F0, Some(ALICE)),
			E::AlreadyOperator
		);
		assert_noop!(
			Facilities::offer_operatorship(signed(ALICE), F0, None),
			E::NoOperatorshipOffer
		);
		assert_ok!(Facilities::retire(signed(ALICE), F0));
		assert_noop!(Facilities::offer_operatorship(signed(ALICE), F0, Some(BOB)), E::WrongStatus);
	});
}

#[test]
fn accept_operatorship_errors() {
	run(|| {
		active(ALICE);
		assert_noop!(Facilities::accept_operatorship(root(), F0), BadOrigin);
		assert_noop!(Facilities::accept_operatorship(signed(BOB), NOBODY), E::UnknownFacility);
		assert_noop!(Facilities::accept_operatorship(signed(BOB), F0), E::NoOperatorshipOffer);
		assert_ok!(Facilities::offer_operatorship(signed(ALICE), F0, Some(POOR)));
		assert_noop!(Facilities::accept_operatorship(signed(POOR), F0), E::DepositNotAffordable);
		assert_ok!(Facilities::offer_operatorship(signed(ALICE), F0, Some(BOB)));
		assert_ok!(Facilities::propose_site_change(signed(ALICE), F0, site_of(100_000)));
		assert_noop!(Facilities::accept_operatorship(signed(BOB), F0), E::SiteChangePending);
		// Retiring withdraws the offer.
		assert_ok!(Facilities::retire(signed(ALICE), F0));
		assert_noop!(Facilities::accept_operatorship(signed(BOB), F0), E::NoOperatorshipOffer);
	});
}

// --- slashing ---

#[test]
fn slash_deposit_pays_the_treasury_up_to_the_deposit() {
	run(|| {
		active(ALICE);
		let issuance = Balances::total_issuance();
		assert_ok!(Facilities::slash_deposit(root(), F0, 100_000));
		last(Event::DepositSlashed { facility: F0, requested: 100_000, slashed: 100_000 });
		assert_eq!(Balances::balance(&TREASURY), 1 + 100_000);
		assert_eq!(record(F0).deposit, SITE_DEPOSIT - 100_000);
		assert_eq!(held(ALICE), SITE_DEPOSIT - 100_000);
		// Asking for more than is left takes what is left.
		assert_ok!(Facilities::slash_deposit(root(), F0, 10 * SITE_DEPOSIT));
		last(Event::DepositSlashed {
			facility: F0,
			requested: 10 * SITE_DEPOSIT,
			slashed: SITE_DEPOSIT - 100_000,
		});
		assert_eq!(record(F0).deposit, 0);
		assert_eq!(Balances::balance(&TREASURY), 1 + SITE_DEPOSIT);
		// Nothing is minted or burned: the deposit moved to the treasury.
		assert_eq!(Balances::total_issuance(), issuance);
	});
}

#[test]
fn slashing_caps_a_waiting_site_change_extra_deposit() {
	run(|| {
		active(ALICE);
		assert_ok!(Facilities::propose_site_change(signed(ALICE), F0, site_of(200_000)));
		assert_ok!(Facilities::slash_deposit(root(), F0, SITE_DEPOSIT + 80_000));
		assert_eq!(record(F0).deposit, 5_000);
		assert_eq!(PendingSiteChanges::<Test>::get(F0).unwrap().extra_deposit, 5_000);
		assert_ok!(Facilities::reject_site_change(root(), F0));
		last(Event::SiteChangeRejected { facility: F0, released: 5_000 });
		assert_eq!(held(ALICE), 0);
	});
}

#[test]
fn slash_deposit_errors() {
	run(|| {
		active(ALICE);
		assert_noop!(Facilities::slash_deposit(signed(ALICE), F0, 1), BadOrigin);
		assert_noop!(Facilities::slash_deposit(root(), NOBODY, 1), E::UnknownFacility);
	});
}

// --- the traits other pallets use ---

#[test]
fn inspect_reports_the_approved_record() {
	run(|| {
		assert_eq!(Facilities::status(F0), None);
		assert_eq!(Facilities::operator(F0), None);
		assert!(!Facilities::may_report(F0, &ALICE));
		assert_eq!(Facilities::hashrate_capacity(F0), None);
		assert_eq!(Facilities::deposit(F0), None);
		assert_eq!(Facilities::obligations(F0), None);
		active(ALICE);
		assert_eq!(Facilities::status(F0), Some(FacilityStatus::Active));
		assert_eq!(Facilities::operator(F0), Some(ALICE));
		assert_eq!(Facilities::hashrate_capacity(F0), Some(Hashrate::from_ths(115_000).unwrap()));
		assert_eq!(Facilities::fleet_efficiency(F0), Some(Efficiency::from_j_per_th(15).unwrap()));
		assert_eq!(Facilities::power_capacity(F0), Some(Power(2_000)));
		assert_eq!(Facilities::deposit(F0), Some(SITE_DEPOSIT));
		assert_eq!(Facilities::obligations(F0), Some(0));
	});
}

#[test]
fn control_suspends_idempotently() {
	run(|| {
		active(ALICE);
		assert_ok!(<Facilities as FacilityControl<_, _>>::suspend(
			F0,
			SuspensionReason::PaymentDefaults
		));
		last(Event::Suspended { facility: F0, reason: SuspensionReason::PaymentDefaults });
		let events = System::events().len();
		assert_ok!(<Facilities as FacilityControl<_, _>>::suspend(F0, SuspensionReason::Fraud));
		assert_eq!(System::events().len(), events);
		assert_eq!(record(F0).suspension, Some(SuspensionReason::PaymentDefaults));
		assert_noop!(
			<Facilities as FacilityControl<_, _>>::suspend(NOBODY, SuspensionReason::Fraud),
			E::UnknownFacility
		);
		register(BOB);
		assert_noop!(
			<Facilities as FacilityControl<_, _>>::suspend(FacilityId(1), SuspensionReason::Fraud),
			E::WrongStatus
		);
	});
}

#[test]
fn control_slashes_and_returns_what_it_took() {
	run(|| {
		active(ALICE);
		assert_eq!(
			<Facilities as FacilityControl<_, _>>::slash_deposit(F0, 2 * SITE_DEPOSIT),
			Ok(SITE_DEPOSIT)
		);
		assert_eq!(<Facilities as FacilityControl<_, _>>::slash_deposit(F0, 1), Ok(0));
		assert_eq!(
			<Facilities as FacilityControl<_, _>>::slash_deposit(NOBODY, 1),
			Err(E::UnknownFacility.into())
		);
	});
}

#[test]
fn obligations_count_up_and_down() {
	run(|| {
		assert_noop!(Facilities::add_obligation(NOBODY), DispatchError::from(E::UnknownFacility));
		assert_noop!(
			Facilities::release_obligation(NOBODY),
			DispatchError::from(E::UnknownFacility)
		);
		register(ALICE);
		// A pending facility has nothing to owe yet.
		assert_noop!(Facilities::add_obligation(F0), DispatchError::from(E::WrongStatus));
		assert_ok!(Facilities::approve(root(), F0));
		assert_noop!(Facilities::release_obligation(F0), DispatchError::from(E::NoObligations));
		assert_ok!(Facilities::add_obligation(F0));
		last(Event::ObligationAdded { facility: F0, obligations: 1 });
		// Suspension ends no obligation and allows new ones to be recorded (periods owed).
		assert_ok!(Facilities::suspend(root(), F0, SuspensionReason::Fraud));
		assert_ok!(Facilities::add_obligation(F0));
		assert_eq!(Facilities::obligations(F0), Some(2));
		assert_ok!(Facilities::release_obligation(F0));
		last(Event::ObligationReleased { facility: F0, obligations: 1 });
		Facilities::mutate_for_test(F0, |record| record.obligations = u32::MAX);
		assert_noop!(Facilities::add_obligation(F0), DispatchError::from(E::TooManyObligations));
		Facilities::mutate_for_test(F0, |record| record.obligations = 0);
	});
}

#[test]
fn obligations_cannot_be_added_to_final_facilities() {
	run(|| {
		active(ALICE);
		assert_ok!(Facilities::retire(signed(ALICE), F0));
		assert_noop!(Facilities::add_obligation(F0), DispatchError::from(E::WrongStatus));
		assert_noop!(Facilities::release_obligation(F0), DispatchError::from(E::NoObligations));
	});
}

// --- genesis ---

fn genesis_facility(operator: AccountId, active: bool) -> GenesisFacility<AccountId> {
	GenesisFacility {
		operator,
		site: site(),
		profile: profile(),
		reporters: vec![BOB],
		payout_addresses: vec![],
		active,
	}
}

fn genesis_ext(facilities: Vec<GenesisFacility<AccountId>>) -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut balances = vec![(ALICE, ENDOWMENT), (CHARLIE, ENDOWMENT)];
	for facility in &facilities {
		if !balances.iter().any(|(who, _)| *who == facility.operator) {
			balances.push((facility.operator, ENDOWMENT));
		}
	}
	pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	crate::GenesisConfig::<Test> { facilities, bitcoin_network: Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	storage.into()
}

#[test]
fn genesis_registers_approves_and_sets_keys() {
	let mut second = genesis_facility(CHARLIE, false);
	second.reporters = vec![DAVE];
	genesis_ext(vec![genesis_facility(ALICE, true), second]).execute_with(|| {
		assert_eq!(Facilities::status(F0), Some(FacilityStatus::Active));
		assert_eq!(Facilities::status(FacilityId(1)), Some(FacilityStatus::Pending));
		assert!(Facilities::is_reporter(F0, &BOB));
		assert!(Facilities::is_reporter(FacilityId(1), &DAVE));
		assert_eq!(held(ALICE), SITE_DEPOSIT);
		assert_eq!(NextFacilityId::<Test>::get(), FacilityId(2));
		Facilities::do_try_state().unwrap();
	});
}

#[test]
fn genesis_approval_time_is_the_first_blocks() {
	let mut pending = genesis_facility(CHARLIE, false);
	pending.reporters = vec![DAVE];
	genesis_ext(vec![genesis_facility(ALICE, true), pending]).execute_with(|| {
		// Genesis has no clock: nothing read it, the approval waits for a time.
		let set_now = |secs| NOW.with(|now| now.set(secs));
		assert_eq!(record(F0).active_since, None);
		assert_eq!(AwaitingApprovalTime::<Test>::get().into_inner(), vec![F0]);
		Facilities::do_try_state().unwrap();

		// A block without a time yet leaves it waiting.
		set_now(0);
		System::set_block_number(1);
		Facilities::on_finalize(1);
		assert_eq!(record(F0).active_since, None);

		// The first block with a time records it, once.
		set_now(1_765_000_000);
		Facilities::on_finalize(2);
		assert_eq!(record(F0).active_since, Some(1_765_000_000));
		assert_eq!(record(FacilityId(1)).active_since, None);
		assert!(!AwaitingApprovalTime::<Test>::exists());
		set_now(1_765_000_006);
		Facilities::on_finalize(3);
		assert_eq!(record(F0).active_since, Some(1_765_000_000));
		Facilities::do_try_state().unwrap();
	});
}

#[test]
#[should_panic(expected = "genesis facility #64 is invalid")]
fn genesis_approves_at_most_the_bound() {
	let facilities = (0..=MAX_GENESIS_APPROVALS as u64)
		.map(|i| genesis_facility(1_000 + i, true))
		.map(|mut facility| {
			facility.reporters = vec![];
			facility
		})
		.collect();
	genesis_ext(facilities);
}

#[test]
#[should_panic(expected = "genesis facility #0 is invalid")]
fn genesis_refuses_an_invalid_facility() {
	let mut bad = genesis_facility(ALICE, true);
	bad.site.power_capacity = Power(1);
	genesis_ext(vec![bad]);
}

#[test]
#[should_panic(expected = "genesis facility #1 is invalid")]
fn genesis_refuses_a_key_used_twice() {
	genesis_ext(vec![genesis_facility(ALICE, true), genesis_facility(CHARLIE, true)]);
}

// --- types ---

#[test]
fn country_codes_are_the_249_assigned_ones() {
	let all: Vec<[u8; 2]> = (b'A'..=b'Z')
		.flat_map(|a| (b'A'..=b'Z').map(move |b| [a, b]))
		.filter(|code| is_country_code(*code))
		.collect();
	assert_eq!(all.len(), 249);
	for code in [*b"US", *b"NO", *b"IS", *b"KZ", *b"PY", *b"ET", *b"RU", *b"RW", *b"SS"] {
		assert!(is_country_code(code), "{code:?}");
	}
	for code in [*b"UK", *b"XK", *b"EU", *b"ZZ", *b"us", *b"1A"] {
		assert!(!is_country_code(code), "{code:?}");
	}
}

#[test]
fn fleet_totals_weight_efficiency_by_hashrate_and_round_up() {
	// 1 x 100 TH/s at 15 J/TH and 2 x 100 TH/s at 20 J/TH: 300 TH/s at 18.333... J/TH.
	let totals = fleet_totals(&[row("A", 1, 100, 15), row("B", 2, 100, 20)]).unwrap();
	assert_eq!(totals.hashrate, Hashrate::from_ths(300).unwrap());
	assert_eq!(totals.efficiency, Efficiency(18_334));
	assert_eq!(fleet_totals(&[]), Err(Invalid::EmptyFleet));
}

#[test]
fn integrity_test_passes() {
	use frame_support::traits::Hooks;
	run(|| {
		<Facilities as Hooks<u64>>::integrity_test();
	});
}

// --- properties ---

mod properties {
	use super::*;
	use proptest::prelude::*;

	#[derive(Clone, Debug)]
	enum Op {
		Register(AccountId, u128),
		Approve(u32),
		Reject(u32),
		Suspend(u32),
		Resume(u32),
		Retire(AccountId, u32),
		Complete(u32),
		Propose(AccountId, u32, u128),
		ApproveChange(u32),
		RejectChange(u32),
		CancelChange(AccountId, u32),
		AddReporter(AccountId, u32, AccountId),
		RemoveReporter(AccountId, u32, AccountId),
		Offer(AccountId, u32, Option<AccountId>),
		Accept(AccountId, u32),
		Slash(u32, Balance),
		AddObligation(u32),
		ReleaseObligation(u32),
	}

	fn op() -> impl Strategy<Value = Op> {
		let who = 1u64..=5;
		let id = 0u32..4;
		let ths = 1u128..300_000;
		prop_oneof![
			(who.clone(), ths.clone()).prop_map(|(w, t)| Op::Register(w, t)),
			id.clone().prop_map(Op::Approve),
			id.clone().prop_map(Op::Reject),
			id.clone().prop_map(Op::Suspend),
			id.clone().prop_map(Op::Resume),
			(who.clone(), id.clone()).prop_map(|(w, i)| Op::Retire(w, i)),
			id.clone().prop_map(Op::Complete),
			(who.clone(), id.clone(), ths).prop_map(|(w, i, t)| Op::Propose(w, i, t)),
			id.clone().prop_map(Op::ApproveChange),
			id.clone().prop_map(Op::RejectChange),
			(who.clone(), id.clone()).prop_map(|(w, i)| Op::CancelChange(w, i)),
			(who.clone(), id.clone(), 1u64..=8).prop_map(|(w, i, r)| Op::AddReporter(w, i, r)),
			(who.clone(), id.clone(), 1u64..=8).prop_map(|(w, i, r)| Op::RemoveReporter(w, i, r)),
			(who.clone(), id.clone(), proptest::option::of(1u64..=5))
				.prop_map(|(w, i, to)| Op::Offer(w, i, to)),
			(who, id.clone()).prop_map(|(w, i)| Op::Accept(w, i)),
			(id.clone(), 0u64..400_000).prop_map(|(i, a)| Op::Slash(i, a)),
			id.clone().prop_map(Op::AddObligation),
			id.prop_map(Op::ReleaseObligation),
		]
	}

	fn apply(op: Op) {
		let f = FacilityId;
		let _ = match op {
			Op::Register(w, t) => Facilities::register(signed(w), site_of(t), profile()),
			Op::Approve(i) => Facilities::approve(root(), f(i)),
			Op::Reject(i) => Facilities::reject(root(), f(i)),
			Op::Suspend(i) => Facilities::suspend(root(), f(i), SuspensionReason::Governance),
			Op::Resume(i) => Facilities::resume(root(), f(i)),
			Op::Retire(w, i) => Facilities::retire(signed(w), f(i)),
			Op::Complete(i) => Facilities::complete_retirement(signed(DAVE), f(i)),
			Op::Propose(w, i, t) => Facilities::propose_site_change(signed(w), f(i), site_of(t)),
			Op::ApproveChange(i) => Facilities::approve_site_change(root(), f(i)),
			Op::RejectChange(i) => Facilities::reject_site_change(root(), f(i)),
			Op::CancelChange(w, i) => Facilities::cancel_site_change(signed(w), f(i)),
			Op::AddReporter(w, i, r) => Facilities::add_reporter(signed(w), f(i), r),
			Op::RemoveReporter(w, i, r) => Facilities::remove_reporter(signed(w), f(i), r),
			Op::Offer(w, i, to) => Facilities::offer_operatorship(signed(w), f(i), to),
			Op::Accept(w, i) => Facilities::accept_operatorship(signed(w), f(i)),
			Op::Slash(i, a) => Facilities::slash_deposit(root(), f(i), a),
			Op::AddObligation(i) => Facilities::add_obligation(f(i)),
			Op::ReleaseObligation(i) => Facilities::release_obligation(f(i)),
		};
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(256))]

		/// Whatever sequence of calls runs, the invariants hold after every step, no native
		/// token is created or destroyed, and every token is either in an account or was
		/// slashed to the treasury: holds never leak.
		#[test]
		fn any_sequence_keeps_deposits_exact(ops in proptest::collection::vec(op(), 1..40)) {
			new_test_ext().execute_with(|| {
				let issuance = Balances::total_issuance();
				for op in ops {
					apply(op);
					Facilities::do_try_state().unwrap();
				}
				prop_assert_eq!(Balances::total_issuance(), issuance);
				let total: Balance =
					[ALICE, BOB, CHARLIE, DAVE, POOR, TREASURY].iter().map(Balances::total_balance).sum();
				prop_assert_eq!(total, issuance);
				// Retired and rejected facilities hold nothing.
				for (_, record) in Facilities::facilities_for_test() {
					if !record.status.holds_deposit() {
						prop_assert_eq!(record.deposit, 0);
					}
				}
				Ok(())
			})?;
		}

		/// The deposit is base + per-TH x whole TH/s rounded up, monotone in capacity.
		#[test]
		fn deposit_is_exact_and_monotone(a in 1u128..10u128.pow(12), b in 1u128..10u128.pow(12)) {
			new_test_ext().execute_with(|| {
				let deposit = |milli: u128| {
					let mut site = site();
					site.hashrate_capacity = Hashrate(milli);
					Facilities::required_deposit(&site).unwrap()
				};
				prop_assert_eq!(deposit(a), DEPOSIT_BASE + u64::try_from(a.div_ceil(1000)).unwrap());
				if a <= b { prop_assert!(deposit(a) <= deposit(b)); }
				Facilities::do_try_state().unwrap();
				Ok(())
			})?;
		}

		/// Fleet efficiency lies between the best and worst row's, and never credits a fleet
		/// with less power than its rows draw.
		#[test]
		fn fleet_efficiency_is_a_conservative_mean(
			rows in proptest::collection::vec((1u32..10_000, 1u128..1_000_000, 9_000u32..120_000), 1..8)
		) {
			let fleet: Vec<FleetRow> = rows
				.iter()
				.map(|(units, hashrate, efficiency)| FleetRow {
					model: text("M"),
					units: *units,
					hashrate_per_unit: Hashrate(*hashrate),
					efficiency: Efficiency(*efficiency),
				})
				.collect();
			let totals = fleet_totals(&fleet).unwrap();
			let best = rows.iter().map(|r| r.2).min().unwrap();
			let worst = rows.iter().map(|r| r.2).max().unwrap();
			prop_assert!(best <= totals.efficiency.get() && totals.efficiency.get() <= worst);
			let power: u128 = rows.iter().map(|(u, h, e)| u128::from(*u) * h * u128::from(*e)).sum();
			let hashrate: u128 = rows.iter().map(|(u, h, _)| u128::from(*u) * h).sum();
			prop_assert_eq!(totals.hashrate.get(), hashrate);
			prop_assert!(totals.hashrate.get() * u128::from(totals.efficiency.get()) >= power);
			prop_assert!(totals.hashrate.get() * u128::from(totals.efficiency.get() - 1) < power);
		}
	}
}

#[test]
fn unknown_facility_reads_as_error() {
	run(|| {
		assert_eq!(
			Facilities::facility(NOBODY).map(|_| ()),
			Err(DispatchError::from(E::UnknownFacility))
		);
	});
}

#[test]
fn a_transfer_withdraws_the_old_operators_reporter_offers() {
	run(|| {
		active(ALICE);
		assert_ok!(Facilities::add_reporter(signed(ALICE), F0, BOB));
		assert_ok!(Facilities::add_reporter(signed(ALICE), F0, CHARLIE));
		assert_ok!(Facilities::offer_operatorship(signed(ALICE), F0, Some(BOB)));
		assert_ok!(Facilities::accept_operatorship(signed(BOB), F0));
		assert!(!ReporterOffers::<Test>::contains_key(F0));
		assert_noop!(Facilities::accept_reporter(signed(CHARLIE), F0), E::NoReporterOffer);
	});
}

// --- payout scripts ---

/// AntPool's P2SH payout address (paid by the coinbase of block 830,000).
const ANTPOOL: &str = "38XnPvu9PmonFU9WouPXUjYbW91wa5MerL";
/// Foundry USA's P2WPKH payout address (paid by the coinbase of block 831,328).
const FOUNDRY: &str = "bc1qxhmdufsvnuaaaer4ynz88fspdsxq2h9e9cetdj";

fn address(text: &str) -> BtcAddress {
	BtcAddress::truncate_from(text.as_bytes().to_vec())
}

fn script_of(text: &str) -> OutputScript {
	hashrate_primitives::parse_address(text.as_bytes(), AddressNetwork::Mainnet).unwrap().1
}

fn set_now(secs: u64) {
	NOW.with(|now| now.set(secs));
}

fn now() -> u64 {
	NOW.with(|now| now.get())
}

fn owner(text: &str) -> Option<ScriptOwnership> {
	<Facilities as PayoutScriptsInspect>::owner(&script_of(text))
}

/// `operator`'s facility `facility` proposes `text` and governance approves it.
fn approve_address(operator: AccountId, facility: FacilityId, text: &str) {
	assert_ok!(Facilities::propose_payout_address(signed(operator), facility, address(text)));
	assert_ok!(Facilities::approve_payout_script(root(), facility, script_of(text)));
}

/// Fills the facility's set with `count` approved P2WSH scripts of its own.
fn fill_scripts(facility: FacilityId, count: u32) {
	let mut set = PayoutScripts::<Test>::get(facility);
	for index in 0..count {
		let mut script = vec![0x00, 0x20];
		script.extend_from_slice(&facility.0.to_le_bytes());
		script.extend_from_slice(&index.to_le_bytes());
		script.resize(34, 0xbe);
		let script = OutputScript::truncate_from(script);
		ScriptOwners::<Test>::insert(
			&script,
			ScriptOwnership { facility, approved_at: 0, removed_at: None },
		);
		Facilities::count_witness_script(facility, &script, true);
		let approved =
			ApprovedScript { script, kind: ScriptKind::P2wsh, approved_at: 0, key_signed: false };
		set.approved.try_push(approved).unwrap();
	}
	PayoutScripts::<Test>::insert(facility, set);
}

mod propose_payout_address {
	use super::*;

	#[test]
	fn works() {
		run(|| {
			active(ALICE);
			assert_ok!(Facilities::propose_payout_address(signed(ALICE), F0, address(ANTPOOL)));
			last(Event::PayoutScriptProposed {
				facility: F0,
				script: script_of(ANTPOOL),
				kind: ScriptKind::P2sh,
			});
			// A pending facility proposes too; bech32 in upper case is the same address.
			let pending = register(BOB);
			let upper = FOUNDRY.to_ascii_uppercase();
			assert_ok!(Facilities::propose_payout_address(signed(BOB), pending, address(&upper)));
			assert_eq!(
				Facilities::payout_scripts(pending).proposed.into_inner(),
				vec![ProposedScript {
					script: script_of(FOUNDRY),
					kind: ScriptKind::P2wpkh,
					key_signed: false
				}]
			);
			// Nobody owns a script before governance approves it.
			assert_eq!(owner(ANTPOOL), None);
		});
	}

	#[test]
	fn refuses_what_is_not_a_payout_address_of_this_network() {
		run(|| {
			active(ALICE);
			let cases = [
				("not-an-address", E::MalformedAddress),
				("38XnPvu9PmonFU9WouPXUjYbW91wa5MerM", E::AddressChecksum),
				("bc1qxhmdufsvnuaaaer4ynz88fspdsxq2h9e9cetdk", E::AddressChecksum),
				("2N3oefVeg6stiTb5Kh3ozCSkaqmx91FDbsm", E::WrongBitcoinNetwork),
				(
					"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
					E::WrongBitcoinNetwork,
				),
				("BC1SW50QGDZ25J", E::UnsupportedScript),
			];
			for (text, error) in cases {
				assert_noop!(
					Facilities::propose_payout_address(signed(ALICE), F0, address(text)),
					error
				);
			}
		});
	}

	#[test]
	fn errors() {
		run(|| {
			active(ALICE);
			active(BOB);
			let f1 = FacilityId(1);
			let propose = |who, facility, text| {
				Facilities::propose_payout_address(signed(who), facility, address(text))
			};
			assert_noop!(
				Facilities::propose_payout_address(RuntimeOrigin::none(), F0, address(ANTPOOL)),
				BadOrigin
			);
			assert_noop!(propose(ALICE, FacilityId(9), ANTPOOL), E::UnknownFacility);
			assert_noop!(propose(BOB, F0, ANTPOOL), E::NotOperator);
			assert_ok!(propose(ALICE, F0, ANTPOOL));
			assert_noop!(propose(ALICE, F0, ANTPOOL), E::DuplicatePayoutScript);
			assert_ok!(Facilities::approve_payout_script(root(), F0, script_of(ANTPOOL)));
			assert_noop!(propose(ALICE, F0, ANTPOOL), E::DuplicatePayoutScript);
			assert_noop!(propose(BOB, f1, ANTPOOL), E::ScriptOwnedByAnother);
			fill_scripts(f1, MAX_PAYOUT_SCRIPTS);
			assert_noop!(propose(BOB, f1, FOUNDRY), E::TooManyPayoutScripts);
			assert_ok!(Facilities::retire(signed(ALICE), F0));
			assert_noop!(propose(ALICE, F0, FOUNDRY), E::WrongStatus);
		});
	}
}

mod approve_payout_script {
	use super::*;

	#[test]
	fn works() {
		run(|| {
			active(ALICE);
			set_now(1_765_000_000);
			assert_ok!(Facilities::propose_payout_address(signed(ALICE), F0, address(ANTPOOL)));
			assert_ok!(Facilities::approve_payout_script(root(), F0, script_of(ANTPOOL)));
			last(Event::PayoutScriptApproved { facility: F0, script: script_of(ANTPOOL) });
			let ownership =
				ScriptOwnership { facility: F0, approved_at: 1_765_000_000, removed_at: None };
			assert_eq!(owner(ANTPOOL), Some(ownership));
			assert_eq!(Facilities::script_owner(script_of(ANTPOOL)), Some(ownership));
			let set = Facilities::payout_scripts(F0);
			assert!(set.proposed.is_empty());
			assert_eq!(
				set.approved.into_inner(),
				vec![ApprovedScript {
					script: script_of(ANTPOOL),
					kind: ScriptKind::P2sh,
					approved_at: 1_765_000_000,
					key_signed: false
				}]
			);
			// Payouts count from the approval on.
			assert!(!ownership.covers(1_764_999_999));
			assert!(ownership.covers(1_765_000_000));
		});
	}

	#[test]
	fn the_first_approval_of_a_script_two_facilities_proposed_wins() {
		run(|| {
			active(ALICE);
			active(BOB);
			let f1 = FacilityId(1);
			assert_ok!(Facilities::propose_payout_address(signed(ALICE), F0, address(ANTPOOL)));
			assert_ok!(Facilities::propose_payout_address(signed(BOB), f1, address(ANTPOOL)));
			assert_ok!(Facilities::approve_payout_script(root(), f1, script_of(ANTPOOL)));
			assert_noop!(
				Facilities::approve_payout_script(root(), F0, script_of(ANTPOOL)),
				E::ScriptOwnedByAnother
			);
			// The loser's proposal can only be rejected or withdrawn.
			assert_ok!(Facilities::reject_payout_script(root(), F0, script_of(ANTPOOL)));
		});
	}

	#[test]
	fn errors() {
		run(|| {
			active(ALICE);
			assert_ok!(Facilities::propose_payout_address(signed(ALICE), F0, address(ANTPOOL)));
			assert_noop!(
				Facilities::approve_payout_script(signed(ALICE), F0, script_of(ANTPOOL)),
				BadOrigin
			);
			assert_noop!(
				Facilities::approve_payout_script(root(), FacilityId(9), script_of(ANTPOOL)),
				E::UnknownFacility
			);
			assert_noop!(
				Facilities::approve_payout_script(root(), F0, script_of(FOUNDRY)),
				E::NoPayoutScriptProposal
			);
			assert_ok!(Facilities::retire(signed(ALICE), F0));
			assert_noop!(
				Facilities::approve_payout_script(root(), F0, script_of(ANTPOOL)),
				E::WrongStatus
			);
		});
	}
}

mod sign_payout_script {
	use super::*;
	use hashrate_primitives::bitcoin::ownership;
	use polkadot_sdk::sp_core::{ecdsa, Pair};

	/// BIP-322's test key (`L3VFeEujGtevx9w18HD1fhRbCH67Az2dpCymeRE1SoPK6XQtaN2k`, WIF-decoded)
	/// and its P2WPKH and P2PKH addresses.
	const SECRET: [u8; 32] = [
		0xbb, 0x05, 0x1c, 0xd0, 0xdd, 0xa0, 0x24, 0x6f, 0x33, 0xc5, 0xa9, 0xe1, 0x33, 0xeb, 0xd8,
		0xe7, 0xbc, 0x02, 0xa9, 0x2a, 0xf6, 0xc4, 0x1a, 0xdc, 0x13, 0x1c, 0xcd, 0x78, 0x26, 0xc5,
		0xb0, 0x04,
	];
	const P2WPKH: &str = "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l";
	const P2PKH: &str = "14vV3aCHBeStb5bkenkNHbe2YAFinYdXgc";
	const TAPROOT: &str = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0";

	fn key() -> ecdsa::Pair {
		ecdsa::Pair::from_seed(&SECRET)
	}

	/// A BIP-322 simple signature by `pair` of `facility`'s message for `script`.
	fn witness(pair: &ecdsa::Pair, facility: FacilityId, script: &[u8]) -> OwnershipSignature {
		let message = Facilities::ownership_message(facility, script);
		let digest = ownership::p2wpkh_signing_digest(script, &message).unwrap();
		let witness =
			ownership::p2wpkh_witness(&pair.sign_prehashed(&digest).0, &pair.public().0).unwrap();
		OwnershipSignature::try_from(witness).unwrap()
	}

	/// A legacy compressed-key `signmessage` signature by `pair` of `facility`'s message.
	fn legacy(pair: &ecdsa::Pair, facility: FacilityId, script: &[u8]) -> OwnershipSignature {
		let message = Facilities::ownership_message(facility, script);
		let signature = pair.sign_prehashed(&ownership::legacy_message_hash(&message)).0;
		let legacy = [&[31 + signature[64]][..], &signature[..64]].concat();
		OwnershipSignature::try_from(legacy).unwrap()
	}

	fn sign(
		facility: FacilityId,
		text: &str,
		signature: OwnershipSignature,
	) -> frame_support::dispatch::DispatchResult {
		Facilities::sign_payout_script(signed(ALICE), facility, script_of(text), signature)
	}

	#[test]
	fn the_message_names_the_chain_the_facility_and_the_script() {
		run(|| {
			// Genesis's hash is frame_system's placeholder in tests (0x45 bytes).
			let message = Facilities::payout_ownership_message(F0, script_of(P2WPKH));
			assert_eq!(
				String::from_utf8(message).unwrap(),
				format!(
					"Hashrate Chain 0x{}: facility 0 is paid at \
					 0x00142b05d564e6a7a33c087f16e0f730d1440123799d",
					"45".repeat(32)
				)
			);
			let message = Facilities::ownership_message(FacilityId(12), &[0xab]);
			assert!(message.ends_with(b": facility 12 is paid at 0xab"));
		});
	}

	#[test]
	fn a_p2wpkh_key_signs_its_proposal_and_approval_keeps_it() {
		run(|| {
			active(ALICE);
			assert_eq!(
				script_of(P2WPKH).to_vec(),
				[&[0x00, 0x14][..], &ownership_hash160(&key().public().0)].concat(),
				"the secret is the address's key"
			);
			assert_ok!(Facilities::propose_payout_address(signed(ALICE), F0, address(P2WPKH)));
			assert_ok!(sign(F0, P2WPKH, witness(&key(), F0, &script_of(P2WPKH))));
			last(Event::PayoutScriptKeySigned { facility: F0, script: script_of(P2WPKH) });
			assert!(Facilities::payout_scripts(F0).proposed[0].key_signed);
			assert_ok!(Facilities::approve_payout_script(root(), F0, script_of(P2WPKH)));
			assert!(Facilities::payout_scripts(F0).approved[0].key_signed);
			// Removed and proposed again: a new proposal, not signed until signed again.
			assert_ok!(Facilities::remove_payout_script(signed(ALICE), F0, script_of(P2WPKH)));
			assert_ok!(Facilities::propose_payout_address(signed(ALICE), F0, address(P2WPKH)));
			assert!(!Facilities::payout_scripts(F0).proposed[0].key_signed);
		});
	}

	#[test]
	fn a_p2pkh_key_signs_an_approved_script_with_signmessage() {
		run(|| {
			active(ALICE);
			let key_hash = ownership_hash160(&key().public().0);
			assert_eq!(
				script_of(P2PKH).to_vec(),
				[&[0x76, 0xa9, 0x14][..], &key_hash, &[0x88, 0xac]].concat()
			);
			approve_address(ALICE, F0, P2PKH);
			assert!(!Facilities::payout_scripts(F0).approved[0].key_signed);
			// Another facility's message recovers another key; so does a wrong header.
			assert_noop!(
				sign(F0, P2PKH, legacy(&key(), FacilityId(1), &script_of(P2PKH))),
				E::SignedByAnotherKey
			);
			let mut uncompressed = legacy(&key(), F0, &script_of(P2PKH)).into_inner();
			uncompressed[0] -= 4;
			let uncompressed = OwnershipSignature::try_from(uncompressed).unwrap();
			assert_noop!(sign(F0, P2PKH, uncompressed), E::SignedByAnotherKey);
			let mut header = legacy(&key(), F0, &script_of(P2PKH)).into_inner();
			header[0] = 35;
			let header = OwnershipSignature::try_from(header).unwrap();
			assert_noop!(sign(F0, P2PKH, header), E::MalformedSignature);
			assert_ok!(sign(F0, P2PKH, legacy(&key(), F0, &script_of(P2PKH))));
			last(Event::PayoutScriptKeySigned { facility: F0, script: script_of(P2PKH) });
			assert!(Facilities::payout_scripts(F0).approved[0].key_signed);
		});
	}

	#[test]
	fn errors() {
		run(|| {
			active(ALICE);
			active(BOB);
			let f1 = FacilityId(1);
			for text in [P2WPKH, TAPROOT, ANTPOOL] {
				assert_ok!(Facilities::propose_payout_address(signed(ALICE), F0, address(text)));
			}
			let good = witness(&key(), F0, &script_of(P2WPKH));
			assert_noop!(
				Facilities::sign_payout_script(
					RuntimeOrigin::none(),
					F0,
					script_of(P2WPKH),
					good.clone()
				),
				BadOrigin
			);
			assert_noop!(sign(FacilityId(9), P2WPKH, good.clone()), E::UnknownFacility);
			assert_noop!(
				Facilities::sign_payout_script(signed(BOB), F0, script_of(P2WPKH), good.clone()),
				E::NotOperator
			);
			assert_noop!(sign(F0, FOUNDRY, good.clone()), E::NotAPayoutScript);
			assert_noop!(sign(F0, TAPROOT, good.clone()), E::TaprootSignatureUnsupported);
			assert_noop!(sign(F0, ANTPOOL, good.clone()), E::ScriptHasNoSingleKey);
			let mut truncated = good.clone();
			truncated.pop();
			assert_noop!(sign(F0, P2WPKH, truncated), E::MalformedSignature);
			// Signed for another facility (or chain): another message.
			let replayed = witness(&key(), f1, &script_of(P2WPKH));
			assert_noop!(sign(F0, P2WPKH, replayed), E::BadOwnershipSignature);
			// A valid signature by a key the script does not pay.
			let other = ecdsa::Pair::from_seed(&[3u8; 32]);
			assert_noop!(
				sign(F0, P2WPKH, witness(&other, F0, &script_of(P2WPKH))),
				E::SignedByAnotherKey
			);
			// Signed for another chain: another genesis hash in the message.
			let genesis = frame_system::BlockHash::<Test>::get(0);
			frame_system::BlockHash::<Test>::insert(
				0,
				polkadot_sdk::sp_core::H256::repeat_byte(0x77),
			);
			let other_chain = witness(&key(), F0, &script_of(P2WPKH));
			frame_system::BlockHash::<Test>::insert(0, genesis);
			assert_noop!(sign(F0, P2WPKH, other_chain), E::BadOwnershipSignature);
			assert_ok!(sign(F0, P2WPKH, good.clone()));
			assert_noop!(sign(F0, P2WPKH, good.clone()), E::AlreadyKeySigned);
			assert_ok!(Facilities::retire(signed(ALICE), F0));
			assert_noop!(sign(F0, P2WPKH, good), E::WrongStatus);
		});
	}

	fn ownership_hash160(key: &[u8]) -> [u8; 20] {
		hashrate_primitives::bitcoin::transaction::hash160(key)
	}
}

mod reject_payout_script {
	use super::*;

	#[test]
	fn works() {
		run(|| {
			active(ALICE);
			assert_ok!(Facilities::propose_payout_address(signed(ALICE), F0, address(ANTPOOL)));
			assert_ok!(Facilities::reject_payout_script(root(), F0, script_of(ANTPOOL)));
			last(Event::PayoutScriptRejected { facility: F0, script: script_of(ANTPOOL) });
			assert!(!PayoutScripts::<Test>::contains_key(F0));
			assert_eq!(owner(ANTPOOL), None);
		});
	}

	#[test]
	fn errors() {
		run(|| {
			active(ALICE);
			approve_address(ALICE, F0, ANTPOOL);
			assert_noop!(
				Facilities::reject_payout_script(signed(ALICE), F0, script_of(ANTPOOL)),
				BadOrigin
			);
			assert_noop!(
				Facilities::reject_payout_script(root(), FacilityId(9), script_of(ANTPOOL)),
				E::UnknownFacility
			);
			// An approved script is not a proposal: the operator removes it.
			assert_noop!(
				Facilities::reject_payout_script(root(), F0, script_of(ANTPOOL)),
				E::NoPayoutScriptProposal
			);
		});
	}
}

mod remove_payout_script {
	use super::*;

	#[test]
	fn withdraws_a_proposal() {
		run(|| {
			active(ALICE);
			assert_ok!(Facilities::propose_payout_address(signed(ALICE), F0, address(ANTPOOL)));
			assert_ok!(Facilities::remove_payout_script(signed(ALICE), F0, script_of(ANTPOOL)));
			last(Event::PayoutScriptWithdrawn { facility: F0, script: script_of(ANTPOOL) });
			assert!(!PayoutScripts::<Test>::contains_key(F0));
		});
	}

	#[test]
	fn removes_an_approved_script_and_retains_it_for_earlier_payouts() {
		run(|| {
			active(ALICE);
			active(BOB);
			let approved_at = now();
			approve_address(ALICE, F0, ANTPOOL);
			set_now(approved_at + 1_000);
			assert_ok!(Facilities::remove_payout_script(signed(ALICE), F0, script_of(ANTPOOL)));
			let removed_at = approved_at + 1_000;
			last(Event::PayoutScriptRemoved {
				facility: F0,
				script: script_of(ANTPOOL),
				retained_until: removed_at + SCRIPT_RETENTION,
			});
			let ownership = owner(ANTPOOL).unwrap();
			assert_eq!(
				ownership,
				ScriptOwnership { facility: F0, approved_at, removed_at: Some(removed_at) }
			);
			// Payouts mined while it was approved are still the facility's, later ones not.
			assert!(ownership.covers(removed_at - 1));
			assert!(!ownership.covers(removed_at));
			assert!(Facilities::payout_scripts(F0).is_empty());
			// Nobody else claims it while it is retained.
			assert_noop!(
				Facilities::propose_payout_address(signed(BOB), FacilityId(1), address(ANTPOOL)),
				E::ScriptOwnedByAnother
			);
		});
	}

	#[test]
	fn the_facility_may_take_a_retained_script_back() {
		run(|| {
			active(ALICE);
			approve_address(ALICE, F0, ANTPOOL);
			assert_ok!(Facilities::remove_payout_script(signed(ALICE), F0, script_of(ANTPOOL)));
			set_now(now() + 50);
			approve_address(ALICE, F0, ANTPOOL);
			assert_eq!(
				owner(ANTPOOL),
				Some(ScriptOwnership { facility: F0, approved_at: now(), removed_at: None })
			);
			assert_eq!(ScriptReleasesDue::<Test>::iter_keys().count(), 0);
		});
	}

	#[test]
	fn errors() {
		run(|| {
			active(ALICE);
			active(BOB);
			approve_address(ALICE, F0, ANTPOOL);
			assert_noop!(
				Facilities::remove_payout_script(RuntimeOrigin::none(), F0, script_of(ANTPOOL)),
				BadOrigin
			);
			assert_noop!(
				Facilities::remove_payout_script(signed(ALICE), FacilityId(9), script_of(ANTPOOL)),
				E::UnknownFacility
			);
			assert_noop!(
				Facilities::remove_payout_script(signed(BOB), F0, script_of(ANTPOOL)),
				E::NotOperator
			);
			assert_noop!(
				Facilities::remove_payout_script(signed(ALICE), F0, script_of(FOUNDRY)),
				E::NotAPayoutScript
			);
			assert_ok!(Facilities::retire(signed(ALICE), F0));
			assert_noop!(
				Facilities::remove_payout_script(signed(ALICE), F0, script_of(ANTPOOL)),
				E::WrongStatus
			);
		});
	}
}

/// Removed scripts are released by `on_idle` once their retention ends; retirement and
/// rejection remove a facility's scripts.
mod script_releases {
	use super::*;
	use frame_support::weights::Weight;

	fn idle() {
		<Facilities as Hooks<u64>>::on_idle(1, Weight::MAX);
	}

	#[test]
	fn a_removed_script_is_released_when_its_retention_ends() {
		run(|| {
			active(ALICE);
			active(BOB);
			approve_address(ALICE, F0, ANTPOOL);
			let removed_at = now();
			assert_ok!(Facilities::remove_payout_script(signed(ALICE), F0, script_of(ANTPOOL)));
			set_now(removed_at + SCRIPT_RETENTION - 1);
			idle();
			assert!(owner(ANTPOOL).is_some());
			set_now(removed_at + SCRIPT_RETENTION);
			idle();
			event(Event::PayoutScriptReleased { facility: F0, script: script_of(ANTPOOL) });
			assert_eq!(owner(ANTPOOL), None);
			assert_eq!(ScriptReleasesDue::<Test>::iter_keys().count(), 0);
			// Another facility may have it now.
			approve_address(BOB, FacilityId(1), ANTPOOL);
			assert_eq!(owner(ANTPOOL).unwrap().facility, FacilityId(1));
		});
	}

	#[test]
	fn witness_scripts_are_counted_from_approval_to_release() {
		run(|| {
			active(ALICE);
			let owns = |f| <Facilities as PayoutScriptsInspect>::owns_witness_script(f);
			// P2SH: its spends show it in their script.
			approve_address(ALICE, F0, ANTPOOL);
			assert!(!owns(F0));
			assert_eq!(WitnessScripts::<Test>::get(F0), None);
			// P2WPKH: only in their witness.
			approve_address(ALICE, F0, FOUNDRY);
			assert!(owns(F0));
			assert_eq!(WitnessScripts::<Test>::get(F0), Some(1));
			// Removed, it is still the facility's for its retention.
			let removed_at = now();
			assert_ok!(Facilities::remove_payout_script(signed(ALICE), F0, script_of(FOUNDRY)));
			assert!(owns(F0));
			// Approved again meanwhile: still one.
			assert_ok!(Facilities::propose_payout_address(signed(ALICE), F0, address(FOUNDRY)));
			assert_ok!(Facilities::approve_payout_script(root(), F0, script_of(FOUNDRY)));
			assert_eq!(WitnessScripts::<Test>::get(F0), Some(1));
			set_now(removed_at + 10);
			assert_ok!(Facilities::remove_payout_script(signed(ALICE), F0, script_of(FOUNDRY)));
			// The first removal's release was dropped with the approval.
			set_now(removed_at + SCRIPT_RETENTION);
			idle();
			assert!(owns(F0));
			set_now(removed_at + 10 + SCRIPT_RETENTION);
			idle();
			assert_eq!(owner(FOUNDRY), None);
			assert!(!owns(F0));
			assert_eq!(WitnessScripts::<Test>::get(F0), None);
		});
	}

	#[test]
	fn releases_wait_for_weight() {
		run(|| {
			active(ALICE);
			approve_address(ALICE, F0, ANTPOOL);
			assert_ok!(Facilities::remove_payout_script(signed(ALICE), F0, script_of(ANTPOOL)));
			set_now(now() + SCRIPT_RETENTION);
			<Facilities as Hooks<u64>>::on_idle(1, Weight::zero());
			assert!(owner(ANTPOOL).is_some());
			idle();
			assert_eq!(owner(ANTPOOL), None);
		});
	}

	#[test]
	fn retirement_removes_approved_scripts_and_drops_proposals() {
		run(|| {
			active(ALICE);
			approve_address(ALICE, F0, ANTPOOL);
			assert_ok!(Facilities::propose_payout_address(signed(ALICE), F0, address(FOUNDRY)));
			let retired_at = now();
			assert_ok!(Facilities::retire(signed(ALICE), F0));
			event(Event::PayoutScriptRemoved {
				facility: F0,
				script: script_of(ANTPOOL),
				retained_until: retired_at + SCRIPT_RETENTION,
			});
			assert_eq!(owner(ANTPOOL).unwrap().removed_at, Some(retired_at));
			assert!(!PayoutScripts::<Test>::contains_key(F0));
		});
	}

	#[test]
	fn rejection_drops_proposals() {
		run(|| {
			register(ALICE);
			assert_ok!(Facilities::propose_payout_address(signed(ALICE), F0, address(ANTPOOL)));
			assert_ok!(Facilities::reject(root(), F0));
			assert!(!PayoutScripts::<Test>::contains_key(F0));
			assert_eq!(owner(ANTPOOL), None);
		});
	}
}

#[test]
fn genesis_approves_payout_addresses_from_second_zero() {
	let mut facility = genesis_facility(ALICE, true);
	facility.payout_addresses = vec![address(ANTPOOL), address(FOUNDRY)];
	genesis_ext(vec![facility]).execute_with(|| {
		assert_eq!(
			owner(FOUNDRY),
			Some(ScriptOwnership { facility: F0, approved_at: 0, removed_at: None })
		);
		assert_eq!(Facilities::payout_scripts(F0).approved.len(), 2);
		assert_eq!(Facilities::bitcoin_network(), AddressNetwork::Mainnet);
		Facilities::do_try_state().unwrap();
	});
}

#[test]
#[should_panic(expected = "genesis facility #0 is invalid")]
fn genesis_refuses_an_address_of_another_network() {
	let mut facility = genesis_facility(ALICE, true);
	facility.payout_addresses =
		vec![address("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7")];
	genesis_ext(vec![facility]);
}
