//! Opening a Tink `AesCtrHmacStreaming` ciphertext (`crypto/streaming/`) under a fixed key.
//! Input: `u16 segment size ‖ u16 offset ‖ u16 length ‖ ciphertext`.
//!
//! Opening on one thread and on all cores, and through the streaming reader, agree; a
//! ciphertext that opens is byte for byte the sealing of its plaintext under its own header;
//! every range of it reads back the same, whole or planned.
#![no_main]

use std::io::Read;

use libfuzzer_sys::fuzz_target;
use medvault::crypto::{MIN_SEGMENT_SIZE, Parallelism, StreamingAead};
use medvault_fuzz::{Input, STREAM_AAD, streaming_key, within};

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let segment_size = u32::from(input.u16()).max(MIN_SEGMENT_SIZE);
    let (offset, len) = (u64::from(input.u16()), u64::from(input.u16()));
    let ciphertext = input.rest();
    let aead = StreamingAead::new(&streaming_key(), segment_size)
        .expect("sizes from 73 bytes to 64 KiB are valid");

    let sequential = aead
        .clone()
        .with_parallelism(Parallelism::Sequential)
        .open(ciphertext, STREAM_AAD);
    let parallel = aead
        .clone()
        .with_parallelism(Parallelism::AllCores)
        .open(ciphertext, STREAM_AAD);
    assert_eq!(
        format!("{sequential:?}"),
        format!("{parallel:?}"),
        "one thread and all cores disagree"
    );
    let streamed = aead
        .opening_reader(ciphertext, STREAM_AAD)
        .and_then(|mut reader| {
            let mut plaintext = Vec::new();
            reader.read_to_end(&mut plaintext)?;
            Ok(plaintext)
        });
    assert_eq!(sequential.as_ref().ok(), streamed.as_ref().ok());
    assert_eq!(
        sequential.is_ok(),
        streamed.is_ok(),
        "{sequential:?} / {streamed:?}"
    );

    let _ = aead.open_range(ciphertext, STREAM_AAD, offset, len);
    if let Ok(plan) = aead.plan_range(ciphertext.len() as u64, offset, len) {
        let range = plan.ciphertext_range();
        if let Some(segments) = ciphertext.get(range.start as usize..range.end as usize) {
            let _ = aead.open_planned_range(ciphertext, &plan, segments, STREAM_AAD);
        }
    }

    let Ok(plaintext) = sequential else { return };
    let resealed = medvault::fuzzing::seal_stream(&aead, ciphertext, &plaintext, STREAM_AAD)
        .expect("what opened seals again");
    assert_eq!(
        resealed, ciphertext,
        "a ciphertext that opens is its plaintext's sealing"
    );

    let range = within(offset, len, plaintext.len());
    let wanted = &plaintext[range.clone()];
    let (offset, len) = (range.start as u64, range.len() as u64);
    let ranged = aead
        .open_range(ciphertext, STREAM_AAD, offset, len)
        .expect("a range of a ciphertext that opens opens");
    assert_eq!(ranged, wanted);
    let plan = aead
        .plan_range(ciphertext.len() as u64, offset, len)
        .expect("a range within the plaintext plans");
    let range = plan.ciphertext_range();
    let planned = aead
        .open_planned_range(
            ciphertext,
            &plan,
            &ciphertext[range.start as usize..range.end as usize],
            STREAM_AAD,
        )
        .expect("a planned range of a ciphertext that opens opens");
    assert_eq!(planned, wanted);
});
