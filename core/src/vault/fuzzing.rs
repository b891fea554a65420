//! The vault's part of [`crate::fuzzing`]: its decoders of stored bytes that are not public,
//! each a thin wrapper over the code the vault runs, and a keyring of fixed keys to seal and
//! open with.

use std::ops::Range;
use std::sync::Arc;

use object_store::path::Path;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::audit_log;
use super::checkpoint;
use super::descriptor;
use super::documents;
use super::error::{Result, VaultError};
use super::ids::{ObjectName, WriterId};
use super::keyring::Keyring;
use super::layout;
use super::lifecycle::Vault;
use super::log::{self, Cursor, DocumentRevision, IndexedVersion, Mutation};
use super::records::RecordMeta;
use crate::audit::{AuditEntry, AuditRecord, ChainHead};
use crate::crypto::hazmat::{KeySlots, RootKey};
use crate::crypto::{DataKey, KeyId, VaultId};

/// The keys of a vault: made from a seed instead of randomness, so that what one run seals
/// another opens (the seed corpora are sealed under them), or those of an open vault.
#[derive(Debug)]
pub struct Keys(Arc<Keyring>);

impl Keys {
    /// The keys of seed `seed`: vault id, root key and vault key are fixed bytes.
    pub fn fixed(seed: u8) -> Self {
        let vault_id = VaultId::from_bytes([seed; 16]);
        let root =
            crate::crypto::fuzzing::root_key(KeyId::from_bytes([seed ^ 1; 16]), [seed ^ 2; 32]);
        let vault_key = DataKey::from_bytes([seed ^ 3; 32]);
        Self(Arc::new(Keyring::new(vault_id, root, &vault_key)))
    }

    /// The keys of the open vault `vault`.
    pub fn of(vault: &Vault) -> Self {
        Self(vault.shared.keyring())
    }

    /// Opens the sealed value `sealed` of index entry `key`.
    pub fn open_index_value(&self, key: &[u8], sealed: &[u8]) -> Result<Vec<u8>> {
        Ok(self.0.index_keys().values.open(sealed, key)?)
    }

    /// The vault's id.
    pub fn vault_id(&self) -> VaultId {
        self.0.vault_id()
    }

    /// The root key.
    pub fn root(&self) -> &RootKey {
        self.0.root()
    }
}

/// Decodes a vault descriptor.
pub fn decode_descriptor(bytes: &[u8]) -> Result<KeySlots> {
    descriptor::decode(bytes)
}

/// Encodes a vault descriptor.
pub fn encode_descriptor(slots: &KeySlots) -> Vec<u8> {
    descriptor::encode(slots).to_vec()
}

/// The mutations of a log batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mutations(Vec<Mutation>);

impl Mutations {
    /// How many mutations there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The mutations encoded as a batch's plaintext.
    pub fn encode(&self) -> Result<Vec<u8>> {
        postcard::to_stdvec(&self.0).map_err(|error| VaultError::malformed("log batch", error))
    }

    /// Follows the audit entries of these mutations as the first batch of `writer`'s chain,
    /// as reading the audit trail does.
    pub fn follow_audit(&self, writer: WriterId) -> Result<Vec<AuditRecord>> {
        let mut records = Vec::new();
        audit_log::follow_batch(
            &mut ChainHead::default(),
            writer,
            self.0.clone(),
            &mut records,
        )?;
        Ok(records)
    }

    /// The document revisions among these mutations that have a body: collection and body.
    pub fn documents(&self) -> Vec<(String, Vec<u8>)> {
        self.0
            .iter()
            .filter_map(|mutation| match mutation {
                Mutation::PutDocument(revision) => {
                    Some((revision.collection.clone(), revision.body.clone()?))
                }
                _ => None,
            })
            .collect()
    }

    /// These mutations with their audit events appended anew to an empty chain, as the
    /// committer links them.
    pub fn rechained(&self) -> Self {
        let mut head = ChainHead::default();
        Self(
            self.0
                .iter()
                .map(|mutation| match mutation {
                    Mutation::Audit(AuditEntry { event, .. }) => {
                        Mutation::Audit(head.append(event.clone()))
                    }
                    other => other.clone(),
                })
                .collect(),
        )
    }
}

/// Seals `mutations` as batch `sequence` of `writer`.
pub fn seal_log_batch(
    keys: &Keys,
    writer: WriterId,
    sequence: u64,
    mutations: &Mutations,
) -> Result<Vec<u8>> {
    log::seal(&keys.0, writer, sequence, &mutations.0)
}

/// Seals any plaintext as batch `sequence` of `writer`, so that what opens it reaches the
/// decoder of mutations.
pub fn seal_log_batch_plain(
    keys: &Keys,
    writer: WriterId,
    sequence: u64,
    plain: &[u8],
) -> Result<Vec<u8>> {
    log::seal_plain(&keys.0, writer, sequence, plain)
}

/// Verifies and opens batch `sequence` of `writer`.
pub fn open_log_batch(
    keys: &Keys,
    writer: WriterId,
    sequence: u64,
    bytes: &[u8],
) -> Result<Mutations> {
    log::open(&keys.0, writer, sequence, bytes).map(Mutations)
}

/// Decodes the plaintext of a batch.
pub fn decode_log_batch(plain: &[u8]) -> Result<Mutations> {
    log::decode(plain).map(Mutations)
}

/// The header of a log segment whose first batch is `first`.
pub fn segment_header(first: u64) -> [u8; 16] {
    log::segment::header(first)
}

/// Reads a log segment's header: `None` when it was never written.
pub fn parse_segment_header(bytes: &[u8]) -> Result<Option<u64>> {
    log::segment::parse_header(bytes)
}

/// Batch `sequence`'s sealed bytes `body` in a segment frame.
pub fn segment_frame(sequence: u64, body: &[u8]) -> Result<Vec<u8>> {
    log::segment::frame(sequence, body)
}

/// The frame at the start of `bytes`, if one is there in full: its sequence and body.
pub fn segment_frame_at(bytes: &[u8]) -> Option<(u64, &[u8])> {
    log::segment::frame_at(bytes).map(|frame| (frame.sequence, frame.body))
}

/// Where something that looks like a frame starts in `bytes`.
pub fn segment_frame_candidates(bytes: &[u8]) -> Vec<usize> {
    log::segment::frame_candidates(bytes).collect()
}

/// What [`scan_segment`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentScan {
    /// The offset in the bytes after the last whole frame.
    pub end: usize,
    /// The sequence of the last whole frame, or the one the scan resumed after.
    pub last: Option<u64>,
    /// Whether bytes that hold no whole frame follow `end`.
    pub torn: bool,
    /// The frames handed on, in order: sequence, and where the body lies in the bytes.
    pub frames: Vec<(u64, Range<usize>)>,
}

/// Scans the frames of segment `first` of `writer` in `bytes` as reading a writer's log does:
/// the whole segment, or with `resume` (`offset`, `last`), its bytes from where a read that
/// ended after batch `last` stopped. A frame after `after` is whole when `opens` says so.
pub fn scan_segment(
    bytes: &[u8],
    writer: WriterId,
    first: u64,
    after: Option<u64>,
    resume: Option<(u64, u64)>,
    mut opens: impl FnMut(u64, &[u8]) -> bool,
) -> Result<SegmentScan> {
    let base = bytes.as_ptr() as usize;
    let mut frames = Vec::new();
    let scan = log::scan_segment(
        bytes,
        writer,
        first,
        after,
        resume.map(|(offset, last)| Cursor {
            segment: first,
            offset,
            last,
        }),
        |sequence, body: &[u8]| {
            let start = body.as_ptr() as usize - base;
            if opens(sequence, body) {
                Ok(start..start + body.len())
            } else {
                Err(VaultError::malformed("log batch", "it does not open"))
            }
        },
        |sequence, body| {
            frames.push((sequence, body));
            Ok(())
        },
    )?;
    Ok(SegmentScan {
        end: scan.end,
        last: scan.last,
        torn: scan.torn,
        frames,
    })
}

/// Seals index entries as the checkpoint of `writer` at `sequence`.
pub fn seal_checkpoint(
    keys: &Keys,
    writer: WriterId,
    sequence: u64,
    entries: &[(Vec<u8>, Vec<u8>)],
) -> Result<Vec<u8>> {
    checkpoint::seal(&keys.0, writer, sequence, entries)
}

/// Seals any plaintext as the checkpoint of `writer` at `sequence`.
pub fn seal_checkpoint_plain(
    keys: &Keys,
    writer: WriterId,
    sequence: u64,
    plain: &[u8],
) -> Result<Vec<u8>> {
    checkpoint::seal_plain(&keys.0, writer, sequence, plain)
}

/// Verifies and opens the checkpoint of `writer` at `sequence`.
pub fn open_checkpoint(
    keys: &Keys,
    writer: WriterId,
    sequence: u64,
    bytes: &[u8],
) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
    checkpoint::open(&keys.0, writer, sequence, bytes)
}

/// Decodes the plaintext of a checkpoint.
pub fn decode_checkpoint(plain: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
    checkpoint::decode(plain)
}

/// What an opened value of the local index, or a record's opened metadata, holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoredValue {
    /// A record version (`V`, `S`, `K` entries).
    Version,
    /// A document revision (`D`).
    Document,
    /// A writer's audit head (`H`).
    AuditHead,
    /// Where reading a writer's log stopped (`R`).
    LogCursor,
    /// A sequence (`W`).
    Sequence,
    /// Bytes (the check value `C`).
    Bytes,
    /// A record's metadata.
    RecordMeta,
    /// A scope's data key id (`Y`).
    KeyId,
    /// A document id (`F`).
    Text,
    /// A mark of a deleted record or a shredded key (`T`, `X`).
    Mark,
}

impl StoredValue {
    /// Every kind of value.
    pub const ALL: [Self; 10] = [
        Self::Version,
        Self::Document,
        Self::AuditHead,
        Self::LogCursor,
        Self::Sequence,
        Self::Bytes,
        Self::RecordMeta,
        Self::KeyId,
        Self::Text,
        Self::Mark,
    ];

    /// The kind of value the index entry `key` holds, by its tag; `None` for a payload (`P`),
    /// which is an envelope, and for an unknown tag.
    pub fn of_index_entry(key: &[u8]) -> Option<Self> {
        Some(match key.first()? {
            b'V' | b'S' | b'K' => Self::Version,
            b'D' => Self::Document,
            b'H' => Self::AuditHead,
            b'R' => Self::LogCursor,
            b'W' => Self::Sequence,
            b'C' => Self::Bytes,
            b'Y' => Self::KeyId,
            b'F' => Self::Text,
            b'T' | b'X' => Self::Mark,
            _ => return None,
        })
    }

    /// Decodes `plain` as a value of this kind, as the index and the record reader do, and
    /// encodes what it holds again.
    pub fn reencode(self, plain: &[u8]) -> Result<Vec<u8>> {
        match self {
            Self::Version => reencode::<IndexedVersion>(plain),
            Self::Document => reencode::<DocumentRevision>(plain),
            Self::AuditHead => reencode::<(WriterId, ChainHead)>(plain),
            Self::LogCursor => reencode::<Cursor>(plain),
            Self::Sequence => reencode::<u64>(plain),
            Self::Bytes => reencode::<Vec<u8>>(plain),
            Self::RecordMeta => reencode::<RecordMeta>(plain),
            Self::KeyId => reencode::<KeyId>(plain),
            Self::Text => reencode::<String>(plain),
            Self::Mark => reencode::<()>(plain),
        }
    }
}

fn reencode<T: Serialize + DeserializeOwned>(plain: &[u8]) -> Result<Vec<u8>> {
    let value: T = postcard::from_bytes(plain)
        .map_err(|error| VaultError::malformed("stored value", error))?;
    postcard::to_stdvec(&value).map_err(|error| VaultError::malformed("stored value", error))
}

/// Decodes a stored document body as a `T`, as [`super::Collection::get`] does.
pub fn decode_document<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    documents::decode(body)
}

/// A name of the store as a listing gives it, or `None` when `text` is not one.
fn store_path(text: &str) -> Option<Path> {
    Path::parse(text).ok()
}

/// `text` as a name of the store (in the form a listing gives it, without a trailing `/`), or
/// `None` when it is not one.
pub fn store_name(text: &str) -> Option<String> {
    store_path(text).map(|path| path.to_string())
}

/// Parses `keys/<owner>/<key id>/<root key id>`.
pub fn parse_wrapped_key_name(text: &str) -> Option<(String, KeyId, KeyId)> {
    layout::parse_wrapped_key(&store_path(text)?)
}

/// The name of `owner`'s key `key` wrapped under root key `root`.
pub fn wrapped_key_name(owner: &str, key: KeyId, root: KeyId) -> String {
    layout::wrapped_key(owner, key, root).to_string()
}

/// Parses `objects/<object name>`.
pub fn parse_object_name(text: &str) -> Option<ObjectName> {
    layout::parse_object(&store_path(text)?)
}

/// The name of payload object `name`.
pub fn object_name(name: ObjectName) -> String {
    layout::object(name).to_string()
}

/// Parses `log/<writer>/<sequence>`.
pub fn parse_log_batch_name(text: &str) -> Option<(WriterId, u64)> {
    layout::parse_log_batch(&store_path(text)?)
}

/// The name of batch `sequence` of `writer`.
pub fn log_batch_name(writer: WriterId, sequence: u64) -> String {
    layout::log_batch(writer, sequence).to_string()
}

/// Parses `log/<writer>/segments/<first sequence>`.
pub fn parse_segment_name(text: &str) -> Option<(WriterId, u64)> {
    layout::parse_segment(&store_path(text)?)
}

/// The name of `writer`'s segment whose first batch is `first`.
pub fn segment_name(writer: WriterId, first: u64) -> String {
    layout::segment(writer, first).to_string()
}

/// Parses `checkpoints/<writer>/<sequence>`.
pub fn parse_checkpoint_name(text: &str) -> Option<(WriterId, u64)> {
    layout::parse_checkpoint(&store_path(text)?)
}

/// The name of `writer`'s checkpoint at `sequence`.
pub fn checkpoint_name(writer: WriterId, sequence: u64) -> String {
    layout::checkpoint(writer, sequence).to_string()
}
