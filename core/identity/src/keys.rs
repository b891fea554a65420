//! The identity layer's keys: subkeys of the vault key (FORMAT.md §9.1), derived once.

use medvault::crypto::{RecordAead, TokenKey};
use medvault::vault::{LayerLabel, Vault};

const SECRETS: LayerLabel = LayerLabel::new("identity-secrets");
const HASHES: LayerLabel = LayerLabel::new("identity-hashes");

/// The keys of accounts' secrets.
#[derive(Debug)]
pub(crate) struct IdentityKeys {
    /// Encryption of TOTP secrets.
    pub(crate) secrets: RecordAead,
    /// Keyed hashes of session tokens and recovery codes.
    pub(crate) hashes: TokenKey,
}

impl IdentityKeys {
    /// The keys of `vault`'s identity layer.
    pub(crate) fn derive(vault: &Vault) -> Self {
        Self {
            secrets: vault.derive_aead(SECRETS),
            hashes: vault.derive_token_key(HASHES),
        }
    }
}
