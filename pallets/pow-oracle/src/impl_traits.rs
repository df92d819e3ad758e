//! [`PowOracle`] for other pallets.

use crate::*;
use hashrate_primitives::{AttestorInspect, Hashrate, PeriodOutcome};

impl<T: Config> AttestorInspect<T::AccountId> for Pallet<T> {
	fn is_attestor(who: &T::AccountId) -> bool {
		Attestors::<T>::get().contains(who)
	}
}

/// Most periods [`PowOracle::average_final_hashrate`] averages over.
pub const MAX_AVERAGE_PERIODS: u32 = 366;

impl<T: Config> PowOracle for Pallet<T> {
	fn current_period() -> PeriodIndex {
		Self::period_at(Self::now()).unwrap_or_default()
	}

	fn period_bounds(period: PeriodIndex) -> Option<(u64, u64)> {
		Self::bounds(period).ok()
	}

	fn period_at(time: u64) -> Option<PeriodIndex> {
		Self::period_at(time)
	}

	fn proof_deadline(period: PeriodIndex) -> Option<u64> {
		let (_, end) = Self::bounds(period).ok()?;
		Some(Self::window_close(end, false))
	}

	fn network_data(period: PeriodIndex) -> Option<NetworkData> {
		Self::network_data_of(period)
	}

	fn final_outcome(facility: FacilityId, period: PeriodIndex) -> Option<PeriodOutcome> {
		let record = Outputs::<T>::get(facility, period)?;
		match (record.status, record.source) {
			(OutputStatus::Final, OutputSource::Defaulted) => {
				Some(PeriodOutcome::DefaultedByFacility)
			},
			(OutputStatus::Final, _) => Some(match ProofBases::<T>::get(facility, period) {
				Some(basis) => PeriodOutcome::Proven { output: record.output, proven: basis.floor },
				None => PeriodOutcome::Final(record.output),
			}),
			_ => None,
		}
	}

	fn finality_horizon() -> u64 {
		finality_horizon(&Timings::<T>::get())
	}

	fn shortest_period_length() -> u64 {
		Self::shortest_period_length_of(None)
	}

	fn average_final_hashrate(
		facility: FacilityId,
		before: PeriodIndex,
		k: u32,
	) -> Option<Hashrate> {
		if k == 0 || k > MAX_AVERAGE_PERIODS {
			return None;
		}
		let first = before.0.checked_sub(k)?;
		let mut total: u128 = 0;
		for index in first..before.0 {
			let hashrate = match Self::final_outcome(facility, PeriodIndex(index))? {
				PeriodOutcome::Final(output) | PeriodOutcome::Proven { output, .. } => {
					output.hashrate.get()
				},
				PeriodOutcome::DefaultedByFacility => 0,
			};
			total = total.checked_add(hashrate)?;
		}
		Some(Hashrate(total / u128::from(k)))
	}
}
