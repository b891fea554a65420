#!/usr/bin/env bash
# Installs cargo-deny (the supply-chain checker scripts/check-supply-chain.sh runs) from
# crates.io into a cache outside the repository, once, at a pinned version built from its own
# Cargo.lock. Prints the path of the cargo-deny binary.
#
#   MEDVAULT_TOOLS   cache folder (default: ~/.cache/medvault-tools)
set -euo pipefail

version=0.20.2
tools="${MEDVAULT_TOOLS:-$HOME/.cache/medvault-tools}"
root="$tools/cargo-deny-$version"
bin="$root/bin/cargo-deny"

if [[ ! -x "$bin" ]]; then
    echo "installing cargo-deny $version into $root (a few minutes the first time)" >&2
    mkdir -p "$tools"
    CARGO_TARGET_DIR="$tools/cargo-deny-build" cargo install cargo-deny \
        --version "$version" --locked --root "$root" >&2
    rm -rf "$tools/cargo-deny-build"
fi
echo "$bin"
