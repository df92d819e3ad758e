#!/usr/bin/env bash
# The simulated year (runtime-tests/src/year.rs): 365 daily periods, 1,000 holders, twelve
# facilities, on the real runtime; prints the totals table. Built exactly as CI builds the
# workspace, so after a CI run on this machine it only runs.
#
#   scripts/simulate-year.sh             seed 2027
#   SIM_SEED=7 scripts/simulate-year.sh  another seed (a failing run prints its seed)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start=$SECONDS
(cd "$REPO_ROOT" && linted cargo test --locked --profile "$CARGO_PROFILE" --workspace --lib \
	-- --ignored --exact year::a_simulated_year --nocapture)
log "the simulated year: $((SECONDS - start)) s"
