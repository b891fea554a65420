//! Backends and fixtures shared by the vault's integration tests.
#![allow(dead_code, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use medvault::crypto::{RawUnlockKey, UnlockCredential};
#[cfg(feature = "s3")]
use medvault::vault::S3Location;
use medvault::vault::{IndexLocation, LogLayout, MemoryStore, StoreLocation, Vault, VaultConfig};
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
    log: LogLayout,
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
            log: LogLayout::default(),
            scratch,
        }
    }

    /// The same fixture, its vaults writing their logs as `log`.
    pub fn with_log(self, log: LogLayout) -> Self {
        Self { log, ..self }
    }

    /// An index folder of this fixture named `name` (one per simulated machine).
    pub fn index(&self, name: &str) -> PathBuf {
        self.scratch.path().join("index").join(name)
    }

    pub fn config(&self, index: &str) -> VaultConfig {
        VaultConfig::new(self.store.clone(), IndexLocation::Folder(self.index(index)))
            .with_log(self.log)
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

/// Every log segment under the folder store `store`, sorted by writer and first sequence.
pub fn log_segments(store: &Path) -> Vec<PathBuf> {
    if !store.join("log").exists() {
        return Vec::new();
    }
    let mut segments: Vec<PathBuf> = all_files(&store.join("log"))
        .into_iter()
        .filter(|path| {
            path.parent()
                .and_then(Path::file_name)
                .is_some_and(|folder| folder == "segments")
        })
        .collect();
    segments.sort();
    segments
}

/// A frame of a log segment: the batch's sequence and where the frame lies in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentFrame {
    pub sequence: u64,
    pub range: std::ops::Range<usize>,
}

/// The frames of the segment file `segment`, read as FORMAT.md §10 lays them out: a 16-byte
/// header (`MVLS`, version, first sequence), then frames of `MVLF`, body length (u32 LE),
/// sequence (u64 LE) and body, up to the first place that holds no frame.
pub fn segment_frames(segment: &Path) -> Vec<SegmentFrame> {
    let bytes = std::fs::read(segment).expect("read segment");
    assert_eq!(&bytes[..4], b"MVLS", "segment header of {segment:?}");
    let mut frames = Vec::new();
    let mut at = 16;
    while bytes.len() >= at + 16 && &bytes[at..at + 4] == b"MVLF" {
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().expect("4 bytes")) as usize;
        let sequence = u64::from_le_bytes(bytes[at + 8..at + 16].try_into().expect("8 bytes"));
        frames.push(SegmentFrame {
            sequence,
            range: at..at + 16 + len,
        });
        at += 16 + len;
    }
    frames
}

/// How many log batches the folder store `store` holds: batch objects and segment frames.
pub fn log_batch_count(store: &Path) -> usize {
    let segments = log_segments(store);
    let frames: usize = segments
        .iter()
        .map(|segment| segment_frames(segment).len())
        .sum();
    let objects = all_files(&store.join("log")).len() - segments.len();
    frames + objects
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
