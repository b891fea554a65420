#!/usr/bin/env bash
# Runs the soak (benches/examples/soak.rs, release build): two vault instances sharing one
# store, worked at once with writes, amendments, deletions, reads, listings, syncs, rebuilds
# and logins, every operation under a 60 s watchdog, for SECONDS (default 600). Exits 1 if a
# check failed or an operation hung. scripts/test-all.sh runs a 20-second debug run of it.
#
#   scripts/soak.sh [SECONDS] [--s3]
#
# With --s3 the store is a new prefix of MEDVAULT_TEST_S3_BUCKET, with the AWS_* settings
# of the environment: run `eval "$(scripts/start-garage.sh)"` first for a local Garage.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-600}"
shift || true
cargo build --release --quiet -p medvault-benches --example soak
target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
exec "$target_dir/release/examples/soak" "$seconds" "$@"
