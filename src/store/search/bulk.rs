//! The full-text indexes around a bulk load (SQLite's FTS5; nothing to do on PostgreSQL, whose GIN
//! indexes need no merging): incremental merging off while a batch runs, one merge at its end when the
//! batch wrote at least half of a table's rows.

use crate::error::Result;
use crate::store::db::{Db, Dialect, p};

/// The statements for one full-text index: its table's last rowid, FTS5's `optimize`, and its
/// `automerge` setting off (0) and back at FTS5's default (4).
struct Index {
    last_row: &'static str,
    optimize: &'static str,
    merging_off: &'static str,
    merging_on: &'static str,
}

/// The three indexes, in the order of [`merge_after_bulk_load`]'s `added`: claims, attributions,
/// evidence.
const INDEXES: [Index; 3] = [
    Index {
        last_row: "SELECT coalesce(max(id), 0) FROM claims",
        optimize: "INSERT INTO claims_fts (claims_fts) VALUES ('optimize')",
        merging_off: "INSERT INTO claims_fts (claims_fts, rank) VALUES ('automerge', 0)",
        merging_on: "INSERT INTO claims_fts (claims_fts, rank) VALUES ('automerge', 4)",
    },
    Index {
        last_row: "SELECT coalesce(max(id), 0) FROM attributions",
        optimize: "INSERT INTO attributions_fts (attributions_fts) VALUES ('optimize')",
        merging_off: "INSERT INTO attributions_fts (attributions_fts, rank) VALUES ('automerge', 0)",
        merging_on: "INSERT INTO attributions_fts (attributions_fts, rank) VALUES ('automerge', 4)",
    },
    Index {
        last_row: "SELECT coalesce(max(id), 0) FROM evidence",
        optimize: "INSERT INTO evidence_fts (evidence_fts) VALUES ('optimize')",
        merging_off: "INSERT INTO evidence_fts (evidence_fts, rank) VALUES ('automerge', 0)",
        merging_on: "INSERT INTO evidence_fts (evidence_fts, rank) VALUES ('automerge', 4)",
    },
];

/// Before a batch: FTS5's incremental merging of the three full-text indexes is turned off
/// (`automerge` 0) until [`merge_after_bulk_load`] turns it on again, so a bulk load does not merge
/// segments that the merge at its end would merge again (SQLite only). FTS5 still merges a level that
/// reaches `crisismerge` (16) segments. The setting is stored in the index's config table, inside the
/// batch's transaction: a batch rolled back restores it with everything else.
pub(crate) fn begin_bulk_load(db: &Db<'_>) -> Result<()> {
    if db.dialect() != Dialect::Sqlite {
        return Ok(());
    }
    for index in &INDEXES {
        db.execute(index.merging_off, p![])?;
    }
    Ok(())
}

/// After a batch that wrote at least half of a table's rows (a first import into a new desk, or one
/// that doubles it), merges that table's full-text index into one segment (FTS5's `optimize`; SQLite
/// only: PostgreSQL's GIN indexes need nothing), and turns FTS5's incremental merging back on. A bulk
/// load leaves the index in the segments FTS5's incremental merging happened to make (seven at a
/// million claims); a query then reads every word's doclist once per segment. Merged, a search at a
/// million claims took a fifth less time (p50 1,093 → 870 µs); with merging off during the batch the
/// load pays nothing measurable for it (docs/performance.md). The merge reads and writes the whole
/// index, so a batch small against what is stored does not pay it.
///
/// `added`: the batch's claims, attributions and evidence records.
pub(crate) fn merge_after_bulk_load(db: &Db<'_>, added: [u64; 3]) -> Result<()> {
    if db.dialect() != Dialect::Sqlite {
        return Ok(());
    }
    for (index, added) in INDEXES.iter().zip(added) {
        if added > 0 {
            let rows: i64 = db.query_one(index.last_row, p![], |r| r.get(0))?;
            if i64::try_from(added).unwrap_or(i64::MAX).saturating_mul(2) >= rows {
                db.execute(index.optimize, p![])?;
            }
        }
        db.execute(index.merging_on, p![])?;
    }
    Ok(())
}
