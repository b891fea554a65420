//! The hospital's staff board and dashboard as they cross the boundary: events, notes and
//! the admin dashboard, with their conversions. Account ids are 32 hex digits; dates and
//! times are ISO 8601 strings ([`crate::iso`]).

use medvault_hospital as core;

use crate::error::{MedVaultError, Result};
use crate::identity::account_id;
use crate::iso::{format_date, format_date_time, parse_date, parse_date_time};

/// Who sees an event: everyone, or only the accounts named (and admins).
#[derive(uniffi::Record, Clone, Debug, PartialEq, Eq)]
pub struct Audience {
    /// Every account sees it; `accounts` is then empty.
    pub is_public: bool,
    /// The account ids that see it, when it is not public (at least one).
    #[uniffi(default)]
    pub accounts: Vec<String>,
}

impl TryFrom<Audience> for core::Audience {
    type Error = MedVaultError;

    fn try_from(audience: Audience) -> Result<Self> {
        match (audience.is_public, audience.accounts.is_empty()) {
            (true, true) => Ok(Self::Everyone),
            (true, false) => Err(MedVaultError::invalid(
                "invalid audience: a public event names no accounts",
            )),
            (false, _) => Ok(Self::Accounts(
                audience
                    .accounts
                    .iter()
                    .map(|id| account_id(id))
                    .collect::<Result<_>>()?,
            )),
        }
    }
}

impl From<core::Audience> for Audience {
    fn from(audience: core::Audience) -> Self {
        match audience {
            core::Audience::Everyone => Self {
                is_public: true,
                accounts: Vec::new(),
            },
            core::Audience::Accounts(accounts) => Self {
                is_public: false,
                accounts: accounts.iter().map(ToString::to_string).collect(),
            },
        }
    }
}

/// An event to publish on the staff board.
#[derive(uniffi::Record, Clone, Debug, PartialEq, Eq)]
pub struct NewEvent {
    /// Title, 1 to 200 characters.
    pub title: String,
    /// Details, at most 5,000 characters.
    #[uniffi(default = "")]
    pub details: String,
    /// Start, `2026-12-02T12:00`.
    pub start: String,
    /// End, after the start.
    pub end: String,
    /// Who sees it.
    pub audience: Audience,
}

impl TryFrom<NewEvent> for core::NewEvent {
    type Error = MedVaultError;

    fn try_from(event: NewEvent) -> Result<Self> {
        Ok(Self {
            title: event.title,
            details: event.details,
            start: parse_date_time("start", &event.start)?,
            end: parse_date_time("end", &event.end)?,
            audience: event.audience.try_into()?,
        })
    }
}

impl From<core::NewEvent> for NewEvent {
    fn from(event: core::NewEvent) -> Self {
        Self {
            title: event.title,
            details: event.details,
            start: format_date_time(event.start),
            end: format_date_time(event.end),
            audience: event.audience.into(),
        }
    }
}

/// A published event.
#[derive(uniffi::Record, Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Its id.
    pub id: String,
    /// What was published.
    pub event: NewEvent,
    /// The account id of the admin who published it.
    pub author: String,
    /// When (ms since the Unix epoch).
    pub created_ms: i64,
}

impl From<core::Event> for Event {
    fn from(event: core::Event) -> Self {
        Self {
            id: event.id,
            event: event.event.into(),
            author: event.author.to_string(),
            created_ms: event.created_ms,
        }
    }
}

/// The audience of a note given by the caller: none for all physicians, or one physician's
/// account id.
pub(crate) fn note_audience(to: Option<&str>) -> Result<core::NoteAudience> {
    Ok(match to {
        None => core::NoteAudience::AllPhysicians,
        Some(physician) => core::NoteAudience::Physician(account_id(physician)?),
    })
}

/// A note from an admin to physicians.
#[derive(uniffi::Record, Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// Its id.
    pub id: String,
    /// The physician's account id it is for, or none for all physicians.
    pub to: Option<String>,
    /// The text.
    pub text: String,
    /// The account id of the admin who wrote it.
    pub author: String,
    /// When (ms since the Unix epoch).
    pub created_ms: i64,
}

impl From<core::Note> for Note {
    fn from(note: core::Note) -> Self {
        Self {
            id: note.id,
            to: match note.to {
                core::NoteAudience::AllPhysicians => None,
                core::NoteAudience::Physician(physician) => Some(physician.to_string()),
            },
            text: note.text,
            author: note.author.to_string(),
            created_ms: note.created_ms,
        }
    }
}

/// A patient on the dashboard.
#[derive(uniffi::Record, Clone, Debug, PartialEq, Eq)]
pub struct PatientRef {
    /// The patient's account id.
    pub account: String,
    /// Their name, if they have a profile.
    pub name: Option<String>,
}

/// One of the physicians who saw the most distinct patients.
#[derive(uniffi::Record, Clone, Debug, PartialEq, Eq)]
pub struct PhysicianPatients {
    /// The physician's account id.
    pub physician: String,
    /// Their username.
    pub username: String,
    /// Their name.
    pub name: String,
    /// The distinct patients, by account id.
    pub patients: Vec<PatientRef>,
}

/// The distinct patients of one day.
#[derive(uniffi::Record, Clone, Debug, PartialEq, Eq)]
pub struct DailyCount {
    /// The day, `2026-12-02`.
    pub day: String,
    /// How many distinct patients had an appointment.
    pub patients: u64,
}

/// The admin dashboard over `from` to `to`. Counted are appointments that hold their slot
/// (booked, arrived, checked in or fulfilled), by the day they start.
#[derive(uniffi::Record, Clone, Debug, PartialEq, Eq)]
pub struct Dashboard {
    /// The first day.
    pub from: String,
    /// The last day.
    pub to: String,
    /// The five physicians with the most distinct patients, most first (ties by username).
    pub top_physicians: Vec<PhysicianPatients>,
    /// Every day of the range, in order.
    pub daily: Vec<DailyCount>,
}

impl From<core::Dashboard> for Dashboard {
    fn from(dashboard: core::Dashboard) -> Self {
        Self {
            from: format_date(dashboard.from),
            to: format_date(dashboard.to),
            top_physicians: dashboard
                .top_physicians
                .into_iter()
                .map(|top| PhysicianPatients {
                    physician: top.physician.to_string(),
                    username: top.username,
                    name: top.name,
                    patients: top
                        .patients
                        .into_iter()
                        .map(|patient| PatientRef {
                            account: patient.account.to_string(),
                            name: patient.name,
                        })
                        .collect(),
                })
                .collect(),
            daily: dashboard
                .daily
                .into_iter()
                .map(|count| DailyCount {
                    day: format_date(count.day),
                    patients: u64::try_from(count.patients).unwrap_or(u64::MAX),
                })
                .collect(),
        }
    }
}

/// The dates of a range given by the caller.
pub(crate) fn date_range(from: &str, to: &str) -> Result<(chrono::NaiveDate, chrono::NaiveDate)> {
    Ok((parse_date("from", from)?, parse_date("to", to)?))
}
