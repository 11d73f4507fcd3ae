#!/usr/bin/env bash
# Builds the Worker (edge/build/) and the console (dist/). Assumes install.sh ran.
. "$(dirname "$0")/common.sh"

export WECOM_SEATS_VERSION
WECOM_SEATS_VERSION=$(git rev-parse --short HEAD 2>/dev/null || echo dev)
wasm_opt="$ROOT/node_modules/.bin/wasm-opt"
wasm_features="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue"

# The OpenAPI document, from domain's route table and types; the Worker
# serves it, so it is written first.
log "writing edge/openapi.json (cargo run -p contract)"
cargo run -q -p contract -- edge/openapi.json

# The development Worker (edge/build/): with the `dev` feature (the dev
# login, /api/v1/dev/*, the dev clock, the D1 fault switch). The production
# bundle is made by `wrangler deploy` (scripts/build-worker.sh), without it.
log "building edge for development (worker-build --release --features dev)"
WORKER_FEATURES=dev bash scripts/build-worker.sh build

log "building sim"
cargo build -p sim

log "building app (Leptos CSR -> dist/)"
# `erase_components` type-erases Leptos's views: about 8 % less wasm. Its
# own target directory, so the flag does not make cargo rebuild the
# Worker's wasm dependencies (and they the app's) on every build.
RUSTFLAGS="--cfg erase_components" \
  cargo build --release --target wasm32-unknown-unknown -p app --target-dir target/app
rm -rf dist.tmp && mkdir -p dist.tmp/pkg
# Four binaries: the admins' console (app), the audit log (audit), a
# member's own page (me) and the provider's desk (desk).
for bin in app audit desk me; do
  wasm-bindgen --target web --no-typescript --out-dir dist.tmp/pkg --out-name "$bin" \
    "target/app/wasm32-unknown-unknown/release/$bin.wasm"
  # shellcheck disable=SC2086
  "$wasm_opt" -Oz $wasm_features "dist.tmp/pkg/${bin}_bg.wasm" -o "dist.tmp/pkg/${bin}_bg.wasm"
done
cp -r public/. dist.tmp/
cp style/*.css dist.tmp/
rm -rf dist && mv dist.tmp dist
log "wasm gzipped: app $(gzip -9c dist/pkg/app_bg.wasm | wc -c) bytes, audit $(gzip -9c dist/pkg/audit_bg.wasm | wc -c), me $(gzip -9c dist/pkg/me_bg.wasm | wc -c), desk $(gzip -9c dist/pkg/desk_bg.wasm | wc -c)"
