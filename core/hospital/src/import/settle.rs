//! Duplicates and conflicts within a file, row by row: each cleaned row is compared with the
//! accepted rows before it. Kept across the file, per accepted row, and nothing of other rows:
//! its source id in lower case (and as given, where that differs), its number and locator,
//! digests of the fields a later row with its id is compared in (see [`Digest`]), and a
//! digest of its natural key: about 200 bytes a row with the tables' room.

use std::collections::HashMap;

use super::{Compared, Digest, Draft, ParsedRow, RowOutcome, changes};

/// An accepted row, as later rows are compared with it.
struct Earlier {
    /// Its source id as given, if it is not in lower case (the key it is kept under is).
    value: Option<Box<str>>,
    row: usize,
    locator: Box<str>,
    /// The digests of its [`Compared`] fields.
    fields: Box<[Option<u64>]>,
}

/// The accepted rows read so far.
#[derive(Default)]
pub(crate) struct Settler {
    /// The identifier systems met, each kept once: ids are kept by their place here.
    systems: Vec<String>,
    /// By system and source id in lower case: at most one accepted row has each, since a row
    /// whose id differs from an accepted row's only in letter case is rejected.
    ids: HashMap<(usize, Box<str>), Earlier>,
    /// The numbers of accepted rows by the digests of their natural keys (two digests under
    /// two keys: 128 bits).
    keys: HashMap<(u64, u64), usize>,
    digest: Digest,
    second_digest: Digest,
}

impl Settler {
    /// Turns a draft into a row: the same source id as an accepted row makes it a duplicate,
    /// or a conflict if it would change that row; the same source id but for letter case
    /// rejects it; the same natural key makes it a duplicate.
    pub(crate) fn settle(&mut self, draft: Draft) -> ParsedRow {
        let (outcome, notes) = match draft.result {
            Err(reasons) => (RowOutcome::Rejected { reasons }, Vec::new()),
            Ok(clean) => {
                let outcome = self.compare(&clean, draft.row, &draft.locator);
                (outcome.unwrap_or(RowOutcome::Accepted(clean)), draft.notes)
            }
        };
        ParsedRow {
            row: draft.row,
            locator: draft.locator,
            kind: draft.kind,
            source_id: draft.source_id,
            outcome,
            notes,
        }
    }

    /// What becomes of an accepted row compared with those before it; `None` if it is
    /// accepted (and kept for the rows after it).
    fn compare(
        &mut self,
        clean: &super::CleanRow,
        row: usize,
        locator: &str,
    ) -> Option<RowOutcome> {
        let source = clean.source();
        let folded: Box<str> = source.value.to_lowercase().into();
        let id = (self.system(&source.system), folded);
        let fields = clean.compared(&self.digest);
        if let Some(earlier) = self.ids.get(&id) {
            if *earlier.value.as_deref().unwrap_or(&id.1) != *source.value {
                let reason = format!(
                    "source id: differs only in letter case from that of {}",
                    earlier.locator
                );
                return Some(RowOutcome::Rejected {
                    reasons: vec![reason],
                });
            }
            let fields = changes(&fields, &earlier.fields);
            let of_row = earlier.row;
            return Some(if fields.is_empty() {
                RowOutcome::Duplicate { of_row }
            } else {
                RowOutcome::Conflict { of_row, fields }
            });
        }
        let key = clean.natural_key();
        let key = (self.digest.of(&key), self.second_digest.of(&key));
        if let Some(&of_row) = self.keys.get(&key) {
            return Some(RowOutcome::Duplicate { of_row });
        }
        self.keys.insert(key, row);
        let value = (*id.1 != *source.value).then(|| source.value.as_str().into());
        let fields = fields.iter().map(|field: &Compared| field.digest).collect();
        let earlier = Earlier {
            value,
            row,
            locator: locator.into(),
            fields,
        };
        self.ids.insert(id, earlier);
        None
    }

    /// The place of `system` in the systems met, added if it is new.
    fn system(&mut self, system: &str) -> usize {
        match self.systems.iter().position(|known| known == system) {
            Some(at) => at,
            None => {
                self.systems.push(system.to_owned());
                self.systems.len() - 1
            }
        }
    }
}
