//! The stream header and the per-segment cipher of Tink's `AesCtrHmacStreaming`.
//!
//! Header: `u8 header length (40) ‖ salt(32) ‖ nonce prefix(7)`. The segment keys are
//! `HKDF-SHA256(ikm = key, salt = salt, info = associated data)`, 64 bytes: AES-256 key, then
//! HMAC-SHA256 key. Segment `i` uses the 16-byte nonce
//! `nonce prefix ‖ u32be(i) ‖ u8(last ? 1 : 0) ‖ 0x00000000` as its initial CTR block, and its
//! tag is `HMAC-SHA256(nonce ‖ segment ciphertext)`.

use aes::Aes256;
use ctr::cipher::{KeyInit, StreamCipher};
use hmac::Mac;

use super::super::aead::ctr_keystream;
use super::super::error::{CryptoError, Result};
use super::super::kdf;
use super::super::mac::{self, MacKey, TAG_LEN};
use super::super::random::random_array;
use super::{HEADER_LEN, StreamingKey};

const SALT_LEN: usize = 32;
const NONCE_PREFIX_LEN: usize = 7;

/// Bytes processed by AES before the same bytes go through HMAC, so both passes stay in cache.
const INTERLEAVE_CHUNK: usize = 8 * 1024;

/// The random part of a stream: the HKDF salt and the nonce prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StreamHeader {
    salt: [u8; SALT_LEN],
    nonce_prefix: [u8; NONCE_PREFIX_LEN],
}

impl StreamHeader {
    /// A fresh header from the operating system's random generator.
    pub(crate) fn random() -> Result<Self> {
        Ok(Self {
            salt: random_array()?,
            nonce_prefix: random_array()?,
        })
    }

    /// The 40 header bytes as they lead the ciphertext.
    pub(crate) fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[0] = HEADER_LEN as u8;
        out[1..1 + SALT_LEN].copy_from_slice(&self.salt);
        out[1 + SALT_LEN..].copy_from_slice(&self.nonce_prefix);
        out
    }

    /// Parses the header at the start of `bytes`.
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self> {
        let Some(header) = bytes.get(..HEADER_LEN) else {
            return Err(CryptoError::Truncated {
                what: "stream header is shorter than 40 bytes",
            });
        };
        if usize::from(header[0]) != HEADER_LEN {
            return Err(CryptoError::malformed(
                "stream header",
                "its length byte is not 40",
            ));
        }
        let mut salt = [0u8; SALT_LEN];
        let mut nonce_prefix = [0u8; NONCE_PREFIX_LEN];
        salt.copy_from_slice(&header[1..1 + SALT_LEN]);
        nonce_prefix.copy_from_slice(&header[1 + SALT_LEN..]);
        Ok(Self { salt, nonce_prefix })
    }
}

/// The keys and nonce prefix of one stream: seals and opens its segments, in any order and
/// from any thread.
pub(crate) struct SegmentCipher {
    aes: Aes256,
    mac: MacKey,
    nonce_prefix: [u8; NONCE_PREFIX_LEN],
}

impl SegmentCipher {
    /// Derives the segment keys of the stream with `header` and associated data `aad`.
    pub(crate) fn new(key: &StreamingKey, header: &StreamHeader, aad: &[u8]) -> Self {
        let (aes_key, hmac_key) = kdf::derive_pair(key.expose(), &header.salt, &[aad]);
        Self {
            aes: Aes256::new((&*aes_key).into()),
            mac: MacKey::new(hmac_key.as_ref()),
            nonce_prefix: header.nonce_prefix,
        }
    }

    fn nonce(&self, index: u32, last: bool) -> [u8; 16] {
        let mut nonce = [0u8; 16];
        nonce[..NONCE_PREFIX_LEN].copy_from_slice(&self.nonce_prefix);
        nonce[NONCE_PREFIX_LEN..NONCE_PREFIX_LEN + 4].copy_from_slice(&index.to_be_bytes());
        nonce[NONCE_PREFIX_LEN + 4] = u8::from(last);
        nonce
    }

    fn tag(&self, nonce: &[u8; 16], ciphertext: &[u8]) -> [u8; TAG_LEN] {
        self.mac.tag(&[nonce, ciphertext])
    }

    /// Seals one plaintext segment into `out`, which must be exactly `plaintext.len() + 32`
    /// bytes: the segment ciphertext followed by its tag.
    pub(crate) fn seal_segment(&self, index: u32, last: bool, plaintext: &[u8], out: &mut [u8]) {
        let nonce = self.nonce(index, last);
        let (body, tag) = out.split_at_mut(plaintext.len());
        let mut keystream = ctr_keystream(&self.aes, &nonce);
        let mut mac = self.mac.start();
        mac.update(&nonce);
        for (input, output) in plaintext
            .chunks(INTERLEAVE_CHUNK)
            .zip(body.chunks_mut(INTERLEAVE_CHUNK))
        {
            keystream.apply_keystream_b2b(input, output);
            mac.update(output);
        }
        tag.copy_from_slice(&mac::finish(mac));
    }

    /// Verifies one segment (`ciphertext ‖ tag`) and only then decrypts it into `out`, which must
    /// be exactly `segment.len() - 32` bytes.
    ///
    /// When the tag fails, it is checked once more with the last-segment flag flipped, to tell
    /// a stream cut at a segment boundary ([`CryptoError::Truncated`]) or one with segments after
    /// its final one ([`CryptoError::TrailingData`]) from other tampering.
    pub(crate) fn open_segment(
        &self,
        index: u32,
        last: bool,
        segment: &[u8],
        out: &mut [u8],
    ) -> Result<()> {
        let Some(body_len) = segment.len().checked_sub(TAG_LEN) else {
            return Err(CryptoError::Truncated {
                what: "segment is shorter than its tag",
            });
        };
        let (body, tag) = segment.split_at(body_len);
        let nonce = self.nonce(index, last);
        if !mac::tags_equal(&self.tag(&nonce, body), tag) {
            let flipped = self.nonce(index, !last);
            return Err(if !mac::tags_equal(&self.tag(&flipped, body), tag) {
                CryptoError::AuthenticationFailed
            } else if last {
                CryptoError::Truncated {
                    what: "stream ends before its final segment",
                }
            } else {
                CryptoError::TrailingData
            });
        }
        ctr_keystream(&self.aes, &nonce).apply_keystream_b2b(body, out);
        Ok(())
    }
}
