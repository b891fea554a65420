//! End-to-end tests of MedVault against real stores: no patient data at rest, crash safety
//! with a writer killed by SIGKILL, tampering, and bad input. The tests are in `tests/`; this
//! library holds what the tests and the writer programs (`crash-writer`, `s3-writer`) share:
//! the records they write, their acknowledgement lines, the check that every acknowledged
//! write is back intact, and the S3 client of the test bucket.

use medvault::crypto::RawUnlockKey;
use medvault::vault::{NewRecord, RecordId, RecordMeta, Vault, VaultError};

/// The environment variable that carries the writers' raw unlock key, as hex.
pub const KEY_VARIABLE: &str = "MEDVAULT_CRASH_KEY";

/// The payload of the writers' record `seed`: its size varies so that some records travel
/// inline in the log and some get objects of their own, and the inline ones, some nearly as
/// large as inline payloads may be, fill the log's segments quickly enough that they roll
/// while the crash test runs.
pub fn crash_payload(seed: u64) -> Vec<u8> {
    let len = match seed % 7 {
        0 => 200_000,
        1 => 70_000,
        2 | 3 => 60_000,
        _ => 100 + (seed as usize * 37) % 3000,
    };
    (0..len)
        .map(|i| (seed as u8).wrapping_mul(13) ^ (i as u8).wrapping_mul(7) ^ (i >> 9) as u8)
        .collect()
}

/// Puts the writers' record `seed`, in one of five scopes.
pub async fn put_seed(vault: &Vault, seed: u64) -> Result<RecordMeta, VaultError> {
    let record = NewRecord::new(format!("patient-{}", seed % 5), "crash-test");
    vault.put(record, &crash_payload(seed)).await
}

/// The line a writer prints once record `seed` is acknowledged as `id`:
/// `ACK <record id> <seed>`, to which a writer may add fields of its own.
pub fn ack_line(id: RecordId, seed: u64) -> String {
    format!("ACK {id} {seed}")
}

/// The record id and seed of an acknowledgement line; `None` for any other line, and for one
/// cut short (a writer killed while printing it never completed the acknowledgement).
pub fn parse_ack(line: &str) -> Option<(RecordId, u64)> {
    let mut parts = line.split_whitespace();
    let (Some("ACK"), Some(id), Some(seed)) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    Some((id.parse().ok()?, seed.parse().ok()?))
}

/// What reading acknowledged records back found.
#[derive(Debug, Default)]
pub struct AckCheck {
    /// Records read back with the bytes of their seed.
    pub intact: u64,
    /// Records that could not be read, with the error.
    pub lost: Vec<(RecordId, String)>,
    /// Records read back with other bytes.
    pub changed: Vec<RecordId>,
}

impl AckCheck {
    /// Whether every record was read back intact.
    pub fn is_clean(&self) -> bool {
        self.lost.is_empty() && self.changed.is_empty()
    }
}

/// Reads every acknowledged record (id and seed) back from `vault` and compares its bytes
/// with its seed's payload.
pub async fn check_acknowledged<'a>(
    vault: &Vault,
    acknowledged: impl IntoIterator<Item = (&'a RecordId, &'a u64)>,
) -> AckCheck {
    let mut check = AckCheck::default();
    for (id, seed) in acknowledged {
        match vault.get(*id).await {
            Ok((_, payload)) if payload == crash_payload(*seed) => check.intact += 1,
            Ok(_) => check.changed.push(*id),
            Err(error) => check.lost.push((*id, error.to_string())),
        }
    }
    check
}

/// Reads the raw unlock key from its hex form.
pub fn key_from_hex(text: &str) -> Option<RawUnlockKey> {
    let bytes = hex::decode(text.trim()).ok()?;
    RawUnlockKey::from_slice(&bytes).ok()
}

/// An S3 client for the bucket of the local Garage server that `scripts/test-all.sh` starts
/// (`MEDVAULT_TEST_S3_BUCKET`, the endpoint and keys in the `AWS_*` variables).
pub fn test_bucket() -> Result<object_store::aws::AmazonS3, String> {
    let bucket = std::env::var("MEDVAULT_TEST_S3_BUCKET").map_err(|_| {
        "MEDVAULT_TEST_S3_BUCKET is set by scripts/test-all.sh (a local Garage server)".to_owned()
    })?;
    object_store::aws::AmazonS3Builder::from_env()
        .with_bucket_name(&bucket)
        .build()
        .map_err(|error| format!("the S3 client: {error}"))
}
