//! A store that fails a write: the write is refused with a typed error, nothing acknowledged
//! before is lost, and the vault keeps working once the store recovers, writing the batch of
//! unknown outcome again first.
#![allow(clippy::expect_used)]

use medvault::crypto::{RawUnlockKey, UnlockCredential};
use medvault::vault::{
    BlockingVault, IndexLocation, LogLayout, NewRecord, StoreLocation, VaultConfig,
};

#[test]
fn a_batch_write_of_unknown_outcome_is_written_again_before_the_next() {
    let scratch = tempfile::tempdir().expect("scratch");
    let store = scratch.path().join("store");
    let key = RawUnlockKey::generate().expect("key");
    // One object per batch: a batch is a PUT whose outcome the store may not be able to tell
    // (a failed append to a segment is in the engine's `log_segments` tests).
    let config = VaultConfig::new(
        StoreLocation::Folder(store.clone()),
        IndexLocation::Folder(scratch.path().join("index")),
    )
    .with_log(LogLayout::ObjectPerBatch);
    let vault = BlockingVault::create(&config, UnlockCredential::RawKey(&key)).expect("create");
    let kept = vault
        .put(NewRecord::new("patient-1", "note"), b"acknowledged before")
        .expect("put");

    // The writer's log folder becomes a plain file: no batch can be written under it.
    let writer_log = std::fs::read_dir(store.join("log"))
        .expect("log")
        .next()
        .expect("one writer")
        .expect("entry")
        .path();
    let moved = scratch.path().join("moved-log");
    std::fs::rename(&writer_log, &moved).expect("move the log away");
    std::fs::write(&writer_log, b"in the way").expect("block the log");

    // The store cannot say whether the batch landed: the write is refused as of unknown
    // outcome, and the batch is kept to be written again before the next one. While the store
    // still fails, a later write is refused as not committed, and nothing else changes.
    let refused = vault.put(NewRecord::new("patient-1", "note"), b"written again");
    let message = refused.expect_err("refused").to_string();
    assert!(
        message.contains("may or may not have been committed"),
        "{message}"
    );
    assert_eq!(
        vault.get(kept.id).expect("still readable").1,
        b"acknowledged before"
    );
    assert_eq!(vault.list_scope("patient-1").expect("list").len(), 1);
    let blocked = vault.put(NewRecord::new("patient-1", "note"), b"never acknowledged");
    let message = blocked.expect_err("refused").to_string();
    assert!(message.contains("was not committed"), "{message}");

    // The store recovers: the next write puts the kept batch first, so the write of unknown
    // outcome is committed, and the refused one is not.
    std::fs::remove_file(&writer_log).expect("unblock");
    std::fs::rename(&moved, &writer_log).expect("put the log back");
    let after = vault
        .put(NewRecord::new("patient-1", "note"), b"after recovery")
        .expect("put after recovery");
    vault.close().expect("close");
    std::fs::remove_dir_all(scratch.path().join("index")).expect("lose the index");
    let reopened = BlockingVault::open(&config, UnlockCredential::RawKey(&key)).expect("rebuild");
    let mut payloads: Vec<Vec<u8>> = reopened
        .list_scope("patient-1")
        .expect("list")
        .iter()
        .map(|meta| reopened.get(meta.id).expect("get").1)
        .collect();
    payloads.sort();
    assert_eq!(
        payloads,
        vec![
            b"acknowledged before".to_vec(),
            b"after recovery".to_vec(),
            b"written again".to_vec()
        ]
    );
    assert_eq!(reopened.get(after.id).expect("get").1, b"after recovery");
    reopened.verify_audit().expect("the audit trail verifies");
}
