//! SQL for links: how a record of this kind is read, inserted and updated (the one place that writes its rows).

use super::Refs;
use crate::error::{Error, Result};
use crate::model::ids::ClaimLinkId;
use crate::model::link::ClaimLink;
use crate::store::convert::{insert_err, rowid, ts_get, ts_to_sql};
use crate::store::db::{Db, Row, p};

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

pub(crate) fn insert(db: &Db<'_>, l: &ClaimLink, refs: &mut dyn Refs) -> Result<()> {
    l.validate()?;
    let from = refs.claim(db, l.from)?;
    let to = refs.claim(db, l.to)?;
    db.execute(
        "INSERT INTO claim_links (uuid, from_claim, to_claim, kind, note, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        p![l.id, from, to, l.kind, l.note, ts_to_sql(l.created_at)?],
    )
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
    let from = rowid(db, l.from)?;
    let to = rowid(db, l.to)?;
    db.execute(
        "UPDATE claim_links SET from_claim = ?2, to_claim = ?3, kind = ?4, note = ?5, created_at = ?6 \
         WHERE id = ?1",
        p![own, from, to, l.kind, l.note, ts_to_sql(l.created_at)?],
    )
    .map_err(|e| insert_err(e, "claim link", format!("{} {} {}", l.from, l.kind, l.to)))?;
    Ok(())
}
