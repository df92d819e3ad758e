//! End-to-end: the proof-of-work oracle on the real node (development preset: 30-second
//! periods, feeders Alice and Bob, attestors Alice//stash, Bob//stash, Charlie//stash).
//! Feeders submit network data for the last ended period, the demo facility's reporter key
//! (Eve) reports it — an over-claimed hashrate is refused first — the three attestors
//! attest, the output is finalized, and once the challenge window passed it is made final.

use hashrate_e2e::{
	account_data, dev_output as output, id, key, newtype, submit, submit_once_past, within, Client,
	Node, Sealing, TempDir, DEV_PERIOD, DIFFICULTY, REWARD, UNIT,
};
use std::time::{SystemTime, UNIX_EPOCH};
use subxt::{
	dynamic::{self, Value},
	events::DecodeAsEvent,
	ext::scale_decode::DecodeAsType,
};
use subxt_signer::sr25519::dev;

const PERIOD: u64 = DEV_PERIOD;
/// The runtime's attestation fee.
const FEE: u128 = 5 * UNIT;

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct OutputView {
	hashrate: u128,
	sats: u64,
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct Finalized {
	facility: u32,
	period: u32,
	output: OutputView,
	challenge_ends: u64,
}

impl DecodeAsEvent for Finalized {
	fn is_event(pallet: &str, event: &str) -> bool {
		(pallet, event) == ("PowOracle", "Finalized")
	}
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct MadeFinal {
	facility: u32,
	period: u32,
}

impl DecodeAsEvent for MadeFinal {
	fn is_event(pallet: &str, event: &str) -> bool {
		(pallet, event) == ("PowOracle", "MadeFinal")
	}
}

#[derive(Debug, PartialEq, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
enum StatusView {
	Finalized { challenge_ends: u64 },
	Disputed { resolve_by: u64 },
	Final,
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct RecordView {
	output: OutputView,
	status: StatusView,
}

async fn record(client: &Client, period: u32) -> Option<RecordView> {
	let at = within(client.at_current_block()).await.expect("finalized block");
	let address = dynamic::storage::<(u32, u32), RecordView>("PowOracle", "Outputs");
	within(at.storage().try_fetch(address, (0u32, period)))
		.await
		.expect("reading PowOracle.Outputs")
		.map(|value| value.decode().expect("decoding an output record"))
}

/// The pot account: `PalletId(*b"hr/oracl")` as an account.
fn pot() -> [u8; 32] {
	let mut account = [0u8; 32];
	account[..4].copy_from_slice(b"modl");
	account[4..12].copy_from_slice(b"hr/oracl");
	account
}

#[tokio::test(flavor = "multi_thread")]
async fn network_data_report_attestations_finalized_then_final() {
	let dir = TempDir::new("oracle");
	let node = Node::start(dir.path(), Sealing::Instant).await;
	let client = node.client().await;

	// The last period that has ended by the wall clock (blocks are stamped with it).
	let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
	let period = u32::try_from(now / PERIOD - 1).unwrap();

	// The three feeders submit network data, free of charge; the third fixes it.
	let data = Value::named_composite([
		("difficulty", newtype(DIFFICULTY)),
		("reward_per_block", newtype(REWARD)),
	]);
	let feed =
		dynamic::transaction("PowOracle", "feed_network_data", (Value::u128(period.into()), data));
	let bob_before = account_data(&client, id(&dev::bob())).await.free;
	submit(&client, &feed, &dev::alice()).await.expect("Alice feeds");
	submit(&client, &feed, &dev::bob()).await.expect("Bob feeds");
	assert_eq!(account_data(&client, id(&dev::bob())).await.free, bob_before, "feeds are free");
	let events = submit(&client, &feed, &dev::charlie()).await.expect("Charlie feeds");
	assert!(
		events.iter().filter_map(|event| event.ok()).any(|event| {
			event.pallet_name() == "PowOracle" && event.event_name() == "NetworkDataFixed"
		}),
		"the third feed fixes the period's network data"
	);

	// Eve, facility 0's reporter key: 130 PH/s is above 115 PH/s + 5 % and is refused.
	let eve = dev::eve();
	let report = |ths| {
		dynamic::transaction(
			"PowOracle",
			"report",
			(newtype(0), Value::u128(period.into()), output(ths)),
		)
	};
	let error = submit(&client, &report(130_000), &eve).await.expect_err("over-claim refused");
	assert!(error.contains("HashrateAboveCapacity"), "unexpected error: {error}");
	assert_eq!(account_data(&client, pot()).await.free, 0);
	submit(&client, &report(110_000), &eve).await.expect("report accepted");
	assert_eq!(account_data(&client, pot()).await.free, FEE, "the fee is in the pot");

	// The three attestors attest; the third completes the set and finalizes.
	let attestors = [key("//Alice//stash"), key("//Bob//stash"), key("//Charlie//stash")];
	let before = account_data(&client, id(&attestors[0])).await.free;
	let attest = dynamic::transaction(
		"PowOracle",
		"attest",
		(newtype(0), Value::u128(period.into()), output(110_000)),
	);
	submit(&client, &attest, &attestors[0]).await.expect("first attestation");
	submit(&client, &attest, &attestors[1]).await.expect("second attestation");
	assert!(record(&client, period).await.is_none(), "not finalized before the whole set attested");
	let events = submit(&client, &attest, &attestors[2]).await.expect("third attestation");
	let finalized = events.find_first::<Finalized>().expect("Finalized").expect("decodes");
	assert_eq!((finalized.facility, finalized.period), (0, period));
	assert_eq!(finalized.output.hashrate, 110_000_000);
	let record_now = record(&client, period).await.expect("finalized record");
	assert_eq!(
		record_now.status,
		StatusView::Finalized { challenge_ends: finalized.challenge_ends }
	);
	assert_eq!(record_now.output.sats, finalized.output.sats);
	// Attesting is free and pays a third of the fee.
	assert_eq!(account_data(&client, id(&attestors[0])).await.free, before + FEE / 3);
	assert_eq!(account_data(&client, pot()).await.free, 0);

	// Not final before the challenge window (12 s) passes; every block moves chain time by
	// at least one 6 s slot, so a few attempts get there.
	let make_final =
		dynamic::transaction("PowOracle", "make_final", (newtype(0), Value::u128(period.into())));
	let (events, attempts) =
		submit_once_past(&client, &make_final, &dev::alice(), "ChallengeWindowOpen", 10).await;
	assert!(attempts > 1, "the first attempt fell inside the challenge window");
	let made = events.find_first::<MadeFinal>().expect("MadeFinal").expect("decodes");
	assert_eq!((made.facility, made.period), (0, period));
	assert_eq!(record(&client, period).await.expect("record").status, StatusView::Final);
}
