#!/usr/bin/env bash
# `make bench`: measured, not asserted. Starts its own stack (ports 8790,
# 9103, state under target/bench) so it never touches dev or test data.
#   1. full sync of a 100 000-member organisation: seconds, peak RSS of workerd
#   2. a storm of 1 000 change_contact events from 16 senders, end to end
#   3. the access check at 500 requests/s: p50/p99 latency, rate achieved
#   4. the callback door: 16 senders of distinct suite_ticket callbacks,
#      callbacks/s and p99 for the worker's command URL, a route of the same
#      worker that does no I/O, and a wechatpy + Flask + SQLite receiver
#      (bench/peer under gunicorn, 1 worker on port 8791 and 2 x cores + 1
#      on 8792), one after another
#   5. the console: the members page of a 50 000-member organisation in
#      headless Chromium (first rows, the longest frame scrolling to the
#      end), the CSV export of the 100 000-member one (seconds, rows,
#      workerd memory), and the console's wasm size
#   6. the provider's desk with 50 000 organisations in D1: its route's
#      first pages (ms, D1 round trips, rows D1 read) and the page's
#      first rows in headless Chromium
#   7. the cost of each unit of work (callbacks of each kind, the access
#      check, a 10 000-member sync, a reconcile, an activation) by the
#      Worker's meter, and the monthly bill (`bill`, domain::cost)
# BENCH_ONLY=door runs the fourth alone (no simulator, no sync);
# BENCH_ONLY=console the fifth (with its own 100 000-member sync);
# BENCH_ONLY=desk the sixth; BENCH_ONLY=access the first three (the
# access check needs the synced organisation); BENCH_ONLY=cost the seventh.
# BENCH_MEMBERS / BENCH_DEPARTMENTS / BENCH_EVENTS override the sizes,
# STORM_ROUNDS / STORM_SENDERS the storm's rounds (3) and senders (16);
# DOOR_SECS / DOOR_WARMUP_SECS / DOOR_SENDERS / DOOR_ROUNDS the door's run.
. "$(dirname "$0")/common.sh"
ONLY=${BENCH_ONLY:-all}
case "$ONLY" in
  all | door | console | desk | access | cost) ;;
  *) echo "BENCH_ONLY is 'door', 'console', 'desk', 'access', 'cost' or unset (everything), not '$ONLY'" >&2; exit 2 ;;
esac
bash scripts/install.sh
bash scripts/build.sh
if [ "$ONLY" != door ]; then cargo build -q --release -p sim; fi
cargo build -q --profile bench-tools -p itest --bin door_bench --bin bill

# The peer receiver's venv (PyPI only), rebuilt when its pins change.
PEER_VENV="$ROOT/target/bench-peer-venv"
peer_pins=bench/peer/requirements.txt
if ! cmp -s "$peer_pins" "$PEER_VENV/.wecom-seats-pins" 2>/dev/null; then
  log "installing the peer receiver's packages pinned in $peer_pins into $PEER_VENV"
  rm -rf "$PEER_VENV"
  python3 -m venv "$PEER_VENV"
  "$PEER_VENV/bin/pip" install -q --disable-pip-version-check -r "$peer_pins"
  cp "$peer_pins" "$PEER_VENV/.wecom-seats-pins"
fi

MEMBERS=${BENCH_MEMBERS:-100000}
DEPARTMENTS=${BENCH_DEPARTMENTS:-1000}
EVENTS=${BENCH_EVENTS:-1000}
PORT=8790 SIMPORT=9103
B="$ROOT/target/bench"
rm -rf "$B" && mkdir -p "$B"
# The test suite's settings (common.sh `write_test_envs`, which
# scripts/test.sh uses too, so the two never drift apart) with fresh
# secrets and this bench's simulator.
(TEST_SIM_PORT=$SIMPORT; write_test_envs "$B/env") && mv "$B/env/test.env" "$B/bench.env"
# Except the tests' small sizes: the sync reads production's chunks of
# departments and KV lists production's pages; and one database, as
# production starts (the tests spread organisations over two), so the
# figures and the bill are one database's.
sed -i '/^SYNC_CHUNK_DEPARTMENTS=/d; /^DEV_KV_LIST_PAGE_KEYS=/d; /^D1_DATABASES=/d' "$B/bench.env"
stop_started_on_exit

PEERPORT=${BENCH_PEER_PORT:-8791}
EDGE="http://$DEV_HOST:$PORT" SIM="http://$DEV_HOST:$SIMPORT"
if [ "$ONLY" != door ]; then
  # The release simulator: the benchmark measures the worker, not a debug sim.
  (load_env_file "$B/bench.env"; start_bg "$B/sim.log" "$ROOT/target/release/sim" \
    --listen "$DEV_HOST:$SIMPORT" --worker "http://$DEV_HOST:$PORT"; echo "${STARTED_PGIDS[-1]}" > "$B/sim.pgid")
  STARTED_PGIDS+=("$(cat "$B/sim.pgid")")
  wait_for "http://$DEV_HOST:$SIMPORT/_sim/health" 30
fi
# Without wrangler's inspector (scripts/dev-worker.mjs says why).
WRANGLER_LOG=log WORKER_INSPECTOR=off start_worker "$PORT" "$B/bench.env" "$B/state" "$B"
WRANGLER_PGID=${STARTED_PGIDS[-1]}

# `wrangler dev` starts two workerd processes: one runs the Worker with its
# D1, KV and queues; the other serves $PORT with wrangler's dev proxy, which
# forwards every request to the first and logs it to wrangler's Node
# process. The Worker's is the one not serving $PORT.
workerd_pids() {
  local pid
  for pid in $(pgrep -g "$WRANGLER_PGID" -x workerd || true); do
    grep -qa -- "--socket-addr=entry=$DEV_HOST:$PORT" "/proc/$pid/cmdline" 2>/dev/null || echo "$pid"
  done
}
# The Worker's own address in that workerd (empty if not found): what
# production has in front of the Worker is Cloudflare, not the dev proxy.
direct_url() {
  command -v ss > /dev/null || return 0
  local pid port
  for pid in $(workerd_pids); do
    for port in $(ss -ltnpH 2>/dev/null | grep "pid=$pid," | grep -o "$DEV_HOST:[0-9]*" | cut -d: -f2); do
      if curl -fsS -m 2 "http://$DEV_HOST:$port/api/v1/health" 2>/dev/null | grep -q '"version"'; then
        echo "http://$DEV_HOST:$port"
        return 0
      fi
    done
  done
}
DIRECT=$(direct_url)
[ -n "$DIRECT" ] || log "the Worker's own address was not found (ss?): nothing measured past the dev proxy"
# Peak resident memory (VmHWM) of the Worker's workerd, sampled.
peak_kb() {
  local max=0 kb pid
  for pid in $(workerd_pids); do
    kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ "${kb:-0}" -gt "$max" ] && max=$kb
  done
  echo "$max"
}
rss_kb() {
  local total=0 kb pid
  for pid in $(workerd_pids); do
    kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    total=$((total + ${kb:-0}))
  done
  echo "$total"
}

# A synced organisation of generated members, its admin signed in:
# synced_org <corp> <members> <departments> <cookie jar>
synced_org() {
  sim_post "$SIM/_sim/suite_ticket"
  curl -fsS -X POST "$SIM/_sim/corps" -d "{\"corp_id\":\"$1\",\"corp_name\":\"Bench\",\"admins\":[\"u000000\"]}" >/dev/null
  curl -fsS -X POST "$SIM/_sim/corps/$1/generate" -d "{\"departments\":$3,\"members\":$2}" >/dev/null
  sim_post "$SIM/_sim/corps/$1/install"
  sign_in_when_installed "$EDGE" "$1" u000000 "$4"
  local state=running
  while [ "$state" = running ] || [ "$state" = idle ]; do
    sleep 0.5
    state=$(curl -fsS -b "$4" "$EDGE/api/v1/corps/$1/sync" | sed -n 's/.*"state":"\([a-z]*\)".*/\1/p')
  done
}

printf "\n================ bench report ================\n" > "$B/report.txt"
if [ "$ONLY" = all ] || [ "$ONLY" = access ]; then
  log "bench 1: full sync of $MEMBERS members in $DEPARTMENTS departments"
  CORP=wwbench01
  sim_post "$SIM/_sim/suite_ticket"
  curl -fsS -X POST "$SIM/_sim/corps" -d "{\"corp_id\":\"$CORP\",\"corp_name\":\"Bench\",\"admins\":[\"u000000\"]}" >/dev/null
  curl -fsS -X POST "$SIM/_sim/corps/$CORP/generate" -d "{\"departments\":$DEPARTMENTS,\"members\":$MEMBERS}" >/dev/null
  before_kb=$(rss_kb)
  start=$(date +%s.%N)
  sim_post "$SIM/_sim/corps/$CORP/install"
  COOKIES="$B/cookies"
  sign_in_when_installed "$EDGE" "$CORP" u000000 "$COOKIES"
  state=running samples=""
  while [ "$state" = running ] || [ "$state" = idle ]; do
    sleep 0.5
    samples="$samples $(rss_kb)"
    state=$(curl -fsS -b "$COOKIES" "$EDGE/api/v1/corps/$CORP/sync" | sed -n 's/.*"state":"\([a-z]*\)".*/\1/p')
  done
  end=$(date +%s.%N)
  status=$(curl -fsS -b "$COOKIES" "$EDGE/api/v1/corps/$CORP/sync")
  total=$(curl -fsS -b "$COOKIES" "$EDGE/api/v1/corps/$CORP/members?limit=1" | sed -n 's/.*"total":\([0-9]*\).*/\1/p')
  sync_secs=$(echo "$end - $start" | bc)
  peak_sample=$(for s in $samples; do echo "$s"; done | sort -n | tail -1)

  # Each round of the storm has its own organisation: $EVENTS members, one
  # event each (sim answers a change by scanning its members: on the
  # 100 000-member one it would be sim, not the Worker, that is measured).
  # Rounds one after another, each reported, and their median: on these
  # two shared cores one round varies by half either way.
  log "bench 2: $EVENTS change_contact events (update_user) for $EVENTS members from ${STORM_SENDERS:=16} senders, end to end, ${STORM_ROUNDS:=3} rounds"
  KEY=$(sed -n 's/^ACCESS_API_KEY=//p' "$B/bench.env")
  # The machine's whole CPU over a round (/proc/stat: every process, sim,
  # both workerds, Node and the senders): how busy the cores were, and CPU
  # milliseconds an event cost all of them together, so the events/s this
  # machine can reach at best is cores x 1000 / that.
  cpu_busy_idle() { awk '/^cpu /{print $2+$3+$4+$7+$8, $9, $5+$6}' /proc/stat; }
  # And each process's share (/proc/PID/stat: user + system ticks, every
  # thread): the Worker's workerd, the dev proxy's workerd (production has
  # none), wrangler's Node, the simulator (WeCom's side); the rest is the
  # senders and everything else on the machine.
  proxy_pids() { pgrep -g "$WRANGLER_PGID" -x workerd | grep -vxF "$(workerd_pids)" || true; }
  ticks() { local t=0 p v; for p in "$@"; do v=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0); t=$((t + ${v:-0})); done; echo "$t"; }
  sim_pids=$(pgrep -g "$(cat "$B/sim.pgid")" || true)
  node_pids=$(pgrep -g "$WRANGLER_PGID" -x node || true)
  share_ticks() { echo "$(ticks $(workerd_pids)) $(ticks $(proxy_pids)) $(ticks $node_pids) $(ticks $sim_pids)"; }
  hz=$(getconf CLK_TCK) cores=$(nproc)
  # storm_round <corp>: the round's three report lines.
  storm_round() {
    synced_org "$1" "$EVENTS" 10 "$B/cookies-$1"
    local busy0 stolen0 idle0 busy1 stolen1 idle1 worker0 proxy0 node0 sim0 worker1 proxy1 node1 sim1 storm
    read -r busy0 stolen0 idle0 < <(cpu_busy_idle)
    read -r worker0 proxy0 node0 sim0 < <(share_ticks)
    storm=$(EDGE="$EDGE" SIM="$SIM" KEY="$KEY" CORP="$1" EVENTS="$EVENTS" MEMBERS="$EVENTS" \
      SENDERS="$STORM_SENDERS" node tests/bench/storm.mjs)
    read -r busy1 stolen1 idle1 < <(cpu_busy_idle)
    read -r worker1 proxy1 node1 sim1 < <(share_ticks)
    echo "  $storm"
    awk -v b=$((busy1 - busy0)) -v s=$((stolen1 - stolen0)) -v i=$((idle1 - idle0)) \
      -v hz="$hz" -v n="$EVENTS" -v c="$cores" 'BEGIN {
        ms = b * 1000 / hz / n
        printf "    machine: cores busy %.0f %% (%.0f %% more taken by the host), %.1f CPU ms an event over every process, so at most %.0f events/s on %d cores\n", \
          100 * b / (b + s + i), 100 * s / (b + s + i), ms, c * 1000 / ms, c }'
    awk -v w=$((worker1 - worker0)) -v p=$((proxy1 - proxy0)) -v d=$((node1 - node0)) \
      -v m=$((sim1 - sim0)) -v b=$((busy1 - busy0)) -v hz="$hz" -v n="$EVENTS" -v c="$cores" 'BEGIN {
        ms = 1000 / hz / n; r = b - w - p - d - m; if (r < 0) r = 0
        printf "    by process, CPU ms an event: the Worker %.1f, the dev proxy %.1f, wrangler'"'"'s Node %.1f, the simulator %.1f, the senders and the rest %.1f; the Worker alone allows at most %.0f events/s on %d cores\n", \
          w * ms, p * ms, d * ms, m * ms, r * ms, (w > 0 ? c * 1000 / (w * ms) : 0), c }'
  }
  storm_rounds=""
  for round in $(seq "$STORM_ROUNDS"); do
    storm_rounds+="$(storm_round "$(printf 'wwstorm%02d' "$round")")"$'\n'
  done
  storm_median=$(grep -o '"events_per_s":"[0-9.]*"' <<< "$storm_rounds" | grep -o '[0-9.]*' | sort -n \
    | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}')

  log "bench 3: access check at ${ACCESS_RATE:=500} requests/s for ${ACCESS_SECS:=10} s"
  KEY=$(sed -n 's/^ACCESS_API_KEY=//p' "$B/bench.env")
  # 1 000 distinct members: a first pass warms their cached views, the second
  # is measured; then the same rate on a route with no I/O, for the floor.
  ACCESS_MEMBERS=$(( MEMBERS < 1000 ? MEMBERS : 1000 ))
  load() { EDGE="${LOAD_EDGE:-$EDGE}" KEY="$KEY" CORP="$CORP" MEMBERS="$ACCESS_MEMBERS" RATE="$ACCESS_RATE" node tests/bench/access_load.mjs; }
  SECS=2 load > /dev/null
  access=$(SECS="$ACCESS_SECS" load)
  baseline=$(BASELINE=1 SECS="$ACCESS_SECS" load)
  access_direct="(not measured)" baseline_direct="(not measured)"
  if [ -n "$DIRECT" ]; then
    access_direct=$(LOAD_EDGE=$DIRECT SECS="$ACCESS_SECS" load)
    baseline_direct=$(LOAD_EDGE=$DIRECT BASELINE=1 SECS="$ACCESS_SECS" load)
  fi

cat <<REPORT >> "$B/report.txt"
full sync: $MEMBERS members, $DEPARTMENTS departments
  state:            $state  ($status)
  members stored:   $total
  seconds:          $sync_secs   (target <= 10)
  workerd RSS:      before ${before_kb} KiB, peak sampled ${peak_sample} KiB, VmHWM $(peak_kb) KiB
  phases:           $(grep -o "sync $CORP: read.*" "$B/wrangler-$PORT.log" | head -1)
  local D1 on disk: $(du -sk "$B/state" 2>/dev/null | cut -f1) KiB (SQLite inside the same workerd)
change_contact storm: $EVENTS update_user events for $EVENTS members through sim -> worker -> D1, $STORM_SENDERS senders
  (each member renamed in sim, which pushes the callback; seconds until the last is applied; target >= 100 events/s)
$storm_rounds  median of $STORM_ROUNDS rounds: $storm_median events/s
access check: ${ACCESS_RATE} req/s for ${ACCESS_SECS} s, ${ACCESS_MEMBERS} members (target p99 <= 5 ms)
  $access
  no-I/O route at the same rate (the runtime's floor):
  $baseline
  the same two past wrangler's dev proxy (straight to the workerd running the Worker):
  $access_direct
  $baseline_direct
REPORT
fi

if [ "$ONLY" = all ] || [ "$ONLY" = cost ]; then
  log "bench 7: what each unit of work costs, and the monthly bill"
  KEY=$(sed -n 's/^ACCESS_API_KEY=//p' "$B/bench.env")
  SUITE=$(sed -n 's/^SUITE_ID=//p' "$B/bench.env")
  EDGE="$EDGE" SIM="$SIM" KEY="$KEY" SUITE_ID="$SUITE" WORKERD_PIDS="$(workerd_pids | tr '\n' ' ')" \
    node tests/bench/cost.mjs > "$B/cost.jsonl"
  # D1's bytes a member, from the 100 000-member sync's database on disk
  # (members, departments, events and everything else the sync wrote).
  per_member=""
  [ "$ONLY" = all ] && per_member=$(( $(du -sk "$B/state" | cut -f1) * 1024 / MEMBERS ))
cat <<REPORT >> "$B/report.txt"
cost per unit of work (meter of the Worker's development build; CPU ms is the
  Worker's workerd process, local D1/KV/queue included: an upper bound)
$(D1_BYTES_PER_MEMBER=${per_member:-300} "$ROOT/target/bench-tools/bill" < "$B/cost.jsonl")
REPORT
fi

if [ "$ONLY" = all ] || [ "$ONLY" = console ]; then
  PAGE_MEMBERS=${BENCH_PAGE_MEMBERS:-50000}
  log "bench 5: the console: members page of $PAGE_MEMBERS members, CSV export of $MEMBERS"
  [ "$ONLY" = console ] && synced_org wwbench01 "$MEMBERS" "$DEPARTMENTS" "$B/cookies"
  synced_org wwbench50 "$PAGE_MEMBERS" 500 "$B/cookies50"
  # The export, streamed to a file while workerd's memory is sampled.
  export_start=$(date +%s.%N) export_samples=""
  curl -fsS -b "$B/cookies" "$EDGE/api/v1/corps/wwbench01/export/members.csv" -o "$B/members.csv" &
  export_pid=$!
  while kill -0 "$export_pid" 2>/dev/null; do export_samples="$export_samples $(rss_kb)"; sleep 0.2; done
  wait "$export_pid" && export_ok=yes || export_ok=FAILED
  export_secs=$(echo "$(date +%s.%N) - $export_start" | bc | sed 's/^\./0./')
  export_rows=$(( $(wc -l < "$B/members.csv") - 1 ))
  export_peak=$(for s in $export_samples; do echo "$s"; done | sort -n | tail -1)
  members_page=$(EDGE="$EDGE" CORP=wwbench50 node tests/bench/members_page.mjs)
  members_page_direct="(not measured: the Worker's own address was not found)"
  [ -n "$DIRECT" ] && members_page_direct=$(EDGE="$DIRECT" CORP=wwbench50 node tests/bench/members_page.mjs)
  wasm_gz=$(gzip -9c dist/pkg/app_bg.wasm | wc -c)
cat <<REPORT >> "$B/report.txt"
console (targets: first rows <= 1 s, no frame over 50 ms; wasm <= 350 KB gzip)
  members page, $PAGE_MEMBERS members, headless Chromium 1280x800:
    through the dev proxy: $members_page
    straight to the Worker: $members_page_direct
  CSV export of $MEMBERS members: $export_ok, $export_rows rows, $(du -k "$B/members.csv" | cut -f1) KiB in $export_secs s;
    workerd RSS sampled during it: peak ${export_peak:-?} KiB
  console wasm: $wasm_gz bytes gzipped
REPORT
fi

# The desk's organisations, straight into D1 (one statement: the desk
# reads its own table, which the cron's snapshot keeps): varied figures so
# every filter matches some, names in no particular order.
desk_seed_sql() { # <organisations>
  local now; now=$(date +%s)
  cat <<SQL
INSERT INTO desk (corp_id, corp_name, members_in_range, seats_bought, seats_active, seats_free,
  seats_expiring, asking, refused, trial_ends_at, license_check_time, failed_events, last_sync_at,
  sync_state, updated_at)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1),
f(i, bought, active) AS (SELECT i, (i * 13) % 1000, ((i * 13) % 1000) * ((i * 7) % 10) / 10 FROM n)
SELECT printf('wwdesk%06d', i), printf('组织 %06d', (i * 7919) % 100003), (i * 37) % 5000,
  bought, active, bought - active, CASE WHEN i % 50 = 0 THEN i % 7 ELSE 0 END,
  CASE WHEN i % 10 = 0 THEN (i * 11) % 20 ELSE 0 END, CASE WHEN i % 25 = 0 THEN 1 ELSE 0 END,
  $now + ((i * 3) % 120 - 30) * 86400, $now + ((i * 3) % 120 - 30) * 86400,
  CASE WHEN i % 200 = 0 THEN 2 ELSE 0 END, $now - (i % 48) * 3600, 'idle', $now
FROM f;
SQL
}

if [ "$ONLY" = all ] || [ "$ONLY" = desk ]; then
  DESK_ORGS=${BENCH_DESK_ORGS:-50000}
  log "bench 6: the provider's desk with $DESK_ORGS organisations"
  wrangler d1 execute DB --local --persist-to "$B/state" --command "$(desk_seed_sql "$DESK_ORGS")" \
    > "$B/desk-seed.log" 2>&1 || { cat "$B/desk-seed.log" >&2; exit 1; }
  provider=$(sed -n 's/^PROVIDER_CORPID=//p' "$B/bench.env")
  desk_page=$(EDGE="$EDGE" PROVIDER_CORPID="$provider" node tests/bench/desk_page.mjs)
  desk_page_direct="(not measured: the Worker's own address was not found)"
  [ -n "$DIRECT" ] && desk_page_direct=$(EDGE="$DIRECT" PROVIDER_CORPID="$provider" node tests/bench/desk_page.mjs)
cat <<REPORT >> "$B/report.txt"
provider's desk, $DESK_ORGS organisations in D1 (pages of 100; ms is the median of 5;
  d1Calls and rowsRead are the route's D1 round trips and the rows D1 read):
    through the dev proxy: $desk_page
    straight to the Worker: $desk_page_direct
REPORT
fi

if [ "$ONLY" = console ] || [ "$ONLY" = desk ] || [ "$ONLY" = access ] || [ "$ONLY" = cost ]; then
  echo "==============================================" >> "$B/report.txt"
  cat "$B/report.txt"
  exit 0
fi

# bench 4: the callback door. Signed suite_ticket requests (made ahead,
# distinct per request) go to each receiver in turn, after a warm-up, for
# DOOR_ROUNDS rounds: our command URL, the no-I/O route of the same worker,
# the peer receiver with one and with many workers.
# itest/src/bin/door_bench.rs is the load generator.
DOOR_SECS=${DOOR_SECS:-5} DOOR_WARMUP_SECS=${DOOR_WARMUP_SECS:-2} DOOR_SENDERS=${DOOR_SENDERS:-16} DOOR_ROUNDS=${DOOR_ROUNDS:-3}
door_load() { # <name> <url> <expect: success | any2xx>
  (load_env_file "$B/bench.env"; DOOR_NAME=$1 DOOR_URL=$2 EXPECT=$3 SECS=$DOOR_SECS \
    WARMUP_SECS=$DOOR_WARMUP_SECS SENDERS=$DOOR_SENDERS "$ROOT/target/bench-tools/door_bench")
}
# The peer twice: one sync worker (gunicorn's default; one thread, as our
# Worker is one isolate) and gunicorn's advice for production, 2 x cores + 1.
PEER_WORKERS_MANY=$((2 * $(nproc) + 1))
start_peer() { # <port> <workers>
  port_free "$1" || { echo "port $1 (the peer receiver) is in use" >&2; return 1; }
  (load_env_file "$B/bench.env"; export PEER_DB="$B/peer-$2.db"; cd bench/peer || exit 1
   start_bg "$B/peer-$2.log" "$PEER_VENV/bin/gunicorn" --no-control-socket --workers "$2" \
     --bind "$DEV_HOST:$1" app:app; echo "${STARTED_PGIDS[-1]}" > "$B/peer-$2.pgid")
  STARTED_PGIDS+=("$(cat "$B/peer-$2.pgid")")
  wait_for "http://$DEV_HOST:$1/health" 30
}
start_peer "$PEERPORT" 1
start_peer "$((PEERPORT + 1))" "$PEER_WORKERS_MANY"
log "bench 4: callback door, $DOOR_SENDERS senders, $DOOR_ROUNDS rounds of ${DOOR_WARMUP_SECS} s warm-up + ${DOOR_SECS} s each"
# Messages the work queue's consumer has taken so far (wrangler's log line
# per batch, "QUEUE wecom-seats-work <acked>/<delivered>").
consumed() { { grep -o "QUEUE wecom-seats-work [0-9]*/[0-9]*" "$B/wrangler-$PORT.log" || true; } | awk '{split($3, n, "/"); s += n[2]} END {print s + 0}'; }
sent=0 taken=0 drained_secs=""
# Our door's load, then until the queue consumer has taken every ticket
# (its share comes after the answers: waited for so it does not slow the
# next receiver, and how long it ran on is reported).
door_ours() { # <name> <base url> <jsonl>
  local consumed_before answered_at this_run
  consumed_before=$(consumed)
  door_load "$1" "$2/wecom/callback/command" success >> "$3"
  answered_at=$(date +%s.%N)
  this_run=$(tail -1 "$3" | sed -n 's/.*"sent_with_warmup":\([0-9]*\).*/\1/p')
  for _ in $(seq 600); do [ $(($(consumed) - consumed_before)) -ge "$this_run" ] && break; sleep 0.1; done
  sent=$((sent + this_run)) taken=$((taken + $(consumed) - consumed_before))
  drained_secs="$drained_secs $(echo "$(date +%s.%N) - $answered_at" | bc | sed 's/^\./0./') s"
}
for _ in $(seq "$DOOR_ROUNDS"); do
  door_ours ours "$EDGE" "$B/door-ours.jsonl"
  door_load no-io "$EDGE/api/v1/dev/noop" any2xx >> "$B/door-noio.jsonl"
  if [ -n "$DIRECT" ]; then
    door_ours ours-direct "$DIRECT" "$B/door-ours-direct.jsonl"
    door_load no-io-direct "$DIRECT/api/v1/dev/noop" any2xx >> "$B/door-noio-direct.jsonl"
  fi
  door_load peer "http://$DEV_HOST:$PEERPORT/wecom/callback/command" success >> "$B/door-peer.jsonl"
  door_load peer-many "http://$DEV_HOST:$((PEERPORT + 1))/wecom/callback/command" success >> "$B/door-peer-many.jsonl"
done
tickets=$(curl -fsS -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $(sed -n 's/^ACCESS_API_KEY=//p' "$B/bench.env")" \
  "$EDGE/api/v1/dev/query" -d '{"sql":"SELECT count(*) AS n FROM events WHERE kind = '"'"'suite_ticket'"'"'"}' \
  | sed -n 's/.*"n":\([0-9]*\).*/\1/p')
direct_rows=()
[ -n "$DIRECT" ] && direct_rows=("$B/door-ours-direct.jsonl" "$B/door-noio-direct.jsonl")
door_table=$(python3 bench/door_table.py "$PEER_WORKERS_MANY" "$B/door-ours.jsonl" "$B/door-noio.jsonl" \
  "$B/door-peer.jsonl" "$B/door-peer-many.jsonl" "${direct_rows[@]}")
cat <<REPORT >> "$B/report.txt"
callback door: $DOOR_SENDERS senders, distinct valid suite_ticket callbacks; $DOOR_ROUNDS rounds, each receiver ${DOOR_SECS} s
  after ${DOOR_WARMUP_SECS} s warm-up in turn; each row is the receiver's median round, the rates of every round in brackets
  ($(nproc) cores, wrangler dev; targets: ours >= 0.5 x no-I/O and >= 0.4 x peer)
$door_table
  ours (both addresses): $sent tickets answered (warm-ups included), $taken taken by the queue consumer, the last of each run
  after:${drained_secs}; event rows written for them: $tickets (the queue message is the record)
REPORT
echo "==============================================" >> "$B/report.txt"
cat "$B/report.txt"
