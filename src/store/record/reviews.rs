//! SQL for reviews: how a record of this kind is read, inserted and updated (the one place that writes its rows).

use super::Refs;
use crate::error::{Error, Result};
use crate::model::ids::{ClaimId, ReviewId};
use crate::model::review::{Rating, Review};
use crate::store::convert::{insert_err, rowid, rowid_of, ts_get, ts_to_sql};
use crate::store::db::{Db, Param, Row, p};
use crate::store::standing::Versioned;
use crate::store::standing::current;

macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT r.uuid, c.uuid, r.verdict, r.label, r.rating_value, r.rating_best, r.rating_worst, \
             r.rating_name, r.rationale, s.uuid, r.reviewed_on, r.url, r.created_at FROM reviews r \
             JOIN claims c ON c.id = r.claim_id LEFT JOIN sources s ON s.id = r.reviewer ",
            $tail
        )
    };
}
pub(crate) use select;

pub(crate) fn from_row(row: &Row<'_>) -> Result<Review> {
    let value: Option<f64> = row.get(4)?;
    let best: Option<f64> = row.get(5)?;
    let worst: Option<f64> = row.get(6)?;
    let rating = match (value, best, worst) {
        (Some(value), Some(best), Some(worst)) => Some(Rating {
            value,
            best,
            worst,
            alternate_name: row.get(7)?,
        }),
        _ => None,
    };
    Ok(Review {
        id: row.get(0)?,
        claim: row.get(1)?,
        verdict: row.get(2)?,
        label: row.get(3)?,
        rating,
        rationale: row.get(8)?,
        reviewer: row.get(9)?,
        reviewed_on: row.get(10)?,
        url: row.get(11)?,
        created_at: ts_get(row, 12)?,
    })
}

pub(crate) fn read(db: &Db<'_>, id: ReviewId) -> Result<Review> {
    db.query_opt(select!("WHERE r.uuid = ?1"), p![id], from_row)?
        .ok_or_else(|| Error::not_found("review", id))
}

pub(crate) fn of_claim(db: &Db<'_>, claim: ClaimId) -> Result<Vec<Review>> {
    let own = rowid(db, claim)?;
    db.query_vec(select!("WHERE r.claim_id = +?1 ORDER BY r.id"), p![own], from_row)
}

/// Every review, oldest first, handed to `f` one at a time.
pub(crate) fn each(db: &Db<'_>, f: &mut dyn FnMut(Review) -> Result<()>) -> Result<()> {
    crate::store::convert::each_row(db, select!("ORDER BY r.id"), from_row, f)
}

/// The one INSERT of a review row.
/// `site` is derived from `url` ([`Review::site`]), for `claims:search` by site alone.
const INSERT: &str = "INSERT INTO reviews (uuid, claim_id, verdict, label, rating_value, \
     rating_best, rating_worst, rating_name, rationale, reviewer, reviewed_on, url, created_at, site) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";

/// A review's columns in the order its INSERT and its UPDATE bind them, after `key` (`?1`: its uuid in
/// the INSERT, its rowid in the UPDATE's WHERE), handed to `f`: the one list both statements share.
/// `rows` are the rowids of its claim and reviewer.
fn columns<K: Param, T>(
    key: K,
    r: &Review,
    (claim, reviewer): (i64, Option<i64>),
    f: impl FnOnce(&[&dyn Param]) -> Result<T>,
) -> Result<T> {
    let rt = r.rating.as_ref();
    let created_at = ts_to_sql(r.created_at)?;
    f(p![
        key,
        claim,
        r.verdict,
        r.label,
        rt.map(|x| x.value),
        rt.map(|x| x.best),
        rt.map(|x| x.worst),
        rt.and_then(|x| x.alternate_name.as_deref()),
        r.rationale,
        reviewer,
        r.reviewed_on,
        r.url,
        created_at,
        r.site()
    ])
}

pub(crate) fn insert(db: &Db<'_>, r: &Review, refs: &mut dyn Refs) -> Result<()> {
    r.validate()?;
    let claim = refs.claim(db, r.claim)?;
    let reviewer = r.reviewer.map(|s| refs.source(db, s)).transpose()?;
    columns(r.id, r, (claim, reviewer), |ps| db.execute(INSERT, ps))
        .map_err(|e| insert_err(e, "review", r.id))?;
    Ok(())
}

pub(crate) fn update(db: &Db<'_>, r: &Review) -> Result<()> {
    r.validate()?;
    let own = rowid(db, r.id)?;
    let rows = (rowid(db, r.claim)?, rowid_of(db, r.reviewer)?);
    columns(own, r, rows, |ps| {
        db.execute(
            "UPDATE reviews SET claim_id = ?2, verdict = ?3, label = ?4, rating_value = ?5, \
             rating_best = ?6, rating_worst = ?7, rating_name = ?8, rationale = ?9, reviewer = ?10, \
             reviewed_on = ?11, url = ?12, created_at = ?13, site = ?14 WHERE id = ?1",
            ps,
        )
    })?;
    Ok(())
}

impl Versioned for ReviewId {
    const STANDING: &'static str = "SELECT r.status, n.uuid, r.status_reason, r.status_at FROM reviews r \
         LEFT JOIN reviews n ON n.id = r.replaced_by WHERE r.id = ?1";
    const STANDINGS: &'static str = concat!(
        "SELECT r.uuid, r.status, n.uuid, r.status_reason, r.status_at FROM reviews r \
         LEFT JOIN reviews n ON n.id = r.replaced_by WHERE NOT ",
        current!("r"),
        " ORDER BY r.id"
    );
    const CLAIM_STANDINGS: &'static str = concat!(
        "SELECT r.uuid, r.status, n.uuid, r.status_reason, r.status_at FROM reviews r \
         LEFT JOIN reviews n ON n.id = r.replaced_by WHERE r.claim_id = +?1 AND NOT ",
        current!("r"),
        " ORDER BY r.id"
    );
    const SET_STATUS: &'static str =
        "UPDATE reviews SET status = ?2, replaced_by = ?3, status_reason = ?4, status_at = ?5 WHERE id = ?1";
    const OWNER: &'static str = crate::store::standing::versioned_sql!("reviews", "claim_id").0;
    const REACHES: &'static str = crate::store::standing::versioned_sql!("reviews", "claim_id").1;
    const FOREIGN_SUCCESSORS: &'static str = crate::store::standing::versioned_sql!("reviews", "claim_id").2;
    const CYCLES: &'static str = crate::store::standing::versioned_sql!("reviews", "claim_id").3;
}
