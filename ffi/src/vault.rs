//! The vault object: opening and closing, records, documents and the audit check.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use medvault::crypto::UnlockCredential;
use medvault::vault::VaultError;
use medvault::vault::{
    AppDocument, BlockingVault, IndexLocation, RebuildStart, StoreLocation, VaultConfig,
};
use medvault_identity::BlockingIdentity;

use crate::documents::Document;
use crate::error::{MedVaultError, Result};
use crate::identity::Identity;
use crate::records::{NewRecord, Record, RecordMeta, metas, record_id};

/// What `Vault.verifyAudit` found: a sound audit trail of so many entries.
#[derive(uniffi::Record)]
pub struct AuditSummary {
    /// How many entries were checked.
    pub entries: u64,
    /// How many writers' chains they form.
    pub writers: u64,
}

/// What `Vault.verify` found. Ids are record ids; orphans are names of objects and keys
/// nothing uses (garbage, not damage).
#[derive(uniffi::Record)]
pub struct VerifyReport {
    /// Record versions whose payload and metadata authenticated.
    pub versions_ok: u64,
    /// Records whose payload object is missing from the store.
    pub missing_objects: Vec<String>,
    /// Records whose data key is missing.
    pub missing_keys: Vec<String>,
    /// Records whose object or metadata failed to authenticate or decode.
    pub corrupt: Vec<String>,
    /// Objects no index entry names.
    pub orphan_objects: Vec<String>,
    /// Wrapped keys nothing uses.
    pub orphan_keys: Vec<String>,
    /// Whether every record has its object and key and authenticates.
    pub is_sound: bool,
}

impl From<medvault::vault::VerifyReport> for VerifyReport {
    fn from(report: medvault::vault::VerifyReport) -> Self {
        let ids = |ids: &[medvault::vault::RecordId]| ids.iter().map(ToString::to_string).collect();
        Self {
            versions_ok: report.versions_ok,
            missing_objects: ids(&report.missing_objects),
            missing_keys: ids(&report.missing_keys),
            corrupt: ids(&report.corrupt),
            is_sound: report.is_sound(),
            orphan_objects: report.orphan_objects,
            orphan_keys: report.orphan_keys,
        }
    }
}

/// What `Vault.gc` removed.
#[derive(uniffi::Record)]
pub struct GcReport {
    /// Payload objects removed.
    pub objects_removed: u64,
    /// Wrapped keys removed.
    pub keys_removed: u64,
    /// Checkpoints removed (all but the newest two in the store).
    pub checkpoints_removed: u64,
}

/// An open, unlocked vault. Every method blocks until the engine answers (see the crate
/// documentation); the object can be shared between threads.
#[derive(uniffi::Object)]
pub struct Vault {
    vault: RwLock<Option<BlockingVault>>,
}

impl Vault {
    fn config(location: &str, index: Option<String>) -> Result<VaultConfig> {
        let store = StoreLocation::parse(location)?;
        let index = match index {
            Some(folder) => IndexLocation::Folder(folder.into()),
            None => IndexLocation::default_for(&store)?,
        };
        Ok(VaultConfig::new(store, index))
    }

    fn wrap(vault: BlockingVault) -> Arc<Self> {
        Arc::new(Self {
            vault: RwLock::new(Some(vault)),
        })
    }

    /// The open vault (a cheap clone), or `Closed`.
    pub(crate) fn open_vault(&self) -> Result<BlockingVault> {
        self.vault
            .read()
            .map_err(|_| VaultError::Closed)?
            .clone()
            .ok_or_else(|| VaultError::Closed.into())
    }
}

#[uniffi::export]
impl Vault {
    /// Creates a vault at `location` (a folder path, `file://` URL or `s3://bucket/prefix`;
    /// S3 settings come from the `AWS_*` environment variables), unlocked by `passphrase`.
    /// The local index goes in `index`, or by default in a folder of the user's cache named
    /// after the location.
    #[uniffi::constructor]
    pub fn create(
        location: String,
        passphrase: Vec<u8>,
        index: Option<String>,
    ) -> Result<Arc<Self>> {
        let config = Self::config(&location, index)?;
        let vault = BlockingVault::create(&config, UnlockCredential::Passphrase(&passphrase))?;
        Ok(Self::wrap(vault))
    }

    /// Opens the vault at `location` with `passphrase`; see `create` for the arguments.
    #[uniffi::constructor]
    pub fn open(location: String, passphrase: Vec<u8>, index: Option<String>) -> Result<Arc<Self>> {
        let config = Self::config(&location, index)?;
        let vault = BlockingVault::open(&config, UnlockCredential::Passphrase(&passphrase))?;
        Ok(Self::wrap(vault))
    }

    /// Stores a new record; returns its metadata (version 1) once it is durable.
    pub fn put(&self, record: NewRecord, payload: Vec<u8>) -> Result<RecordMeta> {
        Ok(self.open_vault()?.put(record.into(), &payload)?.into())
    }

    /// The latest version of a record, with its payload.
    pub fn get(&self, id: String) -> Result<Record> {
        Ok(self.open_vault()?.get(record_id(&id)?)?.into())
    }

    /// Version `version` (from 1) of a record, with its payload.
    pub fn get_version(&self, id: String, version: u64) -> Result<Record> {
        Ok(self
            .open_vault()?
            .get_version(record_id(&id)?, version)?
            .into())
    }

    /// Bytes `start..end` of a record's latest payload (only the segments needed are read).
    pub fn get_range(&self, id: String, start: u64, end: u64) -> Result<Vec<u8>> {
        if start > end {
            return Err(MedVaultError::invalid(format!(
                "invalid range: start {start} is after end {end}"
            )));
        }
        Ok(self.open_vault()?.get_range(record_id(&id)?, start..end)?)
    }

    /// The metadata of a record's latest version.
    pub fn head(&self, id: String) -> Result<RecordMeta> {
        Ok(self.open_vault()?.head(record_id(&id)?)?.into())
    }

    /// Writes a new version of a record; earlier versions are kept.
    pub fn amend(&self, id: String, payload: Vec<u8>) -> Result<RecordMeta> {
        Ok(self.open_vault()?.amend(record_id(&id)?, &payload)?.into())
    }

    /// Every version of a record, oldest first.
    pub fn history(&self, id: String) -> Result<Vec<RecordMeta>> {
        Ok(metas(self.open_vault()?.history(record_id(&id)?)?))
    }

    /// The latest versions of the records in `scope`.
    pub fn list_scope(&self, scope: String) -> Result<Vec<RecordMeta>> {
        Ok(metas(self.open_vault()?.list_scope(&scope)?))
    }

    /// The records of `kind` made in `from_ms..to_ms` (ms since the Unix epoch).
    pub fn list_kind(&self, kind: String, from_ms: i64, to_ms: i64) -> Result<Vec<RecordMeta>> {
        Ok(metas(self.open_vault()?.list_kind(&kind, from_ms..to_ms)?))
    }

    /// Deletes a record (all its versions).
    pub fn delete(&self, id: String) -> Result<()> {
        Ok(self.open_vault()?.delete(record_id(&id)?)?)
    }

    /// Inserts a new document; fails if its collection already has one with its id.
    pub fn insert_document(&self, document: Document) -> Result<()> {
        let document = AppDocument::try_from(document)?;
        Ok(self.open_vault()?.insert_document(&document)?)
    }

    /// Replaces a stored document.
    pub fn update_document(&self, document: Document) -> Result<()> {
        let document = AppDocument::try_from(document)?;
        Ok(self.open_vault()?.update_document(&document)?)
    }

    /// The document `id` of `collection`, if there is one.
    pub fn get_document(&self, collection: String, id: String) -> Result<Option<Document>> {
        let storage_id = AppDocument::storage_id(&collection, &id)?;
        Ok(self
            .open_vault()?
            .get_document::<AppDocument>(&storage_id)?
            .map(Document::from))
    }

    /// Deletes the document `id` of `collection`.
    pub fn delete_document(&self, collection: String, id: String) -> Result<()> {
        let storage_id = AppDocument::storage_id(&collection, &id)?;
        Ok(self
            .open_vault()?
            .delete_document::<AppDocument>(&storage_id)?)
    }

    /// The documents of `collection` whose `field` equals `value` exactly.
    pub fn find_documents(
        &self,
        collection: String,
        field: String,
        value: String,
    ) -> Result<Vec<Document>> {
        let (field, value) = AppDocument::find_key(&collection, &field, &value)?;
        Ok(self
            .open_vault()?
            .find_documents::<AppDocument>(field, &value)?
            .into_iter()
            .map(Document::from)
            .collect())
    }

    /// Checks the whole audit trail (every entry authenticated, every chain unbroken);
    /// fails with `Tampered` naming what was altered.
    pub fn verify_audit(&self) -> Result<AuditSummary> {
        let report = self.open_vault()?.verify_audit()?;
        Ok(AuditSummary {
            entries: report.entries,
            writers: u64::try_from(report.writers).unwrap_or(u64::MAX),
        })
    }

    /// Shreds `scope`: its data keys are destroyed, so its records can never be read again.
    /// Returns how many records it held.
    pub fn shred_scope(&self, scope: String) -> Result<u64> {
        let shredded = self.open_vault()?.shred_scope(&scope)?;
        Ok(u64::try_from(shredded).unwrap_or(u64::MAX))
    }

    /// Applies the changes other instances sharing the store logged; returns how many log
    /// batches were applied.
    pub fn sync(&self) -> Result<u64> {
        Ok(self.open_vault()?.sync(None)?)
    }

    /// Rebuilds the local index from the store, from nothing (checking that the log alone
    /// gives the index) or, with `from_checkpoint`, from the newest checkpoint that opens;
    /// returns how many log batches were applied.
    pub fn rebuild(&self, from_checkpoint: bool) -> Result<u64> {
        let start = if from_checkpoint {
            RebuildStart::Checkpoint
        } else {
            RebuildStart::Log
        };
        Ok(self.open_vault()?.rebuild_from(start, None)?)
    }

    /// Reads and authenticates every record version; reports what is missing or corrupt.
    pub fn verify(&self) -> Result<VerifyReport> {
        Ok(self.open_vault()?.verify(None)?.into())
    }

    /// Removes payload objects, wrapped keys and superseded checkpoints nothing refers to,
    /// once at least `min_age_seconds` old (another instance's write may be in flight).
    pub fn gc(&self, min_age_seconds: u64) -> Result<GcReport> {
        let report = self
            .open_vault()?
            .gc(Duration::from_secs(min_age_seconds), None)?;
        Ok(GcReport {
            objects_removed: report.objects_removed,
            keys_removed: report.keys_removed,
            checkpoints_removed: report.checkpoints_removed,
        })
    }

    /// Changes the passphrase of the slot `old` opens to `new` (at least 12 characters, not
    /// blank, repetitive or commonly used).
    pub fn change_passphrase(&self, old: Vec<u8>, new: Vec<u8>) -> Result<()> {
        Ok(self.open_vault()?.change_passphrase(&old, &new)?)
    }

    /// Rotates the root key: every slot is rewrapped (the passphrase of each slot, in slot
    /// order, is required), every data key is rewrapped, and the index is re-keyed and
    /// rebuilt. Other instances sharing the store must reopen afterwards.
    pub fn rotate_root(&self, passphrases: Vec<Vec<u8>>) -> Result<()> {
        let credentials: Vec<UnlockCredential<'_>> = passphrases
            .iter()
            .map(|passphrase| UnlockCredential::Passphrase(passphrase))
            .collect();
        Ok(self.open_vault()?.rotate_root(&credentials)?)
    }

    /// The accounts, logins and sessions of this vault.
    pub fn identity(&self) -> Result<Arc<Identity>> {
        Ok(Arc::new(Identity::new(BlockingIdentity::new(
            self.open_vault()?,
        ))))
    }

    /// Flushes and closes the vault; later calls fail with `Closed`. Identities made from it
    /// keep the vault open until they are released.
    pub fn close(&self) -> Result<()> {
        let vault = self.vault.write().map_err(|_| VaultError::Closed)?.take();
        match vault {
            Some(vault) => Ok(vault.close()?),
            None => Ok(()),
        }
    }
}
