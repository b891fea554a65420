#!/usr/bin/env bash
# Generates the Kotlin or Swift bindings of the ffi crate with the workspace's own
# uniffi-bindgen, from the library it builds (dev profile; the generated code depends only on
# the exported interface, not on the profile).
#
#   scripts/generate-bindings.sh kotlin|swift [--check]
#
# Kotlin goes to bindings/kotlin/src/main/kotlin, Swift to bindings/swift/Sources. With
# --check nothing is written: the script fails if the committed bindings differ from what
# the current ffi crate generates. Prints the library's path on success.
set -euo pipefail
cd "$(dirname "$0")/.."

language="${1:-}"
check=false
[[ "${2:-}" == "--check" ]] && check=true
case "$language" in
    kotlin) target=bindings/kotlin/src/main/kotlin ;;
    swift) target=bindings/swift/Sources ;;
    *) echo "usage: $0 kotlin|swift [--check]" >&2; exit 2 ;;
esac

cargo build --quiet -p medvault-ffi -p medvault-uniffi-bindgen
target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
library="$target_dir/debug/libmedvault_ffi.so"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$target_dir/debug/uniffi-bindgen" generate --library "$library" --language "$language" \
    --out-dir "$out/raw" --no-format >/dev/null

# Lay the files out as each language's build expects them.
mkdir -p "$out/tree"
if [[ "$language" == kotlin ]]; then
    cp -r "$out/raw/." "$out/tree/"
else
    # MedVaultFFI is a SwiftPM system-library target: the header and a module.modulemap.
    mkdir -p "$out/tree/MedVault" "$out/tree/MedVaultFFI"
    cp "$out/raw/MedVault.swift" "$out/tree/MedVault/"
    cp "$out/raw/MedVaultFFI.h" "$out/tree/MedVaultFFI/"
    cp "$out/raw/MedVaultFFI.modulemap" "$out/tree/MedVaultFFI/module.modulemap"
fi

if $check; then
    if ! diff -r "$target" "$out/tree" >/dev/null 2>&1; then
        echo "$target is stale: run scripts/generate-bindings.sh $language and commit the result" >&2
        diff -r "$target" "$out/tree" | head -20 >&2 || true
        exit 1
    fi
    echo "$target is current" >&2
else
    rm -rf "$target"
    mkdir -p "$target"
    cp -r "$out/tree/." "$target/"
fi
echo "$library"
