//! Invariants that hold when several instances share one store: two instances registering
//! one username at the same moment create one account, and the other is told the username is
//! taken; a removed account's username is free again everywhere.
#![allow(clippy::expect_used, clippy::panic)]

#[path = "../../tests/common/mod.rs"]
mod common;

use common::{Backend, Fixture};
use medvault_identity::{Identity, IdentityError, Role};

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

#[tokio::test(flavor = "multi_thread")]
async fn usernames_are_unique_across_instances_on_a_folder() {
    usernames_are_unique_across_instances(Backend::Folder).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn usernames_are_unique_across_instances_in_memory() {
    usernames_are_unique_across_instances(Backend::Memory).await;
}

#[cfg(feature = "s3")]
#[tokio::test(flavor = "multi_thread")]
async fn usernames_are_unique_across_instances_on_s3() {
    usernames_are_unique_across_instances(Backend::S3).await;
}
