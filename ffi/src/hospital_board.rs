//! The hospital's staff board and dashboard as they cross the boundary: events, notes and
//! the admin dashboard. The hospital crate's own types, declared to uniffi with
//! `#[uniffi::remote]` (see [`crate::hospital_people`]).

use chrono::{NaiveDate, NaiveDateTime};
use medvault_hospital::{
    Audience, DailyCount, Dashboard, Event, NewEvent, Note, NoteAudience, PatientRef,
    PhysicianPatients,
};
use medvault_identity::AccountId;

/// Who sees an event.
#[uniffi::remote(Enum)]
pub enum Audience {
    /// Every account.
    Everyone,
    /// Only these account ids (at least one), and admins.
    Accounts(Vec<AccountId>),
}

/// An event to publish on the staff board.
#[uniffi::remote(Record)]
pub struct NewEvent {
    /// Title, 1 to 200 characters.
    pub title: String,
    /// Details, at most 5,000 characters.
    #[uniffi(default = "")]
    pub details: String,
    /// Start.
    pub start: NaiveDateTime,
    /// End, after the start.
    pub end: NaiveDateTime,
    /// Who sees it.
    pub audience: Audience,
}

/// A published event.
#[uniffi::remote(Record)]
pub struct Event {
    /// Its id.
    pub id: String,
    /// What was published.
    pub event: NewEvent,
    /// The account id of the admin who published it.
    pub author: AccountId,
    /// When (ms since the Unix epoch).
    pub created_ms: i64,
}

/// Who a note is for.
#[uniffi::remote(Enum)]
pub enum NoteAudience {
    /// Every physician.
    AllPhysicians,
    /// One physician, by account id.
    Physician(AccountId),
}

/// A note from an admin to physicians.
#[uniffi::remote(Record)]
pub struct Note {
    /// Its id.
    pub id: String,
    /// Who it is for.
    pub to: NoteAudience,
    /// The text.
    pub text: String,
    /// The account id of the admin who wrote it.
    pub author: AccountId,
    /// When (ms since the Unix epoch).
    pub created_ms: i64,
}

/// A patient on the dashboard.
#[uniffi::remote(Record)]
pub struct PatientRef {
    /// The patient's account id.
    pub account: AccountId,
    /// Their name, if they have a profile.
    pub name: Option<String>,
}

/// One of the physicians who saw the most distinct patients.
#[uniffi::remote(Record)]
pub struct PhysicianPatients {
    /// The physician's account id.
    pub physician: AccountId,
    /// Their username.
    pub username: String,
    /// Their name.
    pub name: String,
    /// The distinct patients, by account id.
    pub patients: Vec<PatientRef>,
}

/// The distinct patients of one day.
#[uniffi::remote(Record)]
pub struct DailyCount {
    /// The day.
    pub day: NaiveDate,
    /// How many distinct patients had an appointment.
    pub patients: u64,
}

/// The admin dashboard over `from` to `to`. Counted are appointments that hold their slot
/// (booked, arrived, checked in or fulfilled), by the day they start.
#[uniffi::remote(Record)]
pub struct Dashboard {
    /// The first day.
    pub from: NaiveDate,
    /// The last day.
    pub to: NaiveDate,
    /// The five physicians with the most distinct patients, most first (ties by username).
    pub top_physicians: Vec<PhysicianPatients>,
    /// Every day of the range, in order.
    pub daily: Vec<DailyCount>,
}
