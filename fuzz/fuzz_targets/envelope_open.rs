//! Opening an envelope (`crypto/envelope.rs`) under a fixed data key and identity, whole, as a
//! stream, and by range. Input: `u16 offset ‖ u16 length ‖ envelope`.
//!
//! The three ways agree; an envelope that opens is byte for byte the sealing of what it opened
//! to (with its own headers), so no byte of it goes unauthenticated; and every range of what
//! it opened to reads back the same.
#![no_main]

use std::io::Read;

use libfuzzer_sys::fuzz_target;
use medvault::crypto::{ENVELOPE_HEADER_LEN, Envelope};
use medvault_fuzz::{Input, data_key, identity, within};

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let (offset, len) = (u64::from(input.u16()), u64::from(input.u16()));
    let envelope = input.rest();
    let (key, identity) = (data_key(), identity());

    let whole = Envelope::open(&key, &identity, envelope);
    let streamed = Envelope::opening_reader(&key, &identity, envelope).and_then(|mut reader| {
        let mut plaintext = Vec::new();
        reader.read_to_end(&mut plaintext)?;
        Ok(plaintext)
    });
    assert_eq!(whole.as_ref().ok(), streamed.as_ref().ok());
    assert_eq!(whole.is_ok(), streamed.is_ok(), "{whole:?} / {streamed:?}");

    // Any range may be asked of any bytes: only the segments it needs are authenticated.
    let _ = Envelope::open_range(&key, &identity, envelope, offset, len);

    let Ok(plaintext) = whole else { return };
    let header = Envelope::parse_header(envelope).expect("an envelope that opens has a header");
    let resealed = medvault::fuzzing::seal_envelope(
        &key,
        header.key_id(),
        &identity,
        &plaintext,
        header.segment_size(),
        &envelope[ENVELOPE_HEADER_LEN..],
    )
    .expect("what opened seals again");
    assert_eq!(
        resealed, envelope,
        "an envelope that opens is its plaintext's sealing"
    );

    let range = within(offset, len, plaintext.len());
    let wanted = &plaintext[range.clone()];
    let (offset, len) = (range.start as u64, range.len() as u64);
    let ranged = Envelope::open_range(&key, &identity, envelope, offset, len)
        .expect("a range of an envelope that opens opens");
    assert_eq!(ranged, wanted);
    let plan = Envelope::plan_range(
        &key,
        header.segment_size(),
        envelope.len() as u64,
        offset,
        len,
    )
    .expect("a range within the plaintext plans");
    let prefix = plan.prefix_range();
    let segments = plan.segments_range();
    let planned = plan
        .open(
            &identity,
            &envelope[prefix.start as usize..prefix.end as usize],
            &envelope[segments.start as usize..segments.end as usize],
        )
        .expect("a planned range of an envelope that opens opens");
    assert_eq!(planned, wanted);
});
