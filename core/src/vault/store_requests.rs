//! Counts of the requests a vault makes of its object store: on S3 each is billed and takes a
//! round trip, and a count that grows with the vault's history shows work that should not.

use std::sync::atomic::{AtomicU64, Ordering};

/// The requests a vault has made of its object store since it was opened, by kind.
///
/// A list is counted once however many pages the store returns it in; `listed` counts the
/// objects it returned (S3 returns up to 1,000 per page). On a local folder the log's
/// segments are read and appended as files, outside these counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoreRequests {
    /// Objects written (a large one uploaded in parts counts once).
    pub puts: u64,
    /// Objects read, whole or by ranges.
    pub gets: u64,
    /// Listings of a prefix.
    pub lists: u64,
    /// Objects and folders those listings returned.
    pub listed: u64,
    /// Objects deleted.
    pub deletes: u64,
}

/// The running counts behind [`StoreRequests`], shared by every clone of a store handle.
#[derive(Debug, Default)]
pub(crate) struct RequestCounter {
    puts: AtomicU64,
    gets: AtomicU64,
    lists: AtomicU64,
    listed: AtomicU64,
    deletes: AtomicU64,
}

impl RequestCounter {
    pub(crate) fn put(&self) {
        self.puts.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn get(&self) {
        self.gets.fetch_add(1, Ordering::Relaxed);
    }

    /// A listing that returned `entries` objects or folders.
    pub(crate) fn list(&self, entries: usize) {
        self.lists.fetch_add(1, Ordering::Relaxed);
        self.listed.fetch_add(entries as u64, Ordering::Relaxed);
    }

    pub(crate) fn delete(&self) {
        self.deletes.fetch_add(1, Ordering::Relaxed);
    }

    /// The counts so far.
    pub(crate) fn snapshot(&self) -> StoreRequests {
        StoreRequests {
            puts: self.puts.load(Ordering::Relaxed),
            gets: self.gets.load(Ordering::Relaxed),
            lists: self.lists.load(Ordering::Relaxed),
            listed: self.listed.load(Ordering::Relaxed),
            deletes: self.deletes.load(Ordering::Relaxed),
        }
    }
}
