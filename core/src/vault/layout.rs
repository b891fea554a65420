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

use std::fmt::Display;
use std::str::FromStr;

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
        [keys, owner, key, root] if keys.as_ref() == "keys" && is_key_owner(owner.as_ref()) => {
            Some((
                owner.as_ref().to_owned(),
                parse_id(key.as_ref())?,
                parse_id(root.as_ref())?,
            ))
        }
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
        [objects, name] if objects.as_ref() == "objects" => parse_id(name.as_ref()),
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
        [log, writer, sequence] if log.as_ref() == "log" => Some((
            parse_id(writer.as_ref())?,
            parse_sequence(sequence.as_ref())?,
        )),
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
            if log.as_ref() == "log" && segments.as_ref() == SEGMENTS =>
        {
            Some((parse_id(writer.as_ref())?, parse_sequence(first.as_ref())?))
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
        [checkpoints, writer, sequence] if checkpoints.as_ref() == "checkpoints" => Some((
            parse_id(writer.as_ref())?,
            parse_sequence(sequence.as_ref())?,
        )),
        _ => None,
    }
}

/// An id in a name, as the vault writes it: 32 lowercase hex digits. The ids' own parser also
/// reads uppercase digits (as people may type them); a name in another case is another object
/// than the one the vault wrote, so it is not one of the vault's names.
pub(crate) fn parse_id<T: FromStr + Display>(text: &str) -> Option<T> {
    let id: T = text.parse().ok()?;
    (id.to_string() == text).then_some(id)
}

/// Whether `text` is a key owner's folder as the vault names it: `vault`, or a scope token
/// (32 lowercase hex digits).
fn is_key_owner(text: &str) -> bool {
    text == VAULT_KEY_OWNER || (text.len() == 32 && is_lower_hex(text))
}

fn is_lower_hex(text: &str) -> bool {
    text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A sequence in a name, as the vault writes it: 16 lowercase hex digits (no sign).
fn parse_sequence(text: &str) -> Option<u64> {
    let digits = text.len() == 16 && is_lower_hex(text);
    digits.then(|| u64::from_str_radix(text, 16).ok()).flatten()
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

    /// Found by fuzzing (`fuzz/fuzz_targets/names.rs`): names the vault never writes, with ids
    /// or sequences in uppercase or with a sign, were read as the names of its objects.
    #[test]
    fn only_the_names_the_vault_writes_parse() {
        let writer = WriterId::from_bytes([0xab; 16]);
        let upper = writer.to_string().to_uppercase();
        for name in [
            "objects/ABABABABABABABABABABABABABABABAB".to_owned(),
            format!("log/{upper}/0000000000000001"),
            format!("log/{writer}/000000000000000A"),
            format!("log/{writer}/+000000000000001"),
            format!("log/{writer}/segments/+000000000000001"),
            format!("log/{writer}/segments/00000000000000FF"),
            format!("checkpoints/{upper}/0000000000000001"),
            format!("checkpoints/{writer}/+000000000000001"),
            format!("keys/vault/{upper}/{writer}"),
            format!("keys/vault/{writer}/{upper}"),
            format!("keys/{upper}/{writer}/{writer}"),
            format!("keys/vault%41/{writer}/{writer}"),
            format!("keys/token/{writer}/{writer}"),
        ] {
            let path = Path::from(name.as_str());
            assert_eq!(parse_object(&path), None, "{name}");
            assert_eq!(parse_log_batch(&path), None, "{name}");
            assert_eq!(parse_segment(&path), None, "{name}");
            assert_eq!(parse_checkpoint(&path), None, "{name}");
            assert_eq!(parse_wrapped_key(&path), None, "{name}");
        }
        assert_eq!(
            parse_log_batch(&Path::from(
                format!("log/{writer}/00000000000000ff").as_str()
            )),
            Some((writer, 0xff))
        );
        let key = KeyId::from_bytes([0xcd; 16]);
        assert_eq!(
            parse_wrapped_key(&wrapped_key(&writer.to_string(), key, key)),
            Some((writer.to_string(), key, key))
        );
    }
}
