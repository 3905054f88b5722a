//! SQL for publications: how a record of this kind is read, inserted and updated (the one place that writes its rows).

use super::Refs;
use crate::error::{Error, Result};
use crate::model::history::EntityKind;
use crate::model::ids::PublicationId;
use crate::model::publication::Publication;
use crate::store::convert::{insert_err, insert_id, insert_sql, rowid, rowid_of, ts_get, ts_to_sql};
use crate::store::db::{Db, Param, Row, p};

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

pub(crate) fn from_row(row: &Row<'_>) -> Result<Publication> {
    Ok(Publication {
        id: row.get(0)?,
        title: row.get(1)?,
        url: row.get(2)?,
        archive_url: row.get(3)?,
        publisher: row.get(4)?,
        published: row.get(5)?,
        retrieved: row.get(6)?,
        language: row.get(7)?,
        created_at: ts_get(row, 8)?,
    })
}

/// Every publication, oldest first, handed to `f` one at a time.
pub(crate) fn each(db: &Db<'_>, f: &mut dyn FnMut(Publication) -> Result<()>) -> Result<()> {
    crate::store::convert::each_row(db, select!("ORDER BY p.id"), from_row, f)
}

pub(crate) fn read(db: &Db<'_>, id: PublicationId) -> Result<Publication> {
    db.query_opt(select!("WHERE p.uuid = ?1"), p![id], from_row)?
        .ok_or_else(|| Error::not_found("publication", id))
}

/// A publication's columns in the order its INSERT and its UPDATE bind them, after `key` (`?1`: its uuid in
/// the INSERT, its rowid in the UPDATE's WHERE), handed to `f`: the one list both statements share.
/// `publisher` is its publisher's rowid.
fn columns<K: Param, T>(
    key: K,
    p: &Publication,
    publisher: Option<i64>,
    f: impl FnOnce(&[&dyn Param]) -> Result<T>,
) -> Result<T> {
    let created_at = ts_to_sql(p.created_at)?;
    f(p![
        key,
        p.title,
        p.url,
        p.archive_url,
        publisher,
        p.published,
        p.retrieved,
        p.language,
        created_at
    ])
}

pub(crate) fn insert(db: &Db<'_>, p: &Publication, refs: &mut dyn Refs) -> Result<()> {
    p.validate()?;
    let publisher = p.publisher.map(|s| refs.source(db, s)).transpose()?;
    let own = columns(p.id, p, publisher, |ps| {
        insert_id(
            db,
            insert_sql!(
                "INSERT INTO publications (uuid, title, url, archive_url, publisher, published, retrieved, \
                 language, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
            ),
            ps,
        )
    })
    .map_err(|e| insert_err(e, "publication", p.id))?;
    refs.inserted(EntityKind::Publication, p.id.as_uuid(), own);
    Ok(())
}

pub(crate) fn update(db: &Db<'_>, p: &Publication) -> Result<()> {
    p.validate()?;
    let own = rowid(db, p.id)?;
    let publisher = rowid_of(db, p.publisher)?;
    columns(own, p, publisher, |ps| {
        db.execute(
            "UPDATE publications SET title = ?2, url = ?3, archive_url = ?4, publisher = ?5, \
             published = ?6, retrieved = ?7, language = ?8, created_at = ?9 WHERE id = ?1",
            ps,
        )
    })?;
    Ok(())
}

/// The publication first recorded with `url` as its address or its archive copy's; a web archive URL is
/// looked up by the original address it wraps, and then as given.
pub(crate) fn find_by_url(db: &Db<'_>, url: &str) -> Result<Option<Publication>> {
    if crate::store::db::unmatchable(url) {
        return Ok(None);
    }
    let original = crate::model::publication::web_archive_original(url);
    let wanted = original.as_deref().unwrap_or(url);
    db.query_opt(
        select!(
            "WHERE p.id = (SELECT min(id) FROM (SELECT id FROM publications WHERE url = ?1 \
             UNION ALL SELECT id FROM publications WHERE archive_url = ?2) found)"
        ),
        p![wanted, url],
        from_row,
    )
}
