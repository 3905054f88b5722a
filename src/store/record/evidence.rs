//! SQL for evidence: how a record of this kind is read, inserted and updated (the one place that writes its rows).

use super::Refs;
use crate::error::{Error, Result};
use crate::model::evidence::Evidence;
use crate::model::ids::{ClaimId, EvidenceId};
use crate::store::convert::{insert_err, insert_id, insert_sql, rowid, rowid_of, ts_get, ts_to_sql};
use crate::store::db::{Db, Param, Row, p};
use crate::store::standing::Versioned;
use crate::store::standing::current;

macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT e.uuid, c.uuid, s.uuid, e.stance, e.credibility, e.excerpt, p.uuid, e.as_of, e.created_at, \
             e.question, e.answer_type \
             FROM evidence e JOIN claims c ON c.id = e.claim_id LEFT JOIN sources s ON s.id = e.source_id \
             LEFT JOIN publications p ON p.id = e.publication ",
            $tail
        )
    };
}
pub(crate) use select;

pub(crate) fn from_row(row: &Row<'_>) -> Result<Evidence> {
    Ok(Evidence {
        id: row.get(0)?,
        claim: row.get(1)?,
        source: row.get(2)?,
        stance: row.get(3)?,
        credibility: row.get(4)?,
        excerpt: row.get(5)?,
        publication: row.get(6)?,
        as_of: row.get(7)?,
        question: row.get(9)?,
        answer_type: row.get(10)?,
        created_at: ts_get(row, 8)?,
    })
}

pub(crate) fn read(db: &Db<'_>, id: EvidenceId) -> Result<Evidence> {
    db.query_opt(select!("WHERE e.uuid = ?1"), p![id], from_row)?
        .ok_or_else(|| Error::not_found("evidence", id))
}

/// Ids of a claim's evidence that no longer counts (superseded or retracted).
pub(crate) fn withdrawn_of(db: &Db<'_>, claim: ClaimId) -> Result<std::collections::HashSet<EvidenceId>> {
    let own = rowid(db, claim)?;
    let mut out = std::collections::HashSet::new();
    db.query_each(
        concat!(
            "SELECT e.uuid FROM evidence e WHERE e.claim_id = +?1 AND NOT (",
            current!("e"),
            ")"
        ),
        p![own],
        |r| {
            out.insert(r.get(0)?);
            Ok(())
        },
    )?;
    Ok(out)
}

pub(crate) fn of_claim(db: &Db<'_>, claim: ClaimId) -> Result<Vec<Evidence>> {
    let own = rowid(db, claim)?;
    db.query_vec(select!("WHERE e.claim_id = +?1 ORDER BY e.id"), p![own], from_row)
}

/// Every evidence record, oldest first, handed to `f` one at a time.
pub(crate) fn each(db: &Db<'_>, f: &mut dyn FnMut(Evidence) -> Result<()>) -> Result<()> {
    crate::store::convert::each_row(db, select!("ORDER BY e.id"), from_row, f)
}

/// The one INSERT of an evidence row.
const INSERT: (&str, &str) = insert_sql!(
    "INSERT INTO evidence (uuid, claim_id, source_id, stance, credibility, \
     excerpt, publication, as_of, created_at, question, answer_type) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
);

/// An evidence record's columns in the order its INSERT and its UPDATE bind them, after `key` (`?1`: its uuid in
/// the INSERT, its rowid in the UPDATE's WHERE), handed to `f`: the one list both statements share.
/// `rows` are the rowids of its claim, source and publication.
fn columns<K: Param, T>(
    key: K,
    e: &Evidence,
    (claim, source, publication): (i64, Option<i64>, Option<i64>),
    f: impl FnOnce(&[&dyn Param]) -> Result<T>,
) -> Result<T> {
    let created_at = ts_to_sql(e.created_at)?;
    f(p![
        key,
        claim,
        source,
        e.stance,
        e.credibility,
        e.excerpt,
        publication,
        e.as_of,
        created_at,
        e.question,
        e.answer_type
    ])
}

pub(crate) fn insert(db: &Db<'_>, e: &Evidence, refs: &mut dyn Refs) -> Result<()> {
    e.validate()?;
    let claim = refs.claim(db, e.claim)?;
    let source = e.source.map(|s| refs.source(db, s)).transpose()?;
    let publication = e.publication.map(|p| refs.publication(db, p)).transpose()?;
    let own = columns(e.id, e, (claim, source, publication), |ps| {
        insert_id(db, INSERT, ps)
    })
    .map_err(|err| insert_err(err, "evidence", e.id))?;
    crate::store::search::index_excerpt(db, own, e.excerpt.as_deref())?;
    Ok(())
}

pub(crate) fn update(db: &Db<'_>, e: &Evidence) -> Result<()> {
    e.validate()?;
    let own = rowid(db, e.id)?;
    let rows = (
        rowid(db, e.claim)?,
        rowid_of(db, e.source)?,
        rowid_of(db, e.publication)?,
    );
    columns(own, e, rows, |ps| {
        db.execute(
            "UPDATE evidence SET claim_id = ?2, source_id = ?3, stance = ?4, credibility = ?5, \
             excerpt = ?6, publication = ?7, as_of = ?8, created_at = ?9, question = ?10, \
             answer_type = ?11 WHERE id = ?1",
            ps,
        )
    })?;
    Ok(())
}

impl Versioned for EvidenceId {
    const STANDING: &'static str = "SELECT e.status, n.uuid, e.status_reason, e.status_at FROM evidence e \
         LEFT JOIN evidence n ON n.id = e.replaced_by WHERE e.id = ?1";
    const STANDINGS: &'static str = concat!(
        "SELECT e.uuid, e.status, n.uuid, e.status_reason, e.status_at FROM evidence e \
         LEFT JOIN evidence n ON n.id = e.replaced_by WHERE NOT ",
        current!("e"),
        " ORDER BY e.id"
    );
    const CLAIM_STANDINGS: &'static str = concat!(
        "SELECT e.uuid, e.status, n.uuid, e.status_reason, e.status_at FROM evidence e \
         LEFT JOIN evidence n ON n.id = e.replaced_by WHERE e.claim_id = +?1 AND NOT ",
        current!("e"),
        " ORDER BY e.id"
    );
    const SET_STATUS: &'static str =
        "UPDATE evidence SET status = ?2, replaced_by = ?3, status_reason = ?4, status_at = ?5 WHERE id = ?1";
    const OWNER: &'static str = crate::store::standing::versioned_sql!("evidence", "source_id").0;
    const REACHES: &'static str = crate::store::standing::versioned_sql!("evidence", "source_id").1;
    const FOREIGN_SUCCESSORS: &'static str =
        crate::store::standing::versioned_sql!("evidence", "source_id").2;
    const CYCLES: &'static str = crate::store::standing::versioned_sql!("evidence", "source_id").3;
}
