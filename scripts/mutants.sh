#!/usr/bin/env bash
# `make mutants`: mutation testing of domain's rule files (seat, access,
# trial, range) with domain's own tests. Prints caught/missed and fails
# when fewer than MIN_CAUGHT_PERCENT of the viable mutants are caught
# (viable = caught + missed; a timeout counts as caught, an unviable
# mutant — one that does not build — is left out). Results stay in
# mutants.out/ (missed.txt lists what no test noticed). See docs/mutants.md.
. "$(dirname "$0")/common.sh"

# Issue 27: at least this share of viable mutants caught.
MIN_CAUGHT_PERCENT=95
FILES=(domain/src/seat.rs domain/src/access.rs domain/src/trial.rs domain/src/range.rs)

if ! command -v cargo-mutants > /dev/null; then
  log "installing cargo-mutants"
  cargo install --locked cargo-mutants
fi

args=(-p domain --jobs "${MUTANTS_JOBS:-1}")
for f in "${FILES[@]}"; do args+=(--file "$f"); done

log "cargo mutants ${args[*]}"
# 0: all caught; 2: some missed; 3: some timed out. Anything else (1 usage,
# 4 the unmutated tests fail, 70 internal) is a failure of the run itself.
status=0
cargo mutants "${args[@]}" || status=$?
case $status in
  0 | 2 | 3) ;;
  *) echo "cargo mutants failed (exit $status)" >&2; exit "$status" ;;
esac

count() { if [ -f "mutants.out/$1" ]; then grep -c . "mutants.out/$1" || true; else echo 0; fi; }
caught=$(count caught.txt)
timeout=$(count timeout.txt)
missed=$(count missed.txt)
unviable=$(count unviable.txt)
noticed=$((caught + timeout))
viable=$((noticed + missed))
if [ "$viable" -eq 0 ]; then
  echo "no viable mutants: nothing was tested" >&2
  exit 1
fi

percent=$(awk -v n="$noticed" -v v="$viable" 'BEGIN { printf "%.1f", 100 * n / v }')
echo "mutants: $noticed of $viable viable caught ($percent %): $caught caught, $timeout timed out, $missed missed; $unviable unviable"
if [ "$missed" -gt 0 ]; then
  echo "missed (mutants.out/missed.txt):"
  sed 's/^/  /' mutants.out/missed.txt
fi
if [ $((noticed * 100)) -lt $((MIN_CAUGHT_PERCENT * viable)) ]; then
  echo "below $MIN_CAUGHT_PERCENT % caught" >&2
  exit 1
fi
