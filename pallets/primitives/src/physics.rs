//! The formulas that tie reported output to physics (see `docs/domain.md`).
//!
//! - Power: `P (W) = H (TH/s) x efficiency (J/TH)`.
//! - Energy over `T` seconds: `E (kWh) = P (W) x T / 3.6e6`.
//! - Expected bitcoin: `H (hash/s) x T / (difficulty x 2^32) x reward per block`.
//!
//! Every function returns `None` instead of overflowing or dividing by zero, and computes in
//! 256 bits, so no intermediate product (hashrate x seconds x reward can exceed 10^40)
//! is truncated. Rounding is stated per function.

use crate::{Difficulty, Efficiency, Energy, Hashrate, Power, Sats};
use polkadot_sdk::sp_core::U256;

/// Hashes per second in one milli-TH/s (10^12 / 10^3).
const HASHES_PER_MILLI_TH: u64 = 1_000_000_000;
/// milli-TH/s x milli-J/TH = 10^-6 W, so watts = product / 10^6 and kW = product / 10^9.
const MILLI_MILLI_PER_KW: u64 = 1_000_000_000;
/// milli-TH/s x milli-J/TH x s = 10^-6 J; one kWh is 3.6 x 10^6 J = 3.6 x 10^12 of those.
const MICRO_JOULES_PER_KWH: u64 = 3_600_000_000_000;
/// Seconds in an hour: kW x s / 3600 = kWh.
const SECONDS_PER_HOUR: u64 = 3_600;

fn to_u64(value: U256) -> Option<u64> {
	u64::try_from(value).ok()
}

/// Power drawn by `hashrate` at `efficiency`, rounded **up** to whole kW: the least power
/// capacity a facility needs to run that hashrate.
pub fn power_draw(hashrate: Hashrate, efficiency: Efficiency) -> Option<Power> {
	let product = U256::from(hashrate.get()).checked_mul(U256::from(efficiency.get()))?;
	let divisor = U256::from(MILLI_MILLI_PER_KW);
	let (quotient, remainder) = product.div_mod(divisor);
	let rounded = if remainder.is_zero() { quotient } else { quotient.checked_add(U256::one())? };
	to_u64(rounded).map(Power)
}

/// Energy that `hashrate` at `efficiency` burns in `seconds`, rounded **down** to whole kWh:
/// the least energy a facility can have used to deliver that hashrate.
pub fn energy_burned(hashrate: Hashrate, efficiency: Efficiency, seconds: u64) -> Option<Energy> {
	let micro_joules = U256::from(hashrate.get())
		.checked_mul(U256::from(efficiency.get()))?
		.checked_mul(U256::from(seconds))?;
	to_u64(micro_joules / U256::from(MICRO_JOULES_PER_KWH)).map(Energy)
}

/// Energy that `power` delivers in `seconds`, rounded **down** to whole kWh: the most energy
/// a facility of that power capacity can use in that time.
pub fn energy_at_power(power: Power, seconds: u64) -> Option<Energy> {
	let kw_seconds = U256::from(power.get()).checked_mul(U256::from(seconds))?;
	to_u64(kw_seconds / U256::from(SECONDS_PER_HOUR)).map(Energy)
}

/// Expected bitcoin that `hashrate` earns in `seconds` at `difficulty` when a block pays
/// `reward_per_block` (subsidy plus average fees), rounded **down** to whole sats:
/// `hashrate x seconds / (difficulty x 2^32) x reward_per_block`.
///
/// `None` when `difficulty` is zero or the result does not fit in [`Sats`].
pub fn expected_sats(
	hashrate: Hashrate,
	seconds: u64,
	difficulty: Difficulty,
	reward_per_block: Sats,
) -> Option<Sats> {
	if difficulty.is_zero() {
		return None;
	}
	let numerator = U256::from(hashrate.get())
		.checked_mul(U256::from(HASHES_PER_MILLI_TH))?
		.checked_mul(U256::from(seconds))?
		.checked_mul(U256::from(reward_per_block.get()))?;
	let denominator = U256::from(difficulty.get()).checked_mul(U256::one() << 32)?;
	to_u64(numerator.checked_div(denominator)?).map(Sats)
}

/// The proof-of-work target a compact `nBits` field encodes:
/// `mantissa x 256^(exponent - 3)`. `None` for a negative or overflowing encoding.
pub fn target_from_compact(bits: u32) -> Option<U256> {
	let exponent = bits >> 24;
	let mantissa = bits & 0x007f_ffff;
	if bits & 0x0080_0000 != 0 && mantissa != 0 {
		return None;
	}
	if exponent <= 3 {
		return Some(U256::from(mantissa >> (8 * (3 - exponent))));
	}
	let shift = 8 * (exponent - 3);
	if shift >= 256 {
		return None;
	}
	let target = U256::from(mantissa) << shift;
	// A shift that pushed bits out overflowed.
	if (target >> shift) != U256::from(mantissa) {
		return None;
	}
	Some(target)
}

impl Difficulty {
	/// `nBits` of the easiest target bitcoin allows (difficulty 1).
	pub const MAX_TARGET_BITS: u32 = 0x1d00_ffff;

	/// The difficulty of a block header's compact `nBits`, as bitcoin defines it:
	/// `target(0x1d00ffff) / target(bits)`, rounded down. `None` for a zero, negative or
	/// overflowing target.
	pub fn from_compact_bits(bits: u32) -> Option<Self> {
		let max_target = target_from_compact(Self::MAX_TARGET_BITS)?;
		let target = target_from_compact(bits)?;
		let difficulty = max_target.checked_div(target)?;
		u128::try_from(difficulty).ok().map(Self)
	}
}

#[cfg(test)]
mod tests;
