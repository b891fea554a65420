//! FHIR R4 Bundles as JSON: `Patient`, `Practitioner` (its specialty from a
//! `PractitionerRole` that points at it), `Appointment`, and `Encounter` read as an
//! appointment. `PractitionerRole`s are read for specialties only; other resource types are
//! skipped and counted. An entry that is not a JSON object, or whose `resource` is there but
//! not one, is a rejected row of no kind. Rows are numbered by entry, from 1.
//!
//! References may be relative (`Patient/123`, also with `/_history/…`), absolute URLs, the
//! `urn:uuid:…` fullUrl of another entry, or conditional (`Practitioner?identifier=system|value`)
//! naming another entry's identifier; each is resolved to the id of the resource it names.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde_json::Value;

use super::clean::{
    self, Field, RawAddress, RawAppointment, RawName, RawPatient, RawPhysician, StatusCodes,
};
use super::{
    CleanRow, Draft, ImportKind, SYSTEM_FHIR_APPOINTMENT, SYSTEM_FHIR_ENCOUNTER,
    SYSTEM_FHIR_PATIENT, SYSTEM_FHIR_PRACTITIONER, file_error,
};
use crate::error::Result;

const PATIENT: &str = "Patient";
const PRACTITIONER: &str = "Practitioner";

/// Reads the rows of a Bundle (only those of `only`, if given; entries of other kinds are
/// then counted as skipped), and how many entries were skipped.
pub(crate) fn read(
    text: &str,
    only: Option<ImportKind>,
    today: NaiveDate,
) -> Result<(Vec<Draft>, usize)> {
    let bundle: Value = serde_json::from_str(text).map_err(|error| {
        file_error(format!(
            "it is not valid JSON (line {}, column {})",
            error.line(),
            error.column()
        ))
    })?;
    if bundle.get("resourceType").and_then(Value::as_str) != Some("Bundle") {
        return Err(file_error("it is not a FHIR Bundle"));
    }
    let entries = match bundle.get("entry") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(entries)) => entries.as_slice(),
        Some(_) => return Err(file_error("its entry element is not a list")),
    };
    let index = Index::new(entries);
    let mut drafts = Vec::new();
    let mut skipped = 0;
    for (at, entry) in entries.iter().enumerate() {
        let id = resource_id(entry);
        let mut notes = Vec::new();
        let read = read_entry(entry, id.as_deref(), &index, only, today, &mut notes);
        let (kind, result) = match read {
            Entry::Row(kind, result) => (kind, result),
            Entry::Role => continue,
            Entry::Skipped => {
                skipped += 1;
                continue;
            }
        };
        let number = at + 1;
        drafts.push(Draft {
            row: number,
            locator: format!("entry {number}"),
            kind,
            source_id: Field::new("id", id.as_deref()).source_id(),
            notes,
            result,
        });
    }
    Ok((drafts, skipped))
}

/// What a bundle entry comes to.
#[allow(
    clippy::large_enum_variant,
    reason = "most entries are rows, each used at once; boxing would only add an allocation per row"
)]
enum Entry {
    /// A row: its kind if it can be told, and its cleaned content or what is wrong with it.
    Row(
        Option<ImportKind>,
        std::result::Result<CleanRow, Vec<String>>,
    ),
    /// A `PractitionerRole`, read for specialties only.
    Role,
    /// Another resource type, a kind not asked for, or no resource at all: counted as skipped.
    Skipped,
}

/// Reads one entry, whose resource id is `id`; only of kind `only`, if given. What cleansing
/// converted goes to `notes`.
fn read_entry(
    entry: &Value,
    id: Option<&str>,
    index: &Index<'_>,
    only: Option<ImportKind>,
    today: NaiveDate,
    notes: &mut Vec<String>,
) -> Entry {
    if let Some(reason) = unreadable(entry) {
        return Entry::Row(None, Err(vec![reason.to_owned()]));
    }
    let resource = entry.get("resource").unwrap_or(&Value::Null);
    let kind = match resource.get("resourceType").and_then(Value::as_str) {
        Some("Patient") => ImportKind::Patients,
        Some("Practitioner") => ImportKind::Physicians,
        Some("Appointment" | "Encounter") => ImportKind::Appointments,
        Some("PractitionerRole") => return Entry::Role,
        _ => return Entry::Skipped,
    };
    if only.is_some_and(|only| only != kind) {
        return Entry::Skipped;
    }
    let id_field = Field::new("id", id);
    let result = match kind {
        ImportKind::Patients => {
            clean::patient(&patient(resource, id_field), today, notes).map(CleanRow::Patient)
        }
        ImportKind::Physicians => {
            let specialty = id.and_then(|id| index.specialties.get(id).copied());
            clean::physician(&physician(resource, id_field, specialty), notes)
                .map(CleanRow::Physician)
        }
        ImportKind::Appointments => {
            clean::appointment(&index.appointment(resource, id_field), today)
                .map(CleanRow::Appointment)
        }
    };
    Entry::Row(Some(kind), result)
}

/// What makes an entry unreadable, as a reason: it is not an object, or its `resource` is
/// there but not an object. An entry without a resource (such as a `DELETE` request) has
/// nothing to import, and is skipped.
fn unreadable(entry: &Value) -> Option<&'static str> {
    match entry {
        Value::Object(fields) => match fields.get("resource") {
            None | Some(Value::Object(_)) => None,
            Some(_) => Some("resource: not an object"),
        },
        _ => Some("entry: not an object"),
    }
}

/// A resource's id, or failing that the uuid of its `urn:uuid:` fullUrl.
fn resource_id(entry: &Value) -> Option<String> {
    let id = entry
        .pointer("/resource/id")
        .and_then(Value::as_str)
        .filter(|id| !id.trim().is_empty());
    let uuid = || {
        entry
            .get("fullUrl")
            .and_then(Value::as_str)
            .and_then(|url| url.trim().strip_prefix("urn:uuid:"))
    };
    id.or_else(uuid).map(|id| id.trim().to_owned())
}

/// A text element as a field: strings and numbers are text, a missing or null element is
/// absent, anything else is not text.
fn field(label: &'static str, value: Option<&Value>) -> Field {
    match value {
        None | Some(Value::Null) => Field::absent(label),
        Some(Value::String(text)) => Field::new(label, Some(text)),
        Some(Value::Number(number)) => Field::new(label, Some(&number.to_string())),
        Some(_) => Field::invalid(label, "not text"),
    }
}

/// The value of the first `telecom` of `system` (`phone` or `email`).
fn telecom(resource: &Value, system: &str, label: &'static str) -> Field {
    let value = resource
        .get("telecom")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|point| point.get("system").and_then(Value::as_str) == Some(system))
        .and_then(|point| point.get("value"));
    field(label, value)
}

/// `name[0]`: family, and every given name (the first required).
fn name(resource: &Value) -> RawName {
    let family = field("name.family", resource.pointer("/name/0/family"));
    let mut given = match resource.pointer("/name/0/given") {
        Some(Value::Array(names)) => names
            .iter()
            .map(|name| field("name.given", Some(name)))
            .collect(),
        other => vec![field("name.given", other)],
    };
    let first = if given.is_empty() {
        Field::absent("name.given")
    } else {
        given.remove(0)
    };
    RawName::Parts {
        family,
        given: first,
        more_given: given,
    }
}

fn patient(resource: &Value, id: Field) -> RawPatient {
    let line = match resource.pointer("/address/0/line") {
        Some(Value::Array(lines)) => {
            let lines: Vec<&str> = lines.iter().filter_map(Value::as_str).collect();
            Field::new("address.line", Some(&lines.join(", ")))
        }
        other => field("address.line", other),
    };
    RawPatient {
        system: SYSTEM_FHIR_PATIENT,
        id,
        name: name(resource),
        birth_date: field("birthDate", resource.get("birthDate")),
        death_date: field("deceasedDateTime", resource.get("deceasedDateTime")),
        gender: field("gender", resource.get("gender")),
        phone: telecom(resource, "phone", "telecom.phone"),
        email: telecom(resource, "email", "telecom.email"),
        address: RawAddress {
            line,
            city: field("address.city", resource.pointer("/address/0/city")),
            state: field("address.state", resource.pointer("/address/0/state")),
            postal_code: field(
                "address.postalCode",
                resource.pointer("/address/0/postalCode"),
            ),
        },
    }
}

fn physician(resource: &Value, id: Field, specialty: Option<&str>) -> RawPhysician {
    RawPhysician {
        system: SYSTEM_FHIR_PRACTITIONER,
        id,
        name: name(resource),
        specialty: Field::new("PractitionerRole.specialty", specialty),
        gender: field("gender", resource.get("gender")),
        phone: telecom(resource, "phone", "telecom.phone"),
        email: telecom(resource, "email", "telecom.email"),
    }
}

/// What references in the bundle can resolve to.
struct Index<'a> {
    /// Resource type and id, by fullUrl.
    full_urls: HashMap<&'a str, (&'a str, String)>,
    /// Resource type and id, by conditional reference (`Type?identifier=system|value`).
    identifiers: HashMap<String, (&'a str, String)>,
    /// Specialty text, by practitioner id (from the first `PractitionerRole` with one).
    specialties: HashMap<String, &'a str>,
}

impl<'a> Index<'a> {
    fn new(entries: &'a [Value]) -> Self {
        let mut index = Self {
            full_urls: HashMap::new(),
            identifiers: HashMap::new(),
            specialties: HashMap::new(),
        };
        for entry in entries {
            let resource_type = entry
                .pointer("/resource/resourceType")
                .and_then(Value::as_str);
            let (Some(resource_type), Some(id)) = (resource_type, resource_id(entry)) else {
                continue;
            };
            if let Some(url) = entry.get("fullUrl").and_then(Value::as_str) {
                index
                    .full_urls
                    .insert(url.trim(), (resource_type, id.clone()));
            }
            let identifiers = entry
                .pointer("/resource/identifier")
                .and_then(Value::as_array);
            for identifier in identifiers.into_iter().flatten() {
                let system = identifier.get("system").and_then(Value::as_str);
                let value = identifier.get("value").and_then(Value::as_str);
                if let (Some(system), Some(value)) = (system, value) {
                    let key = format!("{resource_type}?identifier={system}|{value}");
                    index
                        .identifiers
                        .entry(key)
                        .or_insert_with(|| (resource_type, id.clone()));
                }
            }
        }
        for resource in entries.iter().filter_map(|entry| entry.get("resource")) {
            if resource.get("resourceType").and_then(Value::as_str) != Some("PractitionerRole") {
                continue;
            }
            let specialty = resource
                .pointer("/specialty/0/coding/0/display")
                .or_else(|| resource.pointer("/specialty/0/text"))
                .and_then(Value::as_str)
                .filter(|text| !text.trim().is_empty());
            let practitioner = resource
                .pointer("/practitioner/reference")
                .and_then(Value::as_str)
                .and_then(|reference| index.resolve(reference));
            if let (Some(specialty), Some((PRACTITIONER, id))) = (specialty, practitioner) {
                index.specialties.entry(id).or_insert(specialty);
            }
        }
        index
    }

    /// The type and id of the resource a reference names.
    fn resolve(&self, reference: &str) -> Option<(&'a str, String)> {
        let reference = reference.trim();
        if let Some(found) = self.full_urls.get(reference) {
            return Some(found.clone());
        }
        if reference.starts_with("urn:") || reference.contains('?') {
            return self.identifiers.get(reference).cloned();
        }
        let path = reference.split("/_history/").next().unwrap_or(reference);
        let mut segments = path.rsplit('/');
        let id = segments.next().filter(|id| !id.is_empty())?;
        let resource_type = segments.next().filter(|kind| !kind.is_empty())?;
        let resource_type = [PATIENT, PRACTITIONER]
            .into_iter()
            .find(|&known| known == resource_type)
            .unwrap_or("other");
        Some((resource_type, id.to_owned()))
    }

    /// The first of `references` that names a resource of `expected` type, as a field: absent
    /// if there is none, unresolvable if none named one but some could not be resolved.
    fn reference<'v>(
        &self,
        label: &'static str,
        references: impl IntoIterator<Item = &'v Value>,
        expected: &str,
    ) -> Field {
        let mut unresolved = false;
        for reference in references.into_iter().filter_map(Value::as_str) {
            match self.resolve(reference) {
                Some((resource_type, id)) if resource_type == expected => {
                    return Field::new(label, Some(&id));
                }
                Some(_) => {}
                None => unresolved = true,
            }
        }
        if unresolved {
            Field::invalid(label, "reference not resolvable")
        } else {
            Field::absent(label)
        }
    }

    /// An `Appointment`, or an `Encounter` read as one.
    fn appointment(&self, resource: &Value, id: Field) -> RawAppointment {
        let participants = resource
            .get("participant")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let references = |key: &'static str| {
            participants
                .iter()
                .filter_map(move |participant| participant.get(key))
                .filter_map(|reference| reference.get("reference"))
        };
        let status = field("status", resource.get("status"));
        if resource.get("resourceType").and_then(Value::as_str) == Some("Encounter") {
            let subject = resource.pointer("/subject/reference");
            RawAppointment {
                system: SYSTEM_FHIR_ENCOUNTER,
                patient_system: SYSTEM_FHIR_PATIENT,
                physician_system: SYSTEM_FHIR_PRACTITIONER,
                id,
                patient: self.reference("subject", subject, PATIENT),
                physician: self.reference(
                    "participant.individual",
                    references("individual"),
                    PRACTITIONER,
                ),
                start: field("period.start", resource.pointer("/period/start")),
                end: field("period.end", resource.pointer("/period/end")),
                status,
                codes: StatusCodes::Encounter,
            }
        } else {
            RawAppointment {
                system: SYSTEM_FHIR_APPOINTMENT,
                patient_system: SYSTEM_FHIR_PATIENT,
                physician_system: SYSTEM_FHIR_PRACTITIONER,
                id,
                patient: self.reference("participant.patient", references("actor"), PATIENT),
                physician: self.reference(
                    "participant.practitioner",
                    references("actor"),
                    PRACTITIONER,
                ),
                start: field("start", resource.get("start")),
                end: field("end", resource.get("end")),
                status,
                codes: StatusCodes::Appointment,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDateTime;

    use super::*;
    use crate::appointment::AppointmentStatus;
    use crate::import::tests::{assert_rows, fixture_today, rejected, ymd, ymd_hm};
    use crate::import::{
        CleanAppointment, CleanPatient, CleanPhysician, ParsedFile, RowOutcome, SourceFormat, parse,
    };
    use crate::profile::{Address, Contact, Gender, HumanName, Identifier};

    const BUNDLE: &[u8] = include_bytes!("../../tests/fixtures/import/bundle.json");
    const SCHMIDT: &str = "5f7e1d32-7c1a-4a51-9f3c-2b8e1f0c9a11";
    const OKAFOR: &str = "pat-okafor";
    const BAUMBACH: &str = "0000016d-3a85-4cca-0000-000000000a8c";
    const ODUYA: &str = "3c1d0e2f-4b5a-4c6d-8e7f-901a2b3c4d5e";

    fn read_bundle(kind: Option<ImportKind>) -> ParsedFile {
        let file = parse(BUNDLE, kind, fixture_today()).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(file.format, SourceFormat::FhirBundle);
        file
    }

    fn patients() -> [(usize, ImportKind, &'static str, RowOutcome); 3] {
        let schmidt = CleanPatient {
            source: Identifier::new(SYSTEM_FHIR_PATIENT, SCHMIDT),
            name: HumanName::new("Klaus Peter", "Schmidt"),
            birth_date: ymd(1970, 5, 20),
            gender: Gender::Male,
            contact: Contact {
                phone: Some("+493012345678".to_owned()),
                email: Some("klaus.schmidt@example.de".to_owned()),
            },
            address: Some(Address {
                line: "Hauptstraße 5, 2. OG".to_owned(),
                city: "Berlin".to_owned(),
                state: "BE".to_owned(),
                postal_code: "10115".to_owned(),
            }),
        };
        let okafor = CleanPatient {
            source: Identifier::new(SYSTEM_FHIR_PATIENT, OKAFOR),
            name: HumanName::new("Ngozi", "Okafor"),
            birth_date: ymd(1988, 12, 1),
            gender: Gender::Female,
            contact: Contact::default(),
            address: None,
        };
        let row = |number, id, outcome| (number, ImportKind::Patients, id, outcome);
        [
            row(1, SCHMIDT, RowOutcome::Accepted(CleanRow::Patient(schmidt))),
            row(2, OKAFOR, RowOutcome::Accepted(CleanRow::Patient(okafor))),
            row(
                3,
                "pat-incomplete",
                rejected(&["name.family: missing", "birthDate: in the future"]),
            ),
        ]
    }

    fn appointment(
        system: &str,
        [id, patient, physician]: [&str; 3],
        [start, end]: [NaiveDateTime; 2],
        status: AppointmentStatus,
    ) -> RowOutcome {
        RowOutcome::Accepted(CleanRow::Appointment(CleanAppointment {
            source: Identifier::new(system, id),
            patient: Identifier::new(SYSTEM_FHIR_PATIENT, patient),
            physician: Identifier::new(SYSTEM_FHIR_PRACTITIONER, physician),
            start,
            end,
            status,
        }))
    }

    #[test]
    fn the_bundle_fixture_is_cleansed() {
        let file = read_bundle(None);
        let physician = |id, given, family, specialty: &str, gender, contact| {
            RowOutcome::Accepted(CleanRow::Physician(CleanPhysician {
                source: Identifier::new(SYSTEM_FHIR_PRACTITIONER, id),
                name: HumanName::new(given, family),
                specialty: specialty.to_owned(),
                gender: Some(gender),
                contact,
            }))
        };
        let mut expected = patients().to_vec();
        let physicians = ImportKind::Physicians;
        let appointments = ImportKind::Appointments;
        expected.extend([
            (
                4,
                physicians,
                BAUMBACH,
                physician(
                    BAUMBACH,
                    "Gail",
                    "Baumbach",
                    "general practice",
                    Gender::Female,
                    Contact {
                        phone: None,
                        email: Some("gail.baumbach@example.org".to_owned()),
                    },
                ),
            ),
            (
                5,
                physicians,
                ODUYA,
                physician(
                    ODUYA,
                    "Chen",
                    "Oduya",
                    "cardiology",
                    Gender::Male,
                    Contact {
                        phone: Some("+16175550123".to_owned()),
                        email: None,
                    },
                ),
            ),
            (
                9,
                appointments,
                "appt-1",
                appointment(
                    SYSTEM_FHIR_APPOINTMENT,
                    ["appt-1", SCHMIDT, BAUMBACH],
                    [ymd_hm(2025, 7, 10, 7, 0), ymd_hm(2025, 7, 10, 7, 30)],
                    AppointmentStatus::Booked,
                ),
            ),
            (
                10,
                appointments,
                "appt-2",
                appointment(
                    SYSTEM_FHIR_APPOINTMENT,
                    ["appt-2", OKAFOR, ODUYA],
                    [ymd_hm(2025, 3, 3, 10, 0), ymd_hm(2025, 3, 3, 10, 20)],
                    AppointmentStatus::Fulfilled,
                ),
            ),
            (
                11,
                appointments,
                "appt-3",
                rejected(&[
                    "participant.patient: reference not resolvable",
                    "end: not after start",
                    "status: unknown code",
                ]),
            ),
            (
                12,
                appointments,
                "appt-4",
                RowOutcome::Duplicate { of_row: 10 },
            ),
            (
                13,
                appointments,
                "enc-1",
                appointment(
                    SYSTEM_FHIR_ENCOUNTER,
                    ["enc-1", SCHMIDT, BAUMBACH],
                    [ymd_hm(2024, 12, 2, 8, 15), ymd_hm(2024, 12, 2, 8, 45)],
                    AppointmentStatus::Fulfilled,
                ),
            ),
        ]);
        assert_rows(&file, "entry", &expected);
        assert_eq!(file.skipped_resources, 1, "the Observation");
    }

    #[test]
    fn an_explicit_kind_keeps_only_its_resources() {
        let file = read_bundle(Some(ImportKind::Patients));
        assert_rows(&file, "entry", &patients());
        assert_eq!(
            file.skipped_resources, 8,
            "2 practitioners, 5 appointments, 1 observation"
        );
    }

    #[test]
    fn references_resolve_to_resource_ids() {
        let entries = serde_json::json!([
            { "fullUrl": "urn:uuid:u-1", "resource": { "resourceType": "Patient", "id": "p-1" } },
            { "fullUrl": "urn:uuid:u-2", "resource": { "resourceType": "Patient" } },
            {
                "fullUrl": "https://example.org/fhir/Practitioner/d-1",
                "resource": {
                    "resourceType": "Practitioner",
                    "id": "d-1",
                    "identifier": [{ "system": "urn:npi", "value": "42" }]
                }
            }
        ]);
        let entries = entries.as_array().map(Vec::as_slice).unwrap_or_default();
        let index = Index::new(entries);
        let resolve = |reference: &str| index.resolve(reference);
        let found = |kind: &'static str, id: &str| Some((kind, id.to_owned()));
        assert_eq!(resolve("urn:uuid:u-1"), found(PATIENT, "p-1"));
        assert_eq!(resolve(" urn:uuid:u-2 "), found(PATIENT, "u-2"));
        assert_eq!(resolve("urn:uuid:u-3"), None);
        assert_eq!(resolve("Patient/p-7"), found(PATIENT, "p-7"));
        assert_eq!(resolve("Patient/p-7/_history/3"), found(PATIENT, "p-7"));
        assert_eq!(
            resolve("https://other.example/fhir/Patient/p-8"),
            found(PATIENT, "p-8")
        );
        assert_eq!(
            resolve("https://example.org/fhir/Practitioner/d-1"),
            found(PRACTITIONER, "d-1")
        );
        assert_eq!(
            resolve("Practitioner?identifier=urn:npi|42"),
            found(PRACTITIONER, "d-1")
        );
        assert_eq!(resolve("Practitioner?identifier=urn:npi|43"), None);
        assert_eq!(resolve("Location/l-1"), found("other", "l-1"));
        assert_eq!(resolve("p-9"), None);
    }

    #[test]
    fn entries_that_are_not_objects_are_rejected_rows() {
        let bundle = br#"{"resourceType": "Bundle", "entry": [
            {"fullUrl": "urn:uuid:u-1", "resource": 42},
            {"resource": "Patient"},
            {"resource": [{"resourceType": "Patient"}]},
            {"resource": null},
            7,
            {"request": {"method": "DELETE", "url": "Patient/1"}}
        ]}"#;
        for only in [None, Some(ImportKind::Patients)] {
            let file = parse(bundle, only, fixture_today());
            let file = file.unwrap_or_else(|error| panic!("{error}"));
            let rows: Vec<_> = file
                .rows
                .iter()
                .map(|row| (row.row, row.kind, row.source_id.as_deref(), &row.outcome))
                .collect();
            let not_an_object = rejected(&["resource: not an object"]);
            assert_eq!(
                rows,
                [
                    (1, None, Some("u-1"), &not_an_object),
                    (2, None, None, &not_an_object),
                    (3, None, None, &not_an_object),
                    (4, None, None, &not_an_object),
                    (5, None, None, &rejected(&["entry: not an object"])),
                ]
            );
            assert_eq!(file.skipped_resources, 1, "the entry without a resource");
        }
    }

    #[test]
    fn bundles_need_the_bundle_shape() {
        let parse_text = |text: &str| parse(text.as_bytes(), None, fixture_today());
        assert!(parse_text(r#"{"resourceType": "Patient"}"#).is_err());
        assert!(parse_text(r#"{"resourceType": "Bundle", "entry": {}}"#).is_err());
        assert!(parse_text(r#"{"resourceType": "Bundle", "entry": [}"#).is_err());
        let empty = parse_text(r#"{"resourceType": "Bundle", "type": "collection"}"#);
        assert_eq!(empty.map(|file| file.rows.len()).ok(), Some(0));
        let odd = parse_text(
            r#"{"resourceType": "Bundle", "entry": [
                {"request": {"method": "DELETE", "url": "Patient/1"}},
                {"resource": {"resourceType": "Patient", "id": ["not", "text"],
                    "name": [{"family": 7, "given": "Ann"}], "gender": {"x": 1},
                    "birthDate": "1990-01-01"}}
            ]}"#,
        );
        let odd = odd.unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(odd.skipped_resources, 1);
        assert_eq!(odd.rows.len(), 1);
        assert_eq!(odd.rows[0].source_id, None);
        assert_eq!(
            odd.rows[0].outcome,
            rejected(&["id: missing", "name.family: no letters", "gender: not text"])
        );
    }
}
