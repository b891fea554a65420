#!/usr/bin/env bash
# Builds the ffi library, checks that the committed bindings are current, and runs the
# XCTest suite with `swift test`. Needs a Swift toolchain (macOS with Xcode, or Swift on
# Linux); CI machines without one run only `generate.sh --check`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/generate.sh" --check
cargo build --release --manifest-path "$here/../../Cargo.toml" -p medvault-ffi
export MEDVAULT_LIB_DIR="$here/../../target/release"
# The tests load the shared library at run time.
export LD_LIBRARY_PATH="$MEDVAULT_LIB_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export DYLD_LIBRARY_PATH="$MEDVAULT_LIB_DIR${DYLD_LIBRARY_PATH:+:$DYLD_LIBRARY_PATH}"
cd "$here"
swift test
