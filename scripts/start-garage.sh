#!/usr/bin/env bash
# Starts a single-node Garage S3 server on loopback for the tests, with a bucket
# `medvault-test` and a key that may read, write and own it. On success it prints
# `export` lines for the tests and leaves the server running in the background:
#
#   eval "$(scripts/start-garage.sh)"      # ... then scripts/stop-garage.sh
#
# A bare `eval "$(...)"` ignores the script's exit status; to stop on a failed start,
# assign first: `env=$(scripts/start-garage.sh)`, then `eval "$env"`.
#
#   $1                   state folder, empty or absent (default: a new temporary one)
#   MEDVAULT_GARAGE_BIN  garage binary (default: `garage` on PATH; see install-garage.sh)
set -euo pipefail

# Keep stdout for the export lines; everything else goes to stderr.
exec 3>&1 1>&2

bin="${MEDVAULT_GARAGE_BIN:-$(command -v garage || true)}"
if [[ -z "$bin" || ! -x "$bin" ]]; then
    echo "garage not found: set MEDVAULT_GARAGE_BIN or put it on PATH (scripts/install-garage.sh prints its path)" >&2
    exit 1
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

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
config="$dir/garage.toml"
log="$dir/garage.log"
region=garage
bucket=medvault-test

# Two free loopback ports (RPC, S3) and an RPC secret.
read -r rpc_port s3_port < <(python3 - <<'EOF'
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
EOF
)
rpc_secret="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"

mkdir -p "$dir/meta" "$dir/data"
(umask 077 && cat >"$config" <<EOF
metadata_dir = "$dir/meta"
data_dir = "$dir/data"
db_engine = "sqlite"
replication_factor = 1

rpc_bind_addr = "127.0.0.1:$rpc_port"
rpc_public_addr = "127.0.0.1:$rpc_port"
rpc_secret = "$rpc_secret"

[s3_api]
api_bind_addr = "127.0.0.1:$s3_port"
s3_region = "$region"
EOF
)

garage() { "$bin" -c "$config" "$@"; }

# The server must not hold our stdout (fd 1 or 3), or `$(start-garage.sh)` never returns.
NO_COLOR=1 "$bin" -c "$config" server </dev/null >"$log" 2>&1 3>&- &
pid=$!

# Until the end, a failure stops the server and shows its log.
fail() {
    echo "garage did not start; its log is $log. Errors in it:" >&2
    grep -E -A2 ' (ERROR|WARN) |^panicked at' "$log" | tail -n 20 >&2 || true
    kill "$pid" 2>/dev/null || true
}
trap fail EXIT

echo "garage: started pid $pid, state in $dir" >&2
for ((i = 0; ; i++)); do
    kill -0 "$pid" 2>/dev/null || { echo "garage exited early" >&2; exit 1; }
    if garage status >/dev/null 2>&1; then break; fi
    if ((i >= 100)); then echo "garage did not answer within 30 s" >&2; exit 1; fi
    sleep 0.3
done

node_id="$(garage node id -q 2>/dev/null)"
node_id="${node_id%%@*}"
garage layout assign -z dc1 -c 1G "$node_id" >/dev/null
garage layout apply --version 1 >/dev/null

garage bucket create "$bucket" >/dev/null
key_info="$(garage key create medvault-test-key)"
key_id="$(awk '/^Key ID:/ { print $3 }' <<<"$key_info")"
secret="$(awk '/^Secret key:/ { print $3 }' <<<"$key_info")"
if [[ -z "$key_id" || -z "$secret" ]]; then
    echo "could not read the key from 'garage key create':" >&2
    echo "$key_info" >&2
    exit 1
fi
garage bucket allow --read --write --owner "$bucket" --key "$key_id" >/dev/null

# Hand out the endpoint only once its port accepts connections.
for ((i = 0; ; i++)); do
    if (exec 9<>"/dev/tcp/127.0.0.1/$s3_port") 2>/dev/null; then break; fi
    if ((i >= 100)); then echo "garage S3 API did not open port $s3_port" >&2; exit 1; fi
    sleep 0.3
done

trap - EXIT
echo "garage: S3 on http://127.0.0.1:$s3_port, bucket $bucket" >&2
{
    printf 'export %s=%q\n' \
        AWS_ENDPOINT_URL "http://127.0.0.1:$s3_port" \
        AWS_ALLOW_HTTP true \
        AWS_REGION "$region" \
        AWS_DEFAULT_REGION "$region" \
        AWS_ACCESS_KEY_ID "$key_id" \
        AWS_SECRET_ACCESS_KEY "$secret" \
        MEDVAULT_TEST_S3_BUCKET "$bucket" \
        MEDVAULT_GARAGE_PID "$pid" \
        MEDVAULT_GARAGE_CONFIG "$config" \
        MEDVAULT_GARAGE_DIR "$dir" \
        MEDVAULT_GARAGE_BIN "$bin"
} >&3
