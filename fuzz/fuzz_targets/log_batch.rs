//! Log batches (`vault/log/mod.rs`, the batches `vault/commit.rs` seals). Input:
//! `u8 mode ‖ bytes`: an even mode opens the bytes as a sealed batch under the fixed keys; an
//! odd one seals them as a batch's plaintext first, so that opening reaches the decoder of
//! mutations.
//!
//! Opening and decoding agree; mutations that decode encode to bytes that decode to the same
//! mutations, and seal to a batch that opens to them again, but not as another batch.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medvault::fuzzing::{decode_log_batch, open_log_batch, seal_log_batch, seal_log_batch_plain};
use medvault_fuzz::{Input, SEQUENCE, keys, open_or_seal_first, writer};

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let sealed_by_us = input.byte() % 2 == 1;
    let bytes = input.rest();
    let keys = keys();
    let opened = open_or_seal_first(
        sealed_by_us,
        bytes,
        |plain| seal_log_batch_plain(keys, writer(), SEQUENCE, plain).expect("any bytes seal"),
        |sealed| open_log_batch(keys, writer(), SEQUENCE, sealed),
        decode_log_batch,
    );
    let Ok(mutations) = opened else { return };
    let encoded = mutations.encode().expect("mutations encode");
    assert_eq!(decode_log_batch(&encoded).ok(), Some(mutations.clone()));
    let sealed = seal_log_batch(keys, writer(), SEQUENCE, &mutations).expect("mutations seal");
    assert_eq!(
        open_log_batch(keys, writer(), SEQUENCE, &sealed).ok(),
        Some(mutations)
    );
    assert!(open_log_batch(keys, writer(), SEQUENCE + 1, &sealed).is_err());
});
