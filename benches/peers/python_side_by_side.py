#!/usr/bin/env python3
"""MedVault's Python binding beside its peers, in one run, printing ratios.

- Sealing 1 KiB and 1 MiB: ``medvault.crypto.Aead`` against tink-python's
  ``AesCtrHmacAead`` (AES256_CTR_HMAC_SHA256), and ``medvault.crypto.StreamingAead`` against
  tink-python's ``AesCtrHmacStreaming`` (AES-256, HKDF-SHA256, HMAC-SHA256, 32-byte tags,
  64 KiB segments on both sides).
- Records against SQLCipher 4 (``sqlcipher3``; WAL, synchronous=FULL, raw 256-bit key, the
  schema of ``sqlcipher_insert.py``): durable 1 KiB writes one at a time (a put against an
  insert with its own commit), batched writes (``Vault.put_many`` of 100 against 100 inserts in
  one transaction), point reads by id, and listing one patient's records.

Each figure is the median of several timed rounds, in operations per second; the ratio is
MedVault's rate over the peer's (above 1: MedVault is faster). One run on one machine: rerun
before trusting a ratio near a goal.

    benches/python-peers.sh            # makes target/bench-venv and runs this script
    python benches/peers/python_side_by_side.py [--json FILE] [--quick]
"""

import argparse
import io
import json
import os
import pathlib
import random
import statistics
import sys
import tempfile
import time
import warnings
from importlib import metadata

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import medvault  # noqa: E402
import sqlcipher3  # noqa: E402
import tink  # noqa: E402
from medvault.crypto import Aead, StreamingAead  # noqa: E402
from sqlcipher_insert import connect, create, insert  # noqa: E402
from tink import aead as tink_aead  # noqa: E402
from tink import streaming_aead as tink_streaming  # noqa: E402
from tink.proto import common_pb2  # noqa: E402

KIB = 1024
MIB = 1024 * 1024
SEGMENT = 64 * KIB

# The goals of the bindings issue: MedVault's rate over the peer's.
GOALS = {
    "seal 1 KiB, AesCtrHmacAead": 1.5,
    "seal 1 MiB, AesCtrHmacAead": 1.5,
    "seal 1 KiB, AesCtrHmacStreaming": 1.5,
    "seal 1 MiB, AesCtrHmacStreaming": 1.5,
    "durable 1 KiB write": 1.0,
    "batched 1 KiB writes": 2.0,
    "point read 1 KiB": 2.0,
    "list one patient": 2.0,
}


def measure(operation, ops_per_round: int, rounds: int) -> float:
    """Median rate (ops/s) of `rounds` rounds of `ops_per_round` calls of `operation`."""
    operation()  # warm up
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(ops_per_round):
            operation()
        rates.append(ops_per_round / (time.perf_counter() - start))
    return statistics.median(rates)


class _KeptBytes(io.BytesIO):
    """A BytesIO that keeps its value when tink's encrypting stream closes it."""

    value = b""

    def close(self) -> None:
        self.value = self.getvalue()
        super().close()


def tink_primitives():
    tink_aead.register()
    tink_streaming.register()
    aead = tink.new_keyset_handle(
        tink_aead.aead_key_templates.AES256_CTR_HMAC_SHA256
    ).primitive(tink_aead.Aead)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        template = tink_streaming.streaming_aead_key_templates.create_aes_ctr_hmac_streaming_key_template(
            aes_key_size=32,
            hkdf_hash_type=common_pb2.SHA256,
            derived_key_size=32,
            mac_hash_type=common_pb2.SHA256,
            tag_size=32,
            ciphertext_segment_size=SEGMENT,
        )
    streaming = tink.new_keyset_handle(template).primitive(tink_streaming.StreamingAead)
    return aead, streaming


def tink_stream_seal(streaming, plaintext: bytes, aad: bytes) -> bytes:
    sink = _KeptBytes()
    with streaming.new_encrypting_stream(sink, aad) as stream:
        stream.write(plaintext)
    return sink.value


def sealing(rounds: int, scale: float) -> dict:
    tink_aead_primitive, tink_streaming_primitive = tink_primitives()
    ours_aead = Aead.generate()
    ours_streaming = StreamingAead.generate(segment_size=SEGMENT)
    aad = b"record-42"
    results = {}
    for size, label, ops in ((KIB, "1 KiB", 20_000), (MIB, "1 MiB", 40)):
        plaintext = os.urandom(size)
        ops = max(1, int(ops * scale))
        # Each side's ciphertext opens on the same side: the figures time working code.
        assert ours_aead.decrypt(ours_aead.encrypt(plaintext, aad), aad) == plaintext
        assert tink_aead_primitive.decrypt(tink_aead_primitive.encrypt(plaintext, aad), aad) == plaintext
        results[f"seal {label}, AesCtrHmacAead"] = (
            measure(lambda: ours_aead.encrypt(plaintext, aad), ops, rounds),
            measure(lambda: tink_aead_primitive.encrypt(plaintext, aad), ops, rounds),
        )
        sealed = tink_stream_seal(tink_streaming_primitive, plaintext, aad)
        assert len(sealed) == len(ours_streaming.encrypt(plaintext, aad))
        results[f"seal {label}, AesCtrHmacStreaming"] = (
            measure(lambda: ours_streaming.encrypt(plaintext, aad), ops, rounds),
            measure(lambda: tink_stream_seal(tink_streaming_primitive, plaintext, aad), ops, rounds),
        )
    return results


def records(scratch: pathlib.Path, rounds: int, scale: float) -> dict:
    payload = bytes(i % 251 for i in range(KIB))
    singles = max(10, int(200 * scale))
    batch = 100
    listed = 1000
    results = {}

    db = connect(scratch / "peer.db", os.urandom(32))
    create(db)
    with medvault.Vault.create(
        scratch / "vault", passphrase=os.urandom(32), index=scratch / "index"
    ) as vault:

        def ours_single():
            vault.put(payload, scope="patient-single", kind="bench")

        def peer_single():
            db.execute("BEGIN")
            insert(db, "patient-single", payload)
            db.execute("COMMIT")

        results["durable 1 KiB write"] = (
            measure(ours_single, singles, rounds),
            measure(peer_single, singles, rounds),
        )

        new = medvault.NewRecord(scope="patient-batch", kind="bench")
        items = [(payload, new)] * batch

        def peer_batch():
            db.execute("BEGIN")
            for _ in range(batch):
                insert(db, "patient-batch", payload)
            db.execute("COMMIT")

        ours, peer = (
            measure(lambda: vault.put_many(items), max(2, int(10 * scale)), rounds),
            measure(peer_batch, max(2, int(10 * scale)), rounds),
        )
        results["batched 1 KiB writes"] = (ours * batch, peer * batch)

        ours_listed = [meta.id for meta in vault.put_many([(payload, medvault.NewRecord(scope="patient-listed", kind="bench"))] * listed)]
        db.execute("BEGIN")
        peer_listed = [insert(db, "patient-listed", payload) for _ in range(listed)]
        db.execute("COMMIT")

        ours_order = random.sample(ours_listed, len(ours_listed))
        peer_order = random.sample(peer_listed, len(peer_listed))

        def ours_reads():
            for record in ours_order:
                assert len(vault.get(record).payload) == KIB

        def peer_reads():
            for record in peer_order:
                row = db.execute("SELECT payload FROM records WHERE id = ?", (record,)).fetchone()
                assert len(row[0]) == KIB

        ours, peer = measure(ours_reads, 1, rounds), measure(peer_reads, 1, rounds)
        results["point read 1 KiB"] = (ours * listed, peer * listed)

        def ours_list():
            assert len(vault.list_scope("patient-listed")) == listed

        def peer_list():
            rows = db.execute(
                "SELECT id, kind, created_ms FROM records WHERE scope = ? ORDER BY created_ms",
                ("patient-listed",),
            ).fetchall()
            assert len(rows) == listed

        results["list one patient"] = (
            measure(ours_list, max(2, int(20 * scale)), rounds),
            measure(peer_list, max(2, int(20 * scale)), rounds),
        )
    db.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=pathlib.Path, help="also write the figures here")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per figure")
    parser.add_argument("--quick", action="store_true", help="a tenth of the work (smoke run)")
    args = parser.parse_args()
    scale = 0.1 if args.quick else 1.0

    figures = sealing(args.rounds, scale)
    with tempfile.TemporaryDirectory(prefix="medvault-peers-") as scratch:
        figures.update(records(pathlib.Path(scratch), args.rounds, scale))

    db = sqlcipher3.connect(":memory:")
    sqlcipher_version = db.execute("PRAGMA cipher_version").fetchone()[0]
    report = {
        "peers": {"tink": metadata.version("tink"), "sqlcipher": sqlcipher_version},
        "figures": {},
    }
    print(f"{'case':36} {'medvault/s':>12} {'peer/s':>12} {'ratio':>7} {'goal':>6}")
    for case, (ours, peer) in figures.items():
        ratio = ours / peer
        goal = GOALS[case]
        mark = "met" if ratio >= goal else "MISSED"
        print(f"{case:36} {ours:12,.0f} {peer:12,.0f} {ratio:7.2f} {goal:5.1f}x {mark}")
        report["figures"][case] = {
            "medvault_ops_per_s": round(ours, 1),
            "peer_ops_per_s": round(peer, 1),
            "ratio": round(ratio, 3),
            "goal": goal,
        }
    print(f"peers: tink {report['peers']['tink']}, SQLCipher {sqlcipher_version}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
