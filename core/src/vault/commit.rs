//! Group commit: one task per vault turns the mutations of concurrent writes into log batches.
//!
//! Writes wait on a channel; the committer takes every write waiting, seals them as one batch
//! under the next sequence, writes it durably (appended to a segment, or put as an object),
//! applies it to the index, and only then
//! acknowledges each of them. Writes that arrive while a batch is in flight share the next one.
//! Each write may carry audit events: the committer, the only author of this writer's audit
//! chain, links them into it and logs them in the same batch as the change they describe.

use std::sync::{Arc, Weak};

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot};

use super::checkpoint::CheckpointPolicy;
use super::error::{Detail, Result, VaultError};
use super::log::{self, LogAppender, Mutation};
use super::shared::Shared;
use crate::audit::{AuditEvent, ChainHead};

/// Stop adding writes to a batch once it holds this many bytes of inline payload.
const MAX_BATCH_BYTES: usize = 8 * 1024 * 1024;

/// Writes that may wait for the committer; a writer beyond them waits for room, so that a
/// slow store slows writers down instead of queueing their payloads in memory without bound.
const QUEUE_CAPACITY: usize = 1024;

struct Pending {
    mutations: Vec<Mutation>,
    audit: Vec<AuditEvent>,
    size: usize,
    done: oneshot::Sender<Result<()>>,
}

/// The handle writes go through.
#[derive(Debug, Clone)]
pub(crate) struct Committer {
    queue: mpsc::Sender<Pending>,
}

impl Committer {
    /// Starts the committer task on the current runtime, writing through `log` and starting
    /// a checkpoint when `checkpoints` says; the first batch gets `next_sequence`
    /// and the first audit entry follows `audit_head`. The task holds the vault weakly, so
    /// that closing the last handle closes the vault.
    pub(crate) fn start(
        shared: Weak<Shared>,
        log: LogAppender,
        checkpoints: CheckpointPolicy,
        next_sequence: u64,
        audit_head: ChainHead,
    ) -> Self {
        let (queue, receiver) = mpsc::channel(QUEUE_CAPACITY);
        let writing = Writing {
            log,
            checkpoints,
            since_checkpoint: (0, 0),
        };
        tokio::spawn(run(shared, writing, receiver, next_sequence, audit_head));
        Self { queue }
    }

    /// Commits `mutations` (`size` bytes of payload) and the `audit` events that describe
    /// them; returns once all are durable in the store and applied to the index.
    pub(crate) async fn commit(
        &self,
        mutations: Vec<Mutation>,
        audit: Vec<AuditEvent>,
        size: usize,
    ) -> Result<()> {
        let (done, acknowledged) = oneshot::channel();
        self.queue
            .send(Pending {
                mutations,
                audit,
                size,
                done,
            })
            .await
            .map_err(|_| VaultError::Closed)?;
        acknowledged.await.map_err(|_| VaultError::Closed)?
    }
}

/// The committer's own state: where batches go, and when the next checkpoint is due.
struct Writing {
    log: LogAppender,
    checkpoints: CheckpointPolicy,
    /// Batches and bytes written since the last checkpoint started.
    since_checkpoint: (u64, u64),
}

impl Writing {
    /// Counts a batch of `bytes` written, and starts a checkpoint if one is due.
    fn written(&mut self, shared: &Arc<Shared>, bytes: usize) {
        let (batches, total) = &mut self.since_checkpoint;
        *batches += 1;
        *total += bytes as u64;
        if self.checkpoints.is_due(*batches, *total) && shared.start_checkpoint() {
            self.since_checkpoint = (0, 0);
        }
    }
}

async fn run(
    shared: Weak<Shared>,
    mut writing: Writing,
    mut receiver: mpsc::Receiver<Pending>,
    mut sequence: u64,
    mut audit_head: ChainHead,
) {
    let mut carried: Option<Pending> = None;
    loop {
        let first = match carried.take() {
            Some(pending) => pending,
            None => match receiver.recv().await {
                Some(pending) => pending,
                None => return,
            },
        };
        // Writers woken by the last acknowledgement are preparing their next write right now:
        // give them a turn so that they join this batch instead of the next one.
        tokio::task::yield_now().await;
        let mut size = first.size;
        let mut group = vec![first];
        while let Ok(next) = receiver.try_recv() {
            if size + next.size > MAX_BATCH_BYTES {
                carried = Some(next);
                break;
            }
            size += next.size;
            group.push(next);
        }
        let before = audit_head;
        let mut mutations = Vec::new();
        for pending in &mut group {
            mutations.append(&mut pending.mutations);
            mutations.extend(
                pending
                    .audit
                    .drain(..)
                    .map(|event| Mutation::Audit(audit_head.append(event))),
            );
        }
        // A failed put may still have landed, so its sequence is never reused.
        let outcome = match shared.upgrade() {
            Some(shared) => {
                let written = write_batch(&shared, &mut writing.log, sequence, &mutations).await;
                if let Ok(bytes) = written {
                    writing.written(&shared, bytes);
                }
                written.map(drop)
            }
            None => Err(BatchFailure::NotStored(VaultError::Closed)),
        };
        sequence += 1;
        // Entries that were never stored are not part of the chain.
        if matches!(outcome, Err(BatchFailure::NotStored(_))) {
            audit_head = before;
        }
        for pending in group {
            // A caller that stopped waiting is not an error.
            let _ = pending.done.send(match &outcome {
                Ok(()) => Ok(()),
                Err(failure) => Err(failure.to_error()),
            });
        }
        // A batch the index missed (or may have missed) must be applied before any later one,
        // or catch-up (which resumes after the last applied sequence) would skip it: refuse
        // every later write until the vault is reopened.
        if matches!(
            outcome,
            Err(BatchFailure::StoredNotIndexed(_) | BatchFailure::Unknown(_))
        ) {
            refuse_all(receiver, carried).await;
            return;
        }
    }
}

/// Answers every remaining write with [`VaultError::ReopenRequired`].
async fn refuse_all(mut receiver: mpsc::Receiver<Pending>, carried: Option<Pending>) {
    if let Some(pending) = carried {
        let _ = pending.done.send(Err(VaultError::ReopenRequired));
    }
    while let Some(pending) = receiver.recv().await {
        let _ = pending.done.send(Err(VaultError::ReopenRequired));
    }
}

/// How a batch failed, told to every write in it.
pub(crate) enum BatchFailure {
    /// The batch is not in the store: the writes were not acknowledged.
    NotStored(VaultError),
    /// The batch's write failed and the store could not say whether it landed anyway.
    Unknown(VaultError),
    /// The batch is durable in the store but the index did not take it; it will when the
    /// vault is reopened.
    StoredNotIndexed(VaultError),
}

impl BatchFailure {
    fn to_error(&self) -> VaultError {
        match self {
            Self::NotStored(VaultError::Closed) => VaultError::Closed,
            Self::NotStored(error) => {
                VaultError::Store(Detail::new(format!("the write was not committed: {error}")))
            }
            Self::Unknown(error) => VaultError::Store(Detail::new(format!(
                "the write may or may not have been committed ({error}); reopen the vault to \
                 find out"
            ))),
            Self::StoredNotIndexed(error) => VaultError::Index(Detail::new(format!(
                "the write is durable in the store, but the local index failed to apply it \
                 ({error}); reopen the vault to apply it"
            ))),
        }
    }
}

async fn write_batch(
    shared: &Shared,
    log: &mut LogAppender,
    sequence: u64,
    mutations: &[Mutation],
) -> std::result::Result<usize, BatchFailure> {
    let keyring = shared.keyring();
    let sealed = Bytes::from(
        log::seal(&keyring, shared.writer, sequence, mutations).map_err(BatchFailure::NotStored)?,
    );
    let bytes = sealed.len();
    log.append(&shared.store, shared.writer, sequence, sealed)
        .await?;
    shared
        .index
        .apply_batch(shared.writer, sequence, mutations)
        .map_err(BatchFailure::StoredNotIndexed)?;
    if let Some(cursor) = log.cursor_after(sequence) {
        shared
            .set_log_cursor(shared.writer, cursor)
            .map_err(BatchFailure::StoredNotIndexed)?;
    }
    Ok(bytes)
}
