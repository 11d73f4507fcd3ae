"""The peer `make bench` measures our callback door against: a WeCom suite
command URL receiver as a Python shop would build it, on wechatpy + Flask +
SQLite under gunicorn. It does the work our door does for a suite_ticket,
before answering: check the timestamp, verify msg_signature, decrypt
(wechatpy's enterprise WeChatCrypto, receive id = the suite id), parse,
record the event deduplicated by the hash of its plaintext, apply it (keep
the latest suite_ticket) and mark it applied, in one SQLite transaction,
then answer ``success``.

Configuration from the environment, the same names as the worker's:
SUITE_ID, SUITE_TOKEN, SUITE_ENCODING_AES_KEY, CALLBACK_MAX_SKEW_SECS;
PEER_DB is the SQLite file.
"""

import hashlib
import os
import sqlite3
import time

import xmltodict
from flask import Flask, Response, request
from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.enterprise.exceptions import InvalidCorpIdException

SUITE_ID = os.environ["SUITE_ID"]
MAX_SKEW_SECS = int(os.environ.get("CALLBACK_MAX_SKEW_SECS", "300"))
DB_PATH = os.environ["PEER_DB"]
crypto = WeChatCrypto(
    os.environ["SUITE_TOKEN"], os.environ["SUITE_ENCODING_AES_KEY"], SUITE_ID
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
  dedupe_key TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  raw TEXT NOT NULL,
  applied_at INTEGER
);
CREATE TABLE IF NOT EXISTS suite_ticket (
  suite_id TEXT PRIMARY KEY,
  ticket TEXT NOT NULL,
  sent_at INTEGER NOT NULL
);
"""

app = Flask(__name__)


def db():
    """One connection per worker process, in WAL mode."""
    conn = getattr(app, "_conn", None)
    if conn is None:
        conn = sqlite3.connect(DB_PATH, timeout=30, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.executescript(SCHEMA)
        app._conn = conn
    return conn


def refuse(status, reason):
    return Response(reason, status=status, mimetype="text/plain")


@app.post("/wecom/callback/command")
def command():
    args = request.args
    signature, timestamp, nonce = (
        args.get("msg_signature"), args.get("timestamp"), args.get("nonce"))
    if not (signature and timestamp and nonce):
        return refuse(400, "missing msg_signature, timestamp or nonce")
    if not timestamp.isdigit():
        return refuse(400, "timestamp is not a number")
    now = int(time.time())
    if MAX_SKEW_SECS and abs(now - int(timestamp)) > MAX_SKEW_SECS:
        return refuse(401, "stale timestamp")
    try:
        message = crypto.decrypt_message(request.get_data(), signature, timestamp, nonce)
    except InvalidSignatureException:
        return refuse(401, "bad msg_signature")
    except InvalidCorpIdException:
        return refuse(403, "wrong receive id")
    except Exception as e:  # bad envelope, base64, padding
        return refuse(400, f"cannot decrypt: {type(e).__name__}")
    try:
        event = xmltodict.parse(message)["xml"]
        kind = event["InfoType"]
    except Exception:
        return refuse(400, "not a suite event")
    key = hashlib.sha256(message.encode()).hexdigest()
    conn = db()
    conn.execute("BEGIN IMMEDIATE")
    try:
        fresh = conn.execute(
            "INSERT INTO events (dedupe_key, kind, received_at, raw) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (dedupe_key) DO NOTHING",
            (key, kind, now, message),
        ).rowcount
        if fresh and kind == "suite_ticket" and event.get("SuiteId") == SUITE_ID:
            conn.execute(
                "INSERT INTO suite_ticket (suite_id, ticket, sent_at) VALUES (?, ?, ?) "
                "ON CONFLICT (suite_id) DO UPDATE SET ticket = excluded.ticket, "
                "sent_at = excluded.sent_at WHERE excluded.sent_at >= suite_ticket.sent_at",
                (SUITE_ID, event["SuiteTicket"], int(event["TimeStamp"])),
            )
            conn.execute(
                "UPDATE events SET applied_at = ? WHERE dedupe_key = ?", (now, key))
        conn.execute("COMMIT")
    except Exception:
        conn.execute("ROLLBACK")
        return refuse(503, "storage unavailable, retry")
    return Response("success", mimetype="text/plain")


@app.get("/health")
def health():
    db()
    return Response("ok", mimetype="text/plain")
