//! TOTP (RFC 6238) as the engine verifies it: the current time step and one either side.

use std::fmt;

use medvault::crypto::random_array;
use totp_rs::{Algorithm, Builder, Secret, Totp};

use super::error::{IdentityError, Result};

/// The HMAC a TOTP factor uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TotpAlgorithm {
    /// HMAC-SHA1: what authenticator apps expect.
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

/// A TOTP factor: a secret and how codes are made from it. Prints as redacted.
#[derive(Clone)]
pub struct TotpFactor {
    totp: Totp,
}

impl fmt::Debug for TotpFactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpFactor([redacted])")
    }
}

impl TotpFactor {
    /// Seconds per time step.
    pub const STEP_SECONDS: u64 = 30;
    /// Bytes of secret in a new factor (160 bits, as RFC 4226 recommends).
    pub const SECRET_LEN: usize = 20;
    /// Digits in a code of a new factor.
    pub const DIGITS: u8 = 6;

    /// A new factor with a random secret: HMAC-SHA1, 6 digits, 30-second steps. `issuer`
    /// and `account` label it in authenticator apps (neither may contain `:`).
    pub fn generate(issuer: &str, account: &str) -> Result<Self> {
        let secret: [u8; Self::SECRET_LEN] = random_array()?;
        Self::build(
            secret.to_vec(),
            TotpAlgorithm::Sha1,
            Self::DIGITS,
            Some((issuer, account)),
        )
    }

    /// A factor from a known secret (at least 16 bytes), algorithm and number of digits (6 to
    /// 8), with 30-second steps.
    pub fn from_secret(secret: Vec<u8>, algorithm: TotpAlgorithm, digits: u8) -> Result<Self> {
        Self::build(secret, algorithm, digits, None)
    }

    fn build(
        secret: Vec<u8>,
        algorithm: TotpAlgorithm,
        digits: u8,
        label: Option<(&str, &str)>,
    ) -> Result<Self> {
        let mut builder = Builder::new()
            .with_algorithm(match algorithm {
                TotpAlgorithm::Sha1 => Algorithm::SHA1,
                TotpAlgorithm::Sha256 => Algorithm::SHA256,
                TotpAlgorithm::Sha512 => Algorithm::SHA512,
            })
            .with_digits(digits)
            .with_skew(1)
            .with_step_duration(Self::STEP_SECONDS)
            .with_secret(Secret::from(secret));
        if let Some((issuer, account)) = label {
            builder = builder.with_issuer(Some(issuer)).with_account_name(account);
        }
        let totp = builder
            .build()
            .map_err(|error| IdentityError::InvalidInput {
                what: "TOTP factor",
                reason: error.to_string(),
            })?;
        Ok(Self { totp })
    }

    /// The time step `code` is valid for at `unix_seconds`, if it is valid for the current
    /// step or one either side. Codes are compared in constant time. Accepting a step only
    /// once is the caller's part.
    pub fn verify(&self, code: &str, unix_seconds: u64) -> Option<u64> {
        self.totp.check(code.trim(), unix_seconds)
    }

    /// The code for `unix_seconds` (for tests and tools that act as the person's device).
    pub fn code_at(&self, unix_seconds: u64) -> String {
        self.totp.generate(unix_seconds).to_string()
    }

    /// The secret in base32 (RFC 4648, no padding), as authenticator apps take it by hand.
    pub fn secret_base32(&self) -> String {
        self.totp.secret().to_base32()
    }

    /// The `otpauth://totp/…` URI that authenticator apps import.
    pub fn otpauth_uri(&self) -> Result<String> {
        self.totp
            .to_url()
            .map_err(|error| IdentityError::InvalidInput {
                what: "TOTP factor",
                reason: error.to_string(),
            })
    }

    /// The URI as a QR code, PNG bytes (with the `totp-qr` feature).
    #[cfg(feature = "totp-qr")]
    pub fn qr_png(&self) -> Result<Vec<u8>> {
        self.totp
            .to_qr_png()
            .map_err(|error| IdentityError::InvalidInput {
                what: "TOTP factor",
                reason: error.to_string(),
            })
    }

    /// The raw secret.
    pub(crate) fn secret_bytes(&self) -> &[u8] {
        self.totp.secret().as_ref()
    }
}
