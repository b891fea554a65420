//! Import with cleansing, the pure half: turns the bytes of a Synthea CSV file
//! (`patients.csv`, `providers.csv`, `encounters.csv`) or a FHIR R4 Bundle into rows, each
//! cleaned and accepted (with notes on what cleansing converted), a duplicate of an earlier
//! row of the same file, in conflict with one (its source id, with other data), or rejected
//! with reasons; then [`Hospital::operator_import`](crate::Hospital::operator_import)
//! (`apply`) writes the accepted rows to the vault, finding rows an earlier run already
//! imported through their source [`Identifier`]: it leaves them alone, or updates a patient
//! whose demographics the file changes.
//!
//! Source ids are exact strings once trimmed. Within a file, an id that differs from an
//! earlier accepted row's only in letter case is rejected: some systems read ids in any case
//! (UUIDs, for one), so the two rows may be one patient or two, and a person must decide.
//!
//! - [`clean`]: the cleansing rules (names, dates, sex codes, phone numbers, statuses), shared
//!   by both sources;
//! - `csv_source` and `fhir_source` (private): read raw fields out of each format;
//! - [`report`]: what happened to every row, as JSON or CSV;
//! - [`ImportRows`]: a file read row by row (`survey` first checks it as a whole, `settle`
//!   finds duplicates and conflicts);
//! - `apply` (private): the accepted rows into the vault, in batches, as the operator.
//!
//! Reasons name the column (or FHIR element) and what is wrong with it, never the value:
//! reports are shared and logged, and must not carry patient data. The one value a report
//! does carry is the row's source id, the sending system's own key, needed to fix the row.
//!
//! Times are read as UTC wall-clock times: an RFC 3339 time with an offset is converted to UTC
//! and the offset dropped.

mod apply;
pub mod clean;
mod csv_source;
mod fhir_source;
pub mod report;
mod rows;
mod settle;
mod survey;

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::appointment::AppointmentStatus;
use crate::error::{HospitalError, Result};
use crate::profile::{Address, Contact, Gender, HumanName, Identifier, PatientProfile, invalid};

pub use report::{ImportReport, ImportSummary, ReportOutcome, ReportRow};
pub use rows::ImportRows;

/// The identifier system of patients read from a Synthea `patients.csv`.
pub const SYSTEM_CSV_PATIENTS: &str = "urn:medvault:import:synthea-csv:patients";
/// The identifier system of physicians read from a Synthea `providers.csv`.
pub const SYSTEM_CSV_PHYSICIANS: &str = "urn:medvault:import:synthea-csv:physicians";
/// The identifier system of appointments read from a Synthea `encounters.csv`.
pub const SYSTEM_CSV_APPOINTMENTS: &str = "urn:medvault:import:synthea-csv:appointments";
/// The identifier system of FHIR `Patient` resources.
pub const SYSTEM_FHIR_PATIENT: &str = "urn:medvault:import:fhir:Patient";
/// The identifier system of FHIR `Practitioner` resources.
pub const SYSTEM_FHIR_PRACTITIONER: &str = "urn:medvault:import:fhir:Practitioner";
/// The identifier system of FHIR `Appointment` resources.
pub const SYSTEM_FHIR_APPOINTMENT: &str = "urn:medvault:import:fhir:Appointment";
/// The identifier system of FHIR `Encounter` resources (imported as appointments).
pub const SYSTEM_FHIR_ENCOUNTER: &str = "urn:medvault:import:fhir:Encounter";

/// Accepted rows committed per batch, and rows read at a time from a file of one kind (see
/// [`Hospital::operator_import_rows`](crate::Hospital::operator_import_rows)).
pub const ROWS_PER_BATCH: usize = 500;

/// What a row describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportKind {
    /// Patients (Synthea `patients.csv`, FHIR `Patient`).
    Patients,
    /// Physicians (Synthea `providers.csv`, FHIR `Practitioner` with `PractitionerRole`).
    Physicians,
    /// Appointments (Synthea `encounters.csv`, FHIR `Appointment` and `Encounter`).
    Appointments,
}

impl ImportKind {
    /// `patients`, `physicians` or `appointments`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Patients => "patients",
            Self::Physicians => "physicians",
            Self::Appointments => "appointments",
        }
    }
}

impl fmt::Display for ImportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ImportKind {
    type Err = HospitalError;

    /// `patients`, `physicians` or `appointments`, in any case.
    fn from_str(text: &str) -> Result<Self> {
        match text.trim().to_lowercase().as_str() {
            "patients" => Ok(Self::Patients),
            "physicians" => Ok(Self::Physicians),
            "appointments" => Ok(Self::Appointments),
            _ => Err(invalid(
                "import kind",
                "expected patients, physicians or appointments",
            )),
        }
    }
}

/// The format a file was read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceFormat {
    /// A CSV file as Synthea writes it, header first.
    SyntheaCsv,
    /// A FHIR R4 Bundle, as JSON.
    FhirBundle,
}

/// A cleaned patient, ready to become a patient profile.
#[derive(Clone, PartialEq, Eq)]
pub struct CleanPatient {
    /// The row's id in the system it came from.
    pub source: Identifier,
    /// Name.
    pub name: HumanName,
    /// Birth date, checked against the import's `today`.
    pub birth_date: NaiveDate,
    /// Administrative gender.
    pub gender: Gender,
    /// Phone (E.164) and email (lowercase).
    pub contact: Contact,
    /// Postal address, if any part of it was given.
    pub address: Option<Address>,
}

debug_without_patient_data!(CleanPatient {});

impl CleanPatient {
    /// The profile of a new patient: this row's demographics and its source identifier.
    pub(crate) fn profile(&self) -> PatientProfile {
        PatientProfile {
            name: self.name.clone(),
            birth_date: self.birth_date,
            gender: self.gender,
            contact: self.contact.clone(),
            address: self.address.clone(),
            identifiers: vec![self.source.clone()],
        }
    }

    /// `known` with this row's demographics, and the fields that changed: name, birth date
    /// and gender always come from the row; phone, email and address when the row gives
    /// them (a row that leaves one blank keeps the known one: an import never erases).
    /// Identifiers stay as they are.
    pub(crate) fn apply_to(&self, known: &PatientProfile) -> (PatientProfile, Vec<&'static str>) {
        let changed = changed([
            ("name", self.name != known.name),
            ("birth date", self.birth_date != known.birth_date),
            ("gender", self.gender != known.gender),
            ("phone", replaces(&self.contact.phone, &known.contact.phone)),
            ("email", replaces(&self.contact.email, &known.contact.email)),
            ("address", replaces(&self.address, &known.address)),
        ]);
        let or_known = |value: &Option<String>, known: &Option<String>| {
            value.clone().or_else(|| known.clone())
        };
        let profile = PatientProfile {
            name: self.name.clone(),
            birth_date: self.birth_date,
            gender: self.gender,
            contact: Contact {
                phone: or_known(&self.contact.phone, &known.contact.phone),
                email: or_known(&self.contact.email, &known.contact.email),
            },
            address: self.address.clone().or_else(|| known.address.clone()),
            identifiers: known.identifiers.clone(),
        };
        (profile, changed)
    }
}

/// A cleaned physician, ready to become a physician profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CleanPhysician {
    /// The row's id in the system it came from.
    pub source: Identifier,
    /// Name.
    pub name: HumanName,
    /// Specialty, lowercase, such as `general practice`.
    pub specialty: String,
    /// Administrative gender, if given.
    pub gender: Option<Gender>,
    /// Phone (E.164) and email (lowercase).
    pub contact: Contact,
}

/// A cleaned appointment, naming its patient and physician by their source identifiers.
#[derive(Clone, PartialEq, Eq)]
pub struct CleanAppointment {
    /// The row's id in the system it came from.
    pub source: Identifier,
    /// The patient's source identifier (a patient row of the same format).
    pub patient: Identifier,
    /// The physician's source identifier (a physician row of the same format).
    pub physician: Identifier,
    /// Start, UTC wall-clock time.
    pub start: NaiveDateTime,
    /// End, after `start`.
    pub end: NaiveDateTime,
    /// Status.
    pub status: AppointmentStatus,
}

debug_without_patient_data!(CleanAppointment { status });

/// A field rows with the same source id are compared in (see [`CleanRow::compared`]).
pub(crate) struct Compared {
    pub name: &'static str,
    /// Whether a row that leaves it blank keeps the earlier row's value: then only a value
    /// given, and different, changes it.
    pub optional: bool,
    pub digest: Option<u64>,
}

/// The fields in which a row whose fields are `row` would change an earlier row whose
/// digests are `earlier` (of the same kind, in the same order); none for a plain repeat.
pub(crate) fn changes(row: &[Compared], earlier: &[Option<u64>]) -> Vec<&'static str> {
    row.iter()
        .zip(earlier)
        .filter(|(field, earlier)| {
            field.digest != **earlier && (field.digest.is_some() || !field.optional)
        })
        .map(|(field, _)| field.name)
        .collect()
}

/// Digests of values, for comparing rows without keeping them: SipHash under a random key
/// of this import's own, 64 bits (two different values of one field digest alike once in
/// about 1.8 × 10^19 comparisons).
#[derive(Default)]
pub(crate) struct Digest(std::collections::hash_map::RandomState);

impl Digest {
    /// The digest of `value`.
    pub(crate) fn of<T: std::hash::Hash + ?Sized>(&self, value: &T) -> u64 {
        use std::hash::BuildHasher;
        self.0.hash_one(value)
    }

    /// The digest of a value, if there is one.
    fn of_some<T: std::hash::Hash>(&self, value: &Option<T>) -> Option<u64> {
        value.as_ref().map(|value| self.of(value))
    }
}

/// The names of the fields marked changed.
fn changed<const N: usize>(fields: [(&'static str, bool); N]) -> Vec<&'static str> {
    fields
        .into_iter()
        .filter_map(|(name, changed)| changed.then_some(name))
        .collect()
}

/// Whether an optional `value` changes the `known` one: it is given, and differs.
fn replaces<T: PartialEq>(value: &Option<T>, known: &Option<T>) -> bool {
    value.is_some() && value != known
}

/// An accepted row's cleaned content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CleanRow {
    /// A patient.
    Patient(CleanPatient),
    /// A physician.
    Physician(CleanPhysician),
    /// An appointment.
    Appointment(CleanAppointment),
}

impl CleanRow {
    /// The row's source identifier.
    pub fn source(&self) -> &Identifier {
        match self {
            Self::Patient(patient) => &patient.source,
            Self::Physician(physician) => &physician.source,
            Self::Appointment(appointment) => &appointment.source,
        }
    }

    /// What the row describes.
    pub fn kind(&self) -> ImportKind {
        match self {
            Self::Patient(_) => ImportKind::Patients,
            Self::Physician(_) => ImportKind::Physicians,
            Self::Appointment(_) => ImportKind::Appointments,
        }
    }

    /// The fields rows with the same source id are compared in, in a fixed order, each with
    /// a digest of its value (`None` when blank): for a patient name, birth date, gender,
    /// phone, email and address (as [`CleanPatient::apply_to`] compares them with a stored
    /// profile); for a physician name, specialty, gender, phone and email; for an
    /// appointment patient, physician, start, end and status.
    pub(crate) fn compared(&self, digest: &Digest) -> Vec<Compared> {
        let given = |name: &'static str, value: u64| Compared {
            name,
            optional: false,
            digest: Some(value),
        };
        let optional = |name: &'static str, value: Option<u64>| Compared {
            name,
            optional: true,
            digest: value,
        };
        match self {
            Self::Patient(row) => vec![
                given("name", digest.of(&row.name)),
                given("birth date", digest.of(&row.birth_date)),
                given("gender", digest.of(&row.gender)),
                optional("phone", digest.of_some(&row.contact.phone)),
                optional("email", digest.of_some(&row.contact.email)),
                optional("address", digest.of_some(&row.address)),
            ],
            Self::Physician(row) => vec![
                given("name", digest.of(&row.name)),
                given("specialty", digest.of(&row.specialty)),
                optional("gender", digest.of_some(&row.gender)),
                optional("phone", digest.of_some(&row.contact.phone)),
                optional("email", digest.of_some(&row.contact.email)),
            ],
            Self::Appointment(row) => vec![
                given("patient", digest.of(&row.patient)),
                given("physician", digest.of(&row.physician)),
                given("start", digest.of(&row.start)),
                given("end", digest.of(&row.end)),
                given("status", digest.of(&row.status)),
            ],
        }
    }

    /// What makes two rows with different ids the same thing: a patient's name and birth
    /// date, a physician's name and specialty, an appointment's patient, physician and start.
    pub(crate) fn natural_key(&self) -> NaturalKey {
        let name = |name: &HumanName| {
            let given = name
                .given
                .iter()
                .map(|given| given.to_lowercase())
                .collect();
            (name.family.to_lowercase(), given)
        };
        match self {
            Self::Patient(patient) => NaturalKey::Patient(name(&patient.name), patient.birth_date),
            Self::Physician(physician) => {
                NaturalKey::Physician(name(&physician.name), physician.specialty.clone())
            }
            Self::Appointment(appointment) => NaturalKey::Appointment(
                appointment.patient.clone(),
                appointment.physician.clone(),
                appointment.start,
            ),
        }
    }
}

/// What makes two rows with different source ids the same thing.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum NaturalKey {
    Patient((String, Vec<String>), NaiveDate),
    Physician((String, Vec<String>), String),
    Appointment(Identifier, Identifier, NaiveDateTime),
}

/// What became of a row.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(
    clippy::large_enum_variant,
    reason = "most rows are accepted; boxing would only add an allocation per row"
)]
pub enum RowOutcome {
    /// Cleaned and accepted.
    Accepted(CleanRow),
    /// The same as an earlier accepted row of the file (same source id, or same natural key).
    Duplicate {
        /// The earlier row's number.
        of_row: usize,
    },
    /// The same source id as an earlier accepted row of the file, with other data: the earlier
    /// row is kept, this one left out.
    Conflict {
        /// The earlier row's number.
        of_row: usize,
        /// The fields that differ, such as `name` or `birth date`: a value this row gives
        /// that the earlier row lacks or has otherwise (a value this row leaves blank does
        /// not count).
        fields: Vec<&'static str>,
    },
    /// Rejected; each reason names a column and what is wrong with it.
    Rejected {
        /// Every problem found: the id, the name, then the other fields in a fixed order.
        reasons: Vec<String>,
    },
}

/// One row of an input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedRow {
    /// Its number: the line a CSV record starts on (the header is line 1), or the 1-based
    /// index of a bundle entry.
    pub row: usize,
    /// Where it is, for people: `line 7` or `entry 3`.
    pub locator: String,
    /// What it describes; `None` for a bundle entry too broken to tell (rejected).
    pub kind: Option<ImportKind>,
    /// Its id in the system it came from, trimmed, if it has one (and it holds no control or
    /// bidirectional formatting character).
    pub source_id: Option<String>,
    /// What became of it.
    pub outcome: RowOutcome,
    /// What cleansing converted that a reader should check, such as
    /// `BIRTHDATE: read day first (DD/MM/YYYY)`: the column and a few words, never the
    /// value. Empty for a rejected row.
    pub notes: Vec<String>,
}

impl ParsedRow {
    /// Its cleaned content, if it was accepted.
    pub fn clean(&self) -> Option<&CleanRow> {
        match &self.outcome {
            RowOutcome::Accepted(clean) => Some(clean),
            _ => None,
        }
    }
}

/// Every row of an input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedFile {
    /// The format it was read as.
    pub format: SourceFormat,
    /// Its rows, in file order.
    pub rows: Vec<ParsedRow>,
    /// Bundle entries of other resource types (or of kinds not asked for), skipped.
    pub skipped_resources: usize,
}

impl ParsedFile {
    /// The accepted rows with their cleaned content, in file order.
    pub fn accepted(&self) -> impl Iterator<Item = (&ParsedRow, &CleanRow)> {
        self.rows.iter().filter_map(|row| Some((row, row.clean()?)))
    }
}

/// Reads an import file: a Synthea CSV file (its kind guessed from the header unless `kind`
/// names it) or a FHIR R4 Bundle as JSON (every kind it holds, or only `kind`'s resources).
/// `today` bounds birth dates and picks the default status of appointments without one.
///
/// Problems with single rows become rejected rows; only a file that cannot be read as a whole
/// (not UTF-8, no header, a required column missing, a header of another kind than `kind`, a
/// quoted field never closed, bad JSON, not a Bundle) is an error,
/// [`HospitalError::InvalidInput`] for `import file`. Every row of a file is therefore in the
/// result, or none is: a CSV quote never closed would swallow every row after it, so such a
/// file is refused, naming the line the quote opens on, as PostgreSQL's `COPY` and pandas
/// refuse it.
pub fn parse(bytes: &[u8], kind: Option<ImportKind>, today: NaiveDate) -> Result<ParsedFile> {
    ImportRows::open(std::io::Cursor::new(bytes), kind, today)?.into_file()
}

/// A row as a source read it, before duplicates are looked for.
pub(crate) struct Draft {
    pub row: usize,
    pub locator: String,
    pub kind: Option<ImportKind>,
    pub source_id: Option<String>,
    pub notes: Vec<String>,
    pub result: std::result::Result<CleanRow, Vec<String>>,
}

/// A file-level error; `reason` must not quote the file.
pub(crate) fn file_error(reason: impl Into<String>) -> HospitalError {
    invalid("import file", reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default()
    }

    /// The `today` the fixtures are parsed on.
    pub(super) fn fixture_today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 1).unwrap_or_default()
    }

    /// Asserts every row of `file`: its number, locator (`word` and number), kind, source id
    /// and outcome.
    pub(super) fn assert_rows(
        file: &ParsedFile,
        word: &str,
        expected: &[(usize, ImportKind, &str, RowOutcome)],
    ) {
        let numbers: Vec<usize> = file.rows.iter().map(|row| row.row).collect();
        let expected_numbers: Vec<usize> = expected.iter().map(|row| row.0).collect();
        assert_eq!(numbers, expected_numbers);
        for (row, (number, kind, source_id, outcome)) in file.rows.iter().zip(expected) {
            assert_eq!(row.locator, format!("{word} {number}"));
            assert_eq!(row.kind, Some(*kind), "{}", row.locator);
            assert_eq!(
                row.source_id.as_deref(),
                Some(*source_id),
                "{}",
                row.locator
            );
            assert_eq!(&row.outcome, outcome, "{}", row.locator);
        }
    }

    /// A rejection for these reasons.
    pub(super) fn rejected(reasons: &[&str]) -> RowOutcome {
        RowOutcome::Rejected {
            reasons: reasons.iter().map(|reason| (*reason).to_owned()).collect(),
        }
    }

    /// A date, for expectations.
    pub(super) fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
    }

    /// A date and time to the minute, for expectations.
    pub(super) fn ymd_hm(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> NaiveDateTime {
        ymd(year, month, day)
            .and_hms_opt(hour, minute, 0)
            .unwrap_or_default()
    }

    #[test]
    fn kinds_parse_and_print() {
        assert_eq!(
            "patients".parse::<ImportKind>().ok(),
            Some(ImportKind::Patients)
        );
        assert_eq!(
            " Physicians ".parse::<ImportKind>().ok(),
            Some(ImportKind::Physicians)
        );
        assert_eq!(
            "appointments".parse::<ImportKind>().ok(),
            Some(ImportKind::Appointments)
        );
        assert!("encounters".parse::<ImportKind>().is_err());
        assert_eq!(ImportKind::Physicians.to_string(), "physicians");
    }

    #[test]
    fn file_level_problems_are_errors_that_do_not_quote_the_file() {
        let cases: [&[u8]; 5] = [
            b"\xff\xfe secret",
            b"",
            b"Id,SECRET,COLOUR\n1,x,y\n",
            b"{ \"resourceType\": \"Patient\", \"id\": \"secret\" }",
            b"{ secret",
        ];
        for bytes in cases {
            match parse(bytes, None, today()) {
                Err(HospitalError::InvalidInput { what, reason }) => {
                    assert_eq!(what, "import file");
                    assert!(
                        !reason.contains("secret") && !reason.contains("SECRET"),
                        "{reason}"
                    );
                }
                other => panic!("expected an import file error, got {other:?}"),
            }
        }
    }

    #[test]
    fn an_explicit_kind_must_match_the_header() {
        let patients = b"Id,BIRTHDATE,FIRST,LAST,GENDER\n1,1980-01-01,Ada,Lovelace,F\n";
        assert!(parse(patients, Some(ImportKind::Patients), today()).is_ok());
        let error = parse(patients, Some(ImportKind::Physicians), today());
        assert!(
            matches!(&error, Err(HospitalError::InvalidInput { reason, .. }) if reason.contains("physicians")),
            "{error:?}"
        );
    }

    #[test]
    fn a_byte_order_mark_is_ignored() -> Result<()> {
        let file = parse(
            "\u{feff}Id,BIRTHDATE,FIRST,LAST,GENDER\n1,1980-01-01,Ada,Lovelace,F\n".as_bytes(),
            None,
            today(),
        )?;
        assert_eq!(file.format, SourceFormat::SyntheaCsv);
        assert_eq!(file.accepted().count(), 1);
        Ok(())
    }

    #[test]
    fn only_accepted_rows_count_for_duplicates_and_conflicts() -> Result<()> {
        let file = parse(
            b"Id,BIRTHDATE,FIRST,LAST,GENDER\n\
              1,1980-01-01,Ada,,F\n\
              1,1980-01-01,Ada,Lovelace,F\n\
              1,1981-01-01,Bea,Byron,F\n\
              2,1980-01-01,ADA,LOVELACE,female\n\
              1,1980-01-01,ada,lovelace,f\n",
            None,
            today(),
        )?;
        let outcomes: Vec<_> = file.rows.iter().map(|row| &row.outcome).collect();
        assert!(matches!(outcomes[0], RowOutcome::Rejected { .. }));
        assert!(matches!(outcomes[1], RowOutcome::Accepted(_)));
        assert_eq!(
            outcomes[2],
            &RowOutcome::Conflict {
                of_row: 3,
                fields: vec!["name", "birth date"]
            }
        );
        assert_eq!(outcomes[3], &RowOutcome::Duplicate { of_row: 3 });
        assert_eq!(outcomes[4], &RowOutcome::Duplicate { of_row: 3 });
        Ok(())
    }

    #[test]
    fn a_blank_optional_field_repeats_an_earlier_row_and_a_given_one_may_conflict() -> Result<()> {
        let file = parse(
            b"Id,NAME,SPECIALITY,GENDER\n\
              d-1,Rosa Diaz,Dermatology,F\n\
              d-1,Rosa Diaz,Dermatology,\n\
              d-1,Rosa Diaz,dermatology,M\n\
              d-1,Rosa Diaz,Cardiology,\n",
            None,
            today(),
        )?;
        let outcomes: Vec<_> = file.rows.iter().map(|row| &row.outcome).collect();
        assert!(matches!(outcomes[0], RowOutcome::Accepted(_)));
        assert_eq!(outcomes[1], &RowOutcome::Duplicate { of_row: 2 });
        assert_eq!(
            outcomes[2],
            &RowOutcome::Conflict {
                of_row: 2,
                fields: vec!["gender"]
            }
        );
        assert_eq!(
            outcomes[3],
            &RowOutcome::Conflict {
                of_row: 2,
                fields: vec!["specialty"]
            }
        );
        Ok(())
    }

    #[test]
    fn a_later_row_changes_an_earlier_one_by_the_values_it_gives() {
        let patient = |phone: Option<&str>, city: Option<&str>| CleanPatient {
            source: Identifier::new(SYSTEM_CSV_PATIENTS, "p-1"),
            name: HumanName::new("Ada", "Lovelace"),
            birth_date: today(),
            gender: Gender::Female,
            contact: Contact {
                phone: phone.map(str::to_owned),
                email: None,
            },
            address: city.map(|city| Address {
                city: city.to_owned(),
                ..Address::default()
            }),
        };
        let known = patient(Some("+15552013344"), Some("Boston")).profile();
        let (kept, changed) = patient(None, None).apply_to(&known);
        assert_eq!((kept, changed), (known.clone(), Vec::new()), "blanks keep");
        let (moved, changed) = patient(Some("+15552019999"), Some("Quincy")).apply_to(&known);
        assert_eq!(changed, ["phone", "address"]);
        assert_eq!(moved.contact.phone.as_deref(), Some("+15552019999"));
        assert_eq!(moved.identifiers, known.identifiers);
    }
}
