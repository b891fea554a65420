//! Creating, opening and closing a vault.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::Mutex;

use super::batch::SECTION_LOCKS;
use super::checkpoint::CheckpointPolicy;
use super::claims::claim_creation;
use super::commit::{Committer, UnsettledBatch};
use super::descriptor;
use super::error::{Result, VaultError};
use super::index::{Index, IndexBackend, IndexFolder, SledBackend};
use super::keyring::Keyring;
use super::layout;
use super::log::{LogAppender, LogLayout};
use super::runtime::{off_worker, require_runtime};
use super::shared::Shared;
use super::store::{Store, StoreLocation};
use super::store_requests::StoreRequests;
use crate::crypto::hazmat::{KeySlots, RootKey};
use crate::crypto::strength::check_passphrase;
use crate::crypto::{CryptoError, UnlockCredential, VaultId};

/// Where the local index lives.
#[derive(Clone, Debug)]
pub enum IndexLocation {
    /// A folder of its own (one per vault per machine). It holds the writer id of this
    /// instance, so reuse the same folder across restarts.
    Folder(PathBuf),
    /// A temporary folder removed on close; the index is rebuilt from the store on every open
    /// and the instance is a new writer each time.
    Temporary,
}

impl IndexLocation {
    /// The index folder of a vault when none is chosen: one per vault location, under
    /// `$XDG_CACHE_HOME/medvault/index/` (or `~/.cache/…`), named by a hash of the location
    /// so that the folder says nothing about it.
    pub fn default_for(store: &StoreLocation) -> Result<Self> {
        let cache = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
            .ok_or_else(|| {
                VaultError::invalid(
                    "index location",
                    "none was given and neither XDG_CACHE_HOME nor HOME is set",
                )
            })?;
        let location = match store {
            StoreLocation::Folder(path) => std::path::absolute(path)
                .map_err(|error| VaultError::io(format!("resolving {}", path.display()), error))?
                .display()
                .to_string(),
            other => other.describe(),
        };
        let digest =
            crate::crypto::hazmat::hmac_sha256(b"medvault index folder", location.as_bytes());
        Ok(Self::Folder(
            cache
                .join("medvault")
                .join("index")
                .join(hex::encode(&digest[..12])),
        ))
    }
}

/// Where a vault is: its store and its local index.
#[derive(Clone, Debug)]
pub struct VaultConfig {
    /// The object store (the truth).
    pub store: StoreLocation,
    /// The local index (a cache).
    pub index: IndexLocation,
    /// How this instance writes its log: appended segments on a folder store by default.
    pub log: LogLayout,
    /// When this instance writes checkpoints of its index.
    pub checkpoints: CheckpointPolicy,
}

impl VaultConfig {
    /// A vault in `store` with its index in `index`, writing the default log.
    pub fn new(store: StoreLocation, index: IndexLocation) -> Self {
        Self {
            store,
            index,
            log: LogLayout::default(),
            checkpoints: CheckpointPolicy::default(),
        }
    }

    /// The same vault, with this instance writing its log as `log`.
    pub fn with_log(self, log: LogLayout) -> Self {
        Self { log, ..self }
    }

    /// The same vault, with this instance writing checkpoints as `checkpoints` says.
    pub fn with_checkpoints(self, checkpoints: CheckpointPolicy) -> Self {
        Self {
            checkpoints,
            ..self
        }
    }
}

/// An open, unlocked vault. Cheap to clone; clones share everything. `Send + Sync`.
///
/// Every method is async and runs inside a tokio runtime (multi-threaded, so that Argon2id
/// and large payloads do not hold up other tasks); [`Vault::create`] and [`Vault::open`]
/// outside one fail with [`VaultError::WrongRuntime`]. See [`super::BlockingVault`] for
/// callers without one.
#[derive(Clone, Debug)]
pub struct Vault {
    pub(crate) shared: Arc<Shared>,
    pub(crate) committer: Committer,
    /// The unlock slots (changed by passphrase changes and rotation, one at a time).
    pub(crate) slots: Arc<Mutex<KeySlots>>,
    /// Serializes the creation of scope keys.
    pub(crate) scope_key_lock: Arc<Mutex<()>>,
    /// Serializes read-then-write updates (amendments, document writes), so that two of them
    /// never claim the same version number from this writer.
    pub(crate) update_lock: Arc<Mutex<()>>,
    /// The locks of named sections ([`Vault::lock_section`]).
    pub(crate) section_locks: Arc<[Mutex<()>; SECTION_LOCKS]>,
}

impl Vault {
    /// Creates a new vault, unlocked by `credential`. Fails with
    /// [`VaultError::VaultExists`] if there is one already, and with
    /// [`VaultError::WeakPassphrase`], before anything is written, if `credential` is a
    /// passphrase below the floor of [`check_passphrase`] (a raw key has none).
    pub async fn create(config: &VaultConfig, credential: UnlockCredential<'_>) -> Result<Self> {
        require_runtime()?;
        if let UnlockCredential::Passphrase(passphrase) = credential {
            check_new_passphrase(passphrase)?;
        }
        let store = Store::connect(&config.store, true)?;
        let holder = claim_creation(&store).await?;
        let created = Self::write_new(&store, credential).await;
        store.delete(&layout::creation_claim(&holder)).await?;
        let (slots, keyring) = created?;
        Self::start(config, store, slots, keyring, true).await
    }

    /// The keys and descriptor of a new vault, written into `store`.
    async fn write_new(
        store: &Store,
        credential: UnlockCredential<'_>,
    ) -> Result<(KeySlots, Keyring)> {
        let vault_id = VaultId::generate()?;
        let root = RootKey::generate()?;
        let slots = off_worker(|| KeySlots::new(vault_id, &root, credential))?;
        let keyring = Keyring::create(store, vault_id, root).await?;
        descriptor::write(store, &slots).await?;
        Ok((slots, keyring))
    }

    /// Opens and unlocks an existing vault. Nothing is written if this fails.
    pub async fn open(config: &VaultConfig, credential: UnlockCredential<'_>) -> Result<Self> {
        require_runtime()?;
        let store = Store::connect(&config.store, false)?;
        let slots = descriptor::read(&store).await?;
        let root = off_worker(|| slots.unlock(credential)).map_err(credential_error)?;
        let keyring = Keyring::load(&store, slots.vault_id(), root).await?;
        Self::start(config, store, slots, keyring, false).await
    }

    /// Starts the vault over its index; `created` says it was created just now, so that no
    /// batch of it can be unsettled (a file left in a reused index folder is another vault's).
    async fn start(
        config: &VaultConfig,
        store: Store,
        slots: KeySlots,
        keyring: Keyring,
        created: bool,
    ) -> Result<Self> {
        let (folder, backend, writer): (_, Box<dyn IndexBackend>, _) = match &config.index {
            IndexLocation::Folder(path) => {
                let folder = IndexFolder::open(path)?;
                let backend = Box::new(folder.database()?);
                let writer = folder.writer();
                (Some(folder), backend, writer)
            }
            IndexLocation::Temporary => (
                None,
                Box::new(SledBackend::temporary()?),
                super::ids::WriterId::generate()?,
            ),
        };
        let index = Index::new(backend, keyring.index_keys());
        let shared = Arc::new(Shared::new(store, index, writer, keyring, folder));
        // A new or re-keyed index starts from the newest checkpoint, if there is one, and
        // replays the log after it; a current one catches up on the batches it missed (its
        // own after a crash, and other writers').
        shared.index.ensure_current()?;
        if shared.index.has_applied_nothing()? {
            super::checkpoint::restore_newest(&shared).await?;
        }
        let own = super::maintenance::replay_log(&shared, None).await?.own;
        // A failed write may have used a sequence that is not in the log: never reuse one the
        // index saw applied, nor one of a batch whose write is unsettled (put again first).
        // Its audit entries are in the writer's chain.
        let (unsettled, unsettled_head) = UnsettledBatch::kept(&shared, created)?.unzip();
        let next_sequence = own
            .last
            .max(shared.index.applied_sequence(writer)?)
            .max(unsettled.as_ref().map(UnsettledBatch::sequence))
            .map_or(0, |last| last + 1);
        let log = LogAppender::start(&shared.store, config.log, writer, own.tail)?;
        let audit_head = shared
            .index
            .audit_head(writer)?
            .into_iter()
            .chain(unsettled_head.flatten())
            .max_by_key(|head| head.next)
            .unwrap_or_default();
        Ok(Self {
            committer: Committer::start(
                Arc::downgrade(&shared),
                log,
                config.checkpoints,
                next_sequence,
                audit_head,
                unsettled,
            ),
            shared,
            slots: Arc::new(Mutex::new(slots)),
            scope_key_lock: Arc::new(Mutex::new(())),
            update_lock: Arc::new(Mutex::new(())),
            section_locks: Arc::new(std::array::from_fn(|_| Mutex::new(()))),
        })
    }

    /// The vault's id.
    pub fn id(&self) -> VaultId {
        self.shared.keyring().vault_id()
    }

    /// Where the store is, as given.
    pub fn location(&self) -> &str {
        self.shared.store.location()
    }

    /// The requests this vault has made of its store since it was opened (its clones
    /// included).
    pub fn store_requests(&self) -> StoreRequests {
        self.shared.store.requests()
    }

    /// Flushes the index to disk and closes this handle. Other clones stay open; when the
    /// last one closes (or is dropped) the index database closes and its folder is unlocked.
    pub async fn close(self) -> Result<()> {
        self.shared.finish_checkpoint().await;
        self.shared.index.flush()
    }
}

/// A passphrase about to be set, checked against the floor of [`check_passphrase`].
pub(crate) fn check_new_passphrase(passphrase: &[u8]) -> Result<()> {
    check_passphrase(passphrase).map_err(VaultError::WeakPassphrase)
}

/// A wrong passphrase or key is the caller's mistake, not a cryptographic failure.
pub(crate) fn credential_error(error: CryptoError) -> VaultError {
    match error {
        CryptoError::WrongPassphraseOrKey => VaultError::WrongCredential,
        other => VaultError::Crypto(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vaults_can_be_shared_between_threads() {
        fn shareable<T: Send + Sync + Clone>() {}
        shareable::<Vault>();
        shareable::<super::super::BlockingVault>();
    }
}
