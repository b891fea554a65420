//! The log on a folder store: batches appended as frames to segment files. A torn tail is
//! cut and never read, a damaged or reordered frame is refused, segments roll at their size
//! limit, another instance follows a segment while it is appended, and a log written one
//! object per batch carries on in segments.
#![allow(clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use common::{Backend, Fixture, all_files, log_segments, payload, segment_frames};
use medvault::crypto::CryptoError;
use medvault::vault::{LogLayout, NewRecord, Vault, VaultError};

fn store(fixture: &Fixture) -> PathBuf {
    fixture.store_folder.clone().expect("a folder store")
}

/// Writes `count` small records to `scope`, one batch each.
async fn put_notes(vault: &Vault, scope: &str, count: usize) {
    for i in 0..count {
        vault
            .put(
                NewRecord::new(scope, "note"),
                format!("note {i}").as_bytes(),
            )
            .await
            .expect("put");
    }
}

/// The one segment of the fixture's only writer.
fn only_segment(fixture: &Fixture) -> PathBuf {
    let segments = log_segments(&store(fixture));
    assert_eq!(segments.len(), 1, "segments: {segments:?}");
    segments[0].clone()
}

fn edit(path: &Path, change: impl FnOnce(&mut Vec<u8>)) {
    let mut bytes = std::fs::read(path).expect("read");
    change(&mut bytes);
    std::fs::write(path, bytes).expect("write");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_writer_appends_its_batches_to_one_private_segment() {
    let fixture = Fixture::new(Backend::Folder);
    let vault = fixture.create("a").await;
    put_notes(&vault, "patient-1", 20).await;
    vault.close().await.expect("close");

    let segment = only_segment(&fixture);
    let frames = segment_frames(&segment);
    assert!(frames.len() >= 20, "{} frames", frames.len());
    assert!(
        frames
            .windows(2)
            .all(|pair| pair[0].sequence < pair[1].sequence),
        "sequences out of order: {frames:?}"
    );
    // Nothing else is in the writer's log folder.
    assert_eq!(
        all_files(&store(&fixture).join("log")),
        vec![segment.clone()]
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&segment)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "segment mode {mode:o}");
    }
    // A new index reads it all back.
    let reopened = fixture.open("b").await;
    assert_eq!(
        reopened.list_scope("patient-1").await.expect("list").len(),
        20
    );
    reopened.verify_audit().await.expect("audit");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_torn_tail_is_never_read_and_is_cut_by_its_writer() {
    let fixture = Fixture::new(Backend::Folder);
    let vault = fixture.create("a").await;
    put_notes(&vault, "patient-1", 3).await;
    vault.close().await.expect("close");

    // A crash in the middle of an append: a frame header and part of its body.
    let segment = only_segment(&fixture);
    let last = segment_frames(&segment).pop().expect("a frame");
    let mut torn = b"MVLF".to_vec();
    torn.extend_from_slice(&1000u32.to_le_bytes());
    torn.extend_from_slice(&(last.sequence + 1).to_le_bytes());
    torn.extend_from_slice(&payload(300, 9));
    edit(&segment, |bytes| {
        bytes[last.range.end..last.range.end + torn.len()].copy_from_slice(&torn);
    });

    // Another instance reads up to the torn frame, without an error.
    let other = fixture.open("b").await;
    assert_eq!(other.list_scope("patient-1").await.expect("list").len(), 3);
    assert_eq!(other.sync().await.expect("sync"), 0);

    // The writer reopens, cuts the tail and appends after its last whole frame.
    let vault = fixture.open("a").await;
    put_notes(&vault, "patient-1", 1).await;
    vault.close().await.expect("close");
    let frames = segment_frames(&segment);
    let appended = frames.last().expect("the new frame");
    assert_eq!(appended.range.start, last.range.end);
    let bytes = std::fs::read(&segment).expect("read");
    assert!(
        bytes[appended.range.end..].iter().all(|byte| *byte == 0),
        "the torn bytes are gone"
    );

    assert_eq!(other.sync().await.expect("sync"), 1);
    assert_eq!(other.list_scope("patient-1").await.expect("list").len(), 4);
    let fresh = fixture.open("c").await;
    assert_eq!(fresh.list_scope("patient-1").await.expect("list").len(), 4);
    assert!(fresh.verify().await.expect("verify").is_sound());
    fresh.verify_audit().await.expect("audit");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_damaged_frame_is_refused_never_skipped() {
    let fixture = Fixture::new(Backend::Folder);
    let vault = fixture.create("a").await;
    put_notes(&vault, "patient-1", 5).await;
    vault.close().await.expect("close");
    let segment = only_segment(&fixture);
    let middle = segment_frames(&segment)[3].clone();
    let original = std::fs::read(&segment).expect("read");

    // A flipped byte in a body: the frame does not authenticate, and later ones do.
    edit(&segment, |bytes| bytes[middle.range.start + 40] ^= 0x01);
    match Vault::open(&fixture.config("fresh-1"), fixture.credential()).await {
        Err(VaultError::Crypto(CryptoError::AuthenticationFailed)) => {}
        other => panic!("expected an authentication failure, got {other:?}"),
    }
    // The writer's own index had applied it: the audit check and a rebuild find it.
    let vault = fixture.open("a").await;
    assert!(matches!(
        vault.verify_audit().await,
        Err(VaultError::AuditTampered(_))
    ));
    assert!(matches!(
        vault.rebuild().await,
        Err(VaultError::Crypto(CryptoError::AuthenticationFailed))
    ));
    vault.close().await.expect("close");

    // A flipped bit in a frame's length, past the end of the file: nothing is readable
    // there, but later frames are.
    std::fs::write(&segment, &original).expect("restore");
    edit(&segment, |bytes| bytes[middle.range.start + 7] ^= 0x40);
    match Vault::open(&fixture.config("fresh-2"), fixture.credential()).await {
        Err(VaultError::Malformed { what, reason }) => {
            assert_eq!(what, "log segment");
            assert!(reason.contains("unreadable bytes"), "{reason}");
        }
        other => panic!("expected a damaged segment, got {other:?}"),
    }

    // A cut after a whole frame is not damage: what was there is lost, as after a removed
    // batch, and the writer's audit chain says so.
    std::fs::write(&segment, &original[..middle.range.end]).expect("cut");
    let vault = fixture.open("fresh-3").await;
    assert!(vault.list_scope("patient-1").await.expect("list").len() < 5);
    let writer_index = fixture.open("a").await;
    assert!(matches!(
        writer_index.verify_audit().await,
        Err(VaultError::AuditTampered(_))
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn frames_out_of_order_are_refused() {
    let fixture = Fixture::new(Backend::Folder);
    let vault = fixture.create("a").await;
    put_notes(&vault, "patient-1", 4).await;
    vault.close().await.expect("close");
    let segment = only_segment(&fixture);
    let frames = segment_frames(&segment);
    let (first, second) = (frames[2].clone(), frames[3].clone());
    edit(&segment, |bytes| {
        let mut swapped = bytes[second.range.clone()].to_vec();
        swapped.extend_from_slice(&bytes[first.range.clone()]);
        bytes[first.range.start..second.range.end].copy_from_slice(&swapped);
    });
    match Vault::open(&fixture.config("fresh"), fixture.credential()).await {
        Err(VaultError::Malformed { what, reason }) => {
            assert_eq!(what, "log segment");
            assert!(reason.contains("out of order"), "{reason}");
        }
        other => panic!("expected frames out of order, got {other:?}"),
    }
    // The writer's own index resumes after what it read, so its audit check finds them.
    let vault = fixture.open("a").await;
    assert!(matches!(
        vault.verify_audit().await,
        Err(VaultError::AuditTampered(_))
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn segments_roll_at_their_size_limit() {
    let fixture = Fixture::new(Backend::Folder);
    let vault = fixture.create("a").await;
    let body = payload(60_000, 3);
    for _ in 0..300 {
        vault
            .put(NewRecord::new("patient-1", "scan"), &body)
            .await
            .expect("put");
    }
    vault.close().await.expect("close");

    let segments = log_segments(&store(&fixture));
    assert_eq!(segments.len(), 2, "18 MB of batches: {segments:?}");
    let (first, second) = (segment_frames(&segments[0]), segment_frames(&segments[1]));
    let end = first.last().expect("frames").range.end;
    assert!(
        end <= 16 * 1024 * 1024,
        "the first segment holds {end} bytes"
    );
    assert_eq!(
        second[0].sequence,
        first.last().expect("frames").sequence + 1,
        "the next segment starts with the next batch"
    );
    let name = segments[1]
        .file_name()
        .expect("name")
        .to_str()
        .expect("utf-8");
    assert_eq!(
        u64::from_str_radix(name, 16).expect("hex"),
        second[0].sequence
    );

    let fresh = fixture.open("b").await;
    let listed = fresh.list_scope("patient-1").await.expect("list");
    assert_eq!(listed.len(), 300);
    for meta in [&listed[0], &listed[150], &listed[299]] {
        assert_eq!(fresh.get(meta.id).await.expect("get").1, body);
    }
    fresh.verify_audit().await.expect("audit");
}

#[tokio::test(flavor = "multi_thread")]
async fn another_instance_follows_a_segment_while_it_is_appended() {
    let fixture = Fixture::new(Backend::Folder);
    let writer = fixture.create("a").await;
    let reader = fixture.open("b").await;
    let writing = {
        let writer = writer.clone();
        tokio::spawn(async move {
            for i in 0..200 {
                writer
                    .put(
                        NewRecord::new("patient-1", "note"),
                        &payload(200 + i % 2000, 1),
                    )
                    .await
                    .expect("put");
            }
        })
    };
    let mut seen = 0;
    while !writing.is_finished() {
        reader.sync().await.expect("sync while appended");
        let now = reader.list_scope("patient-1").await.expect("list").len();
        assert!(now >= seen, "records went from {seen} to {now}");
        seen = now;
    }
    writing.await.expect("writer");
    reader.sync().await.expect("sync");
    assert_eq!(
        reader.list_scope("patient-1").await.expect("list").len(),
        200
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_log_of_batch_objects_carries_on_in_segments() {
    let fixture = Fixture::new(Backend::Folder).with_log(LogLayout::ObjectPerBatch);
    let vault = fixture.create("a").await;
    put_notes(&vault, "patient-1", 3).await;
    vault.close().await.expect("close");
    assert!(log_segments(&store(&fixture)).is_empty());
    let objects = all_files(&store(&fixture).join("log")).len();
    assert!(objects >= 3, "{objects} batch objects");

    let fixture = fixture.with_log(LogLayout::Segments);
    let vault = fixture.open("a").await;
    put_notes(&vault, "patient-1", 2).await;
    vault.close().await.expect("close");
    let segment = only_segment(&fixture);
    assert_eq!(segment_frames(&segment).len(), 2);

    let fresh = fixture.open("b").await;
    assert_eq!(fresh.list_scope("patient-1").await.expect("list").len(), 5);
    fresh.verify_audit().await.expect("audit");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_segment_that_cannot_be_made_refuses_its_writes_and_loses_nothing() {
    let fixture = Fixture::new(Backend::Folder);
    let vault = fixture.create("a").await;
    let body = payload(60_000, 5);
    let mut acknowledged = 0;
    // Fill the first segment close to its size limit.
    while log_segments(&store(&fixture))
        .first()
        .and_then(|segment| segment_frames(segment).last().map(|frame| frame.range.end))
        .is_none_or(|end| end < 16 * 1024 * 1024 - 2 * 70_000)
    {
        vault
            .put(NewRecord::new("patient-1", "scan"), &body)
            .await
            .expect("put");
        acknowledged += 1;
    }

    // The folder the next segment goes in is taken by a file.
    let segments = log_segments(&store(&fixture))[0]
        .parent()
        .expect("segments folder")
        .to_owned();
    let moved = fixture.scratch().join("moved-segments");
    std::fs::rename(&segments, &moved).expect("move the segments away");
    std::fs::write(&segments, b"in the way").expect("block the segments folder");
    let mut refused = 0;
    for _ in 0..4 {
        match vault.put(NewRecord::new("patient-1", "scan"), &body).await {
            Ok(_) => acknowledged += 1,
            Err(VaultError::Store(detail)) => {
                assert!(detail.to_string().contains("not committed"), "{detail}");
                refused += 1;
            }
            Err(other) => panic!("expected a store error, got {other:?}"),
        }
    }
    assert!(refused >= 1, "no write needed a new segment");

    // The folder comes back: writes go on without a reopen.
    std::fs::remove_file(&segments).expect("unblock");
    std::fs::rename(&moved, &segments).expect("put the segments back");
    vault
        .put(NewRecord::new("patient-1", "scan"), &body)
        .await
        .expect("put after recovery");
    acknowledged += 1;
    vault.close().await.expect("close");

    let fresh = fixture.open("b").await;
    assert_eq!(
        fresh.list_scope("patient-1").await.expect("list").len(),
        acknowledged
    );
    fresh.verify_audit().await.expect("audit");
}
