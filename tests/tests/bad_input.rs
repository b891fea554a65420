//! Bad input at open: a wrong passphrase, a missing, empty or corrupted descriptor, an
//! unreachable S3 endpoint, bad credentials, a bucket that does not exist, an index folder in
//! use. Each gives its own typed error, and a failed open writes nothing.
#![allow(clippy::expect_used)]

use std::path::Path;

use medvault::crypto::UnlockCredential;
use medvault::vault::{
    IndexLocation, NewRecord, S3Location, StoreLocation, Vault, VaultConfig, VaultError,
};

const PASSPHRASE: &[u8] = b"correct horse battery staple";

fn folder_config(root: &Path) -> VaultConfig {
    VaultConfig::new(
        StoreLocation::Folder(root.join("store")),
        IndexLocation::Folder(root.join("index")),
    )
}

async fn create(config: &VaultConfig) {
    let vault = Vault::create(config, UnlockCredential::Passphrase(PASSPHRASE))
        .await
        .expect("create");
    vault
        .put(NewRecord::new("patient-1", "note"), b"note")
        .await
        .expect("put");
    vault.close().await.expect("close");
}

/// Every file under `folder` with its contents, to prove a failed open wrote nothing.
fn snapshot(folder: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(folder) else {
        return files;
    };
    for entry in entries {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files.extend(snapshot(&path));
        } else {
            files.push((
                path.display().to_string(),
                std::fs::read(&path).expect("read"),
            ));
        }
    }
    files.sort();
    files
}

async fn open_fails(config: &VaultConfig, credential: UnlockCredential<'_>) -> VaultError {
    Vault::open(config, credential)
        .await
        .expect_err("the open must fail")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_passphrase_is_refused_and_writes_nothing() {
    let root = tempfile::tempdir().expect("scratch");
    let config = folder_config(root.path());
    create(&config).await;
    std::fs::remove_dir_all(root.path().join("index")).expect("drop the index");
    let before = snapshot(root.path());
    let error = open_fails(&config, UnlockCredential::Passphrase(b"wrong")).await;
    assert!(matches!(error, VaultError::WrongCredential), "{error:?}");
    assert!(error.to_string().contains("wrong passphrase"));
    assert_eq!(snapshot(root.path()), before);
    assert!(!root.path().join("index").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_vault_is_reported_and_not_created() {
    let root = tempfile::tempdir().expect("scratch");
    let config = folder_config(root.path());
    let error = open_fails(&config, UnlockCredential::Passphrase(PASSPHRASE)).await;
    assert!(matches!(error, VaultError::NoVault { .. }), "{error:?}");
    assert!(!root.path().join("store").exists());
    assert!(!root.path().join("index").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn empty_and_corrupted_descriptors_are_reported() {
    let root = tempfile::tempdir().expect("scratch");
    let config = folder_config(root.path());
    create(&config).await;
    let descriptor = root.path().join("store").join("medvault-vault");
    let original = std::fs::read(&descriptor).expect("descriptor");
    for (name, bytes) in [
        ("empty", Vec::new()),
        ("truncated", original[..original.len() / 2].to_vec()),
        ("garbage", b"this is not a vault descriptor".to_vec()),
        (
            "future version",
            [b"MVVD\x07".as_slice(), &original[5..]].concat(),
        ),
    ] {
        std::fs::write(&descriptor, &bytes).expect("write");
        let error = open_fails(&config, UnlockCredential::Passphrase(PASSPHRASE)).await;
        assert!(
            matches!(error, VaultError::CorruptDescriptor { .. }),
            "{name}: {error:?}"
        );
        assert!(error.to_string().contains("descriptor"), "{name}");
    }
    // A flipped byte inside a slot's ciphertext opens nothing.
    let mut flipped = original.clone();
    let last = flipped.len() - 5;
    flipped[last] ^= 0x01;
    std::fs::write(&descriptor, &flipped).expect("write");
    let error = open_fails(&config, UnlockCredential::Passphrase(PASSPHRASE)).await;
    assert!(
        matches!(
            error,
            VaultError::WrongCredential | VaultError::CorruptDescriptor { .. }
        ),
        "{error:?}"
    );
    std::fs::write(&descriptor, &original).expect("restore");
    Vault::open(&config, UnlockCredential::Passphrase(PASSPHRASE))
        .await
        .expect("the restored descriptor opens");
}

#[tokio::test(flavor = "multi_thread")]
async fn creating_over_a_vault_is_refused() {
    let root = tempfile::tempdir().expect("scratch");
    let config = folder_config(root.path());
    create(&config).await;
    let error = Vault::create(
        &config,
        UnlockCredential::Passphrase(b"another strong passphrase"),
    )
    .await
    .expect_err("a second create fails");
    assert!(matches!(error, VaultError::VaultExists { .. }), "{error:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_index_folder_in_use_is_reported() {
    let root = tempfile::tempdir().expect("scratch");
    let config = folder_config(root.path());
    create(&config).await;
    let first = Vault::open(&config, UnlockCredential::Passphrase(PASSPHRASE))
        .await
        .expect("open");
    let error = open_fails(&config, UnlockCredential::Passphrase(PASSPHRASE)).await;
    assert!(
        matches!(error, VaultError::OpenElsewhere { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("open in another process"));
    first.close().await.expect("close");
    Vault::open(&config, UnlockCredential::Passphrase(PASSPHRASE))
        .await
        .expect("open after the first closed");
}

fn s3_config(root: &Path, location: S3Location) -> VaultConfig {
    VaultConfig::new(
        StoreLocation::S3(location),
        IndexLocation::Folder(root.join("index")),
    )
}

fn test_bucket() -> String {
    std::env::var("MEDVAULT_TEST_S3_BUCKET")
        .expect("MEDVAULT_TEST_S3_BUCKET is set by scripts/test-all.sh (a local Garage server)")
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_endpoint_is_reported() {
    let root = tempfile::tempdir().expect("scratch");
    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let location = S3Location::new("s3://medvault-test/x")
        .and_then(|l| l.with_option("aws_endpoint", format!("http://127.0.0.1:{port}")))
        .and_then(|l| l.with_option("aws_allow_http", "true"))
        .and_then(|l| l.with_option("aws_region", "garage"))
        .and_then(|l| l.with_option("aws_access_key_id", "GK000"))
        .and_then(|l| l.with_option("aws_secret_access_key", "secret"))
        .expect("location");
    let error = open_fails(
        &s3_config(root.path(), location),
        UnlockCredential::Passphrase(PASSPHRASE),
    )
    .await;
    assert!(matches!(error, VaultError::Unreachable { .. }), "{error:?}");
    assert!(!root.path().join("index").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_credentials_are_reported() {
    let root = tempfile::tempdir().expect("scratch");
    let location = S3Location::from_env(&format!("s3://{}/bad-credentials", test_bucket()))
        .and_then(|l| l.with_option("aws_access_key_id", "GK0123456789abcdef01234567"))
        .and_then(|l| l.with_option("aws_secret_access_key", "0".repeat(64)))
        .expect("location");
    let error = open_fails(
        &s3_config(root.path(), location),
        UnlockCredential::Passphrase(PASSPHRASE),
    )
    .await;
    assert!(
        matches!(error, VaultError::AccessDenied { .. }),
        "{error:?}"
    );
    assert!(!root.path().join("index").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_bucket_is_reported() {
    let root = tempfile::tempdir().expect("scratch");
    let location = S3Location::from_env("s3://no-such-bucket-medvault/x").expect("location");
    let error = open_fails(
        &s3_config(root.path(), location),
        UnlockCredential::Passphrase(PASSPHRASE),
    )
    .await;
    assert!(
        matches!(error, VaultError::BucketNotFound { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("no-such-bucket-medvault"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_prefix_is_not_a_vault() {
    let root = tempfile::tempdir().expect("scratch");
    let location =
        S3Location::from_env(&format!("s3://{}/nothing-here", test_bucket())).expect("location");
    let error = open_fails(
        &s3_config(root.path(), location),
        UnlockCredential::Passphrase(PASSPHRASE),
    )
    .await;
    assert!(matches!(error, VaultError::NoVault { .. }), "{error:?}");
}
