//! JSON Lines: one record per line, for streams too large to hold in memory and for line-oriented tools.
//!
//! The first line is a header, `{"format":"claimtrack-jsonl","version":2}`; every other line is one
//! record tagged with its kind: `{"source":{…}}`, `{"publication":{…}}`, `{"claim":{…}}`,
//! `{"attribution":{…}}`, `{"evidence":{…}}`, `{"link":{…}}`, `{"review":{…}}`, and the standing of an
//! evidence record or review that no longer counts, `{"evidence_standing":{…}}` and
//! `{"review_standing":{…}}` — the same records, with the same fields, as a [`Bundle`]. Blank lines are
//! skipped. A record must come after the records it refers to; [`export`] writes them in that order,
//! standings last. Version 1 files (written before standings were carried, so every record in them
//! counts) are still read.
//!
//! [`import`] reads one line at a time (memory stays flat however large the file; a line longer than
//! [`MAX_LINE_BYTES`] is refused without being buffered), and writes the whole file in one transaction:
//! all of it lands, or none of it. Errors name the line and the field.
//!
//! ```
//! use claimtrack::{Error, Store, io::{ImportOptions, jsonl}};
//! let store = Store::open_in_memory()?;
//! claimtrack::seeds::load_wonsan(&store)?;
//! let mut lines = Vec::new();
//! jsonl::export(&store, &mut lines)?;
//!
//! let copy = Store::open_in_memory()?;
//! let report = jsonl::import(&copy, lines.as_slice(), ImportOptions::default())?;
//! assert_eq!(report.added, store.counts()?);
//! assert_eq!(report.read, report.inserted);
//!
//! let broken = b"{\"format\":\"claimtrack-jsonl\",\"version\":1}\n{\"claim\":{\"id\":42}}\n";
//! match jsonl::import(&copy, &broken[..], ImportOptions::default()) {
//!     Err(Error::Parse { location, field, .. }) => {
//!         assert!(location.starts_with("line 2"));
//!         assert_eq!(field, "claim.id");
//!     }
//!     other => panic!("{other:?}"),
//! }
//! // A line longer than the limit is refused without being read whole.
//! let err = jsonl::import_with_limit(&copy, lines.as_slice(), 64, ImportOptions::default()).unwrap_err();
//! assert!(matches!(err, Error::Parse { ref location, .. } if location == "line 2"), "{err}");
//!
//! // One claim with what it refers to, or any bundle, as JSON Lines: the same lines as its bundle.
//! let claim = store.claims()?[0].id;
//! let (mut one, mut same) = (Vec::new(), Vec::new());
//! jsonl::export_claim(&store, claim, &mut one)?;
//! jsonl::write_bundle(&claimtrack::io::bundle::export_claim(&store, claim)?, &mut same)?;
//! assert_eq!(one, same);
//! # Ok::<(), claimtrack::Error>(())
//! ```

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};

use serde::{Deserialize, Serialize};

use super::bundle::{json_write_error, located};
use crate::error::{Error, Result};
use crate::model::attribution::Attribution;
use crate::model::bundle::Bundle;
use crate::model::claim::Claim;
use crate::model::evidence::Evidence;
use crate::model::history::StandingEntry;
use crate::model::ids::{EvidenceId, ReviewId, SourceId};
use crate::model::link::ClaimLink;
use crate::model::publication::Publication;
use crate::model::review::Review;
use crate::model::source::Source;
use crate::store::{ImportSummary, Item, Store};

use super::{ImportOptions, ImportReport};

/// The `format` of the header line.
pub const JSONL_FORMAT: &str = "claimtrack-jsonl";
/// The layout version this library writes. Version 2 added the standing lines; [`import`] reads both.
pub const JSONL_VERSION: u32 = 2;

/// The oldest layout version [`import`] reads.
pub const JSONL_OLDEST_VERSION: u32 = 1;
/// The longest line [`import`] accepts, in bytes (the longest valid record is far shorter).
pub const MAX_LINE_BYTES: usize = 8 * 1024 * 1024;

/// The header line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Always [`JSONL_FORMAT`].
    pub format: String,
    /// [`JSONL_VERSION`].
    pub version: u32,
}

/// One line after the header: a record tagged with its kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Record {
    /// A source.
    Source(Source),
    /// A publication.
    Publication(Publication),
    /// A claim.
    Claim(Claim),
    /// An attribution.
    Attribution(Attribution),
    /// A piece of evidence.
    Evidence(Evidence),
    /// A claim link.
    Link(ClaimLink),
    /// A review.
    Review(Review),
    /// The standing of an evidence record that no longer counts (superseded or retracted).
    EvidenceStanding(StandingEntry<EvidenceId>),
    /// The standing of a review that no longer counts (superseded or retracted).
    ReviewStanding(StandingEntry<ReviewId>),
}

impl Record {
    fn into_bundle(self) -> Bundle {
        let mut b = Bundle::default();
        match self {
            Record::Source(x) => b.sources.push(x),
            Record::Publication(x) => b.publications.push(x),
            Record::Claim(x) => b.claims.push(x),
            Record::Attribution(x) => b.attributions.push(x),
            Record::Evidence(x) => b.evidence.push(x),
            Record::Link(x) => b.links.push(x),
            Record::Review(x) => b.reviews.push(x),
            Record::EvidenceStanding(x) => b.evidence_standings.push(x),
            Record::ReviewStanding(x) => b.review_standings.push(x),
        }
        b
    }
}

/// Writes a bundle as JSON Lines: the header, then sources (parents before children), publications,
/// claims, attributions, evidence, links, reviews, and the standings of evidence and reviews that no
/// longer count.
pub fn write_bundle<W: Write>(bundle: &Bundle, out: W) -> Result<()> {
    let mut out = std::io::BufWriter::new(out);
    line(&mut out, &header())?;
    for s in parents_first(&bundle.sources) {
        line(&mut out, &RecordRef::Source(s))?;
    }
    for x in &bundle.publications {
        line(&mut out, &RecordRef::Publication(x))?;
    }
    for x in &bundle.claims {
        line(&mut out, &RecordRef::Claim(x))?;
    }
    for x in &bundle.attributions {
        line(&mut out, &RecordRef::Attribution(x))?;
    }
    for x in &bundle.evidence {
        line(&mut out, &RecordRef::Evidence(x))?;
    }
    for x in &bundle.links {
        line(&mut out, &RecordRef::Link(x))?;
    }
    for x in &bundle.reviews {
        line(&mut out, &RecordRef::Review(x))?;
    }
    for x in &bundle.evidence_standings {
        line(&mut out, &RecordRef::EvidenceStanding(x))?;
    }
    for x in &bundle.review_standings {
        line(&mut out, &RecordRef::ReviewStanding(x))?;
    }
    out.flush()?;
    Ok(())
}

/// [`Record`] by reference, so writing does not clone.
#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum RecordRef<'a> {
    Source(&'a Source),
    Publication(&'a Publication),
    Claim(&'a Claim),
    Attribution(&'a Attribution),
    Evidence(&'a Evidence),
    Link(&'a ClaimLink),
    Review(&'a Review),
    EvidenceStanding(&'a StandingEntry<EvidenceId>),
    ReviewStanding(&'a StandingEntry<ReviewId>),
}

fn line<W: Write, T: Serialize>(out: &mut W, value: &T) -> Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(json_write_error)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Sources in their given order, except that a parent given in the list comes before its children.
fn parents_first(list: &[Source]) -> Vec<&Source> {
    let by_id: HashMap<SourceId, &Source> = list.iter().map(|s| (s.id, s)).collect();
    let mut done: HashSet<SourceId> = HashSet::new();
    let mut out = Vec::with_capacity(list.len());
    for start in list {
        let mut path = Vec::new();
        let mut cur = Some(start);
        while let Some(s) = cur {
            if done.contains(&s.id) || path.iter().any(|p: &&Source| p.id == s.id) {
                break;
            }
            path.push(s);
            cur = s.part_of.and_then(|p| by_id.get(&p).copied());
        }
        for s in path.into_iter().rev() {
            if done.insert(s.id) {
                out.push(s);
            }
        }
    }
    out
}

/// Writes the whole store as JSON Lines.
///
/// Streamed: records are read and written one at a time within one read snapshot, so memory stays flat
/// however large the store (sources, which are few, are held to order parents first).
pub fn export<W: Write>(store: &Store, out: W) -> Result<()> {
    let mut out = std::io::BufWriter::new(out);
    line(&mut out, &header())?;
    store.for_each_record(&mut |item| match item {
        Item::Sources(list) => parents_first(list)
            .into_iter()
            .try_for_each(|s| line(&mut out, &RecordRef::Source(s))),
        Item::Publication(x) => line(&mut out, &RecordRef::Publication(&x)),
        Item::Claim(x) => line(&mut out, &RecordRef::Claim(&x)),
        Item::Attribution(x) => line(&mut out, &RecordRef::Attribution(&x)),
        Item::Evidence(x) => line(&mut out, &RecordRef::Evidence(&x)),
        Item::Link(x) => line(&mut out, &RecordRef::Link(&x)),
        Item::Review(x) => line(&mut out, &RecordRef::Review(&x)),
        Item::EvidenceStanding(x) => line(&mut out, &RecordRef::EvidenceStanding(&x)),
        Item::ReviewStanding(x) => line(&mut out, &RecordRef::ReviewStanding(&x)),
    })?;
    out.flush()?;
    Ok(())
}

fn header() -> Header {
    Header {
        format: JSONL_FORMAT.into(),
        version: JSONL_VERSION,
    }
}

/// Writes one claim with everything linked to it (see [`bundle::export_claim`](super::bundle::export_claim)) as JSON Lines.
pub fn export_claim<W: Write>(store: &Store, claim: crate::model::ids::ClaimId, out: W) -> Result<()> {
    write_bundle(&super::bundle::export_claim(store, claim)?, out)
}

enum LineRead {
    Eof,
    Line,
    TooLong,
}

/// Reads up to and excluding the next `\n` into `buf`, refusing to hold more than `max` bytes.
fn read_line_capped<R: BufRead>(r: &mut R, buf: &mut Vec<u8>, max: usize) -> std::io::Result<LineRead> {
    buf.clear();
    loop {
        let avail = match r.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            return Ok(if buf.is_empty() {
                LineRead::Eof
            } else {
                LineRead::Line
            });
        }
        match avail.iter().position(|&b| b == b'\n') {
            Some(i) => {
                if buf.len() + i > max {
                    return Ok(LineRead::TooLong);
                }
                buf.extend_from_slice(&avail[..i]);
                r.consume(i + 1);
                if buf.last() == Some(&b'\r') {
                    buf.pop();
                }
                return Ok(LineRead::Line);
            }
            None => {
                let n = avail.len();
                if buf.len() + n > max {
                    return Ok(LineRead::TooLong);
                }
                buf.extend_from_slice(avail);
                r.consume(n);
            }
        }
    }
}

/// Reads JSON Lines and writes every record to `store` in one transaction, matching records by id
/// (importing twice changes nothing), under the rules of [`bundle::import`](super::bundle::import). On
/// any error nothing is written, and the error names the line (and, where there is one, the field). The
/// report's `read` counts the record lines.
pub fn import<R: Read>(store: &Store, input: R, options: ImportOptions<'_>) -> Result<ImportReport> {
    import_with_limit(store, input, MAX_LINE_BYTES, options)
}

/// [`import`] with another line-length limit.
pub fn import_with_limit<R: Read>(
    store: &Store,
    input: R,
    max_line_bytes: usize,
    options: ImportOptions<'_>,
) -> Result<ImportReport> {
    let mut reader = BufReader::with_capacity(64 * 1024, input);
    let mut buf = Vec::with_capacity(4096);
    let mut read: u64 = 0;
    let summary = options.batch(store, |batch| {
        let mut summary = ImportSummary::default();
        let mut n: u64 = 0;
        let mut header_seen = false;
        loop {
            n += 1;
            match read_line_capped(&mut reader, &mut buf, max_line_bytes) {
                Ok(LineRead::Eof) => break,
                Ok(LineRead::Line) => {}
                Ok(LineRead::TooLong) => {
                    return Err(Error::Parse {
                        location: format!("line {n}"),
                        field: "-".into(),
                        reason: format!("the line is longer than {max_line_bytes} bytes"),
                    });
                }
                Err(e) => {
                    return Err(Error::Io(std::io::Error::new(
                        e.kind(),
                        format!("reading line {n}: {e}"),
                    )));
                }
            }
            let mut text: &[u8] = &buf;
            if n == 1 {
                text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
            }
            if text.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if let Err(e) = std::str::from_utf8(text) {
                return Err(Error::Parse {
                    location: format!("line {n} byte {}", e.valid_up_to() + 1),
                    field: "-".into(),
                    reason: "not UTF-8 text (a binary file?)".into(),
                });
            }
            let at = format!("line {n}");
            if !header_seen {
                let header: Header = parse(text, &at).map_err(|e| match e {
                    Error::Parse { location, .. } => Error::Parse {
                        location,
                        field: "-".into(),
                        reason: format!(
                            "expected the header {{\"format\":\"{JSONL_FORMAT}\",\"version\":{JSONL_VERSION}}}"
                        ),
                    },
                    e => e,
                })?;
                if header.format != JSONL_FORMAT {
                    return Err(Error::Parse {
                        location: at,
                        field: "format".into(),
                        reason: format!("expected {JSONL_FORMAT:?}, got {:?}", header.format),
                    });
                }
                if !(JSONL_OLDEST_VERSION..=JSONL_VERSION).contains(&header.version) {
                    return Err(Error::Parse {
                        location: at,
                        field: "version".into(),
                        reason: format!(
                            "this library reads versions {JSONL_OLDEST_VERSION} to {JSONL_VERSION}, got {}",
                            header.version
                        ),
                    });
                }
                header_seen = true;
                continue;
            }
            let record: Record = parse(text, &at).map_err(|e| match e {
                // serde_ignored paths leave out the record's tag: put it back (`source.alaises`).
                Error::Parse {
                    location,
                    field,
                    reason,
                } if reason.starts_with("unknown field") => {
                    let tag = serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(text)
                        .ok()
                        .and_then(|m| m.keys().next().cloned());
                    Error::Parse {
                        location,
                        field: tag.map_or(field.clone(), |t| format!("{t}.{field}")),
                        reason,
                    }
                }
                e => e,
            })?;
            read += 1;
            let bundle = record.into_bundle();
            super::bundle::validate(&bundle).map_err(|e| match e {
                Error::Parse { field, reason, .. } => Error::Parse {
                    location: at.clone(),
                    field,
                    reason,
                },
                e => e,
            })?;
            let done = batch.import_bundle(&bundle).map_err(|e| located(e, at))?;
            summary.add(done);
        }
        if !header_seen {
            return Err(Error::Parse {
                location: "line 1".into(),
                field: "-".into(),
                reason: "the input is empty (expected at least the header line)".into(),
            });
        }
        Ok(summary)
    })?;
    let mut report = ImportReport {
        read,
        updated: summary.updated,
        unchanged: summary.unchanged,
        ..ImportReport::default()
    };
    report.added_by(summary.added);
    Ok(report)
}

fn parse<'de, T: Deserialize<'de>>(text: &'de [u8], at: &str) -> Result<T> {
    let mut de = serde_json::Deserializer::from_slice(text);
    let value = super::strict(&mut de, at)?;
    de.end().map_err(|e| Error::Parse {
        location: format!("{at} column {}", e.column()),
        field: "-".into(),
        reason: "unexpected data after the record (one record per line)".into(),
    })?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_reader_caps_length_and_strips_cr() {
        let mut r = BufReader::with_capacity(4, &b"ab\r\ncdefgh\nij"[..]);
        let mut buf = Vec::new();
        assert!(matches!(
            read_line_capped(&mut r, &mut buf, 5).unwrap(),
            LineRead::Line
        ));
        assert_eq!(buf, b"ab");
        assert!(matches!(
            read_line_capped(&mut r, &mut buf, 5).unwrap(),
            LineRead::TooLong
        ));
        assert!(buf.len() <= 5);
    }

    #[test]
    fn every_line_after_a_failure_is_rolled_back_too() {
        let store = Store::open_in_memory().unwrap();
        let mut lines = Vec::new();
        let mut b = crate::seeds::wonsan().unwrap();
        write_bundle(&b, &mut lines).unwrap();
        b.claims.clear();
        let text = String::from_utf8(lines).unwrap() + "{\"claim\":{\"id\":\"nope\"}}\n";
        let err = import(&store, text.as_bytes(), ImportOptions::default()).unwrap_err();
        assert!(
            matches!(&err, Error::Parse { field, .. } if field == "claim.id"),
            "{err}"
        );
        assert_eq!(store.counts().unwrap(), crate::Counts::default());
    }
}
