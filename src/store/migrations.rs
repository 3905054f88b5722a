//! Numbered SQL migrations from `schema/`, applied in order and tracked by `PRAGMA user_version`.

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::error::{Error, Result};

/// The migrations, in order; migration `i` brings the schema to version `i + 1`.
///
/// Before the first release the schema is one file that reads top to bottom; changes after a release are
/// small, additive migrations appended here (never edits of a released one).
const MIGRATIONS: &[(&str, &str)] = &[("0001_initial", include_str!("../../schema/0001_initial.sql"))];

/// The schema version this library writes: a fresh database reports it, older ones are migrated to it.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// `PRAGMA application_id` of a claimtrack database ("ClTk"), set by `schema/0001_initial.sql`.
pub(crate) const APPLICATION_ID: i64 = 0x436C_546B;

pub(crate) fn user_version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

pub(crate) fn refuse_too_new(found: i64) -> Result<()> {
    refuse_newer_than(found, SCHEMA_VERSION)
}

fn refuse_newer_than(found: i64, supported: i64) -> Result<()> {
    if found > supported {
        Err(Error::SchemaTooNew { found, supported })
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
    migrate_with(conn, MIGRATIONS)
}

/// [`migrate`] with a given list of migrations (tests append a later one to [`MIGRATIONS`]).
fn migrate_with(conn: &Connection, migrations: &[(&str, &str)]) -> Result<()> {
    let newest = migrations.len() as i64;
    if user_version(conn)? == newest {
        return Ok(());
    }
    refuse_damaged(conn)?;
    // SQLite's procedure for rebuilding a table, which a later migration may need (SQLite cannot alter a
    // CHECK): foreign keys off while the schema changes (the pragma is a no-op inside a transaction, so it
    // is set around it), every key checked before the commit, and the setting restored whatever happens.
    let enforced: bool = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let applied = apply(conn, migrations);
    conn.pragma_update(None, "foreign_keys", enforced)?;
    applied
}

/// Applies the pending migrations in one IMMEDIATE transaction; see [`migrate`].
fn apply(conn: &Connection, migrations: &[(&str, &str)]) -> Result<()> {
    let newest = migrations.len() as i64;
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let current = user_version(&tx)?;
    refuse_newer_than(current, newest)?;
    for (i, (_, sql)) in migrations.iter().enumerate().skip(current.max(0) as usize) {
        let version = i as i64 + 1;
        tx.execute_batch(sql).map_err(|e| Error::Migration {
            version,
            // SQLite's error for a batch quotes the statement; a schema file is kilobytes of SQL.
            message: crate::model::text::shorten(e.to_string().lines().next().unwrap_or_default(), 200),
        })?;
        // PRAGMA takes no bound parameters; `version` is our own integer, never user text.
        tx.execute_batch(&format!("PRAGMA user_version = {version}"))?;
    }
    let dangling: i64 = tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))?;
    if dangling > 0 {
        return Err(Error::Migration {
            version: newest,
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

    /// A later migration, as the first one after a release would be: additive, on a file 0001 wrote.
    const LATER: (&str, &str) = (
        "0002_test_note",
        "ALTER TABLE claims ADD COLUMN note TEXT; CREATE INDEX claims_note ON claims (note) WHERE note IS NOT NULL;",
    );

    #[test]
    fn a_later_migration_applies_on_top_of_a_file_written_by_0001() {
        use crate::{NewClaim, NewEvidence, NewSource, SourceKind, Stance, Store};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.db");
        let store = Store::open(&path).unwrap();
        let src = store
            .add_source(NewSource::new("Agency", SourceKind::NewsAgency))
            .unwrap();
        let claim = store.add_claim(NewClaim::factual("Written by 0001")).unwrap();
        store
            .add_evidence(
                claim,
                NewEvidence::new(src, Stance::Supports).excerpt("an excerpt"),
            )
            .unwrap();
        drop(store);

        let mut later = MIGRATIONS.to_vec();
        later.push(LATER);
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        migrate_with(&conn, &later).unwrap();
        assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION + 1);
        let (text, note): (String, Option<String>) = conn
            .query_row("SELECT text, note FROM claims", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((text.as_str(), note), ("Written by 0001", None));
        let fk_on: bool = conn
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert!(fk_on, "the foreign-key setting is restored after migrating");
        // Applying the same list again is a no-op.
        migrate_with(&conn, &later).unwrap();
        assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION + 1);
        drop(conn);

        // This library (which knows only 0001) refuses the migrated file and leaves it as it is.
        let before = std::fs::read(&path).unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(
            matches!(err, Error::SchemaTooNew { found, supported } if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION),
            "{err}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn a_failing_later_migration_leaves_the_file_as_0001_wrote_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.db");
        drop(crate::Store::open(&path).unwrap());
        let mut later = MIGRATIONS.to_vec();
        later.push(LATER);
        later.push(("0003_broken", "ALTER TABLE no_such_table ADD COLUMN x TEXT;"));
        let conn = Connection::open(&path).unwrap();
        let err = migrate_with(&conn, &later).unwrap_err();
        assert!(matches!(err, Error::Migration { version: 3, .. }), "{err}");
        assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION);
        let note_columns: i64 = conn
            .query_row(
                "SELECT count(*) FROM pragma_table_info('claims') WHERE name = 'note'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(note_columns, 0, "migration 2 rolled back with 3");
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
