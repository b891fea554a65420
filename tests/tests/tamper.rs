//! Tampering: flipped bytes in a stored object, a log batch, a wrapped key or an index value,
//! and objects or index values swapped between records, give an authentication error on read,
//! never wrong data; a missing object gives a not-found error naming the record.
#![allow(clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use medvault::crypto::{CryptoError, RawUnlockKey, UnlockCredential};
use medvault::vault::{
    BlockingVault, IndexLocation, NewRecord, RecordId, StoreLocation, VaultConfig, VaultError,
};

struct Setup {
    _scratch: tempfile::TempDir,
    store: PathBuf,
    index: PathBuf,
    key: RawUnlockKey,
    large: [RecordId; 2],
    small: RecordId,
}

impl Setup {
    fn new() -> Self {
        let scratch = tempfile::tempdir().expect("scratch");
        let store = scratch.path().join("store");
        let index = scratch.path().join("index");
        let key = RawUnlockKey::generate().expect("key");
        let setup = Self {
            store,
            index,
            key,
            large: [RecordId::from_bytes([0; 16]); 2],
            small: RecordId::from_bytes([0; 16]),
            _scratch: scratch,
        };
        let vault = BlockingVault::create(&setup.config(), setup.credential()).expect("create");
        let first = vault
            .put(NewRecord::new("patient-1", "scan"), &vec![1u8; 300_000])
            .expect("put");
        let second = vault
            .put(NewRecord::new("patient-1", "scan"), &vec![2u8; 300_000])
            .expect("put");
        let small = vault
            .put(NewRecord::new("patient-1", "note"), b"small note")
            .expect("put");
        vault.close().expect("close");
        Self {
            large: [first.id, second.id],
            small: small.id,
            ..setup
        }
    }

    fn config(&self) -> VaultConfig {
        VaultConfig::new(
            StoreLocation::Folder(self.store.clone()),
            IndexLocation::Folder(self.index.clone()),
        )
    }

    fn credential(&self) -> UnlockCredential<'_> {
        UnlockCredential::RawKey(&self.key)
    }

    fn open(&self) -> BlockingVault {
        BlockingVault::open(&self.config(), self.credential()).expect("open")
    }

    fn files(&self, folder: &str) -> Vec<PathBuf> {
        let mut found = Vec::new();
        collect(&self.store.join(folder), &mut found);
        found.sort();
        found
    }
}

fn collect(folder: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            collect(&path, found);
        } else {
            found.push(path);
        }
    }
}

fn flip(path: &Path, at: usize) {
    let mut bytes = std::fs::read(path).expect("read");
    let at = at.min(bytes.len() - 1);
    bytes[at] ^= 0x01;
    std::fs::write(path, bytes).expect("write");
}

fn assert_authentication_error<T: std::fmt::Debug>(result: Result<T, VaultError>) {
    match result {
        Err(VaultError::Crypto(CryptoError::AuthenticationFailed | CryptoError::WrongKey(_))) => {}
        other => panic!("expected an authentication error, got {other:?}"),
    }
}

#[test]
fn flipped_bytes_in_an_object_fail_authentication() {
    let setup = Setup::new();
    let objects = setup.files("objects");
    assert_eq!(objects.len(), 2);
    for object in &objects {
        flip(object, 100_000);
    }
    let vault = setup.open();
    for record in setup.large {
        assert_authentication_error(vault.get(record));
        assert_authentication_error(vault.get_range(record, 99_000..101_000));
    }
    // Ranges in untouched segments still read: segments authenticate on their own.
    assert_eq!(
        vault
            .get_range(setup.large[0], 0..10)
            .expect("untouched range"),
        vec![1u8; 10]
    );
    let report = vault.verify(None).expect("verify");
    assert_eq!(report.corrupt.len(), 2);
    assert!(!report.is_sound());
}

#[test]
fn swapped_objects_fail_authentication() {
    let setup = Setup::new();
    let objects = setup.files("objects");
    let swap = objects[0].with_extension("swap");
    std::fs::rename(&objects[0], &swap).expect("rename");
    std::fs::rename(&objects[1], &objects[0]).expect("rename");
    std::fs::rename(&swap, &objects[1]).expect("rename");
    let vault = setup.open();
    for record in setup.large {
        assert_authentication_error(vault.get(record));
    }
}

#[test]
fn a_missing_object_is_not_found_by_record() {
    let setup = Setup::new();
    for object in setup.files("objects") {
        std::fs::remove_file(object).expect("remove");
    }
    let vault = setup.open();
    match vault.get(setup.large[0]) {
        Err(error @ VaultError::ObjectMissing { .. }) => {
            assert!(error.to_string().contains(&setup.large[0].to_string()));
        }
        other => panic!("expected a missing object, got {other:?}"),
    }
    let report = vault.verify(None).expect("verify");
    assert_eq!(report.missing_objects.len(), 2);
}

#[test]
fn flipped_bytes_in_a_log_batch_stop_a_rebuild() {
    let setup = Setup::new();
    for batch in setup.files("log") {
        flip(&batch, 40);
    }
    let vault = setup.open();
    assert_authentication_error(vault.rebuild(None));
}

#[test]
fn flipped_bytes_in_a_wrapped_key_fail_authentication() {
    let setup = Setup::new();
    let keys: Vec<PathBuf> = setup
        .files("keys")
        .into_iter()
        .filter(|path| !path.to_string_lossy().contains("/keys/vault/"))
        .collect();
    assert_eq!(keys.len(), 1);
    flip(&keys[0], 60);
    let vault = setup.open();
    assert_authentication_error(vault.get(setup.small));
}

/// Rewrites every index value whose key starts with `tag` through `change`.
fn tamper_index(setup: &Setup, tag: u8, change: impl Fn(&mut Vec<(sled::IVec, Vec<u8>)>)) {
    let db = sled::open(setup.index.join("db")).expect("open the index database");
    let mut entries: Vec<(sled::IVec, Vec<u8>)> = db
        .scan_prefix([tag])
        .map(|entry| {
            let (key, value) = entry.expect("entry");
            (key, value.to_vec())
        })
        .collect();
    assert!(entries.len() >= 2);
    change(&mut entries);
    for (key, value) in entries {
        db.insert(key, value).expect("insert");
    }
    db.flush().expect("flush");
}

#[test]
fn flipped_bytes_in_an_index_value_fail_authentication() {
    let setup = Setup::new();
    tamper_index(&setup, b'V', |entries| {
        for (_, value) in entries.iter_mut() {
            let last = value.len() - 1;
            value[last] ^= 0x80;
        }
    });
    let vault = setup.open();
    for record in [setup.large[0], setup.large[1], setup.small] {
        assert_authentication_error(vault.get(record));
    }
    // The store is the truth: a rebuild restores the index.
    vault.rebuild(None).expect("rebuild");
    assert_eq!(
        vault.get(setup.small).expect("after rebuild").1,
        b"small note"
    );
}

#[test]
fn swapped_index_values_fail_authentication() {
    let setup = Setup::new();
    tamper_index(&setup, b'V', |entries| {
        let first = entries[0].1.clone();
        entries[0].1 = entries[1].1.clone();
        entries[1].1 = first;
    });
    let vault = setup.open();
    let failures = [setup.large[0], setup.large[1], setup.small]
        .into_iter()
        .filter(|record| {
            matches!(
                vault.get(*record),
                Err(VaultError::Crypto(CryptoError::AuthenticationFailed))
            )
        })
        .count();
    assert_eq!(failures, 2, "both swapped records fail, the third reads");
}
