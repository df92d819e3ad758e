//! # Validator set
//!
//! Who validates Hashrate Chain: the set of accounts whose session keys author blocks (Aura)
//! and vote on finality (GRANDPA). Governance [adds](Pallet::add_validator) and
//! [removes](Pallet::remove_validator) validators; the session pallet picks the new set up at
//! its next session boundary.
//!
//! ## How a change travels
//!
//! This pallet is the session pallet's [`SessionManager`]. A change marks the set as pending;
//! when session `n` starts, the session pallet asks for the set of session `n + 1`
//! ([`SessionManager::new_session`]) and gets the pending set, whose keys it queues; at the
//! start of session `n + 1` they become the Aura and GRANDPA authorities. So a change made
//! during session `n - 1` validates from session `n + 1`: between one and two sessions of
//! [`Pallet::session_length`] blocks. [`Event::NewSetQueued`] says which session it is.
//!
//! ## Joining
//!
//! A validator's node generates keys (`author_rotateKeysWithOwner` RPC, with the validator's
//! account as owner), the validator registers them from its account (`session.set_keys`,
//! with the ownership proof the RPC returned), and governance adds the account. An account
//! without registered keys cannot be added ([`Error::NoSessionKeys`]): it could not author.
//!
//! ## Genesis
//!
//! The initial set is the session pallet's genesis set: the accounts whose session keys the
//! chain spec lists (`session.keys`). The genesis Aura and GRANDPA authority lists stay
//! empty; the session pallet fills them from those keys. A network tool that writes session
//! keys for its nodes (zombienet does) therefore gets exactly those nodes as validators.
//!
//! ## Limits
//!
//! At most [`Config::MaxValidators`]; removals stop at [`Config::MinValidators`] (a chain
//! started with fewer, such as a one-validator development chain, may grow but not shrink).

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

pub use pallet::*;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use polkadot_sdk::{
	frame_support::{
		self,
		traits::{Get, ValidatorRegistration, ValidatorSet as SessionValidatorSet},
		BoundedVec,
	},
	frame_system,
	pallet_session::{self, SessionManager},
	sp_runtime,
};
use sp_runtime::traits::{One, Zero};

/// Session index, as the session pallet counts them.
pub type SessionIndex = u32;

const LOG_TARGET: &str = "runtime::validator-set";

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the pallet.
	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config {
		/// Adds and removes validators: sudo today, a council later.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Whether an account has registered session keys (the session pallet).
		type KeysRegistration: ValidatorRegistration<Self::AccountId>;
		/// The set the session pallet validates with now (read once, at genesis).
		type CurrentSet: SessionValidatorSet<Self::AccountId, ValidatorId = Self::AccountId>;
		/// Fewest validators a removal may leave.
		#[pallet::constant]
		type MinValidators: Get<u32>;
		/// Most validators (at most the Aura and GRANDPA authority limits).
		#[pallet::constant]
		type MaxValidators: Get<u32>;
		/// Session length when genesis sets none.
		#[pallet::constant]
		type DefaultSessionLength: Get<BlockNumberFor<Self>>;
		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
		/// Sets up session keys for benchmark accounts.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// What benchmarks need from the runtime.
	#[cfg(feature = "runtime-benchmarks")]
	pub trait BenchmarkHelper<AccountId> {
		/// Register session keys for `who`, unique to `seed`.
		fn register_keys(who: &AccountId, seed: u32);
	}

	/// The validator set governance has decided on, in the order it was built. The session
	/// pallet validates with it from the session after the next boundary (see the module
	/// docs); until then the previous set validates.
	#[pallet::storage]
	pub type Validators<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

	/// Whether [`Validators`] changed since the session pallet last took it.
	#[pallet::storage]
	pub type SetChanged<T: Config> = StorageValue<_, bool, ValueQuery>;

	/// Blocks per session, from genesis ([`Config::DefaultSessionLength`] when unset).
	#[pallet::storage]
	pub type SessionLength<T: Config> = StorageValue<_, BlockNumberFor<T>, OptionQuery>;

	/// Events of this pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A validator joins the set at the next session change but one.
		ValidatorAdded {
			/// The validator's account.
			who: T::AccountId,
		},
		/// A validator leaves the set at the next session change but one.
		ValidatorRemoved {
			/// The validator's account.
			who: T::AccountId,
		},
		/// The session pallet took the changed set: it validates from session `session`.
		NewSetQueued {
			/// The first session the set validates.
			session: SessionIndex,
			/// How many validators it has.
			validators: u32,
		},
	}

	/// Errors of this pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The account is a validator already.
		AlreadyValidator,
		/// The account is not a validator.
		NotValidator,
		/// The account has no session keys registered (`session.set_keys`).
		NoSessionKeys,
		/// The set has [`Config::MaxValidators`] members.
		TooManyValidators,
		/// The removal would leave fewer than [`Config::MinValidators`].
		TooFewValidators,
	}

	/// Genesis: the session length. The validators come from the session pallet's genesis
	/// keys (see the module docs).
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Blocks per session; `None` for [`Config::DefaultSessionLength`]. Must not be 0.
		pub session_length: Option<BlockNumberFor<T>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(length) = self.session_length {
				assert!(
					!length.is_zero(),
					"validator-set genesis: session_length must be at least 1"
				);
				SessionLength::<T>::put(length);
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(_: BlockNumberFor<T>) -> Weight {
			// The session pallet's `ShouldEndSession` reads the session length every block.
			T::DbWeight::get().reads(1)
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Add a validator. It validates from the session after the next session change.
		///
		/// - Origin: [`Config::GovernanceOrigin`].
		/// - Errors: `AlreadyValidator`; `NoSessionKeys` (the account must have called
		///   `session.set_keys` first); `TooManyValidators`.
		/// - Events: [`Event::ValidatorAdded`]; [`Event::NewSetQueued`] at the next session
		///   change.
		#[pallet::call_index(0)]
		pub fn add_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let mut set = Validators::<T>::get();
			ensure!(!set.contains(&who), Error::<T>::AlreadyValidator);
			ensure!(T::KeysRegistration::is_registered(&who), Error::<T>::NoSessionKeys);
			set.try_push(who.clone()).map_err(|_| Error::<T>::TooManyValidators)?;
			Validators::<T>::put(set);
			SetChanged::<T>::put(true);
			Self::deposit_event(Event::ValidatorAdded { who });
			Ok(())
		}

		/// Remove a validator. It stops validating from the session after the next session
		/// change.
		///
		/// - Origin: [`Config::GovernanceOrigin`].
		/// - Errors: `NotValidator`; `TooFewValidators` (fewer than [`Config::MinValidators`]
		///   would remain).
		/// - Events: [`Event::ValidatorRemoved`]; [`Event::NewSetQueued`] at the next session
		///   change.
		#[pallet::call_index(1)]
		pub fn remove_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let mut set = Validators::<T>::get();
			let position = set.iter().position(|v| v == &who).ok_or(Error::<T>::NotValidator)?;
			ensure!(set.len() > T::MinValidators::get() as usize, Error::<T>::TooFewValidators);
			set.remove(position);
			Validators::<T>::put(set);
			SetChanged::<T>::put(true);
			Self::deposit_event(Event::ValidatorRemoved { who });
			Ok(())
		}
	}

	#[pallet::view_functions]
	impl<T: Config> Pallet<T> {
		/// The set governance has decided on (the session pallet's current set may still be
		/// the previous one, see the module docs).
		pub fn validators() -> Vec<T::AccountId> {
			Validators::<T>::get().into_inner()
		}

		/// Blocks per session.
		pub fn blocks_per_session() -> BlockNumberFor<T> {
			Self::session_length()
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Blocks per session: the genesis value, else [`Config::DefaultSessionLength`]; never 0.
	pub fn session_length() -> frame_system::pallet_prelude::BlockNumberFor<T> {
		SessionLength::<T>::get().unwrap_or_else(T::DefaultSessionLength::get).max(One::one())
	}

	/// The invariants of this pallet:
	/// - the set is not empty (a chain without validators cannot produce the block that would
	///   repair it) and has no account twice;
	/// - it has at most [`Config::MaxValidators`] members (the bound of its storage type);
	/// - the session length is at least one block.
	#[cfg(any(feature = "try-runtime", feature = "std", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let set = Validators::<T>::get();
		frame_support::ensure!(!set.is_empty(), "the validator set is empty");
		let mut sorted: Vec<_> = set.iter().collect();
		sorted.sort();
		sorted.dedup();
		frame_support::ensure!(sorted.len() == set.len(), "a validator is in the set twice");
		frame_support::ensure!(
			!SessionLength::<T>::get().is_some_and(|length| length.is_zero()),
			"the session length is 0"
		);
		Ok(())
	}
}

/// Sessions of [`Pallet::session_length`] blocks, starting at block 0 (the session pallet's
/// `PeriodicSessions` with a length read from storage).
pub type PeriodicSessions<T> =
	pallet_session::PeriodicSessions<SessionLengthOf<T>, frame_support::traits::GetDefault>;

/// [`Pallet::session_length`] as a `Get`.
pub struct SessionLengthOf<T>(core::marker::PhantomData<T>);
impl<T: Config> Get<frame_system::pallet_prelude::BlockNumberFor<T>> for SessionLengthOf<T> {
	fn get() -> frame_system::pallet_prelude::BlockNumberFor<T> {
		Pallet::<T>::session_length()
	}
}

impl<T: Config> SessionManager<T::AccountId> for Pallet<T> {
	fn new_session(new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
		if !SetChanged::<T>::take() {
			return None;
		}
		let set = Validators::<T>::get();
		log::info!(target: LOG_TARGET, "validator set of {} queued for session {new_index}", set.len());
		Self::deposit_event(Event::NewSetQueued {
			session: new_index,
			validators: set.len() as u32,
		});
		Some(set.into_inner())
	}

	fn new_session_genesis(_: SessionIndex) -> Option<Vec<T::AccountId>> {
		// The session pallet's genesis keys make the first set (module docs, "Genesis").
		None
	}

	fn end_session(_: SessionIndex) {}

	fn start_session(index: SessionIndex) {
		if index == 0 && Validators::<T>::get().is_empty() {
			// Session 0 starts only in the session pallet's genesis build: a chain spec with
			// more validators than the limit is refused there, before the chain exists.
			let set = BoundedVec::try_from(T::CurrentSet::validators())
				.expect("genesis session keys name at most MaxValidators validators");
			Validators::<T>::put(set);
		}
	}
}
