//! The runtime API over the oracle's view functions: what tools and wallets ask instead of
//! re-implementing the chain's rules.

use crate::{FixedNetwork, LastFixedNetwork, OracleQueryError, PhysicsVerdict};
use hashrate_primitives::{FacilityId, PeriodIndex, PeriodOutput};

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Periods, network data and the physics verdict of an output.
	pub trait PowOracleApi {
		/// Unix seconds `[start, end)` of `period`.
		fn period_bounds(period: PeriodIndex) -> Option<(u64, u64)>;
		/// `period`'s fixed network data and where it came from, once fixed.
		fn network_data(period: PeriodIndex) -> Option<FixedNetwork>;
		/// The reference network data feeds are bounded by.
		fn last_fixed() -> Option<LastFixedNetwork>;
		/// What the chain's physics checks say of `output` as `facility`'s `period`: the
		/// bounds, the expectation and the verdict.
		fn check_output(
			facility: FacilityId,
			period: PeriodIndex,
			output: PeriodOutput,
		) -> Result<PhysicsVerdict, OracleQueryError>;
	}
}
