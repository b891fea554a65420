//! TOTP factors from a stored secret (`core/identity/src/totp.rs`, the secret a sealed factor
//! holds), and codes as people type them. Input: `u8 algorithm ‖ u8 digits ‖ u8 secret length
//! ‖ secret ‖ u8 × 8 time ‖ code`. The code a factor makes for a time is accepted at that time,
//! for its step or one beside it (an earlier step may make the same code); the otpauth URI and the base32 secret are written without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medvault_fuzz::Input;
use medvault_identity::{TotpAlgorithm, TotpFactor};

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let algorithm = match input.byte() % 3 {
        0 => TotpAlgorithm::Sha1,
        1 => TotpAlgorithm::Sha256,
        _ => TotpAlgorithm::Sha512,
    };
    let digits = input.byte();
    let secret_len = usize::from(input.byte());
    let secret = input.take(secret_len).to_vec();
    let time: [u8; 8] = std::array::from_fn(|_| input.byte());
    let seconds = u64::from_be_bytes(time) % (1 << 40);
    let code = String::from_utf8_lossy(input.rest());
    let Ok(factor) = TotpFactor::from_secret(secret, algorithm, digits) else {
        return;
    };
    let _ = factor.verify(&code, seconds);
    let made = factor.code_at(seconds);
    let step = seconds / TotpFactor::STEP_SECONDS;
    let accepted = factor
        .verify(&made, seconds)
        .expect("a factor's own code is accepted");
    assert!(accepted.abs_diff(step) <= 1, "{accepted} for {step}");
    let _ = factor.otpauth_uri();
    let _ = factor.secret_base32();
});
