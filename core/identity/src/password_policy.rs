//! Which passwords an account may have: NIST SP 800-63B-4 §3.1.1.2, for passwords used with
//! a second factor.

use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

/// Common passwords (lowercase, 8 characters or more) that are refused; see
/// `common-passwords.md` for where the list comes from.
const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

/// Why a password was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PasswordRejection {
    /// Fewer characters than the minimum.
    TooShort {
        /// The minimum, in characters.
        min: usize,
    },
    /// More characters than the maximum.
    TooLong {
        /// The maximum, in characters.
        max: usize,
    },
    /// On the list of commonly used passwords.
    Common,
    /// The same as the username.
    SameAsUsername,
}

impl fmt::Display for PasswordRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooShort { min } => write!(f, "it must have at least {min} characters"),
            Self::TooLong { max } => write!(f, "it may have at most {max} characters"),
            Self::Common => f.write_str("it is on the list of commonly used passwords"),
            Self::SameAsUsername => f.write_str("it is the username"),
        }
    }
}

/// The rules a new password must meet: a length range in characters (not bytes), and not
/// common or the username. There are no composition rules, nothing is truncated, and every
/// Unicode character, space included, is allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// At least this many characters (NIST: 8 when a second factor is required).
    pub min_chars: usize,
    /// At most this many (NIST: at least 64 must be allowed).
    pub max_chars: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_chars: 8,
            max_chars: 256,
        }
    }
}

impl PasswordPolicy {
    /// Checks `password` for the account named `username`.
    pub fn check(&self, password: &str, username: &str) -> Result<(), PasswordRejection> {
        let chars = password.chars().count();
        if chars < self.min_chars {
            return Err(PasswordRejection::TooShort {
                min: self.min_chars,
            });
        }
        if chars > self.max_chars {
            return Err(PasswordRejection::TooLong {
                max: self.max_chars,
            });
        }
        let lowered = password.to_lowercase();
        if lowered == username.to_lowercase() {
            return Err(PasswordRejection::SameAsUsername);
        }
        if common_passwords().contains(lowered.as_str()) {
            return Err(PasswordRejection::Common);
        }
        Ok(())
    }
}

fn common_passwords() -> &'static HashSet<&'static str> {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| COMMON_PASSWORDS.lines().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_characters_and_common_passwords_are_refused() {
        let policy = PasswordPolicy::default();
        assert_eq!(
            policy.check("short", "alice"),
            Err(PasswordRejection::TooShort { min: 8 })
        );
        // Eight characters, sixteen bytes: long enough.
        assert_eq!(policy.check("ééééééé€", "alice"), Ok(()));
        assert_eq!(
            policy.check("Password1", "alice"),
            Err(PasswordRejection::Common)
        );
        assert_eq!(
            policy.check("Alice.Smith", "alice.smith"),
            Err(PasswordRejection::SameAsUsername)
        );
        assert_eq!(policy.check(&"x".repeat(64), "alice"), Ok(()));
        assert_eq!(
            policy.check(&"x".repeat(257), "alice"),
            Err(PasswordRejection::TooLong { max: 256 })
        );
        assert_eq!(
            policy.check("correct horse battery staple", "alice"),
            Ok(())
        );
        assert!(common_passwords().len() > 10_000);
    }
}
