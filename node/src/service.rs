//! The node service: client, database, networking, RPC, and either Aura + GRANDPA (real
//! networks) or manual/instant sealing (development chains).

use crate::{
	cli::Sealing,
	txpool::{PoolTaskSpawner, ReportingPool},
};
use futures::{channel::mpsc, stream::BoxStream, FutureExt, StreamExt};
use hashrate_runtime::{apis::RuntimeApi, opaque::Block};
use polkadot_sdk::{
	sc_client_api::{Backend, BlockBackend},
	sc_consensus, sc_consensus_aura, sc_consensus_grandpa,
	sc_consensus_manual_seal::{self as manual_seal, EngineCommand},
	sc_executor, sc_network, sc_offchain,
	sc_service::{self, error::Error as ServiceError, Configuration, TaskManager, WarpSyncConfig},
	sc_telemetry::{Telemetry, TelemetryWorker},
	sc_transaction_pool,
	sc_transaction_pool_api::{OffchainTransactionPoolFactory, TransactionPool},
	sp_consensus_aura::{
		self,
		sr25519::{AuthorityPair as AuraPair, AuthoritySignature as AuraSignature},
		Slot, SlotDuration,
	},
	sp_io, sp_runtime, sp_timestamp,
};
use std::{sync::Arc, time::Duration};

/// The client of this node's runtime, executing it as wasm.
pub type FullClient = sc_service::TFullClient<
	Block,
	RuntimeApi,
	sc_executor::WasmExecutor<sp_io::SubstrateHostFunctions>,
>;
type FullBackend = sc_service::TFullBackend<Block>;
type FullSelectChain = sc_consensus::LongestChain<FullBackend, Block>;
type BlockHash = <Block as sp_runtime::traits::Block>::Hash;
type GrandpaBlockImport =
	sc_consensus_grandpa::GrandpaBlockImport<FullBackend, Block, FullClient, FullSelectChain>;
type GrandpaLink = sc_consensus_grandpa::LinkHalf<Block, FullClient, FullSelectChain>;

/// GRANDPA justifications are produced at least every this many blocks.
const GRANDPA_JUSTIFICATION_PERIOD: u32 = 512;

/// The parts of the service that Aura + GRANDPA need; absent in manual/instant sealing.
pub struct GrandpaParts {
	block_import: GrandpaBlockImport,
	link: GrandpaLink,
}

/// The node's transaction pool: `sc-transaction-pool`, every accepted transaction watched.
pub type Pool = ReportingPool<sc_transaction_pool::TransactionPoolHandle<Block, FullClient>>;

/// The parts shared by running a node and the block/database subcommands.
pub type Service = sc_service::PartialComponents<
	FullClient,
	FullBackend,
	FullSelectChain,
	sc_consensus::DefaultImportQueue<Block>,
	Pool,
	(Option<GrandpaParts>, Option<Telemetry>),
>;

/// Builds the client, database, transaction pool and import queue for `sealing`.
pub fn new_partial(config: &Configuration, sealing: Sealing) -> Result<Service, ServiceError> {
	let telemetry = config
		.telemetry_endpoints
		.clone()
		.filter(|x| !x.is_empty())
		.map(|endpoints| -> Result<_, polkadot_sdk::sc_telemetry::Error> {
			let worker = TelemetryWorker::new(16)?;
			let telemetry = worker.handle().new_telemetry(endpoints);
			Ok((worker, telemetry))
		})
		.transpose()?;

	let executor = sc_service::new_wasm_executor::<sp_io::SubstrateHostFunctions>(&config.executor);
	let (client, backend, keystore_container, task_manager) =
		sc_service::new_full_parts::<Block, RuntimeApi, _>(
			config,
			telemetry.as_ref().map(|(_, telemetry)| telemetry.handle()),
			executor,
			Vec::new(),
		)?;
	let client = Arc::new(client);

	let telemetry = telemetry.map(|(worker, telemetry)| {
		task_manager.spawn_handle().spawn("telemetry", None, worker.run());
		telemetry
	});

	let select_chain = sc_consensus::LongestChain::new(backend.clone());

	let transaction_pool = Arc::new(ReportingPool::new(
		Arc::new(
			sc_transaction_pool::Builder::new(
				PoolTaskSpawner(task_manager.spawn_handle()),
				client.clone(),
				config.role.is_authority().into(),
			)
			.with_options(config.transaction_pool.clone())
			.with_prometheus(config.prometheus_registry())
			.build(),
		),
		task_manager.spawn_handle(),
	));

	let (import_queue, grandpa) = match sealing {
		Sealing::Aura => {
			let (block_import, link) = sc_consensus_grandpa::block_import(
				client.clone(),
				GRANDPA_JUSTIFICATION_PERIOD,
				&client,
				select_chain.clone(),
				telemetry.as_ref().map(|x| x.handle()),
			)?;
			let cidp_client = client.clone();
			let import_queue = sc_consensus_aura::import_queue::<AuraPair, _, _, _, _, _>(
				sc_consensus_aura::ImportQueueParams {
					block_import: block_import.clone(),
					justification_import: Some(Box::new(block_import.clone())),
					client: client.clone(),
					create_inherent_data_providers: move |parent_hash, _| {
						let cidp_client = cidp_client.clone();
						async move {
							let slot_duration = sc_consensus_aura::standalone::slot_duration_at(
								&*cidp_client,
								parent_hash,
							)?;
							let timestamp = sp_timestamp::InherentDataProvider::from_system_time();
							let slot = sp_consensus_aura::inherents::InherentDataProvider::from_timestamp_and_slot_duration(
								*timestamp,
								slot_duration,
							);
							Ok((slot, timestamp))
						}
					},
					spawner: &task_manager.spawn_essential_handle(),
					registry: config.prometheus_registry(),
					check_for_equivocation: Default::default(),
					telemetry: telemetry.as_ref().map(|x| x.handle()),
					compatibility_mode: Default::default(),
				},
			)?;
			(import_queue, Some(GrandpaParts { block_import, link }))
		},
		Sealing::Instant | Sealing::Manual => (
			manual_seal::import_queue(
				Box::new(client.clone()),
				&task_manager.spawn_essential_handle(),
				config.prometheus_registry(),
			),
			None,
		),
	};

	Ok(sc_service::PartialComponents {
		client,
		backend,
		task_manager,
		import_queue,
		keystore_container,
		select_chain,
		transaction_pool,
		other: (grandpa, telemetry),
	})
}

/// Inherent data for a block sealed on demand on top of `parent_hash`: the slot after the
/// parent's (or the current wall-clock slot, if later) and that slot's start as timestamp.
/// Aura's runtime checks require a strictly increasing slot, and the timestamp must agree
/// with it; deriving both from the parent keeps that true across restarts and bursts of
/// blocks faster than the slot length.
///
/// Only the timestamp is provided: the runtime has no Aura inherent, the Aura pre-digest comes
/// from the consensus data provider (which derives the slot from this timestamp), and manual
/// seal counts inherent data entries to tell an empty block, so an extra entry would make
/// every one-transaction block look empty and get dropped.
fn dev_inherent_data(
	client: &FullClient,
	parent_hash: BlockHash,
	slot_duration: SlotDuration,
) -> Result<sp_timestamp::InherentDataProvider, Box<dyn std::error::Error + Send + Sync>> {
	let parent = client
		.header(parent_hash)?
		.ok_or_else(|| format!("parent block {parent_hash:?} not found"))?;
	let parent_slot =
		sc_consensus_aura::standalone::find_pre_digest::<Block, AuraSignature>(&parent)
			.map_err(|e| format!("parent block {parent_hash:?} has no Aura slot: {e}"))?;
	let now_slot = Slot::from_timestamp(sp_timestamp::Timestamp::current(), slot_duration);
	let slot = now_slot.max(parent_slot + 1);
	let timestamp = slot
		.timestamp(slot_duration)
		.ok_or_else(|| format!("slot {slot:?} has no representable timestamp"))?;
	Ok(sp_timestamp::InherentDataProvider::new(timestamp))
}

/// Most blocks instant sealing seals for one pool notification.
const MAX_INSTANT_SEALS_PER_IMPORT: usize = 4;

/// The command stream of manual/instant sealing: RPC requests, plus (`instant`) blocks for
/// the transactions entering the pool, plus a block every `seal_every` (if set).
///
/// Instant sealing seals without empty blocks while the pool has ready transactions. When a
/// block comes out empty although the pool, brought up to the best block, still has ready
/// transactions, the block had no room for them (at a session change the session pallet
/// claims the whole block's weight): that block is sealed empty and the next one takes them.
fn dev_seal_commands(
	sealing: Sealing,
	seal_every: Option<Duration>,
	rpc_commands: mpsc::Receiver<EngineCommand<BlockHash>>,
	pool: &Arc<Pool>,
	client: &Arc<FullClient>,
	spawner: &sc_service::SpawnTaskHandle,
) -> BoxStream<'static, EngineCommand<BlockHash>> {
	let seal = |create_empty| EngineCommand::SealNewBlock {
		create_empty,
		finalize: true,
		parent_hash: None,
		sender: None,
	};
	let mut streams: Vec<BoxStream<'static, EngineCommand<BlockHash>>> = vec![rpc_commands.boxed()];
	if sealing == Sealing::Instant {
		let (commands, instant) = mpsc::channel(MAX_INSTANT_SEALS_PER_IMPORT);
		let (pool, client) = (pool.clone(), client.clone());
		spawner.spawn("instant-seal-trigger", Some("block-authoring"), async move {
			let mut imports = pool.import_notification_stream();
			let mut commands = commands;
			while imports.next().await.is_some() {
				for _ in 0..MAX_INSTANT_SEALS_PER_IMPORT {
					if pool.status().ready == 0 {
						break;
					}
					if seal_and_wait(&mut commands, false).await {
						continue;
					}
					// Nothing sealed: were the ready transactions already in the best block
					// (the pool not yet updated), or did the block have no room for them?
					let best = polkadot_sdk::sc_client_api::HeaderBackend::info(&*client).best_hash;
					if pool.ready_at(best).await.count() == 0
						|| !seal_and_wait(&mut commands, true).await
					{
						break;
					}
				}
			}
		});
		streams.push(instant.boxed());
	}
	if let Some(every) = seal_every {
		streams.push(
			futures::stream::unfold((), move |()| async move {
				tokio::time::sleep(every).await;
				Some((seal(true), ()))
			})
			.boxed(),
		);
	}
	futures::stream::select_all(streams).boxed()
}

/// Asks the sealing task for a block and waits for it: whether one was sealed.
async fn seal_and_wait(
	commands: &mut mpsc::Sender<EngineCommand<BlockHash>>,
	create_empty: bool,
) -> bool {
	let (sender, sealed) = futures::channel::oneshot::channel();
	let command = EngineCommand::SealNewBlock {
		create_empty,
		finalize: true,
		parent_hash: None,
		sender: Some(sender),
	};
	futures::SinkExt::send(commands, command).await.is_ok() && matches!(sealed.await, Ok(Ok(_)))
}

/// Builds and starts a full node.
pub fn new_full<N>(
	config: Configuration,
	sealing: Sealing,
	seal_every: Option<Duration>,
) -> Result<TaskManager, ServiceError>
where
	N: sc_network::NetworkBackend<Block, BlockHash>,
{
	let sc_service::PartialComponents {
		client,
		backend,
		mut task_manager,
		import_queue,
		keystore_container,
		select_chain,
		transaction_pool,
		other: (grandpa, mut telemetry),
	} = new_partial(&config, sealing)?;

	let mut net_config = sc_network::config::FullNetworkConfiguration::<Block, BlockHash, N>::new(
		&config.network,
		config.prometheus_registry().cloned(),
	);
	let metrics = N::register_notification_metrics(config.prometheus_registry());

	let genesis_hash = client
		.block_hash(0)?
		.ok_or_else(|| ServiceError::Other("the database has no genesis block".into()))?;
	let grandpa_protocol_name =
		sc_consensus_grandpa::protocol_standard_name(&genesis_hash, &config.chain_spec);
	let (grandpa_protocol_config, grandpa_notification_service) =
		sc_consensus_grandpa::grandpa_peers_set_config::<_, N>(
			grandpa_protocol_name.clone(),
			metrics.clone(),
			net_config.peer_store_handle(),
		);
	net_config.add_notification_protocol(grandpa_protocol_config);

	let warp_sync_config = grandpa.as_ref().map(|grandpa| {
		WarpSyncConfig::WithProvider(Arc::new(
			sc_consensus_grandpa::warp_proof::NetworkProvider::new(
				backend.clone(),
				grandpa.link.shared_authority_set().clone(),
				Vec::default(),
			),
		))
	});

	let (network, system_rpc_tx, tx_handler_controller, sync_service, _bitswap) =
		sc_service::build_network(sc_service::BuildNetworkParams {
			config: &config,
			net_config,
			client: client.clone(),
			// Transactions from peers: not watched (see `crate::txpool`).
			transaction_pool: Arc::new(transaction_pool.unwatched()),
			spawn_handle: task_manager.spawn_handle(),
			spawn_essential_handle: task_manager.spawn_essential_handle(),
			import_queue,
			block_announce_validator_builder: None,
			warp_sync_config,
			block_relay: None,
			metrics,
			gap_sync_body_policy: None,
		})?;

	if config.offchain_worker.enabled {
		let offchain_workers =
			sc_offchain::OffchainWorkers::new(sc_offchain::OffchainWorkerOptions {
				runtime_api_provider: client.clone(),
				is_validator: config.role.is_authority(),
				keystore: Some(keystore_container.keystore()),
				offchain_db: backend.offchain_storage(),
				transaction_pool: Some(OffchainTransactionPoolFactory::new(
					transaction_pool.clone(),
				)),
				network_provider: Arc::new(network.clone()),
				enable_http_requests: true,
				custom_extensions: |_| vec![],
			})?;
		task_manager.spawn_handle().spawn(
			"offchain-workers-runner",
			"offchain-worker",
			offchain_workers.run(client.clone(), task_manager.spawn_handle()).boxed(),
		);
	}

	let role = config.role;
	let force_authoring = config.force_authoring;
	let name = config.network.node_name.clone();
	let enable_grandpa = !config.disable_grandpa;
	let prometheus_registry = config.prometheus_registry().cloned();

	// Manual/instant sealing: RPC `engine_createBlock` feeds this channel.
	let (seal_command_sink, seal_rpc_commands) = mpsc::channel(64);
	let manual_seal_rpc = matches!(sealing, Sealing::Instant | Sealing::Manual);

	let rpc_extensions_builder = {
		let client = client.clone();
		let pool = transaction_pool.clone();
		Box::new(move |_| {
			let deps = crate::rpc::FullDeps {
				client: client.clone(),
				pool: pool.clone(),
				seal_commands: manual_seal_rpc.then(|| seal_command_sink.clone()),
			};
			crate::rpc::create_full(deps).map_err(Into::into)
		})
	};

	let _rpc_handlers = sc_service::spawn_tasks(sc_service::SpawnTasksParams {
		network: Arc::new(network.clone()),
		client: client.clone(),
		keystore: keystore_container.keystore(),
		task_manager: &mut task_manager,
		transaction_pool: transaction_pool.clone(),
		rpc_builder: rpc_extensions_builder,
		backend,
		system_rpc_tx,
		tx_handler_controller,
		sync_service: sync_service.clone(),
		config,
		telemetry: telemetry.as_mut(),
		tracing_execute_block: None,
	})?;

	let proposer_factory = polkadot_sdk::sc_basic_authorship::ProposerFactory::new(
		task_manager.spawn_handle(),
		client.clone(),
		transaction_pool.clone(),
		prometheus_registry.as_ref(),
		telemetry.as_ref().map(|x| x.handle()),
	);
	let slot_duration = sc_consensus_aura::slot_duration(&*client)?;

	let Some(GrandpaParts { block_import, link: grandpa_link }) = grandpa else {
		// Development sealing: blocks on demand, finalized as they are sealed.
		let commands_stream = dev_seal_commands(
			sealing,
			seal_every,
			seal_rpc_commands,
			&transaction_pool,
			&client,
			&task_manager.spawn_handle(),
		);
		let cidp_client = client.clone();
		let authorship = manual_seal::run_manual_seal(manual_seal::ManualSealParams {
			block_import: client.clone(),
			env: proposer_factory,
			client: client.clone(),
			pool: transaction_pool.clone(),
			commands_stream,
			select_chain,
			consensus_data_provider: Some(Box::new(
				manual_seal::consensus::aura::AuraConsensusDataProvider::new_with_slot_duration(
					slot_duration,
				),
			)),
			create_inherent_data_providers: move |parent_hash, ()| {
				let client = cidp_client.clone();
				async move { dev_inherent_data(&client, parent_hash, slot_duration) }
			},
		});
		task_manager.spawn_essential_handle().spawn_blocking(
			"manual-seal",
			Some("block-authoring"),
			authorship,
		);
		return Ok(task_manager);
	};

	if role.is_authority() {
		let aura = sc_consensus_aura::start_aura::<AuraPair, _, _, _, _, _, _, _, _, _, _>(
			sc_consensus_aura::StartAuraParams {
				slot_duration,
				client,
				select_chain,
				block_import,
				proposer_factory,
				create_inherent_data_providers: move |_, ()| async move {
					let timestamp = sp_timestamp::InherentDataProvider::from_system_time();
					let slot = sp_consensus_aura::inherents::InherentDataProvider::from_timestamp_and_slot_duration(
						*timestamp,
						slot_duration,
					);
					Ok((slot, timestamp))
				},
				force_authoring,
				backoff_authoring_blocks: Option::<()>::None,
				keystore: keystore_container.keystore(),
				sync_oracle: sync_service.clone(),
				justification_sync_link: sync_service.clone(),
				block_proposal_slot_portion: sc_consensus_aura::SlotProportion::new(2f32 / 3f32),
				max_block_proposal_slot_portion: None,
				telemetry: telemetry.as_ref().map(|x| x.handle()),
				compatibility_mode: Default::default(),
			},
		)?;
		// Block authoring is essential: if it fails, the node stops.
		task_manager.spawn_essential_handle().spawn_blocking("aura", Some("block-authoring"), aura);
	}

	if enable_grandpa {
		// A non-authority does not vote, so it needs no keystore.
		let keystore = if role.is_authority() { Some(keystore_container.keystore()) } else { None };
		let grandpa_config = sc_consensus_grandpa::GrandpaParams {
			config: sc_consensus_grandpa::Config {
				gossip_duration: Duration::from_millis(333),
				justification_generation_period: GRANDPA_JUSTIFICATION_PERIOD,
				name: Some(name),
				observer_enabled: false,
				keystore,
				local_role: role,
				telemetry: telemetry.as_ref().map(|x| x.handle()),
				protocol_name: grandpa_protocol_name,
			},
			link: grandpa_link,
			network,
			sync: Arc::new(sync_service),
			notification_service: grandpa_notification_service,
			voting_rule: sc_consensus_grandpa::VotingRulesBuilder::default().build(),
			prometheus_registry,
			shared_voter_state: sc_consensus_grandpa::SharedVoterState::empty(),
			telemetry: telemetry.as_ref().map(|x| x.handle()),
			offchain_tx_pool_factory: OffchainTransactionPoolFactory::new(transaction_pool),
		};
		// The voter is essential: if it fails, the node stops.
		task_manager.spawn_essential_handle().spawn_blocking(
			"grandpa-voter",
			None,
			sc_consensus_grandpa::run_grandpa_voter(grandpa_config)?,
		);
	}

	Ok(task_manager)
}
