//! SQL for sources: how a record of this kind is read, inserted and updated (the one place that writes its rows).

use super::Refs;
use crate::error::{Error, Result};
use crate::model::history::EntityKind;
use crate::model::ids::SourceId;
use crate::model::source::Source;
use crate::model::text::name_key;
use crate::store::convert::{insert_err, insert_id, insert_sql, rowid, rowid_opt, ts_get, ts_to_sql};
use crate::store::db::{Db, Dialect, Param, Row, p};

/// The one SELECT that `from_row` reads, with a tail (WHERE / ORDER BY) appended at compile time.
macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT s.id, s.uuid, s.name, s.kind, s.country, p.uuid, s.affiliation, s.reliability, \
             s.notes, s.created_at FROM sources s LEFT JOIN sources p ON p.id = s.part_of ",
            $tail
        )
    };
}
pub(crate) use select;

pub(crate) fn from_row(row: &Row<'_>) -> Result<(i64, Source)> {
    Ok((
        row.get(0)?,
        Source {
            id: row.get(1)?,
            name: row.get(2)?,
            aliases: Vec::new(),
            kind: row.get(3)?,
            country: row.get(4)?,
            part_of: row.get(5)?,
            affiliation: row.get(6)?,
            reliability: row.get(7)?,
            notes: row.get(8)?,
            created_at: ts_get(row, 9)?,
        },
    ))
}

pub(crate) fn with_aliases(db: &Db<'_>, (rowid, mut s): (i64, Source)) -> Result<Source> {
    s.aliases = db.query_vec(
        "SELECT alias FROM source_aliases WHERE source_id = +?1 ORDER BY position",
        p![rowid],
        |r| r.get(0),
    )?;
    Ok(s)
}

pub(crate) fn read(db: &Db<'_>, id: SourceId) -> Result<Source> {
    let row = db
        .query_opt(select!("WHERE s.uuid = ?1"), p![id], from_row)?
        .ok_or_else(|| Error::not_found("source", id))?;
    with_aliases(db, row)
}

/// Every source with its aliases, oldest first.
pub(crate) fn all(db: &Db<'_>) -> Result<Vec<Source>> {
    read_many(db, select!("ORDER BY s.id"), p![])
}

pub(crate) fn read_many(db: &Db<'_>, sql: &'static str, params: &[&dyn Param]) -> Result<Vec<Source>> {
    let rows: Vec<(i64, Source)> = db.query_vec(sql, params, from_row)?;
    rows.into_iter().map(|r| with_aliases(db, r)).collect()
}

/// Refuses a parent that does not exist or that would close a loop in the affiliation tree.
pub(crate) fn check_parent(db: &Db<'_>, s: &Source) -> Result<Option<i64>> {
    let Some(parent) = s.part_of else {
        return Ok(None);
    };
    let parent_row = rowid(db, parent)?;
    if let Some(own) = rowid_opt(db, s.id)? {
        // The CAST gives PostgreSQL the type of the recursive column (an untyped parameter would be text).
        let loops: bool = db.query_one(
            "WITH RECURSIVE up(id) AS (SELECT CAST(?1 AS BIGINT) UNION SELECT s.part_of FROM sources s \
             JOIN up ON s.id = up.id WHERE s.part_of IS NOT NULL) \
             SELECT EXISTS (SELECT 1 FROM up WHERE id = ?2)",
            p![parent_row, own],
            |r| r.get(0),
        )?;
        if loops {
            return Err(Error::AffiliationCycle {
                source_id: s.id.to_string(),
                parent: parent.to_string(),
            });
        }
    }
    Ok(Some(parent_row))
}

pub(crate) fn write_aliases(db: &Db<'_>, rowid: i64, s: &Source) -> Result<()> {
    db.execute("DELETE FROM source_aliases WHERE source_id = ?1", p![rowid])?;
    insert_aliases(db, rowid, s)
}

/// The aliases of a source row that has none yet (a new row: no DELETE, which on PostgreSQL's bulk
/// path would send the batch's pending rows first).
fn insert_aliases(db: &Db<'_>, rowid: i64, s: &Source) -> Result<()> {
    for (i, alias) in s.aliases.iter().enumerate() {
        db.execute(
            "INSERT INTO source_aliases (source_id, position, alias, alias_key) VALUES (?1, ?2, ?3, ?4)",
            p![rowid, i as i64, alias, name_key(alias)],
        )?;
    }
    Ok(())
}

/// The statement of [`find_by_key`]: the oldest source's uuid and rowid. PostgreSQL's planner reads
/// SQLite's `OR … ORDER BY id LIMIT 1` as a walk of the primary key that tests every source (a bulk load
/// of 10,000 sources spent seconds in it), so there it is the smaller of two indexed lookups.
fn by_key_sql(db: &Db<'_>) -> &'static str {
    match db.dialect() {
        Dialect::Sqlite => {
            "SELECT uuid, id FROM sources WHERE name_key = ?1 \
             OR id IN (SELECT source_id FROM source_aliases WHERE alias_key = ?1) ORDER BY id LIMIT 1"
        }
        Dialect::Postgres => {
            "SELECT uuid, id FROM sources WHERE id = (SELECT min(k.id) FROM \
             (SELECT id FROM sources WHERE name_key = ?1 \
              UNION ALL SELECT source_id FROM source_aliases WHERE alias_key = ?1) k)"
        }
    }
}

/// The oldest source whose name or alias has `key` (a [`name_key`]), if any.
pub(crate) fn find_by_key(db: &Db<'_>, key: &str) -> Result<Option<SourceId>> {
    if key.is_empty() {
        return Ok(None);
    }
    db.query_opt(by_key_sql(db), p![key], |r| r.get(0))
}

/// [`find_by_key`] among the rows the server has ([`Db::query_opt_sent`]: a batch's sources still
/// waiting to be sent are the batch's to check): the source's id and rowid.
pub(crate) fn find_sent_by_key(db: &Db<'_>, key: &str) -> Result<Option<(SourceId, i64)>> {
    if key.is_empty() {
        return Ok(None);
    }
    db.query_opt_sent(by_key_sql(db), p![key], |r| Ok((r.get(0)?, r.get(1)?)))
}

/// The error for a new source whose `name` (or alias) is already the name or an alias of `other`.
pub(crate) fn namesake(db: &Db<'_>, name: &str, other: SourceId) -> Error {
    let existing = match read(db, other) {
        Ok(s) => s.name,
        Err(e) => return e,
    };
    Error::Duplicate {
        kind: "source",
        key: format!(
            "{:?} is already the name or an alias of source {other} ({:?}); \
             use find_or_add_source, or give the new source a distinguishing name",
            crate::model::text::shorten(name, 80),
            crate::model::text::shorten(&existing, 80),
        ),
    }
}

/// Refuses a new source whose name or an alias is already the name or an alias of another source
/// ("facebook" after "Facebook", "ＫＣＮＡ" after "KCNA"): look-alike sources split one source's record in two.
/// Records imported with their own ids (bundles, JSON Lines) are kept as given and not checked here.
pub(crate) fn refuse_namesake(db: &Db<'_>, s: &Source) -> Result<()> {
    for name in std::iter::once(&s.name).chain(&s.aliases) {
        if let Some(other) = find_by_key(db, &name_key(name))? {
            if other != s.id {
                return Err(namesake(db, name, other));
            }
        }
    }
    Ok(())
}

/// A source's columns in the order its INSERT and its UPDATE bind them, after `key` (`?1`: its uuid in
/// the INSERT, its rowid in the UPDATE's WHERE), handed to `f`: the one list both statements share.
/// `parent` is the rowid of the source it is part of.
fn columns<K: Param, T>(
    key: K,
    s: &Source,
    parent: Option<i64>,
    f: impl FnOnce(&[&dyn Param]) -> Result<T>,
) -> Result<T> {
    let created_at = ts_to_sql(s.created_at)?;
    f(p![
        key,
        s.name,
        name_key(&s.name),
        s.kind,
        s.country,
        parent,
        s.affiliation,
        s.reliability,
        s.notes,
        created_at
    ])
}

pub(crate) fn insert(db: &Db<'_>, s: &Source, refs: &mut dyn Refs) -> Result<()> {
    s.validate()?;
    let parent = check_parent(db, s)?;
    let own = columns(s.id, s, parent, |ps| {
        insert_id(
            db,
            insert_sql!(
                "INSERT INTO sources (uuid, name, name_key, kind, country, part_of, affiliation, \
                 reliability, notes, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
            ),
            ps,
        )
    })
    .map_err(|e| insert_err(e, "source", s.id))?;
    refs.inserted(EntityKind::Source, s.id.as_uuid(), own);
    insert_aliases(db, own, s)?;
    Ok(())
}

pub(crate) fn update(db: &Db<'_>, s: &Source) -> Result<()> {
    s.validate()?;
    let own = rowid(db, s.id)?;
    let parent = check_parent(db, s)?;
    columns(own, s, parent, |ps| {
        db.execute(
            "UPDATE sources SET name = ?2, name_key = ?3, kind = ?4, country = ?5, part_of = ?6, \
             affiliation = ?7, reliability = ?8, notes = ?9, created_at = ?10 WHERE id = ?1",
            ps,
        )
    })?;
    write_aliases(db, own, s)
}
