//! `relay`: keeps the chain's Bitcoin header relay current and proves the coinbases its fee
//! samples need, from a Bitcoin Core node's JSON-RPC interface or from files.
//!
//! Idempotent: every pass starts from what the chain has (its best tip, the sample's proven
//! flags), so a restart resumes and a second relayer sends nothing twice.

use crate::{
	chain::{self, AtBlock, Chain},
	ops::{self, Failure},
};
use serde_json::{json, Value as Json};
use std::{
	collections::HashMap,
	path::{Path, PathBuf},
	time::Duration,
};
use subxt::{dynamic::Value, ext::scale_decode::DecodeAsType};
use subxt_signer::sr25519::Keypair;

/// A raw 80-byte Bitcoin header.
pub type RawHeader = [u8; 80];

/// Double SHA-256, internal byte order.
pub fn double_sha256(data: &[u8]) -> [u8; 32] {
	sp_crypto_hashing::sha2_256(&sp_crypto_hashing::sha2_256(data))
}

/// A hash in the byte order Bitcoin Core prints.
pub fn display(hash: &[u8; 32]) -> String {
	hash.iter().rev().map(|b| format!("{b:02x}")).collect()
}

fn from_display(text: &str) -> Result<[u8; 32], String> {
	let bytes = unhex(text)?;
	let mut hash: [u8; 32] = bytes.try_into().map_err(|_| format!("{text}: not a 32-byte hash"))?;
	hash.reverse();
	Ok(hash)
}

/// Bytes of a hex string (surrounding whitespace ignored).
pub fn unhex(text: &str) -> Result<Vec<u8>, String> {
	let text = text.trim();
	if !text.len().is_multiple_of(2) {
		return Err(format!("odd-length hex ({} characters)", text.len()));
	}
	(0..text.len())
		.step_by(2)
		.map(|i| {
			u8::from_str_radix(&text[i..i + 2], 16)
				.map_err(|_| format!("not hex at character {i}: {:?}", &text[i..i + 2]))
		})
		.collect()
}

/// Where Bitcoin's data comes from.
pub enum Source {
	/// A file of raw headers in height order, and optionally a directory of coinbases and
	/// their proofs (`<height>.tx`, `<height>.proof`: raw bytes, the proof as
	/// `gettxoutproof` writes it).
	Files { headers: Vec<RawHeader>, by_prev: HashMap<[u8; 32], usize>, proofs: Option<PathBuf> },
	/// A Bitcoin Core node's JSON-RPC interface.
	Rpc(BitcoinRpc),
}

impl Source {
	/// Reads a header file: its size a multiple of 80, each header linked to the one before.
	pub fn files(headers: &Path, proofs: Option<PathBuf>) -> Result<Self, Failure> {
		let bytes = std::fs::read(headers)
			.map_err(|e| Failure::Input(format!("{}: {e}", headers.display())))?;
		if bytes.is_empty() || !bytes.len().is_multiple_of(80) {
			return Err(Failure::Input(format!(
				"{}: {} bytes, not a whole number of 80-byte headers",
				headers.display(),
				bytes.len()
			)));
		}
		let headers_list: Vec<RawHeader> =
			bytes.chunks_exact(80).map(|c| c.try_into().expect("80 bytes")).collect();
		let mut by_prev = HashMap::new();
		for (i, header) in headers_list.iter().enumerate() {
			let prev: [u8; 32] = header[4..36].try_into().expect("32 bytes");
			if i > 0 && prev != double_sha256(&headers_list[i - 1]) {
				return Err(Failure::Input(format!(
					"{}: header {i} (byte {}) does not link to the header before it",
					headers.display(),
					i * 80
				)));
			}
			by_prev.insert(prev, i);
		}
		if let Some(dir) = &proofs {
			if !dir.is_dir() {
				return Err(Failure::Input(format!("{}: not a directory", dir.display())));
			}
		}
		Ok(Source::Files { headers: headers_list, by_prev, proofs })
	}
}

/// How the agent logs in to Bitcoin Core.
pub enum Auth {
	/// None.
	None,
	/// A cookie file, read for every call (Core writes a new one when it restarts).
	Cookie(PathBuf),
	/// `user:password` from the environment.
	Password(String),
}

/// A Bitcoin Core JSON-RPC endpoint (HTTP, basic authentication).
pub struct BitcoinRpc {
	host: String,
	port: u16,
	auth: Auth,
}

impl BitcoinRpc {
	/// `url` as `http://HOST:PORT` (an IPv6 host in brackets).
	pub fn new(url: &str, auth: Auth) -> Result<Self, Failure> {
		let rest = url.strip_prefix("http://").ok_or_else(|| {
			Failure::Input(format!("--bitcoin-rpc {url}: expected http://HOST:PORT"))
		})?;
		let rest = rest.trim_end_matches('/');
		let (host, port) = rest
			.rsplit_once(':')
			.ok_or_else(|| Failure::Input(format!("--bitcoin-rpc {url}: no port")))?;
		let port = port
			.parse()
			.map_err(|_| Failure::Input(format!("--bitcoin-rpc {url}: bad port {port:?}")))?;
		let host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
		Ok(Self { host, port, auth })
	}

	/// One JSON-RPC call: its `result`, or why there is none.
	pub(crate) async fn call(&self, method: &str, params: Json) -> Result<Json, Failure> {
		use tokio::io::{AsyncReadExt, AsyncWriteExt};
		let what = format!("bitcoind {method}");
		let body =
			json!({"jsonrpc": "1.0", "id": "hashrate-agent", "method": method, "params": params})
				.to_string();
		let mut request = format!(
			"POST / HTTP/1.1\r\nHost: {}:{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
			self.host,
			self.port,
			body.len()
		);
		let auth = match &self.auth {
			Auth::None => None,
			Auth::Password(auth) => Some(auth.clone()),
			Auth::Cookie(path) => Some(
				std::fs::read_to_string(path)
					.map_err(|e| Failure::Input(format!("{}: {e}", path.display())))?
					.trim()
					.to_owned(),
			),
		};
		if let Some(auth) = auth {
			request.push_str(&format!("Authorization: Basic {}\r\n", base64(auth.as_bytes())));
		}
		request.push_str("\r\n");
		request.push_str(&body);
		let exchange = async {
			let mut stream =
				tokio::net::TcpStream::connect((self.host.as_str(), self.port)).await?;
			stream.write_all(request.as_bytes()).await?;
			// Until the headers and `Content-Length` bytes of body are in, or the server
			// closes the connection.
			// The headers are parsed once; then only the byte count is checked (a block at
			// verbosity 0 is megabytes).
			let mut answer = Vec::new();
			let mut expected: Option<usize> = None;
			let mut buffer = [0u8; 64 * 1024];
			loop {
				let n = stream.read(&mut buffer).await?;
				if n == 0 {
					break;
				}
				answer.extend_from_slice(&buffer[..n]);
				if expected.is_none() {
					expected = expected_size(&answer);
				}
				if expected.is_some_and(|size| answer.len() >= size) {
					break;
				}
			}
			Ok::<_, std::io::Error>(answer)
		};
		let answer = tokio::time::timeout(chain::RPC_TIMEOUT, exchange)
			.await
			.map_err(|_| {
				Failure::Chain(format!("{what}: no answer within {:?}", chain::RPC_TIMEOUT))
			})?
			.map_err(|e| Failure::Chain(format!("{what}: {e}")))?;
		let text = String::from_utf8_lossy(&answer);
		let (head, body) = text
			.split_once("\r\n\r\n")
			.ok_or_else(|| Failure::Chain(format!("{what}: not an HTTP answer")))?;
		let status = head.split_whitespace().nth(1).unwrap_or_default();
		match status {
			"401" => {
				return Err(Failure::Input(format!("{what}: unauthorized (check the cookie)")))
			},
			"403" => {
				return Err(Failure::Input(format!("{what}: forbidden (the node's rpcallowip)")))
			},
			// Core answers JSON-RPC errors with 404 / 500 and a JSON body.
			"200" | "404" | "500" => {},
			other => return Err(Failure::Chain(format!("{what}: HTTP status {other}"))),
		}
		let reply: Json = serde_json::from_str(body)
			.map_err(|e| Failure::Chain(format!("{what}: not JSON ({e})")))?;
		if let Some(error) = reply.get("error").filter(|e| !e.is_null()) {
			return Err(Failure::Chain(format!("{what}: {error}")));
		}
		Ok(reply.get("result").cloned().unwrap_or(Json::Null))
	}

	pub(crate) async fn text(&self, method: &str, params: Json) -> Result<String, Failure> {
		match self.call(method, params).await? {
			Json::String(text) => Ok(text),
			other => {
				Err(Failure::Chain(format!("bitcoind {method}: expected a string, got {other}")))
			},
		}
	}

	async fn block_count(&self) -> Result<u32, Failure> {
		let count = self.call("getblockcount", json!([])).await?;
		count
			.as_u64()
			.and_then(|c| u32::try_from(c).ok())
			.ok_or_else(|| Failure::Chain(format!("bitcoind getblockcount: {count}")))
	}

	async fn block_hash(&self, height: u32) -> Result<[u8; 32], Failure> {
		from_display(&self.text("getblockhash", json!([height])).await?).map_err(Failure::Chain)
	}

	async fn header(&self, hash: &[u8; 32]) -> Result<RawHeader, Failure> {
		let hex = self.text("getblockheader", json!([display(hash), false])).await?;
		let bytes =
			unhex(&hex).map_err(|e| Failure::Chain(format!("bitcoind getblockheader: {e}")))?;
		let header: RawHeader = bytes
			.try_into()
			.map_err(|_| Failure::Chain("bitcoind getblockheader: not 80 bytes".into()))?;
		if double_sha256(&header) != *hash {
			return Err(Failure::Chain(format!(
				"bitcoind getblockheader: not block {}",
				display(hash)
			)));
		}
		Ok(header)
	}

	/// The coinbase of block `hash` and its `gettxoutproof`; `None` when the node does not
	/// have the block (pruned, or not synced yet).
	async fn coinbase(&self, hash: &[u8; 32]) -> Result<Option<(Vec<u8>, Vec<u8>)>, Failure> {
		let block = match self.call("getblock", json!([display(hash), 1])).await {
			Ok(block) => block,
			Err(failure) if block_unavailable(&failure) => return Ok(None),
			Err(other) => return Err(other),
		};
		let txid = block
			.get("tx")
			.and_then(|txs| txs.get(0))
			.and_then(Json::as_str)
			.ok_or_else(|| Failure::Chain("bitcoind getblock: no transactions".into()))?
			.to_owned();
		let tx = self.text("getrawtransaction", json!([txid, false, display(hash)])).await?;
		let proof = self.text("gettxoutproof", json!([[txid], display(hash)])).await?;
		let tx =
			unhex(&tx).map_err(|e| Failure::Chain(format!("bitcoind getrawtransaction: {e}")))?;
		let proof =
			unhex(&proof).map_err(|e| Failure::Chain(format!("bitcoind gettxoutproof: {e}")))?;
		Ok(Some((tx, proof)))
	}
}

/// Whether Bitcoin Core's error says it does not have the block: `RPC_INVALID_ADDRESS_OR_KEY`
/// (-5, "Block not found") or `RPC_MISC_ERROR` (-1, "Block not available (pruned data)").
pub fn block_unavailable(failure: &Failure) -> bool {
	let Failure::Chain(message) = failure else { return false };
	let Some(json) =
		message.find('{').and_then(|at| serde_json::from_str::<Json>(&message[at..]).ok())
	else {
		return false;
	};
	matches!(json.get("code").and_then(Json::as_i64), Some(-5 | -1))
}

/// The size of an HTTP response whose headers `answer` holds: the headers plus their
/// `Content-Length`; `None` until the headers are complete.
fn expected_size(answer: &[u8]) -> Option<usize> {
	let head_end = answer.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
	let head = String::from_utf8_lossy(&answer[..head_end]);
	let length = head
		.lines()
		.find_map(|line| {
			let (name, value) = line.split_once(':')?;
			name.eq_ignore_ascii_case("content-length")
				.then(|| value.trim().parse::<usize>().ok())?
		})
		.unwrap_or(usize::MAX);
	Some(head_end.saturating_add(length))
}

/// Standard base64 (for the HTTP basic authentication header).
fn base64(bytes: &[u8]) -> String {
	const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	let mut out = String::new();
	for chunk in bytes.chunks(3) {
		let n =
			chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
		for i in 0..4 {
			if i <= chunk.len() {
				out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
			} else {
				out.push('=');
			}
		}
	}
	out
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct Tip {
	hash: [u8; 32],
	height: u32,
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct FeeSample {
	blocks: Vec<(u32, [u8; 32], bool)>,
}

/// What one `relay` run does.
pub struct Settings {
	/// The chain's node.
	pub url: String,
	/// Most headers per transaction.
	pub batch: usize,
	/// Prove the fee sample of `[start, end)` (unix seconds), besides the oracle's periods
	/// being fixed.
	pub prove_span: Option<(u64, u64)>,
	/// Keep running, a pass every this often.
	pub watch: Option<Duration>,
	/// Check and dry-run; submit nothing.
	pub dry_run: bool,
}

/// Runs `relay` with `settings` from `source`, signing with `key`.
pub async fn run(settings: Settings, source: Source, key: Keypair) -> Result<(), Failure> {
	let Some(every) = settings.watch else {
		let chain = Chain::connect(&settings.url).await?;
		return pass(&chain, &settings, &source, &key).await;
	};
	// Watching: a failed pass is logged and the next one tries again.
	loop {
		let outcome = match Chain::connect(&settings.url).await {
			Ok(chain) => pass(&chain, &settings, &source, &key).await,
			Err(error) => Err(error.into()),
		};
		if let Err(failure) = outcome {
			eprintln!("relay pass failed (next in {} s): {failure}", every.as_secs());
		}
		tokio::time::sleep(every).await;
	}
}

async fn tip(at: &AtBlock) -> Result<Tip, Failure> {
	let tip: Option<Tip> = chain::view(at, "BtcRelay", "best_tip", ()).await?;
	tip.ok_or_else(|| {
		Failure::Refused("the chain's relay has no checkpoint: nothing to relay onto".into())
	})
}

/// One pass: headers until the relay is as current as the source, then the proofs.
async fn pass(
	chain: &Chain,
	settings: &Settings,
	source: &Source,
	key: &Keypair,
) -> Result<(), Failure> {
	let account = chain::account_of(key);
	let mut sent_after: Option<[u8; 32]> = None;
	loop {
		let at = chain.finalized().await?;
		let tip = tip(&at).await?;
		if sent_after == Some(tip.hash) {
			return Err(Failure::Refused(format!(
				"the headers sent after {} did not move the relay's tip: the source's branch is not heavier",
				display(&tip.hash)
			)));
		}
		let next = next_headers(&at, source, &tip, settings.batch).await?;
		if next.is_empty() {
			println!("relay current: tip {} at height {}", display(&tip.hash), tip.height);
			break;
		}
		sent_after = Some(tip.hash);
		println!("relaying {} header(s) after height {}", next.len(), tip.height);
		let nonce = ops::nothing_pending(chain, &at, &account).await?;
		let batch = Value::unnamed_composite(next.iter().map(Value::from_bytes));
		let call = subxt::dynamic::transaction("BtcRelay", "submit_headers", (batch,));
		for line in
			ops::send(chain, &at, key, nonce, &call, "BtcRelay.submit_headers", settings.dry_run)
				.await?
		{
			println!("{line}");
		}
		if settings.dry_run {
			break;
		}
	}
	let at = chain.finalized().await?;
	let mut spans = oracle_spans(&at).await?;
	spans.extend(settings.prove_span);
	// Periods shorter than a block share their sampled block: prove each once.
	let mut done = std::collections::HashSet::new();
	for (start, end) in spans {
		let at = chain.finalized().await?;
		let Some(sample) =
			chain::view::<Option<FeeSample>>(&at, "BtcRelay", "fee_sample", (start, end)).await?
		else {
			continue;
		};
		for (height, hash, proven) in sample.blocks {
			if proven || !done.insert((height, hash)) {
				continue;
			}
			let (tx, proof) = match coinbase(source, height, &hash).await? {
				Some(found) => found,
				None => {
					println!(
						"coinbase of {height} ({}) not in the source: not proven",
						display(&hash)
					);
					continue;
				},
			};
			let at = chain.finalized().await?;
			let nonce = ops::nothing_pending(chain, &at, &account).await?;
			let call = subxt::dynamic::transaction(
				"BtcRelay",
				"prove_coinbase",
				(Value::from_bytes(&tx), Value::from_bytes(&proof)),
			);
			println!("proving the coinbase of block {height} ({})", display(&hash));
			for line in ops::send(
				chain,
				&at,
				key,
				nonce,
				&call,
				"BtcRelay.prove_coinbase",
				settings.dry_run,
			)
			.await?
			{
				println!("{line}");
			}
		}
	}
	Ok(())
}

/// The spans of the oracle's periods whose network data is still to be fixed (at most 48).
async fn oracle_spans(at: &AtBlock) -> Result<Vec<(u64, u64)>, Failure> {
	let Some(first): Option<u32> = chain::storage(at, "PowOracle", "NextToFix", ()).await? else {
		return Ok(Vec::new());
	};
	let now = chain::now(at).await?;
	let mut spans = Vec::new();
	for period in first..first.saturating_add(48) {
		let bounds: Option<(u64, u64)> =
			chain::view(at, "PowOracle", "period_bounds", (ops::newtype(period.into()),)).await?;
		match bounds {
			Some((start, end)) if end <= now => spans.push((start, end)),
			_ => break,
		}
	}
	Ok(spans)
}

/// The headers after the chain's tip the source has, at most `batch`; from a Bitcoin node,
/// from the fork point when the node's chain left the relay's (a reorganisation).
async fn next_headers(
	at: &AtBlock,
	source: &Source,
	tip: &Tip,
	batch: usize,
) -> Result<Vec<RawHeader>, Failure> {
	match source {
		Source::Files { headers, by_prev, .. } => Ok(match by_prev.get(&tip.hash) {
			Some(&first) => headers[first..].iter().take(batch).copied().collect(),
			None => Vec::new(),
		}),
		Source::Rpc(rpc) => {
			let count = rpc.block_count().await?;
			if count < tip.height {
				println!(
					"the Bitcoin node is at height {count}, behind the relay ({})",
					tip.height
				);
				return Ok(Vec::new());
			}
			// The highest height where the node and the relay agree, within a reorganisation.
			let mut fork = tip.height;
			loop {
				if fork + 24 < tip.height {
					return Err(Failure::Refused(format!(
						"the Bitcoin node's chain left the relay's more than 24 blocks below height {}: governance must reset the checkpoint",
						tip.height
					)));
				}
				let relayed: Option<[u8; 32]> = if fork == tip.height {
					Some(tip.hash)
				} else {
					chain::storage(at, "BtcRelay", "MainChain", (fork,)).await?
				};
				if fork <= count && relayed == Some(rpc.block_hash(fork).await?) {
					break;
				}
				fork = fork
					.checked_sub(1)
					.ok_or_else(|| Failure::Refused("no common block".into()))?;
			}
			// At least one header past the tip, so a branch from a fork up to 24 deep is sent
			// whole even with a small batch.
			let last =
				count.min(fork.saturating_add(batch as u32).max(tip.height.saturating_add(1)));
			let mut out: Vec<RawHeader> = Vec::new();
			let mut prev = if fork == tip.height {
				tip.hash
			} else {
				chain::storage::<_, [u8; 32]>(at, "BtcRelay", "MainChain", (fork,))
					.await?
					.ok_or_else(|| Failure::Chain(format!("the relay lost height {fork}")))?
			};
			for height in fork + 1..=last {
				let header = rpc.header(&rpc.block_hash(height).await?).await?;
				if header[4..36] != prev {
					return Err(Failure::Chain(format!(
						"the Bitcoin node reorganised while its headers were read (at height {height}): try again"
					)));
				}
				prev = double_sha256(&header);
				out.push(header);
			}
			// A branch that is not heavier yet would be refused as a side branch that moves
			// nothing; it is sent once it reaches past the tip.
			if last <= tip.height {
				out.clear();
			}
			Ok(out)
		},
	}
}

/// The coinbase of block `hash` at `height` and its proof, if the source has them.
async fn coinbase(
	source: &Source,
	height: u32,
	hash: &[u8; 32],
) -> Result<Option<(Vec<u8>, Vec<u8>)>, Failure> {
	match source {
		Source::Files { proofs: None, .. } => Ok(None),
		Source::Files { proofs: Some(dir), .. } => {
			let tx = dir.join(format!("{height}.tx"));
			let proof = dir.join(format!("{height}.proof"));
			if !tx.exists() || !proof.exists() {
				return Ok(None);
			}
			let read = |path: &Path| {
				std::fs::read(path).map_err(|e| Failure::Input(format!("{}: {e}", path.display())))
			};
			let (tx, proof) = (read(&tx)?, read(&proof)?);
			if proof.len() < 80 || double_sha256(&proof[..80]) != *hash {
				return Err(Failure::Input(format!(
					"{}: not a proof against block {}",
					dir.join(format!("{height}.proof")).display(),
					display(hash)
				)));
			}
			Ok(Some((tx, proof)))
		},
		Source::Rpc(rpc) => rpc.coinbase(hash).await,
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn base64_as_rfc_4648() {
		assert_eq!(base64(b""), "");
		assert_eq!(base64(b"f"), "Zg==");
		assert_eq!(base64(b"fo"), "Zm8=");
		assert_eq!(base64(b"foo"), "Zm9v");
		assert_eq!(base64(b"foobar"), "Zm9vYmFy");
		assert_eq!(base64(b"__cookie__:abc"), "X19jb29raWVfXzphYmM=");
	}

	#[test]
	fn only_core_errors_saying_the_block_is_missing_skip_it() {
		let chain = |text: &str| Failure::Chain(text.to_string());
		assert!(block_unavailable(&chain(
			r#"bitcoind getblock: {"code":-5,"message":"Block not found"}"#
		)));
		assert!(block_unavailable(&chain(
			r#"bitcoind getblock: {"code":-1,"message":"Block not available (pruned data)"}"#
		)));
		// -10 (initial download) and -13 are not "missing": they fail the run.
		assert!(!block_unavailable(&chain(
			r#"bitcoind getblock: {"code":-10,"message":"Loading"}"#
		)));
		assert!(!block_unavailable(&chain(r#"bitcoind getblock: {"code":-13,"message":"x"}"#)));
		assert!(!block_unavailable(&chain("bitcoind getblock: no answer")));
		assert!(!block_unavailable(&Failure::Input(r#"{"code":-5}"#.into())));
	}

	#[test]
	fn answers_are_complete_at_their_content_length() {
		let head = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
		assert_eq!(expected_size(&head[..20]), None);
		assert_eq!(expected_size(head), Some(head.len() + 5));
		assert_eq!(expected_size(b"HTTP/1.1 200 OK\r\n\r\n"), Some(usize::MAX), "until closed");
	}

	#[test]
	fn hashes_print_reversed() {
		let hash = from_display("00000000000000000001716eed87cd6b23ed089a497b1c48960b051fc45d48dc")
			.unwrap();
		assert_eq!(hash[31], 0);
		assert_eq!(
			display(&hash),
			"00000000000000000001716eed87cd6b23ed089a497b1c48960b051fc45d48dc"
		);
		assert!(from_display("00").is_err());
		assert!(unhex("0g").is_err());
	}

	#[test]
	fn header_files_must_be_whole_and_linked() {
		let dir = std::env::temp_dir().join(format!("relay-files-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let odd = dir.join("odd.bin");
		std::fs::write(&odd, [0u8; 81]).unwrap();
		assert!(matches!(Source::files(&odd, None), Err(Failure::Input(_))));
		let unlinked = dir.join("unlinked.bin");
		std::fs::write(&unlinked, [0u8; 160]).unwrap();
		let Err(Failure::Input(message)) = Source::files(&unlinked, None) else { panic!() };
		assert!(message.contains("header 1"), "{message}");
		let mut linked = [0u8; 160];
		let first = double_sha256(&linked[..80]);
		linked[84..116].copy_from_slice(&first);
		let good = dir.join("linked.bin");
		std::fs::write(&good, linked).unwrap();
		assert!(Source::files(&good, None).is_ok());
		assert!(matches!(Source::files(&good, Some(dir.join("missing"))), Err(Failure::Input(_))));
		std::fs::remove_dir_all(&dir).unwrap();
	}
}
