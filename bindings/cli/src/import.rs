//! `medvault import`: patients, physicians and appointments from a Synthea CSV file or a
//! FHIR R4 Bundle, cleansed, as the operator, with a progress bar on a terminal.

use std::path::{Path, PathBuf};

use medvault::vault::BlockingVault;
use medvault_hospital::BlockingHospital;
use medvault_hospital::import::{ImportKind, ImportReport};
use medvault_identity::BlockingIdentity;

use crate::progress;

/// Imports `file` (or only decides every row, with `dry_run`), writes the report to
/// `report_to` if given, and prints the one-line summary.
pub fn run(
    vault: &BlockingVault,
    file: &Path,
    kind: Option<ImportKind>,
    dry_run: bool,
    report_to: Option<PathBuf>,
) -> Result<(), String> {
    let bytes =
        std::fs::read(file).map_err(|error| format!("cannot read {}: {error}", file.display()))?;
    let hospital = BlockingHospital::new(&BlockingIdentity::new(vault.clone()));
    let parsed = hospital
        .parse_import(&bytes, kind)
        .map_err(|error| error.to_string())?;
    let bar = progress::Bar::new(if dry_run {
        "checking rows"
    } else {
        "importing rows"
    });
    let report = hospital
        .operator_import(&parsed, dry_run, bar.as_progress())
        .map_err(|error| error.to_string())?;
    bar.finish();
    if let Some(path) = report_to {
        write_report(&report, &path)?;
    }
    println!(
        "{}{}",
        if dry_run { "dry run: " } else { "" },
        report.summary_line()
    );
    Ok(())
}

/// Writes `report` as CSV if `path` ends in `.csv`, else as JSON.
fn write_report(report: &ImportReport, path: &Path) -> Result<(), String> {
    let csv = path
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("csv"));
    let text = if csv {
        report.to_csv()
    } else {
        report.to_json()
    };
    std::fs::write(path, text)
        .map_err(|error| format!("cannot write the report to {}: {error}", path.display()))
}
