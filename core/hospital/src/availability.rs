//! Availability search: the free slots of physicians, by username, specialty and dates.

use std::collections::HashSet;

use chrono::{NaiveDate, NaiveDateTime};
use medvault_identity::{AccountId, SessionToken};
use serde::{Deserialize, Serialize};

use super::Hospital;
use super::appointment::Appointment;
use super::profile::Physician;
use super::schedule::{MAX_SEARCH_DAYS, days};
use crate::error::Result;
use crate::operation::HospitalOperation;

/// What to search for: free slots from `from` to `to` (both days included, at most
/// [`MAX_SEARCH_DAYS`]), of one physician and/or one specialty, or of everyone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotQuery {
    /// A physician's username.
    pub physician: Option<String>,
    /// A specialty (compared trimmed and lowercase).
    pub specialty: Option<String>,
    /// The first day.
    pub from: NaiveDate,
    /// The last day.
    pub to: NaiveDate,
}

/// A free slot (FHIR `Slot` with status `free`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    /// The physician.
    pub physician: AccountId,
    /// Their username.
    pub username: String,
    /// Their name.
    pub name: String,
    /// Their specialty.
    pub specialty: String,
    /// Start, local time.
    pub start: NaiveDateTime,
    /// End, local time.
    pub end: NaiveDateTime,
}

impl Hospital {
    /// The free slots matching `query`, by start then username; slots already begun are
    /// left out. For any account; searches name no patient and are not audited.
    pub async fn free_slots(&self, session: &SessionToken, query: &SlotQuery) -> Result<Vec<Slot>> {
        self.identity
            .permit(session, HospitalOperation::SearchAvailability)
            .await?;
        let days = days(query.from, query.to, MAX_SEARCH_DAYS)?;
        let now = self.now();
        let mut slots = Vec::new();
        for physician in
            self.active_physicians(query.physician.as_deref(), query.specialty.as_deref())?
        {
            for day in &days {
                slots.extend(
                    self.free_slots_of(&physician, *day)?
                        .into_iter()
                        .filter(|slot| slot.start > now),
                );
            }
        }
        slots.sort_by(|a, b| (a.start, &a.username).cmp(&(b.start, &b.username)));
        Ok(slots)
    }

    fn free_slots_of(&self, physician: &Physician, day: NaiveDate) -> Result<Vec<Slot>> {
        let schedule = &physician.profile.schedule;
        let starts = schedule.slot_starts(day);
        if starts.is_empty() {
            return Ok(Vec::new());
        }
        let taken: HashSet<NaiveDateTime> = self
            .appointments_on(physician.account, day)?
            .into_iter()
            .filter(|appointment| appointment.status.holds_slot())
            .map(|appointment| appointment.start)
            .collect();
        Ok(starts
            .into_iter()
            .filter(|start| !taken.contains(start))
            .map(|start| Slot {
                physician: physician.account,
                username: physician.username.clone(),
                name: physician.profile.name.text(),
                specialty: physician.profile.specialty.clone(),
                start,
                end: start + schedule.slot_length(),
            })
            .collect())
    }

    /// `physician`'s appointments on `day`, in any status.
    pub(crate) fn appointments_on(
        &self,
        physician: AccountId,
        day: NaiveDate,
    ) -> Result<Vec<Appointment>> {
        Ok(self
            .appointments()
            .find("physician-day", &format!("{physician}/{day}"))?)
    }
}
