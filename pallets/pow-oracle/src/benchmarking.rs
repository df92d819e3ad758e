//! Benchmarks of every call, each in its worst case: the whole attestor set, every feeder,
//! a full schedule list.

use super::*;
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate},
		Get, UnixTime,
	},
	BoundedVec,
};
use hashrate_primitives::{
	physics, Difficulty, Energy, FacilityControl, FacilityInspect, Hashrate, Sats,
};
use polkadot_sdk::{
	frame_benchmarking::v2::*, frame_system::RawOrigin, sp_runtime::traits::Saturating,
};

const SEED: u32 = 0;

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, SEED);
	let amount = T::Currency::minimum_balance().saturating_mul(1_000_000_000u32.into());
	T::Currency::set_balance(&who, amount);
	who
}

fn network() -> NetworkData {
	NetworkData { difficulty: Difficulty(149_301_205_959_699), reward_per_block: Sats(315_800_000) }
}

/// A facility, the period to report (ended, window open) with a feed from every feeder, not
/// fixed yet, and a plausible output for it.
struct Setup<T: Config> {
	facility: FacilityId,
	reporter: T::AccountId,
	period: PeriodIndex,
	output: PeriodOutput,
}

/// A clock in the 2020s, the start of a period whatever the length.
const NOW: u64 = 1_764_000_000;

fn setup<T: Config>() -> Setup<T> {
	let reporter = funded::<T>("operator", 0);
	let facility = T::Facilities::benchmark_active_facility(reporter.clone()).unwrap();
	T::BenchmarkHelper::set_now(NOW);
	let period = Pallet::<T>::period_at(NOW).unwrap();
	let (start, end) = Pallet::<T>::bounds(period).unwrap();
	// The window of `period` is open just after its end.
	T::BenchmarkHelper::set_now(end);
	let mut feeders = Feeders::<T>::get();
	for i in feeders.len() as u32..T::MaxFeeders::get() {
		let feeder = funded::<T>("feeder", i);
		feeders.try_push(feeder).unwrap();
	}
	Feeders::<T>::put(feeders.clone());
	let feeds: BoundedVec<_, _> =
		BoundedVec::truncate_from(feeders.into_iter().map(|f| (f, network())).collect());
	Feeds::<T>::insert(period, feeds);
	// The period is the next to fix and every feeder has fed: the first call that needs its
	// network data fixes it (the worst case of every finalizing call).
	NextToFix::<T>::put(period);
	LastFixed::<T>::put(LastFixedNetwork { period: None, end: 0, data: network() });
	let hashrate = T::Facilities::hashrate_capacity(facility).unwrap();
	let efficiency = T::Facilities::fleet_efficiency(facility).unwrap();
	let seconds = end - start;
	let output = PeriodOutput {
		hashrate,
		sats: expected_net_sats(hashrate, seconds, &network(), 0).unwrap(),
		energy: physics::energy_burned(hashrate, efficiency, seconds).unwrap_or(Energy(0)),
		uptime: 1_000,
		pool_fee: 0,
		evidence: Default::default(),
	};
	Setup { facility, reporter, period, output }
}

/// `s.period`'s feeds one short of complete (its feed window open: not fixable) and the
/// close sweep past it (a round stored for it is queued): the costliest way to store a
/// complete round without finalizing it.
fn one_feed_short<T: Config>(s: &Setup<T>) {
	Feeds::<T>::mutate(s.period, |feeds| {
		feeds.pop();
	});
	CloseCursor::<T>::put((PeriodIndex(s.period.0 + 1), FacilityId(0)));
}

/// Fills the attestor set.
fn attestors<T: Config>() -> alloc::vec::Vec<T::AccountId> {
	let mut all = alloc::vec::Vec::new();
	for i in Attestors::<T>::get().len() as u32..T::MaxAttestors::get() {
		let attestor = funded::<T>("attestor", i);
		Pallet::<T>::do_add_attestor(attestor).unwrap();
	}
	all.extend(Attestors::<T>::get());
	all
}

/// Strikes remove at once (limit 1, no minimum set): the worst case of every striking call.
fn strikes_remove<T: Config>() {
	StrikeRule::<T>::put(StrikeRules {
		limit: 1,
		window: 10,
		slash: sp_runtime::Perbill::from_percent(10),
		min_attestors: 0,
	});
}

/// The attestations of the first `count` attestors, the lower-sats minority off tolerance
/// (struck when the round finalizes).
fn attest_split<T: Config>(s: &Setup<T>, attestors: &[T::AccountId], count: usize) {
	let off = PeriodOutput { sats: Sats(s.output.sats.get() * 95 / 100), ..s.output };
	let minority = attestors.len().saturating_sub(1) / 2;
	for (i, attestor) in attestors.iter().take(count).enumerate() {
		let output = if i < minority { off } else { s.output };
		Pallet::<T>::do_attest(attestor.clone(), s.facility, s.period, output).unwrap();
	}
}

fn round_with<T: Config>(
	s: &Setup<T>,
	report: bool,
	attestations: usize,
	attestors: &[T::AccountId],
) {
	if report {
		Pallet::<T>::do_report(s.reporter.clone(), s.facility, s.period, s.output).unwrap();
	}
	for attestor in attestors.iter().take(attestations) {
		Pallet::<T>::do_attest(attestor.clone(), s.facility, s.period, s.output).unwrap();
	}
}

fn finalized<T: Config>() -> (Setup<T>, alloc::vec::Vec<T::AccountId>) {
	let s = setup::<T>();
	let all = attestors::<T>();
	round_with::<T>(&s, true, all.len(), &all);
	assert!(Outputs::<T>::contains_key(s.facility, s.period));
	(s, all)
}

#[benchmarks(where T::RuntimeEvent: From<Event<T>>)]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn set_period_length() {
		// A full schedule list whose oldest entry can go.
		T::BenchmarkHelper::set_now(NOW);
		for _ in 1..MAX_SCHEDULES {
			Pallet::<T>::do_set_period_length(600).unwrap();
			let start = Schedules::<T>::get().last().unwrap().start_time;
			T::BenchmarkHelper::set_now(start);
		}
		T::BenchmarkHelper::set_now(T::Time::now().as_secs() + 30 * 86_400);
		#[extrinsic_call]
		_(RawOrigin::Root, 900);
		assert_eq!(Schedules::<T>::get().last().unwrap().length, 900);
	}

	#[benchmark]
	fn set_timing() {
		// Longer windows that still leave a backlog the yield pallet's records keep.
		let current = Timings::<T>::get();
		let timing = Timing { report_window: current.report_window.saturating_add(2), ..current };
		#[extrinsic_call]
		_(RawOrigin::Root, timing);
		assert_eq!(Timings::<T>::get(), timing);
	}

	#[benchmark]
	fn add_feeder() {
		let mut feeders = Feeders::<T>::get();
		feeders.truncate(T::MaxFeeders::get().saturating_sub(1) as usize);
		for i in feeders.len() as u32..T::MaxFeeders::get() - 1 {
			feeders.try_push(account("feeder", i, SEED)).unwrap();
		}
		Feeders::<T>::put(feeders);
		let feeder: T::AccountId = account("new-feeder", 0, SEED);
		#[extrinsic_call]
		_(RawOrigin::Root, feeder.clone());
		assert!(Feeders::<T>::get().contains(&feeder));
	}

	#[benchmark]
	fn remove_feeder() {
		let mut feeders = Feeders::<T>::get();
		for i in feeders.len() as u32..T::MaxFeeders::get() {
			feeders.try_push(account("feeder", i, SEED)).unwrap();
		}
		let last = feeders.last().unwrap().clone();
		Feeders::<T>::put(feeders);
		#[extrinsic_call]
		_(RawOrigin::Root, last.clone());
		assert!(!Feeders::<T>::get().contains(&last));
	}

	#[benchmark]
	fn feed_network_data() {
		let s = setup::<T>();
		// Every feeder but the last has fed; the last one adds its feed.
		let mut feeds = Feeds::<T>::get(s.period);
		let last = feeds.pop().unwrap().0;
		Feeds::<T>::insert(s.period, feeds);
		// Worst case: a period of `NetworkHistory` before is pruned by the fixing.
		let old = PeriodIndex(s.period.0 - T::NetworkHistory::get());
		Network::<T>::insert(
			old,
			FixedNetwork { data: network(), source: NetworkSource::LastFixed, used: true },
		);
		#[extrinsic_call]
		_(RawOrigin::Signed(last), s.period, network());
		// The last feed completed the set: the period's data is fixed.
		assert_eq!(Pallet::<T>::network_data_of(s.period), Some(network()));
		assert!(!Network::<T>::contains_key(old));
	}

	/// One period fixed by the block hook (or by the call that needs it): every feeder's
	/// feed, the median, an old period pruned.
	#[benchmark]
	fn fix_network_data() {
		let s = setup::<T>();
		let old = PeriodIndex(s.period.0 - T::NetworkHistory::get());
		Network::<T>::insert(
			old,
			FixedNetwork { data: network(), source: NetworkSource::LastFixed, used: true },
		);
		let (_, end) = Pallet::<T>::bounds(s.period).unwrap();
		let now = Pallet::<T>::feed_window_close(end);
		#[block]
		{
			Pallet::<T>::fix_due(now, 1);
		}
		assert_eq!(Pallet::<T>::network_data_of(s.period), Some(network()));
		assert_eq!(NextToFix::<T>::get(), s.period.next());
	}

	#[benchmark]
	fn set_network_data() {
		let s = setup::<T>();
		#[extrinsic_call]
		_(RawOrigin::Root, s.period, network());
		assert!(Feeds::<T>::get(s.period).is_empty());
		assert_eq!(
			LastFixed::<T>::get(),
			Some(LastFixedNetwork {
				period: Some(s.period),
				end: Pallet::<T>::bounds(s.period).unwrap().1,
				data: network()
			})
		);
	}

	#[benchmark]
	fn set_strike_rules() {
		let rules = StrikeRules { limit: 3, ..StrikeRules::default() };
		#[extrinsic_call]
		_(RawOrigin::Root, rules);
		assert_eq!(StrikeRule::<T>::get(), rules);
	}

	#[benchmark]
	fn add_attestor() {
		for i in Attestors::<T>::get().len() as u32..T::MaxAttestors::get() - 1 {
			Pallet::<T>::do_add_attestor(funded::<T>("attestor", i)).unwrap();
		}
		let attestor = funded::<T>("new-attestor", 0);
		#[extrinsic_call]
		_(RawOrigin::Root, attestor.clone());
		assert!(Attestors::<T>::get().contains(&attestor));
	}

	#[benchmark]
	fn remove_attestor() {
		let all = attestors::<T>();
		let last = all.last().unwrap().clone();
		#[extrinsic_call]
		_(RawOrigin::Root, last.clone());
		assert!(!Attestors::<T>::get().contains(&last));
	}

	#[benchmark]
	fn report() {
		// The report completes the round: every attestor attested, so it fixes the network
		// data and finalizes, striking (and removing) the minority.
		let s = setup::<T>();
		let all = attestors::<T>();
		strikes_remove::<T>();
		attest_split::<T>(&s, &all, all.len());
		#[extrinsic_call]
		_(RawOrigin::Signed(s.reporter.clone()), s.facility, s.period, s.output);
		assert!(Outputs::<T>::contains_key(s.facility, s.period));
	}

	#[benchmark]
	fn attest() {
		// The last attestation completes the round: fixes the network data and finalizes,
		// striking (and removing) the minority.
		let s = setup::<T>();
		let all = attestors::<T>();
		strikes_remove::<T>();
		Pallet::<T>::do_report(s.reporter.clone(), s.facility, s.period, s.output).unwrap();
		attest_split::<T>(&s, &all, all.len() - 1);
		let last = all.last().unwrap().clone();
		#[extrinsic_call]
		_(RawOrigin::Signed(last), s.facility, s.period, s.output);
		assert!(Outputs::<T>::contains_key(s.facility, s.period));
	}

	#[benchmark]
	fn report_stored() {
		// The report completes the round but the period's network data cannot be fixed yet
		// (every feeder but one fed, window open): every check of the finalizing path, then
		// the round is stored and queued for the close sweep, which has passed it.
		let s = setup::<T>();
		let all = attestors::<T>();
		one_feed_short::<T>(&s);
		attest_split::<T>(&s, &all, all.len());
		#[extrinsic_call]
		report(RawOrigin::Signed(s.reporter.clone()), s.facility, s.period, s.output);
		assert!(!Outputs::<T>::contains_key(s.facility, s.period));
		assert!(Rounds::<T>::get(s.facility, s.period).is_some_and(|r| r.report.is_some()));
	}

	#[benchmark]
	fn attest_stored() {
		// The last attestation completes the round but the period's network data cannot be
		// fixed yet: the round is stored and queued.
		let s = setup::<T>();
		let all = attestors::<T>();
		one_feed_short::<T>(&s);
		Pallet::<T>::do_report(s.reporter.clone(), s.facility, s.period, s.output).unwrap();
		attest_split::<T>(&s, &all, all.len() - 1);
		let last = all.last().unwrap().clone();
		#[extrinsic_call]
		attest(RawOrigin::Signed(last), s.facility, s.period, s.output);
		assert!(!Outputs::<T>::contains_key(s.facility, s.period));
		assert_eq!(Rounds::<T>::get(s.facility, s.period).unwrap().attestations.len(), all.len());
	}

	#[benchmark]
	fn close() {
		// All attestors but one attested, the lower-sats minority off tolerance: close fixes
		// the network data, finalizes, pays the majority and strikes the minority, each
		// reaching the limit: removed, slashed.
		let s = setup::<T>();
		let all = attestors::<T>();
		strikes_remove::<T>();
		Pallet::<T>::do_report(s.reporter.clone(), s.facility, s.period, s.output).unwrap();
		attest_split::<T>(&s, &all, all.len() - 1);
		let (_, end) = Pallet::<T>::bounds(s.period).unwrap();
		T::BenchmarkHelper::set_now(end + Timings::<T>::get().report_window);
		let caller = funded::<T>("caller", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), s.facility, s.period);
		assert!(Outputs::<T>::contains_key(s.facility, s.period));
		assert!(Attestors::<T>::get().len() < all.len(), "the minority was removed");
	}

	#[benchmark]
	fn close_to_governance() {
		// Nobody attested through the extension: close hands the round to governance and
		// strikes every eligible attestor, each reaching the limit: removed, slashed.
		let s = setup::<T>();
		attestors::<T>();
		strikes_remove::<T>();
		Pallet::<T>::do_report(s.reporter.clone(), s.facility, s.period, s.output).unwrap();
		let (_, end) = Pallet::<T>::bounds(s.period).unwrap();
		let timing = Timings::<T>::get();
		T::BenchmarkHelper::set_now(end + timing.report_window);
		Pallet::<T>::do_close(s.facility, s.period).unwrap();
		T::BenchmarkHelper::set_now(end + timing.report_window + timing.quorum_extension);
		let caller = funded::<T>("caller", 0);
		#[extrinsic_call]
		close(RawOrigin::Signed(caller), s.facility, s.period);
		assert!(Rounds::<T>::get(s.facility, s.period).is_some_and(|r| r.awaiting_governance));
		assert!(Attestors::<T>::get().is_empty(), "every absent attestor was removed");
	}

	#[benchmark]
	fn force_finalize() {
		let s = setup::<T>();
		let all = attestors::<T>();
		round_with::<T>(&s, true, 0, &all);
		let (_, end) = Pallet::<T>::bounds(s.period).unwrap();
		let timing = Timings::<T>::get();
		T::BenchmarkHelper::set_now(end + timing.report_window);
		Pallet::<T>::do_close(s.facility, s.period).unwrap();
		T::BenchmarkHelper::set_now(end + timing.report_window + timing.quorum_extension);
		Pallet::<T>::do_close(s.facility, s.period).unwrap();
		#[extrinsic_call]
		_(RawOrigin::Root, s.facility, s.period, FinalizeFrom::NetworkExpectation);
		assert!(Outputs::<T>::contains_key(s.facility, s.period));
	}

	#[benchmark]
	fn make_final() {
		// A dispute whose deadline passed: upheld, the deposit goes to the treasury.
		let (s, all) = finalized::<T>();
		Pallet::<T>::do_dispute(s.facility, s.period, Some(all[0].clone())).unwrap();
		let now = T::Time::now().as_secs();
		T::BenchmarkHelper::set_now(now + Timings::<T>::get().resolution_window);
		let caller = funded::<T>("caller", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), s.facility, s.period);
		assert!(Pallet::<T>::final_outcome(s.facility, s.period).is_some());
	}

	#[benchmark]
	fn dispute() {
		let (s, all) = finalized::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(all[0].clone()), s.facility, s.period);
		assert!(Disputes::<T>::contains_key(s.facility, s.period));
	}

	#[benchmark]
	fn resolve_dispute() {
		// A correction that slashes the facility and every attestor.
		let (s, all) = finalized::<T>();
		Pallet::<T>::do_dispute(s.facility, s.period, Some(all[0].clone())).unwrap();
		let hashrate = Hashrate(s.output.hashrate.get() / 2);
		let (start, end) = Pallet::<T>::bounds(s.period).unwrap();
		let efficiency = T::Facilities::fleet_efficiency(s.facility).unwrap();
		let seconds = end - start;
		let corrected = PeriodOutput {
			hashrate,
			sats: expected_net_sats(hashrate, seconds, &network(), 0).unwrap(),
			energy: physics::energy_burned(hashrate, efficiency, seconds).unwrap(),
			..s.output
		};
		#[extrinsic_call]
		_(RawOrigin::Root, s.facility, s.period, Some(corrected));
		assert!(Attestors::<T>::get().is_empty());
	}

	#[benchmark]
	fn correct_by_proofs() {
		// An output in attested mode that proofs show was twice the attestation, once its
		// proofs closed: corrected and made final.
		let (s, _) = finalized::<T>();
		let attested = Outputs::<T>::get(s.facility, s.period).unwrap().output.sats.get();
		T::Payouts::benchmark_prove(s.facility, s.period, Sats(attested.saturating_mul(2).max(1)));
		let (_, end) = Pallet::<T>::bounds(s.period).unwrap();
		let now = T::Time::now().as_secs().max(Pallet::<T>::window_close(end, false));
		T::BenchmarkHelper::set_now(now);
		let caller = funded::<T>("caller", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), s.facility, s.period);
		assert!(ProofBases::<T>::get(s.facility, s.period).is_some_and(|b| b.corrected));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
