//! Attributions: who said a claim, who relayed it, where it appeared.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::date::PartialDate;
use super::ids::{AttributionId, ClaimId, PublicationId, SourceId};
use super::text::{self, MAX_QUOTE_CHARS};
use super::text_enum;
use crate::error::{Error, Result};

/// Longest relay chain an attribution may have.
pub const MAX_RELAYS: usize = 32;

text_enum! {
    /// How words were passed on at one hop of an attribution chain.
    Mode, "mode" {
        /// The words as spoken, in quotation marks.
        DirectQuote => "direct_quote",
        /// The gist in other words.
        Paraphrase => "paraphrase",
        /// Rendered from another language.
        Translation => "translation",
        /// Condensed: a report of what was said.
        Summary => "summary",
    }
}

/// One relaying source in an attribution chain and how it passed the words on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relay {
    /// The relaying source (KCNA, Tass, "Russian media").
    pub source: SourceId,
    /// How it rendered what it received.
    pub mode: Mode,
}

/// A stored attribution: `speaker` → `relays[0]` → … → `publication`.
///
/// `mode` is how the publication (the last hop) renders the words; each relay carries its own mode.
/// A claim the publication makes in its own voice has no speaker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribution {
    /// Its id.
    pub id: AttributionId,
    /// The claim attributed.
    pub claim: ClaimId,
    /// Who originally said it; `None` when the publication asserts it itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<SourceId>,
    /// Sources that passed it on, from the speaker outwards.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relays: Vec<Relay>,
    /// Where it appeared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publication: Option<PublicationId>,
    /// How the publication renders it.
    pub mode: Mode,
    /// The quoted words, verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    /// When it was said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub said_on: Option<PartialDate>,
    /// When it was recorded.
    #[serde(with = "super::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl Attribution {
    /// Checks every field; the store calls this before writing.
    pub fn validate(&self) -> Result<()> {
        if self.speaker.is_none() && self.publication.is_none() {
            return Err(Error::invalid(
                "speaker",
                "an attribution needs a speaker, a publication, or both",
            ));
        }
        if self.relays.len() > MAX_RELAYS {
            return Err(Error::invalid(
                "relays",
                format!("{} relays; the limit is {MAX_RELAYS}", self.relays.len()),
            ));
        }
        // A source does not pass a claim on to itself: A → A → A is a typing slip, and it would count
        // one source as several hops of the chain.
        let chain: Vec<SourceId> = self.chain().collect();
        if let Some(w) = chain.windows(2).find(|w| w[0] == w[1]) {
            return Err(Error::invalid(
                "relays",
                format!("source {} relays the claim to itself", w[0]),
            ));
        }
        text::opt("quote", self.quote.as_deref(), MAX_QUOTE_CHARS)
    }

    /// The sources in order from the speaker outwards: speaker (if any), then each relay.
    pub fn chain(&self) -> impl Iterator<Item = SourceId> + '_ {
        self.speaker
            .into_iter()
            .chain(self.relays.iter().map(|r| r.source))
    }
}

/// An attribution to be added: `NewAttribution::said_by(kim).via(kcna).quote("…").in_publication(article)`.
#[derive(Debug, Clone)]
#[must_use]
pub struct NewAttribution {
    speaker: Option<SourceId>,
    relays: Vec<Relay>,
    publication: Option<PublicationId>,
    mode: Mode,
    quote: Option<String>,
    said_on: Option<PartialDate>,
}

impl NewAttribution {
    /// Said by `speaker`, paraphrased unless [`quote`](Self::quote) is given.
    pub fn said_by(speaker: SourceId) -> Self {
        Self {
            speaker: Some(speaker),
            relays: Vec::new(),
            publication: None,
            mode: Mode::Paraphrase,
            quote: None,
            said_on: None,
        }
    }
    /// Asserted by the publication in its own voice (no speaker named).
    pub fn by_publication(publication: PublicationId) -> Self {
        Self {
            speaker: None,
            relays: Vec::new(),
            publication: Some(publication),
            mode: Mode::Paraphrase,
            quote: None,
            said_on: None,
        }
    }
    /// Adds a relay that reported (summarised) what it received.
    pub fn via(self, relay: SourceId) -> Self {
        self.via_as(relay, Mode::Summary)
    }
    /// Adds a relay with an explicit mode.
    pub fn via_as(mut self, relay: SourceId, mode: Mode) -> Self {
        self.relays.push(Relay { source: relay, mode });
        self
    }
    /// The publication quotes these words directly.
    pub fn quote(mut self, words: impl Into<String>) -> Self {
        self.quote = Some(words.into());
        self.mode = Mode::DirectQuote;
        self
    }
    /// The publication paraphrases (the default).
    pub fn paraphrase(mut self) -> Self {
        self.mode = Mode::Paraphrase;
        self
    }
    /// Sets how the publication renders the words.
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }
    /// Where it appeared.
    pub fn in_publication(mut self, publication: PublicationId) -> Self {
        self.publication = Some(publication);
        self
    }
    /// When it was said.
    pub fn said_on(mut self, date: PartialDate) -> Self {
        self.said_on = Some(date);
        self
    }
    /// The stored form for `claim`, with a new id and creation time, checked.
    pub fn into_attribution(self, claim: ClaimId) -> Result<Attribution> {
        let a = Attribution {
            id: AttributionId::new(),
            claim,
            speaker: self.speaker,
            relays: self.relays,
            publication: self.publication,
            mode: self.mode,
            quote: self.quote,
            said_on: self.said_on,
            created_at: super::now(),
        };
        a.validate()?;
        Ok(a)
    }
}
