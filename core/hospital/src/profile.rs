//! Who people are to the hospital: a patient's demographics (FHIR `Patient`) and a
//! physician's practice (FHIR `Practitioner` with its `PractitionerRole`), stored as encrypted
//! documents keyed by account.

use chrono::NaiveDate;
use medvault::vault::Document;
use medvault_identity::AccountId;
use serde::{Deserialize, Serialize};

use super::schedule::Schedule;
use crate::error::{HospitalError, Result};

/// Administrative gender, as FHIR codes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
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

impl Gender {
    /// The FHIR code: `male`, `female`, `other` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
            Gender::Other => "other",
            Gender::Unknown => "unknown",
        }
    }

    /// The gender a FHIR code names.
    pub fn from_code(code: &str) -> Result<Self> {
        [Gender::Male, Gender::Female, Gender::Other, Gender::Unknown]
            .into_iter()
            .find(|gender| gender.as_str() == code)
            .ok_or_else(|| invalid("gender", "expected male, female, other or unknown"))
    }
}

/// A person's name (FHIR `HumanName`).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HumanName {
    /// Family name.
    pub family: String,
    /// Given names, in order.
    pub given: Vec<String>,
}

debug_without_patient_data!(HumanName {});

impl HumanName {
    /// `given` (space-separated given names) and `family`.
    pub fn new(given: &str, family: &str) -> Self {
        Self {
            family: family.to_owned(),
            given: given.split_whitespace().map(str::to_owned).collect(),
        }
    }

    /// Given names then family name.
    pub fn text(&self) -> String {
        let mut parts = self.given.clone();
        parts.push(self.family.clone());
        parts.join(" ")
    }

    fn check(&self) -> Result<()> {
        if self.family.trim().is_empty() {
            return Err(invalid("name", "the family name is required"));
        }
        if self.given.iter().any(|given| given.trim().is_empty()) {
            return Err(invalid("name", "a given name is empty"));
        }
        if self.text().chars().count() > 200 {
            return Err(invalid("name", "it is longer than 200 characters"));
        }
        Ok(())
    }
}

/// A postal address (FHIR `Address`).
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Address {
    /// Street and number.
    pub line: String,
    /// City.
    pub city: String,
    /// State or region.
    pub state: String,
    /// Postal code.
    pub postal_code: String,
}

debug_without_patient_data!(Address {});

/// An identifier a person is known by elsewhere (FHIR `Identifier`): a hospital number, or
/// the id a record had in the system it was imported from.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Identifier {
    /// The namespace, such as `urn:oid:…` or a URL naming the issuing system.
    pub system: String,
    /// The value within it.
    pub value: String,
}

debug_without_patient_data!(Identifier { system });

impl Identifier {
    /// `value` in `system`.
    pub fn new(system: &str, value: &str) -> Self {
        Self {
            system: system.to_owned(),
            value: value.to_owned(),
        }
    }

    /// The form the identifier is indexed under.
    pub(crate) fn key(&self) -> String {
        format!("{}|{}", self.system, self.value)
    }

    fn check(&self) -> Result<()> {
        if self.system.trim().is_empty() || self.value.trim().is_empty() {
            return Err(invalid("identifier", "system and value are both required"));
        }
        Ok(())
    }
}

/// How to reach a person (FHIR `ContactPoint`s, phone and email).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// A phone number, `+` and digits (E.164).
    pub phone: Option<String>,
    /// An email address.
    pub email: Option<String>,
}

debug_without_patient_data!(Contact {});

impl Contact {
    fn check(&self) -> Result<()> {
        if self.phone.as_deref().is_some_and(|phone| !is_e164(phone)) {
            return Err(invalid(
                "phone",
                "expected + and 8 to 15 digits (E.164, such as +41446681800)",
            ));
        }
        if self.email.as_deref().is_some_and(|email| !is_email(email)) {
            return Err(invalid(
                "email",
                "expected an address such as name@example.org",
            ));
        }
        Ok(())
    }
}

/// Whether `phone` is `+` and 8 to 15 digits, the first not 0 (E.164).
pub(crate) fn is_e164(phone: &str) -> bool {
    phone.strip_prefix('+').is_some_and(|digits| {
        (8..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0')
    })
}

/// Whether `email` has one `@` with something before it and a dotted domain after it, and no
/// whitespace.
pub(crate) fn is_email(email: &str) -> bool {
    email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !domain.contains('@')
    }) && !email.chars().any(char::is_whitespace)
}

/// A patient's demographics (FHIR `Patient`), one per patient account.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientProfile {
    /// Name.
    pub name: HumanName,
    /// Birth date.
    pub birth_date: NaiveDate,
    /// Administrative gender.
    pub gender: Gender,
    /// Phone and email.
    pub contact: Contact,
    /// Postal address.
    pub address: Option<Address>,
    /// Hospital numbers and ids from other systems.
    pub identifiers: Vec<Identifier>,
}

debug_without_patient_data!(PatientProfile {});

impl PatientProfile {
    /// Checks the profile; `today` bounds the birth date.
    pub fn check(&self, today: NaiveDate) -> Result<()> {
        self.name.check()?;
        self.contact.check()?;
        check_birth_date(self.birth_date, today)?;
        self.identifiers.iter().try_for_each(Identifier::check)
    }
}

/// A physician's practice (FHIR `Practitioner` and `PractitionerRole`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhysicianProfile {
    /// Name.
    pub name: HumanName,
    /// Specialty, such as `cardiology` (stored lowercase).
    pub specialty: String,
    /// Phone and email.
    pub contact: Contact,
    /// When they see patients (`availableTime`, `notAvailable`) and for how long.
    pub schedule: Schedule,
    /// Ids from other systems.
    pub identifiers: Vec<Identifier>,
}

impl PhysicianProfile {
    /// Checks the profile.
    pub fn check(&self) -> Result<()> {
        self.name.check()?;
        self.contact.check()?;
        if self.specialty.trim().is_empty()
            || self.specialty.chars().count() > 100
            || self.specialty != self.specialty.to_lowercase()
        {
            return Err(invalid(
                "specialty",
                "it must be 1 to 100 characters, lowercase",
            ));
        }
        self.schedule.check()?;
        self.identifiers.iter().try_for_each(Identifier::check)
    }
}

/// Checks that a birth date is neither in the future nor more than 150 years back.
pub fn check_birth_date(birth_date: NaiveDate, today: NaiveDate) -> Result<()> {
    if birth_date > today {
        return Err(invalid("birth date", "it is in the future"));
    }
    if today
        .years_since(birth_date)
        .is_none_or(|years| years > 150)
    {
        return Err(invalid("birth date", "it is more than 150 years ago"));
    }
    Ok(())
}

/// A patient's profile as stored, under the patient's account id.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PatientFile {
    pub(crate) account: AccountId,
    pub(crate) profile: PatientProfile,
}

debug_without_patient_data!(PatientFile { account });

impl Document for PatientFile {
    const COLLECTION: &'static str = "patient-profiles";

    fn id(&self) -> String {
        self.account.to_string()
    }

    fn indexed_fields(&self) -> Vec<(&'static str, String)> {
        identifier_fields(&self.profile.identifiers)
    }
}

/// A physician as the hospital knows them: account, username and practice. Kept, inactive,
/// when the account is removed, so that what they wrote stays attributed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Physician {
    /// The physician's account.
    pub account: AccountId,
    /// Their username, to search availability by.
    pub username: String,
    /// False once the account is removed.
    pub active: bool,
    /// Their practice.
    pub profile: PhysicianProfile,
}

impl Document for Physician {
    const COLLECTION: &'static str = "physicians";

    fn id(&self) -> String {
        self.account.to_string()
    }

    fn indexed_fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = identifier_fields(&self.profile.identifiers);
        if self.active {
            fields.push(("active", "yes".to_owned()));
            fields.push(("username", self.username.clone()));
            fields.push(("specialty", self.profile.specialty.clone()));
        }
        fields
    }
}

fn identifier_fields(identifiers: &[Identifier]) -> Vec<(&'static str, String)> {
    identifiers
        .iter()
        .map(|identifier| ("identifier", identifier.key()))
        .collect()
}

pub(crate) fn invalid(what: &'static str, reason: impl Into<String>) -> HospitalError {
    HospitalError::InvalidInput {
        what,
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap_or_default()
    }

    #[test]
    fn contacts_are_checked() {
        let phone = |p: &str| Contact {
            phone: Some(p.to_owned()),
            email: None,
        };
        assert!(phone("+41446681800").check().is_ok());
        assert!(phone("0446681800").check().is_err());
        assert!(phone("+4144 668").check().is_err());
        let email = |e: &str| Contact {
            phone: None,
            email: Some(e.to_owned()),
        };
        assert!(email("ada@example.org").check().is_ok());
        assert!(email("ada@example").check().is_err());
        assert!(email("a da@example.org").check().is_err());
    }

    #[test]
    fn birth_dates_are_bounded() {
        let today = date("2026-11-30");
        assert!(check_birth_date(date("1980-02-29"), today).is_ok());
        assert!(check_birth_date(date("2026-12-01"), today).is_err());
        assert!(check_birth_date(date("1870-01-01"), today).is_err());
    }

    #[test]
    fn debug_output_shows_no_patient_data() {
        let profile = PatientProfile {
            name: HumanName::new("Ada", "Lovelace"),
            birth_date: date("1815-12-10"),
            gender: Gender::Female,
            contact: Contact {
                phone: Some("+441632960000".to_owned()),
                email: Some("ada@example.org".to_owned()),
            },
            address: Some(Address {
                line: "12 St James's Square".to_owned(),
                ..Address::default()
            }),
            identifiers: vec![Identifier::new("urn:hospital:number", "H-1815")],
        };
        let printed = format!("{profile:?} {:?}", profile.identifiers);
        for secret in [
            "Ada",
            "Lovelace",
            "1815",
            "+44",
            "example.org",
            "James",
            "H-1815",
        ] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
        assert!(printed.contains("urn:hospital:number"), "{printed}");
    }

    #[test]
    fn names_need_a_family_name() {
        assert!(HumanName::new("Ada", "").check().is_err());
        assert!(HumanName::new("Ada Maria", "Lovelace").check().is_ok());
        assert_eq!(
            HumanName::new(" Ada  Maria ", "Lovelace").text(),
            "Ada Maria Lovelace"
        );
        assert_eq!(Gender::from_code("female").ok(), Some(Gender::Female));
        assert!(Gender::from_code("F").is_err());
    }
}
