//! The node's transaction pool: `sc-transaction-pool` (its type and limits are the node's
//! defaults in [`crate::cli::defaults`], overridable by flags), wrapped so that no accepted
//! transaction leaves it unnoticed.
//!
//! [`ReportingPool`] watches every transaction submitted to this node (RPC `author_submit*`):
//! one the pool drops (limits), finds invalid, or sees replaced is logged at info level
//! (target `txpool`) with its hash and the reason, and a client that watches it
//! (`author_submitAndWatchExtrinsic`) gets the same event. Everything else is the inner
//! pool's.
//!
//! Limits of what it sees:
//! - Transactions gossiped by peers enter through [`ReportingPool::unwatched`], the same pool
//!   without the watching: the inner pool keeps a watcher record for a submission that fails
//!   after the record is made (a same-nonce variant of lower priority), so watching what peers
//!   send would let any peer grow that map. Their departures are logged by the node they were
//!   submitted to.
//! - The inner pool removes a few transactions without any event (pruned because a different
//!   transaction of the same sender and nonce was included): a watch that hears nothing for
//!   [`IDLE_CHECK`] while its transaction is neither in the pool nor in a block logs that it
//!   left the pool and ends, so no watch outlives its transaction.

use async_trait::async_trait;
use futures::{channel::mpsc, Stream, StreamExt};
use polkadot_sdk::{
	sc_service::SpawnTaskHandle,
	sc_transaction_pool_api::{
		ChainEvent, ImportNotificationStream, InPoolTransaction, LocalTransactionPool,
		MaintainedTransactionPool, PoolStatus, ReadyTransactions, TransactionFor, TransactionPool,
		TransactionSource, TransactionStatus, TransactionStatusStreamFor, TxHash,
		TxInvalidityReportMap,
	},
	sp_core::traits::SpawnEssentialNamed,
	sp_runtime::traits::Block as BlockT,
};
use std::{collections::HashMap, fmt::Debug, pin::Pin, sync::Arc, time::Duration};

/// Log target of what this module reports (the pool's own).
const LOG_TARGET: &str = "txpool";

/// Spawns the pool's background task (revalidation) as an ordinary task of the node.
///
/// The pool asks for an essential task, whose end shuts the node down with an error; but the
/// task ends only when the pool is dropped, i.e. on every clean shutdown, which then logged
/// "Essential task `txpool-background` failed". A panic in it still ends the node (the
/// node's panic handler aborts the process).
#[derive(Clone)]
pub struct PoolTaskSpawner(pub SpawnTaskHandle);

impl SpawnEssentialNamed for PoolTaskSpawner {
	fn spawn_essential_blocking(
		&self,
		name: &'static str,
		group: Option<&'static str>,
		future: futures::future::BoxFuture<'static, ()>,
	) {
		self.0.spawn_blocking(name, group, future);
	}

	fn spawn_essential(
		&self,
		name: &'static str,
		group: Option<&'static str>,
		future: futures::future::BoxFuture<'static, ()>,
	) {
		self.0.spawn(name, group, future);
	}
}

/// How long a watch waits for news before it checks that its transaction is still in the
/// pool.
pub const IDLE_CHECK: Duration = Duration::from_secs(600);

/// A transaction pool whose every transaction submitted to this node is watched until it is
/// finalized or leaves the pool; see the module docs.
pub struct ReportingPool<P> {
	inner: Arc<P>,
	spawner: SpawnTaskHandle,
	/// Whether submissions without a client watcher are watched too.
	watch_all: bool,
}

impl<P> ReportingPool<P> {
	/// Wraps `inner`; the watchers run as tasks of `spawner`.
	pub fn new(inner: Arc<P>, spawner: SpawnTaskHandle) -> Self {
		Self { inner, spawner, watch_all: true }
	}

	/// The same pool, watching only what a client asks to watch: for transactions from peers.
	pub fn unwatched(&self) -> Self {
		Self { inner: self.inner.clone(), spawner: self.spawner.clone(), watch_all: false }
	}
}

type Statuses<P> = Pin<Box<TransactionStatusStreamFor<P>>>;
type Status<P> = TransactionStatus<TxHash<P>, <<P as TransactionPool>::Block as BlockT>::Hash>;

/// Why a transaction left the pool without being finalized, for the log; `None` while it is
/// still on its way.
pub fn leaving_reason<H: Debug, B: Debug>(status: &TransactionStatus<H, B>) -> Option<String> {
	match status {
		TransactionStatus::Dropped => Some(
			"dropped by the pool (usually: at its limit, --pool-limit / --pool-kbytes); it may \
			 be submitted again"
				.into(),
		),
		TransactionStatus::Invalid => {
			Some("dropped: invalid at the best block (or removed by author_removeExtrinsic)".into())
		},
		TransactionStatus::Usurped(by) => {
			Some(format!("replaced by {by:?} (same sender and nonce, higher priority)"))
		},
		TransactionStatus::FinalityTimeout(block) => {
			Some(format!("no longer watched: its block {block:?} was not finalized in time"))
		},
		_ => None,
	}
}

impl<P> ReportingPool<P>
where
	P: TransactionPool + 'static,
{
	/// Follows `statuses` of transaction `hash` to their end, logging a departure and
	/// forwarding every status to `client` while it listens.
	fn watch(
		&self,
		hash: TxHash<P>,
		mut statuses: Statuses<P>,
		client: Option<mpsc::UnboundedSender<Status<P>>>,
	) {
		let pool = self.inner.clone();
		self.spawner.spawn("txpool-watch", Some("transaction-pool"), async move {
			let mut client = client;
			let mut in_block = false;
			loop {
				let status = match tokio::time::timeout(IDLE_CHECK, statuses.next()).await {
					Ok(Some(status)) => status,
					Ok(None) => break,
					Err(_idle) => {
						if in_block || in_pool(&*pool, &hash) {
							continue;
						}
						log::info!(
							target: LOG_TARGET,
							"Transaction {hash:?} left the pool without a status (another \
							 transaction of its sender and nonce was included)"
						);
						break;
					},
				};
				if let Some(reason) = leaving_reason(&status) {
					log::info!(target: LOG_TARGET, "Transaction {hash:?} {reason}");
				}
				match status {
					TransactionStatus::InBlock(_) => in_block = true,
					TransactionStatus::Retracted(_) => in_block = false,
					_ => {},
				}
				if client.as_ref().is_some_and(|sender| sender.unbounded_send(status).is_err()) {
					// The client stopped listening; keep watching for the log.
					client = None;
				}
			}
		});
	}

	async fn submit_watched(
		&self,
		at: <P::Block as BlockT>::Hash,
		source: TransactionSource,
		xt: TransactionFor<P>,
		client: Option<mpsc::UnboundedSender<Status<P>>>,
	) -> Result<TxHash<P>, P::Error> {
		if client.is_none() && !self.watch_all {
			return self.inner.submit_one(at, source, xt).await;
		}
		let hash = self.inner.hash_of(&xt);
		let statuses = self.inner.submit_and_watch(at, source, xt).await?;
		self.watch(hash.clone(), statuses, client);
		Ok(hash)
	}
}

#[async_trait]
impl<P> TransactionPool for ReportingPool<P>
where
	P: TransactionPool + 'static,
{
	type Block = P::Block;
	type Hash = P::Hash;
	type InPoolTransaction = P::InPoolTransaction;
	type Error = P::Error;

	async fn submit_at(
		&self,
		at: <Self::Block as BlockT>::Hash,
		source: TransactionSource,
		xts: Vec<TransactionFor<Self>>,
	) -> Result<Vec<Result<TxHash<Self>, Self::Error>>, Self::Error> {
		let submissions = xts.into_iter().map(|xt| self.submit_watched(at, source, xt, None));
		Ok(futures::future::join_all(submissions).await)
	}

	async fn submit_one(
		&self,
		at: <Self::Block as BlockT>::Hash,
		source: TransactionSource,
		xt: TransactionFor<Self>,
	) -> Result<TxHash<Self>, Self::Error> {
		self.submit_watched(at, source, xt, None).await
	}

	async fn submit_and_watch(
		&self,
		at: <Self::Block as BlockT>::Hash,
		source: TransactionSource,
		xt: TransactionFor<Self>,
	) -> Result<Pin<Box<TransactionStatusStreamFor<Self>>>, Self::Error> {
		let (sender, receiver) = mpsc::unbounded();
		self.submit_watched(at, source, xt, Some(sender)).await?;
		let statuses: Pin<Box<dyn Stream<Item = Status<P>> + Send>> = Box::pin(receiver);
		Ok(statuses)
	}

	async fn ready_at(
		&self,
		at: <Self::Block as BlockT>::Hash,
	) -> Box<dyn ReadyTransactions<Item = Arc<Self::InPoolTransaction>> + Send> {
		self.inner.ready_at(at).await
	}

	fn ready(&self) -> Box<dyn ReadyTransactions<Item = Arc<Self::InPoolTransaction>> + Send> {
		self.inner.ready()
	}

	async fn report_invalid(
		&self,
		at: Option<<Self::Block as BlockT>::Hash>,
		invalid_tx_errors: TxInvalidityReportMap<TxHash<Self>>,
	) -> Vec<Arc<Self::InPoolTransaction>> {
		self.inner.report_invalid(at, invalid_tx_errors).await
	}

	fn futures(&self) -> Vec<Self::InPoolTransaction> {
		self.inner.futures()
	}

	fn status(&self) -> PoolStatus {
		self.inner.status()
	}

	fn import_notification_stream(&self) -> ImportNotificationStream<TxHash<Self>> {
		self.inner.import_notification_stream()
	}

	fn on_broadcasted(&self, propagations: HashMap<TxHash<Self>, Vec<String>>) {
		self.inner.on_broadcasted(propagations)
	}

	fn hash_of(&self, xt: &TransactionFor<Self>) -> TxHash<Self> {
		self.inner.hash_of(xt)
	}

	fn ready_transaction(&self, hash: &TxHash<Self>) -> Option<Arc<Self::InPoolTransaction>> {
		self.inner.ready_transaction(hash)
	}

	async fn ready_at_with_timeout(
		&self,
		at: <Self::Block as BlockT>::Hash,
		timeout: Duration,
	) -> Box<dyn ReadyTransactions<Item = Arc<Self::InPoolTransaction>> + Send> {
		self.inner.ready_at_with_timeout(at, timeout).await
	}
}

#[async_trait]
impl<P> MaintainedTransactionPool for ReportingPool<P>
where
	P: MaintainedTransactionPool + 'static,
{
	async fn maintain(&self, event: ChainEvent<Self::Block>) {
		self.inner.maintain(event).await
	}
}

impl<P> LocalTransactionPool for ReportingPool<P>
where
	P: TransactionPool
		+ LocalTransactionPool<
			Block = <P as TransactionPool>::Block,
			Hash = <P as TransactionPool>::Hash,
			Error = <P as TransactionPool>::Error,
		> + 'static,
{
	type Block = <P as TransactionPool>::Block;
	type Hash = <P as TransactionPool>::Hash;
	type Error = <P as TransactionPool>::Error;

	/// Local submissions (offchain workers, equivocation reports) are validated synchronously
	/// by the inner pool; they are not watched.
	fn submit_local(
		&self,
		at: <Self::Block as BlockT>::Hash,
		xt: TransactionFor<P>,
	) -> Result<Self::Hash, Self::Error> {
		self.inner.submit_local(at, xt)
	}
}

/// Whether `hash` is in `pool`, ready or waiting for its predecessors.
fn in_pool<P: TransactionPool>(pool: &P, hash: &TxHash<P>) -> bool {
	pool.ready_transaction(hash).is_some()
		|| pool.futures().iter().any(|transaction| transaction.hash() == hash)
}

#[cfg(test)]
mod tests {
	use super::*;

	type Status = TransactionStatus<u64, u64>;

	#[test]
	fn departures_have_a_reason_and_progress_has_none() {
		for status in
			[Status::Dropped, Status::Invalid, Status::Usurped(7), Status::FinalityTimeout(3)]
		{
			assert!(leaving_reason(&status).is_some(), "{status:?}");
		}
		assert!(leaving_reason(&Status::Usurped(7)).unwrap().contains('7'));
		for status in [
			Status::Future,
			Status::Ready,
			Status::Broadcast(vec![]),
			Status::InBlock((1, 0)),
			Status::Retracted(1),
			Status::Finalized((1, 0)),
		] {
			assert_eq!(leaving_reason(&status), None, "{status:?}");
		}
	}
}
