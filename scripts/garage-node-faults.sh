#!/usr/bin/env bash
# S3 node failures, run by hand: a three-node Garage cluster on loopback (replication factor 3,
# start-garage.sh --nodes 3) under a vault written from 4 tasks at once (the tests crate's
# s3-writer, on node 1's S3 endpoint). Node 3 is killed (SIGKILL) mid-writes and writes go on
# (2 of 3 nodes are a quorum), then it is restarted; then nodes 2 and 3 are killed: writes must
# be refused with a clear error, and the vault cannot be reopened until they are back. Once
# they are, every acknowledged write is read back through node 2's endpoint with a new index,
# compared byte for byte, and `verify` and `verify_audit` run. Prints the figures (writes
# acknowledged, refused and why, lost, time to the error, recovery times) and exits 1 if an
# acknowledged write is lost or changed, `verify` or `verify_audit` fails, a write is refused
# while a quorum is up, or a write is acknowledged without one or none refused.
#
#   scripts/garage-node-faults.sh [WORK_FOLDER]   (default: a new temporary folder, removed
#                                                 on success; a folder given is kept)
#
#   MEDVAULT_FAULTS_ONE_DOWN_S   seconds of writes with one node down (default 10)
#   MEDVAULT_FAULTS_TWO_DOWN_S   seconds of writes with two nodes down (default 20)
#
# The cluster is stopped on exit; the work folder (the cluster's state and logs, the writer's
# output) is kept on failure.
set -euo pipefail
cd "$(dirname "$0")/.."

one_down_s="${MEDVAULT_FAULTS_ONE_DOWN_S:-10}"
two_down_s="${MEDVAULT_FAULTS_TWO_DOWN_S:-20}"
if [[ $# -ge 1 ]]; then
    work="$1"
    keep=1
else
    work="$(mktemp -d "${TMPDIR:-/tmp}/medvault-node-faults.XXXXXX")"
    keep=
fi
mkdir -p "$work"
work="$(cd "$work" && pwd)"
writes="$work/writes.log"
events="$work/events.log"
stop="$work/stop"
writer_pid=

finish() {
    local status=$?
    touch "$stop"
    if [[ -n "$writer_pid" ]] && kill -0 "$writer_pid" 2>/dev/null; then
        kill "$writer_pid" 2>/dev/null || true
        wait "$writer_pid" 2>/dev/null || true
    fi
    if [[ -n "${MEDVAULT_GARAGE_DIR:-}" ]]; then
        scripts/stop-garage.sh
    fi
    if [[ $status -eq 0 && -z "$keep" ]]; then
        rm -rf "$work"
    elif [[ $status -eq 0 ]]; then
        echo "node faults: the cluster's state and logs and the writer's output are in $work" >&2
    else
        echo "node faults: FAILED; the cluster's logs (garage/node*/garage.log) and the" \
            "writer's output are kept in $work" >&2
    fi
}
trap finish EXIT

MEDVAULT_GARAGE_BIN="$(scripts/install-garage.sh)"
export MEDVAULT_GARAGE_BIN
cargo build -p medvault-e2e --bin s3-writer
target="$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
writer="$target/debug/s3-writer"

# Assigned before eval so that a failed start stops this script.
garage_env="$(scripts/start-garage.sh --nodes 3 "$work/garage")"
eval "$garage_env"
read -r -a endpoints <<<"$MEDVAULT_GARAGE_S3_ENDPOINTS"
node() { echo "$MEDVAULT_GARAGE_DIR/node$1"; }
declare -a ids
for k in 1 2 3; do
    ids[k]="$("$MEDVAULT_GARAGE_BIN" -c "$(node "$k")/garage.toml" node id -q 2>/dev/null)"
done

# The vault's raw key stays in the environment, never on a command line or in a log.
MEDVAULT_CRASH_KEY="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
export MEDVAULT_CRASH_KEY
url="s3://$MEDVAULT_TEST_S3_BUCKET/node-faults"
"$writer" create "$url"

now() { date +%s%3N; }
event() { echo "$1 $(now)" >>"$events"; }
# The time of event $1.
when() { awk -v name="$1" '$1 == name { print $2; exit }' "$events"; }
# How many lines of kind $1 (ACK, REFUSED, OPENED, ...) ended after time $2.
count_after() {
    awk -v kind="$1" -v t="$2" '
        $1 == kind && (kind == "ACK" ? $5 : kind ~ /^OPEN/ ? $3 : $4) >= t { n++ }
        END { print n + 0 }' "$writes"
}
# Waits up to $2 seconds for "$3 ..." to succeed; fails naming $1.
wait_for() {
    local what="$1" seconds="$2"
    shift 2
    local deadline=$(($(now) + seconds * 1000))
    until "$@"; do
        if (($(now) > deadline)); then
            echo "node faults: $what: not within $seconds s" >&2
            return 1
        fi
        if ! kill -0 "$writer_pid" 2>/dev/null; then
            echo "node faults: the writer exited; its errors:" >&2
            cat "$work/writer.err" >&2
            return 1
        fi
        sleep 0.1
    done
}
acks_since() { (($(count_after ACK "$(when "$1")") >= $2)); }
refused_since() { (($(count_after REFUSED "$(when "$1")") >= 1)); }
# Whether node 1's `garage status` lists node $1 among the healthy nodes.
healthy() {
    "$MEDVAULT_GARAGE_BIN" -c "$(node 1)/garage.toml" status 2>/dev/null | awk -v id="${ids[$1]}" '
        /^==== HEALTHY NODES/ { h = 1; next }
        /^====/ { h = 0 }
        h && $1 ~ /^[0-9a-f]+$/ && index(id, $1) == 1 { found = 1 }
        END { exit !found }'
}
all_healthy() { healthy 2 && healthy 3; }

event start
"$writer" write "$url" "$work/index" "$stop" >"$writes" 2>"$work/writer.err" &
writer_pid=$!
wait_for "40 writes acknowledged with three nodes up" 60 acks_since start 40

echo "node faults: killing node 3 (SIGKILL)" >&2
event killing-one
scripts/garage-node.sh kill "$(node 3)"
event killed-one
sleep "$one_down_s"
wait_for "writes acknowledged with node 3 down" 30 acks_since killed-one 20
echo "node faults: restarting node 3" >&2
event restart-one
scripts/garage-node.sh start "$(node 3)" >/dev/null
wait_for "node 3 back in garage status" 120 healthy 3
event back-one
sleep 5
wait_for "writes acknowledged with node 3 back" 30 acks_since back-one 20

echo "node faults: killing nodes 2 and 3 (SIGKILL)" >&2
event killing-two
scripts/garage-node.sh kill "$(node 2)" &
killing=$!
scripts/garage-node.sh kill "$(node 3)"
wait "$killing"
event killed-two
wait_for "a write refused with nodes 2 and 3 down" 120 refused_since killed-two
sleep "$two_down_s"
echo "node faults: restarting nodes 2 and 3" >&2
event restart-two
scripts/garage-node.sh start "$(node 2)" >/dev/null
scripts/garage-node.sh start "$(node 3)" >/dev/null
wait_for "nodes 2 and 3 back in garage status" 120 all_healthy
event back-two
wait_for "a write acknowledged after the restart" 120 acks_since restart-two 1
sleep 5
event stop
touch "$stop"
for ((i = 0; i < 600; i++)); do
    kill -0 "$writer_pid" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$writer_pid" 2>/dev/null; then
    echo "node faults: the writer did not stop within 60 s" >&2
    exit 1
fi
if ! wait "$writer_pid"; then
    echo "node faults: the writer did not stop well; its errors:" >&2
    cat "$work/writer.err" >&2
    exit 1
fi
writer_pid=

echo "node faults: reading every acknowledged write back through node 2 with a new index" >&2
event verify
verified="$(AWS_ENDPOINT_URL="${endpoints[1]}" "$writer" verify "$url" "$writes")" || {
    echo "node faults: verify: $verified" >&2
    exit 1
}
event verified
echo "$verified" >"$work/verify.log"

python3 - "$writes" "$events" "$work/verify.log" <<'EOF'
import re
import statistics
import sys

writes_file, events_file, verify_file = sys.argv[1:]
events = {}
for line in open(events_file):
    name, ms = line.split()
    events[name] = int(ms)
events["end"] = 2**62
acks, refused, open_refused = [], [], []
for line in open(writes_file):
    kind = line.split(" ", 1)[0]
    if kind == "ACK":
        _, _, _, start, end = line.split()
        acks.append((int(start), int(end)))
    elif kind == "REFUSED":
        _, _, start, end, error, message = line.rstrip("\n").split(" ", 5)
        refused.append((int(start), int(end), error, message))
    elif kind == "OPEN-REFUSED":
        _, start, end, error, message = line.rstrip("\n").split(" ", 4)
        open_refused.append((int(start), int(end), error, message))
verify = dict(zip(*[iter(open(verify_file).read().split())] * 2))

# A node counts as down once its process is gone (killed-*); writes ending while the kill
# was under way belong to the phase before.
phases = [
    ("three nodes up", "start", "killed-one"),
    ("node 3 down", "killed-one", "restart-one"),
    ("node 3 restarting", "restart-one", "back-one"),
    ("node 3 back", "back-one", "killed-two"),
    ("nodes 2 and 3 down", "killed-two", "restart-two"),
    ("2 and 3 restarting", "restart-two", "back-two"),
    ("all back", "back-two", "end"),
]


def between(t, first, last):
    return events[first] <= t < events[last]


def ms(values):
    if not values:
        return "-"
    values = sorted(values)
    return f"{statistics.median(values):.0f} ms (max {values[-1]} ms)"


def shape(message):
    """A message with its ids, URLs and durations replaced, so that alike ones group."""
    message = re.sub(r"<\?xml[^>]*>", "", message).replace("&quot;", '"')
    message = re.sub(r"[0-9a-f]{16,}", "<id>", message)
    message = re.sub(r"http://[^ ]+", "<url>", message)
    message = re.sub(r"\d+(\.\d+)?(ms|s)\b", "<t>", message)
    return message[:400]


def summarize(failures):
    groups = {}
    for start, end, kind, message in failures:
        groups.setdefault((kind, shape(message)), []).append(end - start)
    for (kind, message), took in sorted(groups.items(), key=lambda item: -len(item[1])):
        print(f"  {len(took)} x {kind}, each after {ms(took)}: {message}")


print()
print("S3 node failures: figures")
print(f"{'phase':<20} {'acknowledged':>12} {'refused':>8}  write time, median")
for name, first, last in phases:
    done = [end - start for start, end in acks if between(end, first, last)]
    bad = [r for r in refused if between(r[1], first, last)]
    print(f"{name:<20} {len(done):>12} {len(bad):>8}  {ms(done)}")
print()
print(f"writes acknowledged: {len(acks)}")
print(f"writes refused: {len(refused)}")
summarize(refused)
print(f"opens refused while nodes 2 and 3 were down: {len(open_refused)}")
summarize(open_refused)
print(
    f"acknowledged writes lost: {verify['lost']} (changed {verify['changed']}; "
    f"{verify['intact']} of {verify['acknowledged']} read back intact through node 2 with a "
    f"new index in {(events['verified'] - events['verify']) / 1000:.0f} s; verify sound: "
    f"{verify['sound']}, {verify['versions-verified']} versions; audit trail verified, "
    f"{verify['audit-entries']} entries; stored but never acknowledged: "
    f"{verify['unacknowledged-stored']})"
)
extra = int(verify["audit-entries"]) - int(verify["versions-verified"])
if extra > 0:
    print(
        f"note: the audit trail holds {extra} entries of writes this index does not hold: a "
        f"batch refused as 'may or may not have been committed' that reached fewer nodes "
        f"than a quorum, listed by some reads and not by others (SECURITY.md, S3 node failures)"
    )
killed = events["killed-two"]
down = [r for r in refused if between(r[1], "killed-two", "restart-two")]
first_refusal = min((end for _, end, _, _ in down), default=None)
store_errors = [end - start for start, end, kind, _ in down if kind != "ReopenRequired"]
print(
    "two nodes down: first write refused "
    + (f"{first_refusal - killed} ms" if first_refusal else "never")
    + f" after they were gone; a write refused by the store took {ms(store_errors)} from its "
    f"start; an attempt to reopen took {ms([end - start for start, end, _, _ in open_refused])}"
)
print(
    f"recovery, one node: node 3 back in garage status "
    f"{events['back-one'] - events['restart-one']} ms after its restart"
)
first_ack = min((end for _, end in acks if end >= events["restart-two"]), default=None)
print(
    f"recovery, two nodes: nodes 2 and 3 back in garage status "
    f"{events['back-two'] - events['restart-two']} ms after their restart; first write "
    f"acknowledged {first_ack - events['restart-two']} ms after it"
)
print(f"run: {(events['verify'] - events['start']) / 1000:.0f} s of writes")

failures = []
if verify["lost"] != "0" or verify["changed"] != "0" or verify["sound"] != "true":
    failures.append("acknowledged writes lost or changed, or the store damaged")
if any(not between(end, "killing-two", "back-two") for _, end, _, _ in refused):
    failures.append("writes refused while a quorum of nodes was up")
if not down:
    failures.append("no write refused with two of three nodes down")
if any(start >= killed and end < events["restart-two"] for start, end in acks):
    failures.append("writes acknowledged with two of three nodes down")
if failures:
    print("node faults: FAILED: " + "; ".join(failures), file=sys.stderr)
    sys.exit(1)
print("node faults: passed")
EOF
