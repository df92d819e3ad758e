//! End-to-end: hashrate tokens on the real node (development preset: 30-second periods, the
//! backing is the last final period, 80 % of it tokenizable).
//!
//! Demo facility 0's last ended period is made final at 110 PH/s through the real oracle,
//! which gives it a backing of 88 PH/s. Its operator (Charlie) creates two series and opens
//! an offering for each; Bob and Ferdie subscribe, a subscription beyond the backing and one
//! by the facility's reporter key are refused; collateral is locked; once the close time has
//! passed the first offering closes and mints, its proceeds are withdrawn and Bob transfers
//! tokens to Alice and the view functions show positions and backing; the second misses its
//! soft cap and Ferdie is refunded in full.

use hashrate_e2e::{
	btc_balance, chain_now, id, lengthen_report_window, make_dev_period_final, newtype, submit,
	submit_once_past, view_function, within, Client, Node, Sealing, TempDir, DEV_PERIOD,
};
use std::time::{SystemTime, UNIX_EPOCH};
use subxt::{
	dynamic::{self, Value},
	events::DecodeAsEvent,
	ext::{codec::Decode, scale_decode::DecodeAsType},
};
use subxt_signer::sr25519::{dev, Keypair};

/// Price of one token (1 TH/s for the term), sats.
const PRICE: u128 = 1_000;

fn series_terms(first_period: u64, name: &str) -> Value {
	Value::named_composite([
		("name", Value::from_bytes(name.as_bytes())),
		("symbol", Value::from_bytes(b"NHH")),
		("decimals", Value::u128(0)),
		("hashrate_per_token", newtype(1_000)),
		("first_period", newtype(first_period.into())),
		("last_period", newtype((first_period + 9).into())),
		("cost_per_th_day", newtype(10)),
		("supply_cap", Value::u128(100_000)),
		("min_balance", Value::u128(1)),
	])
}

fn offering_terms(closes: u64, soft_cap: u128) -> Value {
	Value::named_composite([
		("price", Value::u128(PRICE)),
		("closes", Value::u128(closes.into())),
		("soft_cap", Value::u128(soft_cap)),
		("hard_cap", Value::u128(100_000)),
		("min_subscription", Value::u128(1)),
	])
}

fn series(id: u32) -> Value {
	newtype(id.into())
}

async fn btc(client: &Client, who: &Keypair) -> u128 {
	btc_balance(client, id(who)).await
}

async fn tokens(client: &Client, who: &Keypair, series: u32) -> u128 {
	let at = within(client.at_current_block()).await.expect("finalized block");
	let address = dynamic::storage::<([u8; 32], u32), u128>("HashrateTokens", "Holdings");
	within(at.storage().try_fetch(address, (id(who), series)))
		.await
		.expect("reading HashrateTokens.Holdings")
		.map_or(0, |value| value.decode().expect("u128"))
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct BackingView {
	average: u128,
	as_of: u32,
	short: bool,
}

async fn backing(client: &Client) -> Option<BackingView> {
	let at = within(client.at_current_block()).await.expect("finalized block");
	let address = dynamic::storage::<(u32,), BackingView>("HashrateTokens", "Backings");
	within(at.storage().try_fetch(address, (0u32,)))
		.await
		.expect("reading HashrateTokens.Backings")
		.map(|value| value.decode().expect("decoding a backing"))
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct OfferingSucceeded {
	series: u32,
	sold: u128,
	proceeds: u128,
}

impl DecodeAsEvent for OfferingSucceeded {
	fn is_event(pallet: &str, event: &str) -> bool {
		(pallet, event) == ("HashrateTokens", "OfferingSucceeded")
	}
}

/// One entry of the `positions` view function.
#[derive(Debug, PartialEq, Decode)]
#[codec(crate = subxt::ext::codec)]
struct Position {
	series: u32,
	facility: u32,
	balance: u128,
	hashrate: u128,
	matured: bool,
}

/// What the `backing` view function shows of a facility.
#[derive(Debug, Decode)]
#[codec(crate = subxt::ext::codec)]
struct FacilityBacking {
	backing: Option<(u128, u32)>,
	fresh: bool,
	tokenized: u128,
	limit: u128,
	collateral: u128,
}

async fn positions(client: &Client, who: &Keypair) -> Vec<Position> {
	let bytes = view_function(client, "HashrateTokens", "positions", (id(who),)).await;
	Vec::<Position>::decode(&mut &bytes[..]).expect("decoding positions")
}

async fn facility_backing(client: &Client) -> FacilityBacking {
	let bytes = view_function(client, "HashrateTokens", "backing", (0u32,)).await;
	FacilityBacking::decode(&mut &bytes[..]).expect("decoding a backing view")
}

#[tokio::test(flavor = "multi_thread")]
async fn offering_mint_withdraw_transfer_and_a_failed_offering_refunded() {
	let dir = TempDir::new("tokens");
	let node = Node::start(dir.path(), Sealing::Instant).await;
	let client = node.client().await;
	// The facility reports only its backing period: no silent period may default (and take
	// its backing away) before the offerings close.
	lengthen_report_window(&client).await;
	let (alice, bob, charlie, eve, ferdie) =
		(dev::alice(), dev::bob(), dev::charlie(), dev::eve(), dev::ferdie());

	// Without final periods the facility has no backing.
	assert!(backing(&client).await.is_none());
	let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
	let period = u32::try_from(now / DEV_PERIOD - 1).unwrap();
	make_dev_period_final(&client, period, 110_000).await;
	let taken = backing(&client).await.expect("the oracle's hook took the backing");
	assert_eq!((taken.average, taken.as_of, taken.short), (110_000_000, period, false));

	// Two series whose term starts after their offerings close. Chain time moves by at
	// least one 6 s slot per block, so leave room for the blocks before the close.
	let closes = chain_now(&client).await + 120;
	// The term starts a period after the close: an offering closed once its term started
	// fails, and the close is retried block by block after the close time.
	let first_period = closes.div_ceil(DEV_PERIOD) + 1;
	for name in ["Nordic Hydro A", "Nordic Hydro B"] {
		submit(
			&client,
			&dynamic::transaction(
				"HashrateTokens",
				"create_series",
				(newtype(0), series_terms(first_period, name)),
			),
			&charlie,
		)
		.await
		.expect("series created");
	}
	submit(
		&client,
		&dynamic::transaction(
			"HashrateTokens",
			"open_offering",
			(series(0), offering_terms(closes, 100)),
		),
		&charlie,
	)
	.await
	.expect("offering 0 opened");
	submit(
		&client,
		&dynamic::transaction(
			"HashrateTokens",
			"open_offering",
			(series(1), offering_terms(closes, 10_000)),
		),
		&charlie,
	)
	.await
	.expect("offering 1 opened");

	// Subscriptions pay into escrow; nothing is minted yet.
	let (bob_before, ferdie_before) = (btc(&client, &bob).await, btc(&client, &ferdie).await);
	let subscribe = |s: u32, units: u128| {
		dynamic::transaction("HashrateTokens", "subscribe", (series(s), Value::u128(units)))
	};
	submit(&client, &subscribe(0, 300), &bob).await.expect("Bob subscribes");
	submit(&client, &subscribe(0, 200), &ferdie).await.expect("Ferdie subscribes");
	submit(&client, &subscribe(1, 100), &ferdie).await.expect("Ferdie subscribes to series 1");
	assert_eq!(btc(&client, &bob).await, bob_before - 300 * PRICE);
	assert_eq!(btc(&client, &ferdie).await, ferdie_before - 300 * PRICE);
	assert_eq!(tokens(&client, &bob, 0).await, 0, "nothing is minted during the offering");

	// 110 PH/s x 80 % = 88,000 TH/s may be tokenized; 600 TH/s are reserved already.
	let error = submit(&client, &subscribe(0, 87_401), &bob).await.expect_err("beyond backing");
	assert!(error.contains("BackingExceeded"), "unexpected error: {error}");
	let error = submit(&client, &subscribe(0, 10), &eve).await.expect_err("the facility's key");
	assert!(error.contains("SubscriberIsFacility"), "unexpected error: {error}");
	assert_eq!(
		btc(&client, &bob).await,
		bob_before - 300 * PRICE,
		"a refused subscription pays nothing"
	);

	// Collateral for the sold hashrate; closing waits for the close time.
	let charlie_before = btc(&client, &charlie).await;
	submit(
		&client,
		&dynamic::transaction(
			"HashrateTokens",
			"add_collateral",
			(series(0), Value::u128(1_000_000)),
		),
		&charlie,
	)
	.await
	.expect("collateral locked");
	let close = |s: u32| dynamic::transaction("HashrateTokens", "close_offering", (series(s),));
	let (events, attempts) =
		submit_once_past(&client, &close(0), &alice, "OfferingStillOpen", 40).await;
	assert!(attempts > 1, "the first close fell before the close time");
	let succeeded =
		events.find_first::<OfferingSucceeded>().expect("OfferingSucceeded").expect("decodes");
	assert_eq!((succeeded.series, succeeded.sold, succeeded.proceeds), (0, 500, 500 * PRICE));
	assert_eq!(tokens(&client, &bob, 0).await, 300);
	assert_eq!(tokens(&client, &ferdie, 0).await, 200);

	// The operator withdraws the proceeds.
	submit(
		&client,
		&dynamic::transaction("HashrateTokens", "withdraw_proceeds", (series(0),)),
		&charlie,
	)
	.await
	.expect("withdrawn");
	assert_eq!(btc(&client, &charlie).await, charlie_before - 1_000_000 + 500 * PRICE);

	// Bob transfers to Alice.
	submit(
		&client,
		&dynamic::transaction(
			"HashrateTokens",
			"transfer",
			(series(0), Value::from_bytes(id(&alice)), Value::u128(120)),
		),
		&bob,
	)
	.await
	.expect("transfer");
	assert_eq!(tokens(&client, &bob, 0).await, 180);
	assert_eq!(tokens(&client, &alice, 0).await, 120);

	// What holders see: their positions and what backs the facility's tokens.
	assert_eq!(
		positions(&client, &bob).await,
		vec![Position { series: 0, facility: 0, balance: 180, hashrate: 180_000, matured: false }]
	);
	let view = facility_backing(&client).await;
	assert_eq!(view.backing, Some((110_000_000, period)));
	assert!(view.fresh);
	// Series 0's 500 TH/s; offering 1 closed with it (below) and reserves nothing.
	assert_eq!((view.tokenized, view.limit), (500_000, 88_000_000));
	assert_eq!(view.collateral, 1_000_000);

	// The second offering missed its soft cap: the chain failed it by itself in the block
	// that passed its close time (the same as offering 0's), so the fallback call finds it
	// closed; nothing minted, Ferdie refunded in full.
	let error = submit(&client, &close(1), &alice).await.expect_err("closed by the chain");
	assert!(error.contains("OfferingNotOpen"), "unexpected error: {error}");
	assert_eq!(tokens(&client, &ferdie, 1).await, 0);
	submit(
		&client,
		&dynamic::transaction(
			"HashrateTokens",
			"refund",
			(series(1), Value::from_bytes(id(&ferdie))),
		),
		&alice,
	)
	.await
	.expect("refund");
	assert_eq!(btc(&client, &ferdie).await, ferdie_before - 200 * PRICE);
}
