#!/usr/bin/env bash
# Runs hashrate-netctl (tests/src/bin/netctl.rs) against the network of local-4-validators.toml.
# zombienet's `run` copies this script into the node's directory and runs it there, with the
# environment of scripts/zombienet.sh ($HASHRATE_NETCTL); the state file sits next to the
# node directories. Arguments: netctl's command and its arguments.
set -euo pipefail
export NETCTL_NODES="alice=ws://127.0.0.1:9951,bob=ws://127.0.0.1:9952,charlie=ws://127.0.0.1:9953,dave=ws://127.0.0.1:9954,eve=ws://127.0.0.1:9955"
export NETCTL_STATE="${NETCTL_STATE:-$PWD/../netctl-state.json}"
exec "${HASHRATE_NETCTL:?run through scripts/zombienet.sh, which sets HASHRATE_NETCTL}" "$@"
