//! Bundle JSON: the lossless interchange format — every record with its id, so re-importing changes
//! nothing.
//!
//! ```
//! use claimtrack::{Store, io::bundle};
//! let store = Store::open_in_memory()?;
//! claimtrack::seeds::load_wonsan(&store)?;
//! let mut json = Vec::new();
//! bundle::export(&store, &mut json)?;
//!
//! let copy = Store::open_in_memory()?;
//! bundle::import(&copy, json.as_slice())?;
//! let mut again = Vec::new();
//! bundle::export(&copy, &mut again)?;
//! assert_eq!(json, again);
//! # Ok::<(), claimtrack::Error>(())
//! ```

use std::io::{BufReader, Read, Write};

use crate::error::{Error, Result};
use crate::model::bundle::{BUNDLE_FORMAT, BUNDLE_VERSION, Bundle};
use crate::model::ids::ClaimId;
use crate::store::{ImportSummary, Store};

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

/// Writes the whole store as one bundle.
pub fn export<W: Write>(store: &Store, out: W) -> Result<()> {
    write_bundle(&store.export_bundle()?, out)
}

/// Writes one claim with everything linked to it (see [`Store::export_claim`]).
pub fn export_claim<W: Write>(store: &Store, claim: ClaimId, out: W) -> Result<()> {
    write_bundle(&store.export_claim(claim)?, out)
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

/// Reads a bundle and writes it to `store` in one transaction (records matched by id: importing twice
/// changes nothing). On any error the store is left exactly as it was.
pub fn import<R: Read>(store: &Store, input: R) -> Result<ImportSummary> {
    let bundle = read_bundle(input)?;
    store
        .import_bundle(&bundle)
        .map_err(|e| located(e, "bundle".into()))
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
