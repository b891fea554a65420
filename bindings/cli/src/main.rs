//! `medvault`, the operator's command-line tool: one command per vault operation, exit status
//! 0 on success and one clear line on stderr otherwise.

mod args;
mod dashboard;
mod demo;
mod import;
mod output;
mod people;
mod private_file;
mod progress;
mod secrets;

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use medvault::crypto::UnlockCredential;
use medvault::vault::{
    BlockingVault, IndexLocation, NewRecord, RebuildStart, RecordId, StoreLocation, VaultConfig,
};

use args::{Cli, Command, ScopeCommand};

const PASSPHRASE_VARIABLE: &str = "MEDVAULT_PASSPHRASE";
const NEW_PASSPHRASE_VARIABLE: &str = "MEDVAULT_NEW_PASSPHRASE";

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error),
    };
    match run(cli) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("medvault: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Help and version go to stdout as clap prints them; a usage mistake becomes one line on
/// stderr, like every other error.
fn usage_error(error: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        error.exit();
    }
    let rendered = error.render().to_string();
    let message: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .take_while(|line| !line.is_empty() && !line.starts_with("Usage:"))
        .collect();
    let message = message.join(" ");
    eprintln!(
        "medvault: {} (see medvault --help)",
        message.strip_prefix("error: ").unwrap_or(&message)
    );
    ExitCode::from(2)
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    let store = StoreLocation::parse(&cli.vault).map_err(|error| error.to_string())?;
    let index = match cli.index {
        Some(index) => IndexLocation::Folder(index),
        None => IndexLocation::default_for(&store).map_err(|error| error.to_string())?,
    };
    let config = VaultConfig::new(store, index);
    if let Command::Init { admin } = &cli.command {
        let passphrase = secrets::new_passphrase(PASSPHRASE_VARIABLE, "New vault passphrase: ")?;
        let admin_password = match admin {
            Some(admin) => Some(people::first_admin_password(admin)?),
            None => None,
        };
        let vault =
            BlockingVault::create(&config, UnlockCredential::Passphrase(passphrase.as_bytes()))
                .map_err(|error| error.to_string())?;
        eprintln!(
            "created vault {} at {}",
            vault.inner().id(),
            vault.inner().location()
        );
        if let (Some(admin), Some(password)) = (admin, admin_password) {
            people::create_first_admin(&vault, admin, &password)?;
        }
        vault.close().map_err(|error| error.to_string())?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Demo { dir } = &cli.command {
        let passphrase = secrets::new_passphrase(PASSPHRASE_VARIABLE, "New vault passphrase: ")?;
        demo::run(dir, passphrase.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let passphrase = secrets::passphrase(PASSPHRASE_VARIABLE, "Vault passphrase: ", false)?;
    let vault = BlockingVault::open(&config, UnlockCredential::Passphrase(passphrase.as_bytes()))
        .map_err(|error| error.to_string())?;
    let code = execute(&vault, cli.command, passphrase.as_bytes())?;
    vault.close().map_err(|error| error.to_string())?;
    Ok(code)
}

fn execute(vault: &BlockingVault, command: Command, passphrase: &[u8]) -> Result<ExitCode, String> {
    let fail = |error: medvault::vault::VaultError| error.to_string();
    match command {
        Command::Init { .. } | Command::Demo { .. } => {
            return Err("init and demo are handled before a vault is opened".to_owned());
        }
        Command::Dashboard { from, to, json } => dashboard::run(vault, from, to, json)?,
        Command::Import {
            file,
            kind,
            dry_run,
            report,
        } => import::run(vault, &file, kind, dry_run, report)?,
        Command::User { command } => return people::user(vault, command),
        Command::Totp { command } => return people::totp(vault, command),
        Command::Login {
            username,
            code,
            recovery_code,
        } => return people::login(vault, &username, code, recovery_code),
        Command::Audit { command } => return people::audit(vault, command),
        Command::Put {
            scope,
            kind,
            labels,
            author,
            content_type,
            file,
        } => {
            let payload = read_input(&file)?;
            let mut record = NewRecord::new(scope, kind)
                .author(author)
                .content_type(content_type);
            record.labels.extend(labels);
            let meta = vault.put(record, &payload).map_err(fail)?;
            println!("{}", meta.id);
        }
        Command::Get {
            record,
            range,
            version,
            output,
        } => {
            let record = parse_record(&record)?;
            let payload = match (range, version) {
                (Some(_), Some(_)) => return Err("--range and --version cannot be combined".into()),
                (Some((start, end)), None) => vault.get_range(record, start..end).map_err(fail)?,
                (None, Some(version)) => vault.get_version(record, version).map_err(fail)?.1,
                (None, None) => vault.get(record).map_err(fail)?.1,
            };
            write_output(output, &payload)?;
        }
        Command::Head { record } => {
            let meta = vault.head(parse_record(&record)?).map_err(fail)?;
            println!("{}", output::meta_json(&meta));
        }
        Command::Ls { scope, kind, json } => {
            let mut metas = match &scope {
                Some(scope) => vault.list_scope(scope).map_err(fail)?,
                None => match &kind {
                    Some(kind) => vault.list_kind(kind, i64::MIN..i64::MAX).map_err(fail)?,
                    None => vault.list_all().map_err(fail)?,
                },
            };
            if let (Some(_), Some(kind)) = (&scope, &kind) {
                metas.retain(|meta| &meta.kind == kind);
            }
            output::print_metas(&metas, json);
        }
        Command::History { record, json } => {
            let metas = vault.history(parse_record(&record)?).map_err(fail)?;
            output::print_metas(&metas, json);
        }
        Command::Amend { record, file } => {
            let payload = read_input(&file)?;
            let meta = vault
                .amend(parse_record(&record)?, &payload)
                .map_err(fail)?;
            println!("{} {}", meta.id, meta.version);
        }
        Command::Rm { record } => vault.delete(parse_record(&record)?).map_err(fail)?,
        Command::Scope {
            command: ScopeCommand::Rm { scope },
        } => {
            let shredded = vault.shred_scope(&scope).map_err(fail)?;
            eprintln!(
                "shredded the scope's keys: {shredded} records are unreadable; run gc to remove their objects"
            );
        }
        Command::Sync => {
            let bar = progress::Bar::new("applying log batches");
            let batches = vault.sync(bar.as_progress()).map_err(fail)?;
            bar.finish();
            eprintln!("applied {batches} log batches");
        }
        Command::Rebuild { from_checkpoint } => {
            let start = if from_checkpoint {
                RebuildStart::Checkpoint
            } else {
                RebuildStart::Log
            };
            let bar = progress::Bar::new("rebuilding the index");
            let batches = vault.rebuild_from(start, bar.as_progress()).map_err(fail)?;
            bar.finish();
            eprintln!("rebuilt the index from {batches} log batches");
        }
        Command::Verify => {
            let bar = progress::Bar::new("verifying records");
            let report = vault.verify(bar.as_progress()).map_err(fail)?;
            bar.finish();
            println!("{}", output::verify_json(&report));
            if !report.is_sound() {
                eprintln!("medvault: the vault has missing or damaged records (listed above)");
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Gc { min_age_secs } => {
            let bar = progress::Bar::new("removing garbage");
            let report = vault
                .gc(Duration::from_secs(min_age_secs), bar.as_progress())
                .map_err(fail)?;
            bar.finish();
            eprintln!(
                "removed {} objects, {} keys and {} old checkpoints",
                report.objects_removed, report.keys_removed, report.checkpoints_removed
            );
        }
        Command::Passwd {
            user: Some(username),
            code,
            recovery_code,
        } => return people::change_password(vault, &username, code, recovery_code),
        Command::Passwd { user: None, .. } => {
            let new = secrets::new_passphrase(NEW_PASSPHRASE_VARIABLE, "New passphrase: ")?;
            vault
                .change_passphrase(passphrase, new.as_bytes())
                .map_err(fail)?;
            eprintln!("passphrase changed");
        }
        Command::RotateKey => {
            vault
                .rotate_root(&[UnlockCredential::Passphrase(passphrase)])
                .map_err(fail)?;
            eprintln!("root key rotated; other instances of this vault must reopen");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_record(text: &str) -> Result<RecordId, String> {
    text.parse()
        .map_err(|_| format!("{text:?} is not a record id (32 hex digits)"))
}

fn read_input(file: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    if file == "-" {
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|error| format!("reading stdin: {error}"))?;
    } else {
        bytes = std::fs::read(file).map_err(|error| format!("reading {file}: {error}"))?;
    }
    Ok(bytes)
}

fn write_output(output: Option<PathBuf>, payload: &[u8]) -> Result<(), String> {
    match output {
        Some(path) => private_file::write(&path, payload)
            .map_err(|error| format!("writing {}: {error}", path.display())),
        None => std::io::stdout()
            .lock()
            .write_all(payload)
            .map_err(|error| format!("writing stdout: {error}")),
    }
}
