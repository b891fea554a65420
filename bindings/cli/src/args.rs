//! The command line, as clap parses it.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use medvault_hospital::import::ImportKind;

/// medvault: the operator's tool for MedVault vaults (encrypted patient records in a local
/// folder or an S3 bucket, behind a local encrypted index).
#[derive(Debug, Parser)]
#[command(name = "medvault", version)]
pub struct Cli {
    /// The vault: a folder, or s3://bucket/prefix (with the usual AWS_* variables, and
    /// AWS_ENDPOINT_URL / AWS_ALLOW_HTTP for S3-compatible stores).
    #[arg(
        long,
        env = "MEDVAULT_VAULT",
        default_value = "./medvault-data",
        global = true
    )]
    pub vault: String,

    /// The local index folder. Default: one per vault under $XDG_CACHE_HOME/medvault/index/
    /// (or ~/.cache/medvault/index/), named by a hash of the vault location.
    #[arg(long, env = "MEDVAULT_INDEX", global = true)]
    pub index: Option<PathBuf>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a vault (passphrase from MEDVAULT_PASSPHRASE, else a prompt: at least 12
    /// characters, not blank, repetitive or commonly used), and with --admin its first admin
    /// account (password from MEDVAULT_USER_PASSWORD, else a prompt).
    Init {
        /// The first admin's username.
        #[arg(long)]
        admin: Option<String>,
    },
    /// Store a file (or stdin with `-`); prints the new record id.
    Put {
        /// The scope, such as a patient id.
        #[arg(long)]
        scope: String,
        /// The kind, such as lab-result.
        #[arg(long)]
        kind: String,
        /// A label, KEY=VALUE (repeatable).
        #[arg(long = "label", value_parser = parse_label)]
        labels: Vec<(String, String)>,
        /// The author.
        #[arg(long, default_value = "")]
        author: String,
        /// The payload's media type.
        #[arg(long, default_value = "application/octet-stream")]
        content_type: String,
        /// The file to store, or - for stdin.
        file: String,
    },
    /// Write a record's payload to stdout or a file.
    Get {
        /// The record id.
        record: String,
        /// Only bytes START..END (end exclusive).
        #[arg(long, value_parser = parse_range)]
        range: Option<(u64, u64)>,
        /// A given version instead of the latest.
        #[arg(long)]
        version: Option<u64>,
        /// Write to this file instead of stdout.
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
    },
    /// Print a record's metadata as JSON.
    Head {
        /// The record id.
        record: String,
    },
    /// List records (the latest version of each).
    Ls {
        /// Only this scope.
        #[arg(long)]
        scope: Option<String>,
        /// Only this kind.
        #[arg(long)]
        kind: Option<String>,
        /// One JSON array instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// List every version of a record.
    History {
        /// The record id.
        record: String,
        /// One JSON array instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// Store a new version of a record from a file (or stdin with `-`).
    Amend {
        /// The record id.
        record: String,
        /// The file, or - for stdin.
        file: String,
    },
    /// Delete a record and all its versions.
    Rm {
        /// The record id.
        record: String,
    },
    /// Scope operations.
    Scope {
        /// What to do with the scope.
        #[command(subcommand)]
        command: ScopeCommand,
    },
    /// Apply other writers' changes from the store.
    Sync,
    /// Recreate the local index from the store.
    Rebuild {
        /// Start from the newest checkpoint in the store and replay the log after it,
        /// instead of replaying every batch.
        #[arg(long)]
        from_checkpoint: bool,
    },
    /// Check every record against the store; exit 1 if anything is missing or damaged.
    Verify,
    /// Remove objects and keys nothing refers to.
    Gc {
        /// Only remove garbage at least this many seconds old (writes of other instances
        /// may be in flight).
        #[arg(long, default_value_t = 3600)]
        min_age_secs: u64,
    },
    /// Change the vault passphrase (new one from MEDVAULT_NEW_PASSPHRASE, else a prompt: at
    /// least 12 characters, not blank, repetitive or commonly used); with --user, an account's
    /// password instead (the current one from MEDVAULT_USER_PASSWORD, the new one from
    /// MEDVAULT_NEW_USER_PASSWORD, else prompts), proved with a code. The account's sessions
    /// end.
    Passwd {
        /// The account whose password to change, instead of the vault passphrase.
        #[arg(long)]
        user: Option<String>,
        /// A current TOTP code of the account.
        #[arg(long, requires = "user", conflicts_with = "recovery_code")]
        code: Option<String>,
        /// A recovery code of the account instead of a TOTP code (each works once).
        #[arg(long, requires = "user")]
        recovery_code: Option<String>,
    },
    /// Rotate the root key: rewrap every key and re-key the index; payloads stay as they are.
    RotateKey,
    /// Accounts (passwords from MEDVAULT_USER_PASSWORD, else a prompt).
    User {
        /// What to do with accounts.
        #[command(subcommand)]
        command: UserCommand,
    },
    /// TOTP second factors (the account's password from MEDVAULT_USER_PASSWORD, else a
    /// prompt).
    Totp {
        /// What to do with the factor.
        #[command(subcommand)]
        command: TotpCommand,
    },
    /// Check an account's password and code (password from MEDVAULT_USER_PASSWORD, else a
    /// prompt): exit 0 if both pass, 1 with the reason otherwise. The session it opens is
    /// closed again.
    Login {
        /// The account.
        #[arg(long)]
        username: String,
        /// A TOTP code.
        #[arg(
            long,
            required_unless_present = "recovery_code",
            conflicts_with = "recovery_code"
        )]
        code: Option<String>,
        /// A recovery code instead of a TOTP code (each works once).
        #[arg(long)]
        recovery_code: Option<String>,
    },
    /// The audit trail.
    Audit {
        /// What to do with it.
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The dashboard: the 5 physicians with the most distinct patients (with those
    /// patients) and the distinct patients of each day, from one date to another.
    Dashboard {
        /// The first day, YYYY-MM-DD.
        #[arg(long)]
        from: NaiveDate,
        /// The last day, YYYY-MM-DD (at most 366 days after --from).
        #[arg(long)]
        to: NaiveDate,
        /// One JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Import patients, physicians or appointments from a Synthea CSV file or a FHIR R4
    /// Bundle, cleansing them on the way; prints one line: accepted, rejected, duplicates,
    /// conflicts, unchanged, updated. A patient whose demographics a later file changes is
    /// updated; physicians and appointments an earlier import brought are left alone.
    Import {
        /// The file to import.
        file: PathBuf,
        /// What the file holds (patients, physicians or appointments); guessed from a CSV
        /// header, and every kind a bundle holds when not given.
        #[arg(long)]
        kind: Option<ImportKind>,
        /// Decide and report every row, but write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Write the report of every row here: JSON, or CSV if the name ends in .csv.
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// Run the whole hospital story in a new vault in DIR (the store in DIR/store, its
    /// index in DIR/index; passphrase from MEDVAULT_PASSPHRASE, else a prompt, with the floor
    /// of init), printing each step.
    Demo {
        /// A folder that holds no vault yet.
        #[arg(default_value = "./medvault-demo")]
        dir: PathBuf,
    },
}

/// Account commands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; prints its id.
    Add {
        /// patient, physician or admin.
        #[arg(long)]
        role: String,
        /// The username (3 to 64 of a-z 0-9 . _ - @; case does not matter).
        #[arg(long)]
        username: String,
    },
    /// Remove an account; its sessions end.
    Rm {
        /// The username.
        #[arg(long)]
        username: String,
    },
    /// List accounts.
    List {
        /// One JSON array instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// Unlock a second factor locked after too many failed attempts.
    Unlock {
        /// The username.
        #[arg(long)]
        username: String,
    },
}

/// TOTP commands.
#[derive(Debug, Subcommand)]
pub enum TotpCommand {
    /// Enroll a new factor: prints the otpauth:// URI once, then ten single-use recovery
    /// codes. Replacing a confirmed factor needs a current code.
    Enroll {
        /// The account.
        #[arg(long)]
        username: String,
        /// Also write the URI as a QR code to this PNG file.
        #[arg(long)]
        qr: Option<PathBuf>,
        /// A current code of the confirmed factor being replaced.
        #[arg(long)]
        code: Option<String>,
    },
    /// Confirm an enrolled factor with its first code.
    Confirm {
        /// The account.
        #[arg(long)]
        username: String,
        /// A code from the authenticator.
        #[arg(long)]
        code: String,
    },
}

/// Audit commands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the audit trail's chain; exit 1 if an entry was edited, removed, reordered or
    /// added.
    Verify,
    /// Print the audit trail (after verifying it), one entry per line.
    Export {
        /// FHIR R4 AuditEvent resources, as one JSON array.
        #[arg(long)]
        json: bool,
    },
}

/// Scope commands.
#[derive(Debug, Subcommand)]
pub enum ScopeCommand {
    /// Crypto-shred a scope: destroy its keys so none of its records can ever be read.
    Rm {
        /// The scope id.
        scope: String,
    },
}

fn parse_label(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .filter(|(key, _)| !key.is_empty())
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .ok_or_else(|| format!("expected KEY=VALUE, got {text:?}"))
}

fn parse_range(text: &str) -> Result<(u64, u64), String> {
    let (start, end) = text
        .split_once("..")
        .ok_or_else(|| format!("expected START..END, got {text:?}"))?;
    let start: u64 = start
        .parse()
        .map_err(|_| format!("bad start in {text:?}"))?;
    let end: u64 = end.parse().map_err(|_| format!("bad end in {text:?}"))?;
    if start > end {
        return Err(format!("start is after end in {text:?}"));
    }
    Ok((start, end))
}
