//! The audit chain (`core/src/audit/`) as it is read from a log batch's plaintext
//! (`vault/audit_log.rs`), and the identity layer's events inside it
//! (`core/identity/src/audit/`). Input: a batch's plaintext.
//!
//! Entries that follow from the start of a chain are numbered from 0; the same events linked
//! anew always follow; an identity event that decodes encodes to the same event and exports.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medvault::audit::AuditPayload;
use medvault::fuzzing::decode_log_batch;
use medvault_fuzz::writer;

fuzz_target!(|data: &[u8]| {
    let Ok(mutations) = decode_log_batch(data) else {
        return;
    };
    if let Ok(records) = mutations.follow_audit(writer()) {
        for (number, record) in records.iter().enumerate() {
            assert_eq!(record.number, number as u64);
        }
    }
    let records = mutations
        .rechained()
        .follow_audit(writer())
        .expect("events linked anew follow");
    for record in records {
        if !matches!(record.event.payload, AuditPayload::Application(_)) {
            continue;
        }
        let Ok(event) = medvault_identity::audit::AuditEvent::from_engine(&record.event) else {
            continue;
        };
        assert_eq!(
            medvault_identity::audit::AuditEvent::from_engine(&event.to_engine()).ok(),
            Some(event.clone())
        );
        let exported = medvault_identity::audit::AuditRecord {
            writer: record.writer,
            number: record.number,
            event,
        }
        .to_fhir();
        assert!(exported.is_object());
    }
});
