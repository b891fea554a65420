//! Opening a record ciphertext (`crypto/aead.rs`, Tink `AesCtrHmacAead`: wrapped keys, slots,
//! log batches, metadata and index values all use it) under a fixed key. Input:
//! `u8 aad length ‖ aad ‖ ciphertext`. A ciphertext that opens is byte for byte the sealing of
//! its plaintext under its own IV.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medvault::crypto::AEAD_IV_LEN;
use medvault_fuzz::{Input, record_aead};

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let aad_len = usize::from(input.byte());
    let aad = input.take(aad_len);
    let ciphertext = input.rest();
    let aead = record_aead();
    let Ok(plaintext) = aead.open(ciphertext, aad) else {
        return;
    };
    let iv: [u8; AEAD_IV_LEN] = ciphertext[..AEAD_IV_LEN]
        .try_into()
        .expect("a ciphertext that opens has an IV");
    assert_eq!(
        medvault::fuzzing::seal_record(&aead, iv, &plaintext, aad),
        ciphertext,
        "a ciphertext that opens is its plaintext's sealing"
    );
});
