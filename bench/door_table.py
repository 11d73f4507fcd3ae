"""Prints `make bench`'s callback-door table (Markdown, for the README)
from door_bench's JSON lines: ours, the no-I/O route, the peer receiver with
one gunicorn worker and with many.

    python3 bench/door_table.py <many workers> ours.json noio.json peer.json peer-many.json
"""

import json
import sys

many = sys.argv[1]
ours, noio, peer, peer_many = (json.load(open(path)) for path in sys.argv[2:6])
rows = [
    ("ours: `POST /wecom/callback/command`", ours),
    ("no-I/O route of the same worker (`POST /api/v1/dev/noop`)", noio),
    ("peer: wechatpy + Flask + SQLite, gunicorn, 1 worker", peer),
    (f"peer, {many} gunicorn workers (2 x cores + 1)", peer_many),
]
print("| receiver | callbacks/s | p50 ms | p99 ms | failed |")
print("|---|---|---|---|---|")
for name, r in rows:
    print(f"| {name} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['failed']} |")


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
