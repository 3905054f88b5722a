//! Batches: many writes in one transaction, for importers.
//!
//! [`Store::batch`] opens one `BEGIN IMMEDIATE` transaction and hands the closure a [`Batch`] that adds
//! and reads records inside it. If the closure returns an error, nothing it wrote is kept. A whole
//! import — a million JSON Lines, a data set — lands entirely or not at all, and runs at the speed of one
//! commit instead of one per record.

use rusqlite::Connection;

use super::bundle::{ImportSummary, import};
use super::history;
use super::{Store, attributions, claims, evidence, links, publications, reviews, sources};
use crate::error::Result;
use crate::model::attribution::{Attribution, NewAttribution};
use crate::model::bundle::Bundle;
use crate::model::claim::{Claim, NewClaim};
use crate::model::evidence::{Evidence, NewEvidence};
use crate::model::history::EntityKind;
use crate::model::ids::{AttributionId, ClaimId, ClaimLinkId, EvidenceId, PublicationId, ReviewId, SourceId};
use crate::model::link::{ClaimLink, LinkKind};
use crate::model::publication::{NewPublication, Publication};
use crate::model::review::{NewReview, Review};
use crate::model::source::{NewSource, Source};

/// Writes and reads inside one transaction opened by [`Store::batch`].
///
/// Every method behaves like the [`Store`] method of the same name, except that nothing is committed
/// until the batch closure returns `Ok`.
pub struct Batch<'a> {
    store: &'a Store,
}

impl std::fmt::Debug for Batch<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch").finish_non_exhaustive()
    }
}

impl Store {
    /// Runs `f` with a [`Batch`] in one `BEGIN IMMEDIATE` transaction: everything it writes is committed
    /// when it returns `Ok`, and nothing when it returns an error.
    ///
    /// ```
    /// use claimtrack::{NewClaim, NewSource, SourceKind, Store, Error};
    /// let store = Store::open_in_memory()?;
    /// let n = store.batch(|b| {
    ///     let politifact = b.add_source(NewSource::new("PolitiFact", SourceKind::Organisation))?;
    ///     for text in ["Claim one", "Claim two"] {
    ///         b.add_claim(NewClaim::factual(text))?;
    ///     }
    ///     assert_eq!(b.find_source("politifact")?.map(|s| s.id), Some(politifact));
    ///     Ok(2)
    /// })?;
    /// assert_eq!((n, store.counts()?.claims), (2, 2));
    ///
    /// // A failing batch leaves nothing behind.
    /// let failed = store.batch(|b| {
    ///     b.add_claim(NewClaim::factual("Claim three"))?;
    ///     b.add_claim(NewClaim::factual(""))
    /// });
    /// assert!(matches!(failed, Err(Error::Invalid { field: "text", .. })));
    /// assert_eq!(store.counts()?.claims, 2);
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn batch<T>(&self, f: impl FnOnce(&Batch<'_>) -> Result<T>) -> Result<T> {
        self.write(|_| {
            let batch = Batch { store: self };
            f(&batch)
        })
    }
}

impl Batch<'_> {
    fn conn(&self) -> &Connection {
        &self.store.conn
    }

    /// Runs `f` inside a savepoint: if it fails, what it wrote is undone and the error returned, while
    /// the rest of the batch goes on. Importers use it to skip one unreadable record and report it.
    pub fn attempt<T>(&self, f: impl FnOnce(&Self) -> Result<T>) -> Result<T> {
        self.conn().execute_batch("SAVEPOINT claimtrack_attempt")?;
        let out = f(self);
        match out {
            Ok(v) => {
                self.conn().execute_batch("RELEASE claimtrack_attempt")?;
                Ok(v)
            }
            Err(e) => {
                self.conn()
                    .execute_batch("ROLLBACK TO claimtrack_attempt; RELEASE claimtrack_attempt")?;
                Err(e)
            }
        }
    }

    /// Writes every record of `bundle`, matched by id (see [`Store::import_bundle`]).
    pub fn import_bundle(&self, bundle: &Bundle) -> Result<ImportSummary> {
        import(self.conn(), bundle)
    }

    /// Adds a source.
    pub fn add_source(&self, new: NewSource) -> Result<SourceId> {
        let s = new.into_source()?;
        sources::insert(self.conn(), &s)?;
        history::record_import(self.conn(), EntityKind::Source, s.id.as_uuid(), &s)?;
        Ok(s.id)
    }

    /// Returns the oldest source answering to `name` (name or alias, see [`Store::find_source`]), or adds
    /// one made by `new` when there is none. Importers use it so a publisher or speaker named in many
    /// records becomes one source.
    pub fn find_or_add_source(&self, name: &str, new: impl FnOnce() -> NewSource) -> Result<SourceId> {
        match self.find_source(name)? {
            Some(s) => Ok(s.id),
            None => self.add_source(new()),
        }
    }

    /// Adds a publication.
    pub fn add_publication(&self, new: NewPublication) -> Result<PublicationId> {
        let p = new.into_publication()?;
        publications::insert(self.conn(), &p)?;
        history::record_import(self.conn(), EntityKind::Publication, p.id.as_uuid(), &p)?;
        Ok(p.id)
    }

    /// Adds a claim.
    pub fn add_claim(&self, new: NewClaim) -> Result<ClaimId> {
        let c = new.into_claim()?;
        claims::insert(self.conn(), &c)?;
        history::record_import(self.conn(), EntityKind::Claim, c.id.as_uuid(), &c)?;
        Ok(c.id)
    }

    /// Records an attribution of `claim`.
    pub fn attribute(&self, claim: ClaimId, new: NewAttribution) -> Result<AttributionId> {
        let a = new.into_attribution(claim)?;
        attributions::insert(self.conn(), &a)?;
        history::record_import(self.conn(), EntityKind::Attribution, a.id.as_uuid(), &a)?;
        Ok(a.id)
    }

    /// Records evidence on `claim`.
    pub fn add_evidence(&self, claim: ClaimId, new: NewEvidence) -> Result<EvidenceId> {
        let e = new.into_evidence(claim)?;
        evidence::insert(self.conn(), &e)?;
        history::record_import(self.conn(), EntityKind::Evidence, e.id.as_uuid(), &e)?;
        Ok(e.id)
    }

    /// Links two claims.
    pub fn link_claims(&self, from: ClaimId, kind: LinkKind, to: ClaimId) -> Result<ClaimLinkId> {
        let l = ClaimLink::new(from, kind, to)?;
        links::insert(self.conn(), &l)?;
        history::record_import(self.conn(), EntityKind::ClaimLink, l.id.as_uuid(), &l)?;
        Ok(l.id)
    }

    /// Records a review of `claim`.
    pub fn add_review(&self, claim: ClaimId, new: NewReview) -> Result<ReviewId> {
        let r = new.into_review(claim)?;
        reviews::insert(self.conn(), &r)?;
        history::record_import(self.conn(), EntityKind::Review, r.id.as_uuid(), &r)?;
        Ok(r.id)
    }

    /// Sources answering to `name` (see [`Store::find_sources`]), seeing this batch's own writes.
    pub fn find_sources(&self, name: &str) -> Result<Vec<Source>> {
        self.store.find_sources(name)
    }

    /// The oldest source answering to `name` (see [`Store::find_source`]), seeing this batch's writes.
    pub fn find_source(&self, name: &str) -> Result<Option<Source>> {
        self.store.find_source(name)
    }

    /// Reads a source.
    pub fn source(&self, id: SourceId) -> Result<Source> {
        self.store.source(id)
    }

    /// Reads a publication.
    pub fn publication(&self, id: PublicationId) -> Result<Publication> {
        self.store.publication(id)
    }

    /// Reads a claim.
    pub fn claim(&self, id: ClaimId) -> Result<Claim> {
        self.store.claim(id)
    }

    /// A claim's attributions.
    pub fn attributions_of(&self, claim: ClaimId) -> Result<Vec<Attribution>> {
        self.store.attributions_of(claim)
    }

    /// A claim's evidence.
    pub fn evidence_of(&self, claim: ClaimId) -> Result<Vec<Evidence>> {
        self.store.evidence_of(claim)
    }

    /// A claim's reviews.
    pub fn reviews_of(&self, claim: ClaimId) -> Result<Vec<Review>> {
        self.store.reviews_of(claim)
    }

    /// Reviews at exactly this URL (see [`Store::reviews_at_url`]), seeing this batch's writes.
    pub fn reviews_at_url(&self, url: &str) -> Result<Vec<Review>> {
        self.store.reviews_at_url(url)
    }

    /// The claim with exactly this text that has a review at `url`, if any: how importers recognise a
    /// fact-check they wrote before.
    pub fn claim_reviewed_at(&self, url: &str, text: &str) -> Result<Option<ClaimId>> {
        for r in self.reviews_at_url(url)? {
            if self.claim(r.claim)?.text == text {
                return Ok(Some(r.claim));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::claim::NewClaim;
    use crate::model::source::SourceKind;

    #[test]
    fn a_failed_attempt_is_undone_and_the_batch_goes_on() {
        let store = Store::open_in_memory().unwrap();
        let kept = store
            .batch(|b| {
                let kept = b.add_claim(NewClaim::factual("kept"))?;
                let failed = b.attempt(|b| {
                    b.add_claim(NewClaim::factual("undone"))?;
                    b.add_source(NewSource::new("", SourceKind::Person))
                });
                assert!(failed.is_err());
                b.attempt(|b| b.add_claim(NewClaim::factual("also kept")))?;
                Ok(kept)
            })
            .unwrap();
        let texts: Vec<String> = store.claims().unwrap().into_iter().map(|c| c.text).collect();
        assert_eq!(texts, ["kept", "also kept"]);
        assert_eq!(store.claims().unwrap()[0].id, kept);
    }

    #[test]
    fn find_or_add_source_does_not_duplicate() {
        let store = Store::open_in_memory().unwrap();
        store
            .batch(|b| {
                let a = b.find_or_add_source("PolitiFact", || {
                    NewSource::new("PolitiFact", SourceKind::Organisation).alias("politifact.com")
                })?;
                let again = b.find_or_add_source("POLITIFACT.COM", || {
                    NewSource::new("POLITIFACT.COM", SourceKind::Organisation)
                })?;
                assert_eq!(a, again);
                Ok(())
            })
            .unwrap();
        assert_eq!(store.counts().unwrap().sources, 1);
    }
}
