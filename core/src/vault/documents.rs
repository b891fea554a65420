//! Collections of typed documents with blind-indexed fields: the small layer that accounts,
//! patients, physicians and appointments are stored with.
//!
//! A document is serialized as JSON, logged inside a sealed batch and indexed under blind
//! tokens: the index holds `tok(collection, field, value)`, never the value.

use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::{Result, VaultError};
use super::lifecycle::Vault;
use super::log::DocumentRevision;

/// A type stored in a [`Collection`].
pub trait Document: Serialize + DeserializeOwned + Send + Sync {
    /// The collection's name, such as `"patients"`.
    const COLLECTION: &'static str;

    /// The document's id within its collection (unique; chosen by the application).
    fn id(&self) -> String;

    /// The fields that [`Collection::find`] can look up by exact value, as (field, value).
    fn indexed_fields(&self) -> Vec<(&'static str, String)>;
}

/// The documents of type `T` in a vault.
#[derive(Debug)]
pub struct Collection<'v, T> {
    vault: &'v Vault,
    _type: PhantomData<fn() -> T>,
}

impl Vault {
    /// The collection of documents of type `T`.
    pub fn collection<T: Document>(&self) -> Collection<'_, T> {
        Collection {
            vault: self,
            _type: PhantomData,
        }
    }
}

impl<T: Document> Collection<'_, T> {
    /// Inserts a new document; fails if one with the same id exists.
    pub async fn insert(&self, document: &T) -> Result<()> {
        let _held = self.vault.lock_updates().await;
        if self.exists(&document.id())? {
            return Err(VaultError::invalid(
                "document",
                format!("the {} collection already has this id", T::COLLECTION),
            ));
        }
        let mut batch = self.vault.batch();
        batch.put_document(self.next_revision_of(document)?);
        batch.commit().await
    }

    /// Replaces an existing document; fails if there is none with its id.
    pub async fn update(&self, document: &T) -> Result<()> {
        let _held = self.vault.lock_updates().await;
        if !self.exists(&document.id())? {
            return Err(missing::<T>());
        }
        let mut batch = self.vault.batch();
        batch.put_document(self.next_revision_of(document)?);
        batch.commit().await
    }

    /// The document with `id`, if there is one.
    pub fn get(&self, id: &str) -> Result<Option<T>> {
        match self.current(id)?.and_then(|revision| revision.body) {
            Some(body) => Ok(Some(decode(&body)?)),
            None => Ok(None),
        }
    }

    /// Deletes the document with `id`; fails if there is none.
    pub async fn delete(&self, id: &str) -> Result<()> {
        let _held = self.vault.lock_updates().await;
        let mut batch = self.vault.batch();
        batch.put_document(self.next_deletion(id)?.ok_or_else(missing::<T>)?);
        batch.commit().await
    }

    /// The documents whose indexed `field` equals `value` exactly.
    pub fn find(&self, field: &str, value: &str) -> Result<Vec<T>> {
        let ids = self
            .vault
            .shared
            .index
            .find_documents(T::COLLECTION, field, value)?;
        ids.iter()
            .filter_map(|id| self.get(id).transpose())
            .collect()
    }

    /// The stored revision of the document with `id`, deleted or not.
    pub fn current(&self, id: &str) -> Result<Option<DocumentRevision>> {
        self.vault.shared.index.document(T::COLLECTION, id)
    }

    fn exists(&self, id: &str) -> Result<bool> {
        Ok(self
            .current(id)?
            .is_some_and(|revision| revision.body.is_some()))
    }

    /// `document` as revision `revision`, ready for a [`super::Batch`].
    pub fn revision_of(&self, document: &T, revision: u64) -> Result<DocumentRevision> {
        let body = serde_json::to_vec(document).map_err(json_error)?;
        Ok(DocumentRevision {
            collection: T::COLLECTION.to_owned(),
            id: document.id(),
            revision,
            writer: self.vault.shared.writer,
            fields: document
                .indexed_fields()
                .into_iter()
                .map(|(field, value)| (field.to_owned(), value))
                .collect(),
            body: Some(body),
        })
    }

    /// `document` as the revision after the stored one (the first, if there is none). Hold
    /// the update lock ([`Vault::lock_updates`]) from this read to the batch's commit.
    pub fn next_revision_of(&self, document: &T) -> Result<DocumentRevision> {
        let next = self
            .current(&document.id())?
            .map_or(1, |revision| revision.revision + 1);
        self.revision_of(document, next)
    }

    /// The deletion of the document with `id`, if there is a live one. Hold the update lock
    /// from this read to the batch's commit.
    pub fn next_deletion(&self, id: &str) -> Result<Option<DocumentRevision>> {
        Ok(self
            .current(id)?
            .filter(|revision| revision.body.is_some())
            .map(|revision| self.deletion_of(id, revision.revision + 1)))
    }

    /// The deletion of the document with `id`, as revision `revision`.
    pub fn deletion_of(&self, id: &str, revision: u64) -> DocumentRevision {
        DocumentRevision {
            collection: T::COLLECTION.to_owned(),
            id: id.to_owned(),
            revision,
            writer: self.vault.shared.writer,
            fields: Vec::new(),
            body: None,
        }
    }
}

fn missing<T: Document>() -> VaultError {
    VaultError::invalid(
        "document",
        format!("the {} collection has no such id", T::COLLECTION),
    )
}

/// Decodes a stored document body.
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(json_error)
}

/// serde_json's messages quote the offending value, which may be patient data: keep only
/// the category and the position.
fn json_error(error: serde_json::Error) -> VaultError {
    VaultError::malformed(
        "document",
        format!(
            "it does not match the collection's type ({:?} error at line {}, column {})",
            error.classify(),
            error.line(),
            error.column()
        ),
    )
}
