//! End-to-end: a burst of transfers submitted just before an Aura slot boundary is included in
//! full; a transaction the pool drops, sees replaced or finds invalid is reported to its
//! watcher and logged.

use futures::StreamExt;
use hashrate_e2e::{
	account, free_balance, id, sign, submit_and_watch, transfer_keep_alive, within, Node, Outcome,
	Sealing, TempDir, UNIT,
};
use serde_json::Value as Json;
use std::{
	collections::BTreeMap,
	time::{Duration, SystemTime, UNIX_EPOCH},
};
use subxt::rpcs::rpc_params;
use subxt_signer::sr25519::dev;

/// Transfers per sender.
const PER_SENDER: u64 = 2_000;
/// Connections per sender: each holds at most 1,024 subscriptions (the node's default).
const CONNECTIONS_PER_SENDER: usize = 4;
/// Submissions in flight per sender, in nonce order.
const IN_FLIGHT: usize = 32;
/// Plancks per transfer (the existential deposit).
const AMOUNT: u128 = 1_000_000_000;
/// The Aura slot, milliseconds.
const SLOT_MS: u64 = 6_000;
/// The burst starts this long before a slot boundary.
const BEFORE_BOUNDARY_MS: u64 = 500;

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_across_a_slot_boundary_is_included_in_full() {
	let dir = TempDir::new("burst");
	let node = Node::start(dir.path(), Sealing::Aura).await;
	let client = node.client().await;
	let receiver = account("burst-receiver");
	let senders = [dev::bob(), dev::ferdie()];

	// Every transfer signed up front with its nonce (both senders are fresh: nonce 0).
	let at = within(client.at_current_block()).await.expect("best block");
	let transfer = transfer_keep_alive(&receiver, AMOUNT);
	let batches: Vec<Vec<_>> = senders
		.iter()
		.map(|sender| (0..PER_SENDER).map(|nonce| sign(&at, &transfer, sender, nonce, 0)).collect())
		.collect();
	let mut connections = Vec::new();
	for _ in 0..senders.len() * CONNECTIONS_PER_SENDER {
		connections.push(node.rpc_client().await.expect("an RPC connection"));
	}

	// Start 0.5 s before a slot boundary: the block of that slot is authored and imported
	// while the burst arrives.
	let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_millis() as u64;
	let into_slot = now % SLOT_MS;
	let start_in = (SLOT_MS - BEFORE_BOUNDARY_MS + SLOT_MS - into_slot) % SLOT_MS;
	// Waiting for a wall-clock instant is the point here; there is no event to await.
	tokio::time::sleep(Duration::from_millis(start_in)).await;

	let submissions = batches.into_iter().enumerate().map(|(sender, signed)| {
		let connections =
			&connections[sender * CONNECTIONS_PER_SENDER..(sender + 1) * CONNECTIONS_PER_SENDER];
		futures::stream::iter(signed.into_iter().enumerate())
			.map(move |(nonce, xt)| {
				let rpc = connections[nonce % CONNECTIONS_PER_SENDER].clone();
				async move { submit_and_watch(rpc, xt).await }
			})
			.buffered(IN_FLIGHT)
			.collect::<Vec<_>>()
	});
	let watched: Vec<_> =
		futures::future::join_all(submissions).await.into_iter().flatten().collect();
	let refused: Vec<_> = watched.iter().filter_map(|w| w.as_ref().err()).collect();
	assert!(refused.is_empty(), "{} refused, first: {:?}", refused.len(), refused.first());
	let accepted = watched.len();

	// Every accepted transfer ends finalized, or is reported to its watcher as dropped; one
	// that does neither within the bound was lost silently.
	let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
	let outcomes =
		futures::future::join_all(watched.into_iter().flatten().map(|outcome| async move {
			tokio::time::timeout_at(deadline, outcome).await.unwrap_or(Outcome::Silent)
		}))
		.await;
	let mut per_block = BTreeMap::<String, usize>::new();
	let (mut left, mut silent) = (Vec::new(), 0);
	for outcome in outcomes {
		match outcome {
			Outcome::Finalized(block) => *per_block.entry(block).or_default() += 1,
			Outcome::Left(reason) => left.push(reason),
			Outcome::Silent => silent += 1,
		}
	}
	let rpc = node.rpc().await.expect("rpc");
	let mut figures = Vec::new();
	for (block, count) in &per_block {
		let hash = block.parse().expect("a block hash");
		let number =
			within(rpc.chain_get_header(Some(hash))).await.unwrap().expect("header").number;
		figures.push((number, *count));
	}
	figures.sort();
	println!(
		"{accepted} transfers accepted: finalized per block (number, count) {figures:?}, {} \
		 reported leaving the pool, {silent} never heard of again",
		left.len()
	);
	assert!(
		left.is_empty(),
		"{} reported leaving the pool: {:?}",
		left.len(),
		&left[..left.len().min(5)]
	);
	let included: usize = per_block.values().sum();
	assert_eq!(included, accepted, "every accepted transfer is included");
	assert_eq!(included as u64, PER_SENDER * senders.len() as u64);
	assert_eq!(free_balance(&client, id(&receiver)).await, AMOUNT * included as u128);
}

/// The next status a watcher reports that is not `ready`, `future` or `broadcast`.
async fn next_event(statuses: &mut subxt::rpcs::client::RpcSubscription<Json>) -> Json {
	loop {
		let status = within(statuses.next()).await.expect("a status").expect("a status");
		if status != "ready" && status != "future" && status.get("broadcast").is_none() {
			return status;
		}
	}
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_replaced_or_invalid_transaction_is_reported_to_its_watcher_and_logged() {
	let dir = TempDir::new("pool-drops");
	// Blocks only on request; at most 20 ready transactions.
	let node = Node::start_with(dir.path(), Sealing::Manual, &["--pool-limit", "20"]).await;
	let client = node.client().await;
	let rpc = node.rpc_client().await.expect("rpc");
	let at = within(client.at_current_block()).await.expect("best block");
	let receiver = account("drops-receiver");
	let transfer = transfer_keep_alive(&receiver, AMOUNT);
	let watch = |xt: String| {
		let rpc = rpc.clone();
		async move {
			within(rpc.subscribe::<Json>(
				"author_submitAndWatchExtrinsic",
				rpc_params![xt],
				"author_unwatchExtrinsic",
			))
			.await
			.expect("accepted")
		}
	};

	// Full: Bob fills the pool (nonces 0..19, no tip); Charlie's tipped transfer is worth
	// more, so the pool drops Bob's last.
	let mut bob = Vec::new();
	for nonce in 0..20 {
		bob.push(watch(sign(&at, &transfer, &dev::bob(), nonce, 0)).await);
	}
	let _charlie = watch(sign(&at, &transfer, &dev::charlie(), 0, UNIT)).await;
	assert_eq!(next_event(&mut bob[0]).await, "dropped");
	// The oldest of the cheapest goes, with every transaction that needs it.
	assert_eq!(next_event(&mut bob[19]).await, "dropped");

	// Replaced: Dave's transfer, then the same nonce with a tip.
	let mut replaced = watch(sign(&at, &transfer, &dev::dave(), 0, 0)).await;
	let replacement = sign(&at, &transfer, &dev::dave(), 0, UNIT);
	let _replacement = watch(replacement).await;
	let usurped = next_event(&mut replaced).await;
	assert!(usurped.get("usurped").is_some(), "{usurped}");

	// Invalid: Eve sends all she can, then a transfer whose fee she can no longer pay; both
	// were valid when submitted, the second fails when the block is built.
	let transfer_all = subxt::dynamic::transaction(
		"Balances",
		"transfer_all",
		(receiver.public_key().to_address::<()>(), true),
	);
	let _all = watch(sign(&at, &transfer_all, &dev::eve(), 0, 0)).await;
	let mut unpayable = watch(sign(&at, &transfer, &dev::eve(), 1, 0)).await;
	let sealed: Json =
		within(rpc.request("engine_createBlock", rpc_params![true, true, None::<String>]))
			.await
			.expect("a block");
	assert!(sealed["hash"].is_string(), "{sealed}");
	let invalid = next_event(&mut unpayable).await;
	assert_eq!(invalid, "invalid", "Eve's second transfer");

	// Each departure is in the log at info level, with the transaction's hash. The watch logs
	// before it tells the watcher, but the line may reach the file a moment later: read the log
	// until all three are there (bounded).
	let needles =
		["dropped by the pool (usually: at its limit", "replaced by 0x", "dropped: invalid"];
	let deadline = std::time::Instant::now() + Duration::from_secs(10);
	loop {
		let log = node.log();
		let missing: Vec<_> = needles
			.iter()
			.filter(|needle| {
				!log.lines().any(|line| {
					hashrate_e2e::log_level(line) == Some("INFO") && line.contains(**needle)
				})
			})
			.collect();
		if missing.is_empty() {
			break;
		}
		assert!(std::time::Instant::now() < deadline, "no INFO line for {missing:?}:\n{log}");
		// A file write has no event to await: look again shortly.
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
}
