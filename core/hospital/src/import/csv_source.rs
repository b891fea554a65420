//! Synthea CSV files: `patients.csv`, `providers.csv` (physicians) and `encounters.csv`
//! (appointments). The first line is the header; columns are found by name, in any order
//! and case; other columns are ignored. Rows are numbered by the line they start on, lines
//! ending in `\n`, `\r\n` or `\r` alike.
//!
//! Rows are read from the file as they are asked for. A quoted field that the file never
//! closes makes the whole file an error (see `survey`), found before any row is read.

use std::collections::{HashMap, VecDeque};
use std::io::Read;

use chrono::NaiveDate;
use csv::StringRecord;

use super::clean::{
    self, Field, RawAddress, RawAppointment, RawName, RawPatient, RawPhysician, StatusCodes,
};
use super::{
    CleanRow, Draft, ImportKind, SYSTEM_CSV_APPOINTMENTS, SYSTEM_CSV_PATIENTS,
    SYSTEM_CSV_PHYSICIANS, file_error,
};
use crate::error::Result;

/// Synthea's spelling of the specialty column; `SPECIALTY` is read too.
const SPECIALITY: &str = "SPECIALITY";
const SPECIALTY: &str = "SPECIALTY";

/// The columns a file of each kind must have (for physicians, either spelling of the
/// specialty).
fn required_columns(kind: ImportKind) -> &'static [&'static str] {
    match kind {
        ImportKind::Patients => &["Id", "BIRTHDATE", "FIRST", "LAST", "GENDER"],
        ImportKind::Physicians => &["Id", "NAME", SPECIALITY],
        ImportKind::Appointments => &["Id", "START", "PATIENT", "PROVIDER"],
    }
}

/// The rows of a Synthea CSV file, read one at a time: memory holds the header, the record
/// being read and the reader's buffer, whatever the file's size.
pub(crate) struct CsvRows<R> {
    reader: csv::Reader<Lines<R>>,
    header: Header,
    kind: ImportKind,
    today: NaiveDate,
    record: StringRecord,
}

impl<R: Read> CsvRows<R> {
    /// Reads the header of a Synthea CSV file of `kind`, or of the kind its header shows,
    /// from `source` (after any byte order mark; a quote never closed has been looked for).
    pub(crate) fn new(source: R, kind: Option<ImportKind>, today: NaiveDate) -> Result<Self> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(Lines::new(source));
        let header = Header::new(
            reader
                .headers()
                .map_err(|_| file_error("its header line cannot be read"))?,
        );
        if header.columns.is_empty() {
            return Err(file_error("it has no header line"));
        }
        let kind = match kind {
            Some(kind) if header.fits(kind) => kind,
            Some(kind) => {
                return Err(file_error(format!(
                    "its header is not that of a Synthea CSV file of {kind}"
                )));
            }
            None => header.guess().ok_or_else(|| {
                file_error(
                    "it is neither a FHIR Bundle nor a Synthea CSV file of patients, \
                     physicians or appointments",
                )
            })?,
        };
        let missing: Vec<&str> = required_columns(kind)
            .iter()
            .copied()
            .filter(|&column| header.index(column).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(file_error(format!(
                "its header lacks the required columns {}",
                missing.join(", ")
            )));
        }
        Ok(Self {
            reader,
            header,
            kind,
            today,
            record: StringRecord::new(),
        })
    }

    /// The file read from.
    #[cfg(test)]
    pub(crate) fn source(&mut self) -> &mut R {
        &mut self.reader.get_mut().source
    }

    /// The next row, cleaned; `None` at the end. Blank records are passed over.
    pub(crate) fn next_draft(&mut self) -> Result<Option<Draft>> {
        loop {
            let more = self.reader.read_record(&mut self.record).map_err(|error| {
                let line = self.reader.get_mut().record_line(error.position());
                file_error(format!("it is not valid CSV from line {line}"))
            })?;
            if !more {
                return Ok(None);
            }
            if !self.record.iter().all(|field| field.trim().is_empty()) {
                break;
            }
        }
        let line = self.reader.get_mut().record_line(self.record.position());
        let row = Row {
            header: &self.header,
            record: &self.record,
        };
        let mut notes = Vec::new();
        let result = match self.kind {
            ImportKind::Patients => {
                clean::patient(&row.patient(), self.today, &mut notes).map(CleanRow::Patient)
            }
            ImportKind::Physicians => {
                clean::physician(&row.physician(), &mut notes).map(CleanRow::Physician)
            }
            ImportKind::Appointments => {
                clean::appointment(&row.appointment(), self.today).map(CleanRow::Appointment)
            }
        };
        Ok(Some(Draft {
            row: line,
            locator: format!("line {line}"),
            kind: Some(self.kind),
            source_id: row.field("Id").source_id(),
            notes,
            result,
        }))
    }
}

/// The source of the CSV reader, which counts the lines of what it has read: line numbers of
/// byte offsets, counted forward from the last offset asked for, keeping only the bytes read
/// past it. `\n`, `\r\n` and a lone `\r` each end a line, as each ends a record.
struct Lines<R> {
    source: R,
    /// The bytes read from `counted` on.
    unread: VecDeque<u8>,
    /// The offset counted up to.
    counted: usize,
    /// The line of that offset.
    line: usize,
}

impl<R: Read> Read for Lines<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.source.read(buffer)?;
        self.unread.extend(&buffer[..read]);
        Ok(read)
    }
}

impl<R> Lines<R> {
    fn new(source: R) -> Self {
        Self {
            source,
            unread: VecDeque::new(),
            counted: 0,
            line: 1,
        }
    }

    /// The line of the byte at `offset`, which is not before the offset last asked for and
    /// not after what the reader has read.
    fn line_at(&mut self, offset: usize) -> usize {
        while self.counted < offset {
            let Some(byte) = self.unread.pop_front() else {
                break;
            };
            let ends_line = match byte {
                b'\n' => true,
                b'\r' => self.unread.front() != Some(&b'\n'),
                _ => false,
            };
            self.line += usize::from(ends_line);
            self.counted += 1;
        }
        self.line
    }

    /// The line a record starts on. The reader places a record where the one before it ended,
    /// before the line breaks it skips (the `\n` of a `\r\n`, empty lines): those are passed
    /// over here.
    fn record_line(&mut self, position: Option<&csv::Position>) -> usize {
        let ended = position.map_or(0, |position| {
            usize::try_from(position.byte()).unwrap_or(usize::MAX)
        });
        self.line_at(ended);
        let breaks = self
            .unread
            .iter()
            .take_while(|&&byte| matches!(byte, b'\n' | b'\r'))
            .count();
        self.line_at(ended.saturating_add(breaks))
    }
}

/// Column positions by upper-case, trimmed name (the first of equal names).
struct Header {
    columns: HashMap<String, usize>,
}

impl Header {
    fn new(record: &StringRecord) -> Self {
        let mut columns = HashMap::new();
        for (at, name) in record.iter().enumerate() {
            let name = name.trim().to_uppercase();
            if !name.is_empty() {
                columns.entry(name).or_insert(at);
            }
        }
        Self { columns }
    }

    /// Where the column is; the two spellings of the specialty are one column.
    fn index(&self, column: &str) -> Option<usize> {
        let found = self.columns.get(&column.to_uppercase()).copied();
        match column {
            SPECIALITY => found.or_else(|| self.columns.get(SPECIALTY).copied()),
            _ => found,
        }
    }

    /// Whether the header has the columns that mark a file of `kind`.
    fn fits(&self, kind: ImportKind) -> bool {
        match kind {
            ImportKind::Patients => self.index("BIRTHDATE").is_some(),
            ImportKind::Physicians => self.index(SPECIALITY).is_some(),
            ImportKind::Appointments => ["START", "PATIENT", "PROVIDER"]
                .into_iter()
                .all(|column| self.index(column).is_some()),
        }
    }

    /// The kind of file the header is of.
    fn guess(&self) -> Option<ImportKind> {
        [
            ImportKind::Patients,
            ImportKind::Physicians,
            ImportKind::Appointments,
        ]
        .into_iter()
        .find(|&kind| self.fits(kind))
    }
}

/// One record, read through the header.
struct Row<'a> {
    header: &'a Header,
    record: &'a StringRecord,
}

impl Row<'_> {
    /// The column's value, labelled with its name; absent if the file lacks the column.
    fn field(&self, column: &'static str) -> Field {
        let value = self.header.index(column).and_then(|at| self.record.get(at));
        Field::new(column, value)
    }

    fn patient(&self) -> RawPatient {
        RawPatient {
            system: SYSTEM_CSV_PATIENTS,
            id: self.field("Id"),
            name: RawName::Parts {
                family: self.field("LAST"),
                given: self.field("FIRST"),
                more_given: vec![self.field("MIDDLE")],
            },
            birth_date: self.field("BIRTHDATE"),
            death_date: self.field("DEATHDATE"),
            gender: self.field("GENDER"),
            phone: self.field("PHONE"),
            email: self.field("EMAIL"),
            address: RawAddress {
                line: self.field("ADDRESS"),
                city: self.field("CITY"),
                state: self.field("STATE"),
                postal_code: self.field("ZIP"),
            },
        }
    }

    fn physician(&self) -> RawPhysician {
        let specialty = if self.header.columns.contains_key(SPECIALITY) {
            self.field(SPECIALITY)
        } else {
            self.field(SPECIALTY)
        };
        RawPhysician {
            system: SYSTEM_CSV_PHYSICIANS,
            id: self.field("Id"),
            name: RawName::Full(self.field("NAME")),
            specialty,
            gender: self.field("GENDER"),
            phone: self.field("PHONE"),
            email: self.field("EMAIL"),
        }
    }

    fn appointment(&self) -> RawAppointment {
        RawAppointment {
            system: SYSTEM_CSV_APPOINTMENTS,
            patient_system: SYSTEM_CSV_PATIENTS,
            physician_system: SYSTEM_CSV_PHYSICIANS,
            id: self.field("Id"),
            patient: self.field("PATIENT"),
            physician: self.field("PROVIDER"),
            start: self.field("START"),
            end: self.field("STOP"),
            status: self.field("STATUS"),
            codes: StatusCodes::Appointment,
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

    const P01: &str = "cd967904-1f65-4e00-aee4-036c59d1ff4c";
    const P02: &str = "7a3bc039-47ea-44c1-8acf-5811e8763ca9";
    const P03: &str = "ebde6182-8fce-4473-9d0c-96c071a7ec9c";
    const P04: &str = "535d9d00-3631-48a5-a434-24991b775021";
    const P05: &str = "48048e39-4d41-4ffb-bdf7-286c5fd85810";
    const P06: &str = "3a9c3078-b8ae-40e1-b50b-96bf38daa4ce";
    const P07: &str = "96971a01-a220-4b5e-ada2-8ffc25acad6c";
    const P08: &str = "ed2c1dff-f0d3-475d-b496-7357198b6cd2";
    const P09: &str = "bab566a8-9401-4b95-90e4-c5421066a6b8";
    const P10: &str = "3e0b006e-82c1-4eef-afff-a659c7fd7058";
    const P11: &str = "03165d6e-392a-40ce-8b84-159e28fd0d2b";
    const P12: &str = "18f1bafc-0fad-403c-80e9-057e76d0a3a4";
    const P13: &str = "16d2c3c6-36ee-41c0-b3fb-8c08d85485c9";
    const P14: &str = "1b569727-4099-43e1-a3ed-3675d603fa92";
    const P15: &str = "682d0165-4bdb-49dd-960f-3763c19fcb93";

    const D01: &str = "47e15768-2396-454b-83cb-adf2198205c5";
    const D02: &str = "f6aafb3f-80eb-484f-bb3a-8c9842156144";
    const D03: &str = "50baa20d-7dbc-4a5f-9f00-f55ccd230aa5";
    const D04: &str = "c18d51d0-3372-40e9-b04c-b962160535a0";
    const D05: &str = "b0814012-93bc-4fb6-9ac0-65aa0c608e4d";
    const D06: &str = "b4f5528c-ac6f-4f61-89a3-92b89d92a10e";
    const D07: &str = "36de5abe-12ef-40ff-b0ac-3eebde1ed7ee";
    const D08: &str = "a7d96704-122c-48f7-a8b1-a0ac5ccc382e";

    const E01: &str = "4b4b8729-d2d5-4348-8c2d-889aaa4352dd";
    const E02: &str = "d347b47c-b5cc-46ae-a380-defc75c647e5";
    const E03: &str = "203b849d-2167-4c1e-ba8c-1063927405fe";
    const E04: &str = "dd687a8c-39d9-4140-a20b-cb9c9f6a0ccf";
    const E05: &str = "af34b881-5e73-4f08-bab1-76d95041e429";
    const E06: &str = "f2546240-673b-4534-a251-6d03237ea6ad";
    const E07: &str = "c1a92b37-184a-440f-a288-a2cecbc491cc";
    const E09: &str = "c88fd1de-a8a0-4575-9f37-62e3bbf15f59";
    const E10: &str = "7f7bf577-1cca-4064-b5cb-875a1e15c8ee";
    const E11: &str = "235da555-bae5-4c50-ae39-a36639bc49a1";
    const E12: &str = "f23656a8-764a-4449-a2f3-5160f6ad76a7";
    const E13: &str = "a12550f4-ab19-4f63-9e98-8791f559121f";
    const E14: &str = "0ccb951e-314f-4b2a-9db9-a5c1f6644915";
    const E15: &str = "128d1b1f-2ae6-451a-877b-40486b2cad0a";

    fn read_fixture(bytes: &[u8]) -> ParsedFile {
        let file = parse(bytes, None, fixture_today()).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(file.format, SourceFormat::SyntheaCsv);
        assert_eq!(file.skipped_resources, 0);
        file
    }

    fn contact(phone: Option<&str>, email: Option<&str>) -> Contact {
        Contact {
            phone: phone.map(str::to_owned),
            email: email.map(str::to_owned),
        }
    }

    fn address(line: &str, city: &str, state: &str, postal_code: &str) -> Option<Address> {
        Some(Address {
            line: line.to_owned(),
            city: city.to_owned(),
            state: state.to_owned(),
            postal_code: postal_code.to_owned(),
        })
    }

    fn patient(
        id: &str,
        given: &str,
        family: &str,
        birth_date: NaiveDate,
        gender: Gender,
    ) -> CleanPatient {
        CleanPatient {
            source: Identifier::new(SYSTEM_CSV_PATIENTS, id),
            name: HumanName::new(given, family),
            birth_date,
            gender,
            contact: Contact::default(),
            address: None,
        }
    }

    fn accepted_patient(patient: CleanPatient) -> RowOutcome {
        RowOutcome::Accepted(CleanRow::Patient(patient))
    }

    #[test]
    fn the_patients_fixture_is_cleansed() {
        let file = read_fixture(include_bytes!("../../tests/fixtures/import/patients.csv"));
        let row = |number, id, outcome| (number, ImportKind::Patients, id, outcome);
        let expected = [
            row(
                2,
                P01,
                accepted_patient(CleanPatient {
                    contact: contact(Some("+15552013344"), None),
                    address: address("123 Main St Unit 4", "Boston", "Massachusetts", "02108"),
                    ..patient(P01, "Jose Eduardo", "Hills", ymd(1961, 3, 14), Gender::Male)
                }),
            ),
            row(
                3,
                P02,
                accepted_patient(CleanPatient {
                    contact: contact(Some("+16175550147"), Some("mary.obrien@example.com")),
                    address: address("9 Harbor Rd", "Quincy", "Massachusetts", "02169"),
                    ..patient(P02, "Mary-Jane", "O'Brien", ymd(1975, 7, 4), Gender::Female)
                }),
            ),
            row(
                4,
                P03,
                accepted_patient(CleanPatient {
                    contact: contact(Some("+49301234567"), None),
                    ..patient(
                        P03,
                        "Lena Sophie",
                        "Müller",
                        ymd(1988, 11, 3),
                        Gender::Female,
                    )
                }),
            ),
            row(
                5,
                P04,
                accepted_patient(CleanPatient {
                    contact: contact(Some("+442079460958"), None),
                    ..patient(P04, "Ahmed", "Al-Sayed", ymd(1992, 2, 15), Gender::Male)
                }),
            ),
            row(
                6,
                P05,
                accepted_patient(patient(
                    P05,
                    "Robert Lee",
                    "van der Berg",
                    ymd(1954, 7, 23),
                    Gender::Male,
                )),
            ),
            row(
                7,
                P06,
                accepted_patient(CleanPatient {
                    contact: contact(Some("+12125550199"), None),
                    address: address("", "Cambridge", "Massachusetts", ""),
                    ..patient(P06, "Chloé", "Dubois", ymd(1990, 12, 25), Gender::Other)
                }),
            ),
            row(
                8,
                P07,
                accepted_patient(patient(
                    P07,
                    "Grete",
                    "Weiß",
                    ymd(1983, 9, 9),
                    Gender::Unknown,
                )),
            ),
            row(9, P08, rejected(&["BIRTHDATE: no such date"])),
            row(10, P09, rejected(&["BIRTHDATE: in the future"])),
            row(11, P10, rejected(&["GENDER: unknown code"])),
            row(
                12,
                P11,
                rejected(&["LAST: missing", "PHONE: not a phone number"]),
            ),
            row(
                13,
                P01,
                RowOutcome::Conflict {
                    of_row: 2,
                    fields: vec!["name", "birth date"],
                },
            ),
            row(14, P12, RowOutcome::Duplicate { of_row: 3 }),
            row(
                15,
                P13,
                rejected(&[
                    "BIRTHDATE: not a date in a known format",
                    "EMAIL: not an email address",
                ]),
            ),
            row(16, P14, rejected(&["FIRST: no letters", "GENDER: missing"])),
            row(
                17,
                P15,
                accepted_patient(CleanPatient {
                    address: address("45 Elm St, Apt 2", "Somerville", "Massachusetts", "02143"),
                    ..patient(P15, "Anna Maria", "Rossi", ymd(1940, 1, 31), Gender::Female)
                }),
            ),
        ];
        assert_rows(&file, "line", &expected);
        let noted: Vec<(usize, &[String])> = file
            .rows
            .iter()
            .filter(|row| !row.notes.is_empty())
            .map(|row| (row.row, row.notes.as_slice()))
            .collect();
        let converted = "GENDER: non-standard code converted".to_owned();
        assert_eq!(
            noted,
            [
                (
                    7,
                    &[
                        "BIRTHDATE: read day first (DD/MM/YYYY)".to_owned(),
                        converted.clone()
                    ][..]
                ),
                (
                    14,
                    &["BIRTHDATE: ambiguous, read month first (MM/DD/YYYY)".to_owned()]
                ),
                (
                    17,
                    &[
                        "DEATHDATE: not stored (a profile has no death date)".to_owned(),
                        converted
                    ]
                ),
            ]
        );
    }

    fn accepted_physician(
        id: &str,
        name: HumanName,
        specialty: &str,
        gender: Option<Gender>,
        contact: Contact,
    ) -> RowOutcome {
        RowOutcome::Accepted(CleanRow::Physician(CleanPhysician {
            source: Identifier::new(SYSTEM_CSV_PHYSICIANS, id),
            name,
            specialty: specialty.to_owned(),
            gender,
            contact,
        }))
    }

    #[test]
    fn the_physicians_fixture_is_cleansed() {
        let file = read_fixture(include_bytes!("../../tests/fixtures/import/physicians.csv"));
        let row = |number, id, outcome| (number, ImportKind::Physicians, id, outcome);
        let expected = [
            row(
                2,
                D01,
                accepted_physician(
                    D01,
                    HumanName::new("Gail", "Baumbach"),
                    "general practice",
                    Some(Gender::Female),
                    Contact::default(),
                ),
            ),
            row(
                3,
                D02,
                accepted_physician(
                    D02,
                    HumanName::new("John", "Smith"),
                    "cardiology",
                    Some(Gender::Male),
                    contact(Some("+16175550100"), Some("j.smith@hospital.org")),
                ),
            ),
            row(
                4,
                D03,
                accepted_physician(
                    D03,
                    HumanName::new("Ana María", "Pérez"),
                    "internal medicine",
                    Some(Gender::Female),
                    Contact::default(),
                ),
            ),
            row(5, D04, rejected(&["SPECIALITY: missing"])),
            row(6, D05, RowOutcome::Duplicate { of_row: 2 }),
            row(
                7,
                D02,
                RowOutcome::Conflict {
                    of_row: 3,
                    fields: vec!["name"],
                },
            ),
            row(8, D06, rejected(&["NAME: missing given name"])),
            row(9, D07, rejected(&["GENDER: unknown code"])),
            row(
                10,
                D08,
                accepted_physician(
                    D08,
                    HumanName::new("Li", "Wei"),
                    "pediatrics",
                    None,
                    Contact::default(),
                ),
            ),
        ];
        assert_rows(&file, "line", &expected);
    }

    fn accepted_appointment(
        [id, patient, physician]: [&str; 3],
        start: NaiveDateTime,
        end: NaiveDateTime,
        status: AppointmentStatus,
    ) -> RowOutcome {
        RowOutcome::Accepted(CleanRow::Appointment(CleanAppointment {
            source: Identifier::new(SYSTEM_CSV_APPOINTMENTS, id),
            patient: Identifier::new(SYSTEM_CSV_PATIENTS, patient),
            physician: Identifier::new(SYSTEM_CSV_PHYSICIANS, physician),
            start,
            end,
            status,
        }))
    }

    #[test]
    fn the_appointments_fixture_is_cleansed() {
        use AppointmentStatus::*;
        let file = read_fixture(include_bytes!(
            "../../tests/fixtures/import/appointments.csv"
        ));
        let row = |number, id, outcome| (number, ImportKind::Appointments, id, outcome);
        let expected = [
            row(
                2,
                E01,
                accepted_appointment(
                    [E01, P01, D01],
                    ymd_hm(2024, 3, 5, 9, 30),
                    ymd_hm(2024, 3, 5, 9, 45),
                    Fulfilled,
                ),
            ),
            row(
                3,
                E02,
                accepted_appointment(
                    [E02, P02, D02],
                    ymd_hm(2025, 7, 1, 14, 0),
                    ymd_hm(2025, 7, 1, 14, 30),
                    Booked,
                ),
            ),
            row(
                4,
                E03,
                accepted_appointment(
                    [E03, P03, D01],
                    ymd_hm(2024, 11, 12, 8, 0),
                    ymd_hm(2024, 11, 12, 8, 20),
                    Cancelled,
                ),
            ),
            row(
                5,
                E04,
                accepted_appointment(
                    [E04, P04, D03],
                    ymd_hm(2025, 1, 20, 15, 0),
                    ymd_hm(2025, 1, 20, 15, 30),
                    Noshow,
                ),
            ),
            row(6, E05, rejected(&["STATUS: unknown code"])),
            row(7, E06, rejected(&["STOP: not after START"])),
            row(8, E07, rejected(&["PATIENT: missing"])),
            row(
                9,
                E01,
                RowOutcome::Conflict {
                    of_row: 2,
                    fields: vec!["patient", "start", "end"],
                },
            ),
            row(10, E09, RowOutcome::Duplicate { of_row: 3 }),
            row(
                11,
                E10,
                rejected(&["START: no such date or time", "STOP: no such date or time"]),
            ),
            row(12, E11, rejected(&["PROVIDER: missing", "START: missing"])),
            row(
                13,
                E12,
                accepted_appointment(
                    [E12, P07, D08],
                    ymd_hm(2025, 6, 1, 8, 0),
                    ymd_hm(2025, 6, 1, 8, 30),
                    CheckedIn,
                ),
            ),
            row(
                14,
                E13,
                accepted_appointment(
                    [E13, P15, D03],
                    ymd_hm(2023, 12, 1, 21, 30),
                    ymd_hm(2023, 12, 1, 22, 0),
                    Cancelled,
                ),
            ),
            row(
                15,
                E14,
                accepted_appointment(
                    [E14, P06, D08],
                    ymd_hm(2025, 9, 15, 13, 0),
                    ymd_hm(2025, 9, 15, 13, 45),
                    Booked,
                ),
            ),
            row(
                16,
                E15,
                rejected(&["START: not a date-time in a known format"]),
            ),
        ];
        assert_rows(&file, "line", &expected);
    }

    #[test]
    fn kinds_are_guessed_from_the_header() {
        let guess = |bytes: &[u8]| {
            parse(bytes, None, fixture_today())
                .ok()
                .and_then(|file| file.rows.first().and_then(|row| row.kind))
        };
        let patients = include_bytes!("../../tests/fixtures/import/patients.csv");
        let physicians = include_bytes!("../../tests/fixtures/import/physicians.csv");
        let appointments = include_bytes!("../../tests/fixtures/import/appointments.csv");
        assert_eq!(guess(patients), Some(ImportKind::Patients));
        assert_eq!(guess(physicians), Some(ImportKind::Physicians));
        assert_eq!(guess(appointments), Some(ImportKind::Appointments));
        assert!(parse(appointments, Some(ImportKind::Patients), fixture_today()).is_err());
        assert!(parse(physicians, Some(ImportKind::Physicians), fixture_today()).is_ok());
    }

    #[test]
    fn headers_match_in_any_case_and_order_and_specialty_in_either_spelling() {
        let file = parse(
            b"  specialty ,Name, id ,Extra\n Dermatology,Rosa Diaz,d-9,x\n",
            None,
            fixture_today(),
        );
        let file = file.unwrap_or_else(|error| panic!("{error}"));
        assert_rows(
            &file,
            "line",
            &[(
                2,
                ImportKind::Physicians,
                "d-9",
                accepted_physician(
                    "d-9",
                    HumanName::new("Rosa", "Diaz"),
                    "dermatology",
                    None,
                    Contact::default(),
                ),
            )],
        );
        let missing = parse(b"Id,SPECIALTY\nd-9,x\n", None, fixture_today());
        assert!(
            matches!(&missing, Err(crate::HospitalError::InvalidInput { reason, .. })
                if reason == "its header lacks the required columns NAME"),
            "{missing:?}"
        );
    }

    #[test]
    fn short_rows_and_quoted_line_breaks_are_read_and_blank_rows_skipped() {
        let file = parse(
            b"Id,BIRTHDATE,FIRST,LAST,GENDER,ADDRESS\n\
              p-1,1980-01-01,Ada,Lovelace\n\
              ,,,,,\n\
              p-2,1980-01-01,Bea,Byron,F,\"1 Long\nRoad\"\n\
              p-3,1980-01-01,Cy,Young,M\n",
            None,
            fixture_today(),
        );
        let file = file.unwrap_or_else(|error| panic!("{error}"));
        let rows: Vec<(usize, &RowOutcome)> = file
            .rows
            .iter()
            .map(|row| (row.row, &row.outcome))
            .collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0], (2, &rejected(&["GENDER: missing"])));
        assert_eq!(rows[1].0, 4);
        assert!(
            matches!(rows[1].1, RowOutcome::Accepted(CleanRow::Patient(patient))
            if patient.address.as_ref().is_some_and(|address| address.line == "1 Long Road"))
        );
        assert_eq!(
            rows[2].0, 6,
            "the row after a quoted line break starts on line 6"
        );
    }

    #[test]
    fn rows_are_numbered_by_the_line_they_start_on_whatever_the_line_endings() {
        let lf = "Id,BIRTHDATE,FIRST,LAST,GENDER,ADDRESS\n\
                  p-1,1980-01-01,Ada,Lovelace,F,\n\
                  \n\
                  p-2,1980-01-01,Bea,Byron,F,\"1 Long\nRoad\"\n\
                  p-3,1980-01-01,Cy,Young,M,\n";
        let numbers = |text: &str| {
            let file = parse(text.as_bytes(), None, fixture_today());
            let file = file.unwrap_or_else(|error| panic!("{error}"));
            file.rows
                .iter()
                .map(|row| (row.row, row.locator.clone()))
                .collect::<Vec<_>>()
        };
        let expected = [2, 4, 6].map(|line| (line, format!("line {line}")));
        assert_eq!(numbers(lf), expected, "LF");
        assert_eq!(numbers(&lf.replace('\n', "\r\n")), expected, "CRLF");
        assert_eq!(numbers(&lf.replace('\n', "\r")), expected, "CR");
    }

    #[test]
    fn an_unclosed_quote_refuses_the_whole_file_naming_the_line_it_opens_on() {
        let mut lf = String::from("Id,BIRTHDATE,FIRST,LAST,GENDER\n");
        for number in 1..=102 {
            let first = if number == 3 { "\"Secret" } else { "Ada" };
            lf.push_str(&format!(
                "p-{number},1980-01-01,{first},Lovelace{number},F\n"
            ));
        }
        for text in [lf.clone(), lf.replace('\n', "\r\n")] {
            let refused = parse(text.as_bytes(), None, fixture_today());
            assert!(
                matches!(&refused, Err(crate::HospitalError::InvalidInput { what: "import file", reason })
                    if reason == "a quoted field opens on line 4 and is never closed"),
                "{refused:?}"
            );
        }
        let unclosed_header = parse(b"Id,\"BIRTHDATE\n1,2\n", None, fixture_today());
        assert!(
            matches!(&unclosed_header, Err(crate::HospitalError::InvalidInput { reason, .. })
                if reason.contains("line 1")),
            "{unclosed_header:?}"
        );
        let closed = parse(
            b"Id,BIRTHDATE,FIRST,LAST,GENDER\n\
              p-1,1980-01-01,\"Ada \"\"Al\"\"\",Lo\"ve,F\n\
              p-2,1980-01-01,\"Bea\"x,\"\",F\n",
            None,
            fixture_today(),
        );
        let closed = closed.unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(
            closed.rows.len(),
            2,
            "quotes closed, doubled or inside a field"
        );
    }
}
