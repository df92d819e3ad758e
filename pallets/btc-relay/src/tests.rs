//! Tests: the real mainnet headers of 822,528..=830,592 relayed from a checkpoint, each check
//! refused by its own error on an edited real header, the real stale header 823,226, and
//! reorganisations on regtest with headers mined here.

use crate::{bitcoin::*, mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	dispatch::{DispatchResultWithPostInfo, Pays},
	traits::{ConstU32, Hooks},
	BoundedVec,
};
use polkadot_sdk::{frame_support::weights::Weight, sp_runtime};

fn batch(headers: &[RawHeader]) -> BoundedVec<RawHeader, ConstU32<MAX_BATCH>> {
	BoundedVec::try_from(headers.to_vec()).expect("within the batch bound")
}

fn submit(headers: &[RawHeader]) -> DispatchResultWithPostInfo {
	BtcRelay::submit_headers(RuntimeOrigin::signed(1), batch(headers))
}

/// Index in [`mainnet_headers`] of `height`.
fn at(height: u32) -> usize {
	(height - FIRST_HEIGHT) as usize
}

/// Relays the real headers after the checkpoint up to and including `height`.
fn relay_up_to(height: u32) {
	let headers = mainnet_headers();
	for chunk in headers[at(CHECKPOINT_HEIGHT) + 1..=at(height)].chunks(MAX_BATCH as usize) {
		assert_ok!(submit(chunk));
	}
}

fn best() -> Tip {
	Best::<Test>::get().expect("a tip")
}

/// `raw` with the four bytes at `offset` replaced by `value` (little-endian).
fn edited(raw: &RawHeader, offset: usize, value: u32) -> RawHeader {
	let mut raw = *raw;
	raw[offset..offset + 4].copy_from_slice(&value.to_le_bytes());
	raw
}

const TIME: usize = 68;
const BITS: usize = 72;
const NONCE: usize = 76;

/// A hash in the byte order block explorers print.
fn display(hash: H256) -> alloc::string::String {
	hash.as_bytes().iter().rev().map(|b| alloc::format!("{b:02x}")).collect()
}

mod submit_headers {
	use super::*;

	#[test]
	fn accepts_every_real_header_and_its_retargets() {
		mainnet(|| {
			relay_up_to(830_592);
			let tip = best();
			assert_eq!(tip.height, 830_592);
			assert_eq!(
				display(tip.hash),
				"00000000000000000000506183a8b30fa3224b85e82a70416e1d594bdb632fdb"
			);
			// The retargets the rule computed are the published ones.
			for (height, bits) in [
				(824_544, 0x1703_d869),
				(826_560, 0x1704_005a),
				(828_576, 0x1703_ba5d),
				(830_592, 0x1703_71b1),
			] {
				let hash = MainChain::<Test>::get(height).expect("on the main chain");
				assert_eq!(Headers::<Test>::get(hash).unwrap().bits, bits, "at {height}");
			}
			let last_batch = (830_592 - CHECKPOINT_HEIGHT) % MAX_BATCH;
			System::assert_last_event(
				Event::HeadersRelayed { added: last_batch, best: tip.hash, height: 830_592 }.into(),
			);
		});
	}

	#[test]
	fn is_free_when_it_moves_the_tip_and_skips_known_headers_for_a_fee() {
		mainnet(|| {
			let headers = mainnet_headers();
			let next = &headers[at(CHECKPOINT_HEIGHT) + 1..at(CHECKPOINT_HEIGHT) + 4];
			assert_eq!(submit(next).unwrap().pays_fee, Pays::No);
			let again = submit(next).unwrap();
			assert_eq!(again.pays_fee, Pays::Yes, "known headers are not refunded");
			assert_eq!(
				again.actual_weight,
				Some(<() as WeightInfo>::submit_headers(3)),
				"nor is their weight"
			);
			System::assert_last_event(
				Event::HeadersRelayed {
					added: 0,
					best: best().hash,
					height: CHECKPOINT_HEIGHT + 3,
				}
				.into(),
			);
		});
	}

	#[test]
	fn fails_for_an_empty_batch_or_without_a_checkpoint() {
		mainnet(|| {
			assert_noop!(submit(&[]), Error::<Test>::EmptyBatch);
		});
		new_test_ext(Network::Mainnet, None).execute_with(|| {
			assert_noop!(submit(&mainnet_headers()[..1]), Error::<Test>::NoCheckpoint);
		});
	}

	#[test]
	fn fails_for_an_unsigned_origin() {
		mainnet(|| {
			let next = batch(&mainnet_headers()[at(CHECKPOINT_HEIGHT) + 1..][..1]);
			assert_noop!(
				BtcRelay::submit_headers(RuntimeOrigin::none(), next),
				sp_runtime::DispatchError::BadOrigin
			);
		});
	}

	#[test]
	fn fails_for_an_unknown_parent() {
		mainnet(|| {
			let headers = mainnet_headers();
			// Skipping a header breaks the link.
			assert_noop!(
				submit(&[headers[at(CHECKPOINT_HEIGHT) + 2]]),
				Error::<Test>::UnknownParent
			);
		});
	}

	#[test]
	fn fails_for_bits_other_than_required() {
		mainnet(|| {
			let next = mainnet_headers()[at(CHECKPOINT_HEIGHT) + 1];
			let bits = Header::parse(&next).bits;
			assert_noop!(
				submit(&[edited(&next, BITS, bits - 1)]),
				Error::<Test>::BadDifficultyBits
			);
		});
	}

	#[test]
	fn fails_for_the_old_bits_at_a_retarget() {
		mainnet(|| {
			relay_up_to(824_543);
			let headers = mainnet_headers();
			let retarget = headers[at(824_544)];
			let old = Header::parse(&headers[at(824_543)]).bits;
			assert_noop!(submit(&[edited(&retarget, BITS, old)]), Error::<Test>::BadDifficultyBits);
			assert_ok!(submit(&[retarget]));
		});
	}

	#[test]
	fn fails_for_a_time_at_the_median() {
		mainnet(|| {
			let headers = mainnet_headers();
			let i = at(CHECKPOINT_HEIGHT) + 1;
			let times: Vec<u32> =
				headers[i - 11..i].iter().map(|h| Header::parse(h).time).collect();
			let median = median_time_past(&times);
			assert_noop!(submit(&[edited(&headers[i], TIME, median)]), Error::<Test>::TimeTooOld);
			// One second later the time check passes; the edited header's work does not.
			assert_noop!(
				submit(&[edited(&headers[i], TIME, median + 1)]),
				Error::<Test>::InsufficientWork
			);
		});
	}

	#[test]
	fn fails_for_a_time_more_than_two_hours_ahead() {
		mainnet(|| {
			let next = mainnet_headers()[at(CHECKPOINT_HEIGHT) + 1];
			let time = u64::from(Header::parse(&next).time);
			Now::set(time - MAX_FUTURE_BLOCK_TIME - 1);
			assert_noop!(submit(&[next]), Error::<Test>::TimeTooNew);
			Now::set(time - MAX_FUTURE_BLOCK_TIME);
			assert_ok!(submit(&[next]));
		});
	}

	/// Mainnet refuses versions below 4 since BIP 65 (Core's `bad-version`), negative ones
	/// included; the check comes before proof of work.
	#[test]
	fn fails_for_a_version_below_4() {
		mainnet(|| {
			let next = mainnet_headers()[at(CHECKPOINT_HEIGHT) + 1];
			for version in [3u32, 1, 0x8000_0004] {
				assert_noop!(submit(&[edited(&next, 0, version)]), Error::<Test>::BadVersion);
			}
			assert_noop!(submit(&[edited(&next, 0, 4)]), Error::<Test>::InsufficientWork);
		});
	}

	#[test]
	fn fails_for_a_flipped_nonce_bit() {
		mainnet(|| {
			let next = mainnet_headers()[at(CHECKPOINT_HEIGHT) + 1];
			let nonce = Header::parse(&next).nonce;
			assert_noop!(
				submit(&[edited(&next, NONCE, nonce ^ 1)]),
				Error::<Test>::InsufficientWork
			);
		});
	}

	#[test]
	fn an_invalid_header_fails_the_whole_batch() {
		mainnet(|| {
			let headers = mainnet_headers();
			let i = at(CHECKPOINT_HEIGHT) + 1;
			let nonce = Header::parse(&headers[i + 2]).nonce;
			let bad = [headers[i], headers[i + 1], edited(&headers[i + 2], NONCE, nonce ^ 1)];
			assert_noop!(submit(&bad), Error::<Test>::InsufficientWork);
			assert_eq!(best().height, CHECKPOINT_HEIGHT);
		});
	}

	#[test]
	fn keeps_the_real_stale_header_823226_as_a_losing_side_branch() {
		mainnet(|| {
			relay_up_to(823_226);
			let tip = best();
			let stale: RawHeader =
				include_bytes!("../../../testdata/bitcoin/stale-header-823226.bin")
					.as_slice()
					.try_into()
					.unwrap();
			let hash = double_sha256(&stale);
			assert_eq!(
				display(hash),
				"0000000000000000000365e705dbbea406f6e383f510d400fa23e40eae71e056"
			);
			assert_eq!(
				Header::parse(&stale).prev,
				Header::parse(&mainnet_headers()[at(823_226)]).prev,
				"the same parent as the main-chain block"
			);
			let result = submit(&[stale]).unwrap();
			assert_eq!(result.pays_fee, Pays::Yes, "a side branch pays");
			assert_eq!(best(), tip, "equal work: the first-seen tip stays");
			assert!(SideHeaders::<Test>::contains_key(823_226, hash));
			assert_eq!(Headers::<Test>::get(hash).unwrap().height, 823_226);
			// The main chain goes on from the first-seen block.
			relay_up_to(823_300);
			assert_eq!(best().height, 823_300);
			// What payout proofs ask: the stale block is stored but not on the main chain, so
			// no transaction of it is proven; the main-chain block of its height is.
			use hashrate_primitives::BitcoinChain;
			assert_eq!(crate::Pallet::<Test>::main_chain_block(&hash), None);
			let main = double_sha256(&mainnet_headers()[at(823_226)]);
			let block = crate::Pallet::<Test>::main_chain_block(&main).unwrap();
			assert_eq!((block.height, block.confirmations), (823_226, 75));
		});
	}
}

mod reorganisation {
	use super::*;

	#[test]
	fn a_heavier_branch_takes_over_the_main_chain() {
		regtest(|genesis| {
			let main = chain(genesis, T0, 5, 1);
			assert_ok!(submit(&main));
			let old_tip = best();
			assert_eq!(old_tip.height, 5);
			// A branch from height 2 with four headers: height 6, more work.
			let fork = double_sha256(&main[1]);
			let branch = chain(fork, T0 + 120, 4, 2);
			assert_ok!(submit(&branch[..3]));
			assert_eq!(best(), old_tip, "height 5 against 5: the first seen stays");
			assert_ok!(submit(&branch[3..]));
			let tip = best();
			assert_eq!((tip.hash, tip.height), (double_sha256(&branch[3]), 6));
			System::assert_has_event(
				Event::Reorganized { from: old_tip.hash, to: tip.hash, depth: 3 }.into(),
			);
			for (i, header) in branch.iter().enumerate() {
				assert_eq!(MainChain::<Test>::get(3 + i as u32), Some(double_sha256(header)));
			}
			for (i, header) in main[2..].iter().enumerate() {
				assert!(SideHeaders::<Test>::contains_key(3 + i as u32, double_sha256(header)));
			}
		});
	}

	#[test]
	fn a_fork_deeper_than_the_bound_is_refused() {
		regtest(|genesis| {
			let main = chain(genesis, T0, MAX_REORG + 2, 1);
			assert_ok!(submit(&main));
			let branch = chain(genesis, T0, 1, 2);
			assert_noop!(submit(&branch), Error::<Test>::ReorgTooDeep);
			// At the bound it is accepted as a side branch.
			let fork = double_sha256(&main[1]);
			let shallow = chain(fork, T0 + 120, 1, 3);
			assert_ok!(submit(&shallow));
		});
	}

	#[test]
	fn regtest_batches_pay_even_when_they_move_the_tip() {
		regtest(|genesis| {
			let main = chain(genesis, T0, 2, 1);
			assert_eq!(submit(&main).unwrap().pays_fee, Pays::Yes);
		});
	}

	#[test]
	fn pruning_keeps_the_last_heights_and_drops_side_branches_below() {
		regtest(|genesis| {
			let total = KEEP + 40;
			let mut prev = genesis;
			let mut time = T0;
			let mut side = None;
			let mut height = 0;
			while height < total {
				let n = MAX_BATCH.min(total - height);
				let headers = chain(prev, time, n, 1);
				if side.is_none() {
					// A side header at height 2.
					let stale = chain(double_sha256(&headers[0]), time + 60, 1, 9);
					assert_ok!(submit(&headers[..2]));
					assert_ok!(submit(&stale));
					side = Some(double_sha256(&stale[0]));
				}
				assert_ok!(submit(&headers));
				prev = double_sha256(&headers[n as usize - 1]);
				time += 60 * n;
				height += n;
			}
			let side = side.unwrap();
			assert_eq!(best().height, total);
			BtcRelay::on_idle(2, Weight::MAX);
			assert_eq!(KeptFrom::<Test>::get(), total - KEEP);
			assert!(MainChain::<Test>::get(total - KEEP - 1).is_none());
			assert!(MainChain::<Test>::get(total - KEEP).is_some());
			assert!(!Headers::<Test>::contains_key(side));
			assert!(!SideHeaders::<Test>::contains_key(2, side));
			// Still relaying on top.
			assert_ok!(submit(&chain(prev, time, 3, 1)));
		});
	}
}

mod checkpoint {
	use super::*;

	#[test]
	fn a_malformed_checkpoint_is_refused() {
		let good = mainnet_checkpoint();
		let short = Checkpoint { header: good.header[..79].to_vec(), ..good.clone() };
		assert_eq!(short.verify(Network::Mainnet).unwrap_err(), CheckpointError::HeaderSize);
		let few = Checkpoint { times: good.times[1..].to_vec(), ..good.clone() };
		assert_eq!(few.verify(Network::Mainnet).unwrap_err(), CheckpointError::Times);
		let mut times = good.times.clone();
		*times.last_mut().unwrap() += 1;
		let wrong = Checkpoint { times, ..good.clone() };
		assert_eq!(wrong.verify(Network::Mainnet).unwrap_err(), CheckpointError::TimeMismatch);
		// At a retarget height the epoch starts with the header itself.
		let headers = mainnet_headers();
		let time = |i: usize| Header::parse(&headers[i]).time;
		let retarget = at(824_544);
		let epoch = Checkpoint {
			header: headers[retarget].to_vec(),
			height: 824_544,
			epoch_start_time: time(retarget) - 1,
			times: (retarget - 10..=retarget).map(time).collect(),
		};
		assert_eq!(epoch.verify(Network::Mainnet).unwrap_err(), CheckpointError::EpochStart);
		let epoch = Checkpoint { epoch_start_time: time(retarget), ..epoch };
		assert!(epoch.verify(Network::Mainnet).is_ok());
		assert!(good.verify(Network::Mainnet).is_ok());
	}
	fn args(checkpoint: &Checkpoint) -> (RawHeader, u32, u32, [u32; 11]) {
		(
			checkpoint.header.as_slice().try_into().unwrap(),
			checkpoint.height,
			checkpoint.epoch_start_time,
			checkpoint.times.as_slice().try_into().unwrap(),
		)
	}

	/// Governance moves the relay to a later checkpoint: the relay stops, `on_idle` clears
	/// every old header over blocks within its weight, then starts from the new one, and the
	/// headers after it verify.
	#[test]
	fn set_checkpoint_clears_the_old_relay_then_starts_over() {
		let mut ext = new_test_ext(Network::Mainnet, Some(mainnet_checkpoint()));
		let headers = mainnet_headers();
		// 824,544 is a retarget height: its epoch starts there.
		let height = 824_550;
		let time = |h: u32| bitcoin::Header::parse(&headers[at(h)]).time;
		ext.execute_with(|| {
			relay_up_to(CHECKPOINT_HEIGHT + 600);
			let new = Checkpoint {
				header: headers[at(height)].to_vec(),
				height,
				epoch_start_time: time(824_544),
				times: (height - 10..=height).map(time).collect(),
			};
			let (header, h, start, times) = args(&new);
			assert_ok!(BtcRelay::set_checkpoint(RuntimeOrigin::root(), header, h, start, times));
			System::assert_last_event(
				Event::CheckpointSet { hash: bitcoin::double_sha256(&header), height }.into(),
			);
			assert!(Best::<Test>::get().is_none());
			assert_noop!(
				submit(&headers[at(height) + 1..at(height) + 2]),
				Error::<Test>::NoCheckpoint
			);
		});
		// Each block's `on_idle` on committed state (as on a chain), with a budget of about
		// 100 keys: the 601 headers and their index take blocks.
		let budget = frame_support::weights::constants::RocksDbWeight::get().reads_writes(110, 110);
		let mut blocks = 0;
		while ext.execute_with(PendingCheckpoint::<Test>::exists) {
			ext.commit_all().expect("commits");
			ext.execute_with(|| {
				let used = BtcRelay::on_idle(2, budget);
				assert!(used.all_lte(budget), "{used:?}");
			});
			blocks += 1;
			assert!(blocks < 50);
		}
		assert!(blocks > 5, "{blocks}");
		ext.execute_with(|| {
			assert_eq!(Headers::<Test>::iter().count(), 1);
			let tip = best();
			assert_eq!(
				(tip.height, tip.hash),
				(height, bitcoin::double_sha256(&headers[at(height)]))
			);
			System::assert_last_event(Event::RelayStarted { hash: tip.hash, height }.into());
			assert_ok!(submit(&headers[at(height) + 1..at(height) + 101]));
			assert_eq!(best().height, height + 100);
			BtcRelay::do_try_state().expect("invariants hold");
		});
	}

	#[test]
	fn set_checkpoint_fails_for_a_signed_origin_or_a_malformed_checkpoint() {
		mainnet(|| {
			let (header, h, start, times) = args(&mainnet_checkpoint());
			assert_noop!(
				BtcRelay::set_checkpoint(RuntimeOrigin::signed(1), header, h, start, times),
				sp_runtime::DispatchError::BadOrigin
			);
			let mut wrong = times;
			wrong[10] += 1;
			assert_noop!(
				BtcRelay::set_checkpoint(RuntimeOrigin::root(), header, h, start, wrong),
				Error::<Test>::InvalidCheckpoint
			);
			// nBits above the limit.
			let easy = edited(&header, BITS, 0x1d01_ffff);
			assert_noop!(
				BtcRelay::set_checkpoint(RuntimeOrigin::root(), easy, h, start, times),
				Error::<Test>::InvalidCheckpoint
			);
		});
	}
}
