//! End-to-end: `hashrate-agent`, the binary facilities, attestors and feeders run, against the
//! real node (instant sealing plus a block a second: each block moves chain time by a 6 s
//! slot, so a 30 s period passes in five blocks).
//!
//! - A facility's period goes the whole way through the agent: three feeders feed the
//!   period's network data, the facility's reporter key reports it from a pool statement and
//!   meter readings in the documented formats, three attestors attest it from the same files,
//!   the chain makes it final, `deposit` pays exactly what the series owes and the holders'
//!   claimable yield is their share of it.
//! - `watch` killed with SIGKILL right after it submitted a report, and restarted, does not
//!   report that period again, reports the next one, and its metrics say so.
//! - Every bad input — a malformed statement, a period mismatch, a unit mistake, output the
//!   physics checks refuse, a missing or exposed key, a key that may not report — gets its
//!   error and exit code, and nothing is submitted.

use hashrate_e2e::{
	account_nonce, agent_binary, chain_now, id, issue_dev_series, lengthen_report_window, submit,
	until_finalized, within, Client, Node, Sealing, TempDir, BACKING_THS, DEV_PERIOD, DIFFICULTY,
	REWARD,
};
use serde_json::Value as Json;
use std::{
	path::{Path, PathBuf},
	process::Stdio,
};
use subxt::{dynamic, ext::scale_value::At as _, rpcs::rpc_params};
use subxt_signer::sr25519::dev;

/// What the agent printed and how it exited.
#[derive(Debug)]
struct Run {
	code: i32,
	stdout: String,
	stderr: String,
}

/// How the agent gets its key.
enum Key<'a> {
	/// `$HASHRATE_AGENT_SURI`.
	Env(&'a str),
	/// `--key-file`.
	File(&'a Path),
	/// Neither.
	None,
}

/// Runs `hashrate-agent args --url <node>` to completion.
async fn agent(node: &Node, args: &[&str], key: Key<'_>) -> Run {
	let mut command = tokio::process::Command::new(agent_binary());
	command.args(args).args(["--url", &node.url()]).env_remove("HASHRATE_AGENT_SURI");
	match key {
		Key::Env(uri) => {
			command.env("HASHRATE_AGENT_SURI", uri);
		},
		Key::File(path) => {
			command.arg("--key-file").arg(path);
		},
		Key::None => {},
	}
	let output = within(command.stdin(Stdio::null()).output()).await.expect("running the agent");
	Run {
		code: output.status.code().unwrap_or(-1),
		stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
		stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
	}
}

/// Sats of a 30 s development period at `ths` TH/s after a 2 % pool fee: the network
/// expectation the physics checks centre on (what `dev_output` reports).
fn period_sats(ths: u128) -> u128 {
	let gross = ths * 1_000 * 1_000_000_000 * u128::from(DEV_PERIOD) * REWARD / (DIFFICULTY << 32);
	gross * 980 / 1_000
}

fn btc(sats: u128) -> String {
	format!("{}.{:08}", sats / 100_000_000, sats % 100_000_000)
}

/// Writes `period`'s pool statement (CSV: two 15 s intervals at `ths` TH/s, `sats` credited
/// after a 2 % fee) and meter readings (14 kWh over the period) into `dir`.
fn write_period(dir: &Path, period: u32, ths: u128, sats: u128) -> (PathBuf, PathBuf) {
	let start = u64::from(period) * DEV_PERIOD;
	let (first, second) = (sats / 2, sats - sats / 2);
	let fee = |reward: u128| reward * 20 / 980;
	let ph = format!("{}.{:03}", ths / 1_000, ths % 1_000);
	let statement = format!(
		"# pool statement, facility 0, period {period}\n\
		 start,hash_rate,hash_rate_unit,reward,fee\n\
		 {start},{ph},PH/s,{},{}\n\
		 {},{ph},PH/s,{},{}\n",
		btc(first),
		btc(fee(first)),
		start + 15,
		btc(second),
		btc(fee(second)),
	);
	let meter = format!(
		"time,kwh\n{},4986.0\n{start},5000.0\n{},5014.0\n",
		start - DEV_PERIOD,
		start + DEV_PERIOD
	);
	let (statement_file, meter_file) =
		(dir.join(format!("{period}.csv")), dir.join(format!("{period}.meter.csv")));
	std::fs::write(&statement_file, statement).expect("statement written");
	std::fs::write(&meter_file, meter).expect("meter written");
	(statement_file, meter_file)
}

/// Whether facility 0's `period` has a report on chain (or a finalized output).
async fn reported(client: &Client, period: u32) -> bool {
	let at = within(client.at_current_block()).await.expect("finalized block");
	let rounds = dynamic::storage::<(u32, u32), dynamic::Value>("PowOracle", "Rounds");
	let round = within(at.storage().try_fetch(rounds, (0u32, period))).await.expect("Rounds");
	if let Some(round) = round {
		let round = round.decode().expect("a round");
		return round.at("report").is_some_and(|report| report.to_string().starts_with("Some"));
	}
	let outputs = dynamic::storage::<(u32, u32), dynamic::Value>("PowOracle", "Outputs");
	within(at.storage().try_fetch(outputs, (0u32, period))).await.expect("Outputs").is_some()
}

/// Waits until chain time reaches `time`.
async fn until_time(node: &Node, client: &Client, time: u64) {
	until_finalized(node, "chain time", 100, || async move {
		(chain_now(client).await >= time).then_some(())
	})
	.await;
}

async fn yield_rpc(
	node: &Node,
	method: &str,
	params: subxt::rpcs::client::RpcParams,
) -> Option<Json> {
	let rpc = node.rpc_client().await.expect("rpc client");
	within(rpc.request::<Json>(method, params)).await.ok().filter(|answer| !answer.is_null())
}

/// Governance gives facilities ten minutes to pay (the preset's one minute is ten blocks here,
/// ten seconds of wall time); the other rules as the preset has them.
async fn lengthen_payment_window(client: &Client) {
	let rules = dynamic::Value::named_composite([
		("payment_window", dynamic::Value::u128(600)),
		("defaults_before_suspension", dynamic::Value::u128(3)),
		("default_window", dynamic::Value::u128(30)),
		("fee_per_mill", dynamic::Value::u128(20)),
	]);
	let set_rules = dynamic::Value::unnamed_variant(
		"RealYield",
		[dynamic::Value::named_variant("set_rules", [("rules", rules)])],
	);
	submit(client, &dynamic::transaction("Sudo", "sudo", (set_rules,)), &dev::alice())
		.await
		.expect("payment window set");
}

#[tokio::test(flavor = "multi_thread")]
async fn feeds_report_attestations_and_deposit_pay_the_holders() {
	let dir = TempDir::new("agent-period");
	let node = Node::start_with(dir.path(), Sealing::Instant, &["--seal-every", "1000"]).await;
	let client = node.client().await;
	lengthen_report_window(&client).await;
	lengthen_payment_window(&client).await;
	let (node, client) = (&node, &client);
	let period = issue_dev_series(node, client, 2).await;
	let sats = period_sats(BACKING_THS);
	let (statement, meter) = write_period(dir.path(), period, BACKING_THS, sats);
	let (statement, meter) = (statement.to_str().unwrap(), meter.to_str().unwrap());
	let period_arg = period.to_string();
	until_time(node, client, u64::from(period + 1) * DEV_PERIOD).await;

	// Three feeders fix the period's network data.
	let (difficulty, reward) = (DIFFICULTY.to_string(), REWARD.to_string());
	let feed = ["feed", "--period", &period_arg, "--difficulty", &difficulty];
	for feeder in ["//Alice", "//Bob", "//Charlie"] {
		let run =
			agent(node, &[&feed[..], &["--reward-per-block", &reward]].concat(), Key::Env(feeder))
				.await;
		assert_eq!(run.code, 0, "{run:?}");
		assert!(run.stdout.contains("PowOracle.NetworkDataFed"), "{run:?}");
	}

	// The facility's reporter key (Eve), from a key file only its owner may read.
	let key_file = dir.path().join("eve.key");
	std::fs::write(&key_file, "//Eve\n").unwrap();
	use std::os::unix::fs::PermissionsExt;
	std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
	let files =
		["--facility", "0", "--period", &period_arg, "--statement", statement, "--meter", meter];
	let run = agent(node, &[&["report"][..], &files].concat(), Key::File(&key_file)).await;
	assert_eq!(run.code, 0, "{run:?}");
	assert!(run.stdout.contains("verdict: every physics check passes"), "{run:?}");
	assert!(run.stdout.contains(&format!("sats      claimed {sats}, expected {sats}")), "{run:?}");
	assert!(run.stdout.contains("hashrate  claimed 110000000 milli-TH/s"), "{run:?}");
	assert!(run.stdout.contains("PowOracle.Reported"), "{run:?}");
	assert!(reported(client, period).await);

	// Not final yet: `deposit` finds nothing owed.
	let run = agent(node, &["deposit", "--series", "0"], Key::Env("//Charlie")).await;
	assert_eq!(run.code, 0, "{run:?}");
	assert!(run.stdout.contains("nothing owed now"), "{run:?}");

	// Three attestors attest from their own reading of the same files; the third completes
	// the round.
	for (i, attestor) in ["//Alice//stash", "//Bob//stash", "//Charlie//stash"].iter().enumerate() {
		let run = agent(node, &[&["attest"][..], &files].concat(), Key::Env(attestor)).await;
		assert_eq!(run.code, 0, "{run:?}");
		assert!(run.stdout.contains("PowOracle.Attested"), "{run:?}");
		assert_eq!(run.stdout.contains("PowOracle.Finalized"), i == 2, "{run:?}");
	}

	// The chain makes it final after its challenge window and records what the series owes.
	let params = || rpc_params![0u32, period];
	let owed = until_finalized(node, "the period's obligation recorded", 40, || async move {
		yield_rpc(node, "hashrate_periodYield", params()).await
	})
	.await;
	let owed = owed["owed"].as_u64().expect("owed") as u128;
	assert!(owed > 0);
	let run = agent(node, &["deposit", "--series", "0"], Key::Env("//Charlie")).await;
	assert_eq!(run.code, 0, "{run:?}");
	assert!(
		run.stdout.contains(&format!("owes {owed} sats, collected 0, outstanding {owed}")),
		"{run:?}"
	);
	assert!(run.stdout.contains("RealYield.PeriodSettled"), "{run:?}");
	let report = yield_rpc(node, "hashrate_periodYield", params()).await.expect("periodYield");
	assert_eq!(report["status"], Json::from("Paid"), "{report}");
	assert_eq!(report["paid"], Json::from(owed as u64), "{report}");
	let distributed = report["distributed"].as_u64().expect("distributed") as u128;
	assert_eq!(distributed, owed - owed * 20 / 1_000);
	// Nothing is left to pay.
	let charlie = account_nonce(client, id(&dev::charlie())).await;
	let run = agent(node, &["deposit", "--series", "0"], Key::Env("//Charlie")).await;
	assert_eq!(run.code, 0, "{run:?}");
	assert!(run.stdout.contains("nothing owed now"), "{run:?}");
	assert_eq!(account_nonce(client, id(&dev::charlie())).await, charlie);

	// Bob held 300 of the 500 units all period, Ferdie 200.
	for (holder, units) in [(dev::bob(), 300), (dev::ferdie(), 200)] {
		let account = subxt::utils::AccountId32(id(&holder)).to_string();
		let pending = yield_rpc(node, "hashrate_pendingYield", rpc_params![account])
			.await
			.expect("pendingYield");
		assert_eq!(
			pending["totalClaimable"],
			Json::from((distributed * units / 500) as u64),
			"{pending}"
		);
	}

	// The next period through the facility's daemon, signing as its operator (Charlie): it
	// reports the period when it ends, and pays what it owes once the chain made it final.
	let next = period + 1;
	let statements = dir.path().join("statements");
	std::fs::create_dir_all(&statements).unwrap();
	let (next_statement, next_meter) = write_period(&statements, next, BACKING_THS, sats);
	let log = dir.path().join("watch.log");
	let mut watch = Daemon(spawn_watch(
		node,
		&statements,
		hashrate_e2e::free_port(),
		&log,
		"//Charlie",
		&["--series", "0"],
	));
	until_finalized(node, "the daemon reporting the next period", 60, || async move {
		reported(client, next).await.then_some(())
	})
	.await;
	let next_arg = next.to_string();
	let feed = ["feed", "--period", &next_arg, "--difficulty", &difficulty];
	for feeder in ["//Alice", "//Bob", "//Charlie"] {
		let args = [&feed[..], &["--reward-per-block", &reward]].concat();
		assert_eq!(agent(node, &args, Key::Env(feeder)).await.code, 0);
	}
	let (next_statement, next_meter) =
		(next_statement.to_str().unwrap(), next_meter.to_str().unwrap());
	let files = [
		"--facility",
		"0",
		"--period",
		&next_arg,
		"--statement",
		next_statement,
		"--meter",
		next_meter,
	];
	for attestor in ["//Alice//stash", "//Bob//stash", "//Charlie//stash"] {
		let run = agent(node, &[&["attest"][..], &files].concat(), Key::Env(attestor)).await;
		assert_eq!(run.code, 0, "{run:?}");
	}
	let params = || rpc_params![0u32, next];
	let report = until_finalized(node, "the daemon paying the next period", 60, || async move {
		let report = yield_rpc(node, "hashrate_periodYield", params()).await?;
		(report["status"] == "Paid").then_some(report)
	})
	.await;
	assert_eq!(report["paid"], report["owed"], "{report}");
	let log = read(&log);
	assert!(log.contains("depositing what the period owes"), "{log}");
	// SAFETY: `kill` only sends a signal to our own child process.
	assert_eq!(unsafe { libc::kill(watch.0.id() as libc::pid_t, libc::SIGTERM) }, 0);
	let status = watch.0.wait().expect("the daemon exits");
	assert!(status.success(), "{status}");
}

/// The agent's daemon for facility 0 signing with `key`, its stderr going to `log`.
fn spawn_watch(
	node: &Node,
	statements: &Path,
	metrics_port: u16,
	log: &Path,
	key: &str,
	extra: &[&str],
) -> std::process::Child {
	let log = std::fs::File::create(log).expect("agent log");
	std::process::Command::new(agent_binary())
		.args(["watch", "--facility", "0", "--statements"])
		.arg(statements)
		.args(["--metrics", &format!("127.0.0.1:{metrics_port}"), "--url", &node.url()])
		.args(extra)
		.env("HASHRATE_AGENT_SURI", key)
		.env("RUST_LOG", "info")
		.stdin(Stdio::null())
		.stdout(Stdio::null())
		.stderr(log)
		.spawn()
		.expect("starting hashrate-agent watch")
}

fn read(path: &Path) -> String {
	std::fs::read_to_string(path).unwrap_or_default()
}

/// One `GET /metrics`.
async fn metrics(port: u16) -> String {
	tokio::task::spawn_blocking(move || {
		use std::io::{Read, Write};
		let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("metrics port");
		stream.set_read_timeout(Some(hashrate_e2e::WAIT)).unwrap();
		write!(stream, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
			.unwrap();
		let mut response = String::new();
		stream.read_to_string(&mut response).expect("metrics response");
		response
	})
	.await
	.expect("metrics request")
}

/// Seals a block, finalizes it (`--sealing manual`) and waits until `client` sees it as the
/// finalized head (polled: the RPC answers when the block is imported, and the client learns
/// of it from its subscription a moment later).
async fn seal(node: &Node, client: &Client) {
	let rpc = node.rpc_client().await.expect("rpc client");
	let sealed =
		within(rpc.request::<Json>("engine_createBlock", rpc_params![true, true, None::<String>]))
			.await
			.expect("engine_createBlock");
	let deadline = std::time::Instant::now() + hashrate_e2e::WAIT;
	loop {
		let at = within(client.at_current_block()).await.expect("finalized block");
		if sealed["hash"].as_str() == Some(format!("{:?}", at.block_hash()).as_str()) {
			return;
		}
		assert!(std::time::Instant::now() < deadline, "{sealed} not finalized");
		tokio::time::sleep(std::time::Duration::from_millis(20)).await;
	}
}

/// Waits until `log` (a file another process writes) has `needle` `times` times: polled, as
/// nothing announces a line.
async fn until_logged(log: &Path, needle: &str, times: usize) {
	let deadline = std::time::Instant::now() + hashrate_e2e::WAIT;
	while read(log).matches(needle).count() < times {
		assert!(
			std::time::Instant::now() < deadline,
			"`{needle}` not logged {times} time(s) within {:?}:\n{}",
			hashrate_e2e::WAIT,
			read(log)
		);
		tokio::time::sleep(std::time::Duration::from_millis(50)).await;
	}
}

/// Kills a spawned agent when dropped, so a failing test leaves no daemon behind.
struct Daemon(std::process::Child);

impl Drop for Daemon {
	fn drop(&mut self) {
		let _ = self.0.kill();
		let _ = self.0.wait();
	}
}

/// With blocks sealed only when the test asks (so a transaction waits in the pool as long as
/// the test wants): `watch` submits a period's report and is killed with SIGKILL while the
/// report is still in the pool; restarted, it sees the key's transaction pending and signs
/// nothing, sees the report on chain once a block includes it, and reports only the next
/// period. Eve's nonce counts one report per period.
#[tokio::test(flavor = "multi_thread")]
async fn watch_killed_and_restarted_never_reports_a_period_twice() {
	let dir = TempDir::new("agent-watch");
	let node = Node::start(dir.path(), Sealing::Manual).await;
	let client = node.client().await;
	let (node, client) = (&node, &client);
	seal(node, client).await;
	let statements = dir.path().join("statements");
	std::fs::create_dir_all(&statements).unwrap();
	let period = u32::try_from(chain_now(client).await / DEV_PERIOD - 1).unwrap();
	write_period(&statements, period, BACKING_THS, period_sats(BACKING_THS));
	let eve = id(&dev::eve());
	let port = hashrate_e2e::free_port();
	let (first_log, second_log) = (dir.path().join("watch-1.log"), dir.path().join("watch-2.log"));

	// The daemon finds the files (used once unchanged for a block), reports at the next block
	// and waits for finality; it is killed while the report is in the pool.
	let mut watch = Daemon(spawn_watch(node, &statements, port, &first_log, "//Eve", &[]));
	until_logged(&first_log, "files found or changed", 1).await;
	seal(node, client).await;
	until_logged(&first_log, "submitted; waiting for finality", 1).await;
	watch.0.kill().expect("SIGKILL");
	watch.0.wait().expect("killed");
	let rpc = node.rpc_client().await.expect("rpc client");
	let pool: Vec<Json> =
		within(rpc.request("author_pendingExtrinsics", rpc_params![])).await.expect("pool");
	assert_eq!(pool.len(), 1, "the report waits in the pool");
	assert!(!reported(client, period).await);

	// Restarted: the key has a transaction in flight, so it signs nothing.
	let _watch = Daemon(spawn_watch(node, &statements, port, &second_log, "//Eve", &[]));
	until_logged(&second_log, "pending", 1).await;
	seal(node, client).await;
	assert!(reported(client, period).await);
	until_logged(&second_log, &format!("already reported on chain facility=0 period={period}"), 1)
		.await;
	assert_eq!(account_nonce(client, eve).await, 1);

	// The next period: reported once it ended, by the restarted daemon.
	write_period(&statements, period + 1, BACKING_THS, period_sats(BACKING_THS));
	let next_end = u64::from(period + 2) * DEV_PERIOD;
	for _ in 0..20 {
		if chain_now(client).await >= next_end {
			break;
		}
		seal(node, client).await;
	}
	assert!(chain_now(client).await >= next_end);
	until_logged(&second_log, "files found or changed", 1).await;
	seal(node, client).await;
	until_logged(&second_log, "submitted; waiting for finality", 1).await;
	seal(node, client).await;
	let submitted = "hashrate_agent_submissions_total{kind=\"report\"} 1";
	let deadline = std::time::Instant::now() + hashrate_e2e::WAIT;
	let exposed = loop {
		let exposed = metrics(port).await;
		if exposed.contains(submitted) {
			break exposed;
		}
		assert!(std::time::Instant::now() < deadline, "{exposed}");
		tokio::time::sleep(std::time::Duration::from_millis(50)).await;
	};
	assert!(reported(client, period + 1).await);
	assert_eq!(account_nonce(client, eve).await, 2, "one report per period, none twice");
	let log = read(&second_log);
	assert_eq!(log.matches("submitting report").count(), 1, "{log}");
	assert!(
		exposed.contains(&format!("hashrate_agent_last_period_reported {}", period + 1)),
		"{exposed}"
	);
	// SIGTERM stops it cleanly.
	let mut watch = _watch;
	// SAFETY: `kill` only sends a signal to our own child process.
	assert_eq!(unsafe { libc::kill(watch.0.id() as libc::pid_t, libc::SIGTERM) }, 0);
	let status = watch.0.wait().expect("the daemon exits");
	assert!(status.success(), "{status}");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_gets_its_error_and_submits_nothing() {
	let dir = TempDir::new("agent-bad-input");
	let node = Node::start(dir.path(), Sealing::Instant).await;
	let client = node.client().await;
	let node = &node;
	// A first block (by Dave, who plays no part) moves the chain's clock from zero to now.
	let remark = dynamic::transaction("System", "remark", (dynamic::Value::from_bytes(b"tick"),));
	submit(&client, &remark, &dev::dave()).await.expect("a first block");
	let period = u32::try_from(chain_now(&client).await / DEV_PERIOD - 1).unwrap();
	let sats = period_sats(BACKING_THS);
	let (good_statement, meter) = write_period(dir.path(), period, BACKING_THS, sats);
	let good = std::fs::read_to_string(&good_statement).unwrap();
	let file = |name: &str, text: &str| {
		let path = dir.path().join(name);
		std::fs::write(&path, text).unwrap();
		path
	};
	let period_arg = period.to_string();
	let meter = meter.to_str().unwrap().to_owned();
	let report = |statement: &Path| {
		[
			"report",
			"--facility",
			"0",
			"--period",
			&period_arg,
			"--statement",
			statement.to_str().unwrap(),
			"--meter",
			&meter,
		]
		.map(String::from)
	};
	let run = |args: [String; 9], key: Key<'static>| async move {
		let args: Vec<&str> = args.iter().map(String::as_str).collect();
		agent(node, &args, key).await
	};

	// A malformed number, named by file and line.
	let malformed = file("malformed.csv", &good.replacen(",PH/s,0.", ",PH/s,0.x", 1));
	let out = run(report(&malformed), Key::Env("//Eve")).await;
	assert_eq!(out.code, 2, "{out:?}");
	assert!(out.stderr.contains("malformed.csv:3:"), "{out:?}");
	// A statement of another period.
	let start = u64::from(period) * DEV_PERIOD;
	let shifted = good.replace(&format!("\n{start},"), &format!("\n{},", start - DEV_PERIOD));
	let out = run(report(&file("other-period.csv", &shifted)), Key::Env("//Eve")).await;
	assert_eq!(out.code, 2, "{out:?}");
	assert!(out.stderr.contains("other-period.csv:3:"), "{out:?}");
	// A unit mistake: rewards in sats where BTC belongs.
	let in_sats = good.replacen(&btc(sats / 2), &(sats / 2).to_string(), 1);
	let out = run(report(&file("in-sats.csv", &in_sats)), Key::Env("//Eve")).await;
	assert_eq!(out.code, 2, "{out:?}");
	assert!(out.stderr.contains("in-sats.csv:3:"), "{out:?}");
	// An unknown hashrate unit.
	let out = run(report(&file("unit.csv", &good.replace("PH/s", "PH"))), Key::Env("//Eve")).await;
	assert_eq!(out.code, 2, "{out:?}");
	assert!(out.stderr.contains("unit.csv:3:"), "{out:?}");
	// Twice the bitcoin the network pays that hashrate: the physics checks say which bound.
	let double_dir = dir.path().join("double");
	std::fs::create_dir_all(&double_dir).unwrap();
	let (double, _) = write_period(&double_dir, period, BACKING_THS, sats * 2);
	let out = run(report(&double), Key::Env("//Eve")).await;
	assert_eq!(out.code, 3, "{out:?}");
	assert!(out.stdout.contains("sats      claimed"), "{out:?}");
	assert!(out.stdout.contains("FAILS"), "{out:?}");
	assert!(out.stderr.contains("SatsImplausible"), "{out:?}");
	// No key, an exposed key file, a key that is not the facility's reporter.
	let out = run(report(&good_statement), Key::None).await;
	assert_eq!(out.code, 2, "{out:?}");
	assert!(out.stderr.contains("no signing key"), "{out:?}");
	let exposed = file("exposed.key", "//Eve");
	let out = agent(
		node,
		&["deposit", "--series", "0", "--key-file", exposed.to_str().unwrap()],
		Key::None,
	)
	.await;
	assert_eq!(out.code, 2, "{out:?}");
	assert!(out.stderr.contains("readable by others"), "{out:?}");
	let out = run(report(&good_statement), Key::Env("//Ferdie")).await;
	assert_eq!(out.code, 3, "{out:?}");
	assert!(out.stderr.contains("PowOracle::NotReporter"), "{out:?}");
	// A dry run of the right report passes and sends nothing.
	let mut dry = report(&good_statement).to_vec();
	dry.push("--dry-run".into());
	let dry: Vec<&str> = dry.iter().map(String::as_str).collect();
	let out = agent(node, &dry, Key::Env("//Eve")).await;
	assert_eq!(out.code, 0, "{out:?}");
	assert!(out.stdout.contains("dry run: the chain would accept PowOracle.report"), "{out:?}");
	// Feeds out of range, a series that does not exist.
	let out = agent(
		node,
		&["feed", "--period", &period_arg, "--difficulty", "0", "--reward-per-block", "1"],
		Key::Env("//Alice"),
	)
	.await;
	assert_eq!(out.code, 2, "{out:?}");
	let out = agent(node, &["deposit", "--series", "9"], Key::Env("//Charlie")).await;
	assert_eq!(out.code, 3, "{out:?}");
	assert!(out.stderr.contains("no series 9"), "{out:?}");

	// Nothing reached the chain.
	for who in [dev::eve(), dev::ferdie(), dev::alice(), dev::charlie()] {
		assert_eq!(account_nonce(&client, id(&who)).await, 0);
	}
	assert!(!reported(&client, period).await);
}

/// Without a node to talk to, `watch` keeps retrying, waiting longer each time (1 s, 2 s,
/// ...), counts each failure in its metrics and stops cleanly on SIGTERM.
#[tokio::test(flavor = "multi_thread")]
async fn watch_without_a_node_retries_with_backoff() {
	let dir = TempDir::new("agent-backoff");
	let (port, metrics_port) = (hashrate_e2e::free_port(), hashrate_e2e::free_port());
	let log = dir.path().join("watch.log");
	let mut watch = Daemon(
		std::process::Command::new(agent_binary())
			.args(["watch", "--facility", "0", "--statements"])
			.arg(dir.path())
			.args(["--metrics", &format!("127.0.0.1:{metrics_port}")])
			.args(["--url", &format!("ws://127.0.0.1:{port}")])
			.env("HASHRATE_AGENT_SURI", "//Eve")
			.stdin(Stdio::null())
			.stdout(Stdio::null())
			.stderr(std::fs::File::create(&log).expect("agent log"))
			.spawn()
			.expect("starting hashrate-agent watch"),
	);
	until_logged(&log, "reconnecting", 2).await;
	let log_text = read(&log);
	assert!(log_text.contains("retry_in=1s") && log_text.contains("retry_in=2s"), "{log_text}");
	let exposed = metrics(metrics_port).await;
	assert!(exposed.contains("hashrate_agent_failures_total{kind=\"rpc\"} 2"), "{exposed}");
	// SAFETY: `kill` only sends a signal to our own child process.
	assert_eq!(unsafe { libc::kill(watch.0.id() as libc::pid_t, libc::SIGTERM) }, 0);
	let status = watch.0.wait().expect("the daemon exits");
	assert!(status.success(), "{status}");
}
