//! Where each segment of a Tink `AesCtrHmacStreaming` ciphertext lies.
//!
//! The ciphertext is `header ‖ segment 0 ‖ segment 1 ‖ …`. Every segment but the last is exactly
//! `segment_size` bytes, counting the header as part of segment 0, so that segment `i > 0` starts
//! at byte `i · segment_size`. Each segment is `ciphertext ‖ tag(32)`.

use std::ops::Range;

use super::super::error::{CryptoError, Result};
use super::super::mac::TAG_LEN;
use super::HEADER_LEN;

/// Segment indexes are 32-bit: a stream has at most 2^32 segments.
const MAX_SEGMENTS: u64 = 1 << 32;

/// The segment geometry for one ciphertext segment size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    segment_size: u64,
}

impl Layout {
    /// `segment_size` must already be validated against the format's bounds.
    pub(crate) fn new(segment_size: u32) -> Self {
        Self {
            segment_size: u64::from(segment_size),
        }
    }

    /// Ciphertext segment size, header included in segment 0.
    pub(crate) fn segment_size(&self) -> usize {
        self.segment_size as usize
    }

    /// Plaintext bytes in segment 0.
    pub(crate) fn first_plaintext_size(&self) -> u64 {
        self.segment_size - HEADER_LEN as u64 - TAG_LEN as u64
    }

    /// Plaintext bytes in every later full segment.
    pub(crate) fn plaintext_size(&self) -> u64 {
        self.segment_size - TAG_LEN as u64
    }

    /// How many segments a plaintext of `plaintext_len` bytes takes (at least one).
    pub(crate) fn segment_count(&self, plaintext_len: u64) -> u64 {
        let first = self.first_plaintext_size();
        if plaintext_len <= first {
            1
        } else {
            1 + (plaintext_len - first).div_ceil(self.plaintext_size())
        }
    }

    /// Ciphertext length for a plaintext of `plaintext_len` bytes. Fails beyond 2^32 segments.
    pub(crate) fn ciphertext_len(&self, plaintext_len: u64) -> Result<u64> {
        let segments = self.segment_count(plaintext_len);
        if segments > MAX_SEGMENTS {
            return Err(CryptoError::InvalidParameter(
                "plaintext too large for this segment size (more than 2^32 segments)",
            ));
        }
        Ok(HEADER_LEN as u64 + plaintext_len + segments * TAG_LEN as u64)
    }

    /// Number of segments of a ciphertext of `ciphertext_len` bytes, checking that the length
    /// is one an encrypter could have produced.
    pub(crate) fn segment_count_of_ciphertext(&self, ciphertext_len: u64) -> Result<u64> {
        if ciphertext_len < (HEADER_LEN + TAG_LEN) as u64 {
            return Err(CryptoError::Truncated {
                what: "ciphertext is shorter than its header and one tag",
            });
        }
        let full = ciphertext_len / self.segment_size;
        let remainder = ciphertext_len % self.segment_size;
        let segments = if remainder == 0 {
            full
        } else {
            if remainder < TAG_LEN as u64 {
                return Err(CryptoError::Truncated {
                    what: "last segment is shorter than its tag",
                });
            }
            full + 1
        };
        if segments > MAX_SEGMENTS {
            return Err(CryptoError::malformed(
                "ciphertext",
                "more than 2^32 segments",
            ));
        }
        Ok(segments)
    }

    /// Plaintext length of a ciphertext of `ciphertext_len` bytes.
    pub(crate) fn plaintext_len(&self, ciphertext_len: u64) -> Result<u64> {
        let segments = self.segment_count_of_ciphertext(ciphertext_len)?;
        Ok(ciphertext_len - HEADER_LEN as u64 - segments * TAG_LEN as u64)
    }

    /// Byte range of segment `index` inside a ciphertext of `ciphertext_len` bytes.
    pub(crate) fn segment_range(&self, index: u64, ciphertext_len: u64) -> Range<u64> {
        let start = if index == 0 {
            HEADER_LEN as u64
        } else {
            index * self.segment_size
        };
        let end = ((index + 1) * self.segment_size).min(ciphertext_len);
        start..end
    }

    /// Offset of the first plaintext byte of segment `index`.
    pub(crate) fn plaintext_start(&self, index: u64) -> u64 {
        if index == 0 {
            0
        } else {
            self.first_plaintext_size() + (index - 1) * self.plaintext_size()
        }
    }

    /// Segment holding plaintext byte `offset`.
    pub(crate) fn segment_of(&self, offset: u64) -> u64 {
        let first = self.first_plaintext_size();
        if offset < first {
            0
        } else {
            1 + (offset - first) / self.plaintext_size()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_tink_lengths() {
        let layout = Layout::new(4096);
        assert_eq!(layout.ciphertext_len(0).ok(), Some(72));
        assert_eq!(layout.ciphertext_len(1).ok(), Some(73));
        assert_eq!(layout.ciphertext_len(4024).ok(), Some(4096));
        assert_eq!(layout.ciphertext_len(4025).ok(), Some(4129));
        assert_eq!(layout.ciphertext_len(10000).ok(), Some(10136));
        for len in [0u64, 1, 4024, 4025, 8088, 8089, 10000] {
            let ct = layout.ciphertext_len(len).expect("fits");
            assert_eq!(layout.plaintext_len(ct).ok(), Some(len));
        }
    }

    #[test]
    fn segments_tile_the_ciphertext() {
        let layout = Layout::new(100);
        let ct = layout.ciphertext_len(1000).expect("fits");
        let n = layout.segment_count_of_ciphertext(ct).expect("valid");
        let mut next = HEADER_LEN as u64;
        let mut plain = 0;
        for i in 0..n {
            let r = layout.segment_range(i, ct);
            assert_eq!(r.start, next);
            assert_eq!(layout.plaintext_start(i), plain);
            assert_eq!(layout.segment_of(plain), i);
            plain += r.end - r.start - TAG_LEN as u64;
            next = r.end;
        }
        assert_eq!(next, ct);
        assert_eq!(plain, 1000);
    }
}
