//! The access policy: what each role may do, asked through one function, [`decide`].
//!
//! Every operation a session asks for implements [`Permission`]: it names itself (for errors
//! and the audit trail), the patient it concerns, and which roles it allows. The identity
//! layer's own operations are [`Operation`]; a layer above (the hospital) defines its own
//! operations and their rules in its own crate, and they go through [`decide`], the refusal
//! audit and the error the same way.

use crate::account::{AccountId, Role};
use crate::audit::AuditAction;
use crate::session::Principal;

/// Something a session may ask to do, with the rule that says who may.
pub trait Permission {
    /// Whether `who`'s role allows the operation. `break_glass` says whether `who` holds a
    /// live break-glass grant for the patient the operation names.
    fn decide(&self, who: &Principal, break_glass: bool) -> Decision;

    /// What the operation is, in words for errors and audit entries (ids left out).
    fn describe(&self) -> String;

    /// The patient the operation concerns, if it names one.
    fn patient(&self) -> Option<AccountId> {
        None
    }

    /// The audit action recording a check of this operation.
    fn audit_action(&self) -> AuditAction {
        AuditAction::Authorize {
            operation: self.describe(),
            patient: self.patient(),
        }
    }
}

impl<P: Permission + ?Sized> Permission for &P {
    fn decide(&self, who: &Principal, break_glass: bool) -> Decision {
        (**self).decide(who, break_glass)
    }

    fn describe(&self) -> String {
        (**self).describe()
    }

    fn patient(&self) -> Option<AccountId> {
        (**self).patient()
    }

    fn audit_action(&self) -> AuditAction {
        (**self).audit_action()
    }
}

/// The identity layer's own operations.
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
    /// Verify and export the audit trail.
    ReadAudit,
}

impl Permission for Operation {
    /// - A patient reads only their own records and writes none.
    /// - A physician reads and writes patients' records.
    /// - An admin manages physician and patient accounts, unlocks factors, reads the audit
    ///   trail, opens break-glass grants, and reads a patient's records only under a live
    ///   grant. Admin accounts are made by the operator.
    fn decide(&self, who: &Principal, break_glass: bool) -> Decision {
        let allowed = match (who.role, self) {
            (Role::Patient, Operation::ReadRecords { patient }) => *patient == who.account,
            (Role::Physician, Operation::ReadRecords { .. } | Operation::WriteRecords { .. }) => {
                true
            }
            (Role::Admin, Operation::ReadRecords { .. }) if break_glass => {
                return Decision::AllowedByBreakGlass;
            }
            (Role::Admin, Operation::ManageAccounts { role }) => *role != Role::Admin,
            (
                Role::Admin,
                Operation::UnlockFactor | Operation::GrantBreakGlass | Operation::ReadAudit,
            ) => true,
            _ => false,
        };
        Decision::allowed_if(allowed)
    }

    fn describe(&self) -> String {
        match self {
            Self::ReadRecords { .. } => "read this patient's records".to_owned(),
            Self::WriteRecords { .. } => "write this patient's records".to_owned(),
            Self::ManageAccounts { role } => format!("manage {role} accounts"),
            Self::UnlockFactor => "unlock a second factor".to_owned(),
            Self::GrantBreakGlass => "open a break-glass grant".to_owned(),
            Self::ReadAudit => "read the audit trail".to_owned(),
        }
    }

    fn patient(&self) -> Option<AccountId> {
        match self {
            Self::ReadRecords { patient } | Self::WriteRecords { patient } => Some(*patient),
            _ => None,
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

    /// [`Decision::Allowed`] if `allowed`, else [`Decision::Denied`].
    pub fn allowed_if(allowed: bool) -> Self {
        if allowed {
            Decision::Allowed
        } else {
            Decision::Denied
        }
    }
}

/// Decides whether `who` may do `operation`. `break_glass` says whether `who` holds a live
/// break-glass grant for the patient the operation names.
pub fn decide(
    who: &Principal,
    operation: &(impl Permission + ?Sized),
    break_glass: bool,
) -> Decision {
    operation.decide(who, break_glass)
}
