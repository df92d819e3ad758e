//! `watch`: the facility's daemon. Follows finalized blocks; at each one it reports every
//! ended period whose files are in the statement directory and that the chain has no report
//! of, and pays what its series owe.
//!
//! Idempotent by the chain's state, not by local state: before every submission it reads the
//! period's round (a report on chain, or a finalized output, means done) and the account's
//! next nonce (a transaction of the key in the pool or in a block not yet finalized means
//! wait), so a restart — even after `SIGKILL` between submission and inclusion — never signs
//! a second report for a facility-period. RPC failures reconnect with exponential backoff.

use crate::{
	chain::{self, Chain},
	ops::{self, Failure},
};
use futures::StreamExt;
use std::{
	collections::{BTreeMap, BTreeSet},
	net::SocketAddr,
	path::{Path, PathBuf},
	time::{Duration, SystemTime},
};
use substrate_prometheus_endpoint::{
	register, CounterVec, Gauge, Opts, PrometheusError, Registry, U64,
};
use subxt_signer::sr25519::Keypair;

/// Longest wait between reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// Most periods of the statement directory looked at per block (the newest ones).
const MAX_PERIODS_PER_BLOCK: usize = 64;

/// What `watch` does.
pub struct Settings {
	/// The node's RPC address.
	pub url: String,
	/// The facility it reports and where its period files are (`<period>.csv` or
	/// `<period>.json`, `<period>.meter.csv`); `None`: it only deposits.
	pub reporting: Option<(u32, PathBuf)>,
	/// Series whose obligations it pays.
	pub series: Vec<u32>,
	/// Where it serves Prometheus metrics, if anywhere.
	pub metrics: Option<SocketAddr>,
	/// Only check and dry-run, never submit.
	pub dry_run: bool,
}

/// The daemon's Prometheus metrics.
#[derive(Clone)]
pub struct Metrics {
	submissions: CounterVec<U64>,
	failures: CounterVec<U64>,
	last_period_reported: Gauge<U64>,
	lag: Gauge<U64>,
	finalized_block: Gauge<U64>,
}

impl Metrics {
	/// Registers them in `registry`.
	pub fn register(registry: &Registry) -> Result<Self, PrometheusError> {
		Ok(Self {
			submissions: register(
				CounterVec::new(
					Opts::new(
						"hashrate_agent_submissions_total",
						"Transactions submitted and finalized, by kind (report, deposit)",
					),
					&["kind"],
				)?,
				registry,
			)?,
			failures: register(
				CounterVec::new(
					Opts::new(
						"hashrate_agent_failures_total",
						"Failures by kind: input (files), refused (physics checks, dry run, \
						 dispatch), rpc (node unreachable or unreadable)",
					),
					&["kind"],
				)?,
				registry,
			)?,
			last_period_reported: register(
				Gauge::new(
					"hashrate_agent_last_period_reported",
					"The newest period with the facility's report on chain",
				)?,
				registry,
			)?,
			lag: register(
				Gauge::new(
					"hashrate_agent_lag_seconds",
					"Chain time since the newest period with a report on chain ended",
				)?,
				registry,
			)?,
			finalized_block: register(
				Gauge::new("hashrate_agent_finalized_block", "The last finalized block handled")?,
				registry,
			)?,
		})
	}

	fn failed(&self, failure: &Failure) {
		let kind = match failure {
			Failure::Input(_) => "input",
			Failure::Refused(_) => "refused",
			Failure::Chain(_) => "rpc",
		};
		self.failures.with_label_values(&[kind]).inc();
	}
}

/// The files of one period in the statement directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodFiles {
	/// The pool statement.
	pub statement: PathBuf,
	/// The meter readings.
	pub meter: PathBuf,
	/// Both files' modification times: a period that failed is tried again when they change.
	pub modified: (Option<SystemTime>, Option<SystemTime>),
}

/// The periods with a statement (`<period>.csv` / `<period>.json`) and a meter file
/// (`<period>.meter.csv`) in `dir`, by period.
pub fn scan(dir: &Path) -> Result<BTreeMap<u32, PeriodFiles>, String> {
	let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
	let mut periods = BTreeMap::new();
	for entry in entries.flatten() {
		let path = entry.path();
		let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
		let Some((stem, extension)) = name.split_once('.') else { continue };
		if extension != "csv" && extension != "json" {
			continue;
		}
		let Ok(period) = stem.parse::<u32>() else { continue };
		let meter = dir.join(format!("{period}.meter.csv"));
		if !meter.exists() {
			continue;
		}
		let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
		let modified = (modified(&path), modified(&meter));
		periods.insert(period, PeriodFiles { statement: path, meter, modified });
	}
	Ok(periods)
}

/// The daemon's memory between blocks: periods done (reported, finalized or past their
/// window) and periods whose files failed (until the files change). Rebuilt from the chain
/// after a restart.
#[derive(Default)]
struct Memory {
	done: BTreeSet<u32>,
	failed: BTreeMap<u32, PeriodFiles>,
	/// The end of the newest period with a report on chain.
	last_reported: Option<(u32, u64)>,
}

/// Runs until SIGINT or SIGTERM.
pub async fn run(settings: Settings, key: Keypair) -> Result<(), Failure> {
	let registry =
		Registry::new_custom(None, None).map_err(|e| Failure::Input(format!("metrics: {e}")))?;
	let metrics =
		Metrics::register(&registry).map_err(|e| Failure::Input(format!("metrics: {e}")))?;
	if let Some(address) = settings.metrics {
		let listener = tokio::net::TcpListener::bind(address)
			.await
			.map_err(|e| Failure::Input(format!("--metrics {address}: {e}")))?;
		drop(listener);
		tokio::spawn(async move {
			if let Err(error) =
				substrate_prometheus_endpoint::init_prometheus(address, registry).await
			{
				tracing::error!(%error, "metrics server stopped");
			}
		});
		tracing::info!(%address, "serving Prometheus metrics at /metrics");
	}
	if let Some((_, dir)) = &settings.reporting {
		scan(dir).map_err(Failure::Input)?;
	}
	let account = chain::account_of(&key);
	tracing::info!(
		facility = ?settings.reporting.as_ref().map(|(facility, _)| facility),
		statements = ?settings.reporting.as_ref().map(|(_, dir)| dir),
		series = ?settings.series,
		%account,
		"watching finalized blocks"
	);
	let mut memory = Memory::default();
	let mut backoff = Duration::from_secs(1);
	let mut terminate =
		tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
			.map_err(|e| Failure::Input(format!("installing the SIGTERM handler: {e}")))?;
	loop {
		let session = follow(&settings, &key, &metrics, &mut memory, &mut backoff);
		let outcome = tokio::select! {
			outcome = session => outcome,
			_ = tokio::signal::ctrl_c() => return Ok(()),
			_ = terminate.recv() => return Ok(()),
		};
		let reason = match outcome {
			Ok(()) => "the node closed the block subscription".to_string(),
			Err(error) => error.to_string(),
		};
		metrics.failed(&Failure::Chain(reason.clone()));
		tracing::warn!(error = %reason, retry_in = ?backoff, "connection lost; reconnecting");
		tokio::select! {
			_ = tokio::time::sleep(backoff) => {},
			_ = tokio::signal::ctrl_c() => return Ok(()),
			_ = terminate.recv() => return Ok(()),
		}
		backoff = (backoff * 2).min(MAX_BACKOFF);
	}
}

/// One connection: follows finalized heads until the connection fails.
async fn follow(
	settings: &Settings,
	key: &Keypair,
	metrics: &Metrics,
	memory: &mut Memory,
	backoff: &mut Duration,
) -> Result<(), Failure> {
	let chain = Chain::connect(&settings.url).await?;
	let mut heads = chain.finalized_heads().await?;
	tracing::info!(url = %settings.url, "connected");
	loop {
		let at = chain.finalized().await?;
		*backoff = Duration::from_secs(1);
		metrics.finalized_block.set(at.block_number());
		handle_block(&chain, &at, settings, key, metrics, memory).await?;
		match tokio::time::timeout(chain::RPC_TIMEOUT, heads.next()).await {
			Ok(Some(Ok(_))) => {},
			Ok(Some(Err(error))) => {
				return Err(Failure::Chain(format!("finalized heads: {error}")))
			},
			Ok(None) => return Ok(()),
			Err(_) => {
				return Err(Failure::Chain(format!(
					"no finalized block within {:?}",
					chain::RPC_TIMEOUT
				)))
			},
		}
	}
}

/// Everything due at one finalized block. Chain errors end the connection (and are retried);
/// a period's own failure is logged and counted and the others go on.
async fn handle_block(
	chain: &Chain,
	at: &chain::AtBlock,
	settings: &Settings,
	key: &Keypair,
	metrics: &Metrics,
	memory: &mut Memory,
) -> Result<(), Failure> {
	let now = chain::now(at).await?;
	if let Some((facility, dir)) = &settings.reporting {
		report_due(chain, at, (*facility, dir), settings.dry_run, key, metrics, memory, now)
			.await?;
	}
	for &series in &settings.series {
		match deposit_due(chain, at, series, key, now, settings.dry_run).await {
			Ok(true) => metrics.submissions.with_label_values(&["deposit"]).inc(),
			Ok(false) => {},
			Err(Failure::Chain(error)) => return Err(Failure::Chain(error)),
			Err(failure) => {
				metrics.failed(&failure);
				tracing::error!(series, error = %failure, "deposit not made");
			},
		}
	}
	Ok(())
}

/// Reports every ended period of the directory the chain has no report of.
#[allow(clippy::too_many_arguments)]
async fn report_due(
	chain: &Chain,
	at: &chain::AtBlock,
	(facility, dir): (u32, &Path),
	dry_run: bool,
	key: &Keypair,
	metrics: &Metrics,
	memory: &mut Memory,
	now: u64,
) -> Result<(), Failure> {
	let periods = match scan(dir) {
		Ok(periods) => periods,
		Err(error) => {
			metrics.failed(&Failure::Input(error.clone()));
			tracing::error!(%error, "cannot read the statement directory");
			BTreeMap::new()
		},
	};
	let pending: Vec<(u32, PeriodFiles)> = periods
		.into_iter()
		.rev()
		.filter(|(period, files)| {
			!memory.done.contains(period) && memory.failed.get(period) != Some(files)
		})
		.take(MAX_PERIODS_PER_BLOCK)
		.collect();
	for (period, files) in pending.into_iter().rev() {
		match report_period(chain, at, facility, dry_run, key, period, &files, now).await {
			Ok(Step::Done) => {
				memory.done.insert(period);
			},
			Ok(Step::Reported(end)) => {
				memory.done.insert(period);
				metrics.submissions.with_label_values(&["report"]).inc();
				if memory.last_reported.is_none_or(|(last, _)| last < period) {
					memory.last_reported = Some((period, end));
				}
			},
			Ok(Step::AlreadyReported(end)) => {
				memory.done.insert(period);
				if memory.last_reported.is_none_or(|(last, _)| last < period) {
					memory.last_reported = Some((period, end));
				}
			},
			Ok(Step::Wait) => {},
			Err(Failure::Chain(error)) => return Err(Failure::Chain(error)),
			Err(failure) => {
				metrics.failed(&failure);
				tracing::error!(period, error = %failure, "period not reported; fix its files");
				memory.failed.insert(period, files);
			},
		}
	}
	if let Some((period, end)) = memory.last_reported {
		metrics.last_period_reported.set(period.into());
		metrics.lag.set(now.saturating_sub(end));
	}
	Ok(())
}

/// How far a period got at one block.
enum Step {
	/// Nothing to do for it any more (finalized, or its window closed).
	Done,
	/// Reported now; the period's end.
	Reported(u64),
	/// Its report was on chain already; the period's end.
	AlreadyReported(u64),
	/// Not yet: not ended, or a transaction of the key is pending.
	Wait,
}

#[allow(clippy::too_many_arguments)]
async fn report_period(
	chain: &Chain,
	at: &chain::AtBlock,
	facility: u32,
	dry_run: bool,
	key: &Keypair,
	period: u32,
	files: &PeriodFiles,
	now: u64,
) -> Result<Step, Failure> {
	let bounds: Option<(u64, u64)> =
		chain::view(at, "PowOracle", "period_bounds", (period,)).await?;
	let Some((_, end)) = bounds else {
		return Err(Failure::Refused(format!("period {period} has no bounds on the chain")));
	};
	if now < end {
		return Ok(Step::Wait);
	}
	let round = ops::round_state(at, facility, period).await?;
	if round.reported || round.finalized {
		tracing::info!(facility, period, "already reported on chain");
		return Ok(Step::AlreadyReported(end));
	}
	let window: Option<Timing> = chain::storage(at, "PowOracle", "Timings", ()).await?;
	if let Some(timing) = window {
		if now >= end.saturating_add(timing.report_window) {
			tracing::warn!(facility, period, "report window closed before it was reported");
			return Ok(Step::Done);
		}
	}
	let nonce = match ops::nothing_pending(chain, at, &chain::account_of(key)).await {
		Ok(nonce) => nonce,
		Err(Failure::Refused(reason)) => {
			tracing::info!(facility, period, %reason, "waiting");
			return Ok(Step::Wait);
		},
		Err(other) => return Err(other),
	};
	let checked = ops::check_files(at, facility, period, &files.statement, &files.meter).await?;
	for line in checked.describe(facility, period) {
		tracing::info!(facility, period, "{line}");
	}
	if let Some(check) = checked.verdict.failing() {
		return Err(Failure::Refused(format!("the physics checks fail: {check}")));
	}
	let call = ops::output_call("report", facility, period, &checked);
	tracing::info!(facility, period, nonce, "submitting report");
	let lines = ops::send(chain, at, key, nonce, &call, "PowOracle.report", dry_run).await?;
	for line in lines {
		tracing::info!(facility, period, "{line}");
	}
	Ok(if dry_run { Step::Done } else { Step::Reported(end) })
}

#[derive(Debug, subxt::ext::scale_decode::DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct Timing {
	report_window: u64,
}

/// Pays `series`' next period what it still owes, once it is final and before its deadline;
/// `true` if it deposited.
pub async fn deposit_due(
	chain: &Chain,
	at: &chain::AtBlock,
	series: u32,
	key: &Keypair,
	now: u64,
	dry_run: bool,
) -> Result<bool, Failure> {
	let Some(owed) = ops::owed(at, series).await? else { return Ok(false) };
	let outstanding = owed.outstanding();
	if outstanding == 0 || now > owed.deadline {
		return Ok(false);
	}
	let nonce = match ops::nothing_pending(chain, at, &chain::account_of(key)).await {
		Ok(nonce) => nonce,
		Err(Failure::Refused(reason)) => {
			tracing::info!(series, %reason, "waiting");
			return Ok(false);
		},
		Err(other) => return Err(other),
	};
	tracing::info!(
		series,
		period = owed.period,
		owed = owed.owed,
		outstanding,
		deadline = owed.deadline,
		"depositing what the period owes"
	);
	let call = ops::deposit_call(series, owed.period, outstanding);
	for line in ops::send(chain, at, key, nonce, &call, "RealYield.deposit", dry_run).await? {
		tracing::info!(series, period = owed.period, "{line}");
	}
	Ok(!dry_run)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn scan_pairs_statements_with_meters_by_period() {
		let dir = std::env::temp_dir().join(format!("hashrate-agent-scan-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		for name in ["7.csv", "7.meter.csv", "8.json", "8.meter.csv", "9.csv", "x.csv", "10.txt"] {
			std::fs::write(dir.join(name), "").unwrap();
		}
		let periods = scan(&dir).unwrap();
		assert_eq!(periods.keys().copied().collect::<Vec<_>>(), vec![7, 8], "9 has no meter file");
		assert_eq!(periods[&8].statement, dir.join("8.json"));
		assert_eq!(periods[&7].meter, dir.join("7.meter.csv"));
		assert!(scan(&dir.join("missing")).is_err());
		std::fs::remove_dir_all(&dir).unwrap();
	}
}
