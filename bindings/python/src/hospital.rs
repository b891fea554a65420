//! The hospital through a `Session`, over the core's `BlockingHospital`: patient profiles,
//! physicians and schedules, availability and appointments, medical history, the staff board
//! and the dashboard. Arguments are converted here and every call releases the GIL; every
//! rule (who may do what, what is valid) lives in the core.

use chrono::{NaiveDate, NaiveDateTime};
use medvault_hospital::import::ImportKind;
use medvault_hospital::{self as core, BlockingHospital, Result as CoreResult};
use medvault_identity::SessionToken;
use pyo3::prelude::*;

use crate::errors::{Result, detach};
use crate::hospital_types::{
    Appointment, Dashboard, Event, ImportResult, Note, PatientProfile, Physician, PhysicianProfile,
    Schedule, Slot, converted, parse_status,
};
use crate::identity::{Session, parse_account_id};
use crate::records::{Record, RecordMeta, metas, parse_record_id};

impl Session {
    /// Runs `call` on the hospital with this session's token, with the GIL released.
    fn hospital<T: Send>(
        &self,
        py: Python<'_>,
        call: impl FnOnce(&BlockingHospital, &SessionToken) -> CoreResult<T> + Send,
    ) -> Result<T> {
        let hospital = BlockingHospital::new(&self.identity);
        detach(py, || call(&hospital, &self.token))
    }
}

#[pymethods]
impl Session {
    // ----- patients -----

    /// The profile of ``patient`` (an account id), for the patient, a physician or an admin;
    /// the read is audited.
    fn patient_profile(&self, py: Python<'_>, patient: &str) -> Result<PatientProfile> {
        let patient = parse_account_id(patient)?;
        let profile = self.hospital(py, |h, token| h.patient_profile(token, patient))?;
        Ok(profile.into())
    }

    /// Replaces the profile of ``patient`` (an account id), for the patient or an admin.
    fn update_patient_profile(
        &self,
        py: Python<'_>,
        patient: &str,
        profile: PatientProfile,
    ) -> Result<()> {
        let patient = parse_account_id(patient)?;
        let profile = profile.to_core()?;
        self.hospital(py, |h, token| {
            h.update_patient_profile(token, patient, &profile)
        })
    }

    /// Registers a patient with ``profile`` on behalf of an admin (a front desk); returns the
    /// new account's id. The patient enrolls their TOTP factor next.
    fn register_patient(
        &self,
        py: Python<'_>,
        username: &str,
        password: &str,
        profile: PatientProfile,
    ) -> Result<String> {
        let profile = profile.to_core()?;
        let id = self.hospital(py, |h, token| {
            h.admin_register_patient(token, username, password, &profile)
        })?;
        Ok(id.to_string())
    }

    // ----- physicians -----

    /// Adds a physician with ``profile`` (a ``PhysicianProfile``), for an admin; returns the
    /// new account's id. The physician enrolls their TOTP factor next.
    fn add_physician(
        &self,
        py: Python<'_>,
        username: &str,
        password: &str,
        profile: PhysicianProfile,
    ) -> Result<String> {
        let profile = profile.to_core()?;
        let id = self.hospital(py, |h, token| {
            h.add_physician(token, username, password, &profile)
        })?;
        Ok(id.to_string())
    }

    /// Removes a physician's account (an admin): their sessions end, their profile stays,
    /// inactive, and what they wrote stays attributed to them.
    fn remove_physician(&self, py: Python<'_>, physician: &str) -> Result<()> {
        let physician = parse_account_id(physician)?;
        self.hospital(py, |h, token| h.remove_physician(token, physician))
    }

    /// Replaces a physician's weekly hours, leave and slot length, for the physician or an
    /// admin. Appointments already booked stay.
    fn set_schedule(&self, py: Python<'_>, physician: &str, schedule: Schedule) -> Result<()> {
        let physician = parse_account_id(physician)?;
        let schedule = schedule.to_core()?;
        self.hospital(py, |h, token| h.set_schedule(token, physician, &schedule))
    }

    /// A physician (an account id), active or not.
    fn physician(&self, py: Python<'_>, physician: &str) -> Result<Physician> {
        let physician = parse_account_id(physician)?;
        Ok(self
            .hospital(py, |h, token| h.physician(token, physician))?
            .into())
    }

    /// The active physicians, of ``specialty`` if given, by username.
    #[pyo3(signature = (*, specialty = None))]
    fn physicians(&self, py: Python<'_>, specialty: Option<&str>) -> Result<Vec<Physician>> {
        Ok(converted(
            self.hospital(py, |h, token| h.physicians(token, specialty))?,
        ))
    }

    // ----- availability and appointments -----

    /// The free slots from ``first_day`` to ``last_day`` (``datetime.date``, both included;
    /// the hospital limits the range's length), of the physician with username ``physician`` and/or of
    /// ``specialty`` if given, by start then username. Slots already begun are left out.
    #[pyo3(signature = (first_day, last_day, *, physician = None, specialty = None))]
    fn free_slots(
        &self,
        py: Python<'_>,
        first_day: NaiveDate,
        last_day: NaiveDate,
        physician: Option<String>,
        specialty: Option<String>,
    ) -> Result<Vec<Slot>> {
        let query = core::SlotQuery {
            physician,
            specialty,
            from: first_day,
            to: last_day,
        };
        Ok(converted(
            self.hospital(py, |h, token| h.free_slots(token, &query))?,
        ))
    }

    /// Books the slot of ``physician`` (an account id) starting at ``start`` (a naive
    /// ``datetime.datetime``) for ``patient``, on behalf of the patient or an admin. Raises
    /// ``SlotUnavailableError`` if the slot is taken, already begun or not offered.
    fn book(
        &self,
        py: Python<'_>,
        patient: &str,
        physician: &str,
        start: NaiveDateTime,
    ) -> Result<Appointment> {
        let patient = parse_account_id(patient)?;
        let physician = parse_account_id(physician)?;
        Ok(self
            .hospital(py, |h, token| h.book(token, patient, physician, start))?
            .into())
    }

    /// Cancels an appointment (its id), stating ``reason``, on behalf of its patient, its
    /// physician or an admin; the slot is free again.
    fn cancel(&self, py: Python<'_>, appointment: &str, reason: &str) -> Result<Appointment> {
        Ok(self
            .hospital(py, |h, token| h.cancel(token, appointment, reason))?
            .into())
    }

    /// Records what became of a booked appointment: ``status`` is ``"arrived"``,
    /// ``"checked-in"``, ``"fulfilled"``, ``"noshow"`` or ``"entered-in-error"``; for its
    /// physician or an admin.
    fn record_attendance(
        &self,
        py: Python<'_>,
        appointment: &str,
        status: &str,
    ) -> Result<Appointment> {
        let status = parse_status(status)?;
        Ok(self
            .hospital(py, |h, token| {
                h.record_attendance(token, appointment, status)
            })?
            .into())
    }

    /// The appointments of ``patient`` (an account id) by start, in any status; for the
    /// patient or an admin.
    fn patient_appointments(&self, py: Python<'_>, patient: &str) -> Result<Vec<Appointment>> {
        let patient = parse_account_id(patient)?;
        Ok(converted(self.hospital(py, |h, token| {
            h.patient_appointments(token, patient)
        })?))
    }

    /// The appointments of ``physician`` (an account id) by start, in any status; for the
    /// physician or an admin.
    fn physician_appointments(&self, py: Python<'_>, physician: &str) -> Result<Vec<Appointment>> {
        let physician = parse_account_id(physician)?;
        Ok(converted(self.hospital(py, |h, token| {
            h.physician_appointments(token, physician)
        })?))
    }

    // ----- medical history -----

    /// Writes an encounter note (plain text) into the history of ``patient`` (an account
    /// id), for a physician; a record of kind ``"Encounter"``.
    fn write_encounter_note(
        &self,
        py: Python<'_>,
        patient: &str,
        text: &str,
    ) -> Result<RecordMeta> {
        let patient = parse_account_id(patient)?;
        Ok(self
            .hospital(py, |h, token| h.write_encounter_note(token, patient, text))?
            .into())
    }

    /// Writes a measured value into the history of ``patient`` (an account id), for a
    /// physician: ``code`` (such as LOINC ``"8867-4"``), ``display`` (in words), ``value``,
    /// ``unit`` (UCUM, such as ``"/min"``) and ``effective`` (when it was measured, a naive
    /// ``datetime.datetime``). A record of kind ``"Observation"``, stored as FHIR-shaped JSON.
    #[pyo3(signature = (patient, *, code, value, unit, effective, display = ""))]
    #[allow(clippy::too_many_arguments)]
    fn write_observation(
        &self,
        py: Python<'_>,
        patient: &str,
        code: &str,
        value: f64,
        unit: &str,
        effective: NaiveDateTime,
        display: &str,
    ) -> Result<RecordMeta> {
        let patient = parse_account_id(patient)?;
        let observation = core::Observation {
            code: code.to_owned(),
            display: display.to_owned(),
            value,
            unit: unit.to_owned(),
            effective,
        };
        Ok(self
            .hospital(py, |h, token| {
                h.write_observation(token, patient, &observation)
            })?
            .into())
    }

    /// Uploads ``content`` (any bytes: a PDF, an image…) titled ``title`` into the history of
    /// ``patient`` (an account id), for a physician; a record of kind
    /// ``"DocumentReference"`` whose ``labels["title"]`` is the title.
    #[pyo3(signature = (patient, content, *, title, content_type = "application/octet-stream"))]
    fn upload_document(
        &self,
        py: Python<'_>,
        patient: &str,
        content: &[u8],
        title: &str,
        content_type: &str,
    ) -> Result<RecordMeta> {
        let patient = parse_account_id(patient)?;
        Ok(self
            .hospital(py, |h, token| {
                h.upload_document(token, patient, title, content_type, content)
            })?
            .into())
    }

    /// The history of ``patient`` (an account id), oldest first: the latest version of every
    /// note, observation and document; for the patient, a physician, or an admin under
    /// break-glass.
    fn timeline(&self, py: Python<'_>, patient: &str) -> Result<Vec<RecordMeta>> {
        let patient = parse_account_id(patient)?;
        Ok(metas(
            self.hospital(py, |h, token| h.timeline(token, patient))?,
        ))
    }

    /// The metadata of every version of record ``id``, oldest first, if the session may read
    /// its patient's records.
    fn record_history(&self, py: Python<'_>, id: &str) -> Result<Vec<RecordMeta>> {
        let id = parse_record_id(id)?;
        let identity = &self.identity;
        Ok(metas(detach(py, || {
            identity.record_history(&self.token, id)
        })?))
    }

    /// Version ``version`` (from 1) of record ``id``: ``Record`` (``meta`` and
    /// ``payload``), if the session may read its patient's records.
    fn read_record_version(&self, py: Python<'_>, id: &str, version: u64) -> Result<Record> {
        let id = parse_record_id(id)?;
        let identity = &self.identity;
        Record::new(
            py,
            detach(py, || {
                identity.read_record_version(&self.token, id, version)
            })?,
        )
    }

    // ----- the staff board -----

    /// Publishes an event from ``start`` to ``end`` (naive ``datetime.datetime``), for an
    /// admin: to everyone, or, with ``audience``, to those account ids only.
    #[pyo3(signature = (title, *, start, end, details = "", audience = None))]
    fn publish_event(
        &self,
        py: Python<'_>,
        title: &str,
        start: NaiveDateTime,
        end: NaiveDateTime,
        details: &str,
        audience: Option<Vec<String>>,
    ) -> Result<Event> {
        let audience = match audience {
            None => core::Audience::Everyone,
            Some(accounts) => core::Audience::Accounts(
                accounts
                    .iter()
                    .map(|id| parse_account_id(id))
                    .collect::<Result<_>>()?,
            ),
        };
        let event = core::NewEvent {
            title: title.to_owned(),
            details: details.to_owned(),
            start,
            end,
            audience,
        };
        Ok(self
            .hospital(py, |h, token| h.publish_event(token, &event))?
            .into())
    }

    /// Withdraws an event (its id), for an admin.
    fn withdraw_event(&self, py: Python<'_>, event: &str) -> Result<()> {
        self.hospital(py, |h, token| h.withdraw_event(token, event))
    }

    /// The events overlapping ``first_day`` to ``last_day`` (``datetime.date``, both
    /// included) that the session sees, by start: public ones and those naming its account
    /// (an admin sees all).
    fn events(
        &self,
        py: Python<'_>,
        first_day: NaiveDate,
        last_day: NaiveDate,
    ) -> Result<Vec<Event>> {
        Ok(converted(self.hospital(py, |h, token| {
            h.events(token, first_day, last_day)
        })?))
    }

    /// Writes a note, for an admin: to every physician, or, with ``to``, to the physician with
    /// that account id.
    #[pyo3(signature = (text, *, to = None))]
    fn write_note(&self, py: Python<'_>, text: &str, to: Option<&str>) -> Result<Note> {
        let to = match to {
            None => core::NoteAudience::AllPhysicians,
            Some(physician) => core::NoteAudience::Physician(parse_account_id(physician)?),
        };
        Ok(self
            .hospital(py, |h, token| h.write_note(token, to, text))?
            .into())
    }

    /// The notes the session may read, newest first: a physician's own and those to every
    /// physician; every note for an admin; none for a patient.
    fn notes(&self, py: Python<'_>) -> Result<Vec<Note>> {
        Ok(converted(self.hospital(py, |h, token| h.notes(token))?))
    }

    // ----- import -----

    /// Imports ``content`` (the bytes of a Synthea CSV file or a FHIR R4 Bundle), cleansing
    /// every row, for an admin: ``kind`` (``"patients"``, ``"physicians"`` or
    /// ``"appointments"``) is guessed from a CSV header when ``None``, and a bundle brings
    /// every kind it holds. With ``dry_run`` every row is decided and nothing is written. Rows
    /// an earlier import brought are left alone.
    #[pyo3(signature = (content, *, kind = None, dry_run = false))]
    fn import_data(
        &self,
        py: Python<'_>,
        content: &[u8],
        kind: Option<&str>,
        dry_run: bool,
    ) -> Result<ImportResult> {
        let kind = kind.map(str::parse::<ImportKind>).transpose()?;
        Ok(self
            .hospital(py, |h, token| {
                let rows = h.open_import(std::io::Cursor::new(content), kind)?;
                h.import_rows(token, rows, dry_run, None)
            })?
            .into())
    }

    // ----- the dashboard -----

    /// The dashboard from ``first_day`` to ``last_day`` (``datetime.date``, both included;
    /// the hospital limits the range's length), for an admin.
    fn dashboard(
        &self,
        py: Python<'_>,
        first_day: NaiveDate,
        last_day: NaiveDate,
    ) -> Result<Dashboard> {
        Ok(self
            .hospital(py, |h, token| h.dashboard(token, first_day, last_day))?
            .into())
    }
}
