#!/usr/bin/env bash
# Transactions per 6 s block on this machine: starts `hashrate-node --dev`, submits pre-signed
# bursts (hashrate-token transfers, balance transfers, payout-asset transfers, claims; about
# 15 minutes) and prints, per block, how many were included, the authoring time, the weight
# used and why authoring stopped; then the targets of issue 19. Built exactly as CI builds the workspace, so after a CI run on this machine it only
# runs. Not part of CI: a measurement, not a test.
#
#   scripts/bench-throughput.sh                    6 senders x 2,000 per burst
#   scripts/bench-throughput.sh --per-sender 3000  bigger bursts
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build_workspace
HASHRATE_NODE_BIN="$NODE_BIN" "$CARGO_TARGET_DIR/$CARGO_PROFILE/hashrate-bench-throughput" "$@"
