#!/usr/bin/env bash
# Checks the workspace's dependencies against the policy in deny.toml with cargo-deny
# (installed once by install-cargo-deny.sh): licenses, banned and duplicate crates, and
# sources (crates.io only). Run by scripts/test-all.sh, and so by CI (.ci/run).
#
# Security advisories (the RustSec advisory database, yanked crates) are checked too when a
# database is at hand; otherwise one line says they were not, and why:
#
#   MEDVAULT_ADVISORY_DB        a clone of https://github.com/rustsec/advisory-db on this
#                               machine: advisories are checked against it, offline. cargo-deny
#                               refuses a clone last updated more than 90 days ago.
#   (not set)                   the database is fetched if GitHub answers within
#                               MEDVAULT_ADVISORY_TIMEOUT seconds (default 20), into cargo-deny's
#                               own cache ($CARGO_HOME/advisory-dbs); else the check is skipped.
#   MEDVAULT_REQUIRE_ADVISORIES=1   fail, instead of skipping, when there is no database.
#
#   MEDVAULT_TOOLS              cache folder of install-cargo-deny.sh
set -euo pipefail
cd "$(dirname "$0")/.."

db_url=https://github.com/rustsec/advisory-db
deny="$(scripts/install-cargo-deny.sh)"

# --locked: the check reads Cargo.lock as committed and never rewrites it.
"$deny" --locked check licenses bans sources

skip_advisories() {
    if [[ "${MEDVAULT_REQUIRE_ADVISORIES:-}" == 1 ]]; then
        echo "supply chain: advisories cannot be checked: $1" >&2
        exit 1
    fi
    echo "supply chain: advisories NOT checked: $1 (set MEDVAULT_ADVISORY_DB to a clone of $db_url; docs/SECURITY.md, \"Supply chain\")"
}

if [[ -n "${MEDVAULT_ADVISORY_DB:-}" ]]; then
    clone="$(cd "$MEDVAULT_ADVISORY_DB" && pwd)"
    if [[ ! -d "$clone/.git" || ! -d "$clone/crates" ]]; then
        echo "MEDVAULT_ADVISORY_DB=$MEDVAULT_ADVISORY_DB is not a git clone of $db_url" >&2
        exit 1
    fi
    # cargo-deny looks for the database of deny.toml's db-urls in <db-path>/<name>-<hash of
    # the URL>; this is that name for the URL above with the pinned cargo-deny. The clone is
    # linked there from a scratch db-path, so nothing is written into it or $CARGO_HOME.
    scratch="$(mktemp -d)"
    trap 'rm -rf "$scratch"' EXIT
    mkdir "$scratch/dbs"
    ln -s "$clone" "$scratch/dbs/advisory-db-3157b0e258782691"
    sed "/^\[advisories\]$/a db-path = \"$scratch/dbs\"" deny.toml >"$scratch/deny.toml"
    # --offline: no fetch of the database (its age is checked instead).
    "$deny" --locked --offline --config "$scratch/deny.toml" check advisories
    echo "supply chain: advisories checked against $clone ($(git -C "$clone" log -1 --format=%cs))"
elif timeout "${MEDVAULT_ADVISORY_TIMEOUT:-20}" env GIT_TERMINAL_PROMPT=0 \
    git ls-remote --exit-code "$db_url" HEAD >/dev/null 2>&1; then
    "$deny" --locked check advisories
    echo "supply chain: advisories checked against $db_url, fetched now"
else
    skip_advisories "$db_url could not be reached from here"
fi
