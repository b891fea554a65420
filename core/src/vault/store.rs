//! The object store under a vault: where it is, how it is reached, and its errors in the
//! vault's terms. The store is the source of truth; everything in it is ciphertext.

use std::fmt;
use std::ops::Range;
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures_util::TryStreamExt;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::{ObjectMeta, ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};

use super::error::{Detail, Result, VaultError};
#[cfg(feature = "s3")]
use super::s3::S3Location;
use super::store_requests::{RequestCounter, StoreRequests};

/// Payloads above this size are uploaded in parts of this size.
pub(crate) const MULTIPART_PART_SIZE: usize = 8 * 1024 * 1024;

/// Where a vault's objects live.
#[derive(Clone, Debug)]
pub enum StoreLocation {
    /// A folder on this machine: the embedded default. Every write is fsync'd (the file and
    /// its folder) before it is acknowledged.
    Folder(PathBuf),
    /// An S3 bucket (any S3-compatible server), optionally under a key prefix. Needs the
    /// `s3` feature.
    #[cfg(feature = "s3")]
    S3(S3Location),
    /// Memory shared by clones of the handle, for tests; nothing is durable.
    Memory(MemoryStore),
    /// Any other `object_store` implementation (a cloud the engine has no variant for, a
    /// wrapper that counts or injects faults). It must be durable when a write returns, and
    /// list every object whose write completed before the listing began, as S3 and a local
    /// folder do: the claims among instances rely on it. The log is one object per batch, as
    /// on S3.
    Custom(CustomStore),
}

impl StoreLocation {
    /// Reads a location as the CLI takes it: `s3://bucket[/prefix]`, `file:///path`, or a
    /// plain path. S3 settings come from the `AWS_*` environment variables.
    pub fn parse(text: &str) -> Result<Self> {
        if text.starts_with("s3://") {
            #[cfg(feature = "s3")]
            return Ok(Self::S3(S3Location::from_env(text)?));
            #[cfg(not(feature = "s3"))]
            return Err(VaultError::invalid(
                "vault location",
                "this build of the engine has no S3 support (its `s3` feature is off)",
            ));
        }
        let path = text.strip_prefix("file://").unwrap_or(text);
        if path.is_empty() {
            return Err(VaultError::invalid("vault location", "it is empty"));
        }
        if text.contains("://") && !text.starts_with("file://") {
            return Err(VaultError::invalid(
                "vault location",
                "only s3:// URLs, file:// URLs and paths are supported",
            ));
        }
        Ok(Self::Folder(PathBuf::from(path)))
    }

    /// The location as a user would write it (for messages; no credentials).
    pub fn describe(&self) -> String {
        match self {
            Self::Folder(path) => path.display().to_string(),
            #[cfg(feature = "s3")]
            Self::S3(s3) => s3.url(),
            Self::Memory(_) => "memory".to_owned(),
            Self::Custom(custom) => custom.name.clone(),
        }
    }
}

/// An in-memory store; clones share the same objects.
#[derive(Clone, Default)]
pub struct MemoryStore(Arc<InMemory>);

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MemoryStore")
    }
}

/// An `object_store` implementation given by the application ([`StoreLocation::Custom`]),
/// with the name messages call it by.
#[derive(Clone)]
pub struct CustomStore {
    name: String,
    inner: Arc<dyn ObjectStore>,
}

/// Names the store only: a client's own `Debug` may print its credentials.
impl fmt::Debug for CustomStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomStore")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl CustomStore {
    /// `store`, called `name` in messages (it names no secret).
    pub fn new(name: impl Into<String>, store: Arc<dyn ObjectStore>) -> Self {
        Self {
            name: name.into(),
            inner: store,
        }
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

/// Creates the folder `path` and every missing folder above it, each open to its owner only
/// (0700 on Unix, as `~/.ssh` or `~/.gnupg`, less whatever the umask removes); folders that
/// already exist keep their permissions. On other platforms the folders get the platform's
/// defaults (on Windows, the permissions inherited from the parent).
pub(crate) fn create_private_folder(path: &FsPath) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path)
}

/// Options whose `create` makes a file readable and writable by its owner only (0600 on Unix,
/// less whatever the umask removes; the platform's defaults elsewhere); the caller says how to
/// open it. A file that exists keeps its permissions.
pub(crate) fn private_file() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// A connected store with the vault's error mapping.
#[derive(Clone)]
pub(crate) struct Store {
    inner: Arc<dyn ObjectStore>,
    /// The folder, for a folder store: the log appends to files in it.
    folder: Option<PathBuf>,
    location: String,
    bucket: Option<String>,
    endpoint: String,
    requests: Arc<RequestCounter>,
}

/// Names the location only: a client's own `Debug` may print its credentials.
impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Connects to `location`. With `create`, a missing local folder is created; otherwise a
    /// missing folder means there is no vault, and nothing is written.
    pub(crate) fn connect(location: &StoreLocation, create: bool) -> Result<Self> {
        let description = location.describe();
        match location {
            StoreLocation::Folder(path) => {
                Self::ensure_folder(path, create, &description)?;
                let local = LocalFileSystem::new_with_prefix(path)
                    .map_err(|error| {
                        VaultError::Store(Detail::caused_by(error.to_string(), error))
                    })?
                    .with_fsync(true);
                Ok(Self {
                    inner: Arc::new(local),
                    folder: Some(std::path::absolute(path).map_err(|error| {
                        VaultError::io(format!("resolving the vault folder {description}"), error)
                    })?),
                    location: description.clone(),
                    bucket: None,
                    endpoint: description,
                    requests: Arc::default(),
                })
            }
            #[cfg(feature = "s3")]
            StoreLocation::S3(s3) => {
                let (inner, endpoint) = s3.build()?;
                Ok(Self {
                    inner,
                    folder: None,
                    location: description,
                    bucket: Some(s3.bucket().to_owned()),
                    endpoint,
                    requests: Arc::default(),
                })
            }
            StoreLocation::Memory(MemoryStore(inner)) => Ok(Self::over(inner.clone(), description)),
            StoreLocation::Custom(custom) => Ok(Self::over(custom.inner.clone(), description)),
        }
    }

    /// A store over `inner`, neither a folder nor a bucket, called `description`.
    fn over(inner: Arc<dyn ObjectStore>, description: String) -> Self {
        Self {
            inner,
            folder: None,
            location: description.clone(),
            bucket: None,
            endpoint: description,
            requests: Arc::default(),
        }
    }

    fn ensure_folder(path: &FsPath, create: bool, description: &str) -> Result<()> {
        if path.is_dir() {
            return Ok(());
        }
        if !create {
            return Err(VaultError::NoVault {
                location: description.to_owned(),
            });
        }
        create_private_folder(path).map_err(|error| {
            VaultError::io(format!("creating the vault folder {description}"), error)
        })
    }

    /// The folder of a folder store.
    pub(crate) fn folder(&self) -> Option<&FsPath> {
        self.folder.as_deref()
    }

    /// Where the store is, as the user named it.
    pub(crate) fn location(&self) -> &str {
        &self.location
    }

    /// The requests made of the store through this handle and its clones so far.
    pub(crate) fn requests(&self) -> StoreRequests {
        self.requests.snapshot()
    }

    /// Writes `bytes` at `path`, durable when this returns. Large payloads go in parts.
    pub(crate) async fn put(&self, path: &Path, bytes: Bytes) -> Result<()> {
        self.requests.put();
        if bytes.len() <= MULTIPART_PART_SIZE {
            self.inner
                .put(path, PutPayload::from_bytes(bytes))
                .await
                .map_err(|error| self.error(error))?;
            return Ok(());
        }
        let upload = self
            .inner
            .put_multipart(path)
            .await
            .map_err(|error| self.error(error))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, MULTIPART_PART_SIZE);
        writer.put(bytes);
        writer.finish().await.map_err(|error| self.error(error))?;
        Ok(())
    }

    /// Reads the object at `path`; `None` if there is none.
    pub(crate) async fn get(&self, path: &Path) -> Result<Option<Bytes>> {
        self.requests.get();
        let result = match self.inner.get(path).await {
            Ok(result) => result,
            Err(object_store::Error::NotFound { source, .. }) if !is_missing_bucket(&*source) => {
                return Ok(None);
            }
            Err(error) => return Err(self.error(error)),
        };
        Ok(Some(
            result.bytes().await.map_err(|error| self.error(error))?,
        ))
    }

    /// Reads byte ranges of the object at `path`; `None` if there is no such object.
    pub(crate) async fn get_ranges(
        &self,
        path: &Path,
        ranges: &[Range<u64>],
    ) -> Result<Option<Vec<Bytes>>> {
        self.requests.get();
        match self.inner.get_ranges(path, ranges).await {
            Ok(parts) => Ok(Some(parts)),
            Err(object_store::Error::NotFound { source, .. }) if !is_missing_bucket(&*source) => {
                Ok(None)
            }
            Err(error) => Err(self.error(error)),
        }
    }

    /// Every object under `prefix`, in no particular order.
    pub(crate) async fn list(&self, prefix: &Path) -> Result<Vec<ObjectMeta>> {
        let listed: Vec<ObjectMeta> = self
            .inner
            .list(Some(prefix))
            .try_collect()
            .await
            .map_err(|error| self.error(error))?;
        self.requests.list(listed.len());
        Ok(listed)
    }

    /// Objects under `prefix` whose names sort after `offset`.
    pub(crate) async fn list_after(&self, prefix: &Path, offset: &Path) -> Result<Vec<ObjectMeta>> {
        let listed: Vec<ObjectMeta> = self
            .inner
            .list_with_offset(Some(prefix), offset)
            .try_collect()
            .await
            .map_err(|error| self.error(error))?;
        self.requests.list(listed.len());
        Ok(listed)
    }

    /// The immediate sub-folders of `prefix`.
    pub(crate) async fn list_folders(&self, prefix: &Path) -> Result<Vec<Path>> {
        let listed = self
            .inner
            .list_with_delimiter(Some(prefix))
            .await
            .map_err(|error| self.error(error))?;
        self.requests
            .list(listed.common_prefixes.len() + listed.objects.len());
        Ok(listed.common_prefixes)
    }

    /// Deletes the object at `path`; deleting a missing object succeeds.
    pub(crate) async fn delete(&self, path: &Path) -> Result<()> {
        self.requests.delete();
        match self.inner.delete(path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(self.error(error)),
        }
    }

    /// The vault's view of a store error.
    fn error(&self, error: object_store::Error) -> VaultError {
        match &error {
            object_store::Error::NotFound { source, .. } if is_missing_bucket(&**source) => {
                VaultError::BucketNotFound {
                    bucket: self.bucket.clone().unwrap_or_default(),
                }
            }
            object_store::Error::PermissionDenied { source, .. }
            | object_store::Error::Unauthenticated { source, .. } => VaultError::AccessDenied {
                detail: source.to_string(),
            },
            object_store::Error::Generic { source, .. } if is_unreachable(&**source) => {
                VaultError::Unreachable {
                    endpoint: self.endpoint.clone(),
                    detail: source.to_string(),
                }
            }
            _ => VaultError::Store(Detail::caused_by(error.to_string(), error)),
        }
    }
}

fn is_missing_bucket(source: &(dyn std::error::Error + Send + Sync)) -> bool {
    source.to_string().contains("NoSuchBucket")
}

fn is_unreachable(source: &(dyn std::error::Error + Send + Sync)) -> bool {
    let mut current: Option<&dyn std::error::Error> = Some(source);
    while let Some(error) = current {
        let text = error.to_string();
        if text.contains("error sending request")
            || text.contains("onnection refused")
            || text.contains("dns error")
        {
            return true;
        }
        current = error.source();
    }
    false
}
