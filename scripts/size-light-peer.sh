#!/usr/bin/env bash
# The browser light peer's wasm alone (web's `light_peer_size` example: the light peer without
# the page's UI), built as the page builds its wasm: release profile, wasm-bindgen, wasm-opt -Oz.
# Prints the raw and `gzip -9` sizes; `--top N` also prints twiggy's N largest items, and
# `--floor` also builds web's `libp2p_floor_size` example (the same libp2p stack with nothing
# of ours) and prints its sizes. Output in $CARGO_TARGET_DIR/light-peer-size/.
# docs/performance.md, "Light peer size".
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
top=0
floor=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --top) top="${2:-20}"; shift 2 || shift ;;
    --floor) floor=1; shift ;;
    *) log "unknown argument $1 (use --top N, --floor)"; exit 2 ;;
  esac
done
target=wasm32-unknown-unknown
out="$CARGO_TARGET_DIR/light-peer-size"
mkdir -p "$out"

# wasm-opt from npm binaryen 132 (as scripts/build-page.sh uses); the features rustc enables by default.
features=(--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-reference-types --enable-multivalue)

# Builds web's example $1 as the page builds its wasm and prints its sizes as $2.
measure() {
  log "building $1 (release, $target)"
  # The release profile gives peerkeeper-web opt-level 3 for the npm engine; in the page the
  # final crate (www) is at "z", so the probe is measured at "z" as well.
  cargo build --offline -q -p peerkeeper-web --example "$1" --release --target "$target" \
    --no-default-features --features light-peer \
    --config 'profile.release.package.peerkeeper-web.opt-level="z"'
  wasm-bindgen --target web --out-dir "$out" --out-name "$1" \
    "$CARGO_TARGET_DIR/$target/release/examples/$1.wasm"
  wasm-opt -Oz "${features[@]}" "$out/$1_bg.wasm" -o "$out/$1.opt.wasm"
  local raw gz
  raw=$(stat -c %s "$out/$1.opt.wasm")
  gz=$(gzip -9 -c "$out/$1.opt.wasm" | wc -c)
  printf '%s wasm: %d bytes raw (%.1f KiB), %d bytes gzip -9 (%.1f KiB)\n' \
    "$2" "$raw" "$(echo "$raw/1024" | bc -l)" "$gz" "$(echo "$gz/1024" | bc -l)"
}

measure light_peer_size "light peer"
if [[ "$floor" == 1 ]]; then measure libp2p_floor_size "libp2p alone (the floor)"; fi
if [[ "$top" != 0 ]]; then
  # The same optimization keeping the name section, so twiggy can name what it measures.
  wasm-opt -Oz -g "${features[@]}" "$out/light_peer_size_bg.wasm" -o "$out/light_peer.named.wasm"
  twiggy top -n "$top" "$out/light_peer.named.wasm"
fi
