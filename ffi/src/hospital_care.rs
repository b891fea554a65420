//! The hospital's care as it crosses the boundary: availability, appointments and
//! observations. The hospital crate's own types, declared to uniffi with
//! `#[uniffi::remote]` (see [`crate::hospital_people`]).

use chrono::{NaiveDate, NaiveDateTime};
use medvault_hospital::{
    Appointment, AppointmentStatus, Cancellation, Identifier, Observation, Slot, SlotQuery,
};
use medvault_identity::AccountId;

/// What to search for: the free slots from `from` to `to` (both days included, at most 92
/// days) of one physician and/or one specialty, or of everyone.
#[uniffi::remote(Record)]
pub struct SlotQuery {
    /// A physician's username.
    #[uniffi(default = None)]
    pub physician: Option<String>,
    /// A specialty (compared trimmed and lowercase).
    #[uniffi(default = None)]
    pub specialty: Option<String>,
    /// The first day.
    pub from: NaiveDate,
    /// The last day.
    pub to: NaiveDate,
}

/// A free slot (FHIR `Slot` with status `free`).
#[uniffi::remote(Record)]
pub struct Slot {
    /// The physician's account id.
    pub physician: AccountId,
    /// Their username.
    pub username: String,
    /// Their name.
    pub name: String,
    /// Their specialty.
    pub specialty: String,
    /// Start.
    pub start: NaiveDateTime,
    /// End.
    pub end: NaiveDateTime,
}

/// Where an appointment stands (FHIR `AppointmentStatus`).
#[uniffi::remote(Enum)]
pub enum AppointmentStatus {
    /// `proposed`: suggested, not yet agreed.
    Proposed,
    /// `pending`: waiting for someone to confirm.
    Pending,
    /// `booked`: agreed; the slot is taken.
    Booked,
    /// `arrived`: the patient has arrived.
    Arrived,
    /// `checked-in`: the patient is checked in.
    CheckedIn,
    /// `fulfilled`: it took place.
    Fulfilled,
    /// `cancelled`: called off; the slot is free again.
    Cancelled,
    /// `noshow`: the patient did not come.
    Noshow,
    /// `entered-in-error`: it should never have been recorded.
    EnteredInError,
    /// `waitlist`: waiting for a slot.
    Waitlist,
}

/// Who called an appointment off and why (FHIR `cancellationReason`).
#[uniffi::remote(Record)]
pub struct Cancellation {
    /// The account id that cancelled.
    pub by: AccountId,
    /// Why.
    pub reason: String,
    /// When (ms since the Unix epoch).
    pub at_ms: i64,
}

/// An appointment (FHIR `Appointment`): a patient with a physician in one slot.
#[uniffi::remote(Record)]
pub struct Appointment {
    /// Its id, 32 hex digits.
    pub id: String,
    /// Status.
    pub status: AppointmentStatus,
    /// The patient's account id.
    pub patient: AccountId,
    /// The physician's account id.
    pub physician: AccountId,
    /// Start.
    pub start: NaiveDateTime,
    /// End.
    pub end: NaiveDateTime,
    /// When it was made (ms since the Unix epoch).
    pub created_ms: i64,
    /// The account id that booked it; none for appointments the operator imported.
    pub booked_by: Option<AccountId>,
    /// Who cancelled it and why, once cancelled.
    pub cancellation: Option<Cancellation>,
    /// Its id in the system it was imported from, if it was imported.
    pub source: Option<Identifier>,
}

/// A measured value (FHIR `Observation` with a `valueQuantity`), stored as JSON.
#[uniffi::remote(Record)]
pub struct Observation {
    /// The code of what was measured, such as LOINC `8867-4` (heart rate).
    pub code: String,
    /// What was measured, in words.
    pub display: String,
    /// The value (finite).
    pub value: f64,
    /// Its unit (UCUM), such as `/min`.
    pub unit: String,
    /// When it was measured (`effectiveDateTime`).
    pub effective: NaiveDateTime,
}
