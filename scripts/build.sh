#!/usr/bin/env bash
# Builds the page (trunk, release wasm) into dist/ and the native node.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT/www"
log "building the page (trunk)"
trunk build --offline --config "$ROOT/trunk.toml"
cd "$ROOT"
log "building the node"
cargo build --offline -q -p peerkeeper-node
