//! Sealing a stream through `std::io::Write` with memory bounded by one segment.

use std::io::{self, Write};

use zeroize::Zeroizing;

use super::super::error::{CryptoError, Result};
use super::super::mac::TAG_LEN;
use super::StreamingAead;
use super::layout::Layout;
use super::segment::{SegmentCipher, StreamHeader};

/// Encrypts everything written to it into the inner writer, one segment at a time.
///
/// Call [`SealingWriter::finish`] at the end: it seals the final segment. A stream that is
/// dropped unfinished lacks its final segment and fails to open as truncated.
///
/// ```
/// use std::io::Write;
/// use medvault::crypto::{StreamingAead, StreamingKey};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let aead = StreamingAead::new(&StreamingKey::generate()?, 4096)?;
/// let mut writer = aead.sealing_writer(Vec::new(), b"aad")?;
/// writer.write_all(b"first part, ")?;
/// writer.write_all(b"second part")?;
/// let sealed = writer.finish()?;
/// assert_eq!(aead.open(&sealed, b"aad")?, b"first part, second part");
/// # Ok(())
/// # }
/// ```
pub struct SealingWriter<W: Write> {
    inner: W,
    cipher: SegmentCipher,
    layout: Layout,
    plaintext: Zeroizing<Vec<u8>>,
    ciphertext: Vec<u8>,
    index: u32,
}

impl StreamingAead {
    /// Starts sealing into `inner`, bound to `aad`; the header is written at once.
    pub fn sealing_writer<W: Write>(&self, mut inner: W, aad: &[u8]) -> Result<SealingWriter<W>> {
        let header = StreamHeader::random()?;
        inner.write_all(&header.to_bytes())?;
        Ok(SealingWriter {
            inner,
            cipher: SegmentCipher::new(&self.key, &header, aad),
            layout: self.layout,
            plaintext: Zeroizing::new(Vec::with_capacity(self.layout.plaintext_size() as usize)),
            ciphertext: Vec::with_capacity(self.layout.segment_size()),
            index: 0,
        })
    }
}

impl<W: Write> SealingWriter<W> {
    /// Plaintext bytes the current segment holds when full.
    fn capacity(&self) -> usize {
        if self.index == 0 {
            self.layout.first_plaintext_size() as usize
        } else {
            self.layout.plaintext_size() as usize
        }
    }

    fn seal_buffered(&mut self, last: bool) -> Result<()> {
        self.ciphertext.resize(self.plaintext.len() + TAG_LEN, 0);
        self.cipher
            .seal_segment(self.index, last, &self.plaintext, &mut self.ciphertext);
        self.inner.write_all(&self.ciphertext)?;
        self.plaintext.clear();
        if !last {
            self.index = self
                .index
                .checked_add(1)
                .ok_or(CryptoError::InvalidParameter(
                    "stream too long for this segment size (more than 2^32 segments)",
                ))?;
        }
        Ok(())
    }

    /// Seals the final segment, flushes, and returns the inner writer.
    pub fn finish(mut self) -> Result<W> {
        self.seal_buffered(true)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for SealingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while !rest.is_empty() {
            // A full segment is sealed only once more data arrives: the last one is sealed by
            // `finish`, flagged as last.
            if self.plaintext.len() == self.capacity() {
                self.seal_buffered(false)?;
            }
            let take = (self.capacity() - self.plaintext.len()).min(rest.len());
            self.plaintext.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
        }
        Ok(buf.len())
    }

    /// Flushes the inner writer. Buffered plaintext stays buffered: a segment is sealed only
    /// when it is full or the stream is finished.
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Write> std::fmt::Debug for SealingWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealingWriter")
            .field("segment", &self.index)
            .finish_non_exhaustive()
    }
}
