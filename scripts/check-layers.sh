#!/usr/bin/env bash
# Checks that the three layers depend only downward: the engine (`medvault`, core/) knows
# neither the identity nor the hospital crate, and the identity crate (core/identity/) does
# not know the hospital crate; neither by dependency (cargo tree) nor by name in their
# sources. Then builds, tests and documents the three crates with their default features (no
# S3, no QR codes), as an application that embeds only them would.
set -euo pipefail
cd "$(dirname "$0")/.."

failed=0

# Fails when `crate`'s normal dependency tree contains any of the crates that follow.
forbid_dependency() {
    local crate=$1
    shift
    local tree
    tree="$(cargo tree -p "$crate" -e normal --prefix none --offline 2>/dev/null ||
        cargo tree -p "$crate" -e normal --prefix none)"
    for upper in "$@"; do
        if grep -q "^$upper v" <<<"$tree"; then
            echo "layering: $crate depends on $upper" >&2
            failed=1
        fi
    done
}

# Fails when any Rust file under `folder` names any of the crates that follow.
forbid_mention() {
    local folder=$1
    shift
    for upper in "$@"; do
        local found
        found="$(grep -rnw --include='*.rs' --include='Cargo.toml' -e "$upper" -e "${upper//_/-}" "$folder" || true)"
        if [[ -n "$found" ]]; then
            echo "layering: $folder names $upper:" >&2
            echo "$found" >&2
            failed=1
        fi
    done
}

forbid_dependency medvault medvault-identity medvault-hospital
forbid_dependency medvault-identity medvault-hospital
# core/ holds the engine's sources and tests; the identity and hospital crates sit below it.
forbid_mention core/src medvault_identity medvault_hospital
forbid_mention core/tests medvault_identity medvault_hospital
forbid_mention core/Cargo.toml medvault_identity medvault_hospital
forbid_mention core/identity medvault_hospital

if [[ $failed -ne 0 ]]; then
    exit 1
fi
echo "layers: the engine and the identity crate depend only downward"

# Each layer on its own, with default features: builds, lints and tests pass.
cargo clippy -p medvault -p medvault-identity -p medvault-hospital --all-targets -- -D warnings
cargo test -p medvault -p medvault-identity -p medvault-hospital --all-targets
cargo test -p medvault -p medvault-identity -p medvault-hospital --doc
# Their documentation, with every link resolved.
RUSTDOCFLAGS="-D warnings" cargo doc -p medvault -p medvault-identity -p medvault-hospital --no-deps
echo "engine dependencies (normal, default features): $(cargo tree -p medvault -e normal --prefix none | sed 's/ (\*)//' | sort -u | wc -l) packages"
