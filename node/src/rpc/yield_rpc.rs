//! `hashrate_*` RPC methods: what an account can claim, what each series' period owed and
//! paid, and what backs a series — read through the runtime's `RealYieldApi` at the best
//! block or at a given one.

use crate::rpc::account::AccountParam;
use hashrate_primitives::{AccountId, PayoutBalance, PeriodIndex, SeriesId};
use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{error::ErrorObjectOwned, ErrorObject},
};
use pallet_real_yield::{runtime_api::RealYieldApi, PendingYield, PeriodReport, SeriesReport};
use polkadot_sdk::{
	sp_api::ProvideRuntimeApi, sp_blockchain::HeaderBackend, sp_runtime::traits::Block as BlockT,
};
use serde::{Deserialize, Serialize};
use std::{marker::PhantomData, sync::Arc};

/// JSON-RPC error code of a failed runtime call (unknown block, runtime error).
pub const RUNTIME_ERROR: i32 = 1;
/// JSON-RPC error code of a total that does not fit (never for real balances).
pub const OVERFLOW_ERROR: i32 = 2;

/// An account's claimable yield: per series and in total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountYield {
	/// Per series the account has a record in.
	pub series: Vec<PendingYield>,
	/// Sum of the claimable amounts, sats.
	pub total_claimable: PayoutBalance,
}

/// Holders' yield, series' periods and backing.
#[rpc(server, namespace = "hashrate")]
pub trait HashrateYieldApi<BlockHash> {
	/// `who`'s claimable yield per series and in total (sats); `who` is an address in this
	/// chain's format or the generic one.
	#[method(name = "pendingYield")]
	fn pending_yield(&self, who: AccountParam, at: Option<BlockHash>) -> RpcResult<AccountYield>;

	/// A series' period: final output, owed, paid, drawn from collateral, debt, fee,
	/// distributed, status and yield in milli-sats per TH/s per day; `null` before the
	/// period was touched.
	#[method(name = "periodYield")]
	fn period_yield(
		&self,
		series: u32,
		period: u32,
		at: Option<BlockHash>,
	) -> RpcResult<Option<PeriodReport>>;

	/// What backs a series (tokenized vs attested hashrate, collateral, debt) and what it
	/// paid; `null` for a series without tokens.
	#[method(name = "seriesYield")]
	fn series_yield(&self, series: u32, at: Option<BlockHash>) -> RpcResult<Option<SeriesReport>>;
}

/// The `hashrate_*` methods over a client.
pub struct HashrateYield<C, Block> {
	client: Arc<C>,
	_block: PhantomData<Block>,
}

impl<C, Block> HashrateYield<C, Block> {
	/// Serves the methods from `client`'s state.
	pub fn new(client: Arc<C>) -> Self {
		Self { client, _block: PhantomData }
	}
}

fn runtime_error(error: impl std::fmt::Display) -> ErrorObjectOwned {
	ErrorObject::owned(RUNTIME_ERROR, "runtime call failed", Some(error.to_string()))
}

impl<C, Block> HashrateYieldApiServer<Block::Hash> for HashrateYield<C, Block>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: RealYieldApi<Block, AccountId>,
{
	fn pending_yield(&self, who: AccountParam, at: Option<Block::Hash>) -> RpcResult<AccountYield> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let series = self.client.runtime_api().pending_yield(at, who.0).map_err(runtime_error)?;
		let total_claimable = series
			.iter()
			.try_fold(0u128, |total, entry| total.checked_add(entry.claimable))
			.ok_or_else(|| {
				ErrorObject::owned(OVERFLOW_ERROR, "total claimable overflows", None::<()>)
			})?;
		Ok(AccountYield { series, total_claimable })
	}

	fn period_yield(
		&self,
		series: u32,
		period: u32,
		at: Option<Block::Hash>,
	) -> RpcResult<Option<PeriodReport>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		self.client
			.runtime_api()
			.period_report(at, SeriesId(series), PeriodIndex(period))
			.map_err(runtime_error)
	}

	fn series_yield(
		&self,
		series: u32,
		at: Option<Block::Hash>,
	) -> RpcResult<Option<SeriesReport>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		self.client.runtime_api().series_report(at, SeriesId(series)).map_err(runtime_error)
	}
}
