//! End-to-end tests of the `medvault` program: the built binary run as a child process on a
//! vault in a temporary folder, as an operator would use it. They cover the whole record flow
//! (init, put, get, head, ls, amend, history, rm, verify, scope rm, gc, sync, rebuild), changing
//! the passphrase and rotating the root key, the one-line errors the program promises, two
//! index folders ("machines") on one store, the lock that keeps a second process off an
//! index folder in use, and (on Unix) the permissions of the folders and files it creates.
//! Nothing here touches the network: every vault is a local folder.

#![allow(clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const PASSPHRASE: &str = "correct horse battery staple";

/// `medvault ARGS` in `dir`, on the vault `dir/store` with the index `dir/index` and the
/// passphrase above (as environment variables, which `env` and `args` may override), with
/// `stdin` as its input (none if `None`).
fn medvault(dir: &Path, args: &[&str], env: &[(&str, &str)], stdin: Option<&[u8]>) -> Output {
    let mut child = command(dir, args, env)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .spawn()
        .expect("starting medvault");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("the child's stdin");
        pipe.write_all(input).expect("writing the child's stdin");
    }
    child.wait_with_output().expect("waiting for medvault")
}

/// The command `medvault` runs, without the inherited MEDVAULT_* variables, with its stdout
/// and stderr piped.
fn command(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
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
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
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

/// Checks that a run failed with one stderr line, `medvault: ...` containing `needle`.
fn fails_with(output: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "medvault succeeded: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "not one line on stderr: {stderr:?}");
    assert!(lines[0].starts_with("medvault: "), "stderr: {stderr:?}");
    assert!(lines[0].contains(needle), "no {needle:?} in {stderr:?}");
}

/// The record id `put` printed.
fn record_id(output: &Output) -> String {
    let id = success(output).trim_end().to_owned();
    assert!(
        id.len() == 32
            && id
                .bytes()
                .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f')),
        "not a record id: {id:?}"
    );
    id
}

fn json(output: &Output) -> Value {
    serde_json::from_str(&success(output)).expect("stdout is JSON")
}

#[test]
fn the_operators_whole_flow_on_a_folder() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    let run = |args: &[&str]| medvault(dir, args, &[], None);
    let run_with_input = |args: &[&str], input: &[u8]| medvault(dir, args, &[], Some(input));

    let init = run(&["init"]);
    success(&init);
    assert!(String::from_utf8_lossy(&init.stderr).contains("created vault"));

    // Every byte value, so nothing passes through a text conversion unnoticed, and more than
    // the engine keeps inline in its log, so this payload is an object of its own (the
    // small ones below are inline).
    let lipids: Vec<u8> = (0..=255u8).cycle().take(100_000).chain(*b"LDL").collect();
    let file = dir.join("lipids.bin");
    std::fs::write(&file, &lipids).expect("writing the input file");
    let file = file.to_str().expect("a UTF-8 path");
    let lab = record_id(&run(&[
        "put",
        "--scope",
        "patient-1",
        "--kind",
        "lab-result",
        "--label",
        "panel=lipids",
        file,
    ]));
    let note = record_id(&run_with_input(
        &["put", "--scope", "patient-1", "--kind", "note", "-"],
        b"seen in clinic",
    ));
    assert_ne!(lab, note);

    assert_eq!(run(&["get", &lab]).stdout, lipids);
    assert_eq!(run(&["get", &note]).stdout, b"seen in clinic");
    assert_eq!(
        run(&["get", &lab, "--range", "3..10"]).stdout,
        &lipids[3..10]
    );
    assert_eq!(
        run(&["get", &lab, "--range", "99990..100003"]).stdout,
        &lipids[99_990..]
    );
    let copy = dir.join("copy.bin");
    let written = run(&["get", &lab, "-o", copy.to_str().expect("a UTF-8 path")]);
    assert_eq!(success(&written), "");
    assert_eq!(std::fs::read(&copy).expect("reading -o's file"), lipids);

    let head = json(&run(&["head", &lab]));
    assert_eq!(head["id"], lab.as_str());
    assert_eq!(head["scope"], "patient-1");
    assert_eq!(head["kind"], "lab-result");
    assert_eq!(head["labels"], serde_json::json!({"panel": "lipids"}));
    assert_eq!(head["size"], lipids.len());
    assert_eq!(head["version"], 1);
    assert_eq!(head["content_type"], "application/octet-stream");

    let listing = success(&run(&["ls"]));
    let mut listed: Vec<&str> = listing
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 7, "ls line {line:?}");
            assert_eq!(fields[2], "patient-1");
            fields[0]
        })
        .collect();
    listed.sort_unstable();
    let mut expected = vec![lab.as_str(), note.as_str()];
    expected.sort_unstable();
    assert_eq!(listed, expected);
    let scope = json(&run(&["ls", "--scope", "patient-1", "--json"]));
    assert_eq!(scope.as_array().expect("a JSON array").len(), 2);
    let labs = success(&run(&["ls", "--kind", "lab-result"]));
    assert_eq!(labs.lines().count(), 1, "ls --kind: {labs:?}");
    assert!(
        labs.starts_with(&format!("{lab}\t1\t")),
        "ls --kind: {labs:?}"
    );
    let notes = json(&run(&[
        "ls",
        "--scope",
        "patient-1",
        "--kind",
        "note",
        "--json",
    ]));
    assert_eq!(notes[0]["id"], note.as_str());
    assert_eq!(notes.as_array().expect("a JSON array").len(), 1);

    let amended = run_with_input(&["amend", &lab, "-"], b"LDL 1.8 mmol/L");
    assert_eq!(success(&amended), format!("{lab} 2\n"));
    let history = json(&run(&["history", &lab, "--json"]));
    let versions: Vec<u64> = history
        .as_array()
        .expect("a JSON array")
        .iter()
        .map(|meta| meta["version"].as_u64().expect("a version number"))
        .collect();
    assert_eq!(versions, [1, 2]);
    assert_eq!(run(&["get", &lab]).stdout, b"LDL 1.8 mmol/L");
    assert_eq!(run(&["get", &lab, "--version", "1"]).stdout, lipids);
    assert_eq!(json(&run(&["head", &lab]))["version"], 2);

    success(&run(&["rm", &note]));
    fails_with(&run(&["get", &note]), "not found");
    fails_with(&run(&["head", &note]), "not found");

    let verify = json(&run(&["verify"]));
    assert_eq!(verify["sound"], true, "verify: {verify}");

    let other = record_id(&run_with_input(
        &["put", "--scope", "patient-2", "--kind", "note", "-"],
        b"another patient",
    ));
    let shred = run(&["scope", "rm", "patient-1"]);
    success(&shred);
    assert_eq!(success(&run(&["ls", "--scope", "patient-1"])), "");
    assert_eq!(
        success(&run(&["ls", "--scope", "patient-1", "--json"])),
        "[]\n"
    );
    fails_with(&run(&["get", &lab]), "not found");

    let objects = || {
        std::fs::read_dir(dir.join("store").join("objects"))
            .map(Iterator::count)
            .unwrap_or(0)
    };
    assert_eq!(objects(), 1, "the first version of the lab result");
    success(&run(&["gc", "--min-age-secs", "0"]));
    assert_eq!(objects(), 0, "gc left the shredded scope's object");
    success(&run(&["sync"]));
    success(&run(&["rebuild"]));
    assert_eq!(run(&["get", &other]).stdout, b"another patient");
    success(&run(&["rebuild", "--from-checkpoint"]));
    assert_eq!(run(&["get", &other]).stdout, b"another patient");
    let listing = success(&run(&["ls"]));
    assert!(
        listing.starts_with(&format!("{other}\t1\tpatient-2\t")),
        "ls: {listing:?}"
    );
    assert_eq!(listing.lines().count(), 1, "ls: {listing:?}");
    assert_eq!(json(&run(&["verify"]))["sound"], true);
}

#[test]
fn passwd_and_rotate_key() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    success(&medvault(dir, &["init"], &[], None));
    let id = record_id(&medvault(
        dir,
        &["put", "--scope", "p", "--kind", "k", "-"],
        &[],
        Some(b"before the change"),
    ));

    let new = [("MEDVAULT_NEW_PASSPHRASE", "a new passphrase")];
    let passwd = medvault(dir, &["passwd"], &new, None);
    success(&passwd);
    assert!(String::from_utf8_lossy(&passwd.stderr).contains("passphrase changed"));
    fails_with(&medvault(dir, &["ls"], &[], None), "wrong passphrase");

    let with_new = [("MEDVAULT_PASSPHRASE", "a new passphrase")];
    assert_eq!(
        medvault(dir, &["get", &id], &with_new, None).stdout,
        b"before the change"
    );
    success(&medvault(dir, &["rotate-key"], &with_new, None));
    let get = medvault(dir, &["get", &id], &with_new, None);
    assert_eq!(success(&get), "before the change");
    let later = record_id(&medvault(
        dir,
        &["put", "--scope", "p", "--kind", "k", "-"],
        &with_new,
        Some(b"after the rotation"),
    ));
    let get = medvault(dir, &["get", &later], &with_new, None);
    assert_eq!(success(&get), "after the rotation");
    assert_eq!(
        success(&medvault(dir, &["ls"], &with_new, None))
            .lines()
            .count(),
        2
    );
    // A fresh index (another machine) reads everything too.
    let fresh = [
        ("MEDVAULT_PASSPHRASE", "a new passphrase"),
        ("MEDVAULT_INDEX", "index-2"),
    ];
    let get = medvault(dir, &["get", &id], &fresh, None);
    assert_eq!(success(&get), "before the change");
    fails_with(&medvault(dir, &["ls"], &[], None), "wrong passphrase");
}

#[test]
fn init_and_passwd_refuse_a_weak_passphrase() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    for (passphrase, reason) in [
        (
            "x",
            "the new passphrase is too weak: it must have at least 12 characters",
        ),
        (
            "password1234",
            "it is on the list of commonly used passwords",
        ),
        (
            "hohohohohohoho",
            "it is a sequence of at most 4 characters repeated",
        ),
    ] {
        let init = medvault(dir, &["init"], &[("MEDVAULT_PASSPHRASE", passphrase)], None);
        fails_with(&init, reason);
        assert_eq!(init.status.code(), Some(1));
        assert!(!String::from_utf8_lossy(&init.stderr).contains(passphrase));
        assert!(
            !dir.join("store").exists(),
            "a refused init made the vault folder"
        );
        assert!(
            !dir.join("index").exists(),
            "a refused init made the index folder"
        );
    }
    // A one-character passphrase is refused before the first admin's password is asked for.
    let admin = medvault(
        dir,
        &["init", "--admin", "root-admin"],
        &[("MEDVAULT_PASSPHRASE", "x")],
        None,
    );
    fails_with(&admin, "at least 12 characters");
    assert!(!dir.join("store").exists());

    success(&medvault(dir, &["init"], &[], None));
    let weak = [("MEDVAULT_NEW_PASSPHRASE", "            ")];
    let passwd = medvault(dir, &["passwd"], &weak, None);
    fails_with(&passwd, "it is only spaces or other blank characters");
    assert_eq!(passwd.status.code(), Some(1));
    // The old passphrase still opens the vault.
    success(&medvault(dir, &["ls"], &[], None));
}

#[test]
fn errors_are_one_line() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();

    // No vault there: nothing is created, neither the vault nor the index folder.
    let absent = dir.join("absent");
    let absent_index = dir.join("absent-index");
    let args = [
        "--vault",
        absent.to_str().expect("a UTF-8 path"),
        "--index",
        absent_index.to_str().expect("a UTF-8 path"),
        "ls",
    ];
    fails_with(&medvault(dir, &args, &[], None), "no vault at");
    assert!(!absent.exists(), "the vault folder was created");
    assert!(!absent_index.exists(), "the index folder was created");

    success(&medvault(dir, &["init"], &[], None));
    fails_with(&medvault(dir, &["init"], &[], None), "already exists");

    let wrong = [("MEDVAULT_PASSPHRASE", "not the passphrase")];
    fails_with(&medvault(dir, &["ls"], &wrong, None), "wrong passphrase");
    let empty = [("MEDVAULT_PASSPHRASE", "")];
    fails_with(&medvault(dir, &["ls"], &empty, None), "empty");

    fails_with(
        &medvault(dir, &["get", "not-a-record"], &[], None),
        "is not a record id",
    );
    fails_with(
        &medvault(dir, &["get", "0123456789abcdef0123456789abcdef"], &[], None),
        "not found",
    );
    let missing = dir.join("missing.bin");
    let put = [
        "put",
        "--scope",
        "s",
        "--kind",
        "k",
        missing.to_str().expect("a UTF-8 path"),
    ];
    fails_with(&medvault(dir, &put, &[], None), "missing.bin");

    let id = record_id(&medvault(
        dir,
        &["put", "--scope", "s", "--kind", "k", "-"],
        &[],
        Some(b"0123456789"),
    ));
    fails_with(
        &medvault(
            dir,
            &["get", &id, "--range", "2..4", "--version", "1"],
            &[],
            None,
        ),
        "cannot be combined",
    );
    // Usage mistakes found by the argument parser are one line too, with exit status 2.
    let reversed = medvault(dir, &["get", &id, "--range", "5..2"], &[], None);
    fails_with(&reversed, "start is after end");
    assert_eq!(reversed.status.code(), Some(2));
    fails_with(
        &medvault(dir, &["put", "--kind", "k", "-"], &[], None),
        "--scope",
    );

    // An empty descriptor.
    std::fs::File::create(dir.join("store").join("medvault-vault"))
        .expect("truncating the descriptor");
    fails_with(&medvault(dir, &["ls"], &[], None), "descriptor");
}

#[test]
fn two_index_folders_on_one_store() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    let a = [("MEDVAULT_INDEX", "index-a")];
    let b = [("MEDVAULT_INDEX", "index-b")];
    success(&medvault(dir, &["init"], &a, None));
    // B opens the vault before A writes, so it has something to catch up on.
    assert_eq!(success(&medvault(dir, &["ls"], &b, None)), "");

    let id = record_id(&medvault(
        dir,
        &["put", "--scope", "s", "--kind", "k", "-"],
        &a,
        Some(b"written on A"),
    ));
    success(&medvault(dir, &["sync"], &b, None));
    assert_eq!(
        success(&medvault(dir, &["get", &id], &b, None)),
        "written on A"
    );
    assert!(success(&medvault(dir, &["ls"], &b, None)).starts_with(&id));

    // And back: B amends, A sees the new version.
    success(&medvault(
        dir,
        &["amend", &id, "-"],
        &b,
        Some(b"amended on B"),
    ));
    success(&medvault(dir, &["sync"], &a, None));
    assert_eq!(
        success(&medvault(dir, &["get", &id], &a, None)),
        "amended on B"
    );
}

#[test]
fn a_second_process_on_the_same_index_is_refused() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    success(&medvault(dir, &["init"], &[], None));

    // The put opens the vault (locking a fresh index folder) and then blocks reading stdin.
    let held = [("MEDVAULT_INDEX", "held-index")];
    let mut put = command(dir, &["put", "--scope", "s", "--kind", "k", "-"], &held)
        .stdin(Stdio::piped())
        .spawn()
        .expect("starting medvault put");
    let mut input = put.stdin.take().expect("the child's stdin");

    // The index folder's writer id is written only once its lock is taken, so its presence
    // means the put holds the lock (until it exits, which it cannot before stdin closes).
    let deadline = Instant::now() + Duration::from_secs(60);
    while !dir.join("held-index").join("writer").exists() {
        if let Some(status) = put.try_wait().expect("polling the put") {
            panic!("the put exited ({status}) before locking the index");
        }
        assert!(Instant::now() < deadline, "the put never locked the index");
        std::thread::sleep(Duration::from_millis(20));
    }

    fails_with(
        &medvault(dir, &["ls"], &held, None),
        "open in another process",
    );

    input.write_all(b"held").expect("writing the put's stdin");
    drop(input);
    let id = record_id(&put.wait_with_output().expect("waiting for the put"));
    let listing = success(&medvault(dir, &["ls"], &held, None));
    assert!(listing.starts_with(&id), "ls: {listing:?}");
    assert_eq!(success(&medvault(dir, &["get", &id], &[], None)), "held");
}

/// The permission bits of `path`, in octal.
#[cfg(unix)]
fn mode(path: &Path) -> String {
    use std::os::unix::fs::PermissionsExt;
    let metadata =
        std::fs::metadata(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    format!("{:o}", metadata.permissions().mode() & 0o777)
}

#[cfg(unix)]
#[test]
fn what_the_program_writes_is_its_users_alone() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    let password = [("MEDVAULT_USER_PASSWORD", "admin: quiet harbour lantern")];
    success(&medvault(
        dir,
        &["init", "--admin", "chief.admin"],
        &password,
        None,
    ));
    // The QR code holds the factor's secret.
    success(&medvault(
        dir,
        &[
            "totp",
            "enroll",
            "--username",
            "chief.admin",
            "--qr",
            "qr.png",
        ],
        &password,
        None,
    ));
    let note = record_id(&medvault(
        dir,
        &["put", "--scope", "patient-1", "--kind", "note", "-"],
        &[],
        Some(b"seen in clinic"),
    ));
    success(&medvault(dir, &["get", &note, "-o", "note.txt"], &[], None));
    let patients = import_fixture("patients.csv");
    success(&medvault(
        dir,
        &["import", &patients, "--dry-run", "--report", "report.json"],
        &[],
        None,
    ));

    for folder in ["store", "index"] {
        assert_eq!(mode(&dir.join(folder)), "700", "{folder}");
    }
    for file in ["qr.png", "note.txt", "report.json"] {
        assert_eq!(mode(&dir.join(file)), "600", "{file}");
    }
}

#[test]
fn demo_tells_the_story_and_the_dashboard_reads_it() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    let story = success(&medvault(dir, &["demo", "demo"], &[], None));
    let steps: Vec<&str> = story
        .lines()
        .filter_map(|line| line.split_once(". ").map(|(number, _)| number))
        .filter(|number| number.bytes().all(|byte| byte.is_ascii_digit()))
        .collect();
    assert_eq!(
        steps,
        ["1", "2", "3", "4", "5", "6", "7", "8", "9"],
        "{story}"
    );
    for needle in [
        "logged in with a computed code",
        "booked the first",
        "byte for byte the one uploaded",
        "writing a note of her own was refused",
        "1. dr.grey (Meredith Grey): 1 patient: Ada Lovelace",
        "The audit trail verifies",
    ] {
        assert!(story.contains(needle), "no {needle:?} in {story}");
    }
    fails_with(
        &medvault(dir, &["demo", "demo"], &[], None),
        "already holds a demo vault",
    );

    // The dashboard of the demo's vault, as the operator sees it.
    let demo = [
        ("MEDVAULT_VAULT", "demo/store"),
        ("MEDVAULT_INDEX", "demo/index"),
    ];
    let today = chrono::Utc::now().date_naive();
    let (from, to) = (
        today.to_string(),
        (today + chrono::Duration::days(20)).to_string(),
    );
    let board = json(&medvault(
        dir,
        &["dashboard", "--from", &from, "--to", &to, "--json"],
        &demo,
        None,
    ));
    let top = board["top_physicians"].as_array().expect("a list");
    assert_eq!(top.len(), 1, "{board}");
    assert_eq!(top[0]["username"], "dr.grey");
    assert_eq!(top[0]["patients"][0]["name"], "Ada Lovelace");
    let daily = board["daily"].as_array().expect("days");
    assert_eq!(daily.len(), 21);
    let total: u64 = daily
        .iter()
        .map(|day| day["patients"].as_u64().expect("count"))
        .sum();
    assert_eq!(total, 1, "one patient on one day: {board}");
    let text = success(&medvault(
        dir,
        &["dashboard", "--from", &from, "--to", &to],
        &demo,
        None,
    ));
    assert!(
        text.contains("1. dr.grey (Meredith Grey): 1 patient: Ada Lovelace"),
        "{text}"
    );

    fails_with(
        &medvault(
            dir,
            &["dashboard", "--from", &to, "--to", &from],
            &demo,
            None,
        ),
        "invalid date range: it ends before it starts",
    );
    let usage = medvault(
        dir,
        &["dashboard", "--from", "30.11.2026", "--to", &to],
        &demo,
        None,
    );
    assert_eq!(usage.status.code(), Some(2));
}

/// A fixture of the core's import tests.
fn import_fixture(name: &str) -> String {
    format!(
        "{}/../../core/hospital/tests/fixtures/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn import_reports_every_row_and_a_second_run_changes_nothing() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    success(&medvault(dir, &["init"], &[], None));
    let patients = import_fixture("patients.csv");

    let dry = success(&medvault(
        dir,
        &["import", &patients, "--dry-run", "--report", "dry.json"],
        &[],
        None,
    ));
    assert_eq!(
        dry.trim_end(),
        "dry run: accepted 8, rejected 6, duplicates 1, conflicts 1, unchanged 0, updated 0"
    );
    let report: Value =
        serde_json::from_slice(&std::fs::read(dir.join("dry.json")).expect("report"))
            .expect("JSON");
    let row9 = report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|row| row["row"] == 9)
        .expect("row 9");
    assert_eq!(row9["outcome"], "rejected");
    assert_eq!(row9["reasons"][0], "BIRTHDATE: no such date");

    let done = success(&medvault(
        dir,
        &["import", &patients, "--report", "done.csv"],
        &[],
        None,
    ));
    assert_eq!(
        done.trim_end(),
        "accepted 8, rejected 6, duplicates 1, conflicts 1, unchanged 0, updated 0"
    );
    let csv = std::fs::read_to_string(dir.join("done.csv")).expect("CSV report");
    assert!(csv.starts_with("row,locator,kind,source_id,outcome,reasons,duplicate_of"));
    assert_eq!(csv.lines().count(), 17, "a header and 16 rows");
    let again = success(&medvault(dir, &["import", &patients], &[], None));
    assert_eq!(
        again.trim_end(),
        "accepted 0, rejected 6, duplicates 1, conflicts 1, unchanged 8, updated 0"
    );

    let bundle = success(&medvault(
        dir,
        &["import", &import_fixture("bundle.json")],
        &[],
        None,
    ));
    assert_eq!(
        bundle.trim_end(),
        "accepted 7, rejected 2, duplicates 1, conflicts 0, unchanged 0, updated 0"
    );

    fails_with(
        &medvault(
            dir,
            &["import", &patients, "--kind", "physicians"],
            &[],
            None,
        ),
        "invalid import file",
    );
    fails_with(
        &medvault(dir, &["import", "missing.csv"], &[], None),
        "cannot read missing.csv",
    );
}

/// The usernames `user list --json` shows.
fn usernames(dir: &Path) -> Vec<String> {
    json(&medvault(dir, &["user", "list", "--json"], &[], None))
        .as_array()
        .expect("user list --json: an array")
        .iter()
        .map(|account| account["username"].as_str().expect("a username").to_owned())
        .collect()
}

#[test]
fn an_import_that_cannot_finish_fails_before_writing_anything() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    success(&medvault(dir, &["init"], &[], None));
    let before = usernames(dir);
    let patients = import_fixture("patients.csv");

    fails_with(
        &medvault(
            dir,
            &[
                "import",
                &patients,
                "--report",
                "no-such-folder/report.json",
            ],
            &[],
            None,
        ),
        "cannot write the report to no-such-folder/report.json",
    );
    assert_eq!(usernames(dir), before, "no account was imported");

    let mut unclosed = String::from("Id,BIRTHDATE,FIRST,LAST,GENDER\r\n");
    for number in 1..=102 {
        let first = if number == 3 { "\"Ada" } else { "Ada" };
        unclosed.push_str(&format!(
            "p-{number},1980-01-01,{first},Lovelace{number},F\r\n"
        ));
    }
    std::fs::write(dir.join("unclosed.csv"), unclosed).expect("writing the input file");
    fails_with(
        &medvault(dir, &["import", "unclosed.csv"], &[], None),
        "invalid import file: a quoted field opens on line 4 and is never closed",
    );
    assert_eq!(usernames(dir), before, "no account was imported");
}
