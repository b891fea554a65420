//! The hospital at scale, on a local folder (every write fsync'd): import speed in rows/s
//! (Synthea CSV patients and appointments, FHIR Bundle appointments), and the latency of an
//! availability search and of the dashboard in a vault holding 100,000 appointments.
//!
//! The vault is filled through the import itself: 2,000 patients, 50 physicians in 10
//! specialties (weekdays 08:00-17:00 in 15-minute slots) and 100,000 appointments spread over
//! a year around the clock's today, as Synthea CSV files. The time that takes is printed as
//! the first import figure. The searches and the dashboard are measured next, at 100,000
//! appointments; then each import iteration brings new rows (1,000 per iteration, ids never
//! seen before), so that it measures real imports, not re-imports.
//!
//! `python3 benches/report.py hospital` after `cargo bench -p medvault-benches --bench
//! hospital` prints the figures. Under `cargo test` (criterion's test mode) the vault holds
//! 2,000 appointments and every benchmark runs once.

#![allow(clippy::expect_used)]

mod common;

use std::fmt::Write as _;
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{Duration as Days, NaiveDate, NaiveTime};
use common::{count, runtime};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use medvault::crypto::{RawUnlockKey, UnlockCredential};
use medvault::vault::{IndexLocation, StoreLocation, Vault, VaultConfig};
use medvault_benches::synthea::{letters, patients_csv, physicians_csv};
use medvault_hospital::import;
use medvault_hospital::{AvailableTime, Hospital, Schedule, SlotQuery};
use medvault_identity::{
    Clock, Identity, IdentityConfig, LoginCode, ManualClock, Role, SessionToken,
};
use tempfile::TempDir;
use tokio::runtime::Runtime;

const PASSWORD: &str = "tangerine-lighthouse-orbit-93";
/// Monday 2026-11-30, 08:00 UTC.
const START_MS: i64 = 1_796_025_600_000;
const PATIENTS: usize = 2_000;
const PHYSICIANS: usize = 50;
const SPECIALTIES: usize = 10;
/// Rows per import iteration.
const ROWS: usize = 1_000;
/// Slots per physician per weekday: 08:00 to 17:00 in 15 minutes.
const SLOTS_PER_DAY: usize = 36;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 30).expect("date")
}

/// The vault, filled, with an admin's and a patient's sessions.
struct World {
    _folder: TempDir,
    hospital: Hospital,
    admin: SessionToken,
    patient: SessionToken,
    /// Ids of rows imported so far, to make every iteration's rows new.
    next_id: AtomicU64,
}

impl World {
    fn create(runtime: &Runtime, appointments: usize) -> Self {
        let folder = tempfile::tempdir().expect("temporary folder");
        let config = VaultConfig::new(
            StoreLocation::Folder(folder.path().join("store")),
            IndexLocation::Folder(folder.path().join("index")),
        );
        let key = RawUnlockKey::generate().expect("key");
        runtime.block_on(async {
            let vault = Vault::create(&config, UnlockCredential::RawKey(&key))
                .await
                .expect("vault");
            let clock = Arc::new(ManualClock::new(START_MS));
            let identity = Identity::with_config(vault, IdentityConfig::default(), clock.clone());
            let hospital = Hospital::new(identity.clone());
            identity
                .operator_create_account(Role::Admin, "admin.bench", PASSWORD)
                .await
                .expect("admin");
            identity
                .operator_create_account(Role::Patient, "pat.bench", PASSWORD)
                .await
                .expect("patient");
            let admin = log_in(&identity, &clock, "admin.bench").await;
            let patient = log_in(&identity, &clock, "pat.bench").await;
            let world = Self {
                _folder: folder,
                hospital,
                admin,
                patient,
                next_id: AtomicU64::new(0),
            };
            let started = Instant::now();
            world.import(&patients_csv(0, PATIENTS)).await;
            world.import(&physicians_csv(PHYSICIANS, SPECIALTIES)).await;
            world.set_hours().await;
            world
                .import(&appointments_csv(&world.next_ids(appointments)))
                .await;
            let seconds = started.elapsed().as_secs_f64();
            println!(
                "filled the vault: {PATIENTS} patients, {PHYSICIANS} physicians and {appointments} appointments imported in {seconds:.1} s ({:.0} rows/s)",
                (PATIENTS + PHYSICIANS + appointments) as f64 / seconds
            );
            world
        })
    }

    async fn import(&self, bytes: &[u8]) {
        let parsed = import::parse(bytes, None, today()).expect("parse");
        let report = self
            .hospital
            .operator_import(&parsed, false, None)
            .await
            .expect("import");
        let accepted = report.counts.accepted;
        assert_eq!(accepted, report.rows.len(), "{}", report.summary_line());
    }

    /// Weekdays 08:00-17:00 in 15-minute slots for every physician.
    async fn set_hours(&self) {
        let hours = Schedule {
            available_time: vec![AvailableTime::weekdays(
                NaiveTime::from_hms_opt(8, 0, 0).expect("time"),
                NaiveTime::from_hms_opt(17, 0, 0).expect("time"),
            )],
            not_available: Vec::new(),
            slot_minutes: 15,
        };
        for physician in self
            .hospital
            .physicians(&self.admin, None)
            .await
            .expect("physicians")
        {
            self.hospital
                .set_schedule(&self.admin, physician.account, &hours)
                .await
                .expect("schedule");
        }
    }

    /// `n` row numbers never used before.
    fn next_ids(&self, n: usize) -> std::ops::Range<u64> {
        let first = self.next_id.fetch_add(n as u64, Ordering::Relaxed);
        first..first + n as u64
    }
}

/// Enrolls, confirms and logs in `username` with computed codes.
async fn log_in(identity: &Identity, clock: &ManualClock, username: &str) -> SessionToken {
    let now = || u64::try_from(clock.now_ms() / 1000).expect("positive");
    let enrollment = identity
        .enroll_totp(username, PASSWORD, None)
        .await
        .expect("enroll");
    identity
        .confirm_totp(username, PASSWORD, &enrollment.factor.code_at(now()))
        .await
        .expect("confirm");
    clock.advance(Duration::from_secs(30));
    identity
        .login(
            username,
            PASSWORD,
            LoginCode::Totp(&enrollment.factor.code_at(now())),
        )
        .await
        .expect("login")
        .token
}

/// Weekdays the appointments spread over: 52 weeks, starting 26 weeks before today's week.
const WEEKDAYS: usize = 52 * 5;

/// The slot of appointment number `n`: each physician's weekdays of the year in turn, one
/// slot further each round, so that no two appointments share a slot and the first 100,000
/// fill about 8 of each physician-day's 36 slots, on both sides of today.
fn slot_of(n: u64) -> (usize, chrono::NaiveDateTime) {
    let n = n as usize;
    let physician = n % PHYSICIANS;
    let round = n / PHYSICIANS;
    let weekday = round % WEEKDAYS;
    let slot = (round / WEEKDAYS) % SLOTS_PER_DAY;
    let day = today() - Days::weeks(26)
        + Days::weeks((weekday / 5) as i64)
        + Days::days((weekday % 5) as i64);
    let start = day.and_hms_opt(8, 0, 0).expect("time") + Days::minutes(15 * slot as i64);
    (physician, start)
}

/// Synthea `encounters.csv` rows for appointments `ids`, each in a slot of its own.
fn appointments_csv(ids: &std::ops::Range<u64>) -> Vec<u8> {
    let mut csv = String::from("Id,START,STOP,PATIENT,PROVIDER,STATUS\n");
    for n in ids.clone() {
        let (physician, start) = slot_of(n);
        let status = if start.date() < today() {
            "fulfilled"
        } else {
            "booked"
        };
        let _ = writeln!(
            csv,
            "enc-{n:010},{},{},pat-{:08},doc-{physician:03},{status}",
            start.format("%Y-%m-%dT%H:%M:%SZ"),
            (start + Days::minutes(15)).format("%Y-%m-%dT%H:%M:%SZ"),
            n as usize % PATIENTS
        );
    }
    csv.into_bytes()
}

/// A FHIR Bundle of appointments `ids`, with the one Patient and the Practitioners (and
/// their PractitionerRoles) they refer to, under ids of the bundle's own.
fn appointments_bundle(ids: &std::ops::Range<u64>) -> Vec<u8> {
    let mut entries = Vec::new();
    let batch = ids.start;
    for physician in 0..PHYSICIANS {
        entries.push(format!(
            r#"{{"resource":{{"resourceType":"Practitioner","id":"fdoc-{batch}-{physician}","name":[{{"family":"{}","given":["{}"]}}]}}}}"#,
            letters(physician + 1000),
            letters(physician)
        ));
        entries.push(format!(
            r#"{{"resource":{{"resourceType":"PractitionerRole","practitioner":{{"reference":"Practitioner/fdoc-{batch}-{physician}"}},"specialty":[{{"text":"Specialty {}"}}]}}}}"#,
            physician % SPECIALTIES
        ));
    }
    entries.push(format!(
        r#"{{"resource":{{"resourceType":"Patient","id":"fpat-{batch}","name":[{{"family":"Bundle","given":["Patient"]}}],"gender":"female","birthDate":"1970-01-01"}}}}"#
    ));
    for n in ids.clone() {
        let (physician, start) = slot_of(n);
        entries.push(format!(
            r#"{{"resource":{{"resourceType":"Appointment","id":"fenc-{n}","status":"booked","start":"{}","end":"{}","participant":[{{"actor":{{"reference":"Patient/fpat-{batch}"}}}},{{"actor":{{"reference":"Practitioner/fdoc-{batch}-{physician}"}}}}]}}}}"#,
            start.format("%Y-%m-%dT%H:%M:%SZ"),
            (start + Days::minutes(15)).format("%Y-%m-%dT%H:%M:%SZ"),
        ));
    }
    format!(
        r#"{{"resourceType":"Bundle","type":"collection","entry":[{}]}}"#,
        entries.join(",")
    )
    .into_bytes()
}

fn hospital(c: &mut Criterion) {
    let runtime = runtime();
    let appointments = count(100_000, 2_000);
    let world = World::create(&runtime, appointments);

    let mut reads = c.benchmark_group(format!("at-{appointments}-appointments"));
    reads.sample_size(10);
    let week = |physician: Option<&str>, specialty: Option<&str>| SlotQuery {
        physician: physician.map(str::to_owned),
        specialty: specialty.map(str::to_owned),
        from: today() + Days::days(1),
        to: today() + Days::days(7),
    };
    for (name, query) in [
        ("search-physician-week", week(Some("physician-"), None)),
        ("search-specialty-week", week(None, Some("specialty 3"))),
        ("search-everyone-week", week(None, None)),
    ] {
        let query = resolve_username(&runtime, &world, query);
        let found = runtime
            .block_on(world.hospital.free_slots(&world.patient, &query))
            .expect("search");
        println!("{name}: {} free slots", found.len());
        assert!(!found.is_empty());
        reads.bench_function(name, |b| {
            b.iter(|| {
                black_box(
                    runtime
                        .block_on(world.hospital.free_slots(&world.patient, &query))
                        .expect("search"),
                )
            });
        });
    }
    for days in [30, 365] {
        let from = today() - Days::days(days / 2);
        let to = from + Days::days(days - 1);
        // The first dashboard over a day settles it (counts the appointments the import
        // stored without tallies); the benchmark measures the calls after it.
        let started = Instant::now();
        let board = runtime
            .block_on(world.hospital.dashboard(&world.admin, from, to))
            .expect("dashboard");
        let settling = started.elapsed().as_secs_f64() * 1000.0;
        let visits: u64 = board.daily.iter().map(|day| day.patients).sum();
        println!(
            "dashboard-{days}-days: {visits} daily patient visits counted; the first call, settling the days no earlier call settled, took {settling:.0} ms"
        );
        // (Under `cargo test` the few appointments lie months before today.)
        assert!(visits > 0 || !common::full_run());
        reads.bench_function(format!("dashboard-{days}-days"), |b| {
            b.iter(|| {
                black_box(
                    runtime
                        .block_on(world.hospital.dashboard(&world.admin, from, to))
                        .expect("dashboard"),
                )
            });
        });
    }
    reads.finish();

    let mut imports = c.benchmark_group("import");
    imports.sample_size(10);
    imports.throughput(Throughput::Elements(ROWS as u64));
    imports.bench_function("csv-patients", |b| {
        b.iter_custom(|iterations| {
            let mut spent = Duration::ZERO;
            for _ in 0..iterations {
                let ids = world.next_ids(ROWS);
                let csv = patients_csv(PATIENTS + ids.start as usize, ROWS);
                let started = Instant::now();
                runtime.block_on(world.import(&csv));
                spent += started.elapsed();
            }
            spent
        });
    });
    imports.bench_function("csv-appointments", |b| {
        b.iter_custom(|iterations| {
            let mut spent = Duration::ZERO;
            for _ in 0..iterations {
                let csv = appointments_csv(&world.next_ids(ROWS));
                let started = Instant::now();
                runtime.block_on(world.import(&csv));
                spent += started.elapsed();
            }
            spent
        });
    });
    imports.bench_function("fhir-appointments", |b| {
        b.iter_custom(|iterations| {
            let mut spent = Duration::ZERO;
            for _ in 0..iterations {
                let bundle = appointments_bundle(&world.next_ids(ROWS));
                let started = Instant::now();
                runtime.block_on(world.import(&bundle));
                spent += started.elapsed();
            }
            spent
        });
    });
    imports.finish();
}

/// A query for one physician gets the username of the first imported physician.
fn resolve_username(runtime: &Runtime, world: &World, mut query: SlotQuery) -> SlotQuery {
    if query.physician.is_some() {
        let physicians = runtime
            .block_on(world.hospital.physicians(&world.patient, None))
            .expect("physicians");
        query.physician = physicians
            .first()
            .map(|physician| physician.username.clone());
    }
    query
}

criterion_group!(benches, hospital);
criterion_main!(benches);
