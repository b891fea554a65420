//! The identity layer's audit events (`core/identity/src/audit/`), which travel in the
//! engine's chain as application payloads. Input: `u8 × 8 time ‖ payload`. An event that
//! decodes encodes to the same event, and exports as a FHIR `AuditEvent`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medvault::audit::AuditEvent as EngineEvent;
use medvault::vault::WriterId;
use medvault_fuzz::Input;
use medvault_identity::audit::{AuditEvent, AuditRecord};

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let time: [u8; 8] = std::array::from_fn(|_| input.byte());
    let engine = EngineEvent::application(i64::from_be_bytes(time), input.rest().to_vec());
    let Ok(event) = AuditEvent::from_engine(&engine) else {
        return;
    };
    assert_eq!(
        AuditEvent::from_engine(&event.to_engine()).ok(),
        Some(event.clone())
    );
    let exported = AuditRecord {
        writer: WriterId::from_bytes([1; 16]),
        number: 0,
        event,
    }
    .to_fhir();
    assert!(exported.is_object());
});
