#!/usr/bin/env bash
# Runs every fuzz target of fuzz/ (cargo-fuzz, libFuzzer, AddressSanitizer) for SECONDS each,
# one at a time, starting from its committed corpus in fuzz/corpus/<target>/; fails if any
# target crashes, after running the others. cargo-fuzz is installed once
# (install-cargo-fuzz.sh). New inputs the run finds go to a scratch folder, not the repository;
# a crash is saved in fuzz/artifacts/<target>/ (rerun it with
# `cargo fuzz run --fuzz-dir fuzz TARGET FILE`).
#
#   scripts/fuzz.sh [SECONDS]    15 seconds per target unless given
#   scripts/fuzz.sh --seeds      writes the seed corpora anew (fuzz/seeds) and minimizes them
#                                (cargo fuzz cmin) in place
#
#   MEDVAULT_FUZZ_TARGETS   the targets to run (default: all, as `cargo fuzz list` names them)
#   MEDVAULT_FUZZ_BUILD     extra flags for `cargo fuzz build` and `run` (default: none)
set -euo pipefail
cd "$(dirname "$0")/.."

cargo_fuzz="$(scripts/install-cargo-fuzz.sh)"
# cargo-fuzz passes unstable flags (-Z, sanitizers) to cargo and rustc; the stable toolchain
# accepts them with this. No nightly toolchain is needed.
export RUSTC_BOOTSTRAP=1
read -r -a build <<< "${MEDVAULT_FUZZ_BUILD:-}"
# `cargo fuzz COMMAND ARGS…`, with the build flags for the commands that build.
fuzz() {
    case "$1" in
        build | run | cmin) "$cargo_fuzz" fuzz "$1" --fuzz-dir fuzz "${build[@]}" "${@:2}" ;;
        *) "$cargo_fuzz" fuzz "$1" --fuzz-dir fuzz "${@:2}" ;;
    esac
}

if [[ "${1:-}" == "--seeds" ]]; then
    rm -rf fuzz/corpus
    cargo run --release --manifest-path fuzz/Cargo.toml -p medvault-fuzz-seeds -- fuzz/corpus
    fuzz build
    for target in $(fuzz list); do
        fuzz cmin "$target" "fuzz/corpus/$target"
    done
    du -sh fuzz/corpus
    exit 0
fi

seconds="${1:-15}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

fuzz build
read -r -a targets <<< "${MEDVAULT_FUZZ_TARGETS:-$(fuzz list | tr '\n' ' ')}"
failed=()
for target in "${targets[@]}"; do
    mkdir -p "$scratch/$target"
    echo "fuzzing $target for ${seconds}s" >&2
    if ! fuzz run "$target" "$scratch/$target" "fuzz/corpus/$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        >"$scratch/$target.log" 2>&1; then
        tail -n 40 "$scratch/$target.log" >&2
        failed+=("$target")
    else
        grep -E '^#[0-9]+[[:space:]]+DONE' "$scratch/$target.log" >&2 || true
    fi
done
if (( ${#failed[@]} > 0 )); then
    echo "fuzz targets that crashed: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
    exit 1
fi
echo "${#targets[@]} fuzz targets ran ${seconds}s each without a crash" >&2
