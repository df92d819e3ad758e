//! Database weights of this runtime on `ParityDb`, measured by `scripts/benchmark.sh storage`
//! with the benchmark CLI 64.0.0 on the state of a development chain after a
//! throughput run (`scripts/bench-throughput.sh --keep-chain DIR`: 36,106 keys).
//!
//! DATE: 2026-12-02 (Y/M/D), HOSTNAME: `vm`, CPU: `AMD EPYC`
//! DATABASE: `ParityDb`, RUNTIME: `Hashrate Development`, BLOCK-NUM: `Number(13)`
//! SKIP-WRITE: `false`, SKIP-READ: `false`, WARMUPS: `1`
//! STATE-VERSION: `V1`, STATE-CACHE-SIZE: ``
//! METRIC: `Average`, WEIGHT-MUL: `1.0`, WEIGHT-ADD: `0`

// Executed Command:
//   /root/.cache/hashrate-chain/target/benchmark/hashrate-node
//   benchmark
//   storage
//   --dev
//   --base-path
//   /tmp/tpchain
//   --database
//   paritydb
//   --state-version
//   1
//   --batch-size
//   1000
//   --template-path
//   scripts/storage-weight-template.hbs
//   --weight-path
//   /tmp/

/// Storage DB weights for the `Hashrate Development` runtime and `ParityDb`.
pub mod constants {
	use polkadot_sdk::frame_support::{
		parameter_types,
		weights::{constants, RuntimeDbWeight},
	};

	parameter_types! {
		/// What reading and writing one storage item costs in this node's database.
		pub const ParityDbWeight: RuntimeDbWeight = RuntimeDbWeight {
			// Time to read one storage item.
			// Calculated by multiplying the *Average* of all values with `1.0` and adding `0`.
			//
			// Stats nanoseconds:
			//   Min, Max: 671, 574_687
			//   Average:  5_646
			//   Median:   4_928
			//   Std-Dev:  6582.34
			//
			// Percentiles nanoseconds:
			//   99th: 17_867
			//   95th: 7_431
			//   75th: 5_678
			read: 5_646 * constants::WEIGHT_REF_TIME_PER_NANOS,

			// Time to write one storage item.
			// Calculated by multiplying the *Average* of all values with `1.0` and adding `0`.
			//
			// Stats nanoseconds:
			//   Min, Max: 11_629, 26_650
			//   Average:  16_272
			//   Median:   15_640
			//   Std-Dev:  3198.93
			//
			// Percentiles nanoseconds:
			//   99th: 26_650
			//   95th: 25_966
			//   75th: 16_418
			write: 16_272 * constants::WEIGHT_REF_TIME_PER_NANOS,
		};
	}

	#[cfg(test)]
	mod test_db_weights {
		use super::ParityDbWeight as W;
		use polkadot_sdk::frame_support::weights::constants;

		/// The measured weights are within what a database on any server can do.
		#[test]
		fn bound() {
			// At least 1 µs.
			assert!(
				W::get().reads(1).ref_time() >= constants::WEIGHT_REF_TIME_PER_MICROS,
				"Read weight should be at least 1 µs."
			);
			assert!(
				W::get().writes(1).ref_time() >= constants::WEIGHT_REF_TIME_PER_MICROS,
				"Write weight should be at least 1 µs."
			);
			// At most 1 ms.
			assert!(
				W::get().reads(1).ref_time() <= constants::WEIGHT_REF_TIME_PER_MILLIS,
				"Read weight should be at most 1 ms."
			);
			assert!(
				W::get().writes(1).ref_time() <= constants::WEIGHT_REF_TIME_PER_MILLIS,
				"Write weight should be at most 1 ms."
			);
		}
	}
}
