//! Wrapped data keys (`crypto/keys.rs`, `WrappedDataKey::from_bytes`): what decodes is encoded
//! back as the same bytes; one that unwraps under the fixed root key wraps and rewraps again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medvault::crypto::KeyId;
use medvault::crypto::hazmat::WrappedDataKey;
use medvault_fuzz::{root_key, wrapping_vault};

fuzz_target!(|data: &[u8]| {
    let Ok(wrapped) = WrappedDataKey::from_bytes(data) else {
        return;
    };
    assert_eq!(wrapped.to_bytes(), data);
    let root = root_key(wrapped.root_key_id());
    let vault = wrapping_vault();
    let Ok(key) = wrapped.unwrap(&root, vault) else {
        return;
    };
    let other_root = root_key(KeyId::from_bytes([0x99; 16]));
    let rewrapped = wrapped
        .rewrap(vault, &root, &other_root)
        .expect("a key that unwraps rewraps");
    assert_eq!(rewrapped.key_id(), wrapped.key_id());
    assert!(rewrapped.unwrap(&other_root, vault).expect("rewrapped") == key);
    assert!(rewrapped.unwrap(&root, vault).is_err());
});
