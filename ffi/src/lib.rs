//! The C ABI of MedVault for Kotlin and Swift, made with uniffi's proc macros. Thin wrappers:
//! every rule lives in the `medvault`, `medvault-identity` and `medvault-hospital` crates.
//!
//! - [`Vault`]: create or open a vault (a local folder or `s3://bucket/prefix`), records,
//!   application documents, the audit check, and its [`Identity`].
//! - [`Identity`]: accounts, TOTP enrollment, login; [`Session`]: the access-controlled
//!   calls of a logged-in account.
//! - The hospital, through a [`Session`]: patient profiles, physicians and their schedules,
//!   availability and appointments, medical history, the staff board, the admin dashboard,
//!   and import of Synthea CSV files and FHIR Bundles ([`ImportResult`]). Its values are the
//!   `medvault-hospital` crate's own types, declared to uniffi with `#[uniffi::remote]`.
//!   Account ids cross as 32 hex digits; dates and times as ISO 8601 strings (`2026-12-02`,
//!   `09:30`, `2026-12-02T09:30`), which Kotlin reads as `java.time` values.
//! - [`MedVaultError`]: one exception type with a subclass per kind of failure.
//!
//! Every call **blocks** the calling thread until the engine answers: the engine runs its own
//! tokio runtime, and its calls are short (a durable write is about a millisecond, a login
//! about 20 ms of Argon2id), so Kotlin callers use `withContext(Dispatchers.IO)` and Swift
//! callers a `Task` or a background queue, as they do for file or SQLite calls. Blocking
//! keeps one code path and exceptions that arrive where the call was made.

mod dates;
mod documents;
mod error;
mod hospital;
mod hospital_board;
mod hospital_care;
mod hospital_import;
mod hospital_people;
mod identity;
mod records;
mod vault;

pub use documents::Document;
pub use error::{Cause, MedVaultError};
pub use hospital_import::ImportResult;
pub use identity::{AccountInfo, Enrollment, Identity, Session};
pub use records::{NewRecord, Record, RecordMeta};
pub use vault::{AuditSummary, Vault};

uniffi::setup_scaffolding!();
