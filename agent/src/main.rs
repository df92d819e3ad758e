//! `hashrate-agent`: the one binary facilities, attestors and feeders of Hashrate Chain run.
//!
//! - `report` / `attest`: a period's pool statement and meter readings (formats: the
//!   [`statement`] module) added up to the period's output, checked by the chain's own physics
//!   checks (`PowOracle::check_output`), dry-run, signed and submitted.
//! - `feed`: a feeder's reading of Bitcoin's difficulty and reward per block for a period.
//! - `deposit`: pays a series' next unsettled period exactly what it owes (`--watch`: every
//!   period).
//! - `watch`: the facility's daemon ([`watch`]).
//! - `relay`: keeps the chain's Bitcoin relay current ([`relay`]).
//! - `prove`: proves a facility's Bitcoin payouts to its approved scripts ([`prove`]).
//! - `compute`: the offline part of `report`, for checking files.
//!
//! Keys come from `--key-file` or `$HASHRATE_AGENT_SURI`, never from the command line.
//! Exit codes: 0 done, 1 the node could not be reached, 2 bad input (nothing sent), 3 the
//! chain refuses or would refuse it (nothing included).

mod chain;
mod keys;
mod ops;
mod prove;
mod relay;
mod statement;
mod watch;

use clap::{Args, Parser, Subcommand};
use ops::Failure;
use std::{net::SocketAddr, path::PathBuf, process::ExitCode};
use subxt::dynamic::Value;

#[derive(Parser)]
#[command(version, about)]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

/// Options of every command that talks to the chain.
#[derive(Args, Clone)]
struct Connection {
	/// The node's RPC address.
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	url: String,
	/// A file holding the signing key's secret URI (mode 0600); without it the key comes from
	/// $HASHRATE_AGENT_SURI.
	#[arg(long)]
	key_file: Option<PathBuf>,
	/// Check everything and dry-run the transaction against the latest finalized block;
	/// submit nothing.
	#[arg(long)]
	dry_run: bool,
}

/// A period's files.
#[derive(Args, Clone)]
struct PeriodFiles {
	/// The facility.
	#[arg(long)]
	facility: u32,
	/// The period.
	#[arg(long)]
	period: u32,
	/// The pool statement, CSV or JSON.
	#[arg(long)]
	statement: PathBuf,
	/// The meter readings, CSV.
	#[arg(long)]
	meter: PathBuf,
}

#[derive(Subcommand)]
enum Command {
	/// Reports a facility's period from its pool statement and meter readings (signed by the
	/// facility's operator or a reporter key).
	Report {
		#[command(flatten)]
		files: PeriodFiles,
		#[command(flatten)]
		connection: Connection,
	},
	/// Attests a facility's period from the attestor's own reading of its pool statement and
	/// meter (signed by an attestor).
	Attest {
		#[command(flatten)]
		files: PeriodFiles,
		#[command(flatten)]
		connection: Connection,
	},
	/// Feeds a period's Bitcoin network data (signed by a feeder).
	Feed {
		/// The period.
		#[arg(long)]
		period: u32,
		/// Bitcoin's difficulty in force over the period (an integer).
		#[arg(long)]
		difficulty: u128,
		/// Average reward per block over the period, subsidy plus fees, sats.
		#[arg(long)]
		reward_per_block: u128,
		#[command(flatten)]
		connection: Connection,
	},
	/// Pays a series' next unsettled period what it still owes, once the period is final.
	Deposit {
		/// The series.
		#[arg(long)]
		series: u32,
		/// Keep running: pay every period of the series as it becomes final.
		#[arg(long)]
		watch: bool,
		#[command(flatten)]
		connection: Connection,
	},
	/// The facility's daemon: reports each period from the statement directory when it ends
	/// and pays its series' obligations; resumes where the chain stands after a restart.
	Watch {
		/// The facility.
		#[arg(long)]
		facility: u32,
		/// The directory of period files: `<period>.csv` or `<period>.json` (the pool
		/// statement) and `<period>.meter.csv` (the meter readings).
		#[arg(long)]
		statements: PathBuf,
		/// A series whose obligations it pays (repeatable).
		#[arg(long)]
		series: Vec<u32>,
		/// Serve Prometheus metrics at http://ADDRESS/metrics.
		#[arg(long)]
		metrics: Option<SocketAddr>,
		#[command(flatten)]
		connection: Connection,
	},
	/// Keeps the chain's Bitcoin relay current from a Bitcoin Core node's JSON-RPC interface or
	/// from a file of headers, and proves the coinbases the fee samples of the oracle's
	/// periods (and of --prove-span) need. Idempotent: it starts from the chain's tip.
	Relay {
		/// A file of raw 80-byte headers in height order, each linked to the one before.
		#[arg(long, required_unless_present = "bitcoin_rpc", conflicts_with = "bitcoin_rpc")]
		headers: Option<PathBuf>,
		/// With --headers: a directory of coinbases and their proofs, `<height>.tx` and
		/// `<height>.proof` (raw bytes; the proof as `gettxoutproof` writes it).
		#[arg(long, requires = "headers")]
		proofs: Option<PathBuf>,
		/// A Bitcoin Core node's JSON-RPC address, http://HOST:PORT.
		#[arg(long)]
		bitcoin_rpc: Option<String>,
		/// The node's cookie file (`user:password`, as Core writes `.cookie`); without it
		/// $HASHRATE_AGENT_BITCOIN_AUTH if set, else no authentication.
		#[arg(long, requires = "bitcoin_rpc")]
		bitcoin_cookie: Option<PathBuf>,
		/// Headers per transaction (at most the runtime's bound, 200).
		#[arg(long, default_value_t = 200)]
		batch: usize,
		/// Also prove the fee sample of the span [START, END), unix seconds.
		#[arg(long, num_args = 2, value_names = ["START", "END"])]
		prove_span: Option<Vec<u64>>,
		/// Keep running: a pass every SECONDS.
		#[arg(long, value_name = "SECONDS")]
		watch: Option<u64>,
		#[command(flatten)]
		connection: Connection,
	},
	/// Proves a facility's Bitcoin payouts: finds the outputs paying its approved payout
	/// scripts in blocks the chain's relay has with enough confirmations, from a Bitcoin Core
	/// node or from files, and submits `PayoutProofs.prove_payout` for each transaction not
	/// yet credited. Idempotent: credited outputs are skipped.
	Prove {
		/// The facility.
		#[arg(long)]
		facility: u32,
		/// A directory of payouts: `<name>.tx` (the raw transaction), `<name>.proof` (its
		/// block's `gettxoutproof`, raw bytes) and, for a transaction spending by witness,
		/// `<name>.block` (the raw block: the witness proof is made from it).
		#[arg(long, required_unless_present = "bitcoin_rpc", conflicts_with = "bitcoin_rpc")]
		payouts: Option<PathBuf>,
		/// A Bitcoin Core node's JSON-RPC address, http://HOST:PORT.
		#[arg(long)]
		bitcoin_rpc: Option<String>,
		/// The node's cookie file (`user:password`, as Core writes `.cookie`); without it
		/// $HASHRATE_AGENT_BITCOIN_AUTH if set, else no authentication.
		#[arg(long, requires = "bitcoin_rpc")]
		bitcoin_cookie: Option<PathBuf>,
		/// With --bitcoin-rpc: how many blocks to search, up to the relay's highest block
		/// with enough confirmations (432: three days of blocks).
		#[arg(long, default_value_t = 432, requires = "bitcoin_rpc")]
		depth: u32,
		#[command(flatten)]
		connection: Connection,
	},
	/// Reads a pool statement and meter readings and prints the period output they add up to
	/// and its evidence hash (offline: nothing is sent).
	Compute {
		/// The pool statement, CSV or JSON.
		#[arg(long)]
		statement: PathBuf,
		/// The meter readings, CSV.
		#[arg(long)]
		meter: PathBuf,
		/// The period's start, unix seconds.
		#[arg(long)]
		start: u64,
		/// The period's end, unix seconds.
		#[arg(long)]
		end: u64,
	},
}

fn print(lines: impl IntoIterator<Item = String>) {
	for line in lines {
		println!("{line}");
	}
}

/// `report` or `attest`.
async fn submit_output(
	call: &str,
	files: PeriodFiles,
	connection: Connection,
) -> Result<(), Failure> {
	let key = keys::load(connection.key_file.as_deref()).map_err(Failure::Input)?;
	let account = chain::account_of(&key);
	let chain = chain::Chain::connect(&connection.url).await?;
	let at = chain.finalized().await?;
	let (facility, period) = (files.facility, files.period);
	let checked = ops::check_files(&at, facility, period, &files.statement, &files.meter).await?;
	print(checked.describe(facility, period));
	if let Some(check) = checked.verdict.failing() {
		return Err(Failure::Implausible(format!(
			"the physics checks fail ({check}): nothing submitted"
		)));
	}
	let round = ops::round_state(&at, facility, period).await?;
	if round.finalized {
		return Err(Failure::Refused(format!(
			"facility {facility}'s period {period} is finalized already: nothing submitted"
		)));
	}
	if call == "report" && round.reported {
		println!("note: the period has a report on chain; this one amends it");
	}
	if call == "attest" && round.attestors.contains(&account) {
		println!("note: {account} attested the period already; this amends it (and pays the fee)");
	}
	let nonce = ops::nothing_pending(&chain, &at, &account).await?;
	let call_name = format!("PowOracle.{call}");
	let payload = ops::output_call(call, facility, period, &checked);
	print(ops::send(&chain, &at, &key, nonce, &payload, &call_name, connection.dry_run).await?);
	Ok(())
}

async fn feed(
	period: u32,
	difficulty: u128,
	reward_per_block: u128,
	connection: Connection,
) -> Result<(), Failure> {
	if difficulty == 0 || reward_per_block == 0 {
		return Err(Failure::Input(
			"--difficulty and --reward-per-block must be above zero".into(),
		));
	}
	let key = keys::load(connection.key_file.as_deref()).map_err(Failure::Input)?;
	let chain = chain::Chain::connect(&connection.url).await?;
	let at = chain.finalized().await?;
	let (start, end) = ops::ended_period(&at, period).await?;
	println!("period {period}: [{start}, {end})");
	println!("feeding: difficulty {difficulty}, reward per block {reward_per_block} sats");
	let reference: Option<LastFixed> = chain::view(&at, "PowOracle", "last_fixed", ()).await?;
	if let Some(reference) = reference {
		println!(
			"reference (fixed last{}): difficulty {}, reward per block {} sats",
			reference.period.map_or(" at genesis".to_string(), |p| format!(", period {p}")),
			reference.data.difficulty,
			reference.data.reward_per_block
		);
	}
	let nonce = ops::nothing_pending(&chain, &at, &chain::account_of(&key)).await?;
	let data = Value::named_composite([
		("difficulty", ops::newtype(difficulty)),
		("reward_per_block", ops::newtype(reward_per_block)),
	]);
	let call = subxt::dynamic::transaction(
		"PowOracle",
		"feed_network_data",
		(Value::u128(period.into()), data),
	);
	let name = "PowOracle.feed_network_data";
	print(ops::send(&chain, &at, &key, nonce, &call, name, connection.dry_run).await?);
	Ok(())
}

#[derive(Debug, subxt::ext::scale_decode::DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct LastFixed {
	period: Option<u32>,
	data: ops::NetworkData,
}

async fn deposit(series: u32, keep_watching: bool, connection: Connection) -> Result<(), Failure> {
	let key = keys::load(connection.key_file.as_deref()).map_err(Failure::Input)?;
	if keep_watching {
		init_logs();
		return watch::run(
			watch::Settings {
				url: connection.url,
				reporting: None,
				series: vec![series],
				metrics: None,
				dry_run: connection.dry_run,
			},
			key,
		)
		.await;
	}
	let chain = chain::Chain::connect(&connection.url).await?;
	let at = chain.finalized().await?;
	let now = chain::now(&at).await?;
	let Some(owed) = ops::owed(&at, series).await? else {
		println!(
			"series {series}: its next period is not final yet (or settled): nothing owed now"
		);
		return Ok(());
	};
	println!(
		"series {series}, period {}: owes {} sats, collected {}, outstanding {}, deadline {} ({} s from now)",
		owed.period,
		owed.owed,
		owed.collected,
		owed.outstanding(),
		owed.deadline,
		owed.deadline.saturating_sub(now)
	);
	if owed.outstanding() == 0 {
		println!("nothing left to pay");
		return Ok(());
	}
	if now > owed.deadline {
		return Err(Failure::Refused(format!(
			"the deadline passed {} s ago: the chain draws the rest from collateral",
			now - owed.deadline
		)));
	}
	let nonce = ops::nothing_pending(&chain, &at, &chain::account_of(&key)).await?;
	let call = ops::deposit_call(series, owed.period, owed.outstanding());
	let name = "RealYield.deposit";
	print(ops::send(&chain, &at, &key, nonce, &call, name, connection.dry_run).await?);
	Ok(())
}

fn compute(statement: PathBuf, meter: PathBuf, start: u64, end: u64) -> Result<(), Failure> {
	let read = |path: &PathBuf| {
		std::fs::read(path).map_err(|e| Failure::Input(format!("{}: {e}", path.display())))
	};
	let (statement_bytes, meter_bytes) = (read(&statement)?, read(&meter)?);
	let text = |path: &PathBuf, bytes: &[u8]| {
		String::from_utf8(bytes.to_vec())
			.map_err(|e| Failure::Input(format!("{}: not UTF-8 text: {e}", path.display())))
	};
	let s = statement::Statement::parse(
		&statement.display().to_string(),
		&text(&statement, &statement_bytes)?,
	)?;
	let m = statement::Meter::parse(&meter.display().to_string(), &text(&meter, &meter_bytes)?)?;
	let out = statement::compute(&s, &m, start, end)?;
	println!(
		"hashrate {} milli-TH/s, sats {}, energy {} kWh, uptime {} per-mill, pool fee {} per-mill",
		out.hashrate, out.sats, out.energy, out.uptime, out.pool_fee
	);
	println!("evidence 0x{}", ops::hex(&ops::evidence(&statement_bytes, &meter_bytes)));
	Ok(())
}

/// Logs to stderr, one line per event with its fields (`key=value`), level from `RUST_LOG`
/// (default `info`).
fn init_logs() {
	let filter = tracing_subscriber::EnvFilter::try_from_default_env()
		.unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
	let _ = tracing_subscriber::fmt()
		.with_env_filter(filter)
		.with_writer(std::io::stderr)
		.with_ansi(false)
		.try_init();
}

/// A Bitcoin Core client at `url`, logging in with `cookie` or $HASHRATE_AGENT_BITCOIN_AUTH.
fn bitcoin_rpc_client(url: &str, cookie: Option<PathBuf>) -> Result<relay::BitcoinRpc, Failure> {
	let auth = match cookie {
		Some(path) => {
			std::fs::metadata(&path)
				.map_err(|e| Failure::Input(format!("{}: {e}", path.display())))?;
			relay::Auth::Cookie(path)
		},
		None => match std::env::var("HASHRATE_AGENT_BITCOIN_AUTH") {
			Ok(auth) => relay::Auth::Password(auth),
			Err(_) => relay::Auth::None,
		},
	};
	relay::BitcoinRpc::new(url, auth)
}

async fn run(cli: Cli) -> Result<(), Failure> {
	match cli.command {
		Command::Report { files, connection } => submit_output("report", files, connection).await,
		Command::Attest { files, connection } => submit_output("attest", files, connection).await,
		Command::Feed { period, difficulty, reward_per_block, connection } => {
			feed(period, difficulty, reward_per_block, connection).await
		},
		Command::Deposit { series, watch, connection } => deposit(series, watch, connection).await,
		Command::Watch { facility, statements, series, metrics, connection } => {
			init_logs();
			let key = keys::load(connection.key_file.as_deref()).map_err(Failure::Input)?;
			watch::run(
				watch::Settings {
					url: connection.url,
					reporting: Some((facility, statements)),
					series,
					metrics,
					dry_run: connection.dry_run,
				},
				key,
			)
			.await
		},
		Command::Compute { statement, meter, start, end } => compute(statement, meter, start, end),
		Command::Prove { facility, payouts, bitcoin_rpc, bitcoin_cookie, depth, connection } => {
			let source = match (payouts, bitcoin_rpc) {
				(Some(dir), _) => {
					if !dir.is_dir() {
						return Err(Failure::Input(format!("{}: not a directory", dir.display())));
					}
					prove::Source::Files(dir)
				},
				(None, Some(url)) => {
					if depth == 0 {
						return Err(Failure::Input("--depth 0: at least one block".into()));
					}
					prove::Source::Rpc { rpc: bitcoin_rpc_client(&url, bitcoin_cookie)?, depth }
				},
				(None, None) => {
					return Err(Failure::Input("--payouts or --bitcoin-rpc is required".into()))
				},
			};
			let key = keys::load(connection.key_file.as_deref()).map_err(Failure::Input)?;
			prove::run(
				prove::Settings { url: connection.url, facility, dry_run: connection.dry_run },
				source,
				key,
			)
			.await
		},
		Command::Relay {
			headers,
			proofs,
			bitcoin_rpc,
			bitcoin_cookie,
			batch,
			prove_span,
			watch,
			connection,
		} => {
			if !(1..=200).contains(&batch) {
				return Err(Failure::Input(format!(
					"--batch {batch}: from 1 to 200 (the runtime's bound)"
				)));
			}
			if watch == Some(0) {
				return Err(Failure::Input("--watch 0: at least 1 second between passes".into()));
			}
			let prove_span = match prove_span.as_deref() {
				None => None,
				Some([start, end]) if start < end => Some((*start, *end)),
				Some(span) => {
					return Err(Failure::Input(format!(
						"--prove-span {span:?}: START must be below END"
					)))
				},
			};
			let source = match (headers, bitcoin_rpc) {
				(Some(headers), _) => relay::Source::files(&headers, proofs)?,
				(None, Some(url)) => relay::Source::Rpc(bitcoin_rpc_client(&url, bitcoin_cookie)?),
				(None, None) => {
					return Err(Failure::Input("--headers or --bitcoin-rpc is required".into()))
				},
			};
			let key = keys::load(connection.key_file.as_deref()).map_err(Failure::Input)?;
			relay::run(
				relay::Settings {
					url: connection.url,
					batch,
					prove_span,
					watch: watch.map(std::time::Duration::from_secs),
					dry_run: connection.dry_run,
				},
				source,
				key,
			)
			.await
		},
	}
}

#[tokio::main]
async fn main() -> ExitCode {
	let cli = Cli::parse();
	match run(cli).await {
		Ok(()) => ExitCode::SUCCESS,
		Err(failure) => {
			eprintln!("error: {failure}");
			ExitCode::from(failure.exit_code())
		},
	}
}
