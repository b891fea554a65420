//! Reading a writer's log back from the store, whatever wrote it: batch objects
//! (`log/<writer>/<sequence>`) and segments (`log/<writer>/segments/<first sequence>`), in
//! sequence order, every batch verified before it is handed on.
//!
//! Where reading a segment stops, what follows tells what it is: zeros are space prepared for
//! the next frames; bytes that hold no frame that authenticates are a frame being appended, or
//! one a crash cut short (a torn tail), which was never acknowledged; a frame that
//! authenticates after bytes that do not means the segment was damaged, and reading fails.

use bytes::Bytes;
use futures_util::stream::{self, StreamExt};
use object_store::path::Path;
use serde::{Deserialize, Serialize};

use super::super::error::{Detail, Result, VaultError};
use super::super::ids::WriterId;
use super::super::layout;
use super::super::shared::Shared;
use super::super::store::Store;
use super::segment::{self, Frame};
use super::{Mutation, open};

/// How many batch objects a read fetches at once: each is a round trip on S3, and at most
/// 8 MiB.
const OBJECTS_AT_ONCE: usize = 16;

/// Where reading a writer's last segment stopped, kept between reads so that a later one
/// fetches only what was appended since.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Cursor {
    /// The segment's first sequence.
    pub(crate) segment: u64,
    /// The offset after the last whole frame read.
    pub(crate) offset: u64,
    /// The sequence of that frame.
    pub(crate) last: u64,
}

/// What a read found at the end of a writer's log.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LogEnd {
    /// The highest sequence in the log (read or skipped as already applied).
    pub(crate) last: Option<u64>,
    /// The writer's last segment, when its log ends with one.
    pub(crate) tail: Option<SegmentTail>,
}

/// Where the whole frames of a writer's last segment end.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SegmentTail {
    /// The segment's first sequence (its name).
    pub(crate) first: u64,
    /// The offset after its last whole frame (0 when its header was never written).
    pub(crate) end: u64,
    /// Whether bytes that hold no whole frame follow `end` (a torn or unfinished frame).
    pub(crate) torn: bool,
}

/// One thing in a writer's log folder.
enum Item {
    Object { sequence: u64, path: Path },
    Segment { first: u64, path: Path, size: u64 },
}

impl Item {
    fn first(&self) -> u64 {
        match self {
            Self::Object { sequence, .. } => *sequence,
            Self::Segment { first, .. } => *first,
        }
    }
}

/// A writer's log as listed, in sequence order.
pub(crate) struct WriterLog {
    writer: WriterId,
    after: Option<u64>,
    items: Vec<Item>,
}

impl WriterLog {
    /// Lists `writer`'s log; with `after`, only what may hold batches after that sequence.
    pub(crate) async fn list(
        shared: &Shared,
        writer: WriterId,
        after: Option<u64>,
    ) -> Result<Self> {
        let folder = layout::writer_log(writer);
        // Segments sort after every batch object, so listing after the last applied batch
        // keeps them all.
        let listed = match after {
            Some(after) => {
                shared
                    .store
                    .list_after(&folder, &layout::log_batch(writer, after))
                    .await?
            }
            None => shared.store.list(&folder).await?,
        };
        let mut items: Vec<Item> = listed
            .into_iter()
            .filter_map(|meta| {
                if let Some((owner, sequence)) = layout::parse_log_batch(&meta.location) {
                    return (owner == writer && after.is_none_or(|after| sequence > after))
                        .then_some(Item::Object {
                            sequence,
                            path: meta.location,
                        });
                }
                let (owner, first) = layout::parse_segment(&meta.location)?;
                (owner == writer).then_some(Item::Segment {
                    first,
                    path: meta.location,
                    size: meta.size,
                })
            })
            .collect();
        items.sort_by_key(Item::first);
        // A segment holds the batches up to the next item's first: one that ends at or
        // before `after` has nothing to read.
        if let Some(after) = after {
            let firsts: Vec<u64> = items.iter().map(Item::first).collect();
            let mut position = 0;
            items.retain(|_| {
                position += 1;
                firsts.get(position).is_none_or(|next| *next > after + 1)
            });
        }
        Ok(Self {
            writer,
            after,
            items,
        })
    }

    /// How many objects and segments there are to read.
    pub(crate) fn len(&self) -> u64 {
        self.items.len() as u64
    }

    /// Verifies and hands each batch after `after` to `each`, in sequence order; `advance` is
    /// called after each object or segment.
    pub(crate) async fn read(
        self,
        shared: &Shared,
        each: &mut (dyn FnMut(u64, Vec<Mutation>) -> Result<()> + Send),
        advance: &mut (dyn FnMut() + Send),
    ) -> Result<LogEnd> {
        let mut end = LogEnd::default();
        let count = self.items.len();
        let mut position = 0;
        while position < count {
            if let Item::Segment { first, path, size } = &self.items[position] {
                let tail = self
                    .read_segment(shared, *first, path, *size, &mut end, each)
                    .await?;
                // Only the last item of the log may be appended to.
                end.tail = (position + 1 == count).then_some(tail);
                position += 1;
                advance();
                continue;
            }
            // A run of batch objects: fetched a few at once (on S3 each is a round trip),
            // verified and applied one by one, in sequence order.
            let objects: Vec<(u64, Path)> = self.items[position..]
                .iter()
                .map_while(|item| match item {
                    Item::Object { sequence, path } => Some((*sequence, path.clone())),
                    Item::Segment { .. } => None,
                })
                .collect();
            position += objects.len();
            let store = &shared.store;
            let mut fetched = stream::iter(objects)
                .map(|(sequence, path)| fetch(store, sequence, path))
                .buffered(OBJECTS_AT_ONCE);
            while let Some(object) = fetched.next().await {
                let (sequence, bytes) = object?;
                each(
                    sequence,
                    open(&shared.keyring(), self.writer, sequence, &bytes)?,
                )?;
                end.last = Some(sequence);
                end.tail = None;
                advance();
            }
        }
        Ok(end)
    }

    async fn read_segment(
        &self,
        shared: &Shared,
        first: u64,
        path: &Path,
        size: u64,
        end: &mut LogEnd,
        each: &mut (dyn FnMut(u64, Vec<Mutation>) -> Result<()> + Send),
    ) -> Result<SegmentTail> {
        let resume = shared.log_cursor(self.writer)?.filter(|cursor| {
            cursor.segment == first && self.after.is_some_and(|after| cursor.last <= after)
        });
        let start = resume.map_or(0, |cursor| cursor.offset);
        let bytes = if start == 0 {
            shared
                .store
                .get(path)
                .await?
                .ok_or_else(|| vanished(path))?
        } else if start < size {
            let mut parts = shared
                .store
                .get_ranges(path, std::slice::from_ref(&(start..size)))
                .await?
                .ok_or_else(|| vanished(path))?;
            parts.pop().unwrap_or_default()
        } else {
            bytes::Bytes::new()
        };
        let keyring = shared.keyring();
        let scan = scan_segment(
            &bytes,
            self.writer,
            first,
            self.after,
            resume,
            |sequence, body| open(&keyring, self.writer, sequence, body),
            each,
        )?;
        if let Some(highest) = scan.highest {
            end.last = end.last.max(Some(highest));
        }
        let end_offset = start + scan.end as u64;
        if let Some(last) = scan.last {
            shared.set_log_cursor(
                self.writer,
                Cursor {
                    segment: first,
                    offset: end_offset,
                    last,
                },
            )?;
        }
        Ok(SegmentTail {
            first,
            end: end_offset,
            torn: scan.torn,
        })
    }
}

/// What [`scan_segment`] found in a segment's bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SegmentScan {
    /// The offset in the bytes after the last whole frame (0 when the header was never
    /// written).
    pub(crate) end: usize,
    /// The sequence of the last whole frame, or the one the scan resumed after.
    pub(crate) last: Option<u64>,
    /// The highest sequence of a whole frame in these bytes.
    pub(crate) highest: Option<u64>,
    /// Whether bytes that hold no whole frame follow `end` (a torn or unfinished frame).
    pub(crate) torn: bool,
}

/// Reads the frames of segment `first` of `writer` in `bytes`: the whole segment, or with
/// `resume`, its bytes from where an earlier read stopped. Each frame after `after` is opened (`open`) and handed to `each`, in order; a frame that
/// does not open ends the whole frames. What follows them is zeros, or a torn tail; a frame
/// that opens after it means the segment is damaged, and the scan fails.
pub(crate) fn scan_segment<T>(
    bytes: &[u8],
    writer: WriterId,
    first: u64,
    after: Option<u64>,
    resume: Option<Cursor>,
    mut open: impl FnMut(u64, &[u8]) -> Result<T>,
    mut each: impl FnMut(u64, T) -> Result<()>,
) -> Result<SegmentScan> {
    let mut previous = resume.map(|cursor| cursor.last);
    let mut highest = None;
    let mut offset = if resume.is_none_or(|cursor| cursor.offset == 0) {
        match segment::parse_header(bytes)? {
            None => {
                // Creation was cut short, so no frame can follow: one that opens means the
                // header was damaged, and its batches must not be passed over.
                let rest = bytes.get(segment::HEADER_LEN..).unwrap_or_default();
                if let Some(found) = whole_frame_in(rest, &mut open) {
                    return Err(VaultError::malformed(
                        "log segment",
                        format!(
                            "segment {first:016x} of writer {writer} has no header but holds batch {found}"
                        ),
                    ));
                }
                return Ok(SegmentScan {
                    end: 0,
                    last: None,
                    highest: None,
                    torn: bytes.iter().any(|byte| *byte != 0),
                });
            }
            Some(stated) if stated != first => {
                return Err(VaultError::malformed(
                    "log segment",
                    format!(
                        "segment {first:016x} of writer {writer} says it starts at batch {stated}"
                    ),
                ));
            }
            Some(_) => segment::HEADER_LEN,
        }
    } else {
        0
    };
    let mut refused = None;
    while let Some(frame) = bytes.get(offset..).and_then(segment::frame_at) {
        if frame.sequence < first || previous.is_some_and(|previous| frame.sequence <= previous) {
            return Err(VaultError::malformed(
                "log segment",
                format!(
                    "batch {} of writer {writer} is out of order in segment {first:016x}",
                    frame.sequence
                ),
            ));
        }
        if after.is_none_or(|after| frame.sequence > after) {
            match open(frame.sequence, frame.body) {
                Ok(mutations) => each(frame.sequence, mutations)?,
                Err(error) => {
                    refused = Some(error);
                    break;
                }
            }
        }
        previous = Some(frame.sequence);
        highest = Some(frame.sequence);
        offset += frame.len();
    }
    let rest = bytes.get(offset..).unwrap_or_default();
    let torn = rest.iter().any(|byte| *byte != 0);
    if torn && let Some(found) = whole_frame_in(&rest[1..], &mut open) {
        return Err(refused.unwrap_or_else(|| {
            VaultError::malformed(
                "log segment",
                format!(
                    "segment {first:016x} of writer {writer} holds unreadable bytes before batch {found}"
                ),
            )
        }));
    }
    Ok(SegmentScan {
        end: offset,
        last: previous,
        highest,
        torn,
    })
}

/// The sequence of a frame in `bytes` that opens, if there is one.
fn whole_frame_in<T>(bytes: &[u8], open: &mut impl FnMut(u64, &[u8]) -> Result<T>) -> Option<u64> {
    segment::frame_candidates(bytes).find_map(|at| {
        let Frame { sequence, body } = segment::frame_at(&bytes[at..])?;
        open(sequence, body).is_ok().then_some(sequence)
    })
}

/// Batch object `sequence` at `path`.
async fn fetch(store: &Store, sequence: u64, path: Path) -> Result<(u64, Bytes)> {
    let bytes = store.get(&path).await?;
    Ok((sequence, bytes.ok_or_else(|| vanished(&path))?))
}

fn vanished(path: &Path) -> VaultError {
    VaultError::Store(Detail::new(format!(
        "log {path} vanished while it was being read"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frame opens when its body is its sequence (the keys play no part here).
    fn opens(sequence: u64, body: &[u8]) -> Result<u64> {
        if body == sequence.to_le_bytes() {
            Ok(sequence)
        } else {
            Err(VaultError::malformed("log batch", "it does not open"))
        }
    }

    fn scan(bytes: &[u8], first: u64) -> (Result<SegmentScan>, Vec<u64>) {
        let mut read = Vec::new();
        let scan = scan_segment(
            bytes,
            WriterId::from_bytes([7; 16]),
            first,
            None,
            None,
            opens,
            |sequence, _| {
                read.push(sequence);
                Ok(())
            },
        );
        (scan, read)
    }

    fn frame(sequence: u64) -> Vec<u8> {
        segment::frame(sequence, &sequence.to_le_bytes()).expect("frame")
    }

    #[test]
    fn whole_frames_then_zeros_or_a_torn_tail() {
        let mut bytes = segment::header(3).to_vec();
        bytes.extend(frame(3));
        bytes.extend(frame(4));
        let whole = bytes.len();
        bytes.extend([0; 40]);
        let (found, read) = scan(&bytes, 3);
        assert_eq!(read, [3, 4]);
        let found = found.expect("scan");
        assert_eq!((found.end, found.last, found.torn), (whole, Some(4), false));
        bytes.truncate(whole);
        bytes.extend(&frame(5)[..10]);
        let found = scan(&bytes, 3).0.expect("scan");
        assert_eq!((found.end, found.torn), (whole, true));
    }

    /// Found by fuzzing (`fuzz/fuzz_targets/log_segment.rs`): a segment whose header reads as
    /// never written was taken as empty whatever followed it, so the batches of one whose
    /// header was damaged were passed over (and the writer then appended over them).
    #[test]
    fn frames_after_a_header_never_written_are_damage() {
        let mut bytes = vec![0; segment::HEADER_LEN];
        bytes.extend(frame(3));
        let (found, read) = scan(&bytes, 3);
        assert!(
            matches!(found, Err(VaultError::Malformed { .. })),
            "{found:?}"
        );
        assert!(read.is_empty());
        // A header cut short is not torn away silently either: it is reported as torn.
        let found = scan(&segment::header(3)[..9], 3).0.expect("scan");
        assert_eq!((found.end, found.torn), (0, true));
        let found = scan(&[0; 9], 3).0.expect("scan");
        assert_eq!((found.end, found.torn), (0, false));
    }
}
