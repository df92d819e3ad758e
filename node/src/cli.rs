//! Command-line interface.

use polkadot_sdk::sc_cli;

/// How the node seals blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Sealing {
	/// Aura slots (6 s) and GRANDPA finality: what every real network runs.
	Aura,
	/// Development only: a block as soon as a transaction enters the pool, finalized at once.
	Instant,
	/// Development only: a block when the `engine_createBlock` RPC asks for one.
	Manual,
}

/// The node's command line: a subcommand, or the flags of running a node.
#[derive(Debug, clap::Parser)]
#[command(
	propagate_version = true,
	args_conflicts_with_subcommands = true,
	subcommand_negates_reqs = true
)]
pub struct Cli {
	/// A subcommand; without one the node runs.
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	/// Flags of a running node.
	#[clap(flatten)]
	pub run: sc_cli::RunCmd,

	/// How blocks are sealed. `instant` and `manual` are for development chains only: they
	/// need the chain's single validator key (`--dev`, or `--alice` on a one-validator
	/// chain) and skip GRANDPA, finalizing each sealed block at once.
	#[arg(long, value_enum, default_value_t = Sealing::Aura)]
	pub sealing: Sealing,

	/// With `--sealing instant` or `manual`: also seal a (possibly empty) block every this
	/// many milliseconds, so chain time advances without transactions.
	#[arg(long, value_name = "MILLISECONDS", value_parser = clap::value_parser!(u64).range(100..))]
	pub seal_every: Option<u64>,
}

/// The node's own defaults for flags `sc-cli` defines, applied to the command line before it
/// is parsed: `--help` shows them and each flag sets another value (the rate and batch limits
/// can be raised, not removed; levels are always shown). See `README.md` ("Node defaults") for
/// why each value.
pub mod defaults {
	/// `--pool-type`: the single-state pool keeps every transaction it accepted in one pool
	/// that is revalidated against the best block; it includes a burst submitted across a
	/// block import in full (the fork-aware pool of stable2609 loses transactions that arrive
	/// while it builds the view of a new block: their successors go to its future queue, which
	/// evicts them once full).
	pub const POOL_TYPE: &str = "single-state";
	/// `--pool-limit`: ready transactions held at most (the future queue holds a tenth).
	pub const POOL_LIMIT: &str = "16384";
	/// `--pool-kbytes`: size of the ready transactions held at most (the future queue holds a
	/// tenth).
	pub const POOL_KBYTES: &str = "40960";
	/// `--rpc-max-request-size`, megabytes: a runtime upgrade's `set_code` (the runtime is
	/// about 1 MB compressed, 2 MB as hex) fits with room to spare.
	pub const RPC_MAX_REQUEST_SIZE_MB: &str = "8";
	/// `--rpc-max-response-size`, megabytes.
	pub const RPC_MAX_RESPONSE_SIZE_MB: &str = "16";
	/// `--rpc-rate-limit`, calls per minute and connection: a connection may spend this many
	/// calls at once, then one call per 10 ms; past it calls wait, then fail (-32999).
	pub const RPC_RATE_LIMIT_PER_MINUTE: &str = "6000";
	/// `--rpc-max-batch-request-len`: calls in one batch request.
	pub const RPC_MAX_BATCH_LEN: &str = "64";

	/// Sets the defaults above on the node's command (`Cli`'s, flattened `RunCmd` flags) and
	/// shows the log level on every line (`--detailed-log-output`).
	pub fn apply(command: clap::Command) -> clap::Command {
		command
			.mut_arg("pool_type", |arg| arg.default_value(POOL_TYPE))
			.mut_arg("pool_limit", |arg| arg.default_value(POOL_LIMIT))
			.mut_arg("pool_kbytes", |arg| arg.default_value(POOL_KBYTES))
			.mut_arg("rpc_max_request_size", |arg| arg.default_value(RPC_MAX_REQUEST_SIZE_MB))
			.mut_arg("rpc_max_response_size", |arg| arg.default_value(RPC_MAX_RESPONSE_SIZE_MB))
			.mut_arg("rpc_rate_limit", |arg| arg.default_value(RPC_RATE_LIMIT_PER_MINUTE))
			.mut_arg("rpc_max_batch_request_len", |arg| arg.default_value(RPC_MAX_BATCH_LEN))
			.mut_arg("detailed_log_output", |arg| arg.default_value("true"))
	}
}

/// Subcommands besides running the node.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Build a chain specification (deprecated upstream in favour of `export-chain-spec`).
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Export the chain specification.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Database metadata: best and finalized blocks, genesis.
	ChainInfo(sc_cli::ChainInfoCmd),

	/// Runtime and storage benchmarks (built with `--features runtime-benchmarks`).
	#[cfg(feature = "runtime-benchmarks")]
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),
}
