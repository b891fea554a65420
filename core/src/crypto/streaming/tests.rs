//! Tests of the streaming format that need fixed headers: Tink's own ciphertexts reproduced byte
//! for byte, and parallel against sequential sealing.

use std::io::{Read, Write};

use proptest::prelude::*;
use sha2::{Digest, Sha256};

use super::*;
use crate::crypto::test_vectors::{self, hex_field};

fn aead(segment_size: u32) -> StreamingAead {
    StreamingAead::new(&StreamingKey::from_bytes([0x42; 32]), segment_size).expect("valid size")
}

fn fixed_header() -> StreamHeader {
    StreamHeader::parse(&[[40u8].as_slice(), &[7u8; 39]].concat()).expect("header")
}

/// Every Tink ciphertext opens; resealing its plaintext with its header reproduces it exactly.
#[test]
fn tink_streaming_ciphertexts_open_and_reproduce() {
    let vectors = test_vectors::tink();
    let cases = vectors["streaming_aes256_ctr_hmac_sha256"]
        .as_array()
        .expect("cases");
    assert_eq!(cases.len(), 7);
    for case in cases {
        let key = StreamingKey::from_slice(&hex_field(case, "key_hex")).expect("32-byte key");
        let segment_size = case["segment_size"].as_u64().expect("segment size") as u32;
        let aead = StreamingAead::new(&key, segment_size).expect("segment size");
        let aad = hex_field(case, "aad_hex");
        let plaintext_len = case["plaintext_len"].as_u64().expect("length") as usize;
        let (plaintext, ciphertext_head) = if case.get("ciphertext_hex").is_some() {
            let ciphertext = hex_field(case, "ciphertext_hex");
            let plaintext = hex_field(case, "plaintext_hex");
            assert_eq!(
                aead.open(&ciphertext, &aad).expect("Tink ciphertext opens"),
                plaintext
            );
            (plaintext, ciphertext)
        } else {
            let plaintext: Vec<u8> = (0..plaintext_len).map(|i| (i % 251) as u8).collect();
            (plaintext, hex_field(case, "ciphertext_hex_first_4096"))
        };
        assert_eq!(
            hex::encode(Sha256::digest(&plaintext)),
            case["plaintext_sha256"].as_str().expect("hash")
        );
        let header = StreamHeader::parse(&ciphertext_head).expect("Tink header");
        let resealed = aead
            .seal_with_header(&header, &plaintext, &aad)
            .expect("seal");
        assert_eq!(
            resealed.len() as u64,
            case["ciphertext_len"].as_u64().expect("length")
        );
        assert_eq!(&resealed[..ciphertext_head.len()], &ciphertext_head[..]);
        if let Some(hash) = case.get("ciphertext_sha256") {
            assert_eq!(
                hex::encode(Sha256::digest(&resealed)),
                hash.as_str().expect("hash")
            );
            assert_eq!(aead.open(&resealed, &aad).expect("opens"), plaintext);
        }
    }
}

/// A small ciphertext of several segments, for exhaustive tampering.
fn small_multi_segment() -> (StreamingAead, Vec<u8>, Vec<u8>) {
    let aead = aead(MIN_SEGMENT_SIZE + 27);
    let plaintext: Vec<u8> = (0..200u8).collect();
    let ciphertext = aead.seal(&plaintext, b"aad").expect("seal");
    (aead, plaintext, ciphertext)
}

#[test]
fn every_single_bit_flip_fails_to_open() {
    let (aead, plaintext, ciphertext) = small_multi_segment();
    assert!(aead.layout.segment_count(plaintext.len() as u64) >= 4);
    for position in 0..ciphertext.len() {
        for bit in 0..8 {
            let mut tampered = ciphertext.clone();
            tampered[position] ^= 1 << bit;
            let error = aead
                .open(&tampered, b"aad")
                .expect_err("tampered ciphertext must fail");
            if position > 0 {
                assert!(
                    matches!(error, CryptoError::AuthenticationFailed),
                    "byte {position} bit {bit}: {error:?}"
                );
            }
        }
    }
}

fn segments_of(aead: &StreamingAead, ciphertext: &[u8]) -> Vec<Vec<u8>> {
    aead.ciphertext_chunks(ciphertext)
        .map(<[u8]>::to_vec)
        .collect()
}

fn assemble(ciphertext: &[u8], segments: &[Vec<u8>]) -> Vec<u8> {
    let mut out = ciphertext[..HEADER_LEN].to_vec();
    segments
        .iter()
        .for_each(|segment| out.extend_from_slice(segment));
    out
}

#[test]
fn truncation_at_every_segment_boundary_is_reported_as_truncation() {
    let (aead, _, ciphertext) = small_multi_segment();
    let segments = segments_of(&aead, &ciphertext);
    for keep in 1..segments.len() {
        let truncated = assemble(&ciphertext, &segments[..keep]);
        assert!(matches!(
            aead.open(&truncated, b"aad"),
            Err(CryptoError::Truncated { .. })
        ));
        let mut reader = aead.opening_reader(&truncated[..], b"aad").expect("header");
        let error = reader.read_to_end(&mut Vec::new()).expect_err("must fail");
        assert!(matches!(
            CryptoError::from(error),
            CryptoError::Truncated { .. }
        ));
    }
    assert!(matches!(
        aead.open(&ciphertext[..HEADER_LEN], b"aad"),
        Err(CryptoError::Truncated { .. })
    ));
}

#[test]
fn truncation_anywhere_fails() {
    let (aead, _, ciphertext) = small_multi_segment();
    for len in 0..ciphertext.len() {
        assert!(
            aead.open(&ciphertext[..len], b"aad").is_err(),
            "length {len}"
        );
    }
}

#[test]
fn dropped_duplicated_and_reordered_segments_fail() {
    let (aead, _, ciphertext) = small_multi_segment();
    let segments = segments_of(&aead, &ciphertext);
    let n = segments.len();
    // Dropping a segment other than the last. Dropping segment 0, which is shorter than the
    // others, also shifts every boundary, so only its failure is asserted.
    for dropped in 0..n - 1 {
        let mut rest = segments.clone();
        rest.remove(dropped);
        let error = aead
            .open(&assemble(&ciphertext, &rest), b"aad")
            .expect_err("dropped");
        if dropped > 0 {
            assert!(
                matches!(error, CryptoError::AuthenticationFailed),
                "{error:?}"
            );
        }
    }
    // Duplicating a full-sized segment.
    for duplicated in 1..n - 1 {
        let mut more = segments.clone();
        more.insert(duplicated, segments[duplicated].clone());
        let error = aead
            .open(&assemble(&ciphertext, &more), b"aad")
            .expect_err("duplicated");
        assert!(
            matches!(error, CryptoError::AuthenticationFailed),
            "{error:?}"
        );
    }
    // Swapping two full-sized segments.
    let mut swapped = segments.clone();
    swapped.swap(1, 2);
    let error = aead
        .open(&assemble(&ciphertext, &swapped), b"aad")
        .expect_err("swapped");
    assert!(matches!(error, CryptoError::AuthenticationFailed));
}

#[test]
fn bytes_after_the_final_segment_fail() {
    let aead = aead(100);
    // 28 + 2 * 68 plaintext bytes fill three segments exactly.
    let plaintext = vec![5u8; 28 + 2 * 68];
    let ciphertext = aead.seal(&plaintext, b"aad").expect("seal");
    assert_eq!(ciphertext.len(), 300);
    let segments = segments_of(&aead, &ciphertext);
    let mut extended = segments.clone();
    extended.push(segments[1].clone());
    assert!(matches!(
        aead.open(&assemble(&ciphertext, &extended), b"aad"),
        Err(CryptoError::TrailingData)
    ));
    for extra in [1usize, 31, 32, 33, 99] {
        let mut appended = ciphertext.clone();
        appended.extend(std::iter::repeat_n(0u8, extra));
        let result = aead.open(&appended, b"aad");
        assert!(result.is_err(), "{extra} bytes appended: {result:?}");
    }
}

#[test]
fn wrong_associated_data_or_key_fails_authentication() {
    let (aead, _, ciphertext) = small_multi_segment();
    assert!(matches!(
        aead.open(&ciphertext, b"aaD"),
        Err(CryptoError::AuthenticationFailed)
    ));
    let other = StreamingAead::new(&StreamingKey::from_bytes([0x43; 32]), aead.segment_size())
        .expect("size");
    assert!(matches!(
        other.open(&ciphertext, b"aad"),
        Err(CryptoError::AuthenticationFailed)
    ));
}

#[test]
fn malformed_header_and_segment_sizes_are_rejected() {
    let (aead, _, mut ciphertext) = small_multi_segment();
    ciphertext[0] = 41;
    assert!(matches!(
        aead.open(&ciphertext, b"aad"),
        Err(CryptoError::Malformed { .. })
    ));
    let key = StreamingKey::from_bytes([0; 32]);
    assert!(StreamingAead::new(&key, MIN_SEGMENT_SIZE - 1).is_err());
    assert!(StreamingAead::new(&key, MAX_SEGMENT_SIZE + 1).is_err());
}

#[test]
fn a_failed_reader_does_not_report_a_clean_end() {
    let (aead, _, mut ciphertext) = small_multi_segment();
    let last = ciphertext.len() - 1;
    ciphertext[last] ^= 1;
    let mut reader = aead
        .opening_reader(&ciphertext[..], b"aad")
        .expect("header");
    let mut out = Vec::new();
    assert!(reader.read_to_end(&mut out).is_err());
    assert!(reader.read(&mut [0u8; 16]).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn seal_then_open_round_trips(
        plaintext in proptest::collection::vec(any::<u8>(), 0..3000),
        segment_size in MIN_SEGMENT_SIZE..600,
        aad in proptest::collection::vec(any::<u8>(), 0..40),
    ) {
        let aead = aead(segment_size);
        let ciphertext = aead.seal(&plaintext, &aad).expect("seal");
        prop_assert_eq!(ciphertext.len() as u64, aead.ciphertext_len(plaintext.len() as u64).expect("len"));
        prop_assert_eq!(aead.plaintext_len(ciphertext.len() as u64).expect("len"), plaintext.len() as u64);
        prop_assert_eq!(aead.open(&ciphertext, &aad).expect("open"), plaintext);
    }

    #[test]
    fn writer_and_reader_round_trip_in_any_chunking(
        plaintext in proptest::collection::vec(any::<u8>(), 0..3000),
        segment_size in MIN_SEGMENT_SIZE..600,
        write_chunk in 1usize..700,
        read_chunk in 1usize..700,
    ) {
        let aead = aead(segment_size);
        let mut writer = aead.sealing_writer(Vec::new(), b"aad").expect("writer");
        for chunk in plaintext.chunks(write_chunk) {
            writer.write_all(chunk).expect("write");
        }
        let ciphertext = writer.finish().expect("finish");
        prop_assert_eq!(&aead.open(&ciphertext, b"aad").expect("one-shot open"), &plaintext);
        let mut reader = aead.opening_reader(&ciphertext[..], b"aad").expect("reader");
        let mut opened = Vec::new();
        let mut buf = vec![0u8; read_chunk];
        loop {
            let n = reader.read(&mut buf).expect("read");
            if n == 0 { break; }
            opened.extend_from_slice(&buf[..n]);
        }
        prop_assert_eq!(opened, plaintext);
    }

    #[test]
    fn range_opening_equals_slicing(
        plaintext in proptest::collection::vec(any::<u8>(), 1..3000),
        segment_size in MIN_SEGMENT_SIZE..600,
        start in any::<proptest::sample::Index>(),
        len in 0usize..1500,
    ) {
        let aead = aead(segment_size);
        let ciphertext = aead.seal(&plaintext, b"aad").expect("seal");
        let offset = start.index(plaintext.len());
        let len = len.min(plaintext.len() - offset);
        let opened = aead
            .open_range(&ciphertext[..], b"aad", offset as u64, len as u64)
            .expect("range");
        prop_assert_eq!(&opened[..], &plaintext[offset..offset + len]);
        let past_end = aead.open_range(&ciphertext[..], b"aad", offset as u64, (plaintext.len() - offset + 1) as u64);
        prop_assert!(
            matches!(past_end, Err(CryptoError::RangeOutOfBounds { .. })),
            "range past the end must be refused"
        );
    }

    #[test]
    fn parallel_equals_sequential(
        plaintext in proptest::collection::vec(any::<u8>(), 0..20_000),
        segment_size in MIN_SEGMENT_SIZE..2000,
    ) {
        let parallel = aead(segment_size);
        let sequential = aead(segment_size).with_parallelism(Parallelism::Sequential);
        let header = fixed_header();
        let a = parallel.seal_with_header(&header, &plaintext, b"aad").expect("parallel");
        let b = sequential.seal_with_header(&header, &plaintext, b"aad").expect("sequential");
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(&parallel.open(&b, b"aad").expect("open"), &plaintext);
        prop_assert_eq!(&sequential.open(&a, b"aad").expect("open"), &plaintext);
    }
}

#[test]
fn large_input_parallel_equals_sequential() {
    let plaintext: Vec<u8> = (0..(3 << 20) + 12345).map(|i| (i % 253) as u8).collect();
    let header = fixed_header();
    let parallel = StreamingAead::with_default_segment_size(&StreamingKey::from_bytes([9; 32]));
    let sequential = parallel.clone().with_parallelism(Parallelism::Sequential);
    let a = parallel
        .seal_with_header(&header, &plaintext, b"x")
        .expect("seal");
    let b = sequential
        .seal_with_header(&header, &plaintext, b"x")
        .expect("seal");
    assert!(a == b, "parallel and sequential ciphertexts differ");
    assert!(parallel.open(&a, b"x").expect("open") == plaintext);
    let mut tampered = a;
    let middle = tampered.len() / 2;
    tampered[middle] ^= 0x80;
    assert!(matches!(
        parallel.open(&tampered, b"x"),
        Err(CryptoError::AuthenticationFailed)
    ));
}
