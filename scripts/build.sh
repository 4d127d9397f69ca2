#!/usr/bin/env bash
# Builds the page (scripts/build-page.sh) into dist/ and, unless --page-only, the native node.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
bash "$ROOT/scripts/build-page.sh"
cd "$ROOT"
# The test suite builds the node through `cargo test` (its integration tests run the binary),
# with the same features, so it passes --page-only instead of compiling the node twice.
if [[ "${1:-}" != "--page-only" ]]; then
  log "building the node"
  cargo build --offline -q -p peerkeeper-node
fi
