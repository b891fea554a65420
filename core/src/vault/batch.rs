//! Units of work: record writes, document revisions and audit events that become durable
//! together, in one log batch, or not at all.
//!
//! The layers above the engine (accounts, sessions, appointments) write through a [`Batch`]:
//! each change they make is staged in one, with the audit events that describe it, and
//! committed at once. A read-modify-write section (read the current revision, write the
//! next) holds an [`UpdateGuard`] from its read to its commit, so that two such sections on
//! one instance never claim the same revision or version number.

use tokio::sync::MutexGuard;

use super::error::{Result, VaultError};
use super::ids::{RecordId, WriterId};
use super::lifecycle::Vault;
use super::log::{DocumentRevision, Mutation};
use super::records::{NewRecord, RecordMeta};
use crate::audit::AuditEvent;

/// Proof that the holder has the vault's update lock: the lock that serializes
/// read-modify-write sections (amendments, document updates, account changes) on this
/// instance. Released when dropped.
#[derive(Debug)]
pub struct UpdateGuard<'v> {
    _held: MutexGuard<'v, ()>,
}

/// Holds one named section of this instance's work (see [`Vault::lock_section`]). Released
/// when dropped.
#[derive(Debug)]
pub struct SectionGuard<'v> {
    _held: MutexGuard<'v, ()>,
}

/// How many locks the named sections share (names are spread over them by hash).
pub(crate) const SECTION_LOCKS: usize = 16;

/// Changes staged to be committed together: all of them are durable, or none is
/// acknowledged. Made by [`Vault::batch`]; nothing is written to the log until
/// [`Batch::commit`] (a large record payload is stored as its own object when it is
/// staged; if the batch is never committed, [`Vault::gc`] removes it). `Debug` shows how much
/// is staged, never what.
#[must_use = "a batch writes nothing until it is committed"]
pub struct Batch<'v> {
    vault: &'v Vault,
    mutations: Vec<Mutation>,
    audit: Vec<AuditEvent>,
    /// Bytes of payload carried inline, which bound the committer's log batches.
    inline_bytes: usize,
    /// The record versions staged, checked in the index once committed.
    versions: Vec<(RecordId, u64, WriterId)>,
}

impl std::fmt::Debug for Batch<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch")
            .field("mutations", &self.mutations.len())
            .field("audit_events", &self.audit.len())
            .field("inline_bytes", &self.inline_bytes)
            .finish_non_exhaustive()
    }
}

impl Vault {
    /// Takes the update lock, waiting for the section that holds it.
    pub async fn lock_updates(&self) -> UpdateGuard<'_> {
        UpdateGuard {
            _held: self.update_lock.lock().await,
        }
    }

    /// Takes the lock of the section `name`, waiting for whoever holds it. Sections serialize
    /// work of a layer above that must not interleave on this instance but has nothing to do
    /// with read-modify-write of documents, such as booking a slot (which may wait on the
    /// store for seconds): they never wait for the update lock, nor it for them. Two names may
    /// share a lock. Take a section before the update lock, never after.
    pub async fn lock_section(&self, name: &str) -> SectionGuard<'_> {
        let mut hasher = std::hash::DefaultHasher::new();
        std::hash::Hash::hash(name, &mut hasher);
        let index = (std::hash::Hasher::finish(&hasher) % SECTION_LOCKS as u64) as usize;
        SectionGuard {
            _held: self.section_locks[index].lock().await,
        }
    }

    /// A new, empty unit of work.
    pub fn batch(&self) -> Batch<'_> {
        Batch {
            vault: self,
            mutations: Vec::new(),
            audit: Vec::new(),
            inline_bytes: 0,
            versions: Vec::new(),
        }
    }
}

impl<'v> Batch<'v> {
    /// Stages a new record: seals its payload (storing a large one as an object now) and
    /// returns the metadata it will have once committed. Nothing is audited unless an event is
    /// added with [`Batch::audit`].
    pub async fn put_record(&mut self, record: NewRecord, payload: &[u8]) -> Result<RecordMeta> {
        let meta = self.vault.new_record_meta(record, payload)?;
        self.stage_version(meta, payload).await
    }

    /// Stages a new version of `record` with a new payload, made at `created_ms`; the rest of
    /// the metadata is carried over from the latest version. `_held` keeps another amendment
    /// on this instance from claiming the same version number before this batch commits.
    pub async fn amend_record(
        &mut self,
        _held: &UpdateGuard<'_>,
        record: RecordId,
        payload: &[u8],
        created_ms: i64,
    ) -> Result<RecordMeta> {
        let latest = self.vault.head(record).await?;
        let meta = RecordMeta {
            version: latest.version + 1,
            created_ms,
            size: payload.len() as u64,
            ..latest
        };
        self.stage_version(meta, payload).await
    }

    /// Stages new records, their payloads sealed on all cores; returns the metadata each will
    /// have once committed, in order.
    pub async fn put_records(
        &mut self,
        records: Vec<(NewRecord, &[u8])>,
    ) -> Result<Vec<RecordMeta>> {
        let drafts = records
            .into_iter()
            .map(|(record, payload)| Ok((self.vault.new_record_meta(record, payload)?, payload)))
            .collect::<Result<Vec<_>>>()?;
        self.stage_versions(&drafts).await?;
        Ok(drafts.into_iter().map(|(meta, _)| meta).collect())
    }

    async fn stage_version(&mut self, meta: RecordMeta, payload: &[u8]) -> Result<RecordMeta> {
        self.stage_versions(&[(meta.clone(), payload)]).await?;
        Ok(meta)
    }

    async fn stage_versions(&mut self, drafts: &[(RecordMeta, &[u8])]) -> Result<()> {
        for (version, inline_bytes) in self.vault.seal_versions(drafts).await? {
            self.versions
                .push((version.record, version.version, version.writer));
            self.mutations.push(Mutation::PutRecord(version));
            self.inline_bytes += inline_bytes;
        }
        Ok(())
    }

    /// Stages a document revision (made by a [`super::Collection`]).
    pub fn put_document(&mut self, revision: DocumentRevision) -> &mut Self {
        self.inline_bytes += revision.body_len();
        self.mutations.push(Mutation::PutDocument(revision));
        self
    }

    /// Stages several document revisions, in order.
    pub fn put_documents(
        &mut self,
        revisions: impl IntoIterator<Item = DocumentRevision>,
    ) -> &mut Self {
        for revision in revisions {
            self.put_document(revision);
        }
        self
    }

    /// Stages an audit event: it joins this writer's audit chain in the same log batch as the
    /// changes staged with it.
    pub fn audit(&mut self, event: AuditEvent) -> &mut Self {
        self.audit.push(event);
        self
    }

    /// Stages the deletion of `record` and all its versions.
    pub(crate) fn delete_record(&mut self, record: RecordId) -> &mut Self {
        self.mutations.push(Mutation::DeleteRecord(record));
        self
    }

    /// Stages any mutation (the engine's own: shreds).
    pub(crate) fn mutation(&mut self, mutation: Mutation) -> &mut Self {
        self.mutations.push(mutation);
        self
    }

    /// Whether nothing is staged.
    pub fn is_empty(&self) -> bool {
        self.mutations.is_empty() && self.audit.is_empty()
    }

    /// Commits everything staged in one log batch; returns once it is durable in the store
    /// and applied to the index. An empty batch commits nothing.
    pub async fn commit(self) -> Result<()> {
        if self.is_empty() {
            return Ok(());
        }
        self.vault
            .committer
            .commit(self.mutations, self.audit, self.inline_bytes)
            .await?;
        // A deletion of the record or a shred of its scope that got in first leaves the version
        // out of the index: say so rather than acknowledge a write nobody can read.
        for (record, version, writer) in self.versions {
            if !self
                .vault
                .shared
                .index
                .has_version(record, version, writer)?
            {
                return Err(VaultError::invalid(
                    "record",
                    "it was deleted, or its scope shredded, while it was being written",
                ));
            }
        }
        Ok(())
    }
}
