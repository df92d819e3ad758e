//! `hashrate-agent`: the command-line tool facilities, attestors and feeders run (issue 20,
//! in progress: reading statements; the chain commands follow).

mod statement;

use clap::{Parser, Subcommand};
use std::{path::PathBuf, process::ExitCode};

#[derive(Parser)]
#[command(version, about)]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Reads a pool statement and meter readings and prints the period output they add up to
	/// (nothing is sent).
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

fn read(path: &PathBuf) -> Result<String, String> {
	std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn run(cli: Cli) -> Result<(), String> {
	match cli.command {
		Command::Compute { statement, meter, start, end } => {
			let s =
				statement::Statement::parse(&statement.display().to_string(), &read(&statement)?)
					.map_err(|e| e.to_string())?;
			let m = statement::Meter::parse(&meter.display().to_string(), &read(&meter)?)
				.map_err(|e| e.to_string())?;
			let out = statement::compute(&s, &m, start, end).map_err(|e| e.to_string())?;
			println!(
				"hashrate {} milli-TH/s, sats {}, energy {} kWh, uptime {} per-mill, pool fee {} per-mill",
				out.hashrate, out.sats, out.energy, out.uptime, out.pool_fee
			);
			Ok(())
		},
	}
}

fn main() -> ExitCode {
	match run(Cli::parse()) {
		Ok(()) => ExitCode::SUCCESS,
		Err(message) => {
			eprintln!("error: {message}");
			ExitCode::from(2)
		},
	}
}
