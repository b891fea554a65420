//! The hash chain that orders one writer's audit entries.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::event::AuditEvent;
use crate::vault::WriterId;

const DOMAIN: &[u8] = b"medvault audit entry v1";

/// An event as logged: numbered within its writer's chain and linked to its predecessor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AuditEntry {
    pub(crate) number: u64,
    /// The hash of entry `number - 1` (zeros for the first).
    pub(crate) previous: [u8; 32],
    pub(crate) event: AuditEvent,
}

impl AuditEntry {
    /// SHA-256 over the entry's canonical (postcard) encoding.
    pub(crate) fn hash(&self) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(DOMAIN);
        // postcard writes a struct of these types into a Vec without failing.
        hasher.update(postcard::to_stdvec(self).unwrap_or_default());
        hasher.finalize().into()
    }
}

/// The end of a writer's chain: the number the next entry gets and the last entry's hash.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ChainHead {
    pub(crate) next: u64,
    pub(crate) last: [u8; 32],
}

impl ChainHead {
    /// The head just past `entry`.
    pub(crate) fn after(entry: &AuditEntry) -> Self {
        Self {
            next: entry.number + 1,
            last: entry.hash(),
        }
    }

    /// Appends `event`: the entry to log, with this head moved past it.
    pub(crate) fn append(&mut self, event: AuditEvent) -> AuditEntry {
        let entry = AuditEntry {
            number: self.next,
            previous: self.last,
            event,
        };
        *self = Self::after(&entry);
        entry
    }

    /// Checks that `entry` is the one that follows this head and moves past it; otherwise
    /// says what is wrong.
    pub(crate) fn follow(&mut self, entry: &AuditEntry) -> Result<(), String> {
        if entry.number != self.next {
            return Err(format!(
                "entry {} was expected but entry {} was found",
                self.next, entry.number
            ));
        }
        if entry.previous != self.last {
            return Err(format!(
                "entry {} does not link to the entry before it",
                entry.number
            ));
        }
        *self = Self::after(entry);
        Ok(())
    }
}

/// An audit entry as read back from the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    /// The writer (index folder) that logged it.
    pub writer: WriterId,
    /// Its number in that writer's chain, from 0.
    pub number: u64,
    /// The event.
    pub event: AuditEvent,
}

/// What [`crate::vault::Vault::verify_audit`] found: a sound trail.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditReport {
    /// How many entries were checked.
    pub entries: u64,
    /// How many writers' chains they form.
    pub writers: usize,
}
