//! Genesis presets: `development` (one validator, Alice) and `local_testnet` (Alice and Bob).
//!
//! Both endow the well-known dev accounts (Alice .. Ferdie) with [`DEV_ENDOWMENT`] and the
//! treasury account with the existential deposit, and make Alice the sudo key. Validators
//! enter as session keys (account = its sr25519 dev key, Aura = the same key, GRANDPA = its
//! ed25519 dev key); the Aura and GRANDPA genesis authority lists stay empty (the session
//! pallet fills them). Sessions last an hour in `development` (one validator; with instant
//! sealing a session change costs an extra, empty block) and [`TESTNET_SESSION_LENGTH`]
//! blocks in `local_testnet`, so that a validator added there validates within two minutes.
//! `development` also registers and activates two demo facilities ([`demo_facilities`]) and
//! runs the oracle with 30-second periods, three feeders and three attestors ([`dev_oracle`]).

use crate::opaque::SessionKeys;
use crate::{
	configs::{
		assets::{PAYOUT_ASSET_DECIMALS, PAYOUT_ASSET_ID, PAYOUT_ASSET_MIN_BALANCE},
		monetary::TreasuryAccount,
	},
	AccountId, AssetsConfig, BalancesConfig, BtcRelayConfig, FacilitiesConfig,
	HashrateTokensConfig, PowOracleConfig, RealYieldConfig, RuntimeGenesisConfig, SessionConfig,
	SudoConfig, ValidatorSetConfig, EXISTENTIAL_DEPOSIT, UNIT,
};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use frame_support::{traits::ConstU32, BoundedVec};
use hashrate_primitives::{AddressNetwork, Efficiency, Hashrate, Power};
use pallet_facilities::{
	Documents, EnergyShare, EnergySource, FleetRow, GenesisFacility, Location, PoolAccount,
	Profile, SiteSpec,
};
use polkadot_sdk::*;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_core::H256;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// What each dev account starts with: one million tokens.
pub const DEV_ENDOWMENT: crate::Balance = 1_000_000 * UNIT;

/// Blocks per session of `local_testnet`: one minute, so that a validator added by
/// governance validates within two minutes.
pub const TESTNET_SESSION_LENGTH: crate::BlockNumber = crate::MINUTES;

/// A genesis config with the given validators (account, Aura key, GRANDPA key), endowed
/// accounts and sudo key. The validators enter as session keys: the session pallet makes
/// them the genesis Aura and GRANDPA authorities and the validator-set pallet's first set.
/// (One argument per pallet configured: a struct of them would only rename the arguments.)
#[allow(clippy::too_many_arguments)]
fn testnet_genesis(
	initial_authorities: Vec<(AccountId, AuraId, GrandpaId)>,
	session_length: Option<crate::BlockNumber>,
	endowed_accounts: Vec<AccountId>,
	root: AccountId,
	facilities: Vec<GenesisFacility<AccountId>>,
	oracle: PowOracleConfig,
	tokens: HashrateTokensConfig,
	real_yield: RealYieldConfig,
	btc_relay: BtcRelayConfig,
	mut payout_balances: Vec<(AccountId, crate::Balance)>,
) -> Value {
	// The token pallet's escrow and collateral accounts and the yield pallet's pot keep the
	// payout asset's minimum balance for good, so paying out of them (with `Preserve`)
	// never reaps them; the treasury holds it too, so protocol fees below the minimum can be
	// paid to it at once.
	payout_balances.extend(
		[
			pallet_hashrate_tokens::Pallet::<crate::Runtime>::escrow_account(),
			pallet_hashrate_tokens::Pallet::<crate::Runtime>::collateral_account(),
			pallet_real_yield::Pallet::<crate::Runtime>::pot_account(),
			TreasuryAccount::get(),
		]
		.map(|account| (account, PAYOUT_ASSET_MIN_BALANCE)),
	);
	let mut balances: Vec<(AccountId, crate::Balance)> =
		endowed_accounts.into_iter().map(|account| (account, DEV_ENDOWMENT)).collect();
	balances.push((TreasuryAccount::get(), EXISTENTIAL_DEPOSIT));

	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig { balances },
		session: SessionConfig {
			keys: initial_authorities
				.into_iter()
				.map(|(account, aura, grandpa)| {
					(account.clone(), account, SessionKeys { aura, grandpa })
				})
				.collect::<Vec<_>>(),
		},
		validator_set: ValidatorSetConfig { session_length },
		sudo: SudoConfig { key: Some(root.clone()) },
		// The BTC payout asset, issued by the sudo key: sufficient (holders need no native
		// balance to hold it), 8 decimals (1 unit = 1 sat).
		assets: AssetsConfig {
			assets: vec![(PAYOUT_ASSET_ID, root.clone(), true, PAYOUT_ASSET_MIN_BALANCE)],
			metadata: vec![(
				PAYOUT_ASSET_ID,
				b"Bitcoin (payout)".to_vec(),
				b"BTC".to_vec(),
				PAYOUT_ASSET_DECIMALS,
			)],
			accounts: payout_balances
				.into_iter()
				.map(|(who, sats)| (PAYOUT_ASSET_ID, who, sats))
				.collect::<Vec<_>>(),
			..Default::default()
		},
		facilities: FacilitiesConfig { facilities, bitcoin_network: AddressNetwork::Mainnet },
		pow_oracle: oracle,
		hashrate_tokens: tokens,
		real_yield,
		btc_relay,
	})
}

/// Account, Aura and GRANDPA keys of a well-known dev validator.
fn dev_authority(sr: Sr25519Keyring, ed: Ed25519Keyring) -> (AccountId, AuraId, GrandpaId) {
	(sr.to_account_id(), sr.public().into(), ed.public().into())
}

/// The well-known dev accounts that presets endow.
fn dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect()
}

/// `development`: Alice alone produces and finalizes blocks and holds the sudo key.
pub fn development_config_genesis() -> Value {
	testnet_genesis(
		vec![dev_authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		None,
		dev_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
		demo_facilities(),
		dev_oracle(),
		dev_tokens(),
		RealYieldConfig {
			rules: pallet_real_yield::YieldRules::development(),
			..Default::default()
		},
		dev_btc_relay(),
		dev_payout_balances(),
	)
}

/// `local_testnet`: Alice and Bob are validators; Alice holds the sudo key.
pub fn local_config_genesis() -> Value {
	testnet_genesis(
		vec![
			dev_authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			dev_authority(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
		],
		Some(TESTNET_SESSION_LENGTH),
		dev_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
		Vec::new(),
		PowOracleConfig::default(),
		HashrateTokensConfig::default(),
		RealYieldConfig::default(),
		dev_btc_relay(),
		Vec::new(),
	)
}

/// Development issuance rules for 30-second periods: the backing is the last final period
/// alone, 80 % of it tokenizable; collateral covers 2 periods of expected output; backing
/// may be 20 periods (10 minutes) old, since a period is final about 3 minutes after it
/// ends; a close that cannot mint is refused for 60 s.
pub fn dev_tokens() -> HashrateTokensConfig {
	HashrateTokensConfig {
		rules: pallet_hashrate_tokens::IssuanceRules {
			backing_periods: 1,
			max_tokenization: 800,
			collateral_periods: 2,
			max_backing_age: 20,
			close_grace: 60,
		},
		..Default::default()
	}
}

/// One bitcoin in sats.
const BTC: crate::Balance = 100_000_000;

/// Development payout-asset balances: the facility operators (Charlie, Dave) hold 10 BTC
/// each for collateral; Bob and Ferdie hold 1 BTC each to buy tokens.
pub fn dev_payout_balances() -> Vec<(AccountId, crate::Balance)> {
	vec![
		(Sr25519Keyring::Charlie.to_account_id(), 10 * BTC),
		(Sr25519Keyring::Dave.to_account_id(), 10 * BTC),
		(Sr25519Keyring::Bob.to_account_id(), BTC),
		(Sr25519Keyring::Ferdie.to_account_id(), BTC),
	]
}

/// Development oracle: 30-second periods with a 2-minute report window, a 30 s quorum
/// extension, a 12 s challenge window and a 1-minute resolution window; Alice, Bob and Charlie
/// feed network data (bounded by the late-2025 values of genesis); Alice//stash, Bob//stash and
/// Charlie//stash are the attestors (bonded).
pub fn dev_oracle() -> PowOracleConfig {
	PowOracleConfig {
		period_length: 30,
		timing: pallet_pow_oracle::Timing {
			report_window: 120,
			quorum_extension: 30,
			challenge_window: 12,
			resolution_window: 60,
		},
		feeders: vec![
			Sr25519Keyring::Alice.to_account_id(),
			Sr25519Keyring::Bob.to_account_id(),
			Sr25519Keyring::Charlie.to_account_id(),
		],
		attestors: vec![
			Sr25519Keyring::AliceStash.to_account_id(),
			Sr25519Keyring::BobStash.to_account_id(),
			Sr25519Keyring::CharlieStash.to_account_id(),
		],
		..Default::default()
	}
}

fn text<const N: u32>(text: &str) -> BoundedVec<u8, ConstU32<N>> {
	BoundedVec::truncate_from(text.as_bytes().to_vec())
}

fn fleet_row(model: &str, units: u32, ths: u128, milli_j_per_th: u32) -> FleetRow {
	FleetRow {
		model: text(model),
		units,
		hashrate_per_unit: Hashrate(ths * Hashrate::MILLI_PER_TH),
		efficiency: Efficiency(milli_j_per_th),
	}
}

/// Two demo facilities, registered and active, with nameplate data of late-2025 ASICs:
///
/// - facility 0, operated by Charlie, reporter key Eve: a hydro site in Vestland, Norway;
///   500 Antminer S21 Pro (234 TH/s, 15 J/TH) = 117 PH/s, declared 115 PH/s, which draw
///   1,725 kW of a 2,000 kW connection; deposit 1,000 + 11,500 HASH.
/// - facility 1, operated by Dave, reporter key Ferdie: a flare-gas site in the Permian
///   basin, Texas; 1,000 Whatsminer M60S (170 TH/s, 18.5 J/TH) and 300 Antminer S19 XP
///   (140 TH/s, 21.5 J/TH) = 212 PH/s at 19.1 J/TH, declared 210 PH/s on 4,500 kW;
///   deposit 1,000 + 21,000 HASH.
pub fn demo_facilities() -> Vec<GenesisFacility<AccountId>> {
	vec![
		GenesisFacility {
			operator: Sr25519Keyring::Charlie.to_account_id(),
			site: SiteSpec {
				location: Location { country: *b"NO", region: Some(text("46")) },
				power_capacity: Power(2_000),
				hashrate_capacity: Hashrate(115_000 * Hashrate::MILLI_PER_TH),
				fleet: BoundedVec::truncate_from(vec![fleet_row(
					"Antminer S21 Pro",
					500,
					234,
					15_000,
				)]),
			},
			profile: Profile {
				name: text("Nordic Hydro Hashing"),
				energy_mix: BoundedVec::truncate_from(vec![
					EnergyShare { source: EnergySource::Hydro, per_mill: 950 },
					EnergyShare { source: EnergySource::Wind, per_mill: 50 },
				]),
				pool: PoolAccount { pool: text("Foundry USA"), worker: text("nordichydro.001") },
				documents: Documents {
					hash: H256::repeat_byte(0x11),
					uri: text("ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"),
				},
			},
			reporters: vec![Sr25519Keyring::Eve.to_account_id()],
			payout_addresses: vec![text("bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh")],
			active: true,
		},
		GenesisFacility {
			operator: Sr25519Keyring::Dave.to_account_id(),
			site: SiteSpec {
				location: Location { country: *b"US", region: Some(text("TX")) },
				power_capacity: Power(4_500),
				hashrate_capacity: Hashrate(210_000 * Hashrate::MILLI_PER_TH),
				fleet: BoundedVec::truncate_from(vec![
					fleet_row("Whatsminer M60S", 1_000, 170, 18_500),
					fleet_row("Antminer S19 XP", 300, 140, 21_500),
				]),
			},
			profile: Profile {
				name: text("Permian Flare Gas Mining"),
				energy_mix: BoundedVec::truncate_from(vec![
					EnergyShare { source: EnergySource::FlareGas, per_mill: 700 },
					EnergyShare { source: EnergySource::Grid, per_mill: 300 },
				]),
				pool: PoolAccount { pool: text("Luxor"), worker: text("permianflare") },
				documents: Documents {
					hash: H256::repeat_byte(0x22),
					uri: text("https://permianflare.example/audit-2025.pdf"),
				},
			},
			reporters: vec![Sr25519Keyring::Ferdie.to_account_id()],
			payout_addresses: vec![
				text("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
				text("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"),
			],
			active: true,
		},
	]
}

/// The JSON patch of a named preset, or `None` for an unknown name.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		_ => return None,
	};
	Some(
		serde_json::to_string(&patch)
			.expect("serialization to json is expected to work. qed.")
			.into_bytes(),
	)
}

/// The names of the presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}

/// The relay of the presets: Bitcoin mainnet from block 822,538 (2023-12-23), so the real
/// headers after it verify (the e2e tests relay them).
///
/// Taken from the real header data (`testdata/bitcoin/mainnet-headers-822528-830592.bin`,
/// headers 822,528 ..= 822,538): block 822,538 has hash (display order)
/// `00000000000000000001716eed87cd6b23ed089a497b1c48960b051fc45d48dc`; its epoch began at
/// 822,528 (time 1,703,311,464).
pub fn dev_btc_relay() -> BtcRelayConfig {
	const HEADER_822538: &str = "0000dd29b6c2c0d537c43692d0532fb42d29073c0771d3230b5001000000000000000000fb0e1be5029157cc4437b91ab57c0d09b8a2d3e2fad07774b6439576fcd9bac551898665b3e80317c6d13000";
	let header = (0..HEADER_822538.len())
		.step_by(2)
		.filter_map(|i| u8::from_str_radix(&HEADER_822538[i..i + 2], 16).ok())
		.collect();
	BtcRelayConfig {
		network: Some(pallet_btc_relay::bitcoin::Network::Mainnet),
		checkpoint: Some(pallet_btc_relay::Checkpoint {
			header,
			height: 822_538,
			epoch_start_time: 1_703_311_464,
			times: vec![
				1_703_311_464,
				1_703_311_973,
				1_703_312_358,
				1_703_312_375,
				1_703_313_480,
				1_703_313_872,
				1_703_313_940,
				1_703_314_198,
				1_703_315_323,
				1_703_315_369,
				1_703_315_793,
			],
		}),
		..Default::default()
	}
}
