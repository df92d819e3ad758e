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
