//! End-to-end: the validator key workflow on the real node. The node generates session keys
//! owned by an account (`author_rotateKeysWithOwner`), the account registers them
//! (`session.set_keys`), governance adds it (`validator_set.add_validator`); each refusal
//! on the way has its named error and changes nothing. (That an added validator then
//! authors is the network test's: `zombienet/network.zndsl`, test 5.)

use hashrate_e2e::{
	account, fund, id, rotate_keys_with_owner, set_keys, submit, within, Client, Node, Sealing,
	TempDir, UNIT,
};
use subxt::dynamic::{self, Value};
use subxt_signer::sr25519::{dev, Keypair};

fn sudo(call_name: &str, who: &Keypair) -> impl subxt::tx::Payload {
	let call = Value::unnamed_variant(
		"ValidatorSet",
		[Value::named_variant(call_name, [("who", Value::from_bytes(id(who)))])],
	);
	dynamic::transaction("Sudo", "sudo", (call,))
}

/// The governance-decided set (the validator-set pallet's storage).
async fn validators(client: &Client) -> Vec<[u8; 32]> {
	let at = within(client.at_current_block()).await.expect("finalized block");
	within(
		at.storage().fetch(dynamic::storage::<(), Vec<[u8; 32]>>("ValidatorSet", "Validators"), ()),
	)
	.await
	.expect("reading ValidatorSet.Validators")
	.decode()
	.expect("account list")
}

/// The name of the error a sudo'd call failed with (`Sudo.Sudid { sudo_result: Err(Module) }`,
/// named through the metadata), or `None` if it succeeded.
async fn sudid_error(
	client: &Client,
	events: &subxt::extrinsics::ExtrinsicEvents<hashrate_e2e::ChainConfig>,
) -> Option<String> {
	use subxt::ext::scale_value::{Composite, Primitive, ValueDef};
	let sudid = events
		.iter()
		.filter_map(|event| event.ok())
		.find(|event| event.pallet_name() == "Sudo" && event.event_name() == "Sudid")
		.expect("Sudo.Sudid");
	let fields = sudid.decode_fields_unchecked_as::<Value>().expect("Sudid fields");
	let ValueDef::Composite(Composite::Named(fields)) = fields.value else { panic!("fields") };
	let ValueDef::Variant(result) = &fields[0].1.value else { panic!("sudo_result") };
	if result.name == "Ok" {
		return None;
	}
	// Err(Module(ModuleError { index, error: [u8; 4] }))
	let error = result.values.values().next().expect("the dispatch error");
	let ValueDef::Variant(module) = &error.value else { panic!("dispatch error") };
	assert_eq!(module.name, "Module", "not a pallet error: {error:?}");
	let number = |value: &Value| match value.value {
		ValueDef::Primitive(Primitive::U128(n)) => n as u8,
		_ => panic!("not a number: {value:?}"),
	};
	let module = module.values.values().next().expect("ModuleError");
	let ValueDef::Composite(Composite::Named(parts)) = &module.value else { panic!("ModuleError") };
	let index = number(&parts[0].1);
	let ValueDef::Composite(bytes) = &parts[1].1.value else { panic!("error bytes") };
	let variant = number(bytes.values().next().expect("error byte"));
	let metadata = within(client.at_current_block()).await.expect("block").metadata();
	let pallet = metadata.pallet_by_error_index(index).expect("pallet");
	Some(pallet.error_variant_by_index(variant).expect("error").name.clone())
}

#[tokio::test]
async fn a_validator_registers_keys_and_is_added_by_governance() {
	let dir = TempDir::new("validators");
	let node = Node::start(dir.path(), Sealing::Instant).await;
	let client = node.client().await;
	let candidate = account("validator");
	fund(&client, &candidate, 10 * UNIT).await;
	let alice = id(&dev::alice());
	assert_eq!(validators(&client).await, vec![alice]);

	// Without keys, governance cannot add the account.
	let events = submit(&client, &sudo("add_validator", &candidate), &dev::alice())
		.await
		.expect("sudo dispatches");
	assert_eq!(sudid_error(&client, &events).await.as_deref(), Some("NoSessionKeys"));
	assert_eq!(validators(&client).await, vec![alice]);

	// Keys proven for another owner are refused.
	let rpc = node.rpc_client().await.expect("RPC");
	let (keys, proof_for_other) =
		rotate_keys_with_owner(&rpc, id(&dev::bob())).await.expect("keys for Bob");
	let error = submit(&client, &set_keys(&keys, &proof_for_other), &candidate)
		.await
		.expect_err("a proof for another owner");
	assert!(error.contains("InvalidProof"), "unexpected: {error}");

	// The real workflow: keys owned by the candidate, registered by it, added by sudo.
	let (keys, proof) = rotate_keys_with_owner(&rpc, id(&candidate)).await.expect("keys");
	assert_eq!(keys.len(), 64, "Aura (32 bytes) and GRANDPA (32 bytes) public keys");
	submit(&client, &set_keys(&keys, &proof), &candidate).await.expect("set_keys succeeds");
	let direct =
		dynamic::transaction("ValidatorSet", "add_validator", (Value::from_bytes(id(&candidate)),));
	let error = submit(&client, &direct, &candidate).await.expect_err("needs governance");
	assert!(error.contains("BadOrigin") || error.contains("Bad origin"), "unexpected: {error}");
	let events = submit(&client, &sudo("add_validator", &candidate), &dev::alice())
		.await
		.expect("sudo dispatches");
	assert_eq!(sudid_error(&client, &events).await, None);
	assert!(events.iter().filter_map(|event| event.ok()).any(|event| event.pallet_name()
		== "ValidatorSet"
		&& event.event_name() == "ValidatorAdded"));
	assert_eq!(validators(&client).await, vec![alice, id(&candidate)]);

	// Adding it twice is a named error; removing below the minimum (2) too.
	let events = submit(&client, &sudo("add_validator", &candidate), &dev::alice()).await.unwrap();
	assert_eq!(sudid_error(&client, &events).await.as_deref(), Some("AlreadyValidator"));
	let events =
		submit(&client, &sudo("remove_validator", &dev::alice()), &dev::alice()).await.unwrap();
	assert_eq!(sudid_error(&client, &events).await.as_deref(), Some("TooFewValidators"));
	let events =
		submit(&client, &sudo("remove_validator", &dev::bob()), &dev::alice()).await.unwrap();
	assert_eq!(sudid_error(&client, &events).await.as_deref(), Some("NotValidator"));
	assert_eq!(validators(&client).await, vec![alice, id(&candidate)]);
}
