//! Where the vault's work runs: which tokio runtime a call needs, and how CPU-heavy steps
//! (Argon2id, sealing or opening a large payload) keep clear of the async worker threads.

use tokio::runtime::{Handle, RuntimeFlavor};

use super::error::{Result, VaultError};

/// Checks that the caller is inside a tokio runtime, as every async vault call needs.
pub(crate) fn require_runtime() -> Result<()> {
    Handle::try_current().map(drop).map_err(|_| {
        VaultError::WrongRuntime(
            "the async vault was called outside a tokio runtime; call it from one, or use \
             BlockingVault",
        )
    })
}

/// Checks that the caller is not inside a tokio runtime, where blocking on another runtime
/// would stall (tokio refuses it).
pub(crate) fn require_no_runtime() -> Result<()> {
    match Handle::try_current() {
        Ok(_) => Err(VaultError::WrongRuntime(
            "BlockingVault was called from inside an async runtime; use the async Vault there \
             (BlockingVault::inner)",
        )),
        Err(_) => Ok(()),
    }
}

/// Payloads from this size up are sealed and opened off the async worker ([`off_worker`]): a
/// few milliseconds of AES and HMAC. Below it, handing the worker's other tasks to another
/// thread costs more than it saves (measured: 8 concurrent reads of 1 MiB were about 10%
/// slower when each was handed off).
const OFF_WORKER_MIN: usize = 4 * 1024 * 1024;

/// Runs CPU-heavy `work` without holding up the other tasks of the async worker it is
/// called on: on a multi-threaded runtime the worker hands them to another thread while
/// `work` runs; on a current-thread runtime (or none) `work` simply runs.
pub(crate) fn off_worker<T>(work: impl FnOnce() -> T) -> T {
    match Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(work)
        }
        _ => work(),
    }
}

/// Runs `work` on `len` bytes of payload: off the async worker from [`OFF_WORKER_MIN`] up,
/// in place below it.
pub(crate) fn off_worker_for<T>(len: usize, work: impl FnOnce() -> T) -> T {
    if len >= OFF_WORKER_MIN {
        off_worker(work)
    } else {
        work()
    }
}
