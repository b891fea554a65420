"""MedVault's two ciphers on their own, byte-compatible with Google Tink.

- ``Aead``: Tink ``AesCtrHmacAead`` (AES-256-CTR + HMAC-SHA256), for small values.
- ``StreamingAead``: Tink ``AesCtrHmacStreaming`` (AES-256, HKDF-SHA256, HMAC-SHA256), for
  payloads of any size, sealed and opened on all cores.

Both release the GIL while they work, and raise ``medvault.TamperedError`` when a ciphertext
or its associated data was altered::

    from medvault.crypto import Aead

    aead = Aead.generate()
    sealed = aead.encrypt(b"allergy: penicillin", b"record-42")
    assert aead.decrypt(sealed, b"record-42") == b"allergy: penicillin"
"""

from ._medvault import Aead, StreamingAead

__all__ = ["Aead", "StreamingAead"]
