//! SQL for full-text search (FTS5, schema `0002_search.sql`).
//!
//! User text never reaches FTS5 as syntax: it is cut into whitespace-separated terms and every term is
//! written as an FTS5 string literal (`"..."`, with `"` doubled), which FTS5 reads as a phrase of the words
//! in it. `NEAR(`, `AND`, `*`, `^`, `col:` and stray quotes are therefore just text.
//!
//! Ranking never runs over an unbounded match set. A query whose words are all common ("the war") can
//! match most of a million claims, and `ORDER BY rank` would score every one of them before returning ten.
//! Instead each index is read newest-first (`ORDER BY rowid DESC`, which FTS5 streams from its doclists
//! without sorting) for at most [`RANK_WINDOW`] matches, those are scored with `bm25()`, and the best are
//! kept. When a query has fewer matches than the window — any query with one uncommon word — that is
//! exact relevance ranking over every match; otherwise it is relevance ranking of the newest
//! `RANK_WINDOW` matches. Snippets are built only for the hits returned.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension};

use super::Store;
use crate::error::Result;
use crate::model::ids::{AttributionId, ClaimId, EvidenceId};

/// Most terms of a query that are used; the rest are ignored.
pub(crate) const MAX_TERMS: usize = 32;

/// How many matches per index are scored at most (see the module docs).
pub(crate) const RANK_WINDOW: i64 = 400;

/// Above this many matches a word is "common" for similar-claim candidate retrieval.
const DF_CAP: i64 = 1_000;
/// Most matches an OR of uncommon words may have before it is ranked.
const OR_BUDGET: i64 = 3_000;

/// Cuts user text into at most [`MAX_TERMS`] distinct terms (whitespace-separated chunks holding at least
/// one letter or digit), in the order given.
pub(crate) fn query_terms(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for chunk in text.split_whitespace() {
        if out.len() == MAX_TERMS {
            break;
        }
        if chunk.chars().any(char::is_alphanumeric) && !out.iter().any(|t| t == chunk) {
            out.push(chunk.to_string());
        }
    }
    out
}

/// One term as an FTS5 string literal.
fn literal(term: &str) -> String {
    let mut s = String::with_capacity(term.len() + 2);
    s.push('"');
    for c in term.chars() {
        if c == '"' {
            s.push('"');
        }
        // NUL would end the C string FTS5 parses; it is no word character anyway.
        if c != '\0' {
            s.push(c);
        }
    }
    s.push('"');
    s
}

fn fts_and(terms: &[String]) -> String {
    terms.iter().map(|t| literal(t)).collect::<Vec<_>>().join(" ")
}

fn fts_or(terms: &[String]) -> String {
    terms.iter().map(|t| literal(t)).collect::<Vec<_>>().join(" OR ")
}

/// Where a search hit matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RawField {
    ClaimText,
    Quote(AttributionId),
    Excerpt(EvidenceId),
}

/// A ranked hit, one per claim.
#[derive(Debug, Clone)]
pub(crate) struct RawHit {
    pub claim: ClaimId,
    pub claim_text: String,
    pub field: RawField,
    pub snippet: String,
    /// FTS5's bm25 (lower is better).
    pub bm25: f64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Table {
    Claims,
    Attributions,
    Evidence,
}

/// Scored candidates from one index: (claim rowid, row rowid, bm25).
fn candidates(conn: &Connection, table: Table, query: &str) -> Result<Vec<(i64, i64, f64)>> {
    let sql = match table {
        Table::Claims => {
            "SELECT rowid, rowid, bm25(claims_fts) FROM claims_fts WHERE claims_fts MATCH ?1 \
             ORDER BY rowid DESC LIMIT ?2"
        }
        Table::Attributions => {
            "SELECT a.claim_id, m.rowid, m.score FROM (SELECT rowid, bm25(attributions_fts) AS score \
             FROM attributions_fts WHERE attributions_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2) m \
             JOIN attributions a ON a.id = m.rowid"
        }
        Table::Evidence => {
            "SELECT e.claim_id, m.rowid, m.score FROM (SELECT rowid, bm25(evidence_fts) AS score \
             FROM evidence_fts WHERE evidence_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2) m \
             JOIN evidence e ON e.id = m.rowid"
        }
    };
    Ok(conn
        .prepare_cached(sql)?
        .query_map(rusqlite::params![query, RANK_WINDOW], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?)
}

fn snippet(conn: &Connection, table: Table, query: &str, rowid: i64) -> Result<String> {
    let sql = match table {
        Table::Claims => {
            "SELECT snippet(claims_fts, 0, '[', ']', '…', 16) FROM claims_fts \
             WHERE claims_fts MATCH ?1 AND rowid = ?2"
        }
        Table::Attributions => {
            "SELECT snippet(attributions_fts, 0, '[', ']', '…', 16) FROM attributions_fts \
             WHERE attributions_fts MATCH ?1 AND rowid = ?2"
        }
        Table::Evidence => {
            "SELECT snippet(evidence_fts, 0, '[', ']', '…', 16) FROM evidence_fts \
             WHERE evidence_fts MATCH ?1 AND rowid = ?2"
        }
    };
    Ok(conn
        .prepare_cached(sql)?
        .query_row(rusqlite::params![query, rowid], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten()
        .unwrap_or_default())
}

pub(crate) fn search(conn: &Connection, terms: &[String], limit: usize) -> Result<Vec<RawHit>> {
    if terms.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let query = fts_and(terms);
    // Best (lowest bm25) hit per claim; on equal scores the claim's own text wins.
    let mut best: HashMap<i64, (f64, Table, i64)> = HashMap::new();
    for table in [Table::Claims, Table::Attributions, Table::Evidence] {
        for (claim, row, score) in candidates(conn, table, &query)? {
            let better = match best.get(&claim) {
                Some((s, _, _)) => score < *s,
                None => true,
            };
            if better {
                best.insert(claim, (score, table, row));
            }
        }
    }
    let mut ranked: Vec<(i64, (f64, Table, i64))> = best.into_iter().collect();
    ranked.sort_by(|a, b| a.1.0.total_cmp(&b.1.0).then(b.0.cmp(&a.0)));
    ranked.truncate(limit);
    let mut out = Vec::with_capacity(ranked.len());
    for (claim_row, (score, table, row)) in ranked {
        let (claim, claim_text): (ClaimId, String) = conn
            .prepare_cached("SELECT uuid, text FROM claims WHERE id = ?1")?
            .query_row([claim_row], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let field = match table {
            Table::Claims => RawField::ClaimText,
            Table::Attributions => RawField::Quote(
                conn.prepare_cached("SELECT uuid FROM attributions WHERE id = ?1")?
                    .query_row([row], |r| r.get(0))?,
            ),
            Table::Evidence => RawField::Excerpt(
                conn.prepare_cached("SELECT uuid FROM evidence WHERE id = ?1")?
                    .query_row([row], |r| r.get(0))?,
            ),
        };
        let snippet = snippet(conn, table, &query, row)?;
        out.push(RawHit {
            claim,
            claim_text,
            field,
            snippet,
            bm25: score,
        });
    }
    Ok(out)
}

/// How many claims contain `term`, counted up to `cap + 1` (so a common word costs no more than `cap`).
fn capped_df(conn: &Connection, term: &str, cap: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM (SELECT 1 FROM claims_fts WHERE claims_fts MATCH ?1 LIMIT ?2)")?
        .query_row(rusqlite::params![literal(term), cap + 1], |r| r.get(0))?)
}

/// Claims likely to share wording with `terms` (already lower-cased words), best first, at most `limit`.
///
/// Candidates come from the claim index with a bounded match set: the uncommon words (fewer than
/// `DF_CAP` claims each) are OR-ed while their combined matches stay within `OR_BUDGET`, and that set is
/// ranked with bm25. When every word is common, the newest `RANK_WINDOW` claims holding all of them are
/// taken instead.
pub(crate) fn similar_candidates(
    conn: &Connection,
    terms: &[String],
    limit: usize,
) -> Result<Vec<(ClaimId, String)>> {
    let terms: Vec<String> = terms.iter().take(MAX_TERMS).cloned().collect();
    if terms.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let mut dfs = Vec::with_capacity(terms.len());
    for t in &terms {
        let df = capped_df(conn, t, DF_CAP)?;
        if df > 0 {
            dfs.push((df, t.clone()));
        }
    }
    dfs.sort();
    let mut chosen = Vec::new();
    let mut total = 0;
    for (df, t) in &dfs {
        if *df > DF_CAP || total + df > OR_BUDGET {
            break;
        }
        total += df;
        chosen.push(t.clone());
    }
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows: Vec<i64> = if !chosen.is_empty() {
        conn.prepare_cached("SELECT rowid FROM claims_fts WHERE claims_fts MATCH ?1 ORDER BY rank LIMIT ?2")?
            .query_map(rusqlite::params![fts_or(&chosen), limit], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    } else if !dfs.is_empty() {
        let common: Vec<String> = dfs.into_iter().map(|(_, t)| t).collect();
        let mut scored: Vec<(i64, f64)> = conn
            .prepare_cached(
                "SELECT rowid, bm25(claims_fts) FROM claims_fts WHERE claims_fts MATCH ?1 \
                 ORDER BY rowid DESC LIMIT ?2",
            )?
            .query_map(rusqlite::params![fts_and(&common), RANK_WINDOW], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        scored.sort_by(|a, b| a.1.total_cmp(&b.1));
        scored.into_iter().take(limit as usize).map(|(r, _)| r).collect()
    } else {
        Vec::new()
    };
    let mut out = Vec::with_capacity(rows.len());
    let mut stmt = conn.prepare_cached("SELECT uuid, text FROM claims WHERE id = ?1")?;
    for r in rows {
        out.push(stmt.query_row([r], |row| Ok((row.get(0)?, row.get(1)?)))?);
    }
    Ok(out)
}

impl Store {
    /// Full-text search (see the module docs for ranking).
    pub(crate) fn search_raw(&self, text: &str, limit: usize) -> Result<Vec<RawHit>> {
        let terms = query_terms(text);
        self.read(|c| search(c, &terms, limit))
    }

    /// Candidate claims for a similarity lookup.
    pub(crate) fn similar_raw(&self, terms: &[String], limit: usize) -> Result<Vec<(ClaimId, String)>> {
        self.read(|c| similar_candidates(c, terms, limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_become_string_literals() {
        let t = query_terms(r#""12 million NEAR( AND * col:x "#);
        assert_eq!(t, vec!["\"12", "million", "NEAR(", "AND", "col:x"]);
        assert_eq!(fts_and(&t), r#""""12" "million" "NEAR(" "AND" "col:x""#);
        assert_eq!(literal("a\0b"), "\"ab\"");
    }

    #[test]
    fn at_most_max_terms_distinct() {
        let text = (0..100)
            .map(|i| format!("w{i} w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let t = query_terms(&text);
        assert_eq!(t.len(), MAX_TERMS);
        assert_eq!(t[1], "w1");
    }
}
