// The hospital through the Swift bindings: the same story as the Kotlin HospitalTests.
import Foundation
import XCTest

@testable import MedVault

/// The name of a MedVaultError's case, to compare in assertions.
func medVaultKind(_ error: Error) -> String {
    guard let error = error as? MedVaultError else { return "not a MedVaultError: \(error)" }
    switch error {
    case .AccessDenied: return "AccessDenied"
    case .SlotUnavailable: return "SlotUnavailable"
    case .NotFound: return "NotFound"
    case .InvalidInput: return "InvalidInput"
    case .UsernameTaken: return "UsernameTaken"
    case .IdentifierTaken: return "IdentifierTaken"
    case .RecordNotFound: return "RecordNotFound"
    default: return "another MedVaultError: \(error)"
    }
}

/// Asserts that `expression` throws the MedVaultError case named `kind`.
func assertThrows<T>(
    _ kind: String, _ expression: @autoclosure () throws -> T,
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertThrowsError(try expression(), file: file, line: line) { error in
        XCTAssertEqual(medVaultKind(error), kind, file: file, line: line)
    }
}

final class HospitalTests: XCTestCase {
    let passphrase = Data("correct horse battery staple".utf8)
    let password = "a long hospital passphrase"
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func newVault() throws -> Vault {
        try Vault.create(
            location: folder.appendingPathComponent("vault").path,
            passphrase: passphrase,
            index: folder.appendingPathComponent("index").path
        )
    }

    /// `yyyy-MM-dd` of the first Monday at least 7 days from now (UTC, the engine's wall
    /// clock), plus `offset` days: the engine runs on the real clock, so slots must lie ahead.
    func day(_ offset: Int) -> NaiveDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let inAWeek = calendar.date(byAdding: .day, value: 7, to: Date())!
        // weekday: 1 is Sunday, 2 Monday.
        let toMonday = (2 - calendar.component(.weekday, from: inAWeek) + 7) % 7
        let date = calendar.date(byAdding: .day, value: toMonday + offset, to: inAWeek)!
        let formatter = DateFormatter()
        formatter.calendar = calendar
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = calendar.timeZone
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }

    /// Enrolls and confirms each account's TOTP factor with the tests' own client, waits once
    /// for the next time step, and logs every one in.
    func logIn(_ identity: Identity, _ usernames: [String]) throws -> [String: Session] {
        var lastStep: UInt64 = 0
        var secrets: [String: String] = [:]
        for username in usernames {
            let enrollment = try identity.enrollTotp(username: username, password: password, currentCode: nil)
            let (code, step) = Totp.current(secretBase32: enrollment.secretBase32())
            try identity.confirmTotp(username: username, password: password, code: code)
            secrets[username] = enrollment.secretBase32()
            lastStep = max(lastStep, step)
        }
        Totp.waitForStepAfter(lastStep)
        var sessions: [String: Session] = [:]
        for username in usernames {
            let (code, _) = Totp.current(secretBase32: secrets[username]!)
            sessions[username] = try identity.login(username: username, password: password, code: code)
        }
        return sessions
    }

    func testMalformedDatesAreInvalidInputWithoutEchoingThem() throws {
        let identity = try newVault().identity()
        let profile = PatientProfile(
            name: HumanName(given: ["Ada"], family: "Lovelace"), birthDate: "09.03.1984", gender: .female
        )
        XCTAssertThrowsError(try identity.registerPatientWithProfile(
            username: "ada", password: password, profile: profile
        )) { error in
            guard case MedVaultError.InvalidInput(let message) = error else {
                return XCTFail("expected InvalidInput, got \(error)")
            }
            // The binding reads the date before the call runs: it names what it expected.
            XCTAssertTrue(message.contains("invalid date"), message)
            XCTAssertFalse(message.contains("09.03.1984"), message)
        }
        var valid = profile
        valid.birthDate = "1984-02-29"
        XCTAssertEqual(try identity.registerPatientWithProfile(username: "ada", password: password, profile: valid).count, 32)
        assertThrows("UsernameTaken", try identity.registerPatientWithProfile(
            username: "ada", password: password, profile: valid
        ))
    }

    func testHospitalFromRegistrationToDashboard() throws {
        let vault = try newVault()
        let identity = try vault.identity()
        let adaProfile = PatientProfile(
            name: HumanName(given: ["Ada", "Maria"], family: "Lovelace"), birthDate: "1984-03-09",
            gender: .female, contact: Contact(phone: "+41446681800", email: "ada@example.org"),
            address: Address(line: "Bahnhofstrasse 1", city: "Zürich", postalCode: "8001"),
            identifiers: [Identifier(system: "urn:hospital:number", value: "H-1815")]
        )
        let adaId = try identity.registerPatientWithProfile(username: "ada", password: password, profile: adaProfile)
        _ = try identity.registerPatient(username: "bob", password: password)
        let adminId = try identity.operatorCreateAccount(role: .admin, username: "ops.admin", password: password)
        let admin = try logIn(identity, ["ops.admin"])["ops.admin"]!

        // The admin adds a cardiologist: Mondays and Wednesdays 09:00–11:00, on leave on the
        // first Wednesday.
        let hours = Schedule(
            availableTime: [AvailableTime(daysOfWeek: [.mon, .wed], start: "09:00", end: "11:00")],
            notAvailable: [NotAvailable(description: "congress", start: day(2), end: day(2))],
            slotMinutes: 30
        )
        let houseProfile = PhysicianProfile(
            name: HumanName(given: ["Gregory"], family: "House"), specialty: "Cardiology", schedule: hours
        )
        let houseId = try admin.addPhysician(username: "dr.house", password: password, profile: houseProfile)
        var stored = houseProfile
        stored.specialty = "cardiology"
        XCTAssertEqual(try admin.physician(id: houseId).profile, stored)

        let sessions = try logIn(identity, ["ada", "bob", "dr.house"])
        let ada = sessions["ada"]!, bob = sessions["bob"]!, house = sessions["dr.house"]!
        XCTAssertEqual(try ada.patientProfile(patient: adaId), adaProfile)
        assertThrows("AccessDenied", try bob.patientProfile(patient: adaId))
        assertThrows("AccessDenied", try ada.addPhysician(username: "dr.who", password: password, profile: houseProfile))

        // Availability: by username, by specialty, none on leave.
        let week = SlotQuery(physician: "dr.house", from: day(0), to: day(6))
        let monday = ["09:00", "09:30", "10:00", "10:30"].map { "\(day(0))T\($0)" }
        XCTAssertEqual(try ada.freeSlots(query: week).map(\.start), monday)
        XCTAssertEqual(try ada.freeSlots(query: SlotQuery(specialty: "cardiology", from: day(0), to: day(6))).map(\.start), monday)
        XCTAssertEqual(try ada.freeSlots(query: SlotQuery(from: day(2), to: day(2))), [])
        XCTAssertEqual(try ada.physicians(specialty: "cardiology").map(\.username), ["dr.house"])

        // Booking: the slot leaves the search, cannot be booked twice, returns when cancelled.
        let booked = try ada.book(patient: adaId, physician: houseId, start: monday[1])
        XCTAssertEqual(booked.status, .booked)
        XCTAssertEqual(booked.bookedBy, adaId)
        XCTAssertEqual(try ada.freeSlots(query: week).map(\.start), [monday[0], monday[2], monday[3]])
        assertThrows("SlotUnavailable", try ada.book(patient: adaId, physician: houseId, start: monday[1]))
        assertThrows("InvalidInput", try ada.book(patient: adaId, physician: houseId, start: "next Monday"))
        let cancelled = try ada.cancel(appointment: booked.id, reason: "I have to travel")
        XCTAssertEqual(cancelled.status, .cancelled)
        XCTAssertEqual(cancelled.cancellation?.reason, "I have to travel")
        XCTAssertEqual(try ada.freeSlots(query: week).map(\.start), monday)
        assertThrows("NotFound", try ada.cancel(appointment: String(repeating: "0", count: 32), reason: "none"))

        // History: a note, an observation and a document of raw bytes on the timeline.
        let note = try house.writeEncounterNote(patient: adaId, text: "Palpitations; ECG normal.")
        let measured = try house.writeObservation(patient: adaId, observation: Observation(
            code: "8867-4", display: "Heart rate", value: 72.5, unit: "/min", effective: "\(day(-7))T08:15"
        ))
        let bytes = Data("%PDF-1.7\n".utf8) + Data((0...255).map { UInt8($0) })
        let letter = try house.uploadDocument(
            patient: adaId, title: "Discharge letter", contentType: "application/pdf", content: bytes
        )
        let timeline = try ada.timeline(patient: adaId)
        XCTAssertEqual(
            Dictionary(uniqueKeysWithValues: timeline.map { ($0.id, $0.kind) }),
            [note.id: "Encounter", measured.id: "Observation", letter.id: "DocumentReference"]
        )
        XCTAssertEqual(try ada.readRecord(id: letter.id).payload, bytes)
        assertThrows("AccessDenied", try ada.writeEncounterNote(patient: adaId, text: "I feel fine"))

        // An amendment keeps version 1 readable.
        _ = try house.amendRecord(id: note.id, payload: Data("Palpitations; ECG normal; follow-up.".utf8))
        XCTAssertEqual(try ada.recordHistory(record: note.id).map(\.version), [1, 2])
        XCTAssertEqual(try ada.readRecordVersion(record: note.id, version: 1).payload, Data("Palpitations; ECG normal.".utf8))
        assertThrows("AccessDenied", try bob.recordHistory(record: note.id))

        // The board: a public event, a note to the physician.
        let event = try admin.publishEvent(event: NewEvent(
            title: "Open day", start: "\(day(3))T12:00", end: "\(day(3))T13:00", audience: .everyone
        ))
        XCTAssertEqual(try ada.events(from: day(3), to: day(3)).map(\.id), [event.id])
        let toHouse = try admin.writeNote(to: .physician(houseId), text: "Please sign your letters.")
        XCTAssertEqual(try house.notes().map(\.id), [toHouse.id])
        XCTAssertEqual(try ada.notes(), [])
        assertThrows("AccessDenied", try ada.writeNote(to: .allPhysicians, text: "Hello doctors"))

        // The dashboard: the physician with the patient.
        let kept = try ada.book(patient: adaId, physician: houseId, start: monday[2])
        XCTAssertEqual(try house.recordAttendance(appointment: kept.id, status: .arrived).status, .arrived)
        let dashboard = try admin.dashboard(from: day(0), to: day(6))
        XCTAssertEqual(dashboard.topPhysicians.map(\.username), ["dr.house"])
        XCTAssertEqual(dashboard.topPhysicians.first?.patients, [PatientRef(account: adaId, name: "Ada Maria Lovelace")])
        XCTAssertEqual(dashboard.daily.map(\.patients), [1, 0, 0, 0, 0, 0, 0])
        assertThrows("AccessDenied", try house.dashboard(from: day(0), to: day(6)))
        assertThrows("InvalidInput", try admin.dashboard(from: "today", to: day(6)))
        XCTAssertEqual(try admin.physician(id: houseId).account, houseId)
        XCTAssertNotEqual(adminId, houseId)
    }
}
