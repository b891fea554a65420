//! Checkpoints of the index (`vault/checkpoint.rs`). Input: `u8 mode ‖ bytes`: an even mode
//! opens the bytes as a sealed checkpoint under the fixed keys; an odd one seals them as a
//! checkpoint's plaintext first, so that opening reaches the decoder of entries.
//!
//! Opening and decoding agree; entries that open seal to a checkpoint that opens to them again,
//! but not as another writer's.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medvault::fuzzing::{
    decode_checkpoint, open_checkpoint, seal_checkpoint, seal_checkpoint_plain,
};
use medvault::vault::WriterId;
use medvault_fuzz::{Input, SEQUENCE, keys, open_or_seal_first, writer};

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let sealed_by_us = input.byte() % 2 == 1;
    let bytes = input.rest();
    let keys = keys();
    let opened = open_or_seal_first(
        sealed_by_us,
        bytes,
        |plain| seal_checkpoint_plain(keys, writer(), SEQUENCE, plain).expect("any bytes seal"),
        |sealed| open_checkpoint(keys, writer(), SEQUENCE, sealed),
        decode_checkpoint,
    );
    let Ok(entries) = opened else { return };
    let sealed = seal_checkpoint(keys, writer(), SEQUENCE, &entries).expect("entries seal");
    assert_eq!(
        open_checkpoint(keys, writer(), SEQUENCE, &sealed).ok(),
        Some(entries)
    );
    let other = WriterId::from_bytes([0xee; 16]);
    assert!(open_checkpoint(keys, other, SEQUENCE, &sealed).is_err());
});
