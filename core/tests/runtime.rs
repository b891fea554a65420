//! Where the vault may be called from, and which of its locks wait for which.
#![allow(clippy::expect_used, clippy::panic)]

use std::time::Duration;

use futures_util::FutureExt;
use medvault::crypto::{RawUnlockKey, UnlockCredential};
use medvault::vault::{
    BlockingVault, IndexLocation, MemoryStore, StoreLocation, Vault, VaultConfig, VaultError,
};

fn config() -> VaultConfig {
    VaultConfig::new(
        StoreLocation::Memory(MemoryStore::new()),
        IndexLocation::Temporary,
    )
}

#[test]
fn the_async_vault_outside_a_runtime_is_a_typed_error() {
    let key = RawUnlockKey::generate().expect("key");
    let created = Vault::create(&config(), UnlockCredential::RawKey(&key))
        .now_or_never()
        .expect("answers at once");
    assert!(
        matches!(created, Err(VaultError::WrongRuntime(_))),
        "{created:?}"
    );
    let opened = Vault::open(&config(), UnlockCredential::RawKey(&key))
        .now_or_never()
        .expect("answers at once");
    assert!(
        matches!(opened, Err(VaultError::WrongRuntime(_))),
        "{opened:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_blocking_vault_inside_a_runtime_is_a_typed_error() {
    let key = RawUnlockKey::generate().expect("key");
    let config = config();
    let created = BlockingVault::create(&config, UnlockCredential::RawKey(&key));
    let Err(VaultError::WrongRuntime(reason)) = created else {
        panic!("expected WrongRuntime, got {created:?}");
    };
    assert!(reason.contains("inside an async runtime"), "{reason}");

    // A blocking vault made outside, then called inside, says so too.
    let blocking = std::thread::spawn(move || {
        BlockingVault::create(&config, UnlockCredential::RawKey(&key)).expect("create")
    })
    .join()
    .expect("thread");
    let listed = blocking.list_scope("patient-1");
    assert!(
        matches!(listed, Err(VaultError::WrongRuntime(_))),
        "{listed:?}"
    );
    // Dropping a runtime inside another panics in tokio: hand it back to a plain thread.
    std::thread::spawn(move || drop(blocking))
        .join()
        .expect("thread");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_held_section_holds_up_only_its_own_name() {
    let key = RawUnlockKey::generate().expect("key");
    let vault = Vault::create(&config(), UnlockCredential::RawKey(&key))
        .await
        .expect("create");
    let section = vault.lock_section("bookings").await;

    // The update lock (account changes, logins) does not wait for a section.
    tokio::time::timeout(Duration::from_secs(5), vault.lock_updates())
        .await
        .expect("the update lock is free while a section is held");

    // The same section waits until it is released.
    let other = vault.clone();
    let waiting = tokio::spawn(async move {
        let _section = other.lock_section("bookings").await;
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!waiting.is_finished(), "a second holder got in");
    drop(section);
    tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("released")
        .expect("task");
}
