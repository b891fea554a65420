//! Clinical records through sessions: every read and write checked by the policy and
//! audited; and the break-glass grants that let an admin read one patient's records.

use std::time::Duration;

use medvault::vault::{Document, NewRecord, RecordId, RecordMeta, VaultError};
use serde::{Deserialize, Serialize};

use super::account::{AccountId, Role};
use super::error::{IdentityError, Result};
use super::policy::{Operation, Permission};
use super::service::Identity;
use super::session::{Principal, SessionToken};
use crate::audit::{self, AuditAction, AuditEvent, AuditRecord};

/// The scope of a patient's records in the vault.
fn patient_scope(patient: AccountId) -> String {
    format!("patient/{patient}")
}

/// The patient whose scope `scope` is, if it is one.
fn scope_patient(scope: &str) -> Option<AccountId> {
    scope.strip_prefix("patient/")?.parse().ok()
}

/// An admin's time-limited permission to read one patient's records in an emergency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakGlassGrant {
    /// The grant's id.
    pub id: String,
    /// The admin it was granted to.
    pub admin: AccountId,
    /// The patient whose records it opens.
    pub patient: AccountId,
    /// Why (kept in the audit trail).
    pub reason: String,
    /// When it was granted (ms since the Unix epoch).
    pub granted_ms: i64,
    /// When it expires.
    pub until_ms: i64,
}

impl Document for BreakGlassGrant {
    const COLLECTION: &'static str = "break-glass";

    fn id(&self) -> String {
        self.id.clone()
    }

    fn indexed_fields(&self) -> Vec<(&'static str, String)> {
        vec![("admin", self.admin.to_string())]
    }
}

impl Identity {
    /// Checks that the session may do `operation` (of this layer or one above); the check is
    /// audited whether it passes or not.
    pub async fn authorize(
        &self,
        session: &SessionToken,
        operation: impl Permission,
    ) -> Result<Principal> {
        let who = self.permit(session, &operation).await?;
        let event = self.event(who.actor(), operation.audit_action());
        self.log_audit(vec![event]).await?;
        Ok(who)
    }

    /// The audit trail, verified, for a session that may read it (admins); the read is
    /// audited.
    pub async fn audit_trail(&self, session: &SessionToken) -> Result<Vec<AuditRecord>> {
        self.authorize(session, Operation::ReadAudit).await?;
        audit::read_trail(&self.vault).await
    }

    /// The audit trail, verified, for the operator (not audited: whoever holds the vault's
    /// key can read the store directly).
    pub async fn operator_audit_trail(&self) -> Result<Vec<AuditRecord>> {
        audit::read_trail(&self.vault).await
    }

    /// Opens a break-glass grant: for `duration` (at most the configured maximum), the admin
    /// holding `session` may read `patient`'s records. `reason` is required and audited.
    pub async fn grant_break_glass(
        &self,
        session: &SessionToken,
        patient: AccountId,
        reason: &str,
        duration: Duration,
    ) -> Result<BreakGlassGrant> {
        let who = self.permit(session, Operation::GrantBreakGlass).await?;
        let reason = reason.trim();
        if reason.chars().count() < 10 {
            return Err(invalid(
                "reason",
                "state the reason in at least 10 characters",
            ));
        }
        if duration.is_zero() || duration > self.config.max_break_glass {
            return Err(invalid(
                "duration",
                format!(
                    "must be more than zero and at most {}",
                    whole_duration(self.config.max_break_glass)
                ),
            ));
        }
        self.require_patient(patient)?;
        let now = self.now();
        let grant = BreakGlassGrant {
            id: medvault::crypto::random_id().map(hex::encode)?,
            admin: who.account,
            patient,
            reason: reason.to_owned(),
            granted_ms: now,
            until_ms: now.saturating_add(i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)),
        };
        let event = self.event(
            who.actor(),
            AuditAction::GrantBreakGlass {
                patient,
                reason: grant.reason.clone(),
                until_ms: grant.until_ms,
            },
        );
        let revision = self
            .vault
            .collection::<BreakGlassGrant>()
            .revision_of(&grant, 1)?;
        self.commit(vec![revision], vec![event]).await?;
        Ok(grant)
    }

    /// Writes a new record for `patient` on behalf of the session's physician.
    pub async fn write_record(
        &self,
        session: &SessionToken,
        patient: AccountId,
        kind: &str,
        content_type: &str,
        payload: &[u8],
    ) -> Result<RecordMeta> {
        self.write_labelled_record(session, patient, kind, content_type, &[], payload)
            .await
    }

    /// [`Identity::write_record`] with labels (such as a document's title), kept sealed in
    /// the record's metadata.
    pub async fn write_labelled_record(
        &self,
        session: &SessionToken,
        patient: AccountId,
        kind: &str,
        content_type: &str,
        labels: &[(&str, &str)],
        payload: &[u8],
    ) -> Result<RecordMeta> {
        let who = self
            .permit(session, Operation::WriteRecords { patient })
            .await?;
        self.require_patient(patient)?;
        let mut record = NewRecord::new(patient_scope(patient), kind)
            .author(who.account.to_string())
            .content_type(content_type)
            .created_ms(self.now());
        for (name, value) in labels {
            record = record.label(*name, *value);
        }
        let mut batch = self.vault.batch();
        let meta = batch.put_record(record, payload).await?;
        batch.audit(self.written(&who, patient, &meta).to_engine());
        batch.commit().await?;
        Ok(meta)
    }

    /// Writes a new version of `record` on behalf of the session's physician.
    pub async fn amend_record(
        &self,
        session: &SessionToken,
        record: RecordId,
        payload: &[u8],
    ) -> Result<RecordMeta> {
        let who = self.session(session).await?;
        let patient = self.record_patient(record).await?;
        self.enforce(&who, Operation::WriteRecords { patient }, false)
            .await?;
        let held = self.vault.lock_updates().await;
        let mut batch = self.vault.batch();
        let meta = batch
            .amend_record(&held, record, payload, self.now())
            .await?;
        batch.audit(self.written(&who, patient, &meta).to_engine());
        batch.commit().await?;
        Ok(meta)
    }

    /// Reads the latest version of `record`, if the session may read its patient's records.
    pub async fn read_record(
        &self,
        session: &SessionToken,
        record: RecordId,
    ) -> Result<(RecordMeta, Vec<u8>)> {
        self.read_checked(session, record).await?;
        Ok(self.vault.get(record).await?)
    }

    /// Every version of `record`, oldest first, if the session may read its patient's
    /// records; audited as a read.
    pub async fn record_history(
        &self,
        session: &SessionToken,
        record: RecordId,
    ) -> Result<Vec<RecordMeta>> {
        self.read_checked(session, record).await?;
        Ok(self.vault.history(record).await?)
    }

    /// Version `version` of `record`, if the session may read its patient's records;
    /// audited as a read.
    pub async fn read_record_version(
        &self,
        session: &SessionToken,
        record: RecordId,
        version: u64,
    ) -> Result<(RecordMeta, Vec<u8>)> {
        self.read_checked(session, record).await?;
        Ok(self.vault.get_version(record, version).await?)
    }

    /// Checks that the session may read `record`'s patient's records and audits the read.
    async fn read_checked(&self, session: &SessionToken, record: RecordId) -> Result<()> {
        let who = self.session(session).await?;
        let patient = self.record_patient(record).await?;
        self.enforce_read(&who, patient).await?;
        let event = self.event(
            who.actor(),
            AuditAction::ReadRecord {
                record,
                patient: Some(patient),
            },
        );
        self.log_audit(vec![event]).await
    }

    /// The metadata of `patient`'s records, if the session may read them.
    pub async fn list_records(
        &self,
        session: &SessionToken,
        patient: AccountId,
    ) -> Result<Vec<RecordMeta>> {
        let who = self.session(session).await?;
        self.enforce_read(&who, patient).await?;
        let records = self.vault.list_scope(&patient_scope(patient)).await?;
        let event = self.event(who.actor(), AuditAction::ListRecords { patient });
        self.log_audit(vec![event]).await?;
        Ok(records)
    }

    async fn enforce_read(&self, who: &Principal, patient: AccountId) -> Result<()> {
        let grant = who.role == Role::Admin && self.has_live_grant(who.account, patient)?;
        self.enforce(who, Operation::ReadRecords { patient }, grant)
            .await
            .map(|_| ())
    }

    fn has_live_grant(&self, admin: AccountId, patient: AccountId) -> Result<bool> {
        let now = self.now();
        Ok(self
            .vault
            .collection::<BreakGlassGrant>()
            .find("admin", &admin.to_string())?
            .iter()
            .any(|grant| {
                grant.patient == patient && grant.granted_ms <= now && now < grant.until_ms
            }))
    }

    /// The patient a record belongs to; records outside patients' scopes are not reachable
    /// through sessions, and look missing.
    async fn record_patient(&self, record: RecordId) -> Result<AccountId> {
        let meta = self.vault.head(record).await?;
        scope_patient(&meta.scope).ok_or_else(|| {
            IdentityError::Vault(VaultError::RecordNotFound {
                record: record.to_string(),
            })
        })
    }

    /// Checks that `patient` is a patient's account.
    pub fn require_patient(&self, patient: AccountId) -> Result<()> {
        match self.account_by_id(patient) {
            Ok(account) if account.role == Role::Patient => Ok(()),
            Ok(_) => Err(invalid("patient", "the account is not a patient's")),
            Err(error) => Err(error),
        }
    }

    /// The audit event of `who` writing `meta`'s version of a record of `patient`.
    fn written(&self, who: &Principal, patient: AccountId, meta: &RecordMeta) -> AuditEvent {
        self.event(
            who.actor(),
            AuditAction::WriteRecord {
                record: meta.id,
                version: meta.version,
                patient: Some(patient),
            },
        )
    }
}

/// `duration` in its largest whole unit: `4h`, `90m`, `45s`.
fn whole_duration(duration: Duration) -> String {
    match duration.as_secs() {
        secs if secs % 3600 == 0 => format!("{}h", secs / 3600),
        secs if secs % 60 == 0 => format!("{}m", secs / 60),
        secs => format!("{secs}s"),
    }
}

fn invalid(what: &'static str, reason: impl Into<String>) -> IdentityError {
    IdentityError::InvalidInput {
        what,
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patient_scopes_round_trip() {
        let patient = AccountId::from_bytes([9; 16]);
        assert_eq!(scope_patient(&patient_scope(patient)), Some(patient));
        assert_eq!(scope_patient("ward-7"), None);
    }
}
