//! A store that misbehaves at random, as a network store does: requests refused (a 5xx),
//! requests that land but whose answer is lost (a dropped connection), time-outs, and slow
//! answers. The vault, over such a store (`StoreLocation::Custom`), acknowledges only what is
//! durable: every failure reaches the caller as a typed store error (or `ReopenRequired`,
//! after which the vault is reopened), a read returns the acknowledged bytes or a typed error,
//! never other bytes, and once the store behaves, a new index rebuilt from it holds every
//! acknowledged write.
//!
//! And a replicated store that loses its quorum in the middle of a batch's PUT, leaving the
//! batch on one node only: the writer puts it again before its next batch, in the same
//! process or after a restart, so every instance ends up holding the same writes.
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
use object_store::ObjectStoreExt;
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
    /// A second node, to which every PUT that succeeds is copied: another instance may read
    /// the store through it.
    replica: Option<Arc<dyn ObjectStore>>,
    /// The next PUT lands on the replica only, and is refused, as when a replicated store
    /// loses its quorum in the middle of it.
    partial_put: AtomicBool,
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
            replica: None,
            partial_put: AtomicBool::new(false),
        }
    }

    fn with_replica(mut self, replica: Arc<dyn ObjectStore>) -> Self {
        self.replica = Some(replica);
        self
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
        if let Some(replica) = &self.replica
            && self.partial_put.swap(false, Ordering::SeqCst)
        {
            replica.put(location, payload).await?;
            return Err(failure("503 Service Unavailable: could not reach quorum"));
        }
        let fault = self.draw(true);
        let put = self.apply(fault, self.inner.put_opts(location, payload.clone(), opts));
        let result = put.await?;
        if let Some(replica) = &self.replica {
            replica.put(location, payload).await?;
        }
        Ok(result)
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
    let s3 = medvault_e2e::test_bucket().expect("the test bucket");
    let prefix = format!(
        "store-faults-{}",
        medvault::vault::WriterId::generate().expect("random")
    );
    let store = object_store::prefix::PrefixStore::new(s3, prefix.as_str());
    acknowledged_writes_survive_a_misbehaving_store(Arc::new(store), 13).await;
}

/// A vault over a store that `view` reads, with an index folder of its own.
fn instance(view: Arc<dyn ObjectStore>, index: std::path::PathBuf) -> VaultConfig {
    VaultConfig::new(
        StoreLocation::Custom(CustomStore::new("node", view)),
        IndexLocation::Folder(index),
    )
}

/// The payloads of every record of `scope` that `vault` holds, sorted.
async fn payloads(vault: &Vault, scope: &str) -> Vec<Vec<u8>> {
    let mut payloads = Vec::new();
    for meta in vault.list_scope(scope).await.expect("list") {
        payloads.push(vault.get(meta.id).await.expect("get").1);
    }
    payloads.sort();
    payloads
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_batch_stored_on_one_node_only_is_written_again_before_the_next() {
    let scratch = tempfile::tempdir().expect("scratch");
    let (node_1, node_2): (Arc<dyn ObjectStore>, Arc<dyn ObjectStore>) =
        (Arc::new(InMemory::new()), Arc::new(InMemory::new()));
    // The writer talks to node 1, whose every PUT is copied to node 2; another instance reads
    // through node 2.
    let faulty = Arc::new(FaultyStore::new(node_1.clone(), 0).with_replica(node_2.clone()));
    let writer_config = instance(faulty.clone(), scratch.path().join("writer"));
    let key = RawUnlockKey::generate().expect("key");
    let credential = UnlockCredential::RawKey(&key);
    let writer = Vault::create(&writer_config, credential)
        .await
        .expect("create");
    let put = |vault: &Vault, text: &'static str| {
        let vault = vault.clone();
        async move {
            vault
                .put(NewRecord::new("patient-1", "note"), text.as_bytes())
                .await
        }
    };
    put(&writer, "one").await.expect("put");

    // The quorum goes in the middle of a batch's PUT: node 2 has it, node 1 does not.
    faulty.partial_put.store(true, Ordering::SeqCst);
    let refused = put(&writer, "two").await.expect_err("refused");
    assert!(
        refused
            .to_string()
            .contains("may or may not have been committed"),
        "{refused}"
    );
    let reader_config = instance(node_2.clone(), scratch.path().join("reader"));
    let reader = Vault::open(&reader_config, credential)
        .await
        .expect("open through node 2");
    assert_eq!(
        payloads(&reader, "patient-1").await,
        [b"one".to_vec(), b"two".to_vec()]
    );

    // The writer's next write puts the partial batch again first: node 1 holds it too.
    put(&writer, "three").await.expect("put");
    assert_eq!(
        payloads(&writer, "patient-1").await,
        [b"one".to_vec(), b"three".to_vec(), b"two".to_vec()]
    );

    // The same after a restart: the batch is kept in the index folder and put again before
    // the reopened writer's first batch, which takes the next sequence.
    faulty.partial_put.store(true, Ordering::SeqCst);
    put(&writer, "four").await.expect_err("refused");
    writer.close().await.expect("close");
    reader.sync().await.expect("sync");
    let writer = Vault::open(&writer_config, credential)
        .await
        .expect("reopen");
    put(&writer, "five").await.expect("put");
    reader.sync().await.expect("sync");

    let all: Vec<Vec<u8>> = ["five", "four", "one", "three", "two"]
        .iter()
        .map(|text| text.as_bytes().to_vec())
        .collect();
    let fresh_config = instance(node_1, scratch.path().join("fresh"));
    let fresh = Vault::open(&fresh_config, credential)
        .await
        .expect("open with a new index through node 1");
    for (name, vault) in [("writer", &writer), ("reader", &reader), ("fresh", &fresh)] {
        assert_eq!(payloads(vault, "patient-1").await, all, "{name}");
        if let Err(error) = vault.verify_audit().await {
            panic!("{name}: the audit trail does not verify: {error}");
        }
        let report = vault.verify().await.expect("verify");
        assert!(report.is_sound(), "{name}: {report:?}");
    }
}
