//! The audit trail in the log: appending events, and reading the chains back with every
//! link checked.

use std::collections::BTreeMap;

use super::error::{Result, VaultError};
use super::ids::WriterId;
use super::lifecycle::Vault;
use super::log::{Mutation, WriterLog};
use super::shared::Shared;
use crate::audit::{AuditRecord, AuditReport, ChainHead};

impl Vault {
    /// Checks the whole audit trail in the store: every batch authenticates under the vault's
    /// key, every writer's entries are numbered without a gap and each links to the one
    /// before, and no chain ends before the head this index saw logged. Fails with
    /// [`VaultError::AuditTampered`] saying what is wrong.
    pub async fn verify_audit(&self) -> Result<AuditReport> {
        let (records, writers) = read_trail(&self.shared).await?;
        Ok(AuditReport {
            entries: records.len() as u64,
            writers,
        })
    }

    /// Every audit entry in the store, oldest first, once the trail has been verified as
    /// [`Vault::verify_audit`] does.
    pub async fn audit_trail(&self) -> Result<Vec<AuditRecord>> {
        let (mut records, _) = read_trail(&self.shared).await?;
        records.sort_by_key(|record| (record.event.time_ms, record.writer, record.number));
        Ok(records)
    }
}

/// Reads and checks every writer's chain; returns the entries and how many chains there are.
async fn read_trail(shared: &Shared) -> Result<(Vec<AuditRecord>, usize)> {
    // The heads are read before the store is listed: entries committed meanwhile can only
    // make a chain in the store longer than its head, never shorter.
    let seen_heads: BTreeMap<WriterId, ChainHead> =
        shared.index.audit_heads()?.into_iter().collect();
    let writers = shared.log_writers().await?;
    let mut records = Vec::new();
    let mut chains = 0;
    for &writer in &writers {
        let head = read_chain(shared, writer, &mut records).await?;
        if head.next > 0 {
            chains += 1;
        }
        if let Some(seen) = seen_heads.get(&writer)
            && (seen.next > head.next || (seen.next == head.next && seen.last != head.last))
        {
            return Err(VaultError::AuditTampered(format!(
                "writer {writer} logged {} entries, but its chain in the store ends after {}",
                seen.next, head.next
            )));
        }
    }
    for writer in seen_heads.keys() {
        if !writers.contains(writer) {
            return Err(VaultError::AuditTampered(format!(
                "the log of writer {writer}, which logged audit entries, is gone"
            )));
        }
    }
    Ok((records, chains))
}

/// Follows `writer`'s chain through its log in sequence order; returns its end.
async fn read_chain(
    shared: &Shared,
    writer: WriterId,
    records: &mut Vec<AuditRecord>,
) -> Result<ChainHead> {
    let mut head = ChainHead::default();
    let mut follow =
        |_sequence, mutations: Vec<Mutation>| follow_batch(&mut head, writer, mutations, records);
    WriterLog::list(shared, writer, None)
        .await?
        .read(shared, &mut follow, &mut || {})
        .await
        .map_err(|error| match error {
            VaultError::AuditTampered(_) | VaultError::Store(_) => error,
            other => VaultError::AuditTampered(format!(
                "the log of writer {writer} does not authenticate: a batch was altered, moved \
                 or forged ({other})"
            )),
        })?;
    Ok(head)
}

/// Follows `writer`'s chain from `head` through the audit entries of one batch's `mutations`,
/// adding them to `records`.
pub(crate) fn follow_batch(
    head: &mut ChainHead,
    writer: WriterId,
    mutations: Vec<Mutation>,
    records: &mut Vec<AuditRecord>,
) -> Result<()> {
    for mutation in mutations {
        if let Mutation::Audit(entry) = mutation {
            head.follow(&entry).map_err(|reason| {
                VaultError::AuditTampered(format!("writer {writer}: {reason}"))
            })?;
            records.push(AuditRecord {
                writer,
                number: entry.number,
                event: entry.event,
            });
        }
    }
    Ok(())
}
