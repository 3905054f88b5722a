//! The three searched fields (claim text, quotes, excerpts) and the statements that read them, one per
//! engine side by side (see the module above).

use super::rank::Counter;
use super::terms::term_literal;
use crate::error::Result;
use crate::store::db::{Db, Dialect, p};

/// How many of a field's newest rows estimate its average passage length on PostgreSQL.
const AVERAGE_SAMPLE: i64 = 1_000;

/// A searched field.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Table {
    Claims,
    Attributions,
    Evidence,
}

impl Table {
    /// How many rows of the field contain `term`, counted up to `cap + 1`.
    pub(super) fn capped_df(self, db: &Db<'_>, term: &str, cap: i64) -> Result<i64> {
        let sql = match (db.dialect(), self) {
            (Dialect::Sqlite, Table::Claims) => {
                "SELECT count(*) FROM (SELECT 1 FROM claims_fts WHERE claims_fts MATCH ?1 LIMIT ?2)"
            }
            (Dialect::Sqlite, Table::Attributions) => {
                "SELECT count(*) FROM (SELECT 1 FROM attributions_fts WHERE attributions_fts MATCH ?1 \
                 LIMIT ?2)"
            }
            (Dialect::Sqlite, Table::Evidence) => {
                "SELECT count(*) FROM (SELECT 1 FROM evidence_fts WHERE evidence_fts MATCH ?1 LIMIT ?2)"
            }
            (Dialect::Postgres, Table::Claims) => {
                "SELECT count(*) FROM (SELECT 1 FROM claims \
                 WHERE text_search @@ to_tsquery('simple', ?1) LIMIT ?2) m"
            }
            (Dialect::Postgres, Table::Attributions) => {
                "SELECT count(*) FROM (SELECT 1 FROM attributions \
                 WHERE quote_search @@ to_tsquery('simple', ?1) LIMIT ?2) m"
            }
            (Dialect::Postgres, Table::Evidence) => {
                "SELECT count(*) FROM (SELECT 1 FROM evidence \
                 WHERE excerpt_search @@ to_tsquery('simple', ?1) LIMIT ?2) m"
            }
        };
        db.query_one(
            sql,
            p![term_literal(db.dialect(), term), cap.saturating_add(1)],
            |r| r.get(0),
        )
    }

    /// An upper estimate of the number of rows (the largest rowid: one B-tree descent, not a count).
    pub(super) fn size(self, db: &Db<'_>) -> Result<i64> {
        let sql = match self {
            Table::Claims => "SELECT id FROM claims ORDER BY id DESC LIMIT 1",
            Table::Attributions => "SELECT id FROM attributions ORDER BY id DESC LIMIT 1",
            Table::Evidence => "SELECT id FROM evidence ORDER BY id DESC LIMIT 1",
        };
        Ok(db.query_opt(sql, p![], |r| r.get(0))?.unwrap_or(0))
    }

    /// The average length in words of the field's newest passages (at most [`AVERAGE_SAMPLE`] rows
    /// read), or `None` when none of them holds one: FTS5 measures a passage against the average of the
    /// whole field, which would take a full scan on PostgreSQL.
    pub(super) fn sampled_average_len(self, db: &Db<'_>) -> Result<Option<f64>> {
        let sql = match self {
            Table::Claims => "SELECT text FROM claims ORDER BY id DESC LIMIT ?1",
            Table::Attributions => {
                "SELECT quote FROM (SELECT quote FROM attributions ORDER BY id DESC LIMIT ?1) s \
                 WHERE quote IS NOT NULL"
            }
            Table::Evidence => {
                "SELECT excerpt FROM (SELECT excerpt FROM evidence ORDER BY id DESC LIMIT ?1) s \
                 WHERE excerpt IS NOT NULL"
            }
        };
        let (mut passages, mut words_seen) = (0_usize, 0_usize);
        let mut counter = Counter::new(&[]);
        db.query_each(sql, p![AVERAGE_SAMPLE], |r| {
            let text: Option<String> = r.get(0)?;
            passages += 1;
            words_seen += text.as_deref().map_or(0, |t| counter.count(t, &mut []));
            Ok(())
        })?;
        Ok((passages > 0).then(|| (words_seen as f64 / passages as f64).max(1.0)))
    }

    /// The statement that reads the matches of a `match_all` query with their text, as (claim rowid,
    /// row rowid, text), at most `?2`: every match in row order (`newest` false), or the newest first.
    pub(super) fn matches_sql(self, dialect: Dialect, newest: bool) -> &'static str {
        match (dialect, self, newest) {
            (Dialect::Sqlite, Table::Claims, _) => {
                "SELECT rowid, rowid, text FROM claims_fts WHERE claims_fts MATCH ?1 \
                 ORDER BY rowid DESC LIMIT ?2"
            }
            (Dialect::Sqlite, Table::Attributions, _) => {
                "SELECT a.claim_id, m.rowid, m.body FROM (SELECT rowid, quote AS body FROM attributions_fts \
                 WHERE attributions_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2) m \
                 JOIN attributions a ON a.id = m.rowid"
            }
            (Dialect::Sqlite, Table::Evidence, _) => {
                "SELECT e.claim_id, m.rowid, m.body FROM (SELECT rowid, excerpt AS body FROM evidence_fts \
                 WHERE evidence_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2) m \
                 JOIN evidence e ON e.id = m.rowid"
            }
            (Dialect::Postgres, Table::Claims, false) => {
                "SELECT id, id, text FROM claims WHERE text_search @@ to_tsquery('simple', ?1) \
                 ORDER BY id LIMIT ?2"
            }
            (Dialect::Postgres, Table::Claims, true) => {
                "SELECT id, id, text FROM claims WHERE text_search @@ to_tsquery('simple', ?1) \
                 ORDER BY id DESC LIMIT ?2"
            }
            (Dialect::Postgres, Table::Attributions, false) => {
                "SELECT claim_id, id, quote FROM attributions \
                 WHERE quote_search @@ to_tsquery('simple', ?1) ORDER BY id LIMIT ?2"
            }
            (Dialect::Postgres, Table::Attributions, true) => {
                "SELECT claim_id, id, quote FROM attributions \
                 WHERE quote_search @@ to_tsquery('simple', ?1) ORDER BY id DESC LIMIT ?2"
            }
            (Dialect::Postgres, Table::Evidence, false) => {
                "SELECT claim_id, id, excerpt FROM evidence \
                 WHERE excerpt_search @@ to_tsquery('simple', ?1) ORDER BY id LIMIT ?2"
            }
            (Dialect::Postgres, Table::Evidence, true) => {
                "SELECT claim_id, id, excerpt FROM evidence \
                 WHERE excerpt_search @@ to_tsquery('simple', ?1) ORDER BY id DESC LIMIT ?2"
            }
        }
    }
}
