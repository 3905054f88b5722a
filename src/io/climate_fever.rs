//! Climate-FEVER (Diggelmann et al., 2020): climate claims with five Wikipedia evidence sentences each,
//! as in `climate_fever.csv`.
//!
//! The file is CSV (RFC 4180 quoting) with the columns `claim_id`, `claim`, `claim_label` (`SUPPORTS`,
//! `REFUTES`, `NOT_ENOUGH_INFO`, `DISPUTED`) and `evidences`. The last is **a Python literal, not JSON**:
//! a list of dicts in single quotes, `None` for missing votes, `\xa0`-style escapes. It is parsed by a
//! small reader of Python literals (strings, numbers, lists, dicts, `None`, `True`, `False`).
//!
//! What becomes what:
//! - each row → a factual [`Claim`](crate::Claim) in English, tagged `climate-fever:<claim_id>`;
//!   a row whose tag is in the store already is not imported again (see [`liar`](super::liar)'s list);
//! - its label → a [`Review`](crate::Review) by the source "Climate-FEVER", the label kept verbatim
//!   (DISPUTED — evidence on both sides — maps to [`Verdict::Mixed`]);
//! - each evidence sentence → one [`Evidence`](crate::Evidence) record with the sentence as excerpt,
//!   from the source "Wikipedia: `<article>`" (kind document, part of "Wikipedia"); its own label gives the
//!   stance: SUPPORTS → supports, REFUTES → refutes, NOT_ENOUGH_INFO → neutral. The annotators' votes
//!   and entropy are not kept.
//!
//! # Example
//! ```
//! use claimtrack::{Stance, Store, io::{ImportOptions, climate_fever}};
//! let store = Store::open_in_memory()?;
//! let file = std::fs::File::open("tests/data/climate-fever/handmade.csv")?;
//! let report = climate_fever::import(&store, file, ImportOptions::default())?;
//! assert_eq!(report.read, 4);
//! let claim = &store.claims_tagged("climate-fever:1")?[0];
//! assert_eq!(claim.text, "Sea ice in the Arctic has shrunk since satellite records began.");
//! let evidence = store.evidence_of(claim.id)?;
//! assert_eq!(evidence[0].stance, Stance::Supports);
//! assert_eq!(evidence[0].excerpt.as_deref(), Some("Satellite records show the ice's extent falling each decade."));
//! # Ok::<(), claimtrack::Error>(())
//! ```

use std::borrow::Cow;
use std::io::Read;

use super::fever::{WikipediaPages, organisation};
use super::repair::repair;
use super::{ImportOptions, ImportReport, IssueKind};
use crate::error::{Error, Result};
use crate::model::claim::NewClaim;
use crate::model::evidence::{NewEvidence, Stance};
use crate::model::review::{NewReview, Verdict};
use crate::store::Store;

/// Climate-FEVER's claim labels on the crate's verdict scale.
fn verdict(label: &str) -> Option<Verdict> {
    super::labels::map_label(label).verdict
}

/// An evidence sentence's label as a stance.
fn stance(label: &str) -> Option<Stance> {
    match label {
        "SUPPORTS" => Some(Stance::Supports),
        "REFUTES" => Some(Stance::Refutes),
        "NOT_ENOUGH_INFO" => Some(Stance::Neutral),
        _ => None,
    }
}

fn parse_err(line: usize, field: &str, reason: impl Into<String>) -> Error {
    Error::Parse {
        location: format!("line {line}"),
        field: field.to_string(),
        reason: reason.into(),
    }
}

// ---- CSV (RFC 4180) ----

/// Splits CSV text into records, each with the line it starts on. Quoted fields may hold commas,
/// doubled quotes and line breaks.
fn csv_records(text: &str) -> Result<Vec<(usize, Vec<String>)>> {
    let mut out = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut line = 1;
    let mut start = 1;
    let mut quoted = false;
    let mut at_field_start = true;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                at_field_start = false;
            }
            ',' => {
                fields.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                fields.push(std::mem::take(&mut field));
                if !(fields.len() == 1 && fields[0].is_empty()) {
                    out.push((start, std::mem::take(&mut fields)));
                }
                fields.clear();
                line += 1;
                start = line;
                at_field_start = true;
            }
            _ => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    if quoted {
        return Err(parse_err(
            start,
            "-",
            "a quoted field is not closed before the end of the file",
        ));
    }
    if !field.is_empty() || !fields.is_empty() {
        fields.push(field);
        out.push((start, fields));
    }
    Ok(out)
}

// ---- Python literals ----

/// A Python literal value, as `repr` writes lists of dicts.
#[derive(Debug, Clone, PartialEq)]
enum Py {
    None,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<Py>),
    Dict(Vec<(Py, Py)>),
}

impl Py {
    fn get(&self, key: &str) -> Option<&Py> {
        match self {
            Py::Dict(items) => items
                .iter()
                .find(|(k, _)| matches!(k, Py::Str(s) if s == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }
    fn as_str(&self) -> Option<&str> {
        match self {
            Py::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// Nesting deeper than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 64;

struct PyParser<'s> {
    s: &'s str,
    pos: usize,
}

impl<'s> PyParser<'s> {
    fn parse(s: &'s str) -> std::result::Result<Py, String> {
        let mut p = PyParser { s, pos: 0 };
        let v = p.value(0)?;
        p.ws();
        if p.pos != s.len() {
            return Err(format!("unexpected text at character {}", p.char_pos()));
        }
        Ok(v)
    }

    fn char_pos(&self) -> usize {
        self.s[..self.pos].chars().count()
    }

    fn peek(&self) -> Option<char> {
        self.s[self.pos..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn expect(&mut self, want: char) -> std::result::Result<(), String> {
        self.ws();
        match self.bump() {
            Some(c) if c == want => Ok(()),
            Some(c) => Err(format!(
                "expected {want:?} at character {}, found {c:?}",
                self.char_pos() - 1
            )),
            None => Err(format!("expected {want:?}, found the end")),
        }
    }

    fn value(&mut self, depth: usize) -> std::result::Result<Py, String> {
        if depth > MAX_DEPTH {
            return Err(format!("nested deeper than {MAX_DEPTH} levels"));
        }
        self.ws();
        match self.peek() {
            Some('[') => {
                self.bump();
                let mut items = Vec::new();
                loop {
                    self.ws();
                    if self.peek() == Some(']') {
                        self.bump();
                        return Ok(Py::List(items));
                    }
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.bump() {
                        Some(',') => {}
                        Some(']') => return Ok(Py::List(items)),
                        other => return Err(self.unexpected(other, "',' or ']'")),
                    }
                }
            }
            Some('{') => {
                self.bump();
                let mut items = Vec::new();
                loop {
                    self.ws();
                    if self.peek() == Some('}') {
                        self.bump();
                        return Ok(Py::Dict(items));
                    }
                    let k = self.value(depth + 1)?;
                    self.expect(':')?;
                    let v = self.value(depth + 1)?;
                    items.push((k, v));
                    self.ws();
                    match self.bump() {
                        Some(',') => {}
                        Some('}') => return Ok(Py::Dict(items)),
                        other => return Err(self.unexpected(other, "',' or '}'")),
                    }
                }
            }
            Some(q @ ('\'' | '"')) => {
                self.bump();
                self.string(q).map(Py::Str)
            }
            Some(c) if c.is_ascii_digit() || c == '-' || c == '+' || c == '.' => self.number(),
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.pos;
                while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                    self.bump();
                }
                match &self.s[start..self.pos] {
                    "None" => Ok(Py::None),
                    "True" => Ok(Py::Bool(true)),
                    "False" => Ok(Py::Bool(false)),
                    "nan" => Ok(Py::Num(f64::NAN)),
                    "inf" => Ok(Py::Num(f64::INFINITY)),
                    w => Err(format!("unknown word {w:?} at character {}", self.char_pos())),
                }
            }
            other => Err(self.unexpected(other, "a value")),
        }
    }

    fn unexpected(&self, found: Option<char>, want: &str) -> String {
        match found {
            Some(c) => format!("expected {want} at character {}, found {c:?}", self.char_pos()),
            None => format!("expected {want}, found the end"),
        }
    }

    fn number(&mut self) -> std::result::Result<Py, String> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E' | '_'))
        {
            self.bump();
        }
        let text = self.s[start..self.pos].replace('_', "");
        text.parse::<f64>()
            .map(Py::Num)
            .map_err(|_| format!("not a number: {text:?}"))
    }

    fn hex(&mut self, digits: usize) -> std::result::Result<char, String> {
        let start = self.pos;
        for _ in 0..digits {
            if !self.bump().is_some_and(|c| c.is_ascii_hexdigit()) {
                return Err(format!("bad \\x/\\u escape at character {}", self.char_pos()));
            }
        }
        u32::from_str_radix(&self.s[start..self.pos], 16)
            .ok()
            .and_then(char::from_u32)
            .ok_or_else(|| format!("escape is not a character: {:?}", &self.s[start..self.pos]))
    }

    fn string(&mut self, quote: char) -> std::result::Result<String, String> {
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return Err("a string is not closed".into()),
                Some(c) if c == quote => return Ok(out),
                Some('\\') => match self.bump() {
                    None => return Err("a string ends in a backslash".into()),
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('r') => out.push('\r'),
                    Some('0') => out.push('\0'),
                    Some('a') => out.push('\u{7}'),
                    Some('b') => out.push('\u{8}'),
                    Some('f') => out.push('\u{c}'),
                    Some('v') => out.push('\u{b}'),
                    Some('x') => out.push(self.hex(2)?),
                    Some('u') => out.push(self.hex(4)?),
                    Some('U') => out.push(self.hex(8)?),
                    Some('\n') => {}
                    Some(c @ ('\\' | '\'' | '"')) => out.push(c),
                    // Python keeps an unknown escape as written.
                    Some(c) => {
                        out.push('\\');
                        out.push(c);
                    }
                },
                Some(c) => out.push(c),
            }
        }
    }
}

/// Imports Climate-FEVER CSV text in one transaction, reporting progress as `options` say ([`io::import_file`](super::import_file) reads a path).
pub fn import(store: &Store, mut reader: impl Read, options: ImportOptions<'_>) -> Result<ImportReport> {
    let mut text = String::new();
    reader.read_to_string(&mut text).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidData => parse_err(1, "-", "the file is not UTF-8 text"),
        _ => Error::Io(e),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let records = csv_records(text)?;
    let Some(((_, header), rows)) = records.split_first() else {
        return Err(parse_err(1, "-", "the file is empty"));
    };
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| parse_err(1, name, "column missing from the header"))
    };
    let (c_id, c_claim, c_label, c_ev) = (
        col("claim_id")?,
        col("claim")?,
        col("claim_label")?,
        col("evidences")?,
    );
    let mut report = ImportReport::default();
    options.batch(store, |b| {
        let origin = organisation(
            b,
            "Climate-FEVER",
            "Climate-FEVER data set (Diggelmann et al., 2020); claims and evidence labelled by annotators",
        )?;
        let mut wiki = WikipediaPages::new();
        let mut imported = super::rows::Imported::load(b, "climate-fever:")?;
        for (line, rec) in rows {
            let line = *line;
            if rec.len() != header.len() {
                return Err(parse_err(
                    line,
                    "-",
                    format!("expected {} columns, found {}", header.len(), rec.len()),
                ));
            }
            let evidences = PyParser::parse(&rec[c_ev]).map_err(|e| parse_err(line, "evidences", e))?;
            let Py::List(evidences) = evidences else {
                return Err(parse_err(line, "evidences", "not a list"));
            };
            report.read += 1;
            b.at(format!("line {line}"));
            let mut damaged = false;
            let mut fix = |t: &str| {
                let r = repair(t);
                damaged |= matches!(r, Cow::Owned(_));
                r.into_owned()
            };
            let text = fix(&rec[c_claim]);
            let mut sentences = Vec::with_capacity(evidences.len());
            for (i, ev) in evidences.iter().enumerate() {
                let field = |k: &str| {
                    ev.get(k).and_then(Py::as_str).ok_or_else(|| {
                        parse_err(line, "evidences", format!("evidence {i} has no text {k:?}"))
                    })
                };
                sentences.push((
                    fix(field("article")?),
                    fix(field("evidence")?),
                    field("evidence_label")?.trim().to_string(),
                ));
            }
            if damaged {
                report.push(
                    IssueKind::Repaired,
                    format!("line {}", line),
                    "encoding damage (control characters) repaired",
                );
            }
            let tag = format!("climate-fever:{}", rec[c_id].trim());
            let label = rec[c_label].trim();
            if imported.again(
                b,
                &format!("line {line}"),
                &tag,
                &text,
                verdict(label).map(|_| label),
            )? {
                report.unchanged += 1;
                continue;
            }
            let claim = b.add_claim(NewClaim::factual(text).language("en").tag(tag.clone()))?;
            imported.added(tag, claim);
            match verdict(label) {
                Some(v) => {
                    b.add_review(claim, NewReview::new(v).label(label).by(origin))?;
                }
                None => report.push(IssueKind::Unmapped, format!("line {}", line), label.to_string()),
            }
            for (article, sentence, ev_label) in sentences {
                let Some(st) = stance(&ev_label) else {
                    report.push(IssueKind::Unmapped, format!("line {}", line), ev_label);
                    continue;
                };
                let page = wiki.page(b, &article, &article)?;
                b.add_evidence(claim, NewEvidence::new(page, st).excerpt(sentence))?;
            }
        }
        report.added_by(b.counts());
        Ok(())
    })?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_literals_parse() {
        let v = PyParser::parse(
            r#"[{'a': 'it\'s', "b": "say \"hi\"", 'c': None, 'd': [1, -2.5e3, True], 'e': 'x\xa0y\\z\u00e9'}]"#,
        )
        .unwrap();
        let Py::List(items) = v else { panic!() };
        let d = &items[0];
        assert_eq!(d.get("a"), Some(&Py::Str("it's".into())));
        assert_eq!(d.get("b"), Some(&Py::Str("say \"hi\"".into())));
        assert_eq!(d.get("c"), Some(&Py::None));
        assert_eq!(
            d.get("d"),
            Some(&Py::List(vec![Py::Num(1.0), Py::Num(-2500.0), Py::Bool(true)]))
        );
        assert_eq!(d.get("e"), Some(&Py::Str("x\u{a0}y\\zé".into())));
    }

    #[test]
    fn broken_python_literals_are_errors_not_panics() {
        for bad in [
            "[{'a': 1}",
            "{'a' 1}",
            "['x]",
            "[nope]",
            "[1,,2]",
            "'\\x4'",
            "",
            "[\"é",
        ] {
            assert!(PyParser::parse(bad).is_err(), "{bad:?}");
        }
        let deep = "[".repeat(10_000);
        assert!(PyParser::parse(&deep).is_err());
    }

    #[test]
    fn csv_handles_quotes_commas_and_line_breaks() {
        let recs = csv_records("a,b\r\n1,\"x, \"\"y\"\"\nz\"\n\n2,w").unwrap();
        assert_eq!(
            recs,
            vec![
                (1, vec!["a".to_string(), "b".to_string()]),
                (2, vec!["1".to_string(), "x, \"y\"\nz".to_string()]),
                (5, vec!["2".to_string(), "w".to_string()]),
            ]
        );
        assert!(csv_records("a,\"open").is_err());
    }

    #[test]
    fn every_label_maps() {
        assert_eq!(verdict("DISPUTED"), Some(Verdict::Mixed));
        assert_eq!(verdict("NOT_ENOUGH_INFO"), Some(Verdict::Unverifiable));
        assert_eq!(stance("NOT_ENOUGH_INFO"), Some(Stance::Neutral));
        assert_eq!(stance("DISPUTED"), None);
    }
}
