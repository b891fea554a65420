//! The dashboard from its tallies, against the count of every appointment of its range (how
//! the dashboard was computed before tallies, kept here as the reference): over a randomized
//! sequence of bookings, cancellations and attendance, under concurrent changes on one
//! instance, on two instances sharing a store, after a rebuild and on a new index, and in
//! vaults whose appointments were written before tallies existed (the golden vault among
//! them).
#![allow(clippy::expect_used, clippy::panic)]

#[path = "../../tests/common/mod.rs"]
mod common;
#[path = "../../identity/tests/people/mod.rs"]
mod people;

use std::collections::{BTreeSet, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;
use std::sync::Arc;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use common::{Backend, Fixture, GoldenVault, log_batch_count};
use medvault::vault::{Document, StoreLocation, Vault};
use medvault_hospital::import;
use medvault_hospital::{
    Appointment, AppointmentStatus, AvailableTime, Contact, Dashboard, Hospital, HospitalError,
    HumanName, Physician, PhysicianProfile, Schedule, TOP_PHYSICIANS,
};
use medvault_identity::{AccountId, Identity, IdentityConfig, ManualClock, Role, SessionToken};
use people::{PASSWORD, User, account_with_session};
use serde::{Deserialize, Serialize};

/// Monday 2026-11-30, 08:00 UTC.
const START_MS: i64 = 1_796_025_600_000;

fn date(text: &str) -> NaiveDate {
    text.parse().expect("a date")
}

/// The first two weeks of the ward's calendar, which its bookings fill.
fn fortnight() -> (NaiveDate, NaiveDate) {
    (date("2026-11-30"), date("2026-12-13"))
}

/// Slot `slot` (0 to 5) of weekday `weekday` (0 to 9) of the fortnight.
fn slot(weekday: usize, slot: usize) -> NaiveDateTime {
    let day = date("2026-11-30") + Duration::weeks((weekday / 5) as i64);
    let day = day + Duration::days((weekday % 5) as i64);
    day.and_hms_opt(9, 0, 0).expect("a time") + Duration::minutes(30 * slot as i64)
}

/// A deterministic choice below `n` for `step` and `salt`.
fn pick(step: usize, salt: &str, n: usize) -> usize {
    let mut hasher = DefaultHasher::new();
    (step, salt).hash(&mut hasher);
    usize::try_from(hasher.finish() % n as u64).expect("small")
}

/// Weekdays 09:00–12:00 in 30-minute slots.
fn physician_profile(given: &str) -> PhysicianProfile {
    PhysicianProfile {
        name: HumanName::new(given, "Doe"),
        specialty: "general practice".to_owned(),
        contact: Contact::default(),
        schedule: Schedule {
            available_time: vec![AvailableTime::weekdays(
                "09:00:00".parse().expect("a time"),
                "12:00:00".parse().expect("a time"),
            )],
            not_available: Vec::new(),
            slot_minutes: 30,
        },
        identifiers: Vec::new(),
    }
}

/// A hospital with an admin (logged in), physicians and patients (accounts only).
struct Ward {
    fixture: Fixture,
    vault: Vault,
    clock: Arc<ManualClock>,
    hospital: Hospital,
    admin: User,
    physicians: Vec<AccountId>,
    patients: Vec<AccountId>,
}

impl Ward {
    async fn new(backend: Backend, physicians: usize, patients: usize) -> Self {
        let fixture = Fixture::new(backend);
        let vault = fixture.create("a").await;
        let clock = Arc::new(ManualClock::new(START_MS));
        let identity =
            Identity::with_config(vault.clone(), IdentityConfig::default(), clock.clone());
        let hospital = Hospital::new(identity.clone());
        let admin = account_with_session(&identity, &clock, Role::Admin, "admin.desk").await;
        let mut ward = Self {
            fixture,
            vault,
            clock,
            hospital,
            admin,
            physicians: Vec::new(),
            patients: Vec::new(),
        };
        for n in 0..physicians {
            let id = ward
                .hospital
                .add_physician(
                    &ward.admin.token,
                    &format!("dr.{n}"),
                    PASSWORD,
                    &physician_profile(&format!("Gen{n}")),
                )
                .await
                .expect("add a physician");
            ward.physicians.push(id);
        }
        for n in 0..patients {
            let id = identity
                .operator_create_account(Role::Patient, &format!("pat.{n}"), PASSWORD)
                .await
                .expect("add a patient");
            ward.patients.push(id);
        }
        ward
    }

    /// Another instance of the ward's vault, on the index folder `index`, caught up.
    async fn instance(&self, index: &str) -> (Vault, Hospital) {
        let vault = self.fixture.open(index).await;
        vault.sync().await.expect("sync");
        let identity =
            Identity::with_config(vault.clone(), IdentityConfig::default(), self.clock.clone());
        (vault, Hospital::new(identity))
    }

    fn admin(&self) -> &SessionToken {
        &self.admin.token
    }
}

/// What the dashboard shows, reduced to ids: each day's count, and the top physicians with
/// their patients.
#[derive(Debug, PartialEq, Eq)]
struct Figures {
    daily: Vec<(NaiveDate, u64)>,
    top: Vec<(AccountId, Vec<AccountId>)>,
}

impl From<&Dashboard> for Figures {
    fn from(dashboard: &Dashboard) -> Self {
        Self {
            daily: dashboard
                .daily
                .iter()
                .map(|day| (day.day, day.patients))
                .collect(),
            top: dashboard
                .top_physicians
                .iter()
                .map(|top| {
                    let patients = top.patients.iter().map(|patient| patient.account);
                    (top.physician, patients.collect())
                })
                .collect(),
        }
    }
}

/// The figures counted from every appointment of the range in `vault`'s index: the
/// reference the tallies must match.
fn scanned(vault: &Vault, from: NaiveDate, to: NaiveDate) -> Figures {
    let appointments = vault.collection::<Appointment>();
    let mut by_physician: HashMap<AccountId, BTreeSet<AccountId>> = HashMap::new();
    let mut daily = Vec::new();
    for day in from.iter_days().take_while(|day| *day <= to) {
        let held: Vec<Appointment> = appointments
            .find("day", &day.to_string())
            .expect("the day's appointments")
            .into_iter()
            .filter(|appointment| appointment.status.holds_slot())
            .collect();
        let patients: BTreeSet<AccountId> = held.iter().map(|a| a.patient).collect();
        daily.push((day, patients.len() as u64));
        for appointment in held {
            by_physician
                .entry(appointment.physician)
                .or_default()
                .insert(appointment.patient);
        }
    }
    let physicians = vault.collection::<Physician>();
    let username = |id: AccountId| {
        physicians
            .get(&id.to_string())
            .expect("a physician")
            .map(|physician| physician.username)
            .unwrap_or_default()
    };
    let mut ranked: Vec<(BTreeSet<AccountId>, String, AccountId)> = by_physician
        .into_iter()
        .map(|(id, patients)| (patients, username(id), id))
        .collect();
    ranked.sort_by(|a, b| (b.0.len(), &a.1, a.2).cmp(&(a.0.len(), &b.1, b.2)));
    let top = ranked
        .into_iter()
        .take(TOP_PHYSICIANS)
        .map(|(patients, _, id)| (id, patients.into_iter().collect()))
        .collect();
    Figures { daily, top }
}

/// The dashboard of `hospital` over `from` to `to`, checked against [`scanned`].
async fn checked(
    hospital: &Hospital,
    admin: &SessionToken,
    from: NaiveDate,
    to: NaiveDate,
) -> Figures {
    let dashboard = hospital
        .dashboard(admin, from, to)
        .await
        .expect("dashboard");
    let figures = Figures::from(&dashboard);
    assert_eq!(figures, scanned(hospital.identity().vault(), from, to));
    figures
}

/// A tally as the tests see it: the day it counts (the rest of its body is the hospital's).
#[derive(Serialize, Deserialize)]
struct Tally {
    day: NaiveDate,
}

impl Document for Tally {
    const COLLECTION: &'static str = "daily-patients";

    fn id(&self) -> String {
        self.day.to_string()
    }

    fn indexed_fields(&self) -> Vec<(&'static str, String)> {
        vec![("day", self.day.to_string())]
    }
}

/// How many tallies (one per instance that changed it) `vault` holds of `day`.
fn tallies(vault: &Vault, day: NaiveDate) -> usize {
    let found = vault.collection::<Tally>().find("day", &day.to_string());
    found.expect("the day's tallies").len()
}

/// Whether `result` is a refusal the ward's random changes expect now and then: a slot
/// taken, or a status that does not allow the change.
fn refused<T>(result: Result<T, HospitalError>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(HospitalError::SlotUnavailable(_) | HospitalError::InvalidInput { .. }) => None,
        Err(other) => panic!("unexpected failure: {other}"),
    }
}

/// One random change: a booking, a cancellation or an attendance record. Returns the
/// appointment it made, if it booked one.
async fn random_change(
    ward: &Ward,
    hospital: &Hospital,
    step: usize,
    booked: &[Appointment],
) -> Option<Appointment> {
    let admin = ward.admin();
    let choice = pick(step, "what", 10);
    if booked.is_empty() || choice < 5 {
        let patient = ward.patients[pick(step, "patient", ward.patients.len())];
        let physician = ward.physicians[pick(step, "physician", ward.physicians.len())];
        let start = slot(pick(step, "day", 10), pick(step, "slot", 6));
        return refused(hospital.book(admin, patient, physician, start).await);
    }
    let appointment = &booked[pick(step, "appointment", booked.len())].id;
    if choice < 8 {
        refused(hospital.cancel(admin, appointment, "rota change").await);
    } else {
        let statuses = [
            AppointmentStatus::Arrived,
            AppointmentStatus::CheckedIn,
            AppointmentStatus::Fulfilled,
            AppointmentStatus::Noshow,
            AppointmentStatus::EnteredInError,
        ];
        let status = statuses[pick(step, "status", statuses.len())];
        refused(hospital.record_attendance(admin, appointment, status).await);
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_follows_bookings_cancellations_and_attendance() {
    let ward = Ward::new(Backend::Memory, 7, 9).await;
    let hospital = &ward.hospital;
    let (from, to) = fortnight();
    // Every day of the range is settled while empty: from here on, only the tallies count.
    checked(hospital, ward.admin(), from, to).await;

    // One patient twice on one day: cancelling one of the two keeps them counted.
    let (patient, physician) = (ward.patients[0], ward.physicians[0]);
    let first = hospital
        .book(ward.admin(), patient, physician, slot(0, 0))
        .await
        .expect("book");
    hospital
        .book(ward.admin(), patient, ward.physicians[1], slot(0, 1))
        .await
        .expect("book again");
    hospital
        .cancel(ward.admin(), &first.id, "one is enough")
        .await
        .expect("cancel");
    let figures = checked(hospital, ward.admin(), from, to).await;
    assert_eq!(figures.daily[0], (from, 1));
    assert_eq!(figures.top, [(ward.physicians[1], vec![patient])]);

    // Each change through a `Hospital` of its own, as the Python binding makes one per call:
    // they share the instance's tallies, one per day.
    let mut booked = Vec::new();
    for step in 0..240 {
        let fresh = Hospital::new(hospital.identity().clone());
        booked.extend(random_change(&ward, &fresh, step, &booked).await);
        if step % 40 == 39 {
            checked(hospital, ward.admin(), from, to).await;
            checked(hospital, ward.admin(), from + Duration::days(3), to).await;
        }
    }
    let statuses: BTreeSet<AppointmentStatus> = ward
        .vault
        .collection::<Appointment>()
        .find("day", &from.to_string())
        .expect("a day's appointments")
        .iter()
        .map(|appointment| appointment.status)
        .collect();
    assert!(statuses.len() >= 3, "the changes are varied: {statuses:?}");
    let figures = checked(hospital, ward.admin(), from, to).await;
    assert_eq!(figures.top.len(), TOP_PHYSICIANS);
    for day in from.iter_days().take_while(|day| *day <= to) {
        assert_eq!(tallies(&ward.vault, day), 1, "{day}");
    }

    // The tallies are documents: the log rebuilds them, in this index or a new one.
    ward.vault.rebuild().await.expect("rebuild");
    assert_eq!(checked(hospital, ward.admin(), from, to).await, figures);
    let (_, other) = ward.instance("b").await;
    assert_eq!(checked(&other, ward.admin(), from, to).await, figures);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_changes_on_one_instance_lose_no_count() {
    let ward = Ward::new(Backend::Folder, 3, 6).await;
    let hospital = &ward.hospital;
    let (from, to) = fortnight();
    checked(hospital, ward.admin(), from, to).await;

    // Every slot of one day, booked at once: each of six patients once with each of three
    // physicians.
    let mut bookings = Vec::new();
    for physician in &ward.physicians {
        for (slot_of_day, patient) in ward.patients.iter().enumerate() {
            let (booker, admin) = (hospital.clone(), ward.admin().clone());
            let (patient, physician, start) = (*patient, *physician, slot(2, slot_of_day));
            bookings.push(tokio::spawn(async move {
                booker.book(&admin, patient, physician, start).await
            }));
        }
    }
    let mut booked = Vec::new();
    for booking in bookings {
        booked.push(booking.await.expect("task").expect("book"));
    }
    checked(hospital, ward.admin(), from, to).await;

    // The first three patients' appointments cancelled, the others' attended, while the next
    // day fills, all at once: each of the first three is counted out only if none of the
    // three cancellations of their day is lost.
    let mut changes = Vec::new();
    for appointment in &booked {
        let (changer, admin) = (hospital.clone(), ward.admin().clone());
        let id = appointment.id.clone();
        let cancelled = ward.patients[..3].contains(&appointment.patient);
        changes.push(tokio::spawn(async move {
            if cancelled {
                changer.cancel(&admin, &id, "rota change").await
            } else {
                let status = AppointmentStatus::Fulfilled;
                changer.record_attendance(&admin, &id, status).await
            }
        }));
        let (booker, admin) = (hospital.clone(), ward.admin().clone());
        let (patient, physician) = (appointment.patient, appointment.physician);
        let start = appointment.start + Duration::days(1);
        changes.push(tokio::spawn(async move {
            booker.book(&admin, patient, physician, start).await
        }));
    }
    for change in changes {
        change.await.expect("task").expect("a change");
    }
    let figures = checked(hospital, ward.admin(), from, to).await;
    assert_eq!(figures.daily[2], (from + Duration::days(2), 3));
    assert_eq!(figures.daily[3], (from + Duration::days(3), 6));
}

/// Appointments stored directly, as a version without tallies stored them: one per slot of
/// the first `days` weekdays, every third cancelled.
async fn untallied(ward: &Ward, days: usize) -> Vec<Appointment> {
    let mut stored = Vec::new();
    for weekday in 0..days {
        for slot_of_day in 0..6 {
            let n = weekday * 6 + slot_of_day;
            let start = slot(weekday, slot_of_day);
            let status = if n % 3 == 0 {
                AppointmentStatus::Cancelled
            } else {
                AppointmentStatus::Booked
            };
            let appointment = Appointment {
                id: format!("{n:032x}"),
                status,
                patient: ward.patients[n % ward.patients.len()],
                physician: ward.physicians[n % ward.physicians.len()],
                start,
                end: start + Duration::minutes(30),
                created_ms: START_MS,
                booked_by: None,
                cancellation: None,
                source: None,
            };
            ward.vault
                .collection::<Appointment>()
                .insert(&appointment)
                .await
                .expect("store an appointment");
            stored.push(appointment);
        }
    }
    stored
}

/// The folder of a folder store.
fn store_folder(store: &StoreLocation) -> &Path {
    match store {
        StoreLocation::Folder(folder) => folder,
        _ => panic!("a folder store"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appointments_from_before_tallies_are_counted_once() {
    let ward = Ward::new(Backend::Folder, 4, 5).await;
    let hospital = &ward.hospital;
    let (from, to) = fortnight();
    let old = untallied(&ward, 6).await;
    // The first day's patient of `old[1]` comes twice to its physician.
    let twice = Appointment {
        id: format!("{:032x}", 1_000),
        start: old[1].start + Duration::hours(3),
        end: old[1].end + Duration::hours(3),
        ..old[1].clone()
    };
    ward.vault
        .collection::<Appointment>()
        .insert(&twice)
        .await
        .expect("store an appointment");
    let (other_vault, other) = ward.instance("b").await;

    // Before any dashboard: changes of old appointments, on either instance, and new
    // appointments on the same days.
    other
        .cancel(ward.admin(), &old[1].id, "rota change")
        .await
        .expect("cancel an old appointment");
    hospital
        .record_attendance(ward.admin(), &old[2].id, AppointmentStatus::Noshow)
        .await
        .expect("record an old appointment");
    other
        .record_attendance(ward.admin(), &old[4].id, AppointmentStatus::Arrived)
        .await
        .expect("record an old appointment");
    for weekday in 0..8 {
        let patient = ward.patients[weekday % ward.patients.len()];
        let physician = ward.physicians[weekday % ward.physicians.len()];
        let start = slot(weekday, 5 - weekday % 2);
        refused(hospital.book(ward.admin(), patient, physician, start).await);
    }
    ward.vault.sync().await.expect("sync");
    let figures = checked(hospital, ward.admin(), from, to).await;
    assert!(figures.daily[0].1 > 0);
    other_vault.sync().await.expect("sync");
    assert_eq!(checked(&other, ward.admin(), from, to).await, figures);

    // The days are settled for good: a dashboard from a new index settles nothing again
    // (it commits one batch, its audit event), and counts the same.
    let store = store_folder(&ward.fixture.store);
    let (_, third) = ward.instance("c").await;
    let batches = log_batch_count(store);
    assert_eq!(checked(&third, ward.admin(), from, to).await, figures);
    assert_eq!(log_batch_count(store), batches + 1);

    // And changes after the settling count from the tallies.
    hospital
        .cancel(ward.admin(), &old[5].id, "rota change")
        .await
        .expect("cancel");
    hospital
        .book(
            ward.admin(),
            ward.patients[0],
            ward.physicians[0],
            slot(9, 0),
        )
        .await
        .expect("book");
    checked(hospital, ward.admin(), from, to).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_golden_vault_s_appointment_is_counted() {
    let golden = GoldenVault::copy();
    let (from, to) = (date("2026-07-01"), date("2027-06-30"));
    let vault = golden.open("index").await;
    let hospital = Hospital::new(Identity::new(vault.clone()));
    let dashboard = hospital
        .operator_dashboard(from, to)
        .await
        .expect("dashboard");
    let figures = Figures::from(&dashboard);
    assert_eq!(figures, scanned(&vault, from, to));
    let counted: u64 = figures.daily.iter().map(|(_, patients)| patients).sum();
    assert_eq!(counted, 1, "the demo's one booking");
    assert_eq!(dashboard.top_physicians.len(), 1);
    assert_eq!(dashboard.top_physicians[0].username, "dr.grey");
    let names: Vec<Option<&str>> = dashboard.top_physicians[0]
        .patients
        .iter()
        .map(|patient| patient.name.as_deref())
        .collect();
    assert_eq!(names, [Some("Ada Lovelace")]);
    vault.close().await.expect("close");

    // Settled durably: a new index counts the same without settling again.
    let store = golden.config("fresh").store;
    let vault = golden.open("fresh").await;
    let hospital = Hospital::new(Identity::new(vault.clone()));
    let batches = log_batch_count(store_folder(&store));
    let again = hospital
        .operator_dashboard(from, to)
        .await
        .expect("dashboard");
    assert_eq!(Figures::from(&again), figures);
    assert_eq!(log_batch_count(store_folder(&store)), batches + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_sharing_a_store_keep_tallies_of_their_own() {
    let ward = &Ward::new(Backend::Folder, 4, 8).await;
    let (from, to) = fortnight();
    let old = untallied(ward, 4).await;
    let (other_vault, other) = ward.instance("b").await;
    let instances = [&ward.hospital, &other];
    let sync = || async {
        for vault in [&ward.vault, &other_vault] {
            vault.sync().await.expect("sync");
        }
    };

    // Both instances settle each day of the old appointments at the same moment: the day is
    // counted once, so that cancelling its old appointments empties it. (Without the hold
    // among instances both would count it now and then, and the day would stay counted.)
    for weekday in 0..4 {
        let day = slot(weekday, 0).date();
        let settlers = instances.map(|hospital| {
            let (hospital, admin) = (hospital.clone(), ward.admin().clone());
            tokio::spawn(async move { hospital.dashboard(&admin, day, day).await })
        });
        let mut settled = Vec::new();
        for settler in settlers {
            settled.push(Figures::from(
                &settler.await.expect("task").expect("dashboard"),
            ));
        }
        assert_eq!(settled[0], settled[1]);
        sync().await;
        for appointment in old
            .iter()
            .filter(|a| a.day() == day && a.status.holds_slot())
        {
            other
                .cancel(ward.admin(), &appointment.id, "rota change")
                .await
                .expect("cancel an old appointment");
        }
        sync().await;
        for hospital in instances {
            let figures = checked(hospital, ward.admin(), day, day).await;
            assert_eq!(figures.daily, [(day, 0)]);
        }
    }

    // Both instances book on the same days at once, neither seeing the other's tallies
    // (each books two patients the other does not, and one the other books too).
    let mut booked: [Vec<Appointment>; 2] = Default::default();
    for round in 0..3 {
        let book = |instance: usize| {
            let hospital = instances[instance];
            futures_util::future::join_all((0..3).map(move |n| {
                let patient = ward.patients[(round + n + 2 * instance) % ward.patients.len()];
                let start = slot(round + 5, n + 3 * instance);
                hospital.book(ward.admin(), patient, ward.physicians[n], start)
            }))
        };
        let (first, second) = tokio::join!(book(0), book(1));
        for (instance, made) in [(0, first), (1, second)] {
            booked[instance].extend(made.into_iter().map(|made| made.expect("book")));
        }
    }
    sync().await;

    // Each instance cancels an appointment the other booked.
    for (instance, hospital) in instances.iter().enumerate() {
        let theirs = &booked[1 - instance][0];
        hospital
            .cancel(ward.admin(), &theirs.id, "rota change")
            .await
            .expect("cancel");
    }
    sync().await;
    let figures = checked(&ward.hospital, ward.admin(), from, to).await;
    assert_eq!(checked(&other, ward.admin(), from, to).await, figures);
    // The days both booked hold a tally of each.
    assert_eq!(tallies(&ward.vault, slot(5, 0).date()), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imported_appointments_count_on_settled_days() {
    let ward = Ward::new(Backend::Memory, 0, 0).await;
    let hospital = &ward.hospital;
    let (from, to) = fortnight();
    checked(hospital, ward.admin(), from, to).await;

    let files = [
        "Id,BIRTHDATE,FIRST,LAST,GENDER,PHONE\n\
         p-1,1980-01-01,Ada,Lovelace,F,+41446681800\n\
         p-2,1981-02-02,Bob,Lovelace,M,+41446681801\n",
        "Id,NAME,SPECIALITY\nd-1,Gail Baumbach,General Practice\nd-2,John Smith,Cardiology\n",
        "Id,START,STOP,PATIENT,PROVIDER,STATUS\n\
         e-1,2026-12-01T09:00:00Z,2026-12-01T09:30:00Z,p-1,d-1,booked\n\
         e-2,2026-12-01T10:00:00Z,2026-12-01T10:30:00Z,p-1,d-2,booked\n\
         e-3,2026-12-01T11:00:00Z,2026-12-01T11:30:00Z,p-2,d-2,cancelled\n\
         e-4,2026-12-02T09:00:00Z,2026-12-02T09:30:00Z,p-2,d-1,booked\n",
    ];
    for file in files {
        let parsed = import::parse(file.as_bytes(), None, from).expect("parse");
        let report = hospital
            .operator_import(&parsed, false, None)
            .await
            .expect("import");
        assert_eq!(report.counts.accepted, report.rows.len());
    }
    let figures = checked(hospital, ward.admin(), from, to).await;
    assert_eq!(
        &figures.daily[1..3],
        [(date("2026-12-01"), 1), (date("2026-12-02"), 1)]
    );
}
