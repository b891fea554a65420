//! How the vault's costs grow with its history: a vault of N log batches (one 1 KiB record
//! each, written one at a time) is opened with its index, opened with a new index, listed and
//! verified, for N = 1,000, 10,000 and 100,000, on a local folder and (when
//! `MEDVAULT_TEST_S3_BUCKET` and the `AWS_*` variables are set, `eval "$(scripts/start-garage.sh)"`)
//! on S3. Checkpoints are on, at their defaults.
//!
//! `cargo bench -p medvault-benches --bench growth` prints a Markdown table; each figure is the
//! median of three runs (one run for a new index, which is made once per size). Under
//! `cargo test` the sizes are 100, 200 and 400, so the target stays quick there.

#![allow(clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{count, runtime};
use medvault::crypto::{RawUnlockKey, UnlockCredential};
use medvault::vault::{
    IndexLocation, NewRecord, S3Location, StoreLocation, Vault, VaultConfig, WriterId,
};

const SCOPES: usize = 100;

fn main() {
    let sizes = [count(1_000, 100), count(10_000, 200), count(100_000, 400)];
    let runtime = runtime();
    let mut stores = vec![("folder", None)];
    match std::env::var("MEDVAULT_TEST_S3_BUCKET") {
        Ok(bucket) => stores.push(("S3", Some(bucket))),
        Err(_) => eprintln!(
            "note: MEDVAULT_TEST_S3_BUCKET is not set, so the S3 rows are skipped; start \
             Garage with `eval \"$(scripts/start-garage.sh)\"` to run them"
        ),
    }
    println!(
        "| store | batches | write (records/s) | open, existing index | open, new index | list a \
         scope of {} | verify_audit |",
        sizes.last().copied().unwrap_or_default() / SCOPES
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (name, bucket) in &stores {
        for &batches in &sizes {
            let row = runtime.block_on(measure(bucket.as_deref(), batches));
            println!(
                "| {name} | {batches} | {:.0} | {} | {} | {} | {} |",
                row.write_rate,
                ms(row.open),
                ms(row.open_new_index),
                ms(row.list),
                ms(row.verify_audit)
            );
        }
    }
}

struct Row {
    write_rate: f64,
    open: Duration,
    open_new_index: Duration,
    list: Duration,
    verify_audit: Duration,
}

fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1e3)
}

async fn measure(bucket: Option<&str>, batches: usize) -> Row {
    let scratch = tempfile::tempdir().expect("scratch folder");
    let store = match bucket {
        Some(bucket) => StoreLocation::S3(
            S3Location::from_env(&format!(
                "s3://{bucket}/growth-{}",
                WriterId::generate().expect("random prefix")
            ))
            .expect("S3 location"),
        ),
        None => StoreLocation::Folder(scratch.path().join("store")),
    };
    let config = |index: &str| {
        VaultConfig::new(
            store.clone(),
            IndexLocation::Folder(scratch.path().join(index)),
        )
    };
    let key = RawUnlockKey::generate().expect("key");
    let credential = || UnlockCredential::RawKey(&key);

    let vault = Vault::create(&config("index"), credential())
        .await
        .expect("create");
    let body = vec![7u8; 1024];
    let started = Instant::now();
    for i in 0..batches {
        vault
            .put(
                NewRecord::new(format!("patient-{}", i % SCOPES), "note"),
                &body,
            )
            .await
            .expect("put");
    }
    let write_rate = batches as f64 / started.elapsed().as_secs_f64();
    vault.close().await.expect("close");

    let open = median(3, || async {
        let started = Instant::now();
        let vault = Vault::open(&config("index"), credential())
            .await
            .expect("open");
        let took = started.elapsed();
        vault.close().await.expect("close");
        took
    })
    .await;

    let started = Instant::now();
    let fresh = Vault::open(&config("new-index"), credential())
        .await
        .expect("open with a new index");
    let open_new_index = started.elapsed();
    assert_eq!(
        fresh.list_scope("patient-1").await.expect("list").len(),
        batches / SCOPES
    );
    fresh.close().await.expect("close");

    let vault = Vault::open(&config("index"), credential())
        .await
        .expect("open");
    let list = median(3, || async {
        let started = Instant::now();
        vault.list_scope("patient-1").await.expect("list");
        started.elapsed()
    })
    .await;
    let verify_audit = median(3, || async {
        let started = Instant::now();
        vault.verify_audit().await.expect("audit");
        started.elapsed()
    })
    .await;
    vault.close().await.expect("close");
    Row {
        write_rate,
        open,
        open_new_index,
        list,
        verify_audit,
    }
}

async fn median<F, Fut>(runs: usize, mut run: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Duration>,
{
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        times.push(run().await);
    }
    times.sort();
    times[runs / 2]
}
