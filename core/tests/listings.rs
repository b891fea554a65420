//! Listings come from the index's entries for each record's latest version: by scope, by kind
//! and time, and all. Checked against a model of what was written, through any sequence of
//! puts, amendments, deletions, shreds and rebuilds, and across two writers amending one record.
#![allow(clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::ops::Range;

use common::{Backend, Fixture, payload};
use medvault::vault::{NewRecord, RecordId, RecordMeta, Vault};
use proptest::prelude::*;

const DAY: i64 = 86_400_000;
const SCOPES: u8 = 3;
const KINDS: u8 = 2;

#[derive(Clone, Debug)]
enum Step {
    /// A record of a scope and kind, made at a time in milliseconds, with a payload large
    /// enough for an object of its own when `large`.
    Put {
        scope: u8,
        kind: u8,
        time: i64,
        large: bool,
    },
    /// A new version of the live record picked by this number.
    Amend(usize),
    Delete(usize),
    Shred(u8),
    Rebuild,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        5 => (0..SCOPES, 0..KINDS, -3 * DAY..3 * DAY, prop::bool::weighted(0.1)).prop_map(
            |(scope, kind, time, large)| Step::Put { scope, kind, time, large }
        ),
        3 => any::<usize>().prop_map(Step::Amend),
        1 => any::<usize>().prop_map(Step::Delete),
        1 => (0..SCOPES).prop_map(Step::Shred),
        1 => Just(Step::Rebuild),
    ]
}

/// What the vault should hold: each live record's latest metadata and payload.
#[derive(Default)]
struct Model {
    live: BTreeMap<RecordId, (RecordMeta, Vec<u8>)>,
}

impl Model {
    fn pick(&self, number: usize) -> Option<RecordId> {
        let ids: Vec<RecordId> = self.live.keys().copied().collect();
        (!ids.is_empty()).then(|| ids[number % ids.len()])
    }

    fn listed(&self, keep: impl Fn(&RecordMeta) -> bool) -> Vec<(RecordId, u64, i64)> {
        let mut listed: Vec<(RecordId, u64, i64)> = self
            .live
            .values()
            .map(|(meta, _)| meta)
            .filter(|meta| keep(meta))
            .map(|meta| (meta.id, meta.version, meta.created_ms))
            .collect();
        listed.sort_by_key(|(id, _, created)| (*created, *id));
        listed
    }
}

fn scope(number: u8) -> String {
    format!("patient-{number}")
}

fn kind(number: u8) -> String {
    format!("kind-{number}")
}

fn summary(metas: Vec<RecordMeta>) -> Vec<(RecordId, u64, i64)> {
    metas
        .into_iter()
        .map(|meta| (meta.id, meta.version, meta.created_ms))
        .collect()
}

/// Time ranges that start and end on and off day boundaries, before and after 1970, over one
/// day, several, and more than the kind listing reads day by day.
fn ranges(now: i64) -> Vec<Range<i64>> {
    vec![
        0..DAY,
        -DAY..0,
        -2 * DAY + 1..DAY - 1,
        -DAY / 2..DAY / 2,
        -3 * DAY..3 * DAY,
        5..5,
        now - 20 * DAY..now + DAY,
        -4_000 * DAY..now + DAY,
        i64::MIN..i64::MAX,
    ]
}

async fn check(vault: &Vault, model: &Model, when: &str) {
    for number in 0..SCOPES {
        assert_eq!(
            summary(vault.list_scope(&scope(number)).await.expect("list scope")),
            model.listed(|meta| meta.scope == scope(number)),
            "{when}: scope {number}"
        );
    }
    let now = medvault::vault::now_ms();
    for number in 0..KINDS {
        for range in ranges(now) {
            assert_eq!(
                summary(
                    vault
                        .list_kind(&kind(number), range.clone())
                        .await
                        .expect("list kind")
                ),
                model.listed(|meta| meta.kind == kind(number) && range.contains(&meta.created_ms)),
                "{when}: kind {number} over {range:?}"
            );
        }
    }
    assert_eq!(
        summary(vault.list_all().await.expect("list all")),
        model.listed(|_| true),
        "{when}: all"
    );
    for (id, (meta, payload)) in &model.live {
        let (read, bytes) = vault.get(*id).await.expect("get");
        assert_eq!((&read, &bytes), (meta, payload), "{when}: record {id}");
    }
}

async fn run(steps: Vec<Step>) {
    let fixture = Fixture::new(Backend::Memory);
    let vault = fixture.create("a").await;
    let mut model = Model::default();
    for (number, step) in steps.into_iter().enumerate() {
        match step {
            Step::Put {
                scope: of,
                kind: made,
                time,
                large,
            } => {
                let bytes = payload(if large { 70_000 } else { 300 }, number as u8);
                let mut record = NewRecord::new(scope(of), kind(made));
                record.created_ms = Some(time);
                let meta = vault.put(record, &bytes).await.expect("put");
                model.live.insert(meta.id, (meta, bytes));
            }
            Step::Amend(pick) => {
                if let Some(id) = model.pick(pick) {
                    let bytes = payload(200, number as u8);
                    let meta = vault.amend(id, &bytes).await.expect("amend");
                    model.live.insert(id, (meta, bytes));
                }
            }
            Step::Delete(pick) => {
                if let Some(id) = model.pick(pick) {
                    vault.delete(id).await.expect("delete");
                    model.live.remove(&id);
                }
            }
            Step::Shred(of) => {
                vault.shred_scope(&scope(of)).await.expect("shred");
                model.live.retain(|_, (meta, _)| meta.scope != scope(of));
            }
            Step::Rebuild => {
                vault.rebuild().await.expect("rebuild");
            }
        }
    }
    check(&vault, &model, "the writing index").await;
    vault.close().await.expect("close");
    let fresh = fixture.open("b").await;
    check(&fresh, &model, "a new index").await;
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Whatever was written, every listing holds exactly the latest version of each live
    /// record it should, in the writer's index, after rebuilds, and in a new index.
    #[test]
    fn listings_hold_the_latest_version_of_each_live_record(
        steps in prop::collection::vec(step(), 1..40)
    ) {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(run(steps));
    }
}

/// Two writers amending one record at once make two versions of one number: every instance
/// lists, and reads, the same one of them (the higher writer's), under its own time.
#[tokio::test(flavor = "multi_thread")]
async fn concurrent_amendments_list_the_same_winner_everywhere() {
    for backend in [Backend::Memory, Backend::Folder] {
        let fixture = Fixture::new(backend);
        let a = fixture.create("a").await;
        let mut record = NewRecord::new("patient-1", "note");
        record.created_ms = Some(1_000);
        let first = a.put(record, b"first").await.expect("put");
        let b = fixture.open("b").await;
        let from_a = a.amend(first.id, b"from a").await.expect("amend on a");
        let from_b = b.amend(first.id, b"from b").await.expect("amend on b");
        assert_eq!((from_a.version, from_b.version), (2, 2), "{backend:?}");
        a.sync().await.expect("sync a");
        b.sync().await.expect("sync b");
        let mut listings = Vec::new();
        for vault in [&a, &b] {
            let listed = vault.list_scope("patient-1").await.expect("list");
            let [latest] = listed.as_slice() else {
                panic!("{backend:?}: one record listed, got {listed:?}");
            };
            let (read, bytes) = vault.get(first.id).await.expect("get");
            assert_eq!(&read, latest, "{backend:?}: listing and read agree");
            let by_kind = vault
                .list_kind("note", latest.created_ms..latest.created_ms + 1)
                .await
                .expect("list kind");
            assert_eq!(by_kind, listed, "{backend:?}: listed under its own time");
            assert!(
                vault
                    .list_kind("note", 1_000..1_001)
                    .await
                    .expect("list kind")
                    .is_empty(),
                "{backend:?}: no longer listed under the first version's time"
            );
            listings.push((read, bytes));
        }
        assert_eq!(
            listings[0], listings[1],
            "{backend:?}: both instances agree"
        );
    }
}
