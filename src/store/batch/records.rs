//! The batch's writes, kind by kind: `add_*` (a new record from its `New*` value) and `insert_*` (a
//! record with the id it already has).

use crate::error::Result;
use crate::model::attribution::{Attribution, NewAttribution};
use crate::model::claim::{Claim, NewClaim};
use crate::model::evidence::{Evidence, NewEvidence};
use crate::model::ids::{AttributionId, ClaimLinkId};
use crate::model::ids::{ClaimId, EvidenceId, PublicationId, ReviewId, SourceId};
use crate::model::link::ClaimLink;
use crate::model::publication::{NewPublication, Publication};
use crate::model::review::{NewReview, Review};
use crate::model::source::{NewSource, Source};
use crate::model::text::name_key;
use crate::store::db::Dialect;
use crate::store::record::{Record, publications, sources};
use crate::store::writes::{self, Log};

use super::Batch;

impl Batch<'_> {
    /// Writes one new record through the one write path, with the batch's references and history.
    fn put<R: Record>(&mut self, record: &R, given: bool) -> Result<()> {
        let log = Log::Batch {
            log: &mut self.log,
            given,
        };
        // A record that comes with its id may be stored already: it is written at once (off
        // PostgreSQL's bulk path), so a duplicate is refused at this record, as on SQLite. A record the
        // batch made has a new id and may travel as a COPY row.
        if given {
            self.db.bulk(false);
        }
        let written = writes::insert(&self.db, &mut self.refs, log, record);
        if given {
            self.db.bulk(true);
        }
        written?;
        self.counts.one(R::KIND);
        Ok(())
    }

    // ---- sources ----

    /// Adds a source; see [`Store::add_source`](crate::Store::add_source).
    pub fn add_source(&mut self, new: NewSource) -> Result<SourceId> {
        self.record("source", |b| {
            let s = new.into_source()?;
            if b.db.dialect() == Dialect::Sqlite {
                sources::refuse_namesake(&b.db, &s)?;
                b.put(&s, false)?;
            } else {
                // The bulk path: see `names.rs`.
                b.names.refuse_namesake(&b.db, &s)?;
                b.put(&s, false)?;
                let rowid = b.refs.sources.0.get(&s.id.as_uuid()).copied();
                b.names.note(&b.db, &s, rowid)?;
            }
            Ok(s.id)
        })
    }

    /// Stores a source with the id it already has.
    pub fn insert_source(&mut self, source: &Source) -> Result<()> {
        self.record("source", |b| b.put(source, true))
    }

    /// The oldest source whose name or alias matches `name` (ignoring case and spacing), including
    /// sources added earlier in this batch; see [`Store::find_source`](crate::Store::find_source).
    pub fn find_source(&mut self, name: &str) -> Result<Option<SourceId>> {
        match self.db.dialect() {
            Dialect::Sqlite => sources::find_by_key(&self.db, &name_key(name)),
            Dialect::Postgres => self.names.find(&self.db, &name_key(name)),
        }
    }

    // ---- publications ----

    /// The publication first recorded at `url`, including those added earlier in this batch; see
    /// [`Store::find_publication_by_url`](crate::Store::find_publication_by_url).
    pub fn find_publication_by_url(&mut self, url: &str) -> Result<Option<PublicationId>> {
        Ok(publications::find_by_url(&self.db, url)?.map(|p| p.id))
    }

    /// Adds a publication; see [`Store::add_publication`](crate::Store::add_publication).
    pub fn add_publication(&mut self, new: NewPublication) -> Result<PublicationId> {
        self.record("publication", |b| {
            let p = new.into_publication()?;
            b.put(&p, false)?;
            Ok(p.id)
        })
    }

    /// Stores a publication with the id it already has.
    pub fn insert_publication(&mut self, publication: &Publication) -> Result<()> {
        self.record("publication", |b| b.put(publication, true))
    }

    // ---- claims ----

    /// Adds a claim; see [`Store::add_claim`](crate::Store::add_claim).
    pub fn add_claim(&mut self, new: NewClaim) -> Result<ClaimId> {
        self.record("claim", |b| {
            let c = new.into_claim()?;
            b.put(&c, false)?;
            Ok(c.id)
        })
    }

    /// Stores a claim with the id it already has.
    pub fn insert_claim(&mut self, claim: &Claim) -> Result<()> {
        self.record("claim", |b| b.put(claim, true))
    }

    // ---- attributions ----

    /// Records who said `claim`; see [`Store::attribute`](crate::Store::attribute).
    pub fn attribute(&mut self, claim: ClaimId, new: NewAttribution) -> Result<AttributionId> {
        self.record("attribution", |b| {
            let a = new.into_attribution(claim)?;
            b.put(&a, false)?;
            Ok(a.id)
        })
    }

    /// Stores an attribution with the id it already has.
    pub fn insert_attribution(&mut self, attribution: &Attribution) -> Result<()> {
        self.record("attribution", |b| b.put(attribution, true))
    }

    // ---- evidence ----

    /// Records a source's stance on `claim`; see [`Store::add_evidence`](crate::Store::add_evidence).
    pub fn add_evidence(&mut self, claim: ClaimId, new: NewEvidence) -> Result<EvidenceId> {
        self.record("evidence", |b| {
            let e = new.into_evidence(claim)?;
            b.put(&e, false)?;
            Ok(e.id)
        })
    }

    /// Stores a piece of evidence with the id it already has.
    pub fn insert_evidence(&mut self, evidence: &Evidence) -> Result<()> {
        self.record("evidence", |b| b.put(evidence, true))
    }

    // ---- reviews ----

    /// Records a verdict on `claim`; see [`Store::add_review`](crate::Store::add_review).
    pub fn add_review(&mut self, claim: ClaimId, new: NewReview) -> Result<ReviewId> {
        self.record("review", |b| {
            let r = new.into_review(claim)?;
            b.put(&r, false)?;
            Ok(r.id)
        })
    }

    /// Stores a review with the id it already has.
    pub fn insert_review(&mut self, review: &Review) -> Result<()> {
        self.record("review", |b| b.put(review, true))
    }

    // ---- links ----

    /// Links two claims; see [`Store::add_link`](crate::Store::add_link).
    pub fn add_link(&mut self, link: &ClaimLink) -> Result<ClaimLinkId> {
        self.record("claim link", |b| {
            b.put(link, true)?;
            Ok(link.id)
        })
    }
}
