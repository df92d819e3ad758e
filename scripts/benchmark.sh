#!/usr/bin/env bash
# Generates the weights the runtime uses, all on this machine, by running the benchmarks on the
# real runtime (wasm, compiled execution) through `hashrate-node benchmark`:
#
#   scripts/benchmark.sh                      every pallet, then `overhead`
#   scripts/benchmark.sh pallet_facilities    one domain pallet -> pallets/facilities/src/weights.rs
#   scripts/benchmark.sh pallet_balances      one FRAME pallet  -> runtime/src/weights/pallet_balances.rs
#   scripts/benchmark.sh overhead             base weights of a block and of an extrinsic
#                                             -> runtime/src/weights/{block,extrinsic}_weights.rs
#   STORAGE_CHAIN=DIR scripts/benchmark.sh storage
#                                             ParityDB read/write weights on the state of the
#                                             development chain in DIR (one kept by
#                                             `scripts/bench-throughput.sh --keep-chain DIR`)
#                                             -> runtime/src/weights/paritydb_weights.rs
#   BLOCK_CHAIN=DIR BLOCKS=FROM-TO scripts/benchmark.sh block
#                                             re-executes blocks FROM..=TO of the development
#                                             chain in DIR as importing validators do (one runtime
#                                             call per block) and prints each one's execution time
#                                             against its weight: the time weights stand for
#
# Builds the node with `--features runtime-benchmarks` in the shared target dir (the
# benchmark feature set compiles once per cache; about 25 min cold on 2 cores) and keeps that
# binary apart, so the test build's `hashrate-node` stays the one without benchmarks.
# Not run by CI: weights are measured here and committed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STEPS="${STEPS:-50}"
REPEAT="${REPEAT:-20}"
BENCH_DIR="$CARGO_TARGET_DIR/benchmark"
BENCH_BIN="$BENCH_DIR/hashrate-node"
WASM="$BENCH_DIR/hashrate_runtime.compact.compressed.wasm"

# `block`'s inputs are checked before anything is built.
if [[ " $* " == *" block "* ]]; then
	[ -d "${BLOCK_CHAIN:-}" ] || {
		echo "BLOCK_CHAIN=${BLOCK_CHAIN:-}: not a directory (a chain kept by scripts/bench-throughput.sh --keep-chain DIR)" >&2
		exit 2
	}
	if [[ "${BLOCKS:-}" =~ ^([0-9]+)-([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -ge 2 ] &&
		[ "${BASH_REMATCH[1]}" -le "${BASH_REMATCH[2]}" ]; then
		BLOCK_FROM="${BASH_REMATCH[1]}"
		BLOCK_TO="${BASH_REMATCH[2]}"
	else
		echo "BLOCKS=${BLOCKS:-}: expected FROM-TO, 2 <= FROM <= TO (block numbers a throughput run printed)" >&2
		exit 2
	fi
fi

"$REPO_ROOT/scripts/setup.sh"
# The benchmark build replaces target/release/hashrate-node with a binary whose runtime
# needs benchmark host functions; always put the test build back, also when a step fails
# (`cargo test` alone does not relink the node binary).
trap 'status=$?; build_workspace; exit $status' EXIT
# frame-benchmarking-cli's storage-access test runtime builds a wasm of its own, for the
# `benchmark storage` command only; its wasm builder cannot find that crate in this
# workspace's metadata (it is behind an optional feature), so skip that one wasm.
export SKIP_FRAME_STORAGE_ACCESS_TEST_RUNTIME_WASM_BUILD=1
log "building hashrate-node with runtime-benchmarks"
(cd "$REPO_ROOT" && timed cargo build --locked --profile "$CARGO_PROFILE" -p hashrate-node --features runtime-benchmarks)
mkdir -p "$BENCH_DIR"
cp "$NODE_BIN" "$BENCH_BIN"
cp "$CARGO_TARGET_DIR/$CARGO_PROFILE/wbuild/hashrate-runtime/hashrate_runtime.compact.compressed.wasm" "$WASM"

# The FRAME pallets this runtime configures with benchmarked weights (their weights files are
# runtime/src/weights/<pallet>.rs); the domain pallets keep theirs in their crates.
RUNTIME_PALLETS=(frame_system frame_system_extensions pallet_balances pallet_transaction_payment
	pallet_assets pallet_session pallet_timestamp pallet_sudo pallet_utility)
WEIGHTS_DIR="$REPO_ROOT/runtime/src/weights"

if [ "$#" -gt 0 ]; then
	targets=("$@")
else
	targets=()
	for manifest in "$REPO_ROOT"/pallets/*/Cargo.toml; do
		[ -f "$(dirname "$manifest")/src/benchmarking.rs" ] || continue
		targets+=("$(sed -n 's/^name = "\(.*\)"/\1/p' "$manifest" | head -n1 | tr - _)")
	done
	targets+=("${RUNTIME_PALLETS[@]}" overhead)
	# `storage` needs a chain that has seen use: run it on its own (see above).
fi

# The generated files name `frame_support`, `sp_core`, ...: this crate has them through the
# umbrella.
through_umbrella() {
	sed -i -e 's/^use sp_core::parameter_types;/use polkadot_sdk::sp_core::parameter_types;/' \
		-e 's/^use sp_weights::/use polkadot_sdk::frame_support::weights::/' \
		-e 's/^\tuse sp_weights::/\tuse polkadot_sdk::frame_support::weights::/' "$@"
}

for target in "${targets[@]}"; do
	case "$target" in
	overhead)
		log "benchmarking the block and extrinsic base weights"
		timed "$BENCH_BIN" benchmark overhead --dev --wasm-execution compiled \
			--weight-path "$WEIGHTS_DIR"
		through_umbrella "$WEIGHTS_DIR/block_weights.rs" "$WEIGHTS_DIR/extrinsic_weights.rs"
		;;
	storage)
		# The state of a chain that has seen use: by default the one a throughput run leaves
		# (`scripts/bench-throughput.sh --keep-chain DIR`: 24,000 new accounts, about 36,000
		# keys); ParityDB as the node runs it; writes amortised over batches of 1,000 keys
		# (a block of transfers writes a few thousand).
		chain="${STORAGE_CHAIN:?set STORAGE_CHAIN to the base path of a development chain, e.g. one kept by scripts/bench-throughput.sh --keep-chain DIR}"
		log "benchmarking ParityDB reads and writes on the state of $chain"
		timed "$BENCH_BIN" benchmark storage --dev --base-path "$chain" --database paritydb \
			--state-version 1 --batch-size 1000 \
			--template-path "$REPO_ROOT/scripts/storage-weight-template.hbs" \
			--weight-path "$WEIGHTS_DIR"
		;;
	block)
		# The time weights bound: a block executed as an importing node executes it. Block
		# `FROM - 1` runs first, unreported beyond its line, to warm the database and the
		# compiled runtime (the first block executed takes up to 1.6x longer).
		log "executing blocks $BLOCKS of $BLOCK_CHAIN (the first line warms up)"
		timed "$BENCH_BIN" benchmark block --dev --base-path "$BLOCK_CHAIN" --database paritydb \
			--from "$((BLOCK_FROM - 1))" --to "$BLOCK_TO" --repeat "${BLOCK_REPEAT:-3}" \
			--wasm-execution compiled
		;;
	*)
		if [[ " ${RUNTIME_PALLETS[*]} " == *" $target "* ]]; then
			output="$WEIGHTS_DIR/$target.rs"
			template="$REPO_ROOT/scripts/runtime-weight-template.hbs"
		else
			name="${target#pallet_}"
			dir="$REPO_ROOT/pallets/${name//_/-}"
			[ -d "$dir" ] || { echo "no pallet directory $dir for $target" >&2; exit 1; }
			output="$dir/src/weights.rs"
			template="$REPO_ROOT/scripts/frame-weight-template.hbs"
		fi
		log "benchmarking $target (steps $STEPS, repeat $REPEAT)"
		timed "$BENCH_BIN" benchmark pallet \
			--runtime "$WASM" \
			--genesis-builder runtime \
			--genesis-builder-preset development \
			--pallet "$target" \
			--extrinsic '*' \
			--steps "$STEPS" \
			--repeat "$REPEAT" \
			--wasm-execution compiled \
			--heap-pages 4096 \
			--template "$template" \
			--output "$output"
		;;
	esac
done
(cd "$REPO_ROOT" && cargo fmt --all)
