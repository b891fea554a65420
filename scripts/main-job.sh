#!/usr/bin/env bash
# The main job on the embedded default (a local folder, no server), with the `medvault` CLI:
# `medvault demo` runs the whole hospital story in a new vault and tells it step by step —
# an admin adds a physician with weekly hours, a patient registers, enrolls TOTP and logs in
# with a computed code, finds a free slot and books it, the physician writes a note and
# uploads a document, the patient reads her history, the admin sees the dashboard, and the
# audit trail verifies.
#
#   MEDVAULT_PASSPHRASE   the new vault's passphrase (required; never an argument)
#   $1                    the folder for the demo vault (default: a new temporary folder)
set -euo pipefail
cd "$(dirname "$0")/.."

: "${MEDVAULT_PASSPHRASE:?set MEDVAULT_PASSPHRASE to the vault passphrase}"
dir="${1:-$(mktemp -d)/medvault-demo}"
cargo build --release -q -p medvault-cli
target/release/medvault demo "$dir"
echo "the demo vault stays in $dir (store: $dir/store, index: $dir/index); for example:"
echo "  target/release/medvault --vault $dir/store --index $dir/index dashboard --from $(date -u +%F) --to $(date -u -d '+14 days' +%F)"
