//! The local index folder: its lock (one process at a time), its writer id (one writer per
//! folder, kept across restarts), its database, and the writer's unsettled log batch, if any.
//! The folders and files it creates are its owner's alone (0700 and 0600 on Unix); sled's own
//! files live in the folder.

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

    /// Keeps batch `sequence` of this folder's writer, sealed as `sealed`, durably in the
    /// folder: a batch whose write to the store failed and may have landed all the same. The
    /// committer writes it again, the same bytes, before the writer's next batch, in this
    /// process or after a restart ([`IndexFolder::unsettled`]).
    pub(crate) fn keep_unsettled(&self, sequence: u64, sealed: &[u8]) -> Result<()> {
        let mut bytes = sequence.to_be_bytes().to_vec();
        bytes.extend_from_slice(sealed);
        write_durably(&self.path, UNSETTLED, &bytes)
            .map_err(|error| VaultError::io("keeping an unsettled log batch", error))
    }

    /// The batch [`IndexFolder::keep_unsettled`] kept, if one is still there: its sequence
    /// and sealed bytes.
    pub(crate) fn unsettled(&self) -> Result<Option<(u64, Vec<u8>)>> {
        let file = self.path.join(UNSETTLED);
        let bytes = match std::fs::read(&file) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => {
                return Err(VaultError::io(format!("reading {}", file.display()), error));
            }
        };
        match bytes.split_first_chunk::<8>() {
            Some((sequence, sealed)) => Ok(Some((u64::from_be_bytes(*sequence), sealed.to_vec()))),
            None => Err(VaultError::Malformed {
                what: "index folder",
                reason: format!("{} is shorter than a sequence number", file.display()),
            }),
        }
    }

    /// Forgets the unsettled batch once the store holds it.
    pub(crate) fn settled(&self) -> Result<()> {
        match std::fs::remove_file(self.path.join(UNSETTLED)) {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(error) => Err(VaultError::io("forgetting a settled log batch", error)),
        }
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
                write_durably(path, "writer", format!("{writer}\n").as_bytes())
                    .map_err(|error| VaultError::io("writing the writer id", error))?;
                Ok(writer)
            }
            Err(error) => Err(VaultError::io(format!("reading {}", file.display()), error)),
        }
    }
}

/// The file that holds the writer's unsettled log batch.
const UNSETTLED: &str = "unsettled-batch";

/// Writes `bytes` as the file `name` in `folder`, whole or not at all: a private temporary
/// file, synced, renamed into place, and the folder synced.
fn write_durably(folder: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let temporary = folder.join(format!("{name}.new"));
    let mut out = private_file()
        .create(true)
        .write(true)
        .truncate(true)
        .open(&temporary)?;
    out.write_all(bytes)?;
    out.sync_all()?;
    std::fs::rename(&temporary, folder.join(name))?;
    File::open(folder)?.sync_all()
}
