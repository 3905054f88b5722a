//! The exact-repeat lookup's pairs (text key hash, claim rowid): on SQLite a table of their own,
//! `claim_text_keys`, which a batch writes in hash order (schema/0001_initial.sql says why); on
//! PostgreSQL an index on `claims.text_key_hash`, so every function here but the lookup's SQL does
//! nothing there.
//!
//! A batch does not write its claims' pairs as it goes. It notes where the claims table ended when it
//! began (the connection's TEMP table `claimtrack_text_keys_through`, undone with the batch or its
//! savepoint like any write), and every [`EVERY`] claims, and before its commit, [`flush`] copies the
//! pairs of the claims past that mark from `claims.text_key_hash` into `claim_text_keys`, sorted, and
//! moves the mark. The pairs are read from the claims as they stand then, so a claim whose text
//! changed meanwhile gives its current pair and a deleted one none; the lookup reads the claims past
//! the mark too, so a store used inside its own batch finds the batch's repeats.

use crate::error::Result;
use crate::store::db::{Db, Dialect, p};

/// How many claims a batch adds between two moves of their pairs into `claim_text_keys`: what the
/// sorter holds at once (16 bytes a pair) and what the lookup scans past the mark inside a batch.
const EVERY: i64 = 1 << 17;

/// Notes where a batch begins: its claims' pairs are those of the claims past the mark (SQLite).
pub(crate) fn begin_batch(db: &Db<'_>) -> Result<()> {
    if db.dialect() != Dialect::Sqlite {
        return Ok(());
    }
    db.execute("DELETE FROM claimtrack_text_keys_through", p![])?;
    db.execute(
        "INSERT INTO claimtrack_text_keys_through (claim) SELECT coalesce(max(id), 0) FROM claims",
        p![],
    )?;
    Ok(())
}

/// Enters a new claim's pair in the exact-repeat lookup (SQLite; on PostgreSQL the column's index
/// does it). A single write inserts it at once; a batch's claims are moved every [`EVERY`] claims and
/// before the commit ([`flush`]), so that the table's B-tree takes them in order instead of one random
/// page each.
pub(crate) fn add(db: &Db<'_>, own: i64, hash: i64, batched: bool) -> Result<()> {
    if db.dialect() != Dialect::Sqlite {
        return Ok(());
    }
    if !batched {
        db.execute(
            "INSERT INTO claim_text_keys (hash, claim) VALUES (?1, ?2)",
            p![hash, own],
        )?;
    } else if own % EVERY == 0 {
        flush(db)?;
    }
    Ok(())
}

/// The claims with a text key hash (`?1`) after rowid `?2`, in rowid order, at most `?3`: `id, uuid,
/// text`. SQLite looks in `claim_text_keys` and, inside a batch, at the claims past its mark (at most
/// [`EVERY`] rows, by rowid); PostgreSQL indexes the column.
pub(crate) fn with_text_key_hash(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => {
            "SELECT c.id, c.uuid, c.text FROM claims c WHERE c.id IN \
             (SELECT claim FROM claim_text_keys WHERE hash = ?1 AND claim > ?2 \
              UNION ALL SELECT id FROM claims WHERE id > (SELECT max(claim) FROM claimtrack_text_keys_through) \
                 AND id > ?2 AND text_key_hash = ?1) \
             ORDER BY c.id LIMIT ?3"
        }
        Dialect::Postgres => {
            "SELECT id, uuid, text FROM claims WHERE text_key_hash = ?1 AND id > ?2 ORDER BY id LIMIT ?3"
        }
    }
}

/// Writes `claim_text_keys` again from the claims' `text_key_hash` column, in hash order (SQLite;
/// nothing to do on PostgreSQL): `reindex` and a copy into SQLite.
pub(crate) fn rebuild(db: &Db<'_>) -> Result<()> {
    if db.dialect() != Dialect::Sqlite {
        return Ok(());
    }
    db.execute("DELETE FROM claim_text_keys", p![])?;
    db.execute(
        "INSERT INTO claim_text_keys (hash, claim) SELECT text_key_hash, id FROM claims \
         WHERE text_key_hash IS NOT NULL ORDER BY text_key_hash, id",
        p![],
    )?;
    Ok(())
}

/// Copies the pairs of the claims past the batch's mark into `claim_text_keys`, in hash order. A pair
/// the UPDATE trigger on `claims` entered already is left as it is.
fn copy_past_mark(db: &Db<'_>) -> Result<()> {
    db.execute(
        "INSERT OR IGNORE INTO claim_text_keys (hash, claim) \
         SELECT text_key_hash, id FROM claims \
         WHERE id > (SELECT max(claim) FROM claimtrack_text_keys_through) AND text_key_hash IS NOT NULL \
         ORDER BY text_key_hash, id",
        p![],
    )?;
    Ok(())
}

/// Moves the pairs of the claims past the batch's mark into `claim_text_keys` and moves the mark to
/// the last claim (SQLite; nothing to do on PostgreSQL, or outside a batch).
fn flush(db: &Db<'_>) -> Result<()> {
    copy_past_mark(db)?;
    db.execute(
        "UPDATE claimtrack_text_keys_through SET claim = (SELECT coalesce(max(id), 0) FROM claims)",
        p![],
    )?;
    Ok(())
}

/// Ends a batch's part here: its last pairs copied and its mark dropped (SQLite).
pub(crate) fn finish_batch(db: &Db<'_>) -> Result<()> {
    if db.dialect() != Dialect::Sqlite {
        return Ok(());
    }
    copy_past_mark(db)?;
    db.execute("DELETE FROM claimtrack_text_keys_through", p![])?;
    Ok(())
}

/// What `check` finds wrong with `claim_text_keys` (SQLite; nothing on PostgreSQL): pairs missing for
/// claims with a hash, pairs of no claim, or the table unreadable (dropped by hand: the schema check
/// names it, and this is one more problem, not an error that would end the whole check).
pub(crate) fn problem(db: &Db<'_>) -> Option<String> {
    if db.dialect() != Dialect::Sqlite {
        return None;
    }
    match db.query_one(
        "SELECT (SELECT count(*) FROM claims c WHERE c.text_key_hash IS NOT NULL AND NOT EXISTS \
             (SELECT 1 FROM claim_text_keys k WHERE k.hash = c.text_key_hash AND k.claim = c.id)), \
         (SELECT count(*) FROM claim_text_keys k WHERE NOT EXISTS \
             (SELECT 1 FROM claims c WHERE c.id = k.claim AND c.text_key_hash = k.hash))",
        p![],
        |r| Ok((r.get::<i64>(0)?, r.get::<i64>(1)?)),
    ) {
        Ok((0, 0)) => None,
        Ok((missing, extra)) => Some(format!(
            "the exact-repeat lookup (claim_text_keys) misses {missing} claims and holds {extra} pairs \
             of no claim (Store::rebuild_search_index, `claimtrack reindex`, mends it)"
        )),
        Err(e) => Some(format!(
            "the exact-repeat lookup (claim_text_keys) cannot be read: {e}"
        )),
    }
}
