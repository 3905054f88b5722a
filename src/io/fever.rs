//! FEVER (Fact Extraction and VERification) claims, as in `paper_dev.jsonl`.
//!
//! Each line is a JSON object: `id`, `verifiable`, `label` (`SUPPORTS`, `REFUTES`, `NOT ENOUGH INFO`),
//! `claim`, and `evidence`, a list of evidence *sets*, each a list of
//! `[annotation id, evidence id, Wikipedia page, sentence number]` (the last three `null` for
//! NOT ENOUGH INFO).
//!
//! What becomes what:
//! - each line → a factual [`Claim`](crate::Claim) in English, tagged `fever:<id>`;
//!   a row whose tag is in the store already is not imported again (see [`liar`](super::liar)'s list);
//! - its label → a [`Review`](crate::Review) by the source "FEVER", the label kept verbatim;
//! - each distinct Wikipedia page cited by its evidence sets → one [`Evidence`](crate::Evidence) record
//!   (stance supports for SUPPORTS, refutes for REFUTES) from a source "Wikipedia: `<page title>`" of kind
//!   document, part of the source "Wikipedia" — so every page counts as one origin, Wikipedia. Page names
//!   are decoded (`Soul_Food_-LRB-film-RRB-` → "Soul Food (film)"); the raw name is kept as an alias.
//!
//! FEVER gives sentence *numbers*, not their words, so the evidence has no excerpt, and several
//! sentences of one page count as one piece of evidence; the grouping into evidence sets is not kept.
//! Sources already in the store (matched by name or alias) are reused, so importing a second FEVER
//! file does not duplicate pages.
//!
//! # Example
//! ```
//! use claimtrack::{Store, Verdict, io::{ImportOptions, fever}};
//! let line = r#"{"id": 137334, "verifiable": "VERIFIABLE", "label": "SUPPORTS", "claim": "Fox 2000 Pictures released the film Soul Food.", "evidence": [[[289914, 283015, "Soul_Food_-LRB-film-RRB-", 0]], [[291259, 284217, "Soul_Food_-LRB-film-RRB-", 1]]]}"#;
//! let store = Store::open_in_memory()?;
//! let report = fever::import(&store, line.as_bytes(), ImportOptions::default())?;
//! assert_eq!((report.read, report.added.claims, report.added.evidence), (1, 1, 1));
//! let claim = &store.claims_tagged("fever:137334")?[0];
//! assert_eq!(store.reviews_of(claim.id)?[0].verdict, Some(Verdict::True));
//! let page = store.evidence_of(claim.id)?[0].source.expect("a Wikipedia page");
//! assert_eq!(store.source(page)?.name, "Wikipedia: Soul Food (film)");
//! # Ok::<(), claimtrack::Error>(())
//! ```

use std::collections::HashMap;
use std::io::BufRead;

use serde::Deserialize;

use super::{ImportOptions, ImportReport, IssueKind};
use crate::error::{Error, Result};
use crate::model::claim::NewClaim;
use crate::model::evidence::{NewEvidence, Stance};
use crate::model::ids::SourceId;
use crate::model::review::{NewReview, Verdict};
use crate::model::source::{NewSource, SourceKind};
use crate::store::{Batch, Store};

/// One evidence sentence: `[annotation id, evidence id, Wikipedia page, sentence number]`.
type Sentence = (Option<u64>, Option<u64>, Option<String>, Option<i64>);

#[derive(Deserialize)]
struct Line {
    id: u64,
    label: String,
    claim: String,
    #[serde(default)]
    evidence: Vec<Vec<Sentence>>,
}

/// The FEVER labels on the crate's verdict scale.
fn verdict(label: &str) -> Option<(Verdict, Option<Stance>)> {
    let stance = match label {
        "SUPPORTS" => Some(Stance::Supports),
        "REFUTES" => Some(Stance::Refutes),
        _ => None,
    };
    super::labels::map_label(label).verdict.map(|v| (v, stance))
}

/// Decodes a Wikipedia page name as FEVER writes it: `_` for spaces and PTB bracket tokens.
pub(crate) fn page_title(raw: &str) -> String {
    raw.replace('_', " ")
        .replace("-LRB-", "(")
        .replace("-RRB-", ")")
        .replace("-LSB-", "[")
        .replace("-RSB-", "]")
        .replace("-LCB-", "{")
        .replace("-RCB-", "}")
        .replace("-COLON-", ":")
}

/// Wikipedia and its pages as sources, created on first use and reused (also across imports).
pub(crate) struct WikipediaPages {
    root: Option<SourceId>,
    pages: HashMap<String, SourceId>,
}

impl WikipediaPages {
    pub(crate) fn new() -> Self {
        Self {
            root: None,
            pages: HashMap::new(),
        }
    }

    fn root(&mut self, b: &mut Batch<'_>) -> Result<SourceId> {
        if let Some(r) = self.root {
            return Ok(r);
        }
        let r = match b.find_source("Wikipedia")? {
            Some(r) => r,
            None => b.add_source(NewSource::new("Wikipedia", SourceKind::Outlet))?,
        };
        self.root = Some(r);
        Ok(r)
    }

    /// The source for the page with this title (`raw` is the name as the data set writes it).
    pub(crate) fn page(&mut self, b: &mut Batch<'_>, title: &str, raw: &str) -> Result<SourceId> {
        if let Some(s) = self.pages.get(title) {
            return Ok(*s);
        }
        let name = format!("Wikipedia: {title}");
        let id = match b.find_source(&name)? {
            Some(s) => s,
            None => {
                let root = self.root(b)?;
                let mut new = NewSource::new(name, SourceKind::Document)
                    .part_of(root)
                    .notes(format!(
                        "https://en.wikipedia.org/wiki/{}",
                        title.replace(' ', "_")
                    ));
                if raw != title {
                    new = new.alias(raw);
                }
                b.add_source(new)?
            }
        };
        self.pages.insert(title.to_string(), id);
        Ok(id)
    }
}

/// Finds (or creates) a named organisation source, such as the data set that labelled the claims.
pub(crate) fn organisation(b: &mut Batch<'_>, name: &str, notes: &str) -> Result<SourceId> {
    match b.find_source(name)? {
        Some(s) => Ok(s),
        None => b.add_source(NewSource::new(name, SourceKind::Organisation).notes(notes)),
    }
}

fn parse_err(line: u64, field: &str, reason: impl Into<String>) -> Error {
    Error::Parse {
        location: format!("line {line}"),
        field: field.to_string(),
        reason: reason.into(),
    }
}

/// Imports FEVER JSON Lines from `reader` in one transaction, reporting progress as `options` say ([`io::import_file`](super::import_file) reads a path).
pub fn import(store: &Store, reader: impl BufRead, options: ImportOptions<'_>) -> Result<ImportReport> {
    let mut report = ImportReport::default();
    options.batch(store, |b| {
        let fever = organisation(
            b,
            "FEVER",
            "FEVER shared task data set (Thorne et al., 2018), CC BY-SA 3.0; claims labelled by annotators",
        )?;
        let mut wiki = WikipediaPages::new();
        let mut imported = super::rows::Imported::load(b, "fever:")?;
        for (i, line) in reader.lines().enumerate() {
            let n = i as u64 + 1;
            let line = line.map_err(|e| parse_err(n, "-", format!("cannot read: {e}")))?;
            if line.trim().is_empty() {
                continue;
            }
            let rec: Line = serde_json::from_str(&line)
                .map_err(|e| parse_err(n, "-", format!("not a FEVER record: {e}")))?;
            report.read += 1;
            b.at(format!("line {n}"));
            let text = match super::repair::repair(&rec.claim) {
                std::borrow::Cow::Borrowed(_) => rec.claim,
                std::borrow::Cow::Owned(fixed) => {
                    report.push(
                        IssueKind::Repaired,
                        format!("line {}", n),
                        "encoding damage (control characters) repaired",
                    );
                    fixed
                }
            };
            let tag = format!("fever:{}", rec.id);
            let label = verdict(&rec.label).map(|_| rec.label.as_str());
            if imported.again(b, &format!("line {n}"), &tag, &text, label)? {
                report.unchanged += 1;
                continue;
            }
            let claim = b.add_claim(NewClaim::factual(text).language("en").tag(tag.clone()))?;
            imported.added(tag, claim);
            let Some((v, stance)) = verdict(&rec.label) else {
                report.push(IssueKind::Unmapped, format!("line {}", n), rec.label);
                continue;
            };
            b.add_review(claim, NewReview::new(v).label(rec.label).by(fever))?;
            let Some(stance) = stance else { continue };
            let mut seen: Vec<SourceId> = Vec::new();
            for set in &rec.evidence {
                for (_, _, page, _) in set {
                    let Some(raw) = page.as_deref().filter(|p| !p.trim().is_empty()) else {
                        continue;
                    };
                    let src = wiki.page(b, &page_title(raw), raw)?;
                    if !seen.contains(&src) {
                        seen.push(src);
                        b.add_evidence(claim, NewEvidence::new(src, stance))?;
                    }
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
    fn page_names_are_decoded() {
        assert_eq!(page_title("Soul_Food_-LRB-film-RRB-"), "Soul Food (film)");
        assert_eq!(page_title("Telemundo"), "Telemundo");
        assert_eq!(
            page_title("Star_Wars-COLON-_Episode_-LSB-IV-RSB-"),
            "Star Wars: Episode [IV]"
        );
    }

    #[test]
    fn labels_map_and_unknown_ones_do_not() {
        assert_eq!(verdict("SUPPORTS").map(|v| v.0), Some(Verdict::True));
        assert_eq!(verdict("REFUTES").map(|v| v.1), Some(Some(Stance::Refutes)));
        assert_eq!(verdict("NOT ENOUGH INFO").map(|v| v.1), Some(None));
        // The shared label map (io::labels) ignores case; a label it does not know is not guessed.
        assert_eq!(verdict("supports").map(|v| v.0), Some(Verdict::True));
        assert_eq!(verdict("SUPPORTED-ISH"), None);
    }
}
