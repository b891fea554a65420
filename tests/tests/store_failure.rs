//! A store that fails a write: the write is refused with a typed error, nothing acknowledged
//! before is lost, and the vault keeps working once the store recovers, writing the batch of
//! unknown outcome again first.
#![allow(clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use medvault::crypto::{RawUnlockKey, UnlockCredential};
use medvault::vault::{
    BlockingVault, IndexLocation, LogLayout, NewRecord, StoreLocation, VaultConfig, VaultError,
};

/// A vault over the folder `store` with the index folder `index`, writing one object per
/// batch: a batch is a PUT whose outcome the store may not be able to tell (a failed append to
/// a segment is in the engine's `log_segments` tests).
fn objects_config(store: &Path, index: &Path) -> VaultConfig {
    VaultConfig::new(
        StoreLocation::Folder(store.to_owned()),
        IndexLocation::Folder(index.to_owned()),
    )
    .with_log(LogLayout::ObjectPerBatch)
}

/// Makes the only writer's log folder in `store` a plain file, so that no batch can be written
/// under it; returns the folder's path and where it was moved.
fn block_the_log(store: &Path, aside: &Path) -> (PathBuf, PathBuf) {
    let writer_log = std::fs::read_dir(store.join("log"))
        .expect("log")
        .next()
        .expect("one writer")
        .expect("entry")
        .path();
    let moved = aside.join("moved-log");
    std::fs::rename(&writer_log, &moved).expect("move the log away");
    std::fs::write(&writer_log, b"in the way").expect("block the log");
    (writer_log, moved)
}

#[test]
fn a_batch_write_of_unknown_outcome_is_written_again_before_the_next() {
    let scratch = tempfile::tempdir().expect("scratch");
    let store = scratch.path().join("store");
    let key = RawUnlockKey::generate().expect("key");
    let config = objects_config(&store, &scratch.path().join("index"));
    let vault = BlockingVault::create(&config, UnlockCredential::RawKey(&key)).expect("create");
    let kept = vault
        .put(NewRecord::new("patient-1", "note"), b"acknowledged before")
        .expect("put");
    let (writer_log, moved) = block_the_log(&store, scratch.path());

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

/// The batch kept in an index folder belongs to its vault: a vault created over a reused index
/// folder forgets another vault's, and one opened over a folder holding another vault's is
/// refused, saying which file is in the way.
#[test]
fn a_kept_batch_serves_only_its_own_vault() {
    let scratch = tempfile::tempdir().expect("scratch");
    let index = scratch.path().join("index");
    let kept = index.join("unsettled-batch");
    let first_store = scratch.path().join("first");
    let key = RawUnlockKey::generate().expect("key");
    let first = BlockingVault::create(
        &objects_config(&first_store, &index),
        UnlockCredential::RawKey(&key),
    )
    .expect("create");
    first
        .put(NewRecord::new("patient-1", "note"), b"written")
        .expect("put");
    block_the_log(&first_store, scratch.path());
    first
        .put(NewRecord::new("patient-1", "note"), b"unsettled")
        .expect_err("refused");
    first.close().expect("close");
    let first_batch = std::fs::read(&kept).expect("the batch is kept in the index folder");

    let second_store = scratch.path().join("second");
    let second_config = objects_config(&second_store, &index);
    let second = BlockingVault::create(&second_config, UnlockCredential::RawKey(&key))
        .expect("create over a reused index folder");
    assert!(!kept.exists(), "another vault's batch is forgotten");
    second.close().expect("close");

    std::fs::write(&kept, first_batch).expect("put it back");
    match BlockingVault::open(&second_config, UnlockCredential::RawKey(&key)) {
        Err(VaultError::Malformed { what, reason }) => {
            assert_eq!(what, "index folder");
            assert!(reason.contains("unsettled-batch"), "{reason}");
        }
        other => panic!("opened over another vault's batch: {:?}", other.map(|_| ())),
    }
}
