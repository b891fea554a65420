//! Medical history: encounter notes, observations and documents that physicians write into a
//! patient's scope, and the timeline the patient reads. Amendments keep every version
//! ([`medvault_identity::Identity::amend_record`], [`medvault_identity::Identity::record_history`]).

use chrono::NaiveDateTime;
use medvault::vault::RecordMeta;
use medvault_identity::{AccountId, SessionToken};
use serde::{Deserialize, Serialize};

use super::Hospital;
use super::profile::invalid;
use crate::error::Result;

/// The record kind of encounter notes (FHIR `Encounter`).
pub const ENCOUNTER_KIND: &str = "Encounter";
/// The record kind of observations (FHIR `Observation`).
pub const OBSERVATION_KIND: &str = "Observation";
/// The record kind of documents (FHIR `DocumentReference`).
pub const DOCUMENT_KIND: &str = "DocumentReference";

/// A measured value (FHIR `Observation` with a `valueQuantity`), stored as JSON.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// The code of what was measured, such as LOINC `8867-4` (heart rate).
    pub code: String,
    /// What was measured, in words.
    pub display: String,
    /// The value.
    pub value: f64,
    /// Its unit (UCUM), such as `/min`.
    pub unit: String,
    /// When it was measured (`effectiveDateTime`).
    pub effective: NaiveDateTime,
}

debug_without_patient_data!(Observation {});

impl Hospital {
    /// Writes an encounter note (plain text) into `patient`'s history, for a physician.
    pub async fn write_encounter_note(
        &self,
        session: &SessionToken,
        patient: AccountId,
        text: &str,
    ) -> Result<RecordMeta> {
        if text.trim().is_empty() {
            return Err(invalid("note", "it is empty"));
        }
        Ok(self
            .identity
            .write_record(
                session,
                patient,
                ENCOUNTER_KIND,
                "text/plain; charset=utf-8",
                text.as_bytes(),
            )
            .await?)
    }

    /// Writes an observation into `patient`'s history, for a physician.
    pub async fn write_observation(
        &self,
        session: &SessionToken,
        patient: AccountId,
        observation: &Observation,
    ) -> Result<RecordMeta> {
        if observation.code.trim().is_empty() || !observation.value.is_finite() {
            return Err(invalid("observation", "it needs a code and a finite value"));
        }
        let body = serde_json::to_vec(observation)
            .map_err(|_| invalid("observation", "it cannot be written as JSON"))?;
        Ok(self
            .identity
            .write_record(
                session,
                patient,
                OBSERVATION_KIND,
                "application/json",
                &body,
            )
            .await?)
    }

    /// Uploads a document (any bytes: a PDF, an image…) titled `title` into `patient`'s
    /// history, for a physician. The title is kept sealed among the record's labels.
    pub async fn upload_document(
        &self,
        session: &SessionToken,
        patient: AccountId,
        title: &str,
        content_type: &str,
        content: &[u8],
    ) -> Result<RecordMeta> {
        if title.trim().is_empty() || title.chars().count() > 200 {
            return Err(invalid("title", "it must be 1 to 200 characters"));
        }
        Ok(self
            .identity
            .write_labelled_record(
                session,
                patient,
                DOCUMENT_KIND,
                content_type,
                &[("title", title.trim())],
                content,
            )
            .await?)
    }

    /// `patient`'s history: the latest version of every note, observation and document,
    /// oldest first by the time of that version (an amendment moves its entry to its own
    /// time), for the patient, a physician or an admin under break-glass; audited.
    pub async fn timeline(
        &self,
        session: &SessionToken,
        patient: AccountId,
    ) -> Result<Vec<RecordMeta>> {
        let mut entries = self.identity.list_records(session, patient).await?;
        entries.sort_by_key(|entry| (entry.created_ms, entry.id));
        Ok(entries)
    }
}
