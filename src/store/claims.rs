//! The Store API for claims.

use super::Store;
use super::convert::{refuse_if_referenced, rowid};
use super::db::p;
use crate::error::Result;
use crate::model::claim::{Claim, NewClaim};
use crate::model::ids::ClaimId;

use super::record::claims::*;

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
        self.insert_one(&c, |_| Ok(()))?;
        Ok(c.id)
    }

    /// Reads a claim.
    ///
    /// # Example
    /// Reading, listing, changing and deleting claims:
    /// ```
    /// use claimtrack::{NewClaim, Store};
    /// let store = Store::open_in_memory()?;
    /// let first = store.add_claim(NewClaim::factual("North Korea sent troops to Kursk.").tag("troops"))?;
    /// let second = store.add_claim(NewClaim::factual("About 12 million shells were shipped."))?;
    /// let mut claim = store.claim(first)?;
    /// claim.tags.push("kursk".into());
    /// store.update_claim(&claim)?;
    /// assert_eq!(store.claims_tagged("kursk")?, vec![claim.clone()]);
    ///
    /// // Every claim, or a page at a time after the last one seen.
    /// assert_eq!(store.claims()?.len(), 2);
    /// let page = store.claims_page(None, 1)?;
    /// assert_eq!(page, vec![claim]);
    /// assert_eq!(store.claims_page(Some(page[0].id), 10)?[0].id, second);
    ///
    /// store.delete_claim(second)?;
    /// assert_eq!(store.claims()?.len(), 1);
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn claim(&self, id: ClaimId) -> Result<Claim> {
        self.read(|db| read(db, id))
    }

    /// Replaces a stored claim with `claim` (matched by id), quantities and tags included.
    ///
    /// Shown in the example of [`claim`](Self::claim).
    pub fn update_claim(&self, claim: &Claim) -> Result<()> {
        self.replace_one(claim, |_, _| Ok(()))
    }

    /// Deletes a claim that has no attributions, evidence, links or reviews (delete those first: nothing
    /// recorded about a claim disappears as a side effect).
    ///
    /// Shown in the example of [`claim`](Self::claim).
    pub fn delete_claim(&self, id: ClaimId) -> Result<()> {
        self.write_tracked(crate::model::history::EntityKind::Claim, id, |db| {
            let own = rowid(db, id)?;
            refuse_if_referenced(
                db,
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
            db.execute("DELETE FROM claims WHERE id = ?1", p![own])?;
            Ok(())
        })
    }

    /// Every claim, oldest first. For large stores prefer [`claims_page`](Self::claims_page).
    ///
    /// Shown in the example of [`claim`](Self::claim).
    pub fn claims(&self) -> Result<Vec<Claim>> {
        self.read(|db| {
            let rows = db.query_vec(select!("ORDER BY c.id"), p![], from_row)?;
            rows.into_iter().map(|r| complete(db, r)).collect()
        })
    }

    /// Up to `limit` claims recorded after `after` (from the start when `None`), oldest first: keyset
    /// pagination that stays fast on millions of claims.
    ///
    /// Shown in the example of [`claim`](Self::claim).
    pub fn claims_page(&self, after: Option<ClaimId>, limit: usize) -> Result<Vec<Claim>> {
        self.read(|db| {
            let start = match after {
                Some(id) => rowid(db, id)?,
                None => 0,
            };
            let rows = db.query_vec(
                select!("WHERE c.id > ?1 ORDER BY c.id LIMIT ?2"),
                p![start, i64::try_from(limit).unwrap_or(i64::MAX)],
                from_row,
            )?;
            rows.into_iter().map(|r| complete(db, r)).collect()
        })
    }

    /// Claims carrying `tag` (exact match), oldest first.
    ///
    /// Shown in the example of [`claim`](Self::claim).
    pub fn claims_tagged(&self, tag: &str) -> Result<Vec<Claim>> {
        if crate::store::db::unmatchable(tag) {
            return Ok(Vec::new());
        }
        self.read(|db| {
            let rows = db.query_vec(
                select!("WHERE c.id IN (SELECT claim_id FROM claim_tags WHERE tag = ?1) ORDER BY c.id"),
                p![tag],
                from_row,
            )?;
            rows.into_iter().map(|r| complete(db, r)).collect()
        })
    }
}
