//! A test runtime: system and this pallet, with a clock the tests set and root as governance.

use crate as pallet_btc_relay;
use crate::*;
use frame_support::{derive_impl, parameter_types, traits::ConstU32};
use polkadot_sdk::{sp_io, sp_runtime::BuildStorage};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		BtcRelay: pallet_btc_relay,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type DbWeight = frame_support::weights::constants::RocksDbWeight;
}

parameter_types! {
	/// The chain's clock, unix seconds.
	pub static Now: u64 = 1_800_000_000;
}

/// [`Now`] as the pallet's clock.
pub struct Clock;
impl frame_support::traits::UnixTime for Clock {
	fn now() -> core::time::Duration {
		core::time::Duration::from_secs(Now::get())
	}
}

/// Headers per batch.
pub const MAX_BATCH: u32 = 256;
/// Deepest reorganisation.
pub const MAX_REORG: u32 = 24;
/// Confirmations before a span is covered.
pub const CONFIRMATIONS: u32 = 6;
/// Every this many blocks sampled for fees.
pub const FEE_STEP: u32 = 24;
/// Most sampled coinbases.
pub const MAX_SAMPLE: u32 = 16;
/// Heights kept below the tip.
pub const KEEP: u32 = 2_016 + MAX_REORG + MAX_BATCH;

impl Config for Test {
	type Time = Clock;
	type GovernanceOrigin = frame_system::EnsureRoot<u64>;
	type MaxHeadersPerBatch = ConstU32<MAX_BATCH>;
	type MaxReorgDepth = ConstU32<MAX_REORG>;
	type KeepHeaders = ConstU32<KEEP>;
	type NetworkConfirmations = ConstU32<CONFIRMATIONS>;
	type FeeSampleStep = ConstU32<FEE_STEP>;
	type MaxFeeSample = ConstU32<MAX_SAMPLE>;
	type MaxTransactionSize = ConstU32<16_384>;
	type MaxProofSize = ConstU32<4_096>;
	type WeightInfo = ();
}

/// The real mainnet headers of heights 822,528..=830,592.
pub fn mainnet_headers() -> Vec<RawHeader> {
	let data: &[u8] = include_bytes!("../../../testdata/bitcoin/mainnet-headers-822528-830592.bin");
	data.chunks_exact(80).map(|chunk| chunk.try_into().expect("80 bytes")).collect()
}

/// Height of the first header in [`mainnet_headers`].
pub const FIRST_HEIGHT: u32 = 822_528;
/// The checkpoint height: the epoch starts at [`FIRST_HEIGHT`], and the ten headers before it
/// are in the file.
pub const CHECKPOINT_HEIGHT: u32 = 822_538;

/// The mainnet checkpoint at [`CHECKPOINT_HEIGHT`], from the header file.
pub fn mainnet_checkpoint() -> Checkpoint {
	let headers = mainnet_headers();
	let at = (CHECKPOINT_HEIGHT - FIRST_HEIGHT) as usize;
	let time = |i: usize| bitcoin::Header::parse(&headers[i]).time;
	Checkpoint {
		header: headers[at].to_vec(),
		height: CHECKPOINT_HEIGHT,
		epoch_start_time: time(0),
		times: (at - 10..=at).map(time).collect(),
	}
}

/// Externalities with the relay started at `checkpoint` on `network`.
pub fn new_test_ext(network: Network, checkpoint: Option<Checkpoint>) -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_btc_relay::GenesisConfig::<Test> {
		network: Some(network),
		checkpoint,
		_config: Default::default(),
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// [`new_test_ext`] on mainnet at the real checkpoint; runs `test`, then checks the
/// invariants.
pub fn mainnet(test: impl FnOnce()) {
	new_test_ext(Network::Mainnet, Some(mainnet_checkpoint())).execute_with(|| {
		test();
		BtcRelay::do_try_state().expect("invariants hold");
	});
}

/// Time of the regtest genesis header.
pub const T0: u32 = 1_700_000_000;
/// Regtest's easiest target (`powLimit`'s compact form).
pub const EASY: u32 = 0x207f_ffff;

/// A regtest header on `prev` at `time` with `merkle_root`, mined here.
pub fn mine_with_root(prev: H256, time: u32, merkle_root: H256) -> RawHeader {
	let mut raw = [0u8; 80];
	raw[0..4].copy_from_slice(&0x2000_0000u32.to_le_bytes());
	raw[4..36].copy_from_slice(prev.as_bytes());
	raw[36..68].copy_from_slice(merkle_root.as_bytes());
	raw[68..72].copy_from_slice(&time.to_le_bytes());
	raw[72..76].copy_from_slice(&EASY.to_le_bytes());
	let target = bitcoin::target_from_compact(EASY).expect("valid");
	for nonce in 0u32.. {
		raw[76..80].copy_from_slice(&nonce.to_le_bytes());
		if bitcoin::hash_as_number(&bitcoin::double_sha256(&raw)) <= target {
			return raw;
		}
	}
	unreachable!("a regtest target is met within a few tries")
}

/// A regtest header on `prev` at `time`; `salt` tells branches apart.
pub fn mine(prev: H256, time: u32, salt: u8) -> RawHeader {
	let mut root = [0u8; 32];
	root[0] = salt;
	mine_with_root(prev, time, H256(root))
}

/// A chain of `n` regtest headers on `from` (at `from_time`), one a minute.
pub fn chain(from: H256, from_time: u32, n: u32, salt: u8) -> Vec<RawHeader> {
	let mut headers = Vec::new();
	let mut prev = from;
	for i in 1..=n {
		let raw = mine(prev, from_time + 60 * i, salt);
		prev = bitcoin::double_sha256(&raw);
		headers.push(raw);
	}
	headers
}

/// Runs `test` on a regtest relay started at a genesis header mined at [`T0`] (its hash
/// given), then checks the invariants.
pub fn regtest(test: impl FnOnce(H256)) {
	let genesis = mine(H256::zero(), T0, 0);
	let checkpoint = Checkpoint {
		header: genesis.to_vec(),
		height: 0,
		epoch_start_time: T0,
		times: (T0 - 10..=T0).collect(),
	};
	new_test_ext(Network::Regtest, Some(checkpoint)).execute_with(|| {
		test(bitcoin::double_sha256(&genesis));
		BtcRelay::do_try_state().expect("invariants hold");
	});
}
