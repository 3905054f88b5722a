//! Moving a desk between engines (`Store::copy_to`, `claimtrack copy`): every row of every table, history
//! included, with its ids kept, in one transaction on the target.
//!
//! Rows are copied as they are stored, not re-written through the API: the history must come across
//! exactly (its entries, their actors and times, the batch entries with their row ranges and digests),
//! and re-writing would make new history. Ids are kept because the batch entries name row ranges. Columns
//! that point forward (a source part of a later source, a record superseded by a later one) are set in
//! a second pass, once the rows they name exist.

use rusqlite::types::{FromSql, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use super::db::{Db, Dialect, Param, Row, p};
use super::{Store, copy_refusals};
use crate::error::{Error, Result};

/// A stored value of any column, carried between the engines.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    /// A BLOB on SQLite; `uuid` or `bytea` on PostgreSQL (by the column's type).
    Bytes(Vec<u8>),
}

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::from(rusqlite::types::Null),
            Value::Int(n) => ToSqlOutput::from(*n),
            Value::Real(r) => ToSqlOutput::from(*r),
            Value::Text(s) => ToSqlOutput::from(s.as_str()),
            Value::Bytes(b) => ToSqlOutput::from(b.as_slice()),
        })
    }
}

impl FromSql for Value {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        Ok(match v {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(n) => Value::Int(n),
            ValueRef::Real(r) => Value::Real(r),
            ValueRef::Text(t) => Value::Text(
                std::str::from_utf8(t)
                    .map_err(|e| rusqlite::types::FromSqlError::Other(Box::new(e)))?
                    .to_owned(),
            ),
            ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
        })
    }
}

#[cfg(feature = "postgres")]
mod pg {
    use super::Value;
    use bytes::{BufMut, BytesMut};
    use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

    type BoxError = Box<dyn std::error::Error + Sync + Send>;

    fn known(ty: &Type) -> bool {
        [
            Type::INT8,
            Type::FLOAT8,
            Type::TEXT,
            Type::JSON,
            Type::UUID,
            Type::BYTEA,
        ]
        .contains(ty)
    }

    impl ToSql for Value {
        fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
            match self {
                Value::Null => Ok(IsNull::Yes),
                Value::Int(n) => n.to_sql(ty, out),
                Value::Real(r) => r.to_sql(ty, out),
                // `json`'s binary form is its text.
                Value::Text(s) if *ty == Type::JSON => {
                    out.put_slice(s.as_bytes());
                    Ok(IsNull::No)
                }
                Value::Text(s) => s.as_str().to_sql(ty, out),
                Value::Bytes(b) if *ty == Type::UUID => uuid::Uuid::from_slice(b)?.to_sql(ty, out),
                Value::Bytes(b) => b.as_slice().to_sql(ty, out),
            }
        }
        fn accepts(ty: &Type) -> bool {
            known(ty)
        }
        to_sql_checked!();
    }

    impl<'a> FromSql<'a> for Value {
        fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
            Ok(match *ty {
                Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
                Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
                Type::JSON => Value::Text(std::str::from_utf8(raw)?.to_owned()),
                Type::UUID => Value::Bytes(uuid::Uuid::from_sql(ty, raw)?.as_bytes().to_vec()),
                Type::BYTEA => Value::Bytes(raw.to_vec()),
                _ => Value::Text(<&str>::from_sql(ty, raw)?.to_owned()),
            })
        }
        fn from_sql_null(_ty: &Type) -> Result<Self, BoxError> {
            Ok(Value::Null)
        }
        fn accepts(ty: &Type) -> bool {
            known(ty)
        }
    }
}

/// One table: how its rows are read and written, and which of its columns are set in a second pass.
struct Table {
    name: &'static str,
    select: &'static str,
    insert: &'static str,
    columns: usize,
    /// The rows whose forward-pointing columns are set once every row exists (the values first, the
    /// row's id last), the UPDATE that sets them, and how many values it takes.
    later: Option<(&'static str, &'static str, usize)>,
    /// On PostgreSQL, the statement that moves the table's id sequence past the copied ids.
    setval: Option<&'static str>,
}

impl Table {
    /// The names of the columns copied, in order.
    fn columns(&self) -> impl Iterator<Item = &'static str> {
        selected(self.select)
    }
}

/// The columns a `SELECT a, b FROM …` of this module names, in order.
fn selected(select: &'static str) -> impl Iterator<Item = &'static str> {
    let list = select.strip_prefix("SELECT ").unwrap_or("");
    list.split(" FROM ").next().unwrap_or("").split(", ")
}

/// A copied row's id (its first column), to name it in an error.
fn row_id(row: &[Value]) -> Option<i64> {
    match row.first() {
        Some(Value::Int(id)) => Some(*id),
        _ => None,
    }
}

macro_rules! table {
    ($name:literal, [$($col:literal),+], order = $order:literal $(, identity = $id:tt)?
     $(, later = ($lsel:literal, $lupd:literal, $lw:literal))?) => {
        Table {
            name: $name,
            select: concat!("SELECT ", table!(@list $($col),+), " FROM ", $name, " ORDER BY ", $order),
            insert: concat!("INSERT INTO ", $name, " (", table!(@list $($col),+), ") VALUES (",
                            table!(@marks $($col),+), ")"),
            columns: [$($col),+].len(),
            later: table!(@later $(($lsel, $lupd, $lw))?),
            setval: table!(@setval $name $(, $id)?),
        }
    };
    (@list $first:literal $(, $col:literal)*) => { concat!($first $(, ", ", $col)*) };
    (@marks $first:literal $(, $col:literal)*) => { concat!("?" $(, table!(@mark $col))*) };
    (@mark $col:literal) => { ", ?" };
    (@later) => { None };
    (@later ($sel:literal, $upd:literal, $w:literal)) => { Some(($sel, $upd, $w)) };
    (@setval $name:literal) => { None };
    (@setval $name:literal, true) => {
        Some(concat!("SELECT setval(pg_get_serial_sequence('", $name, "', 'id'), \
                      coalesce((SELECT max(id) FROM ", $name, "), 0) + 1, false)"))
    };
}

/// Every table, parents first. Columns set in the second pass are left out of the INSERT (their
/// defaults: NULL, 'current').
const TABLES: &[Table] = &[
    table!(
        "sources",
        [
            "id",
            "uuid",
            "name",
            "name_key",
            "kind",
            "country",
            "affiliation",
            "reliability",
            "notes",
            "created_at"
        ],
        order = "id",
        identity = true,
        later = (
            "SELECT part_of, id FROM sources WHERE part_of IS NOT NULL ORDER BY id",
            "UPDATE sources SET part_of = ?1 WHERE id = ?2",
            2
        )
    ),
    table!(
        "source_aliases",
        ["source_id", "position", "alias", "alias_key"],
        order = "source_id, position"
    ),
    table!(
        "publications",
        [
            "id",
            "uuid",
            "title",
            "url",
            "archive_url",
            "publisher",
            "published",
            "retrieved",
            "language",
            "created_at"
        ],
        order = "id",
        identity = true
    ),
    table!(
        "claims",
        [
            "id",
            "uuid",
            "text",
            "language",
            "kind",
            "about",
            "made_on",
            "created_at",
            "text_key_hash"
        ],
        order = "id",
        identity = true
    ),
    table!(
        "claim_quantities",
        ["claim_id", "position", "value", "unit", "bound", "subject"],
        order = "claim_id, position"
    ),
    table!(
        "claim_tags",
        ["claim_id", "position", "tag"],
        order = "claim_id, position"
    ),
    table!(
        "attributions",
        [
            "id",
            "uuid",
            "claim_id",
            "speaker",
            "publication",
            "mode",
            "quote",
            "said_on",
            "created_at"
        ],
        order = "id",
        identity = true
    ),
    table!(
        "attribution_relays",
        ["attribution_id", "position", "source_id", "mode"],
        order = "attribution_id, position"
    ),
    table!(
        "evidence",
        [
            "id",
            "uuid",
            "claim_id",
            "source_id",
            "stance",
            "credibility",
            "excerpt",
            "publication",
            "as_of",
            "created_at",
            "question",
            "answer_type"
        ],
        order = "id",
        identity = true,
        later = (
            "SELECT status, replaced_by, status_reason, status_at, id FROM evidence \
                  WHERE status <> 'current' OR replaced_by IS NOT NULL OR status_reason IS NOT NULL \
                  OR status_at IS NOT NULL ORDER BY id",
            "UPDATE evidence SET status = ?1, replaced_by = ?2, status_reason = ?3, status_at = ?4 \
                  WHERE id = ?5",
            5
        )
    ),
    table!(
        "claim_links",
        [
            "id",
            "uuid",
            "from_claim",
            "to_claim",
            "kind",
            "note",
            "created_at"
        ],
        order = "id",
        identity = true
    ),
    table!(
        "reviews",
        [
            "id",
            "uuid",
            "claim_id",
            "verdict",
            "label",
            "rating_value",
            "rating_best",
            "rating_worst",
            "rating_name",
            "rationale",
            "reviewer",
            "reviewed_on",
            "url",
            "created_at",
            "site"
        ],
        order = "id",
        identity = true,
        later = (
            "SELECT status, replaced_by, status_reason, status_at, id FROM reviews \
                  WHERE status <> 'current' OR replaced_by IS NOT NULL OR status_reason IS NOT NULL \
                  OR status_at IS NOT NULL ORDER BY id",
            "UPDATE reviews SET status = ?1, replaced_by = ?2, status_reason = ?3, status_at = ?4 \
                  WHERE id = ?5",
            5
        )
    ),
    table!(
        "history",
        [
            "id",
            "at",
            "actor",
            "entity_kind",
            "entity",
            "operation",
            "before",
            "after",
            "reason",
            "batch"
        ],
        order = "id",
        identity = true
    ),
    table!(
        "history_claims",
        ["history_id", "claim"],
        order = "history_id, claim"
    ),
    table!(
        "history_batch_rows",
        [
            "entity_kind",
            "first_row",
            "last_row",
            "batch",
            "records",
            "digest"
        ],
        order = "batch, entity_kind, first_row"
    ),
    table!(
        "api_tokens",
        [
            "id",
            "uuid",
            "name",
            "role",
            "secret_sha256",
            "created_at",
            "revoked_at"
        ],
        order = "id",
        identity = true
    ),
];

/// What [`Store::copy_to`] moved: rows per table, in the order copied.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct CopyReport {
    /// `(table, rows)` for every table.
    pub tables: Vec<(String, u64)>,
}

impl CopyReport {
    /// Rows copied in all.
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

fn read_row(r: &Row<'_>, columns: usize) -> Result<Vec<Value>> {
    (0..columns).map(|i| r.get::<Value>(i)).collect()
}

/// A row of `t`; a value that cannot be read (text that is not UTF-8, cast into a file by hand) is
/// [`Error::Invalid`] naming the table, the row and the column, as `check` names it.
fn read_row_of(r: &Row<'_>, t: &Table) -> Result<Vec<Value>> {
    let mut row = Vec::with_capacity(t.columns);
    for (i, column) in t.columns().enumerate() {
        match r.get::<Value>(i) {
            Ok(v) => row.push(v),
            Err(e @ (Error::Database(_) | Error::Corrupt { .. })) => {
                let id = row_id(&row).map_or_else(|| "?".to_string(), |id| id.to_string());
                return Err(Error::invalid(
                    "from",
                    format!(
                        "{} row {id} ({column}) cannot be read: {}",
                        t.name,
                        match &e {
                            Error::Corrupt { message, .. } => message.clone(),
                            e => e.to_string(),
                        }
                    ),
                ));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(row)
}

fn params(values: &[Value]) -> Vec<&dyn Param> {
    values.iter().map(|v| v as &dyn Param).collect()
}

/// Whether the target holds no record, no history and no token.
fn is_empty(db: &Db<'_>) -> Result<bool> {
    let found = db.query_opt(
        "SELECT 1 FROM sources UNION ALL SELECT 1 FROM publications UNION ALL SELECT 1 FROM claims \
         UNION ALL SELECT 1 FROM history UNION ALL SELECT 1 FROM api_tokens LIMIT 1",
        p![],
        |_| Ok(()),
    )?;
    Ok(found.is_none())
}

impl Store {
    /// Copies everything in this store — records, history, API tokens — into `target`, an empty store
    /// of either engine, in one transaction on the target: all of it lands, or nothing. Ids are kept,
    /// so the target's history, exports and `verify_history` are the source's. The source is read in one
    /// snapshot and not changed.
    ///
    /// A target that already holds anything is refused with [`Error::Invalid`] (`field` "to"), untouched.
    ///
    /// # Example
    /// ```
    /// use claimtrack::{NewClaim, Store};
    /// let desk = Store::open_in_memory()?;
    /// desk.add_claim(NewClaim::factual("Troops were deployed"))?;
    /// let moved = Store::open_in_memory()?; // or Store::open("postgres://…")
    /// let report = desk.copy_to(&moved)?;
    /// assert_eq!(moved.claims()?.len(), 1);
    /// assert!(report.rows() >= 2); // the claim and its history entry
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn copy_to(&self, target: &Store) -> Result<CopyReport> {
        self.read(|source| {
            target.write(|to| {
                if !is_empty(to)? {
                    return Err(Error::invalid(
                        "to",
                        "the target already holds records, history or tokens; copy into an empty store",
                    ));
                }
                let mut report = CopyReport::default();
                for t in TABLES {
                    let mut n = 0u64;
                    source.query_each(t.select, p![], |r| {
                        let row = read_row_of(r, t)?;
                        let id = row_id(&row);
                        if to.dialect() == Dialect::Postgres {
                            for (column, v) in t.columns().zip(&row) {
                                if let Value::Text(text) = v {
                                    copy_refusals::postgres_holds(t.name, id, column, text)?;
                                }
                            }
                        }
                        to.execute(t.insert, &params(&row))
                            .map_err(|e| copy_refusals::refused_row(t.name, id, e))?;
                        n += 1;
                        Ok(())
                    })?;
                    if let Some((select, update, width)) = t.later {
                        source.query_each(select, p![], |r| {
                            let row = read_row(r, width)?;
                            to.execute(update, &params(&row))?;
                            Ok(())
                        })?;
                    }
                    report.tables.push((t.name.to_string(), n));
                }
                finish(to)?;
                Ok(report)
            })
        })
    }
}

/// After the rows: SQLite's search indexes and its exact-repeat lookup are written (the store writes
/// their rows itself, there are no INSERT triggers); PostgreSQL's id sequences are moved past the
/// copied ids.
fn finish(db: &Db<'_>) -> Result<()> {
    match db.dialect() {
        Dialect::Sqlite => super::reindex::rebuild_sqlite_indexes(db),
        Dialect::Postgres => {
            for sql in TABLES.iter().filter_map(|t| t.setval) {
                db.query_one(sql, p![], |_| Ok(()))?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// A column added to the schema and forgotten here would be lost by every copy: each table's list
    /// (with the second pass's columns) must be the schema's, and every table must be copied.
    #[test]
    fn every_table_and_column_of_the_schema_is_copied() {
        let store = Store::open_in_memory().unwrap();
        let conn = store.conn();
        let mut tables: BTreeSet<String> = conn
            .prepare(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                 AND name NOT LIKE '%_fts%' AND name <> 'claim_text_keys'",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        for t in TABLES {
            assert!(
                tables.remove(t.name),
                "{} is copied but not in the schema",
                t.name
            );
            let mut copied: BTreeSet<String> = t.columns().map(str::to_string).collect();
            if let Some((select, _, _)) = t.later {
                copied.extend(selected(select).map(str::to_string));
            }
            let schema: BTreeSet<String> = conn
                .prepare("SELECT name FROM pragma_table_info(?1)")
                .unwrap()
                .query_map([t.name], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert_eq!(copied, schema, "columns of {}", t.name);
        }
        assert!(tables.is_empty(), "tables not copied: {tables:?}");
    }
}
