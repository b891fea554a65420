//! Documents whose shape the application owns, for callers that cannot implement
//! [`Document`] (the language bindings): a named collection, an id, a body (usually JSON)
//! and the fields to find it by.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::documents::Document;
use super::error::{Result, VaultError};

/// The one indexed field all application documents share; its values name the collection
/// and the field, so that finds never cross collections.
const FIELD: &str = "field";

/// A document of an application-named collection. Sealed and indexed like every document:
/// the collection, id, field names and values reach the store only as keyed tokens or
/// inside ciphertext.
///
/// ```
/// use medvault::vault::AppDocument;
///
/// let note = AppDocument::new("ward-notes", "note-1", r#"{"text":"bed 4 moved"}"#)?
///     .with_field("ward", "4B");
/// assert_eq!(note.collection(), "ward-notes");
/// # Ok::<(), medvault::vault::VaultError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppDocument {
    collection: String,
    id: String,
    fields: BTreeMap<String, String>,
    body: String,
}

impl AppDocument {
    /// A document `id` of `collection` with `body`. Collection names are 1 to 64 characters
    /// of `a-z 0-9 _ -`; ids are 1 to 256 characters.
    pub fn new(
        collection: impl Into<String>,
        id: impl Into<String>,
        body: impl Into<String>,
    ) -> Result<Self> {
        let collection = collection.into();
        let id = id.into();
        check_collection(&collection)?;
        if id.is_empty() || id.chars().count() > 256 {
            return Err(VaultError::invalid(
                "document id",
                "it must be 1 to 256 characters",
            ));
        }
        Ok(Self {
            collection,
            id,
            fields: BTreeMap::new(),
            body: body.into(),
        })
    }

    /// Adds a field that [`AppDocument::find_key`] can find the document by.
    pub fn with_field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.fields.insert(name.into(), value.into());
        self
    }

    /// The collection.
    pub fn collection(&self) -> &str {
        &self.collection
    }

    /// The id within the collection.
    pub fn app_id(&self) -> &str {
        &self.id
    }

    /// The indexed fields.
    pub fn fields(&self) -> &BTreeMap<String, String> {
        &self.fields
    }

    /// The body.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// The id under which the document `id` of `collection` is stored, for
    /// [`super::Collection::get`] and [`super::Collection::delete`].
    pub fn storage_id(collection: &str, id: &str) -> Result<String> {
        check_collection(collection)?;
        Ok(format!("{collection}/{id}"))
    }

    /// The (field, value) pair to pass to [`super::Collection::find`] to find the documents
    /// of `collection` whose `field` equals `value`.
    pub fn find_key(collection: &str, field: &str, value: &str) -> Result<(&'static str, String)> {
        check_collection(collection)?;
        Ok((FIELD, field_value(collection, field, value)))
    }
}

impl Document for AppDocument {
    const COLLECTION: &'static str = "app-documents";

    fn id(&self) -> String {
        format!("{}/{}", self.collection, self.id)
    }

    fn indexed_fields(&self) -> Vec<(&'static str, String)> {
        self.fields
            .iter()
            .map(|(name, value)| (FIELD, field_value(&self.collection, name, value)))
            .collect()
    }
}

/// One indexed value naming collection, field and value; the lengths keep it unambiguous.
fn field_value(collection: &str, field: &str, value: &str) -> String {
    format!(
        "{}:{collection}{}:{field}{value}",
        collection.len(),
        field.len()
    )
}

fn check_collection(collection: &str) -> Result<()> {
    let valid = !collection.is_empty()
        && collection.len() <= 64
        && collection.bytes().all(|byte| {
            byte.is_ascii_lowercase() || byte.is_ascii_digit() || b"_-".contains(&byte)
        });
    if valid {
        Ok(())
    } else {
        Err(VaultError::invalid(
            "collection name",
            "it must be 1 to 64 characters of a-z, 0-9, _ and -",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collection_names_are_checked() {
        assert!(AppDocument::new("Notes", "1", "{}").is_err());
        assert!(AppDocument::new("a/b", "1", "{}").is_err());
        assert!(AppDocument::new("", "1", "{}").is_err());
        assert!(AppDocument::new("notes", "", "{}").is_err());
        assert!(AppDocument::storage_id("a/b", "c").is_err());
        assert!(AppDocument::new("notes-2_b", "x/y", "{}").is_ok());
    }

    #[test]
    fn documents_are_found_within_their_own_collection() -> Result<()> {
        use crate::crypto::UnlockCredential;
        use crate::vault::{BlockingVault, IndexLocation, MemoryStore, StoreLocation, VaultConfig};

        let config = VaultConfig::new(
            StoreLocation::Memory(MemoryStore::new()),
            IndexLocation::Temporary,
        );
        let vault = BlockingVault::create(
            &config,
            UnlockCredential::Passphrase(b"a unit test passphrase"),
        )?;
        let note =
            AppDocument::new("notes", "n1", "{\"text\":\"hello\"}")?.with_field("ward", "4B");
        let task = AppDocument::new("tasks", "n1", "{}")?.with_field("ward", "4B");
        vault.insert_document(&note)?;
        vault.insert_document(&task)?;

        let stored = vault.get_document::<AppDocument>(&AppDocument::storage_id("notes", "n1")?)?;
        assert_eq!(stored.as_ref(), Some(&note));
        let (field, value) = AppDocument::find_key("notes", "ward", "4B")?;
        assert_eq!(
            vault.find_documents::<AppDocument>(field, &value)?,
            vec![note]
        );
        let (field, value) = AppDocument::find_key("notes", "ward", "4C")?;
        assert!(
            vault
                .find_documents::<AppDocument>(field, &value)?
                .is_empty()
        );

        vault.delete_document::<AppDocument>(&AppDocument::storage_id("tasks", "n1")?)?;
        assert!(
            vault
                .get_document::<AppDocument>(&AppDocument::storage_id("tasks", "n1")?)?
                .is_none()
        );
        Ok(())
    }

    #[test]
    fn field_values_do_not_collide_across_names() {
        assert_ne!(field_value("ab", "c", "d"), field_value("a", "bc", "d"));
        assert_ne!(field_value("a", "bc", "d"), field_value("a", "b", "cd"));
    }
}
