//! Group commit: one task per vault turns the mutations of concurrent writes into log batches.
//!
//! Writes wait on a channel; the committer takes every write waiting, seals them as one batch
//! under the next sequence, writes it durably (appended to a segment, or put as an object),
//! applies it to the index, and only then
//! acknowledges each of them. Writes that arrive while a batch is in flight share the next one.
//! Each write may carry audit events: the committer, the only author of this writer's audit
//! chain, links them into it and logs them in the same batch as the change they describe.
//!
//! A batch object whose PUT failed and may have landed ([`UnsettledBatch`]) is kept, in memory
//! and in the index folder, and put again, the same bytes, before the writer's next batch:
//! every reader then finds it before anything after it, and its sequence never names another
//! batch, also after a restart.

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
    /// a checkpoint when `checkpoints` says; `unsettled` is put again before the first batch,
    /// which gets `next_sequence`, and the first audit entry follows `audit_head`. The task
    /// holds the vault weakly, so that closing the last handle closes the vault.
    pub(crate) fn start(
        shared: Weak<Shared>,
        log: LogAppender,
        checkpoints: CheckpointPolicy,
        next_sequence: u64,
        audit_head: ChainHead,
        unsettled: Option<UnsettledBatch>,
    ) -> Self {
        let (queue, receiver) = mpsc::channel(QUEUE_CAPACITY);
        let writing = Writing {
            log,
            checkpoints,
            since_checkpoint: (0, 0),
            unsettled,
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
    /// A batch to put again before the next one.
    unsettled: Option<UnsettledBatch>,
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
        // A failed write may still have landed, so its sequence is never reused.
        let outcome = match shared.upgrade() {
            Some(shared) => commit_batch(&shared, &mut writing, sequence, &mutations).await,
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
    /// The batch object's PUT failed and it may have landed, perhaps on only some of a
    /// replicated store's nodes; these are its sealed bytes, to put again.
    Unsettled(VaultError, Bytes),
}

impl BatchFailure {
    /// The error the batch failed with.
    fn cause(&self) -> &VaultError {
        match self {
            Self::NotStored(error)
            | Self::Unknown(error)
            | Self::StoredNotIndexed(error)
            | Self::Unsettled(error, _) => error,
        }
    }

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
            Self::Unsettled(error, _) => VaultError::Store(Detail::new(format!(
                "the write may or may not have been committed ({error}); the vault writes it \
                 again before its next write, and then it is"
            ))),
            Self::StoredNotIndexed(error) => VaultError::Index(Detail::new(format!(
                "the write is durable in the store, but the local index failed to apply it \
                 ({error}); reopen the vault to apply it"
            ))),
        }
    }
}

/// A log batch of this writer whose write failed and may have landed: put again, the same
/// bytes, before the writer's next batch.
pub(crate) struct UnsettledBatch {
    sequence: u64,
    sealed: Bytes,
}

impl UnsettledBatch {
    /// The batch the index folder kept, if any, verified as this writer's, with the head of
    /// the writer's audit chain past its entries, if it has any. A vault `created` just now
    /// has none: a batch left in its index folder is another vault's, and is forgotten.
    pub(crate) fn kept(
        shared: &Shared,
        created: bool,
    ) -> Result<Option<(Self, Option<ChainHead>)>> {
        let Some(folder) = shared.index_folder() else {
            return Ok(None);
        };
        if created {
            folder.settled()?;
            return Ok(None);
        }
        let Some((sequence, sealed)) = folder.unsettled()? else {
            return Ok(None);
        };
        let mutations =
            log::open(&shared.keyring(), shared.writer, sequence, &sealed).map_err(|_| {
                VaultError::malformed(
                    "index folder",
                    "its unsettled-batch file is not a log batch of this vault's writer; \
                     remove it only if the folder was copied from another vault",
                )
            })?;
        let audit_head = mutations.iter().rev().find_map(|mutation| match mutation {
            Mutation::Audit(entry) => Some(ChainHead::after(entry)),
            _ => None,
        });
        let batch = Self {
            sequence,
            sealed: Bytes::from(sealed),
        };
        Ok(Some((batch, audit_head)))
    }

    /// Its sequence.
    pub(crate) fn sequence(&self) -> u64 {
        self.sequence
    }
}

/// Writes batch `sequence`, after putting the unsettled one again if there is one; keeps the
/// batch as unsettled if its own write is.
async fn commit_batch(
    shared: &Arc<Shared>,
    writing: &mut Writing,
    sequence: u64,
    mutations: &[Mutation],
) -> std::result::Result<(), BatchFailure> {
    if let Some(unsettled) = &writing.unsettled {
        let bytes = settle(shared, unsettled).await?;
        writing.unsettled = None;
        writing.written(shared, bytes);
    }
    match write_batch(shared, &mut writing.log, sequence, mutations).await {
        Ok(bytes) => {
            writing.written(shared, bytes);
            Ok(())
        }
        Err(BatchFailure::Unsettled(error, sealed)) => {
            if let Some(folder) = shared.index_folder() {
                // Kept nowhere, the batch could not be put again after a restart, which might
                // then reuse its sequence: refuse writes until the vault is reopened.
                if let Err(kept) = folder.keep_unsettled(sequence, &sealed) {
                    return Err(BatchFailure::Unknown(VaultError::Store(Detail::new(
                        format!("{error}; keeping the batch to write it again failed too: {kept}"),
                    ))));
                }
            }
            writing.unsettled = Some(UnsettledBatch {
                sequence,
                sealed: sealed.clone(),
            });
            Err(BatchFailure::Unsettled(error, sealed))
        }
        Err(failure) => Err(failure),
    }
}

/// Puts `unsettled` again and applies it; returns its size. Until that succeeds no later
/// batch is written.
async fn settle(
    shared: &Shared,
    unsettled: &UnsettledBatch,
) -> std::result::Result<usize, BatchFailure> {
    let UnsettledBatch { sequence, sealed } = unsettled;
    log::put_object(&shared.store, shared.writer, *sequence, sealed.clone())
        .await
        .map_err(|failure| {
            BatchFailure::NotStored(VaultError::Store(Detail::new(format!(
                "an earlier write whose outcome is unknown must be written again first, and \
                 that failed: {}",
                failure.cause()
            ))))
        })?;
    let mutations = log::open(&shared.keyring(), shared.writer, *sequence, sealed)
        .map_err(BatchFailure::StoredNotIndexed)?;
    shared
        .index
        .apply_batch(shared.writer, *sequence, &mutations)
        .map_err(BatchFailure::StoredNotIndexed)?;
    if let Some(folder) = shared.index_folder() {
        // A file left behind only makes the next open put the same bytes once more.
        let _ = folder.settled();
    }
    Ok(sealed.len())
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
