//! Envelopes: identity binding, key naming, tampering, and the streaming and range paths.

// Test helpers outside `#[test]` functions fail loudly on broken fixtures.
#![allow(clippy::expect_used)]

use std::io::{Read, Write};

use medvault::crypto::{
    AeadKey, CryptoError, DataKey, ENVELOPE_HEADER_LEN, Envelope, KeyId, ObjectIdentity,
    RecordAead, VaultId,
};

struct Fixture {
    key: DataKey,
    key_id: KeyId,
    vault: VaultId,
}

fn fixture() -> Fixture {
    Fixture {
        key: DataKey::generate().expect("key"),
        key_id: KeyId::generate().expect("id"),
        vault: VaultId::generate().expect("id"),
    }
}

#[test]
fn opens_only_under_its_own_identity() {
    let f = fixture();
    let identity = ObjectIdentity::new("record", f.vault, b"object-1", 3);
    let sealed = Envelope::seal(&f.key, f.key_id, &identity, b"HbA1c 6.1%").expect("seal");
    assert_eq!(
        Envelope::parse_header(&sealed).expect("header").key_id(),
        f.key_id
    );
    assert_eq!(
        Envelope::open(&f.key, &identity, &sealed).expect("open"),
        b"HbA1c 6.1%"
    );

    let other_vault = VaultId::generate().expect("id");
    for moved in [
        ObjectIdentity::new("record", f.vault, b"object-2", 3),
        ObjectIdentity::new("record", f.vault, b"object-1", 4),
        ObjectIdentity::new("log", f.vault, b"object-1", 3),
        ObjectIdentity::new("record", other_vault, b"object-1", 3),
    ] {
        assert!(matches!(
            Envelope::open(&f.key, &moved, &sealed),
            Err(CryptoError::AuthenticationFailed)
        ));
    }
    let wrong_key = DataKey::generate().expect("key");
    assert!(matches!(
        Envelope::open(&wrong_key, &identity, &sealed),
        Err(CryptoError::AuthenticationFailed)
    ));
}

#[test]
fn every_bit_flip_of_a_multi_segment_envelope_fails() {
    let f = fixture();
    let identity = ObjectIdentity::new("record", f.vault, b"object-1", 1);
    let plaintext: Vec<u8> = (0..300u32).map(|i| i as u8).collect();
    let sealed = Envelope::seal_with_segment_size(&f.key, f.key_id, &identity, &plaintext, 128)
        .expect("seal");
    assert!(
        sealed.len() > ENVELOPE_HEADER_LEN + 128 * 3,
        "several segments"
    );
    for position in 0..sealed.len() {
        for bit in 0..8 {
            let mut tampered = sealed.clone();
            tampered[position] ^= 1 << bit;
            assert!(
                Envelope::open(&f.key, &identity, &tampered).is_err(),
                "byte {position} bit {bit} went unnoticed"
            );
        }
    }
}

#[test]
fn header_errors_are_typed() {
    let f = fixture();
    let identity = ObjectIdentity::new("record", f.vault, b"o", 1);
    let sealed = Envelope::seal(&f.key, f.key_id, &identity, b"x").expect("seal");
    assert!(matches!(
        Envelope::open(&f.key, &identity, &sealed[..10]),
        Err(CryptoError::Truncated { .. })
    ));
    let mut wrong_magic = sealed.clone();
    wrong_magic[0] = b'X';
    assert!(matches!(
        Envelope::open(&f.key, &identity, &wrong_magic),
        Err(CryptoError::Malformed { .. })
    ));
    let mut future = sealed.clone();
    future[2] = 2;
    assert!(matches!(
        Envelope::open(&f.key, &identity, &future),
        Err(CryptoError::UnsupportedVersion { found: 2, .. })
    ));
    let mut huge_segments = sealed.clone();
    huge_segments[4..8].copy_from_slice(&u32::MAX.to_be_bytes());
    assert!(matches!(
        Envelope::open(&f.key, &identity, &huge_segments),
        Err(CryptoError::Malformed { .. })
    ));
    // A valid header naming another key id no longer authenticates.
    let mut other_key_id = sealed;
    other_key_id[8] ^= 1;
    assert!(matches!(
        Envelope::open(&f.key, &identity, &other_key_id),
        Err(CryptoError::AuthenticationFailed)
    ));
}

#[test]
fn streaming_and_range_paths_agree_with_one_shot() {
    let f = fixture();
    let identity = ObjectIdentity::new("record", f.vault, b"scan.dcm", 1);
    let scan: Vec<u8> = (0..1_000_003u32).map(|i| (i * 31 % 256) as u8).collect();

    let mut writer =
        Envelope::sealing_writer(&f.key, f.key_id, &identity, Vec::new()).expect("writer");
    for chunk in scan.chunks(7919) {
        writer.write_all(chunk).expect("write");
    }
    let sealed = writer.finish().expect("finish");
    assert_eq!(
        Envelope::open(&f.key, &identity, &sealed).expect("open"),
        scan
    );

    let mut reader = Envelope::opening_reader(&f.key, &identity, &sealed[..]).expect("reader");
    let mut streamed = Vec::new();
    reader.read_to_end(&mut streamed).expect("read");
    assert!(streamed == scan);

    let path = std::env::temp_dir().join(format!("medvault-envelope-{}", std::process::id()));
    std::fs::write(&path, &sealed).expect("write file");
    let file = std::fs::File::open(&path).expect("open file");
    let range = Envelope::open_range(&f.key, &identity, &file, 654_321, 100_000).expect("range");
    std::fs::remove_file(&path).expect("remove file");
    assert!(range == scan[654_321..754_321]);
    assert!(matches!(
        Envelope::open_range(&f.key, &identity, &sealed[..], 999_999, 5),
        Err(CryptoError::RangeOutOfBounds { .. })
    ));
}

#[test]
fn an_unfinished_stream_opens_as_truncated() {
    let f = fixture();
    let identity = ObjectIdentity::new("record", f.vault, b"o", 1);
    let mut sink = Vec::new();
    {
        let mut writer =
            Envelope::sealing_writer(&f.key, f.key_id, &identity, &mut sink).expect("writer");
        writer.write_all(&vec![1u8; 200_000]).expect("write");
        // Dropped without `finish`: the final segment is never written.
    }
    assert!(matches!(
        Envelope::open(&f.key, &identity, &sink),
        Err(CryptoError::Truncated { .. })
    ));
}

#[test]
fn record_aead_detects_every_bit_flip() {
    let aead = RecordAead::new(&AeadKey::from_parts([4; 32], [5; 32]));
    let sealed = aead.seal(b"blood type O-", b"aad").expect("seal");
    for position in 0..sealed.len() {
        for bit in 0..8 {
            let mut tampered = sealed.clone();
            tampered[position] ^= 1 << bit;
            assert!(matches!(
                aead.open(&tampered, b"aad"),
                Err(CryptoError::AuthenticationFailed)
            ));
        }
    }
    assert!(matches!(
        aead.open(&sealed[..47], b"aad"),
        Err(CryptoError::Truncated { .. })
    ));
    let other = RecordAead::new(&AeadKey::from_parts([4; 32], [6; 32]));
    assert!(matches!(
        other.open(&sealed, b"aad"),
        Err(CryptoError::AuthenticationFailed)
    ));
}
