//! [`FacilityInspect`], [`FacilityControl`] and [`PayoutScriptsInspect`] for other pallets.

use crate::*;
use hashrate_primitives::{Hashrate, Power};
use sp_runtime::{DispatchError, DispatchResult};

impl<T: Config> FacilityInspect<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn status(facility: FacilityId) -> Option<FacilityStatus> {
		Facilities::<T>::get(facility).map(|record| record.status)
	}

	fn operator(facility: FacilityId) -> Option<T::AccountId> {
		Facilities::<T>::get(facility).map(|record| record.operator)
	}

	fn is_reporter(facility: FacilityId, who: &T::AccountId) -> bool {
		ReporterOf::<T>::get(who) == Some(facility)
	}

	fn may_report(facility: FacilityId, who: &T::AccountId) -> bool {
		Facilities::<T>::get(facility).is_some_and(|record| {
			record.status.reports()
				&& (record.operator == *who || ReporterOf::<T>::get(who) == Some(facility))
		})
	}

	fn hashrate_capacity(facility: FacilityId) -> Option<Hashrate> {
		Facilities::<T>::get(facility).map(|record| record.site.hashrate_capacity)
	}

	fn fleet_efficiency(facility: FacilityId) -> Option<Efficiency> {
		Facilities::<T>::get(facility).map(|record| record.fleet.efficiency)
	}

	fn power_capacity(facility: FacilityId) -> Option<Power> {
		Facilities::<T>::get(facility).map(|record| record.site.power_capacity)
	}

	fn deposit(facility: FacilityId) -> Option<BalanceOf<T>> {
		Facilities::<T>::get(facility).map(|record| record.deposit)
	}

	fn obligations(facility: FacilityId) -> Option<u32> {
		Facilities::<T>::get(facility).map(|record| record.obligations)
	}

	fn active_since(facility: FacilityId) -> Option<u64> {
		Facilities::<T>::get(facility).and_then(|record| record.active_since)
	}

	fn next_facility_id() -> FacilityId {
		NextFacilityId::<T>::get()
	}
}

impl<T: Config> FacilityControl<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn suspend(facility: FacilityId, reason: SuspensionReason) -> DispatchResult {
		Self::do_suspend(facility, reason, true)
	}

	fn slash_deposit(
		facility: FacilityId,
		amount: BalanceOf<T>,
	) -> Result<BalanceOf<T>, DispatchError> {
		Self::do_slash(facility, amount)
	}

	fn add_obligation(facility: FacilityId) -> DispatchResult {
		Self::change_obligations(facility, true)
	}

	fn release_obligation(facility: FacilityId) -> DispatchResult {
		Self::change_obligations(facility, false)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_active_facility(operator: T::AccountId) -> Result<FacilityId, DispatchError> {
		let (site, profile) = crate::benchmarking::sample_facility::<T>();
		let facility = Self::do_register(operator, site, profile)?;
		Self::do_approve(facility)?;
		Ok(facility)
	}
}

impl<T: Config> PayoutScriptsInspect for Pallet<T> {
	fn owner(script: &[u8]) -> Option<ScriptOwnership> {
		let script = OutputScript::try_from(script.to_vec()).ok()?;
		ScriptOwners::<T>::get(script)
	}

	fn owns_witness_script(facility: FacilityId) -> bool {
		WitnessScripts::<T>::contains_key(facility)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_own_script(facility: FacilityId, script: &[u8]) {
		if let Ok(script) = OutputScript::try_from(script.to_vec()) {
			if let Some(kind) = ScriptKind::of(&script) {
				let mut set = PayoutScripts::<T>::get(facility);
				let approved = ApprovedScript {
					script: script.clone(),
					kind,
					approved_at: 0,
					key_signed: false,
				};
				if set.approved.try_push(approved).is_ok() {
					PayoutScripts::<T>::insert(facility, set);
					Self::count_witness_script(facility, &script, true);
					ScriptOwners::<T>::insert(
						script,
						ScriptOwnership { facility, approved_at: 0, removed_at: None },
					);
				}
			}
		}
	}
}
