package org.medvault.tests

import java.io.File
import java.nio.file.Files
import kotlin.system.exitProcess

/** One test: a name and a body that throws to fail. */
class TestCase(val name: String, val body: () -> Unit)

/** Declares a test. */
fun test(name: String, body: () -> Unit) = TestCase(name, body)

/** Temporary folders made by the tests, removed when the run ends. */
object Scratch {
    private val root: File by lazy {
        Files.createTempDirectory("medvault-kotlin-tests-").toFile()
    }
    private var count = 0

    /** A new, empty folder. */
    @Synchronized
    fun folder(name: String): File = File(root, "${++count}-$name").apply { mkdirs() }

    /** A path inside a new folder, not created: for `Vault.create`. */
    fun path(name: String): String = File(folder(name), "store").path

    fun clean() {
        if (count > 0) root.deleteRecursively()
    }
}

/**
 * Runs every test (or those whose name contains one of the arguments) in order, prints one
 * line per test, and exits with 1 if any failed. The identity tests share one set of
 * logged-in accounts ([Clinic]) and run in the order listed: logout comes last. The hospital
 * tests add their accounts to the same vault ([Ward]), after the identity tests.
 */
fun main(args: Array<String>) {
    val all = totpTests + vaultTests + identityTests + hospitalTests
    val chosen = if (args.isEmpty()) all else all.filter { case -> args.any { it in case.name } }
    if (chosen.isEmpty()) {
        System.err.println("no test matches ${args.joinToString(" ")}")
        exitProcess(2)
    }
    var failed = 0
    try {
        for (case in chosen) {
            val started = System.nanoTime()
            val error = try {
                case.body()
                null
            } catch (error: Throwable) {
                error
            }
            val seconds = (System.nanoTime() - started) / 1e9
            val took = "(%.1f s)".format(seconds)
            if (error == null) {
                println("ok      ${case.name} $took")
            } else {
                failed++
                println("FAILED  ${case.name} $took: ${error::class.qualifiedName}: ${error.message}")
                error.printStackTrace(System.out)
            }
            System.out.flush()
        }
    } finally {
        Clinic.close()
        Scratch.clean()
    }
    println("${chosen.size - failed} passed, $failed failed")
    exitProcess(if (failed == 0) 0 else 1)
}
