//! SQL for evidence.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::Store;
use super::convert::{insert_err, rowid, rowid_of, ts_from_sql, ts_to_sql};
use crate::error::{Error, Result};
use crate::model::evidence::{Evidence, NewEvidence};
use crate::model::ids::{ClaimId, EvidenceId, SourceId};

macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT e.uuid, c.uuid, s.uuid, e.stance, e.credibility, e.excerpt, p.uuid, e.as_of, e.created_at \
             FROM evidence e JOIN claims c ON c.id = e.claim_id JOIN sources s ON s.id = e.source_id \
             LEFT JOIN publications p ON p.id = e.publication ",
            $tail
        )
    };
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Evidence> {
    Ok(Evidence {
        id: row.get(0)?,
        claim: row.get(1)?,
        source: row.get(2)?,
        stance: row.get(3)?,
        credibility: row.get(4)?,
        excerpt: row.get(5)?,
        publication: row.get(6)?,
        as_of: row.get(7)?,
        created_at: ts_from_sql(row, 8)?,
    })
}

pub(crate) fn read(conn: &Connection, id: EvidenceId) -> Result<Evidence> {
    conn.prepare_cached(select!("WHERE e.uuid = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or_else(|| Error::not_found("evidence", id))
}

pub(crate) fn of_claim(conn: &Connection, claim: ClaimId) -> Result<Vec<Evidence>> {
    let own = rowid(conn, claim)?;
    Ok(conn
        .prepare_cached(select!("WHERE e.claim_id = +?1 ORDER BY e.id"))?
        .query_map([own], from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn all(conn: &Connection) -> Result<Vec<Evidence>> {
    Ok(conn
        .prepare_cached(select!("ORDER BY e.id"))?
        .query_map([], from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn insert(conn: &Connection, e: &Evidence) -> Result<()> {
    e.validate()?;
    let claim = rowid(conn, e.claim)?;
    let source = rowid(conn, e.source)?;
    let publication = rowid_of(conn, e.publication)?;
    conn.prepare_cached(
        "INSERT INTO evidence (uuid, claim_id, source_id, stance, credibility, excerpt, publication, as_of, \
         created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        e.id,
        claim,
        source,
        e.stance,
        e.credibility,
        e.excerpt,
        publication,
        e.as_of,
        ts_to_sql(e.created_at)?
    ])
    .map_err(|err| insert_err(err, "evidence", e.id))?;
    Ok(())
}

pub(crate) fn update(conn: &Connection, e: &Evidence) -> Result<()> {
    e.validate()?;
    let own = rowid(conn, e.id)?;
    let claim = rowid(conn, e.claim)?;
    let source = rowid(conn, e.source)?;
    let publication = rowid_of(conn, e.publication)?;
    conn.prepare_cached(
        "UPDATE evidence SET claim_id = ?2, source_id = ?3, stance = ?4, credibility = ?5, excerpt = ?6, \
         publication = ?7, as_of = ?8, created_at = ?9 WHERE id = ?1",
    )?
    .execute(params![
        own,
        claim,
        source,
        e.stance,
        e.credibility,
        e.excerpt,
        publication,
        e.as_of,
        ts_to_sql(e.created_at)?
    ])?;
    Ok(())
}

impl Store {
    /// Records a source's stance on `claim`; returns the evidence id.
    ///
    /// A source that changes its stance gets a second record (with a later `as_of`); the earlier one is
    /// kept as history.
    pub fn add_evidence(&self, claim: ClaimId, new: NewEvidence) -> Result<EvidenceId> {
        let e = new.into_evidence(claim)?;
        self.write(|c| insert(c, &e))?;
        Ok(e.id)
    }

    /// Reads one piece of evidence.
    pub fn evidence(&self, id: EvidenceId) -> Result<Evidence> {
        self.read(|c| read(c, id))
    }

    /// Replaces a stored piece of evidence with `evidence` (matched by id).
    pub fn update_evidence(&self, evidence: &Evidence) -> Result<()> {
        self.write(|c| update(c, evidence))
    }

    /// Deletes one piece of evidence.
    pub fn delete_evidence(&self, id: EvidenceId) -> Result<()> {
        self.write(|c| {
            let own = rowid(c, id)?;
            c.prepare_cached("DELETE FROM evidence WHERE id = ?1")?
                .execute([own])?;
            Ok(())
        })
    }

    /// A claim's evidence, oldest record first.
    pub fn evidence_of(&self, claim: ClaimId) -> Result<Vec<Evidence>> {
        self.read(|c| of_claim(c, claim))
    }

    /// Every stance a source has taken, oldest record first.
    pub fn evidence_by_source(&self, source: SourceId) -> Result<Vec<Evidence>> {
        self.read(|c| {
            let own = rowid(c, source)?;
            Ok(
                c.prepare_cached(select!("WHERE e.source_id = +?1 ORDER BY e.id"))?
                    .query_map([own], from_row)?
                    .collect::<rusqlite::Result<_>>()?,
            )
        })
    }
}
