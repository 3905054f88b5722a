//! The store: the only layer that speaks SQL.
//!
//! Every statement lives in this module and its children, takes bound parameters, and is prepared
//! through rusqlite's statement cache. No rusqlite type appears in the public API, so another backend
//! can later stand behind the same [`Store`] methods.

pub(crate) mod analysis;
mod attributions;
mod batch;
mod bundle;
mod check;
mod check_encoding;
mod claims;
mod convert;
mod copy;
mod copy_refusals;
// Parts of the seam come into use as the store's modules move onto it (issue 13); until the last
// one has, some are unused in one build or another.
#[cfg(feature = "server")]
mod claim_read;
#[allow(dead_code)]
pub(crate) mod db;
mod evidence;
mod export;
mod history;
mod links;
mod lookup;
mod migrations;
mod open;
#[cfg(feature = "postgres")]
pub(crate) mod postgres;
mod publications;
mod record;
mod reindex;
mod reviews;
mod rules;
pub(crate) mod search;
mod sources;
mod standing;
mod summary;
mod text_keys;
mod tokens;
mod writes;

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};

use crate::error::{Error, Result};

pub use batch::{Batch, BatchProgress};
pub use bundle::Counts;
pub(crate) use bundle::ImportSummary;
pub(crate) use bundle::Item;
pub use check::{CheckProblem, CheckReport};
#[cfg(feature = "server")]
pub(crate) use claim_read::ClaimRead;
pub use copy::CopyReport;
pub use migrations::SCHEMA_VERSION;
pub use open::{Durability, OpenOptions};
pub use sources::{SourceClaim, SourceRole};

/// A connection to a claimtrack database.
///
/// A `Store` is `Send` but not `Sync`: threads that share a database each open their own `Store` on the
/// same file (SQLite's WAL mode lets readers and one writer proceed together).
pub struct Store {
    backend: Backend,
}

/// The engine under a [`Store`].
enum Backend {
    Sqlite(Connection),
    #[cfg(feature = "postgres")]
    // Boxed: a PostgreSQL client is several times the size of an SQLite handle.
    Postgres(Box<postgres::PgConn>),
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.backend {
            Backend::Sqlite(c) => f.debug_struct("Store").field("path", &c.path()).finish(),
            #[cfg(feature = "postgres")]
            Backend::Postgres(p) => f.debug_struct("Store").field("url", &p.shown).finish(),
        }
    }
}

/// Bytes of the database file SQLite reads through a memory map instead of `read` calls (`PRAGMA
/// mmap_size`): a summary or search at a million claims touches a few pages at random, and a mapped page
/// costs no system call (benches/throughput.rs: summary p50 21.1 -> 14.5 us at 100k with 256 MiB; 1 GiB
/// maps the whole file of a million claims, 575 MB, and took another 15 % off a summary there). The map
/// is address space, not memory: only the pages read are resident, and they are the OS's file cache. Bulk writes turn it
/// off while they run ([`Store::batch`]): they gain nothing from it, and pages read through the map count
/// as resident memory, which must stay flat however large the load.
pub(crate) const MMAP_SIZE: i64 = 1 << 30;

impl Store {
    /// Runs `f` in one write transaction: all of it is committed, or none of it.
    ///
    /// On SQLite, `BEGIN IMMEDIATE` takes the write lock up front, so a second writer waits (up to the
    /// busy timeout) instead of failing half-way through a read-then-write. On PostgreSQL the
    /// transaction takes the database's writer lock (`store/postgres/conn.rs`) and is tried again a
    /// bounded number of times after a serialization failure or deadlock, then [`Error::Busy`].
    #[allow(dead_code)] // the store's writers move onto the seam next (issue 13)
    pub(crate) fn write<T>(&self, mut f: impl FnMut(&db::Db<'_>) -> Result<T>) -> Result<T> {
        match &self.backend {
            Backend::Sqlite(_) => self.write_sqlite(|c| f(&db::Db::from_sqlite(c))),
            #[cfg(feature = "postgres")]
            Backend::Postgres(p) => p.transaction(true, |tx| f(&db::Db::Pg(tx))),
        }
    }

    /// [`write`](Self::write) for a closure that cannot run twice (a caller's batch): on PostgreSQL it
    /// is not tried again after a serialization failure; the caller gets [`Error::Busy`].
    #[allow(dead_code)] // the store's writers move onto the seam next (issue 13)
    pub(crate) fn write_once<T>(&self, f: impl FnOnce(&db::Db<'_>) -> Result<T>) -> Result<T> {
        let mut f = Some(f);
        self.write(|db| match f.take() {
            Some(f) => f(db),
            None => Err(Error::Busy),
        })
    }

    /// Runs read-only `f` in one transaction, so it sees one consistent snapshot (on PostgreSQL a
    /// REPEATABLE READ, READ ONLY transaction).
    pub(crate) fn read<T>(&self, mut f: impl FnMut(&db::Db<'_>) -> Result<T>) -> Result<T> {
        match &self.backend {
            Backend::Sqlite(_) => self.read_sqlite(|c| f(&db::Db::from_sqlite(c))),
            #[cfg(feature = "postgres")]
            Backend::Postgres(p) => p.transaction(false, |tx| f(&db::Db::Pg(tx))),
        }
    }

    /// [`read`](Self::read) for a read that is a single statement on PostgreSQL: there it runs outside
    /// an explicit transaction, since one statement reads one snapshot of its own, and BEGIN and
    /// COMMIT would be two more round trips to the server (`f` making a second statement is an error).
    /// On SQLite `f` runs in a read transaction as with `read`, and may make several statements.
    pub(crate) fn read_single<T>(&self, mut f: impl FnMut(&db::Db<'_>) -> Result<T>) -> Result<T> {
        match &self.backend {
            Backend::Sqlite(_) => self.read_sqlite(|c| f(&db::Db::from_sqlite(c))),
            #[cfg(feature = "postgres")]
            Backend::Postgres(p) => p.single(|tx| f(&db::Db::Pg(tx))),
        }
    }

    /// A read that is one statement, in no explicit transaction on either backend when none is open: a
    /// statement reads one snapshot of its own, and BEGIN and COMMIT would be two more statements (on
    /// SQLite, each a run of the virtual machine; on PostgreSQL, round trips). Inside an open
    /// transaction the statement joins it. `f` making a second statement is an error on PostgreSQL
    /// and must not be relied on on SQLite.
    #[cfg(feature = "server")] // only the server's per-request token check needs it so far
    pub(crate) fn read_statement<T>(&self, mut f: impl FnMut(&db::Db<'_>) -> Result<T>) -> Result<T> {
        match &self.backend {
            Backend::Sqlite(c) => f(&db::Db::from_sqlite(c)),
            #[cfg(feature = "postgres")]
            Backend::Postgres(p) => p.single(|tx| f(&db::Db::Pg(tx))),
        }
    }

    /// Runs `f`, which calls the store's own public methods, so that on SQLite they all read one
    /// snapshot (reads nest in the read transaction opened here). On PostgreSQL each call takes its own
    /// REPEATABLE READ snapshot: a connection cannot lend its open transaction to the store's own
    /// methods, so a write landing between two calls can show in the second (issue 13 note).
    pub(crate) fn snapshot<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        match &self.backend {
            Backend::Sqlite(_) => self.read_sqlite(|_| f()),
            #[cfg(feature = "postgres")]
            Backend::Postgres(_) => f(),
        }
    }

    /// The SQLite connection; an error on PostgreSQL (for the SQLite-only parts: PRAGMAs, the file).
    pub(crate) fn sqlite(&self) -> Result<&Connection> {
        match &self.backend {
            Backend::Sqlite(c) => Ok(c),
            #[cfg(feature = "postgres")]
            Backend::Postgres(_) => Err(Error::Database(crate::error::DatabaseError {
                message: "this operation is only available on SQLite".into(),
                source: None,
            })),
        }
    }

    /// The SQLite connection in tests (panics on PostgreSQL).
    #[cfg(test)]
    pub(crate) fn conn(&self) -> &Connection {
        match &self.backend {
            Backend::Sqlite(c) => c,
            #[cfg(feature = "postgres")]
            Backend::Postgres(_) => panic!("not an SQLite store"),
        }
    }

    /// [`write`](Self::write) on SQLite, for code not yet moved to the [`db::Db`] seam: `BEGIN IMMEDIATE`.
    ///
    /// IMMEDIATE takes the write lock up front, so a second writer waits (up to the busy timeout)
    /// instead of failing half-way through a read-then-write.
    pub(crate) fn write_sqlite<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.sqlite()?;
        let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` with the memory map off (see [`MMAP_SIZE`]): a bulk load's or a full export's resident
    /// memory is then the page cache and its own buffers, flat however many pages it reads. Left as it
    /// is when a transaction is already open (the map can only change between transactions).
    pub(crate) fn unmapped<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        #[allow(irrefutable_let_patterns)] // without the `postgres` feature there is one backend
        let Backend::Sqlite(conn) = &self.backend else {
            return f();
        };
        if !conn.is_autocommit() {
            return f();
        }
        // An in-memory database answers with no row.
        let mapped: i64 = match conn.query_row("PRAGMA mmap_size", [], |r| r.get(0)).optional()? {
            Some(n) if n > 0 => n,
            _ => return f(),
        };
        conn.pragma_update(None, "mmap_size", 0)?;
        let out = f();
        conn.pragma_update(None, "mmap_size", mapped)?;
        out
    }

    /// [`read`](Self::read) on SQLite, for code not yet moved to the [`db::Db`] seam: one deferred transaction.
    ///
    /// `BEGIN` and `COMMIT` come from the statement cache: a desk's reads are small (an evidence summary
    /// is three statements), and parsing the two each time cost about a tenth of one.
    pub(crate) fn read_sqlite<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.sqlite()?;
        if !conn.is_autocommit() {
            return f(conn);
        }
        conn.prepare_cached("BEGIN DEFERRED")?.execute([])?;
        let out = f(conn).and_then(|out| {
            conn.prepare_cached("COMMIT")?.execute([])?;
            Ok(out)
        });
        if out.is_err() && !conn.is_autocommit() {
            // A read changes nothing, so ending it cannot lose work; its own failure is secondary to
            // the error being returned.
            let _ = conn.prepare_cached("ROLLBACK").and_then(|mut s| s.execute([]));
        }
        out
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        if let rusqlite::Error::SqliteFailure(f, msg) = &e {
            match f.code {
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => return Error::Busy,
                ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt => {
                    return Error::Corrupt {
                        path: String::new(),
                        message: msg.clone().unwrap_or_else(|| f.to_string()),
                    };
                }
                // FTS5 reports a damaged index as a plain SQLITE_ERROR; it is damage all the same.
                _ if msg.as_deref().is_some_and(|m| {
                    m.contains("fts5") && (m.contains("corrupt") || m.contains("file format"))
                }) =>
                {
                    return Error::Corrupt {
                        path: String::new(),
                        message: msg.clone().unwrap_or_default(),
                    };
                }
                _ => {}
            }
        }
        // Text that is not UTF-8: bytes cast to TEXT by hand, which SQLite stores unchecked. Damage to
        // the data, named by `check` (its `encoding` part); not a failure of the database.
        if matches!(
            e,
            rusqlite::Error::Utf8Error(..)
                | rusqlite::Error::FromSqlConversionFailure(_, rusqlite::types::Type::Text, _)
        ) {
            return Error::Corrupt {
                path: String::new(),
                message: format!(
                    "a stored text is not UTF-8 (written outside claimtrack; `claimtrack check` names it): {e}"
                ),
            };
        }
        Error::Database(crate::error::DatabaseError {
            message: e.to_string(),
            source: Some(Box::new(e)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ensure_send<T: Send>() {}

    #[test]
    fn store_is_send() {
        ensure_send::<Store>();
    }
}
