//! `medvault import`: patients, physicians and appointments from a Synthea CSV file or a
//! FHIR R4 Bundle, cleansed, as the operator, with a progress bar on a terminal.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use medvault::vault::BlockingVault;
use medvault_hospital::BlockingHospital;
use medvault_hospital::import::{ImportKind, ImportReport};
use medvault_identity::BlockingIdentity;

use crate::progress;

/// Imports `file` (or only decides every row, with `dry_run`), reading it row by row and
/// committing a batch of rows at a time, writes the report to `report_to` if given, and
/// prints the one-line summary. The file is checked as a whole and the report file created
/// before anything is imported, so that a file refused as a whole or a report that cannot be
/// written stops the import before it writes anything.
pub fn run(
    vault: &BlockingVault,
    file: &Path,
    kind: Option<ImportKind>,
    dry_run: bool,
    report_to: Option<PathBuf>,
) -> Result<(), String> {
    let source =
        File::open(file).map_err(|error| format!("cannot read {}: {error}", file.display()))?;
    let hospital = BlockingHospital::new(&BlockingIdentity::new(vault.clone()));
    let rows = hospital
        .open_import(source, kind)
        .map_err(|error| error.to_string())?;
    let report_file = report_to.map(ReportFile::create).transpose()?;
    let bar = progress::Bar::new(if dry_run {
        "checking rows"
    } else {
        "importing rows"
    });
    let report = hospital
        .operator_import_rows(rows, dry_run, bar.as_progress())
        .map_err(|error| error.to_string())?;
    bar.finish();
    if let Some(report_file) = report_file {
        report_file.write(&report)?;
    }
    println!(
        "{}{}",
        if dry_run { "dry run: " } else { "" },
        report.summary_line()
    );
    Ok(())
}

/// The file a report goes to, created (or emptied) before the import; left empty if the
/// import fails.
struct ReportFile {
    path: PathBuf,
    file: File,
}

impl ReportFile {
    /// Creates the file at `path`, or empties it.
    fn create(path: PathBuf) -> Result<Self, String> {
        match crate::private_file::create(&path) {
            Ok(file) => Ok(Self { path, file }),
            Err(error) => Err(cannot_write(&path, &error)),
        }
    }

    /// Writes `report` as CSV if the path ends in `.csv`, else as JSON.
    fn write(mut self, report: &ImportReport) -> Result<(), String> {
        let csv = self
            .path
            .extension()
            .is_some_and(|extension| extension.eq_ignore_ascii_case("csv"));
        let text = if csv {
            report.to_csv()
        } else {
            report.to_json()
        };
        self.file
            .write_all(text.as_bytes())
            .map_err(|error| cannot_write(&self.path, &error))
    }
}

/// The error of a report that cannot be written to `path`.
fn cannot_write(path: &Path, error: &std::io::Error) -> String {
    format!("cannot write the report to {}: {error}", path.display())
}
