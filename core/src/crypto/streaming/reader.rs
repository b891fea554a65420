//! Opening a stream through `std::io::Read` with memory bounded by one segment.

use std::io::{self, Read};

use zeroize::Zeroizing;

use super::super::error::{CryptoError, Result};
use super::super::mac::TAG_LEN;
use super::layout::Layout;
use super::segment::{SegmentCipher, StreamHeader};
use super::{HEADER_LEN, StreamingAead};

/// Decrypts a stream read from the inner reader, one authenticated segment at a time.
///
/// Plaintext is handed out only from segments whose tag verified. The end of the plaintext is
/// reported only after the final segment, flagged as last, has verified; a stream cut short
/// fails with [`CryptoError::Truncated`] instead. Errors reach `read` callers as
/// `std::io::Error`s of kind `InvalidData`; `CryptoError::from` recovers the typed error.
///
/// ```
/// use std::io::Read;
/// use medvault::crypto::{StreamingAead, StreamingKey};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let aead = StreamingAead::new(&StreamingKey::generate()?, 4096)?;
/// let sealed = aead.seal(&[1u8; 10_000], b"aad")?;
/// let mut reader = aead.opening_reader(&sealed[..], b"aad")?;
/// let mut plaintext = Vec::new();
/// reader.read_to_end(&mut plaintext)?;
/// assert_eq!(plaintext, [1u8; 10_000]);
/// # Ok(())
/// # }
/// ```
pub struct OpeningReader<R: Read> {
    inner: R,
    cipher: SegmentCipher,
    layout: Layout,
    ciphertext: Vec<u8>,
    lookahead: Option<u8>,
    plaintext: Zeroizing<Vec<u8>>,
    position: usize,
    index: u32,
    finished: bool,
    failed: bool,
}

impl StreamingAead {
    /// Starts opening the stream read from `inner`, bound to `aad`; the header is read at once.
    pub fn opening_reader<R: Read>(&self, mut inner: R, aad: &[u8]) -> Result<OpeningReader<R>> {
        let mut header = [0u8; HEADER_LEN];
        if read_full(&mut inner, &mut header)? < HEADER_LEN {
            return Err(CryptoError::Truncated {
                what: "stream header is shorter than 40 bytes",
            });
        }
        Ok(OpeningReader {
            cipher: SegmentCipher::new(&self.key, &StreamHeader::parse(&header)?, aad),
            inner,
            layout: self.layout,
            ciphertext: Vec::with_capacity(self.layout.segment_size()),
            lookahead: None,
            plaintext: Zeroizing::new(Vec::with_capacity(self.layout.segment_size())),
            position: 0,
            index: 0,
            finished: false,
            failed: false,
        })
    }
}

impl<R: Read> OpeningReader<R> {
    /// Reads, verifies and decrypts the next segment into the plaintext buffer.
    fn next_segment(&mut self) -> Result<()> {
        let segment_len = if self.index == 0 {
            self.layout.segment_size() - HEADER_LEN
        } else {
            self.layout.segment_size()
        };
        self.ciphertext.clear();
        self.ciphertext.extend(self.lookahead.take());
        let filled = self.ciphertext.len();
        self.ciphertext.resize(segment_len, 0);
        let read = filled + read_full(&mut self.inner, &mut self.ciphertext[filled..])?;
        self.ciphertext.truncate(read);
        // A segment is the last one exactly when nothing follows it.
        let last = if read == segment_len {
            let mut next = [0u8; 1];
            let more = read_full(&mut self.inner, &mut next)? == 1;
            self.lookahead = more.then_some(next[0]);
            !more
        } else {
            true
        };
        let Some(plaintext_len) = read.checked_sub(TAG_LEN) else {
            return Err(CryptoError::Truncated {
                what: "last segment is shorter than its tag",
            });
        };
        self.plaintext.resize(plaintext_len, 0);
        self.cipher
            .open_segment(self.index, last, &self.ciphertext, &mut self.plaintext)?;
        self.position = 0;
        self.finished = last;
        if !last {
            self.index = self
                .index
                .checked_add(1)
                .ok_or(CryptoError::malformed("stream", "more than 2^32 segments"))?;
        }
        Ok(())
    }
}

impl<R: Read> Read for OpeningReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        while self.position == self.plaintext.len() {
            if self.failed {
                return Err(CryptoError::malformed(
                    "stream",
                    "an earlier segment failed; the stream cannot be read further",
                )
                .into());
            }
            if self.finished {
                return Ok(0);
            }
            if let Err(error) = self.next_segment() {
                self.failed = true;
                self.plaintext.clear();
                self.position = 0;
                return Err(error.into());
            }
        }
        let available = &self.plaintext[self.position..];
        let count = available.len().min(out.len());
        out[..count].copy_from_slice(&available[..count]);
        self.position += count;
        Ok(count)
    }
}

impl<R: Read> std::fmt::Debug for OpeningReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpeningReader")
            .field("segment", &self.index)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

/// Reads until `buf` is full or the reader ends; returns how many bytes were read.
fn read_full<R: Read>(reader: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(filled)
}
