//! The segment format: a writer's log batches appended one after another in one file of a
//! folder store, each in a frame (FORMAT.md §10).
//!
//! ```text
//! segment = header ‖ frame* ‖ zeros (space prepared for the next frames)
//! header  = "MVLS" ‖ version (1) ‖ 3 zero bytes ‖ first sequence (u64 LE)      16 bytes
//! frame   = "MVLF" ‖ body length (u32 LE) ‖ sequence (u64 LE) ‖ body           16 + body
//! ```
//!
//! The body is a sealed log batch, which authenticates its own writer and sequence; the frame
//! adds only what is needed to find it. This module knows the shapes, not the keys: whether a
//! frame is whole is decided by opening its body.

use super::super::error::{Result, VaultError};

const HEADER_MAGIC: &[u8; 4] = b"MVLS";
const FRAME_MAGIC: &[u8; 4] = b"MVLF";
const VERSION: u8 = 1;

/// The length of a segment's header, where its first frame starts.
pub(crate) const HEADER_LEN: usize = 16;
/// The length of a frame's header, before its body.
pub(crate) const FRAME_HEADER_LEN: usize = 16;

/// The header of a segment whose first frame holds batch `first`.
pub(crate) fn header(first: u64) -> [u8; HEADER_LEN] {
    let mut header = [0u8; HEADER_LEN];
    header[..4].copy_from_slice(HEADER_MAGIC);
    header[4] = VERSION;
    header[8..].copy_from_slice(&first.to_le_bytes());
    header
}

/// Reads a segment's header: `None` for a segment whose header was never written (all zeros
/// or shorter than a header: creation was cut short, and it holds no frame), the first
/// sequence otherwise.
pub(crate) fn parse_header(bytes: &[u8]) -> Result<Option<u64>> {
    let Some(header) = bytes.first_chunk::<HEADER_LEN>() else {
        return Ok(None);
    };
    if header.iter().all(|byte| *byte == 0) {
        return Ok(None);
    }
    if &header[..4] != HEADER_MAGIC {
        return Err(VaultError::malformed(
            "log segment",
            "it does not start with MVLS",
        ));
    }
    if header[4] != VERSION || header[5..8] != [0, 0, 0] {
        return Err(VaultError::malformed(
            "log segment",
            format!("format version {} is not supported", header[4]),
        ));
    }
    let mut first = [0u8; 8];
    first.copy_from_slice(&header[8..]);
    Ok(Some(u64::from_le_bytes(first)))
}

/// Frames batch `sequence` (its sealed bytes `body`).
pub(crate) fn frame(sequence: u64, body: &[u8]) -> Result<Vec<u8>> {
    let len = u32::try_from(body.len()).map_err(|_| {
        VaultError::invalid(
            "log batch",
            "it is larger than a segment frame can hold (4 GiB)",
        )
    })?;
    let mut frame = Vec::with_capacity(FRAME_HEADER_LEN + body.len());
    frame.extend_from_slice(FRAME_MAGIC);
    frame.extend_from_slice(&len.to_le_bytes());
    frame.extend_from_slice(&sequence.to_le_bytes());
    frame.extend_from_slice(body);
    Ok(frame)
}

/// A frame found in a segment's bytes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Frame<'a> {
    /// The batch's sequence, as the frame states it (the body's seal binds it).
    pub(crate) sequence: u64,
    /// The sealed batch.
    pub(crate) body: &'a [u8],
}

impl Frame<'_> {
    /// The frame's length in the segment.
    pub(crate) fn len(&self) -> usize {
        FRAME_HEADER_LEN + self.body.len()
    }
}

/// The frame that starts at the beginning of `bytes`, if one is there in full: its magic, and
/// a length that fits in `bytes`. Whether its body is whole is for its seal to say.
pub(crate) fn frame_at(bytes: &[u8]) -> Option<Frame<'_>> {
    let header = bytes.first_chunk::<FRAME_HEADER_LEN>()?;
    if &header[..4] != FRAME_MAGIC {
        return None;
    }
    let mut len = [0u8; 4];
    len.copy_from_slice(&header[4..8]);
    let mut sequence = [0u8; 8];
    sequence.copy_from_slice(&header[8..]);
    let body = bytes
        .get(FRAME_HEADER_LEN..)?
        .get(..usize::try_from(u32::from_le_bytes(len)).ok()?)?;
    Some(Frame {
        sequence: u64::from_le_bytes(sequence),
        body,
    })
}

/// The offsets in `bytes` where something that looks like a frame starts: where to look for
/// whole frames past a place where reading stopped.
pub(crate) fn frame_candidates(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .windows(FRAME_MAGIC.len())
        .enumerate()
        .filter(|(_, window)| *window == FRAME_MAGIC)
        .map(|(at, _)| at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_read_back() {
        let first = frame(7, b"sealed batch").expect("frame");
        let second = frame(8, b"").expect("frame");
        let mut bytes = first.clone();
        bytes.extend_from_slice(&second);
        let found = frame_at(&bytes).expect("first frame");
        assert_eq!(
            found,
            Frame {
                sequence: 7,
                body: b"sealed batch"
            }
        );
        assert_eq!(found.len(), first.len());
        assert_eq!(
            frame_at(&bytes[first.len()..]).map(|frame| frame.sequence),
            Some(8)
        );
        assert_eq!(
            frame_candidates(&bytes).collect::<Vec<_>>(),
            [0, first.len()]
        );
    }

    #[test]
    fn a_cut_frame_is_not_a_frame() {
        let whole = frame(1, b"sealed batch").expect("frame");
        for len in 0..whole.len() {
            assert_eq!(frame_at(&whole[..len]), None, "cut to {len} bytes");
        }
        assert_eq!(frame_at(&[0; 64]), None);
    }

    #[test]
    fn headers_read_back_and_bad_ones_are_refused() {
        assert_eq!(parse_header(&header(42)).expect("header"), Some(42));
        assert_eq!(parse_header(&[0; HEADER_LEN]).expect("zeros"), None);
        assert_eq!(parse_header(&[0; 3]).expect("short"), None);
        let mut bad = header(1);
        bad[0] = b'X';
        assert!(matches!(
            parse_header(&bad),
            Err(VaultError::Malformed { .. })
        ));
        let mut future = header(1);
        future[4] = 2;
        assert!(matches!(
            parse_header(&future),
            Err(VaultError::Malformed { .. })
        ));
    }
}
