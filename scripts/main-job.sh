#!/usr/bin/env bash
# The main job on the embedded default (a local folder, no server), with the `medvault` CLI:
# create the vault ./medvault-data if there is none, store a file as a patient record, read
# it back whole and by range, list the patient's records, verify the whole vault, and verify
# the audit trail that recorded the write.
#
#   MEDVAULT_PASSPHRASE   the vault's passphrase (required; never an argument)
#   $1                    the file to store (default: README.md)
set -euo pipefail
cd "$(dirname "$0")/.."

: "${MEDVAULT_PASSPHRASE:?set MEDVAULT_PASSPHRASE to the vault passphrase}"
file="${1:-README.md}"
cargo build --release -q -p medvault-cli
medvault=target/release/medvault
export MEDVAULT_VAULT="${MEDVAULT_VAULT:-./medvault-data}"

if [[ ! -e "$MEDVAULT_VAULT/medvault-vault" ]]; then
    "$medvault" init
fi
id="$("$medvault" put --scope demo-patient --kind document --label source="$(basename "$file")" "$file")"
echo "stored $file as record $id"

"$medvault" get "$id" | cmp - "$file"
echo "read it back: identical"
echo "bytes 0..60: $("$medvault" get "$id" --range 0..60 | head -c 60 | tr '\n' ' ')"
"$medvault" head "$id"
echo "records of demo-patient:"
"$medvault" ls --scope demo-patient
"$medvault" verify
echo "the store was written as the operator; the audit trail records it:"
"$medvault" audit verify
"$medvault" audit export | tail -n 1
