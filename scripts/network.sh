#!/usr/bin/env bash
# Spawns the 4-validator local network (zombienet/local-4-validators.toml: Alice, Bob,
# Charlie and Dave validate, Eve is a full node ready to be added) from the release node
# binary, prints the RPC endpoints and runs until Ctrl-C. Builds first if needed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ -x "$NODE_BIN" ] || build_workspace
install_zombienet
export HASHRATE_NODE_BIN="$NODE_BIN"
network_dir="${NETWORK_DIR:-$(mktemp -d -t hashrate-network.XXXXXX)}"
cat <<ENDPOINTS
RPC endpoints (WebSocket and HTTP), validators first:
  alice    ws://127.0.0.1:9951
  bob      ws://127.0.0.1:9952
  charlie  ws://127.0.0.1:9953
  dave     ws://127.0.0.1:9954
  eve      ws://127.0.0.1:9955   (full node with --validator, no keys yet)
Node logs and databases: $network_dir/<name>.log, $network_dir/<name>/
ENDPOINTS
cd "$REPO_ROOT/zombienet"
exec "$ZOMBIENET" -p native -f -d "$network_dir" spawn local-4-validators.toml
