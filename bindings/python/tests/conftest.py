"""Shared fixtures: vaults in temporary folders, and people with confirmed TOTP factors."""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyotp
import pytest

import medvault

PASSPHRASE = "correct horse battery staple"


def create_vault(folder: Path, passphrase: str | bytes = PASSPHRASE) -> medvault.Vault:
    """A new vault in ``folder/store`` with its index in ``folder/index``."""
    return medvault.Vault.create(
        folder / "store", passphrase=passphrase, index=folder / "index"
    )


@pytest.fixture
def vault(tmp_path: Path):
    with create_vault(tmp_path) as vault:
        yield vault


def wait_for_fresh_step(seconds_left: float = 3.0) -> None:
    """Waits, if needed, until at least ``seconds_left`` remain in the current 30-s TOTP step,
    so that codes computed now stay in their step while the test uses them."""
    remaining = 30 - time.time() % 30
    if remaining < seconds_left:
        time.sleep(remaining + 0.1)


@dataclass
class Person:
    """An account with a confirmed TOTP factor, and what it needs to log in."""

    username: str
    password: str
    account_id: str
    totp: pyotp.TOTP
    recovery_codes: list[str]
    #: The one TOTP code this person may log in with: the step after the confirming one
    #: (a device one step ahead is accepted; the confirming step is used up).
    next_code: str = ""
    used: list[str] = field(default_factory=list)

    def recovery_login(self, identity: medvault.Identity) -> medvault.Session:
        """A new session, paid for with one recovery code (TOTP codes are one per step)."""
        code = self.recovery_codes.pop()
        return identity.login(self.username, self.password, recovery_code=code)

    def login(self, identity: medvault.Identity) -> medvault.Session:
        """A new session: with the TOTP code ``next_code`` the first time, with a recovery
        code after that."""
        if self.next_code in self.used:
            return self.recovery_login(identity)
        self.used.append(self.next_code)
        return identity.login(self.username, self.password, code=self.next_code)


def enroll(identity: medvault.Identity, username: str, password: str, account_id: str) -> Person:
    enrollment = identity.enroll_totp(username, password)
    assert enrollment.account_id == account_id
    totp = pyotp.TOTP(enrollment.secret_base32)
    wait_for_fresh_step()
    identity.confirm_totp(username, password, totp.now())
    return Person(
        username=username,
        password=password,
        account_id=account_id,
        totp=totp,
        recovery_codes=list(enrollment.recovery_codes),
        next_code=totp.at(time.time() + 30),
    )


@dataclass
class Clinic:
    """A vault with a patient, a physician and an admin, each enrolled and confirmed."""

    vault: medvault.Vault
    identity: medvault.Identity
    patient: Person
    physician: Person
    admin: Person


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory):
    with create_vault(tmp_path_factory.mktemp("clinic")) as vault:
        identity = vault.identity()
        people = {}
        for role, username, password in [
            ("patient", "alice", "alice's long and unusual passphrase"),
            ("physician", "dr-house", "the physician's long and unusual passphrase"),
            ("admin", "root-admin", "the admin's long and unusual passphrase"),
        ]:
            if role == "patient":
                account_id = identity.register_patient(username, password)
            else:
                account_id = identity.create_account_as_operator(role, username, password)
            people[role] = enroll(identity, username, password, account_id)
        yield Clinic(vault, identity, people["patient"], people["physician"], people["admin"])


def counter_advances_during(call) -> bool:
    """Whether a Python thread runs while ``call()`` runs on this thread.

    The switch interval is made huge, so that a thread holding the GIL is never forced to
    hand it over: if ``call`` kept the GIL, the counter thread could not run between the two
    reads of the counter. The counter thread hands the GIL back itself (``sleep(0)``)."""
    counter = [0]
    stop = threading.Event()
    started = threading.Event()

    def spin() -> None:
        started.set()
        while not stop.is_set():
            counter[0] += 1
            time.sleep(0)

    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(1000)
    thread = threading.Thread(target=spin)
    try:
        thread.start()
        started.wait()
        before = counter[0]
        call()
        after = counter[0]
    finally:
        stop.set()
        sys.setswitchinterval(old_interval)
        thread.join()
    return after > before
