//! The pallet's logic, shared by calls, genesis and the trait other pallets use.

use crate::*;
use frame_support::{
	ensure,
	traits::{
		fungible::{InspectHold, Mutate, MutateHold},
		tokens::{Fortitude, Precision, Preservation, Restriction},
		Get,
	},
};
use hashrate_primitives::{FacilityInspect, PeriodOutcome};
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchError, DispatchResult,
};

impl<T: Config> Pallet<T> {
	/// `[start, end)` of `period` in unix seconds.
	pub fn bounds(period: PeriodIndex) -> Result<(u64, u64), DispatchError> {
		let schedules = Schedules::<T>::get();
		schedule_of(&schedules, period)
			.and_then(|schedule| schedule.bounds(period))
			.ok_or_else(|| Error::<T>::NoSchedule.into())
	}

	/// The period containing `now`.
	pub fn period_at(now: u64) -> Option<PeriodIndex> {
		let schedules = Schedules::<T>::get();
		schedule_at(&schedules, now).and_then(|schedule| schedule.period_at(now))
	}

	/// The network data of `period`: the median of its feeds once there are `MinFeeds`.
	pub fn network_data_of(period: PeriodIndex) -> Option<NetworkData> {
		let feeds = Feeds::<T>::get(period);
		if (feeds.len() as u32) < T::MinFeeds::get() {
			return None;
		}
		let mut difficulties: alloc::vec::Vec<_> =
			feeds.iter().map(|(_, d)| d.difficulty).collect();
		let mut rewards: alloc::vec::Vec<_> =
			feeds.iter().map(|(_, d)| d.reward_per_block).collect();
		Some(NetworkData {
			difficulty: median(&mut difficulties)?,
			reward_per_block: median(&mut rewards)?,
		})
	}

	pub(crate) fn do_set_period_length(length: u64) -> DispatchResult {
		ensure!(length > 0, Error::<T>::ZeroPeriodLength);
		let now = Self::now();
		let mut schedules = Schedules::<T>::get();
		// A change not yet in force is replaced.
		if schedules.last().is_some_and(|s| s.start_time > now) {
			schedules.pop();
		}
		let current = Self::period_at(now).ok_or(Error::<T>::NoSchedule)?;
		let from = current.next().ok_or(Error::<T>::NoSchedule)?;
		let (start_time, _) = schedule_of(&schedules, from)
			.and_then(|s| s.bounds(from))
			.ok_or(Error::<T>::NoSchedule)?;
		if schedules.is_full() {
			// The oldest schedule may go once every period it numbers has closed its window.
			let closed_before = now.saturating_sub(
				Timings::<T>::get()
					.report_window
					.saturating_add(Timings::<T>::get().quorum_extension),
			);
			ensure!(
				schedules.get(1).is_some_and(|second| second.start_time <= closed_before),
				Error::<T>::TooManyScheduleChanges
			);
			schedules.remove(0);
		}
		schedules
			.try_push(Schedule { start_index: from, start_time, length })
			.map_err(|_| Error::<T>::TooManyScheduleChanges)?;
		Schedules::<T>::put(schedules);
		Self::deposit_event(Event::PeriodLengthSet { from, start_time, length });
		Ok(())
	}

	pub(crate) fn do_add_feeder(feeder: T::AccountId) -> DispatchResult {
		Feeders::<T>::try_mutate(|feeders| {
			ensure!(!feeders.contains(&feeder), Error::<T>::AlreadyFeeder);
			feeders.try_push(feeder.clone()).map_err(|_| Error::<T>::TooManyFeeders)?;
			Ok::<_, DispatchError>(())
		})?;
		Self::deposit_event(Event::FeederAdded { feeder });
		Ok(())
	}

	pub(crate) fn do_add_attestor(attestor: T::AccountId) -> DispatchResult {
		Attestors::<T>::try_mutate(|attestors| {
			ensure!(!attestors.contains(&attestor), Error::<T>::AlreadyAttestor);
			attestors.try_push(attestor.clone()).map_err(|_| Error::<T>::TooManyAttestors)?;
			Ok::<_, DispatchError>(())
		})?;
		Self::hold_bond(&attestor)?;
		Self::deposit_event(Event::AttestorAdded { attestor, bond: T::AttestorBond::get() });
		Ok(())
	}

	fn tolerances() -> Tolerances {
		Tolerances {
			hashrate_over_capacity: T::HashrateTolerance::get(),
			energy_under_physics: T::EnergyTolerance::get(),
			pool_luck: T::PoolLuckTolerance::get(),
			max_pool_fee: T::MaxPoolFee::get(),
		}
	}

	/// The facility's registered capacity, if it exists and reports.
	fn reporting_capacity(facility: FacilityId) -> Result<Capacity, DispatchError> {
		let status = T::Facilities::status(facility).ok_or(Error::<T>::UnknownFacility)?;
		ensure!(status.reports(), Error::<T>::FacilityNotReporting);
		match (
			T::Facilities::hashrate_capacity(facility),
			T::Facilities::fleet_efficiency(facility),
			T::Facilities::power_capacity(facility),
		) {
			(Some(hashrate), Some(efficiency), Some(power)) => {
				Ok(Capacity { hashrate, efficiency, power })
			},
			_ => Err(Error::<T>::UnknownFacility.into()),
		}
	}

	/// When `period`'s window closes, with or without the one extension.
	fn window_close(end: u64, extended: bool) -> u64 {
		let close = end.saturating_add(Timings::<T>::get().report_window);
		if extended {
			close.saturating_add(Timings::<T>::get().quorum_extension)
		} else {
			close
		}
	}

	/// Checks that `period` can take submissions now and `output` is plausible; returns the
	/// open round (or a new one).
	fn open_round(
		facility: FacilityId,
		period: PeriodIndex,
		output: &PeriodOutput,
		capacity: &Capacity,
	) -> Result<RoundOf<T>, DispatchError> {
		ensure!(!Outputs::<T>::contains_key(facility, period), Error::<T>::AlreadyFinalized);
		let (start, end) = Self::bounds(period)?;
		let now = Self::now();
		ensure!(now >= end, Error::<T>::PeriodNotEnded);
		let round = Rounds::<T>::get(facility, period).unwrap_or_default();
		ensure!(
			!round.awaiting_governance && now < Self::window_close(end, round.extended),
			Error::<T>::WindowClosed
		);
		let network = Self::network_data_of(period);
		check_output(
			output,
			capacity,
			end.saturating_sub(start),
			network.as_ref(),
			&Self::tolerances(),
		)
		.map_err(Error::<T>::from)?;
		Ok(round)
	}

	pub(crate) fn do_report(
		submitter: T::AccountId,
		facility: FacilityId,
		period: PeriodIndex,
		output: PeriodOutput,
	) -> DispatchResult {
		// Who before what: a signer who may not report learns that first.
		let capacity = Self::reporting_capacity(facility)?;
		ensure!(T::Facilities::may_report(facility, &submitter), Error::<T>::NotReporter);
		let mut round = Self::open_round(facility, period, &output, &capacity)?;
		let amended = match round.report.as_mut() {
			Some(report) => {
				report.output = output;
				true
			},
			None => {
				let fee = T::AttestationFee::get();
				T::Currency::transfer(
					&submitter,
					&Self::pot_account(),
					fee,
					Preservation::Preserve,
				)
				.map_err(|_| Error::<T>::FeeNotAffordable)?;
				FeePot::<T>::mutate(|pot| *pot = pot.saturating_add(fee));
				round.report = Some(Report { submitter: submitter.clone(), output, fee });
				false
			},
		};
		Self::deposit_event(Event::Reported { facility, period, submitter, amended });
		Self::store_or_finalize(facility, period, round)
	}

	pub(crate) fn do_attest(
		attestor: T::AccountId,
		facility: FacilityId,
		period: PeriodIndex,
		output: PeriodOutput,
	) -> DispatchResult {
		ensure!(Attestors::<T>::get().contains(&attestor), Error::<T>::NotAttestor);
		let capacity = Self::reporting_capacity(facility)?;
		let mut round = Self::open_round(facility, period, &output, &capacity)?;
		match round.attestations.iter_mut().find(|(a, _)| *a == attestor) {
			Some(entry) => entry.1 = output,
			None => round
				.attestations
				.try_push((attestor.clone(), output))
				.map_err(|_| Error::<T>::TooManyAttestors)?,
		}
		Self::deposit_event(Event::Attested { facility, period, attestor });
		Self::store_or_finalize(facility, period, round)
	}

	/// Finalizes when the facility reported and every current attestor attested; otherwise
	/// stores the round.
	fn store_or_finalize(
		facility: FacilityId,
		period: PeriodIndex,
		round: RoundOf<T>,
	) -> DispatchResult {
		let attestors = Attestors::<T>::get();
		let complete = round.report.is_some()
			&& attestors.iter().all(|a| round.attestations.iter().any(|(s, _)| s == a));
		if complete {
			Self::finalize_attested(facility, period, round)
		} else {
			Rounds::<T>::insert(facility, period, round);
			Ok(())
		}
	}

	/// Median of the attestations; fee to the attestors within tolerance; strikes and flags.
	fn finalize_attested(
		facility: FacilityId,
		period: PeriodIndex,
		round: RoundOf<T>,
	) -> DispatchResult {
		let report = round.report.ok_or(Error::<T>::NotAwaitingGovernance)?;
		let outputs: alloc::vec::Vec<PeriodOutput> =
			round.attestations.iter().map(|(_, o)| *o).collect();
		let output = median_output(&outputs, report.output.evidence).ok_or(Error::<T>::Overflow)?;
		let tolerance = T::AttestationTolerance::get();
		let (paid, struck): (alloc::vec::Vec<_>, alloc::vec::Vec<_>) = round
			.attestations
			.iter()
			.partition(|(_, submitted)| output_within(submitted, &output, tolerance));
		let count = u32::try_from(paid.len()).map_err(|_| Error::<T>::Overflow)?;
		let share =
			if count == 0 { Zero::zero() } else { report.fee / BalanceOf::<T>::from(count) };
		// The remainder first: then every payment leaves the pot at zero or at least one share
		// (never below the existential deposit, see `integrity_test`), so no dust is lost.
		let remainder =
			report.fee.saturating_sub(share.saturating_mul(BalanceOf::<T>::from(count)));
		Self::pay_from_pot(&T::TreasuryAccount::get(), remainder)?;
		for (attestor, _) in &paid {
			Self::pay_from_pot(attestor, share)?;
			Self::deposit_event(Event::AttestorPaid { attestor: attestor.clone(), amount: share });
		}
		for (attestor, _) in struck {
			Self::strike(attestor);
		}
		if !output_within(&report.output, &output, T::ReportTolerance::get()) {
			Self::deposit_event(Event::ReportDeviates {
				facility,
				period,
				reported: report.output,
			});
		}
		let attestors =
			u32::try_from(round.attestations.len()).map_err(|_| Error::<T>::Overflow)?;
		let of = u32::try_from(Attestors::<T>::get().len()).map_err(|_| Error::<T>::Overflow)?;
		Submissions::<T>::insert(facility, period, round.attestations);
		let source = OutputSource::Attested { attestors, of };
		Self::record_finalized(facility, period, output, source, Some(report.output));
		Ok(())
	}

	fn strike(attestor: &T::AccountId) {
		let strikes = Strikes::<T>::mutate(attestor, |s| {
			*s = s.saturating_add(1);
			*s
		});
		Self::deposit_event(Event::AttestorStruck { attestor: attestor.clone(), strikes });
	}

	fn record_finalized(
		facility: FacilityId,
		period: PeriodIndex,
		output: PeriodOutput,
		source: OutputSource,
		report: Option<PeriodOutput>,
	) {
		let challenge_ends = Self::now().saturating_add(Timings::<T>::get().challenge_window);
		Rounds::<T>::remove(facility, period);
		ConsecutiveMisses::<T>::remove(facility);
		Outputs::<T>::insert(
			facility,
			period,
			OutputRecord {
				output,
				source,
				status: OutputStatus::Finalized { challenge_ends },
				report,
			},
		);
		Self::deposit_event(Event::Finalized { facility, period, output, source, challenge_ends });
	}

	pub(crate) fn do_close(facility: FacilityId, period: PeriodIndex) -> DispatchResult {
		ensure!(!Outputs::<T>::contains_key(facility, period), Error::<T>::AlreadyFinalized);
		let (_, end) = Self::bounds(period)?;
		let now = Self::now();
		let round = Rounds::<T>::get(facility, period);
		let mut round = match round {
			Some(round) if round.report.is_some() => round,
			_ => {
				// No report: the facility defaults, if it owes reports at all.
				T::Facilities::status(facility).ok_or(Error::<T>::UnknownFacility)?;
				ensure!(now >= Self::window_close(end, false), Error::<T>::WindowOpen);
				let (start, _) = Self::bounds(period)?;
				let owed_from = T::Facilities::active_since(facility)
					.unwrap_or(u64::MAX)
					.max(ChainStart::<T>::get().unwrap_or(u64::MAX));
				ensure!(start >= owed_from, Error::<T>::NotOwed);
				ensure!(
					T::Facilities::status(facility).is_some_and(|s| s.reports()),
					Error::<T>::FacilityNotReporting
				);
				return Self::default_period(facility, period);
			},
		};
		ensure!(!round.awaiting_governance, Error::<T>::AwaitingGovernance);
		ensure!(now >= Self::window_close(end, round.extended), Error::<T>::WindowOpen);
		let attestors = Attestors::<T>::get();
		let submitted = round.attestations.len();
		if submitted.saturating_mul(2) > attestors.len() {
			return Self::finalize_attested(facility, period, round);
		}
		if !round.extended {
			round.extended = true;
			let closes_at = Self::window_close(end, true);
			Rounds::<T>::insert(facility, period, round);
			Self::deposit_event(Event::WindowExtended { facility, period, closes_at });
		} else {
			round.awaiting_governance = true;
			for attestor in attestors.iter() {
				if !round.attestations.iter().any(|(a, _)| a == attestor) {
					Self::strike(attestor);
				}
			}
			Rounds::<T>::insert(facility, period, round);
			Self::deposit_event(Event::AwaitingGovernance { facility, period });
		}
		Ok(())
	}

	fn default_period(facility: FacilityId, period: PeriodIndex) -> DispatchResult {
		Rounds::<T>::remove(facility, period);
		Outputs::<T>::insert(
			facility,
			period,
			OutputRecord {
				output: PeriodOutput::default(),
				source: OutputSource::Defaulted,
				status: OutputStatus::Final,
				report: None,
			},
		);
		let consecutive = ConsecutiveMisses::<T>::mutate(facility, |misses| {
			*misses = misses.saturating_add(1);
			*misses
		});
		Self::deposit_event(Event::Defaulted { facility, period, consecutive });
		if consecutive >= T::MaxConsecutiveMisses::get() {
			// Already suspended or retiring: nothing more to do; its obligations continue.
			let _ = T::Facilities::suspend(
				facility,
				hashrate_primitives::SuspensionReason::MissedReports,
			);
		}
		T::OnPeriodFinal::on_period_final(facility, period, &PeriodOutcome::DefaultedByFacility);
		Ok(())
	}

	pub(crate) fn do_force_finalize(
		facility: FacilityId,
		period: PeriodIndex,
		from: FinalizeFrom,
	) -> DispatchResult {
		let round = Rounds::<T>::get(facility, period)
			.filter(|round| round.awaiting_governance)
			.ok_or(Error::<T>::NotAwaitingGovernance)?;
		let report = round.report.ok_or(Error::<T>::NotAwaitingGovernance)?;
		let (output, source) = match from {
			FinalizeFrom::Report => (report.output, OutputSource::GovernanceFromReport),
			FinalizeFrom::NetworkExpectation => {
				let network = Self::network_data_of(period).ok_or(Error::<T>::NoNetworkData)?;
				let (start, end) = Self::bounds(period)?;
				let sats = expected_net_sats(
					report.output.hashrate,
					end.saturating_sub(start),
					&network,
					report.output.pool_fee,
				)
				.ok_or(Error::<T>::Overflow)?;
				(PeriodOutput { sats, ..report.output }, OutputSource::GovernanceFromNetwork)
			},
		};
		Self::pay_from_pot(&T::TreasuryAccount::get(), report.fee)?;
		Self::record_finalized(facility, period, output, source, Some(report.output));
		Ok(())
	}

	pub(crate) fn do_make_final(facility: FacilityId, period: PeriodIndex) -> DispatchResult {
		let record = Outputs::<T>::get(facility, period).ok_or(Error::<T>::NotFinalized)?;
		match record.status {
			OutputStatus::Final => return Err(Error::<T>::AlreadyFinal.into()),
			OutputStatus::Finalized { challenge_ends } => {
				ensure!(Self::now() >= challenge_ends, Error::<T>::ChallengeWindowOpen)
			},
			OutputStatus::Disputed { resolve_by } => {
				ensure!(Self::now() >= resolve_by, Error::<T>::DisputeOpen);
				return Self::uphold(facility, period, record);
			},
		}
		Self::finish(facility, period, record);
		Ok(())
	}

	/// Marks `record` final, stores it and tells the hook.
	fn finish(facility: FacilityId, period: PeriodIndex, mut record: OutputRecord) {
		record.status = OutputStatus::Final;
		Outputs::<T>::insert(facility, period, record);
		Self::deposit_event(Event::MadeFinal { facility, period });
		T::OnPeriodFinal::on_period_final(facility, period, &PeriodOutcome::Final(record.output));
	}

	pub(crate) fn do_dispute(
		facility: FacilityId,
		period: PeriodIndex,
		disputer: Option<T::AccountId>,
	) -> DispatchResult {
		let mut record = Outputs::<T>::get(facility, period).ok_or(Error::<T>::NotFinalized)?;
		match record.status {
			OutputStatus::Final => return Err(Error::<T>::AlreadyFinal.into()),
			OutputStatus::Disputed { .. } => return Err(Error::<T>::AlreadyDisputed.into()),
			OutputStatus::Finalized { challenge_ends } => {
				ensure!(Self::now() < challenge_ends, Error::<T>::ChallengeWindowClosed)
			},
		}
		let deposit = T::DisputeDeposit::get();
		if let Some(who) = &disputer {
			T::Currency::hold(&HoldReason::DisputeDeposit.into(), who, deposit)
				.map_err(|_| Error::<T>::DepositNotAffordable)?;
		}
		let resolve_by = Self::now().saturating_add(Timings::<T>::get().resolution_window);
		record.status = OutputStatus::Disputed { resolve_by };
		Outputs::<T>::insert(facility, period, record);
		Disputes::<T>::insert(
			facility,
			period,
			Dispute { disputer: disputer.clone().map(|who| (who, deposit)) },
		);
		Self::deposit_event(Event::Disputed { facility, period, disputer, resolve_by });
		Ok(())
	}

	/// The values stand: the disputer's deposit goes to the treasury; the output is final.
	fn uphold(facility: FacilityId, period: PeriodIndex, record: OutputRecord) -> DispatchResult {
		let dispute = Disputes::<T>::take(facility, period).ok_or(Error::<T>::NotDisputed)?;
		if let Some((who, deposit)) = dispute.disputer {
			T::Currency::transfer_on_hold(
				&HoldReason::DisputeDeposit.into(),
				&who,
				&T::TreasuryAccount::get(),
				deposit,
				Precision::BestEffort,
				Restriction::Free,
				Fortitude::Force,
			)?;
		}
		Self::deposit_event(Event::DisputeUpheld { facility, period });
		Self::finish(facility, period, record);
		Ok(())
	}

	pub(crate) fn do_resolve_dispute(
		facility: FacilityId,
		period: PeriodIndex,
		correction: Option<PeriodOutput>,
	) -> DispatchResult {
		let mut record = Outputs::<T>::get(facility, period).ok_or(Error::<T>::NotDisputed)?;
		ensure!(matches!(record.status, OutputStatus::Disputed { .. }), Error::<T>::NotDisputed);
		let Some(corrected) = correction else { return Self::uphold(facility, period, record) };
		if let Ok(capacity) = Self::reporting_capacity(facility) {
			let (start, end) = Self::bounds(period)?;
			let network = Self::network_data_of(period);
			check_output(
				&corrected,
				&capacity,
				end.saturating_sub(start),
				network.as_ref(),
				&Self::tolerances(),
			)
			.map_err(Error::<T>::from)?;
		}
		let dispute = Disputes::<T>::take(facility, period).ok_or(Error::<T>::NotDisputed)?;
		if let Some((who, deposit)) = dispute.disputer {
			T::Currency::release(
				&HoldReason::DisputeDeposit.into(),
				&who,
				deposit,
				Precision::BestEffort,
			)?;
		}
		if record.report.is_some_and(|reported| {
			!output_within(&reported, &corrected, T::ReportTolerance::get())
		}) {
			let amount = T::Facilities::slash_deposit(facility, T::FraudSlash::get())?;
			Self::deposit_event(Event::FacilitySlashed { facility, amount });
		}
		for (attestor, submitted) in Submissions::<T>::get(facility, period) {
			if !output_within(&submitted, &corrected, T::AttestationTolerance::get()) {
				Self::slash_attestor(&attestor)?;
			}
		}
		record.output = PeriodOutput { evidence: record.output.evidence, ..corrected };
		Self::deposit_event(Event::DisputeCorrected { facility, period, output: record.output });
		Self::finish(facility, period, record);
		Ok(())
	}

	/// Takes [`Config::AttestorSlash`] of the attestor's bond to the treasury and removes it
	/// from the set, releasing the rest of its bond.
	fn slash_attestor(attestor: &T::AccountId) -> DispatchResult {
		let reason = HoldReason::AttestorBond.into();
		let amount = T::Currency::transfer_on_hold(
			&reason,
			attestor,
			&T::TreasuryAccount::get(),
			T::AttestorSlash::get(),
			Precision::BestEffort,
			Restriction::Free,
			Fortitude::Force,
		)?;
		Self::deposit_event(Event::AttestorSlashed { attestor: attestor.clone(), amount });
		let was_member = Attestors::<T>::mutate(|attestors| {
			let position = attestors.iter().position(|a| a == attestor);
			position.map(|p| attestors.remove(p)).is_some()
		});
		if was_member {
			let rest = T::Currency::balance_on_hold(&reason, attestor);
			T::Currency::release(&reason, attestor, rest, Precision::BestEffort)?;
			Self::deposit_event(Event::AttestorRemoved { attestor: attestor.clone() });
		}
		Ok(())
	}

	/// Checks the pallet's invariants:
	///
	/// - **The pot holds exactly the unpaid fees.** `FeePot` equals the sum of the fees of
	///   open rounds' reports, and the pot account's balance equals `FeePot`.
	/// - **Bonds are held.** Every attestor has at least `AttestorBond` on hold.
	/// - **Finalized outputs had quorum and are medians.** An attested output names `n`
	///   attestors of a set of `of`, with `n = of` or `2n > of`; its kept submissions number
	///   `n`, and each of its metrics lies within the min and max of those submissions. A
	///   finalized output never coexists with an open round of the same facility-period.
	/// - **Rounds are well-formed.** No attestor appears twice in a round; a round waiting for
	///   governance has a report and was extended.
	/// - **Schedules are ordered and contiguous.** Start indices and times increase, every
	///   length is non-zero, and each schedule starts where the previous one numbers its
	///   start index.
	/// - **Feeds are unique per feeder.**
	/// - **Frozen outputs have an open dispute.** An output is `Disputed` exactly when a
	///   dispute is open for it, and every account holds under `DisputeDeposit` exactly the
	///   deposits of its open disputes.
	#[cfg(any(feature = "try-runtime", feature = "std", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		use frame_support::traits::fungible::Inspect;
		let mut fees: BalanceOf<T> = Zero::zero();
		for (facility, period, round) in Rounds::<T>::iter() {
			if let Some(report) = &round.report {
				fees = fees.saturating_add(report.fee);
			}
			ensure!(
				!Outputs::<T>::contains_key(facility, period),
				"an open round of a finalized facility-period"
			);
			for (i, (attestor, _)) in round.attestations.iter().enumerate() {
				ensure!(
					!round.attestations[..i].iter().any(|(a, _)| a == attestor),
					"attestor twice in a round"
				);
			}
			if round.awaiting_governance {
				ensure!(round.report.is_some() && round.extended, "waiting round not extended");
			}
		}
		ensure!(FeePot::<T>::get() == fees, "FeePot differs from the open rounds' fees");
		ensure!(
			T::Currency::balance(&Self::pot_account()) == fees,
			"pot account balance differs from the unpaid fees"
		);
		for attestor in Attestors::<T>::get() {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::AttestorBond.into(), &attestor)
					>= T::AttestorBond::get(),
				"attestor without its bond"
			);
		}
		for (facility, period, record) in Outputs::<T>::iter() {
			if let OutputSource::Attested { attestors, of } = record.source {
				ensure!(attestors > 0 && (attestors == of || attestors * 2 > of), "no quorum");
				let kept = Submissions::<T>::get(facility, period);
				ensure!(kept.len() as u32 == attestors, "kept submissions differ from the count");
				let lies_within = |f: &dyn Fn(&PeriodOutput) -> u128| {
					let value = f(&record.output);
					let values = kept.iter().map(|(_, o)| f(o));
					values.clone().min().is_some_and(|min| min <= value)
						&& values.max().is_some_and(|max| value <= max)
				};
				ensure!(
					lies_within(&|o| o.hashrate.get())
						&& lies_within(&|o| u128::from(o.sats.get()))
						&& lies_within(&|o| u128::from(o.energy.get()))
						&& lies_within(&|o| u128::from(o.uptime))
						&& lies_within(&|o| u128::from(o.pool_fee)),
					"a finalized metric lies outside its submissions"
				);
			}
		}
		let schedules: frame_support::BoundedVec<Schedule, _> = Schedules::<T>::get();
		for pair in schedules.windows(2) {
			let (a, b) = (pair[0], pair[1]);
			ensure!(a.length > 0 && b.length > 0, "zero period length");
			ensure!(a.start_index < b.start_index, "schedules out of order");
			ensure!(
				a.bounds(b.start_index).map(|x| x.0) == Some(b.start_time),
				"schedules not contiguous"
			);
		}
		let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for (facility, period, dispute) in Disputes::<T>::iter() {
			ensure!(
				Outputs::<T>::get(facility, period)
					.is_some_and(|r| matches!(r.status, OutputStatus::Disputed { .. })),
				"a dispute of an output that is not frozen"
			);
			if let Some((who, deposit)) = dispute.disputer {
				let held = deposits.entry(who).or_insert_with(Zero::zero);
				*held = held.saturating_add(deposit);
			}
		}
		for (facility, period, record) in Outputs::<T>::iter() {
			if matches!(record.status, OutputStatus::Disputed { .. }) {
				ensure!(Disputes::<T>::contains_key(facility, period), "frozen without a dispute");
			}
		}
		for attestor in Attestors::<T>::get().into_iter().chain(deposits.keys().cloned()) {
			let expected = deposits.get(&attestor).copied().unwrap_or_else(Zero::zero);
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::DisputeDeposit.into(), &attestor)
					== expected,
				"held dispute deposits differ from open disputes"
			);
		}
		for (_, feeds) in Feeds::<T>::iter() {
			for (i, (feeder, _)) in feeds.iter().enumerate() {
				ensure!(!feeds[..i].iter().any(|(f, _)| f == feeder), "feeder twice in a period");
			}
		}
		Ok(())
	}
}
