#!/usr/bin/env bash
# Builds the medvault wheel the way users install it (`pip install ./bindings/python`) into a
# fresh virtualenv, and runs the Python test suite against it.
#
#   bindings/python/run-tests.sh [pytest arguments…]
#
# Needs a Rust toolchain and CPython >= 3.10 (`PYTHON` picks the interpreter; default
# python3); pip fetches maturin, pytest and pyotp. The Rust build reuses the workspace's
# target/ folder, so reruns only rebuild what changed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/target/python-venv"
python="${PYTHON:-python3}"

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
# No __pycache__ folders in the source tree.
export PYTHONDONTWRITEBYTECODE=1

rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$here/requirements-test.txt"
(cd "$root" && "$venv/bin/python" -m pip install --quiet --disable-pip-version-check ./bindings/python)

# From a folder outside the source tree, so that `import medvault` is the installed wheel.
cd "$venv"
exec "$venv/bin/python" -m pytest -p no:cacheprovider "$here/tests" "$@"
