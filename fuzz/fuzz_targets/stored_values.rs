//! The opened values of the local index (`vault/index/`: record versions, document revisions,
//! audit heads, log cursors, sequences, the check value, key ids) and records' opened metadata
//! (`vault/record_ops.rs`). Input: `u8 kind ‖ plaintext`. A value that decodes encodes to
//! bytes that decode and encode to themselves.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medvault::fuzzing::StoredValue;
use medvault_fuzz::Input;

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let kind = StoredValue::ALL[usize::from(input.byte()) % StoredValue::ALL.len()];
    let Ok(encoded) = kind.reencode(input.rest()) else {
        return;
    };
    assert_eq!(
        kind.reencode(&encoded).ok().as_ref(),
        Some(&encoded),
        "{kind:?}"
    );
});
