#!/usr/bin/env bash
# `make test`: install, build, then every suite: host unit tests, integration
# tests against wrangler dev + sim, browser tests in headless Chromium.
# Prints one summary; exits non-zero if anything failed.
. "$(dirname "$0")/common.sh"
bash scripts/install.sh
bash scripts/build.sh

IT="$ROOT/target/itest"
write_test_envs "$IT"

declare -a NAMES=() RESULTS=()
suite() {
  local name=$1; shift
  log "suite: $name"
  local start=$SECONDS
  if "$@"; then RESULTS+=("PASS"); else RESULTS+=("FAIL"); fi
  NAMES+=("$name ($((SECONDS - start))s)")
}

suite "host: cargo test --workspace" cargo test --workspace --quiet
suite "host: edge's development code (--features dev)" cargo test -p edge --features dev --quiet
suite "production bundle (wrangler deploy --dry-run): no development code" \
  bash scripts/check-release.sh

stop_started_on_exit
if start_stack "$TEST_PORT" "$TEST_SIM_PORT" "$IT/test.env" "$IT/state" "$IT/logs" \
   && start_worker "$TEST_SAMPLE_PORT" "$IT/sample.env" "$IT/sample-state" "$IT/logs" \
   && seed_demo "http://$DEV_HOST:$TEST_SIM_PORT" "http://$DEV_HOST:$TEST_PORT"; then
  export EDGE_URL="http://$DEV_HOST:$TEST_PORT" SIM_URL="http://$DEV_HOST:$TEST_SIM_PORT" \
    SAMPLE_EDGE_URL="http://$DEV_HOST:$TEST_SAMPLE_PORT" \
    WORKER_LOG="$IT/logs/wrangler-$TEST_PORT.log"
  load_env_file "$IT/test.env"
  suite "integration: edge under wrangler dev + sim" \
    cargo test -p itest --quiet --no-fail-fast -- --ignored --test-threads=4
  suite "browser: console in headless Chromium" node --test tests/e2e/
  # Last: Schemathesis changes the demo organisation's state as it goes.
  suite "contract: OpenAPI validated, Schemathesis against the stack" \
    bash scripts/contract.sh "$EDGE_URL"
else
  NAMES+=("stack: sim + wrangler dev did not start (see $IT/logs)"); RESULTS+=("FAIL")
fi
stop_started

echo
echo "================ test summary ================"
failed=0
for i in "${!NAMES[@]}"; do
  printf '  %-5s %s\n' "${RESULTS[$i]}" "${NAMES[$i]}"
  [ "${RESULTS[$i]}" = PASS ] || failed=1
done
echo "  screenshots: target/e2e/   stack logs: target/itest/logs/"
echo "=============================================="
exit $failed
