//! Interchange: the formats fact-checking desks publish and consume, one module per format, all on top
//! of the public [`Store`] API.
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
//! | [`fever`] | FEVER `paper_dev.jsonl`: claims, evidence sets as Wikipedia-page sources | — |
//! | [`liar`] | LIAR TSV: speakers, statements, PolitiFact labels as reviews | — |
//! | [`climate_fever`] | Climate-FEVER CSV: claims, evidence sentences with their own labels | — |
//! | [`averitec`] | AVeriTeC JSON: claims, speakers, question-and-answer evidence, labels as reviews | — |
//!
//! Every importer writes through [`Store::batch`](crate::Store::batch), so an import is one
//! transaction: all of a file lands, or none of it.
//!
//! Every importer has the same shape, `import(store, input, ImportOptions) -> ImportReport` (a bundle's
//! input is a [`Bundle`](crate::Bundle) value, which [`bundle::read_bundle`] reads): one [`ImportOptions`]
//! with one progress callback, and one [`ImportReport`] saying what was read and written and listing every
//! part of the input that was not (or not fully) taken in: nothing is dropped silently. The research data
//! sets are also read straight from a path with [`import_file`].

use serde::Deserialize;

use crate::error::Error;
use crate::model::source::SourceKind;
use crate::store::Store;

pub mod averitec;
pub mod bundle;
pub mod claimreview;
pub mod climate_fever;
pub mod csv;
pub mod dot;
pub mod factcheck;
pub mod fever;
pub mod jsonl;
pub mod labels;
pub mod liar;
mod repair;
mod rows;
pub(crate) mod stream;
pub use stream::{MAX_LISTED_ISSUES, MAX_RECORD_BYTES};
mod report;

pub use report::{ImportIssue, ImportOptions, ImportReport, IssueKind, ProgressFn, Strictness};

/// A research data set [`import_file`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DataSet {
    /// FEVER `paper_dev.jsonl` and the like ([`fever`]).
    Fever,
    /// LIAR `train.tsv`, `valid.tsv`, `test.tsv` ([`liar`]).
    Liar,
    /// Climate-FEVER `climate-fever.csv` ([`climate_fever`]).
    ClimateFever,
    /// AVeriTeC `dev.json`, `train.json` ([`averitec`]).
    Averitec,
}

impl DataSet {
    /// Every data set, in the order above.
    pub const ALL: [DataSet; 4] = [
        DataSet::Fever,
        DataSet::Liar,
        DataSet::ClimateFever,
        DataSet::Averitec,
    ];

    /// The data set's name as its authors write it.
    pub fn name(self) -> &'static str {
        match self {
            DataSet::Fever => "FEVER",
            DataSet::Liar => "LIAR",
            DataSet::ClimateFever => "Climate-FEVER",
            DataSet::Averitec => "AVeriTeC",
        }
    }
}

/// Imports a research data set's file in one transaction: the one way from a path to a data-set
/// importer ([`fever`], [`liar`], [`climate_fever`], [`averitec`]; each module's `import` reads any
/// reader). A file that cannot be opened is [`Error::Io`] naming the path; nothing is written.
///
/// # Example
/// ```
/// use claimtrack::{Store, io::{DataSet, ImportOptions, import_file}};
/// let store = Store::open_in_memory()?;
/// let report = import_file(&store, DataSet::Liar, "tests/data/liar/handmade.tsv", ImportOptions::default())?;
/// assert_eq!(store.counts()?.claims, report.added.claims);
/// assert!(report.read > 0);
///
/// let missing = import_file(&store, DataSet::Fever, "no/such/file.jsonl", ImportOptions::default());
/// assert!(matches!(missing, Err(claimtrack::Error::Io(e)) if e.to_string().contains("no/such/file.jsonl")));
/// # Ok::<(), claimtrack::Error>(())
/// ```
pub fn import_file(
    store: &Store,
    data_set: DataSet,
    path: impl AsRef<std::path::Path>,
    options: ImportOptions<'_>,
) -> crate::Result<ImportReport> {
    let path = path.as_ref();
    let file = std::fs::File::open(path)
        .map_err(|e| Error::Io(std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))))?;
    let input = std::io::BufReader::new(file);
    match data_set {
        DataSet::Fever => fever::import(store, input, options),
        DataSet::Liar => liar::import(store, input, options),
        DataSet::ClimateFever => climate_fever::import(store, input, options),
        DataSet::Averitec => averitec::import(store, input, options),
    }
}

/// The kind of a source known only by the name a feed gives its claimant (Fact Check Tools' `claimant`,
/// AVeriTeC's `speaker`, a ClaimReview `author` given as plain text). Feeds do not say what a claimant is,
/// and a guess would be wrong often enough to mislead ("Consulate General of Pakistan, France" is not a
/// person), so only what the name itself shows is used:
///
/// | the name | kind |
/// |---|---|
/// | a web address or a bare domain (`scoopertino.com`, `https://x.org/a`) | [`Website`](SourceKind::Website) |
/// | an `@handle`, or names a platform (Facebook, X/Twitter, Instagram, TikTok, YouTube, Telegram, WhatsApp, …) | [`PlatformAccount`](SourceKind::PlatformAccount) |
/// | a crowd: "social media users", "viral post", "multiple sources", "bloggers", … | [`Collective`](SourceKind::Collective) |
/// | anything else | [`Unknown`](SourceKind::Unknown) |
///
/// A source found by name keeps the kind it was stored with; this only names the kind of a new one.
///
/// # Example
/// ```
/// use claimtrack::{SourceKind, io::claimant_kind};
/// assert_eq!(claimant_kind("Consulate General of Pakistan, France"), SourceKind::Unknown);
/// assert_eq!(claimant_kind("Facebook user"), SourceKind::PlatformAccount);
/// assert_eq!(claimant_kind("scoopertino.com"), SourceKind::Website);
/// assert_eq!(claimant_kind("Social media users"), SourceKind::Collective);
/// ```
pub fn claimant_kind(name: &str) -> SourceKind {
    let name = name.trim();
    let lower = name.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '.' && c != '@')
        .filter(|w| !w.is_empty())
        .collect();
    let domain_like = |w: &str| {
        let w = w.trim_end_matches('.');
        let labels: Vec<&str> = w.split('.').collect();
        labels.len() >= 2
            && labels
                .iter()
                .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
            && labels
                .last()
                .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()))
    };
    const PLATFORMS: [&str; 16] = [
        "facebook",
        "twitter",
        "x.com",
        "instagram",
        "tiktok",
        "youtube",
        "telegram",
        "whatsapp",
        "weibo",
        "reddit",
        "linkedin",
        "vk",
        "vkontakte",
        "wechat",
        "threads",
        "snapchat",
    ];
    const CROWDS: [&str; 12] = [
        "social media",
        "viral",
        "multiple",
        "various",
        "users",
        "netizens",
        "bloggers",
        "posts",
        "online",
        "internet",
        "memes",
        "sources multiples",
    ];
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return match crate::model::publication::site_of(name) {
            Some(site)
                if PLATFORMS
                    .iter()
                    .any(|p| site.starts_with(p) || site.contains(&format!(".{p}"))) =>
            {
                SourceKind::PlatformAccount
            }
            _ => SourceKind::Website,
        };
    }
    if name.starts_with('@') && !name.contains(char::is_whitespace) {
        return SourceKind::PlatformAccount;
    }
    if words.iter().any(|w| PLATFORMS.contains(w)) {
        return SourceKind::PlatformAccount;
    }
    if name.is_ascii() && words.len() == 1 && domain_like(words[0]) {
        return SourceKind::Website;
    }
    if CROWDS.iter().any(|c| {
        if c.contains(' ') {
            lower.contains(c)
        } else {
            words.contains(c)
        }
    }) {
        return SourceKind::Collective;
    }
    SourceKind::Unknown
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

/// A JSON object being read, remembering which keys were used so the rest can be reported.
pub(crate) struct Obj<'a> {
    map: &'a serde_json::Map<String, serde_json::Value>,
    path: String,
    used: std::cell::RefCell<Vec<&'a str>>,
}

impl<'a> Obj<'a> {
    pub(crate) fn new(map: &'a serde_json::Map<String, serde_json::Value>, path: String) -> Self {
        Self {
            map,
            path,
            used: std::cell::RefCell::new(Vec::new()),
        }
    }

    /// The whole object, as read.
    pub(crate) fn map(&self) -> &'a serde_json::Map<String, serde_json::Value> {
        self.map
    }

    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    pub(crate) fn at(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }

    /// The value of `key` (a JSON null counts as absent), marking it used.
    pub(crate) fn get(&self, key: &str) -> Option<&'a serde_json::Value> {
        let (k, v) = self.map.get_key_value(key)?;
        self.used.borrow_mut().push(k.as_str());
        (!v.is_null()).then_some(v)
    }

    /// The text of `key`; a number is taken as its decimal text, anything else reported and skipped.
    pub(crate) fn text(&self, key: &str, report: &mut ImportReport) -> Option<String> {
        match self.get(key)? {
            serde_json::Value::String(s) if s.trim().is_empty() => None,
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            other => {
                report.push(
                    IssueKind::Skipped,
                    self.at(key),
                    format!("expected text, found {}", describe(other)),
                );
                None
            }
        }
    }

    /// Every text under `key`: one text, or a list of them (numbers taken as their decimal text); a
    /// blank entry is dropped and anything else in the list reported and skipped.
    pub(crate) fn texts(&self, key: &str, report: &mut ImportReport) -> Vec<String> {
        let Some(v) = self.get(key) else {
            return Vec::new();
        };
        let items: Vec<(String, &serde_json::Value)> = match v {
            serde_json::Value::Array(a) => a
                .iter()
                .enumerate()
                .map(|(i, x)| (format!("{}[{i}]", self.at(key)), x))
                .collect(),
            x => vec![(self.at(key), x)],
        };
        let mut out = Vec::new();
        for (at, x) in items {
            match x {
                serde_json::Value::String(s) if s.trim().is_empty() => {}
                serde_json::Value::String(s) => out.push(s.clone()),
                serde_json::Value::Number(n) => out.push(n.to_string()),
                serde_json::Value::Null => {}
                other => report.push(
                    IssueKind::Skipped,
                    at,
                    format!("expected text, found {}", describe(other)),
                ),
            }
        }
        out
    }

    /// Reports every key that was not used (JSON-LD keywords such as `@context` excepted).
    pub(crate) fn finish(self, report: &mut ImportReport) {
        let used = self.used.into_inner();
        for (k, v) in self.map {
            if k.starts_with('@') || used.contains(&k.as_str()) {
                continue;
            }
            report.push(
                IssueKind::Ignored,
                format!("{}.{k}", self.path),
                format!("not kept: {}", short_json(v)),
            );
        }
    }
}

/// A JSON value's kind in words, for messages.
pub(crate) fn describe(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "true/false",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "text",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}

/// A value as compact JSON, cut to a readable length.
pub(crate) fn short_json(v: &serde_json::Value) -> String {
    crate::model::text::shorten(&v.to_string(), 120)
}

/// Deserializes `T` from a serde_json deserializer, naming the path of a bad field, and refusing fields
/// `T` does not have (a misspelt field in a hand-edited file must not vanish silently). `at` prefixes the
/// location (`"line 12"`) or is empty for whole documents.
pub(crate) fn strict<'de, T, R>(de: &mut serde_json::Deserializer<R>, at: &str) -> crate::error::Result<T>
where
    T: Deserialize<'de>,
    R: serde_json::de::Read<'de>,
{
    let mut unknown: Option<String> = None;
    let mut note = |path: serde_ignored::Path<'_>| {
        if unknown.is_none() {
            unknown = Some(json_path(&path));
        }
    };
    let value: T = serde_path_to_error::deserialize(serde_ignored::Deserializer::new(&mut *de, &mut note))
        .map_err(|e| json_error(at, e))?;
    if let Some(field) = unknown {
        return Err(Error::Parse {
            location: if at.is_empty() { "$".into() } else { at.to_string() },
            field,
            reason: "unknown field (misspelt, or from a newer claimtrack?); nothing was imported".into(),
        });
    }
    Ok(value)
}

/// A serde_ignored path written the way serde_path_to_error writes them: `claims[0].tagz`.
fn json_path(p: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    match p {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", json_path(parent)),
        Path::Map { parent, key } => {
            let head = json_path(parent);
            if head.is_empty() {
                key.clone()
            } else {
                format!("{head}.{key}")
            }
        }
        Path::Some { parent } | Path::NewtypeStruct { parent } | Path::NewtypeVariant { parent } => {
            json_path(parent)
        }
    }
}

/// The error for a review imported before whose verdict the input now gives differently: a review is
/// never overwritten, so the import is refused, naming the stored review.
pub(crate) fn changed_review(
    stored: &crate::model::review::Review,
    url: &str,
    now: &str,
) -> crate::error::Error {
    crate::error::Error::Conflict {
        kind: "review",
        id: stored.id.to_string(),
        reason: format!(
            "the review at {url} was imported as {} ({:?}) and now reads {now:?}; a review is never \
             overwritten: publish a correction with Store::correct_review",
            crate::model::review::Verdict::words_of(stored.verdict),
            stored.label.as_deref().unwrap_or("")
        ),
    }
}

/// Writes `text` (one value as serde_json's pretty printer wrote it, two spaces a level) as an element
/// of a list nested one level deeper than the value was written: a line break (after a comma unless it
/// is the list's first element), then each line indented by four spaces. How the streamed exports write
/// a list one record at a time with the very bytes the pretty printer gives the whole document
/// ([`bundle::export_to`], [`claimreview::export`]). Strings hold no raw line break (JSON escapes it), so
/// every line break in `text` is the printer's.
pub(crate) fn write_list_element<W: std::io::Write + ?Sized>(
    out: &mut W,
    text: &[u8],
    first: bool,
) -> std::io::Result<()> {
    out.write_all(if first { b"\n" } else { b",\n" })?;
    for (i, line) in text.split(|b| *b == b'\n').enumerate() {
        if i > 0 {
            out.write_all(b"\n")?;
        }
        out.write_all(b"    ")?;
        out.write_all(line)?;
    }
    Ok(())
}
