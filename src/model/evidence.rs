//! Evidence: a source's stance on a claim.
//!
//! Professional checks (and the AVeriTeC data set) break a claim into questions, each answered from a
//! source: an evidence record can carry the `question` it answers and the [`AnswerType`] of its answer
//! (the answer itself is the `excerpt`). An answer found nowhere ("no answer could be found") has no
//! source: such a record is kept and shown, but as nobody's stance it never counts in a summary.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::date::PartialDate;
use super::grade::Credibility;
use super::ids::{ClaimId, EvidenceId, PublicationId, SourceId};
use super::text::{self, MAX_TEXT_CHARS};
use super::text_enum;
use crate::error::{Error, Result};

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

text_enum! {
    /// How a question's answer was obtained, as AVeriTeC classifies answers.
    AnswerType, "answer type" {
        /// Words taken from the source as they stand.
        Extractive => "extractive",
        /// Written by the checker from what the source says.
        Abstractive => "abstractive",
        /// Yes or no (with the reason in the excerpt).
        Boolean => "boolean",
        /// No answer could be found.
        Unanswerable => "unanswerable",
    }
}

/// A stored piece of evidence. A source may have several over time; the latest counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// Its id.
    pub id: EvidenceId,
    /// The claim it bears on.
    pub claim: ClaimId,
    /// The source taking the stance; `None` for an answer found in no source (it never counts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceId>,
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
    /// The question this record answers, when the check was broken into questions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// How the answer (the `excerpt`) was obtained.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_type: Option<AnswerType>,
    /// When it was recorded.
    #[serde(with = "super::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl Evidence {
    /// Checks every field; the store calls this before writing.
    pub fn validate(&self) -> Result<()> {
        text::opt("excerpt", self.excerpt.as_deref(), MAX_TEXT_CHARS)?;
        text::opt("question", self.question.as_deref(), MAX_TEXT_CHARS)?;
        if self.source.is_none() && self.question.is_none() {
            return Err(Error::invalid(
                "source",
                "evidence needs a source, unless it answers a question (NewEvidence::answer)",
            ));
        }
        if self.answer_type.is_some() && self.question.is_none() {
            return Err(Error::invalid(
                "answer_type",
                "an answer type without the question it answers",
            ));
        }
        Ok(())
    }
}

/// Evidence to be added: `NewEvidence::new(source, Stance::Refutes).excerpt("…")`.
#[derive(Debug, Clone)]
#[must_use]
pub struct NewEvidence {
    source: Option<SourceId>,
    stance: Stance,
    question: Option<String>,
    answer_type: Option<AnswerType>,
    credibility: Credibility,
    excerpt: Option<String>,
    publication: Option<PublicationId>,
    as_of: Option<PartialDate>,
}

impl NewEvidence {
    /// `source` takes `stance`; credibility 6 (cannot be judged) until graded.
    pub fn new(source: SourceId, stance: Stance) -> Self {
        Self {
            source: Some(source),
            stance,
            question: None,
            answer_type: None,
            credibility: Credibility::CannotBeJudged,
            excerpt: None,
            publication: None,
            as_of: None,
        }
    }
    /// The answer to `question`, of type `answer_type`, found in no source (or none is known yet: add one
    /// with [`from_source`](Self::from_source)); the answer's words go in [`excerpt`](Self::excerpt).
    /// Its stance is neutral until set with [`stance`](Self::stance).
    ///
    /// # Example
    /// ```
    /// use claimtrack::{AnswerType, NewClaim, NewEvidence, Store};
    /// let store = Store::open_in_memory()?;
    /// let claim = store.add_claim(NewClaim::factual("Sean Connery refused to appear in an Apple ad"))?;
    /// store.add_evidence(claim, NewEvidence::answer("Did Connery write such a letter?", AnswerType::Unanswerable)
    ///     .excerpt("No answer could be found."))?;
    /// let e = &store.evidence_of(claim)?[0];
    /// assert_eq!((e.source, e.answer_type), (None, Some(AnswerType::Unanswerable)));
    /// // Nobody's stance: it is listed, not counted.
    /// assert!(store.evidence_summary(claim)?.neutral.is_empty());
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn answer(question: impl Into<String>, answer_type: AnswerType) -> Self {
        Self {
            source: None,
            stance: Stance::Neutral,
            question: Some(question.into()),
            answer_type: Some(answer_type),
            credibility: Credibility::CannotBeJudged,
            excerpt: None,
            publication: None,
            as_of: None,
        }
    }
    /// Sets the source the answer comes from.
    pub fn from_source(mut self, source: SourceId) -> Self {
        self.source = Some(source);
        self
    }
    /// Sets the stance.
    pub fn stance(mut self, stance: Stance) -> Self {
        self.stance = stance;
        self
    }
    /// Sets the question this record answers (its answer is the excerpt).
    pub fn question(mut self, question: impl Into<String>, answer_type: AnswerType) -> Self {
        self.question = Some(question.into());
        self.answer_type = Some(answer_type);
        self
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
            question: self.question,
            answer_type: self.answer_type,
            created_at: super::now(),
        };
        e.validate()?;
        Ok(e)
    }
}
