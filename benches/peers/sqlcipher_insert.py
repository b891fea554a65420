#!/usr/bin/env python3
"""SQLCipher beside the vault: 1 KiB inserts with a commit each, the same inserts in one
transaction, point reads by id, and the listing of one scope, printed as JSON (ops/s).

Needs `pip install sqlcipher3-wheels` (SQLCipher 4 with its own OpenSSL). The database is
keyed with a raw 256-bit key (no PBKDF2, like the vault's raw unlock key), in WAL mode with
synchronous=FULL, so that every commit is fsync'd as every vault put is. The table mirrors a
vault record: a random 16-byte id (unique index), a scope (indexed, for the listing), a kind, a
creation time and the payload, in a rowid table. SQLite's page cache stays at its default
(2000 pages, 8 MiB), smaller than the database, so point reads decrypt pages from the OS cache.

    python3 benches/peers/sqlcipher_insert.py [--records N] [--size BYTES]

Compare with `cargo bench -p medvault-benches --bench vault` on the same machine, one run each,
then `python3 benches/report.py vault` (which reads this script's JSON from
target/criterion/sqlcipher.json if it is there): insert_commit_each against put-folder/1-task/1KiB,
point_read against get-folder/1-task/1KiB, list_scope against list-scope-folder. Both sides are
single-process on the local disk; SQLite has a single writer, so the vault's 8-task figures have
no SQLite counterpart.
"""

import argparse
import json
import os
import pathlib
import random
import sys
import tempfile
import time

try:
    import sqlcipher3
except ImportError:
    print(json.dumps({"error": "sqlcipher3 is not installed: pip install sqlcipher3-wheels"}))
    sys.exit(1)


def connect(path: pathlib.Path, key: bytes):
    db = sqlcipher3.connect(str(path), isolation_level=None)
    db.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    return db


def create(db) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS records ("
        " id BLOB NOT NULL UNIQUE, scope TEXT NOT NULL, kind TEXT NOT NULL,"
        " created_ms INTEGER NOT NULL, payload BLOB NOT NULL)"
    )
    db.execute("CREATE INDEX IF NOT EXISTS records_scope ON records (scope, created_ms)")


def insert(db, scope: str, payload: bytes) -> bytes:
    record = os.urandom(16)
    db.execute(
        "INSERT INTO records (id, scope, kind, created_ms, payload) VALUES (?, ?, ?, ?, ?)",
        (record, scope, "bench", time.time_ns() // 1_000_000, payload),
    )
    return record


def rate(ops: int, seconds: float) -> dict:
    return {"ops": ops, "seconds": round(seconds, 4), "ops_per_s": round(ops / seconds, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000,
                        help="inserts with a commit each (10x as many in one transaction)")
    parser.add_argument("--size", type=int, default=1024, help="payload bytes")
    parser.add_argument("--list", type=int, default=1000, help="records in the listed scope")
    args = parser.parse_args()
    payload = bytes(i % 251 for i in range(args.size))
    key = os.urandom(32)
    result = {"payload_bytes": args.size}
    with tempfile.TemporaryDirectory(prefix="sqlcipher-bench-") as scratch:
        db = connect(pathlib.Path(scratch) / "peer.db", key)
        result["sqlcipher_version"] = db.execute("PRAGMA cipher_version").fetchone()[0]
        result["sqlite_version"] = sqlcipher3.sqlite_version
        result["settings"] = {
            "journal_mode": db.execute("PRAGMA journal_mode").fetchone()[0],
            "synchronous": db.execute("PRAGMA synchronous").fetchone()[0],
            "page_size": db.execute("PRAGMA page_size").fetchone()[0],
        }
        create(db)

        ids = []
        start = time.perf_counter()
        for _ in range(args.records):
            db.execute("BEGIN")
            ids.append(insert(db, "patient-commit-each", payload))
            db.execute("COMMIT")
        result["insert_commit_each"] = rate(args.records, time.perf_counter() - start)

        batch = args.records * 10
        start = time.perf_counter()
        db.execute("BEGIN")
        for _ in range(batch):
            ids.append(insert(db, "patient-one-transaction", payload))
        db.execute("COMMIT")
        result["insert_one_transaction"] = rate(batch, time.perf_counter() - start)

        db.execute("BEGIN")
        for _ in range(args.list):
            insert(db, "patient-listed", payload)
        db.execute("COMMIT")

        reads = len(ids)
        order = random.sample(ids, reads)
        start = time.perf_counter()
        for record in order:
            row = db.execute("SELECT payload FROM records WHERE id = ?", (record,)).fetchone()
            assert row is not None and len(row[0]) == args.size
        result["point_read"] = rate(reads, time.perf_counter() - start)

        lists = 20
        start = time.perf_counter()
        for _ in range(lists):
            rows = db.execute(
                "SELECT id, kind, created_ms FROM records WHERE scope = ? ORDER BY created_ms",
                ("patient-listed",),
            ).fetchall()
            assert len(rows) == args.list
        seconds = time.perf_counter() - start
        result["list_scope"] = {
            "records": args.list,
            "calls": lists,
            "seconds_per_call": round(seconds / lists, 6),
            "records_per_s": round(args.list * lists / seconds, 1),
        }
        db.close()
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
