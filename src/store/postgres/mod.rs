//! PostgreSQL (feature `postgres`): what the second engine under [`Store`](crate::Store) needs of its own.
//!
//! The store's logic is written once, over the [`Db`](crate::store::db::Db) seam, in SQLite's spelling;
//! a store opened on a `postgres://` URL runs that same code here. This folder holds only what differs:
//! - this file: connecting (`connect`, and `shown`, the URL without its password for messages), opening
//!   a store's session (`open`: the schema version checked or migrated, the per-connection TEMP tables
//!   of the actor and of the open batch, read-only mode, the lock timeout that stands for SQLite's busy
//!   timeout), and the public [`postgres_migrate`] and [`postgres_schema_version`];
//! - `conn.rs`: a store's connection: write transactions under the desk's writer lock, REPEATABLE READ
//!   read transactions, retries, the statement cache (`?N` rewritten to `$N` once per statement);
//! - `types.rs`: how model values are bound and read (the counterpart of `store/convert.rs`);
//! - `migrations.rs`: the numbered migrations of `schema/postgres/`, applied in one transaction;
//! - `copy/`: bulk loads, a batch's INSERTs sent as binary `COPY` rows;
//! - `check.rs` and `expected.rs`: `Store::check` on PostgreSQL, against what the migrations create.
//!
//! docs/postgres.md describes the backend for users. As everywhere in `store/`, every statement takes
//! bound parameters (the lock timeout, a number of ours, is the one value formatted into a statement).

pub(crate) mod check;
mod conn;
mod copy;
mod expected;
mod migrations;
mod types;

pub(crate) use conn::PgConn;
use migrations::message;
pub(crate) use migrations::schema_version;

use std::str::FromStr;
use std::time::Duration;

use postgres::{Client, Config, NoTls};

use crate::error::{DatabaseError, Error, Result};

pub use migrations::POSTGRES_SCHEMA_VERSION;

/// How long connecting may take when the URL does not say (`connect_timeout=`): a wrong host should
/// fail in seconds, not hang a command.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Creates the claimtrack schema in the PostgreSQL database at `url`, or brings it up to
/// [`POSTGRES_SCHEMA_VERSION`], and returns the version the database is now at.
///
/// Every pending migration runs in one transaction (all or none), under a lock that makes concurrent
/// callers on the same database wait and then find nothing left to do. A database written by a newer
/// claimtrack is refused with [`Error::SchemaTooNew`] and left exactly as it was. `url` is a PostgreSQL
/// connection string (`postgres://user@host/db`, a Unix socket folder as `host=` or `%2F`-encoded host,
/// or libpq `key=value` pairs).
///
/// Run it as the role that is to own the tables and the history's triggers, not as the role the
/// application writes with (docs/postgres.md).
///
/// # Example
///
/// ```no_run
/// // Needs a server; `scripts/pg-test-server start` makes a throwaway one.
/// let version = claimtrack::postgres_migrate("postgres://claimtrack_owner@localhost/desk")?;
/// assert_eq!(version, claimtrack::POSTGRES_SCHEMA_VERSION);
/// # Ok::<(), claimtrack::Error>(())
/// ```
pub fn postgres_migrate(url: &str) -> Result<i64> {
    let mut client = connect(url)?;
    migrations::migrate(&mut client)
}

/// The claimtrack schema version of the PostgreSQL database at `url`, without writing anything: `0` for a
/// database that holds no claimtrack schema, [`POSTGRES_SCHEMA_VERSION`] for one that is up to date, more
/// for one written by a newer claimtrack.
///
/// # Example
///
/// ```no_run
/// let url = "postgres://claimtrack_app@localhost/desk";
/// if claimtrack::postgres_schema_version(url)? < claimtrack::POSTGRES_SCHEMA_VERSION {
///     eprintln!("the desk needs `postgres_migrate` (run as the schema's owner)");
/// }
/// # Ok::<(), claimtrack::Error>(())
/// ```
pub fn postgres_schema_version(url: &str) -> Result<i64> {
    let mut client = connect(url)?;
    migrations::schema_version(&mut client)
}

/// Opens a connection to `url` (no TLS yet: a Unix socket or a trusted network).
pub(crate) fn connect(url: &str) -> Result<Client> {
    // The parser's own message never repeats the string, so a password in it does not leak into errors.
    let mut config = Config::from_str(url).map_err(|e| {
        Error::invalid(
            "url",
            format!("not a PostgreSQL connection string: {}", message(&e)),
        )
    })?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    if config.get_application_name().is_none() {
        config.application_name("claimtrack");
    }
    config.connect(NoTls).map_err(|e| {
        Error::Database(DatabaseError {
            message: format!("connecting to PostgreSQL: {}", message(&e)),
            source: Some(Box::new(e)),
        })
    })
}

/// The URL without its password, for messages and `Debug`.
pub(crate) fn shown(url: &str) -> String {
    match Config::from_str(url) {
        Ok(c) => {
            let hosts: Vec<String> = c
                .get_hosts()
                .iter()
                .map(|h| match h {
                    postgres::config::Host::Tcp(h) => h.clone(),
                    postgres::config::Host::Unix(p) => p.display().to_string(),
                })
                .collect();
            format!(
                "postgres://{}@{}/{}",
                c.get_user().unwrap_or(""),
                hosts.join(","),
                c.get_dbname().unwrap_or("")
            )
        }
        Err(_) => "postgres://…".into(),
    }
}

/// Connects to `url`, creates or upgrades the schema, and readies the session (the actor slot and the
/// open-batch table, both TEMP tables).
pub(crate) fn open(url: &str, read_only: bool, busy_timeout: Duration) -> Result<PgConn> {
    let mut client = connect(url)?;
    let version = migrations::schema_version(&mut client)?;
    if version > POSTGRES_SCHEMA_VERSION {
        return Err(Error::SchemaTooNew {
            found: version,
            supported: POSTGRES_SCHEMA_VERSION,
        });
    }
    if version < POSTGRES_SCHEMA_VERSION {
        if read_only {
            let message = if version == 0 {
                // As SQLite's "no database at …": say what to run, not what the version table says.
                "no claimtrack schema here yet (opened read-only, nothing is created); create it once with \
                 claimtrack init, or Store::open"
                    .to_string()
            } else {
                format!(
                    "the database is at schema version {version} and needs migrating, which a read-only \
                     open cannot do; open it for writing once (claimtrack init)"
                )
            };
            return Err(Error::Migration {
                version: POSTGRES_SCHEMA_VERSION,
                message,
            });
        }
        migrations::migrate(&mut client)?;
    }
    client.batch_execute(
        "CREATE TEMP TABLE IF NOT EXISTS claimtrack_actor (name text NOT NULL); \
         DELETE FROM claimtrack_actor; \
         CREATE TEMP TABLE IF NOT EXISTS claimtrack_open_batch (entity_kind text NOT NULL, \
             first_row bigint NOT NULL, batch bigint NOT NULL); \
         DELETE FROM claimtrack_open_batch;",
    )?;
    client.execute(
        "INSERT INTO claimtrack_actor (name) VALUES ($1)",
        &[&crate::model::history::DEFAULT_ACTOR],
    )?;
    if read_only {
        client.batch_execute("SET default_transaction_read_only = on")?;
    }
    // A write waits for the writer lock (and any row lock) at most the busy timeout, then fails with
    // Error::Busy, as on SQLite. A whole number of milliseconds, formatted by us, not user text.
    let ms = busy_timeout.as_millis().clamp(1, i32::MAX as u128);
    client.batch_execute(&format!("SET lock_timeout = {ms}"))?;
    Ok(PgConn::new(client, shown(url)))
}

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Self {
        use postgres::error::SqlState;
        // A write that lost a race to a concurrent one, or a deadlock: the transaction was rolled back
        // and may be tried again (`PgConn::transaction` does, a bounded number of times).
        if let Some(code) = e.code()
            && (*code == SqlState::T_R_SERIALIZATION_FAILURE
                || *code == SqlState::T_R_DEADLOCK_DETECTED
                || *code == SqlState::LOCK_NOT_AVAILABLE)
        {
            return Error::Busy;
        }
        // Text PostgreSQL cannot hold (a NUL character) that reached a statement past the guards of the
        // lookups: the caller's input, not the database, is wrong; SQLite stores or finds nothing either.
        if e.code() == Some(&SqlState::CHARACTER_NOT_IN_REPERTOIRE) {
            return Error::Invalid {
                field: "text",
                reason: "holds a NUL character, which no stored record can hold".into(),
            };
        }
        Error::Database(DatabaseError {
            message: message(&e),
            source: Some(Box::new(e)),
        })
    }
}

/// The test server's URL (`CLAIMTRACK_TEST_PG`), or `None` after saying on stderr that test `name` is
/// skipped; under `CI=true` a missing server fails the test instead (the rule of tests/common/backend.rs).
#[cfg(test)]
pub(crate) fn test_server(name: &str) -> Option<String> {
    use std::io::Write;
    let Ok(url) = std::env::var("CLAIMTRACK_TEST_PG") else {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        assert!(!ci, "CI=true but CLAIMTRACK_TEST_PG is not set");
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {name}: needs CLAIMTRACK_TEST_PG (eval \"$(scripts/pg-test-server start)\")"
        );
        return None;
    };
    Some(url)
}
