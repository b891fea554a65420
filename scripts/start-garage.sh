#!/usr/bin/env bash
# Starts a Garage S3 server on loopback for the tests: one node, or a cluster of N nodes that
# replicate everything N times, with a bucket `medvault-test` and a key that may read, write
# and own it. On success it prints `export` lines for the tests and leaves the nodes running
# in the background:
#
#   eval "$(scripts/start-garage.sh)"      # ... then scripts/stop-garage.sh
#
# A bare `eval "$(...)"` ignores the script's exit status; to stop on a failed start,
# assign first: `env=$(scripts/start-garage.sh)`, then `eval "$env"`.
#
#   --nodes N            nodes (default 1); each gets its own ports and folder node<k>/, and
#                        `replication_factor = N`, in a zone of its own (dc<k>)
#   $1                   state folder, empty or absent (default: a new temporary one)
#   MEDVAULT_GARAGE_BIN  garage binary (default: `garage` on PATH; see install-garage.sh)
#
# The S3 endpoint exported as AWS_ENDPOINT_URL is node 1's; MEDVAULT_GARAGE_S3_ENDPOINTS lists
# every node's. scripts/garage-node.sh starts, stops and kills single nodes.
set -euo pipefail

# Keep stdout for the export lines; everything else goes to stderr.
exec 3>&1 1>&2

here="$(cd "$(dirname "$0")" && pwd)"
nodes=1
if [[ "${1:-}" == --nodes ]]; then
    nodes="${2:?--nodes takes a number}"
    shift 2
fi
if ! [[ "$nodes" =~ ^[1-9]$ ]]; then
    echo "--nodes must be 1 to 9" >&2
    exit 1
fi

bin="${MEDVAULT_GARAGE_BIN:-$(command -v garage || true)}"
if [[ -z "$bin" || ! -x "$bin" ]]; then
    echo "garage not found: set MEDVAULT_GARAGE_BIN or put it on PATH (scripts/install-garage.sh prints its path)" >&2
    exit 1
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
export MEDVAULT_GARAGE_BIN="$bin"

if [[ $# -ge 1 ]]; then
    dir="$1"
    mkdir -p "$dir"
    if [[ -n "$(ls -A "$dir")" ]]; then
        echo "state folder $dir is not empty" >&2
        exit 1
    fi
else
    dir="$(mktemp -d "${TMPDIR:-/tmp}/medvault-garage.XXXXXX")"
fi
dir="$(cd "$dir" && pwd)"
region=garage
bucket=medvault-test

# Two free loopback ports per node (RPC, S3), and the RPC secret the nodes share.
read -r -a ports < <(python3 - "$nodes" <<'EOF'
import socket, sys
socks = [socket.socket() for _ in range(2 * int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
EOF
)
rpc_secret="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"

node_dir() { echo "$dir/node$1"; }
rpc_port() { echo "${ports[2 * ($1 - 1)]}"; }
s3_port() { echo "${ports[2 * ($1 - 1) + 1]}"; }
garage() { "$bin" -c "$(node_dir "$1")/garage.toml" "${@:2}"; }

for ((k = 1; k <= nodes; k++)); do
    node="$(node_dir "$k")"
    mkdir -p "$node/meta" "$node/data"
    (umask 077 && cat >"$node/garage.toml" <<EOF
metadata_dir = "$node/meta"
data_dir = "$node/data"
db_engine = "sqlite"
replication_factor = $nodes

rpc_bind_addr = "127.0.0.1:$(rpc_port "$k")"
rpc_public_addr = "127.0.0.1:$(rpc_port "$k")"
rpc_secret = "$rpc_secret"

[s3_api]
api_bind_addr = "127.0.0.1:$(s3_port "$k")"
s3_region = "$region"
EOF
    )
done

# Until the end, a failure kills the nodes and shows their logs' errors.
fail() {
    for ((k = 1; k <= nodes; k++)); do
        echo "garage node $k's log is $(node_dir "$k")/garage.log. Errors in it:" >&2
        grep -E -A2 ' (ERROR|WARN) |^panicked at' "$(node_dir "$k")/garage.log" 2>/dev/null \
            | tail -n 20 >&2 || true
        "$here/garage-node.sh" kill "$(node_dir "$k")" || true
    done
    echo "garage did not start" >&2
}
trap fail EXIT

# Runs "$@" every 0.3 s until it succeeds, for at most 30 s, while every node runs.
retry() {
    local what="$1"
    shift
    for ((i = 0; ; i++)); do
        for pid in "${pids[@]}"; do
            kill -0 "$pid" 2>/dev/null || { echo "garage (pid $pid) exited early" >&2; return 1; }
        done
        if "$@" >/dev/null 2>&1; then return 0; fi
        if ((i >= 100)); then echo "$what: not within 30 s" >&2; return 1; fi
        sleep 0.3
    done
}

# Whether node $1 sees all nodes as healthy: N rows under HEALTHY NODES and no FAILED NODES.
sees_all() {
    local status
    status="$(garage "$1" status 2>/dev/null)" || return 1
    [[ "$status" != *"FAILED NODES"* ]] || return 1
    (($(awk '/^==== HEALTHY NODES/ { h = 1; next } /^====/ { h = 0 }
             h && $1 ~ /^[0-9a-f]+$/ { n++ } END { print n + 0 }' <<<"$status") == nodes))
}

declare -a pids ids
for ((k = 1; k <= nodes; k++)); do
    pids[k]="$("$here/garage-node.sh" start "$(node_dir "$k")")"
done
echo "garage: started $nodes node(s), pids ${pids[*]}, state in $dir" >&2
for ((k = 1; k <= nodes; k++)); do
    retry "garage node $k answering" garage "$k" status
    ids[k]="$(garage "$k" node id -q 2>/dev/null)"
done
for ((k = 2; k <= nodes; k++)); do
    garage 1 node connect "${ids[k]}" >/dev/null
done
for ((k = 1; k <= nodes; k++)); do
    retry "garage node $k seeing all $nodes nodes" sees_all "$k"
done

for ((k = 1; k <= nodes; k++)); do
    garage 1 layout assign -z "dc$k" -c 1G "${ids[k]%%@*}" >/dev/null
done
garage 1 layout apply --version 1 >/dev/null
has_layout() { garage "$1" layout show 2>/dev/null | grep -q '^Current cluster layout version: 1$'; }
for ((k = 1; k <= nodes; k++)); do
    retry "garage node $k taking the layout" has_layout "$k"
done

# A creation whose answer was lost may have created the bucket.
create_bucket() { garage 1 bucket create "$bucket" || garage 1 bucket info "$bucket"; }
retry "the bucket created" create_bucket
key_info="$(garage 1 key create medvault-test-key)"
key_id="$(awk '/^Key ID:/ { print $3 }' <<<"$key_info")"
secret="$(awk '/^Secret key:/ { print $3 }' <<<"$key_info")"
if [[ -z "$key_id" || -z "$secret" ]]; then
    echo "could not read the key from 'garage key create':" >&2
    echo "$key_info" >&2
    exit 1
fi
garage 1 bucket allow --read --write --owner "$bucket" --key "$key_id" >/dev/null

# Hand out the endpoints only once their ports accept connections.
endpoints=()
for ((k = 1; k <= nodes; k++)); do
    retry "garage S3 API opening port $(s3_port "$k")" \
        bash -c "exec 9<>/dev/tcp/127.0.0.1/$(s3_port "$k")"
    endpoints+=("http://127.0.0.1:$(s3_port "$k")")
done

trap - EXIT
echo "garage: S3 on ${endpoints[*]}, bucket $bucket" >&2
{
    printf 'export %s=%q\n' \
        AWS_ENDPOINT_URL "${endpoints[0]}" \
        AWS_ALLOW_HTTP true \
        AWS_REGION "$region" \
        AWS_DEFAULT_REGION "$region" \
        AWS_ACCESS_KEY_ID "$key_id" \
        AWS_SECRET_ACCESS_KEY "$secret" \
        MEDVAULT_TEST_S3_BUCKET "$bucket" \
        MEDVAULT_GARAGE_PID "${pids[1]}" \
        MEDVAULT_GARAGE_CONFIG "$(node_dir 1)/garage.toml" \
        MEDVAULT_GARAGE_DIR "$dir" \
        MEDVAULT_GARAGE_NODES "$nodes" \
        MEDVAULT_GARAGE_S3_ENDPOINTS "${endpoints[*]}" \
        MEDVAULT_GARAGE_BIN "$bin"
} >&3
