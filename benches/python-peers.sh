#!/usr/bin/env bash
# Installs the Python binding (release build, as `pip install ./bindings/python` makes it),
# tink and SQLCipher into a fresh virtualenv under target/, and runs the side-by-side
# benchmark. Arguments go to the script (--json FILE, --rounds N, --quick).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/target/bench-venv"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

rm -rf "$venv"
"${PYTHON:-python3}" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$root/benches/peers/requirements.txt"
(cd "$root" && "$venv/bin/python" -m pip install --quiet --disable-pip-version-check ./bindings/python)
exec "$venv/bin/python" "$root/benches/peers/python_side_by_side.py" "$@"
