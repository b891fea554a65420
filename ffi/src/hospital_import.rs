//! Import through a session: the kinds a file may hold (the hospital crate's own enum,
//! declared with `#[uniffi::remote]`) and what an import did.

use medvault_hospital::import::{ImportKind, ImportReport};

/// What an import file holds.
#[uniffi::remote(Enum)]
pub enum ImportKind {
    /// Patients (Synthea `patients.csv`, FHIR `Patient`).
    Patients,
    /// Physicians (Synthea `providers.csv`, FHIR `Practitioner`).
    Physicians,
    /// Appointments (Synthea `encounters.csv`, FHIR `Appointment` and `Encounter`).
    Appointments,
}

/// What an import did: how many rows ended each way, and the report of every row (its
/// number, kind, source id, outcome and reasons; no other value from the file).
#[derive(uniffi::Record, Clone, Debug, PartialEq, Eq)]
pub struct ImportResult {
    /// Rows accepted (and, unless a dry run, imported).
    pub accepted: u64,
    /// Rows rejected, each with reasons in the report.
    pub rejected: u64,
    /// Rows repeating an earlier row of the file.
    pub duplicates: u64,
    /// Rows with the source id of an earlier row of the file but other data, left out.
    pub conflicts: u64,
    /// Rows an earlier import already brought, as they are.
    pub unchanged: u64,
    /// Rows an earlier import brought, which changed them (patients' demographics).
    pub updated: u64,
    /// The report as JSON.
    pub report_json: String,
    /// The report as CSV.
    pub report_csv: String,
}

impl From<ImportReport> for ImportResult {
    fn from(report: ImportReport) -> Self {
        let count = |n: usize| n as u64;
        Self {
            accepted: count(report.counts.accepted),
            rejected: count(report.counts.rejected),
            duplicates: count(report.counts.duplicates),
            conflicts: count(report.counts.conflicts),
            unchanged: count(report.counts.unchanged),
            updated: count(report.counts.updated),
            report_json: report.to_json(),
            report_csv: report.to_csv(),
        }
    }
}
