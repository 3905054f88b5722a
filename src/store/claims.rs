//! SQL for claims, their quantities and tags.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::Store;
use super::convert::{insert_err, refuse_if_referenced, rowid, ts_from_sql, ts_to_sql};
use crate::error::{Error, Result};
use crate::model::claim::{Claim, NewClaim, Quantity};
use crate::model::ids::ClaimId;
use crate::model::text::name_key;

macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT c.id, c.uuid, c.text, c.language, c.kind, c.about, c.made_on, c.created_at FROM claims c ",
            $tail
        )
    };
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<(i64, Claim)> {
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

fn complete(conn: &Connection, (rowid, mut c): (i64, Claim)) -> Result<Claim> {
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
    super::convert::each_row(
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

fn write_children(conn: &Connection, rowid: i64, c: &Claim) -> Result<()> {
    conn.prepare_cached("DELETE FROM claim_quantities WHERE claim_id = ?1")?
        .execute([rowid])?;
    conn.prepare_cached("DELETE FROM claim_tags WHERE claim_id = ?1")?
        .execute([rowid])?;
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
pub(crate) const INSERT: &str = "INSERT INTO claims (uuid, text, language, kind, about, made_on, created_at, \
     text_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

pub(crate) fn insert(conn: &Connection, c: &Claim) -> Result<()> {
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
    super::search::index_claim(conn, own, &c.text)?;
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
    write_children(conn, own, c)
}

impl Store {
    /// Adds a claim and returns its id.
    ///
    /// ```
    /// use claimtrack::{Error, NewClaim, Quantity, Store};
    /// let store = Store::open_in_memory()?;
    /// let id = store.add_claim(
    ///     NewClaim::factual("North Korea has shipped about 12 million artillery rounds to Russia")
    ///         .quantity(Quantity::about(12_000_000.0, "artillery rounds")),
    /// )?;
    /// assert_eq!(store.claim(id)?.quantities.len(), 1);
    /// assert!(matches!(store.add_claim(NewClaim::factual("  ")), Err(Error::Invalid { field: "text", .. })));
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn add_claim(&self, new: NewClaim) -> Result<ClaimId> {
        let c = new.into_claim()?;
        self.write_new(crate::model::history::EntityKind::Claim, c.id, &c, |conn| {
            insert(conn, &c)
        })?;
        Ok(c.id)
    }

    /// Reads a claim.
    pub fn claim(&self, id: ClaimId) -> Result<Claim> {
        self.read(|c| read(c, id))
    }

    /// Replaces a stored claim with `claim` (matched by id), quantities and tags included.
    pub fn update_claim(&self, claim: &Claim) -> Result<()> {
        self.write_tracked(crate::model::history::EntityKind::Claim, claim.id, |c| {
            update(c, claim)
        })
    }

    /// Deletes a claim that has no attributions, evidence, links or reviews (delete those first: nothing
    /// recorded about a claim disappears as a side effect).
    pub fn delete_claim(&self, id: ClaimId) -> Result<()> {
        self.write_tracked(crate::model::history::EntityKind::Claim, id, |c| {
            let own = rowid(c, id)?;
            refuse_if_referenced(
                c,
                "claim",
                id,
                own,
                &[
                    (
                        "attributions",
                        "SELECT count(*) FROM attributions WHERE claim_id = ?1",
                    ),
                    ("evidence", "SELECT count(*) FROM evidence WHERE claim_id = ?1"),
                    ("reviews", "SELECT count(*) FROM reviews WHERE claim_id = ?1"),
                    (
                        "claim links",
                        "SELECT count(*) FROM claim_links WHERE from_claim = ?1 OR to_claim = ?1",
                    ),
                ],
            )?;
            c.prepare_cached("DELETE FROM claims WHERE id = ?1")?
                .execute([own])?;
            Ok(())
        })
    }

    /// Every claim, oldest first. For large stores prefer [`claims_page`](Self::claims_page).
    pub fn claims(&self) -> Result<Vec<Claim>> {
        self.read(|c| {
            let rows: Vec<(i64, Claim)> = c
                .prepare_cached(select!("ORDER BY c.id"))?
                .query_map([], from_row)?
                .collect::<rusqlite::Result<_>>()?;
            rows.into_iter().map(|r| complete(c, r)).collect()
        })
    }

    /// Up to `limit` claims recorded after `after` (from the start when `None`), oldest first: keyset
    /// pagination that stays fast on millions of claims.
    pub fn claims_page(&self, after: Option<ClaimId>, limit: usize) -> Result<Vec<Claim>> {
        self.read(|c| {
            let start = match after {
                Some(id) => rowid(c, id)?,
                None => 0,
            };
            let rows: Vec<(i64, Claim)> = c
                .prepare_cached(select!("WHERE c.id > ?1 ORDER BY c.id LIMIT ?2"))?
                .query_map(params![start, i64::try_from(limit).unwrap_or(i64::MAX)], from_row)?
                .collect::<rusqlite::Result<_>>()?;
            rows.into_iter().map(|r| complete(c, r)).collect()
        })
    }

    /// Claims carrying `tag` (exact match), oldest first.
    pub fn claims_tagged(&self, tag: &str) -> Result<Vec<Claim>> {
        self.read(|c| {
            let rows: Vec<(i64, Claim)> = c
                .prepare_cached(select!(
                    "WHERE c.id IN (SELECT claim_id FROM claim_tags WHERE tag = ?1) ORDER BY c.id"
                ))?
                .query_map([tag], from_row)?
                .collect::<rusqlite::Result<_>>()?;
            rows.into_iter().map(|r| complete(c, r)).collect()
        })
    }
}
