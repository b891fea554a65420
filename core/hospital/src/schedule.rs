//! When a physician sees patients: weekly hours (FHIR `PractitionerRole.availableTime`),
//! leave (`notAvailable`), and the slots that follow from them. Times are the hospital's
//! local wall-clock time.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

use super::profile::invalid;
use crate::error::Result;

/// The longest date range one search may cover.
pub const MAX_SEARCH_DAYS: i64 = 92;

/// Weekly hours: on these days, from `start` to `end`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AvailableTime {
    /// The days of the week (FHIR `daysOfWeek`).
    pub days_of_week: Vec<Weekday>,
    /// The first minute (FHIR `availableStartTime`).
    pub start: NaiveTime,
    /// The end, exclusive (FHIR `availableEndTime`).
    pub end: NaiveTime,
}

impl AvailableTime {
    /// Monday to Friday, from `start` to `end`.
    pub fn weekdays(start: NaiveTime, end: NaiveTime) -> Self {
        Self {
            days_of_week: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ],
            start,
            end,
        }
    }
}

/// Leave: no slots from `start` to `end`, both days included.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotAvailable {
    /// Why, such as "annual leave" (FHIR `notAvailable.description`).
    pub description: String,
    /// The first day.
    pub start: NaiveDate,
    /// The last day.
    pub end: NaiveDate,
}

/// A physician's weekly hours, leave and slot length.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// Weekly hours.
    pub available_time: Vec<AvailableTime>,
    /// Leave.
    pub not_available: Vec<NotAvailable>,
    /// The length of one appointment, 5 to 240 minutes.
    pub slot_minutes: u32,
}

impl Default for Schedule {
    /// No hours yet, 30-minute slots.
    fn default() -> Self {
        Self {
            available_time: Vec::new(),
            not_available: Vec::new(),
            slot_minutes: 30,
        }
    }
}

impl Schedule {
    /// Checks hours, leave and slot length.
    pub fn check(&self) -> Result<()> {
        if !(5..=240).contains(&self.slot_minutes) {
            return Err(invalid("slot length", "it must be 5 to 240 minutes"));
        }
        for hours in &self.available_time {
            if hours.days_of_week.is_empty() {
                return Err(invalid("available time", "it names no day of the week"));
            }
            if hours.start >= hours.end {
                return Err(invalid("available time", "it must start before it ends"));
            }
        }
        for leave in &self.not_available {
            if leave.start > leave.end {
                return Err(invalid("leave", "it must start on or before its last day"));
            }
        }
        Ok(())
    }

    /// Whether `day` falls in any leave.
    pub fn on_leave(&self, day: NaiveDate) -> bool {
        self.not_available
            .iter()
            .any(|leave| leave.start <= day && day <= leave.end)
    }

    /// The start of every slot on `day`, in order (none on leave). Overlapping hours give
    /// each start once.
    pub fn slot_starts(&self, day: NaiveDate) -> Vec<NaiveDateTime> {
        if self.on_leave(day) {
            return Vec::new();
        }
        let length = self.slot_length();
        let mut starts: Vec<NaiveDateTime> = self
            .available_time
            .iter()
            .filter(|hours| hours.days_of_week.contains(&day.weekday()))
            .flat_map(|hours| {
                let end = day.and_time(hours.end);
                std::iter::successors(Some(day.and_time(hours.start)), move |start| {
                    Some(*start + length)
                })
                .take_while(move |start| *start + length <= end)
            })
            .collect();
        starts.sort_unstable();
        starts.dedup();
        starts
    }

    /// Whether a slot starts at `start`.
    pub fn offers(&self, start: NaiveDateTime) -> bool {
        self.slot_starts(start.date()).contains(&start)
    }

    /// The length of one slot.
    pub fn slot_length(&self) -> Duration {
        Duration::minutes(i64::from(self.slot_minutes))
    }
}

/// The days from `from` to `to`, both included; checked to be in order and at most `max`
/// days long.
pub(crate) fn days(from: NaiveDate, to: NaiveDate, max: i64) -> Result<Vec<NaiveDate>> {
    let span = (to - from).num_days();
    if span < 0 {
        return Err(invalid("date range", "it ends before it starts"));
    }
    if span >= max {
        return Err(invalid(
            "date range",
            format!("it may cover at most {max} days"),
        ));
    }
    Ok(from.iter_days().take(span as usize + 1).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(text: &str) -> NaiveTime {
        text.parse().unwrap_or_default()
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap_or_default()
    }

    fn weekday_mornings() -> Schedule {
        Schedule {
            available_time: vec![AvailableTime {
                days_of_week: vec![Weekday::Mon, Weekday::Wed],
                start: time("09:00:00"),
                end: time("10:45:00"),
            }],
            not_available: vec![NotAvailable {
                description: "leave".to_owned(),
                start: date("2026-12-07"),
                end: date("2026-12-08"),
            }],
            slot_minutes: 30,
        }
    }

    #[test]
    fn slots_fill_the_hours_on_the_named_days() {
        let schedule = weekday_mornings();
        // 2026-11-30 is a Monday: 09:00, 09:30, 10:00 (10:30 would end after 10:45).
        let starts = schedule.slot_starts(date("2026-11-30"));
        let expected: Vec<NaiveDateTime> = ["09:00:00", "09:30:00", "10:00:00"]
            .iter()
            .map(|t| date("2026-11-30").and_time(time(t)))
            .collect();
        assert_eq!(starts, expected);
        assert!(schedule.slot_starts(date("2026-12-01")).is_empty());
        assert!(schedule.offers(date("2026-12-02").and_time(time("09:30:00"))));
        assert!(!schedule.offers(date("2026-12-02").and_time(time("09:15:00"))));
    }

    #[test]
    fn leave_removes_every_slot_of_its_days() {
        let schedule = weekday_mornings();
        assert!(schedule.slot_starts(date("2026-12-07")).is_empty());
        assert_eq!(schedule.slot_starts(date("2026-12-09")).len(), 3);
    }

    #[test]
    fn schedules_and_ranges_are_checked() {
        let mut schedule = weekday_mornings();
        assert!(schedule.check().is_ok());
        schedule.slot_minutes = 2;
        assert!(schedule.check().is_err());
        schedule = weekday_mornings();
        schedule.available_time[0].end = time("08:00:00");
        assert!(schedule.check().is_err());
        assert!(days(date("2026-12-02"), date("2026-12-01"), MAX_SEARCH_DAYS).is_err());
        assert!(days(date("2026-01-01"), date("2026-12-31"), MAX_SEARCH_DAYS).is_err());
        assert_eq!(
            days(date("2026-12-01"), date("2026-12-03"), MAX_SEARCH_DAYS)
                .map(|d| d.len())
                .ok(),
            Some(3)
        );
    }
}
