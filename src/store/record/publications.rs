//! SQL for publications: how a record of this kind is read, inserted and updated (the one place that writes its rows).

use rusqlite::{Connection, Row, params};

use super::Refs;
use crate::error::{Error, Result};
use crate::model::history::EntityKind;
use crate::model::ids::PublicationId;
use crate::model::publication::Publication;
use crate::store::convert::{insert_err, rowid, rowid_of, ts_from_sql, ts_to_sql};

macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT p.uuid, p.title, p.url, p.archive_url, s.uuid, p.published, p.retrieved, p.language, \
             p.created_at \
             FROM publications p LEFT JOIN sources s ON s.id = p.publisher ",
            $tail
        )
    };
}
pub(crate) use select;

pub(crate) fn from_row(row: &Row<'_>) -> rusqlite::Result<Publication> {
    Ok(Publication {
        id: row.get(0)?,
        title: row.get(1)?,
        url: row.get(2)?,
        archive_url: row.get(3)?,
        publisher: row.get(4)?,
        published: row.get(5)?,
        retrieved: row.get(6)?,
        language: row.get(7)?,
        created_at: ts_from_sql(row, 8)?,
    })
}

/// Every publication, oldest first, handed to `f` one at a time.
pub(crate) fn each(conn: &Connection, f: &mut dyn FnMut(Publication) -> Result<()>) -> Result<()> {
    crate::store::convert::each_row(conn, select!("ORDER BY p.id"), |r| Ok(from_row(r)?), f)
}

pub(crate) fn read(conn: &Connection, id: PublicationId) -> Result<Publication> {
    conn.prepare_cached(select!("WHERE p.uuid = ?1"))?
        .query_row([id], from_row)
        .map_err(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Error::not_found("publication", id),
            e => e.into(),
        })
}

pub(crate) fn insert(conn: &Connection, p: &Publication, refs: &mut dyn Refs) -> Result<()> {
    p.validate()?;
    let publisher = p.publisher.map(|s| refs.source(conn, s)).transpose()?;
    conn.prepare_cached(
        "INSERT INTO publications (uuid, title, url, archive_url, publisher, published, retrieved, language, \
         created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        p.id,
        p.title,
        p.url,
        p.archive_url,
        publisher,
        p.published,
        p.retrieved,
        p.language,
        ts_to_sql(p.created_at)?
    ])
    .map_err(|e| insert_err(e, "publication", p.id))?;
    refs.inserted(EntityKind::Publication, p.id.as_uuid(), conn.last_insert_rowid());
    Ok(())
}

pub(crate) fn update(conn: &Connection, p: &Publication) -> Result<()> {
    p.validate()?;
    let own = rowid(conn, p.id)?;
    let publisher = rowid_of(conn, p.publisher)?;
    conn.prepare_cached(
        "UPDATE publications SET title = ?2, url = ?3, archive_url = ?4, publisher = ?5, published = ?6, \
         retrieved = ?7, language = ?8, created_at = ?9 WHERE id = ?1",
    )?
    .execute(params![
        own,
        p.title,
        p.url,
        p.archive_url,
        publisher,
        p.published,
        p.retrieved,
        p.language,
        ts_to_sql(p.created_at)?
    ])?;
    Ok(())
}

/// The publication first recorded with `url` as its address or its archive copy's; a web archive URL is
/// looked up by the original address it wraps, and then as given.
pub(crate) fn find_by_url(conn: &Connection, url: &str) -> Result<Option<Publication>> {
    let original = crate::model::publication::web_archive_original(url);
    let wanted = original.as_deref().unwrap_or(url);
    let mut stmt = conn.prepare_cached(select!(
        "WHERE p.id = (SELECT min(id) FROM (SELECT id FROM publications WHERE url = ?1 \
         UNION ALL SELECT id FROM publications WHERE archive_url = ?2))"
    ))?;
    let mut rows = stmt.query_map(params![wanted, url], from_row)?;
    Ok(rows.next().transpose()?)
}
