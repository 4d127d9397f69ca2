#!/usr/bin/env bash
# Installs what is missing, checking versions, so a second run installs nothing.
# Needs: Debian, root, the package registries (Debian, crates.io, npm). Rust comes from rustup.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

apt_missing=()
for pkg in chromium chromium-driver curl ca-certificates; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || apt_missing+=("$pkg")
done
command -v node >/dev/null && command -v npm >/dev/null || apt_missing+=(nodejs npm)
if ((${#apt_missing[@]})); then
  log "apt: installing ${apt_missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${apt_missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null; then
  log "rust: installing the stable toolchain with rustup"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c rustfmt,clippy
fi
for component in rustfmt clippy; do
  rustup component list --installed | grep -q "^$component" || rustup component add "$component"
done
rustup target list --installed | grep -qx wasm32-unknown-unknown || {
  log "rust: adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
}

if [[ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]]; then
  log "cargo: installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked --force \
    || cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# npm tools (binaryen's wasm-opt 132, playwright-core): reinstalled only when the lock changes.
stamp="node_modules/.peerkeeper-lock.sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  log "npm: installing build and test tools"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

cargo fetch --locked -q
