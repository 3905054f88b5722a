//! Interchange: the formats fact-checking desks publish and consume, one module per format, all on top
//! of the public [`Store`](crate::Store) API.
//!
//! | module | reads | writes |
//! |---|---|---|
//! | [`bundle`] | claimtrack bundle JSON (lossless) | the whole store, or one claim with what it links to |
//! | [`jsonl`] | claimtrack JSON Lines, streamed, one transaction | the same |
//! | [`claimreview`] | schema.org `ClaimReview` JSON-LD as found in the wild | `ClaimReview` markup for a page |
//! | [`factcheck`] | Google Fact Check Tools `claims:search` results | — |
//! | [`csv`] | — | one row per claim with verdicts and evidence counts |
//! | [`dot`] | — | Graphviz DOT picture of one claim |
//! | [`labels`] | verdict labels of LIAR, FEVER, Climate-FEVER, AVeriTeC, free text, numeric ratings | — |
//!
//! Importers of formats that do not map one-to-one onto claimtrack (ClaimReview, Fact Check Tools) return
//! an [`ImportReport`] that lists every part they could not read or did not keep: nothing is dropped
//! silently.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::store::ImportSummary;

pub mod bundle;
pub mod claimreview;
pub mod csv;
pub mod dot;
pub mod factcheck;
pub mod jsonl;
pub mod labels;

/// What kind of thing an [`ImportIssue`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum IssueKind {
    /// A whole record could not be read and was not imported.
    Skipped,
    /// A field was present but claimtrack has no place for it; its value is not kept.
    Ignored,
    /// A verdict label matched no known scheme; it is kept verbatim and the review recorded as
    /// unverifiable.
    Unmapped,
    /// A value was read but something had to be decided about it (a missing rating, a rating whose words
    /// and number disagree, a source named after its URL); the message says what was done.
    Note,
}

/// One part of an import file that was not (or not fully) taken in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportIssue {
    /// What kind of issue.
    pub kind: IssueKind,
    /// Where in the file, as a JSON path (`$[1].reviewRating.image`) or line.
    pub location: String,
    /// What happened, quoting the value where that helps.
    pub message: String,
}

/// What an import wrote and what it could not read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Records written.
    pub summary: ImportSummary,
    /// Every part of the input that was skipped, ignored, unmapped or needed a decision.
    pub issues: Vec<ImportIssue>,
}

impl ImportReport {
    /// The issues of one kind.
    pub fn issues_of(&self, kind: IssueKind) -> impl Iterator<Item = &ImportIssue> {
        self.issues.iter().filter(move |i| i.kind == kind)
    }

    pub(crate) fn push(&mut self, kind: IssueKind, location: impl Into<String>, message: impl Into<String>) {
        self.issues.push(ImportIssue {
            kind,
            location: location.into(),
            message: message.into(),
        });
    }
}

/// Turns a serde_json error (with the path serde_path_to_error tracked) into [`Error::Parse`].
pub(crate) fn json_error(prefix: &str, e: serde_path_to_error::Error<serde_json::Error>) -> Error {
    let path = e.path().to_string();
    let inner = e.into_inner();
    let field = if path.is_empty() || path == "." {
        "-".to_string()
    } else {
        path
    };
    let reason = strip_position(&inner.to_string());
    let location = if inner.line() == 0 {
        prefix.to_string()
    } else if prefix.is_empty() {
        format!("line {} column {}", inner.line(), inner.column())
    } else {
        format!("{prefix} column {}", inner.column())
    };
    let reason = if inner.is_eof() {
        format!("the input ends too early (truncated?): {reason}")
    } else {
        reason
    };
    Error::Parse {
        location,
        field,
        reason,
    }
}

/// serde_json appends " at line L column C" to its messages; the location is reported separately.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) if msg[i..].contains(" column ") => msg[..i].to_string(),
        _ => msg.to_string(),
    }
}
