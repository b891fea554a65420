//! Writes records to a vault for ever, from several tasks at once, printing
//! `ACK <record id> <seed>` on stdout after each write is acknowledged. The crash test kills
//! it with SIGKILL at random moments, in the middle of log appends and checkpoint writes.
//!
//! Usage: `crash-writer STORE_FOLDER INDEX_FOLDER FIRST_SEED`, with the raw unlock key as hex
//! in `MEDVAULT_CRASH_KEY`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use medvault::crypto::UnlockCredential;
use medvault::vault::{CheckpointPolicy, IndexLocation, StoreLocation, Vault, VaultConfig};
use medvault_e2e::{KEY_VARIABLE, ack_line, key_from_hex, put_seed};

const TASKS: u64 = 4;

const CHECKPOINTS: CheckpointPolicy = CheckpointPolicy {
    every_batches: 25,
    every_bytes: u64::MAX,
};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("crash-writer: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let [_, store, index, first] = args.as_slice() else {
        return Err("usage: crash-writer STORE_FOLDER INDEX_FOLDER FIRST_SEED".into());
    };
    let first: u64 = first.parse().map_err(|_| "FIRST_SEED is not a number")?;
    let key = std::env::var(KEY_VARIABLE)
        .ok()
        .and_then(|text| key_from_hex(&text))
        .ok_or("MEDVAULT_CRASH_KEY does not hold a 32-byte hex key")?;
    // A checkpoint every few batches, so that kills land in checkpoint writes too.
    let config = VaultConfig::new(
        StoreLocation::Folder(PathBuf::from(store)),
        IndexLocation::Folder(PathBuf::from(index)),
    )
    .with_checkpoints(CHECKPOINTS);
    let runtime = tokio::runtime::Runtime::new().map_err(|error| error.to_string())?;
    runtime.block_on(async {
        let vault = Vault::open(&config, UnlockCredential::RawKey(&key))
            .await
            .map_err(|error| error.to_string())?;
        let stdout = Arc::new(Mutex::new(std::io::stdout()));
        let mut tasks = Vec::new();
        for task in 0..TASKS {
            let (vault, stdout) = (vault.clone(), stdout.clone());
            tasks.push(tokio::spawn(write_forever(vault, stdout, first + task)));
        }
        for task in tasks {
            task.await.map_err(|error| error.to_string())??;
        }
        Ok(())
    })
}

/// Puts records `seed`, `seed + TASKS`, ... one after another, acknowledging each on stdout.
async fn write_forever(
    vault: Vault,
    stdout: Arc<Mutex<std::io::Stdout>>,
    mut seed: u64,
) -> Result<(), String> {
    loop {
        let meta = put_seed(&vault, seed)
            .await
            .map_err(|error| error.to_string())?;
        let mut out = stdout.lock().map_err(|_| "stdout lock poisoned")?;
        writeln!(out, "{}", ack_line(meta.id, seed))
            .and_then(|()| out.flush())
            .map_err(|error| error.to_string())?;
        seed += TASKS;
    }
}
