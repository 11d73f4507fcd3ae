#!/usr/bin/env bash
# `make dev`: install, build, start sim + wrangler dev with the demo
# organisation, print the console URL; Ctrl-C stops everything started here.
. "$(dirname "$0")/common.sh"
bash scripts/install.sh
bash scripts/build.sh
ensure_dev_vars
stop_started_on_exit
# WeCom (sim) remembers across runs, like the worker's D1 does.
export SIM_STATE="$ROOT/.wrangler/sim-state.json"
start_stack "$DEV_PORT" "$SIM_PORT" "$ROOT/.dev.vars" "$ROOT/.wrangler/state" "$ROOT/.run"
log "seeding the demo organisation $DEMO_CORP_ID"
seed_demo "http://$DEV_HOST:$SIM_PORT" "http://$DEV_HOST:$DEV_PORT"
cat <<MSG

  Console: http://$DEV_HOST:$DEV_PORT/
  Sign in as WeCom would: open http://$DEV_HOST:$DEV_PORT/auth/login — the
    simulated QR page lists every member; click $DEMO_ADMIN of $DEMO_CORP_ID to
    "scan" (a member who is no admin is refused, as in WeCom).
  A member's own page (/me), as inside WeCom's app: open
    http://$DEV_HOST:$DEV_PORT/me with a user agent containing "wxwork"
    (e.g. Chromium's device toolbar) and pick the member on sim's page.
  Scripts: POST /auth/dev-login {"corp_id":"$DEMO_CORP_ID","userid":"$DEMO_ADMIN"} (development only)
  WeCom simulator: http://$DEV_HOST:$SIM_PORT/_sim/health
  Logs: .run/wrangler-$DEV_PORT.log, .run/sim.log   (Ctrl-C stops everything)

MSG
wait || true
log "stopping"
