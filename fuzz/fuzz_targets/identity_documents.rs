//! The identity layer's documents as the vault stores them (`core/identity/src/`: accounts,
//! sessions, break-glass grants), decoded as the layer reads them, and the Argon2id PHC string
//! an account holds. Input: `u8 kind ‖ JSON body`. A document that decodes encodes to bytes
//! that decode and encode to themselves.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medvault::crypto::PasswordHasher;
use medvault_fuzz::{Input, reencodes_to_itself};
use medvault_identity::fuzzing::{StoredDocument, account};

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let kind = StoredDocument::ALL[usize::from(input.byte()) % StoredDocument::ALL.len()];
    let body = input.rest();
    reencodes_to_itself(kind, body, |bytes| kind.reencode(bytes));
    if let Ok((info, password)) = account(body) {
        let _ = info.factor.as_str();
        let _ = PasswordHasher::default().needs_rehash(&password);
    }
});
