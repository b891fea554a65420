#!/usr/bin/env bash
# Runs every test of the workspace: unit, integration, property and documentation tests.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --all-targets
cargo test --workspace --doc
