//! schema.org `ClaimReview` JSON-LD: the markup fact-checkers put in their pages, which search engines
//! and the Google Fact Check Tools read.
//!
//! [`export_claim`] writes a reviewed claim as markup to paste into a page: `claimReviewed`,
//! `itemReviewed` (a `Claim` with `author`, `datePublished`, `appearance`, `firstAppearance`),
//! `reviewRating` (`ratingValue`, `bestRating`, `worstRating`, `alternateName`), the review's `author`,
//! `datePublished` and `url`.
//!
//! [`import`] reads markup as found in the wild — a single object, an array, or a `@graph`, with `@id`
//! references inside it; a missing `reviewRating`; an `itemReviewed` that is a `CreativeWork` or a video
//! clip instead of a `Claim` — and returns an [`ImportReport`] listing every part it could not read or did
//! not keep. Each `ClaimReview` becomes a claim, an attribution to the claim's author (in each place it
//! appeared) and a review by the review's author; authors are matched to existing sources by name or
//! alias, and every `alternateName` (one or a list) becomes an alias. Within one file, what is said twice
//! is recorded once: `ClaimReview`s with the same `claimReviewed`, `inLanguage` and `itemReviewed` are
//! reviews of one claim (the export writes one `ClaimReview` per review), a work named as
//! `firstAppearance` and among the `appearance`s (or by several reviews) is one publication — the same
//! URL, or the same object when it has none —, and a `ClaimReview` repeated word for word is one review.
//! So the export read back and exported again gives the same markup (`tests/claimreview_roundtrip.rs`). A `ClaimReview` that cannot be read (no `claimReviewed`, say) is skipped and listed; the rest
//! are imported, all in one transaction. One already imported (a claim with the same text has a review at
//! the same `url`) is skipped and counted as unchanged, so importing a page's markup twice adds nothing;
//! if its rating has changed since, it is not written (a review is never overwritten) and is listed in the
//! report with the [`Error::Conflict`] that names the stored review: publish a correction with
//! `Store::correct_review`. With [`ImportOptions::strict`] the first node that cannot be read (or
//! gives a key twice, or would overwrite a review) refuses the whole input instead.
//!
//! The input is read node by node, never whole, so a file of any size is imported in bounded memory
//! (see [`import`]). What that costs at the edges, for files far larger than any page's markup: the
//! nodes with an `@id` are kept for references up to 16 MiB, a `ClaimReview` referring to an `@id` not
//! seen yet is held back to the end of the file (up to 16 MiB of them; beyond that it is imported at
//! once, the node it names then unknown and reported as unreadable), and what the file said already is remembered for
//! the last 2^19 claims, reviews and works (repeats further apart than that are recorded again).
//!
//! ```
//! use claimtrack::{Store, Verdict, io::claimreview};
//! let markup = r#"{
//!   "@context": "https://schema.org", "@type": "ClaimReview",
//!   "claimReviewed": "The moon is made of cheese",
//!   "author": {"@type": "Organization", "name": "Example Checks"},
//!   "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "A. Nonymous"}},
//!   "reviewRating": {"@type": "Rating", "ratingValue": 1, "bestRating": 5, "worstRating": 1,
//!                    "alternateName": "False", "image": "https://example.org/false.png"}
//! }"#;
//! let store = Store::open_in_memory()?;
//! let report = claimreview::import(&store, markup.as_bytes(), claimtrack::io::ImportOptions::default())?;
//! let claim = &store.claims()?[0];
//! assert_eq!(store.reviews_of(claim.id)?[0].verdict, Some(Verdict::False));
//! // The rating's image has no place in claimtrack: it is reported, not silently dropped.
//! assert!(report.issues.iter().any(|i| i.location == "$.reviewRating.image"));
//! # Ok::<(), claimtrack::Error>(())
//! ```
//!
//! Writing markup out, and the pieces it is made of:
//! ```
//! use claimtrack::{NewClaim, NewReview, NewSource, SourceKind, Store, Verdict};
//! use claimtrack::io::{ImportOptions, claimreview};
//! let store = Store::open_in_memory()?;
//! let desk = store.add_source(NewSource::new("Desk Checks", SourceKind::Organisation))?;
//! let claim = store.add_claim(NewClaim::factual("The moon is made of cheese"))?;
//! store.add_review(claim, NewReview::new(Verdict::False).by(desk).url("https://checks.example/moon"))?;
//! let nodes = claimreview::claim_reviews(&store, claim)?;
//! assert_eq!(nodes[0]["reviewRating"]["alternateName"], claimreview::verdict_words(Verdict::False));
//! assert_eq!(nodes[0]["author"]["@type"], claimreview::schema_type(SourceKind::Organisation).unwrap());
//!
//! let (mut one, mut all) = (Vec::new(), Vec::new());
//! claimreview::export_claim(&store, claim, &mut one)?;
//! claimreview::export(&store, &mut all)?;
//! let all: serde_json::Value = serde_json::from_slice(&all).unwrap();
//! assert_eq!(all["@graph"].as_array().map(Vec::len), Some(1));
//!
//! // The markup read back elsewhere, from a document already parsed: the same claim and verdict.
//! let copy = Store::open_in_memory()?;
//! let doc: serde_json::Value = serde_json::from_slice(&one).unwrap();
//! claimreview::import_value(&copy, &doc, ImportOptions::default())?;
//! let back = &copy.claims()?[0];
//! assert_eq!(back.text, "The moon is made of cheese");
//! assert_eq!(copy.reviews_of(back.id)?[0].verdict, Some(Verdict::False));
//! # Ok::<(), claimtrack::Error>(())
//! ```

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};

use serde_json::{Map, Value, json};

use super::labels::{map_label, map_rating};
use super::{ImportIssue, ImportOptions, ImportReport, IssueKind, Obj, Strictness, describe, stream};
use crate::error::{Error, Result};
use crate::model::attribution::{Attribution, NewAttribution};
use crate::model::claim::{Claim, NewClaim};
use crate::model::date::PartialDate;
use crate::model::ids::{ClaimId, PublicationId, SourceId};
use crate::model::publication::{NewPublication, Publication};
use crate::model::review::{NewReview, Rating, Review, Verdict};
use crate::model::source::{NewSource, Source, SourceKind};
use crate::store::{Batch, Store};

const CONTEXT: &str = "https://schema.org";

/// The verdict in words, for `alternateName` when the review has no label of its own.
pub fn verdict_words(v: Verdict) -> &'static str {
    match v {
        Verdict::False => "False",
        Verdict::MostlyFalse => "Mostly false",
        Verdict::Mixed => "Mixed",
        Verdict::MostlyTrue => "Mostly true",
        Verdict::True => "True",
        Verdict::Unverifiable => "Unverifiable",
    }
}

fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        json!(x as i64)
    } else {
        json!(x)
    }
}

/// The schema.org type a source of `kind` is written as; `None` (no `@type`) for a source whose kind is
/// unknown, rather than a guess. The importer reads them back.
///
/// | kind | `@type` |
/// |---|---|
/// | person | `Person` |
/// | news agency, outlet | `NewsMediaOrganization` |
/// | government body, intelligence service | `GovernmentOrganization` |
/// | organisation, collective | `Organization` |
/// | document | `CreativeWork` |
/// | website | `WebSite` |
/// | platform account | `ProfilePage` (schema.org's type for a person's or organisation's profile on a site) |
/// | unknown | none |
pub fn schema_type(kind: SourceKind) -> Option<&'static str> {
    Some(match kind {
        SourceKind::Person => "Person",
        SourceKind::NewsAgency | SourceKind::Outlet => "NewsMediaOrganization",
        SourceKind::GovernmentBody | SourceKind::IntelligenceService => "GovernmentOrganization",
        SourceKind::Organisation | SourceKind::Collective => "Organization",
        SourceKind::Document => "CreativeWork",
        SourceKind::Website => "WebSite",
        SourceKind::PlatformAccount => "ProfilePage",
        SourceKind::Unknown => return None,
    })
}

/// The kind of a new source read from an agent of schema.org type `t` (see [`schema_type`]); an agent
/// without a type is of unknown kind, one of a type not listed an organisation.
fn kind_of_type(t: Option<&Value>) -> SourceKind {
    const KINDS: [(&str, SourceKind); 9] = [
        ("Person", SourceKind::Person),
        ("NewsMediaOrganization", SourceKind::Outlet),
        ("GovernmentOrganization", SourceKind::GovernmentBody),
        ("WebSite", SourceKind::Website),
        ("ProfilePage", SourceKind::PlatformAccount),
        ("CreativeWork", SourceKind::Document),
        ("Article", SourceKind::Document),
        ("WebPage", SourceKind::Document),
        ("Organization", SourceKind::Organisation),
    ];
    if t.is_none() {
        return SourceKind::Unknown;
    }
    KINDS
        .iter()
        .find(|(name, _)| has_type(t, name))
        .map_or(SourceKind::Organisation, |(_, k)| *k)
}

fn agent(s: &Source) -> Value {
    let mut m = Map::new();
    if let Some(t) = schema_type(s.kind) {
        m.insert("@type".into(), json!(t));
    }
    m.insert("name".into(), json!(s.name));
    if !s.aliases.is_empty() {
        m.insert("alternateName".into(), json!(s.aliases));
    }
    Value::Object(m)
}

fn work(store: &Store, p: &Publication) -> Result<Value> {
    let mut m = Map::new();
    m.insert("@type".into(), json!("CreativeWork"));
    if let Some(t) = &p.title {
        m.insert("name".into(), json!(t));
    }
    if let Some(u) = &p.url {
        m.insert("url".into(), json!(u));
    }
    if let Some(u) = &p.archive_url {
        m.insert("archivedAt".into(), json!(u));
    }
    if let Some(d) = &p.published {
        m.insert("datePublished".into(), json!(d.to_string()));
    }
    if let Some(publisher) = p.publisher {
        m.insert("author".into(), agent(&store.source(publisher)?));
    }
    Ok(Value::Object(m))
}

fn item_reviewed(store: &Store, claim: &Claim, attributions: &[Attribution]) -> Result<Value> {
    let mut m = Map::new();
    m.insert("@type".into(), json!("Claim"));
    if let Some(speaker) = attributions.iter().find_map(|a| a.speaker) {
        m.insert("author".into(), agent(&store.source(speaker)?));
    }
    // When the claim was made: its own date, else its earliest attribution's.
    if let Some(d) = claim.made_on.or_else(|| {
        attributions
            .iter()
            .filter_map(|a| a.said_on)
            .min_by(|a, b| a.timeline_cmp(b))
    }) {
        m.insert("datePublished".into(), json!(d.to_string()));
    }
    let mut pubs: Vec<Publication> = Vec::new();
    for a in attributions {
        if let Some(p) = a.publication {
            if !pubs.iter().any(|x| x.id == p) {
                pubs.push(store.publication(p)?);
            }
        }
    }
    if !pubs.is_empty() {
        let first = pubs
            .iter()
            .enumerate()
            .min_by(|(i, a), (j, b)| match (&a.published, &b.published) {
                (Some(x), Some(y)) => x.timeline_cmp(y).then(i.cmp(j)),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => i.cmp(j),
            })
            .map(|(_, p)| p);
        if let Some(first) = first {
            m.insert("firstAppearance".into(), work(store, first)?);
        }
        let all = pubs.iter().map(|p| work(store, p)).collect::<Result<Vec<_>>>()?;
        m.insert("appearance".into(), Value::Array(all));
    }
    Ok(Value::Object(m))
}

fn rating(r: &Review) -> Value {
    let mut m = Map::new();
    m.insert("@type".into(), json!("Rating"));
    let (value, best, worst) = match &r.rating {
        Some(rt) => (Some(rt.value), rt.best, rt.worst),
        None => (
            r.verdict.and_then(|v| v.score()).map(|s| f64::from(s) + 1.0),
            5.0,
            1.0,
        ),
    };
    if let Some(v) = value {
        m.insert("ratingValue".into(), number(v));
        m.insert("bestRating".into(), number(best));
        m.insert("worstRating".into(), number(worst));
    }
    let words = r
        .label
        .clone()
        .or_else(|| r.rating.as_ref().and_then(|x| x.alternate_name.clone()))
        .unwrap_or_else(|| r.verdict.map_or("No verdict", verdict_words).to_string());
    m.insert("alternateName".into(), json!(words));
    Value::Object(m)
}

fn claim_review(store: &Store, claim: &Claim, attributions: &[Attribution], r: &Review) -> Result<Value> {
    let mut m = Map::new();
    m.insert("@context".into(), json!(CONTEXT));
    m.insert("@type".into(), json!("ClaimReview"));
    if let Some(u) = &r.url {
        m.insert("url".into(), json!(u));
    }
    if let Some(d) = &r.reviewed_on {
        m.insert("datePublished".into(), json!(d.to_string()));
    }
    if let Some(reviewer) = r.reviewer {
        m.insert("author".into(), agent(&store.source(reviewer)?));
    }
    m.insert("claimReviewed".into(), json!(claim.text));
    if let Some(l) = &claim.language {
        m.insert("inLanguage".into(), json!(l));
    }
    m.insert("itemReviewed".into(), item_reviewed(store, claim, attributions)?);
    m.insert("reviewRating".into(), rating(r));
    if let Some(why) = &r.rationale {
        m.insert("reviewBody".into(), json!(why));
    }
    Ok(Value::Object(m))
}

/// One `ClaimReview` object per review of `claim` that counts, oldest first (empty when it has none):
/// superseded and retracted reviews are not published.
pub fn claim_reviews(store: &Store, claim: ClaimId) -> Result<Vec<Value>> {
    let c = store.claim(claim)?;
    let attributions = store.attributions_of(claim)?;
    // Only reviews that count are published: a superseded or retracted fact-check must not appear as
    // markup (search engines show it beside the claim).
    store
        .current_reviews_of(claim)?
        .iter()
        .map(|r| claim_review(store, &c, &attributions, r))
        .collect()
}

/// Writes markup that is safe inside a page's `<script type="application/ld+json">`: `<`, `>` and `&`
/// in any string are written as `\u003c`, `\u003e` and `\u0026` (the same JSON value), so a claim
/// containing `</script>` or `<!--` cannot end the script element or start a comment.
fn write_json<W: Write>(v: &Value, mut out: W) -> Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(&mut out, EmbedSafe::default());
    serde::Serialize::serialize(v, &mut ser).map_err(super::bundle::json_write_error)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

/// serde_json's pretty printer, with `<`, `>` and `&` escaped inside strings (see [`write_json`]).
#[derive(Default)]
struct EmbedSafe(serde_json::ser::PrettyFormatter<'static>);

impl serde_json::ser::Formatter for EmbedSafe {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, fragment: &str) -> std::io::Result<()> {
        let mut rest = fragment;
        while let Some(i) = rest.find(['<', '>', '&']) {
            w.write_all(&rest.as_bytes()[..i])?;
            w.write_all(match rest.as_bytes()[i] {
                b'<' => b"\\u003c",
                b'>' => b"\\u003e",
                _ => b"\\u0026",
            })?;
            rest = &rest[i + 1..];
        }
        w.write_all(rest.as_bytes())
    }
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Writes `claim`'s reviews as `ClaimReview` markup: one object for one review, a `@graph` for several.
/// A claim without a review has nothing to publish and is refused with [`Error::Invalid`].
pub fn export_claim<W: Write>(store: &Store, claim: ClaimId, out: W) -> Result<()> {
    let mut reviews = claim_reviews(store, claim)?;
    match reviews.len() {
        0 => Err(Error::invalid(
            "claim",
            format!("claim {claim} has no review to publish as a ClaimReview"),
        )),
        1 => write_json(&reviews.remove(0), out),
        _ => write_json(&graph(reviews), out),
    }
}

fn graph(mut nodes: Vec<Value>) -> Value {
    for n in &mut nodes {
        if let Value::Object(m) = n {
            m.remove("@context");
        }
    }
    json!({ "@context": CONTEXT, "@graph": nodes })
}

/// Writes every review in the store that counts as one `@graph` of `ClaimReview`s, streamed: a claim's
/// reviews at a time in memory, however large the store. On SQLite the whole export reads one snapshot;
/// on PostgreSQL each claim's reviews are one read.
///
/// # Example
/// ```
/// use claimtrack::{NewClaim, NewReview, Store, Verdict, io::claimreview};
/// let store = Store::open_in_memory()?;
/// for text in ["The moon is made of cheese", "Water is dry"] {
///     let claim = store.add_claim(NewClaim::factual(text))?;
///     store.add_review(claim, NewReview::new(Verdict::False))?;
/// }
/// let mut out = Vec::new();
/// claimreview::export(&store, &mut out)?;
/// let markup: serde_json::Value = serde_json::from_slice(&out)?;
/// assert_eq!(markup["@graph"].as_array().map(Vec::len), Some(2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn export<W: Write>(store: &Store, out: W) -> Result<()> {
    // On SQLite one read snapshot (the reads nest in one read transaction), with the memory map off:
    // see csv::export.
    store.unmapped(|| store.snapshot(|| graph_of_all(store, out)))
}

fn graph_of_all<W: Write>(store: &Store, out: W) -> Result<()> {
    let mut out = std::io::BufWriter::new(out);
    // The layout of `write_json(&graph(all))`: the pretty printer's, keys in order, each node at the
    // list's indentation and without its own `@context`.
    let context = serde_json::to_string(CONTEXT).map_err(super::bundle::json_write_error)?;
    write!(out, "{{\n  \"@context\": {context},\n  \"@graph\": [")?;
    let (mut first, mut buf) = (true, Vec::new());
    let mut after = None;
    loop {
        let page = store.claims_page(after, 500)?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        for c in &page {
            for mut node in claim_reviews(store, c.id)? {
                if let Value::Object(m) = &mut node {
                    m.remove("@context");
                }
                buf.clear();
                let mut ser = serde_json::Serializer::with_formatter(&mut buf, EmbedSafe::default());
                serde::Serialize::serialize(&node, &mut ser).map_err(super::bundle::json_write_error)?;
                super::write_list_element(&mut out, &buf, first)?;
                first = false;
            }
        }
    }
    out.write_all(if first { b"]" } else { b"\n  ]" })?;
    out.write_all(b"\n}\n")?;
    out.flush()?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------- import

/// How ClaimReview markup nests its nodes: lists, and `@graph`s that hold lists and `@graph`s again.
const SHAPE: stream::Shape = stream::Shape {
    list_key: "@graph",
    list_is_container: true,
};

/// How much of the nodes with an `@id` an import keeps in memory to follow references to them
/// (counted as [`MAX_RECORD_BYTES`](super::MAX_RECORD_BYTES) counts a record); beyond it, later ones are
/// not kept and a reference to them is reported as not followed.
const IDS_BUDGET: u64 = 16 * 1024 * 1024;

/// How much of the `ClaimReview`s that refer to an `@id` not yet seen an import holds back until the
/// end of the file, where the node may be; beyond it, such a review is imported at once.
const DEFER_BUDGET: u64 = 16 * 1024 * 1024;

/// Reads `ClaimReview` JSON-LD and imports it in one transaction; see the [module docs](self).
///
/// A node that cannot be read is skipped and listed in the report; with
/// [`ImportOptions::strict`] the first such node refuses the whole input with a typed error naming it,
/// and nothing is written. A node that gives a key twice counts as unreadable: which of the two values
/// is meant is unknown.
///
/// The input is read node by node, never whole: memory stays bounded whatever the size or shape of the
/// file or stream (a single object, a list, a `@graph`), each node held to
/// [`MAX_RECORD_BYTES`](super::MAX_RECORD_BYTES) of JSON text and of memory once read.
///
/// # Example
/// ```
/// use claimtrack::{Error, Store, io::{ImportOptions, claimreview}};
/// let markup = r#"[{"@type": "ClaimReview", "claimReviewed": "One", "reviewRating": {"alternateName": "False"}},
///                 {"@type": "ClaimReview", "claimReviewed": "Two", "claimReviewed": "Three"}]"#;
/// let store = Store::open_in_memory()?;
/// let err = claimreview::import(&store, markup.as_bytes(), ImportOptions::default().strict()).unwrap_err();
/// assert!(matches!(&err, Error::Parse { location, field, .. }
///     if location.starts_with("$[1]") && field == "$[1].claimReviewed"), "{err}");
/// assert!(store.claims()?.is_empty());
/// let report = claimreview::import(&store, markup.as_bytes(), ImportOptions::default())?;
/// assert_eq!(store.claims()?.len(), 1);
/// assert!(report.issues.iter().any(|i| i.location == "$[1].claimReviewed" && i.message.contains("given twice")));
/// # Ok::<(), claimtrack::Error>(())
/// ```
pub fn import<R: Read>(store: &Store, input: R, options: ImportOptions<'_>) -> Result<ImportReport> {
    let strictness = options.strictness;
    options.batch(store, |b| {
        let mut importer = Importer::new(b, strictness);
        stream::walk(input, SHAPE, &mut importer)?;
        importer.finish()
    })
}

/// [`import`] for a document already parsed.
pub fn import_value(store: &Store, doc: &Value, options: ImportOptions<'_>) -> Result<ImportReport> {
    let strictness = options.strictness;
    options.batch(store, |b| {
        let mut importer = Importer::new(b, strictness);
        stream::walk_value(doc, SHAPE, &mut importer)?;
        importer.finish()
    })
}

/// The nodes with an `@id` seen so far (`ClaimReview`s aside: nothing refers to one), up to
/// [`IDS_BUDGET`].
#[derive(Default)]
struct Ids {
    nodes: HashMap<String, Value>,
    cost: u64,
    full: bool,
}

impl Ids {
    /// Keeps every node of `v` with an `@id` and something besides it, the first of each id.
    fn collect(&mut self, v: &Value, report: &mut stream::Collector, record: &str) -> Result<()> {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(id)) = m.get("@id") {
                    if m.len() > 1
                        && !has_type(m.get("@type"), "ClaimReview")
                        && !self.nodes.contains_key(id.as_str())
                    {
                        let cost = stream::cost_of(v);
                        if self.cost.saturating_add(cost) <= IDS_BUDGET {
                            self.cost += cost;
                            self.nodes.insert(id.clone(), v.clone());
                        } else if !self.full {
                            self.full = true;
                            report.push(
                                record,
                                ImportIssue {
                                    kind: IssueKind::Note,
                                    location: record.to_string(),
                                    message: format!(
                                        "more nodes with an @id than an import keeps in memory ({} MiB): \
                                         references to this one and later ones are not followed",
                                        IDS_BUDGET >> 20
                                    ),
                                },
                            )?;
                        }
                    }
                }
                for x in m.values() {
                    self.collect(x, report, record)?;
                }
            }
            Value::Array(a) => {
                for x in a {
                    self.collect(x, report, record)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Whether `v` refers (`{"@id": …}` alone) to a node not seen yet.
    fn unresolved(&self, v: &Value) -> bool {
        match v {
            Value::Object(m) => match m.get("@id") {
                Some(Value::String(id)) if m.len() == 1 => !self.nodes.contains_key(id.as_str()),
                _ => m.values().any(|x| self.unresolved(x)),
            },
            Value::Array(a) => a.iter().any(|x| self.unresolved(x)),
            _ => false,
        }
    }
}

/// The import's state between records.
struct Importer<'b, 'c> {
    b: &'b mut Batch<'c>,
    report: stream::Collector,
    ids: Ids,
    seen: RefCell<Seen>,
    /// `ClaimReview`s held back until the end of the file (they refer to an `@id` not seen yet).
    deferred: Vec<(String, Map<String, Value>)>,
    deferred_cost: u64,
    /// Nodes found (of any type).
    nodes: u64,
}

impl<'b, 'c> Importer<'b, 'c> {
    fn new(b: &'b mut Batch<'c>, strictness: Strictness) -> Self {
        Self {
            b,
            report: stream::Collector::new(strictness),
            ids: Ids::default(),
            seen: RefCell::default(),
            deferred: Vec::new(),
            deferred_cost: 0,
            nodes: 0,
        }
    }

    fn issue(&mut self, record: &str, kind: IssueKind, location: String, message: String) -> Result<()> {
        self.report.push(
            record,
            ImportIssue {
                kind,
                location,
                message,
            },
        )
    }

    /// One node of the document: imported now, or held back when it refers to what comes later.
    fn node(&mut self, path: String, node: Map<String, Value>) -> Result<()> {
        self.nodes += 1;
        let value = Value::Object(node);
        self.ids.collect(&value, &mut self.report, &path)?;
        let Value::Object(node) = value else {
            return Ok(());
        };
        if node.values().any(|v| self.ids.unresolved(v)) {
            let cost = stream::cost_of_map(&node);
            if self.deferred_cost.saturating_add(cost) <= DEFER_BUDGET {
                self.deferred_cost += cost;
                self.deferred.push((path, node));
                return Ok(());
            }
        }
        self.import_node(&path, &node)
    }

    fn import_node(&mut self, path: &str, node: &Map<String, Value>) -> Result<()> {
        if !has_type(node.get("@type"), "ClaimReview") {
            let t = node.get("@type").map_or("untyped".to_string(), |v| v.to_string());
            return self.issue(
                path,
                IssueKind::Ignored,
                path.to_string(),
                format!("a {t} node, not a ClaimReview"),
            );
        }
        let ctx = Ctx {
            ids: &self.ids.nodes,
            seen: &self.seen,
        };
        self.report.read_one();
        let mut local = ImportReport::default();
        self.seen.borrow_mut().begin();
        if self.report.strict() {
            self.b.at(path);
        }
        let result = self
            .b
            .attempt(|b| ctx.review(b, Obj::new(node, path.to_string()), &mut local));
        match result {
            Ok(()) => self.report.merge(path, local),
            // A strict import stops at the first record it cannot take, naming it.
            Err(e) if self.report.strict() => Err(e),
            Err(e) => {
                // A node that is refused rolls back what it wrote: what it remembered must go too.
                self.seen.borrow_mut().undo();
                self.issue(
                    path,
                    IssueKind::Skipped,
                    path.to_string(),
                    format!("not imported: {e}"),
                )
            }
        }
    }

    fn finish(mut self) -> Result<ImportReport> {
        for (path, node) in std::mem::take(&mut self.deferred) {
            self.import_node(&path, &node)?;
        }
        if self.nodes == 0 && self.report.is_empty() {
            self.issue("$", IssueKind::Skipped, "$".into(), "no ClaimReview found".into())?;
        }
        Ok(self.report.finish(self.b.counts()))
    }
}

impl stream::Sink for Importer<'_, '_> {
    fn record(&mut self, r: stream::Record) -> Result<()> {
        if let Some(key) = r.duplicate {
            let message = format!(
                "this key is given twice; which value is meant is unknown, so the node {} is not imported",
                r.path
            );
            return self.issue(&r.path, IssueKind::Skipped, key, message);
        }
        match r.value {
            Value::Object(m) => self.node(r.path, m),
            other => self.issue(
                &r.path,
                IssueKind::Skipped,
                r.path.clone(),
                format!("expected a JSON-LD object, found {}", describe(&other)),
            ),
        }
    }

    fn container(&mut self, path: &str, rest: Map<String, Value>, duplicate: Option<String>) -> Result<()> {
        if let Some(key) = duplicate {
            // Both lists were read (none is dropped): a note, not a skip — but a strict import takes a
            // key given twice as a damaged file, as it does inside a record.
            let message = format!("the key {key} is given twice in the object holding the @graph");
            if self.report.strict() {
                return Err(Error::Parse {
                    location: path.to_string(),
                    field: key,
                    reason: format!("{message} (a strict import refuses it: nothing was imported)"),
                });
            }
            self.issue(
                path,
                IssueKind::Note,
                key,
                format!("{message}; the records of each were read"),
            )?;
        }
        for (k, v) in rest {
            if !k.starts_with('@') {
                self.issue(
                    path,
                    IssueKind::Ignored,
                    format!("{path}.{k}"),
                    format!("not kept (beside a @graph): {}", super::short_json(&v)),
                )?;
            }
        }
        Ok(())
    }
}

fn has_type(t: Option<&Value>, name: &str) -> bool {
    let is = |s: &str| s == name || s.rsplit(['/', ':', '#']).next() == Some(name);
    match t {
        Some(Value::String(s)) => is(s),
        Some(Value::Array(a)) => a.iter().any(|x| x.as_str().is_some_and(is)),
        _ => false,
    }
}

fn type_name(t: Option<&Value>) -> String {
    match t {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "),
        _ => "untyped".into(),
    }
}

struct Ctx<'a> {
    ids: &'a HashMap<String, Value>,
    seen: &'a RefCell<Seen>,
}

/// What this import already wrote, so that what the file says twice is recorded once: a claim with
/// several reviews is one claim (exported as one `ClaimReview` per review, each repeating the claim), a
/// work without a URL named as `firstAppearance` and again among the `appearance`s (or by several
/// reviews) is one publication, and a `ClaimReview` repeated word for word is one review. (A work with a
/// URL is found in the store by its URL.)
///
/// Values are kept as 128-bit keyed hashes of their compact JSON, not as text, and at most
/// [`SEEN_LIMIT`] of them: beyond that the memory is cleared and starts again, so in a file of millions
/// of records what is repeated far apart may be recorded twice.
#[derive(Default)]
struct Seen {
    hasher: Hasher128,
    /// `ClaimReview` nodes.
    reviews: HashSet<u128>,
    /// Claims by their text, language and `itemReviewed`.
    claims: HashMap<u128, ClaimId>,
    /// Publications without a URL, by the whole `CreativeWork`.
    works: HashMap<u128, PublicationId>,
    /// What the node being imported added, taken back when it is refused.
    added: Vec<u128>,
}

/// How many values [`Seen`] keeps before it starts again.
const SEEN_LIMIT: usize = 1 << 19;

impl Seen {
    /// A node begins.
    fn begin(&mut self) {
        self.added.clear();
        if self.reviews.len() + self.claims.len() + self.works.len() >= SEEN_LIMIT {
            self.reviews.clear();
            self.claims.clear();
            self.works.clear();
        }
    }

    /// The node was refused: forget what it added.
    fn undo(&mut self) {
        for k in self.added.drain(..) {
            self.reviews.remove(&k);
            self.claims.remove(&k);
            self.works.remove(&k);
        }
    }

    fn key(&self, v: &impl serde::Serialize) -> u128 {
        self.hasher.hash(v)
    }
}

/// Two SipHash hashers with random keys, side by side: a 128-bit key that a file cannot be made to
/// collide on (the keys are not known to whoever wrote it).
struct Hasher128(std::hash::RandomState, std::hash::RandomState);

impl Default for Hasher128 {
    fn default() -> Self {
        Self(std::hash::RandomState::new(), std::hash::RandomState::new())
    }
}

impl Hasher128 {
    fn hash(&self, v: &impl serde::Serialize) -> u128 {
        use std::hash::{BuildHasher, Hasher};
        struct Both<A, B>(A, B);
        impl<A: Hasher, B: Hasher> Write for Both<A, B> {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.write(buf);
                self.1.write(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut both = Both(self.0.build_hasher(), self.1.build_hasher());
        // Writing JSON into a hasher cannot fail: a Value's map keys are strings.
        let _ = serde_json::to_writer(&mut both, v);
        (u128::from(both.0.finish()) << 64) | u128::from(both.1.finish())
    }
}

/// How a work is recognised when it is named again: by its URL (looked up in the store), or, without
/// one, by the whole object (remembered in [`Seen`]).
enum WorkKey {
    Url(String),
    Object(u128),
}

/// Where a claim appeared: a `CreativeWork` object, or a bare URL.
enum Work<'a> {
    Object(Obj<'a>),
    Url(String, String),
}

impl<'a> Ctx<'a> {
    /// Follows an `{"@id": …}` reference to the node it names, when the document has it.
    fn resolve(&self, v: &'a Value) -> &'a Value {
        if let Value::Object(m) = v {
            if m.len() == 1 {
                if let Some(Value::String(id)) = m.get("@id") {
                    if let Some(target) = self.ids.get(id.as_str()) {
                        return target;
                    }
                }
            }
        }
        v
    }

    fn object(&self, parent: &Obj<'a>, key: &str, report: &mut ImportReport) -> Option<Obj<'a>> {
        let v = self.resolve(parent.get(key)?);
        match v {
            Value::Object(m) => Some(Obj::new(m, parent.at(key))),
            Value::Array(a) if !a.is_empty() => {
                if a.len() > 1 {
                    report.push(
                        IssueKind::Ignored,
                        format!("{}[1..]", parent.at(key)),
                        format!("{} more values; only the first is kept", a.len() - 1),
                    );
                }
                match self.resolve(&a[0]) {
                    Value::Object(m) => Some(Obj::new(m, format!("{}[0]", parent.at(key)))),
                    other => {
                        report.push(
                            IssueKind::Skipped,
                            format!("{}[0]", parent.at(key)),
                            format!("expected an object, found {}", describe(other)),
                        );
                        None
                    }
                }
            }
            other => {
                report.push(
                    IssueKind::Skipped,
                    parent.at(key),
                    format!("expected an object, found {}", describe(other)),
                );
                None
            }
        }
    }

    /// Every object under `key` (one or a list), resolved.
    fn works(&self, parent: &Obj<'a>, key: &str, report: &mut ImportReport) -> Vec<Work<'a>> {
        let Some(v) = parent.get(key) else {
            return Vec::new();
        };
        let items: Vec<(String, &'a Value)> = match v {
            Value::Array(a) => a
                .iter()
                .enumerate()
                .map(|(i, x)| (format!("{}[{i}]", parent.at(key)), x))
                .collect(),
            x => vec![(parent.at(key), x)],
        };
        let mut out = Vec::new();
        for (path, x) in items {
            match self.resolve(x) {
                Value::Object(m) => out.push(Work::Object(Obj::new(m, path))),
                Value::String(u) => out.push(Work::Url(u.clone(), path)),
                other => report.push(
                    IssueKind::Skipped,
                    path,
                    format!("expected an object, found {}", describe(other)),
                ),
            }
        }
        out
    }

    /// A source for a `Person` / `Organization` (or plain name), matched by name or alias.
    fn agent(
        &self,
        b: &mut Batch<'_>,
        parent: &Obj<'a>,
        key: &str,
        default_kind: Option<SourceKind>,
        report: &mut ImportReport,
    ) -> Result<Option<SourceId>> {
        let Some(v) = parent.get(key) else {
            return Ok(None);
        };
        if let Value::String(name) = v {
            if name.trim().is_empty() {
                return Ok(None);
            }
            // A bare name: its kind is what `default_kind` says, or what the name itself shows.
            let kind = default_kind.unwrap_or_else(|| super::claimant_kind(name));
            return Ok(Some(self.find_or_add(b, NewSource::new(name, kind), name)?));
        }
        let Some(o) = self.object(parent, key, report) else {
            return Ok(None);
        };
        let kind = kind_of_type(o.get("@type"));
        let mut name = o.text("name", report);
        if name.is_none() {
            let fallback = o.text("url", report).or_else(|| match o.get("sameAs") {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Array(a)) => a.iter().find_map(|x| x.as_str().map(str::to_string)),
                _ => None,
            });
            if let Some(f) = &fallback {
                report.push(
                    IssueKind::Note,
                    o.path().to_string(),
                    format!("has no name; the source is named after its URL {f:?}"),
                );
            }
            name = fallback;
        }
        let Some(name) = name else {
            report.push(
                IssueKind::Skipped,
                o.path().to_string(),
                "has no name or URL; not recorded",
            );
            o.finish(report);
            return Ok(None);
        };
        let mut new = NewSource::new(name.clone(), kind);
        let mut new_aliases: Vec<String> = Vec::new();
        let mut notes = Vec::new();
        for k in ["jobTitle", "url", "sameAs", "description", "affiliation"] {
            if let Some(v) = o.get(k) {
                let text = match v {
                    Value::String(s) => s.clone(),
                    Value::Array(a) => a
                        .iter()
                        .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                        .collect::<Vec<_>>()
                        .join(", "),
                    x => x.to_string(),
                };
                if text != name {
                    notes.push(format!("{k}: {text}"));
                }
            }
        }
        for alt in o.texts("alternateName", report) {
            if alt != name && !new_aliases.contains(&alt) {
                new = new.alias(alt.clone());
                new_aliases.push(alt);
            }
        }
        if !notes.is_empty() {
            new = new.notes(notes.join("\n"));
        }
        let path = o.path().to_string();
        o.finish(report);
        let id = self.find_or_add(b, new, &name)?;
        if !notes.is_empty() && b.source(id)?.notes.as_deref() != Some(notes.join("\n").as_str()) {
            report.push(
                IssueKind::Ignored,
                path,
                format!(
                    "matched the existing source {name:?}; not copied onto it: {}",
                    notes.join("; ")
                ),
            );
        }
        Ok(Some(id))
    }

    fn find_or_add(&self, b: &mut Batch<'_>, new: NewSource, name: &str) -> Result<SourceId> {
        if let Some(id) = b.find_source(name)? {
            return Ok(id);
        }
        b.add_source(new)
    }

    /// A publication for a `CreativeWork` (an appearance, or the reviewed item itself).
    fn work(
        &self,
        b: &mut Batch<'_>,
        o: &Obj<'a>,
        report: &mut ImportReport,
    ) -> Result<Option<PublicationId>> {
        let part = self.object(o, "isPartOf", report);
        let title = o
            .text("name", report)
            .or_else(|| o.text("headline", report))
            .or_else(|| part.as_ref().and_then(|p| p.text("name", report)));
        let mut url = o
            .text("url", report)
            .or_else(|| part.as_ref().and_then(|p| p.text("url", report)));
        if let Some(u) = &url {
            if let Err(e) = crate::model::text::url(u) {
                report.push(IssueKind::Skipped, o.at("url"), e.to_string());
                url = None;
            }
        }
        let published = date(o, "datePublished", report);
        let publisher = self.agent(b, o, "author", Some(SourceKind::Organisation), report)?;
        let publisher = match publisher {
            Some(p) => Some(p),
            None => self.agent(b, o, "publisher", Some(SourceKind::Organisation), report)?,
        };
        if let Some(p) = part {
            p.finish(report);
        }
        let mut archived = o.text("archivedAt", report);
        if let Some(u) = &archived {
            if let Err(e) = crate::model::text::url(u) {
                report.push(IssueKind::Skipped, o.at("archivedAt"), e.to_string());
                archived = None;
            }
        }
        if title.is_none() && url.is_none() && archived.is_none() {
            report.push(
                IssueKind::Skipped,
                o.path().to_string(),
                "has neither a name nor a url; not recorded",
            );
            return Ok(None);
        }
        let key = match url.as_deref().or(archived.as_deref()) {
            Some(u) => WorkKey::Url(u.to_string()),
            None => WorkKey::Object(self.seen.borrow().key(o.map())),
        };
        let new = || {
            let mut new = match &title {
                Some(t) => NewPublication::new(t.clone()),
                None => NewPublication::at_url(url.clone().or(archived.clone()).unwrap_or_default()),
            };
            if let Some(u) = &url {
                new = new.url(u.clone());
            }
            if let Some(u) = &archived {
                new = new.archive_url(u.clone());
            }
            if let Some(d) = published {
                new = new.published(d);
            }
            if let Some(p) = publisher {
                new = new.publisher(p);
            }
            new
        };
        Ok(Some(self.publication(b, key, new)?))
    }

    /// The publication this import already wrote under `key`, or a new one.
    fn publication(
        &self,
        b: &mut Batch<'_>,
        key: WorkKey,
        new: impl FnOnce() -> NewPublication,
    ) -> Result<PublicationId> {
        match &key {
            WorkKey::Object(k) => {
                if let Some(p) = self.seen.borrow().works.get(k) {
                    return Ok(*p);
                }
            }
            // A URL names one publication: one stored before (by this import too) is reused, whatever
            // title it was given.
            WorkKey::Url(url) => {
                if let Some(p) = b.find_publication_by_url(url)? {
                    return Ok(p);
                }
            }
        }
        let p = b.add_publication(new())?;
        if let WorkKey::Object(k) = key {
            let mut seen = self.seen.borrow_mut();
            seen.works.insert(k, p);
            seen.added.push(k);
        }
        Ok(p)
    }

    fn review(&self, b: &mut Batch<'_>, node: Obj<'a>, report: &mut ImportReport) -> Result<()> {
        let item = self.object(&node, "itemReviewed", report);
        let text = node
            .text("claimReviewed", report)
            .or_else(|| item.as_ref().and_then(|i| i.text("text", report)));
        let Some(text) = text else {
            return Err(Error::Parse {
                location: node.path().to_string(),
                field: "claimReviewed".into(),
                reason: "missing: the text of the claim reviewed is unknown".into(),
            });
        };
        let whole = self.seen.borrow().key(node.map());
        if self.seen.borrow().reviews.contains(&whole) {
            report.unchanged += 1;
            report.push(
                IssueKind::Note,
                node.path().to_string(),
                "repeats an earlier ClaimReview of this file word for word; recorded once",
            );
            node.finish(&mut ImportReport::default());
            return Ok(());
        }
        {
            let mut seen = self.seen.borrow_mut();
            seen.reviews.insert(whole);
            seen.added.push(whole);
        }
        if let Some(Value::String(url)) = node.get("url") {
            if let Some(existing) = b.claim_reviewed_at(url, &text)? {
                // Imported before: unchanged, or a changed verdict, which is refused (never overwritten).
                let incoming = self.rating(&node, &mut ImportReport::default());
                let known: Vec<_> = b
                    .reviews_at_url(url)?
                    .into_iter()
                    .filter(|r| r.claim == existing)
                    .collect();
                if !known.iter().any(|r| incoming.same_verdict_as(r)) {
                    let words = node
                        .get("reviewRating")
                        .map(|v| v.to_string())
                        .unwrap_or_default();
                    if let Some(first) = known.first() {
                        return Err(super::changed_review(first, url, &words));
                    }
                }
                report.unchanged += 1;
                report.push(
                    IssueKind::Note,
                    node.path().to_string(),
                    format!(
                        "already imported: claim {existing} has this text and a review at this url; skipped"
                    ),
                );
                return Ok(());
            }
        }
        let mut language = None;
        if let Some(lang) = node.text("inLanguage", report) {
            match crate::model::text::language(&lang) {
                Ok(()) => language = Some(lang),
                Err(e) => report.push(IssueKind::Skipped, node.at("inLanguage"), e.to_string()),
            }
        }
        // Several reviews of one claim (our own export writes one ClaimReview per review): the same text,
        // language and itemReviewed make the same claim.
        let claim_key = self
            .seen
            .borrow()
            .key(&(&text, &language, item.as_ref().map(|i| i.map())));
        let known = self.seen.borrow().claims.get(&claim_key).copied();
        if let Some(claim) = known {
            if let Some(item) = item {
                item.finish(&mut ImportReport::default());
            }
            return self.review_of(b, claim, node, report);
        }
        let mut new_claim = NewClaim::factual(text);
        if let Some(lang) = language {
            new_claim = new_claim.language(lang);
        }
        // itemReviewed.datePublished is when the claim was made (Fact Check Tools' claimDate); read
        // quietly here, its problems are reported where the attribution reads it.
        if let Some(d) = item
            .as_ref()
            .and_then(|i| date(i, "datePublished", &mut ImportReport::default()))
        {
            new_claim = new_claim.made_on(d);
        }
        let claim = b.add_claim(new_claim)?;
        {
            let mut seen = self.seen.borrow_mut();
            seen.claims.insert(claim_key, claim);
            seen.added.push(claim_key);
        }

        match item {
            Some(item) => self.item(b, claim, item, report)?,
            None => report.push(
                IssueKind::Note,
                node.at("itemReviewed"),
                "missing: who made the claim, and where, is unknown",
            ),
        }
        self.review_of(b, claim, node, report)
    }

    /// The review a `ClaimReview` node gives `claim`.
    fn review_of(
        &self,
        b: &mut Batch<'_>,
        claim: ClaimId,
        node: Obj<'a>,
        report: &mut ImportReport,
    ) -> Result<()> {
        let mut review = self.rating(&node, report);
        if let Some(who) = self.agent(b, &node, "author", Some(SourceKind::Organisation), report)? {
            review = review.by(who);
        }
        if let Some(d) = date(&node, "datePublished", report) {
            review = review.on(d);
        }
        if let Some(u) = node.text("url", report) {
            match crate::model::text::url(&u) {
                Ok(()) => review = review.url(u),
                Err(e) => report.push(IssueKind::Skipped, node.at("url"), e.to_string()),
            }
        }
        if let Some(body) = node.text("reviewBody", report) {
            review = review.rationale(body);
        }
        b.add_review(claim, review)?;
        node.finish(report);
        Ok(())
    }

    fn item(
        &self,
        b: &mut Batch<'_>,
        claim: ClaimId,
        item: Obj<'a>,
        report: &mut ImportReport,
    ) -> Result<()> {
        // Who made the claim: when given only by name, the name says what it can (see claimant_kind).
        let speaker = self.agent(b, &item, "author", None, report)?;
        let said_on = date(&item, "datePublished", report);
        let mut places = Vec::new();
        if has_type(item.get("@type"), "Claim") {
            // The appearances in their order, then firstAppearance (usually one of them again): the
            // attributions keep the order of the list, as the export writes it.
            let mut works = self.works(&item, "appearance", report);
            works.extend(self.works(&item, "firstAppearance", report));
            // firstAppearance is usually repeated among the appearances: each work is one place.
            for w in works {
                let place =
                    match w {
                        Work::Object(w) => {
                            let p = self.work(b, &w, report)?;
                            w.finish(report);
                            p
                        }
                        Work::Url(u, path) => match crate::model::text::url(&u) {
                            Ok(()) => Some(self.publication(b, WorkKey::Url(u.clone()), || {
                                NewPublication::at_url(u.clone())
                            })?),
                            Err(e) => {
                                report.push(IssueKind::Skipped, path, e.to_string());
                                None
                            }
                        },
                    };
                if let Some(p) = place {
                    if !places.contains(&p) {
                        places.push(p);
                    }
                }
            }
        } else {
            // A CreativeWork, a video clip…: the item itself is where the claim was made.
            report.push(
                IssueKind::Note,
                item.path().to_string(),
                format!(
                    "itemReviewed is a {}, not a Claim: recorded as the publication the claim appeared in",
                    type_name(item.get("@type"))
                ),
            );
            if let Some(p) = self.work(b, &item, report)? {
                places.push(p);
            }
        }
        let base = |p: Option<PublicationId>| -> Option<NewAttribution> {
            let a = match (speaker, p) {
                (Some(s), Some(p)) => NewAttribution::said_by(s).in_publication(p),
                (Some(s), None) => NewAttribution::said_by(s),
                (None, Some(p)) => NewAttribution::by_publication(p),
                (None, None) => return None,
            };
            Some(match said_on {
                Some(d) => a.said_on(d),
                None => a,
            })
        };
        let mut attributions = Vec::new();
        if places.is_empty() {
            attributions.extend(base(None));
        } else {
            attributions.extend(places.into_iter().filter_map(|p| base(Some(p))));
        }
        if attributions.is_empty() {
            report.push(
                IssueKind::Note,
                item.path().to_string(),
                "neither an author nor an appearance: the claim is not attributed",
            );
        }
        for a in attributions {
            b.attribute(claim, a)?;
        }
        item.finish(report);
        Ok(())
    }

    fn rating(&self, node: &Obj<'a>, report: &mut ImportReport) -> NewReview {
        let Some(r) = self.object(node, "reviewRating", report) else {
            report.push(
                IssueKind::Note,
                node.at("reviewRating"),
                "missing: the review is recorded without a verdict (none was given)",
            );
            return NewReview::unrated();
        };
        let value = num(&r, "ratingValue", report);
        let best = num(&r, "bestRating", report).unwrap_or(5.0);
        let worst = num(&r, "worstRating", report).unwrap_or(1.0);
        let words = r.text("alternateName", report).map(|w| {
            let (kept, cut) = super::labels::truncate_label(&w);
            if let Some(n) = cut {
                report.push(
                    IssueKind::Note,
                    r.at("alternateName"),
                    format!(
                        "the rating is {n} bytes long: its first {} bytes are kept (limit {})",
                        kept.len(),
                        crate::MAX_LABEL_BYTES
                    ),
                );
            }
            kept
        });
        let explanation = r.text("ratingExplanation", report);
        let rating = value.and_then(|v| {
            let rt = Rating {
                value: v,
                best,
                worst,
                alternate_name: words.clone(),
            };
            match rt.validate() {
                Ok(()) => Some(rt),
                Err(e) => {
                    report.push(IssueKind::Skipped, r.at("ratingValue"), e.to_string());
                    None
                }
            }
        });
        let by_number = rating.as_ref().and_then(|x| map_rating(x.value, x.worst, x.best));
        let by_words = words.as_deref().map(map_label);
        let verdict = match (by_number, by_words.as_ref().and_then(|m| m.verdict)) {
            (Some(n), Some(w)) if n != w => {
                report.push(
                    IssueKind::Note,
                    r.path().to_string(),
                    format!(
                        "the words {:?} mean {w} but ratingValue {} on {}..{} means {n}; the verdict follows the number, both are kept",
                        words.as_deref().unwrap_or_default(),
                        value.unwrap_or_default(),
                        worst,
                        best
                    ),
                );
                Some(n)
            }
            (Some(n), _) => Some(n),
            (None, Some(w)) => Some(w),
            (None, None) => {
                match &words {
                    Some(w) => report.push(
                        IssueKind::Unmapped,
                        r.at("alternateName"),
                        format!(
                            "{:?} matches no known verdict: kept as the label, no verdict set",
                            crate::model::text::shorten(w, 200)
                        ),
                    ),
                    None => report.push(
                        IssueKind::Note,
                        r.path().to_string(),
                        "neither a usable ratingValue nor an alternateName: recorded without a verdict",
                    ),
                }
                None
            }
        };
        let mut review = NewReview::with_verdict(verdict);
        if let Some(w) = words {
            review = review.label(w);
        }
        if let Some(rt) = rating {
            review = review.rating(rt);
        }
        if let Some(x) = explanation {
            review = review.rationale(x);
        }
        r.finish(report);
        review
    }
}

fn num(o: &Obj<'_>, key: &str, report: &mut ImportReport) -> Option<f64> {
    match o.get(key)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match s.trim().parse::<f64>() {
            Ok(x) if x.is_finite() => Some(x),
            _ => {
                report.push(IssueKind::Skipped, o.at(key), format!("not a number: {s:?}"));
                None
            }
        },
        other => {
            report.push(
                IssueKind::Skipped,
                o.at(key),
                format!("expected a number, found {}", describe(other)),
            );
            None
        }
    }
}

/// A date in any of the forms markup uses: ISO 8601 date or date-time; a date-time with a space or no
/// offset is read as its day.
pub(crate) fn date(o: &Obj<'_>, key: &str, report: &mut ImportReport) -> Option<PartialDate> {
    let text = o.text(key, report)?;
    let t = text.trim();
    if let Ok(d) = t.parse::<PartialDate>() {
        return Some(d);
    }
    if t.len() > 10 && t.is_char_boundary(10) {
        if let Ok(d) = t[..10].parse::<PartialDate>() {
            report.push(
                IssueKind::Note,
                o.at(key),
                format!("{t:?} is not an RFC 3339 instant; kept as the day {d}"),
            );
            return Some(d);
        }
    }
    report.push(
        IssueKind::Skipped,
        o.at(key),
        format!("not a date claimtrack can read: {t:?}"),
    );
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole export as it was built before it streamed: every node in memory, one document.
    fn whole(store: &Store) -> Vec<u8> {
        let mut all = Vec::new();
        for c in store.claims().unwrap() {
            all.extend(claim_reviews(store, c.id).unwrap());
        }
        let mut out = Vec::new();
        write_json(&graph(all), &mut out).unwrap();
        out
    }

    fn streamed(store: &Store) -> Vec<u8> {
        let mut out = Vec::new();
        export(store, &mut out).unwrap();
        out
    }

    #[test]
    fn the_streamed_export_writes_the_bytes_of_the_whole_document() {
        let store = Store::open_in_memory().unwrap();
        assert_eq!(streamed(&store), whole(&store), "empty store");
        crate::seeds::load_wonsan(&store).unwrap();
        let desk = store
            .add_source(NewSource::new("Desk & <Checks>", SourceKind::Organisation))
            .unwrap();
        // Some claims with no review, one with two, text that must stay inside a <script>, and more
        // claims than one page of the export's reads.
        for i in 0..1_200 {
            let claim = store
                .add_claim(NewClaim::factual(format!(
                    "Claim {i} </script><!-- & \"quoted\"\nline"
                )))
                .unwrap();
            if i % 3 == 0 {
                store
                    .add_review(
                        claim,
                        NewReview::new(Verdict::False)
                            .by(desk)
                            .url("https://e.org/a?x=1&y=<2>"),
                    )
                    .unwrap();
            }
            if i % 100 == 1 {
                store.add_review(claim, NewReview::new(Verdict::Mixed)).unwrap();
                store.add_review(claim, NewReview::new(Verdict::True)).unwrap();
            }
        }
        let out = streamed(&store);
        assert_eq!(
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(&whole(&store))
        );
        assert!(!String::from_utf8_lossy(&out).contains("</script>"));
    }
}
