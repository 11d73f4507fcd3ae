"""Prints `make bench`'s callback-door table (Markdown, for the README)
from door_bench's JSON lines, one line a round, for: ours, the no-I/O
route, the peer receiver with one gunicorn worker and with many, and,
when given, ours and the no-I/O route again, sent straight to the workerd
that runs the Worker (past wrangler dev's proxy). Each row
is the receiver's median round by callbacks/s (the machine's other load
moves between rounds; the median of rounds taken in turn is steadier than
any one run), with every round's rate in brackets.

    python3 bench/door_table.py <many workers> ours.jsonl noio.jsonl peer.jsonl peer-many.jsonl \
        [ours-direct.jsonl noio-direct.jsonl]
"""

import json
import sys


def median_round(path):
    rounds = [json.loads(line) for line in open(path) if line.strip()]
    ranked = sorted(rounds, key=lambda r: r["rps"])
    return ranked[(len(ranked) - 1) // 2], [r["rps"] for r in rounds]


many = sys.argv[1]
(ours, ours_all), (noio, noio_all), (peer, peer_all), (peer_many, many_all) = (
    median_round(path) for path in sys.argv[2:6])
rows = [
    ("ours: `POST /wecom/callback/command`", ours, ours_all),
    ("no-I/O route of the same worker (`POST /api/v1/dev/noop`)", noio, noio_all),
    ("peer: wechatpy + Flask + SQLite, gunicorn, 1 worker", peer, peer_all),
    (f"peer, {many} gunicorn workers (2 x cores + 1)", peer_many, many_all),
]
direct = len(sys.argv) > 7
if direct:
    (ours_d, ours_d_all), (noio_d, noio_d_all) = (median_round(p) for p in sys.argv[6:8])
    rows += [
        ("ours, past wrangler's dev proxy", ours_d, ours_d_all),
        ("no-I/O route, past wrangler's dev proxy", noio_d, noio_d_all),
    ]
print("| receiver | callbacks/s (rounds) | p50 ms | p99 ms | failed |")
print("|---|---|---|---|---|")
for name, r, every in rows:
    rates = ", ".join(f"{x:.0f}" for x in every)
    print(f"| {name} | {r['rps']:.0f} ({rates}) | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['failed']} |")


def ratio(a, b, target=None):
    if not b["rps"]:
        return "n/a"
    x = a["rps"] / b["rps"]
    if target is None:
        return f"{x:.2f}"
    return f"{x:.2f} (target >= {target}: {'met' if x >= target else 'NOT met'})"


print()
print(f"ours / no-I/O: {ratio(ours, noio, 0.5)}; ours / peer: {ratio(ours, peer, 0.4)}; "
      f"ours / peer with {many} workers: {ratio(ours, peer_many)}")
if direct:
    print(f"past the dev proxy: ours / no-I/O: {ratio(ours_d, noio_d)}; "
          f"ours / peer: {ratio(ours_d, peer)}; ours / peer with {many} workers: {ratio(ours_d, peer_many)}")
