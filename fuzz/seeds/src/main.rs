//! Writes the seed corpora of the fuzz targets: `seeds [CORPUS]` (default `fuzz/corpus`) adds
//! files to `CORPUS/<target>/`. The values are real: a vault in a new folder goes through a
//! short hospital story (accounts, logins, a booking, history, a dashboard, an import, records
//! amended, deleted and shredded, a checkpoint), and what it stored is read back, opened with
//! its keys and sealed again under the fixed keys the targets open with. Envelopes, streams,
//! record ciphertexts, slots and wrapped keys are sealed under the fixed keys directly.
//! `scripts/fuzz.sh --seeds` runs it, then minimizes each corpus with `cargo fuzz cmin`.

#[path = "../../src/lib.rs"]
#[allow(dead_code)]
mod common;

use std::collections::BTreeMap;
use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{Duration, NaiveTime};
use common::{
    SEQUENCE, STREAM_AAD, Seed, data_key, identity, keys, raw_unlock_key, record_aead, root_key,
    streaming_key, today, wrapping_vault, writer,
};
use medvault::audit::AuditPayload;
use medvault::crypto::hazmat::KeySlots;
use medvault::crypto::{Envelope, KeyId, StreamingAead, UnlockCredential, VaultId};
use medvault::fuzzing::{
    Keys, Mutations, StoredValue, encode_descriptor, open_checkpoint, open_log_batch,
    seal_checkpoint, seal_log_batch, segment_frame, segment_frame_at, segment_header,
};
use medvault::vault::{BlockingVault, IndexLocation, NewRecord, StoreLocation, VaultConfig};
use medvault_hospital::{
    AvailableTime, BlockingHospital, Contact, Gender, HumanName, Identifier, PatientProfile,
    PhysicianProfile, Schedule, SlotQuery,
};
use medvault_identity::{BlockingIdentity, BreakGlassGrant, LoginCode, Role, SessionToken};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// Seeds by target, each a list of files.
#[derive(Default)]
struct Corpus(BTreeMap<&'static str, Vec<Vec<u8>>>);

impl Corpus {
    fn add(&mut self, target: &'static str, seed: impl Into<Vec<u8>>) {
        self.0.entry(target).or_default().push(seed.into());
    }

    fn write(&self, root: &Path) -> Result<()> {
        for (target, seeds) in &self.0 {
            let folder = root.join(target);
            fs::create_dir_all(&folder)?;
            for (number, seed) in seeds.iter().enumerate() {
                fs::write(folder.join(format!("seed-{number:04}")), seed)?;
            }
            println!("{target}: {} seeds", seeds.len());
        }
        Ok(())
    }
}

fn main() -> Result<()> {
    let root = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from("fuzz/corpus"), PathBuf::from);
    let mut corpus = Corpus::default();
    crypto_seeds(&mut corpus)?;
    vault_seeds(&mut corpus)?;
    text_seeds(&mut corpus)?;
    corpus.write(&root)
}

/// Envelopes, streams, record ciphertexts, unlock slots and wrapped keys under the fixed keys.
fn crypto_seeds(corpus: &mut Corpus) -> Result<()> {
    let plaintexts: [&[u8]; 4] = [b"", b"x", &[7; 100], &[9; 1000]];
    for segment_size in [73u32, 100, 256, 4096] {
        for plaintext in plaintexts {
            let envelope = Envelope::seal_with_segment_size(
                &data_key(),
                KeyId::from_bytes([1; 16]),
                &identity(),
                plaintext,
                segment_size,
            )?;
            corpus.add("envelope_header", &envelope[..24]);
            corpus.add(
                "envelope_open",
                Seed::default().u16(3).u16(40).bytes(&envelope).0,
            );
            let aead = StreamingAead::new(&streaming_key(), segment_size)?;
            let stream = aead.seal(plaintext, STREAM_AAD)?;
            corpus.add("stream_header", &stream[..40]);
            corpus.add(
                "streaming_open",
                Seed::default()
                    .u16(segment_size as u16)
                    .u16(1)
                    .u16(60)
                    .bytes(&stream)
                    .0,
            );
        }
    }
    for (aad, plaintext) in [(&b""[..], &b""[..]), (b"aad", b"allergy: penicillin")] {
        let sealed = record_aead().seal(plaintext, aad)?;
        corpus.add(
            "record_aead",
            Seed::default()
                .byte(aad.len() as u8)
                .bytes(aad)
                .bytes(&sealed)
                .0,
        );
    }

    let root = root_key(KeyId::from_bytes([2; 16]));
    let raw = raw_unlock_key();
    let mut slots = KeySlots::new(
        VaultId::from_bytes([3; 16]),
        &root,
        UnlockCredential::RawKey(&raw),
    )?;
    corpus.add(
        "key_slots",
        Seed::default().byte(0).bytes(&slots.to_bytes()).0,
    );
    corpus.add(
        "key_slots",
        Seed::default().byte(1).bytes(&encode_descriptor(&slots)).0,
    );
    slots.add(
        &root,
        UnlockCredential::Passphrase(b"fuzz seeds: a passphrase"),
    )?;
    corpus.add(
        "key_slots",
        Seed::default().byte(0).bytes(&slots.to_bytes()).0,
    );
    corpus.add(
        "key_slots",
        Seed::default().byte(1).bytes(&encode_descriptor(&slots)).0,
    );

    let wrapped = data_key().wrap(&root, wrapping_vault(), KeyId::from_bytes([4; 16]))?;
    corpus.add("wrapped_key", wrapped.to_bytes());
    Ok(())
}

/// What a vault stored through a short hospital story, read back and sealed again under the
/// fixed keys.
fn vault_seeds(corpus: &mut Corpus) -> Result<()> {
    let dir = std::env::temp_dir().join(format!("medvault-fuzz-seeds-{}", std::process::id()));
    let store = dir.join("store");
    let config = VaultConfig::new(
        StoreLocation::Folder(store.clone()),
        IndexLocation::Folder(dir.join("index")),
    );
    let vault = BlockingVault::create(
        &config,
        UnlockCredential::Passphrase(b"fuzz seeds: a passphrase"),
    )?;
    let outcome = story(&vault).and_then(|()| {
        vault.checkpoint()?;
        read_store(corpus, &Keys::of(vault.inner()), &store)
    });
    vault.close()?;
    fs::remove_dir_all(&dir)?;
    outcome
}

fn story(vault: &BlockingVault) -> Result<()> {
    let identity = BlockingIdentity::new(vault.clone());
    let hospital = BlockingHospital::new(&identity);
    let today = today();
    identity.operator_create_account(Role::Admin, "admin", "admin: a long password")?;
    let admin = sign_in(&identity, "admin", "admin: a long password")?;
    hospital.add_physician(&admin, "dr.grey", "doctor: a long password", &physician())?;
    let doctor_session = sign_in(&identity, "dr.grey", "doctor: a long password")?;
    let patient = hospital.register_patient("ada", "patient: a long password", &patient(today))?;
    let patient_session = sign_in(&identity, "ada", "patient: a long password")?;
    let now = chrono::Utc::now().date_naive();
    let query = SlotQuery {
        physician: Some("dr.grey".to_owned()),
        specialty: None,
        from: now + Duration::days(1),
        to: now + Duration::days(14),
    };
    if let Some(slot) = hospital.free_slots(&patient_session, &query)?.first() {
        hospital.book(&patient_session, patient, slot.physician, slot.start)?;
    }
    hospital.write_encounter_note(&doctor_session, patient, "Review in 3 months.")?;
    hospital.upload_document(
        &doctor_session,
        patient,
        "ECG",
        "text/plain",
        b"sinus rhythm",
    )?;
    hospital.dashboard(&admin, now, now + Duration::days(14))?;
    let fixtures =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../core/hospital/tests/fixtures/import");
    for file in [
        "patients.csv",
        "physicians.csv",
        "appointments.csv",
        "bundle.json",
    ] {
        let rows = hospital.open_import(fs::File::open(fixtures.join(file))?, None)?;
        hospital.operator_import_rows(rows, false, None)?;
    }
    let record = vault.put(
        NewRecord::new("patient-17", "lab-result").label("unit", "%"),
        b"HbA1c 6.1%",
    )?;
    vault.amend(record.id, b"HbA1c 6.0%")?;
    vault.put(NewRecord::new("patient-17", "scan"), &vec![5u8; 70_000])?;
    let gone = vault.put(NewRecord::new("patient-18", "note"), b"to be deleted")?;
    vault.delete(gone.id)?;
    vault.put(NewRecord::new("patient-19", "note"), b"to be shredded")?;
    vault.shred_scope("patient-19")?;
    Ok(())
}

/// Reads back everything the vault stored under `store`.
fn read_store(corpus: &mut Corpus, vault_keys: &Keys, store: &Path) -> Result<()> {
    let mut files = Vec::new();
    list(store, &mut files)?;
    let fixed = keys();
    for path in files {
        let name = path.strip_prefix(store)?.to_string_lossy().into_owned();
        if name.contains(".medvault") || name.starts_with('.') {
            continue;
        }
        corpus.add("names", name.clone());
        let bytes = fs::read(&path)?;
        let parts: Vec<&str> = name.split('/').collect();
        match parts.as_slice() {
            ["medvault-vault"] => corpus.add("key_slots", Seed::default().byte(1).bytes(&bytes).0),
            ["keys", ..] => corpus.add("wrapped_key", bytes),
            ["log", writer_id, "segments", _] => {
                segment_seeds(corpus, vault_keys, writer_id.parse()?, &bytes)?;
            }
            ["checkpoints", writer_id, sequence] => {
                let sequence = u64::from_str_radix(sequence, 16)?;
                let mut entries =
                    open_checkpoint(vault_keys, writer_id.parse()?, sequence, &bytes)?;
                // A few entries of a few hundred bytes at most (no inline payload), so that
                // the seeds stay small.
                entries.retain(|(_, value)| value.len() <= 512);
                let few = &entries[..entries.len().min(24)];
                corpus.add(
                    "checkpoint",
                    Seed::default()
                        .byte(0)
                        .bytes(&seal_checkpoint(fixed, writer(), SEQUENCE, few)?)
                        .0,
                );
                corpus.add(
                    "checkpoint",
                    Seed::default().byte(1).bytes(&postcard::to_stdvec(few)?).0,
                );
                for (key, sealed) in &entries {
                    let Some(kind) = StoredValue::of_index_entry(key) else {
                        continue;
                    };
                    let plain = vault_keys.open_index_value(key, sealed)?;
                    let selector = StoredValue::ALL
                        .iter()
                        .position(|each| *each == kind)
                        .unwrap_or_default() as u8;
                    corpus.add(
                        "stored_values",
                        Seed::default().byte(selector).bytes(&plain).0,
                    );
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The batches of a segment: their plaintexts, each sealed again under the fixed keys, and the
/// segment framed again from them (whole, with space after it, and torn).
fn segment_seeds(
    corpus: &mut Corpus,
    vault_keys: &Keys,
    owner: medvault::vault::WriterId,
    bytes: &[u8],
) -> Result<()> {
    let fixed = keys();
    let mut offset = 16;
    let mut resealed = Vec::new();
    let mut first = None;
    while let Some((sequence, body)) = bytes.get(offset..).and_then(segment_frame_at) {
        let mutations = open_log_batch(vault_keys, owner, sequence, body)?;
        offset += 16 + body.len();
        first.get_or_insert(sequence);
        batch_seeds(corpus, &mutations)?;
        resealed.push((
            sequence,
            seal_log_batch(fixed, writer(), sequence, &mutations)?,
        ));
    }
    let Some(first) = first else { return Ok(()) };
    // Segments of a few batches each, so that the seeds stay small.
    for chunk in resealed.chunks(3).take(8) {
        let chunk_first = chunk.first().map_or(first, |(sequence, _)| *sequence);
        let mut segment = segment_header(chunk_first).to_vec();
        for (sequence, sealed) in chunk {
            segment.extend_from_slice(&segment_frame(*sequence, sealed)?);
        }
        corpus.add("log_segment", Seed::default().byte(0).bytes(&segment).0);
        let mut spaced = segment.clone();
        spaced.extend_from_slice(&[0; 64]);
        corpus.add("log_segment", Seed::default().byte(0).bytes(&spaced).0);
        if let Some((sequence, sealed)) = chunk.last() {
            let frame = segment_frame(sequence + 1, sealed)?;
            let mut torn = segment.clone();
            torn.extend_from_slice(&frame[..frame.len() / 2]);
            corpus.add(
                "log_segment",
                Seed::default().byte(2).byte(0).bytes(&torn).0,
            );
        }
    }
    // Frames whose body is their sequence, which the target's simple mode takes as whole.
    let mut simple = segment_header(5).to_vec();
    for sequence in 5..9u64 {
        simple.extend_from_slice(&segment_frame(sequence, &sequence.to_le_bytes())?);
    }
    simple.extend_from_slice(&[0; 32]);
    corpus.add("log_segment", Seed::default().byte(1).bytes(&simple).0);
    simple.truncate(simple.len() - 40);
    corpus.add(
        "log_segment",
        Seed::default().byte(3).byte(6).bytes(&simple).0,
    );
    Ok(())
}

/// A batch's plaintext, the batch sealed under the fixed keys, and the audit events and
/// documents in it.
fn batch_seeds(corpus: &mut Corpus, mutations: &Mutations) -> Result<()> {
    let plain = mutations.encode()?;
    corpus.add("log_batch", Seed::default().byte(1).bytes(&plain).0);
    corpus.add(
        "log_batch",
        Seed::default()
            .byte(0)
            .bytes(&seal_log_batch(keys(), writer(), SEQUENCE, mutations)?)
            .0,
    );
    let rechained = mutations.rechained();
    corpus.add("audit_chain", rechained.encode()?);
    for record in rechained.follow_audit(writer())? {
        if let AuditPayload::Application(payload) = &record.event.payload {
            corpus.add(
                "identity_audit",
                Seed::default()
                    .bytes(&record.event.time_ms.to_be_bytes())
                    .bytes(payload)
                    .0,
            );
        }
    }
    for (collection, body) in mutations.documents() {
        let (target, kinds): (&'static str, &[&str]) = match collection.as_str() {
            "accounts" | "sessions" | "break-glass" => (
                "identity_documents",
                &["accounts", "sessions", "break-glass"],
            ),
            _ => (
                "hospital_documents",
                &[
                    "patient-profiles",
                    "physicians",
                    "appointments",
                    "events",
                    "notes",
                    "daily-patients",
                ],
            ),
        };
        let Some(selector) = kinds.iter().position(|kind| *kind == collection) else {
            continue;
        };
        if collection == "accounts"
            && let Some(password) = serde_json::from_slice::<serde_json::Value>(&body)?
                .get("password")
                .and_then(|value| value.as_str())
        {
            corpus.add("password_hash", password.to_owned());
        }
        corpus.add(target, Seed::default().byte(selector as u8).bytes(&body).0);
    }
    Ok(())
}

/// Import files, break-glass grants, TOTP factors and vault locations.
fn text_seeds(corpus: &mut Corpus) -> Result<()> {
    let fixtures =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../core/hospital/tests/fixtures/import");
    for (kind, file) in [
        (0, "patients.csv"),
        (1, "patients.csv"),
        (2, "physicians.csv"),
        (3, "appointments.csv"),
        (0, "bundle.json"),
    ] {
        let text = fs::read(fixtures.join(file))?;
        corpus.add(
            "import",
            Seed::default().byte(kind).byte(7).byte(3).bytes(&text).0,
        );
    }
    let grant = BreakGlassGrant {
        id: "grant-1".to_owned(),
        admin: medvault_identity::AccountId::from_bytes([1; 16]),
        patient: medvault_identity::AccountId::from_bytes([2; 16]),
        reason: "unconscious patient in the emergency room".to_owned(),
        granted_ms: 1_790_000_000_000,
        until_ms: 1_790_003_600_000,
    };
    corpus.add(
        "identity_documents",
        Seed::default()
            .byte(2)
            .bytes(&serde_json::to_vec(&grant)?)
            .0,
    );
    for (algorithm, digits, secret_len, code) in [
        (0u8, 6u8, 20u8, "123456"),
        (1, 8, 32, " 12345678 "),
        (2, 6, 16, ""),
    ] {
        corpus.add(
            "totp",
            Seed::default()
                .byte(algorithm)
                .byte(digits)
                .byte(secret_len)
                .bytes(&vec![0x42; usize::from(secret_len)])
                .bytes(&1_790_000_000u64.to_be_bytes())
                .bytes(code.as_bytes())
                .0,
        );
    }
    for location in [
        "./medvault-data",
        "file:///var/lib/medvault",
        "s3://bucket/prefix",
        "http://example.org/vault",
    ] {
        corpus.add("names", location);
    }
    Ok(())
}

/// Every file under `folder`.
fn list(folder: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    for entry in fs::read_dir(folder)? {
        let path = entry?.path();
        if path.is_dir() {
            list(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

/// Enrolls TOTP for `username`, confirms it and logs in, with codes computed from the secret.
fn sign_in(identity: &BlockingIdentity, username: &str, password: &str) -> Result<SessionToken> {
    let enrollment = identity.enroll_totp(username, password, None)?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    identity.confirm_totp(username, password, &enrollment.factor.code_at(now))?;
    let code = enrollment.factor.code_at(now + 30);
    Ok(identity
        .login(username, password, LoginCode::Totp(&code))?
        .token)
}

fn physician() -> PhysicianProfile {
    PhysicianProfile {
        name: HumanName::new("Meredith", "Grey"),
        specialty: "Cardiology".to_owned(),
        contact: Contact::default(),
        schedule: Schedule {
            available_time: vec![AvailableTime::weekdays(
                NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
                NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default(),
            )],
            not_available: Vec::new(),
            slot_minutes: 30,
        },
        identifiers: Vec::new(),
    }
}

fn patient(today: chrono::NaiveDate) -> PatientProfile {
    PatientProfile {
        name: HumanName::new("Ada", "Lovelace"),
        birth_date: today - Duration::days(36 * 365),
        gender: Gender::Female,
        contact: Contact {
            phone: Some("+441632960000".to_owned()),
            email: Some("ada@example.org".to_owned()),
        },
        address: None,
        identifiers: vec![Identifier::new(
            "urn:medvault:fuzz:hospital-number",
            "H-0001",
        )],
    }
}
