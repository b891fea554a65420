#!/usr/bin/env bash
# Installs cargo-deny (the supply-chain checker scripts/check-supply-chain.sh runs) into a cache
# outside the repository, once. Prints the path of the cargo-deny binary.
#
#   MEDVAULT_TOOLS   cache folder (default: ~/.cache/medvault-tools)
set -euo pipefail

exec "$(dirname "$0")/cargo-install-cached.sh" cargo-deny 0.20.2 "a few minutes"
