#!/usr/bin/env bash
# `make soak`: the long runs `make test` has no time for.
#  1. The callback door's fuzzer (envelope, verify, decrypt, event parsing)
#     for SOAK_SECS (default 600).
#  2. Schemathesis against a fresh test stack with a fresh random seed per
#     run, for SOAK_CONTRACT_SECS (default 300): every failing seed is
#     printed with the command that replays it.
# Exits non-zero if either found anything.
. "$(dirname "$0")/common.sh"
bash scripts/install.sh
failed=0

log "soak: fuzzing the callback door for ${SOAK_SECS:-600} s"
FUZZ_SECS=${SOAK_SECS:-600} cargo test --release -p domain --test fuzz -- --nocapture || failed=1

bash scripts/build.sh
IT="$ROOT/target/soak"
write_test_envs "$IT"
stop_started_on_exit
start_stack "$TEST_PORT" "$TEST_SIM_PORT" "$IT/test.env" "$IT/state" "$IT/logs" \
  && seed_demo "http://$DEV_HOST:$TEST_SIM_PORT" "http://$DEV_HOST:$TEST_PORT" \
  || { echo "soak: the stack did not start (see $IT/logs)" >&2; exit 1; }
load_env_file "$IT/test.env"
edge="http://$DEV_HOST:$TEST_PORT"

declare -a bad_seeds=()
runs=0
until=$((SECONDS + ${SOAK_CONTRACT_SECS:-300}))
while [ "$SECONDS" -lt "$until" ]; do
  seed=$(( (RANDOM << 15 | RANDOM) + 1 ))
  runs=$((runs + 1))
  log "soak: Schemathesis, seed $seed (run $runs)"
  if bash scripts/contract.sh "$edge" --seed "$seed" > "$IT/logs/contract-$seed.log" 2>&1; then
    echo "seed $seed: no failure"
  else
    echo "seed $seed: FAILED (log: $IT/logs/contract-$seed.log)"
    tail -40 "$IT/logs/contract-$seed.log"
    bad_seeds+=("$seed")
  fi
done
stop_started

echo
echo "================ soak summary ================"
echo "  Schemathesis: $runs runs, ${#bad_seeds[@]} failed"
for seed in "${bad_seeds[@]}"; do
  echo "  replay: start the test stack, then bash scripts/contract.sh <worker url> --seed $seed"
done
echo "=============================================="
[ "${#bad_seeds[@]}" -eq 0 ] && [ "$failed" -eq 0 ]
