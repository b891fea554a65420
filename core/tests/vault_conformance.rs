//! One conformance suite, run against every backend: memory, a local folder, and a real S3
//! server (Garage, started by `scripts/test-all.sh`).
#![allow(clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{Backend, Fixture, Patient, log_batch_count, payload};
use medvault::vault::{NewRecord, Vault, VaultError};

async fn records_round_trip(fixture: &Fixture) {
    let vault = fixture.create("a").await;
    let small = payload(1000, 1);
    let large = payload(9 * 1024 * 1024 + 123, 2);
    let meta = vault
        .put(
            NewRecord::new("patient-1", "lab-result")
                .author("dr-house")
                .content_type("text/plain")
                .created_ms(1_000)
                .label("panel", "lipids"),
            &small,
        )
        .await
        .expect("put small");
    assert_eq!((meta.version, meta.size), (1, 1000));
    let big = vault
        .put(
            NewRecord::new("patient-1", "scan").created_ms(2_000),
            &large,
        )
        .await
        .expect("put large");

    let (head, bytes) = vault.get(meta.id).await.expect("get small");
    assert_eq!(bytes, small);
    assert_eq!(head, meta);
    assert_eq!(vault.head(meta.id).await.expect("head"), meta);
    assert_eq!(vault.get(big.id).await.expect("get large").1, large);

    for range in [0..1, 100..900, 999..1000, 0..1000] {
        let got = vault
            .get_range(meta.id, range.clone())
            .await
            .expect("small range");
        assert_eq!(got, small[range.start as usize..range.end as usize]);
    }
    for range in [
        0..10,
        65_000..70_000,
        5_000_000..5_000_001,
        9_437_000..9_437_307,
    ] {
        let got = vault
            .get_range(big.id, range.clone())
            .await
            .expect("large range");
        assert_eq!(got, large[range.start as usize..range.end as usize]);
    }
    assert!(matches!(
        vault.get_range(meta.id, 990..1001).await,
        Err(VaultError::Crypto(_))
    ));
    assert!(
        vault
            .get_range(big.id, 7..7)
            .await
            .expect("empty range")
            .is_empty()
    );

    let amended = vault
        .amend(meta.id, b"corrected result")
        .await
        .expect("amend");
    assert_eq!(amended.version, 2);
    assert_eq!(amended.labels, meta.labels);
    assert_eq!(
        vault.get(meta.id).await.expect("latest").1,
        b"corrected result"
    );
    assert_eq!(vault.get_version(meta.id, 1).await.expect("v1").1, small);
    // Versions count from 1: version 0, or one past the latest, of an existing record says
    // so, not that the record is missing.
    for missing in [0, 3] {
        assert!(matches!(
            vault.get_version(meta.id, missing).await,
            Err(VaultError::VersionNotFound { version, latest: 2, .. }) if version == missing
        ));
    }
    let history = vault.history(meta.id).await.expect("history");
    assert_eq!(
        history.iter().map(|m| m.version).collect::<Vec<_>>(),
        vec![1, 2]
    );

    let scope = vault.list_scope("patient-1").await.expect("list scope");
    assert_eq!(scope.len(), 2);
    assert!(
        vault
            .list_scope("patient-2")
            .await
            .expect("empty scope")
            .is_empty()
    );
    let scans = vault.list_kind("scan", 0..5_000).await.expect("list kind");
    assert_eq!(scans.iter().map(|m| m.id).collect::<Vec<_>>(), vec![big.id]);
    assert!(
        vault
            .list_kind("scan", 2_001..5_000)
            .await
            .expect("out of range")
            .is_empty()
    );
    assert_eq!(vault.list_all().await.expect("all").len(), 2);

    vault.delete(big.id).await.expect("delete");
    assert!(matches!(
        vault.get(big.id).await,
        Err(VaultError::RecordNotFound { .. })
    ));
    assert_eq!(
        vault
            .list_scope("patient-1")
            .await
            .expect("after delete")
            .len(),
        1
    );
    let report = vault.gc(Duration::ZERO).await.expect("gc");
    assert_eq!(
        report.objects_removed, 1,
        "the deleted record's object is garbage"
    );
    assert!(vault.verify().await.expect("verify").is_sound());
    assert!(matches!(
        vault.put(NewRecord::new("", "kind"), b"x").await,
        Err(VaultError::InvalidInput { .. })
    ));
}

/// `put_many` stores records of several scopes, small and large, in one unit: every one is
/// readable, listed and audited afterwards, and a set with one bad record stores none.
async fn many_records_at_once(fixture: &Fixture) {
    let vault = fixture.create("a").await;
    vault
        .put(NewRecord::new("patient-0", "note"), b"first")
        .await
        .expect("put");
    let entries = vault.verify_audit().await.expect("audit").entries;
    let payloads: Vec<Vec<u8>> = (0..12)
        .map(|i| payload(if i % 5 == 0 { 70_000 } else { 500 + i }, i as u8))
        .collect();
    let records: Vec<(NewRecord, &[u8])> = payloads
        .iter()
        .enumerate()
        .map(|(i, bytes)| {
            let record = NewRecord::new(format!("patient-{}", i % 3), "note");
            (record, bytes.as_slice())
        })
        .collect();
    let batches = fixture.store_folder.as_deref().map(log_batch_count);
    let metas = vault.put_many(records).await.expect("put many");
    assert_eq!(metas.len(), payloads.len());
    if let (Some(store), Some(before)) = (&fixture.store_folder, batches) {
        assert_eq!(log_batch_count(store), before + 1, "one log batch");
    }
    for (meta, bytes) in metas.iter().zip(&payloads) {
        assert_eq!(&vault.get(meta.id).await.expect("get").1, bytes);
    }
    for scope in 0..3 {
        let listed = vault
            .list_scope(&format!("patient-{scope}"))
            .await
            .expect("list");
        assert_eq!(listed.len(), 4 + usize::from(scope == 0), "scope {scope}");
    }
    assert_eq!(
        vault.verify_audit().await.expect("audit").entries,
        entries + payloads.len() as u64,
        "one audit entry per record"
    );
    assert!(vault.verify().await.expect("verify").is_sound());

    let refused = vault
        .put_many(vec![
            (NewRecord::new("patient-9", "note"), b"fine".as_slice()),
            (NewRecord::new("", "note"), b"no scope".as_slice()),
        ])
        .await;
    assert!(
        matches!(refused, Err(VaultError::InvalidInput { .. })),
        "{refused:?}"
    );
    assert!(
        vault
            .list_scope("patient-9")
            .await
            .expect("list")
            .is_empty()
    );
    assert!(
        vault
            .put_many(Vec::new())
            .await
            .expect("nothing")
            .is_empty()
    );
}

async fn documents(fixture: &Fixture) {
    let vault = fixture.create("a").await;
    let patients = vault.collection::<Patient>();
    let alice = Patient {
        id: "p-1".into(),
        name: "Alice Martin".into(),
        ward: "cardiology".into(),
    };
    let bob = Patient {
        id: "p-2".into(),
        name: "Bob Stone".into(),
        ward: "cardiology".into(),
    };
    patients.insert(&alice).await.expect("insert alice");
    patients.insert(&bob).await.expect("insert bob");
    assert!(matches!(
        patients.insert(&alice).await,
        Err(VaultError::InvalidInput { .. })
    ));
    assert_eq!(patients.get("p-1").expect("get"), Some(alice.clone()));
    assert_eq!(
        patients.find("name", "Alice Martin").expect("find"),
        vec![alice.clone()]
    );
    assert_eq!(
        patients
            .find("ward", "cardiology")
            .expect("find ward")
            .len(),
        2
    );
    let moved = Patient {
        ward: "oncology".into(),
        ..alice.clone()
    };
    patients.update(&moved).await.expect("update");
    assert_eq!(
        patients.find("ward", "cardiology").expect("old value"),
        vec![bob.clone()]
    );
    assert_eq!(
        patients.find("ward", "oncology").expect("new value"),
        vec![moved]
    );
    patients.delete("p-2").await.expect("delete");
    assert_eq!(patients.get("p-2").expect("deleted"), None);
    assert!(
        patients
            .find("name", "Bob Stone")
            .expect("deleted find")
            .is_empty()
    );
    patients
        .insert(&bob)
        .await
        .expect("insert again after delete");
    assert_eq!(patients.get("p-2").expect("back"), Some(bob));
}

async fn shredding(fixture: &Fixture) {
    let vault = fixture.create("a").await;
    let doomed = vault
        .put(NewRecord::new("patient-doomed", "note"), &payload(100, 3))
        .await
        .expect("put");
    let doomed_large = vault
        .put(
            NewRecord::new("patient-doomed", "scan"),
            &payload(200_000, 4),
        )
        .await
        .expect("put large");
    let kept = vault
        .put(NewRecord::new("patient-kept", "note"), b"stays")
        .await
        .expect("put kept");
    assert_eq!(vault.shred_scope("patient-doomed").await.expect("shred"), 2);
    for record in [doomed.id, doomed_large.id] {
        assert!(matches!(
            vault.get(record).await,
            Err(VaultError::RecordNotFound { .. })
        ));
    }
    assert_eq!(vault.get(kept.id).await.expect("kept").1, b"stays");
    let report = vault.gc(Duration::ZERO).await.expect("gc");
    assert_eq!(report.objects_removed, 1);
    // A second instance that rebuilds from the store alone finds nothing of the scope.
    let other = fixture.create_or_open_other().await;
    assert!(matches!(
        other.get(doomed.id).await,
        Err(VaultError::RecordNotFound { .. })
    ));
    assert!(
        other
            .list_scope("patient-doomed")
            .await
            .expect("list")
            .is_empty()
    );
    assert_eq!(
        other.get(kept.id).await.expect("kept elsewhere").1,
        b"stays"
    );
    // The scope can be used again, with a new key.
    let fresh = vault
        .put(NewRecord::new("patient-doomed", "note"), b"readmitted")
        .await
        .expect("reuse scope");
    assert_eq!(vault.get(fresh.id).await.expect("fresh").1, b"readmitted");
    assert!(vault.verify().await.expect("verify").is_sound());
}

async fn rebuild_restores_everything(fixture: &Fixture) {
    let vault = fixture.create("a").await;
    let mut expected = Vec::new();
    for i in 0..20u8 {
        let size = if i % 5 == 0 { 150_000 } else { 500 };
        let meta = vault
            .put(
                NewRecord::new(format!("patient-{}", i % 3), "note").label("n", i.to_string()),
                &payload(size, i),
            )
            .await
            .expect("put");
        expected.push(meta.id);
    }
    vault
        .amend(expected[0], b"second version")
        .await
        .expect("amend");
    vault
        .collection::<Patient>()
        .insert(&Patient {
            id: "p-9".into(),
            name: "Carol".into(),
            ward: "icu".into(),
        })
        .await
        .expect("doc");
    let mut before = Vec::new();
    for record in &expected {
        before.push(vault.history(*record).await.expect("history"));
    }
    let batches = vault.rebuild().await.expect("rebuild");
    assert!(batches >= 1);
    vault.close().await.expect("close");

    std::fs::remove_dir_all(fixture.index("a")).expect("lose the index");
    let reopened = fixture.open("a").await;
    for (i, record) in expected.iter().enumerate() {
        assert_eq!(reopened.history(*record).await.expect("history"), before[i]);
        let size = if i % 5 == 0 { 150_000 } else { 500 };
        let latest = reopened.get(*record).await.expect("get").1;
        if i == 0 {
            assert_eq!(latest, b"second version");
            assert_eq!(
                reopened.get_version(*record, 1).await.expect("v1").1,
                payload(size, i as u8)
            );
        } else {
            assert_eq!(latest, payload(size, i as u8));
        }
    }
    let found = reopened
        .collection::<Patient>()
        .find("ward", "icu")
        .expect("find");
    assert_eq!(found.len(), 1);
    assert_eq!(
        reopened.list_scope("patient-1").await.expect("scope").len(),
        7
    );
}

async fn two_instances_share_a_store(fixture: &Fixture) {
    let first = fixture.create("machine-a").await;
    let second = fixture.open("machine-b").await;
    let from_first = first
        .put(NewRecord::new("patient-1", "note"), b"written on a")
        .await
        .expect("put a");
    let from_second = second
        .put(NewRecord::new("patient-1", "note"), b"written on b")
        .await
        .expect("put b");
    assert!(first.sync().await.expect("sync a") >= 1);
    assert!(second.sync().await.expect("sync b") >= 1);
    for vault in [&first, &second] {
        assert_eq!(
            vault.get(from_first.id).await.expect("a's").1,
            b"written on a"
        );
        assert_eq!(
            vault.get(from_second.id).await.expect("b's").1,
            b"written on b"
        );
        assert_eq!(vault.list_scope("patient-1").await.expect("scope").len(), 2);
    }
    second
        .amend(from_first.id, b"amended on b")
        .await
        .expect("amend");
    first.sync().await.expect("sync again");
    assert_eq!(
        first.get(from_first.id).await.expect("amended").1,
        b"amended on b"
    );

    // After a rotation elsewhere, an instance on the old root must not collect garbage: the
    // keys wrapped under the new root would look like orphans to it.
    first
        .rotate_root(&[fixture.credential()])
        .await
        .expect("rotate on a");
    assert!(matches!(
        second.gc(Duration::ZERO).await,
        Err(VaultError::InvalidInput { .. })
    ));
    drop(second);
    let second = fixture.open("machine-b").await;
    second.gc(Duration::ZERO).await.expect("gc after reopening");
    assert_eq!(
        second.get(from_second.id).await.expect("b's").1,
        b"written on b"
    );
    assert_eq!(
        first.get(from_second.id).await.expect("on a").1,
        b"written on b"
    );
}

async fn concurrent_writes(fixture: &Fixture) {
    let vault = fixture.create("a").await;
    let mut tasks = Vec::new();
    for i in 0..64u8 {
        let vault = vault.clone();
        tasks.push(tokio::spawn(async move {
            let body = payload(2000, i);
            let meta = vault
                .put(
                    NewRecord::new(format!("patient-{}", i % 4), "vitals"),
                    &body,
                )
                .await
                .expect("put");
            (meta.id, body)
        }));
    }
    for task in tasks {
        let (id, body) = task.await.expect("task");
        assert_eq!(vault.get(id).await.expect("get").1, body);
    }
    assert_eq!(vault.list_all().await.expect("all").len(), 64);
    if let Some(store) = &fixture.store_folder {
        // Writes that coincide share a log batch (group commit).
        let batches = log_batch_count(store);
        assert!(
            (2..64).contains(&batches),
            "64 concurrent writes took {batches} batches"
        );
    }

    // Concurrent amendments of one record each get a version of their own.
    let record = vault
        .put(NewRecord::new("patient-0", "chart"), b"v1")
        .await
        .expect("put");
    let amendments: Vec<_> = (0..8u8)
        .map(|i| {
            let vault = vault.clone();
            tokio::spawn(async move { vault.amend(record.id, &[i]).await.expect("amend") })
        })
        .collect();
    for amendment in amendments {
        amendment.await.expect("task");
    }
    let versions: Vec<u64> = vault
        .history(record.id)
        .await
        .expect("history")
        .iter()
        .map(|meta| meta.version)
        .collect();
    assert_eq!(versions, (1..=9).collect::<Vec<_>>());

    // Of concurrent inserts of one document id, exactly one succeeds.
    let inserts: Vec<_> = (0..4)
        .map(|i| {
            let vault = vault.clone();
            tokio::spawn(async move {
                let patient = Patient {
                    id: "same-id".into(),
                    name: format!("name {i}"),
                    ward: "er".into(),
                };
                vault.collection::<Patient>().insert(&patient).await.is_ok()
            })
        })
        .collect();
    let mut succeeded = 0;
    for insert in inserts {
        succeeded += usize::from(insert.await.expect("task"));
    }
    assert_eq!(succeeded, 1);
    assert_eq!(
        vault
            .collection::<Patient>()
            .find("ward", "er")
            .expect("find")
            .len(),
        1
    );
}

async fn credentials(fixture: &Fixture) {
    let config = fixture.config("a");
    let vault = Vault::create(
        &config,
        medvault::crypto::UnlockCredential::Passphrase(b"first passphrase"),
    )
    .await
    .expect("create");
    let meta = vault
        .put(
            NewRecord::new("patient-1", "note"),
            b"kept across key changes",
        )
        .await
        .expect("put");
    vault
        .change_passphrase(b"first passphrase", b"second passphrase")
        .await
        .expect("change");
    assert!(matches!(
        vault
            .change_passphrase(b"wrong", b"a third passphrase")
            .await,
        Err(VaultError::WrongCredential)
    ));
    vault
        .rotate_root(&[medvault::crypto::UnlockCredential::Passphrase(
            b"second passphrase",
        )])
        .await
        .expect("rotate");
    assert_eq!(
        vault.get(meta.id).await.expect("after rotation").1,
        b"kept across key changes"
    );
    assert!(vault.verify().await.expect("verify").orphan_keys.is_empty());
    vault.close().await.expect("close");

    let other = fixture.config("b");
    assert!(matches!(
        Vault::open(
            &other,
            medvault::crypto::UnlockCredential::Passphrase(b"first passphrase")
        )
        .await,
        Err(VaultError::WrongCredential)
    ));
    let reopened = Vault::open(
        &other,
        medvault::crypto::UnlockCredential::Passphrase(b"second passphrase"),
    )
    .await
    .expect("reopen with the new passphrase");
    assert_eq!(
        reopened.get(meta.id).await.expect("get").1,
        b"kept across key changes"
    );
    drop(reopened);
    // The index folder "a" was keyed under the old root; it is rebuilt on open.
    let again = Vault::open(
        &config,
        medvault::crypto::UnlockCredential::Passphrase(b"second passphrase"),
    )
    .await
    .expect("reopen the first index");
    assert_eq!(
        again.get(meta.id).await.expect("get").1,
        b"kept across key changes"
    );
}

impl Fixture {
    /// Opens the fixture's vault on a fresh index folder (a second machine).
    async fn create_or_open_other(&self) -> Vault {
        self.open(&format!("other-{}", common::unique_prefix()))
            .await
    }
}

/// How many rounds the creation race runs on each backend.
const CREATION_ROUNDS: usize = 10;

/// Two instances create a vault in one empty store at the same moment: in every round exactly
/// one succeeds and the other is told a vault exists, and the vault opens, from a third index,
/// as the winner's.
async fn two_creators_race_for_one_store(backend: Backend) {
    for round in 0..CREATION_ROUNDS {
        let fixture = Fixture::new(backend);
        let (config_a, config_b) = (fixture.config("a"), fixture.config("b"));
        let (first, second) = tokio::join!(
            Vault::create(&config_a, fixture.credential()),
            Vault::create(&config_b, fixture.credential()),
        );
        let (winner, loser) = match (first, second) {
            (Ok(winner), Err(loser)) | (Err(loser), Ok(winner)) => (winner, loser),
            (first, second) => panic!(
                "round {round}: one creator must win, not {:?} and {:?}",
                first.map(|vault| vault.id()),
                second.map(|vault| vault.id())
            ),
        };
        assert!(
            matches!(loser, VaultError::VaultExists { .. }),
            "round {round}: {loser}"
        );
        let id = winner.id();
        winner.close().await.expect("close the winner");
        let opened = fixture.open("c").await;
        assert_eq!(opened.id(), id, "round {round}");
        opened.close().await.expect("close");
    }
}

macro_rules! conformance {
    ($backend:ident, $module:ident) => {
        mod $module {
            use super::*;

            async fn run(check: impl AsyncFnOnce(&Fixture)) {
                let fixture = Fixture::new(Backend::$backend);
                check(&fixture).await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn records_round_trip() {
                run(super::records_round_trip).await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn documents() {
                run(super::documents).await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn shredding() {
                run(super::shredding).await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn rebuild_restores_everything() {
                run(super::rebuild_restores_everything).await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn two_instances_share_a_store() {
                run(super::two_instances_share_a_store).await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn concurrent_writes() {
                run(super::concurrent_writes).await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn many_records_at_once() {
                run(super::many_records_at_once).await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn credentials() {
                run(super::credentials).await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn two_creators_race_for_one_store() {
                super::two_creators_race_for_one_store(Backend::$backend).await;
            }
        }
    };
}

conformance!(Memory, memory);
conformance!(Folder, folder);
#[cfg(feature = "s3")]
conformance!(S3, s3);
