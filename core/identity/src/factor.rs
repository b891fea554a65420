//! Changing credentials: TOTP enrollment, confirmation by a first code, removal and
//! unlocking, and password changes.

use std::fmt;

use super::account::{AccountId, PendingTotp};
use super::error::{IdentityError, Result};
use super::instances::account_topic;
use super::login::{FactorToCheck, LoginCode, account_actor};
use super::policy::Operation;
use super::recovery::{self, RecoveryCode};
use super::service::Identity;
use super::session::SessionToken;
use super::totp::TotpFactor;
use crate::audit::{Actor, AuditAction, SecondFactor};

/// A new TOTP factor, to show its owner once: the `otpauth://` URI (or its QR code, or the
/// secret typed by hand) goes into an authenticator app, and the recovery codes onto paper.
/// Prints as redacted.
pub struct Enrollment {
    /// The account.
    pub account: AccountId,
    /// The factor (its secret included).
    pub factor: TotpFactor,
    /// The `otpauth://totp/…` URI.
    pub otpauth_uri: zeroize::Zeroizing<String>,
    /// The URI as a QR code, PNG bytes (with the `totp-qr` feature).
    #[cfg(feature = "totp-qr")]
    pub qr_png: Vec<u8>,
    /// Ten single-use recovery codes.
    pub recovery_codes: Vec<RecoveryCode>,
}

impl fmt::Debug for Enrollment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Enrollment")
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

impl Identity {
    /// Enrolls a new TOTP factor for the account, waiting for its first code
    /// ([`Identity::confirm_totp`]). An account that has a confirmed factor must give a
    /// current code (`current`) to replace it; the old factor and its recovery codes stay in
    /// force until the new one is confirmed, and the confirmation ends the account's sessions.
    pub async fn enroll_totp(
        &self,
        username: &str,
        password: &str,
        current: Option<LoginCode<'_>>,
    ) -> Result<Enrollment> {
        let (account, _) = self
            .check_password(username, password, SecondFactor::Totp)
            .await?;
        let factor = TotpFactor::generate(&self.config.issuer, &account.username)?;
        let (recovery_codes, hashes) = recovery::issue(&self.keys.hashes, account.id)?;
        let sealed = self
            .keys
            .secrets
            .seal(factor.secret_bytes(), account.id.as_bytes())?;
        let pending = PendingTotp {
            sealed_secret: hex::encode(sealed),
            recovery: hashes,
        };
        let install = move |account: &mut super::account::Account| {
            account.pending = Some(pending);
            AuditAction::EnrollFactor {
                account: account.id,
            }
        };
        match (account.totp.is_some(), current) {
            (true, None) => return Err(IdentityError::CurrentCodeRequired),
            (true, Some(code)) => {
                self.authenticate(
                    username,
                    password,
                    code,
                    FactorToCheck::Confirmed,
                    |account, _| Ok((Vec::new(), install(account))),
                )
                .await?;
            }
            (false, _) => {
                self.vault
                    .holding(&account_topic(account.id), async |held| {
                        let _guard = self.vault.lock_updates().await;
                        let mut current = self.reload(&account)?;
                        if current.totp.is_some() {
                            return Err(IdentityError::CurrentCodeRequired);
                        }
                        let action = install(&mut current);
                        let event = self.event(account_actor(&current), action);
                        held.check_in_time()?;
                        self.save(&current, Vec::new(), vec![event]).await
                    })
                    .await?;
            }
        }
        Ok(Enrollment {
            account: account.id,
            otpauth_uri: zeroize::Zeroizing::new(factor.otpauth_uri()?),
            #[cfg(feature = "totp-qr")]
            qr_png: factor.qr_png()?,
            factor,
            recovery_codes,
        })
    }

    /// Confirms the enrolled factor with its first valid code; from then on logins take its
    /// codes and its recovery codes (the step of this code is used up). A factor it replaces
    /// is gone, and the account's sessions end.
    pub async fn confirm_totp(&self, username: &str, password: &str, code: &str) -> Result<()> {
        self.authenticate(
            username,
            password,
            LoginCode::Totp(code),
            FactorToCheck::Pending,
            |account, _| {
                Ok((
                    Vec::new(),
                    AuditAction::ConfirmFactor {
                        account: account.id,
                    },
                ))
            },
        )
        .await
        .map_err(|error| match error {
            IdentityError::FactorNotEnrolled => IdentityError::NoPendingEnrollment,
            other => other,
        })
    }

    /// Removes the account's TOTP factor and recovery codes, given a current code; the
    /// account cannot log in until it enrolls again, and its sessions end.
    pub async fn remove_totp(
        &self,
        username: &str,
        password: &str,
        code: LoginCode<'_>,
    ) -> Result<()> {
        self.authenticate(
            username,
            password,
            code,
            FactorToCheck::Confirmed,
            |account, _| {
                account.totp = None;
                account.pending = None;
                account.recovery.clear();
                account.session_epoch += 1;
                Ok((
                    Vec::new(),
                    AuditAction::RemoveFactor {
                        account: account.id,
                    },
                ))
            },
        )
        .await
    }

    /// Changes the account's password, given the current one and a code; the new one must
    /// meet the password policy. The account's sessions end.
    pub async fn change_password(
        &self,
        username: &str,
        password: &str,
        code: LoginCode<'_>,
        new_password: &str,
    ) -> Result<()> {
        self.config.check_credentials(username, new_password)?;
        let phc = self.hash_password(new_password).await?;
        self.authenticate(
            username,
            password,
            code,
            FactorToCheck::Confirmed,
            |account, _| {
                account.password = phc;
                account.session_epoch += 1;
                Ok((
                    Vec::new(),
                    AuditAction::ChangePassword {
                        account: account.id,
                    },
                ))
            },
        )
        .await
    }

    /// Unlocks `account`'s locked factor on behalf of the admin holding `session`.
    pub async fn unlock_factor(&self, session: &SessionToken, account: AccountId) -> Result<()> {
        let admin = self.permit(session, Operation::UnlockFactor).await?;
        self.unlock(admin.actor(), account).await
    }

    /// Unlocks the locked factor of the account named `username`, as the operator.
    pub async fn operator_unlock_factor(&self, username: &str) -> Result<()> {
        let account = self.operator_account(username)?;
        self.unlock(Actor::Operator, account.id).await
    }

    async fn unlock(&self, actor: Actor, account: AccountId) -> Result<()> {
        self.vault
            .holding(&account_topic(account), async |held| {
                let _guard = self.vault.lock_updates().await;
                let mut current = self.account_by_id(account)?;
                current.locked = false;
                current.failed_attempts = 0;
                let event = self.event(actor, AuditAction::UnlockFactor { account });
                held.check_in_time()?;
                self.save(&current, Vec::new(), vec![event]).await
            })
            .await
    }
}
