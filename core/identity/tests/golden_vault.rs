//! The golden vault (see `core/tests/golden_vault.rs`) through the identity layer: the
//! accounts and the audit events an earlier release wrote still decode, as they were.
#![allow(clippy::expect_used, clippy::panic)]

#[path = "../../tests/common/mod.rs"]
mod common;

use common::GoldenVault;
use medvault_identity::audit::{Actor, AuditAction, Outcome, SecondFactor};
use medvault_identity::{FactorState, Identity, Role};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_golden_vault_s_accounts_and_audit_events_decode() {
    let golden = GoldenVault::copy();
    let identity = Identity::new(golden.open("index").await);

    // The demo's three people, enrolled with ten recovery codes each, and the eight patients
    // the import brought, who never enrolled.
    let accounts = identity.operator_accounts().expect("every account");
    let enrolled: Vec<(&str, Role, FactorState, usize)> = accounts
        .iter()
        .filter(|account| account.factor != FactorState::None)
        .map(|account| {
            (
                account.username.as_str(),
                account.role,
                account.factor,
                account.recovery_codes_left,
            )
        })
        .collect();
    assert_eq!(
        enrolled,
        [
            ("ada", Role::Patient, FactorState::Active, 10),
            ("dr.grey", Role::Physician, FactorState::Active, 10),
            ("admin", Role::Admin, FactorState::Active, 10),
        ]
    );
    let imported = accounts
        .iter()
        .filter(|account| account.factor == FactorState::None)
        .inspect(|account| assert_eq!(account.role, Role::Patient))
        .filter(|account| account.username.starts_with("patient-"))
        .count();
    assert_eq!((accounts.len(), imported), (11, 8));

    // Every one of its 36 audit entries decodes to the event that was logged.
    let trail = identity
        .operator_audit_trail()
        .await
        .expect("the audit trail");
    assert_eq!(trail.len(), 36);
    let first = &trail[0].event;
    assert_eq!(first.actor, Actor::Operator);
    assert!(matches!(
        first.action,
        AuditAction::CreateAccount {
            role: Role::Admin,
            ..
        }
    ));
    let count = |wanted: fn(&AuditAction, &Outcome) -> bool| {
        trail
            .iter()
            .filter(|record| wanted(&record.event.action, &record.event.outcome))
            .count()
    };
    let logins = count(|action, outcome| {
        matches!(
            (action, outcome),
            (
                AuditAction::Login {
                    factor: SecondFactor::Totp
                },
                Outcome::Success
            )
        )
    });
    let denied = count(|_, outcome| *outcome == Outcome::Denied);
    let created = count(|action, _| matches!(action, AuditAction::CreateAccount { .. }));
    let deleted = count(|action, _| matches!(action, AuditAction::DeleteRecord { .. }));
    let shredded = count(|action, _| matches!(action, AuditAction::ShredScope));
    assert_eq!(
        (logins, denied, created, deleted, shredded),
        (3, 1, 11, 1, 1)
    );
}
