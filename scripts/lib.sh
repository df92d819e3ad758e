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

# Clippy runs inside the builds: cargo compiles the workspace's own crates with clippy-driver
# (rustc plus clippy's lints, exactly what `cargo clippy` does over `cargo check`) and the
# dependencies with rustc, and warnings — rustc's and clippy's — are errors. One compilation
# gives the binaries and the lints; a separate `cargo clippy` would check all ~1,200
# dependencies once more (12 min cold on 2 cores, per feature set). Every cargo command of the
# scripts on the test feature sets goes through `linted`: cargo keys the workspace crates'
# artifacts to the wrapper, so a command without it would recompile them. (benchmark.sh's
# node with `runtime-benchmarks` is a feature set of its own and is not linted.)
linted() {
	local driver
	if ! driver="$(cd "$REPO_ROOT" && rustup which clippy-driver 2>/dev/null)"; then
		echo "error: clippy is needed: rustup component add clippy (scripts/setup.sh does it)" >&2
		return 1
	fi
	RUSTC_WORKSPACE_WRAPPER="$driver" CLIPPY_ARGS="-Dwarnings__CLIPPY_HACKERY__" "$@"
}

# Builds everything the tests and the dev chain need — the node, the runtime (native and
# wasm), every crate's tests — in one cargo invocation, so features unify the same way
# every time and nothing compiles twice; linted (see `linted`).
build_workspace() {
	log "cargo build --locked --profile $CARGO_PROFILE --workspace --all-targets, linted (target dir $CARGO_TARGET_DIR)"
	(cd "$REPO_ROOT" && linted cargo build --locked --profile "$CARGO_PROFILE" --workspace --all-targets)
}

# The pallets that have benchmarks (a `src/benchmarking.rs`).
BENCHMARKED_PALLETS=()
for manifest in "$REPO_ROOT"/pallets/*/Cargo.toml; do
	[ -f "$(dirname "$manifest")/src/benchmarking.rs" ] || continue
	BENCHMARKED_PALLETS+=("$(sed -n 's/^name = "\(.*\)"/\1/p' "$manifest" | head -n1)")
done

# The second feature set, for CI only and never part of a node: the pallets, the primitives
# and the runtime with `runtime-benchmarks` (benchmarks, benchmark helpers, the `Benchmark`
# API), the runtime with `try-runtime` (the `TryRuntime` API, every pallet's `try_state` hook)
# and the runtime tests' try-runtime test. Natively, without the wasm runtime, linted, in one
# cargo invocation; runs the benchmark tests (each benchmark once on its pallet's mock) and
# the runtime-level tests, which with try-runtime also run every pallet's `try_state` after
# each block and the try-runtime upgrade checks (the other tests of these crates ran in the
# first feature set).
test_second_feature_set() {
	local packages=(hashrate-primitives "${BENCHMARKED_PALLETS[@]}" hashrate-runtime hashrate-runtime-tests)
	local features=("${packages[@]/%//runtime-benchmarks}")
	features=("${features[@]/#hashrate-runtime-tests\/runtime-benchmarks/hashrate-runtime-tests/try-runtime}")
	features+=(hashrate-runtime/try-runtime)
	local joined
	joined="$(IFS=,; echo "${features[*]}")"
	log "cargo test --lib ${packages[*]/#/-p } --features $joined -- benchmarking:: try_runtime lifecycle:: upgrade::, linted"
	local output
	output="$(mktemp)"
	(cd "$REPO_ROOT" && SKIP_WASM_BUILD=1 linted cargo test --locked --profile "$CARGO_PROFILE" \
		--lib "${packages[@]/#/--package=}" --features "$joined" -- benchmarking:: try_runtime lifecycle:: upgrade::) 2>&1 |
		tee "$output"
	# A filter that matches nothing passes quietly: each benchmarked pallet and the runtime
	# tests must have run tests.
	local crate ran status=0
	for crate in "${BENCHMARKED_PALLETS[@]}" hashrate-runtime-tests; do
		ran="$(awk -v crate="${crate//-/_}" '
			/Running unittests/ { current = ($0 ~ ("/deps/" crate "-")) }
			current && /test result:/ { print $4; exit }' "$output")"
		if [ "${ran:-0}" -eq 0 ]; then
			echo "error: no test of $crate ran in the second feature set" >&2
			status=1
		fi
	done
	rm -f "$output"
	return $status
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
