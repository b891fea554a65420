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

Sessions also reach the hospital: patient profiles, physicians and their schedules, free
slots and appointments, medical history, events and notes, and the admin dashboard. Dates
are ``datetime.date``, instants naive ``datetime.datetime`` (the hospital's wall-clock time);
codes are lowercase strings (``"female"``, ``"mon"``, ``"booked"``)::

    slots = session.free_slots(date(2030, 6, 3), date(2030, 6, 9), specialty="cardiology")
    appointment = session.book(patient_id, slots[0].physician, slots[0].start)

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
    Address,
    Appointment,
    AuditReport,
    AuthenticationError,
    AvailableTime,
    CodeReplayedError,
    CorruptError,
    CryptoError,
    DailyCount,
    Dashboard,
    Enrollment,
    Event,
    FactorLockedError,
    FactorStateError,
    GcReport,
    Identity,
    IdentityError,
    ImportResult,
    InvalidCredentialsError,
    InvalidInputError,
    MedVaultError,
    NewRecord,
    NoVaultError,
    NotAvailable,
    NotFoundError,
    Note,
    PasswordRejectedError,
    PatientProfile,
    PatientRef,
    Physician,
    PhysicianPatients,
    PhysicianProfile,
    Record,
    RecordMeta,
    RecordNotFoundError,
    ReopenRequiredError,
    Schedule,
    Session,
    SessionError,
    Slot,
    SlotUnavailableError,
    StoreError,
    TamperedError,
    UsernameTakenError,
    IdentifierTakenError,
    Vault,
    VaultClosedError,
    VaultError,
    VaultExistsError,
    VaultInUseError,
    VerifyReport,
    WeakPassphraseError,
    WrongCodeError,
    WrongPassphraseError,
    __version__,
)

__all__ = [
    "AccessDeniedError",
    "AccountInfo",
    "AccountNotFoundError",
    "Address",
    "Appointment",
    "AuditReport",
    "AuthenticationError",
    "AvailableTime",
    "CodeReplayedError",
    "CorruptError",
    "CryptoError",
    "DailyCount",
    "Dashboard",
    "Enrollment",
    "Event",
    "FactorLockedError",
    "FactorStateError",
    "GcReport",
    "Identity",
    "IdentityError",
    "ImportResult",
    "InvalidCredentialsError",
    "InvalidInputError",
    "MedVaultError",
    "NewRecord",
    "NoVaultError",
    "NotAvailable",
    "NotFoundError",
    "Note",
    "PasswordRejectedError",
    "PatientProfile",
    "PatientRef",
    "Physician",
    "PhysicianPatients",
    "PhysicianProfile",
    "Record",
    "RecordMeta",
    "RecordNotFoundError",
    "ReopenRequiredError",
    "Schedule",
    "Session",
    "SessionError",
    "Slot",
    "SlotUnavailableError",
    "StoreError",
    "TamperedError",
    "UsernameTakenError",
    "IdentifierTakenError",
    "Vault",
    "VaultClosedError",
    "VaultError",
    "VaultExistsError",
    "VaultInUseError",
    "VerifyReport",
    "WeakPassphraseError",
    "WrongCodeError",
    "WrongPassphraseError",
    "__version__",
    "crypto",
]
