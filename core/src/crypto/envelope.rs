//! The envelope: a small versioned header in front of a streaming payload, naming the format
//! and the key that sealed it, with associated data that binds the payload to its identity.
//!
//! ```text
//! envelope  = header(24) ‖ payload
//! header    = "MV" ‖ u8 version (1) ‖ u8 algorithm (1) ‖ u32be segment size ‖ key id(16)
//! payload   = Tink AesCtrHmacStreaming ciphertext under the data key, with associated data
//! aad       = header ‖ u64be len(kind) ‖ kind ‖ vault id(16) ‖ u64be len(object id) ‖ object id
//!             ‖ u64be version
//! ```

use std::io::{Read, Write};
use std::ops::Range;

use super::error::{CryptoError, Result};
use super::keys::{DataKey, KeyId, VaultId};
use super::streaming::{
    HEADER_LEN as STREAM_HEADER_LEN, MAX_SEGMENT_SIZE, MIN_SEGMENT_SIZE, OpeningReader, RangePlan,
    RangeSource, SealingWriter, StreamHeader, StreamingAead,
};

/// Length of the envelope header.
pub const ENVELOPE_HEADER_LEN: usize = 24;

const MAGIC: [u8; 2] = *b"MV";
const ENVELOPE_VERSION: u8 = 1;
/// Tink `AesCtrHmacStreaming`, AES-256, HKDF-SHA256, HMAC-SHA256, 32-byte tags.
const ALGORITHM_STREAMING_AES256_CTR_HMAC_SHA256: u8 = 1;

/// The parsed envelope header: which key sealed the payload, and its segment size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnvelopeHeader {
    segment_size: u32,
    key_id: KeyId,
}

impl EnvelopeHeader {
    /// Id of the data key that sealed the payload.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// Ciphertext segment size of the payload.
    pub fn segment_size(&self) -> u32 {
        self.segment_size
    }

    /// The header's bytes.
    pub fn to_bytes(&self) -> [u8; ENVELOPE_HEADER_LEN] {
        let mut out = [0u8; ENVELOPE_HEADER_LEN];
        out[..2].copy_from_slice(&MAGIC);
        out[2] = ENVELOPE_VERSION;
        out[3] = ALGORITHM_STREAMING_AES256_CTR_HMAC_SHA256;
        out[4..8].copy_from_slice(&self.segment_size.to_be_bytes());
        out[8..].copy_from_slice(self.key_id.as_bytes());
        out
    }

    /// Parses the header at the start of `bytes`.
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        let Some(header) = bytes.first_chunk::<ENVELOPE_HEADER_LEN>() else {
            return Err(CryptoError::Truncated {
                what: "envelope is shorter than its 24-byte header",
            });
        };
        if header[..2] != MAGIC {
            return Err(CryptoError::malformed(
                "envelope header",
                "it does not start with \"MV\"; this is not a MedVault envelope",
            ));
        }
        if header[2] != ENVELOPE_VERSION {
            return Err(CryptoError::UnsupportedVersion {
                what: "envelope",
                found: header[2],
                supported: ENVELOPE_VERSION,
            });
        }
        if header[3] != ALGORITHM_STREAMING_AES256_CTR_HMAC_SHA256 {
            return Err(CryptoError::malformed(
                "envelope header",
                "unknown payload algorithm",
            ));
        }
        let segment_size = u32::from_be_bytes([header[4], header[5], header[6], header[7]]);
        if !(MIN_SEGMENT_SIZE..=MAX_SEGMENT_SIZE).contains(&segment_size) {
            return Err(CryptoError::malformed(
                "envelope header",
                "segment size outside 73 bytes ..= 8 MiB",
            ));
        }
        let mut key_id = [0u8; 16];
        key_id.copy_from_slice(&header[8..]);
        Ok(Self {
            segment_size,
            key_id: KeyId::from_bytes(key_id),
        })
    }
}

/// Where a ciphertext belongs: the kind of object, the vault, the object's id and its version.
/// A ciphertext opens only under the identity it was sealed for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectIdentity {
    kind: &'static str,
    vault_id: VaultId,
    object_id: Vec<u8>,
    version: u64,
}

impl ObjectIdentity {
    /// The identity of version `version` of object `object_id`, of kind `kind` (such as
    /// `"record"`), in vault `vault_id`.
    pub fn new(kind: &'static str, vault_id: VaultId, object_id: &[u8], version: u64) -> Self {
        Self {
            kind,
            vault_id,
            object_id: object_id.to_vec(),
            version,
        }
    }

    /// The associated data of a payload sealed for this identity under `header`.
    fn associated_data(&self, header: &EnvelopeHeader) -> Vec<u8> {
        let mut aad =
            Vec::with_capacity(ENVELOPE_HEADER_LEN + 40 + self.kind.len() + self.object_id.len());
        aad.extend_from_slice(&header.to_bytes());
        aad.extend_from_slice(&(self.kind.len() as u64).to_be_bytes());
        aad.extend_from_slice(self.kind.as_bytes());
        aad.extend_from_slice(self.vault_id.as_bytes());
        aad.extend_from_slice(&(self.object_id.len() as u64).to_be_bytes());
        aad.extend_from_slice(&self.object_id);
        aad.extend_from_slice(&self.version.to_be_bytes());
        aad
    }
}

/// Sealing and opening envelopes.
///
/// The payload after the header is a plain Tink `AesCtrHmacStreaming` ciphertext: any Tink
/// runtime opens it given the data key and the associated data described in `docs/FORMAT.md`.
#[derive(Debug)]
pub struct Envelope;

impl Envelope {
    /// Seals `plaintext` for `identity` under data key `key` (named `key_id`) with the default
    /// segment size.
    pub fn seal(
        key: &DataKey,
        key_id: KeyId,
        identity: &ObjectIdentity,
        plaintext: &[u8],
    ) -> Result<Vec<u8>> {
        Self::seal_with_segment_size(
            key,
            key_id,
            identity,
            plaintext,
            super::DEFAULT_SEGMENT_SIZE,
        )
    }

    /// [`Envelope::seal`] with a chosen ciphertext segment size.
    pub fn seal_with_segment_size(
        key: &DataKey,
        key_id: KeyId,
        identity: &ObjectIdentity,
        plaintext: &[u8],
        segment_size: u32,
    ) -> Result<Vec<u8>> {
        Self::seal_with_stream_header(
            key,
            key_id,
            identity,
            plaintext,
            segment_size,
            &StreamHeader::random()?,
        )
    }

    /// [`Envelope::seal_with_segment_size`] with a chosen stream header (salt and nonce
    /// prefix), which makes the bytes reproducible.
    pub(crate) fn seal_with_stream_header(
        key: &DataKey,
        key_id: KeyId,
        identity: &ObjectIdentity,
        plaintext: &[u8],
        segment_size: u32,
        stream_header: &StreamHeader,
    ) -> Result<Vec<u8>> {
        let (header, aead) = Self::prepare(key, key_id, segment_size)?;
        let payload =
            aead.seal_with_header(stream_header, plaintext, &identity.associated_data(&header))?;
        let mut out = Vec::with_capacity(ENVELOPE_HEADER_LEN + payload.len());
        out.extend_from_slice(&header.to_bytes());
        out.extend_from_slice(&payload);
        Ok(out)
    }

    /// Reads the header, to learn which key to open the envelope with.
    pub fn parse_header(envelope: &[u8]) -> Result<EnvelopeHeader> {
        EnvelopeHeader::parse(envelope)
    }

    /// Verifies and opens a whole envelope sealed for `identity` under `key`.
    pub fn open(key: &DataKey, identity: &ObjectIdentity, envelope: &[u8]) -> Result<Vec<u8>> {
        let (header, aead) = Self::read_header(key, envelope)?;
        aead.open(
            &envelope[ENVELOPE_HEADER_LEN..],
            &identity.associated_data(&header),
        )
    }

    /// Opens plaintext bytes `offset..offset + len` of the envelope in `source`, reading only
    /// the headers and the segments that hold them.
    pub fn open_range<S: RangeSource + ?Sized>(
        key: &DataKey,
        identity: &ObjectIdentity,
        source: &S,
        offset: u64,
        len: u64,
    ) -> Result<Vec<u8>> {
        let mut header_bytes = [0u8; ENVELOPE_HEADER_LEN];
        source
            .read_exact_at(0, &mut header_bytes)
            .map_err(short_header_is_truncation)?;
        let (header, aead) = Self::read_header(key, &header_bytes)?;
        let payload = PayloadSource { envelope: source };
        aead.open_range(&payload, &identity.associated_data(&header), offset, len)
    }

    /// Plans the reads for plaintext bytes `offset..offset + len` of an envelope of
    /// `envelope_len` bytes sealed with `segment_size`, from lengths alone, so that an
    /// asynchronous store can fetch [`EnvelopeRangePlan::prefix_range`] and
    /// [`EnvelopeRangePlan::segments_range`] (in one ranged request if it likes).
    pub fn plan_range(
        key: &DataKey,
        segment_size: u32,
        envelope_len: u64,
        offset: u64,
        len: u64,
    ) -> Result<EnvelopeRangePlan> {
        let payload_len =
            envelope_len
                .checked_sub(ENVELOPE_HEADER_LEN as u64)
                .ok_or(CryptoError::Truncated {
                    what: "envelope is shorter than its 24-byte header",
                })?;
        let aead = key.payload_cipher(segment_size)?;
        let plan = aead.plan_range(payload_len, offset, len)?;
        Ok(EnvelopeRangePlan {
            aead,
            segment_size,
            plan,
        })
    }

    /// Starts sealing an envelope into `inner` with bounded memory; call
    /// [`SealingWriter::finish`] at the end.
    pub fn sealing_writer<W: Write>(
        key: &DataKey,
        key_id: KeyId,
        identity: &ObjectIdentity,
        mut inner: W,
    ) -> Result<SealingWriter<W>> {
        let (header, aead) = Self::prepare(key, key_id, super::DEFAULT_SEGMENT_SIZE)?;
        inner.write_all(&header.to_bytes())?;
        aead.sealing_writer(inner, &identity.associated_data(&header))
    }

    /// Starts opening an envelope read from `inner` with bounded memory.
    pub fn opening_reader<R: Read>(
        key: &DataKey,
        identity: &ObjectIdentity,
        mut inner: R,
    ) -> Result<OpeningReader<R>> {
        let mut header_bytes = [0u8; ENVELOPE_HEADER_LEN];
        inner
            .read_exact(&mut header_bytes)
            .map_err(short_header_is_truncation)?;
        let (header, aead) = Self::read_header(key, &header_bytes)?;
        aead.opening_reader(inner, &identity.associated_data(&header))
    }

    fn prepare(
        key: &DataKey,
        key_id: KeyId,
        segment_size: u32,
    ) -> Result<(EnvelopeHeader, StreamingAead)> {
        let aead = key.payload_cipher(segment_size)?;
        Ok((
            EnvelopeHeader {
                segment_size,
                key_id,
            },
            aead,
        ))
    }

    fn read_header(key: &DataKey, envelope: &[u8]) -> Result<(EnvelopeHeader, StreamingAead)> {
        let header = EnvelopeHeader::parse(envelope)?;
        Ok((header, key.payload_cipher(header.segment_size)?))
    }
}

/// Which bytes of an envelope hold a plaintext range; made by [`Envelope::plan_range`].
#[derive(Debug)]
pub struct EnvelopeRangePlan {
    aead: StreamingAead,
    segment_size: u32,
    plan: RangePlan,
}

impl EnvelopeRangePlan {
    /// The envelope bytes to fetch first: the envelope header and the stream header.
    pub fn prefix_range(&self) -> Range<u64> {
        0..(ENVELOPE_HEADER_LEN + STREAM_HEADER_LEN) as u64
    }

    /// The envelope bytes that hold the segments of the range (empty for an empty range).
    pub fn segments_range(&self) -> Range<u64> {
        let payload = self.plan.ciphertext_range();
        let base = ENVELOPE_HEADER_LEN as u64;
        base + payload.start..base + payload.end
    }

    /// Verifies and opens the planned range from the fetched `prefix` and `segments`, for
    /// `identity`. The envelope header must name the segment size the plan was made with.
    pub fn open(
        &self,
        identity: &ObjectIdentity,
        prefix: &[u8],
        segments: &[u8],
    ) -> Result<Vec<u8>> {
        let header = EnvelopeHeader::parse(prefix)?;
        if header.segment_size != self.segment_size {
            return Err(CryptoError::Malformed {
                what: "envelope header",
                reason: "segment size differs from the one the range was planned with",
            });
        }
        let stream_header = prefix
            .get(ENVELOPE_HEADER_LEN..)
            .ok_or(CryptoError::Truncated {
                what: "envelope is shorter than its headers",
            })?;
        self.aead.open_planned_range(
            stream_header,
            &self.plan,
            segments,
            &identity.associated_data(&header),
        )
    }
}

/// An envelope that ends inside its header is truncated; other read errors stay I/O errors.
fn short_header_is_truncation(error: std::io::Error) -> CryptoError {
    if error.kind() == std::io::ErrorKind::UnexpectedEof {
        CryptoError::Truncated {
            what: "envelope is shorter than its 24-byte header",
        }
    } else {
        CryptoError::from(error)
    }
}

/// The payload part of an envelope held by a [`RangeSource`].
struct PayloadSource<'a, S: ?Sized> {
    envelope: &'a S,
}

impl<S: RangeSource + ?Sized> RangeSource for PayloadSource<'_, S> {
    fn total_len(&self) -> std::io::Result<u64> {
        Ok(self
            .envelope
            .total_len()?
            .saturating_sub(ENVELOPE_HEADER_LEN as u64))
    }

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
        self.envelope
            .read_exact_at(offset + ENVELOPE_HEADER_LEN as u64, buf)
    }
}
