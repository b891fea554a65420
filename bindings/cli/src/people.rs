//! The commands about people: accounts, TOTP factors, login checks and the audit trail.

use std::process::ExitCode;

use medvault::vault::BlockingVault;
use medvault_identity::audit::{Actor, AuditRecord, Outcome};
use medvault_identity::{Identity, IdentityConfig, IdentityError, LoginCode, Role};
use zeroize::Zeroizing;

use crate::args::{AuditCommand, TotpCommand, UserCommand};
use crate::{private_file, secrets};

const USER_PASSWORD_VARIABLE: &str = "MEDVAULT_USER_PASSWORD";
const NEW_USER_PASSWORD_VARIABLE: &str = "MEDVAULT_NEW_USER_PASSWORD";

fn fail(error: IdentityError) -> String {
    error.to_string()
}

fn identity(vault: &BlockingVault) -> Identity {
    Identity::new(vault.inner().clone())
}

/// A new account's password (asked twice at a prompt).
fn new_password() -> Result<Zeroizing<String>, String> {
    secrets::passphrase(USER_PASSWORD_VARIABLE, "New account password: ", true)
}

fn password() -> Result<Zeroizing<String>, String> {
    secrets::passphrase(USER_PASSWORD_VARIABLE, "Account password: ", false)
}

/// The first admin's password, checked with its username before the vault is created, so
/// that a refused password leaves no vault behind.
pub fn first_admin_password(username: &str) -> Result<Zeroizing<String>, String> {
    let password = new_password()?;
    IdentityConfig::default()
        .check_credentials(username, &password)
        .map_err(fail)?;
    Ok(password)
}

/// Creates `vault`'s first admin, named `username`, with `password`.
pub fn create_first_admin(
    vault: &BlockingVault,
    username: &str,
    password: &str,
) -> Result<(), String> {
    let id = vault
        .block_on(identity(vault).operator_create_account(Role::Admin, username, password))
        .map_err(fail)?;
    eprintln!("created admin account {id}; enroll its TOTP factor next (medvault totp enroll)");
    Ok(())
}

/// `medvault user …`
pub fn user(vault: &BlockingVault, command: UserCommand) -> Result<ExitCode, String> {
    let identity = identity(vault);
    match command {
        UserCommand::Add { role, username } => {
            let role: Role = role.parse().map_err(fail)?;
            let password = new_password()?;
            let id = vault
                .block_on(identity.operator_create_account(role, &username, &password))
                .map_err(fail)?;
            println!("{id}");
        }
        UserCommand::Rm { username } => {
            vault
                .block_on(identity.operator_remove_account(&username))
                .map_err(fail)?;
            eprintln!("removed the account; its sessions are ended");
        }
        UserCommand::List { json } => {
            let accounts = identity.operator_accounts().map_err(fail)?;
            if json {
                let accounts: Vec<_> = accounts
                    .iter()
                    .map(|account| {
                        serde_json::json!({
                            "id": account.id.to_string(),
                            "username": account.username,
                            "role": account.role.as_str(),
                            "created_ms": account.created_ms,
                            "factor": account.factor.as_str(),
                            "recovery_codes_left": account.recovery_codes_left,
                        })
                    })
                    .collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&accounts).map_err(|error| error.to_string())?
                );
            } else {
                for account in accounts {
                    println!(
                        "{}\t{}\t{}\t{}",
                        account.id,
                        account.role,
                        account.username,
                        account.factor.as_str()
                    );
                }
            }
        }
        UserCommand::Unlock { username } => {
            vault
                .block_on(identity.operator_unlock_factor(&username))
                .map_err(fail)?;
            eprintln!("unlocked the account's second factor");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `medvault totp …`
pub fn totp(vault: &BlockingVault, command: TotpCommand) -> Result<ExitCode, String> {
    let identity = identity(vault);
    match command {
        TotpCommand::Enroll { username, qr, code } => {
            let password = password()?;
            let current = code.as_deref().map(LoginCode::Totp);
            let enrollment = vault
                .block_on(identity.enroll_totp(&username, &password, current))
                .map_err(fail)?;
            // The enrollment is committed: show it before anything else can fail, or a bad
            // --qr path would lose the only copy of the new secret and recovery codes.
            println!("{}", enrollment.otpauth_uri.as_str());
            for code in &enrollment.recovery_codes {
                println!("{}", code.as_str());
            }
            if let Some(path) = qr {
                private_file::write(&path, &enrollment.qr_png).map_err(|error| {
                    format!(
                        "the factor is enrolled (its URI and recovery codes are above), but \
                         writing {} failed: {error}",
                        path.display()
                    )
                })?;
            }
            eprintln!(
                "shown once: add the otpauth:// URI to an authenticator app, keep the ten \
                 recovery codes offline (each works once), then run medvault totp confirm"
            );
        }
        TotpCommand::Confirm { username, code } => {
            let password = password()?;
            vault
                .block_on(identity.confirm_totp(&username, &password, &code))
                .map_err(fail)?;
            eprintln!("TOTP factor confirmed; logins now take a code");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `medvault login …`
pub fn login(
    vault: &BlockingVault,
    username: &str,
    code: Option<String>,
    recovery_code: Option<String>,
) -> Result<ExitCode, String> {
    let identity = identity(vault);
    let password = password()?;
    let code = login_code(&code, &recovery_code)?;
    let outcome = vault
        .block_on(identity.login(username, &password, code))
        .map_err(|error| format!("login refused: {error}"))?;
    vault
        .block_on(identity.logout(&outcome.token))
        .map_err(fail)?;
    eprintln!(
        "login accepted: {} ({})",
        outcome.account.username, outcome.account.role
    );
    Ok(ExitCode::SUCCESS)
}

/// `medvault passwd --user …`: the account's own password change, proved with its current
/// password and a code.
pub fn change_password(
    vault: &BlockingVault,
    username: &str,
    code: Option<String>,
    recovery_code: Option<String>,
) -> Result<ExitCode, String> {
    let identity = identity(vault);
    let code = login_code(&code, &recovery_code)?;
    let password = password()?;
    let new = secrets::passphrase(NEW_USER_PASSWORD_VARIABLE, "New account password: ", true)?;
    vault
        .block_on(identity.change_password(username, &password, code, &new))
        .map_err(fail)?;
    eprintln!("password changed; the account's sessions have ended");
    Ok(ExitCode::SUCCESS)
}

/// The second factor given as `--code` or `--recovery-code`.
fn login_code<'a>(
    code: &'a Option<String>,
    recovery_code: &'a Option<String>,
) -> Result<LoginCode<'a>, String> {
    match (code, recovery_code) {
        (Some(code), _) => Ok(LoginCode::Totp(code)),
        (None, Some(code)) => Ok(LoginCode::Recovery(code)),
        (None, None) => Err("give --code or --recovery-code".to_owned()),
    }
}

/// `medvault audit …`
pub fn audit(vault: &BlockingVault, command: AuditCommand) -> Result<ExitCode, String> {
    let vault_error = |error: medvault::vault::VaultError| error.to_string();
    match command {
        AuditCommand::Verify => {
            let report = vault.verify_audit().map_err(vault_error)?;
            let plural = |count: u64, one: &'static str, many: &'static str| {
                if count == 1 { one } else { many }
            };
            println!(
                "audit trail sound: {} {} in {} {}",
                report.entries,
                plural(report.entries, "entry", "entries"),
                report.writers,
                plural(report.writers as u64, "chain", "chains"),
            );
        }
        AuditCommand::Export { json } => {
            let trail = vault
                .block_on(identity(vault).operator_audit_trail())
                .map_err(fail)?;
            if json {
                let resources: Vec<_> = trail.iter().map(AuditRecord::to_fhir).collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&resources).map_err(|error| error.to_string())?
                );
            } else {
                for record in &trail {
                    println!("{}", line(record));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One entry as a line: time, actor, action, outcome.
fn line(record: &AuditRecord) -> String {
    let event = &record.event;
    let actor = match &event.actor {
        Actor::Operator => "operator".to_owned(),
        Actor::Account { id, role } => format!("{role}:{id}"),
        Actor::Anonymous => "unknown-user".to_owned(),
    };
    let outcome = match &event.outcome {
        Outcome::Success => "success".to_owned(),
        Outcome::Denied => "denied".to_owned(),
        Outcome::LoginFailed(reason) => format!("failed:{reason:?}"),
    };
    format!(
        "{}\t{actor}\t{:?}\t{outcome}",
        crate::output::rfc3339(event.time_ms),
        event.action
    )
}
