//! The identity layer against the bare vault it wraps, on a local folder (every write fsync'd):
//! a full login beside the bare Argon2id check inside it, and reads and writes of 1 KiB records
//! through a physician's session (`Identity::read_record`, `Identity::write_record`) beside
//! `Vault::get` and `Vault::put` of the same records, by one task and by eight concurrent tasks.
//!
//! One iteration is one operation, so criterion's time is the time per operation and its
//! throughput the operations/s of all tasks together. `python3 benches/report.py identity`
//! after `cargo bench -p medvault-benches --bench identity` prints the figures and the ratios
//! (identity to vault, Argon2id to login, eight tasks to one).
//!
//! The identity layer runs on a `ManualClock`. It stands still during the read and write
//! benchmarks, so sessions are never touched (a session's last use is written at most once a
//! minute) and never expire; the login benchmark moves it on by one TOTP step (30 s) before
//! each login, since a step is accepted once per account.
//!
//! Separate benchmarks run seconds apart, and this machine's fsync times drift more than the
//! identity layer adds to a write: `interleaved` runs the writes (and reads) of both layers
//! once more in alternating blocks in one vault and prints their times per operation.
//!
//! All of it runs in one vault, broken in before it is measured by 4000 puts one at a time and
//! kept until the end: on this machine the first few thousand files created after a big
//! deletion (another run's folder) cost about twice as much as later ones (see
//! `World::break_in`; its progress is printed). Under `cargo test` (criterion's test mode, each
//! benchmark run once) the break-in and the prefilled records are few, so the target stays
//! quick there.

#![allow(clippy::expect_used)]

mod common;

use common::{count, full_run, runtime};
use std::future::Future;
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group,
    criterion_main, measurement::WallTime,
};
use medvault::crypto::{PasswordHasher, RawUnlockKey, UnlockCredential};
use medvault::vault::{IndexLocation, NewRecord, RecordId, StoreLocation, Vault, VaultConfig};
use medvault_identity::{
    AccountId, Clock, Identity, IdentityConfig, LoginCode, ManualClock, Operation, Role,
    SessionToken, TotpFactor,
};
use tempfile::TempDir;
use tokio::runtime::Runtime;

const KIB: usize = 1 << 10;
/// Concurrent tasks: one (sequential awaits) and eight (group-committed writes).
const TASKS: [(usize, &str); 2] = [(1, "1-task"), (8, "8-tasks")];
/// Tasks that fill the vault the read benchmarks read.
const FILL_TASKS: usize = 32;
const KIND: &str = "note";
const CONTENT_TYPE: &str = "application/octet-stream";
const PASSWORD: &str = "tangerine-lighthouse-orbit-93";
const PHYSICIAN: &str = "dr.bench";
const PATIENT: &str = "pat.bench";
/// 2026-01-01T00:00:00Z.
const START_MS: i64 = 1_767_225_600_000;
/// Records put into each new vault before it is measured (see `World::break_in`).
const BREAK_IN: usize = 4000;

fn payload() -> Arc<Vec<u8>> {
    Arc::new((0..KIB).map(|i| (i % 251) as u8).collect())
}

fn now_secs(clock: &ManualClock) -> u64 {
    u64::try_from(clock.now_ms() / 1000).expect("positive time")
}

/// A vault on a folder, its identity layer, a patient, and a physician with a TOTP factor and
/// an open session.
struct World {
    vault: Vault,
    identity: Identity,
    clock: Arc<ManualClock>,
    patient: AccountId,
    /// The physician's authenticator.
    factor: TotpFactor,
    /// The physician's session.
    session: SessionToken,
    _scratch: TempDir,
}

impl World {
    fn create(runtime: &Runtime) -> Self {
        let scratch = tempfile::tempdir().expect("scratch folder");
        let config = VaultConfig::new(
            StoreLocation::Folder(scratch.path().join("store")),
            IndexLocation::Folder(scratch.path().join("index")),
        );
        let key = RawUnlockKey::generate().expect("raw key");
        let vault = runtime
            .block_on(Vault::create(&config, UnlockCredential::RawKey(&key)))
            .expect("create vault");
        let clock = Arc::new(ManualClock::new(START_MS));
        let identity =
            Identity::with_config(vault.clone(), IdentityConfig::default(), clock.clone());
        runtime.block_on(async {
            let patient = identity
                .operator_create_account(Role::Patient, PATIENT, PASSWORD)
                .await
                .expect("create patient");
            identity
                .operator_create_account(Role::Physician, PHYSICIAN, PASSWORD)
                .await
                .expect("create physician");
            let enrollment = identity
                .enroll_totp(PHYSICIAN, PASSWORD, None)
                .await
                .expect("enroll TOTP");
            let code = enrollment.factor.code_at(now_secs(&clock));
            identity
                .confirm_totp(PHYSICIAN, PASSWORD, &code)
                .await
                .expect("confirm TOTP");
            clock.advance(Duration::from_secs(30));
            let code = enrollment.factor.code_at(now_secs(&clock));
            let outcome = identity
                .login(PHYSICIAN, PASSWORD, LoginCode::Totp(&code))
                .await
                .expect("login");
            let world = Self {
                vault,
                identity,
                clock,
                patient,
                factor: enrollment.factor,
                session: outcome.token,
                _scratch: scratch,
            };
            world.break_in().await;
            world
        })
    }

    /// Puts `BREAK_IN` records one at a time, so that the benchmarks meet the folder in its
    /// steady state. On this machine the first few thousand files created in a fresh folder
    /// cost twice as much as later ones: ext4 (no journal here) skips, one by one, the inodes
    /// that other runs freed in the last minutes before it finds one it may reuse.
    async fn break_in(&self) {
        let payload = payload();
        let records = count(BREAK_IN, 2) as u64;
        let chunk = records.div_ceil(8);
        let mut rates = Vec::new();
        let mut done = 0;
        while done < records {
            let now = chunk.min(records - done);
            let took = write_through_vault(self, &payload, now, 1).await;
            rates.push(now as f64 / took.as_secs_f64());
            done += now;
        }
        if full_run() {
            let shown: Vec<String> = rates.iter().map(|rate| format!("{rate:.0}")).collect();
            eprintln!(
                "break-in: {records} puts one at a time, puts/s by eighths: {}",
                shown.join(", ")
            );
        }
    }

    /// Logs the physician in again, at the next TOTP step, and keeps the new session (the
    /// login benchmark moves the clock on past the old one's idle timeout).
    fn renew_session(&mut self, runtime: &Runtime) {
        self.clock.advance(Duration::from_secs(30));
        let code = self.factor.code_at(now_secs(&self.clock));
        let outcome = runtime
            .block_on(
                self.identity
                    .login(PHYSICIAN, PASSWORD, LoginCode::Totp(&code)),
            )
            .expect("login");
        self.session = outcome.token;
    }

    /// The vault scope `Identity` keeps the patient's records in.
    fn patient_scope(&self) -> String {
        format!("patient/{}", self.patient)
    }
}

/// Runs `op(0)`, `op(1)`, … `op(count - 1)` from `tasks` concurrent tasks, each taking the next
/// number until all are done. Returns the wall time.
async fn spread<F, Fut>(tasks: usize, count: u64, op: F) -> Duration
where
    F: Fn(u64) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let (next, op) = (next.clone(), op.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        break;
                    }
                    op(i).await;
                }
            })
        })
        .collect();
    for handle in handles {
        handle.await.expect("task");
    }
    start.elapsed()
}

/// Writes `count` records of `payload` for the world's patient through the physician's
/// session, from `tasks` concurrent tasks; returns the wall time.
async fn write_through_identity(
    world: &World,
    payload: &Arc<Vec<u8>>,
    count: u64,
    tasks: usize,
) -> Duration {
    let (identity, session, patient) =
        (world.identity.clone(), world.session.clone(), world.patient);
    let payload = payload.clone();
    spread(tasks, count, move |_| {
        let (identity, session, payload) = (identity.clone(), session.clone(), payload.clone());
        async move {
            let meta = identity
                .write_record(&session, patient, KIND, CONTENT_TYPE, &payload)
                .await
                .expect("write_record");
            black_box(meta);
        }
    })
    .await
}

/// The same writes with `Vault::put` into the same scope.
async fn write_through_vault(
    world: &World,
    payload: &Arc<Vec<u8>>,
    count: u64,
    tasks: usize,
) -> Duration {
    let (vault, scope) = (world.vault.clone(), world.patient_scope());
    let payload = payload.clone();
    spread(tasks, count, move |_| {
        let (vault, scope, payload) = (vault.clone(), scope.clone(), payload.clone());
        async move {
            let meta = vault
                .put(
                    NewRecord::new(scope, KIND).content_type(CONTENT_TYPE),
                    &payload,
                )
                .await
                .expect("put");
            black_box(meta);
        }
    })
    .await
}

fn per_record() -> Throughput {
    Throughput::ElementsAndBytes {
        elements: 1,
        bytes: KIB as u64,
    }
}

/// Every benchmark, in one vault that lives until the end: deleting a vault's folder (thousands
/// of files) slows the files created on this machine for a while after (see
/// `World::break_in`), so each fresh vault would slow the benchmarks that follow it.
fn identity_benches(c: &mut Criterion) {
    let runtime = runtime();
    let mut world = World::create(&runtime);
    login_group(c, &runtime, &world);
    world.renew_session(&runtime);
    read_group(c, &runtime, &world);
    write_group(c, &runtime, &world);
    interleaved(&runtime, &world);
}

/// A full login (Argon2id check of the password, TOTP check, session and account committed
/// in one durable batch) and, beside it, the bare Argon2id check with the same parameters.
fn login_group(c: &mut Criterion, runtime: &Runtime, world: &World) {
    let mut group = c.benchmark_group("login-folder");
    configure(&mut group);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(1));
    group.bench_function("login", |b| {
        b.iter_custom(|iters| {
            let mut took = Duration::ZERO;
            for _ in 0..iters {
                // A TOTP step is accepted once: each login takes the next one.
                world.clock.advance(Duration::from_secs(30));
                let code = world.factor.code_at(now_secs(&world.clock));
                let start = Instant::now();
                let outcome = runtime
                    .block_on(
                        world
                            .identity
                            .login(PHYSICIAN, PASSWORD, LoginCode::Totp(&code)),
                    )
                    .expect("login");
                took += start.elapsed();
                black_box(outcome);
            }
            took
        });
    });
    let hasher = PasswordHasher::default();
    let phc = hasher.hash(PASSWORD.as_bytes()).expect("hash");
    group.bench_function("argon2id-verify", |b| {
        b.iter(|| {
            let ok = hasher
                .verify(black_box(PASSWORD.as_bytes()), &phc)
                .expect("verify");
            assert!(ok, "the password verifies");
        });
    });
    group.finish();
}

/// `Identity::read_record` (session check, policy, get, durable audit entry) and `Vault::get`
/// of the same 1 KiB records, by one and eight tasks.
fn read_group(c: &mut Criterion, runtime: &Runtime, world: &World) {
    let records = count(256, 8) as u64;
    let mut group = c.benchmark_group("read-folder");
    configure(&mut group);
    group.throughput(per_record());
    let mut prefilled: Option<Arc<Vec<RecordId>>> = None;
    let mut ids = || {
        prefilled
            .get_or_insert_with(|| {
                Arc::new(runtime.block_on(write_patient_records(world, records)))
            })
            .clone()
    };
    for (tasks, tasks_name) in TASKS {
        group.bench_function(BenchmarkId::new("identity", tasks_name), |b| {
            let ids = ids();
            b.iter_custom(|iters| {
                let (identity, session, ids) =
                    (world.identity.clone(), world.session.clone(), ids.clone());
                runtime.block_on(spread(tasks, iters, move |i| {
                    let (identity, session) = (identity.clone(), session.clone());
                    let id = ids[i as usize % ids.len()];
                    async move {
                        let (_, bytes) = identity
                            .read_record(&session, id)
                            .await
                            .expect("read_record");
                        assert_eq!(bytes.len(), KIB, "payload size");
                        black_box(bytes);
                    }
                }))
            });
        });
        group.bench_function(BenchmarkId::new("vault", tasks_name), |b| {
            let ids = ids();
            b.iter_custom(|iters| {
                let (vault, ids) = (world.vault.clone(), ids.clone());
                runtime.block_on(spread(tasks, iters, move |i| {
                    let vault = vault.clone();
                    let id = ids[i as usize % ids.len()];
                    async move {
                        let (_, bytes) = vault.get(id).await.expect("get");
                        assert_eq!(bytes.len(), KIB, "payload size");
                        black_box(bytes);
                    }
                }))
            });
        });
    }
    group.finish();
}

/// Writes `count` records for the world's patient through the physician's session, from
/// `FILL_TASKS` tasks; returns their ids.
async fn write_patient_records(world: &World, count: u64) -> Vec<RecordId> {
    let (identity, session, patient) =
        (world.identity.clone(), world.session.clone(), world.patient);
    let payload = payload();
    let ids = Arc::new(std::sync::Mutex::new(Vec::new()));
    let collected = ids.clone();
    spread(FILL_TASKS, count, move |_| {
        let (identity, session, payload, ids) = (
            identity.clone(),
            session.clone(),
            payload.clone(),
            ids.clone(),
        );
        async move {
            let meta = identity
                .write_record(&session, patient, KIND, CONTENT_TYPE, &payload)
                .await
                .expect("write_record");
            ids.lock().expect("ids").push(meta.id);
        }
    })
    .await;
    collected.lock().expect("ids").clone()
}

/// `Identity::write_record` and `Vault::put` of 1 KiB records into the same patient's scope,
/// by one and eight tasks.
fn write_group(c: &mut Criterion, runtime: &Runtime, world: &World) {
    let payload = payload();
    let mut group = c.benchmark_group("write-folder");
    configure(&mut group);
    group.throughput(per_record());
    for (tasks, tasks_name) in TASKS {
        group.bench_function(BenchmarkId::new("identity", tasks_name), |b| {
            b.iter_custom(|iters| {
                runtime.block_on(write_through_identity(world, &payload, iters, tasks))
            });
        });
        group.bench_function(BenchmarkId::new("vault", tasks_name), |b| {
            b.iter_custom(|iters| {
                runtime.block_on(write_through_vault(world, &payload, iters, tasks))
            });
        });
    }
    group.finish();
}

/// The writes and reads of the groups above once more, the identity layer's in blocks
/// alternating with the bare vault's (which goes first alternates too), so that both meet the
/// same drift of this machine's fsync times; separate benchmarks, seconds apart, do not.
/// Prints the time per operation of each, and for reads that of
/// `Identity::authorize(ReadRecords)`: the session check, the policy and the durable audit
/// entry, without the record. Runs unless a benchmark filter that does not mention
/// `interleaved` was given.
fn interleaved(runtime: &Runtime, world: &World) {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .collect();
    if !filters.is_empty() && !filters.iter().any(|filter| filter.contains("interleaved")) {
        return;
    }
    let payload = payload();
    let (rounds, block) = (count(30, 2) as u32, count(200, 2) as u64);
    let micros = |total: Duration, ops: u32| total.as_secs_f64() * 1e6 / f64::from(ops);
    for (tasks, tasks_name) in TASKS {
        let (mut ours, mut bare) = (Duration::ZERO, Duration::ZERO);
        for round in 0..rounds {
            if round % 2 == 1 {
                bare += runtime.block_on(write_through_vault(world, &payload, block, tasks));
            }
            ours += runtime.block_on(write_through_identity(world, &payload, block, tasks));
            if round % 2 == 0 {
                bare += runtime.block_on(write_through_vault(world, &payload, block, tasks));
            }
        }
        let ops = rounds * block as u32;
        let (ours, bare) = (micros(ours, ops), micros(bare, ops));
        if full_run() {
            eprintln!(
                "interleaved write, {tasks_name}: Identity::write_record {ours:.1} us/op, \
                 Vault::put {bare:.1} us/op; identity/vault ops/s {:.2}",
                bare / ours
            );
        }
    }
    let operation = Operation::ReadRecords {
        patient: world.patient,
    };
    let (identity, session) = (&world.identity, &world.session);
    let ids = runtime.block_on(write_patient_records(world, block.min(64)));
    let (mut read, mut authorize) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..rounds {
        let start = Instant::now();
        for &id in &ids {
            let read = runtime.block_on(identity.read_record(session, id));
            black_box(read.expect("read_record"));
        }
        read += start.elapsed();
        let start = Instant::now();
        for _ in &ids {
            let who = runtime.block_on(identity.authorize(session, operation));
            black_box(who.expect("authorize"));
        }
        authorize += start.elapsed();
    }
    let ops = rounds * ids.len() as u32;
    if full_run() {
        eprintln!(
            "interleaved read, 1-task: Identity::read_record {:.1} us/op, \
             Identity::authorize(ReadRecords) {:.1} us/op",
            micros(read, ops),
            micros(authorize, ops)
        );
    }
}

fn configure(group: &mut BenchmarkGroup<'_, WallTime>) {
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
}

criterion_group!(benches, identity_benches);
criterion_main!(benches);
