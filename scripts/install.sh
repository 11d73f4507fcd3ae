#!/usr/bin/env bash
# Installs every tool the project needs, idempotently: anything already
# present at the right version is skipped, so repeated CI runs are quick.
. "$(dirname "$0")/common.sh"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
want_wb=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have_wb=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have_wb" != "$want_wb" ]; then
  log "installing wasm-bindgen-cli $want_wb"
  # No --locked: the registry mirror lags behind the CLI's own lockfile.
  cargo install wasm-bindgen-cli --version "$want_wb" --force
fi

if ! worker-build --version 2>/dev/null | grep -q '^0\.8\.'; then
  log "installing worker-build 0.8"
  cargo install worker-build --version '^0.8' --force
fi

# npm tools pinned in package-lock.json (wrangler 4.86.0, binaryen 132,
# playwright-core). The stamp records which lockfile node_modules matches.
stamp=node_modules/.wecom-seats-lock
if ! cmp -s package-lock.json "$stamp" 2>/dev/null; then
  log "installing npm packages from package-lock.json"
  npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
fi

# Debian's Chromium for browser tests (never a downloaded browser), and a
# CJK font so screenshots of the Chinese console are readable.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null \
   || ! fc-list 2>/dev/null | grep -qi "wenquanyi"; then
  log "installing chromium, chromium-driver, fonts-wqy-microhei"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei
fi

# Contract checks: openapi-spec-validator and Schemathesis, pinned, in a
# venv of their own (PyPI only). The stamp records the pins installed.
venv=.venv-contract
pins=scripts/contract-requirements.txt
if ! cmp -s "$pins" "$venv/.wecom-seats-pins" 2>/dev/null; then
  log "installing the contract tools pinned in $pins into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$pins"
  cp "$pins" "$venv/.wecom-seats-pins"
fi
