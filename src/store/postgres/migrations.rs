//! Numbered SQL migrations from `schema/postgres/`, applied in order in one transaction and tracked in
//! the `schema_version` table (one row per applied migration; the newest is the version).

use std::error::Error as _;

use postgres::{Client, GenericClient};

use crate::error::{Error, Result};

/// The migrations, in order; migration `i` brings the schema to version `i + 1`.
pub(crate) const MIGRATIONS: &[(&str, &str)] = &[(
    "0001_initial",
    include_str!("../../../schema/postgres/0001_initial.sql"),
)];

/// The PostgreSQL schema version this library writes: a fresh database reports it after
/// [`postgres_migrate`](crate::postgres_migrate), older ones are migrated to it, newer ones refused.
pub const POSTGRES_SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Key of the transaction-scoped advisory lock that serialises migrations of one database ("claimtrk").
const MIGRATION_LOCK: i64 = 0x636c_6169_6d74_726b;

/// The database's schema version: the newest row of `schema_version`, or 0 when there is no such table.
///
/// The table is looked for in the current schema only (the first schema of the search path that exists,
/// where the migrations create their tables), as `check` does: `to_regclass` follows the whole search
/// path, so another desk further along it (in `public`, say) was taken for this one's.
pub(crate) fn schema_version(client: &mut impl GenericClient) -> Result<i64> {
    let exists: bool = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables \
             WHERE schemaname = current_schema() AND tablename = 'schema_version')",
            &[],
        )?
        .get(0);
    if !exists {
        return Ok(0);
    }
    Ok(client
        .query_one(
            "SELECT coalesce(max(version), 0)::bigint FROM schema_version",
            &[],
        )?
        .get(0))
}

/// Applies every pending migration of this library; see [`apply`].
pub(crate) fn migrate(client: &mut Client) -> Result<i64> {
    apply(client, MIGRATIONS)
}

/// Applies the pending ones of `migrations` in one transaction and returns the version reached.
///
/// The version is read after taking an advisory lock held until the transaction ends, so a second
/// process migrating the same database at once waits and then finds nothing to do. A version beyond
/// `migrations` is refused before anything is written (and the transaction, which wrote nothing, is rolled
/// back); a failing migration rolls every one of them back, the database stays at its previous version.
fn apply(client: &mut Client, migrations: &[(&str, &str)]) -> Result<i64> {
    let supported = i64::try_from(migrations.len()).unwrap_or(i64::MAX);
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    let current = schema_version(&mut tx)?;
    if current > supported {
        return Err(Error::SchemaTooNew {
            found: current,
            supported,
        });
    }
    if current == supported {
        return Ok(current);
    }
    let pending = migrations
        .iter()
        .enumerate()
        .skip(usize::try_from(current).unwrap_or(0));
    for (i, (name, sql)) in pending {
        let version = i64::try_from(i + 1).map_err(|_| Error::Migration {
            version: i64::MAX,
            message: "too many migrations".into(),
        })?;
        tx.batch_execute(sql).map_err(|e| Error::Migration {
            version,
            message: message(&e),
        })?;
        tx.execute(
            "INSERT INTO schema_version (version, name) VALUES ($1, $2)",
            &[&version, name],
        )
        .map_err(|e| Error::Migration {
            version,
            message: format!("recording the version: {}", message(&e)),
        })?;
    }
    tx.commit()?;
    Ok(supported)
}

/// The client's message with its causes (the crate's `Display` says only "db error"; the server's words
/// are in the source).
pub(crate) fn message(e: &postgres::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

#[cfg(test)]
mod tests {
    //! The runner with test-only migrations after 0001. Needs a server (`CLAIMTRACK_TEST_PG`, see
    //! tests/postgres_schema.rs); skipped without one, a failure under `CI=true`.

    use std::str::FromStr;

    use postgres::{Config, NoTls};

    use super::*;

    /// A fresh database named `name` on the test server and a client for it; the caller drops it.
    fn fresh(name: &str) -> Option<(Client, Client)> {
        let url = crate::store::postgres::test_server(name)?;
        let name = format!("{name}_{}", std::process::id());
        let mut admin = Config::from_str(&url).unwrap().connect(NoTls).unwrap();
        // Our own identifier, not user text.
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .unwrap();
        admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        let mut config = Config::from_str(&url).unwrap();
        config.dbname(&name);
        Some((admin, config.connect(NoTls).unwrap()))
    }

    fn drop_db(mut admin: Client, client: Client, name: &str) {
        drop(client);
        let name = format!("{name}_{}", std::process::id());
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .unwrap();
    }

    const NEXT: (&str, &str) = ("0002_test_note", "ALTER TABLE claims ADD COLUMN test_note text;");

    #[test]
    fn a_later_migration_applies_on_top_of_0001() {
        let name = "claimtrack_unit_later";
        let Some((admin, mut c)) = fresh(name) else { return };
        assert_eq!(migrate(&mut c).unwrap(), POSTGRES_SCHEMA_VERSION);
        c.execute(
            "INSERT INTO claims (uuid, text, kind, created_at) VALUES ($1, 'kept', 'factual', 0)",
            &[&uuid::Uuid::now_v7()],
        )
        .unwrap();
        assert_eq!(apply(&mut c, &[MIGRATIONS[0], NEXT]).unwrap(), 2);
        assert_eq!(schema_version(&mut c).unwrap(), 2);
        let row = c.query_one("SELECT text, test_note FROM claims", &[]).unwrap();
        assert_eq!(row.get::<_, String>(0), "kept");
        assert_eq!(row.get::<_, Option<String>>(1), None);
        // This library (one migration) now refuses the database, untouched.
        let err = migrate(&mut c).unwrap_err();
        assert!(
            matches!(
                err,
                Error::SchemaTooNew {
                    found: 2,
                    supported: 1
                }
            ),
            "{err:?}"
        );
        assert_eq!(schema_version(&mut c).unwrap(), 2);
        drop_db(admin, c, name);
    }

    #[test]
    fn a_failing_later_migration_rolls_back_every_pending_one() {
        let name = "claimtrack_unit_broken";
        let Some((admin, mut c)) = fresh(name) else { return };
        let broken = ("0003_broken", "CREATE TABLE extra (x integer); SELECT 1 / 0;");
        // From an empty database: 0001 and 0002 succeed, 0003 fails, and none of them stays.
        let err = apply(&mut c, &[MIGRATIONS[0], NEXT, broken]).unwrap_err();
        match err {
            Error::Migration { version: 3, message } => {
                assert!(message.contains("division by zero"), "{message}")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(schema_version(&mut c).unwrap(), 0);
        let tables: i64 = c
            .query_one(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(tables, 0);
        drop_db(admin, c, name);
    }
}

#[cfg(test)]
mod in_step {
    //! The PostgreSQL schema keeps every table and column of the SQLite schema. No server needed: the
    //! SQLite side is read from a database made from `schema/*.sql`, the PostgreSQL side from the text
    //! of `schema/postgres/*.sql` (one column per line, as the file is written).

    use std::collections::BTreeMap;
    use std::path::Path;

    /// Tables only PostgreSQL has: its version table (SQLite uses `PRAGMA user_version`).
    const ONLY_POSTGRES_TABLES: &[&str] = &["schema_version"];

    /// Tables only SQLite has: the exact-repeat lookup's pairs, which a batch writes in hash order
    /// (PostgreSQL indexes `claims.text_key_hash` instead; schema/0001_initial.sql says why).
    const ONLY_SQLITE_TABLES: &[&str] = &["claim_text_keys"];

    fn sql_files(dir: &Path) -> Vec<String> {
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "sql"))
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    }

    /// `table.column` -> declared type, of a database made from `schema/*.sql`.
    fn sqlite_columns(root: &Path) -> BTreeMap<String, String> {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for sql in sql_files(&root.join("schema")) {
            conn.execute_batch(&sql).unwrap();
        }
        let mut stmt = conn
            .prepare(
                "SELECT t.name, c.name, c.type FROM sqlite_schema t, pragma_table_info(t.name) c \
                 WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite_%' \
                   AND NOT EXISTS (SELECT 1 FROM sqlite_schema v WHERE v.sql LIKE 'CREATE VIRTUAL TABLE%' \
                                   AND (t.name = v.name OR t.name LIKE v.name || '\\_%' ESCAPE '\\'))",
            )
            .unwrap();
        stmt.query_map([], |r| {
            Ok((
                format!("{}.{}", r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                r.get::<_, String>(2)?,
            ))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
    }

    /// `table.column` -> type, read from the text of `schema/postgres/*.sql`.
    fn postgres_columns(root: &Path) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for sql in sql_files(&root.join("schema/postgres")) {
            let mut table: Option<String> = None;
            for line in sql.lines() {
                let line = line.trim();
                if let Some(rest) = line.strip_prefix("CREATE TABLE ") {
                    table = rest.split_whitespace().next().map(str::to_string);
                } else if line.starts_with(");") {
                    table = None;
                } else if let Some(t) = &table {
                    let mut words = line.split_whitespace();
                    let word = words.next().unwrap_or("");
                    let constraint = ["CHECK", "CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "--"]
                        .iter()
                        .any(|k| word.starts_with(k));
                    let continuation = line.starts_with('(') || line.starts_with('\'') || word.is_empty();
                    if !constraint
                        && !continuation
                        && word
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                    {
                        let ty = match words.next().unwrap_or("").trim_end_matches(',') {
                            "double" => "double precision".to_string(),
                            other => other.to_string(),
                        };
                        out.insert(format!("{t}.{word}"), ty);
                    }
                }
            }
        }
        out
    }

    /// The PostgreSQL types a column of SQLite's declared type may have (docs/postgres.md): integers
    /// (keys, counts, unix-nanosecond times) are `bigint`, reals `double precision`, 16-byte ids `uuid`,
    /// other blobs `bytea`, text `text`, and the history's JSON values `json` (kept byte for byte).
    fn expected_postgres_type(column: &str, sqlite_type: &str) -> &'static [&'static str] {
        match sqlite_type {
            "INTEGER" => &["bigint"],
            "REAL" => &["double precision"],
            "BLOB" if column == "api_tokens.secret_sha256" => &["bytea"],
            "BLOB" => &["uuid"],
            "TEXT" if column == "history.before" || column == "history.after" => &["json"],
            "TEXT" => &["text"],
            _ => &[],
        }
    }

    #[test]
    fn postgres_schema_has_every_table_and_column_of_the_sqlite_schema() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let sqlite = sqlite_columns(root);
        let postgres = postgres_columns(root);
        // Sanity: both sides were read.
        assert!(sqlite.contains_key("claims.text") && postgres.contains_key("claims.text"));
        assert!(postgres.contains_key("evidence.excerpt_search") && postgres.contains_key("history.before"));
        assert!(
            postgres.contains_key("api_tokens.secret_sha256"),
            "names with digits are read too"
        );
        assert_eq!(postgres["claim_quantities.value"], "double precision");
        let missing: Vec<&String> = sqlite
            .keys()
            .filter(|c| !postgres.contains_key(*c))
            .filter(|c| !ONLY_SQLITE_TABLES.iter().any(|t| c.starts_with(&format!("{t}."))))
            .collect();
        let extra: Vec<&String> = postgres
            .keys()
            .filter(|c| !sqlite.contains_key(*c))
            .filter(|c| !c.ends_with("_search"))
            // The native twins the server generates beside a record time (`created_at_tz`) or a
            // history value (`after_jsonb`); the store never writes them.
            .filter(|c| {
                let twin = |suffix: &str, ty: &str| {
                    c.strip_suffix(suffix)
                        .is_some_and(|base| sqlite.contains_key(base) && postgres[*c] == ty)
                };
                !(twin("_tz", "timestamptz") || twin("_jsonb", "jsonb"))
            })
            .filter(|c| {
                !ONLY_POSTGRES_TABLES
                    .iter()
                    .any(|t| c.starts_with(&format!("{t}.")))
            })
            .collect();
        let mistyped: Vec<String> = sqlite
            .iter()
            .filter_map(|(c, t)| {
                let pg = postgres.get(c)?;
                let allowed = expected_postgres_type(c, t);
                (!allowed.contains(&pg.as_str())).then(|| {
                    format!(
                        "{c}: SQLite {t}, PostgreSQL {pg} (expected {})",
                        allowed.join(" or ")
                    )
                })
            })
            .collect();
        let search_types: Vec<&String> = postgres
            .iter()
            .filter(|(c, t)| c.ends_with("_search") && t.as_str() != "tsvector")
            .map(|(c, _)| c)
            .collect();
        assert!(
            missing.is_empty() && extra.is_empty() && mistyped.is_empty() && search_types.is_empty(),
            "schema/postgres/0001_initial.sql is out of step with schema/*.sql: missing in PostgreSQL \
             {missing:?}, only in PostgreSQL {extra:?}, of another type {mistyped:?} {search_types:?}. Make \
             the same change there, in PostgreSQL's types \
             (docs/postgres.md; `tests/postgres_schema.rs` checks it against a server)."
        );
    }
}
