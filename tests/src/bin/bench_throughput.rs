//! `hashrate-bench-throughput`: how many transactions of each kind a 6 s block of
//! `hashrate-node` takes, and what authoring them costs, on this machine.
//!
//! Starts `hashrate-node --dev` (Aura, 6 s slots) on a base path of its own, signs each
//! burst up front (sequential nonces per sender) and submits it at once, every transaction
//! watched until finalized. For each block that included part of a burst it prints the
//! count, the authoring time the node logged (`Prepared block for proposing at N (T ms)`),
//! the weight the block used (`System.BlockWeight`, normal class) against what normal
//! transactions may fill, and why authoring stopped (`HitBlockWeightLimit`, ...). Then the
//! targets of issue 19, each met or not.
//!
//! A measurement, not a test: CI builds this binary (it is linted with the workspace) but
//! does not run it; `scripts/bench-throughput.sh` does. Exits non-zero when a transaction
//! the pool accepted was lost (dropped, invalid, or never finalized within the bound) or a
//! target is missed.
//!
//! Every transfer goes to an account of its own, new to the chain (the costlier case: the
//! account is created), so a run also leaves a chain state of realistic size behind; with
//! `--keep-chain DIR` the node's database stays in `DIR` (`scripts/benchmark.sh storage`
//! measures the database weights on it).
//!
//! ```text
//! hashrate-bench-throughput [--per-sender N] [--keep-chain DIR]   # default 2,000 per sender
//! ```

use futures::StreamExt;
use hashrate_e2e::{
	sign, submit_and_watch,
	subxt::{self, dynamic, ext::scale_decode::DecodeAsType, rpcs::RpcClient},
	subxt_signer::sr25519::{dev, Keypair},
	within, Client, Node, Outcome, Sealing, TempDir, UNIT,
};
use std::{collections::BTreeMap, path::PathBuf, process::ExitCode, time::Duration};

/// Submissions in flight per sender, in nonce order.
const IN_FLIGHT: usize = 32;
/// Subscriptions per connection stay under the node's 1,024.
const SUBSCRIPTIONS_PER_CONNECTION: usize = 1_000;
/// Longest a burst may take from its first submission until every transaction is finalized.
const BURST_BOUND: Duration = Duration::from_secs(240);
/// The stable2609 solochain template's balance transfers per block, measured on this
/// machine (issue 19).
const TEMPLATE_TRANSFERS_PER_BLOCK: u64 = 1_974;
/// Authoring budget of a block: the 2 s of compute the runtime's block weight allows.
const AUTHORING_BUDGET_MS: u64 = 2_000;

/// `Weight` as the runtime encodes it.
#[derive(Debug, Clone, Copy, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
#[allow(dead_code)] // every field, as the runtime encodes it
struct Weight {
	ref_time: u64,
	proof_size: u64,
}

/// `PerDispatchClass<T>`.
#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
#[allow(dead_code)] // every field, as the runtime encodes it
struct PerClass<T> {
	normal: T,
	operational: T,
	mandatory: T,
}

/// `WeightsPerClass` of `System.BlockWeights`.
#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
#[allow(dead_code)] // every field, as the runtime encodes it
struct ClassLimits {
	base_extrinsic: Weight,
	max_extrinsic: Option<Weight>,
	max_total: Option<Weight>,
	reserved: Option<Weight>,
}

/// `System.BlockWeights`.
#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
#[allow(dead_code)] // every field, as the runtime encodes it
struct BlockWeights {
	base_block: Weight,
	max_block: Weight,
	per_class: PerClass<ClassLimits>,
}

/// What the node logged when it authored a block.
#[derive(Debug, Clone)]
struct Authored {
	millis: u64,
	end: String,
	extrinsics: u64,
}

/// One block's share of a burst.
#[derive(Debug)]
struct BlockFigures {
	number: u64,
	included: u64,
	authored: Option<Authored>,
	normal_weight: Weight,
}

impl BlockFigures {
	/// Authoring stopped because the block was full, not because the pool ran dry.
	fn full(&self) -> bool {
		self.authored.as_ref().is_some_and(|a| a.end != "NoMoreTransactions")
	}
}

/// A burst's outcome.
struct Burst {
	label: &'static str,
	accepted: usize,
	refused: Vec<String>,
	lost: Vec<String>,
	blocks: Vec<BlockFigures>,
}

impl Burst {
	/// The fewest a full block took (`None` if no block was full).
	fn per_full_block(&self) -> Option<u64> {
		self.blocks.iter().filter(|b| b.full()).map(|b| b.included).min()
	}

	/// The longest a full block took to author (blocks authored while the burst was still
	/// arriving share the machine with the pool's validation of it, and are not full).
	fn slowest_full_block_ms(&self) -> Option<u64> {
		self.blocks
			.iter()
			.filter(|b| b.full())
			.filter_map(|b| b.authored.as_ref().map(|a| a.millis))
			.max()
	}
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> ExitCode {
	let Args { per_sender, keep_chain } = match parse_args() {
		Ok(args) => args,
		Err(message) => {
			eprintln!(
				"error: {message}\nusage: hashrate-bench-throughput [--per-sender N] \
				 [--keep-chain DIR]"
			);
			return ExitCode::from(2);
		},
	};
	let temp = TempDir::new("bench-throughput");
	let base_path = keep_chain.unwrap_or_else(|| temp.path().to_path_buf());
	if let Err(error) = std::fs::create_dir_all(&base_path) {
		eprintln!("error: cannot create {}: {error}", base_path.display());
		return ExitCode::from(2);
	}
	// The pool holds a whole burst (default: 8,192 ready transactions, 20 MiB).
	let node = Node::start_with(
		&base_path,
		Sealing::Aura,
		&["--pool-limit", "40000", "--pool-kbytes", "102400"],
	)
	.await;
	let client = node.client().await;
	let limits = block_weights(&client).await;
	let normal_limit = limits.per_class.normal.max_total.unwrap_or(limits.max_block);
	println!(
		"block weight: {} ms of compute, normal transactions up to {} ms; base block {} µs, \
		 base extrinsic {} µs",
		limits.max_block.ref_time / 1_000_000_000,
		normal_limit.ref_time / 1_000_000_000,
		limits.base_block.ref_time / 1_000_000,
		limits.per_class.normal.base_extrinsic.ref_time / 1_000_000,
	);

	let everyone =
		[dev::alice(), dev::bob(), dev::charlie(), dev::dave(), dev::eve(), dev::ferdie()];
	let mut bursts = Vec::new();

	let transfer = |to: dynamic::Value| {
		dynamic::transaction("Balances", "transfer_keep_alive", (to, dynamic::Value::u128(UNIT)))
	};
	bursts
		.push(burst(&node, &client, "balance transfers", &everyone, per_sender, 0, transfer).await);

	// The payout asset (BTC, id 1): Charlie, Dave, Bob and Ferdie hold it in the dev genesis.
	let btc_holders = [dev::charlie(), dev::dave(), dev::bob(), dev::ferdie()];
	let asset_transfer = |to: dynamic::Value| {
		dynamic::transaction(
			"Assets",
			"transfer_keep_alive",
			(dynamic::Value::u128(1), to, dynamic::Value::u128(1_000)),
		)
	};
	let per_btc_holder = per_sender * everyone.len() as u64 / btc_holders.len() as u64;
	bursts.push(
		burst(
			&node,
			&client,
			"payout-asset transfers",
			&btc_holders,
			per_btc_holder,
			1,
			asset_transfer,
		)
		.await,
	);
	drop(client);
	drop(node);

	let mut ok = true;
	for b in &bursts {
		print_burst(b, normal_limit);
		if !b.refused.is_empty() || !b.lost.is_empty() {
			ok = false;
		}
	}

	println!("\ntargets (issue 19):");
	let transfers = bursts[0].per_full_block();
	let target = 2 * TEMPLATE_TRANSFERS_PER_BLOCK;
	ok &= check(
		&format!("balance transfers per full block >= {target} (2x the template's {TEMPLATE_TRANSFERS_PER_BLOCK})"),
		transfers.map(|n| format!("{n}")),
		transfers.is_some_and(|n| n >= target),
	);
	let slowest = bursts[0].slowest_full_block_ms();
	ok &= check(
		&format!("authoring time of those full blocks < {AUTHORING_BUDGET_MS} ms"),
		slowest.map(|ms| format!("{ms} ms at most")),
		slowest.is_some_and(|ms| ms < AUTHORING_BUDGET_MS),
	);
	let lost: usize = bursts.iter().map(|b| b.lost.len() + b.refused.len()).sum();
	ok &= check(
		"zero accepted transactions lost",
		Some(format!("{lost} lost or refused")),
		lost == 0,
	);
	if ok {
		ExitCode::SUCCESS
	} else {
		ExitCode::FAILURE
	}
}

/// The command line.
struct Args {
	per_sender: u64,
	keep_chain: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
	let mut args = std::env::args().skip(1);
	let mut parsed = Args { per_sender: 2_000, keep_chain: None };
	while let Some(arg) = args.next() {
		match arg.as_str() {
			"--per-sender" => {
				let value = args.next().ok_or("--per-sender needs a number")?;
				parsed.per_sender =
					value.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
						format!("--per-sender: `{value}` is not a positive number")
					})?;
			},
			"--keep-chain" => {
				let dir = PathBuf::from(args.next().ok_or("--keep-chain needs a directory")?);
				if dir.exists() {
					return Err(format!("--keep-chain: {} exists already", dir.display()));
				}
				parsed.keep_chain = Some(dir);
			},
			other => return Err(format!("unknown argument `{other}`")),
		}
	}
	Ok(parsed)
}

/// The `index`th new account of burst `burst`: 32 bytes no key has (nobody can spend from
/// it), distinct per burst and transaction.
fn new_account(burst: u8, index: u64) -> dynamic::Value {
	let mut id = [0u8; 32];
	id[0] = 0x7b;
	id[1] = burst;
	id[2..10].copy_from_slice(&index.to_le_bytes());
	dynamic::Value::unnamed_variant("Id", [dynamic::Value::from_bytes(id)])
}

fn check(what: &str, measured: Option<String>, met: bool) -> bool {
	let measured = measured.unwrap_or_else(|| "no full block".into());
	println!("  [{}] {what}: {measured}", if met { "met" } else { "NOT met" });
	met
}

async fn block_weights(client: &Client) -> BlockWeights {
	let at = within(client.at_current_block()).await.expect("best block");
	at.constants()
		.entry(dynamic::constant::<BlockWeights>("System", "BlockWeights"))
		.expect("System.BlockWeights")
}

/// Signs `per_sender` transactions `call(new account)` for each sender (from its next
/// nonce), submits them all at once, watches each until finalized and gathers the figures of
/// every block that included one.
async fn burst<P: subxt::tx::Payload>(
	node: &Node,
	client: &Client,
	label: &'static str,
	senders: &[Keypair],
	per_sender: u64,
	burst_id: u8,
	call: impl Fn(dynamic::Value) -> P,
) -> Burst {
	let at = within(client.at_current_block()).await.expect("best block");
	let mut signed = Vec::new();
	for (s, sender) in senders.iter().enumerate() {
		let first = within(at.transactions().account_nonce(&sender.public_key().to_account_id()))
			.await
			.expect("account nonce");
		signed.push(
			(0..per_sender)
				.map(|i| {
					let to = new_account(burst_id, s as u64 * per_sender + i);
					sign(&at, &call(to), sender, first + i, 0)
				})
				.collect::<Vec<_>>(),
		);
	}
	let per_connection = SUBSCRIPTIONS_PER_CONNECTION.min(per_sender as usize).max(1);
	let connections_per_sender = (per_sender as usize).div_ceil(per_connection);
	let mut connections: Vec<RpcClient> = Vec::new();
	for _ in 0..senders.len() * connections_per_sender {
		connections.push(node.rpc_client().await.expect("an RPC connection"));
	}
	println!("{label}: submitting {} signed transactions", senders.len() as u64 * per_sender);

	let submissions = signed.into_iter().enumerate().map(|(sender, xts)| {
		let connections =
			&connections[sender * connections_per_sender..(sender + 1) * connections_per_sender];
		futures::stream::iter(xts.into_iter().enumerate())
			.map(move |(i, xt)| {
				let rpc = connections[i / per_connection].clone();
				async move { submit_and_watch(rpc, xt).await }
			})
			.buffered(IN_FLIGHT)
			.collect::<Vec<_>>()
	});
	let watched: Vec<_> =
		futures::future::join_all(submissions).await.into_iter().flatten().collect();
	let mut refused = Vec::new();
	let mut pending = Vec::new();
	for w in watched {
		match w {
			Ok(outcome) => pending.push(outcome),
			Err(error) => refused.push(error),
		}
	}
	let accepted = pending.len();
	let deadline = tokio::time::Instant::now() + BURST_BOUND;
	let outcomes = futures::future::join_all(pending.into_iter().map(|outcome| async move {
		tokio::time::timeout_at(deadline, outcome).await.unwrap_or(Outcome::Silent)
	}))
	.await;
	let mut per_block = BTreeMap::<String, u64>::new();
	let mut lost = Vec::new();
	for outcome in outcomes {
		match outcome {
			Outcome::Finalized(block) => *per_block.entry(block).or_default() += 1,
			Outcome::Left(reason) => lost.push(reason),
			Outcome::Silent => lost.push("never finalized within the bound".into()),
		}
	}

	let authored = authored_blocks(&node.log());
	let mut blocks = Vec::new();
	for (hash, included) in per_block {
		let block = within(client.at_block(hash.parse::<subxt::utils::H256>().expect("a hash")))
			.await
			.expect("the block");
		let number = block.block_number();
		let used = within(
			block
				.storage()
				.fetch(dynamic::storage::<(), PerClass<Weight>>("System", "BlockWeight"), ()),
		)
		.await
		.expect("System.BlockWeight")
		.decode()
		.expect("decoding System.BlockWeight");
		blocks.push(BlockFigures {
			number,
			included,
			authored: authored.get(&number).cloned(),
			normal_weight: used.normal,
		});
	}
	blocks.sort_by_key(|b| b.number);
	Burst { label, accepted, refused, lost, blocks }
}

/// The node's `Prepared block for proposing at N (T ms) hash: ..; ...; end: R;
/// extrinsics_count: K` lines, by block number (the hash there is the block's before its
/// seal, not the imported one; this node is the chain's only author, so numbers are unique).
fn authored_blocks(log: &str) -> BTreeMap<u64, Authored> {
	let mut out = BTreeMap::new();
	for line in log.lines() {
		let Some(rest) = line.split("Prepared block for proposing at ").nth(1) else { continue };
		let field = |name: &str| {
			rest.split(name).nth(1).map(|v| v.split([';', ' ']).next().unwrap_or("").to_owned())
		};
		let number = rest.split(' ').next().and_then(|v| v.parse().ok());
		let millis =
			rest.split('(').nth(1).and_then(|v| v.split(" ms").next()).and_then(|v| v.parse().ok());
		let (Some(number), Some(millis), Some(end)) = (number, millis, field("end: ")) else {
			continue;
		};
		let extrinsics =
			field("extrinsics_count: ").and_then(|v| v.parse().ok()).unwrap_or_default();
		out.insert(number, Authored { millis, end, extrinsics });
	}
	out
}

fn print_burst(b: &Burst, normal_limit: Weight) {
	println!(
		"\n{}: {} accepted, {} refused, {} lost",
		b.label,
		b.accepted,
		b.refused.len(),
		b.lost.len()
	);
	for reason in b.refused.iter().chain(&b.lost).take(3) {
		println!("  e.g. {reason}");
	}
	println!(
		"  {:>7} {:>9} {:>11} {:>13} {:>12} {:>8}  end",
		"block", "included", "extrinsics", "authoring ms", "weight ms", "of limit"
	);
	for block in &b.blocks {
		let (millis, extrinsics, end) = match &block.authored {
			Some(a) => (a.millis.to_string(), a.extrinsics.to_string(), a.end.as_str()),
			None => ("-".into(), "-".into(), "(not authored by this node's log)"),
		};
		let weight_ms = block.normal_weight.ref_time as f64 / 1e9;
		let share = 100.0 * block.normal_weight.ref_time as f64 / normal_limit.ref_time as f64;
		println!(
			"  {:>7} {:>9} {:>11} {:>13} {:>12.1} {:>7.1}%  {}",
			block.number, block.included, extrinsics, millis, weight_ms, share, end
		);
	}
}
