//! Random access: open a plaintext byte range by reading and authenticating only the segments
//! that hold it.

use std::io;
use std::ops::Range;

use super::super::error::{CryptoError, Result};
use super::super::mac::TAG_LEN;
use super::segment::{SegmentCipher, StreamHeader};
use zeroize::Zeroize;

use super::{
    HEADER_LEN, StreamingAead, discard_on_error, for_each_segment, pair_with_outputs, to_usize,
};

/// Anything that can read a byte range of a ciphertext: a byte slice, a file, or (through a
/// small adapter) an object store's ranged GET.
pub trait RangeSource {
    /// Total length of the ciphertext in bytes.
    fn total_len(&self) -> io::Result<u64>;

    /// Fills `buf` with the bytes starting at `offset`; fails if fewer are available.
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()>;
}

impl RangeSource for [u8] {
    fn total_len(&self) -> io::Result<u64> {
        Ok(self.len() as u64)
    }

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let start = usize::try_from(offset).map_err(|_| io::ErrorKind::UnexpectedEof)?;
        let bytes = start
            .checked_add(buf.len())
            .and_then(|end| self.get(start..end))
            .ok_or(io::ErrorKind::UnexpectedEof)?;
        buf.copy_from_slice(bytes);
        Ok(())
    }
}

impl RangeSource for std::fs::File {
    fn total_len(&self) -> io::Result<u64> {
        Ok(self.metadata()?.len())
    }

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        std::os::unix::fs::FileExt::read_exact_at(self, buf, offset)
    }
}

/// Which ciphertext bytes hold a plaintext range, worked out from lengths alone (no I/O), so
/// that a caller can fetch them in whatever way suits its store: the 40-byte header
/// (`0..40`) and [`RangePlan::ciphertext_range`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangePlan {
    first_segment: u64,
    segment_count: u64,
    total_segments: u64,
    ciphertext_range: Range<u64>,
    skip: usize,
    len: usize,
}

impl RangePlan {
    /// The ciphertext bytes (after the header) that hold the requested plaintext.
    pub fn ciphertext_range(&self) -> Range<u64> {
        self.ciphertext_range.clone()
    }

    /// Length of the requested plaintext range.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the requested range is empty (nothing needs to be read).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl StreamingAead {
    /// Plans the reads for plaintext bytes `offset..offset + len` of a ciphertext of
    /// `ciphertext_len` bytes.
    pub fn plan_range(&self, ciphertext_len: u64, offset: u64, len: u64) -> Result<RangePlan> {
        let plaintext_len = self.layout.plaintext_len(ciphertext_len)?;
        let end = offset
            .checked_add(len)
            .filter(|end| *end <= plaintext_len)
            .ok_or(CryptoError::RangeOutOfBounds {
                offset,
                len,
                plaintext_len,
            })?;
        let total_segments = self.layout.segment_count_of_ciphertext(ciphertext_len)?;
        if len == 0 {
            return Ok(RangePlan {
                first_segment: 0,
                segment_count: 0,
                total_segments,
                ciphertext_range: HEADER_LEN as u64..HEADER_LEN as u64,
                skip: 0,
                len: 0,
            });
        }
        let first = self.layout.segment_of(offset);
        let last = self.layout.segment_of(end - 1);
        let start = self.layout.segment_range(first, ciphertext_len).start;
        let stop = self.layout.segment_range(last, ciphertext_len).end;
        Ok(RangePlan {
            first_segment: first,
            segment_count: last - first + 1,
            total_segments,
            ciphertext_range: start..stop,
            skip: to_usize(offset - self.layout.plaintext_start(first))?,
            len: to_usize(len)?,
        })
    }

    /// Opens a planned range from the stream header and the bytes of
    /// [`RangePlan::ciphertext_range`], authenticating every segment involved.
    pub fn open_planned_range(
        &self,
        header: &[u8],
        plan: &RangePlan,
        segments: &[u8],
        aad: &[u8],
    ) -> Result<Vec<u8>> {
        if plan.is_empty() {
            return Ok(Vec::new());
        }
        let expected = to_usize(plan.ciphertext_range.end - plan.ciphertext_range.start)?;
        if segments.len() != expected {
            return Err(CryptoError::Truncated {
                what: "fewer segment bytes than the range plan names",
            });
        }
        let cipher = SegmentCipher::new(&self.key, &StreamHeader::parse(header)?, aad);
        let segment_size = self.layout.segment_size();
        let first_len = if plan.first_segment == 0 {
            segment_size - HEADER_LEN
        } else {
            segment_size
        };
        let (first, rest) = segments.split_at(first_len.min(segments.len()));
        let inputs: Vec<&[u8]> = std::iter::once(first)
            .chain(rest.chunks(segment_size))
            .collect();
        if inputs.len() as u64 != plan.segment_count {
            return Err(CryptoError::malformed(
                "range plan",
                "its segment count does not match its ciphertext range",
            ));
        }
        let mut plaintext = vec![0u8; segments.len().saturating_sub(inputs.len() * TAG_LEN)];
        let jobs = pair_with_outputs(inputs, &mut plaintext);
        let base = plan.first_segment;
        let final_segment = plan.total_segments - 1;
        let opened = for_each_segment(jobs, self.parallelism, |position, (input, output)| {
            let index = base + position as u64;
            cipher.open_segment(index as u32, index == final_segment, input, output)
        });
        let mut plaintext = discard_on_error(opened, plaintext)?;
        // Only the requested bytes are returned; the rest of the segments is wiped.
        plaintext[..plan.skip].zeroize();
        plaintext[plan.skip + plan.len..].zeroize();
        plaintext.truncate(plan.skip + plan.len);
        plaintext.drain(..plan.skip);
        Ok(plaintext)
    }

    /// Opens plaintext bytes `offset..offset + len` of the ciphertext in `source`, reading only
    /// the header and the segments that hold them, and authenticating each of those segments.
    pub fn open_range<S: RangeSource + ?Sized>(
        &self,
        source: &S,
        aad: &[u8],
        offset: u64,
        len: u64,
    ) -> Result<Vec<u8>> {
        let plan = self.plan_range(source.total_len()?, offset, len)?;
        if plan.is_empty() {
            return Ok(Vec::new());
        }
        let mut header = [0u8; HEADER_LEN];
        source.read_exact_at(0, &mut header)?;
        let range = plan.ciphertext_range();
        let mut segments = vec![0u8; to_usize(range.end - range.start)?];
        source.read_exact_at(range.start, &mut segments)?;
        self.open_planned_range(&header, &plan, &segments, aad)
    }
}
