"""People: registration, TOTP enrollment with an independent client (pyotp), logins,
sessions and the access policy. The clinic (one patient, physician and admin) is shared by
the module; each person has exactly one TOTP login (the step after the confirming one), so
other sessions are opened with recovery codes."""

from __future__ import annotations

import time

import pytest

import medvault
from conftest import Clinic, enroll, wait_for_fresh_step


def test_totp_login_then_replayed_code(clinic: Clinic):
    physician = clinic.physician
    wait_for_fresh_step()
    with clinic.identity.login(
        physician.username, physician.password, code=physician.next_code
    ) as session:
        assert (session.account_id, session.role) == (physician.account_id, "physician")
        assert session.username == physician.username
    with pytest.raises(medvault.CodeReplayedError) as caught:
        clinic.identity.login(physician.username, physician.password, code=physician.next_code)
    assert isinstance(caught.value, medvault.AuthenticationError)
    assert physician.next_code not in str(caught.value)


def test_wrong_password_and_wrong_code(clinic: Clinic):
    patient = clinic.patient
    with pytest.raises(medvault.InvalidCredentialsError):
        clinic.identity.login(patient.username, "not the password", code="000000")
    with pytest.raises(medvault.WrongCodeError):
        clinic.identity.login(patient.username, patient.password, code=wrong_code(patient))
    with pytest.raises(medvault.WrongCodeError):
        clinic.identity.login(patient.username, patient.password, recovery_code="not-a-code")


def wrong_code(person) -> str:
    """A code of the right shape that none of the accepted steps (now, one either side) has."""
    accepted = {person.totp.at(time.time() + drift) for drift in (-30, 0, 30)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


def test_too_many_wrong_codes_lock_the_factor_until_a_recovery_code(clinic: Clinic):
    identity = clinic.identity
    password = "erin's long and unusual passphrase"
    erin = enroll(identity, "erin", password, identity.register_patient("erin", password))
    failures = 0
    with pytest.raises(medvault.FactorLockedError):
        while failures < 20:
            try:
                identity.login("erin", password, code=wrong_code(erin))
            except medvault.WrongCodeError:
                failures += 1
    assert failures >= 1
    assert identity.account("erin").factor == "locked"
    with erin.recovery_login(identity) as session:
        assert session.username == "erin"
    assert identity.account("erin").factor == "active"


def test_exactly_one_second_factor(clinic: Clinic):
    patient = clinic.patient
    with pytest.raises(medvault.InvalidInputError):
        clinic.identity.login(patient.username, patient.password)
    with pytest.raises(medvault.InvalidInputError):
        clinic.identity.login(patient.username, patient.password, code="1", recovery_code="2")
    with pytest.raises(TypeError):
        clinic.identity.login(patient.username, patient.password, "123456")  # type: ignore[misc]


def test_physician_writes_patient_reads_and_lists_history(clinic: Clinic):
    patient, physician = clinic.patient, clinic.physician
    with physician.recovery_login(clinic.identity) as doctor:
        first = doctor.write_record(
            patient.account_id, b"diagnosis: flu", kind="diagnosis", content_type="text/plain"
        )
        amended = doctor.amend_record(first.id, b"diagnosis: common cold")
        second = doctor.write_record(patient.account_id, b"rest and fluids", kind="prescription")
    assert (amended.id, amended.version) == (first.id, 2)
    assert first.content_type == "text/plain"

    with patient.recovery_login(clinic.identity) as me:
        record = me.read_record(first.id)
        assert record.payload == b"diagnosis: common cold"
        assert record.meta.version == 2
        listed = {meta.id: meta for meta in me.list_records(patient.account_id)}
        assert {first.id, second.id} <= set(listed)
    assert [m.version for m in clinic.vault.history(first.id)] == [1, 2]
    assert clinic.vault.get_version(first.id, 1).payload == b"diagnosis: flu"


def test_patient_may_not_write(clinic: Clinic):
    patient = clinic.patient
    with patient.recovery_login(clinic.identity) as me:
        with pytest.raises(medvault.AccessDeniedError) as caught:
            me.write_record(patient.account_id, b"self-diagnosis", kind="note")
        assert isinstance(caught.value, medvault.IdentityError)


def test_leaving_the_with_block_logs_out(clinic: Clinic):
    with clinic.patient.recovery_login(clinic.identity) as session:
        session.list_records(clinic.patient.account_id)
    with pytest.raises(medvault.SessionError):
        session.list_records(clinic.patient.account_id)
    # An explicit logout inside the block does not make the exit fail.
    with clinic.patient.recovery_login(clinic.identity) as session:
        session.logout()
    with pytest.raises(medvault.SessionError):
        session.logout()


def test_admin_creates_accounts_and_reads_the_audit_trail(clinic: Clinic):
    admin = clinic.admin
    with admin.recovery_login(clinic.identity) as session:
        new_id = session.create_account("physician", "dr-new", "a fresh and unusual passphrase")
        trail = session.audit_trail()
    assert trail and all(event["resourceType"] == "AuditEvent" for event in trail)
    accounts = {info.username: info for info in clinic.identity.accounts()}
    assert accounts["dr-new"].id == new_id
    assert accounts["dr-new"].factor == "none"
    assert accounts["alice"].role == "patient" and accounts["alice"].factor == "active"
    assert clinic.identity.account("dr-new") == accounts["dr-new"]
    assert clinic.vault.verify_audit().entries >= len(trail)


def test_account_errors(clinic: Clinic):
    with pytest.raises(medvault.UsernameTakenError):
        clinic.identity.register_patient("alice", "another long and unusual passphrase")
    with pytest.raises(medvault.PasswordRejectedError):
        clinic.identity.register_patient("bob", "123")
    with pytest.raises(medvault.InvalidInputError):
        clinic.identity.create_account_as_operator("surgeon", "carol", "a long passphrase here")
    with pytest.raises(medvault.AccountNotFoundError):
        clinic.identity.account("nobody")
    with pytest.raises(medvault.FactorStateError):
        clinic.identity.confirm_totp("alice", clinic.patient.password, "123456")


def test_reprs_hold_no_secrets(clinic: Clinic):
    identity = clinic.identity
    identity.register_patient("dave", "dave's long and unusual passphrase")
    enrollment = identity.enroll_totp("dave", "dave's long and unusual passphrase")
    text = repr(enrollment)
    assert enrollment.account_id in text
    secrets = [enrollment.secret_base32, enrollment.otpauth_uri, *enrollment.recovery_codes]
    assert all(secret not in text for secret in secrets)
    assert enrollment.qr_png.startswith(b"\x89PNG")
    assert enrollment.otpauth_uri.startswith("otpauth://totp/")
    assert len(enrollment.recovery_codes) == 10

    with clinic.patient.recovery_login(identity) as session:
        text = repr(session)
        assert clinic.patient.account_id in text
        assert clinic.patient.password not in text
        assert not any(name for name in dir(session) if "token" in name)


def test_a_person_changes_their_password_and_removes_their_factor(clinic: Clinic):
    identity = clinic.identity
    old, new = "frank's long and unusual passphrase", "frank's new and unusual passphrase"
    frank = enroll(identity, "frank", old, identity.register_patient("frank", old))
    session = frank.recovery_login(identity)
    with pytest.raises(medvault.InvalidInputError):
        identity.change_password("frank", old, new)
    with pytest.raises(medvault.PasswordRejectedError):
        identity.change_password("frank", old, "123", recovery_code=frank.recovery_codes.pop())
    identity.change_password("frank", old, new, recovery_code=frank.recovery_codes.pop())
    with pytest.raises(medvault.SessionError):
        session.list_records(frank.account_id)
    with pytest.raises(medvault.InvalidCredentialsError):
        identity.login("frank", old, recovery_code=frank.recovery_codes.pop())
    frank.password = new
    with frank.recovery_login(identity) as again:
        assert again.username == "frank"

    identity.remove_totp("frank", new, recovery_code=frank.recovery_codes.pop())
    assert identity.account("frank").factor == "none"
    with pytest.raises(medvault.FactorStateError):
        identity.login("frank", new, recovery_code=frank.recovery_codes.pop())


def lock(identity: medvault.Identity, person) -> None:
    """Locks ``person``'s factor with wrong codes."""
    with pytest.raises(medvault.FactorLockedError):
        for _ in range(20):
            try:
                identity.login(person.username, person.password, code=wrong_code(person))
            except medvault.WrongCodeError:
                pass
    assert identity.account(person.username).factor == "locked"


def test_admin_unlocks_breaks_glass_and_removes_accounts(clinic: Clinic):
    identity = clinic.identity
    password = "grace's long and unusual passphrase"
    grace = enroll(identity, "grace", password, identity.register_patient("grace", password))
    with clinic.physician.recovery_login(identity) as doctor:
        note = doctor.write_record(grace.account_id, b"chest pain", kind="note")
    with clinic.admin.recovery_login(identity) as admin:
        lock(identity, grace)
        admin.unlock_factor(grace.account_id)
        assert identity.account("grace").factor == "active"
        lock(identity, grace)
        identity.unlock_factor("grace")
        assert identity.account("grace").factor == "active"

        with pytest.raises(medvault.AccessDeniedError):
            admin.read_record(note.id)
        with pytest.raises(medvault.InvalidInputError):
            admin.grant_break_glass(grace.account_id, "")
        admin.grant_break_glass(grace.account_id, "unconscious in the emergency room", minutes=5)
        assert admin.read_record(note.id).payload == b"chest pain"
        assert "unconscious in the emergency room" in str(admin.audit_trail())

        admin.remove_account(grace.account_id)
        with pytest.raises(medvault.AccountNotFoundError):
            identity.account("grace")
        identity.create_account_as_operator("physician", "dr-short", "a short-lived passphrase")
        identity.remove_account("dr-short")
        with pytest.raises(medvault.AccountNotFoundError):
            identity.account("dr-short")
        with pytest.raises(medvault.InvalidInputError):
            identity.remove_account(clinic.admin.username)
