//! MedVault: an embeddable, encrypted storage engine for hospital software.
//!
//! This crate is the engine:
//!
//! - [`vault`]: encrypted records and documents in an object store (a local folder, S3, or
//!   memory) behind a local encrypted index, with an async API and a blocking facade;
//! - [`crypto`]: everything that turns patient data into ciphertext and back: the
//!   Tink-compatible record AEAD and streaming payload format, the envelope that names the key
//!   and binds a ciphertext to its identity, the key hierarchy with its unlock slots, and
//!   Argon2id password hashing for people.
//!
//! ```
//! use medvault::crypto::{DataKey, Envelope, KeyId, ObjectIdentity, VaultId};
//!
//! # fn main() -> Result<(), medvault::crypto::CryptoError> {
//! let key = DataKey::generate()?;
//! let key_id = KeyId::generate()?;
//! let identity = ObjectIdentity::new("record", VaultId::generate()?, b"object-1", 1);
//! let sealed = Envelope::seal(&key, key_id, &identity, b"blood pressure 120/80")?;
//! let header = Envelope::parse_header(&sealed)?;
//! assert_eq!(header.key_id(), key_id);
//! let opened = Envelope::open(&key, &identity, &sealed)?;
//! assert_eq!(opened, b"blood pressure 120/80");
//! # Ok(())
//! # }
//! ```

pub mod audit;
pub mod crypto;
pub mod vault;

/// Entry points for the fuzz targets in `fuzz/`, with the `fuzzing` feature (off by default):
/// the decoders of stored bytes that are not public, fixed keys, and sealing with a chosen IV
/// or stream header so that a ciphertext's bytes can be reproduced. Each item is a thin wrapper
/// over the code the engine runs; none of it is a stable API, and an application has no use
/// for it.
#[cfg(feature = "fuzzing")]
pub mod fuzzing {
    pub use crate::crypto::fuzzing::*;
    pub use crate::vault::fuzzing::*;
}
