#!/usr/bin/env bash
# Stops the Garage server started by start-garage.sh, using the variables it exported
# (MEDVAULT_GARAGE_PID; with --clean also MEDVAULT_GARAGE_DIR, which is then removed).
#
#   scripts/stop-garage.sh [--clean]
set -euo pipefail

pid="${MEDVAULT_GARAGE_PID:?MEDVAULT_GARAGE_PID is not set (see start-garage.sh)}"

# Only signal the process if it is still a garage server (the pid may have been reused).
if grep -qa garage "/proc/$pid/cmdline" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "garage (pid $pid) ignored SIGTERM; killing it" >&2
        kill -9 "$pid" 2>/dev/null || true
    fi
fi

if [[ "${1:-}" == --clean && -n "${MEDVAULT_GARAGE_DIR:-}" ]]; then
    rm -rf "$MEDVAULT_GARAGE_DIR"
fi
