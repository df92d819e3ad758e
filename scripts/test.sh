#!/usr/bin/env bash
# Every test of the workspace: unit and property tests of every crate, the runtime's tests,
# the end-to-end tests against the real node binary, and each pallet's benchmark tests.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

total_start=$SECONDS
timed "$REPO_ROOT/scripts/setup.sh"
timed build_workspace

export HASHRATE_NODE_BIN="$NODE_BIN"
log "cargo test --locked --profile $CARGO_PROFILE --workspace"
timed cargo test --locked --profile "$CARGO_PROFILE" --workspace --manifest-path "$REPO_ROOT/Cargo.toml"

# Benchmark tests of each pallet that has benchmarks: natively, without the wasm runtime.
for manifest in "$REPO_ROOT"/pallets/*/Cargo.toml; do
	crate_dir="$(dirname "$manifest")"
	[ -f "$crate_dir/src/benchmarking.rs" ] || continue
	crate="$(sed -n 's/^name = "\(.*\)"/\1/p' "$manifest" | head -n1)"
	log "benchmark tests of $crate"
	SKIP_WASM_BUILD=1 timed cargo test --locked --profile "$CARGO_PROFILE" -p "$crate" \
		--features runtime-benchmarks --manifest-path "$REPO_ROOT/Cargo.toml"
done

log "all tests passed in $((SECONDS - total_start)) s"
