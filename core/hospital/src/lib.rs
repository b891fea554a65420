//! The hospital: patient registration and profiles, physicians with their schedules,
//! availability search, appointments, medical history, events and notes for staff, and the
//! dashboard — all through [`medvault_identity`] sessions, checked by [`medvault_identity::policy`],
//! audited, and stored as encrypted documents and records in the vault.
//!
//! Field names follow FHIR R4 where one fits (`Patient`, `Practitioner`,
//! `PractitionerRole.availableTime`, `Appointment`, `Encounter`, `Observation`,
//! `DocumentReference`). Times of day are the hospital's wall-clock time, compared with the
//! [`medvault_identity::Clock`]'s UTC time: run the hospital's vault with UTC wall-clock times,
//! or treat them as UTC.

/// Implements `Debug` showing only the named fields (ids, codes, times that name no one):
/// the other fields of these types are patient data, which stays out of logs and panics.
macro_rules! debug_without_patient_data {
    ($type:ident { $($field:ident),* }) => {
        impl std::fmt::Debug for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($type))
                    $(.field(stringify!($field), &self.$field))*
                    .finish_non_exhaustive()
            }
        }
    };
}

mod appointment;
mod availability;
mod blocking;
mod board;
mod booking;
mod dashboard;
mod error;
mod error_kind;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod history;
mod identifiers;
pub mod import;
mod operation;
mod patients;
mod physicians;
mod profile;
mod schedule;
mod tallies;

pub use appointment::{Appointment, AppointmentStatus, Cancellation};
pub use availability::{Slot, SlotQuery};
pub use blocking::BlockingHospital;
pub use board::{Audience, Event, NewEvent, Note, NoteAudience};
pub use dashboard::{
    DailyCount, Dashboard, MAX_DASHBOARD_DAYS, PatientRef, PhysicianPatients, TOP_PHYSICIANS,
};
pub use error::{HospitalError, Result};
pub use error_kind::ErrorKind;
pub use history::{DOCUMENT_KIND, ENCOUNTER_KIND, OBSERVATION_KIND, Observation};
pub use operation::HospitalOperation;
pub use profile::{
    Address, Contact, Gender, HumanName, Identifier, PatientProfile, Physician, PhysicianProfile,
    check_birth_date,
};
pub use schedule::{AvailableTime, MAX_SEARCH_DAYS, NotAvailable, Schedule};

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use medvault::vault::Vault;
use medvault_identity::audit::AuditEvent;
use medvault_identity::policy::Permission;
use medvault_identity::{Identity, Principal, SessionToken};

/// The hospital over an [`Identity`]. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Hospital {
    identity: Identity,
}

impl Hospital {
    /// The hospital kept in `identity`'s vault.
    pub fn new(identity: Identity) -> Self {
        Self { identity }
    }

    /// The identity layer underneath (accounts, logins, records).
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    fn vault(&self) -> &Vault {
        self.identity.vault()
    }

    /// Now, as wall-clock time.
    fn now(&self) -> NaiveDateTime {
        DateTime::from_timestamp_millis(self.identity.now())
            .unwrap_or_default()
            .naive_utc()
    }

    /// Today, as a wall-clock date.
    fn today(&self) -> NaiveDate {
        self.now().date()
    }

    /// Checks that the session may do `operation` (a refusal is audited) and returns the
    /// audit event of the permission, to commit with the change it allows.
    async fn permit_change(
        &self,
        session: &SessionToken,
        operation: impl Permission,
    ) -> Result<(Principal, AuditEvent)> {
        let who = self.identity.permit(session, &operation).await?;
        let event = self.identity.event(who.actor(), operation.audit_action());
        Ok((who, event))
    }
}

/// A new random id, 32 hex digits.
pub(crate) fn new_id() -> Result<String> {
    Ok(hex::encode(medvault::crypto::random_id()?))
}
