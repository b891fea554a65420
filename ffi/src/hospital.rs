//! The hospital through a session: patient profiles, physicians and their schedules,
//! availability and appointments, medical history, the staff board and the dashboard. Every
//! call is checked by the access policy in the engine (most are audited) and blocks until it
//! answers, like the other calls of a [`Session`]. Account ids are 32 hex digits; dates and
//! times are ISO 8601 strings (`2026-12-02`, `09:30`, `2026-12-02T09:30`).

use crate::error::Result;
use crate::hospital_board::{Dashboard, Event, NewEvent, Note, date_range, note_audience};
use crate::hospital_care::{Appointment, AppointmentStatus, Observation, Slot, SlotQuery};
use crate::hospital_import::{ImportKind, ImportResult};
use crate::hospital_people::{PatientProfile, Physician, PhysicianProfile, Schedule, converted};
use crate::identity::{Identity, Session, account_id};
use crate::iso::parse_date_time;
use crate::records::{Record, RecordMeta, metas, record_id};

#[uniffi::export]
impl Identity {
    /// Registers a patient with their profile (patients register themselves): the account
    /// and its profile are stored together. Returns the account id; the TOTP factor is
    /// enrolled next.
    pub fn register_patient_with_profile(
        &self,
        username: String,
        password: String,
        profile: PatientProfile,
    ) -> Result<String> {
        let profile = profile.try_into()?;
        Ok(self
            .hospital
            .register_patient(&username, &password, &profile)?
            .to_string())
    }
}

#[uniffi::export]
impl Session {
    // ----- patients -----

    /// Registers a patient with their profile, as an admin (a front desk); returns the
    /// account id.
    pub fn register_patient(
        &self,
        username: String,
        password: String,
        profile: PatientProfile,
    ) -> Result<String> {
        let profile = profile.try_into()?;
        Ok(self
            .hospital
            .admin_register_patient(&self.token, &username, &password, &profile)?
            .to_string())
    }

    /// `patient`'s profile, for the patient, a physician or an admin; audited.
    pub fn patient_profile(&self, patient: String) -> Result<PatientProfile> {
        Ok(self
            .hospital
            .patient_profile(&self.token, account_id(&patient)?)?
            .into())
    }

    /// Replaces `patient`'s profile, for the patient or an admin; audited.
    pub fn update_patient_profile(&self, patient: String, profile: PatientProfile) -> Result<()> {
        let patient = account_id(&patient)?;
        let profile = profile.try_into()?;
        Ok(self
            .hospital
            .update_patient_profile(&self.token, patient, &profile)?)
    }

    // ----- physicians -----

    /// Adds a physician account with its practice, as an admin; returns the account id.
    pub fn add_physician(
        &self,
        username: String,
        password: String,
        profile: PhysicianProfile,
    ) -> Result<String> {
        let profile = profile.try_into()?;
        Ok(self
            .hospital
            .add_physician(&self.token, &username, &password, &profile)?
            .to_string())
    }

    /// Removes a physician, as an admin: the account goes (its sessions end); the profile
    /// stays, inactive, and what they wrote stays attributed to them.
    pub fn remove_physician(&self, physician: String) -> Result<()> {
        Ok(self
            .hospital
            .remove_physician(&self.token, account_id(&physician)?)?)
    }

    /// Replaces a physician's weekly hours, leave and slot length, for the physician or an
    /// admin; appointments already booked stay.
    pub fn set_schedule(&self, physician: String, schedule: Schedule) -> Result<()> {
        let physician = account_id(&physician)?;
        let schedule = schedule.try_into()?;
        Ok(self
            .hospital
            .set_schedule(&self.token, physician, &schedule)?)
    }

    /// A physician (by account id), active or not; for any account.
    pub fn physician(&self, id: String) -> Result<Physician> {
        Ok(self
            .hospital
            .physician(&self.token, account_id(&id)?)?
            .into())
    }

    /// The active physicians, of `specialty` if given, by username; for any account.
    pub fn physicians(&self, specialty: Option<String>) -> Result<Vec<Physician>> {
        Ok(converted(
            self.hospital
                .physicians(&self.token, specialty.as_deref())?,
        ))
    }

    // ----- availability and appointments -----

    /// The free slots matching `query`, by start then username; slots already begun are
    /// left out. For any account.
    pub fn free_slots(&self, query: SlotQuery) -> Result<Vec<Slot>> {
        let query = query.try_into()?;
        Ok(converted(self.hospital.free_slots(&self.token, &query)?))
    }

    /// Books `physician`'s slot starting at `start` (`2026-12-02T09:30`) for `patient`, as the
    /// patient or an admin. Throws `SlotUnavailable` if the physician offers no slot then or
    /// someone holds it.
    pub fn book(&self, patient: String, physician: String, start: String) -> Result<Appointment> {
        let patient = account_id(&patient)?;
        let physician = account_id(&physician)?;
        let start = parse_date_time("start", &start)?;
        Ok(self
            .hospital
            .book(&self.token, patient, physician, start)?
            .into())
    }

    /// Cancels an appointment (by id) for a stated `reason`, as its patient, its physician or
    /// an admin; the slot is free again.
    pub fn cancel(&self, appointment: String, reason: String) -> Result<Appointment> {
        Ok(self
            .hospital
            .cancel(&self.token, &appointment, &reason)?
            .into())
    }

    /// Records what became of a booked appointment — `ARRIVED`, `CHECKED_IN`, `FULFILLED`,
    /// `NOSHOW` or `ENTERED_IN_ERROR` — as its physician or an admin.
    pub fn record_attendance(
        &self,
        appointment: String,
        status: AppointmentStatus,
    ) -> Result<Appointment> {
        Ok(self
            .hospital
            .record_attendance(&self.token, &appointment, status.into())?
            .into())
    }

    /// `patient`'s appointments by start, for the patient or an admin; audited.
    pub fn patient_appointments(&self, patient: String) -> Result<Vec<Appointment>> {
        Ok(converted(self.hospital.patient_appointments(
            &self.token,
            account_id(&patient)?,
        )?))
    }

    /// `physician`'s appointments by start, for the physician or an admin; audited.
    pub fn physician_appointments(&self, physician: String) -> Result<Vec<Appointment>> {
        Ok(converted(self.hospital.physician_appointments(
            &self.token,
            account_id(&physician)?,
        )?))
    }

    // ----- medical history -----

    /// Writes an encounter note (plain text, record kind `Encounter`) into `patient`'s
    /// history, as a physician.
    pub fn write_encounter_note(&self, patient: String, text: String) -> Result<RecordMeta> {
        Ok(self
            .hospital
            .write_encounter_note(&self.token, account_id(&patient)?, &text)?
            .into())
    }

    /// Writes an observation (JSON, record kind `Observation`) into `patient`'s history, as
    /// a physician.
    pub fn write_observation(
        &self,
        patient: String,
        observation: Observation,
    ) -> Result<RecordMeta> {
        let patient = account_id(&patient)?;
        let observation = observation.try_into()?;
        Ok(self
            .hospital
            .write_observation(&self.token, patient, &observation)?
            .into())
    }

    /// Uploads a document (any bytes: a PDF, an image…; record kind `DocumentReference`)
    /// titled `title` into `patient`'s history, as a physician. The title is the record's
    /// `title` label.
    pub fn upload_document(
        &self,
        patient: String,
        title: String,
        content_type: String,
        content: Vec<u8>,
    ) -> Result<RecordMeta> {
        Ok(self
            .hospital
            .upload_document(
                &self.token,
                account_id(&patient)?,
                &title,
                &content_type,
                &content,
            )?
            .into())
    }

    /// `patient`'s history, oldest first: the latest version of every note, observation and
    /// document; for the patient, a physician, or an admin under break-glass; audited.
    pub fn timeline(&self, patient: String) -> Result<Vec<RecordMeta>> {
        Ok(metas(
            self.hospital.timeline(&self.token, account_id(&patient)?)?,
        ))
    }

    /// Every version of a record, oldest first, for those who may read it; audited.
    pub fn record_history(&self, record: String) -> Result<Vec<RecordMeta>> {
        let record = record_id(&record)?;
        Ok(metas(self.identity.record_history(&self.token, record)?))
    }

    /// Version `version` (from 1) of a record, for those who may read it; audited.
    pub fn read_record_version(&self, record: String, version: u64) -> Result<Record> {
        let record = record_id(&record)?;
        Ok(self
            .identity
            .read_record_version(&self.token, record, version)?
            .into())
    }

    // ----- staff board -----

    /// Publishes an event, as an admin; audited.
    pub fn publish_event(&self, event: NewEvent) -> Result<Event> {
        let event = event.try_into()?;
        Ok(self.hospital.publish_event(&self.token, &event)?.into())
    }

    /// Withdraws an event (by id), as an admin; audited.
    pub fn withdraw_event(&self, id: String) -> Result<()> {
        Ok(self.hospital.withdraw_event(&self.token, &id)?)
    }

    /// The events overlapping `from` to `to` (`2026-12-02`, days included) that this account
    /// sees: public ones and those naming it (admins see all), by start.
    pub fn events(&self, from: String, to: String) -> Result<Vec<Event>> {
        let (from, to) = date_range(&from, &to)?;
        Ok(converted(self.hospital.events(&self.token, from, to)?))
    }

    /// Writes a note to one physician (`to`, an account id) or, with none, to all
    /// physicians, as an admin; audited.
    pub fn write_note(&self, to: Option<String>, text: String) -> Result<Note> {
        let to = note_audience(to.as_deref())?;
        Ok(self.hospital.write_note(&self.token, to, &text)?.into())
    }

    /// The notes this account may read, newest first: a physician's own and those to all
    /// physicians; every note for an admin; none for a patient.
    pub fn notes(&self) -> Result<Vec<Note>> {
        Ok(converted(self.hospital.notes(&self.token)?))
    }

    // ----- import -----

    /// Imports a Synthea CSV file or a FHIR R4 Bundle (`content`), cleansing every row, as
    /// an admin; `kind` is guessed from a CSV header when absent, and a bundle brings every
    /// kind it holds. With `dryRun` every row is decided and nothing is written. Rows an
    /// earlier import brought are left alone; audited.
    pub fn import_data(
        &self,
        content: Vec<u8>,
        kind: Option<ImportKind>,
        dry_run: bool,
    ) -> Result<ImportResult> {
        let parsed = self.hospital.parse_import(&content, kind.map(Into::into))?;
        Ok(self
            .hospital
            .import(&self.token, &parsed, dry_run, None)?
            .into())
    }

    // ----- dashboard -----

    /// The dashboard from `from` to `to` (`2026-12-02`, days included, at most 366 days), as
    /// an admin; audited.
    pub fn dashboard(&self, from: String, to: String) -> Result<Dashboard> {
        let (from, to) = date_range(&from, &to)?;
        Ok(self.hospital.dashboard(&self.token, from, to)?.into())
    }
}
