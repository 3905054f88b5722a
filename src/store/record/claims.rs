//! SQL for claims: how a record of this kind is read, inserted and updated (the one place that writes its rows).

use super::Refs;
use crate::error::{Error, Result};
use crate::model::claim::{Claim, Quantity};
use crate::model::history::EntityKind;
use crate::model::ids::ClaimId;
use crate::model::text::{name_key, name_key_hash};
use crate::store::convert::{insert_err, insert_id, insert_sql, rowid, ts_get, ts_to_sql};
use crate::store::db::{Db, Dialect, Param, Row, p};
use crate::store::text_keys;

macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT c.id, c.uuid, c.text, c.language, c.kind, c.about, c.made_on, c.created_at FROM claims c ",
            $tail
        )
    };
}
pub(crate) use select;

pub(crate) fn from_row(row: &Row<'_>) -> Result<(i64, Claim)> {
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
            created_at: ts_get(row, 7)?,
        },
    ))
}

pub(crate) fn complete(db: &Db<'_>, (rowid, mut c): (i64, Claim)) -> Result<Claim> {
    c.quantities = db.query_vec(
        "SELECT value, unit, bound, subject FROM claim_quantities WHERE claim_id = +?1 ORDER BY position",
        p![rowid],
        |r| {
            Ok(Quantity {
                value: r.get(0)?,
                unit: r.get(1)?,
                bound: r.get(2)?,
                subject: r.get(3)?,
            })
        },
    )?;
    c.tags = db.query_vec(
        "SELECT tag FROM claim_tags WHERE claim_id = +?1 ORDER BY position",
        p![rowid],
        |r| r.get(0),
    )?;
    Ok(c)
}

/// Every claim with its figures and tags, oldest first, handed to `f` one at a time.
pub(crate) fn each(db: &Db<'_>, f: &mut dyn FnMut(Claim) -> Result<()>) -> Result<()> {
    crate::store::convert::each_row(db, select!("ORDER BY c.id"), |r| complete(db, from_row(r)?), f)
}

/// The claims carrying a tag that starts with `prefix` (which must end in `:`, as a data set's
/// `liar:`), as (tag, claim), in one read of the tag table: how a data-set importer recognises the rows
/// it imported before.
pub(crate) fn tagged_with_prefix(db: &Db<'_>, prefix: &str) -> Result<Vec<(String, ClaimId)>> {
    let Some(stem) = prefix.strip_suffix(':') else {
        return Err(Error::invalid("tag prefix", "must end in ':'"));
    };
    let row = |r: &Row<'_>| Ok((r.get(0)?, r.get(1)?));
    match db.dialect() {
        // SQLite compares text byte by byte: the tags from "x:" up to "x;" (';' follows ':') are those
        // starting with "x:", a range of the tag index.
        Dialect::Sqlite => db.query_vec(
            "SELECT t.tag, c.uuid FROM claim_tags t JOIN claims c ON c.id = t.claim_id \
             WHERE t.tag >= ?1 AND t.tag < ?2",
            p![prefix, format!("{stem};")],
            row,
        ),
        // A PostgreSQL database may order text by a language's rules, where a range by bytes would be
        // wrong: one scan of the tags, once per import.
        Dialect::Postgres => db.query_vec(
            "SELECT t.tag, c.uuid FROM claim_tags t JOIN claims c ON c.id = t.claim_id \
             WHERE starts_with(t.tag, ?1)",
            p![prefix],
            row,
        ),
    }
}

pub(crate) fn read(db: &Db<'_>, id: ClaimId) -> Result<Claim> {
    let row = db
        .query_opt(select!("WHERE c.uuid = ?1"), p![id], from_row)?
        .ok_or_else(|| Error::not_found("claim", id))?;
    complete(db, row)
}

/// Replaces a stored claim's quantities and tags.
fn rewrite_children(db: &Db<'_>, rowid: i64, c: &Claim) -> Result<()> {
    db.execute("DELETE FROM claim_quantities WHERE claim_id = ?1", p![rowid])?;
    db.execute("DELETE FROM claim_tags WHERE claim_id = ?1", p![rowid])?;
    write_children(db, rowid, c)
}

/// Writes a new claim's quantities and tags.
fn write_children(db: &Db<'_>, rowid: i64, c: &Claim) -> Result<()> {
    for (i, x) in c.quantities.iter().enumerate() {
        db.execute(
            "INSERT INTO claim_quantities (claim_id, position, value, unit, bound, subject) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            p![rowid, i as i64, x.value, x.unit, x.bound, x.subject],
        )?;
    }
    for (i, tag) in c.tags.iter().enumerate() {
        db.execute(
            "INSERT INTO claim_tags (claim_id, position, tag) VALUES (?1, ?2, ?3)",
            p![rowid, i as i64, tag],
        )?;
    }
    Ok(())
}

/// The one insert of a claim row, for single writes and batches alike.
const INSERT: (&str, &str) = insert_sql!(
    "INSERT INTO claims (uuid, text, language, kind, about, made_on, created_at, \
     text_key_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
);

/// A claim's columns in the order its INSERT and its UPDATE bind them, after `key` (`?1`: its uuid in
/// the INSERT, its rowid in the UPDATE's WHERE), handed to `f`: the one list both statements share.
fn columns<K: Param, T>(
    key: K,
    c: &Claim,
    text_key_hash: i64,
    f: impl FnOnce(&[&dyn Param]) -> Result<T>,
) -> Result<T> {
    let created_at = ts_to_sql(c.created_at)?;
    f(p![
        key,
        c.text,
        c.language,
        c.kind,
        c.about,
        c.made_on,
        created_at,
        text_key_hash
    ])
}

pub(crate) fn insert(db: &Db<'_>, c: &Claim, refs: &mut dyn Refs) -> Result<()> {
    c.validate()?;
    let hash = name_key_hash(&name_key(&c.text));
    let own =
        columns(c.id, c, hash, |ps| insert_id(db, INSERT, ps)).map_err(|e| insert_err(e, "claim", c.id))?;
    refs.inserted(EntityKind::Claim, c.id.as_uuid(), own);
    crate::store::search::index_claim(db, own, &c.text)?;
    text_keys::add(db, own, hash, refs.batched())?;
    write_children(db, own, c)
}

pub(crate) fn update(db: &Db<'_>, c: &Claim) -> Result<()> {
    c.validate()?;
    let own = rowid(db, c.id)?;
    columns(own, c, name_key_hash(&name_key(&c.text)), |ps| {
        db.execute(
            "UPDATE claims SET text = ?2, language = ?3, kind = ?4, about = ?5, made_on = ?6, \
             created_at = ?7, text_key_hash = ?8 WHERE id = ?1",
            ps,
        )
    })?;
    rewrite_children(db, own, c)
}
