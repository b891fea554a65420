//! The hospital's documents as the vault stores them (`core/hospital/src/`: patient files,
//! physicians, appointments, events, notes, daily tallies), decoded as the hospital reads them.
//! Input: `u8 kind ‖ JSON body`. A document that decodes encodes to bytes that decode and
//! encode to themselves; a day's tallies sum to the dashboard's counts, however many writers
//! stored the same one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medvault_fuzz::{Input, reencodes_to_itself};
use medvault_hospital::fuzzing::{StoredDocument, day_counts};

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let kind = StoredDocument::ALL[usize::from(input.byte()) % StoredDocument::ALL.len()];
    let body = input.rest();
    reencodes_to_itself(kind, body, |bytes| kind.reencode(bytes));
    let _ = day_counts(&[body]);
    let _ = day_counts(&[body, body, body]);
});
