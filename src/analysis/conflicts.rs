//! Conflict detection: explicit links, opposed sources, and figures that cannot both hold.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use super::evidence::latest_by_source;
use crate::error::Result;
use crate::model::claim::{Bound, Claim, Quantity};
use crate::model::date::PartialDate;
use crate::model::evidence::{Evidence, Stance};
use crate::model::ids::{ClaimId, ClaimLinkId, EvidenceId, SourceId};
use crate::model::link::LinkKind;
use crate::store::Store;
use crate::store::analysis::{StoredConflictLink, StoredQuantity};

/// How far "about" reaches: "about 12 million" is read as anything from 10.8 to 13.2 million (±10%).
pub const ABOUT_TOLERANCE: f64 = 0.10;

/// The numbers a figure allows, as an interval whose ends may be open or closed.
///
/// - exactly *v*: only *v*;
/// - about *v*: *v* ± 10% ([`ABOUT_TOLERANCE`]), ends included;
/// - at least *v*: *v* and above; more than *v*: above *v*, not *v* itself;
/// - at most *v*: *v* and below; fewer than *v*: below *v*, not *v* itself.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QuantityRange {
    /// The lower end (−∞ when unbounded).
    pub low: f64,
    /// Whether `low` itself is allowed.
    pub low_included: bool,
    /// The upper end (+∞ when unbounded).
    pub high: f64,
    /// Whether `high` itself is allowed.
    pub high_included: bool,
}

impl QuantityRange {
    /// The range a figure allows.
    pub fn of(q: &Quantity) -> Self {
        let v = q.value;
        let (low, low_included, high, high_included) = match q.bound {
            Bound::Exact => (v, true, v, true),
            Bound::About => {
                let t = (v * ABOUT_TOLERANCE).abs();
                (v - t, true, v + t, true)
            }
            Bound::AtLeast => (v, true, f64::INFINITY, false),
            Bound::MoreThan => (v, false, f64::INFINITY, false),
            Bound::AtMost => (f64::NEG_INFINITY, false, v, true),
            Bound::LessThan => (f64::NEG_INFINITY, false, v, false),
        };
        Self {
            low,
            low_included,
            high,
            high_included,
        }
    }

    /// Whether `x` is allowed.
    pub fn contains(&self, x: f64) -> bool {
        let above = x > self.low || (self.low_included && x == self.low);
        let below = x < self.high || (self.high_included && x == self.high);
        above && below
    }

    /// A number both ranges allow, if there is one.
    pub fn common_value(&self, other: &QuantityRange) -> Option<f64> {
        let (low, low_in) = match self.low.total_cmp(&other.low) {
            std::cmp::Ordering::Greater => (self.low, self.low_included),
            std::cmp::Ordering::Less => (other.low, other.low_included),
            std::cmp::Ordering::Equal => (self.low, self.low_included && other.low_included),
        };
        let (high, high_in) = match self.high.total_cmp(&other.high) {
            std::cmp::Ordering::Less => (self.high, self.high_included),
            std::cmp::Ordering::Greater => (other.high, other.high_included),
            std::cmp::Ordering::Equal => (self.high, self.high_included && other.high_included),
        };
        if low < high {
            let x = if low.is_finite() && high.is_finite() {
                low / 2.0 + high / 2.0
            } else if low.is_finite() {
                if low_in {
                    low
                } else {
                    low.abs().max(1.0) * 2.0 + low
                }
            } else if high.is_finite() {
                if high_in { high } else { high - high.abs().max(1.0) }
            } else {
                0.0
            };
            // Midpoints of adjacent floats can round onto an excluded end; check before answering.
            (self.contains(x) && other.contains(x)).then_some(x).or_else(|| {
                [low, high]
                    .into_iter()
                    .find(|v| v.is_finite() && self.contains(*v) && other.contains(*v))
            })
        } else if low == high && low_in && high_in {
            Some(low)
        } else {
            None
        }
    }

    /// Whether some number is allowed by both.
    pub fn overlaps(&self, other: &QuantityRange) -> bool {
        self.common_value(other).is_some()
    }
}

/// The form units are compared in: lower case, runs of spaces as one, and a plural "s" dropped from the
/// last word ("Troops" and "troop" match; "artillery rounds" and "rounds" do not).
pub fn unit_key(unit: &str) -> String {
    let lower = unit
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    singular(&lower).to_string()
}

fn singular(word: &str) -> &str {
    if word.len() > 3 && word.ends_with('s') && !word.ends_with("ss") {
        &word[..word.len() - 1]
    } else {
        word
    }
}

fn subject_key(subject: &str) -> String {
    subject
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Whether two figures measure the same thing and can be compared: the same unit (as [`unit_key`]
/// reads it) and, when both say what they are about, the same subject.
pub fn comparable(a: &Quantity, b: &Quantity) -> bool {
    unit_key(&a.unit) == unit_key(&b.unit)
        && match (&a.subject, &b.subject) {
            (Some(x), Some(y)) => subject_key(x) == subject_key(y),
            _ => true,
        }
}

/// Whether two figures contradict each other: they are [`comparable`] and no number satisfies both
/// ("more than 10,000 troops" and "about 3,000 troops" conflict; "more than 10,000" and "11,000" do not).
pub fn quantities_conflict(a: &Quantity, b: &Quantity) -> bool {
    comparable(a, b) && !QuantityRange::of(a).overlaps(&QuantityRange::of(b))
}

/// Whether the periods two claims are about certainly differ (then their figures are not compared:
/// 3,000 troops in 2023 and 10,000 in 2024 do not contradict each other).
fn different_times(a: Option<&PartialDate>, b: Option<&PartialDate>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => matches!(
            x.cmp_known(y),
            Some(std::cmp::Ordering::Less | std::cmp::Ordering::Greater)
        ),
        _ => false,
    }
}

/// Why two claims (or the sources on one claim) cannot all be right.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type")]
#[non_exhaustive]
pub enum Conflict {
    /// The desk linked the claims as contradicting (or one denying the other).
    Linked {
        /// The link.
        link: ClaimLinkId,
        /// The claim the link starts from.
        from: ClaimId,
        /// `contradicts` or `denies`.
        kind: LinkKind,
        /// The claim it points to.
        to: ClaimId,
    },
    /// Sources currently take opposite stances on one claim.
    OpposedSources {
        /// The claim.
        claim: ClaimId,
        /// Sources whose current stance supports it.
        supporting: Vec<SourceId>,
        /// Sources whose current stance refutes it.
        refuting: Vec<SourceId>,
    },
    /// Two claims give figures for the same thing that cannot both hold.
    Figures {
        /// One claim.
        claim: ClaimId,
        /// Its figure.
        figure: Quantity,
        /// The other claim.
        other: ClaimId,
        /// Its figure.
        other_figure: Quantity,
    },
}

impl Conflict {
    /// The claims involved (one for opposed sources, two otherwise).
    pub fn claims(&self) -> Vec<ClaimId> {
        match self {
            Conflict::Linked { from, to, .. } => vec![*from, *to],
            Conflict::OpposedSources { claim, .. } => vec![*claim],
            Conflict::Figures { claim, other, .. } => vec![*claim, *other],
        }
    }
}

fn linked(l: StoredConflictLink) -> Conflict {
    Conflict::Linked {
        link: l.link,
        from: l.from,
        kind: l.kind,
        to: l.to,
    }
}

/// Sources currently on opposite sides of the claim, from its evidence and the records of it that no
/// longer count.
fn opposed(claim: ClaimId, evidence: &[Evidence], withdrawn: &HashSet<EvidenceId>) -> Option<Conflict> {
    let mut supporting = Vec::new();
    let mut refuting = Vec::new();
    for h in latest_by_source(evidence, withdrawn) {
        match h.current.stance {
            Stance::Supports => supporting.push(h.source),
            Stance::Refutes => refuting.push(h.source),
            _ => {}
        }
    }
    (!supporting.is_empty() && !refuting.is_empty()).then_some(Conflict::OpposedSources {
        claim,
        supporting,
        refuting,
    })
}

/// For each of a claim's figures, the unit keys whose figures of other claims are compared with it.
pub(crate) fn figure_unit_keys(claim: &Claim) -> Vec<Vec<String>> {
    claim.quantities.iter().map(|q| sql_unit_keys(&q.unit)).collect()
}

/// Every conflict a claim is part of, from what was read about it: its `contradicts` and `denies` links
/// (oldest first), its evidence with the records that no longer count, and the figures of other claims
/// in its figures' units ([`figure_unit_keys`]). The one rule of [`Store::conflicts_of`] and of the
/// server's claim read, which reads the same records for its other parts.
pub(crate) fn conflicts_from(
    claim: &Claim,
    links: impl IntoIterator<Item = StoredConflictLink>,
    evidence: &[Evidence],
    withdrawn: &HashSet<EvidenceId>,
    others: &[StoredQuantity],
) -> Vec<Conflict> {
    let mut out: Vec<Conflict> = links.into_iter().map(linked).collect();
    out.extend(opposed(claim.id, evidence, withdrawn));
    let mut seen = HashSet::new();
    for c in figure_conflicts(claim, others) {
        // One figure can be fetched twice when two of the claim's figures share a unit.
        if seen.insert(format!("{c:?}")) {
            out.push(c);
        }
    }
    out
}

/// Candidate SQL unit keys (`lower(trim(unit))`) for a unit: as written, with and without a plural "s".
fn sql_unit_keys(unit: &str) -> Vec<String> {
    let k = unit.trim_matches(' ').to_ascii_lowercase();
    let stem = singular(&k).to_string();
    let plural = format!("{stem}s");
    vec![k, stem, plural]
}

fn figure_conflicts(claim: &Claim, others: &[StoredQuantity]) -> Vec<Conflict> {
    let mut out = Vec::new();
    for q in &claim.quantities {
        for o in others {
            if o.claim != claim.id
                && !different_times(claim.about.as_ref(), o.about.as_ref())
                && quantities_conflict(q, &o.quantity)
            {
                out.push(Conflict::Figures {
                    claim: claim.id,
                    figure: q.clone(),
                    other: o.claim,
                    other_figure: o.quantity.clone(),
                });
            }
        }
    }
    out
}

impl Store {
    /// Every conflict a claim is part of: contradicting or denying links (either direction), sources
    /// currently on opposite sides of it, and other claims whose figures cannot hold together with its
    /// own. Read in one snapshot.
    ///
    /// Figures are compared only when they count the same unit and — when both name one — the same
    /// subject, and only when the claims are not about periods that certainly differ.
    ///
    /// # Example
    /// ```
    /// use claimtrack::{NewClaim, Quantity, Store};
    /// use claimtrack::analysis::Conflict;
    /// let store = Store::open_in_memory()?;
    /// let many = store.add_claim(NewClaim::factual("More than 10,000 troops were sent.")
    ///     .quantity(Quantity::more_than(10_000.0, "troops")))?;
    /// let few = store.add_claim(NewClaim::factual("About 3,000 troops were sent.")
    ///     .quantity(Quantity::about(3_000.0, "troops")))?;
    /// store.add_claim(NewClaim::factual("11,000 troops were sent.").quantity(Quantity::exact(11_000.0, "troops")))?;
    /// // "More than 10,000" and "11,000" can both hold; "about 3,000" fits neither.
    /// let of_many = store.conflicts_of(many)?;
    /// assert_eq!(of_many.len(), 1);
    /// assert!(matches!(&of_many[0], Conflict::Figures { other, .. } if *other == few));
    /// assert_eq!(store.conflicts()?.len(), 2); // each pair once
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn conflicts_of(&self, claim: ClaimId) -> Result<Vec<Conflict>> {
        let (facts, links, others) = self.conflict_facts(claim, figure_unit_keys)?;
        Ok(conflicts_from(
            &facts.claim,
            links,
            &facts.evidence,
            &facts.withdrawn,
            &others,
        ))
    }

    /// Every conflict in the store: conflict links, claims with sources on opposite sides, and pairs of
    /// claims with figures that cannot both hold (each pair once).
    ///
    /// Figures are compared pairwise within each unit, so this suits desk-sized stores; on a large archive
    /// ask [`conflicts_of`](Self::conflicts_of) about the claims at hand.
    ///
    /// Shown in the example of [`conflicts_of`](Self::conflicts_of).
    pub fn conflicts(&self) -> Result<Vec<Conflict>> {
        let (links, disputed, quantities) = self.all_conflict_facts()?;
        let mut out: Vec<Conflict> = links.into_iter().map(linked).collect();
        out.extend(
            disputed
                .iter()
                .filter_map(|f| opposed(f.claim.id, &f.evidence, &f.withdrawn)),
        );
        let mut by_unit: BTreeMap<String, Vec<&StoredQuantity>> = BTreeMap::new();
        for q in &quantities {
            by_unit.entry(unit_key(&q.quantity.unit)).or_default().push(q);
        }
        for group in by_unit.values() {
            for (i, a) in group.iter().enumerate() {
                for b in &group[i + 1..] {
                    if a.claim != b.claim
                        && !different_times(a.about.as_ref(), b.about.as_ref())
                        && quantities_conflict(&a.quantity, &b.quantity)
                    {
                        out.push(Conflict::Figures {
                            claim: a.claim,
                            figure: a.quantity.clone(),
                            other: b.claim,
                            other_figure: b.quantity.clone(),
                        });
                    }
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_keys_fold_case_space_and_plural() {
        assert_eq!(unit_key(" Troops "), "troop");
        assert_eq!(unit_key("troop"), "troop");
        assert_eq!(unit_key("artillery   rounds"), "artillery round");
        assert_eq!(unit_key("gas"), "gas");
        assert_eq!(unit_key("glass"), "glass");
        assert!(sql_unit_keys(" Troops").contains(&"troop".to_string()));
        assert!(sql_unit_keys("troop").contains(&"troops".to_string()));
    }
}
