//! `hashrate-netctl`: checks and actions on a running multi-validator network that the
//! zombienet DSL cannot express (see `zombienet/network.zndsl`). Every wait is bounded; a
//! failed check exits non-zero with what it saw.
//!
//! Nodes are named; `NETCTL_NODES` maps names to RPC URLs (`alice=ws://127.0.0.1:9951,...`).
//! Lists of nodes are joined with `+` (zombienet splits arguments at commas). Every
//! observation of a node's finalized height is checked against the highest one seen before,
//! kept in the JSON file `NETCTL_STATE`: a finalized height that goes backwards fails any
//! command, across commands and node restarts.
//!
//! ```text
//! produces NODES BLOCKS SECS      every node's best and finalized height advance by BLOCKS
//! stalls NODE SECS                finality stays put for SECS while blocks keep coming
//! catches-up NODES SECS           every node finalizes the highest block seen at the start
//! record NODE                     remember NODE's finalized block (height and hash)
//! kept NODE SECS                  NODE (restarted) still has the recorded block finalized and
//!                                 catches up with the others
//! add-validator NODE URI SECS     keys rotated on NODE, `session.set_keys` by URI's account,
//!                                 sudo (//Alice) `validator_set.add_validator`; waits until a
//!                                 finalized block is sealed with the new Aura key
//! upgrade SECS                    sudo `system.set_code` with the upgrade-test runtime; waits
//!                                 until every node runs the new `spec_version`
//! ```

use hashrate_e2e::{
	hex, key, rotate_keys_with_owner, set_keys, submit,
	subxt::{self, dynamic, dynamic::Value, rpcs::RpcClient},
	unhex, Client, UPGRADE_WASM,
};
use serde_json::Value as Json;
use std::{
	collections::BTreeMap,
	process::ExitCode,
	time::{Duration, Instant},
};

type Result<T> = std::result::Result<T, String>;

/// How often heights are polled. Blocks come every 6 s, so 1 s polls see every change.
const POLL: Duration = Duration::from_secs(1);

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
	let args: Vec<String> = std::env::args().skip(1).collect();
	match run(&args).await {
		Ok(()) => ExitCode::SUCCESS,
		Err(error) => {
			eprintln!("netctl {}: FAILED: {error}", args.join(" "));
			ExitCode::FAILURE
		},
	}
}

async fn run(args: &[String]) -> Result<()> {
	let mut net = Network::from_env()?;
	let arg = |i: usize| args.get(i).map(String::as_str).ok_or(format!("missing argument {i}"));
	let secs = |i: usize| -> Result<Duration> {
		let value = arg(i)?;
		value.parse().map(Duration::from_secs).map_err(|_| format!("not seconds: {value}"))
	};
	match arg(0)? {
		"produces" => {
			let blocks: u32 = arg(2)?.parse().map_err(|_| "BLOCKS must be a number")?;
			net.produces(&net.names(arg(1)?)?, blocks, secs(3)?).await
		},
		"stalls" => net.stalls(arg(1)?, secs(2)?).await,
		"catches-up" => net.catches_up(&net.names(arg(1)?)?, secs(2)?).await,
		"record" => net.record(arg(1)?).await,
		"kept" => net.kept(arg(1)?, secs(2)?).await,
		"add-validator" => net.add_validator(arg(1)?, arg(2)?, secs(3)?).await,
		"upgrade" => net.upgrade(secs(1)?).await,
		other => Err(format!("unknown command {other} (see the source's docs)")),
	}
}

/// Best and finalized heights of one node.
#[derive(Clone, Copy, Debug)]
struct Heights {
	best: u32,
	finalized: u32,
}

struct Network {
	/// Name -> RPC URL, in `NETCTL_NODES` order.
	nodes: Vec<(String, String)>,
	state_path: std::path::PathBuf,
	state: BTreeMap<String, Json>,
}

impl Network {
	fn from_env() -> Result<Self> {
		let spec = std::env::var("NETCTL_NODES").map_err(|_| "NETCTL_NODES is not set")?;
		let nodes = spec
			.split(',')
			.map(|pair| {
				pair.split_once('=')
					.map(|(name, url)| (name.to_owned(), url.to_owned()))
					.ok_or(format!("NETCTL_NODES entry without '=': {pair}"))
			})
			.collect::<Result<Vec<_>>>()?;
		let state_path: std::path::PathBuf =
			std::env::var("NETCTL_STATE").map_err(|_| "NETCTL_STATE is not set")?.into();
		let state = match std::fs::read_to_string(&state_path) {
			Ok(text) => serde_json::from_str(&text).map_err(|e| format!("state file: {e}"))?,
			Err(_) => BTreeMap::new(),
		};
		Ok(Self { nodes, state_path, state })
	}

	fn names(&self, list: &str) -> Result<Vec<String>> {
		list.split('+').map(|name| self.url(name).map(|_| name.to_owned())).collect()
	}

	fn url(&self, name: &str) -> Result<&str> {
		self.nodes
			.iter()
			.find(|(n, _)| n == name)
			.map(|(_, url)| url.as_str())
			.ok_or(format!("unknown node {name}"))
	}

	fn save(&self) -> Result<()> {
		let text = serde_json::to_string_pretty(&self.state).map_err(|e| e.to_string())?;
		std::fs::write(&self.state_path, text).map_err(|e| format!("writing state: {e}"))
	}

	async fn rpc(&self, name: &str) -> Result<RpcClient> {
		let url = self.url(name)?;
		tokio::time::timeout(Duration::from_secs(30), RpcClient::from_insecure_url(url))
			.await
			.map_err(|_| format!("{name}: no RPC connection within 30 s"))?
			.map_err(|e| format!("{name}: connecting to {url}: {e}"))
	}

	async fn request(
		rpc: &RpcClient,
		method: &str,
		params: subxt::rpcs::client::RpcParams,
	) -> Result<Json> {
		tokio::time::timeout(Duration::from_secs(30), rpc.request::<Json>(method, params))
			.await
			.map_err(|_| format!("{method}: no answer within 30 s"))?
			.map_err(|e| format!("{method}: {e}"))
	}

	/// A node's best and finalized heights; fails if the finalized height is below the
	/// highest this tool has seen on that node.
	async fn heights(&mut self, name: &str) -> Result<Heights> {
		let rpc = self.rpc(name).await?;
		let best = header_number(&Self::request(&rpc, "chain_getHeader", params(&[])).await?)?;
		let finalized_hash = Self::request(&rpc, "chain_getFinalizedHead", params(&[])).await?;
		let finalized = header_number(
			&Self::request(&rpc, "chain_getHeader", params(&[finalized_hash])).await?,
		)?;
		let key = format!("finalized:{name}");
		let highest = self.state.get(&key).and_then(Json::as_u64).unwrap_or(0) as u32;
		if finalized < highest {
			return Err(format!(
				"{name}: finalized height went backwards: #{highest} seen before, now #{finalized}"
			));
		}
		if finalized > highest {
			self.state.insert(key, finalized.into());
			self.save()?;
		}
		Ok(Heights { best, finalized })
	}

	async fn all_heights(&mut self, names: &[String]) -> Result<Vec<Heights>> {
		let mut all = Vec::new();
		for name in names {
			all.push(self.heights(name).await?);
		}
		Ok(all)
	}

	async fn produces(&mut self, names: &[String], blocks: u32, within: Duration) -> Result<()> {
		let start = self.all_heights(names).await?;
		let deadline = Instant::now() + within;
		loop {
			let now = self.all_heights(names).await?;
			let behind: Vec<String> = names
				.iter()
				.zip(start.iter().zip(&now))
				.filter(|(_, (s, n))| {
					n.best < s.best + blocks || n.finalized < s.finalized + blocks
				})
				.map(|(name, (s, n))| format!("{name} {s:?} -> {n:?}"))
				.collect();
			if behind.is_empty() {
				println!("{} advanced by {blocks} blocks, best and finalized", names.join(", "));
				return Ok(());
			}
			if Instant::now() >= deadline {
				return Err(format!(
					"not {blocks} blocks further in {within:?}: {}",
					behind.join("; ")
				));
			}
			tokio::time::sleep(POLL).await;
		}
	}

	async fn stalls(&mut self, name: &str, window: Duration) -> Result<()> {
		// A GRANDPA round that had its votes before the validators stopped may still
		// conclude: let two slots pass first.
		tokio::time::sleep(Duration::from_secs(12)).await;
		let start = self.heights(name).await?;
		let deadline = Instant::now() + window;
		let mut now = start;
		while Instant::now() < deadline {
			tokio::time::sleep(POLL).await;
			now = self.heights(name).await?;
			if now.finalized != start.finalized {
				return Err(format!("{name}: finality moved {start:?} -> {now:?}"));
			}
		}
		if now.best <= start.best {
			return Err(format!("{name}: no new block in {window:?}: {start:?} -> {now:?}"));
		}
		println!(
			"{name}: finality stalled at #{} for {window:?}; best #{} -> #{}",
			start.finalized, start.best, now.best
		);
		Ok(())
	}

	async fn catches_up(&mut self, names: &[String], within: Duration) -> Result<()> {
		let start = self.all_heights(names).await?;
		let target = start.iter().map(|h| h.best).max().unwrap_or(0);
		let deadline = Instant::now() + within;
		loop {
			let now = self.all_heights(names).await?;
			if now.iter().all(|h| h.finalized >= target) {
				println!("{} finalized #{target} (the best block at the start)", names.join(", "));
				return Ok(());
			}
			if Instant::now() >= deadline {
				return Err(format!("#{target} not finalized everywhere in {within:?}: {now:?}"));
			}
			tokio::time::sleep(POLL).await;
		}
	}

	async fn record(&mut self, name: &str) -> Result<()> {
		let rpc = self.rpc(name).await?;
		let hash = Self::request(&rpc, "chain_getFinalizedHead", params(&[])).await?;
		let number = header_number(
			&Self::request(&rpc, "chain_getHeader", params(std::slice::from_ref(&hash))).await?,
		)?;
		self.heights(name).await?;
		self.state.insert(format!("recorded:{name}"), serde_json::json!([number, hash]));
		self.save()?;
		println!("{name}: finalized #{number} {hash}");
		Ok(())
	}

	async fn kept(&mut self, name: &str, within: Duration) -> Result<()> {
		let recorded = self
			.state
			.get(&format!("recorded:{name}"))
			.cloned()
			.ok_or(format!("{name}: nothing recorded"))?;
		let number = recorded[0].as_u64().ok_or("bad record")? as u32;
		let hash = recorded[1].clone();
		// Right after the restart, from its own database: the block is there, finalized.
		let rpc = self.rpc(name).await?;
		let stored = Self::request(&rpc, "chain_getBlockHash", params(&[number.into()])).await?;
		if stored != hash {
			return Err(format!("{name}: block #{number} was {hash}, now {stored}"));
		}
		let after_restart = self.heights(name).await?;
		println!(
			"{name}: reopened with #{number} {hash} kept, finalized #{}",
			after_restart.finalized
		);
		// And it catches up with the validators that kept running.
		let others: Vec<String> =
			self.nodes.iter().map(|(n, _)| n.clone()).filter(|n| n != name).take(1).collect();
		let reference = self.all_heights(&others).await?;
		let target = reference.iter().map(|h| h.finalized).max().unwrap_or(0).max(number + 1);
		let deadline = Instant::now() + within;
		loop {
			let now = self.heights(name).await?;
			if now.finalized >= target {
				println!("{name}: caught up, finalized #{} (target #{target})", now.finalized);
				return Ok(());
			}
			if Instant::now() >= deadline {
				return Err(format!("{name}: not caught up to #{target} in {within:?}: {now:?}"));
			}
			tokio::time::sleep(POLL).await;
		}
	}

	async fn client(&self, name: &str) -> Result<Client> {
		let url = self.url(name)?;
		tokio::time::timeout(Duration::from_secs(30), Client::from_insecure_url(url))
			.await
			.map_err(|_| format!("{name}: no subxt connection within 30 s"))?
			.map_err(|e| format!("{name}: subxt: {e}"))
	}

	async fn add_validator(&mut self, name: &str, uri: &str, within: Duration) -> Result<()> {
		let deadline = Instant::now() + within;
		let account = key(uri);
		let account_id = account.public_key().0;
		// 1. The node generates keys and proves they are owned by the account.
		let rpc = self.rpc(name).await?;
		let (keys, proof) = rotate_keys_with_owner(&rpc, account_id).await?;
		let aura_key: [u8; 32] = keys[..32].try_into().map_err(|_| "aura key")?;
		println!("{name}: rotated keys, Aura key 0x{}", hex(&aura_key));
		// 2. The account registers them.
		let client = self.client(name).await?;
		submit(&client, &set_keys(&keys, &proof), &account).await?;
		println!("{uri}: session keys registered");
		// 3. Governance adds the account.
		let add = Value::unnamed_variant(
			"ValidatorSet",
			[Value::named_variant("add_validator", [("who", Value::from_bytes(account_id))])],
		);
		let sudo = dynamic::transaction("Sudo", "sudo", (add,));
		let events = submit(&client, &sudo, &key("//Alice")).await?;
		let added = events.iter().filter_map(|event| event.ok()).any(|event| {
			event.pallet_name() == "ValidatorSet" && event.event_name() == "ValidatorAdded"
		});
		if !added {
			return Err("sudo dispatched, but no ValidatorSet.ValidatorAdded event".into());
		}
		println!("{uri}: added by governance; waiting for a finalized block sealed with its key");
		// 4. After the session change, a finalized block carries its Aura slot.
		let mut seen = 0u32;
		loop {
			let finalized_hash = Self::request(&rpc, "chain_getFinalizedHead", params(&[])).await?;
			let header = Self::request(
				&rpc,
				"chain_getHeader",
				params(std::slice::from_ref(&finalized_hash)),
			)
			.await?;
			let number = header_number(&header)?;
			for height in seen.max(number.saturating_sub(5))..=number {
				if let Some(author) = self.aura_author(&client, &rpc, height).await? {
					if author == aura_key {
						println!("{name}: block #{height} was sealed with the new validator's key");
						self.heights(name).await?;
						return Ok(());
					}
				}
			}
			seen = number + 1;
			if Instant::now() >= deadline {
				return Err(format!(
					"no finalized block sealed with the new key by #{number} within {within:?}"
				));
			}
			tokio::time::sleep(POLL).await;
		}
	}

	/// The Aura key that sealed block `height`: its slot modulo the authorities of its parent.
	async fn aura_author(
		&self,
		client: &Client,
		rpc: &RpcClient,
		height: u32,
	) -> Result<Option<[u8; 32]>> {
		if height == 0 {
			return Ok(None);
		}
		let hash = Self::request(rpc, "chain_getBlockHash", params(&[height.into()])).await?;
		let header = Self::request(rpc, "chain_getHeader", params(&[hash])).await?;
		let Some(slot) = aura_slot(&header)? else { return Ok(None) };
		let parent = height - 1;
		let at = client.at_block(parent).await.map_err(|e| format!("block #{parent}: {e}"))?;
		let authorities: Vec<[u8; 32]> = at
			.storage()
			.fetch(dynamic::storage::<(), Vec<[u8; 32]>>("Aura", "Authorities"), ())
			.await
			.map_err(|e| format!("Aura.Authorities: {e}"))?
			.decode()
			.map_err(|e| format!("Aura.Authorities: {e}"))?;
		if authorities.is_empty() {
			return Ok(None);
		}
		Ok(authorities.get((slot % authorities.len() as u64) as usize).copied())
	}

	async fn upgrade(&mut self, within: Duration) -> Result<()> {
		let deadline = Instant::now() + within;
		let code =
			UPGRADE_WASM.ok_or("built without the upgrade-test runtime (SKIP_WASM_BUILD)")?;
		let names: Vec<String> = self.nodes.iter().map(|(n, _)| n.clone()).collect();
		let first = names.first().ok_or("no nodes")?.clone();
		let rpc = self.rpc(&first).await?;
		let before =
			spec_version(&Self::request(&rpc, "state_getRuntimeVersion", params(&[])).await?)?;
		println!("{first}: spec_version {before}; installing {} bytes of code", code.len());
		let client = self.client(&first).await?;
		let set_code = Value::unnamed_variant(
			"System",
			[Value::named_variant("set_code", [("code", Value::from_bytes(code))])],
		);
		let weight =
			Value::named_composite([("ref_time", Value::u128(0)), ("proof_size", Value::u128(0))]);
		let call = dynamic::transaction("Sudo", "sudo_unchecked_weight", (set_code, weight));
		let events = submit(&client, &call, &key("//Alice")).await?;
		let updated = events
			.iter()
			.filter_map(|event| event.ok())
			.any(|event| event.pallet_name() == "System" && event.event_name() == "CodeUpdated");
		if !updated {
			return Err("sudo dispatched, but no System.CodeUpdated event".into());
		}
		let mut pending = names.clone();
		while !pending.is_empty() {
			let mut still = Vec::new();
			for name in &pending {
				let rpc = self.rpc(name).await?;
				let hash = Self::request(&rpc, "chain_getFinalizedHead", params(&[])).await?;
				let version = spec_version(
					&Self::request(&rpc, "state_getRuntimeVersion", params(&[hash])).await?,
				)?;
				if version <= before {
					still.push(name.clone());
				}
			}
			if still.is_empty() {
				break;
			}
			if Instant::now() >= deadline {
				return Err(format!(
					"still the old runtime after {within:?} on {}",
					still.join(", ")
				));
			}
			pending = still;
			tokio::time::sleep(POLL).await;
		}
		println!("every node's finalized head runs spec_version > {before}");
		Ok(())
	}
}

fn params(values: &[Json]) -> subxt::rpcs::client::RpcParams {
	let mut params = subxt::rpcs::client::RpcParams::new();
	for value in values {
		params.push(value.clone()).expect("JSON values serialize");
	}
	params
}

fn header_number(header: &Json) -> Result<u32> {
	let number = header["number"].as_str().ok_or(format!("no header number in {header}"))?;
	u32::from_str_radix(number.trim_start_matches("0x"), 16)
		.map_err(|e| format!("number {number}: {e}"))
}

fn spec_version(version: &Json) -> Result<u64> {
	version["specVersion"].as_u64().ok_or(format!("no specVersion in {version}"))
}

/// The Aura slot of a header: its `PreRuntime(*b"aura", slot)` digest item (SCALE: variant
/// 6, engine id, compact length 8 = 0x20, little-endian u64).
fn aura_slot(header: &Json) -> Result<Option<u64>> {
	let logs = header["digest"]["logs"].as_array().ok_or("no digest logs")?;
	for log in logs {
		let bytes = unhex(log.as_str().ok_or("digest item is not hex")?)?;
		if bytes.len() == 14 && bytes[0] == 6 && &bytes[1..5] == b"aura" && bytes[5] == 0x20 {
			let slot: [u8; 8] = bytes[6..14].try_into().map_err(|_| "slot")?;
			return Ok(Some(u64::from_le_bytes(slot)));
		}
	}
	Ok(None)
}
