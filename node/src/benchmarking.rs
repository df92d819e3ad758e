//! The `benchmark` subcommand (built with `--features runtime-benchmarks`).
//!
//! `benchmark pallet` generates the weights of the runtime's pallets, `overhead` the base
//! weights of a block and an extrinsic, `storage` the database weights; `machine`, `block`
//! and `extrinsic` measure the hardware and what a block or extrinsic costs on it.

use crate::{cli::Cli, cli::Sealing, service};
use frame_benchmarking_cli::BenchmarkCmd;
use hashrate_runtime::opaque::Block;
use polkadot_sdk::{
	sc_cli::{self, SubstrateCli},
	sc_service::PartialComponents,
	sp_inherents::{InherentData, InherentDataProvider},
	sp_runtime::traits::HashingFor,
	sp_timestamp,
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
		// The per-block and per-extrinsic base weights (`runtime/src/weights/block_weights.rs`,
		// `extrinsic_weights.rs`): blocks of `System::remark` built on the chain spec's
		// genesis, signed with the runtime's own transaction extensions (read from its
		// metadata).
		BenchmarkCmd::Overhead(cmd) => {
			cmd.run_with_default_builder_and_spec::<Block, ()>(Some(config.chain_spec))
		},
		// One extrinsic's cost in a full block; `System::remark` is the one offered.
		BenchmarkCmd::Extrinsic(cmd) => {
			let PartialComponents { client, .. } = service::new_partial(&config, Sealing::Aura)?;
			let remark =
				frame_benchmarking_cli::DynamicRemarkBuilder::new_from_client(client.clone())?;
			let factory = frame_benchmarking_cli::ExtrinsicFactory(vec![Box::new(remark)]);
			cmd.run(client, timestamp_inherent()?, Vec::new(), &factory)
		},
	})
}

/// Inherent data of a benchmark block: the timestamp, now.
fn timestamp_inherent() -> sc_cli::Result<InherentData> {
	let mut data = InherentData::new();
	futures::executor::block_on(
		sp_timestamp::InherentDataProvider::from_system_time().provide_inherent_data(&mut data),
	)
	.map_err(|e| format!("timestamp inherent: {e}"))?;
	Ok(data)
}
