//! Log batches: the durable, sealed record of every change to the index.
//!
//! A batch is `"MVLB" ‖ version ‖ RecordAead(postcard(mutations))` with associated data
//! `"MVLB" ‖ version ‖ vault id ‖ writer id ‖ sequence`, so a batch cannot be replayed under
//! another name. Each writer appends only to `log/<writer>/`, so no two writers race for a name:
//! one object per batch, or frames appended to segment files on a folder store (`segment`,
//! `appender`); `reader` reads both back.
//! Every mutation is idempotent and their effects commute, so batches can be applied in any
//! order across writers and re-applied after a crash.

mod appender;
mod reader;
pub(crate) mod segment;

pub use appender::LogLayout;
pub(crate) use appender::{LogAppender, put_object};
#[cfg(feature = "fuzzing")]
pub(crate) use reader::scan_segment;
pub(crate) use reader::{Cursor, LogEnd, WriterLog};

use serde::{Deserialize, Serialize};

use super::error::{Result, VaultError};
use super::ids::{ObjectName, RecordId, WriterId};
use super::keyring::{Keyring, ScopeToken};
use crate::audit::AuditEntry;
use crate::crypto::KeyId;

const MAGIC: &[u8; 4] = b"MVLB";
const VERSION: u8 = 1;

/// Where a logged record version's payload envelope is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Payload {
    /// Small payloads travel inside the log batch: one durable write.
    Inline(#[serde(with = "serde_bytes")] Vec<u8>),
    /// Large payloads have an object of their own.
    Stored(StoredPayload),
}

/// A payload envelope in an object of its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredPayload {
    /// The object's name.
    pub(crate) object: ObjectName,
    /// The envelope's length in bytes.
    pub(crate) envelope_len: u64,
    /// The envelope's segment size.
    pub(crate) segment_size: u32,
}

/// Where an indexed record version's payload envelope is: the index keeps an inline envelope
/// under a key of its own, so that reading a version's metadata never reads its payload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum PayloadPlace {
    /// In the index, beside the version.
    Inline,
    /// In an object of its own.
    Stored(StoredPayload),
}

/// One version of a record: as logged (`P` is [`Payload`], which may carry the envelope) or
/// as indexed ([`IndexedVersion`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RecordVersion<P = Payload> {
    pub(crate) record: RecordId,
    pub(crate) version: u64,
    /// The writer that made this version (breaks ties between concurrent amendments).
    pub(crate) writer: WriterId,
    pub(crate) scope: ScopeToken,
    pub(crate) key: KeyId,
    /// The kind and time, for listing by kind; sealed inside the batch, not the scope.
    pub(crate) kind: String,
    pub(crate) created_ms: i64,
    /// The rest of the metadata, sealed under the scope's data key.
    #[serde(with = "serde_bytes")]
    pub(crate) sealed_meta: Vec<u8>,
    pub(crate) payload: P,
}

/// A record version as the index keeps it: without its inline envelope.
pub(crate) type IndexedVersion = RecordVersion<PayloadPlace>;

impl<P> RecordVersion<P> {
    /// Where this version stands among the versions of its record: the higher number, then
    /// the higher writer, is the later one (the order of the index's version keys).
    pub(crate) fn rank(&self) -> (u64, WriterId) {
        (self.version, self.writer)
    }
}

impl RecordVersion {
    /// The version as the index keeps it, and the inline envelope it carries, if any.
    pub(crate) fn split(&self) -> (IndexedVersion, Option<&[u8]>) {
        let (place, inline) = match &self.payload {
            Payload::Inline(envelope) => (PayloadPlace::Inline, Some(envelope.as_slice())),
            Payload::Stored(stored) => (PayloadPlace::Stored(stored.clone()), None),
        };
        let indexed = RecordVersion {
            record: self.record,
            version: self.version,
            writer: self.writer,
            scope: self.scope,
            key: self.key,
            kind: self.kind.clone(),
            created_ms: self.created_ms,
            sealed_meta: self.sealed_meta.clone(),
            payload: place,
        };
        (indexed, inline)
    }
}

/// A revision of a document, as logged and indexed; one without a body is a deletion. Made by
/// a [`super::Collection`] and committed through a [`super::Batch`]. `Debug` shows the
/// collection, id and revision, never the body or the indexed values.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRevision {
    pub(crate) collection: String,
    pub(crate) id: String,
    pub(crate) revision: u64,
    pub(crate) writer: WriterId,
    pub(crate) fields: Vec<(String, String)>,
    #[serde(with = "serde_bytes")]
    pub(crate) body: Option<Vec<u8>>,
}

impl DocumentRevision {
    /// The revision number (the first is 1).
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Whether this revision deletes the document.
    pub fn is_deletion(&self) -> bool {
        self.body.is_none()
    }

    /// The body's length in bytes (0 for a deletion).
    pub(crate) fn body_len(&self) -> usize {
        self.body.as_ref().map_or(0, Vec::len)
    }
}

impl std::fmt::Debug for DocumentRevision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocumentRevision")
            .field("collection", &self.collection)
            .field("id", &self.id)
            .field("revision", &self.revision)
            .field("writer", &self.writer)
            .field("deletion", &self.body.is_none())
            .finish_non_exhaustive()
    }
}

/// One change to the index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Mutation {
    /// A new record or a new version of one.
    PutRecord(RecordVersion),
    /// A record and all its versions are deleted; later versions of it are ignored.
    DeleteRecord(RecordId),
    /// A scope's data keys are destroyed; records sealed under them are gone.
    ShredScope { scope: ScopeToken, keys: Vec<KeyId> },
    /// A document revision (the highest revision wins).
    PutDocument(DocumentRevision),
    /// An entry of the writer's audit chain.
    Audit(AuditEntry),
}

/// `magic ‖ version ‖ vault id ‖ writer id ‖ u64be(sequence)`: the associated data that binds
/// something sealed for one writer to its name (a log batch; a checkpoint adds to it).
pub(crate) fn named_associated_data(
    magic: &[u8; 4],
    version: u8,
    keyring: &Keyring,
    writer: WriterId,
    sequence: u64,
) -> Vec<u8> {
    let mut aad = magic.to_vec();
    aad.push(version);
    aad.extend_from_slice(keyring.vault_id().as_bytes());
    aad.extend_from_slice(writer.as_bytes());
    aad.extend_from_slice(&sequence.to_be_bytes());
    aad
}

fn associated_data(keyring: &Keyring, writer: WriterId, sequence: u64) -> Vec<u8> {
    named_associated_data(MAGIC, VERSION, keyring, writer, sequence)
}

/// Seals `mutations` as batch `sequence` of `writer`.
pub(crate) fn seal(
    keyring: &Keyring,
    writer: WriterId,
    sequence: u64,
    mutations: &[Mutation],
) -> Result<Vec<u8>> {
    let plain = zeroize::Zeroizing::new(
        postcard::to_stdvec(mutations)
            .map_err(|error| VaultError::malformed("log batch", error))?,
    );
    seal_plain(keyring, writer, sequence, &plain)
}

/// Seals the encoded mutations `plain` as batch `sequence` of `writer`.
pub(crate) fn seal_plain(
    keyring: &Keyring,
    writer: WriterId,
    sequence: u64,
    plain: &[u8],
) -> Result<Vec<u8>> {
    let sealed = keyring
        .log()
        .seal(plain, &associated_data(keyring, writer, sequence))?;
    let mut out = MAGIC.to_vec();
    out.push(VERSION);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Verifies and opens batch `sequence` of `writer`.
pub(crate) fn open(
    keyring: &Keyring,
    writer: WriterId,
    sequence: u64,
    bytes: &[u8],
) -> Result<Vec<Mutation>> {
    let Some((magic, rest)) = bytes.split_first_chunk::<4>() else {
        return Err(VaultError::malformed(
            "log batch",
            "shorter than its magic number",
        ));
    };
    if magic != MAGIC {
        return Err(VaultError::malformed(
            "log batch",
            "it does not start with MVLB",
        ));
    }
    match rest.split_first() {
        Some((&VERSION, sealed)) => {
            let plain = zeroize::Zeroizing::new(
                keyring
                    .log()
                    .open(sealed, &associated_data(keyring, writer, sequence))?,
            );
            decode(&plain)
        }
        Some((version, _)) => Err(VaultError::malformed(
            "log batch",
            format!("format version {version} is not supported"),
        )),
        None => Err(VaultError::malformed(
            "log batch",
            "it ends after its magic number",
        )),
    }
}

/// Decodes the opened plaintext of a batch into its mutations.
pub(crate) fn decode(plain: &[u8]) -> Result<Vec<Mutation>> {
    postcard::from_bytes(plain).map_err(|error| VaultError::malformed("log batch", error))
}
