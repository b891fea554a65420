//! The hospital through sessions: registration and profiles, physicians and their schedules,
//! availability search, booking (with races between threads and between two vault instances
//! sharing a store), medical history, events and notes, and the dashboard against an
//! independent count over a generated data set. Every module is tried with the roles it must
//! refuse.
#![allow(clippy::expect_used, clippy::panic)]

#[path = "../../tests/common/mod.rs"]
mod common;
#[path = "../../identity/tests/people/mod.rs"]
mod people;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use common::{Backend, Fixture, all_files};
use medvault::vault::Vault;
use medvault_hospital::import::{self, ImportReport, ReportOutcome};
use medvault_hospital::{
    Appointment, AppointmentStatus, Audience, AvailableTime, Contact, ErrorKind, Gender, Hospital,
    HospitalError, HospitalOperation, HumanName, Identifier, NewEvent, NotAvailable, NoteAudience,
    Observation, PatientProfile, PhysicianProfile, Schedule, SlotQuery,
};
use medvault_identity::audit::{Actor, AuditAction};
use medvault_identity::policy::{Permission, decide};
use medvault_identity::{AccountId, Identity, IdentityConfig, ManualClock, Principal, Role};
use people::{PASSWORD, User, account_with_session, log_in};

/// Monday 2026-11-30, 08:00 UTC.
const START_MS: i64 = 1_796_025_600_000;

fn date(text: &str) -> NaiveDate {
    text.parse().expect("a date")
}

fn at(day: &str, time: &str) -> NaiveDateTime {
    date(day).and_time(time.parse::<NaiveTime>().expect("a time"))
}

fn patient_profile(given: &str, family: &str, hospital_number: &str) -> PatientProfile {
    PatientProfile {
        name: HumanName::new(given, family),
        birth_date: date("1984-03-09"),
        gender: Gender::Female,
        contact: Contact {
            phone: Some("+41446681800".to_owned()),
            email: Some(format!("{}@example.org", given.to_lowercase())),
        },
        address: None,
        identifiers: vec![Identifier::new("urn:hospital:number", hospital_number)],
    }
}

/// Mondays and Wednesdays 09:00–12:00 in 30-minute slots, on leave 2026-12-07 to 12-08.
fn cardiology_hours() -> Schedule {
    Schedule {
        available_time: vec![AvailableTime {
            days_of_week: vec![Weekday::Mon, Weekday::Wed],
            start: "09:00:00".parse().expect("time"),
            end: "12:00:00".parse().expect("time"),
        }],
        not_available: vec![NotAvailable {
            description: "congress".to_owned(),
            start: date("2026-12-07"),
            end: date("2026-12-08"),
        }],
        slot_minutes: 30,
    }
}

fn physician_profile(given: &str, family: &str, specialty: &str) -> PhysicianProfile {
    PhysicianProfile {
        name: HumanName::new(given, family),
        specialty: specialty.to_owned(),
        contact: Contact::default(),
        schedule: cardiology_hours(),
        identifiers: Vec::new(),
    }
}

/// A hospital with an admin, two physicians (cardiology; dermatology) and two patients,
/// each logged in.
struct Clinic {
    fixture: Fixture,
    vault: Vault,
    clock: Arc<ManualClock>,
    hospital: Hospital,
    admin: User,
    heart: User,
    skin: User,
    ada: User,
    bob: User,
}

impl Clinic {
    async fn new(backend: Backend) -> Self {
        let fixture = Fixture::new(backend);
        let vault = fixture.create("a").await;
        let clock = Arc::new(ManualClock::new(START_MS));
        let identity =
            Identity::with_config(vault.clone(), IdentityConfig::default(), clock.clone());
        let hospital = Hospital::new(identity.clone());
        let admin = account_with_session(&identity, &clock, Role::Admin, "admin.desk").await;
        let mut physicians = Vec::new();
        for (username, given, specialty) in [
            ("dr.heart", "Hana", " Cardiology "),
            ("dr.skin", "Sven", "dermatology"),
        ] {
            let id = hospital
                .add_physician(
                    &admin.token,
                    username,
                    PASSWORD,
                    &physician_profile(given, "Doe", specialty),
                )
                .await
                .expect("add physician");
            let user = log_in(&identity, &clock, username).await;
            assert_eq!(user.id, id);
            physicians.push(user);
        }
        let mut patients = Vec::new();
        for (username, given, number) in [("pat.ada", "Ada", "H-1"), ("pat.bob", "Bob", "H-2")] {
            let id = hospital
                .register_patient(
                    username,
                    PASSWORD,
                    &patient_profile(given, "Lovelace", number),
                )
                .await
                .expect("register patient");
            let user = log_in(&identity, &clock, username).await;
            assert_eq!(user.id, id);
            patients.push(user);
        }
        let bob = patients.pop().expect("bob");
        let ada = patients.pop().expect("ada");
        let skin = physicians.pop().expect("skin");
        let heart = physicians.pop().expect("heart");
        Self {
            fixture,
            vault,
            clock,
            hospital,
            admin,
            heart,
            skin,
            ada,
            bob,
        }
    }

    fn identity(&self) -> &Identity {
        self.hospital.identity()
    }

    fn query(
        &self,
        physician: Option<&str>,
        specialty: Option<&str>,
        from: &str,
        to: &str,
    ) -> SlotQuery {
        SlotQuery {
            physician: physician.map(str::to_owned),
            specialty: specialty.map(str::to_owned),
            from: date(from),
            to: date(to),
        }
    }
}

/// Checks that `result` failed with an error of `kind` (of the hospital or identity layer).
fn assert_kind<T: std::fmt::Debug, E: Into<HospitalError>>(
    result: Result<T, E>,
    kind: ErrorKind,
    what: &str,
) {
    match result.map_err(Into::into) {
        Err(error) => assert_eq!(error.kind(), kind, "{what}: {error}"),
        Ok(value) => panic!("{what}: expected {kind:?}, got {value:?}"),
    }
}

fn assert_denied<T: std::fmt::Debug, E: Into<HospitalError>>(result: Result<T, E>, what: &str) {
    assert_kind(result, ErrorKind::AccessDenied, what);
}

// ----- the policy for the hospital's operations, as a table -----

#[test]
fn the_policy_decides_the_hospital_operations_as_the_table_says() {
    let me = AccountId::from_bytes([1; 16]);
    let other = AccountId::from_bytes([2; 16]);
    // (operation, allowed for a patient, a physician, an admin), the caller being `me`.
    let table = [
        (
            HospitalOperation::ReadProfile { patient: me },
            [true, true, true],
        ),
        (
            HospitalOperation::ReadProfile { patient: other },
            [false, true, true],
        ),
        (
            HospitalOperation::EditProfile { patient: me },
            [true, false, true],
        ),
        (
            HospitalOperation::EditProfile { patient: other },
            [false, false, true],
        ),
        (
            HospitalOperation::ManageSchedule { physician: me },
            [false, true, true],
        ),
        (
            HospitalOperation::ManageSchedule { physician: other },
            [false, false, true],
        ),
        (HospitalOperation::SearchAvailability, [true, true, true]),
        (
            HospitalOperation::BookAppointment { patient: me },
            [true, false, true],
        ),
        (
            HospitalOperation::BookAppointment { patient: other },
            [false, false, true],
        ),
        (
            HospitalOperation::CancelAppointment {
                patient: me,
                physician: other,
            },
            [true, false, true],
        ),
        (
            HospitalOperation::CancelAppointment {
                patient: other,
                physician: me,
            },
            [false, true, true],
        ),
        (
            HospitalOperation::CancelAppointment {
                patient: other,
                physician: other,
            },
            [false, false, true],
        ),
        (
            HospitalOperation::RecordAttendance { physician: me },
            [false, true, true],
        ),
        (
            HospitalOperation::RecordAttendance { physician: other },
            [false, false, true],
        ),
        (
            HospitalOperation::ListAppointments { account: me },
            [true, true, true],
        ),
        (
            HospitalOperation::ListAppointments { account: other },
            [false, false, true],
        ),
        (HospitalOperation::ReadBoard, [true, true, true]),
        (HospitalOperation::FindPatients, [false, true, true]),
        (HospitalOperation::ImportData, [false, false, true]),
        (HospitalOperation::ManageEvents, [false, false, true]),
        (HospitalOperation::ManageNotes, [false, false, true]),
        (HospitalOperation::ViewDashboard, [false, false, true]),
    ];
    for (operation, allowed) in table {
        for (role, expected) in [Role::Patient, Role::Physician, Role::Admin]
            .into_iter()
            .zip(allowed)
        {
            let who = Principal { account: me, role };
            for break_glass in [false, true] {
                assert_eq!(
                    decide(&who, &operation, break_glass).is_allowed(),
                    expected,
                    "{role} {operation:?} (break-glass {break_glass})"
                );
            }
        }
        let description = operation.describe();
        assert!(!description.contains(&me.to_string()), "{description}");
        assert!(!description.contains(&other.to_string()), "{description}");
    }
}

// ----- registration and profiles -----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patients_register_and_keep_their_profile() {
    let clinic = Clinic::new(Backend::Memory).await;
    let hospital = &clinic.hospital;
    let (ada, bob) = (&clinic.ada, &clinic.bob);

    let own = hospital
        .patient_profile(&ada.token, ada.id)
        .await
        .expect("own profile");
    assert_eq!(own, patient_profile("Ada", "Lovelace", "H-1"));
    let mut changed = own.clone();
    changed.contact.phone = Some("+41791234567".to_owned());
    hospital
        .update_patient_profile(&ada.token, ada.id, &changed)
        .await
        .expect("the patient edits their profile");
    assert_eq!(
        hospital
            .patient_profile(&clinic.heart.token, ada.id)
            .await
            .expect("physician reads"),
        changed
    );
    changed.name.family = "King".to_owned();
    hospital
        .update_patient_profile(&clinic.admin.token, ada.id, &changed)
        .await
        .expect("an admin edits it");
    assert_eq!(
        hospital
            .patient_profile(&clinic.admin.token, ada.id)
            .await
            .expect("admin reads"),
        changed
    );

    assert_denied(
        hospital.patient_profile(&bob.token, ada.id).await,
        "another patient reads",
    );
    assert_denied(
        hospital
            .update_patient_profile(&bob.token, ada.id, &changed)
            .await,
        "another patient edits",
    );
    assert_denied(
        hospital
            .update_patient_profile(&clinic.heart.token, ada.id, &changed)
            .await,
        "a physician edits",
    );

    let mut future = changed.clone();
    future.birth_date = date("2027-01-01");
    assert_kind(
        hospital
            .update_patient_profile(&ada.token, ada.id, &future)
            .await,
        ErrorKind::InvalidInput,
        "a birth date in the future",
    );
    assert_kind(
        hospital
            .register_patient(
                "pat.cy",
                PASSWORD,
                &PatientProfile {
                    name: HumanName::new("Cy", " "),
                    ..changed.clone()
                },
            )
            .await,
        ErrorKind::InvalidInput,
        "a missing family name",
    );
    // The rejected registration left no account behind.
    assert!(clinic.identity().operator_account("pat.cy").is_err());
    assert_kind(
        hospital
            .register_patient("pat.ada", PASSWORD, &changed)
            .await,
        ErrorKind::UsernameTaken,
        "a taken username",
    );
}

// ----- physicians, schedules and availability -----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn availability_follows_hours_leave_and_bookings() {
    let clinic = Clinic::new(Backend::Memory).await;
    let hospital = &clinic.hospital;
    let ada = &clinic.ada;

    // Monday 2026-11-30 and Wednesday 12-02: 6 slots each; Monday 12-07 is leave.
    let week = clinic.query(Some("DR.HEART"), None, "2026-11-30", "2026-12-07");
    let slots = hospital
        .free_slots(&ada.token, &week)
        .await
        .expect("search by physician");
    assert_eq!(slots.len(), 12);
    assert_eq!(slots[0].start, at("2026-11-30", "09:00:00"));
    assert_eq!(slots[0].end, at("2026-11-30", "09:30:00"));
    assert_eq!(slots[0].specialty, "cardiology");
    assert_eq!(slots[0].name, "Hana Doe");
    assert!(
        slots
            .iter()
            .all(|slot| slot.start.date() != date("2026-12-07"))
    );

    let by_specialty = clinic.query(None, Some("CARDIOLOGY"), "2026-11-30", "2026-11-30");
    let found = hospital
        .free_slots(&ada.token, &by_specialty)
        .await
        .expect("by specialty");
    assert_eq!(found.len(), 6);
    assert!(found.iter().all(|slot| slot.username == "dr.heart"));
    let everyone = clinic.query(None, None, "2026-11-30", "2026-11-30");
    assert_eq!(
        hospital
            .free_slots(&ada.token, &everyone)
            .await
            .expect("all")
            .len(),
        12
    );

    // A physician changes their own hours; not another's; a patient neither.
    let mut hours = cardiology_hours();
    hours.available_time[0].days_of_week = vec![Weekday::Tue];
    hours.slot_minutes = 60;
    hospital
        .set_schedule(&clinic.skin.token, clinic.skin.id, &hours)
        .await
        .expect("own schedule");
    let tuesday = clinic.query(Some("dr.skin"), None, "2026-12-01", "2026-12-01");
    assert_eq!(
        hospital
            .free_slots(&ada.token, &tuesday)
            .await
            .expect("tuesday")
            .len(),
        3
    );
    assert_denied(
        hospital
            .set_schedule(&clinic.heart.token, clinic.skin.id, &hours)
            .await,
        "a physician changes another's schedule",
    );
    assert_denied(
        hospital
            .set_schedule(&ada.token, clinic.skin.id, &hours)
            .await,
        "a patient changes a schedule",
    );
    hours.slot_minutes = 1;
    assert_kind(
        hospital
            .set_schedule(&clinic.admin.token, clinic.skin.id, &hours)
            .await,
        ErrorKind::InvalidInput,
        "a 1-minute slot",
    );

    // Ranges are checked.
    assert_kind(
        hospital
            .free_slots(
                &ada.token,
                &clinic.query(None, None, "2026-12-02", "2026-12-01"),
            )
            .await,
        ErrorKind::InvalidInput,
        "a range ending before it starts",
    );
    assert_kind(
        hospital
            .free_slots(
                &ada.token,
                &clinic.query(None, None, "2026-01-01", "2026-12-31"),
            )
            .await,
        ErrorKind::InvalidInput,
        "a range of a year",
    );
    // Slots already begun are not offered.
    // (Two steps, each within the session's idle timeout.)
    for _ in 0..2 {
        clinic
            .clock
            .advance(std::time::Duration::from_secs(40 * 60));
        hospital
            .free_slots(&ada.token, &by_specialty)
            .await
            .expect("search");
    }
    let today = hospital
        .free_slots(&ada.token, &by_specialty)
        .await
        .expect("later");
    assert_eq!(
        today.first().map(|slot| slot.start),
        Some(at("2026-11-30", "09:30:00"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_admins_add_and_remove_physicians_and_history_stays() {
    let clinic = Clinic::new(Backend::Memory).await;
    let hospital = &clinic.hospital;
    let profile = physician_profile("Nia", "Roe", "neurology");
    assert_denied(
        hospital
            .add_physician(&clinic.ada.token, "dr.new", PASSWORD, &profile)
            .await,
        "a patient adds a physician",
    );
    assert_denied(
        hospital
            .add_physician(&clinic.heart.token, "dr.new", PASSWORD, &profile)
            .await,
        "a physician adds a physician",
    );
    assert_denied(
        hospital
            .remove_physician(&clinic.ada.token, clinic.heart.id)
            .await,
        "a patient removes a physician",
    );
    assert_denied(
        hospital
            .remove_physician(&clinic.skin.token, clinic.heart.id)
            .await,
        "a physician removes a physician",
    );

    let note = hospital
        .write_encounter_note(&clinic.heart.token, clinic.ada.id, "chest pain resolved")
        .await
        .expect("note");
    hospital
        .remove_physician(&clinic.admin.token, clinic.heart.id)
        .await
        .expect("an admin removes a physician");
    // The account is gone and its session with it; the profile stays, inactive.
    assert_kind(
        hospital
            .free_slots(
                &clinic.heart.token,
                &clinic.query(None, None, "2026-11-30", "2026-11-30"),
            )
            .await,
        ErrorKind::SessionInvalid,
        "the removed physician's session",
    );
    let kept = hospital
        .physician(&clinic.ada.token, clinic.heart.id)
        .await
        .expect("profile kept");
    assert!(!kept.active);
    assert!(
        hospital
            .physicians(&clinic.ada.token, Some("cardiology"))
            .await
            .expect("list")
            .is_empty()
    );
    assert!(
        hospital
            .free_slots(
                &clinic.ada.token,
                &clinic.query(Some("dr.heart"), None, "2026-11-30", "2026-12-02")
            )
            .await
            .expect("search")
            .is_empty()
    );
    // What they wrote stays, attributed to them.
    let timeline = hospital
        .timeline(&clinic.ada.token, clinic.ada.id)
        .await
        .expect("timeline");
    assert_eq!(timeline.len(), 1);
    assert_eq!(timeline[0].id, note.id);
    assert_eq!(timeline[0].author, clinic.heart.id.to_string());
}

// ----- appointments -----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn booking_cancelling_and_attendance() {
    let clinic = Clinic::new(Backend::Memory).await;
    let hospital = &clinic.hospital;
    let (ada, bob, heart) = (&clinic.ada, &clinic.bob, &clinic.heart);
    let nine = at("2026-11-30", "09:00:00");

    let booked = hospital
        .book(&ada.token, ada.id, heart.id, nine)
        .await
        .expect("book");
    assert_eq!(booked.status, AppointmentStatus::Booked);
    assert_eq!(booked.end, at("2026-11-30", "09:30:00"));
    assert_kind(
        hospital.book(&bob.token, bob.id, heart.id, nine).await,
        ErrorKind::SlotUnavailable,
        "the same slot again",
    );
    let monday = clinic.query(Some("dr.heart"), None, "2026-11-30", "2026-11-30");
    let free = hospital
        .free_slots(&bob.token, &monday)
        .await
        .expect("search");
    assert_eq!(free.len(), 5);
    assert!(free.iter().all(|slot| slot.start != nine));

    assert_kind(
        hospital
            .book(&bob.token, bob.id, heart.id, at("2026-11-30", "09:10:00"))
            .await,
        ErrorKind::SlotUnavailable,
        "a time that is no slot",
    );
    assert_kind(
        hospital
            .book(&bob.token, bob.id, heart.id, at("2026-12-07", "09:00:00"))
            .await,
        ErrorKind::SlotUnavailable,
        "a day of leave",
    );
    assert_kind(
        hospital
            .book(&bob.token, bob.id, heart.id, at("2026-11-23", "09:00:00"))
            .await,
        ErrorKind::SlotUnavailable,
        "a slot in the past",
    );
    assert_denied(
        hospital
            .book(&bob.token, ada.id, heart.id, at("2026-11-30", "09:30:00"))
            .await,
        "a patient books for another",
    );
    assert_denied(
        hospital
            .book(&heart.token, ada.id, heart.id, at("2026-11-30", "09:30:00"))
            .await,
        "a physician books",
    );

    // Only its parties and admins cancel; the slot is free again.
    assert_denied(
        hospital.cancel(&bob.token, &booked.id, "not mine").await,
        "another patient cancels",
    );
    assert_denied(
        hospital
            .cancel(&clinic.skin.token, &booked.id, "not mine")
            .await,
        "another physician cancels",
    );
    let cancelled = hospital
        .cancel(&ada.token, &booked.id, "feeling better")
        .await
        .expect("cancel");
    assert_eq!(cancelled.status, AppointmentStatus::Cancelled);
    assert_eq!(cancelled.cancellation.as_ref().map(|c| c.by), Some(ada.id));
    assert_kind(
        hospital.cancel(&ada.token, &booked.id, "again").await,
        ErrorKind::InvalidInput,
        "cancelling twice",
    );
    let rebooked = hospital
        .book(&bob.token, bob.id, heart.id, nine)
        .await
        .expect("rebook");
    let by_admin = hospital
        .book(
            &clinic.admin.token,
            ada.id,
            heart.id,
            at("2026-11-30", "10:00:00"),
        )
        .await
        .expect("an admin books for a patient");
    let by_physician = hospital
        .cancel(&heart.token, &by_admin.id, "physician unavailable")
        .await
        .expect("the physician cancels");
    assert_eq!(by_physician.cancellation.map(|c| c.by), Some(heart.id));

    // Attendance: the physician or an admin.
    assert_denied(
        hospital
            .record_attendance(&bob.token, &rebooked.id, AppointmentStatus::Fulfilled)
            .await,
        "a patient records attendance",
    );
    assert_kind(
        hospital
            .record_attendance(&heart.token, &rebooked.id, AppointmentStatus::Booked)
            .await,
        ErrorKind::InvalidInput,
        "booked is no attendance",
    );
    let arrived = hospital
        .record_attendance(&heart.token, &rebooked.id, AppointmentStatus::Arrived)
        .await
        .expect("arrived");
    assert_eq!(arrived.status, AppointmentStatus::Arrived);
    let fulfilled = hospital
        .record_attendance(
            &clinic.admin.token,
            &rebooked.id,
            AppointmentStatus::Fulfilled,
        )
        .await
        .expect("fulfilled");
    assert_eq!(fulfilled.status, AppointmentStatus::Fulfilled);
    assert_kind(
        hospital.cancel(&bob.token, &rebooked.id, "too late").await,
        ErrorKind::InvalidInput,
        "cancelling a fulfilled appointment",
    );
    assert_kind(
        hospital
            .cancel(&bob.token, "00000000000000000000000000000000", "none")
            .await,
        ErrorKind::NotFound,
        "an unknown appointment",
    );

    // Lists, each for its own party and admins.
    // Listed by start, then id.
    let ids = |list: Vec<Appointment>| {
        list.into_iter()
            .map(|a| (a.start, a.id, a.status))
            .collect::<Vec<_>>()
    };
    let sorted = |mut list: Vec<(NaiveDateTime, String, AppointmentStatus)>| {
        list.sort();
        list
    };
    assert_eq!(
        ids(hospital
            .patient_appointments(&ada.token, ada.id)
            .await
            .expect("ada's")),
        sorted(vec![
            (nine, booked.id.clone(), AppointmentStatus::Cancelled),
            (
                by_admin.start,
                by_admin.id.clone(),
                AppointmentStatus::Cancelled
            )
        ])
    );
    assert_eq!(
        ids(hospital
            .physician_appointments(&heart.token, heart.id)
            .await
            .expect("heart's")),
        sorted(vec![
            (nine, booked.id.clone(), AppointmentStatus::Cancelled),
            (nine, rebooked.id.clone(), AppointmentStatus::Fulfilled),
            (
                by_admin.start,
                by_admin.id.clone(),
                AppointmentStatus::Cancelled
            )
        ])
    );
    assert_eq!(
        hospital
            .patient_appointments(&clinic.admin.token, bob.id)
            .await
            .expect("admin")
            .len(),
        1
    );
    assert_denied(
        hospital.patient_appointments(&bob.token, ada.id).await,
        "another patient's list",
    );
    assert_denied(
        hospital.physician_appointments(&ada.token, heart.id).await,
        "a patient lists a physician's",
    );
    assert_denied(
        hospital
            .physician_appointments(&clinic.skin.token, heart.id)
            .await,
        "a physician lists another's",
    );
}

/// Books every one of `slots` from many tasks at once on `hospitals` (one per vault
/// instance, each with its patients); returns the appointments acknowledged.
async fn race(
    hospitals: &[(Hospital, Vec<User>)],
    physician: AccountId,
    slots: &[NaiveDateTime],
) -> Vec<Appointment> {
    let mut tasks = Vec::new();
    for (hospital, patients) in hospitals {
        for patient in patients {
            for start in slots {
                let hospital = hospital.clone();
                let (token, id, start) = (patient.token.clone(), patient.id, *start);
                tasks.push(tokio::spawn(async move {
                    hospital.book(&token, id, physician, start).await
                }));
            }
        }
    }
    let mut won = Vec::new();
    for task in tasks {
        match task.await.expect("task") {
            Ok(appointment) => won.push(appointment),
            Err(HospitalError::SlotUnavailable(_)) => {}
            Err(other) => panic!("unexpected booking failure: {other}"),
        }
    }
    won
}

fn assert_one_per_slot(won: &[Appointment]) {
    let mut seen = BTreeSet::new();
    for appointment in won {
        assert!(
            seen.insert(appointment.start),
            "slot {} booked twice",
            appointment.start
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_bookings_on_one_instance_book_each_slot_once() {
    let clinic = Clinic::new(Backend::Folder).await;
    let slots: Vec<NaiveDateTime> = (0..6)
        .map(|n| at("2026-12-02", "09:00:00") + Duration::minutes(30 * n))
        .collect();
    let patients = vec![
        User {
            id: clinic.ada.id,
            token: clinic.ada.token.clone(),
        },
        User {
            id: clinic.bob.id,
            token: clinic.bob.token.clone(),
        },
    ];
    let hospitals = vec![(clinic.hospital.clone(), patients)];
    let mut won = Vec::new();
    for _ in 0..4 {
        won.extend(race(&hospitals, clinic.heart.id, &slots).await);
    }
    assert_eq!(
        won.len(),
        slots.len(),
        "within one instance every slot is won once"
    );
    assert_one_per_slot(&won);
    let listed = clinic
        .hospital
        .physician_appointments(&clinic.heart.token, clinic.heart.id)
        .await
        .expect("list");
    assert_eq!(listed.len(), slots.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_bookings_on_two_instances_sharing_a_folder_book_each_slot_once() {
    race_on_two_instances(Backend::Folder).await;
}

#[cfg(feature = "s3")]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_bookings_on_two_instances_sharing_an_s3_bucket_book_each_slot_once() {
    race_on_two_instances(Backend::S3).await;
}

/// Two vault instances (two index folders, two writers) on one store race to book the same
/// slots; each slot is booked exactly once, and both instances agree on which.
async fn race_on_two_instances(backend: Backend) {
    let clinic = Clinic::new(backend).await;
    // A second instance (another index folder, another writer) on the same store.
    let other_vault = clinic.fixture.open("b").await;
    other_vault.sync().await.expect("sync");
    let other = Hospital::new(Identity::with_config(
        other_vault.clone(),
        IdentityConfig::default(),
        clinic.clock.clone(),
    ));
    let carol = other
        .register_patient(
            "pat.carol",
            PASSWORD,
            &patient_profile("Carol", "Shaw", "H-3"),
        )
        .await
        .expect("register on the second instance");
    assert!(carol != clinic.ada.id);
    let carol = log_in(other.identity(), &clinic.clock, "pat.carol").await;
    clinic.vault.sync().await.expect("sync the first");

    let slots: Vec<NaiveDateTime> = (0..6)
        .map(|n| at("2026-12-02", "09:00:00") + Duration::minutes(30 * n))
        .collect();
    let hospitals = vec![
        (
            clinic.hospital.clone(),
            vec![
                User {
                    id: clinic.ada.id,
                    token: clinic.ada.token.clone(),
                },
                User {
                    id: clinic.bob.id,
                    token: clinic.bob.token.clone(),
                },
            ],
        ),
        (other.clone(), vec![carol]),
    ];
    // Every slot goes to exactly one of the racers, and once taken it is not won again.
    let won = race(&hospitals, clinic.heart.id, &slots).await;
    assert_one_per_slot(&won);
    assert_eq!(won.len(), slots.len(), "each slot is won by one racer");
    for _ in 0..2 {
        let again = race(&hospitals, clinic.heart.id, &slots).await;
        assert!(again.is_empty(), "a taken slot won again: {again:?}");
    }
    // Both instances, once synced, hold exactly the acknowledged bookings.
    for vault in [&clinic.vault, &other_vault] {
        vault.sync().await.expect("sync");
    }
    for hospital in [&clinic.hospital, &other] {
        let held: Vec<Appointment> = hospital
            .physician_appointments(&clinic.admin.token, clinic.heart.id)
            .await
            .expect("list")
            .into_iter()
            .filter(|a| a.status.holds_slot())
            .collect();
        assert_one_per_slot(&held);
        let mut held_ids: Vec<&str> = held.iter().map(|a| a.id.as_str()).collect();
        let mut won_ids: Vec<&str> = won.iter().map(|a| a.id.as_str()).collect();
        held_ids.sort_unstable();
        won_ids.sort_unstable();
        assert_eq!(held_ids, won_ids);
    }
    // A slot cancelled on one instance is bookable from the other.
    let first = &won[0];
    clinic
        .hospital
        .cancel(&clinic.admin.token, &first.id, "rota change")
        .await
        .expect("cancel");
    let rebooked = race(&hospitals[1..], clinic.heart.id, &[first.start]).await;
    assert_eq!(rebooked.len(), 1, "the released slot is booked again");
}

// ----- medical history -----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn physicians_write_history_that_patients_read() {
    let clinic = Clinic::new(Backend::Memory).await;
    let hospital = &clinic.hospital;
    let (ada, heart) = (&clinic.ada, &clinic.heart);
    let pdf: Vec<u8> = b"%PDF-1.7\n"
        .iter()
        .copied()
        .chain((0..=255u8).cycle().take(70_000))
        .collect();

    let note = hospital
        .write_encounter_note(&heart.token, ada.id, "Palpitations; ECG normal.")
        .await
        .expect("note");
    clinic.clock.advance(std::time::Duration::from_secs(60));
    let observation = Observation {
        code: "8867-4".to_owned(),
        display: "Heart rate".to_owned(),
        value: 72.0,
        unit: "/min".to_owned(),
        effective: at("2026-11-30", "08:10:00"),
    };
    let measured = hospital
        .write_observation(&heart.token, ada.id, &observation)
        .await
        .expect("observation");
    clinic.clock.advance(std::time::Duration::from_secs(60));
    let document = hospital
        .upload_document(&heart.token, ada.id, "ECG report", "application/pdf", &pdf)
        .await
        .expect("document");

    let timeline = hospital
        .timeline(&ada.token, ada.id)
        .await
        .expect("own timeline");
    let kinds: Vec<&str> = timeline.iter().map(|entry| entry.kind.as_str()).collect();
    assert_eq!(kinds, ["Encounter", "Observation", "DocumentReference"]);
    assert_eq!(
        timeline[2].labels.get("title").map(String::as_str),
        Some("ECG report")
    );
    let identity = clinic.identity();
    let (_, bytes) = identity
        .read_record(&ada.token, document.id)
        .await
        .expect("read the PDF");
    assert_eq!(bytes, pdf);
    let (_, json) = identity
        .read_record(&ada.token, measured.id)
        .await
        .expect("read");
    assert_eq!(
        serde_json::from_slice::<Observation>(&json).expect("JSON"),
        observation
    );

    // Read-only for the patient; closed to other patients; amendments keep every version.
    assert_denied(
        hospital
            .write_encounter_note(&ada.token, ada.id, "I feel fine")
            .await,
        "a patient writes",
    );
    assert_denied(
        identity.amend_record(&ada.token, note.id, b"edited").await,
        "a patient amends",
    );
    assert_denied(
        hospital.timeline(&clinic.bob.token, ada.id).await,
        "another patient reads",
    );
    assert_denied(
        hospital.timeline(&clinic.admin.token, ada.id).await,
        "an admin without break-glass",
    );
    assert_denied(
        hospital
            .upload_document(&clinic.admin.token, ada.id, "x", "text/plain", b"x")
            .await,
        "an admin writes",
    );
    identity
        .amend_record(
            &heart.token,
            note.id,
            b"Palpitations; ECG normal; follow-up in 3 months.",
        )
        .await
        .expect("amend");
    let versions = identity
        .record_history(&ada.token, note.id)
        .await
        .expect("versions");
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        [1, 2]
    );
    let (_, first) = identity
        .read_record_version(&ada.token, note.id, 1)
        .await
        .expect("v1");
    assert_eq!(first, b"Palpitations; ECG normal.");
    assert_denied(
        identity.record_history(&clinic.bob.token, note.id).await,
        "another patient's versions",
    );
}

// ----- events and notes -----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_and_notes_reach_only_their_audience() {
    let clinic = Clinic::new(Backend::Memory).await;
    let hospital = &clinic.hospital;
    let event = |title: &str, audience: Audience| NewEvent {
        title: title.to_owned(),
        details: String::new(),
        start: at("2026-12-03", "12:00:00"),
        end: at("2026-12-03", "13:00:00"),
        audience,
    };
    let open_day = hospital
        .publish_event(&clinic.admin.token, &event("Open day", Audience::Everyone))
        .await
        .expect("public event");
    let drill = hospital
        .publish_event(
            &clinic.admin.token,
            &event("Fire drill", Audience::Accounts(vec![clinic.heart.id])),
        )
        .await
        .expect("private event");
    assert_denied(
        hospital
            .publish_event(&clinic.heart.token, &event("Party", Audience::Everyone))
            .await,
        "a physician publishes",
    );
    assert_denied(
        hospital
            .publish_event(&clinic.ada.token, &event("Party", Audience::Everyone))
            .await,
        "a patient publishes",
    );
    let titles = |events: Vec<medvault_hospital::Event>| {
        events
            .into_iter()
            .map(|e| e.event.title)
            .collect::<Vec<_>>()
    };
    let (from, to) = (date("2026-12-01"), date("2026-12-31"));
    assert_eq!(
        titles(
            hospital
                .events(&clinic.ada.token, from, to)
                .await
                .expect("ada")
        ),
        ["Open day"]
    );
    let mut seen = titles(
        hospital
            .events(&clinic.heart.token, from, to)
            .await
            .expect("heart"),
    );
    seen.sort();
    assert_eq!(seen, ["Fire drill", "Open day"]);
    assert_eq!(
        hospital
            .events(&clinic.admin.token, from, to)
            .await
            .expect("admin")
            .len(),
        2
    );
    assert!(
        hospital
            .events(&clinic.admin.token, date("2027-01-01"), date("2027-01-31"))
            .await
            .expect("later")
            .is_empty()
    );
    hospital
        .withdraw_event(&clinic.admin.token, &drill.id)
        .await
        .expect("withdraw");
    assert_eq!(
        hospital
            .events(&clinic.heart.token, from, to)
            .await
            .expect("heart")
            .len(),
        1
    );
    assert_denied(
        hospital
            .withdraw_event(&clinic.skin.token, &open_day.id)
            .await,
        "a physician withdraws",
    );

    hospital
        .write_note(
            &clinic.admin.token,
            NoteAudience::AllPhysicians,
            "New triage protocol",
        )
        .await
        .expect("note to all");
    hospital
        .write_note(
            &clinic.admin.token,
            NoteAudience::Physician(clinic.heart.id),
            "Your rota changed",
        )
        .await
        .expect("note to one");
    assert_denied(
        hospital
            .write_note(&clinic.heart.token, NoteAudience::AllPhysicians, "hi")
            .await,
        "a physician writes a note",
    );
    assert_kind(
        hospital
            .write_note(
                &clinic.admin.token,
                NoteAudience::Physician(clinic.ada.id),
                "hi",
            )
            .await,
        ErrorKind::NotFound,
        "a note to a patient",
    );
    let texts = |notes: Vec<medvault_hospital::Note>| {
        let mut texts: Vec<String> = notes.into_iter().map(|n| n.text).collect();
        texts.sort();
        texts
    };
    assert_eq!(
        texts(hospital.notes(&clinic.heart.token).await.expect("heart")),
        ["New triage protocol", "Your rota changed"]
    );
    assert_eq!(
        texts(hospital.notes(&clinic.skin.token).await.expect("skin")),
        ["New triage protocol"]
    );
    assert!(
        hospital
            .notes(&clinic.ada.token)
            .await
            .expect("ada")
            .is_empty()
    );
    assert_eq!(
        hospital
            .notes(&clinic.admin.token)
            .await
            .expect("admin")
            .len(),
        2
    );
}

// ----- the dashboard -----

/// A small deterministic generator (xorshift), so the data set is the same on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        usize::try_from(self.0 % n as u64).expect("small")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dashboard_matches_an_independent_count_over_ten_thousand_appointments() {
    let clinic = Clinic::new(Backend::Memory).await;
    let hospital = &clinic.hospital;
    let mut physicians = vec![
        (clinic.heart.id, "dr.heart".to_owned()),
        (clinic.skin.id, "dr.skin".to_owned()),
    ];
    for n in 0..10 {
        let username = format!("dr.gen{n:02}");
        let id = hospital
            .add_physician(
                &clinic.admin.token,
                &username,
                PASSWORD,
                &physician_profile("Gen", "Doc", "general practice"),
            )
            .await
            .expect("add physician");
        physicians.push((id, username));
    }
    // Most patients are accounts known only by id; the two with profiles appear by name.
    let mut patients = vec![clinic.ada.id, clinic.bob.id];
    patients.extend((0..600).map(|_| AccountId::generate().expect("id")));

    let statuses = AppointmentStatus::ALL;
    let first_day = date("2026-10-01");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut generated = Vec::new();
    for n in 0..10_400 {
        // Skewed choices, so that the ranking has a clear top and some ties below it.
        let physician = physicians[rng.below(physicians.len()).min(rng.below(physicians.len()))].0;
        let patient = patients[rng.below(patients.len())];
        let start = first_day.and_hms_opt(8, 0, 0).expect("time")
            + Duration::days(i64::try_from(rng.below(90)).expect("small"))
            + Duration::minutes(i64::try_from(rng.below(40) * 15).expect("small"));
        generated.push(Appointment {
            id: format!("{n:032x}"),
            status: statuses[rng.below(statuses.len())],
            patient,
            physician,
            start,
            end: start + Duration::minutes(15),
            created_ms: START_MS,
            booked_by: Some(patient),
            cancellation: None,
            source: None,
        });
    }
    insert_all(&clinic.vault, &generated).await;

    let (from, to) = (date("2026-10-15"), date("2026-12-10"));
    let dashboard = hospital
        .dashboard(&clinic.admin.token, from, to)
        .await
        .expect("dashboard");

    // The independent count.
    let counted: Vec<&Appointment> = generated
        .iter()
        .filter(|a| (from..=to).contains(&a.start.date()))
        .filter(|a| {
            matches!(
                a.status,
                AppointmentStatus::Booked
                    | AppointmentStatus::Arrived
                    | AppointmentStatus::CheckedIn
                    | AppointmentStatus::Fulfilled
            )
        })
        .collect();
    assert!(
        counted.len() > 2_000,
        "the range holds a good part of the data set"
    );
    let mut daily: HashMap<NaiveDate, BTreeSet<AccountId>> = HashMap::new();
    let mut by_physician: HashMap<AccountId, BTreeSet<AccountId>> = HashMap::new();
    for a in &counted {
        daily.entry(a.start.date()).or_default().insert(a.patient);
        by_physician
            .entry(a.physician)
            .or_default()
            .insert(a.patient);
    }
    let expected_daily: Vec<(NaiveDate, u64)> = from
        .iter_days()
        .take_while(|day| *day <= to)
        .map(|day| {
            (
                day,
                daily.get(&day).map_or(0, |patients| patients.len() as u64),
            )
        })
        .collect();
    let got_daily: Vec<(NaiveDate, u64)> = dashboard
        .daily
        .iter()
        .map(|d| (d.day, d.patients))
        .collect();
    assert_eq!(got_daily, expected_daily);

    let usernames: HashMap<AccountId, String> = physicians.iter().cloned().collect();
    let mut ranking: Vec<(usize, String, AccountId)> = by_physician
        .iter()
        .map(|(id, patients)| (patients.len(), usernames[id].clone(), *id))
        .collect();
    ranking.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let expected_top: Vec<(String, Vec<AccountId>)> = ranking
        .iter()
        .take(5)
        .map(|(_, username, id)| (username.clone(), by_physician[id].iter().copied().collect()))
        .collect();
    let got_top: Vec<(String, Vec<AccountId>)> = dashboard
        .top_physicians
        .iter()
        .map(|p| {
            (
                p.username.clone(),
                p.patients.iter().map(|r| r.account).collect(),
            )
        })
        .collect();
    assert_eq!(got_top, expected_top);
    // Patients with a profile are named.
    let named: Vec<_> = dashboard
        .top_physicians
        .iter()
        .flat_map(|p| &p.patients)
        .filter(|r| r.account == clinic.ada.id)
        .collect();
    assert!(
        named
            .iter()
            .all(|r| r.name.as_deref() == Some("Ada Lovelace"))
    );

    assert_denied(
        hospital.dashboard(&clinic.heart.token, from, to).await,
        "a physician",
    );
    assert_denied(
        hospital.dashboard(&clinic.ada.token, from, to).await,
        "a patient",
    );
}

/// Stores generated appointments directly, many commits at a time.
async fn insert_all(vault: &Vault, appointments: &[Appointment]) {
    for chunk in appointments.chunks(200) {
        let inserts = chunk
            .iter()
            .map(|a| async move { vault.collection::<Appointment>().insert(a).await });
        for result in futures_util::future::join_all(inserts).await {
            result.expect("insert");
        }
    }
}

// ----- import -----

const PATIENTS_CSV: &[u8] = include_bytes!("fixtures/import/patients.csv");
const PHYSICIANS_CSV: &[u8] = include_bytes!("fixtures/import/physicians.csv");
const APPOINTMENTS_CSV: &[u8] = include_bytes!("fixtures/import/appointments.csv");
const BUNDLE_JSON: &[u8] = include_bytes!("fixtures/import/bundle.json");

/// Parses (with the fixtures' `today`) and applies `bytes`.
async fn import(hospital: &Hospital, bytes: &[u8], dry_run: bool) -> ImportReport {
    let parsed = import::parse(bytes, None, date("2025-06-01")).expect("parse");
    hospital
        .operator_import(&parsed, dry_run, None)
        .await
        .expect("import")
}

/// The rows of `report` that ended as `outcome`, by number.
fn rows(report: &ImportReport, outcome: ReportOutcome) -> Vec<usize> {
    report
        .rows
        .iter()
        .filter(|row| row.outcome == outcome)
        .map(|row| row.row)
        .collect()
}

fn reasons(report: &ImportReport, row: usize) -> Vec<String> {
    report
        .rows
        .iter()
        .find(|entry| entry.row == row)
        .map(|entry| entry.reasons.clone())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_import_cleanses_reports_and_is_idempotent() {
    let clinic = Clinic::new(Backend::Folder).await;
    let hospital = &clinic.hospital;
    let store = clinic.fixture.store_folder.clone().expect("a folder store");
    let files = || -> BTreeSet<std::path::PathBuf> { all_files(&store).into_iter().collect() };

    // Appointments before their patients and physicians: every one refused, nothing written.
    let before = files();
    let early = import(hospital, APPOINTMENTS_CSV, false).await;
    assert_eq!(rows(&early, ReportOutcome::Accepted), Vec::<usize>::new());
    assert_eq!(
        reasons(&early, 2),
        ["PATIENT: not in the vault; import the patients first"]
    );
    assert_eq!(files(), before, "a refused import writes nothing");

    // A dry run reports what an import would do, and writes nothing.
    let dry = import(hospital, PATIENTS_CSV, true).await;
    assert_eq!(files(), before, "a dry run writes nothing");
    let patients = import(hospital, PATIENTS_CSV, false).await;
    assert_eq!(dry, patients, "the dry run predicts the import");
    assert_eq!(
        rows(&patients, ReportOutcome::Accepted),
        [2, 3, 4, 5, 6, 7, 8, 17]
    );
    assert_eq!(rows(&patients, ReportOutcome::Duplicate), [14]);
    assert_eq!(rows(&patients, ReportOutcome::Conflict), [13]);
    assert_eq!(
        reasons(&patients, 13),
        [
            "name: differs from the earlier row with the same source id",
            "birth date: differs from the earlier row with the same source id"
        ]
    );
    assert_eq!(
        rows(&patients, ReportOutcome::Rejected),
        [9, 10, 11, 12, 15, 16]
    );
    assert_eq!(reasons(&patients, 9), ["BIRTHDATE: no such date"]);
    assert_eq!(reasons(&patients, 10), ["BIRTHDATE: in the future"]);
    assert_eq!(reasons(&patients, 11), ["GENDER: unknown code"]);
    assert_eq!(
        reasons(&patients, 12),
        ["LAST: missing", "PHONE: not a phone number"]
    );
    assert_eq!(
        patients.summary_line(),
        "accepted 8, rejected 6, duplicates 1, conflicts 1, unchanged 0, updated 0"
    );

    // The accepted rows, as stored.
    let admin = &clinic.admin.token;
    let profile_of = |id: &str| {
        let identifier = Identifier::new(import::SYSTEM_CSV_PATIENTS, id);
        async move {
            let account = hospital
                .find_patient(admin, &identifier)
                .await
                .expect("find")
                .expect("imported");
            hospital
                .patient_profile(admin, account)
                .await
                .expect("profile")
        }
    };
    let mary = profile_of("7a3bc039-47ea-44c1-8acf-5811e8763ca9").await;
    assert_eq!(mary.name.text(), "Mary-Jane O'Brien");
    assert_eq!(mary.birth_date, date("1975-07-04"));
    assert_eq!(mary.gender, Gender::Female);
    let jose = profile_of("cd967904-1f65-4e00-aee4-036c59d1ff4c").await;
    assert_eq!(jose.name.text(), "Jose Eduardo Hills");
    assert_eq!(jose.birth_date, date("1961-03-14"));
    let lena = profile_of("ebde6182-8fce-4473-9d0c-96c071a7ec9c").await;
    assert_eq!(lena.name.text(), "Lena Sophie Müller");
    assert_eq!(lena.birth_date, date("1988-11-03"));
    assert_eq!(lena.contact.phone.as_deref(), Some("+49301234567"));
    assert!(
        hospital
            .find_patient(
                admin,
                &Identifier::new(
                    import::SYSTEM_CSV_PATIENTS,
                    "ed2c1dff-f0d3-475d-b496-7357198b6cd2"
                )
            )
            .await
            .expect("find")
            .is_none(),
        "a rejected row is not imported"
    );
    assert_denied(
        hospital
            .find_patient(
                &clinic.ada.token,
                &Identifier::new(import::SYSTEM_CSV_PATIENTS, "x"),
            )
            .await,
        "a patient searching by identifier",
    );

    let physicians = import(hospital, PHYSICIANS_CSV, false).await;
    assert_eq!(rows(&physicians, ReportOutcome::Accepted), [2, 3, 4, 10]);
    let cardiology = hospital
        .physicians(admin, Some("cardiology"))
        .await
        .expect("list");
    assert_eq!(cardiology.len(), 2, "dr.heart and the imported John Smith");
    assert!(
        cardiology
            .iter()
            .any(|p| p.profile.name.text() == "John Smith")
    );

    let appointments = import(hospital, APPOINTMENTS_CSV, false).await;
    assert_eq!(
        rows(&appointments, ReportOutcome::Accepted),
        [2, 3, 4, 5, 13, 14, 15]
    );
    let jose_id = hospital
        .find_patient(
            admin,
            &Identifier::new(
                import::SYSTEM_CSV_PATIENTS,
                "cd967904-1f65-4e00-aee4-036c59d1ff4c",
            ),
        )
        .await
        .expect("find")
        .expect("imported");
    let jose_visits = hospital
        .patient_appointments(admin, jose_id)
        .await
        .expect("list");
    assert_eq!(jose_visits.len(), 1);
    assert_eq!(jose_visits[0].status, AppointmentStatus::Fulfilled);
    assert_eq!(jose_visits[0].start, at("2024-03-05", "09:30:00"));
    assert_eq!(jose_visits[0].booked_by, None);

    // Importing the same files again changes nothing.
    let imported = files();
    for file in [PATIENTS_CSV, PHYSICIANS_CSV, APPOINTMENTS_CSV] {
        let again = import(hospital, file, false).await;
        assert_eq!(again.counts.accepted, 0, "{}", again.summary_line());
        assert!(again.counts.unchanged > 0);
    }
    assert_eq!(files(), imported, "a second import writes nothing");

    // Imported accounts cannot log in: their password is random and discarded.
    let accounts = clinic.identity().operator_accounts().expect("accounts");
    let imported_patient = accounts
        .iter()
        .find(|account| account.username.starts_with("patient-"))
        .expect("an imported patient account");
    assert_kind(
        clinic
            .identity()
            .enroll_totp(&imported_patient.username, "", None)
            .await,
        ErrorKind::InvalidCredentials,
        "an imported account with an empty password",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fhir_bundle_import_brings_every_kind_at_once() {
    let clinic = Clinic::new(Backend::Memory).await;
    let hospital = &clinic.hospital;
    // Through a session: admins only, audited as theirs.
    let parsed = import::parse(BUNDLE_JSON, None, date("2025-06-01")).expect("parse");
    for who in [&clinic.heart, &clinic.ada] {
        assert_denied(
            hospital.import(&who.token, &parsed, true, None).await,
            "a non-admin imports",
        );
    }
    let admin = Actor::Account {
        id: clinic.admin.id,
        role: Role::Admin,
    };
    let created_by_admin = || async {
        medvault_identity::audit::read_trail(&clinic.vault)
            .await
            .expect("trail")
            .iter()
            .filter(|record| {
                record.event.actor == admin
                    && matches!(record.event.action, AuditAction::CreateAccount { .. })
            })
            .count()
    };
    let before = created_by_admin().await;
    let report = hospital
        .import(&clinic.admin.token, &parsed, false, None)
        .await
        .expect("an admin imports");
    assert_eq!(
        created_by_admin().await - before,
        4,
        "two patients and two physicians, audited as the admin's"
    );
    assert_eq!(
        rows(&report, ReportOutcome::Accepted),
        [1, 2, 4, 5, 9, 10, 13]
    );
    assert_eq!(rows(&report, ReportOutcome::Rejected), [3, 11]);
    assert_eq!(rows(&report, ReportOutcome::Duplicate), [12]);
    let admin = &clinic.admin.token;
    let found = hospital
        .find_patient(
            admin,
            &Identifier::new(import::SYSTEM_FHIR_PATIENT, &bundle_patient_id()),
        )
        .await
        .expect("find")
        .expect("imported");
    assert_eq!(
        hospital
            .patient_profile(admin, found)
            .await
            .expect("profile")
            .contact
            .phone
            .as_deref(),
        Some("+493012345678")
    );
    let again = import(hospital, BUNDLE_JSON, false).await;
    assert_eq!(again.counts.accepted, 0, "{}", again.summary_line());
    assert_eq!(again.counts.unchanged, 7);
}

/// The id of the bundle's first Patient.
fn bundle_patient_id() -> String {
    let bundle: serde_json::Value = serde_json::from_slice(BUNDLE_JSON).expect("JSON");
    bundle["entry"][0]["resource"]["id"]
        .as_str()
        .expect("an id")
        .to_owned()
}

// ----- import: conflicts, corrections, ids, hidden characters, dates and codes -----

/// Parses `text` as an import file (with the fixtures' `today`), applies it as the operator,
/// and checks that neither report carries any of `values`, the patient data in `text`.
async fn import_text(
    hospital: &Hospital,
    text: &str,
    dry_run: bool,
    values: &[&str],
) -> ImportReport {
    let report = import(hospital, text.as_bytes(), dry_run).await;
    for value in values {
        assert!(
            !report.to_json().contains(value),
            "the JSON report quotes {value:?}"
        );
        assert!(
            !report.to_csv().contains(value),
            "the CSV report quotes {value:?}"
        );
    }
    report
}

/// Row `row` of `report` as its JSON form shows it: what a hospital engineer reads.
fn json_row(report: &ImportReport, row: usize) -> serde_json::Value {
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).expect("JSON");
    json["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|entry| entry["row"] == row)
        .cloned()
        .unwrap_or_else(|| panic!("no row {row} in {json}"))
}

/// The outcome, reasons and notes of row `row` of `report`, as its JSON form shows them.
fn json_outcome(report: &ImportReport, row: usize) -> (String, Vec<String>, Vec<String>) {
    let entry = json_row(report, row);
    let texts = |key: &str| -> Vec<String> {
        let texts = entry[key].as_array().map(Vec::as_slice).unwrap_or_default();
        texts
            .iter()
            .map(|text| text.as_str().expect("text").to_owned())
            .collect()
    };
    let outcome = entry["outcome"].as_str().expect("an outcome").to_owned();
    (outcome, texts("reasons"), texts("notes"))
}

/// The count of `what` in the JSON form of `report`.
fn json_count(report: &ImportReport, what: &str) -> serde_json::Value {
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).expect("JSON");
    json["counts"][what].clone()
}

/// An outcome with its reasons and notes, as [`json_outcome`] gives them.
fn outcome(text: &str, reasons: &[&str], notes: &[&str]) -> (String, Vec<String>, Vec<String>) {
    let owned = |texts: &[&str]| texts.iter().map(|text| (*text).to_owned()).collect();
    (text.to_owned(), owned(reasons), owned(notes))
}

/// A patients file of two and a half batches whose last rows repeat rows of the first batch:
/// p-3 with another name (a conflict), p-4 as P-4 (rejected), p-5's name and birth date
/// under another id (a duplicate).
fn patients_over_batches() -> String {
    let rows = import::ROWS_PER_BATCH * 5 / 2;
    let name = |row: usize| {
        let letters: String = format!("{row:04}")
            .bytes()
            .map(|digit| char::from(b'a' + (digit - b'0')))
            .collect();
        format!("Ada{letters}")
    };
    let mut csv = String::from(
        "Id,BIRTHDATE,FIRST,LAST,GENDER
",
    );
    for row in 0..rows {
        let (id, first) = match rows - row {
            3 => ("p-3".to_owned(), "Bea".to_owned()),
            2 => ("P-4".to_owned(), name(4)),
            1 => ("q-5".to_owned(), name(5)),
            _ => (format!("p-{row}"), name(row)),
        };
        csv.push_str(&format!(
            "{id},1980-01-01,{first},Lovelace,F
"
        ));
    }
    csv
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_read_batch_by_batch_imports_as_the_whole_file_does() {
    let text = patients_over_batches();
    let today = date("2025-06-01");
    let whole = Clinic::new(Backend::Memory).await;
    let parsed = import::parse(text.as_bytes(), None, today).expect("parse");
    let expected = whole
        .hospital
        .operator_import(&parsed, false, None)
        .await
        .expect("import");
    let batched = Clinic::new(Backend::Memory).await;
    let read = |text: &str| {
        import::ImportRows::open(std::io::Cursor::new(text.to_owned()), None, today).expect("open")
    };
    let report = batched
        .hospital
        .operator_import_rows(read(&text), false, None)
        .await
        .expect("import");
    assert_eq!(report, expected);
    let last = import::ROWS_PER_BATCH * 5 / 2 + 1;
    assert_eq!(
        (
            rows(&report, ReportOutcome::Conflict),
            reasons(&report, last - 2)
        ),
        (
            vec![last - 2],
            vec!["name: differs from the earlier row with the same source id".to_owned()]
        ),
        "across batches"
    );
    assert_eq!(rows(&report, ReportOutcome::Rejected), [last - 1]);
    assert_eq!(rows(&report, ReportOutcome::Duplicate), [last]);
    assert_eq!(report.counts.accepted, last - 4);
    // The same patients, with the same profiles, on both sides of every batch boundary.
    let batch = import::ROWS_PER_BATCH;
    for row in [0, 3, batch - 1, batch, 2 * batch - 1, 2 * batch, last - 5] {
        let id = format!("p-{row}");
        let stored = imported_profile(&batched, &id).await;
        assert!(stored.is_some(), "{id}");
        assert_eq!(stored, imported_profile(&whole, &id).await, "{id}");
    }
    let again = batched
        .hospital
        .operator_import_rows(read(&text), false, None)
        .await
        .expect("import again");
    assert_eq!(again.counts.unchanged, last - 4, "{}", again.summary_line());
}

/// The stored profile of the patient imported from a Synthea CSV file with `id`.
async fn imported_profile(clinic: &Clinic, id: &str) -> Option<PatientProfile> {
    let admin = &clinic.admin.token;
    let identifier = Identifier::new(import::SYSTEM_CSV_PATIENTS, id);
    let account = clinic
        .hospital
        .find_patient(admin, &identifier)
        .await
        .expect("find")?;
    Some(
        clinic
            .hospital
            .patient_profile(admin, account)
            .await
            .expect("profile"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_source_id_with_other_demographics_in_one_file_is_a_conflict() {
    let clinic = Clinic::new(Backend::Memory).await;
    let report = import_text(
        &clinic.hospital,
        "Id,BIRTHDATE,FIRST,LAST,GENDER,PHONE\n\
         c-1,1980-01-01,Ada,Lovelace,F,555-201-3344\n\
         c-1,1980-01-01,ADA,LOVELACE,female,\n\
         c-1,1981-02-03,Bea,Lovelace,M,\n\
         c-1,1980-01-01,Ada,Lovelace,F,555-201-9999\n",
        false,
        &["Bea", "1981", "Lovelace", "9999"],
    )
    .await;
    assert_eq!(
        json_outcome(&report, 3),
        outcome("duplicate", &[], &[]),
        "the same data: a plain duplicate"
    );
    let differs =
        |field: &str| format!("{field}: differs from the earlier row with the same source id");
    assert_eq!(
        json_outcome(&report, 4),
        (
            "conflict".to_owned(),
            vec![differs("name"), differs("birth date"), differs("gender")],
            Vec::new()
        )
    );
    assert_eq!(json_row(&report, 4)["duplicate_of"], 2);
    assert_eq!(json_outcome(&report, 5).1, [differs("phone")]);
    assert_eq!(json_count(&report, "conflicts"), 2);
    assert_eq!(json_count(&report, "duplicates"), 1);
    assert!(
        report.to_csv().contains(",conflict,"),
        "{}",
        report.to_csv()
    );
    let kept = imported_profile(&clinic, "c-1").await.expect("imported");
    assert_eq!(kept.birth_date, date("1980-01-01"), "the first row is kept");
    assert_eq!(kept.contact.phone.as_deref(), Some("+15552013344"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_later_file_that_corrects_a_patient_updates_the_profile() {
    let clinic = Clinic::new(Backend::Folder).await;
    let hospital = &clinic.hospital;
    let store = clinic.fixture.store_folder.clone().expect("a folder store");
    let files = || -> BTreeSet<std::path::PathBuf> { all_files(&store).into_iter().collect() };
    let first = "Id,BIRTHDATE,FIRST,LAST,GENDER,PHONE,CITY\n\
                 u-1,1980-01-01,Ada,Lovelace,F,555-201-3344,Boston\n\
                 u-2,1975-07-04,Bob,Byron,M,,\n";
    let corrected = "Id,BIRTHDATE,FIRST,LAST,GENDER,PHONE,CITY\n\
                     u-1,1980-01-02,Ada,King,F,,Boston\n\
                     u-2,1975-07-04,Bob,Byron,M,,\n";
    import_text(hospital, first, false, &[]).await;
    let account = hospital
        .find_patient(
            &clinic.admin.token,
            &Identifier::new(import::SYSTEM_CSV_PATIENTS, "u-1"),
        )
        .await
        .expect("find")
        .expect("imported");

    let before = files();
    let values = ["King", "1980-01-02", "Lovelace"];
    let dry = import_text(hospital, corrected, true, &values).await;
    assert_eq!(files(), before, "a dry run writes nothing");
    let updated = outcome("updated", &[], &["name: updated", "birth date: updated"]);
    assert_eq!(
        json_outcome(&dry, 2),
        updated,
        "the dry run predicts the update"
    );
    let done = import_text(hospital, corrected, false, &values).await;
    assert_eq!(dry, done);
    assert_eq!(json_outcome(&done, 2), updated);
    assert_eq!(json_outcome(&done, 3), outcome("unchanged", &[], &[]));
    assert_eq!(json_count(&done, "updated"), 1);
    assert_eq!(json_count(&done, "unchanged"), 1);

    let profile = imported_profile(&clinic, "u-1").await.expect("imported");
    assert_eq!(profile.name.text(), "Ada King");
    assert_eq!(profile.birth_date, date("1980-01-02"));
    assert_eq!(
        profile.contact.phone.as_deref(),
        Some("+15552013344"),
        "a value the file leaves blank is kept"
    );
    assert_eq!(
        profile.address.map(|address| address.city).as_deref(),
        Some("Boston")
    );
    assert_eq!(
        profile.identifiers,
        [Identifier::new(import::SYSTEM_CSV_PATIENTS, "u-1")]
    );
    let edits = medvault_identity::audit::read_trail(&clinic.vault)
        .await
        .expect("trail")
        .iter()
        .filter(|record| {
            record.event.actor == Actor::Operator
                && record.event.action
                    == HospitalOperation::EditProfile { patient: account }.audit_action()
        })
        .count();
    assert_eq!(edits, 1, "the update is audited as the operator's");

    let imported = files();
    let again = import_text(hospital, corrected, false, &[]).await;
    assert_eq!(json_outcome(&again, 2), outcome("unchanged", &[], &[]));
    assert_eq!(
        files(),
        imported,
        "the same correction again writes nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn source_ids_are_trimmed_but_never_merged_across_letter_case() {
    let clinic = Clinic::new(Backend::Memory).await;
    let report = import_text(
        &clinic.hospital,
        "Id,BIRTHDATE,FIRST,LAST,GENDER\n\
         k-1,1980-01-01,Ada,Lovelace,F\n\
         \" k-1 \",1980-01-01,Ada,Lovelace,F\n\
         K-1,1980-01-01,Ada,Lovelace,F\n\
         K-2,1990-01-01,Cy,Young,M\n\
         k-2,1991-01-01,Di,Young,F\n",
        false,
        &[],
    )
    .await;
    assert_eq!(json_outcome(&report, 3), outcome("duplicate", &[], &[]));
    assert_eq!(json_row(&report, 3)["source_id"], "k-1", "trimmed");
    let case = |line: usize| {
        outcome(
            "rejected",
            &[&format!(
                "source id: differs only in letter case from that of line {line}"
            )],
            &[],
        )
    };
    assert_eq!(json_outcome(&report, 4), case(2));
    assert_eq!(json_outcome(&report, 5), outcome("accepted", &[], &[]));
    assert_eq!(json_outcome(&report, 6), case(5));
    assert!(imported_profile(&clinic, "K-1").await.is_none());
    assert!(imported_profile(&clinic, "k-2").await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_and_bidirectional_characters_reject_the_row_naming_the_field() {
    let clinic = Clinic::new(Backend::Memory).await;
    let hidden = ["\u{0}", "\u{7}", "\u{202e}", "\u{2066}", "\u{2069}"];
    let report = import_text(
        &clinic.hospital,
        "Id,BIRTHDATE,FIRST,LAST,GENDER,CITY,EMAIL\n\
         h-1,1980-01-01,Ada\u{0},Lovelace,F,,\n\
         h-2,1980-01-01,Bea,\u{202e}nori,F,,\n\
         h-3,1980-01-01,Cy,Young,M,Bo\u{2066}ston\u{2069},\n\
         h\u{202e}-4,1980-01-01,Di,Young,F,,\n\
         h-5,1980-01-01,Ed,Young,M,,ed\u{7}@example.org\n\
         h-6,1980-01-01,Fay,\"Young\tSmith\",F,,\n",
        false,
        &hidden,
    )
    .await;
    let control = "contains a control character";
    let bidi = "contains a bidirectional formatting character";
    let rejected = |reason: String| outcome("rejected", &[&reason], &[]);
    assert_eq!(
        json_outcome(&report, 2),
        rejected(format!("FIRST: {control}"))
    );
    assert_eq!(json_outcome(&report, 3), rejected(format!("LAST: {bidi}")));
    assert_eq!(json_outcome(&report, 4), rejected(format!("CITY: {bidi}")));
    assert_eq!(json_outcome(&report, 5), rejected(format!("Id: {bidi}")));
    assert_eq!(json_row(&report, 5)["source_id"], serde_json::Value::Null);
    assert_eq!(
        json_outcome(&report, 6),
        rejected(format!("EMAIL: {control}"))
    );
    assert_eq!(
        json_outcome(&report, 7),
        outcome("accepted", &[], &[]),
        "a tab is whitespace"
    );

    let bundle = r#"{"resourceType": "Bundle", "entry": [
        {"resource": {"resourceType": "Patient", "id": "f-1", "gender": "female",
            "birthDate": "1980-01-01",
            "name": [{"family": "Lovelace", "given": ["Ada", "M\u202eary"]}]}}
    ]}"#;
    let report = import_text(&clinic.hospital, bundle, true, &hidden).await;
    assert_eq!(
        json_outcome(&report, 1),
        rejected(format!("name.given: {bidi}"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_death_date_before_the_birth_date_is_rejected() {
    let clinic = Clinic::new(Backend::Memory).await;
    let report = import_text(
        &clinic.hospital,
        "Id,BIRTHDATE,DEATHDATE,FIRST,LAST,GENDER\n\
         d-1,1980-01-01,1979-12-31,Ada,Lovelace,F\n\
         d-2,1980-01-01,2020-05-01,Bea,Byron,F\n\
         d-3,1980-01-01,,Cy,Young,M\n\
         d-4,1980-01-01,2030-01-01,Di,Young,F\n\
         d-5,1980-01-01,someday,Ed,Young,M\n",
        false,
        &["1979", "2020", "2030", "someday"],
    )
    .await;
    assert_eq!(
        json_outcome(&report, 2),
        outcome("rejected", &["DEATHDATE: before BIRTHDATE"], &[])
    );
    assert_eq!(
        json_outcome(&report, 3),
        outcome(
            "accepted",
            &[],
            &["DEATHDATE: not stored (a profile has no death date)"]
        )
    );
    assert_eq!(json_outcome(&report, 4), outcome("accepted", &[], &[]));
    assert_eq!(
        json_outcome(&report, 5),
        outcome("rejected", &["DEATHDATE: in the future"], &[])
    );
    assert_eq!(
        json_outcome(&report, 6),
        outcome(
            "rejected",
            &["DEATHDATE: not a date in a known format"],
            &[]
        )
    );

    let bundle = r#"{"resourceType": "Bundle", "entry": [
        {"resource": {"resourceType": "Patient", "id": "f-1", "gender": "female",
            "birthDate": "1970-05-20", "deceasedDateTime": "1969-01-01T10:00:00Z",
            "name": [{"family": "Lovelace", "given": ["Ada"]}]}}
    ]}"#;
    let report = import_text(&clinic.hospital, bundle, true, &["1969", "1970"]).await;
    assert_eq!(
        json_outcome(&report, 1),
        outcome("rejected", &["deceasedDateTime: before birthDate"], &[])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn day_first_dates_and_non_standard_sex_codes_are_converted_with_a_note() {
    let clinic = Clinic::new(Backend::Memory).await;
    let report = import_text(
        &clinic.hospital,
        "Id,BIRTHDATE,FIRST,LAST,GENDER\n\
         n-1,14/02/1992,Ada,Lovelace,X\n\
         n-2,03/04/1990,Bea,Byron,F\n\
         n-3,07/23/1954,Cy,Young,M\n\
         n-4,1980-01-01,Di,Young,diverse\n\
         n-5,1981-01-01,Ed,Young,U\n",
        false,
        &["14/02", "1992", "03/04", "1990", "diverse"],
    )
    .await;
    let day_first = "BIRTHDATE: read day first (DD/MM/YYYY)";
    let month_first = "BIRTHDATE: ambiguous, read month first (MM/DD/YYYY)";
    let code = "GENDER: non-standard code converted";
    assert_eq!(
        json_outcome(&report, 2),
        outcome("accepted", &[], &[day_first, code])
    );
    assert_eq!(
        json_outcome(&report, 3),
        outcome("accepted", &[], &[month_first])
    );
    assert_eq!(
        json_outcome(&report, 4),
        outcome("accepted", &[], &[]),
        "month first, and nothing else it could be"
    );
    assert_eq!(json_outcome(&report, 5), outcome("accepted", &[], &[code]));
    assert_eq!(
        json_outcome(&report, 6),
        outcome("accepted", &[], &[]),
        "HL7's U"
    );
    let csv = report.to_csv();
    assert!(
        csv.starts_with("row,locator,kind,source_id,outcome,reasons,duplicate_of,notes\r\n"),
        "{csv}"
    );
    let row = format!("\r\n2,line 2,patients,n-1,accepted,,,{day_first}; {code}\r\n");
    assert!(csv.contains(&row), "{csv}");
    let ada = imported_profile(&clinic, "n-1").await.expect("imported");
    assert_eq!(ada.birth_date, date("1992-02-14"));
    assert_eq!(ada.gender, Gender::Other);
    let bea = imported_profile(&clinic, "n-2").await.expect("imported");
    assert_eq!(bea.birth_date, date("1990-03-04"));
}
