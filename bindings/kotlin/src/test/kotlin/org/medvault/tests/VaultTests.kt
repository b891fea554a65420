package org.medvault.tests

import org.medvault.Document
import org.medvault.MedVaultException
import org.medvault.NewRecord
import org.medvault.Vault
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

private val PASSPHRASE = "kotlin tests: correct horse battery staple".toByteArray()

/** A new vault in its own temporary folders. */
private fun newVault(): Vault = Vault.create(Scratch.path("store"), PASSPHRASE, Scratch.folder("index").path)

private fun record(scope: String, kind: String, labels: Map<String, String> = emptyMap()) =
    NewRecord(scope = scope, kind = kind, author = "kotlin-tests", contentType = "text/plain", labels = labels)

/** The raw vault: records, versions, documents, reopening and its errors. */
val vaultTests = listOf(
    test("vault: put, get, getRange, head, listScope, listKind and delete") {
        newVault().use { vault ->
            val payload = ByteArray(200_000) { (it % 251).toByte() }
            val before = System.currentTimeMillis()
            val meta = vault.put(record("ward-7", "scan", mapOf("modality" to "CT")), payload)
            assertEquals(1UL, meta.version)
            assertEquals("ward-7", meta.scope)
            assertEquals("scan", meta.kind)
            assertEquals("kotlin-tests", meta.author)
            assertEquals("text/plain", meta.contentType)
            assertEquals(mapOf("modality" to "CT"), meta.labels)
            assertEquals(payload.size.toULong(), meta.size)

            val got = vault.get(meta.id)
            assertEquals(meta, got.meta)
            assertContentEquals(payload, got.payload)
            assertContentEquals(payload.copyOfRange(70_000, 70_100), vault.getRange(meta.id, 70_000UL, 70_100UL))
            assertEquals(meta, vault.head(meta.id))

            val other = vault.put(record("ward-7", "note"), "second".toByteArray())
            vault.put(record("ward-8", "note"), "elsewhere".toByteArray())
            assertEquals(setOf(meta.id, other.id), vault.listScope("ward-7").map { it.id }.toSet())
            val scans = vault.listKind("scan", before - 60_000, System.currentTimeMillis() + 60_000)
            assertEquals(listOf(meta.id), scans.map { it.id })

            vault.delete(other.id)
            assertEquals(listOf(meta.id), vault.listScope("ward-7").map { it.id })
            assertFailsWith<MedVaultException.RecordNotFound> { vault.get(other.id) }
        }
    },
    test("vault: amend keeps every version (history, getVersion)") {
        newVault().use { vault ->
            val first = vault.put(record("patient-x", "allergies"), "penicillin".toByteArray())
            val second = vault.amend(first.id, "penicillin, latex".toByteArray())
            assertEquals(first.id, second.id)
            assertEquals(2UL, second.version)
            assertEquals(listOf(1UL, 2UL), vault.history(first.id).map { it.version })
            assertContentEquals("penicillin".toByteArray(), vault.getVersion(first.id, 1UL).payload)
            assertContentEquals("penicillin, latex".toByteArray(), vault.get(first.id).payload)
        }
    },
    test("documents: insert, get, find, update and delete") {
        newVault().use { vault ->
            val bed = Document("beds", "4B-12", """{"bed":"4B-12","free":true}""", mapOf("ward" to "4B"))
            vault.insertDocument(bed)
            vault.insertDocument(Document("beds", "4B-13", "{}", mapOf("ward" to "4B")))
            vault.insertDocument(Document("beds", "5A-01", "{}", mapOf("ward" to "5A")))

            assertEquals(bed, vault.getDocument("beds", "4B-12"))
            assertNull(vault.getDocument("beds", "9Z-99"))
            assertNull(vault.getDocument("rooms", "4B-12"), "a find must not cross collections")
            assertEquals(setOf("4B-12", "4B-13"), vault.findDocuments("beds", "ward", "4B").map { it.id }.toSet())
            assertEquals(emptyList(), vault.findDocuments("beds", "ward", "4b"))
            assertFailsWith<MedVaultException.InvalidInput> { vault.insertDocument(bed) }

            vault.updateDocument(bed.copy(body = """{"bed":"4B-12","free":false}""", fields = mapOf("ward" to "5A")))
            assertEquals(setOf("4B-12", "5A-01"), vault.findDocuments("beds", "ward", "5A").map { it.id }.toSet())
            assertEquals("""{"bed":"4B-12","free":false}""", assertNotNull(vault.getDocument("beds", "4B-12")).body)

            vault.deleteDocument("beds", "4B-12")
            assertNull(vault.getDocument("beds", "4B-12"))
            assertFailsWith<MedVaultException.InvalidInput> {
                vault.insertDocument(Document("Not A Collection!", "x", "{}", emptyMap()))
            }
        }
    },
    test("vault: reopening: a wrong passphrase throws WrongPassphrase, the right one finds the records") {
        val store = Scratch.path("store")
        val index = Scratch.folder("index").path
        val id = Vault.create(store, PASSPHRASE, index).use { vault ->
            vault.put(record("ward-7", "note"), "kept".toByteArray()).id
        }
        val error = assertFailsWith<MedVaultException.WrongPassphrase> {
            Vault.open(store, "not the passphrase".toByteArray(), index)
        }
        // The engine's message crosses unchanged.
        assertTrue(error.message.orEmpty().startsWith("wrong passphrase"), "message: ${error.message}")

        Vault.open(store, PASSPHRASE, index).use { vault ->
            assertContentEquals("kept".toByteArray(), vault.get(id).payload)
        }
        assertFailsWith<MedVaultException.VaultExists> {
            Vault.create(store, PASSPHRASE, Scratch.folder("index").path)
        }
        assertFailsWith<MedVaultException.NoVault> {
            Vault.open(Scratch.path("empty"), PASSPHRASE, Scratch.folder("index").path)
        }
    },
    test("vault: a weak passphrase throws WeakPassphrase and creates no vault") {
        val store = Scratch.path("store")
        val index = Scratch.folder("index").path
        val error = assertFailsWith<MedVaultException.WeakPassphrase> {
            Vault.create(store, "x".toByteArray(), index)
        }
        assertEquals("the new passphrase is too weak: it must have at least 12 characters", error.message)
        assertFailsWith<MedVaultException.WeakPassphrase> {
            Vault.create(store, "password1234".toByteArray(), index)
        }
        assertFalse(java.io.File(store).exists(), "a refused create made the vault folder")
        Vault.create(store, PASSPHRASE, index).use { }
    },
    test("vault: after closeVault every call throws Closed") {
        val vault = newVault()
        val meta = vault.put(record("ward-7", "note"), "kept".toByteArray())
        vault.closeVault()
        val error = assertFailsWith<MedVaultException.Closed> { vault.get(meta.id) }
        assertEquals("the vault is closed", error.message)
        vault.closeVault() // closing twice is harmless
        vault.close()
    },
    test("maintenance: sync, verify, rebuild, gc and shredScope") {
        newVault().use { vault ->
            val kept = vault.put(record("ward-7", "scan"), ByteArray(100_000) { it.toByte() })
            val gone = vault.put(record("ward-7", "scan"), ByteArray(100_000) { (it + 1).toByte() })
            assertEquals(0UL, vault.sync())
            assertEquals(0UL, vault.gc(0UL).objectsRemoved)
            vault.delete(gone.id)
            // The deleted record's payload object is referred to by nothing now.
            val collected = vault.gc(0UL)
            assertEquals(listOf(1UL, 0UL, 0UL), listOf(collected.objectsRemoved, collected.keysRemoved, collected.checkpointsRemoved))
            assertTrue(vault.rebuild(false) >= 3UL)
            assertTrue(vault.rebuild(true) >= 3UL)
            val report = vault.verify()
            assertTrue(report.isSound)
            assertEquals(1UL, report.versionsOk)
            assertEquals(emptyList(), report.corrupt)
            assertContentEquals(ByteArray(100_000) { it.toByte() }, vault.get(kept.id).payload)
            assertEquals(1UL, vault.shredScope("ward-7"))
            assertFailsWith<MedVaultException.RecordNotFound> { vault.get(kept.id) }
        }
    },
    test("vault: changePassphrase and rotateRoot keep the records and change what opens them") {
        val store = Scratch.path("store")
        val index = Scratch.folder("index").path
        val newPassphrase = "kotlin tests: a second and unusual passphrase".toByteArray()
        val id = Vault.create(store, PASSPHRASE, index).use { vault ->
            val id = vault.put(record("ward-7", "note"), "kept".toByteArray()).id
            assertFailsWith<MedVaultException.WeakPassphrase> { vault.changePassphrase(PASSPHRASE, "x".toByteArray()) }
            vault.changePassphrase(PASSPHRASE, newPassphrase)
            vault.rotateRoot(listOf(newPassphrase))
            id
        }
        assertFailsWith<MedVaultException.WrongPassphrase> { Vault.open(store, PASSPHRASE, index) }
        Vault.open(store, newPassphrase, index).use { vault ->
            assertContentEquals("kept".toByteArray(), vault.get(id).payload)
            assertEquals(1UL, vault.verifyAudit().writers)
        }
    },
    test("vault: a malformed record id or an inverted range throws InvalidInput") {
        newVault().use { vault ->
            val meta = vault.put(record("ward-7", "note"), "0123456789".toByteArray())
            val error = assertFailsWith<MedVaultException.InvalidInput> { vault.get("not-a-record-id") }
            // The message says what is wrong without echoing the input.
            assertEquals("invalid record id: it must be 32 hex digits", error.message)
            assertFailsWith<MedVaultException.InvalidInput> { vault.history("") }
            assertFailsWith<MedVaultException.InvalidInput> { vault.getRange(meta.id, 5UL, 2UL) }
        }
    },
)
