//! The access policy: the one place that says which role may do what.

use super::account::{AccountId, Role};
use super::session::Principal;
use crate::identity::audit::AuditAction;

/// Something a session may ask to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// Read (or list) the clinical records of a patient.
    ReadRecords {
        /// The patient.
        patient: AccountId,
    },
    /// Write clinical records for a patient.
    WriteRecords {
        /// The patient.
        patient: AccountId,
    },
    /// Create or remove accounts of a role.
    ManageAccounts {
        /// The role of the accounts.
        role: Role,
    },
    /// Unlock another account's locked TOTP factor.
    UnlockFactor,
    /// Open a time-limited emergency grant to read a patient's records.
    GrantBreakGlass,
    /// Manage the hospital's events (appointments, rota).
    ManageEvents,
    /// Manage administrative notes.
    ManageNotes,
    /// See the dashboard.
    ViewDashboard,
    /// Verify and export the audit trail.
    ReadAudit,
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

impl Operation {
    /// The patient the operation concerns, if it names one.
    pub fn patient(&self) -> Option<AccountId> {
        match self {
            Self::ReadRecords { patient }
            | Self::WriteRecords { patient }
            | Self::ReadProfile { patient }
            | Self::EditProfile { patient }
            | Self::BookAppointment { patient }
            | Self::CancelAppointment { patient, .. } => Some(*patient),
            _ => None,
        }
    }

    /// The audit action recording a check of this operation.
    pub(crate) fn audit_action(&self) -> AuditAction {
        AuditAction::Authorize {
            operation: self.describe(),
            patient: self.patient(),
        }
    }

    /// What the operation is, in words for errors and audit entries (ids left out).
    pub fn describe(&self) -> String {
        match self {
            Self::ReadRecords { .. } => "read this patient's records".to_owned(),
            Self::WriteRecords { .. } => "write this patient's records".to_owned(),
            Self::ManageAccounts { role } => format!("manage {role} accounts"),
            Self::UnlockFactor => "unlock a second factor".to_owned(),
            Self::GrantBreakGlass => "open a break-glass grant".to_owned(),
            Self::ManageEvents => "manage events".to_owned(),
            Self::ManageNotes => "manage notes".to_owned(),
            Self::ViewDashboard => "view the dashboard".to_owned(),
            Self::ReadAudit => "read the audit trail".to_owned(),
            Self::ReadProfile { .. } => "read this patient's profile".to_owned(),
            Self::EditProfile { .. } => "change this patient's profile".to_owned(),
            Self::ManageSchedule { .. } => "change this physician's schedule".to_owned(),
            Self::SearchAvailability => "search availability".to_owned(),
            Self::BookAppointment { .. } => "book an appointment for this patient".to_owned(),
            Self::CancelAppointment { .. } => "cancel this appointment".to_owned(),
            Self::RecordAttendance { .. } => "record attendance of this appointment".to_owned(),
            Self::ListAppointments { .. } => "list these appointments".to_owned(),
            Self::ReadBoard => "read events and notes".to_owned(),
            Self::FindPatients => "find patients".to_owned(),
            Self::ImportData => "import data".to_owned(),
        }
    }
}

/// The policy's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Allowed by the caller's role.
    Allowed,
    /// Allowed only because the caller holds a live break-glass grant for the patient.
    AllowedByBreakGlass,
    /// Refused.
    Denied,
}

impl Decision {
    /// Whether the operation may go ahead.
    pub fn is_allowed(self) -> bool {
        !matches!(self, Decision::Denied)
    }
}

/// Decides whether `who` may do `operation`. `break_glass` says whether `who` holds a live
/// break-glass grant for the patient the operation names.
///
/// - Every account searches availability and reads the events and notes addressed to it.
/// - A patient reads only their own records and writes none; reads and changes their own
///   profile; books, cancels and lists their own appointments.
/// - A physician reads and writes patients' records, finds patients and reads their
///   profiles; changes their own schedule; cancels, records attendance of and lists their own appointments.
/// - An admin manages physician and patient accounts, profiles, schedules and appointments,
///   imports data, unlocks factors, manages events and notes, sees the dashboard and the audit trail, opens
///   break-glass grants, and reads a patient's records only under a live grant. Admin
///   accounts are made by the operator.
pub fn decide(who: &Principal, operation: &Operation, break_glass: bool) -> Decision {
    let me = who.account;
    let allowed = match (who.role, operation) {
        (_, Operation::SearchAvailability | Operation::ReadBoard) => true,
        (
            Role::Patient,
            Operation::ReadRecords { patient }
            | Operation::ReadProfile { patient }
            | Operation::EditProfile { patient }
            | Operation::BookAppointment { patient }
            | Operation::CancelAppointment { patient, .. },
        ) => *patient == me,
        (
            Role::Physician,
            Operation::ReadRecords { .. }
            | Operation::WriteRecords { .. }
            | Operation::ReadProfile { .. }
            | Operation::FindPatients,
        ) => true,
        (
            Role::Physician,
            Operation::ManageSchedule { physician }
            | Operation::CancelAppointment { physician, .. }
            | Operation::RecordAttendance { physician },
        ) => *physician == me,
        (Role::Patient | Role::Physician, Operation::ListAppointments { account }) => {
            *account == me
        }
        (Role::Admin, Operation::ReadRecords { .. }) if break_glass => {
            return Decision::AllowedByBreakGlass;
        }
        (Role::Admin, Operation::ManageAccounts { role }) => *role != Role::Admin,
        (
            Role::Admin,
            Operation::UnlockFactor
            | Operation::GrantBreakGlass
            | Operation::ManageEvents
            | Operation::ManageNotes
            | Operation::ViewDashboard
            | Operation::ReadAudit
            | Operation::ReadProfile { .. }
            | Operation::EditProfile { .. }
            | Operation::ManageSchedule { .. }
            | Operation::BookAppointment { .. }
            | Operation::CancelAppointment { .. }
            | Operation::RecordAttendance { .. }
            | Operation::ListAppointments { .. }
            | Operation::FindPatients
            | Operation::ImportData,
        ) => true,
        _ => false,
    };
    if allowed {
        Decision::Allowed
    } else {
        Decision::Denied
    }
}
