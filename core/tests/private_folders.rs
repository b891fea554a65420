//! Who on this machine can reach what a vault keeps in folders: every folder the engine
//! creates for a folder store or an index folder is its owner's alone (0700), and so are the
//! index folder's own files (0600); folders that were there before keep their permissions, and
//! a vault whose folders are open to others still opens. Unix only: elsewhere the engine leaves
//! permissions to the platform. The modes asked for pass through the umask, so these checks
//! hold under any umask that does not remove the owner's own bits (022, 027, 077).
#![cfg(unix)]
#![allow(clippy::expect_used, clippy::panic)]

mod common;

use std::fs::Permissions;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::{Backend, Fixture};
use medvault::crypto::{RawUnlockKey, UnlockCredential};
use medvault::vault::{IndexLocation, StoreLocation, Vault, VaultConfig};

/// The permission bits of `path`, in octal.
fn mode(path: &Path) -> String {
    let metadata =
        std::fs::metadata(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    format!("{:o}", metadata.permissions().mode() & 0o777)
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, Permissions::from_mode(mode)).expect("chmod");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_folders_and_index_files_a_vault_creates_are_its_owners_alone() {
    let fixture = Fixture::new(Backend::Folder);
    let vault = fixture.create("a").await;
    let store = fixture.store_folder.as_deref().expect("a folder store");
    // The fixture's index folders are `<scratch>/index/<name>`: the engine creates both.
    let index = fixture.index("a");
    let index_parent = index.parent().expect("the index folder's parent");
    for folder in [store, index_parent, &index] {
        assert_eq!(mode(folder), "700", "{}", folder.display());
    }
    for file in ["lock", "writer"] {
        assert_eq!(mode(&index.join(file)), "600", "{file}");
    }
    vault.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread")]
async fn folders_that_were_there_keep_their_permissions() {
    let scratch = tempfile::tempdir().expect("scratch folder");
    // A folder the user already had, open to others: the folders below it that the engine
    // creates are private, and it stays as it was.
    let shared = scratch.path().join("shared");
    std::fs::create_dir(&shared).expect("mkdir");
    set_mode(&shared, 0o755);
    let store = shared.join("vaults").join("store");
    // An index folder the user made beforehand, open to others, is used as it is.
    let index = shared.join("index");
    std::fs::create_dir(&index).expect("mkdir");
    set_mode(&index, 0o755);
    let config = VaultConfig::new(
        StoreLocation::Folder(store.clone()),
        IndexLocation::Folder(index.clone()),
    );
    let key = RawUnlockKey::generate().expect("raw key");
    let vault = Vault::create(&config, UnlockCredential::RawKey(&key))
        .await
        .expect("create vault");
    vault.close().await.expect("close");
    assert_eq!(mode(&shared), "755");
    assert_eq!(mode(&shared.join("vaults")), "700");
    assert_eq!(mode(&store), "700");
    assert_eq!(mode(&index), "755");

    // A vault made before its folders were private (or opened up since) still opens, and the
    // engine does not change its folders' permissions.
    set_mode(&store, 0o755);
    let vault = Vault::open(&config, UnlockCredential::RawKey(&key))
        .await
        .expect("open a vault whose folders others can read");
    vault.close().await.expect("close");
    assert_eq!(mode(&store), "755");
    assert_eq!(mode(&index), "755");
}
