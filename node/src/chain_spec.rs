//! Chain specifications: the built-in `dev` and `local` chains, or a JSON file.

use hashrate_runtime::WASM_BINARY;
use polkadot_sdk::{sc_service, sp_genesis_builder};

/// The chain specification of this node's runtime.
pub type ChainSpec = sc_service::GenericChainSpec;

/// Chain properties that wallets read: token symbol and decimals, address format.
fn properties() -> sc_service::Properties {
	let mut properties = sc_service::Properties::new();
	properties.insert("tokenSymbol".into(), hashrate_runtime::TOKEN_SYMBOL.into());
	properties.insert("tokenDecimals".into(), hashrate_runtime::TOKEN_DECIMALS.into());
	properties.insert("ss58Format".into(), hashrate_runtime::SS58_PREFIX.into());
	properties
}

/// The network protocol id of the built-in chains (without one, nodes use Substrate's "sup"
/// and warn about it at every start).
const PROTOCOL_ID: &str = "hashrate";

fn wasm_binary() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| "the runtime wasm binary is not available: build with the wasm builder enabled (unset SKIP_WASM_BUILD)".to_string())
}

/// `--dev`: one validator (Alice), Alice is sudo, the dev accounts are funded.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("Hashrate Development")
		.with_id("hashrate_dev")
		.with_protocol_id(PROTOCOL_ID)
		.with_chain_type(sc_service::ChainType::Development)
		.with_genesis_config_preset_name(sp_genesis_builder::DEV_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// `--chain local`: Alice and Bob are validators.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("Hashrate Local Testnet")
		.with_id("hashrate_local_testnet")
		.with_protocol_id(PROTOCOL_ID)
		.with_chain_type(sc_service::ChainType::Local)
		.with_genesis_config_preset_name(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}
