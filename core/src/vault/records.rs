//! What a record is: its metadata, as callers give it and as the vault returns it.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::ids::RecordId;

/// A record to store: who it belongs to and what it is. The payload is passed beside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRecord {
    /// The scope, such as a patient id; one data key per scope.
    pub scope: String,
    /// What the record is, such as `"lab-result"`; records can be listed by kind.
    pub kind: String,
    /// Who wrote it.
    pub author: String,
    /// When it was made, in milliseconds since the Unix epoch; `None` means now.
    pub created_ms: Option<i64>,
    /// The payload's media type.
    pub content_type: String,
    /// Free labels.
    pub labels: BTreeMap<String, String>,
}

impl NewRecord {
    /// A record of `kind` in `scope`, of type `application/octet-stream`, made now.
    pub fn new(scope: impl Into<String>, kind: impl Into<String>) -> Self {
        Self {
            scope: scope.into(),
            kind: kind.into(),
            author: String::new(),
            created_ms: None,
            content_type: "application/octet-stream".to_owned(),
            labels: BTreeMap::new(),
        }
    }

    /// Sets the author.
    pub fn author(mut self, author: impl Into<String>) -> Self {
        self.author = author.into();
        self
    }

    /// Sets the content type.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = content_type.into();
        self
    }

    /// Sets the creation time (milliseconds since the Unix epoch).
    pub fn created_ms(mut self, created_ms: i64) -> Self {
        self.created_ms = Some(created_ms);
        self
    }

    /// Adds a label.
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.insert(key.into(), value.into());
        self
    }
}

/// The metadata of one version of a stored record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordMeta {
    /// The record's id (the same for all its versions).
    pub id: RecordId,
    /// The version, from 1; an amendment adds one.
    pub version: u64,
    /// The scope.
    pub scope: String,
    /// The kind.
    pub kind: String,
    /// The author.
    pub author: String,
    /// Creation time of this version, in milliseconds since the Unix epoch.
    pub created_ms: i64,
    /// The payload's media type.
    pub content_type: String,
    /// Free labels.
    pub labels: BTreeMap<String, String>,
    /// Payload size in bytes.
    pub size: u64,
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        })
}
