//! The local index: a rebuildable cache of the log, in a key-value store where every key is a
//! blind token and every value is sealed.
//!
//! Keys (`tok(…)` is a keyed token under the index token key, `tok16` its first 16 bytes):
//!
//! ```text
//! C                                        check value: the index is keyed by this root
//! W ‖ writer                               last applied log sequence of a writer
//! V ‖ tok(record) ‖ version ‖ writer       a record version, without an inline payload
//! P ‖ tok(record) ‖ version ‖ writer       that version's inline payload envelope
//! T ‖ tok(record)                          a deleted record
//! S ‖ tok(scope) ‖ tok16(record)           the latest version of a record of a scope
//! K ‖ tok(kind) ‖ tok8(kind, day) ‖ tok16(record)   the latest version of a record of a
//!                                          kind, under the day it was made
//! Y ‖ tok(scope) ‖ tok16(key)              a data key of a scope
//! X ‖ tok(key)                             a shredded data key
//! D ‖ tok(collection, id)                  a document
//! F ‖ tok(collection, field, value) ‖ tok16(collection, id)   a document's indexed field
//! H ‖ writer                               the head of a writer's audit chain
//! R ‖ writer                               where reading a writer's log last stopped
//! ```
//!
//! Values are `RecordAead(postcard(value))` under the index value key, with the entry's key as
//! associated data, so a value moved to another key fails to open; except `P` values, which
//! are payload envelopes, sealed under the record's data key and bound to their version
//! already. Record entries are in `records`.

mod backend;
mod folder;
mod records;

use std::sync::{Arc, Mutex, PoisonError, RwLock};

use serde::Serialize;
use serde::de::DeserializeOwned;

pub(crate) use backend::{IndexBackend, SledBackend};
pub(crate) use folder::IndexFolder;

use super::error::{Result, VaultError};
use super::ids::WriterId;
use super::keyring::IndexKeys;
use super::log::{Cursor, DocumentRevision, Mutation};
use crate::audit::{AuditEntry, ChainHead};
use backend::Change;

/// The index's check value, which names its layout: a checkpoint is bound to it too.
pub(crate) const CHECK: &[u8] = b"medvault index v2";
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
        // Audit entries come in order, so a run of them goes to the backend as one write; any
        // other mutation is written on its own, after what precedes it, so that it reads an
        // up-to-date index.
        let mut pending: Vec<Change> = Vec::new();
        for mutation in mutations {
            let groups = matches!(mutation, Mutation::Audit(_));
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
            self.set(changes, key, &(writer, ChainHead::after(entry)))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::VaultId;
    use crate::crypto::hazmat::RootKey;

    fn index() -> Index {
        let root = RootKey::generate().expect("root key");
        let keys = IndexKeys::new(&root, VaultId::generate().expect("vault id"));
        Index::new(Box::new(SledBackend::temporary().expect("database")), keys)
    }

    /// An index laid out by an earlier version (its check value names that version) is emptied
    /// and stamped with the current one, so that the log rebuilds it in the current layout.
    #[test]
    fn an_index_of_an_earlier_layout_is_emptied_and_restamped() {
        let index = index();
        let check = b"C".to_vec();
        let applied = Index::key(b'W', &[WriterId::generate().expect("writer").as_bytes()]);
        let mut changes = Vec::new();
        index
            .set(&mut changes, check.clone(), &b"medvault index v1".to_vec())
            .expect("seal");
        index.set(&mut changes, applied, &7_u64).expect("seal");
        index.backend.write(changes).expect("write");
        assert!(!index.has_applied_nothing().expect("read"));

        index.ensure_current().expect("ensure current");
        assert!(index.has_applied_nothing().expect("read"));
        assert_eq!(
            index.get::<Vec<u8>>(&check).expect("read"),
            Some(CHECK.to_vec())
        );
    }
}
