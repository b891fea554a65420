//! The audit trail: who did what to which account or record, and whether it was allowed.
//!
//! Every event is appended to the vault's log inside the same sealed batch as the change it
//! describes (or in a batch of its own for reads and refusals), as an entry of a hash chain
//! per writer: entry `n` carries the SHA-256 of entry `n - 1`. The batch's encryption keeps
//! entries secret and unforgeable; the chain and its head, kept in the local index, reveal
//! an entry removed, reordered or added. [`crate::vault::Vault::verify_audit`] checks both;
//! [`AuditRecord::to_fhir`] exports an entry as a FHIR R4 `AuditEvent`.

mod chain;
mod event;
mod fhir;

pub(crate) use chain::{AuditEntry, ChainHead};
pub use chain::{AuditRecord, AuditReport};
pub use event::{Actor, AuditAction, AuditEvent, LoginFailure, Outcome, SecondFactor};
