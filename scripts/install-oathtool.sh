#!/usr/bin/env bash
# Installs Debian's oathtool (an independent TOTP client the tests check codes against)
# into a cache outside the repository, once, without root: `apt-get download` of the
# oathtool and liboath0 packages, unpacked with `dpkg-deb -x`, behind a small wrapper
# that points LD_LIBRARY_PATH at the unpacked library. Prints the path of an oathtool
# to run: the one on PATH if there is one, else the wrapper.
#
#   MEDVAULT_TOOLS   cache folder (default: ~/.cache/medvault-tools)
set -euo pipefail

if bin="$(type -P oathtool)"; then
    echo "$bin"
    exit 0
fi

tools="${MEDVAULT_TOOLS:-$HOME/.cache/medvault-tools}"

# Already cached (any version): no apt look-up, so a second run is instant.
bin="$(printf '%s\n' "$tools"/oathtool-*/bin/oathtool | sort -V | tail -n 1)"
if [[ -x "$bin" ]]; then
    echo "$bin"
    exit 0
fi

# The version apt would download; it names the cache folder.
candidate() { apt-cache policy oathtool 2>/dev/null | awk '$1 == "Candidate:" { print $2 }'; }
version="$(candidate)"
if [[ -z "$version" || "$version" == "(none)" ]]; then
    if [[ "$(id -u)" == 0 ]]; then
        echo "apt knows no oathtool package yet: running apt-get update" >&2
        apt-get update >&2
        version="$(candidate)"
    fi
    if [[ -z "$version" || "$version" == "(none)" ]]; then
        echo "apt knows no oathtool package: run 'apt-get update' as root first" >&2
        exit 1
    fi
fi
root="$tools/oathtool-$version"
bin="$root/bin/oathtool"

if [[ ! -x "$bin" ]]; then
    echo "installing oathtool $version into $root" >&2
    mkdir -p "$tools"
    tmp="$(mktemp -d)"
    stage="$(mktemp -d "$tools/.oathtool-stage.XXXXXX")"
    trap 'rm -rf "$tmp" "$stage"' EXIT

    (cd "$tmp" && apt-get download "oathtool=$version" liboath0 >&2)
    for deb in "$tmp"/*.deb; do
        dpkg-deb -x "$deb" "$stage"
    done

    lib="$(find "$stage" -name 'liboath.so.0' -print -quit)"
    if [[ -z "$lib" || ! -x "$stage/usr/bin/oathtool" ]]; then
        echo "unexpected package contents: no usr/bin/oathtool or liboath.so.0" >&2
        exit 1
    fi
    libdir="$(dirname "${lib#"$stage"/}")" # e.g. usr/lib/x86_64-linux-gnu

    mkdir -p "$stage/bin"
    cat >"$stage/bin/oathtool" <<EOF
#!/bin/sh
# Runs the oathtool unpacked beside this folder (made by scripts/install-oathtool.sh).
root="\$(dirname "\$(dirname "\$(readlink -f "\$0")")")"
LD_LIBRARY_PATH="\$root/$libdir\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "\$root/usr/bin/oathtool" "\$@"
EOF
    chmod 755 "$stage/bin/oathtool" "$stage"

    # Move into place in one step; if another run got there first, keep its copy.
    if ! mv -T "$stage" "$root" 2>/dev/null && [[ ! -x "$bin" ]]; then
        echo "could not move the install into $root" >&2
        exit 1
    fi
fi
echo "$bin"
