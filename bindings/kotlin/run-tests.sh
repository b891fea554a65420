#!/usr/bin/env bash
# Generates the Kotlin bindings from the ffi crate (building its library), compiles them and
# the tests with kotlinc, and runs the tests on the JVM against the library.
#
#   bindings/kotlin/run-tests.sh [test name filter…]
#
# Needs a Rust toolchain, Java 17 or later, npm (fetches the Kotlin compiler) and apt-get
# (fetches Debian's JNA); scripts/install-kotlin.sh caches both outside the repository.
# Classes go to target/kotlin/; the bindings are recompiled only when the generated file or
# the compiler changes (about 30 s on two cores), the tests only when they change.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

# Assigned before eval so that a failed install stops this script.
tools="$("$root/scripts/install-kotlin.sh")"
eval "$tools"
library="$("$root/scripts/generate-bindings.sh" kotlin | tail -n 1)"
if [[ ! -f "$library" ]]; then
    echo "scripts/generate-bindings.sh did not produce the library ($library)" >&2
    exit 1
fi
out="$(dirname "$(dirname "$library")")/kotlin" # target/kotlin, beside target/debug
kotlinc="$KOTLIN_HOME/bin/kotlinc"
stdlib="$KOTLIN_HOME/lib/kotlin-stdlib.jar"
kotlin_test="$KOTLIN_HOME/lib/kotlin-test.jar"
mkdir -p "$out"

# Compiles the Kotlin files under $2 into the jar $1 with classpath $3 (and kotlinc options
# after it), unless the jar was built from the same sources, classpath jars, options and
# compiler: a hash of them all is kept beside the jar.
compile() {
    local jar="$1" sources="$2" classpath="$3"
    shift 3
    local files stamp
    mapfile -t files < <(find "$sources" -name '*.kt' | LC_ALL=C sort)
    if ((${#files[@]} == 0)); then
        echo "no Kotlin files under $sources" >&2
        exit 1
    fi
    local jars
    mapfile -t jars < <(tr ':' '\n' <<<"$classpath")
    stamp="$( (echo "$kotlinc $classpath $*"; cat "$KOTLIN_HOME/build.txt" "${jars[@]}" "${files[@]}") \
        | sha256sum | cut -d' ' -f1)"
    if [[ -f "$jar" && "$(cat "$jar.sha256" 2>/dev/null)" == "$stamp" ]]; then
        return
    fi
    echo "kotlinc: compiling ${#files[@]} file(s) under ${sources#"$root"/} into ${jar#"$root"/}" >&2
    rm -f "$jar" "$jar.sha256"
    "$kotlinc" -jvm-target 17 -cp "$classpath" -d "$jar" "$@" "${files[@]}"
    echo "$stamp" >"$jar.sha256"
}

# The generated code's warnings are uniffi's, not ours: -nowarn keeps the output readable.
compile "$out/medvault-bindings.jar" "$here/src/main/kotlin" "$MEDVAULT_JNA_JAR" -nowarn
compile "$out/medvault-tests.jar" "$here/src/test/kotlin" \
    "$out/medvault-bindings.jar:$MEDVAULT_JNA_JAR:$kotlin_test" -Werror

# Debian's JNA loads its native half (libjnidispatch.system.so) from /usr/lib/jni, then, with
# jna.nosys=false, from java.library.path; our own library comes from jna.library.path.
exec java \
    -Djna.library.path="$(dirname "$library")" \
    -Djna.nosys=false -Djava.library.path="$MEDVAULT_JNA_NATIVE_DIR" \
    -cp "$out/medvault-tests.jar:$out/medvault-bindings.jar:$MEDVAULT_JNA_JAR:$stdlib:$kotlin_test" \
    org.medvault.tests.MainKt "$@"
