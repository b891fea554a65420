//! Application documents as they cross the boundary.

use std::collections::HashMap;

use medvault::vault::AppDocument;

use crate::error::Result;

/// A document of an application-named collection: a body (usually JSON) and the fields to
/// find it by. Sealed and indexed by blind tokens like everything in the vault.
#[derive(uniffi::Record)]
pub struct Document {
    /// The collection: 1 to 64 characters of `a-z 0-9 _ -`.
    pub collection: String,
    /// The id within the collection.
    pub id: String,
    /// The body.
    pub body: String,
    /// Fields that `Vault.findDocuments` finds the document by, by exact value.
    pub fields: HashMap<String, String>,
}

impl TryFrom<Document> for AppDocument {
    type Error = crate::MedVaultError;

    fn try_from(document: Document) -> Result<Self> {
        let mut app = AppDocument::new(document.collection, document.id, document.body)?;
        for (name, value) in document.fields {
            app = app.with_field(name, value);
        }
        Ok(app)
    }
}

impl From<AppDocument> for Document {
    fn from(document: AppDocument) -> Self {
        Self {
            collection: document.collection().to_owned(),
            id: document.app_id().to_owned(),
            body: document.body().to_owned(),
            fields: document
                .fields()
                .iter()
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect(),
        }
    }
}
