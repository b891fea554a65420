//! The envelope header (`crypto/envelope.rs`): a header that parses is written back as the
//! same 24 bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medvault::crypto::{ENVELOPE_HEADER_LEN, Envelope, EnvelopeHeader};

fuzz_target!(|data: &[u8]| {
    let parsed = EnvelopeHeader::parse(data);
    assert_eq!(
        parsed.as_ref().ok(),
        Envelope::parse_header(data).as_ref().ok()
    );
    if let Ok(header) = parsed {
        assert_eq!(header.to_bytes()[..], data[..ENVELOPE_HEADER_LEN]);
    }
});
