//! Files the program creates for the operator (record payloads, import reports, QR codes of
//! TOTP secrets): readable and writable by their owner only, 0600 on Unix (less whatever the
//! umask removes), as SSH and GnuPG create their private files. Elsewhere they get the
//! platform's defaults. A file that already exists is emptied and keeps its permissions: its
//! path and its permissions are the operator's choice.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;

/// Creates the file at `path` for writing, or empties it.
pub fn create(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Writes `bytes` to the file at `path`, created as by [`create`].
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    create(path)?.write_all(bytes)
}
