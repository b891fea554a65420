//! Unlock slots: several independent ways to unwrap one root key.
//!
//! A passphrase slot stretches the passphrase with Argon2id (its parameters and salt stored in
//! the slot); a raw-key slot takes 32 bytes from a platform keystore or a KMS. Each slot wraps the
//! root key with [`RecordAead`] under a key-encryption key derived from its secret, with
//! associated data that binds the slot to its vault, its root key id and its own fields.

use std::fmt;

use zeroize::Zeroizing;

use super::aead::{AEAD_OVERHEAD, AeadKey, RecordAead};
use super::argon::Argon2idParams;
use super::error::{CryptoError, Result};
use super::keys::{KeyId, RootKey, VaultId};
use super::random::random_array;
use super::secret::{Secret, secret_key_type};

secret_key_type!(
    /// A 32-byte key held outside the vault (platform keystore, KMS) that opens a raw-key slot.
    RawUnlockKey
);

/// A secret offered to unlock a slot.
#[derive(Clone, Copy)]
pub enum UnlockCredential<'a> {
    /// A passphrase, for passphrase slots.
    Passphrase(&'a [u8]),
    /// A raw key, for raw-key slots.
    RawKey(&'a RawUnlockKey),
}

impl fmt::Debug for UnlockCredential<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Passphrase(_) => "Passphrase(<redacted>)",
            Self::RawKey(_) => "RawKey(<redacted>)",
        })
    }
}

/// The kind of an unlock slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotKind {
    /// Unlocked by a passphrase stretched with Argon2id.
    Passphrase,
    /// Unlocked by a raw 32-byte key.
    RawKey,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum SlotMethod {
    Passphrase {
        params: Argon2idParams,
        salt: [u8; SLOT_SALT_LEN],
    },
    RawKey,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct UnlockSlot {
    id: u32,
    method: SlotMethod,
    sealed_root: Vec<u8>,
}

const SLOT_SALT_LEN: usize = 16;
const SEALED_ROOT_LEN: usize = 32 + AEAD_OVERHEAD;
const KIND_PASSPHRASE: u8 = 1;
const KIND_RAW_KEY: u8 = 2;
const MAGIC: [u8; 4] = *b"MVKS";
const KEY_SLOTS_VERSION: u8 = 1;
const MAX_SLOTS: usize = 255;

/// The unlock slots of one vault, all wrapping the same root key.
///
/// These seal any passphrase they are given: the floor on new passphrases
/// ([`crate::crypto::strength::check_passphrase`]) is the vault's, applied when it creates a
/// vault or changes a passphrase, so that rotation and slots made before the floor keep working.
///
/// ```
/// use medvault::crypto::hazmat::{KeySlots, RootKey};
/// use medvault::crypto::{RawUnlockKey, UnlockCredential, VaultId};
///
/// # fn main() -> Result<(), medvault::crypto::CryptoError> {
/// let root = RootKey::generate()?;
/// let keystore_key = RawUnlockKey::generate()?;
/// let slots = KeySlots::new(VaultId::generate()?, &root, UnlockCredential::RawKey(&keystore_key))?;
/// let stored = slots.to_bytes();
/// let unlocked = KeySlots::from_bytes(&stored)?.unlock(UnlockCredential::RawKey(&keystore_key))?;
/// assert_eq!(unlocked, root);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeySlots {
    vault_id: VaultId,
    root_key_id: KeyId,
    slots: Vec<UnlockSlot>,
}

impl KeySlots {
    /// Slots for `root` in vault `vault_id`, starting with one slot for `first` (a passphrase
    /// slot gets [`Argon2idParams::UNLOCK_SLOT_DEFAULT`]).
    pub fn new(vault_id: VaultId, root: &RootKey, first: UnlockCredential<'_>) -> Result<Self> {
        let mut slots = Self {
            vault_id,
            root_key_id: root.id(),
            slots: Vec::new(),
        };
        slots.add(root, first)?;
        Ok(slots)
    }

    /// The vault these slots belong to.
    pub fn vault_id(&self) -> VaultId {
        self.vault_id
    }

    /// Id of the root key the slots wrap.
    pub fn root_key_id(&self) -> KeyId {
        self.root_key_id
    }

    /// The slots' ids and kinds.
    pub fn slots(&self) -> Vec<(u32, SlotKind)> {
        self.slots
            .iter()
            .map(|slot| (slot.id, slot.kind()))
            .collect()
    }

    /// Adds a slot for `credential`; returns its id. A passphrase slot gets
    /// [`Argon2idParams::UNLOCK_SLOT_DEFAULT`].
    pub fn add(&mut self, root: &RootKey, credential: UnlockCredential<'_>) -> Result<u32> {
        self.add_with_params(root, credential, Argon2idParams::UNLOCK_SLOT_DEFAULT)
    }

    /// Adds a slot for `credential`, stretching a passphrase with `params`; returns its id.
    pub fn add_with_params(
        &mut self,
        root: &RootKey,
        credential: UnlockCredential<'_>,
        params: Argon2idParams,
    ) -> Result<u32> {
        self.check_root(root)?;
        if self.slots.len() >= MAX_SLOTS {
            return Err(CryptoError::InvalidParameter(
                "a vault has at most 255 unlock slots",
            ));
        }
        let id = match self.slots.iter().map(|slot| slot.id).max() {
            None => 1,
            Some(highest) => highest
                .checked_add(1)
                .ok_or(CryptoError::InvalidParameter("no unlock slot id is left"))?,
        };
        let slot = self.seal_slot(id, root, credential, params)?;
        self.slots.push(slot);
        Ok(id)
    }

    /// Removes slot `id`. The last slot cannot be removed.
    pub fn remove(&mut self, id: u32) -> Result<()> {
        let position = self.position(id)?;
        if self.slots.len() == 1 {
            return Err(CryptoError::LastSlot);
        }
        self.slots.remove(position);
        Ok(())
    }

    /// Unwraps the root key with `credential`, trying every slot of its kind.
    pub fn unlock(&self, credential: UnlockCredential<'_>) -> Result<RootKey> {
        for slot in &self.slots {
            if let Some(root) = self.try_open(slot, credential)? {
                return Ok(root);
            }
        }
        Err(CryptoError::WrongPassphraseOrKey)
    }

    /// Changes the passphrase of slot `id` by rewrapping that slot alone (fresh salt, current
    /// default parameters). The old passphrase must open it.
    pub fn change_passphrase(&mut self, id: u32, old: &[u8], new: &[u8]) -> Result<()> {
        let position = self.position(id)?;
        if self.slots[position].kind() != SlotKind::Passphrase {
            return Err(CryptoError::InvalidParameter(
                "this slot is not a passphrase slot",
            ));
        }
        let root = self
            .try_open(&self.slots[position], UnlockCredential::Passphrase(old))?
            .ok_or(CryptoError::WrongPassphraseOrKey)?;
        self.slots[position] = self.seal_slot(
            id,
            &root,
            UnlockCredential::Passphrase(new),
            Argon2idParams::UNLOCK_SLOT_DEFAULT,
        )?;
        Ok(())
    }

    /// Rotates the root key: generates a new one and rewraps every slot under it, keeping the
    /// slots' ids, kinds and (when still at or above the OWASP minimum) parameters. `credentials` must open every slot; the data keys are
    /// then rewrapped with [`crate::crypto::hazmat::WrappedDataKey::rewrap`].
    pub fn rotate_root(&self, credentials: &[UnlockCredential<'_>]) -> Result<(RootKey, Self)> {
        let new_root = RootKey::generate()?;
        let mut rotated = Self {
            vault_id: self.vault_id,
            root_key_id: new_root.id(),
            slots: Vec::with_capacity(self.slots.len()),
        };
        for slot in &self.slots {
            let mut opened_with = None;
            for credential in credentials {
                if self.try_open(slot, *credential)?.is_some() {
                    opened_with = Some(*credential);
                    break;
                }
            }
            let credential = opened_with.ok_or(CryptoError::SlotCredentialMissing(slot.id))?;
            // Parameters below today's floor (from an older policy) are raised to the default.
            let params = match slot.method {
                SlotMethod::Passphrase { params, .. } if params.meets_owasp_minimum() => params,
                _ => Argon2idParams::UNLOCK_SLOT_DEFAULT,
            };
            rotated
                .slots
                .push(rotated.seal_slot(slot.id, &new_root, credential, params)?);
        }
        Ok((new_root, rotated))
    }

    fn check_root(&self, root: &RootKey) -> Result<()> {
        if root.id() == self.root_key_id {
            Ok(())
        } else {
            Err(CryptoError::WrongKey("these slots wrap another root key"))
        }
    }

    fn position(&self, id: u32) -> Result<usize> {
        self.slots
            .iter()
            .position(|slot| slot.id == id)
            .ok_or(CryptoError::SlotNotFound(id))
    }

    fn seal_slot(
        &self,
        id: u32,
        root: &RootKey,
        credential: UnlockCredential<'_>,
        params: Argon2idParams,
    ) -> Result<UnlockSlot> {
        let method = match credential {
            UnlockCredential::Passphrase(_) => SlotMethod::Passphrase {
                params,
                salt: random_array()?,
            },
            UnlockCredential::RawKey(_) => SlotMethod::RawKey,
        };
        let mut slot = UnlockSlot {
            id,
            method,
            sealed_root: Vec::new(),
        };
        let kek = self.key_encryption_key(&slot.method, credential)?;
        slot.sealed_root = kek.seal(root.secret().expose(), &self.associated_data(&slot))?;
        Ok(slot)
    }

    /// Opens `slot` with `credential`: `None` when the credential is of another kind or does not
    /// open it.
    fn try_open(
        &self,
        slot: &UnlockSlot,
        credential: UnlockCredential<'_>,
    ) -> Result<Option<RootKey>> {
        let kinds_match = matches!(
            (&slot.method, credential),
            (
                SlotMethod::Passphrase { .. },
                UnlockCredential::Passphrase(_)
            ) | (SlotMethod::RawKey, UnlockCredential::RawKey(_))
        );
        if !kinds_match {
            return Ok(None);
        }
        let kek = self.key_encryption_key(&slot.method, credential)?;
        match kek.open(&slot.sealed_root, &self.associated_data(slot)) {
            Ok(bytes) => {
                let bytes = Zeroizing::new(bytes);
                let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
                    CryptoError::malformed("unlock slot", "the wrapped root key is not 32 bytes")
                })?;
                Ok(Some(RootKey::from_parts(
                    self.root_key_id,
                    Secret::from_bytes(key),
                )))
            }
            Err(CryptoError::AuthenticationFailed) => Ok(None),
            Err(other) => Err(other),
        }
    }

    fn key_encryption_key(
        &self,
        method: &SlotMethod,
        credential: UnlockCredential<'_>,
    ) -> Result<RecordAead> {
        let salt = self.vault_id.as_bytes();
        let key = match (method, credential) {
            (
                SlotMethod::Passphrase {
                    params,
                    salt: slot_salt,
                },
                UnlockCredential::Passphrase(passphrase),
            ) => {
                let mut stretched = Zeroizing::new([0u8; 32]);
                params.derive(passphrase, slot_salt, stretched.as_mut())?;
                AeadKey::derive(
                    stretched.as_ref(),
                    salt,
                    &[b"medvault/v1/slot-kek/passphrase"],
                )
            }
            (SlotMethod::RawKey, UnlockCredential::RawKey(raw)) => {
                AeadKey::derive(raw.expose(), salt, &[b"medvault/v1/slot-kek/raw-key"])
            }
            _ => {
                return Err(CryptoError::InvalidParameter(
                    "the credential is not of the slot's kind",
                ));
            }
        };
        Ok(RecordAead::new(&key))
    }

    fn associated_data(&self, slot: &UnlockSlot) -> Vec<u8> {
        let mut aad = b"medvault/v1/unlock-slot".to_vec();
        aad.extend_from_slice(self.vault_id.as_bytes());
        aad.extend_from_slice(self.root_key_id.as_bytes());
        slot.encode_fields(&mut aad);
        aad
    }

    /// The stored form (see `docs/FORMAT.md`): nothing in it is secret.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(38 + self.slots.len() * (SEALED_ROOT_LEN + 33));
        out.extend_from_slice(&MAGIC);
        out.push(KEY_SLOTS_VERSION);
        out.extend_from_slice(self.vault_id.as_bytes());
        out.extend_from_slice(self.root_key_id.as_bytes());
        out.push(self.slots.len() as u8);
        for slot in &self.slots {
            slot.encode_fields(&mut out);
            out.extend_from_slice(&slot.sealed_root);
        }
        out
    }

    /// Parses the stored form.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut input = Cursor { bytes };
        if input.take(4)? != MAGIC {
            return Err(CryptoError::malformed(
                "key slots",
                "they do not start with \"MVKS\"",
            ));
        }
        let version = input.u8()?;
        if version != KEY_SLOTS_VERSION {
            return Err(CryptoError::UnsupportedVersion {
                what: "key slots",
                found: version,
                supported: KEY_SLOTS_VERSION,
            });
        }
        let vault_id = VaultId::from_bytes(input.array()?);
        let root_key_id = KeyId::from_bytes(input.array()?);
        let count = input.u8()?;
        let mut slots = Vec::with_capacity(usize::from(count));
        for _ in 0..count {
            let id = input.u32()?;
            let method = match input.u8()? {
                KIND_PASSPHRASE => SlotMethod::Passphrase {
                    params: Argon2idParams::from_stored(input.u32()?, input.u32()?, input.u32()?)?,
                    salt: input.array()?,
                },
                KIND_RAW_KEY => SlotMethod::RawKey,
                _ => return Err(CryptoError::malformed("key slots", "unknown slot kind")),
            };
            let sealed_root = input.take(SEALED_ROOT_LEN)?.to_vec();
            if slots.iter().any(|slot: &UnlockSlot| slot.id == id) {
                return Err(CryptoError::malformed("key slots", "two slots share an id"));
            }
            slots.push(UnlockSlot {
                id,
                method,
                sealed_root,
            });
        }
        if !input.bytes.is_empty() {
            return Err(CryptoError::malformed(
                "key slots",
                "bytes follow the last slot",
            ));
        }
        if slots.is_empty() {
            return Err(CryptoError::malformed("key slots", "there is no slot"));
        }
        Ok(Self {
            vault_id,
            root_key_id,
            slots,
        })
    }
}

impl UnlockSlot {
    fn kind(&self) -> SlotKind {
        match self.method {
            SlotMethod::Passphrase { .. } => SlotKind::Passphrase,
            SlotMethod::RawKey => SlotKind::RawKey,
        }
    }

    /// `u32be id ‖ u8 kind ‖ kind fields`: the slot's stored bytes before its sealed root key,
    /// which are also bound into its associated data.
    fn encode_fields(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.id.to_be_bytes());
        match &self.method {
            SlotMethod::Passphrase { params, salt } => {
                out.push(KIND_PASSPHRASE);
                out.extend_from_slice(&params.memory_kib().to_be_bytes());
                out.extend_from_slice(&params.iterations().to_be_bytes());
                out.extend_from_slice(&params.parallelism().to_be_bytes());
                out.extend_from_slice(salt);
            }
            SlotMethod::RawKey => out.push(KIND_RAW_KEY),
        }
    }
}

/// Reads fixed-size fields off the front of stored bytes.
struct Cursor<'a> {
    bytes: &'a [u8],
}

impl<'a> Cursor<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8]> {
        if self.bytes.len() < len {
            return Err(CryptoError::Truncated {
                what: "key slots end in the middle of a field",
            });
        }
        let (head, tail) = self.bytes.split_at(len);
        self.bytes = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }

    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_be_bytes(self.array()?))
    }
}
