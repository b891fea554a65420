//! The vault engine end to end: `put` and `get` of 1 KiB and 1 MiB records by one task and by
//! eight concurrent tasks, `list_scope` over 1000 records, and `rebuild` of the index from the
//! log, on a local folder (every put fsync'd) and, when `MEDVAULT_TEST_S3_BUCKET` and the
//! `AWS_*` variables are set (`eval "$(scripts/start-garage.sh)"`), on S3.
//!
//! One iteration is one record (put, get) or one whole call (list, rebuild), so criterion's time
//! is the time per record or per call and its throughput the records/s (and MB/s) of all tasks
//! together. `python3 benches/report.py vault` after `cargo bench -p medvault-benches --bench
//! vault` prints the figures and the ratios of eight tasks to one.
//!
//! Under `cargo test` (criterion's test mode, each benchmark run once) the prefilled vaults are
//! small, so the target stays quick there.

#![allow(clippy::expect_used)]

mod common;

use common::{count, runtime};
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group,
    criterion_main, measurement::WallTime,
};
use futures_util::{StreamExt, TryStreamExt};
use medvault::crypto::{RawUnlockKey, UnlockCredential};
use medvault::vault::{
    IndexLocation, NewRecord, RecordId, S3Location, StoreLocation, Vault, VaultConfig, WriterId,
};
use tempfile::TempDir;
use tokio::runtime::Runtime;

const KIB: usize = 1 << 10;
const MIB: usize = 1 << 20;
const SIZES: [(usize, &str); 2] = [(KIB, "1KiB"), (MIB, "1MiB")];
/// Concurrent tasks: one (sequential awaits) and eight (group-committed writes).
const TASKS: [(usize, &str); 2] = [(1, "1-task"), (8, "8-tasks")];
/// Tasks that fill the vaults the read benchmarks read (more tasks, fewer log batches).
const FILL_TASKS: usize = 32;
const KIND: &str = "bench";

fn payload(size: usize) -> Arc<Vec<u8>> {
    Arc::new((0..size).map(|i| (i % 251) as u8).collect())
}

/// Where the vaults of a benchmark group are stored.
#[derive(Clone)]
enum Backend {
    Folder,
    /// `s3://bucket/prefix`, one sub-prefix per vault.
    S3 {
        bucket: String,
        prefix: String,
    },
}

impl Backend {
    fn name(&self) -> &'static str {
        match self {
            Self::Folder => "folder",
            Self::S3 { .. } => "s3",
        }
    }
}

/// A vault and the scratch folder holding its index (and, on a folder, its store).
struct Fixture {
    vault: Vault,
    _scratch: TempDir,
}

impl Fixture {
    fn create(runtime: &Runtime, backend: &Backend, name: &str) -> Self {
        let scratch = tempfile::tempdir().expect("scratch folder");
        let store = match backend {
            Backend::Folder => StoreLocation::Folder(scratch.path().join("store")),
            Backend::S3 { bucket, prefix } => StoreLocation::S3(
                S3Location::from_env(&format!("s3://{bucket}/{prefix}/{name}"))
                    .expect("S3 location"),
            ),
        };
        let config = VaultConfig::new(store, IndexLocation::Folder(scratch.path().join("index")));
        let key = RawUnlockKey::generate().expect("raw key");
        let vault = runtime
            .block_on(Vault::create(&config, UnlockCredential::RawKey(&key)))
            .expect("create vault");
        Self {
            vault,
            _scratch: scratch,
        }
    }
}

/// Puts `count` records of `payload` into `scope` from `tasks` concurrent tasks, each taking the
/// next record until all are written. Returns the wall time and the ids.
async fn put_records(
    vault: &Vault,
    scope: &str,
    payload: &Arc<Vec<u8>>,
    count: u64,
    tasks: usize,
) -> (Duration, Vec<RecordId>) {
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let (vault, payload, next) = (vault.clone(), payload.clone(), next.clone());
            let scope = scope.to_owned();
            tokio::spawn(async move {
                let mut ids = Vec::new();
                while next.fetch_add(1, Ordering::Relaxed) < count {
                    let meta = vault
                        .put(NewRecord::new(scope.as_str(), KIND), &payload)
                        .await
                        .expect("put");
                    ids.push(meta.id);
                }
                ids
            })
        })
        .collect();
    let mut ids = Vec::with_capacity(count as usize);
    for handle in handles {
        ids.extend(handle.await.expect("writer task"));
    }
    (start.elapsed(), ids)
}

/// Gets `count` records, cycling through `ids`, from `tasks` concurrent tasks. Returns the wall
/// time.
async fn get_records(
    vault: &Vault,
    ids: &Arc<Vec<RecordId>>,
    size: usize,
    count: u64,
    tasks: usize,
) -> Duration {
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let (vault, ids, next) = (vault.clone(), ids.clone(), next.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        break;
                    }
                    let id = ids[i as usize % ids.len()];
                    let (_, bytes) = vault.get(id).await.expect("get");
                    assert_eq!(bytes.len(), size, "payload size");
                    black_box(bytes);
                }
            })
        })
        .collect();
    for handle in handles {
        handle.await.expect("reader task");
    }
    start.elapsed()
}

fn per_record(size: usize) -> Throughput {
    Throughput::ElementsAndBytes {
        elements: 1,
        bytes: size as u64,
    }
}

/// `put` of each size by one and eight tasks, into a fresh vault per benchmark.
fn put_group(c: &mut Criterion, runtime: &Runtime, backend: &Backend) {
    let mut group = c.benchmark_group(format!("put-{}", backend.name()));
    configure(&mut group);
    for (size, size_name) in SIZES {
        let payload = payload(size);
        group.throughput(per_record(size));
        for (tasks, tasks_name) in TASKS {
            let mut fixture: Option<Fixture> = None;
            group.bench_function(BenchmarkId::new(tasks_name, size_name), |b| {
                let vault = &fixture
                    .get_or_insert_with(|| {
                        Fixture::create(runtime, backend, &format!("put-{size_name}-{tasks_name}"))
                    })
                    .vault;
                b.iter_custom(|iters| {
                    runtime
                        .block_on(put_records(vault, "patient-put", &payload, iters, tasks))
                        .0
                });
            });
        }
    }
    group.finish();
}

/// `get` of each size by one and eight tasks, from a vault prefilled with `records` of it.
fn get_group(c: &mut Criterion, runtime: &Runtime, backend: &Backend) {
    let mut group = c.benchmark_group(format!("get-{}", backend.name()));
    configure(&mut group);
    for (size, size_name) in SIZES {
        let records = if size <= KIB {
            count(256, 8)
        } else {
            count(32, 2)
        };
        let mut fixture: Option<(Fixture, Arc<Vec<RecordId>>)> = None;
        group.throughput(per_record(size));
        for (tasks, tasks_name) in TASKS {
            group.bench_function(BenchmarkId::new(tasks_name, size_name), |b| {
                let (fixture, ids) = fixture.get_or_insert_with(|| {
                    let fixture = Fixture::create(runtime, backend, &format!("get-{size_name}"));
                    let (_, ids) = runtime.block_on(put_records(
                        &fixture.vault,
                        "patient-get",
                        &payload(size),
                        records as u64,
                        FILL_TASKS,
                    ));
                    (fixture, Arc::new(ids))
                });
                let vault = &fixture.vault;
                b.iter_custom(|iters| {
                    runtime.block_on(get_records(vault, ids, size, iters, tasks))
                });
            });
        }
    }
    group.finish();
}

/// `list_scope` of a scope of 1000 records of 1 KiB (beside another scope of as many).
fn list_group(c: &mut Criterion) {
    let runtime = runtime();
    let records = count(1000, 20);
    let mut group = c.benchmark_group("list-scope-folder");
    configure(&mut group);
    group.throughput(Throughput::Elements(records as u64));
    let mut fixture: Option<Fixture> = None;
    group.bench_function(BenchmarkId::new("1KiB", records), |b| {
        let vault = &fixture
            .get_or_insert_with(|| {
                let fixture = Fixture::create(&runtime, &Backend::Folder, "list");
                for scope in ["patient-listed", "patient-other"] {
                    runtime.block_on(put_records(
                        &fixture.vault,
                        scope,
                        &payload(KIB),
                        records as u64,
                        FILL_TASKS,
                    ));
                }
                fixture
            })
            .vault;
        b.iter(|| {
            let metas = runtime
                .block_on(vault.list_scope("patient-listed"))
                .expect("list_scope");
            assert_eq!(metas.len(), records, "records listed");
            metas
        });
    });
    group.finish();
}

/// `rebuild` of the index of a vault of 2000 records of 1 KiB, written by 32 concurrent tasks
/// (few log batches) and one at a time (one batch per record).
fn rebuild_group(c: &mut Criterion) {
    let runtime = runtime();
    let records = count(2000, 20);
    let mut group = c.benchmark_group("rebuild-folder");
    configure(&mut group);
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(records as u64));
    for (tasks, written) in [
        (FILL_TASKS, "written-by-32-tasks"),
        (1, "written-by-1-task"),
    ] {
        let mut fixture: Option<Fixture> = None;
        group.bench_function(BenchmarkId::new(written, records), |b| {
            let vault = &fixture
                .get_or_insert_with(|| {
                    let fixture = Fixture::create(&runtime, &Backend::Folder, written);
                    let (took, _) = runtime.block_on(put_records(
                        &fixture.vault,
                        "patient-rebuild",
                        &payload(KIB),
                        records as u64,
                        tasks,
                    ));
                    let batches = runtime.block_on(fixture.vault.rebuild()).expect("rebuild");
                    eprintln!(
                        "rebuild-folder/{written}: {records} records in {batches} log batches \
                         (written in {took:.2?})"
                    );
                    fixture
                })
                .vault;
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(runtime.block_on(vault.rebuild()).expect("rebuild"));
                }
                start.elapsed()
            });
        });
    }
    group.finish();
}

fn folder(c: &mut Criterion) {
    let runtime = runtime();
    put_group(c, &runtime, &Backend::Folder);
    get_group(c, &runtime, &Backend::Folder);
}

/// The put and get benchmarks on S3, under a prefix of their own that is removed afterwards.
fn s3(c: &mut Criterion) {
    let Ok(bucket) = std::env::var("MEDVAULT_TEST_S3_BUCKET") else {
        eprintln!(
            "note: MEDVAULT_TEST_S3_BUCKET is not set, so the S3 benchmarks are skipped; \
             start Garage with `eval \"$(scripts/start-garage.sh)\"` to run them"
        );
        return;
    };
    let prefix = format!("bench-{}", WriterId::generate().expect("random prefix"));
    let backend = Backend::S3 {
        bucket: bucket.clone(),
        prefix: prefix.clone(),
    };
    let runtime = runtime();
    put_group(c, &runtime, &backend);
    get_group(c, &runtime, &backend);
    runtime.block_on(remove_prefix(&bucket, &prefix));
}

/// Deletes everything the S3 benchmarks wrote (best effort: a failure is only reported).
async fn remove_prefix(bucket: &str, prefix: &str) {
    use object_store::ObjectStore;
    let store = match object_store::aws::AmazonS3Builder::from_env()
        .with_bucket_name(bucket)
        .build()
    {
        Ok(store) => store,
        Err(error) => {
            eprintln!("note: could not clean up s3://{bucket}/{prefix}: {error}");
            return;
        }
    };
    let prefix = object_store::path::Path::from(prefix);
    let locations = store
        .list(Some(&prefix))
        .map_ok(|meta| meta.location)
        .boxed();
    let removed: Result<Vec<_>, _> = store.delete_stream(locations).try_collect().await;
    if let Err(error) = removed {
        eprintln!("note: could not clean up s3://{bucket}/{prefix}: {error}");
    }
}

fn configure(group: &mut BenchmarkGroup<'_, WallTime>) {
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
}

criterion_group!(benches, folder, list_group, rebuild_group, s3);
criterion_main!(benches);
