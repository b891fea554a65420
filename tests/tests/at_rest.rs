//! No patient data at rest in clear: records and documents carrying a marker string (in
//! payloads, metadata, scope ids, document ids and indexed field values) are written, and then
//! every byte and every name in the local index folder and in the store is scanned for the
//! marker in every encoding the test knows: raw, UTF-16, hex and base64.
#![allow(clippy::expect_used)]

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use futures_util::TryStreamExt;
use medvault::crypto::{RawUnlockKey, UnlockCredential};
use medvault::vault::{
    Document, IndexLocation, NewRecord, S3Location, StoreLocation, Vault, VaultConfig,
};
use object_store::{ObjectStore, ObjectStoreExt};
use serde::{Deserialize, Serialize};

const MARKER: &str = "ZEBRA-Okonkwo-7731";

#[derive(Serialize, Deserialize)]
struct Patient {
    id: String,
    name: String,
}

impl Document for Patient {
    const COLLECTION: &'static str = "patients";

    fn id(&self) -> String {
        self.id.clone()
    }

    fn indexed_fields(&self) -> Vec<(&'static str, String)> {
        vec![("name", self.name.clone())]
    }
}

/// The same collection read as the wrong type: its decoding error must not quote the data.
#[derive(Debug, Serialize, Deserialize)]
struct MistypedPatient {
    id: String,
    name: u64,
}

impl Document for MistypedPatient {
    const COLLECTION: &'static str = "patients";

    fn id(&self) -> String {
        self.id.clone()
    }

    fn indexed_fields(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// Every encoding of the marker the scan looks for.
fn encodings() -> Vec<Vec<u8>> {
    let raw = MARKER.as_bytes();
    let mut forms = vec![
        raw.to_vec(),
        hex::encode(raw).into_bytes(),
        hex::encode_upper(raw).into_bytes(),
        MARKER.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        MARKER.encode_utf16().flat_map(u16::to_be_bytes).collect(),
    ];
    // Base64 of the marker at each of the three alignments, without the edge characters
    // that depend on the neighbouring bytes.
    for engine in [STANDARD, URL_SAFE] {
        for pad in 0..3 {
            let mut shifted = vec![0u8; pad];
            shifted.extend_from_slice(raw);
            let text = engine.encode(&shifted);
            let start = (pad * 4).div_ceil(3) + 1;
            let end = text.trim_end_matches('=').len() - 2;
            forms.push(text.as_bytes()[start..end].to_vec());
        }
    }
    forms
}

fn assert_clean(what: &str, bytes: &[u8]) {
    for form in encodings() {
        assert!(
            !bytes
                .windows(form.len())
                .any(|window| window == form.as_slice()),
            "the marker appears in {what} as {:?}",
            String::from_utf8_lossy(&form)
        );
    }
}

fn scan_folder(folder: &Path) -> usize {
    let mut files = 0;
    for entry in std::fs::read_dir(folder).expect("read folder") {
        let path = entry.expect("entry").path();
        assert_clean("a file name", path.to_string_lossy().as_bytes());
        if path.is_dir() {
            files += scan_folder(&path);
        } else {
            assert_clean(
                &path.display().to_string(),
                &std::fs::read(&path).expect("read"),
            );
            files += 1;
        }
    }
    files
}

async fn write_marked_data(config: &VaultConfig, key: &RawUnlockKey) {
    let vault = Vault::create(config, UnlockCredential::RawKey(key))
        .await
        .expect("create");
    let scope = format!("patient-{MARKER}");
    let mut big = MARKER.repeat(20_000).into_bytes();
    big.extend_from_slice(b"tail");
    let small = format!("diagnosis for {MARKER}: hypertension");
    let record = NewRecord::new(scope.clone(), format!("kind-{MARKER}"))
        .author(format!("dr {MARKER}"))
        .content_type(format!("text/{MARKER}"))
        .label(format!("label-{MARKER}"), MARKER);
    let first = vault
        .put(record.clone(), small.as_bytes())
        .await
        .expect("put small");
    vault.put(record, &big).await.expect("put large");
    vault.amend(first.id, big.as_slice()).await.expect("amend");
    vault
        .collection::<Patient>()
        .insert(&Patient {
            id: format!("id-{MARKER}"),
            name: MARKER.to_owned(),
        })
        .await
        .expect("document");
    assert_eq!(vault.list_scope(&scope).await.expect("list").len(), 2);
    let debug = format!("{vault:?} {config:?} {key:?}");
    assert_clean("the vault's Debug output", debug.as_bytes());
    assert!(
        !debug.contains(&hex::encode(key.expose())),
        "the raw key is printed"
    );
    let error = vault
        .get(medvault::vault::RecordId::from_bytes([9; 16]))
        .await
        .expect_err("an unknown record");
    assert_clean("an error message", format!("{error:?} {error}").as_bytes());
    let mistyped = vault
        .collection::<MistypedPatient>()
        .get(&format!("id-{MARKER}"))
        .expect_err("a document of another type");
    assert_clean(
        "a decoding error",
        format!("{mistyped:?} {mistyped}").as_bytes(),
    );
    assert_eq!(
        vault
            .collection::<Patient>()
            .find("name", MARKER)
            .expect("find")
            .len(),
        1
    );
    vault.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_in_clear_in_a_local_vault() {
    let scratch = tempfile::tempdir().expect("scratch");
    let (store, index) = (scratch.path().join("store"), scratch.path().join("index"));
    let config = VaultConfig::new(
        StoreLocation::Folder(store.clone()),
        IndexLocation::Folder(index.clone()),
    );
    write_marked_data(&config, &RawUnlockKey::generate().expect("key")).await;
    // The scan itself must be able to fail: the marker is there in clear in a control file.
    let control = scratch.path().join("control");
    std::fs::write(&control, format!("x{MARKER}x")).expect("control");
    assert!(
        std::panic::catch_unwind(|| assert_clean(
            "control",
            &std::fs::read(&control).expect("read")
        ))
        .is_err()
    );

    assert!(
        scan_folder(&store) >= 5,
        "the store holds the vault's objects"
    );
    assert!(
        scan_folder(&index) >= 2,
        "the index folder holds the database"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_in_clear_in_an_s3_vault() {
    let bucket = std::env::var("MEDVAULT_TEST_S3_BUCKET")
        .expect("MEDVAULT_TEST_S3_BUCKET is set by scripts/test-all.sh (a local Garage server)");
    let prefix = format!(
        "at-rest-{}",
        medvault::vault::WriterId::generate().expect("random")
    );
    let scratch = tempfile::tempdir().expect("scratch");
    let location = S3Location::from_env(&format!("s3://{bucket}/{prefix}")).expect("S3 location");
    let config = VaultConfig::new(
        StoreLocation::S3(location),
        IndexLocation::Folder(scratch.path().join("index")),
    );
    write_marked_data(&config, &RawUnlockKey::generate().expect("key")).await;

    let s3 = object_store::aws::AmazonS3Builder::from_env()
        .with_bucket_name(&bucket)
        .build()
        .expect("S3 client");
    let listed: Vec<_> = s3
        .list(Some(&object_store::path::Path::from(prefix)))
        .try_collect()
        .await
        .expect("list");
    assert!(listed.len() >= 5);
    for meta in listed {
        assert_clean("an object name", meta.location.as_ref().as_bytes());
        let bytes = s3
            .get(&meta.location)
            .await
            .expect("get")
            .bytes()
            .await
            .expect("bytes");
        assert_clean(meta.location.as_ref(), &bytes);
    }
    scan_folder(&scratch.path().join("index"));
}
