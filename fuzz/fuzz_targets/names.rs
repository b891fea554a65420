//! Names read from the store (`vault/layout.rs` parse_*, and the ids in them) and vault
//! locations (`StoreLocation::parse`). Input: text.
//!
//! A name that parses is the name the vault writes for what it parsed to (as the store gives
//! names: `a/b/` is `a/b`): one object, one name. An id that parses prints as the same
//! digits, in lowercase.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medvault::crypto::{KeyId, VaultId};
use medvault::fuzzing as names;
use medvault::vault::{ObjectName, RecordId, StoreLocation, WriterId};

fn id_prints_back<T: std::str::FromStr + std::fmt::Display>(text: &str) {
    if let Ok(id) = text.parse::<T>() {
        assert_eq!(id.to_string(), text.to_ascii_lowercase());
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let listed = names::store_name(text);
    let listed = listed.as_deref();
    if let Some((owner, key, root)) = names::parse_wrapped_key_name(text) {
        assert_eq!(
            Some(names::wrapped_key_name(&owner, key, root).as_str()),
            listed
        );
    }
    if let Some(name) = names::parse_object_name(text) {
        assert_eq!(Some(names::object_name(name).as_str()), listed);
    }
    if let Some((writer, sequence)) = names::parse_log_batch_name(text) {
        assert_eq!(
            Some(names::log_batch_name(writer, sequence).as_str()),
            listed
        );
    }
    if let Some((writer, first)) = names::parse_segment_name(text) {
        assert_eq!(Some(names::segment_name(writer, first).as_str()), listed);
    }
    if let Some((writer, sequence)) = names::parse_checkpoint_name(text) {
        assert_eq!(
            Some(names::checkpoint_name(writer, sequence).as_str()),
            listed
        );
    }
    id_prints_back::<WriterId>(text);
    id_prints_back::<RecordId>(text);
    id_prints_back::<ObjectName>(text);
    id_prints_back::<KeyId>(text);
    id_prints_back::<VaultId>(text);

    if let Ok(location) = StoreLocation::parse(text) {
        match &location {
            StoreLocation::Folder(path) => {
                assert!(!path.as_os_str().is_empty());
                assert!(!text.contains("://") || text.starts_with("file://"));
            }
            other => panic!("{text:?} parsed as {other:?}"),
        }
        let _ = location.describe();
    }
});
