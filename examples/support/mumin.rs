//! MuMiN's `verdict_annotations.csv` (906 Google Fact Check Tools records in 26 languages, each with a
//! human label) read and turned back into the Fact Check Tools `claims:search` JSON it was flattened
//! from, so `io::factcheck` imports it as it would a live feed. Shared by `examples/import_mumin.rs` and
//! `tests/labels_mumin.rs`.

#![allow(dead_code)]

use serde_json::{Value, json};

/// One row of the file.
#[derive(Debug, Clone)]
pub struct Row {
    /// The human label: `misinformation`, `factual` or `other`.
    pub human: String,
    /// The claim's text.
    pub claim: String,
    /// The claim date (RFC 3339), possibly empty.
    pub date: String,
    /// The claimant, possibly empty.
    pub source: String,
    /// The reviewing publisher's site.
    pub reviewer: String,
    /// The language code.
    pub language: String,
    /// The publisher's own rating (`textualRating`), verbatim.
    pub rating: String,
}

/// Splits CSV text (RFC 4180: quoted fields, `""` for a quote, newlines inside quotes) into records.
pub fn records(text: &str) -> Result<Vec<Vec<String>>, String> {
    let mut out = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                out.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err("the file ends inside a quoted field".into());
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        out.push(record);
    }
    Ok(out)
}

/// The rows of the file, header checked.
pub fn read(text: &str) -> Result<Vec<Row>, String> {
    let mut recs = records(text)?.into_iter();
    let header = recs.next().ok_or("empty file")?;
    let want = [
        "verdict",
        "claim",
        "date",
        "source",
        "reviewer",
        "language",
        "raw_verdict",
        "raw_verdict_en",
    ];
    if header != want {
        return Err(format!("unexpected header {header:?}"));
    }
    recs.enumerate()
        .map(|(i, r)| match r.as_slice() {
            [human, claim, date, source, reviewer, language, rating, _en] => Ok(Row {
                human: human.clone(),
                claim: claim.clone(),
                date: date.clone(),
                source: source.clone(),
                reviewer: reviewer.clone(),
                language: language.clone(),
                rating: rating.clone(),
            }),
            _ => Err(format!("record {}: {} fields, expected 8", i + 2, r.len())),
        })
        .collect()
}

/// The rows as a Fact Check Tools `claims:search` response.
pub fn to_factcheck(rows: &[Row]) -> Value {
    let claims: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut claim = json!({
                "text": r.claim,
                "claimReview": [{
                    "publisher": {"site": r.reviewer},
                    "textualRating": r.rating,
                    "languageCode": r.language,
                }],
            });
            if !r.source.is_empty() {
                claim["claimant"] = json!(r.source);
            }
            if !r.date.is_empty() {
                claim["claimDate"] = json!(r.date);
            }
            claim
        })
        .collect();
    json!({ "claims": claims })
}
