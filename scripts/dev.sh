#!/usr/bin/env bash
# One command to a working development chain: installs prerequisites, builds, and runs
# `hashrate-node --dev` (Alice validates and is sudo; dev accounts are funded).
#
#   scripts/dev.sh                       Aura + GRANDPA, a block every 6 s, state kept in
#                                        $HOME/.local/share/hashrate-node (purge-chain to reset)
#   scripts/dev.sh --sealing instant     a block per transaction, finalized at once
#   scripts/dev.sh --tmp                 throw the state away on exit
#
# Extra arguments go to the node.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$REPO_ROOT/scripts/setup.sh"
timed build_workspace

RPC_PORT=9944
for ((i = 1; i <= $#; i++)); do
	if [ "${!i}" = "--rpc-port" ]; then j=$((i + 1)); RPC_PORT="${!j}"; fi
done
cat <<MSG

  Hashrate Chain dev node
  RPC (WebSocket and HTTP):  ws://127.0.0.1:$RPC_PORT
  polkadot-js apps:          https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A$RPC_PORT
  Prometheus metrics:        http://127.0.0.1:9615/metrics
  Dev accounts:              //Alice .. //Ferdie (1,000,000 HASH each); Alice is sudo

MSG
exec "$NODE_BIN" --dev --rpc-cors all "$@"
