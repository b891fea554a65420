//! `medvault demo`: the whole hospital story in a new vault, told step by step. Every step
//! goes through the same access-controlled API the apps use; passwords are random and never
//! printed, and TOTP codes are computed from the enrolled secrets as an authenticator would.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{Duration, NaiveDate, Utc};
use medvault::crypto::UnlockCredential;
use medvault::vault::{BlockingVault, IndexLocation, StoreLocation, VaultConfig};
use medvault_hospital::{
    AvailableTime, BlockingHospital, Contact, Gender, HumanName, Identifier, PatientProfile,
    PhysicianProfile, Schedule, SlotQuery,
};
use medvault_identity::{BlockingIdentity, LoginCode, Role, SessionToken};
use zeroize::Zeroizing;

use crate::dashboard;

/// Runs the story in `dir`, which must not hold a vault yet.
pub fn run(dir: &Path, passphrase: &[u8]) -> Result<(), String> {
    let store = dir.join("store");
    if store.join("medvault-vault").exists() {
        return Err(format!(
            "{} already holds a demo vault; remove it or name another folder",
            dir.display()
        ));
    }
    let config = VaultConfig::new(
        StoreLocation::Folder(store.clone()),
        IndexLocation::Folder(dir.join("index")),
    );
    let vault = BlockingVault::create(&config, UnlockCredential::Passphrase(passphrase))
        .map_err(|error| error.to_string())?;
    let result = story(&vault, &store);
    vault.close().map_err(|error| error.to_string())?;
    result
}

fn story(vault: &BlockingVault, store: &Path) -> Result<(), String> {
    let identity = BlockingIdentity::new(vault.clone());
    let hospital = BlockingHospital::new(&identity);
    let today = Utc::now().date_naive();
    println!(
        "1. Created an encrypted vault in {} (a local folder, no server).",
        store.display()
    );

    let admin_password = random_password()?;
    identity
        .operator_create_account(Role::Admin, "admin", &admin_password)
        .map_err(fail)?;
    let admin = sign_in(&identity, "admin", &admin_password)?;
    println!(
        "2. The operator made the admin account; the admin enrolled TOTP and logged in with a computed code."
    );

    let doctor_password = random_password()?;
    let doctor = hospital
        .add_physician(&admin, "dr.grey", &doctor_password, &physician())
        .map_err(fail)?;
    let doctor_session = sign_in(&identity, "dr.grey", &doctor_password)?;
    println!(
        "3. The admin added Dr Meredith Grey (cardiology), seeing patients Monday to Friday, 09:00-12:00, in 30-minute slots."
    );

    let patient_password = random_password()?;
    let patient = hospital
        .register_patient("ada", &patient_password, &patient(today))
        .map_err(fail)?;
    let patient_session = sign_in(&identity, "ada", &patient_password)?;
    println!(
        "4. Ada Lovelace registered with her profile, enrolled TOTP and logged in with a computed code."
    );

    let query = SlotQuery {
        physician: None,
        specialty: Some("cardiology".to_owned()),
        from: today + Duration::days(1),
        to: today + Duration::days(14),
    };
    let slots = hospital
        .free_slots(&patient_session, &query)
        .map_err(fail)?;
    let slot = slots
        .first()
        .ok_or("no free cardiology slot in the next two weeks")?;
    let appointment = hospital
        .book(&patient_session, patient, slot.physician, slot.start)
        .map_err(fail)?;
    println!(
        "5. Ada found {} free cardiology slots in the next two weeks and booked the first: {} with {} ({}).",
        slots.len(),
        appointment.start.format("%A %Y-%m-%d %H:%M"),
        slot.name,
        appointment.status.as_str()
    );

    hospital
        .write_encounter_note(
            &doctor_session,
            patient,
            "Palpitations on exertion; ECG normal; review in 3 months.",
        )
        .map_err(fail)?;
    let letter = letter_pdf();
    hospital
        .upload_document(
            &doctor_session,
            patient,
            "ECG report",
            "application/pdf",
            &letter,
        )
        .map_err(fail)?;
    println!(
        "6. Dr Grey wrote an encounter note and uploaded an ECG report ({} bytes, PDF) into Ada's history.",
        letter.len()
    );

    let timeline = hospital.timeline(&patient_session, patient).map_err(fail)?;
    let kinds: Vec<&str> = timeline.iter().map(|entry| entry.kind.as_str()).collect();
    let document = timeline
        .iter()
        .find(|entry| entry.kind == medvault_hospital::DOCUMENT_KIND)
        .ok_or("the document is missing from the timeline")?;
    let (_, read_back) = identity
        .read_record(&patient_session, document.id)
        .map_err(fail)?;
    if read_back != letter {
        return Err("the document read back differs from the one uploaded".to_owned());
    }
    println!(
        "7. Ada read her history ({}); the report she downloaded is byte for byte the one uploaded.",
        kinds.join(", ")
    );
    if hospital
        .write_encounter_note(&patient_session, patient, "I feel fine")
        .is_ok()
    {
        return Err("a patient could write into her own history".to_owned());
    }
    println!("   Her history is read-only to her: writing a note of her own was refused.");

    let board = hospital
        .dashboard(&admin, today, today + Duration::days(14))
        .map_err(fail)?;
    println!("8. The admin's dashboard for the next two weeks:");
    for line in dashboard::to_text(&board)
        .lines()
        .skip(1)
        .filter(|line| !line.ends_with("  0"))
    {
        println!("   {line}");
    }
    if !board
        .top_physicians
        .iter()
        .any(|top| top.physician == doctor)
    {
        return Err("the dashboard does not show the physician".to_owned());
    }

    let report = vault.verify_audit().map_err(|error| error.to_string())?;
    println!(
        "9. The audit trail verifies: {} entries, hash-chained and sealed, record every step above.",
        report.entries
    );
    Ok(())
}

/// Enrolls `username`'s TOTP factor, confirms it and logs in, with codes computed from the
/// secret as an authenticator app would (the login uses the next time step, which the
/// engine accepts, so that no code is used twice).
fn sign_in(
    identity: &BlockingIdentity,
    username: &str,
    password: &str,
) -> Result<SessionToken, String> {
    let enrollment = identity
        .enroll_totp(username, password, None)
        .map_err(fail)?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|_| "the clock is before 1970")?
        .as_secs();
    identity
        .confirm_totp(username, password, &enrollment.factor.code_at(now))
        .map_err(fail)?;
    let code = enrollment.factor.code_at(now + 30);
    Ok(identity
        .login(username, password, LoginCode::Totp(&code))
        .map_err(fail)?
        .token)
}

fn random_password() -> Result<Zeroizing<String>, String> {
    let id = medvault::vault::WriterId::generate().map_err(|error| error.to_string())?;
    Ok(Zeroizing::new(format!("demo-{id}")))
}

fn physician() -> PhysicianProfile {
    PhysicianProfile {
        name: HumanName::new("Meredith", "Grey"),
        specialty: "Cardiology".to_owned(),
        contact: Contact::default(),
        schedule: Schedule {
            available_time: vec![AvailableTime::weekdays(
                chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
                chrono::NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default(),
            )],
            not_available: Vec::new(),
            slot_minutes: 30,
        },
        identifiers: Vec::new(),
    }
}

fn patient(today: NaiveDate) -> PatientProfile {
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
            "urn:medvault:demo:hospital-number",
            "H-0001",
        )],
    }
}

/// A small valid PDF: one page saying "ECG normal".
fn letter_pdf() -> Vec<u8> {
    let stream = "BT /F1 18 Tf 72 720 Td (ECG report: sinus rhythm, normal) Tj ET";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (number, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", number + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

/// A failed step's message (of the hospital, identity or vault layer).
fn fail(error: impl std::fmt::Display) -> String {
    error.to_string()
}
