"""The ciphers alone: round trips, tamper detection, and the GIL released while they work."""

from __future__ import annotations

import pytest

import medvault
from medvault.crypto import Aead, StreamingAead
from conftest import counter_advances_during


def test_aead_round_trip_and_tamper_detection():
    aead = Aead.generate()
    sealed = aead.encrypt(b"allergy: penicillin", b"record-42")
    assert len(sealed) == len(b"allergy: penicillin") + 16 + 32
    assert aead.decrypt(sealed, b"record-42") == b"allergy: penicillin"
    flipped = bytes([sealed[0] ^ 1]) + sealed[1:]
    for ciphertext, associated_data in [
        (flipped, b"record-42"),
        (sealed, b"record-43"),
        (sealed[:10], b"record-42"),
    ]:
        with pytest.raises(medvault.TamperedError) as caught:
            aead.decrypt(ciphertext, associated_data)
        assert isinstance(caught.value, medvault.CryptoError)
    with pytest.raises(medvault.TamperedError):
        Aead.generate().decrypt(sealed, b"record-42")


def test_streaming_round_trip_and_tamper_detection():
    aead = StreamingAead.generate(segment_size=4096)
    assert aead.segment_size == 4096
    plaintext = bytes(range(256)) * 1000
    sealed = aead.encrypt(plaintext, b"object-7")
    assert aead.decrypt(sealed, b"object-7") == plaintext
    middle = len(sealed) // 2
    flipped = sealed[:middle] + bytes([sealed[middle] ^ 1]) + sealed[middle + 1 :]
    for ciphertext, associated_data in [
        (flipped, b"object-7"),
        (sealed, b"object-8"),
        (sealed[:-4096], b"object-7"),
    ]:
        with pytest.raises(medvault.TamperedError):
            aead.decrypt(ciphertext, associated_data)


def test_bad_segment_size_is_invalid_input():
    with pytest.raises(medvault.InvalidInputError):
        StreamingAead.generate(segment_size=10)
    with pytest.raises(TypeError):
        StreamingAead.generate(4096)  # type: ignore[misc]


def test_reprs_hide_keys():
    assert "redacted" in repr(Aead.generate())
    assert "redacted" in repr(StreamingAead.generate())


def test_encrypt_releases_the_gil():
    aead = StreamingAead.generate()
    plaintext = bytes(64 * 1024 * 1024)
    assert counter_advances_during(lambda: aead.encrypt(plaintext, b""))
    sealed = aead.encrypt(plaintext, b"")
    assert counter_advances_during(lambda: aead.decrypt(sealed, b""))
