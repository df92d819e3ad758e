#!/usr/bin/env bash
# Spawns the multi-validator network of zombienet/ (native provider, loopback only) with the
# release node binary and runs its .zndsl checks. Builds first if the binary is missing.
#
#   scripts/zombienet.sh                      test zombienet/local-2-validators.zndsl
#   scripts/zombienet.sh spawn FILE.toml      keep a network running (Ctrl-C stops it)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v npm >/dev/null || { echo "error: npm (Node.js) is needed for zombienet" >&2; exit 1; }
[ -x "$NODE_BIN" ] || build_workspace

# @zombienet/cli, pinned by zombienet/package-lock.json, installed once per machine.
ZOMBIENET_HOME="$HOME/.cache/hashrate-chain/zombienet"
mkdir -p "$ZOMBIENET_HOME"
if ! cmp -s "$REPO_ROOT/zombienet/package-lock.json" "$ZOMBIENET_HOME/package-lock.json" ||
	[ ! -x "$ZOMBIENET_HOME/node_modules/.bin/zombienet" ]; then
	cp "$REPO_ROOT/zombienet/package.json" "$REPO_ROOT/zombienet/package-lock.json" "$ZOMBIENET_HOME/"
	log "installing @zombienet/cli into $ZOMBIENET_HOME"
	(cd "$ZOMBIENET_HOME" && npm ci --no-audit --no-fund --loglevel=error)
fi

export HASHRATE_NODE_BIN="$NODE_BIN"
cd "$REPO_ROOT/zombienet"
if [ "${1:-}" = "spawn" ]; then
	exec "$ZOMBIENET_HOME/node_modules/.bin/zombienet" -p native spawn "${2:-local-2-validators.toml}"
fi
exec "$ZOMBIENET_HOME/node_modules/.bin/zombienet" -p native test "${1:-local-2-validators.zndsl}"
