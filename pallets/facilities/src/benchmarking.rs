//! Benchmarks of every call, each in its worst case: most fleet rows, the largest profile,
//! most reporter keys, a waiting site change to replace.

use super::*;
use alloc::{format, vec::Vec};
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate},
		ConstU32, Get,
	},
	weights::Weight,
	BoundedVec,
};
use hashrate_primitives::{Hashrate, Power};
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_system::RawOrigin,
	sp_core::H256,
	sp_runtime::traits::{Saturating, StaticLookup},
};

const SEED: u32 = 0;

fn bytes<const N: u32>(text: &[u8]) -> BoundedVec<u8, ConstU32<N>> {
	let mut text = text.to_vec();
	text.truncate(N as usize);
	BoundedVec::truncate_from(text)
}

/// A site with the most fleet rows the runtime allows: `rows` kinds of 100 machines of
/// 200 TH/s at 17.5 J/TH, declared at `capacity_percent` % of the fleet, on just enough power.
fn sample_site<T: Config>(capacity_percent: u128) -> SiteSpec {
	let rows = T::MaxFleetRows::get().min(MAX_FLEET_ROWS);
	let fleet: Vec<FleetRow> = (0..rows)
		.map(|i| FleetRow {
			model: bytes(format!("Antminer S21 rev {i:02}").as_bytes()),
			units: 100,
			hashrate_per_unit: Hashrate(200_000),
			efficiency: Efficiency(17_500),
		})
		.collect();
	let fleet_hashrate = Hashrate(200_000 * 100 * u128::from(rows));
	let capacity = Hashrate(fleet_hashrate.get() * capacity_percent / 100);
	let power = hashrate_primitives::physics::power_draw(capacity, Efficiency(17_500))
		.unwrap_or(Power(u64::MAX));
	SiteSpec {
		location: Location { country: *b"US", region: Some(bytes(b"TX")) },
		power_capacity: power,
		hashrate_capacity: capacity,
		fleet: BoundedVec::truncate_from(fleet),
	}
}

/// The largest profile: a full-length name and URI, every energy source.
fn sample_profile() -> Profile {
	let sources = [
		EnergySource::Hydro,
		EnergySource::Solar,
		EnergySource::Wind,
		EnergySource::Nuclear,
		EnergySource::Geothermal,
		EnergySource::NaturalGas,
		EnergySource::FlareGas,
		EnergySource::Coal,
		EnergySource::Oil,
		EnergySource::Grid,
		EnergySource::Other,
	];
	let last = sources.len() - 1;
	let energy_mix = sources
		.iter()
		.enumerate()
		.map(|(i, source)| EnergyShare {
			source: *source,
			per_mill: if i == last { 1_000 - 90 * last as u16 } else { 90 },
		})
		.collect();
	Profile {
		name: bytes(&[b'N'; MAX_NAME_LEN as usize]),
		energy_mix: BoundedVec::truncate_from(energy_mix),
		pool: PoolAccount {
			pool: bytes(&[b'P'; MAX_POOL_FIELD_LEN as usize]),
			worker: bytes(&[b'W'; MAX_POOL_FIELD_LEN as usize]),
		},
		documents: Documents {
			hash: H256::repeat_byte(7),
			uri: bytes(&[b'u'; MAX_URI_LEN as usize]),
		},
	}
}

/// The largest site and profile, for other pallets' benchmarks too.
pub(crate) fn sample_facility<T: Config>() -> (SiteSpec, Profile) {
	(sample_site::<T>(90), sample_profile())
}

/// An account funded for ten deposits of the largest site.
fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, SEED);
	let deposit = Pallet::<T>::required_deposit(&sample_site::<T>(100)).unwrap_or_default();
	let amount = deposit
		.saturating_mul(10u32.into())
		.saturating_add(T::Currency::minimum_balance().saturating_mul(10u32.into()));
	T::Currency::set_balance(&who, amount);
	who
}

/// A facility of `operator` in `status` (pending or active) with the most reporter keys.
fn facility_with_reporters<T: Config>(
	operator: &T::AccountId,
	active: bool,
	reporters: u32,
) -> FacilityId {
	let (site, profile) = sample_facility::<T>();
	let facility = Pallet::<T>::do_register(operator.clone(), site, profile).unwrap();
	if active {
		Pallet::<T>::do_approve(facility).unwrap();
	}
	let mut record = Facilities::<T>::get(facility).unwrap();
	for i in 0..reporters {
		Pallet::<T>::do_add_reporter(facility, &mut record, account("reporter", i, SEED)).unwrap();
	}
	Facilities::<T>::insert(facility, record);
	facility
}

/// A mainnet P2TR address: the longest kind (62 characters, bech32m), parsed in full.
const TAPROOT_ADDRESS: &[u8] = b"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0";

/// A P2WSH script of its own for each facility and index.
fn bench_script(facility: FacilityId, index: u32) -> OutputScript {
	let mut script = alloc::vec![0x00, 0x20];
	script.extend_from_slice(&facility.0.to_le_bytes());
	script.extend_from_slice(&index.to_le_bytes());
	script.resize(34, 0xbe);
	OutputScript::truncate_from(script)
}

/// Gives the facility `approved` approved payout scripts (owned since genesis).
fn with_payout_scripts<T: Config>(facility: FacilityId, approved: u32) {
	let mut set = PayoutScripts::<T>::get(facility);
	for index in 0..approved {
		let script = bench_script(facility, index);
		ScriptOwners::<T>::insert(
			&script,
			ScriptOwnership { facility, approved_at: 0, removed_at: None },
		);
		Pallet::<T>::count_witness_script(facility, &script, true);
		let approved =
			ApprovedScript { script, kind: ScriptKind::P2wsh, approved_at: 0, key_signed: false };
		set.approved.try_push(approved).unwrap();
	}
	PayoutScripts::<T>::insert(facility, set);
}

fn last_event<T: Config>(event: Event<T>) {
	frame_system::Pallet::<T>::assert_last_event(<T as frame_system::Config>::RuntimeEvent::from(
		event,
	));
}

#[benchmarks(where T::RuntimeEvent: From<Event<T>>)]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register() {
		let operator = funded::<T>("operator", 0);
		let (site, profile) = sample_facility::<T>();
		let facility = NextFacilityId::<T>::get();
		#[extrinsic_call]
		_(RawOrigin::Signed(operator.clone()), site, profile);
		assert_eq!(Pallet::<T>::operator(facility), Some(operator));
	}

	#[benchmark]
	fn approve() {
		let operator = funded::<T>("operator", 0);
		let facility = facility_with_reporters::<T>(&operator, false, 0);
		#[extrinsic_call]
		_(RawOrigin::Root, facility);
		last_event::<T>(Event::Approved { facility });
	}

	#[benchmark]
	fn reject() {
		let operator = funded::<T>("operator", 0);
		let facility = facility_with_reporters::<T>(&operator, false, T::MaxReporters::get());
		with_payout_scripts::<T>(facility, MAX_PAYOUT_SCRIPTS);
		OperatorshipOffers::<T>::insert(facility, funded::<T>("successor", 0));
		#[extrinsic_call]
		_(RawOrigin::Root, facility);
		assert_eq!(Pallet::<T>::status(facility), Some(FacilityStatus::Rejected));
	}

	#[benchmark]
	fn suspend() {
		let operator = funded::<T>("operator", 0);
		let facility = facility_with_reporters::<T>(&operator, true, 0);
		#[extrinsic_call]
		_(RawOrigin::Root, facility, SuspensionReason::Fraud);
		last_event::<T>(Event::Suspended { facility, reason: SuspensionReason::Fraud });
	}

	#[benchmark]
	fn resume() {
		let operator = funded::<T>("operator", 0);
		let facility = facility_with_reporters::<T>(&operator, true, 0);
		Pallet::<T>::do_suspend(facility, SuspensionReason::Governance, false).unwrap();
		#[extrinsic_call]
		_(RawOrigin::Root, facility);
		last_event::<T>(Event::Resumed { facility });
	}

	#[benchmark]
	fn retire() {
		let operator = funded::<T>("operator", 0);
		let facility = facility_with_reporters::<T>(&operator, true, T::MaxReporters::get());
		with_payout_scripts::<T>(facility, MAX_PAYOUT_SCRIPTS);
		Pallet::<T>::do_propose_site_change(operator.clone(), facility, sample_site::<T>(100))
			.unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(operator), facility);
		assert_eq!(Pallet::<T>::status(facility), Some(FacilityStatus::Retired));
	}

	#[benchmark]
	fn complete_retirement() {
		let operator = funded::<T>("operator", 0);
		let facility = facility_with_reporters::<T>(&operator, true, T::MaxReporters::get());
		with_payout_scripts::<T>(facility, MAX_PAYOUT_SCRIPTS);
		Pallet::<T>::add_obligation(facility).unwrap();
		Pallet::<T>::retire(RawOrigin::Signed(operator.clone()).into(), facility).unwrap();
		Pallet::<T>::release_obligation(facility).unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(operator), facility);
		assert_eq!(Pallet::<T>::status(facility), Some(FacilityStatus::Retired));
	}

	#[benchmark]
	fn propose_site_change() {
		let operator = funded::<T>("operator", 0);
		let facility = facility_with_reporters::<T>(&operator, true, 0);
		Pallet::<T>::do_propose_site_change(operator.clone(), facility, sample_site::<T>(95))
			.unwrap();
		let site = sample_site::<T>(100);
		#[extrinsic_call]
		_(RawOrigin::Signed(operator), facility, site);
		assert!(PendingSiteChanges::<T>::contains_key(facility));
	}

	#[benchmark]
	fn approve_site_change() {
		let operator = funded::<T>("operator", 0);
		let facility = facility_with_reporters::<T>(&operator, true, 0);
		Pallet::<T>::do_propose_site_change(operator.clone(), facility, sample_site::<T>(50))
			.unwrap();
		#[extrinsic_call]
		_(RawOrigin::Root, facility);
		assert!(!PendingSiteChanges::<T>::contains_key(facility));
	}

	#[benchmark]
	fn reject_site_change() {
		let operator = funded::<T>("operator", 0);
		let facility = facility_with_reporters::<T>(&operator, true, 0);
		Pallet::<T>::do_propose_site_change(operator.clone(), facility, sample_site::<T>(100))
			.unwrap();
		#[extrinsic_call]
		_(RawOrigin::Root, facility);
		assert!(!PendingSiteChanges::<T>::contains_key(facility));
	}

	#[benchmark]
	fn cancel_site_change() {
		let operator = funded::<T>("operator", 0);
		let facility = facility_with_reporters::<T>(&operator, true, 0);
		Pallet::<T>::do_propose_site_change(operator.clone(), facility, sample_site::<T>(100))
			.unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(operator), facility);
		assert!(!PendingSiteChanges::<T>::contains_key(facility));
	}

	#[benchmark]
	fn update_profile() {
		let operator = funded::<T>("operator", 0);
		let facility = facility_with_reporters::<T>(&operator, true, 0);
		let mut profile = sample_profile();
		profile.name = bytes(&[b'M'; MAX_NAME_LEN as usize]);
		#[extrinsic_call]
		_(RawOrigin::Signed(operator), facility, profile);
		last_event::<T>(Event::ProfileUpdated { facility });
	}

	#[benchmark]
	fn add_reporter() {
		let operator = funded::<T>("operator", 0);
		let facility =
			facility_with_reporters::<T>(&operator, true, T::MaxReporters::get().saturating_sub(1));
		// Every offer slot but one taken.
		for i in 1..T::MaxReporters::get() {
			let key: T::AccountId = account("offered", i, SEED);
			Pallet::<T>::do_offer_reporter(
				facility,
				&Pallet::<T>::facility(facility).unwrap(),
				key,
			)
			.unwrap();
		}
		let reporter: T::AccountId = account("new-reporter", 0, SEED);
		#[extrinsic_call]
		_(RawOrigin::Signed(operator), facility, T::Lookup::unlookup(reporter.clone()));
		last_event::<T>(Event::ReporterOffered { facility, reporter });
	}

	#[benchmark]
	fn accept_reporter() {
		let operator = funded::<T>("operator", 0);
		let facility =
			facility_with_reporters::<T>(&operator, true, T::MaxReporters::get().saturating_sub(1));
		let reporter: T::AccountId = account("new-reporter", 0, SEED);
		Pallet::<T>::do_offer_reporter(
			facility,
			&Pallet::<T>::facility(facility).unwrap(),
			reporter.clone(),
		)
		.unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(reporter.clone()), facility);
		last_event::<T>(Event::ReporterAdded { facility, reporter });
	}

	#[benchmark]
	fn remove_reporter() {
		let operator = funded::<T>("operator", 0);
		let count = T::MaxReporters::get();
		let facility = facility_with_reporters::<T>(&operator, true, count);
		let reporter: T::AccountId = account("reporter", count - 1, SEED);
		#[extrinsic_call]
		_(RawOrigin::Signed(operator), facility, T::Lookup::unlookup(reporter.clone()));
		last_event::<T>(Event::ReporterRemoved { facility, reporter });
	}

	#[benchmark]
	fn offer_operatorship() {
		let operator = funded::<T>("operator", 0);
		let facility = facility_with_reporters::<T>(&operator, true, 0);
		let to = funded::<T>("successor", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(operator), facility, Some(T::Lookup::unlookup(to.clone())));
		last_event::<T>(Event::OperatorshipOffered { facility, to });
	}

	#[benchmark]
	fn accept_operatorship() {
		let operator = funded::<T>("operator", 0);
		let count = T::MaxReporters::get();
		let facility = facility_with_reporters::<T>(&operator, true, count);
		// The successor is the last reporter key: accepting also removes it.
		let successor: T::AccountId = account("reporter", count - 1, SEED);
		let deposit = Pallet::<T>::required_deposit(&sample_site::<T>(100)).unwrap_or_default();
		T::Currency::set_balance(
			&successor,
			deposit.saturating_mul(2u32.into()).saturating_add(T::Currency::minimum_balance()),
		);
		OperatorshipOffers::<T>::insert(facility, successor.clone());
		#[extrinsic_call]
		_(RawOrigin::Signed(successor.clone()), facility);
		assert_eq!(Pallet::<T>::operator(facility), Some(successor));
	}

	#[benchmark]
	fn slash_deposit() {
		let operator = funded::<T>("operator", 0);
		let facility = facility_with_reporters::<T>(&operator, true, 0);
		Pallet::<T>::do_propose_site_change(operator.clone(), facility, sample_site::<T>(100))
			.unwrap();
		let deposit = Pallet::<T>::deposit(facility).unwrap_or_default();
		#[extrinsic_call]
		_(RawOrigin::Root, facility, deposit);
		assert_eq!(Pallet::<T>::deposit(facility), Some(Default::default()));
	}

	#[benchmark]
	fn propose_payout_address() {
		let operator = funded::<T>("operator", 0);
		let facility = facility_with_reporters::<T>(&operator, true, 0);
		with_payout_scripts::<T>(facility, MAX_PAYOUT_SCRIPTS - 1);
		#[extrinsic_call]
		_(RawOrigin::Signed(operator), facility, bytes(TAPROOT_ADDRESS));
		assert_eq!(PayoutScripts::<T>::get(facility).proposed.len(), 1);
	}

	#[benchmark]
	fn approve_payout_script() {
		let operator = funded::<T>("operator", 0);
		let facility = facility_with_reporters::<T>(&operator, true, 0);
		with_payout_scripts::<T>(facility, MAX_PAYOUT_SCRIPTS - 1);
		// The script was this facility's before and is still retained: approval also ends
		// the retention.
		let (_, script) =
			hashrate_primitives::parse_address(TAPROOT_ADDRESS, BitcoinNetwork::<T>::get())
				.unwrap();
		Pallet::<T>::retain_removed_script(facility, script.clone());
		Pallet::<T>::do_propose_payout_address(facility, TAPROOT_ADDRESS).unwrap();
		#[extrinsic_call]
		_(RawOrigin::Root, facility, script.clone());
		last_event::<T>(Event::PayoutScriptApproved { facility, script });
	}

	#[benchmark]
	fn reject_payout_script() {
		let operator = funded::<T>("operator", 0);
		let facility = facility_with_reporters::<T>(&operator, true, 0);
		with_payout_scripts::<T>(facility, MAX_PAYOUT_SCRIPTS - 1);
		Pallet::<T>::do_propose_payout_address(facility, TAPROOT_ADDRESS).unwrap();
		let script = PayoutScripts::<T>::get(facility).proposed[0].script.clone();
		#[extrinsic_call]
		_(RawOrigin::Root, facility, script.clone());
		last_event::<T>(Event::PayoutScriptRejected { facility, script });
	}

	#[benchmark]
	fn remove_payout_script() {
		let operator = funded::<T>("operator", 0);
		let facility = facility_with_reporters::<T>(&operator, true, 0);
		with_payout_scripts::<T>(facility, MAX_PAYOUT_SCRIPTS);
		let script = bench_script(facility, MAX_PAYOUT_SCRIPTS - 1);
		#[extrinsic_call]
		_(RawOrigin::Signed(operator), facility, script.clone());
		assert!(ScriptOwners::<T>::get(&script).is_some_and(|owner| owner.removed_at.is_some()));
	}

	/// A P2WPKH script approved last of the most a facility holds (found after every other
	/// one), signed by a key whose signature needs the second recovery id (two key
	/// recoveries, the most `verify` makes).
	#[benchmark]
	fn sign_payout_script() -> Result<(), BenchmarkError> {
		use hashrate_primitives::bitcoin::{ownership, transaction::hash160};
		use polkadot_sdk::sp_io::crypto;
		const KEY_TYPE: polkadot_sdk::sp_core::crypto::KeyTypeId =
			polkadot_sdk::sp_core::crypto::KeyTypeId(*b"hrbs");
		let operator = funded::<T>("operator", 0);
		let facility = facility_with_reporters::<T>(&operator, true, 0);
		with_payout_scripts::<T>(facility, MAX_PAYOUT_SCRIPTS - 1);
		let mut signed = None;
		for seed in 0..32u32 {
			let key = crypto::ecdsa_generate(KEY_TYPE, Some(format!("//bench{seed}").into_bytes()));
			let script = [&[0x00, 0x14][..], &hash160(&key.0)].concat();
			let message = Pallet::<T>::ownership_message(facility, &script);
			let digest = ownership::p2wpkh_signing_digest(&script, &message)
				.ok_or(BenchmarkError::Stop("not P2WPKH"))?;
			let signature = crypto::ecdsa_sign_prehashed(KEY_TYPE, &key, &digest)
				.ok_or(BenchmarkError::Stop("no keystore"))?;
			if signature.0[64] == 1 {
				let witness = ownership::p2wpkh_witness(&signature.0, &key.0)
					.ok_or(BenchmarkError::Stop("no witness"))?;
				signed = Some((OutputScript::truncate_from(script), witness));
				break;
			}
		}
		let (script, witness) =
			signed.ok_or(BenchmarkError::Stop("no recovery id 1 in 32 keys"))?;
		let mut set = PayoutScripts::<T>::get(facility);
		set.approved
			.try_push(ApprovedScript {
				script: script.clone(),
				kind: ScriptKind::P2wpkh,
				approved_at: 0,
				key_signed: false,
			})
			.map_err(|_| BenchmarkError::Stop("too many scripts"))?;
		PayoutScripts::<T>::insert(facility, set);
		ScriptOwners::<T>::insert(
			&script,
			ScriptOwnership { facility, approved_at: 0, removed_at: None },
		);
		Pallet::<T>::count_witness_script(facility, &script, true);
		let signature = OwnershipSignature::truncate_from(witness);
		#[extrinsic_call]
		_(RawOrigin::Signed(operator), facility, script.clone(), signature);
		last_event::<T>(Event::PayoutScriptKeySigned { facility, script });
		Ok(())
	}

	/// One removed script released by `on_idle` once its retention ended.
	#[benchmark]
	fn release_script() {
		let operator = funded::<T>("operator", 0);
		let facility = facility_with_reporters::<T>(&operator, true, 0);
		let script = bench_script(facility, 0);
		ScriptOwners::<T>::insert(
			&script,
			ScriptOwnership { facility, approved_at: 0, removed_at: Some(0) },
		);
		Pallet::<T>::count_witness_script(facility, &script, true);
		ScriptReleasesDue::<T>::insert(DueAt(0), &script, ());
		#[block]
		{
			Pallet::<T>::release_due_scripts(Weight::MAX);
		}
		assert!(ScriptOwners::<T>::get(&script).is_none());
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
