//! A period's pool statement and energy-meter readings, read from files, and the period output
//! they add up to.
//!
//! # Pool statement (CSV)
//!
//! One row per interval the pool accounted, in time order; `#` starts a comment line. The
//! header row names the columns:
//!
//! ```text
//! start,hash_rate,hash_rate_unit,reward,fee
//! 1764547200,118.25,Ph/s,0.01207311,0.00024639
//! 1764550800,118.40,Ph/s,0.01208847,0.00024670
//! ```
//!
//! - `start`: unix seconds the interval starts; it lasts until the next row's start (the last
//!   row until the period's end). The first row starts the period; every row lies inside it.
//! - `hash_rate` in `hash_rate_unit` (`H/s`, `kH/s`, `MH/s`, `GH/s`, `TH/s`, `PH/s`, `EH/s`,
//!   any case: Braiins Pool writes `Gh/s`): the pool's scoring hashrate of the interval.
//! - `reward`: bitcoin credited for the interval after the pool's fee, `fee`: the pool's fee,
//!   both decimal BTC with a decimal point and at most 8 decimals (`0` may go without), as
//!   pools print them (Braiins Pool's API
//!   returns rewards as decimal BTC strings: its API configuration guide,
//!   <https://help.braiins.com/en/support/solutions/articles/77000433512-api-configuration-guide>).
//!
//! # Pool statement (JSON)
//!
//! The same rows as objects, the unit once:
//!
//! ```json
//! { "hash_rate_unit": "Ph/s",
//!   "intervals": [ { "start": 1764547200, "hash_rate": "118.25",
//!                    "reward": "0.01207311", "fee": "0.00024639" } ] }
//! ```
//!
//! # Meter readings (CSV)
//!
//! `time,kwh`: the facility meter's cumulative energy register (decimal kWh) at unix seconds
//! `time`, in time order; one reading at or before the period's start and one at or after its
//! end. The period's energy is the register's rise between start and end, each read by linear
//! interpolation between the readings around it, rounded to the nearest kWh. A register above
//! 10^15 kWh is refused.
//!
//! # What it adds up to
//!
//! Over the period `[start, end)`: hashrate = the time-weighted mean of the intervals'
//! hashrates (milli-TH/s, rounded down); sats = the sum of rewards; pool fee = fees over
//! rewards plus fees, per-mill rounded to nearest; uptime = the share of the period in
//! intervals with a non-zero hashrate, per-mill rounded down (but at least 1 when any interval
//! hashed).

use serde::Deserialize;
use std::fmt;

/// Satoshis in one bitcoin.
const SATS_PER_BTC: u128 = 100_000_000;
/// All bitcoin there will ever be, in sats: an amount above it is a unit mistake.
const MAX_SATS: u128 = 21_000_000 * SATS_PER_BTC;
/// The largest meter register accepted, milli-kWh (10^15 kWh: a thousand times the world's
/// yearly electricity); it keeps the interpolation's products far inside `u128`.
const MAX_REGISTER_MILLI_KWH: u128 = 1_000_000_000_000_000_000;
/// Hashes per second in one milli-TH/s.
const HASHES_PER_MILLI_TH: u128 = 1_000_000_000;

/// A period's output as the agent computed it from its files, in the chain's units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ComputedOutput {
	/// Time-weighted mean hashrate, milli-TH/s.
	pub hashrate: u128,
	/// Bitcoin credited after the pool's fee, sats.
	pub sats: u64,
	/// Energy used, kWh.
	pub energy: u64,
	/// Share of the period hashing, per-mill.
	pub uptime: u16,
	/// The pool's fee, per-mill.
	pub pool_fee: u16,
}

/// Why a statement or meter file cannot be used; names the file and, where it can, the line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
	/// The file.
	pub file: String,
	/// 1-based line, when one line is at fault.
	pub line: Option<usize>,
	/// What is wrong.
	pub message: String,
}

impl fmt::Display for InputError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self.line {
			Some(line) => write!(f, "{}:{line}: {}", self.file, self.message),
			None => write!(f, "{}: {}", self.file, self.message),
		}
	}
}

impl std::error::Error for InputError {}

/// One accounted interval of a pool statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interval {
	/// Unix seconds it starts.
	pub start: u64,
	/// Hashrate, milli-TH/s (rounded down).
	pub hashrate: u128,
	/// Reward after the pool's fee, sats.
	pub reward: u128,
	/// The pool's fee, sats.
	pub fee: u128,
	/// Where it was read (1-based line; the interval's index + 1 for JSON).
	pub line: usize,
}

/// A pool statement: its intervals, in the file's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
	/// The file it came from.
	pub file: String,
	/// Its intervals.
	pub intervals: Vec<Interval>,
}

/// A meter reading: the cumulative register at a time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reading {
	/// Unix seconds.
	pub time: u64,
	/// Register, milli-kWh.
	pub milli_kwh: u128,
	/// 1-based line.
	pub line: usize,
}

/// Meter readings, in the file's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meter {
	/// The file they came from.
	pub file: String,
	/// The readings.
	pub readings: Vec<Reading>,
}

fn error(file: &str, line: Option<usize>, message: impl Into<String>) -> InputError {
	InputError { file: file.into(), line, message: message.into() }
}

/// A non-negative decimal `text` as an integer of `10^-scale` units: `("1.5", 3)` is 1,500.
/// More decimals than `scale` are refused unless `round_down`, which drops them.
fn decimal(text: &str, scale: u32, round_down: bool) -> Result<u128, String> {
	let text = text.trim();
	let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
	let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
	if !digits(whole) || !(fraction.is_empty() || digits(fraction)) || text.ends_with('.') {
		return Err(format!("`{text}` is not a non-negative decimal number"));
	}
	let kept = if fraction.len() > scale as usize {
		if !round_down && fraction[scale as usize..].bytes().any(|b| b != b'0') {
			return Err(format!("`{text}` has more than {scale} decimals"));
		}
		&fraction[..scale as usize]
	} else {
		fraction
	};
	let too_big = || format!("`{text}` is too large");
	let mut value: u128 = whole.parse().map_err(|_| too_big())?;
	for _ in 0..scale {
		value = value.checked_mul(10).ok_or_else(too_big)?;
	}
	let mut part: u128 = if kept.is_empty() { 0 } else { kept.parse().map_err(|_| too_big())? };
	for _ in kept.len()..scale as usize {
		part *= 10;
	}
	value.checked_add(part).ok_or_else(too_big)
}

/// Hashes per second in one `unit` (case-insensitive: `Gh/s` is `GH/s`).
fn unit_hashes(unit: &str) -> Result<u128, String> {
	Ok(match unit.trim().to_ascii_lowercase().as_str() {
		"h/s" => 1,
		"kh/s" => 1_000,
		"mh/s" => 1_000_000,
		"gh/s" => 1_000_000_000,
		"th/s" => 1_000_000_000_000,
		"ph/s" => 1_000_000_000_000_000,
		"eh/s" => 1_000_000_000_000_000_000,
		other => {
			return Err(format!(
				"unknown hashrate unit `{other}` (H/s, kH/s, MH/s, GH/s, TH/s, PH/s or EH/s)"
			))
		},
	})
}

/// `value` (decimal) in `unit` as milli-TH/s, rounded down.
fn milli_th(value: &str, unit: &str) -> Result<u128, String> {
	let per_unit = unit_hashes(unit)?;
	// Nine decimals keep every unit down to 1 H/s exact before the division.
	let nano_units = decimal(value, 9, true)?;
	nano_units
		.checked_mul(per_unit)
		.map(|nano_hashes| nano_hashes / HASHES_PER_MILLI_TH / 1_000_000_000)
		.ok_or_else(|| format!("hashrate `{value} {unit}` is too large"))
}

/// Decimal BTC as sats: written with a decimal point (an amount without one is the classic
/// unit mistake, sats where BTC belong; only zero may go without), at most 8 decimals, at most
/// all bitcoin ever.
fn btc_sats(value: &str) -> Result<u128, String> {
	let value = value.trim();
	let whole_number = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
	if whole_number && value.bytes().any(|b| b != b'0') {
		return Err(format!(
			"`{value}` has no decimal point: amounts are decimal BTC as pools print them \
			 (sats given as BTC? {value} sats is {} BTC)",
			value.parse::<u128>().map_or("?".into(), |sats| format!(
				"{}.{:08}",
				sats / SATS_PER_BTC,
				sats % SATS_PER_BTC
			))
		));
	}
	let sats = decimal(value, 8, false).map_err(|e| {
		format!("{e} (amounts are BTC with at most 8 decimals: sats given as BTC?)")
	})?;
	if sats > MAX_SATS {
		return Err(format!("`{value}` BTC is more than all bitcoin (sats given as BTC?)"));
	}
	Ok(sats)
}

/// The data lines of a CSV file: (1-based line, fields), skipping blanks and `#` comments,
/// the header checked against `columns`.
fn csv_rows<'a>(
	file: &str,
	text: &'a str,
	columns: &[&str],
) -> Result<Vec<(usize, Vec<&'a str>)>, InputError> {
	let mut lines = text
		.lines()
		.enumerate()
		.map(|(i, l)| (i + 1, l.trim()))
		.filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
	let (header_line, header) = lines.next().ok_or_else(|| error(file, None, "empty file"))?;
	let names: Vec<&str> = header.split(',').map(str::trim).collect();
	if names != columns {
		return Err(error(
			file,
			Some(header_line),
			format!("header `{header}`: expected `{}`", columns.join(",")),
		));
	}
	let mut rows = Vec::new();
	for (line, text) in lines {
		let fields: Vec<&str> = text.split(',').map(str::trim).collect();
		if fields.len() != columns.len() {
			return Err(error(
				file,
				Some(line),
				format!(
					"{} fields, expected {} ({})",
					fields.len(),
					columns.len(),
					columns.join(",")
				),
			));
		}
		rows.push((line, fields));
	}
	Ok(rows)
}

fn unix_seconds(text: &str) -> Result<u64, String> {
	text.trim().parse().map_err(|_| format!("`{text}` is not unix seconds"))
}

impl Statement {
	/// Reads a statement, CSV or JSON by its first character (`{` is JSON).
	pub fn parse(file: &str, text: &str) -> Result<Self, InputError> {
		if text.trim_start().starts_with('{') {
			Self::parse_json(file, text)
		} else {
			Self::parse_csv(file, text)
		}
	}

	/// Reads the CSV layout (module docs).
	pub fn parse_csv(file: &str, text: &str) -> Result<Self, InputError> {
		let rows =
			csv_rows(file, text, &["start", "hash_rate", "hash_rate_unit", "reward", "fee"])?;
		let mut intervals = Vec::with_capacity(rows.len());
		for (line, f) in rows {
			let at = |e: String| error(file, Some(line), e);
			intervals.push(Interval {
				start: unix_seconds(f[0]).map_err(at)?,
				hashrate: milli_th(f[1], f[2]).map_err(at)?,
				reward: btc_sats(f[3]).map_err(|e| at(format!("reward: {e}")))?,
				fee: btc_sats(f[4]).map_err(|e| at(format!("fee: {e}")))?,
				line,
			});
		}
		Ok(Self { file: file.into(), intervals })
	}

	/// Reads the JSON layout (module docs); an interval's "line" is its index + 1.
	pub fn parse_json(file: &str, text: &str) -> Result<Self, InputError> {
		#[derive(Deserialize)]
		#[serde(deny_unknown_fields)]
		struct Doc {
			hash_rate_unit: String,
			intervals: Vec<Row>,
		}
		#[derive(Deserialize)]
		#[serde(deny_unknown_fields)]
		struct Row {
			start: u64,
			hash_rate: String,
			reward: String,
			fee: String,
		}
		let doc: Doc = serde_json::from_str(text)
			.map_err(|e| error(file, Some(e.line()), format!("not a statement: {e}")))?;
		let mut intervals = Vec::with_capacity(doc.intervals.len());
		for (index, row) in doc.intervals.iter().enumerate() {
			let at = |e: String| error(file, None, format!("interval {}: {e}", index + 1));
			intervals.push(Interval {
				start: row.start,
				hashrate: milli_th(&row.hash_rate, &doc.hash_rate_unit).map_err(at)?,
				reward: btc_sats(&row.reward).map_err(|e| at(format!("reward: {e}")))?,
				fee: btc_sats(&row.fee).map_err(|e| at(format!("fee: {e}")))?,
				line: index + 1,
			});
		}
		Ok(Self { file: file.into(), intervals })
	}
}

impl Meter {
	/// Reads the CSV layout (module docs).
	pub fn parse(file: &str, text: &str) -> Result<Self, InputError> {
		let mut readings = Vec::new();
		for (line, f) in csv_rows(file, text, &["time", "kwh"])? {
			let at = |e: String| error(file, Some(line), e);
			let milli_kwh = decimal(f[1], 3, false).map_err(at)?;
			if milli_kwh > MAX_REGISTER_MILLI_KWH {
				return Err(at(format!("register `{}` kWh is beyond any meter", f[1])));
			}
			readings.push(Reading { time: unix_seconds(f[0]).map_err(at)?, milli_kwh, line });
		}
		Ok(Self { file: file.into(), readings })
	}

	/// The register at `time`, milli-kWh, interpolated between the readings around it.
	fn register_at(&self, time: u64) -> Option<u128> {
		let after = self.readings.iter().position(|r| r.time >= time)?;
		let b = &self.readings[after];
		if b.time == time {
			return Some(b.milli_kwh);
		}
		let a = self.readings.get(after.checked_sub(1)?)?;
		let span = u128::from(b.time - a.time);
		let rise = b.milli_kwh - a.milli_kwh;
		// Rounded to nearest milli-kWh.
		Some(a.milli_kwh + (rise * u128::from(time - a.time) + span / 2) / span)
	}
}

/// What `statement` and `meter` say of the period `[start, end)`.
pub fn compute(
	statement: &Statement,
	meter: &Meter,
	start: u64,
	end: u64,
) -> Result<ComputedOutput, InputError> {
	let sfile = statement.file.as_str();
	if end <= start {
		return Err(error(sfile, None, format!("empty period [{start}, {end})")));
	}
	let Some(first) = statement.intervals.first() else {
		return Err(error(sfile, None, "no intervals"));
	};
	if first.start != start {
		return Err(error(
			sfile,
			Some(first.line),
			format!(
				"the statement starts at {}, the period at {start} (another period?)",
				first.start
			),
		));
	}
	let (mut hash_seconds, mut up_seconds, mut rewards, mut fees) = (0u128, 0u128, 0u128, 0u128);
	for (i, interval) in statement.intervals.iter().enumerate() {
		let until = statement.intervals.get(i + 1).map_or(end, |next| next.start);
		if interval.start >= end {
			return Err(error(
				sfile,
				Some(interval.line),
				format!(
					"starts at {}, after the period's end {end} (another period?)",
					interval.start
				),
			));
		}
		if until <= interval.start {
			return Err(error(
				sfile,
				Some(statement.intervals[i + 1].line),
				format!("starts at {until}, not after the interval before ({})", interval.start),
			));
		}
		let seconds = u128::from(until - interval.start);
		let overflow = || error(sfile, Some(interval.line), "hashrate too large");
		hash_seconds = interval
			.hashrate
			.checked_mul(seconds)
			.and_then(|h| hash_seconds.checked_add(h))
			.ok_or_else(overflow)?;
		if interval.hashrate > 0 {
			up_seconds += seconds;
		}
		rewards += interval.reward;
		fees += interval.fee;
	}
	let period = u128::from(end - start);
	let sats = u64::try_from(rewards)
		.ok()
		.filter(|s| u128::from(*s) <= MAX_SATS)
		.ok_or_else(|| error(sfile, None, "rewards add up to more than all bitcoin"))?;
	let gross = rewards + fees;
	let pool_fee = (fees * 1_000 + gross / 2).checked_div(gross).unwrap_or(0);

	let mfile = meter.file.as_str();
	for pair in meter.readings.windows(2) {
		if pair[1].time <= pair[0].time {
			return Err(error(mfile, Some(pair[1].line), "readings out of time order"));
		}
		if pair[1].milli_kwh < pair[0].milli_kwh {
			return Err(error(mfile, Some(pair[1].line), "the register went backwards"));
		}
	}
	let (Some(at_start), Some(at_end)) = (meter.register_at(start), meter.register_at(end)) else {
		return Err(error(
			mfile,
			None,
			format!("needs readings at or before {start} and at or after {end} (the period)"),
		));
	};
	let energy = u64::try_from((at_end - at_start + 500) / 1_000)
		.map_err(|_| error(mfile, None, "energy too large"))?;

	Ok(ComputedOutput {
		hashrate: hash_seconds / period,
		sats,
		energy,
		// A fleet that hashed at all was up at least 1 per-mill (the chain refuses zero).
		uptime: u16::try_from((up_seconds * 1_000 / period).max(u128::from(up_seconds > 0)))
			.unwrap_or(1_000),
		pool_fee: u16::try_from(pool_fee).unwrap_or(1_000),
	})
}

#[cfg(test)]
mod tests {
	use super::*;

	const START: u64 = 1_764_547_200;
	const END: u64 = START + 86_400;

	fn day_csv() -> String {
		// 24 hourly intervals of 118.25 PH/s; one hour down.
		let mut s = String::from(
			"# Braiins-style hourly export\nstart,hash_rate,hash_rate_unit,reward,fee\n",
		);
		for h in 0..24u64 {
			let rate = if h == 5 { "0" } else { "118.25" };
			s += &format!("{},{rate},Ph/s,0.00500000,0.00010000\n", START + h * 3_600);
		}
		s
	}

	fn meter() -> Meter {
		Meter::parse(
			"meter.csv",
			&format!("time,kwh\n{},1000.000\n{},91000.500\n", START - 900, END + 900),
		)
		.unwrap()
	}

	mod compute {
		use super::*;

		#[test]
		fn works() {
			let statement = Statement::parse("s.csv", &day_csv()).unwrap();
			let out = compute(&statement, &meter(), START, END).unwrap();
			// 23 of 24 hours at 118.25 PH/s = 118,250,000 milli-TH/s.
			assert_eq!(out.hashrate, 118_250_000 * 23 / 24);
			assert_eq!(out.sats, 24 * 500_000);
			assert_eq!(out.uptime, 958);
			// 0.0001 / 0.0051 = 19.6 per-mill, to nearest.
			assert_eq!(out.pool_fee, 20);
			// 90,000.5 kWh over 88,200 s, 86,400 of them in the period: 88,163.7 kWh.
			assert_eq!(out.energy, 88_164);
		}

		#[test]
		fn json_equals_csv() {
			let mut rows = Vec::new();
			for h in 0..24u64 {
				let rate = if h == 5 { "0" } else { "118.25" };
				rows.push(format!(
					r#"{{"start":{},"hash_rate":"{rate}","reward":"0.005","fee":"0.0001"}}"#,
					START + h * 3_600
				));
			}
			let json = format!(r#"{{"hash_rate_unit":"PH/s","intervals":[{}]}}"#, rows.join(","));
			let from_json = Statement::parse("s.json", &json).unwrap();
			let from_csv = Statement::parse("s.csv", &day_csv()).unwrap();
			assert_eq!(
				compute(&from_json, &meter(), START, END).unwrap(),
				compute(&from_csv, &meter(), START, END).unwrap()
			);
		}

		#[test]
		fn fails_for_another_period() {
			let statement = Statement::parse("s.csv", &day_csv()).unwrap();
			let e = compute(&statement, &meter(), START + 86_400, END + 86_400).unwrap_err();
			assert_eq!(e.line, Some(3));
			assert!(e.to_string().starts_with("s.csv:3: the statement starts at"), "{e}");
			let e = compute(&statement, &meter(), START, START + 3_600).unwrap_err();
			assert_eq!(e.line, Some(4), "{e}");
		}

		#[test]
		fn fails_for_rows_out_of_order() {
			let text = format!(
				"start,hash_rate,hash_rate_unit,reward,fee\n{START},1,TH/s,0,0\n{START},1,TH/s,0,0\n"
			);
			let e = compute(&Statement::parse("s.csv", &text).unwrap(), &meter(), START, END)
				.unwrap_err();
			assert_eq!(e.line, Some(3), "{e}");
		}

		#[test]
		fn fails_for_meter_gaps_and_reversals() {
			let statement = Statement::parse("s.csv", &day_csv()).unwrap();
			let short =
				Meter::parse("m.csv", &format!("time,kwh\n{START},1\n{},2\n", END - 1)).unwrap();
			let e = compute(&statement, &short, START, END).unwrap_err();
			assert!(e.message.contains("at or after"), "{e}");
			let back = Meter::parse("m.csv", &format!("time,kwh\n{START},5\n{END},4\n")).unwrap();
			let e = compute(&statement, &back, START, END).unwrap_err();
			assert_eq!((e.line, e.message.as_str()), (Some(3), "the register went backwards"));
			let huge = format!("time,kwh\n{START},1\n{END},1000000000000000.001\n");
			let e = Meter::parse("m.csv", &huge).unwrap_err();
			assert_eq!(e.line, Some(3), "{e}");
			assert!(e.message.contains("beyond any meter"), "{e}");
		}

		#[test]
		fn a_fleet_up_for_a_moment_has_uptime_one_per_mill() {
			let csv = format!(
				"start,hash_rate,hash_rate_unit,reward,fee\n{START},0,PH/s,0,0\n{},100,PH/s,0.0001,0\n",
				END - 10
			);
			let statement = Statement::parse("s.csv", &csv).unwrap();
			let out = compute(&statement, &meter(), START, END).unwrap();
			assert_eq!(out.uptime, 1, "10 s of 86,400 round down to 0 per-mill");
		}
	}

	mod parse {
		use super::*;

		#[test]
		fn units_convert_exactly() {
			assert_eq!(milli_th("1", "TH/s"), Ok(1_000));
			assert_eq!(milli_th("1.5", "Gh/s"), Ok(1));
			assert_eq!(milli_th("0.999", "gh/s"), Ok(0));
			assert_eq!(milli_th("2.000000001", "EH/s"), Ok(2_000_000_001));
			assert_eq!(btc_sats("0.00000001"), Ok(1));
			assert_eq!(btc_sats("21000000.0"), Ok(MAX_SATS));
			assert_eq!(decimal("12.3400", 2, false), Ok(1_234));
		}

		#[test]
		fn fails_for_unit_mistakes() {
			let row = |r: &str| format!("start,hash_rate,hash_rate_unit,reward,fee\n{START},{r}\n");
			for (fields, needle) in [
				("118,PH,0.1,0", "unknown hashrate unit"),
				("118,PH/s,50000000.0,0", "more than all bitcoin"),
				("118,PH/s,812,0", "no decimal point"),
				("118,PH/s,0.1,24639", "24639 sats is 0.00024639 BTC"),
				("118,PH/s,0.123456789,0", "more than 8 decimals"),
				("118,PH/s,-1,0", "not a non-negative decimal"),
				("1e3,PH/s,0,0", "not a non-negative decimal"),
				("118,PH/s,0", "4 fields, expected 5"),
			] {
				let e = Statement::parse("s.csv", &row(fields)).unwrap_err();
				assert_eq!(e.line, Some(2), "{fields}: {e}");
				assert!(e.message.contains(needle), "{fields}: {e}");
			}
		}

		#[test]
		fn fails_for_a_wrong_header_or_json() {
			let e = Statement::parse("s.csv", "start,hashrate,unit,reward,fee\n").unwrap_err();
			assert_eq!(e.line, Some(1));
			let e = Statement::parse("s.json", "{\"hash_rate_unit\": \"TH/s\",\n \"rows\": []}")
				.unwrap_err();
			assert_eq!(e.line, Some(2), "{e}");
			let e = Statement::parse(
				"s.json",
				r#"{"hash_rate_unit":"TH/s","intervals":[{"start":1,"hash_rate":"x","reward":"0","fee":"0"}]}"#,
			)
			.unwrap_err();
			assert!(e.message.starts_with("interval 1:"), "{e}");
		}
	}
}
