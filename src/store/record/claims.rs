//! SQL for claims: how a record of this kind is read, inserted and updated (the one place that writes its rows).

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::Refs;
use crate::error::{Error, Result};
use crate::model::claim::{Claim, Quantity};
use crate::model::history::EntityKind;
use crate::model::ids::ClaimId;
use crate::model::text::name_key;
use crate::store::convert::{insert_err, rowid, ts_from_sql, ts_to_sql};

macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT c.id, c.uuid, c.text, c.language, c.kind, c.about, c.made_on, c.created_at FROM claims c ",
            $tail
        )
    };
}
pub(crate) use select;

pub(crate) fn from_row(row: &Row<'_>) -> rusqlite::Result<(i64, Claim)> {
    Ok((
        row.get(0)?,
        Claim {
            id: row.get(1)?,
            text: row.get(2)?,
            language: row.get(3)?,
            kind: row.get(4)?,
            quantities: Vec::new(),
            about: row.get(5)?,
            made_on: row.get(6)?,
            tags: Vec::new(),
            created_at: ts_from_sql(row, 7)?,
        },
    ))
}

pub(crate) fn complete(conn: &Connection, (rowid, mut c): (i64, Claim)) -> Result<Claim> {
    c.quantities = conn
        .prepare_cached(
            "SELECT value, unit, bound, subject FROM claim_quantities WHERE claim_id = +?1 ORDER BY position",
        )?
        .query_map([rowid], |r| {
            Ok(Quantity {
                value: r.get(0)?,
                unit: r.get(1)?,
                bound: r.get(2)?,
                subject: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    c.tags = conn
        .prepare_cached("SELECT tag FROM claim_tags WHERE claim_id = +?1 ORDER BY position")?
        .query_map([rowid], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(c)
}

/// Every claim with its figures and tags, oldest first, handed to `f` one at a time.
pub(crate) fn each(conn: &Connection, f: &mut dyn FnMut(Claim) -> Result<()>) -> Result<()> {
    crate::store::convert::each_row(
        conn,
        select!("ORDER BY c.id"),
        |r| complete(conn, from_row(r)?),
        f,
    )
}

pub(crate) fn read(conn: &Connection, id: ClaimId) -> Result<Claim> {
    let row = conn
        .prepare_cached(select!("WHERE c.uuid = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or_else(|| Error::not_found("claim", id))?;
    complete(conn, row)
}

/// Replaces a stored claim's quantities and tags.
fn rewrite_children(conn: &Connection, rowid: i64, c: &Claim) -> Result<()> {
    conn.prepare_cached("DELETE FROM claim_quantities WHERE claim_id = ?1")?
        .execute([rowid])?;
    conn.prepare_cached("DELETE FROM claim_tags WHERE claim_id = ?1")?
        .execute([rowid])?;
    write_children(conn, rowid, c)
}

/// Writes a new claim's quantities and tags.
fn write_children(conn: &Connection, rowid: i64, c: &Claim) -> Result<()> {
    if c.quantities.is_empty() && c.tags.is_empty() {
        return Ok(());
    }
    let mut q = conn.prepare_cached(
        "INSERT INTO claim_quantities (claim_id, position, value, unit, bound, subject) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (i, x) in c.quantities.iter().enumerate() {
        q.execute(params![rowid, i as i64, x.value, x.unit, x.bound, x.subject])?;
    }
    let mut t =
        conn.prepare_cached("INSERT INTO claim_tags (claim_id, position, tag) VALUES (?1, ?2, ?3)")?;
    for (i, tag) in c.tags.iter().enumerate() {
        t.execute(params![rowid, i as i64, tag])?;
    }
    Ok(())
}

/// The one insert of a claim row, for single writes and batches alike.
const INSERT: &str = "INSERT INTO claims (uuid, text, language, kind, about, made_on, created_at, \
     text_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

pub(crate) fn insert(conn: &Connection, c: &Claim, refs: &mut dyn Refs) -> Result<()> {
    c.validate()?;
    conn.prepare_cached(INSERT)?
        .execute(params![
            c.id,
            c.text,
            c.language,
            c.kind,
            c.about,
            c.made_on,
            ts_to_sql(c.created_at)?,
            name_key(&c.text)
        ])
        .map_err(|e| insert_err(e, "claim", c.id))?;
    let own = conn.last_insert_rowid();
    refs.inserted(EntityKind::Claim, c.id.as_uuid(), own);
    crate::store::search::index_claim(&crate::store::db::Db::Sqlite(conn), own, &c.text)?;
    write_children(conn, own, c)
}

pub(crate) fn update(conn: &Connection, c: &Claim) -> Result<()> {
    c.validate()?;
    let own = rowid(conn, c.id)?;
    conn.prepare_cached(
        "UPDATE claims SET text = ?2, language = ?3, kind = ?4, about = ?5, made_on = ?6, created_at = ?7, \
         text_key = ?8 WHERE id = ?1",
    )?
    .execute(params![
        own,
        c.text,
        c.language,
        c.kind,
        c.about,
        c.made_on,
        ts_to_sql(c.created_at)?,
        name_key(&c.text)
    ])?;
    rewrite_children(conn, own, c)
}
