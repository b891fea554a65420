//! Backends and fixtures shared by the vault's integration tests.
#![allow(dead_code, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use medvault::crypto::{RawUnlockKey, UnlockCredential};
#[cfg(feature = "s3")]
use medvault::vault::S3Location;
use medvault::vault::{IndexLocation, MemoryStore, StoreLocation, Vault, VaultConfig};
use serde::{Deserialize, Serialize};

/// The backends every conformance test runs against (S3 with the crate's `s3` feature, which
/// `cargo test --workspace` turns on).
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Memory,
    Folder,
    #[cfg(feature = "s3")]
    S3,
}

/// A store and a scratch folder for index folders, removed at the end of a test.
pub struct Fixture {
    pub store: StoreLocation,
    pub store_folder: Option<PathBuf>,
    pub key: RawUnlockKey,
    scratch: tempfile::TempDir,
}

impl Fixture {
    pub fn new(backend: Backend) -> Self {
        let scratch = tempfile::tempdir().expect("scratch folder");
        let (store, store_folder) = match backend {
            Backend::Memory => (StoreLocation::Memory(MemoryStore::new()), None),
            Backend::Folder => {
                let folder = scratch.path().join("store");
                (StoreLocation::Folder(folder.clone()), Some(folder))
            }
            #[cfg(feature = "s3")]
            Backend::S3 => (StoreLocation::S3(s3_location(&unique_prefix())), None),
        };
        Self {
            store,
            store_folder,
            key: RawUnlockKey::generate().expect("raw key"),
            scratch,
        }
    }

    /// An index folder of this fixture named `name` (one per simulated machine).
    pub fn index(&self, name: &str) -> PathBuf {
        self.scratch.path().join("index").join(name)
    }

    pub fn config(&self, index: &str) -> VaultConfig {
        VaultConfig::new(self.store.clone(), IndexLocation::Folder(self.index(index)))
    }

    pub fn credential(&self) -> UnlockCredential<'_> {
        UnlockCredential::RawKey(&self.key)
    }

    pub async fn create(&self, index: &str) -> Vault {
        Vault::create(&self.config(index), self.credential())
            .await
            .expect("create vault")
    }

    pub async fn open(&self, index: &str) -> Vault {
        Vault::open(&self.config(index), self.credential())
            .await
            .expect("open vault")
    }

    pub fn scratch(&self) -> &Path {
        self.scratch.path()
    }
}

/// The test S3 bucket, from the variables `scripts/start-garage.sh` exports.
#[cfg(feature = "s3")]
pub fn s3_bucket() -> String {
    match std::env::var("MEDVAULT_TEST_S3_BUCKET") {
        Ok(bucket) => bucket,
        Err(_) => panic!(
            "MEDVAULT_TEST_S3_BUCKET is not set: run the tests with scripts/test-all.sh, \
             which starts a local Garage S3 server"
        ),
    }
}

#[cfg(feature = "s3")]
/// `s3://<test bucket>/<prefix>` with settings from the environment.
pub fn s3_location(prefix: &str) -> S3Location {
    S3Location::from_env(&format!("s3://{}/{prefix}", s3_bucket())).expect("S3 location")
}

/// A prefix no other test run uses.
pub fn unique_prefix() -> String {
    format!(
        "run-{}",
        medvault::vault::WriterId::generate().expect("random")
    )
}

/// A document type for the collection tests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Patient {
    pub id: String,
    pub name: String,
    pub ward: String,
}

impl medvault::vault::Document for Patient {
    const COLLECTION: &'static str = "patients";

    fn id(&self) -> String {
        self.id.clone()
    }

    fn indexed_fields(&self) -> Vec<(&'static str, String)> {
        vec![("name", self.name.clone()), ("ward", self.ward.clone())]
    }
}

/// A payload of `len` bytes that differs at every position.
pub fn payload(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 8) as u8)
        .collect()
}

/// Every file under `folder`, recursively.
pub fn all_files(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![folder.to_owned()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).expect("read folder") {
            let path = entry.expect("folder entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

/// A copy, in a scratch folder, of the golden vault: the vault `scripts/make-golden-vault.sh`
/// wrote in December 2026, committed under `core/tests/fixtures/`, which every later version
/// must open (a copy, because opening a vault may write to its store).
pub struct GoldenVault {
    scratch: tempfile::TempDir,
}

impl GoldenVault {
    /// The fixture's store, from `core/` or any crate folder below it.
    const FIXTURE: &'static str = "tests/fixtures/golden-vault-2026-12/store";
    /// Its passphrase since the script changed it.
    pub const PASSPHRASE: &'static [u8] = b"golden vault: second passphrase";
    /// The passphrase it was created with, which no longer opens it.
    pub const FIRST_PASSPHRASE: &'static [u8] = b"golden vault: first passphrase";

    pub fn copy() -> Self {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .map(|folder| folder.join(Self::FIXTURE))
            .find(|candidate| candidate.is_dir())
            .expect("the golden vault under core/tests/fixtures");
        let scratch = tempfile::tempdir().expect("scratch folder");
        for file in all_files(&fixture) {
            let relative = file.strip_prefix(&fixture).expect("a file of the fixture");
            let target = scratch.path().join("store").join(relative);
            std::fs::create_dir_all(target.parent().expect("a parent folder"))
                .expect("create folder");
            std::fs::copy(&file, &target).expect("copy a fixture file");
        }
        Self { scratch }
    }

    /// The copy's config, with the index folder `index` beside it.
    pub fn config(&self, index: &str) -> VaultConfig {
        VaultConfig::new(
            StoreLocation::Folder(self.scratch.path().join("store")),
            IndexLocation::Folder(self.scratch.path().join(index)),
        )
    }

    /// The copy opened with the index folder `index` (new or not).
    pub async fn open(&self, index: &str) -> Vault {
        Vault::open(
            &self.config(index),
            UnlockCredential::Passphrase(Self::PASSPHRASE),
        )
        .await
        .expect("open the golden vault")
    }
}
