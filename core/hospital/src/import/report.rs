//! What an import did with every row, to show, save as JSON or CSV, or share.
//!
//! A report carries each row's number, locator, kind, source id (the sending system's own
//! key, needed to find and fix the row), outcome, reasons and notes, and no other value from
//! the file: reasons and notes name a column or field and say what happened in a few words.

use serde::{Deserialize, Serialize};

use super::{ImportKind, ParsedFile, ParsedRow, RowOutcome};

/// What became of a row in the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportOutcome {
    /// Accepted (and, once applied, imported).
    Accepted,
    /// The same as an earlier row of the file.
    Duplicate,
    /// The source id of an earlier row of the file, with other data; the earlier row is
    /// kept, and the reasons name the fields that differ.
    Conflict,
    /// Rejected, with reasons.
    Rejected,
    /// Accepted, but already in the vault from an earlier import, as it is.
    Unchanged,
    /// Accepted, already in the vault from an earlier import, and changed as this row says;
    /// the notes name the fields that changed.
    Updated,
}

impl ReportOutcome {
    /// `accepted`, `duplicate`, `conflict`, `rejected`, `unchanged` or `updated`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Duplicate => "duplicate",
            Self::Conflict => "conflict",
            Self::Rejected => "rejected",
            Self::Unchanged => "unchanged",
            Self::Updated => "updated",
        }
    }
}

/// One row of a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRow {
    /// The row's number (CSV line, or bundle entry index).
    pub row: usize,
    /// Where it is: `line 7` or `entry 3`.
    pub locator: String,
    /// What it describes; `None` for a bundle entry too broken to tell.
    pub kind: Option<ImportKind>,
    /// Its id in the system it came from, if it has one.
    pub source_id: Option<String>,
    /// What became of it.
    pub outcome: ReportOutcome,
    /// Why it was rejected, or what it conflicts in: column (or field) and problem, never
    /// the value.
    pub reasons: Vec<String>,
    /// For a duplicate, the number of the row it repeats; for a conflict, the number of the
    /// earlier row with its source id, which was kept.
    pub duplicate_of: Option<usize>,
    /// What the import converted or changed that a reader should check: a date read day
    /// first, a non-standard code converted, a value not stored, the fields an update
    /// changed. Column (or field) and a few words, never the value.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// How many rows ended each way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    /// Accepted rows.
    pub accepted: usize,
    /// Rejected rows.
    pub rejected: usize,
    /// Duplicates of earlier rows.
    pub duplicates: usize,
    /// Rows in conflict with an earlier row of the file.
    #[serde(default)]
    pub conflicts: usize,
    /// Accepted rows already in the vault, as they are.
    pub unchanged: usize,
    /// Accepted rows already in the vault, which they changed.
    #[serde(default)]
    pub updated: usize,
}

impl ImportSummary {
    /// The count of rows that ended as `outcome`.
    fn of(&mut self, outcome: ReportOutcome) -> &mut usize {
        match outcome {
            ReportOutcome::Accepted => &mut self.accepted,
            ReportOutcome::Duplicate => &mut self.duplicates,
            ReportOutcome::Conflict => &mut self.conflicts,
            ReportOutcome::Rejected => &mut self.rejected,
            ReportOutcome::Unchanged => &mut self.unchanged,
            ReportOutcome::Updated => &mut self.updated,
        }
    }
}

/// What an import did with every row of a file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Every row, in file order.
    pub rows: Vec<ReportRow>,
    /// How many rows ended each way.
    pub counts: ImportSummary,
}

impl ImportReport {
    /// The report of a parsed file, before anything is applied: its accepted rows count as
    /// accepted.
    pub fn from_parsed(file: &ParsedFile) -> Self {
        Self::from_rows(&file.rows)
    }

    /// The report of some rows of a file, before anything is applied.
    pub(crate) fn from_rows(rows: &[ParsedRow]) -> Self {
        let rows = rows
            .iter()
            .map(|row| {
                let (outcome, reasons, duplicate_of) = match &row.outcome {
                    RowOutcome::Accepted(_) => (ReportOutcome::Accepted, Vec::new(), None),
                    RowOutcome::Duplicate { of_row } => {
                        (ReportOutcome::Duplicate, Vec::new(), Some(*of_row))
                    }
                    RowOutcome::Conflict { of_row, fields } => {
                        let reasons = fields
                            .iter()
                            .map(|field| {
                                format!(
                                    "{field}: differs from the earlier row with the same source id"
                                )
                            })
                            .collect();
                        (ReportOutcome::Conflict, reasons, Some(*of_row))
                    }
                    RowOutcome::Rejected { reasons } => {
                        (ReportOutcome::Rejected, reasons.clone(), None)
                    }
                };
                ReportRow {
                    row: row.row,
                    locator: row.locator.clone(),
                    kind: row.kind,
                    source_id: row.source_id.clone(),
                    outcome,
                    reasons,
                    duplicate_of,
                    notes: row.notes.clone(),
                }
            })
            .collect();
        let mut report = Self::default();
        report.append(Self {
            rows,
            counts: ImportSummary::default(),
        });
        report
    }

    /// Marks an accepted row as already in the vault. False if no accepted row has this
    /// number.
    pub fn mark_unchanged(&mut self, row: usize) -> bool {
        self.change(row, ReportOutcome::Unchanged, None, Vec::new())
    }

    /// Marks an accepted row as an update of what an earlier import brought, noting each of
    /// `fields` (such as `name`, `birth date`) as updated. False if no accepted row has this
    /// number.
    pub fn mark_updated(&mut self, row: usize, fields: &[&str]) -> bool {
        let notes = fields.iter().map(|field| format!("{field}: updated"));
        self.change(row, ReportOutcome::Updated, None, notes.collect())
    }

    /// Marks an accepted row as rejected after all, when applying it failed (such as an
    /// appointment whose patient is not in the vault); `reason` names the column and what is
    /// wrong, without quoting values. False if no accepted row has this number.
    pub fn mark_rejected(&mut self, row: usize, reason: impl Into<String>) -> bool {
        self.change(
            row,
            ReportOutcome::Rejected,
            Some(reason.into()),
            Vec::new(),
        )
    }

    fn change(
        &mut self,
        row: usize,
        outcome: ReportOutcome,
        reason: Option<String>,
        notes: Vec<String>,
    ) -> bool {
        let found = self
            .rows
            .iter_mut()
            .find(|entry| entry.row == row && entry.outcome == ReportOutcome::Accepted);
        let Some(entry) = found else {
            return false;
        };
        entry.outcome = outcome;
        entry.reasons.extend(reason);
        entry.notes.extend(notes);
        *self.counts.of(ReportOutcome::Accepted) -= 1;
        *self.counts.of(outcome) += 1;
        true
    }

    /// Adds the rows of `later`, a report of the rows that follow, and their counts.
    pub(crate) fn append(&mut self, later: Self) {
        for row in &later.rows {
            *self.counts.of(row.outcome) += 1;
        }
        self.rows.extend(later.rows);
    }

    /// One line for people:
    /// `accepted 12, rejected 5, duplicates 3, conflicts 1, unchanged 0, updated 0`.
    pub fn summary_line(&self) -> String {
        let ImportSummary {
            accepted,
            rejected,
            duplicates,
            conflicts,
            unchanged,
            updated,
        } = self.counts;
        format!(
            "accepted {accepted}, rejected {rejected}, duplicates {duplicates}, \
             conflicts {conflicts}, unchanged {unchanged}, updated {updated}"
        )
    }

    /// The report as pretty-printed JSON: `{"rows": [...], "counts": {...}}`.
    pub fn to_json(&self) -> String {
        // Serialising these plain types cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The report as CSV with a header, columns
    /// `row,locator,kind,source_id,outcome,reasons,duplicate_of,notes`; reasons and notes
    /// joined with `; `,
    /// empty fields for missing values, fields quoted where needed (RFC 4180), and a field
    /// that starts like a spreadsheet formula (`=`, `+`, `-`, `@`, tab, carriage return) quoted
    /// with a `'` in front, so that a spreadsheet shows it and never runs it (OWASP).
    pub fn to_csv(&self) -> String {
        let mut csv =
            String::from("row,locator,kind,source_id,outcome,reasons,duplicate_of,notes\r\n");
        for row in &self.rows {
            let fields = [
                row.row.to_string(),
                row.locator.clone(),
                row.kind
                    .map(ImportKind::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                row.source_id.clone().unwrap_or_default(),
                row.outcome.as_str().to_owned(),
                row.reasons.join("; "),
                row.duplicate_of
                    .map(|of| of.to_string())
                    .unwrap_or_default(),
                row.notes.join("; "),
            ];
            let fields: Vec<String> = fields.iter().map(|field| csv_field(field)).collect();
            csv.push_str(&fields.join(","));
            csv.push_str("\r\n");
        }
        csv
    }
}

/// The first characters that make a spreadsheet read a cell as a formula (OWASP's list
/// against CSV injection).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A CSV field, quoted (quotes doubled) if it holds a comma, quote, line break, or leading or
/// trailing space. A field starting like a formula gets a `'` in front and is quoted, as OWASP
/// advises against CSV injection, so that a spreadsheet shows it as text and never runs it.
fn csv_field(text: &str) -> String {
    if text.starts_with(FORMULA_STARTS) {
        return quoted(&format!("'{text}"));
    }
    let needs_quotes = text.contains([',', '"', '\n', '\r'])
        || text.starts_with(char::is_whitespace)
        || text.ends_with(char::is_whitespace);
    if needs_quotes {
        quoted(text)
    } else {
        text.to_owned()
    }
}

/// `text` in double quotes, its quotes doubled.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::parse;
    use chrono::NaiveDate;

    fn report() -> ImportReport {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default();
        let file = parse(
            b"Id,BIRTHDATE,FIRST,LAST,GENDER\n\
              p1,1980-01-01,Ada,Lovelace,F\n\
              \"p,2\",1980-01-01,Secret,,Q\n\
              p1,1981-01-01,Bea,Byron,F\n\
              p4,14/02/1982,Cy,Young,X\n\
              p1,1980-01-01,Ada,Lovelace,F\n",
            None,
            today,
        );
        ImportReport::from_parsed(&file.unwrap_or_else(|error| panic!("{error}")))
    }

    #[test]
    fn rows_and_counts_follow_the_parse() {
        let report = report();
        let outcomes: Vec<_> = report.rows.iter().map(|row| row.outcome).collect();
        assert_eq!(
            outcomes,
            [
                ReportOutcome::Accepted,
                ReportOutcome::Rejected,
                ReportOutcome::Conflict,
                ReportOutcome::Accepted,
                ReportOutcome::Duplicate,
            ]
        );
        assert_eq!(
            report.rows[1].reasons,
            ["LAST: missing", "GENDER: unknown code"]
        );
        assert_eq!(
            report.rows[2].reasons,
            [
                "name: differs from the earlier row with the same source id",
                "birth date: differs from the earlier row with the same source id"
            ]
        );
        assert_eq!(report.rows[2].duplicate_of, Some(2));
        assert_eq!(report.rows[2].locator, "line 4");
        assert_eq!(
            report.rows[3].notes,
            [
                "BIRTHDATE: read day first (DD/MM/YYYY)",
                "GENDER: non-standard code converted"
            ]
        );
        assert_eq!(report.rows[4].duplicate_of, Some(2));
        assert_eq!(
            report.summary_line(),
            "accepted 2, rejected 1, duplicates 1, conflicts 1, unchanged 0, updated 0"
        );
    }

    #[test]
    fn accepted_rows_can_be_marked_unchanged_updated_or_rejected() {
        let mut report = report();
        assert!(report.mark_unchanged(2));
        assert!(!report.mark_unchanged(2), "no longer accepted");
        assert!(!report.mark_unchanged(3), "rejected rows stay rejected");
        assert!(
            !report.mark_updated(4, &["name"]),
            "conflicts stay conflicts"
        );
        assert!(report.mark_rejected(5, "PATIENT: not in the vault"));
        assert_eq!(report.rows[3].reasons, ["PATIENT: not in the vault"]);
        assert_eq!(
            report.summary_line(),
            "accepted 0, rejected 2, duplicates 1, conflicts 1, unchanged 1, updated 0"
        );
        let mut report = self::report();
        assert!(report.mark_updated(5, &["name", "birth date"]));
        assert_eq!(report.rows[3].outcome, ReportOutcome::Updated);
        assert_eq!(
            &report.rows[3].notes[2..],
            ["name: updated", "birth date: updated"],
            "after the notes of the cleansing"
        );
        assert_eq!(report.counts.updated, 1);
    }

    #[test]
    fn csv_is_quoted_and_carries_no_values_but_the_source_id() {
        let csv = report().to_csv();
        assert_eq!(
            csv,
            "row,locator,kind,source_id,outcome,reasons,duplicate_of,notes\r\n\
             2,line 2,patients,p1,accepted,,,\r\n\
             3,line 3,patients,\"p,2\",rejected,LAST: missing; GENDER: unknown code,,\r\n\
             4,line 4,patients,p1,conflict,name: differs from the earlier row with the same source id; \
             birth date: differs from the earlier row with the same source id,2,\r\n\
             5,line 5,patients,p4,accepted,,,BIRTHDATE: read day first (DD/MM/YYYY); \
             GENDER: non-standard code converted\r\n\
             6,line 6,patients,p1,duplicate,,2,\r\n"
        );
        for value in ["Secret", "Lovelace", "Bea", "1981", "14/02", "1982"] {
            assert!(!csv.contains(value), "{value}");
        }
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field(" x"), "\" x\"");
    }

    #[test]
    fn cells_a_spreadsheet_would_run_as_formulas_are_neutralised() {
        for (text, cell) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
            ),
            ("+1", "\"'+1\""),
            ("-1+2", "\"'-1+2\""),
            ("@SUM(A1)", "\"'@SUM(A1)\""),
            ("\tx", "\"'\tx\""),
            ("\rx", "\"'\rx\""),
            ("a=b", "a=b"),
        ] {
            assert_eq!(csv_field(text), cell, "{text:?}");
        }
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default();
        let file = parse(
            b"Id,BIRTHDATE,FIRST,LAST,GENDER\n\
              \"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",1980-01-01,Ada,Lovelace,F\n",
            None,
            today,
        );
        let csv =
            ImportReport::from_parsed(&file.unwrap_or_else(|error| panic!("{error}"))).to_csv();
        assert!(
            csv.contains(",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\","),
            "{csv}"
        );
    }

    #[test]
    fn json_round_trips() {
        let report = report();
        let json = report.to_json();
        assert!(json.contains("\"outcome\": \"rejected\""), "{json}");
        assert!(json.contains("\"kind\": \"patients\""), "{json}");
        assert!(json.contains("\"outcome\": \"conflict\""), "{json}");
        assert!(!json.contains("Secret"));
        let back: ImportReport = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(back, report);
    }
}
