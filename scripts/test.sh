#!/usr/bin/env bash
# Every check of the workspace: rustfmt; clippy (inside the builds, warnings denied); unit and
# property tests of every crate, the runtime-level tests, the end-to-end tests against the real
# node binary; the benchmark and try-runtime tests (a second feature set); the network tests.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

total_start=$SECONDS
timed "$REPO_ROOT/scripts/setup.sh"

log "cargo fmt --all --check"
(cd "$REPO_ROOT" && cargo fmt --all --check)
# Builds and lints (clippy, warnings denied: see `linted` in lib.sh).
timed build_workspace

export HASHRATE_NODE_BIN="$NODE_BIN"
results="$(mktemp)"
trap 'rm -f "$results"' EXIT
log "cargo test --locked --profile $CARGO_PROFILE --workspace --all-targets"
timed linted cargo test --locked --profile "$CARGO_PROFILE" --workspace --all-targets \
	--manifest-path "$REPO_ROOT/Cargo.toml" 2>&1 | tee -a "$results"

# The second feature set (benchmarks, try-runtime): linted, its tests run.
timed test_second_feature_set 2>&1 | tee -a "$results"

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
