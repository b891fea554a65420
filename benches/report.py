#!/usr/bin/env python3
"""Prints the figures of the last `cargo bench -p medvault-benches --bench crypto` (or `--bench
vault`, `--bench identity` or `--bench hospital`) run from criterion's estimates, with the
ratios the performance goals are stated in.

    python3 benches/report.py [crypto|vault|identity|hospital] [CRITERION_FOLDER]

For `vault`, the SQLCipher peer's JSON is shown beside it when it was saved as
`CRITERION_FOLDER/sqlcipher.json` (`python3 benches/peers/sqlcipher_insert.py >
target/criterion/sqlcipher.json`)."""

import json
import pathlib
import sys

ARGS = sys.argv[1:]
WHICH = (ARGS.pop(0) if ARGS and ARGS[0] in ("crypto", "vault", "identity", "hospital")
         else "crypto")
ROOT = pathlib.Path(ARGS[0] if ARGS else
                    pathlib.Path(__file__).resolve().parent.parent / "target" / "criterion")
SIZES = {"1KiB": 1 << 10, "64KiB": 64 << 10, "1MiB": 1 << 20, "64MiB": 64 << 20}


def gbps(group: str, bench: str, size: str) -> float:
    path = ROOT / group / bench / size / "new" / "estimates.json"
    nanos = json.loads(path.read_text())["mean"]["point_estimate"]
    return SIZES[size] / nanos


def mean_ns(*parts: str) -> float | None:
    path = ROOT.joinpath(*parts, "new", "estimates.json")
    if not path.exists():
        return None
    estimates = json.loads(path.read_text())
    # The figure criterion prints: the slope under linear sampling, the mean under flat.
    return (estimates.get("slope") or estimates["mean"])["point_estimate"]


def vault() -> int:
    """Per-record times, records/s and MB/s of put and get, 8 tasks against 1, list and rebuild."""
    rows = []
    for op in ("put", "get"):
        for backend in ("folder", "s3"):
            for size in ("1KiB", "1MiB"):
                one = mean_ns(f"{op}-{backend}", "1-task", size)
                eight = mean_ns(f"{op}-{backend}", "8-tasks", size)
                if one is None and eight is None:
                    continue
                rows.append((op, backend, size, one, eight))
    if not rows:
        print("no vault results: run `cargo bench -p medvault-benches --bench vault` first")
        return 1

    def cell(nanos: float | None, size: str) -> str:
        if nanos is None:
            return "- | - | -"
        return f"{nanos / 1e3:,.1f} | {1e9 / nanos:,.0f} | {SIZES[size] * 1e3 / nanos:,.1f}"

    print("| op | store | size | 1 task: us/record | records/s | MB/s "
          "| 8 tasks: us/record | records/s | MB/s | 8 tasks / 1 task |")
    print("| --- | --- | --- |" + " ---: |" * 7)
    for op, backend, size, one, eight in rows:
        ratio = f"{one / eight:.2f}x" if one and eight else "-"
        print(f"| {op} | {backend} | {size} | {cell(one, size)} | {cell(eight, size)} | {ratio} |")
    print()
    for group in ("list-scope-folder", "rebuild-folder"):
        folder = ROOT / group
        if not folder.exists():
            continue
        for bench in sorted(p.name for p in folder.iterdir() if p.is_dir() and p.name != "report"):
            for param in sorted(p.name for p in (folder / bench).iterdir()
                                if p.is_dir() and p.name != "report"):
                nanos = mean_ns(group, bench, param)
                if nanos is None:
                    continue
                records = int(param)
                print(f"{group}/{bench}: {records} records in {nanos / 1e6:,.2f} ms "
                      f"= {records * 1e9 / nanos:,.0f} records/s")
    peer = ROOT / "sqlcipher.json"
    if peer.exists():
        sql = json.loads(peer.read_text())
        print()
        print(f"SQLCipher {sql['sqlcipher_version']} ({sql['settings']}), "
              f"{sql['payload_bytes']} B payloads:")
        pairs = [
            ("insert, commit each", sql["insert_commit_each"]["ops_per_s"],
             mean_ns("put-folder", "1-task", "1KiB"), "put-folder/1-task/1KiB"),
            ("batched: one transaction vs 8-task group commit", sql["insert_one_transaction"]["ops_per_s"],
             mean_ns("put-folder", "8-tasks", "1KiB"), "put-folder/8-tasks/1KiB"),
            ("point read", sql["point_read"]["ops_per_s"],
             mean_ns("get-folder", "1-task", "1KiB"), "get-folder/1-task/1KiB"),
        ]
        for label, sql_rate, nanos, vault_bench in pairs:
            vault_rate = 1e9 / nanos if nanos else None
            ratio = f"vault/SQLCipher {vault_rate / sql_rate:.2f}x" if vault_rate else ""
            shown = f"{vault_rate:,.0f}" if vault_rate else "-"
            print(f"  {label}: SQLCipher {sql_rate:,.0f}/s; {vault_bench} {shown}/s; {ratio}")
        listing = sql["list_scope"]
        listed = mean_ns("list-scope-folder", "1KiB", str(listing["records"]))
        shown = f"{listed / 1e6:,.2f} ms" if listed else "-"
        ratio = (f"; vault/SQLCipher {listing['seconds_per_call'] * 1e9 / listed:.2f}x"
                 if listed else "")
        print(f"  list_scope of {listing['records']}: SQLCipher "
              f"{listing['seconds_per_call'] * 1e3:,.2f} ms per call; vault {shown}{ratio}")
    return 0


def identity() -> int:
    """Login beside bare Argon2id; reads and writes through sessions beside the bare vault."""
    login = mean_ns("login-folder", "login")
    argon = mean_ns("login-folder", "argon2id-verify")
    rows = []
    for op in ("read", "write"):
        for api in ("identity", "vault"):
            one = mean_ns(f"{op}-folder", api, "1-task")
            eight = mean_ns(f"{op}-folder", api, "8-tasks")
            if one is not None or eight is not None:
                rows.append((op, api, one, eight))
    if login is None and argon is None and not rows:
        print("no identity results: run `cargo bench -p medvault-benches --bench identity` first")
        return 1

    def rate(nanos: float | None) -> str:
        return f"{1e9 / nanos:,.0f}" if nanos else "-"

    def micros(nanos: float | None) -> str:
        return f"{nanos / 1e3:,.1f}" if nanos else "-"

    print("| op | through | 1 task: us/op | ops/s | 8 tasks: us/op | ops/s | 8 tasks / 1 task |")
    print("| --- | --- |" + " ---: |" * 5)
    for label, nanos in (("login", login), ("Argon2id verify", argon)):
        if nanos is not None:
            through = "identity" if label == "login" else "crypto"
            print(f"| {label} | {through} | {micros(nanos)} | {rate(nanos)} | - | - | - |")
    for op, api, one, eight in rows:
        ratio = f"{one / eight:.2f}x" if one and eight else "-"
        print(f"| {op} | {api} | {micros(one)} | {rate(one)} | {micros(eight)} | {rate(eight)} "
              f"| {ratio} |")
    print()
    if login and argon:
        print(f"Argon2id share of a login: {argon / login:.2f} "
              f"({argon / 1e6:,.1f} of {login / 1e6:,.1f} ms; "
              f"the rest {(login - argon) / 1e6:,.2f} ms)")
    times = {(op, api): (one, eight) for op, api, one, eight in rows}
    for op in ("read", "write"):
        ours, bare = times.get((op, "identity")), times.get((op, "vault"))
        if not ours or not bare:
            continue
        parts = []
        for i, tasks in enumerate(("1 task", "8 tasks")):
            if ours[i] and bare[i]:
                parts.append(f"{tasks} {bare[i] / ours[i]:.3f}x "
                             f"(+{(ours[i] - bare[i]) / 1e3:,.1f} us/op)")
        print(f"{op}: identity/vault ops/s " + ", ".join(parts))
    return 0


def hospital() -> int:
    """Import rows/s; search and dashboard latency at the vault's appointment count."""
    rows = [(name, mean_ns("import", name)) for name in
            ("csv-patients", "csv-appointments", "fhir-appointments")]
    reads = sorted(path.name for path in ROOT.glob("at-*-appointments"))
    if all(nanos is None for _, nanos in rows) and not reads:
        print("no hospital results: run `cargo bench -p medvault-benches --bench hospital` first")
        return 1
    print("| import (1,000 rows per iteration) | ms per 1,000 rows | rows/s |")
    print("| --- | ---: | ---: |")
    for name, nanos in rows:
        if nanos is not None:
            print(f"| {name} | {nanos / 1e6:,.1f} | {1000 * 1e9 / nanos:,.0f} |")
    for group in reads:
        print()
        print(f"| {group} | ms |")
        print("| --- | ---: |")
        for bench in ("search-physician-week", "search-specialty-week", "search-everyone-week",
                      "dashboard-30-days", "dashboard-365-days"):
            nanos = mean_ns(group, bench)
            if nanos is not None:
                print(f"| {bench} | {nanos / 1e6:,.1f} |")
    return 0


def main() -> int:
    if WHICH == "vault":
        return vault()
    if WHICH == "identity":
        return identity()
    if WHICH == "hospital":
        return hospital()
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
