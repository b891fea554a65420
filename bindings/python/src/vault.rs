//! `Vault`: an open vault, over the core's `BlockingVault`. Every call that does crypto or
//! I/O releases the GIL.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use medvault::crypto::UnlockCredential;
use medvault::vault::{
    self as core, BlockingVault, IndexLocation, StoreLocation, VaultConfig, VaultError,
};
use medvault_identity::BlockingIdentity;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString, PyTuple, PyType};

use crate::errors::{Error, Result, detach};
use crate::identity::Identity;
use crate::records::{NewRecord, Record, RecordMeta, metas, parse_record_id};
use crate::reports::{AuditReport, GcReport, VerifyReport};

/// An open, unlocked vault: encrypted records in a folder or an S3 bucket, behind a local
/// encrypted index.
///
/// Open one with ``Vault.create`` or ``Vault.open``; use it as a context manager (or call
/// ``close``) so that its index is flushed and released. Safe to share between threads: calls
/// release the GIL and run concurrently.
#[pyclass(frozen, module = "medvault")]
pub struct Vault {
    /// `None` once closed.
    vault: Mutex<Option<BlockingVault>>,
}

/// Where a vault is, from the arguments of `create` and `open`.
fn config(location: PathBuf, index: Option<PathBuf>) -> Result<VaultConfig> {
    let store = match location.to_str() {
        Some(text) => StoreLocation::parse(text)?,
        None => StoreLocation::Folder(location),
    };
    let index = match index {
        Some(folder) => IndexLocation::Folder(folder),
        None => IndexLocation::default_for(&store)?,
    };
    Ok(VaultConfig::new(store, index))
}

/// The bytes of a passphrase given as `bytes` or `str` (UTF-8).
fn passphrase_bytes<'a>(passphrase: &'a Bound<'_, PyAny>) -> Result<&'a [u8]> {
    if let Ok(bytes) = passphrase.cast::<PyBytes>() {
        Ok(bytes.as_bytes())
    } else if let Ok(text) = passphrase.cast::<PyString>() {
        Ok(text.to_str()?.as_bytes())
    } else {
        Err(Error::invalid("passphrase", "expected bytes or str"))
    }
}

/// Opens or creates the vault with the calling thread detached from Python.
fn unlock(
    py: Python<'_>,
    location: PathBuf,
    passphrase: &Bound<'_, PyAny>,
    index: Option<PathBuf>,
    how: fn(&VaultConfig, UnlockCredential<'_>) -> core::Result<BlockingVault>,
) -> Result<Vault> {
    let config = config(location, index)?;
    let passphrase = passphrase_bytes(passphrase)?;
    let vault = detach(py, || {
        how(&config, UnlockCredential::Passphrase(passphrase))
    })?;
    Ok(Vault {
        vault: Mutex::new(Some(vault)),
    })
}

impl Vault {
    /// The open vault, or `None` once closed. (No call panics while holding the lock, so a
    /// poisoned lock still holds a sound value.)
    fn slot(&self) -> MutexGuard<'_, Option<BlockingVault>> {
        self.vault.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The open vault (a cheap clone), or `VaultClosedError`.
    pub(crate) fn handle(&self) -> Result<BlockingVault> {
        self.slot().clone().ok_or(Error::from(VaultError::Closed))
    }

    /// Runs `call` on the open vault with the GIL released.
    fn run<T: Send>(
        &self,
        py: Python<'_>,
        call: impl FnOnce(&BlockingVault) -> core::Result<T> + Send,
    ) -> Result<T> {
        let vault = self.handle()?;
        detach(py, || call(&vault))
    }
}

#[pymethods]
impl Vault {
    /// Creates a new vault at ``location`` (a folder path, ``file://`` URL or
    /// ``s3://bucket/prefix``; S3 settings come from the ``AWS_*`` environment variables),
    /// unlocked by ``passphrase`` (bytes, or str as UTF-8). ``index`` is the folder of the local
    /// index; by default one under ``~/.cache/medvault/index/`` chosen by the location.
    /// Raises ``VaultExistsError`` if a vault is there already.
    #[classmethod]
    #[pyo3(signature = (location, *, passphrase, index = None))]
    fn create(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        location: PathBuf,
        passphrase: &Bound<'_, PyAny>,
        index: Option<PathBuf>,
    ) -> Result<Self> {
        unlock(py, location, passphrase, index, BlockingVault::create)
    }

    /// Opens the vault at ``location`` (see ``create``). Raises ``WrongPassphraseError`` if
    /// the passphrase opens none of its unlock slots, ``NoVaultError`` if there is no vault.
    #[classmethod]
    #[pyo3(signature = (location, *, passphrase, index = None))]
    fn open(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        location: PathBuf,
        passphrase: &Bound<'_, PyAny>,
        index: Option<PathBuf>,
    ) -> Result<Self> {
        unlock(py, location, passphrase, index, BlockingVault::open)
    }

    /// Flushes the local index and closes the vault; later calls raise ``VaultClosedError``.
    /// Closing twice is harmless. ``Identity`` and ``Session`` objects made from the vault
    /// keep its index open until they are gone.
    fn close(&self, py: Python<'_>) -> Result<()> {
        let vault = self.slot().take();
        match vault {
            Some(vault) => detach(py, || vault.close()),
            None => Ok(()),
        }
    }

    /// Whether ``close`` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.slot().is_none()
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, PyTuple>) -> Result<()> {
        self.close(py)
    }

    /// Stores ``payload`` as a new record and returns its metadata. ``scope`` is the owner
    /// (such as a patient id; one data key per scope), ``kind`` what it is (such as
    /// ``"lab-result"``); ``created_ms`` defaults to now.
    #[pyo3(signature = (payload, *, scope, kind, author = "", content_type = "application/octet-stream", labels = None, created_ms = None))]
    #[allow(clippy::too_many_arguments)]
    fn put(
        &self,
        py: Python<'_>,
        payload: &[u8],
        scope: String,
        kind: String,
        author: &str,
        content_type: &str,
        labels: Option<BTreeMap<String, String>>,
        created_ms: Option<i64>,
    ) -> Result<RecordMeta> {
        let record = NewRecord::py_new(scope, kind, author, content_type, labels, created_ms);
        let record = core::NewRecord::from(&record);
        Ok(self.run(py, |vault| vault.put(record, payload))?.into())
    }

    /// Stores many records at once and returns their metadata in order. ``records`` is an
    /// iterable of ``(payload, NewRecord)`` pairs, or ``(payload, dict)`` pairs whose dict
    /// holds ``NewRecord``'s keyword arguments. They are committed in one batch: all are
    /// stored, or none is and the error is raised.
    fn put_many(&self, py: Python<'_>, records: &Bound<'_, PyAny>) -> Result<Vec<RecordMeta>> {
        let mut payloads: Vec<Bound<'_, PyBytes>> = Vec::new();
        let mut drafts = Vec::new();
        for item in records.try_iter()? {
            let (payload, record): (Bound<'_, PyBytes>, Bound<'_, PyAny>) = item?.extract()?;
            drafts.push(core::NewRecord::from(NewRecord::coerce(&record)?.get()));
            payloads.push(payload);
        }
        let writes: Vec<(core::NewRecord, &[u8])> = drafts
            .into_iter()
            .zip(payloads.iter().map(|payload| payload.as_bytes()))
            .collect();
        Ok(metas(self.run(py, |vault| vault.put_many(writes))?))
    }

    /// The latest version of a record: ``Record`` (``meta`` and ``payload``).
    fn get(&self, py: Python<'_>, id: &str) -> Result<Record> {
        let id = parse_record_id(id)?;
        Record::new(py, self.run(py, |vault| vault.get(id))?)
    }

    /// Version ``version`` (from 1) of a record.
    fn get_version(&self, py: Python<'_>, id: &str, version: u64) -> Result<Record> {
        let id = parse_record_id(id)?;
        Record::new(py, self.run(py, |vault| vault.get_version(id, version))?)
    }

    /// Bytes ``start`` (inclusive) to ``end`` (exclusive) of the latest version's payload;
    /// only the segments holding them are read and decrypted.
    fn get_range<'py>(
        &self,
        py: Python<'py>,
        id: &str,
        start: u64,
        end: u64,
    ) -> Result<Bound<'py, PyBytes>> {
        let id = parse_record_id(id)?;
        let bytes = self.run(py, |vault| vault.get_range(id, start..end))?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// The metadata of a record's latest version, without reading its payload.
    fn head(&self, py: Python<'_>, id: &str) -> Result<RecordMeta> {
        let id = parse_record_id(id)?;
        Ok(self.run(py, |vault| vault.head(id))?.into())
    }

    /// Stores ``payload`` as a new version of a record and returns its metadata; earlier
    /// versions stay readable (``history``, ``get_version``).
    fn amend(&self, py: Python<'_>, id: &str, payload: &[u8]) -> Result<RecordMeta> {
        let id = parse_record_id(id)?;
        Ok(self.run(py, |vault| vault.amend(id, payload))?.into())
    }

    /// The metadata of every version of a record, oldest first.
    fn history(&self, py: Python<'_>, id: &str) -> Result<Vec<RecordMeta>> {
        let id = parse_record_id(id)?;
        Ok(metas(self.run(py, |vault| vault.history(id))?))
    }

    /// The latest versions of the records of ``scope``.
    fn list_scope(&self, py: Python<'_>, scope: &str) -> Result<Vec<RecordMeta>> {
        Ok(metas(self.run(py, |vault| vault.list_scope(scope))?))
    }

    /// The latest versions of the records of ``kind`` created from ``start_ms`` (inclusive)
    /// to ``end_ms`` (exclusive), in milliseconds since the Unix epoch; ``None`` leaves that
    /// end open.
    #[pyo3(signature = (kind, start_ms = None, end_ms = None))]
    fn list_kind(
        &self,
        py: Python<'_>,
        kind: &str,
        start_ms: Option<i64>,
        end_ms: Option<i64>,
    ) -> Result<Vec<RecordMeta>> {
        let time = start_ms.unwrap_or(i64::MIN)..end_ms.unwrap_or(i64::MAX);
        Ok(metas(self.run(py, |vault| vault.list_kind(kind, time))?))
    }

    /// The latest versions of every record.
    fn list_all(&self, py: Python<'_>) -> Result<Vec<RecordMeta>> {
        Ok(metas(self.run(py, |vault| vault.list_all())?))
    }

    /// Deletes a record (every version).
    fn delete(&self, py: Python<'_>, id: &str) -> Result<()> {
        let id = parse_record_id(id)?;
        self.run(py, |vault| vault.delete(id))
    }

    /// Destroys the data key of ``scope``, which makes every record of the scope unreadable
    /// for good (crypto-shredding). Returns how many records it had.
    fn shred_scope(&self, py: Python<'_>, scope: &str) -> Result<usize> {
        self.run(py, |vault| vault.shred_scope(scope))
    }

    /// Applies the index changes other writers (devices, processes) logged to the store.
    /// Returns how many log batches were applied.
    fn sync(&self, py: Python<'_>) -> Result<u64> {
        self.run(py, |vault| vault.sync(None))
    }

    /// Reads and authenticates every record version; reports what is missing or corrupt.
    fn verify(&self, py: Python<'_>) -> Result<VerifyReport> {
        Ok(self.run(py, |vault| vault.verify(None))?.into())
    }

    /// Checks the audit trail's hash chains; raises ``TamperedError`` if it was altered.
    fn verify_audit(&self, py: Python<'_>) -> Result<AuditReport> {
        Ok(self.run(py, |vault| vault.verify_audit())?.into())
    }

    /// Rebuilds the local index from the store and returns how many log batches were
    /// applied: from nothing (checking that the log alone gives the index), or with
    /// ``from_checkpoint``, from the newest checkpoint that opens and the log after it.
    #[pyo3(signature = (*, from_checkpoint = false))]
    fn rebuild(&self, py: Python<'_>, from_checkpoint: bool) -> Result<u64> {
        let start = if from_checkpoint {
            core::RebuildStart::Checkpoint
        } else {
            core::RebuildStart::Log
        };
        self.run(py, |vault| vault.rebuild_from(start, None))
    }

    /// Removes payload objects, wrapped keys and superseded checkpoints nothing refers to,
    /// once at least ``min_age_seconds`` old (another instance's write may be in flight).
    #[pyo3(signature = (*, min_age_seconds = 3600))]
    fn gc(&self, py: Python<'_>, min_age_seconds: u64) -> Result<GcReport> {
        let min_age = Duration::from_secs(min_age_seconds);
        Ok(self.run(py, |vault| vault.gc(min_age, None))?.into())
    }

    /// The identity layer of this vault: accounts, TOTP factors, logins and sessions.
    fn identity(&self) -> Result<Identity> {
        Ok(Identity::new(BlockingIdentity::new(self.handle()?)))
    }

    fn __repr__(&self) -> String {
        match &*self.slot() {
            Some(vault) => format!("Vault(location={:?})", vault.inner().location()),
            None => "Vault(<closed>)".to_owned(),
        }
    }
}
