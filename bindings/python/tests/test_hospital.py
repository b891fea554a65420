"""The hospital from Python: patients with profiles, physicians with weekly hours and leave,
availability search, booking (with two Python threads racing for a slot), cancelling and
attendance, medical history, the staff board and the dashboard, each tried with the roles it
must refuse.

The engine reads the real clock, so every slot lies in the weeks after ``MONDAY``, the first
Monday at least 7 days from today (UTC). Each test books on days of its own, so the tests do
not depend on their order. The hospital (an admin, two physicians, two patients, each logged
in once with a TOTP code computed by pyotp) is shared by the module."""

from __future__ import annotations

import json
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from datetime import time as clock

import pytest

import medvault
from conftest import counter_advances_during, create_vault, enroll


def first_monday_a_week_ahead() -> date:
    day = datetime.now(timezone.utc).date() + timedelta(days=7)
    return day + timedelta(days=(7 - day.weekday()) % 7)


MONDAY = first_monday_a_week_ahead()
TUESDAY = MONDAY + timedelta(days=1)
WEDNESDAY = MONDAY + timedelta(days=2)
#: dr.heart is on leave on the Monday and Tuesday of the week after.
LEAVE = MONDAY + timedelta(days=7)
#: Booking, racing and cancelling happen on the Monday two weeks after, the dashboard's
#: appointments on that Wednesday.
BOOKING_DAY = MONDAY + timedelta(days=14)
DASHBOARD_DAY = MONDAY + timedelta(days=16)
HALF_AN_HOUR = timedelta(minutes=30)

#: Mondays and Wednesdays 09:00-12:00 in 30-minute slots, on leave for two days.
HEART_HOURS = medvault.Schedule(
    available_time=[
        medvault.AvailableTime(days_of_week=["mon", "wed"], start=clock(9), end=clock(12))
    ],
    not_available=[
        medvault.NotAvailable(start=LEAVE, end=LEAVE + timedelta(days=1), description="congress")
    ],
    slot_minutes=30,
)
#: Tuesdays 14:00-16:00 in 1-hour slots.
SKIN_HOURS = medvault.Schedule(
    available_time=[medvault.AvailableTime(days_of_week=["tue"], start=clock(14), end=clock(16))],
    slot_minutes=60,
)


def password(username: str) -> str:
    return f"{username}'s long and unusual passphrase"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, clock(hour, minute))


def mornings(*days: date) -> list[datetime]:
    """dr.heart's slot starts on ``days``: 09:00 to 11:30."""
    return [at(day, 9) + n * HALF_AN_HOUR for day in days for n in range(6)]


def starts(slots: list[medvault.Slot]) -> list[datetime]:
    return [slot.start for slot in slots]


def patient_profile(given: str, family: str, number: str) -> medvault.PatientProfile:
    return medvault.PatientProfile(
        given=given,
        family=family,
        birth_date=date(1984, 3, 9),
        gender="female",
        phone="+41446681800",
        email=f"{given.lower()}@example.org",
        identifiers=[("urn:hospital:number", number)],
    )


@dataclass
class Hospital:
    """A vault with an admin, dr.heart (cardiology), dr.skin (dermatology) and two patients,
    Ada and Bob, registered with profiles; each has one open session."""

    vault: medvault.Vault
    identity: medvault.Identity
    admin: medvault.Session
    heart: medvault.Session
    skin: medvault.Session
    ada: medvault.Session
    bob: medvault.Session


@pytest.fixture(scope="module")
def hospital(tmp_path_factory: pytest.TempPathFactory):
    with create_vault(tmp_path_factory.mktemp("hospital")) as vault, ExitStack() as sessions:
        identity = vault.identity()

        def log_in(username: str, account_id: str) -> medvault.Session:
            person = enroll(identity, username, password(username), account_id)
            return sessions.enter_context(person.login(identity))

        admin = log_in(
            "desk", identity.create_account_as_operator("admin", "desk", password("desk"))
        )
        heart, skin = (
            log_in(username, admin.add_physician(username, password(username), profile))
            for username, profile in [
                (
                    "dr.heart",
                    medvault.PhysicianProfile(
                        given="Hana", family="Doe", specialty=" Cardiology ", schedule=HEART_HOURS
                    ),
                ),
                (
                    "dr.skin",
                    medvault.PhysicianProfile(
                        given=["Sven"], family="Roe", specialty="dermatology", schedule=SKIN_HOURS
                    ),
                ),
            ]
        )
        ada, bob = (
            log_in(
                username, identity.register_patient(username, password(username), profile=profile)
            )
            for username, profile in [
                ("pat.ada", patient_profile("Ada", "Lovelace", "H-1")),
                ("pat.bob", patient_profile("Bob", "Marley", "H-2")),
            ]
        )
        yield Hospital(vault, identity, admin, heart, skin, ada, bob)


# ----- patients -----


def test_a_patient_registers_with_a_profile_enrolls_and_reads_it(hospital: Hospital):
    identity = hospital.identity
    profile = medvault.PatientProfile(
        given="Cy Maria",
        family="Young",
        birth_date=date(1990, 5, 17),
        gender="other",
        phone="+41791234567",
        email="cy@example.org",
        address=medvault.Address(line="Main Street 1", city="Zurich", postal_code="8001"),
        identifiers=[("urn:hospital:number", "H-3")],
    )
    account_id = identity.register_patient("pat.cy", password("pat.cy"), profile=profile)
    cy = enroll(identity, "pat.cy", password("pat.cy"), account_id)
    with identity.login("pat.cy", password("pat.cy"), code=cy.next_code) as session:
        assert (session.account_id, session.role) == (account_id, "patient")
        own = session.patient_profile(account_id)
        assert own == profile
        assert (own.given, own.name, own.birth_date) == (
            ["Cy", "Maria"],
            "Cy Maria Young",
            date(1990, 5, 17),
        )
        assert own.address is not None and own.address.city == "Zurich"
        assert own.identifiers == [("urn:hospital:number", "H-3")]
        moved = own.replace(phone="+41446681800")
        assert moved.email == own.email and moved != own
        session.update_patient_profile(account_id, moved)
    assert hospital.heart.patient_profile(account_id).phone == "+41446681800"

    with pytest.raises(medvault.AccessDeniedError):
        hospital.bob.patient_profile(account_id)
    with pytest.raises(medvault.AccessDeniedError):
        hospital.bob.update_patient_profile(account_id, moved)
    with pytest.raises(medvault.AccessDeniedError):
        hospital.heart.update_patient_profile(account_id, moved)


def test_profiles_are_checked_and_registration_stays_compatible(hospital: Hospital):
    identity = hospital.identity
    future = datetime.now(timezone.utc).date() + timedelta(days=2)
    with pytest.raises(medvault.InvalidInputError):
        identity.register_patient(
            "pat.dee",
            password("pat.dee"),
            profile=patient_profile("Dee", "Doe", "H-4").replace(birth_date=future),
        )
    # The rejected registration left no account behind.
    with pytest.raises(medvault.AccountNotFoundError):
        identity.account("pat.dee")
    with pytest.raises(medvault.UsernameTakenError):
        identity.register_patient(
            "pat.ada", password("pat.ada"), profile=patient_profile("Ada", "Lovelace", "H-1")
        )
    # Ada's hospital number is hers alone.
    with pytest.raises(medvault.IdentifierTakenError):
        identity.register_patient(
            "pat.dee", password("pat.dee"), profile=patient_profile("Dee", "Doe", "H-1")
        )

    # An admin registers a patient at the front desk; a patient may not.
    eve = hospital.admin.register_patient(
        "pat.eve", password("pat.eve"), patient_profile("Eve", "Adams", "H-5")
    )
    assert hospital.admin.patient_profile(eve).name == "Eve Adams"
    with pytest.raises(medvault.AccessDeniedError):
        hospital.ada.register_patient(
            "pat.fay", password("pat.fay"), patient_profile("Fay", "Doe", "H-6")
        )

    # Without a profile, registration works as before; there is no profile to read.
    plain = identity.register_patient("pat.plain", password("pat.plain"))
    with pytest.raises(medvault.NotFoundError) as caught:
        hospital.admin.patient_profile(plain)
    assert isinstance(caught.value, medvault.IdentityError)


# ----- physicians, schedules and availability -----


def test_admins_add_physicians_with_hours_and_leave(hospital: Hospital):
    heart = hospital.ada.physician(hospital.heart.account_id)
    assert (heart.account_id, heart.username, heart.active) == (
        hospital.heart.account_id,
        "dr.heart",
        True,
    )
    assert (heart.profile.name, heart.profile.specialty) == ("Hana Doe", "cardiology")
    assert heart.profile.schedule == HEART_HOURS
    assert heart.profile.schedule.not_available[0].end == LEAVE + timedelta(days=1)
    assert heart.profile.schedule.available_time[0].days_of_week == ["mon", "wed"]
    cardiologists = [p.username for p in hospital.ada.physicians(specialty="Cardiology")]
    assert "dr.heart" in cardiologists and "dr.skin" not in cardiologists

    profile = medvault.PhysicianProfile(given="Nia", family="Poe", specialty="neurology")
    assert profile.schedule.available_time == [] and profile.schedule.slot_minutes == 30
    for session in (hospital.heart, hospital.ada):
        with pytest.raises(medvault.AccessDeniedError):
            session.add_physician("dr.new", password("dr.new"), profile)


def test_free_slots_by_physician_specialty_and_dates(hospital: Hospital):
    ada, heart_id = hospital.ada, hospital.heart.account_id

    # By username (any case), over a week and the first day of leave.
    week = ada.free_slots(MONDAY, LEAVE, physician="DR.HEART")
    assert starts(week) == mornings(MONDAY, WEDNESDAY)
    first = week[0]
    assert (first.physician, first.username, first.name, first.specialty) == (
        heart_id,
        "dr.heart",
        "Hana Doe",
        "cardiology",
    )
    assert first.end == first.start + HALF_AN_HOUR
    # None on the days of leave; back on the Wednesday.
    assert ada.free_slots(LEAVE, LEAVE + timedelta(days=1), physician="dr.heart") == []
    assert starts(ada.free_slots(LEAVE, LEAVE + timedelta(days=2), physician="dr.heart")) == (
        mornings(LEAVE + timedelta(days=2))
    )

    # By specialty (compared trimmed and lowercase).
    skin = ada.free_slots(MONDAY, WEDNESDAY, specialty=" Dermatology")
    assert starts(skin) == [at(TUESDAY, 14), at(TUESDAY, 15)]
    assert {slot.username for slot in skin} == {"dr.skin"}
    assert skin[0].end == at(TUESDAY, 15)

    # By dates alone: everyone, by start.
    assert starts(ada.free_slots(MONDAY, WEDNESDAY)) == (
        mornings(MONDAY) + [at(TUESDAY, 14), at(TUESDAY, 15)] + mornings(WEDNESDAY)
    )
    assert ada.free_slots(LEAVE, LEAVE) == []
    with pytest.raises(medvault.InvalidInputError):
        ada.free_slots(WEDNESDAY, MONDAY)


def test_schedules_change_and_removed_physicians_leave_the_search(hospital: Hospital):
    admin = hospital.admin
    temp = admin.add_physician(
        "dr.temp",
        password("dr.temp"),
        medvault.PhysicianProfile(given="Tim", family="Poe", specialty="general practice"),
    )
    friday = MONDAY + timedelta(days=4)
    assert hospital.ada.free_slots(MONDAY, friday, physician="dr.temp") == []
    fridays = medvault.Schedule(
        available_time=[medvault.AvailableTime(days_of_week=["fri"], start=clock(8), end=clock(9))],
        slot_minutes=20,
    )
    for session in (hospital.heart, hospital.ada):
        with pytest.raises(medvault.AccessDeniedError):
            session.set_schedule(temp, fridays)
    admin.set_schedule(temp, fridays)
    assert starts(hospital.ada.free_slots(MONDAY, friday, physician="dr.temp")) == [
        at(friday, 8),
        at(friday, 8, 20),
        at(friday, 8, 40),
    ]
    with pytest.raises(medvault.InvalidInputError):
        admin.set_schedule(temp, fridays.replace(slot_minutes=1))

    with pytest.raises(medvault.AccessDeniedError):
        hospital.heart.remove_physician(temp)
    admin.remove_physician(temp)
    assert not hospital.ada.physician(temp).active
    assert "dr.temp" not in [p.username for p in hospital.ada.physicians()]
    assert hospital.ada.free_slots(MONDAY, friday, physician="dr.temp") == []


# ----- appointments -----


def test_a_booked_slot_leaves_the_search_and_cannot_be_booked_again(hospital: Hospital):
    ada, bob, heart_id = hospital.ada, hospital.bob, hospital.heart.account_id
    nine = at(BOOKING_DAY, 9)
    before = starts(bob.free_slots(BOOKING_DAY, BOOKING_DAY, physician="dr.heart"))
    assert nine in before

    appointment = ada.book(ada.account_id, heart_id, nine)
    assert (appointment.status, appointment.patient, appointment.physician) == (
        "booked",
        ada.account_id,
        heart_id,
    )
    assert (appointment.start, appointment.end) == (nine, nine + HALF_AN_HOUR)
    assert appointment.booked_by == ada.account_id
    assert appointment.cancelled_by is None and appointment.source is None
    after = starts(bob.free_slots(BOOKING_DAY, BOOKING_DAY, physician="dr.heart"))
    assert after == [start for start in before if start != nine]

    for session in (bob, ada):
        with pytest.raises(medvault.SlotUnavailableError) as caught:
            session.book(session.account_id, heart_id, nine)
        assert isinstance(caught.value, medvault.IdentityError)
    with pytest.raises(medvault.SlotUnavailableError):
        bob.book(bob.account_id, heart_id, at(BOOKING_DAY, 9, 10))  # no slot starts then
    with pytest.raises(medvault.SlotUnavailableError):
        bob.book(bob.account_id, heart_id, at(LEAVE, 9))  # on leave
    with pytest.raises(medvault.AccessDeniedError):
        bob.book(ada.account_id, heart_id, at(BOOKING_DAY, 9, 30))
    with pytest.raises(medvault.AccessDeniedError):
        hospital.heart.book(ada.account_id, heart_id, at(BOOKING_DAY, 9, 30))
    assert appointment in ada.patient_appointments(ada.account_id)
    with pytest.raises(medvault.AccessDeniedError):
        bob.patient_appointments(ada.account_id)


def race(sessions: list[medvault.Session], physician: str, start: datetime) -> list[object]:
    """Each session books the slot for its own patient on a thread of its own, all released
    at once; returns what each call returned or raised."""
    barrier = threading.Barrier(len(sessions))
    outcomes: list[object] = [None] * len(sessions)

    def book(n: int) -> None:
        session = sessions[n]
        barrier.wait()
        try:
            outcomes[n] = session.book(session.account_id, physician, start)
        except Exception as error:  # every outcome is checked by the caller
            outcomes[n] = error

    threads = [threading.Thread(target=book, args=(n,)) for n in range(len(sessions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_threads_racing_for_a_slot_book_it_once(hospital: Hospital):
    heart_id = hospital.heart.account_id
    for start in [at(BOOKING_DAY, 10), at(BOOKING_DAY, 10, 30), at(BOOKING_DAY, 11)]:
        outcomes = race([hospital.ada, hospital.bob], heart_id, start)
        won = [o for o in outcomes if isinstance(o, medvault.Appointment)]
        lost = [o for o in outcomes if isinstance(o, medvault.SlotUnavailableError)]
        assert (len(won), len(lost)) == (1, 1), outcomes
        holders = [
            appointment.id
            for appointment in hospital.admin.physician_appointments(heart_id)
            if appointment.start == start and appointment.status == "booked"
        ]
        assert holders == [won[0].id]


def test_cancelling_frees_the_slot_and_attendance_is_recorded(hospital: Hospital):
    ada, bob, heart_id = hospital.ada, hospital.bob, hospital.heart.account_id
    slot = at(BOOKING_DAY, 11, 30)

    def free() -> list[datetime]:
        return starts(bob.free_slots(BOOKING_DAY, BOOKING_DAY, physician="dr.heart"))

    booked = ada.book(ada.account_id, heart_id, slot)
    assert slot not in free()
    with pytest.raises(medvault.AccessDeniedError):
        bob.cancel(booked.id, "not mine")
    cancelled = ada.cancel(booked.id, "feeling better")
    assert (cancelled.id, cancelled.status) == (booked.id, "cancelled")
    assert (cancelled.cancelled_by, cancelled.cancellation_reason) == (
        ada.account_id,
        "feeling better",
    )
    assert cancelled.cancelled_ms is not None and cancelled.cancelled_ms >= booked.created_ms
    assert "feeling better" not in repr(cancelled)
    assert slot in free()
    with pytest.raises(medvault.InvalidInputError):
        ada.cancel(booked.id, "again")
    with pytest.raises(medvault.NotFoundError):
        ada.cancel("0" * 32, "no such appointment")

    rebooked = bob.book(bob.account_id, heart_id, slot)
    assert slot not in free()
    with pytest.raises(medvault.AccessDeniedError):
        bob.record_attendance(rebooked.id, "arrived")
    assert hospital.heart.record_attendance(rebooked.id, "arrived").status == "arrived"
    assert hospital.admin.record_attendance(rebooked.id, "checked-in").status == "checked-in"
    with pytest.raises(medvault.InvalidInputError):
        hospital.heart.record_attendance(rebooked.id, "booked")  # a status, but no attendance
    statuses = {a.id: a.status for a in hospital.heart.physician_appointments(heart_id)}
    assert (statuses[booked.id], statuses[rebooked.id]) == ("cancelled", "checked-in")


def test_bad_codes_raise_invalid_input(hospital: Hospital):
    with pytest.raises(medvault.InvalidInputError) as caught:
        hospital.heart.record_attendance("0" * 32, "done")
    assert "checked-in" in str(caught.value)
    assert isinstance(caught.value, medvault.MedVaultError)
    with pytest.raises(medvault.InvalidInputError):
        hospital.heart.record_attendance("0" * 32, "Arrived")
    with pytest.raises(medvault.InvalidInputError):
        patient_profile("Ada", "Lovelace", "H-1").replace(gender="F")
    with pytest.raises(medvault.InvalidInputError):
        medvault.AvailableTime(days_of_week=["monday"], start=clock(9), end=clock(10))
    with pytest.raises(medvault.InvalidInputError):
        hospital.ada.patient_profile("not an account id")
    with pytest.raises(medvault.InvalidInputError):
        hospital.admin.write_note("hello", to="dr.heart")  # an account id, not a username
    # Wrong types are Python's TypeErrors: a time zone, a date for a datetime, positionals.
    aware = datetime.combine(BOOKING_DAY, clock(9), tzinfo=timezone.utc)
    with pytest.raises(TypeError):
        hospital.ada.book(hospital.ada.account_id, hospital.heart.account_id, aware)
    with pytest.raises(TypeError):
        hospital.ada.book(hospital.ada.account_id, hospital.heart.account_id, BOOKING_DAY)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        medvault.Address("Main Street 1")  # type: ignore[misc]
    with pytest.raises(TypeError):
        patient_profile("Ada", "Lovelace", "H-1").replace(nickname="Ada")


# ----- medical history -----


def test_physicians_write_history_that_patients_read(hospital: Hospital):
    ada, heart = hospital.ada, hospital.heart
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 300 + b"\x00\xff"

    note = heart.write_encounter_note(ada.account_id, "Palpitations; ECG normal.")
    time.sleep(0.01)  # the timeline sorts by creation time, in milliseconds
    measured = heart.write_observation(
        ada.account_id,
        code="8867-4",
        display="Heart rate",
        value=72.0,
        unit="/min",
        effective=at(MONDAY, 8, 10),
    )
    time.sleep(0.01)
    document = heart.upload_document(
        ada.account_id, pdf, title="ECG report", content_type="application/pdf"
    )

    timeline = ada.timeline(ada.account_id)
    assert [entry.kind for entry in timeline] == ["Encounter", "Observation", "DocumentReference"]
    assert [entry.id for entry in timeline] == [note.id, measured.id, document.id]
    assert timeline[2].labels.get("title") == "ECG report"
    assert all(entry.author == heart.account_id for entry in timeline)
    read = ada.read_record(document.id)
    assert read.payload == pdf
    assert (read.meta.content_type, read.meta.size) == ("application/pdf", len(pdf))
    observation = json.loads(ada.read_record(measured.id).payload)
    assert (observation["code"], observation["value"], observation["unit"]) == (
        "8867-4",
        72.0,
        "/min",
    )
    assert observation["effective"].startswith(at(MONDAY, 8, 10).isoformat())

    # Read-only for the patient, closed to other patients and to admins without break-glass.
    with pytest.raises(medvault.AccessDeniedError):
        ada.write_encounter_note(ada.account_id, "I feel fine")
    with pytest.raises(medvault.AccessDeniedError):
        ada.upload_document(ada.account_id, b"x", title="selfie")
    with pytest.raises(medvault.AccessDeniedError):
        hospital.bob.timeline(ada.account_id)
    with pytest.raises(medvault.AccessDeniedError):
        hospital.admin.timeline(ada.account_id)

    # An amendment keeps version 1 readable.
    amended = heart.amend_record(note.id, b"Palpitations; ECG normal; follow-up in 3 months.")
    assert amended.version == 2
    assert [meta.version for meta in ada.record_history(note.id)] == [1, 2]
    assert ada.read_record_version(note.id, 1).payload == b"Palpitations; ECG normal."
    assert ada.read_record(note.id).payload.endswith(b"follow-up in 3 months.")
    versions = {entry.id: entry.version for entry in ada.timeline(ada.account_id)}
    assert versions == {note.id: 2, measured.id: 1, document.id: 1}
    with pytest.raises(medvault.AccessDeniedError):
        hospital.bob.record_history(note.id)
    with pytest.raises(medvault.AccessDeniedError):
        hospital.bob.read_record_version(note.id, 1)


# ----- the staff board -----


def test_events_and_notes_reach_only_their_audience(hospital: Hospital):
    admin, heart, skin, ada = hospital.admin, hospital.heart, hospital.skin, hospital.ada
    noon = at(WEDNESDAY, 12)
    open_day = admin.publish_event(
        "Open day", start=noon, end=noon + timedelta(hours=1), details="Hall A"
    )
    drill = admin.publish_event(
        "Fire drill", start=noon, end=noon + HALF_AN_HOUR, audience=[heart.account_id]
    )
    assert (open_day.audience, drill.audience) == (None, [heart.account_id])
    assert (open_day.author, open_day.details, open_day.start) == (admin.account_id, "Hall A", noon)
    for session in (heart, ada):
        with pytest.raises(medvault.AccessDeniedError):
            session.publish_event("Party", start=noon, end=noon + HALF_AN_HOUR)

    def titles(session: medvault.Session) -> list[str]:
        return sorted(event.title for event in session.events(MONDAY, WEDNESDAY))

    assert titles(ada) == ["Open day"]
    assert titles(heart) == ["Fire drill", "Open day"]
    assert admin.events(LEAVE, LEAVE) == []
    admin.withdraw_event(drill.id)
    assert titles(heart) == ["Open day"]
    with pytest.raises(medvault.NotFoundError):
        admin.withdraw_event(drill.id)

    to_all = admin.write_note("New triage protocol")
    to_heart = admin.write_note("Your rota changed", to=heart.account_id)
    assert (to_all.to, to_heart.to) == (None, heart.account_id)
    assert "rota" not in repr(to_heart)
    assert sorted(note.text for note in heart.notes()) == [
        "New triage protocol",
        "Your rota changed",
    ]
    assert [note.text for note in skin.notes()] == ["New triage protocol"]
    assert ada.notes() == []
    with pytest.raises(medvault.AccessDeniedError):
        heart.write_note("hello")
    with pytest.raises(medvault.NotFoundError):
        admin.write_note("hello", to=ada.account_id)  # a patient is no physician


# ----- the dashboard -----


def test_the_admin_dashboard_names_the_physician_and_the_patients(hospital: Hospital):
    admin, ada, bob = hospital.admin, hospital.ada, hospital.bob
    heart_id = hospital.heart.account_id
    admin.book(ada.account_id, heart_id, at(DASHBOARD_DAY, 9))
    bob.book(bob.account_id, heart_id, at(DASHBOARD_DAY, 9, 30))
    ada.book(ada.account_id, heart_id, at(DASHBOARD_DAY, 10))  # Ada counts once

    board = admin.dashboard(DASHBOARD_DAY, DASHBOARD_DAY)
    assert (board.first_day, board.last_day) == (DASHBOARD_DAY, DASHBOARD_DAY)
    assert [(count.day, count.patients) for count in board.daily] == [(DASHBOARD_DAY, 2)]
    [top] = board.top_physicians
    assert (top.physician, top.username, top.name) == (heart_id, "dr.heart", "Hana Doe")
    assert {patient.account_id: patient.name for patient in top.patients} == {
        ada.account_id: "Ada Lovelace",
        bob.account_id: "Bob Marley",
    }
    shown = repr(board) + repr(top) + "".join(repr(patient) for patient in top.patients)
    assert "Lovelace" not in shown and "Marley" not in shown
    assert ada.account_id in repr(top.patients[0]) + repr(top.patients[1])

    for session in (hospital.heart, ada):
        with pytest.raises(medvault.AccessDeniedError):
            session.dashboard(DASHBOARD_DAY, DASHBOARD_DAY)
    with pytest.raises(medvault.InvalidInputError):
        admin.dashboard(DASHBOARD_DAY, MONDAY)


# ----- Python specifics -----


def test_an_admin_imports_a_synthea_csv_and_a_second_import_changes_nothing(
    hospital: Hospital,
):
    csv = (
        b"Id,BIRTHDATE,FIRST,LAST,GENDER,PHONE\n"
        b"py-1, 1975/07/04 ,  MARY-JANE ,O'BRIEN,F,617-555-0100\n"
        b"py-2,2023-02-30,Maria,Garcia,F,\n"
        b"py-1,1962-01-01,Joseph,Hill,M,\n"
    )

    def counts(result: medvault.ImportResult) -> tuple[int, int, int, int, int, int]:
        return (
            result.accepted,
            result.rejected,
            result.duplicates,
            result.conflicts,
            result.unchanged,
            result.updated,
        )

    # py-1 again with other demographics is a conflict, not a duplicate.
    dry = hospital.admin.import_data(csv, dry_run=True)
    assert counts(dry) == (1, 1, 0, 1, 0, 0)
    done = hospital.admin.import_data(csv, kind="patients")
    assert counts(done) == (1, 1, 0, 1, 0, 0)
    rows = {row["row"]: row for row in json.loads(done.report_json)["rows"]}
    assert rows[3]["outcome"] == "rejected"
    assert rows[3]["reasons"] == ["BIRTHDATE: no such date"]
    assert rows[4]["duplicate_of"] == 2
    for value in ("Garcia", "Maria", "O'BRIEN", "617", "2023-02-30"):
        assert value not in done.report_json
        assert value not in done.report_csv
    assert counts(hospital.admin.import_data(csv)) == (0, 1, 0, 1, 1, 0)
    assert "Mary" not in repr(done)

    for session in (hospital.heart, hospital.ada):
        with pytest.raises(medvault.AccessDeniedError):
            session.import_data(csv, dry_run=True)
    with pytest.raises(medvault.InvalidInputError):
        hospital.admin.import_data(csv, kind="physicians", dry_run=True)
    with pytest.raises(medvault.InvalidInputError):
        hospital.admin.import_data(csv, kind="wards", dry_run=True)


def test_reprs_show_no_patient_data(hospital: Hospital):
    ada = hospital.ada
    profile = ada.patient_profile(ada.account_id)
    text = repr(profile) + repr(medvault.Address(line="Main Street 1", city="Zurich"))
    for secret in [
        "Ada",
        "Lovelace",
        "1984",
        "female",
        "+41446681800",
        "example.org",
        "H-1",
        "Zurich",
    ]:
        assert secret not in text
    appointment = ada.book(ada.account_id, hospital.heart.account_id, at(DASHBOARD_DAY, 11, 30))
    assert appointment.id in repr(appointment) and ada.account_id in repr(appointment)
    physician = hospital.ada.physician(hospital.heart.account_id)
    assert "dr.heart" in repr(physician) and "cardiology" in repr(physician)


def test_hospital_calls_release_the_gil(hospital: Hospital):
    # Both hash a password (Argon2id), long enough for another thread to run meanwhile.
    assert counter_advances_during(
        lambda: hospital.identity.register_patient(
            "pat.gil", password("pat.gil"), profile=patient_profile("Gil", "Doe", "H-7")
        )
    )
    assert counter_advances_during(
        lambda: hospital.admin.add_physician(
            "dr.gil",
            password("dr.gil"),
            medvault.PhysicianProfile(given="Gil", family="Poe", specialty="cardiology"),
        )
    )
