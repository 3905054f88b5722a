//! SQL the analysis layer needs: one-snapshot gathering of everything known about a claim, affiliation
//! roots (a recursive CTE), and the scans behind conflict detection and relay bottlenecks.
//!
//! Nothing here reasons: it reads rows into model values and hands them to `crate::analysis`.
//! The evidence summary has its own lean read (`store/summary.rs`) because it is the hot path of a
//! desk's screen.

use std::collections::{HashMap, HashSet};

use super::Store;
use super::convert::rowid;
use super::db::{Db, Row, p};
use super::record::{attributions, claims, evidence, publications, reviews};
pub(crate) use super::summary::SummaryFacts;
use crate::error::Result;
use crate::model::attribution::Attribution;
use crate::model::claim::{Claim, Quantity};
use crate::model::date::PartialDate;
use crate::model::evidence::Evidence;
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

pub(crate) fn root_of(db: &Db<'_>, id: SourceId) -> Result<SourceId> {
    Ok(db.query_opt(ROOT_OF, p![id], |r| r.get(0))?.unwrap_or(id))
}

pub(crate) fn claim_facts(db: &Db<'_>, id: ClaimId) -> Result<ClaimFacts> {
    let claim = claims::read(db, id)?;
    let evidence = evidence::of_claim(db, id)?;
    let attributions = attributions::of_claim(db, id)?;
    let reviews = reviews::of_claim(db, id)?;
    let mut publications = HashMap::new();
    let pub_ids = attributions
        .iter()
        .filter_map(|a| a.publication)
        .chain(evidence.iter().filter_map(|e| e.publication));
    for p in pub_ids {
        if let std::collections::hash_map::Entry::Vacant(v) = publications.entry(p) {
            v.insert(publications::read(db, p)?);
        }
    }
    Ok(ClaimFacts {
        withdrawn: evidence::withdrawn_of(db, claim.id)?,
        claim,
        evidence,
        attributions,
        reviews,
        publications,
    })
}

fn quantity_row(row: &Row<'_>) -> Result<StoredQuantity> {
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

/// A unit as SQLite's `lower(trim(unit))` makes it: spaces trimmed, ASCII letters lowered (SQLite's
/// `lower` leaves other letters alone; PostgreSQL's lowers them too, so its matches are narrowed to
/// this key).
fn sql_key(unit: &str) -> String {
    unit.trim_matches(' ').to_ascii_lowercase()
}

/// Figures of other claims whose unit key (`lower(trim(unit))` on SQLite) is one of `keys` (at most
/// three: the unit, with and without a plural "s").
pub(crate) fn quantities_with_unit(
    db: &Db<'_>,
    keys: &[String],
    except: ClaimId,
) -> Result<Vec<StoredQuantity>> {
    let k = |i: usize| keys.get(i).or(keys.first()).cloned().unwrap_or_default();
    // The expression of the index on `lower(trim(unit))` on both engines. PostgreSQL's `lower` folds
    // more letters than SQLite's, so it finds a superset (`lower` of the keys too); the filter below
    // keeps exactly SQLite's matches.
    let found = db.query_vec(
        "SELECT c.uuid, q.value, q.unit, q.bound, q.subject, c.about FROM claim_quantities q \
         JOIN claims c ON c.id = q.claim_id \
         WHERE lower(trim(q.unit)) IN (lower(?1), lower(?2), lower(?3)) AND c.uuid <> ?4 \
         ORDER BY q.claim_id, q.position",
        p![k(0), k(1), k(2), except],
        quantity_row,
    )?;
    Ok(found
        .into_iter()
        .filter(|q| keys.contains(&sql_key(&q.quantity.unit)))
        .collect())
}

/// Every figure in the store, grouped by unit key (SQLite's `lower(trim(unit))`, in byte order), then
/// by claim and position.
pub(crate) fn all_quantities(db: &Db<'_>) -> Result<Vec<StoredQuantity>> {
    // Ordered here rather than by the engine: PostgreSQL's `lower` and collation differ from SQLite's.
    let mut all: Vec<(String, StoredQuantity)> = db
        .query_vec(
            "SELECT c.uuid, q.value, q.unit, q.bound, q.subject, c.about FROM claim_quantities q \
             JOIN claims c ON c.id = q.claim_id ORDER BY q.claim_id, q.position",
            p![],
            quantity_row,
        )?
        .into_iter()
        .map(|q| (sql_key(&q.quantity.unit), q))
        .collect();
    // Stable: claim and position order stays within a key.
    all.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(all.into_iter().map(|(_, q)| q).collect())
}

fn link_row(row: &Row<'_>) -> Result<StoredConflictLink> {
    Ok(StoredConflictLink {
        link: row.get(0)?,
        from: row.get(1)?,
        kind: row.get(2)?,
        to: row.get(3)?,
    })
}

/// `contradicts` and `denies` links touching a claim (either end).
pub(crate) fn conflict_links_of(db: &Db<'_>, claim: ClaimId) -> Result<Vec<StoredConflictLink>> {
    let own = rowid(db, claim)?;
    db.query_vec(
        "SELECT l.uuid, f.uuid, l.kind, t.uuid FROM claim_links l \
         JOIN claims f ON f.id = l.from_claim JOIN claims t ON t.id = l.to_claim \
         WHERE (l.from_claim = ?1 OR l.to_claim = ?1) AND l.kind IN ('contradicts', 'denies') ORDER BY l.id",
        p![own],
        link_row,
    )
}

/// Every `contradicts` and `denies` link.
pub(crate) fn all_conflict_links(db: &Db<'_>) -> Result<Vec<StoredConflictLink>> {
    db.query_vec(
        "SELECT l.uuid, f.uuid, l.kind, t.uuid FROM claim_links l \
         JOIN claims f ON f.id = l.from_claim JOIN claims t ON t.id = l.to_claim \
         WHERE l.kind IN ('contradicts', 'denies') ORDER BY l.id",
        p![],
        link_row,
    )
}

/// Claims on which some source has ever supported and some source has ever refuted: the only claims
/// whose *current* stances can disagree.
pub(crate) fn claims_with_both_stances(db: &Db<'_>) -> Result<Vec<ClaimId>> {
    // Grouped by the claims' key, which PostgreSQL needs to select `c.uuid`; a CASE, not a sum of
    // comparisons, which PostgreSQL does not add up.
    db.query_vec(
        "SELECT c.uuid FROM evidence e JOIN claims c ON c.id = e.claim_id GROUP BY c.id \
         HAVING max(CASE WHEN e.stance = 'supports' THEN 1 ELSE 0 END) = 1 \
         AND max(CASE WHEN e.stance = 'refutes' THEN 1 ELSE 0 END) = 1 ORDER BY c.id",
        p![],
        |r| r.get(0),
    )
}

/// For every claim whose every attribution passes through some relay: that claim and those relays, in
/// chain order.
pub(crate) fn relay_bottlenecks(db: &Db<'_>) -> Result<Vec<(ClaimId, SourceId)>> {
    // Grouped by the claims' and sources' keys (what `a.claim_id` and `r.source_id` join to), so that
    // PostgreSQL lets the uuids be selected and the subquery name the group's claim.
    db.query_vec(
        "SELECT c.uuid, s.uuid FROM attribution_relays r \
         JOIN attributions a ON a.id = r.attribution_id \
         JOIN claims c ON c.id = a.claim_id \
         JOIN sources s ON s.id = r.source_id \
         GROUP BY c.id, s.id \
         HAVING count(DISTINCT a.id) = (SELECT count(*) FROM attributions a2 WHERE a2.claim_id = c.id) \
         ORDER BY c.id, min(r.position), s.id",
        p![],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

impl Store {
    /// Everything about one claim, in one read snapshot.
    pub(crate) fn claim_facts(&self, id: ClaimId) -> Result<ClaimFacts> {
        self.read(|db| claim_facts(db, id))
    }

    /// The root of a source's affiliation tree.
    pub(crate) fn affiliation_root(&self, id: SourceId) -> Result<SourceId> {
        self.read(|db| {
            rowid(db, id)?;
            root_of(db, id)
        })
    }

    /// A claim's facts, its conflict links and same-unit figures of other claims, in one snapshot.
    pub(crate) fn conflict_facts(
        &self,
        id: ClaimId,
        unit_keys: impl Fn(&Claim) -> Vec<Vec<String>>,
    ) -> Result<(ClaimFacts, Vec<StoredConflictLink>, Vec<StoredQuantity>)> {
        self.read(|db| {
            let facts = claim_facts(db, id)?;
            let links = conflict_links_of(db, id)?;
            let mut others = Vec::new();
            for keys in unit_keys(&facts.claim) {
                others.extend(quantities_with_unit(db, &keys, id)?);
            }
            Ok((facts, links, others))
        })
    }

    /// Everything whole-store conflict detection reads, in one snapshot: conflict links, the facts of
    /// claims with both supporting and refuting records, and every figure.
    pub(crate) fn all_conflict_facts(
        &self,
    ) -> Result<(Vec<StoredConflictLink>, Vec<ClaimFacts>, Vec<StoredQuantity>)> {
        self.read(|db| {
            let links = all_conflict_links(db)?;
            let disputed = claims_with_both_stances(db)?
                .into_iter()
                .map(|id| claim_facts(db, id))
                .collect::<Result<_>>()?;
            Ok((links, disputed, all_quantities(db)?))
        })
    }

    /// Claims whose every attribution passes through a common relay, with those relays.
    pub(crate) fn relay_bottleneck_rows(&self) -> Result<Vec<(ClaimId, SourceId)>> {
        self.read(relay_bottlenecks)
    }
}

#[cfg(test)]
mod tests {
    use super::super::summary::summary_facts;
    use super::*;

    /// The lean summary read agrees, claim by claim, with the general read (`claim_facts`) and the
    /// recursive-CTE root walk (`root_of`): same evidence, withdrawn set, chains and sources.
    #[test]
    fn summary_facts_match_the_general_reads_on_the_seed() {
        let store = Store::open_in_memory().unwrap();
        crate::seeds::load_wonsan(&store).unwrap();
        let claims = store.claims().unwrap();
        let mut with_chains = 0;
        let mut with_parents = 0;
        for claim in &claims {
            store
                .read(|db| {
                    let lean = summary_facts(db, claim.id)?;
                    let full = claim_facts(db, claim.id)?;
                    assert_eq!(lean.claim, claim.id);
                    assert_eq!(lean.kind, claim.kind);
                    assert_eq!(lean.evidence, full.evidence);
                    assert_eq!(lean.withdrawn, full.withdrawn);
                    if full.evidence.is_empty() {
                        assert!(lean.chains.is_empty() && lean.sources.is_empty());
                        return Ok(());
                    }
                    let chains: Vec<Vec<SourceId>> = full
                        .attributions
                        .iter()
                        .map(|a| {
                            let publisher = a
                                .publication
                                .and_then(|p| full.publications.get(&p))
                                .and_then(|p| p.publisher);
                            a.speaker
                                .into_iter()
                                .chain(a.relays.iter().map(|r| r.source))
                                .chain(publisher)
                                .collect::<Vec<_>>()
                        })
                        .filter(|c| !c.is_empty())
                        .collect();
                    assert_eq!(lean.chains, chains);
                    with_chains += usize::from(!chains.is_empty());
                    let involved: HashSet<SourceId> = full
                        .evidence
                        .iter()
                        .filter_map(|e| e.source)
                        .chain(chains.iter().flatten().copied())
                        .collect();
                    assert_eq!(lean.sources.keys().copied().collect::<HashSet<_>>(), involved);
                    for (id, b) in &lean.sources {
                        let source = super::super::record::sources::read(db, *id)?;
                        assert_eq!(b.name, source.name);
                        assert_eq!(b.reliability, source.reliability);
                        assert_eq!(b.root, root_of(db, *id)?);
                        assert_eq!(b.root_name, super::super::record::sources::read(db, b.root)?.name);
                        with_parents += usize::from(b.root != *id);
                    }
                    Ok(())
                })
                .unwrap();
        }
        // The seed exercises what the joins read: chains and affiliation trees.
        assert!(with_chains > 0 && with_parents > 0);
    }
}
