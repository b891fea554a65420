//! The staff board: events that admins publish to everyone or to named accounts, and notes
//! to all physicians or to one.

use chrono::{NaiveDate, NaiveDateTime};
use medvault::vault::{Collection, Document};
use medvault_identity::{AccountId, Principal, Role, SessionToken};
use serde::{Deserialize, Serialize};

use super::profile::invalid;
use super::{Hospital, new_id};
use crate::error::{HospitalError, Result};
use crate::operation::HospitalOperation;

/// Who sees an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Audience {
    /// Every account.
    Everyone,
    /// Only these accounts (and admins).
    Accounts(Vec<AccountId>),
}

/// An event to publish.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEvent {
    /// Title.
    pub title: String,
    /// Details.
    pub details: String,
    /// Start, local time.
    pub start: NaiveDateTime,
    /// End, local time.
    pub end: NaiveDateTime,
    /// Who sees it.
    pub audience: Audience,
}

debug_without_patient_data!(NewEvent { audience });

/// A published event.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Random id.
    pub id: String,
    /// What was published.
    pub event: NewEvent,
    /// The admin who published it.
    pub author: AccountId,
    /// When (ms since the Unix epoch).
    pub created_ms: i64,
}

debug_without_patient_data!(Event {
    id,
    author,
    created_ms
});

/// Who a note is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NoteAudience {
    /// Every physician.
    AllPhysicians,
    /// One physician.
    Physician(AccountId),
}

/// A note from an admin to physicians.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// Random id.
    pub id: String,
    /// Who it is for.
    pub to: NoteAudience,
    /// The text.
    pub text: String,
    /// The admin who wrote it.
    pub author: AccountId,
    /// When (ms since the Unix epoch).
    pub created_ms: i64,
}

debug_without_patient_data!(Note {
    id,
    to,
    author,
    created_ms
});

impl Document for Event {
    const COLLECTION: &'static str = "events";

    fn id(&self) -> String {
        self.id.clone()
    }

    fn indexed_fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = vec![("all", "events".to_owned())];
        match &self.event.audience {
            Audience::Everyone => fields.push(("audience", "everyone".to_owned())),
            Audience::Accounts(accounts) => fields.extend(
                accounts
                    .iter()
                    .map(|account| ("audience", account.to_string())),
            ),
        }
        fields
    }
}

impl Document for Note {
    const COLLECTION: &'static str = "notes";

    fn id(&self) -> String {
        self.id.clone()
    }

    fn indexed_fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("all", "notes".to_owned()),
            ("to", note_audience_key(self.to)),
        ]
    }
}

fn note_audience_key(to: NoteAudience) -> String {
    match to {
        NoteAudience::AllPhysicians => "physicians".to_owned(),
        NoteAudience::Physician(account) => account.to_string(),
    }
}

impl Hospital {
    /// Publishes an event, for an admin; audited.
    pub async fn publish_event(&self, session: &SessionToken, event: &NewEvent) -> Result<Event> {
        let (who, audit) = self
            .permit_change(session, HospitalOperation::ManageEvents)
            .await?;
        check_text("title", &event.title, 200)?;
        check_text_optional("details", &event.details, 5_000)?;
        if event.start >= event.end {
            return Err(invalid("event", "it must start before it ends"));
        }
        if let Audience::Accounts(accounts) = &event.audience {
            if accounts.is_empty() {
                return Err(invalid("audience", "name at least one account"));
            }
            for account in accounts {
                self.identity.operator_account_by_id(*account)?;
            }
        }
        let stored = Event {
            id: new_id()?,
            event: event.clone(),
            author: who.account,
            created_ms: self.identity.now(),
        };
        let revision = self.event_documents().revision_of(&stored, 1)?;
        self.identity.commit(vec![revision], vec![audit]).await?;
        Ok(stored)
    }

    /// Withdraws an event, for an admin; audited.
    pub async fn withdraw_event(&self, session: &SessionToken, event: &str) -> Result<()> {
        let (_, audit) = self
            .permit_change(session, HospitalOperation::ManageEvents)
            .await?;
        let _guard = self.vault().lock_updates().await;
        let deletion = self
            .event_documents()
            .next_deletion(event)?
            .ok_or(HospitalError::NotFound { what: "event" })?;
        Ok(self.identity.commit(vec![deletion], vec![audit]).await?)
    }

    /// The events overlapping `from` to `to` (days included) that the caller sees: public
    /// ones and those naming them (admins see all), by start.
    pub async fn events(
        &self,
        session: &SessionToken,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Event>> {
        let who = self
            .identity
            .permit(session, HospitalOperation::ReadBoard)
            .await?;
        let mut found = if who.role == Role::Admin {
            self.event_documents().find("all", "events")?
        } else {
            let mut found = self.event_documents().find("audience", "everyone")?;
            found.extend(
                self.event_documents()
                    .find("audience", &who.account.to_string())?,
            );
            found
        };
        found.retain(|event| event.event.start.date() <= to && event.event.end.date() >= from);
        found.sort_by(|a, b| (a.event.start, &a.id).cmp(&(b.event.start, &b.id)));
        Ok(found)
    }

    /// Writes a note to all physicians or to one, for an admin; audited.
    pub async fn write_note(
        &self,
        session: &SessionToken,
        to: NoteAudience,
        text: &str,
    ) -> Result<Note> {
        let (who, audit) = self
            .permit_change(session, HospitalOperation::ManageNotes)
            .await?;
        check_text("note", text, 5_000)?;
        if let NoteAudience::Physician(physician) = to {
            self.active_physician(physician)?;
        }
        let note = Note {
            id: new_id()?,
            to,
            text: text.trim().to_owned(),
            author: who.account,
            created_ms: self.identity.now(),
        };
        let revision = self.note_documents().revision_of(&note, 1)?;
        self.identity.commit(vec![revision], vec![audit]).await?;
        Ok(note)
    }

    /// The notes the caller may read, newest first: a physician's own and those to all
    /// physicians; every note for an admin; none for a patient.
    pub async fn notes(&self, session: &SessionToken) -> Result<Vec<Note>> {
        let who = self
            .identity
            .permit(session, HospitalOperation::ReadBoard)
            .await?;
        let mut found = self.notes_for(&who)?;
        found.sort_by(|a, b| (b.created_ms, &b.id).cmp(&(a.created_ms, &a.id)));
        Ok(found)
    }

    fn notes_for(&self, who: &Principal) -> Result<Vec<Note>> {
        Ok(match who.role {
            Role::Admin => self.note_documents().find("all", "notes")?,
            Role::Physician => {
                let mut found = self
                    .note_documents()
                    .find("to", &note_audience_key(NoteAudience::AllPhysicians))?;
                found.extend(self.note_documents().find(
                    "to",
                    &note_audience_key(NoteAudience::Physician(who.account)),
                )?);
                found
            }
            Role::Patient => Vec::new(),
        })
    }

    fn event_documents(&self) -> Collection<'_, Event> {
        self.vault().collection()
    }

    fn note_documents(&self) -> Collection<'_, Note> {
        self.vault().collection()
    }
}

fn check_text(what: &'static str, text: &str, max: usize) -> Result<()> {
    if text.trim().is_empty() {
        return Err(invalid(what, "it is empty"));
    }
    check_text_optional(what, text, max)
}

fn check_text_optional(what: &'static str, text: &str, max: usize) -> Result<()> {
    if text.chars().count() > max {
        return Err(invalid(what, format!("it is longer than {max} characters")));
    }
    Ok(())
}
