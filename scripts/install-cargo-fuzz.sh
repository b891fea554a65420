#!/usr/bin/env bash
# Installs cargo-fuzz (the libFuzzer driver the fuzz targets in fuzz/ run under) into a cache
# outside the repository, once. Prints the path of the cargo-fuzz binary.
#
#   MEDVAULT_TOOLS   cache folder (default: ~/.cache/medvault-tools)
set -euo pipefail

version=0.13.2
tools="${MEDVAULT_TOOLS:-$HOME/.cache/medvault-tools}"
root="$tools/cargo-fuzz-$version"
bin="$root/bin/cargo-fuzz"

if [[ ! -x "$bin" ]]; then
    echo "installing cargo-fuzz $version into $root (about a minute the first time)" >&2
    mkdir -p "$tools"
    CARGO_TARGET_DIR="$tools/cargo-fuzz-build" cargo install cargo-fuzz \
        --version "$version" --locked --root "$root" >&2
    rm -rf "$tools/cargo-fuzz-build"
fi
echo "$bin"
