//! Accounts as RPC parameters: checked for length before they are decoded, and accepted in
//! this chain's address format (SS58 prefix 2140) and the generic Substrate one (42).
//!
//! Decoding base58 takes time quadratic in the text's length, so an "address" of a megabyte
//! held an RPC thread for minutes. [`AccountParam`] refuses any text longer than an SS58
//! address of a 32-byte account can be ([`MAX_ADDRESS_LEN`]) before decoding it; every
//! method that takes an account (`system_accountNextIndex` / `account_nextIndex`,
//! `hashrate_pendingYield`) takes it as an [`AccountParam`]. A refused parameter is a
//! JSON-RPC "Invalid params" error (-32602) that says why.

use hashrate_runtime::{AccountId, SS58_PREFIX};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use polkadot_sdk::{
	sp_core::crypto::{Ss58AddressFormatRegistry, Ss58Codec},
	substrate_frame_rpc_system::SystemApiServer,
};
use serde::{Deserialize, Deserializer};
use std::marker::PhantomData;

/// The longest SS58 address of a 32-byte account: 2 prefix bytes + 32 + 2 checksum bytes =
/// 36 bytes whose first byte is below `0x80`, a number below `2^287 < 58^49`. (One-byte
/// prefixes are below 64: 35 bytes, at most 48 characters.)
pub const MAX_ADDRESS_LEN: usize = 49;

/// The generic Substrate address format, which wallets show for any chain.
pub const GENERIC_FORMAT: u16 = 42;

/// An account given to an RPC method as an SS58 address of this chain's format or the
/// generic one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountParam(pub AccountId);

impl<'de> Deserialize<'de> for AccountParam {
	fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
		// Copying the text is linear; decoding it is what must wait for the length check.
		let text = String::deserialize(deserializer)?;
		parse_account(&text).map(AccountParam).map_err(serde::de::Error::custom)
	}
}

/// `text` as an account: at most [`MAX_ADDRESS_LEN`] characters, valid SS58, in this chain's
/// format or the generic one.
pub fn parse_account(text: &str) -> Result<AccountId, String> {
	if text.len() > MAX_ADDRESS_LEN {
		return Err(format!(
			"not an address: {} characters, an address has at most {MAX_ADDRESS_LEN}",
			text.len()
		));
	}
	let (account, format) = AccountId::from_ss58check_with_version(text)
		.map_err(|e| format!("not an address ({e}): `{text}`"))?;
	let prefix = format.prefix();
	if prefix == SS58_PREFIX || prefix == GENERIC_FORMAT {
		return Ok(account);
	}
	let network = match Ss58AddressFormatRegistry::try_from(format) {
		Ok(registered) => format!("`{registered}`'s format {prefix}"),
		Err(_) => format!("unknown format {prefix}"),
	};
	Err(format!(
		"address `{text}` is in {network}; this chain takes its own format {SS58_PREFIX} or \
		 the generic {GENERIC_FORMAT}"
	))
}

/// `system_accountNextIndex` (alias `account_nextIndex`) with the account checked first;
/// replaces `substrate-frame-rpc-system`'s method of the same name, which it calls.
#[rpc(server)]
pub trait CheckedNonceApi<Nonce> {
	/// The next nonce of `account`: its state nonce, past the transactions of it that are in
	/// the pool.
	#[method(name = "system_accountNextIndex", aliases = ["account_nextIndex"])]
	async fn nonce(&self, account: AccountParam) -> RpcResult<Nonce>;
}

/// [`CheckedNonceApi`] over `S`, `substrate-frame-rpc-system`'s `System` RPC.
pub struct CheckedNonce<S, BlockHash> {
	system: S,
	_block_hash: PhantomData<fn() -> BlockHash>,
}

impl<S, BlockHash> CheckedNonce<S, BlockHash> {
	/// Checks accounts, then asks `system`.
	pub fn new(system: S) -> Self {
		Self { system, _block_hash: PhantomData }
	}
}

#[jsonrpsee::core::async_trait]
impl<S, BlockHash, Nonce> CheckedNonceApiServer<Nonce> for CheckedNonce<S, BlockHash>
where
	S: SystemApiServer<BlockHash, AccountId, Nonce>,
	BlockHash: Send + Sync + 'static,
	Nonce: Clone + serde::Serialize + Send + Sync + 'static,
{
	async fn nonce(&self, account: AccountParam) -> RpcResult<Nonce> {
		SystemApiServer::nonce(&self.system, account.0).await
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use polkadot_sdk::sp_core::crypto::{AccountId32, Ss58AddressFormat};

	fn address(account: [u8; 32], prefix: u16) -> String {
		AccountId32::from(account).to_ss58check_with_version(Ss58AddressFormat::custom(prefix))
	}

	#[test]
	fn no_address_is_longer_than_the_limit() {
		for prefix in [0, 2, 42, 63, 64, SS58_PREFIX, 16_383] {
			for account in [[0u8; 32], [0xff; 32], [0x7f; 32]] {
				let text = address(account, prefix);
				assert!(text.len() <= MAX_ADDRESS_LEN, "{prefix}: {text} ({})", text.len());
			}
		}
		// The limit is tight: the largest two-byte-prefix address reaches it.
		assert_eq!(address([0xff; 32], 16_383).len(), MAX_ADDRESS_LEN);
	}

	#[test]
	fn this_chains_and_the_generic_format_are_accepted() {
		let account = [7u8; 32];
		for prefix in [SS58_PREFIX, GENERIC_FORMAT] {
			assert_eq!(parse_account(&address(account, prefix)), Ok(AccountId32::from(account)));
		}
		// Alice in the chain's own format, as the README shows her.
		let alice = "fLBPn6ke7jwtrFSe1oZpc1heARXFxjykZ9QHJk7MwQYHpQvFM";
		assert_eq!(
			parse_account(alice),
			parse_account("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY")
		);
	}

	#[test]
	fn other_formats_are_refused_by_name() {
		let unknown = parse_account(&address([7; 32], 2141)).unwrap_err();
		assert!(unknown.contains("unknown format 2141"), "{unknown}");
		let polkadot = parse_account(&address([7; 32], 0)).unwrap_err();
		assert!(polkadot.contains("polkadot") && polkadot.contains("format 0"), "{polkadot}");
	}

	#[test]
	fn long_text_is_refused_before_decoding() {
		let long = "1".repeat(1 << 20);
		let error = parse_account(&long).unwrap_err();
		assert!(error.contains("1048576 characters"), "{error}");
		let error = parse_account(&"x".repeat(MAX_ADDRESS_LEN + 1)).unwrap_err();
		assert!(error.contains("at most 49"), "{error}");
		assert!(parse_account("not an account").unwrap_err().starts_with("not an address"));
	}

	#[test]
	fn json_parameters_are_checked() {
		let alice = "\"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY\"";
		assert!(serde_json::from_str::<AccountParam>(alice).is_ok());
		let long = format!("\"{}\"", "a".repeat(100_000));
		let error = serde_json::from_str::<AccountParam>(&long).unwrap_err().to_string();
		assert!(error.contains("100000 characters"), "{error}");
		assert!(serde_json::from_str::<AccountParam>("42").is_err());
	}
}
