//! Invariants that hold when several instances share one store: two instances registering
//! one username at the same moment create one account, and the other is told the username is
//! taken; a removed account's username is free again everywhere; one TOTP code presented to
//! two instances at once opens one session, and the other is told it was replayed; two
//! instances removing the last two admins at once remove one, and the other is refused; a
//! session logged out on one instance while another marks it used stays logged out; wrong
//! passwords tried on two instances at once all count towards the one lockout.
#![allow(clippy::expect_used, clippy::panic)]

#[path = "../../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Backend, Fixture};
use medvault_identity::{
    Clock, Identity, IdentityConfig, IdentityError, LoginCode, ManualClock, Role, TotpFactor,
};

/// How many usernames the two instances race for.
const ROUNDS: usize = 6;
const PASSWORD: &str = "correct horse battery staple";

/// How many accounts `identity` knows by `username`, after catching up with the store.
async fn named(identity: &Identity, username: &str) -> usize {
    identity.vault().sync().await.expect("sync");
    identity
        .operator_accounts()
        .expect("accounts")
        .iter()
        .filter(|account| account.username == username)
        .count()
}

async fn usernames_are_unique_across_instances(backend: Backend) {
    let fixture = Fixture::new(backend);
    let first = Identity::new(fixture.create("a").await);
    let second = Identity::new(fixture.open("b").await);
    for round in 0..ROUNDS {
        let username = format!("racer{round}");
        let (a, b) = tokio::join!(
            first.operator_create_account(Role::Patient, &username, PASSWORD),
            second.operator_create_account(Role::Patient, &username, PASSWORD),
        );
        let loser = match (a, b) {
            (Ok(_), Err(loser)) | (Err(loser), Ok(_)) => loser,
            (a, b) => panic!("round {round}: one account must be created, not {a:?} and {b:?}"),
        };
        assert!(
            matches!(loser, IdentityError::UsernameTaken),
            "round {round}: {loser:?}"
        );
        assert_eq!(named(&first, &username).await, 1, "round {round}");
        assert_eq!(named(&second, &username).await, 1, "round {round}");
    }

    first
        .operator_remove_account("racer0")
        .await
        .expect("remove an account");
    assert_eq!(named(&second, "racer0").await, 0);
    second
        .operator_create_account(Role::Patient, "racer0", PASSWORD)
        .await
        .expect("the username is free again");
    assert_eq!(named(&first, "racer0").await, 1);
}

/// Makes the patient `ada` with a confirmed TOTP factor through `identity`, at `clock`'s time;
/// returns the factor.
async fn patient_with_totp(identity: &Identity, clock: &ManualClock) -> TotpFactor {
    identity
        .operator_create_account(Role::Patient, "ada", PASSWORD)
        .await
        .expect("account");
    let enrollment = identity
        .enroll_totp("ada", PASSWORD, None)
        .await
        .expect("enroll");
    let seconds = u64::try_from(clock.now_ms() / 1000).expect("positive time");
    identity
        .confirm_totp("ada", PASSWORD, &enrollment.factor.code_at(seconds))
        .await
        .expect("confirm");
    enrollment.factor
}

async fn a_code_is_accepted_once_across_instances(backend: Backend) {
    let fixture = Fixture::new(backend);
    let clock = Arc::new(ManualClock::new(1_800_000_000_000));
    let instance = |vault| Identity::with_config(vault, IdentityConfig::default(), clock.clone());
    let first = instance(fixture.create("a").await);
    let second = instance(fixture.open("b").await);
    let seconds = || u64::try_from(clock.now_ms() / 1000).expect("positive time");
    let factor = patient_with_totp(&first, &clock).await;
    second.vault().sync().await.expect("sync");
    for round in 0..ROUNDS {
        clock.advance(Duration::from_secs(30));
        let code = factor.code_at(seconds());
        let (a, b) = tokio::join!(
            first.login("ada", PASSWORD, LoginCode::Totp(&code)),
            second.login("ada", PASSWORD, LoginCode::Totp(&code)),
        );
        let loser = match (a, b) {
            (Ok(_), Err(loser)) | (Err(loser), Ok(_)) => loser,
            (a, b) => panic!(
                "round {round}: one login must succeed, not {:?} and {:?}",
                a.map(|outcome| outcome.account.id),
                b.map(|outcome| outcome.account.id)
            ),
        };
        assert!(
            matches!(loser, IdentityError::CodeReplayed),
            "round {round}: {loser:?}"
        );
    }
}

async fn an_admin_is_left_whatever_two_instances_remove(backend: Backend) {
    for round in 0..ROUNDS {
        let fixture = Fixture::new(backend);
        let first = Identity::new(fixture.create("a").await);
        let second = Identity::new(fixture.open("b").await);
        for username in ["ada", "bob"] {
            first
                .operator_create_account(Role::Admin, username, PASSWORD)
                .await
                .expect("admin");
        }
        second.vault().sync().await.expect("sync");
        let (a, b) = tokio::join!(
            first.operator_remove_account("ada"),
            second.operator_remove_account("bob"),
        );
        let loser = match (a, b) {
            (Ok(()), Err(loser)) | (Err(loser), Ok(())) => loser,
            (a, b) => panic!("round {round}: one removal must succeed, not {a:?} and {b:?}"),
        };
        assert!(
            matches!(
                loser,
                IdentityError::InvalidInput {
                    what: "account",
                    ..
                }
            ),
            "round {round}: {loser:?}"
        );
        for identity in [&first, &second] {
            identity.vault().sync().await.expect("sync");
            let admins = identity
                .operator_accounts()
                .expect("accounts")
                .into_iter()
                .filter(|account| account.role == Role::Admin)
                .count();
            assert_eq!(admins, 1, "round {round}");
        }
    }
}

/// The second instance's clock runs a minute ahead of the first's, so that it writes down a use
/// of the session that the first, logging it out at the same moment, does not.
async fn a_logout_holds_against_a_use_elsewhere(backend: Backend) {
    for round in 0..ROUNDS {
        let fixture = Fixture::new(backend);
        let clock = Arc::new(ManualClock::new(1_800_000_000_000));
        let ahead = Arc::new(ManualClock::new(1_800_000_060_000));
        let first = Identity::with_config(
            fixture.create("a").await,
            IdentityConfig::default(),
            clock.clone(),
        );
        let second = Identity::with_config(
            fixture.open("b").await,
            IdentityConfig::default(),
            ahead.clone(),
        );
        let seconds = || u64::try_from(clock.now_ms() / 1000).expect("positive time");
        let factor = patient_with_totp(&first, &clock).await;
        clock.advance(Duration::from_secs(30));
        ahead.advance(Duration::from_secs(30));
        let code = factor.code_at(seconds());
        let token = first
            .login("ada", PASSWORD, LoginCode::Totp(&code))
            .await
            .expect("login")
            .token;
        second.vault().sync().await.expect("sync");
        clock.advance(Duration::from_secs(30));
        ahead.advance(Duration::from_secs(30));
        let (logout, used) = tokio::join!(first.logout(&token), second.session(&token));
        logout.expect("logout");
        if let Err(error) = used {
            assert!(
                matches!(error, IdentityError::SessionInvalid),
                "round {round}: {error:?}"
            );
        }
        for identity in [&first, &second] {
            identity.vault().sync().await.expect("sync");
            assert!(
                matches!(
                    identity.session(&token).await,
                    Err(IdentityError::SessionInvalid)
                ),
                "round {round}: the session is back"
            );
        }
    }
}

/// Half the attempts the lockout allows, wrong, on each of two instances at once: the factor
/// is locked on both, and a right password with a right code is refused.
async fn wrong_passwords_on_two_instances_all_count(backend: Backend) {
    let fixture = Fixture::new(backend);
    let clock = Arc::new(ManualClock::new(1_800_000_000_000));
    let config = IdentityConfig::default();
    let limit = config.max_failed_attempts;
    let instance = |vault| Identity::with_config(vault, config.clone(), clock.clone());
    let first = instance(fixture.create("a").await);
    let second = instance(fixture.open("b").await);
    let factor = patient_with_totp(&first, &clock).await;
    second.vault().sync().await.expect("sync");
    let guesses = |identity: &Identity| {
        let identity = identity.clone();
        async move {
            for guess in 0..limit / 2 {
                let wrong = format!("not the password {guess}");
                match identity
                    .login("ada", &wrong, LoginCode::Totp("000000"))
                    .await
                {
                    Err(IdentityError::InvalidCredentials | IdentityError::FactorLocked) => {}
                    other => panic!("a wrong password: {:?}", other.map(|_| ())),
                }
            }
        }
    };
    tokio::join!(guesses(&first), guesses(&second));
    clock.advance(Duration::from_secs(30));
    let seconds = u64::try_from(clock.now_ms() / 1000).expect("positive time");
    for identity in [&first, &second] {
        identity.vault().sync().await.expect("sync");
        let code = factor.code_at(seconds);
        let outcome = identity
            .login("ada", PASSWORD, LoginCode::Totp(&code))
            .await;
        assert!(
            matches!(outcome, Err(IdentityError::FactorLocked)),
            "{limit} wrong passwords must lock the factor: {:?}",
            outcome.map(|_| ())
        );
    }
}

/// The scenarios, each run on a folder, in memory and (with the `s3` feature) on S3.
macro_rules! on_every_backend {
    ($($scenario:ident),*) => {
        $(
            mod $scenario {
                use super::*;

                #[tokio::test(flavor = "multi_thread")]
                async fn folder() {
                    super::$scenario(Backend::Folder).await;
                }

                #[tokio::test(flavor = "multi_thread")]
                async fn memory() {
                    super::$scenario(Backend::Memory).await;
                }

                #[cfg(feature = "s3")]
                #[tokio::test(flavor = "multi_thread")]
                async fn s3() {
                    super::$scenario(Backend::S3).await;
                }
            }
        )*
    };
}

on_every_backend!(
    usernames_are_unique_across_instances,
    a_code_is_accepted_once_across_instances,
    an_admin_is_left_whatever_two_instances_remove,
    a_logout_holds_against_a_use_elsewhere,
    wrong_passwords_on_two_instances_all_count
);
