//! Soak: two vault instances (two index folders, two writers) sharing one store, worked at
//! once for a set time, with checks as they go:
//!
//! - on each instance two workers put, amend, delete, read and list records, each checking
//!   every answer against what it wrote itself;
//! - every two seconds each instance syncs, and the other instance's records must then read
//!   as they were written (the version acknowledged before the sync, or a later one);
//! - every fifteen seconds the second instance rebuilds its index from the store, its workers
//!   paused, and then reads its records again;
//! - on each instance an account logs in with a fresh TOTP code and out again, in a loop.
//!
//! Every operation runs under a watchdog: one that takes longer than 60 s counts as a hang. At
//! the end both instances sync and verify, and list the same records. The program prints what
//! it did and exits with status 1 if any check failed or anything hung.
//!
//! ```sh
//! scripts/soak.sh [SECONDS]          # a release build, 600 s unless told otherwise
//! cargo run -p medvault-benches --example soak -- SECONDS [--s3]
//! ```
//!
//! The store is a local folder, or with `--s3` a new prefix of the bucket named by
//! `MEDVAULT_TEST_S3_BUCKET` (the `AWS_*` variables as `scripts/start-garage.sh` prints them).

#![allow(clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use medvault::crypto::{RawUnlockKey, UnlockCredential};
use medvault::vault::{
    IndexLocation, NewRecord, RecordId, S3Location, StoreLocation, Vault, VaultConfig, VaultError,
    WriterId,
};
use medvault_identity::{
    Clock, Identity, IdentityConfig, LoginCode, ManualClock, Role, TotpFactor,
};
use tokio::sync::RwLock;

/// How long one operation may take before it counts as a hang.
const WATCHDOG: Duration = Duration::from_secs(60);

const PASSWORD: &str = "tangerine-lighthouse-orbit-93";

/// What went wrong, and what was done.
#[derive(Default)]
struct Outcome {
    operations: Mutex<BTreeMap<&'static str, u64>>,
    failures: Mutex<Vec<String>>,
    hangs: AtomicU64,
}

impl Outcome {
    fn count(&self, what: &'static str) {
        *self
            .operations
            .lock()
            .expect("counts")
            .entry(what)
            .or_default() += 1;
    }

    fn fail(&self, what: String) {
        eprintln!("soak: FAILED: {what}");
        self.failures.lock().expect("failures").push(what);
    }

    fn failed(&self) -> bool {
        !self.failures.lock().expect("failures").is_empty() || self.hangs.load(Ordering::SeqCst) > 0
    }

    /// Runs `operation` under the watchdog and counts it as `what`; `None` if it hung.
    async fn watched<T>(
        &self,
        what: &'static str,
        operation: impl Future<Output = T>,
    ) -> Option<T> {
        match tokio::time::timeout(WATCHDOG, operation).await {
            Ok(value) => {
                self.count(what);
                Some(value)
            }
            Err(_) => {
                self.hangs.fetch_add(1, Ordering::SeqCst);
                self.fail(format!("{what} took longer than {WATCHDOG:?}"));
                None
            }
        }
    }
}

/// A record one worker wrote: each version's payload, `None` once deleted.
#[derive(Clone)]
struct Written {
    scope: String,
    versions: Vec<Option<Vec<u8>>>,
}

impl Written {
    fn latest(&self) -> Option<&Vec<u8>> {
        self.versions.last().and_then(Option::as_ref)
    }
}

/// What one worker has written, shared with the other instance's sync checks.
type Model = Arc<Mutex<HashMap<RecordId, Written>>>;

/// One vault instance, its workers' records, and the lock its workers hold while they work
/// (taken whole while its index is rebuilt).
struct Instance {
    name: &'static str,
    vault: Vault,
    identity: Identity,
    clock: Arc<ManualClock>,
    models: Vec<Model>,
    working: RwLock<()>,
}

/// A small deterministic generator (xorshift64*).
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }

    fn payload(&mut self) -> Vec<u8> {
        let len = if self.below(10) == 0 {
            80_000
        } else {
            100 + self.below(3000) as usize
        };
        (0..len).map(|_| self.below(256) as u8).collect()
    }
}

/// One worker's loop: puts, amends, deletes, reads and lists its own records until `until`.
async fn work(instance: Arc<Instance>, model: Model, seed: u64, until: Instant, out: Arc<Outcome>) {
    let mut dice = Dice(seed);
    while Instant::now() < until && !out.failed() {
        let _working = instance.working.read().await;
        let vault = &instance.vault;
        let live: Vec<(RecordId, Written)> = model
            .lock()
            .expect("model")
            .iter()
            .filter(|(_, written)| written.latest().is_some())
            .map(|(id, written)| (*id, written.clone()))
            .collect();
        let pick = (!live.is_empty()).then(|| live[dice.below(live.len() as u64) as usize].clone());
        let name = instance.name;
        match (dice.below(10), pick) {
            (0..4, _) | (_, None) => {
                let scope = format!("patient-{}", dice.below(20));
                let payload = dice.payload();
                let record = NewRecord::new(scope.clone(), "note");
                if let Some(put) = out.watched("put", vault.put(record, &payload)).await {
                    match put {
                        Ok(meta) => {
                            let written = Written {
                                scope,
                                versions: vec![Some(payload)],
                            };
                            model.lock().expect("model").insert(meta.id, written);
                        }
                        Err(error) => out.fail(format!("{name}: put: {error}")),
                    }
                }
            }
            (4..6, Some((id, _))) => {
                let payload = dice.payload();
                if let Some(amended) = out.watched("amend", vault.amend(id, &payload)).await {
                    match amended {
                        Ok(_) => push(&model, id, Some(payload)),
                        Err(error) => out.fail(format!("{name}: amend {id}: {error}")),
                    }
                }
            }
            (6, Some((id, _))) => {
                if let Some(deleted) = out.watched("delete", vault.delete(id)).await {
                    match deleted {
                        Ok(()) => push(&model, id, None),
                        Err(error) => out.fail(format!("{name}: delete {id}: {error}")),
                    }
                }
            }
            (7 | 8, Some((id, written))) => {
                if let Some(read) = out.watched("get", vault.get(id)).await {
                    match read {
                        Ok((_, bytes)) if Some(&bytes) == written.latest() => {}
                        Ok(_) => out.fail(format!("{name}: get {id}: other bytes")),
                        Err(error) => out.fail(format!("{name}: get {id}: {error}")),
                    }
                }
            }
            (_, Some((id, written))) => {
                let listed = out.watched("list", vault.list_scope(&written.scope)).await;
                match listed {
                    Some(Ok(metas)) => {
                        let found = metas.iter().find(|meta| meta.id == id);
                        let version = found.map(|meta| meta.version as usize);
                        if version != Some(written.versions.len()) {
                            out.fail(format!("{name}: list: {id} listed at {version:?}"));
                        }
                    }
                    Some(Err(error)) => out.fail(format!("{name}: list: {error}")),
                    None => {}
                }
            }
        }
    }
}

/// Sleeps `period`, or until `until` if that comes first; false once the soak is over.
async fn wait(period: Duration, until: Instant, out: &Outcome) -> bool {
    let left = until.saturating_duration_since(Instant::now());
    tokio::time::sleep(period.min(left)).await;
    Instant::now() < until && !out.failed()
}

fn push(model: &Model, id: RecordId, version: Option<Vec<u8>>) {
    if let Some(written) = model.lock().expect("model").get_mut(&id) {
        written.versions.push(version);
    }
}

/// Every two seconds: `reader` syncs, then reads up to 40 of `writer`'s records, which must
/// read as the version acknowledged before the sync began, or a later one.
async fn check_syncs(
    reader: Arc<Instance>,
    writer: Arc<Instance>,
    until: Instant,
    out: Arc<Outcome>,
) {
    let mut dice = Dice(0x5eed ^ reader.name.len() as u64);
    while wait(Duration::from_secs(2), until, &out).await {
        let before: Vec<(RecordId, usize)> = writer
            .models
            .iter()
            .flat_map(|model| {
                let model = model.lock().expect("model");
                model
                    .iter()
                    .map(|(id, written)| (*id, written.versions.len()))
                    .collect::<Vec<_>>()
            })
            .collect();
        let _working = reader.working.read().await;
        match out.watched("sync", reader.vault.sync()).await {
            Some(Ok(_)) => {}
            Some(Err(error)) => out.fail(format!("{}: sync: {error}", reader.name)),
            None => continue,
        }
        for _ in 0..before.len().min(40) {
            let (id, known) = before[dice.below(before.len() as u64) as usize];
            let Some(read) = out.watched("get other's", reader.vault.get(id)).await else {
                continue;
            };
            let seen = match read {
                Ok((_, bytes)) => Some(bytes),
                Err(VaultError::RecordNotFound { .. }) => None,
                Err(error) => {
                    out.fail(format!("{}: get {id}: {error}", reader.name));
                    continue;
                }
            };
            let versions = writer
                .models
                .iter()
                .find_map(|model| model.lock().expect("model").get(&id).cloned())
                .map(|written| written.versions)
                .unwrap_or_default();
            if !versions[known.saturating_sub(1)..].contains(&seen) {
                out.fail(format!(
                    "{}: {id} reads as no version since the sync",
                    reader.name
                ));
            }
        }
    }
}

/// Every fifteen seconds: `instance` rebuilds its index, its workers paused, then reads its
/// workers' records.
async fn rebuild(instance: Arc<Instance>, until: Instant, out: Arc<Outcome>) {
    while wait(Duration::from_secs(15), until, &out).await {
        let _paused = instance.working.write().await;
        match out.watched("rebuild", instance.vault.rebuild()).await {
            Some(Ok(_)) => {}
            Some(Err(error)) => out.fail(format!("{}: rebuild: {error}", instance.name)),
            None => continue,
        }
        check_own(&instance, &out).await;
    }
}

/// Reads every record `instance`'s workers wrote: each reads as its latest version.
async fn check_own(instance: &Instance, out: &Outcome) {
    for model in &instance.models {
        let written: Vec<(RecordId, Written)> = model
            .lock()
            .expect("model")
            .iter()
            .map(|(id, written)| (*id, written.clone()))
            .collect();
        for (id, written) in written {
            let Some(read) = out.watched("check", instance.vault.get(id)).await else {
                continue;
            };
            match (read, written.latest()) {
                (Ok((_, bytes)), Some(latest)) if &bytes == latest => {}
                (Err(VaultError::RecordNotFound { .. }), None) => {}
                (Ok(_), _) => out.fail(format!("{}: {id} reads other bytes", instance.name)),
                (Err(error), _) => out.fail(format!("{}: {id}: {error}", instance.name)),
            }
        }
    }
}

/// Logs `username` in on `instance` with a fresh code (the instance's clock moved to the next
/// time step) and out again, until `until`.
async fn log_in_and_out(
    instance: Arc<Instance>,
    username: String,
    factor: TotpFactor,
    until: Instant,
    out: Arc<Outcome>,
) {
    let (identity, clock) = (&instance.identity, &instance.clock);
    while wait(Duration::from_millis(300), until, &out).await {
        // Paused while the index is rebuilt: the account is missing until it is replayed.
        let _working = instance.working.read().await;
        clock.advance(Duration::from_secs(30));
        let code = factor.code_at(now_secs(clock));
        let login = identity.login(&username, PASSWORD, LoginCode::Totp(&code));
        let token = match out.watched("login", login).await {
            Some(Ok(outcome)) => outcome.token,
            Some(Err(error)) => {
                out.fail(format!("{}: login: {error}", instance.name));
                continue;
            }
            None => continue,
        };
        if let Some(Err(error)) = out.watched("logout", identity.logout(&token)).await {
            out.fail(format!("{}: logout: {error}", instance.name));
        }
    }
}

fn now_secs(clock: &ManualClock) -> u64 {
    u64::try_from(clock.now_ms() / 1000).expect("a time after 1970")
}

/// An account of `username` with a confirmed TOTP factor.
async fn account(identity: &Identity, clock: &ManualClock, username: &str) -> TotpFactor {
    identity
        .operator_create_account(Role::Physician, username, PASSWORD)
        .await
        .expect("create account");
    let enrollment = identity
        .enroll_totp(username, PASSWORD, None)
        .await
        .expect("enroll");
    let code = enrollment.factor.code_at(now_secs(clock));
    identity
        .confirm_totp(username, PASSWORD, &code)
        .await
        .expect("confirm");
    enrollment.factor
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seconds: u64 = args
        .iter()
        .find(|arg| !arg.starts_with("--"))
        .map_or(600, |text| text.parse().expect("a number of seconds"));
    let s3 = args.iter().any(|arg| arg == "--s3");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let failed = runtime.block_on(soak(Duration::from_secs(seconds), s3));
    if failed {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}

async fn soak(duration: Duration, s3: bool) -> bool {
    let scratch = tempfile::tempdir().expect("scratch folder");
    let store = if s3 {
        let bucket = std::env::var("MEDVAULT_TEST_S3_BUCKET").expect("MEDVAULT_TEST_S3_BUCKET");
        let prefix = format!("soak-{}", WriterId::generate().expect("random"));
        StoreLocation::S3(S3Location::from_env(&format!("s3://{bucket}/{prefix}")).expect("S3"))
    } else {
        StoreLocation::Folder(scratch.path().join("store"))
    };
    let key = RawUnlockKey::generate().expect("key");
    let config = |index: &str| {
        VaultConfig::new(
            store.clone(),
            IndexLocation::Folder(scratch.path().join(index)),
        )
    };
    let first = Vault::create(&config("a"), UnlockCredential::RawKey(&key))
        .await
        .expect("create");
    let second = Vault::open(&config("b"), UnlockCredential::RawKey(&key))
        .await
        .expect("open");
    let instances: Vec<Arc<Instance>> = [("first", first), ("second", second)]
        .into_iter()
        .map(|(name, vault)| {
            // A clock of its own: each instance's logins move it on a time step each.
            let clock = Arc::new(ManualClock::new(1_796_025_600_000));
            let config = IdentityConfig::default();
            Arc::new(Instance {
                name,
                identity: Identity::with_config(vault.clone(), config, clock.clone()),
                clock,
                vault,
                models: vec![Model::default(), Model::default()],
                working: RwLock::new(()),
            })
        })
        .collect();
    let mut factors = Vec::new();
    for (n, instance) in instances.iter().enumerate() {
        let username = format!("dr.soak{n}");
        factors.push((
            username.clone(),
            account(&instance.identity, &instance.clock, &username).await,
        ));
    }
    instances[1].vault.sync().await.expect("sync");

    let out = Arc::new(Outcome::default());
    let started = Instant::now();
    let until = started + duration;
    let mut tasks = Vec::new();
    for (n, instance) in instances.iter().enumerate() {
        for (m, model) in instance.models.iter().enumerate() {
            let seed = 0x9e37_79b9_7f4a_7c15 ^ (n * 2 + m + 1) as u64;
            tasks.push(tokio::spawn(work(
                instance.clone(),
                model.clone(),
                seed,
                until,
                out.clone(),
            )));
        }
        let other = instances[1 - n].clone();
        tasks.push(tokio::spawn(check_syncs(
            instance.clone(),
            other,
            until,
            out.clone(),
        )));
        let (username, factor) = factors[n].clone();
        tasks.push(tokio::spawn(log_in_and_out(
            instance.clone(),
            username,
            factor,
            until,
            out.clone(),
        )));
    }
    tasks.push(tokio::spawn(rebuild(
        instances[1].clone(),
        until,
        out.clone(),
    )));
    for task in tasks {
        if let Err(error) = task.await {
            out.fail(format!("a task panicked: {error}"));
        }
    }

    // Both instances catch up, hold every record as written, agree, and verify.
    let mut listed = Vec::new();
    for instance in &instances {
        if let Some(Err(error)) = out.watched("sync", instance.vault.sync()).await {
            out.fail(format!("{}: final sync: {error}", instance.name));
        }
        check_own(instance, &out).await;
        match out.watched("verify", instance.vault.verify()).await {
            Some(Ok(report)) if report.corrupt.is_empty() && report.missing_objects.is_empty() => {}
            Some(Ok(report)) => out.fail(format!("{}: verify: {report:?}", instance.name)),
            Some(Err(error)) => out.fail(format!("{}: verify: {error}", instance.name)),
            None => {}
        }
        match out.watched("list all", instance.vault.list_all()).await {
            Some(Ok(metas)) => {
                let mut ids: Vec<(RecordId, u64)> =
                    metas.iter().map(|meta| (meta.id, meta.version)).collect();
                ids.sort_unstable();
                listed.push(ids);
            }
            Some(Err(error)) => out.fail(format!("{}: list all: {error}", instance.name)),
            None => {}
        }
    }
    if listed.len() == 2 && listed[0] != listed[1] {
        out.fail("the instances list different records".to_owned());
    }
    let operations = out.operations.lock().expect("counts").clone();
    let total: u64 = operations.values().sum();
    println!(
        "soak: {:.0} s on {}, {total} operations {operations:?}, records {}, hangs {}, \
         failures {}",
        started.elapsed().as_secs_f64(),
        if s3 { "S3" } else { "a folder" },
        listed.first().map_or(0, Vec::len),
        out.hangs.load(Ordering::SeqCst),
        out.failures.lock().expect("failures").len(),
    );
    out.failed()
}
