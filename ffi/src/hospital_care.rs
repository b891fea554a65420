//! The hospital's care as it crosses the boundary: availability, appointments and
//! observations, with their conversions. Account ids are 32 hex digits; dates and times are
//! ISO 8601 strings ([`crate::iso`]).

use medvault_hospital as core;

use crate::error::{MedVaultError, Result};
use crate::hospital_people::Identifier;
use crate::iso::{format_date_time, parse_date, parse_date_time};

/// What to search for: the free slots from `from` to `to` (both days included, at most 92
/// days) of one physician and/or one specialty, or of everyone.
#[derive(uniffi::Record, Clone, Debug, PartialEq, Eq)]
pub struct SlotQuery {
    /// A physician's username.
    #[uniffi(default = None)]
    pub physician: Option<String>,
    /// A specialty (compared trimmed and lowercase).
    #[uniffi(default = None)]
    pub specialty: Option<String>,
    /// The first day, `2026-12-02`.
    pub from: String,
    /// The last day.
    pub to: String,
}

impl TryFrom<SlotQuery> for core::SlotQuery {
    type Error = MedVaultError;

    fn try_from(query: SlotQuery) -> Result<Self> {
        Ok(Self {
            physician: query.physician,
            specialty: query.specialty,
            from: parse_date("from", &query.from)?,
            to: parse_date("to", &query.to)?,
        })
    }
}

/// A free slot (FHIR `Slot` with status `free`).
#[derive(uniffi::Record, Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    /// The physician's account id.
    pub physician: String,
    /// Their username.
    pub username: String,
    /// Their name.
    pub name: String,
    /// Their specialty.
    pub specialty: String,
    /// Start, `2026-12-02T09:30`.
    pub start: String,
    /// End.
    pub end: String,
}

impl From<core::Slot> for Slot {
    fn from(slot: core::Slot) -> Self {
        Self {
            physician: slot.physician.to_string(),
            username: slot.username,
            name: slot.name,
            specialty: slot.specialty,
            start: format_date_time(slot.start),
            end: format_date_time(slot.end),
        }
    }
}

/// Where an appointment stands (FHIR `AppointmentStatus`).
#[derive(uniffi::Enum, Clone, Copy, Debug, PartialEq, Eq)]
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

impl From<AppointmentStatus> for core::AppointmentStatus {
    fn from(status: AppointmentStatus) -> Self {
        use AppointmentStatus as S;
        match status {
            S::Proposed => Self::Proposed,
            S::Pending => Self::Pending,
            S::Booked => Self::Booked,
            S::Arrived => Self::Arrived,
            S::CheckedIn => Self::CheckedIn,
            S::Fulfilled => Self::Fulfilled,
            S::Cancelled => Self::Cancelled,
            S::Noshow => Self::Noshow,
            S::EnteredInError => Self::EnteredInError,
            S::Waitlist => Self::Waitlist,
        }
    }
}

impl From<core::AppointmentStatus> for AppointmentStatus {
    fn from(status: core::AppointmentStatus) -> Self {
        use core::AppointmentStatus as S;
        match status {
            S::Proposed => Self::Proposed,
            S::Pending => Self::Pending,
            S::Booked => Self::Booked,
            S::Arrived => Self::Arrived,
            S::CheckedIn => Self::CheckedIn,
            S::Fulfilled => Self::Fulfilled,
            S::Cancelled => Self::Cancelled,
            S::Noshow => Self::Noshow,
            S::EnteredInError => Self::EnteredInError,
            S::Waitlist => Self::Waitlist,
        }
    }
}

/// Who called an appointment off and why (FHIR `cancellationReason`).
#[derive(uniffi::Record, Clone, Debug, PartialEq, Eq)]
pub struct Cancellation {
    /// The account id that cancelled.
    pub by: String,
    /// Why.
    pub reason: String,
    /// When (ms since the Unix epoch).
    pub at_ms: i64,
}

/// An appointment (FHIR `Appointment`): a patient with a physician in one slot.
#[derive(uniffi::Record, Clone, Debug, PartialEq, Eq)]
pub struct Appointment {
    /// Its id, 32 hex digits.
    pub id: String,
    /// Status.
    pub status: AppointmentStatus,
    /// The patient's account id.
    pub patient: String,
    /// The physician's account id.
    pub physician: String,
    /// Start, `2026-12-02T09:30`.
    pub start: String,
    /// End.
    pub end: String,
    /// When it was made (ms since the Unix epoch).
    pub created_ms: i64,
    /// The account id that booked it; none for appointments the operator imported.
    pub booked_by: Option<String>,
    /// Who cancelled it and why, once cancelled.
    pub cancellation: Option<Cancellation>,
    /// Its id in the system it was imported from, if it was imported.
    pub source: Option<Identifier>,
}

impl From<core::Appointment> for Appointment {
    fn from(appointment: core::Appointment) -> Self {
        Self {
            id: appointment.id,
            status: appointment.status.into(),
            patient: appointment.patient.to_string(),
            physician: appointment.physician.to_string(),
            start: format_date_time(appointment.start),
            end: format_date_time(appointment.end),
            created_ms: appointment.created_ms,
            booked_by: appointment.booked_by.map(|account| account.to_string()),
            cancellation: appointment.cancellation.map(|cancellation| Cancellation {
                by: cancellation.by.to_string(),
                reason: cancellation.reason,
                at_ms: cancellation.at_ms,
            }),
            source: appointment.source.map(Identifier::from),
        }
    }
}

/// A measured value (FHIR `Observation` with a `valueQuantity`), stored as JSON.
#[derive(uniffi::Record, Clone, Debug, PartialEq)]
pub struct Observation {
    /// The code of what was measured, such as LOINC `8867-4` (heart rate).
    pub code: String,
    /// What was measured, in words.
    pub display: String,
    /// The value (finite).
    pub value: f64,
    /// Its unit (UCUM), such as `/min`.
    pub unit: String,
    /// When it was measured (`effectiveDateTime`), `2026-12-02T09:30`.
    pub effective: String,
}

impl TryFrom<Observation> for core::Observation {
    type Error = MedVaultError;

    fn try_from(observation: Observation) -> Result<Self> {
        Ok(Self {
            code: observation.code,
            display: observation.display,
            value: observation.value,
            unit: observation.unit,
            effective: parse_date_time("effective", &observation.effective)?,
        })
    }
}
