#!/usr/bin/env bash
# The production Worker has no development code. Builds its bundle the way
# `wrangler deploy` does (`--dry-run`: wrangler.toml's [build] command makes
# edge/release/ without the `dev` feature; offline, nothing is uploaded)
# into target/release-bundle/, and fails if its JavaScript or WebAssembly
# names a development route or switch. The development Worker (edge/build/)
# is left as it is; it must name them, or this check could not fail.
. "$(dirname "$0")/common.sh"

out="$ROOT/target/release-bundle"
rm -rf "$out" && mkdir -p "$out"
if ! wrangler deploy --dry-run --outdir "$out" > "$out.log" 2>&1; then
  cat "$out.log" >&2
  echo "wrangler deploy --dry-run failed" >&2
  exit 1
fi

# WORKER_FEATURES cannot put the development feature into what wrangler
# deploy builds: it refuses before building.
if WORKER_FEATURES=dev wrangler deploy --dry-run --outdir "$out.dev-attempt" > "$out.dev-attempt.log" 2>&1; then
  echo "wrangler deploy built a release bundle with WORKER_FEATURES=dev" >&2
  exit 1
fi
grep -q "never takes the dev feature" "$out.dev-attempt.log" || { cat "$out.dev-attempt.log" >&2; exit 1; }

# What only development builds have: the dev login, /api/v1/dev/*, the dev
# clock's and the D1 fault switch's names, the smaller KV page of the tests.
dev_strings=(
  /auth/dev-login /api/v1/dev/ dev:clock_offset
  d1_failure_share dev:d1_faults x-dev-d1-calls DEV_KV_LIST_PAGE_KEYS
)
mapfile -t bundle < <(find "$out" -type f \( -name '*.js' -o -name '*.mjs' -o -name '*.wasm' \))
[ "${#bundle[@]}" -gt 0 ] || { echo "no bundle in $out" >&2; exit 1; }
grep -qaF /api/v1/health "${bundle[@]}" || { echo "the bundle in $out is not the Worker's" >&2; exit 1; }
failed=0
# HTTPS only in production: every answer of the Worker carries HSTS.
grep -qaF "Strict-Transport-Security" "${bundle[@]}" || { echo "production bundle sets no Strict-Transport-Security" >&2; failed=1; }
for s in "${dev_strings[@]}"; do
  if grep -laF "$s" "${bundle[@]}" >&2; then
    echo "production bundle contains development code: $s" >&2
    failed=1
  fi
  if [ -d edge/build ] && ! grep -qaF "$s" edge/build/*.wasm edge/build/*.js; then
    echo "the development build does not contain $s: this check would not notice it" >&2
    failed=1
  fi
done
[ $failed = 0 ] && log "production bundle (${bundle[*]#"$out/"}): no development code"
exit $failed
