//! Keys for the layers above the engine: subkeys of the vault key under labels of their own.
//!
//! The vault key never changes (root rotation rewraps it), so neither do these subkeys: what a
//! layer seals or hashes with them stays readable across rotations.

use super::keyring::ENGINE_LABELS;
use super::lifecycle::Vault;
use crate::crypto::hazmat::SubkeyLabel;
use crate::crypto::{RecordAead, TokenKey};

/// The label of a vault-key subkey that belongs to a layer above the engine (such as
/// `"identity-secrets"`). Made in a constant, so that a label the engine uses itself is a
/// compile-time error:
///
/// ```
/// use medvault::vault::LayerLabel;
/// const SECRETS: LayerLabel = LayerLabel::new("my-layer-secrets");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerLabel(&'static str);

impl LayerLabel {
    /// The label `label`.
    ///
    /// # Panics
    ///
    /// If `label` is empty or one the engine derives from the vault key itself; in a `const`
    /// item that is a compile-time error.
    pub const fn new(label: &'static str) -> Self {
        assert!(
            !label.is_empty() && !is_engine_label(label),
            "a layer's subkey label must be non-empty and not one the engine uses"
        );
        Self(label)
    }
}

const fn is_engine_label(label: &str) -> bool {
    let mut index = 0;
    while index < ENGINE_LABELS.len() {
        if same_bytes(label.as_bytes(), ENGINE_LABELS[index].as_bytes()) {
            return true;
        }
        index += 1;
    }
    false
}

const fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut index = 0;
    while index < a.len() {
        if a[index] != b[index] {
            return false;
        }
        index += 1;
    }
    true
}

impl Vault {
    /// A record AEAD keyed by the vault key's subkey for `label` (FORMAT.md §9.1), for a
    /// layer above the engine to seal its own secrets with.
    pub fn derive_aead(&self, label: LayerLabel) -> RecordAead {
        let keyring = self.shared.keyring();
        keyring
            .vault_key()
            .subkey_aead(keyring.vault_id(), SubkeyLabel::new(label.0))
    }

    /// A token key (keyed HMAC-SHA256) made from the vault key's subkey for `label`, for a
    /// layer above the engine to make blind lookup values or keyed hashes with.
    pub fn derive_token_key(&self, label: LayerLabel) -> TokenKey {
        let keyring = self.shared.keyring();
        TokenKey::new(
            &keyring
                .vault_key()
                .subkey(keyring.vault_id(), SubkeyLabel::new(label.0)),
        )
    }
}
