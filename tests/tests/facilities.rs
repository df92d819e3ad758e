//! End-to-end: the facility registry on the real node. An operator registers a facility,
//! sudo approves it, the operator adds a reporter key, and a client reads it all back from
//! storage; a malformed registration fails with its named error and changes nothing.

use hashrate_e2e::{
	account, account_data, fund, id, submit, within, Client, Node, Sealing, TempDir, UNIT,
};
use subxt::{
	dynamic::{self, Value},
	events::DecodeAsEvent,
	ext::scale_decode::DecodeAsType,
};
use subxt_signer::sr25519::dev;

/// The runtime's deposit: 1,000 HASH + 0.1 HASH per TH/s of declared capacity.
fn deposit_for(ths: u128) -> u128 {
	1_000 * UNIT + ths * UNIT / 10
}

#[derive(Debug, PartialEq, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
enum Status {
	Pending,
	Active,
	Suspended,
	Retiring,
	Retired,
	Rejected,
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct SiteView {
	power_capacity: u64,
	hashrate_capacity: u128,
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct FleetView {
	hashrate: u128,
	efficiency: u32,
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct ProfileView {
	name: Vec<u8>,
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct FacilityView {
	operator: [u8; 32],
	status: Status,
	site: SiteView,
	fleet: FleetView,
	profile: ProfileView,
	reporters: Vec<[u8; 32]>,
	deposit: u128,
	obligations: u32,
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct Registered {
	facility: u32,
	operator: [u8; 32],
	deposit: u128,
}

impl DecodeAsEvent for Registered {
	fn is_event(pallet: &str, event: &str) -> bool {
		(pallet, event) == ("Facilities", "Registered")
	}
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct Approved {
	facility: u32,
}

impl DecodeAsEvent for Approved {
	fn is_event(pallet: &str, event: &str) -> bool {
		(pallet, event) == ("Facilities", "Approved")
	}
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct ReporterAdded {
	facility: u32,
	reporter: [u8; 32],
}

impl DecodeAsEvent for ReporterAdded {
	fn is_event(pallet: &str, event: &str) -> bool {
		(pallet, event) == ("Facilities", "ReporterAdded")
	}
}

fn bytes(text: &str) -> Value {
	Value::from_bytes(text.as_bytes())
}

fn newtype(value: u128) -> Value {
	Value::unnamed_composite([Value::u128(value)])
}

/// A hydro site in Iceland: 1,000 Antminer S21 (200 TH/s at 17.5 J/TH) = 200 PH/s, declared
/// 190 PH/s, drawing 3,325 kW of a 3,600 kW connection.
fn site() -> Value {
	Value::named_composite([
		(
			"location",
			Value::named_composite([
				("country", Value::from_bytes(b"IS")),
				("region", Value::unnamed_variant("Some", [bytes("1")])),
			]),
		),
		("power_capacity", newtype(3_600)),
		("hashrate_capacity", newtype(190_000_000)),
		(
			"fleet",
			Value::unnamed_composite([Value::named_composite([
				("model", bytes("Antminer S21")),
				("units", Value::u128(1_000)),
				("hashrate_per_unit", newtype(200_000)),
				("efficiency", newtype(17_500)),
			])]),
		),
	])
}

fn profile(hydro_per_mill: u128) -> Value {
	Value::named_composite([
		("name", bytes("Reykjanes Geo Hash")),
		(
			"energy_mix",
			Value::unnamed_composite([
				Value::named_composite([
					("source", Value::unnamed_variant("Geothermal", [])),
					("per_mill", Value::u128(hydro_per_mill)),
				]),
				Value::named_composite([
					("source", Value::unnamed_variant("Hydro", [])),
					("per_mill", Value::u128(400)),
				]),
			]),
		),
		(
			"pool",
			Value::named_composite([
				("pool", bytes("Braiins Pool")),
				("worker", bytes("reykjanes")),
			]),
		),
		(
			"documents",
			Value::named_composite([
				("hash", Value::from_bytes([0x5a; 32])),
				(
					"uri",
					bytes("ipfs://bafybeihkoviema7g3gxyt6la7vd5ho32ictqbilu3wnlo3rs7ewhnp7lly"),
				),
			]),
		),
	])
}

async fn read_facility(client: &Client, facility: u32) -> Option<FacilityView> {
	let at = within(client.at_current_block()).await.expect("finalized block");
	let address = dynamic::storage::<(u32,), FacilityView>("Facilities", "Facilities");
	within(at.storage().try_fetch(address, (facility,)))
		.await
		.expect("reading Facilities.Facilities")
		.map(|value| value.decode().expect("decoding a facility"))
}

async fn next_facility_id(client: &Client) -> u32 {
	let at = within(client.at_current_block()).await.expect("finalized block");
	let address = dynamic::storage::<(), u32>("Facilities", "NextFacilityId");
	within(at.storage().fetch(address, ()))
		.await
		.expect("reading NextFacilityId")
		.decode()
		.expect("u32")
}

#[tokio::test(flavor = "multi_thread")]
async fn register_approve_add_reporter_and_read_back() {
	let dir = TempDir::new("facilities");
	let node = Node::start(dir.path(), Sealing::Instant).await;
	let client = node.client().await;

	// The development preset's two demo facilities are there and active.
	for (facility, name) in [(0, "Nordic Hydro Hashing"), (1, "Permian Flare Gas Mining")] {
		let record = read_facility(&client, facility).await.expect("demo facility");
		assert_eq!(record.status, Status::Active);
		assert_eq!(String::from_utf8(record.profile.name).unwrap(), name);
	}
	assert_eq!(next_facility_id(&client).await, 2);

	let operator = account("facility-operator");
	let reporter = account("facility-reporter");
	fund(&client, &operator, 100_000 * UNIT).await;
	fund(&client, &reporter, 10 * UNIT).await;

	// A malformed registration (energy shares add up to 999) fails with its named error,
	// holds nothing and registers nothing.
	let bad = dynamic::transaction("Facilities", "register", (site(), profile(599)));
	let error = submit(&client, &bad, &operator).await.expect_err("a bad energy mix must fail");
	assert!(error.contains("EnergyMixNotWhole"), "unexpected error: {error}");
	assert_eq!(account_data(&client, id(&operator)).await.reserved, 0);
	assert_eq!(next_facility_id(&client).await, 2);

	// Register: pending, deposit held.
	let register = dynamic::transaction("Facilities", "register", (site(), profile(600)));
	let events = submit(&client, &register, &operator).await.expect("registration succeeds");
	let registered = events.find_first::<Registered>().expect("Registered").expect("decodes");
	assert_eq!(registered.facility, 2);
	assert_eq!(registered.operator, id(&operator));
	assert_eq!(registered.deposit, deposit_for(190_000));
	let record = read_facility(&client, 2).await.expect("registered facility");
	assert_eq!(record.status, Status::Pending);
	assert_eq!(account_data(&client, id(&operator)).await.reserved, deposit_for(190_000));

	// The operator cannot approve its own facility; sudo can.
	let approve = Value::unnamed_variant(
		"Facilities",
		[Value::named_variant("approve", [("facility", newtype(2))])],
	);
	let direct = dynamic::transaction("Facilities", "approve", (newtype(2),));
	let error = submit(&client, &direct, &operator).await.expect_err("approval needs governance");
	assert!(error.contains("Bad origin"), "unexpected error: {error}");
	let events = submit(&client, &dynamic::transaction("Sudo", "sudo", (approve,)), &dev::alice())
		.await
		.expect("sudo approval succeeds");
	let approved =
		events.find_first::<Approved>().expect("Approved (sudo dispatched it)").expect("decodes");
	assert_eq!(approved.facility, 2);

	// Add a reporter (hot) key: the operator offers, the key accepts.
	let add = dynamic::transaction(
		"Facilities",
		"add_reporter",
		(newtype(2), reporter.public_key().to_address::<()>()),
	);
	submit(&client, &add, &operator).await.expect("offering the key succeeds");
	let accept = dynamic::transaction("Facilities", "accept_reporter", (newtype(2),));
	let events = submit(&client, &accept, &reporter).await.expect("the key accepts");
	let added = events.find_first::<ReporterAdded>().expect("ReporterAdded").expect("decodes");
	assert_eq!((added.facility, added.reporter), (2, id(&reporter)));

	// Read it all back.
	let record = read_facility(&client, 2).await.expect("facility");
	assert_eq!(record.status, Status::Active);
	assert_eq!(record.operator, id(&operator));
	assert_eq!(record.reporters, vec![id(&reporter)]);
	assert_eq!(record.deposit, deposit_for(190_000));
	assert_eq!(record.obligations, 0);
	assert_eq!((record.site.hashrate_capacity, record.site.power_capacity), (190_000_000, 3_600));
	assert_eq!((record.fleet.hashrate, record.fleet.efficiency), (200_000_000, 17_500));
	let at = within(client.at_current_block()).await.unwrap();
	let reporter_of = dynamic::storage::<([u8; 32],), u32>("Facilities", "ReporterOf");
	let reports_for = within(at.storage().fetch(reporter_of, (id(&reporter),)))
		.await
		.expect("reporter index entry")
		.decode()
		.expect("u32");
	assert_eq!(reports_for, 2);
	let data = account_data(&client, id(&operator)).await;
	assert_eq!(data.reserved, deposit_for(190_000));
	assert!(data.free < 100_000 * UNIT - deposit_for(190_000), "fees were paid too");
}
