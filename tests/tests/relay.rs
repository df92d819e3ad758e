//! End-to-end: Bitcoin's real headers relayed to the development chain over RPC.
//!
//! The development preset starts the relay at mainnet block 822,538. A relayer submits the
//! real headers after it (822,539 ..= 830,006) in batches of the runtime's bound and pays
//! nothing for them; block 830,000's coinbase is proven. Then the runtime API (view
//! functions) gives the network data the relay derives: for a UTC day of 2024, for the
//! development oracle's 30-second period inside it (shorter than a block, it still has the
//! difficulty in force), and for the span of block 830,000 with its proven fees.
//!
//! Then `hashrate-agent relay` does the same from a file of the real headers and a directory
//! of proofs, and from a small fake Bitcoin Core JSON-RPC server serving the same data;
//! running it again sends nothing.

use hashrate_e2e::{
	account_nonce, agent_key_file as key_file, display_hash, double_sha256, free_balance, hex, id,
	newtype, run_agent, submit, view_function, AgentRun, Client, FakeBitcoind, Node, Sealing,
	TempDir, DEV_PERIOD,
};
use serde_json::{json, Value as Json};
use std::{
	path::Path,
	sync::{
		atomic::{AtomicU32, Ordering},
		Arc,
	},
};
use subxt::{
	dynamic::{self, Value},
	ext::codec::Decode,
};
use subxt_signer::sr25519::dev;

const HEADERS: &[u8] = include_bytes!("../../testdata/bitcoin/mainnet-headers-822528-830592.bin");
const COINBASE_830000: &[u8] = include_bytes!("../../testdata/bitcoin/coinbase-830000.tx");
const PROOF_830000: &[u8] = include_bytes!("../../testdata/bitcoin/txoutproof-830000-0.bin");
/// Height of the header file's first header.
const FIRST: u32 = 822_528;
/// The development preset's checkpoint.
const CHECKPOINT: u32 = 822_538;
/// The runtime's batch bound.
const BATCH: usize = 200;
/// 2024-01-10 UTC, inside the difficulty epoch that starts at 824,544 (nBits 0x1703d869).
const JAN_10: (u64, u64) = (1_704_844_800, 1_704_931_200);
/// That epoch's difficulty, as published.
const DIFFICULTY_824544: u128 = 73_197_634_206_448;
/// Block 830,000's epoch (828,576, nBits 0x1703ba5d).
const DIFFICULTY_828576: u128 = 75_502_165_623_893;

fn header(height: u32) -> &'static [u8] {
	let at = (height - FIRST) as usize * 80;
	&HEADERS[at..at + 80]
}

fn time_of(height: u32) -> u64 {
	u64::from(u32::from_le_bytes(header(height)[68..72].try_into().expect("4 bytes")))
}

/// `RelayedNetworkData`: difficulty, subsidy, fees, first and last height, sampled, proven.
type Relayed = Option<(u128, u64, Option<u64>, u32, u32, u32, u32)>;

async fn between(client: &Client, (start, end): (u64, u64)) -> Relayed {
	let bytes = view_function(client, "BtcRelay", "network_data_between", (start, end)).await;
	Relayed::decode(&mut &bytes[..]).expect("RelayedNetworkData")
}

/// Relays the real headers of `heights` as Eve, in batches of the runtime's bound.
async fn relay(client: &Client, heights: std::ops::RangeInclusive<u32>) {
	let headers: Vec<&[u8]> = heights.map(header).collect();
	for chunk in headers.chunks(BATCH) {
		let batch = Value::unnamed_composite(chunk.iter().map(Value::from_bytes));
		let call = dynamic::tx("BtcRelay", "submit_headers", vec![batch]);
		let events = submit(client, &call, &dev::eve()).await.expect("headers relayed");
		assert!(
			events
				.iter()
				.flatten()
				.any(|event| event.pallet_name() == "BtcRelay"
					&& event.event_name() == "HeadersRelayed"),
			"a HeadersRelayed event"
		);
	}
}

#[tokio::test]
async fn real_headers_relayed_over_rpc_give_the_network_data_of_2024_periods() {
	let dir = TempDir::new("relay");
	let node = Node::start(dir.path(), Sealing::Instant).await;
	let client = node.client().await;
	let relayer = dev::eve();
	let before = free_balance(&client, id(&relayer)).await;

	// Up to a few blocks past 2024-01-10 (its last block is 825,203; six confirmations).
	relay(&client, CHECKPOINT + 1..=825_300).await;
	assert_eq!(
		free_balance(&client, id(&relayer)).await,
		before,
		"headers that extend the best chain are free"
	);
	assert_eq!(tip_height(&client).await, Some(825_300));

	// A day of 2024: the epoch's published difficulty, a 6.25 BTC subsidy, fees not proven.
	let day = between(&client, JAN_10).await.expect("the day is covered");
	let (difficulty, subsidy, fees, first, end, sampled, proven) = day;
	assert_eq!((difficulty, subsidy, fees), (DIFFICULTY_824544, 625_000_000, None));
	assert!(time_of(first - 1) <= JAN_10.0 && time_of(first) > JAN_10.0);
	assert!((120..=180).contains(&(end - first + 1)), "{first}..={end}");
	assert!(sampled >= 5 && proven == 0, "{sampled} sampled");

	// The development oracle's 30-second period at noon that day, through the oracle.
	let noon = JAN_10.0 + 12 * 3_600;
	let period = u32::try_from(noon / DEV_PERIOD).expect("a period index");
	let bytes =
		view_function(&client, "PowOracle", "bitcoin_network_data", (newtype(period.into()),))
			.await;
	let (difficulty, subsidy, ..) =
		Relayed::decode(&mut &bytes[..]).expect("RelayedNetworkData").expect("covered");
	assert_eq!((difficulty, subsidy), (DIFFICULTY_824544, 625_000_000));

	// On to 830,006: the relay keeps the last 2,400 heights, so that day is no longer covered.
	relay(&client, 825_301..=830_006).await;
	assert_eq!(tip_height(&client).await, Some(830_006));
	assert_eq!(between(&client, JAN_10).await, None, "pruned");

	// Block 830,000 alone: its coinbase proven, its fees recovered.
	let span = (time_of(829_999), time_of(830_000) + 1);
	let (_, _, fees, first, end, sampled, _) = between(&client, span).await.expect("covered");
	assert_eq!((first, end, sampled, fees), (830_000, 830_000, 1, None));
	let prove = dynamic::tx(
		"BtcRelay",
		"prove_coinbase",
		vec![Value::from_bytes(COINBASE_830000), Value::from_bytes(PROOF_830000)],
	);
	let events = submit(&client, &prove, &relayer).await.expect("the coinbase proven");
	assert!(events
		.iter()
		.flatten()
		.any(|event| event.pallet_name() == "BtcRelay" && event.event_name() == "CoinbaseProven"));
	let (difficulty, subsidy, fees, ..) = between(&client, span).await.expect("covered");
	assert_eq!((difficulty, subsidy, fees), (DIFFICULTY_828576, 625_000_000, Some(23_268_040)));
	// A forged proof is refused by name.
	let mut forged = PROOF_830000.to_vec();
	forged[80 + 4 + 1 + 32 + 5] ^= 1;
	let forged = dynamic::tx(
		"BtcRelay",
		"prove_coinbase",
		vec![Value::from_bytes(COINBASE_830000), Value::from_bytes(forged)],
	);
	let refused = submit(&client, &forged, &relayer).await.expect_err("refused");
	assert!(refused.contains("MerkleRootMismatch"), "{refused}");
}

/// Runs the agent to completion: at most five minutes (relaying 7,468 headers takes 38
/// transactions, each waiting for finality).
async fn agent(node: &Node, args: &[&str], key_file: &Path) -> AgentRun {
	run_agent(node, args, key_file, std::time::Duration::from_secs(300)).await
}

async fn tip_height(client: &Client) -> Option<u32> {
	let tip = view_function(client, "BtcRelay", "best_tip", ()).await;
	Option::<([u8; 32], u32, [u8; 32])>::decode(&mut &tip[..]).expect("a tip").map(|t| t.1)
}

/// The one-block span of 830,000 (see the first test).
fn span_830000() -> (u64, u64) {
	(time_of(829_999), time_of(830_000) + 1)
}

#[tokio::test]
async fn the_agent_relays_header_files_and_proves_the_sampled_coinbase() {
	let dir = TempDir::new("relay-files");
	let node = Node::start(dir.path(), Sealing::Instant).await;
	let client = node.client().await;
	let key = key_file(dir.path(), "//Ferdie");
	let headers = dir.path().join("headers.bin");
	std::fs::write(&headers, &HEADERS[..(830_006 - FIRST + 1) as usize * 80]).unwrap();
	let proofs = dir.path().join("proofs");
	std::fs::create_dir(&proofs).unwrap();
	std::fs::write(proofs.join("830000.tx"), COINBASE_830000).unwrap();
	std::fs::write(proofs.join("830000.proof"), PROOF_830000).unwrap();
	let (start, end) = span_830000();
	let (start, end) = (start.to_string(), end.to_string());
	let args = [
		"relay",
		"--headers",
		headers.to_str().unwrap(),
		"--proofs",
		proofs.to_str().unwrap(),
		"--prove-span",
		&start,
		&end,
	];
	let run = agent(&node, &args, &key).await;
	assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
	assert!(run.stdout.contains("proving the coinbase of block 830000"), "{}", run.stdout);
	assert_eq!(tip_height(&client).await, Some(830_006));
	let fees = between(&client, span_830000()).await.expect("covered").2;
	assert_eq!(fees, Some(23_268_040));
	// Again: nothing to send.
	let nonce = account_nonce(&client, id(&dev::ferdie())).await;
	let again = agent(&node, &args, &key).await;
	assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
	assert!(again.stdout.contains("relay current"), "{}", again.stdout);
	assert_eq!(account_nonce(&client, id(&dev::ferdie())).await, nonce);
	// A file whose headers do not link is refused by name, before anything is sent.
	let broken = dir.path().join("broken.bin");
	let mut bytes = HEADERS[..800].to_vec();
	bytes[80 + 4] ^= 1;
	std::fs::write(&broken, bytes).unwrap();
	let run = agent(&node, &["relay", "--headers", broken.to_str().unwrap()], &key).await;
	assert_eq!(run.code, 2, "{}", run.stderr);
	assert!(
		run.stderr.contains("header 1") && run.stderr.contains("does not link"),
		"{}",
		run.stderr
	);
}

/// Bitcoin Core's answers (for a [`FakeBitcoind`] with [`COOKIE`]): the real headers up to
/// `tip` and block 830,000's coinbase and proof.
fn answer(tip: u32, method: &str, params: &Json) -> Result<Json, &'static str> {
	let by_hash = |hash: &str| HEIGHTS.get(hash).copied().filter(|h| *h <= tip);
	let coinbase_txid = COINBASE_830000_TXID;
	match method {
		"getblockcount" => Ok(json!(tip)),
		"getblockhash" => {
			let height = params[0].as_u64().unwrap() as u32;
			if (FIRST..=tip).contains(&height) {
				Ok(json!(display_hash(&double_sha256(header(height)))))
			} else {
				Err("Block height out of range")
			}
		},
		"getblockheader" => by_hash(params[0].as_str().unwrap())
			.map(|h| json!(hex(header(h))))
			.ok_or("Block not found"),
		"getblock" => match by_hash(params[0].as_str().unwrap()) {
			Some(830_000) => Ok(json!({"tx": [coinbase_txid]})),
			_ => Err("Block not available"),
		},
		"getrawtransaction" if params[0] == json!(coinbase_txid) => Ok(json!(hex(COINBASE_830000))),
		"gettxoutproof" if params[0] == json!([coinbase_txid]) => Ok(json!(hex(PROOF_830000))),
		_ => Err("unknown"),
	}
}

const COOKIE: &str = "__cookie__:0123abcd";

/// The header file's heights by hash, as Core prints hashes.
static HEIGHTS: std::sync::LazyLock<std::collections::HashMap<String, u32>> =
	std::sync::LazyLock::new(|| {
		(FIRST..FIRST + (HEADERS.len() / 80) as u32)
			.map(|h| (display_hash(&double_sha256(header(h))), h))
			.collect()
	});

/// Block 830,000's coinbase txid (testdata/bitcoin/README.md).
const COINBASE_830000_TXID: &str =
	"1aca4f116105295f434574629379132ae14306392444230737cabb3919100354";

#[tokio::test]
async fn the_agent_relays_from_a_bitcoin_core_node_and_resumes() {
	let dir = TempDir::new("relay-rpc");
	let node = Node::start(dir.path(), Sealing::Instant).await;
	let client = node.client().await;
	let key = key_file(dir.path(), "//Ferdie");
	let tip = Arc::new(AtomicU32::new(823_000));
	let served = tip.clone();
	let bitcoind = FakeBitcoind::start(Some(COOKIE), move |method, params| {
		answer(served.load(Ordering::SeqCst), method, params)
	})
	.await;
	let cookie = dir.path().join(".cookie");
	std::fs::write(&cookie, COOKIE).unwrap();
	let url = bitcoind.url();
	let rpc = ["relay", "--bitcoin-rpc", &url, "--bitcoin-cookie", cookie.to_str().unwrap()];
	let run = agent(&node, &rpc, &key).await;
	assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
	assert_eq!(tip_height(&client).await, Some(823_000));
	// The node moves on; the agent resumes from the chain's tip and proves the coinbase.
	tip.store(830_006, Ordering::SeqCst);
	let (start, end) = span_830000();
	let (start, end) = (start.to_string(), end.to_string());
	let run = agent(&node, &[&rpc[..], &["--prove-span", &start, &end]].concat(), &key).await;
	assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
	assert_eq!(tip_height(&client).await, Some(830_006));
	assert_eq!(between(&client, span_830000()).await.expect("covered").2, Some(23_268_040));
	// Again: nothing to send, nothing signed.
	let nonce = account_nonce(&client, id(&dev::ferdie())).await;
	let again = agent(&node, &[&rpc[..], &["--prove-span", &start, &end]].concat(), &key).await;
	assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
	assert!(again.stdout.contains("relay current"), "{}", again.stdout);
	assert!(!again.stdout.contains("proving"), "{}", again.stdout);
	assert_eq!(account_nonce(&client, id(&dev::ferdie())).await, nonce);
	// A wrong cookie (read again on each call): refused by the node, named, exit code 2.
	std::fs::write(&cookie, "__cookie__:wrong").unwrap();
	let run = agent(&node, &rpc, &key).await;
	assert_eq!(run.code, 2, "{}", run.stderr);
	assert!(run.stderr.contains("unauthorized"), "{}", run.stderr);
}
