//! A blocking facade over [`Vault`] with a runtime of its own, for the CLI, the bindings and
//! any caller without tokio.

use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use tokio::runtime::Runtime;

use super::checkpoint::CheckpointReport;
use super::documents::Document;
use super::error::{Result, VaultError};
use super::ids::RecordId;
use super::lifecycle::{Vault, VaultConfig};
use super::maintenance::{GcReport, Progress, RebuildStart, VerifyReport};
use super::records::{NewRecord, RecordMeta};
use super::runtime::require_no_runtime;
use crate::audit::{AuditRecord, AuditReport};
use crate::crypto::UnlockCredential;

/// A [`Vault`] whose methods block. `Send + Sync`; clones share the vault and the runtime.
///
/// ```
/// use medvault::crypto::UnlockCredential;
/// use medvault::vault::{BlockingVault, IndexLocation, MemoryStore, NewRecord, StoreLocation, VaultConfig};
///
/// # fn main() -> Result<(), medvault::vault::VaultError> {
/// let config = VaultConfig::new(StoreLocation::Memory(MemoryStore::new()), IndexLocation::Temporary);
/// # let passphrase = b"correct horse battery staple";
/// let vault = BlockingVault::create(&config, UnlockCredential::Passphrase(passphrase))?;
/// let meta = vault.put(NewRecord::new("patient-17", "lab-result"), b"HbA1c 6.1%")?;
/// let (_, payload) = vault.get(meta.id)?;
/// assert_eq!(payload, b"HbA1c 6.1%");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct BlockingVault {
    runtime: Arc<Runtime>,
    vault: Vault,
}

impl BlockingVault {
    fn runtime() -> Result<Arc<Runtime>> {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("medvault")
            .build()
            .map(Arc::new)
            .map_err(|error| VaultError::io("starting the vault's runtime", error))
    }

    /// [`Vault::create`]. Fails with [`VaultError::WrongRuntime`] inside an async runtime.
    pub fn create(config: &VaultConfig, credential: UnlockCredential<'_>) -> Result<Self> {
        require_no_runtime()?;
        let runtime = Self::runtime()?;
        let vault = runtime.block_on(Vault::create(config, credential))?;
        Ok(Self { runtime, vault })
    }

    /// [`Vault::open`]. Fails with [`VaultError::WrongRuntime`] inside an async runtime.
    pub fn open(config: &VaultConfig, credential: UnlockCredential<'_>) -> Result<Self> {
        require_no_runtime()?;
        let runtime = Self::runtime()?;
        let vault = runtime.block_on(Vault::open(config, credential))?;
        Ok(Self { runtime, vault })
    }

    /// The async vault underneath.
    pub fn inner(&self) -> &Vault {
        &self.vault
    }

    /// Runs `future` to completion on this vault's runtime. Called from inside an async
    /// runtime, it fails with [`VaultError::WrongRuntime`] instead of stalling it.
    pub fn block_on<T, E: From<VaultError>>(
        &self,
        future: impl Future<Output = Result<T, E>>,
    ) -> Result<T, E> {
        require_no_runtime()?;
        self.runtime.block_on(future)
    }

    /// [`Vault::put`].
    pub fn put(&self, record: NewRecord, payload: &[u8]) -> Result<RecordMeta> {
        self.block_on(self.vault.put(record, payload))
    }

    /// [`Vault::put_many`].
    pub fn put_many(&self, records: Vec<(NewRecord, &[u8])>) -> Result<Vec<RecordMeta>> {
        self.block_on(self.vault.put_many(records))
    }

    /// [`Vault::amend`].
    pub fn amend(&self, record: RecordId, payload: &[u8]) -> Result<RecordMeta> {
        self.block_on(self.vault.amend(record, payload))
    }

    /// [`Vault::get`].
    pub fn get(&self, record: RecordId) -> Result<(RecordMeta, Vec<u8>)> {
        self.block_on(self.vault.get(record))
    }

    /// [`Vault::get_version`].
    pub fn get_version(&self, record: RecordId, version: u64) -> Result<(RecordMeta, Vec<u8>)> {
        self.block_on(self.vault.get_version(record, version))
    }

    /// [`Vault::get_range`].
    pub fn get_range(&self, record: RecordId, range: Range<u64>) -> Result<Vec<u8>> {
        self.block_on(self.vault.get_range(record, range))
    }

    /// [`Vault::head`].
    pub fn head(&self, record: RecordId) -> Result<RecordMeta> {
        self.block_on(self.vault.head(record))
    }

    /// [`Vault::history`].
    pub fn history(&self, record: RecordId) -> Result<Vec<RecordMeta>> {
        self.block_on(self.vault.history(record))
    }

    /// [`Vault::list_scope`].
    pub fn list_scope(&self, scope: &str) -> Result<Vec<RecordMeta>> {
        self.block_on(self.vault.list_scope(scope))
    }

    /// [`Vault::list_kind`].
    pub fn list_kind(&self, kind: &str, time: Range<i64>) -> Result<Vec<RecordMeta>> {
        self.block_on(self.vault.list_kind(kind, time))
    }

    /// [`Vault::list_all`].
    pub fn list_all(&self) -> Result<Vec<RecordMeta>> {
        self.block_on(self.vault.list_all())
    }

    /// [`Vault::delete`].
    pub fn delete(&self, record: RecordId) -> Result<()> {
        self.block_on(self.vault.delete(record))
    }

    /// [`Vault::shred_scope`].
    pub fn shred_scope(&self, scope: &str) -> Result<usize> {
        self.block_on(self.vault.shred_scope(scope))
    }

    /// [`super::Collection::insert`].
    pub fn insert_document<T: Document>(&self, document: &T) -> Result<()> {
        self.block_on(self.vault.collection::<T>().insert(document))
    }

    /// [`super::Collection::update`].
    pub fn update_document<T: Document>(&self, document: &T) -> Result<()> {
        self.block_on(self.vault.collection::<T>().update(document))
    }

    /// [`super::Collection::get`].
    pub fn get_document<T: Document>(&self, id: &str) -> Result<Option<T>> {
        self.vault.collection::<T>().get(id)
    }

    /// [`super::Collection::delete`].
    pub fn delete_document<T: Document>(&self, id: &str) -> Result<()> {
        self.block_on(self.vault.collection::<T>().delete(id))
    }

    /// [`super::Collection::find`].
    pub fn find_documents<T: Document>(&self, field: &str, value: &str) -> Result<Vec<T>> {
        self.vault.collection::<T>().find(field, value)
    }

    /// [`Vault::sync_with_progress`].
    pub fn sync(&self, progress: Option<&dyn Progress>) -> Result<u64> {
        self.block_on(self.vault.sync_with_progress(progress))
    }

    /// [`Vault::rebuild_with_progress`].
    pub fn rebuild(&self, progress: Option<&dyn Progress>) -> Result<u64> {
        self.block_on(self.vault.rebuild_with_progress(progress))
    }

    /// [`Vault::rebuild_from`].
    pub fn rebuild_from(
        &self,
        start: RebuildStart,
        progress: Option<&dyn Progress>,
    ) -> Result<u64> {
        self.block_on(self.vault.rebuild_from(start, progress))
    }

    /// [`Vault::verify_with_progress`].
    pub fn verify(&self, progress: Option<&dyn Progress>) -> Result<VerifyReport> {
        self.block_on(self.vault.verify_with_progress(progress))
    }

    /// [`Vault::gc_with_progress`].
    pub fn gc(&self, min_age: Duration, progress: Option<&dyn Progress>) -> Result<GcReport> {
        self.block_on(self.vault.gc_with_progress(min_age, progress))
    }

    /// [`Vault::checkpoint`].
    pub fn checkpoint(&self) -> Result<CheckpointReport> {
        self.block_on(self.vault.checkpoint())
    }

    /// [`Vault::verify_audit`].
    pub fn verify_audit(&self) -> Result<AuditReport> {
        self.block_on(self.vault.verify_audit())
    }

    /// [`Vault::audit_trail`].
    pub fn audit_trail(&self) -> Result<Vec<AuditRecord>> {
        self.block_on(self.vault.audit_trail())
    }

    /// [`Vault::change_passphrase`].
    pub fn change_passphrase(&self, old: &[u8], new: &[u8]) -> Result<()> {
        self.block_on(self.vault.change_passphrase(old, new))
    }

    /// [`Vault::rotate_root`].
    pub fn rotate_root(&self, credentials: &[UnlockCredential<'_>]) -> Result<()> {
        self.block_on(self.vault.rotate_root(credentials))
    }

    /// [`Vault::close`].
    pub fn close(self) -> Result<()> {
        self.runtime.block_on(self.vault.close())
    }
}
