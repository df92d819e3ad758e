//! RPC methods beyond the standard ones (`system`, `chain`, `state`, `author`, which the
//! service adds): account nonces, fee queries, holders' yield and series' periods
//! (`hashrate_*`, [`yield_rpc`]) and, on development chains, manual sealing. Every method
//! that takes an account takes it as an [`account::AccountParam`]: length-checked before it
//! is decoded, in this chain's address format or the generic one.

pub mod account;
pub mod yield_rpc;

use account::CheckedNonceApiServer;
use futures::channel::mpsc;
use hashrate_runtime::{opaque::Block, AccountId, Balance, Hash, Nonce};
use jsonrpsee::RpcModule;
use polkadot_sdk::{
	pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer},
	sc_consensus_manual_seal::{
		rpc::{ManualSeal, ManualSealApiServer},
		EngineCommand,
	},
	sc_transaction_pool_api::TransactionPool,
	sp_api::ProvideRuntimeApi,
	sp_block_builder::BlockBuilder,
	sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata},
	substrate_frame_rpc_system::{System, SystemApiServer},
};
use std::sync::Arc;
use yield_rpc::HashrateYieldApiServer;

/// What the RPC methods need.
pub struct FullDeps<C, P> {
	/// The client.
	pub client: Arc<C>,
	/// The transaction pool.
	pub pool: Arc<P>,
	/// Where `engine_createBlock`/`engine_finalizeBlock` send their commands; `None` unless
	/// the node seals manually or instantly.
	pub seal_commands: Option<mpsc::Sender<EngineCommand<Hash>>>,
}

/// The node's RPC extensions.
pub fn create_full<C, P>(
	deps: FullDeps<C, P>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ HeaderMetadata<Block, Error = BlockChainError>
		+ Send
		+ Sync
		+ 'static,
	C::Api: polkadot_sdk::substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>,
	C::Api:
		polkadot_sdk::pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>,
	C::Api: BlockBuilder<Block>,
	C::Api: pallet_real_yield::runtime_api::RealYieldApi<Block, AccountId>,
	P: TransactionPool + 'static,
{
	let mut module = RpcModule::new(());
	let FullDeps { client, pool, seal_commands } = deps;

	// The system RPC's account nonce is served by `account::CheckedNonce`, which checks the
	// account before decoding it.
	let mut system = System::new(client.clone(), pool.clone()).into_rpc();
	for method in ["system_accountNextIndex", "account_nextIndex"] {
		system
			.remove_method(method)
			.ok_or_else(|| format!("the system RPC has no method {method}"))?;
	}
	module.merge(system)?;
	module.merge(
		account::CheckedNonce::<_, Hash>::new(System::<_, _, Block>::new(client.clone(), pool))
			.into_rpc(),
	)?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	module.merge(yield_rpc::HashrateYield::new(client).into_rpc())?;
	if let Some(seal_commands) = seal_commands {
		module.merge(ManualSeal::new(seal_commands).into_rpc())?;
	}

	Ok(module)
}
