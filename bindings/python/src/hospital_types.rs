//! The hospital's types as Python sees them, and their conversions from and to the core's.
//!
//! Dates are `datetime.date`, times of day `datetime.time`, instants naive
//! `datetime.datetime` (the hospital's wall-clock time; pyo3's `chrono` conversions). The
//! core's enums are their lowercase codes (`"female"`, `"mon"`, `"checked-in"`), checked when
//! an object is made. Ids are strings of 32 hex digits. What is given to the hospital
//! (`PatientProfile`, `PhysicianProfile`, `Schedule`, `AvailableTime`, `NotAvailable`,
//! `Address`) is made with keyword arguments; what it returns is read-only. A `repr` shows ids
//! and what a physician or the schedule is, never a patient's data.
//!
//! Every conversion names every field of the core's struct (destructuring it without `..`,
//! or building it with a struct literal), so a field added to the core fails compilation
//! here instead of being silently dropped.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use medvault_hospital as core;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{Error, Result};

/// Converts every item of a list of core values.
pub(crate) fn converted<T, U: From<T>>(items: Vec<T>) -> Vec<U> {
    items.into_iter().map(U::from).collect()
}

/// A copy of the frozen `object` made by calling its class with its `fields` as keyword
/// arguments, `changes` overriding them (so each change is checked like a new object).
fn replaced<'py>(
    object: &Bound<'py, PyAny>,
    fields: &[&str],
    changes: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let arguments = PyDict::new(object.py());
    for field in fields {
        arguments.set_item(field, object.getattr(field)?)?;
    }
    if let Some(changes) = changes {
        arguments.update(changes.as_mapping())?;
    }
    object.get_type().call((), Some(&arguments))
}

// ----- codes -----

const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Mon, "mon"),
    (Weekday::Tue, "tue"),
    (Weekday::Wed, "wed"),
    (Weekday::Thu, "thu"),
    (Weekday::Fri, "fri"),
    (Weekday::Sat, "sat"),
    (Weekday::Sun, "sun"),
];

/// The code of a day of the week (FHIR `daysOfWeek`): `mon` to `sun`.
fn weekday_code(day: Weekday) -> String {
    WEEKDAYS
        .iter()
        .find(|(weekday, _)| *weekday == day)
        .map_or_else(|| day.to_string(), |(_, code)| (*code).to_owned())
}

fn parse_weekday(code: &str) -> Result<Weekday> {
    WEEKDAYS
        .iter()
        .find(|(_, known)| *known == code)
        .map(|(day, _)| *day)
        .ok_or_else(|| {
            Error::invalid(
                "day of the week",
                "expected mon, tue, wed, thu, fri, sat or sun",
            )
        })
}

/// The appointment status a FHIR code names (`booked`, `checked-in`, …).
pub(crate) fn parse_status(code: &str) -> Result<core::AppointmentStatus> {
    core::AppointmentStatus::from_code(code).ok_or_else(|| {
        let codes: Vec<&str> = core::AppointmentStatus::ALL
            .iter()
            .map(|status| status.as_str())
            .collect();
        Error::invalid(
            "appointment status",
            format!("expected one of {}", codes.join(", ")),
        )
    })
}

// ----- people -----

/// Given names as Python code passes them: one string of space-separated names, or a list.
#[derive(FromPyObject)]
pub(crate) enum GivenNames {
    /// `"Ada Maria"`.
    Text(String),
    /// `["Ada", "Maria"]`.
    List(Vec<String>),
}

impl GivenNames {
    fn into_list(self) -> Vec<String> {
        match self {
            Self::Text(text) => core::HumanName::new(&text, "").given,
            Self::List(names) => names,
        }
    }
}

fn human_name(given: &[String], family: &str) -> core::HumanName {
    core::HumanName {
        family: family.to_owned(),
        given: given.to_vec(),
    }
}

fn contact(phone: &Option<String>, email: &Option<String>) -> core::Contact {
    core::Contact {
        phone: phone.clone(),
        email: email.clone(),
    }
}

fn identifiers(pairs: &[(String, String)]) -> Vec<core::Identifier> {
    pairs
        .iter()
        .map(|(system, value)| core::Identifier {
            system: system.clone(),
            value: value.clone(),
        })
        .collect()
}

/// An identifier as a `(system, value)` pair.
fn identifier_pair(identifier: core::Identifier) -> (String, String) {
    let core::Identifier { system, value } = identifier;
    (system, value)
}

fn identifier_pairs(identifiers: Vec<core::Identifier>) -> Vec<(String, String)> {
    identifiers.into_iter().map(identifier_pair).collect()
}

/// A postal address (FHIR ``Address``). Its ``repr`` shows none of it.
#[pyclass(frozen, eq, get_all, from_py_object, module = "medvault")]
#[derive(Clone, PartialEq, Eq)]
pub struct Address {
    /// Street and number.
    line: String,
    /// City.
    city: String,
    /// State or region.
    state: String,
    /// Postal code.
    postal_code: String,
}

#[pymethods]
impl Address {
    #[new]
    #[pyo3(signature = (*, line = "", city = "", state = "", postal_code = ""))]
    fn py_new(line: &str, city: &str, state: &str, postal_code: &str) -> Self {
        Self {
            line: line.to_owned(),
            city: city.to_owned(),
            state: state.to_owned(),
            postal_code: postal_code.to_owned(),
        }
    }

    fn __repr__(&self) -> &'static str {
        "Address(<redacted>)"
    }
}

impl From<&Address> for core::Address {
    fn from(address: &Address) -> Self {
        Self {
            line: address.line.clone(),
            city: address.city.clone(),
            state: address.state.clone(),
            postal_code: address.postal_code.clone(),
        }
    }
}

impl From<core::Address> for Address {
    fn from(address: core::Address) -> Self {
        let core::Address {
            line,
            city,
            state,
            postal_code,
        } = address;
        Self {
            line,
            city,
            state,
            postal_code,
        }
    }
}

/// A patient's demographics (FHIR ``Patient``), given to ``Identity.register_patient``,
/// ``Session.register_patient`` and ``Session.update_patient_profile``, returned by
/// ``Session.patient_profile``. ``given`` is a string of space-separated given names or a
/// list of them; ``gender`` is ``"male"``, ``"female"``, ``"other"`` or ``"unknown"``;
/// ``identifiers`` are ``(system, value)`` pairs such as ``("urn:hospital:number", "H-17")``.
/// The hospital checks the profile (a family name, a plausible birth date, an E.164 phone
/// number, an email address) when it is stored. Its ``repr`` shows none of it.
#[pyclass(frozen, eq, get_all, from_py_object, module = "medvault")]
#[derive(Clone, PartialEq, Eq)]
pub struct PatientProfile {
    /// Given names, in order.
    given: Vec<String>,
    /// Family name.
    family: String,
    /// Birth date.
    birth_date: NaiveDate,
    /// Administrative gender: ``"male"``, ``"female"``, ``"other"`` or ``"unknown"``.
    gender: String,
    /// Phone number: ``+`` and digits (E.164), or ``None``.
    phone: Option<String>,
    /// Email address, or ``None``.
    email: Option<String>,
    /// Postal address, or ``None``.
    address: Option<Address>,
    /// Hospital numbers and ids from other systems: ``(system, value)`` pairs.
    identifiers: Vec<(String, String)>,
}

impl PatientProfile {
    const FIELDS: [&str; 8] = [
        "given",
        "family",
        "birth_date",
        "gender",
        "phone",
        "email",
        "address",
        "identifiers",
    ];

    /// The core's profile.
    pub(crate) fn to_core(&self) -> Result<core::PatientProfile> {
        Ok(core::PatientProfile {
            name: human_name(&self.given, &self.family),
            birth_date: self.birth_date,
            gender: core::Gender::from_code(&self.gender)?,
            contact: contact(&self.phone, &self.email),
            address: self.address.as_ref().map(core::Address::from),
            identifiers: identifiers(&self.identifiers),
        })
    }
}

#[pymethods]
impl PatientProfile {
    #[new]
    #[pyo3(signature = (*, given, family, birth_date, gender = "unknown", phone = None, email = None, address = None, identifiers = None))]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        given: GivenNames,
        family: String,
        birth_date: NaiveDate,
        gender: &str,
        phone: Option<String>,
        email: Option<String>,
        address: Option<Address>,
        identifiers: Option<Vec<(String, String)>>,
    ) -> Result<Self> {
        let profile = Self {
            given: given.into_list(),
            family,
            birth_date,
            gender: gender.to_owned(),
            phone,
            email,
            address,
            identifiers: identifiers.unwrap_or_default(),
        };
        profile.to_core()?;
        Ok(profile)
    }

    /// Given names then family name, such as ``"Ada Maria Lovelace"``.
    #[getter]
    fn name(&self) -> String {
        human_name(&self.given, &self.family).text()
    }

    /// A copy with the fields given as keyword arguments changed, such as
    /// ``profile.replace(phone="+41791234567")``.
    #[pyo3(signature = (**changes))]
    fn replace<'py>(
        slf: &Bound<'py, Self>,
        changes: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        replaced(slf.as_any(), &Self::FIELDS, changes)
    }

    fn __repr__(&self) -> String {
        format!(
            "PatientProfile(<name, birth date, gender, contact, address and {} identifiers redacted>)",
            self.identifiers.len()
        )
    }
}

impl From<core::PatientProfile> for PatientProfile {
    fn from(profile: core::PatientProfile) -> Self {
        let core::PatientProfile {
            name: core::HumanName { family, given },
            birth_date,
            gender,
            contact: core::Contact { phone, email },
            address,
            identifiers,
        } = profile;
        Self {
            given,
            family,
            birth_date,
            gender: gender.as_str().to_owned(),
            phone,
            email,
            address: address.map(Address::from),
            identifiers: identifier_pairs(identifiers),
        }
    }
}

// ----- physicians and schedules -----

/// Weekly hours (FHIR ``availableTime``): on ``days_of_week`` (codes ``"mon"`` to
/// ``"sun"``), from ``start`` to ``end`` (``datetime.time``, end exclusive).
#[pyclass(frozen, eq, get_all, from_py_object, module = "medvault")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AvailableTime {
    /// The days of the week: ``"mon"``, ``"tue"``, … ``"sun"``.
    days_of_week: Vec<String>,
    /// The first minute.
    start: NaiveTime,
    /// The end, exclusive.
    end: NaiveTime,
}

impl AvailableTime {
    fn to_core(&self) -> Result<core::AvailableTime> {
        Ok(core::AvailableTime {
            days_of_week: self
                .days_of_week
                .iter()
                .map(|code| parse_weekday(code))
                .collect::<Result<_>>()?,
            start: self.start,
            end: self.end,
        })
    }
}

#[pymethods]
impl AvailableTime {
    #[new]
    #[pyo3(signature = (*, days_of_week, start, end))]
    fn py_new(days_of_week: Vec<String>, start: NaiveTime, end: NaiveTime) -> Result<Self> {
        let hours = Self {
            days_of_week,
            start,
            end,
        };
        hours.to_core()?;
        Ok(hours)
    }

    fn __repr__(&self) -> String {
        format!(
            "AvailableTime(days_of_week={:?}, start={}, end={})",
            self.days_of_week, self.start, self.end
        )
    }
}

impl From<core::AvailableTime> for AvailableTime {
    fn from(hours: core::AvailableTime) -> Self {
        let core::AvailableTime {
            days_of_week,
            start,
            end,
        } = hours;
        Self {
            days_of_week: days_of_week.into_iter().map(weekday_code).collect(),
            start,
            end,
        }
    }
}

/// Leave (FHIR ``notAvailable``): no slots from ``start`` to ``end`` (``datetime.date``, both
/// days included).
#[pyclass(frozen, eq, get_all, from_py_object, module = "medvault")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotAvailable {
    /// The first day.
    start: NaiveDate,
    /// The last day.
    end: NaiveDate,
    /// Why, such as ``"annual leave"``.
    description: String,
}

#[pymethods]
impl NotAvailable {
    #[new]
    #[pyo3(signature = (*, start, end, description = ""))]
    fn py_new(start: NaiveDate, end: NaiveDate, description: &str) -> Self {
        Self {
            start,
            end,
            description: description.to_owned(),
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "NotAvailable(start={}, end={}, description={:?})",
            self.start, self.end, self.description
        )
    }
}

impl From<&NotAvailable> for core::NotAvailable {
    fn from(leave: &NotAvailable) -> Self {
        Self {
            description: leave.description.clone(),
            start: leave.start,
            end: leave.end,
        }
    }
}

impl From<core::NotAvailable> for NotAvailable {
    fn from(leave: core::NotAvailable) -> Self {
        let core::NotAvailable {
            description,
            start,
            end,
        } = leave;
        Self {
            start,
            end,
            description,
        }
    }
}

/// A physician's weekly hours (``AvailableTime``), leave (``NotAvailable``) and slot length
/// in minutes (5 to 240; ``None`` means the hospital's default, 30). The hospital checks it
/// when it is stored.
#[pyclass(frozen, eq, get_all, from_py_object, module = "medvault")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// Weekly hours.
    available_time: Vec<AvailableTime>,
    /// Leave.
    not_available: Vec<NotAvailable>,
    /// The length of one appointment, in minutes.
    slot_minutes: u32,
}

impl Schedule {
    const FIELDS: [&str; 3] = ["available_time", "not_available", "slot_minutes"];

    /// The core's schedule.
    pub(crate) fn to_core(&self) -> Result<core::Schedule> {
        Ok(core::Schedule {
            available_time: self
                .available_time
                .iter()
                .map(AvailableTime::to_core)
                .collect::<Result<_>>()?,
            not_available: self
                .not_available
                .iter()
                .map(core::NotAvailable::from)
                .collect(),
            slot_minutes: self.slot_minutes,
        })
    }
}

#[pymethods]
impl Schedule {
    #[new]
    #[pyo3(signature = (*, available_time = None, not_available = None, slot_minutes = None))]
    fn py_new(
        available_time: Option<Vec<AvailableTime>>,
        not_available: Option<Vec<NotAvailable>>,
        slot_minutes: Option<u32>,
    ) -> Self {
        Self {
            available_time: available_time.unwrap_or_default(),
            not_available: not_available.unwrap_or_default(),
            slot_minutes: slot_minutes.unwrap_or(core::Schedule::default().slot_minutes),
        }
    }

    /// A copy with the fields given as keyword arguments changed, such as
    /// ``schedule.replace(not_available=[...])``.
    #[pyo3(signature = (**changes))]
    fn replace<'py>(
        slf: &Bound<'py, Self>,
        changes: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        replaced(slf.as_any(), &Self::FIELDS, changes)
    }

    fn __repr__(&self) -> String {
        format!(
            "Schedule(available_time={}, not_available={}, slot_minutes={})",
            self.available_time.len(),
            self.not_available.len(),
            self.slot_minutes
        )
    }
}

impl From<core::Schedule> for Schedule {
    fn from(schedule: core::Schedule) -> Self {
        let core::Schedule {
            available_time,
            not_available,
            slot_minutes,
        } = schedule;
        Self {
            available_time: converted(available_time),
            not_available: converted(not_available),
            slot_minutes,
        }
    }
}

/// A physician's practice (FHIR ``Practitioner`` and ``PractitionerRole``), given to
/// ``Session.add_physician``. ``given`` is a string of space-separated given names or a list;
/// ``specialty`` is stored trimmed and lowercase; ``schedule`` defaults to no hours yet.
#[pyclass(frozen, eq, get_all, from_py_object, module = "medvault")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhysicianProfile {
    /// Given names, in order.
    given: Vec<String>,
    /// Family name.
    family: String,
    /// Specialty, such as ``"cardiology"``.
    specialty: String,
    /// Phone number: ``+`` and digits (E.164), or ``None``.
    phone: Option<String>,
    /// Email address, or ``None``.
    email: Option<String>,
    /// When they see patients.
    schedule: Schedule,
    /// Ids from other systems: ``(system, value)`` pairs.
    identifiers: Vec<(String, String)>,
}

impl PhysicianProfile {
    /// The core's profile.
    pub(crate) fn to_core(&self) -> Result<core::PhysicianProfile> {
        Ok(core::PhysicianProfile {
            name: human_name(&self.given, &self.family),
            specialty: self.specialty.clone(),
            contact: contact(&self.phone, &self.email),
            schedule: self.schedule.to_core()?,
            identifiers: identifiers(&self.identifiers),
        })
    }
}

#[pymethods]
impl PhysicianProfile {
    #[new]
    #[pyo3(signature = (*, given, family, specialty, phone = None, email = None, schedule = None, identifiers = None))]
    fn py_new(
        given: GivenNames,
        family: String,
        specialty: String,
        phone: Option<String>,
        email: Option<String>,
        schedule: Option<Schedule>,
        identifiers: Option<Vec<(String, String)>>,
    ) -> Self {
        Self {
            given: given.into_list(),
            family,
            specialty,
            phone,
            email,
            schedule: schedule.unwrap_or_else(|| core::Schedule::default().into()),
            identifiers: identifiers.unwrap_or_default(),
        }
    }

    /// Given names then family name, such as ``"Hana Doe"``.
    #[getter]
    fn name(&self) -> String {
        human_name(&self.given, &self.family).text()
    }

    fn __repr__(&self) -> String {
        format!(
            "PhysicianProfile(name={:?}, specialty={:?}, schedule={})",
            self.name(),
            self.specialty,
            self.schedule.__repr__()
        )
    }
}

impl From<core::PhysicianProfile> for PhysicianProfile {
    fn from(profile: core::PhysicianProfile) -> Self {
        let core::PhysicianProfile {
            name: core::HumanName { family, given },
            specialty,
            contact: core::Contact { phone, email },
            schedule,
            identifiers,
        } = profile;
        Self {
            given,
            family,
            specialty,
            phone,
            email,
            schedule: schedule.into(),
            identifiers: identifier_pairs(identifiers),
        }
    }
}

/// A physician as the hospital knows them. Kept, inactive, when the account is removed.
#[pyclass(frozen, eq, get_all, module = "medvault")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Physician {
    /// The physician's account id.
    account_id: String,
    /// Their username, to search availability by.
    username: String,
    /// False once the account is removed.
    active: bool,
    /// Their practice and schedule.
    profile: PhysicianProfile,
}

#[pymethods]
impl Physician {
    fn __repr__(&self) -> String {
        format!(
            "Physician(account_id={:?}, username={:?}, active={}, specialty={:?})",
            self.account_id,
            self.username,
            if self.active { "True" } else { "False" },
            self.profile.specialty
        )
    }
}

impl From<core::Physician> for Physician {
    fn from(physician: core::Physician) -> Self {
        let core::Physician {
            account,
            username,
            active,
            profile,
        } = physician;
        Self {
            account_id: account.to_string(),
            username,
            active,
            profile: profile.into(),
        }
    }
}

// ----- availability and appointments -----

/// A free slot (FHIR ``Slot``), from ``Session.free_slots``; book it with
/// ``Session.book(patient, slot.physician, slot.start)``.
#[pyclass(frozen, eq, get_all, module = "medvault")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    /// The physician's account id.
    physician: String,
    /// Their username.
    username: String,
    /// Their name.
    name: String,
    /// Their specialty.
    specialty: String,
    /// Start (naive, the hospital's wall-clock time).
    start: NaiveDateTime,
    /// End.
    end: NaiveDateTime,
}

#[pymethods]
impl Slot {
    fn __repr__(&self) -> String {
        format!(
            "Slot(username={:?}, specialty={:?}, start={:?}, end={:?})",
            self.username, self.specialty, self.start, self.end
        )
    }
}

impl From<core::Slot> for Slot {
    fn from(slot: core::Slot) -> Self {
        let core::Slot {
            physician,
            username,
            name,
            specialty,
            start,
            end,
        } = slot;
        Self {
            physician: physician.to_string(),
            username,
            name,
            specialty,
            start,
            end,
        }
    }
}

/// An appointment (FHIR ``Appointment``): a patient with a physician in one slot. Its
/// ``repr`` leaves out the cancellation reason.
#[pyclass(frozen, eq, get_all, module = "medvault")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Appointment {
    /// Its id (32 hex digits).
    id: String,
    /// Its status, a FHIR code: ``"booked"``, ``"arrived"``, ``"checked-in"``,
    /// ``"fulfilled"``, ``"cancelled"``, ``"noshow"``, ``"entered-in-error"``, …
    status: String,
    /// The patient's account id.
    patient: String,
    /// The physician's account id.
    physician: String,
    /// Start (naive, the hospital's wall-clock time).
    start: NaiveDateTime,
    /// End.
    end: NaiveDateTime,
    /// When it was made (milliseconds since the Unix epoch).
    created_ms: i64,
    /// The account id that booked it; ``None`` for appointments imported by the operator.
    booked_by: Option<String>,
    /// The account id that cancelled it, once cancelled.
    cancelled_by: Option<String>,
    /// Why it was cancelled, once cancelled.
    cancellation_reason: Option<String>,
    /// When it was cancelled (milliseconds since the Unix epoch), once cancelled.
    cancelled_ms: Option<i64>,
    /// Its id in the system it was imported from, a ``(system, value)`` pair; ``None`` if it
    /// was booked here.
    source: Option<(String, String)>,
}

#[pymethods]
impl Appointment {
    fn __repr__(&self) -> String {
        format!(
            "Appointment(id={:?}, status={:?}, patient={:?}, physician={:?}, start={:?}, end={:?})",
            self.id, self.status, self.patient, self.physician, self.start, self.end
        )
    }
}

impl From<core::Appointment> for Appointment {
    fn from(appointment: core::Appointment) -> Self {
        let core::Appointment {
            id,
            status,
            patient,
            physician,
            start,
            end,
            created_ms,
            booked_by,
            cancellation,
            source,
        } = appointment;
        let (cancelled_by, cancellation_reason, cancelled_ms) = match cancellation {
            Some(core::Cancellation { by, reason, at_ms }) => {
                (Some(by.to_string()), Some(reason), Some(at_ms))
            }
            None => (None, None, None),
        };
        Self {
            id,
            status: status.as_str().to_owned(),
            patient: patient.to_string(),
            physician: physician.to_string(),
            start,
            end,
            created_ms,
            booked_by: booked_by.map(|account| account.to_string()),
            cancelled_by,
            cancellation_reason,
            cancelled_ms,
            source: source.map(identifier_pair),
        }
    }
}

// ----- the staff board -----

/// A published event, seen by everyone (``audience`` is ``None``) or by the accounts listed
/// in ``audience`` (and admins).
#[pyclass(frozen, eq, get_all, module = "medvault")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Its id.
    id: String,
    /// Title.
    title: String,
    /// Details.
    details: String,
    /// Start (naive, the hospital's wall-clock time).
    start: NaiveDateTime,
    /// End.
    end: NaiveDateTime,
    /// The account ids that see it, or ``None`` for everyone.
    audience: Option<Vec<String>>,
    /// The admin who published it (account id).
    author: String,
    /// When it was published (milliseconds since the Unix epoch).
    created_ms: i64,
}

#[pymethods]
impl Event {
    fn __repr__(&self) -> String {
        format!(
            "Event(id={:?}, title={:?}, start={:?}, end={:?})",
            self.id, self.title, self.start, self.end
        )
    }
}

impl From<core::Event> for Event {
    fn from(event: core::Event) -> Self {
        let core::Event {
            id,
            event:
                core::NewEvent {
                    title,
                    details,
                    start,
                    end,
                    audience,
                },
            author,
            created_ms,
        } = event;
        Self {
            id,
            title,
            details,
            start,
            end,
            audience: match audience {
                core::Audience::Everyone => None,
                core::Audience::Accounts(accounts) => {
                    Some(accounts.iter().map(ToString::to_string).collect())
                }
            },
            author: author.to_string(),
            created_ms,
        }
    }
}

/// A note from an admin to every physician (``to`` is ``None``) or to one (``to`` is their
/// account id). Its ``repr`` leaves out the text.
#[pyclass(frozen, eq, get_all, module = "medvault")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// Its id.
    id: String,
    /// The physician's account id, or ``None`` for every physician.
    to: Option<String>,
    /// The text.
    text: String,
    /// The admin who wrote it (account id).
    author: String,
    /// When it was written (milliseconds since the Unix epoch).
    created_ms: i64,
}

#[pymethods]
impl Note {
    fn __repr__(&self) -> String {
        format!(
            "Note(id={:?}, to={}, author={:?}, text=<{} characters>)",
            self.id,
            self.to
                .as_ref()
                .map_or_else(|| "None".to_owned(), |to| format!("{to:?}")),
            self.author,
            self.text.chars().count()
        )
    }
}

impl From<core::Note> for Note {
    fn from(note: core::Note) -> Self {
        let core::Note {
            id,
            to,
            text,
            author,
            created_ms,
        } = note;
        Self {
            id,
            to: match to {
                core::NoteAudience::AllPhysicians => None,
                core::NoteAudience::Physician(account) => Some(account.to_string()),
            },
            text,
            author: author.to_string(),
            created_ms,
        }
    }
}

// ----- the dashboard -----

/// A patient on the dashboard: their account id and, if they have a profile, their name.
/// Its ``repr`` leaves out the name.
#[pyclass(frozen, eq, get_all, module = "medvault")]
#[derive(Clone, PartialEq, Eq)]
pub struct PatientRef {
    /// The patient's account id.
    account_id: String,
    /// Their name, or ``None`` without a profile.
    name: Option<String>,
}

#[pymethods]
impl PatientRef {
    fn __repr__(&self) -> String {
        format!(
            "PatientRef(account_id={:?}, <name redacted>)",
            self.account_id
        )
    }
}

impl From<core::PatientRef> for PatientRef {
    fn from(patient: core::PatientRef) -> Self {
        let core::PatientRef { account, name } = patient;
        Self {
            account_id: account.to_string(),
            name,
        }
    }
}

/// One of the physicians who saw the most distinct patients.
#[pyclass(frozen, eq, get_all, module = "medvault")]
#[derive(Clone, PartialEq, Eq)]
pub struct PhysicianPatients {
    /// The physician's account id.
    physician: String,
    /// Their username.
    username: String,
    /// Their name.
    name: String,
    /// The distinct patients, by account id.
    patients: Vec<PatientRef>,
}

#[pymethods]
impl PhysicianPatients {
    fn __repr__(&self) -> String {
        format!(
            "PhysicianPatients(physician={:?}, username={:?}, patients=<{}>)",
            self.physician,
            self.username,
            self.patients.len()
        )
    }
}

impl From<core::PhysicianPatients> for PhysicianPatients {
    fn from(entry: core::PhysicianPatients) -> Self {
        let core::PhysicianPatients {
            physician,
            username,
            name,
            patients,
        } = entry;
        Self {
            physician: physician.to_string(),
            username,
            name,
            patients: converted(patients),
        }
    }
}

/// How many distinct patients had an appointment on one day.
#[pyclass(frozen, eq, get_all, module = "medvault")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DailyCount {
    /// The day.
    day: NaiveDate,
    /// How many distinct patients.
    patients: u64,
}

#[pymethods]
impl DailyCount {
    fn __repr__(&self) -> String {
        format!("DailyCount(day={}, patients={})", self.day, self.patients)
    }
}

impl From<core::DailyCount> for DailyCount {
    fn from(count: core::DailyCount) -> Self {
        let core::DailyCount { day, patients } = count;
        Self { day, patients }
    }
}

/// What an import did: how many rows ended each way, and the report of every row (its
/// number, kind, source id, outcome and reasons; no other value from the file) as JSON and
/// CSV text.
#[pyclass(frozen, eq, get_all, module = "medvault")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportResult {
    /// Rows accepted (and, unless a dry run, imported).
    accepted: usize,
    /// Rows rejected, each with reasons in the report.
    rejected: usize,
    /// Rows repeating an earlier row of the file.
    duplicates: usize,
    /// Rows with the source id of an earlier row of the file but other data, left out.
    conflicts: usize,
    /// Rows an earlier import already brought, as they are.
    unchanged: usize,
    /// Rows an earlier import brought, which changed them (patients' demographics).
    updated: usize,
    /// The report as JSON.
    report_json: String,
    /// The report as CSV.
    report_csv: String,
}

#[pymethods]
impl ImportResult {
    fn __repr__(&self) -> String {
        format!(
            "ImportResult(accepted={}, rejected={}, duplicates={}, conflicts={}, unchanged={}, \
             updated={})",
            self.accepted,
            self.rejected,
            self.duplicates,
            self.conflicts,
            self.unchanged,
            self.updated
        )
    }
}

impl From<core::import::ImportReport> for ImportResult {
    fn from(report: core::import::ImportReport) -> Self {
        let report_json = report.to_json();
        let report_csv = report.to_csv();
        let core::import::ImportReport {
            rows,
            counts:
                core::import::ImportSummary {
                    accepted,
                    rejected,
                    duplicates,
                    conflicts,
                    unchanged,
                    updated,
                },
        } = report;
        let _ = rows; // shown, row by row, in `report_json` and `report_csv`
        Self {
            accepted,
            rejected,
            duplicates,
            conflicts,
            unchanged,
            updated,
            report_json,
            report_csv,
        }
    }
}

/// The admin dashboard from ``first_day`` to ``last_day``: the physicians who saw the most
/// distinct patients, and the distinct patients of each day. Counted are appointments that
/// hold their slot (booked, arrived, checked in or fulfilled).
#[pyclass(frozen, eq, get_all, module = "medvault")]
#[derive(Clone, PartialEq, Eq)]
pub struct Dashboard {
    /// The first day.
    first_day: NaiveDate,
    /// The last day.
    last_day: NaiveDate,
    /// The physicians with the most distinct patients, most first (ties by username).
    top_physicians: Vec<PhysicianPatients>,
    /// Every day of the range, in order.
    daily: Vec<DailyCount>,
}

#[pymethods]
impl Dashboard {
    fn __repr__(&self) -> String {
        format!(
            "Dashboard(first_day={}, last_day={}, top_physicians=<{}>, daily=<{} days>)",
            self.first_day,
            self.last_day,
            self.top_physicians.len(),
            self.daily.len()
        )
    }
}

impl From<core::Dashboard> for Dashboard {
    fn from(dashboard: core::Dashboard) -> Self {
        let core::Dashboard {
            from,
            to,
            top_physicians,
            daily,
        } = dashboard;
        Self {
            first_day: from,
            last_day: to,
            top_physicians: converted(top_physicians),
            daily: converted(daily),
        }
    }
}
