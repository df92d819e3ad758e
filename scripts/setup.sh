#!/usr/bin/env bash
# Installs what building Hashrate Chain needs, and only what is missing: the wasm targets
# and rust-src for the runtime, protoc and clang/libclang for the node's dependencies, and
# the pinned @zombienet/cli for the network tests (into ~/.cache/hashrate-chain/zombienet).
# Idempotent; needs root or sudo for the Debian packages.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if ! command -v cargo >/dev/null || ! command -v rustup >/dev/null; then
	echo "error: cargo and rustup are needed (https://rustup.rs); install them first" >&2
	exit 1
fi

installed_targets="$(rustup target list --installed)"
for target in wasm32v1-none wasm32-unknown-unknown; do
	if ! grep -qx "$target" <<<"$installed_targets"; then
		log "rustup target add $target"
		rustup target add "$target"
	fi
done
installed_components="$(rustup component list --installed)"
for component in rust-src clippy rustfmt; do
	if ! grep -q "^$component" <<<"$installed_components"; then
		log "rustup component add $component"
		rustup component add "$component"
	fi
done

missing=()
command -v protoc >/dev/null || missing+=(protobuf-compiler)
command -v clang >/dev/null || missing+=(clang)
dpkg -s libclang-dev >/dev/null 2>&1 || missing+=(libclang-dev)
if ((${#missing[@]})); then
	if ! command -v apt-get >/dev/null; then
		echo "error: missing ${missing[*]} and no apt-get to install them; install them by hand" >&2
		exit 1
	fi
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || { echo "error: installing ${missing[*]} needs root or sudo" >&2; exit 1; }
		sudo=sudo
	fi
	log "apt-get install ${missing[*]}"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if command -v npm >/dev/null; then
	install_zombienet
	log "setup: toolchain, packages and zombienet present"
else
	log "setup: toolchain and packages present; no npm, so no zombienet (the network tests need Node.js)"
fi
