//! The local index: a rebuildable cache of the log, in a key-value store where every key is a
//! blind token and every value is sealed.
//!
//! Keys (`tok(…)` is a keyed token under the index token key, `tok16` its first 16 bytes):
//!
//! ```text
//! C                                        check value: the index is keyed by this root
//! W ‖ writer                               last applied log sequence of a writer
//! V ‖ tok(record) ‖ version ‖ writer       a record version
//! T ‖ tok(record)                          a deleted record
//! S ‖ tok(scope) ‖ tok16(record)           a record of a scope
//! K ‖ tok(kind) ‖ tok16(record)            a record of a kind
//! Y ‖ tok(scope) ‖ tok16(key)              a data key of a scope
//! X ‖ tok(key)                             a shredded data key
//! D ‖ tok(collection, id)                  a document
//! F ‖ tok(collection, field, value) ‖ tok16(collection, id)   a document's indexed field
//! H ‖ writer                               the head of a writer's audit chain
//! ```
//!
//! Values are `RecordAead(postcard(value))` under the index value key, with the entry's key as
//! associated data, so a value moved to another key fails to open.

mod backend;
mod folder;

use std::sync::{Arc, Mutex, PoisonError, RwLock};

use serde::Serialize;
use serde::de::DeserializeOwned;

pub(crate) use backend::{IndexBackend, SledBackend};
pub(crate) use folder::IndexFolder;

use super::error::{Result, VaultError};
use super::ids::{RecordId, WriterId};
use super::keyring::{IndexKeys, ScopeToken};
use super::log::{Cursor, DocumentRevision, Mutation, RecordVersion};
use crate::audit::{AuditEntry, ChainHead};
use crate::crypto::KeyId;
use backend::Change;

/// The index's check value, which names its layout: a checkpoint is bound to it too.
pub(crate) const CHECK: &[u8] = b"medvault index v1";
const TOKEN_LEN: usize = 32;
/// A restored snapshot is written to the backend in writes of this many entries.
const RESTORE_CHUNK: usize = 4096;

/// The encrypted index over a backend.
#[derive(Debug)]
pub(crate) struct Index {
    backend: Box<dyn IndexBackend>,
    keys: RwLock<Arc<IndexKeys>>,
    /// Serializes batch application (it reads before it writes).
    apply_lock: Mutex<()>,
}

impl Index {
    /// An index over `backend`, keyed by `keys`.
    pub(crate) fn new(backend: Box<dyn IndexBackend>, keys: IndexKeys) -> Self {
        Self {
            backend,
            keys: RwLock::new(Arc::new(keys)),
            apply_lock: Mutex::new(()),
        }
    }

    fn keys(&self) -> Arc<IndexKeys> {
        self.keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Makes sure the index was built under the current keys. If not (new, foreign, or built
    /// under a rotated-out root), it is emptied and stamped, so that replaying the log
    /// rebuilds it.
    pub(crate) fn ensure_current(&self) -> Result<()> {
        let key = b"C".to_vec();
        let current = match self.backend.get(&key)? {
            Some(sealed) => self.open_value::<Vec<u8>>(&key, &sealed).ok() == Some(CHECK.to_vec()),
            None => false,
        };
        if !current {
            self.backend.reset()?;
            let sealed = self.seal_value(&key, &CHECK.to_vec())?;
            self.backend.write(vec![(key, Some(sealed))])?;
        }
        Ok(())
    }

    /// Empties the index and keys it with `keys` (after a root rotation); rebuild it after.
    /// The heads of the audit chains are kept.
    pub(crate) fn rekey(&self, keys: IndexKeys) -> Result<()> {
        let heads = self.kept_audit_heads();
        *self.keys.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(keys);
        self.reset_keeping(&heads)
    }

    /// Empties the index (it stays keyed as it was), except for the heads of the audit
    /// chains: a rebuild from a store whose newest entries were cut must still notice.
    pub(crate) fn clear(&self) -> Result<()> {
        let heads = self.kept_audit_heads();
        self.reset_keeping(&heads)
    }

    /// The audit heads worth keeping through a reset: none if the index is too damaged to
    /// read them (a rebuild must still be able to repair it).
    fn kept_audit_heads(&self) -> Vec<(WriterId, ChainHead)> {
        self.audit_heads().unwrap_or_default()
    }

    fn reset_keeping(&self, heads: &[(WriterId, ChainHead)]) -> Result<()> {
        self.backend.reset()?;
        self.ensure_current()?;
        let mut changes = Vec::new();
        for (writer, head) in heads {
            self.set(
                &mut changes,
                Self::key(b'H', &[writer.as_bytes()]),
                &(*writer, *head),
            )?;
        }
        self.backend.write(changes)
    }

    /// Every entry of the index as it is stored (keys blind, values sealed), for a checkpoint.
    /// Each writer's applied sequence is the one it had before the rest was read: entries of a
    /// batch applied while the scan ran may be caught only in part, so a replay from those
    /// sequences must apply that batch again (which changes nothing that is already there).
    pub(crate) fn snapshot(&self) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let positions = {
            let _guard = self
                .apply_lock
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            self.backend.scan_prefix(b"W")?
        };
        let mut entries = self.backend.scan_prefix(&[])?;
        entries.retain(|(key, _)| key.first() != Some(&b'W'));
        entries.extend(positions);
        Ok(entries)
    }

    /// Writes the entries of a snapshot into this (empty) index.
    pub(crate) fn restore(&self, entries: Vec<(Vec<u8>, Vec<u8>)>) -> Result<()> {
        let mut entries = entries.into_iter().peekable();
        while entries.peek().is_some() {
            let chunk: Vec<Change> = entries
                .by_ref()
                .take(RESTORE_CHUNK)
                .map(|(key, value)| (key, Some(value)))
                .collect();
            self.backend.write(chunk)?;
        }
        Ok(())
    }

    /// Whether no log batch has been applied to this index yet.
    pub(crate) fn has_applied_nothing(&self) -> Result<bool> {
        Ok(self.backend.scan_prefix(b"W")?.is_empty())
    }

    /// Makes the index durable on disk.
    pub(crate) fn flush(&self) -> Result<()> {
        self.backend.flush()
    }

    // ----- tokens and values -----

    fn token(&self, domain: &str, parts: &[&[u8]]) -> [u8; TOKEN_LEN] {
        self.keys().tokens.token(domain, parts)
    }

    fn key(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
        let mut key = vec![tag];
        for part in parts {
            key.extend_from_slice(part);
        }
        key
    }

    fn seal_value<T: Serialize>(&self, key: &[u8], value: &T) -> Result<Vec<u8>> {
        let plain = zeroize::Zeroizing::new(
            postcard::to_stdvec(value)
                .map_err(|error| VaultError::malformed("index value", error))?,
        );
        Ok(self.keys().values.seal(&plain, key)?)
    }

    fn open_value<T: DeserializeOwned>(&self, key: &[u8], sealed: &[u8]) -> Result<T> {
        let plain = zeroize::Zeroizing::new(self.keys().values.open(sealed, key)?);
        postcard::from_bytes(&plain).map_err(|error| VaultError::malformed("index value", error))
    }

    fn get<T: DeserializeOwned>(&self, key: &[u8]) -> Result<Option<T>> {
        self.backend
            .get(key)?
            .map(|sealed| self.open_value(key, &sealed))
            .transpose()
    }

    fn scan<T: DeserializeOwned>(&self, prefix: &[u8]) -> Result<Vec<T>> {
        self.backend
            .scan_prefix(prefix)?
            .into_iter()
            .map(|(key, sealed)| self.open_value(&key, &sealed))
            .collect()
    }

    fn set<T: Serialize>(&self, changes: &mut Vec<Change>, key: Vec<u8>, value: &T) -> Result<()> {
        let sealed = self.seal_value(&key, value)?;
        changes.push((key, Some(sealed)));
        Ok(())
    }

    fn record_token(&self, record: RecordId) -> [u8; TOKEN_LEN] {
        self.token("record", &[record.as_bytes()])
    }

    fn version_entry(&self, record: RecordId, version: u64, writer: WriterId) -> Vec<u8> {
        Self::key(
            b'V',
            &[
                &self.record_token(record),
                &version.to_be_bytes(),
                writer.as_bytes(),
            ],
        )
    }

    fn scope_prefix(&self, scope: &ScopeToken) -> Vec<u8> {
        Self::key(b'S', &[&self.token("scope", &[scope])])
    }

    fn kind_prefix(&self, kind: &str) -> Vec<u8> {
        Self::key(b'K', &[&self.token("kind", &[kind.as_bytes()])])
    }

    fn member_suffix(&self, record: RecordId) -> Vec<u8> {
        self.token("member", &[record.as_bytes()])[..16].to_vec()
    }

    fn scope_keys_prefix(&self, scope: &ScopeToken) -> Vec<u8> {
        Self::key(b'Y', &[&self.token("scope-keys", &[scope])])
    }

    fn shredded_key(&self, key: KeyId) -> Vec<u8> {
        Self::key(b'X', &[&self.token("shredded", &[key.as_bytes()])])
    }

    fn deleted_key(&self, record: RecordId) -> Vec<u8> {
        Self::key(b'T', &[&self.record_token(record)])
    }

    fn document_key(&self, collection: &str, id: &str) -> Vec<u8> {
        Self::key(
            b'D',
            &[&self.token("document", &[collection.as_bytes(), id.as_bytes()])],
        )
    }

    fn field_prefix(&self, collection: &str, field: &str, value: &str) -> Vec<u8> {
        Self::key(
            b'F',
            &[&self.token(
                "field",
                &[collection.as_bytes(), field.as_bytes(), value.as_bytes()],
            )],
        )
    }

    // ----- applying the log -----

    /// The last sequence of `writer` applied to this index.
    pub(crate) fn applied_sequence(&self, writer: WriterId) -> Result<Option<u64>> {
        self.get(&Self::key(b'W', &[writer.as_bytes()]))
    }

    /// Applies batch `sequence` of `writer`; applying it again changes nothing.
    pub(crate) fn apply_batch(
        &self,
        writer: WriterId,
        sequence: u64,
        mutations: &[Mutation],
    ) -> Result<()> {
        let _guard = self
            .apply_lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Record puts read only tombstones, which only deletions and shreds write, and audit
        // entries come in order, so a run of them goes to the backend as one write; any other
        // mutation is written on its own, after what precedes it, so that it reads an
        // up-to-date index.
        let mut pending: Vec<Change> = Vec::new();
        for mutation in mutations {
            let groups = matches!(mutation, Mutation::PutRecord(_) | Mutation::Audit(_));
            if !groups && !pending.is_empty() {
                self.backend.write(std::mem::take(&mut pending))?;
            }
            pending.extend(self.changes_for(writer, mutation)?);
            if !groups {
                self.backend.write(std::mem::take(&mut pending))?;
            }
        }
        let key = Self::key(b'W', &[writer.as_bytes()]);
        let newer = self
            .get::<u64>(&key)?
            .is_none_or(|applied| applied < sequence);
        if newer {
            self.set(&mut pending, key, &sequence)?;
        }
        if !pending.is_empty() {
            self.backend.write(pending)?;
        }
        Ok(())
    }

    fn changes_for(&self, writer: WriterId, mutation: &Mutation) -> Result<Vec<Change>> {
        let mut changes = Vec::new();
        match mutation {
            Mutation::PutRecord(version) => self.put_record(&mut changes, version)?,
            Mutation::DeleteRecord(record) => self.delete_record(&mut changes, *record)?,
            Mutation::ShredScope { scope, keys } => self.shred_scope(&mut changes, scope, keys)?,
            Mutation::PutDocument(revision) => self.put_document(&mut changes, revision)?,
            Mutation::Audit(entry) => self.advance_audit_head(&mut changes, writer, entry)?,
        }
        Ok(changes)
    }

    fn put_record(&self, changes: &mut Vec<Change>, version: &RecordVersion) -> Result<()> {
        let deleted = self
            .backend
            .get(&self.deleted_key(version.record))?
            .is_some();
        let shredded = self.backend.get(&self.shredded_key(version.key))?.is_some();
        if deleted || shredded {
            return Ok(());
        }
        let record = version.record;
        self.set(
            changes,
            self.version_entry(record, version.version, version.writer),
            version,
        )?;
        let member = self.member_suffix(record);
        let scope_key = [self.scope_prefix(&version.scope), member.clone()].concat();
        self.set(changes, scope_key, &record)?;
        let kind_key = [self.kind_prefix(&version.kind), member].concat();
        self.set(changes, kind_key, &record)?;
        let key_entry = [
            self.scope_keys_prefix(&version.scope),
            self.token("key", &[version.key.as_bytes()])[..16].to_vec(),
        ]
        .concat();
        self.set(changes, key_entry, &version.key)
    }

    fn delete_record(&self, changes: &mut Vec<Change>, record: RecordId) -> Result<()> {
        self.drop_versions(changes, record, |_| true)?;
        self.set(changes, self.deleted_key(record), &())
    }

    /// Removes the versions of `record` that `drop` selects, and its memberships when none
    /// is left.
    fn drop_versions(
        &self,
        changes: &mut Vec<Change>,
        record: RecordId,
        drop: impl Fn(&RecordVersion) -> bool,
    ) -> Result<()> {
        let prefix = Self::key(b'V', &[&self.record_token(record)]);
        let entries = self.backend.scan_prefix(&prefix)?;
        let mut kept = 0;
        let mut dropped = Vec::new();
        for (key, sealed) in entries {
            let version: RecordVersion = self.open_value(&key, &sealed)?;
            if drop(&version) {
                changes.push((key, None));
                dropped.push(version);
            } else {
                kept += 1;
            }
        }
        if kept == 0 {
            let member = self.member_suffix(record);
            for version in &dropped {
                changes.push((
                    [self.scope_prefix(&version.scope), member.clone()].concat(),
                    None,
                ));
                changes.push((
                    [self.kind_prefix(&version.kind), member.clone()].concat(),
                    None,
                ));
            }
        }
        Ok(())
    }

    fn shred_scope(
        &self,
        changes: &mut Vec<Change>,
        scope: &ScopeToken,
        keys: &[KeyId],
    ) -> Result<()> {
        for key in keys {
            self.set(changes, self.shredded_key(*key), &())?;
            changes.push((
                [
                    self.scope_keys_prefix(scope),
                    self.token("key", &[key.as_bytes()])[..16].to_vec(),
                ]
                .concat(),
                None,
            ));
        }
        for record in self.scan::<RecordId>(&self.scope_prefix(scope))? {
            self.drop_versions(changes, record, |version| keys.contains(&version.key))?;
        }
        Ok(())
    }

    fn put_document(&self, changes: &mut Vec<Change>, revision: &DocumentRevision) -> Result<()> {
        let key = self.document_key(&revision.collection, &revision.id);
        let current: Option<DocumentRevision> = self.get(&key)?;
        if let Some(current) = &current {
            if (current.revision, current.writer) >= (revision.revision, revision.writer) {
                return Ok(());
            }
            for (field, value) in &current.fields {
                changes.push((
                    self.field_entry(&revision.collection, field, value, &revision.id),
                    None,
                ));
            }
        }
        self.set(changes, key, revision)?;
        if revision.body.is_some() {
            for (field, value) in &revision.fields {
                let entry = self.field_entry(&revision.collection, field, value, &revision.id);
                self.set(changes, entry, &revision.id)?;
            }
        }
        Ok(())
    }

    /// Moves `writer`'s audit head past `entry`, unless it is there already.
    fn advance_audit_head(
        &self,
        changes: &mut Vec<Change>,
        writer: WriterId,
        entry: &AuditEntry,
    ) -> Result<()> {
        let key = Self::key(b'H', &[writer.as_bytes()]);
        let behind = self
            .get::<(WriterId, ChainHead)>(&key)?
            .is_none_or(|(_, head)| head.next <= entry.number);
        if behind {
            let head = ChainHead {
                next: entry.number + 1,
                last: entry.hash(),
            };
            self.set(changes, key, &(writer, head))?;
        }
        Ok(())
    }

    fn field_entry(&self, collection: &str, field: &str, value: &str, id: &str) -> Vec<u8> {
        [
            self.field_prefix(collection, field, value),
            self.token("document-member", &[collection.as_bytes(), id.as_bytes()])[..16].to_vec(),
        ]
        .concat()
    }

    // ----- queries -----

    /// The head of `writer`'s audit chain, if it has logged any entry.
    pub(crate) fn audit_head(&self, writer: WriterId) -> Result<Option<ChainHead>> {
        Ok(self
            .get::<(WriterId, ChainHead)>(&Self::key(b'H', &[writer.as_bytes()]))?
            .map(|(_, head)| head))
    }

    /// Where reading `writer`'s log last stopped, as last recorded.
    pub(crate) fn log_cursor(&self, writer: WriterId) -> Result<Option<Cursor>> {
        self.get(&Self::key(b'R', &[writer.as_bytes()]))
    }

    /// Records where reading `writer`'s log stopped, once what it read is applied.
    pub(crate) fn set_log_cursor(&self, writer: WriterId, cursor: &Cursor) -> Result<()> {
        let mut changes = Vec::new();
        self.set(&mut changes, Self::key(b'R', &[writer.as_bytes()]), cursor)?;
        self.backend.write(changes)
    }

    /// The head of every writer's audit chain.
    pub(crate) fn audit_heads(&self) -> Result<Vec<(WriterId, ChainHead)>> {
        self.scan(b"H")
    }

    /// Every version of `record`, oldest first; empty if there is none.
    pub(crate) fn record_versions(&self, record: RecordId) -> Result<Vec<RecordVersion>> {
        self.scan(&Self::key(b'V', &[&self.record_token(record)]))
    }

    /// Whether version `version` of `record` by `writer` is in the index (without opening it).
    pub(crate) fn has_version(
        &self,
        record: RecordId,
        version: u64,
        writer: WriterId,
    ) -> Result<bool> {
        Ok(self
            .backend
            .get(&self.version_entry(record, version, writer))?
            .is_some())
    }

    /// The records of a scope.
    pub(crate) fn scope_records(&self, scope: &ScopeToken) -> Result<Vec<RecordId>> {
        self.scan(&self.scope_prefix(scope))
    }

    /// The records of a kind.
    pub(crate) fn kind_records(&self, kind: &str) -> Result<Vec<RecordId>> {
        self.scan(&self.kind_prefix(kind))
    }

    /// The live data keys of a scope.
    pub(crate) fn scope_keys(&self, scope: &ScopeToken) -> Result<Vec<KeyId>> {
        self.scan(&self.scope_keys_prefix(scope))
    }

    /// Every record version in the index.
    pub(crate) fn all_versions(&self) -> Result<Vec<RecordVersion>> {
        self.scan(b"V")
    }

    /// The latest revision of a document, deleted or not.
    pub(crate) fn document(&self, collection: &str, id: &str) -> Result<Option<DocumentRevision>> {
        self.get(&self.document_key(collection, id))
    }

    /// Ids of the documents whose indexed `field` equals `value`.
    pub(crate) fn find_documents(
        &self,
        collection: &str,
        field: &str,
        value: &str,
    ) -> Result<Vec<String>> {
        self.scan(&self.field_prefix(collection, field, value))
    }
}
