//! A test runtime: system and this pallet. Bitcoin's main chain is the real mainnet headers of
//! `testdata/bitcoin` (822,528..=830,592) with a tip the tests move; facilities, their scripts
//! and the oracle's periods are small stand-ins behind the traits the runtime wires to the real
//! pallets.

use crate as pallet_payout_proofs;
use crate::*;
use frame_support::{
	derive_impl,
	traits::{ConstU32, ConstU64},
};
use hashrate_primitives::{
	bitcoin::transaction::{double_sha256, merkle_root, HEADER_SIZE},
	BitcoinBlock, Difficulty, FacilityInspect, FacilityStatus, Hashrate, NetworkData,
	PeriodOutcome, Power, ScriptKind, ScriptOwnership,
};
use polkadot_sdk::sp_io;
use sp_runtime::BuildStorage;
use std::{cell::RefCell, collections::BTreeMap};

pub type AccountId = u64;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		PayoutProofs: pallet_payout_proofs,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
	// Reads have a cost, so the weights' read counts show.
	type DbWeight = frame_support::weights::constants::RocksDbWeight;
}

/// Periods are UTC days.
pub const PERIOD: u64 = 86_400;
/// Proofs of a period close two days after it ends.
pub const REPORT_WINDOW: u64 = 2 * 86_400;
pub const MIN_CONFIRMATIONS: u32 = 6;
/// A proof crediting this much in all pays no fee.
pub const FREE_PROOF_SATS: u64 = 100_000;
pub const MAX_LAG: u32 = 7;
pub const CREDIT_RETENTION: u32 = 2_400;
pub const PROVEN_HISTORY: u32 = 400;
/// Heights the mock relay keeps below its tip: longer than a credit.
pub const KEPT_HEIGHTS: u32 = CREDIT_RETENTION + 100;
/// The first and last height of the header file.
pub const FIRST_HEIGHT: u32 = 822_528;
pub const LAST_HEIGHT: u32 = 830_592;

impl Config for Test {
	type Chain = MockChain;
	type Scripts = MockScripts;
	type Facilities = MockFacilities;
	type Oracle = MockOracle;
	type Time = MockTime;
	type GovernanceOrigin = frame_system::EnsureRoot<AccountId>;
	type MinConfirmations = ConstU32<MIN_CONFIRMATIONS>;
	type MinCreditSats = ConstU64<546>;
	type FreeProofSats = ConstU64<FREE_PROOF_SATS>;
	type MaxLag = ConstU32<MAX_LAG>;
	type MaxTransactionSize = ConstU32<65_536>;
	type CreditRetention = ConstU32<CREDIT_RETENTION>;
	type ProvenHistory = ConstU32<PROVEN_HISTORY>;
	type WeightInfo = ();
}

/// What the stand-ins hold.
#[derive(Default)]
pub struct World {
	pub now: u64,
	/// Periods start at this unix second: earlier times have no period.
	pub periods_start: u64,
	pub tip: u32,
	pub owners: BTreeMap<Vec<u8>, ScriptOwnership>,
	/// A block made up by a benchmark: hash, height, time, Merkle root.
	pub made_up: Option<(H256, u32, u32, H256)>,
}

std::thread_local! {
	static WORLD: RefCell<World> = RefCell::new(World::default());
	/// Every header of the file, by hash: (height, time, merkle root).
	static HEADERS: BTreeMap<H256, (u32, u32, H256)> = load_headers();
}

fn load_headers() -> BTreeMap<H256, (u32, u32, H256)> {
	let data: &[u8] = include_bytes!("../../../testdata/bitcoin/mainnet-headers-822528-830592.bin");
	data.chunks_exact(HEADER_SIZE)
		.enumerate()
		.map(|(i, raw)| {
			let raw: [u8; HEADER_SIZE] = raw.try_into().unwrap();
			let time = u32::from_le_bytes(raw[68..72].try_into().unwrap());
			(double_sha256(&raw), (FIRST_HEIGHT + i as u32, time, merkle_root(&raw)))
		})
		.collect()
}

pub fn world<R>(f: impl FnOnce(&mut World) -> R) -> R {
	WORLD.with(|w| f(&mut w.borrow_mut()))
}

/// The main chain's tip is at `height` (at most [`LAST_HEIGHT`]).
pub fn set_tip(height: u32) {
	world(|w| w.tip = height);
}

pub fn set_now(secs: u64) {
	world(|w| w.now = secs);
}

pub fn now() -> u64 {
	world(|w| w.now)
}

/// `facility` owns `script` from `approved_at` (until `removed_at`).
pub fn own(facility: u32, script: &[u8], approved_at: u64, removed_at: Option<u64>) {
	let ownership = ScriptOwnership { facility: FacilityId(facility), approved_at, removed_at };
	world(|w| w.owners.insert(script.to_vec(), ownership));
}

/// The real headers, up to the tip; confirmations counted from it. Like the relay, which
/// prunes lazily, it keeps a block a while after credits of it may go: [`KEPT_HEIGHTS`].
pub struct MockChain;
impl MockChain {
	fn block(hash: H256, height: u32, time: u32, root: H256) -> Option<BitcoinBlock> {
		let tip = world(|w| w.tip);
		(height <= tip && height + KEPT_HEIGHTS > tip).then(|| BitcoinBlock {
			hash,
			height,
			time,
			difficulty: Difficulty(1),
			merkle_root: root,
			confirmations: tip - height + 1,
		})
	}

	/// The hash of the header at `height`.
	pub fn hash_at(height: u32) -> H256 {
		HEADERS.with(|headers| {
			*headers.iter().find(|(_, (h, ..))| *h == height).expect("height in the file").0
		})
	}

	/// The time of the header at `height`.
	pub fn time_at(height: u32) -> u64 {
		HEADERS.with(|headers| {
			u64::from(headers.values().find(|(h, ..)| *h == height).expect("height in file").1)
		})
	}
}
impl BitcoinChain for MockChain {
	fn tip() -> Option<BitcoinBlock> {
		let tip = world(|w| w.tip);
		Self::block_at(tip)
	}
	fn block_at(height: u32) -> Option<BitcoinBlock> {
		let hash = HEADERS.with(|headers| {
			headers.iter().find(|(_, (h, ..))| *h == height).map(|(hash, _)| *hash)
		})?;
		Self::main_chain_block(&hash)
	}
	fn main_chain_block(hash: &H256) -> Option<BitcoinBlock> {
		if let Some((made_up, height, time, root)) = world(|w| w.made_up) {
			if made_up == *hash {
				return Self::block(made_up, height, time, root);
			}
		}
		let (height, time, root) = HEADERS.with(|headers| headers.get(hash).copied())?;
		Self::block(*hash, height, time, root)
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_block(root: H256, confirmations: u32) -> ([u8; HEADER_SIZE], BitcoinBlock) {
		let mut raw = [0u8; HEADER_SIZE];
		raw[36..68].copy_from_slice(root.as_bytes());
		raw[68..72].copy_from_slice(&1_000u32.to_le_bytes());
		let hash = double_sha256(&raw);
		let height = LAST_HEIGHT + 1 - confirmations;
		world(|w| {
			w.made_up = Some((hash, height, 1_000, root));
			w.tip = LAST_HEIGHT;
		});
		(raw, Self::main_chain_block(&hash).expect("made up just now"))
	}
}

/// Script owners as the tests set them ([`own`]).
pub struct MockScripts;
impl PayoutScriptsInspect for MockScripts {
	fn owner(script: &[u8]) -> Option<ScriptOwnership> {
		world(|w| w.owners.get(script).copied())
	}
	fn owns_witness_script(facility: FacilityId) -> bool {
		world(|w| {
			w.owners.iter().any(|(script, owner)| {
				owner.facility == facility
					&& ScriptKind::of(script).is_some_and(ScriptKind::shown_by_witness)
			})
		})
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_own_script(facility: FacilityId, script: &[u8]) {
		own(facility.0, script, 0, None);
	}
}

/// Facilities 0, 1 and 2, operated by accounts 100, 101 and 102.
pub struct MockFacilities;
pub fn operator_of(facility: u32) -> AccountId {
	100 + u64::from(facility)
}
impl FacilityInspect<AccountId, u128> for MockFacilities {
	fn status(facility: FacilityId) -> Option<FacilityStatus> {
		(facility.0 < 3).then_some(FacilityStatus::Active)
	}
	fn operator(facility: FacilityId) -> Option<AccountId> {
		(facility.0 < 3).then(|| operator_of(facility.0))
	}
	fn is_reporter(_: FacilityId, _: &AccountId) -> bool {
		false
	}
	fn may_report(_: FacilityId, _: &AccountId) -> bool {
		false
	}
	fn hashrate_capacity(_: FacilityId) -> Option<Hashrate> {
		None
	}
	fn fleet_efficiency(_: FacilityId) -> Option<hashrate_primitives::Efficiency> {
		None
	}
	fn power_capacity(_: FacilityId) -> Option<Power> {
		None
	}
	fn deposit(_: FacilityId) -> Option<u128> {
		None
	}
	fn obligations(_: FacilityId) -> Option<u32> {
		None
	}
	fn active_since(_: FacilityId) -> Option<u64> {
		Some(0)
	}
	fn next_facility_id() -> FacilityId {
		FacilityId(3)
	}
}

/// UTC days from unix second 0; proofs close [`REPORT_WINDOW`] after a period ends.
pub struct MockOracle;
impl PowOracle for MockOracle {
	fn current_period() -> PeriodIndex {
		PeriodIndex((now() / PERIOD) as u32)
	}
	fn period_bounds(period: PeriodIndex) -> Option<(u64, u64)> {
		let start = u64::from(period.0) * PERIOD;
		Some((start, start + PERIOD))
	}
	fn period_at(time: u64) -> Option<PeriodIndex> {
		(time >= world(|w| w.periods_start)).then_some(PeriodIndex((time / PERIOD) as u32))
	}
	fn proof_deadline(period: PeriodIndex) -> Option<u64> {
		Some((u64::from(period.0) + 1) * PERIOD + REPORT_WINDOW)
	}
	fn network_data(_: PeriodIndex) -> Option<NetworkData> {
		None
	}
	fn final_outcome(_: FacilityId, _: PeriodIndex) -> Option<PeriodOutcome> {
		None
	}
	fn average_final_hashrate(_: FacilityId, _: PeriodIndex, _: u32) -> Option<Hashrate> {
		None
	}
	fn finality_horizon() -> u64 {
		13 * 86_400
	}
	fn shortest_period_length() -> u64 {
		PERIOD
	}
}

pub struct MockTime;
impl frame_support::traits::UnixTime for MockTime {
	fn now() -> core::time::Duration {
		core::time::Duration::from_secs(now())
	}
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		world(|w| *w = World { tip: LAST_HEIGHT, ..World::default() });
	});
	ext
}

/// Runs `test` and then checks the pallet's invariants.
pub fn run(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		PayoutProofs::do_try_state().expect("invariants hold after the test");
	});
}
