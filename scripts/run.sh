#!/usr/bin/env bash
# The main job: builds the page and the native node, then runs the node (its listeners and the
# page's HTTP server). Extra arguments go to peerkeeper-node (see --help).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
"$ROOT/scripts/setup.sh"
"$ROOT/scripts/build.sh"
cd "$ROOT"
log "starting the node; open the page URL it prints"
exec "$CARGO_TARGET_DIR/debug/peerkeeper-node" --dist "$ROOT/dist" "$@"
