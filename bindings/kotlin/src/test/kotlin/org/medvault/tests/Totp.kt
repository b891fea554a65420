package org.medvault.tests

import java.nio.ByteBuffer
import javax.crypto.Mac
import javax.crypto.spec.SecretKeySpec

/**
 * A TOTP client (RFC 6238, HMAC-SHA1) written from the RFCs alone, independent of the
 * engine: the tests act as the person's authenticator app with it.
 */
object Totp {
    /** Seconds per time step, as authenticator apps and the engine use. */
    const val STEP_SECONDS = 30L

    /** The time step `unixSeconds` falls in. */
    fun step(unixSeconds: Long, stepSeconds: Long = STEP_SECONDS): Long =
        Math.floorDiv(unixSeconds, stepSeconds)

    /** The code of `secret` for `unixSeconds` (RFC 6238 with RFC 4226's truncation). */
    fun code(
        secret: ByteArray,
        unixSeconds: Long,
        digits: Int = 6,
        stepSeconds: Long = STEP_SECONDS,
    ): String {
        require(digits in 6..9) { "digits must be 6 to 9, not $digits" }
        val counter = ByteBuffer.allocate(8).putLong(step(unixSeconds, stepSeconds)).array()
        val mac = Mac.getInstance("HmacSHA1")
        mac.init(SecretKeySpec(secret, "HmacSHA1"))
        val hash = mac.doFinal(counter)
        val offset = hash[hash.size - 1].toInt() and 0x0f
        val binary = ((hash[offset].toInt() and 0x7f) shl 24) or
            ((hash[offset + 1].toInt() and 0xff) shl 16) or
            ((hash[offset + 2].toInt() and 0xff) shl 8) or
            (hash[offset + 3].toInt() and 0xff)
        var modulus = 1L
        repeat(digits) { modulus *= 10 }
        return (binary.toLong() % modulus).toString().padStart(digits, '0')
    }
}

/** Base32 (RFC 4648, the `A-Z2-7` alphabet) as authenticator apps read secrets. */
object Base32 {
    private const val ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

    /**
     * The bytes of `text`. Case, spaces and `=` padding are ignored, as apps do; any other
     * character is an [IllegalArgumentException].
     */
    fun decode(text: String): ByteArray {
        val out = java.io.ByteArrayOutputStream()
        var buffer = 0
        var bits = 0
        for (char in text) {
            if (char == '=' || char.isWhitespace()) continue
            val value = ALPHABET.indexOf(char.uppercaseChar())
            require(value >= 0) { "not a base32 character: '$char'" }
            buffer = (buffer shl 5) or value
            bits += 5
            if (bits >= 8) {
                bits -= 8
                out.write((buffer shr bits) and 0xff)
            }
        }
        return out.toByteArray()
    }
}
