//! A `Store`'s PostgreSQL connection: transactions, the statement cache and the [`PgExec`] side of the
//! store's [`Db`](crate::store::db::Db) seam.

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::{Client, IsolationLevel, Statement, Transaction};

use super::copy::{Bulk, RESERVE};
use crate::error::{Error, Result};
use crate::store::db::{Param, PgExec};

/// First half of the transaction-scoped advisory lock every write takes ("ctwr"); the second half is
/// the hash of the schema the desk lives in, so two desks in two schemas of one database do not wait for
/// each other. One writer at a time per desk, as SQLite's `BEGIN IMMEDIATE`, so the store's
/// read-then-write rules (supersede, standings) hold and a batch's rows are one contiguous id range per
/// table. Readers never take it.
const WRITER_LOCK: i32 = 0x6374_7772;

/// How often a write that failed with a serialization failure or a deadlock is tried again before the
/// caller gets [`Error::Busy`].
pub(crate) const WRITE_ATTEMPTS: u32 = 5;

/// Rows fetched per round trip when a query's rows are streamed.
const FETCH: i32 = 512;

/// One connection and the statements prepared on it (prepared statements belong to the session and
/// survive the transactions they were prepared in).
pub(crate) struct PgConn {
    client: RefCell<Client>,
    /// Set when the last attempt timed out waiting for the writer lock (`lock_timeout`, the store's
    /// busy timeout): that is [`Error::Busy`] at once, not a race worth trying again.
    lock_timed_out: std::cell::Cell<bool>,
    statements: RefCell<HashMap<&'static str, Statement>>,
    /// Shown by `Debug`: the URL without its password.
    pub(crate) shown: String,
}

impl PgConn {
    pub(crate) fn new(client: Client, shown: String) -> Self {
        Self {
            client: RefCell::new(client),
            lock_timed_out: std::cell::Cell::new(false),
            statements: RefCell::new(HashMap::new()),
            shown,
        }
    }

    /// Runs `f` on the bare connection (outside the store's transactions: migrations, session set-up).
    pub(crate) fn client<T>(&self, f: impl FnOnce(&mut Client) -> Result<T>) -> Result<T> {
        let mut c = self.client.try_borrow_mut().map_err(|_| nested())?;
        f(&mut c)
    }

    /// Runs `f` in one transaction: a write holds the writer lock and is tried again (up to
    /// [`WRITE_ATTEMPTS`]) when PostgreSQL reports a serialization failure or deadlock; a read is one
    /// REPEATABLE READ, READ ONLY snapshot.
    pub(crate) fn transaction<T>(
        &self,
        write: bool,
        mut f: impl FnMut(&dyn PgExec) -> Result<T>,
    ) -> Result<T> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let out = self.once(write, &mut f);
            match out {
                Err(Error::Busy) if write && attempt < WRITE_ATTEMPTS && !self.lock_timed_out.get() => {
                    std::thread::sleep(Duration::from_millis(5 << attempt));
                }
                other => return other,
            }
        }
    }

    /// Runs `f`, a read of at most one statement, outside an explicit transaction: PostgreSQL runs a
    /// lone statement in a snapshot of its own, so it is as consistent as a REPEATABLE READ transaction
    /// around it, without the two round trips of BEGIN and COMMIT. A second statement is refused (it
    /// would read another snapshot), as is any write.
    pub(crate) fn single<T>(&self, f: impl FnOnce(&dyn PgExec) -> Result<T>) -> Result<T> {
        let mut client = self.client.try_borrow_mut().map_err(|_| nested())?;
        let one = PgSingle {
            client: RefCell::new(&mut client),
            statements: &self.statements,
            used: std::cell::Cell::new(false),
        };
        f(&one)
    }

    fn once<T>(&self, write: bool, f: &mut dyn FnMut(&dyn PgExec) -> Result<T>) -> Result<T> {
        let mut client = self.client.try_borrow_mut().map_err(|_| nested())?;
        let tx = if write {
            let tx = client
                .build_transaction()
                .isolation_level(IsolationLevel::ReadCommitted)
                .start()?;
            let mut tx = tx;
            // Waits in line (first come, first served) up to the session's lock_timeout.
            self.lock_timed_out.set(false);
            if let Err(e) = tx.execute(
                "SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))",
                &[&WRITER_LOCK],
            ) {
                if e.code() == Some(&postgres::error::SqlState::LOCK_NOT_AVAILABLE) {
                    self.lock_timed_out.set(true);
                }
                return Err(e.into());
            }
            tx
        } else {
            client
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()?
        };
        let open = PgTx {
            tx: RefCell::new(tx),
            statements: &self.statements,
            bulk: RefCell::new(None),
        };
        let out = f(&open)?;
        let mut tx = open.tx.into_inner();
        if let Some(bulk) = open.bulk.borrow_mut().as_mut() {
            bulk.flush(&mut tx)?;
        }
        tx.commit()?;
        Ok(out)
    }
}

fn nested() -> Error {
    Error::Database(crate::error::DatabaseError {
        message: "a PostgreSQL store was used from inside one of its own transactions".into(),
        source: None,
    })
}

/// An open transaction and the connection's statement cache.
struct PgTx<'c> {
    tx: RefCell<Transaction<'c>>,
    statements: &'c RefCell<HashMap<&'static str, Statement>>,
    /// A batch's bulk state (`store/postgres/copy/`), once [`PgExec::bulk`] turned it on.
    bulk: RefCell<Option<Bulk>>,
}

impl PgTx<'_> {
    fn statement(&self, sql: &'static str) -> Result<Statement> {
        if let Some(s) = self.statements.borrow().get(sql) {
            return Ok(s.clone());
        }
        let stmt = self.tx.borrow_mut().prepare(&to_postgres(sql))?;
        self.statements.borrow_mut().insert(sql, stmt.clone());
        Ok(stmt)
    }

    /// In a bulk load, sends the pending rows `sql` may read before it runs.
    fn before(&self, sql: &str) -> Result<()> {
        match self.bulk.borrow_mut().as_mut() {
            Some(bulk) => bulk.before(&mut self.tx.borrow_mut(), sql),
            None => Ok(()),
        }
    }
}

fn pg_params<'p>(params: &'p [&'p dyn Param]) -> Vec<&'p (dyn ToSql + Sync)> {
    params.iter().map(|p| p.pg()).collect()
}

impl PgExec for PgTx<'_> {
    fn execute(&self, sql: &'static str, params: &[&dyn Param]) -> Result<u64> {
        self.before(sql)?;
        let stmt = self.statement(sql)?;
        Ok(self.tx.borrow_mut().execute(&stmt, &pg_params(params))?)
    }

    fn batch(&self, sql: &str) -> Result<()> {
        self.before(sql)?;
        Ok(self.tx.borrow_mut().batch_execute(sql)?)
    }

    fn bulk(&self, on: bool) {
        self.bulk.borrow_mut().get_or_insert_with(Bulk::default).on = on;
    }

    fn take_insert(&self, sql: &'static str, params: &[&dyn Param]) -> Result<Option<Option<i64>>> {
        let known = match self.bulk.borrow().as_ref() {
            Some(bulk) if bulk.on => bulk.known(sql),
            _ => return Ok(None),
        };
        let slot = match known {
            Some(slot) => slot,
            None => {
                let stmt = self.statement(sql)?;
                self.bulk
                    .borrow_mut()
                    .as_mut()
                    .and_then(|bulk| bulk.open(sql, &stmt))
            }
        };
        let Some(slot) = slot else {
            return Ok(None);
        };
        let needs_reserve = match self.bulk.borrow_mut().as_mut() {
            Some(bulk) => {
                // The first rows of each statement go as they are (see DIRECT_ROWS).
                if bulk.direct(slot) {
                    return Ok(None);
                }
                bulk.needs_reserve()
            }
            None => return Ok(None),
        };
        if needs_reserve {
            let stmt = self.statement(RESERVE)?;
            if let Some(bulk) = self.bulk.borrow_mut().as_mut() {
                bulk.reserve = Some(stmt);
            }
        }
        let mut bulk = self.bulk.borrow_mut();
        let Some(bulk) = bulk.as_mut() else {
            return Ok(None);
        };
        bulk.add(&mut self.tx.borrow_mut(), slot, &pg_params(params))
            .map(Some)
    }

    fn query_opt(&self, sql: &'static str, params: &[&dyn Param]) -> Result<Option<postgres::Row>> {
        self.before(sql)?;
        let stmt = self.statement(sql)?;
        let mut tx = self.tx.borrow_mut();
        let mut rows = tx.query_raw(&stmt, pg_params(params))?;
        Ok(rows.next()?)
    }

    fn query_opt_sent(&self, sql: &'static str, params: &[&dyn Param]) -> Result<Option<postgres::Row>> {
        let stmt = self.statement(sql)?;
        let mut tx = self.tx.borrow_mut();
        let mut rows = tx.query_raw(&stmt, pg_params(params))?;
        Ok(rows.next()?)
    }

    fn flush(&self) -> Result<()> {
        match self.bulk.borrow_mut().as_mut() {
            Some(bulk) => bulk.flush(&mut self.tx.borrow_mut()),
            None => Ok(()),
        }
    }

    fn query_each(
        &self,
        sql: &'static str,
        params: &[&dyn Param],
        f: &mut dyn FnMut(&postgres::Row) -> Result<()>,
    ) -> Result<()> {
        self.before(sql)?;
        let stmt = self.statement(sql)?;
        // A portal, read FETCH rows at a time: memory stays flat however many rows, and `f` may run
        // statements of its own between two fetches.
        let portal = self.tx.borrow_mut().bind(&stmt, &pg_params(params))?;
        loop {
            let rows = self.tx.borrow_mut().query_portal(&portal, FETCH)?;
            for r in &rows {
                f(r)?;
            }
            if rows.len() < FETCH as usize {
                return Ok(());
            }
        }
    }
}

/// One read statement outside an explicit transaction ([`PgConn::single`]).
struct PgSingle<'c> {
    client: RefCell<&'c mut Client>,
    statements: &'c RefCell<HashMap<&'static str, Statement>>,
    /// Whether the one statement has run.
    used: std::cell::Cell<bool>,
}

impl PgSingle<'_> {
    /// The prepared statement of `sql`, once: a second statement would read another snapshot.
    fn statement(&self, sql: &'static str) -> Result<Statement> {
        if self.used.replace(true) {
            return Err(Error::Database(crate::error::DatabaseError {
                message: "a second statement in a read that must be one statement".into(),
                source: None,
            }));
        }
        if let Some(s) = self.statements.borrow().get(sql) {
            return Ok(s.clone());
        }
        let stmt = self.client.borrow_mut().prepare(&to_postgres(sql))?;
        self.statements.borrow_mut().insert(sql, stmt.clone());
        Ok(stmt)
    }
}

fn read_only() -> Error {
    Error::Database(crate::error::DatabaseError {
        message: "a write in a read of one statement".into(),
        source: None,
    })
}

impl PgExec for PgSingle<'_> {
    fn execute(&self, _: &'static str, _: &[&dyn Param]) -> Result<u64> {
        Err(read_only())
    }

    fn batch(&self, _: &str) -> Result<()> {
        Err(read_only())
    }

    fn bulk(&self, _: bool) {}

    fn take_insert(&self, _: &'static str, _: &[&dyn Param]) -> Result<Option<Option<i64>>> {
        Ok(None)
    }

    fn query_opt(&self, sql: &'static str, params: &[&dyn Param]) -> Result<Option<postgres::Row>> {
        let stmt = self.statement(sql)?;
        let mut client = self.client.borrow_mut();
        let mut rows = client.query_raw(&stmt, pg_params(params))?;
        Ok(rows.next()?)
    }

    fn query_opt_sent(&self, sql: &'static str, params: &[&dyn Param]) -> Result<Option<postgres::Row>> {
        self.query_opt(sql, params)
    }

    fn flush(&self) -> Result<()> {
        Ok(())
    }

    fn query_each(
        &self,
        sql: &'static str,
        params: &[&dyn Param],
        f: &mut dyn FnMut(&postgres::Row) -> Result<()>,
    ) -> Result<()> {
        let stmt = self.statement(sql)?;
        // One round trip: the rows stream in as `f` reads them (no portal, which needs a transaction;
        // `f` cannot run a statement of its own here anyway).
        let mut client = self.client.borrow_mut();
        let mut rows = client.query_raw(&stmt, pg_params(params))?;
        while let Some(r) = rows.next()? {
            f(&r)?;
        }
        Ok(())
    }
}

/// Rewrites SQLite's `?N` placeholders as PostgreSQL's `$N`, and drops SQLite's no-index hint (a unary
/// `+` just before a placeholder). Text inside single quotes, double quotes and comments is left alone.
fn to_postgres(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut next_bare = 1u32;
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                out.push(c);
                for d in chars.by_ref() {
                    out.push(d);
                    if d == c {
                        break;
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                out.push(c);
                for d in chars.by_ref() {
                    out.push(d);
                    if d == '\n' {
                        break;
                    }
                }
            }
            '+' if chars.peek() == Some(&'?') => {}
            '?' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                    digits.push(d);
                    chars.next();
                }
                out.push('$');
                if digits.is_empty() {
                    out.push_str(&next_bare.to_string());
                    next_bare = next_bare.saturating_add(1);
                } else {
                    out.push_str(&digits);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::db::p;

    #[test]
    fn a_read_of_one_statement_refuses_a_second_and_any_write() {
        let Some(fresh) = super::super::copy::on_a_server::Fresh::new("single") else {
            return;
        };
        let store = fresh.store();
        let count = |db: &crate::store::db::Db<'_>| {
            db.query_one("SELECT count(*) FROM claims", p![], |r| r.get::<i64>(0))
        };
        assert_eq!(store.read_single(count).unwrap(), 0);
        // A second statement would read another snapshot.
        let twice = store.read_single(|db| {
            count(db)?;
            count(db)
        });
        assert!(
            matches!(&twice, Err(Error::Database(e)) if e.message.contains("second statement")),
            "{twice:?}"
        );
        let write = store.read_single(|db| db.execute("DELETE FROM claims", p![]));
        assert!(
            matches!(&write, Err(Error::Database(e)) if e.message.contains("write")),
            "{write:?}"
        );
        // The connection is still fine for what follows.
        assert_eq!(store.read_single(count).unwrap(), 0);
    }

    #[test]
    fn placeholders_become_numbered_and_quoted_text_is_kept() {
        assert_eq!(
            to_postgres("SELECT id FROM t WHERE a = ?1 AND b = +?2 AND c = '?3' -- ?4\n AND d = ?"),
            "SELECT id FROM t WHERE a = $1 AND b = $2 AND c = '?3' -- ?4\n AND d = $1"
        );
        assert_eq!(to_postgres("x = ?12"), "x = $12");
    }
}
