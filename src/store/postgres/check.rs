//! `Store::check` on PostgreSQL: the counterparts of SQLite's schema comparison, `PRAGMA
//! integrity_check`, `PRAGMA foreign_key_check` and FTS5's index check (`store/check.rs` calls them).
//!
//! - **schema**: the database's tables, columns (type, NOT NULL, generated), CHECK and foreign-key
//!   constraints, indexes, triggers (and whether they fire ALWAYS) and the trigger function are compared
//!   with what `schema/postgres/*.sql` creates, read from the migrations' own text (`expected.rs`), so a
//!   dropped or disabled history trigger, a dropped CHECK or an index added behind claimtrack's back is
//!   found, whatever PostgreSQL version prints the definitions.
//! - **integrity**: every index is valid and ready (a failed `CREATE INDEX CONCURRENTLY` or `REINDEX`
//!   leaves one that is not), every constraint is validated (one added `NOT VALID` does not vouch for the
//!   rows already there). PostgreSQL checks pages itself (and `amcheck` goes further, as a superuser's
//!   tool); there is no `PRAGMA integrity_check` to run.
//! - **foreign_keys**: rows whose reference points nowhere, one anti-join per foreign key. PostgreSQL
//!   enforces them with triggers that the tables' owner can disable (`DISABLE TRIGGER ALL`) and a
//!   superuser can skip (`session_replication_role = replica`).
//! - **search_index**: every generated search document equals `to_tsvector('simple', …)` of its text
//!   now; they differ only if the `simple` configuration was changed after the rows were written.

use std::collections::{BTreeMap, BTreeSet};

use super::expected::expected;
use crate::error::Result;
use crate::store::db::{Db, p};

/// The database's side, read in one snapshot.
struct Found {
    /// table -> column -> (type, NOT NULL, generated).
    columns: BTreeMap<String, BTreeMap<String, (String, bool, bool)>>,
    /// table -> CHECK constraints.
    checks: BTreeMap<String, usize>,
    /// table -> (column, referenced table).
    references: BTreeMap<String, BTreeSet<(String, String)>>,
    /// (table, constraint) not validated.
    not_validated: Vec<(String, String)>,
    /// index -> (table, backs a constraint, valid, ready).
    indexes: BTreeMap<String, (String, bool, bool, bool)>,
    /// (table, trigger) -> pg_trigger.tgenabled.
    triggers: BTreeMap<(String, String), String>,
    /// function -> body.
    functions: BTreeMap<String, String>,
}

fn found(db: &Db<'_>) -> Result<Found> {
    let mut columns: BTreeMap<String, BTreeMap<String, (String, bool, bool)>> = BTreeMap::new();
    db.query_each(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text = 'NO', \
         is_generated::text = 'ALWAYS' FROM information_schema.columns \
         WHERE table_schema = current_schema()",
        p![],
        |r| {
            columns
                .entry(r.get(0)?)
                .or_default()
                .insert(r.get(1)?, (r.get(2)?, r.get(3)?, r.get(4)?));
            Ok(())
        },
    )?;
    let mut checks: BTreeMap<String, usize> = BTreeMap::new();
    let mut references: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    let mut not_validated = Vec::new();
    db.query_each(
        "SELECT t.relname::text, k.conname::text, k.contype::text, k.convalidated, \
         coalesce(f.relname::text, ''), \
         coalesce((SELECT a.attname::text FROM pg_attribute a \
                   WHERE a.attrelid = k.conrelid AND a.attnum = k.conkey[1]), '') \
         FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid \
         LEFT JOIN pg_class f ON f.oid = k.confrelid \
         WHERE t.relnamespace = current_schema()::text::regnamespace",
        p![],
        |r| {
            let (table, name, kind): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
            if !r.get::<bool>(3)? {
                not_validated.push((table.clone(), name));
            }
            match kind.as_str() {
                "c" => *checks.entry(table).or_default() += 1,
                "f" => {
                    references
                        .entry(table)
                        .or_default()
                        .insert((r.get(5)?, r.get(4)?));
                }
                _ => {}
            }
            Ok(())
        },
    )?;
    let indexes = db
        .query_vec(
            "SELECT i.relname::text, t.relname::text, \
             EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid), \
             x.indisvalid, x.indisready \
             FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid \
             JOIN pg_class t ON t.oid = x.indrelid \
             WHERE t.relnamespace = current_schema()::text::regnamespace",
            p![],
            |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))),
        )?
        .into_iter()
        .collect();
    let triggers = db
        .query_vec(
            "SELECT c.relname::text, t.tgname::text, t.tgenabled::text \
             FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
             WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::text::regnamespace",
            p![],
            |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)),
        )?
        .into_iter()
        .collect();
    let functions = db
        .query_vec(
            "SELECT proname::text, coalesce(prosrc, '') FROM pg_proc \
             WHERE pronamespace = current_schema()::text::regnamespace",
            p![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?
        .into_iter()
        .collect();
    Ok(Found {
        columns,
        checks,
        references,
        not_validated,
        indexes,
        triggers,
        functions,
    })
}

/// What a column the server generates is generated from, by its name: a search document from its
/// text, a native twin (`created_at_tz`, `after_jsonb`) from the store's own column.
fn generated_from(column: &str) -> Option<String> {
    if column.ends_with("_search") {
        return Some("its text".into());
    }
    column
        .strip_suffix("_tz")
        .or_else(|| column.strip_suffix("_jsonb"))
        .map(str::to_string)
}

/// The `schema` check: every object of [`expected`] present and as created, nothing added.
pub(crate) fn schema_problems(db: &Db<'_>) -> Result<Vec<String>> {
    let expected = expected();
    let found = found(db)?;
    let mut problems = Vec::new();
    for (table, want) in &expected.tables {
        let Some(have) = found.columns.get(table) else {
            problems.push(format!("table {table} is missing"));
            continue;
        };
        for (column, (ty, not_null)) in &want.columns {
            match have.get(column) {
                None => problems.push(format!("column {table}.{column} is missing")),
                Some((t, n, _)) if t != ty || n != not_null => problems.push(format!(
                    "column {table}.{column} differs from claimtrack's: {t}{} (claimtrack's: {ty}{})",
                    if *n { " NOT NULL" } else { "" },
                    if *not_null { " NOT NULL" } else { "" },
                )),
                Some((_, _, false)) if generated_from(column).is_some() => problems.push(format!(
                    "column {table}.{column} is no longer generated from {}",
                    generated_from(column).unwrap_or_default()
                )),
                Some(_) => {}
            }
        }
        for column in have.keys().filter(|c| !want.columns.contains_key(*c)) {
            problems.push(format!("column {table}.{column} is not claimtrack's"));
        }
        let checks = found.checks.get(table).copied().unwrap_or(0);
        if checks != want.checks {
            problems.push(format!(
                "table {table} has {checks} CHECK constraints, claimtrack's has {}",
                want.checks
            ));
        }
        let refs = found.references.get(table).cloned().unwrap_or_default();
        for (column, parent) in want.references.difference(&refs) {
            problems.push(format!("the foreign key {table}.{column} -> {parent} is missing"));
        }
        for (column, parent) in refs.difference(&want.references) {
            problems.push(format!(
                "the foreign key {table}.{column} -> {parent} is not claimtrack's"
            ));
        }
    }
    for table in found.columns.keys() {
        if !expected.tables.contains_key(table) {
            problems.push(format!("table {table} is not claimtrack's"));
        }
    }
    for index in &expected.indexes {
        if !found.indexes.contains_key(index) {
            problems.push(format!("index {index} is missing"));
        }
    }
    for (index, (table, constraint, _, _)) in &found.indexes {
        if !constraint && !expected.indexes.contains(index) {
            problems.push(format!("index {index} on {table} is not claimtrack's"));
        }
    }
    for (table, trigger) in &expected.triggers {
        match found.triggers.get(&(table.clone(), trigger.clone())) {
            None => problems.push(format!("trigger {trigger} on {table} is missing")),
            Some(state) if expected.always.contains(&(table.clone(), trigger.clone())) && state != "A" => {
                problems.push(format!(
                    "trigger {trigger} on {table} does not fire in every session (ENABLE ALWAYS): {}",
                    match state.as_str() {
                        "D" => "disabled",
                        "R" => "enabled for replicas only",
                        _ => "enabled for ordinary sessions only",
                    }
                ))
            }
            Some(_) => {}
        }
    }
    for (table, trigger) in found.triggers.keys() {
        if !expected.triggers.contains(&(table.clone(), trigger.clone())) {
            problems.push(format!("trigger {trigger} on {table} is not claimtrack's"));
        }
    }
    for (function, body) in &expected.functions {
        match found.functions.get(function) {
            None => problems.push(format!("function {function} is missing")),
            Some(b) if b != body => problems.push(format!(
                "function {function} differs from claimtrack's: {}",
                crate::model::text::shorten(&b.split_whitespace().collect::<Vec<_>>().join(" "), 200)
            )),
            Some(_) => {}
        }
    }
    problems.sort();
    Ok(problems)
}

/// The `integrity` check: invalid or unready indexes, constraints not validated.
pub(crate) fn integrity_problems(db: &Db<'_>) -> Result<Vec<String>> {
    let found = found(db)?;
    let mut problems = Vec::new();
    for (index, (table, _, valid, ready)) in &found.indexes {
        if !valid || !ready {
            problems.push(format!(
                "index {index} on {table} is not valid (REINDEX INDEX {index} rebuilds it)"
            ));
        }
    }
    for (table, constraint) in &found.not_validated {
        problems.push(format!(
            "constraint {constraint} of {table} is not validated: rows written before it may break it"
        ));
    }
    problems.sort();
    Ok(problems)
}

/// One anti-join per foreign key of the schema: (table, column, referenced table, statement counting
/// the rows whose reference points nowhere). A test holds the list to the schema's foreign keys.
macro_rules! orphans {
    ($(($t:literal, $c:literal, $p:literal)),+ $(,)?) => {
        &[$(($t, $c, $p, concat!(
            "SELECT count(*) FROM ", $t, " c WHERE c.", $c, " IS NOT NULL AND NOT EXISTS ",
            "(SELECT 1 FROM ", $p, " p WHERE p.id = c.", $c, ")"
        ))),+]
    };
}

pub(crate) const FOREIGN_KEYS: &[(&str, &str, &str, &str)] = orphans![
    ("sources", "part_of", "sources"),
    ("source_aliases", "source_id", "sources"),
    ("publications", "publisher", "sources"),
    ("claim_quantities", "claim_id", "claims"),
    ("claim_tags", "claim_id", "claims"),
    ("attributions", "claim_id", "claims"),
    ("attributions", "speaker", "sources"),
    ("attributions", "publication", "publications"),
    ("attribution_relays", "attribution_id", "attributions"),
    ("attribution_relays", "source_id", "sources"),
    ("evidence", "claim_id", "claims"),
    ("evidence", "source_id", "sources"),
    ("evidence", "publication", "publications"),
    ("evidence", "replaced_by", "evidence"),
    ("claim_links", "from_claim", "claims"),
    ("claim_links", "to_claim", "claims"),
    ("reviews", "claim_id", "claims"),
    ("reviews", "reviewer", "sources"),
    ("reviews", "replaced_by", "reviews"),
    ("history", "batch", "history"),
    ("history_claims", "history_id", "history"),
    ("history_batch_rows", "batch", "history"),
];

/// The `foreign_keys` check: per foreign key, how many rows refer to a missing row.
pub(crate) fn foreign_key_problems(db: &Db<'_>) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for (table, column, parent, sql) in FOREIGN_KEYS {
        let n: i64 = db.query_one(sql, p![], |r| r.get(0))?;
        if n > 0 {
            problems.push(format!(
                "{n} rows of {table} refer to a missing row of {parent} ({column})"
            ));
        }
    }
    Ok(problems)
}

/// The `search_index` check: search documents that are no longer what `simple` makes of their text.
pub(crate) fn search_index_problems(db: &Db<'_>) -> Result<Vec<String>> {
    const STALE: [(&str, &str); 3] = [
        (
            "claims.text_search",
            "SELECT count(*) FROM claims WHERE text_search IS DISTINCT FROM to_tsvector('simple', text)",
        ),
        (
            "attributions.quote_search",
            "SELECT count(*) FROM attributions \
             WHERE quote_search IS DISTINCT FROM to_tsvector('simple', quote)",
        ),
        (
            "evidence.excerpt_search",
            "SELECT count(*) FROM evidence \
             WHERE excerpt_search IS DISTINCT FROM to_tsvector('simple', excerpt)",
        ),
    ];
    let mut problems = Vec::new();
    for (column, sql) in STALE {
        let n: i64 = db.query_one(sql, p![], |r| r.get(0))?;
        if n > 0 {
            problems.push(format!(
                "{column} does not match its text in {n} rows (the `simple` text search configuration \
                 changed after they were written; Store::rebuild_search_index, `claimtrack reindex`, \
                 mends it)"
            ));
        }
    }
    Ok(problems)
}

/// Recomputes the search documents that differ from their text (see [`search_index_problems`]): an
/// UPDATE of the text to itself makes PostgreSQL generate the column again.
pub(crate) fn rebuild_search_documents(db: &Db<'_>) -> Result<()> {
    db.execute(
        "UPDATE claims SET text = text WHERE text_search IS DISTINCT FROM to_tsvector('simple', text)",
        p![],
    )?;
    db.execute(
        "UPDATE attributions SET quote = quote \
         WHERE quote_search IS DISTINCT FROM to_tsvector('simple', quote)",
        p![],
    )?;
    db.execute(
        "UPDATE evidence SET excerpt = excerpt \
         WHERE excerpt_search IS DISTINCT FROM to_tsvector('simple', excerpt)",
        p![],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::super::expected::expected;
    use super::*;

    #[test]
    fn every_foreign_key_of_the_schema_is_checked_for_orphans() {
        let schema: BTreeSet<(String, String, String)> = expected()
            .tables
            .iter()
            .flat_map(|(t, e)| {
                e.references
                    .iter()
                    .map(move |(c, p)| (t.clone(), c.clone(), p.clone()))
            })
            .collect();
        let checked: BTreeSet<(String, String, String)> = FOREIGN_KEYS
            .iter()
            .map(|(t, c, p, _)| (t.to_string(), c.to_string(), p.to_string()))
            .collect();
        assert_eq!(schema, checked);
        assert_eq!(
            FOREIGN_KEYS[0].3,
            "SELECT count(*) FROM sources c WHERE c.part_of IS NOT NULL AND NOT EXISTS \
             (SELECT 1 FROM sources p WHERE p.id = c.part_of)"
        );
    }
}

#[cfg(test)]
mod server_tests {
    //! Against a real server (`CLAIMTRACK_TEST_PG`, see tests/postgres_schema.rs); skipped without one,
    //! a failure under `CI=true`. Each test has a database of its own, holding the seed article copied
    //! from SQLite, and tampers with it as the test server's superuser.

    use std::str::FromStr;

    use postgres::{Client, Config, NoTls};

    use super::*;
    use crate::Store;

    struct TestDb {
        admin: String,
        name: String,
    }

    impl Drop for TestDb {
        fn drop(&mut self) {
            if let Ok(mut c) = Config::from_str(&self.admin).and_then(|c| c.connect(NoTls)) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
            }
        }
    }

    /// A store on a new database holding the seed article, a superuser's client on it, and the guard
    /// that drops the database.
    fn seeded(name: &str) -> Option<(Store, Client, TestDb)> {
        let admin = crate::store::postgres::test_server(name)?;
        let name = format!("{name}_{}", std::process::id());
        let mut c = Config::from_str(&admin).unwrap().connect(NoTls).unwrap();
        // Our own identifier, not user text.
        c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .unwrap();
        c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        let guard = TestDb {
            admin: admin.clone(),
            name: name.clone(),
        };
        let i = admin.rfind('/').unwrap();
        let url = format!("{}/{name}", &admin[..i]);
        let store = Store::open(&url).unwrap();
        let lite = Store::open_in_memory().unwrap();
        crate::seeds::load_wonsan(&lite).unwrap();
        lite.copy_to(&store).unwrap();
        let client = Config::from_str(&url).unwrap().connect(NoTls).unwrap();
        Some((store, client, guard))
    }

    /// The problems of each PostgreSQL check, by the check's name.
    fn report(store: &Store) -> BTreeMap<&'static str, Vec<String>> {
        store
            .read(|db| {
                Ok(BTreeMap::from([
                    ("schema", schema_problems(db)?),
                    ("search_index", search_index_problems(db)?),
                    ("integrity", integrity_problems(db)?),
                    ("foreign_keys", foreign_key_problems(db)?),
                ]))
            })
            .unwrap()
    }

    fn problems(r: &BTreeMap<&'static str, Vec<String>>, check: &str) -> Vec<String> {
        r[check].clone()
    }

    fn is_ok(r: &BTreeMap<&'static str, Vec<String>>) -> bool {
        r.values().all(Vec::is_empty)
    }

    #[test]
    fn a_sound_database_passes_and_tampering_behind_the_api_is_found() {
        let Some((store, mut c, _db)) = seeded("claimtrack_check_tamper") else {
            return;
        };
        let r = report(&store);
        assert!(is_ok(&r), "{r:?}");
        assert!(store.integrity_problems().unwrap().is_empty());

        c.batch_execute(
            "ALTER TABLE history DISABLE TRIGGER history_append_only; \
             DROP TRIGGER history_claims_no_truncate ON history_claims; \
             ALTER TABLE evidence DROP CONSTRAINT evidence_stance_check; \
             CREATE INDEX extra ON claims (text); \
             ALTER TABLE claims ADD COLUMN note text; \
             ALTER TABLE sources ALTER COLUMN name DROP NOT NULL; \
             CREATE OR REPLACE FUNCTION history_append_only() RETURNS trigger LANGUAGE plpgsql \
                 AS $$ BEGIN RETURN OLD; END; $$; \
             CREATE TRIGGER sneaky BEFORE UPDATE ON claims \
                 FOR EACH ROW EXECUTE FUNCTION history_append_only(); \
             ALTER TABLE reviews ADD CONSTRAINT later CHECK (url IS NULL OR url <> '') NOT VALID; \
             ALTER TABLE claims ALTER COLUMN created_at_tz DROP EXPRESSION; \
             ALTER TABLE history ALTER COLUMN after_jsonb DROP EXPRESSION; \
             SET session_replication_role = replica; \
             UPDATE evidence SET source_id = 999999 WHERE id = (SELECT min(id) FROM evidence); \
             RESET session_replication_role;",
        )
        .unwrap();
        let r = report(&store);
        let schema = problems(&r, "schema");
        for expected in [
            "trigger history_append_only on history does not fire in every session (ENABLE ALWAYS): \
             disabled",
            "trigger history_claims_no_truncate on history_claims is missing",
            "table evidence has 7 CHECK constraints, claimtrack's has 8",
            "index extra on claims is not claimtrack's",
            "column claims.note is not claimtrack's",
            "column sources.name differs from claimtrack's: text (claimtrack's: text NOT NULL)",
            "trigger sneaky on claims is not claimtrack's",
            "table reviews has 7 CHECK constraints, claimtrack's has 6",
            "column claims.created_at_tz is no longer generated from created_at",
            "column history.after_jsonb is no longer generated from after",
        ] {
            assert!(schema.iter().any(|p| p == expected), "{expected}: {schema:#?}");
        }
        assert!(
            schema
                .iter()
                .any(|p| p
                    .starts_with("function history_append_only differs from claimtrack's: BEGIN RETURN OLD")),
            "{schema:#?}"
        );
        assert_eq!(
            problems(&r, "integrity"),
            ["constraint later of reviews is not validated: rows written before it may break it"]
        );
        assert_eq!(
            problems(&r, "foreign_keys"),
            ["1 rows of evidence refer to a missing row of sources (source_id)"]
        );
        assert_eq!(store.integrity_problems().unwrap().len(), 2);
        assert!(problems(&r, "search_index").is_empty());
    }

    #[test]
    fn stale_search_documents_are_found_and_rebuilt() {
        let Some((store, mut c, _db)) = seeded("claimtrack_check_search") else {
            return;
        };
        assert!(!store.search("artillery", 5).unwrap().is_empty());
        // The documents were made with `simple` as it was; a changed configuration (this database's
        // own copy of it) makes them stale.
        c.batch_execute("ALTER TEXT SEARCH CONFIGURATION simple DROP MAPPING FOR asciiword")
            .unwrap();
        let stale = problems(&report(&store), "search_index");
        assert_eq!(stale.len(), 3, "{stale:#?}");
        assert!(
            stale[0].starts_with("claims.text_search does not match its text in "),
            "{stale:?}"
        );
        store.rebuild_search_index().unwrap();
        assert!(problems(&report(&store), "search_index").is_empty());
        // The rebuilt documents follow the configuration: ASCII words are no longer indexed.
        assert!(store.search("artillery", 5).unwrap().is_empty());
        assert!(is_ok(&report(&store)));
    }
}
