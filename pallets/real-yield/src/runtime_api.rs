//! The runtime API behind the node's `hashrate_*` RPC methods.

use crate::{PendingYield, PeriodReport, SeriesReport};
use alloc::vec::Vec;
use codec::Codec;
use hashrate_primitives::{PeriodIndex, SeriesId};

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Holders' yield, series' periods and backing.
	pub trait RealYieldApi<AccountId> where AccountId: Codec {
		/// `who`'s claimable yield per series it has a record in.
		fn pending_yield(who: AccountId) -> Vec<PendingYield>;
		/// A series' period: obligation, inputs, payments, settlement.
		fn period_report(series: SeriesId, period: PeriodIndex) -> Option<PeriodReport>;
		/// What backs a series and what it paid and owes.
		fn series_report(series: SeriesId) -> Option<SeriesReport>;
	}
}
