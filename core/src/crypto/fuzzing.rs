//! The crypto core's part of [`crate::fuzzing`]: its decoders and reproducible sealing that are
//! not public, each a thin wrapper over the code the engine runs.

use super::aead::{AEAD_IV_LEN, RecordAead};
use super::envelope::{Envelope, ObjectIdentity};
use super::error::Result;
use super::keys::{DataKey, KeyId, RootKey};
use super::secret::Secret;
use super::streaming::{HEADER_LEN, StreamHeader, StreamingAead};

/// Parses the stream header at the start of `bytes` (Tink's 40 bytes: length, salt, nonce
/// prefix) and returns it as it would be written.
pub fn parse_stream_header(bytes: &[u8]) -> Result<[u8; HEADER_LEN]> {
    StreamHeader::parse(bytes).map(|header| header.to_bytes())
}

/// Seals `plaintext` under `aead` with the stream header at the start of `stream_header`
/// instead of a random one, so that the bytes of a ciphertext can be reproduced.
pub fn seal_stream(
    aead: &StreamingAead,
    stream_header: &[u8],
    plaintext: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>> {
    aead.seal_with_header(&StreamHeader::parse(stream_header)?, plaintext, aad)
}

/// Seals an envelope as [`Envelope::seal_with_segment_size`] does, with the stream header at
/// the start of `stream_header` instead of a random one.
pub fn seal_envelope(
    key: &DataKey,
    key_id: KeyId,
    identity: &ObjectIdentity,
    plaintext: &[u8],
    segment_size: u32,
    stream_header: &[u8],
) -> Result<Vec<u8>> {
    Envelope::seal_with_stream_header(
        key,
        key_id,
        identity,
        plaintext,
        segment_size,
        &StreamHeader::parse(stream_header)?,
    )
}

/// Seals `plaintext` under `aead` with the IV `iv` instead of a random one.
pub fn seal_record(
    aead: &RecordAead,
    iv: [u8; AEAD_IV_LEN],
    plaintext: &[u8],
    aad: &[u8],
) -> Vec<u8> {
    aead.seal_with_iv(iv, plaintext, aad)
}

/// The root key `secret` named `id`.
pub fn root_key(id: KeyId, secret: [u8; 32]) -> RootKey {
    RootKey::from_parts(id, Secret::from_bytes(secret))
}
