//! Duplicates and conflicts within a file, row by row: each cleaned row is compared with the
//! accepted rows before it. Kept across the file, per accepted row: its source id (once, in
//! lower case, with the id as given), its number and locator, its cleaned content (to name the
//! fields a conflicting row differs in) and its natural key. Nothing is kept of other rows.

use std::collections::HashMap;

use super::{CleanRow, Draft, NaturalKey, ParsedRow, RowOutcome};
use crate::profile::Identifier;

/// An accepted row, as later rows are compared with it.
struct Earlier {
    /// Its source id as given (the key it is kept under is in lower case).
    value: String,
    row: usize,
    locator: String,
    clean: CleanRow,
}

/// The accepted rows read so far.
#[derive(Default)]
pub(crate) struct Settler {
    /// By source id in lower case: at most one accepted row has each, since a row whose id
    /// differs from an accepted row's only in letter case is rejected.
    ids: HashMap<Identifier, Earlier>,
    /// The numbers of accepted rows by natural key.
    keys: HashMap<NaturalKey, usize>,
}

impl Settler {
    /// Turns a draft into a row: the same source id as an accepted row makes it a duplicate,
    /// or a conflict if it would change that row; the same source id but for letter case
    /// rejects it; the same natural key makes it a duplicate.
    pub(crate) fn settle(&mut self, draft: Draft) -> ParsedRow {
        let (outcome, notes) = match draft.result {
            Err(reasons) => (RowOutcome::Rejected { reasons }, Vec::new()),
            Ok(clean) => (self.compare(clean, draft.row, &draft.locator), draft.notes),
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

    fn compare(&mut self, clean: CleanRow, row: usize, locator: &str) -> RowOutcome {
        let source = clean.source();
        let folded = Identifier::new(&source.system, &source.value.to_lowercase());
        if let Some(earlier) = self.ids.get(&folded) {
            if earlier.value != source.value {
                let reason = format!(
                    "source id: differs only in letter case from that of {}",
                    earlier.locator
                );
                return RowOutcome::Rejected {
                    reasons: vec![reason],
                };
            }
            let fields = clean.changes_to(&earlier.clean);
            let of_row = earlier.row;
            return if fields.is_empty() {
                RowOutcome::Duplicate { of_row }
            } else {
                RowOutcome::Conflict { of_row, fields }
            };
        }
        let key = clean.natural_key();
        if let Some(&of_row) = self.keys.get(&key) {
            return RowOutcome::Duplicate { of_row };
        }
        self.keys.insert(key, row);
        self.ids.insert(
            folded,
            Earlier {
                value: source.value.clone(),
                row,
                locator: locator.to_owned(),
                clean: clean.clone(),
            },
        );
        RowOutcome::Accepted(clean)
    }
}
