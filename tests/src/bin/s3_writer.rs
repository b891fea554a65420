//! Writes records to a vault from several tasks at once, telling what became of each write, and
//! checks afterwards that every acknowledged write is there: the driver of
//! `scripts/garage-node-faults.sh`, which kills Garage nodes under it.
//!
//! Usage, with the raw unlock key as hex in `MEDVAULT_CRASH_KEY` and, for an `s3://` location,
//! the store's settings in the `AWS_*` variables:
//!
//! - `s3-writer create LOCATION`: a new vault.
//! - `s3-writer write LOCATION INDEX_FOLDER STOP_FILE`: rounds of `TASKS` concurrent writes
//!   until STOP_FILE exists, one line per event on stdout, times in ms since the Unix epoch:
//!   `ACK <record id> <seed> <start> <end>`, `REFUSED <seed> <start> <end> <error kind>
//!   <message>`, `OPENED <start> <end>`, `OPEN-REFUSED <start> <end> <error kind> <message>`.
//!   After a write refused with `ReopenRequired` the vault is closed and opened again, every
//!   second until the store lets it, as an application would.
//! - `s3-writer verify LOCATION WRITER_OUTPUT...`: opens the vault with a new index, reads back
//!   every record acknowledged in the files and compares its bytes, then runs `verify` and
//!   `verify_audit`; prints one line of counts and fails if anything acknowledged is lost or
//!   changed or the store is damaged.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use medvault::crypto::{RawUnlockKey, UnlockCredential};
use medvault::vault::{IndexLocation, StoreLocation, Vault, VaultConfig, VaultError, now_ms};
use medvault_e2e::{KEY_VARIABLE, ack_line, check_acknowledged, key_from_hex, parse_ack, put_seed};

const TASKS: u64 = 4;

/// How long the writer waits between two attempts to open the vault.
const REOPEN_PAUSE: Duration = Duration::from_secs(1);

const USAGE: &str = "usage: s3-writer create LOCATION | write LOCATION INDEX_FOLDER STOP_FILE \
                     | verify LOCATION WRITER_OUTPUT...";

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("s3-writer: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<bool, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let Some(location) = args.get(1) else {
        return Err(USAGE.into());
    };
    let store = StoreLocation::parse(location).map_err(|error| error.to_string())?;
    let key = std::env::var(KEY_VARIABLE)
        .ok()
        .and_then(|text| key_from_hex(&text))
        .ok_or("MEDVAULT_CRASH_KEY does not hold a 32-byte hex key")?;
    let runtime = tokio::runtime::Runtime::new().map_err(|error| error.to_string())?;
    runtime.block_on(async {
        match args.as_slice() {
            ["create", _] => {
                let config = VaultConfig::new(store, IndexLocation::Temporary);
                Vault::create(&config, UnlockCredential::RawKey(&key))
                    .await
                    .map_err(|error| error.to_string())?
                    .close()
                    .await
                    .map_err(|error| error.to_string())?;
                Ok(true)
            }
            ["write", _, index, stop] => {
                let config = VaultConfig::new(store, IndexLocation::Folder(PathBuf::from(index)));
                write(&config, &key, Path::new(stop)).await?;
                Ok(true)
            }
            ["verify", _, outputs @ ..] if !outputs.is_empty() => {
                verify(store, &key, outputs).await
            }
            _ => Err(USAGE.into()),
        }
    })
}

/// Prints one line and flushes it, so that a line on stdout is an event that happened.
fn say(line: &str) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(|error| error.to_string())
}

/// An error as `<kind> <message>`: the variant's name, then its message on one line.
fn describe(error: &VaultError) -> String {
    let debug = format!("{error:?}");
    let kind = debug
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default();
    format!("{kind} {}", error.to_string().replace('\n', " "))
}

/// Writes rounds of `TASKS` records at once until `stop` exists.
async fn write(config: &VaultConfig, key: &RawUnlockKey, stop: &Path) -> Result<(), String> {
    let Some(mut vault) = open(config, key, stop).await? else {
        return Ok(());
    };
    let mut next = 0;
    while !stop.exists() {
        let round: Vec<_> = (next..next + TASKS)
            .map(|seed| {
                let vault = vault.clone();
                tokio::spawn(async move {
                    let start = now_ms();
                    let outcome = put_seed(&vault, seed).await;
                    (seed, start, now_ms(), outcome)
                })
            })
            .collect();
        next += TASKS;
        let mut reopen = false;
        for task in round {
            let (seed, start, end, outcome) = task.await.map_err(|error| error.to_string())?;
            match outcome {
                Ok(meta) => say(&format!("{} {start} {end}", ack_line(meta.id, seed)))?,
                Err(error) => {
                    reopen |= matches!(error, VaultError::ReopenRequired);
                    say(&format!(
                        "REFUSED {seed} {start} {end} {}",
                        describe(&error)
                    ))?;
                }
            }
        }
        if reopen {
            // The index catches up from the store when the vault opens again.
            let _ = vault.close().await;
            match open(config, key, stop).await? {
                Some(reopened) => vault = reopened,
                None => return Ok(()),
            }
        }
    }
    vault.close().await.map_err(|error| error.to_string())
}

/// Opens the vault, trying again while the store fails; `None` once `stop` exists.
async fn open(
    config: &VaultConfig,
    key: &RawUnlockKey,
    stop: &Path,
) -> Result<Option<Vault>, String> {
    while !stop.exists() {
        let start = now_ms();
        match Vault::open(config, UnlockCredential::RawKey(key)).await {
            Ok(vault) => {
                say(&format!("OPENED {start} {}", now_ms()))?;
                return Ok(Some(vault));
            }
            Err(error @ (VaultError::Store(_) | VaultError::Unreachable { .. })) => {
                say(&format!(
                    "OPEN-REFUSED {start} {} {}",
                    now_ms(),
                    describe(&error)
                ))?;
                tokio::time::sleep(REOPEN_PAUSE).await;
            }
            Err(other) => return Err(other.to_string()),
        }
    }
    Ok(None)
}

/// Reads back every write acknowledged in `outputs` through a new index.
async fn verify(
    store: StoreLocation,
    key: &RawUnlockKey,
    outputs: &[&str],
) -> Result<bool, String> {
    let mut acknowledged = HashMap::new();
    for output in outputs {
        let text = std::fs::read_to_string(output).map_err(|error| format!("{output}: {error}"))?;
        acknowledged.extend(text.lines().filter_map(parse_ack));
    }
    let config = VaultConfig::new(store, IndexLocation::Temporary);
    let vault = Vault::open(&config, UnlockCredential::RawKey(key))
        .await
        .map_err(|error| error.to_string())?;
    let check = check_acknowledged(&vault, &acknowledged).await;
    let stored = vault.list_all().await.map_err(|error| error.to_string())?;
    let report = vault.verify().await.map_err(|error| error.to_string())?;
    let audit = vault.verify_audit().await;
    vault.close().await.map_err(|error| error.to_string())?;

    for (id, error) in &check.lost {
        eprintln!("s3-writer: acknowledged record {id} lost: {error}");
    }
    for id in &check.changed {
        eprintln!("s3-writer: acknowledged record {id} reads back other bytes");
    }
    if !report.is_sound() {
        eprintln!("s3-writer: verify found damage: {report:?}");
    }
    if let Err(error) = &audit {
        eprintln!("s3-writer: the audit trail does not verify: {error}");
    }
    // Records stored but never acknowledged: writes refused as "may or may not have been
    // committed" whose batch did land.
    let unacknowledged = stored
        .iter()
        .filter(|meta| !acknowledged.contains_key(&meta.id))
        .count();
    say(&format!(
        "acknowledged {} intact {} lost {} changed {} unacknowledged-stored {unacknowledged} \
         versions-verified {} sound {} audit-entries {}",
        acknowledged.len(),
        check.intact,
        check.lost.len(),
        check.changed.len(),
        report.versions_ok,
        report.is_sound(),
        audit.as_ref().map_or(0, |report| report.entries),
    ))?;
    Ok(check.is_clean() && report.is_sound() && audit.is_ok())
}
