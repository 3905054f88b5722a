//! SQL for full-text search, on both engines: FTS5 on SQLite (the tables and triggers are in
//! `schema/0001_initial.sql`), generated `tsvector` columns with GIN indexes on PostgreSQL
//! (`schema/postgres/0001_initial.sql`). The ranking, the snippets and the bounds on work are the same
//! code for both; only the statements that find the matches differ, side by side below.
//!
//! User text never reaches either engine as syntax: it is cut into whitespace-separated terms and every
//! term is written as a quoted literal, an FTS5 string (`"..."`, with `"` doubled) or a `to_tsquery`
//! quoted operand (`'...'`, with `'` doubled and `\` escaped), which both engines read as a phrase of the
//! words in it. `NEAR(`, `AND`, `&`, `!`, `<->`, `*`, `:*`, `^`, `col:` and stray quotes are therefore just
//! text.
//!
//! Ranking never costs more than a bounded amount of work, however common the words. Two traps are
//! avoided: `ORDER BY rank` scores every match before returning ten (a common word matches most of a
//! million claims), and FTS5's `bm25()` itself reads the whole doclist of every query word to count how
//! many rows contain it (its IDF), so even scoring ten rows costs as much as the most common word. So,
//! per searched field:
//!
//! 1. Each word's row count is measured up to [`DF_CAP`] (a `LIMIT`ed count: cheap even for "the").
//! 2. When every word is uncommon (at most `DF_CAP` rows each), all matches are few: on SQLite they are
//!    scored with FTS5's `bm25()`, whose doclist reads are then bounded too (exact BM25 ranking); on
//!    PostgreSQL, whose `ts_rank` has no IDF (a word in every claim weighs as much as a word in one), they
//!    are read with their text and scored here with the same BM25 formula and the exact row counts.
//! 3. When some word is common, the newest [`RANK_WINDOW`] matches are read (`ORDER BY rowid DESC`,
//!    which FTS5 streams from its doclists without sorting) with their text, and scored here with the
//!    same BM25 formula, taking a common word's row count as `DF_CAP` + 1 (an estimate: such words weigh
//!    a little more than they should, equally for every candidate). A query with one uncommon word among
//!    common ones still finds all its matches when there are at most `RANK_WINDOW` of them.
//!
//! What differs on PostgreSQL (docs/postgres.md): the `simple` configuration neither stems English nor
//! folds diacritics, so "troop" does not find "troops" there, nor "Pjongjang" "Pjöngjang"; scores computed
//! here take the average length of the scored passages where FTS5 takes that of the whole field.
//!
//! Snippets are built only for the hits returned, from their text (FTS5's `snippet()` would re-read
//! every query word's doclist for each hit).

use std::collections::HashMap;

use super::Store;
use super::db::{Db, Dialect, p};
use crate::error::Result;
use crate::model::ids::{AttributionId, ClaimId, EvidenceId};

mod bulk;
mod fields;
#[cfg(feature = "server")]
mod ids;
mod rank;
mod terms;

pub(crate) use bulk::{begin_bulk_load, merge_after_bulk_load};
use fields::Table;
use rank::{Counted, bm25, bm25_any, snippet, words};
pub(crate) use terms::{MAX_TERMS, query_terms};
use terms::{match_all, match_any};

/// Adds a new claim's text to the full-text index. On SQLite the store keeps the three indexes itself,
/// right after each INSERT, instead of through INSERT triggers: any INSERT trigger makes SQLite keep a
/// statement journal for every INSERT inside a transaction, which more than doubled the cost of a bulk
/// load's indexing (`schema/0001_initial.sql`; updates and deletes still go through triggers). On
/// PostgreSQL the search documents are generated columns: nothing to do.
pub(crate) fn index_claim(db: &Db<'_>, rowid: i64, text: &str) -> Result<()> {
    if db.dialect() == Dialect::Sqlite {
        db.execute(
            "INSERT INTO claims_fts (rowid, text) VALUES (?1, ?2)",
            p![rowid, text],
        )?;
    }
    Ok(())
}

/// Adds a new attribution's quote to the full-text index; an attribution without a quote has nothing
/// to find and gets no row (see [`index_claim`]).
pub(crate) fn index_quote(db: &Db<'_>, rowid: i64, quote: Option<&str>) -> Result<()> {
    if let (Dialect::Sqlite, Some(q)) = (db.dialect(), quote) {
        db.execute(
            "INSERT INTO attributions_fts (rowid, quote) VALUES (?1, ?2)",
            p![rowid, q],
        )?;
    }
    Ok(())
}

/// Adds a new evidence record's excerpt to the full-text index, when it has one (see [`index_claim`]).
pub(crate) fn index_excerpt(db: &Db<'_>, rowid: i64, excerpt: Option<&str>) -> Result<()> {
    if let (Dialect::Sqlite, Some(x)) = (db.dialect(), excerpt) {
        db.execute(
            "INSERT INTO evidence_fts (rowid, excerpt) VALUES (?1, ?2)",
            p![rowid, x],
        )?;
    }
    Ok(())
}

/// How many matches per field are scored at most when a query holds a common word (see the module docs).
pub(crate) const RANK_WINDOW: i64 = 200;

/// Above this many rows a word is "common" (see the module docs).
pub(crate) const DF_CAP: i64 = 1_000;
/// Most matches an OR of uncommon words may have before it is ranked.
const OR_BUDGET: i64 = 3_000;

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
    /// BM25 relevance (higher is better).
    pub score: f64,
}

/// Scored candidates from one field: (claim rowid, row rowid, BM25 score, higher is better).
fn candidates(db: &Db<'_>, table: Table, terms: &[String]) -> Result<Vec<(i64, i64, f64)>> {
    let dialect = db.dialect();
    let mut dfs = Vec::with_capacity(terms.len());
    for t in terms {
        let df = table.capped_df(db, t, DF_CAP)?;
        if df == 0 && t.chars().any(char::is_alphanumeric) {
            // Every word must match: one word absent from the field means no match in it.
            return Ok(Vec::new());
        }
        dfs.push(df);
    }
    let query = match_all(dialect, terms);
    let uncommon = dfs.iter().all(|d| *d <= DF_CAP);
    if uncommon && dialect == Dialect::Sqlite {
        let sql = match table {
            Table::Claims => {
                "SELECT rowid, rowid, -bm25(claims_fts) FROM claims_fts WHERE claims_fts MATCH ?1 \
                 LIMIT ?2"
            }
            Table::Attributions => {
                "SELECT a.claim_id, m.rowid, m.score FROM (SELECT rowid, -bm25(attributions_fts) AS score \
                 FROM attributions_fts WHERE attributions_fts MATCH ?1 LIMIT ?2) m \
                 JOIN attributions a ON a.id = m.rowid"
            }
            Table::Evidence => {
                "SELECT e.claim_id, m.rowid, m.score FROM (SELECT rowid, -bm25(evidence_fts) AS score \
                 FROM evidence_fts WHERE evidence_fts MATCH ?1 LIMIT ?2) m \
                 JOIN evidence e ON e.id = m.rowid"
            }
        };
        return db.query_vec(sql, p![query, DF_CAP], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)));
    }
    // Scored here: the newest RANK_WINDOW matches when a word is common; on PostgreSQL also every match
    // of uncommon words (at most DF_CAP), whose row counts are then exact.
    let window = if uncommon { DF_CAP } else { RANK_WINDOW };
    let rows: Vec<(i64, i64, Option<String>)> =
        db.query_vec(table.matches_sql(dialect, !uncommon), p![query, window], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    let n = table.size(db)?.max(1) as f64;
    let idf = idf(&dfs, n);
    let keys: Vec<Vec<String>> = terms.iter().map(|t| words(t)).collect();
    let docs = Counted::of(&keys, rows.iter().map(|r| r.2.as_deref()));
    // Where FTS5's bm25() would have scored (every word uncommon), passages are measured against the
    // field's average length, as FTS5 does, estimated from its newest rows; among common words, against
    // the window's own average, as on SQLite.
    let avg = match uncommon {
        true => table.sampled_average_len(db)?,
        false => None,
    }
    .unwrap_or_else(|| docs.average_len());
    Ok(rows
        .iter()
        .enumerate()
        .map(|(i, (claim, row, _))| {
            let (len, tf) = docs.get(i);
            (*claim, *row, bm25(len, tf, &idf, avg))
        })
        .collect())
}

/// BM25's inverse document frequency of each word, from its row count among `n` rows.
fn idf(dfs: &[i64], n: f64) -> Vec<f64> {
    dfs.iter()
        .map(|d| (((n - *d as f64 + 0.5) / (*d as f64 + 0.5)).ln()).max(1e-6))
        .collect()
}

/// A claim's best match: (claim rowid, (score, field, row rowid)).
type Ranked = (i64, (f64, Table, i64));

/// The best `limit` matches, one per claim, in rank order (see [`search`]).
fn ranked(db: &Db<'_>, terms: &[String], limit: usize) -> Result<Vec<Ranked>> {
    if terms.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    // One hit per claim: its own text when that matches, else its best quote or excerpt. Claims whose
    // own text matches rank above claims found only through a quote or an excerpt: BM25 scores of
    // different fields are not comparable (a word rare among excerpts but common among claims scores
    // higher in an excerpt), and a desk searching claims wants the claims that say it first.
    let mut best: HashMap<i64, (f64, Table, i64)> = HashMap::new();
    for table in [Table::Claims, Table::Attributions, Table::Evidence] {
        for (claim, row, score) in candidates(db, table, terms)? {
            let better = match best.get(&claim) {
                Some((_, Table::Claims, _)) => false,
                Some((s, _, _)) => table == Table::Claims || score > *s,
                None => true,
            };
            if better {
                best.insert(claim, (score, table, row));
            }
        }
    }
    let mut ranked: Vec<Ranked> = best.into_iter().collect();
    let own_text_first = |t: Table| if t == Table::Claims { 0 } else { 1 };
    ranked.sort_by(|a, b| {
        own_text_first(a.1.1)
            .cmp(&own_text_first(b.1.1))
            .then(b.1.0.total_cmp(&a.1.0))
            .then(b.0.cmp(&a.0))
    });
    ranked.truncate(limit);
    Ok(ranked)
}

pub(crate) fn search(db: &Db<'_>, terms: &[String], limit: usize) -> Result<Vec<RawHit>> {
    let ranked = ranked(db, terms, limit)?;
    let keys: Vec<Vec<String>> = terms.iter().map(|t| words(t)).collect();
    let mut out = Vec::with_capacity(ranked.len());
    for (claim_row, (score, table, row)) in ranked {
        let (claim, claim_text): (ClaimId, String) = db.query_one(
            "SELECT uuid, text FROM claims WHERE id = ?1",
            p![claim_row],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let (field, body) = match table {
            Table::Claims => (RawField::ClaimText, claim_text.clone()),
            Table::Attributions => {
                let (id, quote): (AttributionId, Option<String>) = db.query_one(
                    "SELECT uuid, quote FROM attributions WHERE id = ?1",
                    p![row],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                (RawField::Quote(id), quote.unwrap_or_default())
            }
            Table::Evidence => {
                let (id, excerpt): (EvidenceId, Option<String>) =
                    db.query_one("SELECT uuid, excerpt FROM evidence WHERE id = ?1", p![row], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })?;
                (RawField::Excerpt(id), excerpt.unwrap_or_default())
            }
        };
        out.push(RawHit {
            claim,
            claim_text,
            field,
            snippet: snippet(&body, &keys),
            score,
        });
    }
    Ok(out)
}

/// Claims likely to share wording with `terms` (already lower-cased words), best first, at most `limit`.
///
/// Candidates come from the claim index with a bounded match set: the uncommon words (fewer than
/// `DF_CAP` claims each) are OR-ed while their combined matches stay within `OR_BUDGET`, and that set is
/// ranked with BM25 (on SQLite FTS5's `bm25`, whose doclist reads are then bounded by `OR_BUDGET`; on
/// PostgreSQL here, over the at most `OR_BUDGET` matches read with their text, since `ts_rank` has no
/// IDF). When every word is common, the newest claims holding all of them are taken instead, unranked:
/// the caller re-scores them.
pub(crate) fn similar_candidates(
    db: &Db<'_>,
    terms: &[String],
    limit: usize,
) -> Result<Vec<(ClaimId, String)>> {
    let dialect = db.dialect();
    let terms: Vec<String> = terms.iter().take(MAX_TERMS).cloned().collect();
    if terms.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let mut dfs = Vec::with_capacity(terms.len());
    for t in &terms {
        let df = Table::Claims.capped_df(db, t, DF_CAP)?;
        if df > 0 {
            dfs.push((df, t.clone()));
        }
    }
    dfs.sort();
    let mut chosen = Vec::new();
    let mut chosen_dfs = Vec::new();
    let mut total = 0;
    for (df, t) in &dfs {
        if *df > DF_CAP || total + df > OR_BUDGET {
            break;
        }
        total += df;
        chosen.push(t.clone());
        chosen_dfs.push(*df);
    }
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    if !chosen.is_empty() && dialect == Dialect::Postgres {
        let rows: Vec<(ClaimId, String)> = db.query_vec(
            "SELECT uuid, text FROM claims WHERE text_search @@ to_tsquery('simple', ?1) \
             ORDER BY id LIMIT ?2",
            p![match_any(dialect, &chosen), OR_BUDGET],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let n = Table::Claims.size(db)?.max(1) as f64;
        let idf = idf(&chosen_dfs, n);
        let keys: Vec<Vec<String>> = chosen.iter().map(|t| words(t)).collect();
        let docs = Counted::of(&keys, rows.iter().map(|r| Some(r.1.as_str())));
        let avg = docs.average_len();
        let mut scored: Vec<(f64, usize)> = (0..rows.len())
            .map(|i| {
                let (len, tf) = docs.get(i);
                (bm25_any(len, tf, &idf, avg), i)
            })
            .collect();
        // Best first; among equals the older claim, as FTS5 returns equal ranks in rowid order.
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let keep: Vec<usize> = scored
            .into_iter()
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|(_, i)| i)
            .collect();
        let mut rows: Vec<Option<(ClaimId, String)>> = rows.into_iter().map(Some).collect();
        return Ok(keep.into_iter().filter_map(|i| rows[i].take()).collect());
    }
    let rows: Vec<i64> = if !chosen.is_empty() {
        db.query_vec(
            "SELECT rowid FROM claims_fts WHERE claims_fts MATCH ?1 ORDER BY rank LIMIT ?2",
            p![match_any(dialect, &chosen), limit],
            |r| r.get(0),
        )?
    } else if !dfs.is_empty() {
        let common: Vec<String> = dfs.into_iter().map(|(_, t)| t).collect();
        let sql = match dialect {
            Dialect::Sqlite => {
                "SELECT rowid FROM claims_fts WHERE claims_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2"
            }
            Dialect::Postgres => {
                "SELECT id FROM claims WHERE text_search @@ to_tsquery('simple', ?1) \
                 ORDER BY id DESC LIMIT ?2"
            }
        };
        db.query_vec(sql, p![match_all(dialect, &common), limit], |r| r.get(0))?
    } else {
        Vec::new()
    };
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(
            db.query_one("SELECT uuid, text FROM claims WHERE id = ?1", p![r], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })?,
        );
    }
    Ok(out)
}

impl Store {
    /// Full-text search (see the module docs for ranking).
    pub(crate) fn search_raw(&self, text: &str, limit: usize) -> Result<Vec<RawHit>> {
        let terms = query_terms(text);
        self.read(|db| search(db, &terms, limit))
    }

    /// Claims whose text has the name key `key` (exact repeats), oldest first, at most `limit`.
    pub(crate) fn claims_with_text_key(&self, key: &str, limit: usize) -> Result<Vec<(ClaimId, String)>> {
        // Asked by the key's hash, an integer: a key holding NUL is sent to no server, and matches no
        // stored text in the comparison below.
        let hash = crate::model::text::name_key_hash(key);
        let page = i64::try_from(limit).unwrap_or(i64::MAX).max(1);
        self.read(|db| {
            let sql = crate::store::text_keys::with_text_key_hash(db.dialect());
            // The claims with the key's hash, a page at a time in rowid order, keeping those whose text
            // has the key: another text with the same hash (rare) never takes a place in `limit`.
            let mut found = Vec::new();
            let mut after = 0_i64;
            while found.len() < limit {
                let rows: Vec<(i64, ClaimId, String)> = db.query_vec(sql, p![hash, after, page], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?;
                let Some(last) = rows.last() else { break };
                after = last.0;
                let full = i64::try_from(rows.len()).is_ok_and(|n| n == page);
                found.extend(
                    rows.into_iter()
                        .filter(|(_, _, text)| crate::model::text::name_key(text) == key)
                        .map(|(_, id, text)| (id, text)),
                );
                if !full {
                    break;
                }
            }
            found.truncate(limit);
            Ok(found)
        })
    }

    /// Candidate claims for a similarity lookup.
    pub(crate) fn similar_raw(&self, terms: &[String], limit: usize) -> Result<Vec<(ClaimId, String)>> {
        self.read(|db| similar_candidates(db, terms, limit))
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::terms::{literal, ts_literal};
    use super::*;
    use crate::model::claim::NewClaim;
    use crate::model::evidence::{NewEvidence, Stance};
    use crate::model::source::{NewSource, SourceKind};

    fn integrity_ok(conn: &Connection) {
        for t in ["claims_fts", "attributions_fts", "evidence_fts"] {
            // FTS5 compares the index with its content table and fails on any difference.
            let sql = match t {
                "claims_fts" => "INSERT INTO claims_fts (claims_fts, rank) VALUES ('integrity-check', 1)",
                "attributions_fts" => {
                    "INSERT INTO attributions_fts (attributions_fts, rank) VALUES ('integrity-check', 1)"
                }
                _ => "INSERT INTO evidence_fts (evidence_fts, rank) VALUES ('integrity-check', 1)",
            };
            conn.execute(sql, []).unwrap_or_else(|e| panic!("{t}: {e}"));
        }
    }

    #[test]
    fn the_update_and_delete_triggers_keep_the_index_exact() {
        let conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        crate::store::history::init_actor(&conn).unwrap();
        crate::store::migrations::migrate(&conn).unwrap();
        let src = NewSource::new("Agency", SourceKind::NewsAgency)
            .into_source()
            .unwrap();
        let claim = NewClaim::factual("Old claim about Kursk").into_claim().unwrap();
        let ev = NewEvidence::new(src.id, Stance::Supports)
            .excerpt("an excerpt mentioning Wonsan")
            .into_evidence(claim.id)
            .unwrap();
        let bare = NewEvidence::new(src.id, Stance::Neutral)
            .into_evidence(claim.id)
            .unwrap();
        crate::store::record::sources::insert(
            &crate::store::db::Db::from_sqlite(&conn),
            &src,
            &mut crate::store::record::Lookup,
        )
        .unwrap();
        crate::store::record::claims::insert(
            &crate::store::db::Db::from_sqlite(&conn),
            &claim,
            &mut crate::store::record::Lookup,
        )
        .unwrap();
        crate::store::record::evidence::insert(
            &crate::store::db::Db::from_sqlite(&conn),
            &ev,
            &mut crate::store::record::Lookup,
        )
        .unwrap();
        crate::store::record::evidence::insert(
            &crate::store::db::Db::from_sqlite(&conn),
            &bare,
            &mut crate::store::record::Lookup,
        )
        .unwrap();
        integrity_ok(&conn);
        let hits = search(&Db::from_sqlite(&conn), &query_terms("kursk"), 5).unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].claim, claim.id);
        let hits = search(&Db::from_sqlite(&conn), &query_terms("wonsan"), 5).unwrap();
        assert_eq!(hits[0].field, RawField::Excerpt(ev.id));

        let mut c2 = claim.clone();
        c2.text = "New wording".into();
        crate::store::record::claims::update(&crate::store::db::Db::from_sqlite(&conn), &c2).unwrap();
        let mut e2 = ev.clone();
        e2.excerpt = None;
        crate::store::record::evidence::update(&crate::store::db::Db::from_sqlite(&conn), &e2).unwrap();
        integrity_ok(&conn);
        let mut b2 = bare.clone();
        b2.excerpt = Some("now with words about Sinuiju".into());
        crate::store::record::evidence::update(&crate::store::db::Db::from_sqlite(&conn), &b2).unwrap();
        integrity_ok(&conn);
        assert_eq!(
            search(&Db::from_sqlite(&conn), &query_terms("sinuiju"), 5)
                .unwrap()
                .len(),
            1
        );
        conn.execute("DELETE FROM evidence", []).unwrap();
        integrity_ok(&conn);
        assert!(
            search(&Db::from_sqlite(&conn), &query_terms("kursk"), 5)
                .unwrap()
                .is_empty()
        );
        assert!(
            search(&Db::from_sqlite(&conn), &query_terms("sinuiju"), 5)
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            search(&Db::from_sqlite(&conn), &query_terms("wording"), 5)
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn terms_become_string_literals() {
        let t = query_terms(r#""12 million NEAR( AND * col:x "#);
        assert_eq!(t, vec!["\"12", "million", "NEAR(", "AND", "col:x"]);
        assert_eq!(
            match_all(Dialect::Sqlite, &t),
            r#""""12" "million" "NEAR(" "AND" "col:x""#
        );
        assert_eq!(literal("a\0b"), "\"ab\"");
        // PostgreSQL: quoted to_tsquery operands, quotes doubled and backslashes escaped.
        let t = query_terms(r"it's a\b & !x <-> y:*");
        assert_eq!(
            match_all(Dialect::Postgres, &t),
            r"'it''s' & 'a\\b' & '!x' & 'y:*'"
        );
        assert_eq!(match_any(Dialect::Postgres, &t[..2]), r"'it''s' | 'a\\b'");
        assert_eq!(ts_literal("a\0b"), "'ab'");
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
