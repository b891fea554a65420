#![allow(clippy::expect_used, clippy::panic)]
//! End-to-end tests of the `medvault` commands about people (`init --admin`, `user`, `totp`,
//! `login`, `passwd --user`, `audit`): the built binary run as a child process on a vault in a
//! temporary folder, with TOTP codes made by an independent client, oathtool (`MEDVAULT_OATHTOOL`, else
//! what `scripts/install-oathtool.sh` installs). No test sleeps: a factor is confirmed with
//! the current code and the next login uses the code of the next time step, which the engine
//! accepts already (it takes one step either side of now).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

const PASSPHRASE: &str = "correct horse battery staple";
const ADMIN_PASSWORD: &str = "admin: quiet harbour lantern";
const PHYSICIAN_PASSWORD: &str = "physician: violet canyon orbit";
const PATIENT_PASSWORD: &str = "patient: amber meadow signal";

/// `medvault ARGS` in `dir`, on the vault `dir/store` with the index `dir/index` and the
/// passphrase above, without the inherited MEDVAULT_* variables, with `env` added.
fn medvault(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_medvault"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("MEDVAULT_") {
            command.env_remove(name);
        }
    }
    command
        .current_dir(dir)
        .env("MEDVAULT_VAULT", dir.join("store"))
        .env("MEDVAULT_INDEX", dir.join("index"))
        .env("MEDVAULT_PASSPHRASE", PASSPHRASE)
        .envs(env.iter().copied())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("running medvault")
}

/// `medvault ARGS` with `password` as the account password.
fn as_user(dir: &Path, password: &str, args: &[&str]) -> Output {
    medvault(dir, args, &[("MEDVAULT_USER_PASSWORD", password)])
}

/// The stdout of a run that must have succeeded.
fn success(output: &Output) -> String {
    assert!(
        output.status.success(),
        "medvault failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Checks that a run failed with one stderr line, `medvault: ...` containing `needle`.
fn fails_with(output: &Output, needle: &str) {
    let stderr = stderr(output);
    assert!(!output.status.success(), "medvault succeeded: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "not one line on stderr: {stderr:?}");
    assert!(lines[0].starts_with("medvault: "), "stderr: {stderr:?}");
    assert!(lines[0].contains(needle), "no {needle:?} in {stderr:?}");
}

fn json(output: &Output) -> Value {
    serde_json::from_str(&success(output)).expect("stdout is JSON")
}

fn is_hex_id(text: &str) -> bool {
    text.len() == 32
        && text
            .bytes()
            .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
}

/// The account id `user add` printed.
fn account_id(output: &Output) -> String {
    let id = success(output).trim_end().to_owned();
    assert!(is_hex_id(&id), "not an account id: {id:?}");
    id
}

/// `user list --json` as username → (role, factor, recovery codes left), checking the fields
/// of every entry.
fn accounts(dir: &Path) -> BTreeMap<String, (String, String, u64)> {
    let listing = json(&medvault(dir, &["user", "list", "--json"], &[]));
    listing
        .as_array()
        .expect("user list --json: an array")
        .iter()
        .map(|account| {
            let text = |field: &str| {
                account[field]
                    .as_str()
                    .unwrap_or_else(|| panic!("no string {field:?} in {account}"))
                    .to_owned()
            };
            assert!(is_hex_id(&text("id")), "account {account}");
            assert!(
                account["created_ms"].as_i64().is_some(),
                "account {account}"
            );
            let left = account["recovery_codes_left"]
                .as_u64()
                .unwrap_or_else(|| panic!("no recovery_codes_left in {account}"));
            (text("username"), (text("role"), text("factor"), left))
        })
        .collect()
}

fn account(role: &str, factor: &str, left: u64) -> (String, String, u64) {
    (role.to_owned(), factor.to_owned(), left)
}

// ----- oathtool -----

/// The oathtool to run: `MEDVAULT_OATHTOOL`, else what `scripts/install-oathtool.sh` prints.
fn oathtool() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        if let Some(path) = std::env::var_os("MEDVAULT_OATHTOOL") {
            return PathBuf::from(path);
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let hint = "install oathtool (apt-get install oathtool, or run \
                    scripts/install-oathtool.sh) or set MEDVAULT_OATHTOOL to its path";
        let output = Command::new(root.join("scripts/install-oathtool.sh"))
            .current_dir(&root)
            .stderr(Stdio::inherit())
            .output()
            .unwrap_or_else(|error| {
                panic!("cannot run scripts/install-oathtool.sh ({error}): {hint}")
            });
        let path = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        if !output.status.success() || path.is_empty() {
            panic!(
                "scripts/install-oathtool.sh failed ({}): {hint}",
                output.status
            );
        }
        PathBuf::from(path)
    })
}

fn unix_now() -> i64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970");
    i64::try_from(now.as_secs()).expect("a sane clock")
}

/// oathtool's TOTP codes for `secret` (base32) at `offset` seconds from now, and the
/// `window` steps after it.
fn oath_codes(secret: &str, offset: i64, window: u32) -> Vec<String> {
    let now = format!("@{}", unix_now() + offset);
    let window = window.to_string();
    let output = Command::new(oathtool())
        .args(["--totp", "-b", secret, "--now", &now, "-w", &window])
        .stdin(Stdio::null())
        .output()
        .expect("running oathtool");
    assert!(
        output.status.success(),
        "oathtool failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let codes: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    assert!(
        codes
            .iter()
            .all(|code| code.len() == 6 && code.bytes().all(|byte| byte.is_ascii_digit())),
        "oathtool printed {codes:?}"
    );
    codes
}

/// The code an authenticator shows now.
fn current_code(secret: &str) -> String {
    oath_codes(secret, 0, 0).remove(0)
}

/// The code of the next time step (30 s ahead), which the engine already accepts.
fn next_code(secret: &str) -> String {
    oath_codes(secret, 30, 0).remove(0)
}

/// A six-digit code that none of the steps from 2 minutes ago to 3 minutes ahead has.
fn wrong_code(secret: &str) -> String {
    let near: HashSet<String> = oath_codes(secret, -120, 10).into_iter().collect();
    (0..10)
        .map(|digit| digit.to_string().repeat(6))
        .find(|code| !near.contains(code))
        .expect("a code outside the window")
}

/// What `totp enroll` showed: the otpauth:// URI, its secret, and the recovery codes.
struct Enrolled {
    uri: String,
    secret: String,
    recovery: Vec<String>,
}

/// A new vault with its admin, `chief.admin`, and the patient `pat.jones`, whose factor is
/// enrolled and confirmed; returns the factor.
fn vault_with_a_patient(dir: &Path) -> Enrolled {
    success(&as_user(
        dir,
        ADMIN_PASSWORD,
        &["init", "--admin", "chief.admin"],
    ));
    add_user(dir, PATIENT_PASSWORD, "patient", "pat.jones");
    enroll_and_confirm(dir, PATIENT_PASSWORD, "pat.jones")
}

/// Adds an account with `password` (`user add`); returns its id.
fn add_user(dir: &Path, password: &str, role: &str, username: &str) -> String {
    account_id(&as_user(
        dir,
        password,
        &["user", "add", "--role", role, "--username", username],
    ))
}

/// Enrolls `username`'s TOTP factor and confirms it with the current code (whose step is then
/// used up).
fn enroll_and_confirm(dir: &Path, password: &str, username: &str) -> Enrolled {
    let factor = enrolled(&as_user(
        dir,
        password,
        &["totp", "enroll", "--username", username],
    ));
    let code = current_code(&factor.secret);
    success(&as_user(
        dir,
        password,
        &["totp", "confirm", "--username", username, "--code", &code],
    ));
    factor
}

/// Parses and checks the output of a `totp enroll` that succeeded.
fn enrolled(output: &Output) -> Enrolled {
    success(output);
    shown(output)
}

/// Parses and checks what `totp enroll` printed.
fn shown(output: &Output) -> Enrolled {
    let stdout = String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 11, "enroll stdout: {stdout:?}");
    let uri = lines[0].to_owned();
    assert!(
        uri.starts_with("otpauth://totp/"),
        "not a TOTP URI: {uri:?}"
    );
    assert_eq!(
        stdout.matches("otpauth://").count(),
        1,
        "the URI is not printed exactly once"
    );
    let secret = uri
        .split(['?', '&'])
        .find_map(|parameter| parameter.strip_prefix("secret="))
        .expect("a secret= parameter")
        .to_owned();
    assert!(
        secret.len() >= 26
            && secret
                .bytes()
                .all(|byte| matches!(byte, b'A'..=b'Z' | b'2'..=b'7')),
        "not a base32 secret: {secret:?}"
    );
    let recovery: Vec<String> = lines[1..].iter().map(|line| (*line).to_owned()).collect();
    for code in &recovery {
        let groups: Vec<&str> = code.split('-').collect();
        assert!(
            groups.len() == 4
                && groups.iter().all(|group| group.len() == 4
                    && group
                        .bytes()
                        .all(|byte| matches!(byte, b'A'..=b'Z' | b'2'..=b'7'))),
            "not a recovery code: {code:?}"
        );
    }
    let distinct: HashSet<&String> = recovery.iter().collect();
    assert_eq!(distinct.len(), 10, "recovery codes repeat: {recovery:?}");
    let stderr = stderr(output);
    assert!(
        !stderr.contains(&secret) && !stderr.contains(&recovery[0]),
        "enroll leaked a secret on stderr: {stderr:?}"
    );
    Enrolled {
        uri,
        secret,
        recovery,
    }
}

/// RFC 4648 base32 without padding, decoded.
fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut bytes = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for symbol in text.bytes() {
        let value = ALPHABET
            .iter()
            .position(|&letter| letter == symbol)
            .expect("a base32 symbol");
        buffer = (buffer << 5) | u32::try_from(value).expect("below 32");
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            bytes.push(u8::try_from((buffer >> bits) & 0xff).expect("one byte"));
        }
    }
    bytes
}

fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// Whether `code` occurs in `text` as a token of its own (not inside a longer run of letters
/// or digits, such as a hex id or a time, where six digits can turn up by chance).
fn contains_token(text: &str, code: &str) -> bool {
    text.match_indices(code).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + code.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// Every file under `root`, with its contents.
fn files_under(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("listing a folder") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("reading a file");
                files.push((path, bytes));
            }
        }
    }
    files
}

#[test]
fn accounts_factors_logins_and_the_audit_trail() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();

    // The first admin comes with the vault; usernames are kept in lowercase.
    let init = as_user(dir, ADMIN_PASSWORD, &["init", "--admin", "Chief.Admin"]);
    success(&init);
    let init_stderr = stderr(&init);
    assert!(init_stderr.contains("created vault"), "{init_stderr:?}");
    let admin_id = init_stderr
        .split_whitespace()
        .skip_while(|word| *word != "account")
        .nth(1)
        .map(|word| word.trim_end_matches(';').to_owned())
        .expect("init names the admin account");
    assert!(is_hex_id(&admin_id), "init: {init_stderr:?}");

    let physician = add_user(dir, PHYSICIAN_PASSWORD, "physician", "dr.gregory");
    let patient = add_user(dir, PATIENT_PASSWORD, "patient", "pat.jones");
    assert!(admin_id != physician && physician != patient && patient != admin_id);

    // The listing as lines: id, role, username, factor.
    let listing = success(&medvault(dir, &["user", "list"], &[]));
    let mut lines: Vec<Vec<&str>> = listing
        .lines()
        .map(|line| line.split('\t').collect())
        .collect();
    lines.sort();
    let mut expected = vec![
        vec![admin_id.as_str(), "admin", "chief.admin", "none"],
        vec![physician.as_str(), "physician", "dr.gregory", "none"],
        vec![patient.as_str(), "patient", "pat.jones", "none"],
    ];
    expected.sort();
    assert_eq!(lines, expected, "user list: {listing:?}");
    let mut expected = BTreeMap::from([
        ("chief.admin".to_owned(), account("admin", "none", 0)),
        ("dr.gregory".to_owned(), account("physician", "none", 0)),
        ("pat.jones".to_owned(), account("patient", "none", 0)),
    ]);
    assert_eq!(accounts(dir), expected);

    // Enrollment: the URI once, ten recovery codes, and the QR code as a PNG.
    let qr = dir.join("dr.gregory.png");
    let qr_arg = qr.to_str().expect("a UTF-8 path");
    let enroll = as_user(
        dir,
        PHYSICIAN_PASSWORD,
        &["totp", "enroll", "--username", "dr.gregory", "--qr", qr_arg],
    );
    let factor = enrolled(&enroll);
    assert!(factor.uri.contains("dr.gregory"), "URI {:?}", factor.uri);
    let png = std::fs::read(&qr).expect("reading the QR code");
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.get(12..16) == Some(b"IHDR"),
        "not a PNG: {:?}",
        &png[..png.len().min(16)]
    );
    // The recovery codes count once their factor is confirmed.
    expected.insert("dr.gregory".to_owned(), account("physician", "pending", 0));
    assert_eq!(accounts(dir), expected);

    // A pending factor does not log in, even with a right code.
    let code = current_code(&factor.secret);
    let login = |password: &str, code: &str| {
        as_user(
            dir,
            password,
            &["login", "--username", "dr.gregory", "--code", code],
        )
    };
    fails_with(
        &login(PHYSICIAN_PASSWORD, &code),
        "no confirmed TOTP factor",
    );

    let confirm = as_user(
        dir,
        PHYSICIAN_PASSWORD,
        &[
            "totp",
            "confirm",
            "--username",
            "dr.gregory",
            "--code",
            &code,
        ],
    );
    success(&confirm);
    expected.insert("dr.gregory".to_owned(), account("physician", "active", 10));
    assert_eq!(accounts(dir), expected);

    let next = next_code(&factor.secret);
    let accepted = login(PHYSICIAN_PASSWORD, &next);
    assert_eq!(success(&accepted), "");
    assert!(
        stderr(&accepted).contains("login accepted: dr.gregory (physician)"),
        "login: {:?}",
        stderr(&accepted)
    );
    fails_with(&login(PHYSICIAN_PASSWORD, &next), "already used");
    let wrong = wrong_code(&factor.secret);
    fails_with(&login(PHYSICIAN_PASSWORD, &wrong), "wrong or expired code");
    let later = oath_codes(&factor.secret, 60, 0).remove(0);
    fails_with(
        &login("not the physician's password", &later),
        "wrong username or password",
    );
    // The admin's password is no good for another account either.
    fails_with(&login(ADMIN_PASSWORD, &later), "wrong username or password");

    // A recovery code works once.
    let recover = |code: &str| {
        as_user(
            dir,
            PHYSICIAN_PASSWORD,
            &["login", "--username", "dr.gregory", "--recovery-code", code],
        )
    };
    let recovered = recover(&factor.recovery[3]);
    success(&recovered);
    assert!(stderr(&recovered).contains("login accepted"));
    fails_with(&recover(&factor.recovery[3]), "wrong or expired code");
    expected.insert("dr.gregory".to_owned(), account("physician", "active", 9));
    assert_eq!(accounts(dir), expected);

    // The audit trail: sound, FHIR AuditEvents, and free of secrets.
    let verify = medvault(dir, &["audit", "verify"], &[]);
    let report = success(&verify);
    let entries: usize = report
        .strip_prefix("audit trail sound: ")
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|count| count.parse().ok())
        .unwrap_or_else(|| panic!("audit verify: {report:?}"));
    // 3 accounts, enroll, confirm, 2 logins and their logouts, 6 refusals at least.
    assert!(entries >= 15, "only {entries} audit entries: {report:?}");
    let export_json = medvault(dir, &["audit", "export", "--json"], &[]);
    let events = json(&export_json);
    let events = events.as_array().expect("audit export --json: an array");
    assert_eq!(events.len(), entries, "export and verify disagree");
    for event in events {
        assert!(event.is_object(), "not an object: {event}");
        assert_eq!(event["resourceType"], "AuditEvent", "event {event}");
    }
    let export = medvault(dir, &["audit", "export"], &[]);
    assert_eq!(success(&export).lines().count(), entries);

    let passwords = [
        ADMIN_PASSWORD,
        PHYSICIAN_PASSWORD,
        PATIENT_PASSWORD,
        "not the physician's password",
    ];
    let codes = [code.as_str(), next.as_str(), wrong.as_str(), later.as_str()];
    for output in [&verify, &export_json, &export] {
        for text in [
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
        ] {
            for password in passwords {
                assert!(!text.contains(password), "a password in the audit output");
            }
            for code in codes {
                assert!(
                    !contains_token(&text, code),
                    "code {code} in the audit output"
                );
            }
            for recovery in &factor.recovery {
                assert!(
                    !text.contains(recovery.as_str()) && !text.contains(&recovery.replace('-', "")),
                    "a recovery code in the audit output"
                );
            }
            assert!(
                !text.contains(&factor.secret),
                "the TOTP secret in the audit output"
            );
        }
    }

    // The vault folder (and the local index) holds no username, password or factor secret
    // in the clear.
    let raw_secret = base32_decode(&factor.secret);
    assert_eq!(raw_secret.len(), 20, "a 160-bit TOTP secret");
    let files = [
        files_under(&dir.join("store")),
        files_under(&dir.join("index")),
    ]
    .concat();
    assert!(
        files
            .iter()
            .any(|(path, _)| path.starts_with(dir.join("store").join("log"))),
        "no log batches in the vault folder"
    );
    let mut needles: Vec<&[u8]> = vec![
        b"chief.admin",
        b"dr.gregory",
        b"pat.jones",
        factor.secret.as_bytes(),
        &raw_secret,
    ];
    needles.extend(passwords.iter().map(|password| password.as_bytes()));
    needles.extend(factor.recovery.iter().map(String::as_bytes));
    for (path, bytes) in &files {
        for needle in &needles {
            assert!(
                !contains_bytes(bytes, needle),
                "{} holds {:?} in the clear",
                path.display(),
                String::from_utf8_lossy(needle)
            );
        }
    }
}

#[test]
fn account_errors_are_one_clear_line() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    success(&as_user(
        dir,
        ADMIN_PASSWORD,
        &["init", "--admin", "chief.admin"],
    ));

    fails_with(
        &as_user(
            dir,
            PHYSICIAN_PASSWORD,
            &["user", "add", "--role", "surgeon", "--username", "dr.cut"],
        ),
        "invalid role",
    );
    fails_with(
        &as_user(
            dir,
            "short",
            &[
                "user",
                "add",
                "--role",
                "patient",
                "--username",
                "pat.jones",
            ],
        ),
        "password rejected",
    );
    // Neither was created.
    assert_eq!(
        accounts(dir).into_keys().collect::<Vec<_>>(),
        ["chief.admin"]
    );

    add_user(dir, PHYSICIAN_PASSWORD, "physician", "dr.gregory");
    // Usernames are compared in lowercase.
    fails_with(
        &as_user(
            dir,
            PATIENT_PASSWORD,
            &[
                "user",
                "add",
                "--role",
                "patient",
                "--username",
                "Dr.Gregory",
            ],
        ),
        "taken",
    );

    fails_with(
        &as_user(
            dir,
            PHYSICIAN_PASSWORD,
            &["login", "--username", "dr.nobody", "--code", "123456"],
        ),
        "wrong username or password",
    );
    fails_with(
        &as_user(
            dir,
            PHYSICIAN_PASSWORD,
            &[
                "totp",
                "confirm",
                "--username",
                "dr.gregory",
                "--code",
                "123456",
            ],
        ),
        "no TOTP enrollment is waiting for confirmation",
    );

    // A removed account no longer logs in, although its password and code are right.
    let factor = enroll_and_confirm(dir, PHYSICIAN_PASSWORD, "dr.gregory");
    let removed = medvault(dir, &["user", "rm", "--username", "dr.gregory"], &[]);
    success(&removed);
    assert!(stderr(&removed).contains("removed the account"));
    let next = next_code(&factor.secret);
    fails_with(
        &as_user(
            dir,
            PHYSICIAN_PASSWORD,
            &["login", "--username", "dr.gregory", "--code", &next],
        ),
        "wrong username or password",
    );
    fails_with(
        &as_user(
            dir,
            PHYSICIAN_PASSWORD,
            &[
                "login",
                "--username",
                "dr.gregory",
                "--recovery-code",
                &factor.recovery[0],
            ],
        ),
        "wrong username or password",
    );
    assert_eq!(
        accounts(dir).into_keys().collect::<Vec<_>>(),
        ["chief.admin"]
    );
    fails_with(
        &medvault(dir, &["user", "rm", "--username", "dr.gregory"], &[]),
        "no such account",
    );

    // One flipped bit in a log batch (inside the first frame of the writer's log segment,
    // after its 16-byte header and the frame's own 16 bytes): the audit trail no longer
    // verifies or exports.
    success(&medvault(dir, &["audit", "verify"], &[]));
    let segments: Vec<PathBuf> = files_under(&dir.join("store").join("log"))
        .into_iter()
        .map(|(path, _)| path)
        .collect();
    assert_eq!(segments.len(), 1, "log segments: {segments:?}");
    let mut bytes = std::fs::read(&segments[0]).expect("reading the log segment");
    assert_eq!(&bytes[16..20], b"MVLF", "the first frame");
    bytes[40] ^= 0x01;
    std::fs::write(&segments[0], &bytes).expect("writing the log segment back");
    let verify = medvault(dir, &["audit", "verify"], &[]);
    fails_with(&verify, "tampered");
    assert!(verify.stdout.is_empty(), "audit verify printed a report");
    fails_with(&medvault(dir, &["audit", "export"], &[]), "tampered");
}

#[test]
fn too_many_wrong_codes_lock_the_factor_until_unlocked() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    let factor = vault_with_a_patient(dir);
    let login = |code: &str| {
        as_user(
            dir,
            PATIENT_PASSWORD,
            &["login", "--username", "pat.jones", "--code", code],
        )
    };

    // The default limit is ten failed attempts.
    let wrong = wrong_code(&factor.secret);
    for attempt in 1..=10 {
        let refused = login(&wrong);
        // The attempt that locks the factor says so.
        let reason = if attempt < 10 {
            "wrong or expired code"
        } else {
            "locked"
        };
        fails_with(&refused, reason);
        let factor_state = &accounts(dir)["pat.jones"].1;
        let state = if attempt < 10 { "active" } else { "locked" };
        assert_eq!(factor_state, state, "after {attempt} wrong codes");
    }
    let listing = success(&medvault(dir, &["user", "list"], &[]));
    assert!(
        listing
            .lines()
            .any(|line| line.ends_with("\tpat.jones\tlocked")),
        "user list: {listing:?}"
    );

    // Locked: a right code is refused, and not used up.
    let next = next_code(&factor.secret);
    fails_with(&login(&next), "locked");

    let unlock = medvault(dir, &["user", "unlock", "--username", "pat.jones"], &[]);
    success(&unlock);
    assert!(stderr(&unlock).contains("unlocked"));
    assert_eq!(accounts(dir)["pat.jones"], account("patient", "active", 10));
    let next = next_code(&factor.secret);
    let accepted = login(&next);
    success(&accepted);
    assert!(
        stderr(&accepted).contains("login accepted: pat.jones (patient)"),
        "login: {:?}",
        stderr(&accepted)
    );
    fails_with(
        &medvault(dir, &["user", "unlock", "--username", "pat.nobody"], &[]),
        "no such account",
    );
}

#[test]
fn a_replaced_factor_is_shown_even_when_its_qr_code_cannot_be_written() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    success(&as_user(
        dir,
        ADMIN_PASSWORD,
        &["init", "--admin", "chief.admin"],
    ));
    let old = enrolled(&as_user(
        dir,
        ADMIN_PASSWORD,
        &["totp", "enroll", "--username", "chief.admin"],
    ));
    let code = current_code(&old.secret);
    success(&as_user(
        dir,
        ADMIN_PASSWORD,
        &[
            "totp",
            "confirm",
            "--username",
            "chief.admin",
            "--code",
            &code,
        ],
    ));

    // Replacing a confirmed factor needs a current code.
    fails_with(
        &as_user(
            dir,
            ADMIN_PASSWORD,
            &["totp", "enroll", "--username", "chief.admin"],
        ),
        "needs a current code",
    );
    // The replacement is committed before the QR code is written; when that fails, the new
    // factor must still be shown, or nobody could ever confirm it.
    let unwritable = dir.join("no such folder").join("qr.png");
    let next = next_code(&old.secret);
    let replace = as_user(
        dir,
        ADMIN_PASSWORD,
        &[
            "totp",
            "enroll",
            "--username",
            "chief.admin",
            "--code",
            &next,
            "--qr",
            unwritable.to_str().expect("a UTF-8 path"),
        ],
    );
    fails_with(&replace, "no such folder");
    let new = shown(&replace);
    assert_ne!(new.secret, old.secret);
    // The confirmed factor stays in force until its replacement is confirmed.
    assert_eq!(accounts(dir)["chief.admin"], account("admin", "active", 10));

    // The factor shown is the one enrolled: it confirms and logs in; the old one is gone.
    success(&as_user(
        dir,
        ADMIN_PASSWORD,
        &[
            "totp",
            "confirm",
            "--username",
            "chief.admin",
            "--code",
            &current_code(&new.secret),
        ],
    ));
    let login = |flag: &str, code: &str| {
        as_user(
            dir,
            ADMIN_PASSWORD,
            &["login", "--username", "chief.admin", flag, code],
        )
    };
    success(&login("--code", &next_code(&new.secret)));
    fails_with(
        &login("--recovery-code", &old.recovery[0]),
        "wrong or expired code",
    );
    success(&login("--recovery-code", &new.recovery[0]));
}

#[test]
fn a_user_changes_their_password_with_a_code() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    let factor = vault_with_a_patient(dir);
    let new_password = "patient: a fresh violet harbour";
    let passwd = |password: &str, new: &str, code: &[&str]| {
        let mut args = vec!["passwd", "--user", "pat.jones"];
        args.extend_from_slice(code);
        medvault(
            dir,
            &args,
            &[
                ("MEDVAULT_USER_PASSWORD", password),
                ("MEDVAULT_NEW_USER_PASSWORD", new),
            ],
        )
    };

    fails_with(
        &passwd(PATIENT_PASSWORD, new_password, &[]),
        "give --code or --recovery-code",
    );
    fails_with(
        &medvault(dir, &["passwd", "--code", "123456"], &[]),
        "--user",
    );
    let wrong = wrong_code(&factor.secret);
    fails_with(
        &passwd(PATIENT_PASSWORD, new_password, &["--code", &wrong]),
        "wrong or expired code",
    );
    fails_with(
        &passwd(
            PATIENT_PASSWORD,
            "short",
            &["--code", &next_code(&factor.secret)],
        ),
        "password rejected",
    );
    fails_with(
        &passwd("not the password", new_password, &["--code", &wrong]),
        "wrong username or password",
    );
    let recovery = &factor.recovery[0];
    let changed = passwd(
        PATIENT_PASSWORD,
        new_password,
        &["--recovery-code", recovery],
    );
    success(&changed);
    assert!(stderr(&changed).contains("password changed"), "{changed:?}");

    let login = |password: &str, code: &str| {
        as_user(
            dir,
            password,
            &["login", "--username", "pat.jones", "--recovery-code", code],
        )
    };
    fails_with(
        &login(PATIENT_PASSWORD, &factor.recovery[1]),
        "login refused",
    );
    success(&login(new_password, &factor.recovery[2]));
}
