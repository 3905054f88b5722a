//! SQL for claim-to-claim links.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::Store;
use super::convert::{rowid, ts_from_sql, ts_to_sql};
use crate::error::{Error, Result};
use crate::model::ids::{ClaimId, ClaimLinkId};
use crate::model::link::ClaimLink;

macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT l.uuid, f.uuid, l.kind, t.uuid, l.note, l.created_at FROM claim_links l \
             JOIN claims f ON f.id = l.from_claim JOIN claims t ON t.id = l.to_claim ",
            $tail
        )
    };
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<ClaimLink> {
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
    super::convert::each_row(conn, select!("ORDER BY l.id"), |r| Ok(from_row(r)?), f)
}

pub(crate) fn insert(conn: &Connection, l: &ClaimLink) -> Result<()> {
    l.validate()?;
    let from = rowid(conn, l.from)?;
    let to = rowid(conn, l.to)?;
    conn.prepare_cached(
        "INSERT INTO claim_links (uuid, from_claim, to_claim, kind, note, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![l.id, from, to, l.kind, l.note, ts_to_sql(l.created_at)?])
    .map_err(|e| {
        super::convert::insert_err(
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
    .map_err(|e| super::convert::insert_err(e, "claim link", format!("{} {} {}", l.from, l.kind, l.to)))?;
    Ok(())
}

impl Store {
    /// Links two claims with a link built by [`ClaimLink::new`] (`from` *kind* `to`, e.g. a denial
    /// `Denies` the claim it denies; [`ClaimLink::with_note`] says why); returns the link's id. The same
    /// link twice is refused with [`Error::Duplicate`], a link of a claim to itself with
    /// [`Error::Invalid`]. In a [`batch`](Self::batch), [`Batch::add_link`](crate::Batch::add_link) writes
    /// through the same insert.
    ///
    /// # Example
    /// ```
    /// use claimtrack::{ClaimLink, Error, LinkKind, NewClaim, Store};
    /// let store = Store::open_in_memory()?;
    /// let troops = store.add_claim(NewClaim::factual("North Korea sent troops to Kursk."))?;
    /// let denial = store.add_claim(NewClaim::factual("Pyongyang sent no troops."))?;
    /// let link = ClaimLink::new(denial, LinkKind::Denies, troops)?.with_note("KCNA, 2024-10-25");
    /// let id = store.add_link(&link)?;
    /// assert_eq!(store.links_of(troops)?, vec![store.link(id)?]);
    /// let again = ClaimLink::new(denial, LinkKind::Denies, troops)?;
    /// assert!(matches!(store.add_link(&again), Err(Error::Duplicate { .. })));
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn add_link(&self, link: &ClaimLink) -> Result<ClaimLinkId> {
        self.write_new(crate::model::history::EntityKind::ClaimLink, link.id, link, |c| {
            insert(c, link)
        })?;
        Ok(link.id)
    }

    /// Reads a link.
    pub fn link(&self, id: ClaimLinkId) -> Result<ClaimLink> {
        self.read(|c| read(c, id))
    }

    /// Replaces a stored link with `link` (matched by id): its kind or note.
    ///
    /// A link never moves to other claims: different claims are refused with
    /// [`Error::Conflict`](crate::Error::Conflict) (delete it and add another).
    pub fn update_link(&self, link: &ClaimLink) -> Result<()> {
        self.write_tracked(crate::model::history::EntityKind::ClaimLink, link.id, |c| {
            super::rules::check_replace(&read(c, link.id)?, link)?;
            update(c, link)
        })
    }

    /// Deletes a link.
    pub fn delete_link(&self, id: ClaimLinkId) -> Result<()> {
        self.write_tracked(crate::model::history::EntityKind::ClaimLink, id, |c| {
            let own = rowid(c, id)?;
            c.prepare_cached("DELETE FROM claim_links WHERE id = ?1")?
                .execute([own])?;
            Ok(())
        })
    }

    /// Links from or to a claim, oldest first.
    pub fn links_of(&self, claim: ClaimId) -> Result<Vec<ClaimLink>> {
        self.read(|c| {
            let own = rowid(c, claim)?;
            Ok(c.prepare_cached(select!(
                "WHERE l.from_claim = ?1 OR l.to_claim = +?1 ORDER BY l.id"
            ))?
            .query_map([own], from_row)?
            .collect::<rusqlite::Result<_>>()?)
        })
    }
}
