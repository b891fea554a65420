//! How the vault's costs grow with its history: a vault of N log batches (one 1 KiB record
//! each, written one at a time) is opened with its index, opened with a new index, listed and
//! verified, and the requests each open makes of the store counted, for N = 1,000, 10,000 and 100,000, on a local folder and (when
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
    IndexLocation, NewRecord, S3Location, StoreLocation, StoreRequests, Vault, VaultConfig,
    WriterId,
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
        "| store | batches | write (records/s) | open, existing index | its store requests | open, \
         new index | its store requests | list a scope of {} | verify_audit |",
        sizes.last().copied().unwrap_or_default() / SCOPES
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (name, bucket) in &stores {
        for &batches in &sizes {
            let row = runtime.block_on(measure(bucket.as_deref(), batches));
            println!(
                "| {name} | {batches} | {:.0} | {} | {} | {} | {} | {} | {} |",
                row.write_rate,
                ms(row.open),
                requests(&row.open_requests),
                ms(row.open_new_index),
                requests(&row.new_index_requests),
                ms(row.list),
                ms(row.verify_audit)
            );
        }
    }
}

struct Row {
    write_rate: f64,
    open: Duration,
    open_requests: StoreRequests,
    open_new_index: Duration,
    new_index_requests: StoreRequests,
    list: Duration,
    verify_audit: Duration,
}

fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1e3)
}

/// Reads and listings (with what they returned); an open writes nothing.
fn requests(requests: &StoreRequests) -> String {
    format!(
        "{} GET, {} LIST ({} listed)",
        requests.gets, requests.lists, requests.listed
    )
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

    let (open, open_requests) = median_with(3, || async {
        let started = Instant::now();
        let vault = Vault::open(&config("index"), credential())
            .await
            .expect("open");
        let took = started.elapsed();
        let requests = vault.store_requests();
        vault.close().await.expect("close");
        (took, requests)
    })
    .await;

    let started = Instant::now();
    let fresh = Vault::open(&config("new-index"), credential())
        .await
        .expect("open with a new index");
    let open_new_index = started.elapsed();
    let new_index_requests = fresh.store_requests();
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
        open_requests,
        open_new_index,
        new_index_requests,
        list,
        verify_audit,
    }
}

async fn median<F, Fut>(runs: usize, mut run: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Duration>,
{
    median_with(runs, || {
        let timed = run();
        async { (timed.await, ()) }
    })
    .await
    .0
}

/// The median time of `runs` runs, with what that run returned beside its time.
async fn median_with<T, F, Fut>(runs: usize, mut run: F) -> (Duration, T)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = (Duration, T)>,
{
    let mut results = Vec::with_capacity(runs);
    for _ in 0..runs {
        results.push(run().await);
    }
    results.sort_by_key(|(took, _)| *took);
    results.swap_remove(runs / 2)
}
