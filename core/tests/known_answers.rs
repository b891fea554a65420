//! Known-answer tests from the standards and from Tink, through the public API. Vectors are in
//! `tests/vectors/` (see its README for their sources). AES-256-CTR (NIST SP 800-38A), RFC 9106
//! Argon2id and the byte-exact reproduction of Tink ciphertexts are unit tests beside the code.

// Test helpers outside `#[test]` functions fail loudly on broken fixtures.
#![allow(clippy::expect_used)]

use medvault::crypto::hazmat::{
    HKDF_SHA256_MAX_OUTPUT, TAG_LEN, hkdf_sha256, hmac_sha256, verify_hmac_sha256,
};
use medvault::crypto::{AeadKey, CryptoError, RecordAead, StreamingAead, StreamingKey};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("vector file")).expect("JSON")
}

fn hex_field(value: &Value, name: &str) -> Vec<u8> {
    hex::decode(value[name].as_str().expect("hex field")).expect("hex")
}

fn cases(file: &Value) -> Vec<(Value, Value)> {
    file["testGroups"]
        .as_array()
        .expect("groups")
        .iter()
        .flat_map(|group| {
            group["tests"]
                .as_array()
                .expect("tests")
                .iter()
                .map(move |test| (group.clone(), test.clone()))
        })
        .collect()
}

#[test]
fn wycheproof_hmac_sha256() {
    let file = load("wycheproof_hmac_sha256_test.json");
    let all = cases(&file);
    assert_eq!(all.len(), 174);
    let (mut valid, mut invalid) = (0, 0);
    for (group, test) in all {
        let id = &test["tcId"];
        let tag_bytes = group["tagSize"].as_u64().expect("tag size") as usize / 8;
        let (key, msg, tag) = (
            hex_field(&test, "key"),
            hex_field(&test, "msg"),
            hex_field(&test, "tag"),
        );
        let computed = hmac_sha256(&key, &msg);
        let verdict = verify_hmac_sha256(&key, &msg, &tag);
        match test["result"].as_str().expect("result") {
            "valid" => {
                valid += 1;
                assert_eq!(&computed[..tag_bytes], &tag[..], "case {id}");
                if tag_bytes == TAG_LEN {
                    assert!(verdict.is_ok(), "case {id}");
                } else {
                    // Truncated tags are refused by design: every format carries full tags.
                    assert!(matches!(verdict, Err(CryptoError::InvalidParameter(_))));
                }
            }
            _ => {
                invalid += 1;
                assert_ne!(&computed[..tag_bytes], &tag[..], "case {id}");
                assert!(verdict.is_err(), "case {id} must be rejected");
                if tag_bytes == TAG_LEN {
                    assert!(matches!(verdict, Err(CryptoError::AuthenticationFailed)));
                }
            }
        }
    }
    assert_eq!((valid, invalid), (66, 108));
}

#[test]
fn wycheproof_hkdf_sha256() {
    let file = load("wycheproof_hkdf_sha256_test.json");
    let all = cases(&file);
    assert_eq!(all.len(), 86);
    for (_, test) in all {
        let id = &test["tcId"];
        let size = test["size"].as_u64().expect("size") as usize;
        let mut okm = vec![0u8; size];
        let result = hkdf_sha256(
            &hex_field(&test, "ikm"),
            &hex_field(&test, "salt"),
            &hex_field(&test, "info"),
            &mut okm,
        );
        match test["result"].as_str().expect("result") {
            "valid" => {
                result.expect("valid case derives");
                assert_eq!(okm, hex_field(&test, "okm"), "case {id}");
            }
            _ => {
                assert!(size > HKDF_SHA256_MAX_OUTPUT, "case {id}");
                assert!(
                    matches!(result, Err(CryptoError::InvalidParameter(_))),
                    "case {id} must be rejected"
                );
            }
        }
    }
}

#[test]
fn tink_record_aead_ciphertexts_open() {
    let file = load("tink_aes256_ctr_hmac_sha256.json");
    let all = file["aead_aes256_ctr_hmac_sha256"]
        .as_array()
        .expect("cases");
    assert_eq!(all.len(), 5);
    for case in all {
        let aead = RecordAead::new(&AeadKey::from_parts(
            hex_field(case, "aes_key_hex").try_into().expect("32 bytes"),
            hex_field(case, "hmac_key_hex")
                .try_into()
                .expect("32 bytes"),
        ));
        let aad = hex_field(case, "aad_hex");
        let ciphertext = hex_field(case, "ciphertext_hex");
        assert_eq!(
            aead.open(&ciphertext, &aad).expect("Tink ciphertext opens"),
            hex_field(case, "plaintext_hex")
        );
        let mut other_aad = aad.clone();
        other_aad.push(0);
        assert!(matches!(
            aead.open(&ciphertext, &other_aad),
            Err(CryptoError::AuthenticationFailed)
        ));
    }
}

#[test]
fn tink_streaming_ciphertexts_open_whole_streamed_and_by_range() {
    let file = load("tink_aes256_ctr_hmac_sha256.json");
    for case in file["streaming_aes256_ctr_hmac_sha256"]
        .as_array()
        .expect("cases")
    {
        let Some(ciphertext) = case.get("ciphertext_hex").and_then(Value::as_str) else {
            continue; // the 3 MiB case is reproduced byte for byte by a unit test
        };
        let ciphertext = hex::decode(ciphertext).expect("hex");
        let key = StreamingKey::from_slice(&hex_field(case, "key_hex")).expect("key");
        let segment_size = case["segment_size"].as_u64().expect("size") as u32;
        let aead = StreamingAead::new(&key, segment_size).expect("segment size");
        let aad = hex_field(case, "aad_hex");
        let plaintext = hex_field(case, "plaintext_hex");
        assert_eq!(aead.open(&ciphertext, &aad).expect("opens"), plaintext);
        let mut streamed = Vec::new();
        std::io::Read::read_to_end(
            &mut aead.opening_reader(&ciphertext[..], &aad).expect("reader"),
            &mut streamed,
        )
        .expect("stream opens");
        assert_eq!(streamed, plaintext);
        if plaintext.len() > 10 {
            let (offset, len) = (plaintext.len() / 3, plaintext.len() / 2);
            let range = aead
                .open_range(&ciphertext[..], &aad, offset as u64, len as u64)
                .expect("range opens");
            assert_eq!(range, &plaintext[offset..offset + len]);
        }
    }
}
