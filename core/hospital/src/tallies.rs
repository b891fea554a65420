//! The dashboard's figures, kept up to date as appointments change: for each day, how many of
//! their appointments that hold their slot each patient has with each physician.
//!
//! A write that changes an appointment in a way that counts (booking, cancelling, recording
//! attendance) commits, in the appointment's own batch, this instance's tally of each day it
//! touches ([`DayTally`]): the tally is read and rewritten under the update lock, so that
//! concurrent writes on one instance never lose a change. Every instance writes only tallies
//! of its own, under its id ([`medvault_identity::Identity::instance_id`]), and the dashboard
//! sums the tallies of a day: of two revisions of one document written by two instances only
//! the higher survives, so a document shared by instances would lose changes; one per
//! instance cannot.
//!
//! Appointments written before tallies existed are in no tally. A day counts as *settled*
//! once one of its tallies says so: the first dashboard over a day that none settles counts
//! the day's appointments, holding the day among every instance and under the update lock,
//! and writes the difference from the other tallies into its own, marked settled. From then
//! on the day's figures are the sum of its tallies.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use chrono::NaiveDate;
use medvault::vault::{
    Collection, Document, DocumentRevision, InstanceLock, UpdateGuard, VaultError,
};
use medvault_identity::AccountId;
use serde::de::{Unexpected, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Hospital;
use super::appointment::Appointment;
use crate::error::Result;

/// The section, and the topic among instances, under which days are settled.
const SETTLING: &str = "hospital/daily-patients";

/// Days settled per batch, and per hold of the update lock.
const SETTLE_DAYS_PER_BATCH: usize = 31;

/// How many times a day is counted when a sync changes its tallies during the count.
const SETTLE_ATTEMPTS: usize = 3;

/// An account id written as its 32 hex digits.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Account(AccountId);

impl Serialize for Account {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Account {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(AccountVisitor)
    }
}

/// Reads an [`Account`] from the text in place, without copying it: a dashboard reads one
/// per patient and physician of each day.
struct AccountVisitor;

impl Visitor<'_> for AccountVisitor {
    type Value = Account;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an account id (32 hex digits)")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Account, E> {
        text.parse()
            .map(Account)
            .map_err(|_| E::invalid_value(Unexpected::Other("text"), &self))
    }
}

/// Appointments that hold their slot, counted: (physician, patient, count), sorted, without
/// a count of 0. One writer's counts may be negative (it released appointments another
/// writer booked); summed over the writers, a positive count is a patient who came.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "StoredCounts", try_from = "StoredCounts")]
pub(crate) struct Counts(Vec<(AccountId, AccountId, i64)>);

/// What a tally whose counts go beyond the range of a count is: only a damaged or forged one
/// can be.
const OUT_OF_RANGE: &str = "a count is out of range";

impl Counts {
    /// Adds `n` to the count of `patient` with `physician`; a count of 0 is dropped. Fails,
    /// changing nothing, when the count would go out of range.
    fn add(
        &mut self,
        physician: AccountId,
        patient: AccountId,
        n: i64,
    ) -> std::result::Result<(), &'static str> {
        if n == 0 {
            return Ok(());
        }
        let key = (physician, patient);
        // Stored counts are read in order: most go last.
        let found = match self.0.last() {
            Some(last) if (last.0, last.1) >= key => self
                .0
                .binary_search_by_key(&key, |(physician, patient, _)| (*physician, *patient)),
            _ => Err(self.0.len()),
        };
        match found {
            Ok(at) => {
                if let Some((_, _, count)) = self.0.get_mut(at) {
                    *count = count.checked_add(n).ok_or(OUT_OF_RANGE)?;
                    if *count == 0 {
                        self.0.remove(at);
                    }
                }
            }
            Err(at) => self.0.insert(at, (physician, patient, n)),
        }
        Ok(())
    }

    /// Adds every count of `other`, times `sign` (1 or -1).
    fn add_all(&mut self, other: &Counts, sign: i64) -> Result<()> {
        for (physician, patient, n) in &other.0 {
            n.checked_mul(sign)
                .ok_or(OUT_OF_RANGE)
                .and_then(|n| self.add(*physician, *patient, n))
                .map_err(|reason| VaultError::malformed("daily tally", reason))?;
        }
        Ok(())
    }

    /// The appointments of `appointments` that hold their slot, counted.
    fn of(appointments: &[Appointment]) -> Self {
        let mut counts = Self::default();
        for appointment in appointments {
            counts.count(appointment, 1);
        }
        counts
    }

    /// Adds `sign` (1 or -1) for `appointment` if it holds its slot. Counts of appointments
    /// made here stay far inside the range of a count, so that this never fails.
    fn count(&mut self, appointment: &Appointment, sign: i64) {
        if appointment.status.holds_slot() {
            let _ = self.add(appointment.physician, appointment.patient, sign);
        }
    }

    /// Each physician with a patient whose count is positive, with those patients.
    pub(crate) fn held(&self) -> impl Iterator<Item = (AccountId, Vec<AccountId>)> + '_ {
        self.0
            .chunk_by(|a, b| a.0 == b.0)
            .filter_map(|same_physician| {
                let (physician, _, _) = same_physician.first()?;
                let held: Vec<AccountId> = same_physician
                    .iter()
                    .filter(|(_, _, n)| *n > 0)
                    .map(|(_, patient, _)| *patient)
                    .collect();
                (!held.is_empty()).then_some((*physician, held))
            })
    }
}

/// [`Counts`] as stored: each physician and patient once, and the counts as (physician's
/// index, patient's index, count), so that a day's tally spells each account once.
#[derive(Serialize, Deserialize)]
struct StoredCounts {
    physicians: Vec<Account>,
    patients: Vec<Account>,
    entries: Vec<(usize, usize, i64)>,
}

impl From<Counts> for StoredCounts {
    fn from(counts: Counts) -> Self {
        let mut stored = Self {
            physicians: Vec::new(),
            patients: Vec::new(),
            entries: Vec::with_capacity(counts.0.len()),
        };
        let mut patients = HashMap::new();
        for (physician, patient, n) in counts.0 {
            if stored.physicians.last() != Some(&Account(physician)) {
                stored.physicians.push(Account(physician));
            }
            let patient_at = *patients.entry(patient).or_insert_with(|| {
                stored.patients.push(Account(patient));
                stored.patients.len() - 1
            });
            let physician_at = stored.physicians.len() - 1;
            stored.entries.push((physician_at, patient_at, n));
        }
        stored
    }
}

impl TryFrom<StoredCounts> for Counts {
    type Error = &'static str;

    fn try_from(stored: StoredCounts) -> Result<Self, Self::Error> {
        let mut counts = Self(Vec::with_capacity(stored.entries.len()));
        for (physician, patient, n) in stored.entries {
            match (
                stored.physicians.get(physician),
                stored.patients.get(patient),
            ) {
                (Some(physician), Some(patient)) => counts.add(physician.0, patient.0, n)?,
                _ => return Err("a count names an account the tally does not list"),
            }
        }
        Ok(counts)
    }
}

/// One writer's counts of one day.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DayTally {
    /// The day the appointments start on.
    day: NaiveDate,
    /// The instance that writes this tally ([`medvault_identity::Identity::instance_id`]).
    writer: String,
    /// Whether the day's appointments from before tallies existed are counted (in this
    /// tally or another writer's).
    settled: bool,
    /// What this writer's changes (and, once settled, the count) came to.
    counts: Counts,
}

impl Document for DayTally {
    const COLLECTION: &'static str = "daily-patients";

    fn id(&self) -> String {
        format!("{}/{}", self.day, self.writer)
    }

    fn indexed_fields(&self) -> Vec<(&'static str, String)> {
        vec![("day", self.day.to_string())]
    }
}

/// The counts of a day: the sum of its `tallies`.
pub(crate) fn sum(tallies: Vec<DayTally>) -> Result<Counts> {
    let mut tallies = tallies.into_iter();
    let mut sum = tallies.next().map(|first| first.counts).unwrap_or_default();
    for tally in tallies {
        sum.add_all(&tally.counts, 1)?;
    }
    Ok(sum)
}

/// Whether one of a day's tallies settles it.
fn settled(tallies: &[DayTally]) -> bool {
    tallies.iter().any(|tally| tally.settled)
}

impl Hospital {
    /// This instance's tallies of the days `changes` touch, with the changes: each change is
    /// an appointment as stored (`None` for a new one) and as it will be. Commit them in the
    /// batch of the changes, holding the update lock from this read to the commit.
    pub(crate) fn tally_revisions(
        &self,
        _held: &UpdateGuard<'_>,
        changes: &[(Option<&Appointment>, &Appointment)],
    ) -> Result<Vec<DocumentRevision>> {
        let mut by_day: BTreeMap<NaiveDate, Counts> = BTreeMap::new();
        for (before, after) in changes {
            if let Some(before) = before {
                by_day.entry(before.day()).or_default().count(before, -1);
            }
            by_day.entry(after.day()).or_default().count(after, 1);
        }
        by_day
            .into_iter()
            .filter(|(_, change)| *change != Counts::default())
            .map(|(day, change)| {
                let mut own = self.own_tally(day)?;
                own.counts.add_all(&change, 1)?;
                Ok(self.tallies().next_revision_of(&own)?)
            })
            .collect()
    }

    /// The counts of each of `days`, summed over every writer's tallies; days that no tally
    /// settles are settled first.
    pub(crate) async fn day_counts(&self, days: &[NaiveDate]) -> Result<Vec<Counts>> {
        let mut tallies = self.tallies_of_days(days)?;
        let unsettled: Vec<NaiveDate> = days
            .iter()
            .zip(&tallies)
            .filter(|(_, tallies)| !settled(tallies))
            .map(|(day, _)| *day)
            .collect();
        if !unsettled.is_empty() {
            self.settle(&unsettled).await?;
            tallies = self.tallies_of_days(days)?;
        }
        tallies.into_iter().map(sum).collect()
    }

    /// Settles `days`: on this instance one dashboard at a time, among instances one at a
    /// time, each batch of days under the update lock.
    async fn settle(&self, days: &[NaiveDate]) -> Result<()> {
        let _settling = self.vault().lock_section(SETTLING).await;
        self.vault()
            .holding(SETTLING, async |held| self.settle_held(held, days).await)
            .await
    }

    async fn settle_held(&self, held: &InstanceLock, days: &[NaiveDate]) -> Result<()> {
        for chunk in days.chunks(SETTLE_DAYS_PER_BATCH) {
            let guard = self.vault().lock_updates().await;
            let mut revisions = Vec::new();
            for day in chunk {
                revisions.extend(self.settled_tally(&guard, *day)?);
            }
            held.check_in_time()?;
            self.identity.commit(revisions, Vec::new()).await?;
        }
        Ok(())
    }

    /// This instance's tally of `day`, settled: the day's appointments counted, less the
    /// other writers' tallies. `None` if a tally settles the day already.
    fn settled_tally(
        &self,
        _held: &UpdateGuard<'_>,
        day: NaiveDate,
    ) -> Result<Option<DocumentRevision>> {
        for _ in 0..SETTLE_ATTEMPTS {
            let tallies = self.tallies_of(day)?;
            if settled(&tallies) {
                return Ok(None);
            }
            let counted = Counts::of(&self.appointments().find("day", &day.to_string())?);
            // A sync may apply another instance's change of the day (its appointment and its
            // tally) while the day is counted: count again.
            if self.tallies_of(day)? != tallies {
                continue;
            }
            let mut own = self.own_tally(day)?;
            own.settled = true;
            own.counts = counted;
            for other in tallies.iter().filter(|tally| tally.writer != own.writer) {
                own.counts.add_all(&other.counts, -1)?;
            }
            return Ok(Some(self.tallies().next_revision_of(&own)?));
        }
        Err(VaultError::Busy.into())
    }

    /// This instance's tally of `day`, as stored or new.
    fn own_tally(&self, day: NaiveDate) -> Result<DayTally> {
        let new = DayTally {
            day,
            writer: self.identity.instance_id()?.to_owned(),
            settled: false,
            counts: Counts::default(),
        };
        Ok(self.tallies().get(&new.id())?.unwrap_or(new))
    }

    fn tallies_of_days(&self, days: &[NaiveDate]) -> Result<Vec<Vec<DayTally>>> {
        days.iter().map(|day| self.tallies_of(*day)).collect()
    }

    /// Every writer's tally of `day`.
    fn tallies_of(&self, day: NaiveDate) -> Result<Vec<DayTally>> {
        Ok(self.tallies().find("day", &day.to_string())?)
    }

    fn tallies(&self) -> Collection<'_, DayTally> {
        self.vault().collection()
    }
}

#[cfg(test)]
mod tests {
    use medvault_identity::IdentityError;

    use super::*;

    /// A tally of one physician and one patient, as stored, with these entries.
    fn tally(entries: &str) -> String {
        format!(
            r#"{{"day":"2026-01-01","writer":"w","settled":false,"counts":{{"physicians":["{}"],"patients":["{}"],"entries":{entries}}}}}"#,
            AccountId::from_bytes([1; 16]),
            AccountId::from_bytes([2; 16]),
        )
    }

    fn out_of_range<T>(result: Result<T>) -> bool {
        matches!(
            result,
            Err(crate::HospitalError::Identity(IdentityError::Vault(
                VaultError::Malformed { .. }
            )))
        )
    }

    /// Found by fuzzing (`fuzz/fuzz_targets/hospital_documents.rs`): counts beyond the range
    /// of an `i64` in stored tallies overflowed (a panic with overflow checks, a wrong count
    /// without), when a tally was read and when the dashboard summed a day's tallies.
    #[test]
    fn counts_out_of_range_are_refused() {
        let overflowing = tally("[[0,0,9223372036854775807],[0,0,1]]");
        assert!(serde_json::from_str::<DayTally>(&overflowing).is_err());

        let max: DayTally =
            serde_json::from_str(&tally("[[0,0,9223372036854775807]]")).expect("in range");
        assert!(out_of_range(sum(vec![max.clone(), max.clone()])));
        assert!(sum(vec![max.clone()]).is_ok());

        let min: DayTally =
            serde_json::from_str(&tally("[[0,0,-9223372036854775808]]")).expect("in range");
        let mut own = Counts::default();
        assert!(out_of_range(own.add_all(&min.counts, -1)));
        assert!(own == Counts::default(), "nothing changes");
    }
}
