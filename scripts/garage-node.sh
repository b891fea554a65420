#!/usr/bin/env bash
# Starts, stops or kills one Garage node of a server started by start-garage.sh, given its
# folder (MEDVAULT_GARAGE_DIR/node<k>, which holds its garage.toml). The node's server logs to
# garage.log there (appended across restarts), and its process id is kept in the file `pid`.
#
#   scripts/garage-node.sh start NODE_FOLDER   start the server in the background; prints its pid
#   scripts/garage-node.sh stop NODE_FOLDER    SIGTERM, then SIGKILL after 10 s
#   scripts/garage-node.sh kill NODE_FOLDER    SIGKILL, as a crash would
#
#   MEDVAULT_GARAGE_BIN  garage binary (default: `garage` on PATH; see install-garage.sh)
set -euo pipefail

action="${1:-}"
folder="${2:?usage: garage-node.sh start|stop|kill NODE_FOLDER}"
config="$folder/garage.toml"
[[ -f "$config" ]] || { echo "no garage.toml in $folder" >&2; exit 1; }

# The node's pid, if that process is still this node's garage server (a pid may be reused).
running_pid() {
    local pid
    pid="$(cat "$folder/pid" 2>/dev/null)" || return 1
    tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "$config server" || return 1
    echo "$pid"
}

case "$action" in
start)
    if pid="$(running_pid)"; then
        echo "garage node in $folder already runs (pid $pid)" >&2
        exit 1
    fi
    bin="${MEDVAULT_GARAGE_BIN:-$(command -v garage || true)}"
    [[ -n "$bin" && -x "$bin" ]] || { echo "garage not found: set MEDVAULT_GARAGE_BIN" >&2; exit 1; }
    # The server must hold none of the caller's output (fd 1, or fd 3 of start-garage.sh), or a
    # `$(...)` around the caller never returns.
    NO_COLOR=1 "$bin" -c "$config" server </dev/null >>"$folder/garage.log" 2>&1 3>&- &
    echo $! >"$folder/pid"
    echo $!
    ;;
stop | kill)
    pid="$(running_pid)" || exit 0
    if [[ "$action" == kill ]]; then kill -KILL "$pid"; else kill -TERM "$pid"; fi
    # Gone once it has exited: a zombie waiting for its parent to reap it has no cmdline.
    for ((i = 0; i < 100; i++)); do
        running_pid >/dev/null || exit 0
        sleep 0.1
    done
    echo "garage (pid $pid) ignored SIGTERM; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
    while running_pid >/dev/null; do sleep 0.1; done
    ;;
*)
    echo "usage: garage-node.sh start|stop|kill NODE_FOLDER" >&2
    exit 1
    ;;
esac
