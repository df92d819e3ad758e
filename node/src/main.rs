//! `hashrate-node`: the Hashrate Chain node.

#![warn(missing_docs)]
// `sc_cli::Error` and `sc_service::Error`, the errors of every command and service builder,
// are large upstream types; boxing them here would only move the allocation.
#![allow(clippy::result_large_err)]

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;
mod txpool;

/// Runs the command line; an error is printed as a sentence (not debug-formatted) and exits
/// with status 1.
fn main() -> std::process::ExitCode {
	match command::run() {
		Ok(()) => std::process::ExitCode::SUCCESS,
		Err(error) => {
			eprintln!("Error: {error}");
			std::process::ExitCode::FAILURE
		},
	}
}
