//! Google Fact Check Tools API results (`claims:search`).
//!
//! The API answers `{"claims": [{"text", "claimant", "claimDate", "claimReview": [{"publisher": {"name",
//! "site"}, "url", "title", "reviewDate", "textualRating", "languageCode"}]}], "nextPageToken"}`. [`import`]
//! takes one such page (or a list of pages, or a bare list of claims) and writes, in one transaction:
//!
//! - each claim, in the language of its first review's `languageCode`;
//! - its `claimDate` as the claim's [`made_on`](crate::Claim::made_on);
//! - its claimant as a source (when new, of the kind its name shows — a website, a platform account, a
//!   crowd — else [`SourceKind::Unknown`]: the API does not say, see [`claimant_kind`])
//!   and an attribution dated `claimDate`;
//! - one source per publisher, with its `site` as an alias, so later records find it by either;
//! - one review per `claimReview`: the `textualRating` kept verbatim as the label and mapped with
//!   [`map_label`] (unmapped ratings are listed in the report and recorded without a verdict; a
//!   rating longer than [`MAX_LABEL_BYTES`](crate::MAX_LABEL_BYTES) is cut and the cut noted), the review's `title` as its rationale, `reviewDate`, `url`, and the publisher as
//!   reviewer.
//!
//! Existing sources are matched by name or alias, never duplicated. A claim imported before (same text,
//! a review at one of the same URLs) is not added again; it only gains the reviews it lacks, so importing
//! the same page twice adds nothing. A review imported before whose `textualRating` has changed since is
//! not written (a review is never overwritten) and is listed in the report, naming the stored review:
//! publish a correction with `Store::correct_review`. Any field may be missing; text may
//! be in any language and script. Whatever could not be read is listed in the [`ImportReport`].
//!
//! ```
//! use claimtrack::{Store, Verdict, io::factcheck};
//! let page = r#"{"claims": [{
//!   "text": "Drinking hot water cures the flu", "claimant": "Viral post", "claimDate": "2020-03-01T00:00:00Z",
//!   "claimReview": [{"publisher": {"name": "Desk Checks", "site": "deskchecks.example"},
//!                    "url": "https://deskchecks.example/flu", "title": "No, hot water does not cure flu",
//!                    "reviewDate": "2020-03-03T10:00:00Z", "textualRating": "False", "languageCode": "en"}]
//! }]}"#;
//! let store = Store::open_in_memory()?;
//! let report = factcheck::import(&store, page.as_bytes(), claimtrack::io::ImportOptions::default())?;
//! let claim = &store.claims()?[0];
//! let review = &store.reviews_of(claim.id)?[0];
//! assert_eq!((review.verdict, review.label.as_deref()), (Some(Verdict::False), Some("False")));
//! assert_eq!(store.find_source("deskchecks.example")?.map(|s| s.name), Some("Desk Checks".into()));
//! assert!(report.issues.is_empty());
//!
//! // A page already parsed (here the same one again) imports the same way: nothing is added twice.
//! let doc: serde_json::Value = serde_json::from_str(page).unwrap();
//! let again = factcheck::import_value(&store, &doc, claimtrack::io::ImportOptions::default())?;
//! assert_eq!((again.inserted, again.unchanged), (0, 2)); // the claim and its review, known already
//! # Ok::<(), claimtrack::Error>(())
//! ```

use std::io::Read;

use serde_json::{Map, Value};

use super::claimreview::date;
use super::labels::map_label;
use super::stream::{self, Place};
use super::{ImportIssue, ImportOptions, ImportReport, IssueKind, Obj, claimant_kind, describe};
use crate::error::{Error, Result};
use crate::model::attribution::NewAttribution;
use crate::model::claim::NewClaim;
use crate::model::ids::{ClaimId, SourceId};
use crate::model::review::Review;
use crate::model::source::{NewSource, SourceKind};
use crate::store::{Batch, Store};

/// How Fact Check Tools results nest their claims: pages (or lists of pages) with a `claims` list.
const SHAPE: stream::Shape = stream::Shape {
    list_key: "claims",
    list_is_container: false,
};

/// Reads Fact Check Tools results and imports them in one transaction; see the [module docs](self).
///
/// A claim that cannot be read is skipped and listed in the report; with [`ImportOptions::strict`] the
/// first such claim refuses the whole input with a typed error naming it, and nothing is written. A claim
/// that gives a key twice counts as unreadable: which of the two values is meant is unknown.
///
/// The input is read claim by claim, never whole: memory stays bounded whatever its size (one page, a
/// list of pages, a bare list of claims), each claim held to
/// [`MAX_RECORD_BYTES`](super::MAX_RECORD_BYTES).
///
/// # Example
/// ```
/// use claimtrack::{Error, Store, io::{ImportOptions, factcheck}};
/// let page = r#"{"claims": [{"text": "One", "claimReview": [{"textualRating": "False"}]},
///                           {"text": "Two", "claimReview": [{"textualRating": "True", "textualRating": "False"}]}]}"#;
/// let store = Store::open_in_memory()?;
/// let err = factcheck::import(&store, page.as_bytes(), ImportOptions::default().strict()).unwrap_err();
/// assert!(matches!(&err, Error::Parse { location, field, .. }
///     if location.starts_with("$.claims[1]") && field == "$.claims[1].claimReview[0].textualRating"), "{err}");
/// assert!(store.claims()?.is_empty());
/// let report = factcheck::import(&store, page.as_bytes(), ImportOptions::default())?;
/// assert_eq!(store.claims()?.len(), 1);
/// assert!(report.issues.iter().any(|i| i.location.starts_with("$.claims[1].") && i.message.contains("given twice")));
/// # Ok::<(), claimtrack::Error>(())
/// ```
pub fn import<R: Read>(store: &Store, input: R, options: ImportOptions<'_>) -> Result<ImportReport> {
    let strictness = options.strictness;
    options.batch(store, |b| {
        let mut importer = Importer {
            b,
            report: stream::Collector::new(strictness),
        };
        stream::walk(input, SHAPE, &mut importer)?;
        Ok(importer.report.finish(importer.b.counts()))
    })
}

/// [`import`] for a document already parsed.
pub fn import_value(store: &Store, doc: &Value, options: ImportOptions<'_>) -> Result<ImportReport> {
    let strictness = options.strictness;
    options.batch(store, |b| {
        let mut importer = Importer {
            b,
            report: stream::Collector::new(strictness),
        };
        stream::walk_value(doc, SHAPE, &mut importer)?;
        Ok(importer.report.finish(importer.b.counts()))
    })
}

/// The import's state between claims.
struct Importer<'b, 'c> {
    b: &'b mut Batch<'c>,
    report: stream::Collector,
}

impl Importer<'_, '_> {
    fn issue(&mut self, record: &str, kind: IssueKind, message: String) -> Result<()> {
        self.report.push(
            record,
            ImportIssue {
                kind,
                location: record.to_string(),
                message,
            },
        )
    }

    fn claim(&mut self, path: &str, claim: &Map<String, Value>) -> Result<()> {
        self.report.read_one();
        let mut local = ImportReport::default();
        if self.report.strict() {
            self.b.at(path);
        }
        match self
            .b
            .attempt(|b| one(b, Obj::new(claim, path.to_string()), &mut local))
        {
            Ok(()) => self.report.merge(path, local),
            // A strict import stops at the first claim it cannot take, naming it.
            Err(e) if self.report.strict() => Err(e),
            Err(e) => self.issue(path, IssueKind::Skipped, format!("not imported: {e}")),
        }
    }
}

/// The error for a document that is not Fact Check Tools results.
fn not_results(path: &str, found: &Value) -> Error {
    Error::Parse {
        location: path.to_string(),
        field: "claims".into(),
        reason: format!(
            "expected a Fact Check Tools claims:search result ({{\"claims\": [...]}}), found {}",
            describe(found)
        ),
    }
}

impl stream::Sink for Importer<'_, '_> {
    fn record(&mut self, r: stream::Record) -> Result<()> {
        let path = r.path;
        if let Some(key) = r.duplicate {
            return self.report.push(
                &path,
                ImportIssue {
                    kind: IssueKind::Skipped,
                    location: key,
                    message: format!(
                        "this key is given twice; which value is meant is unknown, so the claim {path} is not imported"
                    ),
                },
            );
        }
        match (r.place, r.value) {
            // Inside `claims`: a claim, or something to skip.
            (Place::Element, Value::Object(m)) => self.claim(&path, &m),
            (Place::Element, other) => self.issue(
                &path,
                IssueKind::Skipped,
                format!("expected a claim object, found {}", describe(&other)),
            ),
            (Place::List, Value::Null) => Ok(()),
            (Place::List, other) => Err(Error::Parse {
                location: path.rsplit_once('.').map_or("$", |(p, _)| p).to_string(),
                field: "claims".into(),
                reason: format!("expected a list of claims, found {}", describe(&other)),
            }),
            // A page without `claims`: an empty result page is `{}`; a bare claim is imported.
            (Place::Container, Value::Object(m))
                if m.is_empty() || (m.len() == 1 && m.contains_key("nextPageToken")) =>
            {
                Ok(())
            }
            (Place::Container, Value::Object(m))
                if m.contains_key("text") || m.contains_key("claimReview") =>
            {
                self.claim(&path, &m)
            }
            (Place::Container, other) => Err(not_results(&path, &other)),
        }
    }

    fn container(&mut self, path: &str, rest: Map<String, Value>, duplicate: Option<String>) -> Result<()> {
        if let Some(key) = duplicate {
            // Both lists were read (none is dropped): a note, not a skip — but a strict import takes a
            // key given twice as a damaged file, as it does inside a record.
            let message = format!("the key {key} is given twice in a result page");
            if self.report.strict() {
                return Err(Error::Parse {
                    location: path.to_string(),
                    field: key,
                    reason: format!("{message} (a strict import refuses it: nothing was imported)"),
                });
            }
            self.report.push(
                path,
                ImportIssue {
                    kind: IssueKind::Note,
                    location: key,
                    message: format!("{message}; the claims of each were read"),
                },
            )?;
        }
        for (k, x) in rest {
            if k != "nextPageToken" {
                self.report.push(
                    path,
                    ImportIssue {
                        kind: IssueKind::Ignored,
                        location: format!("{path}.{k}"),
                        message: format!("not kept: {}", super::short_json(&x)),
                    },
                )?;
            }
        }
        Ok(())
    }
}

fn publisher(b: &mut Batch<'_>, o: &Obj<'_>, report: &mut ImportReport) -> Result<Option<SourceId>> {
    let Some(v) = o.get("publisher") else {
        return Ok(None);
    };
    let Value::Object(m) = v else {
        report.push(
            IssueKind::Skipped,
            o.at("publisher"),
            format!("expected an object, found {}", describe(v)),
        );
        return Ok(None);
    };
    let p = Obj::new(m, o.at("publisher"));
    let name = p.text("name", report);
    let site = p.text("site", report);
    p.finish(report);
    for key in [&name, &site].into_iter().flatten() {
        if let Some(id) = b.find_source(key)? {
            return Ok(Some(id));
        }
    }
    let Some(shown) = name.clone().or_else(|| site.clone()) else {
        return Ok(None);
    };
    let mut new = NewSource::new(shown, SourceKind::Organisation);
    if let (Some(_), Some(site)) = (&name, &site) {
        new = new.alias(site.clone());
    }
    Ok(Some(b.add_source(new)?))
}

fn one(b: &mut Batch<'_>, c: Obj<'_>, report: &mut ImportReport) -> Result<()> {
    let Some(text) = c.text("text", report) else {
        return Err(Error::Parse {
            location: c.path().to_string(),
            field: "text".into(),
            reason: "missing: the claim has no text".into(),
        });
    };
    let reviews: Vec<(String, &serde_json::Map<String, Value>)> = match c.get("claimReview") {
        Some(Value::Array(list)) => list
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let p = format!("{}[{i}]", c.at("claimReview"));
                match r {
                    Value::Object(m) => Some((p, m)),
                    other => {
                        report.push(
                            IssueKind::Skipped,
                            p,
                            format!("expected a review object, found {}", describe(other)),
                        );
                        None
                    }
                }
            })
            .collect(),
        Some(Value::Object(m)) => vec![(c.at("claimReview"), m)],
        Some(other) => {
            report.push(
                IssueKind::Skipped,
                c.at("claimReview"),
                format!("expected a list of reviews, found {}", describe(other)),
            );
            Vec::new()
        }
        None => Vec::new(),
    };
    // A claim seen before (same text, a review at one of the same URLs) gains only the reviews it lacks.
    for (_, r) in &reviews {
        if let Some(Value::String(url)) = r.get("url") {
            if let Some(existing) = b.claim_reviewed_at(url, &text)? {
                report.unchanged += 1;
                report.push(
                    IssueKind::Note,
                    c.path().to_string(),
                    format!("already imported as claim {existing}; only reviews it lacks are added"),
                );
                for (path, r) in reviews {
                    add_review(b, existing, Obj::new(r, path), report)?;
                }
                return Ok(());
            }
        }
    }
    if !reviews
        .iter()
        .any(|(_, r)| matches!(r.get("url"), Some(Value::String(_))))
    {
        report.push(
            IssueKind::Note,
            c.path().to_string(),
            "no review has a url, so a later import cannot recognise this claim and will add it again",
        );
    }
    let mut new_claim = NewClaim::factual(text);
    // The claim's language is that of its first review with a usable languageCode.
    for (_, r) in &reviews {
        if let Some(Value::String(l)) = r.get("languageCode") {
            if crate::model::text::language(l).is_ok() {
                new_claim = new_claim.language(l.clone());
                break;
            }
        }
    }
    // claimDate is when the claim was made: the claim's own date, and its claimant's attribution's.
    let said_on = date(&c, "claimDate", report);
    if let Some(d) = said_on {
        new_claim = new_claim.made_on(d);
    }
    let claim = b.add_claim(new_claim)?;

    if let Some(name) = c.text("claimant", report) {
        let speaker = match b.find_source(&name)? {
            Some(id) => id,
            None => b.add_source(NewSource::new(name.clone(), claimant_kind(&name)))?,
        };
        let mut a = NewAttribution::said_by(speaker);
        if let Some(d) = said_on {
            a = a.said_on(d);
        }
        b.attribute(claim, a)?;
    }

    for (path, r) in reviews {
        add_review(b, claim, Obj::new(r, path), report)?;
    }
    let _ = c.get("claimReview");
    c.finish(report);
    Ok(())
}

/// Adds one `claimReview` to `claim`, unless the claim already has a review at the same URL.
fn add_review(b: &mut Batch<'_>, claim: ClaimId, r: Obj<'_>, report: &mut ImportReport) -> Result<()> {
    if let Some(Value::String(url)) = r.get("url") {
        let known: Vec<Review> = b
            .reviews_at_url(url)?
            .into_iter()
            .filter(|x| x.claim == claim)
            .collect();
        if !known.is_empty() {
            // Imported before: unchanged, or a changed verdict, which is refused (never overwritten).
            let words = match r.get("textualRating") {
                Some(Value::String(w)) => w.as_str(),
                _ => "",
            };
            let incoming = map_label(words).new_review();
            if known.iter().any(|x| incoming.same_verdict_as(x)) {
                report.unchanged += 1;
                return Ok(());
            }
            return Err(super::changed_review(&known[0], url, words));
        }
    }
    let reviewer = publisher(b, &r, report)?;
    let mut review = match r.text("textualRating", report) {
        Some(words) => {
            let m = map_label(&words);
            if let Some(note) = m.truncation_note() {
                report.push(IssueKind::Note, r.at("textualRating"), note);
            }
            if !m.is_mapped() {
                report.push(
                    IssueKind::Unmapped,
                    r.at("textualRating"),
                    format!(
                        "{:?} matches no known verdict: kept as the label, no verdict set",
                        crate::model::text::shorten(&words, 200)
                    ),
                );
            }
            m.new_review()
        }
        None => {
            report.push(
                IssueKind::Note,
                r.at("textualRating"),
                "missing: the review is recorded without a verdict",
            );
            map_label("").new_review()
        }
    };
    if let Some(who) = reviewer {
        review = review.by(who);
    }
    if let Some(d) = date(&r, "reviewDate", report) {
        review = review.on(d);
    }
    if let Some(u) = r.text("url", report) {
        match crate::model::text::url(&u) {
            Ok(()) => review = review.url(u),
            Err(e) => report.push(IssueKind::Skipped, r.at("url"), e.to_string()),
        }
    }
    if let Some(t) = r.text("title", report) {
        review = review.rationale(t);
    }
    // Used above for the claim's language; an unusable one is reported here.
    if let Some(l) = r.text("languageCode", report) {
        if let Err(e) = crate::model::text::language(&l) {
            report.push(IssueKind::Skipped, r.at("languageCode"), e.to_string());
        }
    }
    b.add_review(claim, review)?;
    r.finish(report);
    Ok(())
}
