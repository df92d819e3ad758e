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
	time::Duration,
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
						"Failures by kind: input (files), implausible (the physics checks), refused \
						 (dry run, dispatch), missed (a window closed without a report), rpc (the \
						 node unreachable or unreadable)",
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
			Failure::Implausible(_) => "implausible",
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
}

impl PeriodFiles {
	/// The hash of both files' contents (their evidence hash).
	fn content_hash(&self) -> Result<[u8; 32], String> {
		let read = |p: &Path| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
		Ok(ops::evidence(&read(&self.statement)?, &read(&self.meter)?))
	}
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
		periods.insert(period, PeriodFiles { statement: path, meter });
	}
	Ok(periods)
}

/// Longest wait, in chain seconds, before a refused period is tried again.
const MAX_RETRY_SECS: u64 = 1_800;

/// The daemon's memory between blocks, rebuilt from the chain after a restart.
#[derive(Default)]
struct Memory {
	/// Periods with nothing left to do (reported, finalized, missed).
	done: BTreeSet<u32>,
	/// Periods whose files failed (unreadable, or output the physics checks refuse), by the
	/// hash of the files that failed: tried again when the files change.
	failed: BTreeMap<u32, [u8; 32]>,
	/// Periods the chain refused (a dry run or a dispatch): attempts so far and the chain
	/// time of the next try (30 s, doubling, at most [`MAX_RETRY_SECS`]).
	retry: BTreeMap<u32, (u32, u64)>,
	/// Each period's files' content hash and the block at which they first had it: files are
	/// used at a later block with the same hash (a file still being written is not read
	/// half-way).
	seen: BTreeMap<u32, ([u8; 32], u64)>,
	/// The newest period with a report on chain, and its end.
	last_reported: Option<(u32, u64)>,
}

impl Memory {
	fn reported(&mut self, period: u32, end: u64) {
		self.done.insert(period);
		if self.last_reported.is_none_or(|(last, _)| last < period) {
			self.last_reported = Some((period, end));
		}
	}

	/// Whether `period`'s files had `hash` already before `block`; notes them otherwise.
	fn settled(&mut self, period: u32, hash: [u8; 32], block: u64) -> bool {
		match self.seen.get(&period) {
			Some(&(seen, since)) if seen == hash => since < block,
			_ => {
				self.seen.insert(period, (hash, block));
				false
			},
		}
	}
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
		let reporting = (*facility, dir.as_path());
		let block = at.block_number();
		let submitted =
			report_due(chain, at, reporting, settings.dry_run, key, metrics, memory, now, block)
				.await?;
		if submitted {
			// The deposits wait for the next block, whose state shows the report.
			return Ok(());
		}
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

/// Reports every ended period of the directory the chain has no report of; `true` if it
/// submitted one (the rest waits for the next block, whose state shows it).
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
	block: u64,
) -> Result<bool, Failure> {
	let periods = match scan(dir) {
		Ok(periods) => periods,
		Err(error) => {
			metrics.failed(&Failure::Input(error.clone()));
			tracing::error!(%error, "cannot read the statement directory");
			BTreeMap::new()
		},
	};
	let candidates: Vec<(u32, PeriodFiles)> = periods
		.into_iter()
		.rev()
		.filter(|(period, _)| !memory.done.contains(period))
		.take(MAX_PERIODS_PER_BLOCK)
		.collect();
	let mut submitted = false;
	for (period, files) in candidates.into_iter().rev() {
		let hash = match files.content_hash() {
			Ok(hash) => hash,
			Err(error) => {
				metrics.failed(&Failure::Input(error.clone()));
				tracing::error!(period, %error, "cannot read the period's files");
				continue;
			},
		};
		if memory.failed.get(&period) == Some(&hash)
			|| memory.retry.get(&period).is_some_and(|&(_, next)| now < next)
		{
			continue;
		}
		let step = report_period(chain, at, facility, key, period, now);
		match step.await {
			Ok(Step::Due) => {
				if !memory.settled(period, hash, block) {
					tracing::info!(
						facility,
						period,
						"files found or changed; used once unchanged at a later block"
					);
					continue;
				}
				match submit_report(chain, at, facility, dry_run, key, period, &files).await {
					Ok(end) => {
						if !dry_run {
							metrics.submissions.with_label_values(&["report"]).inc();
						}
						memory.reported(period, end);
						submitted = !dry_run;
						break;
					},
					Err(failure) => {
						handle_failure(failure, period, hash, now, metrics, memory)?;
					},
				}
			},
			Ok(Step::Wait) => {},
			Ok(Step::AlreadyReported(end)) => memory.reported(period, end),
			Ok(Step::Missed) => {
				metrics.failures.with_label_values(&["missed"]).inc();
				memory.done.insert(period);
			},
			Err(failure) => handle_failure(failure, period, hash, now, metrics, memory)?,
		}
	}
	let done = memory.done.clone();
	memory.seen.retain(|period, _| !done.contains(period));
	memory.retry.retain(|period, _| !done.contains(period));
	memory.failed.retain(|period, _| !done.contains(period));
	if let Some((period, end)) = memory.last_reported {
		metrics.last_period_reported.set(period.into());
		metrics.lag.set(now.saturating_sub(end));
	}
	Ok(submitted)
}

/// A period's failure: chain errors end the connection (returned); the chain's refusals are
/// tried again after a while; bad files and implausible output when the files change.
fn handle_failure(
	failure: Failure,
	period: u32,
	hash: [u8; 32],
	now: u64,
	metrics: &Metrics,
	memory: &mut Memory,
) -> Result<(), Failure> {
	metrics.failed(&failure);
	match failure {
		Failure::Chain(error) => Err(Failure::Chain(error)),
		Failure::Refused(error) => {
			let attempts = memory.retry.get(&period).map_or(0, |&(attempts, _)| attempts);
			let delay = 30u64.saturating_mul(1 << attempts.min(16)).min(MAX_RETRY_SECS);
			memory.retry.insert(period, (attempts.saturating_add(1), now.saturating_add(delay)));
			tracing::error!(period, %error, retry_in_secs = delay, "the chain refused the report");
			Ok(())
		},
		failure => {
			tracing::error!(period, error = %failure, "period not reported; fix its files");
			memory.failed.insert(period, hash);
			Ok(())
		},
	}
}

/// How far a period got at one block.
enum Step {
	/// Ended, not reported, its window open, nothing of the key pending: to be reported.
	Due,
	/// Its report is on chain already; the period's end.
	AlreadyReported(u64),
	/// Its window closed (or it defaulted) without a report.
	Missed,
	/// Not yet: not ended, or a transaction of the key pending.
	Wait,
}

/// Where `period` stands on chain.
async fn report_period(
	chain: &Chain,
	at: &chain::AtBlock,
	facility: u32,
	key: &Keypair,
	period: u32,
	now: u64,
) -> Result<Step, Failure> {
	let bounds: Option<(u64, u64)> =
		chain::view(at, "PowOracle", "period_bounds", (period,)).await?;
	let Some((_, end)) = bounds else {
		return Err(Failure::Implausible(format!("period {period} has no bounds on the chain")));
	};
	if now < end {
		return Ok(Step::Wait);
	}
	let round = ops::round_state(at, facility, period).await?;
	if round.reported {
		tracing::info!(facility, period, "already reported on chain");
		return Ok(Step::AlreadyReported(end));
	}
	if round.finalized {
		tracing::warn!(facility, period, "finalized without a report (defaulted)");
		return Ok(Step::Missed);
	}
	let window: Option<Timing> = chain::storage(at, "PowOracle", "Timings", ()).await?;
	if let Some(timing) = window {
		if now >= end.saturating_add(timing.report_window) {
			tracing::warn!(facility, period, "report window closed before it was reported");
			return Ok(Step::Missed);
		}
	}
	if let Err(failure) = ops::nothing_pending(chain, at, &chain::account_of(key)).await {
		return match failure {
			Failure::Refused(reason) => {
				tracing::info!(facility, period, %reason, "waiting");
				Ok(Step::Wait)
			},
			other => Err(other),
		};
	}
	Ok(Step::Due)
}

/// Checks `period`'s files against the chain's physics checks, then signs, dry-runs and
/// submits its report; the period's end once finalized.
async fn submit_report(
	chain: &Chain,
	at: &chain::AtBlock,
	facility: u32,
	dry_run: bool,
	key: &Keypair,
	period: u32,
	files: &PeriodFiles,
) -> Result<u64, Failure> {
	let checked = ops::check_files(at, facility, period, &files.statement, &files.meter).await?;
	for line in checked.describe(facility, period) {
		tracing::info!(facility, period, "{line}");
	}
	if let Some(check) = checked.verdict.failing() {
		return Err(Failure::Implausible(format!("the physics checks fail: {check}")));
	}
	let checked = &checked;
	let nonce = chain::nonce(at, &chain::account_of(key)).await?;
	let call = ops::output_call("report", facility, period, checked);
	tracing::info!(facility, period, nonce, "submitting report");
	let lines = ops::send(chain, at, key, nonce, &call, "PowOracle.report", dry_run).await?;
	for line in lines {
		tracing::info!(facility, period, "{line}");
	}
	Ok(checked.bounds.1)
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
