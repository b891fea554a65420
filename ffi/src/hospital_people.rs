//! The hospital's people as they cross the boundary: patients' and physicians' profiles and
//! physicians' schedules. These are the hospital crate's own types, declared to uniffi with
//! `#[uniffi::remote]`: uniffi generates their conversions from these declarations, and a
//! declaration that no longer matches the core type (a field added, renamed or retyped)
//! fails to compile. Field order here is the constructor order Kotlin and Swift see. Field
//! names follow FHIR R4.

use chrono::{NaiveDate, NaiveTime, Weekday};
use medvault_hospital::{
    Address, Contact, Gender, HumanName, Identifier, PatientProfile, Physician, PhysicianProfile,
};
use medvault_hospital::{AvailableTime, NotAvailable, Schedule};
use medvault_identity::AccountId;

/// Administrative gender (FHIR `AdministrativeGender`).
#[uniffi::remote(Enum)]
pub enum Gender {
    /// `male`
    Male,
    /// `female`
    Female,
    /// `other`
    Other,
    /// `unknown`
    Unknown,
}

/// A person's name (FHIR `HumanName`).
#[uniffi::remote(Record)]
pub struct HumanName {
    /// Given names, in order.
    pub given: Vec<String>,
    /// Family name (required).
    pub family: String,
}

/// A postal address (FHIR `Address`).
#[uniffi::remote(Record)]
pub struct Address {
    /// Street and number.
    #[uniffi(default = "")]
    pub line: String,
    /// City.
    #[uniffi(default = "")]
    pub city: String,
    /// State or region.
    #[uniffi(default = "")]
    pub state: String,
    /// Postal code.
    #[uniffi(default = "")]
    pub postal_code: String,
}

/// An identifier a person is known by elsewhere (FHIR `Identifier`): a hospital number, or
/// the id a record had in the system it was imported from.
#[uniffi::remote(Record)]
pub struct Identifier {
    /// The namespace, such as `urn:oid:…` or a URL naming the issuing system.
    pub system: String,
    /// The value within it.
    pub value: String,
}

/// How to reach a person (FHIR `ContactPoint`s): a phone number and an email address.
#[uniffi::remote(Record)]
pub struct Contact {
    /// A phone number, `+` and 8 to 15 digits (E.164).
    #[uniffi(default = None)]
    pub phone: Option<String>,
    /// An email address.
    #[uniffi(default = None)]
    pub email: Option<String>,
}

/// A patient's demographics (FHIR `Patient`).
#[uniffi::remote(Record)]
pub struct PatientProfile {
    /// Name.
    pub name: HumanName,
    /// Birth date: not in the future, at most 150 years back.
    pub birth_date: NaiveDate,
    /// Administrative gender.
    pub gender: Gender,
    /// Phone and email.
    #[uniffi(default)]
    pub contact: Contact,
    /// Postal address.
    #[uniffi(default = None)]
    pub address: Option<Address>,
    /// Hospital numbers and ids from other systems.
    #[uniffi(default)]
    pub identifiers: Vec<Identifier>,
}

/// A day of the week (FHIR `daysOfWeek`).
#[uniffi::remote(Enum)]
pub enum Weekday {
    /// Monday, `mon`.
    Mon,
    /// Tuesday, `tue`.
    Tue,
    /// Wednesday, `wed`.
    Wed,
    /// Thursday, `thu`.
    Thu,
    /// Friday, `fri`.
    Fri,
    /// Saturday, `sat`.
    Sat,
    /// Sunday, `sun`.
    Sun,
}

/// Weekly hours (FHIR `availableTime`): on these days, from `start` to `end`.
#[uniffi::remote(Record)]
pub struct AvailableTime {
    /// The days of the week (at least one).
    pub days_of_week: Vec<Weekday>,
    /// The first minute, such as `09:00` (FHIR `availableStartTime`).
    pub start: NaiveTime,
    /// The end, exclusive, such as `12:00` (FHIR `availableEndTime`).
    pub end: NaiveTime,
}

/// Leave (FHIR `notAvailable`): no slots from `start` to `end`, both days included.
#[uniffi::remote(Record)]
pub struct NotAvailable {
    /// Why, such as "annual leave".
    pub description: String,
    /// The first day.
    pub start: NaiveDate,
    /// The last day.
    pub end: NaiveDate,
}

/// A physician's weekly hours, leave and slot length.
#[uniffi::remote(Record)]
pub struct Schedule {
    /// Weekly hours.
    pub available_time: Vec<AvailableTime>,
    /// Leave.
    #[uniffi(default)]
    pub not_available: Vec<NotAvailable>,
    /// The length of one appointment, 5 to 240 minutes.
    #[uniffi(default = 30)]
    pub slot_minutes: u32,
}

/// A physician's practice (FHIR `Practitioner` and `PractitionerRole`).
#[uniffi::remote(Record)]
pub struct PhysicianProfile {
    /// Name.
    pub name: HumanName,
    /// Specialty, such as `cardiology` (stored trimmed and lowercase).
    pub specialty: String,
    /// Phone and email.
    #[uniffi(default)]
    pub contact: Contact,
    /// When they see patients, and for how long.
    pub schedule: Schedule,
    /// Ids from other systems.
    #[uniffi(default)]
    pub identifiers: Vec<Identifier>,
}

/// A physician as the hospital knows them. Kept, inactive, once the account is removed.
#[uniffi::remote(Record)]
pub struct Physician {
    /// The physician's account id.
    pub account: AccountId,
    /// Their username, to search availability by.
    pub username: String,
    /// False once the account is removed.
    pub active: bool,
    /// Their practice.
    pub profile: PhysicianProfile,
}
