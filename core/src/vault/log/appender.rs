//! Writing this instance's log batches durably: appended to segment files on a folder store,
//! one object per batch where the store cannot append (S3, memory).
//!
//! A segment is made with room for the frames to come (zeros, written and synced once), so
//! that the sync after each append (`fdatasync`) writes the frame's pages and no file size.
//! It is rolled at [`ROLL_SIZE`]. A failed append is zeroed again before it is reported as
//! not committed; when even that fails, the outcome is unknown and the committer refuses every
//! later write until the vault is reopened, which cuts whatever the failure left.
//!
//! A batch object whose PUT failed is read back: a replicated store may have stored it on
//! fewer nodes than a quorum, where some reads find it and others do not, so unless the read
//! finds the very bytes, its fate is unsettled and the committer puts the same bytes again
//! before the writer's next batch.

use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path as FsPath, PathBuf};

use bytes::Bytes;

use super::super::commit::BatchFailure;
use super::super::error::{Result, VaultError};
use super::super::ids::WriterId;
use super::super::layout;
use super::super::runtime::off_worker;
use super::super::store::{Store, create_private_folder, private_file};
use super::reader::{Cursor, SegmentTail};
use super::segment;

/// A segment takes no new frame once it holds this many bytes.
pub(crate) const ROLL_SIZE: u64 = 16 * 1024 * 1024;

/// Room is prepared for frames in steps of this many bytes.
const GROWTH: u64 = 256 * 1024;

/// Which log a vault writes, chosen in its [`super::super::VaultConfig`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogLayout {
    /// Appended segments where the store is a folder on this machine; one object per batch
    /// where it cannot append (S3, memory).
    #[default]
    Segments,
    /// One object per batch on every store, as vaults wrote before segments.
    ObjectPerBatch,
}

/// Writes one writer's batches.
pub(crate) enum LogAppender {
    /// One object per batch.
    Objects,
    /// Frames appended to this writer's segment files in the store's folder `root`.
    Segments {
        root: PathBuf,
        writer: WriterId,
        current: Option<OpenSegment>,
    },
}

/// The segment being appended to.
pub(crate) struct OpenSegment {
    file: File,
    /// Its first sequence (its name).
    first: u64,
    /// Where the next frame goes.
    end: u64,
    /// The file's length: zeros from `end` up to it are ready for frames.
    capacity: u64,
}

impl LogAppender {
    /// The appender for `writer` on `store`, continuing its log after `tail`, the last
    /// segment found when the log was read at open; a torn frame after it is zeroed first.
    pub(crate) fn start(
        store: &Store,
        layout: LogLayout,
        writer: WriterId,
        tail: Option<SegmentTail>,
    ) -> Result<Self> {
        let Some(root) = store.folder().filter(|_| layout == LogLayout::Segments) else {
            return Ok(Self::Objects);
        };
        let root = root.to_owned();
        let current = match tail {
            Some(tail) => Some(
                OpenSegment::resume(&segment_path(&root, writer, tail.first), tail)
                    .map_err(|error| VaultError::io("reopening the log's last segment", error))?,
            ),
            None => None,
        };
        Ok(Self::Segments {
            root,
            writer,
            current,
        })
    }

    /// Where this writer's log ends after batch `sequence`, just appended: the cursor a later
    /// read resumes from (none for batch objects, which are listed by name).
    pub(crate) fn cursor_after(&self, sequence: u64) -> Option<Cursor> {
        match self {
            Self::Objects => None,
            Self::Segments { current, .. } => current.as_ref().map(|open| Cursor {
                segment: open.first,
                offset: open.end,
                last: sequence,
            }),
        }
    }

    /// Writes batch `sequence` of `writer` (sealed as `sealed`) durably.
    pub(crate) async fn append(
        &mut self,
        store: &Store,
        writer: WriterId,
        sequence: u64,
        sealed: Bytes,
    ) -> std::result::Result<(), BatchFailure> {
        match self {
            Self::Objects => put_object(store, writer, sequence, sealed).await,
            Self::Segments {
                root,
                writer,
                current,
            } => {
                let frame = segment::frame(sequence, &sealed).map_err(BatchFailure::NotStored)?;
                let path = segment_path(root, *writer, sequence);
                off_worker(|| append_frame(&path, current, sequence, &frame))
            }
        }
    }
}

/// Puts batch `sequence` of `writer` as an object of its own.
pub(crate) async fn put_object(
    store: &Store,
    writer: WriterId,
    sequence: u64,
    sealed: Bytes,
) -> std::result::Result<(), BatchFailure> {
    let path = layout::log_batch(writer, sequence);
    if let Err(error) = store.put(&path, sealed.clone()).await {
        // A failed PUT may have landed all the same, perhaps on only some of a replicated
        // store's nodes: only a read that finds the bytes settles it.
        if !matches!(store.get(&path).await, Ok(Some(stored)) if stored == sealed) {
            return Err(BatchFailure::Unsettled(error, sealed));
        }
    }
    Ok(())
}

/// The file of `writer`'s segment `first` in a folder store at `root`.
fn segment_path(root: &FsPath, writer: WriterId, first: u64) -> PathBuf {
    root.join(layout::segment(writer, first).as_ref())
}

/// Appends `frame` (batch `sequence`) to the current segment, or to a new one at `path` when
/// there is none or the current one is full.
fn append_frame(
    path: &FsPath,
    current: &mut Option<OpenSegment>,
    sequence: u64,
    frame: &[u8],
) -> std::result::Result<(), BatchFailure> {
    let full = current.as_ref().is_some_and(|open| {
        open.end > segment::HEADER_LEN as u64 && open.end + frame.len() as u64 > ROLL_SIZE
    });
    if full {
        *current = None;
    }
    let open = match current {
        Some(open) => open,
        None => current.insert(
            OpenSegment::create(path, sequence, frame.len() as u64).map_err(|error| {
                BatchFailure::NotStored(VaultError::io("creating a log segment", error))
            })?,
        ),
    };
    open.append(frame)
}

impl OpenSegment {
    /// Opens the segment a read found last, zeroing whatever follows its last whole frame.
    fn resume(path: &FsPath, tail: SegmentTail) -> std::io::Result<Self> {
        let file = OpenOptions::new().read(true).write(true).open(path)?;
        let capacity = file.metadata()?.len();
        let mut segment = Self {
            file,
            first: tail.first,
            end: tail.end,
            capacity,
        };
        if tail.end < segment::HEADER_LEN as u64 {
            segment.write_at(0, &segment::header(tail.first))?;
            segment.end = segment::HEADER_LEN as u64;
            segment.file.sync_data()?;
        } else if tail.torn {
            let torn = capacity.saturating_sub(tail.end);
            segment.zero(tail.end, torn)?;
            segment.file.sync_data()?;
        }
        Ok(segment)
    }

    /// Makes segment `first` at `path` with room for a first frame of `frame_len` bytes,
    /// durable (the file and the folders above it) before it is used.
    fn create(path: &FsPath, first: u64, frame_len: u64) -> std::io::Result<Self> {
        let folder = path.parent().unwrap_or(path);
        create_private_folder(folder)?;
        let file = private_file()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)?;
        let mut segment = Self {
            file,
            first,
            end: 0,
            capacity: 0,
        };
        segment.grow(segment::HEADER_LEN as u64 + frame_len)?;
        segment.write_at(0, &segment::header(first))?;
        segment.end = segment::HEADER_LEN as u64;
        segment.file.sync_all()?;
        sync_folders(folder)?;
        Ok(segment)
    }

    fn append(&mut self, frame: &[u8]) -> std::result::Result<(), BatchFailure> {
        let len = frame.len() as u64;
        let written = self
            .grow(self.end + len)
            .and_then(|()| self.write_at(self.end, frame))
            .and_then(|()| self.file.sync_data());
        match written {
            Ok(()) => {
                self.end += len;
                Ok(())
            }
            Err(error) => {
                let error = VaultError::io("appending to the log", error);
                match self
                    .zero(self.end, len)
                    .and_then(|()| self.file.sync_data())
                {
                    Ok(()) => Err(BatchFailure::NotStored(error)),
                    Err(_) => Err(BatchFailure::Unknown(error)),
                }
            }
        }
    }

    /// Makes sure zeros are ready up to `needed`, in steps of [`GROWTH`].
    fn grow(&mut self, needed: u64) -> std::io::Result<()> {
        if needed <= self.capacity {
            return Ok(());
        }
        let target = needed.div_ceil(GROWTH) * GROWTH;
        self.zero(self.capacity, target - self.capacity)?;
        self.capacity = target;
        Ok(())
    }

    fn zero(&mut self, at: u64, len: u64) -> std::io::Result<()> {
        static ZEROS: [u8; 64 * 1024] = [0; 64 * 1024];
        self.file.seek(SeekFrom::Start(at))?;
        let mut left = len;
        while left > 0 {
            let step = left.min(ZEROS.len() as u64);
            self.file.write_all(&ZEROS[..step as usize])?;
            left -= step;
        }
        Ok(())
    }

    fn write_at(&mut self, at: u64, bytes: &[u8]) -> std::io::Result<()> {
        self.file.seek(SeekFrom::Start(at))?;
        self.file.write_all(bytes)
    }
}

/// Syncs `segments` (a writer's segment folder) and the folders above it up to the store's
/// root, so that a new segment's name is as durable as its bytes.
fn sync_folders(segments: &FsPath) -> std::io::Result<()> {
    #[cfg(unix)]
    for folder in segments.ancestors().take(4) {
        File::open(folder)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = segments;
    Ok(())
}
