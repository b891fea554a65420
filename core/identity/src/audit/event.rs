//! What an identity audit event says: who acted, what they did, and how it ended.

use medvault::audit::{AuditEvent as EngineEvent, StorageAction};
use medvault::vault::{RecordId, VaultError};
use serde::{Deserialize, Serialize};

use crate::{AccountId, IdentityError, Role};

/// Who did something.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Actor {
    /// The service that unlocked the vault, acting through the storage-level
    /// [`medvault::vault::Vault`] or as the operator of [`crate::Identity`].
    Operator,
    /// A person, acting through a session (or trying to open one).
    Account {
        /// The account.
        id: AccountId,
        /// Its role when it acted.
        role: Role,
    },
    /// Someone who named no existing account (a login attempt with an unknown username).
    Anonymous,
}

/// The second factor a login used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SecondFactor {
    /// A TOTP code.
    Totp,
    /// A single-use recovery code.
    RecoveryCode,
}

/// Why a login failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoginFailure {
    /// No account has the username.
    UnknownAccount,
    /// The password was wrong.
    WrongPassword,
    /// The TOTP or recovery code was wrong.
    WrongCode,
    /// The TOTP code was valid but its time step had been used already.
    ReplayedCode,
    /// The factor is locked after too many failures.
    FactorLocked,
    /// The account has no confirmed TOTP factor.
    FactorNotEnrolled,
}

/// How an action ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// It was done.
    Success,
    /// The access policy refused it.
    Denied,
    /// A login failed.
    LoginFailed(LoginFailure),
}

/// What was done.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditAction {
    /// A login attempt.
    Login {
        /// The second factor presented.
        factor: SecondFactor,
    },
    /// A session was ended by its owner.
    Logout,
    /// An account was created.
    CreateAccount {
        /// The new account.
        account: AccountId,
        /// Its role.
        role: Role,
    },
    /// An account was removed.
    RemoveAccount {
        /// The removed account.
        account: AccountId,
    },
    /// A TOTP factor was enrolled (not yet confirmed) for an account.
    EnrollFactor {
        /// The account.
        account: AccountId,
    },
    /// A TOTP factor was confirmed by its first code.
    ConfirmFactor {
        /// The account.
        account: AccountId,
    },
    /// A TOTP factor was removed.
    RemoveFactor {
        /// The account.
        account: AccountId,
    },
    /// A TOTP factor was locked after too many failed attempts.
    LockFactor {
        /// The account.
        account: AccountId,
    },
    /// A locked TOTP factor was unlocked.
    UnlockFactor {
        /// The account.
        account: AccountId,
    },
    /// A password was changed.
    ChangePassword {
        /// The account.
        account: AccountId,
    },
    /// An emergency (break-glass) grant to read one patient's records.
    GrantBreakGlass {
        /// The patient whose records it opens.
        patient: AccountId,
        /// The reason given.
        reason: String,
        /// When it expires (ms since the Unix epoch).
        until_ms: i64,
    },
    /// A record was read.
    ReadRecord {
        /// The record.
        record: RecordId,
        /// The patient it belongs to, when it was read through a session.
        patient: Option<AccountId>,
    },
    /// A patient's records were listed.
    ListRecords {
        /// The patient.
        patient: AccountId,
    },
    /// A record, or a new version of one, was written.
    WriteRecord {
        /// The record.
        record: RecordId,
        /// The version written.
        version: u64,
        /// The patient it belongs to, when it was written through a session.
        patient: Option<AccountId>,
    },
    /// A record was deleted.
    DeleteRecord {
        /// The record.
        record: RecordId,
    },
    /// A scope's keys were destroyed.
    ShredScope,
    /// An operation was checked against the access policy (see
    /// [`crate::Permission`]).
    Authorize {
        /// The operation's name.
        operation: String,
        /// The patient it concerned, if it named one.
        patient: Option<AccountId>,
    },
}

/// One audited event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// When it happened (ms since the Unix epoch).
    pub time_ms: i64,
    /// Who did it.
    pub actor: Actor,
    /// What they did.
    pub action: AuditAction,
    /// How it ended.
    pub outcome: Outcome,
}

/// What the engine seals for an identity event: all of it but the time, which the engine's
/// event carries.
#[derive(Serialize, Deserialize)]
struct Encoded {
    actor: Actor,
    action: AuditAction,
    outcome: Outcome,
}

impl AuditEvent {
    /// This event as the engine logs it: the time, and the rest encoded (postcard) as an
    /// application payload.
    pub fn to_engine(&self) -> EngineEvent {
        let encoded = Encoded {
            actor: self.actor.clone(),
            action: self.action.clone(),
            outcome: self.outcome.clone(),
        };
        // postcard writes these plain enums into a Vec without failing.
        EngineEvent::application(
            self.time_ms,
            postcard::to_stdvec(&encoded).unwrap_or_default(),
        )
    }

    /// Reads an event back from the engine's: an application payload decodes as an identity
    /// event, and a storage-level write is the operator's.
    pub fn from_engine(event: &EngineEvent) -> Result<Self, IdentityError> {
        use medvault::audit::AuditPayload;
        match &event.payload {
            AuditPayload::Storage(action) => Ok(Self::new(
                event.time_ms,
                Actor::Operator,
                match *action {
                    StorageAction::WriteRecord { record, version } => AuditAction::WriteRecord {
                        record,
                        version,
                        patient: None,
                    },
                    StorageAction::DeleteRecord { record } => AuditAction::DeleteRecord { record },
                    StorageAction::ShredScope => AuditAction::ShredScope,
                },
                Outcome::Success,
            )),
            AuditPayload::Application(bytes) => {
                let Encoded {
                    actor,
                    action,
                    outcome,
                } = postcard::from_bytes(bytes).map_err(|error| VaultError::Malformed {
                    what: "audit entry",
                    reason: error.to_string(),
                })?;
                Ok(Self::new(event.time_ms, actor, action, outcome))
            }
        }
    }

    /// An event that happened at `time_ms`.
    pub fn new(time_ms: i64, actor: Actor, action: AuditAction, outcome: Outcome) -> Self {
        Self {
            time_ms,
            actor,
            action,
            outcome,
        }
    }
}
