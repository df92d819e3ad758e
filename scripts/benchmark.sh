#!/usr/bin/env bash
# Generates `weights.rs` of every pallet with benchmarks by running them on the real runtime
# (wasm, compiled execution) through `hashrate-node benchmark pallet`.
#
#   scripts/benchmark.sh                 # every pallet in pallets/ that has benchmarks
#   scripts/benchmark.sh pallet_facilities
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

if [ "$#" -gt 0 ]; then
	pallets=("$@")
else
	pallets=()
	for manifest in "$REPO_ROOT"/pallets/*/Cargo.toml; do
		[ -f "$(dirname "$manifest")/src/benchmarking.rs" ] || continue
		pallets+=("$(sed -n 's/^name = "\(.*\)"/\1/p' "$manifest" | head -n1 | tr - _)")
	done
fi

for pallet in "${pallets[@]}"; do
	name="${pallet#pallet_}"
	dir="$REPO_ROOT/pallets/${name//_/-}"
	[ -d "$dir" ] || { echo "no pallet directory $dir for $pallet" >&2; exit 1; }
	log "benchmarking $pallet (steps $STEPS, repeat $REPEAT)"
	timed "$BENCH_BIN" benchmark pallet \
		--runtime "$WASM" \
		--genesis-builder runtime \
		--genesis-builder-preset development \
		--pallet "$pallet" \
		--extrinsic '*' \
		--steps "$STEPS" \
		--repeat "$REPEAT" \
		--wasm-execution compiled \
		--heap-pages 4096 \
		--template "$REPO_ROOT/scripts/frame-weight-template.hbs" \
		--output "$dir/src/weights.rs"
done

