//! The full-text indexes around a bulk load (SQLite's FTS5; nothing to do on PostgreSQL, whose GIN
//! indexes need no merging): incremental merging off while a batch runs, one merge at its end when the
//! batch wrote at least half of a table's rows.

use crate::error::Result;
use crate::store::db::{Db, Dialect, p};

/// Before a batch: FTS5's incremental merging of the three full-text indexes is turned off
/// (`automerge` 0) until [`merge_after_bulk_load`] turns it on again, so a bulk load does not merge
/// segments that the merge at its end would merge again (SQLite only). FTS5 still merges a level that
/// reaches `crisismerge` (16) segments. The setting is stored in the index's config table, inside the
/// batch's transaction: a batch rolled back restores it with everything else.
pub(crate) fn begin_bulk_load(db: &Db<'_>) -> Result<()> {
    if db.dialect() != Dialect::Sqlite {
        return Ok(());
    }
    db.execute(
        "INSERT INTO claims_fts (claims_fts, rank) VALUES ('automerge', 0)",
        p![],
    )?;
    db.execute(
        "INSERT INTO attributions_fts (attributions_fts, rank) VALUES ('automerge', 0)",
        p![],
    )?;
    db.execute(
        "INSERT INTO evidence_fts (evidence_fts, rank) VALUES ('automerge', 0)",
        p![],
    )?;
    Ok(())
}

/// After a batch that wrote at least half of a table's rows (a first import into a new desk, or one
/// that doubles it), merges that table's full-text index into one segment (FTS5's `optimize`; SQLite
/// only: PostgreSQL's GIN indexes need nothing). A bulk load leaves the index in the segments FTS5's
/// incremental merging happened to make (seven at a million claims); a query then reads every word's
/// doclist once per segment. Merged, a search at a million claims took a fifth less time (p50 1,093 →
/// 870 µs) for 0.8 s of merging, about 3 % of that load (docs/performance.md). The merge reads and
/// writes the whole index, so a batch small against what is stored does not pay it.
///
/// `added`: the batch's claims, attributions and evidence records.
pub(crate) fn merge_after_bulk_load(db: &Db<'_>, added: [u64; 3]) -> Result<()> {
    if db.dialect() != Dialect::Sqlite {
        return Ok(());
    }
    let [claims, attributions, evidence] = added;
    let tables: [(u64, &'static str, &'static str); 3] = [
        (
            claims,
            "SELECT coalesce(max(id), 0) FROM claims",
            "INSERT INTO claims_fts (claims_fts) VALUES ('optimize')",
        ),
        (
            attributions,
            "SELECT coalesce(max(id), 0) FROM attributions",
            "INSERT INTO attributions_fts (attributions_fts) VALUES ('optimize')",
        ),
        (
            evidence,
            "SELECT coalesce(max(id), 0) FROM evidence",
            "INSERT INTO evidence_fts (evidence_fts) VALUES ('optimize')",
        ),
    ];
    for (added, last_row, optimize) in tables {
        if added == 0 {
            continue;
        }
        let rows: i64 = db.query_one(last_row, p![], |r| r.get(0))?;
        if i64::try_from(added).unwrap_or(i64::MAX).saturating_mul(2) >= rows {
            db.execute(optimize, p![])?;
        }
    }
    // FTS5's default, which `begin_bulk_load` turned off for the batch.
    db.execute(
        "INSERT INTO claims_fts (claims_fts, rank) VALUES ('automerge', 4)",
        p![],
    )?;
    db.execute(
        "INSERT INTO attributions_fts (attributions_fts, rank) VALUES ('automerge', 4)",
        p![],
    )?;
    db.execute(
        "INSERT INTO evidence_fts (evidence_fts, rank) VALUES ('automerge', 4)",
        p![],
    )?;
    Ok(())
}
