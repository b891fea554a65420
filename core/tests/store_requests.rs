//! What opening a vault asks of its store does not grow with the vault's history: with an
//! index that is current, an open reads the same objects and lists as many whether the log
//! holds ten batches or a hundred and ten.
#![allow(clippy::expect_used, clippy::panic)]

mod common;

use common::{Backend, Fixture};
use medvault::vault::{LogLayout, NewRecord, StoreRequests, Vault};

async fn write(vault: &Vault, batches: usize) {
    for i in 0..batches {
        vault
            .put(
                NewRecord::new(format!("patient-{}", i % 7), "note"),
                b"entry",
            )
            .await
            .expect("put");
    }
}

/// The requests of opening `fixture`'s vault with index `index`, then closing it.
async fn open_requests(fixture: &Fixture, index: &str) -> StoreRequests {
    let vault = fixture.open(index).await;
    let requests = vault.store_requests();
    vault.close().await.expect("close");
    requests
}

async fn check(backend: Backend) {
    let fixture = Fixture::new(backend).with_log(LogLayout::ObjectPerBatch);
    let first = fixture.create("a").await;
    write(&first, 10).await;
    first.close().await.expect("close");
    // The first open after writing may still find the writer's last batches to read.
    open_requests(&fixture, "a").await;
    let short = open_requests(&fixture, "a").await;

    let again = fixture.open("a").await;
    write(&again, 100).await;
    again.close().await.expect("close");
    open_requests(&fixture, "a").await;
    let long = open_requests(&fixture, "a").await;

    assert_eq!(short, long, "{backend:?}: 10 batches, then 110");
    assert_eq!(long.puts, 0, "{backend:?}: opening writes nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn opening_with_a_current_index_asks_the_same_of_the_store_whatever_the_history() {
    check(Backend::Memory).await;
    #[cfg(feature = "s3")]
    check(Backend::S3).await;
}
