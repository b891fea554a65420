//! Crash safety: a writer process is killed with SIGKILL at random moments, many times, and
//! every other time just as its log rolls over to a new segment; after each kill every write it
//! acknowledged is readable and intact, through the writer's index and through a new one
//! (which starts from a checkpoint), and `verify` finds no index entry without its object.
#![allow(clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use medvault::crypto::{RawUnlockKey, UnlockCredential};
use medvault::vault::{
    BlockingVault, IndexLocation, RecordId, StoreLocation, VaultConfig, VaultError,
};
use medvault_e2e::{AckCheck, KEY_VARIABLE, check_acknowledged, parse_ack};

const KILLS: u64 = 12;

/// How long a round waits for the log to roll before it kills the writer anyway.
const ROLL_WAIT: Duration = Duration::from_secs(30);

/// The log segments in the folder store `store`.
fn segments(store: &Path) -> usize {
    let Ok(writers) = std::fs::read_dir(store.join("log")) else {
        return 0;
    };
    writers
        .filter_map(|writer| std::fs::read_dir(writer.ok()?.path().join("segments")).ok())
        .map(Iterator::count)
        .sum()
}

/// Returns as soon as the store holds more than `before` segments (true), or after
/// [`ROLL_WAIT`] (false).
fn wait_for_a_roll(store: &Path, before: usize) -> bool {
    let start = std::time::Instant::now();
    while start.elapsed() < ROLL_WAIT {
        if segments(store) > before {
            return true;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    false
}

/// A deterministic spread of kill delays (ms) between 30 and 600.
fn delay(round: u64) -> Duration {
    Duration::from_millis(30 + (round * 7919 + 104_729) % 571)
}

/// Every acknowledged record, read back through `vault`.
fn read_back(vault: &BlockingVault, acknowledged: &HashMap<RecordId, u64>) -> AckCheck {
    vault
        .block_on(async {
            Ok::<_, VaultError>(check_acknowledged(vault.inner(), acknowledged).await)
        })
        .expect("outside a runtime")
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    let scratch = tempfile::tempdir().expect("scratch");
    let store = scratch.path().join("store");
    let index = scratch.path().join("index");
    let key = RawUnlockKey::generate().expect("key");
    let config = VaultConfig::new(
        StoreLocation::Folder(store.clone()),
        IndexLocation::Folder(index.clone()),
    );
    BlockingVault::create(&config, UnlockCredential::RawKey(&key))
        .expect("create")
        .close()
        .expect("close");

    let mut acknowledged: HashMap<RecordId, u64> = HashMap::new();
    let mut killed_at_a_roll = 0;
    for round in 0..KILLS {
        let before = segments(&store);
        let mut child = Command::new(env!("CARGO_BIN_EXE_crash-writer"))
            .arg(&store)
            .arg(&index)
            .arg((round * 1_000_000).to_string())
            .env(KEY_VARIABLE, hex::encode(key.expose()))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the writer");
        let stdout = child.stdout.take().expect("stdout");
        let (lines, received) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        // Wait for the first acknowledgement so that every round kills a writer mid-stream.
        let first = received
            .recv_timeout(Duration::from_secs(60))
            .expect("the writer acknowledges a first write");
        if round % 2 == 1 {
            killed_at_a_roll += u64::from(wait_for_a_roll(&store, before));
        } else {
            std::thread::sleep(delay(round));
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        reader.join().expect("reader thread");
        let mut round_acks = 0;
        // A line cut by the kill was never a complete acknowledgement.
        for (id, seed) in std::iter::once(first)
            .chain(received.try_iter())
            .filter_map(|line| parse_ack(&line))
        {
            acknowledged.insert(id, seed);
            round_acks += 1;
        }
        assert!(round_acks > 0);

        let vault = BlockingVault::open(&config, UnlockCredential::RawKey(&key)).expect("reopen");
        let check = read_back(&vault, &acknowledged);
        assert!(check.is_clean(), "round {round}: {check:?}");
        let report = vault.verify(None).expect("verify");
        assert!(report.is_sound(), "round {round}: {report:?}");
        vault.close().expect("close");

        // A new index, from the newest checkpoint and the log after it, holds them all too.
        let fresh = BlockingVault::open(
            &VaultConfig::new(
                StoreLocation::Folder(store.clone()),
                IndexLocation::Folder(scratch.path().join(format!("fresh-{round}"))),
            ),
            UnlockCredential::RawKey(&key),
        )
        .expect("open with a new index");
        let check = read_back(&fresh, &acknowledged);
        assert!(check.is_clean(), "round {round}, a new index: {check:?}");
        fresh.verify_audit().expect("the audit trail verifies");
        fresh.close().expect("close");
    }
    assert!(
        store.join("checkpoints").exists(),
        "the writer was killed before any checkpoint was due"
    );
    assert!(acknowledged.len() as u64 > KILLS);
    println!(
        "{} writes acknowledged, {killed_at_a_roll} of {} kills as the log rolled, {} segments",
        acknowledged.len(),
        KILLS / 2,
        segments(&store)
    );
    assert!(
        killed_at_a_roll >= KILLS / 4,
        "the log rolled in only {killed_at_a_roll} rounds"
    );
}
