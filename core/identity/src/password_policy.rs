//! Which passwords an account may have: NIST SP 800-63B-4 §3.1.1.2, for passwords used with
//! a second factor; and the one form, NFKC, in which a password is checked, hashed and
//! verified ([`normalize`]). The rules on blank, repeated and common passwords, and the
//! normalization, are the engine's ([`medvault::crypto::strength`]), shared with vault
//! passphrases.

use std::fmt;

use medvault::crypto::strength::{self, Weakness};
use zeroize::Zeroizing;

pub(crate) use medvault::crypto::strength::normalize;

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
    /// Nothing but spaces or other blank characters.
    OnlyWhitespace,
    /// One character repeated, ignoring case.
    RepeatedCharacter,
    /// A short sequence repeated, ignoring case.
    RepeatedSequence {
        /// The longest sequence refused when repeated, in characters.
        max_unit: usize,
    },
}

impl fmt::Display for PasswordRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The rules shared with vault passphrases say what is wrong in the engine's words.
        let shared = match *self {
            Self::TooLong { max } => return write!(f, "it may have at most {max} characters"),
            Self::SameAsUsername => return f.write_str("it is the username"),
            Self::TooShort { min } => Weakness::TooShort { min },
            Self::Common => Weakness::Common,
            Self::OnlyWhitespace => Weakness::OnlyWhitespace,
            Self::RepeatedCharacter => Weakness::RepeatedCharacter,
            Self::RepeatedSequence { max_unit } => Weakness::RepeatedSequence { max_unit },
        };
        fmt::Display::fmt(&shared, f)
    }
}

/// The rules a new password must meet: a length range in characters (not bytes), not blank,
/// not one character or a sequence of at most 4 repeated, and not common or the username.
/// There are no composition rules, nothing is truncated, and every Unicode character, space
/// included, is allowed. The rules apply to the password's NFKC form (Unicode normalization
/// form KC, so that a password typed precomposed or decomposed is one password), the
/// form that is hashed.
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
    /// Checks `password` (in its NFKC form) for the account named `username`.
    pub fn check(&self, password: &str, username: &str) -> Result<(), PasswordRejection> {
        let password = normalize(password);
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
        if strength::is_blank(&password) {
            return Err(PasswordRejection::OnlyWhitespace);
        }
        let lowered = Zeroizing::new(password.to_lowercase());
        match strength::repetition(&lowered) {
            Some(Weakness::RepeatedCharacter) => return Err(PasswordRejection::RepeatedCharacter),
            Some(_) => {
                return Err(PasswordRejection::RepeatedSequence {
                    max_unit: strength::REPEATED_UNIT_MAX,
                });
            }
            None => {}
        }
        if *lowered == normalize(username).to_lowercase() {
            return Err(PasswordRejection::SameAsUsername);
        }
        if strength::is_common(&lowered) {
            return Err(PasswordRejection::Common);
        }
        Ok(())
    }
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
        // 64 characters are allowed (not one repeated, which the blocklist side refuses).
        let sixty_four: String = ('a'..='z').chain('A'..='Z').chain('0'..='9').collect();
        let sixty_four = format!("{sixty_four}-_");
        assert_eq!(sixty_four.chars().count(), 64);
        assert_eq!(policy.check(&sixty_four, "alice"), Ok(()));
        assert_eq!(
            policy.check(&"x".repeat(257), "alice"),
            Err(PasswordRejection::TooLong { max: 256 })
        );
        assert_eq!(
            policy.check("correct horse battery staple", "alice"),
            Ok(())
        );
    }

    #[test]
    fn the_rules_apply_to_the_nfkc_form() {
        let policy = PasswordPolicy::default();
        // Seven "é" as "e" and a combining accent: 14 code points, 7 characters once composed.
        let decomposed = "e\u{301}".repeat(7);
        assert_eq!(decomposed.chars().count(), 14);
        assert_eq!(
            policy.check(&decomposed, "alice"),
            Err(PasswordRejection::TooShort { min: 8 })
        );
        // Two ligatures (NFKC: "fi" and "fl"): 6 code points typed, 8 characters compared.
        assert_eq!(policy.check("\u{fb01}nd \u{fb02}y", "alice"), Ok(()));
        // "password1" in fullwidth letters is the common "password1".
        assert_eq!(
            policy.check(
                "\u{ff50}\u{ff41}\u{ff53}\u{ff53}\u{ff57}\u{ff4f}\u{ff52}\u{ff44}\u{ff11}",
                "alice"
            ),
            Err(PasswordRejection::Common)
        );
        // The username, composed differently... is still the username (usernames are ASCII,
        // but a fullwidth spelling of one normalizes to it).
        assert_eq!(
            policy.check("\u{ff41}lice.smith", "alice.smith"),
            Err(PasswordRejection::SameAsUsername)
        );
    }

    #[test]
    fn blank_and_repetitive_passwords_are_refused() {
        let policy = PasswordPolicy::default();
        let sequence = PasswordRejection::RepeatedSequence {
            max_unit: strength::REPEATED_UNIT_MAX,
        };
        for (password, expected) in [
            ("        ", PasswordRejection::OnlyWhitespace),
            (" \t \n \u{a0}  \u{3000}", PasswordRejection::OnlyWhitespace),
            ("aaaaaaaa", PasswordRejection::RepeatedCharacter),
            ("AaAaAaAaAa", PasswordRejection::RepeatedCharacter),
            (
                "\u{e9}\u{e9}\u{e9}e\u{301}e\u{301}\u{e9}\u{e9}\u{e9}",
                PasswordRejection::RepeatedCharacter,
            ),
            ("abcabcabcabc", sequence),
            ("12121212", sequence),
            ("abcdabcd", sequence),
            ("passpasspass", sequence),
            // A repetition cut short still has nothing more than its unit.
            ("xyzxyzxyzx", sequence),
        ] {
            assert_eq!(
                policy.check(password, "alice"),
                Err(expected),
                "{password:?}"
            );
            // The message says what is wrong without repeating the password.
            let shown = password.trim();
            assert!(shown.is_empty() || !expected.to_string().contains(shown));
        }
        for password in [
            "aaaaaaab",
            "abcdeabcde",
            " spaced out ",
            "12121213",
            "correct horse battery staple",
        ] {
            assert_eq!(policy.check(password, "alice"), Ok(()), "{password:?}");
        }
        assert_eq!(
            PasswordRejection::OnlyWhitespace.to_string(),
            "it is only spaces or other blank characters"
        );
        assert_eq!(
            PasswordRejection::RepeatedCharacter.to_string(),
            "it is one character repeated"
        );
        assert_eq!(
            sequence.to_string(),
            "it is a sequence of at most 4 characters repeated"
        );
    }
}
