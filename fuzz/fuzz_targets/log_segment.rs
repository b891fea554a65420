//! Log segments (`vault/log/segment.rs`) and the scan that reads them back
//! (`vault/log/reader.rs`): where the whole frames end, and whether what follows is zeros, a
//! torn tail, or damage. Input: `u8 flags ‖ u8 after ‖ segment bytes`. Flag bit 0 makes a frame
//! whole when its body is its sequence in 8 little-endian bytes (so that new whole frames are
//! easy to make); otherwise a frame is whole when it opens as a batch under the fixed keys.
//! Bit 1 skips the batches up to `after`, as a read after the last applied one does.
//!
//! A header and a frame that parse are written back as the same bytes; every frame handed on
//! lies within the whole frames, in order, and its sequence rises; what follows the whole
//! frames is zeros exactly when the scan says it is not torn; and a scan resumed where a frame
//! ended finds the same frames after it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medvault::fuzzing::{
    open_log_batch, parse_segment_header, scan_segment, segment_frame, segment_frame_at,
    segment_frame_candidates, segment_header,
};
use medvault_fuzz::{Input, keys, writer};

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let flags = input.byte();
    let after = (flags & 2 != 0).then_some(u64::from(input.byte()));
    let bytes = input.rest();
    let simple = flags & 1 != 0;
    let opens = |sequence: u64, body: &[u8]| {
        if simple {
            body == sequence.to_le_bytes()
        } else {
            open_log_batch(keys(), writer(), sequence, body).is_ok()
        }
    };

    let first = match parse_segment_header(bytes) {
        Ok(Some(first)) => {
            assert_eq!(segment_header(first)[..], bytes[..16]);
            first
        }
        Ok(None) => 0,
        Err(_) => return,
    };
    if let Some((sequence, body)) = segment_frame_at(bytes) {
        let frame = segment_frame(sequence, body).expect("a frame that was read is framed");
        assert_eq!(frame[..], bytes[..frame.len()]);
    }
    for at in segment_frame_candidates(bytes) {
        assert_eq!(&bytes[at..at + 4], b"MVLF");
    }

    let Ok(scan) = scan_segment(bytes, writer(), first, after, None, opens) else {
        return;
    };
    assert!(scan.end <= bytes.len());
    assert_eq!(
        scan.torn,
        bytes[scan.end..].iter().any(|byte| *byte != 0),
        "torn exactly when something other than zeros follows the whole frames"
    );
    let mut previous_end = 16;
    let mut previous_sequence = None;
    for (sequence, body) in &scan.frames {
        assert!(body.start >= previous_end + 16 && body.end <= scan.end);
        assert!(*sequence >= first && previous_sequence < Some(*sequence));
        assert!(opens(*sequence, &bytes[body.clone()]));
        previous_end = body.end;
        previous_sequence = Some(*sequence);
    }
    if scan.frames.is_empty() {
        return;
    }

    // Resume after the middle frame, as a later read does with the cursor this one left.
    let middle = scan.frames.len() / 2;
    let (last, body) = scan.frames[middle].clone();
    let resumed = scan_segment(
        &bytes[body.end..],
        writer(),
        first,
        after.max(Some(last)),
        Some((body.end as u64, last)),
        opens,
    )
    .expect("a scan resumed where a frame ended reads what the whole scan read");
    assert_eq!(resumed.end + body.end, scan.end);
    assert_eq!(resumed.torn, scan.torn);
    let later: Vec<_> = scan.frames[middle + 1..]
        .iter()
        .map(|(sequence, frame)| (*sequence, frame.start))
        .collect();
    let found: Vec<_> = resumed
        .frames
        .iter()
        .map(|(sequence, range)| (*sequence, range.start + body.end))
        .collect();
    assert_eq!(found, later);
});
