//! Python bindings of MedVault, built into the extension module `medvault._medvault` by
//! maturin (see `pyproject.toml`). The `medvault` Python package re-exports it.
//!
//! The bindings are thin: they convert arguments, results and errors, and release the GIL
//! around every call into the core that does crypto or I/O. Every rule lives in the core.

mod crypto;
mod errors;
mod hospital;
mod hospital_types;
mod identity;
mod records;
mod reports;
mod vault;

use pyo3::prelude::*;

/// MedVault's engine: encrypted, audited patient records (see the ``medvault`` package).
#[pymodule]
fn _medvault(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    module.add_class::<vault::Vault>()?;
    module.add_class::<records::NewRecord>()?;
    module.add_class::<records::RecordMeta>()?;
    module.add_class::<records::Record>()?;
    module.add_class::<reports::VerifyReport>()?;
    module.add_class::<reports::AuditReport>()?;
    module.add_class::<reports::GcReport>()?;
    module.add_class::<identity::Identity>()?;
    module.add_class::<identity::Enrollment>()?;
    module.add_class::<identity::Session>()?;
    module.add_class::<identity::AccountInfo>()?;
    module.add_class::<hospital_types::Address>()?;
    module.add_class::<hospital_types::PatientProfile>()?;
    module.add_class::<hospital_types::AvailableTime>()?;
    module.add_class::<hospital_types::NotAvailable>()?;
    module.add_class::<hospital_types::Schedule>()?;
    module.add_class::<hospital_types::PhysicianProfile>()?;
    module.add_class::<hospital_types::Physician>()?;
    module.add_class::<hospital_types::Slot>()?;
    module.add_class::<hospital_types::Appointment>()?;
    module.add_class::<hospital_types::Event>()?;
    module.add_class::<hospital_types::Note>()?;
    module.add_class::<hospital_types::PatientRef>()?;
    module.add_class::<hospital_types::PhysicianPatients>()?;
    module.add_class::<hospital_types::DailyCount>()?;
    module.add_class::<hospital_types::ImportResult>()?;
    module.add_class::<hospital_types::Dashboard>()?;
    module.add_class::<crypto::Aead>()?;
    module.add_class::<crypto::StreamingAead>()?;
    errors::register(module)
}
