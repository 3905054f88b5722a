//! SQL the analysis layer needs: one-snapshot gathering of everything known about a claim, affiliation
//! roots (a recursive CTE), and the scans behind conflict detection and relay bottlenecks.
//!
//! Nothing here reasons: it reads rows into model values and hands them to `crate::analysis`.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Row};

use super::{Store, attributions, claims, evidence, publications, reviews, sources};
use crate::error::Result;
use crate::model::attribution::Attribution;
use crate::model::claim::{Claim, Quantity};
use crate::model::date::PartialDate;
use crate::model::evidence::Evidence;
use crate::model::ids::{ClaimId, ClaimLinkId, PublicationId, SourceId};
use crate::model::link::LinkKind;
use crate::model::publication::Publication;
use crate::model::review::Review;
use crate::model::source::Source;

/// A source with the root of its affiliation tree.
#[derive(Debug, Clone)]
pub(crate) struct SourceFacts {
    pub source: Source,
    /// The top of its `part_of` / `controlled_by` tree (itself when it hangs from nothing).
    pub root: SourceId,
}

/// Everything recorded about one claim, read in one snapshot.
#[derive(Debug, Clone)]
pub(crate) struct ClaimFacts {
    pub claim: Claim,
    /// Oldest record first.
    pub evidence: Vec<Evidence>,
    /// Oldest first.
    pub attributions: Vec<Attribution>,
    /// Oldest first.
    pub reviews: Vec<Review>,
    /// Every publication an attribution or evidence record names.
    pub publications: HashMap<PublicationId, Publication>,
    /// Every source named by evidence, attributions (speakers, relays, publishers), reviews, and the roots
    /// of all of them.
    pub sources: HashMap<SourceId, SourceFacts>,
}

/// One figure of a stored claim, with what conflict detection compares.
#[derive(Debug, Clone)]
pub(crate) struct StoredQuantity {
    pub claim: ClaimId,
    pub quantity: Quantity,
    pub about: Option<PartialDate>,
}

/// A stored `contradicts` or `denies` link.
#[derive(Debug, Clone)]
pub(crate) struct StoredConflictLink {
    pub link: ClaimLinkId,
    pub from: ClaimId,
    pub kind: LinkKind,
    pub to: ClaimId,
}

/// Walks up the affiliation tree; a depth guard stops on a hand-made cycle (the store refuses cycles).
const ROOT_OF: &str = "WITH RECURSIVE up(id, part_of, depth) AS ( \
         SELECT id, part_of, 0 FROM sources WHERE uuid = ?1 \
         UNION ALL \
         SELECT s.id, s.part_of, up.depth + 1 FROM sources s JOIN up ON s.id = up.part_of WHERE up.depth < 10000 \
     ) \
     SELECT s.uuid FROM up JOIN sources s ON s.id = up.id ORDER BY up.depth DESC LIMIT 1";

pub(crate) fn root_of(conn: &Connection, id: SourceId) -> Result<SourceId> {
    Ok(conn
        .prepare_cached(ROOT_OF)?
        .query_row([id], |r| r.get(0))
        .optional()?
        .unwrap_or(id))
}

fn add_source(conn: &Connection, out: &mut HashMap<SourceId, SourceFacts>, id: SourceId) -> Result<()> {
    if out.contains_key(&id) {
        return Ok(());
    }
    let source = sources::read(conn, id)?;
    let root = root_of(conn, id)?;
    out.insert(id, SourceFacts { source, root });
    if root != id && !out.contains_key(&root) {
        let root_source = sources::read(conn, root)?;
        out.insert(
            root,
            SourceFacts {
                source: root_source,
                root,
            },
        );
    }
    Ok(())
}

pub(crate) fn claim_facts(conn: &Connection, id: ClaimId) -> Result<ClaimFacts> {
    let claim = claims::read(conn, id)?;
    let evidence = evidence::of_claim(conn, id)?;
    let attributions = attributions::of_claim(conn, id)?;
    let reviews = reviews::of_claim(conn, id)?;
    let mut publications = HashMap::new();
    let pub_ids = attributions
        .iter()
        .filter_map(|a| a.publication)
        .chain(evidence.iter().filter_map(|e| e.publication));
    for p in pub_ids {
        if let std::collections::hash_map::Entry::Vacant(v) = publications.entry(p) {
            v.insert(publications::read(conn, p)?);
        }
    }
    let mut srcs = HashMap::new();
    for e in &evidence {
        add_source(conn, &mut srcs, e.source)?;
    }
    for a in &attributions {
        for s in a.chain() {
            add_source(conn, &mut srcs, s)?;
        }
    }
    let publishers: Vec<SourceId> = publications
        .values()
        .filter_map(|p: &Publication| p.publisher)
        .collect();
    for s in publishers {
        add_source(conn, &mut srcs, s)?;
    }
    for r in &reviews {
        if let Some(s) = r.reviewer {
            add_source(conn, &mut srcs, s)?;
        }
    }
    Ok(ClaimFacts {
        claim,
        evidence,
        attributions,
        reviews,
        publications,
        sources: srcs,
    })
}

fn quantity_row(row: &Row<'_>) -> rusqlite::Result<StoredQuantity> {
    Ok(StoredQuantity {
        claim: row.get(0)?,
        quantity: Quantity {
            value: row.get(1)?,
            unit: row.get(2)?,
            bound: row.get(3)?,
            subject: row.get(4)?,
        },
        about: row.get(5)?,
    })
}

/// Figures of other claims whose unit key is one of `keys` (at most three: the unit, with and without a
/// plural "s").
pub(crate) fn quantities_with_unit(
    conn: &Connection,
    keys: &[String],
    except: ClaimId,
) -> Result<Vec<StoredQuantity>> {
    let k = |i: usize| keys.get(i).or(keys.first()).cloned().unwrap_or_default();
    let mut stmt = conn.prepare_cached(
        "SELECT c.uuid, q.value, q.unit, q.bound, q.subject, c.about FROM claim_quantities q \
         JOIN claims c ON c.id = q.claim_id \
         WHERE lower(trim(q.unit)) IN (?1, ?2, ?3) AND c.uuid <> ?4 ORDER BY q.claim_id, q.position",
    )?;
    Ok(stmt
        .query_map(rusqlite::params![k(0), k(1), k(2), except], quantity_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// Every figure in the store, grouped by unit key.
pub(crate) fn all_quantities(conn: &Connection) -> Result<Vec<StoredQuantity>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.uuid, q.value, q.unit, q.bound, q.subject, c.about FROM claim_quantities q \
         JOIN claims c ON c.id = q.claim_id ORDER BY lower(trim(q.unit)), q.claim_id, q.position",
    )?;
    Ok(stmt
        .query_map([], quantity_row)?
        .collect::<rusqlite::Result<_>>()?)
}

fn link_row(row: &Row<'_>) -> rusqlite::Result<StoredConflictLink> {
    Ok(StoredConflictLink {
        link: row.get(0)?,
        from: row.get(1)?,
        kind: row.get(2)?,
        to: row.get(3)?,
    })
}

/// `contradicts` and `denies` links touching a claim (either end).
pub(crate) fn conflict_links_of(conn: &Connection, claim: ClaimId) -> Result<Vec<StoredConflictLink>> {
    let own = super::convert::rowid(conn, claim)?;
    let mut stmt = conn.prepare_cached(
        "SELECT l.uuid, f.uuid, l.kind, t.uuid FROM claim_links l \
         JOIN claims f ON f.id = l.from_claim JOIN claims t ON t.id = l.to_claim \
         WHERE (l.from_claim = ?1 OR l.to_claim = ?1) AND l.kind IN ('contradicts', 'denies') ORDER BY l.id",
    )?;
    Ok(stmt
        .query_map([own], link_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// Every `contradicts` and `denies` link.
pub(crate) fn all_conflict_links(conn: &Connection) -> Result<Vec<StoredConflictLink>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.uuid, f.uuid, l.kind, t.uuid FROM claim_links l \
         JOIN claims f ON f.id = l.from_claim JOIN claims t ON t.id = l.to_claim \
         WHERE l.kind IN ('contradicts', 'denies') ORDER BY l.id",
    )?;
    Ok(stmt.query_map([], link_row)?.collect::<rusqlite::Result<_>>()?)
}

/// Claims on which some source has ever supported and some source has ever refuted: the only claims
/// whose *current* stances can disagree.
pub(crate) fn claims_with_both_stances(conn: &Connection) -> Result<Vec<ClaimId>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.uuid FROM evidence e JOIN claims c ON c.id = e.claim_id GROUP BY e.claim_id \
         HAVING sum(e.stance = 'supports') > 0 AND sum(e.stance = 'refutes') > 0 ORDER BY e.claim_id",
    )?;
    Ok(stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// For every claim whose every attribution passes through some relay: that claim and those relays, in
/// chain order.
pub(crate) fn relay_bottlenecks(conn: &Connection) -> Result<Vec<(ClaimId, SourceId)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.uuid, s.uuid FROM attribution_relays r \
         JOIN attributions a ON a.id = r.attribution_id \
         JOIN claims c ON c.id = a.claim_id \
         JOIN sources s ON s.id = r.source_id \
         GROUP BY a.claim_id, r.source_id \
         HAVING count(DISTINCT a.id) = (SELECT count(*) FROM attributions a2 WHERE a2.claim_id = a.claim_id) \
         ORDER BY a.claim_id, min(r.position), r.source_id",
    )?;
    Ok(stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?)
}

impl Store {
    /// Everything about one claim, in one read snapshot.
    pub(crate) fn claim_facts(&self, id: ClaimId) -> Result<ClaimFacts> {
        self.read(|c| claim_facts(c, id))
    }

    /// The root of a source's affiliation tree.
    pub(crate) fn affiliation_root(&self, id: SourceId) -> Result<SourceId> {
        self.read(|c| {
            super::convert::rowid(c, id)?;
            root_of(c, id)
        })
    }

    /// A claim's facts, its conflict links and same-unit figures of other claims, in one snapshot.
    pub(crate) fn conflict_facts(
        &self,
        id: ClaimId,
        unit_keys: impl Fn(&Claim) -> Vec<Vec<String>>,
    ) -> Result<(ClaimFacts, Vec<StoredConflictLink>, Vec<StoredQuantity>)> {
        self.read(|c| {
            let facts = claim_facts(c, id)?;
            let links = conflict_links_of(c, id)?;
            let mut others = Vec::new();
            for keys in unit_keys(&facts.claim) {
                others.extend(quantities_with_unit(c, &keys, id)?);
            }
            Ok((facts, links, others))
        })
    }

    /// Everything whole-store conflict detection reads, in one snapshot: conflict links, the facts of
    /// claims with both supporting and refuting records, and every figure.
    pub(crate) fn all_conflict_facts(
        &self,
    ) -> Result<(Vec<StoredConflictLink>, Vec<ClaimFacts>, Vec<StoredQuantity>)> {
        self.read(|c| {
            let links = all_conflict_links(c)?;
            let disputed = claims_with_both_stances(c)?
                .into_iter()
                .map(|id| claim_facts(c, id))
                .collect::<Result<_>>()?;
            Ok((links, disputed, all_quantities(c)?))
        })
    }

    /// Claims whose every attribution passes through a common relay, with those relays.
    pub(crate) fn relay_bottleneck_rows(&self) -> Result<Vec<(ClaimId, SourceId)>> {
        self.read(relay_bottlenecks)
    }
}
