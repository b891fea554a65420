//! Sessions: a random bearer token, stored only as a keyed hash, with an idle timeout and an
//! absolute lifetime.

use std::fmt;

use medvault::crypto::{TokenKey, random_array};
use medvault::vault::Document;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::account::{AccountId, Role};

/// A session's bearer token: 256 random bits as 64 hex digits. Whoever holds it acts as the
/// account until it expires or is revoked. Prints as redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(Zeroizing<String>);

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken([redacted])")
    }
}

impl SessionToken {
    pub(crate) fn generate() -> medvault::crypto::Result<Self> {
        let bytes: Zeroizing<[u8; 32]> = Zeroizing::new(random_array()?);
        Ok(Self(Zeroizing::new(hex::encode(*bytes))))
    }

    /// A token as an app kept it (from [`SessionToken::as_str`]).
    pub fn from_string(token: String) -> Self {
        Self(Zeroizing::new(token))
    }

    /// The token's text, for the app to keep and hand back.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id the session is stored under: a keyed hash of the token.
    pub(crate) fn stored_id(&self, key: &TokenKey) -> String {
        hex::encode(key.token("session", &[self.0.as_bytes()]))
    }
}

/// Who a valid session belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The account.
    pub account: AccountId,
    /// Its role.
    pub role: Role,
}

/// A session as stored (in the encrypted `sessions` collection), under its token's hash.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct StoredSession {
    pub(crate) id: String,
    pub(crate) account: AccountId,
    pub(crate) created_ms: i64,
    /// Last use, written at most once a minute.
    pub(crate) last_seen_ms: i64,
    /// The account's session epoch when it was opened.
    pub(crate) epoch: u64,
}

impl Document for StoredSession {
    const COLLECTION: &'static str = "sessions";

    fn id(&self) -> String {
        self.id.clone()
    }

    fn indexed_fields(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}
