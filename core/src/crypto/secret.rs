//! Fixed-size secret byte arrays that zeroize on drop and never print.

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::error::Result;
use super::random::random_array;

/// `N` secret bytes: zeroized when dropped, redacted in `Debug`, compared in constant time.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Secret<const N: usize>([u8; N]);

impl<const N: usize> Secret<N> {
    /// Wraps bytes the caller already holds (the caller's copy is theirs to zeroize).
    pub fn from_bytes(bytes: [u8; N]) -> Self {
        Self(bytes)
    }

    /// Fresh random bytes from the operating system.
    pub fn generate() -> Result<Self> {
        random_array().map(Self)
    }

    /// The secret bytes. Keep the borrow short and never log it.
    pub fn expose(&self) -> &[u8; N] {
        &self.0
    }
}

impl<const N: usize> fmt::Debug for Secret<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret<{N}>(<redacted>)")
    }
}

impl<const N: usize> PartialEq for Secret<N> {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl<const N: usize> Eq for Secret<N> {}

/// Declares a named 32-byte secret key type over [`Secret`], so that keys of different roles
/// cannot be swapped by mistake.
macro_rules! secret_key_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, zeroize::ZeroizeOnDrop)]
        pub struct $name($crate::crypto::secret::Secret<32>);

        impl $name {
            /// A fresh random key from the operating system.
            pub fn generate() -> $crate::crypto::error::Result<Self> {
                $crate::crypto::secret::Secret::generate().map(Self)
            }

            /// Takes ownership of 32 key bytes.
            pub fn from_bytes(bytes: [u8; 32]) -> Self {
                Self($crate::crypto::secret::Secret::from_bytes(bytes))
            }

            /// Copies a 32-byte slice into a key; any other length is rejected.
            pub fn from_slice(bytes: &[u8]) -> $crate::crypto::error::Result<Self> {
                let array: [u8; 32] = bytes.try_into().map_err(|_| {
                    $crate::crypto::error::CryptoError::InvalidParameter("a key must be exactly 32 bytes")
                })?;
                Ok(Self::from_bytes(array))
            }

            /// The key bytes. Keep the borrow short and never log it.
            pub fn expose(&self) -> &[u8; 32] {
                self.0.expose()
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
}

pub(crate) use secret_key_type;
