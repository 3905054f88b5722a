//! Numbered SQL migrations from `schema/postgres/`, applied in order in one transaction and tracked in
//! the `schema_version` table (one row per applied migration; the newest is the version).

use postgres::{Client, GenericClient};

use crate::error::{Error, Result};

/// The migrations, in order; migration `i` brings the schema to version `i + 1`.
const MIGRATIONS: &[(&str, &str)] = &[(
    "0001_initial",
    include_str!("../../../schema/postgres/0001_initial.sql"),
)];

/// The PostgreSQL schema version this library writes: a fresh database reports it after
/// [`postgres_migrate`](crate::postgres_migrate), older ones are migrated to it, newer ones refused.
pub const POSTGRES_SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Key of the transaction-scoped advisory lock that serialises migrations of one database ("claimtrk").
const MIGRATION_LOCK: i64 = 0x636c_6169_6d74_726b;

/// The database's schema version: the newest row of `schema_version`, or 0 when there is no such table.
pub(crate) fn schema_version(client: &mut impl GenericClient) -> Result<i64> {
    let exists: bool = client
        .query_one("SELECT to_regclass('schema_version') IS NOT NULL", &[])?
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
        let version = i32::try_from(i + 1).map_err(|_| Error::Migration {
            version: i64::MAX,
            message: "too many migrations".into(),
        })?;
        tx.batch_execute(sql).map_err(|e| Error::Migration {
            version: i64::from(version),
            message: super::message(&e),
        })?;
        tx.execute(
            "INSERT INTO schema_version (version, name) VALUES ($1, $2)",
            &[&version, name],
        )
        .map_err(|e| Error::Migration {
            version: i64::from(version),
            message: format!("recording the version: {}", super::message(&e)),
        })?;
    }
    tx.commit()?;
    Ok(supported)
}

#[cfg(test)]
mod tests {
    //! The runner with test-only migrations after 0001. Needs a server (`CLAIMTRACK_TEST_PG`, see
    //! tests/postgres_schema.rs); skipped without one, a failure under `CI=true`.

    use std::io::Write as _;
    use std::str::FromStr;

    use postgres::{Config, NoTls};

    use super::*;

    /// A fresh database named `name` on the test server and a client for it; the caller drops it.
    fn fresh(name: &str) -> Option<(Client, Client)> {
        let Ok(url) = std::env::var("CLAIMTRACK_TEST_PG") else {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
            assert!(!ci, "CI=true but CLAIMTRACK_TEST_PG is not set");
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {name}: needs CLAIMTRACK_TEST_PG (eval \"$(scripts/pg-test-server start)\")"
            );
            return None;
        };
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
            "INSERT INTO claims (uuid, text, kind, created_at) VALUES ($1, 'kept', 'factual', now())",
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
