//! Access control through sessions: every role against every operation, checked against
//! tables written here; break-glass grants; and the audit entries that access leaves.
#![allow(clippy::expect_used, clippy::panic)]

#[path = "../../tests/common/mod.rs"]
mod common;
mod people;

use std::sync::Arc;
use std::time::Duration;

use common::{Backend, Fixture};
use medvault::vault::{RecordId, Vault};
use medvault_identity::audit::{Actor, AuditAction, AuditRecord, Outcome};
use medvault_identity::policy::{Permission, decide};
use medvault_identity::{
    AccountId, Clock, Decision, Identity, IdentityConfig, IdentityError, ManualClock, Operation,
    Principal, Role,
};
use people::{PASSWORD, User, account_with_session};

/// 2023-11-14T22:13:20Z.
const START_MS: i64 = 1_700_000_000_000;
const REASON: &str = "patient unconscious in the emergency room";

// ----- the policy itself, as a unit-level table -----

/// The operations of the policy, with the patient named relative to the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PolicyOp {
    ReadOwn,
    ReadOther,
    WriteOwn,
    WriteOther,
    ManagePatients,
    ManagePhysicians,
    ManageAdmins,
    UnlockFactor,
    GrantBreakGlass,
    ReadAudit,
}

const POLICY_OPS: [PolicyOp; 10] = [
    PolicyOp::ReadOwn,
    PolicyOp::ReadOther,
    PolicyOp::WriteOwn,
    PolicyOp::WriteOther,
    PolicyOp::ManagePatients,
    PolicyOp::ManagePhysicians,
    PolicyOp::ManageAdmins,
    PolicyOp::UnlockFactor,
    PolicyOp::GrantBreakGlass,
    PolicyOp::ReadAudit,
];

use Decision::{Allowed as A, AllowedByBreakGlass as G, Denied as D};

/// (role, operation, decision without a grant, decision with a live grant for the patient).
const POLICY: &[(Role, PolicyOp, Decision, Decision)] = &[
    (Role::Patient, PolicyOp::ReadOwn, A, A),
    (Role::Patient, PolicyOp::ReadOther, D, D),
    (Role::Patient, PolicyOp::WriteOwn, D, D),
    (Role::Patient, PolicyOp::WriteOther, D, D),
    (Role::Patient, PolicyOp::ManagePatients, D, D),
    (Role::Patient, PolicyOp::ManagePhysicians, D, D),
    (Role::Patient, PolicyOp::ManageAdmins, D, D),
    (Role::Patient, PolicyOp::UnlockFactor, D, D),
    (Role::Patient, PolicyOp::GrantBreakGlass, D, D),
    (Role::Patient, PolicyOp::ReadAudit, D, D),
    (Role::Physician, PolicyOp::ReadOwn, A, A),
    (Role::Physician, PolicyOp::ReadOther, A, A),
    (Role::Physician, PolicyOp::WriteOwn, A, A),
    (Role::Physician, PolicyOp::WriteOther, A, A),
    (Role::Physician, PolicyOp::ManagePatients, D, D),
    (Role::Physician, PolicyOp::ManagePhysicians, D, D),
    (Role::Physician, PolicyOp::ManageAdmins, D, D),
    (Role::Physician, PolicyOp::UnlockFactor, D, D),
    (Role::Physician, PolicyOp::GrantBreakGlass, D, D),
    (Role::Physician, PolicyOp::ReadAudit, D, D),
    (Role::Admin, PolicyOp::ReadOwn, D, G),
    (Role::Admin, PolicyOp::ReadOther, D, G),
    (Role::Admin, PolicyOp::WriteOwn, D, D),
    (Role::Admin, PolicyOp::WriteOther, D, D),
    (Role::Admin, PolicyOp::ManagePatients, A, A),
    (Role::Admin, PolicyOp::ManagePhysicians, A, A),
    (Role::Admin, PolicyOp::ManageAdmins, D, D),
    (Role::Admin, PolicyOp::UnlockFactor, A, A),
    (Role::Admin, PolicyOp::GrantBreakGlass, A, A),
    (Role::Admin, PolicyOp::ReadAudit, A, A),
];

fn policy_operation(op: PolicyOp, own: AccountId, other: AccountId) -> Operation {
    match op {
        PolicyOp::ReadOwn => Operation::ReadRecords { patient: own },
        PolicyOp::ReadOther => Operation::ReadRecords { patient: other },
        PolicyOp::WriteOwn => Operation::WriteRecords { patient: own },
        PolicyOp::WriteOther => Operation::WriteRecords { patient: other },
        PolicyOp::ManagePatients => Operation::ManageAccounts {
            role: Role::Patient,
        },
        PolicyOp::ManagePhysicians => Operation::ManageAccounts {
            role: Role::Physician,
        },
        PolicyOp::ManageAdmins => Operation::ManageAccounts { role: Role::Admin },
        PolicyOp::UnlockFactor => Operation::UnlockFactor,
        PolicyOp::GrantBreakGlass => Operation::GrantBreakGlass,
        PolicyOp::ReadAudit => Operation::ReadAudit,
    }
}

#[test]
fn policy_decide_matches_the_table() {
    // The table names every role and operation exactly once.
    for role in Role::ALL {
        for op in POLICY_OPS {
            let rows = POLICY
                .iter()
                .filter(|(r, o, _, _)| *r == role && *o == op)
                .count();
            assert_eq!(rows, 1, "{role} × {op:?} appears {rows} times in POLICY");
        }
    }
    assert_eq!(POLICY.len(), Role::ALL.len() * POLICY_OPS.len());

    let own = AccountId::from_bytes([1; 16]);
    let other = AccountId::from_bytes([2; 16]);
    for &(role, op, without_grant, with_grant) in POLICY {
        // "Own" is the caller's own account: for a patient, their own records.
        let who = Principal { account: own, role };
        let operation = policy_operation(op, own, other);
        assert_eq!(
            decide(&who, &operation, false),
            without_grant,
            "{role} {op:?} without a grant"
        );
        assert_eq!(
            decide(&who, &operation, true),
            with_grant,
            "{role} {op:?} with a grant"
        );
        assert_eq!(
            decide(&who, &operation, false).is_allowed(),
            without_grant != D
        );
        // Describing an operation never names an account.
        let description = operation.describe();
        assert!(!description.contains(&own.to_string()), "{description}");
        assert!(!description.contains(&other.to_string()), "{description}");
    }
}

// ----- operations of an application above the identity layer -----

/// An application's own operations (as the hospital defines its own): admins only. They go
/// through the same session check, policy call and refusal audit as the identity layer's.
#[derive(Clone, Copy, Debug)]
enum AppOperation {
    ManageEvents,
    ManageNotes,
    ViewDashboard,
}

impl Permission for AppOperation {
    fn decide(&self, who: &Principal, _break_glass: bool) -> Decision {
        Decision::allowed_if(who.role == Role::Admin)
    }

    fn describe(&self) -> String {
        match self {
            Self::ManageEvents => "manage events",
            Self::ManageNotes => "manage notes",
            Self::ViewDashboard => "view the dashboard",
        }
        .to_owned()
    }
}

// ----- a vault with a logged-in session per role -----

struct World {
    _fixture: Fixture,
    vault: Vault,
    identity: Identity,
    clock: Arc<ManualClock>,
    /// The patient whose record the table is about.
    patient: User,
    other_patient: User,
    physician: User,
    /// An admin with no break-glass grant for `patient`.
    admin: User,
    /// An admin holding a live break-glass grant for `patient`.
    glass_admin: User,
    /// A patient without a session, target of grants that must not open `patient`'s records.
    bystander: AccountId,
    /// A record of `patient`, written by `physician`.
    record: RecordId,
}

async fn world() -> World {
    let fixture = Fixture::new(Backend::Memory);
    let vault = fixture.create("a").await;
    let clock = Arc::new(ManualClock::new(START_MS));
    let identity = Identity::with_config(vault.clone(), IdentityConfig::default(), clock.clone());
    let patient = account_with_session(&identity, &clock, Role::Patient, "pat.own").await;
    let other_patient = account_with_session(&identity, &clock, Role::Patient, "pat.other").await;
    let physician = account_with_session(&identity, &clock, Role::Physician, "dr.table").await;
    let admin = account_with_session(&identity, &clock, Role::Admin, "admin.plain").await;
    let glass_admin = account_with_session(&identity, &clock, Role::Admin, "admin.glass").await;
    let bystander = identity
        .operator_create_account(Role::Patient, "pat.bystander", PASSWORD)
        .await
        .expect("create bystander");
    let record = identity
        .write_record(
            &physician.token,
            patient.id,
            "note",
            "text/plain",
            b"blood pressure 120/80",
        )
        .await
        .expect("physician writes")
        .id;
    identity
        .grant_break_glass(
            &glass_admin.token,
            patient.id,
            REASON,
            Duration::from_secs(3600),
        )
        .await
        .expect("grant break-glass");
    World {
        _fixture: fixture,
        vault,
        identity,
        clock,
        patient,
        other_patient,
        physician,
        admin,
        glass_admin,
        bystander,
        record,
    }
}

fn actor(user: &User, role: Role) -> Actor {
    Actor::Account { id: user.id, role }
}

fn denials_by(trail: &[AuditRecord], who: &Actor) -> usize {
    trail
        .iter()
        .filter(|record| record.event.outcome == Outcome::Denied && record.event.actor == *who)
        .count()
}

// ----- every role against every operation -----

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    /// The patient the record belongs to.
    OwnPatient,
    OtherPatient,
    Physician,
    AdminWithoutGrant,
    AdminWithGrant,
}

const WHO: [Who; 5] = [
    Who::OwnPatient,
    Who::OtherPatient,
    Who::Physician,
    Who::AdminWithoutGrant,
    Who::AdminWithGrant,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    ReadRecord,
    ListRecords,
    WriteRecord,
    AmendRecord,
    CreatePhysician,
    CreateAdmin,
    CreatePatient,
    RemoveAccount,
    UnlockFactor,
    GrantBreakGlass,
    ManageEvents,
    ManageNotes,
    ViewDashboard,
    ReadAudit,
}

const OPS: [Op; 14] = [
    Op::ReadRecord,
    Op::ListRecords,
    Op::WriteRecord,
    Op::AmendRecord,
    Op::CreatePhysician,
    Op::CreateAdmin,
    Op::CreatePatient,
    Op::RemoveAccount,
    Op::UnlockFactor,
    Op::GrantBreakGlass,
    Op::ManageEvents,
    Op::ManageNotes,
    Op::ViewDashboard,
    Op::ReadAudit,
];

/// (who, operation, allowed). Records are the own patient's; accounts removed are patients'.
const ACCESS: &[(Who, Op, bool)] = &[
    (Who::OwnPatient, Op::ReadRecord, true),
    (Who::OwnPatient, Op::ListRecords, true),
    (Who::OwnPatient, Op::WriteRecord, false),
    (Who::OwnPatient, Op::AmendRecord, false),
    (Who::OwnPatient, Op::CreatePhysician, false),
    (Who::OwnPatient, Op::CreateAdmin, false),
    (Who::OwnPatient, Op::CreatePatient, false),
    (Who::OwnPatient, Op::RemoveAccount, false),
    (Who::OwnPatient, Op::UnlockFactor, false),
    (Who::OwnPatient, Op::GrantBreakGlass, false),
    (Who::OwnPatient, Op::ManageEvents, false),
    (Who::OwnPatient, Op::ManageNotes, false),
    (Who::OwnPatient, Op::ViewDashboard, false),
    (Who::OwnPatient, Op::ReadAudit, false),
    (Who::OtherPatient, Op::ReadRecord, false),
    (Who::OtherPatient, Op::ListRecords, false),
    (Who::OtherPatient, Op::WriteRecord, false),
    (Who::OtherPatient, Op::AmendRecord, false),
    (Who::OtherPatient, Op::CreatePhysician, false),
    (Who::OtherPatient, Op::CreateAdmin, false),
    (Who::OtherPatient, Op::CreatePatient, false),
    (Who::OtherPatient, Op::RemoveAccount, false),
    (Who::OtherPatient, Op::UnlockFactor, false),
    (Who::OtherPatient, Op::GrantBreakGlass, false),
    (Who::OtherPatient, Op::ManageEvents, false),
    (Who::OtherPatient, Op::ManageNotes, false),
    (Who::OtherPatient, Op::ViewDashboard, false),
    (Who::OtherPatient, Op::ReadAudit, false),
    (Who::Physician, Op::ReadRecord, true),
    (Who::Physician, Op::ListRecords, true),
    (Who::Physician, Op::WriteRecord, true),
    (Who::Physician, Op::AmendRecord, true),
    (Who::Physician, Op::CreatePhysician, false),
    (Who::Physician, Op::CreateAdmin, false),
    (Who::Physician, Op::CreatePatient, false),
    (Who::Physician, Op::RemoveAccount, false),
    (Who::Physician, Op::UnlockFactor, false),
    (Who::Physician, Op::GrantBreakGlass, false),
    (Who::Physician, Op::ManageEvents, false),
    (Who::Physician, Op::ManageNotes, false),
    (Who::Physician, Op::ViewDashboard, false),
    (Who::Physician, Op::ReadAudit, false),
    (Who::AdminWithoutGrant, Op::ReadRecord, false),
    (Who::AdminWithoutGrant, Op::ListRecords, false),
    (Who::AdminWithoutGrant, Op::WriteRecord, false),
    (Who::AdminWithoutGrant, Op::AmendRecord, false),
    (Who::AdminWithoutGrant, Op::CreatePhysician, true),
    (Who::AdminWithoutGrant, Op::CreateAdmin, false),
    (Who::AdminWithoutGrant, Op::CreatePatient, true),
    (Who::AdminWithoutGrant, Op::RemoveAccount, true),
    (Who::AdminWithoutGrant, Op::UnlockFactor, true),
    (Who::AdminWithoutGrant, Op::GrantBreakGlass, true),
    (Who::AdminWithoutGrant, Op::ManageEvents, true),
    (Who::AdminWithoutGrant, Op::ManageNotes, true),
    (Who::AdminWithoutGrant, Op::ViewDashboard, true),
    (Who::AdminWithoutGrant, Op::ReadAudit, true),
    (Who::AdminWithGrant, Op::ReadRecord, true),
    (Who::AdminWithGrant, Op::ListRecords, true),
    (Who::AdminWithGrant, Op::WriteRecord, false),
    (Who::AdminWithGrant, Op::AmendRecord, false),
    (Who::AdminWithGrant, Op::CreatePhysician, true),
    (Who::AdminWithGrant, Op::CreateAdmin, false),
    (Who::AdminWithGrant, Op::CreatePatient, true),
    (Who::AdminWithGrant, Op::RemoveAccount, true),
    (Who::AdminWithGrant, Op::UnlockFactor, true),
    (Who::AdminWithGrant, Op::GrantBreakGlass, true),
    (Who::AdminWithGrant, Op::ManageEvents, true),
    (Who::AdminWithGrant, Op::ManageNotes, true),
    (Who::AdminWithGrant, Op::ViewDashboard, true),
    (Who::AdminWithGrant, Op::ReadAudit, true),
];

impl World {
    fn user(&self, who: Who) -> (&User, Role) {
        match who {
            Who::OwnPatient => (&self.patient, Role::Patient),
            Who::OtherPatient => (&self.other_patient, Role::Patient),
            Who::Physician => (&self.physician, Role::Physician),
            Who::AdminWithoutGrant => (&self.admin, Role::Admin),
            Who::AdminWithGrant => (&self.glass_admin, Role::Admin),
        }
    }

    /// Runs `op` as `who`; `n` makes the names of new accounts unique.
    async fn attempt(&self, who: Who, op: Op, n: usize) -> Result<(), IdentityError> {
        let (user, _) = self.user(who);
        let token = &user.token;
        let id = &self.identity;
        let patient = self.patient.id;
        match op {
            Op::ReadRecord => {
                let (meta, payload) = id.read_record(token, self.record).await?;
                assert_eq!(meta.id, self.record);
                assert!(!payload.is_empty());
            }
            Op::ListRecords => {
                let records = id.list_records(token, patient).await?;
                assert!(records.iter().any(|meta| meta.id == self.record));
            }
            Op::WriteRecord => {
                id.write_record(token, patient, "note", "text/plain", b"new note")
                    .await?;
            }
            Op::AmendRecord => {
                let meta = id.amend_record(token, self.record, b"amended").await?;
                assert!(meta.version > 1);
            }
            Op::CreatePhysician | Op::CreateAdmin | Op::CreatePatient => {
                let role = match op {
                    Op::CreatePhysician => Role::Physician,
                    Op::CreateAdmin => Role::Admin,
                    _ => Role::Patient,
                };
                id.create_account(token, role, &format!("made-{n}"), PASSWORD)
                    .await?;
            }
            Op::RemoveAccount => {
                let target = id
                    .operator_create_account(Role::Patient, &format!("doomed-{n}"), PASSWORD)
                    .await
                    .expect("create target account");
                id.remove_account(token, target).await?;
            }
            Op::UnlockFactor => id.unlock_factor(token, self.other_patient.id).await?,
            Op::GrantBreakGlass => {
                // For a patient other than the table's: the admin without a grant keeps none
                // for it.
                let grant = id
                    .grant_break_glass(token, self.bystander, REASON, Duration::from_secs(600))
                    .await?;
                assert_eq!(grant.patient, self.bystander);
            }
            Op::ManageEvents => {
                id.authorize(token, AppOperation::ManageEvents).await?;
            }
            Op::ManageNotes => {
                id.authorize(token, AppOperation::ManageNotes).await?;
            }
            Op::ViewDashboard => {
                id.authorize(token, AppOperation::ViewDashboard).await?;
            }
            Op::ReadAudit => {
                id.authorize(token, Operation::ReadAudit).await?;
            }
        }
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_role_against_every_operation_matches_the_table() {
    for who in WHO {
        for op in OPS {
            let rows = ACCESS
                .iter()
                .filter(|(w, o, _)| *w == who && *o == op)
                .count();
            assert_eq!(rows, 1, "{who:?} × {op:?} appears {rows} times in ACCESS");
        }
    }
    assert_eq!(ACCESS.len(), WHO.len() * OPS.len());

    let world = world().await;
    let mut mismatches = Vec::new();
    for (n, &(who, op, expected)) in ACCESS.iter().enumerate() {
        let (user, role) = world.user(who);
        let actor = actor(user, role);
        let before = denials_by(
            &medvault_identity::audit::read_trail(&world.vault)
                .await
                .expect("trail"),
            &actor,
        );
        let allowed = match world.attempt(who, op, n).await {
            Ok(()) => true,
            Err(IdentityError::AccessDenied {
                role: denied_role, ..
            }) => {
                assert_eq!(denied_role, role.as_str(), "{who:?} {op:?}");
                false
            }
            Err(other) => panic!("{who:?} {op:?}: unexpected error {other:?}"),
        };
        if allowed != expected {
            mismatches.push(format!(
                "{who:?} {op:?}: allowed {allowed}, table says {expected}"
            ));
        }
        // Every refusal leaves exactly one Denied entry by the caller; an allowed call none.
        let after = denials_by(
            &medvault_identity::audit::read_trail(&world.vault)
                .await
                .expect("trail"),
            &actor,
        );
        assert_eq!(
            after - before,
            usize::from(!allowed),
            "{who:?} {op:?}: Denied entries"
        );
        world.clock.advance(Duration::from_secs(1));
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));

    // The admin without a grant for the patient now holds one for the bystander: it does
    // not open the patient's records.
    let denied = world
        .identity
        .read_record(&world.admin.token, world.record)
        .await;
    assert!(
        matches!(denied, Err(IdentityError::AccessDenied { .. })),
        "{denied:?}"
    );
    let report = world.vault.verify_audit().await.expect("sound trail");
    assert!(report.entries > ACCESS.len() as u64);
}

// ----- break-glass grants -----

#[tokio::test(flavor = "multi_thread")]
async fn break_glass_grant_expires() {
    let world = world().await;
    let admin = &world.admin;
    let denied = world.identity.read_record(&admin.token, world.record).await;
    assert!(matches!(denied, Err(IdentityError::AccessDenied { .. })));

    let grant = world
        .identity
        .grant_break_glass(
            &admin.token,
            world.patient.id,
            REASON,
            Duration::from_secs(15 * 60),
        )
        .await
        .expect("grant");
    assert_eq!(
        (grant.admin, grant.patient, grant.reason.as_str()),
        (admin.id, world.patient.id, REASON)
    );
    assert_eq!(grant.until_ms - grant.granted_ms, 15 * 60 * 1000);
    let (_, payload) = world
        .identity
        .read_record(&admin.token, world.record)
        .await
        .expect("read under the grant");
    assert_eq!(payload, b"blood pressure 120/80");

    // The last millisecond of the grant still reads; the next one does not.
    world.clock.set(grant.until_ms - 1);
    world
        .identity
        .read_record(&admin.token, world.record)
        .await
        .expect("read in the grant's last millisecond");
    world
        .identity
        .list_records(&admin.token, world.patient.id)
        .await
        .expect("list in the grant's last millisecond");
    world.clock.advance(Duration::from_millis(1));
    assert_eq!(world.clock.now_ms(), grant.until_ms);
    let expired = world.identity.read_record(&admin.token, world.record).await;
    assert!(
        matches!(expired, Err(IdentityError::AccessDenied { .. })),
        "{expired:?}"
    );
    let expired = world
        .identity
        .list_records(&admin.token, world.patient.id)
        .await;
    assert!(
        matches!(expired, Err(IdentityError::AccessDenied { .. })),
        "{expired:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn break_glass_grant_needs_a_reason_and_a_bounded_duration() {
    let world = world().await;
    let identity = &world.identity;
    let token = &world.admin.token;
    let patient = world.patient.id;
    let hour = Duration::from_secs(3600);
    let max = identity.config().max_break_glass;

    for reason in ["", "urgent", "   too short   ", "123456789"] {
        let refused = identity
            .grant_break_glass(token, patient, reason, hour)
            .await;
        assert!(
            matches!(
                refused,
                Err(IdentityError::InvalidInput { what: "reason", .. })
            ),
            "reason {reason:?}: {refused:?}"
        );
    }
    for duration in [Duration::ZERO, max + Duration::from_millis(1), max * 2] {
        let refused = identity
            .grant_break_glass(token, patient, REASON, duration)
            .await;
        assert!(
            matches!(
                refused,
                Err(IdentityError::InvalidInput {
                    what: "duration",
                    ..
                })
            ),
            "duration {duration:?}: {refused:?}"
        );
    }
    // Grants name patients only.
    let refused = identity
        .grant_break_glass(token, world.physician.id, REASON, hour)
        .await;
    assert!(
        matches!(
            refused,
            Err(IdentityError::InvalidInput {
                what: "patient",
                ..
            })
        ),
        "{refused:?}"
    );
    // None of these opened anything.
    let denied = identity.read_record(token, world.record).await;
    assert!(matches!(denied, Err(IdentityError::AccessDenied { .. })));

    // Ten characters, once trimmed, and exactly the maximum duration are enough.
    let grant = identity
        .grant_break_glass(token, patient, "  0123456789  ", max)
        .await
        .expect("grant");
    assert_eq!(grant.reason, "0123456789");
    assert_eq!(
        grant.until_ms - grant.granted_ms,
        i64::try_from(max.as_millis()).expect("fits")
    );
    identity
        .read_record(token, world.record)
        .await
        .expect("read under the grant");
}

#[tokio::test(flavor = "multi_thread")]
async fn break_glass_read_is_audited() {
    let world = world().await;
    let glass = &world.glass_admin;
    world
        .identity
        .read_record(&glass.token, world.record)
        .await
        .expect("read under the grant");
    world
        .identity
        .list_records(&glass.token, world.patient.id)
        .await
        .expect("list under the grant");

    let trail = medvault_identity::audit::read_trail(&world.vault)
        .await
        .expect("trail");
    let by_glass = actor(glass, Role::Admin);
    let grant = trail
        .iter()
        .find(|record| {
            record.event.actor == by_glass
                && matches!(&record.event.action, AuditAction::GrantBreakGlass { .. })
        })
        .expect("the grant is audited");
    let AuditAction::GrantBreakGlass {
        patient,
        reason,
        until_ms,
    } = &grant.event.action
    else {
        panic!("not a grant");
    };
    assert_eq!((*patient, reason.as_str()), (world.patient.id, REASON));
    assert_eq!(*until_ms, grant.event.time_ms + 3_600_000);
    assert_eq!(grant.event.outcome, Outcome::Success);

    let read = trail
        .iter()
        .find(|record| {
            record.event.actor == by_glass
                && record.event.action
                    == AuditAction::ReadRecord {
                        record: world.record,
                        patient: Some(world.patient.id),
                    }
        })
        .expect("the read under the grant is audited");
    assert_eq!(read.event.outcome, Outcome::Success);
    assert!(read.event.time_ms >= grant.event.time_ms);
    assert!(trail.iter().any(|record| {
        record.event.actor == by_glass
            && record.event.action
                == AuditAction::ListRecords {
                    patient: world.patient.id,
                }
            && record.event.outcome == Outcome::Success
    }));
    // The export says why the glass was broken.
    let fhir = grant.to_fhir();
    assert_eq!(fhir["purposeOfEvent"][0]["text"], REASON);
    assert_eq!(fhir["purposeOfEvent"][0]["coding"][0]["code"], "BTG");
}

#[tokio::test(flavor = "multi_thread")]
async fn denied_attempt_is_audited() {
    let world = world().await;
    let patient = &world.other_patient;
    let denied = world
        .identity
        .read_record(&patient.token, world.record)
        .await;
    let Err(IdentityError::AccessDenied { role, operation }) = denied else {
        panic!("expected a refusal, got {denied:?}");
    };
    assert_eq!(role, "patient");
    let refusal = medvault_identity::audit::read_trail(&world.vault)
        .await
        .expect("trail")
        .into_iter()
        .rev()
        .find(|record| record.event.outcome == Outcome::Denied)
        .expect("the refusal is audited");
    assert_eq!(refusal.event.actor, actor(patient, Role::Patient));
    assert_eq!(
        refusal.event.action,
        AuditAction::Authorize {
            operation: operation.clone(),
            patient: Some(world.patient.id),
        }
    );
    assert_eq!(operation, "read this patient's records");
    assert_eq!(refusal.event.time_ms, world.clock.now_ms());
    let fhir = refusal.to_fhir();
    assert_eq!(fhir["outcome"], "4");
    assert_eq!(
        fhir["agent"][0]["who"]["identifier"]["value"],
        patient.id.to_string()
    );
    // The refused read left no ReadRecord entry by the patient.
    let trail = medvault_identity::audit::read_trail(&world.vault)
        .await
        .expect("trail");
    assert!(!trail.iter().any(|record| {
        record.event.actor == actor(patient, Role::Patient)
            && matches!(record.event.action, AuditAction::ReadRecord { .. })
    }));
}

#[tokio::test(flavor = "multi_thread")]
async fn only_admins_read_the_audit_trail_and_the_read_is_audited() {
    let world = world().await;
    let trail = world
        .identity
        .audit_trail(&world.admin.token)
        .await
        .expect("an admin reads the trail");
    // The read is audited before the trail is read, so the trail shows it.
    let last = trail.last().expect("entries");
    assert_eq!(
        last.event.action,
        AuditAction::Authorize {
            operation: "read the audit trail".to_owned(),
            patient: None,
        }
    );
    assert_eq!(last.event.outcome, Outcome::Success);
    assert_eq!(last.event.actor, actor(&world.admin, Role::Admin));
    for user in [&world.physician, &world.patient] {
        let denied = world.identity.audit_trail(&user.token).await;
        assert!(
            matches!(denied, Err(IdentityError::AccessDenied { .. })),
            "{denied:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_last_admin_cannot_be_removed() {
    let w = world().await;
    w.identity
        .operator_remove_account("admin.glass")
        .await
        .expect("one of two admins is removed");
    let refused = w.identity.operator_remove_account("admin.plain").await;
    assert!(
        matches!(refused, Err(IdentityError::InvalidInput { .. })),
        "{refused:?}"
    );
    assert!(
        w.identity.session(&w.admin.token).await.is_ok(),
        "still there"
    );
}
