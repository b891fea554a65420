#!/usr/bin/env bash
# Installs Garage (the S3-compatible server the S3 tests run against) into a cache outside the
# repository, once. Prints the path of the garage binary.
#
#   MEDVAULT_TOOLS   cache folder (default: ~/.cache/medvault-tools)
set -euo pipefail

exec "$(dirname "$0")/cargo-install-cached.sh" garage 2.5.0 "about 10 minutes" \
    --no-default-features --features sqlite,bundled-libs
