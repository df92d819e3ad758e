//! Hashrate Chain primitives: the domain's ids, periods and units, shared by the runtime and
//! every pallet.
//!
//! Units are newtypes so that quantities of different kinds cannot be mixed: a [`Hashrate`]
//! cannot be added to [`Sats`], only to another `Hashrate`. Arithmetic is checked (`checked_*`
//! returns `None` on overflow or division by zero) or explicitly saturating. Conversions that
//! combine units live in [`physics`] and use a 256-bit intermediate where a product can
//! exceed `u128` (hashrate x seconds x block reward).
//!
//! Traits through which pallets talk to each other live here ([`facilities`]: what pallets may
//! know about and do to a facility; [`oracle`]: periods and final outputs; [`tokens`]: series,
//! collateral and the balance-change hook); the runtime wires implementations in its `Config` impls,
//! so no pallet reads another's storage.

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub mod bitcoin;
pub mod due;
pub mod facilities;
pub mod oracle;
pub mod payouts;
pub mod physics;
pub mod tokens;
mod units;

pub use bitcoin::*;
pub use facilities::*;
pub use oracle::*;
pub use payouts::*;
pub use tokens::*;
pub use units::*;

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::sp_runtime::{
	traits::{IdentifyAccount, Verify},
	MultiSignature,
};
use scale_info::TypeInfo;

/// A block number.
pub type BlockNumber = u32;
/// A transaction signature: sr25519, ed25519 or ecdsa.
pub type Signature = MultiSignature;
/// An account id: the public key of the signature scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// A balance of the native token, in plancks (10^-12 of a token).
pub type Balance = u128;
/// A transaction counter of an account.
pub type Nonce = u32;
/// A block or state hash.
pub type Hash = polkadot_sdk::sp_core::H256;

/// Unix time in milliseconds, as `pallet-timestamp` keeps it.
pub type Moment = u64;

macro_rules! id_type {
	($(#[$doc:meta])* $name:ident) => {
		$(#[$doc])*
		#[derive(
			Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Debug,
			Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
			serde::Serialize, serde::Deserialize,
		)]
		pub struct $name(pub u32);

		impl $name {
			/// The id after this one, or `None` when the id space is exhausted.
			pub fn next(self) -> Option<Self> {
				self.0.checked_add(1).map(Self)
			}
		}

		impl From<u32> for $name {
			fn from(raw: u32) -> Self {
				Self(raw)
			}
		}
	};
}

id_type!(
	/// Identifies a registered mining facility.
	FacilityId
);
id_type!(
	/// Identifies a hashrate-token series.
	SeriesId
);
id_type!(
	/// A reporting period's number: period `n` covers
	/// `[genesis_of_periods + n * length, genesis_of_periods + (n + 1) * length)`.
	PeriodIndex
);
