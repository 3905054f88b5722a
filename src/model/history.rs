//! The record of changes, and the standing (current, superseded, retracted) of evidence and reviews.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::text::{self, MAX_NAME_CHARS, MAX_TEXT_CHARS};
use super::text_enum;
use crate::error::{Error, Result};

text_enum! {
    /// The kind of record a [`Change`] is about.
    EntityKind, "entity kind" {
        /// A [`Source`](crate::Source).
        Source => "source",
        /// A [`Publication`](crate::Publication).
        Publication => "publication",
        /// A [`Claim`](crate::Claim).
        Claim => "claim",
        /// An [`Attribution`](crate::Attribution).
        Attribution => "attribution",
        /// An [`Evidence`](crate::Evidence) record.
        Evidence => "evidence",
        /// A [`ClaimLink`](crate::ClaimLink).
        ClaimLink => "claim_link",
        /// A [`Review`](crate::Review).
        Review => "review",
        /// A bulk load through [`Store::batch`](crate::Store::batch): its one entry stands for the
        /// creation of every record it wrote (each record's own history then starts with an `import`
        /// change of this entry's number, time and actor).
        Batch => "batch",
        /// An API token of `claimtrack serve`: its making and revoking (the value is the token's name,
        /// role and times, never its secret).
        Token => "token",
    }
}

/// The most records of one kind a batch may have written for the readers to check them before showing
/// one of them as imported (see [`Unverified`]): checking reads every one of them back, and a claim's
/// history asks for each kind its records have.
pub const BATCH_CHECK_LIMIT: u64 = 1_000;

text_enum! {
    /// Why the value of the `import` change of a record written by [`Store::batch`](crate::Store::batch)
    /// could not be vouched for on this read ([`Change::unverified`]). A batch keeps no copy of its
    /// records, only per kind their number and the sum of their digests; a record's value as imported is
    /// read back (the record as stored now, or the value before of its first own change), so it is shown
    /// as imported only once the batch's records are found to add up to what it wrote.
    Unverified, "unverified" {
        /// The batch's records of this kind no longer add up to what it wrote: one of them was changed
        /// behind the API (or deleted, or one put among them). The sum cannot tell which, so none of
        /// them is shown as imported; [`Store::verify_history`](crate::Store::verify_history) names the
        /// batch, and the record that changed when it can.
        Changed => "changed",
        /// The batch wrote more than [`BATCH_CHECK_LIMIT`] records of this kind, too many to read back on
        /// every read of the history: the value is shown as stored, flagged as not checked on this read;
        /// [`Store::verify_history`](crate::Store::verify_history) (and `claimtrack check`) checks them.
        TooLarge => "too_large",
    }
}

text_enum! {
    /// What a [`Change`] did.
    Operation, "operation" {
        /// The record was created.
        Insert => "insert",
        /// The record was edited in place.
        Update => "update",
        /// The record was deleted.
        Delete => "delete",
        /// The record was created or replaced by a bundle import or a bulk load (or, for evidence and
        /// reviews, given the standing a bundle states).
        Import => "import",
        /// The record (evidence or review) was replaced by a newer version and kept, marked superseded.
        Supersede => "supersede",
        /// The record (evidence or review) was withdrawn and kept, marked retracted; for an API token,
        /// it was revoked (and kept, so its name stays the actor of its past changes).
        Retract => "retract",
    }
}

text_enum! {
    /// Whether an evidence record or a review still counts.
    Status, "status" {
        /// It counts.
        Current => "current",
        /// A newer version replaced it; it is kept as history.
        Superseded => "superseded",
        /// It was withdrawn; it is kept as history.
        Retracted => "retracted",
    }
}

/// The standing of an evidence record or a review: current, or superseded / retracted with a reason.
///
/// `I` is the id type of the record ([`EvidenceId`](crate::EvidenceId) or
/// [`ReviewId`](crate::ReviewId)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound(deserialize = "I: Deserialize<'de>"))]
pub struct Standing<I> {
    /// Current, superseded or retracted.
    pub status: Status,
    /// The newer version, when superseded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<I>,
    /// Why it no longer counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When it stopped counting.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub at: Option<OffsetDateTime>,
}

impl<I> Standing<I> {
    /// The standing of a record that counts.
    pub fn current() -> Self {
        Self {
            status: Status::Current,
            replaced_by: None,
            reason: None,
            at: None,
        }
    }

    /// Whether the record counts. This is the one rule for "current" evidence and reviews; the store's
    /// SQL applies the same rule (`status = 'current'`).
    pub fn is_current(&self) -> bool {
        self.status == Status::Current
    }
}

/// In a [`Bundle`](crate::Bundle): the standing of one evidence record or review that no longer counts,
/// so an export keeps which versions were superseded or retracted, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound(deserialize = "I: Deserialize<'de>"))]
pub struct StandingEntry<I> {
    /// The record.
    pub id: I,
    /// Its standing (superseded or retracted, with reason and time).
    #[serde(flatten)]
    pub standing: Standing<I>,
}

impl<I: PartialEq + std::fmt::Display> StandingEntry<I> {
    /// Checks the entry: superseded or retracted (a record that counts needs no entry), with a reason
    /// and a time, and a successor (not itself) exactly when superseded.
    pub fn validate(&self) -> Result<()> {
        let s = &self.standing;
        if s.status == Status::Current {
            return Err(Error::invalid(
                "status",
                format!("{}: only records that no longer count are listed", self.id),
            ));
        }
        validate_reason(s.reason.as_deref().unwrap_or(""))?;
        if s.at.is_none() {
            return Err(Error::invalid("status time", format!("{}: missing", self.id)));
        }
        match (&s.status, &s.replaced_by) {
            (Status::Superseded, None) => Err(Error::invalid(
                "replaced_by",
                format!("{} is superseded but names no successor", self.id),
            )),
            (Status::Retracted, Some(_)) => Err(Error::invalid(
                "replaced_by",
                format!("{} is retracted, not superseded, so it has no successor", self.id),
            )),
            (_, Some(next)) if *next == self.id => Err(Error::invalid(
                "replaced_by",
                format!("{} cannot supersede itself", self.id),
            )),
            _ => Ok(()),
        }
    }
}

/// One entry of the history: who changed which record, when, how, and its value before and after.
///
/// Values are the records as serialized by serde (as in a [`Bundle`](crate::Bundle)); an evidence record
/// or review that no longer counts carries an extra `"standing"` member with its [`Standing`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Position in the history (increasing; later changes have larger numbers).
    pub seq: i64,
    /// When the change was committed (UTC).
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who made it: the actor set on the store.
    pub actor: String,
    /// The kind of record changed.
    pub kind: EntityKind,
    /// The id of the record changed.
    pub entity: Uuid,
    /// What was done.
    pub operation: Operation,
    /// The record before the change (`None` when it was created).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<serde_json::Value>,
    /// The record after the change (`None` when it was deleted, or when [`unverified`](Self::unverified)
    /// says why its value cannot be shown). The `import` change of a record written by
    /// [`Store::batch`](crate::Store::batch) is read from the batch's one entry, which stores no copy of
    /// its records: its value is the value before of the record's first change, or, while it has none,
    /// the record as stored now, shown only when the batch's records of its kind still add up to the
    /// digest sum the batch wrote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<serde_json::Value>,
    /// Set on the `import` change of a batch's record when its value as imported cannot be vouched for:
    /// [`Unverified::Changed`] (then [`after`](Self::after) is `None`: a value changed behind the API is
    /// never presented as imported) or [`Unverified::TooLarge`] (the value is shown as stored, not
    /// checked on this read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unverified: Option<Unverified>,
    /// Why, when a reason was given (supersessions and retractions always have one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One disagreement between the history and the current state, found by
/// [`Store::verify_history`](crate::Store::verify_history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryProblem {
    /// The kind of record.
    pub kind: EntityKind,
    /// Its id.
    pub entity: Uuid,
    /// What disagrees.
    pub problem: String,
}

/// What [`Store::verify_history`](crate::Store::verify_history) found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryReport {
    /// History entries read.
    pub changes: u64,
    /// Records (and API tokens) in the current state compared with their last history entry.
    pub records: u64,
    /// Every disagreement found (empty when history and state agree).
    pub problems: Vec<HistoryProblem>,
}

impl HistoryReport {
    /// Whether the history agrees with the current state.
    pub fn is_consistent(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The actor recorded when none was set.
pub const DEFAULT_ACTOR: &str = "unknown";

/// Checks an actor name: not blank, no control characters, at most [`MAX_NAME_CHARS`] characters.
pub(crate) fn validate_actor(actor: &str) -> Result<()> {
    text::required("actor", actor, MAX_NAME_CHARS)?;
    // An actor is one name on one line of the history (a newline would forge a second entry's look).
    if actor.chars().any(char::is_control) {
        return Err(crate::error::Error::invalid(
            "actor",
            format!("contains a control character: {:?}", text::shorten(actor, 40)),
        ));
    }
    Ok(())
}

/// Checks the reason for a supersession or retraction: required, bounded, clean.
pub(crate) fn validate_reason(reason: &str) -> Result<()> {
    text::required("reason", reason, MAX_TEXT_CHARS)
}
