//! Reviews: a desk's verdict on a claim, compatible with schema.org `ClaimReview`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::date::PartialDate;
use super::ids::{ClaimId, ReviewId, SourceId};
use super::text::{self, MAX_TEXT_CHARS};
use super::text_enum;
use crate::error::{Error, Result};

text_enum! {
    /// A verdict on one ordered scale from false to true, plus "unverifiable" outside it.
    ///
    /// The scale is deliberately short; the publisher's own label ("Pants on Fire!", "Four Pinocchios")
    /// is kept verbatim in [`Review::label`].
    Verdict, "verdict" {
        /// The claim is false (LIAR's false and pants-fire).
        False => "false",
        /// Mostly false, or true in a misleading way (LIAR's barely-true).
        MostlyFalse => "mostly_false",
        /// Partly true, partly false, or the evidence conflicts (half-true, mixture, disputed).
        Mixed => "mixed",
        /// Mostly true, missing detail.
        MostlyTrue => "mostly_true",
        /// The claim is true.
        True => "true",
        /// Cannot be established either way with the evidence there is.
        Unverifiable => "unverifiable",
    }
}

impl Verdict {
    /// Position on the ordered scale, 0 (false) to 4 (true); `None` for unverifiable.
    pub fn score(&self) -> Option<u8> {
        match self {
            Verdict::False => Some(0),
            Verdict::MostlyFalse => Some(1),
            Verdict::Mixed => Some(2),
            Verdict::MostlyTrue => Some(3),
            Verdict::True => Some(4),
            Verdict::Unverifiable => None,
        }
    }

    /// The stored name of an optional verdict (`"mostly_false"`), or `"none"` for a review without one:
    /// what CSV and other machine-read columns show.
    pub fn text_of(verdict: Option<Verdict>) -> &'static str {
        verdict.map_or("none", |v| v.as_str())
    }

    /// An optional verdict for people: its stored name, or `"no verdict"` for a review without one (the
    /// rating matched no verdict), never to be read as unverifiable.
    pub fn words_of(verdict: Option<Verdict>) -> &'static str {
        verdict.map_or("no verdict", |v| v.as_str())
    }

    /// The verdict at a position of the scale (0–4).
    pub fn from_score(score: u8) -> Option<Verdict> {
        Verdict::ALL.iter().copied().find(|v| v.score() == Some(score))
    }
}

/// A rating as schema.org `Rating` writes it: `ratingValue` between `worstRating` and `bestRating`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    /// `ratingValue`.
    #[serde(serialize_with = "super::float_without_negative_zero")]
    pub value: f64,
    /// `bestRating`.
    #[serde(serialize_with = "super::float_without_negative_zero")]
    pub best: f64,
    /// `worstRating`.
    #[serde(serialize_with = "super::float_without_negative_zero")]
    pub worst: f64,
    /// `alternateName`: the rating in words, verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternate_name: Option<String>,
}

impl Rating {
    /// A rating; checked when stored.
    pub fn new(value: f64, worst: f64, best: f64) -> Self {
        Self {
            value,
            best,
            worst,
            alternate_name: None,
        }
    }

    /// Checks the numbers are finite, best differs from worst, and value lies between them.
    pub fn validate(&self) -> Result<()> {
        let (lo, hi) = if self.worst <= self.best {
            (self.worst, self.best)
        } else {
            (self.best, self.worst)
        };
        if ![self.value, self.best, self.worst].iter().all(|v| v.is_finite()) || lo == hi {
            return Err(Error::invalid(
                "rating",
                format!(
                    "needs finite numbers with best ≠ worst; got value {} best {} worst {}",
                    self.value, self.best, self.worst
                ),
            ));
        }
        if self.value < lo || self.value > hi {
            return Err(Error::invalid(
                "rating",
                format!("value {} lies outside {lo}..={hi}", self.value),
            ));
        }
        text::opt_label("alternate name", self.alternate_name.as_deref())
    }

    /// Where the value sits between worst (0.0) and best (1.0).
    pub fn normalized(&self) -> f64 {
        (self.value - self.worst) / (self.best - self.worst)
    }
}

/// A stored review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    /// Its id.
    pub id: ReviewId,
    /// The claim reviewed.
    pub claim: ClaimId,
    /// The verdict on the crate's scale; `None` when the publisher's label maps to no verdict (an
    /// unmapped rating such as "Satire" or a house scale claimtrack does not know). That is not
    /// [`Verdict::Unverifiable`], which is a verdict of its own.
    #[serde(default)]
    pub verdict: Option<Verdict>,
    /// The original label, verbatim ("Pants on Fire!", "barely-true", "NOT ENOUGH INFO").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// A numeric rating, when the publisher gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
    /// Who reviewed it (a fact-checker, an editor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<SourceId>,
    /// When the review was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_on: Option<PartialDate>,
    /// Where the review can be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// When it was recorded.
    #[serde(with = "super::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A site as Fact Check Tools names it: the host of a URL (or a bare domain), lower-case, without a
/// leading `www.`; empty when there is none.
pub(crate) fn site_key(s: &str) -> String {
    let s = s.trim();
    let rest = s.split_once("://").map_or(s, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split(':').next().unwrap_or("");
    let host = host.to_ascii_lowercase();
    host.strip_prefix("www.").map(str::to_string).unwrap_or(host)
}

/// The site of a review whose URL is `url` (see [`Review::site`]).
pub(crate) fn site_of_url(url: Option<&str>) -> Option<String> {
    url.map(site_key).filter(|s| !s.is_empty())
}

impl Review {
    /// The site the review was published on: its URL's host, lower-case, without a leading `www.`
    /// (what Fact Check Tools' `reviewPublisherSiteFilter` matches); `None` without a URL.
    ///
    /// # Example
    /// ```
    /// use claimtrack::{NewClaim, NewReview, Store, Verdict};
    /// let store = Store::open_in_memory()?;
    /// let claim = store.add_claim(NewClaim::factual("Water is dry"))?;
    /// let id = store.add_review(claim, NewReview::new(Verdict::False).url("https://www.Example.org/water"))?;
    /// assert_eq!(store.review(id)?.site().as_deref(), Some("example.org"));
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn site(&self) -> Option<String> {
        site_of_url(self.url.as_deref())
    }

    /// Checks every field; the store calls this before writing.
    pub fn validate(&self) -> Result<()> {
        text::opt_label("label", self.label.as_deref())?;
        text::opt("rationale", self.rationale.as_deref(), MAX_TEXT_CHARS)?;
        if let Some(r) = &self.rating {
            r.validate()?;
        }
        if let Some(u) = &self.url {
            text::url(u)?;
        }
        Ok(())
    }
}

/// A review to be added: `NewReview::new(Verdict::MostlyFalse).label("barely-true").by(politifact)`.
#[derive(Debug, Clone)]
#[must_use]
pub struct NewReview {
    verdict: Option<Verdict>,
    label: Option<String>,
    rating: Option<Rating>,
    rationale: Option<String>,
    reviewer: Option<SourceId>,
    reviewed_on: Option<PartialDate>,
    url: Option<String>,
}

impl NewReview {
    /// A review with a verdict.
    pub fn new(verdict: Verdict) -> Self {
        Self::with_verdict(Some(verdict))
    }

    /// A review without a verdict: the publisher's rating (set with [`label`](Self::label)) maps to none
    /// on claimtrack's scale. Shown as "no verdict" in `show`, CSV, JSON and stats, and never counted as
    /// [`Verdict::Unverifiable`].
    ///
    /// ```
    /// use claimtrack::{NewClaim, NewReview, Store};
    /// let store = Store::open_in_memory()?;
    /// let claim = store.add_claim(NewClaim::factual("The moon is made of cheese"))?;
    /// store.add_review(claim, NewReview::unrated().label("Satire"))?;
    /// assert_eq!(store.reviews_of(claim)?[0].verdict, None);
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn unrated() -> Self {
        Self::with_verdict(None)
    }

    /// A review with a verdict or, for `None`, without one (see [`unrated`](Self::unrated)).
    pub fn with_verdict(verdict: Option<Verdict>) -> Self {
        Self {
            verdict,
            label: None,
            rating: None,
            rationale: None,
            reviewer: None,
            reviewed_on: None,
            url: None,
        }
    }
    /// Keeps the publisher's label verbatim.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }
    /// Sets a numeric rating.
    pub fn rating(mut self, rating: Rating) -> Self {
        self.rating = Some(rating);
        self
    }
    /// Sets the rationale.
    pub fn rationale(mut self, text: impl Into<String>) -> Self {
        self.rationale = Some(text.into());
        self
    }
    /// Sets the reviewer.
    pub fn by(mut self, reviewer: SourceId) -> Self {
        self.reviewer = Some(reviewer);
        self
    }
    /// Sets the review date.
    pub fn on(mut self, date: PartialDate) -> Self {
        self.reviewed_on = Some(date);
        self
    }
    /// Sets the review's URL.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }
    /// Whether `stored` gives the same verdict as this one: verdict, label and rating. Importers that
    /// recognise a review they wrote before (by its URL) use it to tell an unchanged review from a changed
    /// one, which they refuse: a review is never overwritten.
    pub(crate) fn same_verdict_as(&self, stored: &Review) -> bool {
        self.verdict == stored.verdict && self.label == stored.label && self.rating == stored.rating
    }

    /// The stored form for `claim`, with a new id and creation time, checked.
    pub fn into_review(self, claim: ClaimId) -> Result<Review> {
        let r = Review {
            id: ReviewId::new(),
            claim,
            verdict: self.verdict,
            label: self.label,
            rating: self.rating,
            rationale: self.rationale,
            reviewer: self.reviewer,
            reviewed_on: self.reviewed_on,
            url: self.url,
            created_at: super::now(),
        };
        r.validate()?;
        Ok(r)
    }
}
