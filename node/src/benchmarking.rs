//! The `benchmark` subcommand (built with `--features runtime-benchmarks`).
//!
//! `benchmark pallet` generates the weights of the runtime's pallets; `storage`, `machine`
//! and `block` measure the node's database and hardware.

use crate::{cli::Cli, cli::Sealing, service};
use frame_benchmarking_cli::BenchmarkCmd;
use hashrate_runtime::opaque::Block;
use polkadot_sdk::{
	sc_cli::{self, SubstrateCli},
	sc_service::PartialComponents,
	sp_runtime::traits::HashingFor,
};

/// Runs a benchmark subcommand.
pub fn run(cli: &Cli, cmd: &BenchmarkCmd) -> sc_cli::Result<()> {
	let runner = cli.create_runner(cmd)?;
	runner.sync_run(|config| match cmd {
		BenchmarkCmd::Pallet(cmd) => {
			cmd.run_with_spec::<HashingFor<Block>, ()>(Some(config.chain_spec))
		},
		BenchmarkCmd::Block(cmd) => {
			let PartialComponents { client, .. } = service::new_partial(&config, Sealing::Aura)?;
			cmd.run(client)
		},
		BenchmarkCmd::Storage(cmd) => {
			let PartialComponents { client, backend, .. } =
				service::new_partial(&config, Sealing::Aura)?;
			let db = backend.expose_db();
			let storage = backend.expose_storage();
			let shared_trie_cache = backend.expose_shared_trie_cache();
			cmd.run(config, client, db, storage, shared_trie_cache)
		},
		BenchmarkCmd::Machine(cmd) => {
			cmd.run(&config, frame_benchmarking_cli::SUBSTRATE_REFERENCE_HARDWARE.clone())
		},
		BenchmarkCmd::Overhead(_) | BenchmarkCmd::Extrinsic(_) => Err(
			"`benchmark overhead` and `benchmark extrinsic` are not wired up for this node yet; \
			 use `benchmark pallet`"
				.into(),
		),
	})
}
