//! The cleansing rules, shared by the CSV and FHIR sources.
//!
//! Each rule turns one trimmed text into a clean value, or says what is wrong with it in a few
//! words (`not a phone number`) that the caller prefixes with the column: a reason never
//! quotes the value. A rule that had to guess or convert (a date read day first, a
//! non-standard sex code) says so in a note ([`Noted`]), which the report shows beside the
//! row, worded the same way. The row builders at the end put whole rows together from raw
//! fields, collecting every reason and note instead of stopping at the first.
//!
//! Every text field is refused, whatever its rule, when it holds a control character (other
//! than tab and line breaks, which are whitespace) or a bidirectional embedding, override or
//! isolate ([`hidden_character`]).

use chrono::format::ParseErrorKind;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta};

use super::{CleanAppointment, CleanPatient, CleanPhysician};
use crate::appointment::AppointmentStatus;
use crate::profile::{
    Address, Contact, Gender, HumanName, Identifier, check_birth_date, is_e164, is_email,
};

/// The most characters a whole name may have, as a profile allows.
const NAME_MAX_CHARS: usize = 200;

/// How long an appointment without an end lasts.
pub const DEFAULT_APPOINTMENT_MINUTES: i64 = 30;

/// The note of a slashed date read day first (its first number is over 12).
pub const DAY_FIRST: &str = "read day first (DD/MM/YYYY)";
/// The note of a slashed date read month first although it could be read day first too.
pub const AMBIGUOUS_MONTH_FIRST: &str = "ambiguous, read month first (MM/DD/YYYY)";
/// The note of a sex code outside FHIR's and HL7 v2's, converted ([`gender`]).
pub const NON_STANDARD_CODE: &str = "non-standard code converted";
/// The note of a death date: checked, but a profile has nowhere to keep it.
pub const DEATH_DATE_NOT_STORED: &str = "not stored (a profile has no death date)";

/// A clean value, and a note when reading it took a guess or a conversion that the report
/// should show: a few words such as [`DAY_FIRST`], never the value.
pub type Noted<T> = (T, Option<&'static str>);

/// What makes `text` unfit to import, if anything: a control character (tab, line feed and
/// carriage return excepted: they are whitespace) or a bidirectional embedding, override or
/// isolate (U+202A to U+202E, U+2066 to U+2069), which can make a name or an id display as
/// another.
pub fn hidden_character(text: &str) -> Option<&'static str> {
    text.chars().find_map(|c| {
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r') {
            Some("contains a control character")
        } else if matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
            Some("contains a bidirectional formatting character")
        } else {
            None
        }
    })
}

/// Trims `text` and collapses inner runs of whitespace to one space.
pub fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Cleans a name (a family name, a given name, or a full name): collapses whitespace, strips
/// the digits Synthea appends to names (`Jose871` → `Jose`), drops words left without a letter,
/// and fixes the case of names typed in one case.
///
/// Case: when every run of letters is entirely upper or entirely lower case (`MARY-JANE`,
/// `o'BRIEN`, `müller`), each run becomes title case (`Mary-Jane`, `O'Brien`, `Müller`);
/// when any run mixes cases (`McDonald`, `van der Berg`), the name was cased on purpose and
/// is kept as given. `None` when no letter is left.
pub fn name(text: &str) -> Option<String> {
    let words: Vec<&str> = text
        .split_whitespace()
        .map(|word| word.trim_end_matches(|c: char| c.is_ascii_digit()))
        .filter(|word| word.chars().any(char::is_alphabetic))
        .collect();
    if words.is_empty() {
        return None;
    }
    Some(fix_case(&words.join(" ")))
}

fn fix_case(text: &str) -> String {
    let mixed = text
        .split(|c: char| !c.is_alphabetic())
        .any(|run| run.chars().any(char::is_uppercase) && run.chars().any(char::is_lowercase));
    if mixed {
        return text.to_owned();
    }
    let mut fixed = String::with_capacity(text.len());
    let mut run_start = true;
    for c in text.chars() {
        if c.is_alphabetic() {
            if run_start {
                fixed.extend(c.to_uppercase());
            } else {
                fixed.extend(c.to_lowercase());
            }
            run_start = false;
        } else {
            fixed.push(c);
            run_start = true;
        }
    }
    fixed
}

/// Reads a date: `YYYY-MM-DD`, `YYYY/MM/DD`, `DD.MM.YYYY`, `YYYYMMDD` or `MM/DD/YYYY`, alone
/// or as the date part of a date-time (`1980-02-29T08:00:00Z`). Days and months may have one
/// digit.
///
/// Slashes with the year last are read the US way, month first, as Synthea's US data writes
/// them; only when the first number is over 12 can it be nothing but a day, and the date is
/// read day first (`31/01/1980`), noted [`DAY_FIRST`]: the file may be written day first,
/// and its other slashed dates misread. `01/02/1980` is therefore 2 January, noted
/// [`AMBIGUOUS_MONTH_FIRST`]; `07/23/1954` and `01/01/1980` can be read one way only, and
/// are not noted.
pub fn date(text: &str) -> Result<Noted<NaiveDate>, &'static str> {
    const UNKNOWN: &str = "not a date in a known format";
    let text = text.trim();
    let (date_part, time_part) = match text.find(['T', ' ']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    if time_part.is_some_and(|time| !time.starts_with(|c: char| c.is_ascii_digit())) {
        return Err(UNKNOWN);
    }
    let (year, month, day, note) = date_fields(date_part).ok_or(UNKNOWN)?;
    let date = NaiveDate::from_ymd_opt(year, month, day).ok_or("no such date")?;
    Ok((date, note))
}

/// The year, month and day of a date in one of the known forms, unchecked, and how it was
/// read when the report should say so.
fn date_fields(text: &str) -> Option<(i32, u32, u32, Option<&'static str>)> {
    let number = |part: &str| part.parse::<u32>().ok();
    let short = |part: &&str| (1..=2).contains(&part.len());
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if text.len() == 8 && digits(text) {
        let year = i32::try_from(number(&text[..4])?).ok()?;
        return Some((year, number(&text[4..6])?, number(&text[6..])?, None));
    }
    let separator = ['-', '/', '.']
        .into_iter()
        .find(|&sep| text.contains(sep))?;
    let parts: Vec<&str> = text.split(separator).collect();
    let [a, b, c] = parts[..] else {
        return None;
    };
    if !(digits(a) && digits(b) && digits(c)) {
        return None;
    }
    let (year, month, day, note) = match separator {
        '-' | '/' if a.len() == 4 && short(&b) && short(&c) => (a, b, c, None),
        '/' if short(&a) && short(&b) && c.len() == 4 => {
            let (first, second) = (number(a)?, number(b)?);
            if first > 12 {
                (c, b, a, Some(DAY_FIRST))
            } else if second > 12 || first == second {
                (c, a, b, None)
            } else {
                (c, a, b, Some(AMBIGUOUS_MONTH_FIRST))
            }
        }
        '.' if short(&a) && short(&b) && c.len() == 4 => (c, b, a, None),
        _ => return None,
    };
    let year = i32::try_from(number(year)?).ok()?;
    Some((year, number(month)?, number(day)?, note))
}

/// Reads a birth date ([`date`]) that is neither in the future nor more than 150 years before
/// `today`.
pub fn birth_date(text: &str, today: NaiveDate) -> Result<Noted<NaiveDate>, &'static str> {
    let (birth_date, note) = date(text)?;
    check_birth_date(birth_date, today).map_err(|_| {
        if birth_date > today {
            "in the future"
        } else {
            "more than 150 years ago"
        }
    })?;
    Ok((birth_date, note))
}

/// Reads a death date ([`date`], also the date of a date-time) that is not in the future;
/// the row builder checks that it is not before the birth date.
pub fn death_date(text: &str, today: NaiveDate) -> Result<Noted<NaiveDate>, &'static str> {
    let (death_date, note) = date(text)?;
    if death_date > today {
        return Err("in the future");
    }
    Ok((death_date, note))
}

/// Reads a date-time: RFC 3339 with an offset or `Z` (converted to UTC, the offset dropped:
/// imported times are UTC wall-clock times), or `YYYY-MM-DD HH:MM[:SS]` and
/// `YYYY-MM-DDTHH:MM[:SS]` (taken as they are), seconds optionally with a fraction.
pub fn date_time(text: &str) -> Result<NaiveDateTime, &'static str> {
    const FORMATS: [&str; 4] = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ];
    let text = text.trim();
    let impossible = |kind: &ParseErrorKind| {
        matches!(
            kind,
            ParseErrorKind::OutOfRange | ParseErrorKind::Impossible
        )
    };
    let mut no_such = match DateTime::parse_from_rfc3339(text) {
        Ok(time) => return Ok(time.naive_utc()),
        Err(error) => impossible(&error.kind()),
    };
    for format in FORMATS {
        match NaiveDateTime::parse_from_str(text, format) {
            Ok(time) => return Ok(time),
            Err(error) => no_such |= impossible(&error.kind()),
        }
    }
    Err(if no_such {
        "no such date or time"
    } else {
        "not a date-time in a known format"
    })
}

/// Reads a sex or gender code, in any case. FHIR's codes (`male`, `female`, `other`,
/// `unknown`) and HL7 v2's (`M`, `F`, `O`, `U`) are read as they are; `man` and `woman` as
/// male and female, and `X` (the passports' unspecified sex) and `diverse` as other, each
/// noted [`NON_STANDARD_CODE`].
pub fn gender(text: &str) -> Result<Noted<Gender>, &'static str> {
    let converted = |gender| Ok((gender, Some(NON_STANDARD_CODE)));
    match text.trim().to_lowercase().as_str() {
        "m" | "male" => Ok((Gender::Male, None)),
        "f" | "female" => Ok((Gender::Female, None)),
        "o" | "other" => Ok((Gender::Other, None)),
        "u" | "unknown" => Ok((Gender::Unknown, None)),
        "man" => converted(Gender::Male),
        "woman" => converted(Gender::Female),
        "x" | "diverse" => converted(Gender::Other),
        _ => Err("unknown code"),
    }
}

/// Reads a phone number into E.164 (`+` and 8 to 15 digits, the first not 0).
///
/// Spaces, dashes, dots and parentheses are dropped (and a trunk `(0)` after a country code);
/// a `00` prefix becomes `+`. Without a prefix, only North American numbers are understood,
/// as Synthea's data is from the US: 10 digits with an area code of 2 to 9 become `+1…`, and
/// so do 11 digits starting with `1`.
pub fn phone(text: &str) -> Result<String, &'static str> {
    const NOT_A_PHONE: &str = "not a phone number";
    let mut compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.starts_with('+') || compact.starts_with("00") {
        compact = compact.replacen("(0)", "", 1);
    }
    compact.retain(|c| !matches!(c, '-' | '.' | '(' | ')'));
    let north_american = |number: &str| {
        number.len() == 10
            && number.bytes().all(|b| b.is_ascii_digit())
            && !number.starts_with(['0', '1'])
    };
    let digits = if let Some(rest) = compact.strip_prefix('+') {
        rest.to_owned()
    } else if let Some(rest) = compact.strip_prefix("00") {
        rest.to_owned()
    } else if north_american(&compact) {
        format!("1{compact}")
    } else if compact.strip_prefix('1').is_some_and(north_american) {
        compact
    } else {
        return Err(NOT_A_PHONE);
    };
    let phone = format!("+{digits}");
    if is_e164(&phone) {
        Ok(phone)
    } else {
        Err(NOT_A_PHONE)
    }
}

/// Reads an email address: trimmed and lowercased, one `@` with something before it and a
/// dotted domain after it, no whitespace.
pub fn email(text: &str) -> Result<String, &'static str> {
    let email = text.trim().to_lowercase();
    if is_email(&email) {
        Ok(email)
    } else {
        Err("not an email address")
    }
}

/// Reads a specialty: whitespace collapsed, lowercased, 1 to 100 characters.
pub fn specialty(text: &str) -> Result<String, &'static str> {
    let specialty = collapse_whitespace(text).to_lowercase();
    match specialty.chars().count() {
        0 => Err("missing"),
        1..=100 => Ok(specialty),
        _ => Err("longer than 100 characters"),
    }
}

/// Reads a FHIR appointment status code, in any case; spaces count as dashes
/// (`checked in`), and `no-show` (so `no show`) and `canceled` are understood too.
pub fn appointment_status(text: &str) -> Result<AppointmentStatus, &'static str> {
    let code = collapse_whitespace(text).to_lowercase().replace(' ', "-");
    let code = match code.as_str() {
        "no-show" => "noshow",
        "canceled" => "cancelled",
        other => other,
    };
    AppointmentStatus::from_code(code).ok_or("unknown code")
}

/// Reads a FHIR encounter status as an appointment status: `finished` is fulfilled,
/// `cancelled` cancelled, `planned` booked; other codes are not understood.
pub fn encounter_status(text: &str) -> Result<AppointmentStatus, &'static str> {
    match text.trim().to_lowercase().as_str() {
        "finished" => Ok(AppointmentStatus::Fulfilled),
        "cancelled" => Ok(AppointmentStatus::Cancelled),
        "planned" => Ok(AppointmentStatus::Booked),
        _ => Err("unknown code"),
    }
}

/// The status of an appointment that states none: fulfilled if it starts before `today`,
/// else booked.
pub fn default_status(start: NaiveDateTime, today: NaiveDate) -> AppointmentStatus {
    if start.date() < today {
        AppointmentStatus::Fulfilled
    } else {
        AppointmentStatus::Booked
    }
}

/// One raw value, and the column or element it was read from (which reasons name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Field {
    label: &'static str,
    value: Value,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Value {
    Text(String),
    Absent,
    /// The source could not read a value; what is wrong.
    Invalid(&'static str),
}

impl Field {
    /// `value`, absent if `None`, read from `label`.
    pub fn new(label: &'static str, value: Option<&str>) -> Self {
        let value = value.map_or(Value::Absent, |text| Value::Text(text.to_owned()));
        Self { label, value }
    }

    /// Nothing, from `label`.
    pub fn absent(label: &'static str) -> Self {
        Self::new(label, None)
    }

    /// A value the source found but could not read, with what is wrong with it.
    pub fn invalid(label: &'static str, problem: &'static str) -> Self {
        Self {
            label,
            value: Value::Invalid(problem),
        }
    }

    /// The value, whitespace collapsed, if there is a non-blank one.
    pub fn text(&self) -> Option<String> {
        match &self.value {
            Value::Text(text) => Some(collapse_whitespace(text)).filter(|text| !text.is_empty()),
            Value::Absent | Value::Invalid(_) => None,
        }
    }

    /// The value as the row's source id, for the report: trimmed, if it is not blank and holds
    /// no [`hidden_character`] (a report must not carry one).
    pub fn source_id(&self) -> Option<String> {
        match &self.value {
            Value::Text(text) if hidden_character(text).is_none() => {
                Some(text.trim().to_owned()).filter(|id| !id.is_empty())
            }
            Value::Text(_) | Value::Absent | Value::Invalid(_) => None,
        }
    }

    /// The column's label and `what`: a reason or a note.
    fn reason(&self, what: &str) -> String {
        format!("{}: {what}", self.label)
    }

    /// The clean value `rule` makes of the text, whitespace collapsed; `None` with a reason
    /// pushed when the rule refuses it, when the text holds a [`hidden_character`], when the
    /// source could not read it, or when a `required` value is missing.
    fn check<T>(
        &self,
        required: bool,
        rule: impl FnOnce(&str) -> Result<T, &'static str>,
        reasons: &mut Vec<String>,
    ) -> Option<T> {
        self.check_as(collapse_whitespace, required, rule, reasons)
    }

    /// [`Field::check`] with a rule that may note how it read the value: the note, after the
    /// column's label, is pushed to `notes`.
    fn check_noted<T>(
        &self,
        required: bool,
        rule: impl FnOnce(&str) -> Result<Noted<T>, &'static str>,
        reasons: &mut Vec<String>,
        notes: &mut Vec<String>,
    ) -> Option<T> {
        let (value, note) = self.check(required, rule, reasons)?;
        notes.extend(note.map(|note| self.reason(note)));
        Some(value)
    }

    /// The value as an id (a row's own, or the one it refers to), required: trimmed, and
    /// otherwise exact, case and inner spaces kept.
    fn id(&self, reasons: &mut Vec<String>) -> Option<String> {
        self.check_as(str::to_owned, true, |text| Ok(text.to_owned()), reasons)
    }

    /// [`Field::check`] on the trimmed text as `read` makes it.
    fn check_as<T>(
        &self,
        read: fn(&str) -> String,
        required: bool,
        rule: impl FnOnce(&str) -> Result<T, &'static str>,
        reasons: &mut Vec<String>,
    ) -> Option<T> {
        let text = match &self.value {
            Value::Invalid(problem) => {
                reasons.push(self.reason(problem));
                return None;
            }
            Value::Text(text) => {
                if let Some(problem) = hidden_character(text) {
                    reasons.push(self.reason(problem));
                    return None;
                }
                Some(read(text.trim())).filter(|text| !text.is_empty())
            }
            Value::Absent => None,
        };
        let Some(text) = text else {
            if required {
                reasons.push(self.reason("missing"));
            }
            return None;
        };
        rule(&text)
            .map_err(|what| reasons.push(self.reason(what)))
            .ok()
    }
}

/// A name as a source holds it.
#[derive(Clone, Debug)]
pub(crate) enum RawName {
    /// Family and given names apart; the first given name is required.
    Parts {
        family: Field,
        given: Field,
        more_given: Vec<Field>,
    },
    /// "Given Family" in one field: the last word is the family name.
    Full(Field),
}

impl RawName {
    /// The clean name, or `None` with every reason pushed. A name longer than
    /// [`NAME_MAX_CHARS`] is blamed on the fields [`blamed_for_length`] picks.
    fn clean(&self, reasons: &mut Vec<String>) -> Option<HumanName> {
        let (name, lengths) = match self {
            RawName::Parts {
                family,
                given,
                more_given,
            } => clean_parts(family, given, more_given, reasons)?,
            RawName::Full(full) => clean_full(full, reasons)?,
        };
        if name.text().chars().count() > NAME_MAX_CHARS {
            let reason = format!("name longer than {NAME_MAX_CHARS} characters");
            reasons.extend(
                blamed_for_length(&lengths)
                    .into_iter()
                    .map(|field| field.reason(&reason)),
            );
            return None;
        }
        Some(name)
    }
}

/// [`name`] as a rule for [`Field::check`].
fn name_rule(text: &str) -> Result<String, &'static str> {
    name(text).ok_or("no letters")
}

/// A name from its family name, first given name (both required) and further given names,
/// with how many characters each field gave it; `None` with every reason pushed.
fn clean_parts<'f>(
    family: &'f Field,
    given: &'f Field,
    more_given: &'f [Field],
    reasons: &mut Vec<String>,
) -> Option<(HumanName, Vec<(&'f Field, usize)>)> {
    let clean_family = family.check(true, name_rule, reasons);
    let clean_given = given.check(true, name_rule, reasons);
    let clean_more: Vec<(&Field, String)> = more_given
        .iter()
        .filter_map(|more| Some((more, more.check(false, name_rule, reasons)?)))
        .collect();
    let (clean_family, clean_given) = (clean_family?, clean_given?);
    let given_parts: Vec<(&Field, String)> = std::iter::once((given, clean_given))
        .chain(clean_more)
        .collect();
    let given_names: Vec<&str> = given_parts
        .iter()
        .map(|(_, clean)| clean.as_str())
        .collect();
    let name = HumanName::new(&given_names.join(" "), &clean_family);
    let lengths = std::iter::once((family, clean_family))
        .chain(given_parts)
        .map(|(field, clean)| (field, clean.chars().count()))
        .collect();
    Some((name, lengths))
}

/// A name from one "Given Family" field (the last word is the family name), with how many
/// characters the field gave it; `None` with every reason pushed.
fn clean_full<'f>(
    full: &'f Field,
    reasons: &mut Vec<String>,
) -> Option<(HumanName, Vec<(&'f Field, usize)>)> {
    let full_name = full.check(true, name_rule, reasons)?;
    let Some((given, family)) = full_name.rsplit_once(' ') else {
        reasons.push(full.reason("missing given name"));
        return None;
    };
    let name = HumanName::new(given, family);
    Some((name, vec![(full, full_name.chars().count())]))
}

/// The fields to name when a name is too long: each field too long on its own, or else the
/// one that gave the name the most characters.
fn blamed_for_length<'f>(lengths: &[(&'f Field, usize)]) -> Vec<&'f Field> {
    let too_long: Vec<&Field> = lengths
        .iter()
        .filter(|(_, chars)| *chars > NAME_MAX_CHARS)
        .map(|(field, _)| *field)
        .collect();
    if !too_long.is_empty() {
        return too_long;
    }
    lengths
        .iter()
        .max_by_key(|(_, chars)| *chars)
        .map(|(field, _)| *field)
        .into_iter()
        .collect()
}

/// An address as a source holds it; all parts optional.
#[derive(Clone, Debug)]
pub(crate) struct RawAddress {
    pub line: Field,
    pub city: Field,
    pub state: Field,
    pub postal_code: Field,
}

impl RawAddress {
    /// The address, if any part of it is given; `None` with a reason pushed for every part
    /// that cannot be read.
    fn clean(&self, reasons: &mut Vec<String>) -> Option<Address> {
        let parts = [&self.line, &self.city, &self.state, &self.postal_code]
            .map(|part| part.check(false, |text| Ok(text.to_owned()), reasons));
        if parts.iter().all(Option::is_none) {
            return None;
        }
        let [line, city, state, postal_code] = parts.map(Option::unwrap_or_default);
        Some(Address {
            line,
            city,
            state,
            postal_code,
        })
    }
}

fn contact(phone_field: &Field, email_field: &Field, reasons: &mut Vec<String>) -> Contact {
    Contact {
        phone: phone_field.check(false, phone, reasons),
        email: email_field.check(false, email, reasons),
    }
}

/// A patient as a source holds it.
#[derive(Clone, Debug)]
pub(crate) struct RawPatient {
    /// The identifier system of its id.
    pub system: &'static str,
    pub id: Field,
    pub name: RawName,
    pub birth_date: Field,
    /// Optional; checked (not in the future, not before the birth date), not stored.
    pub death_date: Field,
    pub gender: Field,
    pub phone: Field,
    pub email: Field,
    pub address: RawAddress,
}

/// Cleans a patient, or says everything that is wrong with it; what it converted goes to
/// `notes`.
pub(crate) fn patient(
    raw: &RawPatient,
    today: NaiveDate,
    notes: &mut Vec<String>,
) -> Result<CleanPatient, Vec<String>> {
    let mut reasons = Vec::new();
    let id = raw.id.id(&mut reasons);
    let name = raw.name.clean(&mut reasons);
    let birth_date =
        raw.birth_date
            .check_noted(true, |text| birth_date(text, today), &mut reasons, notes);
    let death_date =
        raw.death_date
            .check_noted(false, |text| death_date(text, today), &mut reasons, notes);
    if let (Some(birth_date), Some(death_date)) = (birth_date, death_date)
        && death_date < birth_date
    {
        let before = format!("before {}", raw.birth_date.label);
        reasons.push(raw.death_date.reason(&before));
    } else if death_date.is_some() {
        notes.push(raw.death_date.reason(DEATH_DATE_NOT_STORED));
    }
    let gender = raw.gender.check_noted(true, gender, &mut reasons, notes);
    let contact = contact(&raw.phone, &raw.email, &mut reasons);
    let address = raw.address.clean(&mut reasons);
    match (id, name, birth_date, gender) {
        (Some(id), Some(name), Some(birth_date), Some(gender)) if reasons.is_empty() => {
            Ok(CleanPatient {
                source: Identifier::new(raw.system, &id),
                name,
                birth_date,
                gender,
                contact,
                address,
            })
        }
        _ => Err(reasons),
    }
}

/// A physician as a source holds it.
#[derive(Clone, Debug)]
pub(crate) struct RawPhysician {
    /// The identifier system of its id.
    pub system: &'static str,
    pub id: Field,
    pub name: RawName,
    pub specialty: Field,
    pub gender: Field,
    pub phone: Field,
    pub email: Field,
}

/// Cleans a physician, or says everything that is wrong with it; what it converted goes to
/// `notes`.
pub(crate) fn physician(
    raw: &RawPhysician,
    notes: &mut Vec<String>,
) -> Result<CleanPhysician, Vec<String>> {
    let mut reasons = Vec::new();
    let id = raw.id.id(&mut reasons);
    let name = raw.name.clean(&mut reasons);
    let specialty = raw.specialty.check(true, specialty, &mut reasons);
    let gender = raw.gender.check_noted(false, gender, &mut reasons, notes);
    let contact = contact(&raw.phone, &raw.email, &mut reasons);
    match (id, name, specialty) {
        (Some(id), Some(name), Some(specialty)) if reasons.is_empty() => Ok(CleanPhysician {
            source: Identifier::new(raw.system, &id),
            name,
            specialty,
            gender,
            contact,
        }),
        _ => Err(reasons),
    }
}

/// Which status codes an appointment's source uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StatusCodes {
    /// FHIR `AppointmentStatus` ([`appointment_status`]).
    Appointment,
    /// FHIR `EncounterStatus` ([`encounter_status`]).
    Encounter,
}

/// An appointment as a source holds it, naming its patient and physician by source id.
#[derive(Clone, Debug)]
pub(crate) struct RawAppointment {
    /// The identifier system of its id.
    pub system: &'static str,
    /// The identifier system of its patient's id.
    pub patient_system: &'static str,
    /// The identifier system of its physician's id.
    pub physician_system: &'static str,
    pub id: Field,
    pub patient: Field,
    pub physician: Field,
    pub start: Field,
    /// Optional: [`DEFAULT_APPOINTMENT_MINUTES`] after the start.
    pub end: Field,
    /// Optional: [`default_status`].
    pub status: Field,
    pub codes: StatusCodes,
}

/// Cleans an appointment, or says everything that is wrong with it.
pub(crate) fn appointment(
    raw: &RawAppointment,
    today: NaiveDate,
) -> Result<CleanAppointment, Vec<String>> {
    let mut reasons = Vec::new();
    let id = raw.id.id(&mut reasons);
    let patient = raw.patient.id(&mut reasons);
    let physician = raw.physician.id(&mut reasons);
    let start = raw.start.check(true, date_time, &mut reasons);
    let end = match raw.end.check(false, date_time, &mut reasons) {
        Some(end) => Some(end),
        None if raw.end.text().is_some() => None,
        None => start.and_then(|start| {
            let end = start.checked_add_signed(TimeDelta::minutes(DEFAULT_APPOINTMENT_MINUTES));
            if end.is_none() {
                reasons.push(raw.start.reason("out of range"));
            }
            end
        }),
    };
    if let (Some(start), Some(end)) = (start, end)
        && end <= start
    {
        reasons.push(raw.end.reason(&format!("not after {}", raw.start.label)));
    }
    let status_rule = match raw.codes {
        StatusCodes::Appointment => appointment_status,
        StatusCodes::Encounter => encounter_status,
    };
    let status = raw.status.check(false, status_rule, &mut reasons);
    match (id, patient, physician, start, end) {
        (Some(id), Some(patient), Some(physician), Some(start), Some(end))
            if reasons.is_empty() =>
        {
            Ok(CleanAppointment {
                source: Identifier::new(raw.system, &id),
                patient: Identifier::new(raw.patient_system, &patient),
                physician: Identifier::new(raw.physician_system, &physician),
                start,
                end,
                status: status.unwrap_or_else(|| default_status(start, today)),
            })
        }
        _ => Err(reasons),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{SYSTEM_CSV_APPOINTMENTS, SYSTEM_CSV_PATIENTS};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn at(y: i32, m: u32, d: u32, hour: u32, minute: u32) -> NaiveDateTime {
        day(y, m, d)
            .and_hms_opt(hour, minute, 0)
            .unwrap_or_default()
    }

    fn today() -> NaiveDate {
        day(2026, 11, 30)
    }

    #[test]
    fn whitespace_is_trimmed_and_collapsed() {
        assert_eq!(
            collapse_whitespace("  Main \t Street\n 12 "),
            "Main Street 12"
        );
        assert_eq!(collapse_whitespace(" \t "), "");
        assert_eq!(
            Field::new("CITY", Some("  Boston  ")).text().as_deref(),
            Some("Boston")
        );
        assert_eq!(Field::new("CITY", Some("   ")).text(), None);
    }

    #[test]
    fn synthea_digits_are_stripped_from_names() {
        assert_eq!(name("Jose871").as_deref(), Some("Jose"));
        assert_eq!(name("  Hills818 ").as_deref(), Some("Hills"));
        assert_eq!(name("Mary871   Ann12").as_deref(), Some("Mary Ann"));
        assert_eq!(name("Jose 3").as_deref(), Some("Jose"));
    }

    #[test]
    fn names_typed_in_one_case_become_title_case() {
        assert_eq!(name("o'BRIEN").as_deref(), Some("O'Brien"));
        assert_eq!(name("MARY-JANE").as_deref(), Some("Mary-Jane"));
        assert_eq!(name("smith").as_deref(), Some("Smith"));
        assert_eq!(name("van der berg").as_deref(), Some("Van Der Berg"));
        assert_eq!(name("van der Berg").as_deref(), Some("van der Berg"));
        assert_eq!(name("McDonald").as_deref(), Some("McDonald"));
        assert_eq!(name("d'Angelo").as_deref(), Some("d'Angelo"));
    }

    #[test]
    fn unicode_letters_are_kept() {
        assert_eq!(name("JOSÉ").as_deref(), Some("José"));
        assert_eq!(name("müller").as_deref(), Some("Müller"));
        assert_eq!(name("weiß").as_deref(), Some("Weiß"));
        assert_eq!(name("Zoë Ørsted").as_deref(), Some("Zoë Ørsted"));
    }

    #[test]
    fn names_without_letters_are_rejected() {
        assert_eq!(name("818"), None);
        assert_eq!(name(" - "), None);
        assert_eq!(name(""), None);
        let mut reasons = Vec::new();
        let raw = RawName::Parts {
            family: Field::new("LAST", Some("818")),
            given: Field::absent("FIRST"),
            more_given: vec![Field::new("MIDDLE", Some(""))],
        };
        assert_eq!(raw.clean(&mut reasons), None);
        assert_eq!(reasons, ["LAST: no letters", "FIRST: missing"]);
    }

    #[test]
    fn full_names_split_at_the_last_word() {
        let mut reasons = Vec::new();
        let full = |text: &str| RawName::Full(Field::new("NAME", Some(text)));
        assert_eq!(
            full(" Gail183  Baumbach677 ").clean(&mut reasons),
            Some(HumanName::new("Gail", "Baumbach"))
        );
        assert_eq!(
            full("ANNA MARIA LOPEZ").clean(&mut reasons),
            Some(HumanName::new("Anna Maria", "Lopez"))
        );
        assert!(reasons.is_empty());
        assert_eq!(full("Baumbach677").clean(&mut reasons), None);
        assert_eq!(reasons, ["NAME: missing given name"]);
    }

    #[test]
    fn a_name_too_long_is_blamed_on_the_fields_that_make_it_so() {
        let long = "a".repeat(300);
        let parts = |first: &str, middle: &str, last: &str| RawName::Parts {
            family: Field::new("LAST", Some(last)),
            given: Field::new("FIRST", Some(first)),
            more_given: vec![Field::new("MIDDLE", Some(middle))],
        };
        let reasons_for = |raw: RawName| {
            let mut reasons = Vec::new();
            assert_eq!(raw.clean(&mut reasons), None);
            reasons
        };
        assert_eq!(
            reasons_for(parts(&long, "Maria", "Lovelace")),
            ["FIRST: name longer than 200 characters"]
        );
        assert_eq!(
            reasons_for(parts("Ada", &long, &long)),
            [
                "LAST: name longer than 200 characters",
                "MIDDLE: name longer than 200 characters"
            ],
            "every field too long on its own"
        );
        let most = "b".repeat(190);
        assert_eq!(
            reasons_for(parts("Ada", &most, "Lovelace")),
            ["MIDDLE: name longer than 200 characters"],
            "none too long on its own: the longest"
        );
        assert_eq!(
            reasons_for(RawName::Full(Field::new(
                "NAME",
                Some(&format!("Ada {long}"))
            ))),
            ["NAME: name longer than 200 characters"]
        );
    }

    #[test]
    fn dates_are_read_in_every_known_format() {
        let expected = Ok(day(1980, 2, 29));
        for text in [
            "1980-02-29",
            "1980/02/29",
            "29.02.1980",
            "19800229",
            "02/29/1980",
            "2/29/1980",
            "29/02/1980",
            "1980-02-29T08:30:00Z",
            "1980-02-29 08:30",
            " 29.2.1980 ",
        ] {
            assert_eq!(date(text).map(|(date, _)| date), expected, "{text}");
        }
    }

    #[test]
    fn slashed_dates_are_month_first_unless_the_first_number_is_over_12_and_say_so() {
        let ambiguous = Some(AMBIGUOUS_MONTH_FIRST);
        assert_eq!(date("01/02/1980"), Ok((day(1980, 1, 2), ambiguous)));
        assert_eq!(date("12/11/1980"), Ok((day(1980, 12, 11), ambiguous)));
        assert_eq!(date("13/11/1980"), Ok((day(1980, 11, 13), Some(DAY_FIRST))));
        assert_eq!(date("14/02/1992"), Ok((day(1992, 2, 14), Some(DAY_FIRST))));
        assert_eq!(date("13/13/1980"), Err("no such date"));
        for (text, expected) in [
            ("07/23/1954", day(1954, 7, 23)),
            ("03/03/1990", day(1990, 3, 3)),
            ("1980/02/29", day(1980, 2, 29)),
            ("29.02.1980", day(1980, 2, 29)),
        ] {
            assert_eq!(date(text), Ok((expected, None)), "one reading only: {text}");
        }
    }

    #[test]
    fn impossible_and_unknown_dates_are_rejected() {
        assert_eq!(date("2023-02-30"), Err("no such date"));
        assert_eq!(date("1981-02-29"), Err("no such date"));
        assert_eq!(date("20230230"), Err("no such date"));
        for text in [
            "",
            "yesterday",
            "1980-02",
            "80-02-29",
            "1980.02.29",
            "1980-02-29Tnoon",
        ] {
            assert_eq!(date(text), Err("not a date in a known format"), "{text}");
        }
    }

    #[test]
    fn birth_dates_are_bounded() {
        assert_eq!(
            birth_date("1980-02-29", today()),
            Ok((day(1980, 2, 29), None))
        );
        assert_eq!(birth_date("2026-11-30", today()), Ok((today(), None)));
        assert_eq!(birth_date("2026-12-01", today()), Err("in the future"));
        assert_eq!(
            birth_date("1870-01-01", today()),
            Err("more than 150 years ago")
        );
        assert_eq!(birth_date("1980-13-01", today()), Err("no such date"));
    }

    #[test]
    fn death_dates_are_not_in_the_future_nor_before_the_birth_date() {
        assert_eq!(
            death_date("2020-05-01T10:00:00+02:00", today()),
            Ok((day(2020, 5, 1), None))
        );
        assert_eq!(death_date("2026-12-01", today()), Err("in the future"));
        let mut raw = raw_patient();
        raw.birth_date = Field::new("BIRTHDATE", Some("1980-01-02"));
        raw.death_date = Field::new("DEATHDATE", Some("01/01/1980"));
        let mut notes = Vec::new();
        assert_eq!(
            patient(&raw, today(), &mut notes).err(),
            Some(vec!["DEATHDATE: before BIRTHDATE".to_owned()])
        );
        raw.death_date = Field::new("DEATHDATE", Some("1980-01-02"));
        let mut notes = Vec::new();
        assert!(patient(&raw, today(), &mut notes).is_ok(), "the same day");
        assert_eq!(notes, [format!("DEATHDATE: {DEATH_DATE_NOT_STORED}")]);
    }

    #[test]
    fn control_and_bidirectional_characters_are_refused_in_every_field() {
        assert_eq!(hidden_character("Ada Lovelace, 12 Main St."), None);
        assert_eq!(hidden_character("1 Long\r\n\tRoad"), None, "whitespace");
        assert_eq!(hidden_character("Zoë Ørsted"), None);
        for text in [
            "Ada\u{0}",
            "\u{7}",
            "\u{1b}[31m",
            "\u{7f}",
            "\u{85}",
            "\u{b}",
        ] {
            assert_eq!(
                hidden_character(text),
                Some("contains a control character"),
                "{text:?}"
            );
        }
        for c in ('\u{202a}'..='\u{202e}').chain('\u{2066}'..='\u{2069}') {
            assert_eq!(
                hidden_character(&format!("ab{c}c")),
                Some("contains a bidirectional formatting character"),
                "{c:?}"
            );
        }
        let mut raw = raw_patient();
        raw.birth_date = Field::new("BIRTHDATE", Some("1915-12-10"));
        raw.address.city = Field::new("CITY", Some("Lon\u{2067}don"));
        raw.phone = Field::new("PHONE", Some("555\u{0} 123 4567"));
        assert_eq!(
            patient(&raw, today(), &mut Vec::new()).err(),
            Some(vec![
                "PHONE: contains a control character".to_owned(),
                "CITY: contains a bidirectional formatting character".to_owned(),
            ])
        );
        assert_eq!(Field::new("Id", Some(" p\u{202e}-1 ")).source_id(), None);
        assert_eq!(
            Field::new("Id", Some(" p-1 ")).source_id().as_deref(),
            Some("p-1")
        );
    }

    #[test]
    fn ids_are_trimmed_and_otherwise_exact() {
        let mut reasons = Vec::new();
        let id = |text: &str, reasons: &mut Vec<String>| Field::new("Id", Some(text)).id(reasons);
        assert_eq!(id("  P-1 ", &mut reasons).as_deref(), Some("P-1"));
        assert_eq!(id("a  b", &mut reasons).as_deref(), Some("a  b"));
        assert!(reasons.is_empty());
        assert_eq!(id(" ", &mut reasons), None);
        assert_eq!(reasons, ["Id: missing"]);
    }

    #[test]
    fn date_times_are_read_as_utc_wall_clock_times() {
        let expected = Ok(at(2024, 3, 5, 9, 30));
        for text in [
            "2024-03-05T09:30:00Z",
            "2024-03-05T10:30:00+01:00",
            "2024-03-05T04:30:00.000-05:00",
            "2024-03-05 09:30",
            "2024-03-05 09:30:00",
            "2024-03-05T09:30",
            " 2024-03-05T09:30:00 ",
        ] {
            assert_eq!(date_time(text), expected, "{text}");
        }
        assert_eq!(
            date_time("2024-03-05T23:30:00-02:00"),
            Ok(at(2024, 3, 6, 1, 30))
        );
    }

    #[test]
    fn impossible_and_unknown_date_times_are_rejected() {
        assert_eq!(
            date_time("2023-02-30T10:00:00Z"),
            Err("no such date or time")
        );
        assert_eq!(date_time("2023-02-30 10:00"), Err("no such date or time"));
        assert_eq!(date_time("2023-02-03 25:00"), Err("no such date or time"));
        for text in ["2024-03-05", "05.03.2024 09:30", "noon", ""] {
            assert_eq!(
                date_time(text),
                Err("not a date-time in a known format"),
                "{text}"
            );
        }
    }

    #[test]
    fn sex_codes_become_genders() {
        for (codes, expected) in [
            (&["M", "m", "male", "Male", "MALE", " M "][..], Gender::Male),
            (&["F", "f", "female", "Female"], Gender::Female),
            (&["O", "o", "other"], Gender::Other),
            (&["U", "unknown", "UNKNOWN"], Gender::Unknown),
        ] {
            for code in codes {
                assert_eq!(gender(code), Ok((expected, None)), "{code}");
            }
        }
        let converted = Some(NON_STANDARD_CODE);
        for (code, expected) in [
            ("man", Gender::Male),
            ("Woman", Gender::Female),
            ("X", Gender::Other),
            ("x", Gender::Other),
            ("diverse", Gender::Other),
        ] {
            assert_eq!(gender(code), Ok((expected, converted)), "{code}");
        }
        assert_eq!(gender("Q"), Err("unknown code"));
        let mut reasons = Vec::new();
        assert_eq!(
            Field::new("GENDER", Some(" ")).check(true, gender, &mut reasons),
            None
        );
        assert_eq!(
            Field::new("GENDER", Some("Q")).check(true, gender, &mut reasons),
            None
        );
        assert_eq!(reasons, ["GENDER: missing", "GENDER: unknown code"]);
    }

    #[test]
    fn phone_numbers_become_e164() {
        for (text, expected) in [
            ("+41 44 668 18 00", "+41446681800"),
            ("0041 44 668 18 00", "+41446681800"),
            ("+41 (0)44 668 18 00", "+41446681800"),
            ("(555) 123-4567", "+15551234567"),
            ("555.123.4567", "+15551234567"),
            ("1-555-123-4567", "+15551234567"),
            ("+1 555 123 4567", "+15551234567"),
            ("15551234567", "+15551234567"),
        ] {
            assert_eq!(phone(text).as_deref(), Ok(expected), "{text}");
        }
        for text in [
            "123",
            "0446681800",
            "5551234",
            "+0446681800",
            "+41 44 668 18 00 ext 3",
            "+1234567",
            "+1234567890123456",
            "555-CALL-NOW",
        ] {
            assert_eq!(phone(text), Err("not a phone number"), "{text}");
        }
    }

    #[test]
    fn emails_are_lowercased_and_checked() {
        assert_eq!(
            email("  Ada.Lovelace@Example.ORG ").as_deref(),
            Ok("ada.lovelace@example.org")
        );
        for text in [
            "ada",
            "ada@example",
            "@example.org",
            "a da@example.org",
            "a@b@c.org",
        ] {
            assert_eq!(email(text), Err("not an email address"), "{text}");
        }
    }

    #[test]
    fn specialties_are_lowercased_and_collapsed() {
        assert_eq!(
            specialty("  GENERAL   PRACTICE ").as_deref(),
            Ok("general practice")
        );
        assert_eq!(specialty(" "), Err("missing"));
        assert_eq!(
            specialty(&"x".repeat(101)),
            Err("longer than 100 characters")
        );
    }

    #[test]
    fn status_codes_are_read() {
        use AppointmentStatus::*;
        for (text, expected) in [
            ("booked", Booked),
            (" FULFILLED ", Fulfilled),
            ("checked-in", CheckedIn),
            ("Checked In", CheckedIn),
            ("no-show", Noshow),
            ("no show", Noshow),
            ("noshow", Noshow),
            ("canceled", Cancelled),
            ("cancelled", Cancelled),
            ("entered in error", EnteredInError),
        ] {
            assert_eq!(appointment_status(text), Ok(expected), "{text}");
        }
        assert_eq!(appointment_status("done"), Err("unknown code"));
        assert_eq!(encounter_status("finished"), Ok(Fulfilled));
        assert_eq!(encounter_status("cancelled"), Ok(Cancelled));
        assert_eq!(encounter_status("planned"), Ok(Booked));
        assert_eq!(encounter_status("in-progress"), Err("unknown code"));
        assert_eq!(default_status(at(2026, 11, 29, 23, 0), today()), Fulfilled);
        assert_eq!(default_status(at(2026, 11, 30, 0, 0), today()), Booked);
    }

    fn raw_patient() -> RawPatient {
        RawPatient {
            system: SYSTEM_CSV_PATIENTS,
            id: Field::new("Id", Some(" p-1 ")),
            name: RawName::Parts {
                family: Field::new("LAST", Some("LOVELACE")),
                given: Field::new("FIRST", Some("Ada123")),
                more_given: vec![Field::new("MIDDLE", Some("maria"))],
            },
            birth_date: Field::new("BIRTHDATE", Some("12/10/1815")),
            death_date: Field::absent("DEATHDATE"),
            gender: Field::new("GENDER", Some("F")),
            phone: Field::new("PHONE", Some("555 123 4567")),
            email: Field::absent("EMAIL"),
            address: RawAddress {
                line: Field::absent("ADDRESS"),
                city: Field::new("CITY", Some(" London ")),
                state: Field::new("STATE", Some("")),
                postal_code: Field::absent("ZIP"),
            },
        }
    }

    #[test]
    fn a_clean_patient_is_built() {
        let mut raw = raw_patient();
        raw.birth_date = Field::new("BIRTHDATE", Some("12/10/1915"));
        let mut notes = Vec::new();
        assert_eq!(
            patient(&raw, today(), &mut notes),
            Ok(CleanPatient {
                source: Identifier::new(SYSTEM_CSV_PATIENTS, "p-1"),
                name: HumanName::new("Ada Maria", "Lovelace"),
                birth_date: day(1915, 12, 10),
                gender: Gender::Female,
                contact: Contact {
                    phone: Some("+15551234567".to_owned()),
                    email: None,
                },
                address: Some(Address {
                    city: "London".to_owned(),
                    ..Address::default()
                }),
            })
        );
        assert_eq!(notes, [format!("BIRTHDATE: {AMBIGUOUS_MONTH_FIRST}")]);
    }

    #[test]
    fn every_reason_is_collected_and_none_quotes_a_value() {
        let mut raw = raw_patient();
        raw.id = Field::new("Id", Some(""));
        raw.name = RawName::Parts {
            family: Field::absent("LAST"),
            given: Field::new("FIRST", Some("Ada")),
            more_given: Vec::new(),
        };
        raw.gender = Field::new("GENDER", Some("Q"));
        raw.phone = Field::new("PHONE", Some("12-34"));
        raw.email = Field::new("EMAIL", Some("ada-at-example"));
        let reasons = patient(&raw, today(), &mut Vec::new())
            .err()
            .unwrap_or_default();
        assert_eq!(
            reasons,
            [
                "Id: missing",
                "LAST: missing",
                "BIRTHDATE: more than 150 years ago",
                "GENDER: unknown code",
                "PHONE: not a phone number",
                "EMAIL: not an email address",
            ]
        );
    }

    fn raw_appointment(start: &str, end: Option<&str>, status: Option<&str>) -> RawAppointment {
        RawAppointment {
            system: SYSTEM_CSV_APPOINTMENTS,
            patient_system: SYSTEM_CSV_PATIENTS,
            physician_system: "urn:test:physicians",
            id: Field::new("Id", Some("e-1")),
            patient: Field::new("PATIENT", Some("p-1")),
            physician: Field::new("PROVIDER", Some("d-1")),
            start: Field::new("START", Some(start)),
            end: Field::new("STOP", end),
            status: Field::new("STATUS", status),
            codes: StatusCodes::Appointment,
        }
    }

    #[test]
    fn appointments_default_their_end_and_status() {
        let past = appointment(
            &raw_appointment("2024-03-05T09:30:00Z", None, None),
            today(),
        );
        let past = past.unwrap_or_else(|reasons| panic!("{reasons:?}"));
        assert_eq!(past.source, Identifier::new(SYSTEM_CSV_APPOINTMENTS, "e-1"));
        assert_eq!(past.patient, Identifier::new(SYSTEM_CSV_PATIENTS, "p-1"));
        assert_eq!(
            past.physician,
            Identifier::new("urn:test:physicians", "d-1")
        );
        assert_eq!(past.end, at(2024, 3, 5, 10, 0));
        assert_eq!(past.status, AppointmentStatus::Fulfilled);
        let future = appointment(
            &raw_appointment("2027-01-05 09:30", Some(""), Some(" ")),
            today(),
        );
        let future = future.unwrap_or_else(|reasons| panic!("{reasons:?}"));
        assert_eq!(future.end, at(2027, 1, 5, 10, 0));
        assert_eq!(future.status, AppointmentStatus::Booked);
        let stated = appointment(
            &raw_appointment(
                "2027-01-05 09:30",
                Some("2027-01-05 09:45"),
                Some("Cancelled"),
            ),
            today(),
        );
        let stated = stated.unwrap_or_else(|reasons| panic!("{reasons:?}"));
        assert_eq!(stated.end, at(2027, 1, 5, 9, 45));
        assert_eq!(stated.status, AppointmentStatus::Cancelled);
    }

    #[test]
    fn appointments_must_end_after_they_start() {
        let raw = raw_appointment("2024-03-05 09:30", Some("2024-03-05 09:30"), None);
        assert_eq!(
            appointment(&raw, today()).err(),
            Some(vec!["STOP: not after START".to_owned()])
        );
        let raw = raw_appointment("2024-03-05 09:30", Some("2024-03-05 08:30"), Some("x"));
        assert_eq!(
            appointment(&raw, today()).err(),
            Some(vec![
                "STOP: not after START".to_owned(),
                "STATUS: unknown code".to_owned()
            ])
        );
        let raw = raw_appointment("2024-03-05 09:30", Some("later"), None);
        assert_eq!(
            appointment(&raw, today()).err(),
            Some(vec!["STOP: not a date-time in a known format".to_owned()])
        );
    }

    #[test]
    fn fields_a_source_could_not_read_are_reasons() {
        let mut raw = raw_appointment("", None, None);
        raw.patient = Field::invalid("subject", "reference not resolvable");
        raw.codes = StatusCodes::Encounter;
        raw.status = Field::new("status", Some("in-progress"));
        assert_eq!(
            appointment(&raw, today()).err(),
            Some(vec![
                "subject: reference not resolvable".to_owned(),
                "START: missing".to_owned(),
                "status: unknown code".to_owned(),
            ])
        );
    }
}
