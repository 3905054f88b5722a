//! Batch entries: one history entry for all the records of a bulk write.

use uuid::Uuid;

use super::digest::Digest;
use super::entry::append;
use super::kinds::{self, KINDS, to_json};
use crate::error::{Error, Result};
use crate::model::history::{EntityKind, Operation};
use crate::store::convert::{JsonText, insert_id, insert_sql, ts_to_sql};
use crate::store::db::{Db, p};
use crate::store::record::Record;

/// The history of one bulk write ([`Store::batch`]): one `batch` entry for all of its records, instead
/// of one entry per record (`schema/0001_initial.sql`, `history_batch_rows`).
///
/// The entry is appended when the first record is written; [`finish`](Self::finish), called just before
/// the commit, writes per table the rowid range the batch inserted with the number of records and the
/// wrapping sum of their digests. SQLite gives each new row rowid max + 1 inside the transaction, so the
/// rows a batch inserted are exactly `start + 1 ..= max` per table. `Copy`, so an attempt that is rolled
/// back restores the log it started from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BatchLog {
    pub(super) start: [i64; 7],
    records: [u64; 7],
    digests: [Digest; 7],
    pub(super) entry: Option<i64>,
}

impl BatchLog {
    /// Notes where each table ends; call inside the batch's transaction, before it writes.
    pub(crate) fn begin(db: &Db<'_>) -> Result<Self> {
        let mut start = [0; 7];
        // One statement for every table (one round trip to a server, not seven).
        db.query_one(MAX_ROWIDS, p![], |r| {
            for (i, slot) in start.iter_mut().enumerate() {
                *slot = r.get(i)?;
            }
            Ok(())
        })?;
        Ok(BatchLog {
            start,
            records: [0; 7],
            digests: [Digest::default(); 7],
            entry: None,
        })
    }

    /// Enters one record the batch has just written (its row inserted in this transaction); `value` is
    /// the model value written, whose serde JSON is what [`snapshot`] reads back.
    ///
    /// `given` is the record's id when the caller chose it (`insert_*`, bundles), `None` when the batch
    /// has just made it (`add_*`: a new id has no history). A record given with an id that has history
    /// of its own (one deleted, now written again with the same id, as when a backup bundle is
    /// restored) is not the batch's: its history goes on with an `import` entry of its own, as before
    /// batches had one entry, so its chain (ending in its deletion) stays unbroken and `verify` does not
    /// count it for the batch (it counts only rows without entries of their own).
    pub(crate) fn record<R: Record>(&mut self, db: &Db<'_>, given: Option<Uuid>, value: &R) -> Result<()> {
        let kind = R::KIND;
        let slot =
            kinds::slot(kind).ok_or_else(|| Error::invalid("entity kind", "a batch is not a record"))?;
        if let Some(entity) = given
            && db.query_one(
                "SELECT EXISTS (SELECT 1 FROM history WHERE entity = ?1 AND entity_kind = ?2)",
                p![entity, kind],
                |r| r.get::<bool>(0),
            )?
        {
            return append(
                db,
                kind,
                entity,
                Operation::Import,
                None,
                Some(&to_json(value)?),
                None,
            );
        }
        if self.entry.is_none() {
            let at = ts_to_sql(crate::model::now())?;
            let entry = insert_id(
                db,
                insert_sql!(
                    "INSERT INTO history (at, actor, entity_kind, entity, operation, after) \
                     VALUES (?1, (SELECT name FROM claimtrack_actor), 'batch', ?2, 'import', ?3)"
                ),
                p![at, crate::model::ids::new_v7(), JsonText("{}".into())],
            )?;
            self.entry = Some(entry);
            // Readers inside the batch (the store's own, in its transaction) find its records through
            // these rows until `finish` writes the ranges; a rollback takes them away with the rest.
            for (k, start) in KINDS.iter().zip(self.start) {
                db.execute(
                    "INSERT INTO claimtrack_open_batch (entity_kind, first_row, batch) VALUES (?1, ?2, ?3)",
                    p![k.kind, start + 1, entry],
                )?;
            }
        }
        self.records[slot] += 1;
        self.digests[slot] = self.digests[slot].plus(Digest::of_record(value)?);
        Ok(())
    }

    /// Writes the batch's rowid ranges; call once, after its last write and before the commit.
    pub(crate) fn finish(&self, db: &Db<'_>) -> Result<()> {
        let Some(batch) = self.entry else {
            return Ok(());
        };
        db.execute("DELETE FROM claimtrack_open_batch", p![])?;
        for (slot, k) in KINDS.iter().enumerate() {
            if self.records[slot] == 0 {
                continue;
            }
            // The range ends at the table's last row: one statement reads it and writes the range.
            db.execute(
                k.batch_rows,
                p![
                    k.kind,
                    self.start[slot] + 1,
                    batch,
                    self.records[slot] as i64,
                    self.digests[slot]
                ],
            )?;
        }
        Ok(())
    }
}

/// The largest rowid of every table of [`KINDS`], in its order, as one row: each column is that kind's
/// [`Record::MAX_ROWID`] (a test holds the two together).
const MAX_ROWIDS: &str = "SELECT (SELECT coalesce(max(id), 0) FROM sources), \
     (SELECT coalesce(max(id), 0) FROM publications), (SELECT coalesce(max(id), 0) FROM claims), \
     (SELECT coalesce(max(id), 0) FROM attributions), (SELECT coalesce(max(id), 0) FROM evidence), \
     (SELECT coalesce(max(id), 0) FROM claim_links), (SELECT coalesce(max(id), 0) FROM reviews)";

/// The batch entry whose rows hold rowid `rowid` of `kind`'s table: the newest batch whose range holds
/// it (an older range can hold it too when its rows were deleted and the rowid reused). Inside a batch,
/// read in its transaction, that is the open batch for the rows it has written so far (every row past
/// where the table ended when it began: `claimtrack_open_batch`, the newest entry of all).
pub(super) fn batch_holding(db: &Db<'_>, kind: EntityKind, rowid: i64) -> Result<Option<i64>> {
    // An aggregate, not `ORDER BY batch DESC LIMIT 1`: SQLite sorts each side of a UNION ALL in a
    // temporary B-tree of its own for that, two per record, which cost a claim read more than the
    // lookups themselves; the aggregate reads both sides as they come (one row: NULL when none).
    db.query_one(
        "SELECT max(batch) FROM (SELECT batch FROM claimtrack_open_batch \
         WHERE entity_kind = ?1 AND first_row <= ?2 \
         UNION ALL SELECT batch FROM history_batch_rows WHERE entity_kind = ?1 AND first_row <= ?2 \
         AND last_row >= ?2) AS holding",
        p![kind, rowid],
        |r| r.get(0),
    )
}

/// The batch open in this transaction, per kind where its rows begin (see [`BatchLog::record`]);
/// empty outside a batch.
pub(super) fn open_batch(db: &Db<'_>) -> Result<Vec<(EntityKind, i64, i64)>> {
    db.query_vec(
        "SELECT entity_kind, first_row, batch FROM claimtrack_open_batch",
        p![],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
}

/// The rowid of record `entity` of `kind`, if it exists.
pub(super) fn rowid_of_entity(db: &Db<'_>, kind: EntityKind, entity: Uuid) -> Result<Option<i64>> {
    match kinds::of(kind) {
        Some(k) => (k.rowid)(db, entity),
        None => Ok(None),
    }
}

/// The batch that created record `entity`, when a batch did and the record has no history entry of its
/// own yet: what the first entry of its first change must name (see [`track`]).
pub(super) fn creating_batch(
    db: &Db<'_>,
    log: Option<&BatchLog>,
    kind: EntityKind,
    entity: Uuid,
) -> Result<Option<i64>> {
    let has_own: bool = db.query_one(
        "SELECT EXISTS (SELECT 1 FROM history WHERE entity = ?1 AND entity_kind = ?2)",
        p![entity, kind],
        |r| r.get(0),
    )?;
    if has_own {
        return Ok(None);
    }
    let Some(rowid) = rowid_of_entity(db, kind, entity)? else {
        return Ok(None);
    };
    if let Some(log) = log
        && let (Some(entry), Some(slot)) = (log.entry, kinds::slot(kind))
        && rowid > log.start[slot]
    {
        return Ok(Some(entry));
    }
    batch_holding(db, kind, rowid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_one_statement_reads_each_kinds_last_rowid_in_order() {
        let mut rest = MAX_ROWIDS;
        for k in &KINDS {
            let at = rest
                .find(&format!("({})", k.max_rowid))
                .unwrap_or_else(|| panic!("{:?} missing or out of order", k.kind));
            rest = &rest[at + k.max_rowid.len()..];
        }
        assert_eq!(MAX_ROWIDS.matches("SELECT coalesce").count(), KINDS.len());
    }
}
