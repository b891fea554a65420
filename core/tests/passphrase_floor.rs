//! The floor on new vault passphrases: a vault is not created, and a passphrase not changed,
//! with a passphrase that is short, blank, repetitive or commonly used; nothing is written
//! when one is refused; and a vault whose passphrase was set before the floor still opens,
//! rotates and changes to a strong passphrase.
#![allow(clippy::expect_used, clippy::panic)]

use medvault::crypto::hazmat::KeySlots;
use medvault::crypto::strength::Weakness;
use medvault::crypto::{RawUnlockKey, UnlockCredential};
use medvault::vault::{IndexLocation, NewRecord, StoreLocation, Vault, VaultConfig, VaultError};

const STRONG: &[u8] = b"ward 7 night shift, bed 12";
const ANOTHER_STRONG: &[u8] = b"ward 9 day shift, bed 3";

/// A vault in `dir/store` with its index in `dir/index`.
fn config(dir: &std::path::Path) -> VaultConfig {
    VaultConfig::new(
        StoreLocation::Folder(dir.join("store")),
        IndexLocation::Folder(dir.join("index")),
    )
}

/// Passphrases below the floor, and why each is refused.
fn weak_passphrases() -> Vec<(&'static [u8], Weakness)> {
    let too_short = Weakness::TooShort { min: 12 };
    let decomposed: &'static str = "e\u{301}".repeat(11).leak();
    vec![
        (b"x", too_short),
        (b"eleven char", too_short),
        // Eleven characters in NFKC, 22 code points and 33 bytes as typed.
        (decomposed.as_bytes(), too_short),
        (b"            ", Weakness::OnlyWhitespace),
        (b"zzzzzzzzzzzzzzzz", Weakness::RepeatedCharacter),
        (
            b"abcAbcabcABCabc",
            Weakness::RepeatedSequence { max_unit: 4 },
        ),
        (b"password1234", Weakness::Common),
        (b"QwErTy123456", Weakness::Common),
    ]
}

fn assert_refused<T: std::fmt::Debug>(
    result: Result<T, VaultError>,
    passphrase: &[u8],
    expected: Weakness,
) {
    match result {
        Err(VaultError::WeakPassphrase(weakness)) => {
            assert_eq!(weakness, expected, "{passphrase:?}");
            let message = VaultError::WeakPassphrase(weakness).to_string();
            assert!(
                message.starts_with("the new passphrase is too weak: "),
                "{message}"
            );
            // The message says what is wrong without repeating the passphrase.
            let shown = String::from_utf8_lossy(passphrase);
            assert!(
                shown.trim().len() < 4 || !message.contains(shown.trim()),
                "{message}"
            );
        }
        other => panic!("{passphrase:?} was not refused as {expected:?}: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_weak_passphrase_creates_no_vault_and_a_strong_one_then_does() {
    let tmp = tempfile::tempdir().expect("scratch folder");
    let config = config(tmp.path());
    for (passphrase, expected) in weak_passphrases() {
        assert_refused(
            Vault::create(&config, UnlockCredential::Passphrase(passphrase)).await,
            passphrase,
            expected,
        );
        assert!(
            !tmp.path().join("store").exists() && !tmp.path().join("index").exists(),
            "a refused creation left something behind"
        );
        assert!(matches!(
            Vault::open(&config, UnlockCredential::Passphrase(passphrase)).await,
            Err(VaultError::NoVault { .. })
        ));
    }

    let vault = Vault::create(&config, UnlockCredential::Passphrase(STRONG))
        .await
        .expect("create with a strong passphrase");
    vault.close().await.expect("close");
    Vault::open(&config, UnlockCredential::Passphrase(STRONG))
        .await
        .expect("reopen")
        .close()
        .await
        .expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_raw_key_has_no_floor() {
    let tmp = tempfile::tempdir().expect("scratch folder");
    let key = RawUnlockKey::from_bytes([0; 32]);
    Vault::create(&config(tmp.path()), UnlockCredential::RawKey(&key))
        .await
        .expect("create with a raw key")
        .close()
        .await
        .expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_to_a_weak_passphrase_is_refused_and_the_old_one_still_opens() {
    let tmp = tempfile::tempdir().expect("scratch folder");
    let config = config(tmp.path());
    let vault = Vault::create(&config, UnlockCredential::Passphrase(STRONG))
        .await
        .expect("create");
    let descriptor = std::fs::read(tmp.path().join("store/medvault-vault")).expect("descriptor");
    for (passphrase, expected) in weak_passphrases() {
        assert_refused(
            vault.change_passphrase(STRONG, passphrase).await,
            passphrase,
            expected,
        );
    }
    assert_eq!(
        std::fs::read(tmp.path().join("store/medvault-vault")).expect("descriptor"),
        descriptor,
        "a refused change wrote the descriptor"
    );
    vault.close().await.expect("close");

    assert!(matches!(
        Vault::open(&config, UnlockCredential::Passphrase(b"x")).await,
        Err(VaultError::WrongCredential)
    ));
    let reopened = Vault::open(&config, UnlockCredential::Passphrase(STRONG))
        .await
        .expect("the old passphrase still opens");
    reopened
        .change_passphrase(STRONG, ANOTHER_STRONG)
        .await
        .expect("a strong passphrase is taken");
    reopened.close().await.expect("close");
    Vault::open(&config, UnlockCredential::Passphrase(ANOTHER_STRONG))
        .await
        .expect("the new passphrase opens")
        .close()
        .await
        .expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vault_whose_passphrase_predates_the_floor_still_opens() {
    let tmp = tempfile::tempdir().expect("scratch folder");
    let config = config(tmp.path());
    let key = RawUnlockKey::generate().expect("raw key");
    let vault = Vault::create(&config, UnlockCredential::RawKey(&key))
        .await
        .expect("create");
    let meta = vault
        .put(NewRecord::new("patient-1", "note"), b"written before")
        .await
        .expect("put");
    vault.close().await.expect("close");

    // A passphrase slot below the floor, added with the slots' own API (which has no floor),
    // as a vault made before the floor has one.
    let path = tmp.path().join("store/medvault-vault");
    let descriptor = std::fs::read(&path).expect("descriptor");
    let (header, stored) = descriptor.split_at(5);
    assert_eq!(header, b"MVVD\x01");
    let mut slots = KeySlots::from_bytes(stored).expect("slots");
    let root = slots
        .unlock(UnlockCredential::RawKey(&key))
        .expect("unlock");
    slots
        .add(&root, UnlockCredential::Passphrase(b"x"))
        .expect("a weak slot");
    std::fs::write(&path, [header, &slots.to_bytes()].concat()).expect("write descriptor");

    let weak = Vault::open(&config, UnlockCredential::Passphrase(b"x"))
        .await
        .expect("a weak passphrase set before the floor opens");
    assert_eq!(weak.get(meta.id).await.expect("get").1, b"written before");
    weak.rotate_root(&[
        UnlockCredential::RawKey(&key),
        UnlockCredential::Passphrase(b"x"),
    ])
    .await
    .expect("rotation rewraps the weak slot as it is");
    weak.close().await.expect("close");
    let rotated = Vault::open(&config, UnlockCredential::Passphrase(b"x"))
        .await
        .expect("the weak passphrase opens after the rotation");
    assert_refused(
        rotated.change_passphrase(b"x", b"y").await,
        b"y",
        Weakness::TooShort { min: 12 },
    );
    rotated
        .change_passphrase(b"x", STRONG)
        .await
        .expect("change to a strong passphrase");
    rotated.close().await.expect("close");
    assert!(matches!(
        Vault::open(&config, UnlockCredential::Passphrase(b"x")).await,
        Err(VaultError::WrongCredential)
    ));
    let strong = Vault::open(&config, UnlockCredential::Passphrase(STRONG))
        .await
        .expect("the strong passphrase opens");
    assert_eq!(strong.get(meta.id).await.expect("get").1, b"written before");
    strong.close().await.expect("close");
}
