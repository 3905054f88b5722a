//! The PostgreSQL schema (`schema/postgres/`) and its migration runner, against a real server.
//!
//! Run with a throwaway server:
//!
//! ```sh
//! eval "$(scripts/pg-test-server start)"
//! cargo test --features postgres --test postgres_schema
//! scripts/pg-test-server stop
//! ```
//!
//! Without `CLAIMTRACK_TEST_PG` the tests that need a server say so on stderr and pass without checking
//! anything; under `CI=true` a missing server fails them instead. Each test works in a database of its
//! own, created and dropped by the test.
#![cfg(feature = "postgres")]

use std::io::Write as _;
use std::str::FromStr;
use std::sync::Once;
use std::sync::atomic::{AtomicU32, Ordering};

use claimtrack::{Error, POSTGRES_SCHEMA_VERSION, postgres_migrate, postgres_schema_version};
use postgres::error::SqlState;
use postgres::{Client, Config, NoTls};

const ENV: &str = "CLAIMTRACK_TEST_PG";

/// The test server's URL, or `None` (after saying so) when there is none and this is not CI.
fn server() -> Option<String> {
    match std::env::var(ENV) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
            assert!(
                !ci,
                "CI=true but {ENV} is not set: the PostgreSQL tests must run in CI \
                 (start a server with `eval \"$(scripts/pg-test-server start)\"`)"
            );
            static SAID: Once = Once::new();
            SAID.call_once(|| {
                // Straight to stderr: the test harness would swallow `eprintln!` of a passing test.
                let _ = writeln!(
                    std::io::stderr(),
                    "\nSKIPPED: the PostgreSQL tests of tests/postgres_schema.rs need a server and {ENV} \
                     is not set. Run them with:\n    eval \"$(scripts/pg-test-server start)\"\n    \
                     cargo test --features postgres --test postgres_schema\n    \
                     scripts/pg-test-server stop\n"
                );
            });
            None
        }
    }
}

/// A database of its own for one test, dropped (with any connection left to it) when the test ends.
struct TestDb {
    admin: String,
    name: String,
    url: String,
}

impl TestDb {
    /// A new empty database on the test server, or `None` when there is no server (see [`server`]).
    fn new() -> Option<TestDb> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let admin = server()?;
        let name = format!(
            "claimtrack_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut c = connect(&admin);
        // The name is ours (digits and underscores), not user text; CREATE DATABASE takes no parameters.
        // Two calls: DROP/CREATE DATABASE cannot share a (implicit) transaction.
        c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .unwrap();
        c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        let url = with_dbname(&admin, &name);
        Some(TestDb { admin, name, url })
    }

    fn client(&self) -> Client {
        connect(&self.url)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut c) = Config::from_str(&self.admin).and_then(|c| c.connect(NoTls)) {
            let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

fn connect(url: &str) -> Client {
    Config::from_str(url).unwrap().connect(NoTls).unwrap()
}

/// `url` naming database `db` instead: the path of a `postgres://` URL, or a `dbname=` pair appended to a
/// key=value string (later pairs win).
fn with_dbname(url: &str, db: &str) -> String {
    for scheme in ["postgresql://", "postgres://"] {
        if let Some(rest) = url.strip_prefix(scheme) {
            let (main, query) = match rest.find('?') {
                Some(q) => rest.split_at(q),
                None => (rest, ""),
            };
            let authority = main.split('/').next().unwrap_or("");
            return format!("{scheme}{authority}/{db}{query}");
        }
    }
    format!("{url} dbname={db}")
}

/// Everything a migration could change, as text: tables and columns with types, defaults and
/// generation, constraints, indexes, triggers with their enabled state, functions, and the version rows.
fn catalog(c: &mut Client) -> Vec<String> {
    let queries = [
        "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || \
         coalesce(column_default, '') || ' ' || coalesce(generation_expression, '') \
         FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY 1",
        "SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) \
         FROM pg_constraint WHERE connamespace = current_schema()::text::regnamespace ORDER BY 1",
        "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1",
        "SELECT tgrelid::regclass::text || ' ' || tgname || ' ' || tgenabled::text FROM pg_trigger \
         WHERE NOT tgisinternal ORDER BY 1",
        "SELECT proname || ' ' || md5(prosrc) FROM pg_proc \
         WHERE pronamespace = current_schema()::text::regnamespace ORDER BY 1",
        "SELECT version::text || ' ' || name || ' ' || applied_at::text FROM schema_version ORDER BY 1",
    ];
    let mut out = Vec::new();
    for q in queries {
        match c.query(q, &[]) {
            Ok(rows) => out.extend(rows.iter().map(|r| r.get::<_, String>(0))),
            // No schema_version table yet.
            Err(e) if e.code() == Some(&SqlState::UNDEFINED_TABLE) => out.push(format!("{q}: no table")),
            Err(e) => panic!("{q}: {e}"),
        }
    }
    out
}

fn tables(c: &mut Client) -> Vec<String> {
    c.query(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() ORDER BY 1",
        &[],
    )
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

/// The SQLSTATE of a failed statement, which must have failed.
fn code(result: Result<u64, postgres::Error>) -> SqlState {
    let e = result.expect_err("the statement should have been refused");
    e.code()
        .cloned()
        .unwrap_or_else(|| panic!("not a server error: {e}"))
}

fn new_uuid() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}

/// Inserts a source and a claim (with `text`), returning their ids.
fn source_and_claim(c: &mut Client, text: &str) -> (i64, i64) {
    let source: i64 = c
        .query_one(
            "INSERT INTO sources (uuid, name, name_key, kind, country, created_at) \
             VALUES ($1, 'KCNA', 'kcna', 'news_agency', 'KP', 1764380000123456789) RETURNING id",
            &[&new_uuid()],
        )
        .unwrap()
        .get(0);
    let claim = claim(c, text);
    (source, claim)
}

fn claim(c: &mut Client, text: &str) -> i64 {
    c.query_one(
        "INSERT INTO claims (uuid, text, kind, created_at) VALUES ($1, $2, 'factual', 1764380000123456789) RETURNING id",
        &[&new_uuid(), &text],
    )
    .unwrap()
    .get(0)
}

#[test]
fn schema_applies_to_an_empty_database() {
    let Some(db) = TestDb::new() else { return };
    assert_eq!(postgres_schema_version(&db.url).unwrap(), 0);
    assert_eq!(postgres_migrate(&db.url).unwrap(), POSTGRES_SCHEMA_VERSION);
    assert_eq!(postgres_schema_version(&db.url).unwrap(), POSTGRES_SCHEMA_VERSION);

    let mut c = db.client();
    assert_eq!(
        tables(&mut c),
        [
            "api_tokens",
            "attribution_relays",
            "attributions",
            "claim_links",
            "claim_quantities",
            "claim_tags",
            "claims",
            "evidence",
            "history",
            "history_batch_rows",
            "history_claims",
            "publications",
            "reviews",
            "schema_version",
            "source_aliases",
            "sources",
        ]
    );
    let recorded: Vec<(i64, String)> = c
        .query("SELECT version, name FROM schema_version ORDER BY version", &[])
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(recorded, [(1, "0001_initial".to_string())]);

    // Native types where SQLite has blobs and JSON text; record times are unix nanoseconds as on SQLite.
    let types: Vec<String> = c
        .query(
            "SELECT table_name || '.' || column_name || ' ' || data_type FROM information_schema.columns \
             WHERE table_schema = current_schema() AND (column_name IN ('uuid', 'entity', 'claim', \
             'created_at', 'at', 'status_at', 'revoked_at', 'before', 'after') \
             OR column_name LIKE '%\\_search') \
             ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    for t in &types {
        let ok = t.ends_with(" uuid")
            && (t.contains(".uuid ") || t.contains(".entity ") || t.contains(".claim "))
            || t.ends_with(" bigint")
                && [".created_at ", ".at ", ".status_at ", ".revoked_at "]
                    .iter()
                    .any(|c| t.contains(c))
            || t.ends_with(" json") && t.starts_with("history.")
            || t.ends_with(" tsvector");
        assert!(ok, "unexpected type: {t}");
    }
    assert!(types.contains(&"history.at bigint".to_string()), "{types:?}");
    assert!(
        types.contains(&"api_tokens.revoked_at bigint".to_string()),
        "{types:?}"
    );
    // Every integer is a bigint (the crate reads i64 on both engines). The timestamptz and jsonb columns
    // are the version's time and, for each record time and history value, one generated from it.
    let narrow: Vec<String> = c
        .query(
            "SELECT table_name || '.' || column_name || ' ' || data_type FROM information_schema.columns \
             WHERE table_schema = current_schema() \
               AND (data_type IN ('integer', 'smallint', 'numeric', 'real') \
                    OR (data_type = 'jsonb' OR data_type LIKE 'timestamp%') \
                       AND table_name <> 'schema_version' AND is_generated <> 'ALWAYS') \
             ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(narrow.is_empty(), "{narrow:?}");
    let generated: Vec<String> = c
        .query(
            "SELECT table_name || '.' || column_name || ' ' || data_type FROM information_schema.columns \
             WHERE table_schema = current_schema() AND is_generated = 'ALWAYS' \
               AND column_name NOT LIKE '%\\_search' ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut native: Vec<String> = types
        .iter()
        .filter(|t| t.ends_with(" bigint") || t.ends_with(" json"))
        .map(|t| {
            let (column, ty) = t.rsplit_once(' ').unwrap();
            match ty {
                "bigint" => format!("{column}_tz timestamp with time zone"),
                _ => format!("{column}_jsonb jsonb"),
            }
        })
        .collect();
    native.sort();
    assert_eq!(
        generated, native,
        "one native column generated beside each time and value"
    );
    assert_eq!(native.len(), 14, "{native:?}");
    assert_eq!(
        types.iter().filter(|t| t.ends_with(" tsvector")).count(),
        3,
        "{types:?}"
    );

    // Every foreign key has an index starting with its columns, except history_claims.history_id, whose
    // referenced rows are never deleted or updated (see the schema's comment).
    let unindexed: Vec<String> = c
        .query(
            "SELECT con.conrelid::regclass::text || ' ' || pg_get_constraintdef(con.oid) \
             FROM pg_constraint con \
             WHERE con.contype = 'f' AND con.connamespace = current_schema()::text::regnamespace \
               AND NOT EXISTS ( \
                 SELECT 1 FROM pg_index i WHERE i.indrelid = con.conrelid \
                   AND (i.indkey::int2[])[0:cardinality(con.conkey) - 1] = con.conkey) \
             ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        unindexed,
        ["history_claims FOREIGN KEY (history_id) REFERENCES history(id)"]
    );
}

#[test]
fn reopening_is_a_no_op() {
    let Some(db) = TestDb::new() else { return };
    postgres_migrate(&db.url).unwrap();
    let mut c = db.client();
    let before = catalog(&mut c);
    assert_eq!(postgres_migrate(&db.url).unwrap(), POSTGRES_SCHEMA_VERSION);
    assert_eq!(postgres_migrate(&db.url).unwrap(), POSTGRES_SCHEMA_VERSION);
    assert_eq!(catalog(&mut c), before);
}

#[test]
fn concurrent_first_opens_migrate_once() {
    let Some(db) = TestDb::new() else { return };
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4).map(|_| s.spawn(|| postgres_migrate(&db.url))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for r in results {
        assert_eq!(r.unwrap(), POSTGRES_SCHEMA_VERSION);
    }
    let rows: i64 = db
        .client()
        .query_one("SELECT count(*) FROM schema_version", &[])
        .unwrap()
        .get(0);
    assert_eq!(rows, POSTGRES_SCHEMA_VERSION);
}

#[test]
fn newer_version_is_refused_with_nothing_changed() {
    let Some(db) = TestDb::new() else { return };
    postgres_migrate(&db.url).unwrap();
    let mut c = db.client();
    c.execute(
        "INSERT INTO schema_version (version, name) VALUES (999, 'from the future')",
        &[],
    )
    .unwrap();
    let (_, claim) = source_and_claim(&mut c, "North Korean troops are deployed to Russia");
    let before = catalog(&mut c);

    let err = postgres_migrate(&db.url).unwrap_err();
    assert!(
        matches!(err, Error::SchemaTooNew { found: 999, supported } if supported == POSTGRES_SCHEMA_VERSION),
        "{err:?}"
    );
    assert!(err.to_string().contains("not modified"), "{err}");
    assert_eq!(postgres_schema_version(&db.url).unwrap(), 999);
    assert_eq!(catalog(&mut c), before);
    let text: String = c
        .query_one("SELECT text FROM claims WHERE id = $1", &[&claim])
        .unwrap()
        .get(0);
    assert_eq!(text, "North Korean troops are deployed to Russia");
}

#[test]
fn newer_version_in_an_otherwise_empty_database_creates_nothing() {
    let Some(db) = TestDb::new() else { return };
    let mut c = db.client();
    c.batch_execute(
        "CREATE TABLE schema_version (version integer PRIMARY KEY, name text NOT NULL, \
         applied_at timestamptz NOT NULL DEFAULT now()); \
         INSERT INTO schema_version (version, name) VALUES (2, 'next');",
    )
    .unwrap();
    let before = catalog(&mut c);
    let err = postgres_migrate(&db.url).unwrap_err();
    assert!(matches!(err, Error::SchemaTooNew { found: 2, .. }), "{err:?}");
    assert_eq!(tables(&mut c), ["schema_version"]);
    assert_eq!(catalog(&mut c), before);
}

#[test]
fn a_failing_migration_leaves_the_database_as_it_was() {
    let Some(db) = TestDb::new() else { return };
    let mut c = db.client();
    // A table the schema creates, made beforehand by someone else: migration 1 fails part-way through.
    c.batch_execute("CREATE TABLE reviews (id integer)").unwrap();
    let before = catalog(&mut c);
    let err = postgres_migrate(&db.url).unwrap_err();
    match &err {
        Error::Migration { version: 1, message } => assert!(message.contains("reviews"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(tables(&mut c), ["reviews"]);
    assert_eq!(catalog(&mut c), before);
    assert_eq!(postgres_schema_version(&db.url).unwrap(), 0);
}

#[test]
fn a_database_that_cannot_fold_case_or_hold_every_script_is_refused() {
    let Some(db) = TestDb::new() else { return };
    let mut admin = connect(&db.admin);
    for (suffix, options, expected) in [
        ("c", "ENCODING 'UTF8' LOCALE 'C'", "LC_CTYPE (C)"),
        (
            "ascii",
            "ENCODING 'SQL_ASCII' LOCALE 'C'",
            "needs a UTF8 database",
        ),
    ] {
        let name = format!("{}_{suffix}", db.name);
        // Our own identifiers and options, not user text.
        admin
            .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE template0 {options}"))
            .unwrap();
        let url = with_dbname(&db.admin, &name);
        let result = postgres_migrate(&url);
        let tables_left = tables(&mut connect(&url));
        admin
            .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .unwrap();
        match result {
            Err(Error::Migration { version: 1, message }) => {
                assert!(message.contains(expected), "{message}");
                assert!(message.contains("C.UTF-8"), "the hint says what to do: {message}");
            }
            other => panic!("{suffix}: {other:?}"),
        }
        assert!(tables_left.is_empty(), "{suffix}: {tables_left:?}");
    }
}

/// The history's digests hash the exact bytes of its JSON values, and a desk moved from a file to a
/// server and back must keep its record times to the nanosecond: `json` keeps the text verbatim (jsonb
/// would not), `bigint` keeps nanoseconds (timestamptz would round them to microseconds).
#[test]
fn history_values_and_record_times_come_back_exactly_as_written() {
    let Some(db) = TestDb::new() else { return };
    postgres_migrate(&db.url).unwrap();
    let mut c = db.client();
    // Key order, spacing, a trailing zero, an escaped character and a big integer: all kept.
    let value = r#"{"text":"Kim  said \u00e9", "b": 1.50, "a":[1,2], "n": 12345678901234567890}"#;
    let at: i64 = 1_764_380_000_123_456_789;
    let (stored, stored_at, normalised): (String, i64, String) = c
        .query_one(
            "INSERT INTO history (at, actor, entity_kind, entity, operation, after) \
             VALUES ($1, 'desk', 'claim', $2, 'insert', $3::text::json) \
             RETURNING after::text, at, after::jsonb::text",
            &[&at, &new_uuid(), &value],
        )
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .unwrap();
    assert_eq!(stored, value);
    assert_eq!(stored_at, at);
    // What jsonb would have kept instead (the reason the column is json).
    assert_ne!(normalised, value);
    let (_, claim) = source_and_claim(&mut c, "North Korea deployed more than 10,000 troops");
    c.execute("UPDATE claims SET created_at = $1 WHERE id = $2", &[&at, &claim])
        .unwrap();
    let back: i64 = c
        .query_one("SELECT created_at FROM claims WHERE id = $1", &[&claim])
        .unwrap()
        .get(0);
    assert_eq!(back, at);
}

/// Beside each record time (unix nanoseconds) the server keeps a native `timestamptz`, and beside each
/// history value a `jsonb`, generated from them: reporting SQL and BI tools query those, while the
/// store's own columns keep every nanosecond and every byte.
#[test]
fn native_timestamptz_and_jsonb_columns_follow_what_the_store_writes() {
    use claimtrack::{NewClaim, NewEvidence, NewSource, SourceKind, Stance, Store};
    let Some(db) = TestDb::new() else { return };
    let store = Store::open(&db.url).unwrap();
    let kcna = store
        .add_source(NewSource::new("KCNA", SourceKind::NewsAgency))
        .unwrap();
    let claim = store
        .add_claim(NewClaim::factual("North Korea deployed more than 10,000 troops"))
        .unwrap();
    store
        .add_evidence(claim, NewEvidence::new(kcna, Stance::Supports))
        .unwrap();
    let made = store.claim(claim).unwrap().created_at;
    let mut c = db.client();
    let row = c
        .query_one(
            "SELECT created_at, created_at_tz, \
             extract(epoch FROM created_at_tz)::text FROM claims WHERE uuid = $1",
            &[&claim.as_uuid()],
        )
        .unwrap();
    let ns: i64 = row.get(0);
    assert_eq!(i128::from(ns), made.unix_timestamp_nanos());
    let tz: time::OffsetDateTime = row.get(1);
    // The same instant, to the microsecond, rounded down.
    assert_eq!(tz.unix_timestamp_nanos(), i128::from(ns.div_euclid(1000) * 1000));
    // Reporting SQL in native terms: the claim was made within the last hour, as the server sees it.
    let recent: i64 = c
        .query_one(
            "SELECT count(*) FROM claims WHERE created_at_tz > now() - interval '1 hour'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(recent, 1);
    // Every time column's native twin agrees with it, in every table the store wrote.
    for (table, column) in [
        ("sources", "created_at"),
        ("claims", "created_at"),
        ("evidence", "created_at"),
        ("history", "at"),
    ] {
        // Names from this list, not user text.
        let off: i64 = c
            .query_one(
                &format!(
                    "SELECT count(*) FROM {table} WHERE {column}_tz IS DISTINCT FROM \
                     to_timestamp(0) + ({column} / 1000 - CASE WHEN {column} % 1000 < 0 THEN 1 ELSE 0 END) \
                     * interval '1 microsecond'"
                ),
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(off, 0, "{table}.{column}_tz");
    }
    // The history's values as jsonb: the claim's text and the evidence's stance, by jsonb operators.
    let texts: Vec<String> = c
        .query(
            "SELECT after_jsonb ->> 'text' FROM history WHERE entity_kind = 'claim'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(texts, ["North Korea deployed more than 10,000 troops"]);
    let supporting: i64 = c
        .query_one(
            "SELECT count(*) FROM history WHERE after_jsonb @> '{\"stance\": \"supports\"}'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(supporting, 1);
    let same: bool = c
        .query_one(
            "SELECT bool_and(after_jsonb = after::jsonb AND before_jsonb IS NOT DISTINCT FROM before::jsonb) \
             FROM history",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(same);
    // The store cannot be made to write them: they are the server's.
    let err = c
        .execute(
            "UPDATE claims SET created_at_tz = now() WHERE uuid = $1",
            &[&claim.as_uuid()],
        )
        .unwrap_err();
    assert_eq!(err.code(), Some(&SqlState::GENERATED_ALWAYS));
    // A changed record time moves its twin with it.
    c.execute(
        "UPDATE claims SET created_at = -1500 WHERE uuid = $1",
        &[&claim.as_uuid()],
    )
    .unwrap();
    let moved: String = c
        .query_one(
            "SELECT to_char(created_at_tz AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') FROM claims",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(moved, "1969-12-31 23:59:59.999998");
}

#[test]
fn history_refuses_update_delete_and_truncate() {
    let Some(db) = TestDb::new() else { return };
    postgres_migrate(&db.url).unwrap();
    let mut c = db.client();
    let entity = new_uuid();
    let id: i64 = c
        .query_one(
            "INSERT INTO history (at, actor, entity_kind, entity, operation, after) \
             VALUES (1764380000123456789, 'desk', 'claim', $1, 'insert', '{\"text\": \"x\"}') RETURNING id",
            &[&entity],
        )
        .unwrap()
        .get(0);
    c.execute(
        "INSERT INTO history_claims (history_id, claim) VALUES ($1, $2)",
        &[&id, &entity],
    )
    .unwrap();
    c.execute(
        "INSERT INTO history_batch_rows (entity_kind, first_row, last_row, batch, records, digest) \
         VALUES ('claim', 1, 1, $1, 1, -5)",
        &[&id],
    )
    .unwrap();
    let snapshot = |c: &mut Client| -> String {
        c.query_one(
            "SELECT (SELECT json_agg(h)::text FROM history h) || (SELECT json_agg(h)::text FROM history_claims h) \
             || (SELECT json_agg(h)::text FROM history_batch_rows h)",
            &[],
        )
        .unwrap()
        .get(0)
    };
    let before = snapshot(&mut c);

    for attempt in [
        "UPDATE history SET actor = 'someone else'",
        "DELETE FROM history",
        "TRUNCATE history CASCADE",
        "UPDATE history_claims SET claim = gen_random_uuid()",
        "DELETE FROM history_claims",
        "TRUNCATE history_claims",
        "UPDATE history_batch_rows SET digest = 0",
        "DELETE FROM history_batch_rows",
        "TRUNCATE history_batch_rows",
    ] {
        let e = c.execute(attempt, &[]).expect_err(attempt);
        assert_eq!(
            e.code(),
            Some(&SqlState::INTEGRITY_CONSTRAINT_VIOLATION),
            "{attempt}: {e}"
        );
        let message = e
            .as_db_error()
            .map(|d| d.message().to_string())
            .unwrap_or_default();
        assert!(message.contains("append-only"), "{attempt}: {message}");
    }
    // A replica session skips ordinary triggers; these are ENABLE ALWAYS.
    c.batch_execute("SET session_replication_role = replica").unwrap();
    let e = c.execute("DELETE FROM history_claims", &[]).unwrap_err();
    assert_eq!(e.code(), Some(&SqlState::INTEGRITY_CONSTRAINT_VIOLATION), "{e}");
    c.batch_execute("RESET session_replication_role").unwrap();

    assert_eq!(snapshot(&mut c), before);
    // Appending still works.
    c.execute(
        "INSERT INTO history (at, actor, entity_kind, entity, operation, before, after) \
         VALUES (1764380000123456789, 'desk', 'claim', $1, 'update', '{\"text\": \"x\"}', '{\"text\": \"y\"}')",
        &[&entity],
    )
    .unwrap();
}

#[test]
fn checks_refuse_bad_values() {
    let Some(db) = TestDb::new() else { return };
    postgres_migrate(&db.url).unwrap();
    let mut c = db.client();
    let (source, claim) = source_and_claim(&mut c, "Kim pledged unconditional support");
    let u = new_uuid();

    let refused = [
        c.execute(
            "INSERT INTO sources (uuid, name, name_key, kind, created_at) VALUES ($1, 'x', 'x', 'blog', 1764380000123456789)",
            &[&u],
        ),
        c.execute(
            "INSERT INTO sources (uuid, name, name_key, kind, country, created_at) \
             VALUES ($1, 'x', 'x', 'person', 'Korea', 1764380000123456789)",
            &[&u],
        ),
        c.execute(
            "INSERT INTO sources (uuid, name, name_key, kind, country, created_at) \
             VALUES ($1, 'x', 'x', 'person', 'kp', 1764380000123456789)",
            &[&u],
        ),
        c.execute(
            "INSERT INTO sources (uuid, name, name_key, kind, reliability, created_at) \
             VALUES ($1, 'x', 'x', 'person', 'G', 1764380000123456789)",
            &[&u],
        ),
        c.execute(
            "INSERT INTO sources (uuid, name, name_key, kind, created_at) VALUES ($1, '   ', 'x', 'person', 1764380000123456789)",
            &[&u],
        ),
        c.execute(
            "INSERT INTO claims (uuid, text, kind, created_at) VALUES ($1, 'x', 'rumour', 1764380000123456789)",
            &[&u],
        ),
        c.execute(
            "INSERT INTO evidence (uuid, claim_id, source_id, stance, created_at) \
             VALUES ($1, $2, $3, 'agrees', 1764380000123456789)",
            &[&u, &claim, &source],
        ),
        c.execute(
            "INSERT INTO evidence (uuid, claim_id, source_id, stance, credibility, created_at) \
             VALUES ($1, $2, $3, 'supports', 7, 1764380000123456789)",
            &[&u, &claim, &source],
        ),
        // Superseded without a successor, a reason or a time.
        c.execute(
            "INSERT INTO evidence (uuid, claim_id, source_id, stance, status, created_at) \
             VALUES ($1, $2, $3, 'supports', 'superseded', 1764380000123456789)",
            &[&u, &claim, &source],
        ),
        c.execute(
            "INSERT INTO reviews (uuid, claim_id, verdict, created_at) VALUES ($1, $2, 'pants_on_fire', 1764380000123456789)",
            &[&u, &claim],
        ),
        // Evidence without a source must be the answer to a question; an answer type needs a question.
        c.execute(
            "INSERT INTO evidence (uuid, claim_id, stance, created_at) VALUES ($1, $2, 'supports', 1764380000123456789)",
            &[&u, &claim],
        ),
        c.execute(
            "INSERT INTO evidence (uuid, claim_id, source_id, stance, answer_type, created_at) \
             VALUES ($1, $2, $3, 'supports', 'boolean', 1764380000123456789)",
            &[&u, &claim, &source],
        ),
        c.execute(
            "INSERT INTO evidence (uuid, claim_id, stance, question, answer_type, created_at) \
             VALUES ($1, $2, 'supports', 'How many troops?', 'guess', 1764380000123456789)",
            &[&u, &claim],
        ),
        // A publication needs a title or a link.
        c.execute(
            "INSERT INTO publications (uuid, created_at) VALUES ($1, 1764380000123456789)",
            &[&u],
        ),
        // A rating needs all three numbers.
        c.execute(
            "INSERT INTO reviews (uuid, claim_id, verdict, rating_value, created_at) \
             VALUES ($1, $2, 'false', 1, 1764380000123456789)",
            &[&u, &claim],
        ),
        c.execute(
            "INSERT INTO claim_links (uuid, from_claim, to_claim, kind, created_at) \
             VALUES ($1, $2, $2, 'duplicates', 1764380000123456789)",
            &[&u, &claim],
        ),
        c.execute(
            "INSERT INTO history (at, actor, entity_kind, entity, operation, after) \
             VALUES (1764380000123456789, 'desk', 'claim', $1, 'rewrite', '{}')",
            &[&u],
        ),
        c.execute(
            "INSERT INTO history (at, actor, entity_kind, entity, operation) \
             VALUES (1764380000123456789, 'desk', 'claim', $1, 'insert')",
            &[&u],
        ),
    ];
    let refused_tokens = [
        c.execute(
            "INSERT INTO api_tokens (uuid, name, role, secret_sha256, created_at) VALUES ($2, 'bot', 'owner', $1, 1764380000123456789)",
            &[&vec![7u8; 32], &new_uuid()],
        ),
        c.execute(
            "INSERT INTO api_tokens (uuid, name, role, secret_sha256, created_at) VALUES ($2, 'bot', 'read', $1, 1764380000123456789)",
            &[&vec![7u8; 31], &new_uuid()],
        ),
    ];
    let refused = refused.into_iter().chain(refused_tokens);
    for (i, r) in refused.enumerate() {
        assert_eq!(code(r), SqlState::CHECK_VIOLATION, "statement {i}");
    }
    // json refuses text that is not JSON (SQLite needs a json_valid CHECK for this).
    let e = c
        .execute(
            "INSERT INTO history (at, actor, entity_kind, entity, operation, after) \
             VALUES (1764380000123456789, 'desk', 'claim', $1, 'insert', '{not json')",
            &[&u],
        )
        .unwrap_err();
    assert_eq!(e.code(), Some(&SqlState::INVALID_TEXT_REPRESENTATION), "{e}");

    let counts: i64 = c
        .query_one(
            "SELECT (SELECT count(*) FROM sources) + (SELECT count(*) FROM claims) + \
             (SELECT count(*) FROM evidence) + (SELECT count(*) FROM reviews) + \
             (SELECT count(*) FROM claim_links) + (SELECT count(*) FROM history)",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(counts, 2, "only the source and the claim made first");

    // The same rules accept good values.
    let good = c.execute(
        "INSERT INTO evidence (uuid, claim_id, source_id, stance, credibility, status, status_reason, \
         status_at, created_at) VALUES ($1, $2, $3, 'refutes', 2, 'retracted', 'withdrawn', 1764380000123456789, 1764380000123456789)",
        &[&u, &claim, &source],
    );
    assert_eq!(good.unwrap(), 1);
    let answer = c.execute(
        "INSERT INTO evidence (uuid, claim_id, stance, question, answer_type, excerpt, created_at) \
         VALUES ($1, $2, 'refutes', 'How many troops?', 'extractive', 'about 11,000', 1764380000123456789)",
        &[&new_uuid(), &claim],
    );
    assert_eq!(answer.unwrap(), 1, "an answer found in no source has no source");
}

#[test]
fn foreign_keys_refuse_orphans_and_keep_their_delete_rules() {
    let Some(db) = TestDb::new() else { return };
    postgres_migrate(&db.url).unwrap();
    let mut c = db.client();
    let (source, claim) = source_and_claim(&mut c, "North Korea deployed more than 10,000 troops");
    let missing = claim + 1000;

    let orphan = c.execute(
        "INSERT INTO evidence (uuid, claim_id, source_id, stance, created_at) \
         VALUES ($1, $2, $3, 'supports', 1764380000123456789)",
        &[&new_uuid(), &missing, &source],
    );
    assert_eq!(code(orphan), SqlState::FOREIGN_KEY_VIOLATION);
    let orphan_alias = c.execute(
        "INSERT INTO source_aliases (source_id, position, alias, alias_key) VALUES ($1, 0, 'x', 'x')",
        &[&(source + 1000)],
    );
    assert_eq!(code(orphan_alias), SqlState::FOREIGN_KEY_VIOLATION);

    // ON DELETE RESTRICT: a claim with evidence cannot go.
    c.execute(
        "INSERT INTO evidence (uuid, claim_id, source_id, stance, created_at) \
         VALUES ($1, $2, $3, 'supports', 1764380000123456789)",
        &[&new_uuid(), &claim, &source],
    )
    .unwrap();
    // (PostgreSQL reports a RESTRICT refusal as a foreign key violation too.)
    let e = c
        .execute("DELETE FROM claims WHERE id = $1", &[&claim])
        .unwrap_err();
    assert_eq!(e.code(), Some(&SqlState::FOREIGN_KEY_VIOLATION), "{e}");
    let detail = e
        .as_db_error()
        .and_then(|d| d.detail())
        .unwrap_or_default()
        .to_string();
    assert!(
        detail.contains("is still referenced from table \"evidence\""),
        "{detail}"
    );
    let still: i64 = c
        .query_one("SELECT count(*) FROM claims WHERE id = $1", &[&claim])
        .unwrap()
        .get(0);
    assert_eq!(still, 1);

    // ON DELETE CASCADE: a claim's own tags and figures go with it.
    let lone = self::claim(&mut c, "a claim with tags and figures only");
    c.execute(
        "INSERT INTO claim_tags (claim_id, position, tag) VALUES ($1, 0, 'dprk')",
        &[&lone],
    )
    .unwrap();
    c.execute(
        "INSERT INTO claim_quantities (claim_id, position, value, unit, bound) \
         VALUES ($1, 0, 10000, 'troops', 'more_than')",
        &[&lone],
    )
    .unwrap();
    assert_eq!(
        c.execute("DELETE FROM claims WHERE id = $1", &[&lone]).unwrap(),
        1
    );
    let left: i64 = c
        .query_one(
            "SELECT (SELECT count(*) FROM claim_tags) + (SELECT count(*) FROM claim_quantities)",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(left, 0);
}

#[test]
fn full_text_search_finds_non_english_claims() {
    let Some(db) = TestDb::new() else { return };
    postgres_migrate(&db.url).unwrap();
    let mut c = db.client();
    let (source, _) = source_and_claim(&mut c, "North Korean troops are deployed to Russia");
    let russian = claim(&mut c, "Северная Корея отправила войска в Россию");
    let korean = claim(&mut c, "북한이 러시아에 군대를 파견했다");
    let german = claim(&mut c, "Nordkorea hat über 10.000 Soldaten nach Kursk geschickt");
    let find = |c: &mut Client, words: &str| -> Vec<i64> {
        c.query(
            "SELECT id FROM claims WHERE text_search @@ plainto_tsquery('simple', $1) ORDER BY id",
            &[&words],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
    };
    assert_eq!(find(&mut c, "войска"), [russian]);
    // `simple` lower-cases in every script.
    assert_eq!(find(&mut c, "ВОЙСКА россию"), [russian]);
    assert_eq!(find(&mut c, "러시아에"), [korean]);
    assert_eq!(find(&mut c, "Soldaten über"), [german]);
    assert!(find(&mut c, "troops войска").is_empty(), "all words must match");

    // The GIN index serves the query (with sequential scans off, the plan names it).
    let mut tx = c.transaction().unwrap();
    tx.batch_execute("SET LOCAL enable_seqscan = off").unwrap();
    let plan: Vec<String> = tx
        .query(
            "EXPLAIN SELECT id FROM claims WHERE text_search @@ plainto_tsquery('simple', $1)",
            &[&"войска"],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(plan.iter().any(|l| l.contains("claims_text_search")), "{plan:#?}");
    tx.commit().unwrap();

    // Quotes and excerpts are searchable too; a NULL excerpt has no search document.
    let attribution: i64 = c
        .query_one(
            "INSERT INTO attributions (uuid, claim_id, speaker, mode, quote, created_at) \
             VALUES ($1, $2, $3, 'direct_quote', 'непобедимое боевое братство', 1764380000123456789) RETURNING id",
            &[&new_uuid(), &russian, &source],
        )
        .unwrap()
        .get(0);
    let found: Vec<i64> = c
        .query(
            "SELECT id FROM attributions WHERE quote_search @@ plainto_tsquery('simple', 'братство')",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(found, [attribution]);
    let null_doc: bool = c
        .query_one(
            "INSERT INTO evidence (uuid, claim_id, source_id, stance, created_at) \
             VALUES ($1, $2, $3, 'neutral', 1764380000123456789) RETURNING excerpt_search IS NULL",
            &[&new_uuid(), &korean, &source],
        )
        .unwrap()
        .get(0);
    assert!(null_doc);
    // The search document follows an edited text.
    c.execute(
        "UPDATE claims SET text = 'Pjöngjang bestreitet alles' WHERE id = $1",
        &[&german],
    )
    .unwrap();
    assert!(find(&mut c, "Soldaten").is_empty());
    assert_eq!(find(&mut c, "pjöngjang"), [german]);
}

#[test]
fn bad_connection_strings_are_typed_errors_without_the_password() {
    // No server needed: these fail before or while connecting.
    let err = postgres_migrate("postgres://user@host:notaport/db").unwrap_err();
    assert!(matches!(err, Error::Invalid { field: "url", .. }), "{err:?}");

    let dir = tempfile::tempdir().unwrap();
    let socket_dir = dir.path().to_str().unwrap().replace('/', "%2F");
    let url = format!("postgres://someone:s3cret-pw@{socket_dir}/desk?connect_timeout=2");
    let err = postgres_schema_version(&url).unwrap_err();
    assert!(matches!(err, Error::Database(_)), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("connecting to PostgreSQL"), "{shown}");
    assert!(!shown.contains("s3cret"), "{shown}");
}

/// The contents of the ```sql blocks of a Markdown text, in order.
fn sql_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```sql") => current = Some(String::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// A key=value connection string for `user` (with `password`) on database `db` of the server at `admin`.
fn url_for(admin: &str, user: &str, password: &str, db: &str) -> String {
    let config = Config::from_str(admin).unwrap();
    let host = match &config.get_hosts()[0] {
        postgres::config::Host::Tcp(h) => h.clone(),
        postgres::config::Host::Unix(p) => p.display().to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let quote = |v: &str| format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'"));
    format!(
        "host={} port={port} user={} password={} dbname={}",
        quote(&host),
        quote(user),
        quote(password),
        quote(db)
    )
}

/// Drops the database and roles a test made, whatever happens to the test.
struct DropAfter {
    admin: String,
    statements: Vec<String>,
}

impl Drop for DropAfter {
    fn drop(&mut self) {
        if let Ok(mut c) = Config::from_str(&self.admin).and_then(|c| c.connect(NoTls)) {
            for s in &self.statements {
                let _ = c.batch_execute(s);
            }
        }
    }
}

#[test]
fn roles_of_the_docs_keep_the_history_out_of_the_apps_reach() {
    let Some(admin_url) = server() else { return };
    let blocks = sql_blocks(include_str!("../docs/postgres.md"));
    assert_eq!(
        blocks.len(),
        2,
        "docs/postgres.md: the roles block and the grants block"
    );
    // Roles belong to the whole cluster: names of this run only.
    let tag = format!("{}", std::process::id());
    let (owner, app, db) = (
        format!("claimtrack_owner_{tag}"),
        format!("claimtrack_app_{tag}"),
        format!("claimtrack_desk_{tag}"),
    );
    let ours = |sql: &str| {
        sql.replace("claimtrack_owner", &owner)
            .replace("claimtrack_app", &app)
            .replace("CREATE DATABASE desk ", &format!("CREATE DATABASE {db} "))
    };
    let password = format!("pw-{tag}");
    let _cleanup = DropAfter {
        admin: admin_url.clone(),
        statements: vec![
            format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
            format!("DROP ROLE IF EXISTS {app}"),
            format!("DROP ROLE IF EXISTS {owner}"),
        ],
    };
    let mut admin = connect(&admin_url);
    for s in &_cleanup.statements {
        admin.batch_execute(s).unwrap();
    }
    // One statement at a time: CREATE DATABASE runs outside a transaction.
    let setup = ours(&blocks[0]);
    let statements: Vec<&str> = setup
        .split(';')
        .filter(|s| {
            s.lines()
                .any(|l| !l.trim().is_empty() && !l.trim().starts_with("--"))
        })
        .collect();
    assert_eq!(statements.len(), 3, "{statements:#?}");
    for s in statements {
        admin.batch_execute(s).unwrap_or_else(|e| panic!("{s}: {e}"));
    }
    // Passwords, so that the test also works on a server that asks for them (our own values).
    admin
        .batch_execute(&format!(
            "ALTER ROLE {owner} PASSWORD '{password}'; ALTER ROLE {app} PASSWORD '{password}'"
        ))
        .unwrap();

    let owner_url = url_for(&admin_url, &owner, &password, &db);
    assert_eq!(postgres_migrate(&owner_url).unwrap(), POSTGRES_SCHEMA_VERSION);
    connect(&owner_url).batch_execute(&ours(&blocks[1])).unwrap();

    let app_url = url_for(&admin_url, &app, &password, &db);
    // The application reads the version and (nothing being pending) its migrate is a no-op.
    assert_eq!(postgres_migrate(&app_url).unwrap(), POSTGRES_SCHEMA_VERSION);
    let mut c = connect(&app_url);
    let (_, claim) = source_and_claim(&mut c, "North Korea agreed to dispatch 6,000 engineers to Kursk");
    c.execute("UPDATE claims SET about = '2025-06' WHERE id = $1", &[&claim])
        .unwrap();
    c.execute(
        "INSERT INTO history (at, actor, entity_kind, entity, operation, after) \
         VALUES (1764380000123456789, 'app', 'claim', $1, 'insert', '{}')",
        &[&new_uuid()],
    )
    .unwrap();
    // `claimtrack token add` and `token revoke`.
    c.execute(
        "INSERT INTO api_tokens (uuid, name, role, secret_sha256, created_at) VALUES ($2, 'desk-bot', 'write', $1, 1764380000123456789)",
        &[&vec![1u8; 32], &new_uuid()],
    )
    .unwrap();
    c.execute(
        "UPDATE api_tokens SET revoked_at = 1764380000123456789 WHERE name = 'desk-bot'",
        &[],
    )
    .unwrap();

    for attempt in [
        "UPDATE history SET actor = 'someone else'",
        "DELETE FROM history",
        "TRUNCATE history CASCADE",
        "DELETE FROM history_claims",
        "UPDATE history_batch_rows SET digest = 0",
        "DROP TRIGGER history_append_only ON history",
        "ALTER TABLE history DISABLE TRIGGER history_append_only",
        "ALTER TABLE history DISABLE TRIGGER ALL",
        "DROP FUNCTION history_append_only() CASCADE",
        "CREATE OR REPLACE FUNCTION history_append_only() RETURNS trigger LANGUAGE plpgsql \
         AS $$ BEGIN RETURN OLD; END; $$",
        "SET session_replication_role = replica",
        "INSERT INTO schema_version (version, name) VALUES (2, 'mine')",
        "DROP TABLE history CASCADE",
        "CREATE TABLE app_table (x integer)",
        "DELETE FROM api_tokens",
    ] {
        let e = c.batch_execute(attempt).expect_err(attempt);
        assert_eq!(
            e.code(),
            Some(&SqlState::INSUFFICIENT_PRIVILEGE),
            "{attempt}: {e}"
        );
    }
    let history: i64 = c.query_one("SELECT count(*) FROM history", &[]).unwrap().get(0);
    assert_eq!(history, 1);

    // Why the split matters: the owner can switch the triggers off (here inside a transaction that is
    // rolled back).
    let mut as_owner = connect(&owner_url);
    let mut tx = as_owner.transaction().unwrap();
    tx.batch_execute("ALTER TABLE history DISABLE TRIGGER history_append_only")
        .unwrap();
    tx.rollback().unwrap();
    drop(as_owner);
    drop(c);
}

/// `Store::open` takes a `postgres://` URL: it migrates a new database, reports the version, keeps the
/// session's actor, and opens an up-to-date database again without migrating.
#[test]
fn a_store_opens_on_postgres_with_its_version_and_actor() {
    let Some(db) = TestDb::new() else { return };
    let store = claimtrack::Store::open(&db.url).unwrap();
    assert_eq!(store.schema_version().unwrap(), POSTGRES_SCHEMA_VERSION);
    assert_eq!(store.actor().unwrap(), "unknown");
    store.set_actor("desk:alice").unwrap();
    assert_eq!(store.actor().unwrap(), "desk:alice");
    assert!(matches!(store.set_actor("a\nb"), Err(Error::Invalid { .. })));
    assert_eq!(store.actor().unwrap(), "desk:alice");
    let shown = format!("{store:?}");
    assert!(shown.contains("postgres://"), "{shown}");
    // A second store on the same database: its own actor, the schema left as it is.
    let other =
        claimtrack::Store::open_with(&db.url, &claimtrack::OpenOptions::new().actor("desk:bob")).unwrap();
    assert_eq!(other.actor().unwrap(), "desk:bob");
    assert_eq!(store.actor().unwrap(), "desk:alice");
    assert_eq!(postgres_schema_version(&db.url).unwrap(), POSTGRES_SCHEMA_VERSION);
}

/// A write waits for the database's writer lock at most the busy timeout, then fails with
/// `Error::Busy` (as on SQLite), having written nothing; once the lock is free the same write lands.
#[test]
fn a_write_waits_for_the_writer_lock_at_most_the_busy_timeout() {
    let Some(db) = TestDb::new() else { return };
    let opts = claimtrack::OpenOptions::new().busy_timeout(std::time::Duration::from_millis(200));
    let store = claimtrack::Store::open_with(&db.url, &opts).unwrap();
    let source = claimtrack::Store::open_in_memory().unwrap();
    source
        .add_claim(claimtrack::NewClaim::factual("Troops were deployed"))
        .unwrap();
    // Another session holds the desk's writer lock (the key of src/store/postgres/conn.rs: "ctwr" and
    // the schema's hash).
    let mut holder = db.client();
    let mut tx = holder.transaction().unwrap();
    tx.execute(
        "SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))",
        &[&0x6374_7772_i32],
    )
    .unwrap();
    let e = source.copy_to(&store).unwrap_err();
    assert!(matches!(e, Error::Busy), "{e:?}");
    tx.rollback().unwrap();
    let report = source.copy_to(&store).unwrap();
    assert!(report.rows() >= 2, "{report:?}");
}
