//! `hashrate-bench-throughput`: how many transactions of each kind a 6 s block of
//! `hashrate-node` takes, and what authoring them costs, on this machine.
//!
//! Starts `hashrate-node --dev` (Aura, 6 s slots) on a base path of its own, signs each
//! burst up front (sequential nonces per sender) and submits it at once, every transaction
//! watched until finalized. For each block that included part of a burst it prints the
//! count, the authoring time the node logged (`Prepared block for proposing at N (T ms)`),
//! the weight the block used (`System.BlockWeight`: the normal class against what normal
//! transactions may fill, and the whole block with its own work — `on_initialize`,
//! inherents, the `on_idle` work that takes the weight transactions left), and why authoring
//! stopped (`HitBlockWeightLimit`, ...). Then the targets of issue 19, each met or not.
//!
//! A measurement, not a test: CI builds this binary (it is linted with the workspace) but
//! does not run it; `scripts/bench-throughput.sh` does. Exits non-zero when a transaction
//! the pool accepted was lost (dropped, invalid, or never finalized within the bound) or a
//! target is missed.
//!
//! The bursts, in order, each of `6 x --per-sender` transactions (12,000 by default) to as
//! many keyed accounts of the benchmark's own ("claimers", new to the chain: the costlier
//! case, every transfer creates what it credits):
//!
//! 1. **balance transfers**: Alice..Ferdie send each claimer 1 UNIT (for its fees);
//! 2. **hashrate-token transfers**: Bob, Ferdie and Dave bought a series of demo facility 0
//!    (backed by a final period, its one-period term starting after the bursts) and each
//!    claimer gets one token;
//! 3. **payout-asset transfers**: the BTC holders send each claimer the asset's minimum;
//! 4. the term period ends: governance sets its network data (a difficulty low enough that
//!    one token's share of a 30 s period is whole satoshis), the facility reports, the
//!    attestors attest, it becomes final and the operator deposits what it owes;
//! 5. **claims**: every claimer claims its share.
//!
//! A run leaves a chain state of realistic size behind; with `--keep-chain DIR` the node's
//! database stays in `DIR` (`scripts/benchmark.sh storage` measures the database weights on
//! it).
//!
//! ```text
//! hashrate-bench-throughput [--per-sender N] [--keep-chain DIR]   # default 2,000 per sender
//! ```

use futures::StreamExt;
use hashrate_e2e::{
	chain_now, dev_output_at, feed_dev_network_data, key, lengthen_report_window, newtype,
	report_and_attest, sign, submit, submit_and_watch,
	subxt::{
		self, dynamic,
		ext::scale_decode::DecodeAsType,
		rpcs::{rpc_params, RpcClient},
	},
	subxt_signer::sr25519::{dev, Keypair},
	until_finalized, within, Client, Node, Outcome, Sealing, TempDir, DEV_PERIOD, DIFFICULTY,
	REWARD, UNIT,
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
/// Hashrate-token transfers per block against balance transfers per block (issue 19).
const TOKEN_TARGET_PER_MILL: u64 = 800;
/// Claims per block against balance transfers per block (issue 19).
const CLAIM_TARGET_PER_MILL: u64 = 500;
/// What demo facility 0 reports for the series' backing and term, TH/s.
const REPORTED_THS: u128 = 110_000;
/// Hashrate per token: 4 TH/s in milli-TH/s (12,000 tokens: 48 PH/s of the 110 backing).
const HASHRATE_PER_TOKEN: u128 = 4_000;
/// The term period's difficulty, set by governance: low enough that one token's share of
/// the period is whole satoshis (about 11 at 12,000 holders).
const TERM_DIFFICULTY: u128 = DIFFICULTY / 200;
/// Collateral the operator locks, sats.
const COLLATERAL: u128 = 5_000_000;
/// Seconds from the offering's close to the start of the term: time for the first three
/// bursts before the term period ends.
const TERM_GAP: u64 = 300;
/// The payout asset's id and minimum balance (sats).
const PAYOUT_ASSET: u128 = 1;
const PAYOUT_MIN_BALANCE: u128 = 1_000;

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
	/// `System.ExtrinsicFailed` events in the block.
	failed: u64,
	authored: Option<Authored>,
	normal_weight: Weight,
	/// Every class: with the block's own work (`on_initialize`, inherents, `on_idle`).
	total_ms: f64,
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
	/// The best block when the pool had accepted the whole burst.
	arriving_until: u64,
	refused: Vec<String>,
	lost: Vec<String>,
	blocks: Vec<BlockFigures>,
}

impl Burst {
	/// The fewest a full block took (`None` if no block was full).
	fn per_full_block(&self) -> Option<u64> {
		self.blocks.iter().filter(|b| b.full()).map(|b| b.included).min()
	}

	/// The longest a full block took to author, of those authored once the whole burst was
	/// in the pool (before, the block shares the machine's two cores with the pool validating
	/// the burst and with this client signing and submitting it).
	fn slowest_full_block_ms(&self) -> Option<u64> {
		self.blocks
			.iter()
			.filter(|b| b.full() && b.number > self.arriving_until)
			.filter_map(|b| b.authored.as_ref().map(|a| a.millis))
			.max()
	}

	fn failed(&self) -> u64 {
		self.blocks.iter().map(|b| b.failed).sum()
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
	let count = per_sender * everyone.len() as u64;
	let claimers: Vec<Keypair> = (0..count).map(claimer).collect();
	let token_holders = [dev::bob(), dev::ferdie(), dev::dave()];
	let term = issue_series(&node, &client, &token_holders, count).await;
	println!("series 0: {count} tokens, term period {term}");
	let mut bursts = Vec::new();

	let to = |i: u64| claimers[i as usize].public_key().to_address::<()>();
	let transfer = |i: u64| dynamic::transaction("Balances", "transfer_keep_alive", (to(i), UNIT));
	let streams = signed_by(&client, &everyone, count, transfer).await;
	bursts.push(burst(&node, &client, "balance transfers", streams).await);

	let token_transfer = |i: u64| {
		dynamic::transaction(
			"HashrateTokens",
			"transfer",
			(newtype(0), dynamic::Value::from_bytes(claimers[i as usize].public_key().0), 1u128),
		)
	};
	let streams = signed_by(&client, &token_holders, count, token_transfer).await;
	bursts.push(burst(&node, &client, "hashrate-token transfers", streams).await);

	// The payout asset (BTC): Charlie, Dave, Bob and Ferdie hold it in the dev genesis.
	let btc_holders = [dev::charlie(), dev::dave(), dev::bob(), dev::ferdie()];
	let asset_transfer = |i: u64| {
		dynamic::transaction(
			"Assets",
			"transfer_keep_alive",
			(PAYOUT_ASSET, to(i), PAYOUT_MIN_BALANCE),
		)
	};
	let streams = signed_by(&client, &btc_holders, count, asset_transfer).await;
	bursts.push(burst(&node, &client, "payout-asset transfers", streams).await);

	match settle_term(&node, &client, term).await {
		Ok(owed) => println!("term period {term} final; the operator deposited {owed} sats"),
		Err(error) => {
			eprintln!("error: the term period did not settle: {error}");
			return ExitCode::FAILURE;
		},
	}
	let at = within(client.at_current_block()).await.expect("best block");
	let claim = dynamic::transaction("RealYield", "claim", (newtype(0),));
	let streams = claimers
		.chunks(SUBSCRIPTIONS_PER_CONNECTION)
		.map(|chunk| chunk.iter().map(|who| sign(&at, &claim, who, 0, 0)).collect())
		.collect();
	bursts.push(burst(&node, &client, "claims", streams).await);
	drop(client);
	drop(node);

	let mut ok = true;
	for b in &bursts {
		print_burst(b, normal_limit);
		if !b.refused.is_empty() || !b.lost.is_empty() || b.failed() > 0 {
			ok = false;
		}
	}

	println!("\ntargets (issue 19):");
	let (balances, tokens, claims) =
		(&bursts[0], &bursts[1], bursts.get(3).expect("the claims burst"));
	let transfers = balances.per_full_block();
	let target = 2 * TEMPLATE_TRANSFERS_PER_BLOCK;
	ok &= check(
		&format!("balance transfers per full block >= {target} (2x the template's {TEMPLATE_TRANSFERS_PER_BLOCK})"),
		transfers.map(|n| format!("{n}")),
		transfers.is_some_and(|n| n >= target),
	);
	let slowest = balances.slowest_full_block_ms();
	ok &= check(
		&format!(
			"authoring time of those full blocks (the burst in the pool) < \
			 {AUTHORING_BUDGET_MS} ms"
		),
		slowest.map(|ms| format!("{ms} ms at most")),
		slowest.is_some_and(|ms| ms < AUTHORING_BUDGET_MS),
	);
	for (burst, per_mill) in [(tokens, TOKEN_TARGET_PER_MILL), (claims, CLAIM_TARGET_PER_MILL)] {
		let (n, reference) = (burst.per_full_block(), transfers);
		ok &= check(
			&format!(
				"{} per full block >= {}.{}x balance transfers",
				burst.label,
				per_mill / 1_000,
				per_mill % 1_000 / 100
			),
			n.zip(reference).map(|(n, r)| format!("{n} ({:.2}x)", n as f64 / r as f64)),
			n.zip(reference).is_some_and(|(n, r)| n * 1_000 >= r * per_mill),
		);
	}
	let lost: usize = bursts.iter().map(|b| b.lost.len() + b.refused.len()).sum();
	let failed: u64 = bursts.iter().map(Burst::failed).sum();
	ok &= check(
		"zero accepted transactions lost (or failed)",
		Some(format!("{lost} lost or refused, {failed} failed")),
		lost == 0 && failed == 0,
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

/// The benchmark's `index`th account: a key of its own (a seed naming the benchmark and
/// the index; no phrase, so 12,000 derive in moments), new to the chain.
fn claimer(index: u64) -> Keypair {
	let mut seed = [0u8; 32];
	seed[..16].copy_from_slice(b"hashrate-bench/\0");
	seed[16..24].copy_from_slice(&index.to_le_bytes());
	Keypair::from_secret_key(seed).expect("any 32 bytes are a seed")
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

/// `call(i)` for `i` in `0..count`, signed by `senders` in turn (each a contiguous share,
/// from its next nonce): one stream per sender, in nonce order.
async fn signed_by<P: subxt::tx::Payload>(
	client: &Client,
	senders: &[Keypair],
	count: u64,
	call: impl Fn(u64) -> P,
) -> Vec<Vec<String>> {
	let at = within(client.at_current_block()).await.expect("best block");
	let share = count.div_ceil(senders.len() as u64);
	let mut streams = Vec::new();
	for (s, sender) in senders.iter().enumerate() {
		let first = within(at.transactions().account_nonce(&sender.public_key().to_account_id()))
			.await
			.expect("account nonce");
		let from = s as u64 * share;
		let until = (from + share).min(count);
		streams.push(
			(from..until).map(|i| sign(&at, &call(i), sender, first + i - from, 0)).collect(),
		);
	}
	streams
}

/// Submits every stream at once (each in its order, [`IN_FLIGHT`] at a time), watches each
/// transaction until finalized and gathers the figures of every block that included one.
async fn burst(
	node: &Node,
	client: &Client,
	label: &'static str,
	streams: Vec<Vec<String>>,
) -> Burst {
	let mut connections: Vec<Vec<RpcClient>> = Vec::new();
	for stream in &streams {
		let mut own = Vec::new();
		for _ in 0..stream.len().div_ceil(SUBSCRIPTIONS_PER_CONNECTION) {
			own.push(node.rpc_client().await.expect("an RPC connection"));
		}
		connections.push(own);
	}
	let total: usize = streams.iter().map(Vec::len).sum();
	println!("{label}: submitting {total} signed transactions");

	let submissions = streams.into_iter().zip(&connections).map(|(xts, connections)| {
		futures::stream::iter(xts.into_iter().enumerate())
			.map(move |(i, xt)| {
				let rpc = connections[i / SUBSCRIPTIONS_PER_CONNECTION].clone();
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
	let arriving_until = best_block(node).await;
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
		let events = within(block.events().fetch()).await.expect("the block's events");
		let failed = events
			.iter()
			.filter_map(Result::ok)
			.filter(|e| (e.pallet_name(), e.event_name()) == ("System", "ExtrinsicFailed"))
			.count() as u64;
		blocks.push(BlockFigures {
			number,
			included,
			failed,
			authored: authored.get(&number).cloned(),
			normal_weight: used.normal,
			total_ms: [used.normal, used.operational, used.mandatory]
				.iter()
				.map(|w| w.ref_time as f64 / 1e9)
				.sum(),
		});
	}
	blocks.sort_by_key(|b| b.number);
	Burst { label, accepted, arriving_until, refused, lost, blocks }
}

/// The node's best block number.
async fn best_block(node: &Node) -> u64 {
	let rpc = node.rpc_client().await.expect("an RPC connection");
	let head = within(rpc.request::<serde_json::Value>("chain_getHeader", rpc_params![]))
		.await
		.expect("the best header");
	head["number"]
		.as_str()
		.and_then(|hex| u64::from_str_radix(hex.trim_start_matches("0x"), 16).ok())
		.expect("a block number")
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
		"\n{}: {} accepted, {} refused, {} lost, {} failed",
		b.label,
		b.accepted,
		b.refused.len(),
		b.lost.len(),
		b.failed()
	);
	for reason in b.refused.iter().chain(&b.lost).take(3) {
		println!("  e.g. {reason}");
	}
	println!(
		"  {:>7} {:>9} {:>11} {:>13} {:>12} {:>8} {:>10}  end",
		"block", "included", "extrinsics", "authoring ms", "weight ms", "of limit", "block ms"
	);
	for block in &b.blocks {
		let arriving = if block.number <= b.arriving_until { " (burst arriving)" } else { "" };
		let (millis, extrinsics, end) = match &block.authored {
			Some(a) => (a.millis.to_string(), a.extrinsics.to_string(), a.end.as_str()),
			None => ("-".into(), "-".into(), "(not authored by this node's log)"),
		};
		let weight_ms = block.normal_weight.ref_time as f64 / 1e9;
		let share = 100.0 * block.normal_weight.ref_time as f64 / normal_limit.ref_time as f64;
		println!(
			"  {:>7} {:>9} {:>11} {:>13} {:>12.1} {:>7.1}% {:>10.1}  {end}{arriving}",
			block.number, block.included, extrinsics, millis, weight_ms, share, block.total_ms
		);
	}
}

/// Issues series 0 of demo facility 0 (a fresh development chain has no series): each of
/// `holders` buys `count / holders` tokens at 1 sat; the term is one period starting
/// [`TERM_GAP`] after the offering closes. The facility's backing is the last ended period,
/// made final at [`REPORTED_THS`]. Returns the term period.
async fn issue_series(node: &Node, client: &Client, holders: &[Keypair], count: u64) -> u32 {
	// The bursts take minutes: no silent period may default before the term is reported.
	lengthen_report_window(client).await;
	let ended = u32::try_from(chain_now(client).await / DEV_PERIOD - 1).expect("a period");
	report_and_attest(client, ended, REPORTED_THS).await;
	make_final(node, client, ended).await.expect("the backing period final");

	let closes = chain_now(client).await + 60;
	let term = u32::try_from((closes + TERM_GAP).div_ceil(DEV_PERIOD)).expect("a period");
	let terms = dynamic::Value::named_composite([
		("name", dynamic::Value::from_bytes(b"Throughput")),
		("symbol", dynamic::Value::from_bytes(b"TPUT")),
		("decimals", dynamic::Value::u128(0)),
		("hashrate_per_token", newtype(HASHRATE_PER_TOKEN)),
		("first_period", newtype(term.into())),
		("last_period", newtype(term.into())),
		("cost_per_th_day", newtype(0)),
		("supply_cap", dynamic::Value::u128(count.into())),
		("min_balance", dynamic::Value::u128(1)),
	]);
	let operator = dev::charlie();
	let tx = |call: &'static str, args: Vec<dynamic::Value>| {
		dynamic::transaction("HashrateTokens", call, args)
	};
	submit(client, &tx("create_series", vec![newtype(0), terms]), &operator)
		.await
		.expect("series created");
	let offering = dynamic::Value::named_composite([
		("price", dynamic::Value::u128(1)),
		("closes", dynamic::Value::u128(closes.into())),
		("soft_cap", dynamic::Value::u128(1)),
		("hard_cap", dynamic::Value::u128(count.into())),
		("min_subscription", dynamic::Value::u128(1)),
	]);
	submit(client, &tx("open_offering", vec![newtype(0), offering]), &operator)
		.await
		.expect("offering opened");
	let each = count / holders.len() as u64;
	futures::future::join_all(holders.iter().map(|holder| {
		let subscribe = tx("subscribe", vec![newtype(0), dynamic::Value::u128(each.into())]);
		async move { submit(client, &subscribe, holder).await.expect("subscribed") }
	}))
	.await;
	submit(
		client,
		&tx("add_collateral", vec![newtype(0), dynamic::Value::u128(COLLATERAL)]),
		&operator,
	)
	.await
	.expect("collateral locked");
	// Collateral is priced with recent network data (the backing's is minutes old by now).
	let ended = u32::try_from(chain_now(client).await / DEV_PERIOD - 1).expect("a period");
	feed_dev_network_data(client, ended).await;
	// The chain closes the offering by itself once it is due; closing it here is the
	// fallback, whichever comes first.
	let close = tx("close_offering", vec![newtype(0)]);
	until_finalized(node, "the offering closed", 40, || async {
		match submit(client, &close, &dev::alice()).await {
			Ok(_) => Some(()),
			Err(error) if error.contains("OfferingNotOpen") => Some(()),
			Err(error) if error.contains("OfferingStillOpen") => None,
			Err(error) => panic!("closing the offering: {error}"),
		}
	})
	.await;
	term
}

/// Once the term period ended: governance sets its network data ([`TERM_DIFFICULTY`]), the
/// facility reports [`REPORTED_THS`], the attestors attest, the period becomes final, and
/// the operator deposits what it owes. Returns that amount.
async fn settle_term(node: &Node, client: &Client, term: u32) -> Result<u128, String> {
	let end = (u64::from(term) + 1) * DEV_PERIOD;
	until_finalized(node, "the term period ended", 60, || async {
		(chain_now(client).await >= end).then_some(())
	})
	.await;
	let data = dynamic::Value::named_composite([
		("difficulty", newtype(TERM_DIFFICULTY)),
		("reward_per_block", newtype(REWARD)),
	]);
	let set = dynamic::Value::unnamed_variant(
		"PowOracle",
		[dynamic::Value::named_variant(
			"set_network_data",
			[("period", dynamic::Value::u128(term.into())), ("data", data)],
		)],
	);
	submit(client, &dynamic::transaction("Sudo", "sudo", (set,)), &dev::alice()).await?;
	let period = || dynamic::Value::u128(term.into());
	let output = || dev_output_at(REPORTED_THS, TERM_DIFFICULTY);
	let report = dynamic::transaction("PowOracle", "report", (newtype(0), period(), output()));
	submit(client, &report, &dev::eve()).await?;
	let attest = dynamic::transaction("PowOracle", "attest", (newtype(0), period(), output()));
	for attestor in ["//Alice//stash", "//Bob//stash", "//Charlie//stash"] {
		submit(client, &attest, &key(attestor)).await?;
	}
	make_final(node, client, term).await?;
	let rpc = node.rpc_client().await.map_err(|e| e.to_string())?;
	let report =
		within(rpc.request::<serde_json::Value>("hashrate_periodYield", rpc_params![0u32, term]))
			.await
			.map_err(|e| e.to_string())?;
	let owed = report["owed"].as_u64().ok_or(format!("no amount owed in {report}"))?;
	let deposit = dynamic::transaction(
		"RealYield",
		"deposit",
		(newtype(0), dynamic::Value::u128(term.into()), dynamic::Value::u128(owed.into())),
	);
	submit(client, &deposit, &dev::charlie()).await?;
	Ok(owed.into())
}

/// Makes demo facility 0's finalized `period` final once its challenge window passed (the
/// chain may do it first, by itself).
async fn make_final(node: &Node, client: &Client, period: u32) -> Result<(), String> {
	let make_final = dynamic::transaction(
		"PowOracle",
		"make_final",
		(newtype(0), dynamic::Value::u128(period.into())),
	);
	until_finalized(node, "the period final", 20, || async {
		match submit(client, &make_final, &dev::alice()).await {
			Ok(_) => Some(Ok(())),
			Err(error) if error.contains("ChallengeWindowOpen") => None,
			Err(error) if error.contains("AlreadyFinal") => Some(Ok(())),
			Err(error) => Some(Err(error)),
		}
	})
	.await
}
