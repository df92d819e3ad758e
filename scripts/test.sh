#!/usr/bin/env bash
# Every test of the workspace: unit and property tests of every crate, the runtime's tests,
# the end-to-end tests against the real node binary, and each pallet's benchmark tests.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

total_start=$SECONDS
timed "$REPO_ROOT/scripts/setup.sh"
log "cargo fmt --all --check"
(cd "$REPO_ROOT" && cargo fmt --all --check)
timed build_workspace

export HASHRATE_NODE_BIN="$NODE_BIN"
results="$(mktemp)"
trap 'rm -f "$results"' EXIT
log "cargo test --locked --profile $CARGO_PROFILE --workspace --all-targets"
timed cargo test --locked --profile "$CARGO_PROFILE" --workspace --all-targets \
	--manifest-path "$REPO_ROOT/Cargo.toml" 2>&1 | tee -a "$results"

# Benchmark tests of each pallet that has benchmarks: natively, without the wasm runtime.
for manifest in "$REPO_ROOT"/pallets/*/Cargo.toml; do
	crate_dir="$(dirname "$manifest")"
	[ -f "$crate_dir/src/benchmarking.rs" ] || continue
	crate="$(sed -n 's/^name = "\(.*\)"/\1/p' "$manifest" | head -n1)"
	log "benchmark tests of $crate"
	SKIP_WASM_BUILD=1 timed cargo test --locked --profile "$CARGO_PROFILE" -p "$crate" \
		--features runtime-benchmarks --manifest-path "$REPO_ROOT/Cargo.toml" 2>&1 | tee -a "$results"
done

# The multi-validator network tests: four validators of the `local` chain through faults, a
# governance-added fifth, a runtime upgrade (zombienet/network.zndsl).
log "zombienet: zombienet/network.zndsl"
timed "$REPO_ROOT/scripts/zombienet.sh" 2>&1 | tee -a "$results"

# One closing line over everything: cargo's "test result" lines and zombienet's "Result: n/m".
read -r passed failed < <(awk '
	/test result:/ { for (i = 1; i < NF; i++) { if ($(i + 1) ~ /^passed/) p += $i; if ($(i + 1) ~ /^failed/) f += $i } }
	match($0, /Result: [0-9]+\/[0-9]+/) { split(substr($0, RSTART + 8, RLENGTH - 8), r, "/"); zp = r[1]; zf = r[2] - r[1] }
	END { print p + zp, f + zf }' "$results")
log "all tests passed in $((SECONDS - total_start)) s"
echo "tests: $passed passed, $failed failed"
