//! SQL the analysis layer needs: one-snapshot gathering of everything known about a claim, affiliation
//! roots (a recursive CTE), and the scans behind conflict detection and relay bottlenecks.
//!
//! Nothing here reasons: it reads rows into model values and hands them to `crate::analysis`.
//! The evidence summary has its own lean read (`summary_facts`: a few indexed statements) because it is
//! the hot path of a desk's screen.

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension, Row};

use super::{Store, attributions, claims, evidence, publications, reviews};
use crate::error::Result;
use crate::model::attribution::Attribution;
use crate::model::claim::{Claim, ClaimKind, Quantity};
use crate::model::date::PartialDate;
use crate::model::evidence::Evidence;
use crate::model::grade::Reliability;
use crate::model::ids::{ClaimId, ClaimLinkId, EvidenceId, PublicationId, SourceId};
use crate::model::link::LinkKind;
use crate::model::publication::Publication;
use crate::model::review::Review;

/// Everything recorded about one claim, read in one snapshot.
#[derive(Debug, Clone)]
pub(crate) struct ClaimFacts {
    pub claim: Claim,
    /// Oldest record first.
    pub evidence: Vec<Evidence>,
    /// Evidence records that no longer count (superseded or retracted).
    pub withdrawn: HashSet<EvidenceId>,
    /// Oldest first.
    pub attributions: Vec<Attribution>,
    /// Oldest first.
    pub reviews: Vec<Review>,
    /// Every publication an attribution or evidence record names.
    pub publications: HashMap<PublicationId, Publication>,
}

/// What an evidence summary shows of a source.
#[derive(Debug, Clone)]
pub(crate) struct SourceBrief {
    pub name: String,
    pub reliability: Reliability,
    /// The top of its affiliation tree (itself when it hangs from nothing).
    pub root: SourceId,
    pub root_name: String,
}

/// The little an evidence summary needs, read with a handful of statements.
#[derive(Debug, Clone)]
pub(crate) struct SummaryFacts {
    pub claim: ClaimId,
    pub kind: ClaimKind,
    /// Oldest record first.
    pub evidence: Vec<Evidence>,
    /// Evidence records that no longer count (superseded or retracted).
    pub withdrawn: HashSet<EvidenceId>,
    /// Each attribution as its sources in order: speaker, relays, the publication's publisher.
    pub chains: Vec<Vec<SourceId>>,
    /// Every source named by the evidence and the chains.
    pub sources: HashMap<SourceId, SourceBrief>,
}

/// A source's name, grade and parent.
fn source_node(
    conn: &Connection,
    id: SourceId,
    memo: &mut HashMap<SourceId, (String, Reliability, Option<SourceId>)>,
) -> Result<(String, Reliability, Option<SourceId>)> {
    if let Some(n) = memo.get(&id) {
        return Ok(n.clone());
    }
    let node: (String, Reliability, Option<SourceId>) = conn
        .prepare_cached(
            "SELECT s.name, s.reliability, p.uuid FROM sources s LEFT JOIN sources p ON p.id = s.part_of \
             WHERE s.uuid = ?1",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?
        .ok_or_else(|| crate::error::Error::not_found("source", id))?;
    memo.insert(id, node.clone());
    Ok(node)
}

/// A source with the root of its affiliation tree, walking up one parent at a time (trees are shallow,
/// and parents are shared between the sources of one claim). A hand-made cycle (the store refuses
/// them) stops the walk where it closes.
fn brief(
    conn: &Connection,
    id: SourceId,
    memo: &mut HashMap<SourceId, (String, Reliability, Option<SourceId>)>,
) -> Result<SourceBrief> {
    let (name, reliability, mut parent) = source_node(conn, id, memo)?;
    let mut root = id;
    let mut root_name = name.clone();
    let mut seen = vec![id];
    while let Some(p) = parent.filter(|p| !seen.contains(p)) {
        let (pname, _, pparent) = source_node(conn, p, memo)?;
        seen.push(p);
        root = p;
        root_name = pname;
        parent = pparent;
    }
    Ok(SourceBrief {
        name,
        reliability,
        root,
        root_name,
    })
}

pub(crate) fn summary_facts(conn: &Connection, id: ClaimId) -> Result<SummaryFacts> {
    let (own, kind): (i64, ClaimKind) = conn
        .prepare_cached("SELECT id, kind FROM claims WHERE uuid = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or_else(|| crate::error::Error::not_found("claim", id))?;
    let evidence = evidence::of_claim(conn, id)?;
    if evidence.is_empty() {
        // Nothing to summarise: chains and sources only serve to credit evidence.
        return Ok(SummaryFacts {
            claim: id,
            kind,
            evidence,
            withdrawn: HashSet::new(),
            chains: Vec::new(),
            sources: HashMap::new(),
        });
    }
    let mut chains: Vec<(i64, Vec<SourceId>, Option<SourceId>)> = conn
        .prepare_cached(
            "SELECT a.id, sp.uuid, ps.uuid FROM attributions a \
             LEFT JOIN sources sp ON sp.id = a.speaker \
             LEFT JOIN publications p ON p.id = a.publication \
             LEFT JOIN sources ps ON ps.id = p.publisher \
             WHERE a.claim_id = +?1 ORDER BY a.id",
        )?
        .query_map([own], |r| {
            let speaker: Option<SourceId> = r.get(1)?;
            Ok((r.get(0)?, speaker.into_iter().collect(), r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    if !chains.is_empty() {
        let relays: Vec<(i64, SourceId)> = conn
            .prepare_cached(
                "SELECT r.attribution_id, s.uuid FROM attribution_relays r \
                 JOIN attributions a ON a.id = r.attribution_id JOIN sources s ON s.id = r.source_id \
                 WHERE a.claim_id = +?1 ORDER BY r.attribution_id, r.position",
            )?
            .query_map([own], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (a, s) in relays {
            if let Some(c) = chains.iter_mut().find(|c| c.0 == a) {
                c.1.push(s);
            }
        }
    }
    let chains: Vec<Vec<SourceId>> = chains
        .into_iter()
        .map(|(_, mut c, publisher)| {
            c.extend(publisher);
            c
        })
        .filter(|c| !c.is_empty())
        .collect();
    let mut memo = HashMap::new();
    let mut sources = HashMap::new();
    let involved = evidence
        .iter()
        .map(|e| e.source)
        .chain(chains.iter().flatten().copied());
    for s in involved.collect::<Vec<_>>() {
        if let std::collections::hash_map::Entry::Vacant(v) = sources.entry(s) {
            v.insert(brief(conn, s, &mut memo)?);
        }
    }
    Ok(SummaryFacts {
        claim: id,
        kind,
        evidence,
        withdrawn: evidence::withdrawn_of(conn, id)?,
        chains,
        sources,
    })
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
    Ok(ClaimFacts {
        withdrawn: evidence::withdrawn_of(conn, claim.id)?,
        claim,
        evidence,
        attributions,
        reviews,
        publications,
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

    /// What an evidence summary needs, in one read snapshot.
    pub(crate) fn summary_facts(&self, id: ClaimId) -> Result<SummaryFacts> {
        self.read(|c| summary_facts(c, id))
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
