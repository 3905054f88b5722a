//! CSV export: one row per claim with its latest verdict and evidence counts, for spreadsheets.
//!
//! Columns: `claim_id`, `text`, `kind`, `language`, `about`, `tags` (joined with `; `), `speakers` (names,
//! joined with `; `), `verdict` and `label` of the latest review, `reviews`, `evidence` (records), then
//! `supports`, `refutes`, `mixed`, `neutral` (evidence records by stance), `created_at`. Reviews and
//! evidence are those that count: superseded and retracted ones are left out. Fields are quoted
//! as RFC 4180 requires (a field holding a comma, quote, or line break is wrapped in quotes with inner
//! quotes doubled); lines end in CRLF.
//!
//! Claims come from anyone, and a spreadsheet runs a cell starting with `=`, `+`, `-` or `@` as a formula
//! (CSV injection: `=HYPERLINK(…)` in a claim's text would become a link in the desk's spreadsheet). So
//! [`export`] writes such free-text cells (text, language, about, tags, speakers, label) with a leading
//! `'`, which spreadsheets take as "this is text" and do not show, as OWASP advises; ids, enum values,
//! counts and times never start that way. [`export_verbatim`] writes every cell as stored, for programs
//! that read the CSV as data.
//!
//! ```
//! use claimtrack::{NewClaim, Store, io::csv};
//! let store = Store::open_in_memory()?;
//! store.add_claim(NewClaim::factual("He said \"12,000\" troops"))?;
//! let mut out = Vec::new();
//! csv::export(&store, &mut out)?;
//! let text = String::from_utf8(out).unwrap();
//! assert!(text.lines().nth(1).unwrap().contains(r#","He said ""12,000"" troops",factual,"#));
//!
//! // A cell a spreadsheet would run is quoted as text, unless the file is for programs.
//! store.add_claim(NewClaim::factual("=HYPERLINK(\"http://x.example\")"))?;
//! let (mut safe, mut verbatim) = (Vec::new(), Vec::new());
//! csv::export(&store, &mut safe)?;
//! csv::export_verbatim(&store, &mut verbatim)?;
//! assert!(String::from_utf8(safe).unwrap().contains(r#","'=HYPERLINK(""http://x.example"")","#));
//! assert!(String::from_utf8(verbatim).unwrap().contains(r#","=HYPERLINK(""http://x.example"")","#));
//!
//! // One field, quoted only when it needs it.
//! assert_eq!(csv::field("plain"), "plain");
//! assert_eq!(csv::field("a, b"), "\"a, b\"");
//! # Ok::<(), claimtrack::Error>(())
//! ```

use std::collections::HashMap;
use std::io::Write;

use crate::error::Result;
use crate::model::evidence::Stance;
use crate::model::ids::SourceId;
use crate::model::review::Verdict;
use crate::store::Store;

/// The header row.
pub const COLUMNS: &[&str] = &[
    "claim_id",
    "text",
    "kind",
    "language",
    "about",
    "made_on",
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

/// A free-text cell a spreadsheet will not run as a formula: text starting with `=`, `+`, `-`, `@`, a tab
/// or a carriage return gets a leading `'` (see the module docs); anything else is returned as it is.
///
/// ```
/// use claimtrack::io::csv::spreadsheet_text;
/// assert_eq!(spreadsheet_text("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
/// assert_eq!(spreadsheet_text("-5% growth"), "'-5% growth");
/// assert_eq!(spreadsheet_text("Troops moved"), "Troops moved");
/// ```
pub fn spreadsheet_text(value: &str) -> std::borrow::Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{value}"))
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

/// Writes every claim, oldest first, reading the store a page at a time, with free-text cells made safe
/// for spreadsheets ([`spreadsheet_text`]). On SQLite the whole file reads one snapshot of the store.
pub fn export<W: Write>(store: &Store, out: W) -> Result<()> {
    export_with(store, out, |t| spreadsheet_text(t).into_owned())
}

/// [`export`] with every cell written exactly as stored, for programs that read the file as data (a
/// spreadsheet may run a cell starting with `=` as a formula).
pub fn export_verbatim<W: Write>(store: &Store, out: W) -> Result<()> {
    export_with(store, out, str::to_owned)
}

/// The export, on SQLite from one read snapshot (each claim's reads nest in one read transaction: a write
/// landing meanwhile is not half in the file) and with the memory map off (every page is read once:
/// through the map they would all count as resident). On PostgreSQL each claim's reads take their own
/// snapshot.
fn export_with<W: Write>(store: &Store, out: W, text: impl Fn(&str) -> String) -> Result<()> {
    store.unmapped(|| store.snapshot(|| rows(store, out, text)))
}

fn rows<W: Write>(store: &Store, out: W, text: impl Fn(&str) -> String) -> Result<()> {
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
            // What counts: a superseded or retracted review or evidence record is history, not the
            // claim's standing (its successor, if any, is counted instead).
            let reviews = store.current_reviews_of(c.id)?;
            let latest = reviews.last();
            let evidence = store.current_evidence_of(c.id)?;
            let by = |s: Stance| evidence.iter().filter(|e| e.stance == s).count().to_string();
            row(
                &mut out,
                &[
                    c.id.to_string(),
                    text(&c.text),
                    c.kind.to_string(),
                    text(c.language.as_deref().unwrap_or_default()),
                    text(&c.about.map(|d| d.to_string()).unwrap_or_default()),
                    text(&c.made_on.map(|d| d.to_string()).unwrap_or_default()),
                    text(&c.tags.join("; ")),
                    text(&speakers.join("; ")),
                    latest
                        .map(|r| Verdict::text_of(r.verdict).to_string())
                        .unwrap_or_default(),
                    text(latest.and_then(|r| r.label.as_deref()).unwrap_or_default()),
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
