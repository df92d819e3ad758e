# Shared settings of the scripts and CI: one target dir outside the checkout, one profile,
# one feature set, so a local build and CI on the same machine share every artifact.
# Sourced, not run.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/hashrate-chain/target}"
# The wasm builder looks for Cargo.lock upwards from its out dir, which is outside the
# checkout: point it at the workspace.
export WASM_BUILD_WORKSPACE_HINT="$REPO_ROOT"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# Every build of the workspace uses exactly these flags (see build_workspace).
CARGO_PROFILE=release
NODE_BIN="$CARGO_TARGET_DIR/$CARGO_PROFILE/hashrate-node"

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# Builds everything the tests and the dev chain need — the node, the runtime (native and
# wasm), every crate's tests — in one cargo invocation, so features unify the same way
# every time and nothing compiles twice.
build_workspace() {
	log "cargo build --locked --profile $CARGO_PROFILE --workspace --all-targets (target dir $CARGO_TARGET_DIR)"
	(cd "$REPO_ROOT" && cargo build --locked --profile "$CARGO_PROFILE" --workspace --all-targets)
}

# Runs `$@`, then logs how long it took.
timed() {
	local start=$SECONDS
	"$@"
	local status=$?
	log "$1 ${2:-}: $((SECONDS - start)) s (exit $status)"
	return $status
}

# @zombienet/cli, pinned by zombienet/package-lock.json, installed once per machine into a
# cache (no global install). Needs npm (Node.js).
ZOMBIENET_HOME="$HOME/.cache/hashrate-chain/zombienet"
ZOMBIENET="$ZOMBIENET_HOME/node_modules/.bin/zombienet"
install_zombienet() {
	command -v npm >/dev/null || { echo "error: npm (Node.js) is needed for zombienet" >&2; return 1; }
	mkdir -p "$ZOMBIENET_HOME"
	if ! cmp -s "$REPO_ROOT/zombienet/package-lock.json" "$ZOMBIENET_HOME/package-lock.json" ||
		[ ! -x "$ZOMBIENET" ]; then
		cp "$REPO_ROOT/zombienet/package.json" "$REPO_ROOT/zombienet/package-lock.json" "$ZOMBIENET_HOME/"
		log "installing @zombienet/cli into $ZOMBIENET_HOME"
		(cd "$ZOMBIENET_HOME" && npm ci --no-audit --no-fund --loglevel=error)
	fi
}
