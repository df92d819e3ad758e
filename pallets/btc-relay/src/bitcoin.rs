//! Bitcoin's consensus rules for block headers, as Bitcoin Core applies them:
//! `arith_uint256.cpp` (`SetCompact`, `GetCompact`), `pow.cpp` (`GetNextWorkRequired`,
//! `CalculateNextWorkRequired`, `CheckProofOfWork`), `chain.cpp` (`GetBlockProof`,
//! `GetMedianTimePast`) and `validation.cpp` (`ContextualCheckBlockHeader`).
//!
//! Written here, on `sp_core::U256`, rather than taken from rust-bitcoin: its `bitcoin` crate
//! needs `secp256k1` (C code in the runtime), and the pure-Rust `bitcoin-units` 0.5 decodes a
//! compact target without Core's negative and overflow flags.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::sp_core::{H256, U256};
use scale_info::TypeInfo;

/// Bytes in a serialized block header.
pub const HEADER_SIZE: usize = 80;
/// A serialized block header.
pub type RawHeader = [u8; HEADER_SIZE];

/// Blocks per difficulty epoch (`DifficultyAdjustmentInterval`).
pub const RETARGET_INTERVAL: u32 = 2_016;
/// Seconds an epoch should take: two weeks (`nPowTargetTimespan`).
pub const TARGET_TIMESPAN: i64 = 14 * 24 * 60 * 60;
/// The lowest header version mainnet accepts since BIP 65 (`bad-version` below it).
pub const MIN_MAINNET_VERSION: i32 = 4;
/// Seconds a header's time may lie ahead of the validating clock (`MAX_FUTURE_BLOCK_TIME`).
pub const MAX_FUTURE_BLOCK_TIME: u64 = 2 * 60 * 60;
/// Headers whose times the median-time-past rule takes (`nMedianTimeSpan`).
pub const MEDIAN_TIME_SPAN: usize = 11;

/// Which Bitcoin network the relay follows: its proof-of-work limit and retarget rule.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	serde::Serialize,
	serde::Deserialize,
)]
pub enum Network {
	/// Bitcoin mainnet: retargets every 2,016 blocks, limit `0x00000000ffff..ff`.
	Mainnet,
	/// Regtest: no retargeting (`fPowNoRetargeting`), limit `0x7fff..ff`; for tests that
	/// mine their own headers.
	Regtest,
}

impl Network {
	/// The easiest target a header may have (`powLimit`).
	pub fn pow_limit(self) -> U256 {
		match self {
			Network::Mainnet => U256::MAX >> 32,
			Network::Regtest => U256::MAX >> 1,
		}
	}

	/// The lowest header version accepted: 4 on mainnet (BIP 34, 66 and 65 are active at any
	/// height a relay starts from), any on regtest.
	pub fn min_version(self) -> i32 {
		match self {
			Network::Mainnet => MIN_MAINNET_VERSION,
			Network::Regtest => i32::MIN,
		}
	}

	/// Whether the difficulty retargets (`!fPowNoRetargeting`).
	pub fn retargets(self) -> bool {
		matches!(self, Network::Mainnet)
	}
}

/// The fields of a block header.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Header {
	/// Block version.
	pub version: i32,
	/// The previous header's hash, in internal byte order.
	pub prev: H256,
	/// The transactions' Merkle root, in internal byte order.
	pub merkle_root: H256,
	/// Unix seconds, as the miner stated them.
	pub time: u32,
	/// The target, compact (`nBits`).
	pub bits: u32,
	/// The nonce.
	pub nonce: u32,
}

fn le_u32(raw: &[u8], at: usize) -> u32 {
	let mut word = [0u8; 4];
	word.copy_from_slice(&raw[at..at + 4]);
	u32::from_le_bytes(word)
}

impl Header {
	/// The fields of a serialized header.
	pub fn parse(raw: &RawHeader) -> Self {
		Self {
			version: le_u32(raw, 0) as i32,
			prev: H256::from_slice(&raw[4..36]),
			merkle_root: H256::from_slice(&raw[36..68]),
			time: le_u32(raw, 68),
			bits: le_u32(raw, 72),
			nonce: le_u32(raw, 76),
		}
	}
}

/// SHA-256 of SHA-256 of `data`, in internal byte order (a block hash or txid as Bitcoin
/// hashes it; block explorers print it reversed).
pub fn double_sha256(data: &[u8]) -> H256 {
	use polkadot_sdk::sp_io::hashing::sha2_256;
	H256(sha2_256(&sha2_256(data)))
}

/// A hash in internal byte order as the 256-bit number proof of work compares.
pub fn hash_as_number(hash: &H256) -> U256 {
	U256::from_little_endian(hash.as_bytes())
}

/// Why a compact target is not a valid proof-of-work target.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CompactError {
	/// The sign bit is set on a non-zero mantissa.
	Negative,
	/// The value does not fit 256 bits.
	Overflow,
	/// The target is zero.
	Zero,
}

/// The target `bits` encodes, as `SetCompact` decodes it: `mantissa x 256^(exponent - 3)`,
/// refused when negative, overflowing or zero (what `CheckProofOfWork` refuses).
pub fn target_from_compact(bits: u32) -> Result<U256, CompactError> {
	let size = bits >> 24;
	// Core shifts a short mantissa first and flags the shifted word.
	let word =
		if size <= 3 { (bits & 0x007f_ffff) >> (8 * (3 - size)) } else { bits & 0x007f_ffff };
	if word != 0 && bits & 0x0080_0000 != 0 {
		return Err(CompactError::Negative);
	}
	if word != 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32)) {
		return Err(CompactError::Overflow);
	}
	let target = if size <= 3 { U256::from(word) } else { U256::from(word) << (8 * (size - 3)) };
	if target.is_zero() {
		return Err(CompactError::Zero);
	}
	Ok(target)
}

/// `target` in compact form, as `GetCompact` encodes it (a positive value; precision below
/// the 23-bit mantissa is dropped).
pub fn compact_from_target(target: U256) -> u32 {
	let mut size = target.bits().div_ceil(8) as u32;
	let mut mantissa = if size <= 3 {
		target.low_u32() << (8 * (3 - size))
	} else {
		(target >> (8 * (size - 3))).low_u32()
	};
	// The mantissa's top bit would read as a sign: move a byte into the exponent.
	if mantissa & 0x0080_0000 != 0 {
		mantissa >>= 8;
		size += 1;
	}
	mantissa | (size << 24)
}

/// The expected number of hashes a header with `target` took (`GetBlockProof`):
/// `2^256 / (target + 1)`, computed as `!target / (target + 1) + 1`.
pub fn work(target: U256) -> U256 {
	match target.checked_add(U256::one()) {
		Some(divisor) => (!target / divisor).saturating_add(U256::one()),
		// target = 2^256 - 1: one hash always meets it.
		None => U256::one(),
	}
}

/// The `nBits` the header at `height` must carry (`GetNextWorkRequired` without the testnet
/// minimum-difficulty rule): its parent's, except at a retarget height on a retargeting
/// network, where the parent epoch's time — from its first header (`first_time`, height
/// `height - 2016`) to its last (`parent_time`), 2,015 intervals as Core counts them — scales
/// the parent's target, clamped to a quarter and four times the two weeks, capped at the
/// network's limit.
pub fn required_bits(
	network: Network,
	height: u32,
	parent_bits: u32,
	parent_time: u32,
	first_time: u32,
) -> Result<u32, CompactError> {
	if !network.retargets() || !height.is_multiple_of(RETARGET_INTERVAL) {
		return Ok(parent_bits);
	}
	let timespan = (i64::from(parent_time) - i64::from(first_time))
		.clamp(TARGET_TIMESPAN / 4, TARGET_TIMESPAN * 4);
	let limit = network.pow_limit();
	let old = target_from_compact(parent_bits)?;
	// Core multiplies in 256 bits and drops what overflows; a target below the limit times 4
	// cannot overflow (the limit is at most 2^255).
	let new = old.saturating_mul(U256::from(timespan as u64)) / U256::from(TARGET_TIMESPAN as u64);
	Ok(compact_from_target(new.min(limit)))
}

/// The median of up to [`MEDIAN_TIME_SPAN`] header times (`GetMedianTimePast`: the element at
/// index `n / 2` once sorted).
pub fn median_time_past(times: &[u32]) -> u32 {
	let mut sorted: [u32; MEDIAN_TIME_SPAN] = [0; MEDIAN_TIME_SPAN];
	let n = times.len().min(MEDIAN_TIME_SPAN);
	sorted[..n].copy_from_slice(&times[times.len() - n..]);
	sorted[..n].sort_unstable();
	sorted.get(n / 2).copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
	use super::*;

	/// `arith_uint256_tests.cpp`, `bignum_SetCompact`: decoded value (hex, `None` when Core
	/// flags it or it is zero) and the re-encoded compact form.
	#[test]
	fn compact_round_trips_as_core() {
		for bits in
			[0u32, 0x0012_3456, 0x0100_3456, 0x0200_0056, 0x0300_0000, 0x0400_0000, 0x0092_3456]
		{
			assert_eq!(target_from_compact(bits), Err(CompactError::Zero), "{bits:#x}");
		}
		for bits in [0x0180_3456u32, 0x0280_0056, 0x0380_0000, 0x0480_0000] {
			assert_eq!(target_from_compact(bits), Err(CompactError::Zero), "{bits:#x}");
		}
		for (bits, value, compact) in [
			(0x0112_3456u32, U256::from(0x12), 0x0112_0000u32),
			(0x0212_3456, U256::from(0x1234), 0x0212_3400),
			(0x0312_3456, U256::from(0x12_3456), 0x0312_3456),
			(0x0412_3456, U256::from(0x1234_5600u64), 0x0412_3456),
			(0x0500_9234, U256::from(0x9234_0000u64), 0x0500_9234),
			(0x2012_3456, U256::from(0x12_3456) << (8 * 29), 0x2012_3456),
		] {
			assert_eq!(target_from_compact(bits), Ok(value), "{bits:#x}");
			assert_eq!(compact_from_target(value), compact, "{bits:#x}");
		}
		assert_eq!(target_from_compact(0x01fe_dcba), Err(CompactError::Negative));
		assert_eq!(target_from_compact(0x0492_3456), Err(CompactError::Negative));
		assert_eq!(target_from_compact(0xff12_3456), Err(CompactError::Overflow));
		assert_eq!(target_from_compact(0x2301_0000), Err(CompactError::Overflow));
		assert_eq!(target_from_compact(0x2200_0001), Ok(U256::one() << 248));
	}

	/// `pow_tests.cpp`: the four `get_next_work*` cases on mainnet parameters.
	#[test]
	fn retargets_as_core() {
		let next = |height: u32, bits: u32, last: u32, first: u32| {
			required_bits(Network::Mainnet, height + 1, bits, last, first).unwrap()
		};
		assert_eq!(next(32_255, 0x1d00_ffff, 1_262_152_739, 1_261_130_161), 0x1d00_d86a);
		assert_eq!(next(2_015, 0x1d00_ffff, 1_233_061_996, 1_231_006_505), 0x1d00_ffff);
		assert_eq!(next(68_543, 0x1c05_a3f4, 1_279_297_671, 1_279_008_237), 0x1c01_68fd);
		assert_eq!(next(46_367, 0x1c38_7f6f, 1_269_211_443, 1_263_163_443), 0x1d00_e1fd);
		// Between retargets, and on regtest, the parent's bits.
		assert_eq!(next(32_256, 0x1c05_a3f4, 1, 0), 0x1c05_a3f4);
		assert_eq!(required_bits(Network::Regtest, 2_016, 0x207f_ffff, 9, 0), Ok(0x207f_ffff));
	}

	#[test]
	fn work_is_two_to_the_256_over_target_plus_one() {
		assert_eq!(work(U256::MAX), U256::one());
		assert_eq!(work(U256::MAX >> 1), U256::from(2));
		// Difficulty 1 (0x1d00ffff): 2^256 / (0xffff x 2^208 + 1) = 0x1_0001_0001.
		assert_eq!(work(target_from_compact(0x1d00_ffff).unwrap()), U256::from(0x1_0001_0001u64));
	}

	#[test]
	fn median_of_up_to_eleven() {
		assert_eq!(median_time_past(&[5]), 5);
		assert_eq!(median_time_past(&[3, 1, 2]), 2);
		assert_eq!(median_time_past(&[1, 2]), 2);
		let times: alloc::vec::Vec<u32> = (0..20).rev().collect();
		// The last eleven: 10..=0 reversed, median 5.
		assert_eq!(median_time_past(&times), 5);
	}

	/// Every real mainnet header of 822,528..=830,592: linked, within its target, above the
	/// median of the eleven before it, carrying the bits the retarget rule requires (four
	/// retargets, recomputed from the epoch's own timestamps).
	#[test]
	fn real_mainnet_headers_follow_the_rules() {
		let data: &[u8] =
			include_bytes!("../../../testdata/bitcoin/mainnet-headers-822528-830592.bin");
		let headers: alloc::vec::Vec<RawHeader> =
			data.chunks_exact(HEADER_SIZE).map(|c| c.try_into().unwrap()).collect();
		assert_eq!(headers.len(), 8_065);
		let first_height = 822_528u32;
		let parsed: alloc::vec::Vec<Header> = headers.iter().map(Header::parse).collect();
		let mut retargets = 0;
		for i in 1..headers.len() {
			let (header, parent) = (parsed[i], parsed[i - 1]);
			let height = first_height + i as u32;
			assert_eq!(header.prev, double_sha256(&headers[i - 1]), "link at {height}");
			let target = target_from_compact(header.bits).unwrap();
			assert!(hash_as_number(&double_sha256(&headers[i])) <= target, "pow at {height}");
			assert!(target <= Network::Mainnet.pow_limit());
			let times: alloc::vec::Vec<u32> =
				parsed[i.saturating_sub(MEDIAN_TIME_SPAN)..i].iter().map(|h| h.time).collect();
			if times.len() == MEDIAN_TIME_SPAN {
				assert!(header.time > median_time_past(&times), "time at {height}");
			}
			if height.is_multiple_of(RETARGET_INTERVAL) && i >= RETARGET_INTERVAL as usize {
				let first = parsed[i - RETARGET_INTERVAL as usize].time;
				let bits = required_bits(Network::Mainnet, height, parent.bits, parent.time, first)
					.unwrap();
				assert_eq!(bits, header.bits, "retarget at {height}");
				retargets += 1;
			} else if !height.is_multiple_of(RETARGET_INTERVAL) {
				assert_eq!(header.bits, parent.bits, "bits at {height}");
			}
		}
		assert_eq!(retargets, 4, "824,544, 826,560, 828,576 and 830,592");
	}
}
