#!/usr/bin/env bash
# Builds the Worker with worker-build.   build-worker.sh [out dir under edge/]
#
# wrangler.toml's `[build] command`: `wrangler deploy` (and its --dry-run)
# runs this first and bundles what it writes, the production Worker
# (edge/release/, no development code: no `dev` feature). `wrangler dev`
# runs it too (WRANGLER_COMMAND=dev); then it builds nothing, as the
# development Worker (edge/build/, `--features dev`) is made by
# scripts/build.sh and started by name (scripts/common.sh start_worker).
#   WORKER_FEATURES=dev  cargo features to build with (scripts/build.sh)
. "$(dirname "$0")/common.sh"

if [ "${WRANGLER_COMMAND:-}" = dev ]; then
  exit 0
fi
out=${1:-release}
features=${WORKER_FEATURES:-}
# The production Worker never takes the development feature, whatever the
# environment says (wrangler deploy runs this with the caller's variables).
if [ "$out" = release ] && [[ ",$features," == *,dev,* ]]; then
  echo "build-worker.sh: the release build (edge/release) never takes the dev feature (WORKER_FEATURES=$features)" >&2
  exit 1
fi
args=(--release --out-dir "$out")
[ -n "$features" ] && args+=(. --features "$features")
(
  cd edge
  # worker-build would download these from GitHub; hand it ours instead.
  WASM_BINDGEN_BIN="$(command -v wasm-bindgen)" WASM_OPT_BIN="$ROOT/node_modules/.bin/wasm-opt" \
    worker-build "${args[@]}"
)
