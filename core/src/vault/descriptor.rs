//! The vault descriptor: `"MVVD" ‖ version ‖ unlock slots`. It holds no secret in clear; the
//! slots wrap the root key.

use bytes::Bytes;

use super::error::{Result, VaultError};
use super::layout;
use super::store::Store;
use crate::crypto::hazmat::KeySlots;

const MAGIC: &[u8; 4] = b"MVVD";
const VERSION: u8 = 1;

/// Encodes a descriptor.
pub(crate) fn encode(slots: &KeySlots) -> Bytes {
    let mut out = MAGIC.to_vec();
    out.push(VERSION);
    out.extend_from_slice(&slots.to_bytes());
    Bytes::from(out)
}

/// Decodes a descriptor, with a typed error for every way it can be wrong.
pub(crate) fn decode(bytes: &[u8]) -> Result<KeySlots> {
    let corrupt = |reason: &str| VaultError::CorruptDescriptor {
        reason: reason.to_owned(),
    };
    if bytes.is_empty() {
        return Err(corrupt("it is empty"));
    }
    let Some((magic, rest)) = bytes.split_first_chunk::<4>() else {
        return Err(corrupt("it is shorter than its magic number"));
    };
    if magic != MAGIC {
        return Err(corrupt("it does not start with MVVD: not a MedVault vault"));
    }
    match rest.split_first() {
        Some((&VERSION, slots)) => {
            KeySlots::from_bytes(slots).map_err(|error| VaultError::CorruptDescriptor {
                reason: format!("its unlock slots are unreadable: {error}"),
            })
        }
        Some((version, _)) => Err(VaultError::CorruptDescriptor {
            reason: format!(
                "format version {version} is not supported (this build reads {VERSION})"
            ),
        }),
        None => Err(corrupt("it ends after its magic number")),
    }
}

/// Reads the descriptor of the vault in `store`.
pub(crate) async fn read(store: &Store) -> Result<KeySlots> {
    match store.get(&layout::descriptor()).await? {
        Some(bytes) => decode(&bytes),
        None => Err(VaultError::NoVault {
            location: store.location().to_owned(),
        }),
    }
}

/// Writes the descriptor (a single atomic put).
pub(crate) async fn write(store: &Store, slots: &KeySlots) -> Result<()> {
    store.put(&layout::descriptor(), encode(slots)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_descriptors_give_typed_errors() {
        for bytes in [
            &b""[..],
            b"MV",
            b"XXXX\x01",
            b"MVVD",
            b"MVVD\x09abc",
            b"MVVD\x01junk",
        ] {
            assert!(
                matches!(decode(bytes), Err(VaultError::CorruptDescriptor { .. })),
                "{bytes:?}"
            );
        }
    }
}
