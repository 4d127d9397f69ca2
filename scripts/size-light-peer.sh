#!/usr/bin/env bash
# The browser light peer's wasm alone (web's `light_peer_size` example: the light peer without
# the page's UI), built as the page builds its wasm: release profile, wasm-bindgen, wasm-opt -Oz.
# Prints the raw and `gzip -9` sizes; `--top N` also prints twiggy's N largest items.
# Output in $CARGO_TARGET_DIR/light-peer-size/. docs/performance.md, "Light peer size".
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
top=0
if [[ "${1:-}" == "--top" ]]; then top="${2:-20}"; fi
target=wasm32-unknown-unknown
out="$CARGO_TARGET_DIR/light-peer-size"
mkdir -p "$out"

log "building the light peer alone (release, $target)"
# The release profile gives peerkeeper-web opt-level 3 for the npm engine; in the page the
# final crate (www) is at "z", so the probe is measured at "z" as well.
cargo build --offline -q -p peerkeeper-web --example light_peer_size --release --target "$target" \
  --no-default-features --features light-peer \
  --config 'profile.release.package.peerkeeper-web.opt-level="z"'
wasm-bindgen --target web --out-dir "$out" --out-name light_peer \
  "$CARGO_TARGET_DIR/$target/release/examples/light_peer_size.wasm"
# wasm-opt from npm binaryen 132 (as scripts/build-page.sh uses); the features rustc enables by default.
features=(--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-reference-types --enable-multivalue)
wasm-opt -Oz "${features[@]}" "$out/light_peer_bg.wasm" -o "$out/light_peer.opt.wasm"

raw=$(stat -c %s "$out/light_peer.opt.wasm")
gz=$(gzip -9 -c "$out/light_peer.opt.wasm" | wc -c)
printf 'light peer wasm: %d bytes raw (%.1f KiB), %d bytes gzip -9 (%.1f KiB)\n' \
  "$raw" "$(echo "$raw/1024" | bc -l)" "$gz" "$(echo "$gz/1024" | bc -l)"
if [[ "$top" != 0 ]]; then
  # The same optimization keeping the name section, so twiggy can name what it measures.
  wasm-opt -Oz -g "${features[@]}" "$out/light_peer_bg.wasm" -o "$out/light_peer.named.wasm"
  twiggy top -n "$top" "$out/light_peer.named.wasm"
fi
