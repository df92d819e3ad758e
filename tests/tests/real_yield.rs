//! End-to-end: real yield on the real node (development preset: 30-second periods, a minute
//! to pay, 2 % protocol fee).
//!
//! Demo facility 0 gets a backing through the real oracle; its operator (Charlie) issues a
//! series of 100 TH/s tokens, Bob buys 300 and Ferdie 200. Inside the series' first period
//! Bob sends Ferdie 100. The facility reports the period, the attestors attest, it becomes
//! final; Charlie deposits exactly what the period owes and both holders claim their
//! time-weighted shares — every amount checked to the satoshi against the formula, also
//! through the `hashrate_*` RPC. In the second test nobody cranks the chain (blocks come
//! every second, nobody calls a fallback): the chain closes the offering, defaults the
//! term's silent first period, draws its obligation from the collateral after the deadline
//! and settles it for the holders.

use hashrate_e2e::{
	btc_balance, chain_now, id, issue_dev_series, lengthen_report_window, make_dev_period_final,
	newtype, submit, submit_once_past, until_finalized, within, Client, Node, Sealing, TempDir,
	BACKING_THS, DEV_PERIOD, DIFFICULTY, REWARD, SERIES_COLLATERAL, SERIES_HASHRATE_PER_TOKEN,
	SERIES_PRICE,
};
use serde_json::Value as Json;
use std::time::{SystemTime, UNIX_EPOCH};
use subxt::{
	dynamic::{self, Value},
	events::DecodeAsEvent,
	ext::scale_decode::DecodeAsType,
	rpcs::rpc_params,
};
use subxt_signer::sr25519::{dev, Keypair};

/// Price of one token, sats.
const PRICE: u128 = SERIES_PRICE;
/// Hashrate per token: 100 TH/s, in milli-TH/s.
const HASHRATE_PER_TOKEN: u128 = SERIES_HASHRATE_PER_TOKEN;
/// What facility 0 reports each period, TH/s.
const REPORTED_THS: u128 = BACKING_THS;
/// Collateral Charlie locks, sats.
const COLLATERAL: u128 = SERIES_COLLATERAL;
/// The development protocol fee, per-mill.
const FEE_PER_MILL: u128 = 20;

async fn btc(client: &Client, who: &Keypair) -> u128 {
	btc_balance(client, id(who)).await
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct PeriodSettled {
	series: u32,
	period: u32,
	distributed: u128,
	fee: u128,
}

impl DecodeAsEvent for PeriodSettled {
	fn is_event(pallet: &str, event: &str) -> bool {
		(pallet, event) == ("RealYield", "PeriodSettled")
	}
}

/// The sats `dev_output(ths)` reports: the network expectation over 30 s less a 2 % pool fee.
fn reported_sats(ths: u128) -> u128 {
	let milli = ths * 1_000;
	let gross = milli * 1_000_000_000 * u128::from(DEV_PERIOD) * REWARD / (DIFFICULTY << 32);
	gross * 980 / 1_000
}

/// What holders are owed for a period with `supply_seconds` unit-seconds of the series:
/// `T = ceil(supply-seconds x hashrate per token / 30 s)`, delivered `ceil(S x T / H)`
/// (the facility delivered more than `T`), no costs; returns (owed, fee, holders' part).
fn owed(supply_seconds: u128) -> (u128, u128, u128) {
	let tokenized = (supply_seconds * HASHRATE_PER_TOKEN).div_ceil(u128::from(DEV_PERIOD));
	let hashrate = REPORTED_THS * 1_000;
	assert!(tokenized <= hashrate);
	let owed = (reported_sats(REPORTED_THS) * tokenized).div_ceil(hashrate);
	let fee = owed * FEE_PER_MILL / 1_000;
	(owed, fee, owed - fee)
}

/// Unit-seconds of a balance history `[(from, units)]` within `[start, end)`.
fn held(history: &[(u64, u128)], start: u64, end: u64) -> u128 {
	history
		.iter()
		.enumerate()
		.map(|(i, &(from, units))| {
			let until = history.get(i + 1).map_or(u64::MAX, |next| next.0);
			let (a, b) = (from.max(start), until.min(end));
			if b > a {
				units * u128::from(b - a)
			} else {
				0
			}
		})
		.sum()
}

/// Seals a block (a remark) and returns the chain time after it.
async fn tick(client: &Client) -> u64 {
	let remark = dynamic::transaction("System", "remark", (Value::from_bytes(b"tick"),));
	submit(client, &remark, &dev::alice()).await.expect("remark");
	chain_now(client).await
}

/// Seals blocks until the chain clock reaches `time`.
async fn until(client: &Client, time: u64) -> u64 {
	let mut now = chain_now(client).await;
	for _ in 0..40 {
		if now >= time {
			return now;
		}
		now = tick(client).await;
	}
	panic!("chain time {now} did not reach {time}");
}

async fn rpc(
	node: &Node,
	method: &str,
	params: subxt::rpcs::client::RpcParams,
) -> Result<Json, String> {
	let raw = node.rpc_client().await.expect("rpc client");
	within(raw.request::<Json>(method, params)).await.map_err(|e| e.to_string())
}

fn ss58(who: &Keypair) -> String {
	use subxt::utils::AccountId32;
	AccountId32(id(who)).to_string()
}

/// A running series: facility 0's series 0 with Bob 300 and Ferdie 200 tokens, minted at
/// `minted`, and its first period.
struct Issued {
	node: Node,
	client: Client,
	_dir: TempDir,
	first_period: u32,
	minted: u64,
}

async fn issue(name: &str) -> Issued {
	let dir = TempDir::new(name);
	let node = Node::start(dir.path(), Sealing::Instant).await;
	let client = node.client().await;
	let (alice, bob, charlie, ferdie) = (dev::alice(), dev::bob(), dev::charlie(), dev::ferdie());
	// No silent period may default (and take the backing away) before the offering closes.
	lengthen_report_window(&client).await;

	// A backing: the last ended period final at 110 PH/s.
	let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
	let backing_period = u32::try_from(now / DEV_PERIOD - 1).unwrap();
	make_dev_period_final(&client, backing_period, REPORTED_THS).await;

	let closes = chain_now(&client).await + 60;
	// The term starts a period after the close: an offering closed once its term started
	// fails, and the close is retried block by block after the close time.
	let first_period = closes.div_ceil(DEV_PERIOD) + 1;
	let terms = Value::named_composite([
		("name", Value::from_bytes(b"Nordic Hydro Yield")),
		("symbol", Value::from_bytes(b"NHY")),
		("decimals", Value::u128(0)),
		("hashrate_per_token", newtype(HASHRATE_PER_TOKEN)),
		("first_period", newtype(first_period.into())),
		("last_period", newtype((first_period + 9).into())),
		("cost_per_th_day", newtype(0)),
		("supply_cap", Value::u128(1_000)),
		("min_balance", Value::u128(1)),
	]);
	let series = || newtype(0);
	submit(
		&client,
		&dynamic::transaction("HashrateTokens", "create_series", (newtype(0), terms)),
		&charlie,
	)
	.await
	.expect("series created");
	let offering = Value::named_composite([
		("price", Value::u128(PRICE)),
		("closes", Value::u128(closes.into())),
		("soft_cap", Value::u128(100)),
		("hard_cap", Value::u128(1_000)),
		("min_subscription", Value::u128(1)),
	]);
	submit(
		&client,
		&dynamic::transaction("HashrateTokens", "open_offering", (series(), offering)),
		&charlie,
	)
	.await
	.expect("offering opened");
	let subscribe = |units: u128| {
		dynamic::transaction("HashrateTokens", "subscribe", (series(), Value::u128(units)))
	};
	submit(&client, &subscribe(300), &bob).await.expect("Bob subscribes");
	submit(&client, &subscribe(200), &ferdie).await.expect("Ferdie subscribes");
	submit(
		&client,
		&dynamic::transaction(
			"HashrateTokens",
			"add_collateral",
			(series(), Value::u128(COLLATERAL)),
		),
		&charlie,
	)
	.await
	.expect("collateral locked");
	let close = dynamic::transaction("HashrateTokens", "close_offering", (series(),));
	submit_once_past(&client, &close, &alice, "OfferingStillOpen", 40).await;
	let minted = chain_now(&client).await;
	Issued { node, client, _dir: dir, first_period: u32::try_from(first_period).unwrap(), minted }
}

fn deposit(period: u32, amount: u128) -> impl subxt::tx::Payload {
	dynamic::transaction(
		"RealYield",
		"deposit",
		(newtype(0), Value::u128(period.into()), Value::u128(amount)),
	)
}

fn claim() -> impl subxt::tx::Payload {
	dynamic::transaction("RealYield", "claim", (newtype(0),))
}

#[tokio::test(flavor = "multi_thread")]
async fn report_attest_deposit_and_two_holders_claim_to_the_satoshi() {
	let Issued { node, client, first_period, minted, .. } = issue("yield-paid").await;
	let (bob, charlie, ferdie) = (dev::bob(), dev::charlie(), dev::ferdie());
	let start = u64::from(first_period) * DEV_PERIOD;
	let end = start + DEV_PERIOD;

	// Inside the first period Bob sends Ferdie 100.
	until(&client, start).await;
	submit(
		&client,
		&dynamic::transaction(
			"HashrateTokens",
			"transfer",
			(newtype(0), Value::from_bytes(id(&ferdie)), Value::u128(100)),
		),
		&bob,
	)
	.await
	.expect("transfer");
	let moved = chain_now(&client).await;
	assert!(moved > start && moved < end, "the transfer at {moved} fell outside [{start}, {end})");

	// The period ends; the facility reports, the attestors attest, it becomes final.
	until(&client, end).await;
	make_dev_period_final(&client, first_period, REPORTED_THS).await;

	let bob_history = [(minted, 300), (moved, 200)];
	let ferdie_history = [(minted, 200), (moved, 300)];
	let (bob_seconds, ferdie_seconds) =
		(held(&bob_history, start, end), held(&ferdie_history, start, end));
	let supply_seconds = bob_seconds + ferdie_seconds;
	assert_eq!(supply_seconds, 500 * u128::from(end - minted.max(start)));
	let (owed, fee, holders) = owed(supply_seconds);
	let bob_share = holders * bob_seconds / supply_seconds;
	let ferdie_share = holders * ferdie_seconds / supply_seconds;

	// Over-paying is refused; exactly what is owed settles the period.
	let error = submit(&client, &deposit(first_period, owed + 1), &charlie)
		.await
		.expect_err("more than owed");
	assert!(error.contains("Overpayment"), "unexpected error: {error}");
	let charlie_before = btc(&client, &charlie).await;
	let events = submit(&client, &deposit(first_period, owed), &charlie).await.expect("deposit");
	let settled = events.find_first::<PeriodSettled>().expect("PeriodSettled").expect("decodes");
	assert_eq!(
		(settled.series, settled.period, settled.distributed, settled.fee),
		(0, first_period, holders, fee)
	);
	assert_eq!(btc(&client, &charlie).await, charlie_before - owed);

	// What clients see through the `hashrate_*` RPC.
	let report = rpc(&node, "hashrate_periodYield", rpc_params![0u32, first_period])
		.await
		.expect("periodYield");
	assert_eq!(report["owed"], Json::from(owed as u64));
	assert_eq!(report["paid"], Json::from(owed as u64));
	assert_eq!(report["distributed"], Json::from(holders as u64));
	assert_eq!(report["status"], Json::from("Paid"));
	assert_eq!(report["output"]["Reported"]["hashrate"], Json::from((REPORTED_THS * 1_000) as u64));
	let pending =
		rpc(&node, "hashrate_pendingYield", rpc_params![ss58(&bob)]).await.expect("pendingYield");
	assert_eq!(pending["totalClaimable"], Json::from(bob_share as u64), "{pending}");
	assert_eq!(pending["series"][0]["balance"], Json::from(200u64));
	let series = rpc(&node, "hashrate_seriesYield", rpc_params![0u32]).await.expect("seriesYield");
	assert_eq!(series["tokenized"], Json::from((500 * HASHRATE_PER_TOKEN) as u64));
	assert_eq!(series["attested"], Json::from((REPORTED_THS * 1_000) as u64));
	assert_eq!(series["collateral"], Json::from(COLLATERAL as u64));
	assert_eq!(series["nextPeriod"], Json::from(first_period + 1));
	// Bad parameters are JSON-RPC errors.
	let error = rpc(&node, "hashrate_pendingYield", rpc_params!["not an account"])
		.await
		.expect_err("a bad account");
	assert!(error.contains("Invalid params") || error.contains("-32602"), "{error}");
	assert!(rpc(&node, "hashrate_periodYield", rpc_params!["zero", 1u32]).await.is_err());

	// Both holders claim their time-weighted shares.
	let (bob_before, ferdie_before) = (btc(&client, &bob).await, btc(&client, &ferdie).await);
	submit(&client, &claim(), &bob).await.expect("Bob claims");
	submit(&client, &claim(), &ferdie).await.expect("Ferdie claims");
	assert_eq!(btc(&client, &bob).await, bob_before + bob_share);
	assert_eq!(btc(&client, &ferdie).await, ferdie_before + ferdie_share);
	let error = submit(&client, &claim(), &bob).await.expect_err("claimed already");
	assert!(error.contains("NothingToClaim"), "unexpected error: {error}");
}

/// Nobody cranks the chain: on a node sealing a block every second, only the facility's
/// report, the feeds and the attestations of its backing period, the series, the offering,
/// the subscriptions and the collateral are submitted — never `make_final`, `close`,
/// `close_offering`, `settle` or `trigger_default`. The chain makes the backing period final,
/// closes the offering, defaults the silent first period of the term when its report window
/// closes, and a second after the payment deadline draws what it owed from the collateral
/// and settles it; the holders claim their shares.
#[tokio::test(flavor = "multi_thread")]
async fn a_chain_nobody_cranks_finalizes_defaults_a_silent_period_and_settles() {
	let dir = TempDir::new("yield-self-driving");
	let node = Node::start_with(dir.path(), Sealing::Instant, &["--seal-every", "1000"]).await;
	let client = node.client().await;
	let (bob, ferdie) = (dev::bob(), dev::ferdie());

	// Each block moves chain time by a 6 s slot: a minute goes by in ten blocks, ten
	// seconds. Governance gives reports eight minutes, so the facility, silent but for the
	// one period it reports, keeps its backing and its status until its offering closed.
	lengthen_report_window(&client).await;
	let (client, node) = (&client, &node);
	// A series of one period; the chain makes the backing period final and closes the
	// offering by itself.
	let first_period = issue_dev_series(node, client, 1).await;

	// The first period goes by silent: no report. Its window (8 minutes) closes and the
	// oracle's sweep defaults it; its deadline (a minute after) passes and the yield pallet
	// draws what it owed from the collateral and settles it.
	let period = first_period;
	let report =
		until_finalized(node, "the silent period defaulted and settled", 400, || async move {
			let report = rpc(node, "hashrate_periodYield", rpc_params![0u32, period]).await.ok()?;
			(report["status"] == "Defaulted").then_some(report)
		})
		.await;
	assert_eq!(report["output"], Json::from("Defaulted"), "{report}");
	let owed = report["owed"].as_u64().expect("owed") as u128;
	assert!(owed > 0, "{report}");
	assert_eq!(report["drawn"], Json::from(owed as u64), "the collateral paid all of it");
	assert_eq!(report["paid"], Json::from(0u64));
	let fee = owed * FEE_PER_MILL / 1_000;
	let holders = owed - fee;
	assert_eq!(report["distributed"], Json::from(holders as u64));
	let view = rpc(node, "hashrate_seriesYield", rpc_params![0u32]).await.expect("seriesYield");
	assert_eq!(view["collateral"], Json::from((COLLATERAL - owed) as u64));
	assert_eq!(view["debt"], Json::from(0u64));

	// Bob held 300 of 500 all along, Ferdie 200: they claim their shares.
	let (bob_before, ferdie_before) = (btc(client, &bob).await, btc(client, &ferdie).await);
	submit(client, &claim(), &bob).await.expect("Bob claims");
	submit(client, &claim(), &ferdie).await.expect("Ferdie claims");
	assert_eq!(btc(client, &bob).await, bob_before + holders * 300 / 500);
	assert_eq!(btc(client, &ferdie).await, ferdie_before + holders * 200 / 500);
}
