//! Accounts and logins shared by the identity and hospital integration tests.
#![allow(dead_code, clippy::expect_used)]

use std::time::Duration;

use medvault_identity::{AccountId, Clock, Identity, LoginCode, ManualClock, Role, SessionToken};

/// The password of every account the tests make.
pub const PASSWORD: &str = "tangerine-lighthouse-orbit-93";

/// An account with an open session.
pub struct User {
    pub id: AccountId,
    pub token: SessionToken,
}

/// The clock's time in whole seconds, for TOTP codes.
pub fn now_secs(clock: &ManualClock) -> u64 {
    u64::try_from(clock.now_ms() / 1000).expect("positive time")
}

/// Enrolls and confirms a TOTP factor for the existing account `username` (password
/// [`PASSWORD`]), and logs it in with a computed code.
pub async fn log_in(identity: &Identity, clock: &ManualClock, username: &str) -> User {
    let enrollment = identity
        .enroll_totp(username, PASSWORD, None)
        .await
        .expect("enroll TOTP");
    let code = enrollment.factor.code_at(now_secs(clock));
    identity
        .confirm_totp(username, PASSWORD, &code)
        .await
        .expect("confirm TOTP");
    clock.advance(Duration::from_secs(30));
    let code = enrollment.factor.code_at(now_secs(clock));
    let outcome = identity
        .login(username, PASSWORD, LoginCode::Totp(&code))
        .await
        .expect("login");
    User {
        id: outcome.account.id,
        token: outcome.token,
    }
}

/// Creates an account of `role` as the operator and logs it in ([`log_in`]).
pub async fn account_with_session(
    identity: &Identity,
    clock: &ManualClock,
    role: Role,
    username: &str,
) -> User {
    let id = identity
        .operator_create_account(role, username, PASSWORD)
        .await
        .expect("create account");
    let user = log_in(identity, clock, username).await;
    assert_eq!(user.id, id);
    assert_eq!(
        identity.operator_account(username).expect("account").role,
        role
    );
    user
}
