//! The C ABI of MedVault for Kotlin and Swift, made with uniffi's proc macros. Thin wrappers:
//! every rule lives in the `medvault`, `medvault-identity` and `medvault-hospital` crates.
//!
//! - [`Vault`]: create or open a vault (a local folder or `s3://bucket/prefix`), records,
//!   application documents, the audit check, and its [`Identity`].
//! - [`Identity`]: accounts, TOTP enrollment, login; [`Session`]: the access-controlled
//!   calls of a logged-in account.
//! - The hospital, through a [`Session`]: patient profiles ([`PatientProfile`]), physicians
//!   and their schedules ([`PhysicianProfile`], [`Schedule`]), availability ([`SlotQuery`],
//!   [`Slot`]) and appointments ([`Appointment`]), medical history ([`Observation`] and
//!   documents), the staff board ([`Event`], [`Note`]), the admin [`Dashboard`], and import
//!   of Synthea CSV files and FHIR Bundles ([`ImportKind`], [`ImportResult`]). Dates
//!   and times are ISO 8601 strings: `2026-12-02`, `09:30`, `2026-12-02T09:30`.
//! - [`MedVaultError`]: one exception type with a subclass per kind of failure.
//!
//! Every call **blocks** the calling thread until the engine answers: the engine runs its own
//! tokio runtime, and its calls are short (a durable write is about a millisecond, a login
//! about 20 ms of Argon2id), so Kotlin callers use `withContext(Dispatchers.IO)` and Swift
//! callers a `Task` or a background queue, as they do for file or SQLite calls. Blocking
//! keeps one code path and exceptions that arrive where the call was made.

mod documents;
mod error;
mod hospital;
mod hospital_board;
mod hospital_care;
mod hospital_import;
mod hospital_people;
mod identity;
mod iso;
mod records;
mod vault;

pub use documents::Document;
pub use error::{Cause, MedVaultError};
pub use hospital_board::{
    Audience, DailyCount, Dashboard, Event, NewEvent, Note, PatientRef, PhysicianPatients,
};
pub use hospital_care::{
    Appointment, AppointmentStatus, Cancellation, Observation, Slot, SlotQuery,
};
pub use hospital_import::{ImportKind, ImportResult};
pub use hospital_people::{
    Address, AvailableTime, Gender, HumanName, Identifier, NotAvailable, PatientProfile, Physician,
    PhysicianProfile, Schedule, Weekday,
};
pub use identity::{AccountInfo, Enrollment, FactorState, Identity, Role, Session};
pub use records::{NewRecord, Record, RecordMeta};
pub use vault::{AuditSummary, Vault};

uniffi::setup_scaffolding!();
