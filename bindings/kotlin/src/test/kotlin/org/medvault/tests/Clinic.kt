package org.medvault.tests

import org.medvault.Enrollment
import org.medvault.Identity
import org.medvault.Role
import org.medvault.Session
import org.medvault.Vault

/** An account of the clinic, as its owner knows it. Secrets stay in memory, never printed. */
class Person(
    val username: String,
    val password: String,
    val role: Role,
    val id: String,
    /** The enrollment as the engine returned it. */
    val enrollment: Enrollment,
    /** The TOTP secret, decoded by the tests' own base32 decoder. */
    val secret: ByteArray,
) {
    lateinit var session: Session

    /** The code this person logged in with (each code is accepted once). */
    lateinit var loginCode: String

    override fun toString() = "$username ($role)"
}

/**
 * One vault with two patients, a physician and an admin, each enrolled in TOTP with the
 * tests' own client, confirmed, and logged in. Built once, on first use, by [get].
 *
 * Each TOTP step is accepted once per account, and confirming uses one up: every account is
 * confirmed first, then the clinic waits once for the next step before the logins. Other
 * tests add their own accounts to the same vault the same way with [logIn].
 */
class Clinic private constructor() {
    val vault: Vault = Vault.create(Scratch.path("store"), PASSPHRASE, Scratch.folder("index").path)
    val identity: Identity = vault.identity()

    /** Everyone [logIn] enrolled, released by [close]. */
    private val enrolled = mutableListOf<Person>()

    val alice: Person
    val bob: Person
    val physician: Person
    val admin: Person

    /** The four accounts above (not those that other tests add with [logIn]). */
    val people: List<Person>

    init {
        val ids = listOf(
            Triple("alice", Role.PATIENT, identity.registerPatient("alice", password("alice"))),
            Triple("bob", Role.PATIENT, identity.registerPatient("bob", password("bob"))),
            Triple("dr.grey", Role.PHYSICIAN, identity.operatorCreateAccount(Role.PHYSICIAN, "dr.grey", password("dr.grey"))),
            Triple("ops.admin", Role.ADMIN, identity.operatorCreateAccount(Role.ADMIN, "ops.admin", password("ops.admin"))),
        )
        people = logIn(ids)
        alice = people[0]
        bob = people[1]
        physician = people[2]
        admin = people[3]
    }

    /**
     * Enrolls the TOTP factor of each account (username, role, id; its password is
     * [password]) with the tests' own client, confirms it, waits once for the next time step
     * and logs every one in. The people are released by [close].
     */
    @Synchronized
    fun logIn(accounts: List<Triple<String, Role, String>>): List<Person> {
        var lastConfirmedStep = Long.MIN_VALUE
        val people = accounts.map { (username, role, id) ->
            val enrollment = identity.enrollTotp(username, password(username), null)
            val secret = Base32.decode(enrollment.secretBase32())
            val (code, step) = freshCode(secret)
            identity.confirmTotp(username, password(username), code)
            lastConfirmedStep = maxOf(lastConfirmedStep, step)
            Person(username, password(username), role, id, enrollment, secret).also { enrolled += it }
        }

        waitForStepAfter(lastConfirmedStep)
        for (person in people) {
            val (code, _) = freshCode(person.secret)
            person.session = identity.login(person.username, person.password, code)
            person.loginCode = code
        }
        return people
    }

    companion object {
        private val PASSPHRASE = "the clinic's vault passphrase".toByteArray()
        private var built: Result<Clinic>? = null

        /** Each account's password (long, not a common one). */
        fun password(username: String) = "$username: seven tulips under the bridge"

        /** The clinic, built on first call; if that failed, the same failure again. */
        @Synchronized
        fun get(): Clinic {
            val result = built ?: runCatching { Clinic() }.also { built = it }
            return result.getOrElse { throw IllegalStateException("the clinic could not be set up", it) }
        }

        /** Releases the clinic's objects, if it was built. */
        @Synchronized
        fun close() {
            built?.getOrNull()?.let { clinic ->
                clinic.enrolled.forEach { person ->
                    person.enrollment.close()
                    if (person.isLoggedIn()) person.session.close()
                }
                clinic.identity.close()
                clinic.vault.close()
            }
        }

        private fun Person.isLoggedIn() = runCatching { session }.isSuccess

        /**
         * A code for now and its step, as an authenticator app shows it; in the last 2 s of a
         * step, waits for the next one so the code does not expire in flight.
         */
        fun freshCode(secret: ByteArray): Pair<String, Long> {
            while (true) {
                val now = System.currentTimeMillis()
                val intoStep = now % (Totp.STEP_SECONDS * 1000)
                if (intoStep < (Totp.STEP_SECONDS - 2) * 1000) {
                    val seconds = now / 1000
                    return Totp.code(secret, seconds) to Totp.step(seconds)
                }
                Thread.sleep(Totp.STEP_SECONDS * 1000 - intoStep + 100)
            }
        }

        /** Sleeps until the time step after `step` has begun. */
        fun waitForStepAfter(step: Long) {
            val start = (step + 1) * Totp.STEP_SECONDS * 1000 + 100
            while (true) {
                val left = start - System.currentTimeMillis()
                if (left <= 0) return
                Thread.sleep(left)
            }
        }
    }
}
