//! Dates and times as they cross the boundary: ISO 8601 strings, read strictly, written as
//! `java.time`'s `LocalDate`, `LocalTime` and `LocalDateTime` write them.
//!
//! - a date is `2026-12-02`;
//! - a time of day is `09:30`, `09:30:15` or `09:30:15.250` (up to 9 fraction digits);
//! - a date and time is both joined by `T`: `2026-12-02T09:30`.
//!
//! Written times leave the seconds out when they are zero, so a slot reads `2026-12-02T09:30`.
//! A rejected string is an `InvalidInput` naming the argument, never repeating its text.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use crate::error::{MedVaultError, Result};

const DATE_SHAPE: &str = "a date such as 2026-12-02";
const TIME_SHAPE: &str = "a time of day such as 09:30 or 09:30:00";
const DATE_TIME_SHAPE: &str = "a date and time such as 2026-12-02T09:30";

fn rejected(what: &str, shape: &str) -> MedVaultError {
    MedVaultError::invalid(format!("invalid {what}: expected {shape}"))
}

/// The number written by exactly `len` ASCII digits.
fn number(text: &str, len: usize) -> Option<u32> {
    if text.len() != len || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn date_of(text: &str) -> Option<NaiveDate> {
    let mut parts = text.split('-');
    let year = number(parts.next()?, 4)?;
    let month = number(parts.next()?, 2)?;
    let day = number(parts.next()?, 2)?;
    if parts.next().is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

fn time_of(text: &str) -> Option<NaiveTime> {
    let (clock, fraction) = match text.split_once('.') {
        Some((clock, fraction)) => (clock, Some(fraction)),
        None => (text, None),
    };
    let mut parts = clock.split(':');
    let hour = number(parts.next()?, 2)?;
    let minute = number(parts.next()?, 2)?;
    let second = match parts.next() {
        Some(second) => number(second, 2)?,
        // A fraction needs the seconds it belongs to.
        None if fraction.is_some() => return None,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    let nanos = match fraction {
        Some(digits) if (1..=9).contains(&digits.len()) => {
            number(digits, digits.len())? * 10u32.pow(9 - digits.len() as u32)
        }
        Some(_) => return None,
        None => 0,
    };
    // `from_hms_nano_opt` takes second 59 with 1e9+ nanoseconds as a leap second: refused.
    if nanos >= 1_000_000_000 {
        return None;
    }
    NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)
}

/// `text` as a date (`2026-12-02`); `what` names the argument in the error.
pub(crate) fn parse_date(what: &str, text: &str) -> Result<NaiveDate> {
    date_of(text).ok_or_else(|| rejected(what, DATE_SHAPE))
}

/// `text` as a time of day (`09:30`, `09:30:00`).
pub(crate) fn parse_time(what: &str, text: &str) -> Result<NaiveTime> {
    time_of(text).ok_or_else(|| rejected(what, TIME_SHAPE))
}

/// `text` as a date and time (`2026-12-02T09:30`, `2026-12-02T09:30:00`).
pub(crate) fn parse_date_time(what: &str, text: &str) -> Result<NaiveDateTime> {
    text.split_once('T')
        .and_then(|(date, time)| Some(date_of(date)?.and_time(time_of(time)?)))
        .ok_or_else(|| rejected(what, DATE_TIME_SHAPE))
}

/// `2026-12-02`.
pub(crate) fn format_date(date: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

/// `09:30`, or `09:30:15`, or `09:30:15.250` when there are seconds or a fraction.
pub(crate) fn format_time(time: NaiveTime) -> String {
    let clock = format!("{:02}:{:02}", time.hour(), time.minute());
    match (time.second(), time.nanosecond()) {
        (0, 0) => clock,
        (second, 0) => format!("{clock}:{second:02}"),
        (second, nanos) => {
            let fraction = format!("{nanos:09}");
            // Groups of three digits, as java.time writes them.
            let kept = match fraction.trim_end_matches('0').len() {
                0..=3 => 3,
                4..=6 => 6,
                _ => 9,
            };
            format!("{clock}:{second:02}.{}", &fraction[..kept])
        }
    }
}

/// `2026-12-02T09:30`, with seconds only when they are not zero.
pub(crate) fn format_date_time(value: NaiveDateTime) -> String {
    format!(
        "{}T{}",
        format_date(value.date()),
        format_time(value.time())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_round_trip() -> Result<()> {
        for text in ["2026-12-02", "1984-02-29", "0001-01-01", "9999-12-31"] {
            assert_eq!(format_date(parse_date("day", text)?), text);
        }
        for text in [
            "09:30",
            "23:59:59",
            "00:00",
            "09:30:15",
            "09:30:15.250",
            "09:30:15.000001",
        ] {
            assert_eq!(format_time(parse_time("time", text)?), text);
        }
        for text in ["2026-12-02T09:30", "2026-12-02T09:30:15"] {
            assert_eq!(format_date_time(parse_date_time("start", text)?), text);
        }
        assert_eq!(
            format_date_time(parse_date_time("start", "2026-12-02T09:30:00")?),
            "2026-12-02T09:30"
        );
        assert_eq!(
            format_time(parse_time("time", "09:30:00.5")?),
            "09:30:00.500"
        );
        Ok(())
    }

    #[test]
    fn malformed_input_is_rejected_without_repeating_it() {
        let dates = [
            "",
            "2026-2-02",
            "2026-02-30",
            "26-12-02",
            "2026/12/02",
            "2026-12-02 ",
            " 2026-12-02",
            "2026-12-02T09:30",
            "+2026-12-02",
            "2026-1a-02",
            "２０２６-12-02",
        ];
        for text in dates {
            assert!(parse_date("day", text).is_err(), "{text:?} is not a date");
        }
        let times = [
            "",
            "9:30",
            "09:3",
            "24:00",
            "09:60",
            "09:30:60",
            "23:59:59.",
            "09:30.5",
            "09:30:00.1234567890",
            "09:30:00:00",
            "09h30",
            "-1:30",
        ];
        for text in times {
            assert!(parse_time("time", text).is_err(), "{text:?} is not a time");
        }
        for text in [
            "2026-12-02",
            "2026-12-02 09:30",
            "2026-12-02T",
            "T09:30",
            "2026-12-02T09:30Z",
        ] {
            assert!(
                parse_date_time("start", text).is_err(),
                "{text:?} is not a date-time"
            );
        }
        let secret = "2026-13-45-patient-ada";
        let message = parse_date("birthDate", secret)
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default();
        assert!(message.contains("birthDate"), "{message}");
        assert!(!message.contains(secret), "{message}");
        assert!(matches!(
            parse_date_time("start", "soon"),
            Err(MedVaultError::InvalidInput(_))
        ));
    }
}
