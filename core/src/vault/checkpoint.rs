//! Checkpoints: the local index as it stood, sealed into the store, so that a new index (a new
//! app server, a new phone, a lost cache) starts from the newest one and replays only the log
//! after it, instead of every batch since the vault began.
//!
//! ```text
//! checkpoint      = "MVCP" ‖ version (1) ‖ root key id (16) ‖ RecordAead(postcard(entries))
//! associated data = "MVCP" ‖ version ‖ vault id ‖ writer id ‖ u64be(sequence) ‖ root key id
//!                   ‖ the index's check value (which names its layout)
//! ```
//!
//! The entries are the index's own (blind keys, values sealed under the root's index keys),
//! sealed once more under the root's `"index-checkpoints"` subkey: a checkpoint serves only
//! under the root that made it; after a rotation the next one takes over. The log stays the
//! truth and is never cut: a checkpoint only saves replaying what it covers, so one that is
//! missing, forged, damaged or older than the newest costs time, never data. Each writer keeps
//! its newest [`KEPT`]; `gc` removes all but the newest [`KEPT`] of the store.

use std::cmp::Reverse;

use bytes::Bytes;

use super::error::{Result, VaultError};
use super::ids::WriterId;
use super::index;
use super::keyring::Keyring;
use super::layout;
use super::lifecycle::Vault;
use super::log;
use super::runtime::off_worker;
use super::shared::Shared;

const MAGIC: &[u8; 4] = b"MVCP";
const VERSION: u8 = 1;
const HEADER_LEN: usize = 5 + 16;

/// How many checkpoints each writer keeps.
const KEPT: usize = 2;

/// When an instance writes a checkpoint of its index: after this many log batches of its own,
/// or this many bytes of them, since the last one, whichever comes first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckpointPolicy {
    /// Batches between checkpoints.
    pub every_batches: u64,
    /// Bytes of sealed batches between checkpoints.
    pub every_bytes: u64,
}

impl Default for CheckpointPolicy {
    /// Every 10,000 batches or 64 MiB.
    fn default() -> Self {
        Self {
            every_batches: 10_000,
            every_bytes: 64 * 1024 * 1024,
        }
    }
}

impl CheckpointPolicy {
    /// No checkpoint is written unless [`Vault::checkpoint`] is called.
    pub fn never() -> Self {
        Self {
            every_batches: u64::MAX,
            every_bytes: u64::MAX,
        }
    }

    /// Whether `batches` batches of `bytes` bytes call for a checkpoint.
    pub(crate) fn is_due(&self, batches: u64, bytes: u64) -> bool {
        batches >= self.every_batches || bytes >= self.every_bytes
    }
}

/// What [`Vault::checkpoint`] wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckpointReport {
    /// Index entries in the checkpoint.
    pub entries: u64,
    /// Its size in the store.
    pub bytes: u64,
}

impl Vault {
    /// Writes a checkpoint of this instance's index to the store now (one is also written
    /// as the [`CheckpointPolicy`] of the vault's configuration says).
    pub async fn checkpoint(&self) -> Result<CheckpointReport> {
        write(&self.shared).await
    }
}

/// Writes a checkpoint of the index, then removes this writer's older ones beyond [`KEPT`].
pub(crate) async fn write(shared: &Shared) -> Result<CheckpointReport> {
    let sequence = shared
        .index
        .applied_sequence(shared.writer)?
        .unwrap_or_default();
    let keyring = shared.keyring();
    let (entries, sealed) = off_worker(|| {
        let entries = shared.index.snapshot()?;
        let sealed = seal(&keyring, shared.writer, sequence, &entries)?;
        Ok::<_, VaultError>((entries.len() as u64, sealed))
    })?;
    let bytes = sealed.len() as u64;
    shared
        .store
        .put(
            &layout::checkpoint(shared.writer, sequence),
            Bytes::from(sealed),
        )
        .await?;
    let mut own: Vec<(u64, object_store::path::Path)> = shared
        .store
        .list(&layout::writer_checkpoints(shared.writer))
        .await?
        .into_iter()
        .filter_map(|meta| {
            let (writer, sequence) = layout::parse_checkpoint(&meta.location)?;
            (writer == shared.writer).then_some((sequence, meta.location))
        })
        .collect();
    own.sort_by_key(|(sequence, _)| Reverse(*sequence));
    for (_, path) in own.iter().skip(KEPT) {
        shared.store.delete(path).await?;
    }
    Ok(CheckpointReport { entries, bytes })
}

/// The checkpoints in the store beyond the newest [`KEPT`] of all writers, by modification
/// time, with their modification times: no new index starts from them while a newer one
/// opens, and those of writers that stopped are never removed by their writer. `gc` removes
/// them.
pub(crate) async fn superseded(
    shared: &Shared,
) -> Result<Vec<(object_store::path::Path, std::time::SystemTime)>> {
    let mut listed = shared.store.list(&layout::checkpoints()).await?;
    listed.retain(|meta| layout::parse_checkpoint(&meta.location).is_some());
    listed.sort_by_key(|meta| Reverse(meta.last_modified));
    Ok(listed
        .into_iter()
        .skip(KEPT)
        .map(|meta| (meta.location, meta.last_modified.into()))
        .collect())
}

/// Fills an index that has applied nothing from the newest checkpoint in the store that
/// opens under this root, newest first by the store's modification time. Returns whether one
/// was restored.
pub(crate) async fn restore_newest(shared: &Shared) -> Result<bool> {
    let mut listed = shared.store.list(&layout::checkpoints()).await?;
    listed.sort_by_key(|meta| Reverse(meta.last_modified));
    let keyring = shared.keyring();
    for meta in listed {
        let Some((writer, sequence)) = layout::parse_checkpoint(&meta.location) else {
            continue;
        };
        let Some(bytes) = shared.store.get(&meta.location).await? else {
            continue;
        };
        // One that does not open is skipped: an older one, or the log, still serves.
        let Ok(entries) = off_worker(|| open(&keyring, writer, sequence, &bytes)) else {
            continue;
        };
        off_worker(|| shared.index.restore(entries))?;
        return Ok(true);
    }
    Ok(false)
}

fn associated_data(keyring: &Keyring, writer: WriterId, sequence: u64) -> Vec<u8> {
    let mut aad = log::named_associated_data(MAGIC, VERSION, keyring, writer, sequence);
    aad.extend_from_slice(keyring.root().id().as_bytes());
    aad.extend_from_slice(index::CHECK);
    aad
}

/// Seals the index entries `entries` as the checkpoint of `writer` at `sequence`.
pub(crate) fn seal(
    keyring: &Keyring,
    writer: WriterId,
    sequence: u64,
    entries: &[(Vec<u8>, Vec<u8>)],
) -> Result<Vec<u8>> {
    let plain =
        postcard::to_stdvec(entries).map_err(|error| VaultError::malformed("checkpoint", error))?;
    seal_plain(keyring, writer, sequence, &plain)
}

/// Seals the encoded entries `plain` as the checkpoint of `writer` at `sequence`.
pub(crate) fn seal_plain(
    keyring: &Keyring,
    writer: WriterId,
    sequence: u64,
    plain: &[u8],
) -> Result<Vec<u8>> {
    let sealed = keyring
        .checkpoints()
        .seal(plain, &associated_data(keyring, writer, sequence))?;
    let mut out = Vec::with_capacity(HEADER_LEN + sealed.len());
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.extend_from_slice(keyring.root().id().as_bytes());
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Verifies and opens the checkpoint of `writer` at `sequence`: the index entries it holds.
pub(crate) fn open(
    keyring: &Keyring,
    writer: WriterId,
    sequence: u64,
    bytes: &[u8],
) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
    let Some((header, sealed)) = bytes.split_first_chunk::<HEADER_LEN>() else {
        return Err(VaultError::malformed(
            "checkpoint",
            "shorter than its header",
        ));
    };
    if &header[..4] != MAGIC || header[4] != VERSION {
        return Err(VaultError::malformed(
            "checkpoint",
            "not a checkpoint of a version this build reads",
        ));
    }
    if header[5..] != *keyring.root().id().as_bytes() {
        return Err(VaultError::malformed(
            "checkpoint",
            "made under another root key",
        ));
    }
    let plain = keyring
        .checkpoints()
        .open(sealed, &associated_data(keyring, writer, sequence))?;
    decode(&plain)
}

/// Decodes the opened plaintext of a checkpoint into its index entries.
pub(crate) fn decode(plain: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
    postcard::from_bytes(plain).map_err(|error| VaultError::malformed("checkpoint", error))
}
