//! Whole-store import and export of [`Bundle`]s, and entity counts.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::db::{Db, Row, p};
use super::history::{BatchLog, track_with};
use super::record::{BatchLookup, Record};
use super::record::{attributions, claims, evidence, links, publications, reviews, sources};
use super::standing::Versioned;
use super::writes::{self, Put};
use super::{Store, rules, standing};
use crate::error::{Error, Result};
use crate::model::attribution::Attribution;
use crate::model::bundle::{BUNDLE_FORMAT, BUNDLE_VERSION, Bundle};
use crate::model::claim::Claim;
use crate::model::evidence::Evidence;
use crate::model::history::{EntityKind, Operation, StandingEntry};
use crate::model::ids::{EvidenceId, ReviewId, SourceId};
use crate::model::link::ClaimLink;
use crate::model::publication::Publication;
use crate::model::review::Review;
use crate::model::source::Source;

/// What a bundle import did (the io layer turns it into an `io::ImportReport`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ImportSummary {
    /// Records that were new, by kind.
    pub(crate) added: Counts,
    /// Records that existed with other content and were replaced.
    pub(crate) updated: u64,
    /// Records that existed exactly as given.
    pub(crate) unchanged: u64,
}

impl ImportSummary {
    /// Adds another summary's counts to this one.
    pub(crate) fn add(&mut self, other: ImportSummary) {
        self.added.add(other.added);
        self.updated += other.updated;
        self.unchanged += other.unchanged;
    }
}

/// One record handed out by [`Store::for_each_record`].
pub(crate) enum Item<'a> {
    Sources(&'a [Source]),
    Publication(Publication),
    Claim(Claim),
    Attribution(Attribution),
    Evidence(Evidence),
    Link(ClaimLink),
    Review(Review),
    EvidenceStanding(StandingEntry<EvidenceId>),
    ReviewStanding(StandingEntry<ReviewId>),
}

/// How many records of each kind a store holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Sources.
    pub sources: u64,
    /// Publications.
    pub publications: u64,
    /// Claims.
    pub claims: u64,
    /// Attributions.
    pub attributions: u64,
    /// Evidence records.
    pub evidence: u64,
    /// Claim links.
    pub links: u64,
    /// Reviews.
    pub reviews: u64,
}

impl Counts {
    /// Records of every kind.
    ///
    /// # Example
    /// ```
    /// let store = claimtrack::Store::open_in_memory()?;
    /// claimtrack::seeds::load_wonsan(&store)?;
    /// let c = store.counts()?;
    /// assert_eq!(c.total(), c.sources + c.publications + c.claims + c.attributions + c.evidence + c.links + c.reviews);
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn total(&self) -> u64 {
        self.sources
            + self.publications
            + self.claims
            + self.attributions
            + self.evidence
            + self.links
            + self.reviews
    }

    /// Adds another count, kind by kind.
    pub(crate) fn add(&mut self, other: Counts) {
        self.sources += other.sources;
        self.publications += other.publications;
        self.claims += other.claims;
        self.attributions += other.attributions;
        self.evidence += other.evidence;
        self.links += other.links;
        self.reviews += other.reviews;
    }

    /// Counts one more record of `kind`.
    pub(crate) fn one(&mut self, kind: EntityKind) {
        let n = match kind {
            EntityKind::Source => &mut self.sources,
            EntityKind::Publication => &mut self.publications,
            EntityKind::Claim => &mut self.claims,
            EntityKind::Attribution => &mut self.attributions,
            EntityKind::Evidence => &mut self.evidence,
            EntityKind::ClaimLink => &mut self.links,
            EntityKind::Review => &mut self.reviews,
            EntityKind::Batch | EntityKind::Token => return,
        };
        *n += 1;
    }
}

/// Writes `item` through the one write path ([`writes::put`]: inserted when new, left when stored
/// exactly so, replaced where the rules allow) and counts what it did.
fn put<R: Record>(db: &Db<'_>, log: &mut BatchLog, item: &R, tally: &mut ImportSummary) -> Result<()> {
    // Always inside a batch (`Batch::import_bundle`), which moves its claims' text keys before it commits.
    match writes::put(db, &mut BatchLookup, log, item)? {
        Put::Inserted => tally.added.one(R::KIND),
        Put::Replaced => tally.updated += 1,
        Put::Unchanged => tally.unchanged += 1,
    }
    Ok(())
}

/// Orders sources so every parent given in the bundle comes before its children; refuses a cycle.
fn parents_first(list: &[Source]) -> Result<Vec<&Source>> {
    let by_id: HashMap<SourceId, &Source> = list.iter().map(|s| (s.id, s)).collect();
    let mut done: HashSet<SourceId> = HashSet::new();
    let mut out = Vec::with_capacity(list.len());
    for start in list {
        let mut path: Vec<&Source> = Vec::new();
        let mut cur = Some(start);
        while let Some(s) = cur {
            if done.contains(&s.id) {
                break;
            }
            if path.iter().any(|p| p.id == s.id) {
                return Err(Error::AffiliationCycle {
                    source_id: s.id.to_string(),
                    parent: s.part_of.map(|p| p.to_string()).unwrap_or_default(),
                });
            }
            path.push(s);
            cur = s.part_of.and_then(|p| by_id.get(&p).copied());
        }
        for s in path.into_iter().rev() {
            if done.insert(s.id) {
                out.push(s);
            }
        }
    }
    Ok(out)
}

/// Writes a bundle inside a batch in progress (`log`): new records are entered in the batch's history
/// entry, replaced ones get an `import` entry of their own.
pub(crate) fn import(db: &Db<'_>, b: &Bundle, log: &mut BatchLog) -> Result<ImportSummary> {
    if b.format != BUNDLE_FORMAT {
        return Err(Error::invalid(
            "format",
            format!("expected {BUNDLE_FORMAT:?}, got {:?}", b.format),
        ));
    }
    if b.version != BUNDLE_VERSION {
        return Err(Error::invalid(
            "version",
            format!(
                "this library reads bundle version {BUNDLE_VERSION}, got {}",
                b.version
            ),
        ));
    }
    let mut t = ImportSummary::default();
    for s in parents_first(&b.sources)? {
        put(db, log, s, &mut t)?;
    }
    for p in &b.publications {
        put(db, log, p, &mut t)?;
    }
    for c in &b.claims {
        put(db, log, c, &mut t)?;
    }
    for a in &b.attributions {
        put(db, log, a, &mut t)?;
    }
    for e in &b.evidence {
        put(db, log, e, &mut t)?;
    }
    for l in &b.links {
        put(db, log, l, &mut t)?;
    }
    for r in &b.reviews {
        put(db, log, r, &mut t)?;
    }
    for s in &b.evidence_standings {
        put_standing(db, log, EntityKind::Evidence, s, &mut t)?;
    }
    for s in &b.review_standings {
        put_standing(db, log, EntityKind::Review, s, &mut t)?;
    }
    Ok(t)
}

/// Sets a record's standing as the bundle states it, unless it already stands so, where the rules allow
/// ([`rules::check_standing`]); recorded in history as an `Import`. Counted as updated or unchanged.
fn put_standing<I: Versioned>(
    db: &Db<'_>,
    log: &BatchLog,
    kind: EntityKind,
    entry: &StandingEntry<I>,
    tally: &mut ImportSummary,
) -> Result<()> {
    if !rules::check_standing(db, entry)? {
        tally.unchanged += 1;
        return Ok(());
    }
    let reason = entry.standing.reason.as_deref();
    track_with(
        db,
        Some(log),
        kind,
        entry.id.as_uuid(),
        Some(Operation::Import),
        reason,
        || standing::put_standing(db, entry),
    )?;
    tally.updated += 1;
    Ok(())
}

impl Store {
    /// Every record in the store, as one bundle (read in one snapshot).
    pub(crate) fn export_bundle(&self) -> Result<Bundle> {
        let mut b = Bundle::default();
        self.for_each_record(&mut |item| {
            match item {
                Item::Sources(list) => b.sources = list.to_vec(),
                Item::Publication(x) => b.publications.push(x),
                Item::Claim(x) => b.claims.push(x),
                Item::Attribution(x) => b.attributions.push(x),
                Item::Evidence(x) => b.evidence.push(x),
                Item::Link(x) => b.links.push(x),
                Item::Review(x) => b.reviews.push(x),
                Item::EvidenceStanding(x) => b.evidence_standings.push(x),
                Item::ReviewStanding(x) => b.review_standings.push(x),
            }
            Ok(())
        })?;
        Ok(b)
    }

    /// Every record, kind by kind in a bundle's order (standings last), handed to `f` one at a time
    /// within one read snapshot, with the memory map off: a streamed export holds one record at a time,
    /// however large the store.
    /// Sources, which are few and which an export orders parents first, come as one list.
    pub(crate) fn for_each_record(&self, f: &mut dyn FnMut(Item<'_>) -> Result<()>) -> Result<()> {
        // Every page is read once: through the memory map they would all count as resident.
        self.unmapped(|| {
            self.read(|db| {
                f(Item::Sources(&sources::all(db)?))?;
                publications::each(db, &mut |x| f(Item::Publication(x)))?;
                claims::each(db, &mut |x| f(Item::Claim(x)))?;
                attributions::each(db, &mut |x| f(Item::Attribution(x)))?;
                evidence::each(db, &mut |x| f(Item::Evidence(x)))?;
                links::each(db, &mut |x| f(Item::Link(x)))?;
                reviews::each(db, &mut |x| f(Item::Review(x)))?;
                for x in standing::standings(db)? {
                    f(Item::EvidenceStanding(x))?;
                }
                for x in standing::standings(db)? {
                    f(Item::ReviewStanding(x))?;
                }
                Ok(())
            })
        })
    }

    /// How many records of each kind the store holds.
    pub fn counts(&self) -> Result<Counts> {
        // A count is never negative; `count` reads it as the unsigned number it is.
        let count = |r: &Row<'_>, i: usize| -> Result<u64> { Ok(r.get::<i64>(i)?.max(0) as u64) };
        self.read(|db| {
            db.query_one(
                "SELECT (SELECT count(*) FROM sources), (SELECT count(*) FROM publications), \
                 (SELECT count(*) FROM claims), (SELECT count(*) FROM attributions), \
                 (SELECT count(*) FROM evidence), (SELECT count(*) FROM claim_links), \
                 (SELECT count(*) FROM reviews)",
                p![],
                |r| {
                    Ok(Counts {
                        sources: count(r, 0)?,
                        publications: count(r, 1)?,
                        claims: count(r, 2)?,
                        attributions: count(r, 3)?,
                        evidence: count(r, 4)?,
                        links: count(r, 5)?,
                        reviews: count(r, 6)?,
                    })
                },
            )
        })
    }
}
