#!/usr/bin/env bash
# Builds the page (trunk, release wasm) into dist/ and, unless --page-only, the native node.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT/www"
log "building the page (trunk)"
trunk build --offline --config "$ROOT/trunk.toml"
cd "$ROOT"
# The test suite builds the node through `cargo test` (its integration tests run the binary),
# with the same features, so it passes --page-only instead of compiling the node twice.
if [[ "${1:-}" != "--page-only" ]]; then
  log "building the node"
  cargo build --offline -q -p peerkeeper-node
fi
