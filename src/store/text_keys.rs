//! The exact-repeat lookup's pairs (text key hash, claim rowid): on SQLite a table of their own,
//! `claim_text_keys`, which a batch writes in hash order (schema/0001_initial.sql says why); on
//! PostgreSQL an index on `claims.text_key_hash`, so every function here but the lookup's SQL does
//! nothing there.

use crate::error::Result;
use crate::store::db::{Db, Dialect, p};

/// How many claims a batch adds between two moves of their text keys into `claim_text_keys`: the
/// bound on the pending pairs it holds (16 bytes each, in the connection's TEMP table).
const TEXT_KEYS_EVERY: i64 = 1 << 17;

/// Enters a new claim's text key in the exact-repeat lookup's table (`claim_text_keys`, SQLite; on
/// PostgreSQL an index on the column does it). A single write inserts the pair at once; a batch adds it
/// to the connection's pending pairs (a TEMP table, undone with the batch or its savepoint, and seen
/// by the lookup meanwhile) and moves them every [`TEXT_KEYS_EVERY`] claims, sorted, so that the
/// table's B-tree takes them in order instead of one random page each (schema/0001_initial.sql).
pub(crate) fn add(db: &Db<'_>, own: i64, hash: i64, batched: bool) -> Result<()> {
    if db.dialect() != Dialect::Sqlite {
        return Ok(());
    }
    if !batched {
        db.execute(
            "INSERT INTO claim_text_keys (hash, claim) VALUES (?1, ?2)",
            p![hash, own],
        )?;
        return Ok(());
    }
    db.execute(
        "INSERT INTO claimtrack_pending_text_keys (hash, claim) VALUES (?1, ?2)",
        p![hash, own],
    )?;
    if own % TEXT_KEYS_EVERY == 0 {
        flush(db)?;
    }
    Ok(())
}

/// The claims with a text key hash (`?1`) after rowid `?2`, in rowid order, at most `?3`: `id, uuid,
/// text`. SQLite looks in `claim_text_keys` and in the pairs a batch on this connection has not moved
/// there yet; PostgreSQL indexes the column.
pub(crate) fn with_text_key_hash(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => {
            "SELECT c.id, c.uuid, c.text FROM claims c WHERE c.id IN \
             (SELECT claim FROM claim_text_keys WHERE hash = ?1 AND claim > ?2 \
              UNION ALL SELECT claim FROM claimtrack_pending_text_keys WHERE hash = ?1 AND claim > ?2) \
             ORDER BY c.id LIMIT ?3"
        }
        Dialect::Postgres => {
            "SELECT id, uuid, text FROM claims WHERE text_key_hash = ?1 AND id > ?2 ORDER BY id LIMIT ?3"
        }
    }
}

/// Withdraws the pending text key of the claim at rowid `own`, if a batch on this connection still holds
/// it (SQLite): called before the claim's text changes or the claim is deleted, so that no stale pair
/// is moved into `claim_text_keys` later.
pub(crate) fn forget_pending(db: &Db<'_>, own: i64) -> Result<()> {
    if db.dialect() != Dialect::Sqlite {
        return Ok(());
    }
    db.execute(
        "DELETE FROM claimtrack_pending_text_keys WHERE claim = ?1",
        p![own],
    )?;
    Ok(())
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

/// Moves a batch's pending text keys into `claim_text_keys` in hash order (SQLite; nothing to do on
/// PostgreSQL). Every pending pair is current: a claim's is withdrawn before its text changes or it is
/// deleted ([`forget_pending`]); the UPDATE and DELETE triggers on `claims` keep the table
/// itself in step. (Checking each pair against its claim here instead cost a random read of the claims
/// table per pair: about a tenth of a million-claim load.)
pub(crate) fn flush(db: &Db<'_>) -> Result<()> {
    if db.dialect() != Dialect::Sqlite {
        return Ok(());
    }
    db.execute(
        "INSERT OR IGNORE INTO claim_text_keys (hash, claim) \
         SELECT hash, claim FROM claimtrack_pending_text_keys ORDER BY hash, claim",
        p![],
    )?;
    db.execute("DELETE FROM claimtrack_pending_text_keys", p![])?;
    Ok(())
}
