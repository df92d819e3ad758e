use super::*;
use polkadot_sdk::sp_crypto_hashing::sha2_256;
use proptest::prelude::*;

const PH: Hashrate = Hashrate(1_000_000); // 1 PH/s = 1,000 TH/s
const DAY: u64 = 86_400;
const SUBSIDY: Sats = Sats(312_500_000); // 3.125 BTC

#[test]
fn expectation_example_of_docs_domain() {
	// 1 PH/s for a day at difficulty 1.5e14 earns about 41,900 sat before fees.
	let sats = expected_sats(PH, DAY, Difficulty(150_000_000_000_000), SUBSIDY).unwrap();
	// 10^15 * 86,400 * 312,500,000 / (1.5e14 * 2^32) = 41,909.5...
	assert_eq!(sats, Sats(41_909));
}

#[test]
fn power_and_energy_example_of_docs_domain() {
	// 100 PH/s at 20 J/TH = 2 MW = 48 MWh per day.
	let hashrate = Hashrate(100 * PH.get());
	let efficiency = Efficiency::from_j_per_th(20).unwrap();
	assert_eq!(power_draw(hashrate, efficiency), Some(Power(2_000)));
	assert_eq!(energy_burned(hashrate, efficiency, DAY), Some(Energy(48_000)));
	assert_eq!(energy_at_power(Power(2_000), DAY), Some(Energy(48_000)));
}

#[test]
fn zero_difficulty_and_overflow_give_none() {
	assert_eq!(expected_sats(PH, DAY, Difficulty(0), SUBSIDY), None);
	// A result beyond u64 sats is refused, not truncated.
	assert_eq!(expected_sats(Hashrate(u128::MAX), u64::MAX, Difficulty(1), Sats(u64::MAX)), None);
	assert_eq!(power_draw(Hashrate(u128::MAX), Efficiency(u32::MAX)), None);
	assert_eq!(energy_at_power(Power(u64::MAX), u64::MAX), None);
}

#[test]
fn units_do_checked_arithmetic() {
	assert_eq!(Sats(u64::MAX).checked_add(Sats(1)), None);
	assert_eq!(Sats(1).checked_sub(Sats(2)), None);
	assert_eq!(Sats(1).saturating_sub(Sats(2)), Sats::ZERO);
	assert_eq!(Energy(7).checked_div(0), None);
	assert_eq!(Hashrate::from_ths(3), Some(Hashrate(3_000)));
	assert_eq!(Hashrate::from_ths(u128::MAX), None);
	assert_eq!(crate::FacilityId(u32::MAX).next(), None);
	assert_eq!(crate::PeriodIndex(4).next(), Some(crate::PeriodIndex(5)));
}

#[test]
fn compact_target_edge_cases() {
	assert_eq!(Difficulty::from_compact_bits(Difficulty::MAX_TARGET_BITS), Some(Difficulty(1)));
	// Zero mantissa: zero target, no difficulty.
	assert_eq!(Difficulty::from_compact_bits(0x1d00_0000), None);
	// Negative encodings are invalid.
	assert_eq!(target_from_compact(0x0480_0001), None);
	// Too large an exponent overflows 256 bits.
	assert_eq!(target_from_compact(0xff12_3456), None);
	assert_eq!(target_from_compact(0x2201_0000), None);
	// Small exponents shift right.
	assert_eq!(target_from_compact(0x0212_3456), Some(U256::from(0x1234)));
}

/// Every real mainnet header of heights 822,528..=830,592 (`testdata/bitcoin`): its hash
/// is within the target its `nBits` encodes, and the retarget difficulties match the
/// published figures.
#[test]
fn real_mainnet_headers() {
	let data: &[u8] =
		include_bytes!("../../../../testdata/bitcoin/mainnet-headers-822528-830592.bin");
	assert_eq!(data.len(), 8_065 * 80);
	let le_u32 = |h: &[u8], at: usize| u32::from_le_bytes(h[at..at + 4].try_into().unwrap());
	let mut retargets = Vec::new();
	for (i, header) in data.chunks_exact(80).enumerate() {
		let bits = le_u32(header, 72);
		let target = target_from_compact(bits).expect("real nBits decode");
		let hash = sha2_256(&sha2_256(header));
		// The hash is little-endian as a number.
		assert!(U256::from_little_endian(&hash) <= target, "header {i} above its target");
		let height = 822_528 + i as u32;
		if height.is_multiple_of(2_016) {
			retargets.push((height, bits, Difficulty::from_compact_bits(bits).unwrap()));
		}
	}
	let published = [
		(822_528, 0x1703e8b3, 7.2006e13),
		(824_544, 0x1703d869, 7.3198e13),
		(826_560, 0x1704005a, 7.0344e13),
		(828_576, 0x1703ba5d, 7.5502e13),
		(830_592, 0x170371b1, 8.1725e13),
	];
	assert_eq!(retargets.len(), published.len());
	for ((height, bits, difficulty), (p_height, p_bits, p_difficulty)) in
		retargets.into_iter().zip(published)
	{
		assert_eq!((height, bits), (p_height, p_bits));
		let relative = (difficulty.get() as f64 - p_difficulty).abs() / p_difficulty;
		assert!(relative < 1e-4, "height {height}: {} vs {p_difficulty}", difficulty.get());
	}
	// At the first epoch's difficulty, 1 PH/s earns about 87,000 sat a day in subsidy.
	let d = Difficulty::from_compact_bits(0x1703e8b3).unwrap();
	let sats = expected_sats(PH, DAY, d, SUBSIDY).unwrap().get();
	assert!((86_000..89_000).contains(&sats), "{sats}");
}

proptest! {
	/// Where the product fits in u128, the 256-bit result equals plain integer math.
	#[test]
	fn expected_sats_matches_u128_math(
		mth in 0u128..1_000_000_000_000, // up to 1 ZH/s
		seconds in 0u64..10_000_000,
		difficulty in 1u128..1_000_000_000_000_000,
		reward in 0u64..1_000_000_000,
	) {
		let got = expected_sats(Hashrate(mth), seconds, Difficulty(difficulty), Sats(reward));
		let numerator = mth.checked_mul(1_000_000_000)
			.and_then(|n| n.checked_mul(seconds as u128))
			.and_then(|n| n.checked_mul(reward as u128));
		if let Some(numerator) = numerator {
			let want = numerator / (difficulty << 32);
			prop_assert_eq!(got, u64::try_from(want).ok().map(Sats));
		}
	}

	/// More hashrate never earns less.
	#[test]
	fn expected_sats_is_monotonic(
		a in 0u128..1_000_000_000_000, b in 0u128..1_000_000_000_000,
		seconds in 1u64..1_000_000, difficulty in 1u128..1_000_000_000_000_000,
	) {
		let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
		let sats = |h| expected_sats(Hashrate(h), seconds, Difficulty(difficulty), SUBSIDY);
		prop_assert!(sats(lo) <= sats(hi));
	}

	/// Power rounds up to the least whole kW that covers the draw.
	#[test]
	fn power_draw_rounds_up(mth in 0u128..1_000_000_000_000_000, eff in 0u32..200_000) {
		let exact = U256::from(mth) * U256::from(eff);
		let kw = U256::from(power_draw(Hashrate(mth), Efficiency(eff)).unwrap().get());
		let unit = U256::from(1_000_000_000u64);
		prop_assert!(kw * unit >= exact);
		prop_assert!(kw.is_zero() || (kw - 1) * unit < exact);
	}

	/// Burned energy rounds down: never more than what the hashrate used.
	#[test]
	fn energy_burned_rounds_down(
		mth in 0u128..1_000_000_000_000, eff in 0u32..200_000, seconds in 0u64..10_000_000,
	) {
		let exact = U256::from(mth) * U256::from(eff) * U256::from(seconds);
		let kwh = U256::from(energy_burned(Hashrate(mth), Efficiency(eff), seconds).unwrap().get());
		let unit = U256::from(3_600_000_000_000u64);
		prop_assert!(kwh * unit <= exact);
		prop_assert!((kwh + 1) * unit > exact);
	}

	/// Checked addition is exact or refuses; it never wraps.
	#[test]
	fn checked_add_never_wraps(a: u64, b: u64) {
		match Sats(a).checked_add(Sats(b)) {
			Some(sum) => prop_assert_eq!(sum.get() as u128, a as u128 + b as u128),
			None => prop_assert!(a as u128 + b as u128 > u64::MAX as u128),
		}
	}
}
