//! The server's claim read (feature `server`): a claim's records, the figures to compare and its history
//! in one read, and the evidence summary's facts taken from those records instead of read again.

use std::collections::{HashMap, HashSet};

use serde_json::Value;
use uuid::Uuid;

use super::Store;
use super::analysis::{StoredQuantity, quantities_with_unit};
use super::export::claim_bundle;
use super::history::{claim_history_holding, to_json, with_standing};
use super::summary::{SourceBrief, SummaryFacts};
use crate::error::Result;
use crate::model::attribution::Attribution;
use crate::model::bundle::Bundle;
use crate::model::claim::Claim;
use crate::model::evidence::Evidence;
use crate::model::history::{Change, EntityKind, Standing};
use crate::model::ids::{ClaimId, EvidenceId, SourceId};
use crate::model::publication::Publication;
use crate::model::source::Source;

/// What the server's claim read shows of a claim that takes reading, read in one snapshot (on both
/// engines: one read transaction): everything else (the evidence summary, the chains, the conflicts)
/// is weighed from these records by `crate::analysis`, not read again.
#[derive(Debug)]
pub(crate) struct ClaimRead {
    /// The claim with everything it refers to, as [`Store::export_claim`] gives it (the claim first).
    pub bundle: Bundle,
    /// The figures of other claims in the units of the claim's own, as `Store::conflicts_of` compares.
    pub others: Vec<StoredQuantity>,
    /// Its history, as [`Store::claim_history`] gives it.
    pub history: Vec<Change>,
}

impl Store {
    /// A claim's [`ClaimRead`]; `unit_keys` gives, for each figure of the claim, the unit keys whose
    /// figures of other claims are compared with it (`Store::conflicts_of`'s rule).
    pub(crate) fn claim_read(
        &self,
        id: ClaimId,
        unit_keys: impl Fn(&Claim) -> Vec<Vec<String>>,
    ) -> Result<ClaimRead> {
        self.read(|db| {
            let bundle = claim_bundle(db, id)?;
            let mut others = Vec::new();
            if let Some(claim) = bundle.claims.first() {
                for keys in unit_keys(claim) {
                    others.extend(quantities_with_unit(db, &keys, id)?);
                }
            }
            let history = claim_history_holding(db, id, &|kind, entity| held(&bundle, kind, entity))?;
            Ok(ClaimRead {
                bundle,
                others,
                history,
            })
        })
    }
}

/// The value history shows of a record of the claim's bundle, read in the same snapshot as the history
/// (the record's serde JSON, with its standing when it no longer counts: what the history would read
/// back), or `None` when the bundle does not hold it.
fn held(b: &Bundle, kind: EntityKind, entity: Uuid) -> Option<Result<Value>> {
    fn value<R: serde::Serialize, S: serde::Serialize>(record: &R, standing: Option<&S>) -> Result<Value> {
        Ok(with_standing(
            to_json(record)?,
            standing.map(to_json).transpose()?,
        ))
    }
    let none: Option<&Standing<EvidenceId>> = None;
    match kind {
        EntityKind::Claim => b
            .claims
            .iter()
            .find(|c| c.id.as_uuid() == entity)
            .map(|c| value(c, none)),
        EntityKind::Attribution => b
            .attributions
            .iter()
            .find(|a| a.id.as_uuid() == entity)
            .map(|a| value(a, none)),
        EntityKind::ClaimLink => b
            .links
            .iter()
            .find(|l| l.id.as_uuid() == entity)
            .map(|l| value(l, none)),
        EntityKind::Evidence => b.evidence.iter().find(|e| e.id.as_uuid() == entity).map(|e| {
            let standing = b.evidence_standings.iter().find(|s| s.id == e.id);
            value(e, standing.map(|s| &s.standing))
        }),
        EntityKind::Review => b.reviews.iter().find(|r| r.id.as_uuid() == entity).map(|r| {
            let standing = b.review_standings.iter().find(|s| s.id == r.id);
            value(r, standing.map(|s| &s.standing))
        }),
        _ => None,
    }
}

impl SummaryFacts {
    /// The same facts as `summary_facts` (`store/summary.rs`) reads, taken from a claim's records already read (its
    /// bundle), so a reader that has them weighs them without reading again: the
    /// evidence that names a source (without its question and answer type, which the summary does not
    /// show), the records of it that no longer count, each attribution's chain (speaker, relays, the
    /// publication's publisher) and a brief of every source involved, with the root of its affiliation
    /// tree. `sources` must hold every source those name and their ancestors, as a claim's bundle does;
    /// one missing is left out, as the reads' joins leave out a dangling row.
    pub(crate) fn from_records(
        claim: &Claim,
        evidence: &[Evidence],
        withdrawn: &HashSet<EvidenceId>,
        attributions: &[Attribution],
        publications: &[Publication],
        sources: &[Source],
    ) -> SummaryFacts {
        let evidence: Vec<Evidence> = evidence
            .iter()
            .filter(|e| e.source.is_some())
            .map(|e| Evidence {
                question: None,
                answer_type: None,
                ..e.clone()
            })
            .collect();
        let withdrawn: HashSet<EvidenceId> = evidence
            .iter()
            .map(|e| e.id)
            .filter(|id| withdrawn.contains(id))
            .collect();
        if evidence.is_empty() {
            // Nothing to summarise: chains and sources only serve to credit evidence.
            return SummaryFacts {
                claim: claim.id,
                kind: claim.kind,
                evidence,
                withdrawn,
                chains: Vec::new(),
                sources: HashMap::new(),
            };
        }
        let by_id: HashMap<SourceId, &Source> = sources.iter().map(|s| (s.id, s)).collect();
        let known = |s: &SourceId| by_id.contains_key(s);
        let mut involved: Vec<SourceId> = evidence.iter().filter_map(|e| e.source).collect();
        let mut chains: Vec<Vec<SourceId>> = Vec::with_capacity(attributions.len());
        for a in attributions {
            let publisher = a
                .publication
                .and_then(|p| publications.iter().find(|x| x.id == p))
                .and_then(|p| p.publisher);
            let chain: Vec<SourceId> = a.chain().chain(publisher).filter(known).collect();
            involved.extend(&chain);
            if !chain.is_empty() {
                chains.push(chain);
            }
        }
        let mut briefs = HashMap::with_capacity(involved.len());
        for id in involved {
            let Some(source) = by_id.get(&id) else { continue };
            // Up the parents; a hand-made cycle (the store refuses them) stops the walk where it closes.
            let mut root = *source;
            let mut seen = vec![id];
            while let Some(p) = root.part_of.filter(|p| !seen.contains(p)) {
                let Some(parent) = by_id.get(&p) else { break };
                seen.push(p);
                root = parent;
            }
            briefs.entry(id).or_insert_with(|| SourceBrief {
                name: source.name.clone(),
                reliability: source.reliability,
                root: root.id,
                root_name: root.name.clone(),
            });
        }
        SummaryFacts {
            claim: claim.id,
            kind: claim.kind,
            evidence,
            withdrawn,
            chains,
            sources: briefs,
        }
    }
}
