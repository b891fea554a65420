"""MedVault: encrypted, audited patient records for hospital software.

A ``Vault`` keeps records in a local folder or an S3 bucket, each sealed with a per-patient
key, behind a local encrypted index::

    import medvault

    with medvault.Vault.open("/srv/vault", passphrase=passphrase) as vault:
        meta = vault.put(b"HbA1c 6.1%", scope="patient-17", kind="lab-result")
        record = vault.get(meta.id)          # Record: .meta and .payload

People use the vault through its identity layer: accounts with a password and a TOTP second
factor, sessions, and a role-based access policy, every access audited::

    identity = vault.identity()
    with identity.login("dr-who", password, code="123456") as session:
        session.write_record(patient_id, b"...", kind="note")

Every call that does cryptography or I/O releases the GIL, so Python threads run
concurrently. Errors derive from ``MedVaultError``; the ciphers alone are in
``medvault.crypto``. This package is a thin layer over the Rust engine: every rule lives
there.
"""

from . import crypto
from ._medvault import (
    AccessDeniedError,
    AccountInfo,
    AccountNotFoundError,
    AuditReport,
    AuthenticationError,
    CodeReplayedError,
    CorruptError,
    CryptoError,
    Enrollment,
    FactorLockedError,
    FactorStateError,
    Identity,
    IdentityError,
    InvalidCredentialsError,
    InvalidInputError,
    MedVaultError,
    NewRecord,
    NoVaultError,
    PasswordRejectedError,
    Record,
    RecordMeta,
    RecordNotFoundError,
    ReopenRequiredError,
    Session,
    SessionError,
    StoreError,
    TamperedError,
    UsernameTakenError,
    Vault,
    VaultClosedError,
    VaultError,
    VaultExistsError,
    VaultInUseError,
    VerifyReport,
    WrongCodeError,
    WrongPassphraseError,
    __version__,
)

__all__ = [
    "AccessDeniedError",
    "AccountInfo",
    "AccountNotFoundError",
    "AuditReport",
    "AuthenticationError",
    "CodeReplayedError",
    "CorruptError",
    "CryptoError",
    "Enrollment",
    "FactorLockedError",
    "FactorStateError",
    "Identity",
    "IdentityError",
    "InvalidCredentialsError",
    "InvalidInputError",
    "MedVaultError",
    "NewRecord",
    "NoVaultError",
    "PasswordRejectedError",
    "Record",
    "RecordMeta",
    "RecordNotFoundError",
    "ReopenRequiredError",
    "Session",
    "SessionError",
    "StoreError",
    "TamperedError",
    "UsernameTakenError",
    "Vault",
    "VaultClosedError",
    "VaultError",
    "VaultExistsError",
    "VaultInUseError",
    "VerifyReport",
    "WrongCodeError",
    "WrongPassphraseError",
    "__version__",
    "crypto",
]
