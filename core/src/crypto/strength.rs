//! How easy a secret that a person chooses is to guess: the rules shared by vault passphrases
//! and the identity layer's account passwords, and the floor a new vault passphrase must meet
//! ([`check_passphrase`]).
//!
//! A passphrase unlock slot can be copied with the store and guessed offline, at the pace of
//! Argon2id alone, so a new passphrase must have at least [`PASSPHRASE_MIN_CHARS`] characters
//! and must not be blank, a short sequence repeated, or a commonly used password. Text is
//! checked in its NFKC form ([`normalize`]), so a passphrase typed precomposed or decomposed
//! counts the same.

use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;
use zeroize::Zeroizing;

/// Commonly used passwords (lowercase, 8 characters or more) that are refused; see
/// `common-passwords.md` beside the list for where it comes from.
const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

/// The longest sequence refused when repeated: a secret that only repeats 4 characters or
/// fewer is about as easy to guess as those few characters.
pub const REPEATED_UNIT_MAX: usize = 4;

/// The fewest characters a new vault passphrase may have: counted in its NFKC form when it is
/// UTF-8 text, in bytes otherwise.
pub const PASSPHRASE_MIN_CHARS: usize = 12;

/// What makes a secret easy to guess. Its message says what is wrong without repeating the
/// secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Weakness {
    /// Fewer characters than the minimum.
    TooShort {
        /// The minimum, in characters.
        min: usize,
    },
    /// Nothing but spaces or other blank characters.
    OnlyWhitespace,
    /// One character repeated, ignoring case.
    RepeatedCharacter,
    /// A short sequence repeated, ignoring case.
    RepeatedSequence {
        /// The longest sequence refused when repeated, in characters.
        max_unit: usize,
    },
    /// On the list of commonly used passwords.
    Common,
}

impl fmt::Display for Weakness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooShort { min } => write!(f, "it must have at least {min} characters"),
            Self::OnlyWhitespace => f.write_str("it is only spaces or other blank characters"),
            Self::RepeatedCharacter => f.write_str("it is one character repeated"),
            Self::RepeatedSequence { max_unit } => {
                write!(
                    f,
                    "it is a sequence of at most {max_unit} characters repeated"
                )
            }
            Self::Common => f.write_str("it is on the list of commonly used passwords"),
        }
    }
}

/// Checks a new vault passphrase against the floor: at least [`PASSPHRASE_MIN_CHARS`]
/// characters, not blank, not one character or a sequence of at most [`REPEATED_UNIT_MAX`]
/// repeated (ignoring case), and not a commonly used password. UTF-8 text is checked in its
/// NFKC form and counted in characters; other bytes are counted in bytes and checked for
/// repetition (ignoring ASCII case) only.
///
/// Only passphrases being set are checked: a vault whose passphrase predates the floor keeps
/// opening with it.
///
/// ```
/// use medvault::crypto::strength::{Weakness, check_passphrase};
///
/// assert_eq!(check_passphrase(b"x"), Err(Weakness::TooShort { min: 12 }));
/// assert_eq!(check_passphrase(b"abcabcabcabcabc"), Err(Weakness::RepeatedSequence { max_unit: 4 }));
/// assert_eq!(check_passphrase(b"correct horse battery staple"), Ok(()));
/// ```
pub fn check_passphrase(passphrase: &[u8]) -> Result<(), Weakness> {
    let too_short = Weakness::TooShort {
        min: PASSPHRASE_MIN_CHARS,
    };
    let Ok(text) = std::str::from_utf8(passphrase) else {
        if passphrase.len() < PASSPHRASE_MIN_CHARS {
            return Err(too_short);
        }
        return match repeated_unit(passphrase.iter().map(u8::to_ascii_lowercase)) {
            Some(unit) => Err(repetition_weakness(unit)),
            None => Ok(()),
        };
    };
    let text = normalize(text);
    if text.chars().count() < PASSPHRASE_MIN_CHARS {
        return Err(too_short);
    }
    if is_blank(&text) {
        return Err(Weakness::OnlyWhitespace);
    }
    let lowered = Zeroizing::new(text.to_lowercase());
    if let Some(weakness) = repetition(&lowered) {
        return Err(weakness);
    }
    if is_common(&lowered) {
        return Err(Weakness::Common);
    }
    Ok(())
}

/// `text` in Unicode normalization form KC, as NIST SP 800-63B-4 asks before a password is
/// checked or hashed: the same text typed precomposed (`ü`, NFC) or decomposed (`u` and a
/// combining diaeresis, NFD), or in a compatibility form (the ligature `ﬁ`, fullwidth
/// letters), is one text. The result is zeroized when dropped, and so is every buffer it grew
/// through.
pub fn normalize(text: &str) -> Zeroizing<String> {
    let mut normalized = Zeroizing::new(String::with_capacity(text.len()));
    for c in text.nfkc() {
        // Grown by hand, so that no copy is left behind unzeroized by a reallocation.
        if normalized.len() + c.len_utf8() > normalized.capacity() {
            let mut larger = Zeroizing::new(String::with_capacity(
                normalized.capacity() * 2 + c.len_utf8(),
            ));
            larger.push_str(&normalized);
            normalized = larger;
        }
        normalized.push(c);
    }
    normalized
}

/// Whether `text` is not empty and nothing but spaces or other blank characters.
pub fn is_blank(text: &str) -> bool {
    !text.is_empty() && text.chars().all(char::is_whitespace)
}

/// Whether `lowercase` (already lowercased) is all one character, or one sequence of at most
/// [`REPEATED_UNIT_MAX`] characters, repeated at least twice (the last time may be cut
/// short): `aaaaaaaa` is one character repeated, `12121212`, `abcabcabcabc` and `abcdabcdab`
/// are sequences repeated.
pub fn repetition(lowercase: &str) -> Option<Weakness> {
    repeated_unit(lowercase.chars()).map(repetition_weakness)
}

/// Whether `lowercase` (already lowercased) is on the shipped list of commonly used
/// passwords.
pub fn is_common(lowercase: &str) -> bool {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| COMMON_PASSWORDS.lines().collect())
        .contains(lowercase)
}

fn repetition_weakness(unit: usize) -> Weakness {
    if unit == 1 {
        Weakness::RepeatedCharacter
    } else {
        Weakness::RepeatedSequence {
            max_unit: REPEATED_UNIT_MAX,
        }
    }
}

/// The length of the shortest sequence of at most [`REPEATED_UNIT_MAX`] items that makes up
/// all of `items` repeated (at least twice; the last time may be cut short), if any.
fn repeated_unit<T: PartialEq>(items: impl Iterator<Item = T> + Clone) -> Option<usize> {
    let len = items.clone().count();
    (1..=REPEATED_UNIT_MAX).find(|&unit| {
        len >= 2 * unit
            && items
                .clone()
                .zip(items.clone().skip(unit))
                .all(|(a, b)| a == b)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizing_grows_the_text_by_hand_and_gives_the_nfkc_form() {
        // U+FDFA, 3 bytes, is 18 characters (33 bytes) in NFKC: past the first capacity.
        for text in ["\u{fdfa}", "a\u{fdfa}\u{fdfa}b", "plain ascii", ""] {
            assert_eq!(*normalize(text), text.nfkc().collect::<String>());
        }
    }

    #[test]
    fn the_shared_rules() {
        assert!(COMMON_PASSWORDS.lines().count() > 10_000);
        assert!(is_common("password1") && is_common("leavemealone"));
        assert!(!is_common("correct horse battery staple") && !is_common("Password1"));
        assert!(is_blank(" \t\u{3000}") && !is_blank("") && !is_blank(" a "));
        let sequence = Some(Weakness::RepeatedSequence { max_unit: 4 });
        for (text, expected) in [
            ("aaaaaaaa", Some(Weakness::RepeatedCharacter)),
            ("12121212", sequence),
            ("abcdabcdab", sequence),
            ("xyzxyzxyzx", sequence),
            ("abcdeabcde", None),
            ("aaaaaaab", None),
            ("a", None),
        ] {
            assert_eq!(repetition(text), expected, "{text:?}");
        }
    }

    #[test]
    fn the_passphrase_floor() {
        let too_short = Err(Weakness::TooShort { min: 12 });
        let sequence = Err(Weakness::RepeatedSequence { max_unit: 4 });
        for (passphrase, expected) in [
            (&b""[..], too_short),
            (b"x", too_short),
            (b"eleven char", too_short),
            ("\u{e9}".repeat(11).as_bytes(), too_short),
            // Eleven "é" typed decomposed: 22 code points, 11 characters in NFKC.
            ("e\u{301}".repeat(11).as_bytes(), too_short),
            (b"            ", Err(Weakness::OnlyWhitespace)),
            (b"AaAaAaAaAaAa", Err(Weakness::RepeatedCharacter)),
            (b"abcabcabcabc", sequence),
            (b"passpasspass", sequence),
            (b"LeaveMeAlone", Err(Weakness::Common)),
            (b"password1234", Err(Weakness::Common)),
            // Not UTF-8: counted in bytes, checked for repetition only.
            (&[0xff; 11][..], too_short),
            (&[0xff, 0xfe].repeat(6)[..], sequence),
            (b"correct horse battery staple", Ok(())),
            (b"twelve chars", Ok(())),
            // Twelve characters, 36 bytes: long enough.
            ("\u{65e5}\u{672c}\u{8a9e}\u{306e}\u{5408}\u{8a00}\u{8449}\u{3067}\u{3059}\u{306d}\u{5148}\u{751f}"
                .as_bytes(), Ok(())),
            (&[0xff, 0xfe, 0xfd, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08][..], Ok(())),
        ] {
            assert_eq!(check_passphrase(passphrase), expected, "{passphrase:?}");
        }
        assert_eq!(
            Weakness::TooShort { min: 12 }.to_string(),
            "it must have at least 12 characters"
        );
    }
}
