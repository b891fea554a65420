//! The hospital's invariants across vault instances (two index folders, two writers) sharing
//! one store, on a local folder and on Garage: two instances importing one file create each
//! of its patients, physicians and appointments once, a hospital number (any identifier
//! given in a profile) belongs to one patient, whichever instance gives it, and an imported
//! appointment never takes a slot a booking on another instance takes at the same moment.
#![allow(clippy::expect_used, clippy::panic)]

#[path = "../../tests/common/mod.rs"]
mod common;
#[path = "../../identity/tests/people/mod.rs"]
mod people;

use std::sync::Arc;

use chrono::{Days, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use common::{Backend, Fixture};
use medvault::vault::Vault;
use medvault_hospital::import::{self, ImportReport, ParsedFile, ReportOutcome};
use medvault_hospital::{
    AvailableTime, Contact, Gender, Hospital, HospitalError, HumanName, Identifier, PatientProfile,
    PhysicianProfile, Schedule,
};
use medvault_identity::{Identity, IdentityConfig, ManualClock, Role, SessionToken};
use people::{PASSWORD, account_with_session, log_in};

/// Monday 2026-11-30, 08:00 UTC.
const START_MS: i64 = 1_796_025_600_000;

/// Imported patients: more than one batch, so that the instances interleave batches.
const PATIENTS: usize = import::ROWS_PER_BATCH + 60;
const PHYSICIANS: usize = 4;
const APPOINTMENTS: usize = 40;

/// Two instances of one vault, each with its hospital, and an admin's session.
struct TwoInstances {
    _fixture: Fixture,
    vaults: [Vault; 2],
    hospitals: [Hospital; 2],
    clock: Arc<ManualClock>,
    admin: SessionToken,
}

impl TwoInstances {
    async fn new(backend: Backend) -> Self {
        let fixture = Fixture::new(backend);
        let first = fixture.create("a").await;
        let second = fixture.open("b").await;
        let clock = Arc::new(ManualClock::new(START_MS));
        let hospital = |vault: &Vault| {
            let identity =
                Identity::with_config(vault.clone(), IdentityConfig::default(), clock.clone());
            Hospital::new(identity)
        };
        let hospitals = [hospital(&first), hospital(&second)];
        let admin = account_with_session(hospitals[0].identity(), &clock, Role::Admin, "admin")
            .await
            .token;
        second.sync().await.expect("sync");
        Self {
            _fixture: fixture,
            vaults: [first, second],
            hospitals,
            clock,
            admin,
        }
    }

    async fn sync(&self) {
        for vault in &self.vaults {
            vault.sync().await.expect("sync");
        }
    }

    /// Both instances import `text` at once; their reports.
    async fn import_at_once(&self, text: &str) -> [ImportReport; 2] {
        let parsed = parse(text);
        let [first, second] = &self.hospitals;
        let (a, b) = tokio::join!(
            first.operator_import(&parsed, false, None),
            second.operator_import(&parsed, false, None)
        );
        [
            a.expect("import on the first"),
            b.expect("import on the second"),
        ]
    }

    /// How many accounts of `role` each instance holds.
    fn accounts(&self, role: Role) -> [usize; 2] {
        self.hospitals.each_ref().map(|hospital| {
            let accounts = hospital.identity().operator_accounts().expect("accounts");
            accounts.iter().filter(|info| info.role == role).count()
        })
    }

    /// How many appointments each instance lists over every physician.
    async fn appointments(&self) -> [usize; 2] {
        let mut counts = [0; 2];
        for (count, hospital) in counts.iter_mut().zip(&self.hospitals) {
            let accounts = hospital.identity().operator_accounts().expect("accounts");
            for physician in accounts.iter().filter(|info| info.role == Role::Physician) {
                *count += hospital
                    .physician_appointments(&self.admin, physician.id)
                    .await
                    .expect("list")
                    .len();
            }
        }
        counts
    }
}

/// A name of letters only, distinct for each `row`.
fn name(row: usize) -> String {
    let letters: String = format!("{row:04}")
        .bytes()
        .map(|digit| char::from(b'a' + (digit - b'0')))
        .collect();
    format!("Ada{letters}")
}

/// `text` read as an import file, on the clock's day.
fn parse(text: &str) -> ParsedFile {
    let today = NaiveDate::from_ymd_opt(2026, 11, 30).expect("a date");
    import::parse(text.as_bytes(), None, today).expect("parse")
}

fn patients_file() -> String {
    let mut csv = String::from("Id,BIRTHDATE,FIRST,LAST,GENDER\n");
    for row in 0..PATIENTS {
        csv.push_str(&format!("p-{row},1980-01-01,{},Lovelace,F\n", name(row)));
    }
    csv
}

fn physicians_file() -> String {
    let mut csv = String::from("Id,NAME,GENDER,SPECIALITY\n");
    for row in 0..PHYSICIANS {
        csv.push_str(&format!("d-{row},{} Doe,F,Cardiology\n", name(row)));
    }
    csv
}

/// Appointments in slots of their own, in the past (fulfilled).
fn appointments_file() -> String {
    let mut csv = String::from("Id,START,PATIENT,PROVIDER\n");
    for row in 0..APPOINTMENTS {
        let physician = row % PHYSICIANS;
        let hour = 8 + row / PHYSICIANS;
        csv.push_str(&format!(
            "a-{row},2025-03-05T{hour:02}:00:00Z,p-{row},d-{physician}\n"
        ));
    }
    csv
}

/// Rows a report counts as applied (imported, or found imported already).
fn applied(report: &ImportReport) -> usize {
    report.counts.accepted + report.counts.unchanged
}

async fn importing_one_file_on_two_instances_at_once_creates_each_row_once(backend: Backend) {
    let pair = TwoInstances::new(backend).await;
    for (text, rows) in [
        (patients_file(), PATIENTS),
        (physicians_file(), PHYSICIANS),
        (appointments_file(), APPOINTMENTS),
    ] {
        let reports = pair.import_at_once(&text).await;
        for report in &reports {
            assert_eq!(applied(report), rows, "{}", report.summary_line());
        }
        pair.sync().await;
    }
    assert_eq!(pair.accounts(Role::Patient), [PATIENTS; 2], "patients");
    assert_eq!(
        pair.accounts(Role::Physician),
        [PHYSICIANS; 2],
        "physicians"
    );
    assert_eq!(pair.appointments().await, [APPOINTMENTS; 2], "appointments");
    // Each patient is found under its source id, on both instances.
    let source = Identifier::new(import::SYSTEM_CSV_PATIENTS, "p-7");
    let mut found = Vec::new();
    for hospital in &pair.hospitals {
        found.push(
            hospital
                .find_patient(&pair.admin, &source)
                .await
                .expect("find"),
        );
    }
    assert!(found[0].is_some());
    assert_eq!(found[0], found[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn importing_one_file_on_two_instances_sharing_a_folder_creates_each_row_once() {
    importing_one_file_on_two_instances_at_once_creates_each_row_once(Backend::Folder).await;
}

#[cfg(feature = "s3")]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn importing_one_file_on_two_instances_sharing_an_s3_bucket_creates_each_row_once() {
    importing_one_file_on_two_instances_at_once_creates_each_row_once(Backend::S3).await;
}

fn patient_profile(given: &str, hospital_number: &str) -> PatientProfile {
    PatientProfile {
        name: HumanName::new(given, "Lovelace"),
        birth_date: NaiveDate::from_ymd_opt(1984, 3, 9).expect("a date"),
        gender: Gender::Female,
        contact: Contact::default(),
        address: None,
        identifiers: vec![Identifier::new("urn:hospital:number", hospital_number)],
    }
}

fn assert_identifier_taken<T: std::fmt::Debug>(result: Result<T, HospitalError>, what: &str) {
    match result {
        Err(HospitalError::IdentifierTaken { .. }) => {}
        other => panic!("{what}: expected IdentifierTaken, got {other:?}"),
    }
}

const ROUNDS: usize = 4;

async fn a_hospital_number_goes_to_one_patient_of_two_instances(backend: Backend) {
    let pair = TwoInstances::new(backend).await;
    let [first, second] = &pair.hospitals;
    for round in 0..ROUNDS {
        let number = format!("H-{round}");
        let (ada, bea) = (format!("pat.a{round}"), format!("pat.b{round}"));
        let (ada_profile, bea_profile) = (
            patient_profile("Ada", &number),
            patient_profile("Bea", &number),
        );
        let (a, b) = tokio::join!(
            first.register_patient(&ada, PASSWORD, &ada_profile),
            second.register_patient(&bea, PASSWORD, &bea_profile),
        );
        let winner = match (a, b) {
            (Ok(winner), lost) | (lost, Ok(winner)) => {
                assert_identifier_taken(lost, "the other registration");
                winner
            }
            (a, b) => panic!("round {round}: neither registered: {a:?}, {b:?}"),
        };
        pair.sync().await;
        let identifier = Identifier::new("urn:hospital:number", &number);
        for hospital in &pair.hospitals {
            let found = hospital.find_patient(&pair.admin, &identifier).await;
            assert_eq!(found.expect("find"), Some(winner), "round {round}");
        }
    }
    assert_eq!(pair.accounts(Role::Patient), [ROUNDS; 2]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hospital_number_goes_to_one_patient_of_two_instances_sharing_a_folder() {
    a_hospital_number_goes_to_one_patient_of_two_instances(Backend::Folder).await;
}

#[cfg(feature = "s3")]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hospital_number_goes_to_one_patient_of_two_instances_sharing_an_s3_bucket() {
    a_hospital_number_goes_to_one_patient_of_two_instances(Backend::S3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_identifier_of_another_patient_or_physician_is_refused() {
    let pair = TwoInstances::new(Backend::Memory).await;
    let hospital = &pair.hospitals[0];
    let ada = hospital
        .register_patient("pat.ada", PASSWORD, &patient_profile("Ada", "H-1"))
        .await
        .expect("register");
    let bea = hospital
        .register_patient("pat.bea", PASSWORD, &patient_profile("Bea", "H-2"))
        .await
        .expect("register");
    assert_identifier_taken(
        hospital
            .admin_register_patient(
                &pair.admin,
                "pat.cy",
                PASSWORD,
                &patient_profile("Cy", "H-1"),
            )
            .await,
        "registering a taken number",
    );
    let mut profile = patient_profile("Bea", "H-2");
    profile
        .identifiers
        .push(Identifier::new("urn:hospital:number", "H-1"));
    assert_identifier_taken(
        hospital
            .update_patient_profile(&pair.admin, bea, &profile)
            .await,
        "adding another's number",
    );
    // A profile keeps its own numbers, and may take a free one.
    let mut own = patient_profile("Ada", "H-1");
    own.identifiers
        .push(Identifier::new("urn:hospital:number", "H-9"));
    hospital
        .update_patient_profile(&pair.admin, ada, &own)
        .await
        .expect("keep and add");
    // A failed registration leaves its username free.
    hospital
        .register_patient("pat.cy", PASSWORD, &patient_profile("Cy", "H-3"))
        .await
        .expect("the username is free");
    let physician = |number: &str| PhysicianProfile {
        name: HumanName::new("Hana", "Doe"),
        specialty: "cardiology".to_owned(),
        contact: Contact::default(),
        schedule: Schedule::default(),
        identifiers: vec![Identifier::new("urn:hospital:staff", number)],
    };
    hospital
        .add_physician(&pair.admin, "dr.hana", PASSWORD, &physician("S-1"))
        .await
        .expect("add");
    assert_identifier_taken(
        hospital
            .add_physician(&pair.admin, "dr.hugo", PASSWORD, &physician("S-1"))
            .await,
        "a physician's taken number",
    );
}

/// Wednesdays 09:00–12:00 in 30-minute slots.
fn wednesday_mornings() -> Schedule {
    Schedule {
        available_time: vec![AvailableTime {
            days_of_week: vec![Weekday::Wed],
            start: NaiveTime::from_hms_opt(9, 0, 0).expect("a time"),
            end: NaiveTime::from_hms_opt(12, 0, 0).expect("a time"),
        }],
        not_available: Vec::new(),
        slot_minutes: 30,
    }
}

async fn an_import_and_bookings_on_two_instances_take_each_slot_once(backend: Backend) {
    let pair = TwoInstances::new(backend).await;
    let [first, second] = &pair.hospitals;
    // A physician and a patient the import knows by their source ids.
    let heart = first
        .add_physician(
            &pair.admin,
            "dr.heart",
            PASSWORD,
            &PhysicianProfile {
                name: HumanName::new("Hana", "Doe"),
                specialty: "cardiology".to_owned(),
                contact: Contact::default(),
                schedule: wednesday_mornings(),
                identifiers: vec![Identifier::new(import::SYSTEM_CSV_PHYSICIANS, "d-0")],
            },
        )
        .await
        .expect("add physician");
    let mut profile = patient_profile("Ada", "H-1");
    profile
        .identifiers
        .push(Identifier::new(import::SYSTEM_CSV_PATIENTS, "p-0"));
    first
        .register_patient("pat.ada", PASSWORD, &profile)
        .await
        .expect("register");
    let ada = log_in(first.identity(), &pair.clock, "pat.ada").await;
    pair.sync().await;

    for round in 0..ROUNDS {
        let day =
            NaiveDate::from_ymd_opt(2026, 12, 2).expect("a date") + Days::new(7 * round as u64);
        let slots: Vec<NaiveDateTime> = (0..6)
            .map(|slot| day.and_hms_opt(9, 0, 0).expect("a time") + Duration::minutes(30 * slot))
            .collect();
        let mut csv = String::from("Id,START,PATIENT,PROVIDER\n");
        for (n, start) in slots.iter().enumerate() {
            let start = start.format("%Y-%m-%dT%H:%M:%SZ");
            csv.push_str(&format!("a-{round}-{n},{start},p-0,d-0\n"));
        }
        let parsed = parse(&csv);
        let bookings = slots
            .iter()
            .map(|start| first.book(&ada.token, ada.id, heart, *start));
        let (booked, imported) = tokio::join!(
            futures_util::future::join_all(bookings),
            second.operator_import(&parsed, false, None)
        );
        let imported = imported.expect("import");
        let mut taken = Vec::new();
        for outcome in booked {
            match outcome {
                Ok(appointment) => taken.push(appointment.start),
                Err(HospitalError::SlotUnavailable(_)) => {}
                Err(other) => panic!("round {round}: booking failed: {other}"),
            }
        }
        for row in &imported.rows {
            match row.outcome {
                ReportOutcome::Accepted => taken.push(slots[row.row - 2]),
                ReportOutcome::Rejected => assert_eq!(
                    row.reasons,
                    ["START: the physician's slot is already booked"],
                    "round {round}"
                ),
                other => panic!("round {round}: row {} {other:?}", row.row),
            }
        }
        taken.sort_unstable();
        assert_eq!(taken, slots, "round {round}: each slot taken once");
        pair.sync().await;
        for hospital in &pair.hospitals {
            let mut held: Vec<NaiveDateTime> = hospital
                .physician_appointments(&pair.admin, heart)
                .await
                .expect("list")
                .into_iter()
                .filter(|appointment| appointment.start.date() == day)
                .filter(|appointment| appointment.status.holds_slot())
                .map(|appointment| appointment.start)
                .collect();
            held.sort_unstable();
            assert_eq!(held, taken, "round {round}: what each instance holds");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_import_and_bookings_on_two_instances_sharing_a_folder_take_each_slot_once() {
    an_import_and_bookings_on_two_instances_take_each_slot_once(Backend::Folder).await;
}

#[cfg(feature = "s3")]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_import_and_bookings_on_two_instances_sharing_an_s3_bucket_take_each_slot_once() {
    an_import_and_bookings_on_two_instances_take_each_slot_once(Backend::S3).await;
}
