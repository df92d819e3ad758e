//! What a facility record holds, and the checks every record passes before it is stored.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use hashrate_primitives::{
	physics, Efficiency, FacilityStatus, Hashrate, OutputScript, Power, ScriptKind,
	SuspensionReason,
};
use polkadot_sdk::{
	frame_support::{
		pallet_prelude::ConstU32, traits::Get, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound,
		PartialEqNoBound,
	},
	sp_core::{H256, U256},
};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};

/// Longest facility name, in bytes (UTF-8).
pub const MAX_NAME_LEN: u32 = 64;
/// Longest ASIC model name, in bytes.
pub const MAX_MODEL_LEN: u32 = 48;
/// Longest ISO 3166-2 subdivision code (the part after the country and hyphen).
pub const MAX_REGION_LEN: u32 = 3;
/// Longest pool name or pool account / worker identifier, in bytes.
pub const MAX_POOL_FIELD_LEN: u32 = 64;
/// Most bitcoin payout scripts a facility has, approved and proposed together.
pub const MAX_PAYOUT_SCRIPTS: u32 = 8;
/// Longest bitcoin address (the bech32 limit).
pub const MAX_BTC_ADDRESS_LEN: u32 = 90;
/// Longest documents URI, in bytes.
pub const MAX_URI_LEN: u32 = 256;
/// Most fleet rows any runtime can configure: the bound of the extrinsic argument. The
/// runtime's `MaxFleetRows` (at most this) is the limit actually enforced.
pub const MAX_FLEET_ROWS: u32 = 64;

/// Most facilities a genesis config may approve (they wait in `AwaitingApprovalTime` for the
/// first block's time).
pub const MAX_GENESIS_APPROVALS: u32 = 64;
/// Energy shares are in per-mill and must add up to exactly this.
pub const PER_MILL_WHOLE: u16 = 1_000;

/// Bytes of a facility name.
pub type Name = BoundedVec<u8, ConstU32<MAX_NAME_LEN>>;
/// Bytes of an ASIC model name.
pub type ModelName = BoundedVec<u8, ConstU32<MAX_MODEL_LEN>>;
/// Bytes of a pool name or worker id.
pub type PoolField = BoundedVec<u8, ConstU32<MAX_POOL_FIELD_LEN>>;
/// A bitcoin address as ASCII bytes.
pub type BtcAddress = BoundedVec<u8, ConstU32<MAX_BTC_ADDRESS_LEN>>;

/// A signature of a payout script's ownership message by its key: a BIP-322 simple witness
/// for P2WPKH, a legacy `signmessage` signature for P2PKH
/// (see [`hashrate_primitives::bitcoin::ownership`]).
pub type OwnershipSignature =
	BoundedVec<u8, ConstU32<{ hashrate_primitives::bitcoin::ownership::MAX_SIGNATURE_LEN }>>;
/// A fleet as submitted and stored.
pub type Fleet = BoundedVec<FleetRow, ConstU32<MAX_FLEET_ROWS>>;
/// One row per energy source at most.
pub type EnergyMix = BoundedVec<EnergyShare, ConstU32<{ EnergySource::COUNT }>>;

/// Where a facility is: ISO 3166-1 alpha-2 country and, optionally, the ISO 3166-2
/// subdivision code within it (`US` + `TX` for Texas, `NO` + `46` for Vestland).
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub struct Location {
	/// Upper-case ISO 3166-1 alpha-2 code, e.g. `*b"US"`.
	pub country: [u8; 2],
	/// Upper-case ISO 3166-2 subdivision code (1 to 3 letters or digits), if given.
	pub region: Option<BoundedVec<u8, ConstU32<MAX_REGION_LEN>>>,
}

/// One kind of machine in the fleet.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub struct FleetRow {
	/// ASIC model, e.g. `Antminer S21 Pro`.
	pub model: ModelName,
	/// Machines of this model installed.
	pub units: u32,
	/// Nameplate hashrate of one machine.
	pub hashrate_per_unit: Hashrate,
	/// Nameplate efficiency of the model.
	pub efficiency: Efficiency,
}

/// Where a facility's electricity comes from.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub enum EnergySource {
	/// Hydroelectric.
	Hydro,
	/// Solar photovoltaic or thermal.
	Solar,
	/// Wind.
	Wind,
	/// Nuclear.
	Nuclear,
	/// Geothermal.
	Geothermal,
	/// Natural gas (pipeline).
	NaturalGas,
	/// Flared or stranded gas that would otherwise be burned or vented.
	FlareGas,
	/// Coal.
	Coal,
	/// Oil or diesel.
	Oil,
	/// Grid power of unspecified mix.
	Grid,
	/// Anything else.
	Other,
}

impl EnergySource {
	/// Number of sources: the most rows an energy mix can have.
	pub const COUNT: u32 = 11;
}

/// One source's share of the energy a facility uses.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub struct EnergyShare {
	/// The source.
	pub source: EnergySource,
	/// Its share, in per-mill (1..=1000).
	pub per_mill: u16,
}

/// The pool a facility mines with.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub struct PoolAccount {
	/// Pool name, e.g. `Foundry USA`; empty for solo mining.
	pub pool: PoolField,
	/// The facility's account or worker identifier at the pool.
	pub worker: PoolField,
}

/// Documents backing the record: audit report, site contract, power purchase agreement.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub struct Documents {
	/// Hash of the document bundle (e.g. blake2-256 or sha-256 of the archive).
	pub hash: H256,
	/// Where to fetch it (`ipfs://...`, `https://...`); printable ASCII.
	pub uri: BoundedVec<u8, ConstU32<MAX_URI_LEN>>,
}

/// The physical site: what governance approves. Changes of an active facility wait for
/// re-approval.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub struct SiteSpec {
	/// Where the site is.
	pub location: Location,
	/// Contracted electrical capacity.
	pub power_capacity: Power,
	/// Declared hashrate capacity: what the facility can deliver and report against.
	pub hashrate_capacity: Hashrate,
	/// The machines installed.
	pub fleet: Fleet,
}

/// What the operator may change at any time without approval.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub struct Profile {
	/// Display name (UTF-8).
	pub name: Name,
	/// Energy sources; shares add up to 1000 per-mill.
	pub energy_mix: EnergyMix,
	/// Mining pool and worker.
	pub pool: PoolAccount,
	/// Supporting documents.
	pub documents: Documents,
}

/// What a fleet adds up to.
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
)]
pub struct FleetTotals {
	/// Sum of units x hashrate per unit.
	pub hashrate: Hashrate,
	/// Hashrate-weighted efficiency (total power / total hashrate), rounded up.
	pub efficiency: Efficiency,
}

/// A registered facility.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(MaxReporters))]
#[codec(mel_bound(
	AccountId: MaxEncodedLen,
	Balance: MaxEncodedLen,
	BlockNumber: MaxEncodedLen
))]
pub struct Facility<AccountId, Balance, BlockNumber, MaxReporters>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxReporters: Get<u32>,
{
	/// The cold key: manages the record and posts the deposit.
	pub operator: AccountId,
	/// Lifecycle status.
	pub status: FacilityStatus,
	/// Why it is suspended (`Some` exactly when `status` is `Suspended`).
	pub suspension: Option<SuspensionReason>,
	/// The approved site.
	pub site: SiteSpec,
	/// Totals derived from `site.fleet`.
	pub fleet: FleetTotals,
	/// Operator-managed profile.
	pub profile: Profile,
	/// Hot keys allowed to submit reports for this facility.
	pub reporters: BoundedVec<AccountId, MaxReporters>,
	/// Native-token deposit held from the operator under `HoldReason::FacilityDeposit`.
	pub deposit: Balance,
	/// Live obligations other pallets recorded (series, unsettled periods).
	pub obligations: u32,
	/// Block of registration.
	pub registered_at: BlockNumber,
	/// Unix second of approval (`None` before): reports are owed for periods from then on.
	pub active_since: Option<u64>,
}

/// A site change waiting for re-approval.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct SiteChange<Balance> {
	/// The proposed site.
	pub site: SiteSpec,
	/// Its fleet totals.
	pub fleet: FleetTotals,
	/// Deposit held on top of the facility's previous deposit because the proposed capacity
	/// needs more; released if the change is rejected or cancelled.
	pub extra_deposit: Balance,
}

/// Why a site or profile is refused. Mapped onto the pallet's errors.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Invalid {
	/// Not an assigned ISO 3166-1 alpha-2 code.
	CountryCode,
	/// Not 1 to 3 upper-case letters or digits.
	RegionCode,
	/// Hashrate or power capacity is zero.
	ZeroCapacity,
	/// No fleet rows.
	EmptyFleet,
	/// More fleet rows than the runtime allows.
	TooManyFleetRows,
	/// A row with no model name, no units or no hashrate.
	FleetRow,
	/// A row's efficiency is better than physically plausible.
	ImplausibleEfficiency,
	/// Declared capacity above what the fleet can hash.
	CapacityExceedsFleet,
	/// Declared capacity at fleet efficiency needs more power than the site has.
	InsufficientPowerCapacity,
	/// An intermediate does not fit its type.
	Overflow,
	/// Empty or not UTF-8 or containing control characters.
	Name,
	/// A zero share or a source listed twice.
	EnergyShare,
	/// Shares do not add up to 1000 per-mill.
	EnergyMixNotWhole,
	/// Documents URI is not printable ASCII.
	DocumentsUri,
}

/// Assigned ISO 3166-1 alpha-2 codes (249, as of 2024), concatenated.
const ISO_3166_1_ALPHA_2: &[u8] = b"ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZ\
CACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZDEDJDKDMDODZECEEEGEHERESETFIFJFKFMFOFRGAGBGDGEGFGGGHGIGLGMGNGPGQGRGS\
GTGUGWGYHKHMHNHRHTHUIDIEILIMINIOIQIRISITJEJMJOJPKEKGKHKIKMKNKPKRKWKYKZLALBLCLILKLRLSLTLULVLYMAMCMDMEMFMGMH\
MKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZNANCNENFNGNINLNONPNRNUNZOMPAPEPFPGPHPKPLPMPNPRPSPTPWPYQARERORSRURWSASBSC\
SDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZTCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZUAUGUMUSUYUZVAVCVEVGVIVNVUWFWSYEYTZAZMZW";

/// Whether `code` is an assigned ISO 3166-1 alpha-2 country code.
pub fn is_country_code(code: [u8; 2]) -> bool {
	ISO_3166_1_ALPHA_2.chunks_exact(2).any(|c| c == code)
}

impl Location {
	/// Checks the country against ISO 3166-1 and the region's form.
	pub fn validate(&self) -> Result<(), Invalid> {
		if !is_country_code(self.country) {
			return Err(Invalid::CountryCode);
		}
		if let Some(region) = &self.region {
			let well_formed = !region.is_empty()
				&& region.iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
			if !well_formed {
				return Err(Invalid::RegionCode);
			}
		}
		Ok(())
	}
}

/// Sum of units x hashrate per unit, and the hashrate-weighted efficiency, of `fleet`.
pub fn fleet_totals(fleet: &[FleetRow]) -> Result<FleetTotals, Invalid> {
	let mut hashrate = U256::zero();
	let mut power = U256::zero(); // milli-TH/s x milli-J/TH
	for row in fleet {
		let row_hashrate = U256::from(row.units)
			.checked_mul(U256::from(row.hashrate_per_unit.get()))
			.ok_or(Invalid::Overflow)?;
		hashrate = hashrate.checked_add(row_hashrate).ok_or(Invalid::Overflow)?;
		let row_power =
			row_hashrate.checked_mul(U256::from(row.efficiency.get())).ok_or(Invalid::Overflow)?;
		power = power.checked_add(row_power).ok_or(Invalid::Overflow)?;
	}
	if hashrate.is_zero() {
		return Err(Invalid::EmptyFleet);
	}
	// Round up: a fleet is never credited with a better efficiency than its rows.
	let (quotient, remainder) = power.div_mod(hashrate);
	let efficiency = if remainder.is_zero() { quotient } else { quotient + U256::one() };
	Ok(FleetTotals {
		hashrate: Hashrate(u128::try_from(hashrate).map_err(|_| Invalid::Overflow)?),
		efficiency: Efficiency(u32::try_from(efficiency).map_err(|_| Invalid::Overflow)?),
	})
}

impl SiteSpec {
	/// Checks the site and returns its fleet totals: a known country; non-zero capacities;
	/// 1 to `max_fleet_rows` rows, each with a model, units, hashrate and an efficiency no
	/// better than `min_efficiency`; declared capacity within the fleet's hashrate; and the
	/// power the declared capacity draws at fleet efficiency within the power capacity.
	pub fn validate(
		&self,
		max_fleet_rows: u32,
		min_efficiency: Efficiency,
	) -> Result<FleetTotals, Invalid> {
		self.location.validate()?;
		if self.hashrate_capacity.is_zero() || self.power_capacity.is_zero() {
			return Err(Invalid::ZeroCapacity);
		}
		if self.fleet.is_empty() {
			return Err(Invalid::EmptyFleet);
		}
		if self.fleet.len() > max_fleet_rows as usize {
			return Err(Invalid::TooManyFleetRows);
		}
		for row in &self.fleet {
			if row.model.is_empty() || row.units == 0 || row.hashrate_per_unit.is_zero() {
				return Err(Invalid::FleetRow);
			}
			if row.efficiency < min_efficiency {
				return Err(Invalid::ImplausibleEfficiency);
			}
		}
		let totals = fleet_totals(&self.fleet)?;
		if self.hashrate_capacity > totals.hashrate {
			return Err(Invalid::CapacityExceedsFleet);
		}
		let draw = physics::power_draw(self.hashrate_capacity, totals.efficiency)
			.ok_or(Invalid::Overflow)?;
		if draw > self.power_capacity {
			return Err(Invalid::InsufficientPowerCapacity);
		}
		Ok(totals)
	}
}

impl Profile {
	/// Checks the profile: a printable UTF-8 name; energy shares non-zero, one per source,
	/// adding up to 1000; a printable ASCII documents URI.
	pub fn validate(&self) -> Result<(), Invalid> {
		let name = core::str::from_utf8(&self.name).map_err(|_| Invalid::Name)?;
		if name.trim().is_empty() || name.chars().any(char::is_control) {
			return Err(Invalid::Name);
		}
		let mut total: u32 = 0;
		for (i, share) in self.energy_mix.iter().enumerate() {
			if share.per_mill == 0 || self.energy_mix[..i].iter().any(|s| s.source == share.source)
			{
				return Err(Invalid::EnergyShare);
			}
			total = total.saturating_add(u32::from(share.per_mill));
		}
		if total != u32::from(PER_MILL_WHOLE) {
			return Err(Invalid::EnergyMixNotWhole);
		}
		if !self.documents.uri.iter().all(|b| b.is_ascii_graphic()) {
			return Err(Invalid::DocumentsUri);
		}
		Ok(())
	}
}

/// A payout script governance approved: payouts to it, mined from `approved_at` on, are the
/// facility's (see [`hashrate_primitives::ScriptOwnership`]).
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct ApprovedScript {
	/// The output script.
	pub script: OutputScript,
	/// Its kind.
	pub kind: ScriptKind,
	/// Unix second of approval (0: at genesis).
	pub approved_at: u64,
	/// Whether the script's key signed the facility's ownership message
	/// ([`crate::Pallet::sign_payout_script`]).
	pub key_signed: bool,
}

/// A payout script the operator proposed, waiting for governance.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct ProposedScript {
	/// The output script, parsed from the address the operator gave.
	pub script: OutputScript,
	/// Its kind.
	pub kind: ScriptKind,
	/// Whether the script's key signed the facility's ownership message
	/// ([`crate::Pallet::sign_payout_script`]): shown to governance before it approves.
	pub key_signed: bool,
}

/// A facility's payout scripts: approved ones and proposals, at most [`MAX_PAYOUT_SCRIPTS`]
/// together.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct PayoutScriptSet {
	/// Approved by governance.
	pub approved: BoundedVec<ApprovedScript, ConstU32<MAX_PAYOUT_SCRIPTS>>,
	/// Waiting for governance.
	pub proposed: BoundedVec<ProposedScript, ConstU32<MAX_PAYOUT_SCRIPTS>>,
}

impl PayoutScriptSet {
	/// Approved and proposed scripts together.
	pub fn len(&self) -> usize {
		self.approved.len().saturating_add(self.proposed.len())
	}

	/// Whether there is none.
	pub fn is_empty(&self) -> bool {
		self.len() == 0
	}

	/// Whether `script` is approved or proposed here.
	pub fn contains(&self, script: &[u8]) -> bool {
		self.approved.iter().any(|a| a.script.as_slice() == script)
			|| self.proposed.iter().any(|p| p.script.as_slice() == script)
	}
}
