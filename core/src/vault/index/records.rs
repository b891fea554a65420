//! The index's record entries: versions, their inline payloads, the latest version of each
//! record listed under its scope and under its kind and day, data keys, deletions and shreds.
//!
//! A listing reads the latest versions straight from the scope or kind entries, so it never
//! reads a payload or another version. The latest version of a record is the one of highest
//! rank ([`RecordVersion::rank`]) among those present, whatever order batches are applied in.
//!
//! Entries are written key by key, and a crash keeps a prefix of them (see
//! [`Index::apply_batch`]), so the order matters: a new version's payload and listings are
//! written before the version itself, and a dropped version's listings are removed before the
//! version. Applying the mutation again then finds what is left to do.

use super::backend::Change;
use super::{Index, TOKEN_LEN};
use crate::crypto::KeyId;
use crate::vault::error::Result;
use crate::vault::ids::{RecordId, WriterId};
use crate::vault::keyring::ScopeToken;
use crate::vault::log::{IndexedVersion, RecordVersion};

/// A day, in milliseconds: the unit of the kind-and-time listing.
const DAY_MS: i64 = 86_400_000;
/// A kind listing over more days than this reads every record of the kind instead of one
/// entry prefix per day.
const DAYS_SCANNED_MAX: i64 = 3_660;

impl Index {
    fn record_token(&self, record: RecordId) -> [u8; TOKEN_LEN] {
        self.token("record", &[record.as_bytes()])
    }

    fn version_suffix(&self, record: RecordId, version: u64, writer: WriterId) -> Vec<u8> {
        [
            self.record_token(record).as_slice(),
            &version.to_be_bytes(),
            writer.as_bytes(),
        ]
        .concat()
    }

    fn version_entry(&self, record: RecordId, version: u64, writer: WriterId) -> Vec<u8> {
        Self::key(b'V', &[&self.version_suffix(record, version, writer)])
    }

    fn payload_entry(&self, record: RecordId, version: u64, writer: WriterId) -> Vec<u8> {
        Self::key(b'P', &[&self.version_suffix(record, version, writer)])
    }

    fn versions_prefix(&self, record: RecordId) -> Vec<u8> {
        Self::key(b'V', &[&self.record_token(record)])
    }

    fn scope_prefix(&self, scope: &ScopeToken) -> Vec<u8> {
        Self::key(b'S', &[&self.token("scope", &[scope])])
    }

    fn kind_prefix(&self, kind: &str) -> Vec<u8> {
        Self::key(b'K', &[&self.token("kind", &[kind.as_bytes()])])
    }

    fn kind_day_prefix(&self, kind: &str, day: i64) -> Vec<u8> {
        let day_token = self.token("kind-day", &[kind.as_bytes(), &day.to_be_bytes()]);
        [self.kind_prefix(kind).as_slice(), &day_token[..8]].concat()
    }

    fn member_suffix(&self, record: RecordId) -> Vec<u8> {
        self.token("member", &[record.as_bytes()])[..16].to_vec()
    }

    /// The entry that lists `version` under its scope.
    fn scope_entry(&self, version: &IndexedVersion) -> Vec<u8> {
        [
            self.scope_prefix(&version.scope),
            self.member_suffix(version.record),
        ]
        .concat()
    }

    /// The entry that lists `version` under its kind and the day it was made.
    fn kind_entry(&self, version: &IndexedVersion) -> Vec<u8> {
        let day = version.created_ms.div_euclid(DAY_MS);
        [
            self.kind_day_prefix(&version.kind, day),
            self.member_suffix(version.record),
        ]
        .concat()
    }

    fn scope_keys_prefix(&self, scope: &ScopeToken) -> Vec<u8> {
        Self::key(b'Y', &[&self.token("scope-keys", &[scope])])
    }

    fn scope_key_entry(&self, scope: &ScopeToken, key: KeyId) -> Vec<u8> {
        [
            self.scope_keys_prefix(scope),
            self.token("key", &[key.as_bytes()])[..16].to_vec(),
        ]
        .concat()
    }

    fn shredded_key(&self, key: KeyId) -> Vec<u8> {
        Self::key(b'X', &[&self.token("shredded", &[key.as_bytes()])])
    }

    fn deleted_key(&self, record: RecordId) -> Vec<u8> {
        Self::key(b'T', &[&self.record_token(record)])
    }

    // ----- applying the log -----

    pub(super) fn put_record(
        &self,
        changes: &mut Vec<Change>,
        version: &RecordVersion,
    ) -> Result<()> {
        let deleted = self
            .backend
            .get(&self.deleted_key(version.record))?
            .is_some();
        let shredded = self.backend.get(&self.shredded_key(version.key))?.is_some();
        if deleted || shredded {
            return Ok(());
        }
        let (indexed, inline) = version.split();
        let (record, number, writer) = (version.record, version.version, version.writer);
        if let Some(envelope) = inline {
            changes.push((
                self.payload_entry(record, number, writer),
                Some(envelope.to_vec()),
            ));
        }
        let latest = self.latest_version(record)?;
        if latest
            .as_ref()
            .is_none_or(|latest| indexed.rank() >= latest.rank())
        {
            if let Some(latest) = &latest {
                self.unlist(changes, latest);
            }
            self.list(changes, &indexed)?;
        }
        self.set(
            changes,
            self.scope_key_entry(&indexed.scope, indexed.key),
            &indexed.key,
        )?;
        self.set(
            changes,
            self.version_entry(record, number, writer),
            &indexed,
        )
    }

    /// Lists `version` as its record's latest under its scope and its kind and day.
    fn list(&self, changes: &mut Vec<Change>, version: &IndexedVersion) -> Result<()> {
        self.set(changes, self.scope_entry(version), version)?;
        self.set(changes, self.kind_entry(version), version)
    }

    /// Removes the listings `version` would have as its record's latest.
    fn unlist(&self, changes: &mut Vec<Change>, version: &IndexedVersion) {
        changes.push((self.scope_entry(version), None));
        changes.push((self.kind_entry(version), None));
    }

    pub(super) fn delete_record(&self, changes: &mut Vec<Change>, record: RecordId) -> Result<()> {
        self.drop_versions(changes, record, |_| true)?;
        self.set(changes, self.deleted_key(record), &())
    }

    /// Removes the versions of `record` that `drop` selects, and lists the latest one left.
    fn drop_versions(
        &self,
        changes: &mut Vec<Change>,
        record: RecordId,
        drop: impl Fn(&IndexedVersion) -> bool,
    ) -> Result<()> {
        let (dropped, kept): (Vec<IndexedVersion>, Vec<IndexedVersion>) = self
            .record_versions(record)?
            .into_iter()
            .partition(|version| drop(version));
        if dropped.is_empty() {
            return Ok(());
        }
        for version in &dropped {
            self.unlist(changes, version);
        }
        if let Some(latest) = kept.last() {
            self.list(changes, latest)?;
        }
        for version in &dropped {
            let (number, writer) = (version.version, version.writer);
            changes.push((self.version_entry(record, number, writer), None));
            changes.push((self.payload_entry(record, number, writer), None));
        }
        Ok(())
    }

    pub(super) fn shred_scope(
        &self,
        changes: &mut Vec<Change>,
        scope: &ScopeToken,
        keys: &[KeyId],
    ) -> Result<()> {
        for key in keys {
            self.set(changes, self.shredded_key(*key), &())?;
            changes.push((self.scope_key_entry(scope, *key), None));
        }
        for listed in self.scope_versions(scope)? {
            self.drop_versions(changes, listed.record, |version| {
                keys.contains(&version.key)
            })?;
        }
        Ok(())
    }

    // ----- queries -----

    /// Every version of `record`, oldest first; empty if there is none.
    pub(crate) fn record_versions(&self, record: RecordId) -> Result<Vec<IndexedVersion>> {
        self.scan(&self.versions_prefix(record))
    }

    /// The latest version of `record`, if it has any.
    pub(crate) fn latest_version(&self, record: RecordId) -> Result<Option<IndexedVersion>> {
        self.backend
            .last_with_prefix(&self.versions_prefix(record))?
            .map(|(key, sealed)| self.open_value(&key, &sealed))
            .transpose()
    }

    /// The inline payload envelope of a version, as stored: it is sealed under the record's
    /// data key and bound to the version already, so the index does not seal it again.
    pub(crate) fn inline_payload(
        &self,
        record: RecordId,
        version: u64,
        writer: WriterId,
    ) -> Result<Option<Vec<u8>>> {
        self.backend
            .get(&self.payload_entry(record, version, writer))
    }

    /// Whether version `version` of `record` by `writer` is in the index (without opening it).
    pub(crate) fn has_version(
        &self,
        record: RecordId,
        version: u64,
        writer: WriterId,
    ) -> Result<bool> {
        Ok(self
            .backend
            .get(&self.version_entry(record, version, writer))?
            .is_some())
    }

    /// The latest version of every record of a scope.
    pub(crate) fn scope_versions(&self, scope: &ScopeToken) -> Result<Vec<IndexedVersion>> {
        self.scan(&self.scope_prefix(scope))
    }

    /// The latest version of every record of `kind` made in `time` (milliseconds since the
    /// epoch): one entry prefix per day of the range, or every record of the kind for a range
    /// of more than [`DAYS_SCANNED_MAX`] days.
    pub(crate) fn kind_versions(
        &self,
        kind: &str,
        time: std::ops::Range<i64>,
    ) -> Result<Vec<IndexedVersion>> {
        if time.is_empty() {
            return Ok(Vec::new());
        }
        let first = time.start.div_euclid(DAY_MS);
        let last = (time.end - 1).div_euclid(DAY_MS);
        let versions: Vec<IndexedVersion> = if last - first < DAYS_SCANNED_MAX {
            let mut versions = Vec::new();
            for day in first..=last {
                versions.extend(self.scan::<IndexedVersion>(&self.kind_day_prefix(kind, day))?);
            }
            versions
        } else {
            self.scan(&self.kind_prefix(kind))?
        };
        Ok(versions
            .into_iter()
            .filter(|version| time.contains(&version.created_ms))
            .collect())
    }

    /// The latest version of every record.
    pub(crate) fn latest_versions(&self) -> Result<Vec<IndexedVersion>> {
        self.scan(b"S")
    }

    /// The live data keys of a scope.
    pub(crate) fn scope_keys(&self, scope: &ScopeToken) -> Result<Vec<KeyId>> {
        self.scan(&self.scope_keys_prefix(scope))
    }

    /// Every record version in the index.
    pub(crate) fn all_versions(&self) -> Result<Vec<IndexedVersion>> {
        self.scan(b"V")
    }
}
