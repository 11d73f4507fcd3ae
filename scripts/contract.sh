#!/usr/bin/env bash
# The API contract, checked by tools no one here wrote: the committed
# OpenAPI document validates (openapi-spec-validator), the Worker serves that
# same document, and Schemathesis finds no failure of any check against the
# running test stack, signed in to the demo organisation with the access key.
#   contract.sh <worker url> [schemathesis run options, e.g. --seed N]
#   (ACCESS_API_KEY in the environment)
. "$(dirname "$0")/common.sh"
edge=$1; shift
venv=.venv-contract
"$venv/bin/openapi-spec-validator" edge/openapi.json
curl -fsS "$edge/api/v1/openapi.json" | cmp -s - edge/openapi.json \
  || { echo "the Worker serves another document than edge/openapi.json" >&2; exit 1; }
jar=$(mktemp)
curl -fsS -o /dev/null -c "$jar" -H 'Content-Type: application/json' \
  -d "{\"corp_id\":\"$DEMO_CORP_ID\",\"userid\":\"$DEMO_ADMIN\"}" "$edge/auth/dev-login"
session=$(awk '$6 == "ws_session" { print $7 }' "$jar")
rm -f "$jar"
[ -n "$session" ] || { echo "dev login gave no session cookie" >&2; exit 1; }
mkdir -p target/contract
# RevokeSessions is left out: it ends every session of the organisation,
# the one this run signs in with too (itest/tests/signin.rs covers it).
CONTRACT_CORP_ID=$DEMO_CORP_ID CONTRACT_SESSION=$session CONTRACT_PAGE_URL="$edge/members" "$venv/bin/schemathesis" \
  --config-file tests/contract/schemathesis.toml run edge/openapi.json \
  --url "$edge" --checks all --workers 1 --request-timeout 30 \
  --exclude-operation-id RevokeSessions \
  --report junit --report-dir target/contract "$@"
