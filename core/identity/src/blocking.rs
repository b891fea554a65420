//! A blocking facade over [`Identity`], running on a [`BlockingVault`]'s runtime: for the
//! bindings and any caller without tokio.

use std::sync::Arc;
use std::time::Duration;

use medvault::vault::{BlockingVault, RecordId, RecordMeta};

use super::account::{AccountId, AccountInfo, Role};
use super::clock::{Clock, SystemClock};
use super::error::Result;
use super::factor::Enrollment;
use super::login::{LoginCode, LoginOutcome};
use super::policy::Permission;
use super::records::BreakGlassGrant;
use super::service::{Identity, IdentityConfig};
use super::session::{Principal, SessionToken};
use crate::audit::AuditRecord;

/// An [`Identity`] whose methods block. `Send + Sync`; clones share everything.
///
/// Each method is the [`Identity`] method of the same name; see there for what it checks
/// and audits.
#[derive(Clone, Debug)]
pub struct BlockingIdentity {
    vault: BlockingVault,
    identity: Identity,
}

impl BlockingIdentity {
    /// The identity layer of `vault`, with the default configuration and the system clock.
    pub fn new(vault: BlockingVault) -> Self {
        Self::with_config(vault, IdentityConfig::default(), Arc::new(SystemClock))
    }

    /// The identity layer of `vault` with `config`, reading the time from `clock`.
    pub fn with_config(
        vault: BlockingVault,
        config: IdentityConfig,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let identity = Identity::with_config(vault.inner().clone(), config, clock);
        Self { vault, identity }
    }

    /// The async identity layer underneath.
    pub fn inner(&self) -> &Identity {
        &self.identity
    }

    /// The vault underneath.
    pub fn vault(&self) -> &BlockingVault {
        &self.vault
    }

    /// [`Identity::register_patient`].
    pub fn register_patient(&self, username: &str, password: &str) -> Result<AccountId> {
        self.vault
            .block_on(self.identity.register_patient(username, password))
    }

    /// [`Identity::create_account`].
    pub fn create_account(
        &self,
        session: &SessionToken,
        role: Role,
        username: &str,
        password: &str,
    ) -> Result<AccountId> {
        self.vault.block_on(
            self.identity
                .create_account(session, role, username, password),
        )
    }

    /// [`Identity::operator_create_account`].
    pub fn operator_create_account(
        &self,
        role: Role,
        username: &str,
        password: &str,
    ) -> Result<AccountId> {
        self.vault.block_on(
            self.identity
                .operator_create_account(role, username, password),
        )
    }

    /// [`Identity::remove_account`].
    pub fn remove_account(&self, session: &SessionToken, account: AccountId) -> Result<()> {
        self.vault
            .block_on(self.identity.remove_account(session, account))
    }

    /// [`Identity::operator_remove_account`].
    pub fn operator_remove_account(&self, username: &str) -> Result<()> {
        self.vault
            .block_on(self.identity.operator_remove_account(username))
    }

    /// [`Identity::operator_accounts`].
    pub fn operator_accounts(&self) -> Result<Vec<AccountInfo>> {
        self.identity.operator_accounts()
    }

    /// [`Identity::operator_account`].
    pub fn operator_account(&self, username: &str) -> Result<AccountInfo> {
        self.identity.operator_account(username)
    }

    /// [`Identity::enroll_totp`].
    pub fn enroll_totp(
        &self,
        username: &str,
        password: &str,
        current: Option<LoginCode<'_>>,
    ) -> Result<Enrollment> {
        self.vault
            .block_on(self.identity.enroll_totp(username, password, current))
    }

    /// [`Identity::confirm_totp`].
    pub fn confirm_totp(&self, username: &str, password: &str, code: &str) -> Result<()> {
        self.vault
            .block_on(self.identity.confirm_totp(username, password, code))
    }

    /// [`Identity::remove_totp`].
    pub fn remove_totp(&self, username: &str, password: &str, code: LoginCode<'_>) -> Result<()> {
        self.vault
            .block_on(self.identity.remove_totp(username, password, code))
    }

    /// [`Identity::change_password`].
    pub fn change_password(
        &self,
        username: &str,
        password: &str,
        code: LoginCode<'_>,
        new_password: &str,
    ) -> Result<()> {
        self.vault.block_on(
            self.identity
                .change_password(username, password, code, new_password),
        )
    }

    /// [`Identity::unlock_factor`].
    pub fn unlock_factor(&self, session: &SessionToken, account: AccountId) -> Result<()> {
        self.vault
            .block_on(self.identity.unlock_factor(session, account))
    }

    /// [`Identity::operator_unlock_factor`].
    pub fn operator_unlock_factor(&self, username: &str) -> Result<()> {
        self.vault
            .block_on(self.identity.operator_unlock_factor(username))
    }

    /// [`Identity::login`].
    pub fn login(
        &self,
        username: &str,
        password: &str,
        code: LoginCode<'_>,
    ) -> Result<LoginOutcome> {
        self.vault
            .block_on(self.identity.login(username, password, code))
    }

    /// [`Identity::logout`].
    pub fn logout(&self, session: &SessionToken) -> Result<()> {
        self.vault.block_on(self.identity.logout(session))
    }

    /// [`Identity::session`].
    pub fn session(&self, session: &SessionToken) -> Result<Principal> {
        self.vault.block_on(self.identity.session(session))
    }

    /// [`Identity::authorize`].
    pub fn authorize(
        &self,
        session: &SessionToken,
        operation: impl Permission,
    ) -> Result<Principal> {
        self.vault
            .block_on(self.identity.authorize(session, operation))
    }

    /// [`Identity::audit_trail`].
    pub fn audit_trail(&self, session: &SessionToken) -> Result<Vec<AuditRecord>> {
        self.vault.block_on(self.identity.audit_trail(session))
    }

    /// [`Identity::grant_break_glass`].
    pub fn grant_break_glass(
        &self,
        session: &SessionToken,
        patient: AccountId,
        reason: &str,
        duration: Duration,
    ) -> Result<BreakGlassGrant> {
        self.vault.block_on(
            self.identity
                .grant_break_glass(session, patient, reason, duration),
        )
    }

    /// [`Identity::write_record`].
    pub fn write_record(
        &self,
        session: &SessionToken,
        patient: AccountId,
        kind: &str,
        content_type: &str,
        payload: &[u8],
    ) -> Result<RecordMeta> {
        self.vault.block_on(self.identity.write_record(
            session,
            patient,
            kind,
            content_type,
            payload,
        ))
    }

    /// [`Identity::amend_record`].
    pub fn amend_record(
        &self,
        session: &SessionToken,
        record: RecordId,
        payload: &[u8],
    ) -> Result<RecordMeta> {
        self.vault
            .block_on(self.identity.amend_record(session, record, payload))
    }

    /// [`Identity::record_history`].
    pub fn record_history(
        &self,
        session: &SessionToken,
        record: RecordId,
    ) -> Result<Vec<RecordMeta>> {
        self.vault
            .block_on(self.identity.record_history(session, record))
    }

    /// [`Identity::read_record_version`].
    pub fn read_record_version(
        &self,
        session: &SessionToken,
        record: RecordId,
        version: u64,
    ) -> Result<(RecordMeta, Vec<u8>)> {
        self.vault
            .block_on(self.identity.read_record_version(session, record, version))
    }

    /// [`Identity::read_record`].
    pub fn read_record(
        &self,
        session: &SessionToken,
        record: RecordId,
    ) -> Result<(RecordMeta, Vec<u8>)> {
        self.vault
            .block_on(self.identity.read_record(session, record))
    }

    /// [`Identity::list_records`].
    pub fn list_records(
        &self,
        session: &SessionToken,
        patient: AccountId,
    ) -> Result<Vec<RecordMeta>> {
        self.vault
            .block_on(self.identity.list_records(session, patient))
    }
}
