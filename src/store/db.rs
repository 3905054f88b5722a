//! The seam between the store's logic and its two engines.
//!
//! Every statement of the store is written once, in SQLite's spelling with numbered `?N` placeholders,
//! and run through a [`Db`]: on SQLite it goes to rusqlite's statement cache as it is; on PostgreSQL
//! (feature `postgres`) the placeholders become `$N` once per statement and the prepared statement is
//! kept for the connection's life. Values cross the seam as [`Param`]s and come back through
//! [`Row::get`] as [`Column`]s, both implemented for every model type on each engine
//! (`store/convert.rs` for SQLite, `store/postgres/types.rs` for PostgreSQL). Where the engines truly
//! differ (full-text search, PRAGMAs, integrity checks), a module branches on [`Db::dialect`] and keeps
//! the two statements side by side.

use rusqlite::Connection;

use crate::error::{Error, Result};

/// Which SQL engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// SQLite, through rusqlite.
    Sqlite,
    /// PostgreSQL, through the `postgres` crate.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    Postgres,
}

/// An open transaction (or, on SQLite, a connection) of either engine.
#[derive(Clone, Copy)]
pub(crate) enum Db<'a> {
    /// SQLite, with the statements a batch holds prepared ([`Held`]) when it is one.
    Sqlite(&'a Connection, Option<&'a (dyn Hold + 'a)>),
    /// PostgreSQL, inside a transaction of [`crate::Store::read`] or [`crate::Store::write`].
    #[cfg(feature = "postgres")]
    Pg(&'a (dyn PgExec + 'a)),
}

/// What the seam needs of an open PostgreSQL transaction (implemented in `store/postgres/conn.rs`).
#[cfg(feature = "postgres")]
pub(crate) trait PgExec {
    /// Runs a statement; the number of rows it changed.
    fn execute(&self, sql: &'static str, params: &[&dyn Param]) -> Result<u64>;
    /// Runs statements without parameters.
    fn batch(&self, sql: &str) -> Result<()>;
    /// The first row, or `None`.
    fn query_opt(&self, sql: &'static str, params: &[&dyn Param]) -> Result<Option<postgres::Row>>;
    /// Turns the bulk path of a batch on or off for what follows in the transaction
    /// (`store/postgres/copy/`): while on, plain INSERTs become rows of a binary COPY.
    fn bulk(&self, on: bool);
    /// In a bulk load, takes a plain INSERT's row for the COPY: `Some(id)` (the id given to the row when
    /// the INSERT returns one), or `None` when the statement must run as it is.
    fn take_insert(&self, sql: &'static str, params: &[&dyn Param]) -> Result<Option<Option<i64>>>;
    /// The first row, or `None`, read WITHOUT first sending a batch's pending bulk rows: the caller
    /// accounts for the rows it has not sent itself (see [`Db::query_opt_sent`]).
    fn query_opt_sent(&self, sql: &'static str, params: &[&dyn Param]) -> Result<Option<postgres::Row>>;
    /// Sends a batch's pending bulk rows, if any.
    fn flush(&self) -> Result<()>;
    /// Hands every row to `f`, a few hundred fetched at a time.
    fn query_each(
        &self,
        sql: &'static str,
        params: &[&dyn Param],
        f: &mut dyn FnMut(&postgres::Row) -> Result<()>,
    ) -> Result<()>;
}

/// A value bound to a statement: it knows how each engine stores it.
pub(crate) trait Param {
    /// The value for SQLite.
    fn sqlite(&self) -> &dyn rusqlite::ToSql;
    /// The value for PostgreSQL.
    #[cfg(feature = "postgres")]
    fn pg(&self) -> &(dyn postgres::types::ToSql + Sync);
}

/// What PostgreSQL needs of a bound value (nothing without the feature).
#[cfg(feature = "postgres")]
pub(crate) trait PgParam: postgres::types::ToSql + Sync {}
#[cfg(feature = "postgres")]
impl<T: postgres::types::ToSql + Sync> PgParam for T {}
/// What PostgreSQL needs of a bound value (nothing without the feature).
#[cfg(not(feature = "postgres"))]
pub(crate) trait PgParam {}
#[cfg(not(feature = "postgres"))]
impl<T: ?Sized> PgParam for T {}

impl<T: rusqlite::ToSql + PgParam> Param for T {
    fn sqlite(&self) -> &dyn rusqlite::ToSql {
        self
    }
    #[cfg(feature = "postgres")]
    fn pg(&self) -> &(dyn postgres::types::ToSql + Sync) {
        self
    }
}

/// What PostgreSQL needs of a value read back (nothing without the feature).
#[cfg(feature = "postgres")]
pub(crate) trait PgColumn: for<'b> postgres::types::FromSql<'b> {}
#[cfg(feature = "postgres")]
impl<T: for<'b> postgres::types::FromSql<'b>> PgColumn for T {}
/// What PostgreSQL needs of a value read back (nothing without the feature).
#[cfg(not(feature = "postgres"))]
pub(crate) trait PgColumn {}
#[cfg(not(feature = "postgres"))]
impl<T> PgColumn for T {}

/// A value read back from a column, on either engine.
pub(crate) trait Column: rusqlite::types::FromSql + PgColumn {}
impl<T: rusqlite::types::FromSql + PgColumn> Column for T {}

/// Bound parameters, as rusqlite's `params!`: `p![id, text, 3_i64]`.
#[allow(unused_macros)]
macro_rules! p {
    () => { &[] as &[&dyn $crate::store::db::Param] };
    ($($v:expr),+ $(,)?) => { &[$(&$v as &dyn $crate::store::db::Param),+] as &[&dyn $crate::store::db::Param] };
}
#[allow(unused_imports)]
pub(crate) use p;

/// Whether `text`, a value a lookup compares with stored text, can match nothing because it holds NUL:
/// every write refuses NUL, and PostgreSQL cannot even be sent text holding it (it answers with an
/// encoding error, taken as `Error::Invalid` as a last resort). Lookups answer "none" for such a value
/// before asking, on both backends alike.
pub(crate) fn unmatchable(text: &str) -> bool {
    text.contains('\0')
}

/// One row of a result, on either engine.
pub(crate) enum Row<'a> {
    /// SQLite's row.
    Sqlite(&'a rusqlite::Row<'a>),
    /// PostgreSQL's row.
    #[cfg(feature = "postgres")]
    Pg(&'a postgres::Row),
    /// The id a bulk load gave a row it took for its COPY (`INSERT … RETURNING id`): one `bigint`.
    #[cfg(feature = "postgres")]
    Id(i64),
}

impl Row<'_> {
    /// Column `idx` (from 0) as a `T`.
    pub(crate) fn get<T: Column>(&self, idx: usize) -> Result<T> {
        match self {
            Row::Sqlite(r) => Ok(r.get(idx)?),
            #[cfg(feature = "postgres")]
            Row::Pg(r) => r.try_get(idx).map_err(Error::from),
            #[cfg(feature = "postgres")]
            Row::Id(id) => {
                use postgres::types::{FromSql, Type};
                let raw = id.to_be_bytes();
                if idx != 0 || !<T as FromSql>::accepts(&Type::INT8) {
                    return Err(unsupported());
                }
                T::from_sql(&Type::INT8, &raw).map_err(|e| {
                    Error::Database(crate::error::DatabaseError {
                        message: format!("reading a bulk-loaded row's id: {e}"),
                        source: None,
                    })
                })
            }
        }
    }

    /// The SQLite row under it, for code that reads rusqlite rows directly.
    pub(crate) fn sqlite(&self) -> Result<&rusqlite::Row<'_>> {
        match self {
            Row::Sqlite(r) => Ok(r),
            #[cfg(feature = "postgres")]
            Row::Pg(_) | Row::Id(_) => Err(unsupported()),
        }
    }
}

#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
fn unsupported() -> Error {
    Error::Database(crate::error::DatabaseError {
        message: "this operation is not available on PostgreSQL yet".into(),
        source: None,
    })
}

fn sqlite_params<'p>(params: &'p [&'p dyn Param]) -> impl rusqlite::Params + 'p {
    rusqlite::params_from_iter(params.iter().map(|p| p.sqlite()))
}

/// Runs `sql` (no rows) through rusqlite's statement cache; the number of rows it changed.
fn cached_execute(conn: &Connection, sql: &str, params: &[&dyn Param]) -> Result<u64> {
    Ok(conn.prepare_cached(sql)?.execute(sqlite_params(params))? as u64)
}

/// Runs a batch's statements from those it holds prepared, keyed by the address of their `'static`
/// text: rusqlite's statement cache hashes the whole SQL text twice per execution (to take the
/// statement out and to put it back), about 2 % of a bulk load of a million claims, whose five
/// statements per claim are always the same (benches/throughput.rs; docs/performance.md). A trait
/// object rather than `&Held` in [`Db`], because `Held` (a `RefCell` of statements) is invariant in its
/// lifetime and would pin `Db<'a>` to it; `&dyn Hold` keeps `Db` covariant.
pub(crate) trait Hold {
    /// Runs `sql` (a statement that returns no rows) from the held statements, preparing it the first
    /// time; the number of rows it changed.
    fn execute(&self, sql: &'static str, params: &[&dyn Param]) -> Result<u64>;
}

/// The statements a batch holds prepared on its SQLite connection, for the batch's life ([`Hold`]).
pub(crate) struct Held<'c> {
    conn: &'c Connection,
    stmts: std::cell::RefCell<Vec<((usize, usize), rusqlite::Statement<'c>)>>,
}

impl<'c> Held<'c> {
    /// No statement held yet, on `conn`.
    pub(crate) fn new(conn: &'c Connection) -> Self {
        Held {
            conn,
            stmts: std::cell::RefCell::new(Vec::new()),
        }
    }
}

impl Hold for Held<'_> {
    fn execute(&self, sql: &'static str, params: &[&dyn Param]) -> Result<u64> {
        // Busy only if a statement ran Rust code that came back here: then the cache serves it.
        let Ok(mut stmts) = self.stmts.try_borrow_mut() else {
            return cached_execute(self.conn, sql, params);
        };
        let key = (sql.as_ptr() as usize, sql.len());
        let at = match stmts.iter().position(|(k, _)| *k == key) {
            Some(at) => at,
            None => {
                // PERSISTENT, as rusqlite's cache prepares: a long-lived statement must not hold the
                // connection's lookaside memory, or every other allocation falls back to malloc.
                let flags = rusqlite::PrepFlags::SQLITE_PREPARE_PERSISTENT;
                stmts.push((key, self.conn.prepare_with_flags(sql, flags)?));
                stmts.len() - 1
            }
        };
        // `at` is an index of `stmts`: found there, or the one just pushed.
        Ok(stmts[at].1.execute(sqlite_params(params))? as u64)
    }
}

impl<'a> Db<'a> {
    /// SQLite, through rusqlite's statement cache.
    pub(crate) fn from_sqlite(conn: &'a Connection) -> Db<'a> {
        Db::Sqlite(conn, None)
    }

    /// Runs `f` with this `Db` holding its statements that return no rows prepared for `f`'s life
    /// ([`Held`], for a batch) on SQLite; with this same `Db` on PostgreSQL, which keeps its prepared
    /// statements for the connection's life anyway.
    pub(crate) fn with_held<T>(&self, f: impl FnOnce(&Db<'_>) -> T) -> T {
        match self {
            Db::Sqlite(c, _) => {
                let held = Held::new(c);
                f(&Db::Sqlite(c, Some(&held)))
            }
            #[cfg(feature = "postgres")]
            Db::Pg(_) => f(self),
        }
    }

    /// The engine.
    pub(crate) fn dialect(&self) -> Dialect {
        match self {
            Db::Sqlite(..) => Dialect::Sqlite,
            #[cfg(feature = "postgres")]
            Db::Pg(_) => Dialect::Postgres,
        }
    }

    /// The SQLite connection, for code that has not moved to the seam yet; an error on PostgreSQL.
    pub(crate) fn sqlite(&self) -> Result<&'a Connection> {
        match self {
            Db::Sqlite(c, _) => Ok(c),
            #[cfg(feature = "postgres")]
            Db::Pg(_) => Err(unsupported()),
        }
    }

    /// Runs a statement that returns no rows; the number of rows it changed.
    pub(crate) fn execute(&self, sql: &'static str, params: &[&dyn Param]) -> Result<u64> {
        match self {
            Db::Sqlite(_, Some(held)) => held.execute(sql, params),
            Db::Sqlite(c, None) => cached_execute(c, sql, params),
            #[cfg(feature = "postgres")]
            Db::Pg(p) => match p.take_insert(sql, params)? {
                Some(_) => Ok(1),
                None => p.execute(sql, params),
            },
        }
    }

    /// Turns a batch's bulk path on or off for what follows in this transaction: while on, the store's
    /// plain INSERTs travel as binary COPY rows on PostgreSQL (`store/postgres/copy/`); nothing changes
    /// on SQLite.
    pub(crate) fn bulk(&self, on: bool) {
        #[cfg(not(feature = "postgres"))]
        let _ = on;
        match self {
            Db::Sqlite(..) => {}
            #[cfg(feature = "postgres")]
            Db::Pg(p) => p.bulk(on),
        }
    }

    /// Runs statements without parameters, separated by `;` (schema changes, savepoints).
    pub(crate) fn batch(&self, sql: &str) -> Result<()> {
        match self {
            Db::Sqlite(c, _) => Ok(c.execute_batch(sql)?),
            #[cfg(feature = "postgres")]
            Db::Pg(p) => p.batch(sql),
        }
    }

    /// The first row, or `None`.
    pub(crate) fn query_opt<T>(
        &self,
        sql: &'static str,
        params: &[&dyn Param],
        mut f: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<Option<T>> {
        match self {
            Db::Sqlite(c, _) => {
                let mut stmt = c.prepare_cached(sql)?;
                let mut rows = stmt.query(sqlite_params(params))?;
                match rows.next()? {
                    Some(r) => f(&Row::Sqlite(r)).map(Some),
                    None => Ok(None),
                }
            }
            #[cfg(feature = "postgres")]
            Db::Pg(p) => {
                if let Some(taken) = p.take_insert(sql, params)? {
                    return match taken {
                        Some(id) => f(&Row::Id(id)).map(Some),
                        None => Ok(None),
                    };
                }
                match p.query_opt(sql, params)? {
                    Some(r) => f(&Row::Pg(&r)).map(Some),
                    None => Ok(None),
                }
            }
        }
    }

    /// [`query_opt`](Self::query_opt) over the rows the server has: on PostgreSQL's bulk path, a batch's
    /// rows still waiting in its COPY buffers are not sent first, so the caller must account for them
    /// itself (the batch's own record of the sources it added, `store/batch/names.rs`). The same as
    /// `query_opt` on SQLite, where every row is written at once.
    pub(crate) fn query_opt_sent<T>(
        &self,
        sql: &'static str,
        params: &[&dyn Param],
        f: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<Option<T>> {
        match self {
            Db::Sqlite(..) => self.query_opt(sql, params, f),
            #[cfg(feature = "postgres")]
            Db::Pg(p) => {
                let mut f = f;
                match p.query_opt_sent(sql, params)? {
                    Some(r) => f(&Row::Pg(&r)).map(Some),
                    None => Ok(None),
                }
            }
        }
    }

    /// Sends a batch's pending bulk rows to the server (PostgreSQL); nothing to do on SQLite.
    pub(crate) fn flush(&self) -> Result<()> {
        match self {
            Db::Sqlite(..) => Ok(()),
            #[cfg(feature = "postgres")]
            Db::Pg(p) => p.flush(),
        }
    }

    /// The first row; a query that finds none is an error (a bug: callers use it for aggregates).
    pub(crate) fn query_one<T>(
        &self,
        sql: &'static str,
        params: &[&dyn Param],
        f: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        self.query_opt(sql, params, f)?.ok_or_else(|| {
            Error::Database(crate::error::DatabaseError {
                message: "a query that always returns a row returned none".into(),
                source: None,
            })
        })
    }

    /// Every row, read by `f`, in a vector.
    pub(crate) fn query_vec<T>(
        &self,
        sql: &'static str,
        params: &[&dyn Param],
        mut f: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.query_each(sql, params, |r| {
            out.push(f(r)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Hands every row to `f`, one at a time, without holding all of them: a full-table read whose
    /// memory stays flat. `f` may run statements of its own.
    pub(crate) fn query_each(
        &self,
        sql: &'static str,
        params: &[&dyn Param],
        mut f: impl FnMut(&Row<'_>) -> Result<()>,
    ) -> Result<()> {
        match self {
            Db::Sqlite(c, _) => {
                let mut stmt = c.prepare_cached(sql)?;
                let mut rows = stmt.query(sqlite_params(params))?;
                while let Some(r) = rows.next()? {
                    f(&Row::Sqlite(r))?;
                }
                Ok(())
            }
            #[cfg(feature = "postgres")]
            Db::Pg(p) => match p.take_insert(sql, params)? {
                Some(Some(id)) => f(&Row::Id(id)),
                Some(None) => Ok(()),
                None => p.query_each(sql, params, &mut |r| f(&Row::Pg(r))),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_queries_run_through_the_seam() -> Result<()> {
        let conn = Connection::open_in_memory()?;
        let db = Db::from_sqlite(&conn);
        db.batch("CREATE TABLE t (a INTEGER, b TEXT)")?;
        assert_eq!(db.execute("INSERT INTO t VALUES (?1, ?2)", p![1_i64, "one"])?, 1);
        db.execute("INSERT INTO t VALUES (?1, ?2)", p![2_i64, Option::<String>::None])?;
        let rows: Vec<(i64, Option<String>)> = db.query_vec("SELECT a, b FROM t ORDER BY a", p![], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        assert_eq!(rows, vec![(1, Some("one".into())), (2, None)]);
        assert_eq!(
            db.query_opt("SELECT a FROM t WHERE a = ?1", p![3_i64], |r| r.get::<i64>(0))?,
            None
        );
        assert_eq!(
            db.query_one("SELECT count(*) FROM t", p![], |r| r.get::<i64>(0))?,
            2
        );
        Ok(())
    }
}
