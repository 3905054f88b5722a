//! The one report every importer returns, and the one set of options every importer takes.

use serde::{Deserialize, Serialize};

use crate::store::{Batch, BatchProgress, Counts, Store};

/// What kind of thing an [`ImportIssue`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum IssueKind {
    /// A whole record could not be read and was not imported.
    Skipped,
    /// A field was present but claimtrack has no place for it; its value is not kept.
    Ignored,
    /// A verdict label matched no known scheme; it is kept verbatim where the format allows (the review
    /// recorded without a verdict, never as unverifiable, which is a verdict of its own), and a data-set
    /// row's label is kept out of the verdicts: a label is never guessed.
    Unmapped,
    /// A value was read but something had to be decided about it (a missing rating, a rating whose words
    /// and number disagree, a source named after its URL); the message says what was done.
    Note,
    /// A line's text held control characters (encoding damage) and was repaired before it was stored:
    /// mojibake decoded back, anything unreadable shown as U+FFFD.
    Repaired,
}

impl IssueKind {
    /// The kind as written in JSON and in the CLI's report (`skipped`, `unmapped`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            IssueKind::Skipped => "skipped",
            IssueKind::Ignored => "ignored",
            IssueKind::Unmapped => "unmapped",
            IssueKind::Note => "note",
            IssueKind::Repaired => "repaired",
        }
    }
}

/// One part of an import file that was not (or not fully) taken in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportIssue {
    /// What kind of issue.
    pub kind: IssueKind,
    /// Where in the file, as a JSON path (`$[1].reviewRating.image`) or a line (`line 12`).
    pub location: String,
    /// What happened, quoting the value where that helps.
    pub message: String,
}

/// What an import read, wrote, and could not take in: the one report of every importer in [`io`](super)
/// (bundle, JSON Lines, ClaimReview, Fact Check Tools, and the research data sets).
///
/// Nothing is dropped silently: every part of the input that was skipped, ignored, unmapped, repaired or
/// needed a decision is listed in [`issues`](Self::issues).
///
/// # Example
/// ```
/// use claimtrack::{Store, io::{ImportOptions, IssueKind, liar}};
/// let store = Store::open_in_memory()?;
/// let tsv = "1.json\tpants-fire\tThe moon is cheese.\tfood\tjane-doe\t\t\tnone\t0\t0\t0\t0\t0\ta speech\n\
///            2.json\twobbly\tThe sun is cold.\tscience\tjane-doe\t\t\tnone\t0\t0\t0\t0\t0\ta speech\n";
/// let report = liar::import(&store, tsv.as_bytes(), ImportOptions::default())?;
/// assert_eq!(report.read, 2);
/// assert_eq!(report.added.claims, 2);
/// assert_eq!(report.inserted, report.added.total());
/// let unmapped: Vec<_> = report.issues_of(IssueKind::Unmapped).collect();
/// assert_eq!((unmapped[0].location.as_str(), unmapped[0].message.as_str()), ("line 2", "wobbly"));
/// # Ok::<(), claimtrack::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ImportReport {
    /// Units of input read: records of a bundle or JSON Lines file, ClaimReview or Fact Check Tools
    /// items, rows (claims, statements) of a data set. Blank lines are not counted.
    pub read: u64,
    /// Records written that were new: the total of [`added`](Self::added).
    pub inserted: u64,
    /// Records (and standings) that existed with other content and were replaced where the rules allow
    /// (evidence and reviews never are: see the README's Guarantees).
    pub updated: u64,
    /// Records that existed exactly as given (an import run twice changes nothing the second time); for
    /// a LIAR, FEVER or Climate-FEVER row imported before (recognised by its data set's id, kept as a
    /// tag), the row.
    pub unchanged: u64,
    /// Records written that were new, by kind.
    pub added: Counts,
    /// Every part of the input that was skipped, ignored, unmapped, repaired or needed a decision.
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

    /// Takes in what a part of the import (one record, in its own savepoint) reported.
    pub(crate) fn absorb(&mut self, part: ImportReport) {
        self.read += part.read;
        self.updated += part.updated;
        self.unchanged += part.unchanged;
        self.issues.extend(part.issues);
    }

    /// Sets what was added from the batch's own count, once it is done.
    pub(crate) fn added_by(&mut self, counts: Counts) {
        self.added = counts;
        self.inserted = counts.total();
    }
}

impl std::fmt::Display for ImportReport {
    /// What landed and what did not, in the words the CLI and the import examples print.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let a = &self.added;
        write!(
            f,
            "{} read; {} inserted ({} claims, {} sources, {} publications, {} attributions, {} evidence, \
             {} links, {} reviews), {} updated, {} unchanged",
            self.read,
            self.inserted,
            a.claims,
            a.sources,
            a.publications,
            a.attributions,
            a.evidence,
            a.links,
            a.reviews,
            self.updated,
            self.unchanged
        )?;
        if !self.issues.is_empty() {
            write!(f, "\n{} part(s) not fully taken in:", self.issues.len())?;
            for i in &self.issues {
                write!(f, "\n  {:<8} {}: {}", i.kind.as_str(), i.location, i.message)?;
            }
        }
        Ok(())
    }
}

/// How the importers of formats found in the wild ([`claimreview`](super::claimreview),
/// [`factcheck`](super::factcheck)) treat a record or a value they cannot read. The other importers are
/// always strict: a bad record refuses the whole file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Strictness {
    /// Skip it, list it in the [`ImportReport`] ([`IssueKind::Skipped`]), and import the rest.
    #[default]
    Lenient,
    /// All or nothing, like the other formats: the first record or value that would be skipped (one that
    /// cannot be read, repeats a key, or would overwrite a review) stops the import with a typed error
    /// naming it ([`Error::Parse`](crate::Error::Parse), or the store's error for that record), and
    /// nothing is written. Fields claimtrack has no place for ([`IssueKind::Ignored`]), unmapped labels
    /// and notes are still only reported.
    Strict,
}

/// A progress callback: given how far the import's batch has come.
pub type ProgressFn<'a> = dyn FnMut(&BatchProgress) + 'a;

/// How an import runs: the one set of options every importer in [`io`](super) takes.
///
/// Every import is one [`Store::batch`]; the progress callback is that batch's: it gets a
/// [`BatchProgress`] (records written so far, of every kind and by kind, and the time taken) every
/// [`progress_every`](Self::progress_every) records and once more at the end, before the commit.
///
/// # Example
/// ```
/// use claimtrack::{Store, io::{ImportOptions, jsonl}};
/// let store = Store::open_in_memory()?;
/// claimtrack::seeds::load_wonsan(&store)?;
/// let mut lines = Vec::new();
/// jsonl::export(&store, &mut lines)?;
///
/// let copy = Store::open_in_memory()?;
/// let mut seen = Vec::new();
/// let mut note = |p: &claimtrack::BatchProgress| seen.push(p.records);
/// let report = jsonl::import(&copy, lines.as_slice(), ImportOptions::default().progress(10, &mut note))?;
/// assert_eq!(seen.last(), Some(&report.inserted));
/// assert!(seen.len() > 1);
/// # Ok::<(), claimtrack::Error>(())
/// ```
#[non_exhaustive]
pub struct ImportOptions<'a> {
    /// Called as the import goes; `None` (the default) for no reports.
    pub progress: Option<&'a mut ProgressFn<'a>>,
    /// Records written between two progress reports; `0` means only at the end. Default 1,000.
    pub progress_every: u64,
    /// Whether ClaimReview and Fact Check Tools imports skip what they cannot read (the default) or
    /// refuse the whole input at the first such record.
    pub strictness: Strictness,
}

impl Default for ImportOptions<'_> {
    fn default() -> Self {
        ImportOptions {
            progress: None,
            progress_every: 1_000,
            strictness: Strictness::Lenient,
        }
    }
}

impl std::fmt::Debug for ImportOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportOptions")
            .field("progress", &self.progress.is_some())
            .field("progress_every", &self.progress_every)
            .field("strictness", &self.strictness)
            .finish()
    }
}

impl<'a> ImportOptions<'a> {
    /// Reports progress to `f` every `every` records (`0`: only at the end).
    pub fn progress(mut self, every: u64, f: &'a mut ProgressFn<'a>) -> Self {
        self.progress = Some(f);
        self.progress_every = every;
        self
    }

    /// Makes a ClaimReview or Fact Check Tools import all or nothing ([`Strictness::Strict`]).
    pub fn strict(mut self) -> Self {
        self.strictness = Strictness::Strict;
        self
    }

    /// Runs `f` as one batch, reporting progress as these options say.
    pub(crate) fn batch<T>(
        self,
        store: &Store,
        f: impl FnOnce(&mut Batch<'_>) -> crate::Result<T>,
    ) -> crate::Result<T> {
        match self.progress {
            Some(p) => store.batch_with_progress(self.progress_every, p, f),
            None => store.batch(f),
        }
    }
}
