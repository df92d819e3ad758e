//! Unit newtypes. Each wraps an unsigned integer in one fixed unit; quantities of different
//! units never mix without an explicit conversion in [`crate::physics`].

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

macro_rules! unit_type {
	($(#[$doc:meta])* $name:ident($inner:ty), $unit:literal) => {
		$(#[$doc])*
		#[doc = concat!("\n\nUnit: ", $unit, ".")]
		#[derive(
			Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Debug,
			Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
			serde::Serialize, serde::Deserialize,
		)]
		pub struct $name(pub $inner);

		impl $name {
			/// The unit's name, for messages and docs.
			pub const UNIT: &'static str = $unit;
			/// Zero of this unit.
			pub const ZERO: Self = Self(0);

			/// The raw value in this unit.
			pub const fn get(self) -> $inner {
				self.0
			}
			/// Whether the quantity is zero.
			pub const fn is_zero(self) -> bool {
				self.0 == 0
			}
			/// `self + other`, or `None` on overflow.
			pub fn checked_add(self, other: Self) -> Option<Self> {
				self.0.checked_add(other.0).map(Self)
			}
			/// `self - other`, or `None` below zero.
			pub fn checked_sub(self, other: Self) -> Option<Self> {
				self.0.checked_sub(other.0).map(Self)
			}
			/// `self + other`, at most the largest value.
			pub fn saturating_add(self, other: Self) -> Self {
				Self(self.0.saturating_add(other.0))
			}
			/// `self - other`, at least zero.
			pub fn saturating_sub(self, other: Self) -> Self {
				Self(self.0.saturating_sub(other.0))
			}
			/// `self * factor` (a plain number), or `None` on overflow.
			pub fn checked_mul(self, factor: $inner) -> Option<Self> {
				self.0.checked_mul(factor).map(Self)
			}
			/// `self / divisor` rounded down, or `None` when `divisor` is zero.
			pub fn checked_div(self, divisor: $inner) -> Option<Self> {
				self.0.checked_div(divisor).map(Self)
			}
		}

		impl From<$inner> for $name {
			fn from(raw: $inner) -> Self {
				Self(raw)
			}
		}
	};
}

unit_type!(
	/// Hashrate. 1 TH/s = 1,000 milli-TH/s; 1 PH/s = 10^6 milli-TH/s; 1 EH/s = 10^9.
	Hashrate(u128),
	"milli-TH/s"
);
unit_type!(
	/// An amount of bitcoin. 1 BTC = 10^8 sat; all bitcoin ever is below 2.1 x 10^15 sat.
	Sats(u64),
	"sat"
);
unit_type!(
	/// Energy used.
	Energy(u64),
	"kWh"
);
unit_type!(
	/// Electrical power.
	Power(u64),
	"kW"
);
unit_type!(
	/// Mining efficiency: energy per unit of work. 1 J/TH = 1,000 milli-J/TH (= W per TH/s).
	Efficiency(u32),
	"milli-J/TH"
);
unit_type!(
	/// Bitcoin network difficulty as bitcoin defines it (a block needs on average
	/// difficulty x 2^32 hashes), rounded down to an integer.
	Difficulty(u128),
	"difficulty"
);

impl Hashrate {
	/// Milli-TH/s in one TH/s.
	pub const MILLI_PER_TH: u128 = 1_000;

	/// A hashrate of whole TH/s, or `None` on overflow.
	pub fn from_ths(ths: u128) -> Option<Self> {
		ths.checked_mul(Self::MILLI_PER_TH).map(Self)
	}
}

impl Sats {
	/// Sats in one bitcoin.
	pub const PER_BTC: u64 = 100_000_000;
}

impl Efficiency {
	/// An efficiency of whole J/TH, or `None` on overflow.
	pub fn from_j_per_th(j: u32) -> Option<Self> {
		j.checked_mul(1_000).map(Self)
	}
}
