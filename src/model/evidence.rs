//! Evidence: a source's stance on a claim.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::date::PartialDate;
use super::grade::Credibility;
use super::ids::{ClaimId, EvidenceId, PublicationId, SourceId};
use super::text::{self, MAX_TEXT_CHARS};
use super::text_enum;
use crate::error::Result;

text_enum! {
    /// Where a source stands on a claim.
    Stance, "stance" {
        /// The source backs the claim.
        Supports => "supports",
        /// The source contradicts the claim.
        Refutes => "refutes",
        /// The source backs part of it and contradicts part.
        Mixed => "mixed",
        /// The source speaks to it without taking a side.
        Neutral => "neutral",
    }
}

impl Stance {
    /// The opposite stance, for supports/refutes; mixed and neutral have none.
    pub fn opposite(&self) -> Option<Stance> {
        match self {
            Stance::Supports => Some(Stance::Refutes),
            Stance::Refutes => Some(Stance::Supports),
            _ => None,
        }
    }
}

/// A stored piece of evidence. A source may have several over time; the latest counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// Its id.
    pub id: EvidenceId,
    /// The claim it bears on.
    pub claim: ClaimId,
    /// The source taking the stance.
    pub source: SourceId,
    /// Its stance.
    pub stance: Stance,
    /// Admiralty credibility of this piece of information.
    #[serde(default)]
    pub credibility: Credibility,
    /// The words that carry the stance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
    /// Where the source said it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publication: Option<PublicationId>,
    /// When the source took this stance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<PartialDate>,
    /// When it was recorded.
    #[serde(with = "super::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl Evidence {
    /// Checks every field; the store calls this before writing.
    pub fn validate(&self) -> Result<()> {
        text::opt("excerpt", self.excerpt.as_deref(), MAX_TEXT_CHARS)
    }
}

/// Evidence to be added: `NewEvidence::new(source, Stance::Refutes).excerpt("…")`.
#[derive(Debug, Clone)]
#[must_use]
pub struct NewEvidence {
    source: SourceId,
    stance: Stance,
    credibility: Credibility,
    excerpt: Option<String>,
    publication: Option<PublicationId>,
    as_of: Option<PartialDate>,
}

impl NewEvidence {
    /// `source` takes `stance`; credibility 6 (cannot be judged) until graded.
    pub fn new(source: SourceId, stance: Stance) -> Self {
        Self {
            source,
            stance,
            credibility: Credibility::CannotBeJudged,
            excerpt: None,
            publication: None,
            as_of: None,
        }
    }
    /// Sets the Admiralty credibility.
    pub fn credibility(mut self, c: Credibility) -> Self {
        self.credibility = c;
        self
    }
    /// Sets the excerpt.
    pub fn excerpt(mut self, text: impl Into<String>) -> Self {
        self.excerpt = Some(text.into());
        self
    }
    /// Where the source said it.
    pub fn in_publication(mut self, p: PublicationId) -> Self {
        self.publication = Some(p);
        self
    }
    /// When the source took the stance.
    pub fn as_of(mut self, d: PartialDate) -> Self {
        self.as_of = Some(d);
        self
    }
    /// The stored form for `claim`, with a new id and creation time, checked.
    pub fn into_evidence(self, claim: ClaimId) -> Result<Evidence> {
        let e = Evidence {
            id: EvidenceId::new(),
            claim,
            source: self.source,
            stance: self.stance,
            credibility: self.credibility,
            excerpt: self.excerpt,
            publication: self.publication,
            as_of: self.as_of,
            created_at: super::now(),
        };
        e.validate()?;
        Ok(e)
    }
}
