//! The access policy: the one place that says which role may do what.

use super::account::{AccountId, Role};
use super::session::Principal;

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
}

impl Operation {
    /// The patient the operation concerns, if it names one.
    pub fn patient(&self) -> Option<AccountId> {
        match self {
            Self::ReadRecords { patient } | Self::WriteRecords { patient } => Some(*patient),
            _ => None,
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
/// - A patient reads only their own records and writes none.
/// - A physician reads and writes patients' records.
/// - An admin manages physician and patient accounts, unlocks factors, manages events and
///   notes, sees the dashboard and the audit trail, opens break-glass grants, and reads a
///   patient's records only under a live grant. Admin accounts are made by the operator.
pub fn decide(who: &Principal, operation: &Operation, break_glass: bool) -> Decision {
    let allowed = match (who.role, operation) {
        (Role::Patient, Operation::ReadRecords { patient }) => *patient == who.account,
        (Role::Physician, Operation::ReadRecords { .. } | Operation::WriteRecords { .. }) => true,
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
            | Operation::ReadAudit,
        ) => true,
        _ => false,
    };
    if allowed {
        Decision::Allowed
    } else {
        Decision::Denied
    }
}
