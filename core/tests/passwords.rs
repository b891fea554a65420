//! Argon2id password hashes for people.

// Test helpers outside `#[test]` functions fail loudly on broken fixtures.
#![allow(clippy::expect_used)]

use medvault::crypto::{Argon2idParams, CryptoError, PasswordHasher};

#[test]
fn hashes_verify_and_differ_by_salt() {
    let hasher = PasswordHasher::default();
    let a = hasher.hash(b"correct horse battery staple").expect("hash");
    let b = hasher.hash(b"correct horse battery staple").expect("hash");
    assert_ne!(a, b, "each hash has its own salt");
    assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    assert!(
        hasher
            .verify(b"correct horse battery staple", &a)
            .expect("verify")
    );
    assert!(
        !hasher
            .verify(b"correct horse battery stapl", &a)
            .expect("verify")
    );
    assert!(!a.contains("horse"));
}

#[test]
fn long_passwords_are_not_truncated() {
    let hasher = PasswordHasher::default();
    let long = vec![b'a'; 200];
    let hash = hasher.hash(&long).expect("hash");
    let mut other = long.clone();
    other[199] = b'b';
    assert!(hasher.verify(&long, &hash).expect("verify"));
    assert!(!hasher.verify(&other, &hash).expect("verify"));
}

#[test]
fn needs_rehash_when_parameters_change() {
    let old = PasswordHasher::default();
    let hash = old.hash(b"a passphrase").expect("hash");
    assert!(!old.needs_rehash(&hash).expect("check"));
    let new = PasswordHasher::new(Argon2idParams::new(47_104, 1, 1).expect("params"));
    assert!(new.needs_rehash(&hash).expect("check"));
    // Old hashes still verify under the new policy, with their own parameters.
    assert!(new.verify(b"a passphrase", &hash).expect("verify"));
}

#[test]
fn unusable_hashes_are_typed_errors() {
    let hasher = PasswordHasher::default();
    for bad in [
        "",
        "not a hash",
        "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$8k9l6t1OQpQNBqHsy0HDqUhbJ9f0Cz1k2d1WcO5yS2c",
        "$argon2id$v=16$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$8k9l6t1OQpQNBqHsy0HDqUhbJ9f0Cz1k2d1WcO5yS2c",
        "$argon2id$v=19$m=999999999,t=2,p=1$c2FsdHNhbHRzYWx0$8k9l6t1OQpQNBqHsy0HDqUhbJ9f0Cz1k2d1WcO5yS2c",
    ] {
        let error = hasher.verify(b"x", bad).expect_err("must be refused");
        assert!(
            matches!(
                error,
                CryptoError::PasswordHash(_) | CryptoError::InvalidParameter(_)
            ),
            "{bad}: {error:?}"
        );
    }
}

#[test]
fn hashes_made_by_the_argon2_crate_verify() {
    use argon2::password_hash::PasswordHasher as _;
    // Argon2id v19 at m = 19 MiB, t = 2, p = 1, made by the crate's own PHC path.
    let phc = argon2::Argon2::default()
        .hash_password_with_salt(b"correct horse battery staple", b"a sixteen b salt")
        .expect("hash")
        .to_string();
    assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
    let hasher = PasswordHasher::default();
    assert!(
        hasher
            .verify(b"correct horse battery staple", &phc)
            .expect("verify")
    );
    assert!(
        !hasher
            .verify(b"correct horse battery stapler", &phc)
            .expect("verify")
    );
}

#[test]
fn one_thread_checks_hashes_of_any_memory_size_in_turn() {
    let sizes = [(47_104, 1), (7_168, 5), (19_456, 2), (47_104, 1)];
    let hashes: Vec<String> = sizes
        .iter()
        .map(|&(memory, time)| {
            PasswordHasher::new(Argon2idParams::new(memory, time, 1).expect("params"))
                .hash(b"a passphrase")
                .expect("hash")
        })
        .collect();
    let hasher = PasswordHasher::default();
    for hash in &hashes {
        assert!(
            hasher.verify(b"a passphrase", hash).expect("verify"),
            "{hash}"
        );
        assert!(
            !hasher.verify(b"a passphrasE", hash).expect("verify"),
            "{hash}"
        );
    }
}
