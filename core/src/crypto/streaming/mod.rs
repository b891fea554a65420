//! Payloads of any size: Tink's `AesCtrHmacStreaming` at AES-256 / HKDF-SHA256 / HMAC-SHA256
//! with 32-byte tags, byte for byte.
//!
//! One key seals many objects: each ciphertext starts with a random salt from which its own
//! segment keys are derived. Segments authenticate on their own and carry their index and a
//! last-segment flag, so truncation, reordering and splicing fail, and a byte range is opened by
//! reading only the segments that hold it.

mod layout;
mod range;
mod reader;
mod segment;
mod writer;

use rayon::prelude::*;
use zeroize::Zeroize;

use super::error::{CryptoError, Result};
use super::mac::TAG_LEN;
use super::secret::secret_key_type;
use layout::Layout;
use segment::SegmentCipher;
pub(crate) use segment::StreamHeader;

pub use range::{RangePlan, RangeSource};
pub use reader::OpeningReader;
pub use writer::SealingWriter;

/// Length of the stream header: length byte, 32-byte salt, 7-byte nonce prefix.
pub(crate) const HEADER_LEN: usize = 40;

/// Ciphertext segment size used unless another is chosen: 64 KiB (see `docs/FORMAT.md`).
pub const DEFAULT_SEGMENT_SIZE: u32 = 64 * 1024;

/// Smallest ciphertext segment size: the first segment must hold the header, a tag and at least
/// one plaintext byte (Tink's own bound).
pub const MIN_SEGMENT_SIZE: u32 = (HEADER_LEN + TAG_LEN + 1) as u32;

/// Largest ciphertext segment size accepted: 8 MiB. Readers buffer one segment, so this bounds
/// the memory a hostile header can make a reader allocate.
pub const MAX_SEGMENT_SIZE: u32 = 8 * 1024 * 1024;

/// Below this many segments, sealing and opening stay on the calling thread.
const PARALLEL_MIN_SEGMENTS: usize = 4;

secret_key_type!(
    /// The 32-byte key of a streaming AEAD (Tink's `AesCtrHmacStreaming` key value).
    StreamingKey
);

/// Seals and opens payloads in Tink's `AesCtrHmacStreaming` format under one key.
///
/// ```
/// use medvault::crypto::{StreamingAead, StreamingKey};
///
/// # fn main() -> Result<(), medvault::crypto::CryptoError> {
/// let aead = StreamingAead::new(&StreamingKey::generate()?, 4096)?;
/// let scan = vec![7u8; 100_000];
/// let sealed = aead.seal(&scan, b"object-42")?;
/// assert_eq!(aead.open(&sealed, b"object-42")?, scan);
/// // Only the segments holding bytes 50 000..50 100 are read and authenticated.
/// assert_eq!(aead.open_range(&sealed[..], b"object-42", 50_000, 100)?, &scan[50_000..50_100]);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct StreamingAead {
    key: StreamingKey,
    layout: Layout,
    parallelism: Parallelism,
}

/// Whether the segments of one call may be spread over threads. Either way the bytes are the
/// same; only the speed differs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Parallelism {
    /// Every segment on the calling thread (for callers that keep crypto off shared pools).
    Sequential,
    /// Segments of inputs of four or more segments are shared over rayon's pool, on all cores.
    #[default]
    AllCores,
}

impl StreamingAead {
    /// A streaming AEAD with the given ciphertext segment size, which must lie within
    /// [`MIN_SEGMENT_SIZE`]..=[`MAX_SEGMENT_SIZE`].
    pub fn new(key: &StreamingKey, segment_size: u32) -> Result<Self> {
        if !(MIN_SEGMENT_SIZE..=MAX_SEGMENT_SIZE).contains(&segment_size) {
            return Err(CryptoError::InvalidParameter(
                "segment size must be between 73 bytes and 8 MiB",
            ));
        }
        Ok(Self {
            key: key.clone(),
            layout: Layout::new(segment_size),
            parallelism: Parallelism::default(),
        })
    }

    /// The same AEAD, sealing and opening with `parallelism`.
    pub fn with_parallelism(mut self, parallelism: Parallelism) -> Self {
        self.parallelism = parallelism;
        self
    }

    /// A streaming AEAD with [`DEFAULT_SEGMENT_SIZE`].
    pub fn with_default_segment_size(key: &StreamingKey) -> Self {
        Self {
            key: key.clone(),
            layout: Layout::new(DEFAULT_SEGMENT_SIZE),
            parallelism: Parallelism::default(),
        }
    }

    /// The ciphertext segment size.
    pub fn segment_size(&self) -> u32 {
        self.layout.segment_size() as u32
    }

    /// Length of the ciphertext of a `plaintext_len`-byte plaintext.
    pub fn ciphertext_len(&self, plaintext_len: u64) -> Result<u64> {
        self.layout.ciphertext_len(plaintext_len)
    }

    /// Length of the plaintext inside a `ciphertext_len`-byte ciphertext; fails for a length no
    /// encrypter produces.
    pub fn plaintext_len(&self, ciphertext_len: u64) -> Result<u64> {
        self.layout.plaintext_len(ciphertext_len)
    }

    /// Seals `plaintext` bound to `aad`. Large inputs are sealed on all cores unless
    /// [`Parallelism::Sequential`] was chosen; the bytes do not depend on it.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
        self.seal_with_header(&StreamHeader::random()?, plaintext, aad)
    }

    pub(crate) fn seal_with_header(
        &self,
        header: &StreamHeader,
        plaintext: &[u8],
        aad: &[u8],
    ) -> Result<Vec<u8>> {
        let ciphertext_len = to_usize(self.layout.ciphertext_len(plaintext.len() as u64)?)?;
        let cipher = SegmentCipher::new(&self.key, header, aad);
        let mut out = vec![0u8; ciphertext_len];
        out[..HEADER_LEN].copy_from_slice(&header.to_bytes());
        let jobs: Vec<(&[u8], &mut [u8])> = self
            .plaintext_chunks(plaintext)
            .zip(self.ciphertext_chunks_mut(&mut out))
            .collect();
        let last = jobs.len() - 1;
        for_each_segment(jobs, self.parallelism, |index, (input, output)| {
            cipher.seal_segment(index as u32, index == last, input, output);
            Ok(())
        })?;
        Ok(out)
    }

    /// Verifies every segment of `ciphertext` and returns the plaintext; nothing is returned
    /// unless all of it authenticates. Large inputs are opened on all cores unless
    /// [`Parallelism::Sequential`] was chosen.
    pub fn open(&self, ciphertext: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
        let plaintext_len = to_usize(self.layout.plaintext_len(ciphertext.len() as u64)?)?;
        let cipher = SegmentCipher::new(&self.key, &StreamHeader::parse(ciphertext)?, aad);
        let mut out = vec![0u8; plaintext_len];
        let segments: Vec<&[u8]> = self.ciphertext_chunks(ciphertext).collect();
        let jobs = pair_with_outputs(segments, &mut out);
        let last = jobs.len() - 1;
        let opened = for_each_segment(jobs, self.parallelism, |index, (input, output)| {
            cipher.open_segment(index as u32, index == last, input, output)
        });
        discard_on_error(opened, out)
    }

    /// Splits a plaintext into its segments' plaintexts (one empty chunk for an empty input).
    fn plaintext_chunks<'a>(&self, plaintext: &'a [u8]) -> impl Iterator<Item = &'a [u8]> {
        let first_len = (self.layout.first_plaintext_size() as usize).min(plaintext.len());
        let (first, rest) = plaintext.split_at(first_len);
        std::iter::once(first).chain(rest.chunks(self.layout.plaintext_size() as usize))
    }

    /// Splits a ciphertext (header included) into its segments, each `ciphertext ‖ tag`.
    fn ciphertext_chunks<'a>(&self, ciphertext: &'a [u8]) -> impl Iterator<Item = &'a [u8]> {
        let segment_size = self.layout.segment_size();
        ciphertext
            .chunks(segment_size)
            .enumerate()
            .map(|(index, chunk)| {
                if index == 0 {
                    &chunk[HEADER_LEN..]
                } else {
                    chunk
                }
            })
    }

    /// [`Self::ciphertext_chunks`] over a buffer to fill.
    fn ciphertext_chunks_mut<'a>(
        &self,
        ciphertext: &'a mut [u8],
    ) -> impl Iterator<Item = &'a mut [u8]> {
        let segment_size = self.layout.segment_size();
        ciphertext
            .chunks_mut(segment_size)
            .enumerate()
            .map(|(index, chunk)| {
                if index == 0 {
                    &mut chunk[HEADER_LEN..]
                } else {
                    chunk
                }
            })
    }
}

/// Pairs every segment (`ciphertext ‖ tag`) with the part of `plaintext` it decrypts into, in
/// order, so that no segment can go unpaired (and so unverified). A segment shorter than a tag
/// gets an empty part and fails when opened.
fn pair_with_outputs<'a, 'b>(
    segments: Vec<&'a [u8]>,
    mut plaintext: &'b mut [u8],
) -> Vec<(&'a [u8], &'b mut [u8])> {
    let mut jobs = Vec::with_capacity(segments.len());
    for segment in segments {
        let len = segment.len().saturating_sub(TAG_LEN).min(plaintext.len());
        let (part, rest) = std::mem::take(&mut plaintext).split_at_mut(len);
        plaintext = rest;
        jobs.push((segment, part));
    }
    jobs
}

/// Runs `work` on every segment job with its index, on rayon's pool when allowed and worth it.
/// The error of the lowest failing segment is returned, whichever thread found it.
fn for_each_segment<T, F>(jobs: Vec<T>, parallelism: Parallelism, work: F) -> Result<()>
where
    T: Send,
    F: Fn(usize, T) -> Result<()> + Sync,
{
    let parallel = parallelism == Parallelism::AllCores
        && jobs.len() >= PARALLEL_MIN_SEGMENTS
        && rayon::current_num_threads() > 1;
    if parallel {
        let results: Vec<Result<()>> = jobs
            .into_par_iter()
            .enumerate()
            .map(|(index, job)| work(index, job))
            .collect();
        results.into_iter().collect()
    } else {
        jobs.into_iter()
            .enumerate()
            .try_for_each(|(index, job)| work(index, job))
    }
}

/// The plaintext when every segment opened; otherwise the error, after wiping what the segments
/// before the failing one had decrypted.
fn discard_on_error(opened: Result<()>, mut plaintext: Vec<u8>) -> Result<Vec<u8>> {
    match opened {
        Ok(()) => Ok(plaintext),
        Err(error) => {
            plaintext.zeroize();
            Err(error)
        }
    }
}

/// Converts a length to `usize`, failing on targets where it does not fit in memory.
fn to_usize(len: u64) -> Result<usize> {
    usize::try_from(len).map_err(|_| CryptoError::InvalidParameter("object too large for memory"))
}

#[cfg(test)]
mod tests;
