//! End-to-end: a facility's Bitcoin payout, mined on a regtest-parameter relay at chain time,
//! proven by `hashrate-agent prove` and raising the facility's final sats in proven mode —
//! and with them what its holders are owed.
//!
//! The chain runs the development preset with its relay and payout addresses switched to
//! regtest (`export-chain-spec`, patched): the relay starts at a regtest checkpoint mined
//! here four hours before the chain's clock (so the relay is not live and the oracle's
//! periods fix their network data as on the plain development chain), and demo facility 0's
//! approved payout address is `bcrt1q…` of a 20-byte key hash. Facility 0 opts into proven
//! mode (lag 0), issues a one-period series (Bob 300, Ferdie 200 tokens of 100 TH/s) and
//! reports and attests that period (110 PH/s); then in the period's span the test mines a block whose second transaction pays the facility's
//! script, plus 24 blocks on top: 25 confirmations, all within the period, so the relay never
//! covers it (its network data stays the fed one). The headers are relayed; the agent finds
//! the payout through a small fake Bitcoin Core (`getblock` verbosity 0, `gettxoutproof`),
//! dry-runs it from files first, proves it, and sends nothing on a second run. Once the
//! proofs closed the chain makes the output final at the running-sum floor of the proofs,
//! above the attestation, and the series period owes the holders in proportion.

use hashrate_e2e::{
	account_nonce, agent_key_file as key_file, chain_now, display_hash, double_sha256,
	free_balance, hex, id, issue_dev_series, lengthen_report_window, newtype, node_binary,
	report_and_attest, run_agent, submit, until_finalized, view_function, within, AgentRun, Client,
	FakeBitcoind, Node, Sealing, TempDir, BACKING_THS, DEV_PERIOD, DIFFICULTY, REWARD,
	SERIES_HASHRATE_PER_TOKEN,
};
use serde_json::{json, Value as Json};
use std::{
	collections::HashMap,
	path::{Path, PathBuf},
};
use subxt::{
	dynamic::{self, Value},
	ext::codec::Decode,
	rpcs::rpc_params,
};
use subxt_signer::sr25519::dev;

/// The facility's payout script: P2WPKH of twenty 0x5a bytes.
const SCRIPT: [u8; 22] = {
	let mut script = [0x5a; 22];
	script[0] = 0x00;
	script[1] = 0x14;
	script
};
/// [`SCRIPT`]'s regtest address (BIP-173, computed with its reference implementation).
const ADDRESS: &str = "bcrt1qtfd95kj6tfd95kj6tfd95kj6tfd95kj6qz56sc";
/// Regtest's easiest target, as the header states it.
const REGTEST_BITS: u32 = 0x207f_ffff;
/// The checkpoint's height.
const CHECKPOINT: u32 = 100;
/// Blocks a payout needs on top of it, itself included (`PayoutProofs::MinConfirmations`).
const CONFIRMATIONS: u32 = 25;

/// A regtest header on `prev` with `merkle_root` and `time`, its nonce searched until it
/// meets regtest's target (about two tries).
fn mine(prev: [u8; 32], merkle_root: [u8; 32], time: u32) -> [u8; 80] {
	let mut header = [0u8; 80];
	header[..4].copy_from_slice(&0x2000_0000u32.to_le_bytes());
	header[4..36].copy_from_slice(&prev);
	header[36..68].copy_from_slice(&merkle_root);
	header[68..72].copy_from_slice(&time.to_le_bytes());
	header[72..76].copy_from_slice(&REGTEST_BITS.to_le_bytes());
	for nonce in 0u32.. {
		header[76..].copy_from_slice(&nonce.to_le_bytes());
		// The hash as a little-endian number at most 0x7fffff * 256^29: its top byte below
		// 0x7f (or equal with the next bytes small enough, which this skips).
		if double_sha256(&header)[31] < 0x7f {
			return header;
		}
	}
	unreachable!("a nonce below 2^32 meets regtest's target")
}

/// A transaction of one input spending `prevout` (txid, index) with `script_sig`, paying
/// `outputs` (sats, script).
fn transaction(prevout: ([u8; 32], u32), script_sig: &[u8], outputs: &[(u64, &[u8])]) -> Vec<u8> {
	let mut tx = 2u32.to_le_bytes().to_vec();
	tx.push(1);
	tx.extend_from_slice(&prevout.0);
	tx.extend_from_slice(&prevout.1.to_le_bytes());
	tx.push(script_sig.len() as u8);
	tx.extend_from_slice(script_sig);
	tx.extend_from_slice(&u32::MAX.to_le_bytes());
	tx.push(outputs.len() as u8);
	for (sats, script) in outputs {
		tx.extend_from_slice(&sats.to_le_bytes());
		tx.push(script.len() as u8);
		tx.extend_from_slice(script);
	}
	tx.extend_from_slice(&0u32.to_le_bytes());
	tx
}

/// `tx` (one input, as [`transaction`] makes it) serialized with `witness` (BIP 144).
fn with_witness(tx: &[u8], witness: &[&[u8]]) -> Vec<u8> {
	let (body, lock_time) = tx[4..].split_at(tx.len() - 8);
	let mut out = tx[..4].to_vec();
	out.extend_from_slice(&[0, 1]);
	out.extend_from_slice(body);
	out.push(witness.len() as u8);
	for item in witness {
		out.push(item.len() as u8);
		out.extend_from_slice(item);
	}
	out.extend_from_slice(lock_time);
	out
}

/// The txid of a transaction of one input (with or without witness): the double SHA-256 of
/// its serialization without witness.
fn txid(tx: &[u8]) -> [u8; 32] {
	if tx[4..6] != [0, 1] {
		return double_sha256(tx);
	}
	// Version, marker and flag, one input (prevout, script, sequence), the outputs.
	let mut at = 6 + 1 + 36;
	at += 1 + tx[at] as usize + 4;
	let outputs = tx[at] as usize;
	at += 1;
	for _ in 0..outputs {
		at += 8;
		at += 1 + tx[at] as usize;
	}
	double_sha256(&[&tx[..4], &tx[6..at], &tx[tx.len() - 4..]].concat())
}

/// Block `height`'s coinbase: 50 BTC to `OP_TRUE`, the height in its script (4 bytes, so
/// each block's coinbase differs; not BIP-34's minimal push, which only Core's block checks
/// need); with `witness_root`, a witness commitment to it (BIP 141: a zero reserved value).
fn coinbase(height: u32, witness_root: Option<[u8; 32]>) -> Vec<u8> {
	let mut script_sig = vec![4];
	script_sig.extend_from_slice(&height.to_le_bytes());
	let null = ([0; 32], u32::MAX);
	let Some(root) = witness_root else {
		return transaction(null, &script_sig, &[(5_000_000_000, &[0x51])]);
	};
	let mut commitment = vec![0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed];
	commitment.extend_from_slice(&double_sha256(&[root, [0; 32]].concat()));
	let tx = transaction(null, &script_sig, &[(5_000_000_000, &[0x51]), (0, &commitment)]);
	with_witness(&tx, &[&[0; 32]])
}

/// A mined regtest block: its header and transactions.
struct Block {
	header: [u8; 80],
	transactions: Vec<Vec<u8>>,
}

impl Block {
	fn hash(&self) -> [u8; 32] {
		double_sha256(&self.header)
	}

	/// The block as Core serializes it: header, transaction count, transactions.
	fn serialize(&self) -> Vec<u8> {
		let mut block = self.header.to_vec();
		block.push(self.transactions.len() as u8);
		for tx in &self.transactions {
			block.extend_from_slice(tx);
		}
		block
	}

	fn txids(&self) -> Vec<[u8; 32]> {
		self.transactions.iter().map(|tx| txid(tx)).collect()
	}

	/// Mines a block of `transactions` (one or two) on `prev` at `time`.
	fn mine(prev: [u8; 32], time: u32, transactions: Vec<Vec<u8>>) -> Self {
		let txids: Vec<[u8; 32]> = transactions.iter().map(|tx| txid(tx)).collect();
		let root = match txids.as_slice() {
			[only] => *only,
			[a, b] => double_sha256(&[a.as_slice(), b.as_slice()].concat()),
			_ => panic!("one or two transactions"),
		};
		Self { header: mine(prev, root, time), transactions }
	}

	/// Bitcoin Core's `gettxoutproof` of transaction `index` (a `merkleblock`: the header,
	/// the transaction count, the hashes and the flag bits of a depth-first walk).
	fn txout_proof(&self, index: usize) -> Vec<u8> {
		let txids = self.txids();
		let mut proof = self.header.to_vec();
		proof.extend_from_slice(&(txids.len() as u32).to_le_bytes());
		match txids.len() {
			// The root is the transaction: one hash, flag 1.
			1 => {
				proof.push(1);
				proof.extend_from_slice(&txids[0]);
				proof.extend_from_slice(&[1, 0x01]);
			},
			// Root (1: a match below), then both leaves: the match 1, the other 0.
			2 => {
				proof.push(2);
				proof.extend_from_slice(&txids[0]);
				proof.extend_from_slice(&txids[1]);
				let flags = if index == 0 { 0b011 } else { 0b101 };
				proof.extend_from_slice(&[1, flags]);
			},
			_ => unreachable!(),
		}
		proof
	}
}

/// The regtest checkpoint at `time`: its header and the relay's genesis entry.
fn checkpoint(time: u32) -> (Block, Json) {
	let block = Block::mine([0; 32], time, vec![coinbase(CHECKPOINT, None)]);
	let entry = json!({
		"header": block.header.to_vec(),
		"height": CHECKPOINT,
		"epoch_start_time": time - 600 * CHECKPOINT,
		"times": (0..11).map(|i| time - 10 + i).collect::<Vec<u32>>(),
	});
	(block, entry)
}

/// The development chain spec with its relay on regtest from `checkpoint` and demo facility
/// 0's payout address [`ADDRESS`] (facility 1's mainnet addresses dropped).
fn regtest_spec(dir: &Path, checkpoint: Json) -> PathBuf {
	let output = std::process::Command::new(node_binary())
		.args(["export-chain-spec", "--chain", "dev"])
		.output()
		.expect("running export-chain-spec");
	assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
	let mut spec: Json = serde_json::from_slice(&output.stdout).expect("a JSON chain spec");
	let patch = &mut spec["genesis"]["runtimeGenesis"]["patch"];
	patch["btcRelay"]["network"] = json!("Regtest");
	patch["btcRelay"]["checkpoint"] = checkpoint;
	patch["facilities"]["bitcoinNetwork"] = json!("Regtest");
	let facilities = patch["facilities"]["facilities"].as_array_mut().expect("genesis facilities");
	facilities[0]["payoutAddresses"] = json!([ADDRESS.as_bytes()]);
	for facility in &mut facilities[1..] {
		facility["payoutAddresses"] = json!([]);
	}
	let path = dir.join("regtest-spec.json");
	std::fs::write(&path, serde_json::to_vec(&spec).unwrap()).unwrap();
	path
}

/// Bitcoin Core's answers (for a [`FakeBitcoind`] without authentication) from `blocks`:
/// `getblock` at verbosity 0 (the raw block) and `gettxoutproof`.
fn answer(
	blocks: &HashMap<String, Block>,
	method: &str,
	params: &Json,
) -> Result<Json, &'static str> {
	match method {
		"getblock" if params[1] == json!(0) => {
			let block =
				blocks.get(params[0].as_str().unwrap_or_default()).ok_or("Block not found")?;
			Ok(json!(hex(&block.serialize())))
		},
		"gettxoutproof" => {
			let block =
				blocks.get(params[1].as_str().unwrap_or_default()).ok_or("Block not found")?;
			let wanted = params[0][0].as_str().unwrap_or_default();
			let index = block
				.txids()
				.iter()
				.position(|txid| display_hash(txid) == wanted)
				.ok_or("Transaction not in block")?;
			Ok(json!(hex(&block.txout_proof(index))))
		},
		_ => Err("Method not found"),
	}
}

/// Runs the agent to completion (at most two minutes) with `key_file`.
async fn agent(node: &Node, args: &[&str], key_file: &Path) -> AgentRun {
	run_agent(node, args, key_file, std::time::Duration::from_secs(120)).await
}

/// `PowOracle::output_basis(facility 0, period)`: proven mode, attested, proven, floor, sats,
/// corrected by proofs, final.
type Basis = Option<(bool, u64, u64, u64, u64, bool, bool)>;

async fn basis(client: &Client, period: u32) -> Basis {
	let bytes =
		view_function(client, "PowOracle", "output_basis", (newtype(0), newtype(period.into())))
			.await;
	Basis::decode(&mut &bytes[..]).expect("OutputBasis")
}

async fn proven_sats(client: &Client, period: u32) -> u64 {
	let bytes = view_function(
		client,
		"PayoutProofs",
		"proven_payouts",
		(newtype(0), newtype(period.into())),
	)
	.await;
	u64::decode(&mut &bytes[..]).expect("Sats")
}

/// The sats `dev_output(ths)` reports: the network expectation over 30 s less a 2 % pool fee.
fn reported_sats(ths: u128) -> u64 {
	let gross = ths * 1_000 * 1_000_000_000 * u128::from(DEV_PERIOD) * REWARD / (DIFFICULTY << 32);
	u64::try_from(gross * 980 / 1_000).unwrap()
}

fn sudo(call: Value) -> impl subxt::tx::Payload {
	dynamic::transaction("Sudo", "sudo", (call,))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proven_payout_raises_a_proven_mode_facilitys_final_sats_and_what_holders_are_owed() {
	let dir = TempDir::new("payouts");
	let wall =
		std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
	let (checkpoint_block, checkpoint_entry) = checkpoint(u32::try_from(wall - 4 * 3_600).unwrap());
	let spec = regtest_spec(dir.path(), checkpoint_entry);
	let node = Node::start_with(
		dir.path(),
		Sealing::Instant,
		&["--chain", spec.to_str().unwrap(), "--seal-every", "1000"],
	)
	.await;
	let client = node.client().await;
	let (client, node) = (&client, &node);
	lengthen_report_window(client).await;

	// Facility 0's operator (Charlie) asks for proven mode, lag 0 (the payout is made in the
	// period it pays for); governance approves it for the next period on.
	let settings = Value::named_composite([
		("lag", Value::u128(0)),
		("proven_mode", Value::bool(true)),
		("shift", Value::u128(0)),
	]);
	let request =
		dynamic::transaction("PayoutProofs", "request_payout_settings", (newtype(0), settings));
	submit(client, &request, &dev::charlie()).await.expect("settings requested");
	let approve = Value::unnamed_variant(
		"PayoutProofs",
		[Value::named_variant("approve_payout_settings", [("facility", newtype(0))])],
	);
	submit(client, &sudo(approve), &dev::alice()).await.expect("settings approved");

	// A series of one period: Bob 300 and Ferdie 200 tokens of 100 TH/s.
	let period = issue_dev_series(node, client, 1).await;
	let (start, end) = (u64::from(period) * DEV_PERIOD, u64::from(period + 1) * DEV_PERIOD);

	// Once the period ended, the facility reports and the attestors attest 110 PH/s (checked
	// against the development network data: no relayed block covers a period yet).
	until_finalized(node, "the period ended", 200, || async move {
		(chain_now(client).await >= end).then_some(())
	})
	.await;
	// What the earlier periods of the running sum (the six before) count: their sats.
	let mut counted_before = 0;
	for earlier in period - 6..period {
		if let Some(earlier_basis) = basis(client, earlier).await {
			counted_before += earlier_basis.4;
		}
	}
	report_and_attest(client, period, BACKING_THS).await;
	let attested = reported_sats(BACKING_THS);
	assert_eq!(basis(client, period).await.map(|b| (b.0, b.1, b.6)), Some((true, attested, false)));

	// In the period's span, block 101 pays the facility and 24 blocks follow, all before the
	// period's end (so the relay never covers the period: its network data stays the fed
	// one). Bitcoin shows half as much again as attested, beyond what the earlier periods
	// counted.
	// The payout spends a P2WPKH output (an empty script, a signature and a key in its
	// witness): the facility owns a P2WPKH script, so the chain wants the witness proven
	// against block 101's witness commitment.
	let paid = counted_before + attested * 3 / 2;
	let payout = transaction(([0x77; 32], 0), &[], &[(paid, &SCRIPT), (10_000, &[0x51])]);
	let payout = with_witness(&payout, &[&[0x30; 71], &[0x02; 33]]);
	// The witness root over the coinbase's zero and the payout's witness id.
	let witness_root = double_sha256(&[[0; 32], double_sha256(&payout)].concat());
	let mut blocks = Vec::new();
	let mut prev = checkpoint_block.hash();
	for i in 0..CONFIRMATIONS {
		let height = CHECKPOINT + 1 + i;
		let mut transactions = vec![coinbase(height, (i == 0).then_some(witness_root))];
		if i == 0 {
			transactions.push(payout.clone());
		}
		let block = Block::mine(prev, u32::try_from(start).unwrap() + 1 + i, transactions);
		prev = block.hash();
		blocks.push(block);
	}
	let headers = Value::unnamed_composite(blocks.iter().map(|b| Value::from_bytes(b.header)));
	let relay = dynamic::transaction("BtcRelay", "submit_headers", (headers,));
	submit(client, &relay, &dev::eve()).await.expect("regtest headers relayed");
	assert!(chain_now(client).await < end + 480, "the period's proofs are still open");

	// From files, dry-run: the payout (its coinbase pays no approved script).
	let files = dir.path().join("payouts");
	std::fs::create_dir_all(&files).unwrap();
	std::fs::write(files.join("payout.tx"), &payout).unwrap();
	std::fs::write(files.join("payout.proof"), blocks[0].txout_proof(1)).unwrap();
	std::fs::write(files.join("coinbase.tx"), &blocks[0].transactions[0]).unwrap();
	std::fs::write(files.join("coinbase.proof"), blocks[0].txout_proof(0)).unwrap();
	let key = key_file(dir.path(), "//Ferdie");
	let nonce = account_nonce(client, id(&dev::ferdie())).await;
	let balance = free_balance(client, id(&dev::ferdie())).await;
	let dry = ["prove", "--facility", "0", "--payouts", files.to_str().unwrap(), "--dry-run"];
	// Without its block the agent cannot prove the payout's witness: the chain says so.
	let run = agent(node, &dry, &key).await;
	assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
	assert!(run.stdout.contains("WitnessProofNeeded"), "{}", run.stdout);
	std::fs::write(files.join("payout.block"), blocks[0].serialize()).unwrap();
	let run = agent(node, &dry, &key).await;
	assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
	assert!(run.stdout.contains("coinbase.tx: pays no approved script"), "{}", run.stdout);
	assert!(run.stdout.contains("the chain would accept"), "{}", run.stdout);
	assert_eq!(proven_sats(client, period).await, 0);

	// From the Bitcoin node: found in the relay's confirmed blocks and proven.
	let blocks: HashMap<String, Block> =
		blocks.into_iter().map(|block| (display_hash(&block.hash()), block)).collect();
	let bitcoind =
		FakeBitcoind::start(None, move |method, params| answer(&blocks, method, params)).await;
	let url = bitcoind.url();
	let prove = ["prove", "--facility", "0", "--bitcoin-rpc", &url];
	let run = agent(node, &prove, &key).await;
	assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
	assert!(run.stdout.contains("PayoutProofs.PayoutProven"), "{}", run.stdout);
	assert_eq!(proven_sats(client, period).await, paid);
	// One transaction, paying the normal fee: a 30 s period's sats are below the
	// `FreeProofSats` (0.001 BTC) that would make it free.
	assert!(paid < 100_000);
	assert_eq!(account_nonce(client, id(&dev::ferdie())).await, nonce + 1);
	assert!(free_balance(client, id(&dev::ferdie())).await < balance);
	// Again: credited already, nothing sent.
	let again = agent(node, &prove, &key).await;
	assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
	assert!(again.stdout.contains("credited already"), "{}", again.stdout);
	assert_eq!(account_nonce(client, id(&dev::ferdie())).await, nonce + 1);

	// Once the period's proofs closed the chain makes the output final: at the proofs'
	// floor, above the attestation.
	let report = until_finalized(node, "the period final and owed", 300, || async move {
		let raw = node.rpc_client().await.ok()?;
		let report: Json =
			within(raw.request("hashrate_periodYield", rpc_params![0u32, period])).await.ok()?;
		(report["owed"].as_u64().unwrap_or(0) > 0).then_some(report)
	})
	.await;
	let floor = paid - counted_before;
	assert_eq!(
		basis(client, period).await,
		Some((true, attested, paid, floor, floor, false, true)),
		"proven mode: the floor above the attestation"
	);
	let output = &report["output"]["Proven"];
	let hashrate = u128::from(output["hashrate"].as_u64().expect("{report}"));
	assert_eq!(hashrate, BACKING_THS * 1_000, "{report}");
	assert_eq!(output["sats"], Json::from(floor), "{report}");
	assert_eq!(output["proven"], Json::from(floor), "{report}");
	// 500 tokens of 100 TH/s held over the whole period: 50 PH/s of the 110 delivered.
	let tokenized = 500 * SERIES_HASHRATE_PER_TOKEN;
	let owed = (u128::from(floor) * tokenized).div_ceil(hashrate);
	assert_eq!(report["owed"], Json::from(owed as u64), "{report}");
	assert!(owed > (u128::from(attested) * tokenized).div_ceil(hashrate));
}
