//! Claims: checkable statements, with the figures they contain.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::date::PartialDate;
use super::ids::ClaimId;
use super::text::{self, MAX_NAME_CHARS, MAX_TEXT_CHARS};
use super::text_enum;
use crate::error::{Error, Result};

/// Most quantities one claim may carry.
pub const MAX_QUANTITIES: usize = 64;
/// Most tags one claim may carry.
pub const MAX_TAGS: usize = 64;

text_enum! {
    /// What kind of statement a claim is. Only factual claims can be checked against evidence.
    ClaimKind, "claim kind" {
        /// A statement of fact ("12 million rounds have been shipped").
        Factual => "factual",
        /// A judgement ("an invincible fighting brotherhood").
        Opinion => "opinion",
        /// A statement about the future.
        Prediction => "prediction",
        /// A promise ("unconditional support").
        Pledge => "pledge",
    }
}

impl ClaimKind {
    /// Whether evidence can settle it: only factual claims are checkable.
    pub fn is_checkable(&self) -> bool {
        matches!(self, ClaimKind::Factual)
    }
}

text_enum! {
    /// How a figure is bounded in the text.
    Bound, "bound" {
        /// Exactly the value ("6,000 engineers").
        Exact => "exact",
        /// Approximately the value ("about 12 million rounds").
        About => "about",
        /// The value or more ("at least").
        AtLeast => "at_least",
        /// Strictly more than the value ("more than 10,000 troops").
        MoreThan => "more_than",
        /// The value or fewer ("at most", "up to").
        AtMost => "at_most",
        /// Strictly fewer than the value ("fewer than").
        LessThan => "less_than",
    }
}

/// A figure in a claim: "more than 10,000 troops" is `Quantity::more_than(10_000.0, "troops")`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quantity {
    /// The number as stated.
    #[serde(serialize_with = "super::float_without_negative_zero")]
    pub value: f64,
    /// What is counted or measured ("troops", "artillery rounds", "USD").
    pub unit: String,
    /// How the number is bounded.
    pub bound: Bound,
    /// What the figure is about, when the unit alone does not say it ("North Korean troops in Russia").
    /// Figures are compared only when unit and subject agree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

impl Quantity {
    /// A figure with an explicit bound.
    pub fn new(value: f64, unit: impl Into<String>, bound: Bound) -> Self {
        Self {
            value,
            unit: unit.into(),
            bound,
            subject: None,
        }
    }
    /// Exactly `value`.
    pub fn exact(value: f64, unit: impl Into<String>) -> Self {
        Self::new(value, unit, Bound::Exact)
    }
    /// About `value`.
    pub fn about(value: f64, unit: impl Into<String>) -> Self {
        Self::new(value, unit, Bound::About)
    }
    /// At least `value`.
    pub fn at_least(value: f64, unit: impl Into<String>) -> Self {
        Self::new(value, unit, Bound::AtLeast)
    }
    /// More than `value`.
    pub fn more_than(value: f64, unit: impl Into<String>) -> Self {
        Self::new(value, unit, Bound::MoreThan)
    }
    /// At most `value`.
    pub fn at_most(value: f64, unit: impl Into<String>) -> Self {
        Self::new(value, unit, Bound::AtMost)
    }
    /// Fewer than `value`.
    pub fn less_than(value: f64, unit: impl Into<String>) -> Self {
        Self::new(value, unit, Bound::LessThan)
    }
    /// Says what the figure is about.
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Checks the value is finite and the unit present.
    pub fn validate(&self) -> Result<()> {
        if !self.value.is_finite() {
            return Err(Error::invalid(
                "quantity",
                format!("value must be a finite number, got {}", self.value),
            ));
        }
        text::required("unit", &self.unit, MAX_NAME_CHARS)?;
        text::opt("subject", self.subject.as_deref(), MAX_NAME_CHARS)
    }
}

/// A stored claim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// Its id.
    pub id: ClaimId,
    /// The statement, as worded by the desk.
    pub text: String,
    /// Language of `text`, a BCP 47 tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Factual, opinion, prediction or pledge.
    pub kind: ClaimKind,
    /// Figures the claim states.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quantities: Vec<Quantity>,
    /// The time the claim is about (not when it was said).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<PartialDate>,
    /// When the claim was made: Fact Check Tools' `claimDate`, ClaimReview's `itemReviewed.datePublished`,
    /// a data set's claim date. Not the time it is about, and not when the desk recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub made_on: Option<PartialDate>,
    /// Free tags, distinct, in the order given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// When it was recorded.
    #[serde(with = "super::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl Claim {
    /// Checks every field; the store calls this before writing.
    pub fn validate(&self) -> Result<()> {
        text::required("text", &self.text, MAX_TEXT_CHARS)?;
        if let Some(l) = &self.language {
            text::language(l)?;
        }
        if self.quantities.len() > MAX_QUANTITIES {
            return Err(Error::invalid(
                "quantities",
                format!("{} figures; the limit is {MAX_QUANTITIES}", self.quantities.len()),
            ));
        }
        for q in &self.quantities {
            q.validate()?;
        }
        if self.tags.len() > MAX_TAGS {
            return Err(Error::invalid(
                "tags",
                format!("{} tags; the limit is {MAX_TAGS}", self.tags.len()),
            ));
        }
        for (i, tag) in self.tags.iter().enumerate() {
            text::required("tag", tag, MAX_NAME_CHARS)?;
            if self.tags[..i].contains(tag) {
                return Err(Error::invalid("tag", format!("{tag:?} is given twice")));
            }
        }
        Ok(())
    }
}

/// A claim to be added: `NewClaim::factual("…").quantity(Quantity::about(12e6, "artillery rounds"))`.
#[derive(Debug, Clone)]
#[must_use]
pub struct NewClaim {
    text: String,
    language: Option<String>,
    kind: ClaimKind,
    quantities: Vec<Quantity>,
    about: Option<PartialDate>,
    made_on: Option<PartialDate>,
    tags: Vec<String>,
}

impl NewClaim {
    /// A claim of the given kind.
    pub fn new(text: impl Into<String>, kind: ClaimKind) -> Self {
        Self {
            text: text.into(),
            language: None,
            kind,
            quantities: Vec::new(),
            about: None,
            made_on: None,
            tags: Vec::new(),
        }
    }
    /// A factual (checkable) claim.
    pub fn factual(text: impl Into<String>) -> Self {
        Self::new(text, ClaimKind::Factual)
    }
    /// An opinion.
    pub fn opinion(text: impl Into<String>) -> Self {
        Self::new(text, ClaimKind::Opinion)
    }
    /// A prediction.
    pub fn prediction(text: impl Into<String>) -> Self {
        Self::new(text, ClaimKind::Prediction)
    }
    /// A pledge.
    pub fn pledge(text: impl Into<String>) -> Self {
        Self::new(text, ClaimKind::Pledge)
    }
    /// Sets the language (BCP 47).
    pub fn language(mut self, tag: impl Into<String>) -> Self {
        self.language = Some(tag.into());
        self
    }
    /// Adds a figure.
    pub fn quantity(mut self, q: Quantity) -> Self {
        self.quantities.push(q);
        self
    }
    /// Sets the time the claim is about.
    pub fn about(mut self, when: PartialDate) -> Self {
        self.about = Some(when);
        self
    }
    /// Sets when the claim was made (as opposed to the time it is about).
    ///
    /// # Example
    /// ```
    /// use claimtrack::{NewClaim, PartialDate, Store};
    /// let store = Store::open_in_memory()?;
    /// let id = store.add_claim(NewClaim::factual("Unemployment fell in 2019")
    ///     .about(PartialDate::year(2019)?)
    ///     .made_on(PartialDate::day(2020, 10, 31)?))?;
    /// assert_eq!(store.claim(id)?.made_on, Some(PartialDate::day(2020, 10, 31)?));
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn made_on(mut self, when: PartialDate) -> Self {
        self.made_on = Some(when);
        self
    }
    /// Adds a tag (a repeated tag is kept once).
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        let tag = tag.into();
        if !self.tags.contains(&tag) {
            self.tags.push(tag);
        }
        self
    }
    /// The stored form, with a new id and creation time, checked.
    pub fn into_claim(self) -> Result<Claim> {
        let c = Claim {
            id: ClaimId::new(),
            text: self.text,
            language: self.language,
            kind: self.kind,
            quantities: self.quantities,
            about: self.about,
            made_on: self.made_on,
            tags: self.tags,
            created_at: super::now(),
        };
        c.validate()?;
        Ok(c)
    }
}
