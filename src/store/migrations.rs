//! Numbered SQL migrations from `schema/`, applied in order and tracked by `PRAGMA user_version`.

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::error::{Error, Result};

/// The migrations, in order; migration `i` brings the schema to version `i + 1`.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_initial", include_str!("../../schema/0001_initial.sql")),
    ("0002_search", include_str!("../../schema/0002_search.sql")),
    ("0003_history", include_str!("../../schema/0003_history.sql")),
    (
        "0004_compact_import",
        include_str!("../../schema/0004_compact_import.sql"),
    ),
    ("0005_summary", include_str!("../../schema/0005_summary.sql")),
    (
        "0006_bulk_history",
        include_str!("../../schema/0006_bulk_history.sql"),
    ),
];

/// The migration that creates the history; when it is applied to a database that already holds records,
/// each gets a `baseline` history entry (in the same transaction) once every migration has run.
const HISTORY_MIGRATION: &str = "0003_history";

/// The schema version this library writes: a fresh database reports it, older ones are migrated to it.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(crate) fn user_version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

pub(crate) fn refuse_too_new(found: i64) -> Result<()> {
    if found > SCHEMA_VERSION {
        Err(Error::SchemaTooNew {
            found,
            supported: SCHEMA_VERSION,
        })
    } else {
        Ok(())
    }
}

/// Refuses to migrate a database that fails SQLite's `quick_check`: writing a new schema into a damaged
/// file could make it worse. Runs only when a migration is pending on a non-empty database.
fn refuse_damaged(conn: &Connection) -> Result<()> {
    if user_version(conn)? == 0 {
        return Ok(());
    }
    let problems: Vec<String> = conn
        .prepare("PRAGMA quick_check")?
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<_>>()?;
    if problems.iter().all(|p| p == "ok") {
        return Ok(());
    }
    Err(Error::Corrupt {
        path: String::new(),
        message: format!(
            "refusing to upgrade a damaged database: {}",
            problems.into_iter().take(3).collect::<Vec<_>>().join("; ")
        ),
    })
}

/// Applies every pending migration in one IMMEDIATE transaction (all or none), re-reading the version
/// inside it so two processes opening a new file at once do not both migrate.
pub(crate) fn migrate(conn: &Connection) -> Result<()> {
    if user_version(conn)? == SCHEMA_VERSION {
        return Ok(());
    }
    refuse_damaged(conn)?;
    // SQLite's procedure for rebuilding a table (0004, 0006): foreign keys off while the schema
    // changes (the pragma is a no-op inside a transaction, so it is set around it), every key checked
    // before the commit, and the setting restored whatever happens.
    let enforced: bool = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let applied = apply(conn);
    conn.pragma_update(None, "foreign_keys", enforced)?;
    applied
}

/// Applies the pending migrations in one IMMEDIATE transaction; see [`migrate`].
fn apply(conn: &Connection) -> Result<()> {
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let current = user_version(&tx)?;
    refuse_too_new(current)?;
    let mut baseline = false;
    for (i, (name, sql)) in MIGRATIONS.iter().enumerate().skip(current.max(0) as usize) {
        baseline |= *name == HISTORY_MIGRATION;
        let version = i as i64 + 1;
        tx.execute_batch(sql).map_err(|e| Error::Migration {
            version,
            message: e.to_string(),
        })?;
        // PRAGMA takes no bound parameters; `version` is our own integer, never user text.
        tx.execute_batch(&format!("PRAGMA user_version = {version}"))?;
    }
    if baseline {
        super::history::baseline(&tx).map_err(|e| Error::Migration {
            version: SCHEMA_VERSION,
            message: format!("recording the history baseline: {e}"),
        })?;
    }
    let dangling: i64 = tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))?;
    if dangling > 0 {
        return Err(Error::Migration {
            version: SCHEMA_VERSION,
            message: format!("{dangling} foreign keys would point at no row"),
        });
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_applies_to_an_empty_database() {
        for upto in 1..=MIGRATIONS.len() {
            let conn = Connection::open_in_memory().unwrap();
            conn.pragma_update(None, "foreign_keys", "ON").unwrap();
            for (_, sql) in &MIGRATIONS[..upto] {
                conn.execute_batch(sql).unwrap();
            }
            let problems: i64 = conn
                .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))
                .unwrap();
            assert_eq!(problems, 0);
        }
    }

    #[test]
    fn fresh_database_reports_newest_version() {
        let conn = Connection::open_in_memory().unwrap();
        migrate(&conn).unwrap();
        assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION);
        // Running again is a no-op.
        migrate(&conn).unwrap();
        assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn newer_database_is_refused_untouched() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("PRAGMA user_version = 999").unwrap();
        let err = migrate(&conn).unwrap_err();
        assert!(matches!(err, Error::SchemaTooNew { found: 999, .. }), "{err}");
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
            .unwrap();
        assert_eq!(tables, 0);
    }
}
