//! Sealing and opening throughput of the streaming format, one thread and all cores, beside the
//! raw primitives over the same bytes, so that the ratio to the construction's one-core limit
//! (1 / (1/AES + 1/HMAC)) is read from one run: `python3 benches/report.py` after
//! `cargo bench -p medvault-benches --bench crypto`.

use std::hint::black_box;
use std::time::Duration;

use aes::Aes256;
use aes::cipher::{KeyIvInit, StreamCipher};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit, Mac};
use medvault::crypto::{AeadKey, Parallelism, RecordAead, StreamingAead, StreamingKey};
use sha2::Sha256;

const SIZES: [(usize, &str); 4] = [
    (1 << 10, "1KiB"),
    (64 << 10, "64KiB"),
    (1 << 20, "1MiB"),
    (64 << 20, "64MiB"),
];

fn primitives(c: &mut Criterion) {
    let mut group = c.benchmark_group("primitive");
    for (size, name) in SIZES {
        let mut buf = vec![0x5au8; size];
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_function(BenchmarkId::new("aes256-ctr", name), |b| {
            b.iter(|| {
                let mut cipher = ctr::Ctr128BE::<Aes256>::new(&[1u8; 32].into(), &[2u8; 16].into());
                cipher.apply_keystream(black_box(&mut buf));
            })
        });
        group.bench_function(BenchmarkId::new("hmac-sha256", name), |b| {
            b.iter(|| {
                let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&[3u8; 32])
                    .unwrap_or_else(|_| unreachable!());
                mac.update(black_box(&buf));
                black_box(mac.finalize().into_bytes())
            })
        });
    }
    group.finish();
}

fn streaming(c: &mut Criterion) {
    let key = StreamingKey::from_bytes([7u8; 32]);
    for (label, parallelism) in [
        ("1-thread", Parallelism::Sequential),
        ("all-cores", Parallelism::AllCores),
    ] {
        let aead = StreamingAead::with_default_segment_size(&key).with_parallelism(parallelism);
        let mut group = c.benchmark_group(format!("streaming-{label}"));
        for (size, name) in SIZES {
            let plaintext = vec![0x5au8; size];
            let sealed = aead.seal(&plaintext, b"aad").unwrap_or_default();
            group.throughput(Throughput::Bytes(size as u64));
            group.bench_function(BenchmarkId::new("seal", name), |b| {
                b.iter(|| aead.seal(black_box(&plaintext), b"aad"))
            });
            group.bench_function(BenchmarkId::new("open", name), |b| {
                b.iter(|| aead.open(black_box(&sealed), b"aad"))
            });
        }
        group.finish();
    }
}

fn record_aead(c: &mut Criterion) {
    let aead = RecordAead::new(&AeadKey::from_parts([1; 32], [2; 32]));
    let plaintext = vec![0x5au8; 1 << 10];
    let sealed = aead.seal(&plaintext, b"aad").unwrap_or_default();
    let mut group = c.benchmark_group("record-aead");
    group.throughput(Throughput::Bytes(plaintext.len() as u64));
    group.bench_function(BenchmarkId::new("seal", "1KiB"), |b| {
        b.iter(|| aead.seal(black_box(&plaintext), b"aad"))
    });
    group.bench_function(BenchmarkId::new("open", "1KiB"), |b| {
        b.iter(|| aead.open(black_box(&sealed), b"aad"))
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
}

criterion_group! {
    name = benches;
    config = config();
    targets = primitives, streaming, record_aead
}
criterion_main!(benches);
