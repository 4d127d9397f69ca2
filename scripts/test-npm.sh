#!/usr/bin/env bash
# Builds and packs the npm package, installs the tarball into an empty temporary folder, and
# runs tests/npm there: node --test (ESM, CommonJS, every method, bad input, snapshots, seed
# 001) and the same engine cases in headless Chromium through the browser build.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

TARBALL="$("$ROOT/scripts/build-npm.sh")"
APP="$(mktemp -d "${TMPDIR:-/tmp}/peerkeeper-npm-XXXXXX")"
trap 'rm -rf "$APP"' EXIT
log "installing $(basename "$TARBALL") into $APP"
(cd "$APP" && echo '{ "name": "app", "private": true }' > package.json \
  && npm install --silent --no-audit --no-fund --offline "$TARBALL")

log "npm package tests (node --test, then Chromium)"
# Bounded like scripts/test.sh's steps: a hang fails here within 10 minutes. No
# --test-force-exit: with it, about one run in six of engine.test.mjs exited before its last
# ten results reached the runner, which then counted 123 of 133 tests and still passed.
PEERKEEPER_NPM_DIR="$APP" timeout --kill-after=20 600 \
  node --test --test-concurrency=1 --test-timeout=180000 tests/npm/
