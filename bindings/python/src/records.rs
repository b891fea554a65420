//! Records as Python sees them: `NewRecord` (what to store), `RecordMeta` (what was stored)
//! and `Record` (metadata and payload), plus the conversions from and to the core's types.

use std::collections::BTreeMap;

use medvault::vault::{self, RecordId};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::errors::{Error, Result, parse_id};

/// Parses a record id as Python code holds it (32 hex digits).
pub(crate) fn parse_record_id(id: &str) -> Result<RecordId> {
    parse_id(id, "record id")
}

/// What a record is, apart from its payload: its scope (such as a patient id), its kind (such
/// as ``"lab-result"``), author, media type, creation time (milliseconds since the Unix epoch;
/// ``None`` means now) and free labels. Used by ``Vault.put_many``.
#[pyclass(frozen, eq, get_all, module = "medvault")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRecord {
    /// The scope (such as a patient id); one data key per scope.
    scope: String,
    /// What the record is (such as ``"lab-result"``).
    kind: String,
    /// Who wrote it.
    author: String,
    /// The payload's media type.
    content_type: String,
    /// Free labels.
    labels: BTreeMap<String, String>,
    /// When it was made (milliseconds since the Unix epoch); ``None`` means when stored.
    created_ms: Option<i64>,
}

#[pymethods]
impl NewRecord {
    #[new]
    #[pyo3(signature = (*, scope, kind, author = "", content_type = "application/octet-stream", labels = None, created_ms = None))]
    pub(crate) fn py_new(
        scope: String,
        kind: String,
        author: &str,
        content_type: &str,
        labels: Option<BTreeMap<String, String>>,
        created_ms: Option<i64>,
    ) -> Self {
        Self {
            scope,
            kind,
            author: author.to_owned(),
            content_type: content_type.to_owned(),
            labels: labels.unwrap_or_default(),
            created_ms,
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "NewRecord(scope={:?}, kind={:?}, content_type={:?})",
            self.scope, self.kind, self.content_type
        )
    }
}

impl NewRecord {
    /// `record` if it is a `NewRecord`; a `NewRecord` made from its items (as keyword
    /// arguments) if it is a mapping.
    pub(crate) fn coerce<'py>(record: &Bound<'py, PyAny>) -> Result<Bound<'py, NewRecord>> {
        if let Ok(record) = record.cast::<NewRecord>() {
            return Ok(record.clone());
        }
        let Ok(fields) = record.cast::<PyDict>() else {
            return Err(Error::invalid(
                "record",
                "expected a NewRecord or a dict of NewRecord's keyword arguments",
            ));
        };
        let made = record.py().get_type::<NewRecord>().call((), Some(fields))?;
        Ok(made.cast_into::<NewRecord>().map_err(PyErr::from)?)
    }
}

impl From<&NewRecord> for vault::NewRecord {
    fn from(record: &NewRecord) -> Self {
        Self {
            scope: record.scope.clone(),
            kind: record.kind.clone(),
            author: record.author.clone(),
            created_ms: record.created_ms,
            content_type: record.content_type.clone(),
            labels: record.labels.clone(),
        }
    }
}

/// The metadata of one version of a stored record. Never holds the payload.
#[pyclass(frozen, eq, get_all, module = "medvault")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordMeta {
    /// The record's id, 32 hex digits, the same for all its versions.
    id: String,
    /// The version, from 1; each amendment adds one.
    version: u64,
    /// The scope (such as a patient id).
    scope: String,
    /// The kind (such as ``"lab-result"``).
    kind: String,
    /// Who wrote this version.
    author: String,
    /// When this version was made, in milliseconds since the Unix epoch.
    created_ms: i64,
    /// The payload's media type.
    content_type: String,
    /// Free labels.
    labels: BTreeMap<String, String>,
    /// The payload's size in bytes.
    size: u64,
}

#[pymethods]
impl RecordMeta {
    fn __repr__(&self) -> String {
        format!(
            "RecordMeta(id={:?}, version={}, scope={:?}, kind={:?}, content_type={:?}, size={})",
            self.id, self.version, self.scope, self.kind, self.content_type, self.size
        )
    }
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
            labels,
            size,
        }
    }
}

/// Converts a list of core metadata.
pub(crate) fn metas(list: Vec<vault::RecordMeta>) -> Vec<RecordMeta> {
    list.into_iter().map(RecordMeta::from).collect()
}

/// One version of a record: its metadata (``meta``) and its payload (``payload``, bytes). Its
/// ``repr`` shows the metadata and the payload's size, never the payload.
#[pyclass(frozen, get_all, module = "medvault")]
pub struct Record {
    /// The metadata of this version.
    meta: Py<RecordMeta>,
    /// The payload.
    payload: Py<PyBytes>,
}

impl Record {
    /// A record from what the core returned.
    pub(crate) fn new(
        py: Python<'_>,
        (meta, payload): (vault::RecordMeta, Vec<u8>),
    ) -> Result<Self> {
        Ok(Self {
            meta: Py::new(py, RecordMeta::from(meta))?,
            payload: PyBytes::new(py, &payload).unbind(),
        })
    }
}

#[pymethods]
impl Record {
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Record(meta={}, payload=<{} bytes>)",
            self.meta.get().__repr__(),
            self.payload.bind(py).as_bytes().len()
        )
    }
}
