//! First appearance and timeline of a claim.

use std::cmp::Ordering;

use serde::Serialize;
use time::OffsetDateTime;

use crate::error::Result;
use crate::model::date::PartialDate;
use crate::model::evidence::Stance;
use crate::model::ids::{AttributionId, ClaimId, EvidenceId, PublicationId, ReviewId, SourceId};
use crate::model::review::Verdict;
use crate::store::Store;
use crate::store::analysis::ClaimFacts;

/// What happened at one point of a claim's life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type")]
#[non_exhaustive]
pub enum EventKind {
    /// Someone said the claim (or a publication carried it).
    Said {
        /// The attribution.
        attribution: AttributionId,
        /// The speaker (`None`: the publication in its own voice).
        speaker: Option<SourceId>,
        /// Where it appeared.
        publication: Option<PublicationId>,
    },
    /// A source took a stance on the claim.
    Stance {
        /// The evidence record.
        evidence: EvidenceId,
        /// The source (`None` for an answer found in no source).
        source: Option<SourceId>,
        /// Its stance then.
        stance: Stance,
    },
    /// A reviewer gave a verdict.
    Reviewed {
        /// The review.
        review: ReviewId,
        /// The verdict; `None` when the reviewer's label maps to no verdict.
        verdict: Option<Verdict>,
    },
}

/// One dated (or undated) event of a claim's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEvent {
    /// When it happened, as precisely as known. For something said: when it was said, or else when the
    /// publication came out. For a stance: its as-of date. For a review: its date.
    pub date: Option<PartialDate>,
    /// When the desk recorded it.
    #[serde(with = "time::serde::rfc3339")]
    pub recorded: OffsetDateTime,
    /// What happened.
    pub kind: EventKind,
}

/// The order of a timeline.
///
/// **The rule:** events go by date, each date taken as the whole period it names — "June 2025" runs from
/// the 1st to the 30th and is never treated as the 1st. A period comes before the events that start
/// inside it ("June 2025" heads the days of June), then events of the same date go by when the desk
/// recorded them. Undated events come last, in the order they were recorded.
pub fn timeline_order(a: &TimelineEvent, b: &TimelineEvent) -> Ordering {
    match (&a.date, &b.date) {
        (Some(x), Some(y)) => x.timeline_cmp(y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
    .then_with(|| a.recorded.cmp(&b.recorded))
}

/// A claim's events in date order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Timeline {
    /// The claim.
    pub claim: ClaimId,
    /// Attributions, evidence and reviews, ordered by [`timeline_order`].
    pub events: Vec<TimelineEvent>,
}

/// The earliest recorded appearance of a claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FirstAppearance {
    /// The earliest attribution.
    pub attribution: AttributionId,
    /// Its date (when said, or else when its publication came out), if known.
    pub date: Option<PartialDate>,
    /// Other attributions the records cannot put after it: the same date, or a date that overlaps it
    /// ("June 2025" against "20 June 2025"). Empty when the first appearance is certain.
    pub possibly_earlier: Vec<AttributionId>,
}

fn events(facts: &ClaimFacts) -> Vec<TimelineEvent> {
    let mut out = Vec::new();
    for a in &facts.attributions {
        let published = a
            .publication
            .and_then(|p| facts.publications.get(&p))
            .and_then(|p| p.published);
        out.push(TimelineEvent {
            date: a.said_on.or(published),
            recorded: a.created_at,
            kind: EventKind::Said {
                attribution: a.id,
                speaker: a.speaker,
                publication: a.publication,
            },
        });
    }
    for e in &facts.evidence {
        out.push(TimelineEvent {
            date: e.as_of,
            recorded: e.created_at,
            kind: EventKind::Stance {
                evidence: e.id,
                source: e.source,
                stance: e.stance,
            },
        });
    }
    for r in &facts.reviews {
        out.push(TimelineEvent {
            date: r.reviewed_on,
            recorded: r.created_at,
            kind: EventKind::Reviewed {
                review: r.id,
                verdict: r.verdict,
            },
        });
    }
    // Stable: events equal in date and recording time keep attributions, evidence, reviews order.
    out.sort_by(timeline_order);
    out
}

pub(crate) fn first_appearance_of(facts: &ClaimFacts) -> Option<FirstAppearance> {
    let said: Vec<TimelineEvent> = events(facts)
        .into_iter()
        .filter(|e| matches!(e.kind, EventKind::Said { .. }))
        .collect();
    let first = said.first()?;
    let id = |e: &TimelineEvent| match e.kind {
        EventKind::Said { attribution, .. } => Some(attribution),
        _ => None,
    };
    let possibly_earlier = match &first.date {
        Some(d) => said[1..]
            .iter()
            .filter(|e| {
                e.date
                    .as_ref()
                    .is_some_and(|x| d.cmp_known(x) != Some(Ordering::Less))
            })
            .filter_map(id)
            .collect(),
        None => Vec::new(),
    };
    Some(FirstAppearance {
        attribution: id(first)?,
        date: first.date,
        possibly_earlier,
    })
}

impl Store {
    /// A claim's timeline: who said it, which stances sources took, and reviews, in date order (see
    /// [`timeline_order`]). Earlier stances a source later changed are included: the timeline is history.
    ///
    /// # Example
    /// ```
    /// use claimtrack::{NewAttribution, NewClaim, NewEvidence, NewSource, PartialDate, SourceKind, Stance, Store};
    /// use claimtrack::analysis::EventKind;
    /// let store = Store::open_in_memory()?;
    /// let nis = store.add_source(NewSource::new("NIS", SourceKind::IntelligenceService))?;
    /// let kcna = store.add_source(NewSource::new("KCNA", SourceKind::NewsAgency))?;
    /// let claim = store.add_claim(NewClaim::factual("Troops were sent."))?;
    /// store.add_evidence(claim, NewEvidence::new(kcna, Stance::Refutes).as_of(PartialDate::day(2024, 10, 25)?))?;
    /// let first = store.attribute(claim, NewAttribution::said_by(nis).said_on(PartialDate::day(2024, 10, 18)?))?;
    /// let later = store.attribute(claim, NewAttribution::said_by(kcna).said_on(PartialDate::month(2025, 4)?))?;
    ///
    /// let events = store.timeline(claim)?.events;
    /// assert!(matches!(events[0].kind, EventKind::Said { .. }));
    /// assert!(matches!(events[1].kind, EventKind::Stance { .. }));
    /// assert_eq!(events[2].date, Some(PartialDate::month(2025, 4)?));
    /// let seen = store.first_appearance(claim)?.expect("said twice");
    /// assert_eq!((seen.attribution, seen.possibly_earlier.is_empty()), (first, true));
    /// # let _ = later;
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn timeline(&self, claim: ClaimId) -> Result<Timeline> {
        let facts = self.claim_facts(claim)?;
        Ok(Timeline {
            claim,
            events: events(&facts),
        })
    }

    /// The earliest recorded appearance of a claim: the first attribution by date (when said, or else
    /// when its publication came out), with any others whose dates are too coarse to tell which came
    /// first. `None` when the claim has no attribution.
    ///
    /// Shown in the example of [`timeline`](Self::timeline).
    pub fn first_appearance(&self, claim: ClaimId) -> Result<Option<FirstAppearance>> {
        Ok(first_appearance_of(&self.claim_facts(claim)?))
    }
}
