//! A store that misbehaves at random, as a network store does: requests refused (a 5xx),
//! requests that land but whose answer is lost (a dropped connection), time-outs, and slow
//! answers. The vault, over such a store (`StoreLocation::Custom`), acknowledges only what is
//! durable: every failure reaches the caller as a typed store error (or `ReopenRequired`,
//! after which the vault is reopened), a read returns the acknowledged bytes or a typed error,
//! never other bytes, and once the store behaves, a new index rebuilt from it holds every
//! acknowledged write.
#![allow(clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use medvault::crypto::{RawUnlockKey, UnlockCredential};
use medvault::vault::{
    CustomStore, IndexLocation, NewRecord, RecordId, StoreLocation, Vault, VaultConfig, VaultError,
};
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    PutMultipartOptions, PutOptions, PutPayload, PutResult,
};

/// What the store does to one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Fault {
    /// Refused before it is carried out, like a 503.
    Refused,
    /// Carried out, but its answer is lost, like a connection dropped after the request went.
    AnswerLost,
    /// Carried out after a long wait, then reported as timed out.
    TimedOut,
    /// Carried out, slowly.
    Slow,
}

/// Wraps a store and misbehaves on a share of requests, chosen by a seeded generator.
struct FaultyStore {
    inner: Arc<dyn ObjectStore>,
    on: AtomicBool,
    draws: AtomicU64,
    seed: u64,
    injected: std::sync::Mutex<BTreeMap<Fault, u64>>,
}

impl fmt::Debug for FaultyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FaultyStore")
    }
}

impl fmt::Display for FaultyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("faulty store")
    }
}

/// splitmix64: a well-mixed number from a counter.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl FaultyStore {
    fn new(inner: Arc<dyn ObjectStore>, seed: u64) -> Self {
        Self {
            inner,
            on: AtomicBool::new(false),
            draws: AtomicU64::new(0),
            seed,
            injected: std::sync::Mutex::default(),
        }
    }

    fn set(&self, on: bool) {
        self.on.store(on, Ordering::SeqCst);
    }

    fn injected(&self) -> BTreeMap<Fault, u64> {
        self.injected.lock().expect("counts").clone()
    }

    /// The fault for the next request, if any: of every 100 requests about 4 are refused, 3
    /// lose their answer, 1 times out and 5 are slow.
    fn draw(&self, can_land: bool) -> Option<Fault> {
        if !self.on.load(Ordering::SeqCst) {
            return None;
        }
        let n = self.draws.fetch_add(1, Ordering::Relaxed);
        let fault = match mix(self.seed ^ n) % 100 {
            0..4 => Fault::Refused,
            4..7 if can_land => Fault::AnswerLost,
            7 if can_land => Fault::TimedOut,
            8..13 => Fault::Slow,
            _ => return None,
        };
        *self
            .injected
            .lock()
            .expect("counts")
            .entry(fault)
            .or_default() += 1;
        Some(fault)
    }

    /// Runs `request` as `fault` says.
    async fn apply<T>(
        &self,
        fault: Option<Fault>,
        request: impl Future<Output = object_store::Result<T>>,
    ) -> object_store::Result<T> {
        match fault {
            None => request.await,
            Some(Fault::Refused) => Err(failure("503 Service Unavailable")),
            Some(Fault::AnswerLost) => {
                let _ = request.await;
                Err(failure("connection reset by peer"))
            }
            Some(Fault::TimedOut) => {
                let _ = request.await;
                tokio::time::sleep(Duration::from_millis(60)).await;
                Err(failure("operation timed out"))
            }
            Some(Fault::Slow) => {
                tokio::time::sleep(Duration::from_millis(25)).await;
                request.await
            }
        }
    }
}

fn failure(what: &str) -> object_store::Error {
    object_store::Error::Generic {
        store: "faulty store",
        source: what.into(),
    }
}

#[async_trait]
impl ObjectStore for FaultyStore {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> object_store::Result<PutResult> {
        let fault = self.draw(true);
        self.apply(fault, self.inner.put_opts(location, payload, opts))
            .await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> object_store::Result<Box<dyn MultipartUpload>> {
        let fault = self.draw(false);
        self.apply(fault, self.inner.put_multipart_opts(location, opts))
            .await
    }

    async fn get_opts(
        &self,
        location: &Path,
        options: GetOptions,
    ) -> object_store::Result<GetResult> {
        let fault = self.draw(true);
        self.apply(fault, self.inner.get_opts(location, options))
            .await
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, object_store::Result<Path>>,
    ) -> BoxStream<'static, object_store::Result<Path>> {
        match self.draw(false) {
            Some(Fault::Refused) => {
                futures_util::stream::once(async { Err(failure("503 Service Unavailable")) })
                    .boxed()
            }
            _ => self.inner.delete_stream(locations),
        }
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, object_store::Result<ObjectMeta>> {
        match self.draw(false) {
            Some(Fault::Refused) => {
                futures_util::stream::once(async { Err(failure("503 Service Unavailable")) })
                    .boxed()
            }
            _ => self.inner.list(prefix),
        }
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> object_store::Result<ListResult> {
        let fault = self.draw(false);
        self.apply(fault, self.inner.list_with_delimiter(prefix))
            .await
    }

    async fn copy_opts(
        &self,
        from: &Path,
        to: &Path,
        options: CopyOptions,
    ) -> object_store::Result<()> {
        self.inner.copy_opts(from, to, options).await
    }
}

/// What a run saw: writes acknowledged and refused, reads, reopenings.
#[derive(Debug, Default)]
struct Tally {
    acknowledged: HashMap<RecordId, Vec<u8>>,
    refused: BTreeMap<&'static str, u64>,
    reads_ok: u64,
    reads_refused: u64,
    reopened: u64,
    opens_refused: u64,
}

/// The kind of a failure the vault may report over a failing store; anything else fails the
/// test.
fn kind(error: &VaultError) -> &'static str {
    match error {
        VaultError::Store(_) => "store",
        VaultError::ReopenRequired => "reopen required",
        other => panic!("an unexpected error over a failing store: {other:?}"),
    }
}

/// Payload `n`: mostly small (inline in the log), every eighth 100 KB (an object of its own).
fn payload(n: u64) -> Vec<u8> {
    let len = if n.is_multiple_of(8) {
        100_000
    } else {
        200 + n as usize % 900
    };
    (0..len).map(|i| (mix(n ^ i as u64) & 0xff) as u8).collect()
}

/// Opens the vault until the store lets it.
async fn open(config: &VaultConfig, key: &RawUnlockKey, tally: &mut Tally) -> Vault {
    for _ in 0..100 {
        match Vault::open(config, UnlockCredential::RawKey(key)).await {
            Ok(vault) => return vault,
            Err(error) => {
                kind(&error);
                tally.opens_refused += 1;
            }
        }
    }
    panic!("the vault never opened");
}

const ROUNDS: u64 = 120;
const WRITES_PER_ROUND: u64 = 8;

async fn acknowledged_writes_survive_a_misbehaving_store(
    inner: Arc<dyn ObjectStore>,
    seed: u64,
) -> Tally {
    let scratch = tempfile::tempdir().expect("scratch");
    let faulty = Arc::new(FaultyStore::new(inner, seed));
    let store = StoreLocation::Custom(CustomStore::new("faulty store", faulty.clone()));
    let config = VaultConfig::new(
        store.clone(),
        IndexLocation::Folder(scratch.path().join("index")),
    );
    let key = RawUnlockKey::generate().expect("key");
    let mut vault = Vault::create(&config, UnlockCredential::RawKey(&key))
        .await
        .expect("create");
    let mut tally = Tally::default();
    faulty.set(true);
    for round in 0..ROUNDS {
        let writes = (0..WRITES_PER_ROUND).map(|i| {
            let n = round * WRITES_PER_ROUND + i;
            let vault = vault.clone();
            async move {
                let bytes = payload(n);
                let record = NewRecord::new(format!("patient-{}", n % 5), "note");
                (vault.put(record, &bytes).await, bytes)
            }
        });
        let mut reopen = false;
        for (outcome, bytes) in futures_util::future::join_all(writes).await {
            match outcome {
                Ok(meta) => {
                    tally.acknowledged.insert(meta.id, bytes);
                }
                Err(error) => {
                    *tally.refused.entry(kind(&error)).or_default() += 1;
                    reopen = true;
                }
            }
        }
        // A read returns what was acknowledged, or a typed error.
        if let Some((id, expected)) = tally.acknowledged.iter().nth(round as usize % 7) {
            match vault.get(*id).await {
                Ok((_, bytes)) => {
                    assert_eq!(&bytes, expected, "a read returned other bytes");
                    tally.reads_ok += 1;
                }
                Err(error) => {
                    kind(&error);
                    tally.reads_refused += 1;
                }
            }
        }
        if reopen {
            // Reopening resumes from what the store holds, whatever the failed writes left.
            let _ = vault.close().await;
            vault = open(&config, &key, &mut tally).await;
            tally.reopened += 1;
        }
    }
    let _ = vault.close().await;

    // The store behaves again: an index rebuilt from it holds every acknowledged write.
    faulty.set(false);
    let fresh = VaultConfig::new(store, IndexLocation::Folder(scratch.path().join("fresh")));
    let rebuilt = Vault::open(&fresh, UnlockCredential::RawKey(&key))
        .await
        .expect("open with a new index");
    let mut lost = 0;
    for (id, expected) in &tally.acknowledged {
        match rebuilt.get(*id).await {
            Ok((_, bytes)) => assert_eq!(&bytes, expected, "record {id} changed"),
            Err(VaultError::RecordNotFound { .. }) => lost += 1,
            Err(other) => panic!("record {id}: {other:?}"),
        }
    }
    assert_eq!(lost, 0, "acknowledged writes lost");
    let report = rebuilt.verify().await.expect("verify");
    assert!(
        report.missing_objects.is_empty() && report.missing_keys.is_empty(),
        "{report:?}"
    );
    assert!(report.corrupt.is_empty(), "{report:?}");
    let injected = faulty.injected();
    println!(
        "faults injected {injected:?}; writes acknowledged {}, refused {:?}; reads ok {}, \
         refused {}; reopened {} times, {} opens refused; acknowledged writes lost: {lost}",
        tally.acknowledged.len(),
        tally.refused,
        tally.reads_ok,
        tally.reads_refused,
        tally.reopened,
        tally.opens_refused,
    );
    for fault in [
        Fault::Refused,
        Fault::AnswerLost,
        Fault::TimedOut,
        Fault::Slow,
    ] {
        assert!(
            injected.contains_key(&fault),
            "{fault:?} was never injected"
        );
    }
    assert!(
        tally.acknowledged.len() as u64 > ROUNDS * WRITES_PER_ROUND / 3,
        "most writes go through: {}",
        tally.acknowledged.len()
    );
    tally
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_a_misbehaving_store_in_memory() {
    acknowledged_writes_survive_a_misbehaving_store(Arc::new(InMemory::new()), 7).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_a_misbehaving_store_over_a_folder() {
    let scratch = tempfile::tempdir().expect("scratch");
    let folder = LocalFileSystem::new_with_prefix(scratch.path())
        .expect("folder")
        .with_fsync(true);
    acknowledged_writes_survive_a_misbehaving_store(Arc::new(folder), 11).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_a_misbehaving_store_over_s3() {
    let bucket = std::env::var("MEDVAULT_TEST_S3_BUCKET")
        .expect("MEDVAULT_TEST_S3_BUCKET is set by scripts/test-all.sh (a local Garage server)");
    let s3 = object_store::aws::AmazonS3Builder::from_env()
        .with_bucket_name(&bucket)
        .build()
        .expect("S3 client");
    let prefix = format!(
        "store-faults-{}",
        medvault::vault::WriterId::generate().expect("random")
    );
    let store = object_store::prefix::PrefixStore::new(s3, prefix.as_str());
    acknowledged_writes_survive_a_misbehaving_store(Arc::new(store), 13).await;
}
