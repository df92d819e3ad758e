//! Dispatches the command line to the node or a subcommand.

use crate::{
	chain_spec,
	cli::{Cli, Sealing, Subcommand},
	service,
};
use hashrate_runtime::opaque::Block;
use polkadot_sdk::{
	sc_cli::{self, SubstrateCli},
	sc_network,
	sc_service::{self, PartialComponents},
	sp_core,
	sp_runtime::traits::Block as BlockT,
};
use std::time::Duration;

impl SubstrateCli for Cli {
	fn impl_name() -> String {
		"Hashrate Chain Node".into()
	}

	fn impl_version() -> String {
		env!("SUBSTRATE_CLI_IMPL_VERSION").into()
	}

	fn description() -> String {
		env!("CARGO_PKG_DESCRIPTION").into()
	}

	fn author() -> String {
		env!("CARGO_PKG_AUTHORS").into()
	}

	fn support_url() -> String {
		"the project's issue tracker".into()
	}

	fn copyright_start_year() -> i32 {
		2026
	}

	fn load_spec(&self, id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
		Ok(match id {
			"dev" => Box::new(chain_spec::development_chain_spec()?),
			"" | "local" => Box::new(chain_spec::local_chain_spec()?),
			path => Box::new(
				chain_spec::ChainSpec::from_json_file(std::path::PathBuf::from(path))
					.map_err(|e| format!("cannot load chain spec `{path}`: {e}"))?,
			),
		})
	}
}

/// The command line with the node's defaults ([`crate::cli::defaults`]); exits with clap's
/// message on a bad flag.
fn parse_command_line() -> Cli {
	let command = Cli::setup_command(<Cli as clap::CommandFactory>::command());
	let matches = crate::cli::defaults::apply(command).get_matches();
	<Cli as clap::FromArgMatches>::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// Parses the command line and runs what it asks for.
pub fn run() -> sc_cli::Result<()> {
	// Addresses in this chain's format, for every subcommand (`key inspect` prints them)
	// and every RPC that parses an account.
	sp_core::crypto::set_default_ss58_version(sp_core::crypto::Ss58AddressFormat::custom(
		hashrate_runtime::SS58_PREFIX,
	));
	let cli = parse_command_line();
	if cli.sealing != Sealing::Aura
		&& matches!(cli.run.pool_config.pool_type, sc_cli::TransactionPoolType::ForkAware)
	{
		// Sealing on demand builds on the block the pool last saw; the fork-aware pool
		// may not have its view of that block ready when its import notification fires,
		// and the block comes out empty.
		return Err(sc_cli::Error::Input(format!(
			"--sealing {:?} needs --pool-type single-state (the default)",
			cli.sealing
		)));
	}

	match &cli.subcommand {
		Some(Subcommand::Key(cmd)) => cmd.run(&cli),
		#[allow(deprecated)]
		Some(Subcommand::BuildSpec(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.chain_spec, config.network))
		},
		Some(Subcommand::ExportChainSpec(cmd)) => {
			let chain_spec = cli.load_spec(&cmd.chain)?;
			cmd.run(chain_spec)
		},
		Some(Subcommand::CheckBlock(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, import_queue, .. } =
					service::new_partial(&config, Sealing::Aura)?;
				Ok((cmd.run(client, import_queue), task_manager))
			})
		},
		Some(Subcommand::ExportBlocks(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, .. } =
					service::new_partial(&config, Sealing::Aura)?;
				Ok((cmd.run(client, config.database), task_manager))
			})
		},
		Some(Subcommand::ExportState(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, .. } =
					service::new_partial(&config, Sealing::Aura)?;
				Ok((cmd.run(client, config.chain_spec), task_manager))
			})
		},
		Some(Subcommand::ImportBlocks(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, import_queue, .. } =
					service::new_partial(&config, Sealing::Aura)?;
				Ok((cmd.run(client, import_queue), task_manager))
			})
		},
		Some(Subcommand::PurgeChain(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.database))
		},
		Some(Subcommand::Revert(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, backend, .. } =
					service::new_partial(&config, Sealing::Aura)?;
				let aux_revert = Box::new(|client, _, blocks| {
					polkadot_sdk::sc_consensus_grandpa::revert(client, blocks)?;
					Ok(())
				});
				Ok((cmd.run(client, backend, Some(aux_revert)), task_manager))
			})
		},
		Some(Subcommand::ChainInfo(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run::<Block>(&config))
		},
		#[cfg(feature = "runtime-benchmarks")]
		Some(Subcommand::Benchmark(cmd)) => crate::benchmarking::run(&cli, cmd),
		None => {
			let sealing = cli.sealing;
			let seal_every = cli.seal_every.map(Duration::from_millis);
			if sealing == Sealing::Aura && seal_every.is_some() {
				return Err("--seal-every needs --sealing instant or --sealing manual".into());
			}
			let runner = cli.create_runner(&cli.run)?;
			runner.run_node_until_exit(|config| async move {
				check_base_path(&config).map_err(sc_cli::Error::Input)?;
				if sealing != Sealing::Aura
					&& !config.chain_spec.chain_type().eq(&sc_service::ChainType::Development)
				{
					return Err(sc_cli::Error::Input(format!(
						"--sealing {sealing:?} is for development chains only; chain `{}` is {:?}",
						config.chain_spec.id(),
						config.chain_spec.chain_type(),
					)));
				}
				match config.network.network_backend {
					sc_network::config::NetworkBackendType::Libp2p => service::new_full::<
						sc_network::NetworkWorker<Block, <Block as BlockT>::Hash>,
					>(
						config, sealing, seal_every
					)
					.map_err(sc_cli::Error::Service),
					sc_network::config::NetworkBackendType::Litep2p => {
						service::new_full::<sc_network::Litep2pNetworkBackend>(
							config, sealing, seal_every,
						)
						.map_err(sc_cli::Error::Service)
					},
				}
			})
		},
	}
}

/// Refuses, naming it, a base path the node cannot use: one it cannot create or write to, or
/// whose database another process holds open (ParityDB locks its `lock` file; a second node
/// on the same base path would otherwise stop with the database's bare "file is in use").
fn check_base_path(config: &sc_service::Configuration) -> Result<(), String> {
	let base = config.base_path.path();
	let unusable =
		|error: std::io::Error| format!("cannot use base path {}: {error}", base.display());
	std::fs::create_dir_all(base).map_err(unusable)?;
	let probe = base.join(format!(".write-test-{}", std::process::id()));
	std::fs::write(&probe, b"").and_then(|()| std::fs::remove_file(&probe)).map_err(unusable)?;
	let Some(lock) = config.database.path().map(|path| path.join("lock")) else { return Ok(()) };
	let Ok(file) = std::fs::OpenOptions::new().read(true).write(true).open(&lock) else {
		// No database yet (or no lock file): nobody holds it.
		return Ok(());
	};
	match file.try_lock() {
		Ok(()) => Ok(()),
		Err(std::fs::TryLockError::WouldBlock) => Err(format!(
			"base path {} is in use by another process (its database {} is locked): stop \
			 that node or choose another --base-path",
			base.display(),
			lock.display()
		)),
		Err(std::fs::TryLockError::Error(error)) => Err(format!(
			"cannot use base path {}: locking {}: {error}",
			base.display(),
			lock.display()
		)),
	}
}
