//! The core's two ciphers on their own, for callers and for benchmarks against Google Tink:
//! `Aead` (Tink `AesCtrHmacAead`) and `StreamingAead` (Tink `AesCtrHmacStreaming`). Both
//! release the GIL while they work.

use medvault::crypto::{self as core, AeadKey, RecordAead, StreamingKey};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors::{Result, detach};

/// Runs a seal or open with the GIL released and returns its output as `bytes`.
fn detached_bytes<'py>(
    py: Python<'py>,
    call: impl FnOnce() -> core::Result<Vec<u8>> + Send,
) -> Result<Bound<'py, PyBytes>> {
    Ok(PyBytes::new(py, &detach(py, call)?))
}

/// Authenticated encryption of small values, byte-compatible with Tink's ``AesCtrHmacAead``
/// (AES-256-CTR, 16-byte IV, HMAC-SHA256 with 32-byte tags, RAW output). The key never
/// leaves the object.
#[pyclass(frozen, module = "medvault.crypto")]
pub struct Aead {
    aead: RecordAead,
}

#[pymethods]
impl Aead {
    /// An AEAD under a fresh random key.
    #[staticmethod]
    fn generate() -> Result<Self> {
        Ok(Self {
            aead: RecordAead::new(&AeadKey::generate()?),
        })
    }

    /// Encrypts ``plaintext`` bound to ``associated_data``: IV, ciphertext and tag.
    fn encrypt<'py>(
        &self,
        py: Python<'py>,
        plaintext: &[u8],
        associated_data: &[u8],
    ) -> Result<Bound<'py, PyBytes>> {
        detached_bytes(py, || self.aead.seal(plaintext, associated_data))
    }

    /// Authenticates and decrypts ``ciphertext``; raises ``TamperedError`` if it or
    /// ``associated_data`` was altered, or the key is not the one that encrypted it.
    fn decrypt<'py>(
        &self,
        py: Python<'py>,
        ciphertext: &[u8],
        associated_data: &[u8],
    ) -> Result<Bound<'py, PyBytes>> {
        detached_bytes(py, || self.aead.open(ciphertext, associated_data))
    }

    fn __repr__(&self) -> &'static str {
        "Aead(<key redacted>)"
    }
}

/// Authenticated encryption of payloads of any size, byte-compatible with Tink's
/// ``AesCtrHmacStreaming`` (AES-256, HKDF-SHA256, HMAC-SHA256 with 32-byte tags). Large inputs
/// are sealed and opened on all cores.
#[pyclass(frozen, module = "medvault.crypto")]
pub struct StreamingAead {
    aead: core::StreamingAead,
}

#[pymethods]
impl StreamingAead {
    /// A streaming AEAD under a fresh random key, with ciphertext segments of
    /// ``segment_size`` bytes (73 bytes to 8 MiB; ``None`` means 64 KiB, the default of the
    /// vault's payloads).
    #[staticmethod]
    #[pyo3(signature = (*, segment_size = None))]
    fn generate(segment_size: Option<u32>) -> Result<Self> {
        let key = StreamingKey::generate()?;
        let aead = match segment_size {
            Some(size) => core::StreamingAead::new(&key, size)?,
            None => core::StreamingAead::with_default_segment_size(&key),
        };
        Ok(Self { aead })
    }

    /// The ciphertext segment size in bytes.
    #[getter]
    fn segment_size(&self) -> u32 {
        self.aead.segment_size()
    }

    /// Encrypts ``plaintext`` bound to ``associated_data``.
    fn encrypt<'py>(
        &self,
        py: Python<'py>,
        plaintext: &[u8],
        associated_data: &[u8],
    ) -> Result<Bound<'py, PyBytes>> {
        detached_bytes(py, || self.aead.seal(plaintext, associated_data))
    }

    /// Authenticates every segment and decrypts ``ciphertext``; raises ``TamperedError`` if
    /// any of it, or ``associated_data``, was altered, truncated or reordered.
    fn decrypt<'py>(
        &self,
        py: Python<'py>,
        ciphertext: &[u8],
        associated_data: &[u8],
    ) -> Result<Bound<'py, PyBytes>> {
        detached_bytes(py, || self.aead.open(ciphertext, associated_data))
    }

    fn __repr__(&self) -> String {
        format!(
            "StreamingAead(segment_size={}, <key redacted>)",
            self.aead.segment_size()
        )
    }
}
