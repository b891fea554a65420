//! Keeping the index and the store in step: sync, rebuild, verify, gc, and key changes.

use std::collections::HashSet;
use std::time::{Duration, SystemTime};

use bytes::Bytes;

use super::descriptor;
use super::error::{Result, VaultError};
use super::ids::{ObjectName, RecordId};
use super::keyring::Keyring;
use super::layout;
use super::lifecycle::{Vault, check_new_passphrase, credential_error};
use super::log::{LogEnd, PayloadPlace, WriterLog};
use super::runtime::off_worker;
use super::shared::Shared;
use crate::crypto::hazmat::{SlotKind, WrappedDataKey};
use crate::crypto::{CryptoError, KeyId, UnlockCredential};

/// Told how far a long operation has got (`done` of `total` steps).
pub trait Progress: Send + Sync {
    /// Called after each step.
    fn advance(&self, done: u64, total: u64);
}

/// Where [`Vault::rebuild_from`] starts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RebuildStart {
    /// From nothing: every batch of every writer is replayed, which checks that the log alone
    /// gives the index.
    #[default]
    Log,
    /// From the newest checkpoint in the store that opens, as a new index starts, then the
    /// log after the positions it holds; from nothing when none opens.
    Checkpoint,
}

/// What [`Vault::verify`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// Record versions whose payload and metadata authenticated.
    pub versions_ok: u64,
    /// Records whose object is missing from the store.
    pub missing_objects: Vec<RecordId>,
    /// Records whose key is missing.
    pub missing_keys: Vec<RecordId>,
    /// Records whose object or metadata failed to authenticate or decode.
    pub corrupt: Vec<RecordId>,
    /// Objects in `objects/` that no index entry names.
    pub orphan_objects: Vec<String>,
    /// Wrapped keys in `keys/` that nothing uses (shredded, never logged, or wrapped under
    /// a rotated-out root).
    pub orphan_keys: Vec<String>,
}

impl VerifyReport {
    /// Whether every index entry has its object and authenticates (orphans are allowed:
    /// they are garbage for [`Vault::gc`], not damage).
    pub fn is_sound(&self) -> bool {
        self.missing_objects.is_empty() && self.missing_keys.is_empty() && self.corrupt.is_empty()
    }
}

/// What [`Vault::gc`] removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GcReport {
    /// Payload objects removed.
    pub objects_removed: u64,
    /// Wrapped keys removed.
    pub keys_removed: u64,
    /// Checkpoints removed: all but the newest two in the store, whichever writer wrote
    /// them (those of writers that stopped are never removed otherwise).
    pub checkpoints_removed: u64,
}

/// What `gc` removes.
enum Garbage {
    Object,
    Key,
    Checkpoint,
}

/// What a replay of the log did.
pub(crate) struct Replayed {
    /// Batches applied to the index.
    pub(crate) batches: u64,
    /// Where this instance's own log ends.
    pub(crate) own: LogEnd,
}

/// Applies the log batches of every writer that the index has not seen, each writer's in
/// sequence order; `progress` counts the objects and segments read.
pub(crate) async fn replay_log(
    shared: &Shared,
    progress: Option<&dyn Progress>,
) -> Result<Replayed> {
    let mut logs = Vec::new();
    let mut writers = shared.log_writers().await?;
    if !writers.contains(&shared.writer) {
        writers.push(shared.writer);
    }
    for writer in writers {
        let after = shared.index.applied_sequence(writer)?;
        logs.push((writer, WriterLog::list(shared, writer, after).await?));
    }
    let total: u64 = logs.iter().map(|(_, log)| log.len()).sum();
    let mut replayed = Replayed {
        batches: 0,
        own: LogEnd::default(),
    };
    let mut read = 0;
    for (writer, log) in logs {
        let end = log
            .read(
                shared,
                &mut |sequence, mutations| {
                    replayed.batches += 1;
                    shared.index.apply_batch(writer, sequence, &mutations)
                },
                &mut || {
                    read += 1;
                    if let Some(progress) = progress {
                        progress.advance(read, total);
                    }
                },
            )
            .await?;
        if writer == shared.writer {
            replayed.own = end;
        }
    }
    Ok(replayed)
}

/// Deletes the wrapped copies of `keys` owned by `owner`, under any root.
pub(crate) async fn delete_keys(shared: &Shared, owner: &str, keys: &[KeyId]) -> Result<()> {
    for meta in shared.store.list(&layout::key_owner(owner)).await? {
        if let Some((_, key, _)) = layout::parse_wrapped_key(&meta.location)
            && keys.contains(&key)
        {
            shared.store.delete(&meta.location).await?;
        }
    }
    Ok(())
}

impl Vault {
    /// Applies the log batches of other writers sharing the store (and any of this writer's
    /// the index missed). Returns the number of batches applied.
    pub async fn sync(&self) -> Result<u64> {
        self.sync_with_progress(None).await
    }

    /// [`Vault::sync`], reporting progress.
    pub async fn sync_with_progress(&self, progress: Option<&dyn Progress>) -> Result<u64> {
        Ok(replay_log(&self.shared, progress).await?.batches)
    }

    /// Recreates the index from the object store alone, replaying every batch of every
    /// writer ([`RebuildStart::Log`]). Returns the number of batches applied.
    pub async fn rebuild(&self) -> Result<u64> {
        self.rebuild_with_progress(None).await
    }

    /// [`Vault::rebuild`], reporting progress.
    pub async fn rebuild_with_progress(&self, progress: Option<&dyn Progress>) -> Result<u64> {
        self.rebuild_from(RebuildStart::Log, progress).await
    }

    /// Recreates the index from the object store, starting as `start` says, reporting
    /// progress. Returns the number of batches replayed. While it replays, this instance's
    /// reads see only what is replayed so far.
    pub async fn rebuild_from(
        &self,
        start: RebuildStart,
        progress: Option<&dyn Progress>,
    ) -> Result<u64> {
        self.shared.index.clear()?;
        if start == RebuildStart::Checkpoint {
            super::checkpoint::restore_newest(&self.shared).await?;
        }
        Ok(replay_log(&self.shared, progress).await?.batches)
    }

    /// Checks that every record version in the index has its object and key and
    /// authenticates, and lists orphans in the store.
    pub async fn verify(&self) -> Result<VerifyReport> {
        self.verify_with_progress(None).await
    }

    /// [`Vault::verify`], reporting progress.
    pub async fn verify_with_progress(
        &self,
        progress: Option<&dyn Progress>,
    ) -> Result<VerifyReport> {
        let mut report = VerifyReport::default();
        let versions = self.shared.index.all_versions()?;
        let total = versions.len() as u64;
        for (done, version) in versions.iter().enumerate() {
            match self.read_version(version).await {
                Ok(_) => report.versions_ok += 1,
                Err(VaultError::ObjectMissing { .. }) => {
                    report.missing_objects.push(version.record)
                }
                Err(VaultError::KeyMissing { .. }) => report.missing_keys.push(version.record),
                Err(VaultError::Crypto(_) | VaultError::Malformed { .. }) => {
                    report.corrupt.push(version.record);
                }
                Err(other) => return Err(other),
            }
            if let Some(progress) = progress {
                progress.advance(done as u64 + 1, total);
            }
        }
        let orphans = self.orphans().await?;
        report.orphan_objects = orphans
            .objects
            .iter()
            .map(|(path, _)| path.to_string())
            .collect();
        report.orphan_keys = orphans
            .keys
            .iter()
            .map(|(path, _)| path.to_string())
            .collect();
        Ok(report)
    }

    /// Syncs, then removes orphan objects and keys last modified at least `min_age` ago (a
    /// margin for other writers' writes in flight: their objects are stored before their log
    /// batch).
    ///
    /// Refuses to run if another instance rotated the root key since this one opened: keys
    /// wrapped under the new root would look like garbage to it.
    pub async fn gc(&self, min_age: Duration) -> Result<GcReport> {
        self.gc_with_progress(min_age, None).await
    }

    /// [`Vault::gc`], reporting progress over the removals.
    pub async fn gc_with_progress(
        &self,
        min_age: Duration,
        progress: Option<&dyn Progress>,
    ) -> Result<GcReport> {
        let stored = descriptor::read(&self.shared.store).await?;
        if stored.root_key_id() != self.shared.keyring().root().id() {
            return Err(VaultError::invalid(
                "gc",
                "the root key was rotated by another instance since this vault was opened; reopen it",
            ));
        }
        self.sync().await?;
        let cutoff = SystemTime::now()
            .checked_sub(min_age)
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let orphans = self.orphans().await?;
        let superseded = super::checkpoint::superseded(&self.shared).await?;
        let due: Vec<(&object_store::path::Path, Garbage)> = orphans
            .objects
            .iter()
            .map(|orphan| (orphan, Garbage::Object))
            .chain(orphans.keys.iter().map(|orphan| (orphan, Garbage::Key)))
            .chain(superseded.iter().map(|old| (old, Garbage::Checkpoint)))
            .filter(|((_, modified), _)| *modified <= cutoff)
            .map(|((path, _), garbage)| (path, garbage))
            .collect();
        let mut report = GcReport::default();
        for (done, (path, garbage)) in due.iter().enumerate() {
            self.shared.store.delete(path).await?;
            *match garbage {
                Garbage::Object => &mut report.objects_removed,
                Garbage::Key => &mut report.keys_removed,
                Garbage::Checkpoint => &mut report.checkpoints_removed,
            } += 1;
            if let Some(progress) = progress {
                progress.advance(done as u64 + 1, due.len() as u64);
            }
        }
        Ok(report)
    }

    async fn orphans(&self) -> Result<Orphans> {
        let referenced: HashSet<ObjectName> = self
            .shared
            .index
            .all_versions()?
            .into_iter()
            .filter_map(|version| match version.payload {
                PayloadPlace::Stored(stored) => Some(stored.object),
                PayloadPlace::Inline => None,
            })
            .collect();
        let mut orphans = Orphans::default();
        for meta in self.shared.store.list(&layout::objects()).await? {
            let used =
                layout::parse_object(&meta.location).is_some_and(|name| referenced.contains(&name));
            if !used {
                orphans
                    .objects
                    .push((meta.location, meta.last_modified.into()));
            }
        }
        let keyring = self.shared.keyring();
        let root = keyring.root().id();
        for meta in self.shared.store.list(&layout::keys()).await? {
            let used = match layout::parse_wrapped_key(&meta.location) {
                Some((owner, key, wrapper)) if wrapper == root => {
                    owner == layout::VAULT_KEY_OWNER || self.scope_key_in_use(&owner, key)?
                }
                _ => false,
            };
            if !used {
                orphans
                    .keys
                    .push((meta.location, meta.last_modified.into()));
            }
        }
        Ok(orphans)
    }

    fn scope_key_in_use(&self, owner: &str, key: KeyId) -> Result<bool> {
        let mut scope = [0u8; 16];
        if hex::decode_to_slice(owner, &mut scope).is_err() {
            return Ok(false);
        }
        Ok(self.shared.index.scope_keys(&scope)?.contains(&key))
    }

    /// Changes the passphrase of the passphrase slot that `old` opens; only that slot is
    /// rewrapped. A `new` passphrase below the floor of
    /// [`crate::crypto::strength::check_passphrase`] is refused with
    /// [`VaultError::WeakPassphrase`] and nothing changes; `old` may be below it.
    pub async fn change_passphrase(&self, old: &[u8], new: &[u8]) -> Result<()> {
        check_new_passphrase(new)?;
        let mut slots = self.slots.lock().await;
        let mut updated = slots.clone();
        let candidates: Vec<u32> = updated
            .slots()
            .into_iter()
            .filter(|(_, kind)| *kind == SlotKind::Passphrase)
            .map(|(id, _)| id)
            .collect();
        let mut changed = false;
        for id in candidates {
            match off_worker(|| updated.change_passphrase(id, old, new)) {
                Ok(()) => {
                    changed = true;
                    break;
                }
                Err(CryptoError::WrongPassphraseOrKey) => {}
                Err(other) => return Err(other.into()),
            }
        }
        if !changed {
            return Err(VaultError::WrongCredential);
        }
        descriptor::write(&self.shared.store, &updated).await?;
        *slots = updated;
        Ok(())
    }

    /// Rotates the root key: every slot is rewrapped (a credential for each slot, in slot
    /// order, is required), every data key is rewrapped, and the index is re-keyed and
    /// rebuilt. Record payloads and log batches are not rewritten.
    ///
    /// Order of writes: new key copies, then the descriptor (the switch), then removal of the
    /// old copies; a crash at any point leaves a vault that opens with the old or the new
    /// root. Other instances sharing the store must reopen afterwards.
    pub async fn rotate_root(&self, credentials: &[UnlockCredential<'_>]) -> Result<()> {
        // No scope key may be created under the old root while the copies are made.
        let _scope_keys = self.scope_key_lock.lock().await;
        let mut slots = self.slots.lock().await;
        let (new_root, new_slots) =
            off_worker(|| slots.rotate_root(credentials)).map_err(credential_error)?;
        let keyring = self.shared.keyring();
        let (vault_id, old_root) = (keyring.vault_id(), keyring.root());
        let mut old_copies = Vec::new();
        for meta in self.shared.store.list(&layout::keys()).await? {
            let Some((owner, key, wrapper)) = layout::parse_wrapped_key(&meta.location) else {
                continue;
            };
            if wrapper != old_root.id() {
                continue;
            }
            let Some(bytes) = self.shared.store.get(&meta.location).await? else {
                continue;
            };
            let rewrapped =
                WrappedDataKey::from_bytes(&bytes)?.rewrap(vault_id, old_root, &new_root)?;
            self.shared
                .store
                .put(
                    &layout::wrapped_key(&owner, key, new_root.id()),
                    Bytes::from(rewrapped.to_bytes()),
                )
                .await?;
            old_copies.push(meta.location);
        }
        descriptor::write(&self.shared.store, &new_slots).await?;
        *slots = new_slots;
        for path in &old_copies {
            self.shared.store.delete(path).await?;
        }
        let keyring = Keyring::load(&self.shared.store, vault_id, new_root).await?;
        self.shared.index.rekey(keyring.index_keys())?;
        self.shared.replace_keyring(keyring);
        replay_log(&self.shared, None).await?;
        Ok(())
    }
}

#[derive(Default)]
struct Orphans {
    objects: Vec<(object_store::path::Path, SystemTime)>,
    keys: Vec<(object_store::path::Path, SystemTime)>,
}
