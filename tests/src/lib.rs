//! Harness for end-to-end tests: starts the real `hashrate-node` binary on free ports with a
//! base path of its own, waits until its RPC answers, and connects a `subxt` client.
//!
//! The node's stdout and stderr go to `node.log` in its base path; when a test panics the
//! log is printed, so a failure shows what the node did. Every node's log is checked when the
//! node is dropped: a line at level ERROR, or a panic, fails the test (unless the test
//! provoked that exact message on purpose, [`Node::allow_error`]). Nodes run with levels on
//! every line (the node's default).

use serde_json::Value as Json;
use std::{
	fs::File,
	net::TcpListener,
	path::{Path, PathBuf},
	process::{Child, Command, ExitStatus, Stdio},
	time::{Duration, Instant},
};
use subxt::{
	client::{ClientAtBlock, OfflineClientAtBlockT},
	config::{DefaultExtrinsicParamsBuilder, RpcConfigFor},
	dynamic,
	ext::scale_decode::DecodeAsType,
	rpcs::{methods::LegacyRpcMethods, rpc_params, RpcClient},
	OnlineClient, PolkadotConfig,
};

pub use subxt;
pub use subxt_signer;
use subxt_signer::{
	sr25519::{dev, Keypair},
	SecretUri,
};

/// The upgrade-test runtime's wasm (this chain's runtime with `spec_version` one higher,
/// built from `runtime/upgrade-test` by this crate's build script): what the network tests'
/// runtime upgrade installs. `None` when built with `SKIP_WASM_BUILD`.
pub const UPGRADE_WASM: Option<&[u8]> = upgrade_wasm::WASM_BINARY;

#[allow(dead_code)]
mod upgrade_wasm {
	include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));
}

/// The client configuration: this chain signs and addresses like Polkadot
/// (`MultiAddress<AccountId32, ()>`, `MultiSignature`, BLAKE2-256, u32 block numbers).
pub type ChainConfig = PolkadotConfig;
/// A connected client.
pub type Client = OnlineClient<ChainConfig>;
/// Raw RPC methods (chain_getFinalizedHead and friends).
pub type Rpc = LegacyRpcMethods<RpcConfigFor<ChainConfig>>;

/// The longest any single wait in these tests may take.
pub const WAIT: Duration = Duration::from_secs(90);

/// One token in plancks (the runtime's `UNIT`: 12 decimals).
pub const UNIT: u128 = 1_000_000_000_000;

/// How the node under test seals blocks (its `--sealing` flag).
#[derive(Clone, Copy, Debug)]
pub enum Sealing {
	/// Aura + GRANDPA, 6 s slots: the real consensus path.
	Aura,
	/// A block per transaction, finalized at once.
	Instant,
	/// A block when `engine_createBlock` asks for one.
	Manual,
}

/// The `hashrate-node` binary under test: `$HASHRATE_NODE_BIN`, else the release build in
/// `$CARGO_TARGET_DIR` (or the workspace's `target/`).
pub fn node_binary() -> PathBuf {
	if let Some(bin) = std::env::var_os("HASHRATE_NODE_BIN") {
		return PathBuf::from(bin);
	}
	let target = std::env::var_os("CARGO_TARGET_DIR")
		.map(PathBuf::from)
		.unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
	target.join("release").join("hashrate-node")
}

/// The `hashrate-agent` binary under test: `$HASHRATE_AGENT_BIN`, else the one built next to
/// the node ([`node_binary`]).
pub fn agent_binary() -> PathBuf {
	if let Some(bin) = std::env::var_os("HASHRATE_AGENT_BIN") {
		return PathBuf::from(bin);
	}
	node_binary().with_file_name("hashrate-agent")
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0")
		.and_then(|listener| listener.local_addr())
		.map(|addr| addr.port())
		.expect("the OS hands out a free loopback port")
}

/// A fresh, empty directory under the system temp dir, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
	/// Creates `hashrate-e2e-<name>-<pid>-<nanos>`.
	pub fn new(name: &str) -> Self {
		let nanos = std::time::SystemTime::now()
			.duration_since(std::time::UNIX_EPOCH)
			.map(|d| d.as_nanos())
			.unwrap_or_default();
		let path = std::env::temp_dir()
			.join(format!("hashrate-e2e-{name}-{}-{nanos}", std::process::id()));
		std::fs::create_dir_all(&path).expect("temp dir is writable");
		Self(path)
	}

	/// The directory.
	pub fn path(&self) -> &Path {
		&self.0
	}
}

impl Drop for TempDir {
	fn drop(&mut self) {
		let _ = std::fs::remove_dir_all(&self.0);
	}
}

/// A running `hashrate-node --dev`.
pub struct Node {
	child: Option<Child>,
	log: PathBuf,
	allowed_errors: Vec<String>,
	/// Its RPC port (WebSocket and HTTP).
	pub rpc_port: u16,
	/// Its Prometheus port.
	pub prometheus_port: u16,
}

impl Node {
	/// Starts `hashrate-node --dev` with `base_path` and `sealing`, and waits until its RPC
	/// answers `system_health` (or fails, printing the log, if the node exits or does not
	/// answer within [`WAIT`]).
	pub async fn start(base_path: &Path, sealing: Sealing) -> Node {
		Self::start_with(base_path, sealing, &[]).await
	}

	/// [`Node::start`] with `extra` flags after the harness's own.
	pub async fn start_with(base_path: &Path, sealing: Sealing, extra: &[&str]) -> Node {
		let bin = node_binary();
		assert!(
			bin.exists(),
			"node binary {} not found: build it first (scripts/test.sh does)",
			bin.display()
		);
		let rpc_port = free_port();
		let prometheus_port = free_port();
		let log = base_path.join("node.log");
		let log_file = File::options().create(true).append(true).open(&log).expect("log file");
		let mut command = Command::new(&bin);
		command
			.arg("--dev")
			.arg("--base-path")
			.arg(base_path)
			.args(["--rpc-port", &rpc_port.to_string()])
			.args(["--port", &free_port().to_string()])
			.args(["--prometheus-port", &prometheus_port.to_string()])
			.arg("--no-mdns")
			.args(["--log", "info,runtime=debug"])
			.stdin(Stdio::null())
			.stdout(log_file.try_clone().expect("log file handle"))
			.stderr(log_file);
		match sealing {
			Sealing::Aura => {},
			Sealing::Instant => {
				command.args(["--sealing", "instant"]);
			},
			Sealing::Manual => {
				command.args(["--sealing", "manual"]);
			},
		}
		command.args(extra);
		let child = command.spawn().unwrap_or_else(|e| panic!("starting {}: {e}", bin.display()));
		let mut node =
			Node { child: Some(child), log, allowed_errors: Vec::new(), rpc_port, prometheus_port };
		node.wait_for_rpc().await;
		node
	}

	/// The node's WebSocket RPC address.
	pub fn url(&self) -> String {
		format!("ws://127.0.0.1:{}", self.rpc_port)
	}

	/// What the node logged so far.
	pub fn log(&self) -> String {
		std::fs::read_to_string(&self.log).unwrap_or_else(|e| format!("<no log: {e}>"))
	}

	/// Lets the node log `message` at level ERROR: the exact message (after `target: `) of a
	/// line the test provokes on purpose.
	pub fn allow_error(&mut self, message: &str) {
		self.allowed_errors.push(message.to_owned());
	}

	/// The lines of the log so far that fail a test: level ERROR (unless allowed) or a panic.
	pub fn log_failures(&self) -> Vec<String> {
		log_failures(&self.log(), &self.allowed_errors)
	}

	/// The lines of the log so far at level `level` (`"WARN"`, `"ERROR"`, ...).
	pub fn log_lines_at(&self, level: &str) -> Vec<String> {
		self.log().lines().filter(|line| log_level(line) == Some(level)).map(String::from).collect()
	}

	async fn wait_for_rpc(&mut self) {
		let deadline = Instant::now() + WAIT;
		loop {
			if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
				panic!("node exited with {status} before its RPC answered");
			}
			if let Ok(rpc) = self.rpc().await {
				if rpc.system_health().await.is_ok() {
					return;
				}
			}
			assert!(Instant::now() < deadline, "node RPC did not answer within {WAIT:?}");
			// Nothing to await before the server listens: retry the connection shortly.
			tokio::time::sleep(Duration::from_millis(100)).await;
		}
	}

	/// A raw RPC connection.
	pub async fn rpc(&self) -> Result<Rpc, subxt::rpcs::Error> {
		Ok(LegacyRpcMethods::new(self.rpc_client().await?))
	}

	/// An untyped RPC connection, for methods without a typed wrapper.
	pub async fn rpc_client(&self) -> Result<RpcClient, subxt::rpcs::Error> {
		RpcClient::from_insecure_url(self.url()).await
	}

	/// A subxt client connected to the node.
	pub async fn client(&self) -> Client {
		within(Client::from_insecure_url(self.url()))
			.await
			.unwrap_or_else(|e| panic!("connecting subxt to {}: {e}", self.url()))
	}

	/// Sends SIGTERM and waits for the node to exit, returning its exit status.
	pub async fn stop(mut self) -> ExitStatus {
		let mut child = self.child.take().expect("node is running");
		let pid = child.id() as libc::pid_t;
		// SAFETY: `kill` only sends a signal to our own child process.
		let sent = unsafe { libc::kill(pid, libc::SIGTERM) };
		assert_eq!(sent, 0, "sending SIGTERM to node {pid}");
		let deadline = Instant::now() + WAIT;
		loop {
			if let Some(status) = child.try_wait().expect("waiting for the node") {
				return status;
			}
			assert!(Instant::now() < deadline, "node did not exit within {WAIT:?} of SIGTERM");
			// A child's exit cannot be awaited without a reaper thread; poll it briefly.
			tokio::time::sleep(Duration::from_millis(50)).await;
		}
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		if let Some(mut child) = self.child.take() {
			let _ = child.kill();
			let _ = child.wait();
		}
		if std::thread::panicking() {
			eprintln!(
				"===== node log ({}) =====\n{}\n===== end of node log =====",
				self.log.display(),
				self.log()
			);
			return;
		}
		let failures = self.log_failures();
		assert!(
			failures.is_empty(),
			"the node logged {} error line(s) ({}):\n{}",
			failures.len(),
			self.log.display(),
			failures.join("\n")
		);
	}
}

/// The level of a node log line in the node's format (`date time LEVEL thread target:
/// message`), if it has one.
pub fn log_level(line: &str) -> Option<&str> {
	line.split_whitespace()
		.nth(2)
		.filter(|level| ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"].contains(level))
}

/// The lines of `log` that fail a test: level ERROR, unless the message after the target is
/// exactly one of `allowed`, and any panic.
pub fn log_failures(log: &str, allowed: &[String]) -> Vec<String> {
	log.lines()
		.filter(|line| {
			if line.contains("panicked") {
				return true;
			}
			if log_level(line) != Some("ERROR") {
				return false;
			}
			let message = line.split_once(": ").map_or("", |(_, message)| message);
			!allowed.iter().any(|allowed| allowed == message)
		})
		.map(String::from)
		.collect()
}

/// Awaits `future` for at most [`WAIT`], panicking on timeout.
pub async fn within<F: std::future::IntoFuture>(future: F) -> F::Output {
	tokio::time::timeout(WAIT, future).await.expect("timed out waiting")
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct AccountInfo {
	data: AccountData,
}

/// An account's balances (`System.Account`'s `data`).
#[derive(Debug, Default, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
pub struct AccountData {
	/// Free balance.
	pub free: u128,
	/// Held (and reserved) balance: deposits of the domain pallets are holds.
	pub reserved: u128,
}

/// The development chain's payout asset (BTC, 1 unit = 1 sat).
pub const PAYOUT_ASSET: u32 = 1;

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct AssetAccount {
	balance: u128,
}

/// An account's payout-asset balance in sats at the latest finalized block (0 without one).
pub async fn btc_balance(client: &Client, account: [u8; 32]) -> u128 {
	let at = within(client.at_current_block()).await.expect("finalized block");
	let address = dynamic::storage::<(u32, [u8; 32]), AssetAccount>("Assets", "Account");
	within(at.storage().try_fetch(address, (PAYOUT_ASSET, account)))
		.await
		.expect("reading Assets.Account")
		.map_or(0, |value| value.decode().expect("decoding an asset account").balance)
}

/// An account's nonce at the latest finalized block: its transactions included so far.
pub async fn account_nonce(client: &Client, account: [u8; 32]) -> u64 {
	let at = within(client.at_current_block()).await.expect("finalized block");
	within(at.transactions().account_nonce(&subxt::utils::AccountId32(account)))
		.await
		.expect("reading the account nonce")
}

/// An account's free balance at the latest finalized block (0 if it does not exist).
pub async fn free_balance(client: &Client, account: [u8; 32]) -> u128 {
	account_data(client, account).await.free
}

/// An account's balances at the latest finalized block (zero if it does not exist).
pub async fn account_data(client: &Client, account: [u8; 32]) -> AccountData {
	let at = within(client.at_current_block()).await.expect("finalized block");
	account_data_at(&at, account).await
}

/// An account's free balance at a given block (0 if it does not exist).
pub async fn free_balance_at<C>(
	at: &subxt::client::ClientAtBlock<ChainConfig, C>,
	account: [u8; 32],
) -> u128
where
	C: subxt::client::OnlineClientAtBlockT<ChainConfig>,
{
	account_data_at(at, account).await.free
}

/// An account's balances at a given block (zero if it does not exist).
pub async fn account_data_at<C>(
	at: &subxt::client::ClientAtBlock<ChainConfig, C>,
	account: [u8; 32],
) -> AccountData
where
	C: subxt::client::OnlineClientAtBlockT<ChainConfig>,
{
	let address = dynamic::storage::<([u8; 32],), AccountInfo>("System", "Account");
	match within(at.storage().try_fetch(address, (account,))).await.expect("reading System.Account")
	{
		Some(value) => value.decode().expect("decoding AccountInfo").data,
		None => AccountData::default(),
	}
}

/// A fresh account only this test uses.
pub fn account(name: &str) -> Keypair {
	let uri: SecretUri = format!("//HashrateE2E//{name}").parse().expect("valid derivation path");
	Keypair::from_uri(&uri).expect("valid key")
}

/// The account id of a key.
pub fn id(keypair: &Keypair) -> [u8; 32] {
	keypair.public_key().0
}

/// `Balances.transfer_keep_alive(to, amount)`.
pub fn transfer_keep_alive(to: &Keypair, amount: u128) -> impl subxt::tx::Payload {
	dynamic::transaction(
		"Balances",
		"transfer_keep_alive",
		(to.public_key().to_address::<()>(), amount),
	)
}

/// Alice funds `to` with `amount` and waits for finality.
pub async fn fund(client: &Client, to: &Keypair, amount: u128) {
	let at = within(client.at_current_block()).await.unwrap();
	within(
		within(
			at.transactions().sign_and_submit_then_watch_default(
				&transfer_keep_alive(to, amount),
				&dev::alice(),
			),
		)
		.await
		.expect("funding transfer submitted")
		.wait_for_finalized_success(),
	)
	.await
	.expect("funding transfer succeeded");
}

/// Signs `call` with `signer`, waits for finality and returns its events, or the reason it
/// was not accepted or did not succeed (the dispatch error's message).
pub async fn submit(
	client: &Client,
	call: &impl subxt::tx::Payload,
	signer: &Keypair,
) -> Result<subxt::extrinsics::ExtrinsicEvents<ChainConfig>, String> {
	let at = within(client.at_current_block()).await.expect("finalized block");
	let progress = within(at.transactions().sign_and_submit_then_watch_default(call, signer))
		.await
		.map_err(|e| format!("not accepted: {e}"))?;
	within(progress.wait_for_finalized_success()).await.map_err(|e| e.to_string())
}

/// Lower-case hex of `bytes`, without `0x`.
pub fn hex(bytes: &[u8]) -> String {
	bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bitcoin's double SHA-256.
pub fn double_sha256(data: &[u8]) -> [u8; 32] {
	sp_crypto_hashing::sha2_256(&sp_crypto_hashing::sha2_256(data))
}

/// A hash as Bitcoin Core prints it (byte-reversed hex).
pub fn display_hash(hash: &[u8; 32]) -> String {
	hash.iter().rev().map(|b| format!("{b:02x}")).collect()
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
	const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	let mut out = String::new();
	for chunk in bytes.chunks(3) {
		let n =
			chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
		for i in 0..4 {
			out.push(if i <= chunk.len() {
				ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char
			} else {
				'='
			});
		}
	}
	out
}

/// What `hashrate-agent` printed and how it exited.
pub struct AgentRun {
	/// Exit code (-1: killed by a signal).
	pub code: i32,
	/// Standard output.
	pub stdout: String,
	/// Standard error.
	pub stderr: String,
}

/// Runs `hashrate-agent args --url <node> --key-file key_file` to completion, at most
/// `limit`, with no signing or Bitcoin credentials taken from the environment.
pub async fn run_agent(node: &Node, args: &[&str], key_file: &Path, limit: Duration) -> AgentRun {
	let output = tokio::time::timeout(
		limit,
		tokio::process::Command::new(agent_binary())
			.args(args)
			.args(["--url", &node.url()])
			.arg("--key-file")
			.arg(key_file)
			.env_remove("HASHRATE_AGENT_SURI")
			.env_remove("HASHRATE_AGENT_BITCOIN_AUTH")
			.stdin(Stdio::null())
			.output(),
	)
	.await
	.unwrap_or_else(|_| panic!("the agent finished within {limit:?}"))
	.expect("running the agent");
	AgentRun {
		code: output.status.code().unwrap_or(-1),
		stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
		stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
	}
}

/// A key file for the agent in `dir` holding `uri`, readable by its owner only (the agent
/// refuses others).
pub fn agent_key_file(dir: &Path, uri: &str) -> PathBuf {
	use std::os::unix::fs::PermissionsExt;
	let path = dir.join("agent.key");
	std::fs::write(&path, format!("{uri}\n")).unwrap();
	std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
	path
}

/// How a [`FakeBitcoind`] answers a JSON-RPC call: `method`, `params` -> result, or an error
/// message (sent with Core's code -5, "not found").
pub type BitcoindAnswer = dyn Fn(&str, &Json) -> Result<Json, &'static str> + Send + Sync;

/// A fake Bitcoin Core JSON-RPC server on a free local port: HTTP/1.1, one call per
/// connection, optionally with basic authentication (`user:password`, e.g. a cookie).
pub struct FakeBitcoind {
	/// Its port on 127.0.0.1.
	pub port: u16,
}

impl FakeBitcoind {
	/// Serves `answer` until the test ends.
	pub async fn start(
		auth: Option<&'static str>,
		answer: impl Fn(&str, &Json) -> Result<Json, &'static str> + Send + Sync + 'static,
	) -> Self {
		let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
		let port = listener.local_addr().unwrap().port();
		let answer: std::sync::Arc<BitcoindAnswer> = std::sync::Arc::new(answer);
		tokio::spawn(async move {
			while let Ok((stream, _)) = listener.accept().await {
				tokio::spawn(Self::serve(stream, auth, answer.clone()));
			}
		});
		Self { port }
	}

	/// Its URL.
	pub fn url(&self) -> String {
		format!("http://127.0.0.1:{}", self.port)
	}

	async fn serve(
		mut stream: tokio::net::TcpStream,
		auth: Option<&'static str>,
		answer: std::sync::Arc<BitcoindAnswer>,
	) {
		use tokio::io::{AsyncReadExt, AsyncWriteExt};
		let mut request = Vec::new();
		let mut buffer = [0u8; 4096];
		let body = loop {
			let n = stream.read(&mut buffer).await.unwrap_or(0);
			if n == 0 {
				return;
			}
			request.extend_from_slice(&buffer[..n]);
			let text = String::from_utf8_lossy(&request).into_owned();
			if let Some((head, body)) = text.split_once("\r\n\r\n") {
				let length = head
					.lines()
					.find_map(|l| {
						l.to_ascii_lowercase()
							.strip_prefix("content-length:")
							.map(|v| v.trim().parse::<usize>().unwrap())
					})
					.unwrap_or(0);
				if body.len() >= length {
					let authorized = auth.is_none_or(|auth| {
						head.contains(&format!("Authorization: Basic {}", base64(auth.as_bytes())))
					});
					if !authorized {
						let _ = stream
							.write_all(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n")
							.await;
						return;
					}
					break body.to_owned();
				}
			}
		};
		let call: Json = serde_json::from_str(&body).unwrap();
		let reply = match answer(call["method"].as_str().unwrap_or_default(), &call["params"]) {
			Ok(result) => serde_json::json!({"result": result, "error": null, "id": call["id"]}),
			Err(message) => serde_json::json!({
				"result": null,
				"error": {"code": -5, "message": message},
				"id": call["id"],
			}),
		}
		.to_string();
		let answer = format!(
			"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{reply}",
			reply.len()
		);
		let _ = stream.write_all(answer.as_bytes()).await;
	}
}

/// The bytes of a hex string, with or without `0x`.
pub fn unhex(text: &str) -> Result<Vec<u8>, String> {
	let digits = text.trim_start_matches("0x");
	if !digits.len().is_multiple_of(2) {
		return Err(format!("odd-length hex: {text}"));
	}
	(0..digits.len())
		.step_by(2)
		.map(|i| u8::from_str_radix(&digits[i..i + 2], 16).map_err(|e| format!("hex {text}: {e}")))
		.collect()
}

/// `author_rotateKeysWithOwner(owner)` on a node: new session keys in its keystore, returned
/// as the public keys (Aura 32 bytes ++ GRANDPA 32 bytes) and the proof that `owner`'s node
/// holds them.
pub async fn rotate_keys_with_owner(
	rpc: &RpcClient,
	owner: [u8; 32],
) -> Result<(Vec<u8>, Vec<u8>), String> {
	let answer: serde_json::Value = within(rpc.request(
		"author_rotateKeysWithOwner",
		subxt::rpcs::rpc_params![format!("0x{}", hex(&owner))],
	))
	.await
	.map_err(|e| format!("author_rotateKeysWithOwner: {e}"))?;
	let field = |name: &str| unhex(answer[name].as_str().ok_or(format!("no {name} in {answer}"))?);
	let keys = field("keys")?;
	if keys.len() != 64 {
		return Err(format!("session keys are 64 bytes (Aura + GRANDPA), got {}", keys.len()));
	}
	Ok((keys, field("proof")?))
}

/// `Session.set_keys(keys, proof)` with keys as [`rotate_keys_with_owner`] returns them.
pub fn set_keys(keys: &[u8], proof: &[u8]) -> impl subxt::tx::Payload {
	let (aura, grandpa) = keys.split_at(keys.len().min(32));
	dynamic::transaction(
		"Session",
		"set_keys",
		(
			dynamic::Value::named_composite([
				("aura", dynamic::Value::from_bytes(aura)),
				("grandpa", dynamic::Value::from_bytes(grandpa)),
			]),
			dynamic::Value::from_bytes(proof),
		),
	)
}

/// A key from a secret URI such as `//Alice//stash`.
pub fn key(uri: &str) -> Keypair {
	Keypair::from_uri(&uri.parse::<SecretUri>().expect("uri")).expect("key")
}

/// A unit newtype (`Hashrate`, `Sats`, `FacilityId`, ...) as a dynamic value.
pub fn newtype(value: u128) -> dynamic::Value {
	dynamic::Value::unnamed_composite([dynamic::Value::u128(value)])
}

/// The development preset's period length, seconds.
pub const DEV_PERIOD: u64 = 30;
/// Late-2025 difficulty the tests feed.
pub const DIFFICULTY: u128 = 149_301_205_959_699;
/// Late-2025 reward per block (subsidy + fees), sats.
pub const REWARD: u128 = 315_800_000;

/// A `PeriodOutput` of demo facility 0 for a 30 s development period: `ths` TH/s at 98 %
/// uptime and a 2 % pool fee, 14 kWh (the fleet needs 13.75 at 15 J/TH; its 2,000 kW deliver
/// 16.6), and exactly the network expectation of bitcoin.
pub fn dev_output(ths: u128) -> dynamic::Value {
	dev_output_at(ths, DIFFICULTY)
}

/// [`dev_output`] for a period whose network data has `difficulty` (and [`REWARD`]).
pub fn dev_output_at(ths: u128, difficulty: u128) -> dynamic::Value {
	let milli = ths * 1_000;
	let gross = milli * 1_000_000_000 * u128::from(DEV_PERIOD) * REWARD / (difficulty << 32);
	let net = gross * 980 / 1_000;
	dynamic::Value::named_composite([
		("hashrate", newtype(milli)),
		("sats", newtype(net)),
		("energy", newtype(14)),
		("uptime", dynamic::Value::u128(980)),
		("pool_fee", dynamic::Value::u128(20)),
		("evidence", dynamic::Value::from_bytes([0x42; 32])),
	])
}

/// The chain's clock (`Timestamp.Now`) at the latest finalized block, unix seconds.
pub async fn chain_now(client: &Client) -> u64 {
	let at = within(client.at_current_block()).await.expect("finalized block");
	let address = dynamic::storage::<(), u64>("Timestamp", "Now");
	let millis: u64 = within(at.storage().fetch(address, ()))
		.await
		.expect("reading Timestamp.Now")
		.decode()
		.expect("u64");
	millis / 1_000
}

/// Submits `call` until it stops failing with `waiting_error` (each attempt seals a block,
/// which moves chain time by at least one 6 s slot), at most `attempts` times; returns the
/// events of the attempt that succeeded and how many attempts it took.
pub async fn submit_once_past(
	client: &Client,
	call: &impl subxt::tx::Payload,
	signer: &Keypair,
	waiting_error: &str,
	attempts: u32,
) -> (subxt::extrinsics::ExtrinsicEvents<ChainConfig>, u32) {
	for attempt in 1..=attempts {
		match submit(client, call, signer).await {
			Ok(events) => return (events, attempt),
			Err(error) if error.contains(waiting_error) => continue,
			Err(error) => panic!("unexpected error: {error}"),
		}
	}
	panic!("still {waiting_error} after {attempts} attempts");
}

/// Makes demo facility 0's `period` final at `ths` TH/s on a development chain:
/// [`report_and_attest`], then `make_final` submitted once the challenge window has passed.
pub async fn make_dev_period_final(client: &Client, period: u32, ths: u128) {
	report_and_attest(client, period, ths).await;
	let period_value = dynamic::Value::u128(period.into());
	let make_final = dynamic::transaction("PowOracle", "make_final", (newtype(0), period_value));
	submit_once_past(client, &make_final, &dev::alice(), "ChallengeWindowOpen", 10).await;
}

/// What a facility and its attestors submit for demo facility 0's `period` at `ths` TH/s on
/// a development chain: Alice, Bob and Charlie feed network data (fixing it), Eve (its
/// reporter key) reports, the three stash attestors attest — which finalizes it.
pub async fn report_and_attest(client: &Client, period: u32, ths: u128) {
	feed_dev_network_data(client, period).await;
	let period_value = || dynamic::Value::u128(period.into());
	let report =
		dynamic::transaction("PowOracle", "report", (newtype(0), period_value(), dev_output(ths)));
	submit(client, &report, &dev::eve()).await.expect("Eve reports");
	let attest =
		dynamic::transaction("PowOracle", "attest", (newtype(0), period_value(), dev_output(ths)));
	for attestor in ["//Alice//stash", "//Bob//stash", "//Charlie//stash"] {
		submit(client, &attest, &key(attestor)).await.expect("attestation");
	}
}

/// Alice, Bob and Charlie feed `period`'s network data (the tests' late-2025 values, at once):
/// the third feed completes the set and fixes it.
pub async fn feed_dev_network_data(client: &Client, period: u32) {
	let data = dynamic::Value::named_composite([
		("difficulty", newtype(DIFFICULTY)),
		("reward_per_block", newtype(REWARD)),
	]);
	let feed = dynamic::transaction(
		"PowOracle",
		"feed_network_data",
		(dynamic::Value::u128(period.into()), data),
	);
	let feeders = [dev::alice(), dev::bob(), dev::charlie()];
	for result in
		futures::future::join_all(feeders.iter().map(|feeder| submit(client, &feed, feeder))).await
	{
		result.expect("network data fed");
	}
}

/// Sets the development chain's report window to eight minutes (sudo; the other windows as
/// the preset has them). The chain closes every facility's period when its window closes —
/// a silent one defaults, which costs the facility its backing and, three in a row, its
/// status — so a test whose facility reports only the periods it needs keeps both for
/// eight minutes of chain time.
pub async fn lengthen_report_window(client: &Client) {
	let timing = dynamic::Value::named_composite([
		("report_window", dynamic::Value::u128(480)),
		("quorum_extension", dynamic::Value::u128(30)),
		("challenge_window", dynamic::Value::u128(12)),
		("resolution_window", dynamic::Value::u128(60)),
	]);
	let set_timing = dynamic::Value::unnamed_variant(
		"PowOracle",
		[dynamic::Value::named_variant("set_timing", [("timing", timing)])],
	);
	submit(client, &dynamic::transaction("Sudo", "sudo", (set_timing,)), &dev::alice())
		.await
		.expect("report window set");
}

/// On a chain that seals by itself (`--seal-every`): checks `done` at the latest finalized
/// block and at each new one, until it returns `Some` (returned) — at most `blocks` blocks,
/// each awaited for at most [`WAIT`]; panics naming `what` after that.
pub async fn until_finalized<T, F, Fut>(node: &Node, what: &str, blocks: u32, mut done: F) -> T
where
	F: FnMut() -> Fut,
	Fut: std::future::Future<Output = Option<T>>,
{
	let rpc = node.rpc_client().await.expect("rpc client");
	let mut heads = within(rpc.subscribe::<serde_json::Value>(
		"chain_subscribeFinalizedHeads",
		subxt::rpcs::rpc_params![],
		"chain_unsubscribeFinalizedHeads",
	))
	.await
	.expect("subscribing to finalized heads");
	for _ in 0..blocks {
		if let Some(value) = done().await {
			return value;
		}
		within(heads.next()).await.expect("the head stream ended").expect("a finalized head");
	}
	panic!("{what}: not within {blocks} blocks");
}

/// Price of one token of a series [`issue_dev_series`] issues, sats.
pub const SERIES_PRICE: u128 = 1_000;
/// Hashrate per token of such a series: 100 TH/s, in milli-TH/s.
pub const SERIES_HASHRATE_PER_TOKEN: u128 = 100_000;
/// Collateral its issuer (Charlie) locks, sats.
pub const SERIES_COLLATERAL: u128 = 1_000_000;
/// What demo facility 0 reports for its backing period, TH/s.
pub const BACKING_THS: u128 = 110_000;

/// `who`'s units of `series` at the latest finalized block.
pub async fn tokens(client: &Client, who: &Keypair, series: u32) -> u128 {
	let at = within(client.at_current_block()).await.expect("finalized block");
	let address = dynamic::storage::<([u8; 32], u32), u128>("HashrateTokens", "Holdings");
	within(at.storage().try_fetch(address, (id(who), series)))
		.await
		.expect("reading HashrateTokens.Holdings")
		.map_or(0, |value| value.decode().expect("u128"))
}

/// Whether demo facility 0 has a backing (a final period) at the latest finalized block.
pub async fn has_backing(client: &Client) -> bool {
	let at = within(client.at_current_block()).await.expect("finalized block");
	let address = dynamic::storage::<(u32,), dynamic::Value>("HashrateTokens", "Backings");
	within(at.storage().try_fetch(address, (0u32,)))
		.await
		.expect("reading HashrateTokens.Backings")
		.is_some()
}

/// On a development chain sealing by itself (`--seal-every`, each block moving chain time by
/// a 6 s slot), with the report window lengthened ([`lengthen_report_window`]): demo facility
/// 0 gets a backing (its last ended period reported and attested at [`BACKING_THS`]; the
/// chain makes it final), and its operator Charlie issues series 0 of `periods` periods of
/// 100 TH/s tokens: an offering closing in two minutes of chain time, Bob subscribes 300 and
/// Ferdie 200, [`SERIES_COLLATERAL`] locked. Waits until the chain closed the offering and
/// minted, and returns the term's first period (a period after the close, not started yet).
pub async fn issue_dev_series(node: &Node, client: &Client, periods: u32) -> u32 {
	let (bob, charlie, ferdie) = (dev::bob(), dev::charlie(), dev::ferdie());
	let backing_period = u32::try_from(chain_now(client).await / DEV_PERIOD - 1).unwrap();
	report_and_attest(client, backing_period, BACKING_THS).await;
	until_finalized(node, "the backing period made final", 60, || async move {
		has_backing(client).await.then_some(())
	})
	.await;

	let closes = chain_now(client).await + 120;
	let first_period = u32::try_from(closes.div_ceil(DEV_PERIOD) + 1).unwrap();
	let value = dynamic::Value::u128;
	let terms = dynamic::Value::named_composite([
		("name", dynamic::Value::from_bytes(b"Nordic Hydro Yield")),
		("symbol", dynamic::Value::from_bytes(b"NHY")),
		("decimals", value(0)),
		("hashrate_per_token", newtype(SERIES_HASHRATE_PER_TOKEN)),
		("first_period", newtype(first_period.into())),
		("last_period", newtype((first_period + periods - 1).into())),
		("cost_per_th_day", newtype(0)),
		("supply_cap", value(1_000)),
		("min_balance", value(1)),
	]);
	let series = || newtype(0);
	let create = dynamic::transaction("HashrateTokens", "create_series", (newtype(0), terms));
	submit(client, &create, &charlie).await.expect("series created");
	let offering = dynamic::Value::named_composite([
		("price", value(SERIES_PRICE)),
		("closes", value(closes.into())),
		("soft_cap", value(100)),
		("hard_cap", value(1_000)),
		("min_subscription", value(1)),
	]);
	let open = dynamic::transaction("HashrateTokens", "open_offering", (series(), offering));
	submit(client, &open, &charlie).await.expect("offering opened");
	let subscribe =
		|units: u128| dynamic::transaction("HashrateTokens", "subscribe", (series(), value(units)));
	submit(client, &subscribe(300), &bob).await.expect("Bob subscribes");
	submit(client, &subscribe(200), &ferdie).await.expect("Ferdie subscribes");
	let collateral = dynamic::transaction(
		"HashrateTokens",
		"add_collateral",
		(series(), value(SERIES_COLLATERAL)),
	);
	submit(client, &collateral, &charlie).await.expect("collateral locked");

	// The chain closes the offering at its close time and mints.
	let bob = &bob;
	until_finalized(node, "the offering closed", 120, || async move {
		(tokens(client, bob, 0).await == 300).then_some(())
	})
	.await;
	assert_eq!(tokens(client, &ferdie, 0).await, 200);
	assert!(chain_now(client).await < u64::from(first_period) * DEV_PERIOD);
	first_period
}

/// Calls view function `pallet.function(args)` at the latest finalized block through the
/// `RuntimeViewFunction_execute_view_function` runtime API and returns its SCALE-encoded
/// result.
///
/// subxt 0.51's `view_functions().call` passes the arguments without the length prefix of
/// the API's `input: Vec<u8>` parameter (the runtime answers "Codec error") and decodes the
/// answer without its `Result<Vec<u8>, _>` wrapping, so the call is framed here: subxt
/// encodes the query id and arguments from the metadata, this adds the prefix and unwraps.
pub async fn view_function(
	client: &Client,
	pallet: &str,
	function: &str,
	args: impl subxt::ext::frame_decode::view_functions::IntoEncodableValues,
) -> Vec<u8> {
	use subxt::ext::codec::{Compact, Decode, Encode};
	let at = within(client.at_current_block()).await.expect("finalized block");
	let payload = dynamic::view_function_call::<_, ()>(pallet, function, args);
	let encoded = at.view_functions().encode_args(&payload).expect("encoding the arguments");
	let (query_id, input) = encoded.split_at(32);
	let mut params = query_id.to_vec();
	Compact(u32::try_from(input.len()).expect("small input")).encode_to(&mut params);
	params.extend_from_slice(input);
	let raw = within(at.view_functions().call_raw(Some(&params)))
		.await
		.expect("calling the view function");
	let (&ok, rest) = raw.split_first().expect("a Result");
	assert_eq!(ok, 0, "the view function failed: {raw:?}");
	Vec::<u8>::decode(&mut &rest[..]).expect("the encoded result")
}

/// One JSON-RPC request over plain HTTP (a new connection each time, as `curl` would send it):
/// the answer's JSON, or why there is none (connection refused or closed, not JSON).
pub async fn try_http_rpc(port: u16, body: &str) -> Result<serde_json::Value, String> {
	let body = body.to_owned();
	tokio::task::spawn_blocking(move || {
		use std::io::{Read, Write};
		let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))
			.map_err(|e| format!("connecting to port {port}: {e}"))?;
		stream.set_read_timeout(Some(WAIT)).map_err(|e| e.to_string())?;
		let head = format!(
			"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
			 Content-Length: {}\r\nConnection: close\r\n\r\n",
			body.len()
		);
		stream.write_all(head.as_bytes()).map_err(|e| format!("sending: {e}"))?;
		stream.write_all(body.as_bytes()).map_err(|e| format!("sending: {e}"))?;
		let mut response = Vec::new();
		stream.read_to_end(&mut response).map_err(|e| format!("reading: {e}"))?;
		let response = String::from_utf8_lossy(&response);
		let (head, payload) =
			response.split_once("\r\n\r\n").ok_or_else(|| format!("not HTTP: {response}"))?;
		let status = head.lines().next().unwrap_or_default();
		if !status.contains(" 200 ") {
			return Err(format!("HTTP status {status}: {payload}"));
		}
		serde_json::from_str(payload).map_err(|e| format!("not JSON ({e}): {payload}"))
	})
	.await
	.map_err(|e| format!("request task: {e}"))?
}

/// [`try_http_rpc`], panicking without an answer.
pub async fn http_rpc(port: u16, body: &str) -> serde_json::Value {
	try_http_rpc(port, body).await.unwrap_or_else(|e| panic!("{body:.200}: {e}"))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn error_lines_fail_unless_allowed_exactly() {
		let log = "2026-12-01 16:00:00.001  INFO main sc_cli::runner: Hashrate Chain Node\n\
			2026-12-01 16:00:00.002  WARN main sc_service: a warning\n\
			2026-12-01 16:00:00.003 ERROR tokio-runtime-worker txpool: provoked on purpose\n\
			2026-12-01 16:00:00.004 ERROR main sc_service: something broke\n\
			Thread 'main' panicked at src/main.rs:1:1";
		let allowed = vec!["provoked on purpose".to_owned()];
		let failures = log_failures(log, &allowed);
		assert_eq!(failures.len(), 2, "{failures:?}");
		assert!(failures[0].ends_with("something broke"));
		assert!(failures[1].contains("panicked"));
		assert_eq!(log_failures(log, &["provoked".to_owned()]).len(), 3, "exact messages only");
		assert_eq!(log_level(log.lines().nth(1).unwrap()), Some("WARN"));
		assert_eq!(log_level("no level here at all"), None);
	}
}

/// How a watched transaction ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
	/// Finalized in this block.
	Finalized(String),
	/// Reported to the watcher as leaving the pool: `dropped`, `invalid`, `usurped`, ...
	Left(String),
	/// Neither within the caller's bound: lost without a word.
	Silent,
}

/// Signs `call` by `signer` with `nonce` and `tip` against `at`'s metadata: hex, for
/// `author_submit*`.
pub fn sign<C: OfflineClientAtBlockT<ChainConfig>>(
	at: &ClientAtBlock<ChainConfig, C>,
	call: &impl subxt::tx::Payload,
	signer: &Keypair,
	nonce: u64,
	tip: u128,
) -> String {
	let params = DefaultExtrinsicParamsBuilder::<ChainConfig>::new().nonce(nonce).tip(tip).build();
	let mut signable =
		at.transactions().create_signable_offline(call, params).expect("a signable transaction");
	let transaction = signable.sign(signer).expect("signed");
	format!("0x{}", hex(&transaction.into_encoded()))
}

/// `author_submitAndWatchExtrinsic(xt)`: `Err` if refused, else a future of how it ended.
pub async fn submit_and_watch(
	rpc: RpcClient,
	xt: String,
) -> Result<impl std::future::Future<Output = Outcome>, String> {
	let mut statuses = rpc
		.subscribe::<Json>(
			"author_submitAndWatchExtrinsic",
			rpc_params![xt],
			"author_unwatchExtrinsic",
		)
		.await
		.map_err(|e| e.to_string())?;
	Ok(async move {
		while let Some(status) = statuses.next().await {
			let status = match status {
				Ok(status) => status,
				Err(error) => return Outcome::Left(format!("subscription error: {error}")),
			};
			if let Some(block) = status.get("finalized").and_then(Json::as_str) {
				return Outcome::Finalized(block.to_owned());
			}
			let ended = ["usurped", "finalityTimeout"].iter().any(|key| status.get(key).is_some())
				|| status == "dropped"
				|| status == "invalid";
			if ended {
				return Outcome::Left(status.to_string());
			}
		}
		Outcome::Left("the subscription ended without a final status".into())
	})
}
