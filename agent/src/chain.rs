//! The chain as the agent sees it: reads at the latest finalized block (storage, view
//! functions), a dry run of a signed transaction, and submission — all through subxt's dynamic
//! API and the node's metadata, so the agent builds without the runtime.

use std::time::Duration;
use subxt::{
	client::{ClientAtBlock, OnlineClientAtBlockImpl},
	config::{DefaultExtrinsicParamsBuilder, RpcConfigFor},
	dynamic::{self, At as _, Value},
	ext::{
		codec::{Compact, Decode, Encode},
		scale_decode::DecodeAsType,
		scale_value::{Composite, ValueDef},
	},
	rpcs::{methods::LegacyRpcMethods, RpcClient},
	utils::AccountId32,
	OnlineClient, PolkadotConfig,
};
use subxt_signer::sr25519::Keypair;

/// This chain signs and addresses like Polkadot (`MultiAddress<AccountId32, ()>`,
/// `MultiSignature`, BLAKE2-256, u32 block numbers).
pub type Config = PolkadotConfig;
/// A connected client.
pub type Client = OnlineClient<Config>;
/// A client at one block.
pub type AtBlock = ClientAtBlock<Config, OnlineClientAtBlockImpl<Config>>;

/// The longest a single RPC request or a wait for finality may take.
pub const RPC_TIMEOUT: Duration = Duration::from_secs(60);

/// Why talking to the chain failed (the node, the connection, or an answer the agent cannot
/// read). Distinct from a transaction the chain refuses, which is a [`Refusal`].
#[derive(Debug)]
pub struct ChainError(pub String);

impl std::fmt::Display for ChainError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.write_str(&self.0)
	}
}

fn chain_error(what: &str, error: impl std::fmt::Display) -> ChainError {
	ChainError(format!("{what}: {error}"))
}

/// Awaits `future` for at most [`RPC_TIMEOUT`].
async fn timed<T, E: std::fmt::Display>(
	what: &str,
	future: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, ChainError> {
	match tokio::time::timeout(RPC_TIMEOUT, future).await {
		Ok(result) => result.map_err(|e| chain_error(what, e)),
		Err(_) => Err(ChainError(format!("{what}: no answer within {RPC_TIMEOUT:?}"))),
	}
}

/// A transaction the chain would refuse or did refuse: the error's name as the runtime
/// declares it (`PowOracle::WindowClosed`) or the pool's reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

/// A connection to a node.
pub struct Chain {
	client: Client,
	rpc: LegacyRpcMethods<RpcConfigFor<Config>>,
}

impl Chain {
	/// Connects to the node at `url` (`ws://` or `wss://`).
	pub async fn connect(url: &str) -> Result<Self, ChainError> {
		let what = format!("connecting to {url}");
		let rpc_client = if url.starts_with("wss://") {
			timed(&what, RpcClient::from_url(url)).await?
		} else {
			timed(&what, RpcClient::from_insecure_url(url)).await?
		};
		let client = timed(&what, Client::from_rpc_client(rpc_client.clone())).await?;
		Ok(Self { client, rpc: LegacyRpcMethods::new(rpc_client) })
	}

	/// The latest finalized block.
	pub async fn finalized(&self) -> Result<AtBlock, ChainError> {
		timed("reading the finalized block", self.client.at_current_block()).await
	}

	/// The finalized heads as the node announces them (only their arrival matters).
	pub async fn finalized_heads(
		&self,
	) -> Result<impl futures::Stream<Item = Result<(), String>> + Unpin, ChainError> {
		use futures::StreamExt;
		let heads =
			timed("subscribing to finalized heads", self.rpc.chain_subscribe_finalized_heads())
				.await?;
		Ok(Box::pin(heads.map(|head| head.map(|_| ()).map_err(|e| e.to_string()))))
	}

	/// The account's next nonce counting its transactions in the pool and in blocks not yet
	/// finalized (`system_accountNextIndex`).
	pub async fn next_index(&self, account: &AccountId32) -> Result<u64, ChainError> {
		timed("system_accountNextIndex", self.rpc.system_account_next_index(account)).await
	}
}

/// Unix seconds of `at` (`Timestamp.Now`).
pub async fn now(at: &AtBlock) -> Result<u64, ChainError> {
	let address = dynamic::storage::<(), u64>("Timestamp", "Now");
	let millis = timed("reading Timestamp.Now", at.storage().fetch(address, ())).await?;
	let millis: u64 = millis.decode().map_err(|e| chain_error("decoding Timestamp.Now", e))?;
	Ok(millis / 1_000)
}

/// The account's nonce at `at`: transactions of it included up to that block.
pub async fn nonce(at: &AtBlock, account: &AccountId32) -> Result<u64, ChainError> {
	timed("reading the account nonce", at.transactions().account_nonce(account)).await
}

/// The storage value at `pallet.entry(keys)` at `at`, decoded as `T`, if there is one.
pub async fn storage<K, T>(
	at: &AtBlock,
	pallet: &str,
	entry: &str,
	keys: K,
) -> Result<Option<T>, ChainError>
where
	K: subxt::ext::frame_decode::storage::IntoEncodableValues
		+ subxt::ext::frame_decode::storage::IntoDecodableValues
		+ Clone,
	T: DecodeAsType,
{
	let what = format!("reading {pallet}.{entry}");
	let address = dynamic::storage::<K, T>(pallet, entry);
	match timed(&what, at.storage().try_fetch(address, keys)).await? {
		Some(value) => Ok(Some(value.decode().map_err(|e| chain_error(&what, e))?)),
		None => Ok(None),
	}
}

/// Calls view function `pallet.function(args)` at `at` and decodes its result as `T` with the
/// type the metadata gives it.
///
/// The call is framed here: subxt 0.51 passes the arguments without the length prefix of the
/// `RuntimeViewFunction_execute_view_function` API's `input: Vec<u8>` (the runtime answers
/// "Codec error") and reads the answer without its `Result<Vec<u8>, _>`.
pub async fn view<T: DecodeAsType>(
	at: &AtBlock,
	pallet: &str,
	function: &str,
	args: impl subxt::ext::frame_decode::view_functions::IntoEncodableValues,
) -> Result<T, ChainError> {
	let what = format!("view function {pallet}.{function}");
	let metadata = at.metadata();
	let output = metadata
		.pallet_by_name(pallet)
		.and_then(|p| p.view_function_by_name(function))
		.map(|f| f.output_ty())
		.ok_or_else(|| ChainError(format!("{what}: not in the node's metadata")))?;
	let payload = dynamic::view_function_call::<_, ()>(pallet, function, args);
	let encoded = at.view_functions().encode_args(&payload).map_err(|e| chain_error(&what, e))?;
	if encoded.len() < 32 {
		return Err(ChainError(format!("{what}: encoded call shorter than its query id")));
	}
	let (query_id, input) = encoded.split_at(32);
	let mut params = query_id.to_vec();
	let length = u32::try_from(input.len()).map_err(|e| chain_error(&what, e))?;
	Compact(length).encode_to(&mut params);
	params.extend_from_slice(input);
	let raw = timed(&what, at.view_functions().call_raw(Some(&params))).await?;
	let bytes = match raw.split_first() {
		Some((0, rest)) => Vec::<u8>::decode(&mut &rest[..]).map_err(|e| chain_error(&what, e))?,
		_ => return Err(ChainError(format!("{what}: the runtime refused the query: {raw:?}"))),
	};
	T::decode_as_type(&mut &bytes[..], output, metadata.types()).map_err(|e| chain_error(&what, e))
}

/// A transaction signed with an explicit nonce, ready to be dry-run or submitted.
pub struct Signed {
	/// Its SCALE encoding (what the pool and the block builder take).
	pub encoded: Vec<u8>,
	/// `Pallet.call`, for logs.
	pub name: String,
}

/// Signs `call` by `signer` with `nonce` against `at`'s metadata (immortal).
pub fn sign(
	at: &AtBlock,
	call: &impl subxt::tx::Payload,
	signer: &Keypair,
	nonce: u64,
	name: &str,
) -> Result<Signed, ChainError> {
	let what = format!("signing {name}");
	let params = DefaultExtrinsicParamsBuilder::<Config>::new().nonce(nonce).build();
	let mut signable = at
		.transactions()
		.create_signable_offline(call, params)
		.map_err(|e| chain_error(&what, e))?;
	let transaction = signable.sign(signer).map_err(|e| chain_error(&what, e))?;
	Ok(Signed { encoded: transaction.into_encoded(), name: name.to_owned() })
}

/// Applies `transaction` on top of `at`'s state without keeping anything
/// (`BlockBuilder_apply_extrinsic` through `state_call`, as `system_dryRun` does): `Ok` when it
/// would be included and succeed, else the refusal by name.
pub async fn dry_run(
	at: &AtBlock,
	transaction: &Signed,
) -> Result<Result<(), Refusal>, ChainError> {
	let what = format!("dry-running {}", transaction.name);
	// The genesis state cannot check a signature: `System.BlockHash(0)`, which the signed
	// payload commits to, holds a placeholder until block 1 is built. Nothing to dry-run
	// against; the transaction pool checks it for real.
	if at.block_number() == 0 {
		return Ok(Ok(()));
	}
	let metadata = at.metadata();
	let output = metadata
		.runtime_api_trait_by_name("BlockBuilder")
		.and_then(|api| api.method_by_name("apply_extrinsic"))
		.map(|method| method.output_ty())
		.ok_or_else(|| ChainError(format!("{what}: no BlockBuilder API in the metadata")))?;
	let raw = timed(
		&what,
		at.runtime_apis().call_raw("BlockBuilder_apply_extrinsic", Some(&transaction.encoded)),
	)
	.await?;
	let result = Value::decode_as_type(&mut &raw[..], output, metadata.types())
		.map_err(|e| chain_error(&what, e))?;
	// Result<Result<(), DispatchError>, TransactionValidityError>
	let (outer, inner) = match &result.value {
		ValueDef::Variant(outer) => (outer.name.as_str(), outer.values.at(0)),
		_ => return Err(ChainError(format!("{what}: unexpected answer {result}"))),
	};
	match (outer, inner) {
		("Ok", Some(Value { value: ValueDef::Variant(inner), .. })) if inner.name == "Ok" => {
			Ok(Ok(()))
		},
		("Ok", Some(Value { value: ValueDef::Variant(inner), .. })) => {
			Ok(Err(Refusal(dispatch_error_name(at, inner.values.at(0)))))
		},
		(_, Some(reason)) => Ok(Err(Refusal(format!("invalid transaction: {}", compact(reason))))),
		_ => Err(ChainError(format!("{what}: unexpected answer {result}"))),
	}
}

/// A `DispatchError` value by name: `Pallet::Error` for module errors.
fn dispatch_error_name(at: &AtBlock, error: Option<&Value>) -> String {
	let Some(error) = error else { return "dispatch error".into() };
	if let ValueDef::Variant(variant) = &error.value {
		if variant.name == "Module" {
			let module = variant.values.at(0);
			let index = module.at("index").and_then(Value::as_u128);
			let code = module.at("error").at(0).and_then(Value::as_u128);
			if let (Some(index), Some(code)) = (index, code) {
				let metadata = at.metadata();
				let named = u8::try_from(index).ok().and_then(|index| {
					let pallet = metadata.pallet_by_error_index(index)?;
					let variant = pallet.error_variant_by_index(u8::try_from(code).ok()?)?;
					Some(format!("{}::{}", pallet.name(), variant.name))
				});
				if let Some(named) = named {
					return named;
				}
			}
		}
	}
	compact(error)
}

/// A value printed on one line.
pub fn compact(value: &Value) -> String {
	value.to_string().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What an included transaction did: `Pallet.Event { fields }` per event.
pub type Events = Vec<String>;

/// Submits `transaction` and waits until it is finalized: its hash and events, or the
/// runtime's refusal when it dispatched and failed. Anything else — the node unreachable, the
/// transaction dropped from the pool, no finality in time — is a [`ChainError`]: the
/// transaction may or may not be included, and whoever retries must first look at the
/// account's nonces (see `ops::nothing_pending`).
pub async fn submit(
	chain: &Chain,
	transaction: &Signed,
) -> Result<Result<(String, Events), Refusal>, ChainError> {
	use subxt::error::TransactionEventsError;
	let name = &transaction.name;
	let at = chain.finalized().await?;
	let submittable = at.transactions().from_bytes(transaction.encoded.clone());
	let progress = timed(&format!("submitting {name}"), submittable.submit_and_watch()).await?;
	let hash = format!("{:?}", progress.extrinsic_hash());
	tracing::info!(transaction = %name, %hash, "submitted; waiting for finality");
	let wait = RPC_TIMEOUT * 3;
	let finalized = match tokio::time::timeout(wait, progress.wait_for_finalized()).await {
		Ok(Ok(finalized)) => finalized,
		Ok(Err(error)) => return Err(ChainError(format!("{name} {hash}: not finalized: {error}"))),
		Err(_) => return Err(ChainError(format!("{name} {hash}: not finalized within {wait:?}"))),
	};
	let events = match tokio::time::timeout(RPC_TIMEOUT, finalized.wait_for_success()).await {
		Ok(Ok(events)) => events,
		// The runtime's refusal; the error names it.
		Ok(Err(TransactionEventsError::ExtrinsicFailed(error))) => {
			return Ok(Err(Refusal(error.to_string())))
		},
		Ok(Err(error)) => {
			return Err(chain_error(&format!("{name} {hash}: reading its events"), error))
		},
		Err(_) => {
			return Err(ChainError(format!(
				"{name} {hash}: reading its events: no answer within {RPC_TIMEOUT:?}"
			)))
		},
	};
	let mut lines = Vec::new();
	for event in events.iter() {
		let event = event.map_err(|e| chain_error("decoding an event", e))?;
		let fields = event
			.decode_fields_unchecked_as::<Composite<()>>()
			.map(|fields| compact(&Value { value: ValueDef::Composite(fields), context: () }))
			.unwrap_or_else(|e| format!("<undecodable: {e}>"));
		lines.push(format!("{}.{} {fields}", event.pallet_name(), event.event_name()));
	}
	Ok(Ok((hash, lines)))
}

/// An account id from a key.
pub fn account_of(key: &Keypair) -> AccountId32 {
	AccountId32(key.public_key().0)
}
