//! What an audit entry holds: when it happened, and either one of the engine's own storage
//! events or an event of a layer above, which the engine chains and seals without reading.

use serde::{Deserialize, Serialize};

use crate::vault::RecordId;

/// One audited event, as the engine logs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// When it happened (ms since the Unix epoch); the trail is ordered by it.
    pub time_ms: i64,
    /// What happened.
    pub payload: AuditPayload,
}

/// The content of an audit event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditPayload {
    /// A change made through the storage-level [`crate::vault::Vault`]'s own calls (`put`,
    /// `amend`, `delete`, `shred_scope`), on behalf of whoever unlocked the vault.
    Storage(StorageAction),
    /// An event defined and encoded by a layer above the engine (such as the identity layer's
    /// logins and access decisions). It is sealed, numbered and chained like any other entry;
    /// the engine never interprets it.
    Application(#[serde(with = "serde_bytes")] Vec<u8>),
}

/// A change made through the storage-level API, audited as the vault operator's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StorageAction {
    /// A record, or a new version of one, was written.
    WriteRecord {
        /// The record.
        record: RecordId,
        /// The version written.
        version: u64,
    },
    /// A record was deleted.
    DeleteRecord {
        /// The record.
        record: RecordId,
    },
    /// A scope's keys were destroyed.
    ShredScope,
}

impl AuditEvent {
    /// A storage event at `time_ms`.
    pub fn storage(time_ms: i64, action: StorageAction) -> Self {
        Self {
            time_ms,
            payload: AuditPayload::Storage(action),
        }
    }

    /// An event of a layer above, encoded by it as `payload`, at `time_ms`.
    pub fn application(time_ms: i64, payload: Vec<u8>) -> Self {
        Self {
            time_ms,
            payload: AuditPayload::Application(payload),
        }
    }
}
