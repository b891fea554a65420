#!/usr/bin/env bash
# Installs cargo-fuzz (the libFuzzer driver the fuzz targets in fuzz/ run under) into a cache
# outside the repository, once. Prints the path of the cargo-fuzz binary.
#
#   MEDVAULT_TOOLS   cache folder (default: ~/.cache/medvault-tools)
set -euo pipefail

exec "$(dirname "$0")/cargo-install-cached.sh" cargo-fuzz 0.13.2 "about a minute"
