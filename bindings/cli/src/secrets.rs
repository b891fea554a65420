//! Passphrases: from the environment, else from a prompt on the terminal; never an argument.

use medvault::crypto::strength::check_passphrase;
use medvault::vault::VaultError;
use zeroize::Zeroizing;

/// A new vault passphrase, as [`passphrase`] reads it (asked twice at a prompt), refused at once
/// when it is below the engine's floor (fewer than 12 characters, blank, repetitive or common),
/// with the engine's own message, which does not repeat it.
pub fn new_passphrase(variable: &str, prompt: &str) -> Result<Zeroizing<String>, String> {
    let passphrase = passphrase(variable, prompt, true)?;
    check_passphrase(passphrase.as_bytes())
        .map_err(|weakness| VaultError::WeakPassphrase(weakness).to_string())?;
    Ok(passphrase)
}

/// The passphrase in `variable`, else one read from the terminal after `prompt`. With
/// `confirm`, a prompted passphrase is asked twice.
pub fn passphrase(
    variable: &str,
    prompt: &str,
    confirm: bool,
) -> Result<Zeroizing<String>, String> {
    if let Ok(value) = std::env::var(variable) {
        return non_empty(Zeroizing::new(value), variable);
    }
    let first =
        Zeroizing::new(rpassword::prompt_password(prompt).map_err(|error| {
            format!("cannot read a passphrase ({variable} is not set): {error}")
        })?);
    if confirm {
        let second = Zeroizing::new(
            rpassword::prompt_password("Repeat it: ")
                .map_err(|error| format!("cannot read a passphrase: {error}"))?,
        );
        if *first != *second {
            return Err("the two passphrases differ".to_owned());
        }
    }
    non_empty(first, variable)
}

fn non_empty(value: Zeroizing<String>, variable: &str) -> Result<Zeroizing<String>, String> {
    if value.is_empty() {
        Err(format!(
            "the passphrase is empty (set {variable} or type one)"
        ))
    } else {
        Ok(value)
    }
}
