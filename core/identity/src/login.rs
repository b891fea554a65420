//! Login: a password, then a TOTP or recovery code, then a session; and the checks every
//! later call makes on that session.

use std::time::Duration;

use medvault::vault::{DocumentRevision, InstanceLock};

use super::account::{Account, AccountInfo, StoredTotp};
use super::error::{IdentityError, Result};
use super::instances::account_topic;
use super::recovery;
use super::service::{Identity, PasswordMatch};
use super::session::{Principal, SessionToken, StoredSession};
use super::totp::{TotpAlgorithm, TotpFactor};
use crate::audit::{Actor, AuditAction, AuditEvent, LoginFailure, Outcome, SecondFactor};

/// A session's last use is written at most this often.
const TOUCH_INTERVAL_MS: i64 = 60_000;

/// The second factor presented at login. Prints as redacted.
#[derive(Clone, Copy)]
pub enum LoginCode<'a> {
    /// A TOTP code from the enrolled authenticator.
    Totp(&'a str),
    /// One of the account's recovery codes (it unlocks a locked factor, and is used up).
    Recovery(&'a str),
}

impl std::fmt::Debug for LoginCode<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoginCode::Totp(_) => f.write_str("Totp([redacted])"),
            LoginCode::Recovery(_) => f.write_str("Recovery([redacted])"),
        }
    }
}

impl LoginCode<'_> {
    fn factor(&self) -> SecondFactor {
        match self {
            LoginCode::Totp(_) => SecondFactor::Totp,
            LoginCode::Recovery(_) => SecondFactor::RecoveryCode,
        }
    }
}

/// A successful login.
#[derive(Debug)]
pub struct LoginOutcome {
    /// The new session's token.
    pub token: SessionToken,
    /// The account that logged in.
    pub account: AccountInfo,
}

/// Which TOTP factor a code is checked against.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum FactorToCheck {
    /// The confirmed factor (login, and changing or removing the factor).
    Confirmed,
    /// The enrolled factor waiting for its first code.
    Pending,
}

impl Identity {
    /// Logs in: the password, then `code`. On success the factor's time step (or the
    /// recovery code) is used up and a session opens, in one durable batch with the audit
    /// entry. Every attempt is audited; failures count towards the factor's lock.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        code: LoginCode<'_>,
    ) -> Result<LoginOutcome> {
        let token = SessionToken::generate()?;
        let mut opened = None;
        self.authenticate(
            username,
            password,
            code,
            FactorToCheck::Confirmed,
            |account, now| {
                let session = StoredSession {
                    id: self.session_id(&token),
                    account: account.id,
                    created_ms: now,
                    last_seen_ms: now,
                    epoch: account.session_epoch,
                };
                let revision = self
                    .vault
                    .collection::<StoredSession>()
                    .revision_of(&session, 1)?;
                opened = Some(account.info());
                Ok((
                    vec![revision],
                    AuditAction::Login {
                        factor: code.factor(),
                    },
                ))
            },
        )
        .await?;
        let account = opened.ok_or(IdentityError::SessionInvalid)?;
        Ok(LoginOutcome { token, account })
    }

    /// Ends the session; its token is refused from now on.
    pub async fn logout(&self, token: &SessionToken) -> Result<()> {
        let who = self.session(token).await?;
        let id = self.session_id(token);
        self.vault
            .holding(&account_topic(who.account), async |held| {
                let _guard = self.vault.lock_updates().await;
                let deletion = self
                    .vault
                    .collection::<StoredSession>()
                    .next_deletion(&id)?
                    .ok_or(IdentityError::SessionInvalid)?;
                let event = self.event(who.actor(), AuditAction::Logout);
                held.check_in_time()?;
                self.commit(vec![deletion], vec![event]).await
            })
            .await
    }

    /// The account a live session belongs to. Fails with [`IdentityError::SessionExpired`]
    /// after the idle timeout or the absolute lifetime, and with
    /// [`IdentityError::SessionInvalid`] once logged out, or when the account was removed or
    /// its factor changed.
    pub async fn session(&self, token: &SessionToken) -> Result<Principal> {
        let id = self.session_id(token);
        let sessions = self.vault.collection::<StoredSession>();
        let session = sessions.get(&id)?.ok_or(IdentityError::SessionInvalid)?;
        let account = self
            .accounts()
            .get(&session.account.to_string())?
            .filter(|account| account.session_epoch == session.epoch)
            .ok_or(IdentityError::SessionInvalid)?;
        let now = self.now();
        let lifetime = millis(self.config.session_lifetime);
        let idle = millis(self.config.session_idle);
        if now - session.created_ms >= lifetime || now - session.last_seen_ms >= idle {
            self.forget_session(&id).await?;
            return Err(IdentityError::SessionExpired);
        }
        if now - session.last_seen_ms >= TOUCH_INTERVAL_MS {
            // Held among instances, so that a use written down here never outranks a logout
            // committed elsewhere at the same moment.
            self.vault
                .holding(&account_topic(account.id), async |held| {
                    let _guard = self.vault.lock_updates().await;
                    let current = sessions.get(&id)?.ok_or(IdentityError::SessionInvalid)?;
                    let touched = StoredSession {
                        last_seen_ms: now,
                        ..current
                    };
                    let revision = sessions.next_revision_of(&touched)?;
                    held.check_in_time()?;
                    self.commit(vec![revision], Vec::new()).await
                })
                .await?;
        }
        Ok(Principal {
            account: account.id,
            role: account.role,
        })
    }

    /// The id `token`'s session is stored under.
    fn session_id(&self, token: &SessionToken) -> String {
        token.stored_id(&self.keys.hashes)
    }

    /// Deletes the stored session `id`, if it is still there.
    async fn forget_session(&self, id: &str) -> Result<()> {
        let _guard = self.vault.lock_updates().await;
        let sessions = self.vault.collection::<StoredSession>();
        if let Some(deletion) = sessions.next_deletion(id)? {
            self.commit(vec![deletion], Vec::new()).await?;
        }
        Ok(())
    }

    /// The common path of every proof of identity: checks the password, then, holding the
    /// account among every instance sharing the store (so that a code is accepted once and
    /// every failure counted, whichever instance sees it) and under the lock that serializes
    /// account changes, `code` against the account as stored now. On success `then` makes
    /// its changes to the account and returns the documents to store with it and the action
    /// to audit; all of it is committed in one batch. On failure the attempt is counted
    /// (locking the factor at the limit) and audited.
    pub(crate) async fn authenticate(
        &self,
        username: &str,
        password: &str,
        code: LoginCode<'_>,
        factor: FactorToCheck,
        then: impl FnOnce(&mut Account, i64) -> Result<(Vec<DocumentRevision>, AuditAction)>,
    ) -> Result<()> {
        let (checked, rehash) = self
            .check_password(username, password, code.factor())
            .await?;
        self.vault
            .holding(&account_topic(checked.id), async |held| {
                self.check_code_and_save(held, &checked, rehash, code, factor, then)
                    .await
            })
            .await
    }

    /// [`Self::authenticate`] once the password is checked and the account held.
    async fn check_code_and_save(
        &self,
        held: &InstanceLock,
        checked: &Account,
        rehash: Option<String>,
        code: LoginCode<'_>,
        factor: FactorToCheck,
        then: impl FnOnce(&mut Account, i64) -> Result<(Vec<DocumentRevision>, AuditAction)>,
    ) -> Result<()> {
        let _guard = self.vault.lock_updates().await;
        let mut account = self.reload(checked)?;
        held.check_in_time()?;
        let now = self.now();
        match self.check_code(&mut account, code, factor, now) {
            Ok(()) => {
                account.failed_attempts = 0;
                if let Some(phc) = rehash {
                    account.password = phc;
                }
                let (documents, action) = then(&mut account, now)?;
                let actor = account_actor(&account);
                let event = AuditEvent::new(now, actor, action, Outcome::Success);
                self.save(&account, documents, vec![event]).await
            }
            Err(failure) => {
                self.count_failure(&mut account, failure, code.factor(), now)
                    .await?;
                // A locked factor answers every failure alike, so that guesses made while it
                // is locked learn nothing.
                Err(if account.locked {
                    IdentityError::FactorLocked
                } else {
                    failure_error(failure)
                })
            }
        }
    }

    /// Checks `username`'s password. A wrong one is counted and audited like a wrong code;
    /// an unknown username costs the same time and is audited as anonymous. Returns the
    /// account as read (callers re-read it under the update lock before changing it) and,
    /// when the stored hash has outdated parameters or was made over the password as typed
    /// rather than its NFKC form (before passwords were normalized), a new hash of the
    /// password.
    pub(crate) async fn check_password(
        &self,
        username: &str,
        password: &str,
        factor: SecondFactor,
    ) -> Result<(Account, Option<String>)> {
        let Some(account) = self.find_account(username)? else {
            // Spend the time a real check takes, so that timing does not tell which
            // usernames exist.
            let _ = self.verify_password(password, DUMMY_PHC).await;
            let event = AuditEvent::new(
                self.now(),
                Actor::Anonymous,
                AuditAction::Login { factor },
                Outcome::LoginFailed(LoginFailure::UnknownAccount),
            );
            self.log_audit(vec![event]).await?;
            return Err(IdentityError::InvalidCredentials);
        };
        let matched = self.verify_password(password, &account.password).await?;
        if matched == PasswordMatch::No {
            // Counted holding the account among instances, like a wrong code, so that
            // failures seen on several instances at once all count.
            return self
                .vault
                .holding(&account_topic(account.id), async |held| {
                    let _guard = self.vault.lock_updates().await;
                    let mut current = self.reload(&account)?;
                    held.check_in_time()?;
                    self.count_failure(
                        &mut current,
                        LoginFailure::WrongPassword,
                        factor,
                        self.now(),
                    )
                    .await?;
                    Err(if current.locked {
                        IdentityError::FactorLocked
                    } else {
                        IdentityError::InvalidCredentials
                    })
                })
                .await;
        }
        let rehash = if matched == PasswordMatch::AsTyped
            || self.config.hasher.needs_rehash(&account.password)?
        {
            Some(self.hash_password(password).await?)
        } else {
            None
        };
        Ok((account, rehash))
    }

    /// The account as stored now; refused if it was removed or its password changed since
    /// `checked` was read.
    pub(crate) fn reload(&self, checked: &Account) -> Result<Account> {
        self.accounts()
            .get(&checked.id.to_string())?
            .filter(|account| account.password == checked.password)
            .ok_or(IdentityError::InvalidCredentials)
    }

    /// Checks `code` against `account`, using up its TOTP step or recovery code on success.
    /// A pending factor's first code installs it in place of the confirmed one.
    fn check_code(
        &self,
        account: &mut Account,
        code: LoginCode<'_>,
        factor: FactorToCheck,
        now_ms: i64,
    ) -> std::result::Result<(), LoginFailure> {
        match (factor, code) {
            (FactorToCheck::Confirmed, LoginCode::Totp(code)) => {
                let stored = account
                    .totp
                    .as_ref()
                    .ok_or(LoginFailure::FactorNotEnrolled)?;
                let step = self.totp_step(account, &stored.sealed_secret, code, now_ms)?;
                if stored.last_step.is_some_and(|last| step <= last) {
                    return Err(LoginFailure::ReplayedCode);
                }
                if let Some(stored) = account.totp.as_mut() {
                    stored.last_step = Some(step);
                }
                Ok(())
            }
            (FactorToCheck::Pending, LoginCode::Totp(code)) => {
                let pending = account
                    .pending
                    .as_ref()
                    .ok_or(LoginFailure::FactorNotEnrolled)?;
                let step = self.totp_step(account, &pending.sealed_secret, code, now_ms)?;
                if let Some(pending) = account.pending.take() {
                    if account.totp.is_some() {
                        account.session_epoch += 1;
                    }
                    account.totp = Some(StoredTotp {
                        sealed_secret: pending.sealed_secret,
                        last_step: Some(step),
                    });
                    account.recovery = pending.recovery;
                }
                Ok(())
            }
            (FactorToCheck::Pending, LoginCode::Recovery(_)) => Err(LoginFailure::WrongCode),
            (FactorToCheck::Confirmed, LoginCode::Recovery(code)) => {
                if account.totp.is_none() {
                    return Err(LoginFailure::FactorNotEnrolled);
                }
                let found = recovery::find(&self.keys.hashes, account.id, &account.recovery, code)
                    .ok_or(LoginFailure::WrongCode)?;
                account.recovery.remove(found);
                account.locked = false;
                Ok(())
            }
        }
    }

    /// Counts a failed attempt (locking the factor at the limit) and audits it.
    async fn count_failure(
        &self,
        account: &mut Account,
        failure: LoginFailure,
        factor: SecondFactor,
        now: i64,
    ) -> Result<()> {
        let actor = account_actor(account);
        let mut audit = vec![AuditEvent::new(
            now,
            actor.clone(),
            AuditAction::Login { factor },
            Outcome::LoginFailed(failure),
        )];
        let counted = matches!(
            failure,
            LoginFailure::WrongPassword | LoginFailure::WrongCode | LoginFailure::ReplayedCode
        );
        if !counted {
            return self.log_audit(audit).await;
        }
        account.failed_attempts = account.failed_attempts.saturating_add(1);
        if account.failed_attempts >= self.config.max_failed_attempts && !account.locked {
            account.locked = true;
            audit.push(AuditEvent::new(
                now,
                actor,
                AuditAction::LockFactor {
                    account: account.id,
                },
                Outcome::Success,
            ));
        }
        self.save(account, Vec::new(), audit).await
    }

    /// The time step `code` is valid for under the factor sealed as `sealed_secret`; no step
    /// while the account's factor is locked.
    fn totp_step(
        &self,
        account: &Account,
        sealed_secret: &str,
        code: &str,
        now_ms: i64,
    ) -> std::result::Result<u64, LoginFailure> {
        if account.locked {
            return Err(LoginFailure::FactorLocked);
        }
        // A secret that does not open leaves the account without a usable factor.
        let totp = self
            .open_totp(account, sealed_secret)
            .map_err(|_| LoginFailure::FactorNotEnrolled)?;
        let seconds = u64::try_from(now_ms / 1000).unwrap_or(0);
        totp.verify(code, seconds).ok_or(LoginFailure::WrongCode)
    }

    /// The TOTP factor sealed as `sealed_secret` for `account`, unsealed.
    fn open_totp(&self, account: &Account, sealed_secret: &str) -> Result<TotpFactor> {
        let sealed = hex::decode(sealed_secret)
            .map_err(|error| medvault::vault::VaultError::malformed("TOTP secret", error))?;
        let secret = self.keys.secrets.open(&sealed, account.id.as_bytes())?;
        TotpFactor::from_secret(secret, TotpAlgorithm::Sha1, TotpFactor::DIGITS)
    }
}

/// The audit actor of an account.
pub(crate) fn account_actor(account: &Account) -> Actor {
    Actor::Account {
        id: account.id,
        role: account.role,
    }
}

fn failure_error(failure: LoginFailure) -> IdentityError {
    match failure {
        LoginFailure::UnknownAccount | LoginFailure::WrongPassword => {
            IdentityError::InvalidCredentials
        }
        LoginFailure::WrongCode => IdentityError::WrongCode,
        LoginFailure::ReplayedCode => IdentityError::CodeReplayed,
        LoginFailure::FactorLocked => IdentityError::FactorLocked,
        LoginFailure::FactorNotEnrolled => IdentityError::FactorNotEnrolled,
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// A well-formed hash of a random password, checked against when the username is unknown.
const DUMMY_PHC: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$\
    4Z1Uq0Sr3d6yq0Jb0Xy6tWc3U6mYc8o0m0kq3iVb3Xo";

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::{Clock, IdentityConfig, ManualClock, Role};
    use medvault::crypto::{Argon2idParams, PasswordHasher, RawUnlockKey, UnlockCredential};
    use medvault::vault::{IndexLocation, MemoryStore, StoreLocation, Vault, VaultConfig};

    const PASSWORD: &str = "a sturdy test passphrase";

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn login_rehashes_a_password_hashed_with_other_parameters() {
        let config = VaultConfig::new(
            StoreLocation::Memory(MemoryStore::new()),
            IndexLocation::Temporary,
        );
        let key = RawUnlockKey::generate().expect("key");
        let vault = Vault::create(&config, UnlockCredential::RawKey(&key))
            .await
            .expect("vault");
        let clock = Arc::new(ManualClock::new(1_800_000_000_000));
        let older = IdentityConfig {
            hasher: PasswordHasher::new(Argon2idParams::new(12_288, 3, 1).expect("params")),
            ..IdentityConfig::default()
        };
        let before = Identity::with_config(vault.clone(), older, clock.clone());
        before
            .operator_create_account(Role::Physician, "dr.who", PASSWORD)
            .await
            .expect("account");
        let enrollment = before
            .enroll_totp("dr.who", PASSWORD, None)
            .await
            .expect("enroll");
        let seconds = || u64::try_from(clock.now_ms() / 1000).expect("positive time");
        before
            .confirm_totp("dr.who", PASSWORD, &enrollment.factor.code_at(seconds()))
            .await
            .expect("confirm");
        let stored = |identity: &Identity| {
            identity
                .find_account("dr.who")
                .expect("read")
                .expect("account")
                .password
        };
        assert!(stored(&before).starts_with("$argon2id$v=19$m=12288,t=3,p=1$"));

        let now = Identity::with_config(vault, IdentityConfig::default(), clock.clone());
        for _ in 0..2 {
            clock.advance(Duration::from_secs(30));
            let code = enrollment.factor.code_at(seconds());
            now.login("dr.who", PASSWORD, LoginCode::Totp(&code))
                .await
                .expect("login");
            assert!(stored(&now).starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        }
    }

    /// An account whose hash was made, before passwords were normalized, over the bytes of
    /// a decomposed (NFD) password: that password still opens it, and its first login
    /// replaces the hash by one of the normalized password, which every form then opens.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn login_accepts_and_rehashes_a_hash_of_the_unnormalized_password() {
        const NFC: &str = "Z\u{fc}rich Gro\u{df}m\u{fc}nster Br\u{fc}cke";
        const NFD: &str = "Zu\u{308}rich Gro\u{df}mu\u{308}nster Bru\u{308}cke";
        let config = VaultConfig::new(
            StoreLocation::Memory(MemoryStore::new()),
            IndexLocation::Temporary,
        );
        let key = RawUnlockKey::generate().expect("key");
        let vault = Vault::create(&config, UnlockCredential::RawKey(&key))
            .await
            .expect("vault");
        let clock = Arc::new(ManualClock::new(1_800_000_000_000));
        let identity = Identity::with_config(vault, IdentityConfig::default(), clock.clone());
        identity
            .operator_create_account(Role::Patient, "zurich", NFC)
            .await
            .expect("account");
        let enrollment = identity
            .enroll_totp("zurich", NFC, None)
            .await
            .expect("enroll");
        let seconds = || u64::try_from(clock.now_ms() / 1000).expect("positive time");
        identity
            .confirm_totp("zurich", NFC, &enrollment.factor.code_at(seconds()))
            .await
            .expect("confirm");

        // The hash an earlier release made: over the password's bytes as typed, in NFD.
        let hasher = identity.config.hasher;
        let legacy = hasher.hash(NFD.as_bytes()).expect("hash");
        {
            let _guard = identity.vault.lock_updates().await;
            let mut account = identity
                .find_account("zurich")
                .expect("read")
                .expect("account");
            account.password = legacy.clone();
            identity
                .save(&account, Vec::new(), Vec::new())
                .await
                .expect("store the legacy hash");
        }
        let stored = || {
            identity
                .find_account("zurich")
                .expect("read")
                .expect("account")
                .password
        };
        assert_eq!(stored(), legacy);

        let login = async |password: &str| {
            clock.advance(Duration::from_secs(30));
            let code = enrollment.factor.code_at(seconds());
            identity
                .login("zurich", password, LoginCode::Totp(&code))
                .await
        };
        login(NFD)
            .await
            .expect("login with the password as first typed");
        let rehashed = stored();
        assert_ne!(rehashed, legacy, "the legacy hash is replaced");
        assert!(hasher.verify(NFC.as_bytes(), &rehashed).expect("verify"));
        assert!(!hasher.needs_rehash(&rehashed).expect("parse"));
        login(NFC).await.expect("login in NFC");
        login(NFD).await.expect("login in NFD");
        assert_eq!(stored(), rehashed, "rehashed once");
        let error = login("Zurich Grossmunster Brucke").await.map(|_| ());
        assert!(
            matches!(error, Err(IdentityError::InvalidCredentials)),
            "{error:?}"
        );
    }
}
