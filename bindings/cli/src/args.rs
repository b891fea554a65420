//! The command line, as clap parses it.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

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
    /// Create a vault (passphrase from MEDVAULT_PASSPHRASE, else a prompt).
    Init,
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
    Rebuild,
    /// Check every record against the store; exit 1 if anything is missing or damaged.
    Verify,
    /// Remove objects and keys nothing refers to.
    Gc {
        /// Only remove garbage at least this many seconds old (writes of other instances
        /// may be in flight).
        #[arg(long, default_value_t = 3600)]
        min_age_secs: u64,
    },
    /// Change the passphrase (new one from MEDVAULT_NEW_PASSPHRASE, else a prompt).
    Passwd,
    /// Rotate the root key: rewrap every key and re-key the index; payloads stay as they are.
    RotateKey,
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
