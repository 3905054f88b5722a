//! The claims a search finds, without its snippets (feature `server`: the Fact Check Tools search shows
//! claims, not the passages that matched).

use super::{query_terms, ranked};
use crate::error::Result;
use crate::model::ids::ClaimId;
use crate::store::Store;
use crate::store::db::{Db, p};

/// The claims [`search`](super::search) finds, in the same order, without what it reads and builds for
/// each hit (the claim's text, the matched passage, its snippet).
fn search_claims(db: &Db<'_>, terms: &[String], limit: usize) -> Result<Vec<ClaimId>> {
    ranked(db, terms, limit)?
        .into_iter()
        .map(|(claim_row, _)| {
            db.query_one("SELECT uuid FROM claims WHERE id = ?1", p![claim_row], |r| {
                r.get(0)
            })
        })
        .collect()
}

impl Store {
    /// The claims [`search`](Self::search) finds for `text`, in its order, without snippets.
    pub(crate) fn search_claims(&self, text: &str, limit: usize) -> Result<Vec<ClaimId>> {
        let terms = query_terms(text);
        self.read(|db| search_claims(db, &terms, limit))
    }
}
