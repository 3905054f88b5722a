//! Read-only reasoning over the store: the answers a fact-checking desk asks of its records.
//!
//! Everything here reads through the [`Store`](crate::Store) and never writes; the SQL it needs lives in
//! the store. The entry points are [`Store`](crate::Store) methods; this module holds what they return
//! and the rules behind them, each stated so a journalist can apply it by hand:
//!
//! | question | method | rule |
//! |---|---|---|
//! | Who backs it, who contradicts it? | [`Store::evidence_summary`] | [`latest_by_source`], [`Outcome`] |
//! | Are the backers independent? | [`Store::evidence_summary`], [`Store::origin_of`] | below |
//! | Through whom did it reach us? | [`Store::attribution_chains`], [`Store::single_relay_claims`] | [`AttributionChain::depth`] |
//! | What contradicts what? | [`Store::conflicts_of`], [`Store::conflicts`] | [`Conflict`], [`QuantityRange`] |
//! | Where is it mentioned? | [`Store::search`] | [`Store::search`] |
//! | Has it been checked already? | [`Store::similar_claims`] | [`similarity`] |
//! | When did it first appear? | [`Store::first_appearance`], [`Store::timeline`] | [`timeline_order`] |
//!
//! # Independent origins, and the circular-reporting trap
//!
//! Intelligence analysts call it *circular reporting*: one report reaches you through several channels
//! and looks like several confirmations. A claim backed by KCNA and by Kim Jong Un is backed by the North
//! Korean state once, not twice; a newspaper repeating Tass repeating Lavrov adds no confirmation to
//! Lavrov. So claimtrack counts **independent origins**, not sources:
//!
//! - **A source's origin is the top of its affiliation tree.** Follow `part_of` and `controlled_by` up
//!   until a source hangs from nothing: KCNA (controlled by the DPRK state) and Kim Jong Un (part of it)
//!   share the origin "Government of North Korea"; Tass and "Russian media" share "Government of Russia".
//! - **A source that passed a claim on is credited to whoever it got it from.** If a source appears in
//!   any of the claim's attribution chains after someone else — as a relay, or as the publisher of the
//!   publication at the end — its stance counts for the origin of the first speaker of that chain (and
//!   so on back, if that speaker in turn relayed someone). Three outlets relaying one ministry are one
//!   origin, however independent the outlets are of each other. When in doubt the rule errs towards
//!   fewer origins: a source recorded both as a relay and as a speaker on the same claim is credited
//!   upstream.
//! - **An origin counts once per side**, however many of its sources take that side.
//!
//! What the count cannot see is a relay the desk did not record: if an outlet copied a wire story without
//! saying so, it looks independent until someone records where it got the story.
//!
//! [`Store::evidence_summary`]: crate::Store::evidence_summary
//! [`Store::origin_of`]: crate::Store::origin_of
//! [`Store::attribution_chains`]: crate::Store::attribution_chains
//! [`Store::single_relay_claims`]: crate::Store::single_relay_claims
//! [`Store::conflicts_of`]: crate::Store::conflicts_of
//! [`Store::conflicts`]: crate::Store::conflicts
//! [`Store::search`]: crate::Store::search
//! [`Store::similar_claims`]: crate::Store::similar_claims
//! [`Store::first_appearance`]: crate::Store::first_appearance
//! [`Store::timeline`]: crate::Store::timeline

mod chains;
mod conflicts;
mod evidence;
mod search;
mod similar;
mod timeline;

// The server's claim read builds chains from attributions it already holds.
#[cfg(feature = "server")]
pub(crate) use chains::chain_of;
pub use chains::{AttributionChain, ChainNode, Hop, RelayBottleneck};
pub use conflicts::{ABOUT_TOLERANCE, Conflict, QuantityRange, comparable, quantities_conflict, unit_key};
pub use evidence::{
    EvidenceSummary, OriginGroup, Outcome, SourceStance, StanceHistory, latest_by_source, outcome_of,
};
pub use search::{MAX_SEARCH_TERMS, MatchedIn, SEARCH_COMMON_ROWS, SEARCH_RANK_WINDOW, SearchHit};
pub use similar::{MAX_SIMILAR, SimilarClaim, similarity};
pub use timeline::{EventKind, FirstAppearance, Timeline, TimelineEvent, timeline_order};

/// The parts of the server's claim read that are weighed, not read: the evidence summary, each
/// attribution's chain and the conflicts, from the records of its one read (`Store::claim_read`), by
/// the very rules of [`Store::evidence_summary`](crate::Store::evidence_summary),
/// [`Store::attribution_chains`](crate::Store::attribution_chains) and
/// [`Store::conflicts_of`](crate::Store::conflicts_of), so the answers never disagree.
#[cfg(feature = "server")]
pub(crate) struct Weighed {
    /// As [`Store::evidence_summary`](crate::Store::evidence_summary) gives it.
    pub summary: EvidenceSummary,
    /// One per attribution, in the attributions' order.
    pub chains: Vec<AttributionChain>,
    /// As [`Store::conflicts_of`](crate::Store::conflicts_of) gives them.
    pub conflicts: Vec<Conflict>,
}

/// Reads a claim for the server ([`crate::store::ClaimRead`]) and weighs it ([`Weighed`]).
#[cfg(feature = "server")]
pub(crate) fn read_and_weigh(
    store: &crate::Store,
    id: crate::ClaimId,
) -> crate::Result<(crate::store::ClaimRead, Weighed)> {
    use std::collections::HashSet;

    use crate::store::analysis::{StoredConflictLink, SummaryFacts};

    let read = store.claim_read(id, conflicts::figure_unit_keys)?;
    let b = &read.bundle;
    let claim = b
        .claims
        .first()
        .ok_or_else(|| crate::Error::not_found("claim", id))?;
    let withdrawn: HashSet<crate::EvidenceId> = b.evidence_standings.iter().map(|s| s.id).collect();
    let facts = SummaryFacts::from_records(
        claim,
        &b.evidence,
        &withdrawn,
        &b.attributions,
        &b.publications,
        &b.sources,
    );
    let links = b
        .links
        .iter()
        .filter(|l| l.kind.is_conflict())
        .map(|l| StoredConflictLink {
            link: l.id,
            from: l.from,
            kind: l.kind,
            to: l.to,
        });
    let weighed = Weighed {
        summary: evidence::summarize(&facts),
        chains: b.attributions.iter().map(chain_of).collect(),
        conflicts: conflicts::conflicts_from(claim, links, &b.evidence, &withdrawn, &read.others),
    };
    Ok((read, weighed))
}
