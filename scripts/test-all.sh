#!/usr/bin/env bash
# Checks that the engine, identity and hospital crates depend only downward and pass on their
# own (scripts/check-layers.sh), checks the dependencies against deny.toml (licenses, bans,
# duplicates, sources, and advisories where a database can be had: check-supply-chain.sh,
# cargo-deny installed once by install-cargo-deny.sh), runs every test of the workspace (unit,
# integration, property and documentation tests), a short run of every fuzz target
# (scripts/fuzz.sh), then the Kotlin, Swift and Python bindings' checks and tests.
# The S3 tests run against a local Garage server, installed once (install-garage.sh) and
# started here for the run (start-garage.sh); it is stopped when this script exits. Debian's
# oathtool is fetched into the same cache (install-oathtool.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

stop_garage() {
    local status=$?
    if [[ -n "${MEDVAULT_GARAGE_PID:-}" ]]; then
        if [[ $status -eq 0 ]]; then
            scripts/stop-garage.sh --clean
        else
            scripts/stop-garage.sh
            echo "garage state and log kept in ${MEDVAULT_GARAGE_DIR:-}" >&2
        fi
    fi
}

scripts/check-layers.sh
scripts/check-supply-chain.sh

unset MEDVAULT_GARAGE_PID  # stop only the server started below
trap stop_garage EXIT

MEDVAULT_GARAGE_BIN="$(scripts/install-garage.sh)"
export MEDVAULT_GARAGE_BIN
# The independent TOTP client the login tests check codes with.
MEDVAULT_OATHTOOL="$(scripts/install-oathtool.sh)"
export MEDVAULT_OATHTOOL
# Assigned before eval so that a failed start stops this script.
garage_env="$(scripts/start-garage.sh)"
eval "$garage_env"

cargo test --workspace --all-targets
cargo test --workspace --doc
# A short soak (scripts/soak.sh runs the long one): two instances on one folder store,
# mixed work with live checks, nothing may hang.
cargo run --quiet -p medvault-benches --example soak -- 20

# Every fuzz target for a few seconds from its committed corpus: a decoder that panics on an
# input found before, or one close to it, fails here. MEDVAULT_FUZZ_SECONDS sets how long;
# the targets are built unoptimized (--dev), which builds in a minute or two and is fast
# enough to replay the corpora.
MEDVAULT_FUZZ_BUILD="${MEDVAULT_FUZZ_BUILD-"--dev"}" scripts/fuzz.sh "${MEDVAULT_FUZZ_SECONDS:-5}"

# The bindings against the real library: the committed Swift bindings must match the ffi
# crate, the Kotlin tests run on the JVM, and the Python package is installed into a new
# virtualenv and tested there.
bindings/swift/generate.sh --check
bindings/kotlin/run-tests.sh
bindings/python/run-tests.sh
