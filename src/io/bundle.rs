//! Bundle JSON: the lossless interchange format — every record with its id, so re-importing changes
//! nothing.
//!
//! A [`Bundle`] is a plain value; this module is the one way between it and a store, and between it
//! and JSON text:
//!
//! | job | function |
//! |---|---|
//! | the whole store as a bundle | [`export`] |
//! | the whole store as bundle JSON text, streamed (bounded memory) | [`export_to`] |
//! | one claim with everything it refers to | [`export_claim`] |
//! | a bundle into a store, one transaction | [`import`] |
//! | JSON text to a checked bundle (no store) | [`read_bundle`] |
//! | a bundle to JSON text | [`write_bundle`] |
//!
//! # Example
//! ```
//! use claimtrack::{Store, io::{ImportOptions, bundle}};
//! let store = Store::open_in_memory()?;
//! claimtrack::seeds::load_wonsan(&store)?;
//! let mut json = Vec::new();
//! bundle::write_bundle(&bundle::export(&store)?, &mut json)?;
//!
//! let copy = Store::open_in_memory()?;
//! let report = bundle::import(&copy, &bundle::read_bundle(json.as_slice())?, ImportOptions::default())?;
//! assert_eq!(report.added, store.counts()?);
//! assert_eq!(bundle::export(&copy)?, bundle::export(&store)?);
//!
//! // Importing again changes nothing.
//! let again = bundle::import(&copy, &bundle::export(&store)?, ImportOptions::default())?;
//! assert_eq!((again.inserted, again.updated), (0, 0));
//!
//! // One claim, with what it refers to, into another store.
//! let claim = store.claims()?[0].id;
//! let one = bundle::export_claim(&store, claim)?;
//! assert_eq!(one.claims[0].id, claim);
//! let elsewhere = Store::open_in_memory()?;
//! bundle::import(&elsewhere, &one, ImportOptions::default())?;
//! assert_eq!(elsewhere.attributions_of(claim)?, store.attributions_of(claim)?);
//! # Ok::<(), claimtrack::Error>(())
//! ```

use std::io::{BufReader, Read, Write};

use crate::error::{Error, Result};
use crate::model::bundle::{BUNDLE_FORMAT, BUNDLE_VERSION, Bundle};
use crate::model::ids::ClaimId;
use crate::store::{Item, Store};

use super::{ImportOptions, ImportReport};

/// Writes `bundle` as pretty-printed JSON with a final newline.
pub fn write_bundle<W: Write>(bundle: &Bundle, mut out: W) -> Result<()> {
    serde_json::to_writer_pretty(&mut out, bundle).map_err(json_write_error)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

pub(crate) fn json_write_error(e: serde_json::Error) -> Error {
    match e.io_error_kind() {
        Some(kind) => Error::Io(std::io::Error::new(kind, e.to_string())),
        None => Error::Parse {
            location: "output".into(),
            field: "-".into(),
            reason: e.to_string(),
        },
    }
}

/// Every record in the store, as one bundle, read in one snapshot (write it out with
/// [`write_bundle`]).
pub fn export(store: &Store) -> Result<Bundle> {
    store.export_bundle()
}

/// Writes every record in the store as bundle JSON text, streamed from one read snapshot: the very bytes
/// of [`write_bundle`]`(&`[`export`]`(store)?, out)`, but with one record at a time in memory (and the
/// sources, which are few), however large the store. What `claimtrack export --format bundle` and the
/// server's export write.
///
/// # Example
/// ```
/// use claimtrack::{Store, io::bundle};
/// let store = Store::open_in_memory()?;
/// claimtrack::seeds::load_wonsan(&store)?;
/// let (mut streamed, mut whole) = (Vec::new(), Vec::new());
/// bundle::export_to(&store, &mut streamed)?;
/// bundle::write_bundle(&bundle::export(&store)?, &mut whole)?;
/// assert_eq!(streamed, whole);
/// # Ok::<(), claimtrack::Error>(())
/// ```
pub fn export_to<W: Write>(store: &Store, out: W) -> Result<()> {
    let mut w = Streamed::begin(std::io::BufWriter::new(out))?;
    store.for_each_record(&mut |item| match item {
        Item::Sources(list) => {
            w.field(Field::Sources)?;
            list.iter().try_for_each(|s| w.element(Field::Sources, s))
        }
        Item::Publication(x) => w.element(Field::Publications, &x),
        Item::Claim(x) => w.element(Field::Claims, &x),
        Item::Attribution(x) => w.element(Field::Attributions, &x),
        Item::Evidence(x) => w.element(Field::Evidence, &x),
        Item::Link(x) => w.element(Field::Links, &x),
        Item::Review(x) => w.element(Field::Reviews, &x),
        Item::EvidenceStanding(x) => w.element(Field::EvidenceStandings, &x),
        Item::ReviewStanding(x) => w.element(Field::ReviewStandings, &x),
    })?;
    w.end()
}

/// The list fields of a bundle, in the order [`Bundle`] serializes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Field {
    Sources,
    Publications,
    Claims,
    Attributions,
    Evidence,
    Links,
    Reviews,
    EvidenceStandings,
    ReviewStandings,
}

impl Field {
    const ALL: [Field; 9] = [
        Field::Sources,
        Field::Publications,
        Field::Claims,
        Field::Attributions,
        Field::Evidence,
        Field::Links,
        Field::Reviews,
        Field::EvidenceStandings,
        Field::ReviewStandings,
    ];

    fn key(self) -> &'static str {
        match self {
            Field::Sources => "sources",
            Field::Publications => "publications",
            Field::Claims => "claims",
            Field::Attributions => "attributions",
            Field::Evidence => "evidence",
            Field::Links => "links",
            Field::Reviews => "reviews",
            Field::EvidenceStandings => "evidence_standings",
            Field::ReviewStandings => "review_standings",
        }
    }

    /// Written even when empty (the standings are left out then, as [`Bundle`] does).
    fn always(self) -> bool {
        !matches!(self, Field::EvidenceStandings | Field::ReviewStandings)
    }
}

/// A bundle written field by field and record by record, in the layout of serde_json's pretty printer
/// (two spaces a level), so that the text equals [`write_bundle`]'s.
struct Streamed<W: Write> {
    out: W,
    /// The field whose list is open, and whether it has an element yet.
    open: Option<(Field, bool)>,
    /// The fields before this one are written (or left out).
    next: usize,
    /// One record's pretty text, reused.
    buf: Vec<u8>,
}

impl<W: Write> Streamed<W> {
    fn begin(mut out: W) -> Result<Self> {
        let format = serde_json::to_string(BUNDLE_FORMAT).map_err(json_write_error)?;
        write!(
            out,
            "{{\n  \"format\": {format},\n  \"version\": {BUNDLE_VERSION}"
        )?;
        Ok(Streamed {
            out,
            open: None,
            next: 0,
            buf: Vec::new(),
        })
    }

    /// Opens `field`'s list, closing the open one and writing the lists between them as empty.
    fn field(&mut self, field: Field) -> Result<()> {
        if self.open.is_some_and(|(f, _)| f == field) {
            return Ok(());
        }
        self.close()?;
        while let Some(&f) = Field::ALL.get(self.next) {
            self.next += 1;
            if f == field {
                write!(self.out, ",\n  \"{}\": [", f.key())?;
                self.open = Some((f, false));
                return Ok(());
            }
            if f.always() {
                write!(self.out, ",\n  \"{}\": []", f.key())?;
            }
        }
        // A field out of order: for_each_record hands the kinds in the order of Field::ALL.
        Err(Error::Io(std::io::Error::other(format!(
            "bundle field {} out of order",
            field.key()
        ))))
    }

    fn element<T: serde::Serialize>(&mut self, field: Field, x: &T) -> Result<()> {
        self.field(field)?;
        self.buf.clear();
        serde_json::to_writer_pretty(&mut self.buf, x).map_err(json_write_error)?;
        let first = match &mut self.open {
            Some((_, any)) => !std::mem::replace(any, true),
            None => true,
        };
        super::write_list_element(&mut self.out, &self.buf, first)?;
        Ok(())
    }

    /// Closes the open list, if any.
    fn close(&mut self) -> Result<()> {
        match self.open.take() {
            Some((_, true)) => self.out.write_all(b"\n  ]")?,
            Some((_, false)) => self.out.write_all(b"]")?,
            None => {}
        }
        Ok(())
    }

    fn end(mut self) -> Result<()> {
        self.close()?;
        for f in Field::ALL.iter().skip(self.next) {
            if f.always() {
                write!(self.out, ",\n  \"{}\": []", f.key())?;
            }
        }
        self.out.write_all(b"\n}\n")?;
        self.out.flush()?;
        Ok(())
    }
}

/// One claim with everything needed to understand it and to import it elsewhere, as a bundle: the
/// claim, its attributions, evidence, reviews and links; the claims at the other end of its links
/// (without their own records); every source and publication those refer to; and each source's
/// ancestors in the affiliation tree. Read in one snapshot. An unknown claim is
/// [`Error::NotFound`].
pub fn export_claim(store: &Store, claim: ClaimId) -> Result<Bundle> {
    store.export_claim(claim)
}

/// Reads and checks a bundle without touching any store.
///
/// Errors are [`Error::Parse`] naming the line and column and the JSON path of the field
/// (`claims[2].kind`), or, for a value that parses but breaks a rule, the record (`claims[2]`) and the
/// field.
pub fn read_bundle<R: Read>(input: R) -> Result<Bundle> {
    let mut de = serde_json::Deserializer::from_reader(BufReader::new(input));
    let bundle: Bundle = super::strict(&mut de, "")?;
    de.end().map_err(|e| Error::Parse {
        location: format!("line {} column {}", e.line(), e.column()),
        field: "-".into(),
        reason: "unexpected data after the bundle".into(),
    })?;
    validate(&bundle)?;
    Ok(bundle)
}

/// Checks the header and every record, naming the record that breaks a rule.
pub(crate) fn validate(b: &Bundle) -> Result<()> {
    if b.format != BUNDLE_FORMAT {
        return Err(Error::Parse {
            location: "$".into(),
            field: "format".into(),
            reason: format!("expected {BUNDLE_FORMAT:?}, got {:?}", b.format),
        });
    }
    if b.version != BUNDLE_VERSION {
        return Err(Error::Parse {
            location: "$".into(),
            field: "version".into(),
            reason: format!(
                "this library reads bundle version {BUNDLE_VERSION}, got {}",
                b.version
            ),
        });
    }
    macro_rules! each {
        ($list:ident) => {
            for (i, r) in b.$list.iter().enumerate() {
                r.validate()
                    .map_err(|e| located(e, format!("{}[{i}] (id {})", stringify!($list), r.id)))?;
            }
        };
    }
    each!(sources);
    each!(publications);
    each!(claims);
    each!(attributions);
    each!(evidence);
    each!(links);
    each!(reviews);
    Ok(())
}

/// Puts a record-level error at `location`, keeping the field it names.
pub(crate) fn located(e: Error, location: String) -> Error {
    match e {
        Error::Invalid { field, reason } => Error::Parse {
            location,
            field: field.to_string(),
            reason,
        },
        Error::NotFound { kind, id } => Error::Parse {
            location,
            field: kind.to_string(),
            reason: format!(
                "refers to {kind} {id}, which is neither in the input (before this point) nor in the store"
            ),
        },
        e @ (Error::Duplicate { .. } | Error::AffiliationCycle { .. }) => Error::Parse {
            location,
            field: "-".into(),
            reason: e.to_string(),
        },
        Error::Parse {
            location: inner,
            field,
            reason,
        } => Error::Parse {
            location: format!("{location}, {inner}"),
            field,
            reason,
        },
        other => other,
    }
}

/// Writes every record of `bundle` to `store` in one transaction, matching records by id: new ones are
/// inserted, identical ones left alone — so importing twice changes nothing — and changed ones replaced
/// where the rules allow. A stored evidence record or review with other content, or a record given
/// another claim, is refused with [`Error::Conflict`] naming it (evidence and reviews are versioned,
/// never overwritten), as is a standing that would change one already set; a standing whose successor
/// belongs to another claim (or, for evidence, another source) or that closes a cycle is refused with
/// [`Error::Invalid`]; a record that breaks a rule of its own is [`Error::Invalid`] and one that refers
/// to a record neither in the bundle nor in the store [`Error::NotFound`]. The standings it lists are
/// applied after the records. On any error nothing is written. ([`read_bundle`] checks each record
/// before, naming it in an [`Error::Parse`].)
///
/// The records it inserts share the batch's one history entry (each reads back as an `Import` change),
/// a replaced record gets an `Import` entry of its own, and identical records write nothing. The
/// report's `read` is the bundle's [`len`](Bundle::len).
pub fn import(store: &Store, bundle: &Bundle, options: ImportOptions<'_>) -> Result<ImportReport> {
    let done = options.batch(store, |b| b.import_bundle(bundle))?;
    let mut report = ImportReport {
        read: bundle.len() as u64,
        updated: done.updated,
        unchanged: done.unchanged,
        ..ImportReport::default()
    };
    report.added_by(done.added);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_line_and_the_field() {
        let text = "{\n  \"format\": \"claimtrack-bundle\",\n  \"version\": 1,\n  \"claims\": [\n    {\"id\": \"019803a8-0601-7bb6-b0ac-8e587523ea55\", \"text\": \"x\", \"kind\": \"rumour\", \"created_at\": \"2025-07-13T12:00:00Z\"}\n  ]\n}\n";
        match read_bundle(text.as_bytes()).unwrap_err() {
            Error::Parse { location, field, .. } => {
                assert!(location.starts_with("line 5 "), "{location}");
                assert_eq!(field, "claims[0].kind");
            }
            e => panic!("{e}"),
        }
    }

    #[test]
    fn a_misspelt_field_is_refused_not_dropped() {
        let text = r#"{"format": "claimtrack-bundle", "version": 1, "claims": [{"id": "019803a8-0601-7bb6-b0ac-8e587523ea55", "text": "x", "kind": "factual", "tagz": ["a"], "created_at": "2025-07-13T12:00:00Z"}]}"#;
        match read_bundle(text.as_bytes()).unwrap_err() {
            Error::Parse { field, .. } => assert_eq!(field, "claims[0].tagz"),
            e => panic!("{e}"),
        }
    }

    #[test]
    fn a_record_that_breaks_a_rule_is_named() {
        let mut b = crate::seeds::wonsan().unwrap();
        b.claims[3].text = "  ".into();
        let mut json = Vec::new();
        write_bundle(&b, &mut json).unwrap();
        match read_bundle(json.as_slice()).unwrap_err() {
            Error::Parse { location, field, .. } => {
                assert!(location.starts_with("claims[3]"), "{location}");
                assert_eq!(field, "text");
            }
            e => panic!("{e}"),
        }
    }
}
