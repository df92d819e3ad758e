//! The pallet's logic, shared by calls, genesis and the traits other pallets use.

use crate::*;
use frame_support::weights::Weight;
use frame_support::{
	ensure,
	traits::{
		fungible::{BalancedHold, MutateHold},
		tokens::Precision,
		Get, Imbalance, OnUnbalanced, UnixTime,
	},
};
use hashrate_primitives::{
	due::{drain, entry_weight, DueAt, DueQueue, Processed},
	Hashrate,
};
use sp_runtime::{
	traits::{CheckedAdd, CheckedMul, Saturating, Zero},
	DispatchError, DispatchResult,
};

/// [`RetirementsDue`] as a due queue.
pub(crate) struct RetirementQueue<T>(core::marker::PhantomData<T>);

impl<T: Config> DueQueue for RetirementQueue<T> {
	type Item = FacilityId;

	/// Removing entries already visited and queueing later ones while iterating is what the
	/// drain does: the iterator reads the next key after the last one it returned.
	type Iter = frame_support::storage::KeyPrefixIterator<(DueAt, FacilityId)>;

	fn iter() -> Self::Iter {
		RetirementsDue::<T>::iter_keys()
	}

	fn insert(at: DueAt, facility: &FacilityId) {
		RetirementsDue::<T>::insert(at, facility, ());
	}

	fn remove(at: DueAt, facility: &FacilityId) {
		RetirementsDue::<T>::remove(at, facility);
	}
}

/// [`ScriptReleasesDue`] as a due queue.
pub(crate) struct ScriptReleaseQueue<T>(core::marker::PhantomData<T>);

impl<T: Config> DueQueue for ScriptReleaseQueue<T> {
	type Item = OutputScript;
	type Iter = frame_support::storage::KeyPrefixIterator<(DueAt, OutputScript)>;

	fn iter() -> Self::Iter {
		ScriptReleasesDue::<T>::iter_keys()
	}

	fn insert(at: DueAt, script: &OutputScript) {
		ScriptReleasesDue::<T>::insert(at, script, ());
	}

	fn remove(at: DueAt, script: &OutputScript) {
		ScriptReleasesDue::<T>::remove(at, script);
	}
}

impl<T: Config> Pallet<T> {
	/// The record of `facility`, or `UnknownFacility`.
	pub(crate) fn facility(facility: FacilityId) -> Result<FacilityOf<T>, DispatchError> {
		Facilities::<T>::get(facility).ok_or_else(|| Error::<T>::UnknownFacility.into())
	}

	/// The record of `facility` if `who` operates it and it still holds its deposit (is not
	/// retired or rejected).
	pub(crate) fn operated_live(
		who: &T::AccountId,
		facility: FacilityId,
	) -> Result<FacilityOf<T>, DispatchError> {
		let record = Self::facility(facility)?;
		ensure!(record.operator == *who, Error::<T>::NotOperator);
		ensure!(record.status.holds_deposit(), Error::<T>::WrongStatus);
		Ok(record)
	}

	/// Deposit a site requires: `DepositBase + DepositPerTerahash x ceil(capacity in TH/s)`.
	pub fn required_deposit(site: &SiteSpec) -> Result<BalanceOf<T>, DispatchError> {
		let capacity = site.hashrate_capacity.get();
		let whole_ths = capacity.div_ceil(Hashrate::MILLI_PER_TH);
		let whole_ths: BalanceOf<T> = whole_ths.try_into().map_err(|_| Error::<T>::Overflow)?;
		T::DepositPerTerahash::get()
			.checked_mul(&whole_ths)
			.and_then(|per_capacity| per_capacity.checked_add(&T::DepositBase::get()))
			.ok_or_else(|| Error::<T>::Overflow.into())
	}

	/// Moves `record` to `status`, keeping [`StatusCount`] in step. The caller stores it.
	pub(crate) fn set_status(record: &mut FacilityOf<T>, status: FacilityStatus) {
		StatusCount::<T>::mutate(record.status, |count| *count = count.saturating_sub(1));
		StatusCount::<T>::mutate(status, |count| *count = count.saturating_add(1));
		record.status = status;
	}

	fn hold_deposit(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		if amount.is_zero() {
			return Ok(());
		}
		T::Currency::hold(&HoldReason::FacilityDeposit.into(), who, amount)
			.map_err(|_| Error::<T>::DepositNotAffordable.into())
	}

	/// Releases up to `amount` of `who`'s facility deposits; returns what was released.
	pub(crate) fn release_deposit(who: &T::AccountId, amount: BalanceOf<T>) -> BalanceOf<T> {
		if amount.is_zero() {
			return Zero::zero();
		}
		// Best effort cannot fail; it releases at most what is held (all of which this pallet
		// accounts for, see `do_try_state`).
		T::Currency::release(
			&HoldReason::FacilityDeposit.into(),
			who,
			amount,
			Precision::BestEffort,
		)
		.unwrap_or_else(|_| Zero::zero())
	}

	/// Registers a facility for `operator` and holds its deposit.
	pub fn do_register(
		operator: T::AccountId,
		site: SiteSpec,
		profile: Profile,
	) -> Result<FacilityId, DispatchError> {
		let fleet = site
			.validate(T::MaxFleetRows::get(), T::MinPlausibleEfficiency::get())
			.map_err(Error::<T>::from)?;
		profile.validate().map_err(Error::<T>::from)?;
		let facility = NextFacilityId::<T>::get();
		let next = facility.next().ok_or(Error::<T>::FacilityIdsExhausted)?;
		let deposit = Self::required_deposit(&site)?;
		Self::hold_deposit(&operator, deposit)?;

		NextFacilityId::<T>::put(next);
		StatusCount::<T>::mutate(FacilityStatus::Pending, |count| *count = count.saturating_add(1));
		Facilities::<T>::insert(
			facility,
			Facility {
				operator: operator.clone(),
				status: FacilityStatus::Pending,
				suspension: None,
				site,
				fleet,
				profile,
				reporters: Default::default(),
				deposit,
				obligations: 0,
				registered_at: frame_system::Pallet::<T>::block_number(),
				active_since: None,
			},
		);
		Self::deposit_event(Event::Registered { facility, operator, deposit });
		Ok(facility)
	}

	/// Pending -> Active, approved now.
	pub fn do_approve(facility: FacilityId) -> DispatchResult {
		Self::approve_with_time(facility, Some(T::Time::now().as_secs()))
	}

	/// Pending -> Active, with approval time `active_since` (`None`: approved at genesis, the
	/// first block records it).
	fn approve_with_time(facility: FacilityId, active_since: Option<u64>) -> DispatchResult {
		let mut record = Self::facility(facility)?;
		ensure!(record.status == FacilityStatus::Pending, Error::<T>::WrongStatus);
		Self::set_status(&mut record, FacilityStatus::Active);
		record.active_since = active_since;
		Facilities::<T>::insert(facility, record);
		Self::deposit_event(Event::Approved { facility });
		Ok(())
	}

	/// Gives the facilities approved at genesis the current time as their approval time, once
	/// the chain has a time (the first block's `on_finalize`, after the timestamp inherent).
	pub(crate) fn record_genesis_approval_time() {
		if !AwaitingApprovalTime::<T>::exists() {
			return;
		}
		let now = T::Time::now().as_secs();
		if now == 0 {
			// No clock yet (a block without a timestamp): the next block records it.
			return;
		}
		for facility in AwaitingApprovalTime::<T>::take() {
			Facilities::<T>::mutate(facility, |record| {
				if let Some(record) = record {
					record.active_since.get_or_insert(now);
				}
			});
		}
	}

	/// Active -> Suspended. With `idempotent`, an already suspended facility is left as it is.
	pub(crate) fn do_suspend(
		facility: FacilityId,
		reason: SuspensionReason,
		idempotent: bool,
	) -> DispatchResult {
		let mut record = Self::facility(facility)?;
		match record.status {
			FacilityStatus::Active => {},
			FacilityStatus::Suspended if idempotent => return Ok(()),
			_ => return Err(Error::<T>::WrongStatus.into()),
		}
		Self::set_status(&mut record, FacilityStatus::Suspended);
		record.suspension = Some(reason);
		Facilities::<T>::insert(facility, record);
		Self::deposit_event(Event::Suspended { facility, reason });
		Ok(())
	}

	/// Moves `record` to a final `status` (retired or rejected): releases its whole deposit,
	/// removes its reporter keys, waiting site change and operatorship offer. Returns what
	/// was released. The caller stores the record.
	pub(crate) fn close_record(
		facility: FacilityId,
		record: &mut FacilityOf<T>,
		status: FacilityStatus,
	) -> BalanceOf<T> {
		let released = Self::release_deposit(&record.operator, record.deposit);
		record.deposit = Zero::zero();
		for reporter in core::mem::take(&mut record.reporters) {
			ReporterOf::<T>::remove(&reporter);
			Self::deposit_event(Event::ReporterRemoved { facility, reporter });
		}
		PendingSiteChanges::<T>::remove(facility);
		let scripts = PayoutScripts::<T>::take(facility);
		for approved in scripts.approved {
			Self::retain_removed_script(facility, approved.script);
		}
		OperatorshipOffers::<T>::remove(facility);
		ReporterOffers::<T>::remove(facility);
		record.suspension = None;
		Self::set_status(record, status);
		released
	}

	/// Retiring -> Retired. The caller checked that no obligation is left and stores the
	/// record.
	pub(crate) fn finish_retirement(facility: FacilityId, record: &mut FacilityOf<T>) {
		let released = Self::close_record(facility, record, FacilityStatus::Retired);
		Self::deposit_event(Event::Retired { facility, released });
	}

	/// See [`Pallet::propose_site_change`].
	pub(crate) fn do_propose_site_change(
		who: T::AccountId,
		facility: FacilityId,
		site: SiteSpec,
	) -> DispatchResult {
		let mut record = Self::facility(facility)?;
		ensure!(record.operator == who, Error::<T>::NotOperator);
		let fleet = site
			.validate(T::MaxFleetRows::get(), T::MinPlausibleEfficiency::get())
			.map_err(Error::<T>::from)?;
		let required = Self::required_deposit(&site)?;
		match record.status {
			FacilityStatus::Pending => {
				if required > record.deposit {
					Self::hold_deposit(&who, required.saturating_sub(record.deposit))?;
				} else {
					let released =
						Self::release_deposit(&who, record.deposit.saturating_sub(required));
					record.deposit = record.deposit.saturating_sub(released);
				}
				record.deposit = record.deposit.max(required);
				record.site = site;
				record.fleet = fleet;
				let deposit = record.deposit;
				Facilities::<T>::insert(facility, record);
				Self::deposit_event(Event::SiteUpdated { facility, deposit });
			},
			FacilityStatus::Active | FacilityStatus::Suspended => {
				let old_extra = PendingSiteChanges::<T>::get(facility)
					.map(|change| change.extra_deposit)
					.unwrap_or_else(Zero::zero);
				let base = record.deposit.saturating_sub(old_extra);
				let extra_deposit = required.saturating_sub(base);
				if extra_deposit > old_extra {
					Self::hold_deposit(&who, extra_deposit.saturating_sub(old_extra))?;
				} else {
					Self::release_deposit(&who, old_extra.saturating_sub(extra_deposit));
				}
				record.deposit = base.saturating_add(extra_deposit);
				Facilities::<T>::insert(facility, record);
				PendingSiteChanges::<T>::insert(
					facility,
					SiteChange { site, fleet, extra_deposit },
				);
				Self::deposit_event(Event::SiteChangeProposed { facility, extra_deposit });
			},
			_ => return Err(Error::<T>::WrongStatus.into()),
		}
		Ok(())
	}

	/// Removes the waiting site change and releases its extra deposit; returns what was
	/// released.
	pub(crate) fn drop_site_change(facility: FacilityId) -> Result<BalanceOf<T>, DispatchError> {
		let mut record = Self::facility(facility)?;
		let change = PendingSiteChanges::<T>::take(facility).ok_or(Error::<T>::NoSiteChange)?;
		let released =
			Self::release_deposit(&record.operator, change.extra_deposit.min(record.deposit));
		record.deposit = record.deposit.saturating_sub(released);
		Facilities::<T>::insert(facility, record);
		Ok(released)
	}

	/// Adds `reporter` to `record` (the caller stores the record).
	/// See [`Pallet::add_reporter`].
	pub(crate) fn do_offer_reporter(
		facility: FacilityId,
		record: &FacilityOf<T>,
		reporter: T::AccountId,
	) -> DispatchResult {
		ensure!(reporter != record.operator, Error::<T>::ReporterIsOperator);
		ensure!(!record.reporters.contains(&reporter), Error::<T>::DuplicateReporter);
		ensure!(!ReporterOf::<T>::contains_key(&reporter), Error::<T>::ReporterInUse);
		ensure!(
			(record.reporters.len() as u32) < T::MaxReporters::get(),
			Error::<T>::TooManyReporters
		);
		ReporterOffers::<T>::try_mutate(facility, |offers| {
			ensure!(!offers.contains(&reporter), Error::<T>::DuplicateReporter);
			offers.try_push(reporter.clone()).map_err(|_| Error::<T>::TooManyReporters)?;
			Ok::<_, DispatchError>(())
		})?;
		Self::deposit_event(Event::ReporterOffered { facility, reporter });
		Ok(())
	}

	/// See [`Pallet::accept_reporter`].
	pub(crate) fn do_accept_reporter(who: T::AccountId, facility: FacilityId) -> DispatchResult {
		let mut record = Self::facility(facility)?;
		ensure!(Self::take_reporter_offer(facility, &who), Error::<T>::NoReporterOffer);
		Self::do_add_reporter(facility, &mut record, who)?;
		Facilities::<T>::insert(facility, record);
		Ok(())
	}

	/// Removes `key`'s offer from `facility`'s open offers (the entry goes with the last);
	/// whether there was one.
	pub(crate) fn take_reporter_offer(facility: FacilityId, key: &T::AccountId) -> bool {
		let mut offers = ReporterOffers::<T>::get(facility);
		let Some(position) = offers.iter().position(|r| r == key) else { return false };
		offers.swap_remove(position);
		if offers.is_empty() {
			ReporterOffers::<T>::remove(facility);
		} else {
			ReporterOffers::<T>::insert(facility, offers);
		}
		true
	}

	pub(crate) fn do_add_reporter(
		facility: FacilityId,
		record: &mut FacilityOf<T>,
		reporter: T::AccountId,
	) -> DispatchResult {
		ensure!(reporter != record.operator, Error::<T>::ReporterIsOperator);
		ensure!(!record.reporters.contains(&reporter), Error::<T>::DuplicateReporter);
		ensure!(!ReporterOf::<T>::contains_key(&reporter), Error::<T>::ReporterInUse);
		record.reporters.try_push(reporter.clone()).map_err(|_| Error::<T>::TooManyReporters)?;
		ReporterOf::<T>::insert(&reporter, facility);
		Self::deposit_event(Event::ReporterAdded { facility, reporter });
		Ok(())
	}

	/// See [`Pallet::accept_operatorship`].
	pub(crate) fn do_accept_operatorship(
		who: T::AccountId,
		facility: FacilityId,
	) -> DispatchResult {
		let mut record = Self::facility(facility)?;
		ensure!(
			OperatorshipOffers::<T>::get(facility).as_ref() == Some(&who),
			Error::<T>::NoOperatorshipOffer
		);
		ensure!(!T::Attestors::is_attestor(&who), Error::<T>::OfferedToAttestor);
		ensure!(!PendingSiteChanges::<T>::contains_key(facility), Error::<T>::SiteChangePending);
		let deposit = Self::required_deposit(&record.site)?;
		Self::hold_deposit(&who, deposit)?;
		Self::release_deposit(&record.operator, record.deposit);
		OperatorshipOffers::<T>::remove(facility);
		// The old operator's reporter-key offers go with it (one may name the new operator).
		ReporterOffers::<T>::remove(facility);
		if let Some(position) = record.reporters.iter().position(|r| *r == who) {
			record.reporters.swap_remove(position);
			ReporterOf::<T>::remove(&who);
			Self::deposit_event(Event::ReporterRemoved { facility, reporter: who.clone() });
		}
		let from = core::mem::replace(&mut record.operator, who.clone());
		record.deposit = deposit;
		Facilities::<T>::insert(facility, record);
		Self::deposit_event(Event::OperatorshipTransferred { facility, from, to: who, deposit });
		Ok(())
	}

	/// Slashes up to `amount` of the deposit to [`Config::OnSlash`]; returns what was taken.
	pub(crate) fn do_slash(
		facility: FacilityId,
		amount: BalanceOf<T>,
	) -> Result<BalanceOf<T>, DispatchError> {
		let mut record = Self::facility(facility)?;
		let (credit, _) = T::Currency::slash(
			&HoldReason::FacilityDeposit.into(),
			&record.operator,
			amount.min(record.deposit),
		);
		let slashed = credit.peek();
		T::OnSlash::on_unbalanced(credit);
		record.deposit = record.deposit.saturating_sub(slashed);
		if let Some(mut change) = PendingSiteChanges::<T>::get(facility) {
			if change.extra_deposit > record.deposit {
				change.extra_deposit = record.deposit;
				PendingSiteChanges::<T>::insert(facility, change);
			}
		}
		Facilities::<T>::insert(facility, record);
		Self::deposit_event(Event::DepositSlashed { facility, requested: amount, slashed });
		Ok(slashed)
	}

	/// Adds (`up`) or releases one obligation.
	pub(crate) fn change_obligations(facility: FacilityId, up: bool) -> DispatchResult {
		let mut record = Self::facility(facility)?;
		let obligations = if up {
			ensure!(
				matches!(
					record.status,
					FacilityStatus::Active | FacilityStatus::Suspended | FacilityStatus::Retiring
				),
				Error::<T>::WrongStatus
			);
			record.obligations.checked_add(1).ok_or(Error::<T>::TooManyObligations)?
		} else {
			record.obligations.checked_sub(1).ok_or(Error::<T>::NoObligations)?
		};
		record.obligations = obligations;
		if obligations == 0 && record.status == FacilityStatus::Retiring {
			RetirementsDue::<T>::insert(DueAt(T::Time::now().as_secs()), facility, ());
		}
		Facilities::<T>::insert(facility, record);
		Self::deposit_event(if up {
			Event::ObligationAdded { facility, obligations }
		} else {
			Event::ObligationReleased { facility, obligations }
		});
		Ok(())
	}

	/// Completes the retirements due by now, oldest first, while `remaining` covers one
	/// (each weighed as [`Pallet::complete_retirement`]); returns the weight used and how
	/// many entries were processed. An entry whose facility retired already (the fallback
	/// call) or took an obligation again is dropped (a new one comes when that goes).
	/// Parses `address` and records its script as the facility's proposal.
	pub(crate) fn do_propose_payout_address(
		facility: FacilityId,
		address: &[u8],
	) -> DispatchResult {
		let (kind, script) =
			hashrate_primitives::parse_address(address, BitcoinNetwork::<T>::get())
				.map_err(Error::<T>::from)?;
		let mut set = PayoutScripts::<T>::get(facility);
		ensure!(!set.contains(&script), Error::<T>::DuplicatePayoutScript);
		if let Some(owner) = ScriptOwners::<T>::get(&script) {
			ensure!(owner.facility == facility, Error::<T>::ScriptOwnedByAnother);
		}
		ensure!(set.len() < MAX_PAYOUT_SCRIPTS as usize, Error::<T>::TooManyPayoutScripts);
		set.proposed
			.try_push(ProposedScript { script: script.clone(), kind, key_signed: false })
			.map_err(|_| Error::<T>::TooManyPayoutScripts)?;
		PayoutScripts::<T>::insert(facility, set);
		Self::deposit_event(Event::PayoutScriptProposed { facility, script, kind });
		Ok(())
	}

	/// Approves the facility's proposal of `script`: it owns the script from `now` (unix
	/// seconds; a retained removal of its own is ended).
	pub(crate) fn do_approve_payout_script(
		facility: FacilityId,
		script: OutputScript,
		now: u64,
	) -> DispatchResult {
		ensure!(Self::facility(facility)?.status.holds_deposit(), Error::<T>::WrongStatus);
		let mut set = PayoutScripts::<T>::get(facility);
		let position = set
			.proposed
			.iter()
			.position(|p| p.script == script)
			.ok_or(Error::<T>::NoPayoutScriptProposal)?;
		let previous = ScriptOwners::<T>::get(&script);
		if let Some(owner) = previous {
			ensure!(owner.facility == facility, Error::<T>::ScriptOwnedByAnother);
		}
		let proposal = set.proposed.remove(position);
		set.approved
			.try_push(ApprovedScript {
				script: script.clone(),
				kind: proposal.kind,
				approved_at: now,
				key_signed: proposal.key_signed,
			})
			.map_err(|_| Error::<T>::TooManyPayoutScripts)?;
		if let Some(removed_at) = previous.and_then(|owner| owner.removed_at) {
			ScriptReleasesDue::<T>::remove(Self::release_time(removed_at), &script);
		}
		PayoutScripts::<T>::insert(facility, set);
		if previous.is_none() {
			Self::count_witness_script(facility, &script, true);
		}
		ScriptOwners::<T>::insert(
			&script,
			ScriptOwnership { facility, approved_at: now, removed_at: None },
		);
		Self::deposit_event(Event::PayoutScriptApproved { facility, script });
		Ok(())
	}

	/// The message a payout script's key signs to show that `facility` is paid at it:
	/// `Hashrate Chain 0x<genesis hash>: facility <id> is paid at 0x<script>` (lowercase hex;
	/// the genesis hash ties it to this chain).
	pub fn ownership_message(facility: FacilityId, script: &[u8]) -> alloc::vec::Vec<u8> {
		fn push_hex(out: &mut alloc::vec::Vec<u8>, bytes: &[u8]) {
			const DIGITS: &[u8; 16] = b"0123456789abcdef";
			out.extend_from_slice(b"0x");
			for byte in bytes {
				out.push(DIGITS[usize::from(byte >> 4)]);
				out.push(DIGITS[usize::from(byte & 0x0f)]);
			}
		}
		let genesis = frame_system::Pallet::<T>::block_hash(
			<frame_system::pallet_prelude::BlockNumberFor<T> as sp_runtime::traits::Zero>::zero(),
		);
		let mut message = alloc::vec::Vec::with_capacity(200);
		message.extend_from_slice(b"Hashrate Chain ");
		push_hex(&mut message, genesis.as_ref());
		message.extend_from_slice(b": facility ");
		message.extend_from_slice(alloc::format!("{}", facility.0).as_bytes());
		message.extend_from_slice(b" is paid at ");
		push_hex(&mut message, script);
		message
	}

	/// Checks `signature` of the facility's ownership message by `script`'s key and marks the
	/// script, proposed or approved, key-signed.
	pub(crate) fn do_sign_payout_script(
		facility: FacilityId,
		script: OutputScript,
		signature: &[u8],
	) -> DispatchResult {
		let mut set = PayoutScripts::<T>::get(facility);
		let signed = if let Some(p) = set.proposed.iter_mut().find(|p| p.script == script) {
			&mut p.key_signed
		} else if let Some(a) = set.approved.iter_mut().find(|a| a.script == script) {
			&mut a.key_signed
		} else {
			return Err(Error::<T>::NotAPayoutScript.into());
		};
		ensure!(!*signed, Error::<T>::AlreadyKeySigned);
		let message = Self::ownership_message(facility, &script);
		hashrate_primitives::bitcoin::ownership::verify(&script, &message, signature)
			.map_err(Error::<T>::from)?;
		*signed = true;
		PayoutScripts::<T>::insert(facility, set);
		Self::deposit_event(Event::PayoutScriptKeySigned { facility, script });
		Ok(())
	}

	/// Removes the facility's proposal of `script`, or `NoPayoutScriptProposal`.
	pub(crate) fn take_proposal(facility: FacilityId, script: &OutputScript) -> DispatchResult {
		let mut set = PayoutScripts::<T>::get(facility);
		let position = set
			.proposed
			.iter()
			.position(|p| p.script == *script)
			.ok_or(Error::<T>::NoPayoutScriptProposal)?;
		set.proposed.remove(position);
		Self::put_scripts(facility, set);
		Ok(())
	}

	/// Stores the facility's payout scripts (no entry when there are none).
	pub(crate) fn put_scripts(facility: FacilityId, set: PayoutScriptSet) {
		if set.is_empty() {
			PayoutScripts::<T>::remove(facility);
		} else {
			PayoutScripts::<T>::insert(facility, set);
		}
	}

	/// Counts a script a facility comes to own (`owned`) or is released from in
	/// [`WitnessScripts`], if its spends show it only in their witness.
	pub(crate) fn count_witness_script(facility: FacilityId, script: &[u8], owned: bool) {
		if ScriptKind::of(script).is_some_and(ScriptKind::shown_by_witness) {
			WitnessScripts::<T>::mutate_exists(facility, |count| {
				let n = count.unwrap_or(0);
				let n = if owned { n.saturating_add(1) } else { n.saturating_sub(1) };
				*count = (n > 0).then_some(n);
			});
		}
	}

	/// When a script removed at `removed_at` is released.
	fn release_time(removed_at: u64) -> DueAt {
		DueAt(removed_at.saturating_add(T::ScriptRetention::get()))
	}

	/// Marks an approved script (already taken out of the facility's set) removed now and
	/// queues its release after the retention.
	pub(crate) fn retain_removed_script(facility: FacilityId, script: OutputScript) {
		let now = T::Time::now().as_secs();
		let approved_at = ScriptOwners::<T>::get(&script).map_or(0, |owner| owner.approved_at);
		ScriptOwners::<T>::insert(
			&script,
			ScriptOwnership { facility, approved_at, removed_at: Some(now) },
		);
		let release = Self::release_time(now);
		ScriptReleasesDue::<T>::insert(release, &script, ());
		Self::deposit_event(Event::PayoutScriptRemoved {
			facility,
			script,
			retained_until: release.0,
		});
	}

	/// One release: the benchmarked removal and the witness script count's read and write.
	fn release_weight() -> Weight {
		T::WeightInfo::release_script().saturating_add(T::DbWeight::get().reads_writes(1, 1))
	}

	/// Releases the removed scripts whose retention ended, oldest first, within `remaining`.
	pub(crate) fn release_due_scripts(remaining: Weight) -> (Weight, u32) {
		let db = T::DbWeight::get();
		drain::<ScriptReleaseQueue<T>>(
			T::Time::now().as_secs(),
			remaining,
			entry_weight(db.reads(1), db.writes(1)),
			|_| Self::release_weight(),
			|script| {
				if let Some(owner) = ScriptOwners::<T>::get(script) {
					if owner.removed_at.is_some() {
						ScriptOwners::<T>::remove(script);
						Self::count_witness_script(owner.facility, script, false);
						Self::deposit_event(Event::PayoutScriptReleased {
							facility: owner.facility,
							script: script.clone(),
						});
						return (Processed::Done, Self::release_weight());
					}
				}
				(Processed::Done, db.reads(1))
			},
		)
	}

	pub(crate) fn complete_due_retirements(remaining: Weight) -> (Weight, u32) {
		let db = T::DbWeight::get();
		drain::<RetirementQueue<T>>(
			T::Time::now().as_secs(),
			remaining,
			entry_weight(db.reads(1), db.writes(1)),
			|_| T::WeightInfo::complete_retirement(),
			|facility| {
				if let Some(mut record) = Facilities::<T>::get(facility) {
					if record.status == FacilityStatus::Retiring && record.obligations == 0 {
						Self::finish_retirement(*facility, &mut record);
						Facilities::<T>::insert(facility, record);
						return (Processed::Done, T::WeightInfo::complete_retirement());
					}
				}
				(Processed::Done, db.reads(1))
			},
		)
	}

	/// Registers one genesis facility, adds its reporter keys and approves it if asked.
	pub(crate) fn build_genesis_facility(
		genesis: &GenesisFacility<T::AccountId>,
	) -> Result<FacilityId, DispatchError> {
		let facility = Self::do_register(
			genesis.operator.clone(),
			genesis.site.clone(),
			genesis.profile.clone(),
		)?;
		let mut record = Self::facility(facility)?;
		for reporter in &genesis.reporters {
			Self::do_add_reporter(facility, &mut record, reporter.clone())?;
		}
		Facilities::<T>::insert(facility, record);
		for address in &genesis.payout_addresses {
			Self::do_propose_payout_address(facility, address)?;
			let script = PayoutScripts::<T>::get(facility)
				.proposed
				.last()
				.map(|p| p.script.clone())
				.ok_or(Error::<T>::NoPayoutScriptProposal)?;
			// Genesis has no clock: approved from unix second 0.
			Self::do_approve_payout_script(facility, script, 0)?;
		}
		if genesis.active {
			Self::approve_with_time(facility, None)?;
			AwaitingApprovalTime::<T>::try_append(facility)
				.map_err(|_| DispatchError::Other("too many facilities approved at genesis"))?;
		}
		Ok(facility)
	}

	#[cfg(any(feature = "try-runtime", feature = "std", test))]
	/// The payout-script invariants of [`Self::do_try_state`]:
	/// - a facility's set is stored only when non-empty, holds at most [`MAX_PAYOUT_SCRIPTS`]
	///   scripts, none twice, each of the kind its bytes are (key-signed only if P2WPKH or
	///   P2PKH, the kinds a signature is checked for), and belongs to a facility that still
	///   holds its deposit;
	/// - an approved script is owned by its facility since its approval and not removed; a
	///   proposed one is owned by nobody else;
	/// - an owner entry without removal is an approved script of that facility; one with a
	///   removal is approved nowhere and is queued for release at removal + retention, and
	///   every queued release is such an entry;
	/// - [`WitnessScripts`] counts each facility's owner entries of P2WPKH and P2WSH scripts,
	///   with no entry for none.
	fn try_state_payout_scripts() -> Result<(), sp_runtime::TryRuntimeError> {
		let mut approved_count = 0usize;
		for (id, set) in PayoutScripts::<T>::iter() {
			let record = Facilities::<T>::get(id).ok_or("payout scripts of an unknown facility")?;
			ensure!(record.status.holds_deposit(), "payout scripts of a final facility");
			ensure!(!set.is_empty(), "an empty payout-script entry");
			ensure!(set.len() <= MAX_PAYOUT_SCRIPTS as usize, "too many payout scripts");
			let scripts: alloc::vec::Vec<(&OutputScript, ScriptKind, bool)> = set
				.approved
				.iter()
				.map(|a| (&a.script, a.kind, a.key_signed))
				.chain(set.proposed.iter().map(|p| (&p.script, p.kind, p.key_signed)))
				.collect();
			for (i, (script, kind, key_signed)) in scripts.iter().enumerate() {
				ensure!(ScriptKind::of(script) == Some(*kind), "a payout script of another kind");
				ensure!(
					!key_signed || matches!(kind, ScriptKind::P2wpkh | ScriptKind::P2pkh),
					"a key-signed payout script of a kind no single key signs for"
				);
				ensure!(
					!scripts[..i].iter().any(|(other, _, _)| other == script),
					"a payout script listed twice"
				);
			}
			for approved in set.approved.iter() {
				approved_count = approved_count.saturating_add(1);
				ensure!(
					ScriptOwners::<T>::get(&approved.script)
						== Some(ScriptOwnership {
							facility: id,
							approved_at: approved.approved_at,
							removed_at: None
						}),
					"an approved script is not owned by its facility"
				);
			}
			for proposed in set.proposed.iter() {
				if let Some(owner) = ScriptOwners::<T>::get(&proposed.script) {
					ensure!(owner.facility == id, "a proposed script is owned by another facility");
				}
			}
		}
		let mut live_owners = 0usize;
		for (script, owner) in ScriptOwners::<T>::iter() {
			match owner.removed_at {
				None => live_owners = live_owners.saturating_add(1),
				Some(removed_at) => {
					ensure!(
						ScriptReleasesDue::<T>::contains_key(
							Self::release_time(removed_at),
							&script
						),
						"a removed script is not queued for release"
					);
					ensure!(
						!PayoutScripts::<T>::get(owner.facility)
							.approved
							.iter()
							.any(|a| a.script == script),
						"a removed script is still approved"
					);
				},
			}
		}
		ensure!(live_owners == approved_count, "owner entries differ from approved scripts");
		use alloc::collections::btree_map::BTreeMap;
		let mut witness_scripts: BTreeMap<FacilityId, u32> = BTreeMap::new();
		for (script, owner) in ScriptOwners::<T>::iter() {
			if ScriptKind::of(&script).is_some_and(ScriptKind::shown_by_witness) {
				let count = witness_scripts.entry(owner.facility).or_default();
				*count = count.saturating_add(1);
			}
		}
		ensure!(
			WitnessScripts::<T>::iter().collect::<BTreeMap<_, _>>() == witness_scripts,
			"witness script counts differ from the owners"
		);
		for (at, script) in ScriptReleasesDue::<T>::iter_keys() {
			let owner = ScriptOwners::<T>::get(&script).ok_or("a release queued for no owner")?;
			ensure!(
				owner.removed_at.map(Self::release_time) == Some(at),
				"a release queued at another time than its retention ends"
			);
		}
		Ok(())
	}

	/// Checks the pallet's invariants:
	///
	/// - **Deposits are exactly the holds.** For every account, the balance it has on hold
	///   under [`HoldReason::FacilityDeposit`] equals the sum of the `deposit` of the
	///   facilities it operates. (Holds are per account and reason, so an operator of several
	///   facilities holds the sum; a former operator holds nothing for a facility it handed
	///   over.)
	/// - **Final records hold nothing.** A retired or rejected facility has no deposit, no
	///   reporter keys, no obligations, no waiting site change and no operatorship offer.
	/// - **Suspension has a reason.** `suspension` is `Some` exactly when the status is
	///   `Suspended`.
	/// - **The reporter index matches the facilities.** `ReporterOf[key] = f` exactly when
	///   `key` is among facility `f`'s reporters; a facility lists no key twice and never
	///   its operator.
	/// - **Status counts are right.** `StatusCount[s]` is the number of facilities in status
	///   `s`, and every facility id is below `NextFacilityId`.
	/// - **Stored sites are consistent.** Each stored site (approved or waiting) passes the
	///   site checks, its fleet totals are the ones derived from its rows, and the deposit
	///   covers the approved site's requirement less what was slashed (it is never above
	///   requirement + the waiting change's extra deposit).
	/// - **Waiting changes and offers belong to live facilities.** A site change waits only
	///   for an active or suspended facility, with an extra deposit no larger than the
	///   deposit; an offer exists only for a facility that holds its deposit, and never to
	///   its current operator. Reporter-key offers (non-empty entries) name keys that are
	///   neither the operator nor a key already, each once.
	/// - **Approval time is known once the chain has a clock.** An active or suspended
	///   facility has an approval time, unless genesis approved it and the first block has not
	///   yet recorded its time (it is listed in `AwaitingApprovalTime`, which names only
	///   existing facilities without an approval time); a pending or rejected one has none.
	/// - **No retirement is forgotten.** Every retiring facility without obligations has an
	///   entry in [`RetirementsDue`] (the chain completes it); entries name registered
	///   facilities.
	/// - **A script pays one facility, and only while it may.** See
	///   [`Self::try_state_payout_scripts`]: approved scripts are owned by their facility,
	///   removed ones are queued for release, nothing else is owned.
	#[cfg(any(feature = "try-runtime", feature = "std", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		use frame_support::traits::fungible::InspectHold;

		let mut held_by: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut counts: BTreeMap<FacilityStatus, u32> = BTreeMap::new();
		let next_id = NextFacilityId::<T>::get();
		let awaiting_time = AwaitingApprovalTime::<T>::get();
		for &id in awaiting_time.iter() {
			ensure!(Facilities::<T>::contains_key(id), "an unknown facility waits for its time");
		}
		let retirements_due: alloc::collections::BTreeSet<FacilityId> =
			RetirementsDue::<T>::iter_keys().map(|(_, facility)| facility).collect();
		for id in retirements_due.iter() {
			ensure!(*id < next_id, "an unknown facility is queued to retire");
		}
		for (id, record) in Facilities::<T>::iter() {
			ensure!(id < next_id, "facility id at or above NextFacilityId");
			let count = counts.entry(record.status).or_default();
			*count = count.saturating_add(1);
			let held = held_by.entry(record.operator.clone()).or_insert_with(Zero::zero);
			*held = held.saturating_add(record.deposit);
			ensure!(
				record.suspension.is_some() == (record.status == FacilityStatus::Suspended),
				"suspension reason without suspension, or suspension without reason"
			);
			if record.status == FacilityStatus::Retiring && record.obligations == 0 {
				ensure!(
					retirements_due.contains(&id),
					"a retiring facility without obligations is not queued to retire"
				);
			}
			if matches!(record.status, FacilityStatus::Active | FacilityStatus::Suspended) {
				ensure!(
					record.active_since.is_some() || awaiting_time.contains(&id),
					"an approved facility without approval time"
				);
			}
			if awaiting_time.contains(&id) {
				ensure!(
					record.active_since.is_none(),
					"a facility waits for an approval time it has"
				);
			}
			if matches!(record.status, FacilityStatus::Pending | FacilityStatus::Rejected) {
				ensure!(
					record.active_since.is_none(),
					"approval time of a facility never approved"
				);
			}
			if !record.status.holds_deposit() {
				ensure!(record.deposit.is_zero(), "final facility still has a deposit");
				ensure!(record.reporters.is_empty(), "final facility still has reporter keys");
				ensure!(record.obligations == 0, "final facility still has obligations");
				ensure!(
					!PendingSiteChanges::<T>::contains_key(id),
					"final facility has a waiting site change"
				);
				ensure!(!OperatorshipOffers::<T>::contains_key(id), "final facility has an offer");
			}
			for (i, reporter) in record.reporters.iter().enumerate() {
				ensure!(*reporter != record.operator, "operator listed as reporter key");
				ensure!(!record.reporters[..i].contains(reporter), "reporter key listed twice");
				ensure!(
					ReporterOf::<T>::get(reporter) == Some(id),
					"reporter key missing from the ReporterOf index"
				);
			}
			let fleet = record
				.site
				.validate(T::MaxFleetRows::get(), T::MinPlausibleEfficiency::get())
				.map_err(|_| "stored site fails the site checks")?;
			ensure!(fleet == record.fleet, "stored fleet totals are not derived from the fleet");
			let extra = match PendingSiteChanges::<T>::get(id) {
				Some(change) => {
					ensure!(
						matches!(record.status, FacilityStatus::Active | FacilityStatus::Suspended),
						"site change waits for a facility that is not active or suspended"
					);
					ensure!(change.extra_deposit <= record.deposit, "extra deposit above deposit");
					let fleet = change
						.site
						.validate(T::MaxFleetRows::get(), T::MinPlausibleEfficiency::get())
						.map_err(|_| "waiting site fails the site checks")?;
					ensure!(fleet == change.fleet, "waiting fleet totals are not derived");
					change.extra_deposit
				},
				None => Zero::zero(),
			};
			if record.status.holds_deposit() {
				let required = Self::required_deposit(&record.site)
					.map_err(|_| "required deposit overflows")?;
				ensure!(
					record.deposit <= required.saturating_add(extra),
					"deposit above requirement plus waiting extra"
				);
			}
			if let Some(to) = OperatorshipOffers::<T>::get(id) {
				ensure!(to != record.operator, "operatorship offered to the operator");
			}
		}
		for (reporter, id) in ReporterOf::<T>::iter() {
			let record = Facilities::<T>::get(id).ok_or("reporter key of an unknown facility")?;
			ensure!(record.reporters.contains(&reporter), "ReporterOf entry not in the facility");
		}
		for (id, _) in PendingSiteChanges::<T>::iter() {
			ensure!(Facilities::<T>::contains_key(id), "site change of an unknown facility");
		}
		for (id, _) in OperatorshipOffers::<T>::iter() {
			ensure!(Facilities::<T>::contains_key(id), "offer for an unknown facility");
		}
		for (id, offers) in ReporterOffers::<T>::iter() {
			let record = Facilities::<T>::get(id).ok_or("reporter offer of an unknown facility")?;
			ensure!(record.status.holds_deposit(), "reporter offer of a final facility");
			ensure!(!offers.is_empty(), "an empty reporter-offer entry");
			for (i, key) in offers.iter().enumerate() {
				ensure!(*key != record.operator, "reporter key offered to the operator");
				ensure!(!record.reporters.contains(key), "offered to a reporter key");
				ensure!(!offers[..i].contains(key), "reporter key offered twice");
			}
		}
		Self::try_state_payout_scripts()?;
		for status in FacilityStatus::ALL {
			ensure!(
				StatusCount::<T>::get(status) == counts.get(&status).copied().unwrap_or(0),
				"StatusCount differs from the facilities"
			);
		}
		for account in frame_system::Account::<T>::iter_keys() {
			let expected = held_by.get(&account).copied().unwrap_or_else(Zero::zero);
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::FacilityDeposit.into(), &account)
					== expected,
				"held facility deposits differ from the recorded deposits"
			);
		}
		for (operator, deposit) in held_by {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::FacilityDeposit.into(), &operator)
					== deposit,
				"an operator's held deposit differs from its recorded deposits"
			);
		}
		Ok(())
	}
}

#[cfg(test)]
impl<T: Config> Pallet<T> {
	/// Changes a record directly, for tests that need states calls cannot reach quickly.
	pub(crate) fn mutate_for_test(facility: FacilityId, change: impl FnOnce(&mut FacilityOf<T>)) {
		Facilities::<T>::mutate(facility, |record| record.as_mut().map(change));
	}

	/// Every record.
	pub(crate) fn facilities_for_test() -> alloc::vec::Vec<(FacilityId, FacilityOf<T>)> {
		Facilities::<T>::iter().collect()
	}
}
