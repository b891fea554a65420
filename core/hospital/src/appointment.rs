//! Appointments (FHIR `Appointment`): a patient with a physician in one slot.

use chrono::{NaiveDate, NaiveDateTime};
use medvault::vault::Document;
use medvault_identity::AccountId;
use serde::{Deserialize, Serialize};

use super::profile::Identifier;

/// Where an appointment stands (FHIR `AppointmentStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
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

impl AppointmentStatus {
    /// Every status.
    pub const ALL: [AppointmentStatus; 10] = [
        Self::Proposed,
        Self::Pending,
        Self::Booked,
        Self::Arrived,
        Self::CheckedIn,
        Self::Fulfilled,
        Self::Cancelled,
        Self::Noshow,
        Self::EnteredInError,
        Self::Waitlist,
    ];

    /// The FHIR code, such as `booked` or `checked-in`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Pending => "pending",
            Self::Booked => "booked",
            Self::Arrived => "arrived",
            Self::CheckedIn => "checked-in",
            Self::Fulfilled => "fulfilled",
            Self::Cancelled => "cancelled",
            Self::Noshow => "noshow",
            Self::EnteredInError => "entered-in-error",
            Self::Waitlist => "waitlist",
        }
    }

    /// The status a FHIR code names, if any.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == code)
    }

    /// Whether an appointment in this status holds its slot: booked, arrived, checked in or
    /// fulfilled. These are also the appointments the dashboard counts.
    pub fn holds_slot(self) -> bool {
        matches!(
            self,
            Self::Booked | Self::Arrived | Self::CheckedIn | Self::Fulfilled
        )
    }
}

/// An appointment as stored.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appointment {
    /// Random id, 32 hex digits.
    pub id: String,
    /// Status.
    pub status: AppointmentStatus,
    /// The patient.
    pub patient: AccountId,
    /// The physician.
    pub physician: AccountId,
    /// Start, local time.
    pub start: NaiveDateTime,
    /// End, local time.
    pub end: NaiveDateTime,
    /// When it was made (ms since the Unix epoch).
    pub created_ms: i64,
    /// The account that booked it; `None` for appointments imported by the operator.
    pub booked_by: Option<AccountId>,
    /// Who cancelled it and why, once cancelled (FHIR `cancellationReason`).
    pub cancellation: Option<Cancellation>,
    /// Its id in the system it was imported from, if it was imported.
    pub source: Option<Identifier>,
}

debug_without_patient_data!(Appointment { id, status });

/// Who called an appointment off and why.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cancellation {
    /// The account that cancelled.
    pub by: AccountId,
    /// Why.
    pub reason: String,
    /// When (ms since the Unix epoch).
    pub at_ms: i64,
}

debug_without_patient_data!(Cancellation { by, at_ms });

impl Appointment {
    /// The day it starts on.
    pub fn day(&self) -> NaiveDate {
        self.start.date()
    }
}

/// The index value naming one physician's slot.
pub(crate) fn slot_key(physician: AccountId, start: NaiveDateTime) -> String {
    format!("{physician}/{}", start.format("%Y-%m-%dT%H:%M"))
}

impl Document for Appointment {
    const COLLECTION: &'static str = "appointments";

    fn id(&self) -> String {
        self.id.clone()
    }

    fn indexed_fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = vec![
            ("patient", self.patient.to_string()),
            ("physician", self.physician.to_string()),
            (
                "physician-day",
                format!("{}/{}", self.physician, self.day()),
            ),
            ("day", self.day().to_string()),
            ("slot", slot_key(self.physician, self.start)),
        ];
        fields.extend(self.source.iter().map(|source| ("source", source.key())));
        fields
    }
}
