//! LIAR (Wang, 2017): PolitiFact statements with their labels, as in `train.tsv`, `valid.tsv`,
//! `test.tsv`.
//!
//! Each line has 14 tab-separated columns and no header: statement id (`2635.json`), label
//! (`pants-fire`, `false`, `barely-true`, `half-true`, `mostly-true`, `true`), statement, subjects
//! (comma-separated), speaker, speaker's job title, state, party, five credit-history counts, and the
//! context (where it was said). Statements contain stray `"` characters, so lines are split on tabs
//! only, with no quoting: a CSV reader's quote handling would merge rows.
//!
//! What becomes what:
//! - each speaker → one [`Source`](crate::Source) named after the slug (`dwayne-bohac` → "Dwayne
//!   Bohac", the slug kept as an alias), with party, job, state and the credit history of its first row
//!   in the notes; kind organisation or government body when the party column says so, collective
//!   for party "none" without a job (`facebook-posts`, `chain-email`), person otherwise; country US when
//!   a state is given;
//! - each statement → a factual [`Claim`](crate::Claim) in English, tagged with its subjects and
//!   `liar:<id>`, attributed to the speaker in the context's publication;
//! - each distinct context (`a floor speech.`) → one [`Publication`](crate::Publication), title verbatim;
//! - each label → a [`Review`](crate::Review) by the source "PolitiFact", the label kept verbatim;
//! - a statement imported before (its `liar:<id>` tag is in the store: the same file twice, or `train.tsv`
//!   after a file holding its rows) → nothing added, counted in
//!   [`unchanged`](super::ImportReport::unchanged); one whose text or label changed since →
//!   [`Error::Conflict`] naming the stored claim, nothing written.
//!
//! Speakers and PolitiFact already in the store (by name or alias) are reused.
//!
//! # Example
//! ```
//! use claimtrack::{Store, Verdict, io::{ImportOptions, liar}};
//! let tsv = "2635.json\tpants-fire\tThe moon landing was filmed in Nevada.\tspace\tjane-q-public\tState senator\tNevada\trepublican\t1\t2\t0\t0\t1\ta radio interview\n";
//! let store = Store::open_in_memory()?;
//! let report = liar::import(&store, tsv.as_bytes(), ImportOptions::default())?;
//! assert_eq!((report.read, report.added.claims, report.added.reviews), (1, 1, 1));
//! let claim = &store.claims_tagged("liar:2635")?[0];
//! let review = &store.reviews_of(claim.id)?[0];
//! assert_eq!((review.verdict, review.label.as_deref()), (Some(Verdict::False), Some("pants-fire")));
//! let said = &store.attributions_of(claim.id)?[0];
//! assert_eq!(store.source(said.speaker.expect("a speaker"))?.name, "Jane Q Public");
//! # Ok::<(), claimtrack::Error>(())
//! ```

use std::collections::HashMap;
use std::io::BufRead;

use super::{ImportOptions, ImportReport, IssueKind};
use crate::error::{Error, Result};
use crate::model::attribution::NewAttribution;
use crate::model::claim::NewClaim;
use crate::model::ids::{PublicationId, SourceId};
use crate::model::publication::NewPublication;
use crate::model::review::{NewReview, Verdict};
use crate::model::source::{NewSource, SourceKind};
use crate::store::{Batch, Store};

const COLUMNS: usize = 14;

/// LIAR's (PolitiFact's Truth-O-Meter) labels on the crate's verdict scale.
fn verdict(label: &str) -> Option<Verdict> {
    super::labels::map_label(label).verdict
}

/// "dwayne-bohac" → "Dwayne Bohac".
fn display_name(slug: &str) -> String {
    slug.split(['-', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn speaker_kind(party: &str, job: &str) -> SourceKind {
    match party {
        "organization" => SourceKind::Organisation,
        "government-body" => SourceKind::GovernmentBody,
        "none" | "" if job.is_empty() => SourceKind::Collective,
        _ => SourceKind::Person,
    }
}

fn parse_err(line: u64, field: &str, reason: impl Into<String>) -> Error {
    Error::Parse {
        location: format!("line {line}"),
        field: field.to_string(),
        reason: reason.into(),
    }
}

struct Row<'l> {
    id: &'l str,
    label: &'l str,
    statement: &'l str,
    subjects: &'l str,
    speaker: &'l str,
    job: &'l str,
    state: &'l str,
    party: &'l str,
    history: [&'l str; 5],
    context: &'l str,
}

fn split(line: &str, n: u64) -> Result<Row<'_>> {
    let cols: Vec<&str> = line.split('\t').map(str::trim).collect();
    if cols.len() != COLUMNS {
        return Err(parse_err(
            n,
            "-",
            format!("expected {COLUMNS} tab-separated columns, found {}", cols.len()),
        ));
    }
    for (i, h) in cols[8..13].iter().enumerate() {
        if !h.is_empty() && h.parse::<u32>().is_err() {
            return Err(parse_err(
                n,
                "credit history",
                format!("column {} is not a count: {h:?}", 9 + i),
            ));
        }
    }
    Ok(Row {
        id: cols[0],
        label: cols[1],
        statement: cols[2],
        subjects: cols[3],
        speaker: cols[4],
        job: cols[5],
        state: cols[6],
        party: cols[7],
        history: [cols[8], cols[9], cols[10], cols[11], cols[12]],
        context: cols[13],
    })
}

struct Importer {
    politifact: SourceId,
    imported: super::rows::Imported,
    speakers: HashMap<String, SourceId>,
    contexts: HashMap<String, PublicationId>,
}

impl Importer {
    fn speaker(&mut self, b: &mut Batch<'_>, r: &Row<'_>) -> Result<SourceId> {
        if let Some(s) = self.speakers.get(r.speaker) {
            return Ok(*s);
        }
        let id = match b.find_source(r.speaker)? {
            Some(s) => s,
            None => {
                let name = display_name(r.speaker);
                let mut notes = Vec::new();
                for (what, v) in [("party", r.party), ("job", r.job), ("state", r.state)] {
                    if !v.is_empty() {
                        notes.push(format!("{what}: {v}"));
                    }
                }
                if r.history.iter().all(|h| !h.is_empty()) {
                    notes.push(format!(
                        "PolitiFact counts barely-true/false/half-true/mostly-true/pants-fire: {}",
                        r.history.join("/")
                    ));
                }
                let mut new = NewSource::new(name.clone(), speaker_kind(r.party, r.job));
                if !notes.is_empty() {
                    new = new.notes(notes.join("; "));
                }
                if !r.state.is_empty() {
                    new = new.country("US");
                }
                if name != r.speaker {
                    new = new.alias(r.speaker);
                }
                b.add_source(new)?
            }
        };
        self.speakers.insert(r.speaker.to_string(), id);
        Ok(id)
    }

    fn context(&mut self, b: &mut Batch<'_>, context: &str) -> Result<Option<PublicationId>> {
        if context.is_empty() {
            return Ok(None);
        }
        if let Some(p) = self.contexts.get(context) {
            return Ok(Some(*p));
        }
        let p = b.add_publication(NewPublication::new(context).language("en"))?;
        self.contexts.insert(context.to_string(), p);
        Ok(Some(p))
    }

    fn row(&mut self, b: &mut Batch<'_>, r: &Row<'_>, n: u64, report: &mut ImportReport) -> Result<()> {
        if r.speaker.is_empty() {
            return Err(parse_err(n, "speaker", "column 5 is empty"));
        }
        let mut claim = NewClaim::factual(r.statement).language("en");
        for subject in r.subjects.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            claim = claim.tag(subject);
        }
        let tag = (!r.id.is_empty()).then(|| format!("liar:{}", r.id.trim_end_matches(".json")));
        if let Some(tag) = &tag {
            let label = verdict(r.label).map(|_| r.label);
            if self
                .imported
                .again(b, &format!("line {n}"), tag, r.statement, label)?
            {
                report.unchanged += 1;
                return Ok(());
            }
            claim = claim.tag(tag.clone());
        }
        let speaker = self.speaker(b, r)?;
        let publication = self.context(b, r.context)?;
        let claim = b.add_claim(claim)?;
        if let Some(tag) = tag {
            self.imported.added(tag, claim);
        }
        let mut attribution = NewAttribution::said_by(speaker);
        if let Some(p) = publication {
            attribution = attribution.in_publication(p);
        }
        b.attribute(claim, attribution)?;
        match verdict(r.label) {
            Some(v) => {
                b.add_review(claim, NewReview::new(v).label(r.label).by(self.politifact))?;
            }
            None => report.push(IssueKind::Unmapped, format!("line {}", n), r.label.to_string()),
        }
        Ok(())
    }
}

/// Imports LIAR TSV from `reader` in one transaction, reporting progress as `options` say ([`io::import_file`](super::import_file) reads a path).
pub fn import(store: &Store, reader: impl BufRead, options: ImportOptions<'_>) -> Result<ImportReport> {
    let mut report = ImportReport::default();
    options.batch(store, |b| {
        let politifact = match b.find_source("PolitiFact")? {
            Some(s) => s,
            None => b.add_source(
                NewSource::new("PolitiFact", SourceKind::Organisation)
                    .country("US")
                    .notes("https://www.politifact.com/ — labels as published in the LIAR data set"),
            )?,
        };
        let mut imp = Importer {
            politifact,
            imported: super::rows::Imported::load(b, "liar:")?,
            speakers: HashMap::new(),
            contexts: HashMap::new(),
        };
        for (i, line) in reader.lines().enumerate() {
            let n = i as u64 + 1;
            let line = line.map_err(|e| parse_err(n, "-", format!("cannot read: {e}")))?;
            if line.trim().is_empty() {
                continue;
            }
            let line = super::repair::repair(line.trim_end_matches('\r'));
            if matches!(line, std::borrow::Cow::Owned(_)) {
                report.push(
                    IssueKind::Repaired,
                    format!("line {}", n),
                    "encoding damage (control characters) repaired",
                );
            }
            let row = split(&line, n)?;
            report.read += 1;
            b.at(format!("line {n}"));
            imp.row(b, &row, n, &mut report)?;
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
    fn slugs_become_names() {
        assert_eq!(display_name("dwayne-bohac"), "Dwayne Bohac");
        assert_eq!(display_name("facebook-posts"), "Facebook Posts");
        assert_eq!(display_name("Moderate"), "Moderate");
    }

    #[test]
    fn every_liar_label_maps() {
        for (l, v) in [
            ("pants-fire", Verdict::False),
            ("false", Verdict::False),
            ("barely-true", Verdict::MostlyFalse),
            ("half-true", Verdict::Mixed),
            ("mostly-true", Verdict::MostlyTrue),
            ("true", Verdict::True),
        ] {
            assert_eq!(verdict(l), Some(v), "{l}");
        }
        // The shared label map (io::labels) ignores case; a label it does not know is not guessed.
        assert_eq!(verdict("TRUE"), Some(Verdict::True));
        assert_eq!(verdict("truthy-ish"), None);
    }

    #[test]
    fn a_short_line_is_a_parse_error_naming_it() {
        let err = split("1.json\ttrue\tA statement.", 7).err().unwrap();
        assert!(
            matches!(&err, Error::Parse { location, .. } if location == "line 7"),
            "{err}"
        );
    }
}
