//! What the engine benchmarks share: telling a real run from criterion's test mode, and the
//! runtime they drive the engine on.

use tokio::runtime::Runtime;

/// Whether this is a real `cargo bench` run rather than criterion's test mode (`cargo test`),
/// where every benchmark runs once and big setups are cut down.
pub fn full_run() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|arg| arg == "--bench") && !args.iter().any(|arg| arg == "--test")
}

/// `full` records in a real run, `test` in test mode.
pub fn count(full: usize, test: usize) -> usize {
    if full_run() { full } else { test }
}

/// A multi-threaded tokio runtime, as the vault requires.
pub fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}
