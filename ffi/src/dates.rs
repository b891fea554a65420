//! Dates and times as they cross the boundary: chrono's `NaiveDate`, `NaiveTime` and
//! `NaiveDateTime` as uniffi custom types carried by ISO 8601 strings, read strictly and
//! written as `java.time`'s `LocalDate`, `LocalTime` and `LocalDateTime` write them. Kotlin
//! sees those `java.time` classes (`uniffi.toml`), Swift the strings.
//!
//! - a date is `2026-12-02`;
//! - a time of day is `09:30`, `09:30:15` or `09:30:15.250` (up to 9 fraction digits);
//! - a date and time is both joined by `T`: `2026-12-02T09:30`.
//!
//! Written times leave the seconds out when they are zero, so a slot reads `2026-12-02T09:30`.
//! A rejected string fails the call with `InvalidInput`, never repeating its text.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use crate::error::{MedVaultError, Result};

uniffi::custom_type!(NaiveDate, String, {
    remote,
    lower: |date| format_date(date),
    try_lift: |text| Ok(parse_date(&text)?),
});

uniffi::custom_type!(NaiveTime, String, {
    remote,
    lower: |time| format_time(time),
    try_lift: |text| Ok(parse_time(&text)?),
});

uniffi::custom_type!(NaiveDateTime, String, {
    remote,
    lower: |value| format_date_time(value),
    try_lift: |text| Ok(parse_date_time(&text)?),
});

const DATE_SHAPE: &str = "a date such as 2026-12-02";
const TIME_SHAPE: &str = "a time of day such as 09:30 or 09:30:00";
const DATE_TIME_SHAPE: &str = "a date and time such as 2026-12-02T09:30";

fn rejected(what: &str, shape: &str) -> MedVaultError {
    MedVaultError::invalid(format!("invalid {what}: expected {shape}"))
}

/// Whether `text` has exactly the shape of `pattern`, in which `9` stands for an ASCII digit.
fn shaped(text: &str, pattern: &str) -> bool {
    text.len() == pattern.len()
        && text.bytes().zip(pattern.bytes()).all(|(byte, expected)| {
            if expected == b'9' {
                byte.is_ascii_digit()
            } else {
                byte == expected
            }
        })
}

fn date_of(text: &str) -> Option<NaiveDate> {
    if !shaped(text, "9999-99-99") {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

fn time_of(text: &str) -> Option<NaiveTime> {
    let (clock, fraction) = text.split_once('.').unwrap_or((text, ""));
    let format = if shaped(clock, "99:99") && clock.len() == text.len() {
        "%H:%M"
    } else if shaped(clock, "99:99:99")
        && (clock.len() == text.len()
            || (1..=9).contains(&fraction.len())
                && fraction.bytes().all(|byte| byte.is_ascii_digit()))
    {
        "%H:%M:%S%.f"
    } else {
        return None;
    };
    let time = NaiveTime::parse_from_str(text, format).ok()?;
    // chrono reads second 60 as a leap second (1e9 nanoseconds and up): refused.
    (time.nanosecond() < 1_000_000_000).then_some(time)
}

/// `text` as a date (`2026-12-02`).
fn parse_date(text: &str) -> Result<NaiveDate> {
    date_of(text).ok_or_else(|| rejected("date", DATE_SHAPE))
}

/// `text` as a time of day (`09:30`, `09:30:00`).
fn parse_time(text: &str) -> Result<NaiveTime> {
    time_of(text).ok_or_else(|| rejected("time of day", TIME_SHAPE))
}

/// `text` as a date and time (`2026-12-02T09:30`, `2026-12-02T09:30:00`).
fn parse_date_time(text: &str) -> Result<NaiveDateTime> {
    text.split_once('T')
        .and_then(|(date, time)| Some(date_of(date)?.and_time(time_of(time)?)))
        .ok_or_else(|| rejected("date and time", DATE_TIME_SHAPE))
}

/// `2026-12-02`.
fn format_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// `09:30`, or `09:30:15`, or `09:30:15.250` when there are seconds or a fraction (in groups
/// of three digits, as `java.time` writes them).
fn format_time(time: NaiveTime) -> String {
    let format = if time.second() == 0 && time.nanosecond() == 0 {
        "%H:%M"
    } else {
        "%H:%M:%S%.f"
    };
    time.format(format).to_string()
}

/// `2026-12-02T09:30`, with seconds only when they are not zero.
fn format_date_time(value: NaiveDateTime) -> String {
    format!(
        "{}T{}",
        format_date(value.date()),
        format_time(value.time())
    )
}

#[cfg(test)]
mod tests {
    use uniffi::{Lift, Lower};

    use super::*;
    use crate::UniFfiTag;

    #[test]
    fn values_cross_the_boundary_as_strings_and_back() {
        let start = parse_date_time("2026-12-02T09:30:15.250").ok();
        let crossed = start.map(|start| {
            <NaiveDateTime as Lift<UniFfiTag>>::try_lift(
                <NaiveDateTime as Lower<UniFfiTag>>::lower(start),
            )
            .ok()
        });
        assert_eq!(crossed.flatten(), start);
    }

    /// Whether a lift failed with `InvalidInput`. uniffi returns an argument's lift error as
    /// the call's own error when it is of the call's error type: Kotlin and Swift then see
    /// `InvalidInput`, not an internal error.
    fn is_invalid_input<T>(lifted: uniffi::Result<T>) -> bool {
        lifted.err().is_some_and(|error| {
            matches!(
                error.downcast_ref::<MedVaultError>(),
                Some(MedVaultError::InvalidInput(_))
            )
        })
    }

    #[test]
    fn a_rejected_string_fails_the_call_with_invalid_input() {
        let lowered = <String as Lower<UniFfiTag>>::lower("2026-02-30".to_owned());
        assert!(is_invalid_input(<NaiveDate as Lift<UniFfiTag>>::try_lift(
            lowered
        )));
    }

    #[test]
    fn a_rejected_date_inside_a_record_fails_its_lift_with_invalid_input() {
        // `NotAvailable` as Swift writes it: its description, then leave from 30 February.
        let mut written = Vec::new();
        for field in ["annual leave", "2026-02-30", "2026-03-02"] {
            <String as Lower<UniFfiTag>>::write(field.to_owned(), &mut written);
        }
        let buffer = uniffi::RustBuffer::from_vec(written);
        assert!(is_invalid_input(
            <medvault_hospital::NotAvailable as Lift<UniFfiTag>>::try_lift(buffer)
        ));
    }

    #[test]
    fn dates_and_times_round_trip() -> Result<()> {
        for text in ["2026-12-02", "1984-02-29", "0001-01-01", "9999-12-31"] {
            assert_eq!(format_date(parse_date(text)?), text);
        }
        for text in [
            "09:30",
            "23:59:59",
            "00:00",
            "09:30:15",
            "09:30:15.250",
            "09:30:15.000001",
            "09:30:15.123456789",
        ] {
            assert_eq!(format_time(parse_time(text)?), text);
        }
        for text in ["2026-12-02T09:30", "2026-12-02T09:30:15"] {
            assert_eq!(format_date_time(parse_date_time(text)?), text);
        }
        assert_eq!(
            format_date_time(parse_date_time("2026-12-02T09:30:00")?),
            "2026-12-02T09:30"
        );
        assert_eq!(format_time(parse_time("09:30:00.5")?), "09:30:00.500");
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
            assert!(parse_date(text).is_err(), "{text:?} is not a date");
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
            "09:30:00.+5",
        ];
        for text in times {
            assert!(parse_time(text).is_err(), "{text:?} is not a time");
        }
        for text in [
            "2026-12-02",
            "2026-12-02 09:30",
            "2026-12-02T",
            "T09:30",
            "2026-12-02T09:30Z",
        ] {
            assert!(
                parse_date_time(text).is_err(),
                "{text:?} is not a date-time"
            );
        }
        let secret = "2026-13-45-patient-ada";
        let message = parse_date(secret)
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default();
        assert!(message.contains("date"), "{message}");
        assert!(!message.contains(secret), "{message}");
        assert!(matches!(
            parse_date_time("soon"),
            Err(MedVaultError::InvalidInput(_))
        ));
    }
}
