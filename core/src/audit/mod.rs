//! The audit chain: numbered, hash-chained entries sealed in the log.
//!
//! Every event is appended to the vault's log inside the same sealed batch as the change it
//! describes (or in a batch of its own), as an entry of a hash chain per writer: entry `n`
//! carries the SHA-256 of entry `n - 1`. The batch's encryption keeps entries secret and
//! unforgeable; the chain and its head, kept in the local index, reveal an entry removed,
//! reordered or added. [`crate::vault::Vault::verify_audit`] checks both.
//!
//! The engine audits its own storage-level writes ([`StorageAction`]); the layers above log
//! events of their own vocabulary as [`AuditPayload::Application`] bytes through a
//! [`crate::vault::Batch`].

mod chain;
mod event;

pub(crate) use chain::{AuditEntry, ChainHead};
pub use chain::{AuditRecord, AuditReport};
pub use event::{AuditEvent, AuditPayload, StorageAction};
