//! End-to-end: the node's RPC takes this chain's addresses, refuses bad ones by name and at
//! once, keeps answering under abuse, and the node starts, runs and stops with clean logs.

use hashrate_e2e::{http_rpc, newtype, node_binary, try_http_rpc, within, Node, Sealing, TempDir};
use serde_json::{json, Value as Json};
use std::{
	process::{Command, Stdio},
	time::{Duration, Instant},
};
use subxt::{dynamic, ext::scale_decode::DecodeAsType};

/// Alice (`//Alice`, sr25519) in this chain's format (SS58 prefix 2140).
const ALICE_2140: &str = "fLBPn6ke7jwtrFSe1oZpc1heARXFxjykZ9QHJk7MwQYHpQvFM";
/// Alice in the generic Substrate format (42).
const ALICE_42: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
/// Alice in format 2141, which no network has registered (computed with the SS58 rules:
/// base58 of the two prefix bytes, the key and the first two bytes of
/// blake2b-512("SS58PRE" ++ prefix ++ key)).
const ALICE_2141: &str = "fSZmzeFHvLZsNFCXhme88BNfMnaQnFi3sDbji7rXD3GM2RaKN";
/// Alice in Polkadot's format (0).
const ALICE_POLKADOT: &str = "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5";

/// The methods that take an account.
const ACCOUNT_METHODS: [&str; 3] =
	["system_accountNextIndex", "account_nextIndex", "hashrate_pendingYield"];

fn call(method: &str, params: Json) -> String {
	json!({ "id": 1, "jsonrpc": "2.0", "method": method, "params": params }).to_string()
}

/// The error of a JSON-RPC answer: its code and its message with data.
fn error_of(answer: &Json) -> (i64, String) {
	let error = &answer["error"];
	let code = error["code"].as_i64().unwrap_or_else(|| panic!("not an error: {answer}"));
	(code, format!("{} {}", error["message"], error["data"]))
}

#[tokio::test(flavor = "multi_thread")]
async fn accounts_in_this_chains_and_the_generic_format_and_no_other() {
	let dir = TempDir::new("ss58");
	let node = Node::start(dir.path(), Sealing::Instant).await;
	let port = node.rpc_port;

	for method in ACCOUNT_METHODS {
		let own = http_rpc(port, &call(method, json!([ALICE_2140]))).await;
		let generic = http_rpc(port, &call(method, json!([ALICE_42]))).await;
		assert!(own.get("result").is_some(), "{method} {ALICE_2140}: {own}");
		assert_eq!(own["result"], generic["result"], "{method}: the same account either way");

		let (code, message) = error_of(&http_rpc(port, &call(method, json!([ALICE_2141]))).await);
		assert_eq!(code, -32602, "{method}: {message}");
		assert!(message.contains("unknown format 2141"), "{method}: {message}");
		let (code, message) =
			error_of(&http_rpc(port, &call(method, json!([ALICE_POLKADOT]))).await);
		assert_eq!(code, -32602, "{method}: {message}");
		assert!(
			message.contains("polkadot") && message.contains("format 0"),
			"{method}: {message}"
		);
	}
	// Alice has sealed nothing yet: nonce 0; she holds no series: nothing to claim.
	let nonce = http_rpc(port, &call("system_accountNextIndex", json!([ALICE_2140]))).await;
	assert_eq!(nonce["result"], json!(0));
	let pending = http_rpc(port, &call("hashrate_pendingYield", json!([ALICE_2140]))).await;
	assert_eq!(pending["result"]["totalClaimable"], json!(0), "{pending}");

	// The chain advertises its format, and the key subcommands print it.
	let properties = http_rpc(port, &call("system_properties", json!([]))).await;
	assert_eq!(properties["result"]["ss58Format"], json!(2140), "{properties}");
	let inspect = key_subcommand(&["inspect", "//Alice", "--output-type", "json"]);
	assert_eq!(inspect["ss58Address"], json!(ALICE_2140), "{inspect}");
	assert_eq!(inspect["ss58PublicKey"], json!(ALICE_2140), "{inspect}");
	let generated = key_subcommand(&["generate", "--output-type", "json"]);
	let address = generated["ss58Address"].as_str().expect("an address").to_owned();
	assert!(address.len() == ALICE_2140.len() && address.starts_with('f'), "{generated}");
	// The generated address is one the node takes.
	let nonce = http_rpc(port, &call("system_accountNextIndex", json!([address]))).await;
	assert_eq!(nonce["result"], json!(0), "{nonce}");
}

/// `hashrate-node key <args>`, its JSON output.
fn key_subcommand(args: &[&str]) -> Json {
	let output = Command::new(node_binary()).arg("key").args(args).output().expect("key runs");
	assert!(output.status.success(), "key {args:?}: {}", String::from_utf8_lossy(&output.stderr));
	serde_json::from_slice(&output.stdout).expect("key prints JSON")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_megabyte_address_is_refused_at_once_and_the_node_keeps_answering() {
	let dir = TempDir::new("rpc-cost");
	let node = Node::start(dir.path(), Sealing::Instant).await;
	let port = node.rpc_port;
	let garbage = "1".repeat(1 << 20);

	// One at a time: refused before decoding (decoding it took 222 s).
	for method in ACCOUNT_METHODS {
		let started = Instant::now();
		let answer = http_rpc(port, &call(method, json!([garbage]))).await;
		let (code, message) = error_of(&answer);
		assert_eq!(code, -32602, "{method}: {message}");
		assert!(message.contains("1048576 characters"), "{method}: {message}");
		println!("{method}: 1 MB address refused in {:?}", started.elapsed());
	}

	// A burst of them on 8 connections while a client reads headers: every header request
	// answers while the burst runs, and the burst is done in a bounded time.
	let started = Instant::now();
	let burst = (0..32).map(|i| {
		let request = call(ACCOUNT_METHODS[i % 3], json!([garbage]));
		tokio::spawn(async move { http_rpc(port, &request).await })
	});
	let burst = futures_join(burst.collect());
	let headers = async {
		let mut answered = 0;
		for _ in 0..20 {
			let header = http_rpc(port, &call("chain_getHeader", json!([]))).await;
			assert!(header["result"]["number"].is_string(), "{header}");
			answered += 1;
		}
		answered
	};
	let (answers, headers) =
		tokio::time::timeout(Duration::from_secs(30), async { tokio::join!(burst, headers) })
			.await
			.expect("32 one-megabyte requests and 20 header reads within 30 s");
	for answer in answers {
		let answer = answer.expect("request task");
		assert_eq!(error_of(&answer).0, -32602, "{answer}");
	}
	assert_eq!(headers, 20);
	println!("32 x 1 MB addresses and 20 headers in {:?}", started.elapsed());
}

async fn futures_join<T>(
	handles: Vec<tokio::task::JoinHandle<T>>,
) -> Vec<Result<T, tokio::task::JoinError>> {
	let mut results = Vec::with_capacity(handles.len());
	for handle in handles {
		results.push(handle.await);
	}
	results
}

#[tokio::test(flavor = "multi_thread")]
async fn normal_operation_logs_no_error_or_warning_and_stops_at_once_under_load() {
	let dir = TempDir::new("clean-logs");
	// Plain `--dev` with the node's default log filter: what an operator sees.
	let node = Node::start_with(dir.path(), Sealing::Aura, &["--log", "info"]).await;
	let port = node.rpc_port;
	// Produce and finalize a few blocks: wait for GRANDPA's finalized head to reach #2.
	let rpc = node.rpc_client().await.expect("rpc");
	let mut finalized = within(rpc.subscribe::<Json>(
		"chain_subscribeFinalizedHeads",
		subxt::rpcs::rpc_params![],
		"chain_unsubscribeFinalizedHeads",
	))
	.await
	.expect("finalized heads");
	loop {
		let header = within(finalized.next()).await.expect("a finalized head").expect("a header");
		let number = header["number"].as_str().expect("a number");
		if u64::from_str_radix(number.trim_start_matches("0x"), 16).expect("hex") >= 2 {
			break;
		}
	}
	// The demo facilities' approval time is the first block's (genesis has no clock).
	let client = node.client().await;
	let block_one = http_rpc(port, &call("chain_getBlockHash", json!([1]))).await;
	let block_one: subxt::utils::H256 =
		serde_json::from_value(block_one["result"].clone()).expect("block 1's hash");
	let at = within(client.at_block(block_one)).await.expect("block 1");
	let now = dynamic::storage::<(), u64>("Timestamp", "Now");
	let block_one_secs: u64 =
		within(at.storage().fetch(now, ())).await.expect("Timestamp.Now").decode().expect("u64")
			/ 1_000;
	let facility =
		dynamic::storage::<(dynamic::Value,), FacilityRecord>("Facilities", "Facilities");
	for id in [0u128, 1] {
		let record = within(at.storage().fetch(facility.clone(), (newtype(id),)))
			.await
			.expect("a demo facility")
			.decode()
			.expect("decoding a facility");
		assert_eq!(record.active_since, Some(block_one_secs), "facility {id}");
	}

	// RPC load while it stops: SIGTERM ends it promptly and cleanly.
	let garbage = "1".repeat(400 << 10);
	let load: Vec<_> = (0..8)
		.map(|i| {
			let request = call(ACCOUNT_METHODS[i % 3], json!([garbage]));
			tokio::spawn(async move {
				loop {
					if try_http_rpc(port, &request).await.is_err() {
						break;
					}
				}
			})
		})
		.collect();
	tokio::time::sleep(Duration::from_millis(500)).await;
	let started = Instant::now();
	let status = node.stop().await;
	let stopping = started.elapsed();
	for task in load {
		within(task).await.expect("load task");
	}
	assert!(status.success(), "exit status {status} on SIGTERM");
	assert!(stopping < Duration::from_secs(20), "stopping took {stopping:?}");
	println!("stopped in {stopping:?} under RPC load");
	// The whole run, shutdown included: no warning an operator would have to ignore (errors
	// fail every test through the harness).
	let log = std::fs::read_to_string(dir.path().join("node.log")).expect("node log");
	let warnings: Vec<_> =
		log.lines().filter(|line| hashrate_e2e::log_level(line) == Some("WARN")).collect();
	assert!(warnings.is_empty(), "WARN lines:\n{}", warnings.join("\n"));
	// Levels are shown: the node's start line has its own.
	let log = std::fs::read_to_string(dir.path().join("node.log")).expect("node log");
	let start = log.lines().find(|line| line.contains("Hashrate Chain Node")).expect("start line");
	assert_eq!(hashrate_e2e::log_level(start), Some("INFO"), "{start}");
}

/// The part of a facility record this test reads.
#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct FacilityRecord {
	active_since: Option<u64>,
}

#[tokio::test(flavor = "multi_thread")]
async fn a_locked_or_unusable_base_path_is_refused_with_a_message() {
	let dir = TempDir::new("locked");
	let node = Node::start(dir.path(), Sealing::Instant).await;

	// A second node on the same base path: the database is in use.
	let output = second_node(dir.path().to_str().expect("utf-8 path"));
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert!(!output.status.success(), "a second node on a used base path started");
	assert!(
		stderr.contains("in use by another process")
			&& stderr.contains(dir.path().to_str().unwrap()),
		"no clear message:\n{stderr}"
	);
	drop(node);

	// A base path below a file: it cannot be created.
	let file = dir.path().join("a-file");
	std::fs::write(&file, b"not a directory").expect("write a file");
	let below = file.join("base");
	let output = second_node(below.to_str().expect("utf-8 path"));
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert!(!output.status.success(), "a node started on an unusable base path");
	assert!(
		stderr.contains("cannot use base path") && stderr.contains(below.to_str().unwrap()),
		"no clear message:\n{stderr}"
	);
}

/// Runs `hashrate-node --dev --base-path base` to its exit (bounded: a node that does not
/// exit within 60 s is killed and fails the test).
fn second_node(base: &str) -> std::process::Output {
	let mut child = Command::new(node_binary())
		.args(["--dev", "--base-path", base, "--rpc-port", "0", "--port", "0", "--no-prometheus"])
		.stdin(Stdio::null())
		.stdout(Stdio::piped())
		.stderr(Stdio::piped())
		.spawn()
		.expect("node starts");
	let deadline = Instant::now() + Duration::from_secs(60);
	loop {
		if child.try_wait().expect("waiting").is_some() {
			return child.wait_with_output().expect("output");
		}
		if Instant::now() > deadline {
			let _ = child.kill();
			panic!("the second node did not exit within 60 s");
		}
		std::thread::sleep(Duration::from_millis(100));
	}
}

#[test]
fn the_nodes_own_defaults_show_in_help() {
	let output = Command::new(node_binary()).arg("--help").output().expect("--help runs");
	assert!(output.status.success());
	let help = String::from_utf8_lossy(&output.stdout);
	let default_of = |flag: &str| {
		let at = help.find(&format!("--{flag} ")).unwrap_or_else(|| panic!("--{flag} in --help"));
		let rest = &help[at..];
		let start = rest.find("[default: ").unwrap_or_else(|| panic!("--{flag} has a default"));
		let value = &rest[start + 10..];
		value[..value.find(']').expect("closing bracket")].to_owned()
	};
	assert_eq!(default_of("pool-type"), "single-state");
	assert_eq!(default_of("pool-limit"), "16384");
	assert_eq!(default_of("pool-kbytes"), "40960");
	assert_eq!(default_of("rpc-max-request-size"), "8");
	assert_eq!(default_of("rpc-max-response-size"), "16");
	assert_eq!(default_of("rpc-rate-limit"), "6000");
	assert_eq!(default_of("rpc-max-batch-request-len"), "64");
}
