//! Entry points for the fuzz targets in `fuzz/`, with the `fuzzing` feature (off by default):
//! the hospital's documents as the vault stores them, decoded as the hospital reads them.
//! Thin wrappers over the hospital's own types; not a stable API.

use medvault::fuzzing::decode_document;
use medvault_identity::AccountId;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::appointment::Appointment;
use crate::board::{Event, Note};
use crate::error::Result;
use crate::profile::{PatientFile, Physician};
use crate::tallies::{self, DayTally};

/// A document of the hospital.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoredDocument {
    /// A patient's profile (`patient-profiles`).
    PatientFile,
    /// A physician (`physicians`).
    Physician,
    /// An appointment (`appointments`).
    Appointment,
    /// An event (`events`).
    Event,
    /// A note (`notes`).
    Note,
    /// One writer's tally of a day (`daily-patients`).
    DayTally,
}

impl StoredDocument {
    /// Every kind of document.
    pub const ALL: [Self; 6] = [
        Self::PatientFile,
        Self::Physician,
        Self::Appointment,
        Self::Event,
        Self::Note,
        Self::DayTally,
    ];

    /// Decodes `body` as a document of this kind, as the hospital reads it, and encodes what
    /// it holds again.
    pub fn reencode(self, body: &[u8]) -> Result<Vec<u8>> {
        match self {
            Self::PatientFile => reencode::<PatientFile>(body),
            Self::Physician => reencode::<Physician>(body),
            Self::Appointment => reencode::<Appointment>(body),
            Self::Event => reencode::<Event>(body),
            Self::Note => reencode::<Note>(body),
            Self::DayTally => reencode::<DayTally>(body),
        }
    }
}

/// The day's counts the dashboard reads from the stored tallies `bodies`: each physician with
/// the patients whose count is positive.
pub fn day_counts(bodies: &[&[u8]]) -> Result<Vec<(AccountId, Vec<AccountId>)>> {
    let tallies = bodies
        .iter()
        .map(|body| decode_document::<DayTally>(body))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(tallies::sum(tallies)?.held().collect())
}

fn reencode<T: Serialize + DeserializeOwned>(body: &[u8]) -> Result<Vec<u8>> {
    let document: T = decode_document(body)?;
    serde_json::to_vec(&document)
        .map_err(|error| crate::profile::invalid("document", error.to_string()))
}
