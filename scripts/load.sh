#!/usr/bin/env bash
# Issue 10's load test on loopback (not part of scripts/test.sh: it runs for minutes).
#   bash scripts/load.sh [--minutes 10] [--demo-peers 200] [--clients 50] [--page off]
# Prints a JSON summary (connections, malformed frames, node memory, /bootstrap.json answers).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
bash scripts/setup.sh
bash scripts/build.sh
NODE_BIN="$CARGO_TARGET_DIR/debug/peerkeeper-node" DIST="$ROOT/dist" \
  nice -n 10 node --experimental-websocket tests/load/run.mjs "$@"
