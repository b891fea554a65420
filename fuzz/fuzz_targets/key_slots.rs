//! Unlock slots and the vault descriptor that holds them (`crypto/slots.rs`,
//! `vault/descriptor.rs`). Input: `u8 which (even: slots, odd: descriptor) ‖ bytes`.
//!
//! What decodes is encoded back as the same bytes; a raw-key unlock of decoded slots gives
//! their root key or a typed error. (Passphrase slots are not unlocked here: their stored
//! Argon2id parameters may ask for up to 4 GiB, by design.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use medvault::crypto::UnlockCredential;
use medvault::crypto::hazmat::KeySlots;
use medvault_fuzz::{Input, raw_unlock_key};

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let descriptor = input.byte() % 2 == 1;
    let bytes = input.rest();
    let slots = if descriptor {
        let Ok(slots) = medvault::fuzzing::decode_descriptor(bytes) else {
            return;
        };
        assert_eq!(medvault::fuzzing::encode_descriptor(&slots), bytes);
        slots
    } else {
        let Ok(slots) = KeySlots::from_bytes(bytes) else {
            return;
        };
        assert_eq!(slots.to_bytes(), bytes);
        slots
    };
    assert!(!slots.slots().is_empty());
    let key = raw_unlock_key();
    if let Ok(root) = slots.unlock(UnlockCredential::RawKey(&key)) {
        assert_eq!(root.id(), slots.root_key_id());
    }
});
