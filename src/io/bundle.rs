//! Bundle JSON: the lossless interchange format — every record with its id, so re-importing changes
//! nothing.
//!
//! A [`Bundle`] is a plain value; this module is the one way between it and a store, and between it
//! and JSON text:
//!
//! | job | function |
//! |---|---|
//! | the whole store as a bundle | [`export`] |
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
use crate::store::Store;

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
