package org.medvault.tests

import org.medvault.AccountId
import org.medvault.Address
import org.medvault.AppointmentStatus
import org.medvault.Audience
import org.medvault.AvailableTime
import org.medvault.Contact
import org.medvault.Gender
import org.medvault.HumanName
import org.medvault.Identifier
import org.medvault.ImportKind
import org.medvault.ImportResult
import org.medvault.MedVaultException
import org.medvault.NewEvent
import org.medvault.NoteAudience
import org.medvault.NotAvailable
import org.medvault.Observation
import org.medvault.PatientProfile
import org.medvault.PhysicianProfile
import org.medvault.Role
import org.medvault.Schedule
import org.medvault.SlotQuery
import org.medvault.Weekday
import java.time.DayOfWeek
import java.time.LocalDate
import java.time.LocalDateTime
import java.time.LocalTime
import java.time.ZoneOffset
import java.time.temporal.TemporalAdjusters
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** This day at `time` (`09:30`). */
private fun LocalDate.at(time: String): LocalDateTime = atTime(LocalTime.parse(time))

/**
 * The hospital in the [Clinic]'s vault: a patient who registered with her profile, and two
 * physicians the clinic's admin added with their practice; the patient and one physician
 * enrolled in TOTP and logged in. Built once, on first use, by [get].
 *
 * The engine runs on the real clock, so the calendar starts at [monday], the first Monday at
 * least 7 days from today (UTC, the engine's wall clock). Each test has its own week, so that
 * the slots each one expects do not depend on what the others booked:
 * week 1 searches (the cardiologist is on leave on its Wednesday), week 2 searches by dates,
 * week 3 books and cancels, week 4 is on the dashboard.
 */
class Ward private constructor() {
    val clinic = Clinic.get()
    val monday: LocalDate = LocalDate.now(ZoneOffset.UTC).plusDays(7)
        .with(TemporalAdjusters.nextOrSame(DayOfWeek.MONDAY))

    /** The Monday of week `n` (from 1). */
    fun week(n: Long): LocalDate = monday.plusWeeks(n - 1)

    val adaProfile = PatientProfile(
        name = HumanName(given = listOf("Ada", "Maria"), family = "Lovelace"),
        birthDate = LocalDate.of(1984, 3, 9),
        gender = Gender.FEMALE,
        contact = Contact(phone = "+41446681800", email = "ada@example.org"),
        address = Address(line = "Bahnhofstrasse 1", city = "Zürich", state = "ZH", postalCode = "8001"),
        identifiers = listOf(Identifier(system = "urn:hospital:number", value = "H-1815")),
    )

    /** Mondays and Wednesdays 09:00–11:00 in 30-minute slots; on leave week 1's Wednesday. */
    val cardiologyHours = Schedule(
        availableTime = listOf(
            AvailableTime(daysOfWeek = listOf(Weekday.MON, Weekday.WED), start = LocalTime.of(9, 0), end = LocalTime.of(11, 0)),
        ),
        notAvailable = listOf(
            NotAvailable(description = "congress", start = monday.plusDays(2), end = monday.plusDays(2)),
        ),
        slotMinutes = 30u,
    )

    val houseProfile = PhysicianProfile(
        name = HumanName(given = listOf("Gregory"), family = "House"),
        specialty = " Cardiology ",
        contact = Contact(email = "house@example.org"),
        schedule = cardiologyHours,
    )

    /** Tuesdays 14:00–15:00 in 20-minute slots. */
    val skinProfile = PhysicianProfile(
        name = HumanName(given = listOf("Sven"), family = "Skarsgard"),
        specialty = "dermatology",
        schedule = Schedule(
            availableTime = listOf(
                AvailableTime(daysOfWeek = listOf(Weekday.TUE), start = LocalTime.of(14, 0), end = LocalTime.of(15, 0)),
            ),
            slotMinutes = 20u,
        ),
    )

    /** The patient, registered by herself with [adaProfile]. */
    val ada: Person

    /** The cardiologist, added by the admin with [houseProfile]. */
    val house: Person

    /** The dermatologist's account id (never logged in). */
    val skinId: AccountId

    init {
        val admin = clinic.admin.session
        val adaId = clinic.identity.registerPatientWithProfile("ada", Clinic.password("ada"), adaProfile)
        val houseId = admin.addPhysician("dr.house", Clinic.password("dr.house"), houseProfile)
        skinId = admin.addPhysician("dr.skin", Clinic.password("dr.skin"), skinProfile)
        val people = clinic.logIn(
            listOf(Triple("ada", Role.PATIENT, adaId), Triple("dr.house", Role.PHYSICIAN, houseId)),
        )
        ada = people[0]
        house = people[1]
    }

    companion object {
        private var built: Result<Ward>? = null

        /** The ward, built on first call; if that failed, the same failure again. */
        @Synchronized
        fun get(): Ward {
            val result = built ?: runCatching { Ward() }.also { built = it }
            return result.getOrElse { throw IllegalStateException("the ward could not be set up", it) }
        }
    }
}

/**
 * The hospital through sessions, over the [Ward]. Runs after the identity tests, which
 * expect the clinic to hold only their own four accounts.
 */
val hospitalTests = listOf(
    test("hospital: a patient registers with a profile, logs in with TOTP and reads it") {
        val ward = Ward.get()
        val ada = ward.ada
        val account = ada.session.account()
        assertEquals(ada.id, account.id)
        assertEquals(Role.PATIENT, account.role)
        assertEquals(ward.adaProfile, ada.session.patientProfile(ada.id))
        // Her physician reads it too; she changes her phone number.
        assertEquals(ward.adaProfile, ward.house.session.patientProfile(ada.id))
        val moved = ward.adaProfile.copy(contact = ward.adaProfile.contact.copy(phone = "+41791234567"), address = null)
        ada.session.updatePatientProfile(ada.id, moved)
        assertEquals(moved, ada.session.patientProfile(ada.id))
        ada.session.updatePatientProfile(ada.id, ward.adaProfile)
        assertEquals(ward.adaProfile, ada.session.patientProfile(ada.id))

        // A front desk (an admin) registers a patient with a profile for them.
        val cyProfile = ward.adaProfile.copy(
            name = HumanName(given = listOf("Cy"), family = "Young"),
            gender = Gender.MALE,
            contact = Contact(),
            address = null,
            identifiers = emptyList(),
        )
        val cy = ward.clinic.admin.session.registerPatient("cy.young", Clinic.password("cy.young"), cyProfile)
        assertEquals(cyProfile, ward.clinic.admin.session.patientProfile(cy))
        assertFailsWith<MedVaultException.UsernameTaken> {
            ward.clinic.identity.registerPatientWithProfile("ada", Clinic.password("ada"), ward.adaProfile)
        }
        // Ada's hospital number is hers alone.
        assertFailsWith<MedVaultException.IdentifierTaken> {
            ward.clinic.identity.registerPatientWithProfile("dee", Clinic.password("dee"), ward.adaProfile)
        }
    },
    test("hospital: another patient may not read or change a patient's profile or history") {
        val ward = Ward.get()
        val alice = ward.clinic.alice.session
        val ada = ward.ada
        assertFailsWith<MedVaultException.AccessDenied> { alice.patientProfile(ada.id) }
        assertFailsWith<MedVaultException.AccessDenied> { alice.updatePatientProfile(ada.id, ward.adaProfile) }
        assertFailsWith<MedVaultException.AccessDenied> { alice.timeline(ada.id) }
        assertFailsWith<MedVaultException.AccessDenied> { alice.patientAppointments(ada.id) }
        assertFailsWith<MedVaultException.AccessDenied> {
            alice.book(ada.id, ward.house.id, ward.week(1).at("09:00"))
        }
        assertFailsWith<MedVaultException.AccessDenied> {
            ada.session.registerPatient("eve", Clinic.password("eve"), ward.adaProfile)
        }
        assertEquals(ward.adaProfile, ada.session.patientProfile(ada.id), "still hers, unchanged")
    },
    test("hospital: the admin adds physicians with weekly hours and leave") {
        val ward = Ward.get()
        val admin = ward.clinic.admin.session
        val house = admin.physician(ward.house.id)
        assertEquals(ward.house.id, house.account)
        assertEquals("dr.house", house.username)
        assertTrue(house.active)
        // Stored with its specialty trimmed and lowercase; the hours and leave as given.
        assertEquals(ward.houseProfile.copy(specialty = "cardiology"), house.profile)
        assertEquals(LocalTime.of(15, 0), admin.physician(ward.skinId).profile.schedule.availableTime.single().end)
        assertEquals(listOf("dr.house"), ward.ada.session.physicians("CARDIOLOGY").map { it.username })
        assertEquals(listOf("dr.skin"), ward.ada.session.physicians("dermatology").map { it.username })
        val everyone = ward.ada.session.physicians(null).map { it.username }
        assertTrue(everyone.containsAll(listOf("dr.house", "dr.skin")), "$everyone")
        assertEquals(Role.PHYSICIAN, ward.house.session.account().role)

        // The physician keeps their own hours; neither they nor a patient may add physicians.
        ward.house.session.setSchedule(ward.house.id, ward.cardiologyHours)
        assertFailsWith<MedVaultException.AccessDenied> {
            ward.ada.session.setSchedule(ward.house.id, ward.cardiologyHours)
        }
        assertFailsWith<MedVaultException.AccessDenied> {
            ward.house.session.addPhysician("dr.who", Clinic.password("dr.who"), ward.houseProfile)
        }
        assertFailsWith<MedVaultException.AccessDenied> {
            ward.ada.session.addPhysician("dr.who", Clinic.password("dr.who"), ward.houseProfile)
        }
        assertFailsWith<MedVaultException.NotFound> { admin.physician(ward.ada.id) }
    },
    test("availability: by physician and by specialty, none on the leave day") {
        val ward = Ward.get()
        val ada = ward.ada.session
        val monday = ward.week(1)
        val sunday = monday.plusDays(6)
        val mondaySlots = listOf("09:00", "09:30", "10:00", "10:30").map { monday.at(it) }

        val byUsername = ada.freeSlots(SlotQuery(physician = "dr.house", from = monday, to = sunday))
        assertEquals(mondaySlots, byUsername.map { it.start }, "Monday only: Wednesday is leave")
        assertEquals(listOf("09:30", "10:00", "10:30", "11:00").map { monday.at(it) }, byUsername.map { it.end })
        val first = byUsername.first()
        assertEquals(ward.house.id, first.physician)
        assertEquals("Gregory House", first.name)
        assertEquals("cardiology", first.specialty)

        val bySpecialty = ada.freeSlots(SlotQuery(specialty = "Cardiology", from = monday, to = sunday))
        assertEquals(mondaySlots, bySpecialty.map { it.start })
        assertTrue(bySpecialty.all { it.username == "dr.house" })

        val skin = ada.freeSlots(SlotQuery(specialty = "dermatology", from = monday, to = sunday))
        assertEquals(listOf("14:00", "14:20", "14:40").map { monday.plusDays(1).at(it) }, skin.map { it.start })
        assertTrue(skin.all { it.physician == ward.skinId })

        val leaveDay = monday.plusDays(2)
        assertEquals(emptyList(), ada.freeSlots(SlotQuery(physician = "dr.house", from = leaveDay, to = leaveDay)))
        assertEquals(emptyList(), ada.freeSlots(SlotQuery(physician = "nobody", from = monday, to = sunday)))
    },
    test("availability: by date range, every physician's slots in order") {
        val ward = Ward.get()
        val monday = ward.week(2)
        val tuesday = monday.plusDays(1)
        val wednesday = monday.plusDays(2)
        val slots = ward.ada.session.freeSlots(SlotQuery(from = monday, to = wednesday))
        val expected = listOf("09:00", "09:30", "10:00", "10:30").map { "dr.house" to monday.at(it) } +
            listOf("14:00", "14:20", "14:40").map { "dr.skin" to tuesday.at(it) } +
            listOf("09:00", "09:30", "10:00", "10:30").map { "dr.house" to wednesday.at(it) }
        assertEquals(expected, slots.map { it.username to it.start })
        val tuesdayOnly = ward.ada.session.freeSlots(SlotQuery(from = tuesday, to = tuesday))
        assertEquals(listOf("14:00", "14:20", "14:40").map { tuesday.at(it) }, tuesdayOnly.map { it.start })
    },
    test("appointments: a booked slot leaves the search, cannot be booked again, and returns when cancelled") {
        val ward = Ward.get()
        val ada = ward.ada
        val day = ward.week(3)
        val query = SlotQuery(physician = "dr.house", from = day, to = day)
        fun starts() = ada.session.freeSlots(query).map { it.start }
        val all = listOf("09:00", "09:30", "10:00", "10:30").map { day.at(it) }
        assertEquals(all, starts())

        val booked = ada.session.book(ada.id, ward.house.id, day.at("09:30"))
        assertEquals(AppointmentStatus.BOOKED, booked.status)
        assertEquals(ada.id, booked.patient)
        assertEquals(ward.house.id, booked.physician)
        assertEquals(ada.id, booked.bookedBy)
        assertNull(booked.source)
        assertEquals(day.at("09:30"), booked.start)
        assertEquals(day.at("10:00"), booked.end)
        assertNull(booked.cancellation)
        assertEquals(all - day.at("09:30"), starts())

        assertFailsWith<MedVaultException.SlotUnavailable> { ada.session.book(ada.id, ward.house.id, day.at("09:30")) }
        // 09:15 is no slot at all.
        assertFailsWith<MedVaultException.SlotUnavailable> { ada.session.book(ada.id, ward.house.id, day.at("09:15")) }
        assertEquals(listOf(booked), ada.session.patientAppointments(ada.id).filter { it.id == booked.id })
        assertTrue(ward.house.session.physicianAppointments(ward.house.id).any { it.id == booked.id })

        val cancelled = ada.session.cancel(booked.id, "I have to travel")
        assertEquals(AppointmentStatus.CANCELLED, cancelled.status)
        val cancellation = assertNotNull(cancelled.cancellation)
        assertEquals(ada.id, cancellation.by)
        assertEquals("I have to travel", cancellation.reason)
        assertTrue(cancellation.atMs >= booked.createdMs)
        assertEquals(all, starts(), "free again")
        assertEquals(
            AppointmentStatus.CANCELLED,
            ada.session.patientAppointments(ada.id).single { it.id == booked.id }.status,
        )
        assertFailsWith<MedVaultException.NotFound> { ada.session.cancel("0".repeat(32), "no such appointment") }

        // Free again: bookable again.
        val again = ada.session.book(ada.id, ward.house.id, day.at("09:30"))
        assertEquals(AppointmentStatus.BOOKED, again.status)
        ward.house.session.cancel(again.id, "the physician is ill")
    },
    test("history: notes, observations and documents on the patient's timeline") {
        val ward = Ward.get()
        val ada = ward.ada
        val doctor = ward.house.session
        val note = doctor.writeEncounterNote(ada.id, "Palpitations; ECG normal.")
        val observation = Observation(
            code = "8867-4", display = "Heart rate", value = 72.5, unit = "/min",
            effective = LocalDate.now(ZoneOffset.UTC).at("08:15"),
        )
        val measured = doctor.writeObservation(ada.id, observation)
        // Every byte value, and no valid UTF-8: the bytes cross as bytes.
        val pdf = "%PDF-1.7\n".toByteArray() + ByteArray(256) { it.toByte() } + byteArrayOf(0xC3.toByte(), 0x28)
        val letter = doctor.uploadDocument(ada.id, "Discharge letter", "application/pdf", pdf)
        assertEquals(pdf.size.toULong(), letter.size)
        assertEquals(ward.house.id, note.author)

        val timeline = ada.session.timeline(ada.id)
        assertEquals(
            mapOf(note.id to "Encounter", measured.id to "Observation", letter.id to "DocumentReference"),
            timeline.associate { it.id to it.kind },
        )
        assertEquals("Discharge letter", timeline.single { it.id == letter.id }.labels["title"])
        assertEquals(timeline.map { it.id }.toSet(), doctor.timeline(ada.id).map { it.id }.toSet())

        val read = ada.session.readRecord(letter.id)
        assertContentEquals(pdf, read.payload)
        assertEquals("application/pdf", read.meta.contentType)
        assertContentEquals("Palpitations; ECG normal.".toByteArray(), ada.session.readRecord(note.id).payload)
        val json = ada.session.readRecord(measured.id).payload.decodeToString()
        assertTrue("\"code\":\"8867-4\"" in json && "72.5" in json, json)

        assertFailsWith<MedVaultException.AccessDenied> { ada.session.writeEncounterNote(ada.id, "I feel fine") }
        assertFailsWith<MedVaultException.AccessDenied> { ada.session.writeObservation(ada.id, observation) }
        assertFailsWith<MedVaultException.AccessDenied> {
            ada.session.uploadDocument(ada.id, "Selfie", "image/png", byteArrayOf(1, 2, 3))
        }
        assertFailsWith<MedVaultException.AccessDenied> { ward.clinic.admin.session.timeline(ada.id) }
        assertFailsWith<MedVaultException.InvalidInput> { doctor.writeEncounterNote(ada.id, "   ") }
    },
    test("history: an amendment keeps version 1 readable") {
        val ward = Ward.get()
        val ada = ward.ada
        val doctor = ward.house.session
        val first = "Prescribed metformin 500 mg.".toByteArray()
        val second = "Prescribed metformin 1000 mg.".toByteArray()
        val note = doctor.writeEncounterNote(ada.id, first.decodeToString())
        val amended = doctor.amendRecord(note.id, second)
        assertEquals(note.id, amended.id)
        assertEquals(2UL, amended.version)

        assertEquals(listOf(1UL, 2UL), ada.session.recordHistory(note.id).map { it.version })
        val v1 = ada.session.readRecordVersion(note.id, 1UL)
        assertContentEquals(first, v1.payload)
        assertEquals(1UL, v1.meta.version)
        assertContentEquals(second, ada.session.readRecordVersion(note.id, 2UL).payload)
        assertContentEquals(second, ada.session.readRecord(note.id).payload)
        assertEquals(2UL, ada.session.timeline(ada.id).single { it.id == note.id }.version)

        assertFailsWith<MedVaultException.AccessDenied> { ada.session.amendRecord(note.id, "edited".toByteArray()) }
        assertFailsWith<MedVaultException.AccessDenied> { ward.clinic.alice.session.recordHistory(note.id) }
        assertFailsWith<MedVaultException.AccessDenied> { ward.clinic.alice.session.readRecordVersion(note.id, 1UL) }
        assertFailsWith<MedVaultException.RecordNotFound> { ada.session.readRecordVersion(note.id, 3UL) }
    },
    test("board: events and notes reach only their audience") {
        val ward = Ward.get()
        val admin = ward.clinic.admin.session
        val thursday = ward.week(1).plusDays(3)
        val everyone = Audience.Everyone
        val openDay = admin.publishEvent(
            NewEvent(title = "Open day", start = thursday.at("12:00"), end = thursday.at("13:00"), audience = everyone),
        )
        assertEquals(ward.clinic.admin.id, openDay.author)
        assertEquals(thursday.at("12:00"), openDay.event.start)
        assertEquals(everyone, openDay.event.audience)
        val drill = admin.publishEvent(
            NewEvent(
                title = "Fire drill", details = "Meet at the car park.", start = thursday.at("08:00"),
                end = thursday.at("08:30"), audience = Audience.Accounts(listOf(ward.house.id)),
            ),
        )
        assertEquals(Audience.Accounts(listOf(ward.house.id)), drill.event.audience)
        val (from, to) = thursday to thursday
        assertEquals(listOf("Open day"), ward.ada.session.events(from, to).map { it.event.title })
        assertEquals(listOf("Fire drill", "Open day"), ward.house.session.events(from, to).map { it.event.title })
        assertEquals(emptyList(), ward.ada.session.events(thursday.plusDays(1), thursday.plusDays(2)))
        assertFailsWith<MedVaultException.AccessDenied> {
            ward.house.session.publishEvent(NewEvent(title = "Party", start = thursday.at("18:00"), end = thursday.at("23:00"), audience = everyone))
        }
        assertFailsWith<MedVaultException.InvalidInput> {
            admin.publishEvent(
                NewEvent(title = "No one", start = thursday.at("18:00"), end = thursday.at("19:00"), audience = Audience.Accounts(emptyList())),
            )
        }
        admin.withdrawEvent(openDay.id)
        assertEquals(emptyList(), ward.ada.session.events(from, to))
        assertFailsWith<MedVaultException.NotFound> { admin.withdrawEvent(openDay.id) }

        val toAll = admin.writeNote(NoteAudience.AllPhysicians, "Flu vaccines are in.")
        val toHouse = admin.writeNote(NoteAudience.Physician(ward.house.id), "Please sign your letters.")
        assertEquals(NoteAudience.AllPhysicians, toAll.to)
        assertEquals(NoteAudience.Physician(ward.house.id), toHouse.to)
        val read = ward.house.session.notes()
        assertEquals(setOf(toAll.id, toHouse.id), read.map { it.id }.toSet())
        assertTrue(read.zipWithNext().all { (a, b) -> a.createdMs >= b.createdMs }, "newest first")
        assertEquals(emptyList(), ward.ada.session.notes())
        assertFailsWith<MedVaultException.AccessDenied> { ward.ada.session.writeNote(NoteAudience.AllPhysicians, "Hello doctors") }
        assertFailsWith<MedVaultException.AccessDenied> { ward.house.session.writeNote(NoteAudience.AllPhysicians, "Hello colleagues") }
    },
    test("dashboard: the admin sees the physician and the patient") {
        val ward = Ward.get()
        val ada = ward.ada
        val admin = ward.clinic.admin.session
        val monday = ward.week(4)
        val appointment = ada.session.book(ada.id, ward.house.id, monday.at("10:00"))
        val arrived = ward.house.session.recordAttendance(appointment.id, AppointmentStatus.ARRIVED)
        assertEquals(AppointmentStatus.ARRIVED, arrived.status)
        assertFailsWith<MedVaultException.AccessDenied> {
            ada.session.recordAttendance(appointment.id, AppointmentStatus.FULFILLED)
        }
        assertFailsWith<MedVaultException.InvalidInput> {
            ward.house.session.recordAttendance(appointment.id, AppointmentStatus.BOOKED)
        }

        val dashboard = admin.dashboard(monday, monday.plusDays(6))
        assertEquals(monday, dashboard.from)
        assertEquals(monday.plusDays(6), dashboard.to)
        val top = dashboard.topPhysicians.single()
        assertEquals(ward.house.id, top.physician)
        assertEquals("dr.house", top.username)
        assertEquals("Gregory House", top.name)
        assertEquals(ada.id, top.patients.single().account)
        assertEquals("Ada Maria Lovelace", top.patients.single().name)
        assertEquals((0L..6L).map { monday.plusDays(it) }, dashboard.daily.map { it.day })
        assertEquals(listOf(1UL, 0UL, 0UL, 0UL, 0UL, 0UL, 0UL), dashboard.daily.map { it.patients })

        assertFailsWith<MedVaultException.AccessDenied> { ward.house.session.dashboard(monday, monday) }
        assertFailsWith<MedVaultException.AccessDenied> { ada.session.dashboard(monday, monday) }
        assertFailsWith<MedVaultException.InvalidInput> { admin.dashboard(monday.plusDays(1), monday) }
    },
    test("input: malformed account ids throw InvalidInput without repeating them; the engine checks dates") {
        val ward = Ward.get()
        val ada = ward.ada
        val session = ada.session
        val monday = ward.week(1)
        // Account ids cross as strings: a malformed one fails the call, typed, before it runs.
        for (id in listOf("ada", "", "0".repeat(31), "g".repeat(32), "${ward.house.id} ")) {
            val error = assertFailsWith<MedVaultException.InvalidInput>(id) { session.book(ada.id, id, monday.at("09:00")) }
            val message = error.message.orEmpty()
            assertTrue("account id" in message, message)
            if (id.isNotBlank()) assertFalse(id.trim() in message, "the message repeats the input")
        }
        assertFailsWith<MedVaultException.InvalidInput> { session.patientProfile("not-an-id") }
        assertFailsWith<MedVaultException.InvalidInput> {
            session.writeNote(NoteAudience.Physician("dr.house"), "to a username, not an id")
        }
        // Checked by the engine: a birth date in the future, a slot length of 2 minutes, a
        // slot search that ends before it starts, hours that end before they start.
        assertFailsWith<MedVaultException.InvalidInput> {
            ward.clinic.identity.registerPatientWithProfile("zed", Clinic.password("zed"), ward.adaProfile.copy(birthDate = monday))
        }
        assertFailsWith<MedVaultException.InvalidInput> {
            ward.house.session.setSchedule(ward.house.id, ward.cardiologyHours.copy(slotMinutes = 2u))
        }
        assertFailsWith<MedVaultException.InvalidInput> {
            session.freeSlots(SlotQuery(physician = "dr.house", from = monday, to = monday.minusDays(1)))
        }
        assertFailsWith<MedVaultException.InvalidInput> {
            ward.house.session.setSchedule(
                ward.house.id,
                ward.cardiologyHours.copy(
                    availableTime = listOf(AvailableTime(listOf(Weekday.FRI), LocalTime.of(11, 0), LocalTime.of(9, 0))),
                ),
            )
        }
        assertEquals(ward.houseProfile.copy(specialty = "cardiology"), session.physician(ward.house.id).profile, "unchanged")
    },
    test("hospital: an admin imports a Synthea CSV, dry run first; importing it again changes nothing") {
        val ward = Ward.get()
        val admin = ward.clinic.admin.session
        val csv = """
            Id,BIRTHDATE,FIRST,LAST,GENDER
            kt-1, 1975/07/04 ,  MARY-JANE ,O'BRIEN,F
            kt-2,2023-02-30,Maria,Garcia,F
            kt-1,1962-01-01,Joseph,Hill,M
        """.trimIndent().toByteArray()
        fun counts(result: ImportResult) =
            listOf(result.accepted, result.rejected, result.duplicates, result.conflicts, result.unchanged, result.updated)

        // kt-1 again with other demographics is a conflict, not a duplicate.
        val dry = admin.importData(csv, null, true)
        assertEquals(listOf(1uL, 1uL, 0uL, 1uL, 0uL, 0uL), counts(dry))
        val done = admin.importData(csv, ImportKind.PATIENTS, false)
        assertEquals(counts(dry), counts(done))
        assertTrue("BIRTHDATE: no such date" in done.reportJson, done.reportJson)
        assertTrue(done.reportCsv.startsWith("row,locator,kind,source_id,outcome,reasons,duplicate_of"))
        for (value in listOf("Garcia", "Maria", "O'BRIEN", "2023-02-30")) {
            assertFalse(value in done.reportJson, "the report quotes $value")
        }
        assertEquals(listOf(0uL, 1uL, 0uL, 1uL, 1uL, 0uL), counts(admin.importData(csv, null, false)))

        assertFailsWith<MedVaultException.AccessDenied> { ward.house.session.importData(csv, null, true) }
        assertFailsWith<MedVaultException.AccessDenied> { ward.ada.session.importData(csv, null, true) }
        assertFailsWith<MedVaultException.InvalidInput> {
            admin.importData("Id,BIRTHDATE,FIRST,LAST,GENDER\n".toByteArray(), ImportKind.PHYSICIANS, true)
        }
    },
)
