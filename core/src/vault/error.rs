//! The vault's error type: what went wrong, in words that name no patient data.

use crate::crypto::CryptoError;

/// What a store or index failure says, and the error beneath it (the object store client's or
/// the database's), kept typed for callers that look down the chain.
#[derive(Debug)]
pub struct Detail {
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Detail {
    /// A failure described by `message` alone.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }

    /// A failure described by `message`, caused by `source`.
    pub fn caused_by(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }
}

impl std::fmt::Display for Detail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Detail {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}

/// What can go wrong in a vault operation.
///
/// Messages name records by their random ids and never carry payloads, metadata, scope ids or
/// keys.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// A cryptographic check failed: tampered or misplaced data, or a wrong key.
    #[error(transparent)]
    Crypto(#[from] CryptoError),

    /// No unlock slot opened with the credential given.
    #[error("wrong passphrase or key: no unlock slot of this vault opens with it")]
    WrongCredential,

    /// A passphrase being set (at creation or in a change) is below the floor of
    /// [`crate::crypto::strength::check_passphrase`]; the message says why without repeating
    /// it. Passphrases set before the floor still open their vaults.
    #[error("the new passphrase is too weak: {0}")]
    WeakPassphrase(crate::crypto::strength::Weakness),

    /// There is no vault descriptor at the location.
    #[error("no vault at {location}: create one first (`medvault init`)")]
    NoVault {
        /// Where the vault was looked for.
        location: String,
    },

    /// `create` found a vault already there.
    #[error("a vault already exists at {location}")]
    VaultExists {
        /// Where the vault was found.
        location: String,
    },

    /// Another instance is creating a vault at the same location right now.
    #[error(
        "another instance is creating a vault at {location} at this moment; open it once it is \
         done, or try again"
    )]
    CreationInProgress {
        /// Where.
        location: String,
    },

    /// Another instance sharing the store held what this call needs for too long.
    #[error("another instance is busy with the same account or item; try again")]
    Busy,

    /// The vault descriptor is empty, truncated or malformed.
    #[error("the vault descriptor is unreadable: {reason}")]
    CorruptDescriptor {
        /// What is wrong with it.
        reason: String,
    },

    /// Another process holds the local index folder.
    #[error("vault is open in another process (its index folder {index} is locked)")]
    OpenElsewhere {
        /// The locked index folder.
        index: String,
    },

    /// No record has this id (or it was deleted, or its scope was shredded).
    #[error("record {record} not found")]
    RecordNotFound {
        /// The record id.
        record: String,
    },

    /// The record exists, but has no version with this number (versions count from 1).
    #[error("record {record} has no version {version}: its versions are 1 to {latest}")]
    VersionNotFound {
        /// The record id.
        record: String,
        /// The version asked for.
        version: u64,
        /// Its latest version.
        latest: u64,
    },

    /// The index names an object the store does not have.
    #[error("the object holding record {record} is missing from the store")]
    ObjectMissing {
        /// The record id.
        record: String,
    },

    /// The data key of the record's scope is gone: the scope was shredded or a key object is
    /// missing.
    #[error("the key of record {record} is missing: its scope was shredded or keys/ was damaged")]
    KeyMissing {
        /// The record id.
        record: String,
    },

    /// The store's bucket does not exist.
    #[error("bucket {bucket} does not exist")]
    BucketNotFound {
        /// The bucket name.
        bucket: String,
    },

    /// The store refused the credentials.
    #[error("the store refused the credentials: {detail}")]
    AccessDenied {
        /// The store's answer.
        detail: String,
    },

    /// The store could not be reached.
    #[error("the store at {endpoint} is unreachable: {detail}")]
    Unreachable {
        /// The endpoint tried.
        endpoint: String,
        /// The transport's answer.
        detail: String,
    },

    /// Any other failure of the object store; the client's own error, when there is one, is
    /// the detail's [`std::error::Error::source`].
    #[error("object store error: {0}")]
    Store(#[source] Detail),

    /// A failure of the local index database; sled's own error, when there is one, is the
    /// detail's [`std::error::Error::source`].
    #[error("local index error: {0}")]
    Index(#[source] Detail),

    /// A local file operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The underlying error.
        source: std::io::Error,
    },

    /// An argument was rejected.
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// What was rejected.
        what: &'static str,
        /// Why.
        reason: String,
    },

    /// A stored structure (log batch, index value) did not decode after authenticating.
    #[error("malformed {what}: {reason}")]
    Malformed {
        /// What failed to decode.
        what: &'static str,
        /// Why.
        reason: String,
    },

    /// An earlier write ended in a state the local index cannot follow by itself (its batch
    /// may be in the store without being indexed); the vault takes no more writes until it is
    /// reopened, which catches the index up from the store.
    #[error("an earlier write failed in a way that needs the vault reopened before writing again")]
    ReopenRequired,

    /// The vault was closed.
    #[error("the vault is closed")]
    Closed,

    /// A call was made from the wrong place: the async vault outside a tokio runtime, or the
    /// blocking vault inside one.
    #[error("{0}")]
    WrongRuntime(&'static str),

    /// The audit trail in the store was altered: an entry edited, removed, reordered or added
    /// by someone without the key.
    #[error("the audit trail was tampered with: {0}")]
    AuditTampered(String),
}

/// Result of vault operations.
pub type Result<T, E = VaultError> = std::result::Result<T, E>;

impl VaultError {
    pub(crate) fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            what: what.into(),
            source,
        }
    }

    /// An [`VaultError::InvalidInput`]: argument `what` is rejected for `reason`.
    pub fn invalid(what: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidInput {
            what,
            reason: reason.into(),
        }
    }

    /// A [`VaultError::Malformed`]: stored `what` authenticated but does not decode, for
    /// `reason` (which must name no stored value).
    pub fn malformed(what: &'static str, reason: impl ToString) -> Self {
        Self::Malformed {
            what,
            reason: reason.to_string(),
        }
    }
}

impl From<sled::Error> for VaultError {
    fn from(error: sled::Error) -> Self {
        Self::Index(Detail::caused_by(error.to_string(), error))
    }
}
