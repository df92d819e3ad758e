//! Benchmarks of `pallet-session`'s calls on this runtime.
//!
//! The upstream `pallet-session-benchmarking` needs `pallet-staking`, which this chain does
//! not have: a validator here is any account governance put in `pallet-validator-set`, and
//! keys are registered by the account itself. So the two calls are measured here, on the
//! runtime's real session keys (Aura sr25519 + GRANDPA ed25519, generated in the
//! benchmark's keystore, with their proof of possession checked by `set_keys`).

use crate::{opaque::SessionKeys, AccountId, Balances, Runtime, Session, UNIT};
use alloc::vec::Vec;
use codec::Encode;
use polkadot_sdk::{
	frame_benchmarking::v2::*, frame_support::traits::fungible::Mutate, frame_system::RawOrigin,
	pallet_session,
};

/// The benchmarked pallet: `pallet_session` on this runtime.
pub struct Pallet<T: Config>(core::marker::PhantomData<T>);

/// Implemented by the runtime only.
pub trait Config: pallet_session::Config {}

impl Config for Runtime {}

/// A funded account with freshly generated keys and their proof, the way a validator
/// registers them (`author_rotateKeysWithOwner`, then `session.set_keys`).
fn funded_with_keys(seed: u32) -> (AccountId, SessionKeys, Vec<u8>) {
	let who: AccountId = account("validator", seed, 0);
	Balances::set_balance(&who, 1_000 * UNIT);
	let generated = SessionKeys::generate(&who.encode(), None);
	(who, generated.keys, generated.proof.encode())
}

#[benchmarks(where T: Config)]
mod benchmarks {
	use super::*;

	/// A first registration: the proof checked, the key deposit held, a consumer added,
	/// `NextKeys` and one `KeyOwner` entry per key written.
	#[benchmark]
	fn set_keys() -> Result<(), BenchmarkError> {
		let (who, keys, proof) = funded_with_keys(0);

		#[block]
		{
			Session::set_keys(RawOrigin::Signed(who.clone()).into(), keys, proof)
				.map_err(|_| BenchmarkError::Stop("set_keys failed"))?;
		}

		assert!(Session::load_keys(&who).is_some());
		Ok(())
	}

	/// Keys removed: every `KeyOwner` entry and `NextKeys` cleared, the deposit released.
	#[benchmark]
	fn purge_keys() -> Result<(), BenchmarkError> {
		let (who, keys, proof) = funded_with_keys(1);
		Session::set_keys(RawOrigin::Signed(who.clone()).into(), keys, proof)
			.map_err(|_| BenchmarkError::Stop("set_keys failed in setup"))?;

		#[block]
		{
			Session::purge_keys(RawOrigin::Signed(who.clone()).into())
				.map_err(|_| BenchmarkError::Stop("purge_keys failed"))?;
		}

		assert!(Session::load_keys(&who).is_none());
		Ok(())
	}
}
