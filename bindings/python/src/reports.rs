//! The reports of `Vault.verify`, `Vault.verify_audit` and `Vault.gc`.

use medvault::audit;
use medvault::vault;
use pyo3::prelude::*;

/// What ``Vault.verify`` found. Ids are record ids (32 hex digits); orphans are names of
/// objects and keys nothing uses (garbage, not damage).
#[pyclass(frozen, get_all, module = "medvault")]
#[derive(Clone, Debug)]
pub struct VerifyReport {
    /// Record versions whose payload and metadata authenticated.
    versions_ok: u64,
    /// Records whose object is missing from the store.
    missing_objects: Vec<String>,
    /// Records whose key is missing.
    missing_keys: Vec<String>,
    /// Records whose object or metadata failed to authenticate or decode.
    corrupt: Vec<String>,
    /// Objects no index entry names.
    orphan_objects: Vec<String>,
    /// Wrapped keys nothing uses.
    orphan_keys: Vec<String>,
    /// Whether every record has its object and key and authenticates.
    is_sound: bool,
}

fn strings<T: ToString>(items: &[T]) -> Vec<String> {
    items.iter().map(ToString::to_string).collect()
}

impl From<vault::VerifyReport> for VerifyReport {
    fn from(report: vault::VerifyReport) -> Self {
        Self {
            versions_ok: report.versions_ok,
            missing_objects: strings(&report.missing_objects),
            missing_keys: strings(&report.missing_keys),
            corrupt: strings(&report.corrupt),
            is_sound: report.is_sound(),
            orphan_objects: report.orphan_objects,
            orphan_keys: report.orphan_keys,
        }
    }
}

#[pymethods]
impl VerifyReport {
    fn __repr__(&self) -> String {
        format!(
            "VerifyReport(is_sound={}, versions_ok={}, missing_objects={}, missing_keys={}, corrupt={}, orphan_objects={}, orphan_keys={})",
            if self.is_sound { "True" } else { "False" },
            self.versions_ok,
            self.missing_objects.len(),
            self.missing_keys.len(),
            self.corrupt.len(),
            self.orphan_objects.len(),
            self.orphan_keys.len()
        )
    }
}

/// What ``Vault.verify_audit`` found: a sound audit trail of ``entries`` entries in
/// ``writers`` hash chains (one per writer).
#[pyclass(frozen, get_all, module = "medvault")]
#[derive(Clone, Debug)]
pub struct AuditReport {
    /// How many entries were checked.
    entries: u64,
    /// How many writers' chains they form.
    writers: usize,
}

impl From<audit::AuditReport> for AuditReport {
    fn from(report: audit::AuditReport) -> Self {
        Self {
            entries: report.entries,
            writers: report.writers,
        }
    }
}

#[pymethods]
impl AuditReport {
    fn __repr__(&self) -> String {
        format!(
            "AuditReport(entries={}, writers={})",
            self.entries, self.writers
        )
    }
}

/// What ``Vault.gc`` removed.
#[pyclass(frozen, get_all, module = "medvault")]
#[derive(Clone, Debug)]
pub struct GcReport {
    /// Payload objects removed.
    objects_removed: u64,
    /// Wrapped keys removed.
    keys_removed: u64,
    /// Checkpoints removed (all but the newest two in the store).
    checkpoints_removed: u64,
}

impl From<vault::GcReport> for GcReport {
    fn from(report: vault::GcReport) -> Self {
        Self {
            objects_removed: report.objects_removed,
            keys_removed: report.keys_removed,
            checkpoints_removed: report.checkpoints_removed,
        }
    }
}

#[pymethods]
impl GcReport {
    fn __repr__(&self) -> String {
        format!(
            "GcReport(objects_removed={}, keys_removed={}, checkpoints_removed={})",
            self.objects_removed, self.keys_removed, self.checkpoints_removed
        )
    }
}
