//! Entry points for the fuzz targets in `fuzz/`, with the `fuzzing` feature (off by default):
//! the identity layer's documents as the vault stores them, decoded as the layer reads them.
//! Thin wrappers over the layer's own types; not a stable API.

use medvault::fuzzing::decode_document;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::account::Account;
use crate::error::Result;
use crate::records::BreakGlassGrant;
use crate::session::StoredSession;
use crate::{AccountInfo, IdentityError};

/// A document of the identity layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoredDocument {
    /// An account (`accounts`).
    Account,
    /// A session (`sessions`).
    Session,
    /// A break-glass grant (`break-glass`).
    BreakGlass,
}

impl StoredDocument {
    /// Every kind of document.
    pub const ALL: [Self; 3] = [Self::Account, Self::Session, Self::BreakGlass];

    /// Decodes `body` as a document of this kind, as the layer reads it, and encodes what it
    /// holds again.
    pub fn reencode(self, body: &[u8]) -> Result<Vec<u8>> {
        match self {
            Self::Account => reencode::<Account>(body),
            Self::Session => reencode::<StoredSession>(body),
            Self::BreakGlass => reencode::<BreakGlassGrant>(body),
        }
    }
}

/// What may be shown of the stored account `body`, and its password hash.
pub fn account(body: &[u8]) -> Result<(AccountInfo, String)> {
    let account: Account = decode_document(body)?;
    Ok((account.info(), account.password))
}

fn reencode<T: Serialize + DeserializeOwned>(body: &[u8]) -> Result<Vec<u8>> {
    let document: T = decode_document(body)?;
    serde_json::to_vec(&document).map_err(|error| IdentityError::InvalidInput {
        what: "document",
        reason: error.to_string(),
    })
}
