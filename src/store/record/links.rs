//! SQL for links: how a record of this kind is read, inserted and updated (the one place that writes its rows).

use super::Refs;
use crate::error::{Error, Result};
use crate::model::ids::ClaimLinkId;
use crate::model::link::ClaimLink;
use crate::store::convert::{insert_err, rowid, ts_get, ts_to_sql};
use crate::store::db::{Db, Param, Row, p};

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

pub(crate) fn from_row(row: &Row<'_>) -> Result<ClaimLink> {
    Ok(ClaimLink {
        id: row.get(0)?,
        from: row.get(1)?,
        kind: row.get(2)?,
        to: row.get(3)?,
        note: row.get(4)?,
        created_at: ts_get(row, 5)?,
    })
}

pub(crate) fn read(db: &Db<'_>, id: ClaimLinkId) -> Result<ClaimLink> {
    db.query_opt(select!("WHERE l.uuid = ?1"), p![id], from_row)?
        .ok_or_else(|| Error::not_found("claim link", id))
}

/// Every link, oldest first, handed to `f` one at a time.
pub(crate) fn each(db: &Db<'_>, f: &mut dyn FnMut(ClaimLink) -> Result<()>) -> Result<()> {
    crate::store::convert::each_row(db, select!("ORDER BY l.id"), from_row, f)
}

/// A link's columns in the order its INSERT and its UPDATE bind them, after `key` (`?1`: its uuid in
/// the INSERT, its rowid in the UPDATE's WHERE), handed to `f`: the one list both statements share.
/// `claims` are the rowids of its two claims.
fn columns<K: Param, T>(
    key: K,
    l: &ClaimLink,
    (from, to): (i64, i64),
    f: impl FnOnce(&[&dyn Param]) -> Result<T>,
) -> Result<T> {
    let created_at = ts_to_sql(l.created_at)?;
    f(p![key, from, to, l.kind, l.note, created_at])
}

pub(crate) fn insert(db: &Db<'_>, l: &ClaimLink, refs: &mut dyn Refs) -> Result<()> {
    l.validate()?;
    let claims = (refs.claim(db, l.from)?, refs.claim(db, l.to)?);
    columns(l.id, l, claims, |ps| {
        db.execute(
            "INSERT INTO claim_links (uuid, from_claim, to_claim, kind, note, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            ps,
        )
    })
    .map_err(|e| {
        insert_err(
            e,
            "claim link",
            format!("{} {} {} (or id {})", l.from, l.kind, l.to, l.id),
        )
    })?;
    Ok(())
}

pub(crate) fn update(db: &Db<'_>, l: &ClaimLink) -> Result<()> {
    l.validate()?;
    let own = rowid(db, l.id)?;
    let claims = (rowid(db, l.from)?, rowid(db, l.to)?);
    columns(own, l, claims, |ps| {
        db.execute(
            "UPDATE claim_links SET from_claim = ?2, to_claim = ?3, kind = ?4, note = ?5, created_at = ?6 \
             WHERE id = ?1",
            ps,
        )
    })
    .map_err(|e| insert_err(e, "claim link", format!("{} {} {}", l.from, l.kind, l.to)))?;
    Ok(())
}
