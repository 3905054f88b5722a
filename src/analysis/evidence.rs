//! Evidence summaries and independent corroboration.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use crate::error::Result;
use crate::model::evidence::{Evidence, Stance};
use crate::model::grade::{Credibility, Reliability};
use crate::model::ids::{ClaimId, EvidenceId, SourceId};
use crate::store::Store;
use crate::store::analysis::SummaryFacts;

/// One source's evidence records on one claim: the record that counts now and the ones before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StanceHistory {
    /// The source.
    pub source: SourceId,
    /// The record that counts: the latest (see [`latest_by_source`]).
    pub current: Evidence,
    /// Earlier records of the same source on the same claim, oldest first.
    pub earlier: Vec<Evidence>,
}

impl StanceHistory {
    /// Whether the source ever took a different stance before its current one.
    pub fn changed(&self) -> bool {
        self.earlier.iter().any(|e| e.stance != self.current.stance)
    }
}

/// Orders two records of one source by when the source said it: by `as_of` (a record without a date
/// comes before any dated one; dates of different precision as [`PartialDate::timeline_cmp`] puts them),
/// then by when the record was made.
///
/// [`PartialDate::timeline_cmp`]: crate::PartialDate::timeline_cmp
fn said_order(a: &Evidence, b: &Evidence) -> Ordering {
    let by_date = match (&a.as_of, &b.as_of) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => x.timeline_cmp(y),
    };
    by_date.then_with(|| a.created_at.cmp(&b.created_at))
}

/// Groups evidence records by source and picks, for each source, the record that counts.
///
/// **The rule:** when a source has said several things about a claim, what it said last counts; what it
/// said before stays visible as history. "Last" is by the date the source said it (`as_of`); a record
/// with no date counts as older than any dated one; two records with the same date are ordered by when
/// the desk recorded them, and after that by the order they were stored.
///
/// A record the desk has withdrawn — superseded by a revision or retracted (see
/// [`Store::revise_evidence`](crate::Store::revise_evidence) and
/// [`Store::retract_evidence`](crate::Store::retract_evidence)) — never counts, whatever its date; it
/// stays visible among the earlier records. A source all of whose records were withdrawn has no current
/// stance and is left out.
///
/// This is the one place that decides which record is current: every summary, count and conflict in
/// this module goes through it. Sources come out in the order of their first record.
pub fn latest_by_source(evidence: &[Evidence], withdrawn: &HashSet<EvidenceId>) -> Vec<StanceHistory> {
    let mut order: Vec<SourceId> = Vec::new();
    let mut by_source: HashMap<SourceId, Vec<&Evidence>> = HashMap::new();
    // An answer found in no source is nobody's stance: it never counts.
    for (source, e) in evidence.iter().filter_map(|e| Some((e.source?, e))) {
        by_source
            .entry(source)
            .or_insert_with(|| {
                order.push(source);
                Vec::new()
            })
            .push(e);
    }
    order
        .into_iter()
        .filter_map(|s| {
            let mut records = by_source.remove(&s)?;
            // A stable sort: records equal in date and creation time keep their stored order.
            records.sort_by(|a, b| said_order(a, b));
            let at = records.iter().rposition(|e| !withdrawn.contains(&e.id))?;
            let current = records.remove(at).clone();
            Some(StanceHistory {
                source: s,
                current,
                earlier: records.into_iter().cloned().collect(),
            })
        })
        .collect()
}

/// A source's current stance on a claim, with what the summary needs to show and weigh it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceStance {
    /// The source.
    pub source: SourceId,
    /// Its name.
    pub name: String,
    /// Its Admiralty reliability grade.
    pub reliability: Reliability,
    /// Its current record (stance, credibility, excerpt, date) and earlier ones.
    pub history: StanceHistory,
    /// When the source passed on someone else's words on this claim (it appears after them in an
    /// attribution chain, as a relay or as the publication's publisher): the original speaker it is
    /// credited to.
    pub relayed_from: Option<SourceId>,
    /// The independent origin this stance is credited to: the root of the affiliation tree of the source,
    /// or of the original speaker when the source only relayed.
    pub origin: SourceId,
    /// Whether the stance is weighed in the outcome (see [`Outcome`]).
    pub weighed: bool,
}

impl SourceStance {
    /// The current stance.
    pub fn stance(&self) -> Stance {
        self.history.current.stance
    }
    /// The current record's credibility.
    pub fn credibility(&self) -> Credibility {
        self.history.current.credibility
    }
}

/// One independent origin and the sources credited to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OriginGroup {
    /// The origin: the root of an affiliation tree (the DPRK state, the Russian state, an independent
    /// outlet that hangs from nothing).
    pub origin: SourceId,
    /// The origin's name.
    pub name: String,
    /// The sources whose current stance is credited to it, in the summary's order.
    pub sources: Vec<SourceId>,
}

/// The overall picture of the evidence on a claim, in the four outcomes fact-checking research uses
/// (FEVER's SUPPORTS / REFUTES / NOT ENOUGH INFO, and Climate-FEVER's DISPUTED).
///
/// **The rule**, counting only weighed evidence (a source's current stance, unless the source is graded
/// E "unreliable" or the information 5 "improbable") and counting *independent origins*, not sources:
/// - **Supported**: at least one origin supports the claim, and no origin refutes it or is mixed on it.
/// - **Refuted**: at least one origin refutes the claim, and no origin supports it or is mixed on it.
/// - **Conflicting evidence**: origins stand on both sides, or some origin's evidence is mixed (it backs
///   part of the claim and contradicts part).
/// - **Not enough evidence**: no weighed evidence supports, refutes or is mixed — only neutral records,
///   only unreliable or improbable ones, or none at all.
///
/// The outcome says where the recorded evidence points; it is not a verdict (that is a [`Review`]).
/// For opinions, pledges and predictions it only says whether sources back the statement as reported.
///
/// [`Review`]: crate::Review
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Backed, and not contradicted.
    Supported,
    /// Contradicted, and not backed.
    Refuted,
    /// Evidence on both sides, or mixed.
    ConflictingEvidence,
    /// Nothing weighed either way.
    NotEnoughEvidence,
}

impl Outcome {
    /// The outcome in words.
    pub fn describe(&self) -> &'static str {
        match self {
            Outcome::Supported => "supported",
            Outcome::Refuted => "refuted",
            Outcome::ConflictingEvidence => "conflicting evidence",
            Outcome::NotEnoughEvidence => "not enough evidence",
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.describe())
    }
}

/// Who backs and who contradicts a claim, source by source and origin by origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceSummary {
    /// The claim.
    pub claim: ClaimId,
    /// Whether the claim is factual, so that evidence can settle it.
    pub checkable: bool,
    /// Sources whose current stance supports the claim.
    pub supporting: Vec<SourceStance>,
    /// Sources whose current stance refutes it.
    pub conflicting: Vec<SourceStance>,
    /// Sources whose current stance is mixed.
    pub mixed: Vec<SourceStance>,
    /// Sources whose current stance is neutral.
    pub neutral: Vec<SourceStance>,
    /// Independent origins of the weighed supporting stances.
    pub origins_for: Vec<OriginGroup>,
    /// Independent origins of the weighed refuting stances.
    pub origins_against: Vec<OriginGroup>,
    /// Independent origins of the weighed mixed stances.
    pub origins_mixed: Vec<OriginGroup>,
    /// The overall picture.
    pub outcome: Outcome,
}

impl EvidenceSummary {
    /// How many independent origins back the claim.
    pub fn independent_for(&self) -> usize {
        self.origins_for.len()
    }
    /// How many independent origins contradict the claim.
    pub fn independent_against(&self) -> usize {
        self.origins_against.len()
    }
    /// Every source with a current stance, in the order supporting, conflicting, mixed, neutral.
    pub fn all(&self) -> impl Iterator<Item = &SourceStance> {
        self.supporting
            .iter()
            .chain(&self.conflicting)
            .chain(&self.mixed)
            .chain(&self.neutral)
    }
}

/// The source whose words `source` passed on, following relays back: while the source appears anywhere
/// in the claim's chains after someone else (as a relay or a publisher), step to the first source of
/// that chain. A source that never passes anyone's words on is its own originator.
pub(crate) fn originator(source: SourceId, chains: &[Vec<SourceId>]) -> SourceId {
    let mut current = source;
    let mut seen = vec![current];
    loop {
        let upstream = chains
            .iter()
            .find(|c| c.iter().skip(1).any(|s| *s == current))
            .and_then(|c| c.first().copied());
        match upstream {
            Some(u) if !seen.contains(&u) => {
                seen.push(u);
                current = u;
            }
            _ => return current,
        }
    }
}

fn counted(v: &[SourceStance]) -> Vec<&SourceStance> {
    v.iter().filter(|s| s.weighed).collect()
}

fn weighed(reliability: Reliability, credibility: Credibility) -> bool {
    reliability != Reliability::E && credibility != Credibility::Improbable
}

fn group(stances: &[&SourceStance], facts: &SummaryFacts) -> Vec<OriginGroup> {
    let mut groups: BTreeMap<usize, OriginGroup> = BTreeMap::new();
    let mut index: HashMap<SourceId, usize> = HashMap::new();
    for s in stances {
        let next = index.len();
        let i = *index.entry(s.origin).or_insert(next);
        groups
            .entry(i)
            .or_insert_with(|| OriginGroup {
                origin: s.origin,
                name: facts
                    .sources
                    .values()
                    .find(|b| b.root == s.origin)
                    .map(|b| b.root_name.clone())
                    .unwrap_or_default(),
                sources: Vec::new(),
            })
            .sources
            .push(s.source);
    }
    groups.into_values().collect()
}

/// Applies the [`Outcome`] rule to origin counts.
pub fn outcome_of(origins_for: usize, origins_against: usize, origins_mixed: usize) -> Outcome {
    match (origins_for > 0, origins_against > 0, origins_mixed > 0) {
        (false, false, false) => Outcome::NotEnoughEvidence,
        (true, false, false) => Outcome::Supported,
        (false, true, false) => Outcome::Refuted,
        _ => Outcome::ConflictingEvidence,
    }
}

pub(crate) fn summarize(facts: &SummaryFacts) -> EvidenceSummary {
    let root = |s: SourceId| facts.sources.get(&s).map_or(s, |b| b.root);
    let mut summary = EvidenceSummary {
        claim: facts.claim,
        checkable: facts.kind.is_checkable(),
        supporting: Vec::new(),
        conflicting: Vec::new(),
        mixed: Vec::new(),
        neutral: Vec::new(),
        origins_for: Vec::new(),
        origins_against: Vec::new(),
        origins_mixed: Vec::new(),
        outcome: Outcome::NotEnoughEvidence,
    };
    for history in latest_by_source(&facts.evidence, &facts.withdrawn) {
        let source = history.source;
        let info = facts.sources.get(&source);
        let reliability = info.map_or(Reliability::F, |b| b.reliability);
        let from = originator(source, &facts.chains);
        let stance = SourceStance {
            source,
            name: info.map(|b| b.name.clone()).unwrap_or_default(),
            reliability,
            weighed: weighed(reliability, history.current.credibility),
            relayed_from: (from != source).then_some(from),
            origin: root(from),
            history,
        };
        match stance.stance() {
            Stance::Supports => summary.supporting.push(stance),
            Stance::Refutes => summary.conflicting.push(stance),
            Stance::Mixed => summary.mixed.push(stance),
            Stance::Neutral => summary.neutral.push(stance),
        }
    }
    summary.origins_for = group(&counted(&summary.supporting), facts);
    summary.origins_against = group(&counted(&summary.conflicting), facts);
    summary.origins_mixed = group(&counted(&summary.mixed), facts);
    summary.outcome = outcome_of(
        summary.origins_for.len(),
        summary.origins_against.len(),
        summary.origins_mixed.len(),
    );
    summary
}

impl Store {
    /// Who backs and who contradicts a claim: each source's current stance with its grades, excerpt,
    /// date and earlier stances; the independent origins on each side; and the overall [`Outcome`].
    ///
    /// Read in one snapshot. Fails with [`Error::NotFound`](crate::Error::NotFound) for an unknown claim.
    ///
    /// ```
    /// use claimtrack::analysis::Outcome;
    /// let store = claimtrack::Store::open_in_memory()?;
    /// claimtrack::seeds::load_wonsan(&store)?;
    /// let troops = store.claims()?.into_iter().find(|c| c.text == "North Korean troops are deployed to Russia").unwrap();
    /// let summary = store.evidence_summary(troops.id)?;
    /// // Lavrov and "Russian media" both back it, but both sit under the Russian state: one origin.
    /// assert_eq!(summary.supporting.len(), 2);
    /// assert_eq!(summary.independent_for(), 1);
    /// assert_eq!(summary.outcome, Outcome::Supported);
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn evidence_summary(&self, claim: ClaimId) -> Result<EvidenceSummary> {
        Ok(summarize(&self.summary_facts(claim)?))
    }

    /// The root of a source's affiliation tree: the source every `part_of` / `controlled_by` link leads up
    /// to (the source itself when it hangs from nothing). Sources with the same root are one origin.
    ///
    /// # Example
    /// ```
    /// use claimtrack::{NewSource, SourceKind, Store};
    /// let store = Store::open_in_memory()?;
    /// let state = store.add_source(NewSource::new("Russian state", SourceKind::GovernmentBody))?;
    /// let tass = store.add_source(NewSource::new("Tass", SourceKind::NewsAgency).controlled_by(state))?;
    /// let desk = store.add_source(NewSource::new("Tass foreign desk", SourceKind::Organisation).part_of(tass))?;
    /// assert_eq!(store.origin_of(desk)?, state);
    /// assert_eq!(store.origin_of(state)?, state);
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn origin_of(&self, source: SourceId) -> Result<SourceId> {
        self.affiliation_root(source)
    }
}
