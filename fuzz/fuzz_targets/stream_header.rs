//! The header of a Tink `AesCtrHmacStreaming` ciphertext (`crypto/streaming/segment.rs`): a
//! header that parses is written back as the same 40 bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(header) = medvault::fuzzing::parse_stream_header(data) {
        assert_eq!(header[..], data[..header.len()]);
    }
});
