//! Attribution chains: how a claim travelled from the person who said it to the reader.

use serde::Serialize;

use crate::error::Result;
use crate::model::attribution::{Attribution, Mode};
use crate::model::date::PartialDate;
use crate::model::ids::{AttributionId, ClaimId, PublicationId, SourceId};
use crate::store::Store;

/// A stop on an attribution chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainNode {
    /// A person, agency or other source.
    Source(SourceId),
    /// The publication where the reader met the claim.
    Publication(PublicationId),
}

/// One hop of a chain: `to` passed on what it got from `from`, in the way `mode` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Hop {
    /// Who the words came from.
    pub from: ChainNode,
    /// Who passed them on.
    pub to: ChainNode,
    /// How: direct quote, paraphrase, translation or summary.
    pub mode: Mode,
}

/// One path by which a claim reached a publication: from the original speaker through each relay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttributionChain {
    /// The attribution the chain is read from.
    pub attribution: AttributionId,
    /// The claim.
    pub claim: ClaimId,
    /// Where the chain starts: the original speaker, or the publication itself when it makes the claim
    /// in its own voice.
    pub primary: ChainNode,
    /// The hops, from the primary source outwards.
    pub hops: Vec<Hop>,
    /// The quoted words, if any.
    pub quote: Option<String>,
    /// When it was said.
    pub said_on: Option<PartialDate>,
}

impl AttributionChain {
    /// Hops from the primary source to the end of the chain: 0 when a publication asserts the claim
    /// itself, 1 when it reports a speaker directly, and one more for every relay in between.
    pub fn depth(&self) -> usize {
        self.hops.len()
    }

    /// The sources in between the primary source and the publication, in order.
    pub fn relays(&self) -> Vec<SourceId> {
        self.hops
            .iter()
            .filter_map(|h| match h.to {
                ChainNode::Source(s) => Some(s),
                ChainNode::Publication(_) => None,
            })
            .collect()
    }
}

/// Reads one stored (so validated: it has a speaker or a publication) attribution as a chain of hops.
pub(crate) fn chain_of(a: &Attribution) -> AttributionChain {
    let mut relays = a.relays.iter();
    let primary = match (a.speaker, a.publication) {
        (Some(s), _) => ChainNode::Source(s),
        // No speaker: the chain starts at the first relay, or at the publication itself.
        (None, p) => match (relays.next(), p) {
            (Some(r), _) => ChainNode::Source(r.source),
            (None, Some(p)) => ChainNode::Publication(p),
            // Validation refuses an attribution with neither speaker nor publication.
            (None, None) => ChainNode::Publication(PublicationId::from_uuid(uuid::Uuid::nil())),
        },
    };
    let mut hops = Vec::new();
    let mut at = primary;
    for r in relays {
        let to = ChainNode::Source(r.source);
        hops.push(Hop {
            from: at,
            to,
            mode: r.mode,
        });
        at = to;
    }
    if let Some(p) = a.publication {
        let to = ChainNode::Publication(p);
        if at != to {
            hops.push(Hop {
                from: at,
                to,
                mode: a.mode,
            });
        }
    }
    AttributionChain {
        attribution: a.id,
        claim: a.claim,
        primary,
        hops,
        quote: a.quote.clone(),
        said_on: a.said_on,
    }
}

/// A claim whose every recorded route to the reader passes through the same relay(s).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelayBottleneck {
    /// The claim.
    pub claim: ClaimId,
    /// The relays every chain of the claim passes through, in chain order. If any of them got it wrong,
    /// no other recorded route would show it.
    pub relays: Vec<SourceId>,
}

impl Store {
    /// Every path by which a claim reached a publication — original speaker, each relay, publication —
    /// with the depth of each and how every hop passed the words on. Oldest attribution first.
    ///
    /// ```
    /// let store = claimtrack::Store::open_in_memory()?;
    /// claimtrack::seeds::load_wonsan(&store)?;
    /// let putin = store.claims()?.into_iter().find(|c| c.text.starts_with("Vladimir Putin hopes")).unwrap();
    /// let chains = store.attribution_chains(putin.id)?;
    /// // Putin → Lavrov → Tass → the article.
    /// assert_eq!(chains[0].depth(), 3);
    /// assert_eq!(chains[0].relays().len(), 2);
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn attribution_chains(&self, claim: ClaimId) -> Result<Vec<AttributionChain>> {
        Ok(self.attributions_of(claim)?.iter().map(chain_of).collect())
    }

    /// Claims whose only route to the reader runs through a single relay: every attribution of the
    /// claim passes through that relay (a claim said straight to a publication by anyone is not listed).
    /// Oldest claim first.
    ///
    /// # Example
    /// ```
    /// use claimtrack::{NewAttribution, NewClaim, NewSource, SourceKind, Store};
    /// let store = Store::open_in_memory()?;
    /// let kim = store.add_source(NewSource::new("Kim Jong Un", SourceKind::Person))?;
    /// let kcna = store.add_source(NewSource::new("KCNA", SourceKind::NewsAgency))?;
    /// let pledge = store.add_claim(NewClaim::pledge("Unconditional support for Russia."))?;
    /// store.attribute(pledge, NewAttribution::said_by(kim).via(kcna))?;
    /// let only = store.single_relay_claims()?;
    /// assert_eq!((only[0].claim, only[0].relays.clone()), (pledge, vec![kcna]));
    ///
    /// // Heard directly too: no longer hanging on one relay.
    /// store.attribute(pledge, NewAttribution::said_by(kim))?;
    /// assert!(store.single_relay_claims()?.is_empty());
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn single_relay_claims(&self) -> Result<Vec<RelayBottleneck>> {
        // Rows come grouped by claim, oldest claim first.
        let mut out: Vec<RelayBottleneck> = Vec::new();
        for (claim, relay) in self.relay_bottleneck_rows()? {
            match out.last_mut() {
                Some(last) if last.claim == claim => last.relays.push(relay),
                _ => out.push(RelayBottleneck {
                    claim,
                    relays: vec![relay],
                }),
            }
        }
        Ok(out)
    }
}
