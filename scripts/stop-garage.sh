#!/usr/bin/env bash
# Stops the Garage nodes started by start-garage.sh, using the variables it exported
# (MEDVAULT_GARAGE_DIR, whose node<k>/ folders hold each node's pid, restarts included; with
# --clean that folder is then removed).
#
#   scripts/stop-garage.sh [--clean]
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
dir="${MEDVAULT_GARAGE_DIR:?MEDVAULT_GARAGE_DIR is not set (see start-garage.sh)}"

for node in "$dir"/node*/; do
    [[ -f "$node/garage.toml" ]] && "$here/garage-node.sh" stop "${node%/}"
done

if [[ "${1:-}" == --clean ]]; then
    rm -rf "$dir"
fi
