//! The identity layer's audit events: logins, account and factor changes, record reads and
//! writes through sessions, access decisions. They travel in the engine's audit chain
//! ([`medvault::audit`]) as application payloads; [`AuditRecord::to_fhir`] exports one as a FHIR
//! R4 `AuditEvent`.

mod event;
mod fhir;

pub use event::{Actor, AuditAction, AuditEvent, LoginFailure, Outcome, SecondFactor};

use medvault::vault::{Vault, WriterId};

use crate::Result;

/// An audit entry as read back from the log, with its event in the identity layer's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    /// The writer (index folder) that logged it.
    pub writer: WriterId,
    /// Its number in that writer's chain, from 0.
    pub number: u64,
    /// The event.
    pub event: AuditEvent,
}

/// Every audit entry in `vault`'s store, oldest first, once the whole trail has been
/// verified ([`Vault::verify_audit`]), with each event read in the identity layer's terms.
pub async fn read_trail(vault: &Vault) -> Result<Vec<AuditRecord>> {
    vault
        .audit_trail()
        .await?
        .into_iter()
        .map(|record| {
            Ok(AuditRecord {
                writer: record.writer,
                number: record.number,
                event: AuditEvent::from_engine(&record.event)?,
            })
        })
        .collect()
}
