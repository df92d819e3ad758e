//! The pallet's logic, shared by calls, genesis and the trait other pallets use.

use crate::*;
use frame_support::weights::Weight;
use frame_support::{
	ensure,
	traits::{
		fungible::{InspectHold, Mutate, MutateHold},
		tokens::{Fortitude, Precision, Preservation, Restriction},
		Get,
	},
};
use hashrate_primitives::{FacilityInspect, Hashrate, PeriodOutcome};
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

	/// The shortest period length among the schedules kept (the one in force, those scheduled
	/// after it, and earlier ones whose periods may still be settling), with `also` (a length
	/// about to be scheduled). Reads no clock, so genesis can ask.
	pub fn shortest_period_length_of(also: Option<u64>) -> u64 {
		Schedules::<T>::get().iter().map(|s| s.length).chain(also).min().unwrap_or(u64::MAX)
	}

	/// The period containing `now`.
	pub fn period_at(now: u64) -> Option<PeriodIndex> {
		let schedules = Schedules::<T>::get();
		schedule_at(&schedules, now).and_then(|schedule| schedule.period_at(now))
	}

	/// The network data of `period`, once fixed.
	pub fn network_data_of(period: PeriodIndex) -> Option<NetworkData> {
		Network::<T>::get(period).map(|fixed| fixed.data)
	}

	/// What submissions for `period` are checked against: its fixed network data, or the last
	/// fixed value while its feed window is open.
	pub fn network_for_checks(period: PeriodIndex) -> Option<NetworkData> {
		Self::network_data_of(period).or_else(|| LastFixed::<T>::get().map(|last| last.data))
	}

	/// When the feed window of a period ending at `end` closes: after the first half of its
	/// report window.
	pub fn feed_window_close(end: u64) -> u64 {
		end.saturating_add(Timings::<T>::get().report_window / 2)
	}

	pub(crate) fn do_feed(
		feeder: T::AccountId,
		period: PeriodIndex,
		data: NetworkData,
	) -> Result<bool, DispatchError> {
		ensure!(Feeders::<T>::get().contains(&feeder), Error::<T>::NotFeeder);
		ensure!(
			!data.difficulty.is_zero() && !data.reward_per_block.is_zero(),
			Error::<T>::InvalidNetworkData
		);
		let (_, end) = Self::bounds(period)?;
		let now = Self::now();
		ensure!(now >= end, Error::<T>::PeriodNotEnded);
		ensure!(!Network::<T>::contains_key(period), Error::<T>::NetworkDataFixed);
		ensure!(
			Self::first_unfixed(now).is_some_and(|next| next <= period)
				&& now < Self::feed_window_close(end),
			Error::<T>::WindowClosed
		);
		let last = LastFixed::<T>::get().ok_or(Error::<T>::NetworkDataNotFixed)?;
		let since = match last.period {
			Some(_) => last.end,
			None => ChainStart::<T>::get().unwrap_or(now),
		};
		check_feed(&data, &last.data, retargets_between(since, end)).map_err(
			|bound| match bound {
				FeedOutOfBounds::Difficulty => Error::<T>::DifficultyOutOfBounds,
				FeedOutOfBounds::Reward => Error::<T>::RewardOutOfBounds,
			},
		)?;
		let replaced = Feeds::<T>::try_mutate(period, |feeds| {
			match feeds.iter_mut().find(|(f, _)| *f == feeder) {
				Some(entry) => {
					entry.1 = data;
					Ok::<_, DispatchError>(true)
				},
				None => {
					feeds
						.try_push((feeder.clone(), data))
						.map_err(|_| Error::<T>::TooManyFeeders)?;
					Ok(false)
				},
			}
		})?;
		Self::deposit_event(Event::NetworkDataFed { period, feeder, data });
		// The set is complete: the window closes now (unless a live relay may still cover it).
		if !T::Bitcoin::is_active() && Self::complete(&Feeds::<T>::get(period)) {
			Self::fix_network_data(period);
		}
		Ok(replaced)
	}

	/// The block hook's cursor; in the chain's first block, before `on_finalize` sets it, the
	/// oldest period whose feed window is open at `now`.
	pub(crate) fn first_unfixed(now: u64) -> Option<PeriodIndex> {
		NextToFix::<T>::get()
			.or_else(|| Self::period_at(now.saturating_sub(Timings::<T>::get().report_window / 2)))
	}

	/// Whether every feeder has fed `feeds` and they are enough for a median.
	fn complete(feeds: &[(T::AccountId, NetworkData)]) -> bool {
		u32::try_from(feeds.len()).is_ok_and(|n| n >= T::MinFeeds::get())
			&& Feeders::<T>::get().iter().all(|f| feeds.iter().any(|(fed, _)| fed == f))
	}

	/// Moves the cursor over up to `limit` periods, oldest first, fixing those whose feed
	/// window closed by `now` or whose feeds are complete (a period fixed already, by its last
	/// feed or by governance, is passed); returns how many it passed.
	pub(crate) fn fix_due(now: u64, limit: u32) -> u32 {
		let Some(mut next) = NextToFix::<T>::get() else { return 0 };
		let mut fixed = 0;
		while fixed < limit {
			let Ok((_, end)) = Self::bounds(next) else { break };
			if now < end {
				break;
			}
			if !Self::fixable_early(next, now, end) {
				break;
			}
			Self::fix_network_data(next);
			fixed += 1;
			match next.next() {
				Some(after) => next = after,
				None => break,
			}
		}
		if fixed > 0 {
			NextToFix::<T>::put(next);
		}
		fixed
	}

	/// Whether `period` (ending at `end`, ended by `now`) may be fixed: its feed window
	/// closed, the relay covers it with proven fees, or — while the relay is not live — every
	/// feeder fed it.
	fn fixable_early(period: PeriodIndex, now: u64, end: u64) -> bool {
		if now >= Self::feed_window_close(end) {
			return true;
		}
		if T::Bitcoin::is_active() {
			Self::relayed(period).is_some_and(|relayed| relayed.network_data().is_some())
		} else {
			Self::complete(&Feeds::<T>::get(period))
		}
	}

	/// What the relay derives for `period`, when it covers it with usable values.
	fn relayed(period: PeriodIndex) -> Option<RelayedNetworkData> {
		let (start, end) = Self::bounds(period).ok()?;
		T::Bitcoin::network_data(start, end).filter(|relayed| !relayed.difficulty.is_zero())
	}

	/// Fixes `period`'s network data once (unless governance set it already), by precedence:
	/// the relay's difficulty and, with every sampled coinbase proven, its reward per block;
	/// the median of the feeds when there are [`Config::MinFeeds`] (lower middle for an even
	/// count); the last fixed value. Drops the feeds and the data of the period
	/// [`Config::NetworkHistory`] before.
	pub fn fix_network_data(period: PeriodIndex) {
		let feeds = Feeds::<T>::take(period);
		if let Some(old) = period.0.checked_sub(T::NetworkHistory::get()) {
			Network::<T>::remove(PeriodIndex(old));
		}
		if Network::<T>::contains_key(period) {
			return;
		}
		let count = u32::try_from(feeds.len()).unwrap_or(u32::MAX);
		let from_feeds = if count >= T::MinFeeds::get() {
			median_network(feeds.iter().map(|(_, d)| d))
		} else {
			None
		};
		let relayed = Self::relayed(period);
		let from_bitcoin = relayed.and_then(|relayed| {
			match relayed.network_data().filter(|data| !data.reward_per_block.is_zero()) {
				Some(data) => Some((data, NetworkSource::Bitcoin { sampled: relayed.sampled })),
				None => {
					let (reward, feeds) = match from_feeds {
						Some(fed) => (fed.reward_per_block, count),
						None => (LastFixed::<T>::get()?.data.reward_per_block, 0),
					};
					let data =
						NetworkData { difficulty: relayed.difficulty, reward_per_block: reward };
					Some((data, NetworkSource::BitcoinDifficulty { feeds }))
				},
			}
		});
		if let Some((data, source)) = from_bitcoin {
			if LastFixed::<T>::get().and_then(|last| last.period).is_none_or(|last| last <= period)
			{
				let end = Self::bounds(period).map(|(_, end)| end).unwrap_or_default();
				LastFixed::<T>::put(LastFixedNetwork { period: Some(period), end, data });
			}
			Network::<T>::insert(period, FixedNetwork { data, source, used: false });
			Self::deposit_event(Event::NetworkDataFixed { period, data, source });
			return;
		}
		let (data, source) = match (from_feeds, LastFixed::<T>::get()) {
			(Some(data), last) => {
				// The reference only moves forward (periods may be fixed out of order).
				if last.and_then(|last| last.period).is_none_or(|last| last <= period) {
					let end = Self::bounds(period).map(|(_, end)| end).unwrap_or_default();
					LastFixed::<T>::put(LastFixedNetwork { period: Some(period), end, data });
				}
				(data, NetworkSource::Feeds { feeds: count })
			},
			(None, Some(last)) => (last.data, NetworkSource::LastFixed),
			// No genesis value (a chain built without one): nothing to carry over.
			(None, None) => return,
		};
		Network::<T>::insert(period, FixedNetwork { data, source, used: false });
		Self::deposit_event(Event::NetworkDataFixed { period, data, source });
	}

	pub(crate) fn do_set_network_data(period: PeriodIndex, data: NetworkData) -> DispatchResult {
		ensure!(
			!data.difficulty.is_zero() && !data.reward_per_block.is_zero(),
			Error::<T>::InvalidNetworkData
		);
		let (_, end) = Self::bounds(period)?;
		// Only an ended period: a later one would move the reference ahead of the feeds.
		ensure!(Self::now() >= end, Error::<T>::PeriodNotEnded);
		ensure!(
			!Network::<T>::get(period).is_some_and(|fixed| fixed.used),
			Error::<T>::NetworkDataInUse
		);
		Feeds::<T>::remove(period);
		Network::<T>::insert(
			period,
			FixedNetwork { data, source: NetworkSource::Governance, used: false },
		);
		if LastFixed::<T>::get().and_then(|last| last.period).is_none_or(|last| last <= period) {
			LastFixed::<T>::put(LastFixedNetwork { period: Some(period), end, data });
		}
		Self::deposit_event(Event::NetworkDataSet { period, data });
		Ok(())
	}

	/// `period`'s fixed network data, fixing it now if its feed window closed or its feeds are
	/// complete (ahead of or behind the block hook's cursor).
	pub(crate) fn ensure_fixed(period: PeriodIndex) -> Result<NetworkData, DispatchError> {
		if let Some(data) = Self::network_data_of(period) {
			return Ok(data);
		}
		let (_, end) = Self::bounds(period)?;
		let now = Self::now();
		// Behind the cursor too (a period whose window closed before the chain's first block
		// or before the upgrade to v2): carried over from the last fixed value.
		ensure!(
			now >= end && Self::fixable_early(period, now, end),
			Error::<T>::NetworkDataNotFixed
		);
		Self::fix_network_data(period);
		Self::network_data_of(period).ok_or_else(|| Error::<T>::NetworkDataNotFixed.into())
	}

	/// Marks `period`'s network data as used by an output: governance may no longer change it.
	fn mark_used(period: PeriodIndex) {
		Network::<T>::mutate(period, |fixed| {
			if let Some(fixed) = fixed {
				fixed.used = true;
			}
		});
	}

	/// See the `check_output` view function.
	pub fn verdict(
		facility: FacilityId,
		period: PeriodIndex,
		output: &PeriodOutput,
	) -> Result<PhysicsVerdict, OracleQueryError> {
		let capacity = Self::reporting_capacity(facility).map_err(|e| {
			if e == Error::<T>::FacilityNotReporting.into() {
				OracleQueryError::FacilityNotReporting
			} else {
				OracleQueryError::UnknownFacility
			}
		})?;
		let (start, end) = Self::bounds(period).map_err(|_| OracleQueryError::NoSchedule)?;
		let fixed = Self::network_data_of(period);
		let network = fixed.or_else(|| LastFixed::<T>::get().map(|last| last.data));
		Ok(physics_verdict(
			output,
			&capacity,
			end.saturating_sub(start),
			network.as_ref(),
			fixed.is_some(),
			&Self::tolerances(),
		))
	}

	/// Whether `period` is older than the outputs kept.
	pub(crate) fn too_old(period: PeriodIndex) -> bool {
		Self::period_at(Self::now())
			.is_some_and(|current| period.0.saturating_add(T::OutputHistory::get()) <= current.0)
	}

	/// Drops `facility`'s final output [`Config::OutputHistory`] periods before `period`
	/// (whose output was just recorded).
	fn prune_output(facility: FacilityId, period: PeriodIndex) {
		let Some(old) = period.0.checked_sub(T::OutputHistory::get()) else { return };
		let old = PeriodIndex(old);
		if Outputs::<T>::get(facility, old).is_some_and(|r| r.status == OutputStatus::Final) {
			Outputs::<T>::remove(facility, old);
			ProofBases::<T>::remove(facility, old);
		}
	}

	/// Whether `who` may attest or dispute `facility`: not its operator, not its reporter key.
	pub fn is_eligible(facility: FacilityId, who: &T::AccountId) -> bool {
		T::Facilities::operator(facility).as_ref() != Some(who)
			&& !T::Facilities::is_reporter(facility, who)
	}

	/// The attestors that may attest `facility`.
	fn eligible_attestors(facility: FacilityId) -> alloc::vec::Vec<T::AccountId> {
		Attestors::<T>::get().into_iter().filter(|a| Self::is_eligible(facility, a)).collect()
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
		ensure!(
			T::SettlementLimits::backlog_fits(
				finality_horizon(&Timings::<T>::get()),
				Self::shortest_period_length_of(Some(length))
			),
			Error::<T>::BacklogTooLong
		);
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
	pub(crate) fn window_close(end: u64, extended: bool) -> u64 {
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
		ensure!(!Self::too_old(period), Error::<T>::PeriodTooOld);
		let (start, end) = Self::bounds(period)?;
		let now = Self::now();
		ensure!(now >= end, Error::<T>::PeriodNotEnded);
		let round = Rounds::<T>::get(facility, period).unwrap_or_default();
		ensure!(
			!round.awaiting_governance && now < Self::window_close(end, round.extended),
			Error::<T>::WindowClosed
		);
		let network = Self::network_for_checks(period);
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
	) -> Result<bool, DispatchError> {
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

	/// Returns whether the attestor amended its earlier attestation and whether the round
	/// was finalized.
	pub(crate) fn do_attest(
		attestor: T::AccountId,
		facility: FacilityId,
		period: PeriodIndex,
		output: PeriodOutput,
	) -> Result<(bool, bool), DispatchError> {
		ensure!(Attestors::<T>::get().contains(&attestor), Error::<T>::NotAttestor);
		let capacity = Self::reporting_capacity(facility)?;
		ensure!(Self::is_eligible(facility, &attestor), Error::<T>::OwnFacility);
		let mut round = Self::open_round(facility, period, &output, &capacity)?;
		let amended = match round.attestations.iter_mut().find(|(a, _)| *a == attestor) {
			Some(entry) => {
				entry.1 = output;
				true
			},
			None => {
				round
					.attestations
					.try_push((attestor.clone(), output))
					.map_err(|_| Error::<T>::TooManyAttestors)?;
				false
			},
		};
		Self::deposit_event(Event::Attested { facility, period, attestor });
		let finalized = Self::store_or_finalize(facility, period, round)?;
		Ok((amended, finalized))
	}

	/// Whether the facility reported and every attestor eligible for it attested.
	fn is_complete(facility: FacilityId, round: &RoundOf<T>) -> bool {
		let eligible = Self::eligible_attestors(facility);
		round.report.is_some()
			&& !eligible.is_empty()
			&& eligible.iter().all(|a| round.attestations.iter().any(|(s, _)| s == a))
	}

	/// Finalizes a complete round once the period's network data is fixed; otherwise stores
	/// the round (`close` finalizes it later). Returns whether it finalized.
	fn store_or_finalize(
		facility: FacilityId,
		period: PeriodIndex,
		round: RoundOf<T>,
	) -> Result<bool, DispatchError> {
		if Self::is_complete(facility, &round) {
			if let Ok(network) = Self::ensure_fixed(period) {
				Self::finalize_attested(facility, period, round, &network)?;
				return Ok(true);
			}
		}
		if Self::behind_sweep(facility, period) {
			if let Some(at) = Self::round_due(period, &round) {
				Self::queue_close(facility, period, at);
			}
		}
		Rounds::<T>::insert(facility, period, round);
		Ok(false)
	}

	/// The eligible attestation with the median sats, taken whole (sats clamped into the
	/// physics bound of the fixed network data if needed); fee to the attestors within
	/// tolerance of it; strikes and flags.
	fn finalize_attested(
		facility: FacilityId,
		period: PeriodIndex,
		round: RoundOf<T>,
		network: &NetworkData,
	) -> DispatchResult {
		let report = round.report.ok_or(Error::<T>::NotAwaitingGovernance)?;
		let (start, end) = Self::bounds(period)?;
		let members = Attestors::<T>::get();
		let counted: alloc::vec::Vec<(T::AccountId, PeriodOutput)> = round
			.attestations
			.into_iter()
			.filter(|(attestor, _)| {
				members.contains(attestor) && Self::is_eligible(facility, attestor)
			})
			.collect();
		let outputs: alloc::vec::Vec<PeriodOutput> = counted.iter().map(|(_, o)| *o).collect();
		let chosen = median_attestation(&outputs, T::AttestationTolerance::get())
			.ok_or(Error::<T>::NotAwaitingGovernance)?;
		let (output, clamped) = clamp_sats(
			&PeriodOutput { evidence: report.output.evidence, ..chosen },
			end.saturating_sub(start),
			network,
			T::PoolLuckTolerance::get(),
		)
		.ok_or(Error::<T>::Overflow)?;
		if clamped {
			Self::deposit_event(Event::SatsClamped {
				facility,
				period,
				attested: chosen.sats,
				finalized: output.sats,
			});
		}
		let of = u32::try_from(Self::eligible_attestors(facility).len())
			.map_err(|_| Error::<T>::Overflow)?;
		let tolerance = T::AttestationTolerance::get();
		let (paid, struck): (alloc::vec::Vec<_>, alloc::vec::Vec<_>) =
			counted.iter().partition(|(_, submitted)| output_within(submitted, &output, tolerance));
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
			Self::strike(attestor, period)?;
		}
		if !output_within(&report.output, &output, T::ReportTolerance::get()) {
			Self::deposit_event(Event::ReportDeviates {
				facility,
				period,
				reported: report.output,
			});
		}
		let attestors = u32::try_from(counted.len()).map_err(|_| Error::<T>::Overflow)?;
		Submissions::<T>::insert(
			facility,
			period,
			frame_support::BoundedVec::<_, T::MaxAttestors>::truncate_from(counted),
		);
		let source = if clamped {
			OutputSource::AttestedClamped { attestors, of }
		} else {
			OutputSource::Attested { attestors, of }
		};
		Self::record_finalized(facility, period, output, source, Some(report.output));
		Ok(())
	}

	/// Records a strike of `period` against a current attestor, forgetting strikes older than
	/// the window; at the limit it is removed with part of its bond slashed, unless the set
	/// is at its minimum size.
	fn strike(attestor: &T::AccountId, period: PeriodIndex) -> DispatchResult {
		if !Attestors::<T>::get().contains(attestor) {
			return Ok(());
		}
		let rules = StrikeRule::<T>::get();
		let strikes = Strikes::<T>::mutate(attestor, |strikes| {
			// Kept in period order (rounds of different facilities close in any order),
			// within one window of the newest.
			if strikes.is_full() {
				strikes.remove(0);
			}
			let at = strikes.iter().position(|p| *p > period).unwrap_or(strikes.len());
			let _ = strikes.try_insert(at, period);
			let newest = strikes.last().copied().unwrap_or(period);
			strikes.retain(|p| p.0.saturating_add(rules.window) > newest.0);
			u32::try_from(strikes.len()).unwrap_or(u32::MAX)
		});
		Self::deposit_event(Event::AttestorStruck { attestor: attestor.clone(), strikes });
		if rules.limit == 0 || strikes < rules.limit {
			return Ok(());
		}
		let set = u32::try_from(Attestors::<T>::get().len()).unwrap_or(u32::MAX);
		let removed = set > rules.min_attestors;
		Self::deposit_event(Event::StrikeLimitReached { attestor: attestor.clone(), removed });
		if removed {
			Self::slash_attestor(attestor, rules.slash.mul_floor(T::AttestorBond::get()))?;
		}
		Ok(())
	}

	fn record_finalized(
		facility: FacilityId,
		period: PeriodIndex,
		output: PeriodOutput,
		source: OutputSource,
		report: Option<PeriodOutput>,
	) {
		let challenge_ends = Self::after_proofs(
			facility,
			period,
			Self::now().saturating_add(Timings::<T>::get().challenge_window),
		);
		Rounds::<T>::remove(facility, period);
		Self::mark_used(period);
		Self::prune_output(facility, period);
		let status = OutputStatus::Finalized { challenge_ends };
		Outputs::<T>::insert(facility, period, OutputRecord { output, source, status, report });
		Self::queue_make_final(facility, period, &status);
		Self::deposit_event(Event::Finalized { facility, period, output, source, challenge_ends });
	}

	pub(crate) fn do_close(facility: FacilityId, period: PeriodIndex) -> DispatchResult {
		ensure!(!Outputs::<T>::contains_key(facility, period), Error::<T>::AlreadyFinalized);
		// Its output may have been pruned: never decided twice.
		ensure!(!Self::too_old(period), Error::<T>::PeriodTooOld);
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
				if !Self::owes(facility, start) {
					// Attestations of a period the facility does not owe: nothing to decide,
					// the round goes.
					ensure!(Rounds::<T>::take(facility, period).is_some(), Error::<T>::NotOwed);
					return Ok(());
				}
				if !T::Facilities::status(facility).is_some_and(|s| s.reports()) {
					// Retired or rejected since attestors attested: nothing to decide.
					ensure!(
						Rounds::<T>::take(facility, period).is_some(),
						Error::<T>::FacilityNotReporting
					);
					return Ok(());
				}
				let network = Self::ensure_fixed(period)?;
				if Self::proven_mode(facility, period)
					&& T::Payouts::proven(facility, period).get() > 0
				{
					return Self::finalize_from_proofs(facility, period, &network);
				}
				return Self::default_period(facility, period);
			},
		};
		if round.awaiting_governance {
			let expires =
				Self::window_close(end, true).saturating_add(Timings::<T>::get().resolution_window);
			ensure!(now >= expires, Error::<T>::AwaitingGovernance);
			return Self::expire(facility, period, round);
		}
		if Self::is_complete(facility, &round) {
			let network = Self::ensure_fixed(period)?;
			return Self::finalize_attested(facility, period, round, &network);
		}
		ensure!(now >= Self::window_close(end, round.extended), Error::<T>::WindowOpen);
		let eligible = Self::eligible_attestors(facility);
		let submitted = round.attestations.iter().filter(|(a, _)| eligible.contains(a)).count();
		if submitted.saturating_mul(2) > eligible.len() {
			let network = Self::ensure_fixed(period)?;
			return Self::finalize_attested(facility, period, round, &network);
		}
		if !round.extended {
			round.extended = true;
			let closes_at = Self::window_close(end, true);
			Self::queue_close(facility, period, closes_at);
			Rounds::<T>::insert(facility, period, round);
			Self::deposit_event(Event::WindowExtended { facility, period, closes_at });
		} else {
			round.awaiting_governance = true;
			for attestor in eligible.iter() {
				if !round.attestations.iter().any(|(a, _)| a == attestor) {
					Self::strike(attestor, period)?;
				}
			}
			if let Some(expires) = Self::round_due(period, &round) {
				Self::queue_close(facility, period, expires);
			}
			Rounds::<T>::insert(facility, period, round);
			Self::deposit_event(Event::AwaitingGovernance { facility, period });
		}
		Ok(())
	}

	/// Whether `facility` owes a report for a period starting at `start`: approved and the
	/// chain running by then.
	fn owes(facility: FacilityId, start: u64) -> bool {
		let owed_from = T::Facilities::active_since(facility)
			.unwrap_or(u64::MAX)
			.max(ChainStart::<T>::get().unwrap_or(u64::MAX));
		start >= owed_from
	}

	/// Whether `facility` missed `period`: defaulted, or (not closed yet) unreported past its
	/// window and owed — a period that can only default.
	fn missed(facility: FacilityId, period: PeriodIndex) -> bool {
		if let Some(record) = Outputs::<T>::get(facility, period) {
			return record.source == OutputSource::Defaulted;
		}
		if Rounds::<T>::get(facility, period).is_some_and(|round| round.report.is_some()) {
			return false;
		}
		// Proven mode: proofs of the period finalize it when it closes.
		if Self::proven_mode(facility, period) && T::Payouts::proven(facility, period).get() > 0 {
			return false;
		}
		Self::bounds(period).is_ok_and(|(start, end)| {
			Self::now() >= Self::window_close(end, false) && Self::owes(facility, start)
		})
	}

	/// Periods in a row `facility` missed up to and including `period` (which it missed),
	/// counted back at most [`Config::MaxConsecutiveMisses`]: decided from the periods'
	/// outcomes, not from the order anyone closed them in.
	pub fn misses_in_a_row(facility: FacilityId, period: PeriodIndex) -> u32 {
		let mut misses = 1;
		while misses < T::MaxConsecutiveMisses::get() {
			match period.0.checked_sub(misses) {
				Some(before) if Self::missed(facility, PeriodIndex(before)) => misses += 1,
				_ => break,
			}
		}
		misses
	}

	/// A round that waited for governance past the resolution window: final from the report
	/// with sats at most the network expectation, flagged; the fee goes to the treasury.
	fn expire(facility: FacilityId, period: PeriodIndex, round: RoundOf<T>) -> DispatchResult {
		let report = round.report.ok_or(Error::<T>::NotAwaitingGovernance)?;
		let network = Self::ensure_fixed(period)?;
		let (start, end) = Self::bounds(period)?;
		let expected = expected_net_sats(
			report.output.hashrate,
			end.saturating_sub(start),
			&network,
			report.output.pool_fee,
		)
		.ok_or(Error::<T>::Overflow)?;
		let output = PeriodOutput { sats: report.output.sats.min(expected), ..report.output };
		Self::pay_from_pot(&T::TreasuryAccount::get(), report.fee)?;
		Self::record_finalized(
			facility,
			period,
			output,
			OutputSource::ExpiredFromReport,
			Some(report.output),
		);
		Ok(())
	}

	fn default_period(facility: FacilityId, period: PeriodIndex) -> DispatchResult {
		Rounds::<T>::remove(facility, period);
		Self::mark_used(period);
		Self::prune_output(facility, period);
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
		let consecutive = Self::misses_in_a_row(facility, period);
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
				let network = Self::ensure_fixed(period)?;
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
		Self::finish(facility, period, record, None);
		Ok(())
	}

	/// Marks `record` final, stores it and tells the hook. In proven mode its sats become
	/// `max(attested, floor)` ([`proven_floor`]) first; `basis` is a correction by proofs
	/// already applied.
	fn finish(
		facility: FacilityId,
		period: PeriodIndex,
		mut record: OutputRecord,
		mut basis: Option<ProofBasis>,
	) {
		Self::unqueue_make_final(facility, period, &record.status);
		if basis.is_none() && Self::proven_mode(facility, period) {
			let (proven, floor) = Self::proven_floor_of(facility, period);
			let attested = if record.source == OutputSource::ProvenWithoutReport {
				Sats(0)
			} else {
				record.output.sats
			};
			if floor > attested.get() {
				Self::deposit_event(Event::RaisedToProofs {
					facility,
					period,
					attested,
					proven: Sats(floor),
				});
			}
			record.output.sats = Sats(attested.get().max(floor));
			if record.source == OutputSource::ProvenWithoutReport {
				record.output.hashrate =
					Self::implied_by(facility, period, floor).unwrap_or(record.output.hashrate);
			}
			basis = Some(ProofBasis {
				proven_mode: true,
				attested,
				proven,
				floor: Sats(floor),
				corrected: false,
			});
		}
		record.status = OutputStatus::Final;
		Outputs::<T>::insert(facility, period, record);
		// Final: the evidence is no longer needed (the `Attested` events keep it).
		Submissions::<T>::remove(facility, period);
		Self::deposit_event(Event::MadeFinal { facility, period });
		let outcome = match basis {
			Some(basis) => {
				ProofBases::<T>::insert(facility, period, basis);
				PeriodOutcome::Proven { output: record.output, proven: basis.floor }
			},
			None => PeriodOutcome::Final(record.output),
		};
		T::OnPeriodFinal::on_period_final(facility, period, &outcome);
	}

	/// Whether `facility` is in proven mode for `period` (its payout settings then).
	pub(crate) fn proven_mode(facility: FacilityId, period: PeriodIndex) -> bool {
		T::Payouts::settings(facility, period).proven_mode
	}

	/// `at`, or in proven mode the close of `period`'s report window if later: a
	/// proven-mode output is not made final, nor a dispute of it resolved, before every
	/// payout of the period could be proven.
	fn after_proofs(facility: FacilityId, period: PeriodIndex, at: u64) -> u64 {
		match Self::bounds(period) {
			Ok((_, end)) if Self::proven_mode(facility, period) => {
				at.max(Self::window_close(end, false))
			},
			_ => at,
		}
	}

	/// The facility's capacity as registered (whatever its status).
	fn capacity_of(facility: FacilityId) -> Option<Capacity> {
		Some(Capacity {
			hashrate: T::Facilities::hashrate_capacity(facility)?,
			efficiency: T::Facilities::fleet_efficiency(facility)?,
			power: T::Facilities::power_capacity(facility)?,
		})
	}

	/// `facility`'s `period` as one period of a running sum: proven sats, counted sats, and
	/// the physics bound (an unknown bound — no capacity or network data — allows nothing
	/// beyond what the period counts).
	fn sum_period(
		facility: FacilityId,
		period: PeriodIndex,
		capacity: Option<&Capacity>,
	) -> SumPeriod {
		let proven = T::Payouts::proven(facility, period).get();
		// A period still open counts what its facility reported, so the order in which periods
		// are decided changes little.
		let counted = match Outputs::<T>::get(facility, period) {
			Some(record) => record.output.sats.get(),
			None => Rounds::<T>::get(facility, period)
				.and_then(|round| round.report)
				.map_or(0, |report| report.output.sats.get()),
		};
		let bound = capacity
			.zip(Self::bounds(period).ok())
			.zip(Self::network_data_of(period))
			.and_then(|((capacity, (start, end)), network)| {
				max_sats(capacity, end.saturating_sub(start), &network, &Self::tolerances())
			})
			.unwrap_or(u128::from(counted));
		SumPeriod { proven, counted, bound }
	}

	/// Sats proven for `facility`'s `period` and what of them its output counts at least:
	/// [`proven_floor`] over [`Config::ProvenSumPeriods`] periods ending with `period`.
	pub fn proven_floor_of(facility: FacilityId, period: PeriodIndex) -> (Sats, u64) {
		let capacity = Self::capacity_of(facility);
		let now = Self::sum_period(facility, period, capacity.as_ref());
		let earlier: alloc::vec::Vec<SumPeriod> = (1..T::ProvenSumPeriods::get().max(1))
			.filter_map(|back| period.0.checked_sub(back))
			.map(|p| Self::sum_period(facility, PeriodIndex(p), capacity.as_ref()))
			.collect();
		(Sats(now.proven), proven_floor(&now, &earlier))
	}

	/// Weight of [`Self::proven_floor_of`] and the proven-mode check: the settings, the
	/// capacity, and per period of the sum its proofs, output, round, schedule and network
	/// data.
	pub fn proven_floor_weight() -> Weight {
		let periods = u64::from(T::ProvenSumPeriods::get().max(1));
		let db = T::DbWeight::get();
		T::Payouts::read_weight().saturating_add(db.reads(3)).saturating_add(
			T::Payouts::read_weight().saturating_add(db.reads(4)).saturating_mul(periods),
		)
	}

	/// The hashrate `sats` imply for `facility`'s `period` ([`implied_hashrate`]), if its
	/// capacity and network data are known.
	fn implied_by(facility: FacilityId, period: PeriodIndex, sats: u64) -> Option<Hashrate> {
		let capacity = Self::capacity_of(facility)?;
		let (start, end) = Self::bounds(period).ok()?;
		let network = Self::network_data_of(period)?;
		Some(implied_hashrate(sats, capacity.hashrate, end.saturating_sub(start), &network))
	}

	/// Proven mode, no report by the window's close, payouts proven: finalized from the
	/// proofs (after the running sum) with the hashrate they imply.
	fn finalize_from_proofs(
		facility: FacilityId,
		period: PeriodIndex,
		network: &NetworkData,
	) -> DispatchResult {
		let capacity = Self::capacity_of(facility).ok_or(Error::<T>::UnknownFacility)?;
		let (start, end) = Self::bounds(period)?;
		let (_, floor) = Self::proven_floor_of(facility, period);
		let output = PeriodOutput {
			hashrate: implied_hashrate(
				floor,
				capacity.hashrate,
				end.saturating_sub(start),
				network,
			),
			sats: Sats(floor),
			..Default::default()
		};
		Self::record_finalized(facility, period, output, OutputSource::ProvenWithoutReport, None);
		Ok(())
	}

	pub(crate) fn do_correct_by_proofs(
		facility: FacilityId,
		period: PeriodIndex,
	) -> DispatchResult {
		let mut record = Outputs::<T>::get(facility, period).ok_or(Error::<T>::NotFinalized)?;
		match record.status {
			OutputStatus::Final => return Err(Error::<T>::AlreadyFinal.into()),
			// Governance decides every value of a disputed output, proofs its evidence.
			OutputStatus::Disputed { .. } => return Err(Error::<T>::DisputeOpen.into()),
			OutputStatus::Finalized { .. } => {},
		}
		ensure!(!Self::proven_mode(facility, period), Error::<T>::InProvenMode);
		let (_, end) = Self::bounds(period)?;
		ensure!(Self::now() >= Self::window_close(end, false), Error::<T>::ProofWindowOpen);
		let (proven, floor) = Self::proven_floor_of(facility, period);
		let attested = record.output.sats;
		ensure!(
			floor > attested.get()
				&& !within(
					u128::from(floor),
					u128::from(attested.get()),
					T::AttestationTolerance::get()
				),
			Error::<T>::NotBeyondTolerance
		);
		Self::deposit_event(Event::CorrectedByProofs {
			facility,
			period,
			attested,
			proven: Sats(floor),
		});
		record.output.sats = Sats(floor);
		let basis = ProofBasis {
			proven_mode: false,
			attested,
			proven,
			floor: Sats(floor),
			corrected: true,
		};
		Self::finish(facility, period, record, Some(basis));
		Ok(())
	}

	/// What `facility`'s `period` output rests on (the `output_basis` view function).
	pub fn basis_of(facility: FacilityId, period: PeriodIndex) -> Option<OutputBasis> {
		let record = Outputs::<T>::get(facility, period)?;
		if record.source == OutputSource::Defaulted {
			return None;
		}
		let is_final = record.status == OutputStatus::Final;
		if let Some(basis) = ProofBases::<T>::get(facility, period) {
			return Some(OutputBasis {
				proven_mode: basis.proven_mode,
				attested: basis.attested,
				proven: basis.proven,
				floor: basis.floor,
				sats: record.output.sats,
				corrected_by_proofs: basis.corrected,
				is_final,
			});
		}
		let (proven, floor) = Self::proven_floor_of(facility, period);
		if is_final {
			// Final on its attestation alone: no proof counted.
			return Some(OutputBasis {
				proven_mode: false,
				attested: record.output.sats,
				proven,
				floor: Sats(0),
				sats: record.output.sats,
				corrected_by_proofs: false,
				is_final,
			});
		}
		let proven_mode = Self::proven_mode(facility, period);
		let attested = if record.source == OutputSource::ProvenWithoutReport {
			Sats(0)
		} else {
			record.output.sats
		};
		// Not final: in proven mode, what the proofs would make of it now.
		Some(OutputBasis {
			proven_mode,
			attested,
			proven,
			floor: Sats(floor),
			sats: if proven_mode { Sats(attested.get().max(floor)) } else { attested },
			corrected_by_proofs: false,
			is_final,
		})
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
		let resolve_by = Self::after_proofs(
			facility,
			period,
			Self::now().saturating_add(Timings::<T>::get().resolution_window),
		);
		Self::unqueue_make_final(facility, period, &record.status);
		record.status = OutputStatus::Disputed { resolve_by };
		Self::queue_make_final(facility, period, &record.status);
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
		Self::finish(facility, period, record, None);
		Ok(())
	}

	pub(crate) fn do_resolve_dispute(
		facility: FacilityId,
		period: PeriodIndex,
		correction: Option<PeriodOutput>,
	) -> DispatchResult {
		let mut record = Outputs::<T>::get(facility, period).ok_or(Error::<T>::NotDisputed)?;
		ensure!(matches!(record.status, OutputStatus::Disputed { .. }), Error::<T>::NotDisputed);
		// Proven mode: what the output counts is decided once every proof is in.
		if Self::proven_mode(facility, period) {
			let (_, end) = Self::bounds(period)?;
			ensure!(Self::now() >= Self::window_close(end, false), Error::<T>::ProofWindowOpen);
		}
		let Some(corrected) = correction else { return Self::uphold(facility, period, record) };
		if let Ok(capacity) = Self::reporting_capacity(facility) {
			let (start, end) = Self::bounds(period)?;
			let network = Self::network_for_checks(period);
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
				Self::slash_attestor(&attestor, T::AttestorSlash::get())?;
			}
		}
		record.output = PeriodOutput { evidence: record.output.evidence, ..corrected };
		if record.source == OutputSource::ProvenWithoutReport {
			// The corrected values stand as attested; proofs still raise them in proven mode.
			record.source = OutputSource::GovernanceCorrection;
		}
		Self::deposit_event(Event::DisputeCorrected { facility, period, output: record.output });
		Self::finish(facility, period, record, None);
		Ok(())
	}

	/// Takes `amount` of the attestor's bond to the treasury and removes it from the set,
	/// releasing the rest of its bond and forgetting its strikes.
	fn slash_attestor(attestor: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		let reason = HoldReason::AttestorBond.into();
		let amount = T::Currency::transfer_on_hold(
			&reason,
			attestor,
			&T::TreasuryAccount::get(),
			amount,
			Precision::BestEffort,
			Restriction::Free,
			Fortitude::Force,
		)?;
		Self::deposit_event(Event::AttestorSlashed { attestor: attestor.clone(), amount });
		let was_member = Attestors::<T>::mutate(|attestors| {
			let position = attestors.iter().position(|a| a == attestor);
			position.map(|p| attestors.remove(p)).is_some()
		});
		Strikes::<T>::remove(attestor);
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
	/// - **Finalized outputs had quorum and are whole attestations.** An attested output
	///   names `n` eligible attestors of `of`, with `n = of` or `2n > of`; until it is final
	///   its kept submissions (none for outputs finalized before v2) number `n` and it equals
	///   one of them but for the evidence (and the sats, when clamped); once final none are
	///   kept. A finalized output
	///   never coexists with an open round of the same facility-period.
	/// - **Strikes belong to attestors.** Only attestors have strikes, in period order (the
	///   window and limit are applied at each strike: rules changed since apply from the
	///   next).
	/// - **Network data is fixed once.** `LastFixed` exists; every period with feeds is at or
	///   after `NextToFix` and not fixed (the unit tests check that every output has fixed
	///   data, marked used).
	/// - **Rounds are well-formed.** No attestor appears twice in a round; a round waiting for
	///   governance has a report and was extended.
	/// - **Schedules are ordered and contiguous.** Start indices and times increase, every
	///   length is non-zero, and each schedule starts where the previous one numbers its
	///   start index.
	/// - **Feeds are unique per feeder.**
	/// - **Frozen outputs have an open dispute.** An output is `Disputed` exactly when a
	///   dispute is open for it, and every account holds under `DisputeDeposit` exactly the
	///   deposits of its open disputes.
	/// - **Nothing due is forgotten.** Every output not final is in the due queue exactly once,
	///   at the end of its challenge window or its dispute deadline, and the queue makes
	///   nothing else final; every extended round or round waiting for governance is queued
	///   to be closed; every other open round is at or after the close sweep's cursor (which
	///   exists only once the chain has started) or queued to be closed.
	/// - **Proofs count as recorded.** Every kept proof basis belongs to a final output; its
	///   floor is at most what was proven; the output's sats are the floor when corrected by
	///   proofs, else the larger of the attested sats and the floor.
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
		// Anyone may send the pot more; it never holds less than what it owes.
		ensure!(
			T::Currency::balance(&Self::pot_account()) >= fees,
			"pot account balance below the unpaid fees"
		);
		for attestor in Attestors::<T>::get() {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::AttestorBond.into(), &attestor)
					>= T::AttestorBond::get(),
				"attestor without its bond"
			);
		}
		let next_to_fix = NextToFix::<T>::get();
		for (facility, period, record) in Outputs::<T>::iter() {
			let (attestors, of, clamped) = match record.source {
				OutputSource::Attested { attestors, of } => (attestors, of, false),
				OutputSource::AttestedClamped { attestors, of } => (attestors, of, true),
				_ => continue,
			};
			ensure!(attestors > 0 && (attestors == of || attestors * 2 > of), "no quorum");
			let kept = Submissions::<T>::get(facility, period);
			if record.status == OutputStatus::Final {
				ensure!(kept.is_empty(), "submissions kept for a final output");
				continue;
			}
			// Outputs finalized before v2 lost theirs in the migration.
			if kept.is_empty() {
				continue;
			}
			ensure!(kept.len() as u32 == attestors, "kept submissions differ from the count");
			let same = |o: &PeriodOutput| {
				let sats = if clamped { record.output.sats } else { o.sats };
				PeriodOutput { evidence: record.output.evidence, sats, ..*o } == record.output
			};
			ensure!(kept.iter().any(|(_, o)| same(o)), "not a whole attestation");
		}
		ensure!(LastFixed::<T>::get().is_some(), "no last fixed network data");
		let attestors = Attestors::<T>::get();
		let rules = StrikeRule::<T>::get();
		ensure!(rules.is_valid(), "invalid strike rules");
		for (attestor, strikes) in Strikes::<T>::iter() {
			ensure!(attestors.contains(&attestor), "strikes of an account outside the set");
			ensure!(strikes.windows(2).all(|w| w[0] <= w[1]), "strikes out of order");
			ensure!(!strikes.is_empty(), "an empty strike entry");
		}
		for (period, _) in Feeds::<T>::iter() {
			ensure!(
				next_to_fix.is_some_and(|next| next <= period),
				"feeds of a period before the next to fix"
			);
			ensure!(!Network::<T>::contains_key(period), "feeds of a fixed period");
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
		let mut make_final = alloc::collections::BTreeSet::new();
		let mut close = alloc::collections::BTreeSet::new();
		for (at, item) in DueQueue::<T>::iter_keys() {
			match item {
				OracleDue::MakeFinal { facility, period } => {
					ensure!(
						Outputs::<T>::get(facility, period).is_some_and(|record| record
							.status
							.due() == Some(
							at.0
						)),
						"an output queued to be made final at another time, or not at all"
					);
					ensure!(make_final.insert((facility, period)), "an output queued twice");
				},
				OracleDue::Close { facility, period } => {
					close.insert((facility, period));
				},
			}
		}
		for (facility, period, record) in Outputs::<T>::iter() {
			if matches!(record.status, OutputStatus::Disputed { .. }) {
				ensure!(Disputes::<T>::contains_key(facility, period), "frozen without a dispute");
			}
			if record.status != OutputStatus::Final {
				ensure!(
					make_final.contains(&(facility, period)),
					"an output the chain will never make final"
				);
			}
		}
		let cursor = CloseCursor::<T>::get();
		if cursor.is_some() {
			ensure!(ChainStart::<T>::exists(), "a close sweep before the chain's first block");
		}
		for (facility, period, round) in Rounds::<T>::iter() {
			if round.extended || round.awaiting_governance {
				ensure!(
					close.contains(&(facility, period)),
					"an extended round the chain will never close"
				);
			} else if let Some((next, next_facility)) = cursor {
				ensure!(
					(period, facility) >= (next, next_facility)
						|| close.contains(&(facility, period)),
					"an open round behind the close sweep, not queued to be closed"
				);
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
		for (facility, period, basis) in ProofBases::<T>::iter() {
			let record =
				Outputs::<T>::get(facility, period).ok_or("a proof basis without output")?;
			ensure!(record.status == OutputStatus::Final, "a proof basis of an output not final");
			ensure!(basis.floor <= basis.proven, "a proof floor above the proofs");
			let sats = if basis.corrected { basis.floor } else { basis.attested.max(basis.floor) };
			ensure!(record.output.sats == sats, "final sats differ from their proof basis");
		}
		Ok(())
	}
}
