//! The hospital through a session: patient profiles, physicians and their schedules,
//! availability and appointments, medical history, the staff board and the dashboard. Every
//! call is checked by the access policy in the engine (most are audited) and blocks until it
//! answers, like the other calls of a [`Session`]. The values are the hospital crate's own
//! types ([`crate::hospital_people`], [`crate::hospital_care`], [`crate::hospital_board`]);
//! account ids cross as 32 hex digits and dates and times as ISO 8601 ([`crate::dates`]).

use chrono::{NaiveDate, NaiveDateTime};
use medvault_hospital::import::ImportKind;
use medvault_hospital::{
    Appointment, AppointmentStatus, Dashboard, Event, NewEvent, Note, NoteAudience, Observation,
    PatientProfile, Physician, PhysicianProfile, Schedule, Slot, SlotQuery,
};
use medvault_identity::AccountId;

use crate::error::Result;
use crate::hospital_import::ImportResult;
use crate::identity::{Identity, Session};
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
    ) -> Result<AccountId> {
        Ok(self
            .hospital
            .register_patient(&username, &password, &profile)?)
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
    ) -> Result<AccountId> {
        Ok(self
            .hospital
            .admin_register_patient(&self.token, &username, &password, &profile)?)
    }

    /// `patient`'s profile, for the patient, a physician or an admin; audited.
    pub fn patient_profile(&self, patient: AccountId) -> Result<PatientProfile> {
        Ok(self.hospital.patient_profile(&self.token, patient)?)
    }

    /// Replaces `patient`'s profile, for the patient or an admin; audited.
    pub fn update_patient_profile(
        &self,
        patient: AccountId,
        profile: PatientProfile,
    ) -> Result<()> {
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
    ) -> Result<AccountId> {
        Ok(self
            .hospital
            .add_physician(&self.token, &username, &password, &profile)?)
    }

    /// Removes a physician, as an admin: the account goes (its sessions end); the profile
    /// stays, inactive, and what they wrote stays attributed to them.
    pub fn remove_physician(&self, physician: AccountId) -> Result<()> {
        Ok(self.hospital.remove_physician(&self.token, physician)?)
    }

    /// Replaces a physician's weekly hours, leave and slot length, for the physician or an
    /// admin; appointments already booked stay.
    pub fn set_schedule(&self, physician: AccountId, schedule: Schedule) -> Result<()> {
        Ok(self
            .hospital
            .set_schedule(&self.token, physician, &schedule)?)
    }

    /// A physician (by account id), active or not; for any account.
    pub fn physician(&self, id: AccountId) -> Result<Physician> {
        Ok(self.hospital.physician(&self.token, id)?)
    }

    /// The active physicians, of `specialty` if given, by username; for any account.
    pub fn physicians(&self, specialty: Option<String>) -> Result<Vec<Physician>> {
        Ok(self
            .hospital
            .physicians(&self.token, specialty.as_deref())?)
    }

    // ----- availability and appointments -----

    /// The free slots matching `query`, by start then username; slots already begun are
    /// left out. For any account.
    pub fn free_slots(&self, query: SlotQuery) -> Result<Vec<Slot>> {
        Ok(self.hospital.free_slots(&self.token, &query)?)
    }

    /// Books `physician`'s slot starting at `start` (`2026-12-02T09:30`) for `patient`, as the
    /// patient or an admin. Throws `SlotUnavailable` if the physician offers no slot then or
    /// someone holds it.
    pub fn book(
        &self,
        patient: AccountId,
        physician: AccountId,
        start: NaiveDateTime,
    ) -> Result<Appointment> {
        Ok(self.hospital.book(&self.token, patient, physician, start)?)
    }

    /// Cancels an appointment (by id) for a stated `reason`, as its patient, its physician or
    /// an admin; the slot is free again.
    pub fn cancel(&self, appointment: String, reason: String) -> Result<Appointment> {
        Ok(self.hospital.cancel(&self.token, &appointment, &reason)?)
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
            .record_attendance(&self.token, &appointment, status)?)
    }

    /// `patient`'s appointments by start, for the patient or an admin; audited.
    pub fn patient_appointments(&self, patient: AccountId) -> Result<Vec<Appointment>> {
        Ok(self.hospital.patient_appointments(&self.token, patient)?)
    }

    /// `physician`'s appointments by start, for the physician or an admin; audited.
    pub fn physician_appointments(&self, physician: AccountId) -> Result<Vec<Appointment>> {
        Ok(self
            .hospital
            .physician_appointments(&self.token, physician)?)
    }

    // ----- medical history -----

    /// Writes an encounter note (plain text, record kind `Encounter`) into `patient`'s
    /// history, as a physician.
    pub fn write_encounter_note(&self, patient: AccountId, text: String) -> Result<RecordMeta> {
        Ok(self
            .hospital
            .write_encounter_note(&self.token, patient, &text)?
            .into())
    }

    /// Writes an observation (JSON, record kind `Observation`) into `patient`'s history, as
    /// a physician.
    pub fn write_observation(
        &self,
        patient: AccountId,
        observation: Observation,
    ) -> Result<RecordMeta> {
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
        patient: AccountId,
        title: String,
        content_type: String,
        content: Vec<u8>,
    ) -> Result<RecordMeta> {
        Ok(self
            .hospital
            .upload_document(&self.token, patient, &title, &content_type, &content)?
            .into())
    }

    /// `patient`'s history, oldest first: the latest version of every note, observation and
    /// document; for the patient, a physician, or an admin under break-glass; audited.
    pub fn timeline(&self, patient: AccountId) -> Result<Vec<RecordMeta>> {
        Ok(metas(self.hospital.timeline(&self.token, patient)?))
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
        Ok(self.hospital.publish_event(&self.token, &event)?)
    }

    /// Withdraws an event (by id), as an admin; audited.
    pub fn withdraw_event(&self, id: String) -> Result<()> {
        Ok(self.hospital.withdraw_event(&self.token, &id)?)
    }

    /// The events overlapping `from` to `to` (`2026-12-02`, days included) that this account
    /// sees: public ones and those naming it (admins see all), by start.
    pub fn events(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<Event>> {
        Ok(self.hospital.events(&self.token, from, to)?)
    }

    /// Writes a note to one physician (`to`, an account id) or, with none, to all
    /// physicians, as an admin; audited.
    pub fn write_note(&self, to: NoteAudience, text: String) -> Result<Note> {
        Ok(self.hospital.write_note(&self.token, to, &text)?)
    }

    /// The notes this account may read, newest first: a physician's own and those to all
    /// physicians; every note for an admin; none for a patient.
    pub fn notes(&self) -> Result<Vec<Note>> {
        Ok(self.hospital.notes(&self.token)?)
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
        let rows = self
            .hospital
            .open_import(std::io::Cursor::new(content), kind)?;
        Ok(self
            .hospital
            .import_rows(&self.token, rows, dry_run, None)?
            .into())
    }

    // ----- dashboard -----

    /// The dashboard from `from` to `to` (`2026-12-02`, days included, at most 366 days), as
    /// an admin; audited.
    pub fn dashboard(&self, from: NaiveDate, to: NaiveDate) -> Result<Dashboard> {
        Ok(self.hospital.dashboard(&self.token, from, to)?)
    }
}
