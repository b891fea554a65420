//! The key hierarchy: a random root key, labelled subkeys derived from it, and per-scope data
//! keys wrapped under a subkey of the root.
//!
//! ```text
//! root key ──HKDF(salt = vault id, info = "medvault/v1/subkey/" ‖ label)──> subkey
//! subkey "data-key-wrapping" ──> RecordAead ──wraps──> data key (one per scope)
//! data key ──> StreamingAead ──seals──> payloads of its scope
//! ```
//!
//! Rotating the root key rewraps data keys ([`WrappedDataKey::rewrap`]); payloads are never
//! re-encrypted. Destroying a scope's wrapped data key makes its payloads unreadable.

use std::fmt;

use super::aead::{AeadKey, RecordAead};
use super::error::{CryptoError, Result};
use super::kdf;
use super::secret::{Secret, secret_key_type};
use super::streaming::{StreamingAead, StreamingKey};

/// Declares a public 16-byte random identifier type, printed and parsed as 32 hex digits,
/// like the engine's own ids (`VaultId`, `RecordId`). The crate using it depends on `serde`.
#[macro_export]
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
        )]
        pub struct $name([u8; 16]);

        impl $name {
            /// A fresh random id.
            pub fn generate() -> $crate::crypto::Result<Self> {
                $crate::crypto::random_id().map(Self)
            }

            /// An id from its 16 bytes.
            pub fn from_bytes(bytes: [u8; 16]) -> Self {
                Self(bytes)
            }

            /// The id's 16 bytes.
            pub fn as_bytes(&self) -> &[u8; 16] {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self)
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::crypto::CryptoError;

            /// Parses the 32 hex digits that `Display` prints.
            fn from_str(text: &str) -> $crate::crypto::Result<Self> {
                $crate::crypto::hazmat::parse_hex_id(text, stringify!($name)).map(Self)
            }
        }
    };
}

id_type!(
    /// Identifies a vault; it salts every key derivation of that vault.
    VaultId
);

id_type!(
    /// Identifies a key (a root key or a data key) without revealing anything about it.
    KeyId
);

secret_key_type!(
    /// A per-scope key (one per patient) that seals the payloads of its scope.
    DataKey
);

impl DataKey {
    /// Wraps this key under `root` for storage, as key `key_id` of vault `vault_id`.
    pub fn wrap(&self, root: &RootKey, vault_id: VaultId, key_id: KeyId) -> Result<WrappedDataKey> {
        let aad = WrappedDataKey::associated_data(vault_id, key_id, root.id);
        let sealed = root.wrapping_aead(vault_id).seal(self.expose(), &aad)?;
        Ok(WrappedDataKey {
            key_id,
            root_key_id: root.id,
            sealed,
        })
    }

    /// The subkey for `label` in vault `vault_id`, derived from this key exactly as
    /// [`RootKey::subkey`] derives from the root.
    pub fn subkey(&self, vault_id: VaultId, label: SubkeyLabel) -> Secret<32> {
        labelled_subkey(self.expose(), vault_id, label)
    }

    /// A record AEAD keyed by the subkey for `label`, as [`RootKey::subkey_aead`].
    pub fn subkey_aead(&self, vault_id: VaultId, label: SubkeyLabel) -> RecordAead {
        subkey_aead(&self.subkey(vault_id, label))
    }

    /// The streaming AEAD that seals this scope's payloads.
    pub(crate) fn payload_cipher(&self, segment_size: u32) -> Result<StreamingAead> {
        StreamingAead::new(&StreamingKey::from_bytes(*self.expose()), segment_size)
    }
}

/// `HKDF-SHA256(ikm = key, salt = vault id, info = "medvault/v1/subkey/" ‖ label)`.
fn labelled_subkey(key: &[u8; 32], vault_id: VaultId, label: SubkeyLabel) -> Secret<32> {
    let okm = kdf::derive::<32>(
        key,
        vault_id.as_bytes(),
        &[b"medvault/v1/subkey/", label.0.as_bytes()],
    );
    Secret::from_bytes(*okm)
}

/// The record AEAD of a subkey: AES and HMAC keys from
/// `HKDF-SHA256(ikm = subkey, salt = "", info = "medvault/v1/aead-key")`.
fn subkey_aead(subkey: &Secret<32>) -> RecordAead {
    RecordAead::new(&AeadKey::derive(
        subkey.expose(),
        &[],
        &[b"medvault/v1/aead-key"],
    ))
}

/// A label naming what a subkey is for; each label gives an independent key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubkeyLabel(&'static str);

impl SubkeyLabel {
    /// The subkey that wraps data keys.
    pub const DATA_KEY_WRAPPING: Self = Self("data-key-wrapping");

    /// A label of the caller's own (for example `"index-tokens"`).
    pub const fn new(label: &'static str) -> Self {
        Self(label)
    }
}

/// The root of a vault's key hierarchy: random, identified by a [`KeyId`], and only ever stored
/// wrapped by unlock slots.
#[derive(Clone, PartialEq, Eq)]
pub struct RootKey {
    id: KeyId,
    key: Secret<32>,
}

impl RootKey {
    /// A fresh random root key with a fresh id.
    pub fn generate() -> Result<Self> {
        Ok(Self {
            id: KeyId::generate()?,
            key: Secret::generate()?,
        })
    }

    pub(crate) fn from_parts(id: KeyId, key: Secret<32>) -> Self {
        Self { id, key }
    }

    /// The root key's id (not secret).
    pub fn id(&self) -> KeyId {
        self.id
    }

    pub(crate) fn secret(&self) -> &Secret<32> {
        &self.key
    }

    /// The subkey for `label` in vault `vault_id`:
    /// `HKDF-SHA256(ikm = root, salt = vault id, info = "medvault/v1/subkey/" ‖ label)`.
    pub fn subkey(&self, vault_id: VaultId, label: SubkeyLabel) -> Secret<32> {
        labelled_subkey(self.key.expose(), vault_id, label)
    }

    /// A record AEAD keyed by the subkey for `label`; its AES and HMAC keys are
    /// `HKDF-SHA256(ikm = subkey, salt = "", info = "medvault/v1/aead-key")`.
    pub fn subkey_aead(&self, vault_id: VaultId, label: SubkeyLabel) -> RecordAead {
        subkey_aead(&self.subkey(vault_id, label))
    }

    fn wrapping_aead(&self, vault_id: VaultId) -> RecordAead {
        self.subkey_aead(vault_id, SubkeyLabel::DATA_KEY_WRAPPING)
    }
}

impl fmt::Debug for RootKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RootKey({}, <redacted>)", self.id)
    }
}

/// A data key wrapped under a root key: safe to store anywhere.
///
/// Bytes: `u8 version (1) ‖ key id(16) ‖ root key id(16) ‖ RecordAead ciphertext(80)`, with
/// associated data `"medvault/v1/data-key" ‖ u8 version ‖ vault id ‖ key id ‖ root key id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrappedDataKey {
    key_id: KeyId,
    root_key_id: KeyId,
    sealed: Vec<u8>,
}

const WRAPPED_DATA_KEY_VERSION: u8 = 1;
const WRAPPED_DATA_KEY_LEN: usize = 1 + 16 + 16 + super::aead::AEAD_OVERHEAD + 32;

impl WrappedDataKey {
    /// Id of the wrapped data key.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// Id of the root key it is wrapped under.
    pub fn root_key_id(&self) -> KeyId {
        self.root_key_id
    }

    /// Unwraps the data key with the root key it is wrapped under.
    pub fn unwrap(&self, root: &RootKey, vault_id: VaultId) -> Result<DataKey> {
        if root.id != self.root_key_id {
            return Err(CryptoError::WrongKey(
                "this data key is wrapped under another root key",
            ));
        }
        let aad = Self::associated_data(vault_id, self.key_id, self.root_key_id);
        let key = zeroize::Zeroizing::new(root.wrapping_aead(vault_id).open(&self.sealed, &aad)?);
        DataKey::from_slice(&key)
    }

    /// Rewraps the data key from the `old` root key to the `new` one (root key rotation).
    pub fn rewrap(&self, vault_id: VaultId, old: &RootKey, new: &RootKey) -> Result<Self> {
        self.unwrap(old, vault_id)?.wrap(new, vault_id, self.key_id)
    }

    /// The stored form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(WRAPPED_DATA_KEY_LEN);
        out.push(WRAPPED_DATA_KEY_VERSION);
        out.extend_from_slice(self.key_id.as_bytes());
        out.extend_from_slice(self.root_key_id.as_bytes());
        out.extend_from_slice(&self.sealed);
        out
    }

    /// Parses the stored form.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let Some(&version) = bytes.first() else {
            return Err(CryptoError::Truncated {
                what: "wrapped data key is empty",
            });
        };
        if version != WRAPPED_DATA_KEY_VERSION {
            return Err(CryptoError::UnsupportedVersion {
                what: "wrapped data key",
                found: version,
                supported: WRAPPED_DATA_KEY_VERSION,
            });
        }
        if bytes.len() != WRAPPED_DATA_KEY_LEN {
            return Err(CryptoError::malformed(
                "wrapped data key",
                "it is not 113 bytes long",
            ));
        }
        let mut key_id = [0u8; 16];
        let mut root_key_id = [0u8; 16];
        key_id.copy_from_slice(&bytes[1..17]);
        root_key_id.copy_from_slice(&bytes[17..33]);
        Ok(Self {
            key_id: KeyId::from_bytes(key_id),
            root_key_id: KeyId::from_bytes(root_key_id),
            sealed: bytes[33..].to_vec(),
        })
    }

    fn associated_data(vault_id: VaultId, key_id: KeyId, root_key_id: KeyId) -> Vec<u8> {
        [
            b"medvault/v1/data-key".as_slice(),
            &[WRAPPED_DATA_KEY_VERSION],
            vault_id.as_bytes(),
            key_id.as_bytes(),
            root_key_id.as_bytes(),
        ]
        .concat()
    }
}
