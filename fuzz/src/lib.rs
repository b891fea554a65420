//! What the fuzz targets and the seed generator (`seeds/`, which includes this file) share: the
//! fixed keys and names they seal and open with, and how a target's input is laid out.
//!
//! A target that needs parameters besides the bytes it decodes takes them off the front of
//! its input ([`Input`]); the seed generator writes them the same way ([`Seed`]).

use std::sync::OnceLock;

use chrono::NaiveDate;
use medvault::crypto::hazmat::RootKey;
use medvault::crypto::{
    AeadKey, DataKey, KeyId, ObjectIdentity, RawUnlockKey, RecordAead, StreamingKey, VaultId,
};
use medvault::fuzzing::Keys;
use medvault::vault::WriterId;

/// The vault keys log batches and checkpoints are sealed and opened under.
pub fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| Keys::fixed(0x5a))
}

/// The writer whose log batches, segments and checkpoints the targets read.
pub fn writer() -> WriterId {
    WriterId::from_bytes([0x0d; 16])
}

/// The sequence log batches and checkpoints are sealed as.
pub const SEQUENCE: u64 = 7;

/// The data key envelopes are sealed under.
pub fn data_key() -> DataKey {
    DataKey::from_bytes([0x11; 32])
}

/// The identity envelopes are sealed for.
pub fn identity() -> ObjectIdentity {
    ObjectIdentity::new("record", VaultId::from_bytes([0x22; 16]), b"fuzz-object", 3)
}

/// The key of streaming ciphertexts.
pub fn streaming_key() -> StreamingKey {
    StreamingKey::from_bytes([0x33; 32])
}

/// The associated data of streaming ciphertexts.
pub const STREAM_AAD: &[u8] = b"fuzz-stream";

/// The record AEAD small values are sealed under.
pub fn record_aead() -> RecordAead {
    RecordAead::new(&AeadKey::from_parts([0x44; 32], [0x55; 32]))
}

/// The raw key that opens raw-key unlock slots.
pub fn raw_unlock_key() -> RawUnlockKey {
    RawUnlockKey::from_bytes([0x66; 32])
}

/// The root key (of any id) data keys are wrapped under.
pub fn root_key(id: KeyId) -> RootKey {
    medvault::fuzzing::root_key(id, [0x77; 32])
}

/// The vault wrapped data keys belong to.
pub fn wrapping_vault() -> VaultId {
    VaultId::from_bytes([0x88; 16])
}

/// The day imports are read on.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default()
}

/// A target's input, read from the front: missing bytes read as zeros.
#[derive(Clone, Copy, Debug)]
pub struct Input<'a>(pub &'a [u8]);

impl<'a> Input<'a> {
    /// The next byte.
    pub fn byte(&mut self) -> u8 {
        let (first, rest) = self.0.split_first().map_or((0, &[][..]), |(b, r)| (*b, r));
        self.0 = rest;
        first
    }

    /// The next two bytes, big-endian.
    pub fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.byte(), self.byte()])
    }

    /// The next `len` bytes (fewer at the end).
    pub fn take(&mut self, len: usize) -> &'a [u8] {
        let (head, tail) = self.0.split_at(len.min(self.0.len()));
        self.0 = tail;
        head
    }

    /// Everything left.
    pub fn rest(self) -> &'a [u8] {
        self.0
    }
}

/// A seed being written in the layout [`Input`] reads.
#[derive(Clone, Debug, Default)]
pub struct Seed(pub Vec<u8>);

impl Seed {
    /// Appends a byte.
    pub fn byte(mut self, byte: u8) -> Self {
        self.0.push(byte);
        self
    }

    /// Appends two bytes, big-endian.
    pub fn u16(mut self, value: u16) -> Self {
        self.0.extend_from_slice(&value.to_be_bytes());
        self
    }

    /// Appends bytes.
    pub fn bytes(mut self, bytes: &[u8]) -> Self {
        self.0.extend_from_slice(bytes);
        self
    }
}

/// The part of a plaintext of `total` bytes that `offset` and `len` from an input ask for,
/// brought within it.
pub fn within(offset: u64, len: u64, total: usize) -> std::ops::Range<usize> {
    let offset = (offset % (total as u64 + 1)) as usize;
    offset..offset + (len as usize).min(total - offset)
}

/// What a target of a sealed object opens: `bytes` as they are, or with `seal_first`, `bytes`
/// sealed as a plaintext (so that opening reaches the decoder behind the seal), which must then
/// open as decoding them directly does.
pub fn open_or_seal_first<T: PartialEq + std::fmt::Debug, E: std::fmt::Debug>(
    seal_first: bool,
    bytes: &[u8],
    seal: impl Fn(&[u8]) -> Vec<u8>,
    open: impl Fn(&[u8]) -> Result<T, E>,
    decode: impl Fn(&[u8]) -> Result<T, E>,
) -> Result<T, E> {
    if !seal_first {
        return open(bytes);
    }
    let opened = open(&seal(bytes));
    let decoded = decode(bytes);
    assert_eq!(opened.as_ref().ok(), decoded.as_ref().ok());
    assert_eq!(opened.is_ok(), decoded.is_ok(), "{opened:?} / {decoded:?}");
    opened
}

/// A stored document's check: if `body` decodes as `kind` (`reencode` decodes and encodes it
/// again), its encoding re-encodes to itself.
pub fn reencodes_to_itself<K: std::fmt::Debug, E>(
    kind: K,
    body: &[u8],
    reencode: impl Fn(&[u8]) -> Result<Vec<u8>, E>,
) {
    if let Ok(encoded) = reencode(body) {
        assert_eq!(reencode(&encoded).ok().as_ref(), Some(&encoded), "{kind:?}");
    }
}
