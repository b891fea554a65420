//! Records as they cross the boundary: what a caller gives, and what the vault returns.

use std::collections::HashMap;

use medvault::vault::{self, RecordId};

use crate::error::{MedVaultError, Result};

/// A record to store: who it belongs to and what it is. The payload is passed beside it.
#[derive(uniffi::Record)]
pub struct NewRecord {
    /// The scope, such as a patient id; one data key per scope.
    pub scope: String,
    /// What the record is, such as `lab-result`.
    pub kind: String,
    /// Who wrote it.
    #[uniffi(default = "")]
    pub author: String,
    /// The payload's media type.
    #[uniffi(default = "application/octet-stream")]
    pub content_type: String,
    /// When it was made (ms since the Unix epoch); none means now.
    #[uniffi(default = None)]
    pub created_ms: Option<i64>,
    /// Free labels.
    pub labels: HashMap<String, String>,
}

impl From<NewRecord> for vault::NewRecord {
    fn from(record: NewRecord) -> Self {
        Self {
            scope: record.scope,
            kind: record.kind,
            author: record.author,
            created_ms: record.created_ms,
            content_type: record.content_type,
            labels: record.labels.into_iter().collect(),
        }
    }
}

/// The metadata of one version of a stored record.
#[derive(uniffi::Record)]
pub struct RecordMeta {
    /// The record's id (the same for all its versions).
    pub id: String,
    /// The version, from 1.
    pub version: u64,
    /// The scope.
    pub scope: String,
    /// The kind.
    pub kind: String,
    /// The author.
    pub author: String,
    /// When this version was made (ms since the Unix epoch).
    pub created_ms: i64,
    /// The payload's media type.
    pub content_type: String,
    /// Free labels.
    pub labels: HashMap<String, String>,
    /// Payload size in bytes.
    pub size: u64,
}

impl From<vault::RecordMeta> for RecordMeta {
    fn from(meta: vault::RecordMeta) -> Self {
        // Every field named: a field added to the engine's `RecordMeta` fails compilation here.
        let vault::RecordMeta {
            id,
            version,
            scope,
            kind,
            author,
            created_ms,
            content_type,
            labels,
            size,
        } = meta;
        Self {
            id: id.to_string(),
            version,
            scope,
            kind,
            author,
            created_ms,
            content_type,
            labels: labels.into_iter().collect(),
            size,
        }
    }
}

/// A version of a record with its payload.
#[derive(uniffi::Record)]
pub struct Record {
    /// Its metadata.
    pub meta: RecordMeta,
    /// The payload.
    pub payload: Vec<u8>,
}

impl From<(vault::RecordMeta, Vec<u8>)> for Record {
    fn from((meta, payload): (vault::RecordMeta, Vec<u8>)) -> Self {
        Self {
            meta: meta.into(),
            payload,
        }
    }
}

/// Metadata lists as they cross.
pub(crate) fn metas(list: Vec<vault::RecordMeta>) -> Vec<RecordMeta> {
    list.into_iter().map(RecordMeta::from).collect()
}

/// A record id given by the caller.
pub(crate) fn record_id(text: &str) -> Result<RecordId> {
    text.parse()
        .map_err(|_| MedVaultError::invalid("invalid record id: it must be 32 hex digits"))
}
