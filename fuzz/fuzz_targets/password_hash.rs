//! Argon2id PHC strings as accounts store them (`crypto/password.rs`). Input: text. Checking
//! whether a hash needs replacing and verifying a password against it parse it alike; a
//! password is verified only when the hash's parameters are small, so that the run stays fast
//! (stored parameters may ask for up to 4 GiB, by design).
#![no_main]

use libfuzzer_sys::fuzz_target;
use medvault::crypto::PasswordHasher;

/// The value of `name=` in the parameters of `phc`, if it is there once, as a number.
fn parameter(phc: &str, name: &str) -> Option<u64> {
    let mut values = phc
        .split(['$', ','])
        .filter_map(|part| part.strip_prefix(name)?.strip_prefix('='));
    let value = values.next()?.parse().ok()?;
    values.next().is_none().then_some(value)
}

fuzz_target!(|data: &[u8]| {
    let Ok(phc) = std::str::from_utf8(data) else {
        return;
    };
    let hasher = PasswordHasher::default();
    let parsed = hasher.needs_rehash(phc);
    let cheap = parameter(phc, "m").is_some_and(|m| m <= 64)
        && parameter(phc, "t").is_some_and(|t| t <= 2)
        && parameter(phc, "p").is_some_and(|p| p <= 2);
    if cheap {
        let verified = hasher.verify(b"correct horse battery staple", phc);
        if parsed.is_err() {
            assert!(verified.is_err(), "{phc:?}: {verified:?}");
        }
    }
});
