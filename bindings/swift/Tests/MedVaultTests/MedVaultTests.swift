// The Swift bindings against the real library: the same story as the Kotlin tests.
import Foundation
import XCTest

#if canImport(CryptoKit)
import CryptoKit
#else
import Crypto
#endif

@testable import MedVault

/// An independent RFC 6238 TOTP client (HMAC-SHA1), to compute the codes the engine checks.
enum Totp {
    static func base32Decode(_ text: String) -> Data {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bits = 0
        var value = 0
        var out = Data()
        for char in text.uppercased() where char != "=" {
            guard let index = alphabet.firstIndex(of: char) else { continue }
            value = (value << 5) | index
            bits += 5
            if bits >= 8 {
                out.append(UInt8((value >> (bits - 8)) & 0xff))
                bits -= 8
            }
        }
        return out
    }

    static func code(secret: Data, unixSeconds: UInt64, digits: Int = 6, step: UInt64 = 30) -> String {
        var counter = (unixSeconds / step).bigEndian
        let message = Data(bytes: &counter, count: 8)
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let binary = (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16)
            | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let text = String(binary % modulus)
        return String(repeating: "0", count: digits - text.count) + text
    }

    /// A code for now, waiting first if the current step ends within 2 s.
    static func current(secretBase32: String) -> (code: String, step: UInt64) {
        var now = UInt64(Date().timeIntervalSince1970)
        if now % 30 >= 28 {
            Thread.sleep(forTimeInterval: Double(30 - now % 30) + 0.1)
            now = UInt64(Date().timeIntervalSince1970)
        }
        return (code(secret: base32Decode(secretBase32), unixSeconds: now), now / 30)
    }

    /// Sleeps until the TOTP step after `step` has begun.
    static func waitForStepAfter(_ step: UInt64) {
        while UInt64(Date().timeIntervalSince1970) / 30 <= step {
            Thread.sleep(forTimeInterval: 0.2)
        }
    }
}

final class MedVaultTests: XCTestCase {
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

    func testTotpClientMatchesRfc6238Vectors() {
        let secret = Data("12345678901234567890".utf8)
        let vectors: [(UInt64, String)] = [
            (59, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"), (2_000_000_000, "69279037"), (20_000_000_000, "65353130"),
        ]
        for (time, expected) in vectors {
            XCTAssertEqual(Totp.code(secret: secret, unixSeconds: time, digits: 8), expected)
        }
    }

    func testRecordsRoundTripThroughTheRawVault() throws {
        let vault = try newVault()
        let payload = Data("HbA1c 6.1%".utf8)
        let meta = try vault.put(
            record: NewRecord(scope: "patient-17", kind: "lab-result", labels: ["unit": "%"]),
            payload: payload
        )
        XCTAssertEqual(meta.version, 1)
        XCTAssertEqual(try vault.get(id: meta.id).payload, payload)
        XCTAssertEqual(try vault.getRange(id: meta.id, start: 0, end: 5), Data("HbA1c".utf8))
        let amended = try vault.amend(id: meta.id, payload: Data("HbA1c 6.0%".utf8))
        XCTAssertEqual(amended.version, 2)
        XCTAssertEqual(try vault.history(id: meta.id).map(\.version), [1, 2])
        XCTAssertEqual(try vault.listScope(scope: "patient-17").map(\.id), [meta.id])

        try vault.insertDocument(document: Document(
            collection: "wards", id: "4b", body: #"{"beds":12}"#, fields: ["floor": "4"]
        ))
        XCTAssertEqual(try vault.getDocument(collection: "wards", id: "4b")?.body, #"{"beds":12}"#)
        XCTAssertEqual(try vault.findDocuments(collection: "wards", field: "floor", value: "4").count, 1)
        try vault.close()
    }

    func testPatientAndPhysicianLogInAndShareAHistory() throws {
        let vault = try newVault()
        let identity = try vault.identity()
        let patientId = try identity.registerPatient(username: "ada", password: password)
        _ = try identity.operatorCreateAccount(role: .physician, username: "dr.lin", password: password)

        var lastStep: UInt64 = 0
        var secrets: [String: String] = [:]
        for username in ["ada", "dr.lin"] {
            let enrollment = try identity.enrollTotp(username: username, password: password, currentCode: nil)
            XCTAssertEqual(enrollment.recoveryCodes().count, 10)
            XCTAssertFalse(String(describing: enrollment).contains(enrollment.secretBase32()))
            let (code, step) = Totp.current(secretBase32: enrollment.secretBase32())
            try identity.confirmTotp(username: username, password: password, code: code)
            secrets[username] = enrollment.secretBase32()
            lastStep = max(lastStep, step)
        }
        Totp.waitForStepAfter(lastStep)

        let (doctorCode, _) = Totp.current(secretBase32: secrets["dr.lin"]!)
        let doctor = try identity.login(username: "dr.lin", password: password, code: doctorCode)
        XCTAssertEqual(doctor.account().role, .physician)
        XCTAssertThrowsError(try identity.login(username: "dr.lin", password: password, code: doctorCode)) { error in
            guard case MedVaultError.CodeReplayed(let message) = error else {
                return XCTFail("expected CodeReplayed, got \(error)")
            }
            XCTAssertTrue(message.contains("already used"))
        }

        let note = try doctor.writeRecord(
            patient: patientId, kind: "encounter-note", contentType: "text/plain",
            payload: Data("Seen for follow-up.".utf8)
        )
        _ = try doctor.amendRecord(id: note.id, payload: Data("Seen for follow-up; BP 120/80.".utf8))

        let (patientCode, _) = Totp.current(secretBase32: secrets["ada"]!)
        let patient = try identity.login(username: "ada", password: password, code: patientCode)
        XCTAssertFalse(String(describing: patient).contains(patientCode))
        let history = try patient.listRecords(patient: patientId)
        XCTAssertEqual(history.map(\.id), [note.id])
        XCTAssertEqual(try patient.readRecord(id: note.id).payload, Data("Seen for follow-up; BP 120/80.".utf8))
        XCTAssertEqual(try vault.history(id: note.id).count, 2)

        XCTAssertThrowsError(try patient.writeRecord(
            patient: patientId, kind: "note", contentType: "text/plain", payload: Data("x".utf8)
        )) { error in
            guard case MedVaultError.AccessDenied = error else {
                return XCTFail("expected AccessDenied, got \(error)")
            }
        }
        try patient.logout()
        XCTAssertThrowsError(try patient.listRecords(patient: patientId)) { error in
            guard case MedVaultError.SessionInvalid = error else {
                return XCTFail("expected SessionInvalid, got \(error)")
            }
        }
        XCTAssertGreaterThan(try vault.verifyAudit().entries, 0)
    }

    func testMaintenanceSyncVerifyRebuildGcAndShred() throws {
        let vault = try newVault()
        let kept = try vault.put(record: NewRecord(scope: "ward-7", kind: "scan", labels: [:]),
                                 payload: Data(repeating: 1, count: 100_000))
        let gone = try vault.put(record: NewRecord(scope: "ward-7", kind: "scan", labels: [:]),
                                 payload: Data(repeating: 2, count: 100_000))
        XCTAssertEqual(try vault.sync(), 0)
        try vault.delete(id: gone.id)
        // The deleted record's payload object is referred to by nothing now.
        XCTAssertEqual(try vault.gc(minAgeSeconds: 0).objectsRemoved, 1)
        XCTAssertGreaterThanOrEqual(try vault.rebuild(fromCheckpoint: false), 3)
        XCTAssertGreaterThanOrEqual(try vault.rebuild(fromCheckpoint: true), 3)
        let report = try vault.verify()
        XCTAssertTrue(report.isSound)
        XCTAssertEqual(report.versionsOk, 1)
        XCTAssertEqual(try vault.shredScope(scope: "ward-7"), 1)
        XCTAssertThrowsError(try vault.get(id: kept.id)) { error in
            guard case MedVaultError.RecordNotFound = error else {
                return XCTFail("expected RecordNotFound, got \(error)")
            }
        }
        try vault.close()
    }

    func testPassphraseChangeAndRootRotationKeepTheRecords() throws {
        let vault = try newVault()
        let id = try vault.put(record: NewRecord(scope: "ward-7", kind: "note", labels: [:]),
                               payload: Data("kept".utf8)).id
        let newPassphrase = Data("a second and unusual passphrase".utf8)
        try vault.changePassphrase(old: passphrase, new: newPassphrase)
        try vault.rotateRoot(passphrases: [newPassphrase])
        try vault.close()
        let reopened = try Vault.open(
            location: folder.appendingPathComponent("vault").path,
            passphrase: newPassphrase,
            index: folder.appendingPathComponent("index").path
        )
        XCTAssertEqual(try reopened.get(id: id).payload, Data("kept".utf8))
    }

    func testPasswordChangeFactorRemovalAndAccountRemoval() throws {
        let vault = try newVault()
        let identity = try vault.identity()
        _ = try identity.registerPatient(username: "carol", password: password)
        let enrollment = try identity.enrollTotp(username: "carol", password: password, currentCode: nil)
        let (code, _) = Totp.current(secretBase32: enrollment.secretBase32())
        try identity.confirmTotp(username: "carol", password: password, code: code)
        // The next step's code, as a device one step ahead shows it.
        let ahead = {
            Totp.code(secret: Totp.base32Decode(enrollment.secretBase32()),
                      unixSeconds: UInt64(Date().timeIntervalSince1970) + 30)
        }
        let newPassword = "carol: a new and unusual passphrase"
        try identity.changePassword(username: "carol", password: password, code: ahead(), newPassword: newPassword)
        XCTAssertThrowsError(try identity.login(username: "carol", password: password, code: ahead())) { error in
            guard case MedVaultError.InvalidCredentials = error else {
                return XCTFail("expected InvalidCredentials, got \(error)")
            }
        }
        Totp.waitForStepAfter(UInt64(Date().timeIntervalSince1970) / 30)
        try identity.removeTotp(username: "carol", password: newPassword, code: ahead())
        XCTAssertEqual(try identity.operatorAccounts().first { $0.username == "carol" }?.factor, FactorState.none)
        try identity.operatorRemoveAccount(username: "carol")
        XCTAssertTrue(try identity.operatorAccounts().allSatisfy { $0.username != "carol" })
        try vault.close()
    }

    func testAWeakPassphraseCreatesNoVault() throws {
        let location = folder.appendingPathComponent("vault").path
        XCTAssertThrowsError(try Vault.create(
            location: location,
            passphrase: Data("x".utf8),
            index: folder.appendingPathComponent("index").path
        )) { error in
            guard case MedVaultError.WeakPassphrase(let message) = error else {
                return XCTFail("expected WeakPassphrase, got \(error)")
            }
            XCTAssertEqual(
                message, "the new passphrase is too weak: it must have at least 12 characters")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: location))
        try newVault().close()
    }

    func testWrongPassphraseAndBadInputAreTypedErrors() throws {
        let vault = try newVault()
        try vault.close()
        XCTAssertThrowsError(try Vault.open(
            location: folder.appendingPathComponent("vault").path,
            passphrase: Data("not the passphrase".utf8),
            index: folder.appendingPathComponent("index").path
        )) { error in
            guard case MedVaultError.WrongPassphrase(let message) = error else {
                return XCTFail("expected WrongPassphrase, got \(error)")
            }
            XCTAssertTrue(message.contains("wrong passphrase"))
        }
        let reopened = try Vault.open(
            location: folder.appendingPathComponent("vault").path,
            passphrase: passphrase,
            index: folder.appendingPathComponent("index").path
        )
        XCTAssertThrowsError(try reopened.get(id: "not-a-record-id")) { error in
            guard case MedVaultError.InvalidInput = error else {
                return XCTFail("expected InvalidInput, got \(error)")
            }
        }
    }
}
