//! Records: put, amend, read (whole, by range, metadata only), list, delete, shred a scope.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;
use rayon::prelude::*;

use super::error::{Detail, Result, VaultError};
use super::ids::{ObjectName, RecordId};
use super::keyring::ScopeToken;
use super::layout;
use super::lifecycle::Vault;
use super::log::{IndexedVersion, Mutation, Payload, PayloadPlace, RecordVersion, StoredPayload};
use super::records::{NewRecord, RecordMeta, now_ms};
use super::runtime::off_worker_for;
use crate::audit::{AuditEvent, StorageAction};
use crate::crypto::hazmat::SubkeyLabel;
use crate::crypto::{DataKey, Envelope, KeyId, ObjectIdentity, RecordAead};

/// Envelopes up to this size travel inside the log batch; larger ones get an object.
pub const INLINE_PAYLOAD_MAX: usize = 64 * 1024;

const METADATA_LABEL: SubkeyLabel = SubkeyLabel::new("record-metadata");

impl Vault {
    /// Stores a new record; returns its metadata (with its new id) once it is durable. The
    /// write is audited as the operator's.
    pub async fn put(&self, record: NewRecord, payload: &[u8]) -> Result<RecordMeta> {
        let mut batch = self.batch();
        let meta = batch.put_record(record, payload).await?;
        batch.audit(written(&meta, now_ms()));
        batch.commit().await?;
        Ok(meta)
    }

    /// Stores a new version of `record` with a new payload; the metadata is carried over
    /// (with a new creation time). Earlier versions stay readable through
    /// [`Vault::history`] and [`Vault::get_version`]. The write is audited as the operator's.
    pub async fn amend(&self, record: RecordId, payload: &[u8]) -> Result<RecordMeta> {
        let held = self.lock_updates().await;
        let now = now_ms();
        let mut batch = self.batch();
        let meta = batch.amend_record(&held, record, payload, now).await?;
        batch.audit(written(&meta, now));
        batch.commit().await?;
        Ok(meta)
    }

    /// The metadata of a new record (version 1, a new random id) holding `payload`.
    pub(crate) fn new_record_meta(&self, record: NewRecord, payload: &[u8]) -> Result<RecordMeta> {
        validate(&record)?;
        Ok(RecordMeta {
            id: RecordId::generate()?,
            version: 1,
            created_ms: record.created_ms.unwrap_or_else(now_ms),
            size: payload.len() as u64,
            scope: record.scope,
            kind: record.kind,
            author: record.author,
            content_type: record.content_type,
            labels: record.labels,
        })
    }

    /// Stores new records in one log batch: all of them become durable together, or none
    /// does. Returns their metadata in order. Their payloads are sealed on all cores. Each
    /// write is audited as the operator's.
    pub async fn put_many(&self, records: Vec<(NewRecord, &[u8])>) -> Result<Vec<RecordMeta>> {
        let mut batch = self.batch();
        let metas = batch.put_records(records).await?;
        let now = now_ms();
        for meta in &metas {
            batch.audit(written(meta, now));
        }
        batch.commit().await?;
        Ok(metas)
    }

    /// Seals each payload and its metadata as a version to log (storing a large payload as an
    /// object first), on all cores; returns them in order, each with the bytes of payload it
    /// carries inline.
    pub(crate) async fn seal_versions(
        &self,
        drafts: &[(RecordMeta, &[u8])],
    ) -> Result<Vec<(RecordVersion, usize)>> {
        let keyring = self.shared.keyring();
        let writer = self.shared.writer;
        // Per scope: the data key, its id and the metadata cipher under it.
        let mut scope_keys: HashMap<ScopeToken, (KeyId, Arc<DataKey>, RecordAead)> = HashMap::new();
        let mut scopes = Vec::with_capacity(drafts.len());
        for (meta, _) in drafts {
            let scope = keyring.scope_token(&meta.scope);
            if let Entry::Vacant(slot) = scope_keys.entry(scope) {
                let (key_id, key) = self.write_key(scope).await?;
                let cipher = metadata_cipher(self, &key);
                slot.insert((key_id, key, cipher));
            }
            scopes.push(scope);
        }
        let seal = |((meta, payload), scope): (&(RecordMeta, &[u8]), &ScopeToken)| {
            let (key_id, key, cipher) = &scope_keys[scope];
            let identity = payload_identity(self, meta.id, meta.version, writer);
            let envelope = Envelope::seal(key, *key_id, &identity, payload)?;
            let plain = zeroize::Zeroizing::new(
                postcard::to_stdvec(meta)
                    .map_err(|error| VaultError::malformed("metadata", error))?,
            );
            let sealed_meta = cipher.seal(&plain, &metadata_aad(meta.id, meta.version, writer))?;
            Ok((envelope, sealed_meta))
        };
        let total = drafts.iter().map(|(_, payload)| payload.len()).sum();
        // One record is sealed on the calling thread: handing it to the pool would cost more.
        let sealed: Vec<(Vec<u8>, Vec<u8>)> = off_worker_for(total, || match drafts {
            [_] => drafts.iter().zip(&scopes).map(seal).collect::<Result<_>>(),
            _ => drafts
                .par_iter()
                .zip(&scopes)
                .map(seal)
                .collect::<Result<_>>(),
        })?;
        let mut versions = Vec::with_capacity(drafts.len());
        let placed = drafts.iter().zip(scopes).zip(sealed);
        for (((meta, _), scope), (envelope, sealed_meta)) in placed {
            let (payload, inline_bytes) = self.place_payload(envelope).await?;
            let version = RecordVersion {
                record: meta.id,
                version: meta.version,
                writer,
                scope,
                key: scope_keys[&scope].0,
                kind: meta.kind.clone(),
                created_ms: meta.created_ms,
                sealed_meta,
                payload,
            };
            versions.push((version, inline_bytes));
        }
        Ok(versions)
    }

    /// Where a sealed payload `envelope` goes: inside the log batch if it is small, else into
    /// an object of its own, stored now. Returns it with the bytes it carries inline.
    async fn place_payload(&self, envelope: Vec<u8>) -> Result<(Payload, usize)> {
        // The committer bounds its batches by the inline bytes they carry.
        if envelope.len() <= INLINE_PAYLOAD_MAX {
            let len = envelope.len();
            return Ok((Payload::Inline(envelope), len));
        }
        let object = ObjectName::generate()?;
        let envelope_len = envelope.len() as u64;
        self.shared
            .store
            .put(&layout::object(object), Bytes::from(envelope))
            .await?;
        let stored = Payload::Stored(StoredPayload {
            object,
            envelope_len,
            segment_size: crate::crypto::DEFAULT_SEGMENT_SIZE,
        });
        Ok((stored, 0))
    }

    /// The data key new records of `scope` are sealed with, created on first use.
    async fn write_key(&self, scope: ScopeToken) -> Result<(KeyId, Arc<DataKey>)> {
        let _guard = self.scope_key_lock.lock().await;
        let keyring = self.shared.keyring();
        for key_id in self.shared.index.scope_keys(&scope)? {
            if let Some(key) = keyring.scope_key(&self.shared.store, scope, key_id).await? {
                return Ok((key_id, key));
            }
        }
        keyring.create_scope_key(&self.shared.store, scope).await
    }

    /// The metadata of the latest version of `record`.
    pub async fn head(&self, record: RecordId) -> Result<RecordMeta> {
        let version = self.latest(record)?;
        self.open_meta(&version).await
    }

    /// The latest version's metadata and payload.
    pub async fn get(&self, record: RecordId) -> Result<(RecordMeta, Vec<u8>)> {
        let version = self.latest(record)?;
        self.read_version(&version).await
    }

    /// One version's metadata and payload.
    pub async fn get_version(
        &self,
        record: RecordId,
        number: u64,
    ) -> Result<(RecordMeta, Vec<u8>)> {
        let versions = self.shared.index.record_versions(record)?;
        let latest = versions.last().ok_or_else(|| not_found(record))?.version;
        let version = versions
            .into_iter()
            .rev()
            .find(|version| version.version == number)
            .ok_or_else(|| VaultError::VersionNotFound {
                record: record.to_string(),
                version: number,
                latest,
            })?;
        self.read_version(&version).await
    }

    /// Bytes `range` of the latest version's payload, reading only the segments that hold them.
    pub async fn get_range(&self, record: RecordId, range: Range<u64>) -> Result<Vec<u8>> {
        let version = self.latest(record)?;
        if range.start > range.end {
            return Err(VaultError::invalid("range", "its start is after its end"));
        }
        if range.is_empty() {
            return Ok(Vec::new());
        }
        let key = self.version_key(&version).await?;
        let identity = payload_identity(self, version.record, version.version, version.writer);
        let len = range.end - range.start;
        match &version.payload {
            PayloadPlace::Inline => Ok(Envelope::open_range(
                &key,
                &identity,
                self.inline_envelope(&version)?.as_slice(),
                range.start,
                len,
            )?),
            PayloadPlace::Stored(StoredPayload {
                object,
                envelope_len,
                segment_size,
            }) => {
                let plan =
                    Envelope::plan_range(&key, *segment_size, *envelope_len, range.start, len)?;
                let ranges = [plan.prefix_range(), plan.segments_range()];
                let parts = self
                    .shared
                    .store
                    .get_ranges(&layout::object(*object), &ranges)
                    .await?
                    .ok_or_else(|| object_missing(record))?;
                let (prefix, segments) = match parts.as_slice() {
                    [prefix, segments] => (prefix, segments),
                    _ => {
                        return Err(VaultError::Store(Detail::new(
                            "a ranged read returned too few parts",
                        )));
                    }
                };
                Ok(plan.open(&identity, prefix, segments)?)
            }
        }
    }

    /// Every version of `record`, oldest first.
    pub async fn history(&self, record: RecordId) -> Result<Vec<RecordMeta>> {
        let versions = self.shared.index.record_versions(record)?;
        if versions.is_empty() {
            return Err(not_found(record));
        }
        self.open_metas(&versions).await
    }

    /// The latest version of every record of `scope`, oldest first.
    pub async fn list_scope(&self, scope: &str) -> Result<Vec<RecordMeta>> {
        let token = self.shared.keyring().scope_token(scope);
        let versions = self.shared.index.scope_versions(&token)?;
        self.listing(&versions).await
    }

    /// The latest version of every record of `kind` made in `time` (milliseconds since the
    /// epoch), oldest first.
    pub async fn list_kind(&self, kind: &str, time: Range<i64>) -> Result<Vec<RecordMeta>> {
        let versions = self.shared.index.kind_versions(kind, time)?;
        self.listing(&versions).await
    }

    /// The latest version of every record in the vault, oldest first.
    pub async fn list_all(&self) -> Result<Vec<RecordMeta>> {
        let versions = self.shared.index.latest_versions()?;
        self.listing(&versions).await
    }

    /// The metadata of `versions`, oldest first.
    async fn listing(&self, versions: &[IndexedVersion]) -> Result<Vec<RecordMeta>> {
        let mut metas = self.open_metas(versions).await?;
        metas.sort_by_key(|meta| (meta.created_ms, meta.id));
        Ok(metas)
    }

    /// Deletes `record` and all its versions (their objects are removed by [`Vault::gc`]).
    /// Audited as the operator's.
    pub async fn delete(&self, record: RecordId) -> Result<()> {
        self.latest(record)?;
        let mut batch = self.batch();
        batch.delete_record(record).audit(AuditEvent::storage(
            now_ms(),
            StorageAction::DeleteRecord { record },
        ));
        batch.commit().await
    }

    /// Crypto-shreds `scope`: destroys its data keys, so that none of its records can be
    /// decrypted any more, even from a copy of the store. [`Vault::gc`] then removes the
    /// objects. Returns how many records were shredded. Audited as the operator's.
    pub async fn shred_scope(&self, scope: &str) -> Result<usize> {
        let _guard = self.scope_key_lock.lock().await;
        let keyring = self.shared.keyring();
        let token = keyring.scope_token(scope);
        let records = self.shared.index.scope_versions(&token)?.len();
        let mut keys = self.shared.index.scope_keys(&token)?;
        for meta in self
            .shared
            .store
            .list(&layout::key_owner(&hex::encode(token)))
            .await?
        {
            if let Some((_, key, _)) = layout::parse_wrapped_key(&meta.location)
                && !keys.contains(&key)
            {
                keys.push(key);
            }
        }
        let mut batch = self.batch();
        batch
            .mutation(Mutation::ShredScope {
                scope: token,
                keys: keys.clone(),
            })
            .audit(AuditEvent::storage(now_ms(), StorageAction::ShredScope));
        batch.commit().await?;
        super::maintenance::delete_keys(&self.shared, &hex::encode(token), &keys).await?;
        keyring.forget_scope_keys(&keys);
        Ok(records)
    }

    fn latest(&self, record: RecordId) -> Result<IndexedVersion> {
        self.shared
            .index
            .latest_version(record)?
            .ok_or_else(|| not_found(record))
    }

    /// The inline envelope of `version`, which the index keeps beside it.
    fn inline_envelope(&self, version: &IndexedVersion) -> Result<Vec<u8>> {
        self.shared
            .index
            .inline_payload(version.record, version.version, version.writer)?
            .ok_or_else(|| {
                VaultError::Index(Detail::new(
                    "a record version's inline payload is missing from the index; rebuild it",
                ))
            })
    }

    pub(crate) async fn version_key(&self, version: &IndexedVersion) -> Result<Arc<DataKey>> {
        self.shared
            .keyring()
            .scope_key(&self.shared.store, version.scope, version.key)
            .await?
            .ok_or_else(|| VaultError::KeyMissing {
                record: version.record.to_string(),
            })
    }

    pub(crate) async fn open_meta(&self, version: &IndexedVersion) -> Result<RecordMeta> {
        let key = self.version_key(version).await?;
        open_meta_with(&metadata_cipher(self, &key), version)
    }

    /// The metadata of many versions: one metadata cipher per data key (a scope usually has
    /// one), and the versions opened on all cores.
    async fn open_metas(&self, versions: &[IndexedVersion]) -> Result<Vec<RecordMeta>> {
        let mut ciphers: HashMap<(ScopeToken, KeyId), RecordAead> = HashMap::new();
        for version in versions {
            if let Entry::Vacant(slot) = ciphers.entry((version.scope, version.key)) {
                let key = self.version_key(version).await?;
                slot.insert(metadata_cipher(self, &key));
            }
        }
        versions
            .par_iter()
            .map(|version| {
                let cipher = ciphers.get(&(version.scope, version.key)).ok_or_else(|| {
                    VaultError::KeyMissing {
                        record: version.record.to_string(),
                    }
                })?;
                open_meta_with(cipher, version)
            })
            .collect()
    }

    pub(crate) async fn read_version(
        &self,
        version: &IndexedVersion,
    ) -> Result<(RecordMeta, Vec<u8>)> {
        let key = self.version_key(version).await?;
        let meta = open_meta_with(&metadata_cipher(self, &key), version)?;
        let identity = payload_identity(self, version.record, version.version, version.writer);
        let payload = match &version.payload {
            PayloadPlace::Inline => {
                Envelope::open(&key, &identity, &self.inline_envelope(version)?)?
            }
            PayloadPlace::Stored(StoredPayload { object, .. }) => {
                let envelope = self
                    .shared
                    .store
                    .get(&layout::object(*object))
                    .await?
                    .ok_or_else(|| object_missing(version.record))?;
                off_worker_for(envelope.len(), || {
                    Envelope::open(&key, &identity, &envelope)
                })?
            }
        };
        Ok((meta, payload))
    }
}

/// The operator's audit event for writing `meta`'s version.
fn written(meta: &RecordMeta, time_ms: i64) -> AuditEvent {
    AuditEvent::storage(
        time_ms,
        StorageAction::WriteRecord {
            record: meta.id,
            version: meta.version,
        },
    )
}

fn validate(record: &NewRecord) -> Result<()> {
    if record.scope.is_empty() {
        return Err(VaultError::invalid("record", "its scope is empty"));
    }
    if record.kind.is_empty() {
        return Err(VaultError::invalid("record", "its kind is empty"));
    }
    Ok(())
}

/// The identity a payload is sealed for: record id and writer as object id, and the version.
fn payload_identity(
    vault: &Vault,
    record: RecordId,
    version: u64,
    writer: super::ids::WriterId,
) -> ObjectIdentity {
    let object_id = [record.as_bytes().as_slice(), writer.as_bytes()].concat();
    ObjectIdentity::new("record", vault.id(), &object_id, version)
}

/// Opens a version's sealed metadata and checks that it names that version.
fn open_meta_with(cipher: &RecordAead, version: &IndexedVersion) -> Result<RecordMeta> {
    let plain = zeroize::Zeroizing::new(cipher.open(
        &version.sealed_meta,
        &metadata_aad(version.record, version.version, version.writer),
    )?);
    let meta: RecordMeta = postcard::from_bytes(&plain)
        .map_err(|error| VaultError::malformed("record metadata", error))?;
    if meta.id != version.record || meta.version != version.version {
        return Err(VaultError::malformed(
            "record metadata",
            "it names another record or version",
        ));
    }
    Ok(meta)
}

fn metadata_cipher(vault: &Vault, key: &DataKey) -> RecordAead {
    key.subkey_aead(vault.id(), METADATA_LABEL)
}

fn metadata_aad(record: RecordId, version: u64, writer: super::ids::WriterId) -> Vec<u8> {
    [
        b"record-metadata".as_slice(),
        record.as_bytes(),
        &version.to_be_bytes(),
        writer.as_bytes(),
    ]
    .concat()
}

fn not_found(record: RecordId) -> VaultError {
    VaultError::RecordNotFound {
        record: record.to_string(),
    }
}

fn object_missing(record: RecordId) -> VaultError {
    VaultError::ObjectMissing {
        record: record.to_string(),
    }
}
