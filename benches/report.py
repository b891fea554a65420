#!/usr/bin/env python3
"""Prints the throughput of the last `cargo bench -p medvault-benches --bench crypto` run from
criterion's estimates, with the ratios the performance goals are stated in."""

import json
import pathlib
import sys

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else
                    pathlib.Path(__file__).resolve().parent.parent / "target" / "criterion")
SIZES = {"1KiB": 1 << 10, "64KiB": 64 << 10, "1MiB": 1 << 20, "64MiB": 64 << 20}


def gbps(group: str, bench: str, size: str) -> float:
    path = ROOT / group / bench / size / "new" / "estimates.json"
    nanos = json.loads(path.read_text())["mean"]["point_estimate"]
    return SIZES[size] / nanos


def main() -> int:
    if not ROOT.exists():
        print("no criterion results: run `cargo bench -p medvault-benches --bench crypto` first")
        return 1
    rows = [
        ("AES-256-CTR", "primitive", "aes256-ctr"),
        ("HMAC-SHA256", "primitive", "hmac-sha256"),
        ("seal, 1 thread", "streaming-1-thread", "seal"),
        ("open, 1 thread", "streaming-1-thread", "open"),
        ("seal, all cores", "streaming-all-cores", "seal"),
        ("open, all cores", "streaming-all-cores", "open"),
    ]
    print("| GB/s | " + " | ".join(SIZES) + " |")
    print("| --- |" + " --- |" * len(SIZES))
    for label, group, bench in rows:
        print(f"| {label} | " + " | ".join(f"{gbps(group, bench, s):.2f}" for s in SIZES) + " |")
    print()
    for size in SIZES:
        limit = 1 / (1 / gbps("primitive", "aes256-ctr", size) + 1 / gbps("primitive", "hmac-sha256", size))
        seal1 = gbps("streaming-1-thread", "seal", size)
        open1 = gbps("streaming-1-thread", "open", size)
        sealn = gbps("streaming-all-cores", "seal", size)
        print(
            f"{size}: one-core limit {limit:.2f} GB/s; seal 1 thread {seal1 / limit:.2f}x of it, "
            f"open 1 thread {open1 / limit:.2f}x; seal all cores {sealn / seal1:.2f}x of 1 thread"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
