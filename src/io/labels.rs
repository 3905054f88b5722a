//! One verdict scale for many labels.
//!
//! Fact-checkers and data sets each rate claims in their own words: LIAR's six PolitiFact labels, FEVER's
//! `SUPPORTS` / `REFUTES` / `NOT ENOUGH INFO`, Climate-FEVER's extra `DISPUTED`, AVeriTeC's four classes,
//! the free-text `textualRating` Google's Fact Check Tools return in every language ("Mostly false",
//! "Pants on Fire!", "Engañoso", "مضلل", "Yanlış", "Ложь"), and numeric schema.org ratings. [`map_label`]
//! and [`map_rating`] put them on the crate's [`Verdict`] scale.
//!
//! The table of labels is data, not code: [`TABLE_TSV`] (the file `src/io/labels.tsv`, one label per
//! line with its verdict and language, reviewed like code). It covers the ratings used in Fact Check Tools
//! results in English, Arabic, Spanish, Portuguese, French, German, Italian, Indonesian, Hindi, Turkish
//! and Russian, with their usual inflections, and a dozen more languages.
//!
//! The mapping never guesses: a label it does not know is reported as unmapped
//! ([`LabelMapping::verdict`] is `None`) and becomes a review *without* a verdict — not an
//! "unverifiable" one, which is a verdict of its own. The original label is always kept verbatim (up to
//! [`MAX_LABEL_BYTES`], past which it is cut and the cut reported) so a desk
//! can map it by hand later.
//!
//! ```
//! use claimtrack::Verdict;
//! use claimtrack::io::labels::{map_label, map_rating};
//!
//! assert_eq!(map_label("pants-fire").verdict, Some(Verdict::False));
//! assert_eq!(map_label("Pants on Fire!").verdict, Some(Verdict::False));
//! assert_eq!(map_label("NOT ENOUGH INFO").verdict, Some(Verdict::Unverifiable));
//! assert_eq!(map_label("DISPUTED").verdict, Some(Verdict::Mixed));
//! assert_eq!(map_label("YANLIS").verdict, Some(Verdict::False)); // Turkish "Yanlış", without its letters
//! assert_eq!(map_label("مضلل").verdict, Some(Verdict::MostlyFalse)); // Arabic "misleading"
//! assert_eq!(map_label("FALSO: a foto é de 2015").verdict, Some(Verdict::False));
//! let odd = map_label("Full Flop");
//! assert_eq!((odd.verdict, odd.label.as_str()), (None, "Full Flop"));
//! assert_eq!(map_rating(5.0, 1.0, 5.0), Some(Verdict::True));
//!
//! // An over-long free-text rating is cut at a character boundary, and its length reported.
//! let long = "é".repeat(claimtrack::MAX_LABEL_BYTES);
//! let (cut, was) = claimtrack::io::labels::truncate_label(&long);
//! assert!(cut.len() <= claimtrack::MAX_LABEL_BYTES && long.starts_with(&cut));
//! assert_eq!(was, Some(long.len()));
//! // The label table is data; every line of it reads.
//! assert!(claimtrack::io::labels::table_entries().iter().all(|e| e.is_ok()));
//! ```

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::model::review::{NewReview, Rating, Verdict};
use crate::model::text::{MAX_LABEL_BYTES, name_key};

/// The label table: `label <TAB> verdict <TAB> language` per line, `#` comments. See the file's header
/// for its conventions (which words count as misleading, mixed, unverifiable).
pub const TABLE_TSV: &str = include_str!("labels.tsv");

/// A label and where it lands on the verdict scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelMapping {
    /// The label exactly as given; only a label longer than [`MAX_LABEL_BYTES`] is cut (at a character
    /// boundary), and then [`truncated_from`](Self::truncated_from) says so.
    pub label: String,
    /// The verdict it maps to; `None` when the label is not one claimtrack knows (unmapped).
    pub verdict: Option<Verdict>,
    /// The label's length in bytes when it was longer than [`MAX_LABEL_BYTES`] and had to be cut.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncated_from: Option<usize>,
}

impl LabelMapping {
    /// Whether the label was recognised.
    pub fn is_mapped(&self) -> bool {
        self.verdict.is_some()
    }

    /// A review carrying the label verbatim and the verdict it maps to; an unmapped label gives a review
    /// without a verdict (see [`NewReview::unrated`]), never an "unverifiable" one. Callers should report
    /// unmapped labels (see [`is_mapped`](Self::is_mapped)) so a desk can map them by hand.
    pub fn new_review(&self) -> NewReview {
        let review = match self.verdict {
            Some(v) => NewReview::new(v),
            None => NewReview::unrated(),
        };
        if self.label.trim().is_empty() {
            review
        } else {
            review.label(self.label.clone())
        }
    }

    /// A note for an import report when the label had to be cut, naming both lengths.
    pub fn truncation_note(&self) -> Option<String> {
        self.truncated_from.map(|n| {
            format!(
                "the rating is {n} bytes long: its first {} bytes are kept as the label (limit {MAX_LABEL_BYTES})",
                self.label.len()
            )
        })
    }
}

/// `label` cut to at most [`MAX_LABEL_BYTES`] at a character boundary, and its original length in bytes
/// when it was cut. Importers use it for every free-text rating, so an over-long one never costs a record.
pub fn truncate_label(label: &str) -> (String, Option<usize>) {
    if label.len() <= MAX_LABEL_BYTES {
        return (label.to_string(), None);
    }
    let mut end = MAX_LABEL_BYTES;
    while !label.is_char_boundary(end) {
        end -= 1;
    }
    (label[..end].to_string(), Some(label.len()))
}

/// Whether a combining mark is one that spelling may drop: Latin, Greek and Cyrillic accents (so
/// `YANLIS` finds `Yanlış` and `Enganoso` `Engañoso`), Arabic short vowels, shadda and tatweel (written or
/// not at will). Marks that are letters' vowels in other scripts (Devanagari matras) are kept.
fn droppable_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}')
}

/// Characters that end or surround a rating without being part of it.
fn edge(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '.' | '!'
                | '?'
                | '"'
                | '\''
                | '“'
                | '”'
                | '«'
                | '»'
                | '*'
                | '¡'
                | '¿'
                | ':'
                | ';'
                | ','
                | '—'
                | '–'
        )
}

/// The key a label is looked up by: its [`name_key`] (case folded in any script, NFKC, format
/// characters dropped), droppable accents removed, dotless ı and ł read as i and l, `_` and `-` as spaces
/// (a hyphen between spaces as a dash), typographic apostrophes as `'`, surrounding punctuation dropped,
/// spacing collapsed.
///
/// ```
/// use claimtrack::io::labels::label_key;
/// assert_eq!(label_key("  YANLIŞ! "), label_key("Yanlış"));
/// assert_eq!(label_key("C’est faux"), "c'est faux");
/// assert_eq!(label_key("half-true"), "half true");
/// ```
pub fn label_key(label: &str) -> String {
    let folded = name_key(&label.replace(" - ", " — "));
    let plain: String = folded
        .nfd()
        .filter(|c| !droppable_mark(*c))
        .map(|c| match c {
            '_' | '-' | '‐' | '‑' => ' ',
            '’' | '‘' | 'ʼ' | '`' | '´' => '\'',
            'ı' => 'i',
            'ł' => 'l',
            c => c,
        })
        .nfc()
        .collect();
    let trimmed = plain.trim_matches(edge);
    trimmed.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One line of [`TABLE_TSV`]: label, verdict, language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableEntry {
    /// The label as written in the table.
    pub label: &'static str,
    /// Its verdict.
    pub verdict: Verdict,
    /// Its language (BCP 47), or `*` for data sets' labels and cross-language scales.
    pub language: &'static str,
    /// Its line in the file, from 1.
    pub line: usize,
}

/// Every entry of [`TABLE_TSV`], in file order; a line that does not read is an `Err` naming it (the tests
/// check there is none).
pub fn table_entries() -> Vec<std::result::Result<TableEntry, String>> {
    TABLE_TSV
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, l)| {
            let cols: Vec<&str> = l.split('\t').collect();
            match cols.as_slice() {
                [label, verdict, language] => match verdict.parse::<Verdict>() {
                    Ok(v) if !label_key(label).is_empty() => Ok(TableEntry {
                        label,
                        verdict: v,
                        language,
                        line: i + 1,
                    }),
                    Ok(_) => Err(format!("line {}: the label has an empty key: {l:?}", i + 1)),
                    Err(e) => Err(format!("line {}: {e}", i + 1)),
                },
                _ => Err(format!("line {}: expected 3 tab-separated columns: {l:?}", i + 1)),
            }
        })
        .collect()
}

fn table() -> &'static HashMap<String, Verdict> {
    static TABLE: OnceLock<HashMap<String, Verdict>> = OnceLock::new();
    TABLE.get_or_init(|| {
        table_entries()
            .into_iter()
            .flatten()
            .map(|e| (label_key(e.label), e.verdict))
            .collect()
    })
}

fn lookup(key: &str) -> Option<Verdict> {
    table().get(key).copied()
}

/// Words that, after a comma, hedge what came before ("True, but misleading"): such a rating is not
/// read by its opening word.
const BUT: &[&str] = &[
    "but", "however", "mais", "pero", "mas", "ma", "aber", "men", "ama", "tapi", "namun", "но", "але", "ale",
    "maar", "lakin", "لكن", "لكنه", "ولكن",
];

/// Maps a label from any of the supported schemes onto the verdict scale; the label is kept verbatim
/// (cut only past [`MAX_LABEL_BYTES`]).
///
/// Matching goes by [`label_key`] (case, accents, `_`/`-` versus spaces and surrounding punctuation
/// ignored: `"Pants on Fire!"`, `"NOT_ENOUGH_INFO"`, `"half-true"`, `"YANLIS"`). A free-text rating that
/// opens with a known label followed by sentence punctuation (`"False. The photo was taken in 2015"`,
/// `"FALSO: …"`, `"Salah [Misleading Content]"`, `"Correct - the UK gave more"`) maps to that label;
/// anything else, including a hedge such as `"True, but misleading"`, is left unmapped rather than
/// guessed.
pub fn map_label(label: &str) -> LabelMapping {
    let key = label_key(label);
    let verdict = lookup(&key).or_else(|| {
        let (cut, c) = key
            .char_indices()
            .find(|(_, c)| matches!(c, '.' | ':' | ';' | '!' | '—' | '–' | '(' | '[' | ','))?;
        let rest = key[cut + c.len_utf8()..].trim_start();
        if c == ',' && BUT.iter().any(|w| rest.split_whitespace().next() == Some(*w)) {
            return None;
        }
        lookup(label_key(&key[..cut]).as_str())
    });
    let (label, truncated_from) = truncate_label(label);
    LabelMapping {
        label,
        verdict,
        truncated_from,
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
    fn unmapped_labels_become_reviews_without_a_verdict_that_keep_the_label() {
        let claim = crate::model::ids::ClaimId::new();
        let r = map_label("Full Flop").new_review().into_review(claim).unwrap();
        assert_eq!(r.verdict, None);
        assert_eq!(r.label.as_deref(), Some("Full Flop"));
        let r = map_label("barely-true").new_review().into_review(claim).unwrap();
        assert_eq!(
            (r.verdict, r.label.as_deref()),
            (Some(Verdict::MostlyFalse), Some("barely-true"))
        );
        // "Not enough info" is a verdict (unverifiable), not the absence of one.
        let r = map_label("NOT ENOUGH INFO")
            .new_review()
            .into_review(claim)
            .unwrap();
        assert_eq!(r.verdict, Some(Verdict::Unverifiable));
    }

    #[test]
    fn the_table_file_reads_and_agrees_with_itself() {
        let entries = table_entries();
        let bad: Vec<_> = entries.iter().filter_map(|e| e.as_ref().err()).collect();
        assert!(bad.is_empty(), "{bad:#?}");
        let mut seen: HashMap<String, (Verdict, usize)> = HashMap::new();
        for e in entries.into_iter().flatten() {
            if let Some((v, line)) = seen.insert(label_key(e.label), (e.verdict, e.line)) {
                assert_eq!(
                    v, e.verdict,
                    "line {} ({:?}) contradicts line {line}",
                    e.line, e.label
                );
            }
        }
        // The languages the issue names each have a real scale: false, misleading and true at least.
        for lang in ["ar", "es", "pt", "fr", "de", "it", "id", "hi", "tr", "ru", "en"] {
            let verdicts: std::collections::HashSet<Verdict> = table_entries()
                .into_iter()
                .flatten()
                .filter(|e| e.language == lang)
                .map(|e| e.verdict)
                .collect();
            for v in [Verdict::False, Verdict::MostlyFalse, Verdict::True] {
                assert!(verdicts.contains(&v), "{lang} has no label for {v}");
            }
        }
    }

    #[test]
    fn ratings_in_many_languages_with_their_inflections_and_diacritics() {
        for (label, want) in [
            // Arabic, with and without vowel marks and shadda.
            ("زائف", Verdict::False),
            ("كاذب", Verdict::False),
            ("كاذبة", Verdict::False),
            ("خطأ", Verdict::False),
            ("مضلل", Verdict::MostlyFalse),
            ("مضلّل", Verdict::MostlyFalse),
            ("صحيح", Verdict::True),
            ("صحيح جزئياً", Verdict::Mixed),
            // Spanish and Portuguese, accents optional, feminine forms.
            ("Engañoso", Verdict::MostlyFalse),
            ("ENGANOSO", Verdict::MostlyFalse),
            ("Enganosa", Verdict::MostlyFalse),
            ("Verdadero pero…", Verdict::MostlyTrue),
            ("Verdadeiro, mas...", Verdict::MostlyTrue),
            ("Meia-verdade", Verdict::Mixed),
            // French, German, Italian.
            ("C’est faux", Verdict::False),
            ("c'est plutôt vrai", Verdict::MostlyTrue),
            ("Trompeuse", Verdict::MostlyFalse),
            ("IRREFÜHREND", Verdict::MostlyFalse),
            ("Größtenteils falsch", Verdict::MostlyFalse),
            ("GROSSTENTEILS FALSCH", Verdict::MostlyFalse),
            ("Fuorviante", Verdict::MostlyFalse),
            // Indonesian, Hindi, Turkish, Russian.
            ("Keliru", Verdict::False),
            ("Salah [Misleading Content]", Verdict::False),
            ("भ्रामक", Verdict::MostlyFalse),
            ("फ़र्ज़ी", Verdict::False),
            ("Yanlış", Verdict::False),
            ("YANLIS", Verdict::False),
            ("YANLIŞ", Verdict::False),
            ("Kısmen doğru", Verdict::Mixed),
            ("KISMEN DOGRU", Verdict::Mixed),
            ("Ложь", Verdict::False),
            ("ЛОЖЬ", Verdict::False),
            ("Манипуляция", Verdict::MostlyFalse),
            // Hidden characters do not hide a label.
            ("Fal\u{200B}se", Verdict::False),
            ("ＦＡＬＳＥ", Verdict::False),
        ] {
            assert_eq!(v(label), Some(want), "{label:?}");
        }
    }

    #[test]
    fn free_text_ratings_that_open_with_a_label() {
        for (label, want) in [
            (
                "FALSO: A Bahia cultiva trigo desde a década de 1980.",
                Some(Verdict::False),
            ),
            (
                "Faux, la citation datant de 2019 est tronquée.",
                Some(Verdict::False),
            ),
            ("Correct - the UK has given more to Yemen", Some(Verdict::True)),
            ("UNPROVEN – The data is incomplete", Some(Verdict::Unverifiable)),
            (
                "ACCURATE WITH CONSIDERATION: On 28 June 2017, …",
                Some(Verdict::MostlyTrue),
            ),
            (
                "Teilweise falsch. Nach der Corona-Impfung …",
                Some(Verdict::Mixed),
            ),
            ("Falso! La società ha interrotto …", Some(Verdict::False)),
            // Hedged, or not opening with a label: unmapped.
            ("True, but misleading", None),
            ("Falso, ma non del tutto", None),
            (
                "Die Hunde werden nicht eingeschläfert, die Behauptung ist falsch.",
                None,
            ),
            ("It is correct that in 2020 …", None),
        ] {
            assert_eq!(v(label), want, "{label:?}");
        }
    }

    #[test]
    fn long_ratings_are_kept_up_to_the_byte_limit_and_the_cut_is_reported() {
        // A verdict paragraph of 2,138 characters (the issue's case) is a label, kept whole.
        let paragraph = format!("False. {}", "The figure comes from a 2015 report. ".repeat(57));
        assert!(paragraph.chars().count() > 2_000);
        let m = map_label(&paragraph);
        assert_eq!((m.verdict, m.truncated_from), (Some(Verdict::False), None));
        assert_eq!(m.label, paragraph);
        let claim = crate::model::ids::ClaimId::new();
        assert_eq!(m.new_review().into_review(claim).unwrap().label, Some(paragraph));
        // Past the limit: cut at a character boundary (é is two bytes), the original length noted.
        let huge = format!("Faux. {}", "é".repeat(MAX_LABEL_BYTES));
        let m = map_label(&huge);
        assert_eq!(m.truncated_from, Some(huge.len()));
        assert!(m.label.len() <= MAX_LABEL_BYTES && m.label.len() > MAX_LABEL_BYTES - 2);
        assert!(huge.starts_with(&m.label));
        assert_eq!(m.verdict, Some(Verdict::False));
        assert!(m.truncation_note().unwrap().contains(&huge.len().to_string()));
        assert!(m.new_review().into_review(claim).is_ok());
        assert_eq!(truncate_label("short"), ("short".to_string(), None));
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
