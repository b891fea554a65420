//! The local index folder: its lock (one process at a time), its writer id (one writer per
//! folder, kept across restarts) and its database. The folders and files it creates are its
//! owner's alone (0700 and 0600 on Unix); sled's own files live in the folder.

use std::fs::{File, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::super::error::{Result, VaultError};
use super::super::ids::WriterId;
use super::super::store::{create_private_folder, private_file};
use super::backend::SledBackend;

/// An index folder, locked for this process while the value lives.
#[derive(Debug)]
pub(crate) struct IndexFolder {
    path: PathBuf,
    writer: WriterId,
    _lock: File,
}

impl IndexFolder {
    /// Locks `path` (creating it) and reads or creates its writer id.
    pub(crate) fn open(path: &Path) -> Result<Self> {
        let described = path.display().to_string();
        create_private_folder(path).map_err(|error| {
            VaultError::io(format!("creating the index folder {described}"), error)
        })?;
        let lock = private_file()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path.join("lock"))
            .map_err(|error| VaultError::io(format!("opening the lock of {described}"), error))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(VaultError::OpenElsewhere { index: described });
            }
            Err(TryLockError::Error(error)) => {
                return Err(VaultError::io(format!("locking {described}"), error));
            }
        }
        let writer = Self::writer_id(path)?;
        Ok(Self {
            path: path.to_owned(),
            writer,
            _lock: lock,
        })
    }

    /// This folder's writer id.
    pub(crate) fn writer(&self) -> WriterId {
        self.writer
    }

    /// Opens the database in this folder.
    pub(crate) fn database(&self) -> Result<SledBackend> {
        SledBackend::open(&self.path.join("db"))
    }

    fn writer_id(path: &Path) -> Result<WriterId> {
        let file = path.join("writer");
        match std::fs::read_to_string(&file) {
            Ok(text) => text.trim().parse().map_err(|_| VaultError::Malformed {
                what: "index folder",
                reason: format!("{} does not hold a writer id", file.display()),
            }),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let writer = WriterId::generate()?;
                let temporary = path.join("writer.new");
                let mut out = private_file()
                    .create(true)
                    .write(true)
                    .truncate(true)
                    .open(&temporary)
                    .map_err(|error| VaultError::io("writing the writer id", error))?;
                writeln!(out, "{writer}")
                    .and_then(|()| out.sync_all())
                    .and_then(|()| std::fs::rename(&temporary, &file))
                    .and_then(|()| File::open(path)?.sync_all())
                    .map_err(|error| VaultError::io("writing the writer id", error))?;
                Ok(writer)
            }
            Err(error) => Err(VaultError::io(format!("reading {}", file.display()), error)),
        }
    }
}
