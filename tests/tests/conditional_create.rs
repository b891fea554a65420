//! What the claims protocol rests on (ARCHITECTURE.md, "Booking"): a conditional create
//! (`PutMode::Create`, S3's `If-None-Match: *`) is enforced by the local folder and the memory
//! store but not by Garage 2.5, the S3 server the tests run against, which overwrites the
//! object. Should a Garage release start refusing the second create, this test fails, and the
//! choice of one listing-based contest for every store is worth revisiting.
#![allow(clippy::expect_used, clippy::panic)]

use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions};

/// Creates one name twice, conditionally; returns whether the second create was refused,
/// and the bytes the name holds afterwards.
async fn create_twice(store: &dyn ObjectStore) -> (bool, Vec<u8>) {
    let name = Path::from(format!(
        "conditional-create/{}",
        medvault::vault::WriterId::generate().expect("random")
    ));
    let create = || PutOptions::from(PutMode::Create);
    store
        .put_opts(&name, b"first".to_vec().into(), create())
        .await
        .expect("the first create");
    let refused = match store
        .put_opts(&name, b"second".to_vec().into(), create())
        .await
    {
        Ok(_) => false,
        Err(object_store::Error::AlreadyExists { .. }) => true,
        Err(other) => panic!("the second create: {other}"),
    };
    let held = store
        .get(&name)
        .await
        .expect("get")
        .bytes()
        .await
        .expect("bytes");
    (refused, held.to_vec())
}

#[tokio::test]
async fn a_folder_and_memory_refuse_a_second_create() {
    let scratch = tempfile::tempdir().expect("scratch");
    let folder = LocalFileSystem::new_with_prefix(scratch.path()).expect("folder");
    for store in [&folder as &dyn ObjectStore, &InMemory::new()] {
        assert_eq!(create_twice(store).await, (true, b"first".to_vec()));
    }
}

#[tokio::test]
async fn garage_overwrites_on_a_second_create() {
    let s3 = medvault_e2e::test_bucket().expect("the test bucket");
    assert_eq!(create_twice(&s3).await, (false, b"second".to_vec()));
}
