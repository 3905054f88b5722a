//! CSV export: one row per claim with its latest verdict and evidence counts, for spreadsheets.
//!
//! Columns: `claim_id`, `text`, `kind`, `language`, `about`, `tags` (joined with `; `), `speakers` (names,
//! joined with `; `), `verdict` and `label` of the latest review, `reviews`, `evidence` (records), then
//! `supports`, `refutes`, `mixed`, `neutral` (evidence records by stance), `created_at`. Fields are quoted
//! as RFC 4180 requires (a field holding a comma, quote, or line break is wrapped in quotes with inner
//! quotes doubled); lines end in CRLF. Text is written verbatim: a spreadsheet may treat a cell starting
//! with `=` as a formula, so open untrusted exports as text.
//!
//! ```
//! use claimtrack::{NewClaim, Store, io::csv};
//! let store = Store::open_in_memory()?;
//! store.add_claim(NewClaim::factual("He said \"12,000\" troops"))?;
//! let mut out = Vec::new();
//! csv::export(&store, &mut out)?;
//! let text = String::from_utf8(out).unwrap();
//! assert!(text.lines().nth(1).unwrap().contains(r#","He said ""12,000"" troops",factual,"#));
//! # Ok::<(), claimtrack::Error>(())
//! ```

use std::collections::HashMap;
use std::io::Write;

use crate::error::Result;
use crate::model::evidence::Stance;
use crate::model::ids::SourceId;
use crate::store::Store;

/// The header row.
pub const COLUMNS: &[&str] = &[
    "claim_id",
    "text",
    "kind",
    "language",
    "about",
    "tags",
    "speakers",
    "verdict",
    "label",
    "reviews",
    "evidence",
    "supports",
    "refutes",
    "mixed",
    "neutral",
    "created_at",
];

/// Quotes one field if it needs it (RFC 4180).
pub fn field(value: &str) -> std::borrow::Cow<'_, str> {
    if value.contains([',', '"', '\n', '\r']) || value.starts_with(' ') || value.ends_with(' ') {
        std::borrow::Cow::Owned(format!("\"{}\"", value.replace('"', "\"\"")))
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

fn row<W: Write>(out: &mut W, fields: &[String]) -> std::io::Result<()> {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(field(f).as_bytes())?;
    }
    out.write_all(b"\r\n")
}

/// Writes every claim, oldest first, reading the store a page at a time.
pub fn export<W: Write>(store: &Store, out: W) -> Result<()> {
    let mut out = std::io::BufWriter::new(out);
    row(
        &mut out,
        &COLUMNS.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
    )?;
    let mut names: HashMap<SourceId, String> = HashMap::new();
    let mut after = None;
    loop {
        let page = store.claims_page(after, 500)?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        for c in &page {
            let mut speakers: Vec<String> = Vec::new();
            for a in store.attributions_of(c.id)? {
                if let Some(s) = a.speaker {
                    let n = match names.entry(s) {
                        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                        std::collections::hash_map::Entry::Vacant(e) => e.insert(store.source(s)?.name),
                    };
                    if !speakers.contains(n) {
                        speakers.push(n.clone());
                    }
                }
            }
            let reviews = store.reviews_of(c.id)?;
            let latest = reviews.last();
            let evidence = store.evidence_of(c.id)?;
            let by = |s: Stance| evidence.iter().filter(|e| e.stance == s).count().to_string();
            row(
                &mut out,
                &[
                    c.id.to_string(),
                    c.text.clone(),
                    c.kind.to_string(),
                    c.language.clone().unwrap_or_default(),
                    c.about.map(|d| d.to_string()).unwrap_or_default(),
                    c.tags.join("; "),
                    speakers.join("; "),
                    latest.map(|r| r.verdict.to_string()).unwrap_or_default(),
                    latest.and_then(|r| r.label.clone()).unwrap_or_default(),
                    reviews.len().to_string(),
                    evidence.len().to_string(),
                    by(Stance::Supports),
                    by(Stance::Refutes),
                    by(Stance::Mixed),
                    by(Stance::Neutral),
                    c.created_at
                        .format(&time::format_description::well_known::Rfc3339)
                        .unwrap_or_default(),
                ],
            )?;
        }
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field(" padded"), "\" padded\"");
        assert_eq!(field(""), "");
    }
}
