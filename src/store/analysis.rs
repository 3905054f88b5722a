//! SQL the analysis layer needs: one-snapshot gathering of everything known about a claim, affiliation
//! roots (a recursive CTE), and the scans behind conflict detection and relay bottlenecks.
//!
//! Nothing here reasons: it reads rows into model values and hands them to `crate::analysis`.
//! The evidence summary has its own lean read (`summary_facts`: a few indexed statements) because it is
//! the hot path of a desk's screen.

use std::collections::{HashMap, HashSet};

use super::Store;
use super::convert::rowid;
use super::db::{Db, Dialect, Row, p};
use super::history::stored_time;
use super::record::{attributions, claims, evidence, publications, reviews};
use super::standing::current;
use crate::error::{Error, Result};
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

/// A source as the evidence summary reads it, keyed by rowid: its public id, name, grade and parent's
/// rowid.
struct SourceNode {
    uuid: SourceId,
    name: String,
    reliability: Reliability,
    part_of: Option<i64>,
}

/// One attribution's id, speaker, relays in order and publisher, as source rowids.
type ChainRows = (i64, Option<i64>, Vec<i64>, Option<i64>);

/// Sources read so far for one summary, by rowid.
type Nodes = HashMap<i64, SourceNode>;

/// Records the source whose columns start at `at` in `row` (rowid, uuid, name, reliability, part_of),
/// unless it is already known or the columns are NULL (a LEFT JOIN that found nothing). Returns its rowid.
fn note_source(row: &Row<'_>, at: usize, nodes: &mut Nodes) -> Result<Option<i64>> {
    let Some(rowid) = row.get::<Option<i64>>(at)? else {
        return Ok(None);
    };
    if let std::collections::hash_map::Entry::Vacant(v) = nodes.entry(rowid) {
        v.insert(SourceNode {
            uuid: row.get(at + 1)?,
            name: row.get(at + 2)?,
            reliability: row.get(at + 3)?,
            part_of: row.get(at + 4)?,
        });
    }
    Ok(Some(rowid))
}

/// Reads the ancestors of every known source that are not known yet, one parent at a time (affiliation
/// trees are shallow, and parents are shared between the sources of one claim).
fn read_ancestors(db: &Db<'_>, nodes: &mut Nodes) -> Result<()> {
    let mut missing: Vec<i64> = nodes
        .values()
        .filter_map(|n| n.part_of)
        .filter(|p| !nodes.contains_key(p))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    while let Some(p) = missing.pop() {
        if nodes.contains_key(&p) {
            continue;
        }
        db.query_opt(
            "SELECT id, uuid, name, reliability, part_of FROM sources WHERE id = ?1",
            p![p],
            |r| note_source(r, 0, nodes),
        )?
        .ok_or_else(|| Error::not_found("source", format!("row {p}")))?;
        if let Some(pp) = nodes.get(&p).and_then(|n| n.part_of) {
            if !nodes.contains_key(&pp) {
                missing.push(pp);
            }
        }
    }
    Ok(())
}

/// A source with the root of its affiliation tree, walking up the parents read by [`read_ancestors`].
/// A hand-made cycle (the store refuses them) stops the walk where it closes.
fn brief(nodes: &Nodes, rowid: i64) -> Option<(SourceId, SourceBrief)> {
    let node = nodes.get(&rowid)?;
    let mut root = node;
    let mut seen = vec![rowid];
    while let Some(p) = root.part_of.filter(|p| !seen.contains(p)) {
        let Some(parent) = nodes.get(&p) else { break };
        seen.push(p);
        root = parent;
    }
    Some((
        node.uuid,
        SourceBrief {
            name: node.name.clone(),
            reliability: node.reliability,
            root: root.uuid,
            root_name: root.name.clone(),
        },
    ))
}

/// The claim's evidence with each record's source (rowid, uuid, name, grade, parent) and whether the
/// record was withdrawn (a boolean on PostgreSQL, 0 or 1 on SQLite: both read as `bool`), oldest record
/// first. `+?1`: SQLite must not pick another index than `evidence_claim` (PostgreSQL's rewrite drops
/// the `+`).
const SUMMARY_EVIDENCE: &str = concat!(
    "SELECT e.uuid, e.stance, e.credibility, e.excerpt, p.uuid, e.as_of, e.created_at, \
     NOT (",
    current!("e"),
    "), s.id, s.uuid, s.name, s.reliability, s.part_of \
     FROM evidence e JOIN sources s ON s.id = e.source_id \
     LEFT JOIN publications p ON p.id = e.publication \
     WHERE e.claim_id = +?1 ORDER BY e.id"
);

/// The claim's attributions, one row per relay (or one row without relay), with the speaker, the
/// publication's publisher and the relay as source columns (rowid, uuid, name, grade, parent), in
/// attribution then relay order.
const SUMMARY_CHAINS: &str = "SELECT a.id, \
     sp.id, sp.uuid, sp.name, sp.reliability, sp.part_of, \
     ps.id, ps.uuid, ps.name, ps.reliability, ps.part_of, \
     rs.id, rs.uuid, rs.name, rs.reliability, rs.part_of \
     FROM attributions a \
     LEFT JOIN sources sp ON sp.id = a.speaker \
     LEFT JOIN publications p ON p.id = a.publication \
     LEFT JOIN sources ps ON ps.id = p.publisher \
     LEFT JOIN attribution_relays r ON r.attribution_id = a.id \
     LEFT JOIN sources rs ON rs.id = r.source_id \
     WHERE a.claim_id = +?1 ORDER BY a.id, r.position";

/// What an evidence summary needs, in three statements: the claim; its evidence joined with each
/// record's source and status; its attribution chains joined with their sources. Only ancestors in
/// affiliation trees take a statement each (by rowid), and only when a source has a parent.
pub(crate) fn summary_facts(db: &Db<'_>, id: ClaimId) -> Result<SummaryFacts> {
    // SQLite needs to be told to use the covering index that holds the kind; PostgreSQL's UNIQUE index
    // on `uuid` carries it (INCLUDE), and it knows no `INDEXED BY`.
    let claim_sql = match db.dialect() {
        Dialect::Sqlite => "SELECT id, kind FROM claims INDEXED BY claims_uuid_kind WHERE uuid = ?1",
        Dialect::Postgres => "SELECT id, kind FROM claims WHERE uuid = ?1",
    };
    let (own, kind): (i64, ClaimKind) = db
        .query_opt(claim_sql, p![id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .ok_or_else(|| Error::not_found("claim", id))?;
    let mut nodes: Nodes = HashMap::new();
    // Rowids of the sources involved, in the order they are met (evidence first, then chains).
    let mut involved: Vec<i64> = Vec::new();
    let mut evidence = Vec::new();
    let mut withdrawn = HashSet::new();
    db.query_each(SUMMARY_EVIDENCE, p![own], |r| {
        let source = note_source(r, 8, &mut nodes)?;
        involved.extend(source);
        let e = Evidence {
            id: r.get(0)?,
            claim: id,
            source: r.get(9)?,
            stance: r.get(1)?,
            credibility: r.get(2)?,
            excerpt: r.get(3)?,
            publication: r.get(4)?,
            as_of: r.get(5)?,
            // What the summary does not show.
            question: None,
            answer_type: None,
            created_at: stored_time(r.get(6)?)?,
        };
        if r.get::<bool>(7)? {
            withdrawn.insert(e.id);
        }
        evidence.push(e);
        Ok(())
    })?;
    if evidence.is_empty() {
        // Nothing to summarise: chains and sources only serve to credit evidence.
        return Ok(SummaryFacts {
            claim: id,
            kind,
            evidence,
            withdrawn,
            chains: Vec::new(),
            sources: HashMap::new(),
        });
    }
    let mut rows_of: Vec<ChainRows> = Vec::new();
    db.query_each(SUMMARY_CHAINS, p![own], |r| {
        let a: i64 = r.get(0)?;
        let relay = note_source(r, 11, &mut nodes)?;
        match rows_of.last_mut() {
            Some(last) if last.0 == a => last.2.extend(relay),
            _ => {
                let speaker = note_source(r, 1, &mut nodes)?;
                let publisher = note_source(r, 6, &mut nodes)?;
                rows_of.push((a, speaker, relay.into_iter().collect(), publisher));
            }
        }
        Ok(())
    })?;
    read_ancestors(db, &mut nodes)?;
    let uuid_of = |rowid: i64| nodes.get(&rowid).map(|n| n.uuid);
    let mut chains: Vec<Vec<SourceId>> = Vec::with_capacity(rows_of.len());
    for (_, speaker, relays, publisher) in rows_of {
        let chain: Vec<i64> = speaker.into_iter().chain(relays).chain(publisher).collect();
        involved.extend(&chain);
        let chain: Vec<SourceId> = chain.into_iter().filter_map(uuid_of).collect();
        if !chain.is_empty() {
            chains.push(chain);
        }
    }
    let mut sources = HashMap::with_capacity(involved.len());
    for s in involved {
        if let Some((uuid, b)) = brief(&nodes, s) {
            sources.entry(uuid).or_insert(b);
        }
    }
    Ok(SummaryFacts {
        claim: id,
        kind,
        evidence,
        withdrawn,
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

    /// What an evidence summary needs, in one read snapshot.
    pub(crate) fn summary_facts(&self, id: ClaimId) -> Result<SummaryFacts> {
        self.read(|db| summary_facts(db, id))
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
