#!/usr/bin/env bash
# Regenerates the Swift bindings (Sources/MedVault, Sources/MedVaultFFI) from the ffi crate.
# With --check, writes nothing and fails if the committed bindings are stale.
set -euo pipefail
exec "$(dirname "$0")/../../scripts/generate-bindings.sh" swift "$@" >/dev/null
