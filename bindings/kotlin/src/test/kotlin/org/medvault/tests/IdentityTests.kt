package org.medvault.tests

import org.medvault.FactorState
import org.medvault.MedVaultException
import org.medvault.Role
import java.net.URI
import java.net.URLDecoder
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue

private val PNG_MAGIC = byteArrayOf(0x89.toByte(), 'P'.code.toByte(), 'N'.code.toByte(), 'G'.code.toByte())

/** The query parameters of a URI, decoded. */
private fun queryOf(uri: String): Map<String, String> =
    URI(uri).rawQuery.orEmpty().split('&').filter { it.isNotEmpty() }.associate { pair ->
        val (name, value) = pair.split('=', limit = 2) + ""
        URLDecoder.decode(name, Charsets.UTF_8) to URLDecoder.decode(value, Charsets.UTF_8)
    }

/**
 * Accounts, TOTP and sessions over one [Clinic], in order: the logout test comes last, as it
 * ends a session the others use.
 */
val identityTests = listOf(
    test("enrollment: a 160-bit secret, its otpauth URI, a QR code and ten recovery codes") {
        val clinic = Clinic.get()
        for (person in clinic.people) {
            val enrollment = person.enrollment
            assertEquals(person.id, enrollment.accountId())
            assertEquals(20, person.secret.size, "secret bytes of $person")
            val uri = enrollment.otpauthUri()
            assertTrue(uri.startsWith("otpauth://totp/"), "an otpauth TOTP URI for $person")
            // Compared without printing either: they are the secret.
            assertTrue(
                Base32.decode(queryOf(uri)["secret"].orEmpty()).contentEquals(person.secret),
                "the URI's secret is not secretBase32() for $person",
            )
            assertContentEquals(PNG_MAGIC, enrollment.qrPng().copyOf(4), "QR code of $person is a PNG")
            val codes = enrollment.recoveryCodes()
            assertEquals(10, codes.size)
            assertEquals(10, codes.toSet().size, "recovery codes are distinct")
            assertTrue(codes.all { it.isNotBlank() })
        }
        val secrets = clinic.people.map { it.secret.toList() }.toSet()
        assertEquals(clinic.people.size, secrets.size, "every account has its own secret")
    },
    test("accounts: operatorAccounts lists every account, each factor active") {
        val clinic = Clinic.get()
        val accounts = clinic.identity.operatorAccounts().associateBy { it.id }
        assertEquals(clinic.people.map { it.id }.toSet(), accounts.keys)
        for (person in clinic.people) {
            val account = accounts.getValue(person.id)
            assertEquals(person.username, account.username)
            assertEquals(person.role, account.role)
            assertEquals(FactorState.ACTIVE, account.factor)
            assertEquals(10u, account.recoveryCodesLeft)
        }
    },
    test("login: each session is its account's") {
        val clinic = Clinic.get()
        for (person in clinic.people) {
            val account = person.session.account()
            assertEquals(person.id, account.id)
            assertEquals(person.username, account.username)
            assertEquals(person.role, account.role)
        }
    },
    test("records: a physician writes for a patient, the patient reads and lists them") {
        val clinic = Clinic.get()
        val doctor = clinic.physician.session
        val patient = clinic.alice
        val lab = """{"resourceType":"Observation","code":"HbA1c","value":6.1}""".toByteArray()
        val note = "Follow-up in 3 months.".toByteArray()
        val labMeta = doctor.writeRecord(patient.id, "lab-result", "application/fhir+json", lab)
        val noteMeta = doctor.writeRecord(patient.id, "note", "text/plain", note)
        assertEquals(1UL, labMeta.version)
        assertEquals("lab-result", labMeta.kind)
        assertEquals("application/fhir+json", labMeta.contentType)
        assertEquals(clinic.physician.id, labMeta.author)
        assertEquals(lab.size.toULong(), labMeta.size)

        val read = patient.session.readRecord(labMeta.id)
        assertContentEquals(lab, read.payload)
        assertEquals(labMeta, read.meta)
        assertContentEquals(note, patient.session.readRecord(noteMeta.id).payload)

        val history = patient.session.listRecords(patient.id)
        assertEquals(setOf(labMeta.id, noteMeta.id), history.map { it.id }.toSet())
        assertEquals(history.map { it.id }.toSet(), doctor.listRecords(patient.id).map { it.id }.toSet())
        assertEquals(emptyList(), doctor.listRecords(clinic.bob.id))
    },
    test("records: an amendment keeps every version") {
        val clinic = Clinic.get()
        val doctor = clinic.physician.session
        val first = doctor.writeRecord(clinic.alice.id, "prescription", "text/plain", "metformin 500 mg".toByteArray())
        val second = doctor.amendRecord(first.id, "metformin 1000 mg".toByteArray())
        assertEquals(first.id, second.id)
        assertEquals(2UL, second.version)
        assertContentEquals("metformin 1000 mg".toByteArray(), clinic.alice.session.readRecord(first.id).payload)
        assertEquals(listOf(1UL, 2UL), clinic.vault.history(first.id).map { it.version })
        assertContentEquals("metformin 500 mg".toByteArray(), clinic.vault.getVersion(first.id, 1UL).payload)
    },
    test("access: a patient may not write records, nor read another patient's") {
        val clinic = Clinic.get()
        val alice = clinic.alice
        val error = assertFailsWith<MedVaultException.AccessDenied> {
            alice.session.writeRecord(alice.id, "note", "text/plain", "I feel fine".toByteArray())
        }
        assertTrue(error.message.orEmpty().isNotBlank())
        val hers = clinic.physician.session.writeRecord(alice.id, "note", "text/plain", "private".toByteArray())
        assertFailsWith<MedVaultException.AccessDenied> { clinic.bob.session.readRecord(hers.id) }
        assertFailsWith<MedVaultException.AccessDenied> { clinic.bob.session.listRecords(alice.id) }
        assertFailsWith<MedVaultException.AccessDenied> {
            clinic.bob.session.createAccount(Role.PHYSICIAN, "dr.bob", Clinic.password("dr.bob"))
        }
    },
    test("access: an admin reads a patient's records only under break-glass") {
        val clinic = Clinic.get()
        val admin = clinic.admin.session
        val record = clinic.physician.session.writeRecord(clinic.bob.id, "note", "text/plain", "triage".toByteArray())
        assertFailsWith<MedVaultException.AccessDenied> { admin.readRecord(record.id) }
        admin.grantBreakGlass(clinic.bob.id, "unconscious patient in the emergency room", 15u)
        assertContentEquals("triage".toByteArray(), admin.readRecord(record.id).payload)
        assertFailsWith<MedVaultException.AccessDenied> { clinic.physician.session.grantBreakGlass(clinic.bob.id, "curious", 15u) }
    },
    test("audit: the admin reads FHIR AuditEvents and the vault's trail verifies") {
        val clinic = Clinic.get()
        val trail = clinic.admin.session.auditTrail()
        assertTrue(trail.isNotEmpty())
        assertTrue(trail.all { "\"AuditEvent\"" in it }, "every entry is a FHIR AuditEvent")
        assertFailsWith<MedVaultException.AccessDenied> { clinic.physician.session.auditTrail() }
        val summary = clinic.vault.verifyAudit()
        assertTrue(summary.entries >= trail.size.toULong(), "entries ${summary.entries}, trail ${trail.size}")
        assertTrue(summary.writers >= 1UL)
    },
    test("login: a replayed code throws CodeReplayed; a wrong password InvalidCredentials") {
        val clinic = Clinic.get()
        val alice = clinic.alice
        val error = assertFailsWith<MedVaultException.CodeReplayed> {
            clinic.identity.login(alice.username, alice.password, alice.loginCode)
        }
        assertTrue(error.message.orEmpty().isNotBlank())
        assertFailsWith<MedVaultException.InvalidCredentials> {
            clinic.identity.login(alice.username, "not her password at all", alice.loginCode)
        }
        assertFailsWith<MedVaultException.InvalidCredentials> {
            clinic.identity.login("nobody", "not anyone's password", alice.loginCode)
        }
    },
    test("input: malformed record or account ids throw InvalidInput") {
        val clinic = Clinic.get()
        val doctor = clinic.physician.session
        assertFailsWith<MedVaultException.InvalidInput> { doctor.readRecord("not-a-record-id") }
        assertFailsWith<MedVaultException.InvalidInput> { doctor.amendRecord("", "x".toByteArray()) }
        assertFailsWith<MedVaultException.InvalidInput> {
            doctor.writeRecord("not-an-account-id", "note", "text/plain", "x".toByteArray())
        }
        assertFailsWith<MedVaultException.InvalidInput> { doctor.listRecords("alice") }
    },
    test("secrets: Enrollment and Session toString() show no secret, code or password") {
        val clinic = Clinic.get()
        for (person in clinic.people) {
            val enrollment = person.enrollment
            val secrets = listOf(enrollment.secretBase32(), enrollment.otpauthUri(), person.password, person.loginCode) +
                enrollment.recoveryCodes()
            val shown = listOf(enrollment.toString(), person.session.toString())
            for (text in shown) {
                // Said without printing the secret itself.
                assertFalse(secrets.any { it in text }, "a toString() of $person shows a secret")
            }
        }
    },
    test("accounts: a password change and a factor removal end sessions; the operator removes an account") {
        val clinic = Clinic.get()
        val identity = clinic.identity
        val (carol, dave) = clinic.logIn(
            listOf("carol", "dave").map { name ->
                Triple(name, Role.PATIENT, identity.registerPatient(name, Clinic.password(name)))
            },
        )
        // The code of the step after the login's, as a device one step ahead shows it.
        fun ahead(person: Person) = Totp.code(person.secret, System.currentTimeMillis() / 1000 + Totp.STEP_SECONDS)

        val newPassword = "carol: a new and unusual passphrase"
        assertFailsWith<MedVaultException.PasswordRejected> {
            identity.changePassword("carol", carol.password, ahead(carol), "123")
        }
        identity.changePassword("carol", carol.password, ahead(carol), newPassword)
        assertFailsWith<MedVaultException.SessionInvalid> { carol.session.listRecords(carol.id) }
        assertFailsWith<MedVaultException.InvalidCredentials> {
            identity.login("carol", carol.password, ahead(carol))
        }

        identity.removeTotp("dave", dave.password, ahead(dave))
        assertFailsWith<MedVaultException.SessionInvalid> { dave.session.listRecords(dave.id) }
        assertEquals(FactorState.NONE, identity.operatorAccounts().single { it.username == "dave" }.factor)
        identity.operatorRemoveAccount("dave")
        assertTrue(identity.operatorAccounts().none { it.username == "dave" })
        assertFailsWith<MedVaultException.InvalidInput> { identity.operatorRemoveAccount(clinic.admin.username) }
    },
    test("logout: later calls of the session throw SessionInvalid") {
        val clinic = Clinic.get()
        val bob = clinic.bob
        val record = clinic.physician.session.writeRecord(bob.id, "note", "text/plain", "x-ray booked".toByteArray())
        assertContentEquals("x-ray booked".toByteArray(), bob.session.readRecord(record.id).payload)
        bob.session.logout()
        assertFailsWith<MedVaultException.SessionInvalid> { bob.session.readRecord(record.id) }
        assertFailsWith<MedVaultException.SessionInvalid> { bob.session.listRecords(bob.id) }
        // Other sessions are untouched.
        assertContentEquals("x-ray booked".toByteArray(), clinic.physician.session.readRecord(record.id).payload)
    },
)
