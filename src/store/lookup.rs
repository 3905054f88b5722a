//! Lookups importers use to recognise records they have already written.

use super::Store;
use super::db::{Db, p};
use super::record::reviews;
use crate::error::Result;
use crate::model::ids::ReviewId;
use crate::model::review::Review;

impl Store {
    /// Reviews whose URL is exactly `url`, oldest first. Importers of ClaimReview markup and Fact Check
    /// Tools results use it to recognise a fact-check they imported before.
    ///
    /// ```
    /// use claimtrack::{NewClaim, NewReview, Store, Verdict};
    /// let store = Store::open_in_memory()?;
    /// let claim = store.add_claim(NewClaim::factual("Water is dry"))?;
    /// store.add_review(claim, NewReview::new(Verdict::False).url("https://example.org/water"))?;
    /// assert_eq!(store.reviews_at_url("https://example.org/water")?[0].claim, claim);
    /// assert!(store.reviews_at_url("https://example.org/other")?.is_empty());
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn reviews_at_url(&self, url: &str) -> Result<Vec<Review>> {
        self.read(|db| reviews_at_url(db, url))
    }
}

/// Reviews whose URL is exactly `url`, oldest first.
pub(crate) fn reviews_at_url(db: &Db<'_>, url: &str) -> Result<Vec<Review>> {
    if crate::store::db::unmatchable(url) {
        return Ok(Vec::new());
    }
    // `+?1`: SQLite must use `reviews_url`, not scan by rowid for the ORDER BY (PostgreSQL's rewrite
    // drops the `+`).
    let ids: Vec<ReviewId> = db.query_vec(
        "SELECT uuid FROM reviews WHERE url = +?1 ORDER BY id",
        p![url],
        |r| r.get(0),
    )?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    ids.into_iter().map(|id| reviews::read(db, id)).collect()
}
