//! The keys an unlocked vault holds, and the wrapped keys it keeps in `keys/`.
//!
//! ```text
//! root key ── subkeys "index-tokens", "index-values" ──> the local index (re-keyed on rotation)
//!    ├──────── subkey "index-checkpoints" ──> checkpoints of the index in the store
//!    └─wraps─> vault key ── subkeys "object-names", "log-batches" ──> scope tokens, log batches
//!                       └── subkeys of the layers above (`Vault::derive_aead`, `derive_token_key`)
//!    └─wraps─> data key per scope ──> that scope's payloads and metadata
//! ```
//!
//! Log batches and object names hang off the vault key, not the root, so rotating the root
//! rewraps keys and never rewrites the log.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use bytes::Bytes;

use super::error::{Result, VaultError};
use super::layout;
use super::store::Store;
use crate::crypto::hazmat::{RootKey, SubkeyLabel, WrappedDataKey};
use crate::crypto::{DataKey, KeyId, RecordAead, TokenKey, VaultId};

/// A scope's name in the store: the first 16 bytes of its keyed token.
pub(crate) type ScopeToken = [u8; 16];

/// The keys of the local index, derived from the root key.
#[derive(Debug)]
pub(crate) struct IndexKeys {
    /// Blind tokens of index keys.
    pub(crate) tokens: TokenKey,
    /// Encryption of index values.
    pub(crate) values: RecordAead,
}

impl IndexKeys {
    pub(crate) fn new(root: &RootKey, vault_id: VaultId) -> Self {
        Self {
            tokens: TokenKey::new(&root.subkey(vault_id, SubkeyLabel::new("index-tokens"))),
            values: root.subkey_aead(vault_id, SubkeyLabel::new("index-values")),
        }
    }
}

/// The vault key's labels the engine uses itself; layers above choose others.
pub(crate) const ENGINE_LABELS: [&str; 2] = [NAMES_LABEL, LOG_LABEL];
const NAMES_LABEL: &str = "object-names";
const LOG_LABEL: &str = "log-batches";

/// The keys of an unlocked vault.
#[derive(Debug)]
pub(crate) struct Keyring {
    vault_id: VaultId,
    root: RootKey,
    names: TokenKey,
    log: RecordAead,
    /// Seals checkpoints of the index, which hold values sealed under this root's index keys
    /// and so serve only under it.
    checkpoints: RecordAead,
    /// Kept to derive the subkeys of the layers above; it never changes, so neither do they.
    vault_key: DataKey,
    scope_keys: RwLock<HashMap<KeyId, Arc<DataKey>>>,
}

impl Keyring {
    /// Creates the vault key of a new vault and stores it wrapped under `root`.
    pub(crate) async fn create(store: &Store, vault_id: VaultId, root: RootKey) -> Result<Self> {
        let vault_key = DataKey::generate()?;
        let key_id = KeyId::generate()?;
        let wrapped = vault_key.wrap(&root, vault_id, key_id)?;
        store
            .put(
                &layout::wrapped_key(layout::VAULT_KEY_OWNER, key_id, root.id()),
                Bytes::from(wrapped.to_bytes()),
            )
            .await?;
        Ok(Self::new(vault_id, root, &vault_key))
    }

    /// Loads the vault key wrapped under `root`.
    pub(crate) async fn load(store: &Store, vault_id: VaultId, root: RootKey) -> Result<Self> {
        let listed = store
            .list(&layout::key_owner(layout::VAULT_KEY_OWNER))
            .await?;
        let path = listed
            .iter()
            .map(|meta| &meta.location)
            .find(|path| {
                layout::parse_wrapped_key(path).is_some_and(|(_, _, wrapper)| wrapper == root.id())
            })
            .ok_or_else(|| {
                VaultError::malformed("vault", "the vault key under keys/vault is missing")
            })?;
        let bytes = store.get(path).await?.ok_or_else(|| {
            VaultError::malformed("vault", "the vault key vanished while opening")
        })?;
        let vault_key = WrappedDataKey::from_bytes(&bytes)?.unwrap(&root, vault_id)?;
        Ok(Self::new(vault_id, root, &vault_key))
    }

    /// The keyring of vault `vault_id` unlocked with `root`, whose vault key is `vault_key`.
    pub(crate) fn new(vault_id: VaultId, root: RootKey, vault_key: &DataKey) -> Self {
        Self {
            vault_id,
            names: TokenKey::new(&vault_key.subkey(vault_id, SubkeyLabel::new(NAMES_LABEL))),
            log: vault_key.subkey_aead(vault_id, SubkeyLabel::new(LOG_LABEL)),
            checkpoints: root.subkey_aead(vault_id, SubkeyLabel::new("index-checkpoints")),
            vault_key: vault_key.clone(),
            root,
            scope_keys: RwLock::default(),
        }
    }

    /// The vault's id.
    pub(crate) fn vault_id(&self) -> VaultId {
        self.vault_id
    }

    /// The root key.
    pub(crate) fn root(&self) -> &RootKey {
        &self.root
    }

    /// The keys of the local index.
    pub(crate) fn index_keys(&self) -> IndexKeys {
        IndexKeys::new(&self.root, self.vault_id)
    }

    /// The AEAD of log batches.
    pub(crate) fn log(&self) -> &RecordAead {
        &self.log
    }

    /// The AEAD of checkpoints.
    pub(crate) fn checkpoints(&self) -> &RecordAead {
        &self.checkpoints
    }

    /// The vault key, for the subkeys of the layers above.
    pub(crate) fn vault_key(&self) -> &DataKey {
        &self.vault_key
    }

    /// The opaque token of scope `scope`.
    pub(crate) fn scope_token(&self, scope: &str) -> ScopeToken {
        let token = self.names.token("scope", &[scope.as_bytes()]);
        let mut short = [0u8; 16];
        short.copy_from_slice(&token[..16]);
        short
    }

    /// The opaque token of claim topic `topic`, hex.
    pub(crate) fn claim_token(&self, topic: &str) -> String {
        hex::encode(&self.names.token("claim", &[topic.as_bytes()])[..16])
    }

    /// Creates a data key for the scope named by `scope` and stores it wrapped.
    pub(crate) async fn create_scope_key(
        &self,
        store: &Store,
        scope: ScopeToken,
    ) -> Result<(KeyId, Arc<DataKey>)> {
        let key = DataKey::generate()?;
        let key_id = KeyId::generate()?;
        let wrapped = key.wrap(&self.root, self.vault_id, key_id)?;
        store
            .put(
                &layout::wrapped_key(&hex::encode(scope), key_id, self.root.id()),
                Bytes::from(wrapped.to_bytes()),
            )
            .await?;
        let key = Arc::new(key);
        self.cache(key_id, key.clone());
        Ok((key_id, key))
    }

    /// The data key `key_id` of scope `scope`; `None` if it is not in the store (shredded).
    pub(crate) async fn scope_key(
        &self,
        store: &Store,
        scope: ScopeToken,
        key_id: KeyId,
    ) -> Result<Option<Arc<DataKey>>> {
        if let Some(key) = self.cached(key_id) {
            return Ok(Some(key));
        }
        let path = layout::wrapped_key(&hex::encode(scope), key_id, self.root.id());
        let Some(bytes) = store.get(&path).await? else {
            return Ok(None);
        };
        let wrapped = WrappedDataKey::from_bytes(&bytes)?;
        if wrapped.key_id() != key_id {
            return Err(crate::crypto::CryptoError::WrongKey(
                "a scope key object holds another key",
            )
            .into());
        }
        let key = Arc::new(wrapped.unwrap(&self.root, self.vault_id)?);
        self.cache(key_id, key.clone());
        Ok(Some(key))
    }

    /// Drops cached data keys (after a scope is shredded).
    pub(crate) fn forget_scope_keys(&self, keys: &[KeyId]) {
        if let Ok(mut cache) = self.scope_keys.write() {
            for key in keys {
                cache.remove(key);
            }
        }
    }

    fn cached(&self, key_id: KeyId) -> Option<Arc<DataKey>> {
        self.scope_keys.read().ok()?.get(&key_id).cloned()
    }

    fn cache(&self, key_id: KeyId, key: Arc<DataKey>) {
        if let Ok(mut cache) = self.scope_keys.write() {
            cache.insert(key_id, key);
        }
    }
}
