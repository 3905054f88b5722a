//! How model values become SQL values and back, and how public UUIDs map to rowids.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use time::OffsetDateTime;
use uuid::Uuid;

use super::db::{Column, Db, Param, Row, p};
use crate::error::{Error, Result};
use crate::model::attribution::Mode;
use crate::model::claim::{Bound, ClaimKind};
use crate::model::country::CountryCode;
use crate::model::date::PartialDate;
use crate::model::evidence::Stance;
use crate::model::grade::{Credibility, Reliability};
use crate::model::ids::*;
use crate::model::link::LinkKind;
use crate::model::review::Verdict;
use crate::model::source::{AffiliationKind, SourceKind};

fn uuid_from_sql(v: ValueRef<'_>) -> FromSqlResult<Uuid> {
    let b = v.as_blob()?;
    Uuid::from_slice(b).map_err(|_| FromSqlError::InvalidBlobSize {
        expected_size: 16,
        blob_size: b.len(),
    })
}

/// Ids are stored as their 16 UUID bytes (PostgreSQL: `uuid`) and know the query that maps them to a
/// rowid.
pub(crate) trait StoredId: EntityId + ToSql + FromSql + Param + Column {
    /// `SELECT id FROM <table> WHERE uuid = ?1`.
    const LOOKUP: &'static str;
}

macro_rules! id_sql {
    ($($ty:ident => $table:literal),+ $(,)?) => {$(
        impl ToSql for $ty {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                // Borrowed: binding an id allocates nothing (several ids per record of a bulk load).
                Ok(ToSqlOutput::Borrowed(ValueRef::Blob(self.uuid_bytes())))
            }
        }
        impl FromSql for $ty {
            fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
                uuid_from_sql(v).map($ty::from_uuid)
            }
        }
        impl StoredId for $ty {
            const LOOKUP: &'static str = concat!("SELECT id FROM ", $table, " WHERE uuid = ?1");
        }
    )+};
}

id_sql! {
    SourceId => "sources",
    PublicationId => "publications",
    ClaimId => "claims",
    AttributionId => "attributions",
    EvidenceId => "evidence",
    ClaimLinkId => "claim_links",
    ReviewId => "reviews",
}

/// The rowid of an entity, if it exists.
pub(crate) fn rowid_opt<I: StoredId>(db: &Db<'_>, id: I) -> Result<Option<i64>> {
    db.query_opt(I::LOOKUP, p![id], |r| r.get(0))
}

/// The rowid of an entity, or [`Error::NotFound`] naming its kind and id.
pub(crate) fn rowid<I: StoredId>(db: &Db<'_>, id: I) -> Result<i64> {
    rowid_opt(db, id)?.ok_or_else(|| Error::not_found(I::KIND, id))
}

/// The rowid of an optional reference.
pub(crate) fn rowid_of<I: StoredId>(db: &Db<'_>, id: Option<I>) -> Result<Option<i64>> {
    id.map(|i| rowid(db, i)).transpose()
}

macro_rules! text_enum_sql {
    ($($ty:ty),+) => {$(
        impl ToSql for $ty {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }
        impl FromSql for $ty {
            fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
                v.as_str()?.parse().map_err(|e: Error| FromSqlError::Other(Box::new(e)))
            }
        }
    )+};
}

text_enum_sql!(
    SourceKind,
    AffiliationKind,
    ClaimKind,
    Bound,
    Mode,
    Stance,
    crate::model::evidence::AnswerType,
    LinkKind,
    Verdict,
    crate::model::history::EntityKind,
    crate::model::history::Operation,
    crate::model::history::Status
);

impl ToSql for Reliability {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}
impl FromSql for Reliability {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        v.as_str()?
            .parse()
            .map_err(|e: Error| FromSqlError::Other(Box::new(e)))
    }
}

impl ToSql for Credibility {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(i64::from(self.number())))
    }
}
impl FromSql for Credibility {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        let n = v.as_i64()?;
        u8::try_from(n)
            .map_err(|_| FromSqlError::OutOfRange(n))
            .and_then(|n| Credibility::try_from(n).map_err(|e| FromSqlError::Other(Box::new(e))))
    }
}

impl ToSql for CountryCode {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str().to_string()))
    }
}
impl FromSql for CountryCode {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        CountryCode::new(v.as_str()?).map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

impl ToSql for PartialDate {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.to_string()))
    }
}
impl FromSql for PartialDate {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        v.as_str()?
            .parse()
            .map_err(|e: Error| FromSqlError::Other(Box::new(e)))
    }
}

/// Record timestamps are stored as INTEGER unix nanoseconds (exact, compact, sortable).
pub(crate) fn ts_to_sql(t: OffsetDateTime) -> Result<i64> {
    i64::try_from(t.unix_timestamp_nanos()).map_err(|_| {
        Error::invalid(
            "created_at",
            format!("{t} is outside the storable range (years 1678–2262)"),
        )
    })
}

/// Reads a timestamp column (unix nanoseconds) through the seam.
pub(crate) fn ts_get(row: &Row<'_>, idx: usize) -> Result<OffsetDateTime> {
    let n: i64 = row.get(idx)?;
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(n)).map_err(|e| Error::Corrupt {
        path: String::new(),
        message: format!("column {idx} holds no storable time ({n}): {e}"),
    })
}

/// Counts rows with a query taking one rowid.
pub(crate) fn count(db: &Db<'_>, sql: &'static str, rowid: i64) -> Result<u64> {
    let n: i64 = db.query_one(sql, p![rowid], |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

/// Refuses to delete `id` while any of `refs` (what refers to it, counting query) finds a row.
pub(crate) fn refuse_if_referenced(
    db: &Db<'_>,
    kind: &'static str,
    id: impl std::fmt::Display,
    rowid: i64,
    refs: &[(&'static str, &'static str)],
) -> Result<()> {
    for (by, sql) in refs {
        let n = count(db, sql, rowid)?;
        if n > 0 {
            return Err(Error::StillReferenced {
                kind,
                id: id.to_string(),
                by,
                count: n,
            });
        }
    }
    Ok(())
}

/// Turns a UNIQUE violation (of either engine) into [`Error::Duplicate`].
pub(crate) fn insert_err(e: Error, kind: &'static str, key: impl std::fmt::Display) -> Error {
    if is_unique_violation(&e) {
        return Error::Duplicate {
            kind,
            key: key.to_string(),
        };
    }
    e
}

/// Whether `e` is a UNIQUE constraint failure reported by the database.
fn is_unique_violation(e: &Error) -> bool {
    let Error::Database(d) = e else {
        return false;
    };
    let Some(source) = d.source.as_deref() else {
        return false;
    };
    if let Some(rusqlite::Error::SqliteFailure(f, _)) = source.downcast_ref::<rusqlite::Error>() {
        return f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE;
    }
    #[cfg(feature = "postgres")]
    if let Some(pg) = source.downcast_ref::<postgres::Error>() {
        return pg.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION);
    }
    false
}

/// A JSON text stored as it is, byte for byte: SQLite `TEXT`, PostgreSQL `json` (the history's
/// before/after values, whose digests hash the exact bytes written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JsonText(pub(crate) String);

impl ToSql for JsonText {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.0.as_str()))
    }
}
impl FromSql for JsonText {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        v.as_str().map(|s| JsonText(s.to_string()))
    }
}

/// An INSERT as two statements, `(plain, with RETURNING id)`, for [`insert_id`]; takes a literal.
macro_rules! insert_sql {
    ($sql:literal) => {
        ($sql, concat!($sql, " RETURNING id"))
    };
}
pub(crate) use insert_sql;

/// Runs an INSERT made by [`insert_sql!`] and returns the new row's id: `RETURNING id` on PostgreSQL;
/// on SQLite the plain INSERT and the connection's last rowid, as before the seam (SQLite's RETURNING
/// buffers its output, and the converted bulk import with it measured about half as fast).
pub(crate) fn insert_id(
    db: &Db<'_>,
    (plain, returning): (&'static str, &'static str),
    params: &[&dyn Param],
) -> Result<i64> {
    let _ = returning; // unused without the `postgres` feature
    match db {
        Db::Sqlite(c, _) => {
            db.execute(plain, params)?;
            Ok(c.last_insert_rowid())
        }
        #[cfg(feature = "postgres")]
        Db::Pg(_) => db.query_one(returning, params, |r| r.get(0)),
    }
}

/// Runs `sql` (no parameters) and hands each row, as `map` reads it, to `f`, one at a time: a full-table
/// read whose memory stays flat however many rows there are. `map` may run statements of its own (a
/// record's child rows).
pub(crate) fn each_row<T>(
    db: &Db<'_>,
    sql: &'static str,
    map: impl Fn(&Row<'_>) -> Result<T>,
    f: &mut dyn FnMut(T) -> Result<()>,
) -> Result<()> {
    db.query_each(sql, p![], |r| f(map(r)?))
}
