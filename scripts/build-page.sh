#!/usr/bin/env bash
# Builds the page into dist/: the www crate for wasm32 (release) once per driver (live, sim),
# wasm-bindgen's web glue, wasm-opt -Oz (npm binaryen, never a system one), then index.html
# with content-hashed names and a loader that picks the build the URL's mode needs.
# Plain cargo + wasm-bindgen, no trunk: a fresh machine saves trunk's 7-12 minute install.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

DIST="${DIST:-$ROOT/dist}"
WASM_OPT="$ROOT/node_modules/.bin/wasm-opt"
[ -x "$WASM_OPT" ] || { log "run scripts/setup.sh first (binaryen for wasm-opt)"; exit 1; }

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
# One build per driver (www's `live` and `sim` features): index.html loads the one its mode
# needs, so each view downloads only its own wasm.
build_variant() {
  local feature=$1 name="peerkeeper-$1"
  log "building the page's $feature build (peerkeeper-www --features $feature, wasm32 release)"
  # The release profile gives peerkeeper-web opt-level 3 for the npm engine's speed; in the
  # page that level inlined the light peer's swarm loop into itself (~100 KB gzipped more).
  cargo build --offline -q -p peerkeeper-www --bin peerkeeper-www --release \
    --target wasm32-unknown-unknown --no-default-features --features "$feature" \
    --config 'profile.release.package.peerkeeper-web.opt-level="z"'
  wasm-bindgen --target web --no-typescript --out-dir "$stage/$feature" --out-name "$name" \
    "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/peerkeeper-www.wasm"
  "$WASM_OPT" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    -o "$stage/$feature/${name}_bg.opt.wasm" "$stage/$feature/${name}_bg.wasm"
  mv "$stage/$feature/${name}_bg.opt.wasm" "$stage/$feature/${name}_bg.wasm"
  # Content-hashed names, so a browser never pairs a new glue file with an old module.
  local wasm_hash js_hash
  wasm_hash="$(sha256sum "$stage/$feature/${name}_bg.wasm" | cut -c1-16)"
  js_hash="$(sha256sum "$stage/$feature/$name.js" | cut -c1-16)"
  mv "$stage/$feature/${name}_bg.wasm" "$stage/${name}-${wasm_hash}_bg.wasm"
  mv "$stage/$feature/$name.js" "$stage/${name}-${js_hash}.js"
  if [ -d "$stage/$feature/snippets" ]; then
    mkdir -p "$stage/snippets"
    cp -r "$stage/$feature/snippets/." "$stage/snippets/"
  fi
}
build_variant live
build_variant sim

rm -rf "$DIST"
mkdir -p "$DIST"
for f in "$stage"/*.wasm "$stage"/*.js; do mv "$f" "$DIST/"; done
[ -d "$stage/snippets" ] && mv "$stage/snippets" "$DIST/snippets"
name_of() { basename "$(ls "$DIST"/peerkeeper-"$1"-*"$2")"; }
node scripts/page-index.mjs "$ROOT/www" "$DIST" \
  "$(name_of live .js)" "$(name_of live _bg.wasm)" "$(name_of sim .js)" "$(name_of sim _bg.wasm)"
css_gz=0
for css in "$DIST"/*.css; do css_gz=$((css_gz + $(gzip -9c "$css" | wc -c))); done
for feature in live sim; do
  wasm="$DIST/$(name_of "$feature" _bg.wasm)" js="$DIST/$(name_of "$feature" .js)"
  wasm_gz=$(gzip -9c "$wasm" | wc -c) js_gz=$(gzip -9c "$js" | wc -c)
  log "page, $feature views: $(wc -c < "$wasm") bytes wasm, $wasm_gz gzipped; transfer (wasm + JS + CSS, gzip -9) $((wasm_gz + js_gz + css_gz)) bytes"
done
