//! The audit trail on a folder store: it verifies and counts its entries; editing, removing,
//! reordering or adding log batch files on disk is detected; its FHIR export has the fields
//! auditors read; and neither the export nor any file of the vault holds a secret.
#![allow(clippy::expect_used, clippy::panic)]

#[path = "../../tests/common/mod.rs"]
mod common;
mod people;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use common::{Backend, Fixture, all_files};
use medvault::vault::{LogLayout, NewRecord, RecordId, Vault, VaultError};
use medvault_identity::audit::{Actor, AuditAction, AuditRecord, LoginFailure, Outcome};
use medvault_identity::{
    AccountId, Identity, IdentityConfig, IdentityError, LoginCode, ManualClock, Role, SessionToken,
};
use people::now_secs;

const PASSWORD: &str = "Quartz-Pelican-Harbour-5521";
const PHYSICIAN: &str = "dr.quimby-zx81";
const PATIENT: &str = "pat.fernsby-qk27";
const UNKNOWN_USER: &str = "nobody.vrrmx-19";
/// Text that appears in every record payload, and must appear in no file.
const MARKER: &str = "PAYLOAD-MARKER-diagnosis-zebra-4711";
/// 2023-11-14T22:13:20Z.
const START_MS: i64 = 1_700_000_000_000;

/// A log batch file and how many audit entries it holds, when one step wrote it alone.
#[derive(Clone, Debug)]
struct Batch {
    path: PathBuf,
    audit_entries: Option<u64>,
    step: &'static str,
}

/// What must not leak: every secret the setup handled.
#[derive(Default)]
struct Secrets {
    texts: Vec<String>,
    bytes: Vec<Vec<u8>>,
}

impl Secrets {
    fn text(&mut self, text: &str) {
        self.texts.push(text.to_owned());
    }
}

struct Setup {
    fixture: Fixture,
    vault: Vault,
    identity: Identity,
    clock: Arc<ManualClock>,
    /// The store folder.
    folder: PathBuf,
    /// Every log batch file, in the order written.
    batches: Vec<Batch>,
    /// The audit entries verify_audit counted after the setup.
    entries: u64,
    secrets: Secrets,
    physician: (AccountId, SessionToken),
    patient: (AccountId, SessionToken),
    records: Vec<RecordId>,
}

/// Every log batch file under the store folder, sorted by writer then sequence.
fn batch_files(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(writers) = std::fs::read_dir(folder.join("log")) else {
        return files;
    };
    for writer in writers {
        let writer = writer.expect("writer folder").path();
        for batch in std::fs::read_dir(&writer).expect("read writer folder") {
            files.push(batch.expect("batch file").path());
        }
    }
    files.sort();
    files
}

/// The name of batch `sequence` next to `batch` (same writer).
fn sibling(batch: &Path, sequence: u64) -> PathBuf {
    batch
        .parent()
        .expect("writer folder")
        .join(format!("{sequence:016x}"))
}

fn sequence_of(batch: &Path) -> u64 {
    let name = batch.file_name().expect("name").to_str().expect("utf-8");
    u64::from_str_radix(name, 16).expect("a batch name")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|window| window == needle)
}

/// Whether `haystack` holds `needle` as a word of its own: not inside a longer run of letters
/// and digits. A 6-digit TOTP code is looked for this way, so that it is not found by chance
/// inside a timestamp or a hex id.
fn contains_word(haystack: &[u8], needle: &[u8]) -> bool {
    let n = needle.len();
    !needle.is_empty()
        && haystack.windows(n).enumerate().any(|(at, window)| {
            window == needle
                && (at == 0 || !haystack[at - 1].is_ascii_alphanumeric())
                && haystack
                    .get(at + n)
                    .is_none_or(|next| !next.is_ascii_alphanumeric())
        })
}

/// RFC 4648 base32 without padding, as authenticator apps take TOTP secrets.
fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut buffer, mut bits, mut out) = (0u32, 0u32, Vec::new());
    for c in text.bytes().filter(|&c| c != b'=') {
        let value = ALPHABET.iter().position(|&a| a == c).expect("base32 digit");
        buffer = (buffer << 5) | u32::try_from(value).expect("small");
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xff).expect("a byte"));
        }
    }
    out
}

fn assert_tampered<T: std::fmt::Debug>(result: Result<T, VaultError>, what: &str) {
    match result {
        Err(VaultError::AuditTampered(reason)) => {
            assert!(!reason.is_empty(), "{what}: an empty reason");
        }
        other => panic!("{what}: expected AuditTampered, got {other:?}"),
    }
}

impl Setup {
    /// Notes the batch files `step` wrote and checks that the trail still verifies.
    async fn step(&mut self, step: &'static str) {
        let known: Vec<&PathBuf> = self.batches.iter().map(|batch| &batch.path).collect();
        let new: Vec<PathBuf> = batch_files(&self.folder)
            .into_iter()
            .filter(|path| !known.contains(&path))
            .collect();
        let report = self.vault.verify_audit().await.expect("the trail verifies");
        assert_eq!(report.writers, 1, "{step}");
        let added = report.entries - self.entries;
        self.entries = report.entries;
        let count = match (new.len(), added) {
            (0, added) => {
                assert_eq!(added, 0, "{step}: entries without a batch");
                return;
            }
            (1, added) => Some(added),
            (_, 0) => Some(0),
            _ => None,
        };
        for path in new {
            self.batches.push(Batch {
                path,
                audit_entries: count,
                step,
            });
        }
    }

    /// Creates an account as the operator, enrolls and confirms its factor, logs it in.
    async fn account(&mut self, role: Role, username: &str) -> (AccountId, SessionToken) {
        let id = self
            .identity
            .operator_create_account(role, username, PASSWORD)
            .await
            .expect("create account");
        self.step("create account").await;
        let enrollment = self
            .identity
            .enroll_totp(username, PASSWORD, None)
            .await
            .expect("enroll");
        self.step("enroll").await;
        self.secrets.text(&enrollment.factor.secret_base32());
        self.secrets
            .bytes
            .push(base32_decode(&enrollment.factor.secret_base32()));
        self.secrets.text(&enrollment.otpauth_uri);
        for code in &enrollment.recovery_codes {
            self.secrets.text(code.as_str());
        }
        let code = enrollment.factor.code_at(now_secs(&self.clock));
        self.identity
            .confirm_totp(username, PASSWORD, &code)
            .await
            .expect("confirm");
        self.step("confirm").await;
        self.secrets.text(&code);
        self.clock.advance(Duration::from_secs(30));
        let code = enrollment.factor.code_at(now_secs(&self.clock));
        let outcome = self
            .identity
            .login(username, PASSWORD, LoginCode::Totp(&code))
            .await
            .expect("login");
        self.step("login").await;
        self.secrets.text(&code);
        self.secrets.text(outcome.token.as_str());
        (id, outcome.token)
    }

    /// The batches that hold audit entries, as far as the setup could tell.
    fn audited(&self) -> Vec<Batch> {
        self.batches
            .iter()
            .filter(|batch| batch.audit_entries.is_some_and(|n| n > 0))
            .cloned()
            .collect()
    }

    /// An audited batch from the middle of the log.
    fn middle(&self) -> Batch {
        let audited = self.audited();
        audited[audited.len() / 2].clone()
    }
}

/// A vault on a folder store with two accounts logged in, failed logins, records written,
/// amended, listed and read, and a refusal, across many log batches.
async fn setup() -> Setup {
    // One object per batch, so that the tests can remove, reorder and forge whole batches;
    // the same tampering inside segments is tested in the engine's `log_segments` tests.
    let fixture = Fixture::new(Backend::Folder).with_log(LogLayout::ObjectPerBatch);
    let vault = fixture.create("a").await;
    let folder = fixture.store_folder.clone().expect("a folder store");
    let clock = Arc::new(ManualClock::new(START_MS));
    let identity = Identity::with_config(vault.clone(), IdentityConfig::default(), clock.clone());
    let mut secrets = Secrets::default();
    for text in [PASSWORD, PHYSICIAN, PATIENT, UNKNOWN_USER, MARKER] {
        secrets.text(text);
    }
    let mut setup = Setup {
        batches: batch_files(&folder)
            .into_iter()
            .map(|path| Batch {
                path,
                audit_entries: None,
                step: "create vault",
            })
            .collect(),
        entries: vault.verify_audit().await.expect("verify").entries,
        fixture,
        vault,
        identity,
        clock,
        folder,
        secrets,
        physician: (
            AccountId::from_bytes([0; 16]),
            SessionToken::from_string(String::new()),
        ),
        patient: (
            AccountId::from_bytes([0; 16]),
            SessionToken::from_string(String::new()),
        ),
        records: Vec::new(),
    };
    setup.physician = setup.account(Role::Physician, PHYSICIAN).await;
    setup.patient = setup.account(Role::Patient, PATIENT).await;

    // Failed logins: a wrong password, an unknown user, a wrong code.
    let failed = setup
        .identity
        .login(PHYSICIAN, "Not-The-Password-123", LoginCode::Totp("123456"))
        .await;
    assert!(matches!(failed, Err(IdentityError::InvalidCredentials)));
    setup.step("wrong password").await;
    let failed = setup
        .identity
        .login(UNKNOWN_USER, PASSWORD, LoginCode::Totp("123456"))
        .await;
    assert!(matches!(failed, Err(IdentityError::InvalidCredentials)));
    setup.step("unknown user").await;
    let failed = setup
        .identity
        .login(PATIENT, PASSWORD, LoginCode::Totp("12345"))
        .await;
    assert!(
        matches!(failed, Err(IdentityError::WrongCode)),
        "{failed:?}"
    );
    setup.step("wrong code").await;

    // Records: small ones inline in the log, a large one in an object of its own.
    let (patient, patient_token) = setup.patient.clone();
    let physician_token = setup.physician.1.clone();
    for (n, len) in [(1, 0), (2, 0), (3, 200 * 1024)] {
        let mut payload = format!("note {n}: {MARKER}; blood pressure 120/80. ").into_bytes();
        while payload.len() < len {
            payload.extend_from_slice(MARKER.as_bytes());
        }
        let meta = setup
            .identity
            .write_record(&physician_token, patient, "note", "text/plain", &payload)
            .await
            .expect("write record");
        setup.records.push(meta.id);
        setup.step("write record").await;
    }
    let amended = format!("amended: {MARKER}");
    setup
        .identity
        .amend_record(&physician_token, setup.records[0], amended.as_bytes())
        .await
        .expect("amend");
    setup.step("amend record").await;
    let listed = setup
        .identity
        .list_records(&physician_token, patient)
        .await
        .expect("list");
    assert_eq!(listed.len(), 3);
    setup.step("list records").await;
    let refused = setup
        .identity
        .write_record(
            &patient_token,
            patient,
            "note",
            "text/plain",
            MARKER.as_bytes(),
        )
        .await;
    assert!(matches!(refused, Err(IdentityError::AccessDenied { .. })));
    setup.step("refused write").await;
    let (_, payload) = setup
        .identity
        .read_record(&physician_token, setup.records[1])
        .await
        .expect("physician reads");
    assert!(contains(&payload, MARKER.as_bytes()));
    setup.step("physician reads").await;
    let (_, payload) = setup
        .identity
        .read_record(&patient_token, setup.records[0])
        .await
        .expect("patient reads");
    assert_eq!(payload, amended.as_bytes());
    setup.step("patient reads").await;

    // The log is spread over many batches, the last of which holds the last entry.
    let audited = setup.audited();
    assert!(audited.len() >= 15, "{:#?}", setup.batches);
    let last = setup.batches.last().expect("batches");
    assert_eq!(
        (last.step, last.audit_entries),
        ("patient reads", Some(1)),
        "{:#?}",
        setup.batches
    );
    setup
}

// ----- a sound trail -----

#[tokio::test(flavor = "multi_thread")]
async fn verify_audit_counts_every_entry_across_batches() {
    let setup = setup().await;
    let report = setup.vault.verify_audit().await.expect("a sound trail");
    assert_eq!(report.writers, 1);
    assert_eq!(report.entries, setup.entries);
    // Everything the setup did: 2 × (create, enroll, confirm, login), 3 failed logins,
    // 3 writes, an amendment, a listing, a refusal and 2 reads.
    assert_eq!(report.entries, 8 + 3 + 3 + 1 + 1 + 1 + 2);
    let counted: u64 = setup
        .batches
        .iter()
        .filter_map(|batch| batch.audit_entries)
        .sum();
    assert_eq!(counted, report.entries, "{:#?}", setup.batches);
    let trail = medvault_identity::audit::read_trail(&setup.vault)
        .await
        .expect("trail");
    assert_eq!(trail.len() as u64, report.entries);
    let mut numbers: Vec<u64> = trail.iter().map(|record| record.number).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (0..report.entries).collect::<Vec<_>>());

    // Closed and reopened, the vault verifies the same trail.
    let Setup {
        fixture,
        vault,
        identity,
        ..
    } = setup;
    drop(identity);
    vault.close().await.expect("close");
    let vault = fixture.open("a").await;
    assert_eq!(vault.verify_audit().await.expect("sound"), report);
}

// ----- tampering with the log batch files -----

#[tokio::test(flavor = "multi_thread")]
async fn edited_log_batch_is_detected() {
    let setup = setup().await;
    for batch in [
        setup.audited()[0].clone(),
        setup.middle(),
        setup.batches.last().expect("last").clone(),
    ] {
        let original = std::fs::read(&batch.path).expect("read batch");
        for position in [0, 4, 5, original.len() / 2, original.len() - 1] {
            let mut edited = original.clone();
            edited[position] ^= 0x01;
            std::fs::write(&batch.path, &edited).expect("edit batch");
            assert_tampered(
                setup.vault.verify_audit().await,
                &format!("byte {position} of {batch:?} flipped"),
            );
            assert_tampered(setup.vault.audit_trail().await, "audit_trail, edited");
        }
        // Cut short, or emptied.
        for len in [original.len() - 1, 5, 0] {
            std::fs::write(&batch.path, &original[..len]).expect("truncate batch");
            assert_tampered(
                setup.vault.verify_audit().await,
                &format!("{batch:?} cut to {len} bytes"),
            );
        }
        std::fs::write(&batch.path, &original).expect("restore batch");
        setup.vault.verify_audit().await.expect("sound again");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn removed_middle_batch_is_detected() {
    let setup = setup().await;
    let middle = setup.middle();
    std::fs::remove_file(&middle.path).expect("remove batch");
    assert_tampered(setup.vault.verify_audit().await, "middle batch removed");
    assert_tampered(
        setup.vault.audit_trail().await,
        "audit_trail, middle removed",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn removed_first_batch_is_detected() {
    let setup = setup().await;
    let first = setup.audited()[0].clone();
    std::fs::remove_file(&first.path).expect("remove batch");
    assert_tampered(
        setup.vault.verify_audit().await,
        "first audited batch removed",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn removed_last_batch_is_detected() {
    let setup = setup().await;
    let last = setup.batches.last().expect("last").clone();
    std::fs::remove_file(&last.path).expect("remove batch");
    // Every remaining link holds: only the head this index remembers tells.
    assert_tampered(setup.vault.verify_audit().await, "last batch removed");

    // The last two, likewise.
    let before_last = setup.batches[setup.batches.len() - 2].clone();
    std::fs::remove_file(&before_last.path).expect("remove batch");
    assert_tampered(setup.vault.verify_audit().await, "last two batches removed");
}

#[tokio::test(flavor = "multi_thread")]
async fn removed_last_batch_is_detected_after_reopening() {
    let setup = setup().await;
    let last = setup.batches.last().expect("last").clone();
    let Setup {
        fixture,
        vault,
        identity,
        ..
    } = setup;
    drop(identity);
    vault.close().await.expect("close");
    std::fs::remove_file(&last.path).expect("remove batch");
    let vault = fixture.open("a").await;
    assert_tampered(
        vault.verify_audit().await,
        "last batch removed while closed",
    );
}

/// `Vault::rebuild` (and `rotate_root`, which rebuilds) empties the index but keeps the audit
/// chain heads, so a tail cut off before the rebuild is still caught after it, and after a
/// reopen.
#[tokio::test(flavor = "multi_thread")]
async fn removed_last_batch_is_detected_after_a_rebuild() {
    let setup = setup().await;
    let last = setup.batches.last().expect("last").clone();
    std::fs::remove_file(&last.path).expect("remove batch");
    assert_tampered(setup.vault.verify_audit().await, "last batch removed");
    setup.vault.rebuild().await.expect("rebuild");
    assert_tampered(
        setup.vault.verify_audit().await,
        "last batch removed, then the index rebuilt",
    );
    let Setup {
        fixture,
        vault,
        identity,
        ..
    } = setup;
    drop(identity);
    vault.close().await.expect("close");
    let vault = fixture.open("a").await;
    assert_tampered(
        vault.verify_audit().await,
        "last batch removed, the index rebuilt, the vault reopened",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn removed_writer_log_is_detected() {
    let setup = setup().await;
    let writer = setup.batches[0].path.parent().expect("writer").to_owned();
    std::fs::remove_dir_all(&writer).expect("remove the writer's log");
    assert_tampered(setup.vault.verify_audit().await, "writer's log removed");
}

#[tokio::test(flavor = "multi_thread")]
async fn reordered_batches_are_detected() {
    let setup = setup().await;
    let audited = setup.audited();
    let pairs = [
        (audited[1].clone(), audited[2].clone()),
        (audited[0].clone(), audited[audited.len() - 1].clone()),
        (setup.middle(), audited[audited.len() / 2 + 1].clone()),
    ];
    for (a, b) in pairs {
        let (bytes_a, bytes_b) = (
            std::fs::read(&a.path).expect("read a"),
            std::fs::read(&b.path).expect("read b"),
        );
        std::fs::write(&a.path, &bytes_b).expect("swap");
        std::fs::write(&b.path, &bytes_a).expect("swap");
        assert_tampered(
            setup.vault.verify_audit().await,
            &format!("{a:?} and {b:?} swapped"),
        );
        std::fs::write(&a.path, &bytes_a).expect("restore");
        std::fs::write(&b.path, &bytes_b).expect("restore");
        setup.vault.verify_audit().await.expect("sound again");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn appended_batches_are_detected() {
    let setup = setup().await;
    let last = setup.batches.last().expect("last").clone();
    let next = sibling(&last.path, sequence_of(&last.path) + 1);
    assert!(!next.exists());
    let copies = [
        ("garbage", b"not a log batch at all".to_vec()),
        ("garbage with the magic", {
            let mut bytes = std::fs::read(&last.path).expect("read last");
            for byte in &mut bytes[5..] {
                *byte = byte.wrapping_mul(7).wrapping_add(1);
            }
            bytes
        }),
        (
            "a copy of the last batch",
            std::fs::read(&last.path).expect("read last"),
        ),
        (
            "a copy of a middle batch",
            std::fs::read(&setup.middle().path).expect("read middle"),
        ),
        (
            "a copy of the first batch",
            std::fs::read(&setup.batches[0].path).expect("read first"),
        ),
    ];
    for (what, bytes) in &copies {
        for name in [
            next.clone(),
            sibling(&last.path, sequence_of(&last.path) + 100),
        ] {
            std::fs::write(&name, bytes).expect("append batch");
            assert_tampered(
                setup.vault.verify_audit().await,
                &format!("{what} appended as {name:?}"),
            );
            std::fs::remove_file(&name).expect("remove the appended batch");
        }
    }
    setup.vault.verify_audit().await.expect("sound again");

    // A log of a writer that never was.
    let writer = last.path.parent().expect("writer").to_owned();
    let name = writer.file_name().expect("name").to_str().expect("utf-8");
    let forged_name: String = name.chars().rev().collect::<String>().replace('0', "1");
    assert_ne!(forged_name, name);
    let forged = writer.with_file_name(&forged_name);
    std::fs::create_dir_all(&forged).expect("forged writer");
    std::fs::write(forged.join(format!("{:016x}", 0)), &copies[2].1).expect("forged batch");
    assert_tampered(setup.vault.verify_audit().await, "a forged writer's batch");
}

// ----- what the trail says, and what it does not -----

#[tokio::test(flavor = "multi_thread")]
async fn trail_exports_as_fhir_audit_events() {
    let setup = setup().await;
    let trail = medvault_identity::audit::read_trail(&setup.vault)
        .await
        .expect("trail");
    let mut ids = std::collections::HashSet::new();
    let (mut failed_logins, mut successes, mut refusals) = (0, 0, 0);
    let mut previous_time = i64::MIN;
    for record in &trail {
        let fhir = record.to_fhir();
        let what = format!("{record:?} → {fhir}");
        assert!(fhir.is_object(), "{what}");
        assert_eq!(fhir["resourceType"], "AuditEvent", "{what}");
        assert!(
            ids.insert(fhir["id"].as_str().expect("id").to_owned()),
            "{what}"
        );
        // `recorded` is an RFC 3339 instant: the event's time.
        let recorded = fhir["recorded"].as_str().expect("recorded");
        assert!(recorded.ends_with('Z'), "{what}");
        let instant = chrono::DateTime::parse_from_rfc3339(recorded).expect("an RFC 3339 instant");
        assert_eq!(instant.timestamp_millis(), record.event.time_ms, "{what}");
        assert!(record.event.time_ms >= previous_time, "trail out of order");
        previous_time = record.event.time_ms;

        let action = fhir["action"].as_str().expect("action");
        assert!(["C", "R", "U", "D", "E"].contains(&action), "{what}");
        let expected_action = match &record.event.action {
            AuditAction::Login { .. } | AuditAction::Authorize { .. } => Some("E"),
            AuditAction::CreateAccount { .. } => Some("C"),
            AuditAction::ReadRecord { .. } | AuditAction::ListRecords { .. } => Some("R"),
            AuditAction::WriteRecord { version: 1, .. } => Some("C"),
            AuditAction::WriteRecord { .. } => Some("U"),
            AuditAction::EnrollFactor { .. } | AuditAction::ConfirmFactor { .. } => Some("U"),
            _ => None,
        };
        if let Some(expected) = expected_action {
            assert_eq!(action, expected, "{what}");
        }

        let outcome = fhir["outcome"].as_str().expect("outcome");
        match &record.event.outcome {
            Outcome::Success => {
                successes += 1;
                assert_eq!(outcome, "0", "{what}");
                assert!(fhir.get("outcomeDesc").is_none(), "{what}");
            }
            Outcome::LoginFailed(_) => {
                failed_logins += 1;
                assert_eq!(outcome, "4", "{what}");
                assert!(
                    matches!(record.event.action, AuditAction::Login { .. }),
                    "{what}"
                );
                let description = fhir["outcomeDesc"].as_str().expect("outcomeDesc");
                assert!(description.starts_with("login failed"), "{what}");
            }
            Outcome::Denied => {
                refusals += 1;
                assert_eq!(outcome, "4", "{what}");
            }
        }

        let agents = fhir["agent"].as_array().expect("agent array");
        assert_eq!(agents.len(), 1, "{what}");
        let agent = &agents[0];
        assert_eq!(agent["requestor"], true, "{what}");
        match &record.event.actor {
            Actor::Account { id, role } => {
                assert_eq!(
                    agent["who"]["identifier"]["value"],
                    id.to_string(),
                    "{what}"
                );
                assert_eq!(agent["role"][0]["text"], role.as_str(), "{what}");
            }
            Actor::Anonymous => assert_eq!(agent["who"]["display"], "unknown user", "{what}"),
            Actor::Operator => assert_eq!(agent["who"]["display"], "operator", "{what}"),
        }
        if let AuditAction::ReadRecord { record: id, .. } = &record.event.action {
            assert_eq!(
                fhir["entity"][0]["what"]["identifier"]["value"],
                id.to_string(),
                "{what}"
            );
        }
    }
    assert_eq!(failed_logins, 3);
    assert_eq!(refusals, 1);
    assert_eq!(successes, trail.len() - 4);
    // The failed logins say why, without naming the unknown user.
    let reasons: Vec<(&Actor, &Outcome)> = trail
        .iter()
        .filter(|record| matches!(record.event.outcome, Outcome::LoginFailed(_)))
        .map(|record| (&record.event.actor, &record.event.outcome))
        .collect();
    assert_eq!(
        reasons,
        [
            (
                &Actor::Account {
                    id: setup.physician.0,
                    role: Role::Physician
                },
                &Outcome::LoginFailed(LoginFailure::WrongPassword)
            ),
            (
                &Actor::Anonymous,
                &Outcome::LoginFailed(LoginFailure::UnknownAccount)
            ),
            (
                &Actor::Account {
                    id: setup.patient.0,
                    role: Role::Patient
                },
                &Outcome::LoginFailed(LoginFailure::WrongCode)
            ),
        ]
    );
}

fn assert_free_of_secrets(what: &str, bytes: &[u8], secrets: &Secrets) {
    for text in &secrets.texts {
        let found = if text.bytes().all(|b| b.is_ascii_digit()) {
            contains_word(bytes, text.as_bytes())
        } else {
            contains(bytes, text.as_bytes())
        };
        assert!(!found, "{what} contains the secret {text:?}");
        // Usernames are stored in canonical (lowercase) form; codes and tokens as written.
        assert!(
            !contains(bytes, text.to_uppercase().as_bytes()) || text.to_uppercase() == *text,
            "{what} contains {text:?} in upper case"
        );
    }
    for secret in &secrets.bytes {
        assert!(
            !contains(bytes, secret),
            "{what} contains a raw TOTP secret"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn trail_and_files_hold_no_secrets() {
    let setup = setup().await;
    let trail: Vec<AuditRecord> = medvault_identity::audit::read_trail(&setup.vault)
        .await
        .expect("trail");
    assert!(!trail.is_empty());
    assert!(setup.secrets.texts.len() > 20);

    let fhir: Vec<serde_json::Value> = trail.iter().map(AuditRecord::to_fhir).collect();
    let exported = serde_json::to_string_pretty(&fhir).expect("JSON");
    assert_free_of_secrets("the FHIR export", exported.as_bytes(), &setup.secrets);
    let events: Vec<_> = trail.iter().map(|record| &record.event).collect();
    let serialized = serde_json::to_string(&events).expect("JSON");
    assert_free_of_secrets(
        "the serialized events",
        serialized.as_bytes(),
        &setup.secrets,
    );
    let debug = format!("{trail:?}");
    assert_free_of_secrets("the trail's Debug", debug.as_bytes(), &setup.secrets);

    // Every file of the vault, log batches included.
    let files = all_files(&setup.folder);
    assert!(files.len() > setup.batches.len(), "{files:#?}");
    assert!(
        files
            .iter()
            .any(|path| path.starts_with(setup.folder.join("objects"))),
        "the large record has an object of its own"
    );
    for path in &files {
        let bytes = std::fs::read(path).expect("read file");
        assert_free_of_secrets(&path.display().to_string(), &bytes, &setup.secrets);
    }
    // And the local index, which is encrypted too.
    let index = setup.fixture.index("a");
    let index_files = all_files(&index);
    assert!(!index_files.is_empty());
    for path in &index_files {
        let bytes = std::fs::read(path).expect("read index file");
        assert_free_of_secrets(&path.display().to_string(), &bytes, &setup.secrets);
    }
}

/// Entries committed while the trail is being verified make the store's chain longer than the
/// head read at the start, never shorter: no false alarm.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verifying_while_writes_go_on_finds_no_tampering() {
    let fixture = Fixture::new(Backend::Memory);
    let vault = fixture.create("a").await;
    let writes = 300;
    let writer = {
        let vault = vault.clone();
        tokio::spawn(async move {
            for _ in 0..writes {
                vault
                    .put(NewRecord::new("ward-3", "note"), b"checked")
                    .await
                    .expect("put");
            }
        })
    };
    let mut checks = 0;
    while !writer.is_finished() {
        vault
            .verify_audit()
            .await
            .expect("sound while writes go on");
        checks += 1;
    }
    writer.await.expect("writer");
    assert!(checks > 0);
    let report = vault.verify_audit().await.expect("sound");
    assert_eq!(report.entries, writes);
}
