//! Similar claims: has this been checked already?

use std::collections::HashSet;

use serde::Serialize;

use crate::error::Result;
use crate::model::ids::ClaimId;
use crate::store::Store;

/// How many candidates the full-text index proposes before they are re-scored.
const CANDIDATES: usize = 60;

/// Most similar claims one lookup returns.
pub const MAX_SIMILAR: usize = 1_000;

/// A stored claim that may be the same claim worded differently.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimilarClaim {
    /// The claim.
    pub claim: ClaimId,
    /// Its text.
    pub text: String,
    /// How alike the wording is, 0 (nothing in common) to 1 (same words), see [`similarity`].
    pub score: f64,
}

const STOPWORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "of", "in", "on", "at", "to", "for", "from", "by", "with", "as",
    "is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "it", "its", "this", "that",
    "these", "those", "which", "who", "whom", "there", "their", "they", "he", "she", "his", "her", "than",
    "then", "so", "also", "into", "about", "over", "only", "do", "does", "did", "will", "would", "can",
    "could", "i", "we", "you", "our", "my", "your", "s",
];

const NEGATIONS: &[&str] = &[
    "not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "t",
];

/// Lower-cased words, digits grouped ("10,000" is one word, 10000).
fn words(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let chars: Vec<char> = lower.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let digit_sep = (c == ',' || c == '.')
            && i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        if c.is_alphanumeric() {
            cur.push(c);
        } else if digit_sep && c == ',' {
            // thousands separator: skip
        } else if digit_sep {
            cur.push(c);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// A crude English stem, enough to make "deployed"/"deploys"/"deploying" meet.
fn stem(w: &str) -> String {
    let n = w.chars().count();
    for (suffix, min) in [("ies", 5), ("ing", 6), ("ed", 5), ("es", 5), ("s", 4)] {
        if n >= min && w.ends_with(suffix) && !w.ends_with("ss") {
            let base = &w[..w.len() - suffix.len()];
            return if suffix == "ies" {
                format!("{base}y")
            } else {
                base.to_string()
            };
        }
    }
    w.to_string()
}

struct Profile {
    terms: HashSet<String>,
    trigrams: HashSet<String>,
    numbers: HashSet<String>,
    negated: bool,
}

fn profile(text: &str) -> Profile {
    let ws = words(text);
    let negated = ws.iter().any(|w| NEGATIONS.contains(&w.as_str()));
    let content: Vec<String> = ws
        .iter()
        .filter(|w| !STOPWORDS.contains(&w.as_str()) && !NEGATIONS.contains(&w.as_str()))
        .map(|w| stem(w))
        .collect();
    let numbers = content
        .iter()
        .filter(|w| w.chars().all(|c| c.is_ascii_digit() || c == '.'))
        .cloned()
        .collect();
    let joined: Vec<char> = format!(" {} ", content.join(" ")).chars().collect();
    let trigrams = joined.windows(3).map(|w| w.iter().collect()).collect();
    Profile {
        terms: content.into_iter().collect(),
        trigrams,
        numbers,
        negated,
    }
}

fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        0.0
    } else {
        a.intersection(b).count() as f64 / union as f64
    }
}

fn score(a: &Profile, b: &Profile) -> f64 {
    let mut s = 0.5 * jaccard(&a.terms, &b.terms) + 0.5 * jaccard(&a.trigrams, &b.trigrams);
    if a.negated != b.negated {
        s *= 0.8;
    }
    if !a.numbers.is_empty() && !b.numbers.is_empty() && a.numbers.is_disjoint(&b.numbers) {
        s *= 0.7;
    }
    s
}

/// How alike two claims are worded, from 0 to 1.
///
/// **The rule:** both texts are cut into words, small words ("the", "of", "is" …) are dropped and English
/// endings trimmed ("deployed" = "deploy"); the score is the mean of the share of words they have in
/// common and the share of three-letter pieces they have in common (which catches spelling variants).
/// It is lowered by a fifth when one text is negated ("not", "never" …) and the other is not, and by
/// three tenths when both give numbers and none of them agree — those are different claims.
pub fn similarity(a: &str, b: &str) -> f64 {
    score(&profile(a), &profile(b))
}

impl Store {
    /// The stored claims most likely to be `text` worded differently, best first, at most `limit`, each
    /// with its [`similarity`] score.
    ///
    /// Works offline from the full-text index: claims sharing the text's less common words are proposed
    /// (a bounded set, so common words cost nothing extra), then re-scored with [`similarity`]. It finds
    /// rewordings that keep some of the same words; a translation or a complete rewrite is out of its
    /// reach. Text without any letter or digit finds nothing; `limit` is capped at [`MAX_SIMILAR`].
    ///
    /// **Exact repeats come first, always.** A stored claim whose text equals `text` after
    /// [`name_key`](crate::name_key) normalisation (case, Unicode normal forms, invisible characters and
    /// spacing ignored) is looked up through an index on that key before anything else, so it is found
    /// however many claims share its words, and listed first (oldest first among several) with score 1.
    ///
    /// ```
    /// let store = claimtrack::Store::open_in_memory()?;
    /// claimtrack::seeds::load_wonsan(&store)?;
    /// let found = store.similar_claims("Pyongyang has sent roughly 12 million artillery shells to Russia", 3)?;
    /// assert!(found[0].text.contains("12 million artillery rounds"));
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn similar_claims(&self, text: &str, limit: usize) -> Result<Vec<SimilarClaim>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        // Candidate words cut as the index cuts them ("10,000" is "10" and "000" there).
        let mut terms: Vec<String> = Vec::new();
        for w in text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            let w = w.to_lowercase();
            if !STOPWORDS.contains(&w.as_str()) && !terms.contains(&w) {
                terms.push(w);
            }
        }
        let limit = limit.min(MAX_SIMILAR);
        let key = crate::model::text::name_key(text);
        let mut exact: Vec<SimilarClaim> = if key.is_empty() {
            Vec::new()
        } else {
            self.claims_with_text_key(&key, limit)?
                .into_iter()
                .map(|(claim, text)| SimilarClaim {
                    claim,
                    text,
                    score: 1.0,
                })
                .collect()
        };
        let query = profile(text);
        let mut found: Vec<SimilarClaim> = self
            .similar_raw(&terms, CANDIDATES.max(limit))?
            .into_iter()
            .filter(|(claim, _)| !exact.iter().any(|e| e.claim == *claim))
            .map(|(claim, t)| SimilarClaim {
                claim,
                score: score(&query, &profile(&t)),
                text: t,
            })
            .collect();
        found.sort_by(|a, b| b.score.total_cmp(&a.score));
        exact.append(&mut found);
        exact.truncate(limit);
        Ok(exact)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_grouped_digits() {
        assert_eq!(
            words("More than 10,000 troops; 1.5 km"),
            vec!["more", "than", "10000", "troops", "1.5", "km"]
        );
    }

    #[test]
    fn similarity_is_one_for_same_text_and_penalises_negation() {
        let a = "Tilda Swinton is a vegan.";
        assert!((similarity(a, a) - 1.0).abs() < 1e-9);
        assert!(similarity(a, "Tilda Swinton is not a vegan.") < similarity(a, "Tilda Swinton is vegan"));
        assert_eq!(similarity("", "anything"), 0.0);
    }
}
