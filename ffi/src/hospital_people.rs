//! The hospital's people as they cross the boundary: patients' and physicians' profiles and
//! physicians' schedules, with their conversions. Account ids are 32 hex digits; dates and
//! times are ISO 8601 strings ([`crate::iso`]). Field names follow the core's, which follow
//! FHIR R4.

use medvault_hospital as core;

use crate::error::{MedVaultError, Result};
use crate::iso::{format_date, format_time, parse_date, parse_time};

/// Administrative gender (FHIR `AdministrativeGender`).
#[derive(uniffi::Enum, Clone, Copy, Debug, PartialEq, Eq)]
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

impl From<Gender> for core::Gender {
    fn from(gender: Gender) -> Self {
        match gender {
            Gender::Male => Self::Male,
            Gender::Female => Self::Female,
            Gender::Other => Self::Other,
            Gender::Unknown => Self::Unknown,
        }
    }
}

impl From<core::Gender> for Gender {
    fn from(gender: core::Gender) -> Self {
        match gender {
            core::Gender::Male => Self::Male,
            core::Gender::Female => Self::Female,
            core::Gender::Other => Self::Other,
            core::Gender::Unknown => Self::Unknown,
        }
    }
}

/// A person's name (FHIR `HumanName`).
#[derive(uniffi::Record, Clone, Debug, PartialEq, Eq)]
pub struct HumanName {
    /// Given names, in order.
    pub given: Vec<String>,
    /// Family name (required).
    pub family: String,
}

impl From<HumanName> for core::HumanName {
    fn from(name: HumanName) -> Self {
        Self {
            family: name.family,
            given: name.given,
        }
    }
}

impl From<core::HumanName> for HumanName {
    fn from(name: core::HumanName) -> Self {
        Self {
            given: name.given,
            family: name.family,
        }
    }
}

/// A postal address (FHIR `Address`).
#[derive(uniffi::Record, Clone, Debug, Default, PartialEq, Eq)]
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

impl From<Address> for core::Address {
    fn from(address: Address) -> Self {
        Self {
            line: address.line,
            city: address.city,
            state: address.state,
            postal_code: address.postal_code,
        }
    }
}

impl From<core::Address> for Address {
    fn from(address: core::Address) -> Self {
        Self {
            line: address.line,
            city: address.city,
            state: address.state,
            postal_code: address.postal_code,
        }
    }
}

/// An identifier a person is known by elsewhere (FHIR `Identifier`): a hospital number, or
/// the id a record had in the system it was imported from.
#[derive(uniffi::Record, Clone, Debug, PartialEq, Eq)]
pub struct Identifier {
    /// The namespace, such as `urn:oid:…` or a URL naming the issuing system.
    pub system: String,
    /// The value within it.
    pub value: String,
}

impl From<Identifier> for core::Identifier {
    fn from(identifier: Identifier) -> Self {
        Self {
            system: identifier.system,
            value: identifier.value,
        }
    }
}

impl From<core::Identifier> for Identifier {
    fn from(identifier: core::Identifier) -> Self {
        Self {
            system: identifier.system,
            value: identifier.value,
        }
    }
}

/// Each item converted.
pub(crate) fn converted<T, U: From<T>>(items: Vec<T>) -> Vec<U> {
    items.into_iter().map(U::from).collect()
}

fn contact(phone: Option<String>, email: Option<String>) -> core::Contact {
    core::Contact { phone, email }
}

/// A patient's demographics (FHIR `Patient`).
#[derive(uniffi::Record, Clone, Debug, PartialEq, Eq)]
pub struct PatientProfile {
    /// Name.
    pub name: HumanName,
    /// Birth date, `2026-12-02`: not in the future, at most 150 years back.
    pub birth_date: String,
    /// Administrative gender.
    pub gender: Gender,
    /// A phone number, `+` and 8 to 15 digits (E.164).
    #[uniffi(default = None)]
    pub phone: Option<String>,
    /// An email address.
    #[uniffi(default = None)]
    pub email: Option<String>,
    /// Postal address.
    #[uniffi(default = None)]
    pub address: Option<Address>,
    /// Hospital numbers and ids from other systems.
    #[uniffi(default)]
    pub identifiers: Vec<Identifier>,
}

impl TryFrom<PatientProfile> for core::PatientProfile {
    type Error = MedVaultError;

    fn try_from(profile: PatientProfile) -> Result<Self> {
        Ok(Self {
            name: profile.name.into(),
            birth_date: parse_date("birthDate", &profile.birth_date)?,
            gender: profile.gender.into(),
            contact: contact(profile.phone, profile.email),
            address: profile.address.map(Into::into),
            identifiers: converted(profile.identifiers),
        })
    }
}

impl From<core::PatientProfile> for PatientProfile {
    fn from(profile: core::PatientProfile) -> Self {
        Self {
            name: profile.name.into(),
            birth_date: format_date(profile.birth_date),
            gender: profile.gender.into(),
            phone: profile.contact.phone,
            email: profile.contact.email,
            address: profile.address.map(Into::into),
            identifiers: converted(profile.identifiers),
        }
    }
}

/// A day of the week (FHIR `daysOfWeek`).
#[derive(uniffi::Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weekday {
    /// `mon`
    Monday,
    /// `tue`
    Tuesday,
    /// `wed`
    Wednesday,
    /// `thu`
    Thursday,
    /// `fri`
    Friday,
    /// `sat`
    Saturday,
    /// `sun`
    Sunday,
}

impl From<Weekday> for chrono::Weekday {
    fn from(day: Weekday) -> Self {
        match day {
            Weekday::Monday => Self::Mon,
            Weekday::Tuesday => Self::Tue,
            Weekday::Wednesday => Self::Wed,
            Weekday::Thursday => Self::Thu,
            Weekday::Friday => Self::Fri,
            Weekday::Saturday => Self::Sat,
            Weekday::Sunday => Self::Sun,
        }
    }
}

impl From<chrono::Weekday> for Weekday {
    fn from(day: chrono::Weekday) -> Self {
        match day {
            chrono::Weekday::Mon => Self::Monday,
            chrono::Weekday::Tue => Self::Tuesday,
            chrono::Weekday::Wed => Self::Wednesday,
            chrono::Weekday::Thu => Self::Thursday,
            chrono::Weekday::Fri => Self::Friday,
            chrono::Weekday::Sat => Self::Saturday,
            chrono::Weekday::Sun => Self::Sunday,
        }
    }
}

/// Weekly hours (FHIR `availableTime`): on these days, from `startTime` to `endTime`.
#[derive(uniffi::Record, Clone, Debug, PartialEq, Eq)]
pub struct AvailableTime {
    /// The days of the week (at least one).
    pub days_of_week: Vec<Weekday>,
    /// The first minute, such as `09:00` (FHIR `availableStartTime`).
    pub start_time: String,
    /// The end, exclusive, such as `12:00` (FHIR `availableEndTime`).
    pub end_time: String,
}

/// Leave (FHIR `notAvailable`): no slots from `start` to `end`, both days included.
#[derive(uniffi::Record, Clone, Debug, PartialEq, Eq)]
pub struct NotAvailable {
    /// Why, such as "annual leave".
    pub description: String,
    /// The first day, `2026-12-02`.
    pub start: String,
    /// The last day.
    pub end: String,
}

/// A physician's weekly hours, leave and slot length.
#[derive(uniffi::Record, Clone, Debug, PartialEq, Eq)]
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

impl TryFrom<Schedule> for core::Schedule {
    type Error = MedVaultError;

    fn try_from(schedule: Schedule) -> Result<Self> {
        let available_time = schedule
            .available_time
            .into_iter()
            .map(|hours| {
                Ok(core::AvailableTime {
                    days_of_week: converted(hours.days_of_week),
                    start: parse_time("startTime", &hours.start_time)?,
                    end: parse_time("endTime", &hours.end_time)?,
                })
            })
            .collect::<Result<_>>()?;
        let not_available = schedule
            .not_available
            .into_iter()
            .map(|leave| {
                Ok(core::NotAvailable {
                    description: leave.description,
                    start: parse_date("leave start", &leave.start)?,
                    end: parse_date("leave end", &leave.end)?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Self {
            available_time,
            not_available,
            slot_minutes: schedule.slot_minutes,
        })
    }
}

impl From<core::Schedule> for Schedule {
    fn from(schedule: core::Schedule) -> Self {
        Self {
            available_time: schedule
                .available_time
                .into_iter()
                .map(|hours| AvailableTime {
                    days_of_week: converted(hours.days_of_week),
                    start_time: format_time(hours.start),
                    end_time: format_time(hours.end),
                })
                .collect(),
            not_available: schedule
                .not_available
                .into_iter()
                .map(|leave| NotAvailable {
                    description: leave.description,
                    start: format_date(leave.start),
                    end: format_date(leave.end),
                })
                .collect(),
            slot_minutes: schedule.slot_minutes,
        }
    }
}

/// A physician's practice (FHIR `Practitioner` and `PractitionerRole`).
#[derive(uniffi::Record, Clone, Debug, PartialEq, Eq)]
pub struct PhysicianProfile {
    /// Name.
    pub name: HumanName,
    /// Specialty, such as `cardiology` (stored trimmed and lowercase).
    pub specialty: String,
    /// A phone number, `+` and 8 to 15 digits (E.164).
    #[uniffi(default = None)]
    pub phone: Option<String>,
    /// An email address.
    #[uniffi(default = None)]
    pub email: Option<String>,
    /// When they see patients, and for how long.
    pub schedule: Schedule,
    /// Ids from other systems.
    #[uniffi(default)]
    pub identifiers: Vec<Identifier>,
}

impl TryFrom<PhysicianProfile> for core::PhysicianProfile {
    type Error = MedVaultError;

    fn try_from(profile: PhysicianProfile) -> Result<Self> {
        Ok(Self {
            name: profile.name.into(),
            specialty: profile.specialty,
            contact: contact(profile.phone, profile.email),
            schedule: profile.schedule.try_into()?,
            identifiers: converted(profile.identifiers),
        })
    }
}

impl From<core::PhysicianProfile> for PhysicianProfile {
    fn from(profile: core::PhysicianProfile) -> Self {
        Self {
            name: profile.name.into(),
            specialty: profile.specialty,
            phone: profile.contact.phone,
            email: profile.contact.email,
            schedule: profile.schedule.into(),
            identifiers: converted(profile.identifiers),
        }
    }
}

/// A physician as the hospital knows them. Kept, inactive, once the account is removed.
#[derive(uniffi::Record, Clone, Debug, PartialEq, Eq)]
pub struct Physician {
    /// The physician's account id.
    pub account: String,
    /// Their username, to search availability by.
    pub username: String,
    /// False once the account is removed.
    pub active: bool,
    /// Their practice.
    pub profile: PhysicianProfile,
}

impl From<core::Physician> for Physician {
    fn from(physician: core::Physician) -> Self {
        Self {
            account: physician.account.to_string(),
            username: physician.username,
            active: physician.active,
            profile: physician.profile.into(),
        }
    }
}
