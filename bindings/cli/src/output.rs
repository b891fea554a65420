//! How records and reports are printed: lines for people, JSON for scripts.
use medvault::vault::{RecordMeta, VerifyReport};
use serde_json::{Value, json};

/// A record version's metadata as JSON (ids as hex, time as RFC 3339 and milliseconds).
pub fn meta_json(meta: &RecordMeta) -> Value {
    json!({
        "id": meta.id.to_string(),
        "version": meta.version,
        "scope": meta.scope,
        "kind": meta.kind,
        "author": meta.author,
        "created": rfc3339(meta.created_ms),
        "created_ms": meta.created_ms,
        "content_type": meta.content_type,
        "labels": meta.labels,
        "size": meta.size,
    })
}

/// Prints metadata as tab-separated lines, or as one JSON array.
pub fn print_metas(metas: &[RecordMeta], json: bool) {
    if json {
        let all: Vec<Value> = metas.iter().map(meta_json).collect();
        println!("{}", Value::Array(all));
        return;
    }
    for meta in metas {
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            meta.id,
            meta.version,
            meta.scope,
            meta.kind,
            rfc3339(meta.created_ms),
            meta.size,
            meta.content_type
        );
    }
}

/// A verify report as JSON.
pub fn verify_json(report: &VerifyReport) -> Value {
    let ids = |records: &[medvault::vault::RecordId]| -> Vec<String> {
        records.iter().map(ToString::to_string).collect()
    };
    json!({
        "sound": report.is_sound(),
        "versions_ok": report.versions_ok,
        "missing_objects": ids(&report.missing_objects),
        "missing_keys": ids(&report.missing_keys),
        "corrupt": ids(&report.corrupt),
        "orphan_objects": report.orphan_objects,
        "orphan_keys": report.orphan_keys,
    })
}

/// `ms` (since the Unix epoch) as RFC 3339 UTC with milliseconds; a time before 1970 as the
/// bare number.
pub fn rfc3339(ms: i64) -> String {
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(time) if ms >= 0 => time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        _ => ms.to_string(),
    }
}
