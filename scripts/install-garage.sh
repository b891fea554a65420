#!/usr/bin/env bash
# Installs Garage (the S3-compatible server the S3 tests run against) into a cache
# outside the repository, once. Prints the path of the garage binary.
#
#   MEDVAULT_TOOLS   cache folder (default: ~/.cache/medvault-tools)
set -euo pipefail

version=2.5.0
tools="${MEDVAULT_TOOLS:-$HOME/.cache/medvault-tools}"
root="$tools/garage-$version"
bin="$root/bin/garage"

if [[ ! -x "$bin" ]]; then
    echo "installing garage $version into $root (about 10 minutes the first time)" >&2
    mkdir -p "$tools"
    CARGO_TARGET_DIR="$tools/garage-build" cargo install garage \
        --version "$version" --locked --no-default-features --features sqlite,bundled-libs \
        --root "$root" >&2
    rm -rf "$tools/garage-build"
fi
echo "$bin"
