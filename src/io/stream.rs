//! Reading a JSON document record by record in bounded memory, for the importers of formats found in
//! the wild ([`claimreview`](super::claimreview), [`factcheck`](super::factcheck)), whose files may hold
//! millions of records in one list.
//!
//! The document is never read whole. serde's streaming visitors walk it: a list is taken one element at
//! a time, and an object key by key, the value under its *list key* (`@graph`, `claims`) walked in
//! turn. What the walk hands over — a record — is one JSON value, read with limits:
//!
//! - a record may hold at most [`MAX_RECORD_BYTES`] of JSON text, and take at most as much memory once
//!   read (each value counted at its in-memory size); a larger one stops the import with
//!   [`Error::Parse`] naming it, before it is held in memory (a 2 GB string on stdin is refused after
//!   its first 16 MiB);
//! - a key given twice in one object is reported with the record (serde_json's `Value` would silently
//!   keep the last);
//! - nesting deeper than serde_json's recursion limit (128) is a parse error, not a stack overflow.
//!
//! A UTF-8 byte order mark at the start of the input is skipped.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::rc::Rc;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::{ImportIssue, ImportReport, IssueKind, Strictness};
use crate::error::{Error, Result};

/// The most one record (one `ClaimReview` node, one Fact Check Tools claim) may hold: 16 MiB of JSON
/// text, and as much memory once read (each value counted at about its in-memory size, so a record of
/// a million tiny values is refused too). A record beyond it stops the import, in either
/// [`Strictness`], with [`Error::Parse`] naming the record (`field` is its path); nothing is written.
/// The importers read their input record by record and hold one record at a time, so this bounds
/// their memory whatever the size of the file or stream.
pub const MAX_RECORD_BYTES: u64 = 16 * 1024 * 1024;

/// What one value of a record is counted as besides its text: about the size of a `Value` and of the
/// map or list slot holding it.
const NODE_COST: u64 = 48;

/// What a JSON object's map takes for every [`MAP_NODE_ENTRIES`] entries, the first included: a
/// B-tree node of serde_json's `Map` holds eleven keys and values and is allocated whole, so an object of
/// one small entry takes some 600 bytes (measured: counting only the entries, a file of small objects
/// held in memory took five times its count).
const MAP_NODE_COST: u64 = 640;

/// How many entries one B-tree node of a map holds.
const MAP_NODE_ENTRIES: usize = 11;

/// The cost of the entry at `index` of an object, its key `key_len` bytes long, its value aside.
fn entry_cost(index: usize, key_len: usize) -> u64 {
    let node = if index % MAP_NODE_ENTRIES == 0 {
        MAP_NODE_COST
    } else {
        0
    };
    NODE_COST.saturating_add(key_len as u64).saturating_add(node)
}

/// Where a value handed over sits in the document.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Place {
    /// The document itself, an element of a list at that level, or the value under the list key when
    /// that is walked the same way (ClaimReview's `@graph`).
    Container,
    /// The value under the list key when the list key holds records (Fact Check Tools' `claims`) and
    /// that value is not a list.
    List,
    /// An element of such a list.
    Element,
}

/// One value handed over by the walk.
pub(crate) struct Record {
    /// Where it sits.
    pub place: Place,
    /// Its JSON path (`$[3]`, `$.claims[12]`).
    pub path: String,
    /// The value.
    pub value: Value,
    /// The first key given twice in one object of the record, as a path (`$[3].author.name`).
    pub duplicate: Option<String>,
}

/// What the walk hands its records and containers to.
pub(crate) trait Sink {
    /// One record, in document order. An error stops the walk and is returned by [`walk`].
    fn record(&mut self, record: Record) -> Result<()>;
    /// An object that held the list key, once its end is read: its other keys (the list key's value has
    /// been walked already), and the first key it gives twice.
    fn container(&mut self, path: &str, rest: Map<String, Value>, duplicate: Option<String>) -> Result<()>;
}

/// How a format nests its records.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Shape {
    /// The key of an object whose value holds the records (`@graph`, `claims`).
    pub list_key: &'static str,
    /// Whether the list key's value is walked like the document itself (ClaimReview: a `@graph` may
    /// hold lists and `@graph`s again) or holds records only (Fact Check Tools: `claims`).
    pub list_is_container: bool,
}

/// Input bytes read since the record being read began, shared by the reader and the walk.
#[derive(Clone, Default)]
struct Meter(Rc<Cell<u64>>);

impl Meter {
    fn reset(&self) {
        self.0.set(0);
    }
}

/// The input, refusing to hand out more than [`MAX_RECORD_BYTES`] for one record: serde_json reads a
/// whole string before its visitor sees it, so the limit on a record's text must be kept here.
struct Capped<R> {
    inner: BufReader<R>,
    meter: Meter,
}

/// The message of the I/O error [`Capped`] stops with.
const TOO_LARGE: &str = "claimtrack: record too large";

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let used = self.meter.0.get();
        if used > MAX_RECORD_BYTES {
            return Err(std::io::Error::other(TOO_LARGE));
        }
        let room = usize::try_from(MAX_RECORD_BYTES + 1 - used).unwrap_or(usize::MAX);
        let n = buf.len().min(room);
        let got = self.inner.read(&mut buf[..n])?;
        self.meter.0.set(used.saturating_add(got as u64));
        Ok(got)
    }
}

/// The walk's state: the sink, the meter, and what stopped it.
struct State<'s> {
    sink: &'s mut dyn Sink,
    shape: Shape,
    meter: Meter,
    /// The path of the record being read, for an error that names it.
    current: String,
    /// The typed error that stopped the walk (a sink's, or a record too large).
    failed: Option<Error>,
}

impl State<'_> {
    fn begin(&mut self, path: &str) {
        self.meter.reset();
        self.current.clear();
        self.current.push_str(path);
    }

    fn stop<E: de::Error>(&mut self, e: Error) -> E {
        let msg = e.to_string();
        self.failed = Some(e);
        E::custom(msg)
    }

    fn hand<E: de::Error>(&mut self, r: Record) -> std::result::Result<(), E> {
        match self.sink.record(r) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.stop(e)),
        }
    }
}

/// Walks `input` with `shape`, handing every record to `sink` in document order; see the
/// [module docs](self). A syntax error, a truncated document or data after it is an [`Error::Parse`]
/// naming the line, column and the record being read; so is a record beyond [`MAX_RECORD_BYTES`].
pub(crate) fn walk<R: Read>(input: R, shape: Shape, sink: &mut dyn Sink) -> Result<()> {
    let mut inner = BufReader::new(input);
    // A byte order mark, as Windows tools write: skipped, not a syntax error.
    if inner.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
        inner.consume(3);
    }
    let meter = Meter::default();
    let mut de = serde_json::Deserializer::from_reader(Capped {
        inner,
        meter: meter.clone(),
    });
    let mut state = State {
        sink,
        shape,
        meter,
        current: "$".into(),
        failed: None,
    };
    let walked = Walk {
        st: &mut state,
        place: Place::Container,
        path: "$".into(),
    }
    .deserialize(&mut de);
    let walked = walked.and_then(|()| {
        state.begin("$");
        de.end()
    });
    match walked {
        Ok(()) => Ok(()),
        Err(e) => Err(match state.failed.take() {
            // A record refused by the importer: where it ends in the file helps find it.
            Some(Error::Parse {
                location,
                field,
                reason,
            }) if e.line() > 0 => Error::Parse {
                location: format!("{location} (line {} column {})", e.line(), e.column()),
                field,
                reason,
            },
            Some(typed) => typed,
            None => parse_error(&e, &state.current),
        }),
    }
}

/// [`walk`] over a document already in memory (no limits are needed: it is read already).
pub(crate) fn walk_value(doc: &Value, shape: Shape, sink: &mut dyn Sink) -> Result<()> {
    let mut state = State {
        sink,
        shape,
        meter: Meter::default(),
        current: "$".into(),
        failed: None,
    };
    let walked = Walk {
        st: &mut state,
        place: Place::Container,
        path: "$".into(),
    }
    .deserialize(doc);
    match walked {
        Ok(()) => Ok(()),
        Err(e) => Err(match state.failed.take() {
            Some(typed) => typed,
            None => parse_error(&e, &state.current),
        }),
    }
}

/// A serde_json error as [`Error::Parse`], naming the record being read.
fn parse_error(e: &serde_json::Error, record: &str) -> Error {
    let location = if e.line() == 0 {
        record.to_string()
    } else {
        format!("line {} column {}", e.line(), e.column())
    };
    let too_large = e.is_io() && e.to_string().contains(TOO_LARGE);
    let reason = if too_large {
        format!(
            "the record holds more than {} MiB of JSON, the most one record may hold; nothing was imported",
            MAX_RECORD_BYTES >> 20
        )
    } else {
        let msg = e.to_string();
        let msg = match msg.rfind(" at line ") {
            Some(i) => msg[..i].to_string(),
            None => msg,
        };
        if e.is_eof() {
            format!("the input ends too early (truncated?): {msg}")
        } else if msg.starts_with("trailing characters") {
            "unexpected data after the JSON document".into()
        } else {
            msg
        }
    };
    Error::Parse {
        location,
        field: record.to_string(),
        reason,
    }
}

/// The walk at one value of the document.
struct Walk<'a, 's> {
    st: &'a mut State<'s>,
    place: Place,
    path: String,
}

impl<'de> DeserializeSeed<'de> for Walk<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl Walk<'_, '_> {
    /// Hands over a value that is not walked further (a scalar, or an object or list at a place where
    /// records are whole).
    fn scalar<E: de::Error>(self, value: Value) -> std::result::Result<(), E> {
        let place = self.place;
        self.st.hand(Record {
            place,
            path: self.path,
            value,
            duplicate: None,
        })
    }

    /// The place of the list key's value in an object at this place.
    fn inner(&self) -> Place {
        if self.st.shape.list_is_container {
            Place::Container
        } else {
            Place::List
        }
    }
}

impl<'de> Visitor<'de> for Walk<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let mut i = 0usize;
        loop {
            let path = format!("{}[{i}]", self.path);
            self.st.begin(&path);
            match self.place {
                Place::Container => {
                    let seed = Walk {
                        st: &mut *self.st,
                        place: Place::Container,
                        path,
                    };
                    if seq.next_element_seed(seed)?.is_none() {
                        break;
                    }
                }
                Place::List | Place::Element => {
                    let cost = Cell::new(0);
                    let duplicate = RefCell::new(None);
                    let seed = Bounded {
                        cost: &cost,
                        duplicate: &duplicate,
                        at: Seg::Root(&path),
                    };
                    let Some(value) = seq.next_element_seed(seed)? else {
                        break;
                    };
                    self.st.hand(Record {
                        place: Place::Element,
                        path,
                        value,
                        duplicate: duplicate.take(),
                    })?;
                }
            }
            i = i.saturating_add(1);
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let cost = Cell::new(0);
        let duplicate = RefCell::new(None);
        if self.place != Place::Container {
            // A whole object where a list of records was expected: read like a record.
            let value = Bounded {
                cost: &cost,
                duplicate: &duplicate,
                at: Seg::Root(&self.path),
            }
            .visit_map(map)?;
            let (place, path) = (self.place, self.path);
            return self.st.hand(Record {
                place,
                path,
                value,
                duplicate: duplicate.take(),
            });
        }
        let inner = self.inner();
        let list_key = self.st.shape.list_key;
        let mut rest = Map::new();
        let mut walked = false;
        while let Some(key) = map.next_key::<String>()? {
            let here = Seg::Key(&Seg::Root(&self.path), &key);
            let again = rest.contains_key(&key) || (walked && key == list_key);
            if again && duplicate.borrow().is_none() {
                *duplicate.borrow_mut() = Some(here.to_string());
            }
            // A list key given twice is walked twice: its records are not held in memory, and none is
            // dropped (serde_json's `Value` would keep only the last list); the repeat is reported.
            if key == list_key {
                walked = true;
                let path = here.to_string();
                map.next_value_seed(Walk {
                    st: &mut *self.st,
                    place: inner,
                    path,
                })?;
                // What follows the list belongs to this object again.
                let path = self.path.clone();
                self.st.begin(&path);
                continue;
            }
            charge(&cost, entry_cost(rest.len(), key.len()))?;
            let value = map.next_value_seed(Bounded {
                cost: &cost,
                duplicate: &duplicate,
                at: here,
            })?;
            rest.insert(key, value);
        }
        let (path, dup) = (self.path, duplicate.take());
        if walked {
            match self.st.sink.container(&path, rest, dup) {
                Ok(()) => Ok(()),
                Err(e) => Err(self.st.stop(e)),
            }
        } else {
            self.st.hand(Record {
                place: Place::Container,
                path,
                value: Value::Object(rest),
                duplicate: dup,
            })
        }
    }

    fn visit_unit<E: de::Error>(self) -> std::result::Result<(), E> {
        self.scalar(Value::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<(), E> {
        self.scalar(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<(), E> {
        self.scalar(Value::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<(), E> {
        self.scalar(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<(), E> {
        self.scalar(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<(), E> {
        self.scalar(Value::String(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<(), E> {
        self.scalar(Value::String(v))
    }
}

/// A JSON path being read, built only when it is reported.
#[derive(Clone, Copy)]
enum Seg<'a> {
    Root(&'a str),
    Key(&'a Seg<'a>, &'a str),
    Index(&'a Seg<'a>, usize),
}

impl fmt::Display for Seg<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Seg::Root(p) => f.write_str(p),
            Seg::Key(parent, k) => write!(f, "{parent}.{k}"),
            Seg::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

/// Adds `n` to a record's cost, refusing it beyond [`MAX_RECORD_BYTES`].
fn charge<E: de::Error>(cost: &Cell<u64>, n: u64) -> std::result::Result<(), E> {
    let total = cost.get().saturating_add(n);
    cost.set(total);
    if total > MAX_RECORD_BYTES {
        return Err(E::custom(format!(
            "the record takes more than {} MiB once read, the most one record may hold; nothing was imported",
            MAX_RECORD_BYTES >> 20
        )));
    }
    Ok(())
}

/// Reads one value of a record as a `Value`, counting its cost and noting the first duplicate key.
struct Bounded<'a> {
    cost: &'a Cell<u64>,
    duplicate: &'a RefCell<Option<String>>,
    at: Seg<'a>,
}

impl<'de> DeserializeSeed<'de> for Bounded<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Bounded<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> std::result::Result<Value, E> {
        charge(self.cost, NODE_COST)?;
        Ok(Value::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<Value, E> {
        charge(self.cost, NODE_COST)?;
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Value, E> {
        charge(self.cost, NODE_COST)?;
        Ok(Value::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Value, E> {
        charge(self.cost, NODE_COST)?;
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Value, E> {
        charge(self.cost, NODE_COST)?;
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Value, E> {
        charge(self.cost, NODE_COST.saturating_add(v.len() as u64))?;
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Value, E> {
        charge(self.cost, NODE_COST.saturating_add(v.len() as u64))?;
        Ok(Value::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Value, A::Error> {
        charge(self.cost, NODE_COST)?;
        let mut items = Vec::new();
        loop {
            let seed = Bounded {
                cost: self.cost,
                duplicate: self.duplicate,
                at: Seg::Index(&self.at, items.len()),
            };
            match seq.next_element_seed(seed)? {
                Some(v) => items.push(v),
                None => break,
            }
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Value, A::Error> {
        charge(self.cost, NODE_COST)?;
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            charge(self.cost, entry_cost(out.len(), key.len()))?;
            let here = Seg::Key(&self.at, &key);
            if out.contains_key(&key) {
                if self.duplicate.borrow().is_none() {
                    *self.duplicate.borrow_mut() = Some(here.to_string());
                }
                // The record is refused or skipped whole; the repeated value need not be kept.
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let value = map.next_value_seed(Bounded {
                cost: self.cost,
                duplicate: self.duplicate,
                at: here,
            })?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

/// How many issues an import report lists one by one; beyond them, issues are counted by kind and by
/// where they occur (`$[*].reviewRating.image`), so a file of millions of records cannot fill memory
/// with its report.
pub const MAX_LISTED_ISSUES: usize = 10_000;

/// How many distinct places beyond [`MAX_LISTED_ISSUES`] are counted separately; the rest are counted
/// together.
const MAX_ISSUE_GROUPS: usize = 1_000;

/// The most bytes of an issue's location or message a report keeps (longer ones are cut to a quarter
/// of it in characters, so at most this many bytes, and marked with `…`).
const MAX_ISSUE_TEXT: usize = 1_024;

/// Gathers an import's report: issues listed up to [`MAX_LISTED_ISSUES`], then counted; in a strict
/// import, the first issue that skips something stops the import instead.
pub(crate) struct Collector {
    report: ImportReport,
    strictness: Strictness,
    groups: HashMap<(IssueKind, String), u64>,
    ungrouped: u64,
}

impl Collector {
    pub(crate) fn new(strictness: Strictness) -> Self {
        Self {
            report: ImportReport::default(),
            strictness,
            groups: HashMap::new(),
            ungrouped: 0,
        }
    }

    /// Whether nothing has been reported yet.
    pub(crate) fn is_empty(&self) -> bool {
        self.report.issues.is_empty()
    }

    pub(crate) fn strict(&self) -> bool {
        self.strictness == Strictness::Strict
    }

    /// Takes in one issue of the record at `record`; in a strict import, an issue that skips a record or
    /// a value is returned as [`Error::Parse`] instead (the caller returns it, and nothing is written).
    pub(crate) fn push(&mut self, record: &str, mut issue: ImportIssue) -> Result<()> {
        // A key or a value may be up to a record long: what a report keeps of each is cut short, so
        // 10,000 listed issues stay a few megabytes whatever the file holds.
        if issue.location.len() > MAX_ISSUE_TEXT {
            issue.location = crate::model::text::shorten(&issue.location, MAX_ISSUE_TEXT / 4);
        }
        if issue.message.len() > MAX_ISSUE_TEXT {
            issue.message = crate::model::text::shorten(&issue.message, MAX_ISSUE_TEXT / 4);
        }
        if issue.kind == IssueKind::Skipped && self.strict() {
            return Err(Error::Parse {
                location: record.to_string(),
                field: issue.location,
                reason: format!(
                    "{} (a strict import takes every record whole: nothing was imported)",
                    issue.message
                ),
            });
        }
        if self.report.issues.len() < MAX_LISTED_ISSUES {
            self.report.issues.push(issue);
            return Ok(());
        }
        let place = without_indices(&issue.location);
        let key = (issue.kind, place);
        if let Some(n) = self.groups.get_mut(&key) {
            *n = n.saturating_add(1);
        } else if self.groups.len() < MAX_ISSUE_GROUPS {
            self.groups.insert(key, 1);
        } else {
            self.ungrouped = self.ungrouped.saturating_add(1);
        }
        Ok(())
    }

    /// One more unit of input read (a ClaimReview node, a Fact Check Tools claim).
    pub(crate) fn read_one(&mut self) {
        self.report.read += 1;
    }

    /// Takes in what one record's import reported.
    pub(crate) fn merge(&mut self, record: &str, mut local: ImportReport) -> Result<()> {
        let issues = std::mem::take(&mut local.issues);
        self.report.absorb(local);
        for issue in issues {
            self.push(record, issue)?;
        }
        Ok(())
    }

    /// The report, with one issue per group of those counted and what the batch added.
    pub(crate) fn finish(mut self, added: crate::store::Counts) -> ImportReport {
        self.report.added_by(added);
        let mut groups: Vec<_> = self.groups.into_iter().collect();
        groups.sort_by(|a, b| a.0.1.cmp(&b.0.1));
        for ((kind, location), n) in groups {
            self.report.issues.push(ImportIssue {
                kind,
                location,
                message: format!(
                    "{n} more like this, not listed one by one (a report lists the first {MAX_LISTED_ISSUES})"
                ),
            });
        }
        if self.ungrouped > 0 {
            self.report.issues.push(ImportIssue {
                kind: IssueKind::Note,
                location: "$".into(),
                message: format!("{} more issues elsewhere, not listed", self.ungrouped),
            });
        }
        self.report
    }
}

/// A JSON path with its list indices written as `*`: `$[12].appearance[0]` → `$[*].appearance[*]`.
fn without_indices(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push_str("[*]");
            }
            ']' if in_index => in_index = false,
            _ if in_index => {}
            _ => out.push(c),
        }
    }
    out
}

/// What a value takes in memory, as a record's limit counts it.
pub(crate) fn cost_of(v: &Value) -> u64 {
    NODE_COST.saturating_add(match v {
        Value::String(s) => s.len() as u64,
        Value::Array(a) => a.iter().map(cost_of).fold(0, u64::saturating_add),
        Value::Object(m) => cost_of_map(m),
        _ => 0,
    })
}

/// [`cost_of`] an object's entries.
pub(crate) fn cost_of_map(m: &Map<String, Value>) -> u64 {
    m.iter()
        .enumerate()
        .map(|(i, (k, v))| entry_cost(i, k.len()).saturating_add(cost_of(v)))
        .fold(0, u64::saturating_add)
}
