//! End-to-end: the real `hashrate-node` binary, driven over RPC with subxt.

use hashrate_e2e::{
	account, free_balance, free_balance_at, fund, id, node_binary, transfer_keep_alive, within,
	Node, Sealing, TempDir, UNIT,
};
use std::process::Command;
use subxt::{events::DecodeAsEvent, ext::scale_decode::DecodeAsType, tx::TransactionStatus};
use subxt_signer::sr25519::dev;

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct Transfer {
	from: [u8; 32],
	to: [u8; 32],
	amount: u128,
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct TransactionFeePaid {
	who: [u8; 32],
	actual_fee: u128,
	tip: u128,
}

impl DecodeAsEvent for Transfer {
	fn is_event(pallet: &str, event: &str) -> bool {
		(pallet, event) == ("Balances", "Transfer")
	}
}

impl DecodeAsEvent for TransactionFeePaid {
	fn is_event(pallet: &str, event: &str) -> bool {
		(pallet, event) == ("TransactionPayment", "TransactionFeePaid")
	}
}

/// The treasury account: `PalletId(*b"hr/trsry")` as an account ("modl" + id, zero-padded).
fn treasury() -> [u8; 32] {
	let mut account = [0u8; 32];
	account[..4].copy_from_slice(b"modl");
	account[4..12].copy_from_slice(b"hr/trsry");
	account
}

#[tokio::test(flavor = "multi_thread")]
async fn transfer_is_finalized_moves_balances_and_splits_the_fee() {
	let dir = TempDir::new("transfer");
	let node = Node::start(dir.path(), Sealing::Instant).await;
	let client = node.client().await;
	let sender = account("transfer-sender");
	let receiver = account("transfer-receiver");
	fund(&client, &sender, 10 * UNIT).await;

	let before = within(client.at_current_block()).await.unwrap();
	let sender_before = free_balance_at(&before, id(&sender)).await;
	let alice_before = free_balance_at(&before, id(&dev::alice())).await;
	let treasury_before = free_balance_at(&before, treasury()).await;
	assert_eq!(sender_before, 10 * UNIT);
	assert_eq!(free_balance_at(&before, id(&receiver)).await, 0);

	let amount = 3 * UNIT;
	let progress = within(
		before
			.transactions()
			.sign_and_submit_then_watch_default(&transfer_keep_alive(&receiver, amount), &sender),
	)
	.await
	.expect("transfer submitted");
	// Included in a block, then finalized.
	let mut progress = progress;
	let mut seen_in_block = false;
	let in_finalized = loop {
		match within(progress.next()).await.expect("status stream ended").expect("status") {
			TransactionStatus::InBestBlock(_) => seen_in_block = true,
			TransactionStatus::InFinalizedBlock(tx) => break tx,
			TransactionStatus::Invalid { message }
			| TransactionStatus::Dropped { message }
			| TransactionStatus::Error { message } => panic!("transfer not included: {message}"),
			_ => {},
		}
	};
	assert!(seen_in_block, "the transfer was reported in a best block before finality");
	let events = within(in_finalized.wait_for_success()).await.expect("transfer succeeded");

	let transfer =
		events.find_first::<Transfer>().expect("a Transfer event").expect("decoding Transfer");
	assert_eq!((transfer.from, transfer.to, transfer.amount), (id(&sender), id(&receiver), amount));
	let fee = events
		.find_first::<TransactionFeePaid>()
		.expect("a TransactionFeePaid event")
		.expect("decoding TransactionFeePaid");
	assert_eq!(fee.who, id(&sender));
	assert!(fee.actual_fee > 0);

	let after = within(client.at_block(in_finalized.block_hash())).await.unwrap();
	assert_eq!(free_balance_at(&after, id(&receiver)).await, amount);
	assert_eq!(
		free_balance_at(&after, id(&sender)).await,
		sender_before - amount - fee.actual_fee - fee.tip
	);
	// Half the fee to the treasury, the other half and the tip to the author (Alice).
	let to_treasury = free_balance_at(&after, treasury()).await - treasury_before;
	let to_author = free_balance_at(&after, id(&dev::alice())).await - alice_before;
	assert_eq!(to_treasury + to_author, fee.actual_fee + fee.tip);
	assert!(to_treasury.abs_diff(fee.actual_fee / 2) <= 1, "{to_treasury} of {}", fee.actual_fee);
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_dispatch_charges_only_the_fee_and_unpayable_transaction_is_refused() {
	let dir = TempDir::new("failures");
	let node = Node::start(dir.path(), Sealing::Instant).await;
	let client = node.client().await;
	let poor = account("failures-poor");
	let bob = dev::bob();
	fund(&client, &poor, UNIT).await;

	// Dispatch fails: the fee is payable, the amount is not.
	let before = within(client.at_current_block()).await.unwrap();
	let poor_before = free_balance_at(&before, id(&poor)).await;
	let bob_before = free_balance_at(&before, id(&bob)).await;
	let in_block = within(
		within(
			before
				.transactions()
				.sign_and_submit_then_watch_default(&transfer_keep_alive(&bob, 100 * UNIT), &poor),
		)
		.await
		.expect("submitted: the fee is payable, so the pool accepts it")
		.wait_for_finalized(),
	)
	.await
	.expect("included and finalized");
	let error = within(in_block.wait_for_success()).await.expect_err("dispatch must fail");
	let message = error.to_string();
	assert!(message.contains("Funds are unavailable"), "unexpected dispatch error: {message}");

	let events = within(in_block.fetch_events()).await.expect("events");
	let fee = events
		.find_first::<TransactionFeePaid>()
		.expect("a TransactionFeePaid event")
		.expect("decoding TransactionFeePaid");
	assert_eq!(fee.who, id(&poor));
	assert!(events.find_first::<Transfer>().is_none(), "no Transfer event for a failed transfer");
	let after = within(client.at_block(in_block.block_hash())).await.unwrap();
	assert_eq!(free_balance_at(&after, id(&poor)).await, poor_before - fee.actual_fee - fee.tip);
	assert_eq!(free_balance_at(&after, id(&bob)).await, bob_before);

	// Refused by the pool: the sender cannot pay the fee at all.
	let penniless = account("failures-penniless");
	let at = within(client.at_current_block()).await.unwrap();
	let refused = match within(
		at.transactions()
			.sign_and_submit_then_watch_default(&transfer_keep_alive(&bob, UNIT), &penniless),
	)
	.await
	{
		Err(error) => error.to_string(),
		Ok(progress) => match within(progress.wait_for_finalized()).await {
			Err(error) => error.to_string(),
			Ok(_) => panic!("a transaction that cannot pay its fee was included"),
		},
	};
	assert!(
		refused.contains("Inability to pay some fees"),
		"unexpected refusal message: {refused}"
	);
	assert_eq!(free_balance(&client, id(&penniless)).await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn restart_keeps_finalized_head_and_balances() {
	let dir = TempDir::new("restart");
	let receiver = account("restart-receiver");
	let (finalized_hash, finalized_number, balance) = {
		let node = Node::start(dir.path(), Sealing::Instant).await;
		let client = node.client().await;
		fund(&client, &receiver, 5 * UNIT).await;
		let rpc = node.rpc().await.unwrap();
		let hash = within(rpc.chain_get_finalized_head()).await.unwrap();
		let header =
			within(rpc.chain_get_header(Some(hash))).await.unwrap().expect("finalized header");
		let balance = free_balance(&client, id(&receiver)).await;
		assert_eq!(balance, 5 * UNIT);
		let status = node.stop().await;
		assert!(status.success(), "node exited with {status} on SIGTERM");
		(hash, header.number, balance)
	};
	assert!(finalized_number >= 1);

	let node = Node::start(dir.path(), Sealing::Instant).await;
	let rpc = node.rpc().await.unwrap();
	let head = within(rpc.chain_get_finalized_head()).await.unwrap();
	let head_number =
		within(rpc.chain_get_header(Some(head))).await.unwrap().expect("header").number;
	assert!(
		head_number >= finalized_number,
		"finalized head went back: {head_number} < {finalized_number}"
	);
	let hash_at = within(rpc.chain_get_block_hash(Some(finalized_number.into()))).await.unwrap();
	assert_eq!(
		hash_at,
		Some(finalized_hash),
		"block {finalized_number} changed across the restart"
	);
	let client = node.client().await;
	assert_eq!(free_balance(&client, id(&receiver)).await, balance);
	// And the restarted node keeps sealing on top of it.
	fund(&client, &receiver, UNIT).await;
	assert_eq!(free_balance(&client, id(&receiver)).await, balance + UNIT);
}

#[tokio::test(flavor = "multi_thread")]
async fn aura_and_grandpa_produce_and_finalize_blocks_with_a_transfer() {
	let dir = TempDir::new("aura");
	let node = Node::start(dir.path(), Sealing::Aura).await;
	let client = node.client().await;
	let receiver = account("aura-receiver");
	// Aura authors the block with the transfer every 6 s slot; GRANDPA finalizes it.
	fund(&client, &receiver, 2 * UNIT).await;
	assert_eq!(free_balance(&client, id(&receiver)).await, 2 * UNIT);
	let rpc = node.rpc().await.unwrap();
	let head = within(rpc.chain_get_finalized_head()).await.unwrap();
	let number = within(rpc.chain_get_header(Some(head))).await.unwrap().expect("header").number;
	assert!(number >= 1, "GRANDPA finalized block {number}");
	// Prometheus is on.
	let metrics = std::net::TcpStream::connect(("127.0.0.1", node.prometheus_port));
	assert!(metrics.is_ok(), "Prometheus port {} closed", node.prometheus_port);
	let status = node.stop().await;
	assert!(status.success(), "node exited with {status} on SIGTERM");

	// The block subcommands on the stopped node's database: export its Aura-sealed blocks,
	// import them into an empty database, revert one, purge the chain.
	let base = dir.path().to_str().expect("utf-8 temp path");
	let other = TempDir::new("aura-import");
	let other_base = other.path().to_str().expect("utf-8 temp path");
	let blocks = other.path().join("blocks.json");
	let blocks = blocks.to_str().expect("utf-8 temp path");
	let subcommand = |args: &[&str]| {
		let output = run_node(args);
		assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
		String::from_utf8_lossy(&output.stdout).into_owned()
	};
	let chain_info = |base_path: &str| -> serde_json::Value {
		let out = subcommand(&["chain-info", "--dev", "--base-path", base_path]);
		serde_json::from_str(&out).unwrap_or_else(|e| panic!("chain-info output {out:?}: {e}"))
	};
	let best = chain_info(base)["best_number"].as_u64().expect("best_number");
	assert!(best >= 1);
	subcommand(&["export-blocks", "--dev", "--base-path", base, "--from", "1", blocks]);
	subcommand(&["import-blocks", "--dev", "--base-path", other_base, blocks]);
	assert_eq!(chain_info(other_base)["best_number"], best);
	subcommand(&["revert", "--dev", "--base-path", other_base, "1"]);
	assert_eq!(chain_info(other_base)["best_number"], best - 1);
	subcommand(&["purge-chain", "--dev", "--base-path", other_base, "-y"]);
	assert_eq!(chain_info(other_base)["best_number"], 0);
	let key = subcommand(&["key", "generate", "--output-type", "json"]);
	assert!(key.contains("\"secretPhrase\""), "{key}");
}

#[tokio::test(flavor = "multi_thread")]
async fn manual_sealing_seals_only_on_request() {
	let dir = TempDir::new("manual");
	let node = Node::start(dir.path(), Sealing::Manual).await;
	let client = node.client().await;
	let rpc = node.rpc().await.unwrap();
	let receiver = account("manual-receiver");

	let at = within(client.at_current_block()).await.unwrap();
	let mut progress =
		within(at.transactions().sign_and_submit_then_watch_default(
			&transfer_keep_alive(&receiver, UNIT),
			&dev::alice(),
		))
		.await
		.expect("transfer submitted");
	// Wait until the pool reports it validated; it must then wait there, unsealed.
	loop {
		match within(progress.next()).await.expect("status stream ended").expect("status") {
			TransactionStatus::Validated | TransactionStatus::Broadcasted => break,
			TransactionStatus::InBestBlock(_) | TransactionStatus::InFinalizedBlock(_) => {
				panic!("manual sealing sealed without being asked")
			},
			TransactionStatus::Invalid { message }
			| TransactionStatus::Dropped { message }
			| TransactionStatus::Error { message } => panic!("transfer refused: {message}"),
			TransactionStatus::NoLongerInBestBlock => {},
		}
	}
	let raw = node.rpc_client().await.unwrap();
	let pending: Vec<String> =
		within(raw.request("author_pendingExtrinsics", subxt::rpcs::rpc_params![])).await.unwrap();
	assert_eq!(pending.len(), 1);
	let best = within(rpc.chain_get_header(None)).await.unwrap().expect("best header");
	assert_eq!(best.number, 0, "manual sealing sealed without being asked");

	let created: serde_json::Value = within(raw.request(
		"engine_createBlock",
		subxt::rpcs::rpc_params![false, true, Option::<String>::None],
	))
	.await
	.expect("engine_createBlock");
	assert!(created["hash"].is_string(), "{created}");

	within(progress.wait_for_finalized_success()).await.expect("transfer finalized");
	assert_eq!(free_balance(&client, id(&receiver)).await, UNIT);
	let head = within(rpc.chain_get_finalized_head()).await.unwrap();
	assert_eq!(serde_json::to_value(head).unwrap(), created["hash"]);
}

fn run_node(args: &[&str]) -> std::process::Output {
	Command::new(node_binary()).args(args).output().expect("node binary runs")
}

#[test]
fn bad_flags_and_unreadable_chain_spec_exit_with_a_clear_error() {
	let cases: &[(&[&str], &str)] = &[
		(&["--no-such-flag"], "unexpected argument '--no-such-flag'"),
		(&["--sealing", "sometimes", "--dev"], "invalid value 'sometimes'"),
		(&["--seal-every", "5", "--dev", "--sealing", "instant"], "--seal-every"),
		(
			&["--chain", "/nonexistent/spec.json", "--tmp"],
			"cannot load chain spec `/nonexistent/spec.json`",
		),
		(&["--dev", "--tmp", "--seal-every", "1000"], "--seal-every needs --sealing instant"),
		(&["--chain", "local", "--tmp", "--sealing", "instant"], "is for development chains only"),
	];
	for (args, expected) in cases {
		let output = run_node(args);
		let stderr = String::from_utf8_lossy(&output.stderr);
		assert!(!output.status.success(), "{args:?} exited successfully");
		assert!(stderr.contains(expected), "{args:?}: stderr lacks {expected:?}:\n{stderr}");
	}
}

#[test]
fn export_chain_spec_has_properties_and_both_presets_exist() {
	let output = run_node(&["export-chain-spec", "--chain", "dev"]);
	assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
	let spec = String::from_utf8_lossy(&output.stdout);
	for needle in [
		"\"tokenSymbol\": \"HASH\"",
		"\"tokenDecimals\": 12",
		"\"ss58Format\": 2140",
		"\"id\": \"hashrate_dev\"",
	] {
		assert!(spec.contains(needle), "dev chain spec lacks {needle}");
	}
	let output = run_node(&["export-chain-spec", "--chain", "local"]);
	assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
	assert!(String::from_utf8_lossy(&output.stdout).contains("\"id\": \"hashrate_local_testnet\""));
}
