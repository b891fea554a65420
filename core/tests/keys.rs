//! The key hierarchy: data keys, unlock slots, passphrase change, root rotation, and secrets
//! that never print.

// Test helpers outside `#[test]` functions fail loudly on broken fixtures.
#![allow(clippy::expect_used)]

use medvault::crypto::hazmat::{KeySlots, RootKey, SlotKind, SubkeyLabel, WrappedDataKey};
use medvault::crypto::{
    AeadKey, Argon2idParams, CryptoError, DataKey, KeyId, RawUnlockKey, StreamingKey,
    UnlockCredential, VaultId,
};

/// A new vault id, root key and keystore key.
fn fresh_keys() -> (VaultId, RootKey, RawUnlockKey) {
    (
        VaultId::generate().expect("id"),
        RootKey::generate().expect("root"),
        RawUnlockKey::generate().expect("key"),
    )
}

/// The cheapest parameters allowed for new slots, so that tests stay quick.
const FAST: Argon2idParams = Argon2idParams::OWASP_MINIMUM;

fn passphrase_slots(vault: VaultId, root: &RootKey, passphrase: &[u8]) -> KeySlots {
    let raw = RawUnlockKey::generate().expect("key");
    let mut slots = KeySlots::new(vault, root, UnlockCredential::RawKey(&raw)).expect("slots");
    let id = slots
        .add_with_params(root, UnlockCredential::Passphrase(passphrase), FAST)
        .expect("add");
    slots.remove(1).expect("remove the raw slot");
    assert_eq!(slots.slots(), vec![(id, SlotKind::Passphrase)]);
    slots
}

#[test]
fn data_keys_wrap_unwrap_and_survive_root_rotation() {
    let vault = VaultId::generate().expect("id");
    let root = RootKey::generate().expect("root");
    let data = DataKey::generate().expect("data key");
    let key_id = KeyId::generate().expect("id");
    let wrapped = data.wrap(&root, vault, key_id).expect("wrap");
    let stored = wrapped.to_bytes();
    assert_eq!(stored.len(), 113);
    assert!(
        !stored.windows(32).any(|w| w == data.expose()),
        "key in clear"
    );
    let parsed = WrappedDataKey::from_bytes(&stored).expect("parse");
    assert_eq!(parsed.unwrap(&root, vault).expect("unwrap"), data);

    let new_root = RootKey::generate().expect("root");
    let rewrapped = parsed.rewrap(vault, &root, &new_root).expect("rewrap");
    assert_eq!(rewrapped.root_key_id(), new_root.id());
    assert_eq!(rewrapped.key_id(), key_id);
    assert_eq!(rewrapped.unwrap(&new_root, vault).expect("unwrap"), data);
    assert!(matches!(
        rewrapped.unwrap(&root, vault),
        Err(CryptoError::WrongKey(_))
    ));
    assert!(matches!(
        parsed.unwrap(&root, VaultId::generate().expect("id")),
        Err(CryptoError::AuthenticationFailed)
    ));

    let mut tampered = stored.clone();
    *tampered.last_mut().expect("bytes") ^= 1;
    assert!(matches!(
        WrappedDataKey::from_bytes(&tampered)
            .expect("parse")
            .unwrap(&root, vault),
        Err(CryptoError::AuthenticationFailed)
    ));
    // Swapping in another key's id is caught by the associated data.
    let mut swapped = stored;
    swapped[1] ^= 1;
    assert!(matches!(
        WrappedDataKey::from_bytes(&swapped)
            .expect("parse")
            .unwrap(&root, vault),
        Err(CryptoError::AuthenticationFailed)
    ));
}

#[test]
fn subkeys_are_independent_per_label_and_vault() {
    let root = RootKey::generate().expect("root");
    let (a, b) = (
        VaultId::generate().expect("id"),
        VaultId::generate().expect("id"),
    );
    let tokens = SubkeyLabel::new("index-tokens");
    assert_eq!(root.subkey(a, tokens), root.subkey(a, tokens));
    assert_ne!(root.subkey(a, tokens), root.subkey(b, tokens));
    assert_ne!(
        root.subkey(a, tokens),
        root.subkey(a, SubkeyLabel::DATA_KEY_WRAPPING)
    );
    let sealed = root.subkey_aead(a, tokens).seal(b"v", b"").expect("seal");
    assert!(root.subkey_aead(b, tokens).open(&sealed, b"").is_err());
}

#[test]
fn default_passphrase_slot_unlocks_and_refuses_a_wrong_passphrase() {
    let vault = VaultId::generate().expect("id");
    let root = RootKey::generate().expect("root");
    let slots = KeySlots::new(
        vault,
        &root,
        UnlockCredential::Passphrase(b"ward 7 night shift"),
    )
    .expect("slots");
    let stored = slots.to_bytes();
    // m=65536 KiB, t=3, p=1 are stored with the slot.
    let params = [65_536u32, 3, 1].map(u32::to_be_bytes).concat();
    assert!(stored.windows(12).any(|w| w == params));
    let parsed = KeySlots::from_bytes(&stored).expect("parse");
    assert_eq!(parsed, slots);
    assert_eq!(
        parsed
            .unlock(UnlockCredential::Passphrase(b"ward 7 night shift"))
            .expect("unlock"),
        root
    );
    assert!(matches!(
        parsed.unlock(UnlockCredential::Passphrase(b"ward 7 night shift ")),
        Err(CryptoError::WrongPassphraseOrKey)
    ));
    let raw = RawUnlockKey::generate().expect("key");
    assert!(matches!(
        parsed.unlock(UnlockCredential::RawKey(&raw)),
        Err(CryptoError::WrongPassphraseOrKey)
    ));
}

#[test]
fn slots_add_remove_and_change_passphrase() {
    let (vault, root, keystore) = fresh_keys();
    let mut slots = passphrase_slots(vault, &root, b"first passphrase");
    let passphrase_slot = slots.slots()[0].0;
    let raw_slot = slots
        .add(&root, UnlockCredential::RawKey(&keystore))
        .expect("add");
    assert_eq!(
        slots
            .unlock(UnlockCredential::RawKey(&keystore))
            .expect("raw unlock"),
        root
    );

    assert!(matches!(
        slots.change_passphrase(passphrase_slot, b"not it", b"second passphrase"),
        Err(CryptoError::WrongPassphraseOrKey)
    ));
    let untouched_raw = slots.clone();
    slots
        .change_passphrase(passphrase_slot, b"first passphrase", b"second passphrase")
        .expect("change");
    assert!(
        slots
            .unlock(UnlockCredential::Passphrase(b"first passphrase"))
            .is_err()
    );
    assert_eq!(
        slots
            .unlock(UnlockCredential::Passphrase(b"second passphrase"))
            .expect("unlock"),
        root
    );
    // Only the changed slot was rewrapped; the raw-key slot's stored bytes are unchanged.
    let raw_bytes = |s: &KeySlots| s.to_bytes()[s.to_bytes().len() - 85..].to_vec();
    assert_eq!(raw_bytes(&slots), raw_bytes(&untouched_raw));

    assert!(matches!(
        slots.remove(999),
        Err(CryptoError::SlotNotFound(999))
    ));
    slots.remove(passphrase_slot).expect("remove");
    assert!(matches!(slots.remove(raw_slot), Err(CryptoError::LastSlot)));
    let other_root = RootKey::generate().expect("root");
    assert!(matches!(
        slots.add(&other_root, UnlockCredential::RawKey(&keystore)),
        Err(CryptoError::WrongKey(_))
    ));
}

#[test]
fn root_rotation_rewraps_every_slot_and_needs_all_credentials() {
    let (vault, root, keystore) = fresh_keys();
    let mut slots = passphrase_slots(vault, &root, b"pass one");
    slots
        .add(&root, UnlockCredential::RawKey(&keystore))
        .expect("add");

    assert!(matches!(
        slots.rotate_root(&[UnlockCredential::Passphrase(b"pass one")]),
        Err(CryptoError::SlotCredentialMissing(_))
    ));
    let (new_root, rotated) = slots
        .rotate_root(&[
            UnlockCredential::RawKey(&keystore),
            UnlockCredential::Passphrase(b"pass one"),
        ])
        .expect("rotate");
    assert_ne!(new_root, root);
    assert_eq!(rotated.root_key_id(), new_root.id());
    assert_eq!(rotated.slots(), slots.slots());
    assert_eq!(
        rotated
            .unlock(UnlockCredential::RawKey(&keystore))
            .expect("unlock"),
        new_root
    );
    assert_eq!(
        rotated
            .unlock(UnlockCredential::Passphrase(b"pass one"))
            .expect("unlock"),
        new_root
    );
}

#[test]
fn stored_slots_reject_malformed_input() {
    let (vault, root, keystore) = fresh_keys();
    let stored = KeySlots::new(vault, &root, UnlockCredential::RawKey(&keystore))
        .expect("slots")
        .to_bytes();
    for len in 0..stored.len() {
        assert!(
            KeySlots::from_bytes(&stored[..len]).is_err(),
            "prefix of {len} bytes"
        );
    }
    let mut version = stored.clone();
    version[4] = 9;
    assert!(matches!(
        KeySlots::from_bytes(&version),
        Err(CryptoError::UnsupportedVersion { found: 9, .. })
    ));
    let mut trailing = stored.clone();
    trailing.push(0);
    assert!(matches!(
        KeySlots::from_bytes(&trailing),
        Err(CryptoError::Malformed { .. })
    ));
    // A tampered slot does not unlock.
    let mut tampered = stored;
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    let parsed = KeySlots::from_bytes(&tampered).expect("parse");
    assert!(matches!(
        parsed.unlock(UnlockCredential::RawKey(&keystore)),
        Err(CryptoError::WrongPassphraseOrKey)
    ));
}

#[test]
fn weak_or_absurd_argon2_parameters_are_refused() {
    assert!(matches!(
        Argon2idParams::new(4096, 1, 1),
        Err(CryptoError::InvalidParameter(_))
    ));
    assert!(Argon2idParams::new(8 << 20, 3, 1).is_err());
    let ok = Argon2idParams::UNLOCK_SLOT_DEFAULT;
    assert!(ok.memory_kib() >= 64 * 1024 && ok.iterations() >= 3 && ok.parallelism() >= 1);
}

#[test]
fn secrets_never_print() {
    let bytes = [0xabu8; 32];
    let rendered = [
        format!("{:?}", DataKey::from_bytes(bytes)),
        format!("{:?}", StreamingKey::from_bytes(bytes)),
        format!("{:?}", RawUnlockKey::from_bytes(bytes)),
        format!("{:?}", AeadKey::from_parts(bytes, bytes)),
        format!("{:?}", RootKey::generate().expect("root")),
        format!("{:?}", UnlockCredential::Passphrase(b"hunter2 hunter2")),
    ];
    for text in rendered {
        assert!(text.contains("redacted"), "{text}");
        assert!(
            !text.contains("ab, ab") && !text.contains("abab") && !text.contains("171"),
            "{text}"
        );
        assert!(!text.contains("hunter2"), "{text}");
    }
}

#[test]
fn slot_ids_do_not_overflow() {
    let (vault, root, keystore) = fresh_keys();
    let mut stored = KeySlots::new(vault, &root, UnlockCredential::RawKey(&keystore))
        .expect("slots")
        .to_bytes();
    // The first slot's id sits right after magic, version, vault id, root key id and count.
    stored[38..42].copy_from_slice(&u32::MAX.to_be_bytes());
    let mut slots = KeySlots::from_bytes(&stored).expect("parse");
    assert!(matches!(
        slots.add(&root, UnlockCredential::RawKey(&keystore)),
        Err(CryptoError::InvalidParameter(_))
    ));
}
