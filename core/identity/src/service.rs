//! The access-controlled service apps hand to their users, and the account store under it.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use medvault::crypto::PasswordHasher;
use medvault::vault::{
    ClaimGuard, Collection, DocumentRevision, HolderState, InstanceLock, Vault, VaultError,
    back_off,
};
use zeroize::Zeroizing;

use super::account::{Account, AccountId, AccountInfo, Role, canonical_username};
use super::audit::{Actor, AuditAction, AuditEvent, Outcome};
use super::clock::{Clock, SystemClock};
use super::error::{IdentityError, Result};
use super::instances::{ADMINS_TOPIC, account_topic};
use super::keys::IdentityKeys;
use super::password_policy::{PasswordPolicy, normalize};
use super::policy::{self, Decision, Operation, Permission};
use super::session::Principal;

/// How the identity layer behaves.
#[derive(Clone, Debug)]
pub struct IdentityConfig {
    /// The issuer shown in authenticator apps (no `:`).
    pub issuer: String,
    /// Failed attempts (wrong passwords, wrong or replayed codes) after which the second
    /// factor locks. At most 10 by default.
    pub max_failed_attempts: u32,
    /// A session unused this long expires (NIST SP 800-63B-4, AAL2: 1 hour).
    pub session_idle: Duration,
    /// A session expires this long after login, used or not (AAL2: 24 hours).
    pub session_lifetime: Duration,
    /// The longest break-glass grant.
    pub max_break_glass: Duration,
    /// What new passwords must meet.
    pub passwords: PasswordPolicy,
    /// How passwords are hashed (in their NFKC form); stored hashes with other parameters,
    /// or made over a password as typed before passwords were normalized, are replaced at
    /// login.
    pub hasher: PasswordHasher,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        Self {
            issuer: "MedVault".to_owned(),
            max_failed_attempts: 10,
            session_idle: Duration::from_secs(60 * 60),
            session_lifetime: Duration::from_secs(24 * 60 * 60),
            max_break_glass: Duration::from_secs(4 * 60 * 60),
            passwords: PasswordPolicy::default(),
            hasher: PasswordHasher::default(),
        }
    }
}

impl IdentityConfig {
    /// Checks a username and a new password for it against the naming rules and the
    /// password policy; returns the username in canonical form.
    pub fn check_credentials(&self, username: &str, password: &str) -> Result<String> {
        let username = canonical_username(username)?;
        self.passwords
            .check(password, &username)
            .map_err(IdentityError::PasswordRejected)?;
        Ok(username)
    }
}

/// Accounts, logins, sessions and access-controlled records over a vault. Cheap to clone.
///
/// Calls that name a session act as its account and are checked against
/// [`policy::decide`]; `operator_*` calls act as the operator who unlocked the vault. All of
/// them are audited.
#[derive(Clone, Debug)]
pub struct Identity {
    pub(crate) vault: Vault,
    pub(crate) config: Arc<IdentityConfig>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) keys: Arc<IdentityKeys>,
    /// [`Identity::instance_id`], made at its first use.
    pub(crate) instance: Arc<OnceLock<String>>,
}

impl Identity {
    /// The identity layer of `vault`, with the default configuration and the system clock.
    pub fn new(vault: Vault) -> Self {
        Self::with_config(vault, IdentityConfig::default(), Arc::new(SystemClock))
    }

    /// The identity layer of `vault` with `config`, reading the time from `clock`.
    pub fn with_config(vault: Vault, config: IdentityConfig, clock: Arc<dyn Clock>) -> Self {
        Self {
            keys: Arc::new(IdentityKeys::derive(&vault)),
            vault,
            config: Arc::new(config),
            clock,
            instance: Arc::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &IdentityConfig {
        &self.config
    }

    /// The vault underneath, for the layers built on this one (its storage-level calls act
    /// as the operator, outside the access policy).
    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    /// A random id (32 hex digits) of this `Identity` and its clones, made at its first use,
    /// for the layers built on this one to name documents that no other instance writes: of
    /// two revisions of one document from two instances sharing a store, only the higher
    /// survives.
    pub fn instance_id(&self) -> Result<&str> {
        if let Some(id) = self.instance.get() {
            return Ok(id);
        }
        let id = hex::encode(medvault::crypto::random_id()?);
        Ok(self.instance.get_or_init(|| id))
    }

    // ----- accounts -----

    /// Registers a patient account (patients register themselves). Its TOTP factor is
    /// enrolled next ([`Identity::enroll_totp`]).
    pub async fn register_patient(&self, username: &str, password: &str) -> Result<AccountId> {
        self.create(None, Role::Patient, username, password).await
    }

    /// Creates an account of `role` on behalf of the admin holding `session` (physicians
    /// and patients; admins are made by the operator).
    pub async fn create_account(
        &self,
        session: &super::SessionToken,
        role: Role,
        username: &str,
        password: &str,
    ) -> Result<AccountId> {
        let admin = self
            .permit(session, Operation::ManageAccounts { role })
            .await?;
        self.create(Some(admin.actor()), role, username, password)
            .await
    }

    /// Creates an account of any role as the operator (the first admin, at vault creation).
    pub async fn operator_create_account(
        &self,
        role: Role,
        username: &str,
        password: &str,
    ) -> Result<AccountId> {
        self.create(Some(Actor::Operator), role, username, password)
            .await
    }

    /// Removes `account` on behalf of the admin holding `session`; its sessions end.
    pub async fn remove_account(
        &self,
        session: &super::SessionToken,
        account: AccountId,
    ) -> Result<()> {
        // Callers who may manage no accounts are refused before the target is looked up, so
        // that the answer says nothing about it.
        let admin = self
            .permit(
                session,
                Operation::ManageAccounts {
                    role: Role::Patient,
                },
            )
            .await?;
        let target = self.account_by_id(account)?;
        self.enforce(
            &admin,
            Operation::ManageAccounts { role: target.role },
            false,
        )
        .await?;
        self.remove(admin.actor(), target.id).await
    }

    /// Removes the account named `username` as the operator; its sessions end.
    pub async fn operator_remove_account(&self, username: &str) -> Result<()> {
        let target = self.account_by_username(username)?;
        self.remove(Actor::Operator, target.id).await
    }

    /// Every account, by role then username (for the operator: it names people).
    pub fn operator_accounts(&self) -> Result<Vec<AccountInfo>> {
        let mut accounts = Vec::new();
        for role in Role::ALL {
            let mut found: Vec<AccountInfo> = self
                .accounts()
                .find("role", role.as_str())?
                .iter()
                .map(Account::info)
                .collect();
            found.sort_by(|a, b| a.username.cmp(&b.username));
            accounts.extend(found);
        }
        Ok(accounts)
    }

    /// The account named `username` (for the operator).
    pub fn operator_account(&self, username: &str) -> Result<AccountInfo> {
        Ok(self.account_by_username(username)?.info())
    }

    async fn create(
        &self,
        by: Option<Actor>,
        role: Role,
        username: &str,
        password: &str,
    ) -> Result<AccountId> {
        self.create_with(by, role, username, password, |_, _| {
            Ok::<_, IdentityError>(Vec::new())
        })
        .await
    }

    /// Creates an account (`by` the operator or an admin, or `None` for a patient
    /// registering); `with` gives the document revisions of a layer above committed in the
    /// same batch (a profile), for the new account's id and canonical username. It is called
    /// once the username is claimed, under the update lock, so that what it checks in the
    /// index holds until the commit; its error is returned as it is.
    pub async fn create_with<E: From<IdentityError>>(
        &self,
        by: Option<Actor>,
        role: Role,
        username: &str,
        password: &str,
        with: impl FnOnce(AccountId, &str) -> Result<Vec<DocumentRevision>, E>,
    ) -> Result<AccountId, E> {
        let username = self.config.check_credentials(username, password)?;
        let phc = self.hash_password(password).await?;
        let id = AccountId::generate().map_err(IdentityError::from)?;
        let account = Account::new(id, username, role, self.now(), phc);
        let actor = by.unwrap_or(Actor::Account { id, role });
        let claim = self.claim_username(&account).await?;
        let _guard = self.vault.lock_updates().await;
        let event = self.event(actor, AuditAction::CreateAccount { account: id, role });
        let saved = match claim.check_in_time() {
            Ok(()) if !self.username_taken(&account.username)? => {
                match with(id, &account.username) {
                    Ok(others) => self
                        .save(&account, others, vec![event])
                        .await
                        .map_err(E::from),
                    Err(error) => Err(error),
                }
            }
            Ok(()) => Err(IdentityError::UsernameTaken.into()),
            Err(error) => Err(IdentityError::from(error).into()),
        };
        if saved.is_err() {
            self.release_username(&account).await;
        }
        saved?;
        Ok(id)
    }

    /// Claims `account`'s username among every instance sharing the store (the claim names
    /// the account and stays while it exists), so that two instances never create two
    /// accounts with one username. Fails with `UsernameTaken` once an account has it, after
    /// waiting out a creation of the same username in flight elsewhere.
    async fn claim_username(&self, account: &Account) -> Result<ClaimGuard> {
        let topic = username_topic(&account.username);
        let holder = account.id.to_string();
        let state = |other: &str| -> medvault::vault::Result<HolderState> {
            Ok(match self.accounts().get(other)? {
                Some(holder) if holder.username == account.username => HolderState::Holding,
                Some(_) => HolderState::Released,
                None => HolderState::Unknown,
            })
        };
        for _ in 0..USERNAME_CLAIM_ATTEMPTS {
            self.vault.sync().await?;
            if self.username_taken(&account.username)? {
                return Err(IdentityError::UsernameTaken);
            }
            if let Some(claim) = self.vault.claim(&topic, &holder, state).await? {
                return Ok(claim);
            }
            back_off().await?;
        }
        Err(IdentityError::UsernameTaken)
    }

    /// Withdraws `account`'s claim on its username (it was not created, or was removed). A
    /// claim that cannot be withdrawn names an account that does not exist: it counts as
    /// stale after [`medvault::vault::CLAIM_STALE_AFTER`].
    async fn release_username(&self, account: &Account) {
        let topic = username_topic(&account.username);
        let _ = self
            .vault
            .release_claim(&topic, &account.id.to_string())
            .await;
    }

    /// Whether an account in this instance's index has `username` (canonical).
    fn username_taken(&self, username: &str) -> Result<bool> {
        Ok(!self.accounts().find("username", username)?.is_empty())
    }

    async fn remove(&self, actor: Actor, account: AccountId) -> Result<()> {
        self.remove_with(actor, account, || Ok::<_, IdentityError>(Vec::new()))
            .await
    }

    /// Removes `account`; `with` gives the document revisions of a layer above committed in
    /// the same batch (a profile marked inactive), read under the update lock. The last admin
    /// is never removed, so that someone can always manage the accounts.
    pub async fn remove_with<E: From<IdentityError> + From<VaultError>>(
        &self,
        actor: Actor,
        account: AccountId,
        with: impl FnOnce() -> Result<Vec<DocumentRevision>, E>,
    ) -> Result<(), E> {
        let role = self.account_by_id(account)?.role;
        self.vault
            .holding(&account_topic(account), async |held| {
                if role == Role::Admin {
                    self.vault
                        .holding(ADMINS_TOPIC, async |_| {
                            self.remove_held(held, actor, account, with).await
                        })
                        .await
                } else {
                    self.remove_held(held, actor, account, with).await
                }
            })
            .await
    }

    /// [`Self::remove_with`], holding the account (and the admins' topic for an admin's).
    async fn remove_held<E: From<IdentityError>>(
        &self,
        held: &InstanceLock,
        actor: Actor,
        account: AccountId,
        with: impl FnOnce() -> Result<Vec<DocumentRevision>, E>,
    ) -> Result<(), E> {
        let _guard = self.vault.lock_updates().await;
        let removed = self.account_by_id(account)?;
        if removed.role == Role::Admin
            && self
                .accounts()
                .find("role", Role::Admin.as_str())
                .map_err(IdentityError::from)?
                .len()
                <= 1
        {
            return Err(IdentityError::InvalidInput {
                what: "account",
                reason: "it is the last admin's; add another admin first".to_owned(),
            }
            .into());
        }
        let deletion = self
            .accounts()
            .next_deletion(&account.to_string())
            .map_err(IdentityError::from)?
            .ok_or(IdentityError::AccountNotFound)?;
        let mut revisions = vec![deletion];
        revisions.extend(with()?);
        let event = self.event(actor, AuditAction::RemoveAccount { account });
        held.check_in_time().map_err(IdentityError::from)?;
        self.commit(revisions, vec![event]).await?;
        self.release_username(&removed).await;
        Ok(())
    }

    // ----- shared parts -----

    pub(crate) fn accounts(&self) -> Collection<'_, Account> {
        self.vault.collection()
    }

    /// The account with `id` (for the operator and the layers above: it names a person).
    pub fn operator_account_by_id(&self, id: AccountId) -> Result<AccountInfo> {
        Ok(self.account_by_id(id)?.info())
    }

    /// The document revision and audit event that create an account of `role` named
    /// `username` with the password hash `phc`, for a layer that commits accounts in bulk
    /// with documents of its own (an import). The caller holds the update lock
    /// ([`Vault::lock_updates`]) until the commit and has made sure the username is free.
    pub fn account_creation(
        &self,
        actor: Actor,
        id: AccountId,
        role: Role,
        username: String,
        phc: String,
    ) -> Result<(DocumentRevision, AuditEvent)> {
        let account = Account::new(id, username, role, self.now(), phc);
        let revision = self.accounts().revision_of(&account, 1)?;
        let event = self.event(actor, AuditAction::CreateAccount { account: id, role });
        Ok((revision, event))
    }

    pub(crate) fn account_by_id(&self, id: AccountId) -> Result<Account> {
        self.accounts()
            .get(&id.to_string())?
            .ok_or(IdentityError::AccountNotFound)
    }

    pub(crate) fn find_account(&self, username: &str) -> Result<Option<Account>> {
        let Ok(username) = canonical_username(username) else {
            return Ok(None);
        };
        Ok(self
            .accounts()
            .find("username", &username)?
            .into_iter()
            .next())
    }

    fn account_by_username(&self, username: &str) -> Result<Account> {
        self.find_account(username)?
            .ok_or(IdentityError::AccountNotFound)
    }

    /// Commits `account`'s new revision with `others` and `audit`, in one batch. The caller
    /// holds the vault's update lock.
    pub(crate) async fn save(
        &self,
        account: &Account,
        mut others: Vec<DocumentRevision>,
        audit: Vec<AuditEvent>,
    ) -> Result<()> {
        others.insert(0, self.accounts().next_revision_of(account)?);
        self.commit(others, audit).await
    }

    /// Commits document `revisions` with the `audit` events that describe them, in one batch:
    /// all of them are durable, or none is acknowledged.
    pub async fn commit(
        &self,
        revisions: Vec<DocumentRevision>,
        audit: Vec<AuditEvent>,
    ) -> Result<()> {
        let mut batch = self.vault.batch();
        batch.put_documents(revisions);
        for event in &audit {
            batch.audit(event.to_engine());
        }
        Ok(batch.commit().await?)
    }

    /// Logs `audit` events that describe no change (reads, refusals, failed logins); returns
    /// once they are durable.
    pub async fn log_audit(&self, audit: Vec<AuditEvent>) -> Result<()> {
        self.commit(Vec::new(), audit).await
    }

    /// Now, by the identity clock (ms since the Unix epoch).
    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    /// A successful `action` by `actor`, now.
    pub fn event(&self, actor: Actor, action: AuditAction) -> AuditEvent {
        AuditEvent::new(self.now(), actor, action, Outcome::Success)
    }

    /// Argon2id-hashes `password`'s NFKC form off the async threads, with the configured
    /// parameters.
    pub async fn hash_password(&self, password: &str) -> Result<String> {
        let hasher = self.config.hasher;
        let password = normalize(password);
        run_blocking(move || hasher.hash(password.as_bytes())).await
    }

    /// Checks `password` against `phc` off the async threads: its NFKC form, then, if that
    /// differs, the password as typed (what hashes made before passwords were normalized are
    /// over). A wrong password costs the same whether or not `phc` is a real account's.
    pub(crate) async fn verify_password(&self, password: &str, phc: &str) -> Result<PasswordMatch> {
        let hasher = self.config.hasher;
        let normalized = normalize(password);
        let as_typed =
            (normalized.as_str() != password).then(|| Zeroizing::new(password.to_owned()));
        let phc = phc.to_owned();
        run_blocking(move || {
            if hasher.verify(normalized.as_bytes(), &phc)? {
                return Ok(PasswordMatch::Normalized);
            }
            match as_typed {
                Some(as_typed) if hasher.verify(as_typed.as_bytes(), &phc)? => {
                    Ok(PasswordMatch::AsTyped)
                }
                _ => Ok(PasswordMatch::No),
            }
        })
        .await
    }

    /// The principal of `session`, if the policy lets it do `operation`; a refusal is audited.
    /// The permission is not audited: a change commits [`Permission::audit_action`] with
    /// itself, a read logs it ([`Identity::authorize`]).
    pub async fn permit(
        &self,
        session: &super::SessionToken,
        operation: impl Permission,
    ) -> Result<Principal> {
        let who = self.session(session).await?;
        self.enforce(&who, operation, false).await?;
        Ok(who)
    }

    /// Applies the policy; a refusal is audited and returned as [`IdentityError::AccessDenied`].
    pub(crate) async fn enforce(
        &self,
        who: &Principal,
        operation: impl Permission,
        break_glass: bool,
    ) -> Result<Decision> {
        let decision = policy::decide(who, &operation, break_glass);
        if decision.is_allowed() {
            return Ok(decision);
        }
        let event = AuditEvent::new(
            self.now(),
            who.actor(),
            operation.audit_action(),
            Outcome::Denied,
        );
        self.log_audit(vec![event]).await?;
        Err(IdentityError::AccessDenied {
            role: who.role.as_str(),
            operation: operation.describe(),
        })
    }
}

/// How a password matched a stored hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PasswordMatch {
    /// It did not.
    No,
    /// Its NFKC form did, as every hash made since passwords are normalized.
    Normalized,
    /// Only the password as typed did, which is not in NFKC: a hash made before passwords
    /// were normalized, to be replaced by one of the NFKC form.
    AsTyped,
}

impl Principal {
    /// This principal as an audit actor.
    pub fn actor(&self) -> Actor {
        Actor::Account {
            id: self.account,
            role: self.role,
        }
    }
}

async fn run_blocking<T: Send + 'static>(
    work: impl FnOnce() -> medvault::crypto::Result<T> + Send + 'static,
) -> Result<T> {
    Ok(tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| VaultError::Closed)??)
}

/// How many times account creation tries for its username's claim against equal racers.
const USERNAME_CLAIM_ATTEMPTS: usize = 8;

/// The claim topic of a (canonical) username.
fn username_topic(username: &str) -> String {
    format!("username:{username}")
}
