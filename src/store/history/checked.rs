//! Whether a batch's records of one kind still add up to what it wrote: what the readers ask before
//! they show a record's value as the value a batch imported.
//!
//! A batch keeps no copy of its records, only per table their number and the sum of their digests
//! (`history_batch_rows`). The value its `import` change shows is read back (from the record now, or from
//! the value before of its first own change), so a record changed behind the API would show its changed
//! value as the one imported. The readers check the batch's sum first and show no value when it does
//! not add up ([`Unverified::Changed`]: the sum cannot tell which of its records changed), or when the
//! batch wrote more records of that kind than a read checks ([`Unverified::TooLarge`]).

use std::collections::HashMap;

use uuid::Uuid;

use super::digest::Digest;
use super::kinds::{self, value_digest};
use crate::error::Result;
use crate::model::history::{BATCH_CHECK_LIMIT, EntityKind, Unverified};
use crate::store::db::{Db, p};

/// The answers already found in one read, per batch and kind (a claim's history asks for each of its
/// records).
#[derive(Default)]
pub(super) struct Checked(HashMap<(i64, EntityKind), Option<Unverified>>);

impl Checked {
    /// Why the records of `kind` that batch entry `batch` wrote cannot be shown as written, or `None`
    /// when they add up to what it wrote.
    pub(super) fn of(&mut self, db: &Db<'_>, batch: i64, kind: EntityKind) -> Result<Option<Unverified>> {
        if let Some(v) = self.0.get(&(batch, kind)) {
            return Ok(*v);
        }
        let v = check(db, batch, kind)?;
        self.0.insert((batch, kind), v);
        Ok(v)
    }
}

/// The same sum `verify_history` compares for one batch and kind: the records in its rowid ranges
/// (not painted over by a newer batch's) with no history of their own, as stored now, plus those that
/// changed since, as their first change found them.
fn check(db: &Db<'_>, batch: i64, kind: EntityKind) -> Result<Option<Unverified>> {
    let Some(k) = kinds::of(kind) else {
        return Ok(None);
    };
    let ranges: Vec<(i64, i64, i64, Digest)> = db.query_vec(
        "SELECT first_row, last_row, records, digest FROM history_batch_rows \
         WHERE batch = ?1 AND entity_kind = ?2",
        p![batch, kind],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    if ranges.is_empty() {
        // The batch open in this transaction writes its sums when it ends: its rows are this
        // transaction's own writes. Any other batch entry without them wrote no such record.
        let open: bool = db.query_one(
            "SELECT EXISTS (SELECT 1 FROM claimtrack_open_batch WHERE batch = ?1)",
            p![batch],
            |r| r.get(0),
        )?;
        return Ok((!open).then_some(Unverified::Changed));
    }
    let mut written = (0u64, Digest::default());
    for (_, _, records, digest) in &ranges {
        // The schema's CHECK keeps the count positive.
        written.0 = written.0.saturating_add(u64::try_from(*records).unwrap_or(0));
        written.1 = written.1.plus(*digest);
    }
    if written.0 > BATCH_CHECK_LIMIT {
        return Ok(Some(Unverified::TooLarge));
    }
    let (low, high) = ranges
        .iter()
        .fold((i64::MAX, i64::MIN), |(l, h), r| (l.min(r.0), h.max(r.1)));
    // Rows a newer batch wrote where this one's were deleted are that batch's (as `verify` paints them),
    // and so is every row of the batch open in this transaction.
    let newer: Vec<(i64, i64)> = db.query_vec(
        "SELECT first_row, last_row FROM history_batch_rows WHERE entity_kind = ?1 AND batch > ?2 \
         AND first_row <= ?4 AND last_row >= ?3 \
         UNION ALL SELECT first_row, ?4 FROM claimtrack_open_batch WHERE entity_kind = ?1 AND batch > ?2",
        p![kind, batch, low, high],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut found = (0u64, Digest::default());
    // Records that changed through the API since: their first entry names the batch, with the record
    // as it was then as its value before.
    let firsts: Vec<Option<String>> = db.query_vec(
        "SELECT CAST(before AS TEXT) FROM history WHERE batch = ?1 AND entity_kind = ?2",
        p![batch, kind],
        |r| r.get(0),
    )?;
    for before in firsts {
        let Some(Ok(d)) = before.map(|t| value_digest(kind, &t)) else {
            return Ok(Some(Unverified::Changed));
        };
        found = (found.0 + 1, found.1.plus(d));
    }
    for (first, last, _, _) in ranges {
        let rows: Vec<(Uuid, i64)> = db.query_vec(k.batch_records, p![first, last, kind], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        for (id, rowid) in rows {
            if newer.iter().any(|(f, l)| *f <= rowid && rowid <= *l) {
                continue;
            }
            let d = (k.stored_digest)(db, id)?.unwrap_or_default();
            found = (found.0 + 1, found.1.plus(d));
        }
    }
    Ok((found != written).then_some(Unverified::Changed))
}
