//! Progress bars on stderr, shown only when stderr is a terminal.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};
use medvault::vault::Progress;

/// A progress bar that is there only on a terminal.
pub struct Bar(Option<Sink>);

/// The engine's progress reports, drawn on a bar.
struct Sink(ProgressBar);

impl Bar {
    /// A bar titled `message`, or nothing when stderr is not a terminal.
    pub fn new(message: &'static str) -> Self {
        if !std::io::stderr().is_terminal() {
            return Self(None);
        }
        let bar = ProgressBar::new(0).with_message(message);
        if let Ok(style) = ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} ({eta})") {
            bar.set_style(style);
        }
        Self(Some(Sink(bar)))
    }

    /// The bar as the engine's progress sink.
    pub fn as_progress(&self) -> Option<&dyn Progress> {
        self.0.as_ref().map(|sink| sink as &dyn Progress)
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(Sink(bar)) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

impl Progress for Sink {
    fn advance(&self, done: u64, total: u64) {
        self.0.set_length(total);
        self.0.set_position(done);
    }
}
