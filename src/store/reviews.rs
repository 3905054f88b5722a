//! The Store API for reviews.

use super::Store;
use super::convert::{refuse_if_referenced, rowid};
use super::db::p;
use super::history::track;
use super::record::Lookup;
use super::standing::current;
use super::standing::{require_current, set_status, standing};
use super::writes::{self, Log};
use crate::error::{Error, Result};
use crate::model::history::{EntityKind, Operation, Standing, Status, validate_reason};
use crate::model::ids::{ClaimId, ReviewId};
use crate::model::review::{NewReview, Review, Verdict, site_key};

use super::record::reviews::*;

/// A site's current reviews, newest first, from before the review with rowid `?2`, through the index
/// `reviews_site`, each claim at its newest such review only.
pub(crate) const BY_SITE: &str = concat!(
    "SELECT r.uuid, c.uuid FROM reviews r JOIN claims c ON c.id = r.claim_id \
     WHERE r.site = ?1 AND r.id < ?2 AND ",
    current!("r"),
    " AND NOT EXISTS (SELECT 1 FROM reviews n WHERE n.claim_id = r.claim_id AND n.site = ?1 \
     AND n.id > r.id AND ",
    current!("n"),
    ") ORDER BY r.id DESC LIMIT ?3"
);

impl Store {
    /// Records a verdict on `claim`; returns the review's id.
    ///
    /// Shown in the example of [`review`](Self::review).
    pub fn add_review(&self, claim: ClaimId, new: NewReview) -> Result<ReviewId> {
        let r = new.into_review(claim)?;
        self.insert_one(&r, |_| Ok(()))?;
        Ok(r.id)
    }

    /// Reads a review.
    ///
    /// # Example
    /// Reading, editing, retracting and deleting reviews (a new verdict is a correction: see
    /// [`correct_review`](Self::correct_review)):
    /// ```
    /// use claimtrack::{Error, NewClaim, NewReview, Store, Verdict};
    /// let store = Store::open_in_memory()?;
    /// let claim = store.add_claim(NewClaim::factual("Troops were deployed."))?;
    /// let id = store.add_review(claim, NewReview::new(Verdict::MostlyTrue).label("Mostly true"))?;
    /// let mut r = store.review(id)?;
    /// r.rationale = Some("Satellite images and two governments confirm it.".into());
    /// store.update_review(&r)?; // its words, not its verdict
    /// r.verdict = Some(Verdict::False);
    /// assert!(matches!(store.update_review(&r), Err(Error::Invalid { .. })));
    /// assert_eq!(store.reviews_of(claim)?[0].rationale, store.review(id)?.rationale);
    ///
    /// store.retract_review(id, "published on the wrong claim")?;
    /// assert!(store.current_reviews_of(claim)?.is_empty());
    /// assert_eq!(store.reviews_of(claim)?.len(), 1);
    /// store.delete_review(id)?;
    /// assert!(store.reviews_of(claim)?.is_empty());
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn review(&self, id: ReviewId) -> Result<Review> {
        self.read(|db| read(db, id))
    }

    /// Edits a stored review in place (matched by id): label, rating, rationale, reviewer, date, URL.
    /// The change, with the value before, is recorded in history.
    ///
    /// A different verdict or claim is refused with [`Error::Invalid`]: a published verdict is never
    /// overwritten; use [`correct_review`](Self::correct_review) or [`retract_review`](Self::retract_review).
    /// A superseded or retracted review cannot be changed.
    ///
    /// Shown in the example of [`review`](Self::review).
    pub fn update_review(&self, review: &Review) -> Result<()> {
        self.replace_one(review, |db, old| {
            require_current(db, review.id)?;
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
            Ok(())
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
        self.write(|db| {
            let prev = read(db, old)?;
            require_current(db, old)?;
            let next = new.clone().into_review(prev.claim)?;
            writes::insert(db, &mut Lookup, Log::Own, &next)?;
            track(
                db,
                EntityKind::Review,
                old.as_uuid(),
                Some(Operation::Supersede),
                Some(reason),
                || set_status(db, old, Status::Superseded, Some(next.id), reason),
            )?;
            Ok(next.id)
        })
    }

    /// Retracts a published review: it is kept, marked retracted with `reason`, and no longer counts.
    ///
    /// Shown in the example of [`review`](Self::review).
    pub fn retract_review(&self, id: ReviewId, reason: &str) -> Result<()> {
        validate_reason(reason)?;
        self.write(|db| {
            require_current(db, id)?;
            track(
                db,
                EntityKind::Review,
                id.as_uuid(),
                Some(Operation::Retract),
                Some(reason),
                || set_status(db, id, Status::Retracted, None, reason),
            )
        })
    }

    /// Whether a review counts, and if not, why and what replaced it.
    ///
    /// Shown in the example of [`correct_review`](Self::correct_review).
    pub fn review_standing(&self, id: ReviewId) -> Result<Standing<ReviewId>> {
        self.read(|db| standing(db, id))
    }

    /// A claim's reviews that count (neither superseded nor retracted), oldest first.
    ///
    /// Shown in the example of [`review`](Self::review).
    pub fn current_reviews_of(&self, claim: ClaimId) -> Result<Vec<Review>> {
        self.read(|db| {
            let own = rowid(db, claim)?;
            db.query_vec(
                concat!(
                    select!("WHERE r.claim_id = +?1 AND "),
                    current!("r"),
                    " ORDER BY r.id"
                ),
                p![own],
                from_row,
            )
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
        let rows: Vec<(Option<Verdict>, i64)> = self.read(|db| {
            db.query_vec(
                concat!(
                    "SELECT r.verdict, count(*) FROM reviews r WHERE ",
                    current!("r"),
                    " GROUP BY r.verdict"
                ),
                p![],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
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
    ///
    /// Shown in the example of [`review`](Self::review).
    pub fn delete_review(&self, id: ReviewId) -> Result<()> {
        self.write_tracked(EntityKind::Review, id, |db| {
            let own = rowid(db, id)?;
            refuse_if_referenced(
                db,
                "review",
                id,
                own,
                &[(
                    "reviews (superseded by it)",
                    "SELECT count(*) FROM reviews WHERE replaced_by = ?1",
                )],
            )?;
            db.execute("DELETE FROM reviews WHERE id = ?1", p![own])?;
            Ok(())
        })
    }

    /// A claim's reviews, oldest first, superseded and retracted ones included (see
    /// [`current_reviews_of`](Self::current_reviews_of)).
    ///
    /// Shown in the example of [`review`](Self::review).
    pub fn reviews_of(&self, claim: ClaimId) -> Result<Vec<Review>> {
        self.read(|db| of_claim(db, claim))
    }

    /// Claims with a review that counts published on `site`, newest review first: each claim once, with
    /// its newest such review, at most `limit` of them, after the review `after` (the last one of the
    /// previous page; `None` for the first page). `site` is a host or a URL, compared as
    /// [`Review::site`] gives it (lower-case, without `www.`; `example.org` does not match
    /// `news.example.org`). What `claims:search` with `reviewPublisherSiteFilter` and no query lists: an
    /// index walk, so a page costs its own rows however many reviews the site has. An `after` that is
    /// not a stored review is [`Error::NotFound`].
    ///
    /// # Example
    /// ```
    /// use claimtrack::{NewClaim, NewReview, Store, Verdict};
    /// let store = Store::open_in_memory()?;
    /// let (a, b) = (store.add_claim(NewClaim::factual("Water is dry"))?, store.add_claim(NewClaim::factual("Fire is cold"))?);
    /// let r1 = store.add_review(a, NewReview::new(Verdict::False).url("https://checks.example/water"))?;
    /// let r2 = store.add_review(b, NewReview::new(Verdict::False).url("https://www.checks.example/fire"))?;
    /// store.add_review(b, NewReview::new(Verdict::False).url("https://other.example/fire"))?;
    ///
    /// let page = store.claims_reviewed_on_site("checks.example", None, 1)?;
    /// assert_eq!(page, [(r2, b)]);
    /// assert_eq!(store.claims_reviewed_on_site("CHECKS.example", Some(r2), 10)?, [(r1, a)]);
    /// assert!(store.claims_reviewed_on_site("example", None, 10)?.is_empty());
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn claims_reviewed_on_site(
        &self,
        site: &str,
        after: Option<ReviewId>,
        limit: usize,
    ) -> Result<Vec<(ReviewId, ClaimId)>> {
        let key = site_key(site);
        // No stored site is empty.
        if key.is_empty() || crate::store::db::unmatchable(&key) || limit == 0 {
            if let Some(id) = after {
                self.read(|db| rowid(db, id))?;
            }
            return Ok(Vec::new());
        }
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(|db| {
            let before = match after {
                Some(id) => rowid(db, id)?,
                None => i64::MAX,
            };
            db.query_vec(BY_SITE, p![key, before, limit], |r| Ok((r.get(0)?, r.get(1)?)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_by_site_walks_the_site_index_without_sorting() {
        let store = Store::open_in_memory().unwrap();
        let plan: Vec<String> = store
            .conn()
            .prepare(&format!("EXPLAIN QUERY PLAN {BY_SITE}"))
            .unwrap()
            .query_map(rusqlite::params!["checks.example", 1_i64, 10_i64], |r| {
                r.get::<_, String>(3)
            })
            .unwrap()
            .collect::<std::result::Result<_, _>>()
            .unwrap();
        assert!(
            plan.first().is_some_and(|l| l.contains("reviews_site")),
            "{plan:?}"
        );
        assert!(!plan.iter().any(|l| l.contains("TEMP B-TREE")), "{plan:?}");
    }

    #[test]
    fn the_stored_site_follows_the_url_and_check_finds_a_stale_one() {
        let store = Store::open_in_memory().unwrap();
        let c = store.add_claim(crate::NewClaim::factual("Water is dry")).unwrap();
        let id = store
            .add_review(
                c,
                NewReview::new(Verdict::False).url("https://www.Checks.example/a"),
            )
            .unwrap();
        let mut r = store.review(id).unwrap();
        r.url = Some("https://other.example/a".into());
        store.update_review(&r).unwrap();
        assert!(
            store
                .claims_reviewed_on_site("checks.example", None, 5)
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            store.claims_reviewed_on_site("other.example", None, 5).unwrap(),
            [(id, c)]
        );
        assert!(store.check().unwrap().is_ok());
        store
            .conn()
            .execute("UPDATE reviews SET site = NULL", [])
            .unwrap();
        let report = store.check().unwrap();
        assert!(
            report.problems.iter().any(|p| p.message.contains("stale site")),
            "{report:?}"
        );
        store.rebuild_search_index().unwrap();
        assert!(store.check().unwrap().is_ok());
        assert_eq!(
            store
                .claims_reviewed_on_site("other.example", None, 5)
                .unwrap()
                .len(),
            1
        );
        // A page after an unknown review is an error, not the first page.
        let unknown = ReviewId::new();
        assert!(matches!(
            store.claims_reviewed_on_site("other.example", Some(unknown), 5),
            Err(Error::NotFound { .. })
        ));
    }
}
