//! Imports a Synthea `patients.csv` of N rows (100,000 unless the first argument says
//! otherwise) into a fresh vault on a local folder, reading it row by row from the file, and
//! prints the rows per second. `--no-checkpoints` turns off the index checkpoints the vault
//! writes every 64 MiB of batches by default (one falls in such an import, and holds the whole
//! index in memory while it is sealed), so that the import's own memory shows. The file
//! is written to a temporary folder first, so that the process's peak memory
//! (`/usr/bin/time -v`, "Maximum resident set size") is that of the import:
//!
//! ```sh
//! cargo build --release -p medvault-benches --example import_patients
//! /usr/bin/time -v target/release/examples/import_patients 100000 [--no-checkpoints]
//! ```

#![allow(clippy::expect_used)]

use std::fs::File;
use std::io::{BufWriter, Write};
use std::sync::Arc;
use std::time::Instant;

use medvault::crypto::{RawUnlockKey, UnlockCredential};
use medvault::vault::{CheckpointPolicy, IndexLocation, StoreLocation, Vault, VaultConfig};
use medvault_benches::synthea::write_patients;
use medvault_hospital::Hospital;
use medvault_identity::{Identity, IdentityConfig, ManualClock};

/// Monday 2026-11-30, 08:00 UTC.
const START_MS: i64 = 1_796_025_600_000;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let checkpoints = if args.iter().any(|arg| arg == "--no-checkpoints") {
        CheckpointPolicy::never()
    } else {
        CheckpointPolicy::default()
    };
    let rows: usize = args
        .iter()
        .find(|arg| !arg.starts_with("--"))
        .map(|rows| rows.parse().expect("a number of rows"))
        .unwrap_or(100_000);
    let folder = tempfile::tempdir().expect("temporary folder");
    let path = folder.path().join("patients.csv");
    let mut out = BufWriter::new(File::create(&path).expect("file"));
    write_patients(&mut out, 0, rows).expect("write");
    out.flush().expect("flush");
    drop(out);
    let config = VaultConfig::new(
        StoreLocation::Folder(folder.path().join("store")),
        IndexLocation::Folder(folder.path().join("index")),
    )
    .with_checkpoints(checkpoints);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        let key = RawUnlockKey::generate().expect("key");
        let vault = Vault::create(&config, UnlockCredential::RawKey(&key))
            .await
            .expect("vault");
        let clock = Arc::new(ManualClock::new(START_MS));
        let hospital = Hospital::new(Identity::with_config(
            vault,
            IdentityConfig::default(),
            clock,
        ));
        let started = Instant::now();
        let file = File::open(&path).expect("open");
        let read = hospital.open_import(file, None).expect("open the import");
        let report = hospital
            .operator_import_rows(read, false, None)
            .await
            .expect("import");
        let seconds = started.elapsed().as_secs_f64();
        assert_eq!(report.counts.accepted, rows, "{}", report.summary_line());
        println!(
            "{rows} patient rows imported in {seconds:.2} s ({:.0} rows/s)",
            rows as f64 / seconds
        );
    });
}
