//! The hospital's operations and who may do them: its part of the access policy, asked
//! through [`medvault_identity::policy::decide`] like the identity layer's own.

use medvault_identity::policy::{Decision, Permission};
use medvault_identity::{AccountId, Principal, Role};

/// Something a session may ask of the hospital.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HospitalOperation {
    /// Manage the hospital's events (announcements, rota).
    ManageEvents,
    /// Manage administrative notes.
    ManageNotes,
    /// See the dashboard.
    ViewDashboard,
    /// Read a patient's profile (demographics).
    ReadProfile {
        /// The patient.
        patient: AccountId,
    },
    /// Change a patient's profile.
    EditProfile {
        /// The patient.
        patient: AccountId,
    },
    /// Change a physician's weekly hours and leave.
    ManageSchedule {
        /// The physician.
        physician: AccountId,
    },
    /// Search free slots and see physicians' public profiles.
    SearchAvailability,
    /// Book an appointment for a patient.
    BookAppointment {
        /// The patient.
        patient: AccountId,
    },
    /// Cancel an appointment.
    CancelAppointment {
        /// Its patient.
        patient: AccountId,
        /// Its physician.
        physician: AccountId,
    },
    /// Record what became of an appointment (arrived, fulfilled, no-show…).
    RecordAttendance {
        /// Its physician.
        physician: AccountId,
    },
    /// List a patient's or a physician's appointments.
    ListAppointments {
        /// The patient or physician.
        account: AccountId,
    },
    /// Read the events and notes addressed to the caller.
    ReadBoard,
    /// Find patients by an identifier (a hospital number, an imported id).
    FindPatients,
    /// Import patients, physicians and appointments from another system's files.
    ImportData,
}

impl Permission for HospitalOperation {
    /// - Every account searches availability and reads the events and notes addressed to it.
    /// - A patient reads and changes their own profile; books, cancels and lists their own
    ///   appointments.
    /// - A physician finds patients and reads their profiles; changes their own schedule;
    ///   cancels, records attendance of and lists their own appointments.
    /// - An admin manages profiles, schedules and appointments, imports data, manages events
    ///   and notes, and sees the dashboard.
    fn decide(&self, who: &Principal, _break_glass: bool) -> Decision {
        let me = who.account;
        let allowed = match (who.role, self) {
            (_, Self::SearchAvailability | Self::ReadBoard) => true,
            (
                Role::Patient,
                Self::ReadProfile { patient }
                | Self::EditProfile { patient }
                | Self::BookAppointment { patient }
                | Self::CancelAppointment { patient, .. },
            ) => *patient == me,
            (Role::Physician, Self::ReadProfile { .. } | Self::FindPatients) => true,
            (
                Role::Physician,
                Self::ManageSchedule { physician }
                | Self::CancelAppointment { physician, .. }
                | Self::RecordAttendance { physician },
            ) => *physician == me,
            (Role::Patient | Role::Physician, Self::ListAppointments { account }) => *account == me,
            (Role::Admin, _) => true,
            _ => false,
        };
        Decision::allowed_if(allowed)
    }

    fn describe(&self) -> String {
        match self {
            Self::ManageEvents => "manage events",
            Self::ManageNotes => "manage notes",
            Self::ViewDashboard => "view the dashboard",
            Self::ReadProfile { .. } => "read this patient's profile",
            Self::EditProfile { .. } => "change this patient's profile",
            Self::ManageSchedule { .. } => "change this physician's schedule",
            Self::SearchAvailability => "search availability",
            Self::BookAppointment { .. } => "book an appointment for this patient",
            Self::CancelAppointment { .. } => "cancel this appointment",
            Self::RecordAttendance { .. } => "record attendance of this appointment",
            Self::ListAppointments { .. } => "list these appointments",
            Self::ReadBoard => "read events and notes",
            Self::FindPatients => "find patients",
            Self::ImportData => "import data",
        }
        .to_owned()
    }

    fn patient(&self) -> Option<AccountId> {
        match self {
            Self::ReadProfile { patient }
            | Self::EditProfile { patient }
            | Self::BookAppointment { patient }
            | Self::CancelAppointment { patient, .. } => Some(*patient),
            _ => None,
        }
    }
}
