//! The batch's writes, kind by kind: `add_*` (a new record from its `New*` value) and `insert_*` (a
//! record with the id it already has).

use rusqlite::params;

use crate::error::{Error, Result};
use crate::model::attribution::{Attribution, NewAttribution};
use crate::model::claim::{Claim, NewClaim};
use crate::model::evidence::{Evidence, NewEvidence};
use crate::model::history::EntityKind;
use crate::model::ids::{AttributionId, ClaimLinkId};
use crate::model::ids::{ClaimId, EvidenceId, PublicationId, ReviewId, SourceId};
use crate::model::link::ClaimLink;
use crate::model::publication::{NewPublication, Publication};
use crate::model::review::{NewReview, Review};
use crate::model::source::{NewSource, Source};
use crate::model::text::name_key;
use crate::store::convert::{insert_err, rowid_opt, ts_to_sql};
use crate::store::record::{attributions, evidence, links, publications, reviews, sources};

use super::Batch;

impl Batch<'_> {
    // ---- sources ----

    /// Adds a source; see [`Store::add_source`](crate::Store::add_source).
    pub fn add_source(&mut self, new: NewSource) -> Result<SourceId> {
        self.record("source", |b| {
            let s = new.into_source()?;
            sources::refuse_namesake(b.conn, &s)?;
            b.put_source(&s, false)?;
            Ok(s.id)
        })
    }

    /// Stores a source with the id it already has.
    pub fn insert_source(&mut self, source: &Source) -> Result<()> {
        self.record("source", |b| b.put_source(source, true))
    }

    fn put_source(&mut self, s: &Source, given: bool) -> Result<()> {
        sources::insert(self.conn, s)?;
        // Aliases go to a WITHOUT ROWID table, so the source's rowid is looked up rather than trusted
        // to `last_insert_rowid`; sources are few next to claims.
        let own = rowid_opt(self.conn, s.id)?.ok_or_else(|| Error::not_found("source", s.id))?;
        self.sources.put(s.id.as_uuid(), own);
        self.log
            .record(self.conn, EntityKind::Source, given.then(|| s.id.as_uuid()), s)?;
        self.counts.sources += 1;
        Ok(())
    }

    /// The oldest source whose name or alias matches `name` (ignoring case and spacing), including
    /// sources added earlier in this batch; see [`Store::find_source`](crate::Store::find_source).
    pub fn find_source(&mut self, name: &str) -> Result<Option<SourceId>> {
        sources::find_by_key(self.conn, &name_key(name))
    }

    // ---- publications ----

    /// The publication first recorded at `url`, including those added earlier in this batch; see
    /// [`Store::find_publication_by_url`](crate::Store::find_publication_by_url).
    pub fn find_publication_by_url(&mut self, url: &str) -> Result<Option<PublicationId>> {
        Ok(publications::find_by_url(self.conn, url)?.map(|p| p.id))
    }

    /// Adds a publication; see [`Store::add_publication`](crate::Store::add_publication).
    pub fn add_publication(&mut self, new: NewPublication) -> Result<PublicationId> {
        self.record("publication", |b| {
            let p = new.into_publication()?;
            b.put_publication(&p, false)?;
            Ok(p.id)
        })
    }

    /// Stores a publication with the id it already has.
    pub fn insert_publication(&mut self, publication: &Publication) -> Result<()> {
        self.record("publication", |b| b.put_publication(publication, true))
    }

    fn put_publication(&mut self, p: &Publication, given: bool) -> Result<()> {
        publications::insert(self.conn, p)?;
        self.publications
            .put(p.id.as_uuid(), self.conn.last_insert_rowid());
        self.log.record(
            self.conn,
            EntityKind::Publication,
            given.then(|| p.id.as_uuid()),
            p,
        )?;
        self.counts.publications += 1;
        Ok(())
    }

    // ---- claims ----

    /// Adds a claim; see [`Store::add_claim`](crate::Store::add_claim).
    pub fn add_claim(&mut self, new: NewClaim) -> Result<ClaimId> {
        self.record("claim", |b| {
            let c = new.into_claim()?;
            b.put_claim(&c, false)?;
            Ok(c.id)
        })
    }

    /// Stores a claim with the id it already has.
    pub fn insert_claim(&mut self, claim: &Claim) -> Result<()> {
        self.record("claim", |b| {
            claim.validate()?;
            b.put_claim(claim, true)
        })
    }

    fn put_claim(&mut self, c: &Claim, given: bool) -> Result<()> {
        self.claim_stmt
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
        let own = self.conn.last_insert_rowid();
        crate::store::search::index_claim(self.conn, own, &c.text)?;
        if !c.quantities.is_empty() {
            let mut q = self.conn.prepare_cached(
                "INSERT INTO claim_quantities (claim_id, position, value, unit, bound, subject) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for (i, x) in c.quantities.iter().enumerate() {
                q.execute(params![own, i as i64, x.value, x.unit, x.bound, x.subject])?;
            }
        }
        if !c.tags.is_empty() {
            let mut t = self
                .conn
                .prepare_cached("INSERT INTO claim_tags (claim_id, position, tag) VALUES (?1, ?2, ?3)")?;
            for (i, tag) in c.tags.iter().enumerate() {
                t.execute(params![own, i as i64, tag])?;
            }
        }
        self.claims.put(c.id.as_uuid(), own);
        self.log
            .record(self.conn, EntityKind::Claim, given.then(|| c.id.as_uuid()), c)?;
        self.counts.claims += 1;
        Ok(())
    }

    // ---- attributions ----

    /// Records who said `claim`; see [`Store::attribute`](crate::Store::attribute).
    pub fn attribute(&mut self, claim: ClaimId, new: NewAttribution) -> Result<AttributionId> {
        self.record("attribution", |b| {
            let a = new.into_attribution(claim)?;
            b.put_attribution(&a, false)?;
            Ok(a.id)
        })
    }

    /// Stores an attribution with the id it already has.
    pub fn insert_attribution(&mut self, attribution: &Attribution) -> Result<()> {
        self.record("attribution", |b| {
            attribution.validate()?;
            b.put_attribution(attribution, true)
        })
    }

    fn put_attribution(&mut self, a: &Attribution, given: bool) -> Result<()> {
        let claim = self.claims.get(self.conn, a.claim)?;
        let speaker = self.sources.get_opt(self.conn, a.speaker)?;
        let publication = self.publications.get_opt(self.conn, a.publication)?;
        let relays = a
            .relays
            .iter()
            .map(|r| self.sources.get(self.conn, r.source))
            .collect::<Result<Vec<_>>>()?;
        attributions::run_insert(
            self.conn,
            &mut self.attribution_stmt,
            a,
            claim,
            speaker,
            publication,
        )?;
        let own = self.conn.last_insert_rowid();
        for (i, (r, src)) in a.relays.iter().zip(relays).enumerate() {
            self.relay_stmt.execute(params![own, i as i64, src, r.mode])?;
        }
        self.log.record(
            self.conn,
            EntityKind::Attribution,
            given.then(|| a.id.as_uuid()),
            a,
        )?;
        self.counts.attributions += 1;
        Ok(())
    }

    // ---- evidence ----

    /// Records a source's stance on `claim`; see [`Store::add_evidence`](crate::Store::add_evidence).
    pub fn add_evidence(&mut self, claim: ClaimId, new: NewEvidence) -> Result<EvidenceId> {
        self.record("evidence", |b| {
            let e = new.into_evidence(claim)?;
            b.put_evidence(&e, false)?;
            Ok(e.id)
        })
    }

    /// Stores a piece of evidence with the id it already has.
    pub fn insert_evidence(&mut self, evidence: &Evidence) -> Result<()> {
        self.record("evidence", |b| {
            evidence.validate()?;
            b.put_evidence(evidence, true)
        })
    }

    fn put_evidence(&mut self, e: &Evidence, given: bool) -> Result<()> {
        let claim = self.claims.get(self.conn, e.claim)?;
        let source = match e.source {
            Some(s) => Some(self.sources.get(self.conn, s)?),
            None => None,
        };
        let publication = self.publications.get_opt(self.conn, e.publication)?;
        evidence::run_insert(self.conn, &mut self.evidence_stmt, e, claim, source, publication)?;
        self.log
            .record(self.conn, EntityKind::Evidence, given.then(|| e.id.as_uuid()), e)?;
        self.counts.evidence += 1;
        Ok(())
    }

    // ---- reviews ----

    /// Records a verdict on `claim`; see [`Store::add_review`](crate::Store::add_review).
    pub fn add_review(&mut self, claim: ClaimId, new: NewReview) -> Result<ReviewId> {
        self.record("review", |b| {
            let r = new.into_review(claim)?;
            b.put_review(&r, false)?;
            Ok(r.id)
        })
    }

    /// Stores a review with the id it already has.
    pub fn insert_review(&mut self, review: &Review) -> Result<()> {
        self.record("review", |b| {
            review.validate()?;
            b.put_review(review, true)
        })
    }

    fn put_review(&mut self, r: &Review, given: bool) -> Result<()> {
        let claim = self.claims.get(self.conn, r.claim)?;
        let reviewer = self.sources.get_opt(self.conn, r.reviewer)?;
        reviews::run_insert(&mut self.review_stmt, r, claim, reviewer)?;
        self.log
            .record(self.conn, EntityKind::Review, given.then(|| r.id.as_uuid()), r)?;
        self.counts.reviews += 1;
        Ok(())
    }

    // ---- links ----

    /// Links two claims; see [`Store::add_link`](crate::Store::add_link).
    pub fn add_link(&mut self, link: &ClaimLink) -> Result<ClaimLinkId> {
        self.record("claim link", |b| {
            links::insert(b.conn, link)?;
            b.log
                .record(b.conn, EntityKind::ClaimLink, Some(link.id.as_uuid()), link)?;
            b.counts.links += 1;
            Ok(link.id)
        })
    }
}
