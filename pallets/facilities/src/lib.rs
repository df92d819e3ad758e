//! # Facilities
//!
//! The chain's registry of bitcoin-mining facilities: who mines where, with what machines,
//! under which pool, and what the operator has at stake. Every hashrate token and every unit
//! of yield on Hashrate Chain traces back to a facility recorded here.
//!
//! ## Overview
//!
//! An operator (the facility's cold key) [registers](Pallet::register) a facility with
//! - a [`SiteSpec`]: location (ISO 3166-1 country, optional ISO 3166-2 region), power
//!   capacity, declared hashrate capacity and the fleet of ASICs installed; and
//! - a [`Profile`]: name, energy mix, mining pool and worker and a hash and URI of
//!   supporting documents.
//!
//! and a deposit in the native token is held from the operator under
//! [`HoldReason::FacilityDeposit`]: [`Config::DepositBase`] plus [`Config::DepositPerTerahash`]
//! for every TH/s of declared capacity (rounded up). The deposit pays for the record and
//! answers for fraud: governance or another pallet may slash it to the treasury
//! ([`Config::OnSlash`]). Holders are not paid from it: their protection is collateral in
//! the payout asset posted per token series, so this pallet never prices one asset in
//! another.
//!
//! ## Physics checks on the site
//!
//! The fleet's hashrate is the sum of `units x hashrate per unit`; its efficiency the
//! hashrate-weighted mean of the rows' efficiencies (total power over total hashrate, rounded
//! up). A site is accepted only when
//! - every row's efficiency is at least [`Config::MinPlausibleEfficiency`] (no ASIC in
//!   2025-2026 does much better than 10 J/TH);
//! - the declared capacity is at most the fleet's hashrate; and
//! - `declared capacity x fleet efficiency <= power capacity` (`P = H x J/TH`, see
//!   `hashrate_primitives::physics::power_draw`).
//!
//! ## Lifecycle
//!
//! `Pending` --[approve](Pallet::approve)--> `Active`, or --[reject](Pallet::reject)-->
//! `Rejected` (deposit released). `Active` <--[suspend](Pallet::suspend) /
//! [resume](Pallet::resume)--> `Suspended`; other pallets suspend through
//! [`FacilityControl::suspend`]. Suspension stops new issuance and offerings, not reporting,
//! and ends no obligation. The operator [retires](Pallet::retire) a pending or active
//! facility: it becomes `Retiring` and, once its obligation count is zero,
//! `Retired` with the deposit released: at once if nothing is owed, otherwise by the chain
//! itself in `on_idle` of a block after the last obligation is released (a due queue,
//! [`RetirementsDue`]; [complete_retirement](Pallet::complete_retirement) is the fallback for
//! anyone in a hurry). Other pallets count obligations
//! (a live series, an unsettled period) with [`FacilityControl::add_obligation`] and
//! [`FacilityControl::release_obligation`].
//!
//! Site changes of a pending facility apply at once. Those of an active or suspended
//! facility wait as a [`SiteChange`] until governance
//! [approves](Pallet::approve_site_change) or [rejects](Pallet::reject_site_change) them
//! (or the operator [cancels](Pallet::cancel_site_change)); the extra deposit a larger
//! capacity needs is held when the change is proposed. The [`Profile`] changes without
//! approval.
//!
//! ## Payout scripts
//!
//! Where a facility's bitcoin arrives is site data, not profile: proofs of its payouts
//! (`pallet-payout-proofs`) credit it only for outputs paying scripts governance approved.
//! The operator [proposes](Pallet::propose_payout_address) an address; the chain parses it
//! into its output script for the chain's [`BitcoinNetwork`] (base58check P2PKH / P2SH,
//! bech32 P2WPKH / P2WSH, bech32m P2TR, checksums checked: see
//! [`hashrate_primitives::bitcoin::address`]), governance
//! [approves](Pallet::approve_payout_script) or [rejects](Pallet::reject_payout_script) it;
//! the operator [removes](Pallet::remove_payout_script) one. At most [`MAX_PAYOUT_SCRIPTS`]
//! per facility, approved and proposed together; a script belongs to one facility at a time
//! ([`ScriptOwners`]). A removed script (also at retirement or rejection) stays its
//! facility's for [`Config::ScriptRetention`], so payouts mined before the removal can still
//! be proven and nobody else can claim it meanwhile; `on_idle` releases it afterwards
//! ([`ScriptReleasesDue`]).
//!
//! Operatorship moves in two steps: the operator [offers](Pallet::offer_operatorship) it,
//! the new operator [accepts](Pallet::accept_operatorship), posting the deposit for the
//! current site; the old operator's deposit is released.
//!
//! Reporter keys (hot keys that submit the facility's period reports) are
//! [added](Pallet::add_reporter) and [removed](Pallet::remove_reporter) by the operator, at
//! most [`Config::MaxReporters`] per facility; a key serves one facility only.
//!
//! ## What other pallets get
//!
//! [`FacilityInspect`] (status, operator, reporter keys, capacity, fleet efficiency, power
//! capacity, deposit, obligation count), [`FacilityControl`] (suspend, slash, count
//! obligations) and [`PayoutScriptsInspect`] (who owns an output script, since and until
//! when), all from `hashrate-primitives`.

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod functions;
mod impl_traits;
pub mod migrations;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use hashrate_primitives::{
	due::DueAt, AddressNetwork, AttestorInspect, Efficiency, FacilityControl, FacilityId,
	FacilityInspect, FacilityStatus, OutputScript, PayoutScriptsInspect, ScriptKind,
	ScriptOwnership, SuspensionReason,
};
use polkadot_sdk::{
	frame_support::{
		self,
		traits::fungible::{self, Credit},
	},
	frame_system, sp_runtime,
};

/// Balance of the native token.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// An imbalance of the native token (what slashing takes).
pub type CreditOf<T> = Credit<<T as frame_system::Config>::AccountId, <T as Config>::Currency>;
/// A facility record as this runtime stores it.
pub type FacilityOf<T> = Facility<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	frame_system::pallet_prelude::BlockNumberFor<T>,
	<T as Config>::MaxReporters,
>;
/// An account as a call argument.
pub type AccountIdLookupOf<T> =
	<<T as frame_system::Config>::Lookup as sp_runtime::traits::StaticLookup>::Source;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{OnUnbalanced, UnixTime},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::traits::{Saturating, StaticLookup};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(3);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the pallet.
	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config {
		/// The native token, whose holds carry facility deposits.
		type Currency: fungible::MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ fungible::BalancedHold<Self::AccountId>
			+ fungible::Mutate<Self::AccountId>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// The chain's clock: approval time starts a facility's reporting obligation.
		type Time: frame_support::traits::UnixTime;
		/// Approves and rejects facilities and site changes, suspends, resumes and slashes:
		/// sudo today, a council later.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Where slashed deposits go (the treasury).
		type OnSlash: OnUnbalanced<CreditOf<Self>>;
		/// Deposit every facility posts, whatever its size.
		#[pallet::constant]
		type DepositBase: Get<BalanceOf<Self>>;
		/// Deposit per TH/s of declared hashrate capacity, on top of the base.
		#[pallet::constant]
		type DepositPerTerahash: Get<BalanceOf<Self>>;
		/// Best efficiency a fleet row may claim; anything better is implausible.
		#[pallet::constant]
		type MinPlausibleEfficiency: Get<Efficiency>;
		/// Most reporter keys per facility.
		#[pallet::constant]
		type MaxReporters: Get<u32>;
		/// Most fleet rows per facility (at most [`MAX_FLEET_ROWS`]).
		#[pallet::constant]
		type MaxFleetRows: Get<u32>;
		/// How long a removed payout script stays its facility's (seconds): payouts mined
		/// before the removal can be proven that long after it.
		#[pallet::constant]
		type ScriptRetention: Get<u64>;
		/// The oracle's attestors: an attestor may not be offered a facility's operatorship.
		type Attestors: AttestorInspect<Self::AccountId>;
		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A facility's registration deposit.
		#[codec(index = 0)]
		FacilityDeposit,
	}

	/// The id the next registered facility gets.
	#[pallet::storage]
	pub type NextFacilityId<T: Config> = StorageValue<_, FacilityId, ValueQuery>;

	/// Every facility ever registered, by id. Retired and rejected ones stay as a record.
	#[pallet::storage]
	pub type Facilities<T: Config> = StorageMap<_, Twox64Concat, FacilityId, FacilityOf<T>>;

	/// Site changes of active or suspended facilities waiting for approval.
	#[pallet::storage]
	pub type PendingSiteChanges<T: Config> =
		StorageMap<_, Twox64Concat, FacilityId, SiteChange<BalanceOf<T>>>;

	/// Retirements to complete: retiring facilities whose last obligation was released, by
	/// when (drained oldest first by `on_idle`; [`Pallet::complete_retirement`] is the
	/// fallback, and an entry it handled first is dropped).
	#[pallet::storage]
	pub type RetirementsDue<T: Config> =
		StorageDoubleMap<_, Identity, DueAt, Twox64Concat, FacilityId, ()>;

	/// Operatorship offers: facility -> the account that may accept.
	#[pallet::storage]
	pub type OperatorshipOffers<T: Config> = StorageMap<_, Twox64Concat, FacilityId, T::AccountId>;

	/// Reporter keys each facility's operator offered, waiting for the key to accept.
	#[pallet::storage]
	pub type ReporterOffers<T: Config> = StorageMap<
		_,
		Twox64Concat,
		FacilityId,
		BoundedVec<T::AccountId, T::MaxReporters>,
		ValueQuery,
	>;

	/// Reporter key -> the facility it reports for.
	#[pallet::storage]
	pub type ReporterOf<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, FacilityId>;

	/// Number of facilities in each status.
	#[pallet::storage]
	pub type StatusCount<T: Config> = StorageMap<_, Twox64Concat, FacilityStatus, u32, ValueQuery>;

	/// The Bitcoin network payout addresses are written for (set at genesis).
	#[pallet::storage]
	pub type BitcoinNetwork<T: Config> = StorageValue<_, AddressNetwork, ValueQuery>;

	/// Each facility's payout scripts: approved and proposed.
	#[pallet::storage]
	pub type PayoutScripts<T: Config> =
		StorageMap<_, Twox64Concat, FacilityId, PayoutScriptSet, ValueQuery>;

	/// Output script -> the facility it pays (approved, or removed and retained).
	#[pallet::storage]
	pub type ScriptOwners<T: Config> =
		StorageMap<_, Blake2_128Concat, OutputScript, ScriptOwnership>;

	/// How many of [`ScriptOwners`]' scripts each facility owns whose spends show them only
	/// in their witness (P2WPKH, P2WSH): a payout proof of a transaction spending by witness
	/// must prove the witness when the facility it pays has one (no entry for none).
	#[pallet::storage]
	pub type WitnessScripts<T: Config> = StorageMap<_, Twox64Concat, FacilityId, u32>;

	/// Removed scripts to release from [`ScriptOwners`] once their retention ends, by when
	/// (drained oldest first by `on_idle`).
	#[pallet::storage]
	pub type ScriptReleasesDue<T: Config> =
		StorageDoubleMap<_, Identity, DueAt, Blake2_128Concat, OutputScript, ()>;

	/// Facilities approved at genesis, waiting for their approval time: genesis has no clock,
	/// so the first block records its own time as theirs (in `on_finalize`, after the
	/// timestamp inherent) and empties this list.
	#[pallet::storage]
	pub type AwaitingApprovalTime<T: Config> =
		StorageValue<_, BoundedVec<FacilityId, ConstU32<MAX_GENESIS_APPROVALS>>, ValueQuery>;

	/// Events of this pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A facility was registered and its deposit held; it waits for approval.
		Registered {
			/// The facility.
			facility: FacilityId,
			/// Its operator.
			operator: T::AccountId,
			/// Deposit now held.
			deposit: BalanceOf<T>,
		},
		/// A pending facility was approved and is active.
		Approved {
			/// The facility.
			facility: FacilityId,
		},
		/// A pending facility was rejected; its deposit was released.
		Rejected {
			/// The facility.
			facility: FacilityId,
			/// Deposit released to the operator.
			released: BalanceOf<T>,
		},
		/// A facility was suspended.
		Suspended {
			/// The facility.
			facility: FacilityId,
			/// Why.
			reason: SuspensionReason,
		},
		/// A suspended facility is active again.
		Resumed {
			/// The facility.
			facility: FacilityId,
		},
		/// The operator started retiring the facility; it retires when no obligation is left.
		RetirementStarted {
			/// The facility.
			facility: FacilityId,
		},
		/// The facility retired; its deposit was released.
		Retired {
			/// The facility.
			facility: FacilityId,
			/// Deposit released to the operator.
			released: BalanceOf<T>,
		},
		/// The site of a pending facility changed (no approval needed before activation).
		SiteUpdated {
			/// The facility.
			facility: FacilityId,
			/// Deposit now held.
			deposit: BalanceOf<T>,
		},
		/// A site change of an active or suspended facility waits for approval.
		SiteChangeProposed {
			/// The facility.
			facility: FacilityId,
			/// Deposit held on top of the current one for the change.
			extra_deposit: BalanceOf<T>,
		},
		/// A proposed site change was approved and applies from now on.
		SiteChangeApproved {
			/// The facility.
			facility: FacilityId,
			/// Deposit released to the operator.
			released: BalanceOf<T>,
		},
		/// A proposed site change was rejected by governance.
		SiteChangeRejected {
			/// The facility.
			facility: FacilityId,
			/// Deposit released to the operator.
			released: BalanceOf<T>,
		},
		/// The operator withdrew a proposed site change.
		SiteChangeCancelled {
			/// The facility.
			facility: FacilityId,
			/// Deposit released to the operator.
			released: BalanceOf<T>,
		},
		/// The operator changed the profile.
		ProfileUpdated {
			/// The facility.
			facility: FacilityId,
		},
		/// The operator offered a key the role of reporter key; it reports once it accepts.
		ReporterOffered {
			/// The facility.
			facility: FacilityId,
			/// The key offered.
			reporter: T::AccountId,
		},
		/// The operator withdrew a reporter-key offer.
		ReporterOfferWithdrawn {
			/// The facility.
			facility: FacilityId,
			/// The key that was offered.
			reporter: T::AccountId,
		},
		/// A reporter key was added (it accepted).
		ReporterAdded {
			/// The facility.
			facility: FacilityId,
			/// The reporter key.
			reporter: T::AccountId,
		},
		/// A reporter key was removed.
		ReporterRemoved {
			/// The facility.
			facility: FacilityId,
			/// The reporter key.
			reporter: T::AccountId,
		},
		/// The operator offered operatorship to `to`.
		OperatorshipOffered {
			/// The facility.
			facility: FacilityId,
			/// The new operator.
			to: T::AccountId,
		},
		/// The operator withdrew an operatorship offer.
		OperatorshipOfferWithdrawn {
			/// The facility.
			facility: FacilityId,
		},
		/// Operatorship moved; the new operator's deposit is held, the old one's released.
		OperatorshipTransferred {
			/// The facility.
			facility: FacilityId,
			/// The previous operator.
			from: T::AccountId,
			/// The new operator.
			to: T::AccountId,
			/// Deposit now held.
			deposit: BalanceOf<T>,
		},
		/// Up to `requested` of the deposit was slashed to the treasury; `slashed` was taken.
		DepositSlashed {
			/// The facility.
			facility: FacilityId,
			/// Amount asked for.
			requested: BalanceOf<T>,
			/// Amount taken (at most the deposit held).
			slashed: BalanceOf<T>,
		},
		/// The operator proposed a payout address; its script waits for governance.
		PayoutScriptProposed {
			/// The facility.
			facility: FacilityId,
			/// The output script the address stands for.
			script: OutputScript,
			/// Its kind.
			kind: ScriptKind,
		},
		/// The key of a proposed or approved payout script signed the facility's ownership
		/// message.
		PayoutScriptKeySigned {
			/// The facility.
			facility: FacilityId,
			/// The output script.
			script: OutputScript,
		},
		/// Governance approved a payout script: payouts to it are the facility's from now on.
		PayoutScriptApproved {
			/// The facility.
			facility: FacilityId,
			/// The output script.
			script: OutputScript,
		},
		/// Governance rejected a proposed payout script.
		PayoutScriptRejected {
			/// The facility.
			facility: FacilityId,
			/// The output script.
			script: OutputScript,
		},
		/// The operator withdrew a proposed payout script.
		PayoutScriptWithdrawn {
			/// The facility.
			facility: FacilityId,
			/// The output script.
			script: OutputScript,
		},
		/// An approved payout script was removed (by the operator, or with the facility's
		/// retirement or rejection): payouts mined from now on are not the facility's; it stays
		/// the facility's, for payouts mined before, until `retained_until`.
		PayoutScriptRemoved {
			/// The facility.
			facility: FacilityId,
			/// The output script.
			script: OutputScript,
			/// Unix second its retention ends.
			retained_until: u64,
		},
		/// A removed payout script's retention ended: any facility may propose it again.
		PayoutScriptReleased {
			/// The facility it belonged to.
			facility: FacilityId,
			/// The output script.
			script: OutputScript,
		},
		/// Another pallet recorded an obligation; `obligations` is the new count.
		ObligationAdded {
			/// The facility.
			facility: FacilityId,
			/// Obligations now recorded.
			obligations: u32,
		},
		/// Another pallet released an obligation; `obligations` is the new count.
		ObligationReleased {
			/// The facility.
			facility: FacilityId,
			/// Obligations now recorded.
			obligations: u32,
		},
	}

	/// Errors of this pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// No facility has this id.
		UnknownFacility,
		/// Only the facility's operator may do this.
		NotOperator,
		/// The facility's status does not allow this.
		WrongStatus,
		/// The facility id space is exhausted.
		FacilityIdsExhausted,
		/// The country is not an assigned ISO 3166-1 alpha-2 code.
		InvalidCountryCode,
		/// The region is not 1 to 3 upper-case letters or digits.
		InvalidRegionCode,
		/// Hashrate or power capacity is zero.
		ZeroCapacity,
		/// The fleet has no rows.
		EmptyFleet,
		/// The fleet has more rows than `MaxFleetRows`.
		TooManyFleetRows,
		/// A fleet row has no model name, no units or no hashrate.
		InvalidFleetRow,
		/// A fleet row claims an efficiency better than `MinPlausibleEfficiency`.
		ImplausibleEfficiency,
		/// The declared hashrate capacity is above what the fleet can hash.
		CapacityExceedsFleet,
		/// The declared capacity at fleet efficiency draws more than the power capacity.
		InsufficientPowerCapacity,
		/// A value does not fit its type.
		Overflow,
		/// The name is empty, not UTF-8 or has control characters.
		InvalidName,
		/// An energy share is zero or a source is listed twice.
		InvalidEnergyShare,
		/// Energy shares do not add up to 1000 per-mill.
		EnergyMixNotWhole,
		/// The documents URI is not printable ASCII.
		InvalidDocumentsUri,
		/// The operator cannot hold the deposit.
		DepositNotAffordable,
		/// The facility has `MaxReporters` reporter keys already.
		TooManyReporters,
		/// The account is a reporter key of this facility already.
		DuplicateReporter,
		/// The operator cannot also be a reporter key of its facility.
		ReporterIsOperator,
		/// The account is a reporter key of another facility.
		ReporterInUse,
		/// The account is not a reporter key of this facility.
		NotAReporter,
		/// No site change waits for approval.
		NoSiteChange,
		/// A site change waits for approval; settle it first.
		SiteChangePending,
		/// Nobody was offered operatorship, or not the caller.
		NoOperatorshipOffer,
		/// The caller was not offered the role of reporter key of this facility.
		NoReporterOffer,
		/// An attestor may not operate a facility (it would attest itself).
		OfferedToAttestor,
		/// The account already operates this facility.
		AlreadyOperator,
		/// The facility still has obligations (live series, unsettled periods).
		LiveObligations,
		/// The facility has no obligation to release.
		NoObligations,
		/// The obligation count would overflow.
		TooManyObligations,
		/// The payout address is not a bitcoin address (characters, length, case, padding or
		/// version byte).
		MalformedAddress,
		/// The payout address's checksum does not match: a typo.
		AddressChecksum,
		/// The payout address is valid on another Bitcoin network than this chain's.
		WrongBitcoinNetwork,
		/// The payout address is valid but of a kind no payout is accepted to (a witness
		/// version or program length other than P2WPKH, P2WSH or P2TR).
		UnsupportedScript,
		/// The facility has `MAX_PAYOUT_SCRIPTS` payout scripts, approved and proposed.
		TooManyPayoutScripts,
		/// The script is approved or proposed for this facility already.
		DuplicatePayoutScript,
		/// Another facility owns the script (approved, or removed and still retained).
		ScriptOwnedByAnother,
		/// No such payout script is proposed for the facility.
		NoPayoutScriptProposal,
		/// The script is neither approved nor proposed for the facility.
		NotAPayoutScript,
		/// The script's key signed its ownership message already.
		AlreadyKeySigned,
		/// The script is taproot: its Schnorr signatures cannot be checked by the runtime.
		TaprootSignatureUnsupported,
		/// The script is P2SH or P2WSH: no single key signs for it.
		ScriptHasNoSingleKey,
		/// The signature is not in its script kind's format (a BIP-322 simple witness for
		/// P2WPKH: strict DER, low S, `SIGHASH_ALL`, compressed key; 65 bytes for P2PKH).
		MalformedSignature,
		/// The signature does not sign the facility's ownership message for this script
		/// (P2WPKH: the witness key does not verify it).
		BadOwnershipSignature,
		/// The signature recovers a key the script does not pay: a valid signature by another
		/// key or, for P2PKH (whose key is recovered from the signature), a signature of
		/// another message, such as another facility's or another chain's.
		SignedByAnotherKey,
	}

	impl<T: Config> From<hashrate_primitives::AddressError> for Error<T> {
		fn from(error: hashrate_primitives::AddressError) -> Self {
			use hashrate_primitives::AddressError;
			match error {
				AddressError::Malformed => Error::MalformedAddress,
				AddressError::Checksum => Error::AddressChecksum,
				AddressError::WrongNetwork => Error::WrongBitcoinNetwork,
				AddressError::UnsupportedScript => Error::UnsupportedScript,
			}
		}
	}

	impl<T: Config> From<hashrate_primitives::bitcoin::ownership::OwnershipError> for Error<T> {
		fn from(error: hashrate_primitives::bitcoin::ownership::OwnershipError) -> Self {
			use hashrate_primitives::bitcoin::ownership::OwnershipError;
			match error {
				OwnershipError::TaprootUnsupported => Error::TaprootSignatureUnsupported,
				OwnershipError::NoSingleKey => Error::ScriptHasNoSingleKey,
				OwnershipError::Malformed => Error::MalformedSignature,
				OwnershipError::BadSignature => Error::BadOwnershipSignature,
				OwnershipError::WrongKey => Error::SignedByAnotherKey,
			}
		}
	}

	impl<T: Config> From<Invalid> for Error<T> {
		fn from(invalid: Invalid) -> Self {
			match invalid {
				Invalid::CountryCode => Error::InvalidCountryCode,
				Invalid::RegionCode => Error::InvalidRegionCode,
				Invalid::ZeroCapacity => Error::ZeroCapacity,
				Invalid::EmptyFleet => Error::EmptyFleet,
				Invalid::TooManyFleetRows => Error::TooManyFleetRows,
				Invalid::FleetRow => Error::InvalidFleetRow,
				Invalid::ImplausibleEfficiency => Error::ImplausibleEfficiency,
				Invalid::CapacityExceedsFleet => Error::CapacityExceedsFleet,
				Invalid::InsufficientPowerCapacity => Error::InsufficientPowerCapacity,
				Invalid::Overflow => Error::Overflow,
				Invalid::Name => Error::InvalidName,
				Invalid::EnergyShare => Error::InvalidEnergyShare,
				Invalid::EnergyMixNotWhole => Error::EnergyMixNotWhole,
				Invalid::DocumentsUri => Error::InvalidDocumentsUri,
			}
		}
	}

	/// Facilities to register at genesis.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Each is registered (its operator must be endowed for the deposit), given its
		/// reporter keys and payout scripts, and approved if `active`.
		pub facilities: alloc::vec::Vec<GenesisFacility<T::AccountId>>,
		/// The Bitcoin network payout addresses are written for.
		pub bitcoin_network: AddressNetwork,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			BitcoinNetwork::<T>::put(self.bitcoin_network);
			for (index, genesis) in self.facilities.iter().enumerate() {
				if let Err(error) = Pallet::<T>::build_genesis_facility(genesis) {
					panic!("genesis facility #{index} is invalid: {error:?}");
				}
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(_: BlockNumberFor<T>) -> Weight {
			// `on_finalize` reads the waiting list; in the first block it also writes each
			// listed facility and removes the list.
			let waiting = AwaitingApprovalTime::<T>::decode_len().unwrap_or(0) as u64;
			let writes = if waiting > 0 { waiting.saturating_add(1) } else { 0 };
			T::DbWeight::get().reads_writes(waiting.saturating_add(1), writes)
		}

		fn on_finalize(_: BlockNumberFor<T>) {
			Self::record_genesis_approval_time();
		}

		/// Completes the retirements due (a retiring facility whose obligations all went),
		/// then releases the payout scripts whose retention ended, oldest first each, as far
		/// as the weight left allows.
		fn on_idle(_: BlockNumberFor<T>, remaining: Weight) -> Weight {
			let used = Self::complete_due_retirements(remaining).0;
			let left = remaining.saturating_sub(used);
			used.saturating_add(Self::release_due_scripts(left).0)
		}

		fn integrity_test() {
			assert!(T::MaxFleetRows::get() >= 1, "MaxFleetRows must allow one row");
			assert!(
				T::MaxFleetRows::get() <= MAX_FLEET_ROWS,
				"MaxFleetRows must not exceed MAX_FLEET_ROWS, the argument bound"
			);
			assert!(T::MaxReporters::get() >= 1, "MaxReporters must allow one reporter key");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Register a facility. It starts `Pending`; the deposit for its declared capacity is
		/// held from the caller, who becomes its operator.
		///
		/// - Origin: signed (the operator).
		/// - Errors: site and profile checks (`InvalidCountryCode`, `InvalidRegionCode`,
		///   `ZeroCapacity`, `EmptyFleet`, `TooManyFleetRows`, `InvalidFleetRow`,
		///   `ImplausibleEfficiency`, `CapacityExceedsFleet`, `InsufficientPowerCapacity`,
		///   `Overflow`, `InvalidName`, `InvalidEnergyShare`, `EnergyMixNotWhole`,
		///   `InvalidDocumentsUri`),
		///   `DepositNotAffordable`, `FacilityIdsExhausted`.
		/// - Events: `Registered`.
		#[pallet::call_index(0)]
		pub fn register(origin: OriginFor<T>, site: SiteSpec, profile: Profile) -> DispatchResult {
			let operator = ensure_signed(origin)?;
			Self::do_register(operator, site, profile).map(|_| ())
		}

		/// Approve a pending facility: it becomes `Active`.
		///
		/// - Origin: [`Config::GovernanceOrigin`].
		/// - Errors: `UnknownFacility`, `WrongStatus` (not pending).
		/// - Events: `Approved`.
		#[pallet::call_index(1)]
		pub fn approve(origin: OriginFor<T>, facility: FacilityId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_approve(facility)
		}

		/// Reject a pending facility: it becomes `Rejected`, its deposit is released and its
		/// reporter keys removed.
		///
		/// - Origin: [`Config::GovernanceOrigin`].
		/// - Errors: `UnknownFacility`, `WrongStatus` (not pending).
		/// - Events: `ReporterRemoved` per key, `Rejected`.
		#[pallet::call_index(2)]
		pub fn reject(origin: OriginFor<T>, facility: FacilityId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let mut record = Self::facility(facility)?;
			ensure!(record.status == FacilityStatus::Pending, Error::<T>::WrongStatus);
			let released = Self::close_record(facility, &mut record, FacilityStatus::Rejected);
			Facilities::<T>::insert(facility, record);
			Self::deposit_event(Event::Rejected { facility, released });
			Ok(())
		}

		/// Suspend an active facility: no new issuance or offerings; reports and obligations
		/// continue.
		///
		/// - Origin: [`Config::GovernanceOrigin`].
		/// - Errors: `UnknownFacility`, `WrongStatus` (not active).
		/// - Events: `Suspended`.
		#[pallet::call_index(3)]
		pub fn suspend(
			origin: OriginFor<T>,
			facility: FacilityId,
			reason: SuspensionReason,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_suspend(facility, reason, false)
		}

		/// Resume a suspended facility: it is `Active` again.
		///
		/// - Origin: [`Config::GovernanceOrigin`].
		/// - Errors: `UnknownFacility`, `WrongStatus` (not suspended).
		/// - Events: `Resumed`.
		#[pallet::call_index(4)]
		pub fn resume(origin: OriginFor<T>, facility: FacilityId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let mut record = Self::facility(facility)?;
			ensure!(record.status == FacilityStatus::Suspended, Error::<T>::WrongStatus);
			Self::set_status(&mut record, FacilityStatus::Active);
			record.suspension = None;
			Facilities::<T>::insert(facility, record);
			Self::deposit_event(Event::Resumed { facility });
			Ok(())
		}

		/// Start retiring a pending or active facility. It issues nothing new but keeps
		/// reporting and owing; if it has no obligation, it retires at once (deposit released, reporter keys removed), otherwise
		/// when [`Pallet::complete_retirement`] finds the count at zero. A suspended facility
		/// must be resumed first.
		///
		/// - Origin: signed by the operator.
		/// - Errors: `UnknownFacility`, `NotOperator`, `WrongStatus`.
		/// - Events: `RetirementStarted`, then `ReporterRemoved` per key and `Retired` if
		///   nothing is owed.
		#[pallet::call_index(5)]
		pub fn retire(origin: OriginFor<T>, facility: FacilityId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut record = Self::facility(facility)?;
			ensure!(record.operator == who, Error::<T>::NotOperator);
			ensure!(
				matches!(record.status, FacilityStatus::Pending | FacilityStatus::Active),
				Error::<T>::WrongStatus
			);
			Self::set_status(&mut record, FacilityStatus::Retiring);
			Self::deposit_event(Event::RetirementStarted { facility });
			if record.obligations == 0 {
				Self::finish_retirement(facility, &mut record);
			}
			Facilities::<T>::insert(facility, record);
			Ok(())
		}

		/// Retire a retiring facility whose obligations have all been released. Anyone may
		/// call it; the deposit goes back to the operator. The chain does the same by itself
		/// in `on_idle` once the last obligation goes: this is the fallback.
		///
		/// - Origin: signed (anyone).
		/// - Errors: `UnknownFacility`, `WrongStatus` (not retiring), `LiveObligations`.
		/// - Events: `ReporterRemoved` per key, `Retired`.
		#[pallet::call_index(6)]
		pub fn complete_retirement(origin: OriginFor<T>, facility: FacilityId) -> DispatchResult {
			ensure_signed(origin)?;
			let mut record = Self::facility(facility)?;
			ensure!(record.status == FacilityStatus::Retiring, Error::<T>::WrongStatus);
			ensure!(record.obligations == 0, Error::<T>::LiveObligations);
			Self::finish_retirement(facility, &mut record);
			Facilities::<T>::insert(facility, record);
			Ok(())
		}

		/// Change the site (location, capacities, fleet). A pending facility's site changes at
		/// once, its deposit adjusted up or down. An active or suspended facility's change
		/// waits for [`Pallet::approve_site_change`], replacing any earlier proposal; the extra
		/// deposit a larger capacity needs is held now.
		///
		/// - Origin: signed by the operator.
		/// - Errors: `UnknownFacility`, `NotOperator`, `WrongStatus` (retiring, retired,
		///   rejected), the site checks of [`Pallet::register`], `DepositNotAffordable`.
		/// - Events: `SiteUpdated` (pending) or `SiteChangeProposed`.
		#[pallet::call_index(7)]
		pub fn propose_site_change(
			origin: OriginFor<T>,
			facility: FacilityId,
			site: SiteSpec,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_propose_site_change(who, facility, site)
		}

		/// Approve the waiting site change: it becomes the facility's site; deposit above what
		/// the new site requires is released.
		///
		/// - Origin: [`Config::GovernanceOrigin`].
		/// - Errors: `UnknownFacility`, `NoSiteChange`.
		/// - Events: `SiteChangeApproved`.
		#[pallet::call_index(8)]
		pub fn approve_site_change(origin: OriginFor<T>, facility: FacilityId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let mut record = Self::facility(facility)?;
			let change = PendingSiteChanges::<T>::take(facility).ok_or(Error::<T>::NoSiteChange)?;
			let required = Self::required_deposit(&change.site)?;
			let excess = record.deposit.saturating_sub(required);
			let released = Self::release_deposit(&record.operator, excess);
			record.deposit = record.deposit.saturating_sub(released);
			record.site = change.site;
			record.fleet = change.fleet;
			Facilities::<T>::insert(facility, record);
			Self::deposit_event(Event::SiteChangeApproved { facility, released });
			Ok(())
		}

		/// Reject the waiting site change; its extra deposit is released.
		///
		/// - Origin: [`Config::GovernanceOrigin`].
		/// - Errors: `UnknownFacility`, `NoSiteChange`.
		/// - Events: `SiteChangeRejected`.
		#[pallet::call_index(9)]
		pub fn reject_site_change(origin: OriginFor<T>, facility: FacilityId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let released = Self::drop_site_change(facility)?;
			Self::deposit_event(Event::SiteChangeRejected { facility, released });
			Ok(())
		}

		/// Withdraw the waiting site change; its extra deposit is released.
		///
		/// - Origin: signed by the operator.
		/// - Errors: `UnknownFacility`, `NotOperator`, `NoSiteChange`.
		/// - Events: `SiteChangeCancelled`.
		#[pallet::call_index(10)]
		pub fn cancel_site_change(origin: OriginFor<T>, facility: FacilityId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(Self::facility(facility)?.operator == who, Error::<T>::NotOperator);
			let released = Self::drop_site_change(facility)?;
			Self::deposit_event(Event::SiteChangeCancelled { facility, released });
			Ok(())
		}

		/// Replace the profile (name, energy mix, pool, documents). Takes effect at once.
		/// (Payout addresses are not profile: see [`Pallet::propose_payout_address`].)
		///
		/// - Origin: signed by the operator.
		/// - Errors: `UnknownFacility`, `NotOperator`, `WrongStatus` (retired, rejected), the
		///   profile checks of [`Pallet::register`].
		/// - Events: `ProfileUpdated`.
		#[pallet::call_index(11)]
		pub fn update_profile(
			origin: OriginFor<T>,
			facility: FacilityId,
			profile: Profile,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut record = Self::operated_live(&who, facility)?;
			profile.validate().map_err(Error::<T>::from)?;
			record.profile = profile;
			Facilities::<T>::insert(facility, record);
			Self::deposit_event(Event::ProfileUpdated { facility });
			Ok(())
		}

		/// Offer `reporter` the role of reporter key; it becomes one when it accepts
		/// ([`Pallet::accept_reporter`]): nobody is made a facility's key, and so ineligible to
		/// attest it, without its consent.
		///
		/// - Origin: signed by the operator.
		/// - Errors: `UnknownFacility`, `NotOperator`, `WrongStatus` (retired, rejected),
		///   `ReporterIsOperator`, `DuplicateReporter` (a key or offered already),
		///   `ReporterInUse`, `TooManyReporters` (keys or open offers).
		/// - Events: `ReporterOffered`.
		#[pallet::call_index(12)]
		pub fn add_reporter(
			origin: OriginFor<T>,
			facility: FacilityId,
			reporter: AccountIdLookupOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let reporter = T::Lookup::lookup(reporter)?;
			let record = Self::operated_live(&who, facility)?;
			Self::do_offer_reporter(facility, &record, reporter)
		}

		/// Accept the role of reporter key of `facility` offered to the caller.
		///
		/// - Origin: signed by the offered key.
		/// - Errors: `UnknownFacility`, `NoReporterOffer` (also after retirement or rejection,
		///   which withdraw offers), `ReporterIsOperator`, `DuplicateReporter`,
		///   `ReporterInUse`, `TooManyReporters`.
		/// - Events: `ReporterAdded`.
		#[pallet::call_index(17)]
		pub fn accept_reporter(origin: OriginFor<T>, facility: FacilityId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_accept_reporter(who, facility)
		}

		/// Remove a reporter key, or withdraw an offer to a key that has not accepted.
		///
		/// - Origin: signed by the operator.
		/// - Errors: `UnknownFacility`, `NotOperator`, `WrongStatus` (retired, rejected),
		///   `NotAReporter`.
		/// - Events: `ReporterRemoved` or `ReporterOfferWithdrawn`.
		#[pallet::call_index(13)]
		pub fn remove_reporter(
			origin: OriginFor<T>,
			facility: FacilityId,
			reporter: AccountIdLookupOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let reporter = T::Lookup::lookup(reporter)?;
			let mut record = Self::operated_live(&who, facility)?;
			if Self::take_reporter_offer(facility, &reporter) {
				Self::deposit_event(Event::ReporterOfferWithdrawn { facility, reporter });
				return Ok(());
			}
			let position = record
				.reporters
				.iter()
				.position(|r| *r == reporter)
				.ok_or(Error::<T>::NotAReporter)?;
			record.reporters.swap_remove(position);
			ReporterOf::<T>::remove(&reporter);
			Facilities::<T>::insert(facility, record);
			Self::deposit_event(Event::ReporterRemoved { facility, reporter });
			Ok(())
		}

		/// Offer operatorship to `to` (replacing any earlier offer), or withdraw the offer with
		/// `None`. Nothing moves until `to` accepts. An attestor may not be offered it.
		///
		/// - Origin: signed by the operator.
		/// - Errors: `UnknownFacility`, `NotOperator`, `WrongStatus` (retired, rejected),
		///   `AlreadyOperator`, `OfferedToAttestor`, `NoOperatorshipOffer` (withdrawing when
		///   none is open).
		/// - Events: `OperatorshipOffered` or `OperatorshipOfferWithdrawn`.
		#[pallet::call_index(14)]
		pub fn offer_operatorship(
			origin: OriginFor<T>,
			facility: FacilityId,
			to: Option<AccountIdLookupOf<T>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let record = Self::operated_live(&who, facility)?;
			match to {
				Some(to) => {
					let to = T::Lookup::lookup(to)?;
					ensure!(to != record.operator, Error::<T>::AlreadyOperator);
					ensure!(!T::Attestors::is_attestor(&to), Error::<T>::OfferedToAttestor);
					OperatorshipOffers::<T>::insert(facility, to.clone());
					Self::deposit_event(Event::OperatorshipOffered { facility, to });
				},
				None => {
					ensure!(
						OperatorshipOffers::<T>::take(facility).is_some(),
						Error::<T>::NoOperatorshipOffer
					);
					Self::deposit_event(Event::OperatorshipOfferWithdrawn { facility });
				},
			}
			Ok(())
		}

		/// Accept an operatorship offered to the caller. The caller's deposit for the current
		/// site is held and the old operator's released. If the caller was a reporter key of
		/// the facility, that key is removed (an operator reports with its own key); the old
		/// operator's open reporter-key offers are withdrawn.
		///
		/// - Origin: signed by the account offered operatorship.
		/// - Errors: `UnknownFacility`, `NoOperatorshipOffer` (also after retirement or
		///   rejection, which withdraw offers), `OfferedToAttestor` (the caller became an
		///   attestor since), `SiteChangePending`, `DepositNotAffordable`.
		/// - Events: `ReporterRemoved` (if the caller was a reporter key),
		///   `OperatorshipTransferred`.
		#[pallet::call_index(15)]
		pub fn accept_operatorship(origin: OriginFor<T>, facility: FacilityId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_accept_operatorship(who, facility)
		}

		/// Slash up to `amount` of a facility's deposit to the treasury (fraud).
		///
		/// - Origin: [`Config::GovernanceOrigin`].
		/// - Errors: `UnknownFacility`.
		/// - Events: `DepositSlashed`.
		#[pallet::call_index(16)]
		pub fn slash_deposit(
			origin: OriginFor<T>,
			facility: FacilityId,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_slash(facility, amount).map(|_| ())
		}

		/// Propose a bitcoin payout address. It is parsed into its output script for the
		/// chain's [`BitcoinNetwork`] and waits for [`Pallet::approve_payout_script`].
		///
		/// - Origin: signed by the operator.
		/// - Errors: `UnknownFacility`, `NotOperator`, `WrongStatus` (retired, rejected),
		///   `MalformedAddress`, `AddressChecksum`, `WrongBitcoinNetwork`, `UnsupportedScript`,
		///   `DuplicatePayoutScript`, `ScriptOwnedByAnother`, `TooManyPayoutScripts`.
		/// - Events: `PayoutScriptProposed`.
		#[pallet::call_index(18)]
		pub fn propose_payout_address(
			origin: OriginFor<T>,
			facility: FacilityId,
			address: BtcAddress,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::operated_live(&who, facility)?;
			Self::do_propose_payout_address(facility, &address)
		}

		/// Approve a proposed payout script: payouts to it mined from now on are the
		/// facility's, provable by anyone.
		///
		/// - Origin: [`Config::GovernanceOrigin`].
		/// - Errors: `UnknownFacility`, `WrongStatus` (retired, rejected),
		///   `NoPayoutScriptProposal`, `ScriptOwnedByAnother` (another facility's approval came
		///   first).
		/// - Events: `PayoutScriptApproved`.
		#[pallet::call_index(19)]
		#[pallet::weight(
			T::WeightInfo::approve_payout_script().saturating_add(T::DbWeight::get().reads_writes(1, 1))
		)]
		pub fn approve_payout_script(
			origin: OriginFor<T>,
			facility: FacilityId,
			script: OutputScript,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_approve_payout_script(facility, script, T::Time::now().as_secs())
		}

		/// Reject a proposed payout script.
		///
		/// - Origin: [`Config::GovernanceOrigin`].
		/// - Errors: `UnknownFacility`, `NoPayoutScriptProposal`.
		/// - Events: `PayoutScriptRejected`.
		#[pallet::call_index(20)]
		pub fn reject_payout_script(
			origin: OriginFor<T>,
			facility: FacilityId,
			script: OutputScript,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::facility(facility)?;
			Self::take_proposal(facility, &script)?;
			Self::deposit_event(Event::PayoutScriptRejected { facility, script });
			Ok(())
		}

		/// Withdraw a proposed payout script, or remove an approved one: payouts mined from
		/// now on no longer count for the facility; the script stays its own for
		/// [`Config::ScriptRetention`] (payouts mined before can still be proven).
		///
		/// - Origin: signed by the operator.
		/// - Errors: `UnknownFacility`, `NotOperator`, `WrongStatus` (retired, rejected),
		///   `NotAPayoutScript`.
		/// - Events: `PayoutScriptWithdrawn` or `PayoutScriptRemoved`.
		#[pallet::call_index(21)]
		pub fn remove_payout_script(
			origin: OriginFor<T>,
			facility: FacilityId,
			script: OutputScript,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::operated_live(&who, facility)?;
			if Self::take_proposal(facility, &script).is_ok() {
				Self::deposit_event(Event::PayoutScriptWithdrawn { facility, script });
				return Ok(());
			}
			let mut set = PayoutScripts::<T>::get(facility);
			let position = set
				.approved
				.iter()
				.position(|a| a.script == script)
				.ok_or(Error::<T>::NotAPayoutScript)?;
			set.approved.remove(position);
			Self::put_scripts(facility, set);
			Self::retain_removed_script(facility, script);
			Ok(())
		}

		/// Show that the facility holds a payout script's key: a signature by it of
		/// [`Pallet::ownership_message`] (`Hashrate Chain 0x<genesis hash>: facility <id> is
		/// paid at 0x<script>`), for governance to see before it approves the script (or
		/// after, for scripts approved before). P2WPKH takes a BIP-322 simple signature (the
		/// witness `[DER signature, key]`, as `signmessage` of BIP-322 wallets gives it,
		/// base64-decoded), P2PKH Bitcoin Core's legacy `signmessage` (65 bytes,
		/// base64-decoded). Taproot and script-hash kinds cannot be signed for here.
		///
		/// - Origin: signed by the operator.
		/// - Errors: `UnknownFacility`, `NotOperator`, `WrongStatus` (retired, rejected),
		///   `NotAPayoutScript`, `AlreadyKeySigned`, `TaprootSignatureUnsupported`,
		///   `ScriptHasNoSingleKey`, `MalformedSignature`, `BadOwnershipSignature`,
		///   `SignedByAnotherKey`.
		/// - Events: `PayoutScriptKeySigned`.
		#[pallet::call_index(22)]
		pub fn sign_payout_script(
			origin: OriginFor<T>,
			facility: FacilityId,
			script: OutputScript,
			signature: OwnershipSignature,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::operated_live(&who, facility)?;
			Self::do_sign_payout_script(facility, script, &signature)
		}
	}

	#[pallet::view_functions]
	impl<T: Config> Pallet<T> {
		/// The facility's payout scripts: approved (with their approval time) and proposed.
		pub fn payout_scripts(facility: FacilityId) -> PayoutScriptSet {
			PayoutScripts::<T>::get(facility)
		}

		/// Who owns an output script, from when and until when.
		pub fn script_owner(script: OutputScript) -> Option<ScriptOwnership> {
			ScriptOwners::<T>::get(script)
		}

		/// The Bitcoin network payout addresses are written for.
		pub fn bitcoin_network() -> AddressNetwork {
			BitcoinNetwork::<T>::get()
		}

		/// The message a payout script's key signs for [`Pallet::sign_payout_script`] (ASCII).
		pub fn payout_ownership_message(
			facility: FacilityId,
			script: OutputScript,
		) -> alloc::vec::Vec<u8> {
			Self::ownership_message(facility, &script)
		}
	}
}

/// A facility as genesis registers it.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenesisFacility<AccountId> {
	/// The operator; must be endowed for the deposit.
	pub operator: AccountId,
	/// The site.
	pub site: SiteSpec,
	/// The profile.
	pub profile: Profile,
	/// Reporter keys.
	pub reporters: alloc::vec::Vec<AccountId>,
	/// Payout addresses, approved at genesis (approval time 0), for the chain's
	/// `bitcoinNetwork`; at most [`MAX_PAYOUT_SCRIPTS`].
	#[serde(default)]
	pub payout_addresses: alloc::vec::Vec<BtcAddress>,
	/// Approve at genesis. Its approval time (`active_since`) is the first block's time, set
	/// at the end of that block: genesis has no clock. At most [`MAX_GENESIS_APPROVALS`].
	pub active: bool,
}
