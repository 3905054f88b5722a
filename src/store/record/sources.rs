//! SQL for sources: how a record of this kind is read, inserted and updated (the one place that writes its rows).

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::Refs;
use crate::error::{Error, Result};
use crate::model::history::EntityKind;
use crate::model::ids::SourceId;
use crate::model::source::Source;
use crate::model::text::name_key;
use crate::store::convert::{insert_err, rowid, rowid_opt, ts_from_sql, ts_to_sql};

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

pub(crate) fn from_row(row: &Row<'_>) -> rusqlite::Result<(i64, Source)> {
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
            created_at: ts_from_sql(row, 9)?,
        },
    ))
}

pub(crate) fn with_aliases(conn: &Connection, (rowid, mut s): (i64, Source)) -> Result<Source> {
    let mut stmt =
        conn.prepare_cached("SELECT alias FROM source_aliases WHERE source_id = +?1 ORDER BY position")?;
    s.aliases = stmt
        .query_map([rowid], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(s)
}

pub(crate) fn read(conn: &Connection, id: SourceId) -> Result<Source> {
    let row = conn
        .prepare_cached(select!("WHERE s.uuid = ?1"))?
        .query_row([id], from_row)
        .map_err(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Error::not_found("source", id),
            e => e.into(),
        })?;
    with_aliases(conn, row)
}

/// Every source with its aliases, oldest first.
pub(crate) fn all(conn: &Connection) -> Result<Vec<Source>> {
    read_many(conn, select!("ORDER BY s.id"), [])
}

pub(crate) fn read_many(conn: &Connection, sql: &str, p: impl rusqlite::Params) -> Result<Vec<Source>> {
    let rows: Vec<(i64, Source)> = conn
        .prepare_cached(sql)?
        .query_map(p, from_row)?
        .collect::<rusqlite::Result<_>>()?;
    rows.into_iter().map(|r| with_aliases(conn, r)).collect()
}

/// Refuses a parent that does not exist or that would close a loop in the affiliation tree.
pub(crate) fn check_parent(conn: &Connection, s: &Source) -> Result<Option<i64>> {
    let Some(parent) = s.part_of else {
        return Ok(None);
    };
    let parent_row = rowid(conn, parent)?;
    if let Some(own) = rowid_opt(conn, s.id)? {
        let loops: bool = conn
            .prepare_cached(
                "WITH RECURSIVE up(id) AS (SELECT ?1 UNION SELECT s.part_of FROM sources s \
                 JOIN up ON s.id = up.id WHERE s.part_of IS NOT NULL) \
                 SELECT EXISTS (SELECT 1 FROM up WHERE id = ?2)",
            )?
            .query_row([parent_row, own], |r| r.get(0))?;
        if loops {
            return Err(Error::AffiliationCycle {
                source_id: s.id.to_string(),
                parent: parent.to_string(),
            });
        }
    }
    Ok(Some(parent_row))
}

pub(crate) fn write_aliases(conn: &Connection, rowid: i64, s: &Source) -> Result<()> {
    conn.prepare_cached("DELETE FROM source_aliases WHERE source_id = ?1")?
        .execute([rowid])?;
    let mut ins = conn.prepare_cached(
        "INSERT INTO source_aliases (source_id, position, alias, alias_key) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (i, alias) in s.aliases.iter().enumerate() {
        ins.execute(params![rowid, i as i64, alias, name_key(alias)])?;
    }
    Ok(())
}

/// The oldest source whose name or alias has `key` (a [`name_key`]), if any.
pub(crate) fn find_by_key(conn: &Connection, key: &str) -> Result<Option<SourceId>> {
    if key.is_empty() {
        return Ok(None);
    }
    Ok(conn
        .prepare_cached(
            "SELECT uuid FROM sources WHERE name_key = ?1 \
             OR id IN (SELECT source_id FROM source_aliases WHERE alias_key = ?1) ORDER BY id LIMIT 1",
        )?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

/// Refuses a new source whose name or an alias is already the name or an alias of another source
/// ("facebook" after "Facebook", "ＫＣＮＡ" after "KCNA"): look-alike sources split one source's record in two.
/// Records imported with their own ids (bundles, JSON Lines) are kept as given and not checked here.
pub(crate) fn refuse_namesake(conn: &Connection, s: &Source) -> Result<()> {
    for name in std::iter::once(&s.name).chain(&s.aliases) {
        if let Some(other) = find_by_key(conn, &name_key(name))? {
            if other != s.id {
                let existing = read(conn, other)?;
                return Err(Error::Duplicate {
                    kind: "source",
                    key: format!(
                        "{:?} is already the name or an alias of source {other} ({:?}); \
                         use find_or_add_source, or give the new source a distinguishing name",
                        crate::model::text::shorten(name, 80),
                        crate::model::text::shorten(&existing.name, 80),
                    ),
                });
            }
        }
    }
    Ok(())
}

pub(crate) fn insert(conn: &Connection, s: &Source, refs: &mut dyn Refs) -> Result<()> {
    s.validate()?;
    let parent = check_parent(conn, s)?;
    conn.prepare_cached(
        "INSERT INTO sources (uuid, name, name_key, kind, country, part_of, affiliation, reliability, \
         notes, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        s.id,
        s.name,
        name_key(&s.name),
        s.kind,
        s.country,
        parent,
        s.affiliation,
        s.reliability,
        s.notes,
        ts_to_sql(s.created_at)?
    ])
    .map_err(|e| insert_err(e, "source", s.id))?;
    let own = conn.last_insert_rowid();
    refs.inserted(EntityKind::Source, s.id.as_uuid(), own);
    write_aliases(conn, own, s)
}

pub(crate) fn update(conn: &Connection, s: &Source) -> Result<()> {
    s.validate()?;
    let own = rowid(conn, s.id)?;
    let parent = check_parent(conn, s)?;
    conn.prepare_cached(
        "UPDATE sources SET name = ?2, name_key = ?3, kind = ?4, country = ?5, part_of = ?6, \
         affiliation = ?7, reliability = ?8, notes = ?9, created_at = ?10 WHERE id = ?1",
    )?
    .execute(params![
        own,
        s.name,
        name_key(&s.name),
        s.kind,
        s.country,
        parent,
        s.affiliation,
        s.reliability,
        s.notes,
        ts_to_sql(s.created_at)?
    ])?;
    write_aliases(conn, own, s)
}
