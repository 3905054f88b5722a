//! The evidence summary's read: what [`crate::analysis`] weighs for one claim, in as few statements as
//! each engine allows (it is the hot path of a desk's screen). SQLite: three indexed statements and one
//! per affiliation ancestor; PostgreSQL, where every statement is a round trip to the server: one
//! statement, outside an explicit transaction ([`Store::read_single`]).

use std::collections::{HashMap, HashSet};

use super::Store;
use super::db::{Db, Dialect, Row, p};
use super::history::stored_time;
use super::standing::current;
use crate::error::{Error, Result};
use crate::model::claim::ClaimKind;
use crate::model::evidence::Evidence;
use crate::model::grade::Reliability;
use crate::model::ids::{ClaimId, EvidenceId, SourceId};

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

/// Everything an evidence summary reads, in ONE statement (PostgreSQL): over a round trip to a server
/// each statement costs more than its work, and one statement is a snapshot of its own, so the read
/// needs no transaction either ([`Store::read_single`]). The same rows as SQLite's statements, one
/// part after another, told apart by the first column and ordered by the next two:
///
/// | part | 2nd, 3rd column | the rest |
/// |---|---|---|
/// | 0: the claim (no row: no such claim) | 0, 0 | its kind (4th) |
/// | 1: each evidence record with a source, as in [`SUMMARY_EVIDENCE`] | record rowid, 0 | uuid, stance, credibility, excerpt, publication uuid, as_of, created_at, withdrawn, source rowid (5th–13th) |
/// | 2: each attribution (only when there is evidence), one row per relay, as in [`SUMMARY_CHAINS`] | attribution rowid, relay position | speaker, publisher, relay source rowids (14th–16th) |
/// | 3: every source those name and all their ancestors (a recursive walk up `part_of`; `UNION` stops a hand-made cycle) | source rowid, 0 | uuid, name, reliability, part_of (17th–20th) |
const SUMMARY_PG: &str = concat!(
    "WITH RECURSIVE c AS (SELECT id, kind FROM claims WHERE uuid = ?1),      ev AS (SELECT e.id, e.uuid, e.stance, e.credibility, e.excerpt, p.uuid AS publication, e.as_of,             e.created_at, NOT (",
    current!("e"),
    ") AS withdrawn, e.source_id             FROM c JOIN evidence e ON e.claim_id = c.id LEFT JOIN publications p ON p.id = e.publication             WHERE e.source_id IS NOT NULL),      ch AS (SELECT a.id, r.position, a.speaker, pb.publisher, r.source_id AS relay             FROM c JOIN attributions a ON a.claim_id = c.id             LEFT JOIN publications pb ON pb.id = a.publication             LEFT JOIN attribution_relays r ON r.attribution_id = a.id             WHERE EXISTS (SELECT 1 FROM ev)),      up (id) AS (SELECT source_id FROM ev UNION SELECT speaker FROM ch UNION SELECT publisher FROM ch             UNION SELECT relay FROM ch             UNION SELECT s.part_of FROM up JOIN sources s ON s.id = up.id WHERE s.part_of IS NOT NULL)      SELECT 0::bigint, 0::bigint, 0::bigint, c.kind,             NULL::uuid, NULL::text, NULL::bigint, NULL::text, NULL::uuid, NULL::text, NULL::bigint,             NULL::boolean, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint,             NULL::uuid, NULL::text, NULL::text, NULL::bigint FROM c      UNION ALL SELECT 1, ev.id, 0, NULL, ev.uuid, ev.stance, ev.credibility, ev.excerpt, ev.publication,             ev.as_of, ev.created_at, ev.withdrawn, ev.source_id, NULL, NULL, NULL,             NULL, NULL, NULL, NULL FROM ev      UNION ALL SELECT 2, ch.id, ch.position, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,             ch.speaker, ch.publisher, ch.relay, NULL, NULL, NULL, NULL FROM ch      UNION ALL SELECT 3, s.id, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,             NULL, s.uuid, s.name, s.reliability, s.part_of FROM up JOIN sources s ON s.id = up.id      ORDER BY 1, 2, 3"
);

/// What an evidence summary needs. On SQLite three statements: the claim; its evidence joined with each
/// record's source and status; its attribution chains joined with their sources; only ancestors in
/// affiliation trees take a statement each (by rowid), and only when a source has a parent. On
/// PostgreSQL the same rows in one statement ([`SUMMARY_PG`]).
pub(crate) fn summary_facts(db: &Db<'_>, id: ClaimId) -> Result<SummaryFacts> {
    // SQLite: the rowid from the UNIQUE index on `uuid`, the kind from the partial index of the claims
    // that are not factual (schema/0001_initial.sql): neither reads the claim's row.
    let claim_sql = match db.dialect() {
        Dialect::Sqlite => {
            "SELECT c.id, coalesce((SELECT n.kind FROM claims n INDEXED BY claims_kind_not_factual \
             WHERE n.uuid = ?1 AND n.kind <> 'factual'), 'factual') FROM claims c WHERE c.uuid = ?1"
        }
        Dialect::Postgres => return summary_facts_in_one(db, id),
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
    Ok(assemble(id, kind, evidence, withdrawn, rows_of, involved, &nodes))
}

/// [`summary_facts`] on PostgreSQL: [`SUMMARY_PG`], read into what SQLite's statements give.
fn summary_facts_in_one(db: &Db<'_>, id: ClaimId) -> Result<SummaryFacts> {
    let mut kind = None;
    let mut nodes: Nodes = HashMap::new();
    // Each evidence record with its source's rowid, whose uuid comes in part 3.
    let mut records: Vec<(Evidence, i64)> = Vec::new();
    let mut withdrawn = HashSet::new();
    let mut rows_of: Vec<ChainRows> = Vec::new();
    db.query_each(SUMMARY_PG, p![id], |r| {
        match r.get::<i64>(0)? {
            0 => kind = Some(r.get::<ClaimKind>(3)?),
            1 => {
                let e = Evidence {
                    id: r.get(4)?,
                    claim: id,
                    source: None,
                    stance: r.get(5)?,
                    credibility: r.get(6)?,
                    excerpt: r.get(7)?,
                    publication: r.get(8)?,
                    as_of: r.get(9)?,
                    // What the summary does not show.
                    question: None,
                    answer_type: None,
                    created_at: stored_time(r.get(10)?)?,
                };
                if r.get::<bool>(11)? {
                    withdrawn.insert(e.id);
                }
                records.push((e, r.get(12)?));
            }
            2 => {
                let a: i64 = r.get(1)?;
                let relay: Option<i64> = r.get(15)?;
                match rows_of.last_mut() {
                    Some(last) if last.0 == a => last.2.extend(relay),
                    _ => rows_of.push((a, r.get(13)?, relay.into_iter().collect(), r.get(14)?)),
                }
            }
            _ => {
                nodes.insert(
                    r.get(1)?,
                    SourceNode {
                        uuid: r.get(16)?,
                        name: r.get(17)?,
                        reliability: r.get(18)?,
                        part_of: r.get(19)?,
                    },
                );
            }
        }
        Ok(())
    })?;
    let kind = kind.ok_or_else(|| Error::not_found("claim", id))?;
    let mut involved = Vec::with_capacity(records.len());
    let mut evidence = Vec::with_capacity(records.len());
    for (mut e, source) in records {
        let node = nodes
            .get(&source)
            .ok_or_else(|| Error::not_found("source", format!("row {source}")))?;
        e.source = Some(node.uuid);
        involved.push(source);
        evidence.push(e);
    }
    // A chain member the walk did not find (a dangling row id) is left out, as SQLite's LEFT JOINs do.
    for chain in &mut rows_of {
        chain.1 = chain.1.filter(|s| nodes.contains_key(s));
        chain.2.retain(|s| nodes.contains_key(s));
        chain.3 = chain.3.filter(|s| nodes.contains_key(s));
    }
    Ok(assemble(id, kind, evidence, withdrawn, rows_of, involved, &nodes))
}

/// The summary's facts from the rows read: each chain as source ids (speaker, relays, publisher; an
/// empty chain left out) and a brief of every source `involved` (evidence sources, then chain members).
fn assemble(
    id: ClaimId,
    kind: ClaimKind,
    evidence: Vec<Evidence>,
    withdrawn: HashSet<EvidenceId>,
    rows_of: Vec<ChainRows>,
    mut involved: Vec<i64>,
    nodes: &Nodes,
) -> SummaryFacts {
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
        if let Some((uuid, b)) = brief(nodes, s) {
            sources.entry(uuid).or_insert(b);
        }
    }
    SummaryFacts {
        claim: id,
        kind,
        evidence,
        withdrawn,
        chains,
        sources,
    }
}

impl Store {
    /// What an evidence summary needs, in one read snapshot.
    pub(crate) fn summary_facts(&self, id: ClaimId) -> Result<SummaryFacts> {
        self.read_single(|db| summary_facts(db, id))
    }
}
