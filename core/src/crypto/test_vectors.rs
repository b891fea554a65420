//! Known-answer vectors for the unit tests (the files in `core/tests/vectors/`).

use serde_json::Value;

/// `standards.json`: NIST SP 800-38A, RFC 9106 and RFC 6238 values.
pub(crate) fn standards() -> Value {
    parse(include_str!("../../tests/vectors/standards.json"))
}

/// `tink_aes256_ctr_hmac_sha256.json`: ciphertexts made by Tink.
pub(crate) fn tink() -> Value {
    parse(include_str!(
        "../../tests/vectors/tink_aes256_ctr_hmac_sha256.json"
    ))
}

/// The bytes of a hex-encoded field.
pub(crate) fn hex_field(value: &Value, name: &str) -> Vec<u8> {
    hex::decode(value[name].as_str().expect("hex field")).expect("hex")
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("vector file parses")
}
