//! Logins end to end: RFC 6238 vectors, codes from an independent TOTP client (oathtool),
//! replay and races, lockout across a restart, recovery codes, session timeouts, the
//! password policy, and what errors and debug output must not reveal.
#![allow(clippy::expect_used, clippy::panic)]

#[path = "../../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use common::{Backend, Fixture};
use medvault::vault::Vault;
use medvault_identity::audit::{Actor, AuditAction, LoginFailure, Outcome};
use medvault_identity::{
    AccountInfo, Clock, Enrollment, FactorState, Identity, IdentityConfig, IdentityError,
    LoginCode, LoginOutcome, ManualClock, PasswordRejection, RECOVERY_CODE_COUNT, Role,
    SessionToken, TotpAlgorithm, TotpFactor,
};
use tokio::sync::Barrier;

/// 2026-01-01 00:00:00 UTC, the start of a time step.
const T0: u64 = 1_767_225_600;
const STEP: Duration = Duration::from_secs(30);
const PASSWORD: &str = "correct horse battery staple";
const MINUTE: Duration = Duration::from_secs(60);

// ----- helpers -----

/// A vault, its identity layer and the clock it reads, starting at [`T0`].
struct Setup {
    fixture: Fixture,
    vault: Vault,
    identity: Identity,
    clock: Arc<ManualClock>,
}

impl Setup {
    async fn new(backend: Backend, config: IdentityConfig) -> Self {
        let fixture = Fixture::new(backend);
        let vault = fixture.create("a").await;
        let clock = Arc::new(ManualClock::new(ms(T0)));
        let identity = Identity::with_config(vault.clone(), config, clock.clone());
        Self {
            fixture,
            vault,
            identity,
            clock,
        }
    }

    /// The clock's time in whole seconds.
    fn now(&self) -> u64 {
        u64::try_from(self.clock.now_ms() / 1000).expect("time after 1970")
    }

    /// Registers a patient, enrolls a TOTP factor and confirms it with the current code.
    async fn enrolled_patient(&self, username: &str) -> Enrollment {
        self.identity
            .register_patient(username, PASSWORD)
            .await
            .expect("register");
        let enrollment = self
            .identity
            .enroll_totp(username, PASSWORD, None)
            .await
            .expect("enroll");
        let code = enrollment.factor.code_at(self.now());
        self.identity
            .confirm_totp(username, PASSWORD, &code)
            .await
            .expect("confirm");
        enrollment
    }

    /// Moves to the next time step and logs in with its code.
    async fn login_next_step(&self, username: &str, factor: &TotpFactor) -> LoginOutcome {
        self.clock.advance(STEP);
        let code = factor.code_at(self.now());
        self.identity
            .login(username, PASSWORD, LoginCode::Totp(&code))
            .await
            .expect("login with the current code")
    }

    async fn login_totp(&self, username: &str, code: &str) -> Result<LoginOutcome, IdentityError> {
        self.identity
            .login(username, PASSWORD, LoginCode::Totp(code))
            .await
    }

    async fn login_recovery(
        &self,
        username: &str,
        code: &str,
    ) -> Result<LoginOutcome, IdentityError> {
        self.identity
            .login(username, PASSWORD, LoginCode::Recovery(code))
            .await
    }

    fn account(&self, username: &str) -> AccountInfo {
        self.identity
            .operator_account(username)
            .expect("account exists")
    }
}

fn ms(seconds: u64) -> i64 {
    i64::try_from(seconds * 1000).expect("time fits")
}

/// A code of `factor`'s format that is valid for none of the steps accepted at `now`.
fn wrong_code(factor: &TotpFactor, now: u64) -> String {
    let accepted: Vec<String> = [now - 30, now, now + 30]
        .iter()
        .map(|&t| factor.code_at(t))
        .collect();
    let mut digits = factor.code_at(now).into_bytes();
    loop {
        digits[0] = b'0' + (digits[0] - b'0' + 1) % 10;
        let code = String::from_utf8(digits.clone()).expect("ascii digits");
        if !accepted.contains(&code) {
            return code;
        }
    }
}

fn expect_err<T: std::fmt::Debug>(result: Result<T, IdentityError>, what: &str) -> IdentityError {
    match result {
        Ok(value) => panic!("{what}: expected an error, got {value:?}"),
        Err(error) => error,
    }
}

/// The path of an `oathtool` binary: `$MEDVAULT_OATHTOOL`, else what
/// `scripts/install-oathtool.sh` installs (once per test binary).
fn oathtool() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        if let Some(path) = std::env::var_os("MEDVAULT_OATHTOOL") {
            return PathBuf::from(path);
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let script = root.join("scripts/install-oathtool.sh");
        let output = Command::new("bash")
            .arg(&script)
            .current_dir(&root)
            .output()
            .unwrap_or_else(|error| panic!("could not run {}: {error}", script.display()));
        let path = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        if !output.status.success() || path.is_empty() {
            panic!(
                "oathtool is needed as an independent TOTP client: {} failed ({}):\n{}\n\
                 Install Debian's `oathtool` package, or set MEDVAULT_OATHTOOL to the path \
                 of an oathtool binary.",
                script.display(),
                output.status,
                String::from_utf8_lossy(&output.stderr)
            );
        }
        PathBuf::from(path)
    })
}

/// `unix_seconds` as oathtool's `--now` takes it: `2026-01-01 00:00:00 UTC`.
fn oathtool_time(unix_seconds: u64) -> String {
    chrono::DateTime::from_timestamp(i64::try_from(unix_seconds).expect("fits"), 0)
        .expect("a representable time")
        .format("%Y-%m-%d %H:%M:%S UTC")
        .to_string()
}

/// The 6-digit SHA-1 TOTP code oathtool computes for `secret_base32` at `unix_seconds`.
fn oathtool_code(secret_base32: &str, unix_seconds: u64) -> String {
    let output = Command::new(oathtool())
        .args(["--totp", "-b", secret_base32, "--now"])
        .arg(oathtool_time(unix_seconds))
        .output()
        .expect("run oathtool");
    assert!(
        output.status.success(),
        "oathtool failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let code = String::from_utf8(output.stdout)
        .expect("utf-8")
        .trim()
        .to_owned();
    assert!(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "unexpected oathtool output {code:?}"
    );
    code
}

// ----- 1. RFC 6238 Appendix B -----

#[test]
fn rfc6238_appendix_b_vectors_verify() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/standards.json");
    let text = std::fs::read_to_string(&path).expect("read standards.json");
    let json: serde_json::Value = serde_json::from_str(&text).expect("parse standards.json");
    let set = &json["rfc6238_appendix_b_totp"];
    let digits = u8::try_from(set["digits"].as_u64().expect("digits")).expect("digits fit");
    assert_eq!(digits, 8);
    assert_eq!(set["step_seconds"].as_u64(), Some(TotpFactor::STEP_SECONDS));

    let mut checked = 0;
    for (name, algorithm) in [
        ("SHA1", TotpAlgorithm::Sha1),
        ("SHA256", TotpAlgorithm::Sha256),
        ("SHA512", TotpAlgorithm::Sha512),
    ] {
        let seed = set["seeds_ascii"][name].as_str().expect("seed");
        let factor = TotpFactor::from_secret(seed.as_bytes().to_vec(), algorithm, digits)
            .expect("factor from the RFC seed");
        for vector in set["vectors"].as_array().expect("vectors") {
            let time = vector["time"].as_u64().expect("time");
            let code = vector[name].as_str().expect("code");
            let step = time / 30;
            assert_eq!(
                factor.verify(code, time),
                Some(step),
                "{name} at {time}: {code}"
            );
            assert_eq!(factor.code_at(time), code, "{name} at {time}");
            // One step of clock drift either way is accepted, and reports the code's step.
            assert_eq!(
                factor.verify(code, time + 30),
                Some(step),
                "{name} at {time}+30"
            );
            // Two steps later the code is too old.
            assert_eq!(factor.verify(code, time + 60), None, "{name} at {time}+60");

            // Each digit changed in turn: never accepted.
            for position in 0..code.len() {
                let mut wrong = code.as_bytes().to_vec();
                wrong[position] = b'0' + (wrong[position] - b'0' + 1) % 10;
                let wrong = String::from_utf8(wrong).expect("ascii");
                assert_eq!(
                    factor.verify(&wrong, time),
                    None,
                    "{name} at {time}: {wrong} (one digit of {code} changed)"
                );
            }
            // A code of the wrong length is refused, even as a prefix of the right one.
            assert_eq!(factor.verify(&code[..6], time), None);
            checked += 1;
        }
    }
    assert_eq!(checked, 18, "all 18 RFC 6238 Appendix B vectors");

    // The wrong algorithm does not verify the SHA-256 seed's codes.
    let sha1_with_sha256_seed = TotpFactor::from_secret(
        b"12345678901234567890123456789012".to_vec(),
        TotpAlgorithm::Sha1,
        8,
    )
    .expect("factor");
    assert_eq!(sha1_with_sha256_seed.verify("46119246", 59), None);
}

// ----- 2. an independent client: oathtool -----

#[tokio::test]
async fn oathtool_codes_confirm_and_log_in_once() {
    let s = Setup::new(Backend::Memory, IdentityConfig::default()).await;
    let user = "dr.house";
    let id = s
        .identity
        .operator_create_account(Role::Physician, user, PASSWORD)
        .await
        .expect("create physician");
    assert_eq!(s.account(user).factor, FactorState::None);
    // No factor yet: no login.
    let error = expect_err(s.login_totp(user, "123456").await, "login without a factor");
    assert!(
        matches!(error, IdentityError::FactorNotEnrolled),
        "{error:?}"
    );

    let enrollment = s
        .identity
        .enroll_totp(user, PASSWORD, None)
        .await
        .expect("enroll");
    assert_eq!(enrollment.account, id);
    assert_eq!(s.account(user).factor, FactorState::Pending);
    let secret = enrollment.factor.secret_base32();
    assert_eq!(secret.len(), 32, "160-bit secret in unpadded base32");
    let uri = enrollment.otpauth_uri.as_str();
    assert!(uri.starts_with("otpauth://totp/"), "{uri}");
    assert!(uri.contains(&format!("secret={secret}")), "{uri}");
    assert!(uri.contains("issuer=MedVault"), "{uri}");
    assert!(uri.contains(user), "{uri}");
    #[cfg(feature = "totp-qr")]
    assert!(
        enrollment.qr_png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "QR code is a PNG"
    );
    assert_eq!(enrollment.recovery_codes.len(), RECOVERY_CODE_COUNT);

    // A pending factor does not log in yet.
    let code0 = oathtool_code(&secret, s.now());
    assert_eq!(
        code0,
        enrollment.factor.code_at(s.now()),
        "engine and oathtool agree"
    );
    let error = expect_err(s.login_totp(user, &code0).await, "login before confirming");
    assert!(
        matches!(error, IdentityError::FactorNotEnrolled),
        "{error:?}"
    );

    s.identity
        .confirm_totp(user, PASSWORD, &code0)
        .await
        .expect("confirm with oathtool's code");
    assert_eq!(s.account(user).factor, FactorState::Active);
    // Confirming again: nothing is pending.
    let error = expect_err(
        s.identity.confirm_totp(user, PASSWORD, &code0).await,
        "confirm twice",
    );
    assert!(
        matches!(error, IdentityError::NoPendingEnrollment),
        "{error:?}"
    );
    // The confirming code's step is used up.
    let error = expect_err(
        s.login_totp(user, &code0).await,
        "login with the confirming code",
    );
    assert!(matches!(error, IdentityError::CodeReplayed), "{error:?}");

    // The next step: oathtool's code logs in, once.
    s.clock.advance(STEP);
    let code1 = oathtool_code(&secret, s.now());
    let outcome = s
        .login_totp(user, &code1)
        .await
        .expect("login with oathtool's code");
    assert_eq!(outcome.account.id, id);
    assert_eq!(outcome.account.username, user);
    assert_eq!(outcome.account.role, Role::Physician);
    let who = s.identity.session(&outcome.token).await.expect("session");
    assert_eq!((who.account, who.role), (id, Role::Physician));

    let error = expect_err(s.login_totp(user, &code1).await, "the same code again");
    assert!(matches!(error, IdentityError::CodeReplayed), "{error:?}");

    // A code from two steps back is outside the window.
    let stale = oathtool_code(&secret, s.now() - 60);
    assert_ne!(stale, code1);
    let error = expect_err(s.login_totp(user, &stale).await, "a code two steps old");
    assert!(matches!(error, IdentityError::WrongCode), "{error:?}");

    // A device one step ahead is accepted; afterwards the earlier step is used up too.
    s.clock.advance(STEP);
    let ahead = oathtool_code(&secret, s.now() + 30);
    s.login_totp(user, &ahead)
        .await
        .expect("code of the next step");
    let current = oathtool_code(&secret, s.now());
    let error = expect_err(
        s.login_totp(user, &current).await,
        "a step before the last accepted one",
    );
    assert!(matches!(error, IdentityError::CodeReplayed), "{error:?}");

    // The right code with the wrong password is refused as credentials.
    s.clock.advance(STEP * 2);
    let code = oathtool_code(&secret, s.now());
    let error = expect_err(
        s.identity
            .login(user, "not the password!", LoginCode::Totp(&code))
            .await,
        "wrong password",
    );
    assert!(
        matches!(error, IdentityError::InvalidCredentials),
        "{error:?}"
    );
    // ... and did not use up the step.
    s.login_totp(user, &code)
        .await
        .expect("then the right password");
}

// ----- 3. one code, two logins at once -----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_logins_with_one_code_succeed_once() {
    let s = Setup::new(Backend::Memory, IdentityConfig::default()).await;
    let user = "racer";
    let enrollment = s.enrolled_patient(user).await;
    for round in 0..4 {
        s.clock.advance(STEP);
        let code = enrollment.factor.code_at(s.now());
        let barrier = Arc::new(Barrier::new(2));
        let tasks: Vec<_> = (0..2)
            .map(|_| {
                let identity = s.identity.clone();
                let barrier = barrier.clone();
                let code = code.clone();
                tokio::spawn(async move {
                    barrier.wait().await;
                    identity.login(user, PASSWORD, LoginCode::Totp(&code)).await
                })
            })
            .collect();
        let mut won = Vec::new();
        let mut replayed = 0;
        for task in tasks {
            match task.await.expect("login task") {
                Ok(outcome) => won.push(outcome),
                Err(IdentityError::CodeReplayed) => replayed += 1,
                Err(other) => panic!("round {round}: unexpected error {other:?}"),
            }
        }
        assert_eq!(
            (won.len(), replayed),
            (1, 1),
            "round {round}: exactly one login may use the code"
        );
        s.identity
            .session(&won[0].token)
            .await
            .expect("the winner's session works");
    }
    // The losers' attempts were audited as replays.
    let trail = medvault_identity::audit::read_trail(&s.vault)
        .await
        .expect("audit trail");
    let replays = trail
        .iter()
        .filter(|r| r.event.outcome == Outcome::LoginFailed(LoginFailure::ReplayedCode))
        .count();
    assert_eq!(replays, 4);
}

// ----- 4. lockout, across a restart; recovery codes; the operator's unlock -----

#[tokio::test]
async fn lockout_survives_restart_and_recovery_codes_unlock_once_each() {
    let config = IdentityConfig {
        max_failed_attempts: 3,
        ..IdentityConfig::default()
    };
    let s = Setup::new(Backend::Folder, config.clone()).await;
    let user = "locked.out";
    let enrollment = s.enrolled_patient(user).await;
    let factor = &enrollment.factor;

    // A success resets the count: 2 failures, a login, 2 failures do not lock.
    s.clock.advance(STEP);
    for _ in 0..2 {
        let error = expect_err(
            s.login_totp(user, &wrong_code(factor, s.now())).await,
            "wrong code",
        );
        assert!(matches!(error, IdentityError::WrongCode), "{error:?}");
    }
    s.login_totp(user, &factor.code_at(s.now()))
        .await
        .expect("login resets the count");
    s.clock.advance(STEP);
    for _ in 0..2 {
        let error = expect_err(
            s.login_totp(user, &wrong_code(factor, s.now())).await,
            "wrong code",
        );
        assert!(matches!(error, IdentityError::WrongCode), "{error:?}");
    }
    assert_eq!(s.account(user).factor, FactorState::Active);

    // The third failure in a row locks the factor; the right code is then refused.
    let error = expect_err(
        s.login_totp(user, &wrong_code(factor, s.now())).await,
        "third wrong code",
    );
    assert!(matches!(error, IdentityError::FactorLocked), "{error:?}");
    assert_eq!(s.account(user).factor, FactorState::Locked);
    let error = expect_err(
        s.login_totp(user, &factor.code_at(s.now())).await,
        "the right code on a locked factor",
    );
    assert!(matches!(error, IdentityError::FactorLocked), "{error:?}");
    // While it is locked, a wrong password gets the same answer as the right one, so
    // guessing goes on learning nothing.
    let error = expect_err(
        s.identity
            .login(
                user,
                "not the password at all",
                LoginCode::Totp(&factor.code_at(s.now())),
            )
            .await,
        "a wrong password on a locked factor",
    );
    assert!(matches!(error, IdentityError::FactorLocked), "{error:?}");
    let trail = medvault_identity::audit::read_trail(&s.vault)
        .await
        .expect("audit trail");
    assert!(
        trail
            .iter()
            .any(|r| matches!(r.event.action, AuditAction::LockFactor { account } if account == enrollment.account)),
        "the lock is audited"
    );

    // Close the vault and open it again from the same index folder: still locked.
    let Setup {
        fixture,
        vault,
        identity,
        clock,
    } = s;
    drop(identity);
    vault.close().await.expect("close");
    let vault = fixture.open("a").await;
    let s = Setup {
        identity: Identity::with_config(vault.clone(), config, clock.clone()),
        fixture,
        vault,
        clock,
    };
    assert_eq!(s.account(user).factor, FactorState::Locked);
    s.clock.advance(STEP);
    let error = expect_err(
        s.login_totp(user, &factor.code_at(s.now())).await,
        "the right code after the restart",
    );
    assert!(matches!(error, IdentityError::FactorLocked), "{error:?}");

    // A recovery code logs in and unlocks; it is used up.
    let codes = &enrollment.recovery_codes;
    let outcome = s
        .login_recovery(user, codes[0].as_str())
        .await
        .expect("recovery code on a locked factor");
    assert_eq!(outcome.account.factor, FactorState::Active);
    assert_eq!(outcome.account.recovery_codes_left, RECOVERY_CODE_COUNT - 1);
    s.identity
        .session(&outcome.token)
        .await
        .expect("recovery session");
    let error = expect_err(
        s.login_recovery(user, codes[0].as_str()).await,
        "a recovery code twice",
    );
    assert!(matches!(error, IdentityError::WrongCode), "{error:?}");
    // Unlocked: the TOTP code of this step (refused while locked, so not used) works now.
    s.login_totp(user, &factor.code_at(s.now()))
        .await
        .expect("TOTP after the unlock");

    // Every other code works exactly once (written any case, with spaces for dashes).
    for (i, code) in codes.iter().enumerate().skip(1) {
        let text = if i % 2 == 1 {
            code.as_str().to_lowercase().replace('-', " ")
        } else {
            code.as_str().to_owned()
        };
        let outcome = s
            .login_recovery(user, &text)
            .await
            .unwrap_or_else(|error| panic!("recovery code {i}: {error:?}"));
        assert_eq!(
            outcome.account.recovery_codes_left,
            RECOVERY_CODE_COUNT - 1 - i
        );
        let error = expect_err(s.login_recovery(user, code.as_str()).await, "reused code");
        assert!(
            matches!(error, IdentityError::WrongCode),
            "code {i}: {error:?}"
        );
    }
    assert_eq!(s.account(user).recovery_codes_left, 0);

    // The last reuse counted one failure; a login resets the count. Then lock it again, and
    // the operator unlocks it.
    s.clock.advance(STEP);
    s.login_totp(user, &factor.code_at(s.now()))
        .await
        .expect("login resets the count");
    s.clock.advance(STEP);
    for attempt in 1..=3 {
        let error = expect_err(
            s.login_totp(user, &wrong_code(factor, s.now())).await,
            "wrong code",
        );
        // The attempt that locks the factor says so.
        if attempt < 3 {
            assert!(matches!(error, IdentityError::WrongCode), "{error:?}");
        } else {
            assert!(matches!(error, IdentityError::FactorLocked), "{error:?}");
        }
    }
    let error = expect_err(
        s.login_totp(user, &factor.code_at(s.now())).await,
        "locked again",
    );
    assert!(matches!(error, IdentityError::FactorLocked), "{error:?}");
    s.identity
        .operator_unlock_factor(user)
        .await
        .expect("operator unlock");
    assert_eq!(s.account(user).factor, FactorState::Active);
    s.login_totp(user, &factor.code_at(s.now()))
        .await
        .expect("login after the operator's unlock");

    let trail = medvault_identity::audit::read_trail(&s.vault)
        .await
        .expect("audit trail");
    assert!(trail.iter().any(|r| r.event.actor == Actor::Operator
        && matches!(r.event.action, AuditAction::UnlockFactor { account } if account == enrollment.account)));
    s.vault
        .verify_audit()
        .await
        .expect("the audit trail is sound");
}

// ----- 5. sessions -----

#[tokio::test]
async fn sessions_expire_when_idle_or_old_and_end_on_logout_or_new_factor() {
    let s = Setup::new(Backend::Memory, IdentityConfig::default()).await;
    let user = "sleepy";
    let enrollment = s.enrolled_patient(user).await;

    // Idle timeout: use keeps it alive, 61 idle minutes end it.
    let idle = s.login_next_step(user, &enrollment.factor).await.token;
    s.clock.advance(MINUTE * 59);
    s.identity.session(&idle).await.expect("used after 59 min");
    s.clock.advance(MINUTE * 59);
    s.identity
        .session(&idle)
        .await
        .expect("118 min after login, 59 min after last use");
    s.clock.advance(MINUTE * 61);
    let error = expect_err(s.identity.session(&idle).await, "61 min idle");
    assert!(matches!(error, IdentityError::SessionExpired), "{error:?}");
    // Expired sessions are deleted: the token stays refused.
    let error = expect_err(s.identity.session(&idle).await, "still expired");
    assert!(
        matches!(
            error,
            IdentityError::SessionExpired | IdentityError::SessionInvalid
        ),
        "{error:?}"
    );
    s.clock.advance(MINUTE * 10);
    let error = expect_err(s.identity.session(&idle).await, "still expired");
    assert!(
        matches!(
            error,
            IdentityError::SessionExpired | IdentityError::SessionInvalid
        ),
        "{error:?}"
    );

    // Absolute lifetime: used every 30 minutes, it still ends after 24 hours.
    let old = s.login_next_step(user, &enrollment.factor).await.token;
    for half_hours in 1..48 {
        s.clock.advance(MINUTE * 30);
        s.identity
            .session(&old)
            .await
            .unwrap_or_else(|error| panic!("{half_hours} half hours after login: {error:?}"));
    }
    s.clock.advance(MINUTE * 30);
    let error = expect_err(s.identity.session(&old).await, "24 h after login");
    assert!(matches!(error, IdentityError::SessionExpired), "{error:?}");

    // Logout ends that session only.
    let a = s.login_next_step(user, &enrollment.factor).await.token;
    let b = s.login_next_step(user, &enrollment.factor).await.token;
    assert_ne!(a, b);
    s.identity.logout(&a).await.expect("logout");
    let error = expect_err(s.identity.session(&a).await, "after logout");
    assert!(matches!(error, IdentityError::SessionInvalid), "{error:?}");
    let error = expect_err(s.identity.logout(&a).await, "logout twice");
    assert!(matches!(error, IdentityError::SessionInvalid), "{error:?}");
    s.identity.session(&b).await.expect("the other session");
    // A made-up token is no session.
    let error = expect_err(
        s.identity
            .session(&SessionToken::from_string("00".repeat(32)))
            .await,
        "made-up token",
    );
    assert!(matches!(error, IdentityError::SessionInvalid), "{error:?}");

    // Replacing the factor needs a current code; the old factor stays in force until the new
    // one is confirmed, and the confirmation ends every session.
    let error = expect_err(
        s.identity.enroll_totp(user, PASSWORD, None).await,
        "re-enroll without a code",
    );
    assert!(
        matches!(error, IdentityError::CurrentCodeRequired),
        "{error:?}"
    );
    s.clock.advance(STEP);
    let code = enrollment.factor.code_at(s.now());
    let renewed = s
        .identity
        .enroll_totp(user, PASSWORD, Some(LoginCode::Totp(&code)))
        .await
        .expect("re-enroll");
    assert_ne!(
        renewed.factor.secret_base32(),
        enrollment.factor.secret_base32()
    );
    s.identity
        .session(&b)
        .await
        .expect("sessions last until the new factor is confirmed");
    // Until then the old factor logs in, and the password alone cannot swap in another.
    let old = s.login_next_step(user, &enrollment.factor).await.token;
    let error = expect_err(
        s.identity.enroll_totp(user, PASSWORD, None).await,
        "enroll over a pending replacement without a code",
    );
    assert!(
        matches!(error, IdentityError::CurrentCodeRequired),
        "{error:?}"
    );
    assert_eq!(s.account(user).factor, FactorState::Active);
    s.clock.advance(STEP);
    s.identity
        .confirm_totp(user, PASSWORD, &renewed.factor.code_at(s.now()))
        .await
        .expect("confirm the new factor");
    for token in [&b, &old] {
        let error = expect_err(s.identity.session(token).await, "after the new factor");
        assert!(matches!(error, IdentityError::SessionInvalid), "{error:?}");
    }
    // The old recovery codes are gone with the old factor.
    let error = expect_err(
        s.login_recovery(user, enrollment.recovery_codes[5].as_str())
            .await,
        "old recovery code",
    );
    assert!(matches!(error, IdentityError::WrongCode), "{error:?}");
    let fresh = s.login_next_step(user, &renewed.factor).await.token;
    s.identity.session(&fresh).await.expect("new session");

    // Removing the factor ends sessions too, and logins until a new one is enrolled.
    s.clock.advance(STEP);
    s.identity
        .remove_totp(
            user,
            PASSWORD,
            LoginCode::Totp(&renewed.factor.code_at(s.now())),
        )
        .await
        .expect("remove factor");
    let error = expect_err(
        s.identity.session(&fresh).await,
        "after removing the factor",
    );
    assert!(matches!(error, IdentityError::SessionInvalid), "{error:?}");
    s.clock.advance(STEP);
    let error = expect_err(
        s.login_totp(user, &renewed.factor.code_at(s.now())).await,
        "login without a factor",
    );
    assert!(
        matches!(error, IdentityError::FactorNotEnrolled),
        "{error:?}"
    );
}

// ----- 6. passwords and usernames -----

#[tokio::test]
async fn password_policy_and_usernames_at_registration_and_login() {
    let s = Setup::new(Backend::Memory, IdentityConfig::default()).await;
    let rejected = |result: Result<_, IdentityError>| match result {
        Err(IdentityError::PasswordRejected(reason)) => reason,
        other => panic!("expected a rejected password, got {other:?}"),
    };
    assert_eq!(
        rejected(s.identity.register_patient("alice", "1234567").await),
        PasswordRejection::TooShort { min: 8 }
    );
    // Seven characters in fourteen bytes: still too short (characters are counted).
    assert_eq!(
        rejected(s.identity.register_patient("alice", "ééééééé").await),
        PasswordRejection::TooShort { min: 8 }
    );
    assert_eq!(
        rejected(s.identity.register_patient("alice", "password1").await),
        PasswordRejection::Common
    );
    assert_eq!(
        rejected(s.identity.register_patient("alice", "PassWord1").await),
        PasswordRejection::Common
    );
    assert_eq!(
        rejected(
            s.identity
                .register_patient("alice.smith", "Alice.Smith")
                .await
        ),
        PasswordRejection::SameAsUsername
    );
    assert_eq!(
        rejected(s.identity.register_patient("alice", &"x".repeat(257)).await),
        PasswordRejection::TooLong { max: 256 }
    );
    // Nothing was created by the refusals.
    assert!(s.identity.operator_accounts().expect("accounts").is_empty());

    let long = "a sixty-four character passphrase, with spaces & punctuation!!!!";
    assert_eq!(long.chars().count(), 64);
    let alice = s
        .identity
        .register_patient("Alice", long)
        .await
        .expect("64 characters are accepted");
    assert_eq!(s.account("alice").id, alice);
    assert_eq!(s.account("ALICE").username, "alice");
    let error = expect_err(
        s.identity.register_patient("alice", PASSWORD).await,
        "same username, other case",
    );
    assert!(matches!(error, IdentityError::UsernameTaken), "{error:?}");
    let error = expect_err(
        s.identity
            .operator_create_account(Role::Physician, "ALICE", PASSWORD)
            .await,
        "same username, other role",
    );
    assert!(matches!(error, IdentityError::UsernameTaken), "{error:?}");
    let error = expect_err(
        s.identity.register_patient("a:b", PASSWORD).await,
        "bad username",
    );
    assert!(
        matches!(error, IdentityError::InvalidUsername(_)),
        "{error:?}"
    );

    // The right password (any username case) gets as far as the missing factor...
    let error = expect_err(
        s.identity
            .login("ALICE", long, LoginCode::Totp("123456"))
            .await,
        "no factor yet",
    );
    assert!(
        matches!(error, IdentityError::FactorNotEnrolled),
        "{error:?}"
    );
    // ... a wrong password or an unknown username do not, and cannot be told apart.
    let mut wrong_password = Duration::MAX;
    let mut unknown_user = Duration::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        let error = expect_err(
            s.identity
                .login("alice", PASSWORD, LoginCode::Totp("123456"))
                .await,
            "wrong password",
        );
        wrong_password = wrong_password.min(started.elapsed());
        assert!(
            matches!(error, IdentityError::InvalidCredentials),
            "{error:?}"
        );
        let started = Instant::now();
        let error = expect_err(
            s.identity
                .login("nobody", PASSWORD, LoginCode::Totp("123456"))
                .await,
            "unknown user",
        );
        unknown_user = unknown_user.min(started.elapsed());
        assert!(
            matches!(error, IdentityError::InvalidCredentials),
            "{error:?}"
        );
        assert_eq!(
            format!("{error}"),
            "wrong username or password",
            "the message names neither"
        );
    }
    // An unknown username costs a password hash too, so timing does not reveal which
    // usernames exist (generous bound: only a skipped hash fails it).
    assert!(
        unknown_user * 3 >= wrong_password,
        "unknown user took {unknown_user:?}, wrong password {wrong_password:?}"
    );
    let trail = medvault_identity::audit::read_trail(&s.vault)
        .await
        .expect("audit trail");
    let failures = |why| {
        trail
            .iter()
            .filter(|r| r.event.outcome == Outcome::LoginFailed(why))
            .count()
    };
    assert_eq!(failures(LoginFailure::WrongPassword), 3);
    assert_eq!(failures(LoginFailure::UnknownAccount), 3);
}

// ----- 7. nothing secret in debug or display output -----

#[tokio::test]
async fn debug_and_display_output_reveal_no_secrets() {
    let s = Setup::new(Backend::Memory, IdentityConfig::default()).await;
    let user = "secretive";
    let enrollment = s.enrolled_patient(user).await;
    let outcome = s.login_next_step(user, &enrollment.factor).await;
    let code = enrollment.factor.code_at(s.now());

    let mut secrets = vec![
        PASSWORD.to_owned(),
        enrollment.factor.secret_base32(),
        enrollment.otpauth_uri.to_string(),
        outcome.token.as_str().to_owned(),
    ];
    secrets.extend(
        enrollment
            .recovery_codes
            .iter()
            .map(|c| c.as_str().to_owned()),
    );
    // Recovery codes as typed: without dashes, in lowercase.
    secrets.extend(
        enrollment
            .recovery_codes
            .iter()
            .map(|c| c.as_str().replace('-', "").to_lowercase()),
    );

    let mut outputs = vec![
        format!("{enrollment:?}"),
        format!("{enrollment:#?}"),
        format!("{:?}", enrollment.factor),
        format!("{:?}", enrollment.recovery_codes),
        format!("{outcome:?}"),
        format!("{outcome:#?}"),
        format!("{:?}", outcome.token),
    ];
    // Codes as presented at login, and the errors: not even the 6-digit TOTP code may
    // appear in these (checked apart: the audit trail's numbers could contain 6 digits).
    let mut code_free = vec![
        format!(
            "{:?}",
            LoginCode::Recovery(enrollment.recovery_codes[0].as_str())
        ),
        format!("{:?}", LoginCode::Totp(&code)),
    ];
    let errors = vec![
        s.identity
            .login(user, "wrong password!", LoginCode::Totp(&code))
            .await
            .map(|_| ()),
        s.identity
            .login("nobody", PASSWORD, LoginCode::Totp(&code))
            .await
            .map(|_| ()),
        s.login_totp(user, &code).await.map(|_| ()),
        s.login_totp(user, &wrong_code(&enrollment.factor, s.now()))
            .await
            .map(|_| ()),
        s.login_recovery(user, "AAAA-BBBB-CCCC-DDDD")
            .await
            .map(|_| ()),
        s.identity
            .enroll_totp(user, PASSWORD, None)
            .await
            .map(|_| ()),
        s.identity
            .register_patient(user, PASSWORD)
            .await
            .map(|_| ()),
        s.identity
            .register_patient("other", &enrollment.factor.secret_base32()[..7])
            .await
            .map(|_| ()),
        TotpFactor::from_secret(PASSWORD.as_bytes()[..10].to_vec(), TotpAlgorithm::Sha1, 6)
            .map(|_| ()),
    ];
    for result in errors {
        let error = expect_err(result, "a failing call");
        code_free.push(format!("{error:?}"));
        code_free.push(format!("{error}"));
    }
    s.identity.logout(&outcome.token).await.expect("logout");
    let error = expect_err(s.identity.session(&outcome.token).await, "after logout");
    code_free.push(format!("{error:?} {error}"));
    // The audit trail names accounts by id only.
    outputs.push(format!(
        "{:?}",
        medvault_identity::audit::read_trail(&s.vault)
            .await
            .expect("audit trail")
    ));

    for output in &code_free {
        assert!(
            !output.contains(&code),
            "the TOTP code appears in {output:?}"
        );
    }
    outputs.extend(code_free);
    for output in &outputs {
        for secret in &secrets {
            assert!(
                !output.contains(secret.as_str()),
                "a secret appears in {output:?}"
            );
        }
        // The secret's first 7 characters were offered as a password: not echoed either.
        assert!(!output.contains(&enrollment.factor.secret_base32()[..7]));
        assert!(!output.contains(&PASSWORD[..10]), "{output}");
    }
}

// ----- 8. passwords in either Unicode normalization form; repetitive passwords -----

/// "Zürich Großmünster Brücke", precomposed (NFC) and decomposed (NFD): the same text to
/// whoever types it, other bytes.
const ZURICH_NFC: &str = "Z\u{fc}rich Gro\u{df}m\u{fc}nster Br\u{fc}cke";
const ZURICH_NFD: &str = "Zu\u{308}rich Gro\u{df}mu\u{308}nster Bru\u{308}cke";

impl Setup {
    /// Enrolls and confirms a TOTP factor for `username`, giving `password`.
    async fn enroll_with(&self, username: &str, password: &str) -> Enrollment {
        let enrollment = self
            .identity
            .enroll_totp(username, password, None)
            .await
            .expect("enroll");
        let code = enrollment.factor.code_at(self.now());
        self.identity
            .confirm_totp(username, password, &code)
            .await
            .expect("confirm");
        enrollment
    }

    /// Moves to the next time step and logs in with `password` and its code.
    async fn login_with(
        &self,
        username: &str,
        password: &str,
        factor: &TotpFactor,
    ) -> Result<LoginOutcome, IdentityError> {
        self.clock.advance(STEP);
        let code = factor.code_at(self.now());
        self.identity
            .login(username, password, LoginCode::Totp(&code))
            .await
    }
}

#[tokio::test]
async fn a_password_logs_in_typed_in_either_normalization_form() {
    let s = Setup::new(Backend::Memory, IdentityConfig::default()).await;
    assert_ne!(ZURICH_NFC.as_bytes(), ZURICH_NFD.as_bytes());

    // Registered in NFC; enrolled, confirmed and logged in with NFD, then NFC.
    s.identity
        .register_patient("nfc.patient", ZURICH_NFC)
        .await
        .expect("register in NFC");
    let enrollment = s.enroll_with("nfc.patient", ZURICH_NFD).await;
    for password in [ZURICH_NFD, ZURICH_NFC] {
        s.login_with("nfc.patient", password, &enrollment.factor)
            .await
            .expect("login");
    }

    // Registered in NFD; enrolled, confirmed and logged in with NFC, then NFD.
    s.identity
        .register_patient("nfd.patient", ZURICH_NFD)
        .await
        .expect("register in NFD");
    let enrollment = s.enroll_with("nfd.patient", ZURICH_NFC).await;
    for password in [ZURICH_NFC, ZURICH_NFD] {
        s.login_with("nfd.patient", password, &enrollment.factor)
            .await
            .expect("login");
    }

    // Compatibility forms too (NFKC): a ligature typed once, two letters the next time.
    s.identity
        .register_patient("ligatures", "\u{fb01}sh and \u{fb02}owers")
        .await
        .expect("register with ligatures");
    let enrollment = s.enroll_with("ligatures", "fish and flowers").await;
    s.login_with("ligatures", "fish and flowers", &enrollment.factor)
        .await
        .expect("login without ligatures");

    // A new password set in NFD opens with NFC; a wrong one still fails.
    s.clock.advance(STEP);
    let code = enrollment.factor.code_at(s.now());
    s.identity
        .change_password(
            "ligatures",
            "fish and \u{fb02}owers",
            LoginCode::Totp(&code),
            ZURICH_NFD,
        )
        .await
        .expect("change the password");
    s.login_with("ligatures", ZURICH_NFC, &enrollment.factor)
        .await
        .expect("login in NFC");
    let error = expect_err(
        s.login_with(
            "ligatures",
            "Zurich Grossmunster Brucke",
            &enrollment.factor,
        )
        .await,
        "accents are not dropped",
    );
    assert!(
        matches!(error, IdentityError::InvalidCredentials),
        "{error:?}"
    );
}

#[tokio::test]
async fn blank_and_repetitive_passwords_are_refused() {
    let s = Setup::new(Backend::Memory, IdentityConfig::default()).await;
    let rejected = |result: Result<_, IdentityError>| match result {
        Err(IdentityError::PasswordRejected(reason)) => reason,
        other => panic!("expected a rejected password, got {other:?}"),
    };
    let sequence = PasswordRejection::RepeatedSequence { max_unit: 4 };
    for (password, expected) in [
        ("        ", PasswordRejection::OnlyWhitespace),
        ("aaaaaaaa", PasswordRejection::RepeatedCharacter),
        ("abcabcabcabc", sequence),
        ("12121212", sequence),
    ] {
        let result = s.identity.register_patient("alice", password).await;
        let message = format!("{result:?}");
        assert_eq!(rejected(result), expected, "{password:?}");
        assert!(!message.contains(password), "{message}");
    }
    assert!(s.identity.operator_accounts().expect("accounts").is_empty());

    // A password change is held to the same rules, and leaves the old password in force.
    let enrollment = s.enrolled_patient("alice").await;
    s.clock.advance(STEP);
    let code = enrollment.factor.code_at(s.now());
    let error = expect_err(
        s.identity
            .change_password("alice", PASSWORD, LoginCode::Totp(&code), "zzzzzzzzzzzz")
            .await,
        "a repeated character",
    );
    assert!(
        matches!(
            error,
            IdentityError::PasswordRejected(PasswordRejection::RepeatedCharacter)
        ),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "password rejected: it is one character repeated"
    );
    s.login_next_step("alice", &enrollment.factor).await;
}
