//! Versions of evidence and reviews: which record counts, which was superseded or retracted, and why.
//!
//! Evidence and reviews are never overwritten (see [`Store::revise_evidence`](crate::Store::revise_evidence),
//! [`Store::correct_review`](crate::Store::correct_review)): each row carries a status (`current`,
//! `superseded`, `retracted`), the row that replaced it, a reason and a time. The two tables share these
//! columns, so one set of functions, given the table's statements through [`Versioned`], serves both.

use super::convert::{StoredId, rowid, rowid_of, ts_to_sql};
use super::db::{Column, Db, Param, p};
use crate::error::{Error, Result};
use crate::model::history::{Standing, StandingEntry, Status};

/// SQL predicate selecting evidence or reviews that count, for a table alias: `current!("e")` is
/// `"e.status = 'current'"`. The one rule for "current" in SQL; `Standing::is_current` is the same rule
/// in Rust. Use it in `concat!` so statements stay literals.
macro_rules! current {
    ($alias:literal) => {
        concat!($alias, ".status = 'current'")
    };
}
pub(crate) use current;

/// An id whose table keeps versions; the statements name the table.
pub(crate) trait Versioned: StoredId {
    /// `status, successor uuid, reason, time` of the row with rowid `?1`.
    const STANDING: &'static str;
    /// `uuid, status, successor uuid, reason, time` of every row that no longer counts, oldest first.
    const STANDINGS: &'static str;
    /// The same as [`STANDINGS`](Self::STANDINGS), of the rows of the claim with rowid `?1` only.
    const CLAIM_STANDINGS: &'static str;
    /// Sets `status = ?2, replaced_by = ?3, status_reason = ?4, status_at = ?5` of the row with rowid `?1`.
    const SET_STATUS: &'static str;
    /// `claim rowid, source rowid` of the row with rowid `?1` (the successor of a record must share both;
    /// for reviews, which any reviewer may correct, the claim stands in for the source).
    const OWNER: &'static str;
    /// Whether following `replaced_by` from rowid `?1` reaches rowid `?2`.
    const REACHES: &'static str;
    /// `uuid, successor uuid, 'claim' | 'source'` of every row superseded by a record of another claim
    /// or source.
    const FOREIGN_SUCCESSORS: &'static str;
    /// `uuid` of every row whose chain of successors comes back to it.
    const CYCLES: &'static str;
}

/// The standing (current, superseded, retracted) of a stored record.
pub(crate) fn standing<I: Versioned>(db: &Db<'_>, id: I) -> Result<Standing<I>> {
    let own = rowid(db, id)?;
    read_standing(db, I::STANDING, own)
}

/// Every record of the kind that no longer counts, with its standing, oldest first (for export).
pub(crate) fn standings<I: Versioned>(db: &Db<'_>) -> Result<Vec<StandingEntry<I>>> {
    read_standings(db, I::STANDINGS, p![])
}

/// [`standings`] of one claim's records (the claim by rowid): one statement, where asking each
/// record's [`standing`] takes two a record.
pub(crate) fn claim_standings<I: Versioned>(db: &Db<'_>, claim: i64) -> Result<Vec<StandingEntry<I>>> {
    read_standings(db, I::CLAIM_STANDINGS, p![claim])
}

/// Sets a record's standing as a bundle states it (on import). Checks the entry first.
pub(crate) fn put_standing<I: Versioned>(db: &Db<'_>, entry: &StandingEntry<I>) -> Result<()> {
    entry.validate()?;
    write(db, entry.id, &entry.standing)
}

/// Marks a record superseded (by `replaced_by`) or retracted, with a reason, as of now. The caller
/// checked that it is current.
pub(crate) fn set_status<I: Versioned>(
    db: &Db<'_>,
    id: I,
    status: Status,
    replaced_by: Option<I>,
    reason: &str,
) -> Result<()> {
    let standing = Standing {
        status,
        replaced_by,
        reason: Some(reason.to_string()),
        at: Some(crate::model::now()),
    };
    write(db, id, &standing)
}

fn write<I: Versioned>(db: &Db<'_>, id: I, s: &Standing<I>) -> Result<()> {
    let own = rowid(db, id)?;
    let next = rowid_of(db, s.replaced_by)?;
    let at = s.at.map(ts_to_sql).transpose()?;
    db.execute(I::SET_STATUS, p![own, s.status, next, s.reason, at])?;
    Ok(())
}

/// Refuses to change a record that no longer counts, naming its current version when there is one.
pub(crate) fn require_current<I: Versioned>(db: &Db<'_>, id: I) -> Result<()> {
    let s = standing(db, id)?;
    if s.is_current() {
        return Ok(());
    }
    Err(Error::invalid(
        I::KIND,
        format!(
            "{id} is {} and kept as history; it cannot be changed{}",
            s.status,
            s.replaced_by
                .map(|n| format!(" (its current version is {n})"))
                .unwrap_or_default()
        ),
    ))
}

/// Reads `(uuid, status, successor uuid, reason, time)` rows as bundle standing entries.
fn read_standings<I: Column>(
    db: &Db<'_>,
    sql: &'static str,
    params: &[&dyn Param],
) -> Result<Vec<StandingEntry<I>>> {
    type Raw<I> = (I, Status, Option<I>, Option<String>, Option<i64>);
    let rows: Vec<Raw<I>> = db.query_vec(sql, params, |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })?;
    rows.into_iter()
        .map(|(id, status, replaced_by, reason, at)| {
            Ok(StandingEntry {
                id,
                standing: Standing {
                    status,
                    replaced_by,
                    reason,
                    at: at.map(nanos_to_time).transpose()?,
                },
            })
        })
        .collect()
}

fn nanos_to_time(n: i64) -> Result<time::OffsetDateTime> {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(n)).map_err(|e| Error::Corrupt {
        path: String::new(),
        message: format!("bad status time: {e}"),
    })
}

/// Reads a record's standing from its table (`evidence` or `reviews`); shared by both.
fn read_standing<I: Column>(db: &Db<'_>, sql: &'static str, rowid: i64) -> Result<Standing<I>> {
    type Raw<I> = (Status, Option<I>, Option<String>, Option<i64>);
    let (status, replaced_by, reason, at): Raw<I> = db
        .query_opt(sql, p![rowid], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .ok_or_else(|| Error::Corrupt {
            path: String::new(),
            message: format!("row {rowid} vanished while its standing was read"),
        })?;
    let at = at.map(nanos_to_time).transpose()?;
    Ok(Standing {
        status,
        replaced_by,
        reason,
        at,
    })
}

/// The standing SQL of one versioned table, written once for both (`evidence` and `reviews`).
macro_rules! versioned_sql {
    ($table:literal, $source:literal) => {
        (
            // OWNER: claim and source of the row with rowid ?1.
            concat!("SELECT claim_id, ", $source, " FROM ", $table, " WHERE id = ?1"),
            // REACHES: whether following replaced_by from rowid ?1 reaches rowid ?2 (UNION ends cycles;
            // the CAST types the recursive column for PostgreSQL, to which a bare parameter is text).
            concat!(
                "WITH RECURSIVE chain(id) AS (SELECT CAST(?1 AS BIGINT) UNION SELECT t.replaced_by FROM ",
                $table,
                " t JOIN chain ON t.id = chain.id WHERE t.replaced_by IS NOT NULL) \
                 SELECT EXISTS (SELECT 1 FROM chain WHERE id = ?2)"
            ),
            // FOREIGN_SUCCESSORS: (uuid, successor uuid, 'claim' | 'source').
            concat!(
                "SELECT t.uuid, n.uuid, CASE WHEN n.claim_id <> t.claim_id THEN 'claim' ELSE 'source' END \
                 FROM ",
                $table,
                " t JOIN ",
                $table,
                " n ON n.id = t.replaced_by WHERE n.claim_id <> t.claim_id OR n.",
                $source,
                " IS DISTINCT FROM t.",
                $source,
                " ORDER BY t.id"
            ),
            // CYCLES: uuid of every row whose chain of successors comes back to it.
            concat!(
                "WITH RECURSIVE walk(start, cur) AS (SELECT id, replaced_by FROM ",
                $table,
                " WHERE replaced_by IS NOT NULL UNION SELECT walk.start, t.replaced_by FROM walk JOIN ",
                $table,
                " t ON t.id = walk.cur WHERE t.replaced_by IS NOT NULL AND walk.cur <> walk.start) \
                 SELECT t.uuid FROM ",
                $table,
                " t WHERE t.id IN (SELECT start FROM walk WHERE cur = start) ORDER BY t.id"
            ),
        )
    };
}
pub(crate) use versioned_sql;
