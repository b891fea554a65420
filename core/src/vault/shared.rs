//! What every part of an open vault shares: the store, the index, the keys, the writer id and
//! where reading each writer's log stopped.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use tokio::task::JoinHandle;

use super::error::Result;
use super::ids::WriterId;
use super::index::{Index, IndexFolder};
use super::keyring::Keyring;
use super::layout;
use super::log::Cursor;
use super::store::Store;

/// The parts of an open vault.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) store: Store,
    pub(crate) index: Index,
    pub(crate) writer: WriterId,
    keyring: RwLock<Arc<Keyring>>,
    /// Where reading each writer's log last stopped.
    cursors: Mutex<HashMap<WriterId, Cursor>>,
    /// The checkpoint being written in the background, if any.
    checkpoint_task: Mutex<Option<JoinHandle<()>>>,
    /// Holds the index folder's lock; declared last so that it is released only after the
    /// index database has closed.
    folder: Option<IndexFolder>,
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
            cursors: Mutex::new(HashMap::new()),
            checkpoint_task: Mutex::new(None),
            folder,
        }
    }

    /// The index folder, unless the index is temporary.
    pub(crate) fn index_folder(&self) -> Option<&IndexFolder> {
        self.folder.as_ref()
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

    /// Where the last read of `writer`'s log (or this writer's last append) stopped in its
    /// last segment: kept in memory, and in the index for the next open.
    pub(crate) fn log_cursor(&self, writer: WriterId) -> Result<Option<Cursor>> {
        let remembered = self
            .cursors
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&writer)
            .copied();
        match remembered {
            Some(cursor) => Ok(Some(cursor)),
            None => self.index.log_cursor(writer),
        }
    }

    /// Remembers where a read of `writer`'s log (or an append to it) stopped, once what it
    /// covers is applied to the index.
    pub(crate) fn set_log_cursor(&self, writer: WriterId, cursor: Cursor) -> Result<()> {
        let mut cursors = self.cursors.lock().unwrap_or_else(PoisonError::into_inner);
        if cursors.get(&writer) == Some(&cursor) {
            return Ok(());
        }
        cursors.insert(writer, cursor);
        drop(cursors);
        self.index.set_log_cursor(writer, &cursor)
    }

    /// Starts writing a checkpoint in the background, unless one is being written; returns
    /// whether it started. A checkpoint that fails is tried again when the next is due.
    pub(crate) fn start_checkpoint(self: &Arc<Self>) -> bool {
        let mut task = self
            .checkpoint_task
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if task.as_ref().is_some_and(|running| !running.is_finished()) {
            return false;
        }
        let shared = Arc::clone(self);
        *task = Some(tokio::spawn(async move {
            let _ = super::checkpoint::write(&shared).await;
        }));
        true
    }

    /// Waits for the checkpoint being written in the background, if any.
    pub(crate) async fn finish_checkpoint(&self) {
        let task = self
            .checkpoint_task
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }

    /// Every writer with a log in the store.
    pub(crate) async fn log_writers(&self) -> Result<Vec<WriterId>> {
        let folders = self.store.list_folders(&layout::logs()).await?;
        Ok(folders
            .iter()
            .filter_map(|path| layout::parse_id(path.filename()?))
            .collect())
    }
}
