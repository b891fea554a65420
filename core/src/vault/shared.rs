//! What every part of an open vault shares: the store, the index, the keys and the writer id.

use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError, RwLock};

use object_store::path::Path;

use super::error::{Detail, Result, VaultError};
use super::ids::WriterId;
use super::index::{Index, IndexFolder};
use super::keyring::Keyring;
use super::layout;
use super::log;
use super::store::Store;

/// The parts of an open vault.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) store: Store,
    pub(crate) index: Index,
    pub(crate) writer: WriterId,
    keyring: RwLock<Arc<Keyring>>,
    /// Holds the index folder's lock; declared last so that it is released only after the
    /// index database has closed.
    _folder: Option<IndexFolder>,
}

impl Shared {
    pub(crate) fn new(
        store: Store,
        index: Index,
        writer: WriterId,
        keyring: Keyring,
        folder: Option<IndexFolder>,
    ) -> Self {
        Self {
            store,
            index,
            writer,
            keyring: RwLock::new(Arc::new(keyring)),
            _folder: folder,
        }
    }

    /// The current keys.
    pub(crate) fn keyring(&self) -> Arc<Keyring> {
        self.keyring
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Replaces the keys (after a root rotation).
    pub(crate) fn replace_keyring(&self, keyring: Keyring) {
        *self.keyring.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(keyring);
    }

    /// The log batches in the store that the index has not applied, per writer in sequence
    /// order. With `only`, just that writer's.
    pub(crate) async fn unapplied_batches(
        &self,
        only: Option<WriterId>,
    ) -> Result<BTreeMap<WriterId, Vec<(u64, Path)>>> {
        let mut batches: BTreeMap<WriterId, Vec<(u64, Path)>> = BTreeMap::new();
        let writers = match only {
            Some(writer) => vec![writer],
            None => self.log_writers().await?,
        };
        for writer in writers {
            let listed = match self.index.applied_sequence(writer)? {
                Some(applied) => {
                    self.store
                        .list_after(
                            &layout::writer_log(writer),
                            &layout::log_batch(writer, applied),
                        )
                        .await?
                }
                None => self.store.list(&layout::writer_log(writer)).await?,
            };
            let mut found: Vec<(u64, Path)> = listed
                .into_iter()
                .filter_map(|meta| {
                    let (owner, sequence) = layout::parse_log_batch(&meta.location)?;
                    (owner == writer).then_some((sequence, meta.location))
                })
                .collect();
            found.sort_by_key(|(sequence, _)| *sequence);
            if !found.is_empty() {
                batches.insert(writer, found);
            }
        }
        Ok(batches)
    }

    /// Every writer with a log in the store.
    pub(crate) async fn log_writers(&self) -> Result<Vec<WriterId>> {
        let folders = self.store.list_folders(&layout::logs()).await?;
        Ok(folders
            .iter()
            .filter_map(|path| path.filename()?.parse().ok())
            .collect())
    }

    /// Fetches, verifies and applies one log batch.
    pub(crate) async fn apply_stored_batch(
        &self,
        writer: WriterId,
        sequence: u64,
        path: &Path,
    ) -> Result<()> {
        let bytes = self.store.get(path).await?.ok_or_else(|| {
            VaultError::Store(Detail::new(format!(
                "log batch {path} vanished while it was being read"
            )))
        })?;
        let mutations = log::open(&self.keyring(), writer, sequence, &bytes)?;
        self.index.apply_batch(writer, sequence, &mutations)
    }

    /// The next sequence this writer may use: one past the highest in the store.
    pub(crate) async fn next_sequence(&self) -> Result<u64> {
        let applied = self.index.applied_sequence(self.writer)?;
        let listed = self.store.list(&layout::writer_log(self.writer)).await?;
        let highest = listed
            .iter()
            .filter_map(|meta| layout::parse_log_batch(&meta.location))
            .map(|(_, sequence)| sequence)
            .chain(applied)
            .max();
        Ok(highest.map_or(0, |highest| highest + 1))
    }
}
