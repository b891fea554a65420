#!/usr/bin/env bash
# Creates one more bucket on the Garage server started by start-garage.sh and lets the
# tests' key (AWS_ACCESS_KEY_ID) read, write and own it. Uses the variables that
# start-garage.sh exported (MEDVAULT_GARAGE_CONFIG, MEDVAULT_GARAGE_BIN).
#
#   scripts/garage-bucket.sh NAME
set -euo pipefail

name="${1:?usage: garage-bucket.sh NAME}"
config="${MEDVAULT_GARAGE_CONFIG:?MEDVAULT_GARAGE_CONFIG is not set (see start-garage.sh)}"
key="${AWS_ACCESS_KEY_ID:?AWS_ACCESS_KEY_ID is not set (see start-garage.sh)}"
bin="${MEDVAULT_GARAGE_BIN:-garage}"

"$bin" -c "$config" bucket create "$name" >&2
"$bin" -c "$config" bucket allow --read --write --owner "$name" --key "$key" >&2
