//! `prove`: finds a facility's Bitcoin payouts — outputs paying one of its approved payout
//! scripts — in blocks the chain's relay has with enough confirmations, and proves each
//! transaction not yet credited (`PayoutProofs.prove_payout`), from a Bitcoin Core node or
//! from files.
//!
//! Idempotent: outputs the chain credited already are skipped, so a second run sends nothing.
//! A transaction the chain would refuse (its period's proofs closed, a self-transfer, ...) is
//! reported by the chain's error name and the others still go; the run then fails.

use crate::{
	chain::{self, AtBlock, Chain},
	ops::{self, Failure},
	relay::{display, double_sha256, BitcoinRpc},
};
use hashrate_primitives::bitcoin::transaction::{
	merkle_branch, spent_script_candidates, Transaction,
};
use serde_json::{json, Value as Json};
use std::path::{Path, PathBuf};
use subxt::{dynamic::Value, ext::scale_decode::DecodeAsType};
use subxt_signer::sr25519::Keypair;

/// Where the payouts come from.
pub enum Source {
	/// A directory of transactions and their proofs: `<name>.tx` (raw bytes, with or without
	/// witness), `<name>.proof` (the block's `gettxoutproof` of it, raw bytes) and, for a
	/// transaction spending by witness, `<name>.block` (the raw block, as `getblock <hash> 0`
	/// gives it), from which the witness proof is made.
	Files(PathBuf),
	/// A Bitcoin Core node: the blocks of the relay's main chain, `depth` of them up to the
	/// highest with enough confirmations.
	Rpc { rpc: BitcoinRpc, depth: u32 },
}

/// What one `prove` run does.
pub struct Settings {
	/// The chain's node.
	pub url: String,
	/// The facility whose payouts are proven.
	pub facility: u32,
	/// Check and dry-run; submit nothing.
	pub dry_run: bool,
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct Tip {
	height: u32,
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct StoredHeader {
	height: u32,
	time: u32,
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct ApprovedScript {
	script: Vec<u8>,
	approved_at: u64,
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct PayoutScriptSet {
	approved: Vec<ApprovedScript>,
}

/// A transaction to prove: where it is, and which of its outputs pay the facility.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payout {
	/// Its block's hash, internal byte order.
	pub block: [u8; 32],
	/// Its block's height.
	pub height: u32,
	/// Its block's time.
	pub time: u32,
	/// The raw transaction.
	pub raw: Vec<u8>,
	/// Its id, internal byte order.
	pub txid: [u8; 32],
	/// Whether it is a coinbase (it pays for its own block: no lag).
	pub coinbase: bool,
	/// The outputs paying the facility, not yet credited: index and sats.
	pub outputs: Vec<(u32, u64)>,
	/// Its witness proof, for a transaction spending by witness (an input with an empty
	/// script) when its block is known.
	pub witness: Option<Witness>,
}

/// A witness proof (the chain's `WitnessProof`, BIP 141): the block's coinbase with its
/// Merkle branch, and a transaction's branch in the block's tree of witness ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witness {
	/// The coinbase, with its witness.
	pub coinbase: Vec<u8>,
	/// The coinbase's Merkle branch (index 0), internal byte order.
	pub coinbase_branch: Vec<[u8; 32]>,
	/// The transaction's branch among the witness ids (the coinbase's zero).
	pub witness_branch: Vec<[u8; 32]>,
}

/// The witness proof of transaction `index` (not the coinbase) of a block of `transactions`
/// (raw, in block order).
pub fn witness_proof(transactions: &[&[u8]], index: usize) -> Result<Witness, String> {
	if index == 0 || index >= transactions.len() {
		return Err(format!("no transaction {index} besides the coinbase"));
	}
	let parsed = transactions
		.iter()
		.enumerate()
		.map(|(i, raw)| Transaction::parse(raw).map_err(|e| format!("transaction {i}: {e:?}")))
		.collect::<Result<Vec<_>, _>>()?;
	let txids: Vec<_> = parsed.iter().map(|tx| tx.txid).collect();
	let wtxids: Vec<_> = parsed
		.iter()
		.enumerate()
		.map(|(i, tx)| if i == 0 { Default::default() } else { tx.wtxid() })
		.collect();
	Ok(Witness {
		coinbase: transactions[0].to_vec(),
		coinbase_branch: merkle_branch(&txids, 0).into_iter().map(|h| h.0).collect(),
		witness_branch: merkle_branch(&wtxids, index).into_iter().map(|h| h.0).collect(),
	})
}

/// The witness proof `tx` needs, if it spends by witness: from its block's transactions.
fn witness_for(tx: &Transaction, transactions: &[&[u8]]) -> Result<Option<Witness>, String> {
	if !tx.spends_by_witness_only() {
		return Ok(None);
	}
	let index = transactions
		.iter()
		.position(|raw| Transaction::parse(raw).is_ok_and(|other| other.txid == tx.txid))
		.ok_or("not in its block")?;
	witness_proof(transactions, index).map(Some)
}

/// A facility's approved payout script and from when it counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
	/// The output script.
	pub script: Vec<u8>,
	/// Unix second of its approval: payouts in blocks before it do not count.
	pub approved_at: u64,
}

/// The outputs of `raw` paying one of `scripts` (approved by `time`, the block's) with at
/// least `min_sats`: index and sats.
pub fn paying_outputs<'a>(
	raw: &'a [u8],
	scripts: &[Script],
	time: u64,
	min_sats: u64,
) -> Result<(Transaction<'a>, Vec<(u32, u64)>), String> {
	let tx = Transaction::parse(raw).map_err(|e| format!("not a transaction ({e:?})"))?;
	let outputs = tx
		.outputs
		.iter()
		.enumerate()
		.filter(|(_, output)| {
			output.value >= min_sats
				&& scripts.iter().any(|s| s.script == output.script_pubkey && s.approved_at <= time)
		})
		.filter_map(|(vout, output)| Some((u32::try_from(vout).ok()?, output.value)))
		.collect();
	Ok((tx, outputs))
}

/// Whether `tx` visibly moves the facility's own coins: an input shows one of its scripts
/// (the chain's `SelfTransfer`; an input spending a credited output is checked on chain).
pub fn spends_from(tx: &Transaction, scripts: &[Script]) -> bool {
	!tx.is_coinbase()
		&& tx.inputs.iter().any(|input| {
			spent_script_candidates(input)
				.iter()
				.any(|candidate| scripts.iter().any(|s| &s.script == candidate))
		})
}

/// The raw transactions of a serialized block (header, count, transactions with or without
/// witness).
pub fn block_transactions(block: &[u8]) -> Result<Vec<&[u8]>, String> {
	let mut at = 80usize;
	let count = read_length(block, &mut at)?;
	let mut txs = Vec::with_capacity(count.min(block.len() / 60));
	for index in 0..count {
		let start = at;
		transaction_end(block, &mut at).map_err(|e| format!("transaction {index}: {e}"))?;
		txs.push(&block[start..at]);
	}
	if at != block.len() {
		return Err(format!("{} bytes after the last transaction", block.len() - at));
	}
	Ok(txs)
}

fn take<'a>(data: &'a [u8], at: &mut usize, n: usize) -> Result<&'a [u8], String> {
	let end = at.checked_add(n).filter(|end| *end <= data.len()).ok_or("truncated")?;
	let slice = &data[*at..end];
	*at = end;
	Ok(slice)
}

/// Bitcoin's compact size.
fn read_length(data: &[u8], at: &mut usize) -> Result<usize, String> {
	let first = take(data, at, 1)?[0];
	let value = match first {
		0xfd => u64::from(u16::from_le_bytes(take(data, at, 2)?.try_into().expect("2 bytes"))),
		0xfe => u64::from(u32::from_le_bytes(take(data, at, 4)?.try_into().expect("4 bytes"))),
		0xff => u64::from_le_bytes(take(data, at, 8)?.try_into().expect("8 bytes")),
		n => u64::from(n),
	};
	usize::try_from(value)
		.ok()
		.filter(|v| *v <= data.len())
		.ok_or_else(|| "length beyond the block".into())
}

/// Moves `at` past one serialized transaction (BIP-144 witness included).
fn transaction_end(data: &[u8], at: &mut usize) -> Result<(), String> {
	take(data, at, 4)?;
	let segwit = data.get(*at) == Some(&0) && data.get(*at + 1).is_some_and(|flag| *flag != 0);
	if segwit {
		take(data, at, 2)?;
	}
	let inputs = read_length(data, at)?;
	for _ in 0..inputs {
		take(data, at, 36)?;
		let script = read_length(data, at)?;
		take(data, at, script + 4)?;
	}
	let outputs = read_length(data, at)?;
	for _ in 0..outputs {
		take(data, at, 8)?;
		let script = read_length(data, at)?;
		take(data, at, script)?;
	}
	if segwit {
		for _ in 0..inputs {
			for _ in 0..read_length(data, at)? {
				let item = read_length(data, at)?;
				take(data, at, item)?;
			}
		}
	}
	take(data, at, 4)?;
	Ok(())
}

/// Runs `prove` with `settings` from `source`, signing with `key`.
pub async fn run(settings: Settings, source: Source, key: Keypair) -> Result<(), Failure> {
	let facility = settings.facility;
	let chain = Chain::connect(&settings.url).await?;
	let at = chain.finalized().await?;
	let scripts: PayoutScriptSet =
		chain::view(&at, "Facilities", "payout_scripts", (ops::newtype(facility.into()),)).await?;
	let scripts: Vec<Script> = scripts
		.approved
		.into_iter()
		.map(|a| Script { script: a.script, approved_at: a.approved_at })
		.collect();
	if scripts.is_empty() {
		return Err(Failure::Refused(format!(
			"facility {facility} has no approved payout script: nothing can be proven"
		)));
	}
	let tip: Tip = chain::view::<Option<Tip>>(&at, "BtcRelay", "best_tip", ())
		.await?
		.ok_or_else(|| Failure::Refused("the chain's relay has no checkpoint".into()))?;
	let min_confirmations: u32 = constant(&at, "MinConfirmations")?;
	let min_sats: u64 = constant(&at, "MinCreditSats")?;
	let retention: u32 = constant(&at, "CreditRetention")?;
	println!(
		"facility {facility}: {} approved payout script(s); relay tip at height {}, payouts need {min_confirmations} confirmations",
		scripts.len(),
		tip.height
	);
	let payouts = match &source {
		Source::Files(dir) => {
			let depth = (min_confirmations, retention);
			from_files(&at, dir, &scripts, min_sats, tip.height, depth).await?
		},
		Source::Rpc { rpc, depth } => {
			let kept = (min_confirmations, retention);
			from_rpc(&at, rpc, *depth, &scripts, min_sats, tip.height, kept).await?
		},
	};
	let account = chain::account_of(&key);
	let (mut proven, mut refused) = (0u32, Vec::new());
	for (payout, proof) in payouts {
		let at = chain.finalized().await?;
		let outputs = uncredited(&at, &payout).await?;
		if outputs.is_empty() {
			continue;
		}
		let sats: u64 = outputs.iter().map(|(_, sats)| sats).sum();
		if let Some(why) = self_transfer(&at, &payout, &scripts).await? {
			println!("{}: {why}; not proven", display(&payout.txid));
			continue;
		}
		let period = if payout.coinbase {
			"its own block's period (a coinbase)".to_string()
		} else {
			let attributed: Option<(u32, u64)> = chain::view(
				&at,
				"PayoutProofs",
				"payout_period",
				(ops::newtype(facility.into()), Value::u128(payout.time.into())),
			)
			.await?;
			match attributed {
				Some((period, deadline)) if deadline <= chain::now(&at).await? => {
					println!(
						"{}: proofs of period {period} closed at {deadline}; not proven",
						display(&payout.txid)
					);
					continue;
				},
				Some((period, deadline)) => format!("period {period} (proofs until {deadline})"),
				None => {
					println!(
						"{}: before the facility's first period; not proven",
						display(&payout.txid)
					);
					continue;
				},
			}
		};
		println!(
			"proving {} in block {} (height {}): {} output(s), {sats} sats, attributed to {period}",
			display(&payout.txid),
			display(&payout.block),
			payout.height,
			outputs.len()
		);
		let call = prove_call(&payout, &proof, &outputs);
		let nonce = ops::nothing_pending(&chain, &at, &account).await?;
		let name = "PayoutProofs.prove_payout";
		match ops::send(&chain, &at, &key, nonce, &call, name, settings.dry_run).await {
			Ok(lines) => {
				proven += 1;
				for line in lines {
					println!("{line}");
				}
			},
			Err(Failure::Refused(reason)) => {
				println!("{reason}");
				refused.push(display(&payout.txid));
			},
			Err(other) => return Err(other),
		}
	}
	println!("{proven} transaction(s) proven, {} refused", refused.len());
	if refused.is_empty() {
		Ok(())
	} else {
		Err(Failure::Refused(format!("the chain refuses {}", refused.join(", "))))
	}
}

fn constant<T: DecodeAsType>(at: &AtBlock, name: &str) -> Result<T, Failure> {
	at.constants()
		.entry(subxt::dynamic::constant::<T>("PayoutProofs", name))
		.map_err(|e| Failure::Chain(format!("constant PayoutProofs.{name}: {e}")))
}

/// The outputs of `payout` the chain has not credited yet.
async fn uncredited(at: &AtBlock, payout: &Payout) -> Result<Vec<(u32, u64)>, Failure> {
	let mut left = Vec::new();
	for &(vout, sats) in &payout.outputs {
		let credit: Option<Credit> = chain::view(
			at,
			"PayoutProofs",
			"credit",
			(Value::from_bytes(payout.txid), Value::u128(vout.into())),
		)
		.await?;
		match credit {
			Some(credit) => println!(
				"{} output {vout}: credited already (period {})",
				display(&payout.txid),
				credit.period
			),
			None => left.push((vout, sats)),
		}
	}
	Ok(left)
}

/// A credit as `PayoutProofs.credit` gives it.
#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct Credit {
	period: u32,
}

/// Why `payout` moves the facility's own coins, if it does: an input shows one of its
/// scripts, or spends an output the chain credited.
async fn self_transfer(
	at: &AtBlock,
	payout: &Payout,
	scripts: &[Script],
) -> Result<Option<String>, Failure> {
	let tx = Transaction::parse(&payout.raw).map_err(|e| {
		Failure::Input(format!("{}: not a transaction ({e:?})", display(&payout.txid)))
	})?;
	if spends_from(&tx, scripts) {
		return Ok(Some("an input spends from one of the facility's scripts".into()));
	}
	if tx.is_coinbase() {
		return Ok(None);
	}
	for input in &tx.inputs {
		let credit: Option<Credit> = chain::view(
			at,
			"PayoutProofs",
			"credit",
			(Value::from_bytes(input.prevout.txid.0), Value::u128(input.prevout.vout.into())),
		)
		.await?;
		if credit.is_some() {
			return Ok(Some("an input spends a credited output".into()));
		}
	}
	Ok(None)
}

/// `PayoutProofs.prove_payout` of `payout`'s `outputs` with its `gettxoutproof`.
fn prove_call(payout: &Payout, proof: &[u8], outputs: &[(u32, u64)]) -> impl subxt::tx::Payload {
	let branch =
		|hashes: &[[u8; 32]]| Value::unnamed_composite(hashes.iter().map(Value::from_bytes));
	let witness = match &payout.witness {
		Some(witness) => Value::unnamed_variant(
			"Some",
			[Value::named_composite([
				("coinbase", Value::from_bytes(&witness.coinbase)),
				("coinbase_branch", branch(&witness.coinbase_branch)),
				("witness_branch", branch(&witness.witness_branch)),
			])],
		),
		None => Value::unnamed_variant("None", []),
	};
	subxt::dynamic::transaction(
		"PayoutProofs",
		"prove_payout",
		(
			Value::from_bytes(payout.block),
			Value::from_bytes(&payout.raw),
			Value::unnamed_variant("TxOutProof", [Value::from_bytes(proof)]),
			witness,
			Value::unnamed_composite(outputs.iter().map(|(vout, _)| Value::u128((*vout).into()))),
		),
	)
}

/// Where block `hash` stands on the relay: its height and time if it is on the main chain
/// with at least `min_confirmations` and fewer than `retention` (credits of deeper blocks
/// are not kept, so they are not accepted); otherwise why not.
async fn confirmed_block(
	at: &AtBlock,
	hash: &[u8; 32],
	tip: u32,
	(min_confirmations, retention): (u32, u32),
) -> Result<Result<StoredHeader, String>, Failure> {
	let Some(header): Option<StoredHeader> =
		chain::storage(at, "BtcRelay", "Headers", (Value::from_bytes(hash),)).await?
	else {
		return Ok(Err("not relayed".into()));
	};
	let main: Option<[u8; 32]> =
		chain::storage(at, "BtcRelay", "MainChain", (header.height,)).await?;
	if main != Some(*hash) {
		return Ok(Err(format!("not on the relay's main chain at height {}", header.height)));
	}
	let confirmations = tip.saturating_sub(header.height).saturating_add(1);
	if confirmations < min_confirmations {
		return Ok(Err(format!("{confirmations} confirmation(s) of {min_confirmations}")));
	}
	if confirmations >= retention {
		return Ok(Err(format!("{confirmations} confirmations: too deep to be credited")));
	}
	Ok(Ok(header))
}

/// The payouts in a directory of `<name>.tx` / `<name>.proof` pairs, in name order.
async fn from_files(
	at: &AtBlock,
	dir: &Path,
	scripts: &[Script],
	min_sats: u64,
	tip: u32,
	depth: (u32, u32),
) -> Result<Vec<(Payout, Vec<u8>)>, Failure> {
	let input = |path: &Path, e: std::io::Error| Failure::Input(format!("{}: {e}", path.display()));
	let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
		.map_err(|e| input(dir, e))?
		.filter_map(|entry| entry.ok().map(|entry| entry.path()))
		.filter(|path| path.extension().is_some_and(|ext| ext == "tx"))
		.collect();
	names.sort();
	if names.is_empty() {
		return Err(Failure::Input(format!("{}: no <name>.tx file", dir.display())));
	}
	let mut payouts = Vec::new();
	for tx_path in names {
		let proof_path = tx_path.with_extension("proof");
		let raw = std::fs::read(&tx_path).map_err(|e| input(&tx_path, e))?;
		let proof = std::fs::read(&proof_path).map_err(|e| input(&proof_path, e))?;
		if proof.len() < 80 {
			return Err(Failure::Input(format!(
				"{}: {} bytes, not a gettxoutproof",
				proof_path.display(),
				proof.len()
			)));
		}
		Transaction::parse(&raw).map_err(|e| {
			Failure::Input(format!("{}: not a transaction ({e:?})", tx_path.display()))
		})?;
		let block = double_sha256(&proof[..80]);
		let header = match confirmed_block(at, &block, tip, depth).await? {
			Ok(header) => header,
			Err(why) => {
				println!("{}: block {}: {why}; not proven", tx_path.display(), display(&block));
				continue;
			},
		};
		let (tx, outputs) = paying_outputs(&raw, scripts, header.time.into(), min_sats)
			.map_err(|e| Failure::Input(format!("{}: {e}", tx_path.display())))?;
		if outputs.is_empty() {
			println!("{}: pays no approved script of the facility", tx_path.display());
			continue;
		}
		let block_path = tx_path.with_extension("block");
		let witness = if block_path.exists() {
			let bytes = std::fs::read(&block_path).map_err(|e| input(&block_path, e))?;
			if bytes.len() < 80 || double_sha256(&bytes[..80]) != block {
				return Err(Failure::Input(format!(
					"{}: not the block its proof is of",
					block_path.display()
				)));
			}
			let transactions = block_transactions(&bytes)
				.map_err(|e| Failure::Input(format!("{}: {e}", block_path.display())))?;
			witness_for(&tx, &transactions)
				.map_err(|e| Failure::Input(format!("{}: {e}", block_path.display())))?
		} else {
			None
		};
		let (txid, coinbase) = (tx.txid.0, tx.is_coinbase());
		payouts.push((
			Payout {
				block,
				height: header.height,
				time: header.time,
				raw,
				txid,
				coinbase,
				outputs,
				witness,
			},
			proof,
		));
	}
	Ok(payouts)
}

/// The payouts in the relay's main-chain blocks `depth` deep up to the highest with enough
/// confirmations, as the Bitcoin node has them.
async fn from_rpc(
	at: &AtBlock,
	rpc: &BitcoinRpc,
	depth: u32,
	scripts: &[Script],
	min_sats: u64,
	tip: u32,
	kept: (u32, u32),
) -> Result<Vec<(Payout, Vec<u8>)>, Failure> {
	let (min_confirmations, _) = kept;
	let Some(highest) = tip.checked_add(1).and_then(|t| t.checked_sub(min_confirmations)) else {
		println!("no relayed block has {min_confirmations} confirmations yet");
		return Ok(Vec::new());
	};
	let lowest = highest.saturating_sub(depth.saturating_sub(1));
	println!("searching blocks {lowest}..={highest}");
	let mut payouts = Vec::new();
	for height in lowest..=highest {
		let Some(hash): Option<[u8; 32]> =
			chain::storage(at, "BtcRelay", "MainChain", (height,)).await?
		else {
			continue;
		};
		let Ok(header) = confirmed_block(at, &hash, tip, kept).await? else {
			continue;
		};
		let Some(block) = rpc.raw_block(&hash).await? else {
			println!("block {height} ({}): not on the Bitcoin node; skipped", display(&hash));
			continue;
		};
		if block.len() < 80 || double_sha256(&block[..80]) != hash {
			return Err(Failure::Chain(format!(
				"bitcoind getblock {}: another block's bytes",
				display(&hash)
			)));
		}
		let transactions = block_transactions(&block)
			.map_err(|e| Failure::Chain(format!("bitcoind getblock {}: {e}", display(&hash))))?;
		for (index, &raw) in transactions.iter().enumerate() {
			let (tx, outputs) = paying_outputs(raw, scripts, header.time.into(), min_sats)
				.map_err(|e| {
					Failure::Chain(format!("bitcoind getblock {}: {e}", display(&hash)))
				})?;
			if outputs.is_empty() {
				continue;
			}
			let (txid, coinbase) = (tx.txid.0, tx.is_coinbase());
			let witness = if tx.spends_by_witness_only() {
				Some(witness_proof(&transactions, index).map_err(|e| {
					Failure::Chain(format!("bitcoind getblock {}: {e}", display(&hash)))
				})?)
			} else {
				None
			};
			let proof = rpc.txout_proof(&txid, &hash).await?;
			if proof.len() < 80 || double_sha256(&proof[..80]) != hash {
				return Err(Failure::Chain(format!(
					"bitcoind gettxoutproof: not a proof against block {}",
					display(&hash)
				)));
			}
			payouts.push((
				Payout {
					block: hash,
					height: header.height,
					time: header.time,
					raw: raw.to_vec(),
					txid,
					coinbase,
					outputs,
					witness,
				},
				proof,
			));
		}
	}
	Ok(payouts)
}

impl BitcoinRpc {
	/// Block `hash`'s serialization (`getblock` verbosity 0); `None` when the node does not
	/// have it (pruned, or not synced yet).
	pub async fn raw_block(&self, hash: &[u8; 32]) -> Result<Option<Vec<u8>>, Failure> {
		match self.call("getblock", json!([display(hash), 0])).await {
			Ok(Json::String(hex)) => crate::relay::unhex(&hex)
				.map(Some)
				.map_err(|e| Failure::Chain(format!("bitcoind getblock: {e}"))),
			Ok(other) => {
				Err(Failure::Chain(format!("bitcoind getblock: expected hex, got {other}")))
			},
			Err(failure) if crate::relay::block_unavailable(&failure) => Ok(None),
			Err(other) => Err(other),
		}
	}

	/// `gettxoutproof` of transaction `txid` in block `hash`, raw bytes.
	pub async fn txout_proof(&self, txid: &[u8; 32], hash: &[u8; 32]) -> Result<Vec<u8>, Failure> {
		let proof = self.text("gettxoutproof", json!([[display(txid)], display(hash)])).await?;
		crate::relay::unhex(&proof)
			.map_err(|e| Failure::Chain(format!("bitcoind gettxoutproof: {e}")))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	const COINBASE_830000: &[u8] = include_bytes!("../../testdata/bitcoin/coinbase-830000.tx");
	const TX_830000_1: &[u8] = include_bytes!("../../testdata/bitcoin/tx-830000-1.tx");
	const TX_825254: &[u8] = include_bytes!("../../testdata/bitcoin/tx-825254-2049.tx");
	/// AntPool's P2SH script (`38XnPvu9PmonFU9WouPXUjYbW91wa5MerL`).
	const ANTPOOL: &str = "a9144b09d828dfc8baaba5d04ee77397e04b1050cc7387";
	/// The P2WPKH script output 1 of 825,254 / 2,049 pays: change back to the key its input 1
	/// spends from.
	const CHANGE_825254: &str = "001412c625feb11e662805f4923b289a15d6be803ed7";
	/// Block 830,000's time.
	const TIME_830000: u64 = 1_707_675_457;

	fn script(hex: &str, approved_at: u64) -> Script {
		Script { script: crate::relay::unhex(hex).unwrap(), approved_at }
	}

	#[test]
	fn the_coinbase_of_830000_pays_antpool_and_its_next_transaction_does_not() {
		let antpool = [script(ANTPOOL, 0)];
		let (tx, outputs) = paying_outputs(COINBASE_830000, &antpool, TIME_830000, 546).unwrap();
		assert!(tx.is_coinbase());
		assert_eq!(outputs, vec![(1, 648_267_494)]);
		// Above the output's value, or a script approved after the block: nothing.
		let (_, outputs) =
			paying_outputs(COINBASE_830000, &antpool, TIME_830000, 648_267_495).unwrap();
		assert!(outputs.is_empty());
		let later = [script(ANTPOOL, TIME_830000 + 1)];
		assert!(paying_outputs(COINBASE_830000, &later, TIME_830000, 546).unwrap().1.is_empty());
		let (tx, outputs) = paying_outputs(TX_830000_1, &antpool, TIME_830000, 546).unwrap();
		assert!(!tx.is_coinbase());
		assert!(outputs.is_empty());
		assert!(paying_outputs(&COINBASE_830000[..40], &antpool, 0, 0).is_err());
	}

	#[test]
	fn change_back_to_the_facilitys_script_is_a_self_transfer() {
		let change = [script(CHANGE_825254, 0)];
		let tx = Transaction::parse(TX_825254).unwrap();
		assert!(spends_from(&tx, &change));
		assert!(!spends_from(&tx, &[script(ANTPOOL, 0)]));
		let coinbase = Transaction::parse(COINBASE_830000).unwrap();
		assert!(!spends_from(&coinbase, &[script(ANTPOOL, 0)]));
	}

	/// A block of 830,000's coinbase and its transaction 104 (a P2WPKH spend).
	#[test]
	fn a_witness_proof_is_made_from_the_block() {
		let tx_104: &[u8] = include_bytes!("../../testdata/bitcoin/tx-830000-104.tx");
		let tx_10: &[u8] = include_bytes!("../../testdata/bitcoin/tx-830000-10.tx");
		let txs = [COINBASE_830000, tx_104];
		let proof = witness_proof(&txs, 1).unwrap();
		let tx = Transaction::parse(tx_104).unwrap();
		assert_eq!(proof.coinbase, COINBASE_830000);
		// Two transactions: each the other's sibling; the coinbase's witness id is zero.
		assert_eq!(proof.coinbase_branch, vec![tx.txid.0]);
		assert_eq!(proof.witness_branch, vec![[0u8; 32]]);
		assert!(witness_proof(&txs, 0).is_err());
		assert!(witness_proof(&txs, 2).is_err());
		// A spend by witness gets one; a coinbase and a spend by script do not.
		assert_eq!(witness_for(&tx, &txs).unwrap(), Some(proof));
		let coinbase = Transaction::parse(COINBASE_830000).unwrap();
		assert_eq!(witness_for(&coinbase, &txs).unwrap(), None);
		assert_eq!(witness_for(&Transaction::parse(tx_10).unwrap(), &txs).unwrap(), None);
		// Not in the block given.
		assert!(witness_for(&Transaction::parse(TX_825254).unwrap(), &txs).is_err());
	}

	/// A block of the real coinbase of 830,000 (with witness) and its next transaction.
	#[test]
	fn blocks_split_into_their_transactions() {
		let mut block = vec![0u8; 80];
		block.push(2);
		block.extend_from_slice(COINBASE_830000);
		block.extend_from_slice(TX_830000_1);
		assert_eq!(block_transactions(&block).unwrap(), vec![COINBASE_830000, TX_830000_1]);
		// A byte short, a byte over, a count beyond the bytes.
		assert!(block_transactions(&block[..block.len() - 1]).is_err());
		let mut over = block.clone();
		over.push(0);
		assert!(block_transactions(&over).is_err());
		let mut count = block.clone();
		count[80] = 3;
		assert!(block_transactions(&count).is_err());
		assert!(block_transactions(&[0u8; 40]).is_err());
	}
}
