//! Import of Synthea CSV files and FHIR R4 Bundles (`core/hospital/src/import/`): `parse` over
//! the whole bytes, and `ImportRows` row by row over a reader that hands them out a few at a
//! time. Input: `u8 kind ‖ u8 piece ‖ u8 batch ‖ file`.
//!
//! Both read the same rows, or both refuse the file with the same error; every row is
//! numbered after the one before it; the report of the rows is written as JSON and CSV.
#![no_main]

use std::io::{Cursor, Read, Seek, SeekFrom};

use libfuzzer_sys::fuzz_target;
use medvault_fuzz::{Input, today};
use medvault_hospital::import::{ImportKind, ImportReport, ImportRows, parse};

/// A file read back `piece` bytes at most at a time.
struct Pieces<'a> {
    file: Cursor<&'a [u8]>,
    piece: usize,
}

impl Read for Pieces<'_> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let len = buffer.len().min(self.piece);
        self.file.read(&mut buffer[..len])
    }
}

impl Seek for Pieces<'_> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        self.file.seek(to)
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let kind = match input.byte() % 4 {
        0 => None,
        1 => Some(ImportKind::Patients),
        2 => Some(ImportKind::Physicians),
        _ => Some(ImportKind::Appointments),
    };
    let piece = usize::from(input.byte()).max(1);
    let batch = usize::from(input.byte() % 8).max(1);
    let file = input.rest();

    let whole = parse(file, kind, today());
    let by_rows = ImportRows::open(
        Pieces {
            file: Cursor::new(file),
            piece,
        },
        kind,
        today(),
    )
    .and_then(|mut rows| {
        let mut all = Vec::new();
        loop {
            let next = rows.next_rows(batch)?;
            if next.is_empty() {
                return Ok((rows.format(), rows.skipped_resources(), all));
            }
            all.extend(next);
        }
    });
    let parsed = match (whole, by_rows) {
        (Ok(parsed), Ok((format, skipped, rows))) => {
            assert_eq!(parsed.format, format);
            assert_eq!(parsed.skipped_resources, skipped);
            assert_eq!(parsed.rows, rows);
            parsed
        }
        (Err(whole), Err(by_rows)) => {
            assert_eq!(whole.to_string(), by_rows.to_string());
            return;
        }
        (whole, by_rows) => panic!("parse: {whole:?}, row by row: {by_rows:?}"),
    };
    for pair in parsed.rows.windows(2) {
        assert!(pair[0].row < pair[1].row, "rows in file order");
    }
    let report = ImportReport::from_parsed(&parsed);
    let _ = report.summary_line();
    let _ = report.to_json();
    let _ = report.to_csv();
});
