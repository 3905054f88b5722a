//! Integrity checks: SQLite's own, and claimtrack's invariants.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::db::{Db, p};
use super::record::Record;
use super::{Backend, Store};
use crate::error::Result;
use crate::model::ids::{EntityId, EvidenceId, ReviewId, SourceId};
use crate::model::text::{name_key, name_key_hash};

/// One problem [`Store::check`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckProblem {
    /// Which check found it: `"integrity"`, `"foreign_keys"`, `"search_index"`, `"name_keys"`,
    /// `"records"`, `"affiliation"`, `"standings"`, `"history"`.
    pub check: String,
    /// What is wrong, naming the table, row or record.
    pub message: String,
}

/// What [`Store::check`] found; empty when the database is sound.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckReport {
    /// The checks that ran, in order.
    pub checks: Vec<String>,
    /// Every problem found.
    pub problems: Vec<CheckProblem>,
}

impl CheckReport {
    /// Whether every check passed.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }

    fn problem(&mut self, check: &str, message: impl Into<String>) {
        self.problems.push(CheckProblem {
            check: check.to_string(),
            message: message.into(),
        });
    }
}

/// Problems beyond this many per check are summarised in one line.
const MAX_PER_CHECK: usize = 100;

/// Adds a line to `bad` for every record of `list` that fails its own checks ([`Record::validate`]).
fn invalid<R: Record>(list: &[R], bad: &mut Vec<String>) {
    for r in list {
        if let Err(e) = r.validate() {
            bad.push(format!("{} {}: {e}", <R::Id as EntityId>::KIND, r.id()));
        }
    }
}

impl Store {
    /// Verifies that the schema objects (tables, indexes, triggers, views) are exactly the ones
    /// claimtrack creates, so a dropped or altered trigger (the history's append-only guard, say) is a
    /// problem. Runs SQLite's `integrity_check` and `foreign_key_check`, then claimtrack's own invariants: every
    /// record reads back and passes validation, the lookup keys of names and aliases match the names,
    /// the affiliation tree has no cycle, every superseded evidence record or review is superseded by a
    /// record of the same claim (for evidence, the same source) and never in a cycle, the history agrees with the current state
    /// ([`verify_history`](Self::verify_history)), and each full-text index matches its table. Writes
    /// nothing (FTS5 takes its index check as an INSERT: it runs in a savepoint that is rolled back, so
    /// other writers wait while it runs).
    ///
    /// On PostgreSQL the same checks run under the same names, with the engine's counterparts: the
    /// schema (tables, columns, CHECK and foreign-key constraints, indexes, triggers and whether they fire
    /// in every session, the trigger function) is compared with what `schema/postgres/` creates;
    /// `integrity` reports indexes left invalid and constraints not validated; `foreign_keys` rows whose
    /// reference points nowhere (possible once the owner disabled the tables' triggers); `search_index`
    /// search documents no longer what the `simple` configuration makes of their text (docs/postgres.md).
    ///
    /// ```
    /// let store = claimtrack::Store::open_in_memory()?;
    /// claimtrack::seeds::load_wonsan(&store)?;
    /// let report = store.check()?;
    /// assert!(report.is_ok(), "{:?}", report.problems);
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn check(&self) -> Result<CheckReport> {
        let mut report = CheckReport::default();
        match &self.backend {
            Backend::Sqlite(c) => {
                self.read_sqlite(|c| schema_checks(c, &mut report))?;
                report.checks.push("encoding".into());
                let bad = self.read_sqlite(super::check_encoding::encoding_problems)?;
                if !bad.is_empty() {
                    // Every other part reads the text back, and would stop at the first such value.
                    for p in bad {
                        report.problem("encoding", p);
                    }
                    return Ok(report);
                }
                search_index_checks(c, &mut report)?;
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres(_) => self.read(|db| {
                use super::postgres::check::{schema_problems, search_index_problems};
                report.checks.push("schema".into());
                for p in schema_problems(db)?.into_iter().take(MAX_PER_CHECK) {
                    report.problem("schema", p);
                }
                report.checks.push("search_index".into());
                for p in search_index_problems(db)? {
                    report.problem("search_index", p);
                }
                Ok(())
            })?,
        }
        self.read(|db| {
            text_key_checks(db, &mut report)?;
            engine_checks(db, &mut report)?;
            name_key_checks(db, &mut report)
        })?;

        report.checks.push("records".into());
        let bundle = match self.export_bundle() {
            Ok(b) => b,
            Err(e) => {
                report.problem("records", format!("a record cannot be read back: {e}"));
                return Ok(report);
            }
        };
        let mut bad = Vec::new();
        invalid(&bundle.sources, &mut bad);
        invalid(&bundle.publications, &mut bad);
        invalid(&bundle.claims, &mut bad);
        invalid(&bundle.attributions, &mut bad);
        invalid(&bundle.evidence, &mut bad);
        invalid(&bundle.links, &mut bad);
        invalid(&bundle.reviews, &mut bad);
        for message in bad.into_iter().take(MAX_PER_CHECK) {
            report.problem("records", message);
        }

        report.checks.push("affiliation".into());
        let parent: HashMap<SourceId, SourceId> = bundle
            .sources
            .iter()
            .filter_map(|s| s.part_of.map(|p| (s.id, p)))
            .collect();
        let mut reported: HashSet<SourceId> = HashSet::new();
        for s in &bundle.sources {
            let mut seen = HashSet::new();
            let mut cur = Some(s.id);
            while let Some(id) = cur {
                if !seen.insert(id) {
                    if reported.insert(id) {
                        report.problem(
                            "affiliation",
                            format!("source {id} is (indirectly) part of itself"),
                        );
                    }
                    break;
                }
                cur = parent.get(&id).copied();
            }
        }

        report.checks.push("standings".into());
        let standings = self.read(|db| {
            let mut all = super::rules::standing_problems::<EvidenceId>(db)?;
            all.extend(super::rules::standing_problems::<ReviewId>(db)?);
            Ok(all)
        })?;
        for message in standings.into_iter().take(MAX_PER_CHECK) {
            report.problem("standings", message);
        }

        report.checks.push("history".into());
        let history = self.verify_history()?;
        for p in history.problems.iter().take(MAX_PER_CHECK) {
            report.problem("history", format!("{} {}: {}", p.kind, p.entity, p.problem));
        }
        Ok(report)
    }

    /// Runs the engine's own checks only: on SQLite `PRAGMA integrity_check` (every page, index and
    /// constraint) and `PRAGMA foreign_key_check`; on PostgreSQL, invalid indexes, constraints not
    /// validated and rows whose foreign key points nowhere. Returns the problems found, empty when the
    /// database is sound. Reads only; on a large file it reads every page. [`check`](Self::check) runs
    /// these and claimtrack's own.
    ///
    /// # Example
    /// ```
    /// let store = claimtrack::Store::open_in_memory()?;
    /// claimtrack::seeds::load_wonsan(&store)?;
    /// assert!(store.integrity_problems()?.is_empty());
    /// assert!(store.check()?.is_ok());
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn integrity_problems(&self) -> Result<Vec<String>> {
        let mut report = CheckReport::default();
        self.read(|db| engine_checks(db, &mut report))?;
        Ok(report
            .problems
            .into_iter()
            .map(|p| format!("{}: {}", p.check, p.message))
            .collect())
    }
}

/// The schema objects of `main`, by (type, name), each with what identifies its shape: for a table its
/// columns (name, type, NOT NULL, default, key) and foreign keys (a table altered by a migration keeps
/// the text of its `ALTER`s, so its SQL cannot be compared), for an index, trigger or view its SQL with
/// runs of white space made one space.
fn schema_objects(c: &rusqlite::Connection) -> Result<HashMap<(String, String), String>> {
    let rows = c
        .prepare_cached(
            "SELECT type, name, coalesce(sql, '') FROM main.sqlite_schema \
             WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
        )?
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = HashMap::new();
    for (kind, name, sql) in rows {
        let shape = if kind == "table" {
            let columns = c
                .prepare_cached(
                    "SELECT group_concat(name || ' ' || type || ' ' || \"notnull\" || ' ' || \
                     coalesce(dflt_value, '-') || ' ' || pk || ' ' || hidden, ', ') \
                     FROM pragma_table_xinfo(?1)",
                )?
                .query_row([&name], |r| r.get::<_, Option<String>>(0))?;
            let keys = c
                .prepare_cached(
                    "SELECT group_concat(\"from\" || ' -> ' || \"table\" || '.' || coalesce(\"to\", '') || \
                     ' ' || on_update || ' ' || on_delete, ', ') FROM pragma_foreign_key_list(?1)",
                )?
                .query_row([&name], |r| r.get::<_, Option<String>>(0))?;
            format!(
                "columns ({}); foreign keys ({})",
                columns.unwrap_or_default(),
                keys.unwrap_or_default()
            )
        } else {
            sql.split_whitespace().collect::<Vec<_>>().join(" ")
        };
        out.insert((kind, name), shape);
    }
    Ok(out)
}

/// Compares the file's tables, indexes, triggers and views with those of a fresh database made by this
/// version's migrations: one missing (a dropped trigger), altered or added behind claimtrack's back is
/// a `schema` problem.
fn schema_checks(c: &rusqlite::Connection, report: &mut CheckReport) -> Result<()> {
    report.checks.push("schema".into());
    let reference = Store::open_in_memory()?;
    let expected = schema_objects(reference.sqlite()?)?;
    let found = schema_objects(c)?;
    let mut problems = Vec::new();
    for ((kind, name), sql) in &expected {
        match found.get(&(kind.clone(), name.clone())) {
            None => problems.push(format!("{kind} {name} is missing")),
            Some(f) if f != sql => problems.push(format!(
                "{kind} {name} differs from claimtrack's: {}",
                crate::model::text::shorten(f, 200)
            )),
            Some(_) => {}
        }
    }
    for (kind, name) in found.keys() {
        if !expected.contains_key(&(kind.clone(), name.clone())) {
            problems.push(format!("{kind} {name} is not claimtrack's"));
        }
    }
    problems.sort();
    for p in problems.into_iter().take(MAX_PER_CHECK) {
        report.problem("schema", p);
    }
    Ok(())
}

/// SQLite's `integrity_check` and `foreign_key_check`, into `report`.
fn sqlite_checks(c: &rusqlite::Connection, report: &mut CheckReport) -> Result<()> {
    report.checks.push("integrity".into());
    let rows: Vec<String> = c
        .prepare("PRAGMA integrity_check")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for row in rows.into_iter().filter(|r| r != "ok").take(MAX_PER_CHECK) {
        report.problem("integrity", row);
    }

    report.checks.push("foreign_keys".into());
    let rows: Vec<(String, Option<i64>, String)> = c
        .prepare("PRAGMA foreign_key_check")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let n = rows.len();
    for (table, row, parent) in rows.into_iter().take(MAX_PER_CHECK) {
        let row = row.map_or("?".to_string(), |r| r.to_string());
        report.problem(
            "foreign_keys",
            format!("{table} row {row} refers to a missing row of {parent}"),
        );
    }
    if n > MAX_PER_CHECK {
        report.problem("foreign_keys", format!("… and {} more", n - MAX_PER_CHECK));
    }
    Ok(())
}

/// Every source name's and alias's stored lookup key against the key of its text.
fn name_key_checks(db: &Db<'_>, report: &mut CheckReport) -> Result<()> {
    report.checks.push("name_keys".into());
    db.query_each(
        "SELECT 'source ' || s.name, s.name, s.name_key FROM sources s \
         UNION ALL SELECT 'alias of ' || s.name, a.alias, a.alias_key \
         FROM source_aliases a JOIN sources s ON s.id = a.source_id",
        p![],
        |r| {
            let (what, name, key): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
            if name_key(&name) != key {
                report.problem(
                    "name_keys",
                    format!("{what}: lookup key {key:?} does not match {name:?}"),
                );
            }
            Ok(())
        },
    )
}

/// The engine's own checks, `integrity` and `foreign_keys`: SQLite's PRAGMAs, or their PostgreSQL
/// counterparts (`store/postgres/check.rs`).
fn engine_checks(db: &Db<'_>, report: &mut CheckReport) -> Result<()> {
    match db {
        Db::Sqlite(c, _) => sqlite_checks(c, report),
        #[cfg(feature = "postgres")]
        Db::Pg(_) => {
            use super::postgres::check::{foreign_key_problems, integrity_problems};
            report.checks.push("integrity".into());
            for p in integrity_problems(db)?.into_iter().take(MAX_PER_CHECK) {
                report.problem("integrity", p);
            }
            report.checks.push("foreign_keys".into());
            for p in foreign_key_problems(db)? {
                report.problem("foreign_keys", p);
            }
            Ok(())
        }
    }
}

/// Claims whose stored text key is missing or stale (written behind the API), reported with the search
/// indexes: both are mended by `Store::rebuild_search_index`.
fn text_key_checks(db: &Db<'_>, report: &mut CheckReport) -> Result<()> {
    let mut stale = 0_u64;
    db.query_each("SELECT text, text_key_hash FROM claims", p![], |r| {
        let (text, hash): (String, Option<i64>) = (r.get(0)?, r.get(1)?);
        if hash != Some(name_key_hash(&name_key(&text))) {
            stale += 1;
        }
        Ok(())
    })?;
    if stale > 0 {
        report.problem(
            "search_index",
            format!(
                "{stale} claims have a missing or stale text key, so an exact repeat of them is not found \
                 first (Store::rebuild_search_index, `claimtrack reindex`, mends it)"
            ),
        );
    }
    // SQLite looks the hashes up in a table of their own (schema/0001_initial.sql, `claim_text_keys`),
    // kept by the store and by triggers: each claim's pair there, and nothing else.
    // SQLite looks the hashes up in a table of their own, kept by the store and by triggers.
    if let Some(problem) = crate::store::text_keys::problem(db) {
        report.problem("search_index", problem);
    }
    let mut stale = 0_u64;
    db.query_each("SELECT url, site FROM reviews", p![], |r| {
        let (url, site): (Option<String>, Option<String>) = (r.get(0)?, r.get(1)?);
        if crate::model::review::site_of_url(url.as_deref()) != site {
            stale += 1;
        }
        Ok(())
    })?;
    if stale > 0 {
        report.problem(
            "search_index",
            format!(
                "{stale} reviews have a missing or stale site, so a search by site alone misses them \
                 (Store::rebuild_search_index, `claimtrack reindex`, mends it)"
            ),
        );
    }
    Ok(())
}

/// FTS5's own check of each full-text index against its table (`'integrity-check'` with rank 1: every
/// row's words are in the index and nothing else is; SQLite's `integrity_check` does not compare an
/// external-content index with its table). A row written behind the API has no index row, since the
/// store writes them (no INSERT triggers, see `schema/0001_initial.sql`), and is reported here. FTS5 takes the check as an INSERT, so it runs
/// in a savepoint that is rolled back: nothing is written.
fn search_index_checks(conn: &rusqlite::Connection, report: &mut CheckReport) -> Result<()> {
    const CHECKS: [(&str, &str); 3] = [
        (
            "claims_fts",
            "INSERT INTO claims_fts (claims_fts, rank) VALUES ('integrity-check', 1)",
        ),
        (
            "attributions_fts",
            "INSERT INTO attributions_fts (attributions_fts, rank) VALUES ('integrity-check', 1)",
        ),
        (
            "evidence_fts",
            "INSERT INTO evidence_fts (evidence_fts, rank) VALUES ('integrity-check', 1)",
        ),
    ];
    report.checks.push("search_index".into());
    conn.execute_batch("SAVEPOINT claimtrack_check")?;
    let mut failed = None;
    for (index, sql) in CHECKS {
        match conn.execute(sql, []) {
            Ok(_) => {}
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::DatabaseCorrupt => {
                report.problem(
                    "search_index",
                    format!(
                        "{index} does not match its table (Store::rebuild_search_index, \
                         `claimtrack reindex`, mends it)"
                    ),
                );
            }
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    conn.execute_batch("ROLLBACK TO claimtrack_check; RELEASE claimtrack_check")?;
    match failed {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record edited by hand into one its kind refuses (here a source named only by an invisible
    /// character, which the schema's CHECK lets through) is named by the `records` check, as its kind's
    /// description validates it.
    #[test]
    fn a_record_its_kind_refuses_written_by_hand_is_reported() {
        let store = Store::open_in_memory().unwrap();
        let id = store
            .add_source(crate::NewSource::new("Agency", crate::SourceKind::NewsAgency))
            .unwrap();
        assert!(store.check().unwrap().is_ok());
        store
            .conn()
            .execute("UPDATE sources SET name = char(8203) WHERE uuid = ?1", [id])
            .unwrap();
        let r = store.check().unwrap();
        let records: Vec<&str> = r
            .problems
            .iter()
            .filter(|p| p.check == "records")
            .map(|p| p.message.as_str())
            .collect();
        assert_eq!(records.len(), 1, "{:?}", r.problems);
        assert!(records[0].starts_with(&format!("source {id}: ")), "{records:?}");
    }

    #[test]
    fn a_claim_written_behind_the_api_is_reported_until_the_index_is_rebuilt() {
        let store = Store::open_in_memory().unwrap();
        crate::seeds::load_wonsan(&store).unwrap();
        store
            .conn()
            .execute(
                "INSERT INTO claims (uuid, text, kind, created_at) VALUES (randomblob(16), 'Zanzibar cloves', 'factual', 0)",
                [],
            )
            .unwrap();
        let r = store.check().unwrap();
        assert!(
            r.problems
                .iter()
                .any(|p| p.check == "search_index" && p.message.contains("claims_fts")),
            "{:?}",
            r.problems
        );
        assert!(store.search("zanzibar", 5).unwrap().is_empty());
        // The check wrote nothing and left no transaction open.
        assert!(store.conn().is_autocommit());
        store.rebuild_search_index().unwrap();
        assert_eq!(store.search("zanzibar", 5).unwrap().len(), 1);
        let r = store.check().unwrap();
        assert!(
            !r.problems.iter().any(|p| p.check == "search_index"),
            "{:?}",
            r.problems
        );
    }

    #[test]
    fn a_stale_name_key_and_a_dangling_reference_are_found() {
        let store = Store::open_in_memory().unwrap();
        crate::seeds::load_wonsan(&store).unwrap();
        assert!(store.check().unwrap().is_ok());
        store
            .conn()
            .execute_batch(
                "UPDATE sources SET name_key = 'stale' WHERE id = 1; \
                 PRAGMA foreign_keys = OFF; \
                 UPDATE evidence SET source_id = 99999 WHERE id = 1; \
                 PRAGMA foreign_keys = ON;",
            )
            .unwrap();
        let report = store.check().unwrap();
        let checks: HashSet<&str> = report.problems.iter().map(|p| p.check.as_str()).collect();
        assert!(checks.contains("name_keys"), "{report:?}");
        assert!(checks.contains("foreign_keys"), "{report:?}");
        assert!(!report.is_ok());
    }

    #[test]
    fn dropped_history_guards_and_a_rewritten_history_are_found() {
        let store = Store::open_in_memory().unwrap();
        crate::seeds::load_wonsan(&store).unwrap();
        let r = store.check().unwrap();
        assert!(r.checks.iter().any(|c| c == "schema"));
        assert!(r.is_ok(), "{:?}", r.problems);
        let triggers: Vec<String> = store
            .conn()
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'history'")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(!triggers.is_empty(), "the history has append-only triggers");
        for t in &triggers {
            store
                .conn()
                .execute_batch(&format!("DROP TRIGGER \"{t}\""))
                .unwrap();
        }
        store
            .conn()
            .execute_batch("UPDATE history SET actor = 'someone else'; CREATE INDEX extra ON claims (text);")
            .unwrap();
        let r = store.check().unwrap();
        for t in &triggers {
            assert!(
                r.problems
                    .iter()
                    .any(|p| p.check == "schema" && p.message == format!("trigger {t} is missing")),
                "{t}: {:?}",
                r.problems
            );
        }
        assert!(
            r.problems
                .iter()
                .any(|p| p.check == "schema" && p.message == "index extra is not claimtrack's"),
            "{:?}",
            r.problems
        );
    }

    #[test]
    fn an_edit_behind_the_history_s_back_is_found() {
        let store = Store::open_in_memory().unwrap();
        crate::seeds::load_wonsan(&store).unwrap();
        store
            .conn()
            .execute("UPDATE claims SET text = 'quietly reworded' WHERE id = 1", [])
            .unwrap();
        let report = store.check().unwrap();
        assert!(report.checks.iter().any(|c| c == "history"));
        assert!(report.problems.iter().any(|p| p.check == "history"), "{report:?}");
        // SQLite's own checks see nothing wrong: the edit is well-formed, only unrecorded.
        assert!(store.integrity_problems().unwrap().is_empty());
    }
}
