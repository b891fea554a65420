//! Names of the vault's objects in the store. Every name is a constant, a random id or a keyed
//! token: nothing in a name reveals a patient.
//!
//! ```text
//! medvault-vault                              the descriptor (format version, unlock slots)
//! keys/vault/<key id>/<root key id>           the vault key, wrapped under the root
//! keys/<scope token>/<key id>/<root key id>   a scope's data key, wrapped under the root
//! objects/<object name>                       a large record payload (an envelope)
//! log/<writer id>/<sequence, 16 hex digits>   a sealed batch of index mutations
//! log/<writer id>/segments/<first sequence>   sealed batches appended in frames (folder store)
//! checkpoints/<writer id>/<sequence>          a sealed snapshot of a writer's index
//! claims/<topic token>/<holder id>            a claim on a topic (an empty object)
//! claims/vault-creation/<holder id>           a claim to create the vault here (while it is)
//! ```

use object_store::path::Path;

use super::ids::{ObjectName, WriterId};
use crate::crypto::KeyId;

/// The vault descriptor.
pub(crate) fn descriptor() -> Path {
    Path::from("medvault-vault")
}

/// Every wrapped key.
pub(crate) fn keys() -> Path {
    Path::from("keys")
}

/// The folder of a key owner: `vault` for the vault key, a scope token for a scope.
pub(crate) fn key_owner(owner: &str) -> Path {
    Path::from_iter(["keys", owner])
}

/// A wrapped key of `owner`, wrapped under root key `root`.
pub(crate) fn wrapped_key(owner: &str, key: KeyId, root: KeyId) -> Path {
    Path::from_iter(["keys", owner, &key.to_string(), &root.to_string()])
}

/// The owner folder name of the vault key.
pub(crate) const VAULT_KEY_OWNER: &str = "vault";

/// Parses `keys/<owner>/<key id>/<root key id>`.
pub(crate) fn parse_wrapped_key(path: &Path) -> Option<(String, KeyId, KeyId)> {
    let parts: Vec<_> = path.parts().collect();
    match parts.as_slice() {
        [keys, owner, key, root] if keys.as_ref() == "keys" => Some((
            owner.as_ref().to_owned(),
            key.as_ref().parse().ok()?,
            root.as_ref().parse().ok()?,
        )),
        _ => None,
    }
}

/// Every payload object.
pub(crate) fn objects() -> Path {
    Path::from("objects")
}

/// A payload object.
pub(crate) fn object(name: ObjectName) -> Path {
    Path::from_iter(["objects", &name.to_string()])
}

/// Parses `objects/<object name>`.
pub(crate) fn parse_object(path: &Path) -> Option<ObjectName> {
    let parts: Vec<_> = path.parts().collect();
    match parts.as_slice() {
        [objects, name] if objects.as_ref() == "objects" => name.as_ref().parse().ok(),
        _ => None,
    }
}

/// Every log batch.
pub(crate) fn logs() -> Path {
    Path::from("log")
}

/// The log folder of one writer.
pub(crate) fn writer_log(writer: WriterId) -> Path {
    Path::from_iter(["log", &writer.to_string()])
}

/// Batch `sequence` of `writer`; fixed-width hex so names sort in sequence order.
pub(crate) fn log_batch(writer: WriterId, sequence: u64) -> Path {
    Path::from_iter(["log", &writer.to_string(), &format!("{sequence:016x}")])
}

/// Parses `log/<writer>/<sequence>`.
pub(crate) fn parse_log_batch(path: &Path) -> Option<(WriterId, u64)> {
    let parts: Vec<_> = path.parts().collect();
    match parts.as_slice() {
        [log, writer, sequence] if log.as_ref() == "log" && sequence.as_ref().len() == 16 => {
            Some((
                writer.as_ref().parse().ok()?,
                u64::from_str_radix(sequence.as_ref(), 16).ok()?,
            ))
        }
        _ => None,
    }
}

/// The segment of `writer` whose first batch is `first`; fixed-width hex so names sort in
/// sequence order.
pub(crate) fn segment(writer: WriterId, first: u64) -> Path {
    Path::from_iter([
        "log",
        &writer.to_string(),
        SEGMENTS,
        &format!("{first:016x}"),
    ])
}

const SEGMENTS: &str = "segments";

/// Parses `log/<writer>/segments/<first sequence>`.
pub(crate) fn parse_segment(path: &Path) -> Option<(WriterId, u64)> {
    let parts: Vec<_> = path.parts().collect();
    match parts.as_slice() {
        [log, writer, segments, first]
            if log.as_ref() == "log"
                && segments.as_ref() == SEGMENTS
                && first.as_ref().len() == 16 =>
        {
            Some((
                writer.as_ref().parse().ok()?,
                u64::from_str_radix(first.as_ref(), 16).ok()?,
            ))
        }
        _ => None,
    }
}

/// Every checkpoint.
pub(crate) fn checkpoints() -> Path {
    Path::from("checkpoints")
}

/// The checkpoints of one writer.
pub(crate) fn writer_checkpoints(writer: WriterId) -> Path {
    Path::from_iter(["checkpoints", &writer.to_string()])
}

/// The checkpoint `writer` made when it had applied its own batches up to `sequence`.
pub(crate) fn checkpoint(writer: WriterId, sequence: u64) -> Path {
    Path::from_iter([
        "checkpoints",
        &writer.to_string(),
        &format!("{sequence:016x}"),
    ])
}

/// Parses `checkpoints/<writer>/<sequence>`.
pub(crate) fn parse_checkpoint(path: &Path) -> Option<(WriterId, u64)> {
    let parts: Vec<_> = path.parts().collect();
    match parts.as_slice() {
        [checkpoints, writer, sequence]
            if checkpoints.as_ref() == "checkpoints" && sequence.as_ref().len() == 16 =>
        {
            Some((
                writer.as_ref().parse().ok()?,
                u64::from_str_radix(sequence.as_ref(), 16).ok()?,
            ))
        }
        _ => None,
    }
}

/// The claims on one topic.
pub(crate) fn claims(topic_token: &str) -> Path {
    Path::from_iter(["claims", topic_token])
}

/// The claim of `holder` on a topic.
pub(crate) fn claim(topic_token: &str, holder: &str) -> Path {
    Path::from_iter(["claims", topic_token, holder])
}

/// The claims of instances creating a vault at this location (before any key exists, so the
/// topic is a constant; it can never be a topic token, which is hex).
pub(crate) fn creation_claims() -> Path {
    Path::from_iter(["claims", "vault-creation"])
}

/// The claim of `holder` to create the vault at this location.
pub(crate) fn creation_claim(holder: &str) -> Path {
    Path::from_iter(["claims", "vault-creation", holder])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back() {
        let writer = WriterId::from_bytes([1; 16]);
        assert_eq!(
            parse_log_batch(&log_batch(writer, 0x1234)),
            Some((writer, 0x1234))
        );
        assert_eq!(parse_segment(&segment(writer, 9)), Some((writer, 9)));
        assert_eq!(parse_checkpoint(&checkpoint(writer, 9)), Some((writer, 9)));
        assert_eq!(parse_checkpoint(&log_batch(writer, 9)), None);
        assert_eq!(parse_segment(&log_batch(writer, 9)), None);
        assert_eq!(parse_log_batch(&segment(writer, 9)), None);
        let (key, root) = (KeyId::from_bytes([2; 16]), KeyId::from_bytes([3; 16]));
        assert_eq!(
            parse_wrapped_key(&wrapped_key("vault", key, root)),
            Some(("vault".to_owned(), key, root))
        );
        let name = ObjectName::from_bytes([4; 16]);
        assert_eq!(parse_object(&object(name)), Some(name));
        assert_eq!(parse_object(&descriptor()), None);
    }
}
