//! What the commands do, step by step, shared by the one-shot commands and the `watch` daemon:
//! read a period's files and ask the chain's physics checks about them, read what a series
//! owes, guard against signing twice, dry-run, submit.

use crate::{
	chain::{self, AtBlock, Chain, ChainError, Refusal, Signed},
	statement::{self, ComputedOutput},
};
use std::path::Path;
use subxt::{
	dynamic::{self, At as _, Value},
	ext::{scale_decode::DecodeAsType, scale_value::ValueDef},
	utils::AccountId32,
};
use subxt_signer::sr25519::Keypair;

/// Why a command did not do what it was asked; each kind has its exit code.
#[derive(Debug)]
pub enum Failure {
	/// A file, flag or key is wrong: nothing was sent (exit code 2).
	Input(String),
	/// The chain refuses (or would refuse) it, or its checks fail: nothing was included
	/// (exit code 3).
	Refused(String),
	/// The output's files add up to something the chain's physics checks refuse: nothing was
	/// sent (exit code 3).
	Implausible(String),
	/// The node could not be reached or answered something unreadable, or a transaction's
	/// fate is unknown (exit code 1).
	Chain(String),
}

impl Failure {
	/// The process exit code.
	pub fn exit_code(&self) -> u8 {
		match self {
			Failure::Chain(_) => 1,
			Failure::Input(_) => 2,
			Failure::Refused(_) | Failure::Implausible(_) => 3,
		}
	}
}

impl std::fmt::Display for Failure {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			Failure::Input(message)
			| Failure::Refused(message)
			| Failure::Implausible(message)
			| Failure::Chain(message) => f.write_str(message),
		}
	}
}

impl From<ChainError> for Failure {
	fn from(error: ChainError) -> Self {
		Failure::Chain(error.0)
	}
}

impl From<statement::InputError> for Failure {
	fn from(error: statement::InputError) -> Self {
		Failure::Input(error.to_string())
	}
}

/// A unit newtype (`Hashrate`, `Sats`, `FacilityId`, ...) as a dynamic value.
pub fn newtype(value: u128) -> Value {
	Value::unnamed_composite([Value::u128(value)])
}

/// The hash a report's `evidence` carries: BLAKE2-256 over the BLAKE2-256 of the statement
/// file's bytes followed by that of the meter file's, so anyone holding both files can check
/// it.
pub fn evidence(statement: &[u8], meter: &[u8]) -> [u8; 32] {
	let mut both = sp_crypto_hashing::blake2_256(statement).to_vec();
	both.extend_from_slice(&sp_crypto_hashing::blake2_256(meter));
	sp_crypto_hashing::blake2_256(&both)
}

/// What the chain's physics checks say of an output (`PowOracle::check_output`).
#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
pub struct Verdict {
	/// The period's length, seconds.
	pub seconds: u64,
	/// The network data the sats bound uses.
	pub network: Option<NetworkData>,
	/// Whether that is the period's fixed data (else the last fixed value).
	pub network_fixed: bool,
	/// Highest hashrate accepted, milli-TH/s.
	pub max_hashrate: u128,
	/// Least energy accepted, kWh.
	pub min_energy: Option<u128>,
	/// Most energy accepted, kWh.
	pub max_energy: Option<u128>,
	/// The network expectation after the pool's fee, sats.
	pub expected_sats: Option<u128>,
	/// Lowest sats accepted.
	pub min_sats: Option<u128>,
	/// Highest sats accepted.
	pub max_sats: Option<u128>,
	/// Highest pool fee accepted, per-mill.
	pub max_pool_fee: u128,
	/// `Ok` or the first check that fails.
	pub verdict: Value,
}

/// Bitcoin network data as the chain keeps it.
#[derive(Debug, Clone, Copy, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
pub struct NetworkData {
	/// Difficulty.
	pub difficulty: u128,
	/// Average reward per block, sats.
	pub reward_per_block: u128,
}

impl Verdict {
	/// The name of the first failing check, if one fails.
	pub fn failing(&self) -> Option<String> {
		match &self.verdict.value {
			ValueDef::Variant(variant) if variant.name == "Ok" => None,
			ValueDef::Variant(variant) => Some(match variant.values.at(0) {
				Some(Value { value: ValueDef::Variant(check), .. }) => check.name.clone(),
				_ => chain::compact(&self.verdict),
			}),
			_ => Some(chain::compact(&self.verdict)),
		}
	}
}

/// A period's output computed from its files, with the chain's verdict on it.
pub struct Checked {
	/// The period's `[start, end)`, unix seconds.
	pub bounds: (u64, u64),
	/// What the files add up to.
	pub output: ComputedOutput,
	/// Their evidence hash.
	pub evidence: [u8; 32],
	/// The chain's physics checks.
	pub verdict: Verdict,
}

impl Checked {
	/// The output as the `report`/`attest` argument.
	pub fn output_value(&self) -> Value {
		let output = &self.output;
		Value::named_composite([
			("hashrate", newtype(output.hashrate)),
			("sats", newtype(output.sats.into())),
			("energy", newtype(output.energy.into())),
			("uptime", Value::u128(output.uptime.into())),
			("pool_fee", Value::u128(output.pool_fee.into())),
			("evidence", Value::from_bytes(self.evidence)),
		])
	}

	/// Claimed against expected, bound by bound, and the verdict: the lines to print.
	pub fn describe(&self, facility: u32, period: u32) -> Vec<String> {
		let (o, v) = (&self.output, &self.verdict);
		let mark = |ok: bool| if ok { "ok" } else { "FAILS" };
		let opt = |value: Option<u128>| value.map_or("-".to_string(), |v| v.to_string());
		let failing = v.failing();
		let fails = |check: &[&str]| failing.as_deref().is_some_and(|f| check.contains(&f));
		// The chain names the first failing check; the others are compared with its bounds.
		let within = |value: u128, min: Option<u128>, max: Option<u128>| {
			min.is_none_or(|min| value >= min) && max.is_none_or(|max| value <= max)
		};
		let network = match v.network {
			Some(n) => format!(
				"difficulty {}, reward per block {} sats ({})",
				n.difficulty,
				n.reward_per_block,
				if v.network_fixed { "the period's fixed data" } else { "last fixed value" }
			),
			None => "none".into(),
		};
		vec![
			format!(
				"facility {facility}, period {period}: [{}, {}), {} s",
				self.bounds.0, self.bounds.1, v.seconds
			),
			format!("network: {network}"),
			format!("evidence: 0x{}", hex(&self.evidence)),
			format!(
				"hashrate  claimed {} milli-TH/s, max {}: {}",
				o.hashrate,
				v.max_hashrate,
				mark(
					!fails(&["ZeroHashrate", "HashrateAboveCapacity"])
						&& within(o.hashrate, Some(1), Some(v.max_hashrate))
				)
			),
			format!(
				"energy    claimed {} kWh, min {}, max {}: {}",
				o.energy,
				opt(v.min_energy),
				opt(v.max_energy),
				mark(
					!fails(&["EnergyTooLow", "EnergyAboveCapacity"])
						&& within(o.energy.into(), v.min_energy, v.max_energy)
				)
			),
			format!(
				"sats      claimed {}, expected {}, min {}, max {}: {}",
				o.sats,
				opt(v.expected_sats),
				opt(v.min_sats),
				opt(v.max_sats),
				mark(
					!fails(&["SatsImplausible", "Overflow"])
						&& within(o.sats.into(), v.min_sats, v.max_sats)
				)
			),
			format!(
				"uptime    claimed {} per-mill: {}",
				o.uptime,
				mark(!fails(&["InvalidUptime"]))
			),
			format!(
				"pool fee  claimed {} per-mill, max {}: {}",
				o.pool_fee,
				v.max_pool_fee,
				mark(
					!fails(&["InvalidPoolFee"])
						&& within(o.pool_fee.into(), None, Some(v.max_pool_fee))
				)
			),
			match &failing {
				None => "verdict: every physics check passes".into(),
				Some(check) => format!("verdict: the chain would refuse it: {check}"),
			},
		]
	}
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
	bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `period`'s `[start, end)` as the chain numbers it; refused if it has none or has not
/// ended by `at`.
pub async fn ended_period(at: &AtBlock, period: u32) -> Result<(u64, u64), Failure> {
	let bounds: Option<(u64, u64)> =
		chain::view(at, "PowOracle", "period_bounds", (period,)).await?;
	let (start, end) = bounds
		.ok_or_else(|| Failure::Refused(format!("period {period} has no bounds on the chain")))?;
	let now = chain::now(at).await?;
	if now < end {
		return Err(Failure::Refused(format!(
			"period {period} ends at {end}, the chain's time is {now}: it has not ended"
		)));
	}
	Ok((start, end))
}

/// Reads `period`'s statement and meter files, computes its output and asks the chain's
/// physics checks about it as `facility`'s.
pub async fn check_files(
	at: &AtBlock,
	facility: u32,
	period: u32,
	statement_file: &Path,
	meter_file: &Path,
) -> Result<Checked, Failure> {
	let statement_bytes = read(statement_file)?;
	let meter_bytes = read(meter_file)?;
	let bounds = ended_period(at, period).await?;
	let statement = statement::Statement::parse(
		&statement_file.display().to_string(),
		&text(statement_file, &statement_bytes)?,
	)?;
	let meter = statement::Meter::parse(
		&meter_file.display().to_string(),
		&text(meter_file, &meter_bytes)?,
	)?;
	let output = statement::compute(&statement, &meter, bounds.0, bounds.1)?;
	let evidence = evidence(&statement_bytes, &meter_bytes);
	let mut checked = Checked {
		bounds,
		output,
		evidence,
		verdict: Verdict {
			seconds: 0,
			network: None,
			network_fixed: false,
			max_hashrate: 0,
			min_energy: None,
			max_energy: None,
			expected_sats: None,
			min_sats: None,
			max_sats: None,
			max_pool_fee: 0,
			verdict: Value::unnamed_variant("Ok", []),
		},
	};
	let answer: Result<Verdict, Value> = chain::view(
		at,
		"PowOracle",
		"check_output",
		(newtype(facility.into()), period, checked.output_value()),
	)
	.await?;
	checked.verdict = answer.map_err(|error| {
		Failure::Refused(format!("the chain cannot check it: {}", chain::compact(&error)))
	})?;
	Ok(checked)
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
	std::fs::read(path).map_err(|e| Failure::Input(format!("{}: {e}", path.display())))
}

fn text(path: &Path, bytes: &[u8]) -> Result<String, Failure> {
	String::from_utf8(bytes.to_vec())
		.map_err(|e| Failure::Input(format!("{}: not UTF-8 text: {e}", path.display())))
}

/// Who has submitted what for a facility-period so far.
pub struct RoundState {
	/// An output of the period is finalized (or final, or defaulted).
	pub finalized: bool,
	/// The facility's report is on chain (in the open round, or in the finalized output's
	/// record).
	pub reported: bool,
	/// Accounts that attested.
	pub attestors: Vec<AccountId32>,
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct OutputRecord {
	report: Option<Value>,
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct Round {
	report: Option<Value>,
	attestations: Vec<(AccountId32, Value)>,
}

/// `facility`'s `period` as `PowOracle.Rounds` and `PowOracle.Outputs` have it at `at`.
pub async fn round_state(at: &AtBlock, facility: u32, period: u32) -> Result<RoundState, Failure> {
	let output =
		chain::storage::<_, OutputRecord>(at, "PowOracle", "Outputs", (facility, period)).await?;
	if let Some(output) = output {
		return Ok(RoundState {
			finalized: true,
			reported: output.report.is_some(),
			attestors: Vec::new(),
		});
	}
	let round = chain::storage::<_, Round>(at, "PowOracle", "Rounds", (facility, period)).await?;
	Ok(match round {
		Some(round) => RoundState {
			finalized: false,
			reported: round.report.is_some(),
			attestors: round.attestations.into_iter().map(|(who, _)| who).collect(),
		},
		None => RoundState { finalized: false, reported: false, attestors: Vec::new() },
	})
}

/// Refuses to sign while a transaction of `account` is in the pool or in a block not yet
/// finalized: the account's next nonce counting those (`system_accountNextIndex`) is above
/// its nonce at `at`. Returns the nonce to sign with.
pub async fn nothing_pending(
	chain: &Chain,
	at: &AtBlock,
	account: &AccountId32,
) -> Result<u64, Failure> {
	let finalized = chain::nonce(at, account).await?;
	let next = chain.next_index(account).await?;
	if next > finalized {
		return Err(Failure::Refused(format!(
			"{} transaction(s) of {account} pending (nonces {finalized}..{next}): not signing \
			 another until they are finalized or dropped",
			next - finalized
		)));
	}
	Ok(finalized)
}

/// Signs `call`, dry-runs it at `at`, and unless `dry_run` submits it and waits until it is
/// finalized: the lines to print (the dry run's verdict, then the events).
pub async fn send(
	chain: &Chain,
	at: &AtBlock,
	key: &Keypair,
	nonce: u64,
	call: &impl subxt::tx::Payload,
	name: &str,
	dry_run: bool,
) -> Result<Vec<String>, Failure> {
	let signed: Signed = chain::sign(at, call, key, nonce, name)?;
	// The genesis state cannot check a signature (see `chain::dry_run`).
	let at_genesis = at.block_number() == 0;
	if let Err(Refusal(reason)) = chain::dry_run(at, &signed).await? {
		return Err(Failure::Refused(format!("the chain would refuse {name}: {reason}")));
	}
	if dry_run {
		return Ok(vec![if at_genesis {
			format!("dry run: {name} not checked (the chain is at genesis); nothing submitted")
		} else {
			format!("dry run: the chain would accept {name}; nothing submitted")
		}]);
	}
	match chain::submit(chain, &signed).await? {
		Ok((hash, events)) => {
			let mut lines = vec![format!("{name} {hash} finalized; events:")];
			lines.extend(events.into_iter().map(|event| format!("  {event}")));
			Ok(lines)
		},
		Err(Refusal(reason)) => Err(Failure::Refused(format!("{name} failed: {reason}"))),
	}
}

/// `PowOracle.report` / `PowOracle.attest` of `checked` as `facility`'s `period`.
pub fn output_call(
	call: &str,
	facility: u32,
	period: u32,
	checked: &Checked,
) -> impl subxt::tx::Payload {
	dynamic::transaction(
		"PowOracle",
		call,
		(newtype(facility.into()), Value::u128(period.into()), checked.output_value()),
	)
}

/// A series' obligation for its next unsettled period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owed {
	/// The period.
	pub period: u32,
	/// Owed in total, sats.
	pub owed: u128,
	/// Deposited and drawn so far.
	pub collected: u128,
	/// Deadline, unix seconds.
	pub deadline: u64,
}

impl Owed {
	/// What is left to pay.
	pub fn outstanding(&self) -> u128 {
		self.owed.saturating_sub(self.collected)
	}
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct SeriesReport {
	next_period: u32,
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct PeriodReport {
	owed: u128,
	paid: u128,
	drawn: u128,
	deadline: u64,
	status: Value,
}

/// What `series` owes now: `Ok(None)` while its next period is not final (nothing owed yet)
/// or it is settled; refused for an unknown series.
pub async fn owed(at: &AtBlock, series: u32) -> Result<Option<Owed>, Failure> {
	let report: Option<SeriesReport> =
		chain::view(at, "RealYield", "series_report", (newtype(series.into()),)).await?;
	let report = report.ok_or_else(|| Failure::Refused(format!("no series {series}")))?;
	let period = report.next_period;
	let record: Option<PeriodReport> =
		chain::view(at, "RealYield", "period_report", (newtype(series.into()), period)).await?;
	let Some(record) = record else { return Ok(None) };
	let open = matches!(&record.status.value, ValueDef::Variant(v) if v.name == "Open");
	if !open {
		return Ok(None);
	}
	Ok(Some(Owed {
		period,
		owed: record.owed,
		collected: record.paid.saturating_add(record.drawn),
		deadline: record.deadline,
	}))
}

/// `RealYield.deposit(series, period, amount)`.
pub fn deposit_call(series: u32, period: u32, amount: u128) -> impl subxt::tx::Payload {
	dynamic::transaction(
		"RealYield",
		"deposit",
		(newtype(series.into()), Value::u128(period.into()), Value::u128(amount)),
	)
}
