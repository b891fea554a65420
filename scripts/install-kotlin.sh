#!/usr/bin/env bash
# Installs what the Kotlin bindings' tests need into a cache outside the repository, once,
# without root:
# - the Kotlin compiler: the npm package `kotlin-compiler` (the full kotlinc distribution,
#   with kotlin-stdlib.jar and kotlin-test.jar in its lib/), fetched with `npm pack`;
# - JNA: Debian's libjna-java (the jar) and libjna-jni (libjnidispatch.system.so, the native
#   half Debian strips from the jar), with `apt-get download` and `dpkg-deb -x`. A JNA
#   installed by apt (/usr/share/java/jna.jar) is used as it is.
# Prints, for `eval`, the variables the run script reads:
#
#   export KOTLIN_HOME=…              kotlinc is $KOTLIN_HOME/bin/kotlinc
#   export MEDVAULT_JNA_JAR=…         the JNA jar
#   export MEDVAULT_JNA_NATIVE_DIR=…  the folder of libjnidispatch.system.so, for
#                                     java -Djna.nosys=false -Djava.library.path=…
#
# (Debian's JNA looks for its native library in /usr/lib/jni and /usr/lib/<multiarch>/jni,
# ignoring jna.boot.library.path, then, only with jna.nosys=false, in java.library.path.)
#
#   MEDVAULT_TOOLS   cache folder (default: ~/.cache/medvault-tools)
set -euo pipefail
shopt -s inherit_errexit # the installs run in $(…): let their errors stop them too

kotlin_version=2.4.20
tools="${MEDVAULT_TOOLS:-$HOME/.cache/medvault-tools}"

# Moves a finished staging folder into place in one step; if another run got there first,
# keeps its copy.
move_into_place() {
    local stage="$1" root="$2" check="$3"
    chmod 755 "$stage"
    if ! mv -T "$stage" "$root" 2>/dev/null && [[ ! -e "$root/$check" ]]; then
        echo "could not move the install into $root" >&2
        exit 1
    fi
}

install_kotlin() {
    local root="$tools/kotlin-$kotlin_version"
    if [[ -x "$root/bin/kotlinc" && -f "$root/lib/kotlin-test.jar" ]]; then
        echo "$root"
        return
    fi
    if ! type -P npm >/dev/null; then
        echo "npm is needed to fetch the Kotlin compiler (npm package kotlin-compiler)" >&2
        exit 1
    fi
    echo "installing kotlinc $kotlin_version into $root" >&2
    mkdir -p "$tools"
    local tmp stage
    tmp="$(mktemp -d)"
    stage="$(mktemp -d "$tools/.kotlin-stage.XXXXXX")"
    # shellcheck disable=SC2064 # expand now: the folders are local to this function
    trap "rm -rf '$tmp' '$stage'" EXIT

    # `npm pack` only downloads the package (no install scripts run); it prints the file name.
    local tarball
    tarball="$(cd "$tmp" && npm pack --silent "kotlin-compiler@$kotlin_version" | tail -n 1)"
    tar -xzf "$tmp/$tarball" -C "$stage" --strip-components=1
    if [[ ! -f "$stage/bin/kotlinc" || ! -f "$stage/lib/kotlin-test.jar" \
        || ! -f "$stage/lib/kotlin-stdlib.jar" ]]; then
        echo "unexpected package contents: no bin/kotlinc, lib/kotlin-stdlib.jar or lib/kotlin-test.jar" >&2
        exit 1
    fi
    chmod 755 "$stage"/bin/*
    move_into_place "$stage" "$root" bin/kotlinc
    rm -rf "$tmp"
    trap - EXIT
    echo "$root"
}

# The folder holding libjnidispatch.system.so under the folders given, if any.
find_jnidispatch() {
    local lib
    lib="$(find "$@" -name 'libjnidispatch.system.so' -print -quit 2>/dev/null || true)"
    [[ -n "$lib" ]] && dirname "$lib"
}

# Prints the jar and the folder of its native library, one a line.
install_jna() {
    local jar=/usr/share/java/jna.jar native
    if [[ -f "$jar" ]] && native="$(find_jnidispatch /usr/lib/jni /usr/lib/*/jni)"; then
        printf '%s\n%s\n' "$jar" "$native"
        return
    fi

    # Already cached (any version): no apt look-up, so a second run is instant.
    local root
    root="$(printf '%s\n' "$tools"/jna-*/ | sort -V | tail -n 1)"
    root="${root%/}"
    if [[ -f "$root/usr/share/java/jna.jar" ]] && native="$(find_jnidispatch "$root")"; then
        printf '%s\n%s\n' "$root/usr/share/java/jna.jar" "$native"
        return
    fi

    # The version apt would download; it names the cache folder.
    candidate() { apt-cache policy libjna-java 2>/dev/null | awk '$1 == "Candidate:" { print $2 }'; }
    local version
    version="$(candidate || true)"
    if [[ -z "$version" || "$version" == "(none)" ]]; then
        if [[ "$(id -u)" == 0 ]]; then
            echo "apt knows no libjna-java package yet: running apt-get update" >&2
            apt-get update >&2
            version="$(candidate || true)"
        fi
        if [[ -z "$version" || "$version" == "(none)" ]]; then
            echo "apt knows no libjna-java package: run 'apt-get update' as root first" >&2
            exit 1
        fi
    fi
    root="$tools/jna-$version"
    echo "installing JNA $version (libjna-java, libjna-jni) into $root" >&2
    mkdir -p "$tools"
    local tmp stage
    tmp="$(mktemp -d)"
    stage="$(mktemp -d "$tools/.jna-stage.XXXXXX")"
    # shellcheck disable=SC2064 # expand now: the folders are local to this function
    trap "rm -rf '$tmp' '$stage'" EXIT

    (cd "$tmp" && apt-get download "libjna-java=$version" "libjna-jni=$version" >&2)
    local deb
    for deb in "$tmp"/*.deb; do
        dpkg-deb -x "$deb" "$stage"
    done
    if [[ ! -f "$stage/usr/share/java/jna.jar" ]] || ! find_jnidispatch "$stage" >/dev/null; then
        echo "unexpected package contents: no usr/share/java/jna.jar or libjnidispatch.system.so" >&2
        exit 1
    fi
    # The native library links libffi; say so now rather than as a JNA stack trace later.
    local missing
    missing="$(ldd "$(find_jnidispatch "$stage")/libjnidispatch.system.so" 2>/dev/null \
        | awk '/not found/ { print $1 }' || true)"
    if [[ -n "$missing" ]]; then
        echo "JNA's native library needs libraries this machine lacks: $missing" \
            "(on Debian: apt-get install libffi8)" >&2
        exit 1
    fi
    move_into_place "$stage" "$root" usr/share/java/jna.jar
    rm -rf "$tmp"
    trap - EXIT
    printf '%s\n%s\n' "$root/usr/share/java/jna.jar" "$(find_jnidispatch "$root")"
}

kotlin_home="$(install_kotlin)"
jna="$(install_jna)"
printf 'export %s=%q\n' \
    KOTLIN_HOME "$kotlin_home" \
    MEDVAULT_JNA_JAR "$(sed -n 1p <<<"$jna")" \
    MEDVAULT_JNA_NATIVE_DIR "$(sed -n 2p <<<"$jna")"
