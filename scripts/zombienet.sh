#!/usr/bin/env bash
# Runs a zombienet test of the multi-validator network (native provider, loopback only) with
# the release node binary and hashrate-netctl; builds first if either is missing. On failure,
# prints the end of every node's log.
#
#   scripts/zombienet.sh                  zombienet/network.zndsl (the network tests)
#   scripts/zombienet.sh FILE.zndsl       another test of zombienet/
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NETCTL_BIN="$CARGO_TARGET_DIR/$CARGO_PROFILE/hashrate-netctl"
[ -x "$NODE_BIN" ] && [ -x "$NETCTL_BIN" ] || build_workspace
install_zombienet

export HASHRATE_NODE_BIN="$NODE_BIN" HASHRATE_NETCTL="$NETCTL_BIN"
test_file="${1:-network.zndsl}"
network_dir="$(mktemp -d -t hashrate-zombienet.XXXXXX)"
cd "$REPO_ROOT/zombienet"
status=0
"$ZOMBIENET" -p native -l text -f -d "$network_dir" test "$test_file" || status=$?
if [ "$status" -ne 0 ]; then
	for node_log in "$network_dir"/*.log; do
		[ -f "$node_log" ] || continue
		echo "===== last 80 lines of $node_log ====="
		tail -n 80 "$node_log"
	done
	echo "zombienet test $test_file failed (network files kept in $network_dir)" >&2
	exit "$status"
fi
rm -rf "$network_dir"
