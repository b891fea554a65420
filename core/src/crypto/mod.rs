//! Cryptography of MedVault: every byte that leaves the engine passes through here.
//!
//! - [`RecordAead`]: small values, Tink `AesCtrHmacAead` (AES-256-CTR + HMAC-SHA256).
//! - [`StreamingAead`]: payloads of any size, Tink `AesCtrHmacStreaming` (AES-256, HKDF-SHA256,
//!   HMAC-SHA256, 32-byte tags): one-shot, streaming, random access and parallel.
//! - [`Envelope`]: a versioned header naming the format and key, with associated data that binds
//!   each ciphertext to its identity.
//! - Keys: [`RootKey`](hazmat::RootKey), subkeys, per-scope [`DataKey`]s wrapped under the root, and [`KeySlots`](hazmat::KeySlots)
//!   that unlock the root with a passphrase (Argon2id) or a raw key.
//! - [`PasswordHasher`]: Argon2id PHC strings for people's passwords.
//! - [`strength`]: the floor a new vault passphrase must meet, and the rules behind it that
//!   people's passwords share (NFKC form, blank, repeated, commonly used).
//!
//! The byte-level formats are specified in `docs/FORMAT.md`.

mod aead;
mod argon;
mod envelope;
mod error;
#[cfg(feature = "fuzzing")]
pub(crate) mod fuzzing;
mod kdf;
mod keys;
mod mac;
mod password;
mod random;
mod secret;
mod slots;
mod streaming;
pub mod strength;
#[cfg(test)]
mod test_vectors;
mod tokens;

pub use crate::id_type;
pub use aead::{AEAD_IV_LEN, AEAD_OVERHEAD, AeadKey, RecordAead};
pub use argon::Argon2idParams;
pub use envelope::{
    ENVELOPE_HEADER_LEN, Envelope, EnvelopeHeader, EnvelopeRangePlan, ObjectIdentity,
};
pub use error::{CryptoError, Result};
pub use keys::{DataKey, KeyId, VaultId};
pub use password::PasswordHasher;
pub use random::{random_array, random_id};
pub use secret::Secret;
pub use slots::{RawUnlockKey, UnlockCredential};
pub use streaming::{
    DEFAULT_SEGMENT_SIZE, MAX_SEGMENT_SIZE, MIN_SEGMENT_SIZE, OpeningReader, Parallelism,
    RangePlan, RangeSource, SealingWriter, StreamingAead, StreamingKey,
};
pub use tokens::TokenKey;

/// The primitives and key-hierarchy pieces the engine is built from: HMAC-SHA256, HKDF-SHA256,
/// the root key, labelled subkeys, wrapped data keys and unlock slots. Public for known-answer
/// tests, format audits and tools that read a store by hand; not a stable API, and easy to
/// misuse: applications use the vault, which holds these for them.
pub mod hazmat {
    pub use super::kdf::{HKDF_SHA256_MAX_OUTPUT, hkdf_sha256};
    pub use super::keys::{RootKey, SubkeyLabel, WrappedDataKey};
    pub use super::mac::{TAG_LEN, hmac_sha256, verify_hmac_sha256};
    pub use super::random::parse_hex_id;
    pub use super::slots::{KeySlots, SlotKind};
}
