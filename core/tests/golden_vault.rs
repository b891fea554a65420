//! The golden vault: a vault written by an earlier release (`scripts/make-golden-vault.sh`),
//! committed under `tests/fixtures/`, that every later version must open, read in full and
//! verify, with a new index and with the one it built. A format change that cannot read it
//! needs a migration, not a new fixture.
#![allow(clippy::expect_used, clippy::panic)]

mod common;

use common::GoldenVault;
use medvault::crypto::UnlockCredential;
use medvault::vault::{RecordMeta, Vault, VaultError};

/// What the script wrote, counted when the fixture was made.
const LIVE_RECORDS: usize = 5;
const VERSIONS: u64 = 6;
const AUDIT_ENTRIES: u64 = 36;

fn find<'a>(records: &'a [RecordMeta], scope: &str, kind: &str) -> Vec<&'a RecordMeta> {
    records
        .iter()
        .filter(|meta| meta.scope == scope && meta.kind == kind)
        .collect()
}

/// Reads every version of every record, checks what the script wrote, verifies the records
/// and the audit trail.
async fn check_contents(vault: &Vault) {
    let records = vault.list_all().await.expect("list every record");
    let mut versions = 0;
    for meta in &records {
        let (head, payload) = vault.get(meta.id).await.expect("read the latest version");
        assert_eq!(&head, meta);
        assert_eq!(payload.len() as u64, meta.size);
        let history = vault.history(meta.id).await.expect("history");
        assert_eq!(history.len() as u64, meta.version);
        for version in &history {
            let (old, bytes) = vault
                .get_version(meta.id, version.version)
                .await
                .expect("read an earlier version");
            assert_eq!(&old, version);
            assert_eq!(bytes.len() as u64, version.size);
        }
        versions += meta.version;
    }

    let lab = find(&records, "patient-golden", "lab-result");
    let [lab] = lab.as_slice() else {
        panic!("one lab result, found {}", lab.len())
    };
    assert_eq!(lab.version, 2);
    assert_eq!(
        lab.labels.get("panel").map(String::as_str),
        Some("diabetes")
    );
    assert_eq!(vault.get(lab.id).await.expect("lab").1, b"HbA1c 5.9%");
    let first = vault.get_version(lab.id, 1).await.expect("lab, version 1");
    assert_eq!(first.1, b"HbA1c 6.1%");

    let scan = find(&records, "patient-golden", "scan");
    let [scan] = scan.as_slice() else {
        panic!("one scan, found {}", scan.len())
    };
    let expected: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    assert_eq!(vault.get(scan.id).await.expect("scan").1, expected);
    let range = vault
        .get_range(scan.id, 65_530..65_550)
        .await
        .expect("range");
    assert_eq!(range, expected[65_530..65_550]);

    let notes = find(&records, "patient-golden", "note");
    let [note] = notes.as_slice() else {
        panic!(
            "only the note written after the rotation, found {}",
            notes.len()
        )
    };
    assert_eq!(
        vault.get(note.id).await.expect("note").1,
        b"after the rotation"
    );
    assert!(
        vault
            .list_scope("patient-shredded")
            .await
            .expect("list the shredded scope")
            .is_empty()
    );

    let report = vault.verify().await.expect("verify");
    assert!(report.is_sound(), "{report:?}");
    let audit = vault.verify_audit().await.expect("verify the audit trail");
    assert_eq!(
        (records.len(), versions, report.versions_ok, audit.entries),
        (LIVE_RECORDS, VERSIONS, VERSIONS, AUDIT_ENTRIES)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_golden_vault_opens_reads_and_verifies_with_a_new_index_and_its_own() {
    let golden = GoldenVault::copy();
    let vault = golden.open("index").await;
    check_contents(&vault).await;
    vault.close().await.expect("close");

    let reopened = golden.open("index").await;
    check_contents(&reopened).await;
    reopened.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_golden_vault_refuses_its_first_passphrase() {
    let golden = GoldenVault::copy();
    let refused = Vault::open(
        &golden.config("index"),
        UnlockCredential::Passphrase(GoldenVault::FIRST_PASSPHRASE),
    )
    .await;
    assert!(
        matches!(refused, Err(VaultError::WrongCredential)),
        "{:?}",
        refused.err()
    );
}
