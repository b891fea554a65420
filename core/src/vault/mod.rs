//! The vault: encrypted records and documents in an object store, behind a local encrypted
//! index.
//!
//! The object store is the truth: payload objects, wrapped keys, and a log of sealed batches
//! of index mutations, each writer appending under its own id. The local index (sled) is a
//! cache of the log that can be lost and rebuilt ([`Vault::rebuild`]). A write is acknowledged
//! once its object (if it has one) and its log batch are durable in the store; writes that
//! coincide share one batch. See `docs/ARCHITECTURE.md`.

mod app_documents;
mod audit_log;
mod batch;
mod blocking;
mod checkpoint;
mod claims;
mod commit;
mod descriptor;
mod documents;
mod error;
#[cfg(feature = "fuzzing")]
pub(crate) mod fuzzing;
mod ids;
mod index;
mod keyring;
mod layer_keys;
mod layout;
mod lifecycle;
mod log;
mod maintenance;
mod record_ops;
mod records;
mod runtime;
#[cfg(feature = "s3")]
mod s3;
mod shared;
mod store;
mod store_requests;

pub use app_documents::AppDocument;
pub use batch::{Batch, SectionGuard, UpdateGuard};
pub use blocking::BlockingVault;
pub use checkpoint::{CheckpointPolicy, CheckpointReport};
pub use claims::{
    CLAIM_BUDGET, CLAIM_STALE_AFTER, ClaimGuard, HolderState, InstanceLock, back_off,
};
pub use documents::{Collection, Document};
pub use error::{Detail, Result, VaultError};
pub use ids::{ObjectName, RecordId, WriterId};
pub use layer_keys::LayerLabel;
pub use lifecycle::{IndexLocation, Vault, VaultConfig};
pub use log::{DocumentRevision, LogLayout};
pub use maintenance::{GcReport, Progress, RebuildStart, VerifyReport};
pub use record_ops::INLINE_PAYLOAD_MAX;
pub use records::{NewRecord, RecordMeta, now_ms};

#[cfg(feature = "s3")]
pub use s3::S3Location;
pub use store::{CustomStore, MemoryStore, StoreLocation};
pub use store_requests::StoreRequests;
