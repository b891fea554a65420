//! Recovery codes: ten single-use codes issued with a TOTP factor, stored only as keyed
//! hashes.

use std::fmt;

use medvault::crypto::{TokenKey, random_array};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::account::AccountId;
use super::error::Result;

/// How many recovery codes an enrollment issues.
pub const RECOVERY_CODE_COUNT: usize = 10;

/// RFC 4648 base32: 32 symbols, so a random byte modulo 32 is uniform.
const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/// 16 symbols of 5 bits: 80 bits per code.
const SYMBOLS: usize = 16;

/// A recovery code as shown once to its owner: `XXXX-XXXX-XXXX-XXXX`. Prints as redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode(Zeroizing<String>);

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryCode([redacted])")
    }
}

impl RecoveryCode {
    /// The code's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn generate() -> Result<Self> {
        let bytes: Zeroizing<[u8; SYMBOLS]> = Zeroizing::new(random_array()?);
        let mut text = Zeroizing::new(String::with_capacity(SYMBOLS + 3));
        for (i, byte) in bytes.iter().enumerate() {
            if i > 0 && i % 4 == 0 {
                text.push('-');
            }
            text.push(char::from(ALPHABET[usize::from(byte % 32)]));
        }
        Ok(Self(text))
    }
}

/// Fresh codes, and their hashes to store.
pub(crate) fn issue(
    key: &TokenKey,
    account: AccountId,
) -> Result<(Vec<RecoveryCode>, Vec<String>)> {
    let codes = (0..RECOVERY_CODE_COUNT)
        .map(|_| RecoveryCode::generate())
        .collect::<Result<Vec<_>>>()?;
    let hashes = codes
        .iter()
        .map(|code| hash(key, account, code.as_str()))
        .collect();
    Ok((codes, hashes))
}

/// The position of `code` among `stored` hashes, compared in constant time; dashes, spaces
/// and case do not matter.
pub(crate) fn find(
    key: &TokenKey,
    account: AccountId,
    stored: &[String],
    code: &str,
) -> Option<usize> {
    let candidate = hash(key, account, code);
    let mut found = None;
    for (i, hash) in stored.iter().enumerate() {
        if bool::from(hash.as_bytes().ct_eq(candidate.as_bytes())) {
            found = Some(i);
        }
    }
    found
}

fn hash(key: &TokenKey, account: AccountId, code: &str) -> String {
    let canonical: Zeroizing<String> = Zeroizing::new(
        code.chars()
            .filter(|c| !matches!(c, '-' | ' '))
            .map(|c| c.to_ascii_uppercase())
            .collect(),
    );
    hex::encode(key.token("recovery-code", &[account.as_bytes(), canonical.as_bytes()]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use medvault::crypto::Secret;

    #[test]
    fn codes_match_once_each_in_any_case() {
        let key = TokenKey::new(&Secret::from_bytes([7; 32]));
        let account = AccountId::from_bytes([1; 16]);
        let (codes, hashes) = issue(&key, account).expect("codes");
        assert_eq!(codes.len(), RECOVERY_CODE_COUNT);
        assert_eq!(codes[0].as_str().len(), 19);
        let lower = codes[3].as_str().to_lowercase().replace('-', " ");
        assert_eq!(find(&key, account, &hashes, &lower), Some(3));
        assert_eq!(
            find(
                &key,
                AccountId::from_bytes([2; 16]),
                &hashes,
                codes[3].as_str()
            ),
            None
        );
        assert_eq!(find(&key, account, &hashes, "AAAA-AAAA-AAAA-AAAA"), None);
        assert!(!format!("{:?}", codes[0]).contains(codes[0].as_str()));
    }
}
