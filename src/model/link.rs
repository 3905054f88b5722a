//! Claim-to-claim links.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::ids::{ClaimId, ClaimLinkId};
use super::text::{self, MAX_TEXT_CHARS};
use super::text_enum;
use crate::error::{Error, Result};

text_enum! {
    /// How one claim relates to another (`from` *kind* `to`).
    LinkKind, "link kind" {
        /// Both cannot be true.
        Contradicts => "contradicts",
        /// Each makes the other more likely.
        Corroborates => "corroborates",
        /// The same claim worded differently.
        Duplicates => "duplicates",
        /// A newer version that replaces the other.
        Supersedes => "supersedes",
        /// An explicit denial of the other ("Pyongyang denies sending troops").
        Denies => "denies",
    }
}

impl LinkKind {
    /// Whether the link says the two claims cannot both hold.
    pub fn is_conflict(&self) -> bool {
        matches!(self, LinkKind::Contradicts | LinkKind::Denies)
    }
}

/// A stored link between two claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimLink {
    /// Its id.
    pub id: ClaimLinkId,
    /// The claim the link starts from.
    pub from: ClaimId,
    /// How `from` relates to `to`.
    pub kind: LinkKind,
    /// The claim the link points to.
    pub to: ClaimId,
    /// Why the desk linked them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// When it was recorded.
    #[serde(with = "super::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl ClaimLink {
    /// A new link with a fresh id.
    pub fn new(from: ClaimId, kind: LinkKind, to: ClaimId) -> Result<Self> {
        let l = Self {
            id: ClaimLinkId::new(),
            from,
            kind,
            to,
            note: None,
            created_at: super::now(),
        };
        l.validate()?;
        Ok(l)
    }

    /// Sets the note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// Checks every field; the store calls this before writing.
    pub fn validate(&self) -> Result<()> {
        if self.from == self.to {
            return Err(Error::invalid(
                "link",
                format!("a claim cannot be linked to itself ({})", self.from),
            ));
        }
        text::opt("note", self.note.as_deref(), MAX_TEXT_CHARS)
    }
}
