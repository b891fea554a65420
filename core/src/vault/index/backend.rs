//! The key-value store under the index, behind the engine's own trait so that no sled type
//! leaks out of this file.

use std::path::{Path, PathBuf};
use std::sync::{PoisonError, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

use super::super::error::{Detail, Result, VaultError};
use crate::crypto::random_array;

/// A change to one key: `Some(value)` sets it, `None` removes it.
pub(crate) type Change = (Vec<u8>, Option<Vec<u8>>);

/// An ordered key-value store.
pub(crate) trait IndexBackend: Send + Sync + std::fmt::Debug {
    /// The value at `key`.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>>;
    /// Every entry whose key starts with `prefix`, in key order.
    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>>;
    /// The last entry whose key starts with `prefix`, in key order.
    fn last_with_prefix(&self, prefix: &[u8]) -> Result<Option<(Vec<u8>, Vec<u8>)>>;
    /// Applies `changes` in order, each key on its own: a reader may see some of them before
    /// the rest, and a crash may keep a prefix of them (the log replays what the index lost;
    /// see `Index::apply_batch`).
    fn write(&self, changes: Vec<Change>) -> Result<()>;
    /// Removes everything.
    fn reset(&self) -> Result<()>;
    /// Makes everything written so far durable on disk.
    fn flush(&self) -> Result<()>;
}

/// How long opening an index folder waits for sled's lock on its file.
const SLED_LOCK_WAIT: Duration = Duration::from_secs(5);

/// How long it sleeps between tries.
const SLED_LOCK_RETRY: Duration = Duration::from_millis(20);

/// How sled 0.34's error for a database file locked elsewhere begins.
const SLED_LOCK_BUSY: &str = "could not acquire lock";

/// A new, empty folder for a temporary database, readable by this process's owner alone (0700
/// on Unix): in shared memory on Linux, as sled's own temporary databases are, else in the
/// temporary folder. A folder of that name that exists already is an error, never reused.
fn private_temporary_folder() -> Result<PathBuf> {
    let shared_memory = Path::new("/dev/shm");
    let parent = if cfg!(target_os = "linux") && shared_memory.is_dir() {
        shared_memory.to_owned()
    } else {
        std::env::temp_dir()
    };
    let folder = parent.join(format!(
        "medvault-index.{}",
        hex::encode(random_array::<16>()?)
    ));
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(&folder)
        .map_err(|error| VaultError::io("creating a temporary index folder", error))?;
    Ok(folder)
}

/// sled 0.34 as the index backend.
pub(crate) struct SledBackend {
    db: RwLock<sled::Db>,
    /// The database folder; `None` for a temporary database.
    folder: Option<PathBuf>,
}

/// sled's own `Debug` prints every entry; this one names the database only.
impl std::fmt::Debug for SledBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SledBackend")
    }
}

impl SledBackend {
    /// Opens (or creates) the database in `folder`.
    pub(crate) fn open(folder: &Path) -> Result<Self> {
        Ok(Self {
            db: RwLock::new(Self::open_folder(folder)?),
            folder: Some(folder.to_owned()),
        })
    }

    /// A database that lives in a temporary folder and is removed when dropped.
    pub(crate) fn temporary() -> Result<Self> {
        Ok(Self {
            db: RwLock::new(Self::open_temporary()?),
            folder: None,
        })
    }

    /// Opens the database in `folder`, whose index folder this process has locked. sled's own
    /// lock on its file can then be held only by this process's previous database of the
    /// folder, whose background threads may still be letting go of it after its last handle
    /// closed: that lock is waited for, up to [`SLED_LOCK_WAIT`].
    fn open_folder(folder: &Path) -> Result<sled::Db> {
        let deadline = Instant::now() + SLED_LOCK_WAIT;
        loop {
            match sled::Config::new().path(folder).open() {
                Err(sled::Error::Io(error))
                    if error.to_string().starts_with(SLED_LOCK_BUSY)
                        && Instant::now() < deadline =>
                {
                    std::thread::sleep(SLED_LOCK_RETRY);
                }
                opened => {
                    return opened.map_err(|error| {
                        VaultError::Index(Detail::caused_by(
                            format!("opening {}: {error}", folder.display()),
                            error,
                        ))
                    });
                }
            }
        }
    }

    /// A database in a new folder of this process's owner alone ([`private_temporary_folder`]),
    /// which sled removes when the database closes.
    fn open_temporary() -> Result<sled::Db> {
        Self::open_temporary_in(&private_temporary_folder()?)
    }

    /// A database in `folder`, which goes when the database closes (or fails to open).
    fn open_temporary_in(folder: &Path) -> Result<sled::Db> {
        let opened = sled::Config::new().path(folder).temporary(true).open();
        if opened.is_err() {
            let _ = std::fs::remove_dir_all(folder);
        }
        Ok(opened?)
    }

    fn db(&self) -> RwLockReadGuard<'_, sled::Db> {
        self.db.read().unwrap_or_else(PoisonError::into_inner)
    }
}

impl IndexBackend for SledBackend {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.db().get(key)?.map(|value| value.to_vec()))
    }

    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        self.db()
            .scan_prefix(prefix)
            .map(|entry| {
                entry
                    .map(|(key, value)| (key.to_vec(), value.to_vec()))
                    .map_err(VaultError::from)
            })
            .collect()
    }

    /// Forward, to the end: a record has few versions, and with sled 0.34's backward
    /// iteration a point read took three times as long (32 µs against 10 µs for 1 KiB).
    fn last_with_prefix(&self, prefix: &[u8]) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
        self.db()
            .scan_prefix(prefix)
            .last()
            .transpose()
            .map(|entry| entry.map(|(key, value)| (key.to_vec(), value.to_vec())))
            .map_err(VaultError::from)
    }

    /// Key by key: a sled batch would write and sync sled's log buffer before and after it
    /// (twice per call, on the path of every acknowledged write), while single writes reach
    /// disk on sled's own schedule, in order.
    fn write(&self, changes: Vec<Change>) -> Result<()> {
        let db = self.db();
        for (key, value) in changes {
            match value {
                Some(value) => db.insert(key, value)?,
                None => db.remove(key)?,
            };
        }
        Ok(())
    }

    /// Replaces the database with a new, empty one. Deleting every entry in place churns
    /// through sled's log segments, and under that churn sled 0.34 has been seen to hang.
    fn reset(&self) -> Result<()> {
        let mut db = self.db.write().unwrap_or_else(PoisonError::into_inner);
        match &self.folder {
            Some(folder) => {
                // The old database must be closed before its folder goes.
                *db = Self::open_temporary()?;
                std::fs::remove_dir_all(folder).map_err(|error| {
                    VaultError::io(
                        format!("removing the index database {}", folder.display()),
                        error,
                    )
                })?;
                *db = Self::open_folder(folder)?;
            }
            None => *db = Self::open_temporary()?,
        }
        Ok(())
    }

    fn flush(&self) -> Result<()> {
        self.db().flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error;

    use super::*;

    #[test]
    fn a_temporary_database_is_private_and_removed_when_closed() {
        let folder = private_temporary_folder().expect("folder");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&folder)
                .expect("metadata")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700, "{}", folder.display());
        }
        if cfg!(target_os = "linux") {
            assert!(folder.starts_with("/dev/shm"), "{}", folder.display());
        }
        let db = SledBackend::open_temporary_in(&folder).expect("open");
        db.insert(b"key", b"value".as_slice()).expect("insert");
        db.flush().expect("flush");
        assert!(folder.join("db").exists(), "sled writes into the folder");
        drop(db);
        assert!(!folder.exists(), "removed on close");
        let another = private_temporary_folder().expect("another");
        assert_ne!(another, folder, "each is new");
        std::fs::remove_dir(&another).expect("remove");
    }

    #[test]
    fn a_database_that_does_not_open_keeps_sleds_error_as_its_source() {
        let scratch = tempfile::tempdir().expect("scratch folder");
        let file = scratch.path().join("not-a-folder");
        std::fs::write(&file, b"x").expect("a file where the database would go");
        let Err(error) = SledBackend::open_folder(&file) else {
            panic!("a file opened as a database");
        };
        assert!(matches!(error, VaultError::Index(_)), "{error:?}");
        let detail = error.source().expect("the detail");
        let beneath = detail.source().expect("sled's error");
        assert!(
            beneath.downcast_ref::<sled::Error>().is_some(),
            "{beneath:?}"
        );
    }
}
