#!/usr/bin/env bash
# Installs a tool from crates.io into a cache outside the repository, once, at a pinned version
# built from its own Cargo.lock, and prints the path of its binary (named like the crate).
#
#   scripts/cargo-install-cached.sh CRATE VERSION "HOW LONG" [cargo install options...]
#
# HOW LONG is what the first install is said to take. Each tool keeps its own folder,
# <cache>/<crate>-<version>, so a new version never replaces an old one in use.
#
#   MEDVAULT_TOOLS   cache folder (default: ~/.cache/medvault-tools)
set -euo pipefail

crate="$1"
version="$2"
how_long="$3"
shift 3
tools="${MEDVAULT_TOOLS:-$HOME/.cache/medvault-tools}"
root="$tools/$crate-$version"
bin="$root/bin/$crate"

if [[ ! -x "$bin" ]]; then
    echo "installing $crate $version into $root ($how_long the first time)" >&2
    mkdir -p "$tools"
    CARGO_TARGET_DIR="$tools/$crate-build" cargo install "$crate" \
        --version "$version" --locked "$@" --root "$root" >&2
    rm -rf "$tools/$crate-build"
fi
echo "$bin"
