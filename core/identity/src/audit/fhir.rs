//! Export of audit entries as FHIR R4 `AuditEvent` resources (JSON).

use chrono::{DateTime, SecondsFormat};
use serde_json::{Value, json};

use super::AuditRecord;
use super::event::{Actor, AuditAction, Outcome};
use crate::AccountId;

const DICOM: &str = "http://dicom.nema.org/resources/ontology/DCM";
const ENTITY_TYPE: &str = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
const OBJECT_ROLE: &str = "http://terminology.hl7.org/CodeSystem/object-role";
const ACT_REASON: &str = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
const ACCOUNT_SYSTEM: &str = "urn:medvault:account";
const RECORD_SYSTEM: &str = "urn:medvault:record";

impl AuditRecord {
    /// This entry as a FHIR R4 `AuditEvent` resource. People appear by account id, records
    /// by record id: the export names no one and holds no clinical data, but a break-glass
    /// reason is exported as written.
    pub fn to_fhir(&self) -> Value {
        let event = &self.event;
        let (type_code, type_display, subtype, action) = classify(&event.action);
        let (outcome, outcome_desc) = match &event.outcome {
            Outcome::Success => ("0", None),
            Outcome::Denied => ("4", Some("denied by the access policy".to_owned())),
            Outcome::LoginFailed(reason) => ("4", Some(format!("login failed: {reason:?}"))),
        };
        let mut resource = json!({
            "resourceType": "AuditEvent",
            "id": format!("{}-{}", self.writer, self.number),
            "type": { "system": DICOM, "code": type_code, "display": type_display },
            "subtype": [{ "system": DICOM, "code": subtype.0, "display": subtype.1 }],
            "action": action,
            "recorded": recorded(event.time_ms),
            "outcome": outcome,
            "agent": [agent(&event.actor)],
            "source": { "observer": { "display": "MedVault" } },
        });
        if let Some(description) = outcome_desc {
            resource["outcomeDesc"] = json!(description);
        }
        let entities = entities(&event.action);
        if !entities.is_empty() {
            resource["entity"] = Value::Array(entities);
        }
        if let AuditAction::GrantBreakGlass {
            reason, until_ms, ..
        } = &event.action
        {
            resource["purposeOfEvent"] = json!([{
                "coding": [{ "system": ACT_REASON, "code": "BTG", "display": "break the glass" }],
                "text": reason,
            }]);
            resource["period"] =
                json!({ "start": recorded(event.time_ms), "end": recorded(*until_ms) });
        }
        resource
    }
}

/// (type code, type display, (subtype code, subtype display), FHIR action).
fn classify(
    action: &AuditAction,
) -> (
    &'static str,
    &'static str,
    (&'static str, &'static str),
    &'static str,
) {
    const AUTHENTICATION: (&str, &str) = ("110114", "User Authentication");
    const RECORD: (&str, &str) = ("110110", "Patient Record");
    const SECURITY: (&str, &str) = ("110113", "Security Alert");
    const ATTRIBUTES: (&str, &str) = ("110137", "User Security Attributes Changed");
    const APPLICATION: (&str, &str) = ("110100", "Application Activity");
    let ((code, display), subtype, verb) = match action {
        AuditAction::Login { .. } => (AUTHENTICATION, ("110122", "Login"), "E"),
        AuditAction::Logout => (AUTHENTICATION, ("110123", "Logout"), "E"),
        AuditAction::CreateAccount { .. } => (SECURITY, ATTRIBUTES, "C"),
        AuditAction::RemoveAccount { .. } => (SECURITY, ATTRIBUTES, "D"),
        AuditAction::EnrollFactor { .. }
        | AuditAction::ConfirmFactor { .. }
        | AuditAction::RemoveFactor { .. }
        | AuditAction::UnlockFactor { .. }
        | AuditAction::ChangePassword { .. } => (SECURITY, ATTRIBUTES, "U"),
        AuditAction::LockFactor { .. } => (SECURITY, ATTRIBUTES, "U"),
        AuditAction::GrantBreakGlass { .. } => {
            (SECURITY, ("110127", "Emergency Override Started"), "E")
        }
        AuditAction::ReadRecord { .. } => (RECORD, RECORD, "R"),
        AuditAction::ListRecords { .. } => (RECORD, RECORD, "R"),
        AuditAction::WriteRecord { version: 1, .. } => (RECORD, RECORD, "C"),
        AuditAction::WriteRecord { .. } => (RECORD, RECORD, "U"),
        AuditAction::DeleteRecord { .. } | AuditAction::ShredScope => (RECORD, RECORD, "D"),
        AuditAction::Authorize { .. } => {
            (APPLICATION, ("110132", "Use of Restricted Function"), "E")
        }
    };
    (code, display, subtype, verb)
}

fn agent(actor: &Actor) -> Value {
    match actor {
        Actor::Operator => json!({ "who": { "display": "operator" }, "requestor": true }),
        Actor::Account { id, role } => json!({
            "who": { "identifier": { "system": ACCOUNT_SYSTEM, "value": id.to_string() } },
            "role": [{ "text": role.as_str() }],
            "requestor": true,
        }),
        Actor::Anonymous => json!({ "who": { "display": "unknown user" }, "requestor": true }),
    }
}

fn entities(action: &AuditAction) -> Vec<Value> {
    let mut entities = Vec::new();
    let (record, person) = match action {
        AuditAction::ReadRecord { record, patient }
        | AuditAction::WriteRecord {
            record, patient, ..
        } => (Some(record), *patient),
        AuditAction::DeleteRecord { record } => (Some(record), None),
        AuditAction::ListRecords { patient } | AuditAction::GrantBreakGlass { patient, .. } => {
            (None, Some(*patient))
        }
        AuditAction::Authorize { patient, .. } => (None, *patient),
        AuditAction::CreateAccount { account, .. }
        | AuditAction::RemoveAccount { account }
        | AuditAction::EnrollFactor { account }
        | AuditAction::ConfirmFactor { account }
        | AuditAction::RemoveFactor { account }
        | AuditAction::LockFactor { account }
        | AuditAction::UnlockFactor { account }
        | AuditAction::ChangePassword { account } => (None, Some(*account)),
        AuditAction::Login { .. } | AuditAction::Logout | AuditAction::ShredScope => (None, None),
    };
    if let Some(record) = record {
        entities.push(json!({
            "what": { "identifier": { "system": RECORD_SYSTEM, "value": record.to_string() } },
            "type": { "system": ENTITY_TYPE, "code": "2", "display": "System Object" },
        }));
    }
    if let Some(person) = person {
        entities.push(person_entity(
            person,
            matches!(
                action,
                AuditAction::ReadRecord { .. }
                    | AuditAction::WriteRecord { .. }
                    | AuditAction::ListRecords { .. }
                    | AuditAction::GrantBreakGlass { .. }
                    | AuditAction::Authorize { .. }
            ),
        ));
    }
    entities
}

fn person_entity(account: AccountId, patient: bool) -> Value {
    let (role_code, role_display) = if patient {
        ("1", "Patient")
    } else {
        ("11", "Security User Entity")
    };
    json!({
        "what": { "identifier": { "system": ACCOUNT_SYSTEM, "value": account.to_string() } },
        "type": { "system": ENTITY_TYPE, "code": "1", "display": "Person" },
        "role": { "system": OBJECT_ROLE, "code": role_code, "display": role_display },
    })
}

/// An instant as FHIR `instant` text (RFC 3339, UTC, milliseconds).
fn recorded(time_ms: i64) -> String {
    DateTime::from_timestamp_millis(time_ms.max(0))
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}
