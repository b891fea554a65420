//! An import file read row by row: [`ImportRows`].

use std::io::{Read, Seek, SeekFrom};

use chrono::NaiveDate;

use super::csv_source::CsvRows;
use super::settle::Settler;
use super::survey::{BYTE_ORDER_MARK, survey};
use super::{Draft, ImportKind, ParsedFile, ParsedRow, SourceFormat, fhir_source, file_error};
use crate::error::Result;

/// The rows of an import file, read as they are asked for.
///
/// A Synthea CSV file is read twice: once through, in constant memory, for what makes it an
/// error as a whole (see [`super::parse`]), then row by row, so that memory holds one row and
/// what duplicates are found by (see `settle`), whatever the file's size. A FHIR Bundle is one
/// JSON document: it is read whole, and its rows are then handed out one by one.
pub struct ImportRows<R> {
    format: SourceFormat,
    source: Source<R>,
    settler: Settler,
    skipped_resources: usize,
    expected: usize,
    read: usize,
}

/// Where rows come from: a CSV reader (boxed: it holds its buffers), or a bundle's drafts.
enum Source<R> {
    Csv(Box<CsvRows<R>>),
    Bundle(std::vec::IntoIter<Draft>),
}

impl<R: Read + Seek> ImportRows<R> {
    /// Opens an import file (see [`super::parse`] for what it may be and what makes it an
    /// error), reading it through once, then back from its start, up to its first row.
    pub fn open(mut file: R, kind: Option<ImportKind>, today: NaiveDate) -> Result<Self> {
        let found = survey(&mut file)?;
        file.seek(SeekFrom::Start(0))
            .map_err(|_| file_error("it cannot be read"))?;
        let mut head = [0; BYTE_ORDER_MARK.len()];
        let head_length = read_up_to(&mut file, &mut head)?;
        if head[..head_length] != *BYTE_ORDER_MARK {
            file.seek(SeekFrom::Start(0))
                .map_err(|_| file_error("it cannot be read"))?;
        }
        let (format, source, skipped_resources, expected) = if found.bundle {
            let mut text = String::new();
            file.read_to_string(&mut text)
                .map_err(|_| file_error("it cannot be read"))?;
            let (drafts, skipped) = fhir_source::read(&text, kind, today)?;
            let expected = drafts.len();
            let drafts = Source::Bundle(drafts.into_iter());
            (SourceFormat::FhirBundle, drafts, skipped, expected)
        } else {
            let rows = CsvRows::new(file, kind, today)?;
            let expected = found.lines.saturating_sub(1);
            (
                SourceFormat::SyntheaCsv,
                Source::Csv(Box::new(rows)),
                0,
                expected,
            )
        };
        Ok(Self {
            format,
            source,
            settler: Settler::default(),
            skipped_resources,
            expected,
            read: 0,
        })
    }
}

impl<R: Read> ImportRows<R> {
    /// The format the file is read as.
    pub fn format(&self) -> SourceFormat {
        self.format
    }

    /// Bundle entries of other resource types (or of kinds not asked for), skipped.
    pub fn skipped_resources(&self) -> usize {
        self.skipped_resources
    }

    /// About how many rows the file has, for progress: a bundle's rows, or the non-empty
    /// lines of a CSV file after its header (a record over several lines counts as one, a
    /// record of empty fields, which is passed over, as one).
    pub fn expected_rows(&self) -> usize {
        self.expected.max(self.read)
    }

    /// Rows handed out so far.
    pub fn rows_read(&self) -> usize {
        self.read
    }

    /// Whether every row is of one kind, so that rows can be applied in file order. False for
    /// a bundle, whose appointments may come before the patients they name: its rows are
    /// applied together, patients and physicians first.
    pub fn one_kind(&self) -> bool {
        matches!(self.source, Source::Csv(_))
    }

    /// The next row; `None` at the end. An error is one of reading the file (which may have
    /// changed since it was opened); the rows before it stand.
    pub fn next_row(&mut self) -> Result<Option<ParsedRow>> {
        let draft = match &mut self.source {
            Source::Csv(rows) => rows.next_draft()?,
            Source::Bundle(drafts) => drafts.next(),
        };
        self.read += usize::from(draft.is_some());
        Ok(draft.map(|draft| self.settler.settle(draft)))
    }

    /// Up to `n` next rows (every row left of a bundle, see [`ImportRows::one_kind`]); empty
    /// at the end.
    pub fn next_rows(&mut self, n: usize) -> Result<Vec<ParsedRow>> {
        let n = if self.one_kind() { n } else { usize::MAX };
        let mut rows = Vec::new();
        while rows.len() < n {
            match self.next_row()? {
                Some(row) => rows.push(row),
                None => break,
            }
        }
        Ok(rows)
    }

    /// Every row left, in memory.
    pub fn into_file(mut self) -> Result<ParsedFile> {
        let mut rows = Vec::new();
        while let Some(row) = self.next_row()? {
            rows.push(row);
        }
        Ok(ParsedFile {
            format: self.format,
            rows,
            skipped_resources: self.skipped_resources,
        })
    }
}

/// Reads into `buffer` until it is full or the reader ends; how many bytes were read.
pub(crate) fn read_up_to(reader: &mut impl Read, buffer: &mut [u8]) -> Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return Err(file_error("it cannot be read")),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, SeekFrom};

    use super::*;
    use crate::import::RowOutcome;

    /// A patients file of `rows` rows, made as it is read and never held whole; it counts
    /// the bytes it has handed out since it was last read from its start.
    struct Generated {
        rows: usize,
        /// The next row to make, and what is left of the one made.
        next: usize,
        pending: Vec<u8>,
        handed_out: usize,
        /// Where each pass should end with an unclosed quote, if it should.
        unclosed_last: bool,
    }

    impl Generated {
        fn new(rows: usize, unclosed_last: bool) -> Self {
            Self {
                rows,
                next: 0,
                pending: b"Id,BIRTHDATE,FIRST,LAST,GENDER\r\n".to_vec(),
                handed_out: 0,
                unclosed_last,
            }
        }
    }

    impl Read for Generated {
        fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
            if self.pending.is_empty() && self.next < self.rows {
                let first = if self.unclosed_last && self.next + 1 == self.rows {
                    "\"Ada"
                } else {
                    "Ada"
                };
                let row = self.next;
                self.pending = format!("p-{row},1980-01-01,{first},Lovelace,F\r\n").into_bytes();
                self.next += 1;
            }
            let n = buffer.len().min(self.pending.len());
            buffer[..n].copy_from_slice(&self.pending[..n]);
            self.pending.drain(..n);
            self.handed_out += n;
            Ok(n)
        }
    }

    impl Seek for Generated {
        fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
            if to != SeekFrom::Start(0) {
                return Err(std::io::Error::other("only back to the start"));
            }
            *self = Self::new(self.rows, self.unclosed_last);
            Ok(0)
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default()
    }

    #[test]
    fn rows_are_read_as_they_are_asked_for() -> Result<()> {
        let mut rows = ImportRows::open(Generated::new(200_000, false), None, today())?;
        assert_eq!(rows.expected_rows(), 200_000);
        let source = |rows: &mut ImportRows<Generated>| match &mut rows.source {
            Source::Csv(csv) => csv.source().handed_out,
            Source::Bundle(_) => usize::MAX,
        };
        // Opening the file (the survey, then the header again) reads a buffer's worth of it.
        let opened = source(&mut rows);
        assert!(opened <= 64 * 1024, "{opened} bytes read to open");
        for _ in 0..3 {
            let batch = rows.next_rows(1_000)?;
            assert_eq!(batch.len(), 1_000);
            assert_eq!(
                batch.last().map(|row| row.row),
                Some(rows.rows_read() + 1),
                "numbered by line"
            );
            // About 40 bytes a row: the rows asked for, and one buffer ahead.
            let read = source(&mut rows);
            assert!(
                read <= rows.rows_read() * 48 + 64 * 1024,
                "{read} bytes read for {} rows",
                rows.rows_read()
            );
        }
        Ok(())
    }

    #[test]
    fn a_file_refused_as_a_whole_is_refused_before_its_first_row() {
        let refused = ImportRows::open(Generated::new(5_000, true), None, today());
        assert!(
            matches!(&refused, Err(crate::HospitalError::InvalidInput { reason, .. })
                if reason == "a quoted field opens on line 5001 and is never closed"),
            "{:?}",
            refused.err()
        );
    }

    #[test]
    fn duplicates_and_conflicts_are_found_across_batches() -> Result<()> {
        let mut text = String::from("Id,BIRTHDATE,FIRST,LAST,GENDER\n");
        let name = |row: usize| format!("Ada{}", letters(row));
        // Rows 3, 4 and 5 are on lines 5, 6 and 7; batches of 500 rows end on lines 501 and
        // 1001.
        for row in 0..1_500 {
            let (id, first) = match row {
                1_200 => ("p-3".to_owned(), "Bea".to_owned()),
                1_300 => ("P-4".to_owned(), name(4)),
                1_400 => ("q-5".to_owned(), name(5)),
                _ => (format!("p-{row}"), name(row)),
            };
            text.push_str(&format!("{id},1980-01-01,{first},Lovelace,F\n"));
        }
        let mut rows = ImportRows::open(Cursor::new(text.as_bytes()), None, today())?;
        let mut outcomes = Vec::new();
        loop {
            let batch = rows.next_rows(500)?;
            if batch.is_empty() {
                break;
            }
            outcomes.extend(batch.into_iter().map(|row| (row.row, row.outcome)));
        }
        let at = |row: usize| &outcomes[row - 2].1;
        assert_eq!(
            at(1_202),
            &RowOutcome::Conflict {
                of_row: 5,
                fields: vec!["name"]
            }
        );
        assert!(
            matches!(at(1_302), RowOutcome::Rejected { reasons } if reasons == &["source id: differs only in letter case from that of line 6"]),
            "{:?}",
            at(1_302)
        );
        assert_eq!(at(1_402), &RowOutcome::Duplicate { of_row: 7 });
        Ok(())
    }

    /// Letters for `n`, so that names differ without digits.
    fn letters(mut n: usize) -> String {
        let mut name = String::new();
        loop {
            name.push(char::from(b'a' + (n % 26) as u8));
            n /= 26;
            if n == 0 {
                return name;
            }
        }
    }
}
