//! SQL for reviews.

use rusqlite::{Connection, OptionalExtension, Row, Statement, params};

use super::Store;
use super::convert::{insert_err, refuse_if_referenced, rowid, rowid_of, ts_from_sql, ts_to_sql};
use super::history::{track, track_insert};
use super::standing::current;
use super::standing::{Versioned, require_current, set_status, standing};
use crate::error::{Error, Result};
use crate::model::history::{EntityKind, Operation, Standing, Status, validate_reason};
use crate::model::ids::{ClaimId, ReviewId};
use crate::model::review::{NewReview, Rating, Review, Verdict};

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

fn from_row(row: &Row<'_>) -> rusqlite::Result<Review> {
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
        created_at: ts_from_sql(row, 12)?,
    })
}

pub(crate) fn read(conn: &Connection, id: ReviewId) -> Result<Review> {
    conn.prepare_cached(select!("WHERE r.uuid = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or_else(|| Error::not_found("review", id))
}

pub(crate) fn of_claim(conn: &Connection, claim: ClaimId) -> Result<Vec<Review>> {
    let own = rowid(conn, claim)?;
    Ok(conn
        .prepare_cached(select!("WHERE r.claim_id = +?1 ORDER BY r.id"))?
        .query_map([own], from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// Every review, oldest first, handed to `f` one at a time.
pub(crate) fn each(conn: &Connection, f: &mut dyn FnMut(Review) -> Result<()>) -> Result<()> {
    super::convert::each_row(conn, select!("ORDER BY r.id"), |r| Ok(from_row(r)?), f)
}

/// The INSERT shared by single writes and the batch path (which holds it prepared).
pub(crate) const INSERT: &str = "INSERT INTO reviews (uuid, claim_id, verdict, label, rating_value, \
     rating_best, rating_worst, rating_name, rationale, reviewer, reviewed_on, url, created_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";

pub(crate) fn insert(conn: &Connection, r: &Review) -> Result<()> {
    r.validate()?;
    let claim = rowid(conn, r.claim)?;
    let reviewer = rowid_of(conn, r.reviewer)?;
    run_insert(&mut *conn.prepare_cached(INSERT)?, r, claim, reviewer)
}

/// Runs [`INSERT`] for `r`, whose claim and reviewer rowids the caller resolved.
pub(crate) fn run_insert(
    stmt: &mut Statement<'_>,
    r: &Review,
    claim: i64,
    reviewer: Option<i64>,
) -> Result<()> {
    let rt = r.rating.as_ref();
    stmt.execute(params![
        r.id,
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
        ts_to_sql(r.created_at)?
    ])
    .map_err(|e| insert_err(e, "review", r.id))?;
    Ok(())
}

pub(crate) fn update(conn: &Connection, r: &Review) -> Result<()> {
    r.validate()?;
    let own = rowid(conn, r.id)?;
    let claim = rowid(conn, r.claim)?;
    let reviewer = rowid_of(conn, r.reviewer)?;
    let rt = r.rating.as_ref();
    conn.prepare_cached(
        "UPDATE reviews SET claim_id = ?2, verdict = ?3, label = ?4, rating_value = ?5, rating_best = ?6, \
         rating_worst = ?7, rating_name = ?8, rationale = ?9, reviewer = ?10, reviewed_on = ?11, url = ?12, \
         created_at = ?13 WHERE id = ?1",
    )?
    .execute(params![
        own,
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
        ts_to_sql(r.created_at)?
    ])?;
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
    const SET_STATUS: &'static str =
        "UPDATE reviews SET status = ?2, replaced_by = ?3, status_reason = ?4, status_at = ?5 WHERE id = ?1";
    const OWNER: &'static str = super::standing::versioned_sql!("reviews", "claim_id").0;
    const REACHES: &'static str = super::standing::versioned_sql!("reviews", "claim_id").1;
    const FOREIGN_SUCCESSORS: &'static str = super::standing::versioned_sql!("reviews", "claim_id").2;
    const CYCLES: &'static str = super::standing::versioned_sql!("reviews", "claim_id").3;
}

impl Store {
    /// Records a verdict on `claim`; returns the review's id.
    pub fn add_review(&self, claim: ClaimId, new: NewReview) -> Result<ReviewId> {
        let r = new.into_review(claim)?;
        self.write_new(EntityKind::Review, r.id, &r, |c| insert(c, &r))?;
        Ok(r.id)
    }

    /// Reads a review.
    pub fn review(&self, id: ReviewId) -> Result<Review> {
        self.read(|c| read(c, id))
    }

    /// Edits a stored review in place (matched by id): label, rating, rationale, reviewer, date, URL.
    /// The change, with the value before, is recorded in history.
    ///
    /// A different verdict or claim is refused with [`Error::Invalid`]: a published verdict is never
    /// overwritten; use [`correct_review`](Self::correct_review) or [`retract_review`](Self::retract_review).
    /// A superseded or retracted review cannot be changed.
    pub fn update_review(&self, review: &Review) -> Result<()> {
        self.write_tracked(EntityKind::Review, review.id, |c| {
            let old = read(c, review.id)?;
            require_current(c, review.id)?;
            for (field, same) in [
                ("verdict", old.verdict == review.verdict),
                ("claim", old.claim == review.claim),
            ] {
                if !same {
                    return Err(Error::invalid(
                        field,
                        "a changed verdict or claim is a correction: use Store::correct_review",
                    ));
                }
            }
            update(c, review)
        })
    }

    /// Publishes a correction of a review: `new` is stored for the same claim and `old` is kept, marked
    /// superseded by it with `reason`. Returns the correction's id.
    ///
    /// ```
    /// use claimtrack::{NewClaim, NewReview, Store, Verdict};
    /// let store = Store::open_in_memory()?;
    /// let claim = store.add_claim(NewClaim::factual("Troops were deployed"))?;
    /// let first = store.add_review(claim, NewReview::new(Verdict::Unverifiable))?;
    /// let fixed = store.correct_review(first, NewReview::new(Verdict::True), "satellite images published")?;
    /// assert_eq!(store.review_standing(first)?.replaced_by, Some(fixed));
    /// assert_eq!(store.current_reviews_of(claim)?[0].verdict, Some(Verdict::True));
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn correct_review(&self, old: ReviewId, new: NewReview, reason: &str) -> Result<ReviewId> {
        validate_reason(reason)?;
        self.write(|c| {
            let prev = read(c, old)?;
            require_current(c, old)?;
            let next = new.into_review(prev.claim)?;
            track_insert(
                c,
                EntityKind::Review,
                next.id.as_uuid(),
                Operation::Insert,
                &next,
                || insert(c, &next),
            )?;
            track(
                c,
                EntityKind::Review,
                old.as_uuid(),
                Some(Operation::Supersede),
                Some(reason),
                || set_status(c, old, Status::Superseded, Some(next.id), reason),
            )?;
            Ok(next.id)
        })
    }

    /// Retracts a published review: it is kept, marked retracted with `reason`, and no longer counts.
    pub fn retract_review(&self, id: ReviewId, reason: &str) -> Result<()> {
        validate_reason(reason)?;
        self.write(|c| {
            require_current(c, id)?;
            track(
                c,
                EntityKind::Review,
                id.as_uuid(),
                Some(Operation::Retract),
                Some(reason),
                || set_status(c, id, Status::Retracted, None, reason),
            )
        })
    }

    /// Whether a review counts, and if not, why and what replaced it.
    pub fn review_standing(&self, id: ReviewId) -> Result<Standing<ReviewId>> {
        self.read(|c| standing(c, id))
    }

    /// A claim's reviews that count (neither superseded nor retracted), oldest first.
    pub fn current_reviews_of(&self, claim: ClaimId) -> Result<Vec<Review>> {
        self.read(|c| {
            let own = rowid(c, claim)?;
            Ok(c.prepare_cached(concat!(
                select!("WHERE r.claim_id = +?1 AND "),
                current!("r"),
                " ORDER BY r.id"
            ))?
            .query_map([own], from_row)?
            .collect::<rusqlite::Result<_>>()?)
        })
    }

    /// How many reviews that count (neither superseded nor retracted) give each verdict, in scale order
    /// (false … true, unverifiable), then `None`: reviews whose label maps to no verdict. Verdicts no
    /// review gives are left out.
    ///
    /// ```
    /// use claimtrack::{NewClaim, NewReview, Store, Verdict};
    /// let store = Store::open_in_memory()?;
    /// let claim = store.add_claim(NewClaim::factual("Water is dry"))?;
    /// store.add_review(claim, NewReview::new(Verdict::False))?;
    /// store.add_review(claim, NewReview::unrated().label("Karma"))?;
    /// assert_eq!(store.verdict_counts()?, vec![(Some(Verdict::False), 1), (None, 1)]);
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn verdict_counts(&self) -> Result<Vec<(Option<Verdict>, u64)>> {
        let rows: Vec<(Option<Verdict>, i64)> = self.read(|c| {
            Ok(c.prepare_cached(concat!(
                "SELECT r.verdict, count(*) FROM reviews r WHERE ",
                current!("r"),
                " GROUP BY r.verdict"
            ))?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?)
        })?;
        let order = |v: &Option<Verdict>| match v {
            Some(v) => Verdict::ALL.iter().position(|x| x == v).unwrap_or(usize::MAX - 1),
            None => usize::MAX,
        };
        let mut out: Vec<(Option<Verdict>, u64)> = rows
            .into_iter()
            .map(|(v, n)| (v, u64::try_from(n).unwrap_or(0)))
            .collect();
        out.sort_by_key(|(v, _)| order(v));
        Ok(out)
    }

    /// Deletes a review (meant for one entered by mistake; a published one is retracted instead). The
    /// deletion and the review's last value are kept in history. A correction of another review is
    /// refused with [`Error::StillReferenced`].
    pub fn delete_review(&self, id: ReviewId) -> Result<()> {
        self.write_tracked(EntityKind::Review, id, |c| {
            let own = rowid(c, id)?;
            refuse_if_referenced(
                c,
                "review",
                id,
                own,
                &[(
                    "reviews (superseded by it)",
                    "SELECT count(*) FROM reviews WHERE replaced_by = ?1",
                )],
            )?;
            c.prepare_cached("DELETE FROM reviews WHERE id = ?1")?
                .execute([own])?;
            Ok(())
        })
    }

    /// A claim's reviews, oldest first, superseded and retracted ones included (see
    /// [`current_reviews_of`](Self::current_reviews_of)).
    pub fn reviews_of(&self, claim: ClaimId) -> Result<Vec<Review>> {
        self.read(|c| of_claim(c, claim))
    }
}
