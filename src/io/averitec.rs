//! AVeriTeC (Automated Verification of Textual Claims, Schlichtkrull et al., 2023): real-world claims,
//! each broken into questions answered from sources, as in its `train.json` / `dev.json`.
//!
//! The file is one JSON list of claims: `claim`, `label` (`Supported`, `Refuted`, `Not Enough Evidence`,
//! `Conflicting Evidence/Cherrypicking`), `justification`, `claim_date` (`DD-MM-YYYY`), `speaker` and
//! `reporting_source` (free text or null), `original_claim_url`, `fact_checking_article`, and
//! `questions`, each a `question` with `answers`: `answer`, `answer_type` (Extractive, Abstractive,
//! Boolean, Unanswerable), `boolean_explanation`, `source_url`, `source_medium`.
//!
//! What becomes what:
//! - each claim → a factual [`Claim`](crate::Claim) in English, tagged `averitec:<index in the file>`, its
//!   `claim_date` as [`made_on`](crate::Claim::made_on) (the same claim text occurs twice in the data
//!   set, as two records: so it does here);
//! - `speaker` and `reporting_source` → sources (reused by name; a new one of the kind its name shows, see
//!   [`claimant_kind`](super::claimant_kind)) and one attribution: said by the speaker, relayed by the
//!   reporting source; said by the reporting source when no speaker is named; in the publication at
//!   `original_claim_url` when there is one, dated `claim_date`;
//! - `label` → a [`Review`](crate::Review) by the source "AVeriTeC annotators", the label kept verbatim
//!   (mapped by [`map_label`](super::labels::map_label): Supported → true, Refuted → false, Not Enough
//!   Evidence → unverifiable, Conflicting Evidence/Cherrypicking → mixed), the `justification` as its
//!   rationale and `fact_checking_article` as its url;
//! - each answer → an [`Evidence`](crate::Evidence) record carrying its `question` and
//!   [`AnswerType`], the answer as the excerpt (a Boolean answer followed by its
//!   `boolean_explanation`), and stance neutral (AVeriTeC says what each answer says, not which side it
//!   takes); its `source_url` → a publication (matched by URL, a `web.archive.org` copy kept beside the
//!   original, see [`NewPublication::url`](crate::NewPublication::url)) published by a
//!   [`Website`](crate::SourceKind::Website) source named after the original's site — so archived pages
//!   keep their own sites. An empty `source_url`, or `Metadata` (the answer came from the claim's own
//!   metadata), leaves the answer without a source: it is kept, and never counted.
//!
//! Not kept: `claim_types`, `fact_checking_strategies`, `location_ISO_code`, `required_reannotation`,
//! `source_medium`, and the `cached_*` copies of URLs. A record that cannot be read (a bad date, an
//! unknown answer type, a blank claim) refuses the whole file, naming the claim and field.
//!
//! # Example
//! ```
//! use claimtrack::{Store, io::{ImportOptions, averitec}};
//! let store = Store::open_in_memory()?;
//! let file = std::fs::File::open("tests/data/averitec/handmade.json")?;
//! let report = averitec::import(&store, file, ImportOptions::default())?;
//! // Three claims; their questions have four answers, each an evidence record.
//! assert_eq!((report.read, report.added.claims, report.added.evidence), (3, 3, 4));
//! let claim = &store.claims_tagged("averitec:0")?[0];
//! let answers = store.evidence_of(claim.id)?;
//! assert_eq!(answers.len(), 3);
//! assert!(answers.iter().all(|a| a.question.is_some()));
//! # Ok::<(), claimtrack::Error>(())
//! ```

use std::io::Read;

use serde::Deserialize;

use super::{ImportOptions, ImportReport, IssueKind};
use crate::error::{Error, Result};
use crate::model::attribution::NewAttribution;
use crate::model::claim::NewClaim;
use crate::model::date::PartialDate;
use crate::model::evidence::{AnswerType, NewEvidence};
use crate::model::ids::{PublicationId, SourceId};
use crate::model::publication::{NewPublication, site_of};
use crate::model::review::NewReview;
use crate::model::source::{NewSource, SourceKind};
use crate::store::{Batch, Store};

#[derive(Deserialize)]
struct Record {
    claim: String,
    label: Option<String>,
    justification: Option<String>,
    claim_date: Option<String>,
    speaker: Option<String>,
    reporting_source: Option<String>,
    original_claim_url: Option<String>,
    fact_checking_article: Option<String>,
    #[serde(default)]
    questions: Vec<Question>,
}

#[derive(Deserialize)]
struct Question {
    question: String,
    #[serde(default)]
    answers: Vec<Answer>,
}

#[derive(Deserialize)]
struct Answer {
    answer: Option<String>,
    answer_type: Option<String>,
    boolean_explanation: Option<String>,
    source_url: Option<String>,
}

fn parse_err(location: &str, field: &str, reason: impl Into<String>) -> Error {
    Error::Parse {
        location: location.to_string(),
        field: field.to_string(),
        reason: reason.into(),
    }
}

/// `DD-MM-YYYY` (one-digit day or month accepted) as a day.
fn claim_date(text: &str) -> Option<PartialDate> {
    let mut parts = text.trim().split('-');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || d.len() > 2 || m.len() > 2 || y.len() != 4 {
        return None;
    }
    PartialDate::day(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()
}

fn answer_type(text: &str) -> Option<AnswerType> {
    text.trim().to_lowercase().parse().ok()
}

/// Text that is there: trimmed, not blank.
fn present(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A source by name, reused when the store knows it, else new of the kind its name shows.
fn named(b: &mut Batch<'_>, name: &str) -> Result<SourceId> {
    b.find_or_add_source(name, || NewSource::new(name, super::claimant_kind(name)))
}

/// The publication at `url` (matched by URL, archive copies by their original), published by the site.
fn page(b: &mut Batch<'_>, url: &str) -> Result<PublicationId> {
    if let Some(p) = b.find_publication_by_url(url)? {
        return Ok(p);
    }
    let mut new = NewPublication::at_url(url);
    if let Some(site) = site_of(url) {
        let s = b.find_or_add_source(&site, || NewSource::new(site.as_str(), SourceKind::Website))?;
        new = new.publisher(s);
    }
    b.add_publication(new)
}

/// A usable web address among what AVeriTeC puts in a URL field (empty, `Metadata`, a URL).
fn web_url(s: &Option<String>) -> Option<&str> {
    present(s).filter(|u| {
        (u.starts_with("http://") || u.starts_with("https://")) && crate::model::text::url(u).is_ok()
    })
}

/// Imports an AVeriTeC JSON file from `reader` in one transaction, reporting progress as `options` say ([`io::import_file`](super::import_file) reads a path).
pub fn import(store: &Store, mut reader: impl Read, options: ImportOptions<'_>) -> Result<ImportReport> {
    let mut text = String::new();
    reader
        .read_to_string(&mut text)
        .map_err(|e| parse_err("$", "-", format!("cannot read: {e}")))?;
    let records: Vec<Record> = serde_json::from_str(&text).map_err(|e| {
        parse_err(
            &format!("line {} column {}", e.line(), e.column()),
            "-",
            format!("not an AVeriTeC file (a JSON list of claims): {e}"),
        )
    })?;
    let mut report = ImportReport::default();
    options.batch(store, |b| {
        let annotators = super::fever::organisation(
            b,
            "AVeriTeC annotators",
            "AVeriTeC data set (Schlichtkrull et al., 2023), CC BY-NC 4.0; claims checked by annotators",
        )?;
        for (i, rec) in records.into_iter().enumerate() {
            let at = format!("claim {i}");
            b.at(at.clone());
            report.read += 1;
            let text = match super::repair::repair(&rec.claim) {
                std::borrow::Cow::Borrowed(_) => rec.claim.clone(),
                std::borrow::Cow::Owned(fixed) => {
                    report.push(
                        IssueKind::Repaired,
                        format!("claim {}", i),
                        "encoding damage (control characters) repaired",
                    );
                    fixed
                }
            };
            let made_on =
                match present(&rec.claim_date) {
                    Some(d) => Some(claim_date(d).ok_or_else(|| {
                        parse_err(&at, "claim_date", format!("not a DD-MM-YYYY date: {d:?}"))
                    })?),
                    None => None,
                };
            let mut new = NewClaim::factual(text)
                .language("en")
                .tag(format!("averitec:{i}"));
            if let Some(d) = made_on {
                new = new.made_on(d);
            }
            let claim = b.add_claim(new)?;

            let speaker = present(&rec.speaker).map(|s| named(b, s)).transpose()?;
            let reporter = present(&rec.reporting_source).map(|s| named(b, s)).transpose()?;
            let place = web_url(&rec.original_claim_url).map(|u| page(b, u)).transpose()?;
            let attribution = match (speaker, reporter) {
                (Some(s), Some(r)) if s != r => Some(NewAttribution::said_by(s).via(r)),
                (Some(s), _) | (None, Some(s)) => Some(NewAttribution::said_by(s)),
                (None, None) => place.map(NewAttribution::by_publication),
            };
            if let Some(mut a) = attribution {
                if let (Some(p), true) = (place, speaker.is_some() || reporter.is_some()) {
                    a = a.in_publication(p);
                }
                if let Some(d) = made_on {
                    a = a.said_on(d);
                }
                b.attribute(claim, a)?;
            }

            if let Some(label) = present(&rec.label) {
                match super::labels::map_label(label).verdict {
                    Some(v) => {
                        let mut r = NewReview::new(v).label(label).by(annotators);
                        if let Some(j) = present(&rec.justification) {
                            r = r.rationale(j);
                        }
                        if let Some(u) = web_url(&rec.fact_checking_article) {
                            r = r.url(u);
                        }
                        b.add_review(claim, r)?;
                    }
                    None => report.push(IssueKind::Unmapped, format!("claim {}", i), label.to_string()),
                }
            }

            for (qi, q) in rec.questions.iter().enumerate() {
                for (ai, a) in q.answers.iter().enumerate() {
                    let where_ = format!("{at}, question {qi}, answer {ai}");
                    let kind = present(&a.answer_type)
                        .ok_or_else(|| parse_err(&where_, "answer_type", "missing"))?;
                    let kind = answer_type(kind).ok_or_else(|| {
                        parse_err(
                            &where_,
                            "answer_type",
                            format!("{kind:?} is not Extractive, Abstractive, Boolean or Unanswerable"),
                        )
                    })?;
                    let mut e = NewEvidence::answer(q.question.trim(), kind);
                    let words = match (present(&a.answer), present(&a.boolean_explanation)) {
                        (Some(x), Some(why)) => Some(format!("{x} — {why}")),
                        (Some(x), None) => Some(x.to_string()),
                        (None, Some(why)) => Some(why.to_string()),
                        (None, None) => None,
                    };
                    if let Some(w) = words {
                        e = e.excerpt(w);
                    }
                    if let Some(u) = web_url(&a.source_url) {
                        let p = page(b, u)?;
                        e = e.in_publication(p);
                        if let Some(site) = site_of(u) {
                            let s = b.find_or_add_source(&site, || {
                                NewSource::new(site.as_str(), SourceKind::Website)
                            })?;
                            e = e.from_source(s);
                        }
                    }
                    b.add_evidence(claim, e)?;
                }
            }
        }
        report.added_by(b.counts());
        Ok(())
    })?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claim_dates_are_day_month_year() {
        assert_eq!(claim_date("31-10-2020"), PartialDate::day(2020, 10, 31).ok());
        assert_eq!(claim_date("1-2-2020"), PartialDate::day(2020, 2, 1).ok());
        assert_eq!(claim_date("2020-10-31"), None);
        assert_eq!(claim_date("31-02-2020"), None);
        assert_eq!(claim_date("31-10-2020-1"), None);
        assert_eq!(claim_date("--"), None);
    }

    #[test]
    fn answer_types_ignore_case() {
        assert_eq!(answer_type("Boolean"), Some(AnswerType::Boolean));
        assert_eq!(answer_type(" unanswerable "), Some(AnswerType::Unanswerable));
        assert_eq!(answer_type("Yes"), None);
    }
}
