#!/usr/bin/env bash
# Writes a golden vault: a small vault made by this version's CLI, to be committed as a test
# fixture that every later version must open, read and verify (core/tests/golden_vault.rs,
# core/identity/tests/golden_vault.rs). Run it once per on-disk format, into a new folder
# under core/tests/fixtures/, and commit the folder as it is.
#
#   scripts/make-golden-vault.sh DIR      DIR/store is the vault; DIR must not exist yet
#
# The vault holds the demo's hospital story (accounts, TOTP, profiles, an appointment, a note,
# a document, the audit trail), then, through the CLI: a labelled record amended once, a
# 200,000-byte payload (an object of its own, four stream segments), a deleted record, a
# shredded scope, a Synthea import, a passphrase change and a root-key rotation, and one
# record written after the rotation. The passphrases are in the tests; nothing in it is real.
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:?usage: $0 DIR}"
if [[ -e "$out" ]]; then
    echo "$out already exists" >&2
    exit 1
fi
cargo build --release -q -p medvault-cli
medvault="$PWD/target/release/medvault"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

export MEDVAULT_PASSPHRASE="golden vault: first passphrase"
"$medvault" demo "$work/demo" >/dev/null
cli=("$medvault" --vault "$work/demo/store" --index "$work/demo/index")

lab="$(printf 'HbA1c 6.1%%' | "${cli[@]}" put --scope patient-golden --kind lab-result --label panel=diabetes -)"
printf 'HbA1c 5.9%%' | "${cli[@]}" amend "$lab" - >/dev/null
python3 -c 'import sys; sys.stdout.buffer.write(bytes(i % 251 for i in range(200_000)))' \
    | "${cli[@]}" put --scope patient-golden --kind scan - >/dev/null
doomed="$(printf 'written in error' | "${cli[@]}" put --scope patient-golden --kind note -)"
"${cli[@]}" rm "$doomed"
for n in 1 2; do
    printf 'shredded %s' "$n" | "${cli[@]}" put --scope patient-shredded --kind note - >/dev/null
done
"${cli[@]}" scope rm patient-shredded >/dev/null
"${cli[@]}" import core/hospital/tests/fixtures/import/patients.csv --kind patients >/dev/null

MEDVAULT_NEW_PASSPHRASE="golden vault: second passphrase" "${cli[@]}" passwd
export MEDVAULT_PASSPHRASE="golden vault: second passphrase"
"${cli[@]}" rotate-key
printf 'after the rotation' | "${cli[@]}" put --scope patient-golden --kind note - >/dev/null
"${cli[@]}" verify >/dev/null
"${cli[@]}" audit verify >/dev/null

mkdir -p "$out"
cp -r "$work/demo/store" "$out/store"
echo "golden vault written to $out/store ($(du -sh "$out/store" | cut -f1))" >&2
