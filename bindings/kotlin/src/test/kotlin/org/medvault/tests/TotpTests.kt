package org.medvault.tests

import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith

/** The tests' own TOTP client against the RFCs' published vectors. */
val totpTests = listOf(
    test("totp: RFC 6238 appendix B SHA-1 vectors") {
        val secret = "12345678901234567890".toByteArray(Charsets.US_ASCII)
        val vectors = listOf(
            59L to "94287082",
            1111111109L to "07081804",
            1111111111L to "14050471",
            1234567890L to "89005924",
            2000000000L to "69279037",
            20000000000L to "65353130",
        )
        for ((time, expected) in vectors) {
            assertEquals(expected, Totp.code(secret, time, digits = 8), "code at T=$time")
        }
        // Six digits are the last six of the eight.
        assertEquals("287082", Totp.code(secret, 59, digits = 6))
    },
    test("totp: base32 decodes the RFC 4648 vectors, any case, padded or not") {
        val vectors = listOf(
            "" to "",
            "MY======" to "f",
            "MZXQ====" to "fo",
            "MZXW6===" to "foo",
            "MZXW6YQ=" to "foob",
            "MZXW6YTB" to "fooba",
            "MZXW6YTBOI======" to "foobar",
        )
        for ((encoded, plain) in vectors) {
            assertContentEquals(plain.toByteArray(), Base32.decode(encoded), "decode($encoded)")
            assertContentEquals(plain.toByteArray(), Base32.decode(encoded.trimEnd('=').lowercase()))
        }
        // The RFC 6238 secret as apps would be given it.
        assertContentEquals(
            "12345678901234567890".toByteArray(),
            Base32.decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
        )
        assertFailsWith<IllegalArgumentException> { Base32.decode("MZXW1") }
    },
)
