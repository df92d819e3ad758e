//! Runtime tests: genesis presets, fee split, the runtime's weights.

use crate::{
	configs::monetary::{DealWithFees, TreasuryAccount},
	genesis_config_presets::{self, DEV_ENDOWMENT},
	*,
};
use codec::Encode;
use frame_support::{
	genesis_builder_helper::build_state,
	traits::{
		fungible::{Balanced, Inspect},
		OnUnbalanced,
	},
	weights::constants::WEIGHT_REF_TIME_PER_MILLIS,
};
use proptest::prelude::*;
use serde_json::Value;
use sp_consensus_aura::{Slot, AURA_ENGINE_ID};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{Digest, DigestItem};

/// Applies a JSON patch the way chain specs do: objects merge key by key, anything else
/// replaces.
fn merge(base: &mut Value, patch: Value) {
	match (base, patch) {
		(Value::Object(base), Value::Object(patch)) => {
			for (key, value) in patch {
				merge(base.entry(key).or_insert(Value::Null), value);
			}
		},
		(base, patch) => *base = patch,
	}
}

/// Externalities with the genesis state of a preset (its patch over the default config).
fn preset_ext(preset: &str) -> sp_io::TestExternalities {
	let patch = genesis_config_presets::get_preset(&preset.into()).expect("preset exists");
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("serializes");
	merge(&mut config, serde_json::from_slice(&patch).expect("preset is JSON"));
	let json = serde_json::to_vec(&config).expect("serializes");
	let mut ext = sp_io::TestExternalities::default();
	ext.execute_with(|| build_state::<RuntimeGenesisConfig>(json).expect("preset builds"));
	ext
}

/// Starts block 1 with an Aura pre-digest for `slot`, so the slot's authority is its author.
fn start_block_authored_at(slot: u64) {
	let digest =
		Digest { logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, Slot::from(slot).encode())] };
	System::initialize(&1, &Default::default(), &digest);
}

fn free(who: &AccountId) -> Balance {
	Balances::balance(who)
}

#[test]
fn development_preset_has_alice_as_validator_and_sudo_and_funds_dev_accounts() {
	preset_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let alice = Sr25519Keyring::Alice.to_account_id();
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 1);
		assert_eq!(pallet_grandpa::Authorities::<Runtime>::get().len(), 1);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(alice.clone()));
		for keyring in Sr25519Keyring::well_known() {
			let who = keyring.to_account_id();
			assert_eq!(Balances::total_balance(&who), DEV_ENDOWMENT, "{keyring:?}");
		}
		assert_eq!(free(&TreasuryAccount::get()), EXISTENTIAL_DEPOSIT);
	});
}

#[test]
fn every_preset_has_the_btc_payout_asset() {
	use configs::assets::{PAYOUT_ASSET_ID, PAYOUT_ASSET_MIN_BALANCE};
	use frame_support::traits::fungibles::{metadata::Inspect as _, Inspect as _};
	for preset in
		[sp_genesis_builder::DEV_RUNTIME_PRESET, sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET]
	{
		preset_ext(preset).execute_with(|| {
			assert!(Assets::asset_exists(PAYOUT_ASSET_ID));
			assert_eq!(Assets::minimum_balance(PAYOUT_ASSET_ID), PAYOUT_ASSET_MIN_BALANCE);
			assert_eq!(Assets::decimals(PAYOUT_ASSET_ID), 8);
			assert_eq!(Assets::symbol(PAYOUT_ASSET_ID), b"BTC".to_vec());
			let details = pallet_assets::Asset::<Runtime>::get(PAYOUT_ASSET_ID).unwrap();
			assert!(details.is_sufficient);
			assert_eq!(details.issuer, Sr25519Keyring::Alice.to_account_id());
		});
	}
	preset_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let charlie = Sr25519Keyring::Charlie.to_account_id();
		assert_eq!(Assets::balance(PAYOUT_ASSET_ID, &charlie), 1_000_000_000);
		// 22 BTC for the dev accounts, the minimum balance for the token pallet's two
		// accounts, the yield pallet's pot and the treasury.
		assert_eq!(Assets::total_issuance(PAYOUT_ASSET_ID), 2_200_004_000);
	});
}

#[test]
fn development_preset_runs_the_oracle_with_short_periods() {
	use frame_support::traits::fungible::InspectHold;
	use hashrate_primitives::PeriodIndex;
	preset_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(PowOracle::period_bounds(PeriodIndex(10)), Some((300, 330)));
		assert_eq!(pallet_pow_oracle::Timings::<Runtime>::get().report_window, 120);
		assert_eq!(pallet_pow_oracle::Feeders::<Runtime>::get().len(), 3);
		let attestors = pallet_pow_oracle::Attestors::<Runtime>::get();
		assert_eq!(attestors.len(), 3);
		for attestor in attestors {
			assert_eq!(
				Balances::balance_on_hold(
					&pallet_pow_oracle::HoldReason::AttestorBond.into(),
					&attestor
				),
				configs::oracle::ATTESTOR_BOND
			);
		}
		pallet_pow_oracle::Pallet::<Runtime>::do_try_state().expect("consistent");
	});
	// Other chains number UTC days.
	preset_ext(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		use hashrate_primitives::PeriodIndex;
		assert_eq!(
			PowOracle::period_bounds(PeriodIndex(20_417)),
			Some((20_417 * 86_400, 20_418 * 86_400))
		);
	});
}

#[test]
fn development_preset_registers_two_active_demo_facilities() {
	use hashrate_primitives::{FacilityId, FacilityInspect, FacilityStatus, Hashrate};
	use pallet_facilities::HoldReason;
	preset_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let (charlie, dave) =
			(Sr25519Keyring::Charlie.to_account_id(), Sr25519Keyring::Dave.to_account_id());
		let (nordic, permian) = (FacilityId(0), FacilityId(1));
		for (facility, operator, reporter, ths) in [
			(nordic, &charlie, Sr25519Keyring::Eve.to_account_id(), 115_000u128),
			(permian, &dave, Sr25519Keyring::Ferdie.to_account_id(), 210_000),
		] {
			assert_eq!(Facilities::status(facility), Some(FacilityStatus::Active));
			assert_eq!(Facilities::operator(facility).as_ref(), Some(operator));
			assert!(Facilities::is_reporter(facility, &reporter));
			assert_eq!(Facilities::hashrate_capacity(facility), Hashrate::from_ths(ths));
			let deposit = configs::facilities::FACILITY_DEPOSIT_BASE
				+ configs::facilities::FACILITY_DEPOSIT_PER_TERAHASH * ths;
			assert_eq!(Facilities::deposit(facility), Some(deposit));
			use frame_support::traits::fungible::InspectHold;
			assert_eq!(
				Balances::balance_on_hold(&HoldReason::FacilityDeposit.into(), operator),
				deposit
			);
		}
		// 1,000 x 170 TH/s at 18.5 J/TH + 300 x 140 TH/s at 21.5 J/TH: 19.095 J/TH (rounded up).
		assert_eq!(Facilities::fleet_efficiency(permian).map(|e| e.get()), Some(19_095));
		pallet_facilities::Pallet::<Runtime>::do_try_state().expect("preset state is consistent");
	});
}

#[test]
fn local_testnet_preset_has_alice_and_bob_as_validators() {
	preset_ext(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let aura: Vec<_> = pallet_aura::Authorities::<Runtime>::get().into_inner();
		let expected: Vec<sp_consensus_aura::sr25519::AuthorityId> =
			vec![Sr25519Keyring::Alice.public().into(), Sr25519Keyring::Bob.public().into()];
		assert_eq!(aura, expected);
		assert_eq!(pallet_grandpa::Authorities::<Runtime>::get().len(), 2);
	});
}

#[test]
fn presets_derive_the_validator_set_from_session_keys() {
	for (preset, validators, session_length) in [
		(sp_genesis_builder::DEV_RUNTIME_PRESET, vec![Sr25519Keyring::Alice], HOURS),
		(
			sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET,
			vec![Sr25519Keyring::Alice, Sr25519Keyring::Bob],
			genesis_config_presets::TESTNET_SESSION_LENGTH,
		),
	] {
		// The presets list no Aura or GRANDPA authorities of their own: session keys only.
		let patch: Value = serde_json::from_slice(
			&genesis_config_presets::get_preset(&preset.into()).expect("preset"),
		)
		.expect("JSON");
		assert!(patch.get("aura").is_none() && patch.get("grandpa").is_none(), "{preset}");
		assert_eq!(patch["session"]["keys"].as_array().map(Vec::len), Some(validators.len()));
		preset_ext(preset).execute_with(|| {
			let accounts: Vec<AccountId> = validators.iter().map(|k| k.to_account_id()).collect();
			assert_eq!(pallet_validator_set::Validators::<Runtime>::get().into_inner(), accounts);
			assert_eq!(pallet_session::Validators::<Runtime>::get(), accounts);
			let aura: Vec<sp_consensus_aura::sr25519::AuthorityId> =
				validators.iter().map(|k| k.public().into()).collect();
			assert_eq!(pallet_aura::Authorities::<Runtime>::get().into_inner(), aura);
			assert_eq!(ValidatorSet::session_length(), session_length);
			ValidatorSet::do_try_state().expect("consistent");
		});
	}
}

#[test]
fn a_network_tool_writing_session_keys_gets_exactly_its_nodes_as_validators() {
	// What zombienet does to the local preset: its own nodes' keys (stash accounts, with
	// keys of every kind it knows, most unknown to this runtime) replace the preset's.
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("serializes");
	let patch = genesis_config_presets::get_preset(&"local_testnet".into()).expect("preset");
	merge(&mut config, serde_json::from_slice(&patch).expect("JSON"));
	let nodes = [
		(Sr25519Keyring::AliceStash, Sr25519Keyring::Alice, sp_keyring::Ed25519Keyring::Alice),
		(Sr25519Keyring::BobStash, Sr25519Keyring::Bob, sp_keyring::Ed25519Keyring::Bob),
		(
			Sr25519Keyring::CharlieStash,
			Sr25519Keyring::Charlie,
			sp_keyring::Ed25519Keyring::Charlie,
		),
		(Sr25519Keyring::DaveStash, Sr25519Keyring::Dave, sp_keyring::Ed25519Keyring::Dave),
	];
	let ss58 = |public: [u8; 32]| {
		use sp_core::crypto::Ss58Codec;
		sp_core::sr25519::Public::from_raw(public).to_ss58check()
	};
	config["session"]["keys"] = Value::Array(
		nodes
			.iter()
			.map(|(stash, sr, ed)| {
				serde_json::json!([
					stash.to_account_id().to_string(),
					stash.to_account_id().to_string(),
					{
						"grandpa": sp_core::ed25519::Public::from(ed.public()).to_string(),
						"babe": ss58(sr.public().0),
						"im_online": ss58(sr.public().0),
						"aura": ss58(sr.public().0),
						"beefy": "KW39r9CJjAVzmkf9zQ4YDb2hqfAVGdRqn53eRqyruqpxAP5YL",
					}
				])
			})
			.collect(),
	);
	let json = serde_json::to_vec(&config).expect("serializes");
	let mut ext = sp_io::TestExternalities::default();
	ext.execute_with(|| build_state::<RuntimeGenesisConfig>(json).expect("genesis builds"));
	ext.execute_with(|| {
		let stashes: Vec<AccountId> = nodes.iter().map(|n| n.0.to_account_id()).collect();
		assert_eq!(pallet_validator_set::Validators::<Runtime>::get().into_inner(), stashes);
		let aura: Vec<sp_consensus_aura::sr25519::AuthorityId> =
			nodes.iter().map(|n| n.1.public().into()).collect();
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().into_inner(), aura);
		let grandpa: Vec<_> = pallet_grandpa::Authorities::<Runtime>::get().into_iter().collect();
		let expected: Vec<(sp_consensus_grandpa::AuthorityId, u64)> =
			nodes.iter().map(|n| (n.2.public().into(), 1)).collect();
		assert_eq!(grandpa, expected);
	});
}

#[test]
fn the_block_author_is_the_validator_account_of_the_slot() {
	preset_ext(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		// Two validators: even slots are Alice's, odd slots Bob's.
		start_block_authored_at(1_000_001);
		assert_eq!(Authorship::author(), Some(Sr25519Keyring::Bob.to_account_id()));
	});
}

#[test]
fn unknown_preset_is_none() {
	assert!(genesis_config_presets::get_preset(&"mainnet".into()).is_none());
	assert_eq!(genesis_config_presets::preset_names().len(), 2);
}

#[test]
fn block_author_is_the_aura_slot_authority() {
	preset_ext(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		start_block_authored_at(7); // slot 7 of 2 authorities: Bob
		assert_eq!(Authorship::author(), Some(Sr25519Keyring::Bob.to_account_id()));
	});
}

#[test]
fn fees_split_half_to_author_half_to_treasury_and_tips_to_author() {
	preset_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		start_block_authored_at(1);
		let alice = Sr25519Keyring::Alice.to_account_id();
		let treasury = TreasuryAccount::get();
		let (alice_before, treasury_before) = (free(&alice), free(&treasury));
		let issuance_before = Balances::total_issuance();

		let fee = Balances::issue(1_001 * MICRO_UNIT);
		let tip = Balances::issue(7 * MICRO_UNIT);
		DealWithFees::on_unbalanceds([fee, tip].into_iter());

		assert_eq!(free(&alice) - alice_before, 500_500_000 + 7 * MICRO_UNIT);
		assert_eq!(free(&treasury) - treasury_before, 500_500_000);
		// Nothing created or destroyed beyond what was issued.
		assert_eq!(Balances::total_issuance(), issuance_before + 1_008 * MICRO_UNIT);
	});
}

#[test]
fn author_share_is_burned_when_no_author_is_known() {
	preset_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		// No Aura pre-digest: no author.
		System::initialize(&1, &Default::default(), &Default::default());
		assert_eq!(Authorship::author(), None);
		let treasury = TreasuryAccount::get();
		let treasury_before = free(&treasury);
		let issuance_before = Balances::total_issuance();

		let fee = Balances::issue(1_000 * MICRO_UNIT);
		DealWithFees::on_unbalanceds([fee].into_iter());

		assert_eq!(free(&treasury) - treasury_before, 500 * MICRO_UNIT);
		assert_eq!(Balances::total_issuance(), issuance_before + 500 * MICRO_UNIT);
	});
}

#[test]
fn weights_are_the_ones_measured_for_this_runtime() {
	use frame_support::dispatch::DispatchClass;
	let db = <Runtime as frame_system::Config>::DbWeight::get();
	assert_eq!(db, weights::paritydb_weights::constants::ParityDbWeight::get());
	let block = <Runtime as frame_system::Config>::BlockWeights::get();
	// The measured empty block, plus the fee recipients' accounts (read and written once).
	assert_eq!(
		block.base_block,
		weights::block_weights::BlockExecutionWeight::get()
			.saturating_add(db.reads_writes(2, 2).set_proof_size(0))
	);
	for class in [DispatchClass::Normal, DispatchClass::Operational, DispatchClass::Mandatory] {
		assert_eq!(
			block.get(class).base_extrinsic,
			weights::extrinsic_weights::ExtrinsicBaseWeight::get()
		);
	}
	// Normal transactions fill 75 % of 2 s; operational ones may use the rest.
	let normal = block.get(DispatchClass::Normal).max_total.expect("a normal maximum");
	assert_eq!(normal.ref_time(), 1_500 * WEIGHT_REF_TIME_PER_MILLIS);
	assert_eq!(block.max_block.ref_time(), 2_000 * WEIGHT_REF_TIME_PER_MILLIS);
}

#[test]
fn version_and_properties() {
	assert_eq!(VERSION.spec_name, "hashrate");
	assert_eq!(<Runtime as frame_system::Config>::SS58Prefix::get(), 2140);
	assert_eq!(TOKEN_DECIMALS, 12);
	assert_eq!(UNIT, 10u128.pow(TOKEN_DECIMALS as u32));
}

proptest! {
	/// Fee and tip are paid out in full, never created or lost: the author gets
	/// floor(fee / 2) + tip, the treasury the rest of the fee.
	#[test]
	fn fee_split_conserves_value(fee in 0u128..1_000_000 * UNIT, tip in 0u128..1_000 * UNIT) {
		preset_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
			start_block_authored_at(1);
			let alice = Sr25519Keyring::Alice.to_account_id();
			let treasury = TreasuryAccount::get();
			let (alice_before, treasury_before) = (free(&alice), free(&treasury));
			let issuance_before = Balances::total_issuance();

			DealWithFees::on_unbalanceds([Balances::issue(fee), Balances::issue(tip)].into_iter());

			let to_author = free(&alice) - alice_before;
			let to_treasury = free(&treasury) - treasury_before;
			prop_assert_eq!(to_author, fee / 2 + tip);
			prop_assert_eq!(to_treasury, fee - fee / 2);
			prop_assert_eq!(Balances::total_issuance(), issuance_before + fee + tip);
			Ok(())
		})?;
	}
}

#[test]
fn every_preset_seeds_the_token_accounts_and_sets_issuance_rules() {
	use configs::assets::{PAYOUT_ASSET_ID, PAYOUT_ASSET_MIN_BALANCE};
	type Tokens = pallet_hashrate_tokens::Pallet<Runtime>;
	for (preset, backing_periods) in [
		(sp_genesis_builder::DEV_RUNTIME_PRESET, 1),
		(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET, 30),
	] {
		preset_ext(preset).execute_with(|| {
			for account in [Tokens::escrow_account(), Tokens::collateral_account()] {
				assert_eq!(Assets::balance(PAYOUT_ASSET_ID, &account), PAYOUT_ASSET_MIN_BALANCE);
			}
			assert_eq!(
				pallet_hashrate_tokens::Rules::<Runtime>::get().backing_periods,
				backing_periods
			);
			Tokens::do_try_state().expect("consistent");
		});
	}
}

#[test]
fn every_preset_seeds_the_yield_pot_and_the_treasury_and_sets_payment_rules() {
	use configs::assets::{PAYOUT_ASSET_ID, PAYOUT_ASSET_MIN_BALANCE};
	type RealYield = pallet_real_yield::Pallet<Runtime>;
	for (preset, window) in [
		(sp_genesis_builder::DEV_RUNTIME_PRESET, 60),
		(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET, 7 * 86_400),
	] {
		preset_ext(preset).execute_with(|| {
			for account in [RealYield::pot_account(), TreasuryAccount::get()] {
				assert_eq!(Assets::balance(PAYOUT_ASSET_ID, &account), PAYOUT_ASSET_MIN_BALANCE);
			}
			assert_eq!(pallet_real_yield::Rules::<Runtime>::get().payment_window, window);
			RealYield::do_try_state().expect("consistent");
		});
	}
}
