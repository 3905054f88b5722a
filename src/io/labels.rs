//! One verdict scale for many labels.
//!
//! Fact-checkers and data sets each rate claims in their own words: LIAR's six PolitiFact labels, FEVER's
//! `SUPPORTS` / `REFUTES` / `NOT ENOUGH INFO`, Climate-FEVER's extra `DISPUTED`, AVeriTeC's four classes,
//! the free-text `textualRating` Google's Fact Check Tools return ("Mostly false", "Pants on Fire!",
//! "Misleading"), and numeric schema.org ratings. [`map_label`] and [`map_rating`] put them on the crate's
//! [`Verdict`] scale.
//!
//! The mapping never guesses: a label it does not know is reported as unmapped
//! ([`LabelMapping::verdict`] is `None`), and the original label is always kept verbatim so a desk can
//! map it by hand later.
//!
//! ```
//! use claimtrack::Verdict;
//! use claimtrack::io::labels::{map_label, map_rating};
//!
//! assert_eq!(map_label("pants-fire").verdict, Some(Verdict::False));
//! assert_eq!(map_label("Pants on Fire!").verdict, Some(Verdict::False));
//! assert_eq!(map_label("NOT ENOUGH INFO").verdict, Some(Verdict::Unverifiable));
//! assert_eq!(map_label("DISPUTED").verdict, Some(Verdict::Mixed));
//! let odd = map_label("Full Flop");
//! assert_eq!((odd.verdict, odd.label.as_str()), (None, "Full Flop"));
//! assert_eq!(map_rating(5.0, 1.0, 5.0), Some(Verdict::True));
//! ```

use serde::{Deserialize, Serialize};

use crate::model::review::{NewReview, Rating, Verdict};

/// A label and where it lands on the verdict scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelMapping {
    /// The label exactly as given, never altered.
    pub label: String,
    /// The verdict it maps to; `None` when the label is not one claimtrack knows (unmapped).
    pub verdict: Option<Verdict>,
}

impl LabelMapping {
    /// Whether the label was recognised.
    pub fn is_mapped(&self) -> bool {
        self.verdict.is_some()
    }

    /// A review carrying the label verbatim. A review needs a verdict, so an unmapped label is recorded
    /// as [`Verdict::Unverifiable`] — callers should report such labels (see [`is_mapped`](Self::is_mapped))
    /// so a desk can map them by hand.
    pub fn new_review(&self) -> NewReview {
        let review = NewReview::new(self.verdict.unwrap_or(Verdict::Unverifiable));
        if self.label.trim().is_empty() {
            review
        } else {
            review.label(self.label.clone())
        }
    }
}

/// Normalises a label for lookup: lower case, `_` and `-` as spaces, surrounding punctuation dropped,
/// inner whitespace collapsed.
fn normalise(label: &str) -> String {
    let lowered: String = label
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            '_' | '-' | '‐' | '‑' => ' ',
            '’' | '‘' => '\'',
            c => c,
        })
        .collect();
    let trimmed = lowered.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, '.' | '!' | '?' | '"' | '\'' | '“' | '”' | '*' | '¡' | '¿')
    });
    trimmed.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every label claimtrack recognises, normalised (see [`normalise`]), with its verdict.
const TABLE: &[(&str, Verdict)] = &[
    // LIAR / PolitiFact Truth-O-Meter.
    ("pants fire", Verdict::False),
    ("pants on fire", Verdict::False),
    ("false", Verdict::False),
    ("barely true", Verdict::MostlyFalse),
    ("half true", Verdict::Mixed),
    ("mostly true", Verdict::MostlyTrue),
    ("true", Verdict::True),
    // FEVER and Climate-FEVER.
    ("supports", Verdict::True),
    ("refutes", Verdict::False),
    ("not enough info", Verdict::Unverifiable),
    ("disputed", Verdict::Mixed),
    // AVeriTeC.
    ("supported", Verdict::True),
    ("refuted", Verdict::False),
    ("not enough evidence", Verdict::Unverifiable),
    ("conflicting evidence/cherrypicking", Verdict::Mixed),
    ("conflicting evidence / cherrypicking", Verdict::Mixed),
    ("conflicting evidence", Verdict::Mixed),
    ("cherrypicking", Verdict::Mixed),
    // Common free-text ratings (Google Fact Check Tools `textualRating`, ClaimReview `alternateName`).
    ("mostly false", Verdict::MostlyFalse),
    ("mostly untrue", Verdict::MostlyFalse),
    ("misleading", Verdict::MostlyFalse),
    ("exaggerated", Verdict::MostlyFalse),
    ("exaggeration", Verdict::MostlyFalse),
    ("mixture", Verdict::Mixed),
    ("mixed", Verdict::Mixed),
    ("half truth", Verdict::Mixed),
    ("partly true", Verdict::Mixed),
    ("partly false", Verdict::Mixed),
    ("partially true", Verdict::Mixed),
    ("partially false", Verdict::Mixed),
    ("mostly correct", Verdict::MostlyTrue),
    ("largely true", Verdict::MostlyTrue),
    ("largely accurate", Verdict::MostlyTrue),
    ("correct", Verdict::True),
    ("accurate", Verdict::True),
    ("incorrect", Verdict::False),
    ("inaccurate", Verdict::False),
    ("wrong", Verdict::False),
    ("fake", Verdict::False),
    ("hoax", Verdict::False),
    ("fabricated", Verdict::False),
    ("untrue", Verdict::False),
    ("unproven", Verdict::Unverifiable),
    ("unverified", Verdict::Unverifiable),
    ("unverifiable", Verdict::Unverifiable),
    ("unsupported", Verdict::Unverifiable),
    // The Washington Post's Pinocchio scale.
    ("four pinocchios", Verdict::False),
    ("three pinocchios", Verdict::MostlyFalse),
    ("two pinocchios", Verdict::Mixed),
    ("one pinocchio", Verdict::MostlyTrue),
    ("geppetto checkmark", Verdict::True),
    // A few frequent ratings in other languages.
    ("falso", Verdict::False),
    ("faux", Verdict::False),
    ("falsch", Verdict::False),
    ("verdadero", Verdict::True),
    ("verdadeiro", Verdict::True),
    ("vrai", Verdict::True),
    ("wahr", Verdict::True),
    ("engañoso", Verdict::MostlyFalse),
    ("enganoso", Verdict::MostlyFalse),
    ("trompeur", Verdict::MostlyFalse),
    ("irreführend", Verdict::MostlyFalse),
];

fn lookup(normalised: &str) -> Option<Verdict> {
    TABLE.iter().find(|(k, _)| *k == normalised).map(|(_, v)| *v)
}

/// Maps a label from any of the supported schemes onto the verdict scale; the label is kept verbatim.
///
/// Matching ignores case, `_`/`-` versus spaces, and surrounding punctuation (`"Pants on Fire!"`,
/// `"NOT_ENOUGH_INFO"`, `"half-true"`). A free-text rating that opens with a known label followed by
/// sentence punctuation (`"False. The photo was taken in 2015"`, `"Mostly false: …"`) maps to that label;
/// anything else, including `"True, but misleading"`, is left unmapped rather than guessed.
pub fn map_label(label: &str) -> LabelMapping {
    let norm = normalise(label);
    let verdict = lookup(&norm).or_else(|| {
        // "False. The photo …": a known label, then the end of a sentence or clause.
        let cut = norm
            .find(['.', ':', ';', '!', '—', '–', '('])
            .or_else(|| norm.find(" - "))?;
        lookup(normalise(&norm[..cut]).as_str())
    });
    LabelMapping {
        label: label.to_string(),
        verdict,
    }
}

/// Maps a numeric rating onto the verdict scale: its position between `worst` and `best` is spread
/// linearly over the five points false … true and rounded (on PolitiFact's 1–6 scale: 1 false, 2 mostly
/// false, 3–4 mixed, 5 mostly true, 6 true). `None` for numbers that are not a valid rating (not finite,
/// `best == worst`, or the value outside the range).
pub fn map_rating(value: f64, worst: f64, best: f64) -> Option<Verdict> {
    let r = Rating::new(value, worst, best);
    r.validate().ok()?;
    let position = (r.normalized() * 4.0).round();
    Verdict::from_score(position.clamp(0.0, 4.0) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(label: &str) -> Option<Verdict> {
        map_label(label).verdict
    }

    #[test]
    fn liar_labels() {
        assert_eq!(v("pants-fire"), Some(Verdict::False));
        assert_eq!(v("false"), Some(Verdict::False));
        assert_eq!(v("barely-true"), Some(Verdict::MostlyFalse));
        assert_eq!(v("half-true"), Some(Verdict::Mixed));
        assert_eq!(v("mostly-true"), Some(Verdict::MostlyTrue));
        assert_eq!(v("true"), Some(Verdict::True));
    }

    #[test]
    fn fever_climate_fever_and_averitec_labels() {
        assert_eq!(v("SUPPORTS"), Some(Verdict::True));
        assert_eq!(v("REFUTES"), Some(Verdict::False));
        assert_eq!(v("NOT ENOUGH INFO"), Some(Verdict::Unverifiable));
        assert_eq!(v("NOT_ENOUGH_INFO"), Some(Verdict::Unverifiable));
        assert_eq!(v("DISPUTED"), Some(Verdict::Mixed));
        assert_eq!(v("Supported"), Some(Verdict::True));
        assert_eq!(v("Refuted"), Some(Verdict::False));
        assert_eq!(v("Not Enough Evidence"), Some(Verdict::Unverifiable));
        assert_eq!(v("Conflicting Evidence/Cherrypicking"), Some(Verdict::Mixed));
    }

    #[test]
    fn free_text_ratings() {
        assert_eq!(v("Mostly false"), Some(Verdict::MostlyFalse));
        assert_eq!(v("Pants on Fire!"), Some(Verdict::False));
        assert_eq!(v("Misleading"), Some(Verdict::MostlyFalse));
        assert_eq!(v("  FALSE.  "), Some(Verdict::False));
        assert_eq!(v("Four Pinocchios"), Some(Verdict::False));
        assert_eq!(v("Falso"), Some(Verdict::False));
        assert_eq!(v("False. The photo was taken in 2015."), Some(Verdict::False));
        assert_eq!(
            v("Mostly false: the figure is from 2019"),
            Some(Verdict::MostlyFalse)
        );
    }

    #[test]
    fn unknown_and_hedged_labels_stay_unmapped_and_verbatim() {
        for label in [
            "Full Flop",
            "Satire",
            "True, but misleading",
            "",
            "   ",
            "42",
            "Miscaptioned",
        ] {
            let m = map_label(label);
            assert_eq!(m.verdict, None, "{label:?}");
            assert_eq!(m.label, label);
            assert!(!m.is_mapped());
        }
        // Verbatim even when mapped.
        assert_eq!(map_label("Pants on Fire!").label, "Pants on Fire!");
    }

    #[test]
    fn unmapped_labels_become_unverifiable_reviews_that_keep_the_label() {
        let claim = crate::model::ids::ClaimId::new();
        let r = map_label("Full Flop").new_review().into_review(claim).unwrap();
        assert_eq!(r.verdict, Verdict::Unverifiable);
        assert_eq!(r.label.as_deref(), Some("Full Flop"));
        let r = map_label("barely-true").new_review().into_review(claim).unwrap();
        assert_eq!(
            (r.verdict, r.label.as_deref()),
            (Verdict::MostlyFalse, Some("barely-true"))
        );
    }

    #[test]
    fn numeric_ratings() {
        for (value, want) in [
            (1.0, Verdict::False),
            (2.0, Verdict::MostlyFalse),
            (3.0, Verdict::Mixed),
            (4.0, Verdict::MostlyTrue),
            (5.0, Verdict::True),
        ] {
            assert_eq!(map_rating(value, 1.0, 5.0), Some(want), "{value}");
        }
        // PolitiFact's six points.
        let six: Vec<_> = (1..=6).map(|x| map_rating(x as f64, 1.0, 6.0).unwrap()).collect();
        assert_eq!(
            six,
            [
                Verdict::False,
                Verdict::MostlyFalse,
                Verdict::Mixed,
                Verdict::Mixed,
                Verdict::MostlyTrue,
                Verdict::True
            ]
        );
        // A reversed scale (1 best).
        assert_eq!(map_rating(1.0, 5.0, 1.0), Some(Verdict::True));
        assert_eq!(map_rating(0.0, 0.0, 1.0), Some(Verdict::False));
        assert_eq!(map_rating(7.0, 1.0, 5.0), None);
        assert_eq!(map_rating(f64::NAN, 1.0, 5.0), None);
        assert_eq!(map_rating(1.0, 1.0, 1.0), None);
    }
}
