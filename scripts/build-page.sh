#!/usr/bin/env bash
# Builds the page into dist/: the www crate for wasm32 (release), wasm-bindgen's web glue,
# wasm-opt -Oz (npm binaryen, never a system one), then index.html with content-hashed names.
# Plain cargo + wasm-bindgen, no trunk: a fresh machine saves trunk's 7-12 minute install.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

DIST="${DIST:-$ROOT/dist}"
WASM_OPT="$ROOT/node_modules/.bin/wasm-opt"
[ -x "$WASM_OPT" ] || { log "run scripts/setup.sh first (binaryen for wasm-opt)"; exit 1; }

log "building the page (peerkeeper-www, wasm32 release)"
cargo build --offline -q -p peerkeeper-www --bin peerkeeper-www --release --target wasm32-unknown-unknown

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
wasm-bindgen --target web --no-typescript --out-dir "$stage" --out-name peerkeeper-www \
  "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/peerkeeper-www.wasm"
"$WASM_OPT" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  -o "$stage/peerkeeper-www_bg.opt.wasm" "$stage/peerkeeper-www_bg.wasm"
mv "$stage/peerkeeper-www_bg.opt.wasm" "$stage/peerkeeper-www_bg.wasm"

# Content-hashed names, so a browser never pairs a new glue file with an old module.
wasm_hash="$(sha256sum "$stage/peerkeeper-www_bg.wasm" | cut -c1-16)"
wasm_name="peerkeeper-www-${wasm_hash}_bg.wasm"
js_hash="$(sha256sum "$stage/peerkeeper-www.js" | cut -c1-16)"
js_name="peerkeeper-www-${js_hash}.js"

rm -rf "$DIST"
mkdir -p "$DIST"
mv "$stage/peerkeeper-www_bg.wasm" "$DIST/$wasm_name"
mv "$stage/peerkeeper-www.js" "$DIST/$js_name"
[ -d "$stage/snippets" ] && mv "$stage/snippets" "$DIST/snippets"
node scripts/page-index.mjs "$ROOT/www" "$DIST" "$js_name" "$wasm_name"
log "page: $(wc -c < "$DIST/$wasm_name") bytes wasm, $(gzip -9c "$DIST/$wasm_name" | wc -c) gzipped"
