//! SQL for links: how a record of this kind is read, inserted and updated (the one place that writes its rows).

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::Refs;
use crate::error::{Error, Result};
use crate::model::ids::ClaimLinkId;
use crate::model::link::ClaimLink;
use crate::store::convert::{rowid, ts_from_sql, ts_to_sql};

macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT l.uuid, f.uuid, l.kind, t.uuid, l.note, l.created_at FROM claim_links l \
             JOIN claims f ON f.id = l.from_claim JOIN claims t ON t.id = l.to_claim ",
            $tail
        )
    };
}
pub(crate) use select;

pub(crate) fn from_row(row: &Row<'_>) -> rusqlite::Result<ClaimLink> {
    Ok(ClaimLink {
        id: row.get(0)?,
        from: row.get(1)?,
        kind: row.get(2)?,
        to: row.get(3)?,
        note: row.get(4)?,
        created_at: ts_from_sql(row, 5)?,
    })
}

pub(crate) fn read(conn: &Connection, id: ClaimLinkId) -> Result<ClaimLink> {
    conn.prepare_cached(select!("WHERE l.uuid = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or_else(|| Error::not_found("claim link", id))
}

/// Every link, oldest first, handed to `f` one at a time.
pub(crate) fn each(conn: &Connection, f: &mut dyn FnMut(ClaimLink) -> Result<()>) -> Result<()> {
    crate::store::convert::each_row(conn, select!("ORDER BY l.id"), |r| Ok(from_row(r)?), f)
}

pub(crate) fn insert(conn: &Connection, l: &ClaimLink, refs: &mut dyn Refs) -> Result<()> {
    l.validate()?;
    let from = refs.claim(conn, l.from)?;
    let to = refs.claim(conn, l.to)?;
    conn.prepare_cached(
        "INSERT INTO claim_links (uuid, from_claim, to_claim, kind, note, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![l.id, from, to, l.kind, l.note, ts_to_sql(l.created_at)?])
    .map_err(|e| {
        crate::store::convert::insert_err(
            e,
            "claim link",
            format!("{} {} {} (or id {})", l.from, l.kind, l.to, l.id),
        )
    })?;
    Ok(())
}

pub(crate) fn update(conn: &Connection, l: &ClaimLink) -> Result<()> {
    l.validate()?;
    let own = rowid(conn, l.id)?;
    let from = rowid(conn, l.from)?;
    let to = rowid(conn, l.to)?;
    conn.prepare_cached(
        "UPDATE claim_links SET from_claim = ?2, to_claim = ?3, kind = ?4, note = ?5, created_at = ?6 \
         WHERE id = ?1",
    )?
    .execute(params![own, from, to, l.kind, l.note, ts_to_sql(l.created_at)?])
    .map_err(|e| {
        crate::store::convert::insert_err(e, "claim link", format!("{} {} {}", l.from, l.kind, l.to))
    })?;
    Ok(())
}
