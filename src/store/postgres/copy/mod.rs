//! Bulk loads on PostgreSQL: inside a [`Store::batch`](crate::Store::batch), the store's row INSERTs
//! become rows of `COPY … FROM STDIN (FORMAT binary)`, sent a table at a time.
//!
//! The batch's code is the one write path of every other write (`store/writes.rs`): the same INSERT
//! statements, the same rules, the same history. Only how a plain INSERT reaches the server changes:
//! - an INSERT of placeholders only (`INSERT INTO t (a, b) VALUES (?1, ?2)`, optionally `RETURNING id`)
//!   is encoded into the table's pending COPY buffer instead of being sent; an `id` it returns is taken
//!   from a block reserved from the table's identity sequence (the batch holds the writer lock, so the
//!   ids stay one range per table, as [`BatchLog`](crate::store::history::BatchLog) records them);
//! - any other statement first sends the pending rows of every table it names and of the tables those
//!   may reference (parents before children), so it sees them and their foreign keys hold; a `ROLLBACK`
//!   (of a savepoint) drops the pending rows instead, which belong to the work being undone;
//! - a table's buffer is sent when it passes [`FLUSH_BYTES`], and everything before the commit;
//! - the first [`DIRECT_ROWS`] rows of each INSERT in a transaction are sent at once by the INSERT
//!   itself (ids from the sequence's default, before any block), so a small batch costs no COPY.
//!
//! A row the server refuses then fails the statement that sent it (the batch is rolled back whole, as
//! always); a duplicate public id is still [`Error::Duplicate`], named by the server's detail.

use std::collections::HashMap;
use std::io::Write as _;

use bytes::{BufMut, BytesMut};
use postgres::types::{IsNull, ToSql, Type};
use postgres::{Statement, Transaction};

use crate::error::{DatabaseError, Error, Result};

/// Bytes a table's pending rows may take before they are sent.
pub(crate) const FLUSH_BYTES: usize = 4 << 20;

/// The tables a batch writes, parents before children: every foreign key of the schema points to a table
/// earlier in this list (or to its own table), so sending the pending rows of every table up to one
/// keeps the foreign keys whole.
const ORDER: &[&str] = &[
    "sources",
    "source_aliases",
    "publications",
    "claims",
    "claim_quantities",
    "claim_tags",
    "attributions",
    "attribution_relays",
    "evidence",
    "claim_links",
    "reviews",
];

/// Ids reserved from a table's sequence at first, doubling up to [`MAX_BLOCK`].
const FIRST_BLOCK: i64 = 64;
const MAX_BLOCK: i64 = 1 << 16;

/// Rows of each INSERT statement, per transaction, sent at once by the INSERT itself before the rest
/// travel as COPY rows. A COPY of one table costs two round trips (the COPY, then its data) and an id
/// block one more; a plain INSERT of a prepared statement costs one. So a small batch — a single commit
/// of a claim with its attribution and evidence — makes no COPY and reserves no ids, and a bulk load
/// loses nothing measurable.
pub(crate) const DIRECT_ROWS: u32 = 8;

/// Reserves `?2` ids of table `?1`'s identity sequence in one statement: the block's first id is the
/// sequence's next value, and the sequence is moved to the block's last, which the statement returns.
pub(crate) const RESERVE: &str =
    "SELECT setval(pg_get_serial_sequence(?1, 'id'), nextval(pg_get_serial_sequence(?1, 'id')) + ?2 - 1)";

/// The binary COPY header: signature, flags, header extension length.
const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

/// An INSERT the bulk path can take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Insert {
    /// The table.
    table: String,
    /// Its columns, in the order of the placeholders `?1`, `?2`, ….
    columns: Vec<String>,
    /// Whether the statement returns the new row's `id`.
    returns_id: bool,
}

/// Reads `INSERT INTO t (a, b, …) VALUES (?1, ?2, …)` with an optional `RETURNING id`: bare names, one
/// placeholder per column in order. Anything else (`ON CONFLICT`, expressions, `SELECT`) is `None`.
pub(crate) fn parse_insert(sql: &str) -> Option<Insert> {
    let words: Vec<&str> = sql
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .collect();
    let is = |i: usize, w: &str| words.get(i).is_some_and(|x| x.eq_ignore_ascii_case(w));
    if !(is(0, "INSERT") && is(1, "INTO")) {
        return None;
    }
    let table = words.get(2)?;
    let values = words.iter().position(|w| w.eq_ignore_ascii_case("VALUES"))?;
    let columns = &words[3..values];
    let rest = &words[values + 1..];
    if columns.is_empty() || rest.len() < columns.len() {
        return None;
    }
    let bare = |w: &str| {
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    if !bare(table) || !columns.iter().all(|c| bare(c)) {
        return None;
    }
    // The parenthesised list must hold exactly the placeholders (the split above drops the commas and
    // parentheses, so check the text between VALUES and the tail too).
    for (i, p) in rest[..columns.len()].iter().enumerate() {
        if *p != format!("?{}", i + 1) {
            return None;
        }
    }
    let tail = &rest[columns.len()..];
    let returns_id = match tail {
        [] => false,
        [r, id] if r.eq_ignore_ascii_case("RETURNING") && *id == "id" => true,
        _ => return None,
    };
    let after_values = &sql[sql.to_ascii_uppercase().find("VALUES")? + 6..];
    let open = after_values.find('(')?;
    let close = after_values.find(')')?;
    if !after_values[..open].trim().is_empty() || after_values[open + 1..close].contains('(') {
        return None;
    }
    Some(Insert {
        table: table.to_string(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
        returns_id,
    })
}

/// Where `table` comes in [`ORDER`]; tables not listed come after all of them.
fn rank(table: &str) -> usize {
    ORDER.iter().position(|t| *t == table).unwrap_or(ORDER.len())
}

/// Whether `sql` names `table` as a whole word.
fn names(sql: &str, table: &str) -> bool {
    sql.match_indices(table).any(|(i, _)| {
        let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
        let before = sql[..i].chars().next_back().is_none_or(|c| !word(c));
        let after = sql[i + table.len()..].chars().next().is_none_or(|c| !word(c));
        before && after
    })
}

/// The pending rows of one INSERT statement and the COPY that sends them.
struct Pending {
    table: String,
    /// Whether each row's first field is an id taken from the table's reserved block.
    returns_id: bool,
    /// `COPY t (…) FROM STDIN (FORMAT binary)`.
    copy: String,
    /// The type of each column sent.
    types: Vec<Type>,
    buf: BytesMut,
    rows: u64,
    /// Rows of this statement sent at once (up to [`DIRECT_ROWS`]).
    direct: u32,
}

/// A block of ids reserved from a table's sequence: `next..=last`.
#[derive(Debug, Clone, Copy)]
struct Block {
    next: i64,
    last: i64,
    size: i64,
}

/// The bulk state of one write transaction.
#[derive(Default)]
pub(crate) struct Bulk {
    /// Whether plain INSERTs are taken now (pending rows are sent as needed either way).
    pub(crate) on: bool,
    /// Each statement seen: the index of its pending rows, or `None` when it is not a plain INSERT.
    statements: HashMap<&'static str, Option<usize>>,
    pending: Vec<Pending>,
    ids: HashMap<String, Block>,
    /// [`RESERVE`], prepared (set before the first row is taken: see [`Bulk::needs_reserve`]).
    pub(crate) reserve: Option<Statement>,
}

impl Bulk {
    /// What is known of `sql`: `Some(Some(i))` its rows go to pending buffer `i`, `Some(None)` it is not
    /// a plain INSERT, `None` not seen yet (see [`open`](Self::open)).
    pub(crate) fn known(&self, sql: &'static str) -> Option<Option<usize>> {
        self.statements.get(sql).copied()
    }

    /// Reads `sql` once: a plain INSERT into one of the batch's tables gets a pending buffer, typed by
    /// `stmt` (the statement prepared, whose parameter types are its columns' types).
    pub(crate) fn open(&mut self, sql: &'static str, stmt: &Statement) -> Option<usize> {
        let slot = parse_insert(sql)
            .filter(|i| rank(&i.table) < ORDER.len())
            .filter(|i| stmt.params().len() == i.columns.len())
            .map(|insert| {
                let mut columns = Vec::new();
                let mut types = Vec::new();
                if insert.returns_id {
                    columns.push("id".to_string());
                    types.push(Type::INT8);
                }
                columns.extend(insert.columns.iter().cloned());
                types.extend(stmt.params().iter().cloned());
                // Table and column names come from the store's own statements (`parse_insert` takes
                // bare lower-case names only), never from user text.
                let copy = format!(
                    "COPY {} ({}) FROM STDIN (FORMAT binary)",
                    insert.table,
                    columns.join(", ")
                );
                self.pending.push(Pending {
                    table: insert.table,
                    returns_id: insert.returns_id,
                    copy,
                    types,
                    buf: BytesMut::new(),
                    rows: 0,
                    direct: 0,
                });
                self.pending.len() - 1
            });
        self.statements.insert(sql, slot);
        slot
    }

    /// Whether the next row of `slot` is to be sent at once by its INSERT (the first [`DIRECT_ROWS`]
    /// of the transaction are) rather than taken for the COPY.
    pub(crate) fn direct(&mut self, slot: usize) -> bool {
        match self.pending.get_mut(slot) {
            Some(p) if p.direct < DIRECT_ROWS => {
                p.direct += 1;
                true
            }
            _ => false,
        }
    }

    /// Whether [`RESERVE`] must be prepared and set in [`Bulk::reserve`] before the next row is taken.
    pub(crate) fn needs_reserve(&self) -> bool {
        self.reserve.is_none()
    }

    /// Takes one row for pending buffer `slot` with `params`; returns the id given to the row when its
    /// INSERT returns one.
    pub(crate) fn add(
        &mut self,
        tx: &mut Transaction<'_>,
        slot: usize,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<i64>> {
        let (table, returns_id) = match self.pending.get(slot) {
            Some(p) => (p.table.clone(), p.returns_id),
            None => return Err(internal("a bulk row for an unknown statement")),
        };
        let id = if returns_id {
            Some(self.next_id(tx, &table)?)
        } else {
            None
        };
        let p = &mut self.pending[slot];
        let fields = params.len() + usize::from(returns_id);
        if fields != p.types.len() {
            return Err(internal("a bulk row with another number of values than columns"));
        }
        p.buf
            .put_i16(i16::try_from(fields).map_err(|_| too_wide(&p.table))?);
        if let Some(id) = id {
            p.buf.put_i32(8);
            p.buf.put_i64(id);
        }
        let types = &p.types[usize::from(returns_id)..];
        for (value, ty) in params.iter().zip(types) {
            let at = p.buf.len();
            p.buf.put_i32(0);
            let null = value.to_sql_checked(ty, &mut p.buf).map_err(|e| {
                Error::Database(DatabaseError {
                    message: format!("a value for table {} could not be encoded: {e}", p.table),
                    source: None,
                })
            })?;
            let len = match null {
                IsNull::Yes => {
                    p.buf.truncate(at + 4);
                    -1
                }
                IsNull::No => i32::try_from(p.buf.len() - at - 4).map_err(|_| too_wide(&p.table))?,
            };
            p.buf[at..at + 4].copy_from_slice(&len.to_be_bytes());
        }
        p.rows += 1;
        if p.buf.len() >= FLUSH_BYTES {
            self.flush_ranks(tx, rank(&table))?;
        }
        Ok(id)
    }

    /// The next id of `table`, from its reserved block (reserving the next block when it runs out).
    fn next_id(&mut self, tx: &mut Transaction<'_>, table: &str) -> Result<i64> {
        if let Some(b) = self.ids.get_mut(table)
            && b.next <= b.last
        {
            b.next += 1;
            return Ok(b.next - 1);
        }
        let size = self
            .ids
            .get(table)
            .map_or(FIRST_BLOCK, |b| (b.size * 2).min(MAX_BLOCK));
        // nextval is the block's first id; setval moves the sequence to its last, so no default id of
        // another statement falls inside it (and, under the writer lock, the next block follows this one).
        let Some(reserve) = &self.reserve else {
            return Err(internal("ids reserved before their statement was prepared"));
        };
        let last: i64 = tx.query_one(reserve, &[&table, &size])?.get(0);
        let first = last.saturating_sub(size - 1);
        self.ids.insert(
            table.to_string(),
            Block {
                next: first + 1,
                last,
                size,
            },
        );
        Ok(first)
    }

    /// Before `sql` runs: sends the pending rows it may read or reference (of every table it names, and of
    /// the tables those reference); all of them before a `SAVEPOINT` or `RELEASE`; drops them all before a `ROLLBACK` (to
    /// a savepoint: every pending row was written after the latest savepoint, so its work is undone).
    pub(crate) fn before(&mut self, tx: &mut Transaction<'_>, sql: &str) -> Result<()> {
        if self.pending.iter().all(|p| p.rows == 0) {
            return Ok(());
        }
        let first = sql.split_whitespace().next().unwrap_or("");
        if first.eq_ignore_ascii_case("ROLLBACK") {
            for p in &mut self.pending {
                p.buf.clear();
                p.rows = 0;
            }
            return Ok(());
        }
        if first.eq_ignore_ascii_case("SAVEPOINT") || first.eq_ignore_ascii_case("RELEASE") {
            return self.flush(tx);
        }
        // Every table of ORDER the statement names, pending or not: a row it writes into one of them
        // (a link given with its id, written at once) needs its parents' pending rows sent first.
        let Some(top) = ORDER
            .iter()
            .enumerate()
            .filter(|(_, t)| names(sql, t))
            .map(|(i, _)| i)
            .max()
        else {
            return Ok(());
        };
        self.flush_ranks(tx, top)
    }

    /// Sends every pending row (before the commit).
    pub(crate) fn flush(&mut self, tx: &mut Transaction<'_>) -> Result<()> {
        self.flush_ranks(tx, usize::MAX)
    }

    /// Sends the pending rows of every table ranked up to `top`, parents first.
    fn flush_ranks(&mut self, tx: &mut Transaction<'_>, top: usize) -> Result<()> {
        let mut order: Vec<usize> = (0..self.pending.len())
            .filter(|i| self.pending[*i].rows > 0 && rank(&self.pending[*i].table) <= top)
            .collect();
        order.sort_by_key(|i| rank(&self.pending[*i].table));
        for i in order {
            let p = &mut self.pending[i];
            let rows = std::mem::take(&mut p.buf);
            p.rows = 0;
            send(tx, p, &rows)?;
        }
        Ok(())
    }
}

fn internal(what: &str) -> Error {
    Error::Database(DatabaseError {
        message: format!("bulk load: {what}"),
        source: None,
    })
}

fn too_wide(table: &str) -> Error {
    Error::Database(DatabaseError {
        message: format!("a row for table {table} is too wide for COPY"),
        source: None,
    })
}

/// One COPY of `rows` (encoded rows) into `p`'s table.
fn send(tx: &mut Transaction<'_>, p: &Pending, rows: &[u8]) -> Result<()> {
    let io = |e: std::io::Error| {
        Error::Database(DatabaseError {
            message: format!("sending rows of {} to PostgreSQL: {e}", p.table),
            source: Some(Box::new(e)),
        })
    };
    let mut w = tx.copy_in(p.copy.as_str())?;
    w.write_all(HEADER).map_err(io)?;
    w.write_all(rows).map_err(io)?;
    w.write_all(&(-1_i16).to_be_bytes()).map_err(io)?;
    w.finish().map(|_| ()).map_err(|e| refused(&p.table, e))
}

/// The record kind stored in `table`, for [`Error::Duplicate`].
fn kind_of(table: &str) -> &'static str {
    match table {
        "sources" => "source",
        "publications" => "publication",
        "claims" => "claim",
        "attributions" => "attribution",
        "evidence" => "evidence",
        "claim_links" => "claim link",
        "reviews" => "review",
        _ => "record",
    }
}

/// A COPY the server refused: a duplicate key is [`Error::Duplicate`] (named by the server's detail,
/// `Key (uuid)=(…) already exists.`), anything else the database error.
fn refused(table: &str, e: postgres::Error) -> Error {
    if let Some(db) = e.as_db_error()
        && *db.code() == postgres::error::SqlState::UNIQUE_VIOLATION
    {
        let key = db
            .detail()
            .and_then(|d| d.split_once(")=(").map(|(_, k)| k))
            .and_then(|k| k.split_once(')').map(|(k, _)| k.to_string()))
            .unwrap_or_else(|| db.message().to_string());
        return Error::Duplicate {
            kind: kind_of(table),
            key,
        };
    }
    e.into()
}

#[cfg(test)]
pub(crate) mod on_a_server;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_inserts_are_taken_and_others_are_not() {
        assert_eq!(
            parse_insert("INSERT INTO claims (uuid, text, language) \n VALUES (?1, ?2, ?3) RETURNING id"),
            Some(Insert {
                table: "claims".into(),
                columns: vec!["uuid".into(), "text".into(), "language".into()],
                returns_id: true,
            })
        );
        assert_eq!(
            parse_insert("INSERT INTO claim_tags (claim_id, position, tag) VALUES (?1, ?2, ?3)")
                .map(|i| (i.table, i.returns_id)),
            Some(("claim_tags".into(), false))
        );
        for other in [
            "INSERT INTO t (a, b) VALUES (?2, ?1)",
            "INSERT INTO t (a, b) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            "INSERT INTO t (a, b) VALUES (?1, lower(?2))",
            "INSERT INTO t (a) SELECT ?1",
            "INSERT INTO t (a, b) VALUES (?1, ?2) RETURNING uuid",
            "INSERT INTO history (at, actor) VALUES (?1, (SELECT name FROM claimtrack_actor))",
            "INSERT INTO \"T\" (a) VALUES (?1)",
            "UPDATE t SET a = ?1",
            "SELECT 1",
        ] {
            assert_eq!(parse_insert(other), None, "{other}");
        }
    }

    #[test]
    fn a_statement_names_a_table_as_a_whole_word() {
        assert!(names("SELECT id FROM claims WHERE uuid = ?1", "claims"));
        assert!(names("SELECT coalesce(max(id), 0) FROM claims", "claims"));
        assert!(!names("SELECT tag FROM claim_tags", "claims"));
        assert!(!names("SELECT 1 FROM evidence_x", "evidence"));
        assert!(names("UPDATE evidence SET status = ?2", "evidence"));
    }

    #[test]
    fn every_foreign_key_points_to_an_earlier_table() {
        // The schema's REFERENCES, read from its text: child table -> parent table.
        let schema = include_str!("../../../../schema/postgres/0001_initial.sql");
        let mut table = "";
        for line in schema.lines() {
            let line = line.trim();
            if let Some(rest) = line.strip_prefix("CREATE TABLE ") {
                table = rest.split_whitespace().next().unwrap_or("");
            }
            if let Some((_, parent)) = line.split_once("REFERENCES ")
                && ORDER.contains(&table)
            {
                let parent = parent.split_whitespace().next().unwrap_or("");
                assert!(
                    rank(parent) <= rank(table),
                    "{table} references {parent}, which comes later in ORDER"
                );
                assert!(
                    ORDER.contains(&parent),
                    "{table} references {parent}, not in ORDER"
                );
            }
        }
    }
}
