//! End-to-end tests of MedVault against real stores: no patient data at rest, crash safety
//! with a writer killed by SIGKILL, tampering, and bad input. The tests are in `tests/`; this
//! library holds what the tests and the `crash-writer` program share.

use medvault::crypto::RawUnlockKey;

/// The environment variable that carries the crash writer's raw unlock key, as hex.
pub const KEY_VARIABLE: &str = "MEDVAULT_CRASH_KEY";

/// The payload of the crash writer's record `seed`: its size varies so that some records
/// travel inline in the log and some get objects of their own, and the inline ones, some
/// nearly as large as inline payloads may be, fill the log's segments quickly enough that
/// they roll while the crash test runs.
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

/// Reads the raw unlock key from its hex form.
pub fn key_from_hex(text: &str) -> Option<RawUnlockKey> {
    let bytes = hex::decode(text.trim()).ok()?;
    RawUnlockKey::from_slice(&bytes).ok()
}
